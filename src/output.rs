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
}

/// Writes a file atomically: a temporary file in the same folder, then a rename.
/// Refuses to replace an existing file unless `force`.
pub fn write_atomic<F>(path: &Path, force: bool, write: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    if !force && path.exists() {
        return Err(Error::output(
            path,
            "already exists; use --force to replace it",
        ));
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

/// Reads a whole input file (read-only), mapping failures to input errors.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| Error::read(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

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
