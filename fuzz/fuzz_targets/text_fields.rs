//! The small text grammars every reader leans on: addresses
//! (`Address::parse`), scopes (`Scope::parse`), list selectors
//! (`ListSelector::parse`), DNs (`parse_dn`), CSV member cells, person names
//! (`split_name`), attribute map files (`AttributeMap::parse`), hex numbers,
//! and the code page decoders. First byte picks the grammar for the rest;
//! every grammar also sees each line.
#![no_main]
use libfuzzer_sys::fuzz_target;
use msmail::export::{csv, ldif, person};
use msmail::{Address, Scope};

#[path = "common.rs"]
mod common;

fn one(sel: u8, s: &str) {
    match sel % 8 {
        0 => {
            if let Ok(a) = Address::parse(s) {
                let _ = a.to_string();
                let _ = Address::parse(&a.to_string());
            }
        }
        1 => {
            if let Ok(sc) = Scope::parse(s) {
                let _ = Scope::parse(&sc.to_string());
            }
        }
        2 => {
            let _ = msmail::tree::ListSelector::parse(s);
        }
        3 => {
            let _ = ldif::parse_dn(s);
        }
        4 => {
            let _ = csv::split_members(s);
            let _ = csv::unguard(s);
            let _ = csv::guard(s);
        }
        5 => {
            let _ = person::split_name(s);
            let _ = person::normalize_prompt(s);
        }
        6 => {
            let _ = msmail::tree::parse_hex8(s);
            let _ = msmail::dsmsg::parse_subject(s);
        }
        _ => {
            let _ = person::AttributeMap::parse(s, "fuzz.map");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    if let Ok(text) = msmail::codepage::decode_text(bytes, common::encoding(sel >> 4)) {
        one(sel, &text);
        for line in text.lines().take(16) {
            one(sel, line);
        }
    }
});
