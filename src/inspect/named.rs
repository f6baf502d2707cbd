//! Identification of one file by name, size and content, and its checks
//! (the single-file checks of [`super::files`] applied by kind).

use std::path::Path;

use super::{FileInfo, Finding};
use crate::dirsync::{self, DirSyncFileKind};
use crate::tree::misc::SizeRule;

use super::files::*;

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
