//! `msmail inspect`, `export --list` and `dump` of tree files, run as the binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::fs::copy_dir;
use msmail::dirsync::{write_stream, ReqConf, SrvConf, TransactionRecord};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_msmail");

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tree/small")
}

/// A fresh copy of the fixture tree in a temporary folder.
fn tree_copy() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("MAILDATA");
    copy_dir(&fixture(), &root);
    (d, root)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn inspect_json(path: &Path) -> (i32, Value) {
    let (code, out, err) = run(&["inspect", path.to_str().unwrap(), "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

fn findings(v: &Value) -> Vec<Value> {
    v["findings"].as_array().unwrap().clone()
}

/// The findings with this code.
fn with_code(v: &Value, code: &str) -> Vec<Value> {
    findings(v)
        .into_iter()
        .filter(|f| f["code"] == code)
        .collect()
}

fn patch(path: &Path, offset: usize, bytes: &[u8]) {
    let mut b = std::fs::read(path).unwrap();
    b[offset..offset + bytes.len()].copy_from_slice(bytes);
    std::fs::write(path, b).unwrap();
}

fn u32_at(path: &Path, offset: usize) -> u32 {
    let b = std::fs::read(path).unwrap();
    u32::from_le_bytes(b[offset..offset + 4].try_into().unwrap())
}

#[test]
fn clean_fixture_inspects_clean_with_stable_json_shape() {
    let (code, v) = inspect_json(&fixture());
    assert_eq!(code, 0, "{v:#}");
    assert!(findings(&v).is_empty(), "{v:#}");
    let input = &v["inputs"][0];
    assert_eq!(input["kind"], "tree");
    assert!(input["description"]
        .as_str()
        .unwrap()
        .contains("postoffice ACME/HQ: 4 local users, 1 groups"));
    let files = input["files"].as_array().unwrap();
    assert_eq!(files.len(), 40);
    let usr = files
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with("00000006.USR"))
        .unwrap();
    assert_eq!(usr["kind"], "usr-list");
    assert_eq!(
        usr["description"],
        "USR list, 53-byte records, 3 records (3 in use)"
    );
    assert_eq!(v["summary"]["errors"], 0);
    assert_eq!(v["summary"]["files"], 40);
    // Text view: one summary line.
    let (code, out, _) = run(&["inspect", fixture().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        out.ends_with("40 files: 0 errors, 0 warnings, 0 info\n"),
        "{out}"
    );
}

#[test]
fn tree_written_by_the_writer_inspects_clean() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("T");
    msmail::tree::write_tree(&msmail::tree::sample::small(), &root, false).unwrap();
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 0, "{v:#}");
    assert!(findings(&v).is_empty(), "{v:#}");
}

#[test]
fn wrong_sizes_are_errors_at_the_first_incomplete_record() {
    let (_d, root) = tree_copy();
    let usr = root.join("USR/00000006.USR");
    let mut b = std::fs::read(&usr).unwrap();
    b.extend_from_slice(&[1, 2, 3]);
    std::fs::write(&usr, b).unwrap();
    std::fs::write(root.join("GLB/CONTROL.GLB"), [0u8; 7]).unwrap();
    std::fs::write(root.join("KEY/00000001.KEY"), [0u8; 561]).unwrap();
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let w = with_code(&v, "wrong-size");
    assert_eq!(w.len(), 3, "{w:#?}");
    let u = w
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with("00000006.USR"))
        .unwrap();
    assert_eq!(u["record"], 3);
    assert_eq!(u["offset"], 159);
    assert_eq!(u["severity"], "error");
    assert!(u["meaning"].as_str().unwrap().contains("Q77926"));
    assert!(w
        .iter()
        .any(|f| f["file"].as_str().unwrap().ends_with("CONTROL.GLB") && f["record"].is_null()));
}

#[test]
fn shadow_mismatch_names_the_first_differing_byte() {
    let (_d, root) = tree_copy();
    patch(&root.join("NME/ADMINSHD.NME"), 50, b"X");
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let f = with_code(&v, "shadow-mismatch");
    assert_eq!(f.len(), 1);
    assert!(f[0]["file"].as_str().unwrap().ends_with("ADMINSHD.NME"));
    assert_eq!(f[0]["record"], 1);
    assert_eq!(f[0]["offset"], 50);
}

#[test]
fn access_count_mismatch() {
    let (_d, root) = tree_copy();
    let p = root.join("GLB/ACCESS3.GLB");
    let mut b = std::fs::read(&p).unwrap();
    b.extend_from_slice(&[0u8; 512]);
    std::fs::write(&p, b).unwrap();
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let f = with_code(&v, "access-count-mismatch");
    assert_eq!(f.len(), 1, "{v:#}");
    assert!(f[0]["file"].as_str().unwrap().ends_with("ACCESS3.GLB"));
    assert!(f[0]["message"]
        .as_str()
        .unwrap()
        .contains("5 records, ACCESS2.GLB has 4"));
}

/// Index of the first ADMIN.NME record of `kind`.
fn nme_record_of_kind(root: &Path, kind: u16) -> usize {
    let b = std::fs::read(root.join("NME/ADMIN.NME")).unwrap();
    b.chunks(45)
        .position(|r| u16::from_le_bytes([r[36], r[37]]) == kind)
        .unwrap()
}

fn patch_both_nme(root: &Path, offset: usize, bytes: &[u8]) {
    patch(&root.join("NME/ADMIN.NME"), offset, bytes);
    patch(&root.join("NME/ADMINSHD.NME"), offset, bytes);
}

#[test]
fn dangling_pointer_and_dangling_group_tid() {
    let (_d, root) = tree_copy();
    let u = nme_record_of_kind(&root, 1);
    patch_both_nme(&root, u * 45 + 38, &9999u32.to_le_bytes());
    let g = nme_record_of_kind(&root, 4);
    patch_both_nme(&root, g * 45 + 32, &777u32.to_le_bytes());
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let f = with_code(&v, "dangling-pointer");
    assert_eq!(f.len(), 1, "{v:#}");
    assert!(f[0]["file"].as_str().unwrap().ends_with("ADMIN.NME"));
    assert_eq!(f[0]["record"], u as u64);
    assert_eq!(f[0]["offset"], (u * 45 + 38) as u64);
    let t = with_code(&v, "dangling-tid");
    assert!(t
        .iter()
        .any(|f| f["record"] == g as u64 && f["message"].as_str().unwrap().contains("777")));
}

#[test]
fn cyclic_group_chain() {
    let (_d, root) = tree_copy();
    let g = nme_record_of_kind(&root, 4);
    let first = u32_at(&root.join("NME/ADMIN.NME"), g * 45 + 38) as usize;
    // Walk to the last node and point it back at the first.
    let grp = root.join("GRP/ADMIN.GRP");
    let mut node = first;
    loop {
        let next = u32_at(&grp, node + 4) as usize;
        if next == 0 {
            break;
        }
        node = next;
    }
    patch(&grp, node + 4, &(first as u32).to_le_bytes());
    patch(
        &root.join("GRP/ADMINSHD.GRP"),
        node + 4,
        &(first as u32).to_le_bytes(),
    );
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let f = with_code(&v, "group-chain-cycle");
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0]["record"], (node / 8) as u64);
    assert_eq!(f[0]["offset"], node as u64);
    assert!(with_code(&v, "shadow-mismatch").is_empty());
}

#[test]
fn key_without_mbg_is_an_error_mbg_without_key_a_warning() {
    let (_d, root) = tree_copy();
    std::fs::remove_file(root.join("MBG/00000002.MBG")).unwrap();
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let f = with_code(&v, "key-without-mbg");
    assert_eq!(f.len(), 1);
    assert!(f[0]["file"].as_str().unwrap().ends_with("KEY/00000002.KEY"));

    let (_d2, root2) = tree_copy();
    std::fs::write(root2.join("MBG/0000000A.MBG"), []).unwrap();
    let (code, v) = inspect_json(&root2);
    assert_eq!(code, 0, "warnings only: {v:#}");
    let f = with_code(&v, "mbg-without-key");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["severity"], "warning");
}

#[test]
fn unsorted_gal_and_galindex_mismatch() {
    let (_d, root) = tree_copy();
    let gal = root.join("NME/GAL.NME");
    let mut b = std::fs::read(&gal).unwrap();
    let (a, rest) = b.split_at_mut(45);
    a.swap_with_slice(&mut rest[..45]);
    std::fs::write(&gal, b).unwrap();
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let f = with_code(&v, "gal-unsorted");
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0]["record"], 1);
    assert_eq!(f[0]["offset"], 45);

    let (_d2, root2) = tree_copy();
    let gi = root2.join("GLB/GALINDEX.GLB");
    let len = std::fs::metadata(&gi).unwrap().len() as usize;
    // Last word record: point it at another GAL entry.
    let off = len - 4;
    let cur = u32_at(&gi, off);
    patch(&gi, off, &(cur + 45).to_le_bytes());
    let (code, v) = inspect_json(&root2);
    assert_eq!(code, 3);
    let f = with_code(&v, "galindex-mismatch");
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0]["record"], ((len - 6 - 208) / 6) as u64);
    assert!(with_code(&v, "gal-unsorted").is_empty());
}

const ORIGIN: &str = "ACME/HQ";

fn rec(sync: u32, text: &str) -> TransactionRecord {
    TransactionRecord::new(sync, 0, b'A', ORIGIN, text.as_bytes().to_vec())
}

/// Adds Dir-Sync files to a tree: MSTTRANS syncs, SRVCONF Sync, REQCONF ReqSync, REQTRANS.
fn add_dirsync(
    root: &Path,
    mst: Vec<TransactionRecord>,
    srv_sync: u32,
    reqsync: u32,
    req: Vec<TransactionRecord>,
) {
    std::fs::write(root.join("GLB/MSTTRANS.GLB"), write_stream(&mst)).unwrap();
    let mut s = SrvConf::new();
    s.sync = srv_sync;
    std::fs::write(root.join("GLB/SRVCONF.GLB"), s.write()).unwrap();
    let mut c = ReqConf::new("ACME/HQ").unwrap();
    c.reqsync = reqsync;
    std::fs::write(root.join("GLB/REQCONF.GLB"), c.write()).unwrap();
    std::fs::write(root.join("GLB/REQTRANS.GLB"), write_stream(&req)).unwrap();
}

fn mst3() -> Vec<TransactionRecord> {
    vec![
        rec(1, "A\tPCM:ACME/HQ/A"),
        rec(2, "B\tPCM:ACME/HQ/B"),
        rec(3, "C\tPCM:ACME/HQ/C"),
    ]
}

#[test]
fn consistent_dirsync_files_are_clean() {
    let (_d, root) = tree_copy();
    let req = vec![
        TransactionRecord::placeholder(4, 0, ORIGIN),
        rec(5, "E\tPCM:ACME/HQ/E"),
    ];
    add_dirsync(&root, mst3(), 3, 4, req);
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 0, "{v:#}");
    assert!(findings(&v).is_empty(), "{v:#}");
}

#[test]
fn msttrans_crc_mismatch_and_non_increasing_syncs() {
    let (_d, root) = tree_copy();
    let mut mst = mst3();
    mst[1].crc ^= 0xFFFF;
    mst.push(rec(3, "D\tPCM:ACME/HQ/D"));
    let second_offset = (48 + mst[0].text.len() + 1) as u64;
    let fourth_offset: u64 = mst[..3]
        .iter()
        .map(|r| (48 + r.text.len() + 1) as u64)
        .sum();
    add_dirsync(&root, mst, 3, 0, vec![]);
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let c = with_code(&v, "crc-mismatch");
    assert_eq!(c.len(), 1, "{v:#}");
    assert!(c[0]["file"].as_str().unwrap().ends_with("MSTTRANS.GLB"));
    assert_eq!(c[0]["record"], 1);
    assert_eq!(c[0]["offset"], second_offset);
    let s = with_code(&v, "sync-not-increasing");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["record"], 3);
    assert_eq!(s[0]["offset"], fourth_offset);
}

#[test]
fn reqtrans_below_reqsync_is_no_updates_to_send() {
    let (_d, root) = tree_copy();
    let req = vec![
        rec(7, "X\tPCM:ACME/HQ/X"),
        rec(9, "Y\tPCM:ACME/HQ/Y"),
        rec(11, "Z\tPCM:ACME/HQ/Z"),
    ];
    add_dirsync(&root, mst3(), 3, 9, req);
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let f = with_code(&v, "reqtrans-below-reqsync");
    assert_eq!(f.len(), 2, "{v:#}");
    assert_eq!(f[0]["record"], 0);
    assert_eq!(f[1]["record"], 1);
    assert!(f[0]["meaning"].as_str().unwrap().contains("Q119452"));
}

#[test]
fn srvconf_sync_must_equal_last_msttrans_sync() {
    let (_d, root) = tree_copy();
    add_dirsync(&root, mst3(), 5, 0, vec![]);
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let f = with_code(&v, "srvconf-sync-mismatch");
    assert_eq!(f.len(), 1, "{v:#}");
    assert!(f[0]["file"].as_str().unwrap().ends_with("SRVCONF.GLB"));
    assert_eq!(f[0]["offset"], 2);
    assert!(f[0]["message"]
        .as_str()
        .unwrap()
        .contains("Sync 5 but the last MSTTRANS.GLB sync is 3"));
}

#[test]
fn missing_files() {
    let (_d, root) = tree_copy();
    std::fs::remove_file(root.join("NME/ADMINSHD.NME")).unwrap();
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3);
    let f = with_code(&v, "missing-file");
    assert_eq!(f.len(), 1);
    assert!(f[0]["file"].as_str().unwrap().ends_with("ADMINSHD.NME"));

    let (_d2, root2) = tree_copy();
    std::fs::remove_file(root2.join("GLB/MODEM.GLB")).unwrap();
    let (code, v) = inspect_json(&root2);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(with_code(&v, "missing-optional").len(), 1);
}

#[test]
fn single_files_are_identified() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases = [
        (
            "fixtures/tree/small/USR/00000006.USR",
            "usr-list",
            "USR list, 53-byte records, 3 records (3 in use)",
        ),
        (
            "fixtures/tree/small/NME/GAL.NME",
            "gal",
            "NME global address list (GAL), 45-byte records, 5 records (5 in use)",
        ),
        (
            "fixtures/dirsync/MSTTRANS.GLB",
            "msttrans",
            "Dir-Sync transaction stream (MstTrans), 6 records, last sync 6",
        ),
        (
            "fixtures/tree/small/GLB/CONTROL.GLB",
            "size-only",
            "checked by size only, 8 bytes",
        ),
        (
            "fixtures/import/kb-shapes.txt",
            "import-text",
            "import text",
        ),
    ];
    for (path, kind, desc) in cases {
        let (code, v) = inspect_json(&root.join(path));
        assert_eq!(code, 0, "{path}: {v:#}");
        let i = &v["inputs"][0];
        assert_eq!(i["kind"], kind, "{path}");
        assert!(
            i["description"].as_str().unwrap().starts_with(desc),
            "{path}: {i}"
        );
    }
    // REQCONF: the password is only "set"/"not set".
    let (code, out, _) = run(&[
        "inspect",
        root.join("fixtures/dirsync/REQCONF.GLB").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("password set"), "{out}");
    // A damaged single file: exit 3 with record and offset.
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("00000006.USR");
    let mut b = std::fs::read(root.join("fixtures/tree/small/USR/00000006.USR")).unwrap();
    b[53] = 7;
    std::fs::write(&p, b).unwrap();
    let (code, v) = inspect_json(&p);
    assert_eq!(code, 3);
    let f = with_code(&v, "bad-status");
    assert_eq!(
        (f[0]["record"].as_u64(), f[0]["offset"].as_u64()),
        (Some(1), Some(53))
    );
}

#[test]
fn report_to_file_refuses_to_overwrite_without_force() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r.json");
    let fx = fixture();
    let (c, _, _) = run(&[
        "inspect",
        fx.to_str().unwrap(),
        "--json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(c, 0);
    let (c, _, _) = run(&["inspect", fx.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(c, 4);
    let (c, _, _) = run(&[
        "inspect",
        fx.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(c, 0);
}

#[test]
fn export_list_each_selector() {
    let fx = fixture();
    let t = fx.to_str().unwrap();
    let cases = [
        ("pol", "PCM:ACME/HQ/JDOE", true),
        ("gal", "PCM:ACME/BRANCH/ASMITH", true),
        // Groups: JDOE is a member, not a row.
        ("groups", "\n\"Doe, John\",", false),
        ("groups", "PCM:ACME/HQ/JDOE;", true),
        ("usr:ACME/BRANCH", "PCM:ACME/BRANCH/BJONES", true),
    ];
    for (sel, needle, present) in cases {
        let (code, out, err) = run(&["export", t, "--to", "csv", "--list", sel]);
        assert_eq!(code, 0, "{sel}: {err}");
        assert_eq!(out.contains(needle), present, "{sel}: {out}");
    }
    let (_, groups, _) = run(&["export", t, "--to", "csv", "--list", "groups"]);
    assert_eq!(groups.lines().count(), 2, "{groups}");
    let (_, usr, _) = run(&["export", t, "--to", "csv", "--list", "usr:ACME/BRANCH"]);
    assert_eq!(usr.lines().count(), 4, "{usr}");
    assert!(!usr.contains("JDOE"));
    // Not a tree: usage error.
    let mst = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dirsync/MSTTRANS.GLB");
    let (code, _, err) = run(&[
        "export",
        mst.to_str().unwrap(),
        "--to",
        "csv",
        "--list",
        "pol",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--list needs a MAILDATA tree"));
    let (code, _, _) = run(&["export", t, "--to", "csv", "--list", "nope"]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&["export", t, "--to", "csv", "--list", "usr:ACME/NOWHERE"]);
    assert_eq!(code, 2);
}

#[test]
fn dump_usr_and_nme_files() {
    let fx = fixture();
    let usr = fx.join("USR/00000006.USR");
    let (code, out, err) = run(&["dump", usr.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Smith, Alice") && out.contains("BJONES"),
        "{out}"
    );
    let (code, out, _) = run(&["dump", usr.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "usr");
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    assert_eq!(v["columns"][0], "record");

    let nme = fx.join("NME/ADMIN.NME");
    let (code, out, _) = run(&["dump", nme.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("Doe, John"), "{out}");
    let (code, out, _) = run(&["dump", nme.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "nme");
    assert_eq!(v["rows"].as_array().unwrap().len(), 7);
    // A damaged NME: exit 3 naming the record.
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("ADMIN.NME");
    let mut b = std::fs::read(&nme).unwrap();
    b.push(0);
    std::fs::write(&p, b).unwrap();
    let (code, _, err) = run(&["dump", p.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(err.contains("record 7 at byte offset 315"), "{err}");
}

#[test]
fn generated_world_with_dirsync_files_inspects_clean() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("w");
    let (code, _, err) = run(&[
        "generate",
        "--out",
        out.to_str().unwrap(),
        "--postoffices",
        "2",
        "--users",
        "20",
        "--seed",
        "7",
    ]);
    assert_eq!(code, 0, "{err}");
    let server = out.join("server");
    assert!(server.join("GLB/MSTTRANS.GLB").exists());
    let (code, v) = inspect_json(&server);
    assert_eq!(code, 0, "{v:#}");
    assert!(findings(&v).is_empty(), "{v:#}");
    let kinds: Vec<&str> = v["inputs"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    for k in ["msttrans", "srvconf", "reqconf", "reqtrans"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    for r in std::fs::read_dir(out.join("requestors")).unwrap() {
        let (code, v) = inspect_json(&r.unwrap().path());
        assert_eq!(code, 0, "{v:#}");
    }
}

#[test]
fn what_only_the_strict_reader_sees_is_a_load_error() {
    let (_d, root) = tree_copy();
    // An ACCESS2 user with template data whose INF record number points past ADMIN.INF.
    let a2 = root.join("GLB/ACCESS2.GLB");
    let b = std::fs::read(&a2).unwrap();
    let i = b
        .chunks(69)
        .position(|r| r[52] & 4 != 0)
        .expect("a user with template data");
    patch(&a2, i * 69 + 57, &500u32.to_le_bytes());
    let (code, v) = inspect_json(&root);
    assert_eq!(code, 3, "{v:#}");
    let f = with_code(&v, "load-error");
    assert_eq!(f.len(), 1, "{v:#}");
    assert!(f[0]["file"].as_str().unwrap().ends_with("ACCESS2.GLB"));
    assert_eq!(f[0]["record"], i as u64);
    assert!(f[0]["message"]
        .as_str()
        .unwrap()
        .contains("INF record number 500"));
}
