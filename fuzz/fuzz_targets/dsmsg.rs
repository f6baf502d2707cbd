//! `[DIRSYNC]` mail messages (`dsmsg::parse_message_bytes`), their subject
//! lines (`parse_subject`) and text sniffing (`sniff_text`,
//! `looks_like_message`): first byte = encoding.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let _ = msmail::dsmsg::sniff_text("fuzz.msg", bytes);
    let lossy = String::from_utf8_lossy(bytes);
    let _ = msmail::dsmsg::looks_like_message(&lossy);
    for line in lossy.lines().take(64) {
        let _ = msmail::dsmsg::parse_subject(line);
        let _ = msmail::dsmsg::parse_subject(line.strip_prefix("Subject: ").unwrap_or(line));
    }
    if let Ok(msg) = msmail::dsmsg::parse_message_bytes(bytes, "fuzz.msg", common::encoding(sel)) {
        let _ = msg.subject();
        let _ = msg.numbers();
        let _ = msg.requestor();
        let _ = msg.operations().count();
        let mut out = Vec::new();
        let _ = msmail::dsmsg::write_message(&msg, &mut out);
        common::exercise(&msg.into_directory());
    }
});
