//! Forensic comparison of two sources of the same kind (`msmail diff`).
//!
//! The engines compare model values, never file bytes, except [`diff_files`]
//! which compares two folders file by file. Every engine is linear in the size
//! of its inputs (hash maps for matching, one sort of the differences for
//! output) and every list it returns is in a deterministic order.
//!
//! - [`diff_directories`]: address lists scope by scope, entries keyed by
//!   address (CP850 case-insensitive).
//! - [`diff_transactions`]: transaction streams aligned by sync number.
//! - [`diff_config`]: configuration numbers (Sync, cycle, per-requestor
//!   ReqSync/SrvSync/ImpSync).
//! - [`diff_files`]: files present on one side only or with other content.
//! - [`diff_dirsync_files`]: the Dir-Sync files two folders both hold, each
//!   compared as above and labelled with its relative path.
//!
//! [`DiffReport`] bundles them for the renderers [`text`], [`json`] and [`html`].

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::codepage::cp850_upper;
use crate::dirsync::{Password, ReqConf, SrvConf, TransStream};
use crate::error::{Error, Location, Result};
use crate::model::{AddressKey, Directory, Entry, EntryKind, TemplateDef, TemplateValue};
use crate::source::{self, LoadOptions, SourceKind};

pub mod dirsync;
pub mod html;
pub mod json;
pub mod text;

pub use html::field_label;

/// An entry as a diff shows it: address as written, full name, kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRef {
    /// The address as written (`PCM:NET/PO/MAILBOX`).
    pub address: String,
    /// The full name.
    pub full_name: String,
    /// `user` or `group`.
    pub kind: EntryKind,
}

impl EntryRef {
    fn of(e: &Entry) -> EntryRef {
        EntryRef {
            address: e.address.to_string(),
            full_name: e.full_name.clone(),
            kind: e.kind,
        }
    }
}

/// One field that differs between A and B. `None` means "absent on that side".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// `full_name`, `kind`, `address` (spelling only), `template:<prompt>`,
    /// `template_order`, or a transaction/configuration field name.
    pub field: String,
    /// Value in A.
    pub a: Option<String>,
    /// Value in B.
    pub b: Option<String>,
}

impl FieldChange {
    fn new(field: impl Into<String>, a: Option<String>, b: Option<String>) -> FieldChange {
        FieldChange {
            field: field.into(),
            a,
            b,
        }
    }
}

/// An entry present on both sides (same identity) whose content differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedEntry {
    /// The address as written in A.
    pub address: String,
    /// The full name in A.
    pub full_name: String,
    /// What differs, in a fixed order: address, full_name, kind, template.
    pub changes: Vec<FieldChange>,
}

/// An address that disappeared from A and reappeared under another address in
/// B, recognised by identical full name, kind and template data within the scope
/// (only when the match is unique on both sides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    /// The entry in A.
    pub from: EntryRef,
    /// The entry in B.
    pub to: EntryRef,
}

/// Template definitions (TPL lines) of a scope that differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateDefChange {
    /// TPL lines in A (`None`: no definition in A).
    pub a: Option<Vec<String>>,
    /// TPL lines in B (`None`: no definition in B).
    pub b: Option<Vec<String>>,
}

/// Counts of one scope (or of all scopes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Entries in A.
    pub entries_a: usize,
    /// Entries in B.
    pub entries_b: usize,
    /// Entries only in A.
    pub only_in_a: usize,
    /// Entries only in B.
    pub only_in_b: usize,
    /// Address renames (counted once, not also as only-in-A/only-in-B).
    pub renamed: usize,
    /// Same address, other content.
    pub changed: usize,
    /// Same address, same content.
    pub unchanged: usize,
}

impl Counts {
    /// Number of differences (only-in-A + only-in-B + renamed + changed).
    pub fn differences(&self) -> usize {
        self.only_in_a + self.only_in_b + self.renamed + self.changed
    }

    fn add(&mut self, o: &Counts) {
        self.entries_a += o.entries_a;
        self.entries_b += o.entries_b;
        self.only_in_a += o.only_in_a;
        self.only_in_b += o.only_in_b;
        self.renamed += o.renamed;
        self.changed += o.changed;
        self.unchanged += o.unchanged;
    }
}

/// The differences inside one address scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeDiff {
    /// The scope (`PCM:NET/PO`, `SMTP:`...).
    pub scope: String,
    /// Counts for this scope.
    pub counts: Counts,
    /// Entries only in A, sorted by address key.
    pub only_in_a: Vec<EntryRef>,
    /// Entries only in B, sorted by address key.
    pub only_in_b: Vec<EntryRef>,
    /// Address renames, sorted by A's address key.
    pub renamed: Vec<Renamed>,
    /// Changed entries, sorted by address key.
    pub changed: Vec<ChangedEntry>,
    /// The scope's template definition, when it differs.
    pub template_definition: Option<TemplateDefChange>,
}

impl ScopeDiff {
    /// True when nothing in this scope differs.
    pub fn is_identical(&self) -> bool {
        self.counts.differences() == 0 && self.template_definition.is_none()
    }
}

/// The differences between two directories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectoryDiff {
    /// Counts over all scopes.
    pub totals: Counts,
    /// Every scope present on either side, sorted by scope key.
    pub scopes: Vec<ScopeDiff>,
}

impl DirectoryDiff {
    /// True when the directories hold the same entries and template definitions.
    pub fn is_identical(&self) -> bool {
        self.scopes.iter().all(ScopeDiff::is_identical)
    }
}

/// Builder state of one scope while the engine runs.
struct ScopeWork<'a> {
    /// The entry with the smallest address key: names the scope deterministically.
    namer: (&'a AddressKey, &'a Entry),
    counts: Counts,
    only_a: Vec<(&'a AddressKey, &'a Entry)>,
    only_b: Vec<(&'a AddressKey, &'a Entry)>,
    changed: Vec<(&'a AddressKey, ChangedEntry)>,
}

impl<'a> ScopeWork<'a> {
    fn new(k: &'a AddressKey, e: &'a Entry) -> ScopeWork<'a> {
        ScopeWork {
            namer: (k, e),
            counts: Counts::default(),
            only_a: Vec::new(),
            only_b: Vec::new(),
            changed: Vec::new(),
        }
    }
}

/// The field-by-field differences of two entries with the same identity, in a
/// fixed order: address spelling, full name, kind, template data.
pub fn entry_changes(a: &Entry, b: &Entry) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if a.address.type_name != b.address.type_name || a.address.body != b.address.body {
        out.push(FieldChange::new(
            "address",
            Some(a.address.to_string()),
            Some(b.address.to_string()),
        ));
    }
    if a.full_name != b.full_name {
        out.push(FieldChange::new(
            "full_name",
            Some(a.full_name.clone()),
            Some(b.full_name.clone()),
        ));
    }
    if a.kind != b.kind {
        out.push(FieldChange::new(
            "kind",
            Some(a.kind.as_str().into()),
            Some(b.kind.as_str().into()),
        ));
    }
    if a.template != b.template {
        out.extend(template_changes(&a.template, &b.template));
    }
    out
}

/// Template data compared by prompt (first occurrence), prompts in A's order then
/// B's new ones. When every prompt agrees but the lists still differ (order or
/// repeated prompts), one `template_order` change shows both lists.
fn template_changes(a: &[TemplateValue], b: &[TemplateValue]) -> Vec<FieldChange> {
    fn first(list: &[TemplateValue]) -> HashMap<&str, &str> {
        let mut m = HashMap::with_capacity(list.len());
        for t in list {
            m.entry(t.prompt.as_str()).or_insert(t.value.as_str());
        }
        m
    }
    let (ma, mb) = (first(a), first(b));
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for t in a.iter().chain(b.iter()) {
        if !seen.insert(t.prompt.as_str()) {
            continue;
        }
        let va = ma.get(t.prompt.as_str()).copied();
        let vb = mb.get(t.prompt.as_str()).copied();
        if va != vb {
            out.push(FieldChange::new(
                format!("template:{}", t.prompt),
                va.map(str::to_string),
                vb.map(str::to_string),
            ));
        }
    }
    if out.is_empty() {
        let join = |l: &[TemplateValue]| {
            l.iter()
                .map(|t| format!("{}/{}", t.prompt, t.value))
                .collect::<Vec<_>>()
                .join("; ")
        };
        out.push(FieldChange::new(
            "template_order",
            Some(join(a)),
            Some(join(b)),
        ));
    }
    out
}

/// TPL lines of a template definition (`prompt~start~width~edit~data~internal`).
fn tpl_lines(def: &TemplateDef) -> Vec<String> {
    def.fields
        .iter()
        .map(|f| {
            format!(
                "{}~{}~{}~{}~{}~{}",
                f.prompt, f.start, f.width, f.edit, f.data, f.internal
            )
        })
        .collect()
}

/// Compares two directories scope by scope. Entries are matched by identity
/// (address, CP850 case-insensitive); origins are ignored. Linear: one hash
/// lookup per entry, then the differences (only) are sorted.
pub fn diff_directories(a: &Directory, b: &Directory) -> DirectoryDiff {
    // Scope key (borrowed from the stored address keys) -> work.
    let mut scopes: HashMap<&str, ScopeWork<'_>> = HashMap::new();
    fn work<'s, 'a>(
        scopes: &'s mut HashMap<&'a str, ScopeWork<'a>>,
        k: &'a AddressKey,
        e: &'a Entry,
    ) -> &'s mut ScopeWork<'a> {
        let w = scopes
            .entry(k.scope_key())
            .or_insert_with(|| ScopeWork::new(k, e));
        if k < w.namer.0 {
            w.namer = (k, e);
        }
        w
    }
    for (key, ea) in a.iter_keyed() {
        let w = work(&mut scopes, key, ea);
        w.counts.entries_a += 1;
        match b.get(key) {
            None => w.only_a.push((key, ea)),
            Some(eb) => {
                let changes = entry_changes(ea, eb);
                if changes.is_empty() {
                    w.counts.unchanged += 1;
                } else {
                    w.counts.changed += 1;
                    w.changed.push((
                        key,
                        ChangedEntry {
                            address: ea.address.to_string(),
                            full_name: ea.full_name.clone(),
                            changes,
                        },
                    ));
                }
            }
        }
    }
    for (key, eb) in b.iter_keyed() {
        let w = work(&mut scopes, key, eb);
        w.counts.entries_b += 1;
        if !a.contains_key(key) {
            w.only_b.push((key, eb));
        }
    }
    // Template definitions: scopes with a definition on either side.
    let mut defs: BTreeMap<&str, (Option<&TemplateDef>, Option<&TemplateDef>)> = BTreeMap::new();
    for (k, d) in &a.templates {
        defs.entry(k.as_str()).or_default().0 = Some(d);
    }
    for (k, d) in &b.templates {
        defs.entry(k.as_str()).or_default().1 = Some(d);
    }
    let mut def_changes: BTreeMap<String, (String, TemplateDefChange)> = BTreeMap::new();
    for (k, (da, db)) in defs {
        let la = da.map(tpl_lines);
        let lb = db.map(tpl_lines);
        if la != lb {
            let name = da.or(db).map(|d| d.scope.to_string()).unwrap_or_default();
            def_changes.insert(k.to_string(), (name, TemplateDefChange { a: la, b: lb }));
        }
    }

    // Every scope key, sorted: entry scopes and template-only scopes.
    let mut keys: Vec<String> = scopes.keys().map(|k| k.to_string()).collect();
    keys.extend(
        def_changes
            .keys()
            .filter(|k| !scopes.contains_key(k.as_str()))
            .cloned(),
    );
    keys.sort_unstable();

    let mut totals = Counts::default();
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let def = def_changes.remove(&k);
        let Some(mut w) = scopes.remove(k.as_str()) else {
            // A scope with a template definition and no entries.
            if let Some((name, change)) = def {
                out.push(ScopeDiff {
                    scope: name,
                    counts: Counts::default(),
                    only_in_a: Vec::new(),
                    only_in_b: Vec::new(),
                    renamed: Vec::new(),
                    changed: Vec::new(),
                    template_definition: Some(change),
                });
            }
            continue;
        };
        let renamed = pair_renames(&mut w);
        w.only_a.sort_unstable_by(|x, y| x.0.cmp(y.0));
        w.only_b.sort_unstable_by(|x, y| x.0.cmp(y.0));
        w.changed.sort_unstable_by(|x, y| x.0.cmp(y.0));
        w.counts.renamed = renamed.len();
        w.counts.only_in_a = w.only_a.len();
        w.counts.only_in_b = w.only_b.len();
        totals.add(&w.counts);
        out.push(ScopeDiff {
            scope: w.namer.1.scope().to_string(),
            counts: w.counts,
            only_in_a: w.only_a.iter().map(|(_, e)| EntryRef::of(e)).collect(),
            only_in_b: w.only_b.iter().map(|(_, e)| EntryRef::of(e)).collect(),
            renamed,
            changed: w.changed.into_iter().map(|(_, c)| c).collect(),
            template_definition: def.map(|(_, c)| c),
        });
    }
    DirectoryDiff {
        totals,
        scopes: out,
    }
}

/// Moves unique (full name, kind, template) matches between only-in-A and
/// only-in-B into a rename list, sorted by A's address key. Linear.
fn pair_renames(w: &mut ScopeWork<'_>) -> Vec<Renamed> {
    if w.only_a.is_empty() || w.only_b.is_empty() {
        return Vec::new();
    }
    type Sig<'e> = (&'e str, EntryKind, &'e [TemplateValue]);
    fn sig(e: &Entry) -> Sig<'_> {
        (e.full_name.as_str(), e.kind, e.template.as_slice())
    }
    let mut count_a: HashMap<Sig<'_>, usize> = HashMap::new();
    for (_, e) in &w.only_a {
        *count_a.entry(sig(e)).or_default() += 1;
    }
    let mut in_b: HashMap<Sig<'_>, (usize, usize)> = HashMap::new();
    for (i, (_, e)) in w.only_b.iter().enumerate() {
        let slot = in_b.entry(sig(e)).or_insert((0, i));
        slot.0 += 1;
    }
    let mut take_b = vec![false; w.only_b.len()];
    let mut renamed: Vec<(&AddressKey, Renamed)> = Vec::new();
    let mut keep_a = Vec::with_capacity(w.only_a.len());
    for (k, ea) in std::mem::take(&mut w.only_a) {
        let s = sig(ea);
        let unique_a = count_a.get(&s) == Some(&1);
        match in_b.get(&s) {
            Some(&(1, j)) if unique_a && !ea.full_name.is_empty() => {
                if let (Some(t), Some((_, eb))) = (take_b.get_mut(j), w.only_b.get(j)) {
                    *t = true;
                    renamed.push((
                        k,
                        Renamed {
                            from: EntryRef::of(ea),
                            to: EntryRef::of(eb),
                        },
                    ));
                    continue;
                }
                keep_a.push((k, ea));
            }
            _ => keep_a.push((k, ea)),
        }
    }
    w.only_a = keep_a;
    let mut i = 0;
    w.only_b.retain(|_| {
        let keep = !take_b.get(i).copied().unwrap_or(false);
        i += 1;
        keep
    });
    renamed.sort_unstable_by(|x, y| x.0.cmp(y.0));
    renamed.into_iter().map(|(_, r)| r).collect()
}

// ---------------------------------------------------------------- transactions

/// What the transaction-stream comparison needs from a transaction record. The
/// Dir-Sync module's record type implements it; [`Transaction`] is a plain one.
pub trait SyncRecord {
    /// The record's sync number (the alignment key).
    fn sync_number(&self) -> u64;
    /// The compared fields, as (stable field name, printable value), in a fixed
    /// order: e.g. `op`, `text`, `origin`, `crc`, `stamp`. Never a password.
    fn compared_fields(&self) -> Vec<(&'static str, String)>;
}

/// A plain transaction record for [`diff_transactions`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    /// Sync number.
    pub sync: u64,
    /// Operation letter.
    pub op: char,
    /// Import-text line(s) of the transaction.
    pub text: String,
    /// Originating postoffice or requestor.
    pub origin: String,
    /// CRC as stored.
    pub crc: Option<u16>,
    /// Date/time stamp as stored.
    pub stamp: Option<String>,
}

impl SyncRecord for Transaction {
    fn sync_number(&self) -> u64 {
        self.sync
    }
    fn compared_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("op", self.op.to_string()),
            ("text", self.text.clone()),
            ("origin", self.origin.clone()),
            (
                "crc",
                self.crc.map(|c| format!("{c:04X}")).unwrap_or_default(),
            ),
            ("stamp", self.stamp.clone().unwrap_or_default()),
        ]
    }
}

/// A transaction present on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionRef {
    /// Sync number.
    pub sync: u64,
    /// The compared fields as (name, value).
    pub fields: Vec<(String, String)>,
}

/// Two transactions with the same sync number and different content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionChange {
    /// Sync number.
    pub sync: u64,
    /// What differs.
    pub changes: Vec<FieldChange>,
}

/// Differences of two transaction streams aligned by sync number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TransactionDiff {
    /// Records in A.
    pub records_a: usize,
    /// Records in B.
    pub records_b: usize,
    /// Sync numbers only in A, ascending.
    pub only_in_a: Vec<TransactionRef>,
    /// Sync numbers only in B, ascending.
    pub only_in_b: Vec<TransactionRef>,
    /// Same sync number, other content, ascending.
    pub changed: Vec<TransactionChange>,
}

impl TransactionDiff {
    /// True when both streams hold the same records.
    pub fn is_identical(&self) -> bool {
        self.only_in_a.is_empty() && self.only_in_b.is_empty() && self.changed.is_empty()
    }
}

/// Aligns two transaction streams by sync number (the n-th record with a given
/// number in A meets the n-th with that number in B) and reports records on one
/// side only and records whose fields differ. Linear.
pub fn diff_transactions<T: SyncRecord>(a: &[T], b: &[T]) -> TransactionDiff {
    fn keyed<T: SyncRecord>(list: &[T]) -> HashMap<(u64, usize), &T> {
        let mut seen: HashMap<u64, usize> = HashMap::new();
        let mut m = HashMap::with_capacity(list.len());
        for r in list {
            let n = seen.entry(r.sync_number()).or_default();
            m.insert((r.sync_number(), *n), r);
            *n += 1;
        }
        m
    }
    let to_ref = |r: &T| TransactionRef {
        sync: r.sync_number(),
        fields: r
            .compared_fields()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    };
    let (ka, kb) = (keyed(a), keyed(b));
    let mut only_a = Vec::new();
    let mut only_b = Vec::new();
    let mut changed = Vec::new();
    for (k, ra) in &ka {
        match kb.get(k) {
            None => only_a.push((*k, to_ref(ra))),
            Some(rb) => {
                let (fa, fb) = (ra.compared_fields(), rb.compared_fields());
                let changes: Vec<FieldChange> = fa
                    .iter()
                    .zip(fb.iter())
                    .filter(|(x, y)| x.1 != y.1)
                    .map(|(x, y)| FieldChange::new(x.0, Some(x.1.clone()), Some(y.1.clone())))
                    .collect();
                if !changes.is_empty() {
                    changed.push((*k, TransactionChange { sync: k.0, changes }));
                }
            }
        }
    }
    for (k, rb) in &kb {
        if !ka.contains_key(k) {
            only_b.push((*k, to_ref(rb)));
        }
    }
    only_a.sort_unstable_by_key(|x| x.0);
    only_b.sort_unstable_by_key(|x| x.0);
    changed.sort_unstable_by_key(|x| x.0);
    TransactionDiff {
        records_a: a.len(),
        records_b: b.len(),
        only_in_a: only_a.into_iter().map(|x| x.1).collect(),
        only_in_b: only_b.into_iter().map(|x| x.1).collect(),
        changed: changed.into_iter().map(|x| x.1).collect(),
    }
}

// --------------------------------------------------------------- configuration

/// The numbers and other fields of one requestor as a configuration file
/// records them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestorNumbers {
    /// The requestor (postoffice) name.
    pub requestor: String,
    /// ReqSync.
    pub reqsync: Option<u64>,
    /// SrvSync.
    pub srvsync: Option<u64>,
    /// ImpSync.
    pub impsync: Option<u64>,
    /// The last cycle in which it sent updates (SRVCONF only).
    pub last_cycle: Option<u64>,
    /// Every other non-secret field of the record, in file order, as shown
    /// (`record`, `last_update`, `foreign`, `transactions_in_body`,
    /// `address_types`, `reserved`).
    pub fields: Vec<(&'static str, String)>,
    /// The requestor password, compared but never shown.
    #[serde(skip)]
    pub password: Option<Password>,
}

/// The fields of a REQCONF/SRVCONF: the numbers, every other non-secret
/// field, and the password, which is compared but only ever reported as
/// set / not set / different.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfigNumbers {
    /// The Dir-Sync server a requestor reports to (REQCONF only).
    pub server: Option<String>,
    /// The Sync number.
    pub sync: Option<u64>,
    /// The cycle number.
    pub cycle: Option<u64>,
    /// Every other non-secret field of the file (header), in file order, as
    /// shown (`version`, `keep_days`, `last_t2`, `last_export`,
    /// `template_exchange`, `address_types`, `reserved`, ...).
    pub fields: Vec<(&'static str, String)>,
    /// The password of a REQCONF (SRVCONF: per requestor), compared but
    /// never shown.
    #[serde(skip)]
    pub password: Option<Password>,
    /// Per-requestor numbers.
    pub requestors: Vec<RequestorNumbers>,
}

/// One configuration field that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberChange {
    /// `server`, `sync`, `cycle`, `reqsync`, `srvsync`, `impsync`,
    /// `last_cycle`, one of the other fields ([`ConfigNumbers::fields`],
    /// [`RequestorNumbers::fields`]), `password` (values `set`, `not set`,
    /// or `set (different)` on B's side when both are set and differ), or
    /// `requestor` (present on one side only).
    pub field: String,
    /// The requestor the number belongs to, for per-requestor numbers.
    pub requestor: Option<String>,
    /// Value in A.
    pub a: Option<String>,
    /// Value in B.
    pub b: Option<String>,
}

/// The password of A and B as a change, or nothing when they are equal:
/// `set` / `not set`, and `set (different)` for B when both are set and
/// differ. The password itself never leaves [`Password`].
fn password_change(
    a: Option<&Password>,
    b: Option<&Password>,
    requestor: Option<&str>,
) -> Option<NumberChange> {
    if a == b {
        return None;
    }
    let describe = |p: Option<&Password>| p.map(|p| p.describe().to_string());
    let both_set = a.is_some_and(Password::is_set) && b.is_some_and(Password::is_set);
    Some(NumberChange {
        field: "password".into(),
        requestor: requestor.map(str::to_string),
        a: describe(a),
        b: if both_set {
            Some("set (different)".into())
        } else {
            describe(b)
        },
    })
}

/// The other fields of A and B that differ, in A's order then B's extra ones.
fn field_changes(
    a: &[(&'static str, String)],
    b: &[(&'static str, String)],
    requestor: Option<&str>,
    out: &mut Vec<NumberChange>,
) {
    let find = |l: &[(&'static str, String)], k: &str| {
        l.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    };
    let mut names: Vec<&'static str> = a.iter().map(|(n, _)| *n).collect();
    for (n, _) in b {
        if !names.contains(n) {
            names.push(n);
        }
    }
    for n in names {
        let (va, vb) = (find(a, n), find(b, n));
        if va != vb {
            out.push(NumberChange {
                field: n.into(),
                requestor: requestor.map(str::to_string),
                a: va,
                b: vb,
            });
        }
    }
}

/// Compares configuration fields: global ones first (server, sync, cycle,
/// the other fields in file order, the password), then requestors sorted by
/// name (CP850 case-insensitive), each with its numbers, other fields and
/// password.
pub fn diff_config(a: &ConfigNumbers, b: &ConfigNumbers) -> Vec<NumberChange> {
    let s = |v: Option<u64>| v.map(|n| n.to_string());
    let mut out = Vec::new();
    if a.server != b.server {
        out.push(NumberChange {
            field: "server".into(),
            requestor: None,
            a: a.server.clone(),
            b: b.server.clone(),
        });
    }
    for (field, va, vb) in [("sync", a.sync, b.sync), ("cycle", a.cycle, b.cycle)] {
        if va != vb {
            out.push(NumberChange {
                field: field.into(),
                requestor: None,
                a: s(va),
                b: s(vb),
            });
        }
    }
    field_changes(&a.fields, &b.fields, None, &mut out);
    out.extend(password_change(
        a.password.as_ref(),
        b.password.as_ref(),
        None,
    ));
    let mut reqs: BTreeMap<String, (Option<&RequestorNumbers>, Option<&RequestorNumbers>)> =
        BTreeMap::new();
    for r in &a.requestors {
        reqs.entry(cp850_upper(&r.requestor)).or_default().0 = Some(r);
    }
    for r in &b.requestors {
        reqs.entry(cp850_upper(&r.requestor)).or_default().1 = Some(r);
    }
    for (_, pair) in reqs {
        match pair {
            (Some(ra), Some(rb)) => {
                for (field, va, vb) in [
                    ("reqsync", ra.reqsync, rb.reqsync),
                    ("srvsync", ra.srvsync, rb.srvsync),
                    ("impsync", ra.impsync, rb.impsync),
                    ("last_cycle", ra.last_cycle, rb.last_cycle),
                ] {
                    if va != vb {
                        out.push(NumberChange {
                            field: field.into(),
                            requestor: Some(ra.requestor.clone()),
                            a: s(va),
                            b: s(vb),
                        });
                    }
                }
                field_changes(&ra.fields, &rb.fields, Some(&ra.requestor), &mut out);
                out.extend(password_change(
                    ra.password.as_ref(),
                    rb.password.as_ref(),
                    Some(&ra.requestor),
                ));
            }
            (Some(r), None) => out.push(NumberChange {
                field: "requestor".into(),
                requestor: Some(r.requestor.clone()),
                a: Some("present".into()),
                b: None,
            }),
            (None, Some(r)) => out.push(NumberChange {
                field: "requestor".into(),
                requestor: Some(r.requestor.clone()),
                a: None,
                b: Some("present".into()),
            }),
            (None, None) => {}
        }
    }
    out
}

// ----------------------------------------------------------------------- files

/// One file of a tree: relative path (`/`-separated), size, SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileInfo {
    /// Path relative to the tree's root, `/`-separated, as spelled on disk.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
}

/// A file present on both sides (same path, case-insensitive) with other content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// The file in A.
    pub a: FileInfo,
    /// The file in B.
    pub b: FileInfo,
}

/// File-level differences of two folders.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileDiff {
    /// Files in A.
    pub files_a: usize,
    /// Files in B.
    pub files_b: usize,
    /// Files only in A, sorted by upper-cased path.
    pub only_in_a: Vec<FileInfo>,
    /// Files only in B, sorted by upper-cased path.
    pub only_in_b: Vec<FileInfo>,
    /// Same path, other size or content, sorted by upper-cased path.
    pub changed: Vec<FileChange>,
}

impl FileDiff {
    /// True when both folders hold the same files with the same content.
    pub fn is_identical(&self) -> bool {
        self.only_in_a.is_empty() && self.only_in_b.is_empty() && self.changed.is_empty()
    }
}

/// A listed file: (upper-cased key, relative path, full path).
type ListedFile = (String, String, PathBuf);

/// Every regular file under `root` as (upper-cased key, relative path, full path),
/// sorted by key. Symbolic links are not followed.
fn list_files(root: &Path) -> Result<Vec<ListedFile>> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| Error::read(&dir, e))?;
        for item in rd {
            let item = item.map_err(|e| Error::read(&dir, e))?;
            let name = item.file_name().to_string_lossy().into_owned();
            let rel_path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let ft = item.file_type().map_err(|e| Error::read(item.path(), e))?;
            if ft.is_dir() {
                stack.push((item.path(), rel_path));
            } else if ft.is_file() {
                out.push((cp850_upper(&rel_path), rel_path, item.path()));
            }
        }
    }
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    Ok(out)
}

/// Size and SHA-256 of one file, streamed.
fn file_info(rel: &str, path: &Path) -> Result<FileInfo> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::read(path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(buf.get(..n).unwrap_or_default());
    }
    let sha256 = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(FileInfo {
        path: rel.to_string(),
        size,
        sha256,
    })
}

/// Compares two folders file by file: relative paths matched case-insensitively
/// (CP850), content by size and SHA-256. Files are hashed in parallel.
pub fn diff_files(a: &Path, b: &Path) -> Result<FileDiff> {
    diff_listed_files(&list_files(a)?, &list_files(b)?)
}

/// [`diff_files`] on two listings made by [`list_files`].
fn diff_listed_files(la: &[ListedFile], lb: &[ListedFile]) -> Result<FileDiff> {
    let hash_all = |list: &[ListedFile]| -> Result<Vec<(String, FileInfo)>> {
        list.par_iter()
            .map(|(k, rel, p)| file_info(rel, p).map(|i| (k.clone(), i)))
            .collect()
    };
    let fa = hash_all(la)?;
    let fb = hash_all(lb)?;
    let mut ib: HashMap<&str, &FileInfo> = HashMap::with_capacity(fb.len());
    for (k, i) in &fb {
        ib.entry(k.as_str()).or_insert(i);
    }
    let mut ia: HashMap<&str, &FileInfo> = HashMap::with_capacity(fa.len());
    for (k, i) in &fa {
        ia.entry(k.as_str()).or_insert(i);
    }
    let mut diff = FileDiff {
        files_a: fa.len(),
        files_b: fb.len(),
        ..FileDiff::default()
    };
    for (k, x) in &fa {
        match ib.get(k.as_str()) {
            None => diff.only_in_a.push(x.clone()),
            Some(y) if y.size != x.size || y.sha256 != x.sha256 => diff.changed.push(FileChange {
                a: x.clone(),
                b: (*y).clone(),
            }),
            Some(_) => {}
        }
    }
    for (k, y) in &fb {
        if !ia.contains_key(k.as_str()) {
            diff.only_in_b.push(y.clone());
        }
    }
    Ok(diff)
}

/// Compares two single files by size and SHA-256 (the fallback for kinds
/// without a model comparison). Paths are reported by file name.
pub fn diff_single_files(a: &Path, b: &Path) -> Result<FileDiff> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let fa = file_info(&name(a), a)?;
    let fb = file_info(&name(b), b)?;
    let mut diff = FileDiff {
        files_a: 1,
        files_b: 1,
        ..FileDiff::default()
    };
    if fa.size != fb.size || fa.sha256 != fb.sha256 {
        diff.changed.push(FileChange { a: fa, b: fb });
    }
    Ok(diff)
}

// ------------------------------------------------------ Dir-Sync files in trees

/// What a Dir-Sync file found inside a folder is, for the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DirSyncPart {
    /// A transaction stream (`*TRANS.GLB`, `RESYNC.GLB`).
    Transactions,
    /// `REQCONF.GLB`.
    ReqConf,
    /// `SRVCONF.GLB`.
    SrvConf,
}

/// The Dir-Sync part a file name stands for: the known transaction-stream
/// names, any other `*TRANS.GLB`, `RESYNC.GLB`, `REQCONF.GLB`, `SRVCONF.GLB`
/// (also spelled `SVRCONF.GLB`). By name only (any folder, any case); other
/// files (`PROCESS.GLB` included) are `None`.
pub fn dirsync_part(rel_path: &str) -> Option<DirSyncPart> {
    use crate::dirsync::{DirSyncFileKind, TransKind};
    let base = rel_path.rsplit(['/', '\\']).next().unwrap_or(rel_path);
    if base.to_ascii_uppercase().ends_with("TRANS.GLB") {
        return Some(DirSyncPart::Transactions);
    }
    match TransKind::from_name(base) {
        Some(_) => Some(DirSyncPart::Transactions),
        None => match crate::dirsync::sniff(base, &[]) {
            Some(DirSyncFileKind::ReqConf) => Some(DirSyncPart::ReqConf),
            Some(DirSyncFileKind::SrvConf) => Some(DirSyncPart::SrvConf),
            _ => None,
        },
    }
}

/// The comparison of one Dir-Sync file present in both folders (matched by
/// relative path, case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirSyncFileDiff {
    /// Relative path in A (`/`-separated, as spelled on disk): the label.
    pub path: String,
    /// Relative path in B (the same up to case).
    pub path_b: String,
    /// `transactions`, `reqconf` or `srvconf`.
    pub kind: DirSyncPart,
    /// Transaction streams: the records aligned by sync number.
    pub transactions: Option<TransactionDiff>,
    /// REQCONF/SRVCONF: the numbers that differ (empty when none).
    pub configuration: Option<Vec<NumberChange>>,
}

impl DirSyncFileDiff {
    /// This file's differences as totals (records only in A/B and changed
    /// records, or one `changed` per configuration number).
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        if let Some(x) = &self.transactions {
            t.only_in_a += x.only_in_a.len();
            t.only_in_b += x.only_in_b.len();
            t.changed += x.changed.len();
        }
        if let Some(c) = &self.configuration {
            t.changed += c.len();
        }
        t
    }

    /// True when the two files hold the same records or numbers.
    pub fn is_identical(&self) -> bool {
        self.totals().differences() == 0
    }
}

/// Compares one Dir-Sync file of A with its counterpart in B.
fn diff_dirsync_pair(
    part: DirSyncPart,
    (rel_a, path_a): (&str, &Path),
    (rel_b, path_b): (&str, &Path),
    options: &LoadOptions,
) -> Result<DirSyncFileDiff> {
    let mut d = DirSyncFileDiff {
        path: rel_a.to_string(),
        path_b: rel_b.to_string(),
        kind: part,
        transactions: None,
        configuration: None,
    };
    let read_both = |p: &Path, q: &Path| -> Result<(Vec<u8>, Vec<u8>)> {
        Ok((crate::input::read_input(p)?, crate::input::read_input(q)?))
    };
    let (ba, bb) = read_both(path_a, path_b)?;
    let (na, nb) = (path_a.display().to_string(), path_b.display().to_string());
    match part {
        DirSyncPart::Transactions => {
            let sa = crate::dirsync::read_stream(&ba, &na, options.salvage)?;
            let sb = crate::dirsync::read_stream(&bb, &nb, options.salvage)?;
            d.transactions = Some(diff_transactions(&sa.records, &sb.records));
        }
        DirSyncPart::ReqConf => {
            let ca = dirsync::reqconf_numbers(&ReqConf::read(&ba, &na)?);
            let cb = dirsync::reqconf_numbers(&ReqConf::read(&bb, &nb)?);
            d.configuration = Some(diff_config(&ca, &cb));
        }
        DirSyncPart::SrvConf => {
            let ca = dirsync::srvconf_numbers(&SrvConf::read(&ba, &na)?);
            let cb = dirsync::srvconf_numbers(&SrvConf::read(&bb, &nb)?);
            d.configuration = Some(diff_config(&ca, &cb));
        }
    }
    Ok(d)
}

/// Compares the Dir-Sync files two listings have in common (see
/// [`dirsync_part`]), in parallel, sorted by upper-cased path of A.
fn diff_listed_dirsync(
    la: &[ListedFile],
    lb: &[ListedFile],
    options: &LoadOptions,
) -> Result<Vec<DirSyncFileDiff>> {
    let mut ib: HashMap<&str, &ListedFile> = HashMap::new();
    for f in lb {
        if dirsync_part(&f.1).is_some() {
            ib.entry(f.0.as_str()).or_insert(f);
        }
    }
    // `la` is sorted by key, so the pairs (and the results) are too.
    let pairs: Vec<(DirSyncPart, &ListedFile, &ListedFile)> = la
        .iter()
        .filter_map(|fa| {
            let part = dirsync_part(&fa.1)?;
            let fb = ib.remove(fa.0.as_str())?;
            Some((part, fa, fb))
        })
        .collect();
    pairs
        .par_iter()
        .map(|(part, fa, fb)| diff_dirsync_pair(*part, (&fa.1, &fa.2), (&fb.1, &fb.2), options))
        .collect()
}

/// Compares every Dir-Sync file (transaction streams, REQCONF, SRVCONF) that
/// two folders both hold, matched by relative path case-insensitively, each
/// labelled with its path. Files on one side only are left to [`diff_files`].
pub fn diff_dirsync_files(
    a: &Path,
    b: &Path,
    options: &LoadOptions,
) -> Result<Vec<DirSyncFileDiff>> {
    diff_listed_dirsync(&list_files(a)?, &list_files(b)?, options)
}

// ---------------------------------------------------------------------- report

/// Totals over every part of a report (the numbers the summary shows first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Items only in A (entries, transactions, files).
    pub only_in_a: usize,
    /// Items only in B.
    pub only_in_b: usize,
    /// Address renames.
    pub renamed: usize,
    /// Items on both sides with other content (entries, transactions, files,
    /// configuration numbers, template definitions).
    pub changed: usize,
}

impl Totals {
    /// Sum of all differences.
    pub fn differences(&self) -> usize {
        self.only_in_a + self.only_in_b + self.renamed + self.changed
    }
}

/// A whole comparison: what was compared and every part that applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffReport {
    /// Kind of the two sources (`import-text`, `tree`, ...).
    pub kind: String,
    /// Source A as the user named it.
    pub a: String,
    /// Source B as the user named it.
    pub b: String,
    /// True when nothing differs.
    pub identical: bool,
    /// Totals over all parts.
    pub totals: Totals,
    /// Address-list differences.
    pub directory: Option<DirectoryDiff>,
    /// Transaction-stream differences.
    pub transactions: Option<TransactionDiff>,
    /// Configuration-number differences.
    pub configuration: Option<Vec<NumberChange>>,
    /// File-level differences (folders).
    pub files: Option<FileDiff>,
    /// Folders: the Dir-Sync files both hold, each compared and labelled with
    /// its relative path (`None` for single files).
    pub dirsync: Option<Vec<DirSyncFileDiff>>,
}

impl DiffReport {
    /// Builds a report from its parts and computes `identical` and `totals`.
    pub fn new(
        kind: impl Into<String>,
        a: impl Into<String>,
        b: impl Into<String>,
        directory: Option<DirectoryDiff>,
        transactions: Option<TransactionDiff>,
        configuration: Option<Vec<NumberChange>>,
        files: Option<FileDiff>,
    ) -> DiffReport {
        let mut r = DiffReport {
            kind: kind.into(),
            a: a.into(),
            b: b.into(),
            identical: true,
            totals: Totals::default(),
            directory,
            transactions,
            configuration,
            files,
            dirsync: None,
        };
        r.recount();
        r
    }

    /// Adds the labelled Dir-Sync file comparisons of two folders and updates
    /// `identical` and `totals`.
    pub fn with_dirsync(mut self, dirsync: Vec<DirSyncFileDiff>) -> DiffReport {
        self.dirsync = Some(dirsync);
        self.recount();
        self
    }

    /// Recomputes `totals` and `identical` from the parts: each part counts its
    /// own differences (an edit can show in several parts, e.g. a transaction
    /// added to MSTTRANS.GLB is a record only in B and a changed file).
    fn recount(&mut self) {
        let mut t = Totals::default();
        if let Some(d) = &self.directory {
            t.only_in_a += d.totals.only_in_a;
            t.only_in_b += d.totals.only_in_b;
            t.renamed += d.totals.renamed;
            t.changed += d.totals.changed;
            t.changed += d
                .scopes
                .iter()
                .filter(|s| s.template_definition.is_some())
                .count();
        }
        if let Some(x) = &self.transactions {
            t.only_in_a += x.only_in_a.len();
            t.only_in_b += x.only_in_b.len();
            t.changed += x.changed.len();
        }
        if let Some(c) = &self.configuration {
            t.changed += c.len();
        }
        if let Some(f) = &self.files {
            t.only_in_a += f.only_in_a.len();
            t.only_in_b += f.only_in_b.len();
            t.changed += f.changed.len();
        }
        for d in self.dirsync.iter().flatten() {
            let x = d.totals();
            t.only_in_a += x.only_in_a;
            t.only_in_b += x.only_in_b;
            t.changed += x.changed;
        }
        self.totals = t;
        self.identical = t.differences() == 0;
    }
}

/// The kind name used in reports (`import-text`, `dir-sync-transactions`, ...).
pub fn kind_name(kind: SourceKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}

fn same_kind(
    a: &Path,
    b: &Path,
    ka: SourceKind,
    kb: SourceKind,
    options: &LoadOptions,
) -> Result<()> {
    if ka == kb {
        return Ok(());
    }
    // A side taken for import text only because nothing else matched, and
    // that does not read as import text either, is damaged: its error, with
    // line and column, says why (exit 3).
    for (p, k) in [(a, ka), (b, kb)] {
        if k == SourceKind::ImportText {
            source::load_directory(p, options)?;
        }
    }
    // Import text is what text without the marks of a more specific kind is
    // taken for. When the other side is a text kind known by such marks (a
    // `[DIRSYNC]` section, a GIMPORT line, msmail's CSV header), the side read
    // as import text most likely lost them to damage: an input error, not a
    // usage error.
    let marked = |k: SourceKind| {
        matches!(
            k,
            SourceKind::DirSyncMessage | SourceKind::GroupFile | SourceKind::Csv
        )
    };
    let fallback = match (ka, kb) {
        (SourceKind::ImportText, k) if marked(k) => Some((a, b, k)),
        (k, SourceKind::ImportText) if marked(k) => Some((b, a, k)),
        _ => None,
    };
    if let Some((damaged, other, k)) = fallback {
        return Err(Error::input(
            damaged.display().to_string(),
            Location::File,
            format!(
                "not recognised as {what} like {other}: it lacks the {marks}, so it reads as \
                 import text; the file is damaged (e.g. truncated) or not the same kind of \
                 file as {other}",
                what = kind_name(k),
                other = other.display(),
                marks = match k {
                    SourceKind::DirSyncMessage => "`[DIRSYNC]` section of a Dir-Sync message",
                    SourceKind::GroupFile => "`G`/`R`/`P` lines of a GIMPORT group file",
                    _ => "header row of a CSV msmail wrote",
                },
            ),
        ));
    }
    Err(Error::Usage(format!(
        "{} is {} but {} is {}: diff compares two sources of the same kind",
        a.display(),
        kind_name(ka),
        b.display(),
        kind_name(kb)
    )))
}

/// Frees big values on another thread: freeing two million-entry directories
/// takes a fifth of a diff's time and nothing waits for it. (If the thread
/// cannot start, the value is freed here.)
fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("msmail-free".into())
        .spawn(move || drop(value));
}

/// Loads both sources at once (two threads); A's error wins when both fail.
fn load_both(a: &Path, b: &Path, options: &LoadOptions) -> Result<(Directory, Directory)> {
    let (ra, rb) = rayon::join(
        || source::load_directory(a, options),
        || source::load_directory(b, options),
    );
    Ok((ra?.directory, rb?.directory))
}

fn read_stream(path: &Path, options: &LoadOptions) -> Result<(TransStream, Directory)> {
    let file = path.display().to_string();
    let bytes = crate::input::read_input(path)?;
    let stream = crate::dirsync::read_stream(&bytes, &file, options.salvage)?;
    drop(bytes);
    let mut dir = Directory::new();
    stream.apply_to(&mut dir, &file)?;
    Ok((stream, dir))
}

/// Compares two sources (the engine behind `msmail diff`).
///
/// Two folders: file-level comparison, every Dir-Sync file both hold (see
/// [`diff_dirsync_files`]), plus the address lists when both are recognised as
/// sources of the same kind. Two files: both must be of the same
/// kind (else [`Error::Usage`]); import text gives the address lists,
/// transaction streams the address lists and the records aligned by sync
/// number, REQCONF/SRVCONF their numbers, other kinds a size/SHA-256 comparison.
pub fn compare_sources(a: &Path, b: &Path, options: &LoadOptions) -> Result<DiffReport> {
    for p in [a, b] {
        if !p.exists() {
            return Err(Error::read(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            ));
        }
    }
    let (name_a, name_b) = (a.display().to_string(), b.display().to_string());
    match (a.is_dir(), b.is_dir()) {
        (true, true) => {
            let (la, lb) = (list_files(a)?, list_files(b)?);
            let files = diff_listed_files(&la, &lb)?;
            let dirsync = diff_listed_dirsync(&la, &lb, options)?;
            let (kind, directory) = match (source::detect(a), source::detect(b)) {
                (Ok(ka), Ok(kb)) => {
                    same_kind(a, b, ka, kb, options)?;
                    let (da, db) = load_both(a, b, options)?;
                    let d = diff_directories(&da, &db);
                    drop_in_background((da, db));
                    (kind_name(ka), Some(d))
                }
                // Folders msmail does not recognise as a source: files only.
                _ => ("folder".to_string(), None),
            };
            Ok(
                DiffReport::new(kind, name_a, name_b, directory, None, None, Some(files))
                    .with_dirsync(dirsync),
            )
        }
        (false, false) => {
            let ka = source::detect(a)?;
            let kb = source::detect(b)?;
            same_kind(a, b, ka, kb, options)?;
            let kind = kind_name(ka);
            let report = |d, t, c, f| DiffReport::new(kind.clone(), &name_a, &name_b, d, t, c, f);
            match ka {
                SourceKind::ImportText => {
                    let (da, db) = load_both(a, b, options)?;
                    let d = diff_directories(&da, &db);
                    drop_in_background((da, db));
                    Ok(report(Some(d), None, None, None))
                }
                SourceKind::DirSyncTransactions => {
                    let (ra, rb) =
                        rayon::join(|| read_stream(a, options), || read_stream(b, options));
                    let ((sa, da), (sb, db)) = (ra?, rb?);
                    let d = diff_directories(&da, &db);
                    let t = diff_transactions(&sa.records, &sb.records);
                    drop_in_background((sa, sb, da, db));
                    Ok(report(Some(d), Some(t), None, None))
                }
                SourceKind::ReqConf => {
                    let read = |p: &Path| -> Result<ConfigNumbers> {
                        let bytes = crate::input::read_input(p)?;
                        let c = ReqConf::read(&bytes, &p.display().to_string())?;
                        Ok(dirsync::reqconf_numbers(&c))
                    };
                    Ok(report(
                        None,
                        None,
                        Some(diff_config(&read(a)?, &read(b)?)),
                        None,
                    ))
                }
                SourceKind::SrvConf => {
                    let read = |p: &Path| -> Result<ConfigNumbers> {
                        let bytes = crate::input::read_input(p)?;
                        let c = SrvConf::read(&bytes, &p.display().to_string())?;
                        Ok(dirsync::srvconf_numbers(&c))
                    };
                    Ok(report(
                        None,
                        None,
                        Some(diff_config(&read(a)?, &read(b)?)),
                        None,
                    ))
                }
                #[allow(unreachable_patterns)]
                _ => Ok(report(None, None, None, Some(diff_single_files(a, b)?))),
            }
        }
        _ => {
            // A folder standing for the one file it holds is that file; a
            // side that is not a source at all (a damaged folder or file) is
            // an input error; two sources of different kinds, a usage error.
            let (ra, rb) = (source::resolve(a), source::resolve(b));
            if ra.is_dir() == rb.is_dir() {
                return compare_sources(&ra, &rb, options);
            }
            let ka = source::detect(a)?;
            let kb = source::detect(b)?;
            same_kind(a, b, ka, kb, options)?;
            Err(Error::Usage(format!(
                "one of {name_a} and {name_b} is a folder and the other a file: diff compares two sources of the same kind"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, Entry, Operation, Scope, TemplateField};

    fn e(name: &str, addr: &str) -> Entry {
        Entry::new(name, Address::parse(addr).unwrap())
    }

    fn base() -> Directory {
        let mut d: Directory = [
            e("Doe, John", "PCM:NET/PO1/JDOE"),
            e("Roe, Jane", "PCM:NET/PO1/JROE"),
            e("Poe, Ed", "PCM:NET/PO1/EPOE"),
            e("Smith", "SMTP:smith@example.com"),
            e("Keep", "PCM:NET/PO2/KEEP"),
        ]
        .into_iter()
        .collect();
        let mut g = e("Staff", "PCM:NET/PO2/STAFF");
        g.kind = EntryKind::Group;
        d.upsert(g);
        d
    }

    #[test]
    fn identical_directories_have_no_differences() {
        let d = diff_directories(&base(), &base());
        assert!(d.is_identical());
        assert_eq!(d.totals.unchanged, 6);
        assert_eq!(d.scopes.len(), 3);
    }

    #[test]
    fn known_edits_are_reported_exactly() {
        let a = base();
        let mut b = base();
        // full-name change, deletion, addition, address rename, kind and template change
        b.upsert(e("Doe, Johnny", "PCM:NET/PO1/JDOE"));
        b.remove(&Address::parse("PCM:NET/PO1/JROE").unwrap().key());
        b.upsert(e("New, Person", "PCM:NET/PO1/NEWP"));
        b.apply(Operation::Modify {
            old: e("Poe, Ed", "PCM:NET/PO1/EPOE"),
            new: e("Poe, Ed", "PCM:NET/PO1/EDPOE"),
        });
        let mut k = e("Keep", "PCM:NET/PO2/KEEP");
        k.template.push(TemplateValue {
            prompt: "Phone:".into(),
            value: "555".into(),
        });
        b.upsert(k);
        b.upsert(e("Staff", "pcm:net/po2/staff")); // kind group -> user, spelling
        let d = diff_directories(&a, &b);
        assert_eq!(d.totals.only_in_a, 1);
        assert_eq!(d.totals.only_in_b, 1);
        assert_eq!(d.totals.renamed, 1);
        assert_eq!(d.totals.changed, 3);
        let po1 = &d.scopes[0];
        assert_eq!(po1.scope, "PCM:NET/PO1");
        assert_eq!(po1.only_in_a[0].address, "PCM:NET/PO1/JROE");
        assert_eq!(po1.only_in_b[0].address, "PCM:NET/PO1/NEWP");
        assert_eq!(po1.renamed[0].from.address, "PCM:NET/PO1/EPOE");
        assert_eq!(po1.renamed[0].to.address, "PCM:NET/PO1/EDPOE");
        assert_eq!(po1.changed[0].changes[0].field, "full_name");
        assert_eq!(po1.changed[0].changes[0].b.as_deref(), Some("Doe, Johnny"));
        let po2 = &d.scopes[1];
        assert_eq!(po2.changed[0].address, "PCM:NET/PO2/KEEP");
        assert_eq!(po2.changed[0].changes[0].field, "template:Phone:");
        assert_eq!(po2.changed[0].changes[0].a, None);
        let fields: Vec<&str> = po2.changed[1]
            .changes
            .iter()
            .map(|c| c.field.as_str())
            .collect();
        assert_eq!(fields, ["address", "kind"]);
        assert!(d.scopes[2].is_identical());
    }

    #[test]
    fn ambiguous_renames_stay_add_and_delete() {
        let a: Directory = [e("Same", "PCM:N/P/A1"), e("Same", "PCM:N/P/A2")]
            .into_iter()
            .collect();
        let b: Directory = [e("Same", "PCM:N/P/B1"), e("Same", "PCM:N/P/B2")]
            .into_iter()
            .collect();
        let d = diff_directories(&a, &b);
        assert_eq!(d.totals.renamed, 0);
        assert_eq!(d.totals.only_in_a, 2);
        assert_eq!(d.totals.only_in_b, 2);
    }

    #[test]
    fn template_definitions_are_compared() {
        let a = base();
        let mut b = base();
        b.apply(Operation::Template(TemplateDef {
            scope: Scope::parse("PCM:NET/PO9").unwrap(),
            fields: vec![TemplateField {
                prompt: "Phone:".into(),
                width: 20,
                ..TemplateField::default()
            }],
        }));
        let d = diff_directories(&a, &b);
        let s = d.scopes.iter().find(|s| s.scope == "PCM:NET/PO9").unwrap();
        assert_eq!(
            s.template_definition.as_ref().unwrap().b.as_ref().unwrap()[0],
            "Phone:~0~20~~~"
        );
        assert!(!d.is_identical());
        let r = DiffReport::new("x", "a", "b", Some(d), None, None, None);
        assert_eq!(r.totals.changed, 1);
        assert!(!r.identical);
    }

    fn t(sync: u64, text: &str) -> Transaction {
        Transaction {
            sync,
            op: 'A',
            text: text.into(),
            origin: "NET/PO1".into(),
            crc: Some(0x1234),
            stamp: None,
        }
    }

    #[test]
    fn transactions_align_by_sync_number() {
        let a = vec![t(1, "x"), t(2, "y"), t(3, "z")];
        let b = vec![t(2, "y"), t(3, "Z"), t(4, "w")];
        let d = diff_transactions(&a, &b);
        assert_eq!(d.only_in_a.len(), 1);
        assert_eq!(d.only_in_a[0].sync, 1);
        assert_eq!(d.only_in_b[0].sync, 4);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].sync, 3);
        assert_eq!(d.changed[0].changes[0].field, "text");
        assert!(diff_transactions(&a, &a).is_identical());
    }

    #[test]
    fn config_numbers_name_their_requestor() {
        let r = |n: &str, q| RequestorNumbers {
            requestor: n.into(),
            reqsync: Some(q),
            srvsync: Some(5),
            impsync: None,
            last_cycle: None,
            ..Default::default()
        };
        let a = ConfigNumbers {
            server: None,
            sync: Some(10),
            cycle: Some(2),
            requestors: vec![r("PO1", 7), r("PO2", 1)],
            ..Default::default()
        };
        let b = ConfigNumbers {
            server: None,
            sync: Some(11),
            cycle: Some(2),
            requestors: vec![r("po1", 9)],
            ..Default::default()
        };
        let c = diff_config(&a, &b);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].field, "sync");
        assert_eq!(c[1].field, "reqsync");
        assert_eq!(c[1].requestor.as_deref(), Some("PO1"));
        assert_eq!(c[2].field, "requestor");
        assert_eq!(c[2].b, None);
    }

    #[test]
    fn files_compare_by_path_case_insensitively() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::create_dir(a.path().join("GLB")).unwrap();
        std::fs::create_dir(b.path().join("glb")).unwrap();
        std::fs::write(a.path().join("GLB/NETWORK.GLB"), b"abc").unwrap();
        std::fs::write(b.path().join("glb/network.glb"), b"abd").unwrap();
        std::fs::write(a.path().join("SAME.DAT"), b"1").unwrap();
        std::fs::write(b.path().join("SAME.DAT"), b"1").unwrap();
        std::fs::write(a.path().join("ONLYA"), b"").unwrap();
        std::fs::write(b.path().join("ONLYB"), b"xx").unwrap();
        let d = diff_files(a.path(), b.path()).unwrap();
        assert_eq!(d.files_a, 3);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].a.path, "GLB/NETWORK.GLB");
        assert_eq!(d.changed[0].b.path, "glb/network.glb");
        assert_eq!(d.only_in_a[0].path, "ONLYA");
        assert_eq!(
            d.only_in_a[0].sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(d.only_in_b[0].size, 2);
    }

    #[test]
    fn dirsync_files_are_recognised_by_name() {
        assert_eq!(
            dirsync_part("GLB/MSTTRANS.GLB"),
            Some(DirSyncPart::Transactions)
        );
        assert_eq!(
            dirsync_part("glb/reqtrans.glb"),
            Some(DirSyncPart::Transactions)
        );
        assert_eq!(
            dirsync_part("X/FOOTRANS.GLB"),
            Some(DirSyncPart::Transactions)
        );
        assert_eq!(dirsync_part("RESYNC.GLB"), Some(DirSyncPart::Transactions));
        assert_eq!(dirsync_part("GLB/ReqConf.glb"), Some(DirSyncPart::ReqConf));
        assert_eq!(dirsync_part("GLB/SVRCONF.GLB"), Some(DirSyncPart::SrvConf));
        assert_eq!(dirsync_part("GLB/PROCESS.GLB"), None);
        assert_eq!(dirsync_part("GLB/NETWORK.GLB"), None);
    }

    #[test]
    fn labelled_dirsync_diffs_count_in_the_totals() {
        let x = DirSyncFileDiff {
            path: "GLB/MSTTRANS.GLB".into(),
            path_b: "glb/msttrans.glb".into(),
            kind: DirSyncPart::Transactions,
            transactions: Some(diff_transactions(&[t(1, "x")], &[t(1, "y"), t(2, "z")])),
            configuration: None,
        };
        let c = DirSyncFileDiff {
            path: "GLB/SRVCONF.GLB".into(),
            path_b: "GLB/SRVCONF.GLB".into(),
            kind: DirSyncPart::SrvConf,
            transactions: None,
            configuration: Some(Vec::new()),
        };
        assert!(c.is_identical() && !x.is_identical());
        let r = DiffReport::new("tree", "a", "b", None, None, None, None);
        assert!(r.identical);
        let r = r.with_dirsync(vec![x, c]);
        assert!(!r.identical);
        assert_eq!(r.totals.only_in_b, 1);
        assert_eq!(r.totals.changed, 1);
        assert_eq!(r.dirsync.as_ref().map(Vec::len), Some(2));
    }

    #[test]
    fn folders_compare_their_common_dirsync_files() {
        use crate::dirsync::{write_stream, TransactionRecord};
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let rec = |s| TransactionRecord::new(s, 0, b'A', "N/P", b"A x  PCM:N/P/X".to_vec());
        std::fs::write(a.path().join("MSTTRANS.GLB"), write_stream(&[rec(1)])).unwrap();
        std::fs::write(b.path().join("msttrans.glb"), write_stream(&[rec(2)])).unwrap();
        std::fs::write(a.path().join("REQTRANS.GLB"), write_stream(&[rec(1)])).unwrap();
        let d = diff_dirsync_files(a.path(), b.path(), &LoadOptions::default()).unwrap();
        assert_eq!(d.len(), 1, "REQTRANS.GLB is on one side only");
        assert_eq!(d[0].path, "MSTTRANS.GLB");
        assert_eq!(d[0].path_b, "msttrans.glb");
        let x = d[0].transactions.as_ref().unwrap();
        assert_eq!((x.only_in_a.len(), x.only_in_b.len()), (1, 1));
        // A damaged stream is an input error naming the file.
        std::fs::write(b.path().join("msttrans.glb"), b"\x01\x02\x03").unwrap();
        let err = diff_dirsync_files(a.path(), b.path(), &LoadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("msttrans.glb"), "{err}");
    }
}
