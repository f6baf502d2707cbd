//! A postoffice tree with groups and personal address lists, written byte by
//! byte from the layout tables of docs/formats.md ("Postoffice tree files")
//! — not with the library's tree writer or `msmail generate` — and the
//! members and lists it is meant to hold.
//!
//! ACME/HQ, profile v1:
//! - ACCESS2.GLB: JAEGER "Jäger, Anna" (bag 10, tid 101, template data),
//!   JDOE "Doe, John D." (bag 11, tid 102, template data), MMULLER
//!   "Müller, Max" (bag 12, tid 103), a free slot, ADMIN "Administrator"
//!   (bag 13, tid 104).
//! - NETPO.GLB: ACME/BRANCH/ASMITH, SNADSGW/DGN1/JOHNDOE (gateway),
//!   ACME/BRANCH/BJONES; NETWORK.GLB names the SNADS gateway (kind 2).
//! - GROUP.GLB: SALES "Sales Team" (tid 201), TEAMB "Team B" (tid 202),
//!   EMPTY "Empty Group" (tid 203); ADMIN.GRP chains: SALES = JAEGER,
//!   ASMITH, JOHNDOE, TEAMB (a group in a group); TEAMB = JDOE, MMULLER;
//!   EMPTY has none. MEM files with the local members' mailbags.
//! - Personal lists: NME/00000011.NME (JDOE's): BJONES "Bob (Branch)",
//!   JAEGER "Anna", JOHNDOE "John SNADS", TEAMB "Team B"; NME/00000010.NME
//!   (JAEGER's): ASMITH "Alice". MMULLER has none.
//! - TPL/ADMIN.TPL `Phone #:`, `Department:`, `Cost Center:`; INF/ADMIN.INF.

#![allow(dead_code)]

use std::path::Path;

/// The members each group must have, in chain order.
pub const SALES_MEMBERS: [&str; 4] = [
    "PCM:ACME/HQ/JAEGER",
    "PCM:ACME/BRANCH/ASMITH",
    "SNADS:SNADSGW/DGN1/JOHNDOE",
    "PCM:ACME/HQ/TEAMB",
];
/// Members of Team B.
pub const TEAMB_MEMBERS: [&str; 2] = ["PCM:ACME/HQ/JDOE", "PCM:ACME/HQ/MMULLER"];
/// JDOE's personal list: (name in the list, address).
pub const JDOE_PAL: [(&str, &str); 4] = [
    ("Bob (Branch)", "PCM:ACME/BRANCH/BJONES"),
    ("Anna", "PCM:ACME/HQ/JAEGER"),
    ("John SNADS", "SNADS:SNADSGW/DGN1/JOHNDOE"),
    ("Team B", "PCM:ACME/HQ/TEAMB"),
];
/// JAEGER's personal list.
pub const JAEGER_PAL: [(&str, &str); 1] = [("Alice", "PCM:ACME/BRANCH/ASMITH")];

/// `str[n]`: CP850, NUL padded.
fn str_field(rec: &mut [u8], off: usize, n: usize, text: &str) {
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| match c {
            'ä' => 0x84,
            'ü' => 0x81,
            'Ä' => 0x8E,
            'ö' => 0x94,
            c => c as u8,
        })
        .collect();
    assert!(bytes.len() < n, "{text} too long for str[{n}]");
    rec[off..off + bytes.len()].copy_from_slice(&bytes);
}

fn u16_at(rec: &mut [u8], off: usize, v: u16) {
    rec[off..off + 2].copy_from_slice(&v.to_le_bytes());
}

fn u32_at(rec: &mut [u8], off: usize, v: u32) {
    rec[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// ACCESS2.GLB record (69 bytes).
fn access2(mailbox: &str, name: &str, bag: u32, tid: u32, inf: Option<u32>) -> Vec<u8> {
    let mut r = vec![0u8; 69];
    r[0] = 1;
    str_field(&mut r, 1, 11, mailbox);
    str_field(&mut r, 12, 31, name);
    str_field(&mut r, 43, 9, &format!("{bag:08X}"));
    r[52] = if inf.is_some() { 0x04 } else { 0 };
    u32_at(&mut r, 53, tid);
    u32_at(&mut r, 57, inf.unwrap_or(0xFFFF_FFFF));
    r
}

/// NME record (45 bytes).
fn nme(name: &str, tid: u32, kind: u16, pointer: u32) -> Vec<u8> {
    let mut r = vec![0u8; 45];
    r[0] = 1;
    str_field(&mut r, 1, 31, name);
    u32_at(&mut r, 32, tid);
    u16_at(&mut r, 36, kind);
    u32_at(&mut r, 38, pointer);
    r
}

/// NETPO record (43 bytes).
fn netpo(net: &str, po: &str, mailbox: &str, bag: u32) -> Vec<u8> {
    let mut r = vec![0u8; 43];
    r[0] = 1;
    str_field(&mut r, 1, 11, net);
    str_field(&mut r, 12, 11, po);
    str_field(&mut r, 23, 11, mailbox);
    str_field(&mut r, 34, 9, &format!("{bag:08X}"));
    r
}

/// GROUP.GLB record (51 bytes).
fn group(name: &str, mailbox: &str, tid: u32) -> Vec<u8> {
    let mut r = vec![0u8; 51];
    r[0] = 1;
    str_field(&mut r, 1, 31, name);
    str_field(&mut r, 32, 11, mailbox);
    u32_at(&mut r, 43, tid);
    r[47] = 4;
    r
}

/// Byte offset of ACCESS2 record `i`.
fn a2(i: u32) -> u32 {
    i * 69
}

/// Byte offset of NETPO record `i` (after the 4-byte count).
fn np(i: u32) -> u32 {
    4 + i * 43
}

/// Writes the tree into `root`.
pub fn write_tree(root: &Path) {
    // MASTER.GLB: version 0x0320, ACME, HQ, serial 7, GAL enabled.
    let mut master = vec![0u8; 176];
    u16_at(&mut master, 0, 0x0320);
    str_field(&mut master, 2, 11, "ACME");
    str_field(&mut master, 13, 11, "HQ");
    u32_at(&mut master, 24, 7);
    master[28] = 0; // GAL disabled: this tree has no GAL.NME
    write(root, "GLB/MASTER.GLB", &master);

    // ACCESS2.GLB (record 3 free) and the opaque ACCESS/ACCESS3 of equal count.
    let mut acc = Vec::new();
    acc.extend(access2("JAEGER", "Jäger, Anna", 0x10, 101, Some(0)));
    acc.extend(access2("JDOE", "Doe, John D.", 0x11, 102, Some(1)));
    acc.extend(access2("MMULLER", "Müller, Max", 0x12, 103, None));
    acc.extend(vec![0u8; 69]);
    acc.extend(access2("ADMIN", "Administrator", 0x13, 104, None));
    write(root, "GLB/ACCESS2.GLB", &acc);
    write(root, "GLB/ACCESS.GLB", &vec![0u8; 586 * 5]);
    write(root, "GLB/ACCESS3.GLB", &vec![0u8; 512 * 5]);

    // TPL/ADMIN.TPL (CR-terminated lines) and INF/ADMIN.INF (20+16+8 bytes).
    write(
        root,
        "TPL/ADMIN.TPL",
        b"Phone #:~1~20~A~~\rDepartment:~1~16~A~~\rCost Center:~1~8~N~~\r",
    );
    let mut inf = Vec::new();
    for (phone, dept, cc) in [("+41 44 555 12 12", "Sales", "4711"), ("555-0100", "", "")] {
        inf.extend(format!("{phone:<20}{dept:<16}{cc:<8}").as_bytes());
    }
    write(root, "INF/ADMIN.INF", &inf);

    // NETWORK.GLB: the SNADS gateway (kind 2, XTN prefix 20, type SNADS),
    // and its XTN with node DGN1 (mailbag 21, connection 5 gateway).
    let mut net = vec![0u8; 122];
    net[0] = 1;
    str_field(&mut net, 1, 11, "SNADSGW");
    net[12] = 2;
    str_field(&mut net, 13, 9, "00000020");
    str_field(&mut net, 22, 9, "SNADS");
    write(root, "GLB/NETWORK.GLB", &net);
    let mut xtn = vec![0u8; 698];
    xtn[0] = 1;
    str_field(&mut xtn, 1, 11, "DGN1");
    str_field(&mut xtn, 12, 9, "00000021");
    xtn[21] = 5;
    write(root, "XTN/00000020.XTN", &xtn);
    write(root, "USR/00000021.USR", &[]);

    // NETPO.GLB: count 3, then the three external addresses.
    let mut netpo_glb = 3u32.to_le_bytes().to_vec();
    netpo_glb.extend(netpo("ACME", "BRANCH", "ASMITH", 0));
    netpo_glb.extend(netpo("SNADSGW", "DGN1", "JOHNDOE", 0x21));
    netpo_glb.extend(netpo("ACME", "BRANCH", "BJONES", 0));
    write(root, "GLB/NETPO.GLB", &netpo_glb);

    // GROUP.GLB: count 3 + records.
    let mut g = 3u32.to_le_bytes().to_vec();
    g.extend(group("Sales Team", "SALES", 201));
    g.extend(group("Team B", "TEAMB", 202));
    g.extend(group("Empty Group", "EMPTY", 203));
    write(root, "GLB/GROUP.GLB", &g);

    // ADMIN.GRP: node 0 zero; SALES chain at 8 (nodes 1-4), TEAMB at 40
    // (nodes 5-6). Member tids are ADMIN.NME tids.
    let mut grp = vec![0u8; 8];
    for (tid, next) in [
        (101u32, 16u32),
        (301, 24),
        (302, 32),
        (202, 0),
        (102, 48),
        (103, 0),
    ] {
        grp.extend(tid.to_le_bytes());
        grp.extend(next.to_le_bytes());
    }
    write(root, "GRP/ADMIN.GRP", &grp);
    write(root, "GRP/ADMINSHD.GRP", &grp);
    // MEM/<tid hex8>.MEM: local members' mailbags.
    write(root, "MEM/000000C9.MEM", &0x10u32.to_le_bytes());
    let mut teamb = 0x11u32.to_le_bytes().to_vec();
    teamb.extend(0x12u32.to_le_bytes());
    write(root, "MEM/000000CA.MEM", &teamb);

    // ADMIN.NME (= ADMINSHD.NME): users (kind 1 → ACCESS2 offset), externals
    // (kind 2 and 8 → NETPO offset), groups (kind 4 → first node offset).
    let mut pol = Vec::new();
    pol.extend(nme("Jäger, Anna", 101, 1, a2(0)));
    pol.extend(nme("Doe, John D.", 102, 1, a2(1)));
    pol.extend(nme("Müller, Max", 103, 1, a2(2)));
    pol.extend(nme("Administrator", 104, 1, a2(4)));
    pol.extend(nme("Smith, Alice", 301, 2, np(0)));
    pol.extend(nme("Doe, John (SNADS)", 302, 8, np(1)));
    pol.extend(nme("Sales Team", 201, 4, 8));
    pol.extend(nme("Team B", 202, 4, 40));
    pol.extend(nme("Empty Group", 203, 4, 0));
    write(root, "NME/ADMIN.NME", &pol);
    write(root, "NME/ADMINSHD.NME", &pol);

    // Personal lists: NME/<mailbag>.NME of JDOE (bag 11) and JAEGER (bag 10).
    let mut jdoe = Vec::new();
    jdoe.extend(nme("Bob (Branch)", 401, 2, np(2)));
    jdoe.extend(vec![0u8; 45]); // a free slot
    jdoe.extend(nme("Anna", 101, 1, a2(0)));
    jdoe.extend(nme("John SNADS", 402, 8, np(1)));
    jdoe.extend(nme("Team B", 202, 4, 40));
    write(root, "NME/00000011.NME", &jdoe);
    write(root, "NME/00000010.NME", &nme("Alice", 403, 2, np(0)));
}

/// A fresh temporary folder holding the tree.
pub fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write_tree(d.path());
    d
}
