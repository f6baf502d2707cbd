//! Output files: atomic writes with a SHA-256 per file, the output-folder
//! checks (empty, not an input), the listing of a tree and the final move
//! of the temporary folder into place.

use crate::error::{Error, Result};
use crate::reconcile::WrittenFile;
use sha2::{Digest, Sha256};
use std::io;
use std::io::Write;
use std::path::Path;

/// A writer that hashes what passes through it.
pub(super) struct HashingWriter<'a> {
    inner: &'a mut dyn Write,
    hasher: Sha256,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Writes `rel` under `out` atomically and returns its hash; `write` produces
/// the content (errors it returns as `Error` are kept).
pub(super) fn write_file<F>(out: &Path, rel: &str, force: bool, write: F) -> Result<WrittenFile>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let path = out.join(rel);
    let mut hash = None;
    let mut inner_err = None;
    crate::output::write_atomic(&path, force, |w| {
        let mut hw = HashingWriter {
            inner: w,
            hasher: Sha256::new(),
        };
        if let Err(e) = write(&mut hw) {
            inner_err = Some(e);
            return Err(io::Error::other("content error"));
        }
        hash = Some(hex(&hw.hasher.finalize()));
        Ok(())
    })
    .map_err(|e| inner_err.take().unwrap_or(e))?;
    Ok(WrittenFile {
        path: rel.to_string(),
        sha256: hash.unwrap_or_default(),
    })
}

pub(super) fn write_bytes(out: &Path, rel: &str, force: bool, bytes: &[u8]) -> Result<WrittenFile> {
    crate::output::write_bytes_atomic(&out.join(rel), force, bytes)?;
    Ok(WrittenFile {
        path: rel.to_string(),
        sha256: sha256_hex(bytes),
    })
}

/// Refuses an output folder that exists and is not empty, unless `force`.
pub fn check_out_dir(out: &Path, force: bool) -> Result<()> {
    if force || !out.exists() {
        return Ok(());
    }
    let mut rd = std::fs::read_dir(out).map_err(|e| Error::output(out, e.to_string()))?;
    if rd.next().is_some() {
        return Err(Error::output(
            out,
            "exists and is not empty; use --force to write into it",
        ));
    }
    Ok(())
}

/// Refuses an output folder that overlaps an input: inside the server tree
/// or any requestor source, or holding one of them (its `server/` copy or
/// its files could land on an input). See [`crate::output::check_not_input`].
pub fn check_out_not_input(out: &Path, inputs: &[&Path]) -> Result<()> {
    crate::output::check_not_input(out, inputs, "--out")
}

/// Every file under `root`, as `/`-separated relative paths, sorted.
pub(super) fn list_tree(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| Error::read(&dir, e))?;
        for ent in rd {
            let ent = ent.map_err(|e| Error::read(&dir, e))?;
            let name = ent.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let path = ent.path();
            let ft = ent.file_type().map_err(|e| Error::read(&path, e))?;
            // Links to folders are not followed (no loops); links to files are
            // copied as files.
            if ft.is_dir() {
                stack.push((path, rel));
            } else if ft.is_file() || (ft.is_symlink() && path.is_file()) {
                out.push(rel);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub(super) fn relative(root: &Path, p: &Path) -> Option<String> {
    let r = p.strip_prefix(root).ok()?;
    let parts: Vec<String> = r
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// Renames the finished temporary folder to `target` (an absent or empty
/// `target`), or moves its files into a non-empty one (`--force`).
pub(super) fn move_into_place(
    tmp: tempfile::TempDir,
    target: &Path,
    written: &[WrittenFile],
) -> Result<()> {
    let empty = match std::fs::read_dir(target) {
        Ok(mut rd) => rd.next().is_none(),
        Err(_) => {
            if target.exists() {
                return Err(Error::output(target, "exists and is not a folder"));
            }
            true
        }
    };
    if empty {
        if target.exists() {
            std::fs::remove_dir(target).map_err(|e| Error::output(target, e.to_string()))?;
        }
        let from = tmp.keep();
        return std::fs::rename(&from, target).map_err(|e| {
            let _ = std::fs::remove_dir_all(&from);
            Error::output(
                target,
                format!("cannot move the finished output into place: {e}"),
            )
        });
    }
    let mut rels: Vec<&str> = written.iter().map(|w| w.path.as_str()).collect();
    rels.push("report.json");
    for rel in rels {
        let (from, to) = (tmp.path().join(rel), target.join(rel));
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, e.to_string()))?;
        }
        std::fs::rename(&from, &to).map_err(|e| Error::output(&to, e.to_string()))?;
    }
    Ok(())
}
