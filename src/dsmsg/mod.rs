//! `[DIRSYNC]` messages (formats-text.md §2), the subject lines of Dir-Sync mail,
//! and recognition of the Dir-Sync text files ([`sniff_text`]).
//!
//! A message is: mail header lines (`From:`, `To:`, `Subject:`, ...), a dashed
//! separator, then INI sections. `[DIRSYNC]` holds `KEY=value` lines (keys and
//! enum values case-insensitive); `[DIRSYNC-TRANSACTIONS]` holds transactions,
//! each a sync number and an import-file line whose op letter may be missing
//! (then it is `A`). The import line itself is parsed by
//! [`crate::importtext::parse_str`]; this module only frames it.

use std::borrow::Cow;
use std::path::Path;

use nom::bytes::complete::take_while1;
use nom::character::complete::{char, digit1, space0, space1};
use nom::{IResult, Parser};
use serde::Serialize;

use crate::codepage::TextEncoding;
use crate::error::{Error, Location, Result};
use crate::model::{Directory, Operation, Scope};

mod sniff;
mod subject;
pub mod views;
mod writer;

pub use sniff::{looks_like_message, sniff_text, unrecognised, TextFileKind};
pub use subject::{parse_subject, Subject, TxKind, TxSubject};
pub use writer::{envelope_date, export_message, write_export_message, write_message, Envelope};

/// One mail header line (`Subject: Directory Exchange Profile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// Header name as written (`From`, `TO`).
    pub name: String,
    /// Value, trimmed (continuation lines joined with one space).
    pub value: String,
    /// 1-based line number.
    pub line: u64,
}

/// One `KEY=value` line of the `[DIRSYNC]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    /// Key as written (`TASK`, `reqname`).
    pub key: String,
    /// Value, trimmed.
    pub value: String,
    /// 1-based line number.
    pub line: u64,
}

/// A section other than `[DIRSYNC]` and `[DIRSYNC-TRANSACTIONS]`, kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Name between the brackets, as written.
    pub name: String,
    /// 1-based line number of the `[name]` line.
    pub line: u64,
    /// The section's non-blank lines, verbatim.
    pub lines: Vec<String>,
}

/// The `TASK=` of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Task {
    /// `EXPORT`: a requestor's full list.
    Export,
    /// `UPDATE`: changes.
    Update,
    /// `IMPORTREQ`: asks the server for its whole list.
    ImportReq,
    /// `IMPORTREPLY`: the server's answer to an import request.
    ImportReply,
    /// Any other value, verbatim.
    Other(String),
}

impl Task {
    /// Reads a TASK value (case-insensitive).
    pub fn parse(v: &str) -> Task {
        match v.trim().to_ascii_uppercase().as_str() {
            "EXPORT" => Task::Export,
            "UPDATE" => Task::Update,
            "IMPORTREQ" => Task::ImportReq,
            "IMPORTREPLY" => Task::ImportReply,
            _ => Task::Other(v.trim().to_string()),
        }
    }

    /// The canonical spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Task::Export => "EXPORT",
            Task::Update => "UPDATE",
            Task::ImportReq => "IMPORTREQ",
            Task::ImportReply => "IMPORTREPLY",
            Task::Other(s) => s,
        }
    }
}

/// `TRANSACTIONS=INBODY|INATTACHMENT` (Q123857).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TransactionsMode {
    /// Transactions in the message body.
    InBody,
    /// Transactions in an attached file (TMPTRANS.GLB).
    InAttachment,
}

/// The sync numbers a message states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MessageNumbers {
    /// `REQSEQ=`: the requestor's ReqSync when it wrote the message.
    pub reqseq: Option<u32>,
    /// `SRVSEQ=`: the requestor's SrvSync when it wrote the message.
    pub srvseq: Option<u32>,
    /// `IMPSEQ=`: imports requested.
    pub impseq: Option<u32>,
}

/// One transaction of `[DIRSYNC-TRANSACTIONS]`: its sync number and operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageTransaction {
    /// The sync number, when the line has one.
    pub sync: Option<u32>,
    /// The operation(s) the line (and its template/continuation lines) carry.
    pub operations: Vec<Operation>,
    /// 1-based line number of the transaction's first line.
    pub line: u64,
}

/// A transaction as framed, before its import text is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTransaction<'a> {
    /// The sync number, when the line has one.
    pub sync: Option<u32>,
    /// 1-based line number of the first line.
    pub line: u64,
    /// Import text: the first line with the number removed and `A ` supplied
    /// when the op letter was missing, then its continuation lines.
    pub text: Cow<'a, str>,
    /// How many characters of the original first line were removed (number
    /// and blanks) before `text` starts, minus any supplied `A `.
    pub column_shift: i64,
}

/// A parsed `[DIRSYNC]` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirSyncMessage {
    /// Mail header lines in order (unknown names kept).
    pub headers: Vec<Header>,
    /// The dashed separator line as written, if there is one.
    pub separator: Option<String>,
    /// Every `[DIRSYNC]` key in order, as written.
    pub keys: Vec<KeyValue>,
    /// `TASK=`.
    pub task: Option<Task>,
    /// `NAME=` or `REQNAME=` (the requestor), verbatim.
    pub name: Option<String>,
    /// `TYPES=`, split at `|`.
    pub types: Vec<String>,
    /// `TEMPLATE=YES|NO`.
    pub template: Option<bool>,
    /// `SRVSEQ=`, `REQSEQ=`, `IMPSEQ=`.
    pub numbers: MessageNumbers,
    /// `TRANSACTIONS=`.
    pub transactions_mode: Option<TransactionsMode>,
    /// Whether a `[DIRSYNC]` section was present. Without one the file is a
    /// transaction attachment (TMPTRANS.GLB as Q118298 prints it): a text that
    /// starts with `[DIRSYNC-TRANSACTIONS]` (Q96004).
    pub has_dirsync_section: bool,
    /// Whether a `[DIRSYNC-TRANSACTIONS]` section was present.
    pub has_transactions_section: bool,
    /// The transactions in order.
    pub transactions: Vec<MessageTransaction>,
    /// Other sections, verbatim.
    pub other_sections: Vec<Section>,
    /// Non-blank lines after the separator that belong to no section.
    pub loose_lines: Vec<(u64, String)>,
}

impl DirSyncMessage {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The `Subject:` header read as a Dir-Sync subject line, if it is one.
    pub fn subject(&self) -> Option<Subject> {
        self.header("Subject").and_then(parse_subject)
    }

    /// The numbers the message states.
    pub fn numbers(&self) -> MessageNumbers {
        self.numbers
    }

    /// The requestor scope from `NAME=`/`REQNAME=` (`PCM:NET/PO`), if it parses.
    pub fn requestor(&self) -> Option<Scope> {
        self.name.as_deref().and_then(|n| Scope::parse(n).ok())
    }

    /// All operations in order.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.transactions.iter().flat_map(|t| t.operations.iter())
    }

    /// The directory the transactions build, applied in order.
    pub fn to_directory(&self) -> Directory {
        let mut d = Directory::new();
        d.reserve(self.transactions.len());
        for op in self.operations() {
            d.apply(op.clone());
        }
        d
    }

    /// Like [`DirSyncMessage::to_directory`], consuming the message (no copies).
    pub fn into_directory(self) -> Directory {
        let mut d = Directory::new();
        d.reserve(self.transactions.len());
        for t in self.transactions {
            for op in t.operations {
                d.apply(op);
            }
        }
        d
    }
}

// ---------------------------------------------------------------------------
// Line grammar (nom)

pub(crate) type NomErr<'a> = nom::error::Error<&'a str>;

/// `[NAME]` with optional blanks around.
pub(crate) fn section_line(i: &str) -> IResult<&str, &str> {
    let (i, (_, _, name, _, _)) = (
        space0,
        char('['),
        take_while1(|c: char| c != ']' && c != '['),
        char(']'),
        space0,
    )
        .parse(i)?;
    if !i.is_empty() {
        return Err(nom::Err::Error(NomErr::new(i, nom::error::ErrorKind::Eof)));
    }
    Ok((i, name.trim()))
}

/// A dashed separator: three or more `-`, nothing else.
fn separator_line(i: &str) -> bool {
    let t = i.trim();
    t.len() >= 3 && t.bytes().all(|b| b == b'-')
}

/// `Name: value`.
fn header_line(i: &str) -> IResult<&str, (&str, &str)> {
    let (rest, (name, _, _)) = (
        take_while1(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        space0,
        char(':'),
    )
        .parse(i)?;
    Ok(("", (name, rest.trim())))
}

/// `KEY = value`.
fn key_line(i: &str) -> IResult<&str, (&str, &str)> {
    let (rest, (_, key, _, _)) = (
        space0,
        take_while1(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'),
        space0,
        char('='),
    )
        .parse(i)?;
    Ok(("", (key, rest.trim())))
}

/// Sync number and the blanks after it: `0000000645 `.
fn sync_prefix(i: &str) -> IResult<&str, &str> {
    let (rest, (digits, _)) = (digit1, space1).parse(i)?;
    Ok((rest, digits))
}

/// An import op letter at the start, either case as the import parser reads
/// them: `A `, `D `, `M `, `R `, `T ` (or the letter alone).
fn has_op_letter(i: &str) -> bool {
    let mut it = i.chars();
    matches!(
        it.next(),
        Some('A' | 'D' | 'M' | 'R' | 'T' | 'a' | 'd' | 'm' | 'r' | 't')
    ) && matches!(it.next(), None | Some(' ' | '\t'))
}

fn err_at(file: &str, line: u64, text: &str, byte: usize, msg: impl Into<String>) -> Error {
    let column = text.get(..byte).map_or(1, |s| s.chars().count() as u64 + 1);
    Error::input(file, Location::Line { line, column }, msg)
}

fn parse_seq(file: &str, kv: &KeyValue, raw_line: &str) -> Result<u32> {
    let col = raw_line.find(kv.value.as_str()).unwrap_or(0);
    if kv.value.is_empty() || !kv.value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err_at(
            file,
            kv.line,
            raw_line,
            col,
            format!("{} must be a decimal number, not {:?}", kv.key, kv.value),
        ));
    }
    kv.value.parse::<u32>().map_err(|_| {
        err_at(
            file,
            kv.line,
            raw_line,
            col,
            format!("{} {} is too large", kv.key, kv.value),
        )
    })
}

#[derive(PartialEq)]
enum State {
    Headers,
    Body,
    DirSync,
    Transactions,
    Other,
}

/// Frames the message (headers, keys, transactions as raw import text) without
/// parsing the import lines.
pub fn frame_message<'a>(
    text: &'a str,
    file: &str,
) -> Result<(DirSyncMessage, Vec<RawTransaction<'a>>)> {
    let mut raws = Vec::new();
    let msg = frame_with(text, file, |r| {
        raws.push(r);
        Ok(())
    })?;
    Ok((msg, raws))
}

/// Frames the message, handing each transaction to `sink` as soon as it is
/// complete (so a million transactions are never all held as text).
pub fn frame_with<'a, F>(text: &'a str, file: &str, mut sink: F) -> Result<DirSyncMessage>
where
    F: FnMut(RawTransaction<'a>) -> Result<()>,
{
    let mut msg = DirSyncMessage {
        headers: Vec::new(),
        separator: None,
        keys: Vec::new(),
        task: None,
        name: None,
        types: Vec::new(),
        template: None,
        numbers: MessageNumbers::default(),
        transactions_mode: None,
        has_dirsync_section: false,
        has_transactions_section: false,
        transactions: Vec::new(),
        other_sections: Vec::new(),
        loose_lines: Vec::new(),
    };
    let mut current: Option<RawTransaction<'a>> = None;
    let mut pending_blank = 0usize;
    let mut saw_dirsync = false;
    // The first section line, and whether anything came before it.
    let mut first_section: Option<(String, bool)> = None;
    let mut seen_content = false;
    let mut state = State::Headers;
    let mut raw_key_lines: Vec<&str> = Vec::new();

    for (idx, l) in text.lines().enumerate() {
        let n = idx as u64 + 1;
        let l = l.strip_suffix('\r').unwrap_or(l);
        let l = if n == 1 {
            l.strip_prefix('\u{feff}').unwrap_or(l)
        } else {
            l
        };
        if let Ok((_, name)) = section_line(l) {
            if first_section.is_none() {
                first_section = Some((name.to_ascii_uppercase(), seen_content));
            }
            if let Some(r) = current.take() {
                sink(r)?;
            }
            if name.eq_ignore_ascii_case("DIRSYNC") {
                state = State::DirSync;
                saw_dirsync = true;
            } else if name.eq_ignore_ascii_case("DIRSYNC-TRANSACTIONS") {
                state = State::Transactions;
                msg.has_transactions_section = true;
            } else {
                state = State::Other;
                msg.other_sections.push(Section {
                    name: name.to_string(),
                    line: n,
                    lines: Vec::new(),
                });
            }
            continue;
        }
        let blank = l.trim().is_empty();
        seen_content |= !blank;
        match state {
            State::Headers => {
                if blank {
                    // A blank line after headers ends them (mail convention).
                    if !msg.headers.is_empty() {
                        state = State::Body;
                    }
                    continue;
                }
                if separator_line(l) {
                    msg.separator = Some(l.trim_end().to_string());
                    state = State::Body;
                } else if l.starts_with([' ', '\t']) && !msg.headers.is_empty() {
                    if let Some(h) = msg.headers.last_mut() {
                        if !h.value.is_empty() {
                            h.value.push(' ');
                        }
                        h.value.push_str(l.trim());
                    }
                } else if let Ok((_, (name, value))) = header_line(l) {
                    msg.headers.push(Header {
                        name: name.to_string(),
                        value: value.to_string(),
                        line: n,
                    });
                } else {
                    return Err(err_at(
                        file,
                        n,
                        l,
                        0,
                        "expected a header line `Name: value`, a dashed separator or [DIRSYNC]",
                    ));
                }
            }
            State::Body => {
                if !blank {
                    msg.loose_lines.push((n, l.to_string()));
                }
            }
            State::Other => {
                if !blank {
                    if let Some(s) = msg.other_sections.last_mut() {
                        s.lines.push(l.to_string());
                    }
                }
            }
            State::DirSync => {
                let t = l.trim_start();
                if blank || t.starts_with(';') {
                    continue;
                }
                match key_line(l) {
                    Ok((_, (key, value))) => {
                        msg.keys.push(KeyValue {
                            key: key.to_string(),
                            value: value.to_string(),
                            line: n,
                        });
                        raw_key_lines.push(l);
                    }
                    Err(_) => {
                        let col = l.len() - t.len();
                        return Err(err_at(file, n, l, col, "expected KEY=VALUE in [DIRSYNC]"));
                    }
                }
            }
            State::Transactions => {
                if blank {
                    if current.is_some() {
                        pending_blank += 1;
                    }
                    continue;
                }
                if let Ok((rest, digits)) = sync_prefix(l) {
                    let sync = digits.parse::<u32>().map_err(|_| {
                        err_at(file, n, l, 0, format!("sync number {digits} is too large"))
                    })?;
                    let prefix = l.len() - rest.len();
                    let (text, shift) = if has_op_letter(rest) {
                        (Cow::Borrowed(rest), prefix as i64)
                    } else {
                        (Cow::Owned(format!("A {rest}")), prefix as i64 - 2)
                    };
                    if let Some(r) = current.replace(RawTransaction {
                        sync: Some(sync),
                        line: n,
                        text,
                        column_shift: shift,
                    }) {
                        sink(r)?;
                    }
                    pending_blank = 0;
                } else if l.starts_with(|c: char| c.is_ascii_digit()) {
                    return Err(err_at(
                        file,
                        n,
                        l,
                        l.find(|c: char| !c.is_ascii_digit()).unwrap_or(l.len()),
                        "expected a blank after the sync number",
                    ));
                } else if has_op_letter(l) {
                    if let Some(r) = current.replace(RawTransaction {
                        sync: None,
                        line: n,
                        text: Cow::Borrowed(l),
                        column_shift: 0,
                    }) {
                        sink(r)?;
                    }
                    pending_blank = 0;
                } else if let Some(r) = current.as_mut() {
                    let t = r.text.to_mut();
                    for _ in 0..pending_blank {
                        t.push('\n');
                    }
                    pending_blank = 0;
                    t.push('\n');
                    t.push_str(l);
                } else {
                    return Err(err_at(
                        file,
                        n,
                        l,
                        0,
                        "expected a transaction: sync number, then an import line",
                    ));
                }
            }
        }
    }
    if let Some(r) = current.take() {
        sink(r)?;
    }
    let attachment = matches!(&first_section, Some((n, false)) if n == "DIRSYNC-TRANSACTIONS");
    if !saw_dirsync && !attachment {
        return Err(Error::input(
            file,
            Location::File,
            "no [DIRSYNC] section: expected a Dir-Sync message (mail headers, a dashed line, \
             then [DIRSYNC], Q118298) or a transaction attachment whose first line is \
             [DIRSYNC-TRANSACTIONS] (Q96004)",
        ));
    }
    msg.has_dirsync_section = saw_dirsync;
    // Interpret the keys; later duplicates win.
    for (kv, raw) in msg.keys.iter().zip(raw_key_lines.iter()) {
        let v = kv.value.as_str();
        let col = raw.find(v).unwrap_or(0);
        match kv.key.to_ascii_uppercase().as_str() {
            "TASK" => msg.task = Some(Task::parse(v)),
            "NAME" | "REQNAME" => msg.name = Some(v.to_string()),
            "TYPES" => {
                msg.types = v
                    .split('|')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            "TEMPLATE" => {
                msg.template = Some(match v.to_ascii_uppercase().as_str() {
                    "YES" => true,
                    "NO" => false,
                    _ => {
                        return Err(err_at(
                            file,
                            kv.line,
                            raw,
                            col,
                            format!("TEMPLATE must be YES or NO, not {v:?}"),
                        ))
                    }
                })
            }
            "SRVSEQ" => msg.numbers.srvseq = Some(parse_seq(file, kv, raw)?),
            "REQSEQ" => msg.numbers.reqseq = Some(parse_seq(file, kv, raw)?),
            "IMPSEQ" => msg.numbers.impseq = Some(parse_seq(file, kv, raw)?),
            "TRANSACTIONS" => {
                msg.transactions_mode = Some(match v.to_ascii_uppercase().as_str() {
                    "INBODY" => TransactionsMode::InBody,
                    "INATTACHMENT" => TransactionsMode::InAttachment,
                    _ => {
                        return Err(err_at(
                            file,
                            kv.line,
                            raw,
                            col,
                            format!("TRANSACTIONS must be INBODY or INATTACHMENT, not {v:?}"),
                        ))
                    }
                })
            }
            _ => {}
        }
    }
    Ok(msg)
}

/// Parses one framed transaction's import text. Errors on its first line get
/// their column moved back to the original line's columns.
pub fn parse_raw_transaction(raw: &RawTransaction, file: &str) -> Result<MessageTransaction> {
    match crate::importtext::parse_str(&raw.text, file, raw.line) {
        Ok(operations) => Ok(MessageTransaction {
            sync: raw.sync,
            operations,
            line: raw.line,
        }),
        Err(Error::Input {
            file,
            location: Location::Line { line, column },
            message,
        }) if line == raw.line => {
            let column = (column as i64 + raw.column_shift).max(1) as u64;
            Err(Error::Input {
                file,
                location: Location::Line { line, column },
                message,
            })
        }
        Err(e) => Err(e),
    }
}

/// Parses a decoded `[DIRSYNC]` message. `file` names the source in errors and
/// entry origins.
pub fn parse_message(text: &str, file: &str) -> Result<DirSyncMessage> {
    let mut transactions = Vec::new();
    let mut msg = frame_with(text, file, |r| {
        transactions.push(parse_raw_transaction(&r, file)?);
        Ok(())
    })?;
    msg.transactions = transactions;
    Ok(msg)
}

/// Decodes bytes (CP850 by default; BOMs honoured) and parses the message.
pub fn parse_message_bytes(
    bytes: &[u8],
    file: &str,
    encoding: TextEncoding,
) -> Result<DirSyncMessage> {
    let text = crate::codepage::decode_input(bytes, encoding, file)?;
    parse_message(&text, file)
}

/// Reads a message file (read-only).
pub fn read_message(path: &Path, encoding: TextEncoding) -> Result<DirSyncMessage> {
    let bytes = crate::input::read_input(path)?;
    parse_message_bytes(&bytes, &path.display().to_string(), encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q118298: &str = "From: Network Manager\r\nTo: NETWORK/POSTOFFICE/$SYSTEM\r\n\
Subject: Directory Exchange Profile\r\nDate: 1994-04-04 09:12\r\nPriority:\r\n\
-----------------------------------------------------------\r\n[DIRSYNC]\r\nTASK=IMPORTREQ\r\n\
NAME=PCM:MACNET/MACPO\r\nTYPES=PCM|CSI|profs\r\nTEMPLATE=NO\r\nSRVSEQ=0000000644\r\n\
TRANSACTIONS=INATTACHMENT\r\n\r\n[DIRSYNC-TRANSACTIONS]\r\n\
0000000645 User Number 1                    PCM:NETWORK/POSTOFFICE/USER1\r\n\
- Phone:/(206) 635-7022\r\n- FAX:/(206) 635-7022\r\n\
0000000647 User Number 2                    PCM:NETWORK/POSTOFFICE/USER2\r\n\
- Phone:/(206) 635-7022\r\n";

    #[test]
    fn frames_headers_keys_and_transactions() {
        let (m, raws) = frame_message(Q118298, "MSG.TXT").unwrap();
        assert_eq!(m.headers.len(), 5);
        assert_eq!(m.header("subject"), Some("Directory Exchange Profile"));
        assert_eq!(m.header("Priority"), Some(""));
        assert_eq!(m.subject(), None);
        assert_eq!(m.task, Some(Task::ImportReq));
        assert_eq!(m.requestor(), Some(Scope::postoffice("MACNET", "MACPO")));
        assert_eq!(m.types, vec!["PCM", "CSI", "profs"]);
        assert_eq!(m.template, Some(false));
        assert_eq!(m.numbers().srvseq, Some(644));
        assert_eq!(m.numbers().reqseq, None);
        assert_eq!(m.transactions_mode, Some(TransactionsMode::InAttachment));
        assert_eq!(raws.len(), 2);
        assert_eq!(raws[0].sync, Some(645));
        assert_eq!(raws[0].line, 16);
        assert!(raws[0].text.starts_with("A User Number 1   "));
        assert!(raws[0].text.ends_with("\n- FAX:/(206) 635-7022"));
        assert_eq!(raws[0].column_shift, 9);
        assert_eq!(raws[1].sync, Some(647));
    }

    #[test]
    fn ffapi_form_lowercase_keys_and_op_letter() {
        let t = "[dirsync]\ntask=export\nreqname=PCM:net/po\ntransactions=inbody\n\n\
                 [dirsync-transactions]\n1200 A Martin, Robert PCM:net/po/rmartin\n";
        let (m, raws) = frame_message(t, "F").unwrap();
        assert_eq!(m.task, Some(Task::Export));
        assert_eq!(m.name.as_deref(), Some("PCM:net/po"));
        assert_eq!(m.transactions_mode, Some(TransactionsMode::InBody));
        assert_eq!(raws[0].sync, Some(1200));
        assert_eq!(raws[0].text, "A Martin, Robert PCM:net/po/rmartin");
        assert_eq!(raws[0].line, 7);
        let (_, raws) = frame_message(
            "[DIRSYNC-TRANSACTIONS]\n7 d Gone PCM:n/p/g\n8 Al Bundy PCM:n/p/al\n[DIRSYNC]\n",
            "F",
        )
        .unwrap();
        assert_eq!(raws[0].text, "d Gone PCM:n/p/g");
        assert_eq!(raws[1].text, "A Al Bundy PCM:n/p/al");
        let (m, _) = frame_message("[DIRSYNC]\nTASK=Frobnicate\n", "F").unwrap();
        assert_eq!(m.task, Some(Task::Other("Frobnicate".into())));
    }

    #[test]
    fn framing_errors_name_line_and_column() {
        let e = frame_message("[DIRSYNC]\nSRVSEQ=12x\n", "M").unwrap_err();
        assert_eq!(
            e.to_string(),
            "M: line 2, column 8: SRVSEQ must be a decimal number, not \"12x\""
        );
        let e = frame_message("[DIRSYNC]\nTEMPLATE=MAYBE\n", "M").unwrap_err();
        assert!(e.to_string().contains("line 2, column 10"), "{e}");
        let e = frame_message("[DIRSYNC]\n  no equals here\n", "M").unwrap_err();
        assert!(e.to_string().contains("line 2, column 3"), "{e}");
        let e = frame_message(
            "[DIRSYNC]\n[DIRSYNC-TRANSACTIONS]\n99999999999 A x PCM:a/b/c\n",
            "M",
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 3, column 1"), "{e}");
        let e = frame_message("[DIRSYNC-TRANSACTIONS]\n- Phone:/1\n", "M").unwrap_err();
        assert!(e.to_string().contains("line 2, column 1"), "{e}");
        let e = frame_message("From: x\nnot a header\n[DIRSYNC]\n", "M").unwrap_err();
        assert!(e.to_string().contains("line 2, column 1"), "{e}");
        let e = frame_message("From: x\n", "M").unwrap_err();
        assert!(e.to_string().contains("no [DIRSYNC] section"), "{e}");
    }

    #[test]
    fn continuation_lines_keep_line_numbers() {
        let t = "[DIRSYNC]\n[DIRSYNC-TRANSACTIONS]\n0000000003 M Old Name PCM:N/P/OLD\n  New Name PCM:N/P/NEW\n\n- Phone:/1\n\n0000000004 D X PCM:N/P/X\n";
        let (_, raws) = frame_message(t, "M").unwrap();
        assert_eq!(raws.len(), 2);
        assert_eq!(
            raws[0].text,
            "M Old Name PCM:N/P/OLD\n  New Name PCM:N/P/NEW\n\n- Phone:/1"
        );
        assert_eq!(raws[1].line, 8);
    }

    #[test]
    fn subjects() {
        assert_eq!(
            parse_subject("$SYSTEM ReqTx R=17 (was 12), S = 80, I = 2 5 sent"),
            Some(Subject::Tx(TxSubject {
                kind: TxKind::ReqTx,
                r: Some(17),
                r_was: Some(12),
                s: Some(80),
                s_was: None,
                i: Some(2),
                sent: Some(5)
            }))
        );
        assert_eq!(
            parse_subject("$SYSTEM SrvTx R=17 S=95 (was 80) I = 2 15 sent"),
            Some(Subject::Tx(TxSubject {
                kind: TxKind::SrvTx,
                r: Some(17),
                r_was: None,
                s: Some(95),
                s_was: Some(80),
                i: Some(2),
                sent: Some(15)
            }))
        );
        assert_eq!(
            parse_subject("REQTX R=30(was 25)....5 sent"),
            Some(Subject::Tx(TxSubject {
                kind: TxKind::ReqTx,
                r: Some(30),
                r_was: Some(25),
                s: None,
                s_was: None,
                i: None,
                sent: Some(5)
            }))
        );
        let Some(Subject::Tx(t)) = parse_subject("$system reqtx r = 3 ( was 1 ) ,s=4,i=0  2 sent")
        else {
            panic!("lenient spelling not recognised");
        };
        assert_eq!(
            (t.r, t.r_was, t.s, t.i, t.sent),
            (Some(3), Some(1), Some(4), Some(0), Some(2))
        );
        assert_eq!(
            parse_subject("Status report from NET/PO"),
            Some(Subject::StatusReport {
                postoffice: "NET/PO".into()
            })
        );
        assert_eq!(parse_subject("Lunch on Friday"), None);
        assert_eq!(parse_subject("$SYSTEM ReqTx banana"), None);
        assert_eq!(parse_subject("ReqTxx R=1"), None);
    }

    #[test]
    fn subject_display_is_the_kb_spelling() {
        for s in [
            "$SYSTEM ReqTx R=17 (was 12), S = 80, I = 2 5 sent",
            "$SYSTEM SrvTx R=17 S=95 (was 80) I = 2 15 sent",
            "Status report from NET/PO",
        ] {
            assert_eq!(parse_subject(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn blank_line_ends_headers() {
        let (m, _) = frame_message("From: a\n\nsome words\n[DIRSYNC]\nTASK=UPDATE\n", "M").unwrap();
        assert_eq!(m.loose_lines, vec![(3, "some words".to_string())]);
        assert_eq!(m.task, Some(Task::Update));
    }

    #[test]
    fn sniffing() {
        assert_eq!(
            sniff_text("MSG.TXT", Q118298.as_bytes()),
            Some(TextFileKind::DirSyncMessage)
        );
        assert_eq!(
            sniff_text("DIRSYNC.LOG", b"03/22/94 15:43:25 | Status  x\r\n"),
            Some(TextFileKind::Log)
        );
        assert_eq!(
            sniff_text("x", b"T1 Sat 13:45\r\nT3 Mon 15:00\r\n"),
            Some(TextFileKind::Schedule)
        );
        // By content, never by name: a DISPATCH.LOG name alone decides nothing.
        assert_eq!(sniff_text("some/DISPATCH.LOG", b"whatever\r\n"), None);
        assert_eq!(
            sniff_text("x", b"INST1 02/02/96 13:18 Running NSDA -RT\r\n"),
            Some(TextFileKind::DispatchLog)
        );
        assert_eq!(
            sniff_text(
                "TMPTRANS.GLB",
                b"[DIRSYNC-TRANSACTIONS]\r\n1 A x PCM:N/P/X\r\n"
            ),
            Some(TextFileKind::DirSyncMessage)
        );
        assert_eq!(
            sniff_text("a.txt", b"A Doe, John PCM:N/P/JD\r\n"),
            Some(TextFileKind::ImportText)
        );
        assert_eq!(sniff_text("a.txt", b"hello\r\n"), None);
        assert_eq!(sniff_text("a.bin", b"\0\0\x01"), None);
    }

    proptest::proptest! {
        #[test]
        fn framing_and_subjects_never_panic(s in "\\PC*") {
            let _ = frame_message(&s, "x");
            let _ = parse_subject(&s);
            let _ = sniff_text("x", s.as_bytes());
        }

        #[test]
        fn message_like_text_never_panics(
            body in proptest::collection::vec("(\\[DIRSYNC\\]|\\[DIRSYNC-TRANSACTIONS\\]|[A-Za-z]{1,8}=[0-9A-Z|:/]{0,12}|[0-9]{1,12} [A-Z]? ?[a-z ]{0,8}|- [a-z:/]{0,6}|-{3,5}| [a-z]{0,4}|)", 0..12)
        ) {
            let _ = frame_message(&body.join("\n"), "x");
        }

        #[test]
        fn subjects_round_trip(
            srv in proptest::bool::ANY,
            r in 0u32..1_000_000, r_was in proptest::option::of(0u32..1_000_000),
            s in proptest::option::of(0u32..1_000_000), s_was in proptest::option::of(0u32..1_000_000),
            i in proptest::option::of(0u32..100), sent in proptest::option::of(0u32..100_000),
        ) {
            let t = TxSubject {
                kind: if srv { TxKind::SrvTx } else { TxKind::ReqTx },
                r: Some(r), r_was, s, s_was: if s.is_some() { s_was } else { None }, i, sent,
            };
            let text = Subject::Tx(t).to_string();
            proptest::prop_assert_eq!(parse_subject(&text), Some(Subject::Tx(t)), "{}", text);
        }

        #[test]
        fn subject_like_text_never_panics(s in "(\\$SYSTEM )?(ReqTx|SrvTx|REQTX) ?([RSI] ?= ?[0-9]{1,12}|\\( ?was ?[0-9]{0,12}\\)|[0-9]{1,3} sent|[ ,.]){0,8}") {
            let _ = parse_subject(&s);
        }
    }
}
