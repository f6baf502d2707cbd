//! GIMPORT group files (`gimport::parse_str`): first byte = encoding.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let Ok(text) = msmail::codepage::decode_input(bytes, common::encoding(sel), "fuzz.grp") else {
        return;
    };
    if let Ok(dir) = msmail::gimport::parse_str(&text, "fuzz.grp") {
        common::exercise(&dir);
    }
});
