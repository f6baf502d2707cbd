//! The repair plan: placeholder numbers, repair transactions, new SRVCONF
//! numbers and RESYNC header numbers (dirsync-reconcile.md, "Repair outputs").

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::{Entry, Operation, Scope, TemplateDef};

use super::view::{scope_origin, Views};
use super::{MasterTransaction, PostofficeReport, Reconciliation, ServerSnapshot, Status};

/// How the repair transactions express the hole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepairMode {
    /// One operation per hole entry, as IMPORT.EXE takes them: `D` (no
    /// template lines, Q131151) for a missing delete, `A` for a missing add,
    /// an `M` pair for a changed full name (Q132681), `M` followed by
    /// template lines for changed template data (Q127918).
    Delta,
    /// `R PCM:NET/PO` then the whole merged list of each postoffice with a
    /// hole (and `R TYPE:GATE/NODE` + its entries for each gateway scope of
    /// it with a hole).
    Full,
}

/// The new numbers of one SRVCONF.GLB requestor record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvconfUpdate {
    /// The record's requestor name, as stored.
    pub name: String,
    /// Its scope.
    pub scope: Scope,
    /// ReqSync^S before and after.
    pub reqsync: (u32, u32),
    /// SrvSync^S before and after.
    pub srvsync: (u32, u32),
    /// ImpSync before and after.
    pub impsync: (u32, u32),
    /// False when the requestor's numbers are unknown and the record is kept as it is.
    pub changed: bool,
}

/// The numbers of the RESYNC.GLB `H` record (Q119449).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResyncHeader {
    /// Highest ImpSync over the requestor records (after the repair).
    pub impseq: u32,
    /// Highest ReqSync^S over the requestor records (after the repair).
    pub reqseq: u32,
    /// The server's own record's SrvSync (after the repair); the new Sync when
    /// the server has no record of its own.
    pub srvseq: u32,
}

/// Everything a writer needs to repair the server.
#[derive(Debug, Clone)]
pub struct RepairPlan {
    /// Delta or full.
    pub mode: RepairMode,
    /// Sync(B), the snapshot's last master number.
    pub base_sync: u32,
    /// M = max(Sync(B), highest SrvSync seen).
    pub top_placeholder: u32,
    /// Placeholder records to append, `first..=last` (none when M = Sync(B)).
    /// Kept as a range: the writer emits one op-0 record per number.
    pub placeholders: Option<(u32, u32)>,
    /// Repair transactions numbered from M+1, one operation each.
    pub transactions: Vec<MasterTransaction>,
    /// The new SRVCONF header Sync: the last number written.
    pub new_sync: u32,
    /// Every SRVCONF record, sorted by scope key, with its new numbers.
    pub srvconf: Vec<SrvconfUpdate>,
    /// Postoffices whose numbers are known but which have no SRVCONF record.
    pub without_record: Vec<Scope>,
    /// RESYNC.GLB header numbers.
    pub resync: ResyncHeader,
    /// Requestors that missed master transactions (skipped-master): they need
    /// RESYNC.GLB (IMPORT -Q) to receive what was skipped.
    pub resync_recommended: Vec<Scope>,
    /// Postoffices whose requestor lost updates (`lost-updates`) but which
    /// gave no list: their hole stays open, with its size in transactions.
    pub unfilled: Vec<(Scope, u32)>,
    /// Modified entries whose only change is user ↔ group: transactions
    /// carry no kind, so only the rebuilt USR list carries the change.
    pub kind_only: Vec<crate::model::Entry>,
}

fn next(n: u32) -> Result<u32> {
    n.checked_add(1)
        .ok_or_else(|| Error::Unrepresentable("repair needs a sync number above 4294967295".into()))
}

/// Plans the repair of a reconciliation: the transactions, the SRVCONF
/// numbers and the notes. The merged directory the outputs are written from
/// is the reconciliation's own ([`Reconciliation::merged_directory`], or
/// [`Reconciliation::take_merged_directory`] for a caller done with the
/// postoffices' lists); a report needs none.
///
/// Fails when the sync numbers would pass `u32::MAX`, and when the merged
/// lists were taken before (a full repair rebuilds each list from them).
pub fn plan_repair(rec: &Reconciliation, mode: RepairMode) -> Result<RepairPlan> {
    if let Some(po) = rec
        .postoffices
        .iter()
        .find(|p| p.merged.len() != p.merged_entries)
    {
        return Err(Error::Usage(format!(
            "plan_repair: the merged list of {} was taken (take_merged_directory) before the repair was planned; plan first",
            po.scope
        )));
    }
    let base_sync = rec.server_sync;
    let mut top = base_sync;
    for po in &rec.postoffices {
        if let Some(s) = po.sync.requestor_srvsync {
            top = top.max(s);
        }
    }
    for r in &rec.requestors {
        top = top.max(r.srvsync);
    }
    let placeholders = if top > base_sync {
        Some((next(base_sync)?, top))
    } else {
        None
    };

    let mut transactions = Vec::new();
    let mut last = top;
    let mut push = |origin: &str, op: Operation, txs: &mut Vec<MasterTransaction>| -> Result<()> {
        last = next(last)?;
        txs.push(MasterTransaction {
            sync: last,
            origin: origin.to_string(),
            operations: vec![op],
        });
        Ok(())
    };
    let mut kind_only = Vec::new();
    for po in &rec.postoffices {
        let defs = changed_definitions(po);
        if po.hole.is_empty() && defs.is_empty() {
            continue;
        }
        let origin = scope_origin(&po.scope);
        for def in defs {
            push(&origin, Operation::Template(def), &mut transactions)?;
        }
        if po.hole.is_empty() {
            continue;
        }
        let ops = match mode {
            RepairMode::Delta => delta_operations(po, &mut kind_only),
            RepairMode::Full => full_operations(po),
        };
        for op in ops {
            push(&origin, op, &mut transactions)?;
        }
    }
    let new_sync = last;

    let by_scope: HashMap<String, &PostofficeReport> =
        rec.postoffices.iter().map(|p| (p.scope.key(), p)).collect();
    let mut srvconf = Vec::with_capacity(rec.requestors.len());
    for r in &rec.requestors {
        let po = by_scope.get(&r.scope.key()).copied();
        let known = po.and_then(|p| {
            Some((
                p.sync.requestor_reqsync?,
                p.sync.requestor_srvsync?,
                p.sync.requestor_impsync,
            ))
        });
        let (reqsync, srvsync, impsync, changed) = match known {
            Some((rq, sv, im)) => (rq, sv, im.unwrap_or(r.impsync), true),
            None => (r.reqsync, r.srvsync, r.impsync, false),
        };
        srvconf.push(SrvconfUpdate {
            name: r.name.clone(),
            scope: r.scope.clone(),
            reqsync: (r.reqsync, reqsync),
            srvsync: (r.srvsync, srvsync),
            impsync: (r.impsync, impsync),
            changed,
        });
    }
    let without_record = rec
        .postoffices
        .iter()
        .filter(|p| p.sync.requestor_reqsync.is_some() && p.server_record.is_none())
        .map(|p| p.scope.clone())
        .collect();

    let own_key = rec.server_scope.key();
    let resync = ResyncHeader {
        impseq: srvconf.iter().map(|u| u.impsync.1).max().unwrap_or(0),
        reqseq: srvconf.iter().map(|u| u.reqsync.1).max().unwrap_or(0),
        srvseq: srvconf
            .iter()
            .find(|u| u.scope.key() == own_key)
            .map(|u| u.srvsync.1)
            .unwrap_or(new_sync),
    };
    let resync_recommended = rec
        .postoffices
        .iter()
        .filter(|p| p.hazards.iter().any(|h| h.code == "skipped-master"))
        .map(|p| p.scope.clone())
        .collect();

    let unfilled = rec
        .postoffices
        .iter()
        .filter(|p| p.status != Status::Authoritative)
        .filter_map(|p| {
            p.sync
                .req_gap
                .filter(|&g| g > 0)
                .map(|g| (p.scope.clone(), g))
        })
        .collect();

    Ok(RepairPlan {
        mode,
        base_sync,
        top_placeholder: top,
        placeholders,
        transactions,
        new_sync,
        srvconf,
        without_record,
        resync,
        resync_recommended,
        unfilled,
        kind_only,
    })
}

/// The template definitions a repair of `po` writes as `T`: those its
/// authoritative evidence carried that differ from the server's, in their
/// fitted form (so replaying them gives the definition MS Mail files get).
fn changed_definitions(po: &PostofficeReport) -> Vec<TemplateDef> {
    if !matches!(po.status, Status::Authoritative | Status::Partial) {
        return Vec::new();
    }
    po.templates
        .iter()
        .filter(|t| t.source == "evidence" && t.differs_from_server)
        .map(|t| TemplateDef {
            scope: t.scope.clone(),
            fields: t.fields.clone(),
        })
        .collect()
}

/// An entry without template data (for `D` lines and `M` first lines).
fn bare(e: &Entry) -> Entry {
    let mut b = e.clone();
    b.template = Vec::new();
    b
}

/// Delta operations of one postoffice, the way IMPORT.EXE takes them: every
/// `D` first (without template lines, Q131151), then the changes (`M` pairs
/// for renames, Q132681; `M` + template lines for template data, Q127918),
/// then every `A`; each group in address order. A change `M` cannot express
/// (template data removed altogether) is a `D` then an `A`; a change of kind
/// only has no transaction (the USR list carries it) and is listed.
pub fn delta_operations(po: &PostofficeReport, kind_only: &mut Vec<Entry>) -> Vec<Operation> {
    let mut deletes: Vec<Operation> = po
        .hole
        .missing_deletes
        .iter()
        .map(|e| Operation::Delete(bare(e)))
        .collect();
    let mut changes = Vec::new();
    let mut adds: Vec<&Entry> = po.hole.missing_adds.iter().collect();
    let mut readds: Vec<Entry> = Vec::new();
    for m in &po.hole.modified {
        let name = m.server.full_name != m.merged.full_name;
        let template = !super::same_template(&m.server, &m.merged);
        match (name, template) {
            (false, false) => kind_only.push(m.merged.clone()),
            (_, true) if m.merged.template.is_empty() => {
                // No import line removes all template data of an entry.
                deletes.push(Operation::Delete(bare(&m.server)));
                readds.push(m.merged.clone());
            }
            (true, template) => {
                let mut new = m.merged.clone();
                if !template {
                    new.template = Vec::new();
                }
                changes.push(Operation::Modify {
                    old: bare(&m.server),
                    new,
                });
            }
            (false, true) => changes.push(Operation::Modify {
                old: bare(&m.server),
                new: m.merged.clone(),
            }),
        }
    }
    adds.extend(readds.iter());
    adds.sort_by_cached_key(|e| e.key());
    let mut ops = Vec::with_capacity(deletes.len() + changes.len() + adds.len());
    ops.append(&mut deletes);
    ops.append(&mut changes);
    ops.extend(adds.into_iter().map(|e| Operation::Add(e.clone())));
    ops
}

/// Full operations of one postoffice: `R PCM:NET/PO` and every merged PCM
/// entry of it; then, for each gateway scope of it with a hole entry,
/// `R TYPE:GATE/NODE` (or `R TYPE:`) and every merged entry of that scope.
fn full_operations(po: &PostofficeReport) -> Vec<Operation> {
    let own = po.scope.key();
    let mut ops = vec![Operation::Replace(po.scope.clone())];
    let sorted = po.merged.sorted();
    ops.extend(
        sorted
            .iter()
            .filter(|e| e.key().scope_key() == own)
            .map(|e| Operation::Add((*e).clone())),
    );
    let h = &po.hole;
    let mut gateway: Vec<Scope> = h
        .missing_adds
        .iter()
        .chain(&h.missing_deletes)
        .chain(h.modified.iter().map(|m| &m.merged))
        .filter(|e| !e.address.is_pcm())
        .map(|e| e.scope())
        .collect();
    gateway.sort();
    gateway.dedup_by(|a, b| a.key() == b.key());
    for g in gateway {
        let k = g.key();
        ops.push(Operation::Replace(g));
        ops.extend(
            sorted
                .iter()
                .filter(|e| e.key().scope_key() == k)
                .map(|e| Operation::Add((*e).clone())),
        );
    }
    ops
}

/// Replays the plan's repair transactions onto server views (as built by
/// [`Views::replay_all`]); afterwards every view equals its merged list.
pub fn apply_plan_to_views(views: &mut Views, plan: &RepairPlan) {
    views.replay_all(&plan.transactions);
}

impl RepairPlan {
    /// The server as it will be after the repair: master = the snapshot's
    /// transactions + the repair transactions (placeholders carry no operation
    /// and are left out), Sync = the new Sync, SRVCONF records with their new
    /// numbers, USR lists = the merged lists.
    pub fn repaired_snapshot(
        &self,
        server: &ServerSnapshot,
        rec: &Reconciliation,
    ) -> ServerSnapshot {
        let mut out = server.clone();
        out.sync = self.new_sync;
        out.master.extend(self.transactions.iter().cloned());
        let updates: HashMap<String, &SrvconfUpdate> =
            self.srvconf.iter().map(|u| (u.scope.key(), u)).collect();
        for r in &mut out.requestors {
            if let Some(u) = updates.get(&r.scope.key()) {
                r.reqsync = u.reqsync.1;
                r.srvsync = u.srvsync.1;
                r.impsync = u.impsync.1;
            }
        }
        let own = server.own_scope.key();
        out.usr_lists = rec
            .postoffices
            .iter()
            .filter(|p| p.scope.key() != own)
            .map(|p| (p.scope.clone(), p.merged.clone()))
            .collect();
        out
    }
}
