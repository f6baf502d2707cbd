//! Recognising a SOURCE (file or folder) by name, size and content, and loading
//! it into the directory model.

use std::path::Path;

use crate::codepage::TextEncoding;
use crate::error::{Error, Location, Result};
use crate::model::Directory;

/// What kind of source a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// An import text file (IMPORT.EXE input, `IMPORT -X` extract, export text).
    ImportText,
    /// A Dir-Sync message file (`[DIRSYNC]` section; formats-text.md §2).
    DirSyncMessage,
}

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

/// Tells what kind of source `path` is.
pub fn detect(path: &Path) -> Result<SourceKind> {
    if path.is_file() {
        if is_dirsync_message(path) {
            return Ok(SourceKind::DirSyncMessage);
        }
        return Ok(SourceKind::ImportText);
    }
    Err(Error::input(
        path.display().to_string(),
        Location::File,
        "not a file msmail recognises",
    ))
}

/// True when the file's first 64 KiB contain a `[DIRSYNC]` section line.
fn is_dirsync_message(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    read.is_ok()
        && crate::dsmsg::sniff_text(&path.display().to_string(), &head)
            == Some(crate::dsmsg::TextFileKind::DirSyncMessage)
}

/// Loads any source into the directory model.
pub fn load_directory(path: &Path, options: &LoadOptions) -> Result<Loaded> {
    match detect(path)? {
        SourceKind::ImportText => {
            let directory = crate::importtext::read_directory(path, options.encoding)?;
            Ok(Loaded {
                directory,
                warnings: Vec::new(),
            })
        }
        SourceKind::DirSyncMessage => {
            let msg = crate::dsmsg::read_message(path, options.encoding)?;
            let mut warnings = Vec::new();
            if msg.transactions.is_empty()
                && msg.transactions_mode == Some(crate::dsmsg::TransactionsMode::InAttachment)
            {
                warnings.push(format!(
                    "{}: TRANSACTIONS=INATTACHMENT: the transactions are in the attachment, not in this message",
                    path.display()
                ));
            }
            Ok(Loaded {
                directory: msg.into_directory(),
                warnings,
            })
        }
    }
}
