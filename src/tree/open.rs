//! The file set of a tree: case-insensitive paths (one listing per folder),
//! required and optional files, and the reader's context.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::origins::Origins;
use super::Ctx;
use crate::error::{Error, Location, Result};
use crate::input::read_input;

/// Folder listings by folder (see [`Reader::listings`]).
pub(super) type Listings =
    std::sync::Arc<std::sync::Mutex<HashMap<PathBuf, HashMap<String, PathBuf>>>>;

/// Which of GAL.NME's entries the reader keeps in `PostOfficeData::gal`
/// (every record is checked either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GalEntries {
    /// Every entry: for the GAL view, `inspect` and the writers.
    All,
    /// Only the entries whose address no list read before the GAL holds
    /// (local users, groups, USR lists, the POL's externals): all that the
    /// whole-directory view takes from the GAL (a million fewer entries held
    /// on a large network, where the GAL repeats the lists).
    Unlisted,
    /// None: reconcile rebuilds the GAL from the merged lists.
    None,
}

pub(super) struct Reader<'a> {
    pub(super) root: &'a Path,
    pub(super) ctx: Ctx,
    pub(super) unrepresentable: usize,
    pub(super) origins: Origins,
    /// Folder listings by folder, upper-cased name → path: each folder is
    /// listed at most once, so name lookups stay linear in the tree size
    /// (shared with the readers of lists read beside each other).
    pub(super) listings: Listings,
    /// Which of GAL.NME's entries are kept in `PostOfficeData::gal` (every
    /// record is checked either way).
    pub(super) gal_entries: GalEntries,
    /// Record where each USR entry was read from (`Origins::usr`): for the
    /// views that name origins; the lean load (reconcile) names none.
    pub(super) keep_usr_origins: bool,
    /// The scoped read ([`super::scoped`]): each USR list's keys and what
    /// the scoped writer must know of it, instead of its entries (which are
    /// read again a postoffice at a time). `None`: entries are kept.
    pub(super) usr_keys: Option<super::scoped::UsrKeys>,
}

impl Reader<'_> {
    /// `rel` under the root, every component matched case-insensitively
    /// (exact spelling first, then one cached listing per folder).
    pub(super) fn path(&self, rel: &str) -> Option<PathBuf> {
        let mut cur = self.root.to_path_buf();
        for part in rel.split(['/', '\\']).filter(|p| !p.is_empty()) {
            let exact = cur.join(part);
            if exact.exists() {
                cur = exact;
                continue;
            }
            // A poisoned lock only means another list's reader panicked
            // while listing; the map is still a valid cache.
            let mut cache = self
                .listings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let listing = cache.entry(cur.clone()).or_insert_with(|| {
                let mut m = HashMap::new();
                let mut names: Vec<PathBuf> = std::fs::read_dir(&cur)
                    .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
                    .unwrap_or_default();
                names.sort();
                for p in names {
                    if let Some(n) = p.file_name().and_then(|n| n.to_str()) {
                        m.entry(n.to_ascii_uppercase()).or_insert(p);
                    }
                }
                m
            });
            cur = listing.get(&part.to_ascii_uppercase())?.clone();
        }
        Some(cur)
    }
    pub(super) fn shown(&self, rel: &str) -> String {
        self.path(rel)
            .unwrap_or_else(|| self.root.join(rel))
            .display()
            .to_string()
    }
    /// A required file: missing, or a folder in its place, is an input error.
    pub(super) fn required(&self, rel: &str) -> Result<(String, Vec<u8>)> {
        match self.path(rel) {
            Some(p) if p.is_file() => Ok((p.display().to_string(), read_input(&p)?)),
            Some(p) if p.is_dir() => Err(Error::input(
                p.display().to_string(),
                Location::File,
                "a folder where the postoffice tree needs this file",
            )),
            _ => Err(
                super::validate::missing_required(&self.root.join(rel).display().to_string())
                    .to_error(),
            ),
        }
    }
    /// A file that may be absent. A folder in its place is damage (an error,
    /// or with salvage a warning and no file), never read as "absent".
    pub(super) fn optional(&mut self, rel: &str) -> Result<Option<(String, Vec<u8>)>> {
        match self.optional_path(rel)? {
            Some((shown, p)) => Ok(Some((shown, read_input(&p)?))),
            None => Ok(None),
        }
    }
    /// [`Reader::optional`] without reading the file: its shown name and
    /// path, for a file read a part at a time.
    pub(super) fn optional_path(&mut self, rel: &str) -> Result<Option<(String, PathBuf)>> {
        match self.path(rel) {
            Some(p) if p.is_file() => Ok(Some((p.display().to_string(), p))),
            Some(p) if p.is_dir() => {
                self.ctx.damage(
                    &p.display().to_string(),
                    Location::File,
                    "a folder where the postoffice tree has a file: read as damaged, not as absent",
                )?;
                Ok(None)
            }
            _ => Ok(None),
        }
    }
    /// True when `rel` names something (file or folder) under the root.
    pub(super) fn present(&self, rel: &str) -> bool {
        self.path(rel).is_some()
    }
    /// True when folder `rel` holds at least one file.
    pub(super) fn folder_has_files(&self, rel: &str) -> bool {
        self.path(rel)
            .filter(|p| p.is_dir())
            .and_then(|p| std::fs::read_dir(p).ok())
            .is_some_and(|mut rd| rd.any(|e| e.is_ok_and(|e| e.path().is_file())))
    }
    pub(super) fn unrepresentable(&mut self, msg: String) {
        self.unrepresentable += 1;
        self.ctx
            .warn(format!("not representable in profile v1: {msg}"));
    }
}

pub(super) fn rec_loc(index: usize, size: usize, header: usize) -> Location {
    Location::Record {
        index: index as u64,
        offset: (header + index * size) as u64,
    }
}
