//! The reconcile engine: finds the Dir-Sync restore hole (Q113453) and plans
//! its repair. Pure model: no file I/O. Adapters fill [`ServerSnapshot`] and
//! [`Evidence`] from files; see docs/reconcile.md for the method.
//!
//! - [`reconcile`] builds, for every postoffice, the server's view, the merged
//!   list, the hole between them, the sync numbers and the hazards.
//! - [`plan_repair`] turns a [`Reconciliation`] into repair transactions, new
//!   SRVCONF numbers and RESYNC header numbers.
//! - [`Reconciliation::to_json`] and [`Reconciliation::to_text`] report it.

use std::collections::HashMap;

use crate::model::{AddressKey, Directory, Entry, Operation, Scope, TemplateDef};

mod engine;
pub mod evidence;
pub mod fit;
pub mod inputs;
pub mod limits;
pub mod output;
pub mod pipeline;
pub mod plain;
pub mod plan;
pub mod repaired;
pub mod report;
pub mod summary;
pub mod templates;
pub mod view;

pub use engine::{reconcile, reconcile_taking};
pub use limits::{limit_problems, LimitProblem};
pub use templates::TemplatePlan;

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
    /// Entries of the server's own directory that Dir-Sync never carries
    /// (local users excluded from Dir-Sync): part of the merged directory,
    /// never of RESYNC.GLB nor of any repair.
    pub own_local_only: Directory,
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
    /// Template definitions the source carries (`T` operations, a tree's
    /// TPL files): the definition MS Mail files get for those scopes.
    pub templates: Vec<TemplateDef>,
    /// Gateway scopes the source replaces as a whole (`R TYPE:GATE/NODE`,
    /// `R SMTP:`): authoritative for them even when it holds no entry of them.
    pub replaced_scopes: Vec<Scope>,
    /// True when reading skipped damaged bytes (`--salvage`): entries may be
    /// missing, so the entries the source lacks are not taken as deletions.
    pub damaged: bool,
    /// The source says it is a whole list (an `R PCM:NET/PO` line,
    /// `TASK=EXPORT`, a tree). An empty list counts only when it says so;
    /// otherwise an empty source is not used as a list.
    pub declares_list: bool,
    /// What the adapter found in the source and what it took (for the report).
    pub usage: SourceUsage,
    /// `scope` was named by the user (`NET/PO=PATH`), not read from the
    /// source: a scope the server does not know is then a typo (usage error);
    /// read from the source, it is damage or foreign evidence (input error).
    pub bound: bool,
}

/// What one source is and what was taken from it, for the report: a
/// migration engineer must see, per source, what it was used for and why
/// the rest was not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceUsage {
    /// What the source is (`import text export`, `REQTRANS.GLB queued export`, ...).
    pub form: String,
    /// What was taken from it: `list`, `numbers`, `pending`, with details.
    pub taken: Vec<String>,
    /// What it holds that was not taken, and why.
    pub not_taken: Vec<String>,
    /// Warnings from reading it (skipped damage, encoding), one sentence each.
    pub warnings: Vec<String>,
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
            templates: Vec::new(),
            replaced_scopes: Vec::new(),
            damaged: false,
            declares_list: true,
            usage: SourceUsage::default(),
            bound: false,
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
            templates: Vec::new(),
            replaced_scopes: Vec::new(),
            damaged: false,
            declares_list: false,
            usage: SourceUsage::default(),
            bound: false,
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
    /// Every source of this postoffice: what it is, what was taken from it
    /// and what was not, and why.
    pub source_details: Vec<SourceReport>,
    /// Server entries the used list lacks but that are kept, because that
    /// list was read past damage (`--salvage`): its missing entries are not
    /// evidence of deletion.
    pub withheld_deletes: Vec<Entry>,
    /// The template definition of each scope of the merged list, and how it
    /// was chosen (see [`templates`]).
    pub templates: Vec<TemplatePlan>,
}

/// One source as the report describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceReport {
    /// The source as the user named it.
    pub source: String,
    /// What it is, what was taken and what not (see [`SourceUsage`]).
    pub usage: SourceUsage,
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
    /// Entries of the server's own directory that Dir-Sync does not carry
    /// (users excluded from Dir-Sync, the POL's own external entries): in
    /// the merged directory, never in RESYNC.GLB.
    pub local_only: std::collections::HashSet<AddressKey>,
    /// Things the user must be told on stderr (damage read past, empty
    /// lists used, encodings), one sentence each, in a stable order.
    pub warnings: Vec<String>,
}

impl Reconciliation {
    /// Is this a PCM entry of another postoffice held in the server's own
    /// list (an external entry of its POL)? Its owner's copy wins.
    fn is_borrowed(&self, key: &AddressKey) -> bool {
        self.local_only.contains(key)
            && key.scope_key() != self.server_scope.key()
            && key.0.starts_with("PCM:")
    }

    /// The whole merged directory (every postoffice's merged list). A PCM
    /// address held both by its own postoffice and as an external entry of
    /// the server's POL is its owner's.
    pub fn merged_directory(&self) -> Directory {
        let mut d = Directory::new();
        for po in &self.postoffices {
            for e in po.merged.iter() {
                let k = e.key();
                if self.is_borrowed(&k) && d.contains_key(&k) {
                    continue;
                }
                d.upsert(e.clone());
                if let Some(m) = po.merged.members(&k) {
                    d.set_members(&k, m.to_vec());
                }
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
            let mut rows: HashMap<AddressKey, Vec<crate::model::Address>> = list
                .membership()
                .map(|(k, m)| (k.clone(), m.to_vec()))
                .collect();
            for k in &keys {
                let members = rows.remove(k);
                if let Some(e) = list.remove(k) {
                    if self.local_only.contains(k)
                        && k.scope_key() != self.server_scope.key()
                        && k.0.starts_with("PCM:")
                        && d.contains_key(k)
                    {
                        continue;
                    }
                    d.upsert(e);
                    if let Some(m) = members {
                        d.set_members(k, m);
                    }
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
