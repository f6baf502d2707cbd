//! The hole between the server's list and the merged list ([`Hole`],
//! [`compute_hole`]): entries missing, extra or [`Modified`], each with its
//! [`Status`], and the content comparisons it rests on.

use crate::model::{Directory, Entry};

/// How far the merged list of a postoffice can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Taken from authoritative requestor evidence.
    Authoritative,
    /// Taken from authoritative evidence read past damage (`--salvage`):
    /// its adds and changes are used, the entries it lacks are kept.
    Partial,
    /// No list evidence: the server's view, unverified.
    Unverified,
    /// The server's own postoffice: its POL as of the backup.
    AsOfBackup,
}

impl Status {
    /// `authoritative`, `unverified` or `as-of-backup`.
    pub fn code(self) -> &'static str {
        match self {
            Status::Authoritative => "authoritative",
            Status::Partial => "partial",
            Status::Unverified => "unverified",
            Status::AsOfBackup => "as-of-backup",
        }
    }
}

/// An entry whose content differs between the server's view and the merged list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modified {
    /// The server's copy.
    pub server: Entry,
    /// The merged (authoritative) copy.
    pub merged: Entry,
}

impl Modified {
    /// What changed: any of `full_name`, `kind`, `template`.
    pub fn changes(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.server.full_name != self.merged.full_name {
            v.push("full_name");
        }
        if self.server.kind != self.merged.kind {
            v.push("kind");
        }
        if !same_template(&self.server, &self.merged) {
            v.push("template");
        }
        v
    }
}

/// The hole of one postoffice: the server's view against the merged list,
/// each list sorted by address key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hole {
    /// In the merged list, missing on the server.
    pub missing_adds: Vec<Entry>,
    /// On the server, gone from the merged list.
    pub missing_deletes: Vec<Entry>,
    /// Present in both with different full name, kind or template data.
    pub modified: Vec<Modified>,
}

impl Hole {
    /// True when nothing is missing or changed.
    pub fn is_empty(&self) -> bool {
        self.missing_adds.is_empty() && self.missing_deletes.is_empty() && self.modified.is_empty()
    }

    /// Total number of hole entries.
    pub fn len(&self) -> usize {
        self.missing_adds.len() + self.missing_deletes.len() + self.modified.len()
    }
}

/// Computes the hole `server` → `merged` in linear time (hash lookups), output
/// sorted by address key.
pub fn compute_hole(server: &Directory, merged: &Directory) -> Hole {
    let mut hole = Hole::default();
    for (k, m) in merged.iter_keyed() {
        match server.get(k) {
            None => hole.missing_adds.push(m.clone()),
            // Found by key, so the keys are equal: compare the rest of
            // `Entry::same_content` without building both keys again.
            Some(s) if !same_content_same_key(s, m) => hole.modified.push(Modified {
                server: s.clone(),
                merged: m.clone(),
            }),
            Some(_) => {}
        }
    }
    for (k, s) in server.iter_keyed() {
        if !merged.contains_key(k) {
            hole.missing_deletes.push(s.clone());
        }
    }
    hole.missing_adds.sort_by_cached_key(|e| e.key());
    hole.missing_deletes.sort_by_cached_key(|e| e.key());
    hole.modified.sort_by_cached_key(|m| m.merged.key());
    hole
}

/// `Entry::same_content` for two entries already known to share a key.
/// Template values compare as a set of (prompt, value) pairs: their order
/// is the definition's, which differs between sources.
fn same_content_same_key(a: &Entry, b: &Entry) -> bool {
    a.full_name == b.full_name && a.kind == b.kind && same_template(a, b)
}

/// Same template values, in any order.
pub fn same_template(a: &Entry, b: &Entry) -> bool {
    if a.template == b.template {
        return true;
    }
    if a.template.len() != b.template.len() {
        return false;
    }
    fn sorted(e: &Entry) -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = e
            .template
            .iter()
            .map(|t| (t.prompt.as_str(), t.value.as_str()))
            .collect();
        v.sort_unstable();
        v
    }
    sorted(a) == sorted(b)
}
