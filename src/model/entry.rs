//! One address-list entry: [`Entry`] and [`EntryKind`], its template data
//! ([`TemplateValue`], [`TemplateField`], [`TemplateDef`]), where it came from
//! ([`Origin`], [`Position`]) and the full-name limit ([`LimitViolation`]).

use std::fmt;
use std::sync::Arc;

use super::address::{Address, AddressKey, Scope, MAX_ADDRESS_PART};
use super::prompt::Prompt;
use serde::Serialize;

/// The text of an entry's fields: a string that keeps up to 24 bytes inline
/// (no heap allocation), which holds most full names and template values.
/// A million-entry directory saves an allocation per field this way.
pub type Text = compact_str::CompactString;

/// Longest full name MS Mail accepts (Error 72, Q104869).
pub const MAX_FULL_NAME: usize = 30;

/// User or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A person's mailbox (or any addressable non-group).
    #[default]
    User,
    /// A group (distribution list).
    Group,
}

impl EntryKind {
    /// `user` or `group`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::User => "user",
            EntryKind::Group => "group",
        }
    }
}

/// One template value: the prompt (with its colon, as in the TPL) and the value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TemplateValue {
    /// Prompt text, e.g. `Phone:` (shared: see [`Prompt`]).
    pub prompt: Prompt,
    /// Value, verbatim (short values stay inline: see [`Text`]).
    pub value: Text,
}

/// One field of a template definition (TPL line `prompt~start~width~edit~data~internal`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct TemplateField {
    /// Prompt text.
    pub prompt: String,
    /// Start column.
    pub start: u16,
    /// Field width in characters.
    pub width: u16,
    /// Edit class letters (U, L, N, P, A).
    pub edit: String,
    /// Default data.
    pub data: String,
    /// Internal preamble stored before the value in INF records.
    pub internal: String,
    /// How many `~`-separated fields the source line had (trailing empties may be
    /// missing, Q104281); writers use it to reproduce the line.
    #[serde(skip)]
    pub written_fields: u8,
}

/// A template definition for one scope (the `T` operation, or a TPL file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateDef {
    /// The scope the template applies to.
    pub scope: Scope,
    /// The fields in order.
    pub fields: Vec<TemplateField>,
}

/// Where an entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Origin {
    /// The file, as the user named it.
    pub file: Arc<str>,
    /// Line (text) or record (binary) inside it.
    pub position: Position,
}

/// A position inside a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// 1-based line of a text file.
    Line(u64),
    /// 0-based record number and byte offset of a binary file.
    Record {
        /// Record number.
        index: u64,
        /// Byte offset of the record.
        offset: u64,
    },
    /// Not from a file (generated or computed).
    None,
}

impl Origin {
    /// An origin for generated or computed entries.
    pub fn none() -> Origin {
        // One shared empty name: a directory of a million entries built
        // before their origins are known must not allocate one each.
        static EMPTY: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
        Origin {
            file: Arc::clone(EMPTY.get_or_init(|| Arc::from(""))),
            position: Position::None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Position::Line(l) => write!(f, "{}: line {l}", self.file),
            Position::Record { index, offset } => {
                write!(f, "{}: record {index} at byte offset {offset}", self.file)
            }
            Position::None => write!(f, "{}", self.file),
        }
    }
}

/// One entry of an address list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The full name (alias), at most 30 characters in MS Mail files
    /// (inline up to 24 bytes: see [`Text`]).
    pub full_name: Text,
    /// The address; its key is the entry's identity.
    pub address: Address,
    /// User or group.
    pub kind: EntryKind,
    /// Template data in order.
    pub template: Vec<TemplateValue>,
    /// Where the entry was read from.
    pub origin: Origin,
}

/// A limit of MS Mail that an entry breaks. Reported, never silently truncated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitViolation {
    /// The field: `full_name`, `network`, `postoffice` or `mailbox`.
    pub field: &'static str,
    /// Its length in characters.
    pub length: usize,
    /// The limit.
    pub limit: usize,
}

impl Entry {
    /// A user entry with no template data and no origin.
    pub fn new(full_name: impl Into<Text>, address: Address) -> Entry {
        Entry {
            full_name: full_name.into(),
            address,
            kind: EntryKind::User,
            template: Vec::new(),
            origin: Origin::none(),
        }
    }

    /// The identity key.
    pub fn key(&self) -> AddressKey {
        self.address.key()
    }

    /// The entry's scope.
    pub fn scope(&self) -> Scope {
        self.address.scope()
    }

    /// Every MS Mail limit this entry breaks: full name over 30 characters, and for
    /// PCM addresses any network, postoffice or mailbox over 10.
    pub fn limit_violations(&self) -> Vec<LimitViolation> {
        let mut out = Vec::new();
        let n = self.full_name.chars().count();
        if n > MAX_FULL_NAME {
            out.push(LimitViolation {
                field: "full_name",
                length: n,
                limit: MAX_FULL_NAME,
            });
        }
        if self.address.is_pcm() {
            if let Some((net, po, mb)) = self.address.parts() {
                for (field, v) in [("network", net), ("postoffice", po), ("mailbox", mb)] {
                    let n = v.chars().count();
                    if n > MAX_ADDRESS_PART {
                        out.push(LimitViolation {
                            field,
                            length: n,
                            limit: MAX_ADDRESS_PART,
                        });
                    }
                }
            }
        }
        out
    }

    /// Same content (name, address spelling-insensitive, kind, template), ignoring origin.
    pub fn same_content(&self, other: &Entry) -> bool {
        self.full_name == other.full_name
            && self.key() == other.key()
            && self.kind == other.kind
            && self.template == other.template
    }
}
/// For each template value of an entry, which repetition of its prompt it is
/// (1 for the first `Phone:`, 2 for the second, ...), into `out`. Linear scan
/// for the usual handful of values, a map beyond that.
pub fn prompt_repetitions(template: &[TemplateValue], out: &mut Vec<usize>) {
    out.clear();
    if template.len() <= 16 {
        for (j, t) in template.iter().enumerate() {
            let before = template
                .get(..j)
                .unwrap_or_default()
                .iter()
                .filter(|u| u.prompt == t.prompt)
                .count();
            out.push(before + 1);
        }
        return;
    }
    let mut count: std::collections::HashMap<&str, usize, foldhash::fast::RandomState> =
        Default::default();
    for t in template {
        let n = count.entry(t.prompt.as_str()).or_insert(0);
        *n += 1;
        out.push(*n);
    }
}
