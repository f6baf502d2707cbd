//! `msmail dump` on Dir-Sync files, through the real binary: the LISTQ, LISTDS
//! and DSSCHED views, JSON, `--check`, damaged files (exit 3 naming file,
//! record and offset), `--salvage`, and that passwords never leak.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::run as msmail;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/dirsync")
        .join(name)
}

fn dump(path: &Path, extra: &[&str]) -> Output {
    let mut a = vec!["dump", path.to_str().unwrap()];
    a.extend_from_slice(extra);
    msmail(&a)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}
fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Writes `bytes` as `name` in a fresh temp dir.
fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    (d, p)
}

#[test]
fn listq_view_of_the_kb_sample() {
    let o = dump(&fixture("REQTRANS.GLB"), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let all: Vec<&str> = out.lines().collect();
    // LISTQ's banner (Q96060); the fixture lies in no tree, so no NET/PO.
    assert_eq!(
        all[..4],
        [
            "Examining Dirsync transaction file: REQTRANS",
            "",
            "Checking CRC...",
            ""
        ]
    );
    let lines = &all[4..];
    assert_eq!(lines[0], "CRC  Date stamp               Sync#  Transaction");
    assert!(lines[1].ends_with(" Thu Apr 07 12:13:52 1994 000001 R PCM:POLYNOMIAL/MONTGOMERY"));
    assert!(lines[2].ends_with(
        " Thu Apr 07 12:13:52 1994 000002 A able is he who knows his limit\tPCM:POLYNOMIAL/MONTGOMERY/able"
    ));
    // CRC column: 4 upper-case hex digits.
    assert!(lines[1][..4]
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    // The M record's continuation line is indented under the text column.
    assert_eq!(
        lines[5],
        format!(
            "{}  Apple Pie\tPCM:POLYNOMIAL/MONTGOMERY/applepie",
            " ".repeat(37)
        )
    );
    assert_eq!(lines.len(), 7);
}

#[test]
fn cp850_text_and_template_lines() {
    let o = dump(&fixture("MSTTRANS.GLB"), &[]);
    let out = stdout(&o);
    assert!(out.contains("000006 A Müller, Jörg\tPCM:POLYNOMIAL/MONTGOMERY/JMULLER\n"));
    assert!(out.contains(&format!("\n{}- Phone:/555-0100\n", " ".repeat(37))));
}

#[test]
fn placeholder_and_resync_header() {
    let o = dump(&fixture("ack/REQTRANS.GLB"), &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains(" 000005 (placeholder)"));
    let o = dump(&fixture("RESYNC.GLB"), &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kind"], "resync");
    assert_eq!(v["records"][0]["op"], "H");
    assert_eq!(v["records"][0]["resync_header"]["reqseq"], 17);
    assert_eq!(v["records"][0]["resync_header"]["srvseq"], 80);
}

#[test]
fn transaction_json_has_the_record_fields() {
    let o = dump(&fixture("REQTRANS.GLB"), &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &v["records"][1];
    assert_eq!(r["sync"], 2);
    assert_eq!(r["stamp"], 765_720_832);
    assert_eq!(r["crc_ok"], true);
    assert_eq!(r["op"], "A");
    assert_eq!(r["origin"], "POLYNOMIAL/MONTGOMERY");
    assert_eq!(r["offset"], 76);
    assert_eq!(
        r["text"],
        "A able is he who knows his limit\tPCM:POLYNOMIAL/MONTGOMERY/able"
    );
    assert!(r["crc"].is_u64());
    assert_eq!(v["bad_crc"], 0);
}

#[test]
fn listds_views_with_the_kb_numbers() {
    let o = dump(&fixture("SRVCONF.GLB"), &[]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("Highest SrvSync is 80, Current Dirsync Cycle is 11\n"));
    assert!(out.contains("     Server Requestor Record #1\nRequestor name: PCM:POLYNOMIAL/MONTGOMERY\nReqSync = 17, SrvSync = 80, Last Cycle = 11\nLast update received Fri Feb 18 13:11:58 1994\n"));
    assert!(!out.contains("PCM:OLD/GONE"), "free slots are not listed");
    assert!(out.contains("Requestor Record #3\nRequestor name: PROFS:PROFSGATE/NODE1"));
    let o = dump(&fixture("REQCONF.GLB"), &[]);
    let out = stdout(&o);
    assert!(out.contains("Dir-Sync Server: POLYNOMIAL/MONTGOMERY\nReqSync = 17, SrvSync = 80\n"));
    assert!(out.contains("Requestor password: set"));
}

#[test]
fn conf_json_keys() {
    let v: serde_json::Value =
        serde_json::from_slice(&dump(&fixture("REQCONF.GLB"), &["--json"]).stdout).unwrap();
    assert_eq!(
        (
            v["reqsync"].as_u64(),
            v["srvsync"].as_u64(),
            v["impsync"].as_u64()
        ),
        (Some(17), Some(80), Some(3))
    );
    assert_eq!(v["password_set"], true);
    let v: serde_json::Value =
        serde_json::from_slice(&dump(&fixture("SRVCONF.GLB"), &["--json"]).stdout).unwrap();
    assert_eq!(v["sync"], 80);
    assert_eq!(v["cycle"], 11);
    let r = &v["requestors"][0];
    assert_eq!(
        (
            r["reqsync"].as_u64(),
            r["srvsync"].as_u64(),
            r["cycle"].as_u64()
        ),
        (Some(17), Some(80), Some(11))
    );
    assert_eq!(r["password_set"], true);
    assert_eq!(v["requestors"][2]["password_set"], false);
}

#[test]
fn passwords_never_appear_in_any_output() {
    for f in ["REQCONF.GLB", "SRVCONF.GLB"] {
        for extra in [&[][..], &["--json"][..], &["--check"][..]] {
            let o = dump(&fixture(f), extra);
            assert_eq!(o.status.code(), Some(0));
            let all = format!("{}{}", stdout(&o), stderr(&o));
            assert!(
                !all.contains("PSSWRD42"),
                "{f} {extra:?} leaked the password"
            );
            assert!(
                !all.contains("PSSWRD"),
                "{f} {extra:?} leaked part of the password"
            );
        }
    }
    // Sanity: the password really is in the file, so the test could fail.
    let raw = std::fs::read(fixture("REQCONF.GLB")).unwrap();
    assert!(raw.windows(8).any(|w| w == b"PSSWRD42"));
}

#[test]
fn dssched_view() {
    let o = dump(&fixture("PROCESS.GLB"), &[]);
    // The DSSCHED -x time file, CR LF as DSSCHED writes it (Q96060).
    assert_eq!(
        stdout(&o),
        "T1 Mon 08:00\r\nT2 Mon 12:30\r\nT3 Mon 17:45\r\n"
    );
}

#[test]
fn check_passes_on_good_files() {
    let o = dump(&fixture("MSTTRANS.GLB"), &["--check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("6 records, all CRCs good"));
}

#[test]
fn check_names_each_bad_crc_and_exits_3() {
    let mut b = std::fs::read(fixture("REQTRANS.GLB")).unwrap();
    // Damage the text of record 1 (offset 76): the CRC no longer matches.
    b[76 + 48 + 2] ^= 0x20;
    b[8] ^= 0xFF; // and the stored CRC of record 0
    let (_d, p) = temp_file("REQTRANS.GLB", &b);
    // Without --check the file still dumps: a CRC mismatch is not a framing error.
    assert_eq!(dump(&p, &[]).status.code(), Some(0));
    let o = dump(&p, &["--check"]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(
        err.contains("REQTRANS.GLB: record 0 at byte offset 0: CRC mismatch"),
        "{err}"
    );
    assert!(
        err.contains("REQTRANS.GLB: record 1 at byte offset 76: CRC mismatch"),
        "{err}"
    );
    assert!(err.contains("2 of 5 records have a bad CRC"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&dump(&p, &["--json"]).stdout).unwrap();
    assert_eq!(v["records"][1]["crc_ok"], false);
    assert_eq!(v["bad_crc"], 2);
}

fn damaged_exit_3(bytes: &[u8], name: &str, expect: &str) {
    let (_d, p) = temp_file(name, bytes);
    let o = dump(&p, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(name), "{err}");
    assert!(err.contains(expect), "expected {expect:?} in {err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn damaged_streams_exit_3_with_record_and_offset() {
    let good = std::fs::read(fixture("REQTRANS.GLB")).unwrap();
    // Offsets of the five records: 0, 76, 188, 276, 458.
    damaged_exit_3(
        &good[..good.len() - 20],
        "REQTRANS.GLB",
        "record 4 at byte offset",
    );
    damaged_exit_3(
        &good[..200],
        "REQTRANS.GLB",
        "record 2 at byte offset 188: truncated record",
    );
    let mut b = good.clone();
    b[76 + 10] = 0xF0;
    b[76 + 11] = 0xFF;
    damaged_exit_3(
        &b,
        "REQTRANS.GLB",
        "record 1 at byte offset 86: text length 65520 goes beyond the end",
    );
    let mut b = good.clone();
    b[75] = b'!';
    damaged_exit_3(
        &b,
        "REQTRANS.GLB",
        "record 0 at byte offset 75: text of 27 bytes is not followed by a NUL",
    );
    let mut b = good.clone();
    b[188 + 12] = b'Z';
    damaged_exit_3(
        &b,
        "REQTRANS.GLB",
        "record 2 at byte offset 200: unknown operation byte 0x5A",
    );
}

#[test]
fn damaged_conf_files_exit_3() {
    let good = std::fs::read(fixture("REQCONF.GLB")).unwrap();
    damaged_exit_3(
        &good[..500],
        "REQCONF.GLB",
        "byte offset 500: REQCONF.GLB must be 512 bytes, found 500",
    );
    let mut long = good.clone();
    long.push(0);
    damaged_exit_3(&long, "REQCONF.GLB", "found 513");
    let s = std::fs::read(fixture("SRVCONF.GLB")).unwrap();
    damaged_exit_3(
        &s[..3000],
        "SRVCONF.GLB",
        "record 1 at byte offset 2048: partial requestor record",
    );
    let p = std::fs::read(fixture("PROCESS.GLB")).unwrap();
    damaged_exit_3(
        &p[..700],
        "PROCESS.GLB",
        "record 0 at byte offset 512: partial record",
    );
}

#[test]
fn salvage_recovers_records_after_damage() {
    let good = std::fs::read(fixture("REQTRANS.GLB")).unwrap();
    let mut b = good[..76].to_vec();
    b.extend_from_slice(&[0xEE; 33]); // garbage between record 0 and record 1
    b.extend_from_slice(&good[76..]);
    b[76 + 33 + 188 - 76 + 12] = b'Q'; // and record 2's op byte damaged
    let (_d, p) = temp_file("REQTRANS.GLB", &b);
    assert_eq!(dump(&p, &[]).status.code(), Some(3));
    let o = dump(&p, &["--salvage"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for sync in ["000001", "000002", "000004", "000005"] {
        assert!(
            out.contains(&format!(" {sync} ")),
            "{sync} missing from\n{out}"
        );
    }
    assert!(!out.contains(" 000003 "));
    let err = stderr(&o);
    assert!(err.contains("skipped bytes 76..109 (33 bytes)"), "{err}");
    assert!(err.contains("skipped bytes 221..309 (88 bytes)"), "{err}");
    assert!(err.contains("unknown operation byte 0x51"), "{err}");
    let v: serde_json::Value =
        serde_json::from_slice(&dump(&p, &["--salvage", "--json"]).stdout).unwrap();
    assert_eq!(v["records"].as_array().unwrap().len(), 4);
    assert_eq!(v["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(v["skipped"][0]["start"], 76);
}

#[test]
fn output_file_is_atomic_and_not_overwritten() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("listq.txt");
    let o = out.to_str().unwrap();
    let f = fixture("REQTRANS.GLB");
    assert_eq!(dump(&f, &["-o", o]).status.code(), Some(0));
    let first = std::fs::read_to_string(&out).unwrap();
    assert!(first.starts_with("Examining Dirsync transaction file: REQTRANS"));
    let again = dump(&f, &["-o", o, "--json"]);
    assert_eq!(again.status.code(), Some(4));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), first);
    assert_eq!(
        dump(&f, &["-o", o, "--json", "--force"]).status.code(),
        Some(0)
    );
    assert!(std::fs::read_to_string(&out).unwrap().starts_with('{'));
}

#[test]
fn unrecognised_file_exits_3_and_help_has_examples() {
    let (_d, p) = temp_file("notes.txt", b"hello");
    let o = dump(&p, &[]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(
        err.contains(
            "notes.txt: line 1, column 1: \"hello\" starts no file msmail reads: expected one of:"
        ),
        "{err}"
    );
    let h = msmail(&["dump", "--help"]);
    assert!(stdout(&h).contains("msmail dump GLB/MSTTRANS.GLB"));
}

#[test]
fn content_sniffing_without_the_name() {
    let (_d, p) = temp_file(
        "backup.bin",
        &std::fs::read(fixture("REQTRANS.GLB")).unwrap(),
    );
    let o = dump(&p, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("000001 R PCM:POLYNOMIAL/MONTGOMERY"));
}
