//! `msmail batch`: convert many sources at once, each on its own, in parallel.
//!
//! [`collect_sources`] turns arguments, manifest lines and glob patterns into an
//! ordered list; [`output_names`] derives one predictable output name per
//! source; [`run_batch`] converts them on a local rayon pool and returns one
//! [`BatchItem`] per source in input order, which [`write_summary`] records as
//! `summary.json`.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use crate::codepage::cp850_upper;
use crate::error::{Error, Location, Result};
use crate::export::csv::CsvProfile;
use crate::model::Directory;
use crate::output;
use crate::source::{self, LoadOptions};

/// Name of the summary file written into the output folder.
pub const SUMMARY_NAME: &str = "summary.json";

/// Output formats of `msmail batch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// CSV (RFC 4180, UTF-8).
    Csv,
    /// LDIF (RFC 2849).
    Ldif,
    /// JSON document.
    Json,
    /// MS Mail import text (CP850, CR LF).
    Import,
}

impl Target {
    /// File extension of outputs in this format (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            Target::Csv => "csv",
            Target::Ldif => "ldif",
            Target::Json => "json",
            Target::Import => "txt",
        }
    }

    /// The writer format.
    pub fn format(self) -> crate::writer::Format {
        match self {
            Target::Csv => crate::writer::Format::Csv,
            Target::Ldif => crate::writer::Format::Ldif,
            Target::Json => crate::writer::Format::Json,
            Target::Import => crate::writer::Format::Import,
        }
    }

    /// Lower-case name (`csv`, `ldif`, `json`, `import`).
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Csv => "csv",
            Target::Ldif => "ldif",
            Target::Json => "json",
            Target::Import => "import",
        }
    }
}

/// Options of the writers (the same as `msmail export`'s).
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// CSV column layout.
    pub csv_profile: CsvProfile,
    /// Base DN of LDIF output.
    pub base_dn: String,
    /// JSON as one object per line.
    pub ndjson: bool,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            csv_profile: CsvProfile::Default,
            base_dn: crate::export::DEFAULT_BASE_DN.to_string(),
            ndjson: false,
        }
    }
}

impl WriterOptions {
    /// The writers' options.
    pub fn write_options(&self) -> crate::writer::WriteOptions {
        crate::writer::WriteOptions {
            ndjson: self.ndjson,
            ..crate::writer::WriteOptions::new(self.csv_profile, &self.base_dn)
        }
    }

    /// File extension of outputs for `to` with these options (without the dot).
    pub fn extension(&self, to: Target) -> &'static str {
        match to {
            Target::Json if self.ndjson => "ndjson",
            _ => to.extension(),
        }
    }
}

/// Writes `dir` in format `to` with default writer options.
pub fn convert(dir: &Directory, to: Target, w: &mut dyn Write) -> Result<()> {
    convert_with(dir, to, &WriterOptions::default(), w)
}

/// Writes `dir` in format `to` with the given writer options (through
/// [`crate::writer::write_as`], the one dispatch `export` uses too).
pub fn convert_with(
    dir: &Directory,
    to: Target,
    opts: &WriterOptions,
    w: &mut dyn Write,
) -> Result<()> {
    crate::writer::write_as(dir, to.format(), &opts.write_options(), w).map(|_| ())
}

/// One source of a batch, as the user gave it, or a pattern that matched nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// A path to convert.
    Path(PathBuf),
    /// A glob pattern that matched no file (reported as a failure).
    Unmatched(String),
}

impl SourceSpec {
    /// The source as shown in the summary.
    pub fn display(&self) -> String {
        match self {
            SourceSpec::Path(p) => p.display().to_string(),
            SourceSpec::Unmatched(s) => s.clone(),
        }
    }
}

fn is_pattern(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Expands one argument: a glob pattern becomes its matches in sorted order (or
/// `Unmatched`), anything else is taken as a path.
fn expand(arg: &str, out: &mut Vec<SourceSpec>) -> Result<()> {
    if !is_pattern(arg) || Path::new(arg).exists() {
        out.push(SourceSpec::Path(PathBuf::from(arg)));
        return Ok(());
    }
    let paths = glob::glob(arg).map_err(|e| Error::Usage(format!("bad pattern {arg:?}: {e}")))?;
    let mut found: Vec<PathBuf> = paths.filter_map(|p| p.ok()).collect();
    found.sort();
    if found.is_empty() {
        out.push(SourceSpec::Unmatched(arg.to_string()));
    }
    out.extend(found.into_iter().map(SourceSpec::Path));
    Ok(())
}

/// Reads a manifest: one source (path or glob pattern) per line; blank lines and
/// lines starting with `#` are skipped; relative paths are relative to the
/// manifest's folder.
pub fn read_manifest(path: &Path) -> Result<Vec<String>> {
    let bytes = crate::input::read_input(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let (line, column) = crate::codepage::line_column(&bytes, e.valid_up_to());
        Error::input(
            path.display().to_string(),
            Location::Line { line, column },
            "manifest is not UTF-8",
        )
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            if Path::new(l).is_absolute() {
                l.to_string()
            } else {
                base.join(l).display().to_string()
            }
        })
        .collect())
}

/// All sources in input order: manifest lines first, then the arguments; glob
/// patterns expanded (sorted).
pub fn collect_sources(args: &[String], manifest: Option<&Path>) -> Result<Vec<SourceSpec>> {
    let mut out = Vec::new();
    if let Some(m) = manifest {
        for line in read_manifest(m)? {
            expand(&line, &mut out)?;
        }
    }
    for a in args {
        expand(a, &mut out)?;
    }
    Ok(out)
}

/// The base of an output name: the source's file name without its last
/// extension, characters other than ASCII letters, digits, `.`, `_`, `-`
/// replaced by `_`.
fn stem_of(spec: &SourceSpec) -> String {
    let raw = match spec {
        SourceSpec::Path(p) => {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.is_dir() {
                name
            } else {
                match name.rsplit_once('.') {
                    Some((stem, _)) if !stem.is_empty() => stem.to_string(),
                    _ => name,
                }
            }
        }
        SourceSpec::Unmatched(_) => String::from("unmatched"),
    };
    let s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() {
        "source".into()
    } else {
        s
    }
}

/// Output file names, one per source, in input order: `<stem>.<ext>`; when two
/// sources give the same name (compared case-insensitively, so the result is
/// safe on case-insensitive file systems) the later ones get `-2`, `-3`, ...
/// The summary's name is never used.
pub fn output_names(sources: &[SourceSpec], ext: &str) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    used.insert(cp850_upper(SUMMARY_NAME));
    sources
        .iter()
        .map(|s| {
            let stem = stem_of(s);
            let mut name = format!("{stem}.{ext}");
            let mut n = 2;
            while !used.insert(cp850_upper(&name)) {
                name = format!("{stem}-{n}.{ext}");
                n += 1;
            }
            name
        })
        .collect()
}

/// The outcome of one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchItem {
    /// The source as given.
    pub source: String,
    /// `ok` or `failed`.
    pub status: &'static str,
    /// Entries written (0 when failed).
    pub entries: usize,
    /// Output file name inside the output folder (`null` when failed).
    pub output: Option<String>,
    /// Why it failed (`null` when ok).
    pub error: Option<String>,
    /// Process exit code this failure alone would give (`null` when ok).
    pub exit_code: Option<i32>,
    /// Warnings from reading the source.
    pub warnings: Vec<String>,
}

/// Options of one batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Output format.
    pub to: Target,
    /// Output folder.
    pub out_dir: PathBuf,
    /// Worker threads (0 = all cores).
    pub jobs: usize,
    /// Replace existing outputs.
    pub force: bool,
    /// How sources are read.
    pub load: LoadOptions,
    /// How outputs are written.
    pub writer: WriterOptions,
}

fn convert_one(spec: &SourceSpec, name: &str, opts: &BatchOptions) -> BatchItem {
    let fail = |e: Error| BatchItem {
        source: spec.display(),
        status: "failed",
        entries: 0,
        output: None,
        error: Some(e.to_string()),
        exit_code: Some(e.exit_code()),
        warnings: Vec::new(),
    };
    let path = match spec {
        SourceSpec::Path(p) => p,
        SourceSpec::Unmatched(pat) => {
            return fail(Error::Usage(format!("pattern {pat:?} matches no file")))
        }
    };
    let target = opts.out_dir.join(name);
    // Never write over an input, even with --force.
    if let (Ok(x), Ok(y)) = (path.canonicalize(), target.canonicalize()) {
        if x == y {
            return fail(Error::output(&target, "is the source itself"));
        }
    }
    // A whole tree to the default CSV profile or NDJSON: a scope at a time,
    // as `msmail export` writes it (the same bytes as the whole load).
    let write_options = opts.writer.write_options();
    let scoped = crate::convert::ScopedOutput::of(opts.to.format(), &write_options)
        .filter(|_| source::detect(path).ok() == Some(source::SourceKind::Tree));
    let done = match scoped {
        Some(output) => convert_tree(path, &target, name, output, opts),
        None => convert_whole(path, &target, opts),
    };
    match done {
        Ok((entries, warnings)) => BatchItem {
            source: spec.display(),
            status: "ok",
            entries,
            output: Some(name.to_string()),
            error: None,
            exit_code: None,
            warnings,
        },
        Err(e) => fail(e),
    }
}

/// Loads the source at `path` whole and writes it to `target`; gives the
/// entries written and the source's warnings.
fn convert_whole(path: &Path, target: &Path, opts: &BatchOptions) -> Result<(usize, Vec<String>)> {
    let loaded = source::load_directory(path, &opts.load)?;
    write_target(target, opts.force, |w| {
        convert_with(&loaded.directory, opts.to, &opts.writer, w)
    })?;
    Ok((loaded.directory.len(), loaded.warnings))
}

/// Writes the tree at `path` to `target` a scope at a time
/// ([`crate::convert::export_tree`]); gives the entries written and the
/// reader's warnings (the limit lines are not part of a batch item, as for
/// a source loaded whole).
fn convert_tree(
    path: &Path,
    target: &Path,
    name: &str,
    output: crate::convert::ScopedOutput<'_>,
    opts: &BatchOptions,
) -> Result<(usize, Vec<String>)> {
    let mut tree = crate::tree::scoped::ScopedTree::open(path, &opts.load)?;
    let warnings = std::mem::take(&mut tree.warnings);
    let entries = write_target(target, opts.force, |w| {
        crate::convert::export_tree(tree, name, output, w, &mut |_| {})
    })?;
    Ok((entries, warnings))
}

/// Writes `target` atomically with `write` and gives what `write` gives; an
/// error of `write` itself is the error (not the I/O error that carried it
/// out of the atomic write).
fn write_target<T: Default>(
    target: &Path,
    force: bool,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    let mut value = T::default();
    let mut write_err = None;
    let res = output::write_atomic(target, force, |w| match write(w) {
        Ok(v) => {
            value = v;
            Ok(())
        }
        Err(e) => {
            let msg = e.to_string();
            write_err = Some(e);
            Err(std::io::Error::other(msg))
        }
    });
    match (res, write_err) {
        (Ok(()), _) => Ok(value),
        (Err(_), Some(e)) | (Err(e), None) => Err(e),
    }
}

/// Converts every source on a pool of `opts.jobs` threads. `progress` is called
/// once per finished source (from worker threads) with (done, total, item).
/// Returns the items in input order. One failure never stops the others.
pub fn run_batch<F>(
    sources: &[SourceSpec],
    opts: &BatchOptions,
    progress: F,
) -> Result<Vec<BatchItem>>
where
    F: Fn(usize, usize, &BatchItem) + Sync,
{
    use rayon::prelude::*;
    let names = output_names(sources, opts.writer.extension(opts.to));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let done = AtomicUsize::new(0);
    let total = sources.len();
    Ok(pool.install(|| {
        sources
            .par_iter()
            .zip(names.par_iter())
            .map(|(s, n)| {
                let item = convert_one(s, n, opts);
                let d = done.fetch_add(1, Ordering::SeqCst) + 1;
                progress(d, total, &item);
                item
            })
            .collect()
    }))
}

/// The `summary.json` document.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// Output format.
    pub to: &'static str,
    /// Number of sources.
    pub total: usize,
    /// Sources converted.
    pub succeeded: usize,
    /// Sources that failed.
    pub failed: usize,
    /// One item per source, in input order.
    pub sources: &'a [BatchItem],
}

/// Builds the summary of a finished batch.
pub fn summary(to: Target, items: &[BatchItem]) -> Summary<'_> {
    let failed = items.iter().filter(|i| i.status != "ok").count();
    Summary {
        to: to.as_str(),
        total: items.len(),
        succeeded: items.len() - failed,
        failed,
        sources: items,
    }
}

/// Writes `DIR/summary.json` atomically.
pub fn write_summary(out_dir: &Path, force: bool, to: Target, items: &[BatchItem]) -> Result<()> {
    let s = summary(to, items);
    output::write_atomic(&out_dir.join(SUMMARY_NAME), force, |w| {
        serde_json::to_writer_pretty(&mut *w, &s).map_err(std::io::Error::other)?;
        writeln!(w)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> SourceSpec {
        SourceSpec::Path(PathBuf::from(s))
    }

    #[test]
    fn names_are_predictable_and_disambiguated() {
        let srcs = [
            p("a/USERS.TXT"),
            p("b/users.txt"),
            p("c/USERS.IMP"),
            p("d/users-2.txt"),
            p("summary.txt"),
            p("x/we ird$.txt"),
            p(".hidden"),
        ];
        let n = output_names(&srcs, "json");
        assert_eq!(
            n,
            [
                "USERS.json",
                "users-2.json",
                "USERS-3.json",
                "users-2-2.json",
                "summary-2.json",
                "we_ird_.json",
                "hidden.json"
            ]
        );
        // Same input, same names.
        assert_eq!(n, output_names(&srcs, "json"));
    }

    #[test]
    fn manifest_skips_comments_and_resolves_relative_paths() {
        let d = tempfile::tempdir().unwrap();
        let m = d.path().join("list.txt");
        std::fs::write(&m, "# comment\n\none.txt\n  /abs/two.txt  \n").unwrap();
        let v = read_manifest(&m).unwrap();
        assert_eq!(
            v,
            [
                d.path().join("one.txt").display().to_string(),
                "/abs/two.txt".to_string()
            ]
        );
    }

    #[test]
    fn globs_expand_sorted_and_unmatched_is_kept() {
        let d = tempfile::tempdir().unwrap();
        for n in ["b.txt", "a.txt", "c.dat"] {
            std::fs::write(d.path().join(n), "").unwrap();
        }
        let pat = d.path().join("*.txt").display().to_string();
        let none = d.path().join("*.zzz").display().to_string();
        let v = collect_sources(&[pat, none.clone()], None).unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(v[0], SourceSpec::Path(d.path().join("a.txt")));
        assert_eq!(v[1], SourceSpec::Path(d.path().join("b.txt")));
        assert_eq!(v[2], SourceSpec::Unmatched(none));
    }
}
