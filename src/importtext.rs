//! The MS Mail import text format (formats-text.md §1): IMPORT.EXE input files,
//! `IMPORT -X` extracts, and the text inside every Dir-Sync transaction.
//! Reader (nom) and writer (column layout, CP850, CR LF) side by side.

use std::io::Write;

use crate::codepage::TextEncoding;
use crate::error::Result;
use crate::model::{Directory, Operation};

/// Parses import text (already decoded) into operations. `file` names the
/// source in errors and origins; `first_line` is the 1-based number of the
/// first line of `text` inside that file.
pub fn parse_str(text: &str, file: &str, first_line: u64) -> Result<Vec<Operation>> {
    let _ = (text, file, first_line);
    Err(crate::Error::Usage(
        "import text parser not implemented yet".into(),
    ))
}

/// Reads an import text file from disk in the given encoding.
pub fn read_path(path: &std::path::Path, encoding: TextEncoding) -> Result<Vec<Operation>> {
    let _ = (path, encoding);
    Err(crate::Error::Usage(
        "import text parser not implemented yet".into(),
    ))
}

/// The lines (without line ends) that express one operation in column layout.
pub fn operation_lines(op: &Operation) -> Vec<String> {
    let _ = op;
    Vec::new()
}

/// Writes operations as an import file: column layout, CP850, CR LF.
pub fn write_operations(ops: &[Operation], w: &mut dyn Write) -> Result<()> {
    let _ = (ops, w);
    Ok(())
}

/// Writes a whole directory as an import file (`T` definitions, then one `A`
/// per entry in sorted order).
pub fn write_directory(dir: &Directory, w: &mut dyn Write) -> Result<()> {
    let _ = (dir, w);
    Ok(())
}
