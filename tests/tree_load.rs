//! Loading a tree: the consuming `into_directory()` (used by `export` and
//! `source::load_directory`) gives exactly what `directory()` gives, origins
//! included, and GAL-only entries name their GAL.NME record.

mod common;

use msmail::generate::trees::postoffice_data;
use msmail::generate::world::{World, WorldParams};
use msmail::model::{Address, Directory, Entry, Position};
use msmail::source::LoadOptions;
use msmail::tree::postoffice::ListEntry;
use msmail::tree::{sample, write_tree, PostOffice, PostOfficeData};

fn strict() -> LoadOptions {
    LoadOptions {
        salvage: false,
        ..Default::default()
    }
}

fn entries(d: &Directory) -> Vec<Entry> {
    d.sorted().into_iter().cloned().collect()
}

fn same_directories(dir: &std::path::Path) {
    let po = PostOffice::open(dir, &strict()).unwrap();
    let by_ref = po.directory();
    let data_view = po.data.directory();
    let moved = PostOffice::open(dir, &strict()).unwrap().into_directory();
    assert!(!by_ref.is_empty());
    assert_eq!(entries(&by_ref), entries(&moved));
    assert_eq!(by_ref.templates, moved.templates);
    same_as_open_for_directory(dir, &strict());
    // Without origins, the data's own view is the same list.
    let strip = |d: &Directory| {
        entries(d)
            .into_iter()
            .map(|mut e| {
                e.origin = msmail::model::Origin::none();
                e
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&by_ref), strip(&data_view));
    assert_eq!(
        entries(&data_view),
        entries(&po.clone().into_data().into_directory())
    );
    // Every entry names a record of a file.
    assert!(by_ref
        .iter()
        .all(|e| matches!(e.origin.position, Position::Record { .. })));
}

fn members(d: &Directory) -> Vec<(String, Vec<Address>)> {
    let mut m: Vec<_> = d
        .membership()
        .map(|(k, v)| (k.0.clone(), v.to_vec()))
        .collect();
    m.sort_by(|a, b| a.0.cmp(&b.0));
    m
}

/// `open_for_directory` (which keeps only the GAL entries no list holds)
/// gives what `open` gives: the same directory with origins, templates and
/// members, the same warnings and findings, or the same error.
fn same_as_open_for_directory(dir: &std::path::Path, options: &LoadOptions) {
    let Some((full, lean)) = opened_alike(dir, options, PostOffice::open_for_directory) else {
        return;
    };
    assert_eq!(full.unrepresentable, lean.unrepresentable);
    assert!(lean.data.gal.len() <= full.data.gal.len());
    let (want, got) = (full.into_directory(), lean.into_directory());
    assert_eq!(entries(&want), entries(&got), "{}", dir.display());
    assert_eq!(want.templates, got.templates);
    assert_eq!(members(&want), members(&got));
}

/// Opens `dir` with `PostOffice::open` and with `other`: both trees when
/// both read, with the same findings and warnings; `None` when both fail
/// with the same error (any other outcome fails the test).
fn opened_alike(
    dir: &std::path::Path,
    options: &LoadOptions,
    other: fn(&std::path::Path, &LoadOptions) -> msmail::error::Result<PostOffice>,
) -> Option<(PostOffice, PostOffice)> {
    match (PostOffice::open(dir, options), other(dir, options)) {
        (Ok(full), Ok(lean)) => {
            assert_eq!(full.findings, lean.findings, "{}", dir.display());
            assert_eq!(full.warnings, lean.warnings, "{}", dir.display());
            Some((full, lean))
        }
        (Err(f), Err(l)) => {
            assert_eq!(f.to_string(), l.to_string(), "{}", dir.display());
            None
        }
        (f, l) => panic!("{}: {:?} vs {:?}", dir.display(), f.err(), l.err()),
    }
}

fn with_gal_only_entries() -> PostOfficeData {
    let mut data = sample::small();
    for (name, mailbox) in [("Ghost, Gary", "GHOST"), ("Ghost, Again", "GHOST")] {
        data.gal.push(ListEntry {
            full_name: name.into(),
            address: Address::pcm("ACME", "BRANCH", mailbox),
        });
    }
    data
}

#[test]
fn into_directory_equals_directory_on_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(&with_gal_only_entries(), dir.path(), false).unwrap();
    same_directories(dir.path());
}

#[test]
fn into_directory_equals_directory_on_a_generated_server_tree() {
    let dir = generated_server_tree(6, 25, 3);
    same_directories(dir.path());
}

/// A generated world's server tree (every postoffice's USR list) in a
/// temporary folder.
fn generated_server_tree(postoffices: usize, users: usize, seed: u64) -> tempfile::TempDir {
    let world = World::new(WorldParams {
        postoffices,
        users,
        seed,
    });
    let view = |i: usize| world.pos.get(i).map(|p| &p.list);
    let data = postoffice_data(&world, 0, &world.pos[0].list, Some(&view));
    let dir = tempfile::tempdir().unwrap();
    write_tree(&data, dir.path(), false).unwrap();
    dir
}

#[test]
fn gal_only_entries_name_their_first_gal_record() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(&with_gal_only_entries(), dir.path(), false).unwrap();
    let po = PostOffice::open(dir.path(), &strict()).unwrap();
    let gal_nme = std::fs::read(dir.path().join("NME/GAL.NME")).unwrap();
    // The GAL is sorted by full name: find the records of both ghosts.
    let names: Vec<String> = gal_nme
        .chunks(45)
        .map(|r| msmail::tree::lists::nme_layout::FULL_NAME.get(r))
        .collect();
    let first = names
        .iter()
        .position(|n| n.starts_with("Ghost"))
        .expect("a ghost in GAL.NME");
    let key = Address::pcm("ACME", "BRANCH", "GHOST").key();
    for d in [po.directory(), po.gal(), po.clone().into_directory()] {
        let e = d.get(&key).expect("the GAL-only entry");
        assert!(e.origin.file.ends_with("GAL.NME"), "{}", e.origin);
        assert_eq!(
            e.origin.position,
            Position::Record {
                index: first as u64,
                offset: (first * 45) as u64
            }
        );
        assert_eq!(e.full_name, names[first]);
    }
}

/// Every tree under `root` (a folder holding `GLB/MASTER.GLB`), recursively.
fn trees_under(root: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if msmail::source::is_tree_folder(root) {
        out.push(root.to_path_buf());
    }
    for e in std::fs::read_dir(root).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            trees_under(&e.path(), out);
        }
    }
}

/// The reconcile load (`open_without_gal_entries` + `take_usr_list`) sees
/// what the full load sees: the same findings, warnings and USR lists, only
/// no GAL entries kept. Run over every tree of the fixtures, strict and
/// with --salvage.
#[test]
fn lean_open_and_taken_lists_equal_the_full_load() {
    let mut trees = Vec::new();
    trees_under(std::path::Path::new("fixtures"), &mut trees);
    assert!(trees.len() >= 5, "{trees:?}");
    for salvage in [false, true] {
        let options = LoadOptions {
            salvage,
            ..Default::default()
        };
        for dir in &trees {
            let opened = opened_alike(dir, &options, PostOffice::open_without_gal_entries);
            let Some((full, mut lean)) = opened else {
                continue;
            };
            assert!(lean.data.gal.is_empty());
            for (ni, net) in full.data.networks.iter().enumerate() {
                for (pi, po) in net.postoffices.iter().enumerate() {
                    let want = full.data.usr_list(&net.name, &po.name).unwrap();
                    let got = lean.data.take_usr_list(ni, pi).unwrap();
                    assert_eq!(entries(&want), entries(&got), "{}", dir.display());
                    assert_eq!(want.templates, got.templates);
                    assert!(lean.data.networks[ni].postoffices[pi].entries.is_empty());
                }
            }
        }
    }
}

/// `open_for_directory` over every tree of the fixtures, strict and with
/// --salvage, and over damaged GALNETPO files: what `open` gives.
#[test]
fn open_for_directory_equals_the_full_load() {
    let mut trees = Vec::new();
    trees_under(std::path::Path::new("fixtures"), &mut trees);
    assert!(trees.len() >= 5, "{trees:?}");
    let damaged = tempfile::tempdir().unwrap();
    for (i, damage) in [0u8, 1, 2].into_iter().enumerate() {
        let root = damaged.path().join(i.to_string());
        common::fs::copy_dir(std::path::Path::new("fixtures/tree/small"), &root);
        let galnetpo = root.join("GLB/GALNETPO.GLB");
        let mut b = std::fs::read(&galnetpo).unwrap();
        match damage {
            // Every record not in use: dangling pointers.
            0 => (4..b.len()).step_by(43).for_each(|at| b[at] = 0),
            // Cut in the middle of a record.
            1 => b.truncate(b.len() - 20),
            // One byte of a network name changed.
            _ => b[6] ^= 0x20,
        }
        std::fs::write(&galnetpo, b).unwrap();
        trees.push(root);
    }
    for salvage in [false, true] {
        let options = LoadOptions {
            salvage,
            ..Default::default()
        };
        for dir in &trees {
            same_as_open_for_directory(dir, &options);
        }
    }
}

/// GAL entries that repeat a list's address in another spelling (lower
/// case, another full name) are the list's entries: dropped by
/// `open_for_directory`, skipped by the directory view alike; a GAL-only
/// address and its repetition are kept.
#[test]
fn open_for_directory_drops_only_listed_gal_entries() {
    let mut data = with_gal_only_entries();
    for (name, ty, body) in [
        ("Smith, A.", "PCM", "acme/branch/asmith"),
        ("Local Doe", "PCM", "acme/hq/jdoe"),
        ("Staff again", "PCM", "ACME/Branch/Staff"),
    ] {
        data.gal.push(ListEntry {
            full_name: name.into(),
            address: Address {
                type_name: ty.into(),
                body: body.into(),
            },
        });
    }
    let dir = tempfile::tempdir().unwrap();
    write_tree(&data, dir.path(), false).unwrap();
    same_directories(dir.path());
    let full = PostOffice::open(dir.path(), &strict()).unwrap();
    let lean = PostOffice::open_for_directory(dir.path(), &strict()).unwrap();
    let kept: Vec<String> = lean.data.gal.iter().map(|x| x.address.key().0).collect();
    assert_eq!(kept, ["PCM:ACME/BRANCH/GHOST", "PCM:ACME/BRANCH/GHOST"]);
    assert!(full.data.gal.len() > kept.len() + 3);
}

/// The lean load checks the GAL's GALNETPO records without building their
/// addresses: on a GALNETPO.GLB whose records are not in use, or that is
/// missing, it fails or reports exactly as the full load does.
#[test]
fn lean_open_reports_galnetpo_damage_as_the_full_load() {
    let status_cleared = |root: &std::path::Path| {
        let path = root.join("GLB/GALNETPO.GLB");
        let mut b = std::fs::read(&path).unwrap();
        let mut at = 4;
        while at < b.len() {
            b[at] = 0;
            at += 43;
        }
        std::fs::write(&path, b).unwrap();
    };
    let removed = |root: &std::path::Path| {
        std::fs::remove_file(root.join("GLB/GALNETPO.GLB")).unwrap();
    };
    let damages: [&dyn Fn(&std::path::Path); 2] = [&status_cleared, &removed];
    for damage in damages {
        let tmp = tempfile::tempdir().unwrap();
        common::fs::copy_dir(std::path::Path::new("fixtures/tree/small"), tmp.path());
        damage(tmp.path());
        for salvage in [false, true] {
            let options = LoadOptions {
                salvage,
                ..Default::default()
            };
            let full = PostOffice::open(tmp.path(), &options);
            let lean = PostOffice::open_without_gal_entries(tmp.path(), &options);
            match (full, lean) {
                (Ok(f), Ok(l)) => {
                    assert_eq!(f.findings, l.findings);
                    assert_eq!(f.warnings, l.warnings);
                    assert!(!f.warnings.is_empty() || !f.findings.is_empty());
                }
                (Err(f), Err(l)) => assert_eq!(f.to_string(), l.to_string()),
                (f, l) => panic!("{:?} vs {:?}", f.err(), l.err()),
            }
        }
    }
}

/// External postoffices' lists are read beside each other, but what the
/// reader tells comes in XTN record order, as when they were read one by
/// one: with salvage, the warnings about damaged USR files follow the order
/// of the postoffices in the tree; strictly, the error names the first.
#[test]
fn damaged_lists_are_told_in_record_order() {
    let dir = generated_server_tree(12, 20, 5);
    // Every USR file loses its last 3 bytes: a truncated record each.
    let po = PostOffice::open(dir.path(), &strict()).unwrap();
    let mut in_order: Vec<String> = Vec::new();
    for net in &po.data.networks {
        for x in &net.postoffices {
            let Some(bag) = x.mailbag else { continue };
            let name = format!("{}.USR", msmail::tree::hex8(bag));
            let path = dir.path().join("USR").join(&name);
            let mut b = std::fs::read(&path).unwrap();
            if b.len() > 3 {
                b.truncate(b.len() - 3);
                std::fs::write(&path, b).unwrap();
                in_order.push(name);
            }
        }
    }
    assert!(in_order.len() >= 10, "{in_order:?}");
    let salvaged = PostOffice::open(
        dir.path(),
        &LoadOptions {
            salvage: true,
            ..Default::default()
        },
    )
    .unwrap();
    // (A list may be told twice: its truncated record, then its INF file.)
    let mut told: Vec<String> = salvaged
        .warnings
        .iter()
        .filter_map(|w| in_order.iter().find(|n| w.contains(n.as_str())).cloned())
        .collect();
    told.dedup();
    assert_eq!(told, in_order);
    let err = PostOffice::open(dir.path(), &strict())
        .unwrap_err()
        .to_string();
    assert!(err.contains(&in_order[0]), "{err}");
}

/// GAL.NME is decoded on every core in chunks of 65,536 records: on a GAL
/// longer than one chunk, every kept entry still names its own GAL.NME
/// record (record number and byte offset), in record order, and the GAL
/// holds as many entries as GAL.NME has records in use.
#[test]
fn gal_entries_past_the_first_chunk_name_their_records() {
    let dir = generated_server_tree(35, 2000, 9);
    let po = PostOffice::open(dir.path(), &strict()).unwrap();
    let gal = po.gal();
    let records = std::fs::metadata(dir.path().join("NME/GAL.NME"))
        .unwrap()
        .len()
        / 45;
    assert!(records > 65_536, "{records}");
    assert_eq!(po.data.gal.len() as u64, records);
    let mut expect = 0u64;
    for x in &po.data.gal {
        let e = gal.get(&x.address.key()).unwrap();
        if e.full_name != x.full_name {
            continue; // a later record of the same address (none expected)
        }
        match e.origin.position {
            Position::Record { index, offset } => {
                assert!(index >= expect, "{index} after {expect}");
                assert_eq!(offset, index * 45);
                expect = index;
            }
            ref p => panic!("{p:?}"),
        }
    }
    assert!(expect > 65_536);
}

/// GAL.NME is read a run of records at a time, framed by its length: a cut
/// file gives the error (strict) or the warning (salvage) that framing its
/// bytes gives, as for every record file; so does a bad status byte.
#[test]
fn a_cut_gal_nme_is_framed_as_any_record_file() {
    for (cut, flip) in [(20usize, false), (0, true)] {
        let tmp = tempfile::tempdir().unwrap();
        common::fs::copy_dir(std::path::Path::new("fixtures/tree/small"), tmp.path());
        let path = tmp.path().join("NME/GAL.NME");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - cut);
        if flip {
            bytes[45 * 2] = 7; // the third record's status byte
        }
        std::fs::write(&path, &bytes).unwrap();
        let shown = path.display().to_string();
        let strict_error = PostOffice::open(tmp.path(), &strict()).unwrap_err();
        let mut ctx = msmail::tree::Ctx::new(false);
        let framed = msmail::tree::frame_checked(
            &shown,
            &bytes,
            0,
            45,
            msmail::tree::lists::nme_layout::STATUS,
            &mut ctx,
        );
        assert_eq!(strict_error.to_string(), framed.unwrap_err().to_string());
        let salvaging = LoadOptions {
            salvage: true,
            ..Default::default()
        };
        let po = PostOffice::open(tmp.path(), &salvaging).unwrap();
        let mut ctx = msmail::tree::Ctx::new(true);
        msmail::tree::frame_checked(
            &shown,
            &bytes,
            0,
            45,
            msmail::tree::lists::nme_layout::STATUS,
            &mut ctx,
        )
        .unwrap();
        let told: Vec<&String> = ctx.warnings.iter().chain(&ctx.findings).collect();
        assert!(!told.is_empty());
        for w in told {
            assert!(po.warnings.contains(w), "{w:?} not in {:?}", po.warnings);
        }
    }
}
