//! `msmail reconcile` end to end: the binary against generated restore
//! scenarios and their truth.json, the repaired server read back, idempotence,
//! determinism, untouched inputs, refusals.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::cli::{requestor_args, restore_fixture as fixture, run};
use common::fs::file_contents;
use msmail::dirsync::{read_stream, SrvConf};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn reconcile_args(dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut a = vec![
        "reconcile".to_string(),
        "--server".into(),
        dir.join("server").display().to_string(),
        "--requestor".into(),
    ];
    a.extend(requestor_args(dir));
    a.extend(extra.iter().map(|x| x.to_string()));
    a
}

fn tree_hashes(root: &Path) -> BTreeMap<String, String> {
    file_contents(root)
        .into_iter()
        .map(|(rel, bytes)| (rel, format!("{:x}", Sha256::digest(bytes))))
        .collect()
}

fn generate(seed: u64, postoffices: u32, users: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "generate",
        "--out",
        s(dir.path()),
        "--scenario",
        "restore",
        "--postoffices",
        &postoffices.to_string(),
        "--users",
        &users.to_string(),
        "--seed",
        &seed.to_string(),
        "--force",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn entry_set(v: &Value, fields: &[&str]) -> BTreeSet<Vec<String>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| fields.iter().map(|f| e[*f].to_string()).collect())
        .collect()
}

/// Compares a report with truth.json, postoffice by postoffice; returns the
/// mismatches in words.
fn compare_with_truth(report: &Value, truth: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    let by_scope: BTreeMap<String, &Value> = report["postoffices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["scope"].as_str().unwrap().to_string(), p))
        .collect();
    let truth_pos = truth["postoffices"].as_array().unwrap();
    assert!(!truth_pos.is_empty());
    for t in truth_pos {
        let scope = t["scope"].as_str().unwrap();
        let Some(r) = by_scope.get(scope) else {
            bad.push(format!("{scope}: missing from the report"));
            continue;
        };
        for f in [
            "evidence",
            "authoritative",
            "server_entries",
            "merged_entries",
        ] {
            if t[f] != r[f] {
                bad.push(format!("{scope}: {f} truth {} report {}", t[f], r[f]));
            }
        }
        for (f, cols) in [
            ("missing_adds", &["address", "full_name"][..]),
            ("missing_deletes", &["address", "full_name"][..]),
            (
                "modified",
                &["address", "server_full_name", "full_name"][..],
            ),
        ] {
            let (a, b) = (entry_set(&t[f], cols), entry_set(&r[f], cols));
            if a != b {
                bad.push(format!("{scope}: {f} truth {a:?} report {b:?}"));
            }
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
                bad.push(format!(
                    "{scope}: sync.{f} truth {} report {}",
                    t["sync"][f], r["sync"][f]
                ));
            }
        }
        if t["hazards"] != r["hazards"] {
            bad.push(format!(
                "{scope}: hazards truth {} report {}",
                t["hazards"], r["hazards"]
            ));
        }
    }
    if by_scope.len() != truth_pos.len() {
        bad.push(format!(
            "report has {} postoffices, truth {}",
            by_scope.len(),
            truth_pos.len()
        ));
    }
    for f in ["missing_adds", "missing_deletes", "modified"] {
        if truth["totals"][f] != report["totals"][f] {
            bad.push(format!(
                "totals.{f} truth {} report {}",
                truth["totals"][f], report["totals"][f]
            ));
        }
    }
    bad
}

/// The committed fixture and four generated scenarios (every evidence form:
/// import text, extract, REQTRANS export, message, tree, numbers, GLB folder,
/// none): the JSON report agrees with truth.json entry by entry and number by
/// number.
#[test]
fn report_matches_truth_for_generated_scenarios() {
    let mut dirs: Vec<(String, PathBuf, Option<tempfile::TempDir>)> =
        vec![("fixture".into(), fixture(), None)];
    for (seed, pos, users) in [(1u64, 9, 14), (2, 9, 14), (3, 12, 10), (4, 16, 8)] {
        let d = generate(seed, pos, users);
        dirs.push((format!("seed {seed}"), d.path().to_path_buf(), Some(d)));
    }
    for (name, dir, _keep) in &dirs {
        let out = tempfile::tempdir().unwrap();
        let report = out.path().join("report.json");
        let args = reconcile_args(dir, &["--report", s(&report), "--json"]);
        let o = run(&args);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let r = json(&report);
        let stdout: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(stdout, r, "--json prints the report");
        let truth = json(&dir.join("truth.json"));
        let bad = compare_with_truth(&r, &truth);
        assert!(
            bad.is_empty(),
            "{name}: {} mismatches:\n{}",
            bad.len(),
            bad.join("\n")
        );
        // Without --out nothing but the report is written.
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
        assert!(r["written"].as_array().unwrap().is_empty());
    }
}

/// --out: the repaired server reads back (MSTTRANS = snapshot records,
/// placeholders, repair records, in order, CRCs ok; SRVCONF Sync = last
/// MSTTRANS sync), the `written` hashes are right, the inputs are untouched,
/// and reconciling the repaired server with the same evidence finds no hole.
#[test]
fn repaired_server_reads_back_and_has_no_hole() {
    let dir = fixture();
    let before = tree_hashes(&dir);
    let out = tempfile::tempdir().unwrap();
    let o = run(&reconcile_args(
        &dir,
        &["--out", s(out.path()), "--fail-on-hole"],
    ));
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(before, tree_hashes(&dir), "inputs unchanged");
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.contains("PCM:AMERICAS/GENEVE   export   authoritative"));

    let r = json(&out.path().join("report.json"));
    // Every file in `written` exists with that hash; every file but
    // report.json is listed.
    let written: BTreeMap<String, String> = r["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["path"].as_str().unwrap().to_string(),
                w["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut on_disk = tree_hashes(out.path());
    on_disk.remove("report.json");
    assert_eq!(written, on_disk);
    for f in [
        "RESYNC.GLB",
        "repair.txt",
        "merged.csv",
        "merged.json",
        "merged.ldif",
        "hole.ldif",
        "report.txt",
    ] {
        assert!(written.contains_key(f), "{f}");
    }
    // The three migration copies of the merged list hold the same directory.
    let from_csv = msmail::export::csv::read_csv(
        &std::fs::read(out.path().join("merged.csv")).unwrap(),
        "merged.csv",
    )
    .unwrap();
    let from_json = msmail::export::json::read_json(
        &std::fs::read(out.path().join("merged.json")).unwrap(),
        "merged.json",
    )
    .unwrap();
    assert_eq!(from_csv.len(), from_json.len());
    for (k, e) in from_csv.iter_keyed() {
        assert!(from_json.get(k).is_some_and(|j| j.same_content(e)), "{k}");
    }
    // Same file names as the input tree; untouched files identical.
    let input_server = tree_hashes(&dir.join("server"));
    let out_server = tree_hashes(&out.path().join("server"));
    assert_eq!(
        input_server.keys().collect::<Vec<_>>(),
        out_server.keys().collect::<Vec<_>>()
    );
    let changed: Vec<&String> = input_server
        .iter()
        .filter(|(k, v)| out_server.get(*k) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert!(changed.iter().any(|k| k.ends_with("MSTTRANS.GLB")));
    assert!(changed.iter().any(|k| k.ends_with("SRVCONF.GLB")));
    assert!(changed.iter().any(|k| k.starts_with("USR/")));
    assert!(
        changed.iter().all(|k| k.starts_with("USR/")
            || k.starts_with("INF/")
            || k.starts_with("TPL/")
            || k.starts_with("GLB/MSTTRANS")
            || k.starts_with("GLB/SRVCONF")
            || k.as_str() == "NME/GAL.NME"
            || k.as_str() == "GLB/GALINDEX.GLB"
            || k.as_str() == "GLB/GALNETPO.GLB"),
        "{changed:?}"
    );

    // MSTTRANS: old records unchanged, then placeholders, then the repair.
    let old = read_stream(
        &std::fs::read(dir.join("server/GLB/MSTTRANS.GLB")).unwrap(),
        "old",
        false,
    )
    .unwrap();
    let new = read_stream(
        &std::fs::read(out.path().join("server/GLB/MSTTRANS.GLB")).unwrap(),
        "new",
        false,
    )
    .unwrap();
    assert!(new.bad_crcs().next().is_none());
    assert_eq!(&new.records[..old.records.len()], &old.records[..]);
    let rep = &r["repair"];
    let (first, last) = (
        rep["placeholders"]["first"].as_u64().unwrap() as u32,
        rep["placeholders"]["last"].as_u64().unwrap() as u32,
    );
    assert_eq!(first, r["server"]["sync"].as_u64().unwrap() as u32 + 1);
    let added = &new.records[old.records.len()..];
    let n_ph = (last - first + 1) as usize;
    assert!(added[..n_ph].iter().all(|x| x.is_placeholder()));
    let syncs: Vec<u32> = added.iter().map(|x| x.sync).collect();
    let expect: Vec<u32> = (first..first + added.len() as u32).collect();
    assert_eq!(syncs, expect, "consecutive numbers from Sync(B)+1");
    assert!(added[n_ph..]
        .iter()
        .all(|x| !x.is_placeholder() && x.stamp == rep["stamp"].as_u64().unwrap() as u32));
    assert_eq!(
        added.len() - n_ph,
        rep["transactions"].as_u64().unwrap() as usize
    );
    // Origins: the postoffice each transaction repairs.
    assert!(added[n_ph..]
        .iter()
        .all(|x| x.to_operations("t").unwrap().iter().all(|op| {
            let body = format!("{op:?}");
            body.contains(&*x.origin.text())
        })));
    let conf = SrvConf::read(
        &std::fs::read(out.path().join("server/GLB/SRVCONF.GLB")).unwrap(),
        "SRVCONF",
    )
    .unwrap();
    assert_eq!(conf.sync, syncs.last().copied().unwrap());
    assert_eq!(u64::from(conf.sync), rep["new_sync"].as_u64().unwrap());

    // RESYNC.GLB: the H record then the whole merged directory.
    let resync = read_stream(
        &std::fs::read(out.path().join("RESYNC.GLB")).unwrap(),
        "R",
        false,
    )
    .unwrap();
    let h = resync.records[0].resync_header().unwrap();
    assert_eq!(
        u64::from(h.reqseq),
        rep["resync"]["reqseq"].as_u64().unwrap()
    );
    let adds = resync.records.iter().filter(|x| x.op == b'A').count();
    // Entries Dir-Sync does not carry (the server's ADMIN, excluded) stay out.
    assert_eq!(
        adds as u64,
        r["totals"]["merged_entries"].as_u64().unwrap() - r["local_only"].as_u64().unwrap()
    );
    assert_eq!(r["local_only"], 1);

    // The USR lists themselves hold the merged lists (not only MSTTRANS).
    let po =
        msmail::tree::PostOffice::open(&out.path().join("server"), &Default::default()).unwrap();
    let mut checked = 0;
    for p in r["postoffices"].as_array().unwrap() {
        if p["status"] != "authoritative" {
            continue;
        }
        let scope = p["scope"].as_str().unwrap();
        let (net, name) = scope.trim_start_matches("PCM:").split_once('/').unwrap();
        let list = po.usr_list(net, name).unwrap();
        // merged_entries also counts the gateway node entries it hosts
        // (their own USR lists).
        let hosted = p["merged_entries"].as_u64().unwrap() - list.len() as u64;
        assert!(hosted == 0 || hosted == 3, "{scope}: {hosted}");
        for e in p["missing_adds"].as_array().unwrap() {
            let a = msmail::Address::parse(e["address"].as_str().unwrap()).unwrap();
            let got = list.get(&a.key()).expect("added");
            assert_eq!(got.full_name, e["full_name"].as_str().unwrap());
        }
        for e in p["missing_deletes"].as_array().unwrap() {
            let a = msmail::Address::parse(e["address"].as_str().unwrap()).unwrap();
            assert!(list.get(&a.key()).is_none());
        }
        for e in p["modified"].as_array().unwrap() {
            let a = msmail::Address::parse(e["address"].as_str().unwrap()).unwrap();
            assert_eq!(
                list.get(&a.key()).unwrap().full_name,
                e["full_name"].as_str().unwrap()
            );
        }
        checked += 1;
    }
    assert!(checked >= 4);

    // Idempotence: the repaired server with the same evidence has no hole and
    // no hazard, and plans nothing.
    let dir2 = tempfile::tempdir().unwrap();
    let mut args = vec![
        "reconcile".to_string(),
        "--server".into(),
        out.path().join("server").display().to_string(),
        "--requestor".into(),
    ];
    args.extend(requestor_args(&dir));
    args.extend([
        "--out".into(),
        dir2.path().display().to_string(),
        "--fail-on-hole".into(),
    ]);
    let o2 = run(&args);
    assert_eq!(
        o2.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o2.stdout)
    );
    let r2 = json(&dir2.path().join("report.json"));
    assert_eq!(r2["totals"]["with_hole"], 0);
    assert_eq!(r2["totals"]["hazards"], 0);
    assert_eq!(r2["repair"]["transactions"], 0);
    assert!(r2["repair"]["placeholders"].is_null());
    assert_eq!(
        r2["totals"]["merged_entries"],
        r["totals"]["merged_entries"]
    );
    // The merged list is the same from the repaired server.
    assert_eq!(
        std::fs::read(out.path().join("merged.csv")).unwrap(),
        std::fs::read(dir2.path().join("merged.csv")).unwrap()
    );
}

/// `--repair full` and `delta` give the same merged list, and the full repair
/// leaves no hole either.
#[test]
fn full_and_delta_agree() {
    let dir = generate(5, 9, 12);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let oa = run(&reconcile_args(dir.path(), &["--out", s(a.path())]));
    let ob = run(&reconcile_args(
        dir.path(),
        &["--out", s(b.path()), "--repair", "full"],
    ));
    assert!(oa.status.success() && ob.status.success());
    let csv = |d: &Path| std::fs::read(d.join("merged.csv")).unwrap();
    assert_eq!(csv(a.path()), csv(b.path()));
    let rb = json(&b.path().join("report.json"));
    let ra = json(&a.path().join("report.json"));
    assert_eq!(rb["repair"]["mode"], "full");
    assert!(rb["repair"]["transactions"].as_u64() > ra["repair"]["transactions"].as_u64());
    let repair =
        String::from_utf8_lossy(&std::fs::read(b.path().join("repair.txt")).unwrap()).into_owned();
    assert!(
        repair.starts_with("R PCM:"),
        "{}",
        &repair[..40.min(repair.len())]
    );
    assert!(repair.contains("\r\n"));
    // Re-reconcile the full repair: no hole.
    let c = tempfile::tempdir().unwrap();
    let mut args = vec![
        "reconcile".to_string(),
        "--server".into(),
        b.path().join("server").display().to_string(),
        "--requestor".into(),
    ];
    args.extend(requestor_args(dir.path()));
    args.extend([
        "--out".into(),
        c.path().display().to_string(),
        "--fail-on-hole".into(),
    ]);
    let oc = run(&args);
    assert_eq!(
        oc.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&oc.stdout)
    );
    assert_eq!(csv(a.path()), csv(c.path()));
}

/// Two runs give byte-identical outputs; a non-empty --out is refused
/// without --force (exit 4) and nothing in it is touched.
#[test]
fn deterministic_and_refuses_non_empty_out() {
    let dir = fixture();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert!(run(&reconcile_args(&dir, &["--out", s(a.path())]))
        .status
        .success());
    assert!(run(&reconcile_args(&dir, &["--out", s(b.path())]))
        .status
        .success());
    let (ha, hb) = (tree_hashes(a.path()), tree_hashes(b.path()));
    assert!(ha.len() > 40, "{}", ha.len());
    assert_eq!(ha, hb);
    // Again into a: refused, unchanged.
    let o = run(&reconcile_args(&dir, &["--out", s(a.path())]));
    assert_eq!(o.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(tree_hashes(a.path()), ha);
    let o = run(&reconcile_args(&dir, &["--out", s(a.path()), "--force"]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(tree_hashes(a.path()), ha);
}

fn export_of_geneve() -> Vec<u8> {
    std::fs::read(fixture().join("requestors/AMERICAS-GENEVE/EXPORT.TXT")).unwrap()
}

/// Two disagreeing exports for one postoffice: an input error naming both;
/// `--prefer newest` takes the later one.
#[test]
fn disagreeing_exports_need_prefer_newest() {
    let dir = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let other = tmp.path().join("GENEVE2.TXT");
    let mut bytes = export_of_geneve();
    bytes.extend_from_slice(b"A Extra Person                    PCM:AMERICAS/GENEVE/EXTRA\r\n");
    std::fs::write(&other, &bytes).unwrap();
    let first = dir.join("requestors/AMERICAS-GENEVE/EXPORT.TXT");
    let server = dir.join("server");
    let base = [
        "reconcile",
        "--server",
        s(&server),
        "--requestor",
        s(&first),
        s(&other),
    ];
    let o = run(&base);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("EXPORT.TXT") && err.contains("GENEVE2.TXT"),
        "{err}"
    );
    assert!(err.contains("PCM:AMERICAS/GENEVE/EXTRA"), "{err}");
    let mut args = base.to_vec();
    args.extend(["--prefer", "newest", "--json"]);
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let g = r["postoffices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["scope"] == "PCM:AMERICAS/GENEVE")
        .unwrap();
    assert!(g["used_source"].as_str().unwrap().ends_with("GENEVE2.TXT"));
    assert!(g["missing_adds"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["address"] == "PCM:AMERICAS/GENEVE/EXTRA"));
}

/// A full name over 30 characters in the evidence: --out refuses (exit 4,
/// the entry named) and writes nothing; --truncate-names writes 30 characters
/// to the MS Mail files, lists the change, and CSV keeps the full name.
#[test]
fn long_names_refused_unless_truncated() {
    let dir = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let ev = tmp.path().join("GENEVE.TXT");
    let long = "Abcdefghij Klmnopqrst Uvwxyzabcdefgh"; // 36 characters
    let mut bytes = export_of_geneve();
    bytes.extend_from_slice(format!("A {long} PCM:AMERICAS/GENEVE/LONGNAME\r\n").as_bytes());
    std::fs::write(&ev, &bytes).unwrap();
    let out = tmp.path().join("out");
    let base = vec![
        "reconcile".to_string(),
        "--server".into(),
        dir.join("server").display().to_string(),
        "--requestor".into(),
        ev.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    let o = run(&base);
    assert_eq!(o.status.code(), Some(4));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("PCM:AMERICAS/GENEVE/LONGNAME") && err.contains("--truncate-names"),
        "{err}"
    );
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().count() == 0);
    let mut args = base.clone();
    args.push("--truncate-names".into());
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = json(&out.join("report.json"));
    let ch = r["repair"]["limit_changes"].as_array().unwrap();
    assert_eq!(ch.len(), 1);
    assert_eq!(ch[0]["to"].as_str().unwrap().chars().count(), 30);
    let csv = std::fs::read_to_string(out.join("merged.csv")).unwrap();
    assert!(csv.contains(long));
    let mst = std::fs::read(out.join("server/GLB/MSTTRANS.GLB")).unwrap();
    let short = &long[..30];
    assert!(mst.windows(short.len()).any(|w| w == short.as_bytes()));
    assert!(!mst.windows(long.len()).any(|w| w == long.as_bytes()));
}

/// `--stamp` sets the stamp of every new record; a stamp older than "keep
/// updates" days before the newest evidence time is warned about.
#[test]
fn stamp_option_and_purge_warning() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let o = run(&reconcile_args(
        &dir,
        &["--out", s(out.path()), "--stamp", "1000"],
    ));
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("keep updates"), "{err}");
    let r = json(&out.path().join("report.json"));
    assert_eq!(r["repair"]["stamp"], 1000);
    assert_eq!(r["repair"]["stamp_source"], "option");
    assert_eq!(r["repair"]["stamp_warnings"].as_array().unwrap().len(), 1);
    let old = read_stream(
        &std::fs::read(dir.join("server/GLB/MSTTRANS.GLB")).unwrap(),
        "o",
        false,
    )
    .unwrap();
    let new = read_stream(
        &std::fs::read(out.path().join("server/GLB/MSTTRANS.GLB")).unwrap(),
        "n",
        false,
    )
    .unwrap();
    assert!(new.records[old.records.len()..]
        .iter()
        .all(|x| x.stamp == 1000));
    let resync = read_stream(
        &std::fs::read(out.path().join("RESYNC.GLB")).unwrap(),
        "r",
        false,
    )
    .unwrap();
    assert!(resync.records.iter().all(|x| x.stamp == 1000));
    let nums: Vec<u32> = resync.records.iter().map(|x| x.sync).collect();
    assert_eq!(nums, (0..resync.records.len() as u32).collect::<Vec<_>>());
    // Default: the latest time in the inputs, no warning (evidence has times).
    let out2 = tempfile::tempdir().unwrap();
    let o = run(&reconcile_args(&dir, &["--out", s(out2.path())]));
    assert!(o.status.success());
    let r2 = json(&out2.path().join("report.json"));
    assert_eq!(r2["repair"]["stamp_source"], "inputs");
    let max_old = old.records.iter().map(|x| x.stamp).max().unwrap();
    assert!(r2["repair"]["stamp"].as_u64().unwrap() >= u64::from(max_old));
    assert!(r2["repair"]["stamp_warnings"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// `msmail dump --check` accepts the repaired MSTTRANS.GLB and RESYNC.GLB,
/// and `msmail inspect` the repaired tree.
#[test]
fn dump_check_accepts_written_transaction_files() {
    let out = tempfile::tempdir().unwrap();
    assert!(run(&reconcile_args(&fixture(), &["--out", s(out.path())]))
        .status
        .success());
    for f in ["server/GLB/MSTTRANS.GLB", "RESYNC.GLB"] {
        let o = run(&["dump", s(&out.path().join(f)), "--check"]);
        assert!(
            o.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("all CRCs good"),
            "{f}"
        );
    }
    // msmail inspect finds the repaired tree consistent (sync numbers,
    // record sizes, CRCs, pointers).
    let o = run(&["inspect", s(&out.path().join("server"))]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}");
    assert!(stdout.contains(" 0 errors, 0 warnings"), "{stdout}");
}

/// A character outside CP850 in UTF-8 evidence: --out refuses (exit 4)
/// unless --replace-unencodable; then MS Mail files get `?`, CSV the original.
#[test]
fn unencodable_characters_refused_unless_replaced() {
    let dir = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let ev = tmp.path().join("GENEVE.TXT");
    let text = String::from_utf8(
        msmail::codepage::decode_cp850(&export_of_geneve())
            .as_bytes()
            .to_vec(),
    )
    .unwrap();
    let text = format!("{text}A Łukasz Żółw                      PCM:AMERICAS/GENEVE/LUKASZ\r\n");
    std::fs::write(&ev, text.as_bytes()).unwrap();
    let out = tmp.path().join("out");
    let base = vec![
        "reconcile".to_string(),
        "--server".into(),
        dir.join("server").display().to_string(),
        "--requestor".into(),
        ev.display().to_string(),
        "--encoding".into(),
        "utf-8".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    let o = run(&base);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("PCM:AMERICAS/GENEVE/LUKASZ"));
    let mut args = base.clone();
    args.push("--replace-unencodable".into());
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("merged.csv")).unwrap();
    assert!(csv.contains("Łukasz Żółw"));
    let repair = std::fs::read(out.join("repair.txt")).unwrap();
    assert!(
        repair.windows(11).any(|w| w == b"?ukasz ?\xa2?w"),
        "{:?}",
        String::from_utf8_lossy(&repair)
    );
    let r = json(&out.join("report.json"));
    assert_eq!(r["repair"]["limit_changes"][0]["to"], "?ukasz ?ó?w");
}

/// Mailboxes over 10 characters: --truncate-names cuts them to 10, unless two
/// would become one address — then it refuses (exit 4), naming both.
#[test]
fn truncated_mailboxes_must_not_collide() {
    let dir = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let run_with = |extra: &str| {
        let ev = tmp.path().join("GENEVE.TXT");
        let mut bytes = export_of_geneve();
        bytes.extend_from_slice(extra.as_bytes());
        std::fs::write(&ev, &bytes).unwrap();
        let out = tmp.path().join("out");
        let _ = std::fs::remove_dir_all(&out);
        let o = run(&[
            "reconcile",
            "--server",
            s(&dir.join("server")),
            "--requestor",
            s(&ev),
            "--out",
            s(&out),
            "--truncate-names",
        ]);
        (o, out)
    };
    let (o, out) =
        run_with("A Long Box                          PCM:AMERICAS/GENEVE/LONGMAILBOX1\r\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = json(&out.join("report.json"));
    let ch = &r["repair"]["limit_changes"][0];
    assert_eq!(ch["field"], "mailbox");
    assert_eq!(ch["to"], "LONGMAILBO");
    let (o, _) = run_with(
        "A Long Box                          PCM:AMERICAS/GENEVE/LONGMAILBOX1\r\n\
         A Long Box Two                      PCM:AMERICAS/GENEVE/LONGMAILBOX2\r\n",
    );
    assert_eq!(o.status.code(), Some(4));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("LONGMAILBOX1") && err.contains("LONGMAILBOX2") && err.contains("collide"),
        "{err}"
    );
}

/// An --out inside the server tree is refused even with --force, and the
/// tree is untouched; an existing --report file needs --force.
#[test]
fn out_inside_an_input_and_existing_report_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    // A private copy of the server, so a failure cannot harm the fixture.
    let server = tmp.path().join("server");
    for (rel, _) in tree_hashes(&fixture().join("server")) {
        let dst = server.join(&rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(fixture().join("server").join(&rel), dst).unwrap();
    }
    let before = tree_hashes(&server);
    let ev = fixture().join("requestors/AMERICAS-GENEVE/EXPORT.TXT");
    let inside = server.join("repair");
    let o = run(&[
        "reconcile",
        "--server",
        s(&server),
        "--requestor",
        s(&ev),
        "--out",
        s(&inside),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&o.stderr).contains("lies inside the input"));
    assert_eq!(tree_hashes(&server), before);
    let report = tmp.path().join("r.json");
    std::fs::write(&report, b"keep").unwrap();
    let args = [
        "reconcile",
        "--server",
        s(&server),
        "--requestor",
        s(&ev),
        "--report",
        s(&report),
    ];
    assert_eq!(run(&args).status.code(), Some(4));
    assert_eq!(std::fs::read(&report).unwrap(), b"keep");
    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(run(&forced).status.success());
    assert_eq!(json(&report)["totals"]["postoffices"], 9);
}

/// A server whose MSTTRANS.GLB is gone (purged, lost): the repaired copy gets
/// one beside SRVCONF.GLB with the placeholders and the repair.
#[test]
fn server_without_msttrans_gets_one() {
    let tmp = tempfile::tempdir().unwrap();
    let server = tmp.path().join("server");
    for (rel, _) in tree_hashes(&fixture().join("server")) {
        if rel.ends_with("MSTTRANS.GLB") {
            continue;
        }
        let dst = server.join(&rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(fixture().join("server").join(&rel), dst).unwrap();
    }
    let out = tmp.path().join("out");
    let ev = fixture().join("requestors/EUROPE-MADRID/EXPORT.MSG");
    let o = run(&[
        "reconcile",
        "--server",
        s(&server),
        "--requestor",
        s(&ev),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = json(&out.join("report.json"));
    let m = read_stream(
        &std::fs::read(out.join("server/GLB/MSTTRANS.GLB")).unwrap(),
        "m",
        false,
    )
    .unwrap();
    let ph = &r["repair"]["placeholders"];
    let n_ph = ph["last"].as_u64().unwrap() - ph["first"].as_u64().unwrap() + 1;
    assert_eq!(
        m.records.len() as u64,
        n_ph + r["repair"]["transactions"].as_u64().unwrap()
    );
    assert!(m.records.first().unwrap().is_placeholder());
    assert_eq!(
        u64::from(m.records.last().unwrap().sync),
        r["repair"]["new_sync"].as_u64().unwrap()
    );
}
