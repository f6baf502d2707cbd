//! Hand-built restore scenarios for the reconcile engine.

use msmail::model::{Address, Directory, Entry, EntryKind, Operation, Scope, TemplateValue};
use msmail::reconcile::{
    apply_plan_to_views, plan_repair, reconcile, Evidence, EvidenceKind, MasterTransaction,
    ReconcileOptions, RepairMode, RequestorNumbers, ServerRequestorRecord, ServerSnapshot, Status,
    Views,
};
use msmail::Error;

fn e(name: &str, addr: &str) -> Entry {
    Entry::new(name, Address::parse(addr).unwrap())
}

fn dir(entries: &[(&str, &str)]) -> Directory {
    entries.iter().map(|(n, a)| e(n, a)).collect()
}

fn po(s: &str) -> Scope {
    Scope::parse(s).unwrap()
}

fn record(scope: &str, reqsync: u32, srvsync: u32) -> ServerRequestorRecord {
    ServerRequestorRecord {
        name: scope.to_string(),
        scope: po(scope),
        reqsync,
        srvsync,
        impsync: 1,
        last_cycle: 7,
    }
}

fn tx(sync: u32, origin: &str, ops: Vec<Operation>) -> MasterTransaction {
    MasterTransaction {
        sync,
        origin: origin.into(),
        operations: ops,
    }
}

fn nums(reqsync: u32, srvsync: u32) -> RequestorNumbers {
    RequestorNumbers {
        reqsync,
        srvsync,
        impsync: None,
        pending: vec![],
    }
}

/// Server HQ/SRV; requestors N/P and N/Q.
fn server() -> ServerSnapshot {
    ServerSnapshot {
        own_scope: po("PCM:HQ/SRV"),
        own_pol: dir(&[("Admin", "PCM:HQ/SRV/ADMIN"), ("Boss", "PCM:HQ/SRV/BOSS")]),
        own_local_only: Directory::new(),
        sync: 100,
        cycle: 7,
        requestors: vec![
            record("PCM:HQ/SRV", 20, 100),
            record("PCM:N/P", 9, 100),
            record("PCM:N/Q", 30, 100),
        ],
        usr_lists: vec![
            (
                po("PCM:N/P"),
                dir(&[
                    ("Alice", "PCM:N/P/ALICE"),
                    ("Bob", "PCM:N/P/BOB"),
                    ("Carol", "PCM:N/P/CAROL"),
                ]),
            ),
            (
                po("PCM:N/Q"),
                dir(&[("Quinn", "PCM:N/Q/QUINN"), ("Quentin", "PCM:N/Q/QUENTIN")]),
            ),
        ],
        master: vec![tx(
            99,
            "N/P",
            vec![Operation::Add(e("Dave", "PCM:N/P/DAVE"))],
        )],
    }
}

fn p_export() -> Evidence {
    let mut ev = Evidence::list(
        "p-export.txt",
        EvidenceKind::Export,
        Some(po("PCM:N/P")),
        vec![
            e("Alice Smith", "PCM:N/P/ALICE"),
            e("Carol", "PCM:N/P/CAROL"),
            e("Dave", "PCM:N/P/DAVE"),
            e("Eve", "PCM:N/P/EVE"),
        ],
    );
    ev.numbers = Some(nums(12, 100));
    ev
}

fn keys(v: &[Entry]) -> Vec<String> {
    v.iter().map(|e| e.address.to_string()).collect()
}

#[test]
fn export_fills_the_hole_and_sizes_lost_updates() {
    let rec = reconcile(server(), vec![p_export()], &ReconcileOptions::default()).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert_eq!(p.status, Status::Authoritative);
    assert_eq!(p.evidence, "export");
    assert_eq!(p.server_view.len(), 4, "USR list + replayed A of DAVE");
    assert_eq!(keys(&p.hole.missing_adds), vec!["PCM:N/P/EVE"]);
    assert_eq!(keys(&p.hole.missing_deletes), vec!["PCM:N/P/BOB"]);
    assert_eq!(p.hole.modified.len(), 1);
    assert_eq!(p.hole.modified[0].server.full_name, "Alice");
    assert_eq!(p.hole.modified[0].merged.full_name, "Alice Smith");
    assert_eq!(p.sync.req_gap, Some(3));
    assert_eq!(p.sync.srv_overshoot, Some(0));
    let codes: Vec<_> = p.hazards.iter().map(|h| (h.code, h.size)).collect();
    assert_eq!(codes, vec![("lost-updates", 3)]);

    // N/Q has no evidence: unverified, no hole; the server's own PO is as of backup.
    let q = rec.postoffice(&po("PCM:N/Q")).unwrap();
    assert_eq!(q.status, Status::Unverified);
    assert_eq!(q.evidence, "none");
    assert!(q.hole.is_empty());
    let s = rec.postoffice(&po("PCM:HQ/SRV")).unwrap();
    assert_eq!(s.status, Status::AsOfBackup);
    assert_eq!(s.merged.len(), 2);
    assert!(s.hole.is_empty());

    // JSON field names of cli-and-outputs.md.
    let j = rec.to_json(&[msmail::reconcile::WrittenFile {
        path: "out/MSTTRANS.GLB".into(),
        sha256: "ab".repeat(32),
    }]);
    let pj = j["postoffices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["scope"] == "PCM:N/P")
        .unwrap();
    assert_eq!(pj["evidence"], "export");
    assert_eq!(pj["authoritative"], true);
    assert_eq!(pj["server_entries"], 4);
    assert_eq!(pj["merged_entries"], 4);
    assert_eq!(pj["missing_adds"][0]["address"], "PCM:N/P/EVE");
    assert_eq!(pj["missing_adds"][0]["full_name"], "Eve");
    assert_eq!(pj["missing_deletes"][0]["address"], "PCM:N/P/BOB");
    assert_eq!(pj["modified"][0]["server_full_name"], "Alice");
    assert_eq!(pj["modified"][0]["full_name"], "Alice Smith");
    assert_eq!(pj["sync"]["server_reqsync"], 9);
    assert_eq!(pj["sync"]["requestor_reqsync"], 12);
    assert_eq!(pj["sync"]["req_gap"], 3);
    assert_eq!(pj["sync"]["requestor_srvsync"], 100);
    assert_eq!(pj["sync"]["server_sync"], 100);
    assert_eq!(pj["sync"]["srv_overshoot"], 0);
    assert_eq!(pj["hazards"][0], "lost-updates");
    assert_eq!(j["totals"]["missing_adds"], 1);
    assert_eq!(j["totals"]["missing_deletes"], 1);
    assert_eq!(j["totals"]["modified"], 1);
    assert_eq!(j["written"][0]["path"], "out/MSTTRANS.GLB");
    let qj = j["postoffices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["scope"] == "PCM:N/Q")
        .unwrap();
    assert_eq!(qj["evidence"], "none");
    assert_eq!(qj["status"], "unverified");
    assert_eq!(qj["sync"]["requestor_reqsync"], serde_json::Value::Null);

    let text = rec.to_text();
    let line = text.lines().find(|l| l.starts_with("PCM:N/P ")).unwrap();
    assert!(
        line.contains("export") && line.contains("lost-updates(3)"),
        "{line}"
    );
    assert!(text.contains("+ PCM:N/P/EVE"));
}

#[test]
fn repair_plan_numbers_and_idempotence() {
    let srv = server();
    let mut ev = p_export();
    ev.numbers = Some(RequestorNumbers {
        reqsync: 12,
        srvsync: 104,
        impsync: Some(3),
        pending: vec![13],
    });
    let evidence = vec![ev];
    let rec = reconcile(srv.clone(), evidence.clone(), &ReconcileOptions::default()).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert!(p
        .hazards
        .iter()
        .any(|h| h.code == "skipped-master" && h.size == 4));

    let delta = plan_repair(&rec, RepairMode::Delta).unwrap();
    assert_eq!(delta.top_placeholder, 104);
    assert_eq!(delta.placeholders, Some((101, 104)));
    let syncs: Vec<u32> = delta.transactions.iter().map(|t| t.sync).collect();
    assert_eq!(syncs, vec![105, 106, 107]);
    let letters: Vec<char> = delta
        .transactions
        .iter()
        .map(|t| t.operations[0].letter())
        .collect();
    assert_eq!(
        letters,
        vec!['D', 'M', 'A'],
        "delete BOB, rename ALICE with an M pair (Q132681), add EVE"
    );
    assert!(delta.transactions.iter().all(|t| t.origin == "N/P"));
    assert_eq!(delta.new_sync, 107);
    let up = delta
        .srvconf
        .iter()
        .find(|u| u.scope.key() == "PCM:N/P")
        .unwrap();
    assert_eq!(
        (up.reqsync, up.srvsync, up.impsync),
        ((9, 12), (100, 104), (1, 3))
    );
    assert!(up.changed);
    let uq = delta
        .srvconf
        .iter()
        .find(|u| u.scope.key() == "PCM:N/Q")
        .unwrap();
    assert!(!uq.changed);
    assert_eq!(uq.reqsync, (30, 30));
    assert_eq!(delta.resync.reqseq, 30);
    assert_eq!(delta.resync.srvseq, 100);
    assert_eq!(delta.resync.impseq, 3);
    assert_eq!(delta.resync_recommended, vec![po("PCM:N/P")]);
    assert_eq!(rec.merged_directory().len(), 2 + 4 + 2);

    let full = plan_repair(&rec, RepairMode::Full).unwrap();
    assert_eq!(full.transactions[0].operations[0].letter(), 'R');
    assert_eq!(full.transactions.len(), 1 + 4);

    // Applying either plan to the server's views gives the merged lists.
    for plan in [&delta, &full] {
        let mut views = Views::new();
        for (s, d) in &srv.usr_lists {
            views.load_list(s, d);
        }
        views.replay_all(&srv.master);
        apply_plan_to_views(&mut views, plan);
        let got = views.get("PCM:N/P").unwrap();
        let merged = &p.merged;
        assert_eq!(got.len(), merged.len());
        for m in merged.iter() {
            assert!(got.get(&m.key()).unwrap().same_content(m));
        }
    }

    // Reconciling the repaired server with the same evidence finds nothing.
    for plan in [&delta, &full] {
        let repaired = plan.repaired_snapshot(&srv, &rec);
        assert_eq!(repaired.sync, plan.new_sync);
        let again = reconcile(
            repaired.clone(),
            evidence.clone(),
            &ReconcileOptions::default(),
        )
        .unwrap();
        assert!(!again.has_hole());
        let p2 = again.postoffice(&po("PCM:N/P")).unwrap();
        assert!(p2.hazards.is_empty(), "{:?}", p2.hazards);
        assert_eq!(p2.sync.req_gap, Some(0));
        let again_plan = plan_repair(&again, RepairMode::Delta).unwrap();
        assert!(again_plan.transactions.is_empty());
        assert_eq!(again_plan.placeholders, None);
    }
}

#[test]
fn numbers_only_sizes_skipped_and_rejected() {
    let mut n = nums(3, 120);
    n.pending = vec![10, 5, 4];
    let ev = Evidence::numbers("q/REQCONF.GLB", po("PCM:N/Q"), n);
    let rec = reconcile(server(), vec![ev], &ReconcileOptions::default()).unwrap();
    let q = rec.postoffice(&po("PCM:N/Q")).unwrap();
    assert_eq!(q.evidence, "numbers");
    assert_eq!(q.status, Status::Unverified);
    assert!(q.hole.is_empty());
    let codes: Vec<_> = q.hazards.iter().map(|h| (h.code, h.size)).collect();
    assert_eq!(
        codes,
        vec![("skipped-master", 20), ("rejected-updates", 27)]
    );
    assert_eq!(q.sync.req_gap, Some(0));
    assert_eq!(q.sync.srv_overshoot, Some(20));
    assert_eq!(q.sync.pending, vec![4, 5, 10]);
    assert_eq!(q.sync.pending_rejected, 3);
    let plan = plan_repair(&rec, RepairMode::Delta).unwrap();
    assert_eq!(plan.placeholders, Some((101, 120)));
    assert_eq!(plan.new_sync, 120);
    let uq = plan
        .srvconf
        .iter()
        .find(|u| u.scope.key() == "PCM:N/Q")
        .unwrap();
    assert_eq!(
        uq.reqsync,
        (30, 3),
        "server number lowered so nothing is rejected"
    );
}

#[test]
fn master_replay_m_r_d_in_sync_order() {
    let mut srv = server();
    srv.master = vec![
        // Out of order on purpose: replay sorts by sync.
        tx(
            103,
            "N/Q",
            vec![Operation::Delete(e("Quinn", "PCM:N/Q/QUINN"))],
        ),
        tx(
            101,
            "N/Q",
            vec![
                Operation::Replace(po("PCM:N/Q")),
                Operation::Add(e("Quinn", "PCM:N/Q/QUINN")),
                Operation::Add(e("Quincy", "PCM:N/Q/QUINCY")),
            ],
        ),
        tx(
            102,
            "N/Q",
            vec![Operation::Modify {
                old: e("Quincy", "PCM:N/Q/QUINCY"),
                new: e("Quincy Jones", "PCM:N/Q/QJONES"),
            }],
        ),
        tx(
            104,
            "N/P",
            vec![Operation::Delete(e("Nobody", "PCM:N/P/NOBODY"))],
        ),
    ];
    let rec = reconcile(srv.clone(), vec![], &ReconcileOptions::default()).unwrap();
    let q = rec.postoffice(&po("PCM:N/Q")).unwrap();
    let names: Vec<String> = q
        .server_view
        .sorted()
        .iter()
        .map(|e| e.full_name.to_string())
        .collect();
    assert_eq!(
        names,
        vec!["Quincy Jones"],
        "R cleared QUENTIN, M re-keyed, D removed QUINN"
    );
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert_eq!(
        p.server_view.len(),
        3,
        "D of an absent address does nothing"
    );
}

#[test]
fn gateway_entries_belong_to_their_originator() {
    let mut srv = server();
    srv.master.push(tx(
        100,
        "N/P",
        vec![Operation::Add(e("P's fax", "FAX:+1 555 0100"))],
    ));
    srv.master.push(tx(
        100,
        "N/Q",
        vec![Operation::Add(e("Q's smtp", "SMTP:q@example.com"))],
    ));
    let mut ev = p_export();
    ev.kind = EvidenceKind::Tree;
    ev.entries.push(e("P's fax (new)", "FAX:+1 555 0100"));
    ev.entries.push(e("P's smtp", "SMTP:p@example.com"));
    let rec = reconcile(srv.clone(), vec![ev], &ReconcileOptions::default()).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert_eq!(p.evidence, "tree");
    assert!(keys(&p.hole.missing_adds).contains(&"SMTP:p@example.com".to_string()));
    assert!(p
        .hole
        .modified
        .iter()
        .any(|m| m.merged.address.to_string() == "FAX:+1 555 0100"));
    // Q's gateway entry is Q's: P's tree does not delete it.
    let q = rec.postoffice(&po("PCM:N/Q")).unwrap();
    assert!(q
        .merged
        .get(&Address::parse("SMTP:q@example.com").unwrap().key())
        .is_some());
    assert!(!keys(&p.hole.missing_deletes).contains(&"SMTP:q@example.com".to_string()));
}

#[test]
fn extract_other_scopes_are_forensic_only() {
    let mut srv = server();
    srv.master.push(tx(
        100,
        "N/P",
        vec![Operation::Add(e("P gw", "SMTP:pgw@example.com"))],
    ));
    // P's IMPORT -X extract: its own entries, its (stale) copy of Q, a gateway entry.
    let ev = Evidence::list(
        "p-extract.txt",
        EvidenceKind::Extract,
        None,
        vec![
            e("Alice", "PCM:N/P/ALICE"),
            e("Bob", "PCM:N/P/BOB"),
            e("Carol", "PCM:N/P/CAROL"),
            e("Dave", "PCM:N/P/DAVE"),
            e("Quinn OLD", "PCM:N/Q/QUINN"),
            e("Someone", "SMTP:other@example.com"),
        ],
    );
    let rec = reconcile(srv.clone(), vec![ev], &ReconcileOptions::default()).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert_eq!(p.evidence, "export");
    assert!(p.hole.is_empty(), "{:?}", p.hole);
    assert_eq!(
        p.gateway_kept_from_server, 1,
        "server's P gateway entry kept"
    );
    assert!(p.notes.iter().any(|n| n.contains("cannot be attributed")));
    let q = rec.postoffice(&po("PCM:N/Q")).unwrap();
    assert_eq!(q.status, Status::Unverified);
    assert!(q.hole.is_empty(), "another PO's extract never overwrites Q");
    assert_eq!(
        q.merged
            .get(&Address::parse("PCM:N/Q/QUINN").unwrap().key())
            .unwrap()
            .full_name,
        "Quinn"
    );
    assert_eq!(q.forensic.len(), 1);
    assert_eq!(q.forensic[0].entries, 1);
    assert_eq!(q.forensic[0].differs, (0, 1, 1));
}

#[test]
fn duplicates_inside_one_source_later_wins() {
    let mut ev = p_export();
    ev.entries.push(e("Eve Second", "pcm:n/p/eve"));
    let rec = reconcile(server(), vec![ev], &ReconcileOptions::default()).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert_eq!(p.duplicates.len(), 1);
    assert_eq!(p.duplicates[0].kept.full_name, "Eve Second");
    assert_eq!(p.duplicates[0].dropped.full_name, "Eve");
    assert_eq!(p.hole.missing_adds[0].full_name, "Eve Second");
    let j = rec.to_json(&[]);
    assert_eq!(j["totals"]["duplicates"], 1);
}

#[test]
fn disagreeing_authoritative_sources() {
    let a = p_export();
    let mut b = p_export();
    b.source = "p-tree".into();
    b.kind = EvidenceKind::Tree;
    b.entries[0].full_name = "Alice Jones".into();
    // Agreeing sources are fine.
    let mut same = p_export();
    same.source = "p-export-copy.txt".into();
    assert!(reconcile(
        server(),
        vec![a.clone(), same],
        &ReconcileOptions::default()
    )
    .is_ok());

    let err = reconcile(
        server(),
        vec![a.clone(), b.clone()],
        &ReconcileOptions::default(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Input { .. }));
    assert!(
        msg.contains("p-export.txt") && msg.contains("p-tree"),
        "{msg}"
    );
    assert!(msg.contains("ALICE"), "{msg}");

    let mut a2 = a.clone();
    a2.as_of = Some(2_000);
    let mut b2 = b.clone();
    b2.as_of = Some(1_000);
    let opts = ReconcileOptions {
        prefer_newest: true,
        ..Default::default()
    };
    let rec = reconcile(server(), vec![a2, b2], &opts).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert_eq!(p.used_source.as_deref(), Some("p-export.txt"));
    assert_eq!(p.superseded, vec!["p-tree".to_string()]);
    assert_eq!(p.hole.modified[0].merged.full_name, "Alice Smith");

    let mut b3 = b;
    b3.as_of = Some(3_000);
    let mut a3 = a;
    a3.as_of = Some(2_000);
    let rec = reconcile(server(), vec![a3, b3], &opts).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert_eq!(p.used_source.as_deref(), Some("p-tree"));
    assert_eq!(p.hole.modified[0].merged.full_name, "Alice Jones");
}

#[test]
fn scope_identification_and_unknown_postoffices() {
    // Unbound evidence for a postoffice the server never heard of.
    let ev = Evidence::list(
        "new.txt",
        EvidenceKind::Export,
        None,
        vec![e("New", "PCM:N/NEW/X"), e("Gw", "SMTP:x@y")],
    );
    let rec = reconcile(server(), vec![ev], &ReconcileOptions::default()).unwrap();
    let n = rec.postoffice(&po("PCM:N/NEW")).unwrap();
    assert_eq!(n.hole.missing_adds.len(), 2);
    assert!(n.notes.iter().any(|x| x.contains("no SRVCONF record")));

    let bad = Evidence::list(
        "gw-only.txt",
        EvidenceKind::Export,
        None,
        vec![e("Gw", "SMTP:x@y")],
    );
    let err = reconcile(server(), vec![bad], &ReconcileOptions::default()).unwrap_err();
    assert!(err.to_string().contains("gw-only.txt"));
    assert_eq!(err.exit_code(), 3);
}

#[test]
fn limits_and_template_changes_are_reported() {
    let mut ev = p_export();
    ev.entries.push(e(&"L".repeat(31), "PCM:N/P/LONGMAILBOX1"));
    ev.entries.push(e("Zoë ☃", "PCM:N/P/SNOW"));
    let mut carol = e("Carol", "PCM:N/P/CAROL");
    carol.template.push(TemplateValue {
        prompt: "Phone:".into(),
        value: "555".into(),
    });
    carol.kind = EntryKind::Group;
    ev.entries.push(carol);
    let rec = reconcile(server(), vec![ev], &ReconcileOptions::default()).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    let fields: Vec<_> = p.limits.iter().map(|l| (l.field, l.problem)).collect();
    assert!(fields.contains(&("full_name", "too-long")));
    assert!(fields.contains(&("mailbox", "too-long")));
    assert!(fields.contains(&("full_name", "not-cp850")));
    let c = p
        .hole
        .modified
        .iter()
        .find(|m| m.merged.address.to_string() == "PCM:N/P/CAROL")
        .unwrap();
    assert_eq!(c.changes(), vec!["kind", "template"]);
}

#[test]
fn output_is_deterministic() {
    let a = reconcile(server(), vec![p_export()], &ReconcileOptions::default()).unwrap();
    let mut srv = server();
    srv.usr_lists.reverse();
    srv.requestors.reverse();
    let b = reconcile(srv.clone(), vec![p_export()], &ReconcileOptions::default()).unwrap();
    assert_eq!(
        serde_json::to_string(&a.to_json(&[])).unwrap(),
        serde_json::to_string(&b.to_json(&[])).unwrap()
    );
    assert_eq!(a.to_text(), b.to_text());
}

#[test]
fn unfilled_hole_and_evidence_code() {
    // Numbers say P lost 3 updates, but no list: the plan reports the open hole.
    let ev = Evidence::numbers("p/REQCONF.GLB", po("PCM:N/P"), nums(12, 100));
    let rec = reconcile(server(), vec![ev], &ReconcileOptions::default()).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert_eq!(p.evidence, "numbers");
    assert!(p.notes.iter().any(|n| n.contains("up to 3 transactions")));
    let plan = plan_repair(&rec, RepairMode::Delta).unwrap();
    assert_eq!(plan.unfilled, vec![(po("PCM:N/P"), 3)]);
    assert!(plan.transactions.is_empty());

    // A tree plus numbers-only evidence: the list's kind is reported.
    let mut tree = p_export();
    tree.kind = EvidenceKind::Tree;
    tree.numbers = None;
    let n = Evidence::numbers("p/REQCONF.GLB", po("PCM:N/P"), nums(12, 100));
    let rec = reconcile(server(), vec![n, tree], &ReconcileOptions::default()).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert_eq!(p.evidence, "tree");
    assert_eq!(p.sync.req_gap, Some(3));
    let plan = plan_repair(&rec, RepairMode::Delta).unwrap();
    assert!(plan.unfilled.is_empty());
}

#[test]
fn gateway_address_claimed_by_two_postoffices() {
    // Master transactions: a gateway address lives in one list, and an `A`
    // from another origin moves it there.
    let mut srv = server();
    srv.master.push(tx(
        100,
        "N/P",
        vec![Operation::Add(e("Shared P", "SMTP:x@y"))],
    ));
    srv.master.push(tx(
        100,
        "N/Q",
        vec![Operation::Add(e("Shared Q", "SMTP:x@y"))],
    ));
    let rec = reconcile(srv.clone(), vec![], &ReconcileOptions::default()).unwrap();
    assert!(rec.cross_duplicates.is_empty());
    let k = Address::parse("smtp:x@y").unwrap().key();
    assert!(rec
        .postoffice(&po("PCM:N/P"))
        .unwrap()
        .merged
        .get(&k)
        .is_none());
    assert_eq!(
        rec.merged_directory().get(&k).unwrap().full_name,
        "Shared Q"
    );
    // Two authoritative lists that both hold it: reported, the greater
    // scope key wins in the merged directory.
    let list = |name: &str, scope: &str, entries: &[(&str, &str)]| {
        let d: Directory = entries.iter().map(|(n, a)| e(n, a)).collect();
        Evidence::from_directory(name, EvidenceKind::Export, Some(po(scope)), &d)
    };
    let p = list(
        "p.txt",
        "PCM:N/P",
        &[("Alice", "PCM:N/P/ALICE"), ("Shared P", "SMTP:x@y")],
    );
    let q = list("q.txt", "PCM:N/Q", &[("Shared Q", "SMTP:x@y")]);
    let rec = reconcile(server(), vec![p, q], &ReconcileOptions::default()).unwrap();
    assert_eq!(rec.cross_duplicates.len(), 1);
    assert_eq!(rec.cross_duplicates[0].1, "PCM:N/P");
    assert_eq!(rec.cross_duplicates[0].2, "PCM:N/Q");
    let merged = rec.merged_directory();
    assert_eq!(merged.get(&k).unwrap().full_name, "Shared Q");
    assert_eq!(rec.to_json(&[])["totals"]["cross_postoffice_duplicates"], 1);
}

#[test]
fn extract_repair_is_idempotent_and_templates_replay() {
    use msmail::model::{TemplateDef, TemplateField};
    let mut srv = server();
    srv.master.push(tx(
        100,
        "N/P",
        vec![
            Operation::Add(e("P gw", "SMTP:pgw@example.com")),
            Operation::Template(TemplateDef {
                scope: po("PCM:N/P"),
                fields: vec![TemplateField {
                    prompt: "Phone:".into(),
                    width: 10,
                    ..TemplateField::default()
                }],
            }),
        ],
    ));
    let d: Directory = [
        e("Alice", "PCM:N/P/ALICE"),
        e("Carol", "PCM:N/P/CAROL"),
        e("Dave", "PCM:N/P/DAVE"),
        e("Fred", "PCM:N/P/FRED"),
    ]
    .into_iter()
    .collect();
    let ev = Evidence::from_directory("p-extract.txt", EvidenceKind::Extract, None, &d);
    let rec = reconcile(srv.clone(), vec![ev.clone()], &ReconcileOptions::default()).unwrap();
    let p = rec.postoffice(&po("PCM:N/P")).unwrap();
    assert!(
        p.server_view.templates.contains_key("PCM:N/P"),
        "T recorded"
    );
    assert!(
        p.merged.templates.contains_key("PCM:N/P"),
        "template kept in merged"
    );
    assert_eq!(keys(&p.hole.missing_adds), vec!["PCM:N/P/FRED"]);
    assert_eq!(keys(&p.hole.missing_deletes), vec!["PCM:N/P/BOB"]);
    for mode in [RepairMode::Delta, RepairMode::Full] {
        let plan = plan_repair(&rec, mode).unwrap();
        let repaired = plan.repaired_snapshot(&srv, &rec);
        let again = reconcile(
            repaired.clone(),
            vec![ev.clone()],
            &ReconcileOptions::default(),
        )
        .unwrap();
        assert!(!again.has_hole(), "{mode:?}");
        let p2 = again.postoffice(&po("PCM:N/P")).unwrap();
        assert!(p2
            .merged
            .get(&Address::parse("SMTP:pgw@example.com").unwrap().key())
            .is_some());
    }
}
