//! Recognising a SOURCE (file or folder) by name, size and content, and loading
//! it into the directory model.
//!
//! [`open`] is the one entry point: it resolves the path ([`resolve`]),
//! tells a MAILDATA tree, a requestor's GLB folder and a list file of a tree
//! by path, and asks [`recognise`] (every sniffer, once) what a file is.
//! [`load_directory`] loads what [`open`] found.

use std::path::{Path, PathBuf};

use crate::codepage::TextEncoding;
use crate::dsmsg::TextFileKind;
use crate::error::{Error, Location, Result};
use crate::input::read_head;
use crate::model::Directory;

mod recognise;

pub use crate::input::{is_tree_folder, LoadOptions, Loaded};
pub use recognise::{recognise, FileKind, Recognised};

/// What kind of source a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// An import text file (IMPORT.EXE input, `IMPORT -X` extract, export text).
    ImportText,
    /// A MAILDATA postoffice tree (a folder with `GLB/MASTER.GLB`, any case).
    Tree,
    /// A list file inside a MAILDATA tree: `NME/ADMIN.NME`, `ADMINSHD.NME`,
    /// `GAL.NME` or `USR/<hex>.USR` (resolved through its tree).
    TreeList,
    /// A Dir-Sync transaction stream (`*TRANS.GLB`, `RESYNC.GLB`).
    DirSyncTransactions,
    /// `REQCONF.GLB` (settings, no entries).
    ReqConf,
    /// `SRVCONF.GLB` (settings, no entries).
    SrvConf,
    /// `PROCESS.GLB` (schedule, no entries).
    ProcessSchedule,
    /// A Dir-Sync message file (`[DIRSYNC]` section; formats-text.md §2).
    DirSyncMessage,
    /// A CSV msmail wrote (default or Exchange profile), known by its header.
    Csv,
    /// A GIMPORT group file (`G`/`R`/`P` lines, Q99419).
    GroupFile,
    /// A requestor's GLB files without its tree: a folder holding
    /// `REQCONF.GLB` and/or `REQTRANS.GLB` (directly or under `GLB/`) and no
    /// `MASTER.GLB`. Its numbers, and the entries its queued transactions
    /// hold (a queued full export, `R PCM:NET/PO` + `A` lines).
    RequestorGlb,
}

/// The Dir-Sync files of a requestor folder: `REQCONF.GLB` and
/// `REQTRANS.GLB`, directly in `dir` or under `GLB/` (any case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestorGlbFiles {
    /// `REQCONF.GLB`, when present.
    pub reqconf: Option<PathBuf>,
    /// `REQTRANS.GLB`, when present.
    pub reqtrans: Option<PathBuf>,
}

impl RequestorGlbFiles {
    /// Looks for the two files in `dir` and `dir/GLB`.
    pub fn find(dir: &Path) -> RequestorGlbFiles {
        let find = |name: &str| {
            crate::tree::find_case_insensitive(dir, &format!("GLB/{name}"))
                .or_else(|| crate::tree::find_case_insensitive(dir, name))
        };
        RequestorGlbFiles {
            reqconf: find("REQCONF.GLB"),
            reqtrans: find("REQTRANS.GLB"),
        }
    }

    /// True when neither file is there.
    pub fn is_empty(&self) -> bool {
        self.reqconf.is_none() && self.reqtrans.is_none()
    }
}

/// The path a source stands for: a folder that is neither a MAILDATA tree nor
/// a requestor GLB folder but holds exactly one file stands for that file
/// (`requestors/SEATTLE/` with only `EXPORT.TXT` in it); anything else is
/// itself. Every command resolves sources this way.
pub fn resolve(path: &Path) -> PathBuf {
    if !path.is_dir() || is_tree_folder(path) || !RequestorGlbFiles::find(path).is_empty() {
        return path.to_path_buf();
    }
    let Ok(rd) = std::fs::read_dir(path) else {
        return path.to_path_buf();
    };
    let entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    match entries.as_slice() {
        [only] if only.is_file() => only.clone(),
        _ => path.to_path_buf(),
    }
}

/// A source [`open`] recognised: the path it stands for and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The path after [`resolve`] (a folder holding one file: that file).
    pub path: PathBuf,
    /// What it is.
    pub kind: SourceKind,
    /// The first bytes of a file (at most [`crate::input::HEAD_LEN`]), read to
    /// recognise it; empty for a folder or a tree's list file.
    pub head: Vec<u8>,
}

/// Tells what kind of source `path` is (after [`resolve`]).
pub fn detect(path: &Path) -> Result<SourceKind> {
    open(path).map(|o| o.kind)
}

/// Recognises a SOURCE once: resolves it ([`resolve`]), tells folders (a
/// MAILDATA tree, a requestor's GLB files) and a tree's list files by path,
/// and any other file by name and content ([`recognise`]). Refuses what
/// holds no address entries, saying what it is.
pub fn open(path: &Path) -> Result<Opened> {
    let resolved = resolve(path);
    let mut head = Vec::new();
    let kind = open_resolved(&resolved, &mut head)?;
    Ok(Opened {
        path: resolved,
        kind,
        head,
    })
}

/// Recognises `path`, leaving a file's first bytes in `head`.
fn open_resolved(path: &Path, head: &mut Vec<u8>) -> Result<SourceKind> {
    let name = path.display().to_string();
    if !path.exists() {
        return Err(Error::read(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
        ));
    }
    if path.is_dir() {
        if is_tree_folder(path) {
            return Ok(SourceKind::Tree);
        }
        if !RequestorGlbFiles::find(path).is_empty() {
            return Ok(SourceKind::RequestorGlb);
        }
        return Err(Error::input(
            name,
            Location::File,
            format!(
                "a folder msmail cannot read: no GLB/MASTER.GLB (a MAILDATA tree), no \
                 REQCONF.GLB or REQTRANS.GLB (a requestor's GLB files), and not a folder \
                 holding exactly one file ({})",
                folder_contents(path)
            ),
        ));
    }
    if crate::tree::postoffice::tree_list_file(path).is_some() {
        return Ok(SourceKind::TreeList);
    }
    *head = read_head(path)?;
    let head = &*head;
    if head.is_empty() {
        return Err(Error::input(
            name,
            Location::File,
            "empty file (0 bytes): nothing to read; an export, a transaction file or a \
             message holds at least one line or record",
        ));
    }
    use crate::dirsync::DirSyncFileKind as D;
    // Text content first: a Dir-Sync attachment named TMPTRANS.GLB is text (Q118298).
    match recognise(&name, head).entries_kind() {
        Some(FileKind::Text(TextFileKind::DirSyncMessage)) => Ok(SourceKind::DirSyncMessage),
        Some(FileKind::DirSync(D::Transactions(_))) => Ok(SourceKind::DirSyncTransactions),
        Some(FileKind::DirSync(D::ReqConf)) => Ok(SourceKind::ReqConf),
        Some(FileKind::DirSync(D::SrvConf)) => Ok(SourceKind::SrvConf),
        Some(FileKind::DirSync(D::Process)) => Ok(SourceKind::ProcessSchedule),
        Some(FileKind::Text(
            k @ (TextFileKind::Log | TextFileKind::DispatchLog | TextFileKind::Schedule),
        )) => Err(Error::input(
            name,
            Location::File,
            format!(
                "a Dir-Sync {} holds no address entries: expected import text, a Dir-Sync \
                 message, a MAILDATA tree or a transaction file (use msmail dump to read it)",
                match k {
                    TextFileKind::Log => "log",
                    TextFileKind::DispatchLog => "DISPATCH.LOG",
                    _ => "DSSCHED time file",
                }
            ),
        )),
        Some(FileKind::Csv) => Ok(SourceKind::Csv),
        Some(FileKind::GroupFile) => Ok(SourceKind::GroupFile),
        Some(FileKind::Text(TextFileKind::ImportText) | FileKind::Tree(_)) | None => {
            // Text has no NUL bytes (UTF-16 announces itself with a byte-order mark).
            let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
            if !utf16 {
                if let Some(at) = head.iter().position(|&b| b == 0) {
                    return Err(Error::input(
                        name,
                        Location::Offset(at as u64),
                        "binary content (a NUL byte) that is no MS Mail file msmail knows by \
                         its name, size and content; import text has no NUL bytes",
                    ));
                }
            }
            Ok(SourceKind::ImportText)
        }
    }
}

/// A few names of what a folder holds, for error messages.
fn folder_contents(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| {
                    let mut n = e.file_name().to_string_lossy().into_owned();
                    if e.path().is_dir() {
                        n.push('/');
                    }
                    n
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    match names.len() {
        0 => "it is empty".to_string(),
        n if n <= 6 => format!("it holds {}", names.join(", ")),
        n => format!("it holds {} and {} more", names[..6].join(", "), n - 6),
    }
}

/// A warning when text read as CP850 is valid UTF-8 with multi-byte
/// sequences: `MÃ¼ller` instead of `Müller` (CP850 decodes every byte, so
/// the mistake is silent otherwise). Looks at the first 70,000 bytes.
pub fn utf8_as_cp850_warning(path: &Path, encoding: TextEncoding) -> Option<String> {
    if encoding != TextEncoding::Cp850 {
        return None;
    }
    utf8_as_cp850_warning_in(path, &read_head(path).ok()?, encoding)
}

/// [`utf8_as_cp850_warning`] on the file's first bytes already read (the
/// `head` of [`Opened`]).
pub fn utf8_as_cp850_warning_in(
    path: &Path,
    head: &[u8],
    encoding: TextEncoding,
) -> Option<String> {
    if encoding != TextEncoding::Cp850 {
        return None;
    }
    let head = head.get(..crate::input::HEAD_LEN as usize).unwrap_or(head);
    // A byte-order mark always wins: such a file is not read as CP850.
    if encoding_rs::Encoding::for_bom(head).is_some() {
        return None;
    }
    if head.is_ascii() {
        return None;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A sequence cut by the 70,000-byte window is not an error.
        Err(e) => e.error_len().is_none(),
    };
    // Any non-ASCII byte in valid UTF-8 is part of a multi-byte sequence.
    valid.then(|| {
        format!(
            "{}: read as CP850, but the text is valid UTF-8 with non-ASCII characters; \
             if it was written as UTF-8, pass --encoding utf-8 (as CP850, `ü` reads as `├╝`)",
            path.display()
        )
    })
}

/// Loads any source into the directory model.
pub fn load_directory(path: &Path, options: &LoadOptions) -> Result<Loaded> {
    let Opened { path, kind, head } = open(path)?;
    let path = path.as_path();
    match kind {
        SourceKind::Tree => {
            let mut po = crate::tree::PostOffice::open_for_directory(path, options)?;
            let mut warnings = std::mem::take(&mut po.warnings);
            warnings.extend(po.findings.drain(..).map(|f| format!("finding: {f}")));
            Ok(Loaded {
                directory: po.into_directory(),
                warnings,
            })
        }
        SourceKind::TreeList => crate::tree::postoffice::load_list_file(path, options),
        SourceKind::ImportText => {
            let directory = crate::importtext::read_directory(path, options.encoding)?;
            Ok(Loaded {
                directory,
                warnings: utf8_as_cp850_warning_in(path, &head, options.encoding)
                    .into_iter()
                    .collect(),
            })
        }
        SourceKind::DirSyncMessage => {
            let msg = crate::dsmsg::read_message(path, options.encoding)?;
            let mut warnings: Vec<String> = utf8_as_cp850_warning_in(path, &head, options.encoding)
                .into_iter()
                .collect();
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
        SourceKind::DirSyncTransactions => load_transactions(path, options),
        SourceKind::RequestorGlb => {
            let files = RequestorGlbFiles::find(path);
            let Some(reqtrans) = files.reqtrans else {
                return Err(Error::input(
                    path.display().to_string(),
                    Location::File,
                    "holds REQCONF.GLB only: Dir-Sync numbers, no address entries \
                     (msmail reconcile uses them; msmail dump shows them)",
                ));
            };
            let mut loaded = load_transactions(&reqtrans, options)?;
            loaded.warnings.push(format!(
                "{}: a requestor's GLB files: the entries are what its REQTRANS.GLB queue holds \
                 (a queued export, or updates not yet sent), not necessarily its whole list",
                path.display()
            ));
            if loaded.directory.is_empty() {
                loaded.warnings.push(format!(
                    "{}: REQTRANS.GLB holds no address entries (only placeholders or \
                     deletions): the folder gives Dir-Sync numbers only",
                    path.display()
                ));
            }
            Ok(loaded)
        }
        SourceKind::Csv => {
            let bytes = crate::input::read_input(path)?;
            let directory = crate::export::csv::read_csv(&bytes, &path.display().to_string())?;
            Ok(Loaded {
                directory,
                warnings: Vec::new(),
            })
        }
        SourceKind::GroupFile => Ok(Loaded {
            directory: crate::gimport::read_path(path, options.encoding)?,
            warnings: Vec::new(),
        }),
        SourceKind::ReqConf | SourceKind::SrvConf | SourceKind::ProcessSchedule => {
            Err(Error::input(
                path.display().to_string(),
                Location::File,
                "holds Dir-Sync settings, not address entries (use msmail dump)",
            ))
        }
    }
}

/// A transaction stream's entries: its operations applied in file order;
/// every byte range skipped with `--salvage` is a warning.
fn load_transactions(path: &Path, options: &LoadOptions) -> Result<Loaded> {
    let file = path.display().to_string();
    let bytes = crate::input::read_input(path)?;
    let stream = crate::dirsync::read_stream(&bytes, &file, options.salvage)?;
    drop(bytes); // the records own their text
    let mut directory = Directory::new();
    stream.apply_to(&mut directory, &file)?;
    let warnings = stream
        .skipped
        .iter()
        .map(|s| format!("{file}: skipped bytes {}..{}: {}", s.start, s.end, s.reason))
        .collect();
    Ok(Loaded {
        directory,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_classified_by_content() {
        let d = tempfile::tempdir().unwrap();
        let glb = d.path().join("req/GLB");
        std::fs::create_dir_all(&glb).unwrap();
        std::fs::write(glb.join("REQCONF.GLB"), vec![0u8; 512]).unwrap();
        assert_eq!(
            detect(&d.path().join("req")).unwrap(),
            SourceKind::RequestorGlb
        );
        let one = d.path().join("one");
        std::fs::create_dir_all(&one).unwrap();
        std::fs::write(one.join("EXPORT.TXT"), "A x  PCM:N/P/X\r\n").unwrap();
        assert_eq!(resolve(&one), one.join("EXPORT.TXT"));
        assert_eq!(detect(&one).unwrap(), SourceKind::ImportText);
        let empty = d.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let e = detect(&empty).unwrap_err().to_string();
        assert!(e.contains("it is empty"), "{e}");
    }

    #[test]
    fn an_empty_file_is_an_input_error() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("EMPTY.TXT");
        std::fs::write(&p, b"").unwrap();
        let e = detect(&p).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(e.to_string().contains("empty file"));
    }

    #[test]
    fn utf8_read_as_cp850_is_warned() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("U.TXT");
        std::fs::write(&p, "A Müller  PCM:N/P/M\r\n").unwrap();
        assert!(utf8_as_cp850_warning(&p, TextEncoding::Cp850).is_some());
        assert!(utf8_as_cp850_warning(&p, TextEncoding::Utf8).is_none());
        // CP850 bytes (0x81 = ü) are not valid UTF-8: no warning.
        std::fs::write(&p, b"A M\x81ller  PCM:N/P/M\r\n").unwrap();
        assert!(utf8_as_cp850_warning(&p, TextEncoding::Cp850).is_none());
        std::fs::write(&p, b"A Muller  PCM:N/P/M\r\n").unwrap();
        assert!(utf8_as_cp850_warning(&p, TextEncoding::Cp850).is_none());
        // A byte-order mark decides the encoding: the file is not read as CP850.
        std::fs::write(&p, "\u{feff}A Müller  PCM:N/P/M\r\n").unwrap();
        assert!(utf8_as_cp850_warning(&p, TextEncoding::Cp850).is_none());
    }
}
