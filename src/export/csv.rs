//! CSV export (RFC 4180, UTF-8, CR LF, header row) in three profiles — msmail's
//! own, Exchange directory import ([`exchange`]) and csvde for Active
//! Directory ([`csvde`]) — and a nom reader for msmail's own and the Exchange
//! profile (CSV is a SOURCE like the others).
//!
//! Default profile columns: [`FIXED_COLUMNS`], then one column per template
//! prompt named `template:<prompt>` (`template#N:<prompt>` for the N-th
//! repetition of a prompt inside one entry); personal lists put an `owner`
//! column first. Formula guard (unless turned off): a cell starting with `=`,
//! `+`, `-`, `@`, TAB, CR or `'` gets one leading `'`, which the reader
//! removes exactly once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use nom::bytes::complete::{tag, take_while};
use nom::IResult;

use super::ldif::WriteNotes;
use super::person::AttributeMap;
use crate::codepage::line_column;
use crate::error::{Error, Location, Result};
use crate::model::{Address, Directory, Entry, EntryKind, Origin, Position, TemplateValue};

pub mod csvde;
pub mod exchange;

/// The fixed columns of the default profile, in order.
pub const FIXED_COLUMNS: [&str; 9] = [
    "full_name",
    "address",
    "type",
    "network",
    "postoffice",
    "mailbox",
    "kind",
    "scope",
    "members",
];

/// The first column of a personal-lists CSV: the owner's address.
pub const OWNER_COLUMN: &str = "owner";

/// Prefix of template-data column names.
pub const TEMPLATE_PREFIX: &str = "template";

/// Which CSV layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CsvProfile {
    /// msmail's own columns (readable back by `read_csv`).
    #[default]
    Default,
    /// Exchange Server 4.0–5.5 directory import (`Obj-Class`, `Mode`, ...).
    Exchange,
    /// Active Directory's csvde (`DN`, `objectClass`, LDAP attribute names).
    Ad,
}

/// How a CSV is written.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// Column layout.
    pub profile: CsvProfile,
    /// Guard cells against spreadsheet formulas (see [`guard`]); off for
    /// files that go to an import tool, which would keep the apostrophe.
    pub formula_guard: bool,
    /// Start with a UTF-8 byte-order mark (Excel then reads UTF-8).
    pub bom: bool,
    /// Template prompts → standard attributes (Exchange and AD profiles).
    pub map: AttributeMap,
    /// Base DN of the AD profile's DNs.
    pub base_dn: String,
}

impl CsvOptions {
    /// `profile` with the formula guard, no BOM, the standard map.
    pub fn new(profile: CsvProfile) -> CsvOptions {
        CsvOptions {
            profile,
            formula_guard: true,
            bom: false,
            map: AttributeMap::standard(),
            base_dn: String::new(),
        }
    }
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

pub(crate) fn io_err(e: impl std::fmt::Display) -> Error {
    Error::output("<output>", e.to_string())
}

/// Hash map with a fast (non-SipHash) hasher; never iterated for output.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

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
fn template_columns<'d>(
    templates: &'d std::collections::BTreeMap<String, crate::model::TemplateDef>,
    entries: &[&'d Entry],
) -> Vec<(&'d str, usize)> {
    let mut cols: Vec<(&'d str, usize)> = Vec::new();
    let mut seen: FastMap<(&'d str, usize), ()> = FastMap::default();
    let mut add = |p: &'d str, n: usize, cols: &mut Vec<(&'d str, usize)>| {
        if seen.insert((p, n), ()).is_none() {
            cols.push((p, n));
        }
    };
    for def in templates.values() {
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

/// Writes the directory as CSV in the given profile (formula guard on, no
/// BOM, the standard attribute map), rows in [`Directory::sorted`] order.
pub fn write_csv(dir: &Directory, w: &mut dyn Write, profile: CsvProfile) -> Result<()> {
    write_csv_with(dir, w, &CsvOptions::new(profile)).map(|_| ())
}

/// [`write_csv`] with options; the notes say what a profile could not carry.
pub fn write_csv_with(dir: &Directory, w: &mut dyn Write, opts: &CsvOptions) -> Result<WriteNotes> {
    let mut out = Cells::new(w, opts)?;
    let notes = match opts.profile {
        CsvProfile::Default => {
            let entries = dir.sorted_keyed();
            let plain: Vec<&Entry> = entries.iter().map(|(_, e)| *e).collect();
            let tcols = template_columns(&dir.templates, &plain);
            write_default_header(&mut out, &tcols, false)?;
            write_default_rows(&mut out, dir, &entries, &tcols, None)?;
            WriteNotes::default()
        }
        CsvProfile::Exchange => exchange::write_exchange(dir, &mut out, &opts.map)?,
        CsvProfile::Ad => csvde::write_csvde(dir, &mut out, opts)?,
    };
    out.flush()?;
    Ok(notes)
}

/// Writes personal address lists: the default profile with an `owner`
/// column first (the owner's address), one row per list entry, lists in
/// order; the AD profile writes [`super::ad::pal_records`]. The Exchange
/// profile has no form for them (usage error).
pub fn write_personal_csv(
    lists: &[(Entry, &Directory)],
    w: &mut dyn Write,
    opts: &CsvOptions,
) -> Result<WriteNotes> {
    let mut out = Cells::new(w, opts)?;
    match opts.profile {
        CsvProfile::Exchange => {
            return Err(Error::Usage(
                "personal address lists have no Exchange directory-import form; use the \
                 default or the ad CSV profile"
                    .into(),
            ))
        }
        CsvProfile::Ad => {
            csvde::write_csvde_pals(lists, &mut out, opts)?;
        }
        CsvProfile::Default => {
            let all: Vec<&Entry> = lists.iter().flat_map(|(_, d)| d.sorted()).collect();
            let templates = std::collections::BTreeMap::new();
            let tcols = template_columns(&templates, &all);
            write_default_header(&mut out, &tcols, true)?;
            for (owner, dir) in lists {
                let entries = dir.sorted_keyed();
                let o = owner.address.to_string();
                write_default_rows(&mut out, dir, &entries, &tcols, Some(&o))?;
            }
        }
    }
    out.flush()?;
    Ok(WriteNotes::default())
}

/// A CSV writer that applies the formula guard (or not) to every cell.
pub(crate) struct Cells<'w> {
    out: ::csv::Writer<&'w mut dyn Write>,
    guard: bool,
}

impl<'w> Cells<'w> {
    /// Starts the output (the BOM first when asked for).
    fn new(w: &'w mut dyn Write, opts: &CsvOptions) -> Result<Cells<'w>> {
        if opts.bom {
            w.write_all(b"\xEF\xBB\xBF").map_err(io_err)?;
        }
        let out = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .buffer_capacity(64 * 1024)
            .from_writer(w);
        Ok(Cells {
            out,
            guard: opts.formula_guard,
        })
    }

    /// One cell.
    pub(crate) fn field(&mut self, v: &str) -> Result<()> {
        let v = if self.guard {
            guard(v)
        } else {
            Cow::Borrowed(v)
        };
        self.out.write_field(v.as_bytes()).map_err(io_err)
    }

    /// A whole row.
    pub(crate) fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<()> {
        for c in cells {
            self.field(c.as_ref())?;
        }
        self.end()
    }

    /// Ends the current row.
    pub(crate) fn end(&mut self) -> Result<()> {
        self.out
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(io_err)
    }

    fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(io_err)
    }
}

/// Joins member addresses for the `members` column: `;` between addresses,
/// `\;` and `\\` for a `;` or `\` inside one (X.400 addresses hold `;`).
pub fn join_members(members: &[Address]) -> String {
    let mut s = String::new();
    for (i, m) in members.iter().enumerate() {
        if i > 0 {
            s.push(';');
        }
        for c in m.to_string().chars() {
            if c == ';' || c == '\\' {
                s.push('\\');
            }
            s.push(c);
        }
    }
    s
}

/// Splits a `members` cell written by [`join_members`].
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

fn write_default_header(out: &mut Cells<'_>, tcols: &[(&str, usize)], owner: bool) -> Result<()> {
    let mut header: Vec<String> = Vec::new();
    if owner {
        header.push(OWNER_COLUMN.to_string());
    }
    header.extend(FIXED_COLUMNS.iter().map(|s| s.to_string()));
    header.extend(tcols.iter().map(|(p, n)| template_header(p, *n)));
    out.row(&header)
}

fn write_default_rows(
    out: &mut Cells<'_>,
    dir: &Directory,
    entries: &[(&crate::model::AddressKey, &Entry)],
    tcols: &[(&str, usize)],
    owner: Option<&str>,
) -> Result<()> {
    let index: FastMap<(&str, usize), usize> = tcols
        .iter()
        .enumerate()
        .map(|(i, (p, n))| ((*p, *n), i))
        .collect();
    let mut address = String::new();
    let mut scope = String::new();
    let mut members = String::new();
    let mut tvals: Vec<&str> = Vec::with_capacity(tcols.len());
    let mut reps = Vec::new();
    for (key, e) in entries {
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
        members.clear();
        if e.kind == EntryKind::Group {
            if let Some(m) = dir.members(key) {
                members = join_members(m);
            }
        }
        if let Some(o) = owner {
            out.field(o)?;
        }
        for v in [
            e.full_name.as_str(),
            &address,
            &a.type_name,
            net,
            po,
            mb,
            e.kind.as_str(),
            &scope,
            &members,
        ] {
            out.field(v)?;
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
            out.field(v)?;
        }
        out.end()?;
    }
    Ok(())
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
pub(crate) type Fields<'a> = Vec<(usize, Cow<'a, str>)>;

/// One CSV record: fields with their byte offsets into `whole`; `Err` is the
/// byte offset of the problem.
pub(crate) fn record<'a>(
    whole: &'a str,
    input: &'a str,
) -> std::result::Result<(&'a str, Fields<'a>), usize> {
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
    let mut lines = crate::codepage::LineTracker::new();
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
            "full_name,address,type,network,postoffice,mailbox,kind,scope,members,template:Phone:"
        );
        assert_eq!(
            lines.next().unwrap(),
            "'=SUM(A1),PCM:NET/PO/A,PCM,NET,PO,A,user,PCM:NET/PO,,\"'+1 555, ext \"\"2\"\"\""
        );
        assert_eq!(
            lines.next().unwrap(),
            "''quoted,SMTP:x@y,SMTP,,,,user,SMTP:,,"
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
        assert!(text.starts_with("full_name,address,type,network,postoffice,mailbox,kind,scope,members,template:Phone:,template#2:Phone:\r\n"));
        let back = read_csv(text.as_bytes(), "t.csv").unwrap();
        assert!(back.get(&a.key()).unwrap().same_content(&a));
    }

    #[test]
    fn exchange_profile() {
        let mut g = entry("Staff", "PCM:NET/PO/STAFF");
        g.kind = EntryKind::Group;
        let mut jo = entry("Smith, Jo D.", "PCM:NET/PO/JSMITH");
        jo.template = vec![
            TemplateValue {
                prompt: "Phone:".into(),
                value: "+1 555".into(),
            },
            TemplateValue {
                prompt: "Cost Center:".into(),
                value: "42".into(),
            },
        ];
        let mut d: Directory = [
            jo.clone(),
            entry("Jo Smith 2", "PCM:NET/PO2/JSMITH"),
            entry("Jo Smith 3", "PCM:NET/PO3/JSMITH"),
            entry("Not a copy", "PCM:NET/PO/JSMITH-2"),
            entry("Web", "SMTP:web@example.com"),
            g.clone(),
        ]
        .into_iter()
        .collect();
        d.set_members(
            &g.key(),
            vec![
                jo.address.clone(),
                Address::parse("SMTP:web@example.com").unwrap(),
            ],
        );
        let text = write(&d, CsvProfile::Exchange);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "Obj-Class,Mode,Directory Name,Common-Name,Display-Name,Given-Name,Surname,Alias Name,Home-Server,E-mail address,Secondary-Proxy-Addresses,Members,Telephone-Office1,Comment");
        let want = [
            "mailbox,Create,JSMITH,JSMITH,\"Smith, Jo D.\",Jo D.,Smith,JSMITH,~SERVER,,MS:NET/PO/JSMITH,,'+1 555,Cost Center:/42",
            "mailbox,Create,JSMITH-2,JSMITH-2,Not a copy,Not a,copy,JSMITH-2,~SERVER,,MS:NET/PO/JSMITH-2,,,",
            "dl,Create,STAFF,STAFF,Staff,,,STAFF,,,MS:NET/PO/STAFF,JSMITH%Web,,",
            // Name clashes take the next free suffix, never a name already used.
            "mailbox,Create,JSMITH-3,JSMITH-3,Jo Smith 2,Jo Smith,2,JSMITH-3,~SERVER,,MS:NET/PO2/JSMITH,,,",
            "mailbox,Create,JSMITH-4,JSMITH-4,Jo Smith 3,Jo Smith,3,JSMITH-4,~SERVER,,MS:NET/PO3/JSMITH,,,",
            "remote,Create,Web,Web,Web,,Web,Web,,SMTP:web@example.com,,,,",
            "",
        ];
        assert_eq!(&lines[1..], &want[..]);
        // Read back as a source: the same entries, members and template data.
        let back = read_csv(text.as_bytes(), "x.csv").unwrap();
        assert_eq!(back.len(), d.len());
        let j = back.get(&jo.key()).unwrap();
        assert_eq!(j.full_name, "Smith, Jo D.");
        assert_eq!(j.template, jo.template);
        let m: Vec<String> = back
            .members(&g.key())
            .unwrap()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(m, vec!["PCM:NET/PO/JSMITH", "SMTP:web@example.com"]);
        assert_eq!(back.get(&g.key()).unwrap().kind, EntryKind::Group);
    }

    #[test]
    fn members_column_guard_switch_and_bom() {
        let mut g = entry("X.400 friends", "PCM:NET/PO/FRIENDS");
        g.kind = EntryKind::Group;
        let mut d: Directory = [g.clone(), entry("+41 44", "PCM:NET/PO/PLUS")]
            .into_iter()
            .collect();
        let x400 = Address::parse("X400:c=US;a= ;p=ACME;s=Doe\\x").unwrap();
        d.set_members(
            &g.key(),
            vec![x400.clone(), Address::parse("PCM:NET/PO/PLUS").unwrap()],
        );
        let mut opts = CsvOptions::new(CsvProfile::Default);
        opts.formula_guard = false;
        opts.bom = true;
        let mut out = Vec::new();
        write_csv_with(&d, &mut out, &opts).unwrap();
        assert!(out.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(out[3..].to_vec()).unwrap();
        assert!(text.contains("\r\n+41 44,PCM:NET/PO/PLUS,"), "{text}");
        assert!(
            text.contains(",X400:c=US\\;a= \\;p=ACME\\;s=Doe\\\\x;PCM:NET/PO/PLUS"),
            "{text}"
        );
        let back = read_csv(&out, "x.csv").unwrap();
        assert_eq!(
            back.members(&g.key()).unwrap(),
            &[x400, Address::parse("PCM:NET/PO/PLUS").unwrap()][..]
        );
        assert_eq!(split_members(""), Vec::<String>::new());
        let err = read_csv(
            b"full_name,address,kind,members\nG,PCM:N/P/G,group,nocolon\n",
            "m.csv",
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("m.csv: line 2, column 19:"),
            "{err}"
        );
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
