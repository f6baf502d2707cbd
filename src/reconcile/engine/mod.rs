//! The engine proper: the server's views, evidence preparation, the merge of
//! each postoffice, its hole, numbers and hazards (docs/reconcile.md).

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use super::{
    Evidence, MasterTransaction, PostofficeReport, ReconcileOptions, Reconciliation,
    ServerRequestorRecord, ServerSnapshot, Views,
};
use crate::error::{Error, Location, Result};
use crate::model::{AddressKey, Directory, Scope};

mod postoffice;
mod prepare;

use postoffice::{reconcile_one, PoWork};
use prepare::{prepare, Prepared};

/// Reconciles the restored server with the requestors' evidence.
///
/// For every postoffice the server knows (USR lists, SRVCONF records, master
/// origins) or the evidence names: the server's view, the merged list, the
/// hole, the numbers and the hazards. Linear in the number of entries; output
/// sorted by scope key and address key. Fails when two authoritative sources
/// for one postoffice disagree, unless `options.prefer_newest`; and (usage
/// error) when a source names a postoffice the server does not know and
/// holds none of its entries, or holds entries of other postoffices only.
///
/// The snapshot is consumed: its USR lists, POL and master transactions
/// become the server's views without a copy (a caller that needs the
/// snapshot afterwards passes a clone).
pub fn reconcile(
    mut server: ServerSnapshot,
    evidence: Vec<Evidence>,
    options: &ReconcileOptions,
) -> Result<Reconciliation> {
    // The lists move into the server's views: no entry is copied.
    let lists = TakenLists {
        usr_lists: std::mem::take(&mut server.usr_lists),
        own_pol: std::mem::take(&mut server.own_pol),
        master: std::mem::take(&mut server.master),
    };
    reconcile_with(&server, lists, evidence, options)
}

/// The parts of a snapshot [`reconcile`] moves into the views.
struct TakenLists {
    usr_lists: Vec<(Scope, Directory)>,
    own_pol: Directory,
    master: Vec<MasterTransaction>,
}

/// A few scopes with their entry counts, largest first, for messages.
fn describe_scopes(counts: &BTreeMap<String, usize>) -> String {
    let mut v: Vec<(&String, &usize)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = v
        .iter()
        .take(5)
        .map(|(s, n)| format!("{s} ({n})"))
        .collect();
    if v.len() > 5 {
        format!("{} and {} more", shown.join(", "), v.len() - 5)
    } else {
        shown.join(", ")
    }
}

fn reconcile_with(
    server: &ServerSnapshot,
    taken: TakenLists,
    evidence: Vec<Evidence>,
    options: &ReconcileOptions,
) -> Result<Reconciliation> {
    let own_key = server.own_scope.key();

    // The server's view of every postoffice. A USR list's owner scope may be
    // the server's own (a gateway node reached through it): its gateway
    // entries join the server's own list below.
    let mut views = Views::new();
    let mut own_views = Views::new();
    for (scope, list) in taken.usr_lists {
        let pcm_own = scope.key() == own_key
            && list
                .iter()
                .any(|e| e.address.is_pcm() && e.key().scope_key() == own_key);
        if !pcm_own {
            views.load_list_owned(&scope, list);
        }
    }
    views.replay_all(&taken.master);
    drop(taken.master);
    let own_pol = &taken.own_pol;
    // The server's own postoffice: its POL (master copies of its own
    // changes are already folded into it), the gateway entries it
    // originates, its users excluded from Dir-Sync, and its POL's external
    // entries (the server administrator's own; their owner's copy wins in
    // the merged directory).
    own_views.load_list(&server.own_scope, own_pol);
    let mut own_view = own_views.lists.remove(&own_key).unwrap_or_default();
    let mut local_only: HashSet<AddressKey> = HashSet::new();
    for e in own_pol
        .iter()
        .filter(|e| e.address.is_pcm() && e.key().scope_key() != own_key)
    {
        local_only.insert(e.key());
        own_view.upsert(e.clone());
    }
    for e in server.own_local_only.iter() {
        local_only.insert(e.key());
        own_view.upsert(e.clone());
    }
    if let Some(from_lists) = views.lists.remove(&own_key) {
        for e in from_lists.iter().filter(|e| !e.address.is_pcm()) {
            own_view.upsert(e.clone());
        }
        for (k, t) in from_lists.templates {
            own_view.templates.entry(k).or_insert(t);
        }
    }
    views.touch(&server.own_scope);
    views.lists.insert(own_key.clone(), own_view);
    let mut known: HashSet<String> = views.scopes.keys().cloned().collect();
    for r in &server.requestors {
        known.insert(r.scope.key());
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
    let mut warnings = Vec::new();
    for p in prepared {
        let mut p = p?;
        check_binding(&p, &known, &views)?;
        for w in &p.usage.warnings {
            warnings.push(w.clone());
        }
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
            scope: scope.clone(),
        })
        .collect();
    let local_only_ref = &local_only;
    let results: Vec<Result<(PostofficeReport, Vec<String>)>> = work
        .into_par_iter()
        .map(|w| reconcile_one(w, server, local_only_ref, options))
        .collect();
    let mut postoffices = Vec::with_capacity(results.len());
    for r in results {
        let (po, w) = r?;
        warnings.extend(w);
        postoffices.push(po);
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
        local_only,
        warnings,
    })
}

/// Refuses what is surely a mistake (usage error, exit 2): evidence for a
/// postoffice the server does not know that holds none of its entries (a
/// typo in `NET/PO=`), and a list that holds entries of other postoffices
/// only (bound to the wrong postoffice).
fn check_binding(p: &Prepared, known: &HashSet<String>, views: &Views) -> Result<()> {
    let key = p.scope.key();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (k, (_, d)) in &p.forensic {
        counts.insert(k.clone(), d.len());
    }
    let found = if counts.is_empty() {
        if p.had_entries {
            "entries of its own scope only".to_string()
        } else if p.numbers.is_some() {
            "Dir-Sync numbers only, no entries".to_string()
        } else {
            "no entries".to_string()
        }
    } else {
        format!("entries of {}", describe_scopes(&counts))
    };
    if !known.contains(&key) && p.own.is_empty() {
        let mut server_pos: Vec<&String> = views
            .scopes
            .keys()
            .filter(|k| k.starts_with("PCM:"))
            .collect();
        server_pos.sort();
        let shown: Vec<&str> = server_pos.iter().take(8).map(|s| s.as_str()).collect();
        let more = if server_pos.len() > 8 { ", ..." } else { "" };
        if !p.bound {
            // The postoffice was read from the source itself: damaged (e.g. a
            // flipped byte in a transaction's origin) or from another server.
            return Err(Error::input(
                p.source.clone(),
                Location::File,
                format!(
                    "the source names postoffice {}, which is no postoffice of the server, and \
                     holds none of its entries (it holds {found}); the server knows {}{more}: \
                     the source is damaged or belongs to another server (bind it with \
                     --requestor NET/PO=PATH if it is this server's)",
                    p.scope,
                    shown.join(", "),
                ),
            ));
        }
        return Err(Error::Usage(format!(
            "{}: {} is no postoffice of the server and the source holds none of its entries \
             (it holds {found}); the server knows {}{more}: check the NET/PO= binding",
            p.source,
            p.scope,
            shown.join(", "),
        )));
    }
    if p.kind.is_authoritative() && p.own.is_empty() && !counts.is_empty() && !p.bound {
        return Err(Error::input(
            p.source.clone(),
            Location::File,
            format!(
                "the source names postoffice {} but holds no entry of it, only {found}: the \
                 source is damaged, or bind it to the postoffice it belongs to (NET/PO=PATH)",
                p.scope
            ),
        ));
    }
    if p.kind.is_authoritative() && p.own.is_empty() && !counts.is_empty() {
        return Err(Error::Usage(format!(
            "{}: holds no entry of {} but {found}: it is not {}'s list; bind it to the \
             postoffice it belongs to (NET/PO=PATH), or, if the binding is right, the source \
             is damaged (e.g. truncated)",
            p.source, p.scope, p.scope
        )));
    }
    Ok(())
}
