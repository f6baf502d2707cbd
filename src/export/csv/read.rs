//! The CSV reader: the nom field and record parsers, header sniffing
//! ([`looks_like_msmail_csv`]) and [`read_csv`] for msmail's own and the
//! Exchange profile, with the members cell split back.

use super::{exchange, unguard, TEMPLATE_PREFIX};
use crate::codepage::line_column;
use crate::error::{Error, Location, Result};
use crate::model::{
    Address, AddressKey, Directory, Entry, EntryKind, Origin, Position, TemplateValue,
};
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
    read_csv_in_chunks(bytes, file, CHUNK_BYTES)
}

/// [`read_csv`] with records read `chunk_bytes` at a time on each core (the
/// answer does not depend on it).
fn read_csv_in_chunks(bytes: &[u8], file: &str, chunk_bytes: usize) -> Result<Directory> {
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
    let (input, header) = record(text, text).map_err(|o| at(off(o), "bad CSV header".into()))?;
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
    let columns = Columns {
        name: c_name,
        address: c_addr,
        kind: c_kind,
        members: c_members,
        templates: tcols,
        count: header.len(),
    };
    let body_start = text.len() - input.len();
    read_default_rows(bytes, text, body_start, skip, &columns, file, chunk_bytes)
}

/// Where the default profile's columns are (by header position).
struct Columns {
    name: usize,
    address: usize,
    kind: Option<usize>,
    members: Option<usize>,
    /// Template columns: position and prompt.
    templates: Vec<(usize, String)>,
    /// Number of columns (every record must have them all).
    count: usize,
}

/// One record of the default profile, read: its key, its entry (the line in
/// its origin) and, for a group with a `members` cell, its members.
type Row = (AddressKey, Entry, Option<Vec<Address>>);

/// Bytes of records one core reads at a time.
const CHUNK_BYTES: usize = 1 << 20;
/// Chunks read at once (on every core) while the ones before are inserted.
const CHUNKS_AT_ONCE: usize = 16;

/// The records after the header (`text[body_start..]`): cut into chunks at
/// record boundaries ([`chunks_of_records`]), each chunk read on any core, the
/// rows inserted in file order (a later row with the same address replaces
/// the earlier one in its place) while the next chunks are read. The first
/// error in file order is the one returned, as a one-by-one read gives it.
fn read_default_rows(
    bytes: &[u8],
    text: &str,
    body_start: usize,
    skip: usize,
    columns: &Columns,
    file: &str,
    chunk_bytes: usize,
) -> Result<Directory> {
    use rayon::prelude::*;
    let header_lines = text
        .as_bytes()
        .get(..body_start)
        .unwrap_or_default()
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64;
    let (work, lines) = chunks_of_records(text, body_start, 1 + header_lines, chunk_bytes.max(1));
    let origin_file: Arc<str> = Arc::from(file);
    let mut dir = Directory::new();
    // At most one entry per line of records.
    dir.reserve(lines as usize + 1);
    let read = |window: &[Chunk]| -> Vec<Result<Vec<Row>>> {
        window
            .par_iter()
            .map(|&((start, end), first_line)| {
                read_chunk(
                    bytes,
                    text,
                    start,
                    end,
                    first_line,
                    skip,
                    columns,
                    &origin_file,
                    file,
                )
            })
            .collect()
    };
    let insert = |rows: Vec<Result<Vec<Row>>>, dir: &mut Directory| -> Result<()> {
        for chunk in rows {
            for (key, entry, members) in chunk? {
                if let Some(members) = members {
                    dir.set_members(&key, members);
                }
                dir.upsert_keyed(key, entry);
            }
        }
        Ok(())
    };
    let mut pending: Vec<Result<Vec<Row>>> = Vec::new();
    for window in work.chunks(CHUNKS_AT_ONCE) {
        let before = std::mem::take(&mut pending);
        let (read_now, inserted) = rayon::join(|| read(window), || insert(before, &mut dir));
        inserted?;
        pending = read_now;
    }
    insert(pending, &mut dir)?;
    Ok(dir)
}

/// A chunk of records: its byte range in the text and the line it starts on.
type Chunk = ((usize, usize), u64);

/// The chunks of records from `from` (on line `first_line`) to the end of
/// `text`: `((start, end), line of start)`, cut after a line feed outside
/// quotes once a chunk holds `size` bytes; and the line feeds they hold. The
/// quotes are counted as the record parser reads them, so on well-formed CSV
/// every cut is a record boundary; on damaged CSV every cut before the first
/// damage still is, so the first error is found at the same place as reading
/// one record after the other.
fn chunks_of_records(text: &str, from: usize, first_line: u64, size: usize) -> (Vec<Chunk>, u64) {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut in_quotes = false;
    let (mut chunk_start, mut chunk_line, mut line) = (from, first_line, first_line);
    let mut i = from;
    while let Some(rel) = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr2(b'"', b'\n', rest))
    {
        let at = i + rel;
        if bytes.get(at) == Some(&b'"') {
            in_quotes = !in_quotes;
        } else {
            line += 1;
            if !in_quotes && at + 1 - chunk_start >= size && at + 1 < bytes.len() {
                chunks.push(((chunk_start, at + 1), chunk_line));
                (chunk_start, chunk_line) = (at + 1, line);
            }
        }
        i = at + 1;
    }
    if bytes.len() > chunk_start {
        chunks.push(((chunk_start, bytes.len()), chunk_line));
    }
    (chunks, line - first_line)
}

/// The records of `text[start..end]` (whole records), the first on line
/// `first_line`; the first bad record ends the chunk with its error.
#[allow(clippy::too_many_arguments)]
fn read_chunk(
    bytes: &[u8],
    text: &str,
    start: usize,
    end: usize,
    first_line: u64,
    skip: usize,
    columns: &Columns,
    origin_file: &Arc<str>,
    file: &str,
) -> Result<Vec<Row>> {
    let at = |off: usize, msg: String| {
        let (line, column) = line_column(bytes, off);
        Error::input(file, Location::Line { line, column }, msg)
    };
    let off = |o: usize| o + skip;
    // Offsets are into the whole text: the chunk is a suffix of its prefix.
    let whole = text.get(..end).unwrap_or_default();
    let mut input = whole.get(start..).unwrap_or_default();
    let mut lines = crate::codepage::LineTracker::at(start, first_line);
    let mut fields: Fields<'_> = Vec::with_capacity(columns.count);
    let mut rows = Vec::new();
    while !input.is_empty() {
        let rec_start = whole.len() - input.len();
        input = record_into(whole, input, &mut fields)
            .map_err(|o| at(off(o), "bad CSV field".into()))?;
        if fields.len() == 1 && fields.first().is_some_and(|(_, f)| f.is_empty()) {
            continue; // blank line
        }
        if fields.len() != columns.count {
            return Err(at(
                off(rec_start),
                format!("{} fields, header has {}", fields.len(), columns.count),
            ));
        }
        let cell = |i: usize| fields.get(i).map(|(o, f)| (*o, unguard(f)));
        let (_, name) = cell(columns.name).unwrap_or((rec_start, ""));
        let (aoff, atext) = cell(columns.address).unwrap_or((rec_start, ""));
        let address = Address::parse(atext).map_err(|e| at(off(aoff), e.to_string()))?;
        let kind = match columns.kind.and_then(cell) {
            None | Some((_, "user")) => EntryKind::User,
            Some((_, "group")) => EntryKind::Group,
            Some((o, k)) => return Err(at(off(o), format!("kind {k:?} is not user or group"))),
        };
        let template = columns
            .templates
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
        let line = lines.line_at(text.as_bytes(), rec_start);
        let mut members = None;
        if kind == EntryKind::Group {
            if let Some((moff, cell)) = columns.members.and_then(cell) {
                let mut list = Vec::new();
                for m in split_members(cell) {
                    list.push(
                        Address::parse(&m)
                            .map_err(|e| at(off(moff), format!("member {m:?}: {e}")))?,
                    );
                }
                if !list.is_empty() {
                    members = Some(list);
                }
            }
        }
        let entry = Entry {
            full_name: name.into(),
            address,
            kind,
            template,
            origin: Origin {
                file: origin_file.clone(),
                position: Position::Line(line),
            },
        };
        rows.push((entry.key(), entry, members));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every entry as the directory holds it, origin line included.
    fn listed(d: &Directory) -> Vec<String> {
        d.iter()
            .map(|e| {
                let members = d.members(&e.key()).map(|m| m.len());
                format!(
                    "{} {} {:?} {:?} {members:?}",
                    e.address, e.full_name, e.origin.position, e.template
                )
            })
            .collect()
    }

    /// Reading in chunks of any size gives what one chunk gives: the same
    /// entries on the same lines, or the same first error (quoted line
    /// breaks and quotes, CRLF, blank lines, repeated addresses, groups,
    /// damaged records anywhere).
    #[test]
    fn chunked_reading_equals_one_chunk() {
        let record = prop_oneof![
            Just("\"Doe, John\",PCM:N/P/JD,user,,\r\n"),
            Just("\"Two\nlines\",PCM:N/P/TL,user,x,\n"),
            Just("\"Say \"\"hi\"\"\",PCM:N/P/HI,user,,\n"),
            Just("Group,PCM:N/P/G,group,,PCM:N/P/JD;PCM:N/P/TL\n"),
            Just("Again,pcm:n/p/jd,user,y,\n"),
            Just("\n"),
            Just("bad\"quote,PCM:N/P/B,user,,\n"),
            Just("short,PCM:N/P/S\n"),
            Just("Kind,PCM:N/P/K,robot,,\n"),
            Just("\"open,PCM:N/P/O,user,,\n"),
        ];
        let records = proptest::collection::vec(record, 0..12);
        proptest!(|(records in records, chunk in 1usize..40)| {
            let mut text = String::from("full_name,address,kind,template:Phone,members\r\n");
            for r in &records {
                text.push_str(r);
            }
            let one = read_csv_in_chunks(text.as_bytes(), "t.csv", usize::MAX);
            let many = read_csv_in_chunks(text.as_bytes(), "t.csv", chunk);
            match (one, many) {
                (Ok(a), Ok(b)) => prop_assert_eq!(listed(&a), listed(&b)),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "one chunk {:?}, {chunk}-byte chunks {:?}", a.map(|d| d.len()), b.map(|d| d.len())),
            }
        });
    }
}
