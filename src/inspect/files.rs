//! Single files: identification by name, size and content, and the checks that
//! need only the file itself (sizes, status bytes, CRCs, sync order).

use std::path::Path;

use super::{FileInfo, Finding};
use crate::dirsync::{self, DirSyncFileKind, TransKind, TransStream};
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
fn grp_pointers(file: &str, bytes: &[u8], findings: &mut Vec<Finding>) {
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

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Identifies and checks one file known (or not) by name. `name_upper` is the
/// upper-cased `DIR/NAME` inside a tree, or the bare name for a single file.
pub fn check_named(
    file: &str,
    name_upper: &str,
    bytes: &[u8],
    findings: &mut Vec<Finding>,
) -> (FileInfo, Option<Parsed>) {
    let base = name_upper.rsplit('/').next().unwrap_or(name_upper);
    check_as(
        file,
        name_upper,
        dirsync::sniff(base, bytes),
        bytes,
        findings,
    )
}

/// [`check_named`] with the Dir-Sync kind already recognised
/// (`source::recognise`).
fn check_as(
    file: &str,
    name_upper: &str,
    dirsync_kind: Option<DirSyncFileKind>,
    bytes: &[u8],
    findings: &mut Vec<Finding>,
) -> (FileInfo, Option<Parsed>) {
    let len = bytes.len() as u64;
    let base = name_upper.rsplit('/').next().unwrap_or(name_upper);
    let info = |kind: &str, description: String| FileInfo {
        file: file.to_string(),
        kind: kind.to_string(),
        description,
    };
    // Dir-Sync files first (names decide).
    match dirsync_kind {
        Some(DirSyncFileKind::Transactions(k)) => {
            let s = check_stream(file, bytes, findings);
            let last = s
                .records
                .iter()
                .rev()
                .find(|r| r.op != b'H')
                .map(|r| r.sync);
            let d = format!(
                "Dir-Sync transaction stream ({k:?}), {}{}",
                plural(s.records.len(), "record", "records"),
                last.map_or(String::new(), |l| format!(", last sync {l}"))
            );
            let kind = serde_json::to_value(k)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "transactions".into());
            return (info(&kind, d), Some(Parsed::Stream(k, s)));
        }
        Some(DirSyncFileKind::ReqConf) => {
            return match dirsync::conf::ReqConf::read(bytes, file) {
                Ok(c) => {
                    let d = format!(
                        "REQCONF Dir-Sync requestor settings: server {}, ReqSync {}, SrvSync {}, password {}",
                        c.server.text(),
                        c.reqsync,
                        c.srvsync,
                        if c.password_set() { "set" } else { "not set" }
                    );
                    (info("reqconf", d), Some(Parsed::ReqConf(c)))
                }
                Err(e) => {
                    findings.push(Finding::from_error("damaged-record", &e));
                    (
                        info("reqconf", format!("REQCONF, {len} bytes, unreadable")),
                        None,
                    )
                }
            };
        }
        Some(DirSyncFileKind::SrvConf) => {
            return match dirsync::conf::SrvConf::read(bytes, file) {
                Ok(c) => {
                    let used = c.requestors.iter().filter(|r| r.in_use()).count();
                    let d = format!(
                        "SRVCONF Dir-Sync server settings: Sync {}, {}",
                        c.sync,
                        plural(used, "requestor", "requestors")
                    );
                    (info("srvconf", d), Some(Parsed::SrvConf(c)))
                }
                Err(e) => {
                    findings.push(Finding::from_error("damaged-record", &e));
                    (
                        info("srvconf", format!("SRVCONF, {len} bytes, unreadable")),
                        None,
                    )
                }
            };
        }
        Some(DirSyncFileKind::Process) => {
            return match dirsync::process::ProcessFile::read(bytes, file) {
                Ok(p) => (
                    info(
                        "process",
                        format!(
                            "PROCESS Dir-Sync schedule, {}",
                            plural(p.records.len(), "entry", "entries")
                        ),
                    ),
                    None,
                ),
                Err(e) => {
                    findings.push(Finding::from_error("damaged-record", &e));
                    (
                        info("process", format!("PROCESS, {len} bytes, unreadable")),
                        None,
                    )
                }
            };
        }
        None => {}
    }
    if let Some((kind, words, header, size)) = record_layout(name_upper) {
        let rule = if header == 0 {
            SizeRule::MultipleOf(size as u64)
        } else {
            SizeRule::HeaderPlus(header as u64, size as u64)
        };
        check_size(file, len, rule, findings);
        let recs = records(file, bytes, header, size, true, findings);
        let used = recs.iter().filter(|r| r.first() == Some(&1)).count();
        let d = format!(
            "{words}, {size}-byte records, {} ({used} in use)",
            plural(recs.len(), "record", "records")
        );
        return (info(kind, d), None);
    }
    if let Some((kind, words, rule)) = size_rule(name_upper) {
        let ok = check_size(file, len, rule, findings);
        let mut d = format!("{words}, {len} bytes");
        match kind {
            "master" if ok => match crate::tree::identity::MasterGlb::read(file, bytes) {
                Ok(m) => {
                    d = format!(
                        "MASTER postoffice identity: {}/{}, version {:#06x}",
                        m.network, m.postoffice, m.version
                    )
                }
                Err(e) => findings.push(Finding::from_error("unknown-version", &e)),
            },
            "tid" if ok => {
                if let Ok(t) = crate::tree::misc::read_tid(file, bytes) {
                    d = format!("TID next tid to assign: {t}");
                }
            }
            "galindex" if ok => match crate::tree::galindex::GalIndex::read(file, bytes) {
                Ok(g) => d = format!("GALINDEX word index of the GAL, {} words", g.words.len()),
                Err(e) => findings.push(Finding::from_error("galindex-mismatch", &e)),
            },
            "grp" => d = format!("GRP group member chains, {} nodes", len / 8),
            "mem" => {
                if len > 2000 {
                    findings.push(Finding::new(
                        "wrong-size",
                        file,
                        Some(500),
                        Some(2000),
                        format!("{len} bytes: more than 500 members"),
                    ));
                }
                d = format!(
                    "MEM local member mailbags, {}",
                    plural((len / 4) as usize, "member", "members")
                );
            }
            "access" | "access3" => {
                d = format!(
                    "{words}, {} by size",
                    plural(
                        (len / if kind == "access" { 586 } else { 512 }) as usize,
                        "record",
                        "records"
                    )
                );
            }
            _ => {}
        }
        return (info(kind, d), None);
    }
    let ext = base.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "TPL" => {
            return match crate::tree::templates::TplFile::read(file, bytes) {
                Ok(t) => (
                    info(
                        "tpl",
                        format!(
                            "TPL template definition, {}",
                            plural(t.fields.len(), "field", "fields")
                        ),
                    ),
                    None,
                ),
                Err(e) => {
                    findings.push(Finding::from_error("damaged-record", &e));
                    (
                        info("tpl", "TPL template definition, unreadable".into()),
                        None,
                    )
                }
            }
        }
        "INF" => return (info("inf", format!("INF template data, {len} bytes")), None),
        _ => {}
    }
    (
        info("unknown", format!("not a file msmail knows, {len} bytes")),
        None,
    )
}

/// Identifies and checks a single file given on the command line.
pub fn inspect_file(path: &Path, shown: &str, findings: &mut Vec<Finding>) -> FileInfo {
    let bytes = match crate::input::read_input(path) {
        Ok(b) => b,
        Err(e) => {
            findings.push(Finding::from_error("unreadable", &e));
            return FileInfo {
                file: shown.to_string(),
                kind: "unreadable".into(),
                description: "cannot be read".into(),
            };
        }
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_uppercase())
        .unwrap_or_default();
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().to_ascii_uppercase());
    let rel = match folder {
        Some(f) => format!("{f}/{name}"),
        None => name.clone(),
    };
    use crate::dsmsg::TextFileKind;
    let recognised = crate::source::recognise(shown, &bytes);
    let text_kind = recognised.text();
    // Content first for Dir-Sync text: an attachment named TMPTRANS.GLB is
    // text, not a binary stream (Q118298).
    if text_kind != Some(TextFileKind::DirSyncMessage) {
        let (info, _) = check_as(shown, &rel, recognised.dirsync(), &bytes, findings);
        if info.kind == "grp" {
            // Alone, without GROUP.GLB to start the chains from: every node's
            // next pointer must at least be a node of the file (a tree's
            // inspection follows the chains instead).
            grp_pointers(shown, &bytes, findings);
        }
        if info.kind != "unknown" {
            return info;
        }
    }
    inspect_text(path, shown, &bytes, text_kind, findings)
}

/// Identifies and checks a text file: message, log, DISPATCH.LOG, schedule or
/// import text, each parsed in full; anything else is reported with what was
/// expected at its first line.
fn inspect_text(
    path: &Path,
    shown: &str,
    bytes: &[u8],
    kind: Option<crate::dsmsg::TextFileKind>,
    findings: &mut Vec<Finding>,
) -> FileInfo {
    use crate::dsmsg::TextFileKind;
    let info = |kind: &str, description: String| FileInfo {
        file: shown.to_string(),
        kind: kind.to_string(),
        description,
    };
    let decode =
        || crate::codepage::decode_input(bytes, crate::codepage::TextEncoding::Cp850, shown);
    let mut fail = |kind: &str, what: &str, e: crate::error::Error| {
        findings.push(Finding::from_error("text-error", &e));
        info(kind, format!("{what} with errors"))
    };
    match kind {
        Some(TextFileKind::DirSyncMessage) => {
            match crate::dsmsg::read_message(path, crate::codepage::TextEncoding::Cp850) {
                Ok(m) => {
                    let what = if m.has_dirsync_section {
                        "Dir-Sync message"
                    } else {
                        "Dir-Sync transaction attachment"
                    };
                    info(
                        "dirsync-message",
                        format!(
                            "{what}, {}",
                            plural(m.transactions.len(), "transaction", "transactions")
                        ),
                    )
                }
                Err(e) => fail("dirsync-message", "Dir-Sync message", e),
            }
        }
        Some(TextFileKind::Log) => match decode().and_then(|t| crate::logs::parse_log(&t, shown)) {
            Ok(v) => {
                let records = v
                    .iter()
                    .filter(|l| matches!(l, crate::logs::LogLine::Record(_)))
                    .count();
                info(
                    "log",
                    format!(
                        "Dir-Sync log (DIRSYNC/DSSERVER/CENTRAL), {}",
                        plural(records, "record", "records")
                    ),
                )
            }
            Err(e) => fail("log", "Dir-Sync log", e),
        },
        Some(TextFileKind::DispatchLog) => match decode() {
            Ok(t) => {
                let v = crate::logs::parse_dispatch_log(&t);
                let events = v.iter().filter(|d| d.event.is_dispatch_specific()).count();
                info(
                    "dispatch-log",
                    format!(
                        "DISPATCH.LOG, {}, {}",
                        plural(v.len(), "line", "lines"),
                        plural(events, "run event", "run events")
                    ),
                )
            }
            Err(e) => fail("dispatch-log", "DISPATCH.LOG", e),
        },
        Some(TextFileKind::Schedule) => {
            match decode().and_then(|t| crate::logs::parse_schedule(&t, shown)) {
                Ok(v) => info(
                    "dssched",
                    format!("DSSCHED time file, {}", plural(v.len(), "time", "times")),
                ),
                Err(e) => fail("dssched", "DSSCHED time file", e),
            }
        }
        Some(TextFileKind::ImportText) => {
            match crate::importtext::read_directory(path, crate::codepage::TextEncoding::Cp850) {
                Ok(d) => info(
                    "import-text",
                    format!("import text, {}", plural(d.len(), "entry", "entries")),
                ),
                Err(e) => fail("import-text", "import text", e),
            }
        }
        None => {
            let len = bytes.len();
            // UTF-16 text announces itself with a byte-order mark: say why it
            // does not decode, in the encoding tried.
            if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
                if let Err(e) = decode() {
                    findings.push(Finding::from_error("text-error", &e));
                    return info(
                        "text",
                        format!("UTF-16 text that does not decode, {len} bytes"),
                    );
                }
            }
            if bytes.contains(&0) {
                // Given on the command line and not recognised: an error
                // that says what was expected (exit 3), not a silent "unknown".
                findings.push(Finding::from_error(
                    "not-recognised",
                    &crate::dsmsg::unrecognised(shown, bytes),
                ));
                return info("unknown", format!("not a file msmail knows, {len} bytes"));
            }
            findings.push(Finding::from_error(
                "text-error",
                &crate::dsmsg::unrecognised(shown, bytes),
            ));
            info(
                "text",
                "text file that is none of the text files msmail reads (import text, Dir-Sync \
                 message, log, DISPATCH.LOG, DSSCHED times)"
                    .into(),
            )
        }
    }
}
