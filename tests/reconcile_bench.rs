//! Micro benchmark of the reconcile engine: 500 postoffices × 2,000 entries.
//! Run once, in release:
//! `cargo test --release --test reconcile_bench -- --ignored --nocapture`

use std::time::Instant;

use msmail::model::{Address, Directory, Entry, Operation, Scope};
use msmail::reconcile::{
    plan_repair, reconcile, Evidence, EvidenceKind, MasterTransaction, ReconcileOptions,
    RepairMode, RequestorNumbers, ServerRequestorRecord, ServerSnapshot,
};

const POS: usize = 500;
const ENTRIES: usize = 2_000;

fn entry(p: usize, i: usize) -> Entry {
    Entry::new(
        format!("User {i} of PO{p}"),
        Address::parse(&format!("PCM:NET/PO{p}/U{i}")).unwrap(),
    )
}

#[test]
#[ignore]
fn bench_500_postoffices_2000_entries() {
    let t0 = Instant::now();
    let mut usr_lists = Vec::new();
    let mut master = Vec::new();
    let mut requestors = Vec::new();
    let mut evidence = Vec::new();
    let mut sync = 0;
    for p in 0..POS {
        let scope = Scope::postoffice("NET", &format!("PO{p}"));
        let mut usr = Directory::new();
        let mut ev = Vec::with_capacity(ENTRIES);
        for i in 0..ENTRIES {
            let e = entry(p, i);
            if i % 10 == 0 {
                sync += 1;
                master.push(MasterTransaction {
                    sync,
                    origin: format!("NET/PO{p}"),
                    operations: vec![Operation::Add(e.clone())],
                });
            } else {
                usr.upsert(e.clone());
            }
            // 1% of entries renamed, 0.5% deleted at the requestor.
            match i % 200 {
                0 | 1 => {
                    let mut n = e;
                    n.full_name.push('!');
                    ev.push(n);
                }
                2 => {}
                _ => ev.push(e),
            }
        }
        ev.push(entry(p, ENTRIES + 1));
        usr_lists.push((scope.clone(), usr));
        requestors.push(ServerRequestorRecord {
            name: scope.to_string(),
            scope: scope.clone(),
            reqsync: 10,
            srvsync: 10,
            impsync: 0,
            last_cycle: 1,
        });
        let mut e = Evidence::list(format!("po{p}"), EvidenceKind::Export, Some(scope), ev);
        e.numbers = Some(RequestorNumbers {
            reqsync: 15,
            srvsync: 10,
            impsync: None,
            pending: vec![],
        });
        evidence.push(e);
    }
    let server = ServerSnapshot {
        own_scope: Scope::postoffice("NET", "HUB"),
        own_pol: Directory::new(),
        own_local_only: Directory::new(),
        sync,
        cycle: 1,
        requestors,
        usr_lists,
        master,
    };
    let built = t0.elapsed();

    let t1 = Instant::now();
    let rec = reconcile(server.clone(), evidence, &ReconcileOptions::default()).unwrap();
    let t_rec = t1.elapsed();
    let t2 = Instant::now();
    let plan = plan_repair(&rec, RepairMode::Delta).unwrap();
    let t_plan = t2.elapsed();
    let t3 = Instant::now();
    let json = rec.to_json(&[]);
    let t_json = t3.elapsed();

    let total = json["totals"]["missing_adds"].as_u64().unwrap()
        + json["totals"]["missing_deletes"].as_u64().unwrap()
        + json["totals"]["modified"].as_u64().unwrap();
    assert_eq!(total as usize, POS * (ENTRIES / 200 * 3 + 1));
    assert_eq!(plan.transactions.len(), total as usize);
    eprintln!(
        "bench: build {built:?}; reconcile {t_rec:?}; plan(delta) {t_plan:?}; to_json {t_json:?}; \
         {} postoffices, {} server entries, {} hole entries",
        rec.postoffices.len(),
        json["totals"]["server_entries"],
        total
    );
}
