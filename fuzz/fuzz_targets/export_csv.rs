//! CSV read back as a source (`export::csv::read_csv`, and the header sniff
//! `looks_like_msmail_csv`).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = msmail::export::csv::looks_like_msmail_csv(data);
    if let Ok(dir) = msmail::export::csv::read_csv(data, "fuzz.csv") {
        common::exercise(&dir);
    }
});
