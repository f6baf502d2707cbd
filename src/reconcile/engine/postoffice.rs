//! The reconciliation of one postoffice ([`reconcile_one`]): its merge, hole,
//! numbers and hazards.

use super::prepare::{describe_difference, newer, Prepared};
use crate::error::{Error, Location, Result};
use crate::model::{Address, AddressKey, Directory, Entry, EntryKind, Scope, TemplateDef};
use crate::reconcile::templates::plan_templates;
use crate::reconcile::{
    compute_hole, limit_problems, EvidenceKind, ForensicView, Hazard, PostofficeReport,
    ReconcileOptions, RequestorNumbers, ServerRequestorRecord, ServerSnapshot, SourceReport,
    Status, SyncNumbers,
};
use std::collections::HashSet;

/// The inputs of one postoffice's reconciliation, gathered before the
/// parallel step.
pub(super) struct PoWork<'a> {
    pub(super) scope: Scope,
    pub(super) server_view: Directory,
    pub(super) evs: Vec<Prepared>,
    pub(super) forensic: Vec<(String, Directory)>,
    pub(super) record: Option<&'a ServerRequestorRecord>,
    pub(super) is_own: bool,
}

pub(super) fn describe_numbers(n: &RequestorNumbers) -> String {
    format!("numbers: ReqSync {}, SrvSync {}", n.reqsync, n.srvsync)
}

/// Merges one postoffice; returns its report and the warnings for stderr.
pub(super) fn reconcile_one(
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
            server_view: if options.drop_server_views {
                Directory::new()
            } else {
                server_view
            },
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
pub(super) fn sync_and_hazards(
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
