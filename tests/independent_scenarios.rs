//! Reconcile on restore scenarios msmail did not write: built byte by byte
//! from docs/formats.md by `tests/common` (never `msmail generate` nor the
//! library's writers), checked against their own ground truth for many
//! seeds. On every scenario:
//! - the report's evidence, status, hazards and hole (adds, deletes,
//!   modified) per postoffice are the truth's;
//! - merged.csv and merged.json = the server's view − missing deletes +
//!   missing adds, with the modifications applied (names, kinds, template
//!   values), every address type included;
//! - repair.txt, read back through msmail's import reader and applied to the
//!   server's view, gives the merged directory;
//! - `export repaired/server` = merged.csv (but for the free-form gateway
//!   entries no binary list can hold, which the report names);
//! - `diff backup repaired` = the hole; `inspect repaired/server` is clean;
//! - reconciling the repaired server with the same evidence finds no hole;
//! - every input is byte-identical after the runs.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::cli::run;
use common::fs::file_contents as hashes;
use common::scenario::{build, Scenario, E};
use msmail::model::{Directory, EntryKind, Operation};
use serde_json::Value;

/// An entry as (name, kind is group, sorted template values).
type Content = (String, bool, Vec<(String, String)>);

fn content_of_dir(d: &Directory) -> BTreeMap<String, Content> {
    d.iter()
        .map(|e| {
            let mut t: Vec<(String, String)> = e
                .template
                .iter()
                .map(|v| (v.prompt.to_string(), v.value.to_string()))
                .collect();
            t.sort();
            (
                e.key().0,
                (e.full_name.to_string(), e.kind == EntryKind::Group, t),
            )
        })
        .collect()
}

fn content_of_truth(l: &BTreeMap<String, E>) -> BTreeMap<String, Content> {
    l.iter()
        .map(|(k, e)| (k.clone(), (e.name.clone(), e.group, e.template_set())))
        .collect()
}

fn keys(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["address"].as_str().unwrap().to_uppercase())
        .collect();
    out.sort();
    out
}

fn reconcile_args(sc: &Scenario, server: &Path, extra: &[&str]) -> Vec<String> {
    let mut a = vec![
        "reconcile".to_string(),
        "--server".into(),
        server.display().to_string(),
        "--requestor".into(),
    ];
    a.extend(sc.requestors.iter().cloned());
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// Applies import operations to a truth list the way IMPORT.EXE does:
/// `A` adds or replaces (kind kept), `D` removes, `M` renames (template
/// data replaced when lines follow, else kept), `R` empties a scope.
fn apply(list: &mut BTreeMap<String, Content>, ops: &[Operation]) {
    let content = |e: &msmail::model::Entry, keep: Option<&Content>| -> Content {
        let mut t: Vec<(String, String)> = e
            .template
            .iter()
            .map(|v| (v.prompt.to_string(), v.value.to_string()))
            .collect();
        t.sort();
        let group = keep.is_some_and(|c| c.1);
        (e.full_name.to_string(), group, t)
    };
    for op in ops {
        match op {
            Operation::Add(e) => {
                let prev = list.get(&e.key().0).cloned();
                list.insert(e.key().0, content(e, prev.as_ref()));
            }
            Operation::Delete(e) => {
                list.remove(&e.key().0);
            }
            Operation::Modify { old, new } => {
                let prev = list.remove(&old.key().0);
                let mut c = content(new, prev.as_ref());
                if new.template.is_empty() {
                    c.2 = prev.map(|p| p.2).unwrap_or_default();
                }
                list.insert(new.key().0, c);
            }
            Operation::Replace(scope) => {
                let k = scope.key();
                list.retain(|key, _| {
                    !(key.starts_with(&k) && key.get(k.len()..k.len() + 1) == Some("/"))
                });
            }
            Operation::Template(_) => {}
        }
    }
}

fn check(seed: u64) {
    let sc = build(seed);
    let truth = &sc.truth;
    let before = hashes(&sc.root);
    let out = sc.root.join("out");
    let mode = if seed % 3 == 2 { "full" } else { "delta" };
    let o = run(&reconcile_args(
        &sc,
        &sc.server,
        &["--out", out.to_str().unwrap(), "--repair", mode],
    ));
    assert!(
        o.status.success(),
        "seed {seed}: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Next steps:"), "seed {seed}");
    let r: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();

    // The report, postoffice by postoffice.
    let by_scope: BTreeMap<String, &Value> = r["postoffices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["scope"].as_str().unwrap().to_uppercase(), p))
        .collect();
    assert_eq!(by_scope.len(), truth.merged.len(), "seed {seed}");
    for (scope, merged) in &truth.merged {
        let p = by_scope
            .get(scope)
            .unwrap_or_else(|| panic!("seed {seed}: {scope}"));
        let ctx = format!("seed {seed} {scope}");
        assert_eq!(p["evidence"], truth.evidence[scope], "{ctx}");
        assert_eq!(p["status"], truth.status[scope], "{ctx}");
        let (adds, dels, mods) = truth.hole(scope);
        assert_eq!(keys(&p["missing_adds"]), adds, "{ctx} adds");
        assert_eq!(keys(&p["missing_deletes"]), dels, "{ctx} deletes");
        assert_eq!(keys(&p["modified"]), mods, "{ctx} modified");
        assert_eq!(
            p["server_entries"].as_u64().unwrap() as usize,
            truth.server_view[scope].len(),
            "{ctx}"
        );
        assert_eq!(
            p["merged_entries"].as_u64().unwrap() as usize,
            merged.len(),
            "{ctx}"
        );
        let hz: Vec<&str> = p["hazards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap())
            .collect();
        assert_eq!(hz, truth.hazards[scope], "{ctx}");
        // Every source says what was taken from it.
        for d in p["source_details"].as_array().unwrap() {
            assert!(!d["taken"].as_array().unwrap().is_empty(), "{ctx}: {d}");
        }
    }
    assert_eq!(
        r["local_only"].as_u64().unwrap() as usize,
        truth.local_only.len()
    );

    // merged.csv and merged.json: the whole merged directory.
    let want = content_of_truth(&truth.merged_all());
    let csv = msmail::export::csv::read_csv(&std::fs::read(out.join("merged.csv")).unwrap(), "m")
        .unwrap();
    assert_eq!(content_of_dir(&csv), want, "seed {seed}: merged.csv");
    let json =
        msmail::export::json::read_json(&std::fs::read(out.join("merged.json")).unwrap(), "m")
            .unwrap();
    assert_eq!(content_of_dir(&json), want, "seed {seed}: merged.json");

    // repair.txt reads back and repairs the server's view.
    let text = std::fs::read(out.join("repair.txt")).unwrap();
    let text = msmail::codepage::decode_cp850(&text);
    let ops = msmail::importtext::parse_str(&text, "repair.txt", 1)
        .unwrap_or_else(|e| panic!("seed {seed}: repair.txt: {e}"));
    for op in &ops {
        if let Operation::Delete(e) = op {
            assert!(e.template.is_empty(), "seed {seed}: D with template data");
        }
    }
    let mut repaired = content_of_truth(&truth.server_all());
    apply(&mut repaired, &ops);
    // Kinds are not in import text: compare names and template data.
    let strip =
        |m: &BTreeMap<String, Content>| -> BTreeMap<String, (String, Vec<(String, String)>)> {
            m.iter()
                .map(|(k, c)| (k.clone(), (c.0.clone(), c.2.clone())))
                .collect()
        };
    assert_eq!(
        strip(&repaired),
        strip(&want),
        "seed {seed}: repair.txt ({mode})"
    );

    // The repaired tree: export = merged.csv but for what no list holds.
    let repaired_server = out.join("server");
    let csv_out = sc.root.join("repaired.csv");
    let o = run(&[
        "export".into(),
        repaired_server.display().to_string(),
        "--to".into(),
        "csv".into(),
        "-o".into(),
        csv_out.display().to_string(),
    ]);
    assert!(
        o.status.success(),
        "seed {seed}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let exported = content_of_dir(
        &msmail::export::csv::read_csv(&std::fs::read(&csv_out).unwrap(), "x").unwrap(),
    );
    let mut want_tree = want.clone();
    for a in &truth.not_in_tree {
        want_tree.remove(&a.to_uppercase());
    }
    assert_eq!(
        exported, want_tree,
        "seed {seed}: export of the repaired tree"
    );
    let mut named: Vec<String> = r["repair"]["not_in_tree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    named.sort();
    assert_eq!(named, truth.not_in_tree, "seed {seed}");

    // inspect: clean.
    let o = run(&[
        "inspect".into(),
        repaired_server.display().to_string(),
        "--json".into(),
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        o.status.success(),
        "seed {seed}: inspect of the repaired server: {}",
        serde_json::to_string_pretty(&v["findings"]).unwrap()
    );

    // diff backup repaired = the hole.
    let o = run(&[
        "diff".into(),
        sc.server.display().to_string(),
        repaired_server.display().to_string(),
        "--format".into(),
        "json".into(),
    ]);
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    let (mut only_a, mut only_b, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    for s in d["directory"]["scopes"].as_array().unwrap() {
        only_a.extend(keys(&s["only_in_a"]));
        only_b.extend(keys(&s["only_in_b"]));
        changed.extend(keys(&s["changed"]));
        for rn in s["renamed"].as_array().unwrap() {
            only_a.push(rn["from"]["address"].as_str().unwrap().to_uppercase());
            only_b.push(rn["to"]["address"].as_str().unwrap().to_uppercase());
        }
    }
    // The backup's lists against the repaired tree's: the hole, plus what
    // the backup's USR lists lacked or kept that MSTTRANS had changed.
    let backup = content_of_truth(&truth.backup_lists);
    let mut want_a: Vec<String> = backup
        .keys()
        .filter(|k| !want_tree.contains_key(*k))
        .cloned()
        .collect();
    let mut want_b: Vec<String> = want_tree
        .keys()
        .filter(|k| !backup.contains_key(*k))
        .cloned()
        .collect();
    let mut want_changed: Vec<String> = want_tree
        .iter()
        .filter(|(k, c)| backup.get(*k).is_some_and(|b| b != *c))
        .map(|(k, _)| k.clone())
        .collect();
    for v in [
        &mut only_a,
        &mut only_b,
        &mut changed,
        &mut want_a,
        &mut want_b,
        &mut want_changed,
    ] {
        v.sort();
    }
    assert_eq!(only_b, want_b, "seed {seed}: diff adds");
    assert_eq!(only_a, want_a, "seed {seed}: diff deletes");
    assert_eq!(changed, want_changed, "seed {seed}: diff changes");
    // And the hole is part of it: every hole entry whose backup list copy
    // is the server's view differs between the two.
    let view = content_of_truth(&truth.server_all());
    for scope in truth.merged.keys() {
        let (a, d, m) = truth.hole(scope);
        for k in a.iter().chain(&d).chain(&m) {
            if truth.not_in_tree.iter().any(|x| x.to_uppercase() == *k)
                || backup.get(k) != view.get(k)
            {
                continue;
            }
            assert!(
                only_a.contains(k) || only_b.contains(k) || changed.contains(k),
                "seed {seed}: hole entry {k} not in the diff"
            );
        }
    }

    // Idempotence: the repaired server with the same evidence has no hole.
    let out2 = sc.root.join("out2");
    let o = run(&reconcile_args(
        &sc,
        &repaired_server,
        &["--out", out2.to_str().unwrap(), "--fail-on-hole"],
    ));
    let r2: Value =
        serde_json::from_slice(&std::fs::read(out2.join("report.json")).unwrap_or_default())
            .unwrap_or(Value::Null);
    assert_eq!(
        o.status.code(),
        Some(0),
        "seed {seed}: second reconcile: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        serde_json::to_string_pretty(&r2["totals"]).unwrap_or_default()
    );
    assert_eq!(r2["repair"]["transactions"], 0, "seed {seed}");
    assert_eq!(
        std::fs::read(out.join("merged.csv")).unwrap(),
        std::fs::read(out2.join("merged.csv")).unwrap(),
        "seed {seed}: the repaired server gives the same merged list"
    );

    // Inputs unchanged (the outputs are the only new files).
    let mut after = hashes(&sc.root);
    after.retain(|k, _| !(k.starts_with("out/") || k.starts_with("out2/") || k == "repaired.csv"));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "seed {seed}"
    );
    assert!(before == after, "seed {seed}: an input changed");
}

#[test]
fn independent_scenarios_agree_with_their_truth() {
    let seeds: u64 = std::env::var("MSMAIL_INDEPENDENT_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    for seed in 0..seeds {
        check(seed);
    }
}

/// The server tree as built is clean for msmail's inspect too: the
/// independent reading of docs/formats.md and msmail's agree.
#[test]
fn independent_trees_inspect_clean() {
    for seed in 0..6 {
        let sc = build(seed);
        let o = run(&[
            "inspect".into(),
            sc.server.display().to_string(),
            "--json".into(),
        ]);
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(
            o.status.success(),
            "seed {seed}: {}",
            serde_json::to_string_pretty(&v["findings"]).unwrap()
        );
        for r in &sc.requestors {
            let p = Path::new(r);
            if p.join("GLB/MASTER.GLB").exists() {
                let o = run(&["inspect".into(), r.clone()]);
                assert!(
                    o.status.success(),
                    "seed {seed}: {r}: {}",
                    String::from_utf8_lossy(&o.stdout)
                );
            }
        }
    }
}

/// `MSMAIL_KEEP_SCENARIO=DIR cargo test --test independent_scenarios -- --ignored keep`
/// writes scenario `MSMAIL_SEED` (default 0) to DIR for a look by hand.
#[test]
#[ignore]
fn keep_a_scenario() {
    let Some(dir) = std::env::var_os("MSMAIL_KEEP_SCENARIO") else {
        return;
    };
    let seed = std::env::var("MSMAIL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let sc = build(seed);
    let o = Command::new("cp")
        .args(["-r", sc.root.to_str().unwrap(), dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    std::fs::write(
        Path::new(&dir).join("ARGS"),
        sc.requestors
            .join("\n")
            .replace(sc.root.to_str().unwrap(), "."),
    )
    .unwrap();
}
