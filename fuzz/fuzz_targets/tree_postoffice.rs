//! A whole MAILDATA tree (`tree::PostOffice::open`, strict and salvage, then
//! every list the export command can take and the personal address lists):
//! the cross-file references (USR/XTN/INF record numbers, GRP chains, MEM
//! mailbags, GALINDEX) are only followed here.
//!
//! Input: files separated by the line `\n=====\n`; each file is its relative
//! path (first line: `GLB/MASTER.GLB`...) then its bytes. Paths are kept to
//! `[A-Za-z0-9._/-]`, no `..`, inside a fresh temporary folder.
#![no_main]
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use msmail::source::LoadOptions;
use msmail::tree::{ListSelector, PostOffice};

#[path = "common.rs"]
mod common;

const SEP: &[u8] = b"\n=====\n";

fn split<'a>(mut data: &'a [u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(p) = data.windows(SEP.len()).position(|w| w == SEP) {
        out.push(&data[..p]);
        data = &data[p + SEP.len()..];
    }
    out.push(data);
    out
}

fn safe(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 64
        && !path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-".contains(&b))
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(d) = tempfile::tempdir_in(shm) {
            return d;
        }
    }
    tempfile::tempdir().expect("temporary folder")
}

fuzz_target!(|data: &[u8]| {
    let chunks = split(data);
    if chunks.len() > 64 {
        return;
    }
    let dir = scratch();
    let root = dir.path();
    for chunk in chunks {
        let (name, body) = match chunk.iter().position(|&b| b == b'\n') {
            Some(p) => (&chunk[..p], &chunk[p + 1..]),
            None => (chunk, &[][..]),
        };
        let Ok(name) = std::str::from_utf8(name) else {
            continue;
        };
        if !safe(name) {
            continue;
        }
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            if std::fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        if path.is_dir() {
            continue;
        }
        let _ = std::fs::write(&path, body);
    }
    for salvage in [false, true] {
        let options = LoadOptions {
            salvage,
            ..LoadOptions::default()
        };
        let Ok(po) = PostOffice::open(root, &options) else {
            continue;
        };
        common::exercise(&po.directory());
        let _ = po.pol();
        let _ = po.gal();
        let _ = po.dirsync_files();
        let externals: Vec<_> = po
            .external_postoffices()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        for sel in [ListSelector::Groups, ListSelector::Pals] {
            let _ = po.list(&sel);
        }
        for scope in externals.iter().take(4) {
            if let Ok(sel) = ListSelector::parse(&format!("usr:{scope}")) {
                let _ = po.list(&sel);
            }
        }
        let _ = msmail::tree::personal::personal_lists(&po, None, salvage);
    }
});
