//! IMPORT.EXE import text (`importtext::parse_str`, the streaming applier
//! `read_directory` uses, and the per-line helpers): first byte = encoding.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let Ok(text) = msmail::importtext::decode_input(bytes, common::encoding(sel), "fuzz.txt")
    else {
        return;
    };
    let _ = msmail::importtext::looks_like_import_text(&text);
    for line in text.lines().take(64) {
        let _ = msmail::importtext::split_name_address(line);
        let _ = msmail::importtext::address_start(line);
        let _ = msmail::importtext::parse_template_field(line);
    }
    if let Ok(ops) = msmail::importtext::parse_str(&text, "fuzz.txt", 1) {
        let mut dir = msmail::Directory::new();
        for op in ops {
            dir.apply(op);
        }
        common::exercise(&dir);
    }
});
