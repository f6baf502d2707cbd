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

use crate::model::{Directory, Entry, Operation, Scope, TemplateDef};

mod engine;
pub mod evidence;
pub mod fit;
mod hole;
pub mod inputs;
pub mod limits;
pub mod output;
pub mod pipeline;
pub mod plain;
pub mod plan;
mod reconciliation;
pub mod repaired;
pub mod report;
pub mod summary;
pub mod templates;
#[cfg(test)]
mod tests;
pub mod view;

pub use engine::reconcile;
pub use hole::{compute_hole, same_template, Hole, Modified, Status};
pub use limits::{limit_problems, LimitProblem};
pub use reconciliation::{
    Duplicate, ForensicView, Hazard, PostofficeReport, Reconciliation, SourceReport, SyncNumbers,
};
pub use templates::TemplatePlan;

pub use plan::{
    apply_plan_to_views, plan_repair, RepairMode, RepairPlan, ResyncHeader, SrvconfUpdate,
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
#[derive(Debug, Clone, Default)]
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
    /// Free each postoffice's server view as soon as it is reconciled
    /// ([`PostofficeReport::server_view`] left empty; `server_entries` still
    /// counts it): for callers that need the hole and the merged lists, not
    /// the views (a million-entry reconcile holds one view less per
    /// postoffice at its peak).
    pub drop_server_views: bool,
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
