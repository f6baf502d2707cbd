//! What [`reconcile`](super::reconcile) finds: a [`Reconciliation`] of
//! [`PostofficeReport`]s (sync numbers, hazards, duplicates, forensic views)
//! and [`SourceReport`]s, with its JSON and text reports.

use super::hole::{Hole, Status};
use super::{LimitProblem, ServerRequestorRecord, SourceUsage, TemplatePlan};
use crate::model::{AddressKey, Directory, Entry, Scope};
use std::collections::HashMap;

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
    /// Entries in the merged list (kept when
    /// [`Reconciliation::take_merged_directory`] moves `merged` out).
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
    /// was chosen (see [`templates`](super::templates)).
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

/// The result of [`reconcile`](super::reconcile): one report per postoffice, sorted by scope key.
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
        let server_key = self.server_scope.key();
        for po in &mut self.postoffices {
            // Entries move with the keys they were stored under: no key is
            // computed again.
            let parts = std::mem::take(&mut po.merged).into_keyed();
            let mut rows: HashMap<AddressKey, Vec<crate::model::Address>> =
                parts.members.into_iter().collect();
            for (k, e) in parts.entries {
                let members = rows.remove(&k);
                if self.local_only.contains(&k)
                    && k.scope_key() != server_key
                    && k.0.starts_with("PCM:")
                    && d.contains_key(&k)
                {
                    continue;
                }
                if let Some(m) = members {
                    d.set_members(&k, m);
                }
                d.upsert_keyed(k, e);
            }
            for (k, t) in parts.templates {
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
