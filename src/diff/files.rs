//! File comparison: two folders file by file by SHA-256 ([`diff_files`]) and
//! the Dir-Sync files two folders both hold ([`diff_dirsync_files`]).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::codepage::cp850_upper;
use crate::dirsync::{ReqConf, SrvConf};
use crate::error::{Error, Result};
use crate::source::LoadOptions;

use super::{diff_config, diff_transactions, dirsync, NumberChange, Totals, TransactionDiff};

// ----------------------------------------------------------------------- files

/// One file of a tree: relative path (`/`-separated), size, SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileInfo {
    /// Path relative to the tree's root, `/`-separated, as spelled on disk.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
}

/// A file present on both sides (same path, case-insensitive) with other content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// The file in A.
    pub a: FileInfo,
    /// The file in B.
    pub b: FileInfo,
}

/// File-level differences of two folders.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileDiff {
    /// Files in A.
    pub files_a: usize,
    /// Files in B.
    pub files_b: usize,
    /// Files only in A, sorted by upper-cased path.
    pub only_in_a: Vec<FileInfo>,
    /// Files only in B, sorted by upper-cased path.
    pub only_in_b: Vec<FileInfo>,
    /// Same path, other size or content, sorted by upper-cased path.
    pub changed: Vec<FileChange>,
}

impl FileDiff {
    /// True when both folders hold the same files with the same content.
    pub fn is_identical(&self) -> bool {
        self.only_in_a.is_empty() && self.only_in_b.is_empty() && self.changed.is_empty()
    }
}

/// A listed file: (upper-cased key, relative path, full path).
type ListedFile = (String, String, PathBuf);

/// Every regular file under `root` as (upper-cased key, relative path, full path),
/// sorted by key. Symbolic links are not followed.
pub(super) fn list_files(root: &Path) -> Result<Vec<ListedFile>> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| Error::read(&dir, e))?;
        for item in rd {
            let item = item.map_err(|e| Error::read(&dir, e))?;
            let name = item.file_name().to_string_lossy().into_owned();
            let rel_path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let ft = item.file_type().map_err(|e| Error::read(item.path(), e))?;
            if ft.is_dir() {
                stack.push((item.path(), rel_path));
            } else if ft.is_file() {
                out.push((cp850_upper(&rel_path), rel_path, item.path()));
            }
        }
    }
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    Ok(out)
}

/// Size and SHA-256 of one file, streamed.
fn file_info(rel: &str, path: &Path) -> Result<FileInfo> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::read(path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(buf.get(..n).unwrap_or_default());
    }
    let sha256 = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(FileInfo {
        path: rel.to_string(),
        size,
        sha256,
    })
}

/// Compares two folders file by file: relative paths matched case-insensitively
/// (CP850), content by size and SHA-256. Files are hashed in parallel.
pub fn diff_files(a: &Path, b: &Path) -> Result<FileDiff> {
    diff_listed_files(&list_files(a)?, &list_files(b)?)
}

/// [`diff_files`] on two listings made by [`list_files`].
pub(super) fn diff_listed_files(la: &[ListedFile], lb: &[ListedFile]) -> Result<FileDiff> {
    let hash_all = |list: &[ListedFile]| -> Result<Vec<(String, FileInfo)>> {
        list.par_iter()
            .map(|(k, rel, p)| file_info(rel, p).map(|i| (k.clone(), i)))
            .collect()
    };
    let fa = hash_all(la)?;
    let fb = hash_all(lb)?;
    let mut ib: HashMap<&str, &FileInfo> = HashMap::with_capacity(fb.len());
    for (k, i) in &fb {
        ib.entry(k.as_str()).or_insert(i);
    }
    let mut ia: HashMap<&str, &FileInfo> = HashMap::with_capacity(fa.len());
    for (k, i) in &fa {
        ia.entry(k.as_str()).or_insert(i);
    }
    let mut diff = FileDiff {
        files_a: fa.len(),
        files_b: fb.len(),
        ..FileDiff::default()
    };
    for (k, x) in &fa {
        match ib.get(k.as_str()) {
            None => diff.only_in_a.push(x.clone()),
            Some(y) if y.size != x.size || y.sha256 != x.sha256 => diff.changed.push(FileChange {
                a: x.clone(),
                b: (*y).clone(),
            }),
            Some(_) => {}
        }
    }
    for (k, y) in &fb {
        if !ia.contains_key(k.as_str()) {
            diff.only_in_b.push(y.clone());
        }
    }
    Ok(diff)
}

/// Compares two single files by size and SHA-256 (the fallback for kinds
/// without a model comparison). Paths are reported by file name.
pub fn diff_single_files(a: &Path, b: &Path) -> Result<FileDiff> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let fa = file_info(&name(a), a)?;
    let fb = file_info(&name(b), b)?;
    let mut diff = FileDiff {
        files_a: 1,
        files_b: 1,
        ..FileDiff::default()
    };
    if fa.size != fb.size || fa.sha256 != fb.sha256 {
        diff.changed.push(FileChange { a: fa, b: fb });
    }
    Ok(diff)
}

// ------------------------------------------------------ Dir-Sync files in trees

/// What a Dir-Sync file found inside a folder is, for the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DirSyncPart {
    /// A transaction stream (`*TRANS.GLB`, `RESYNC.GLB`).
    Transactions,
    /// `REQCONF.GLB`.
    ReqConf,
    /// `SRVCONF.GLB`.
    SrvConf,
}

/// The Dir-Sync part a file name stands for: the known transaction-stream
/// names, any other `*TRANS.GLB`, `RESYNC.GLB`, `REQCONF.GLB`, `SRVCONF.GLB`
/// (also spelled `SVRCONF.GLB`). By name only (any folder, any case); other
/// files (`PROCESS.GLB` included) are `None`.
pub fn dirsync_part(rel_path: &str) -> Option<DirSyncPart> {
    use crate::dirsync::{DirSyncFileKind, TransKind};
    let base = rel_path.rsplit(['/', '\\']).next().unwrap_or(rel_path);
    if base.to_ascii_uppercase().ends_with("TRANS.GLB") {
        return Some(DirSyncPart::Transactions);
    }
    match TransKind::from_name(base) {
        Some(_) => Some(DirSyncPart::Transactions),
        None => match crate::dirsync::sniff(base, &[]) {
            Some(DirSyncFileKind::ReqConf) => Some(DirSyncPart::ReqConf),
            Some(DirSyncFileKind::SrvConf) => Some(DirSyncPart::SrvConf),
            _ => None,
        },
    }
}

/// The comparison of one Dir-Sync file present in both folders (matched by
/// relative path, case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirSyncFileDiff {
    /// Relative path in A (`/`-separated, as spelled on disk): the label.
    pub path: String,
    /// Relative path in B (the same up to case).
    pub path_b: String,
    /// `transactions`, `reqconf` or `srvconf`.
    pub kind: DirSyncPart,
    /// Transaction streams: the records aligned by sync number.
    pub transactions: Option<TransactionDiff>,
    /// REQCONF/SRVCONF: the numbers that differ (empty when none).
    pub configuration: Option<Vec<NumberChange>>,
}

impl DirSyncFileDiff {
    /// This file's differences as totals (records only in A/B and changed
    /// records, or one `changed` per configuration number).
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        if let Some(x) = &self.transactions {
            t.only_in_a += x.only_in_a.len();
            t.only_in_b += x.only_in_b.len();
            t.changed += x.changed.len();
        }
        if let Some(c) = &self.configuration {
            t.changed += c.len();
        }
        t
    }

    /// True when the two files hold the same records or numbers.
    pub fn is_identical(&self) -> bool {
        self.totals().differences() == 0
    }
}

/// Compares one Dir-Sync file of A with its counterpart in B.
fn diff_dirsync_pair(
    part: DirSyncPart,
    (rel_a, path_a): (&str, &Path),
    (rel_b, path_b): (&str, &Path),
    options: &LoadOptions,
) -> Result<DirSyncFileDiff> {
    let mut d = DirSyncFileDiff {
        path: rel_a.to_string(),
        path_b: rel_b.to_string(),
        kind: part,
        transactions: None,
        configuration: None,
    };
    let read_both = |p: &Path, q: &Path| -> Result<(Vec<u8>, Vec<u8>)> {
        Ok((crate::input::read_input(p)?, crate::input::read_input(q)?))
    };
    let (ba, bb) = read_both(path_a, path_b)?;
    let (na, nb) = (path_a.display().to_string(), path_b.display().to_string());
    match part {
        DirSyncPart::Transactions => {
            let sa = crate::dirsync::read_stream(&ba, &na, options.salvage)?;
            let sb = crate::dirsync::read_stream(&bb, &nb, options.salvage)?;
            d.transactions = Some(diff_transactions(&sa.records, &sb.records));
        }
        DirSyncPart::ReqConf => {
            let ca = dirsync::reqconf_numbers(&ReqConf::read(&ba, &na)?);
            let cb = dirsync::reqconf_numbers(&ReqConf::read(&bb, &nb)?);
            d.configuration = Some(diff_config(&ca, &cb));
        }
        DirSyncPart::SrvConf => {
            let ca = dirsync::srvconf_numbers(&SrvConf::read(&ba, &na)?);
            let cb = dirsync::srvconf_numbers(&SrvConf::read(&bb, &nb)?);
            d.configuration = Some(diff_config(&ca, &cb));
        }
    }
    Ok(d)
}

/// Compares the Dir-Sync files two listings have in common (see
/// [`dirsync_part`]), in parallel, sorted by upper-cased path of A.
pub(super) fn diff_listed_dirsync(
    la: &[ListedFile],
    lb: &[ListedFile],
    options: &LoadOptions,
) -> Result<Vec<DirSyncFileDiff>> {
    let mut ib: HashMap<&str, &ListedFile> = HashMap::new();
    for f in lb {
        if dirsync_part(&f.1).is_some() {
            ib.entry(f.0.as_str()).or_insert(f);
        }
    }
    // `la` is sorted by key, so the pairs (and the results) are too.
    let pairs: Vec<(DirSyncPart, &ListedFile, &ListedFile)> = la
        .iter()
        .filter_map(|fa| {
            let part = dirsync_part(&fa.1)?;
            let fb = ib.remove(fa.0.as_str())?;
            Some((part, fa, fb))
        })
        .collect();
    pairs
        .par_iter()
        .map(|(part, fa, fb)| diff_dirsync_pair(*part, (&fa.1, &fa.2), (&fb.1, &fb.2), options))
        .collect()
}

/// Compares every Dir-Sync file (transaction streams, REQCONF, SRVCONF) that
/// two folders both hold, matched by relative path case-insensitively, each
/// labelled with its path. Files on one side only are left to [`diff_files`].
pub fn diff_dirsync_files(
    a: &Path,
    b: &Path,
    options: &LoadOptions,
) -> Result<Vec<DirSyncFileDiff>> {
    diff_listed_dirsync(&list_files(a)?, &list_files(b)?, options)
}
