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

/// Hash map with a fast (non-SipHash) hasher; never iterated for output.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// For each template value of an entry, which repetition of its prompt it is
/// (1 for the first `Phone:`, 2 for the second, ...), into `out`. Linear scan
/// for the usual handful of values, a map beyond that.
fn repetitions(template: &[TemplateValue], out: &mut Vec<usize>) {
    out.clear();
    if template.len() <= 16 {
        for (j, t) in template.iter().enumerate() {
            let before = template
                .get(..j)
                .unwrap_or_default()
                .iter()
                .filter(|u| u.prompt == t.prompt)
                .count();
            out.push(before + 1);
        }
        return;
    }
    let mut count: FastMap<&str, usize> = FastMap::default();
    for t in template {
        let n = count.entry(t.prompt.as_str()).or_insert(0);
        *n += 1;
        out.push(*n);
    }
}

/// Template columns: `(prompt, repetition)` in a deterministic order —
/// template definitions first (by scope key, field order), then prompts in
/// order of first appearance over the sorted entries.
fn template_columns<'d>(dir: &'d Directory, entries: &[&'d Entry]) -> Vec<(&'d str, usize)> {
    let mut cols: Vec<(&'d str, usize)> = Vec::new();
    let mut seen: FastMap<(&'d str, usize), ()> = FastMap::default();
    let mut add = |p: &'d str, n: usize, cols: &mut Vec<(&'d str, usize)>| {
        if seen.insert((p, n), ()).is_none() {
            cols.push((p, n));
        }
    };
    for def in dir.templates.values() {
        for f in &def.fields {
            add(&f.prompt, 1, &mut cols);
        }
    }
    let mut reps = Vec::new();
    for e in entries {
        repetitions(&e.template, &mut reps);
        for (t, &n) in e.template.iter().zip(&reps) {
            add(&t.prompt, n, &mut cols);
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
        .buffer_capacity(64 * 1024)
        .from_writer(w);
    match profile {
        CsvProfile::Default => write_default(&entries, dir, &mut out)?,
        CsvProfile::Exchange => write_exchange(&entries, &mut out)?,
    }
    out.flush().map_err(io_err)
}

/// Writes one cell with the formula guard.
fn guarded_field(out: &mut ::csv::Writer<&mut dyn Write>, v: &str) -> Result<()> {
    out.write_field(guard(v).as_bytes()).map_err(io_err)
}

/// Ends the current record.
fn end_record(out: &mut ::csv::Writer<&mut dyn Write>) -> Result<()> {
    out.write_record(std::iter::empty::<&[u8]>())
        .map_err(io_err)
}

fn write_default(
    entries: &[&Entry],
    dir: &Directory,
    out: &mut ::csv::Writer<&mut dyn Write>,
) -> Result<()> {
    let tcols = template_columns(dir, entries);
    let index: FastMap<(&str, usize), usize> = tcols
        .iter()
        .enumerate()
        .map(|(i, (p, n))| ((*p, *n), i))
        .collect();
    let mut header: Vec<String> = FIXED_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(
        tcols
            .iter()
            .map(|(p, n)| guard(&template_header(p, *n)).into_owned()),
    );
    out.write_record(&header).map_err(io_err)?;
    let mut address = String::new();
    let mut scope = String::new();
    let mut tvals: Vec<&str> = Vec::with_capacity(tcols.len());
    let mut reps = Vec::new();
    for e in entries {
        let a = &e.address;
        address.clear();
        address.push_str(&a.type_name);
        address.push(':');
        address.push_str(&a.body);
        let parts = a.parts();
        // `Scope` text (`TYPE:NET/PO`, canonical type) without building a `Scope`.
        scope.clear();
        if a.type_name.eq_ignore_ascii_case("CSI") {
            scope.push_str("PCM");
        } else {
            scope.extend(a.type_name.chars().map(|c| c.to_ascii_uppercase()));
        }
        scope.push(':');
        if let Some((x, y, _)) = parts {
            scope.push_str(x);
            scope.push('/');
            scope.push_str(y);
        }
        let (net, po, mb) = parts.unwrap_or(("", "", ""));
        for v in [
            e.full_name.as_str(),
            &address,
            &a.type_name,
            net,
            po,
            mb,
            e.kind.as_str(),
            &scope,
        ] {
            guarded_field(out, v)?;
        }
        tvals.clear();
        tvals.resize(tcols.len(), "");
        repetitions(&e.template, &mut reps);
        for (t, &n) in e.template.iter().zip(&reps) {
            if let Some(slot) = index
                .get(&(t.prompt.as_str(), n))
                .and_then(|&i| tvals.get_mut(i))
            {
                *slot = &t.value;
            }
        }
        for v in &tvals {
            guarded_field(out, v)?;
        }
        end_record(out)?;
    }
    Ok(())
}

/// The Exchange `Directory Name` base for an entry: the mailbox (third part)
/// when the address has parts, otherwise the full name, otherwise the body.
fn exchange_base_name(e: &Entry) -> &str {
    match e.address.parts() {
        Some((_, _, mb)) => mb,
        None if !e.full_name.trim().is_empty() => e.full_name.trim(),
        None => &e.address.body,
    }
}

fn write_exchange(entries: &[&Entry], out: &mut ::csv::Writer<&mut dyn Write>) -> Result<()> {
    out.write_record(EXCHANGE_COLUMNS).map_err(io_err)?;
    // Lower-cased names in use → the next suffix to try for that base name.
    let mut used: FastMap<String, usize> = FastMap::default();
    used.reserve(entries.len());
    let mut email = String::new();
    let mut proxy = String::new();
    for e in entries {
        let base = exchange_base_name(e);
        let base_lc = base.to_lowercase();
        let mut dir_name: Cow<str> = Cow::Borrowed(base);
        let mut n = 1;
        // The first candidate is `base` itself, whose lower case is `base_lc`.
        let mut taken = used.contains_key(&base_lc);
        while taken {
            n = used.get(&base_lc).copied().unwrap_or(1).max(n) + 1;
            dir_name = Cow::Owned(format!("{base}-{n}"));
            taken = used.contains_key(&dir_name.to_lowercase());
        }
        let suffixed_lc = (n > 1).then(|| dir_name.to_lowercase());
        used.insert(base_lc, n.max(1));
        if let Some(lc) = suffixed_lc {
            used.entry(lc).or_insert(1);
        }
        email.clear();
        proxy.clear();
        let pcm = e.address.is_pcm();
        let (class, home) = match (e.kind, pcm) {
            (EntryKind::Group, _) => ("dl", ""),
            (EntryKind::User, true) => ("mailbox", "~SERVER"),
            (EntryKind::User, false) => ("remote", ""),
        };
        if e.kind == EntryKind::Group || pcm {
            pcm_proxy_into(e, &mut proxy);
        } else {
            email.push_str(&e.address.type_name);
            email.push(':');
            email.push_str(&e.address.body);
        }
        for v in [
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
        ] {
            guarded_field(out, v)?;
        }
        end_record(out)?;
    }
    Ok(())
}

/// `MS:NET/PO/MAILBOX` for PCM addresses, nothing otherwise, appended to `out`.
fn pcm_proxy_into(e: &Entry, out: &mut String) {
    if let (true, Some((n, p, m))) = (e.address.is_pcm(), e.address.parts()) {
        out.push_str("MS:");
        out.push_str(n);
        out.push('/');
        out.push_str(p);
        out.push('/');
        out.push_str(m);
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

    #[test]
    fn repetitions_count_each_prompt_on_both_paths() {
        let tv = |p: &str| TemplateValue {
            prompt: p.into(),
            value: String::new(),
        };
        let mut out = Vec::new();
        let small: Vec<TemplateValue> = ["A", "B", "A", "A", "C", "B"].map(tv).to_vec();
        repetitions(&small, &mut out);
        assert_eq!(out, vec![1, 1, 2, 3, 1, 2]);
        // Over 16 values the map path runs; same answers.
        let big: Vec<TemplateValue> = (0..40).map(|i| tv(["A", "B", "C"][i % 3])).collect();
        repetitions(&big, &mut out);
        let want: Vec<usize> = (0..40).map(|i| i / 3 + 1).collect();
        assert_eq!(out, want);
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
