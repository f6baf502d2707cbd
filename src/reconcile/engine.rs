//! The engine proper: the server's views, evidence preparation, the merge of
//! each postoffice, its hole, numbers and hazards (docs/reconcile.md).

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use super::templates::{normalise_template, plan_templates};
use super::{
    compute_hole, identify_scope_of, limit_problems, Duplicate, Evidence, EvidenceKind,
    ForensicView, Hazard, MasterTransaction, PostofficeReport, ReconcileOptions, Reconciliation,
    RequestorNumbers, ServerRequestorRecord, ServerSnapshot, SourceReport, SourceUsage, Status,
    SyncNumbers, Views,
};
use crate::error::{Error, Location, Result};
use crate::model::{Address, AddressKey, Directory, Entry, EntryKind, Scope, TemplateDef};

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
    templates: Vec<TemplateDef>,
    /// Gateway scope keys the source speaks for: those of its own gateway
    /// entries and those it replaces (`R TYPE:GATE/NODE`).
    mentioned: HashSet<String>,
    damaged: bool,
    declares_list: bool,
    usage: SourceUsage,
    /// The scope was bound by the user (`NET/PO=PATH`).
    bound: bool,
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
        templates,
        mentioned,
        damaged,
        declares_list,
        usage,
        bound,
    })
}

fn describe_difference(a: &Directory, b: &Directory) -> (usize, String) {
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
/// for one postoffice disagree, unless `options.prefer_newest`; and (usage
/// error) when a source names a postoffice the server does not know and
/// holds none of its entries, or holds entries of other postoffices only.
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
    taken: Option<TakenLists>,
    evidence: Vec<Evidence>,
    options: &ReconcileOptions,
) -> Result<Reconciliation> {
    let own_key = server.own_scope.key();

    // The server's view of every postoffice. A USR list's owner scope may be
    // the server's own (a gateway node reached through it): its gateway
    // entries join the server's own list below.
    let mut views = Views::new();
    let mut own_views = Views::new();
    let own_pol_owned;
    let own_pol: &Directory = match taken {
        Some(t) => {
            for (scope, list) in t.usr_lists {
                let pcm_own = scope.key() == own_key
                    && list
                        .iter()
                        .any(|e| e.address.is_pcm() && e.key().scope_key() == own_key);
                if !pcm_own {
                    views.load_list_owned(&scope, list);
                }
            }
            views.replay_all(&t.master);
            drop(t.master);
            own_pol_owned = t.own_pol;
            &own_pol_owned
        }
        None => {
            for (scope, list) in &server.usr_lists {
                let pcm_own = scope.key() == own_key
                    && list
                        .iter()
                        .any(|e| e.address.is_pcm() && e.key().scope_key() == own_key);
                if !pcm_own {
                    views.load_list(scope, list);
                }
            }
            views.replay_all(&server.master);
            &server.own_pol
        }
    };
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

/// The inputs of one postoffice's reconciliation, gathered before the
/// parallel step.
struct PoWork<'a> {
    scope: Scope,
    server_view: Directory,
    evs: Vec<Prepared>,
    forensic: Vec<(String, Directory)>,
    record: Option<&'a ServerRequestorRecord>,
    is_own: bool,
}

fn describe_numbers(n: &RequestorNumbers) -> String {
    format!("numbers: ReqSync {}, SrvSync {}", n.reqsync, n.srvsync)
}

/// Merges one postoffice; returns its report and the warnings for stderr.
fn reconcile_one(
    w: PoWork<'_>,
    server: &ServerSnapshot,
    local_only: &HashSet<AddressKey>,
    options: &ReconcileOptions,
) -> Result<(PostofficeReport, Vec<String>)> {
    let PoWork {
        scope,
        server_view,
        mut evs,
        forensic,
        record,
        is_own,
    } = w;
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let sources: Vec<String> = evs.iter().map(|e| e.source.clone()).collect();
    let any_numbers = evs.iter().any(|e| e.numbers.is_some());
    let mut details: Vec<SourceReport> = evs
        .iter()
        .map(|e| SourceReport {
            source: e.source.clone(),
            usage: e.usage.clone(),
        })
        .collect();

    for e in &evs {
        if e.unattributed > 0 {
            notes.push(format!(
                "{}: {} gateway entries of the extract cannot be attributed to a \
                 postoffice and are only forensic",
                e.source, e.unattributed
            ));
        }
    }

    // Which sources can give the list: authoritative kinds; an empty one
    // only when it says it is a whole list.
    let usable: Vec<bool> = evs
        .iter()
        .map(|e| e.kind.is_authoritative() && (!e.own.is_empty() || e.declares_list))
        .collect();
    for (i, e) in evs.iter().enumerate() {
        if e.kind.is_authoritative() && !usable.get(i).copied().unwrap_or(false) {
            let why = format!(
                "list: holds no entry of {scope} and does not say it is a whole list \
                 (no R {scope} line): not used, so the server's {} entries are not deleted",
                server_view.len()
            );
            if let Some(d) = details.get_mut(i) {
                d.usage.not_taken.push(why.clone());
            }
            warnings.push(format!("{}: {why}", e.source));
        }
    }

    // Pick the authoritative list.
    let mut superseded = Vec::new();
    let mut chosen: Option<usize> = None;
    for i in 0..evs.len() {
        if !usable.get(i).copied().unwrap_or(false) {
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
    let mut numbers_from: Option<usize> = None;
    for (i, e) in evs.iter().enumerate() {
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
                numbers_from = Some(i);
            }
        }
    }
    for (i, e) in evs.iter().enumerate() {
        let Some(d) = details.get_mut(i) else {
            continue;
        };
        if let Some(n) = &e.numbers {
            if numbers_from == Some(i) {
                d.usage.taken.insert(0, describe_numbers(n));
            } else {
                d.usage.not_taken.push(format!(
                    "{}: another source's numbers are higher",
                    describe_numbers(n)
                ));
            }
        }
        if usable.get(i).copied().unwrap_or(false) {
            if chosen == Some(i) {
                d.usage.taken.insert(
                    0,
                    format!(
                        "list: {} entries of {scope}{}",
                        e.own.len(),
                        if e.damaged {
                            " (read past damage: partial)"
                        } else {
                            ""
                        }
                    ),
                );
            } else if superseded.contains(&e.source) {
                d.usage
                    .not_taken
                    .push("list: set aside, a newer source disagrees with it".into());
            } else {
                d.usage
                    .not_taken
                    .push("list: the same as the list used".into());
            }
        }
        let others: usize = e.forensic.values().map(|(_, d)| d.len()).sum();
        if others > 0 {
            d.usage.not_taken.push(format!(
                "{others} entries of other postoffices: forensic only, never used to change \
                 another postoffice's list"
            ));
        }
        if d.usage.taken.is_empty() {
            d.usage.taken.push("nothing".into());
        }
    }

    let mut duplicates = Vec::new();
    let mut withheld_deletes = Vec::new();
    let mut gateway_kept = 0;
    let chosen_ev = chosen.and_then(|c| (c < evs.len()).then(|| evs.swap_remove(c)));
    let mut evidence_templates: Vec<TemplateDef> = Vec::new();
    let (mut status, mut merged, used_source, used_kind) = match chosen_ev {
        Some(p) => {
            duplicates.extend(p.duplicates.iter().cloned());
            let own_empty = p.own.is_empty();
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
            // Gateway entries of scopes the source does not speak for (an
            // extract speaks for none) are the server's view of them.
            for e in server_view.iter().filter(|e| !e.address.is_pcm()) {
                let k = e.key();
                let speaks = p.kind != EvidenceKind::Extract && p.mentioned.contains(k.scope_key());
                if !speaks && !merged.contains_key(&k) {
                    merged.upsert(e.clone());
                    gateway_kept += 1;
                }
            }
            // The server's own entries Dir-Sync does not carry stay.
            if is_own {
                for e in server_view.iter() {
                    let k = e.key();
                    if local_only.contains(&k) && !merged.contains_key(&k) {
                        merged.upsert(e.clone());
                    }
                }
            }
            let mut status = Status::Authoritative;
            if p.damaged {
                // Read past damage: what it lacks may be what was lost.
                for e in server_view.iter() {
                    if !merged.contains_key(&e.key()) {
                        withheld_deletes.push(e.clone());
                        merged.upsert(e.clone());
                    }
                }
                withheld_deletes.sort_by_cached_key(|e| e.key());
                status = Status::Partial;
                if !withheld_deletes.is_empty() {
                    let w = format!(
                        "{}: read past damage (--salvage): {} entries of {scope} it lacks are \
                         kept, not deleted (withheld_deletes in the report)",
                        p.source,
                        withheld_deletes.len()
                    );
                    notes.push(w.clone());
                    warnings.push(w);
                }
            }
            if own_empty && !server_view.is_empty() {
                let w = format!(
                    "{}: an empty list for {scope}: every one of the server's {} entries of it \
                     becomes a delete",
                    p.source,
                    server_view.len()
                );
                warnings.push(w.clone());
                notes.push(w);
            }
            evidence_templates = p.templates;
            (status, merged, Some(p.source), Some(p.kind))
        }
        None => {
            let st = if is_own {
                Status::AsOfBackup
            } else {
                Status::Unverified
            };
            (st, server_view.clone(), None, None)
        }
    };
    for e in &evs {
        if !e.kind.is_authoritative() || superseded.contains(&e.source) {
            continue;
        }
        duplicates.extend(e.duplicates.iter().cloned());
    }
    duplicates.sort_by(|a, b| (a.kept.key(), &a.source).cmp(&(b.kept.key(), &b.source)));

    // Group members: the evidence's where it knows them (a requestor's
    // tree), else the server's (text evidence cannot carry membership).
    let from_server: Vec<(AddressKey, Vec<Address>)> = server_view
        .membership()
        .filter(|(k, _)| {
            merged.members(k).is_none() && merged.get(k).is_some_and(|e| e.kind == EntryKind::Group)
        })
        .map(|(k, m)| (k.clone(), m.to_vec()))
        .collect();
    for (k, m) in from_server {
        merged.set_members(&k, m);
    }

    // Template definitions for MS Mail files; values in field order.
    let templates = plan_templates(&mut merged, &evidence_templates, &server_view.templates);
    for t in &templates {
        if !t.added.is_empty() || !t.widened.is_empty() || t.source == "derived" {
            notes.push(format!(
                "template of {}: {} definition{}{}",
                t.scope,
                t.source,
                if t.added.is_empty() {
                    String::new()
                } else {
                    format!("; fields added for {}", t.added.join(", "))
                },
                if t.widened.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; widened {}",
                        t.widened
                            .iter()
                            .map(|(p, a, b)| format!("{p} {a}->{b}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ));
        }
    }

    let hole = compute_hole(&server_view, &merged);
    if status == Status::Partial && withheld_deletes.is_empty() {
        status = Status::Authoritative;
        notes.push("its source was read past damage, but lacks no server entry".into());
    }
    let limits = limit_problems(&merged);

    // Numbers and hazards.
    let (sync, hazards) = sync_and_hazards(numbers.as_ref(), record, server.sync);
    if numbers.is_none() && !is_own {
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

    Ok((
        PostofficeReport {
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
            source_details: details,
            withheld_deletes,
            templates,
        },
        warnings,
    ))
}

/// The numbers of one postoffice and the three restore hazards with their
/// sizes (docs/reconcile.md, "The three hazards").
fn sync_and_hazards(
    numbers: Option<&RequestorNumbers>,
    record: Option<&ServerRequestorRecord>,
    server_sync: u32,
) -> (SyncNumbers, Vec<Hazard>) {
    let mut sync = SyncNumbers {
        server_reqsync: record.map(|r| r.reqsync),
        server_srvsync: record.map(|r| r.srvsync),
        server_impsync: record.map(|r| r.impsync),
        server_sync,
        ..SyncNumbers::default()
    };
    let mut hazards = Vec::new();
    let Some(n) = numbers else {
        return (sync, hazards);
    };
    sync.requestor_reqsync = Some(n.reqsync);
    sync.requestor_srvsync = Some(n.srvsync);
    sync.requestor_impsync = n.impsync;
    let mut pending = n.pending.clone();
    pending.sort_unstable();
    pending.dedup();
    sync.srv_overshoot = Some(n.srvsync.saturating_sub(server_sync));
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
    if n.srvsync > server_sync {
        hazards.push(Hazard {
            code: "skipped-master",
            size: u64::from(n.srvsync - server_sync),
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
    (sync, hazards)
}
