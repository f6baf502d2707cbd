//! Dir-Sync settings files: first byte picks REQCONF.GLB, SRVCONF.GLB or
//! PROCESS.GLB; the rest is read and shown with the LISTDS/DSSCHED/JSON views.
#![no_main]
use libfuzzer_sys::fuzz_target;
use msmail::dirsync::views;
use msmail::dirsync::{ProcessFile, ReqConf, SrvConf};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let ctx = views::ViewContext::default();
    match sel % 3 {
        0 => {
            let _ = msmail::dirsync::sniff("REQCONF.GLB", bytes);
            if let Ok(c) = ReqConf::read(bytes, "REQCONF.GLB") {
                let _ = views::reqconf_json("REQCONF.GLB", &c);
                let _ = views::listds_reqconf(&c, &ctx);
            }
        }
        1 => {
            let _ = msmail::dirsync::sniff("SRVCONF.GLB", bytes);
            if let Ok(c) = SrvConf::read(bytes, "SRVCONF.GLB") {
                let _ = views::srvconf_json("SRVCONF.GLB", &c);
                let _ = views::listds_srvconf(&c, &ctx);
            }
        }
        _ => {
            let _ = msmail::dirsync::sniff("PROCESS.GLB", bytes);
            if let Ok(p) = ProcessFile::read(bytes, "PROCESS.GLB") {
                let _ = views::process_json("PROCESS.GLB", &p);
                let _ = views::dssched_file(&p);
            }
        }
    }
});
