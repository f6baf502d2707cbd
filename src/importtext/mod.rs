//! The MS Mail import text format (formats-text.md §1): IMPORT.EXE input files,
//! `IMPORT -X` extracts, and the text inside every Dir-Sync transaction.
//! Reader (nom) and writer (column layout, CP850, CR LF) side by side.
//!
//! Grammar as implemented (see docs/formats.md, "Import text"):
//! - op line: op letter in column 1 (`A D M R T`, either case), column 2 blank,
//!   then the name and the address. The name/address split: at the first TAB if
//!   there is one; otherwise the address starts at the last ` TYPE:` (TYPE = 2–8
//!   letters or digits) — which also covers the column layout and the
//!   single-space layout. Spaces after `TYPE:` are dropped.
//! - `M` line: the next line (columns 1–2 blank) gives the new name and address.
//! - `R <scope>`, `T <scope>` (then TPL field lines `prompt~start~width~edit~data~internal`).
//! - `- prompt/value`: template data for the nearest `A`/`M` entry above
//!   (`//` inside the prompt stands for `/`; the first single `/` ends the prompt).
//! - blank lines are ignored (and end a template definition).

use std::path::Path;
use std::sync::Arc;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while, take_while_m_n};
use nom::character::complete::{char as nom_char, one_of, space1};
use nom::combinator::{opt, rest};
use nom::multi::separated_list1;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::codepage::TextEncoding;
use crate::error::{Error, Location, Result};
use crate::model::{
    is_address_type, Address, Directory, Entry, EntryKind, Operation, Origin, Position, Scope,
    TemplateDef, TemplateField, TemplateValue,
};

/// Column (1-based) where the address starts in the column layout (Q104869, Q131151).
pub const ADDRESS_COLUMN: usize = 34;

/// Parses import text (already decoded) into operations. `file` names the
/// source in errors and origins; `first_line` is the 1-based number of the
/// first line of `text` inside that file.
pub fn parse_str(text: &str, file: &str, first_line: u64) -> Result<Vec<Operation>> {
    let mut ops = Vec::new();
    for_each_operation(text, file, first_line, |op| ops.push(op))?;
    Ok(ops)
}

/// Streams the operations of import text to `sink` in order, without holding
/// them all in memory. Same grammar and errors as [`parse_str`].
pub fn for_each_operation<F>(text: &str, file: &str, first_line: u64, mut sink: F) -> Result<()>
where
    F: FnMut(Operation),
{
    let mut parser = LineParser::new(file, first_line);
    let mut lines = text.split('\n').peekable();
    while let Some(raw) = lines.next() {
        // A final empty piece after the last line end is not a line.
        if raw.is_empty() && lines.peek().is_none() {
            break;
        }
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        parser.line(line, &mut sink)?;
    }
    parser.finish(&mut sink)
}

/// Reads an import text file from disk in the given encoding.
pub fn read_path(path: &Path, encoding: TextEncoding) -> Result<Vec<Operation>> {
    let bytes = crate::input::read_input(path)?;
    let name = path.display().to_string();
    let text = decode_input(&bytes, encoding, &name)?;
    parse_str(&text, &name, 1)
}

/// Reads an import text file and applies its operations in order, streaming:
/// the result is the directory the file describes.
pub fn read_directory(path: &Path, encoding: TextEncoding) -> Result<Directory> {
    let bytes = crate::input::read_input(path)?;
    let name = path.display().to_string();
    let text = decode_input(&bytes, encoding, &name)?;
    let mut dir = Directory::new();
    // One entry per line at most, and an entry line is longer than 8 bytes
    // (`A n X:a` and its line end): reserving up front avoids rehashing,
    // without reserving for lines that cannot hold an entry.
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    dir.reserve(lines.min(bytes.len() / 8 + 1));
    for_each_operation(&text, &name, 1, |op| {
        dir.apply(op);
    })?;
    Ok(dir)
}

pub use crate::codepage::decode_input;

mod writer;

pub use writer::{
    entry_line, import_file_lines, operation_lines, template_field_line, template_header_line,
    template_value_line, write_directory, write_directory_with, write_operations,
    write_operations_with, write_scope_export, Unencodable,
};

/// Does the text look like import text: is its first line that is neither
/// blank nor a `#` comment an operation (`A`, `D`, `M`, `R`, `T`, either case,
/// then a blank)? A file of comments only counts too (an empty extract).
/// Used to recognise import text by content.
pub fn looks_like_import_text(text: &str) -> bool {
    let mut comments = false;
    for l in text.lines().take(1000) {
        let l = l.trim_end_matches('\r').trim_start_matches('\u{feff}');
        if l.trim().is_empty() {
            continue;
        }
        if l.starts_with('#') {
            comments = true;
            continue;
        }
        return op_line(l).is_ok();
    }
    comments
}

/// What the line parser is in the middle of.
enum Pending {
    None,
    /// An `A` or `D` entry, waiting for template lines.
    Entry(char, Entry),
    /// An `M name address` line (on line `u64`) waiting for its next line: the
    /// new name and address (a line starting with a blank), or template data.
    ModifyOld(Entry, u64),
    /// An `M name` line without an address (on line `u64`, name at column
    /// `usize`), waiting for the line with the entry's complete address (Q127918).
    ModifyNameOnly(String, u64, usize),
    /// A complete `M`, waiting for template lines (they belong to the new entry).
    Modify(Entry, Entry),
    /// A `T` definition collecting field lines.
    Template(TemplateDef),
}

/// Line-at-a-time state machine over the import grammar.
struct LineParser {
    file: Arc<str>,
    line_no: u64,
    pending: Pending,
}

impl LineParser {
    fn new(file: &str, first_line: u64) -> Self {
        LineParser {
            file: Arc::from(file),
            line_no: first_line.saturating_sub(1),
            pending: Pending::None,
        }
    }

    fn err_at(&self, line: u64, column: usize, message: impl Into<String>) -> Error {
        Error::input(
            self.file.to_string(),
            Location::Line {
                line,
                column: column as u64,
            },
            message,
        )
    }

    fn err(&self, column: usize, message: impl Into<String>) -> Error {
        self.err_at(self.line_no, column, message)
    }

    fn origin(&self) -> Origin {
        self.origin_at(self.line_no)
    }

    fn origin_at(&self, line: u64) -> Origin {
        Origin {
            file: self.file.clone(),
            position: Position::Line(line),
        }
    }

    fn flush<F: FnMut(Operation)>(&mut self, sink: &mut F) {
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::None | Pending::ModifyOld(..) | Pending::ModifyNameOnly(..) => {}
            Pending::Entry('D', e) => sink(Operation::Delete(e)),
            Pending::Entry(_, e) => sink(Operation::Add(e)),
            Pending::Modify(old, new) => sink(Operation::Modify { old, new }),
            Pending::Template(def) => sink(Operation::Template(def)),
        }
    }

    fn finish<F: FnMut(Operation)>(mut self, sink: &mut F) -> Result<()> {
        match &self.pending {
            Pending::ModifyOld(_, at) => {
                return Err(self.err_at(
                    *at,
                    1,
                    "this M line is the last line: expected after it the entry's new name and \
                     address on a line starting with a blank (Q132681), or its template data \
                     `- prompt/value` (Q127918)",
                ))
            }
            Pending::ModifyNameOnly(_, at, col) => {
                return Err(self.err_at(
                    *at,
                    *col,
                    "this M line names no address and is the last line: expected the entry's \
                     complete address `TYPE:...` on the next line (Q127918)",
                ))
            }
            _ => {}
        }
        self.flush(sink);
        Ok(())
    }

    fn line<F: FnMut(Operation)>(&mut self, line: &str, sink: &mut F) -> Result<()> {
        self.line_no += 1;
        let blank = line.trim().is_empty();
        match &self.pending {
            Pending::ModifyOld(..) => {
                if blank {
                    // Q127918 prints blank lines between an M line and what follows.
                    return Ok(());
                }
                if line.starts_with([' ', '\t']) {
                    // Continuation: one or more spaces (Q132681: two, Q117198: one)
                    // or one TAB. Only those: a TAB after the spaces separates an
                    // empty name from the address.
                    let body = match line.strip_prefix('\t') {
                        Some(rest) => rest,
                        None => line.trim_start_matches(' '),
                    };
                    let new = self.entry_from(body, line.len() - body.len() + 1)?;
                    if let Pending::ModifyOld(old, _) =
                        std::mem::replace(&mut self.pending, Pending::None)
                    {
                        self.pending = Pending::Modify(old, new);
                    }
                    return Ok(());
                }
                if template_data_start(line).is_err() {
                    return Err(self.err(
                        1,
                        format!(
                            "expected the new name and address of the M entry above on a line \
                             starting with a blank (Q132681, Q117198), or its template data \
                             `- prompt/value` (Q127918); found {:?}",
                            first_char(line)
                        ),
                    ));
                }
                // M followed directly by template data: the entry keeps its name
                // and address, the template lines replace its data (Q127918).
                if let Pending::ModifyOld(old, _) =
                    std::mem::replace(&mut self.pending, Pending::None)
                {
                    let mut new = old.clone();
                    new.origin = self.origin();
                    self.pending = Pending::Modify(old, new);
                }
            }
            Pending::ModifyNameOnly(..) => {
                if blank {
                    return Ok(());
                }
                if template_data_start(line).is_ok() {
                    return Err(self.err(
                        1,
                        "expected the complete address `TYPE:...` of the entry the M line above \
                         names, before its template data (IMPORT reports Error 72 here, Q127918)",
                    ));
                }
                let body = line.trim_start_matches([' ', '\t']);
                let col = line.len() - body.len() + 1;
                let Some((name, addr)) = split_name_address(body) else {
                    return Err(self.err(
                        col,
                        "expected the complete address `TYPE:...` of the entry the M line above \
                         names (e.g. PCM:NETWORK/POSTOFFICE/GEORGEJ, Q127918)",
                    ));
                };
                let addr_col = col + (body.len() - addr.len());
                let address = self.address_at(addr, addr_col)?;
                if let Pending::ModifyNameOnly(old_name, at, _) =
                    std::mem::replace(&mut self.pending, Pending::None)
                {
                    let old = Entry {
                        full_name: old_name.clone(),
                        address: address.clone(),
                        kind: EntryKind::User,
                        template: Vec::new(),
                        origin: self.origin_at(at),
                    };
                    // A name before the address on this line is the new name.
                    let new_name = if name.is_empty() {
                        old_name
                    } else {
                        name.to_string()
                    };
                    let new = Entry {
                        full_name: new_name,
                        address,
                        kind: EntryKind::User,
                        template: Vec::new(),
                        origin: self.origin(),
                    };
                    self.pending = Pending::Modify(old, new);
                }
                return Ok(());
            }
            _ => {}
        }
        if blank {
            // Blank lines are ignored, also between a T line and its field
            // lines (Q104281, Q125920, Q126611).
            return Ok(());
        }
        let in_template = matches!(self.pending, Pending::Template(_));
        // A `#` comment line (GIMPORT writes them into files for IMPORT, Q99419).
        // Inside a T definition a `#` line with `~` is a field line (`# of units:~...`).
        if line.starts_with('#') && !(in_template && line.contains('~')) {
            return Ok(());
        }
        // Template data line.
        if let Ok((value_part, _)) = template_data_start(line) {
            let column = line.len() - value_part.len() + 1;
            let tv = parse_template_value(value_part).map_err(|m| self.err(column, m))?;
            return match &mut self.pending {
                Pending::Entry(_, e) | Pending::Modify(_, e) => {
                    e.template.push(tv);
                    Ok(())
                }
                Pending::Template(_) => Err(self.err(
                    1,
                    "template data `- prompt/value` must follow an A or M entry; here a T \
                     definition expects field lines `prompt~start~width~edit~data~internal`",
                )),
                _ => Err(self.err(
                    1,
                    "template data `- prompt/value` has no A or M entry above it \
                     (expected an A or M line first)",
                )),
            };
        }
        // Field line of a template definition.
        if let Pending::Template(def) = &mut self.pending {
            if line.contains('~') && op_line(line).is_err() {
                let field = parse_template_field(line).map_err(|(col, m)| {
                    Error::input(
                        self.file.to_string(),
                        Location::Line {
                            line: self.line_no,
                            column: col as u64,
                        },
                        m,
                    )
                })?;
                def.fields.push(field);
                return Ok(());
            }
        }
        let (body, op) = op_line(line).map_err(|_| self.unknown_line(line, in_template))?;
        self.flush(sink);
        let body_col = line.len() - body.len() + 1;
        match op.to_ascii_uppercase() {
            'A' => self.pending = Pending::Entry('A', self.entry_from(body, body_col)?),
            'D' => self.pending = Pending::Entry('D', self.entry_from(body, body_col)?),
            'M' => {
                self.pending = match split_name_address(body) {
                    Some(_) => Pending::ModifyOld(self.entry_from(body, body_col)?, self.line_no),
                    // `M George Jones`: the address follows on the next line (Q127918).
                    None if !body.trim().is_empty() => Pending::ModifyNameOnly(
                        body.trim().to_string(),
                        self.line_no,
                        body_col + (body.len() - body.trim_start().len()),
                    ),
                    None => {
                        return Err(self.err(
                            body_col,
                            "expected the name and address of the entry to modify after `M `",
                        ))
                    }
                };
            }
            'R' => {
                let scope = Scope::parse(body).map_err(|e| {
                    self.err(
                        body_col,
                        format!("expected a scope after `R ` (PCM:NET/PO, PROFS:GATE/NODE or SMTP:): {}", e.0),
                    )
                })?;
                sink(Operation::Replace(scope));
            }
            _ => {
                let scope = Scope::parse(body).map_err(|e| {
                    self.err(
                        body_col,
                        format!("expected a scope after `T ` (PROFS: GATE/NODE, SNADS:GATE/DGN, PCM:NET/PO): {}", e.0),
                    )
                })?;
                self.pending = Pending::Template(TemplateDef {
                    scope,
                    fields: Vec::new(),
                });
            }
        }
        Ok(())
    }

    /// The refusal for a line that is no operation: what was expected there.
    fn unknown_line(&self, line: &str, in_template: bool) -> Error {
        let first = first_char(line);
        if "ADMRTadmrt".contains(first) {
            let second = line.chars().nth(1).unwrap_or(' ');
            return self.err(
                2,
                format!(
                    "expected a blank in column 2 after the operation letter {first:?}, \
                     found {second:?}"
                ),
            );
        }
        let field = if in_template {
            ", a template field line `prompt~start~width~edit~data~internal`"
        } else {
            ""
        };
        let after = line.get(first.len_utf8()..).unwrap_or("");
        let gimport = if matches!(first, 'G' | 'g' | 'P' | 'p') && after.starts_with([' ', '\t']) {
            format!(" ({first:?} lines belong to GIMPORT group files, not to import text)")
        } else {
            String::new()
        };
        self.err(
            1,
            format!(
                "unknown operation {first:?}: expected an operation letter A, D, M, R or T \
                 followed by a blank, template data `- prompt/value`{field}, a `#` comment or \
                 a blank line{gimport}"
            ),
        )
    }

    /// An address at `addr_col`, refused when it has nothing after `TYPE:`.
    fn address_at(&self, addr: &str, addr_col: usize) -> Result<Address> {
        let address = Address::parse(addr).map_err(|e| self.err(addr_col, e.0))?;
        if address.body.trim().is_empty() {
            return Err(self.err(
                addr_col,
                "expected an address after `TYPE:` (e.g. PCM:NET/PO/MAILBOX), found nothing",
            ));
        }
        Ok(address)
    }

    /// Name and address from the text after the op columns.
    fn entry_from(&self, body: &str, body_col: usize) -> Result<Entry> {
        let (name, addr) = split_name_address(body).ok_or_else(|| {
            self.err(
                body_col,
                "no address: expected `TYPE:...` after the name (e.g. PCM:NET/PO/MAILBOX)",
            )
        })?;
        let addr_col = body_col + (body.len() - addr.len());
        let address = self.address_at(addr, addr_col)?;
        Ok(Entry {
            full_name: name.to_string(),
            address,
            kind: EntryKind::User,
            template: Vec::new(),
            origin: self.origin(),
        })
    }
}

/// The first character of a line (a blank for an empty line).
fn first_char(line: &str) -> char {
    line.chars().next().unwrap_or(' ')
}

/// `op letter` + blank; returns the rest after the blanks.
fn op_line(line: &str) -> IResult<&str, char> {
    let (rest, op) = one_of("ADMRTadmrt").parse(line)?;
    let (rest, _) = one_of(" \t").parse(rest)?;
    Ok((rest, op))
}

/// `-` + one blank at the start of a template data line.
fn template_data_start(line: &str) -> IResult<&str, char> {
    let (rest, _) = (opt(space1), nom_char('-')).parse(line)?;
    let (rest, _) = one_of(" \t").parse(rest)?;
    Ok((rest, '-'))
}

/// Splits `name  address`: at the first TAB, else at the last ` TYPE:`.
/// Returns the trimmed name and the address text. `None` when there is no address.
pub fn split_name_address(body: &str) -> Option<(&str, &str)> {
    if let Some((name, addr)) = body.split_once('\t') {
        let addr = addr.trim();
        if addr.contains(':') {
            return Some((name.trim(), addr));
        }
        return None;
    }
    let start = address_start(body)?;
    Some((body[..start].trim(), body[start..].trim_end()))
}

/// Byte index where the address starts: the last `TYPE:` that is at the start
/// of `body` or follows a blank, TYPE being 2–8 letters or digits.
pub fn address_start(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut search_end = body.len();
    while let Some(colon) = body[..search_end].rfind(':') {
        let type_start = bytes[..colon]
            .iter()
            .rposition(|b| !b.is_ascii_alphanumeric())
            .map_or(0, |p| p + 1);
        let ty = &body[type_start..colon];
        let blank_before = type_start == 0 || matches!(bytes[type_start - 1], b' ' | b'\t');
        if (2..=8).contains(&ty.len()) && is_address_type(ty) && blank_before {
            return Some(type_start);
        }
        search_end = colon;
    }
    None
}

/// `prompt/value` with `//` standing for `/` inside the prompt.
fn parse_template_value(text: &str) -> std::result::Result<TemplateValue, String> {
    fn prompt_piece(i: &str) -> IResult<&str, &str> {
        alt((
            take_while(|c| c != '/')
                .and_then(nom::combinator::verify(rest, |s: &str| !s.is_empty())),
            nom::combinator::value("/", tag("//")),
        ))
        .parse(i)
    }
    let mut prompt = String::new();
    let mut input = text;
    while let Ok((next, piece)) = prompt_piece(input) {
        prompt.push_str(piece);
        input = next;
    }
    let value: IResult<&str, &str> = preceded(nom_char('/'), rest).parse(input);
    match value {
        Ok((_, v)) => Ok(TemplateValue {
            prompt,
            value: v.to_string(),
        }),
        Err(_) => Err("template line has no `/` between prompt and value".into()),
    }
}

/// One TPL field line `prompt~start~width~edit~data~internal`.
pub fn parse_template_field(line: &str) -> std::result::Result<TemplateField, (usize, String)> {
    let tilde_fields: IResult<&str, Vec<&str>> =
        separated_list1(nom_char('~'), take_till(|c| c == '~')).parse(line);
    let parts = match tilde_fields {
        Ok((_, parts)) => parts,
        Err(_) => vec![line],
    };
    let mut column = 1;
    let mut cols = Vec::with_capacity(parts.len());
    for p in &parts {
        cols.push(column);
        column += p.chars().count() + 1;
    }
    let number = |i: usize, what: &str| -> std::result::Result<u16, (usize, String)> {
        match parts.get(i) {
            None => Ok(0),
            Some(s) if s.trim().is_empty() => Ok(0),
            Some(s) => {
                let r: IResult<&str, &str> =
                    take_while_m_n(1, 5, |c: char| c.is_ascii_digit()).parse(s.trim());
                match r {
                    Ok(("", digits)) => digits
                        .parse::<u16>()
                        .map_err(|_| (cols[i], format!("{what} {s:?} is out of range"))),
                    _ => Err((cols[i], format!("{what} {s:?} is not a number"))),
                }
            }
        }
    };
    let text = |i: usize| parts.get(i).map(|s| s.to_string()).unwrap_or_default();
    if parts.len() > 6 {
        return Err((
            cols[6],
            "template field line has more than 6 `~` fields".into(),
        ));
    }
    Ok(TemplateField {
        prompt: text(0),
        start: number(1, "start column")?,
        width: number(2, "field width")?,
        edit: text(3),
        data: text(4),
        internal: text(5),
        written_fields: parts.len() as u8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codepage;

    fn one(text: &str) -> Operation {
        let mut ops = parse_str(text, "t.txt", 1).unwrap();
        assert_eq!(ops.len(), 1, "{ops:?}");
        ops.remove(0)
    }

    fn add(text: &str) -> Entry {
        match one(text) {
            Operation::Add(e) => e,
            other => panic!("expected A, got {other:?}"),
        }
    }

    #[test]
    fn column_layout() {
        let e = add("A Mike Sterns                     PROFS:PSSGATE/MSVM6/MSTERNS\r\n");
        assert_eq!(e.full_name, "Mike Sterns");
        assert_eq!(e.address.to_string(), "PROFS:PSSGATE/MSVM6/MSTERNS");
        assert_eq!(e.origin.position, Position::Line(1));
    }

    #[test]
    fn tab_single_space_and_space_after_type() {
        let e = add("A able is he who knows his limit\tPCM:POLYNOMIAL/MONTGOMERY/able");
        assert_eq!(e.full_name, "able is he who knows his limit");
        let e = add("A Doe, John D. SNADS:SNADSGATE/SNADSDGN/JOHNDOE");
        assert_eq!(e.full_name, "Doe, John D.");
        let e = add("A Doe, Jane B. SNADS: SNADSGATE/SNADSDGN/JANEDOE");
        assert_eq!(e.full_name, "Doe, Jane B.");
        assert_eq!(e.address.body, "SNADSGATE/SNADSDGN/JANEDOE");
    }

    #[test]
    fn names_with_colons_and_free_form_addresses() {
        let e = add("A Re: Sales Team                  SMTP:sales@example.com");
        assert_eq!(e.full_name, "Re: Sales Team");
        let e = add("A Doe                             X400:c=US;a= ;p=ACME;s=Doe");
        assert_eq!(e.address.body, "c=US;a= ;p=ACME;s=Doe");
    }

    #[test]
    fn template_data_with_escaped_slashes() {
        let e = add("A Doe, John D. SNADS:SNADSGATE/SNADSDGN/JOHNDOE\n- City//ST//Zip:/Any City, 12345\n- Phone:/\n");
        assert_eq!(
            e.template,
            vec![
                TemplateValue {
                    prompt: "City/ST/Zip:".into(),
                    value: "Any City, 12345".into()
                },
                TemplateValue {
                    prompt: "Phone:".into(),
                    value: "".into()
                },
            ]
        );
    }

    #[test]
    fn modify_delete_replace_template() {
        let text = "T SNADS:SNADSGATE/SNADSDGN\nDivision:~15~25~A~~\nPhone #:~15~23~NP\n\n\
                    R PCM:NET1/PO1\n\
                    M one2                           PCM:NET1/PO1/one2\n  PO1 User 2                     PCM:NET1/PO1/one2\n\
                    D  User1 alias                  PCM:NET1/PO1/USER1\n";
        let ops = parse_str(text, "t.txt", 1).unwrap();
        assert_eq!(ops.len(), 4);
        match &ops[0] {
            Operation::Template(def) => {
                assert_eq!(def.scope.to_string(), "SNADS:SNADSGATE/SNADSDGN");
                assert_eq!(def.fields.len(), 2);
                assert_eq!(def.fields[1].edit, "NP");
                assert_eq!(template_field_line(&def.fields[0]), "Division:~15~25~A~~");
                assert_eq!(template_field_line(&def.fields[1]), "Phone #:~15~23~NP");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&ops[1], Operation::Replace(s) if s.to_string() == "PCM:NET1/PO1"));
        match &ops[2] {
            Operation::Modify { old, new } => {
                assert_eq!(old.full_name, "one2");
                assert_eq!(new.full_name, "PO1 User 2");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&ops[3], Operation::Delete(e) if e.full_name == "User1 alias"));
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = parse_str("A ok   PCM:N/P/OK\nA no address here\n", "f.txt", 1).unwrap_err();
        assert_eq!(err.to_string(), "f.txt: line 2, column 3: no address: expected `TYPE:...` after the name (e.g. PCM:NET/PO/MAILBOX)");
        let err = parse_str("X foo PCM:N/P/X\n", "f.txt", 1).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("f.txt: line 1, column 1: unknown operation 'X'"));
        let err = parse_str("- Phone:/1\n", "f.txt", 7).unwrap_err();
        assert!(err.to_string().starts_with(
            "f.txt: line 7, column 1: template data `- prompt/value` has no A or M entry"
        ));
        let err = parse_str("M a PCM:N/P/A\n", "f.txt", 1).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        let err = decode_input(
            b"A x PCM:N/P/X\nA \xff PCM:N/P/Y",
            TextEncoding::Utf8,
            "u.txt",
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("u.txt: line 2, column 3:"),
            "{err}"
        );
    }

    #[test]
    fn modify_forms_comments_and_blank_lines() {
        // One leading blank (Q117198); blank lines between M and its next line.
        let ops = parse_str("M a   PCM:N/P/A\n\n new  PCM:N/P/B\n", "t", 1).unwrap();
        assert!(matches!(&ops[0], Operation::Modify { new, .. } if new.address.body == "N/P/B"));
        // M followed directly by template data: a template change (Q127918).
        let ops = parse_str("M a   PCM:N/P/A\n- Title:/Rep\n", "t", 1).unwrap();
        match &ops[0] {
            Operation::Modify { old, new } => {
                assert_eq!(old.address, new.address);
                assert_eq!(new.template.len(), 1);
                assert_eq!(new.origin.position, Position::Line(2));
            }
            other => panic!("{other:?}"),
        }
        // `#` comments; blank lines inside a T definition.
        let ops = parse_str("# note\nT PROFS: G/N\n\nA:~1~2~A~~\n\nB:~1~2~A~~\n", "t", 1).unwrap();
        match &ops[0] {
            Operation::Template(d) => assert_eq!(d.fields.len(), 2),
            other => panic!("{other:?}"),
        }
        let e = parse_str("M a PCM:N/P/A\nA b PCM:N/P/B\n", "t", 1).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t: line 2, column 1: expected the new name"),
            "{e}"
        );
        let e = parse_str("M a PCM:N/P/A\n", "t", 1).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t: line 1, column 1: this M line is the last"),
            "{e}"
        );
        let e = parse_str("G grp PCM:N/P/G\n", "t", 1).unwrap_err();
        assert!(e.to_string().contains("GIMPORT"), "{e}");
    }

    #[test]
    fn writer_uses_column_layout_and_cp850() {
        let mut e = Entry::new(
            "Müller, Jörg",
            Address::parse("PCM:NET/PO/MUELLER").unwrap(),
        );
        e.template.push(TemplateValue {
            prompt: "City/ST/Zip:".into(),
            value: "Köln".into(),
        });
        let mut out = Vec::new();
        write_operations(&[Operation::Add(e.clone())], &mut out).unwrap();
        let expected_text = format!(
            "A Müller, Jörg{}PCM:NET/PO/MUELLER\r\n- City//ST//Zip:/Köln\r\n",
            " ".repeat(19)
        );
        assert_eq!(out, codepage::encode_cp850(&expected_text).unwrap());
        // Column 34 holds the address.
        let first = expected_text.lines().next().unwrap();
        assert_eq!(
            first.chars().position(|c| c == 'P'),
            Some(ADDRESS_COLUMN - 1)
        );
        let back = parse_str(&codepage::decode_cp850(&out), "w", 1).unwrap();
        match &back[0] {
            Operation::Add(b) => assert!(b.same_content(&e)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn writer_refuses_non_cp850_unless_asked() {
        let e = Entry::new("Euro €", Address::parse("PCM:N/P/E").unwrap());
        let mut out = Vec::new();
        assert!(write_operations(&[Operation::Add(e.clone())], &mut out).is_err());
        out.clear();
        write_operations_with(&[Operation::Add(e)], &mut out, Unencodable::Replace).unwrap();
        assert!(out.starts_with(b"A Euro ?"));
    }

    #[test]
    fn ambiguous_addresses_are_written_with_a_tab() {
        let e = Entry::new(
            "Fax user",
            Address::parse("FAX:office tel:5551234").unwrap(),
        );
        let lines = operation_lines(&Operation::Add(e.clone()));
        assert!(lines[0].contains('\t'));
        match &parse_str(&lines.join("\n"), "w", 1).unwrap()[0] {
            Operation::Add(b) => assert_eq!(b.address, e.address),
            other => panic!("{other:?}"),
        }
    }
}
