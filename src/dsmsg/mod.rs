//! `[DIRSYNC]` messages (formats-text.md §2), the subject lines of Dir-Sync mail,
//! and recognition of the Dir-Sync text files ([`sniff_text`]).
//!
//! A message is: mail header lines (`From:`, `To:`, `Subject:`, ...), a dashed
//! separator, then INI sections. `[DIRSYNC]` holds `KEY=value` lines (keys and
//! enum values case-insensitive); `[DIRSYNC-TRANSACTIONS]` holds transactions,
//! each a sync number and an import-file line whose op letter may be missing
//! (then it is `A`). The import line itself is parsed by
//! [`crate::importtext::parse_str`]; this module only frames it.

use std::borrow::Cow;

use serde::Serialize;

use crate::model::{Directory, Operation, Scope};

mod parse;
mod sniff;
mod subject;
pub mod views;
mod writer;

pub use parse::{
    frame_message, frame_with, parse_message, parse_message_bytes, parse_raw_transaction,
    read_message,
};
pub(crate) use parse::{section_line, NomErr};
pub use sniff::{looks_like_message, sniff_text, unrecognised, TextFileKind};
pub use subject::{parse_subject, Subject, TxKind, TxSubject};
pub use writer::{envelope_date, export_message, write_export_message, write_message, Envelope};

/// One mail header line (`Subject: Directory Exchange Profile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// Header name as written (`From`, `TO`).
    pub name: String,
    /// Value, trimmed (continuation lines joined with one space).
    pub value: String,
    /// 1-based line number.
    pub line: u64,
}

/// One `KEY=value` line of the `[DIRSYNC]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    /// Key as written (`TASK`, `reqname`).
    pub key: String,
    /// Value, trimmed.
    pub value: String,
    /// 1-based line number.
    pub line: u64,
}

/// A section other than `[DIRSYNC]` and `[DIRSYNC-TRANSACTIONS]`, kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Name between the brackets, as written.
    pub name: String,
    /// 1-based line number of the `[name]` line.
    pub line: u64,
    /// The section's non-blank lines, verbatim.
    pub lines: Vec<String>,
}

/// The `TASK=` of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Task {
    /// `EXPORT`: a requestor's full list.
    Export,
    /// `UPDATE`: changes.
    Update,
    /// `IMPORTREQ`: asks the server for its whole list.
    ImportReq,
    /// `IMPORTREPLY`: the server's answer to an import request.
    ImportReply,
    /// Any other value, verbatim.
    Other(String),
}

impl Task {
    /// Reads a TASK value (case-insensitive).
    pub fn parse(v: &str) -> Task {
        match v.trim().to_ascii_uppercase().as_str() {
            "EXPORT" => Task::Export,
            "UPDATE" => Task::Update,
            "IMPORTREQ" => Task::ImportReq,
            "IMPORTREPLY" => Task::ImportReply,
            _ => Task::Other(v.trim().to_string()),
        }
    }

    /// The canonical spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Task::Export => "EXPORT",
            Task::Update => "UPDATE",
            Task::ImportReq => "IMPORTREQ",
            Task::ImportReply => "IMPORTREPLY",
            Task::Other(s) => s,
        }
    }
}

/// `TRANSACTIONS=INBODY|INATTACHMENT` (Q123857).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TransactionsMode {
    /// Transactions in the message body.
    InBody,
    /// Transactions in an attached file (TMPTRANS.GLB).
    InAttachment,
}

/// The sync numbers a message states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MessageNumbers {
    /// `REQSEQ=`: the requestor's ReqSync when it wrote the message.
    pub reqseq: Option<u32>,
    /// `SRVSEQ=`: the requestor's SrvSync when it wrote the message.
    pub srvseq: Option<u32>,
    /// `IMPSEQ=`: imports requested.
    pub impseq: Option<u32>,
}

/// One transaction of `[DIRSYNC-TRANSACTIONS]`: its sync number and operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageTransaction {
    /// The sync number, when the line has one.
    pub sync: Option<u32>,
    /// The operation(s) the line (and its template/continuation lines) carry.
    pub operations: Vec<Operation>,
    /// 1-based line number of the transaction's first line.
    pub line: u64,
}

/// A transaction as framed, before its import text is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTransaction<'a> {
    /// The sync number, when the line has one.
    pub sync: Option<u32>,
    /// 1-based line number of the first line.
    pub line: u64,
    /// Import text: the first line with the number removed and `A ` supplied
    /// when the op letter was missing, then its continuation lines.
    pub text: Cow<'a, str>,
    /// How many characters of the original first line were removed (number
    /// and blanks) before `text` starts, minus any supplied `A `.
    pub column_shift: i64,
}

/// A parsed `[DIRSYNC]` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirSyncMessage {
    /// Mail header lines in order (unknown names kept).
    pub headers: Vec<Header>,
    /// The dashed separator line as written, if there is one.
    pub separator: Option<String>,
    /// Every `[DIRSYNC]` key in order, as written.
    pub keys: Vec<KeyValue>,
    /// `TASK=`.
    pub task: Option<Task>,
    /// `NAME=` or `REQNAME=` (the requestor), verbatim.
    pub name: Option<String>,
    /// `TYPES=`, split at `|`.
    pub types: Vec<String>,
    /// `TEMPLATE=YES|NO`.
    pub template: Option<bool>,
    /// `SRVSEQ=`, `REQSEQ=`, `IMPSEQ=`.
    pub numbers: MessageNumbers,
    /// `TRANSACTIONS=`.
    pub transactions_mode: Option<TransactionsMode>,
    /// Whether a `[DIRSYNC]` section was present. Without one the file is a
    /// transaction attachment (TMPTRANS.GLB as Q118298 prints it): a text that
    /// starts with `[DIRSYNC-TRANSACTIONS]` (Q96004).
    pub has_dirsync_section: bool,
    /// Whether a `[DIRSYNC-TRANSACTIONS]` section was present.
    pub has_transactions_section: bool,
    /// The transactions in order.
    pub transactions: Vec<MessageTransaction>,
    /// Other sections, verbatim.
    pub other_sections: Vec<Section>,
    /// Non-blank lines after the separator that belong to no section.
    pub loose_lines: Vec<(u64, String)>,
}

impl DirSyncMessage {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The `Subject:` header read as a Dir-Sync subject line, if it is one.
    pub fn subject(&self) -> Option<Subject> {
        self.header("Subject").and_then(parse_subject)
    }

    /// The numbers the message states.
    pub fn numbers(&self) -> MessageNumbers {
        self.numbers
    }

    /// The requestor scope from `NAME=`/`REQNAME=` (`PCM:NET/PO`), if it parses.
    pub fn requestor(&self) -> Option<Scope> {
        self.name.as_deref().and_then(|n| Scope::parse(n).ok())
    }

    /// All operations in order.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.transactions.iter().flat_map(|t| t.operations.iter())
    }

    /// The directory the transactions build, applied in order.
    pub fn to_directory(&self) -> Directory {
        let mut d = Directory::new();
        d.reserve(self.transactions.len());
        for op in self.operations() {
            d.apply(op.clone());
        }
        d
    }

    /// Like [`DirSyncMessage::to_directory`], consuming the message (no copies).
    pub fn into_directory(self) -> Directory {
        let mut d = Directory::new();
        d.reserve(self.transactions.len());
        for t in self.transactions {
            for op in t.operations {
                d.apply(op);
            }
        }
        d
    }
}

#[cfg(test)]
mod tests;
