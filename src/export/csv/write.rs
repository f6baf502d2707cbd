//! The CSV writers: the default profile's header and rows (template columns
//! and their repetitions), directories and personal lists in every profile,
//! [`Cells`] (one RFC 4180 record at a time) and the members cell.

use super::{
    csvde, exchange, guard, io_err, CsvOptions, CsvProfile, FastMap, FIXED_COLUMNS, OWNER_COLUMN,
    TEMPLATE_PREFIX,
};
use crate::error::{Error, Result};
use crate::export::ldif::WriteNotes;
use crate::model::{Address, Directory, Entry, EntryKind};
use std::borrow::Cow;
use std::io::Write;

pub(super) use crate::model::prompt_repetitions as repetitions;

/// Template columns: `(prompt, repetition)` in a deterministic order —
/// template definitions first (by scope key, field order), then prompts in
/// order of first appearance over the sorted entries.
pub(super) fn template_columns<'d>(
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

pub(super) fn template_header(prompt: &str, n: usize) -> String {
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

/// The default profile written a part of a directory at a time (the parts
/// in order, each part's rows in [`Directory::sorted`] order): for a
/// directory too big to hold whole, as [`crate::tree::scoped::ScopedTree`]
/// gives it. The columns are those of the template definitions given; a
/// part must not hold a template value outside them (check with
/// [`DefaultCsvParts::covers`] first). The bytes are then those
/// [`write_csv_with`] writes for the whole directory.
pub struct DefaultCsvParts {
    columns: Vec<(String, usize)>,
    guard: bool,
    bom: bool,
}

impl DefaultCsvParts {
    /// The columns of `templates` (every definition's fields, by scope key).
    pub fn new(
        templates: &std::collections::BTreeMap<String, crate::model::TemplateDef>,
        opts: &CsvOptions,
    ) -> DefaultCsvParts {
        let columns = template_columns(templates, &[])
            .into_iter()
            .map(|(p, n)| (p.to_string(), n))
            .collect();
        DefaultCsvParts {
            columns,
            guard: opts.formula_guard,
            bom: opts.bom,
        }
    }

    /// Whether every `(prompt, repetition)` of `prompts` has a column: then
    /// no entry adds a column the header does not have.
    pub fn covers<'p>(&self, prompts: impl IntoIterator<Item = (&'p str, usize)>) -> bool {
        prompts
            .into_iter()
            .all(|(p, n)| self.columns.iter().any(|(q, m)| q == p && *m == n))
    }

    fn column_refs(&self) -> Vec<(&str, usize)> {
        self.columns.iter().map(|(p, n)| (p.as_str(), *n)).collect()
    }

    /// The byte-order mark (when asked for) and the header row.
    pub fn header(&self, w: &mut dyn Write) -> Result<()> {
        let mut out = Cells::new(
            w,
            &CsvOptions {
                bom: self.bom,
                formula_guard: self.guard,
                ..CsvOptions::new(CsvProfile::Default)
            },
        )?;
        write_default_header(&mut out, &self.column_refs(), false)?;
        out.flush()
    }

    /// The rows of one part, formatted into `buf` (any thread).
    pub fn rows(&self, part: &Directory, buf: &mut Vec<u8>) -> Result<()> {
        let entries = part.sorted_keyed();
        let mut cells = Cells::over(buf, self.guard);
        write_rows(&mut cells, part, &entries, &self.column_refs(), None)?;
        cells.flush()
    }
}

/// Writes personal address lists: the default profile with an `owner`
/// column first (the owner's address), one row per list entry, lists in
/// order; the AD profile writes [`crate::export::ad::pal_records`]. The Exchange
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

/// The output under a CSV writer, reachable through the writer's shared
/// reference ([`Cells::raw`] writes pre-formatted rows after a flush; the
/// `csv` writer gives no mutable access to what it wraps).
struct Shared<'w>(std::cell::RefCell<&'w mut dyn Write>);

impl Write for Shared<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.get_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.get_mut().flush()
    }
}

/// A CSV writer that applies the formula guard (or not) to every cell.
pub(crate) struct Cells<'w> {
    out: ::csv::Writer<Shared<'w>>,
    guard: bool,
}

impl<'w> Cells<'w> {
    /// Starts the output (the BOM first when asked for).
    fn new(w: &'w mut dyn Write, opts: &CsvOptions) -> Result<Cells<'w>> {
        if opts.bom {
            w.write_all(b"\xEF\xBB\xBF").map_err(io_err)?;
        }
        Ok(Cells::over(w, opts.formula_guard))
    }

    /// Cells over `w` with no BOM: the whole output, or a batch of rows.
    pub(super) fn over(w: &'w mut dyn Write, guard: bool) -> Cells<'w> {
        let out = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .buffer_capacity(64 * 1024)
            .from_writer(Shared(std::cell::RefCell::new(w)));
        Cells { out, guard }
    }

    /// Bytes another `Cells` formatted (whole records), after what this one
    /// has written.
    fn raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.flush().map_err(io_err)?;
        self.out
            .get_ref()
            .0
            .borrow_mut()
            .write_all(bytes)
            .map_err(io_err)
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

    pub(super) fn flush(&mut self) -> Result<()> {
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

pub(super) fn write_default_header(
    out: &mut Cells<'_>,
    tcols: &[(&str, usize)],
    owner: bool,
) -> Result<()> {
    let mut header: Vec<String> = Vec::new();
    if owner {
        header.push(OWNER_COLUMN.to_string());
    }
    header.extend(FIXED_COLUMNS.iter().map(|s| s.to_string()));
    header.extend(tcols.iter().map(|(p, n)| template_header(p, *n)));
    out.row(&header)
}

/// Rows formatted per batch on every core: a batch of [`ROWS_PER_BATCH`]
/// rows is formatted into its own buffer, and [`BATCHES_AT_ONCE`] buffers are
/// written in order before the next ones are made (a few megabytes held,
/// never the whole output). The bytes are those of one writer: the CSV
/// writer keeps no state from one record to the next.
const ROWS_PER_BATCH: usize = 4096;
const BATCHES_AT_ONCE: usize = 16;

/// Writes the default profile's rows of `entries` (in that order).
pub(super) fn write_default_rows(
    out: &mut Cells<'_>,
    dir: &Directory,
    entries: &[(&crate::model::AddressKey, &Entry)],
    tcols: &[(&str, usize)],
    owner: Option<&str>,
) -> Result<()> {
    use rayon::prelude::*;
    if entries.len() <= ROWS_PER_BATCH {
        return write_rows(out, dir, entries, tcols, owner);
    }
    let guard = out.guard;
    // The batch buffers are reused from one window to the next: fresh ones
    // would cost the kernel clearing new pages for every window.
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); BATCHES_AT_ONCE];
    for window in entries.chunks(ROWS_PER_BATCH * BATCHES_AT_ONCE) {
        window
            .par_chunks(ROWS_PER_BATCH)
            .zip(buffers.par_iter_mut())
            .map(|(batch, buf)| {
                buf.clear();
                let mut cells = Cells::over(buf, guard);
                write_rows(&mut cells, dir, batch, tcols, owner)?;
                cells.flush()
            })
            .collect::<Result<()>>()?;
        for buf in buffers.iter().take(window.len().div_ceil(ROWS_PER_BATCH)) {
            out.raw(buf)?;
        }
    }
    Ok(())
}

pub(super) fn write_rows(
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
