//! `reconcile --outputs` writes only the outputs asked for (report.txt and
//! report.json always), `--schema ad` makes merged.ldif Active Directory's
//! (no hole.ldif), and groups keep their members in merged.*.

mod common;

use std::path::Path;

use common::cli::{readme_reconcile_args, restore_fixture as fixture, run};

/// The README's reconcile of the restore fixture, plus `extra`.
fn reconcile(extra: &[&str]) -> Vec<String> {
    readme_reconcile_args(&fixture(), extra)
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn only_the_outputs_asked_for_are_written() {
    let o = tempfile::tempdir().unwrap();
    let out = o.path().join("out");
    let r = run(&reconcile(&[
        "--out-dir",
        out.to_str().unwrap(),
        "--outputs",
        "csv,json",
    ]));
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(
        listing(&out),
        vec!["merged.csv", "merged.json", "report.json", "report.txt"]
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let written: Vec<&str> = report["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["path"].as_str().unwrap())
        .collect();
    assert_eq!(written, vec!["merged.csv", "merged.json", "report.txt"]);
    // Groups keep their members in merged.json.
    let merged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("merged.json")).unwrap()).unwrap();
    let with_members = merged["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "group" && !e["members"].as_array().unwrap().is_empty())
        .count();
    assert!(with_members > 0, "no group with members in merged.json");
    let text = std::fs::read_to_string(out.join("report.txt")).unwrap();
    assert!(!text.is_empty());
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(
        stdout.contains("The repaired server tree was not asked for") || stdout.is_empty(),
        "{stdout}"
    );
}

#[test]
fn schema_ad_makes_merged_ldif_active_directorys() {
    let o = tempfile::tempdir().unwrap();
    let out = o.path().join("out");
    let r = run(&reconcile(&[
        "--out-dir",
        out.to_str().unwrap(),
        "--outputs",
        "ldif",
        "--schema",
        "ad",
        "--base-dn",
        "DC=msmail,DC=test",
    ]));
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(
        listing(&out),
        vec!["merged.ldif", "report.json", "report.txt"]
    );
    let ldif = std::fs::read_to_string(out.join("merged.ldif")).unwrap();
    assert!(ldif.contains("objectClass: contact\n"));
    assert!(ldif.contains("objectClass: group\n"));
    assert!(ldif.contains("\nmember: CN=") || ldif.contains("\nmember:: "));
    assert!(!ldif.starts_with("version:"));
    let text = std::fs::read_to_string(out.join("report.txt")).unwrap();
    assert!(text.contains("hole.ldif is not written"), "{text}");
}

#[test]
fn bad_choices_are_usage_errors() {
    let o = tempfile::tempdir().unwrap();
    let out = o.path().join("out");
    let out = out.to_str().unwrap();
    for extra in [
        vec!["--out-dir", out, "--outputs", "csv,pdf"],
        vec!["--out-dir", out, "--schema", "ad"],
        vec!["--outputs", "csv"],
    ] {
        let r = run(&reconcile(&extra));
        assert_eq!(
            r.status.code(),
            Some(2),
            "{extra:?}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
    }
    assert!(!Path::new(out).exists());
}
