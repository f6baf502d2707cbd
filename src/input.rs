//! The input side's plumbing, below every format: reading an input file
//! read-only ([`read_input`], [`read_head`]), finding a file in a tree from
//! DOS/NetWare servers ([`find_case_insensitive`]), the options every reader
//! takes ([`LoadOptions`]) and what a loader returns ([`Loaded`]), and the
//! checks that refuse a missing input, a folder for a file or a folder that
//! is no MAILDATA tree in the same words everywhere.
//!
//! Recognising an input by name and content is `source`'s job;
//! this module knows no format, so every format (the tree readers too) may
//! use it.

use std::fs;
use std::path::{Path, PathBuf};

use crate::codepage::TextEncoding;
use crate::error::{Error, Location, Result};
use crate::model::Directory;

/// Options for reading sources.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Encoding of text inputs.
    pub encoding: TextEncoding,
    /// Read past damaged records instead of stopping.
    pub salvage: bool,
}

/// A loaded source: its directory and anything the user should be told.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The entries.
    pub directory: Directory,
    /// Warnings (skipped damage, duplicates, limits), one sentence each.
    pub warnings: Vec<String>,
}

/// Reads a whole input file (read-only), mapping failures to input errors.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| Error::read(path, e))
}

/// Bytes [`read_head`] reads: enough to recognise any kind.
pub const HEAD_LEN: u64 = 70_000;

/// The first [`HEAD_LEN`] bytes of a file: enough to recognise any kind.
pub fn read_head(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    fs::File::open(path)
        .and_then(|f| {
            // The exact room up front: reading a few hundred heads into
            // growing vectors cleared fresh pages for every regrowth.
            let len = f.metadata().map_or(0, |m| m.len()).min(HEAD_LEN);
            head.reserve_exact(len as usize);
            f.take(HEAD_LEN).read_to_end(&mut head)
        })
        .map_err(|e| Error::read(path, e))?;
    Ok(head)
}

/// Finds `relative` (e.g. `GLB/MASTER.GLB`) under `dir`, matching every path
/// component case-insensitively (MS Mail trees come from DOS/NetWare servers).
pub fn find_case_insensitive(dir: &Path, relative: &str) -> Option<PathBuf> {
    let mut cur = dir.to_path_buf();
    for part in relative.split(['/', '\\']).filter(|p| !p.is_empty()) {
        let exact = cur.join(part);
        if exact.exists() {
            cur = exact;
            continue;
        }
        // The first match in sorted order (deterministic when a folder holds
        // several spellings), found in one scan: sorting the whole listing
        // made every lookup in a folder of N entries cost N log N, and
        // reconcile looks up a tree in the parent of each of its inputs.
        let found: Option<PathBuf> = fs::read_dir(&cur)
            .ok()?
            .filter_map(|e| {
                let e = e.ok()?;
                let name = e.file_name();
                name.to_str()?.eq_ignore_ascii_case(part).then(|| e.path())
            })
            .min();
        cur = found?;
    }
    Some(cur)
}

/// Is `dir` a MAILDATA tree (`GLB/MASTER.GLB`, any case)?
pub fn is_tree_folder(dir: &Path) -> bool {
    find_case_insensitive(dir, "GLB/MASTER.GLB").is_some()
}

/// The one wording of a missing input: `PATH: cannot read: no such file or
/// folder` (exit 3).
pub fn require_exists(path: &Path) -> Result<()> {
    // `symlink_metadata`: a dangling link exists, and its reader says why it
    // cannot be read.
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(()),
        Err(e) => Err(Error::read(path, e)),
    }
}

/// An input that must be one file: missing and folder are refused in the
/// same words everywhere (`PATH: cannot read: is a folder, not a file`).
pub fn require_file(path: &Path) -> Result<()> {
    require_exists(path)?;
    if path.is_dir() {
        return Err(Error::read(
            path,
            std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a folder"),
        ));
    }
    Ok(())
}

/// An input that must be a MAILDATA tree: missing, a file, and a folder
/// without `GLB/MASTER.GLB` are refused in the same words everywhere.
pub fn require_tree(path: &Path) -> Result<()> {
    require_exists(path)?;
    if !path.is_dir() {
        return Err(Error::input(
            path.display().to_string(),
            Location::File,
            "a file, not a folder: a MAILDATA tree is a folder with GLB/MASTER.GLB",
        ));
    }
    if find_case_insensitive(path, "GLB/MASTER.GLB").is_none() {
        return Err(Error::input(
            path.display().to_string(),
            Location::File,
            NOT_A_TREE,
        ));
    }
    Ok(())
}

/// The words of "this folder is not a MAILDATA tree" (as `source::detect`
/// says it).
pub const NOT_A_TREE: &str = "a folder without GLB/MASTER.GLB is not a MAILDATA tree";
