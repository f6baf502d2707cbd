//! JSON / NDJSON read back (`export::json::read_json`).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(dir) = msmail::export::json::read_json(data, "fuzz.json") {
        common::exercise(&dir);
    }
});
