//! MS Mail files built byte by byte from docs/formats.md (profile v1) and
//! layouts-v1.md, without msmail's writers: every record here is laid out by
//! hand, so the tests that read them check msmail against an independent
//! reading of the documents.
#![allow(dead_code)]

use std::path::Path;

/// CP850 for the characters the independent scenarios use (ASCII plus a few
/// Latin letters), from the code page table, not from msmail.
pub fn cp850(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            c if c.is_ascii() => c as u8,
            'Ç' => 0x80,
            'ü' => 0x81,
            'é' => 0x82,
            'â' => 0x83,
            'ä' => 0x84,
            'à' => 0x85,
            'å' => 0x86,
            'ç' => 0x87,
            'ê' => 0x88,
            'è' => 0x8A,
            'Ä' => 0x8E,
            'Å' => 0x8F,
            'É' => 0x90,
            'ô' => 0x93,
            'ö' => 0x94,
            'Ö' => 0x99,
            'Ü' => 0x9A,
            'ø' => 0x9B,
            'Ø' => 0x9D,
            'ñ' => 0xA4,
            'Ñ' => 0xA5,
            other => panic!("character {other:?} is not in the test table"),
        })
        .collect()
}

/// Upper case as CP850 readers fold it, for the characters of [`cp850`].
pub fn upper(s: &str) -> String {
    s.chars().flat_map(char::to_uppercase).collect()
}

/// CRC-16/ARC (poly 0x8005 reflected = 0xA001, init 0), bit by bit.
pub fn crc16_arc(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in bytes {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// A record buffer with little-endian field writers.
pub struct Rec(pub Vec<u8>);

impl Rec {
    pub fn new(size: usize) -> Rec {
        Rec(vec![0; size])
    }
    pub fn u8(mut self, off: usize, v: u8) -> Rec {
        self.0[off] = v;
        self
    }
    pub fn u16(mut self, off: usize, v: u16) -> Rec {
        self.0[off..off + 2].copy_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u32(mut self, off: usize, v: u32) -> Rec {
        self.0[off..off + 4].copy_from_slice(&v.to_le_bytes());
        self
    }
    /// `str[n]`: CP850, NUL-terminated, at most n-1 characters.
    pub fn str(mut self, off: usize, n: usize, s: &str) -> Rec {
        let b = cp850(s);
        assert!(b.len() < n, "{s:?} does not fit str[{n}]");
        self.0[off..off + b.len()].copy_from_slice(&b);
        self
    }
}

pub fn hex8(n: u32) -> String {
    format!("{n:08X}")
}

/// GLB/MASTER.GLB (176 bytes).
pub fn master(net: &str, po: &str) -> Vec<u8> {
    Rec::new(176)
        .u16(0, 0x0320)
        .str(2, 11, net)
        .str(13, 11, po)
        .u32(24, 4711)
        .u8(28, 1)
        .0
}

/// One GLB/NETWORK.GLB record (122 bytes).
pub fn network(name: &str, kind: u8, prefix: Option<u32>, ty: &str) -> Vec<u8> {
    Rec::new(122)
        .u8(0, 1)
        .str(1, 11, name)
        .u8(12, kind)
        .str(13, 9, &prefix.map(hex8).unwrap_or_default())
        .str(22, 9, ty)
        .0
}

/// One XTN record (698 bytes).
pub fn xtn(po: &str, mailbag: u32, connection: u8, route: &str) -> Vec<u8> {
    Rec::new(698)
        .u8(0, 1)
        .str(1, 11, po)
        .str(12, 9, &hex8(mailbag))
        .u8(21, connection)
        .str(22, 65, route)
        .u8(87, 1)
        .u32(88, 767_000_000)
        .0
}

/// One USR record (53 bytes).
pub fn usr(name: &str, mailbox: &str, group: bool, inf: Option<u32>) -> Vec<u8> {
    Rec::new(53)
        .u8(0, 1)
        .str(1, 31, name)
        .str(32, 11, mailbox)
        .u8(43, if group { b'G' } else { b'U' })
        .u32(44, inf.unwrap_or(0xFFFF_FFFF))
        .0
}

/// One NME record (45 bytes).
pub fn nme(name: &str, tid: u32, kind: u16, pointer: u32) -> Vec<u8> {
    Rec::new(45)
        .u8(0, 1)
        .str(1, 31, name)
        .u32(32, tid)
        .u16(36, kind)
        .u32(38, pointer)
        .0
}

/// NETPO.GLB / GALNETPO.GLB: u32 count, then 43-byte records.
pub fn netpo(records: &[(String, String, String, u32)]) -> Vec<u8> {
    let mut out = (records.len() as u32).to_le_bytes().to_vec();
    for (net, po, mb, bag) in records {
        out.extend(
            Rec::new(43)
                .u8(0, 1)
                .str(1, 11, net)
                .str(12, 11, po)
                .str(23, 11, mb)
                .str(34, 9, &hex8(*bag))
                .0,
        );
    }
    out
}

/// One ACCESS2.GLB record (69 bytes).
pub fn access2(
    mailbox: &str,
    name: &str,
    mailbag: u32,
    flags: u8,
    tid: u32,
    inf: Option<u32>,
) -> Vec<u8> {
    Rec::new(69)
        .u8(0, 1)
        .str(1, 11, mailbox)
        .str(12, 31, name)
        .str(43, 9, &hex8(mailbag))
        .u8(52, flags)
        .u32(53, tid)
        .u32(57, inf.unwrap_or(0xFFFF_FFFF))
        .0
}

/// GROUP.GLB: u32 count, then 51-byte records (name, mailbox, tid).
pub fn group_glb(groups: &[(String, String, u32)]) -> Vec<u8> {
    let mut out = (groups.len() as u32).to_le_bytes().to_vec();
    for (name, mb, tid) in groups {
        out.extend(
            Rec::new(51)
                .u8(0, 1)
                .str(1, 31, name)
                .str(32, 11, mb)
                .u32(43, *tid)
                .u8(47, 4)
                .0,
        );
    }
    out
}

/// GRP/ADMIN.GRP: node 0 all zero, then one chain per group of member tids.
/// Returns the file and the byte offset of each chain's first node (0 for
/// an empty chain).
pub fn grp(chains: &[Vec<u32>]) -> (Vec<u8>, Vec<u32>) {
    let mut out = vec![0u8; 8];
    let mut firsts = Vec::new();
    for chain in chains {
        if chain.is_empty() {
            firsts.push(0);
            continue;
        }
        let start = out.len() / 8;
        firsts.push((start * 8) as u32);
        for (j, tid) in chain.iter().enumerate() {
            let next = if j + 1 < chain.len() {
                ((start + j + 1) * 8) as u32
            } else {
                0
            };
            out.extend(tid.to_le_bytes());
            out.extend(next.to_le_bytes());
        }
    }
    (out, firsts)
}

/// A TPL field (prompt, start, width, edit).
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub prompt: String,
    pub start: u16,
    pub width: u16,
    pub edit: String,
}

/// TPL text: `prompt~start~width~edit~~` lines, CR LF.
pub fn tpl(fields: &[Field]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        out.extend(cp850(&format!(
            "{}~{}~{}~{}~~\r\n",
            f.prompt, f.start, f.width, f.edit
        )));
    }
    out
}

/// One INF record for `fields` (no internal preamble): each value
/// space-padded to its field width.
pub fn inf(fields: &[Field], values: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        let v = values
            .iter()
            .find(|(p, _)| *p == f.prompt)
            .map_or("", |(_, v)| v.as_str());
        let b = cp850(v);
        assert!(b.len() <= f.width as usize, "{v:?} wider than {}", f.width);
        out.extend(&b);
        out.extend(std::iter::repeat_n(b' ', f.width as usize - b.len()));
    }
    out
}

/// GALINDEX.GLB for GAL records `(offset, full name)` as docs/formats.md
/// describes it: words split at spaces and commas, numbered from 0; sorted
/// by bucket (A–Z, a–z by the word's first character, then the rest), then
/// upper-cased word, GAL offset, word number; each bucket offset is that of
/// its first record, or of the next bucket's when empty.
pub fn galindex(entries: &[(u32, String)]) -> Vec<u8> {
    let bucket = |w: &str| match w.chars().next() {
        Some(c @ 'A'..='Z') => c as usize - 'A' as usize,
        Some(c @ 'a'..='z') => 26 + c as usize - 'a' as usize,
        _ => 52,
    };
    let mut words: Vec<(usize, String, u32, u16)> = Vec::new();
    for (off, name) in entries {
        for (n, w) in name.split([' ', ',']).filter(|w| !w.is_empty()).enumerate() {
            words.push((bucket(w), upper(w), *off, n as u16));
        }
    }
    words.sort_by(|a, b| (a.0, &a.1, a.3, a.2).cmp(&(b.0, &b.1, b.3, b.2)));
    let mut out = vec![0u8; 208];
    let mut i = 0;
    for b in 0..52 {
        while words.get(i).is_some_and(|w| w.0 < b) {
            i += 1;
        }
        let off = (208 + 6 * i) as u32;
        out[b * 4..b * 4 + 4].copy_from_slice(&off.to_le_bytes());
    }
    for (_, _, off, n) in &words {
        out.extend(n.to_le_bytes());
        out.extend(off.to_le_bytes());
    }
    out
}

/// One transaction record: sync, stamp, CRC-16/ARC of the text, length, op,
/// flags (bit 0: template lines), origin `str[22]`, 12 reserved, text, NUL.
pub fn trans(sync: u32, stamp: u32, op: u8, origin: &str, lines: &[String]) -> Vec<u8> {
    let text = cp850(&lines.join("\r\n"));
    let template = lines.iter().skip(1).any(|l| l.starts_with("- "));
    let mut rec = Rec::new(48)
        .u32(0, sync)
        .u32(4, stamp)
        .u16(8, if text.is_empty() { 0 } else { crc16_arc(&text) })
        .u16(10, text.len() as u16)
        .u8(12, op)
        .u8(13, u8::from(template))
        .str(14, 22, origin)
        .0;
    rec.extend(&text);
    rec.push(0);
    rec
}

/// A placeholder record (op 0, no text): 49 bytes.
pub fn placeholder(sync: u32, stamp: u32, origin: &str) -> Vec<u8> {
    trans(sync, stamp, 0, origin, &[])
}

/// REQCONF.GLB (512 bytes).
pub fn reqconf(server: &str, reqsync: u32, srvsync: u32, impsync: u32, time: u32) -> Vec<u8> {
    Rec::new(512)
        .u16(0, 1)
        .str(2, 22, server)
        .u32(24, reqsync)
        .u32(28, srvsync)
        .u32(32, impsync)
        .u32(36, time)
        .u32(40, time)
        .u32(44, time)
        .u32(48, time)
        .u8(52, 1)
        .str(53, 9, "SECRET1")
        .str(62, 65, "PCM|PROFS")
        .0
}

/// One SRVCONF.GLB requestor record: (name, ReqSync, SrvSync, ImpSync).
pub type SrvRecord = (String, u32, u32, u32);

/// SRVCONF.GLB: 1024-byte header, then 1024 bytes a requestor.
pub fn srvconf(sync: u32, last_t2: u32, records: &[SrvRecord]) -> Vec<u8> {
    let mut out = Rec::new(1024)
        .u16(0, 1)
        .u32(2, sync)
        .u32(6, 12)
        .u16(10, 14)
        .u32(12, last_t2)
        .0;
    for (name, req, srv, imp) in records {
        out.extend(
            Rec::new(1024)
                .u8(0, 1)
                .str(1, 32, name)
                .u32(33, *req)
                .u32(37, *srv)
                .u32(41, *imp)
                .u32(45, 11)
                .u32(49, last_t2)
                .str(53, 9, "SECRET2")
                .str(64, 65, "PCM|PROFS")
                .0,
        );
    }
    out
}

/// Import-file column layout: op, blank, name in columns 3–32, blank,
/// address from column 34.
pub fn import_line(op: char, name: &str, address: &str) -> String {
    format!("{op} {name:<30} {address}")
}

/// A template data line: `- prompt/value`, a `/` in the prompt doubled.
pub fn template_line(prompt: &str, value: &str) -> String {
    format!("- {}/{value}", prompt.replace('/', "//"))
}

/// Writes `files` (relative path → bytes) under `root`.
pub fn write_files(root: &Path, files: &[(String, Vec<u8>)]) {
    for (rel, bytes) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

/// A tiny seeded generator (SplitMix64), so scenarios are reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next() % den < num
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_check_value() {
        // The CRC-16/ARC check value of "123456789".
        assert_eq!(crc16_arc(b"123456789"), 0xBB3D);
    }
}
