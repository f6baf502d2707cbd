//! Recognising a SOURCE (file or folder) by name, size and content, and loading
//! it into the directory model.

use std::path::Path;

use crate::codepage::TextEncoding;
use crate::dsmsg::TextFileKind;
use crate::error::{Error, Location, Result};
use crate::model::Directory;

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
    let name = path.display().to_string();
    if !path.exists() {
        return Err(Error::read(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
        ));
    }
    if path.is_dir() {
        if crate::tree::find_case_insensitive(path, "GLB/MASTER.GLB").is_some() {
            return Ok(SourceKind::Tree);
        }
        return Err(Error::input(
            name,
            Location::File,
            "a folder without GLB/MASTER.GLB is not a MAILDATA tree",
        ));
    }
    if crate::tree::postoffice::tree_list_file(path).is_some() {
        return Ok(SourceKind::TreeList);
    }
    let head = read_head(path)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    // Text content first: a Dir-Sync attachment named TMPTRANS.GLB is text (Q118298).
    let text = crate::dsmsg::sniff_text(&name, &head);
    if text == Some(crate::dsmsg::TextFileKind::DirSyncMessage) {
        return Ok(SourceKind::DirSyncMessage);
    }
    if let Some(k) = detect_dirsync(&file_name, &head) {
        return Ok(k);
    }
    if let Some(k @ (TextFileKind::Log | TextFileKind::DispatchLog | TextFileKind::Schedule)) = text
    {
        return Err(Error::input(
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
        ));
    }
    if let Some(k) = detect_table_or_groups(&head) {
        return Ok(k);
    }
    // Text has no NUL bytes (UTF-16 announces itself with a byte-order mark).
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    if !utf16 {
        if let Some(at) = head.iter().position(|&b| b == 0) {
            return Err(Error::input(
                name,
                Location::Offset(at as u64),
                "binary content (a NUL byte) that is no MS Mail file msmail knows by its \
                 name, size and content; import text has no NUL bytes",
            ));
        }
    }
    Ok(SourceKind::ImportText)
}

/// A CSV msmail wrote (by its header row) or a GIMPORT group file (by its
/// first transaction line), recognised by content.
fn detect_table_or_groups(head: &[u8]) -> Option<SourceKind> {
    if crate::export::csv::looks_like_msmail_csv(head) {
        return Some(SourceKind::Csv);
    }
    let text = crate::codepage::decode_cp850(head);
    crate::gimport::looks_like_gimport(&text).then_some(SourceKind::GroupFile)
}

/// The first 70,000 bytes of a file: enough to recognise any kind.
fn read_head(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(70_000).read_to_end(&mut head))
        .map_err(|e| Error::read(path, e))?;
    Ok(head)
}

/// A Dir-Sync binary file, recognised by name and the first bytes.
fn detect_dirsync(file_name: &str, head: &[u8]) -> Option<SourceKind> {
    use crate::dirsync::DirSyncFileKind as K;
    crate::dirsync::sniff(file_name, head).map(|k| match k {
        K::Transactions(_) => SourceKind::DirSyncTransactions,
        K::ReqConf => SourceKind::ReqConf,
        K::SrvConf => SourceKind::SrvConf,
        K::Process => SourceKind::ProcessSchedule,
    })
}

/// Loads any source into the directory model.
pub fn load_directory(path: &Path, options: &LoadOptions) -> Result<Loaded> {
    match detect(path)? {
        SourceKind::Tree => {
            let mut po = crate::tree::PostOffice::open(path, options)?;
            let warnings = std::mem::take(&mut po.warnings);
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
        SourceKind::DirSyncTransactions => {
            let file = path.display().to_string();
            let bytes = crate::output::read_input(path)?;
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
        SourceKind::Csv => {
            let bytes = crate::output::read_input(path)?;
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

/// The name standard input goes by in messages and origins.
pub const STDIN_NAME: &str = "<stdin>";

/// Loads a source from bytes that are not a file (standard input, `-` as a
/// SOURCE): recognised by content like a file — a Dir-Sync message, a
/// transaction stream, a CSV msmail wrote, a GIMPORT group file or import
/// text. A MAILDATA tree (a folder) cannot come from a stream; settings
/// files and logs hold no entries.
pub fn load_bytes(bytes: &[u8], name: &str, options: &LoadOptions) -> Result<Loaded> {
    use crate::dsmsg::TextFileKind;
    let head = bytes.get(..bytes.len().min(70_000)).unwrap_or(bytes);
    let text = crate::dsmsg::sniff_text(name, head);
    if text == Some(TextFileKind::DirSyncMessage) {
        let msg = crate::dsmsg::parse_message_bytes(bytes, name, options.encoding)?;
        return Ok(Loaded {
            directory: msg.into_directory(),
            warnings: Vec::new(),
        });
    }
    if let Some(k) = text.filter(|k| *k != TextFileKind::ImportText) {
        return Err(Error::input(
            name,
            Location::File,
            format!("{k:?} holds no address entries (use msmail dump to read it)"),
        ));
    }
    match detect_dirsync(name, head) {
        Some(SourceKind::DirSyncTransactions) => {
            let stream = crate::dirsync::read_stream(bytes, name, options.salvage)?;
            let mut directory = Directory::new();
            stream.apply_to(&mut directory, name)?;
            let warnings = stream
                .skipped
                .iter()
                .map(|s| format!("{name}: skipped bytes {}..{}: {}", s.start, s.end, s.reason))
                .collect();
            return Ok(Loaded {
                directory,
                warnings,
            });
        }
        Some(_) => {
            return Err(Error::input(
                name,
                Location::File,
                "holds Dir-Sync settings, not address entries (use msmail dump)",
            ))
        }
        None => {}
    }
    let directory = match detect_table_or_groups(head) {
        Some(SourceKind::Csv) => crate::export::csv::read_csv(bytes, name)?,
        Some(_) => {
            let text = crate::codepage::decode_input(bytes, options.encoding, name)?;
            crate::gimport::parse_str(&text, name)?
        }
        None => {
            if let Some(at) = head.iter().position(|&b| b == 0) {
                if !(head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF])) {
                    return Err(Error::input(
                        name,
                        Location::Offset(at as u64),
                        "binary content (a NUL byte) that is no MS Mail stream msmail knows; \
                         a MAILDATA tree cannot be read from standard input",
                    ));
                }
            }
            let text = crate::codepage::decode_input(bytes, options.encoding, name)?;
            let mut dir = Directory::new();
            crate::importtext::for_each_operation(&text, name, 1, |op| {
                dir.apply(op);
            })?;
            dir
        }
    };
    Ok(Loaded {
        directory,
        warnings: Vec::new(),
    })
}

/// Reads standard input to the end and loads it ([`load_bytes`]).
pub fn load_stdin(options: &LoadOptions) -> Result<Loaded> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| Error::read(Path::new(STDIN_NAME), e))?;
    load_bytes(&bytes, STDIN_NAME, options)
}
