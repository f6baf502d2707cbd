//! Evidence preparation: each evidence's scope identified, its entries split
//! into the authoritative and forensic parts and deduplicated ([`Prepared`]),
//! and how two copies of the same evidence are told apart.

use crate::error::{Error, Location, Result};
use crate::model::{Directory, Scope, TemplateDef};
use crate::reconcile::templates::normalise_template;
use crate::reconcile::{
    compute_hole, identify_scope_of, Duplicate, Evidence, EvidenceKind, RequestorNumbers,
    SourceUsage,
};
use std::collections::{BTreeMap, HashSet};

/// One evidence after scope identification and deduplication.
pub(super) struct Prepared {
    pub(super) index: usize,
    pub(super) source: String,
    pub(super) scope: Scope,
    pub(super) kind: EvidenceKind,
    /// Entries owned by `scope` (authoritative part).
    pub(super) own: Directory,
    /// Forensic entries by owner scope key.
    pub(super) forensic: BTreeMap<String, (Scope, Directory)>,
    pub(super) duplicates: Vec<Duplicate>,
    pub(super) numbers: Option<RequestorNumbers>,
    pub(super) as_of: Option<i64>,
    pub(super) kinds_known: bool,
    pub(super) had_entries: bool,
    /// Gateway entries of an extract, which cannot be attributed to anyone.
    pub(super) unattributed: usize,
    pub(super) templates: Vec<TemplateDef>,
    /// Gateway scope keys the source speaks for: those of its own gateway
    /// entries and those it replaces (`R TYPE:GATE/NODE`).
    pub(super) mentioned: HashSet<String>,
    pub(super) damaged: bool,
    pub(super) declares_list: bool,
    pub(super) usage: SourceUsage,
    /// The scope was bound by the user (`NET/PO=PATH`).
    pub(super) bound: bool,
}

pub(super) fn prepare(index: usize, ev: Evidence) -> Result<Prepared> {
    let Evidence {
        source,
        scope,
        kind,
        entries,
        numbers,
        as_of,
        kinds_known,
        templates,
        replaced_scopes,
        damaged,
        declares_list,
        usage,
        bound,
    } = ev;
    let scope = match scope {
        Some(s) => s,
        None => identify_scope_of(entries.iter()).ok_or_else(|| {
            Error::input(
                source.clone(),
                Location::File,
                "cannot tell which postoffice this evidence speaks for: it holds no PCM \
                 entry; name the postoffice explicitly",
            )
        })?,
    };
    let mut own = Directory::new();
    if kind != EvidenceKind::Extract {
        // An export's entries are its own postoffice's (an extract's mostly others').
        own.reserve(entries.len());
    }
    let mut forensic: BTreeMap<String, (Scope, Directory)> = BTreeMap::new();
    let mut duplicates = Vec::new();
    let had_entries = !entries.is_empty();
    let scope_key = scope.key();
    let mut unattributed = 0;
    let mut mentioned: HashSet<String> = replaced_scopes.iter().map(|s| s.key()).collect();
    for mut e in entries {
        normalise_template(&mut e);
        let key = e.key();
        let owned = if e.address.is_pcm() {
            key.scope_key() == scope_key
        } else {
            kind != EvidenceKind::Extract
        };
        let target = if owned {
            if !e.address.is_pcm() {
                mentioned.insert(key.scope_key().to_string());
            }
            &mut own
        } else {
            if !e.address.is_pcm() {
                unattributed += 1;
            }
            let owner = e.scope();
            &mut forensic
                .entry(owner.key())
                .or_insert_with(|| (owner, Directory::new()))
                .1
        };
        if let Some(prev) = target.upsert_keyed(key, e) {
            if let Some(kept) = target.get(&prev.key()) {
                duplicates.push(Duplicate {
                    source: source.clone(),
                    dropped: prev,
                    kept: kept.clone(),
                });
            }
        }
    }
    duplicates.sort_by_cached_key(|d| d.kept.key());
    Ok(Prepared {
        index,
        source,
        scope,
        kind,
        own,
        forensic,
        duplicates,
        numbers,
        as_of,
        kinds_known,
        had_entries,
        unattributed,
        templates,
        mentioned,
        damaged,
        declares_list,
        usage,
        bound,
    })
}

pub(super) fn describe_difference(a: &Directory, b: &Directory) -> (usize, String) {
    let h = compute_hole(a, b);
    let first = if let Some(e) = h.missing_adds.first() {
        format!("{} only in the second", e.address)
    } else if let Some(e) = h.missing_deletes.first() {
        format!("{} only in the first", e.address)
    } else if let Some(m) = h.modified.first() {
        format!(
            "{}: {} against {} ({})",
            m.server.address,
            crate::escape::quoted(&m.server.full_name),
            crate::escape::quoted(&m.merged.full_name),
            m.changes().join(", ")
        )
    } else {
        String::new()
    };
    (h.len(), first)
}

pub(super) fn newer(a: &Prepared, b: &Prepared) -> bool {
    let ka = (a.as_of, a.numbers.as_ref().map(|n| n.reqsync), a.index);
    let kb = (b.as_of, b.numbers.as_ref().map(|n| n.reqsync), b.index);
    ka > kb
}
