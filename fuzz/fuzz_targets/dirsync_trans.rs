//! Dir-Sync transaction streams (MSTTRANS/REQTRANS/SRVTRANS...):
//! `dirsync::trans::read_stream`, strict and salvage, then every record's
//! operations, the RESYNC header, the stream applied to a directory, and the
//! LISTQ/JSON views.
#![no_main]
use libfuzzer_sys::fuzz_target;
use msmail::dirsync::trans::read_stream;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = msmail::dirsync::sniff("MSTTRANS.GLB", data);
    let _ = read_stream(data, "MSTTRANS.GLB", false);
    let Ok(stream) = read_stream(data, "MSTTRANS.GLB", true) else {
        return;
    };
    for r in &stream.records {
        let _ = r.crc_ok();
        let _ = r.resync_header();
        let _ = r.text_str();
        let _ = r.to_operations("MSTTRANS.GLB");
    }
    let _ = stream.bad_crcs().count();
    let ctx = msmail::dirsync::views::ViewContext::default();
    let mut out = Vec::new();
    let _ = msmail::dirsync::views::write_listq(&stream, &ctx, &mut out);
    out.clear();
    let _ = msmail::dirsync::views::write_trans_json(
        "MSTTRANS.GLB",
        msmail::dirsync::TransKind::MstTrans,
        &stream,
        &mut out,
    );
    let mut dir = msmail::Directory::new();
    if stream.apply_to(&mut dir, "MSTTRANS.GLB").is_ok() {
        common::exercise(&dir);
    }
});
