//! GIMPORT group files (Q99419, formats-text.md §1): the `-f` file GIMPORT.EXE
//! writes and reads (`GROUPS.EXT`). Reader and writer side by side.
//!
//! One transaction a line, the letter in column 1, then the name and the
//! address in the import-file layout (name from column 3, address from
//! column 34 or after a TAB; the same name/address rule as import text,
//! [`crate::importtext::split_name_address`]):
//! - `G name address`: add (or modify) a group; the `A` and `D` lines after it,
//!   up to the next `G`, `R` or `P`, change its members;
//! - `A name address`: add the address to the last group;
//! - `D name address`: delete the address from the last group;
//! - `R name address`: the group's members become exactly the `A` lines that
//!   follow (only `A` lines may follow);
//! - `P name address`: purge (delete) the group;
//! - `#`: a comment line; blank lines are skipped.
//!
//! As a directory: each group is an entry of kind group with its members;
//! each address an `A` line names is an entry too (a user, unless the file
//! makes it a group), with the `A` line's name, because GIMPORT needs every
//! member in the postoffice address list already. Later lines win.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use crate::codepage::TextEncoding;
use crate::error::{Error, Location, Result};
use crate::export::ldif::WriteNotes;
use crate::importtext::{entry_line, split_name_address};
use crate::model::{Address, AddressKey, Directory, Entry, EntryKind, Origin, Position};

/// The address types GIMPORT accepts in member lines (Q99419).
pub const GIMPORT_TYPES: &[&str] = &["PCM", "X400", "FAX", "SMTP", "SNADS", "PROFS"];

/// The comment line the writer starts a file with.
pub const HEADER_COMMENT: &str = "# - msmail group export (GIMPORT -f format, Q99419)";

/// What the group lines after the last `G`/`R` may do.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// After `G`: `A` adds, `D` deletes.
    Modify,
    /// After `R`: only `A` lines.
    Replace,
}

/// Does the text look like a GIMPORT group file: is its first line that is
/// neither blank nor a `#` comment a `G` or `P` line, or an `R` line that
/// names a group (a name before the address — import text's `R` names a
/// scope only)?
pub fn looks_like_gimport(text: &str) -> bool {
    for l in text.lines().take(1000) {
        let l = l.trim_end_matches('\r').trim_start_matches('\u{feff}');
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let mut chars = l.chars();
        let (Some(op), Some(blank)) = (chars.next(), chars.next()) else {
            return false;
        };
        if blank != ' ' && blank != '\t' {
            return false;
        }
        let body = chars.as_str();
        return match op.to_ascii_uppercase() {
            'G' | 'P' => split_name_address(body).is_some(),
            'R' => split_name_address(body).is_some_and(|(name, _)| !name.is_empty()),
            _ => false,
        };
    }
    false
}

/// Parses GIMPORT text (already decoded) into a directory. `file` names the
/// source in errors (with line and column) and origins.
pub fn parse_str(text: &str, file: &str) -> Result<Directory> {
    let origin_file: Arc<str> = Arc::from(file);
    let mut dir = Directory::new();
    let mut current: Option<(AddressKey, Mode)> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let line = if i == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        let n = i as u64 + 1;
        let err = |column: usize, message: String| {
            Error::input(
                file,
                Location::Line {
                    line: n,
                    column: column as u64,
                },
                message,
            )
        };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut chars = line.chars();
        let op = chars.next().unwrap_or(' ');
        let blank = chars.next();
        if !matches!(blank, Some(' ' | '\t')) || !"GADRPgadrp".contains(op) {
            return Err(err(
                1,
                format!(
                    "expected a GIMPORT transaction: G, A, D, R or P in column 1 followed by a \
                     blank, a `#` comment or a blank line (Q99419); found {:?}",
                    line.chars().take(2).collect::<String>()
                ),
            ));
        }
        let body = chars.as_str();
        let body_col = line.len() - body.len() + 1;
        let Some((name, addr)) = split_name_address(body) else {
            return Err(err(
                body_col,
                "expected a name (alias) and an address `TYPE:...` after the transaction \
                 letter (e.g. `A Administrator   PCM:NET/PO/ADMIN`)"
                    .into(),
            ));
        };
        // `addr` is a slice of `body`: its column follows from the offset.
        let addr_col = body_col + (addr.as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
        let address = Address::parse(addr).map_err(|e| err(addr_col, e.0))?;
        if address.body.trim().is_empty() {
            return Err(err(addr_col, "expected an address after `TYPE:`".into()));
        }
        let origin = Origin {
            file: Arc::clone(&origin_file),
            position: Position::Line(n),
        };
        let key = address.key();
        match op.to_ascii_uppercase() {
            'G' | 'R' => {
                let mut g = Entry::new(name, address);
                g.kind = EntryKind::Group;
                g.origin = origin;
                dir.upsert(g);
                let mode = if op.eq_ignore_ascii_case(&'R') {
                    dir.set_members(&key, Vec::new());
                    Mode::Replace
                } else {
                    if dir.members(&key).is_none() {
                        dir.set_members(&key, Vec::new());
                    }
                    Mode::Modify
                };
                current = Some((key, mode));
            }
            'P' => {
                dir.remove(&key);
                current = None;
            }
            letter => {
                let Some((group, mode)) = &current else {
                    return Err(err(
                        1,
                        format!(
                            "{letter} line without a group: expected a G or R line above it \
                             (the group whose members it changes)"
                        ),
                    ));
                };
                if letter == 'A' {
                    if !dir.contains_key(&key) {
                        let mut m = Entry::new(name, address.clone());
                        m.origin = origin;
                        dir.upsert(m);
                    }
                    dir.add_member(group, address);
                } else if *mode == Mode::Replace {
                    return Err(err(
                        1,
                        "D line after an R line: the members of a replaced group are given by \
                         A lines only (Q99419)"
                            .into(),
                    ));
                } else {
                    dir.remove_member(group, &key);
                }
            }
        }
    }
    Ok(dir)
}

/// Reads a GIMPORT file from disk in the given encoding (default CP850; a
/// byte-order mark decides for UTF-8/UTF-16).
pub fn read_path(path: &Path, encoding: TextEncoding) -> Result<Directory> {
    let bytes = crate::input::read_input(path)?;
    let name = path.display().to_string();
    let text = crate::codepage::decode_input(&bytes, encoding, &name)?;
    parse_str(&text, &name)
}

/// The name a member line gets: the member's full name when it is an entry
/// of `dir` (and has one), else the last part of its address.
fn member_name(dir: &Directory, m: &Address) -> String {
    if let Some(e) = dir.get(&m.key()) {
        if !e.full_name.trim().is_empty() {
            return e.full_name.to_string();
        }
    }
    match m.parts() {
        Some((_, _, mb)) => mb.to_string(),
        None => m.body.to_string(),
    }
}

/// Writes the groups of `dir` as a GIMPORT `-f` file: a comment line, then
/// per group (in [`Directory::sorted`] order) a blank line, its `G` line and
/// one `A` line per member; CP850, CR LF, the import-file column layout.
/// Users are not written (IMPORT carries them: `--to import`). Notes count
/// members named by their address (not entries of `dir`) and members of
/// address types GIMPORT does not take.
pub fn write_groups(dir: &Directory, w: &mut dyn Write) -> Result<WriteNotes> {
    let mut lines: Vec<String> = vec![HEADER_COMMENT.to_string()];
    let (mut unnamed, mut foreign) = (0usize, Vec::new());
    for (k, e) in dir.sorted_keyed() {
        if e.kind != EntryKind::Group {
            continue;
        }
        let mut g = e.clone();
        g.template.clear();
        lines.push(String::new());
        lines.push(entry_line('G', &g)?);
        for m in dir.members(k).unwrap_or_default() {
            if !dir.contains_key(&m.key()) {
                unnamed += 1;
            }
            if !GIMPORT_TYPES.contains(&m.canonical_type().as_str()) {
                foreign.push(m.to_string());
            }
            let member = Entry::new(member_name(dir, m), m.clone());
            lines.push(entry_line('A', &member)?);
        }
    }
    for line in &lines {
        let bytes = crate::codepage::encode_cp850(line).map_err(|(_, ch)| {
            Error::Unrepresentable(format!(
                "character {ch:?} (U+{:04X}) in {line:?} has no CP850 code",
                ch as u32
            ))
        })?;
        w.write_all(&bytes)
            .and_then(|_| w.write_all(b"\r\n"))
            .map_err(|e| Error::output("<gimport>", e.to_string()))?;
    }
    let mut notes = WriteNotes::default();
    if unnamed > 0 {
        notes.warnings.push(format!(
            "{unnamed} members are not entries of this export: their A lines carry the \
             mailbox (or address) as name"
        ));
    }
    if !foreign.is_empty() {
        notes.warnings.push(format!(
            "{} members have an address type GIMPORT does not take ({}; Q99419): {}",
            foreign.len(),
            GIMPORT_TYPES.join(", "),
            foreign
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(d: &Directory, g: &str) -> Vec<String> {
        d.members(&Address::parse(g).unwrap().key())
            .unwrap_or_default()
            .iter()
            .map(|a| a.to_string())
            .collect()
    }

    #[test]
    fn groups_members_and_transactions() {
        let text = "# c\r\nG Staff                          PCM:N/P/STAFF\r\nA Ann\tPCM:N/P/ANN\r\nA Bob                            PCM:N/P/BOB\r\nD Ann                            PCM:N/P/ANN\r\n\r\nR Staff                          PCM:N/P/OTHER\r\nA Web                            SMTP:web@x\r\nP Gone                           PCM:N/P/GONE\r\n";
        let d = parse_str(text, "g.ext").unwrap();
        assert_eq!(members(&d, "PCM:N/P/STAFF"), vec!["PCM:N/P/BOB"]);
        assert_eq!(members(&d, "PCM:N/P/OTHER"), vec!["SMTP:web@x"]);
        let ann = d
            .get(&Address::parse("PCM:N/P/ANN").unwrap().key())
            .unwrap();
        assert_eq!((ann.full_name.as_str(), ann.kind), ("Ann", EntryKind::User));
        assert_eq!(ann.origin.to_string(), "g.ext: line 3");
        assert!(looks_like_gimport(text));
        assert!(!looks_like_gimport("R PCM:N/P\r\nA x  PCM:N/P/X\r\n"));
        assert!(!looks_like_gimport("A Ann   PCM:N/P/ANN\r\n"));
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse_str("A Ann   PCM:N/P/ANN\n", "g").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("g: line 1, column 1: A line without a group"),
            "{e}"
        );
        let e = parse_str("G X  PCM:N/P/X\nX nothing\n", "g").unwrap_err();
        assert!(e.to_string().starts_with("g: line 2, column 1:"), "{e}");
        let e = parse_str("G X  PCM:N/P/X\nA no address\n", "g").unwrap_err();
        assert!(e.to_string().starts_with("g: line 2, column 3:"), "{e}");
        let e = parse_str("R X  PCM:N/P/X\nD Y  PCM:N/P/Y\n", "g").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn writer_reads_back() {
        let d = parse_str(
            "G Staff  PCM:N/P/STAFF\nA Ann  PCM:N/P/ANN\nA Mail  MHS:x@y\n",
            "g",
        )
        .unwrap();
        let mut out = Vec::new();
        let notes = write_groups(&d, &mut out).unwrap();
        assert_eq!(notes.warnings.len(), 1, "{notes:?}");
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            format!(
                "{HEADER_COMMENT}\r\n\r\nG Staff                          PCM:N/P/STAFF\r\nA Ann                            PCM:N/P/ANN\r\nA Mail                           MHS:x@y\r\n"
            )
        );
        let back = parse_str(&text, "g2").unwrap();
        assert_eq!(
            members(&back, "PCM:N/P/STAFF"),
            members(&d, "PCM:N/P/STAFF")
        );
    }
}
