//! Cross-check: `reconcile` (library) against the generator's truth.json.

use msmail::reconcile::inputs::{load_evidence, load_server, RequestorSource};
use msmail::reconcile::*;
use msmail::source::LoadOptions;
use serde_json::Value;
use std::path::Path;

/// The reconcile engine, fed the restore fixture through the file adapters
/// (`reconcile::inputs`: every evidence recognised by content, nothing bound
/// by hand), reports what truth.json says — field by field, entry by entry.
#[test]
fn reconcile_engine_agrees_with_truth() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/restore");
    let truth: Value =
        serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    let options = LoadOptions::default();
    let server = load_server(&dir.join("server"), &options, false).unwrap();
    let mut ev = Vec::new();
    for p in truth["postoffices"].as_array().unwrap() {
        let Some(path) = p["evidence_path"].as_str() else {
            continue;
        };
        if p["evidence_form"] == "server-tree" {
            continue;
        }
        let path = dir.join(path);
        // An IMPORT -X extract holds several postoffices' lists and no `R`:
        // its content cannot say whose it is, so it is bound as a user would.
        let arg = if p["evidence_form"] == "extract" {
            let scope = p["scope"].as_str().unwrap().trim_start_matches("PCM:");
            format!("{scope}={}", path.display())
        } else {
            path.display().to_string()
        };
        let src = RequestorSource::parse(&arg).unwrap();
        ev.push(load_evidence(&src, &options).unwrap_or_else(|e| panic!("{e}")));
    }
    let snap = server.snapshot;
    let rec = reconcile(snap.clone(), ev, &ReconcileOptions::default()).unwrap();
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
