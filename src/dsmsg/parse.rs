//! The message parser: the line grammar (nom), framing a message into header
//! lines, `[DIRSYNC]` keys and raw transactions ([`frame_with`]), and the
//! public entry points that parse whole messages ([`parse_message`],
//! [`read_message`]).

use std::borrow::Cow;
use std::path::Path;

use nom::bytes::complete::take_while1;
use nom::character::complete::{char, digit1, space0, space1};
use nom::{IResult, Parser};

use crate::codepage::TextEncoding;
use crate::error::{Error, Location, Result};

use super::{
    DirSyncMessage, Header, KeyValue, MessageNumbers, MessageTransaction, RawTransaction, Section,
    Task, TransactionsMode,
};

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
