//! The CSV reader: the nom field and record parsers, header sniffing
//! ([`looks_like_msmail_csv`]) and [`read_csv`] for msmail's own and the
//! Exchange profile, with the members cell split back.

use super::{exchange, unguard, TEMPLATE_PREFIX};
use crate::codepage::line_column;
use crate::error::{Error, Location, Result};
use crate::model::{Address, Directory, Entry, EntryKind, Origin, Position, TemplateValue};
use nom::bytes::complete::{tag, take_while};
use nom::IResult;
use std::borrow::Cow;
use std::sync::Arc;

/// Splits a `members` cell written by [`join_members`](super::join_members).
pub fn split_members(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ';' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() || !out.is_empty() {
        out.push(cur);
    }
    out.into_iter().filter(|m| !m.trim().is_empty()).collect()
}

// ---------------------------------------------------------------- reader

/// A quoted field: `"..."` with `""` for a quote. Returns the unescaped text.
pub(super) fn quoted(input: &str) -> IResult<&str, Cow<'_, str>> {
    let (mut input, _) = tag("\"")(input)?;
    let mut out: Option<String> = None;
    loop {
        let (rest, chunk) = take_while(|c| c != '"')(input)?;
        if let Some(r) = rest.strip_prefix("\"\"") {
            out.get_or_insert_with(String::new).push_str(chunk);
            if let Some(o) = out.as_mut() {
                o.push('"');
            }
            input = r;
        } else if let Some(r) = rest.strip_prefix('"') {
            return Ok(match out {
                Some(mut o) => {
                    o.push_str(chunk);
                    (r, Cow::Owned(o))
                }
                None => (r, Cow::Borrowed(chunk)),
            });
        } else {
            return Err(nom::Err::Failure(nom::error::Error::new(
                rest,
                nom::error::ErrorKind::Char,
            )));
        }
    }
}

pub(super) fn unquoted(input: &str) -> IResult<&str, Cow<'_, str>> {
    let (rest, s) = take_while(|c| c != ',' && c != '"' && c != '\r' && c != '\n')(input)?;
    Ok((rest, Cow::Borrowed(s)))
}

/// The fields of one record, each with its byte offset.
pub(crate) type Fields<'a> = Vec<(usize, Cow<'a, str>)>;

/// One CSV record: fields with their byte offsets into `whole`; `Err` is the
/// byte offset of the problem.
pub(crate) fn record<'a>(
    whole: &'a str,
    input: &'a str,
) -> std::result::Result<(&'a str, Fields<'a>), usize> {
    let mut fields = Vec::new();
    let rest = record_into(whole, input, &mut fields)?;
    Ok((rest, fields))
}

/// [`record`] into `fields` (cleared first), for a reader that reuses one
/// vector for every record of a file.
pub(crate) fn record_into<'a>(
    whole: &'a str,
    input: &'a str,
    fields: &mut Fields<'a>,
) -> std::result::Result<&'a str, usize> {
    fields.clear();
    let mut input = input;
    loop {
        let start = whole.len() - input.len();
        let parsed = if input.starts_with('"') {
            quoted(input)
        } else {
            unquoted(input)
        };
        let (rest, f) = parsed.map_err(|_| start)?;
        fields.push((start, f));
        if let Some(r) = rest.strip_prefix(',') {
            input = r;
            continue;
        }
        if let Some(r) = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
        {
            return Ok(r);
        }
        if rest.is_empty() {
            return Ok(rest);
        }
        return Err(whole.len() - rest.len());
    }
}

/// Does `head` (the start of a file) begin with the header row of a CSV
/// msmail writes: `Obj-Class,...` (Exchange profile) or a row whose cells
/// include `full_name` and `address` (default profile, personal lists)?
pub fn looks_like_msmail_csv(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let end = head
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(head.len());
    let Ok(line) = std::str::from_utf8(head.get(..end).unwrap_or_default()) else {
        return false;
    };
    let cells: Vec<&str> = line
        .split(',')
        .map(|c| unguard(c.trim_matches('"')))
        .collect();
    if cells
        .first()
        .is_some_and(|c| c.eq_ignore_ascii_case("Obj-Class"))
    {
        return cells.iter().any(|c| c.eq_ignore_ascii_case("Display-Name"));
    }
    cells.contains(&"full_name") && cells.contains(&"address")
}

/// Reads a CSV msmail wrote (default or Exchange profile, the latter known by
/// its `Obj-Class` first column) back into a directory. Default profile:
/// columns are found by header name; unknown columns (`owner`, derived ones)
/// are ignored; empty template cells mean "no value"; a group's `members`
/// cell gives its members. `file` names the source in errors, which carry
/// line and column.
pub fn read_csv(bytes: &[u8], file: &str) -> Result<Directory> {
    let at = |off: usize, msg: String| {
        let (line, column) = line_column(bytes, off);
        Error::input(file, Location::Line { line, column }, msg)
    };
    let (text, skip) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(b) => (b, 3),
        None => (bytes, 0),
    };
    let text =
        std::str::from_utf8(text).map_err(|e| at(skip + e.valid_up_to(), "not UTF-8".into()))?;
    let off = |o: usize| o + skip;
    let (mut input, header) =
        record(text, text).map_err(|o| at(off(o), "bad CSV header".into()))?;
    if header
        .first()
        .is_some_and(|(_, h)| unguard(h).eq_ignore_ascii_case("Obj-Class"))
    {
        return exchange::read_exchange(text, input, &header, &at, skip, file);
    }
    let col = |name: &str| header.iter().position(|(_, h)| unguard(h) == name);
    let c_name = col("full_name").ok_or_else(|| at(skip, "no full_name column".into()))?;
    let c_addr = col("address").ok_or_else(|| at(skip, "no address column".into()))?;
    let c_kind = col("kind");
    let c_members = col("members");
    let mut tcols: Vec<(usize, String)> = Vec::new();
    for (i, (_, h)) in header.iter().enumerate() {
        let h = unguard(h);
        if let Some(rest) = h.strip_prefix(TEMPLATE_PREFIX) {
            let prompt = match rest.strip_prefix(':') {
                Some(p) => Some(p),
                None => rest
                    .strip_prefix('#')
                    .and_then(|r| r.split_once(':'))
                    .filter(|(n, _)| n.parse::<usize>().is_ok())
                    .map(|(_, p)| p),
            };
            if let Some(p) = prompt {
                tcols.push((i, p.to_string()));
            }
        }
    }
    let origin_file: Arc<str> = Arc::from(file);
    let mut dir = Directory::new();
    // At most one entry per line: reserving up front saves growing (and
    // copying) the entry table a few dozen times on a big file.
    dir.reserve(text.bytes().filter(|&b| b == b'\n').count() + 1);
    let mut lines = crate::codepage::LineTracker::new();
    let mut fields: Fields<'_> = Vec::with_capacity(header.len());
    while !input.is_empty() {
        let rec_start = text.len() - input.len();
        input = record_into(text, input, &mut fields)
            .map_err(|o| at(off(o), "bad CSV field".into()))?;
        if fields.len() == 1 && fields.first().is_some_and(|(_, f)| f.is_empty()) {
            continue; // blank line
        }
        if fields.len() != header.len() {
            return Err(at(
                off(rec_start),
                format!("{} fields, header has {}", fields.len(), header.len()),
            ));
        }
        let cell = |i: usize| fields.get(i).map(|(o, f)| (*o, unguard(f)));
        let (_, name) = cell(c_name).unwrap_or((rec_start, ""));
        let (aoff, atext) = cell(c_addr).unwrap_or((rec_start, ""));
        let address = Address::parse(atext).map_err(|e| at(off(aoff), e.to_string()))?;
        let kind = match c_kind.and_then(cell) {
            None | Some((_, "user")) => EntryKind::User,
            Some((_, "group")) => EntryKind::Group,
            Some((o, k)) => return Err(at(off(o), format!("kind {k:?} is not user or group"))),
        };
        let template = tcols
            .iter()
            .filter_map(|(i, p)| {
                cell(*i)
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(_, v)| TemplateValue {
                        prompt: crate::model::Prompt::intern(p),
                        value: v.into(),
                    })
            })
            .collect();
        let line = lines.line_at(bytes, off(rec_start));
        if kind == EntryKind::Group {
            if let Some((moff, cell)) = c_members.and_then(cell) {
                let mut members = Vec::new();
                for m in split_members(cell) {
                    members.push(
                        Address::parse(&m)
                            .map_err(|e| at(off(moff), format!("member {m:?}: {e}")))?,
                    );
                }
                if !members.is_empty() {
                    dir.set_members(&address.key(), members);
                }
            }
        }
        dir.upsert(Entry {
            full_name: name.into(),
            address,
            kind,
            template,
            origin: Origin {
                file: origin_file.clone(),
                position: Position::Line(line),
            },
        });
    }
    Ok(dir)
}
