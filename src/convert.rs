//! The engine of `msmail export`: load several sources and merge them (a
//! later source wins), say which entries break MS Mail limits, fit a
//! directory for import text, collect personal address lists. The writers'
//! dispatch is [`crate::writer`].
//!
//! What the user should be told goes to the caller's [`Message`] sink, in
//! the order it happens.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::export::csv::{CsvOptions, DefaultCsvParts};
use crate::model::{AddressKey, Directory, Entry};
use crate::source::{LoadOptions, SourceKind};
use crate::tree::scoped::ScopedTree;
use crate::tree::ListSelector;
use crate::writer::WriteOptions;

/// Longest list of limit violations told one per line; the rest are counted.
pub const MAX_LIMIT_LINES: usize = 50;

/// What the engine tells the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A warning.
    Warn(String),
    /// A note (said unless `-q`).
    Note(String),
    /// A detail for `-v`.
    Detail(String),
}

/// One source to read: its path and its name in messages (`<stdin>` for
/// standard input spooled to a file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSource {
    /// The path to read.
    pub path: PathBuf,
    /// The name in messages.
    pub name: String,
}

/// Refuses a source that is no MAILDATA tree where `--list` needs one.
fn require_tree_source(source: &NamedSource) -> Result<()> {
    if crate::source::detect(&source.path).ok() != Some(SourceKind::Tree) {
        return Err(Error::Usage(format!(
            "{}: --list needs a MAILDATA tree: {}",
            source.name,
            crate::input::NOT_A_TREE
        )));
    }
    Ok(())
}

/// Loads and merges every source (later wins): each source whole, or only
/// the list `selector` names (every source must then be a tree). `rename`
/// names an error's file as the user knows it.
pub fn load_merged(
    sources: &[NamedSource],
    selector: Option<&ListSelector>,
    options: &LoadOptions,
    rename: &dyn Fn(Error) -> Error,
    tell: &mut dyn FnMut(Message),
) -> Result<Directory> {
    let mut merged = Directory::new();
    for (i, source) in sources.iter().enumerate() {
        let name = &source.name;
        let path = &source.path;
        let loaded = match selector {
            Some(sel) => {
                require_tree_source(source)?;
                crate::tree::postoffice::load_list(path, sel, options)
            }
            None => crate::source::load_directory(path, options),
        }
        .map_err(rename)?;
        for w in &loaded.warnings {
            tell(Message::Warn(format!("{name}: {w}")));
        }
        tell(Message::Detail(format!(
            "{name}: {} entries",
            loaded.directory.len()
        )));
        if i == 0 {
            merged = loaded.directory;
            continue;
        }
        let mut replaced = 0usize;
        for e in loaded.directory.iter() {
            if let Some(prev) = merged.upsert(e.clone()) {
                if !prev.same_content(e) {
                    replaced += 1;
                }
            }
        }
        for (k, m) in loaded.directory.membership() {
            merged.set_members(k, m.to_vec());
        }
        for (k, def) in loaded.directory.templates {
            merged.templates.insert(k, def);
        }
        if replaced > 0 {
            tell(Message::Note(format!(
                "{name}: {replaced} entries replace different entries with the same address from earlier sources (later source wins)"
            )));
        }
    }
    Ok(merged)
}

/// Tells every MS Mail limit an entry breaks (at most [`MAX_LIMIT_LINES`]
/// lines), in output order ([`Directory::sorted`]): only the entries that
/// break a limit are sorted, not the directory.
pub fn limit_warnings(dir: &Directory, tell: &mut dyn FnMut(Message)) {
    tally_of(dir).tell(tell);
}

/// The limit violations of `dir`'s entries in output order: only the entries
/// that break a limit are sorted.
fn tally_of(dir: &Directory) -> LimitTally {
    let mut breaking: Vec<(&AddressKey, &Entry)> = dir
        .iter_keyed()
        .filter(|(_, e)| !e.limit_violations().is_empty())
        .collect();
    breaking.sort_unstable_by(|a, b| (a.0.scope_key(), a.0).cmp(&(b.0.scope_key(), b.0)));
    let mut tally = LimitTally::default();
    for (_, e) in breaking {
        tally.add(e);
    }
    tally
}

/// The limit violations of entries taken in output order: the first
/// [`MAX_LIMIT_LINES`] told one per line, the rest counted.
#[derive(Debug, Default)]
struct LimitTally {
    lines: Vec<String>,
    total: usize,
}

impl LimitTally {
    /// Counts (and words, while lines are left) what `e` breaks.
    fn add(&mut self, e: &Entry) {
        for v in e.limit_violations() {
            self.total += 1;
            if self.lines.len() < MAX_LIMIT_LINES {
                let place = match e.origin.to_string() {
                    s if s.is_empty() => String::new(),
                    s => format!("{s}: "),
                };
                self.lines.push(format!(
                    "{place}{}: {} is {} characters (MS Mail limit {})",
                    e.address, v.field, v.length, v.limit
                ));
            }
        }
    }

    /// Adds a later part's tally.
    fn extend(&mut self, later: LimitTally) {
        self.total += later.total;
        let room = MAX_LIMIT_LINES.saturating_sub(self.lines.len());
        self.lines.extend(later.lines.into_iter().take(room));
    }

    /// Tells the lines, then how many more there were.
    fn tell(self, tell: &mut dyn FnMut(Message)) {
        let shown = self.lines.len();
        for line in self.lines {
            tell(Message::Warn(line));
        }
        if self.total > shown {
            tell(Message::Warn(format!(
                "{} more limit violations not shown ({} in all)",
                self.total - shown,
                self.total
            )));
        }
    }
}

/// The one source of `sources` when it is a whole MAILDATA tree: what
/// [`export_tree`] can write a scope at a time.
pub fn single_tree(sources: &[NamedSource]) -> Option<&NamedSource> {
    match sources {
        [one] if crate::source::detect(&one.path).ok() == Some(SourceKind::Tree) => Some(one),
        _ => None,
    }
}

/// Reads and checks a tree for [`export_tree`], telling what reading it
/// found (as [`load_merged`] does); `rename` names an error's file as the
/// user knows it.
pub fn open_tree(
    source: &NamedSource,
    options: &LoadOptions,
    rename: &dyn Fn(Error) -> Error,
    tell: &mut dyn FnMut(Message),
) -> Result<ScopedTree> {
    let mut tree = ScopedTree::open(&source.path, options).map_err(rename)?;
    for w in std::mem::take(&mut tree.warnings) {
        tell(Message::Warn(format!("{}: {w}", source.name)));
    }
    Ok(tree)
}

/// The outputs [`export_tree`] writes a scope at a time: those whose bytes
/// for the whole directory are its parts' bytes one after another.
#[derive(Debug, Clone, Copy)]
pub enum ScopedOutput<'o> {
    /// The default CSV profile (a header, then rows).
    Csv(&'o CsvOptions),
    /// JSON, one entry object per line.
    Ndjson,
}

impl ScopedOutput<'_> {
    /// The scoped output `format` with `opts` asks for, if it is one.
    pub fn of(format: crate::writer::Format, opts: &WriteOptions) -> Option<ScopedOutput<'_>> {
        use crate::export::csv::CsvProfile;
        match format {
            crate::writer::Format::Csv if opts.csv.profile == CsvProfile::Default => {
                Some(ScopedOutput::Csv(&opts.csv))
            }
            crate::writer::Format::Json if opts.ndjson => Some(ScopedOutput::Ndjson),
            _ => None,
        }
    }
}

/// Scope parts built and formatted at once (on every core) before they are
/// written in order: a few postoffices' entries held, never the directory.
const PARTS_AT_ONCE: usize = 8;

/// Writes a tree's directory as `output`, byte for byte what
/// [`load_merged`] and [`crate::writer::write_as`] write, holding one window
/// of scopes at a time (see [`crate::tree::scoped`]); then tells the limit
/// violations (in output order) and the number of entries. A tree whose
/// parts cannot be written one by one (a source spread over scopes; for CSV,
/// a template value with no column in the header) is loaded whole instead.
/// Gives the number of entries written.
pub fn export_tree(
    tree: ScopedTree,
    name: &str,
    output: ScopedOutput<'_>,
    w: &mut dyn std::io::Write,
    tell: &mut dyn FnMut(Message),
) -> Result<usize> {
    let csv = match output {
        ScopedOutput::Csv(opts) => Some(DefaultCsvParts::new(&tree.template_defs(), opts)),
        ScopedOutput::Ndjson => None,
    };
    let splits = tree.partitioned()
        && csv
            .as_ref()
            .is_none_or(|rows| rows.covers(tree.template_prompts()));
    if !splits {
        tell(Message::Detail(format!(
            "{name}: loaded whole (its lists do not split by scope, or its template values need columns the templates do not define)"
        )));
        let dir = tree.into_directory()?;
        tell(Message::Detail(format!("{name}: {} entries", dir.len())));
        limit_warnings(&dir, tell);
        match output {
            ScopedOutput::Csv(opts) => {
                crate::export::csv::write_csv_with(&dir, w, opts)?;
            }
            ScopedOutput::Ndjson => crate::export::json::write_json(&dir, w, true)?,
        }
        return Ok(dir.len());
    }
    use rayon::prelude::*;
    if let Some(rows) = &csv {
        rows.header(w)?;
    }
    let mut tally = LimitTally::default();
    let mut entries = 0usize;
    // Reused from one window to the next (fresh buffers cost the kernel
    // clearing new pages each time).
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); PARTS_AT_ONCE];
    let parts: Vec<usize> = (0..tree.part_count()).collect();
    for window in parts.chunks(PARTS_AT_ONCE) {
        let done: Vec<Result<(usize, LimitTally)>> = window
            .par_iter()
            .zip(buffers.par_iter_mut())
            .map(|(&i, buf)| {
                buf.clear();
                let part = tree.part(i)?;
                match &csv {
                    Some(rows) => rows.rows(&part, buf)?,
                    None => crate::export::json::write_json(&part, buf, true)?,
                }
                Ok((part.len(), tally_of(&part)))
            })
            .collect();
        for (result, buf) in done.into_iter().zip(&buffers) {
            let (n, part_tally) = result?;
            entries += n;
            tally.extend(part_tally);
            w.write_all(buf)
                .map_err(|e| Error::output("<output>", e.to_string()))?;
        }
    }
    tell(Message::Detail(format!("{name}: {entries} entries")));
    tally.tell(tell);
    Ok(entries)
}

/// Makes the directory fit import text as the reconcile writer does
/// ([`crate::reconcile::fit::Fitter`]): entries over the MS Mail limits are
/// refused (every one listed) unless `truncate` allows cutting full names and
/// mailboxes; characters outside CP850 become `?` when `replace`. Each change
/// is told; a cut mailbox that collides with another address is refused.
pub fn fit_for_import(
    dir: Directory,
    truncate: bool,
    replace: bool,
    tell: &mut dyn FnMut(Message),
) -> Result<Directory> {
    use crate::reconcile::output::{Fitter, OutputOptions};
    let mut refused = Vec::new();
    for e in dir.sorted() {
        for v in e.limit_violations() {
            if !(truncate && matches!(v.field, "full_name" | "mailbox")) {
                refused.push(format!(
                    "  {}: {} of {} characters (limit {})",
                    e.address, v.field, v.length, v.limit
                ));
            }
        }
    }
    if !refused.is_empty() {
        return Err(Error::Unrepresentable(format!(
            "{} entries cannot be written as import text as they are (IMPORT reports \
             Error 72 for a full name over 30 characters, Q104869, and Error 20 for an \
             address part over 10); --truncate-names cuts full names to 30 and mailboxes \
             to 10 characters:\n{}",
            refused.len(),
            refused.join("\n")
        )));
    }
    let fitter = Fitter::new(&OutputOptions {
        truncate_names: truncate,
        replace_unencodable: replace,
        ..OutputOptions::default()
    });
    if fitter.is_identity() {
        return Ok(dir);
    }
    let mut out = Directory::new();
    out.templates = dir.templates.clone();
    for e in dir.sorted() {
        let Some((fitted, changes)) = fitter.fit(e) else {
            out.upsert(e.clone());
            continue;
        };
        if fitted.key() != e.key()
            && (dir.contains_key(&fitted.key()) || out.contains_key(&fitted.key()))
        {
            return Err(Error::Unrepresentable(format!(
                "{}: cut to {}, which another entry already has",
                e.address, fitted.address
            )));
        }
        for c in changes {
            tell(Message::Warn(format!(
                "{}: {} {:?} written as {:?}",
                c.address, c.field, c.from, c.to
            )));
        }
        out.upsert(fitted);
    }
    Ok(out)
}

/// The personal address lists of every source tree (owners in tree order;
/// `only`: one owner's mailbox), each with its owner.
pub fn personal_lists(
    sources: &[NamedSource],
    only: Option<&str>,
    options: &LoadOptions,
    tell: &mut dyn FnMut(Message),
) -> Result<Vec<(Entry, Directory)>> {
    let mut lists: Vec<(Entry, Directory)> = Vec::new();
    for source in sources {
        let name = &source.name;
        require_tree_source(source)?;
        let mut po = crate::tree::PostOffice::open(&source.path, options)?;
        for w in std::mem::take(&mut po.warnings) {
            tell(Message::Warn(format!("{name}: {w}")));
        }
        let found = crate::tree::personal::personal_lists(&po, only, options.salvage)?;
        for w in &found.warnings {
            tell(Message::Warn(format!("{name}: {w}")));
        }
        lists.extend(found.lists.into_iter().map(|l| (l.owner, l.directory)));
    }
    Ok(lists)
}
