//! Source recognition by name and content, then loading: the public path of
//! every command (`source::detect` + `source::load_directory`). The bytes are
//! written to a temporary file whose name the first byte picks (bit 7 =
//! salvage, bits 5-6 = encoding); one name puts them at `GLB/REQTRANS.GLB` of a
//! requestor folder, another at `GLB/REQCONF.GLB`.
#![no_main]
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use msmail::source::{detect, load_directory, LoadOptions};

#[path = "common.rs"]
mod common;

const NAMES: &[&str] = &[
    "EXPORT.TXT",
    "TMPTRANS.GLB",
    "MSTTRANS.GLB",
    "REQTRANS.GLB",
    "SRVTRANS.GLB",
    "RESYNC.GLB",
    "REQCONF.GLB",
    "SRVCONF.GLB",
    "PROCESS.GLB",
    "export.csv",
    "groups.txt",
    "update.msg",
    "DIRSYNC.LOG",
    "data.json",
    "data.ldif",
    "noname",
    "req/GLB/REQTRANS.GLB",
    "req/GLB/REQCONF.GLB",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(sel & 0x1F) % NAMES.len()];
    let options = LoadOptions {
        encoding: common::encoding(sel >> 5),
        salvage: sel & 0x80 != 0,
    };
    let dir = if Path::new("/dev/shm").is_dir() {
        tempfile::tempdir_in("/dev/shm")
    } else {
        tempfile::tempdir()
    }
    .expect("temporary folder");
    let file = dir.path().join(name);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, bytes).unwrap();
    let source = if name.starts_with("req/") {
        dir.path().join("req")
    } else {
        file
    };
    let _ = detect(&source);
    if let Ok(loaded) = load_directory(&source, &options) {
        common::exercise(&loaded.directory);
    }
});
