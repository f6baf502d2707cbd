//! A hand-built tree → written → opened → the same directory; open → data →
//! write → open is stable and byte-identical; the committed fixture
//! `fixtures/tree/small/` is exactly what the writer makes of `tree::sample::small()`.

mod common;

use std::path::{Path, PathBuf};

use common::fs::file_contents as files;
use msmail::model::{Directory, EntryKind};
use msmail::source::LoadOptions;
use msmail::tree::{sample, write_tree, ListSelector, PostOffice};

fn same(a: &Directory, b: &Directory) {
    assert_eq!(a.len(), b.len());
    for e in a.iter() {
        let f = b
            .get(&e.key())
            .unwrap_or_else(|| panic!("{} missing", e.address));
        assert!(e.same_content(f), "{e:?} vs {f:?}");
    }
    assert_eq!(a.templates, b.templates);
}

fn strict() -> LoadOptions {
    LoadOptions::default()
}

#[test]
fn built_tree_opens_to_the_same_directory() {
    let data = sample::small();
    let dir = tempfile::tempdir().unwrap();
    let report = write_tree(&data, dir.path(), false).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let po = PostOffice::open(dir.path(), &strict()).unwrap();
    assert!(po.warnings.is_empty(), "{:?}", po.warnings);
    same(&data.directory(), &po.directory());
    same(&data.pol(), &po.pol());
    same(&data.gal(), &po.gal());

    // POL: excluded MMULLER left out; the group and both externals in.
    let pol = po.pol();
    assert_eq!(pol.len(), 3 + 1 + 2);
    assert!(pol.iter().all(|e| !e.address.body.ends_with("MMULLER")));
    // Everything: 4 users + 1 group + 3 BRANCH + 1 FAR + 1 SNADS = 10.
    assert_eq!(po.directory().len(), 10);
    let jdoe = po
        .directory()
        .iter()
        .find(|e| e.address.body == "ACME/HQ/JDOE")
        .cloned()
        .unwrap();
    assert_eq!(jdoe.template.len(), 2);
    assert_eq!(jdoe.template[0].value, "555-0100");
    // Group members through ADMIN.GRP, in order, external member included.
    let g = &po.data.groups[0];
    let members: Vec<String> = g.members.iter().map(|a| a.to_string()).collect();
    assert_eq!(
        members,
        [
            "PCM:ACME/HQ/JDOE",
            "PCM:ACME/HQ/MMULLER",
            "PCM:ACME/BRANCH/ASMITH"
        ]
    );
    // USR lists and their templates.
    let branch = po.usr_list("acme", "branch").unwrap();
    assert_eq!(branch.len(), 3);
    assert!(branch.iter().any(|e| e.kind == EntryKind::Group));
    assert_eq!(branch.templates.len(), 1);
    let snads = po.usr_list("SNADSGW", "DGN1").unwrap();
    assert_eq!(
        snads.iter().next().unwrap().address.to_string(),
        "SNADS:SNADSGW/DGN1/JOHNDOE"
    );
    assert!(po.usr_list("ACME", "NOPE").is_none());
    let ext = po.external_postoffices();
    assert_eq!(ext.len(), 3);
    assert!(ext[0].1.dirsync && !ext[1].1.dirsync);
    // GAL sorted case-insensitively on disk and complete.
    assert_eq!(po.gal().len(), 5);
    let gal_names: Vec<&str> = po.data.gal.iter().map(|e| e.full_name.as_str()).collect();
    let mut sorted = gal_names.clone();
    sorted.sort_by_key(|s| s.to_uppercase());
    assert_eq!(gal_names, sorted);
    // Selectors.
    assert_eq!(
        po.list(&ListSelector::parse("groups").unwrap())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        po.list(&ListSelector::parse("USR:ACME/FAR").unwrap())
            .unwrap()
            .len(),
        1
    );
    assert!(po.list(&ListSelector::parse("usr:X/Y").unwrap()).is_err());
    assert!(ListSelector::parse("usr:ACME").is_err());
    assert_eq!(po.dirsync_files(), Default::default());
}

#[test]
fn open_write_open_is_stable_and_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    write_tree(&sample::small(), a.path(), false).unwrap();
    let d1 = PostOffice::open(a.path(), &strict()).unwrap().into_data();
    let b = tempfile::tempdir().unwrap();
    write_tree(&d1, b.path(), false).unwrap();
    let d2 = PostOffice::open(b.path(), &strict()).unwrap().into_data();
    assert_eq!(d1, d2);
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    let changed: Vec<&String> = fa.keys().filter(|k| fa.get(*k) != fb.get(*k)).collect();
    assert!(changed.is_empty(), "{changed:?}");
    // Refuses to overwrite without force, replaces with force.
    assert!(write_tree(&d1, b.path(), false).is_err());
    write_tree(&d1, b.path(), true).unwrap();
}

#[test]
fn replacing_one_usr_list() {
    let a = tempfile::tempdir().unwrap();
    write_tree(&sample::small(), a.path(), false).unwrap();
    let mut data = PostOffice::open(a.path(), &strict()).unwrap().into_data();
    let list = vec![msmail::tree::UsrEntry {
        full_name: "New, Person".into(),
        mailbox: "NEWP".into(),
        ..Default::default()
    }];
    assert!(data.replace_usr_list("ACME", "FAR", list));
    assert!(!data.replace_usr_list("ACME", "NOWHERE", vec![]));
    let b = tempfile::tempdir().unwrap();
    write_tree(&data, b.path(), false).unwrap();
    let po = PostOffice::open(b.path(), &strict()).unwrap();
    let far = po.usr_list("ACME", "FAR").unwrap();
    assert_eq!(
        far.iter().next().unwrap().address.to_string(),
        "PCM:ACME/FAR/NEWP"
    );
    // Only the FAR USR file changed.
    let (fa, fb) = (files(a.path()), files(b.path()));
    let changed: Vec<&String> = fa.keys().filter(|k| fa.get(*k) != fb.get(*k)).collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].starts_with("USR/"));
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tree/small")
}

/// `MSMAIL_REGEN_FIXTURES=1 cargo test --test tree_roundtrip` rewrites the fixture.
#[test]
fn committed_fixture_matches_the_writer() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(&sample::small(), tmp.path(), false).unwrap();
    if std::env::var_os("MSMAIL_REGEN_FIXTURES").is_some() {
        let _ = std::fs::remove_dir_all(fixture());
        write_tree(&sample::small(), &fixture(), false).unwrap();
    }
    let (fa, fb) = (files(tmp.path()), files(&fixture()));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    let changed: Vec<&String> = fa.keys().filter(|k| fa.get(*k) != fb.get(*k)).collect();
    assert!(changed.is_empty(), "{changed:?}");
    let po = PostOffice::open(&fixture(), &strict()).unwrap();
    assert_eq!(po.directory().len(), 10);
}

#[test]
fn entries_name_the_record_they_came_from() {
    use msmail::model::Position;
    let dir = tempfile::tempdir().unwrap();
    write_tree(&sample::small(), dir.path(), false).unwrap();
    let po = PostOffice::open(dir.path(), &strict()).unwrap();
    let all = po.directory();
    let find =
        |d: &Directory, body: &str| d.iter().find(|e| e.address.body == body).cloned().unwrap();
    let jdoe = find(&all, "ACME/HQ/JDOE");
    assert!(jdoe.origin.file.ends_with("ACCESS2.GLB"));
    assert_eq!(
        jdoe.origin.position,
        Position::Record {
            index: 1,
            offset: 69
        }
    );
    let bob = find(&all, "ACME/BRANCH/BJONES");
    assert!(bob.origin.file.contains("USR"));
    assert_eq!(
        bob.origin.position,
        Position::Record {
            index: 1,
            offset: 53
        }
    );
    let sales = find(&all, "ACME/HQ/SALES");
    assert!(sales.origin.file.ends_with("GROUP.GLB"));
    assert_eq!(
        sales.origin.position,
        Position::Record {
            index: 0,
            offset: 4
        }
    );
    // The USR entry names its own record in every view that holds it.
    let bob_in_list = find(
        &po.usr_list("ACME", "BRANCH").unwrap(),
        "ACME/BRANCH/BJONES",
    );
    assert_eq!(bob_in_list.origin, bob.origin);
    let moved = PostOffice::open(dir.path(), &strict())
        .unwrap()
        .into_directory();
    assert_eq!(find(&moved, "ACME/BRANCH/BJONES").origin, bob.origin);
    let pol_jdoe = find(&po.pol(), "ACME/HQ/JDOE");
    assert!(pol_jdoe.origin.file.ends_with("ADMIN.NME"));
    let gal_bob = find(&po.gal(), "ACME/BRANCH/BJONES");
    assert!(gal_bob.origin.file.ends_with("GAL.NME"));
    assert_eq!(
        gal_bob.origin.position,
        Position::Record {
            index: 2,
            offset: 90
        }
    );
}

#[test]
fn usr_list_rebuilt_from_a_directory() {
    let mut data = sample::small();
    let mut dir = data.usr_list("ACME", "BRANCH").unwrap();
    dir.remove(&msmail::model::Address::pcm("ACME", "BRANCH", "BJONES").key());
    dir.upsert(msmail::model::Entry::new(
        "Zed, New",
        msmail::model::Address::pcm("acme", "branch", "ZNEW"),
    ));
    assert!(data.replace_usr_list_from("ACME", "BRANCH", &dir));
    let names: Vec<&str> = data
        .external("ACME", "BRANCH")
        .unwrap()
        .1
        .entries
        .iter()
        .map(|e| e.mailbox.as_str())
        .collect();
    assert_eq!(names, ["ASMITH", "STAFF", "ZNEW"]);
    let out = tempfile::tempdir().unwrap();
    write_tree(&data, out.path(), false).unwrap();
    let po = PostOffice::open(out.path(), &strict()).unwrap();
    let branch = po.usr_list("ACME", "BRANCH").unwrap();
    assert_eq!(branch.len(), 3);
    // Template data survives the rebuild.
    let alice = branch
        .iter()
        .find(|e| e.address.body.ends_with("ASMITH"))
        .unwrap();
    assert_eq!(alice.template[0].value, "Sales");
}

/// The GAL writer sorts local and external entries together by upper-case
/// name, then address key (equal ones in the GAL's order), gives the
/// external ones their GALNETPO records in that order, and leaves out (with
/// a warning each, in that order) the entries a binary list cannot hold: a
/// free-form address and a gateway address of a network the tree does not
/// know. Checked on the written bytes.
#[test]
fn gal_entries_a_binary_list_cannot_hold_are_left_out_in_name_order() {
    use msmail::model::Address;
    use msmail::tree::postoffice::ListEntry;
    let mut data = sample::small();
    let entry = |name: &str, address: Address| ListEntry {
        full_name: name.into(),
        address,
    };
    data.gal.push(entry(
        "Zed Free",
        Address::parse("SMTP:zed@example.com").unwrap(),
    ));
    data.gal.push(entry(
        "ann gate",
        Address::parse("PROFS:NOGATE/NODE/ANN").unwrap(),
    ));
    // The same name as an existing external entry, in another case and at
    // another address: ordered by key after it.
    data.gal.push(entry(
        "SMITH, ALICE",
        Address::pcm("ACME", "BRANCH", "ASMITH2"),
    ));
    let dir = tempfile::tempdir().unwrap();
    let report = write_tree(&data, dir.path(), false).unwrap();
    let left_out: Vec<&String> = report
        .warnings
        .iter()
        .filter(|w| w.starts_with("GAL:"))
        .collect();
    assert_eq!(left_out.len(), 2, "{:?}", report.warnings);
    assert!(left_out[0].contains("ann gate"), "{left_out:?}");
    assert!(left_out[1].contains("Zed Free"), "{left_out:?}");
    let po = PostOffice::open(dir.path(), &strict()).unwrap();
    let on_disk: Vec<(String, String)> = po
        .data
        .gal
        .iter()
        .map(|e| (e.full_name.to_string(), e.address.to_string()))
        .collect();
    assert_eq!(
        on_disk,
        [
            ("Doe, John", "PCM:ACME/HQ/JDOE"),
            ("Doe, John (SNADS)", "SNADS:SNADSGW/DGN1/JOHNDOE"),
            ("Jones, Bob", "PCM:ACME/BRANCH/BJONES"),
            ("Sales Team", "PCM:ACME/HQ/SALES"),
            ("Smith, Alice", "PCM:ACME/BRANCH/ASMITH"),
            ("SMITH, ALICE", "PCM:ACME/BRANCH/ASMITH2"),
        ]
        .map(|(n, a)| (n.to_string(), a.to_string()))
    );
    // One GALNETPO record per external entry held, in GAL order.
    let galnetpo = std::fs::read(dir.path().join("GLB/GALNETPO.GLB")).unwrap();
    assert_eq!(u32::from_le_bytes(galnetpo[..4].try_into().unwrap()), 4);
}
