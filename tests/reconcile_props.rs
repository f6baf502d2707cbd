//! Property tests: random server views + random requestor edits → evidence;
//! reconcile finds exactly those edits; delta and full repairs both turn the
//! server's view into the merged lists; reconciling again finds nothing.

use std::collections::BTreeSet;

use msmail::model::{Address, Directory, Entry, Operation, Scope, TemplateValue};
use msmail::reconcile::{
    apply_plan_to_views, plan_repair, reconcile, Evidence, EvidenceKind, MasterTransaction,
    ReconcileOptions, RepairMode, RequestorNumbers, ServerRequestorRecord, ServerSnapshot, Views,
};
use proptest::prelude::*;

/// What happens to one server entry at the requestor.
#[derive(Debug, Clone, Copy)]
enum Edit {
    Keep,
    Delete,
    Rename,
    Retemplate,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => Just(Edit::Keep),
        1 => Just(Edit::Delete),
        1 => Just(Edit::Rename),
        1 => Just(Edit::Retemplate),
    ]
}

#[derive(Debug, Clone)]
struct PoCase {
    /// (entry is a gateway entry, in USR list rather than master, edit)
    entries: Vec<(bool, bool, Edit)>,
    adds: usize,
    has_evidence: bool,
    reqsync: (u32, u32),
}

fn po_case() -> impl Strategy<Value = PoCase> {
    (
        prop::collection::vec((prop::bool::weighted(0.2), any::<bool>(), edit()), 0..25),
        0usize..4,
        prop::bool::weighted(0.7),
        (0u32..50, 0u32..50),
    )
        .prop_map(|(entries, adds, has_evidence, reqsync)| PoCase {
            entries,
            adds,
            has_evidence,
            reqsync,
        })
}

fn entry(p: usize, i: usize, gateway: bool) -> Entry {
    let addr = if gateway {
        format!("SMTP:u{i}@po{p}.example")
    } else {
        format!("PCM:NET/PO{p}/U{i}")
    };
    let mut e = Entry::new(format!("User {i} of {p}"), Address::parse(&addr).unwrap());
    e.template.push(TemplateValue {
        prompt: "Phone:".into(),
        value: format!("{i}").into(),
    });
    e
}

fn scope(p: usize) -> Scope {
    Scope::postoffice("NET", &format!("PO{p}"))
}

struct Built {
    server: ServerSnapshot,
    evidence: Vec<Evidence>,
    /// Expected (adds, deletes, modified) address sets per postoffice.
    expected: Vec<(BTreeSet<String>, BTreeSet<String>, BTreeSet<String>)>,
}

fn build(cases: &[PoCase], sync: u32) -> Built {
    let mut usr_lists = Vec::new();
    let mut master = Vec::new();
    let mut requestors = Vec::new();
    let mut evidence = Vec::new();
    let mut expected = Vec::new();
    let mut next_sync = 1;
    for (p, case) in cases.iter().enumerate() {
        let mut usr = Directory::new();
        let mut ev_entries = Vec::new();
        let (mut adds, mut dels, mut mods) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for (i, &(gateway, in_usr, ed)) in case.entries.iter().enumerate() {
            let e = entry(p, i, gateway);
            // Gateway entries only reach the server through transactions with origin p.
            if in_usr && !gateway {
                usr.upsert(e.clone());
            } else {
                master.push(MasterTransaction {
                    sync: next_sync,
                    origin: format!("NET/PO{p}"),
                    operations: vec![Operation::Add(e.clone())],
                });
                next_sync += 1;
            }
            let a = e.address.to_string();
            match ed {
                Edit::Keep => ev_entries.push(e),
                Edit::Delete => {
                    dels.insert(a);
                }
                Edit::Rename => {
                    let mut n = e;
                    n.full_name.push_str(" (renamed)");
                    ev_entries.push(n);
                    mods.insert(a);
                }
                Edit::Retemplate => {
                    let mut n = e;
                    n.template[0].value.push('9');
                    ev_entries.push(n);
                    mods.insert(a);
                }
            }
        }
        for j in 0..case.adds {
            let e = entry(p, 1000 + j, j % 2 == 1);
            adds.insert(e.address.to_string());
            ev_entries.push(e);
        }
        // A list speaks for a gateway scope only when it holds an entry of
        // it (or replaces it with `R`): otherwise the server's gateway
        // entries are kept, not deleted.
        if !ev_entries.iter().any(|e| !e.address.is_pcm()) {
            dels.retain(|a: &String| a.starts_with("PCM:"));
        }
        usr_lists.push((scope(p), usr));
        requestors.push(ServerRequestorRecord {
            name: scope(p).to_string(),
            scope: scope(p),
            reqsync: case.reqsync.0,
            srvsync: sync.min(case.reqsync.1),
            impsync: 0,
            last_cycle: 1,
        });
        if case.has_evidence {
            let mut ev = Evidence::list(
                format!("po{p}.txt"),
                EvidenceKind::Export,
                Some(scope(p)),
                ev_entries,
            );
            ev.numbers = Some(RequestorNumbers {
                reqsync: case.reqsync.1,
                srvsync: case.reqsync.1 + sync / 2,
                impsync: None,
                pending: vec![],
            });
            evidence.push(ev);
            expected.push((adds, dels, mods));
        } else {
            expected.push(Default::default());
        }
    }
    Built {
        server: ServerSnapshot {
            own_scope: Scope::postoffice("NET", "HUB"),
            own_pol: Directory::new(),
            own_local_only: Directory::new(),
            sync: sync.max(next_sync),
            cycle: 1,
            requestors,
            usr_lists,
            master,
        },
        evidence,
        expected,
    }
}

fn addrs(v: &[Entry]) -> BTreeSet<String> {
    v.iter().map(|e| e.address.to_string()).collect()
}

fn views_of(server: &ServerSnapshot) -> Views {
    let mut v = Views::new();
    for (s, d) in &server.usr_lists {
        v.load_list(s, d);
    }
    v.replay_all(&server.master);
    v
}

fn same(a: &Directory, b: &Directory) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|e| b.get(&e.key()).is_some_and(|x| x.same_content(e)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reconcile_finds_exactly_the_edits(cases in prop::collection::vec(po_case(), 1..5), sync in 0u32..200) {
        let b = build(&cases, sync);
        let rec = reconcile(b.server.clone(), b.evidence.clone(), &ReconcileOptions::default()).unwrap();
        for (p, exp) in b.expected.iter().enumerate() {
            let r = rec.postoffice(&scope(p)).unwrap();
            prop_assert_eq!(&addrs(&r.hole.missing_adds), &exp.0);
            prop_assert_eq!(&addrs(&r.hole.missing_deletes), &exp.1);
            let mods: BTreeSet<String> = r.hole.modified.iter().map(|m| m.merged.address.to_string()).collect();
            prop_assert_eq!(&mods, &exp.2);
            // Hazards follow the numbers.
            let case = &cases[p];
            let lost = r.hazards.iter().any(|h| h.code == "lost-updates");
            prop_assert_eq!(lost, case.has_evidence && case.reqsync.1 > case.reqsync.0);
            let rejected = r.hazards.iter().any(|h| h.code == "rejected-updates");
            prop_assert_eq!(rejected, case.has_evidence && case.reqsync.1 < case.reqsync.0);
        }

        let delta = plan_repair(&rec, RepairMode::Delta).unwrap();
        let full = plan_repair(&rec, RepairMode::Full).unwrap();
        let mut after = Vec::new();
        for plan in [&delta, &full] {
            // Numbering: placeholders up to M, repair from M+1, contiguous.
            let mut expect = plan.top_placeholder;
            for t in &plan.transactions {
                expect += 1;
                prop_assert_eq!(t.sync, expect);
            }
            prop_assert_eq!(plan.new_sync, expect);
            prop_assert!(plan.srvconf.iter().all(|u| u.srvsync.1 <= plan.new_sync));

            let mut views = views_of(&b.server);
            apply_plan_to_views(&mut views, plan);
            for po in &rec.postoffices {
                let got = views.get(&po.scope.key()).cloned().unwrap_or_default();
                prop_assert!(same(&got, &po.merged), "{} differs after {:?}", po.scope, plan.mode);
            }
            after.push(views);

            let repaired = plan.repaired_snapshot(&b.server, &rec);
            let again = reconcile(repaired.clone(), b.evidence.clone(), &ReconcileOptions::default()).unwrap();
            prop_assert!(!again.has_hole());
            prop_assert!(again.postoffices.iter().all(|p| p.hazards.is_empty()));
        }
        // Delta and full give the same merged directory.
        for po in &rec.postoffices {
            let k = po.scope.key();
            let a = after[0].get(&k).cloned().unwrap_or_default();
            let b2 = after[1].get(&k).cloned().unwrap_or_default();
            prop_assert!(same(&a, &b2));
        }
    }

    /// What the command does (plan, then move the merged lists out with
    /// `take_merged_directory`) gives exactly what the borrowing path gives:
    /// the same report, the same plan, the same merged directory in the same
    /// order; planning after the lists were taken is refused; and
    /// `reconcile` gives the same result twice (it consumes its snapshot, so
    /// each run has a clone).
    #[test]
    fn taking_path_equals_borrowing_path(cases in prop::collection::vec(po_case(), 1..5), sync in 0u32..200, full in any::<bool>()) {
        let b = build(&cases, sync);
        let mode = if full { RepairMode::Full } else { RepairMode::Delta };
        let rec = reconcile(b.server.clone(), b.evidence.clone(), &ReconcileOptions::default()).unwrap();
        let plan = plan_repair(&rec, mode).unwrap();
        let mut rec2 = reconcile(b.server.clone(), b.evidence.clone(), &ReconcileOptions::default()).unwrap();
        for (a, c) in rec.postoffices.iter().zip(&rec2.postoffices) {
            prop_assert!(same(&a.server_view, &c.server_view));
            prop_assert!(same(&a.merged, &c.merged));
            let ka: Vec<_> = a.server_view.iter().map(|e| e.key()).collect();
            let kc: Vec<_> = c.server_view.iter().map(|e| e.key()).collect();
            prop_assert_eq!(ka, kc, "view order of {}", a.scope);
        }
        let plan2 = plan_repair(&rec2, mode).unwrap();
        let merged2 = rec2.take_merged_directory();
        prop_assert!(rec2.postoffices.iter().all(|p| p.merged.is_empty()));
        prop_assert_eq!(rec.to_json(&[]), rec2.to_json(&[]));
        prop_assert_eq!(&plan.transactions, &plan2.transactions);
        prop_assert_eq!(&plan.srvconf, &plan2.srvconf);
        prop_assert_eq!(plan.resync, plan2.resync);
        let merged = rec.merged_directory();
        let order = |d: &Directory| d.iter().map(|e| (e.key(), e.full_name.clone(), e.kind, e.template.clone())).collect::<Vec<_>>();
        prop_assert_eq!(order(&merged), order(&merged2));
        prop_assert_eq!(merged.templates.len(), merged2.templates.len());
        let taken_first = rec2.postoffices.iter().any(|p| p.merged_entries > 0);
        prop_assert_eq!(plan_repair(&rec2, mode).is_err(), taken_first);
    }
}
