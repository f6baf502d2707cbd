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

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while, take_while_m_n};
use nom::character::complete::{char as nom_char, one_of, space1};
use nom::combinator::{opt, rest};
use nom::multi::separated_list1;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::codepage::{self, TextEncoding};
use crate::error::{Error, Location, Result};
use crate::model::{
    is_address_type, Address, Directory, Entry, EntryKind, Operation, Origin, Position, Scope,
    TemplateDef, TemplateField, TemplateValue, MAX_FULL_NAME,
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
    let bytes = crate::output::read_input(path)?;
    let name = path.display().to_string();
    let text = decode_input(&bytes, encoding, &name)?;
    parse_str(&text, &name, 1)
}

/// Reads an import text file and applies its operations in order, streaming:
/// the result is the directory the file describes.
pub fn read_directory(path: &Path, encoding: TextEncoding) -> Result<Directory> {
    let bytes = crate::output::read_input(path)?;
    let name = path.display().to_string();
    let text = decode_input(&bytes, encoding, &name)?;
    let mut dir = Directory::new();
    // One entry per line at most: reserving up front avoids rehashing.
    dir.reserve(bytes.iter().filter(|&&b| b == b'\n').count() + 1);
    for_each_operation(&text, &name, 1, |op| {
        dir.apply(op);
    })?;
    Ok(dir)
}

pub use crate::codepage::decode_input;

/// What the line parser is in the middle of.
enum Pending {
    None,
    /// An `A` or `D` entry, waiting for template lines.
    Entry(char, Entry),
    /// An `M` line waiting for its continuation line.
    ModifyOld(Entry),
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

    fn err(&self, column: usize, message: impl Into<String>) -> Error {
        Error::input(
            self.file.to_string(),
            Location::Line {
                line: self.line_no,
                column: column as u64,
            },
            message,
        )
    }

    fn origin(&self) -> Origin {
        Origin {
            file: self.file.clone(),
            position: Position::Line(self.line_no),
        }
    }

    fn flush<F: FnMut(Operation)>(&mut self, sink: &mut F) {
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::None | Pending::ModifyOld(_) => {}
            Pending::Entry('D', e) => sink(Operation::Delete(e)),
            Pending::Entry(_, e) => sink(Operation::Add(e)),
            Pending::Modify(old, new) => sink(Operation::Modify { old, new }),
            Pending::Template(def) => sink(Operation::Template(def)),
        }
    }

    fn finish<F: FnMut(Operation)>(mut self, sink: &mut F) -> Result<()> {
        if let Pending::ModifyOld(_) = self.pending {
            return Err(self.err(1, "M line at the end of the text has no continuation line"));
        }
        self.flush(sink);
        Ok(())
    }

    fn line<F: FnMut(Operation)>(&mut self, line: &str, sink: &mut F) -> Result<()> {
        self.line_no += 1;
        // An M followed directly by template data (Q127918): the entry
        // keeps its name and address, the template lines replace its data.
        if let Pending::ModifyOld(old) = &self.pending {
            if template_data_start(line).is_ok() {
                let new = old.clone();
                if let Pending::ModifyOld(old) = std::mem::replace(&mut self.pending, Pending::None)
                {
                    self.pending = Pending::Modify(old, new);
                }
            }
        }
        // The continuation line of an M: columns 1-2 blank.
        if let Pending::ModifyOld(_) = self.pending {
            let Some(body) = strip_two_blanks(line) else {
                return Err(self.err(
                    1,
                    "the line after an M line must give the new name and address, \
                     with columns 1-2 blank",
                ));
            };
            let new = self.entry_from(body, 3)?;
            if let Pending::ModifyOld(old) = std::mem::replace(&mut self.pending, Pending::None) {
                self.pending = Pending::Modify(old, new);
            }
            return Ok(());
        }
        if line.trim().is_empty() {
            if let Pending::Template(_) = self.pending {
                self.flush(sink);
            }
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
                _ => Err(self.err(
                    1,
                    "template line (`- prompt/value`) has no A or M entry above it",
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
        let (body, op) = op_line(line).map_err(|_| {
            let first = line.chars().next().unwrap_or(' ');
            if "ADMRTadmrt".contains(first) {
                self.err(
                    2,
                    format!("column 2 after the op letter {first:?} must be blank"),
                )
            } else {
                self.err(
                    1,
                    format!(
                        "unknown operation {first:?}: expected A, D, M, R, T or `- ` template data"
                    ),
                )
            }
        })?;
        self.flush(sink);
        let body_col = line.len() - body.len() + 1;
        match op.to_ascii_uppercase() {
            'A' => self.pending = Pending::Entry('A', self.entry_from(body, body_col)?),
            'D' => self.pending = Pending::Entry('D', self.entry_from(body, body_col)?),
            'M' => self.pending = Pending::ModifyOld(self.entry_from(body, body_col)?),
            'R' => {
                let scope = Scope::parse(body).map_err(|e| self.err(body_col, e.0))?;
                sink(Operation::Replace(scope));
            }
            _ => {
                let scope = Scope::parse(body).map_err(|e| self.err(body_col, e.0))?;
                self.pending = Pending::Template(TemplateDef {
                    scope,
                    fields: Vec::new(),
                });
            }
        }
        Ok(())
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
        let address = Address::parse(addr).map_err(|e| self.err(addr_col, e.0))?;
        if address.body.trim().is_empty() {
            return Err(self.err(addr_col, "address has nothing after `TYPE:`"));
        }
        Ok(Entry {
            full_name: name.to_string(),
            address,
            kind: EntryKind::User,
            template: Vec::new(),
            origin: self.origin(),
        })
    }
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

/// Two blanks (spaces or a TAB) at the start of an M continuation line.
fn strip_two_blanks(line: &str) -> Option<&str> {
    let r: IResult<&str, &str> = alt((tag("\t"), take_while_m_n(2, 2, |c| c == ' '))).parse(line);
    r.ok().map(|(rest, _)| rest)
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

/// Writes one TPL field line, reproducing the number of `~` fields the line
/// was read with where the trailing fields are empty (never dropping a
/// non-empty field). Used for `T` definitions and TPL files alike.
pub fn template_field_line(f: &TemplateField) -> String {
    let all = [
        f.prompt.clone(),
        f.start.to_string(),
        f.width.to_string(),
        f.edit.clone(),
        f.data.clone(),
        f.internal.clone(),
    ];
    let needed = all.iter().rposition(|s| !s.is_empty()).map_or(1, |p| p + 1);
    let n = if f.written_fields == 0 {
        6
    } else {
        usize::from(f.written_fields).clamp(needed, 6)
    };
    all.get(..n).unwrap_or(&all).join("~")
}

/// Does the text contain something the last-` TYPE:` rule would take for the
/// start of an address?
fn looks_like_address_start(text: &str) -> bool {
    address_start(text).is_some_and(|p| p > 0) || text.contains('\t')
}

/// Refuses entries the import format cannot carry: line breaks anywhere, a TAB
/// in the name or address, a template value starting with `/` (it would read
/// back as part of the prompt).
fn check_representable(entry: &Entry) -> Result<()> {
    let bad = |what: &str, text: &str| {
        Err(Error::Unrepresentable(format!(
            "{}: {what} {text:?} cannot be written in an import file",
            entry.address
        )))
    };
    let breaks = |s: &str| s.contains(['\r', '\n']);
    if breaks(&entry.full_name) || entry.full_name.contains('\t') {
        return bad("full name", &entry.full_name);
    }
    if breaks(&entry.address.body) || entry.address.body.contains('\t') {
        return bad("address", &entry.address.body);
    }
    for tv in &entry.template {
        if breaks(&tv.prompt) || breaks(&tv.value) || tv.value.starts_with('/') {
            return bad("template value", &format!("{}/{}", tv.prompt, tv.value));
        }
    }
    Ok(())
}

/// One `name address` field in column layout: the name padded to 30 characters,
/// the address at column 34 (relative to the op columns). A TAB separates them
/// instead when the address text would otherwise be split elsewhere on reading.
fn name_address(entry: &Entry) -> String {
    let addr = entry.address.to_string();
    let name = &entry.full_name;
    let ambiguous = looks_like_address_start(&entry.address.body)
        || name.ends_with(':')
        || entry.address.type_name.len() < 2;
    if ambiguous {
        return format!("{name}\t{addr}");
    }
    let len = name.chars().count();
    let pad = (MAX_FULL_NAME + 1).saturating_sub(len).max(1);
    let mut s = String::with_capacity(name.len() + pad + addr.len());
    s.push_str(name);
    s.extend(std::iter::repeat_n(' ', pad));
    s.push_str(&addr);
    s
}

/// The template data line for one value (`- prompt/value`, `/` doubled in the prompt).
pub fn template_value_line(tv: &TemplateValue) -> String {
    format!("- {}/{}", tv.prompt.replace('/', "//"), tv.value)
}

/// The lines (without line ends) that express one operation in column layout.
pub fn operation_lines(op: &Operation) -> Vec<String> {
    let mut out = Vec::new();
    match op {
        Operation::Add(e) | Operation::Delete(e) => {
            out.push(format!("{} {}", op.letter(), name_address(e)));
            out.extend(e.template.iter().map(template_value_line));
        }
        Operation::Modify { old, new } => {
            out.push(format!("M {}", name_address(old)));
            // Same name and address with template data: the Q127918 form,
            // `M` followed directly by the template lines that replace the
            // entry's template data.
            let template_only = old.key() == new.key()
                && old.full_name == new.full_name
                && !new.template.is_empty();
            if !template_only {
                out.push(format!("  {}", name_address(new)));
            }
            out.extend(new.template.iter().map(template_value_line));
        }
        Operation::Replace(scope) => out.push(format!("R {scope}")),
        Operation::Template(def) => {
            out.push(format!("T {}", def.scope));
            out.extend(def.fields.iter().map(template_field_line));
        }
    }
    out
}

/// What a writer should do with text CP850 cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unencodable {
    /// Refuse: return `Error::Unrepresentable` naming the character and line.
    #[default]
    Refuse,
    /// Replace each such character by `?` (only when the user asked for it).
    Replace,
}

/// Encodes lines as CP850 with CR LF line ends.
fn write_lines(lines: &[String], w: &mut dyn Write, policy: Unencodable) -> Result<()> {
    for line in lines {
        let bytes = match codepage::encode_cp850(line) {
            Ok(b) => b,
            Err((_, ch)) if policy == Unencodable::Refuse => {
                return Err(Error::Unrepresentable(format!(
                    "character {ch:?} (U+{:04X}) in {line:?} has no CP850 code; \
                     ask for replacement to write it as `?`",
                    ch as u32
                )))
            }
            Err(_) => codepage::encode_cp850_lossy(line),
        };
        w.write_all(&bytes)
            .and_then(|_| w.write_all(b"\r\n"))
            .map_err(|e| Error::output("<import text>", e.to_string()))?;
    }
    Ok(())
}

/// Writes operations as an import file: column layout, CP850, CR LF.
pub fn write_operations(ops: &[Operation], w: &mut dyn Write) -> Result<()> {
    write_operations_with(ops, w, Unencodable::Refuse)
}

/// Like [`write_operations`], with an explicit policy for non-CP850 text.
pub fn write_operations_with(
    ops: &[Operation],
    w: &mut dyn Write,
    policy: Unencodable,
) -> Result<()> {
    for op in ops {
        match op {
            Operation::Add(e) | Operation::Delete(e) => check_representable(e)?,
            Operation::Modify { old, new } => {
                check_representable(old)?;
                check_representable(new)?;
            }
            _ => {}
        }
        write_lines(&operation_lines(op), w, policy)?;
    }
    Ok(())
}

/// Writes a whole directory as an import file (`T` definitions sorted by scope,
/// then one `A` per entry in [`Directory::sorted`] order).
pub fn write_directory(dir: &Directory, w: &mut dyn Write) -> Result<()> {
    write_directory_with(dir, w, Unencodable::Refuse)
}

/// Like [`write_directory`], with an explicit policy for non-CP850 text.
pub fn write_directory_with(dir: &Directory, w: &mut dyn Write, policy: Unencodable) -> Result<()> {
    for def in dir.templates.values() {
        write_lines(
            &operation_lines(&Operation::Template(def.clone())),
            w,
            policy,
        )?;
    }
    let mut lines = Vec::with_capacity(4);
    for e in dir.sorted() {
        check_representable(e)?;
        lines.clear();
        lines.push(format!("A {}", name_address(e)));
        lines.extend(e.template.iter().map(template_value_line));
        write_lines(&lines, w, policy)?;
    }
    Ok(())
}

/// Writes a full export of one scope as Dir-Sync writes it: `R scope`, then one
/// `A` per entry of that scope.
pub fn write_scope_export(dir: &Directory, scope: &Scope, w: &mut dyn Write) -> Result<()> {
    write_lines(&[format!("R {scope}")], w, Unencodable::Refuse)?;
    for e in dir.in_scope(scope) {
        check_representable(e)?;
        write_lines(
            &operation_lines(&Operation::Add(e.clone())),
            w,
            Unencodable::Refuse,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(err
            .to_string()
            .starts_with("f.txt: line 7, column 1: template line"));
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
