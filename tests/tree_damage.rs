//! Damaged trees: every structural problem is a precise `Error::Input`
//! (file, record, byte offset) in strict mode, or a reported warning with
//! salvage; nothing is dropped silently.

use std::path::{Path, PathBuf};

use msmail::error::{Error, Location};
use msmail::source::{self, LoadOptions, SourceKind};
use msmail::tree::{sample, write_tree, PostOffice};

fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write_tree(&sample::small(), d.path(), false).unwrap();
    d
}

fn patch(dir: &Path, rel: &str, f: impl FnOnce(&mut Vec<u8>)) {
    let p = dir.join(rel);
    let mut b = std::fs::read(&p).unwrap();
    f(&mut b);
    std::fs::write(&p, b).unwrap();
}

fn strict(dir: &Path) -> Error {
    PostOffice::open(dir, &LoadOptions::default()).unwrap_err()
}

fn salvage(dir: &Path) -> PostOffice {
    PostOffice::open(
        dir,
        &LoadOptions {
            salvage: true,
            ..LoadOptions::default()
        },
    )
    .unwrap()
}

fn input(e: &Error) -> (&str, &Location, &str) {
    match e {
        Error::Input {
            file,
            location,
            message,
        } => (file.as_str(), location, message.as_str()),
        other => panic!("not an input error: {other}"),
    }
}

#[test]
fn truncated_access2_names_record_and_offset() {
    let d = tree();
    patch(d.path(), "GLB/ACCESS2.GLB", |b| b.truncate(69 * 2 + 10));
    let e = strict(d.path());
    let (file, loc, _) = input(&e);
    assert!(file.ends_with("ACCESS2.GLB"));
    assert_eq!(
        *loc,
        Location::Record {
            index: 2,
            offset: 138
        }
    );
    assert_eq!(e.exit_code(), 3);
}

#[test]
fn access_counts_must_agree() {
    let d = tree();
    patch(d.path(), "GLB/ACCESS3.GLB", |b| b.truncate(512 * 3));
    // A cross-file inconsistency: a finding, not a refusal (issue 12).
    let po = PostOffice::open(d.path(), &LoadOptions::default()).unwrap();
    assert_eq!(po.findings.len(), 1, "{:?}", po.findings);
    assert!(
        po.findings[0].contains("3 records, ACCESS2.GLB has 4"),
        "{:?}",
        po.findings
    );
    assert_eq!(po.directory().len(), 10);
}

#[test]
fn shadow_must_equal_admin_nme() {
    let d = tree();
    patch(d.path(), "NME/ADMINSHD.NME", |b| b[45 + 5] ^= 0x20);
    // A finding with file, record and offset; ADMIN.NME is read (issue 12).
    let po = PostOffice::open(d.path(), &LoadOptions::default()).unwrap();
    assert_eq!(po.findings.len(), 1, "{:?}", po.findings);
    let f = &po.findings[0];
    assert!(f.contains("ADMINSHD.NME"), "{f}");
    assert!(f.contains("record 1 at byte offset 50"), "{f}");
    assert!(f.contains("differs from ADMIN.NME"), "{f}");
    assert_eq!(po.directory().len(), 10);
}

#[test]
fn dangling_pointer_is_an_error_or_a_reported_skip() {
    let d = tree();
    for rel in ["NME/ADMIN.NME", "NME/ADMINSHD.NME"] {
        // Record 0 (Administrator, kind 1): pointer 0 → 5 (not a record start).
        patch(d.path(), rel, |b| b[38] = 5);
    }
    let e = strict(d.path());
    let (file, loc, msg) = input(&e);
    assert!(file.ends_with("ADMIN.NME"));
    assert_eq!(
        *loc,
        Location::Record {
            index: 0,
            offset: 0
        }
    );
    assert!(msg.contains("dangling pointer 5"), "{msg}");
    let po = salvage(d.path());
    assert!(po.warnings.iter().any(|w| w.contains("dangling pointer 5")));
    // The user is still known from ACCESS2 (reported, not in the POL's NME).
    assert!(po
        .warnings
        .iter()
        .any(|w| w.contains("ADMIN has no ADMIN.NME entry")));
}

#[test]
fn cyclic_group_chain_is_detected() {
    let d = tree();
    for rel in ["GRP/ADMIN.GRP", "GRP/ADMINSHD.GRP"] {
        // Node 3 (the last member) points back to node 1.
        patch(d.path(), rel, |b| b[28] = 8);
    }
    let e = strict(d.path());
    let (file, loc, msg) = input(&e);
    assert!(file.ends_with("ADMIN.GRP"));
    assert_eq!(
        *loc,
        Location::Record {
            index: 3,
            offset: 24
        }
    );
    assert!(msg.contains("loops back"));
    let po = salvage(d.path());
    assert_eq!(po.data.groups[0].members.len(), 3);
    assert_eq!(po.warnings.len(), 1);
}

#[test]
fn bad_status_byte_in_a_usr_list() {
    let d = tree();
    let usr = first(d.path(), "USR");
    patch(d.path(), &usr, |b| b[53] = 0x07);
    let e = strict(d.path());
    let (_, loc, msg) = input(&e);
    assert_eq!(
        *loc,
        Location::Record {
            index: 1,
            offset: 53
        }
    );
    assert!(msg.contains("status byte 0x07"));
    let po = salvage(d.path());
    assert_eq!(po.directory().len(), 10, "BJONES still comes from the GAL");
    assert_eq!(po.usr_list("ACME", "BRANCH").unwrap().len(), 2);
}

fn first(dir: &Path, sub: &str) -> String {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    format!("{sub}/{}", v[0].file_name().unwrap().to_string_lossy())
}

#[test]
fn missing_files() {
    let d = tree();
    std::fs::remove_file(d.path().join("GLB/MASTER.GLB")).unwrap();
    let e = strict(d.path());
    assert_eq!(*input(&e).1, Location::File);
    assert!(e.to_string().contains("MASTER.GLB"));

    let d = tree();
    std::fs::remove_file(d.path().join("GLB/ACCESS.GLB")).unwrap();
    assert!(strict(d.path()).to_string().contains("ACCESS.GLB"));

    // A USR list not written yet is a warning, not an error.
    let d = tree();
    let usr = first(d.path(), "USR");
    std::fs::remove_file(d.path().join(&usr)).unwrap();
    let po = PostOffice::open(d.path(), &LoadOptions::default()).unwrap();
    assert_eq!(po.warnings.len(), 1, "{:?}", po.warnings);
    assert_eq!(po.usr_list("ACME", "BRANCH").unwrap().len(), 0);
}

#[test]
fn wrong_size_of_a_size_only_file() {
    let d = tree();
    patch(d.path(), "GLB/CONTROL.GLB", |b| b.push(0));
    let e = strict(d.path());
    assert!(
        e.to_string()
            .contains("CONTROL.GLB: whole file: wrong size 9"),
        "{e}"
    );
}

#[test]
fn gateway_entries_of_a_long_form_network_are_counted() {
    let d = tree();
    // NETWORK.GLB record 1 (SNADSGW): kind 2 → 3.
    patch(d.path(), "GLB/NETWORK.GLB", |b| b[122 + 12] = 3);
    let po = PostOffice::open(d.path(), &LoadOptions::default()).unwrap();
    assert_eq!(po.unrepresentable, 2, "{:?}", po.warnings); // POL + GAL
    assert!(po.warnings.iter().all(|w| w.contains("not representable")));
    assert_eq!(po.pol().len(), 5);
}

#[test]
fn names_match_case_insensitively_and_source_detects_trees() {
    let d = tree();
    // Lower-case every folder and file name.
    for sub in std::fs::read_dir(d.path()).unwrap() {
        let sub = sub.unwrap().path();
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            let lower = f.file_name().unwrap().to_string_lossy().to_lowercase();
            std::fs::rename(&f, sub.join(lower)).unwrap();
        }
        let lower = sub.file_name().unwrap().to_string_lossy().to_lowercase();
        std::fs::rename(&sub, d.path().join(lower)).unwrap();
    }
    assert_eq!(source::detect(d.path()).unwrap(), SourceKind::Tree);
    let loaded = source::load_directory(d.path(), &LoadOptions::default()).unwrap();
    assert_eq!(loaded.directory.len(), 10);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

#[test]
fn garbage_never_panics() {
    // Every file of the tree replaced by bytes of a wrong shape: always an error
    // or a warning, never a panic.
    let base = tree();
    let mut rels = Vec::new();
    for sub in std::fs::read_dir(base.path()).unwrap() {
        let sub = sub.unwrap().path();
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            rels.push(f.strip_prefix(base.path()).unwrap().to_path_buf());
        }
    }
    rels.sort();
    for rel in rels {
        for garbage in [vec![], vec![0xFF; 7], vec![0x01; 700]] {
            let d = tree();
            std::fs::write(d.path().join(&rel), &garbage).unwrap();
            let _ = PostOffice::open(d.path(), &LoadOptions::default());
            let _ = PostOffice::open(
                d.path(),
                &LoadOptions {
                    salvage: true,
                    ..LoadOptions::default()
                },
            );
        }
    }
}

#[test]
fn single_list_files_inside_a_tree_are_sources() {
    let d = tree();
    let nme = d.path().join("NME/ADMIN.NME");
    assert_eq!(source::detect(&nme).unwrap(), SourceKind::TreeList);
    let pol = source::load_directory(&nme, &LoadOptions::default()).unwrap();
    assert_eq!(pol.directory.len(), 6);
    let gal =
        source::load_directory(&d.path().join("NME/GAL.NME"), &LoadOptions::default()).unwrap();
    assert_eq!(gal.directory.len(), 5);
    let usr = d.path().join(first(d.path(), "USR"));
    let list = source::load_directory(&usr, &LoadOptions::default()).unwrap();
    assert_eq!(list.directory.len(), 3);
    assert!(list
        .directory
        .iter()
        .all(|e| e.address.body.starts_with("ACME/BRANCH/")));
    // A USR whose mailbag no XTN record names.
    let stray = d.path().join("USR/0000ABCD.USR");
    std::fs::copy(&usr, &stray).unwrap();
    let e = source::load_directory(&stray, &LoadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("no XTN record"), "{e}");
    // Outside a tree it is not a tree list.
    let lone = tempfile::tempdir().unwrap();
    std::fs::create_dir(lone.path().join("NME")).unwrap();
    std::fs::copy(&nme, lone.path().join("NME/ADMIN.NME")).unwrap();
    // (and, being binary, it is refused rather than read as import text).
    let lone_kind = source::detect(&lone.path().join("NME/ADMIN.NME"));
    assert!(!matches!(lone_kind, Ok(SourceKind::TreeList)));
    assert_eq!(lone_kind.unwrap_err().exit_code(), 3);
}

#[test]
fn mem_file_disagreeing_with_the_chain_is_reported() {
    let d = tree();
    let mem = first(d.path(), "MEM");
    patch(d.path(), &mem, |b| b.truncate(4));
    let po = PostOffice::open(d.path(), &LoadOptions::default()).unwrap();
    assert_eq!(po.findings.len(), 1, "{:?}", po.findings);
    assert!(po.findings[0].contains("1 local member mailbags"));
    patch(d.path(), &mem, |b| b.push(1));
    assert!(strict(d.path()).to_string().contains("MEM"));
}

#[test]
fn unknown_master_version() {
    let d = tree();
    patch(d.path(), "GLB/MASTER.GLB", |b| b[1] = 0x09);
    let e = strict(d.path());
    assert!(e.to_string().contains("unknown version 0x0920"), "{e}");
    let po = salvage(d.path());
    assert_eq!(po.warnings.len(), 1);
    assert_eq!(po.data.version, 0x0920);
    assert_eq!(po.directory().len(), 10);
}

#[test]
fn external_groups_stay_groups_in_the_gal() {
    let mut data = sample::small();
    data.gal.push(msmail::tree::postoffice::ListEntry {
        full_name: "Branch Staff".into(),
        address: msmail::model::Address::pcm("ACME", "BRANCH", "STAFF"),
    });
    let d = tempfile::tempdir().unwrap();
    write_tree(&data, d.path(), false).unwrap();
    let po = PostOffice::open(d.path(), &LoadOptions::default()).unwrap();
    let gal = po.gal();
    let staff = gal
        .iter()
        .find(|e| e.address.body.ends_with("STAFF"))
        .unwrap();
    assert_eq!(staff.kind, msmail::model::EntryKind::Group);
}

#[test]
fn wrong_size_of_a_mailbag_file() {
    let d = tree();
    let mbg = first(d.path(), "MBG");
    patch(d.path(), &mbg, |b| b.extend([0u8; 100]));
    let e = strict(d.path());
    assert!(
        e.to_string()
            .contains("wrong size 100 bytes (MultipleOf(116))"),
        "{e}"
    );
    assert_eq!(salvage(d.path()).warnings.len(), 1);
}
