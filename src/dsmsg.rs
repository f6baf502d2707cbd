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
use std::io::Write;
use std::path::Path;

use nom::branch::alt;
use nom::bytes::complete::{tag_no_case, take_while1};
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::opt;
use nom::{IResult, Parser};
use serde::Serialize;

use crate::codepage::{decode_cp850, decode_text, encode_cp850, TextEncoding};
use crate::error::{Error, Location, Result};
use crate::model::{Directory, Entry, Operation, Scope};

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

type NomErr<'a> = nom::error::Error<&'a str>;

/// `[NAME]` with optional blanks around.
fn section_line(i: &str) -> IResult<&str, &str> {
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
    let bytes = crate::output::read_input(path)?;
    parse_message_bytes(&bytes, &path.display().to_string(), encoding)
}

// ---------------------------------------------------------------------------
// Writer

fn encode_line(w: &mut dyn Write, line: &str) -> Result<()> {
    let bytes = encode_cp850(line).map_err(|(i, c)| {
        Error::Unrepresentable(format!(
            "character {c:?} (position {}) of {line:?} is not in code page 850",
            i + 1
        ))
    })?;
    w.write_all(&bytes)
        .and_then(|_| w.write_all(b"\r\n"))
        .map_err(|e| Error::output("<message>", e.to_string()))
}

/// Writes a message: headers, separator, `[DIRSYNC]` keys as stored, then
/// `[DIRSYNC-TRANSACTIONS]` with each transaction's first line prefixed by its
/// ten-digit sync number. CP850, CR LF. Other sections follow.
pub fn write_message(msg: &DirSyncMessage, w: &mut dyn Write) -> Result<()> {
    for h in &msg.headers {
        // An empty value is written `Priority:`, as Q118298 prints it.
        if h.value.is_empty() {
            encode_line(w, &format!("{}:", h.name))?;
        } else {
            encode_line(w, &format!("{}: {}", h.name, h.value))?;
        }
    }
    if let Some(s) = &msg.separator {
        encode_line(w, s)?;
    }
    encode_line(w, "[DIRSYNC]")?;
    for kv in &msg.keys {
        encode_line(w, &format!("{}={}", kv.key, kv.value))?;
    }
    if msg.has_transactions_section || !msg.transactions.is_empty() {
        encode_line(w, "")?;
        encode_line(w, "[DIRSYNC-TRANSACTIONS]")?;
        for t in &msg.transactions {
            let mut first = true;
            for op in &t.operations {
                for line in crate::importtext::operation_lines(op) {
                    match (first, t.sync) {
                        (true, Some(s)) => encode_line(w, &format!("{s:010} {line}"))?,
                        _ => encode_line(w, &line)?,
                    }
                    first = false;
                }
            }
        }
    }
    for s in &msg.other_sections {
        encode_line(w, "")?;
        encode_line(w, &format!("[{}]", s.name))?;
        for l in &s.lines {
            encode_line(w, l)?;
        }
    }
    Ok(())
}

/// The mail envelope of a Dir-Sync message a requestor sends: the header
/// lines Q118298 prints (`From`, `To`, `Subject`, `Date`, `Priority`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Envelope {
    /// The Dir-Sync server (`PCM:NET/PO`); `To:` is its `NET/PO/$SYSTEM`.
    /// `None` leaves `To:` out.
    pub server: Option<Scope>,
    /// `From:`; empty = the requestor's own `NET/PO/$SYSTEM`.
    pub from: String,
    /// `Date:` as written (`1994-04-04 09:12`, Q118298); empty writes `Date:`.
    pub date: String,
}

impl Envelope {
    /// An envelope to the server's `$SYSTEM`, from the requestor's, with the
    /// date given (deterministic output: no clock is read).
    pub fn to_server(server: &Scope, date: impl Into<String>) -> Envelope {
        Envelope {
            server: Some(server.clone()),
            from: String::new(),
            date: date.into(),
        }
    }
}

/// `NET/PO/$SYSTEM` of a `PCM:NET/PO` scope (the body for other scopes).
fn system_mailbox(scope: &Scope) -> String {
    match scope.network_postoffice() {
        Some((net, po)) => format!("{net}/{po}/$SYSTEM"),
        None => format!("{}/$SYSTEM", scope.body),
    }
}

/// The `Date:` text of a `time32` (postoffice local time): `1994-04-04 09:12`,
/// the form Q118298 prints.
pub fn envelope_date(t: u32) -> String {
    let t = i64::from(t);
    let (y, mo, d) = crate::dirsync::civil_from_days(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02} {:02}:{:02}",
        secs / 3600,
        secs / 60 % 60
    )
}

/// Builds the EXPORT message a requestor sends for `scope`, shaped like
/// Q118298: `From:`, `To: <server NET/PO>/$SYSTEM`, `Subject: Directory
/// Exchange Profile`, `Date:`, `Priority:`, a 59-dash separator; then
/// `TASK=EXPORT`, `REQNAME=`, the numbers given, `TRANSACTIONS=INBODY`, and
/// `R <scope>` plus one `A` per entry (with its template lines), numbered
/// from REQSEQ + 1.
pub fn export_message(
    scope: &Scope,
    entries: &[&Entry],
    numbers: MessageNumbers,
    envelope: &Envelope,
) -> DirSyncMessage {
    let mut line = 0u64;
    let mut next = || {
        line += 1;
        line
    };
    let mut headers = Vec::new();
    let mut header = |name: &str, value: String| {
        headers.push(Header {
            name: name.into(),
            value,
            line: next(),
        })
    };
    let from = if envelope.from.is_empty() {
        system_mailbox(scope)
    } else {
        envelope.from.clone()
    };
    header("From", from);
    if let Some(server) = &envelope.server {
        header("To", system_mailbox(server));
    }
    header("Subject", "Directory Exchange Profile".into());
    header("Date", envelope.date.clone());
    header("Priority", String::new());
    let mut line = headers.len() as u64;
    let mut next = || {
        line += 1;
        line
    };
    let separator = Some("-".repeat(59));
    next();
    next(); // [DIRSYNC]
    let mut keys = vec![
        ("TASK", "EXPORT".to_string()),
        ("REQNAME", scope.to_string()),
    ];
    for (k, v) in [
        ("REQSEQ", numbers.reqseq),
        ("SRVSEQ", numbers.srvseq),
        ("IMPSEQ", numbers.impseq),
    ] {
        if let Some(v) = v {
            keys.push((k, format!("{v:010}")));
        }
    }
    keys.push(("TRANSACTIONS", "INBODY".into()));
    let keys: Vec<KeyValue> = keys
        .into_iter()
        .map(|(k, v)| KeyValue {
            key: k.into(),
            value: v,
            line: next(),
        })
        .collect();
    let mut sync = numbers.reqseq.unwrap_or(0);
    let mut transactions = Vec::with_capacity(entries.len() + 1);
    sync = sync.saturating_add(1);
    transactions.push(MessageTransaction {
        sync: Some(sync),
        operations: vec![Operation::Replace(scope.clone())],
        line: 0,
    });
    for e in entries {
        sync = sync.saturating_add(1);
        transactions.push(MessageTransaction {
            sync: Some(sync),
            operations: vec![Operation::Add((*e).clone())],
            line: 0,
        });
    }
    DirSyncMessage {
        headers,
        separator,
        keys,
        task: Some(Task::Export),
        name: Some(scope.to_string()),
        types: Vec::new(),
        template: None,
        numbers,
        transactions_mode: Some(TransactionsMode::InBody),
        has_dirsync_section: true,
        has_transactions_section: true,
        transactions,
        other_sections: Vec::new(),
        loose_lines: Vec::new(),
    }
}

/// Writes the EXPORT message for `scope` and `entries` (see [`export_message`]).
pub fn write_export_message(
    scope: &Scope,
    entries: &[&Entry],
    numbers: MessageNumbers,
    envelope: &Envelope,
    w: &mut dyn Write,
) -> Result<()> {
    write_message(&export_message(scope, entries, numbers, envelope), w)
}

// ---------------------------------------------------------------------------
// Subject lines

/// Requestor update or server reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TxKind {
    /// `ReqTx`: requestor → server.
    ReqTx,
    /// `SrvTx`: server → requestor.
    SrvTx,
}

/// The numbers of a `ReqTx` / `SrvTx` subject line. Fields the line does not
/// carry are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TxSubject {
    /// Which direction.
    pub kind: TxKind,
    /// `R=`: ReqSync now (ReqTx) or acknowledged (SrvTx).
    pub r: Option<u32>,
    /// `(was n)` after R: ReqSync last confirmed.
    pub r_was: Option<u32>,
    /// `S=`: the requestor's SrvSync (ReqTx) or the new SrvSync (SrvTx).
    pub s: Option<u32>,
    /// `(was n)` after S: the old SrvSync.
    pub s_was: Option<u32>,
    /// `I=`: imports requested so far.
    pub i: Option<u32>,
    /// `<n> sent`: transactions carried.
    pub sent: Option<u32>,
}

/// A recognised Dir-Sync subject line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Subject {
    /// `$SYSTEM ReqTx ...` / `$SYSTEM SrvTx ...` / `REQTX ...`.
    Tx(TxSubject),
    /// `Status report from NET/PO`.
    StatusReport {
        /// The postoffice named.
        postoffice: String,
    },
}

enum Tok {
    Key(char, u32),
    Was(u32),
    Sent(u32),
}

fn number(i: &str) -> IResult<&str, u32> {
    nom::combinator::map_res(digit1, str::parse::<u32>).parse(i)
}

fn subject_token(i: &str) -> IResult<&str, Tok> {
    alt((
        (
            char('('),
            space0,
            tag_no_case("was"),
            space0,
            opt(char('=')),
            space0,
            number,
            space0,
            char(')'),
        )
            .map(|t| Tok::Was(t.6)),
        (
            alt((
                char('R'),
                char('r'),
                char('S'),
                char('s'),
                char('I'),
                char('i'),
            )),
            space0,
            char('='),
            space0,
            number,
        )
            .map(|t| Tok::Key(t.0.to_ascii_uppercase(), t.4)),
        (number, space1, tag_no_case("sent")).map(|t| Tok::Sent(t.0)),
    ))
    .parse(i)
}

/// Recognises the subject of a Dir-Sync mail. Spacing around `=`, `,` and the
/// parentheses is free; `.`/`,`/`;` between fields are skipped.
pub fn parse_subject(s: &str) -> Option<Subject> {
    let t = s.trim();
    let (t, _) = opt((tag_no_case::<_, _, NomErr>("$SYSTEM"), space1))
        .parse(t)
        .ok()?;
    let status: IResult<&str, _> = (
        tag_no_case("Status"),
        space1,
        tag_no_case("report"),
        space1,
        tag_no_case("from"),
        space1,
    )
        .parse(t);
    if let Ok((rest, _)) = status {
        let po = rest.trim();
        return (!po.is_empty()).then(|| Subject::StatusReport {
            postoffice: po.to_string(),
        });
    }
    let kind: IResult<&str, TxKind> = alt((
        tag_no_case("ReqTx").map(|_| TxKind::ReqTx),
        tag_no_case("SrvTx").map(|_| TxKind::SrvTx),
    ))
    .parse(t);
    let (mut rest, kind) = kind.ok()?;
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut out = TxSubject {
        kind,
        r: None,
        r_was: None,
        s: None,
        s_was: None,
        i: None,
        sent: None,
    };
    let mut last = ' ';
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',', '.', ';']);
        if rest.is_empty() {
            break;
        }
        let (r, tok) = subject_token(rest).ok()?;
        rest = r;
        match tok {
            Tok::Key(k, v) => {
                last = k;
                match k {
                    'R' => out.r = Some(v),
                    'S' => out.s = Some(v),
                    _ => out.i = Some(v),
                }
            }
            Tok::Was(v) => match last {
                'R' => out.r_was = Some(v),
                'S' => out.s_was = Some(v),
                _ => return None,
            },
            Tok::Sent(v) => out.sent = Some(v),
        }
    }
    out.r?;
    Some(Subject::Tx(out))
}

impl std::fmt::Display for Subject {
    /// The modern spelling: `$SYSTEM ReqTx R=17 (was 12), S = 80, I = 2 5 sent`,
    /// `$SYSTEM SrvTx R=17 S=95 (was 80) I = 2 15 sent`, `Status report from NET/PO`.
    /// Fields that are `None` are left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = match self {
            Subject::StatusReport { postoffice } => {
                return write!(f, "Status report from {postoffice}")
            }
            Subject::Tx(t) => t,
        };
        let mut parts: Vec<String> = Vec::new();
        let was = |v: Option<u32>| v.map(|v| format!(" (was {v})")).unwrap_or_default();
        match t.kind {
            TxKind::ReqTx => {
                f.write_str("$SYSTEM ReqTx")?;
                if let Some(r) = t.r {
                    parts.push(format!("R={r}{}", was(t.r_was)));
                }
                if let Some(s) = t.s {
                    parts.push(format!("S = {s}{}", was(t.s_was)));
                }
                if let Some(i) = t.i {
                    parts.push(format!("I = {i}"));
                }
                if !parts.is_empty() {
                    write!(f, " {}", parts.join(", "))?;
                }
            }
            TxKind::SrvTx => {
                f.write_str("$SYSTEM SrvTx")?;
                if let Some(r) = t.r {
                    write!(f, " R={r}{}", was(t.r_was))?;
                }
                if let Some(s) = t.s {
                    write!(f, " S={s}{}", was(t.s_was))?;
                }
                if let Some(i) = t.i {
                    write!(f, " I = {i}")?;
                }
            }
        }
        if let Some(n) = t.sent {
            write!(f, " {n} sent")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Recognition

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
    let head = bytes.get(..SNIFF_LIMIT).unwrap_or(bytes);
    if let Some(at) = head.iter().position(|&b| b == 0) {
        return Error::input(
            file,
            Location::Offset(at as u64),
            format!("binary content (a NUL byte) that is no MS Mail file msmail knows: {expected}"),
        );
    }
    let text = decode_cp850(head);
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
