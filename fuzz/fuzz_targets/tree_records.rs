//! Every binary tree record file reader. First byte: bit 7 = salvage, the
//! rest picks the file (`tree::table::table` dispatches by name to MASTER,
//! NETWORK, XTN, USR, NME, NETPO/GALNETPO, ACCESS2, GROUP, GRP, MEM, TPL,
//! GALINDEX, TID). Beyond the table, the readers the postoffice loader uses
//! directly are called too (GRP member chains, NETPO slices, writers), and
//! one selector reads a TPL + INF pair: second byte = TPL length.
#![no_main]
use libfuzzer_sys::fuzz_target;
use msmail::tree::{self, Ctx};

const NAMES: &[&str] = &[
    "GLB/MASTER.GLB",
    "GLB/NETWORK.GLB",
    "XTN/00000005.XTN",
    "USR/00000006.USR",
    "NME/ADMIN.NME",
    "GLB/NETPO.GLB",
    "GLB/GALNETPO.GLB",
    "GLB/ACCESS2.GLB",
    "GLB/GROUP.GLB",
    "GRP/ADMIN.GRP",
    "MEM/00000005.MEM",
    "TPL/ADMIN.TPL",
    "GLB/GALINDEX.GLB",
    "GLB/TID.GLB",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let salvage = sel & 0x80 != 0;
    let pick = usize::from(sel & 0x7F);
    if pick == NAMES.len() {
        tpl_inf(bytes);
        return;
    }
    let name = NAMES[pick % NAMES.len()];
    let _ = tree::table::table(name, bytes, salvage);
    let mut ctx = Ctx::new(salvage);
    match name {
        "GLB/MASTER.GLB" => {
            let _ = tree::identity::MasterGlb::decode(bytes);
        }
        "GLB/NETPO.GLB" | "GLB/GALNETPO.GLB" => {
            let _ = tree::lists::NetpoSlices::read(name, bytes, &mut ctx);
            if let Ok(f) = tree::lists::NetpoFile::read(name, bytes, &mut ctx) {
                let _ = f.write();
            }
        }
        "GLB/GROUP.GLB" => {
            if let Ok(g) = tree::groups::GroupGlb::read(name, bytes, &mut ctx) {
                let _ = g.write();
            }
        }
        "GRP/ADMIN.GRP" => {
            if let Ok(g) = tree::groups::GrpFile::read(name, bytes) {
                let _ = g.write();
                // Follow a chain from every node pointer (cycles, dangling).
                for i in 0..g.nodes.len().min(64) {
                    let mut c = Ctx::new(salvage);
                    let _ = g.chain(name, tree::groups::node_pointer(i), &mut c);
                    let _ = g.chain(name, g.nodes[i].next, &mut c);
                }
            }
        }
        "GLB/GALINDEX.GLB" => {
            if let Ok(g) = tree::galindex::GalIndex::read(name, bytes) {
                let _ = g.write();
            }
        }
        "TPL/ADMIN.TPL" => {
            let text = msmail::codepage::decode_cp850(bytes);
            for (i, line) in text.lines().take(32).enumerate() {
                let _ = tree::templates::parse_tpl_line(name, i as u64 + 1, line);
            }
        }
        _ => {}
    }
});

fn tpl_inf(bytes: &[u8]) {
    let Some((&n, rest)) = bytes.split_first() else {
        return;
    };
    let n = usize::from(n).min(rest.len());
    let (tpl, inf) = rest.split_at(n);
    let Ok(t) = tree::templates::TplFile::read("TPL/ADMIN.TPL", tpl) else {
        return;
    };
    let _ = t.write();
    let size = t.inf_record_size();
    if let Ok(f) = tree::templates::InfFile::read("INF/ADMIN.INF", inf, size) {
        for i in 0..f.len().min(64) {
            let _ = f.values(&t.fields, i as u32);
        }
        let _ = f.write();
    }
}
