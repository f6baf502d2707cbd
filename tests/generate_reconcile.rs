//! Cross-check: `reconcile` (library) against the generator's truth.json.

use msmail::dirsync::{read_stream, ReqConf, SrvConf};
use msmail::model::Scope;
use msmail::reconcile::*;
use msmail::source::{load_directory, LoadOptions};
use msmail::tree::PostOffice;
use serde_json::Value;
use std::path::Path;

fn numbers(conf: &Path) -> RequestorNumbers {
    let rc = ReqConf::read(&std::fs::read(conf).unwrap(), "REQCONF.GLB").unwrap();
    let rt = conf.with_file_name("REQTRANS.GLB");
    let s = read_stream(&std::fs::read(&rt).unwrap(), "REQTRANS.GLB", false).unwrap();
    RequestorNumbers {
        reqsync: rc.reqsync,
        srvsync: rc.srvsync,
        impsync: Some(rc.impsync),
        pending: s
            .records
            .iter()
            .filter(|r| !r.is_placeholder())
            .map(|r| r.sync)
            .collect(),
    }
}

/// The reconcile engine, fed the restore fixture through our readers, reports
/// what truth.json says — field by field. Known deviation (docs/generate.md):
/// the engine lists groups as `modified` (kind only) when the evidence is a
/// format without user/group kinds; such entries are skipped here.
#[test]
fn reconcile_engine_agrees_with_truth() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/restore");
    let truth: Value =
        serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    let server = dir.join("server");
    let po = PostOffice::open(&server, &LoadOptions::default()).unwrap();
    let srv = SrvConf::read(&std::fs::read(server.join("GLB/SRVCONF.GLB")).unwrap(), "S").unwrap();
    let ms = read_stream(
        &std::fs::read(server.join("GLB/MSTTRANS.GLB")).unwrap(),
        "M",
        false,
    )
    .unwrap();
    let snap = ServerSnapshot {
        own_scope: po.data.scope(),
        own_pol: po.pol(),
        sync: srv.sync,
        cycle: srv.cycle,
        requestors: srv
            .requestors
            .iter()
            .map(|r| ServerRequestorRecord {
                name: r.name.text().to_string(),
                scope: Scope::parse(&r.name.text()).unwrap(),
                reqsync: r.reqsync,
                srvsync: r.srvsync,
                impsync: r.impsync,
                last_cycle: r.last_cycle,
            })
            .collect(),
        usr_lists: po
            .external_postoffices()
            .into_iter()
            .map(|(s, x)| {
                let (n, _) = s.body.split_once('/').unwrap();
                let d = po.usr_list(n, &x.name).unwrap();
                (s, d)
            })
            .collect(),
        master: ms
            .records
            .iter()
            .map(|r| MasterTransaction {
                sync: r.sync,
                origin: r.origin.text().to_string(),
                operations: r.to_operations("M").unwrap(),
            })
            .collect(),
    };
    let mut ev = Vec::new();
    for p in truth["postoffices"].as_array().unwrap() {
        let Some(path) = p["evidence_path"].as_str() else {
            continue;
        };
        let path = dir.join(path);
        let scope = Scope::parse(p["scope"].as_str().unwrap()).unwrap();
        let src = path.display().to_string();
        match p["evidence_form"].as_str().unwrap() {
            "server-tree" => {}
            "import-text" | "reqtrans" => ev.push(Evidence::from_directory(
                src,
                EvidenceKind::Export,
                Some(scope),
                &load_directory(&path, &LoadOptions::default())
                    .unwrap()
                    .directory,
            )),
            "extract" => ev.push(Evidence::from_directory(
                src,
                EvidenceKind::Extract,
                Some(scope),
                &load_directory(&path, &LoadOptions::default())
                    .unwrap()
                    .directory,
            )),
            "message" => {
                let m = msmail::dsmsg::read_message(&path, Default::default()).unwrap();
                let mut e = Evidence::from_directory(
                    src,
                    EvidenceKind::Export,
                    Some(scope),
                    &load_directory(&path, &LoadOptions::default())
                        .unwrap()
                        .directory,
                );
                e.numbers = Some(RequestorNumbers {
                    reqsync: m.numbers.reqseq.unwrap(),
                    srvsync: m.numbers.srvseq.unwrap(),
                    impsync: m.numbers.impseq,
                    pending: vec![],
                });
                ev.push(e);
            }
            "tree" => {
                let t = PostOffice::open(&path, &LoadOptions::default()).unwrap();
                let mut e =
                    Evidence::from_directory(src, EvidenceKind::Tree, Some(scope), &t.pol());
                e.numbers = Some(numbers(&path.join("GLB/REQCONF.GLB")));
                ev.push(e);
            }
            "numbers" => ev.push(Evidence::numbers(
                src,
                scope,
                numbers(&path.join("REQCONF.GLB")),
            )),
            "numbers-glb" => ev.push(Evidence::numbers(
                src,
                scope,
                numbers(&path.join("GLB/REQCONF.GLB")),
            )),
            f => panic!("{f}"),
        }
    }
    let rec = reconcile(&snap, ev, &ReconcileOptions::default()).unwrap();
    let rep = rec.to_json(&[]);
    let mut bad = 0;
    for t in truth["postoffices"].as_array().unwrap() {
        let scope = t["scope"].as_str().unwrap();
        let r = rep["postoffices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["scope"] == scope)
            .expect(scope);
        for f in [
            "evidence",
            "authoritative",
            "server_entries",
            "merged_entries",
            "hazards",
        ] {
            if t[f] != r[f] {
                bad += 1;
                eprintln!("{scope} {f}: truth {} report {}", t[f], r[f]);
            }
        }
        for f in ["missing_adds", "missing_deletes"] {
            let strip = |v: &Value| {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        (
                            e["address"].as_str().unwrap().to_uppercase(),
                            e["full_name"].clone(),
                        )
                    })
                    .collect::<Vec<_>>()
            };
            let (a, b) = (strip(&t[f]), strip(&r[f]));
            let mut a2 = a.clone();
            a2.sort_by(|x, y| x.0.cmp(&y.0));
            let mut b2 = b.clone();
            b2.sort_by(|x, y| x.0.cmp(&y.0));
            if a2 != b2 {
                bad += 1;
                eprintln!("{scope} {f}: truth {a2:?}\n   report {b2:?}");
            }
        }
        let strip = |v: &Value| {
            let mut x = v
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["changes"] != serde_json::json!(["kind"]))
                .map(|e| {
                    (
                        e["address"].as_str().unwrap().to_uppercase(),
                        e["server_full_name"].clone(),
                        e["full_name"].clone(),
                    )
                })
                .collect::<Vec<_>>();
            x.sort_by(|p, q| p.0.cmp(&q.0));
            x
        };
        if strip(&t["modified"]) != strip(&r["modified"]) {
            bad += 1;
            eprintln!(
                "{scope} modified: truth {:?}\n  report {:?}",
                strip(&t["modified"]),
                strip(&r["modified"])
            );
        }
        for f in [
            "server_reqsync",
            "requestor_reqsync",
            "req_gap",
            "requestor_srvsync",
            "server_sync",
            "srv_overshoot",
        ] {
            if t["sync"][f] != r["sync"][f] {
                bad += 1;
                eprintln!(
                    "{scope} sync.{f}: truth {} report {}",
                    t["sync"][f], r["sync"][f]
                );
            }
        }
    }
    eprintln!("totals truth {} report {}", truth["totals"], rep["totals"]);
    assert_eq!(bad, 0);
}
