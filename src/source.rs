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
        return Ok(SourceKind::ImportText);
    }
    Err(Error::input(
        path.display().to_string(),
        Location::File,
        "not a file msmail recognises",
    ))
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
    }
}
