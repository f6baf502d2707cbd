//! The scale benchmark's scenario and baseline (benches/scale/run.sh), small:
//! `generate --evidence import-text` gives every requestor one full export
//! text, and the straightforward Python reconcile kept beside the benchmark
//! (benches/scale/reconcile.py) finds the same hole as msmail and as the
//! generator's truth.json. The benchmark's ratio is only meaningful when both
//! do the same work and agree.

mod common;

use std::path::Path;
use std::process::Command;

use common::cli::run as msmail;
use serde_json::Value;

fn totals(v: &Value) -> (u64, u64, u64) {
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"));
    (n("missing_adds"), n("missing_deletes"), n("modified"))
}

#[test]
fn every_requestor_gives_one_export_text_and_the_python_baseline_agrees() {
    let tmp = tempfile::tempdir().unwrap();
    let world = tmp.path().join("w");
    let o = msmail(&[
        "generate",
        "--out",
        world.to_str().unwrap(),
        "--scenario",
        "restore",
        "--postoffices",
        "12",
        "--users",
        "40",
        "--evidence",
        "import-text",
        "--peer-lists",
        "server",
        "--seed",
        "3",
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Every requestor folder holds exactly its EXPORT.TXT.
    let mut exports = Vec::new();
    for dir in std::fs::read_dir(world.join("requestors")).unwrap() {
        let dir = dir.unwrap().path();
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["EXPORT.TXT"], "{}", dir.display());
        exports.push(dir.join("EXPORT.TXT").to_str().unwrap().to_string());
    }
    exports.sort();
    assert_eq!(exports.len(), 11);
    let truth: Value =
        serde_json::from_slice(&std::fs::read(world.join("truth.json")).unwrap()).unwrap();
    let postoffices = truth["postoffices"].as_array().unwrap();
    assert_eq!(postoffices.len(), 12);
    for p in postoffices
        .iter()
        .filter(|p| p["evidence_form"] != "server-tree")
    {
        assert_eq!(p["evidence_form"], "import-text", "{p}");
    }
    let expected = totals(&truth["totals"]);
    assert!(expected.0 + expected.1 + expected.2 > 0, "a hole to find");

    // msmail finds the generator's hole.
    let report = tmp.path().join("report.json");
    let mut args = vec![
        "reconcile".to_string(),
        "--server".into(),
        world.join("server").to_str().unwrap().into(),
        "--report".into(),
        report.to_str().unwrap().into(),
        "-q".into(),
    ];
    for e in &exports {
        args.push("--requestor".into());
        args.push(e.clone());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = msmail(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(totals(&got["totals"]), expected);

    // So does the Python baseline (skipped only where there is no python3;
    // CI installs it).
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scale/reconcile.py");
    let python = Command::new("python3")
        .arg(&script)
        .arg(world.join("server"))
        .args(&exports)
        .output();
    match python {
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("python3 not run ({e}): the baseline check is skipped");
        }
        Err(e) => panic!("python3: {e}"),
        Ok(o) => {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let (a, d, m) = expected;
            assert_eq!(
                String::from_utf8_lossy(&o.stdout).trim(),
                format!("missing_adds {a} missing_deletes {d} modified {m}")
            );
        }
    }
}
