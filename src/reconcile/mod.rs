//! The reconcile engine: finds the Dir-Sync restore hole (Q113453) and plans
//! its repair. Pure model: no file I/O. Adapters fill [`ServerSnapshot`] and
//! [`Evidence`] from files; see docs/reconcile.md for the method.
//!
//! - [`reconcile`] builds, for every postoffice, the server's view, the merged
//!   list, the hole between them, the sync numbers and the hazards.
//! - [`plan_repair`] turns a [`Reconciliation`] into repair transactions, new
//!   SRVCONF numbers and RESYNC header numbers.
//! - [`Reconciliation::to_json`] and [`Reconciliation::to_text`] report it.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::codepage::is_cp850;
use crate::error::{Error, Location, Result};
use crate::model::{AddressKey, Directory, Entry, Operation, Scope};

pub mod inputs;
pub mod output;
pub mod plan;
pub mod report;
pub mod view;

pub use plan::{
    apply_plan_to_views, plan_repair, plan_repair_taking, RepairMode, RepairPlan, ResyncHeader,
    SrvconfUpdate,
};
pub use report::WrittenFile;
pub use view::{owner_of, Views};

/// One SRVCONF.GLB requestor record, as far as reconciliation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRequestorRecord {
    /// The requestor name as stored: `PCM:NET/PO` or a foreign `TYPE:GATE/NODE`.
    pub name: String,
    /// The requestor's scope (parsed from `name` by the adapter).
    pub scope: Scope,
    /// ReqSync^S_p: the requestor's updates the server has confirmed.
    pub reqsync: u32,
    /// SrvSync^S_p: master transactions the server believes p has received.
    pub srvsync: u32,
    /// ImpSync: imports requested to date.
    pub impsync: u32,
    /// The Dir-Sync cycle of the last exchange.
    pub last_cycle: u32,
}

/// One MSTTRANS.GLB transaction. An empty `operations` is a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterTransaction {
    /// Master sync number.
    pub sync: u32,
    /// The `NET/PO` that produced it (or `TYPE:GATE/NODE` for a foreign requestor).
    pub origin: String,
    /// Its operations, in order (usually one).
    pub operations: Vec<Operation>,
}

/// The restored Dir-Sync server, as read from its MAILDATA tree.
#[derive(Debug, Clone)]
pub struct ServerSnapshot {
    /// The server's own postoffice.
    pub own_scope: Scope,
    /// The server's own postoffice list (POL), as of the backup.
    pub own_pol: Directory,
    /// SRVCONF.GLB header Sync: the last master sync number, Sync(B).
    pub sync: u32,
    /// SRVCONF.GLB current cycle.
    pub cycle: u32,
    /// SRVCONF.GLB requestor records (the server's own record included).
    pub requestors: Vec<ServerRequestorRecord>,
    /// The server's USR list of each requestor postoffice.
    pub usr_lists: Vec<(Scope, Directory)>,
    /// MSTTRANS.GLB transactions.
    pub master: Vec<MasterTransaction>,
}

/// What a piece of requestor evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EvidenceKind {
    /// A requestor export (Config, Dir-Sync, Requestor, Export; `R` + `A`
    /// lines; a `[DIRSYNC]` `TASK=EXPORT` message): the postoffice's whole
    /// contribution, gateway entries included. Authoritative.
    Export,
    /// An `IMPORT -X` extract (Q132681): the postoffice's own PCM entries are
    /// authoritative; everything else (other postoffices, gateway entries whose
    /// originator cannot be told) is forensic only.
    Extract,
    /// The requestor's live MAILDATA tree: its derived POL (local users not
    /// excluded from Dir-Sync, its groups) and its own gateway entries. Authoritative.
    Tree,
    /// Numbers only (REQCONF.GLB, REQTRANS.GLB): the hole can be sized, not filled.
    Numbers,
}

impl EvidenceKind {
    /// The report code: `export`, `tree` or `numbers` (an extract is an export).
    pub fn code(self) -> &'static str {
        match self {
            EvidenceKind::Export | EvidenceKind::Extract => "export",
            EvidenceKind::Tree => "tree",
            EvidenceKind::Numbers => "numbers",
        }
    }

    /// Does this kind carry an authoritative list?
    pub fn is_authoritative(self) -> bool {
        !matches!(self, EvidenceKind::Numbers)
    }
}

/// A requestor's own Dir-Sync numbers at C (REQCONF.GLB / REQTRANS.GLB, or a
/// `[DIRSYNC]` message's REQSEQ/SRVSEQ).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestorNumbers {
    /// ReqSync_p(C).
    pub reqsync: u32,
    /// SrvSync_p(C).
    pub srvsync: u32,
    /// ImpSync_p, when known.
    pub impsync: Option<u32>,
    /// Sync numbers of the transactions still queued in REQTRANS.GLB
    /// (placeholders excluded).
    pub pending: Vec<u32>,
}

/// One piece of requestor evidence.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The source as the user named it (file or folder).
    pub source: String,
    /// The postoffice it speaks for: bound by the user, or identified by the
    /// adapter ([`identify_scope`]); `None` lets the engine identify it.
    pub scope: Option<Scope>,
    /// What it is.
    pub kind: EvidenceKind,
    /// Its entries in source order (duplicates kept: the later one wins and is
    /// reported). Empty for numbers-only evidence.
    pub entries: Vec<Entry>,
    /// The requestor's numbers, when the source carries them.
    pub numbers: Option<RequestorNumbers>,
    /// When the evidence was produced (seconds since 1970, from a message date
    /// or a file time), used only by `prefer_newest`.
    pub as_of: Option<i64>,
    /// Does the source say which entries are groups? Only trees do: import
    /// text, transaction text and messages read every entry as a user, so for
    /// them the server's kind of an existing entry is kept (a kind difference
    /// is not evidence of a change).
    pub kinds_known: bool,
}

impl Evidence {
    /// Evidence with a list and no numbers.
    pub fn list(
        source: impl Into<String>,
        kind: EvidenceKind,
        scope: Option<Scope>,
        entries: Vec<Entry>,
    ) -> Evidence {
        Evidence {
            source: source.into(),
            scope,
            kind,
            entries,
            numbers: None,
            as_of: None,
            kinds_known: true,
        }
    }

    /// Evidence from an already loaded directory (no duplicates can be seen:
    /// the directory has merged them). Entries in the directory's order.
    pub fn from_directory(
        source: impl Into<String>,
        kind: EvidenceKind,
        scope: Option<Scope>,
        directory: &Directory,
    ) -> Evidence {
        Evidence::list(source, kind, scope, directory.iter().cloned().collect())
    }

    /// Numbers-only evidence for a postoffice.
    pub fn numbers(source: impl Into<String>, scope: Scope, numbers: RequestorNumbers) -> Evidence {
        Evidence {
            source: source.into(),
            scope: Some(scope),
            kind: EvidenceKind::Numbers,
            entries: Vec::new(),
            numbers: Some(numbers),
            as_of: None,
            kinds_known: true,
        }
    }
}

/// Engine options.
#[derive(Debug, Clone, Default)]
pub struct ReconcileOptions {
    /// When two authoritative sources for one postoffice disagree, take the
    /// newest (by `as_of`, then ReqSync, then the later source) instead of failing.
    pub prefer_newest: bool,
}

/// The postoffice a directory speaks for: the dominant PCM scope (most
/// entries; ties go to the smallest scope key). `None` without PCM entries.
pub fn identify_scope(directory: &Directory) -> Option<Scope> {
    identify_scope_of(directory.iter())
}

/// [`identify_scope`] for an operation list: the scope of its `R PCM:NET/PO`
/// when there is one (an export), else the dominant PCM scope of its entries.
pub fn identify_scope_of_operations(ops: &[Operation]) -> Option<Scope> {
    for op in ops {
        if let Operation::Replace(s) = op {
            if s.type_name == "PCM" {
                return Some(s.clone());
            }
        }
    }
    identify_scope_of(ops.iter().filter_map(|op| match op {
        Operation::Add(e) | Operation::Delete(e) => Some(e),
        Operation::Modify { new, .. } => Some(new),
        _ => None,
    }))
}

fn identify_scope_of<'a>(entries: impl Iterator<Item = &'a Entry>) -> Option<Scope> {
    let mut counts: HashMap<String, (usize, Scope)> = HashMap::new();
    for e in entries.filter(|e| e.address.is_pcm()) {
        let s = e.scope();
        counts.entry(s.key()).or_insert((0, s)).0 += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then_with(|| b.0.cmp(&a.0)))
        .map(|(_, (_, s))| s)
}

/// How far the merged list of a postoffice can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Taken from authoritative requestor evidence.
    Authoritative,
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
        if self.server.template != self.merged.template {
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
fn same_content_same_key(a: &Entry, b: &Entry) -> bool {
    a.full_name == b.full_name && a.kind == b.kind && a.template == b.template
}

/// The sync numbers of one postoffice. `None` where unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncNumbers {
    /// ReqSync^S_p from SRVCONF.GLB.
    pub server_reqsync: Option<u32>,
    /// SrvSync^S_p from SRVCONF.GLB.
    pub server_srvsync: Option<u32>,
    /// ImpSync^S_p from SRVCONF.GLB.
    pub server_impsync: Option<u32>,
    /// ReqSync_p(C) from the requestor's evidence.
    pub requestor_reqsync: Option<u32>,
    /// SrvSync_p(C) from the requestor's evidence.
    pub requestor_srvsync: Option<u32>,
    /// ImpSync_p(C) from the requestor's evidence.
    pub requestor_impsync: Option<u32>,
    /// requestor_reqsync − server_reqsync when positive, else 0 (both known).
    pub req_gap: Option<u32>,
    /// The server's Sync(B).
    pub server_sync: u32,
    /// requestor_srvsync − server_sync when positive, else 0 (known).
    pub srv_overshoot: Option<u32>,
    /// REQTRANS transactions still queued on the requestor.
    pub pending: Vec<u32>,
    /// Queued transactions numbered at or below ReqSync^S_p: the restored
    /// server will reject them as old.
    pub pending_rejected: usize,
}

/// One of the three restore hazards with its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hazard {
    /// `lost-updates`, `skipped-master` or `rejected-updates`.
    pub code: &'static str,
    /// Upper bound on the number of transactions concerned.
    pub size: u64,
}

/// A duplicate address inside one source: the later entry won.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The source holding both.
    pub source: String,
    /// The entry that was dropped.
    pub dropped: Entry,
    /// The entry that won (the later one).
    pub kept: Entry,
}

/// An entry of a merged list that MS Mail files cannot hold as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitProblem {
    /// The entry's address as written.
    pub address: String,
    /// The field: `full_name`, `network`, `postoffice`, `mailbox`, `address`, `template`.
    pub field: &'static str,
    /// `too-long` or `not-cp850`.
    pub problem: &'static str,
    /// Length in characters (for `too-long`).
    pub length: usize,
    /// The limit (for `too-long`).
    pub limit: usize,
}

/// What another postoffice's extract says about this postoffice (forensic only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForensicView {
    /// The extract.
    pub source: String,
    /// Entries of this postoffice in it.
    pub entries: usize,
    /// How its copy differs from the server's view (adds, deletes, modified).
    pub differs: (usize, usize, usize),
}

/// Everything found about one postoffice.
#[derive(Debug, Clone)]
pub struct PostofficeReport {
    /// The postoffice.
    pub scope: Scope,
    /// Strongest evidence kind used: `export`, `tree`, `numbers` or `none`.
    pub evidence: &'static str,
    /// Every evidence source that named this postoffice.
    pub sources: Vec<String>,
    /// The source whose list was used, if any.
    pub used_source: Option<String>,
    /// Authoritative sources set aside by `prefer_newest`.
    pub superseded: Vec<String>,
    /// How far the merged list can be trusted.
    pub status: Status,
    /// The SRVCONF record name, when the server has one.
    pub server_record: Option<String>,
    /// The server's view (USR list + master replay).
    pub server_view: Directory,
    /// The merged list.
    pub merged: Directory,
    /// Entries in the server's view (kept when a caller frees `server_view`).
    pub server_entries: usize,
    /// Entries in the merged list (kept when [`plan::plan_repair_taking`]
    /// moves `merged` into the plan).
    pub merged_entries: usize,
    /// Gateway entries kept from the server's view because the evidence (an
    /// extract) cannot say whose they are.
    pub gateway_kept_from_server: usize,
    /// The hole.
    pub hole: Hole,
    /// The numbers.
    pub sync: SyncNumbers,
    /// Hazards found, in the order lost-updates, skipped-master, rejected-updates.
    pub hazards: Vec<Hazard>,
    /// Duplicate addresses inside the sources used.
    pub duplicates: Vec<Duplicate>,
    /// Merged entries over MS Mail limits.
    pub limits: Vec<LimitProblem>,
    /// Other postoffices' extracts' copies of this postoffice.
    pub forensic: Vec<ForensicView>,
    /// Remarks for people.
    pub notes: Vec<String>,
}

/// The result of [`reconcile`]: one report per postoffice, sorted by scope key.
#[derive(Debug, Clone)]
pub struct Reconciliation {
    /// The server's own postoffice.
    pub server_scope: Scope,
    /// Sync(B).
    pub server_sync: u32,
    /// Every postoffice, sorted by scope key.
    pub postoffices: Vec<PostofficeReport>,
    /// SRVCONF records as read (for the repair plan), sorted by scope key.
    pub requestors: Vec<ServerRequestorRecord>,
    /// Addresses that two postoffices' merged lists both hold (gateway
    /// entries); the postoffice with the greater scope key wins in
    /// [`Reconciliation::merged_directory`].
    pub cross_duplicates: Vec<(AddressKey, String, String)>,
}

impl Reconciliation {
    /// The whole merged directory (every postoffice's merged list).
    pub fn merged_directory(&self) -> Directory {
        let mut d = Directory::new();
        for po in &self.postoffices {
            for e in po.merged.iter() {
                d.upsert(e.clone());
            }
            for (k, t) in &po.merged.templates {
                d.templates.insert(k.clone(), t.clone());
            }
        }
        d
    }

    /// Like [`Reconciliation::merged_directory`], but moves every
    /// postoffice's merged list into the result (each `merged` is left empty;
    /// `merged_entries` keeps its size). Same directory, same order.
    pub fn take_merged_directory(&mut self) -> Directory {
        let mut d = Directory::new();
        d.reserve(self.postoffices.iter().map(|p| p.merged.len()).sum());
        for po in &mut self.postoffices {
            let mut list = std::mem::take(&mut po.merged);
            let keys: Vec<AddressKey> = list.iter().map(|e| e.key()).collect();
            for k in &keys {
                if let Some(e) = list.remove(k) {
                    d.upsert(e);
                }
            }
            for (k, t) in std::mem::take(&mut list.templates) {
                d.templates.insert(k, t);
            }
        }
        d
    }

    /// The report of one postoffice.
    pub fn postoffice(&self, scope: &Scope) -> Option<&PostofficeReport> {
        let k = scope.key();
        self.postoffices.iter().find(|p| p.scope.key() == k)
    }

    /// True when any postoffice has a hole.
    pub fn has_hole(&self) -> bool {
        self.postoffices.iter().any(|p| !p.hole.is_empty())
    }
}

/// One evidence after scope identification and deduplication.
struct Prepared {
    index: usize,
    source: String,
    scope: Scope,
    kind: EvidenceKind,
    /// Entries owned by `scope` (authoritative part).
    own: Directory,
    /// Forensic entries by owner scope key.
    forensic: BTreeMap<String, (Scope, Directory)>,
    duplicates: Vec<Duplicate>,
    numbers: Option<RequestorNumbers>,
    as_of: Option<i64>,
    kinds_known: bool,
    had_entries: bool,
    /// Gateway entries of an extract, which cannot be attributed to anyone.
    unattributed: usize,
}

fn prepare(index: usize, ev: Evidence) -> Result<Prepared> {
    let Evidence {
        source,
        scope,
        kind,
        entries,
        numbers,
        as_of,
        kinds_known,
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
    let mut forensic: BTreeMap<String, (Scope, Directory)> = BTreeMap::new();
    let mut duplicates = Vec::new();
    let had_entries = !entries.is_empty();
    let scope_key = scope.key();
    let mut unattributed = 0;
    for e in entries {
        let key = e.key();
        let owned = if e.address.is_pcm() {
            key.scope_key() == scope_key
        } else {
            kind != EvidenceKind::Extract
        };
        let target = if owned {
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
        if let Some(prev) = target.upsert(e) {
            if let Some(kept) = target.get(&key) {
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
    })
}

/// Limit and code-page problems of a merged list, sorted by address key.
pub fn limit_problems(list: &Directory) -> Vec<LimitProblem> {
    let mut out: Vec<(AddressKey, LimitProblem)> = Vec::new();
    for e in list.iter() {
        let violations = e.limit_violations();
        let cp_ok = [
            is_cp850(&e.full_name),
            is_cp850(&e.address.type_name) && is_cp850(&e.address.body),
            e.template
                .iter()
                .all(|t| is_cp850(&t.prompt) && is_cp850(&t.value)),
        ];
        if violations.is_empty() && cp_ok.iter().all(|&ok| ok) {
            continue;
        }
        let address = e.address.to_string();
        let key = e.key();
        for v in violations {
            out.push((
                key.clone(),
                LimitProblem {
                    address: address.clone(),
                    field: v.field,
                    problem: "too-long",
                    length: v.length,
                    limit: v.limit,
                },
            ));
        }
        for (field, ok) in ["full_name", "address", "template"].into_iter().zip(cp_ok) {
            if !ok {
                out.push((
                    key.clone(),
                    LimitProblem {
                        address: address.clone(),
                        field,
                        problem: "not-cp850",
                        length: 0,
                        limit: 0,
                    },
                ));
            }
        }
    }
    // Stable sort: an entry's problems keep their order.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, l)| l).collect()
}

fn describe_difference(a: &Directory, b: &Directory) -> (usize, String) {
    let h = compute_hole(a, b);
    let first = if let Some(e) = h.missing_adds.first() {
        format!("{} only in the second", e.address)
    } else if let Some(e) = h.missing_deletes.first() {
        format!("{} only in the first", e.address)
    } else if let Some(m) = h.modified.first() {
        format!(
            "{}: {:?} against {:?} ({})",
            m.server.address,
            m.server.full_name,
            m.merged.full_name,
            m.changes().join(", ")
        )
    } else {
        String::new()
    };
    (h.len(), first)
}

fn newer(a: &Prepared, b: &Prepared) -> bool {
    let ka = (a.as_of, a.numbers.as_ref().map(|n| n.reqsync), a.index);
    let kb = (b.as_of, b.numbers.as_ref().map(|n| n.reqsync), b.index);
    ka > kb
}

/// Reconciles the restored server with the requestors' evidence.
///
/// For every postoffice the server knows (USR lists, SRVCONF records, master
/// origins) or the evidence names: the server's view, the merged list, the
/// hole, the numbers and the hazards. Linear in the number of entries; output
/// sorted by scope key and address key. Fails when two authoritative sources
/// for one postoffice disagree, unless `options.prefer_newest`.
pub fn reconcile(
    server: &ServerSnapshot,
    evidence: Vec<Evidence>,
    options: &ReconcileOptions,
) -> Result<Reconciliation> {
    reconcile_with(server, None, evidence, options)
}

/// [`reconcile`] for a caller that no longer needs the snapshot's lists: the
/// USR lists, the POL and the master transactions are taken out of `server`
/// (left empty) and the server's views are built by moving them instead of
/// copying every entry. The rest of the snapshot is kept. Same result.
pub fn reconcile_taking(
    server: &mut ServerSnapshot,
    evidence: Vec<Evidence>,
    options: &ReconcileOptions,
) -> Result<Reconciliation> {
    let lists = TakenLists {
        usr_lists: std::mem::take(&mut server.usr_lists),
        own_pol: std::mem::take(&mut server.own_pol),
        master: std::mem::take(&mut server.master),
    };
    reconcile_with(server, Some(lists), evidence, options)
}

/// The parts of a snapshot [`reconcile_taking`] moves into the views.
struct TakenLists {
    usr_lists: Vec<(Scope, Directory)>,
    own_pol: Directory,
    master: Vec<MasterTransaction>,
}

fn reconcile_with(
    server: &ServerSnapshot,
    taken: Option<TakenLists>,
    evidence: Vec<Evidence>,
    options: &ReconcileOptions,
) -> Result<Reconciliation> {
    let own_key = server.own_scope.key();

    // The server's view of every postoffice.
    let mut views = Views::new();
    let mut own_views = Views::new();
    match taken {
        Some(t) => {
            for (scope, list) in t.usr_lists {
                if scope.key() != own_key {
                    views.load_list_owned(&scope, list);
                }
            }
            views.replay_all(&t.master);
            drop(t.master);
            own_views.load_list_owned(&server.own_scope, t.own_pol);
        }
        None => {
            for (scope, list) in &server.usr_lists {
                if scope.key() != own_key {
                    views.load_list(scope, list);
                }
            }
            views.replay_all(&server.master);
            // The server's own postoffice: its POL (master copies of its own
            // changes are already folded into it).
            own_views.load_list(&server.own_scope, &server.own_pol);
        }
    }
    let own_view = own_views.lists.remove(&own_key).unwrap_or_default();
    views.touch(&server.own_scope);
    views.lists.insert(own_key.clone(), own_view);
    for r in &server.requestors {
        views.touch(&r.scope);
    }

    let mut records: BTreeMap<String, &ServerRequestorRecord> = BTreeMap::new();
    for r in &server.requestors {
        records.entry(r.scope.key()).or_insert(r);
    }

    // Evidence, prepared and grouped by postoffice.
    let mut by_po: BTreeMap<String, Vec<Prepared>> = BTreeMap::new();
    let mut forensic_by_po: BTreeMap<String, Vec<(String, Directory)>> = BTreeMap::new();
    // Each evidence is prepared on its own (in parallel); the results are
    // taken in argument order, so the first error and every list keep the
    // order of the sequential loop.
    let prepared: Vec<Result<Prepared>> = evidence
        .into_par_iter()
        .enumerate()
        .map(|(i, ev)| prepare(i, ev))
        .collect();
    for p in prepared {
        let mut p = p?;
        views.touch(&p.scope);
        for (k, (_, d)) in std::mem::take(&mut p.forensic) {
            if d.is_empty() {
                continue;
            }
            forensic_by_po
                .entry(k)
                .or_default()
                .push((p.source.clone(), d));
        }
        by_po.entry(p.scope.key()).or_default().push(p);
    }

    // The postoffices are independent: their inputs are gathered in scope-key
    // order, reconciled in parallel, and taken back in that order (the first
    // error in scope order wins, as in a sequential loop).
    let work: Vec<PoWork> = views
        .scopes
        .iter()
        .map(|(key, scope)| PoWork {
            server_view: views.lists.remove(key).unwrap_or_default(),
            evs: by_po.remove(key).unwrap_or_default(),
            forensic: forensic_by_po.remove(key).unwrap_or_default(),
            record: records.get(key).copied(),
            is_own: *key == own_key,
            key: key.clone(),
            scope: scope.clone(),
        })
        .collect();
    let results: Vec<Result<PostofficeReport>> = work
        .into_par_iter()
        .map(|w| {
            reconcile_one(
                &w.key,
                w.scope,
                w.server_view,
                w.evs,
                w.forensic,
                w.record,
                server,
                w.is_own,
                options,
            )
        })
        .collect();
    let mut postoffices = Vec::with_capacity(results.len());
    for r in results {
        postoffices.push(r?);
    }

    // Gateway addresses claimed by two postoffices.
    let mut claimed: HashMap<AddressKey, usize> = HashMap::new();
    let mut cross_duplicates = Vec::new();
    for (i, po) in postoffices.iter().enumerate() {
        // PCM entries live only in their own postoffice's list; only gateway
        // entries can be claimed twice.
        for e in po.merged.iter().filter(|e| !e.address.is_pcm()) {
            if let Some(prev) = claimed.insert(e.key(), i) {
                let first = postoffices
                    .get(prev)
                    .map(|p| p.scope.to_string())
                    .unwrap_or_default();
                cross_duplicates.push((e.key(), first, po.scope.to_string()));
            }
        }
    }
    cross_duplicates.sort();

    let mut requestors: Vec<ServerRequestorRecord> = server.requestors.clone();
    requestors.sort_by_cached_key(|r| r.scope.key());
    Ok(Reconciliation {
        server_scope: server.own_scope.clone(),
        server_sync: server.sync,
        postoffices,
        requestors,
        cross_duplicates,
    })
}

/// The inputs of one postoffice's reconciliation, gathered before the
/// parallel step.
struct PoWork<'a> {
    key: String,
    scope: Scope,
    server_view: Directory,
    evs: Vec<Prepared>,
    forensic: Vec<(String, Directory)>,
    record: Option<&'a ServerRequestorRecord>,
    is_own: bool,
}

#[allow(clippy::too_many_arguments)]
fn reconcile_one(
    key: &str,
    scope: Scope,
    server_view: Directory,
    mut evs: Vec<Prepared>,
    forensic: Vec<(String, Directory)>,
    record: Option<&ServerRequestorRecord>,
    server: &ServerSnapshot,
    is_own: bool,
    options: &ReconcileOptions,
) -> Result<PostofficeReport> {
    let mut notes = Vec::new();
    let sources: Vec<String> = evs.iter().map(|e| e.source.clone()).collect();
    let any_numbers = evs.iter().any(|e| e.numbers.is_some());

    for e in &evs {
        if e.unattributed > 0 {
            notes.push(format!(
                "{}: {} gateway entries of the extract cannot be attributed to a \
                 postoffice and are only forensic",
                e.source, e.unattributed
            ));
        }
        if e.kind.is_authoritative() && e.had_entries && e.own.is_empty() {
            notes.push(format!(
                "{} holds no entry of {}: check which postoffice it belongs to",
                e.source, scope
            ));
        }
    }

    // Pick the authoritative list.
    let mut superseded = Vec::new();
    let mut chosen: Option<usize> = None;
    for (i, e) in evs.iter().enumerate() {
        if !e.kind.is_authoritative() {
            continue;
        }
        let Some(c) = chosen else {
            chosen = Some(i);
            continue;
        };
        let (Some(cur), Some(cand)) = (evs.get(c), evs.get(i)) else {
            continue;
        };
        let (n, first) = describe_difference(&cur.own, &cand.own);
        if n == 0 {
            continue;
        }
        if !options.prefer_newest {
            return Err(Error::input(
                cand.source.clone(),
                Location::File,
                format!(
                    "authoritative sources for {scope} disagree: {} and {} differ in {n} \
                     entries (first: {first}); remove one or pass --prefer newest",
                    cur.source, cand.source
                ),
            ));
        }
        if newer(cand, cur) {
            superseded.push(cur.source.clone());
            chosen = Some(i);
        } else {
            superseded.push(cand.source.clone());
        }
    }
    for s in &superseded {
        notes.push(format!("{s} set aside: a newer source disagrees with it"));
    }

    // Numbers: the evidence with the highest (ReqSync, SrvSync).
    let mut numbers: Option<RequestorNumbers> = None;
    for e in &evs {
        if let Some(n) = &e.numbers {
            let better = numbers
                .as_ref()
                .is_none_or(|cur| (n.reqsync, n.srvsync) > (cur.reqsync, cur.srvsync));
            if let Some(cur) = &numbers {
                if (cur.reqsync, cur.srvsync) != (n.reqsync, n.srvsync) {
                    notes.push(format!(
                        "sources disagree on numbers; the highest (ReqSync {}, SrvSync {}) is used",
                        cur.reqsync.max(n.reqsync),
                        if better { n.srvsync } else { cur.srvsync }
                    ));
                }
            }
            if better {
                numbers = Some(n.clone());
            }
        }
    }

    let mut duplicates = Vec::new();
    let (status, merged, used_source, used_kind, gateway_kept) = match chosen.and_then(|c| {
        if c < evs.len() {
            Some(evs.swap_remove(c))
        } else {
            None
        }
    }) {
        Some(p) => {
            duplicates.extend(p.duplicates.iter().cloned());
            let mut merged = p.own;
            if !p.kinds_known {
                // The source cannot mark groups: keep the server's kind.
                let fixes: Vec<Entry> = merged
                    .iter_keyed()
                    .filter_map(|(k, e)| {
                        let s = server_view.get(k)?;
                        (s.kind != e.kind).then(|| {
                            let mut e = e.clone();
                            e.kind = s.kind;
                            e
                        })
                    })
                    .collect();
                for e in fixes {
                    merged.upsert(e);
                }
            }
            let mut kept = 0;
            if p.kind == EvidenceKind::Extract {
                // The extract cannot say whose gateway entries are whose:
                // keep the server's view of this postoffice's gateway entries.
                for e in server_view.iter().filter(|e| !e.address.is_pcm()) {
                    if merged.get(&e.key()).is_none() {
                        merged.upsert(e.clone());
                        kept += 1;
                    }
                }
            }
            if merged.templates.is_empty() {
                merged.templates = server_view.templates.clone();
            }
            (
                Status::Authoritative,
                merged,
                Some(p.source),
                Some(p.kind),
                kept,
            )
        }
        None => {
            let st = if is_own {
                Status::AsOfBackup
            } else {
                Status::Unverified
            };
            (st, server_view.clone(), None, None, 0)
        }
    };
    for e in &evs {
        if !e.kind.is_authoritative() || superseded.contains(&e.source) {
            continue;
        }
        duplicates.extend(e.duplicates.iter().cloned());
    }
    duplicates.sort_by(|a, b| (a.kept.key(), &a.source).cmp(&(b.kept.key(), &b.source)));

    let hole = compute_hole(&server_view, &merged);
    let limits = limit_problems(&merged);

    // Numbers and hazards.
    let mut sync = SyncNumbers {
        server_reqsync: record.map(|r| r.reqsync),
        server_srvsync: record.map(|r| r.srvsync),
        server_impsync: record.map(|r| r.impsync),
        server_sync: server.sync,
        ..SyncNumbers::default()
    };
    let mut hazards = Vec::new();
    if let Some(n) = &numbers {
        sync.requestor_reqsync = Some(n.reqsync);
        sync.requestor_srvsync = Some(n.srvsync);
        sync.requestor_impsync = n.impsync;
        let mut pending = n.pending.clone();
        pending.sort_unstable();
        pending.dedup();
        sync.srv_overshoot = Some(n.srvsync.saturating_sub(server.sync));
        if let Some(sr) = sync.server_reqsync {
            sync.req_gap = Some(n.reqsync.saturating_sub(sr));
            sync.pending_rejected = pending.iter().filter(|&&s| s <= sr).count();
            if n.reqsync > sr {
                hazards.push(Hazard {
                    code: "lost-updates",
                    size: u64::from(n.reqsync - sr),
                });
            }
        }
        if n.srvsync > server.sync {
            hazards.push(Hazard {
                code: "skipped-master",
                size: u64::from(n.srvsync - server.sync),
            });
        }
        if let Some(sr) = sync.server_reqsync {
            if n.reqsync < sr {
                hazards.push(Hazard {
                    code: "rejected-updates",
                    size: u64::from(sr - n.reqsync),
                });
            }
        }
        sync.pending = pending;
    } else if !is_own {
        notes.push("requestor numbers unknown: the hazards cannot be sized".into());
    }
    if record.is_none() && !is_own {
        notes.push("the server has no SRVCONF record for this postoffice".into());
    }
    if status == Status::Unverified && !is_own {
        notes.push("no list evidence: the server's view is kept, unverified".into());
        if let Some(gap) = sync.req_gap.filter(|&g| g > 0) {
            notes.push(format!(
                "a hole of up to {gap} transactions cannot be filled without the \
                 requestor's list (Config, Dir-Sync, Requestor, Export or its MAILDATA tree)"
            ));
        }
    }
    let evidence_code = match used_kind {
        Some(k) => k.code(),
        None if any_numbers => EvidenceKind::Numbers.code(),
        None => "none",
    };

    // Forensic copies from other postoffices' extracts.
    let mut forensic_views: Vec<ForensicView> = forensic
        .into_iter()
        .map(|(source, d)| {
            let h = compute_hole(&server_view, &d);
            // An extract holds only what its postoffice received, so entries
            // it lacks are not evidence of deletion: count adds and changes,
            // and deletes separately.
            ForensicView {
                source,
                entries: d.len(),
                differs: (
                    h.missing_adds.len(),
                    h.missing_deletes.len(),
                    h.modified.len(),
                ),
            }
        })
        .collect();
    forensic_views.sort_by(|a, b| a.source.cmp(&b.source));

    let _ = key;
    Ok(PostofficeReport {
        scope,
        evidence: evidence_code,
        sources,
        used_source,
        superseded,
        status,
        server_record: record.map(|r| r.name.clone()),
        server_entries: server_view.len(),
        merged_entries: merged.len(),
        server_view,
        merged,
        gateway_kept_from_server: gateway_kept,
        hole,
        sync,
        hazards,
        duplicates,
        limits,
        forensic: forensic_views,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Address;

    fn e(name: &str, addr: &str) -> Entry {
        Entry::new(name, Address::parse(addr).unwrap())
    }

    #[test]
    fn identify_dominant_scope() {
        let d: Directory = [
            e("a", "PCM:N/P/A"),
            e("b", "PCM:N/P/B"),
            e("c", "PCM:N/Q/C"),
            e("s", "SMTP:x@y"),
        ]
        .into_iter()
        .collect();
        assert_eq!(identify_scope(&d).unwrap().key(), "PCM:N/P");
        assert!(identify_scope(&Directory::new()).is_none());
        let ops = vec![
            Operation::Replace(Scope::postoffice("N", "Q")),
            Operation::Add(e("a", "PCM:N/P/A")),
        ];
        assert_eq!(identify_scope_of_operations(&ops).unwrap().key(), "PCM:N/Q");
    }

    #[test]
    fn hole_is_sorted_and_exact() {
        let server: Directory = [
            e("A", "PCM:N/P/A"),
            e("B", "PCM:N/P/B"),
            e("C", "PCM:N/P/C"),
        ]
        .into_iter()
        .collect();
        let merged: Directory = [
            e("A", "PCM:N/P/A"),
            e("Bee", "PCM:N/P/B"),
            e("D", "PCM:N/P/D"),
        ]
        .into_iter()
        .collect();
        let h = compute_hole(&server, &merged);
        assert_eq!(h.missing_adds.len(), 1);
        assert_eq!(h.missing_deletes[0].full_name, "C");
        assert_eq!(h.modified[0].changes(), vec!["full_name"]);
        assert!(compute_hole(&merged, &merged).is_empty());
    }

    #[test]
    fn limits_include_codepage() {
        let d: Directory = [e("日本", "PCM:N/P/A"), e(&"x".repeat(31), "PCM:N/P/B")]
            .into_iter()
            .collect();
        let l = limit_problems(&d);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].problem, "not-cp850");
        assert_eq!(l[1].problem, "too-long");
    }
}
