//! CSV export (RFC 4180, UTF-8, CR LF, header row) in two profiles, and a nom
//! reader for the default profile (round trips).
//!
//! Default profile columns: [`FIXED_COLUMNS`], then one column per template
//! prompt named `template:<prompt>` (`template#N:<prompt>` for the N-th
//! repetition of a prompt inside one entry). Formula guard: a cell starting
//! with `=`, `+`, `-`, `@`, TAB, CR or `'` gets one leading `'`, which the
//! reader removes exactly once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use nom::bytes::complete::{tag, take_while};
use nom::IResult;

use crate::codepage::line_column;
use crate::error::{Error, Location, Result};
use crate::model::{Address, Directory, Entry, EntryKind, Origin, Position, TemplateValue};

/// The fixed columns of the default profile, in order.
pub const FIXED_COLUMNS: [&str; 8] = [
    "full_name",
    "address",
    "type",
    "network",
    "postoffice",
    "mailbox",
    "kind",
    "scope",
];

/// Prefix of template-data column names.
pub const TEMPLATE_PREFIX: &str = "template";

/// The columns of the Exchange Server directory-import profile (Q146304, Q150438).
pub const EXCHANGE_COLUMNS: [&str; 11] = [
    "Obj-Class",
    "Mode",
    "Directory Name",
    "Common-Name",
    "Display-Name",
    "Given-Name",
    "Surname",
    "Alias Name",
    "Home-Server",
    "E-mail address",
    "Secondary-Proxy-Addresses",
];

/// Which CSV layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CsvProfile {
    /// msmail's own columns (readable back by `read_csv`).
    #[default]
    Default,
    /// Exchange Server 4.0–5.5 directory import (`Obj-Class`, `Mode`, ...).
    Exchange,
}

/// Adds the formula guard: one `'` before a value starting with `=`, `+`,
/// `-`, `@`, TAB, CR or `'`.
pub fn guard(v: &str) -> Cow<'_, str> {
    match v.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'') => Cow::Owned(format!("'{v}")),
        _ => Cow::Borrowed(v),
    }
}

/// Removes the formula guard (one leading `'`).
pub fn unguard(v: &str) -> &str {
    v.strip_prefix('\'').unwrap_or(v)
}

fn io_err(e: impl std::fmt::Display) -> Error {
    Error::output("<output>", e.to_string())
}

/// Template columns: `(prompt, repetition)` in a deterministic order —
/// template definitions first (by scope key, field order), then prompts in
/// order of first appearance over the sorted entries.
fn template_columns(dir: &Directory, entries: &[&Entry]) -> Vec<(String, usize)> {
    let mut cols: Vec<(String, usize)> = Vec::new();
    let mut seen: HashMap<(String, usize), ()> = HashMap::new();
    let mut add = |p: &str, n: usize, cols: &mut Vec<(String, usize)>| {
        if seen.insert((p.to_string(), n), ()).is_none() {
            cols.push((p.to_string(), n));
        }
    };
    for def in dir.templates.values() {
        for f in &def.fields {
            add(&f.prompt, 1, &mut cols);
        }
    }
    for e in entries {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for t in &e.template {
            let n = count.entry(t.prompt.as_str()).or_insert(0);
            *n += 1;
            add(&t.prompt, *n, &mut cols);
        }
    }
    cols
}

fn template_header(prompt: &str, n: usize) -> String {
    if n == 1 {
        format!("{TEMPLATE_PREFIX}:{prompt}")
    } else {
        format!("{TEMPLATE_PREFIX}#{n}:{prompt}")
    }
}

/// Writes the directory as CSV in the given profile, rows in
/// [`Directory::sorted`] order.
pub fn write_csv(dir: &Directory, w: &mut dyn Write, profile: CsvProfile) -> Result<()> {
    let entries = super::sorted_entries(dir);
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(w);
    match profile {
        CsvProfile::Default => write_default(&entries, dir, &mut out)?,
        CsvProfile::Exchange => write_exchange(&entries, &mut out)?,
    }
    out.flush().map_err(io_err)
}

fn write_default(
    entries: &[&Entry],
    dir: &Directory,
    out: &mut ::csv::Writer<&mut dyn Write>,
) -> Result<()> {
    let tcols = template_columns(dir, entries);
    let index: HashMap<(&str, usize), usize> = tcols
        .iter()
        .enumerate()
        .map(|(i, (p, n))| ((p.as_str(), *n), i))
        .collect();
    let mut header: Vec<String> = FIXED_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(
        tcols
            .iter()
            .map(|(p, n)| guard(&template_header(p, *n)).into_owned()),
    );
    out.write_record(&header).map_err(io_err)?;
    let mut row: Vec<Cow<str>> = Vec::with_capacity(header.len());
    for e in entries {
        row.clear();
        let address = e.address.to_string();
        let (net, po, mb) = e.address.parts().unwrap_or(("", "", ""));
        let scope = e.scope().to_string();
        for v in [
            e.full_name.as_str(),
            &address,
            &e.address.type_name,
            net,
            po,
            mb,
            e.kind.as_str(),
            &scope,
        ] {
            row.push(Cow::Owned(guard(v).into_owned()));
        }
        let mut tvals: Vec<&str> = vec![""; tcols.len()];
        let mut count: HashMap<&str, usize> = HashMap::new();
        for t in &e.template {
            let n = count.entry(t.prompt.as_str()).or_insert(0);
            *n += 1;
            if let Some(slot) = index
                .get(&(t.prompt.as_str(), *n))
                .and_then(|&i| tvals.get_mut(i))
            {
                *slot = &t.value;
            }
        }
        row.extend(tvals.into_iter().map(guard));
        out.write_record(row.iter().map(|c| c.as_bytes()))
            .map_err(io_err)?;
    }
    Ok(())
}

/// The Exchange `Directory Name` base for an entry: the mailbox (third part)
/// when the address has parts, otherwise the full name, otherwise the body.
fn exchange_base_name(e: &Entry) -> String {
    match e.address.parts() {
        Some((_, _, mb)) => mb.to_string(),
        None if !e.full_name.trim().is_empty() => e.full_name.trim().to_string(),
        None => e.address.body.clone(),
    }
}

fn write_exchange(entries: &[&Entry], out: &mut ::csv::Writer<&mut dyn Write>) -> Result<()> {
    out.write_record(EXCHANGE_COLUMNS).map_err(io_err)?;
    // Lower-cased names in use → the next suffix to try for that base name.
    let mut used: HashMap<String, usize> = HashMap::new();
    for e in entries {
        let base = exchange_base_name(e);
        let mut dir_name = base.clone();
        let mut n = 1;
        while used.contains_key(&dir_name.to_lowercase()) {
            n = used.get(&base.to_lowercase()).copied().unwrap_or(1).max(n) + 1;
            dir_name = format!("{base}-{n}");
        }
        used.insert(base.to_lowercase(), n.max(1));
        used.entry(dir_name.to_lowercase()).or_insert(1);
        let (class, home, email, proxy) = match (e.kind, e.address.is_pcm()) {
            (EntryKind::Group, _) => ("dl", "", String::new(), pcm_proxy(e)),
            (EntryKind::User, true) => ("mailbox", "~SERVER", String::new(), pcm_proxy(e)),
            (EntryKind::User, false) => ("remote", "", e.address.to_string(), String::new()),
        };
        let row = [
            class,
            "Create",
            &dir_name,
            &dir_name,
            &e.full_name,
            "",
            "",
            &dir_name,
            home,
            &email,
            &proxy,
        ];
        out.write_record(row.iter().map(|v| guard(v).into_owned()))
            .map_err(io_err)?;
    }
    Ok(())
}

/// `MS:NET/PO/MAILBOX` for PCM addresses, empty otherwise.
fn pcm_proxy(e: &Entry) -> String {
    match (e.address.is_pcm(), e.address.parts()) {
        (true, Some((n, p, m))) => format!("MS:{n}/{p}/{m}"),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------- reader

/// A quoted field: `"..."` with `""` for a quote. Returns the unescaped text.
fn quoted(input: &str) -> IResult<&str, Cow<'_, str>> {
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

fn unquoted(input: &str) -> IResult<&str, Cow<'_, str>> {
    let (rest, s) = take_while(|c| c != ',' && c != '"' && c != '\r' && c != '\n')(input)?;
    Ok((rest, Cow::Borrowed(s)))
}

/// The fields of one record, each with its byte offset.
type Fields<'a> = Vec<(usize, Cow<'a, str>)>;

/// One CSV record: fields with their byte offsets into `whole`; `Err` is the
/// byte offset of the problem.
fn record<'a>(whole: &'a str, input: &'a str) -> std::result::Result<(&'a str, Fields<'a>), usize> {
    let mut fields = Vec::new();
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
            return Ok((r, fields));
        }
        if rest.is_empty() {
            return Ok((rest, fields));
        }
        return Err(whole.len() - rest.len());
    }
}

/// Reads a default-profile CSV (as written by [`write_csv`]) back into a
/// directory. Columns are found by header name; unknown columns are ignored;
/// empty template cells mean "no value". `file` names the source in errors.
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
    let col = |name: &str| header.iter().position(|(_, h)| unguard(h) == name);
    let c_name = col("full_name").ok_or_else(|| at(skip, "no full_name column".into()))?;
    let c_addr = col("address").ok_or_else(|| at(skip, "no address column".into()))?;
    let c_kind = col("kind");
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
    while !input.is_empty() {
        let rec_start = text.len() - input.len();
        let (rest, fields) = record(text, input).map_err(|o| at(off(o), "bad CSV field".into()))?;
        input = rest;
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
                        prompt: p.clone(),
                        value: v.to_string(),
                    })
            })
            .collect();
        let (line, _) = line_column(bytes, off(rec_start));
        dir.upsert(Entry {
            full_name: name.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, addr: &str) -> Entry {
        Entry::new(name, Address::parse(addr).unwrap())
    }

    fn write(d: &Directory, p: CsvProfile) -> String {
        let mut out = Vec::new();
        write_csv(d, &mut out, p).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn default_columns_and_guard() {
        let mut a = entry("=SUM(A1)", "PCM:NET/PO/A");
        a.template.push(TemplateValue {
            prompt: "Phone:".into(),
            value: "+1 555, ext \"2\"".into(),
        });
        let d: Directory = [a, entry("'quoted", "SMTP:x@y")].into_iter().collect();
        let text = write(&d, CsvProfile::Default);
        let mut lines = text.split("\r\n");
        assert_eq!(
            lines.next().unwrap(),
            "full_name,address,type,network,postoffice,mailbox,kind,scope,template:Phone:"
        );
        assert_eq!(
            lines.next().unwrap(),
            "'=SUM(A1),PCM:NET/PO/A,PCM,NET,PO,A,user,PCM:NET/PO,\"'+1 555, ext \"\"2\"\"\""
        );
        assert_eq!(
            lines.next().unwrap(),
            "''quoted,SMTP:x@y,SMTP,,,,user,SMTP:,"
        );
        let back = read_csv(text.as_bytes(), "t.csv").unwrap();
        for e in d.iter() {
            assert!(back.get(&e.key()).unwrap().same_content(e));
        }
    }

    #[test]
    fn repeated_prompts_get_their_own_columns() {
        let mut a = entry("A", "PCM:N/P/A");
        for v in ["1", "2"] {
            a.template.push(TemplateValue {
                prompt: "Phone:".into(),
                value: v.into(),
            });
        }
        let d: Directory = [a.clone()].into_iter().collect();
        let text = write(&d, CsvProfile::Default);
        assert!(text.starts_with("full_name,address,type,network,postoffice,mailbox,kind,scope,template:Phone:,template#2:Phone:\r\n"));
        let back = read_csv(text.as_bytes(), "t.csv").unwrap();
        assert!(back.get(&a.key()).unwrap().same_content(&a));
    }

    #[test]
    fn exchange_profile() {
        let mut g = entry("Staff", "PCM:NET/PO/STAFF");
        g.kind = EntryKind::Group;
        let d: Directory = [
            entry("Jo Smith", "PCM:NET/PO/JSMITH"),
            entry("Jo Smith 2", "PCM:NET/PO2/JSMITH"),
            entry("Jo Smith 3", "PCM:NET/PO3/JSMITH"),
            entry("Not a copy", "PCM:NET/PO/JSMITH-2"),
            entry("Web", "SMTP:web@example.com"),
            g,
        ]
        .into_iter()
        .collect();
        let text = write(&d, CsvProfile::Exchange);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "Obj-Class,Mode,Directory Name,Common-Name,Display-Name,Given-Name,Surname,Alias Name,Home-Server,E-mail address,Secondary-Proxy-Addresses");
        let want = [
            "mailbox,Create,JSMITH,JSMITH,Jo Smith,,,JSMITH,~SERVER,,MS:NET/PO/JSMITH",
            "mailbox,Create,JSMITH-2,JSMITH-2,Not a copy,,,JSMITH-2,~SERVER,,MS:NET/PO/JSMITH-2",
            "dl,Create,STAFF,STAFF,Staff,,,STAFF,,,MS:NET/PO/STAFF",
            // Name clashes take the next free suffix, never a name already used.
            "mailbox,Create,JSMITH-3,JSMITH-3,Jo Smith 2,,,JSMITH-3,~SERVER,,MS:NET/PO2/JSMITH",
            "mailbox,Create,JSMITH-4,JSMITH-4,Jo Smith 3,,,JSMITH-4,~SERVER,,MS:NET/PO3/JSMITH",
            "remote,Create,Web,Web,Web,,,Web,,SMTP:web@example.com,",
            "",
        ];
        assert_eq!(&lines[1..], &want[..]);
    }

    #[test]
    fn reader_errors_name_line_and_column() {
        let err = read_csv(
            b"full_name,address\r\nA,PCM:N/P/A\r\nB,\"unterminated\r\n",
            "x.csv",
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "x.csv: line 3, column 3: bad CSV field");
        let err = read_csv(b"full_name,address\nA,nocolon\n", "x.csv").unwrap_err();
        assert!(
            err.to_string().starts_with("x.csv: line 2, column 3:"),
            "{err}"
        );
        let err = read_csv(b"full_name,address\nA\n", "x.csv").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(read_csv(b"a,b\n", "x.csv").is_err());
    }

    #[test]
    fn quoted_newlines_and_bom() {
        let text = "\u{FEFF}full_name,address,kind\r\n\"Line\r\nTwo\",SMTP:a@b,group\r\n";
        let d = read_csv(text.as_bytes(), "x.csv").unwrap();
        let e = d.iter().next().unwrap();
        assert_eq!(e.full_name, "Line\r\nTwo");
        assert_eq!(e.kind, EntryKind::Group);
    }
}
