//! Forensic comparison of two sources of the same kind (`msmail diff`).
//!
//! The engines compare model values, never file bytes, except [`diff_files`]
//! which compares two folders file by file. Every engine is linear in the size
//! of its inputs (hash maps for matching, one sort of the differences for
//! output) and every list it returns is in a deterministic order.
//!
//! - [`diff_directories`]: address lists scope by scope, entries keyed by
//!   address (CP850 case-insensitive).
//! - [`diff_transactions`]: transaction streams aligned by sync number.
//! - [`diff_config`]: configuration numbers (Sync, cycle, per-requestor
//!   ReqSync/SrvSync/ImpSync).
//! - [`diff_files`]: files present on one side only or with other content.
//! - [`diff_dirsync_files`]: the Dir-Sync files two folders both hold, each
//!   compared as above and labelled with its relative path.
//!
//! [`DiffReport`] bundles them for the renderers [`text`], [`json`] and [`html`].

use std::path::Path;

use serde::Serialize;

use crate::dirsync::{ReqConf, SrvConf, TransStream};
use crate::error::{Error, Location, Result};
use crate::model::Directory;
use crate::source::{self, LoadOptions, SourceKind};
use crate::tree::scoped::ScopedTree;

use files::{diff_listed_dirsync, diff_listed_files, list_files};

mod config;
mod directories;
pub mod dirsync;
mod files;
pub mod html;
pub mod json;
mod scoped;
pub mod text;
mod transactions;

pub use config::{diff_config, ConfigNumbers, NumberChange, RequestorNumbers};
pub use directories::{
    diff_directories, entry_changes, ChangedEntry, Counts, DirectoryDiff, EntryRef, FieldChange,
    Renamed, ScopeDiff, TemplateDefChange,
};
pub use files::{
    diff_dirsync_files, diff_files, diff_single_files, dirsync_part, DirSyncFileDiff, DirSyncPart,
    FileChange, FileDiff, FileInfo,
};
pub use html::field_label;
pub use scoped::diff_trees;
pub use transactions::{
    diff_transactions, SyncRecord, Transaction, TransactionChange, TransactionDiff, TransactionRef,
};

// ---------------------------------------------------------------------- report

/// Totals over every part of a report (the numbers the summary shows first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Items only in A (entries, transactions, files).
    pub only_in_a: usize,
    /// Items only in B.
    pub only_in_b: usize,
    /// Address renames.
    pub renamed: usize,
    /// Items on both sides with other content (entries, transactions, files,
    /// configuration numbers, template definitions).
    pub changed: usize,
}

impl Totals {
    /// Sum of all differences.
    pub fn differences(&self) -> usize {
        self.only_in_a + self.only_in_b + self.renamed + self.changed
    }
}

/// A whole comparison: what was compared and every part that applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffReport {
    /// Kind of the two sources (`import-text`, `tree`, ...).
    pub kind: String,
    /// Source A as the user named it.
    pub a: String,
    /// Source B as the user named it.
    pub b: String,
    /// True when nothing differs.
    pub identical: bool,
    /// Totals over all parts.
    pub totals: Totals,
    /// Address-list differences.
    pub directory: Option<DirectoryDiff>,
    /// Transaction-stream differences.
    pub transactions: Option<TransactionDiff>,
    /// Configuration-number differences.
    pub configuration: Option<Vec<NumberChange>>,
    /// File-level differences (folders).
    pub files: Option<FileDiff>,
    /// Folders: the Dir-Sync files both hold, each compared and labelled with
    /// its relative path (`None` for single files).
    pub dirsync: Option<Vec<DirSyncFileDiff>>,
}

impl DiffReport {
    /// Builds a report from its parts and computes `identical` and `totals`.
    pub fn new(
        kind: impl Into<String>,
        a: impl Into<String>,
        b: impl Into<String>,
        directory: Option<DirectoryDiff>,
        transactions: Option<TransactionDiff>,
        configuration: Option<Vec<NumberChange>>,
        files: Option<FileDiff>,
    ) -> DiffReport {
        let mut r = DiffReport {
            kind: kind.into(),
            a: a.into(),
            b: b.into(),
            identical: true,
            totals: Totals::default(),
            directory,
            transactions,
            configuration,
            files,
            dirsync: None,
        };
        r.recount();
        r
    }

    /// Adds the labelled Dir-Sync file comparisons of two folders and updates
    /// `identical` and `totals`.
    pub fn with_dirsync(mut self, dirsync: Vec<DirSyncFileDiff>) -> DiffReport {
        self.dirsync = Some(dirsync);
        self.recount();
        self
    }

    /// Recomputes `totals` and `identical` from the parts: each part counts its
    /// own differences (an edit can show in several parts, e.g. a transaction
    /// added to MSTTRANS.GLB is a record only in B and a changed file).
    fn recount(&mut self) {
        let mut t = Totals::default();
        if let Some(d) = &self.directory {
            t.only_in_a += d.totals.only_in_a;
            t.only_in_b += d.totals.only_in_b;
            t.renamed += d.totals.renamed;
            t.changed += d.totals.changed;
            t.changed += d
                .scopes
                .iter()
                .filter(|s| s.template_definition.is_some())
                .count();
        }
        if let Some(x) = &self.transactions {
            t.only_in_a += x.only_in_a.len();
            t.only_in_b += x.only_in_b.len();
            t.changed += x.changed.len();
        }
        if let Some(c) = &self.configuration {
            t.changed += c.len();
        }
        if let Some(f) = &self.files {
            t.only_in_a += f.only_in_a.len();
            t.only_in_b += f.only_in_b.len();
            t.changed += f.changed.len();
        }
        for d in self.dirsync.iter().flatten() {
            let x = d.totals();
            t.only_in_a += x.only_in_a;
            t.only_in_b += x.only_in_b;
            t.changed += x.changed;
        }
        self.totals = t;
        self.identical = t.differences() == 0;
    }
}

/// The kind name used in reports (`import-text`, `dir-sync-transactions`, ...).
pub fn kind_name(kind: SourceKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}

fn same_kind(
    a: &Path,
    b: &Path,
    ka: SourceKind,
    kb: SourceKind,
    options: &LoadOptions,
) -> Result<()> {
    if ka == kb {
        return Ok(());
    }
    // A side taken for import text only because nothing else matched, and
    // that does not read as import text either, is damaged: its error, with
    // line and column, says why (exit 3).
    for (p, k) in [(a, ka), (b, kb)] {
        if k == SourceKind::ImportText {
            source::load_directory(p, options)?;
        }
    }
    // Import text is what text without the marks of a more specific kind is
    // taken for. When the other side is a text kind known by such marks (a
    // `[DIRSYNC]` section, a GIMPORT line, msmail's CSV header), the side read
    // as import text most likely lost them to damage: an input error, not a
    // usage error.
    let marked = |k: SourceKind| {
        matches!(
            k,
            SourceKind::DirSyncMessage | SourceKind::GroupFile | SourceKind::Csv
        )
    };
    let fallback = match (ka, kb) {
        (SourceKind::ImportText, k) if marked(k) => Some((a, b, k)),
        (k, SourceKind::ImportText) if marked(k) => Some((b, a, k)),
        _ => None,
    };
    if let Some((damaged, other, k)) = fallback {
        return Err(Error::input(
            damaged.display().to_string(),
            Location::File,
            format!(
                "not recognised as {what} like {other}: it lacks the {marks}, so it reads as \
                 import text; the file is damaged (e.g. truncated) or not the same kind of \
                 file as {other}",
                what = kind_name(k),
                other = other.display(),
                marks = match k {
                    SourceKind::DirSyncMessage => "`[DIRSYNC]` section of a Dir-Sync message",
                    SourceKind::GroupFile => "`G`/`R`/`P` lines of a GIMPORT group file",
                    _ => "header row of a CSV msmail wrote",
                },
            ),
        ));
    }
    Err(Error::Usage(format!(
        "{} is {} but {} is {}: diff compares two sources of the same kind",
        a.display(),
        kind_name(ka),
        b.display(),
        kind_name(kb)
    )))
}

/// Loads both sources at once (two threads); A's error wins when both fail.
fn load_both(a: &Path, b: &Path, options: &LoadOptions) -> Result<(Directory, Directory)> {
    let (ra, rb) = rayon::join(
        || source::load_directory(a, options),
        || source::load_directory(b, options),
    );
    Ok((ra?.directory, rb?.directory))
}

fn read_stream(path: &Path, options: &LoadOptions) -> Result<(TransStream, Directory)> {
    let file = path.display().to_string();
    let bytes = crate::input::read_input(path)?;
    let stream = crate::dirsync::read_stream(&bytes, &file, options.salvage)?;
    drop(bytes);
    let mut dir = Directory::new();
    stream.apply_to(&mut dir, &file)?;
    Ok((stream, dir))
}

/// Compares two sources (the engine behind `msmail diff`).
///
/// Two folders: file-level comparison, every Dir-Sync file both hold (see
/// [`diff_dirsync_files`]), plus the address lists when both are recognised as
/// sources of the same kind. Two files: both must be of the same
/// kind (else [`Error::Usage`]); import text gives the address lists,
/// transaction streams the address lists and the records aligned by sync
/// number, REQCONF/SRVCONF their numbers, other kinds a size/SHA-256 comparison.
pub fn compare_sources(a: &Path, b: &Path, options: &LoadOptions) -> Result<DiffReport> {
    for p in [a, b] {
        if !p.exists() {
            return Err(Error::read(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            ));
        }
    }
    let (name_a, name_b) = (a.display().to_string(), b.display().to_string());
    match (a.is_dir(), b.is_dir()) {
        (true, true) => {
            let (la, lb) = (list_files(a)?, list_files(b)?);
            let files = diff_listed_files(&la, &lb)?;
            let dirsync = diff_listed_dirsync(&la, &lb, options)?;
            let (kind, directory) = match (source::detect(a), source::detect(b)) {
                // Two trees: compared a scope at a time.
                (Ok(SourceKind::Tree), Ok(SourceKind::Tree)) => {
                    let (ta, tb) = rayon::join(
                        || ScopedTree::open(a, options),
                        || ScopedTree::open(b, options),
                    );
                    let d = diff_trees(ta?, tb?)?;
                    (kind_name(SourceKind::Tree), Some(d))
                }
                (Ok(ka), Ok(kb)) => {
                    same_kind(a, b, ka, kb, options)?;
                    let (da, db) = load_both(a, b, options)?;
                    let d = diff_directories(&da, &db);
                    (kind_name(ka), Some(d))
                }
                // Folders msmail does not recognise as a source: files only.
                _ => ("folder".to_string(), None),
            };
            Ok(
                DiffReport::new(kind, name_a, name_b, directory, None, None, Some(files))
                    .with_dirsync(dirsync),
            )
        }
        (false, false) => {
            let ka = source::detect(a)?;
            let kb = source::detect(b)?;
            same_kind(a, b, ka, kb, options)?;
            let kind = kind_name(ka);
            let report = |d, t, c, f| DiffReport::new(kind.clone(), &name_a, &name_b, d, t, c, f);
            match ka {
                SourceKind::ImportText => {
                    let (da, db) = load_both(a, b, options)?;
                    let d = diff_directories(&da, &db);
                    Ok(report(Some(d), None, None, None))
                }
                SourceKind::DirSyncTransactions => {
                    let (ra, rb) =
                        rayon::join(|| read_stream(a, options), || read_stream(b, options));
                    let ((sa, da), (sb, db)) = (ra?, rb?);
                    let d = diff_directories(&da, &db);
                    let t = diff_transactions(&sa.records, &sb.records);
                    Ok(report(Some(d), Some(t), None, None))
                }
                SourceKind::ReqConf => {
                    let read = |p: &Path| -> Result<ConfigNumbers> {
                        let bytes = crate::input::read_input(p)?;
                        let c = ReqConf::read(&bytes, &p.display().to_string())?;
                        Ok(dirsync::reqconf_numbers(&c))
                    };
                    Ok(report(
                        None,
                        None,
                        Some(diff_config(&read(a)?, &read(b)?)),
                        None,
                    ))
                }
                SourceKind::SrvConf => {
                    let read = |p: &Path| -> Result<ConfigNumbers> {
                        let bytes = crate::input::read_input(p)?;
                        let c = SrvConf::read(&bytes, &p.display().to_string())?;
                        Ok(dirsync::srvconf_numbers(&c))
                    };
                    Ok(report(
                        None,
                        None,
                        Some(diff_config(&read(a)?, &read(b)?)),
                        None,
                    ))
                }
                #[allow(unreachable_patterns)]
                _ => Ok(report(None, None, None, Some(diff_single_files(a, b)?))),
            }
        }
        _ => {
            // A folder standing for the one file it holds is that file; a
            // side that is not a source at all (a damaged folder or file) is
            // an input error; two sources of different kinds, a usage error.
            let (ra, rb) = (source::resolve(a), source::resolve(b));
            if ra.is_dir() == rb.is_dir() {
                return compare_sources(&ra, &rb, options);
            }
            let ka = source::detect(a)?;
            let kb = source::detect(b)?;
            same_kind(a, b, ka, kb, options)?;
            Err(Error::Usage(format!(
                "one of {name_a} and {name_b} is a folder and the other a file: diff compares two sources of the same kind"
            )))
        }
    }
}

#[cfg(test)]
mod tests;
