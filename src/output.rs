//! Safe output: every file is written to a temporary name beside its target and
//! renamed into place, so a reader never sees half a file and a crash never
//! leaves a truncated output. Existing files are not overwritten without `force`.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where a command's data goes: standard output, or a file written atomically.
#[derive(Debug, Clone)]
pub enum OutputTarget {
    /// Standard output.
    Stdout,
    /// A file path; `force` allows replacing an existing file.
    File {
        /// Target path.
        path: PathBuf,
        /// Replace an existing file.
        force: bool,
    },
}

impl OutputTarget {
    /// `None` or `-` means standard output.
    pub fn from_arg(path: Option<&Path>, force: bool) -> OutputTarget {
        match path {
            None => OutputTarget::Stdout,
            Some(p) if p.as_os_str() == "-" => OutputTarget::Stdout,
            Some(p) => OutputTarget::File {
                path: p.to_path_buf(),
                force,
            },
        }
    }

    /// Runs `write` against a buffered writer for this target, then commits
    /// (flush for stdout, rename for files).
    pub fn write_with<F>(&self, write: F) -> Result<()>
    where
        F: FnOnce(&mut dyn Write) -> io::Result<()>,
    {
        match self {
            OutputTarget::Stdout => {
                let stdout = io::stdout();
                let mut w = BufWriter::new(stdout.lock());
                match write(&mut w).and_then(|_| w.flush()) {
                    Ok(()) => Ok(()),
                    // A closed pipe (`| head`) is not an error for the user.
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                    Err(e) => Err(Error::output("<stdout>", e.to_string())),
                }
            }
            OutputTarget::File { path, force } => write_atomic(path, *force, write),
        }
    }

    /// Like [`write_with`](Self::write_with) for a text view meant for a
    /// terminal: every control character but LF and TAB is escaped on the way
    /// ([`crate::escape::ViewWriter`]), so no value from the data can send escape sequences to
    /// the terminal.
    pub fn write_view<F>(&self, write: F) -> Result<()>
    where
        F: FnOnce(&mut dyn Write) -> io::Result<()>,
    {
        self.write_with(|w| {
            let mut v = crate::escape::ViewWriter::new(w);
            write(&mut v)?;
            v.finish()
        })
    }
}

/// The one wording of "the output exists": `PATH: already exists; use
/// --force to replace it` (exit 4).
pub fn already_exists(path: &Path) -> Error {
    Error::output(path, "already exists; use --force to replace it")
}

/// Writes a file atomically: a temporary file in the same folder, then a rename.
/// Refuses to replace an existing file unless `force`.
pub fn write_atomic<F>(path: &Path, force: bool, write: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    if !force && path.exists() {
        return Err(already_exists(path));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|e| Error::output(&dir, e.to_string()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".msmail-")
        .tempfile_in(&dir)
        .map_err(|e| Error::output(path, format!("cannot create temporary file: {e}")))?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        write(&mut w)
            .and_then(|_| w.flush())
            .map_err(|e| Error::output(path, e.to_string()))?;
    }
    // tempfile creates 0600 files; outputs are ordinary files (0644 less the umask
    // is not knowable portably, so 0644, the usual default).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(fs::Permissions::from_mode(0o644));
    }
    let result = if force {
        tmp.persist(path).map(|_| ())
    } else {
        tmp.persist_noclobber(path).map(|_| ())
    };
    result.map_err(|e| Error::output(path, e.error.to_string()))
}

/// Writes bytes to a file atomically (see [`write_atomic`]).
pub fn write_bytes_atomic(path: &Path, force: bool, bytes: &[u8]) -> Result<()> {
    write_atomic(path, force, |w| w.write_all(bytes))
}

/// The absolute form of a path that may not exist yet: its nearest existing
/// ancestor canonicalised, the rest appended.
fn absolute(path: &Path) -> Option<PathBuf> {
    let mut probe = path.to_path_buf();
    let mut tail = Vec::new();
    let base = loop {
        match probe.canonicalize() {
            Ok(c) => break c,
            Err(_) => match (probe.file_name(), probe.parent()) {
                (Some(n), Some(p)) => {
                    tail.push(n.to_os_string());
                    probe = if p.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        p.to_path_buf()
                    };
                }
                _ => return None,
            },
        }
    };
    Some(tail.iter().rev().fold(base, |acc, n| acc.join(n)))
}

/// The MAILDATA tree a path lies in (a folder with `GLB/MASTER.GLB` among
/// the path itself and its three nearest ancestors).
fn enclosing_tree(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .take(4)
        .find(|a| a.is_dir() && crate::input::is_tree_folder(a))
        .map(Path::to_path_buf)
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

/// Refuses an output that would touch an input, whatever `--force` says
/// (exit 4): the output is an input (also through a link), lies inside an
/// input folder, holds an input, or lies inside the MAILDATA tree an input
/// file belongs to. `what` names the option (`-o`, `--out`, `--report`).
pub fn check_not_input(output: &Path, inputs: &[&Path], what: &str) -> Result<()> {
    let Some(out) = absolute(output) else {
        return Ok(());
    };
    for input in inputs {
        let Ok(ic) = input.canonicalize() else {
            continue;
        };
        let tree = enclosing_tree(&ic);
        let why = if out == ic || same_file(output, &ic) {
            Some(format!("is the input {}", input.display()))
        } else if ic.is_dir() && out.starts_with(&ic) {
            Some(format!("lies inside the input {}", input.display()))
        } else if ic.starts_with(&out) {
            Some(format!("holds the input {}", input.display()))
        } else {
            tree.filter(|t| out.starts_with(t)).map(|t| {
                format!(
                    "lies inside the MAILDATA tree {} of the input {}",
                    t.display(),
                    input.display()
                )
            })
        };
        if let Some(why) = why {
            return Err(Error::output(
                output,
                format!(
                    "{what} {why}: inputs are never written, not even with --force; choose an \
                     output outside every input"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_may_not_touch_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("MAILDATA");
        std::fs::create_dir_all(tree.join("GLB")).unwrap();
        std::fs::write(tree.join("GLB/MASTER.GLB"), b"x").unwrap();
        let mst = tree.join("GLB/MSTTRANS.GLB");
        std::fs::write(&mst, b"x").unwrap();
        let ev = dir.path().join("ev.txt");
        std::fs::write(&ev, b"x").unwrap();
        let refused = |out: &Path, inputs: &[&Path]| {
            check_not_input(out, inputs, "-o").map_err(|e| e.exit_code())
        };
        assert_eq!(refused(&mst, &[&mst]), Err(4));
        assert_eq!(refused(&tree.join("GLB/x.txt"), &[&mst]), Err(4));
        assert_eq!(refused(&tree.join("out.csv"), &[&tree]), Err(4));
        assert_eq!(refused(dir.path(), &[&ev]), Err(4));
        assert_eq!(refused(&ev, &[&ev]), Err(4));
        let link = dir.path().join("link.txt");
        std::fs::hard_link(&ev, &link).unwrap();
        assert_eq!(refused(&link, &[&ev]), Err(4));
        assert_eq!(refused(&dir.path().join("out.csv"), &[&ev, &tree]), Ok(()));
        assert_eq!(
            refused(&dir.path().join("new/deep/o"), &[&ev, &mst]),
            Ok(())
        );
    }

    #[test]
    fn atomic_write_refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_bytes_atomic(&p, false, b"one").unwrap();
        let err = write_bytes_atomic(&p, false, b"two").unwrap_err();
        assert_eq!(err.exit_code(), 4);
        assert_eq!(fs::read(&p).unwrap(), b"one");
        write_bytes_atomic(&p, true, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        // No temporary files left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
