//! Single files: identification by name, size and content, and the checks that
//! need only the file itself (sizes, status bytes, CRCs, sync order).

use super::Finding;
use crate::dirsync::{self, TransKind, TransStream};
use crate::tree::misc::{SizeRule, KEY_SIZE, MBG_RECORD, SIZE_ONLY_GLB};

/// What a file parsed into, for the cross-file checks of a tree.
#[derive(Debug)]
pub enum Parsed {
    /// A transaction stream (records in file order).
    Stream(TransKind, TransStream),
    /// REQCONF.GLB.
    ReqConf(dirsync::conf::ReqConf),
    /// SRVCONF.GLB.
    SrvConf(dirsync::conf::SrvConf),
}

/// A record-structured tree file: (kind name, words for people, header, record size).
pub fn record_layout(name_upper: &str) -> Option<(&'static str, &'static str, usize, usize)> {
    let base = name_upper.rsplit('/').next().unwrap_or(name_upper);
    let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
    Some(match (base, ext) {
        ("ACCESS2.GLB", _) => ("access2", "ACCESS2 local users", 0, 69),
        ("NETWORK.GLB", _) => ("network", "NETWORK networks and gateways", 0, 122),
        ("NETPO.GLB", _) => ("netpo", "NETPO external addresses of the POL", 4, 43),
        ("GALNETPO.GLB", _) => ("galnetpo", "GALNETPO external addresses of the GAL", 4, 43),
        ("GROUP.GLB", _) => ("group", "GROUP local groups", 4, 51),
        (_, "XTN") => ("xtn", "XTN postoffices of one network", 0, 698),
        (_, "USR") => ("usr-list", "USR list", 0, 53),
        ("ADMIN.NME", _) => ("pol", "NME postoffice address list (POL)", 0, 45),
        ("ADMINSHD.NME", _) => ("pol-shadow", "NME shadow of ADMIN.NME", 0, 45),
        ("GAL.NME", _) => ("gal", "NME global address list (GAL)", 0, 45),
        (_, "NME") => ("nme-list", "NME personal or gateway list", 0, 45),
        _ => return None,
    })
}

/// Size rule of a tree or Dir-Sync file known by name (record files included).
pub fn size_rule(name_upper: &str) -> Option<(&'static str, &'static str, SizeRule)> {
    let base = name_upper.rsplit('/').next().unwrap_or(name_upper);
    let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
    if let Some((kind, words, h, s)) = record_layout(name_upper) {
        let rule = if h == 0 {
            SizeRule::MultipleOf(s as u64)
        } else {
            SizeRule::HeaderPlus(h as u64, s as u64)
        };
        return Some((kind, words, rule));
    }
    for (n, rule) in SIZE_ONLY_GLB {
        if *n == base {
            return Some(("size-only", "checked by size only", *rule));
        }
    }
    Some(match (base, ext) {
        ("MASTER.GLB", _) => ("master", "MASTER postoffice identity", SizeRule::Exact(176)),
        ("TID.GLB", _) => ("tid", "TID next tid to assign", SizeRule::Exact(4)),
        ("ACCESS.GLB", _) => (
            "access",
            "ACCESS (encrypted, not read)",
            SizeRule::MultipleOf(586),
        ),
        ("ACCESS3.GLB", _) => ("access3", "ACCESS3 (not read)", SizeRule::MultipleOf(512)),
        ("GALINDEX.GLB", _) => (
            "galindex",
            "GALINDEX word index of the GAL",
            SizeRule::HeaderPlus(208, 6),
        ),
        ("REQCONF.GLB", _) => (
            "reqconf",
            "REQCONF Dir-Sync requestor settings",
            SizeRule::Exact(512),
        ),
        ("SRVCONF.GLB" | "SVRCONF.GLB", _) => (
            "srvconf",
            "SRVCONF Dir-Sync server settings",
            SizeRule::HeaderPlus(1024, 1024),
        ),
        ("PROCESS.GLB", _) => (
            "process",
            "PROCESS Dir-Sync schedule",
            SizeRule::HeaderPlus(512, 197),
        ),
        (_, "KEY") => ("key", "KEY user key file", SizeRule::Exact(KEY_SIZE)),
        (_, "MBG") => ("mbg", "MBG mailbag", SizeRule::MultipleOf(MBG_RECORD)),
        (_, "GRP") => ("grp", "GRP group member chains", SizeRule::HeaderPlus(8, 8)),
        (_, "MEM") => ("mem", "MEM local member mailbags", SizeRule::MultipleOf(4)),
        _ => return None,
    })
}

/// Frames `bytes` as `header` + records of `size`, collecting instead of failing:
/// a wrong size becomes a `wrong-size` finding at the first incomplete record;
/// a status byte other than 0/1 a `bad-status` finding. Returns the whole records.
pub fn records<'a>(
    file: &str,
    bytes: &'a [u8],
    header: usize,
    size: usize,
    status: bool,
    findings: &mut Vec<Finding>,
) -> Vec<&'a [u8]> {
    let body = bytes.get(header..).unwrap_or_default();
    let recs: Vec<&[u8]> = body.chunks_exact(size.max(1)).collect();
    if status {
        // Listed one by one up to a limit: a large random file would otherwise
        // give millions of findings (and a report many times its size).
        let mut bad = 0usize;
        let mut first_unlisted = None;
        for (i, r) in recs.iter().enumerate() {
            let st = r.first().copied().unwrap_or(0);
            if st > 1 {
                bad += 1;
                if bad > LISTED_PER_CHECK {
                    first_unlisted.get_or_insert(i);
                    continue;
                }
                findings.push(Finding::new(
                    "bad-status",
                    file,
                    Some(i as u64),
                    Some((header + i * size) as u64),
                    format!("status byte {st:#04x} is neither 0 (free) nor 1 (in use)"),
                ));
            }
        }
        if let Some(i) = first_unlisted {
            findings.push(Finding::new(
                "bad-status",
                file,
                Some(i as u64),
                Some((header + i * size) as u64),
                format!(
                    "and {} more records from here on with a status byte neither 0 nor 1 (only \
                     the first {LISTED_PER_CHECK} are listed)",
                    bad - LISTED_PER_CHECK
                ),
            ));
        }
    }
    recs
}

/// `group-chain-dangling` for each GRP node (after the header node) whose
/// next pointer is neither 0 nor the offset of a node, the first
/// [`LISTED_PER_CHECK`] one by one, then a count.
pub(super) fn grp_pointers(file: &str, bytes: &[u8], findings: &mut Vec<Finding>) {
    let nodes = bytes.len() / 8;
    let mut bad = 0usize;
    let mut first_unlisted = None;
    for (i, n) in bytes.chunks_exact(8).enumerate().skip(1) {
        let next = u32::from_le_bytes([n[4], n[5], n[6], n[7]]) as usize;
        if next == 0 || (next.is_multiple_of(8) && next / 8 > 0 && next / 8 < nodes) {
            continue;
        }
        bad += 1;
        if bad > LISTED_PER_CHECK {
            first_unlisted.get_or_insert(i);
            continue;
        }
        findings.push(Finding::new(
            "group-chain-dangling",
            file,
            Some(i as u64),
            Some((i * 8 + 4) as u64),
            format!("next node pointer {next} is not a node of this file"),
        ));
    }
    if let Some(i) = first_unlisted {
        findings.push(Finding::new(
            "group-chain-dangling",
            file,
            Some(i as u64),
            Some((i * 8 + 4) as u64),
            format!(
                "and {} more nodes from here on whose next pointer is not a node (only the \
                 first {LISTED_PER_CHECK} are listed)",
                bad - LISTED_PER_CHECK
            ),
        ));
    }
}

/// How many findings of one per-record check are listed for one file.
pub const LISTED_PER_CHECK: usize = 100;

/// Checks a size rule; a wrong size is a `wrong-size` finding.
pub fn check_size(file: &str, len: u64, rule: SizeRule, findings: &mut Vec<Finding>) -> bool {
    if rule.accepts(len) {
        return true;
    }
    let (record, offset, expect) = match rule {
        SizeRule::Exact(n) => (None, None, format!("exactly {n} bytes")),
        SizeRule::MultipleOf(n) => (
            Some(len / n.max(1)),
            Some(len - len % n.max(1)),
            format!("a multiple of {n} bytes"),
        ),
        SizeRule::HeaderPlus(h, n) if len >= h => (
            Some((len - h) / n.max(1)),
            Some(len - (len - h) % n.max(1)),
            format!("{h} + a multiple of {n} bytes"),
        ),
        SizeRule::HeaderPlus(h, n) => (None, None, format!("{h} + a multiple of {n} bytes")),
    };
    findings.push(Finding::new(
        "wrong-size",
        file,
        record,
        offset,
        format!("file is {len} bytes, expected {expect}"),
    ));
    false
}

/// Checks a transaction stream: damage (skipped ranges), CRCs, strictly increasing syncs.
pub fn check_stream(file: &str, bytes: &[u8], findings: &mut Vec<Finding>) -> TransStream {
    let stream = match dirsync::read_stream(bytes, file, true) {
        Ok(s) => s,
        Err(e) => {
            findings.push(Finding::from_error("damaged-record", &e));
            return TransStream::default();
        }
    };
    for s in &stream.skipped {
        findings.push(Finding::new(
            "damaged-record",
            file,
            None,
            Some(s.start),
            format!("bytes {}..{} skipped: {}", s.start, s.end, s.reason),
        ));
    }
    for (i, off, r) in stream.bad_crcs() {
        findings.push(Finding::new(
            "crc-mismatch",
            file,
            Some(i as u64),
            Some(off),
            format!(
                "sync {}: stored CRC {:04X}, computed {:04X}",
                r.sync,
                r.crc,
                r.computed_crc()
            ),
        ));
    }
    let mut prev: Option<u32> = None;
    for (i, (r, off)) in stream.records.iter().zip(stream.offsets.iter()).enumerate() {
        if r.op == b'H' {
            continue;
        }
        if let Some(p) = prev {
            if r.sync <= p {
                findings.push(Finding::new(
                    "sync-not-increasing",
                    file,
                    Some(i as u64),
                    Some(*off),
                    format!("sync {} follows sync {p}", r.sync),
                ));
            }
        }
        prev = Some(r.sync);
    }
    stream
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub use super::named::{check_named, inspect_file};
