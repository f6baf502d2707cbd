//! Determinism over every command: each run is made twice, each time in its
//! own fresh temporary folder (the working directory; outputs are named
//! relative to it, inputs by absolute path), and everything it produced —
//! exit code, stdout, stderr, every file written, recursively — must be
//! byte-identical.
//!
//! Output paths: `reconcile` prints the next steps naming the folder it wrote
//! (`Copy out/server/ over ...`). That is legitimate (the user needs to know
//! where the files are); the runs name it the same relative way, so the bytes
//! match. No file that any command writes contains its own output path.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::fs::file_contents;

/// Everything one run produced.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// Every file under the working directory, by relative path.
    files: BTreeMap<String, Vec<u8>>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn fixture(rel: &str) -> String {
    root().join("fixtures").join(rel).display().to_string()
}

fn run_in(dir: &Path, args: &[String]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_msmail"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let files = file_contents(dir);
    Run {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: out.stderr,
        files,
    }
}

/// Runs `args` twice in two fresh folders and asserts both runs are
/// byte-identical; `compare_stderr` is false only for `batch`, whose progress
/// lines come in completion order (its outputs and summary.json are compared).
/// Returns the first run.
fn twice_with(args: &[String], compare_stderr: bool) -> Run {
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a = run_in(d1.path(), args);
    let mut b = run_in(d2.path(), args);
    assert!(
        a.code == Some(0) || a.code == Some(1),
        "{args:?}: {:?}\n{}",
        a.code,
        String::from_utf8_lossy(&a.stderr)
    );
    assert_eq!(a.code, b.code, "{args:?}: exit codes");
    assert!(a.stdout == b.stdout, "{args:?}: stdout differs");
    if compare_stderr {
        assert!(a.stderr == b.stderr, "{args:?}: stderr differs");
    } else {
        a.stderr.clear();
        b.stderr.clear();
    }
    let names_a: Vec<&String> = a.files.keys().collect();
    let names_b: Vec<&String> = b.files.keys().collect();
    assert_eq!(names_a, names_b, "{args:?}: not the same files written");
    for (name, bytes) in &a.files {
        assert!(
            Some(bytes) == b.files.get(name),
            "{args:?}: {name} differs between two runs"
        );
    }
    a
}

fn twice(args: &[&str]) -> Run {
    twice_with(
        &args.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        true,
    )
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn export_in_every_format_is_deterministic() {
    let tree = fixture("restore/server");
    let text = fixture("import/kb-shapes.txt");
    let formats: &[&[&str]] = &[
        &["--format", "csv"],
        &["--format", "csv", "--csv-profile", "exchange"],
        &[
            "--format",
            "csv",
            "--csv-profile",
            "ad",
            "--base-dn",
            "DC=corp,DC=com",
        ],
        &["--format", "ldif"],
        &[
            "--format",
            "ldif",
            "--schema",
            "ad",
            "--base-dn",
            "DC=corp,DC=com",
        ],
        &["--format", "json"],
        &["--format", "json", "--ndjson"],
        &["--format", "import"],
        &["--format", "gimport"],
    ];
    for f in formats {
        for src in [&tree, &text] {
            let mut args = vec!["export", src.as_str()];
            args.extend_from_slice(f);
            let r = twice(&args);
            assert!(!r.stdout.is_empty(), "{args:?}");
            // And to a file, -o.
            args.extend_from_slice(&["-o", "out"]);
            let r = twice(&args);
            assert!(r.files.contains_key("out"), "{args:?}");
        }
    }
    for list in ["pol", "gal", "groups", "pals", "usr:AMERICAS/SEVILLA"] {
        twice(&["export", &tree, "--list", list, "--format", "csv"]);
    }
    // Several sources merged.
    twice(&[
        "export",
        &tree,
        &fixture("restore/requestors/AMERICAS-GENEVE/EXPORT.TXT"),
        &fixture("restore/requestors/EUROPE-MADRID/EXPORT.MSG"),
        "--format",
        "json",
    ]);
}

#[test]
fn dump_in_every_view_is_deterministic() {
    let mut files: Vec<String> = [
        "dirsync/MSTTRANS.GLB",
        "dirsync/REQTRANS.GLB",
        "dirsync/RESYNC.GLB",
        "dirsync/REQCONF.GLB",
        "dirsync/SRVCONF.GLB",
        "dirsync/PROCESS.GLB",
        "text/dirsync.log",
        "text/dispatch.log",
        "text/mytimes.txt",
        "text/export_q106623.msg",
        "import/kb-shapes.txt",
        "restore/server/GLB/MSTTRANS.GLB",
        "restore/server/GLB/SRVCONF.GLB",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    // Every table a tree holds (GLB, NME, USR, ...).
    let server = root().join("fixtures/restore/server");
    let tree = file_contents(&server);
    for rel in tree.keys() {
        let probe = Command::new(env!("CARGO_BIN_EXE_msmail"))
            .args(["dump", "--check"])
            .arg(server.join(rel))
            .output()
            .unwrap();
        if probe.status.success() {
            files.push(server.join(rel).display().to_string());
        }
    }
    assert!(files.len() > 25, "{}", files.len());
    for f in &files {
        twice(&["dump", f]);
        twice(&["dump", f, "--json"]);
        twice(&["dump", f, "--check"]);
    }
}

#[test]
fn inspect_and_diff_are_deterministic() {
    let server = fixture("restore/server");
    let sevilla = fixture("restore/requestors/AMERICAS-SEVILLA");
    for fmt in ["text", "json"] {
        twice(&["inspect", &server, &sevilla, "--format", fmt]);
        twice(&[
            "inspect",
            &fixture("dirsync/MSTTRANS.GLB"),
            &fixture("text/dirsync.log"),
            "--format",
            fmt,
        ]);
    }
    let pairs = [
        (server.clone(), sevilla.clone()),
        (fixture("restore/server"), fixture("generated/server")),
        (
            fixture("dirsync/MSTTRANS.GLB"),
            fixture("restore/server/GLB/MSTTRANS.GLB"),
        ),
        (
            fixture("dirsync/SRVCONF.GLB"),
            fixture("restore/server/GLB/SRVCONF.GLB"),
        ),
        (
            fixture("restore/requestors/AMERICAS-GENEVE/EXPORT.TXT"),
            fixture("restore/requestors/EUROPE-PARIS/EXTRACT.TXT"),
        ),
    ];
    for (a, b) in &pairs {
        for fmt in ["text", "json", "html"] {
            let r = twice(&["diff", a, b, "--format", fmt]);
            assert!(!r.stdout.is_empty());
        }
    }
}

/// The README's first command, run from fixtures/restore (inputs relative to
/// it are given absolute here), with `--out-dir` and `--report`.
#[test]
fn reconcile_out_dir_is_deterministic() {
    let restore = root().join("fixtures/restore");
    let mut args = s(&["reconcile", "--server"]);
    args.push(restore.join("server").display().to_string());
    args.push("--requestor".into());
    let mut reqs: Vec<String> = std::fs::read_dir(restore.join("requestors"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    reqs.sort();
    args.extend(reqs);
    args.push(format!(
        "EUROPE/PARIS={}",
        restore.join("requestors/EUROPE-PARIS").display()
    ));
    // The report alone, text and JSON.
    twice_with(&args, true);
    let mut json = args.clone();
    json.extend(s(&["--format", "json"]));
    twice_with(&json, true);
    // Every output, the repaired server tree included.
    let mut out = args.clone();
    out.extend(s(&["--out-dir", "out", "--report", "hole.json"]));
    let r = twice_with(&out, true);
    assert!(r.files.contains_key("hole.json"));
    assert!(r.files.keys().any(|k| k.starts_with("out/server/GLB/")));
    assert!(r.files.contains_key("out/server/GLB/SRVCONF.GLB"));
    assert!(r.files.contains_key("out/report.txt"));
    assert!(r.files.len() > 50, "{}", r.files.len());
    // Other outputs and options.
    let mut ad = args.clone();
    ad.extend(s(&[
        "--out-dir",
        "ad",
        "--outputs",
        "ldif",
        "--schema",
        "ad",
        "--base-dn",
        "DC=corp,DC=com",
    ]));
    twice_with(&ad, true);
}

#[test]
fn batch_and_generate_are_deterministic() {
    let sources = [
        fixture("restore/server"),
        fixture("restore/requestors/AMERICAS-SEVILLA"),
        fixture("restore/requestors/AMERICAS-GENEVE/EXPORT.TXT"),
        fixture("restore/requestors/EUROPE-PARIS/EXTRACT.TXT"),
        fixture("dirsync/MSTTRANS.GLB"),
    ];
    for fmt in ["csv", "ldif", "json", "import"] {
        let mut args = s(&["batch", "--format", fmt, "--out-dir", "conv"]);
        args.extend(sources.iter().cloned());
        let r = twice_with(&args, false);
        assert!(
            r.files.contains_key("conv/summary.json"),
            "{:?}",
            r.files.keys()
        );
        assert!(r.files.len() > sources.len(), "{:?}", r.files.keys());
    }
    for scenario in ["default", "restore"] {
        let r = twice(&[
            "generate",
            "--scenario",
            scenario,
            "--postoffices",
            "4",
            "--users",
            "6",
            "--seed",
            "7",
            "--out-dir",
            "gen",
        ]);
        assert!(r.files.len() > 20, "{}", r.files.len());
    }
}
