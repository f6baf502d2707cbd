//! `msmail dump` on Dir-Sync text files, through the real binary.

mod common;

use std::path::{Path, PathBuf};

use common::cli::run as msmail;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/text")
        .join(name)
}

#[test]
fn dump_log_json() {
    let p = fixture("dirsync.log");
    let out = msmail(&["dump", p.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "log");
    let r = &doc["records"][4];
    assert_eq!(r["level"], "error");
    assert_eq!(r["code"], 20);
    assert_eq!(r["text"], "Address element is too long: <Group");
    assert_eq!(doc["records"][8]["raw_date"], "01/01/100");
    assert_eq!(doc["records"][8]["date"], "2000-01-01");
}

#[test]
fn dump_message_text_and_schedule() {
    let p = fixture("export_q106623.msg");
    let out = msmail(&["dump", p.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("reqname=PCM:net/po"), "{s}");
    assert!(s.contains("0000001200 A Martin, Robert"), "{s}");
    assert!(s.contains("REQSEQ 1199, SRVSEQ 50"), "{s}");

    let p = fixture("mytimes.txt");
    let out = msmail(&["dump", p.to_str().unwrap()]);
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("T1 Sat 13:45    (NSDA -RT)\n"), "{s}");

    let p = fixture("dispatch.log");
    let out = msmail(&["dump", p.to_str().unwrap(), "--json"]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["records"][5]["event"]["kind"], "missedrunwindow");
    assert_eq!(doc["records"][5]["event"]["postoffice"], "NETWORK/PO2");
}

#[test]
fn bad_text_input_exits_3_with_line_and_column() {
    let p = fixture("bad_date.log");
    let out = msmail(&["dump", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad_date.log: line 2, column 4: day 32 is not 1-31"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let p = fixture("bad_seq.msg");
    let out = msmail(&["dump", p.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 4, column 8"), "{err}");
}

#[test]
fn dump_output_file_is_atomic_and_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("log.json");
    let p = fixture("dirsync.log");
    let args = [
        "dump",
        p.to_str().unwrap(),
        "--json",
        "-o",
        o.to_str().unwrap(),
    ];
    assert!(msmail(&args).status.success());
    let first = std::fs::read(&o).unwrap();
    let again = msmail(&args);
    assert_eq!(again.status.code(), Some(4));
    assert_eq!(std::fs::read(&o).unwrap(), first);
    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(msmail(&forced).status.success());
    assert_eq!(std::fs::read(&o).unwrap(), first, "deterministic output");
}
