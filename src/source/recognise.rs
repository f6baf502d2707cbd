//! What a file is, by its name and first bytes: every sniffer msmail has
//! (`tree::table::recognise` by name, `dsmsg::sniff_text` by content,
//! `dirsync::sniff` by name and first record, the CSV header and the GIMPORT
//! first line) asked once, in one place ([`recognise`]), giving one kind
//! ([`FileKind`]).
//!
//! Commands differ in one respect only: what wins when a file answers to more
//! than one sniffer. [`Recognised::kind`] is the order of the views (`dump`),
//! where a postoffice file's name wins; [`Recognised::entries_kind`] the order
//! of address sources (`export`, `diff`, `batch`, `reconcile`), which never
//! take a single postoffice file by its name; `inspect` asks for the text and
//! Dir-Sync answers ([`Recognised::text`], [`Recognised::dirsync`]) and names
//! the postoffice files itself, with their sizes.

use serde::Serialize;

use crate::dirsync::DirSyncFileKind;
use crate::dsmsg::TextFileKind;
use crate::tree::table::TreeFileKind;

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// A postoffice file known by its name (MASTER.GLB, `*.NME`, `*.USR`,
    /// ...), shown as a table (`tree::table`).
    Tree(TreeFileKind),
    /// A Dir-Sync binary file: a transaction stream, REQCONF.GLB,
    /// SRVCONF.GLB or PROCESS.GLB.
    DirSync(DirSyncFileKind),
    /// A text file: a `[DIRSYNC]` message or attachment, a log,
    /// DISPATCH.LOG, DSSCHED times, import text.
    Text(TextFileKind),
    /// A CSV msmail wrote (default or Exchange profile), known by its header.
    Csv,
    /// A GIMPORT group file (`G`/`R`/`P` lines, Q99419).
    GroupFile,
}

/// Every answer a file's name and first bytes give, each sniffer asked once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recognised {
    tree_file: Option<TreeFileKind>,
    dirsync: Option<DirSyncFileKind>,
    text: Option<TextFileKind>,
    table: Option<FileKind>,
}

/// Recognises a file by its name (`file_name`, a path or a bare name) and
/// content (`bytes`: the whole file or its first [`crate::input::HEAD_LEN`]
/// bytes; no sniffer looks further).
pub fn recognise(file_name: &str, bytes: &[u8]) -> Recognised {
    let head_len = usize::try_from(crate::input::HEAD_LEN).unwrap_or(usize::MAX);
    let head = bytes.get(..head_len).unwrap_or(bytes);
    let table = if crate::export::csv::looks_like_msmail_csv(head) {
        Some(FileKind::Csv)
    } else {
        let text = crate::codepage::decode_cp850(head);
        crate::gimport::looks_like_gimport(&text).then_some(FileKind::GroupFile)
    };
    Recognised {
        tree_file: crate::tree::table::recognise(file_name),
        dirsync: crate::dirsync::sniff(file_name, bytes),
        text: crate::dsmsg::sniff_text(file_name, bytes),
        table,
    }
}

impl Recognised {
    /// The kind a view shows: a postoffice file by its name first (tree file
    /// names never collide with Dir-Sync names); then content first for
    /// Dir-Sync text (a `[DIRSYNC]` attachment named TMPTRANS.GLB is text,
    /// Q118298); then a Dir-Sync binary file; then the other text files;
    /// then a CSV msmail wrote and a GIMPORT group file.
    pub fn kind(&self) -> Option<FileKind> {
        if let Some(k) = self.tree_file {
            return Some(FileKind::Tree(k));
        }
        if self.text == Some(TextFileKind::DirSyncMessage) {
            return self.text.map(FileKind::Text);
        }
        if let Some(k) = self.dirsync {
            return Some(FileKind::DirSync(k));
        }
        self.text.map(FileKind::Text).or(self.table)
    }

    /// The kind of an address source: a Dir-Sync message (content first, as
    /// in [`kind`](Self::kind)); a Dir-Sync binary file; a log, DISPATCH.LOG
    /// or DSSCHED times (which hold no entries); a CSV msmail wrote; a
    /// GIMPORT group file; then import text. A postoffice file is not known
    /// by its name here (a single list file is read through its tree, by
    /// path: `source::open`). `None`: none of them.
    pub fn entries_kind(&self) -> Option<FileKind> {
        if self.text == Some(TextFileKind::DirSyncMessage) {
            return self.text.map(FileKind::Text);
        }
        if let Some(k) = self.dirsync {
            return Some(FileKind::DirSync(k));
        }
        match self.text {
            Some(k @ (TextFileKind::Log | TextFileKind::DispatchLog | TextFileKind::Schedule)) => {
                Some(FileKind::Text(k))
            }
            other => self.table.or(other.map(FileKind::Text)),
        }
    }

    /// The text file the content is, if any (content only).
    pub fn text(&self) -> Option<TextFileKind> {
        self.text
    }

    /// The Dir-Sync binary file the name or first record says, if any.
    pub fn dirsync(&self) -> Option<DirSyncFileKind> {
        self.dirsync
    }

    /// The postoffice file the name says, if any.
    pub fn tree_file(&self) -> Option<TreeFileKind> {
        self.tree_file
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_and_sources_agree_except_on_tree_names() {
        let msg = b"[DIRSYNC]\r\nTASK=EXPORT\r\n";
        let r = recognise("TMPTRANS.GLB", msg);
        assert_eq!(r.kind(), Some(FileKind::Text(TextFileKind::DirSyncMessage)));
        assert_eq!(r.entries_kind(), r.kind());
        let r = recognise("x/REQCONF.GLB", &[0u8; 512]);
        assert!(matches!(
            r.kind(),
            Some(FileKind::DirSync(DirSyncFileKind::ReqConf))
        ));
        assert_eq!(r.entries_kind(), r.kind());
        let r = recognise("ADMIN.NME", &[0u8; 16]);
        assert!(matches!(r.kind(), Some(FileKind::Tree(_))));
        assert_eq!(r.entries_kind(), None);
        let r = recognise("u.csv", b"full_name,address\r\n");
        assert_eq!(r.kind(), Some(FileKind::Csv));
        assert_eq!(r.entries_kind(), Some(FileKind::Csv));
    }
}
