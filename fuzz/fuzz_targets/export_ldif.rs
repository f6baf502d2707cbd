//! LDIF read back: the record parser (`parse_ldif_named`), the directory
//! reader (`read_ldif_directory`) and the Active Directory reader
//! (`export::ad::read_ad_directory`), plus every DN through `parse_dn`.
//! Input is UTF-8 (lossy).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(records) = msmail::export::ldif::parse_ldif_named(&text, "fuzz.ldif") {
        for r in records.iter().take(64) {
            let _ = msmail::export::ldif::parse_dn(&r.dn);
        }
        if let Ok(dir) = msmail::export::ad::read_ad_directory(&records) {
            common::exercise(&dir);
        }
    }
    if let Ok(dir) = msmail::export::ldif::read_ldif_directory(&text, "fuzz.ldif") {
        common::exercise(&dir);
    }
});
