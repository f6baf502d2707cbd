//! The repaired server's files: MSTTRANS.GLB (the snapshot's records,
//! placeholders, the repair), SRVCONF.GLB, the USR/INF/TPL lists that
//! change, RESYNC.GLB, and what no binary list can hold.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use rayon::prelude::*;

use super::fit::Fitter;
use super::inputs::ServerInput;
use super::view::scope_origin;
use super::{Reconciliation, RepairPlan};
use crate::dirsync::trans::{write_record, ResyncHeader as ResyncNumbers, TransactionRecord};
use crate::error::{Error, Result};
use crate::export::ldif::DirectoryChange;
use crate::model::{AddressKey, Directory, Entry, Operation};

/// The repaired MSTTRANS.GLB records: the snapshot's as read, placeholders
/// Sync(B)+1..=M (origin: the server's NET/PO), then the repair transactions
/// (one record per operation, numbered by the plan), all new ones with `stamp`.
pub fn repaired_msttrans(
    server: &ServerInput,
    rec: &Reconciliation,
    plan: &RepairPlan,
    fitter: Fitter,
    stamp: u32,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let own = scope_origin(&rec.server_scope);
    // Numbers lost to damage get a placeholder where they belong, so the
    // numbering stays whole (Error 138, Q108067).
    let mut lost = server.lost_master.iter().copied().peekable();
    if let Some(s) = &server.msttrans {
        for r in &s.records {
            while let Some(n) = lost.next_if(|&n| n < r.sync) {
                write_record(&TransactionRecord::placeholder(n, stamp, &own), &mut out);
            }
            write_record(r, &mut out);
        }
    }
    for n in lost {
        write_record(&TransactionRecord::placeholder(n, stamp, &own), &mut out);
    }
    if let Some((first, last)) = plan.placeholders {
        for n in first..=last {
            write_record(&TransactionRecord::placeholder(n, stamp, &own), &mut out);
        }
    }
    for t in &plan.transactions {
        for op in &t.operations {
            let op = fitter.fit_operation(op);
            let r = TransactionRecord::from_operation(t.sync, stamp, &t.origin, &op)?;
            write_record(&r, &mut out);
        }
    }
    Ok(out)
}

/// The repaired SRVCONF.GLB: Sync = the plan's new Sync, every in-use record
/// whose scope the plan updates gets its new ReqSync/SrvSync/ImpSync; the rest
/// (passwords included, never decoded) is kept byte for byte.
pub fn repaired_srvconf(server: &ServerInput, plan: &RepairPlan) -> Vec<u8> {
    let mut conf = server.srvconf.clone();
    conf.sync = plan.new_sync;
    let updates: HashMap<String, &super::SrvconfUpdate> = plan
        .srvconf
        .iter()
        .filter(|u| u.changed)
        .map(|u| (u.scope.key(), u))
        .collect();
    for r in conf.requestors.iter_mut().filter(|r| r.status == 1) {
        let name = crate::codepage::decode_cp850(r.name.text_bytes()).into_owned();
        let Ok(scope) = crate::model::Scope::parse(&name) else {
            continue;
        };
        if let Some(u) = updates.get(&scope.key()) {
            r.reqsync = u.reqsync.1;
            r.srvsync = u.srvsync.1;
            r.impsync = u.impsync.1;
        }
    }
    conf.write()
}

/// RESYNC.GLB: the `H` record (numbered 0) with the plan's IMPSEQ/REQSEQ/SRVSEQ,
/// then a `T` record per template definition of `merged` (by scope key) and
/// an `A` record per merged entry (address order), numbered 1, 2, … in file
/// order; origin the server's NET/PO; stamp as given.
pub fn resync_glb(
    rec: &Reconciliation,
    plan: &RepairPlan,
    merged: &Directory,
    fitter: Fitter,
    stamp: u32,
    w: &mut dyn Write,
) -> Result<()> {
    let own = scope_origin(&rec.server_scope);
    let h = ResyncNumbers {
        impseq: plan.resync.impseq,
        reqseq: plan.resync.reqseq,
        srvseq: plan.resync.srvseq,
    };
    let io = |e: io::Error| Error::output("RESYNC.GLB", e.to_string());
    let mut buf = Vec::with_capacity(256);
    let head = TransactionRecord::new(0, stamp, b'H', &own, h.text().into_bytes());
    write_record(&head, &mut buf);
    w.write_all(&buf).map_err(io)?;
    let mut n: u32 = 0;
    let mut put = |op: &Operation, w: &mut dyn Write| -> Result<()> {
        n = n
            .checked_add(1)
            .ok_or_else(|| Error::Unrepresentable("RESYNC.GLB: too many records".into()))?;
        buf.clear();
        write_record(
            &TransactionRecord::from_operation(n, stamp, &own, op)?,
            &mut buf,
        );
        w.write_all(&buf).map_err(io)
    };
    for def in merged.templates.values() {
        put(&Operation::Template(def.clone()), w)?;
    }
    // The A records are encoded in parallel, a bounded batch at a time, and
    // written in order.
    const CHUNK: usize = 4096;
    const BATCH: usize = 16;
    // Entries Dir-Sync does not carry (users excluded from Dir-Sync, the
    // server POL's own external entries) stay out of RESYNC.GLB.
    let entries: Vec<&Entry> = merged
        .sorted_keyed()
        .into_iter()
        .filter(|(k, _)| !rec.local_only.contains(*k))
        .map(|(_, e)| e)
        .collect();
    for (bi, batch) in entries.chunks(CHUNK * BATCH).enumerate() {
        let bufs: Vec<Result<Vec<u8>>> = batch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(ci, chunk)| {
                let mut out = Vec::with_capacity(chunk.len() * 160);
                for (i, e) in chunk.iter().enumerate() {
                    let index = bi * CHUNK * BATCH + ci * CHUNK + i;
                    let sync = u32::try_from(index)
                        .ok()
                        .and_then(|x| x.checked_add(n))
                        .and_then(|x| x.checked_add(1))
                        .ok_or_else(|| {
                            Error::Unrepresentable("RESYNC.GLB: too many records".into())
                        })?;
                    let op = Operation::Add(fitter.fitted(e));
                    write_record(
                        &TransactionRecord::from_operation(sync, stamp, &own, &op)?,
                        &mut out,
                    );
                }
                Ok(out)
            })
            .collect();
        for b in bufs {
            w.write_all(&b?).map_err(io)?;
        }
    }
    Ok(())
}

/// The hole of every postoffice as directory changes: missing adds → add,
/// missing deletes → delete, modified → modify (server → merged).
pub fn hole_changes(rec: &Reconciliation) -> Vec<DirectoryChange> {
    let mut out = Vec::new();
    for po in &rec.postoffices {
        out.extend(
            po.hole
                .missing_deletes
                .iter()
                .map(|e| DirectoryChange::Delete(e.clone())),
        );
        out.extend(
            po.hole
                .missing_adds
                .iter()
                .map(|e| DirectoryChange::Add(e.clone())),
        );
        out.extend(po.hole.modified.iter().map(|m| DirectoryChange::Modify {
            old: m.server.clone(),
            new: m.merged.clone(),
        }));
    }
    out
}

/// The USR/INF/TPL files of the server tree that change: every external
/// postoffice or gateway node list whose merged content (entries, kinds,
/// template values and definition) differs from the list as read — a hole,
/// master transactions not yet folded into the USR list, a template
/// definition fitted to the values — is replaced by the merged directory's
/// entries of its scope and built with [`crate::tree::writer::build_tree`];
/// only that list's `USR/`, `INF/` and `TPL/` files are kept, keyed by
/// relative path.
pub fn repaired_lists(
    server: &ServerInput,
    rec: &Reconciliation,
    merged: &Directory,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let own = rec.server_scope.key();
    let mut out = BTreeMap::new();
    let full = &server.postoffice.data;
    let scopes = full.external_postoffices();
    let mut targets: Vec<(String, String, crate::model::Scope)> = Vec::new();
    // Only the lists that change are built: a list's USR/INF/TPL bytes
    // depend on its own entries and template alone, and its mailbag keeps
    // the names.
    let mut data = crate::tree::postoffice::PostOfficeData::new(&full.network, &full.postoffice);
    data.version = full.version;
    let mut i = 0;
    for n in &full.networks {
        let mut net = crate::tree::postoffice::NetworkData {
            name: n.name.clone(),
            kind: n.kind,
            address_type: n.address_type.clone(),
            xtn_prefix: n.xtn_prefix,
            postoffices: Vec::new(),
        };
        for p in &n.postoffices {
            if let Some((scope, _)) = scopes.get(i) {
                let key = scope.key();
                let entries = merged.in_scope(scope);
                let now = super::inputs::list_fingerprint(
                    entries.iter().copied(),
                    merged.templates.get(&key),
                );
                let before = server.usr_fingerprints.get(&key).copied();
                let changed = match before {
                    Some(b) => b != now,
                    None => !entries.is_empty(),
                };
                if key != own && changed {
                    targets.push((n.name.clone(), p.name.clone(), scope.clone()));
                    net.postoffices.push(p.clone());
                }
            }
            i += 1;
        }
        if !net.postoffices.is_empty() {
            data.networks.push(net);
        }
    }
    if targets.is_empty() {
        return Ok(out);
    }
    let mut bags = Vec::new();
    for (net, po, scope) in &targets {
        if let Some(x) = data.external_mut(net, po) {
            x.template = merged
                .templates
                .get(&scope.key())
                .map(|d| d.fields.clone())
                .unwrap_or_default();
        }
        data.replace_usr_list_from(net, po, merged);
        match data.external(net, po).and_then(|(_, x)| x.mailbag) {
            Some(b) => bags.push(crate::tree::hex8(b)),
            None => {
                return Err(Error::Unrepresentable(format!(
                    "{scope}: the server's tree gives this list no mailbag number"
                )))
            }
        }
    }
    let (mut files, _warnings) = crate::tree::writer::build_tree(&data)?;
    for b in bags {
        for dir in ["USR", "INF", "TPL"] {
            let rel = format!("{dir}/{b}.{dir}");
            if let Some(bytes) = files.remove(&rel) {
                out.insert(rel, bytes);
            }
        }
    }
    Ok(out)
}

/// Merged entries that no list of the repaired tree can hold: free-form
/// gateway addresses (profile v1 binary lists cannot hold them) and entries
/// of postoffices the server has no XTN record for. MSTTRANS.GLB and
/// RESYNC.GLB carry them; `export` of the repaired tree cannot show them.
pub fn not_in_tree(server: &ServerInput, rec: &Reconciliation, merged: &Directory) -> Vec<String> {
    let mut lists: std::collections::HashSet<String> = server
        .postoffice
        .data
        .external_postoffices()
        .into_iter()
        .map(|(s, _)| s.key())
        .collect();
    lists.insert(rec.server_scope.key());
    let pol: std::collections::HashSet<AddressKey> = server
        .postoffice
        .data
        .pol_externals
        .iter()
        .map(|x| x.address.key())
        .collect();
    let mut out: Vec<String> = merged
        .sorted_keyed()
        .into_iter()
        // The server POL's external entries live in its ADMIN.NME.
        .filter(|(k, _)| !lists.contains(k.scope_key()) && !pol.contains(*k))
        .map(|(_, e)| e.address.to_string())
        .collect();
    out.sort();
    out
}

/// Requestors that had not received a master transaction lost to damage
/// (their SrvSync, or the server's copy of it, is below the lost number):
/// they need RESYNC.GLB.
pub fn lost_master_resync(server: &ServerInput, rec: &Reconciliation) -> Vec<crate::model::Scope> {
    let Some(&highest) = server.lost_master.last() else {
        return Vec::new();
    };
    rec.postoffices
        .iter()
        .filter(|p| p.scope.key() != rec.server_scope.key())
        .filter(|p| {
            p.sync
                .requestor_srvsync
                .or(p.sync.server_srvsync)
                .is_some_and(|s| s < highest)
        })
        .map(|p| p.scope.clone())
        .collect()
}
