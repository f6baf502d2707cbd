//! Property: `inspect` never panics on damaged trees, and its report is
//! deterministic (the same damage gives the same findings, in order).

mod common;

use std::path::{Path, PathBuf};

use common::fs::copy_dir;
use proptest::prelude::*;

fn tree_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in std::fs::read_dir(root).unwrap() {
        for f in std::fs::read_dir(d.unwrap().path()).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn damaged_trees_never_panic_and_report_deterministically(
        edits in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<u8>(), 0u8..4), 1..8)
    ) {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("T");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tree/small"), &root);
        let files = tree_files(&root);
        for (fi, off, byte, how) in edits {
            let p = &files[fi % files.len()];
            if !p.exists() {
                continue;
            }
            let mut b = std::fs::read(p).unwrap();
            match how {
                0 if !b.is_empty() => { let i = off % b.len(); b[i] = byte; }
                1 => b.truncate(off % (b.len() + 1)),
                2 => b.push(byte),
                _ => { std::fs::remove_file(p).unwrap(); continue; }
            }
            std::fs::write(p, b).unwrap();
        }
        let a = msmail::inspect::inspect_paths(std::slice::from_ref(&root));
        let b = msmail::inspect::inspect_paths(std::slice::from_ref(&root));
        prop_assert_eq!(&a.findings, &b.findings);
        let mut text = Vec::new();
        msmail::inspect::write_text(&a, &mut text).unwrap();
        let mut json = Vec::new();
        msmail::inspect::write_json(&a, &mut json).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        prop_assert_eq!(v["summary"]["errors"].as_u64().unwrap() as usize, a.summary().errors);
        for f in &a.findings {
            prop_assert!(!f.meaning.is_empty(), "{}", f.code);
        }
    }
}
