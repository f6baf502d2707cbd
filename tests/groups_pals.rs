//! Groups with their members and personal address lists, read from a tree
//! written byte by byte from docs/formats.md (tests/handtree), from GIMPORT
//! files (the KB's samples), and carried through every export; CSV as a
//! SOURCE and the CSV → import → CSV round trip.

mod common;
mod handtree;

use std::path::Path;
use std::process::Output;

use common::cli::{run as msmail, run_stdin as msmail_stdin};
use msmail::export::csv::read_csv;
use msmail::model::{Address, Directory, EntryKind, Position};
use msmail::source::LoadOptions;
use msmail::tree::personal::personal_lists;
use msmail::tree::PostOffice;

fn key(a: &str) -> msmail::AddressKey {
    Address::parse(a).unwrap().key()
}

fn members(d: &Directory, group: &str) -> Vec<String> {
    d.members(&key(group))
        .unwrap_or_else(|| panic!("{group}: membership unknown"))
        .iter()
        .map(|a| a.to_string())
        .collect()
}

fn strict() -> LoadOptions {
    LoadOptions::default()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn tree_groups_resolve_through_admin_grp_and_nme_tids() {
    let t = handtree::tree();
    let po = PostOffice::open(t.path(), &strict()).unwrap();
    assert!(po.warnings.is_empty(), "{:?}", po.warnings);
    for d in [
        po.directory(),
        po.pol(),
        po.gal(),
        po.clone().into_directory(),
    ] {
        if d.is_empty() {
            continue; // no GAL.NME in this tree
        }
        assert_eq!(members(&d, "PCM:ACME/HQ/SALES"), handtree::SALES_MEMBERS);
        assert_eq!(members(&d, "PCM:ACME/HQ/TEAMB"), handtree::TEAMB_MEMBERS);
        assert!(members(&d, "PCM:ACME/HQ/EMPTY").is_empty());
        assert_eq!(
            d.get(&key("PCM:ACME/HQ/TEAMB")).unwrap().kind,
            EntryKind::Group
        );
        // Members are entries too, with their own kinds.
        let j = d.get(&key("SNADS:SNADSGW/DGN1/JOHNDOE")).unwrap();
        assert_eq!(j.full_name, "Doe, John (SNADS)");
    }
    let groups = po.list(&msmail::tree::ListSelector::Groups).unwrap();
    assert_eq!(groups.len(), 3);
    assert_eq!(
        members(&groups, "PCM:ACME/HQ/SALES"),
        handtree::SALES_MEMBERS
    );
    let d = po.directory();
    let a = d.get(&key("PCM:ACME/HQ/JAEGER")).unwrap();
    let t: Vec<(&str, &str)> = a
        .template
        .iter()
        .map(|t| (t.prompt.as_str(), t.value.as_str()))
        .collect();
    assert_eq!(
        t,
        vec![
            ("Phone #:", "+41 44 555 12 12"),
            ("Department:", "Sales"),
            ("Cost Center:", "4711")
        ]
    );
}

#[test]
fn mem_files_give_local_members_when_the_chain_is_gone() {
    let t = handtree::tree();
    std::fs::remove_file(t.path().join("GRP/ADMIN.GRP")).unwrap();
    std::fs::remove_file(t.path().join("GRP/ADMINSHD.GRP")).unwrap();
    let err = PostOffice::open(t.path(), &strict()).unwrap_err();
    assert!(
        err.to_string().contains("ADMIN.GRP, which is missing"),
        "{err}"
    );
    let po = PostOffice::open(
        t.path(),
        &LoadOptions {
            salvage: true,
            ..Default::default()
        },
    )
    .unwrap();
    let d = po.directory();
    assert_eq!(members(&d, "PCM:ACME/HQ/SALES"), vec!["PCM:ACME/HQ/JAEGER"]);
    assert_eq!(members(&d, "PCM:ACME/HQ/TEAMB"), handtree::TEAMB_MEMBERS);
    assert!(
        po.warnings
            .iter()
            .any(|w| w.contains("000000C9.MEM") && w.contains("taken from this MEM file")),
        "{:?}",
        po.warnings
    );
}

#[test]
fn mem_file_disagreeing_with_the_chain_is_a_finding() {
    let t = handtree::tree();
    std::fs::write(t.path().join("MEM/000000CA.MEM"), 0x11u32.to_le_bytes()).unwrap();
    let po = PostOffice::open(t.path(), &strict()).unwrap();
    assert!(
        po.findings.iter().any(|w| w.contains("000000CA.MEM")),
        "{:?}",
        po.findings
    );
    // The chain stays authoritative.
    assert_eq!(
        members(&po.directory(), "PCM:ACME/HQ/TEAMB"),
        handtree::TEAMB_MEMBERS
    );
}

#[test]
fn personal_lists_belong_to_the_user_whose_access2_names_the_mailbag() {
    let t = handtree::tree();
    let po = PostOffice::open(t.path(), &strict()).unwrap();
    let all = personal_lists(&po, None, false).unwrap();
    assert!(all.warnings.is_empty(), "{:?}", all.warnings);
    let owners: Vec<String> = all
        .lists
        .iter()
        .map(|l| l.owner.address.to_string())
        .collect();
    assert_eq!(owners, vec!["PCM:ACME/HQ/JAEGER", "PCM:ACME/HQ/JDOE"]);
    let jdoe = &all.lists[1];
    assert_eq!(jdoe.owner.full_name, "Doe, John D.");
    let got: Vec<(String, String)> = jdoe
        .directory
        .iter()
        .map(|e| (e.full_name.to_string(), e.address.to_string()))
        .collect();
    let want: Vec<(String, String)> = handtree::JDOE_PAL
        .iter()
        .map(|(n, a)| (n.to_string(), a.to_string()))
        .collect();
    assert_eq!(got, want);
    // Origins name the PAL's records (record 1 is a free slot).
    let anna = jdoe.directory.get(&key("PCM:ACME/HQ/JAEGER")).unwrap();
    assert!(
        anna.origin.file.ends_with("00000011.NME"),
        "{}",
        anna.origin
    );
    assert_eq!(
        anna.origin.position,
        Position::Record {
            index: 2,
            offset: 90
        }
    );
    assert_eq!(
        jdoe.directory.get(&key("PCM:ACME/HQ/TEAMB")).unwrap().kind,
        EntryKind::Group
    );
    let one = personal_lists(&po, Some("jaeger"), false).unwrap();
    assert_eq!(one.lists.len(), 1);
    assert_eq!(one.lists[0].directory.len(), handtree::JAEGER_PAL.len());
    // A user without a list file: an empty list and a warning.
    let none = personal_lists(&po, Some("MMULLER"), false).unwrap();
    assert!(none.lists[0].directory.is_empty());
    assert_eq!(none.warnings.len(), 1);
    assert!(personal_lists(&po, Some("NOBODY"), false).is_err());
}

#[test]
fn damaged_personal_list_is_an_error_or_a_reported_skip() {
    let t = handtree::tree();
    let p = t.path().join("NME/00000011.NME");
    let mut b = std::fs::read(&p).unwrap();
    b[4 * 45 + 32] = 0x77; // Team B's tid no longer names a group
    std::fs::write(&p, &b).unwrap();
    let po = PostOffice::open(t.path(), &strict()).unwrap();
    let err = personal_lists(&po, None, false).unwrap_err();
    assert!(
        err.to_string()
            .contains("00000011.NME: record 4 at byte offset 180"),
        "{err}"
    );
    let salvaged = personal_lists(&po, None, true).unwrap();
    assert_eq!(salvaged.lists[1].directory.len(), 3);
    assert!(salvaged.warnings.iter().any(|w| w.contains("record 4")));
    // Truncated: strict names the incomplete record; salvage reads the
    // intact records before it and says so.
    std::fs::write(&p, &b[..100]).unwrap();
    let err = personal_lists(&po, None, false).unwrap_err();
    assert!(
        err.to_string().contains("record 2 at byte offset 90"),
        "{err}"
    );
    let salvaged = personal_lists(&po, None, true).unwrap();
    assert_eq!(salvaged.lists[1].directory.len(), 1);
    assert!(salvaged
        .warnings
        .iter()
        .any(|w| w.contains("record 2 at byte offset 90")));
}

#[test]
fn export_lists_pals_and_one_pal() {
    let t = handtree::tree();
    let tree = t.path().to_str().unwrap();
    let csv = ok(&msmail(&["export", tree, "--list", "pals", "--to", "csv"]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "owner,full_name,address,type,network,postoffice,mailbox,kind,scope,members"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 5, "{csv}");
    assert!(rows[0].starts_with("PCM:ACME/HQ/JAEGER,Alice,PCM:ACME/BRANCH/ASMITH,"));
    assert!(
        rows.iter()
            .filter(|r| r.starts_with("PCM:ACME/HQ/JDOE,"))
            .count()
            == 4
    );
    let json = ok(&msmail(&[
        "export", tree, "--list", "pal:JDOE", "--to", "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["count"], 4);
    assert!(v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["owner"] == "PCM:ACME/HQ/JDOE"));
    // One user's list as import text (no owner needed).
    let text = ok(&msmail(&[
        "export", tree, "--list", "pal:JDOE", "--to", "import",
    ]));
    assert!(text.contains("A Bob (Branch)"), "{text}");
    let bad = msmail(&["export", tree, "--list", "pal:NOBODY", "--to", "csv"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = msmail(&["export", tree, "--list", "pals", "--to", "import"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn groups_travel_through_csv_json_ldif_and_gimport() {
    let t = handtree::tree();
    let tree = t.path().to_str().unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = |n: &str| work.path().join(n).to_str().unwrap().to_string();
    // CSV: the members column, read back as a SOURCE.
    ok(&msmail(&[
        "export",
        tree,
        "--to",
        "csv",
        "-o",
        &file("d.csv"),
    ]));
    let back = read_csv(&std::fs::read(file("d.csv")).unwrap(), "d.csv").unwrap();
    assert_eq!(members(&back, "PCM:ACME/HQ/SALES"), handtree::SALES_MEMBERS);
    // JSON members.
    let json = ok(&msmail(&["export", tree, "--to", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sales = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["address"] == "PCM:ACME/HQ/SALES")
        .unwrap();
    assert_eq!(sales["members"].as_array().unwrap().len(), 4);
    // GIMPORT out, and in again as a SOURCE (to LDIF): the same members.
    ok(&msmail(&[
        "export",
        tree,
        "--to",
        "gimport",
        "-o",
        &file("GROUPS.EXT"),
    ]));
    let g = std::fs::read(file("GROUPS.EXT")).unwrap();
    let text = String::from_utf8_lossy(&g);
    assert!(
        text.contains("\r\nG Sales Team                     PCM:ACME/HQ/SALES\r\nA J"),
        "{text}"
    );
    let d = msmail::gimport::read_path(Path::new(&file("GROUPS.EXT")), Default::default()).unwrap();
    assert_eq!(members(&d, "PCM:ACME/HQ/SALES"), handtree::SALES_MEMBERS);
    assert_eq!(members(&d, "PCM:ACME/HQ/TEAMB"), handtree::TEAMB_MEMBERS);
    let ldif = ok(&msmail(&["export", &file("GROUPS.EXT"), "--to", "ldif"]));
    let back = msmail::export::ldif::read_ldif_directory(&ldif, "x").unwrap();
    assert_eq!(members(&back, "PCM:ACME/HQ/SALES"), handtree::SALES_MEMBERS);
}

#[test]
fn kb_gimport_samples_read_to_their_meaning() {
    let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/kb");
    // Q99419, GIMPORT -f output: one group with the Administrator.
    let d = msmail::gimport::read_path(&kb.join("Q99419-GROUPS.EXT"), Default::default()).unwrap();
    assert_eq!(
        members(&d, "PCM:NET/PO/TestGroup"),
        vec!["PCM:NET/PO/Admin"]
    );
    assert_eq!(
        d.get(&key("PCM:NET/PO/TestGroup")).unwrap().full_name,
        "Test Group"
    );
    // Q99419 sample input: Group 1 is created and then purged (P names the
    // same address); Gateway Group 1 keeps its three gateway members.
    let d = msmail::gimport::read_path(&kb.join("Q99419-sample-input.txt"), Default::default())
        .unwrap();
    assert!(d.get(&key("PCM:network1/30po1/trial")).is_none());
    assert_eq!(
        members(&d, "PCM:network1/30po1/gtwygrp"),
        vec![
            "SMTP:user0@dummy.host.edu",
            "SNADS:SNADSNET/DGN1/user1",
            "PROFS:VMGATE/NODE1/user2"
        ]
    );
    assert_eq!(
        d.len(),
        6,
        "two users of the purged group, the group, its three members"
    );
    // Both are recognised as SOURCEs by content.
    for f in ["Q99419-GROUPS.EXT", "Q99419-sample-input.txt"] {
        assert_eq!(
            msmail::source::detect(&kb.join(f)).unwrap(),
            msmail::source::SourceKind::GroupFile,
            "{f}"
        );
    }
    // GRPUSERS.DAT (the IMPORT-compatible file) stays import text.
    assert_eq!(
        msmail::source::detect(&kb.join("Q99419-GRPUSERS.DAT")).unwrap(),
        msmail::source::SourceKind::ImportText
    );
}

/// A spreadsheet-made CSV in msmail's layout (users only, template columns,
/// rows in msmail's order so the round trip can compare bytes).
const SHEET: &str = "full_name,address,type,network,postoffice,mailbox,kind,scope,members,template:Phone:,template:Office:\r\n\
Garçon François,PCM:WEST/SEA/FGARCON,PCM,WEST,SEA,FGARCON,user,PCM:WEST/SEA,,,\r\n\
\"Doe, Jane\",PCM:WEST/SEA/JDOE,PCM,WEST,SEA,JDOE,user,PCM:WEST/SEA,,'+1 206 555 0100,B12\r\n\
Web Desk,SMTP:desk@example.com,SMTP,,,,user,SMTP:,,'=1+1,\r\n";

#[test]
fn csv_to_import_to_csv_keeps_the_directory() {
    let work = tempfile::tempdir().unwrap();
    let file = |n: &str| work.path().join(n).to_str().unwrap().to_string();
    std::fs::write(file("sheet.csv"), SHEET).unwrap();
    ok(&msmail(&[
        "export",
        &file("sheet.csv"),
        "--to",
        "import",
        "-o",
        &file("IMPORT.TXT"),
    ]));
    let import = std::fs::read(file("IMPORT.TXT")).unwrap();
    assert!(import.windows(4).any(|w| w == b"Gar\x87"), "CP850 ç");
    ok(&msmail(&[
        "export",
        &file("IMPORT.TXT"),
        "--to",
        "csv",
        "-o",
        &file("again.csv"),
    ]));
    assert_eq!(std::fs::read_to_string(file("again.csv")).unwrap(), SHEET);
    // The same through standard input.
    let out = msmail_stdin(&["export", "-", "--to", "import"], SHEET.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, import);
    // A tree's whole directory: every entry survives (import text has no
    // user/group marker, so groups come back as users, without members).
    let t = handtree::tree();
    ok(&msmail(&[
        "export",
        t.path().to_str().unwrap(),
        "--to",
        "csv",
        "-o",
        &file("tree.csv"),
    ]));
    ok(&msmail(&[
        "export",
        &file("tree.csv"),
        "--to",
        "import",
        "-o",
        &file("TREE.TXT"),
    ]));
    ok(&msmail(&[
        "export",
        &file("TREE.TXT"),
        "--to",
        "csv",
        "-o",
        &file("tree2.csv"),
    ]));
    let a = read_csv(&std::fs::read(file("tree.csv")).unwrap(), "a").unwrap();
    let b = read_csv(&std::fs::read(file("tree2.csv")).unwrap(), "b").unwrap();
    assert_eq!(a.len(), b.len());
    for e in a.iter() {
        let f = b.get(&e.key()).unwrap();
        assert_eq!((&f.full_name, &f.template), (&e.full_name, &e.template));
        assert_eq!(f.address.to_string(), e.address.to_string());
    }
}

#[test]
fn exchange_csv_is_a_source_and_errors_name_line_and_column() {
    let work = tempfile::tempdir().unwrap();
    let file = |n: &str| work.path().join(n).to_str().unwrap().to_string();
    let t = handtree::tree();
    ok(&msmail(&[
        "export",
        t.path().to_str().unwrap(),
        "--to",
        "csv",
        "--csv-profile",
        "exchange",
        "--no-formula-guard",
        "-o",
        &file("ex.csv"),
    ]));
    let text = std::fs::read_to_string(file("ex.csv")).unwrap();
    assert!(text.contains(",Jäger,JAEGER,~SERVER,,MS:ACME/HQ/JAEGER,,+41 44 555 12 12,Sales,Cost Center:/4711\r\n"), "{text}");
    let d = read_csv(text.as_bytes(), "ex.csv").unwrap();
    assert_eq!(members(&d, "PCM:ACME/HQ/TEAMB"), handtree::TEAMB_MEMBERS);
    let json = ok(&msmail(&["export", &file("ex.csv"), "--to", "json"]));
    assert!(json.contains("\"address\":\"PCM:ACME/HQ/JAEGER\""));
    std::fs::write(
        file("bad.csv"),
        "full_name,address,kind\r\nA,PCM:N/P/A,user\r\nB,PCM:N/P/B,robot\r\n",
    )
    .unwrap();
    let out = msmail(&["export", &file("bad.csv"), "--to", "json"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv: line 3, column 13: kind \"robot\""),
        "{err}"
    );
}

#[test]
fn csv_flags_formula_guard_and_bom() {
    let t = handtree::tree();
    let tree = t.path().to_str().unwrap();
    let guarded = ok(&msmail(&["export", tree, "--to", "csv"]));
    assert!(guarded.contains(",'+41 44 555 12 12,"));
    let plain = msmail(&["export", tree, "--to", "csv", "--no-formula-guard", "--bom"]);
    assert!(plain.status.success());
    assert!(plain.stdout.starts_with(b"\xEF\xBB\xBF"));
    assert!(String::from_utf8_lossy(&plain.stdout).contains(",+41 44 555 12 12,"));
    let bad = msmail(&["export", tree, "--to", "json", "--bom"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = msmail(&["export", tree, "--to", "ldif", "--schema", "ad"]);
    assert_eq!(bad.status.code(), Some(2), "AD needs --base-dn");
}
