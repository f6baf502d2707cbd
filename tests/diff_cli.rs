//! `msmail diff` through the real binary: exit codes, JSON details, HTML safety.

mod common;

use std::path::Path;

use common::cli::run_in as msmail;

const A: &str = "T PCM:NET/PO1\r\nPhone:~10~20~N~~\r\n\r\n\
A Doe, John                      PCM:NET/PO1/JDOE\r\n\
A Roe, Jane                      PCM:NET/PO1/JROE\r\n\
A Poe, Ed                        PCM:NET/PO1/EPOE\r\n\
A Keep, Kim                      PCM:NET/PO1/KKEEP\r\n\
- Phone:/555 0100\r\n\
A Same, Sam                      PCM:NET/PO2/SSAME\r\n\
A Internet, Ivy                  SMTP:ivy@example.com\r\n";

// Edits: JDOE renamed (full name), JROE deleted, EPOE moved to EDPOE (address
// rename), KKEEP template value changed, NEWP added.
const B: &str = "T PCM:NET/PO1\r\nPhone:~10~20~N~~\r\n\r\n\
A Doe, Johnny                    PCM:NET/PO1/JDOE\r\n\
A Poe, Ed                        PCM:NET/PO1/EDPOE\r\n\
A Keep, Kim                      PCM:NET/PO1/KKEEP\r\n\
- Phone:/555 0199\r\n\
A New, Nora                      PCM:NET/PO1/NEWP\r\n\
A Same, Sam                      pcm:net/po2/ssame\r\n\
A Internet, Ivy                  SMTP:ivy@example.com\r\n";

fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.txt"), A).unwrap();
    std::fs::write(d.path().join("b.txt"), B).unwrap();
    d
}

#[test]
fn identical_sources_exit_0() {
    let d = setup();
    std::fs::write(d.path().join("a2.txt"), A.replace("\r\n", "\n")).unwrap();
    let out = msmail(d.path(), &["diff", "a.txt", "a2.txt"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Result: identical"));
}

#[test]
fn known_edits_are_reported_exactly_and_exit_1() {
    let d = setup();
    let out = msmail(d.path(), &["diff", "a.txt", "b.txt", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "msmail-diff");
    assert_eq!(v["kind"], "import-text");
    assert_eq!(v["identical"], false);
    let t = &v["totals"];
    assert_eq!(
        (
            &t["only_in_a"],
            &t["only_in_b"],
            &t["renamed"],
            &t["changed"]
        ),
        (&1.into(), &1.into(), &1.into(), &3.into())
    );
    let scopes = v["directory"]["scopes"].as_array().unwrap();
    let names: Vec<&str> = scopes
        .iter()
        .map(|s| s["scope"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["PCM:NET/PO1", "PCM:NET/PO2", "SMTP:"]);
    let po1 = &scopes[0];
    assert_eq!(po1["only_in_a"][0]["address"], "PCM:NET/PO1/JROE");
    assert_eq!(po1["only_in_a"].as_array().unwrap().len(), 1);
    assert_eq!(po1["only_in_b"][0]["address"], "PCM:NET/PO1/NEWP");
    assert_eq!(po1["renamed"][0]["from"]["address"], "PCM:NET/PO1/EPOE");
    assert_eq!(po1["renamed"][0]["to"]["address"], "PCM:NET/PO1/EDPOE");
    let changed = po1["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 2);
    assert_eq!(changed[0]["address"], "PCM:NET/PO1/JDOE");
    assert_eq!(changed[0]["changes"][0]["field"], "full_name");
    assert_eq!(changed[0]["changes"][0]["a"], "Doe, John");
    assert_eq!(changed[0]["changes"][0]["b"], "Doe, Johnny");
    assert_eq!(changed[1]["address"], "PCM:NET/PO1/KKEEP");
    assert_eq!(changed[1]["changes"][0]["field"], "template:Phone:");
    assert_eq!(changed[1]["changes"][0]["b"], "555 0199");
    // Address spelling only (identity is case-insensitive).
    assert_eq!(scopes[1]["changed"][0]["changes"][0]["field"], "address");
    assert_eq!(scopes[1]["counts"]["only_in_a"], 0);
    assert_eq!(scopes[2]["counts"]["unchanged"], 1);
    // Deterministic: same bytes on a second run.
    let again = msmail(d.path(), &["diff", "a.txt", "b.txt", "--format", "json"]);
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn text_report_starts_with_the_summary() {
    let d = setup();
    let out = msmail(d.path(), &["diff", "a.txt", "b.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let s = String::from_utf8(out.stdout).unwrap();
    let totals = s
        .find("Totals: only in A 1, only in B 1, renamed 1, changed 3")
        .unwrap();
    let detail = s.find("- only in A: PCM:NET/PO1/JROE").unwrap();
    assert!(totals < detail);
    assert!(s.contains("> renamed: PCM:NET/PO1/EPOE -> PCM:NET/PO1/EDPOE"));
}

#[test]
fn html_report_is_self_contained_and_escaped() {
    let d = setup();
    let evil = B.replace("New, Nora     ", "<b>Nora</b> & ");
    std::fs::write(d.path().join("evil.txt"), evil).unwrap();
    let out = msmail(
        d.path(),
        &[
            "diff", "a.txt", "evil.txt", "--format", "html", "-o", "r.html",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let html = std::fs::read_to_string(d.path().join("r.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // One script, the page's own (sorting, filtering), and nothing external.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(!html.contains("http:") && !html.contains("https:"));
    assert!(!html.contains("<link") && !html.contains("src="));
    assert!(!html.contains("<b>Nora"));
    assert!(html.contains("&lt;b&gt;Nora&lt;/b&gt; &amp;"));
    assert!(html.contains("id=\"total-only-in-b\">1<"));
    assert!(html.contains("id=\"total-differences\">6<"));
    // Counts link to the rows they count; the contents list links each scope.
    assert!(html.contains("<a href=\"#s0-only-b\""));
    assert!(html.contains("id=\"s0-only-b\""));
    assert!(html.contains("<nav id=\"contents\">"));
    // Existing output is not replaced without --force (exit 4), and is with it.
    let again = msmail(
        d.path(),
        &["diff", "a.txt", "b.txt", "--format", "html", "-o", "r.html"],
    );
    assert_eq!(again.status.code(), Some(4));
    let forced = msmail(
        d.path(),
        &[
            "diff", "a.txt", "b.txt", "--format", "html", "-o", "r.html", "--force",
        ],
    );
    assert_eq!(forced.status.code(), Some(1));
}

#[test]
fn usage_and_input_errors() {
    let d = setup();
    std::fs::create_dir(d.path().join("folder")).unwrap();
    // A folder that is no source at all is an unreadable input (exit 3,
    // saying why); a sound tree against a file is a usage error (exit 2).
    let empty = msmail(d.path(), &["diff", "a.txt", "folder"]);
    assert_eq!(empty.status.code(), Some(3), "{empty:?}");
    assert!(String::from_utf8_lossy(&empty.stderr)
        .contains("folder: whole file: a folder msmail cannot read"));
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tree/small");
    let kinds = msmail(d.path(), &["diff", "a.txt", tree.to_str().unwrap()]);
    assert_eq!(kinds.status.code(), Some(2), "{kinds:?}");
    let missing = msmail(d.path(), &["diff", "a.txt", "nope.txt"]);
    assert_eq!(missing.status.code(), Some(3));
    std::fs::write(d.path().join("bad.txt"), "Q what is this\r\n").unwrap();
    let bad = msmail(d.path(), &["diff", "a.txt", "bad.txt"]);
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad.txt"));
    let help = msmail(d.path(), &["diff", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Examples:"));
}

#[test]
fn folders_are_compared_file_by_file() {
    let d = tempfile::tempdir().unwrap();
    for (side, files) in [
        (
            "x",
            &[("GLB/NETWORK.GLB", "1"), ("ONLY.A", "a"), ("SAME", "s")][..],
        ),
        (
            "y",
            &[("glb/network.glb", "2"), ("ONLY.B", "b"), ("SAME", "s")][..],
        ),
    ] {
        for (p, c) in files {
            let path = d.path().join(side).join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, c).unwrap();
        }
    }
    let out = msmail(d.path(), &["diff", "x", "y", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"]["only_in_a"][0]["path"], "ONLY.A");
    assert_eq!(v["files"]["only_in_b"][0]["path"], "ONLY.B");
    assert_eq!(v["files"]["changed"][0]["a"]["path"], "GLB/NETWORK.GLB");
    assert_eq!(v["files"]["changed"][0]["b"]["path"], "glb/network.glb");
    assert_eq!(v["totals"]["changed"], 1);
    let same = msmail(d.path(), &["diff", "x", "x"]);
    assert_eq!(same.status.code(), Some(0));
}

#[test]
fn transaction_streams_align_by_sync_number() {
    use msmail::dirsync::{write_stream, TransactionRecord};
    let d = tempfile::tempdir().unwrap();
    let rec = |sync, text: &str| {
        TransactionRecord::new(
            sync,
            0,
            text.as_bytes()[0],
            "NET/PO1",
            text.as_bytes().to_vec(),
        )
    };
    let a = [
        rec(1, "A One                           PCM:NET/PO1/ONE"),
        rec(2, "A Two                           PCM:NET/PO1/TWO"),
        rec(3, "A Three                         PCM:NET/PO1/THREE"),
    ];
    let b = [
        rec(1, "A One                           PCM:NET/PO1/ONE"),
        rec(3, "A Three, Mr                     PCM:NET/PO1/THREE"),
        rec(4, "A Four                          PCM:NET/PO1/FOUR"),
    ];
    std::fs::create_dir_all(d.path().join("a")).unwrap();
    std::fs::create_dir_all(d.path().join("b")).unwrap();
    std::fs::write(d.path().join("a/MSTTRANS.GLB"), write_stream(&a)).unwrap();
    std::fs::write(d.path().join("b/MSTTRANS.GLB"), write_stream(&b)).unwrap();
    let out = msmail(
        d.path(),
        &[
            "diff",
            "a/MSTTRANS.GLB",
            "b/MSTTRANS.GLB",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "dir-sync-transactions");
    let t = &v["transactions"];
    assert_eq!(t["only_in_a"][0]["sync"], 2);
    assert_eq!(t["only_in_b"][0]["sync"], 4);
    assert_eq!(t["changed"][0]["sync"], 3);
    let fields: Vec<&str> = t["changed"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["text", "crc"]);
    // The address lists the streams build are compared too.
    assert_eq!(v["directory"]["totals"]["only_in_a"], 1);
    assert_eq!(v["directory"]["totals"]["changed"], 1);
    let same = msmail(d.path(), &["diff", "a/MSTTRANS.GLB", "a/MSTTRANS.GLB"]);
    assert_eq!(same.status.code(), Some(0));
    // A transaction stream and an import file are different kinds: usage error.
    std::fs::write(d.path().join("x.txt"), A).unwrap();
    let kinds = msmail(d.path(), &["diff", "a/MSTTRANS.GLB", "x.txt"]);
    assert_eq!(kinds.status.code(), Some(2), "{kinds:?}");
}

#[test]
fn srvconf_numbers_are_compared_without_passwords() {
    use msmail::dirsync::{Requestor, SrvConf};
    let d = tempfile::tempdir().unwrap();
    let mut a = SrvConf::new();
    a.sync = 10;
    a.requestors.push(Requestor::new("PCM:NET/PO1").unwrap());
    let mut b = a.clone();
    b.sync = 12;
    b.requestors[0].reqsync = 7;
    std::fs::create_dir_all(d.path().join("a")).unwrap();
    std::fs::create_dir_all(d.path().join("b")).unwrap();
    std::fs::write(d.path().join("a/SRVCONF.GLB"), a.write()).unwrap();
    std::fs::write(d.path().join("b/SRVCONF.GLB"), b.write()).unwrap();
    let out = msmail(d.path(), &["diff", "a/SRVCONF.GLB", "b/SRVCONF.GLB"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("~ sync: 10 -> 12"), "{s}");
    assert!(
        s.contains("~ reqsync of requestor PCM:NET/PO1: 0 -> 7"),
        "{s}"
    );
    assert!(!s.to_lowercase().contains("password"));
}

/// REQCONF.GLB laid out by hand (docs/formats.md): version, server, numbers,
/// times, template exchange, password, address types.
fn reqconf_bytes(version: u16, templates: u8, types: &[u8], password: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 512];
    b[0..2].copy_from_slice(&version.to_le_bytes());
    b[2..9].copy_from_slice(b"NET/SRV");
    b[24..28].copy_from_slice(&5u32.to_le_bytes());
    b[28..32].copy_from_slice(&9u32.to_le_bytes());
    b[52] = templates;
    b[53..53 + password.len()].copy_from_slice(password);
    b[62..62 + types.len()].copy_from_slice(types);
    b
}

#[test]
fn reqconf_and_srvconf_every_field_is_compared_passwords_only_as_set() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("a")).unwrap();
    std::fs::create_dir_all(d.path().join("b")).unwrap();
    let a = reqconf_bytes(1, 0, b"SMTP", b"PWALPHA1");
    let mut b = reqconf_bytes(2, 1, b"SMTP|X400", b"PWBRAVO2");
    b[44..48].copy_from_slice(&831_380_400u32.to_le_bytes()); // last T1
    std::fs::write(d.path().join("a/REQCONF.GLB"), &a).unwrap();
    std::fs::write(d.path().join("b/REQCONF.GLB"), &b).unwrap();
    let out = msmail(d.path(), &["diff", "a/REQCONF.GLB", "b/REQCONF.GLB"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let s = String::from_utf8(out.stdout).unwrap();
    for line in [
        "~ version: 1 -> 2",
        "~ last_t1: 0 -> 831380400 (",
        "~ template_exchange: no -> yes",
        "~ address_types: SMTP -> SMTP|X400",
        "~ password: set -> set (different)",
    ] {
        assert!(s.contains(line), "{line:?} not in\n{s}");
    }
    let all = format!("{s}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        !all.contains("PWALPHA") && !all.contains("PWBRAVO"),
        "{all}"
    );
    // JSON: the same fields, the password as set / set (different).
    let out = msmail(
        d.path(),
        &["diff", "a/REQCONF.GLB", "b/REQCONF.GLB", "--json"],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("PWALPHA") && !text.contains("PWBRAVO"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let fields: Vec<&str> = v["configuration"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "version",
            "last_t1",
            "template_exchange",
            "address_types",
            "password"
        ]
    );
    // One side without a password.
    let c = reqconf_bytes(1, 0, b"SMTP", b"");
    std::fs::write(d.path().join("b/REQCONF.GLB"), &c).unwrap();
    let out = msmail(d.path(), &["diff", "a/REQCONF.GLB", "b/REQCONF.GLB"]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("~ password: set -> not set"), "{s}");
    assert!(s.contains("Configuration fields changed: 1"), "{s}");

    // SRVCONF.GLB: header keep-days, one requestor's flags, types, password.
    let srv = |keep: u16, foreign: u8, types: &[u8], password: &[u8]| {
        let mut b = vec![0u8; 2048];
        b[0] = 1;
        b[2..6].copy_from_slice(&10u32.to_le_bytes());
        b[10..12].copy_from_slice(&keep.to_le_bytes());
        let r = 1024;
        b[r] = 1;
        b[r + 1..r + 12].copy_from_slice(b"PCM:NET/PO1");
        b[r + 53..r + 53 + password.len()].copy_from_slice(password);
        b[r + 62] = foreign;
        b[r + 64..r + 64 + types.len()].copy_from_slice(types);
        b
    };
    std::fs::write(d.path().join("a/SRVCONF.GLB"), srv(14, 0, b"", b"SECRETAA")).unwrap();
    std::fs::write(
        d.path().join("b/SRVCONF.GLB"),
        srv(7, 1, b"SMTP", b"SECRETBB"),
    )
    .unwrap();
    let out = msmail(d.path(), &["diff", "a/SRVCONF.GLB", "b/SRVCONF.GLB"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let s = String::from_utf8(out.stdout).unwrap();
    for line in [
        "~ keep_days: 14 -> 7",
        "~ foreign of requestor PCM:NET/PO1: no -> yes",
        "~ address_types of requestor PCM:NET/PO1: (empty) -> SMTP",
        "~ password of requestor PCM:NET/PO1: set -> set (different)",
    ] {
        assert!(s.contains(line), "{line:?} not in\n{s}");
    }
    assert!(!s.contains("SECRET"), "{s}");
    let out = msmail(
        d.path(),
        &["diff", "a/SRVCONF.GLB", "b/SRVCONF.GLB", "--format", "html"],
    );
    let h = String::from_utf8(out.stdout).unwrap();
    assert!(h.contains("password (set / not set only)"), "{h}");
    assert!(!h.contains("SECRET"));
}
