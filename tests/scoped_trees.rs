//! `msmail export TREE --to csv` and `msmail diff TREE TREE` work a scope at
//! a time (`tree::scoped`): their output must be that of the whole-directory
//! path (load the tree whole, then write or compare), on trees built byte by
//! byte from docs/formats.md, on the fixtures' trees and on generated trees
//! with gateways, repeated template prompts, POL externals and GAL-only
//! entries; and the CSV of an independent scenario's server tree holds
//! exactly what its answer key says the backup's lists hold.

mod common;
mod handtree;

use std::collections::BTreeMap;
use std::path::Path;

use common::scenario;
use msmail::convert::{export_tree, Message, ScopedOutput};
use msmail::diff::DirectoryDiff;
use msmail::export::csv::{write_csv_with, CsvOptions, CsvProfile};
use msmail::model::{Address, EntryKind, TemplateField, TemplateValue};
use msmail::source::{load_directory, LoadOptions};
use msmail::tree::postoffice::ListEntry;
use msmail::tree::scoped::ScopedTree;
use msmail::tree::{
    write_tree, ExternalPostOffice, LocalUser, NetworkData, PostOfficeData, UsrEntry,
};
use proptest::prelude::*;

/// The CSV of the whole-directory path, and what loading told.
fn whole_csv(tree: &Path, options: &LoadOptions) -> (Vec<u8>, Vec<String>) {
    let loaded = load_directory(tree, options).unwrap();
    let mut out = Vec::new();
    write_csv_with(
        &loaded.directory,
        &mut out,
        &CsvOptions::new(CsvProfile::Default),
    )
    .unwrap();
    (out, loaded.warnings)
}

/// The CSV of the scoped path through the library, what it told, and
/// whether the tree split by scope.
fn scoped_csv(tree: &Path, options: &LoadOptions) -> (Vec<u8>, Vec<String>, bool) {
    let mut scoped = ScopedTree::open(tree, options).unwrap();
    let warnings = std::mem::take(&mut scoped.warnings);
    let partitioned = scoped.partitioned();
    let mut out = Vec::new();
    let mut told = Vec::new();
    export_tree(
        scoped,
        "tree",
        ScopedOutput::Csv(&CsvOptions::new(CsvProfile::Default)),
        &mut out,
        &mut |m| {
            if let Message::Warn(w) = m {
                told.push(w);
            }
        },
    )
    .unwrap();
    let mut all = warnings;
    all.extend(told);
    (out, all, partitioned)
}

/// NDJSON of the whole load, and of the scoped path.
fn ndjson_both(tree: &Path) -> (Vec<u8>, Vec<u8>) {
    let options = LoadOptions::default();
    let mut whole = Vec::new();
    msmail::export::json::write_json(
        &load_directory(tree, &options).unwrap().directory,
        &mut whole,
        true,
    )
    .unwrap();
    let mut scoped = Vec::new();
    let t = ScopedTree::open(tree, &options).unwrap();
    export_tree(t, "tree", ScopedOutput::Ndjson, &mut scoped, &mut |_| {}).unwrap();
    (whole, scoped)
}

/// Two trees compared a scope at a time, and their whole directories compared.
fn both_diffs(a: &Path, b: &Path) -> (DirectoryDiff, DirectoryDiff) {
    let options = LoadOptions::default();
    let whole = msmail::diff::diff_directories(
        &load_directory(a, &options).unwrap().directory,
        &load_directory(b, &options).unwrap().directory,
    );
    let scoped = msmail::diff::diff_trees(
        ScopedTree::open(a, &options).unwrap(),
        ScopedTree::open(b, &options).unwrap(),
    )
    .unwrap();
    (scoped, whole)
}

/// `msmail export TREE --to csv` to standard output.
fn cli_csv(tree: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["export", tree.to_str().unwrap(), "--to", "csv"];
    args.extend_from_slice(extra);
    common::cli::run(&args)
}

fn field(prompt: &str) -> TemplateField {
    TemplateField {
        prompt: prompt.into(),
        start: 10,
        width: 12,
        edit: "A".into(),
        data: String::new(),
        internal: String::new(),
        written_fields: 6,
    }
}

fn value(prompt: &str, v: &str) -> TemplateValue {
    TemplateValue {
        prompt: prompt.into(),
        value: v.into(),
    }
}

#[test]
fn the_hand_built_tree_and_the_sample_export_as_when_loaded_whole() {
    let hand = handtree::tree();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let (small, restored) = (root.join("tree/small"), root.join("restore/server"));
    let generated = root.join("generated/server");
    for tree in [hand.path(), &small, &restored, &generated] {
        let options = LoadOptions::default();
        let (whole, told_whole) = whole_csv(tree, &options);
        let (scoped, told_scoped, _) = scoped_csv(tree, &options);
        assert_eq!(
            String::from_utf8_lossy(&scoped),
            String::from_utf8_lossy(&whole),
            "{}",
            tree.display()
        );
        // Loading tells the same; the scoped path adds only limit lines.
        assert!(told_scoped.starts_with(&told_whole), "{told_scoped:?}");
        let o = cli_csv(tree, &[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.stdout, whole, "{}", tree.display());
        let (whole_nd, scoped_nd) = ndjson_both(tree);
        assert_eq!(scoped_nd, whole_nd, "{}", tree.display());
        let o = common::cli::run(&[
            "export",
            tree.to_str().unwrap(),
            "--format",
            "json",
            "--ndjson",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.stdout, whole_nd, "{}", tree.display());
    }
}

/// Reads a default-profile CSV with the `csv` crate (not msmail's reader):
/// key → (full name, group, sorted template pairs).
type Content = (String, bool, Vec<(String, String)>);

fn content_of_csv(bytes: &[u8]) -> BTreeMap<String, Content> {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (name, address, kind) = (col("full_name"), col("address"), col("kind"));
    let mut out = BTreeMap::new();
    for row in r.records() {
        let row = row.unwrap();
        let mut template: Vec<(String, String)> = Vec::new();
        for (h, v) in header.iter().zip(row.iter()) {
            // `template:PROMPT` or `template#N:PROMPT`; the formula guard's
            // leading apostrophe is the writer's, not the value's.
            let Some(rest) = h.strip_prefix("template") else {
                continue;
            };
            let prompt = rest.split_once(':').map(|(_, p)| p).unwrap_or(rest);
            if !v.is_empty() {
                let v = v
                    .strip_prefix('\'')
                    .filter(|s| s.starts_with(['+', '-', '=', '@']))
                    .unwrap_or(v);
                template.push((prompt.to_string(), v.to_string()));
            }
        }
        template.sort();
        let key = row[address].to_uppercase();
        out.insert(
            key,
            (row[name].to_string(), &row[kind] == "group", template),
        );
    }
    out
}

#[test]
fn an_independent_server_tree_exports_its_backup_lists() {
    for seed in 1..=4 {
        let sc = scenario::build(seed);
        let o = cli_csv(&sc.server, &[]);
        assert!(
            o.status.success(),
            "seed {seed}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let (whole, _) = whole_csv(&sc.server, &LoadOptions::default());
        assert_eq!(o.stdout, whole, "seed {seed}: scoped and whole CSV differ");
        let got = content_of_csv(&o.stdout);
        let want: BTreeMap<String, Content> = sc
            .truth
            .backup_lists
            .iter()
            .map(|(k, e)| (k.clone(), (e.name.clone(), e.group, e.template_set())))
            .collect();
        let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
        assert!(missing.is_empty(), "seed {seed}: not exported: {missing:?}");
        for (k, w) in &want {
            assert_eq!(got.get(k), Some(w), "seed {seed}: {k}");
        }
    }
}

/// A tree with two MS Mail postoffices (one template repeats a prompt when
/// `repeat`), a 10/10/10 gateway list, POL externals and GAL-only entries.
fn varied_tree(
    users: &[(String, String, Option<String>)],
    lists: &[Vec<(String, String, Option<String>)>],
    gateway: &[(String, String)],
    gal_only: &[(String, String)],
    repeat: bool,
) -> PostOfficeData {
    let mut d = PostOfficeData::new("NET", "HQ");
    d.local_template = vec![field("Phone:")];
    for (mb, n, phone) in users {
        let mut u = LocalUser::new(mb.clone(), n.clone());
        if let Some(p) = phone {
            u.template = vec![value("Phone:", p)];
        }
        d.users.push(u);
    }
    let mut postoffices = Vec::new();
    for (i, list) in lists.iter().enumerate() {
        let template = if repeat && i == 0 {
            vec![field("Room:"), field("Room:")]
        } else {
            vec![field("Room:")]
        };
        postoffices.push(ExternalPostOffice {
            name: format!("PO{i}"),
            connection: 1,
            template,
            entries: list
                .iter()
                .map(|(mb, n, room)| UsrEntry {
                    full_name: n.as_str().into(),
                    mailbox: mb.as_str().into(),
                    kind: EntryKind::User,
                    template: match room {
                        Some(r) if repeat && i == 0 => vec![value("Room:", r), value("Room:", "2")],
                        Some(r) => vec![value("Room:", r)],
                        None => vec![],
                    },
                })
                .collect(),
            ..Default::default()
        });
    }
    d.networks.push(NetworkData {
        name: "NET".into(),
        kind: 1,
        address_type: "PCM".into(),
        xtn_prefix: None,
        postoffices,
    });
    d.networks.push(NetworkData {
        name: "GATE".into(),
        kind: 2,
        address_type: "PROFS".into(),
        xtn_prefix: None,
        postoffices: vec![ExternalPostOffice {
            name: "NODE".into(),
            connection: 1,
            entries: gateway
                .iter()
                .map(|(mb, n)| UsrEntry {
                    full_name: n.as_str().into(),
                    mailbox: mb.as_str().into(),
                    kind: EntryKind::User,
                    template: vec![],
                })
                .collect(),
            ..Default::default()
        }],
    });
    // The GAL: every local user, then entries of other postoffices no list holds.
    d.gal = d
        .users
        .iter()
        .map(|u| ListEntry {
            full_name: u.full_name.clone(),
            address: d.local_address(&u.mailbox),
        })
        .collect();
    for (mb, n) in gal_only {
        d.gal.push(ListEntry {
            full_name: n.as_str().into(),
            address: Address::pcm("NET", "FAR", mb),
        });
    }
    d
}

fn mailbox() -> impl Strategy<Value = String> {
    "[A-Z][A-Z0-9]{0,7}"
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-zéü][a-z ,.éü]{0,12}[a-z]"
}

fn person() -> impl Strategy<Value = (String, String, Option<String>)> {
    (mailbox(), name(), proptest::option::of("[0-9]{1,5}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Two trees compared a scope at a time give the report of the whole
    /// directories compared (template definitions changed too).
    #[test]
    fn the_scoped_diff_is_the_whole_directory_diff(
        users in proptest::collection::vec(person(), 0..5),
        lists_a in proptest::collection::vec(proptest::collection::vec(person(), 0..5), 0..4),
        lists_b in proptest::collection::vec(proptest::collection::vec(person(), 0..5), 0..4),
        gateway in proptest::collection::vec((mailbox(), name()), 0..3),
        gal_only in proptest::collection::vec((mailbox(), name()), 0..3),
        repeat in any::<bool>(),
    ) {
        let a = varied_tree(&users, &lists_a, &gateway, &gal_only, false);
        let b = varied_tree(&users, &lists_b, &[], &gal_only[..gal_only.len() / 2], repeat);
        let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        write_tree(&a, da.path(), false).unwrap();
        write_tree(&b, db.path(), false).unwrap();
        let (scoped, whole) = both_diffs(da.path(), db.path());
        prop_assert_eq!(scoped, whole);
    }

    /// Whatever the tree holds, the scoped CSV is the whole-directory CSV;
    /// a repeated template prompt (a column no template defines) makes the
    /// scoped path load the tree whole, with the same bytes.
    #[test]
    fn the_scoped_csv_is_the_whole_directory_csv(
        users in proptest::collection::vec(person(), 0..6),
        lists in proptest::collection::vec(proptest::collection::vec(person(), 0..6), 0..4),
        gateway in proptest::collection::vec((mailbox(), name()), 0..4),
        gal_only in proptest::collection::vec((mailbox(), name()), 0..4),
        repeat in any::<bool>(),
    ) {
        let d = varied_tree(&users, &lists, &gateway, &gal_only, repeat);
        let dir = tempfile::tempdir().unwrap();
        write_tree(&d, dir.path(), false).unwrap();
        let options = LoadOptions::default();
        let (whole, told_whole) = whole_csv(dir.path(), &options);
        let (scoped, told_scoped, _) = scoped_csv(dir.path(), &options);
        prop_assert_eq!(String::from_utf8_lossy(&scoped), String::from_utf8_lossy(&whole));
        prop_assert!(told_scoped.starts_with(&told_whole));
        // NDJSON too: the parts' lines one after another.
        let (whole_nd, scoped_nd) = ndjson_both(dir.path());
        prop_assert_eq!(String::from_utf8_lossy(&scoped_nd), String::from_utf8_lossy(&whole_nd));
        // The parts are the whole directory cut by scope, in scope order.
        let tree = ScopedTree::open(dir.path(), &options).unwrap();
        prop_assert!(tree.partitioned());
        let loaded = load_directory(dir.path(), &options).unwrap().directory;
        let whole_sorted: Vec<_> = loaded.sorted().into_iter().cloned().collect();
        let mut parts = Vec::new();
        for i in 0..tree.part_count() {
            parts.extend(tree.part(i).unwrap().sorted().into_iter().cloned());
        }
        prop_assert_eq!(parts.len(), whole_sorted.len());
        for (a, b) in parts.iter().zip(&whole_sorted) {
            prop_assert!(a.same_content(b) && a.origin == b.origin, "{:?} vs {:?}", a, b);
        }
        let all = tree.into_directory().unwrap();
        prop_assert_eq!(all.len(), loaded.len());
        for e in loaded.iter() {
            prop_assert!(all.get(&e.key()).is_some_and(|f| f.same_content(e) && f.origin == e.origin));
        }
    }
}

#[test]
fn a_list_that_changes_between_the_two_reads_is_an_error_naming_it() {
    let list = vec![("ANNA".to_string(), "Anna".to_string(), None)];
    let d = varied_tree(&[], &[list], &[], &[], false);
    let dir = tempfile::tempdir().unwrap();
    write_tree(&d, dir.path(), false).unwrap();
    let tree = ScopedTree::open(dir.path(), &LoadOptions::default()).unwrap();
    // Append a second record (a copy of the first) to the one PCM USR list.
    let usr = std::fs::read_dir(dir.path().join("USR"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read(p).unwrap().len() == 53)
        .unwrap();
    let mut bytes = std::fs::read(&usr).unwrap();
    bytes.extend_from_within(..53);
    std::fs::write(&usr, &bytes).unwrap();
    let err = (0..tree.part_count())
        .find_map(|i| tree.part(i).err())
        .expect("the changed list is refused");
    let text = err.to_string();
    assert!(text.contains("changed while it was being read"), "{text}");
    assert!(
        text.contains(usr.file_name().unwrap().to_str().unwrap()),
        "{text}"
    );
    assert_eq!(err.exit_code(), 3);
}

#[test]
fn limit_lines_come_in_output_order_and_the_rest_are_counted() {
    // A tree's fixed fields cannot hold a name over the limits, so the lines
    // are checked on a directory: 60 names over 30 characters in two
    // postoffices, inserted in reverse.
    let mut d = msmail::model::Directory::new();
    for (po, range) in [("PO1", 0..30), ("PO0", 30..60)] {
        for i in range.rev() {
            d.upsert(msmail::model::Entry::new(
                format!("A name much longer than thirty characters {i:02}"),
                Address::pcm("NET", po, &format!("M{i:02}")),
            ));
        }
    }
    let mut told = Vec::new();
    msmail::convert::limit_warnings(&d, &mut |m| {
        if let Message::Warn(w) = m {
            told.push(w);
        }
    });
    assert_eq!(told.len(), 51);
    // Output order: PO0 (M30..M59) first, each postoffice by address.
    assert!(told[0].contains("PCM:NET/PO0/M30"), "{}", told[0]);
    assert!(told[29].contains("PCM:NET/PO0/M59"), "{}", told[29]);
    assert!(told[30].contains("PCM:NET/PO1/M00"), "{}", told[30]);
    assert!(told[50].contains("10 more limit violations not shown (60 in all)"));
}

#[test]
fn a_list_spread_over_scopes_is_exported_whole_with_the_same_bytes() {
    // A 10/10/10 gateway mailbox holding `/` makes a four-part address,
    // whose scope is the whole type: the list does not fall in one scope.
    let gateway = vec![
        ("JOHN".to_string(), "John".to_string()),
        ("A/B".to_string(), "Slash".to_string()),
    ];
    let d = varied_tree(&[], &[], &gateway, &[], false);
    let dir = tempfile::tempdir().unwrap();
    write_tree(&d, dir.path(), false).unwrap();
    let options = LoadOptions::default();
    assert!(!ScopedTree::open(dir.path(), &options)
        .unwrap()
        .partitioned());
    let (whole, _) = whole_csv(dir.path(), &options);
    let (scoped, _, _) = scoped_csv(dir.path(), &options);
    assert_eq!(
        String::from_utf8_lossy(&scoped),
        String::from_utf8_lossy(&whole)
    );
    assert!(String::from_utf8_lossy(&whole).contains("PROFS:GATE/NODE/A/B"));
    let o = cli_csv(dir.path(), &["-v"]);
    assert!(o.status.success());
    assert_eq!(o.stdout, whole);
    assert!(String::from_utf8_lossy(&o.stderr).contains("loaded whole"));
    // Compared with a tree that splits: the diff loads both whole.
    let other = tempfile::tempdir().unwrap();
    write_tree(
        &varied_tree(&[], &[], &gateway[..1], &[], false),
        other.path(),
        false,
    )
    .unwrap();
    let (scoped, whole) = both_diffs(dir.path(), other.path());
    assert_eq!(scoped, whole);
    assert_eq!(whole.totals.only_in_a, 1);
}

#[test]
fn a_template_value_without_a_column_is_exported_whole_with_the_same_bytes() {
    let list = vec![(
        "ANNA".to_string(),
        "Anna".to_string(),
        Some("12".to_string()),
    )];
    let d = varied_tree(&[], &[list], &[], &[], true);
    let dir = tempfile::tempdir().unwrap();
    write_tree(&d, dir.path(), false).unwrap();
    let (whole, _) = whole_csv(dir.path(), &LoadOptions::default());
    assert!(String::from_utf8_lossy(&whole).contains("template#2:Room:"));
    let o = cli_csv(dir.path(), &["-v"]);
    assert!(o.status.success());
    assert_eq!(o.stdout, whole);
    assert!(String::from_utf8_lossy(&o.stderr).contains("loaded whole"));
}

#[test]
fn batch_writes_trees_to_csv_as_export_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let hand = handtree::tree();
    let out = tempfile::tempdir().unwrap();
    let small = root.join("tree/small");
    let restored = root.join("restore/server");
    let o = common::cli::run(&[
        "batch",
        "--to",
        "csv",
        "--out",
        out.path().to_str().unwrap(),
        hand.path().to_str().unwrap(),
        small.to_str().unwrap(),
        restored.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    let items = summary["sources"].as_array().unwrap();
    for (item, tree) in items.iter().zip([hand.path(), &small, &restored]) {
        let written = std::fs::read(out.path().join(item["output"].as_str().unwrap())).unwrap();
        let (whole, warnings) = whole_csv(tree, &LoadOptions::default());
        assert_eq!(written, whole, "{}", tree.display());
        let lines: Vec<&str> = text_lines(&item["warnings"]);
        assert_eq!(
            lines,
            warnings.iter().map(String::as_str).collect::<Vec<_>>()
        );
        let rows = csv::Reader::from_reader(whole.as_slice()).records().count();
        assert_eq!(item["entries"].as_u64(), Some(rows as u64));
    }
    // NDJSON, a scope at a time too.
    let nd = tempfile::tempdir().unwrap();
    let o = common::cli::run(&[
        "batch",
        "--to",
        "json",
        "--ndjson",
        "--out",
        nd.path().to_str().unwrap(),
        small.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(nd.path().join("summary.json")).unwrap()).unwrap();
    let name = summary["sources"][0]["output"]
        .as_str()
        .unwrap()
        .to_string();
    let written = std::fs::read(nd.path().join(name)).unwrap();
    assert_eq!(written, ndjson_both(&small).0);
}

fn text_lines(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default()
}

/// The files of the restored server fixture, copied to a fresh folder.
fn copy_tree(src: &Path) -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    let dst = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for sub in std::fs::read_dir(src).unwrap() {
        let sub = sub.unwrap().path();
        let name = sub.file_name().unwrap().to_owned();
        if sub.is_file() {
            std::fs::copy(&sub, dst.path().join(&name)).unwrap();
            continue;
        }
        std::fs::create_dir(dst.path().join(&name)).unwrap();
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            let rel = Path::new(&name).join(f.file_name().unwrap());
            std::fs::copy(&f, dst.path().join(&rel)).unwrap();
            files.push(rel);
        }
    }
    files.sort();
    (dst, files)
}

/// What a path gives: the CSV and what was told, or the error's text.
fn outcome(csv: Result<(Vec<u8>, Vec<String>), String>) -> Result<(String, Vec<String>), String> {
    csv.map(|(b, w)| (String::from_utf8_lossy(&b).into_owned(), w))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any byte of any file of a server tree flipped, or any file cut short:
    /// strict and with salvage, the scoped export gives what the whole load
    /// gives — the same bytes and warnings, or the same error.
    #[test]
    fn a_damaged_tree_exports_as_when_loaded_whole(
        file in any::<proptest::sample::Index>(),
        at in any::<proptest::sample::Index>(),
        value in any::<u8>(),
        cut in any::<bool>(),
    ) {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/restore/server");
        let (dir, files) = copy_tree(&src);
        let p = dir.path().join(file.get(&files));
        let mut bytes = std::fs::read(&p).unwrap();
        if !bytes.is_empty() {
            let i = at.index(bytes.len());
            if cut { bytes.truncate(i); } else { bytes[i] = value; }
        }
        std::fs::write(&p, &bytes).unwrap();
        for salvage in [false, true] {
            let options = LoadOptions { salvage, ..LoadOptions::default() };
            let whole = load_directory(dir.path(), &options).map(|loaded| {
                let mut out = Vec::new();
                write_csv_with(&loaded.directory, &mut out, &CsvOptions::new(CsvProfile::Default)).unwrap();
                (out, loaded.warnings)
            });
            let scoped = ScopedTree::open(dir.path(), &options).and_then(|mut tree| {
                let mut told = std::mem::take(&mut tree.warnings);
                let mut out = Vec::new();
                export_tree(tree, "tree", ScopedOutput::Csv(&CsvOptions::new(CsvProfile::Default)), &mut out, &mut |m| {
                    if let Message::Warn(w) = m { told.push(w); }
                })?;
                Ok((out, told))
            });
            let (whole, scoped) = (
                outcome(whole.map_err(|e| e.to_string())),
                outcome(scoped.map_err(|e| e.to_string())),
            );
            match (&whole, &scoped) {
                // Loading tells the same; the scoped path adds only limit lines.
                (Ok((w, tw)), Ok((s, ts))) => {
                    prop_assert_eq!(s, w, "salvage {}", salvage);
                    prop_assert!(ts.starts_with(tw), "salvage {}: {:?} vs {:?}", salvage, ts, tw);
                }
                _ => prop_assert_eq!(scoped, whole, "salvage {}", salvage),
            }
        }
    }
}
