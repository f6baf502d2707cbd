//! Recognition of the text files msmail reads, by content only
//! ([`sniff_text`]), and the refusal that says what was expected
//! ([`unrecognised`]).

use serde::Serialize;

use super::section_line;
use crate::codepage::{decode_cp850, decode_text, TextEncoding};
use crate::error::{Error, Location};

/// The text files this module, [`crate::logs`] and [`crate::importtext`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextFileKind {
    /// A `[DIRSYNC]` message, or a transaction attachment that starts with
    /// `[DIRSYNC-TRANSACTIONS]` (TMPTRANS.GLB, Q118298, Q96004).
    DirSyncMessage,
    /// DIRSYNC.LOG / DSSERVER.LOG / CENTRAL.LOG, stamped or as printed on the screen.
    Log,
    /// DISPATCH.LOG.
    DispatchLog,
    /// A DSSCHED time file.
    Schedule,
    /// An import text file (IMPORT.EXE input, `IMPORT -X` extract).
    ImportText,
}

impl TextFileKind {
    /// A short name for messages and JSON (`dirsync-message`, `log`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TextFileKind::DirSyncMessage => "dirsync-message",
            TextFileKind::Log => "log",
            TextFileKind::DispatchLog => "dispatch-log",
            TextFileKind::Schedule => "dssched",
            TextFileKind::ImportText => "import-text",
        }
    }
}

/// Bytes looked at when sniffing.
const SNIFF_LIMIT: usize = 64 * 1024;

/// The decoded head of a file for sniffing, `None` when it holds a NUL byte.
fn sniff_head(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..SNIFF_LIMIT).unwrap_or(bytes);
    let text = match decode_text(head, TextEncoding::Cp850) {
        Ok(t) => t.into_owned(),
        Err(_) => decode_cp850(head).into_owned(),
    };
    (!text.contains('\0')).then_some(text)
}

/// Does the text start (first non-blank line) with `[DIRSYNC-TRANSACTIONS]`
/// or hold a `[DIRSYNC]` section line?
pub fn looks_like_message(text: &str) -> bool {
    let mut first = true;
    for l in text.lines() {
        let l = l.trim_end_matches('\r').trim_start_matches('\u{feff}');
        if l.trim().is_empty() {
            continue;
        }
        if let Ok((_, n)) = section_line(l) {
            if n.eq_ignore_ascii_case("DIRSYNC")
                || (first && n.eq_ignore_ascii_case("DIRSYNC-TRANSACTIONS"))
            {
                return true;
            }
        }
        first = false;
    }
    false
}

/// Tells which text file `bytes` hold, from their content only (the name is
/// not looked at: a TMPTRANS.GLB attachment is text, Q118298). `None` when it
/// is none of them.
///
/// Order: a `[DIRSYNC]` section (or a first line `[DIRSYNC-TRANSACTIONS]`) is
/// a message; lines that are all DSSCHED times a schedule; a Dispatch line
/// (`Running NSDA`, `... exit code`, `missed its run window`, `Checking the
/// process table`) a DISPATCH.LOG unless the first line is a log record with
/// a level (a DIRSYNC.LOG may mention a missed run window, Q96060); a first
/// line that is a log record (stamped or console form) a log; a first line
/// that is an import operation or `#` comment import text.
pub fn sniff_text(_file_name: &str, bytes: &[u8]) -> Option<TextFileKind> {
    let text = sniff_head(bytes)?;
    if looks_like_message(&text) {
        return Some(TextFileKind::DirSyncMessage);
    }
    if crate::logs::looks_like_schedule(&text) {
        return Some(TextFileKind::Schedule);
    }
    let log = crate::logs::looks_like_log(&text);
    if crate::logs::looks_like_dispatch(&text) && !crate::logs::first_record_has_level(&text) {
        return Some(TextFileKind::DispatchLog);
    }
    if log {
        return Some(TextFileKind::Log);
    }
    if crate::importtext::looks_like_import_text(&text) {
        return Some(TextFileKind::ImportText);
    }
    None
}

/// The refusal for content that is none of the files msmail reads: names the
/// first non-blank line (or the first NUL byte) and says what was expected there.
pub fn unrecognised(file: &str, bytes: &[u8]) -> Error {
    let expected = "expected one of: a Dir-Sync message ([DIRSYNC] section) or attachment \
                    (first line [DIRSYNC-TRANSACTIONS]); a log line `M/D/YY HH:MM[:SS] | level \
                    text` or `Status|Warning|Error|Fatal [code] text`; a DISPATCH.LOG line \
                    (`INST1 M/D/YY HH:MM Running NSDA -RT`); a DSSCHED time `T<x> <Day> \
                    <HH>:<MM>`; import text (`A name TYPE:address`, `#` comment); or an MS \
                    Mail binary file known by its name and size";
    // UTF-16 announces itself with a byte-order mark: its NUL bytes are text,
    // and text that does not decode is said in the encoding tried.
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if utf16 {
        if let Err(e) = crate::codepage::decode_input(bytes, TextEncoding::Cp850, file) {
            return e;
        }
    }
    let head = bytes.get(..SNIFF_LIMIT).unwrap_or(bytes);
    if let Some(at) = head.iter().position(|&b| b == 0).filter(|_| !utf16) {
        return Error::input(
            file,
            Location::Offset(at as u64),
            format!("binary content (a NUL byte) that is no MS Mail file msmail knows: {expected}"),
        );
    }
    let text = match utf16 {
        true => decode_text(bytes, TextEncoding::Cp850).unwrap_or_else(|_| decode_cp850(head)),
        false => decode_cp850(head),
    };
    match text.lines().enumerate().find(|(_, l)| !l.trim().is_empty()) {
        Some((i, l)) => {
            let col = l.len() - l.trim_start().len();
            let shown: String = l.trim().chars().take(40).collect();
            Error::input(
                file,
                Location::Line {
                    line: i as u64 + 1,
                    column: col as u64 + 1,
                },
                format!("{shown:?} starts no file msmail reads: {expected}"),
            )
        }
        None => Error::input(
            file,
            Location::File,
            format!("the file is empty or blank: {expected}"),
        ),
    }
}
