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

use crate::codepage::TextEncoding;
use crate::error::Result;
use crate::model::{Directory, Operation};

/// Column (1-based) where the address starts in the column layout (Q104869, Q131151).
pub const ADDRESS_COLUMN: usize = 34;

/// Parses import text (already decoded) into operations. `file` names the
/// source in errors and origins; `first_line` is the 1-based number of the
/// first line of `text` inside that file.
pub fn parse_str(text: &str, file: &str, first_line: u64) -> Result<Vec<Operation>> {
    // Room for every operation at once: growing a vector of large values by
    // doubling copied each one about twice (a million-entry run's evidence).
    let mut ops = Vec::with_capacity(operation_line_count(text));
    for_each_operation(text, file, first_line, |op| ops.push(op))?;
    Ok(ops)
}

/// How many lines of `text` start with an operation letter (`A D M R T`,
/// either case): at least the number of operations it holds, never more
/// than its lines.
fn operation_line_count(text: &str) -> usize {
    let is_op = |b: &u8| b"ADMRTadmrt".contains(b);
    let first = usize::from(text.as_bytes().first().is_some_and(is_op));
    first
        + text
            .as_bytes()
            .windows(2)
            .filter(|w| w[0] == b'\n' && is_op(&w[1]))
            .count()
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

mod fields;
mod parser;
mod writer;

use fields::op_line;
pub use fields::{address_start, parse_template_field, split_name_address};
use parser::LineParser;

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

#[cfg(test)]
mod tests;
