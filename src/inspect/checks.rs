//! The check table (code → severity, meaning) and the cross-file checks of a
//! whole MAILDATA tree.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::files::{self, Parsed};
use super::{FileInfo, Finding, InputReport, Severity};
use crate::dirsync::TransKind;
use crate::tree::identity::network_kind;
use crate::tree::lists::nme_kind;
use crate::tree::validate::{self, NmeTarget, RecordAt, TreeFinding};
use crate::tree::U32F;

/// Every check: code, severity, what it means for the user (docs/inspect.md).
pub const CHECKS: &[(&str, Severity, &str)] = &[
    ("missing-file", Severity::Error, "A file MS Mail needs is missing; restore it from a backup or rebuild it (MAILINT / REBUILD)."),
    ("missing-optional", Severity::Warning, "A file MS Mail normally keeps is missing; MS Mail recreates some of them, check the backup."),
    ("wrong-size", Severity::Error, "The file size does not match its record size (Q77926): the file is truncated or damaged; records from the given offset on are lost."),
    ("bad-status", Severity::Error, "A record's status byte is neither free nor in use: the record is damaged."),
    ("unknown-version", Severity::Warning, "MASTER.GLB names a version this tool does not know; the layout may differ."),
    ("access-count-mismatch", Severity::Error, "ACCESS.GLB, ACCESS2.GLB and ACCESS3.GLB must hold the same number of records (Q87402); users may be unable to sign in. Run MAILINT or restore the three files together."),
    ("shadow-mismatch", Severity::Error, "A shadow file differs from its master (ADMINSHD.NME vs ADMIN.NME, ADMINSHD.GRP vs ADMIN.GRP, Q107767); MS Mail may serve a stale list. Copy the master over the shadow after checking it."),
    ("count-mismatch", Severity::Error, "A file's header record count differs from the records it holds; lookups past the count fail."),
    ("dangling-pointer", Severity::Error, "An NME entry points to a record that does not exist (ACCESS2, NETPO or GALNETPO); the address cannot be resolved and mail to it fails."),
    ("dangling-tid", Severity::Error, "A tid leads nowhere (an NME group not in GROUP.GLB, a group member without an ADMIN.NME entry); the entry cannot be resolved."),
    ("tid-mismatch", Severity::Error, "An NME entry's tid differs from the tid of the record it points to: the lists are out of step."),
    ("bad-kind", Severity::Error, "An entry kind byte has a value the format does not define: the record is damaged."),
    ("group-chain-cycle", Severity::Error, "A group's member chain in GRP/ADMIN.GRP loops; MS Mail would expand the group forever or stop part-way. Rebuild the group."),
    ("group-chain-dangling", Severity::Error, "A group's member chain points outside GRP/ADMIN.GRP; members after that point are lost."),
    ("key-without-mbg", Severity::Error, "A KEY file has no matching MBG mailbag: that user's mail store is missing."),
    ("mbg-without-key", Severity::Warning, "An MBG mailbag has no matching KEY file: an orphaned mailbag (a deleted user's mail?)."),
    ("gal-unsorted", Severity::Error, "GAL.NME is not sorted by full name (case-insensitive, Q86375): users cannot find names in the GAL. Rebuild the GAL."),
    ("galindex-mismatch", Severity::Error, "GALINDEX.GLB does not index GAL.NME as it is (Q86375): GAL searches by word give wrong results. Rebuild the GAL."),
    ("crc-mismatch", Severity::Error, "A transaction's stored CRC does not match its text: the transaction is corrupt and Dir-Sync may reject or misapply it."),
    ("sync-not-increasing", Severity::Error, "Transaction sync numbers must rise strictly; a repeat or step back means a damaged or spliced file."),
    ("damaged-record", Severity::Error, "A record cannot be read (framing, length or field damage); the bytes named are skipped."),
    ("reqtrans-below-reqsync", Severity::Error, "REQTRANS.GLB holds updates numbered at or below REQCONF's ReqSync: T1 treats them as already sent, so they are never sent (\"No Updates to Send\", Q119452)."),
    ("srvconf-sync-mismatch", Severity::Error, "SRVCONF.GLB Sync differs from the last MSTTRANS.GLB sync: requestors may ask for numbers that do not exist (Error 138, Q108067)."),
    ("tid-counter-behind", Severity::Error, "TID.GLB's next tid is not above every tid in use: new users or groups would get tids that already exist."),
    ("bad-mailbag", Severity::Error, "A mailbag or XTN prefix is not 8 hex digits: the files it names cannot be found."),
    ("user-not-in-pol", Severity::Warning, "A local user has no ADMIN.NME entry: the user does not appear in the postoffice address list."),
    ("usr-missing", Severity::Info, "An external postoffice has no USR list yet: its address list arrives with the next Dir-Sync T3 or manual update."),
    ("unreadable", Severity::Error, "The file cannot be read (permissions, I/O error)."),
    ("not-recognised", Severity::Error, "msmail does not know what this path is."),
    ("text-error", Severity::Error, "The text file has a syntax error at the line and column named."),
    ("load-error", Severity::Error, "The tree reader used by export, diff and reconcile stops at this point; those commands fail here unless run with --salvage."),
    ("reader-finding", Severity::Error, "The tree reader found a cross-file inconsistency the checks above do not name (e.g. a MEM file out of step with its group): export, diff and reconcile go on and print it."),
    ("unknown-file", Severity::Info, "A file msmail does not check (messages, foreign files)."),
];

/// Severity and meaning of a code (unknown codes: error, no meaning).
pub fn describe(code: &str) -> (Severity, &'static str) {
    CHECKS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or((Severity::Error, ""), |(_, s, m)| (*s, *m))
}

const NME_SIZE: usize = crate::tree::lists::nme_layout::SIZE;
const NETPO_HEADER: usize = crate::tree::lists::netpo_layout::HEADER;
const NETPO_SIZE: usize = crate::tree::lists::netpo_layout::SIZE;
const ACCESS2_SIZE: usize = crate::tree::users::access2_layout::SIZE;
const GROUP_HEADER: usize = crate::tree::groups::group_layout::HEADER;
const GROUP_SIZE: usize = crate::tree::groups::group_layout::SIZE;

/// NME fields (profile v1 layout from `tree::lists`).
fn nme(rec: &[u8]) -> (u8, String, u32, u16, u32) {
    use crate::tree::lists::nme_layout as l;
    (
        l::STATUS.get(rec),
        l::FULL_NAME.get(rec),
        l::TID.get(rec),
        l::KIND.get(rec),
        l::POINTER.get(rec),
    )
}

struct Tree<'a> {
    files: std::collections::BTreeMap<String, std::path::PathBuf>,
    root: &'a Path,
    findings: Vec<Finding>,
}

impl Tree<'_> {
    fn shown(&self, rel: &str) -> String {
        self.files
            .get(rel)
            .unwrap_or(&self.root.join(rel))
            .display()
            .to_string()
    }
    fn read(&mut self, rel: &str) -> Option<Vec<u8>> {
        let p = self.files.get(rel)?;
        match crate::output::read_input(p) {
            Ok(b) => Some(b),
            Err(e) => {
                self.findings.push(Finding::from_error("unreadable", &e));
                None
            }
        }
    }
    fn push(
        &mut self,
        code: &'static str,
        rel: &str,
        rec: Option<u64>,
        off: Option<u64>,
        msg: String,
    ) {
        let f = self.shown(rel);
        self.findings.push(Finding::new(code, f, rec, off, msg));
    }
    /// A finding of the tree validator.
    fn found(&mut self, f: &TreeFinding) {
        self.findings.push(Finding::from_tree(f));
    }
}

/// Inspects a whole MAILDATA tree.
pub fn inspect_tree(root: &Path) -> (InputReport, Vec<Finding>) {
    let mut t = Tree {
        files: super::list_tree(root),
        root,
        findings: Vec::new(),
    };
    // Per-file identification and checks.
    let mut infos: Vec<FileInfo> = Vec::new();
    let mut parsed: HashMap<String, Parsed> = HashMap::new();
    let rels: Vec<String> = t.files.keys().cloned().collect();
    for rel in &rels {
        if rel == "GLB/ACCESS.GLB" || rel == "GLB/ACCESS3.GLB" {
            // Never read: measured only.
            let len = t
                .files
                .get(rel)
                .and_then(|p| std::fs::metadata(p).ok())
                .map_or(0, |m| m.len());
            let shown = t.shown(rel);
            let size = if rel == "GLB/ACCESS.GLB" { 586 } else { 512 };
            files::check_size(
                &shown,
                len,
                crate::tree::misc::SizeRule::MultipleOf(size),
                &mut t.findings,
            );
            infos.push(FileInfo {
                file: shown,
                kind: if size == 586 { "access" } else { "access3" }.into(),
                description: format!(
                    "{} (never read), {} records by size",
                    rel.trim_start_matches("GLB/"),
                    len / size
                ),
            });
            continue;
        }
        let shown = t.shown(rel);
        // Mailbags, keys, INF data and size-only files: measured, not read
        // (MBG files hold the mail and can be large).
        let measured = match files::size_rule(rel) {
            Some((kind @ ("size-only" | "key" | "mbg"), words, rule)) => {
                Some((kind, words, Some(rule)))
            }
            _ if rel.ends_with(".INF") => Some(("inf", "INF template data", None)),
            _ => None,
        };
        if let Some((kind, words, rule)) = measured {
            let len = t
                .files
                .get(rel)
                .and_then(|p| std::fs::metadata(p).ok())
                .map_or(0, |m| m.len());
            if let Some(rule) = rule {
                files::check_size(&shown, len, rule, &mut t.findings);
            }
            infos.push(FileInfo {
                file: shown,
                kind: kind.into(),
                description: format!("{words}, {len} bytes"),
            });
            continue;
        }
        let Some(bytes) = t.read(rel) else { continue };
        let (info, p) = files::check_named(&shown, rel, &bytes, &mut t.findings);
        if info.kind == "unknown" {
            t.findings.push(Finding::new(
                "unknown-file",
                shown.clone(),
                None,
                None,
                "not checked",
            ));
        }
        infos.push(info);
        if let Some(p) = p {
            parsed.insert(rel.clone(), p);
        }
    }
    for rel in ["GLB/MASTER.GLB", "GLB/ACCESS2.GLB", "NME/ADMIN.NME"] {
        if !t.files.contains_key(rel) {
            t.push(
                "missing-file",
                rel,
                None,
                None,
                "missing: a postoffice tree needs this file".into(),
            );
        }
    }
    for rel in ["GLB/ACCESS.GLB", "GLB/ACCESS3.GLB", "NME/ADMINSHD.NME"] {
        if !t.files.contains_key(rel) {
            t.push(
                "missing-file",
                rel,
                None,
                None,
                "missing (its partner file is present)".into(),
            );
        }
    }
    for (name, _) in crate::tree::misc::SIZE_ONLY_GLB
        .iter()
        .chain([("TID.GLB", crate::tree::misc::SizeRule::Exact(4))].iter())
    {
        let rel = format!("GLB/{name}");
        if !t.files.contains_key(&rel) {
            t.push("missing-optional", &rel, None, None, "missing".into());
        }
    }

    let access2 = t.read("GLB/ACCESS2.GLB").unwrap_or_default();
    let a2_count = access2.len() / ACCESS2_SIZE;
    for (rel, size) in [("GLB/ACCESS.GLB", 586u64), ("GLB/ACCESS3.GLB", 512u64)] {
        if let Some(len) = t
            .files
            .get(rel)
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
        {
            let shown = t.shown(rel);
            if let Some(f) = validate::access_count(&shown, len / size, a2_count as u64) {
                t.found(&f);
            }
        }
    }
    // Local users: offsets and tids.
    use crate::tree::users::access2_layout as al;
    let mut user_at: HashMap<u32, u32> = HashMap::new(); // pointer -> tid
    let mut tids_used: Vec<u32> = Vec::new();
    let mut user_rows: Vec<(usize, String)> = Vec::new();
    for (i, r) in access2.chunks_exact(ACCESS2_SIZE).enumerate() {
        if al::STATUS.get(r) != 1 {
            continue;
        }
        let tid = al::TID.get(r);
        user_at.insert((i * ACCESS2_SIZE) as u32, tid);
        tids_used.push(tid);
        user_rows.push((i, al::MAILBOX.get(r)));
        let bag = al::MAILBAG.get(r);
        let at = RecordAt::new(i, ACCESS2_SIZE, 0);
        let shown = t.shown("GLB/ACCESS2.GLB");
        if let Err(f) = validate::mailbag(&shown, at, al::MAILBAG, "mailbag", &bag) {
            t.found(&f);
        }
    }
    // Groups.
    let group = t.read("GLB/GROUP.GLB").unwrap_or_default();
    let mut group_tids: HashSet<u32> = HashSet::new();
    check_count(&mut t, "GLB/GROUP.GLB", &group, GROUP_HEADER, GROUP_SIZE);
    for r in group
        .get(GROUP_HEADER..)
        .unwrap_or_default()
        .chunks_exact(GROUP_SIZE)
    {
        if r.first() == Some(&1) {
            let tid = crate::tree::groups::group_layout::TID.get(r);
            group_tids.insert(tid);
            tids_used.push(tid);
        }
    }
    // TID counter.
    if let Some(b) = t.read("GLB/TID.GLB") {
        if b.len() == 4 {
            let next = U32F(0).get(&b);
            let shown = t.shown("GLB/TID.GLB");
            if let Some(f) = validate::tid_counter(&shown, next, tids_used.iter().max().copied()) {
                t.found(&f);
            }
        }
    }
    // Shadows.
    shadow(
        &mut t,
        "NME/ADMIN.NME",
        "ADMIN.NME",
        "NME/ADMINSHD.NME",
        NME_SIZE,
    );
    shadow(&mut t, "GRP/ADMIN.GRP", "ADMIN.GRP", "GRP/ADMINSHD.GRP", 8);
    // NETPO / GALNETPO.
    let netpo = t.read("GLB/NETPO.GLB");
    let galnetpo = t.read("GLB/GALNETPO.GLB");
    if let Some(b) = &netpo {
        check_count(&mut t, "GLB/NETPO.GLB", b, NETPO_HEADER, NETPO_SIZE);
    }
    if let Some(b) = &galnetpo {
        check_count(&mut t, "GLB/GALNETPO.GLB", b, NETPO_HEADER, NETPO_SIZE);
    }
    // ADMIN.NME resolution.
    let admin = t.read("NME/ADMIN.NME").unwrap_or_default();
    let mut pol_tids: HashSet<u32> = HashSet::new();
    let mut pol_users: HashSet<u32> = HashSet::new();
    let mut chains: Vec<(usize, u32)> = Vec::new();
    resolve_nme(
        &mut t,
        "NME/ADMIN.NME",
        &admin,
        &user_at,
        &group_tids,
        netpo.as_deref(),
        "GLB/NETPO.GLB",
        &mut |i, tid, kind, ptr| {
            pol_tids.insert(tid);
            if kind == nme_kind::LOCAL_USER {
                pol_users.insert(ptr);
            }
            if kind == nme_kind::GROUP {
                chains.push((i, ptr));
            }
        },
    );
    for (i, mb) in &user_rows {
        if !pol_users.contains(&((i * ACCESS2_SIZE) as u32)) {
            let shown = t.shown("GLB/ACCESS2.GLB");
            let at = RecordAt::new(*i, ACCESS2_SIZE, 0);
            t.found(&validate::user_not_in_pol(&shown, at, mb));
        }
    }
    // Group chains.
    if !chains.is_empty() {
        match t.read("GRP/ADMIN.GRP") {
            Some(grp) => {
                let nodes = grp.len() / 8;
                // seen[node] = 1 + the chain that visited it: one array for
                // all chains, so many groups stay linear.
                let mut seen = vec![0usize; nodes];
                for (chain_no, (nme_i, first)) in chains.into_iter().enumerate() {
                    let mark = chain_no + 1;
                    let mut p = first;
                    let mut from: Option<usize> = None;
                    while p != 0 {
                        let (rec, off) = match from {
                            Some(n) => (Some(n as u64), Some((n * 8) as u64)),
                            None => (None, Some(u64::from(p))),
                        };
                        let idx = p as usize / 8;
                        if p % 8 != 0 || idx == 0 || idx >= nodes {
                            t.push("group-chain-dangling", "GRP/ADMIN.GRP", rec, off, format!("chain of the group in ADMIN.NME record {nme_i}: node pointer {p} is not a node"));
                            break;
                        }
                        if seen.get(idx).is_none_or(|&m| m == mark) {
                            t.push("group-chain-cycle", "GRP/ADMIN.GRP", rec, off, format!("chain of the group in ADMIN.NME record {nme_i} loops back to node {idx} (offset {p})"));
                            break;
                        }
                        if let Some(s) = seen.get_mut(idx) {
                            *s = mark;
                        }
                        let node = grp.get(idx * 8..idx * 8 + 8).unwrap_or_default();
                        let member = U32F(0).get(node);
                        if !pol_tids.contains(&member) {
                            t.push(
                                "dangling-tid",
                                "GRP/ADMIN.GRP",
                                Some(idx as u64),
                                Some((idx * 8) as u64),
                                format!("member tid {member} has no ADMIN.NME entry"),
                            );
                        }
                        from = Some(idx);
                        p = U32F(4).get(node);
                    }
                }
            }
            None => {
                if t.files.contains_key("GRP/ADMIN.GRP") {
                    // unreadable: reported already
                } else {
                    t.push(
                        "missing-file",
                        "GRP/ADMIN.GRP",
                        None,
                        None,
                        "missing, but ADMIN.NME has groups".into(),
                    );
                }
            }
        }
    }
    // GAL.
    if let Some(gal) = t.read("NME/GAL.NME") {
        let mut order = validate::GalOrder::new();
        let mut entries: Vec<(u32, String)> = Vec::new();
        let shown = t.shown("NME/GAL.NME");
        for (i, r) in gal.chunks_exact(NME_SIZE).enumerate() {
            let (st, name, _, _, _) = nme(r);
            if st != 1 {
                continue;
            }
            if let Some(f) = order.next(&shown, RecordAt::new(i, NME_SIZE, 0), &name) {
                t.found(&f);
            }
            entries.push(((i * NME_SIZE) as u32, name));
        }
        resolve_nme(
            &mut t,
            "NME/GAL.NME",
            &gal,
            &user_at,
            &group_tids,
            galnetpo.as_deref(),
            "GLB/GALNETPO.GLB",
            &mut |_, _, _, _| {},
        );
        if let Some(gi) = t.read("GLB/GALINDEX.GLB") {
            let built = crate::tree::galindex::GalIndex::build(
                entries.iter().map(|(o, n)| (*o, n.as_str())),
            )
            .write();
            if built != gi {
                let first = built
                    .iter()
                    .zip(gi.iter())
                    .position(|(a, b)| a != b)
                    .unwrap_or(built.len().min(gi.len()));
                let rec = first.checked_sub(208).map(|o| (o / 6) as u64);
                t.push("galindex-mismatch", "GLB/GALINDEX.GLB", rec, Some(first as u64), format!("differs from the index of GAL.NME from byte {first} ({} vs {} bytes expected)", gi.len(), built.len()));
            }
        }
    }
    // NETWORK / XTN / USR.
    if let Some(net) = t.read("GLB/NETWORK.GLB") {
        use crate::tree::identity::network_layout as nl;
        for (i, r) in net.chunks_exact(nl::SIZE).enumerate() {
            if nl::STATUS.get(r) != 1 {
                continue;
            }
            let name = nl::NAME.get(r);
            let at = RecordAt::new(i, nl::SIZE, 0);
            let netfile = t.shown("GLB/NETWORK.GLB");
            let kind = match validate::network_kind(&netfile, at, nl::KIND.get(r)) {
                Ok(kind) => kind,
                Err(f) => {
                    t.found(&f);
                    continue;
                }
            };
            if kind == network_kind::GATEWAY_OTHER {
                continue;
            }
            let prefix = nl::XTN_PREFIX.get(r);
            if let Err(f) = validate::mailbag(&netfile, at, nl::XTN_PREFIX, "XTN prefix", &prefix) {
                t.found(&f);
                continue;
            }
            let xrel = format!("XTN/{}.XTN", prefix.to_ascii_uppercase());
            let Some(xtn) = t.read(&xrel) else {
                let shown = t.shown(&xrel);
                t.found(&validate::missing_xtn(&shown, i, &name));
                continue;
            };
            use crate::tree::identity::xtn_layout as xl;
            use crate::tree::lists::usr_layout as ul;
            for (xi, x) in xtn.chunks_exact(xl::SIZE).enumerate() {
                if xl::STATUS.get(x) != 1 {
                    continue;
                }
                let po = xl::POSTOFFICE.get(x);
                let bag = xl::MAILBAG.get(x);
                let at = RecordAt::new(xi, xl::SIZE, 0);
                let xshown = t.shown(&xrel);
                if let Err(f) = validate::mailbag(&xshown, at, xl::MAILBAG, "mailbag", &bag) {
                    t.found(&f);
                    continue;
                }
                let urel = format!("USR/{}.USR", bag.to_ascii_uppercase());
                if !t.files.contains_key(&urel) {
                    let ushown = t.shown(&urel);
                    t.found(&validate::usr_missing(&ushown, &name, &po));
                } else if let Some(u) = t.read(&urel) {
                    let ushown = t.shown(&urel);
                    for (ui, ur) in u.chunks_exact(ul::SIZE).enumerate() {
                        if ul::STATUS.get(ur) != 1 {
                            continue;
                        }
                        let at = RecordAt::new(ui, ul::SIZE, 0);
                        if let Err(f) = validate::usr_kind(&ushown, at, ul::KIND.get(ur)) {
                            t.found(&f);
                        }
                    }
                }
            }
        }
    }
    // KEY / MBG pairing.
    let stems = |t: &Tree<'_>, dir: &str, ext: &str| -> Vec<String> {
        t.files
            .keys()
            .filter_map(|k| k.strip_prefix(dir)?.strip_suffix(ext).map(str::to_string))
            .collect()
    };
    let keys = stems(&t, "KEY/", ".KEY");
    let mbgs = stems(&t, "MBG/", ".MBG");
    let key_set: HashSet<&String> = keys.iter().collect();
    let mbg_set: HashSet<&String> = mbgs.iter().collect();
    for k in &keys {
        if !mbg_set.contains(k) {
            t.push(
                "key-without-mbg",
                &format!("KEY/{k}.KEY"),
                None,
                None,
                format!("no MBG/{k}.MBG"),
            );
        }
    }
    for m in &mbgs {
        if !key_set.contains(m) {
            t.push(
                "mbg-without-key",
                &format!("MBG/{m}.MBG"),
                None,
                None,
                format!("no KEY/{m}.KEY"),
            );
        }
    }
    // Dir-Sync cross checks.
    if let (Some(Parsed::ReqConf(c)), Some(Parsed::Stream(_, s))) = (
        parsed.get("GLB/REQCONF.GLB"),
        parsed.get("GLB/REQTRANS.GLB"),
    ) {
        let reqsync = c.reqsync;
        let mut bad = Vec::new();
        for (i, (r, off)) in s.records.iter().zip(s.offsets.iter()).enumerate() {
            if r.sync < reqsync || (!r.is_placeholder() && r.sync <= reqsync) {
                bad.push((i, *off, r.sync));
            }
        }
        for (i, off, sync) in bad {
            t.push(
                "reqtrans-below-reqsync",
                "GLB/REQTRANS.GLB",
                Some(i as u64),
                Some(off),
                format!("sync {sync} is not above REQCONF's ReqSync {reqsync}"),
            );
        }
    }
    if let (Some(Parsed::SrvConf(c)), Some(Parsed::Stream(TransKind::MstTrans, s))) = (
        parsed.get("GLB/SRVCONF.GLB"),
        parsed.get("GLB/MSTTRANS.GLB"),
    ) {
        if let Some(last) = s
            .records
            .iter()
            .rev()
            .find(|r| r.op != b'H')
            .map(|r| r.sync)
        {
            if c.sync != last {
                let f = t.shown("GLB/SRVCONF.GLB");
                t.findings.push(Finding::new(
                    "srvconf-sync-mismatch",
                    f,
                    None,
                    Some(2),
                    format!("Sync {} but the last MSTTRANS.GLB sync is {last}", c.sync),
                ));
            }
        }
    }

    // Safety net: a tree with no error finding must also load with the strict
    // reader the other commands use (INF record numbers, MEM files, TPL text...).
    if !t.findings.iter().any(|f| f.severity == Severity::Error) {
        let strict = crate::source::LoadOptions::default();
        match crate::tree::PostOffice::open(root, &strict) {
            Err(e) => t.findings.push(Finding::from_error("load-error", &e)),
            Ok(po) => {
                for f in po.findings {
                    t.findings.push(Finding::new(
                        "reader-finding",
                        root.display().to_string(),
                        None,
                        None,
                        f,
                    ));
                }
            }
        }
    }
    let description = match t.read("GLB/MASTER.GLB") {
        Some(b) if b.len() == 176 => {
            let m = crate::tree::identity::MasterGlb::decode(&b);
            format!(
                "MAILDATA tree of postoffice {}/{}: {} local users, {} groups, {} files",
                m.network,
                m.postoffice,
                user_rows.len(),
                group_tids.len(),
                infos.len()
            )
        }
        _ => format!(
            "MAILDATA tree (no readable MASTER.GLB), {} files",
            infos.len()
        ),
    };
    (
        InputReport {
            path: root.display().to_string(),
            kind: "tree".into(),
            description,
            files: infos,
        },
        t.findings,
    )
}

/// A `u32` count header must equal the records that follow.
fn check_count(t: &mut Tree<'_>, rel: &str, bytes: &[u8], header: usize, size: usize) {
    if bytes.len() < header {
        return;
    }
    let count = U32F(0).get(bytes) as usize;
    let n = (bytes.len() - header) / size;
    if count != n {
        t.push(
            "count-mismatch",
            rel,
            None,
            Some(0),
            format!("header counts {count} records, file holds {n}"),
        );
    }
}

/// A shadow must equal its master byte for byte.
fn shadow(t: &mut Tree<'_>, master: &str, mname: &'static str, shadow_rel: &str, size: usize) {
    let (Some(m), Some(s)) = (t.read(master), t.read(shadow_rel)) else {
        return;
    };
    if let Some(f) = validate::shadow(&t.shown(shadow_rel), mname, &m, &s, size) {
        t.found(&f);
    }
}

/// Resolves every entry of an NME list; `each(record, tid, kind, pointer)` is
/// called for entries that resolve.
#[allow(clippy::too_many_arguments)]
fn resolve_nme(
    t: &mut Tree<'_>,
    rel: &str,
    bytes: &[u8],
    user_at: &HashMap<u32, u32>,
    group_tids: &HashSet<u32>,
    netpo: Option<&[u8]>,
    netpo_rel: &str,
    each: &mut dyn FnMut(usize, u32, u16, u32),
) {
    let netpo_n = netpo.map_or(0, |b| b.len().saturating_sub(NETPO_HEADER) / NETPO_SIZE);
    let shown = t.shown(rel);
    for (i, r) in bytes.chunks_exact(NME_SIZE).enumerate() {
        let (st, name, tid, kind, ptr) = nme(r);
        if st != 1 {
            continue;
        }
        let rec = Some(i as u64);
        let off = (i * NME_SIZE) as u64;
        let check = validate::nme_entry(
            &shown,
            RecordAt::new(i, NME_SIZE, 0),
            &name,
            tid,
            kind,
            ptr,
            |p| user_at.get(&p).copied(),
            |g| group_tids.contains(&g),
        );
        if let Some(f) = &check.finding {
            // inspect counts an entry with a tid-mismatch as unresolved.
            t.found(f);
            continue;
        }
        match check.target {
            None => {}
            Some(NmeTarget::LocalUser | NmeTarget::Group) => each(i, tid, kind, ptr),
            Some(NmeTarget::External) => {
                let ok = (ptr as usize)
                    .checked_sub(NETPO_HEADER)
                    .is_some_and(|p| p % NETPO_SIZE == 0 && p / NETPO_SIZE < netpo_n)
                    && netpo
                        .and_then(|b| b.get(ptr as usize))
                        .is_some_and(|&s| s == 1);
                if ok {
                    each(i, tid, kind, ptr);
                } else {
                    let target = netpo_rel.rsplit('/').next().unwrap_or(netpo_rel);
                    t.push(
                        "dangling-pointer",
                        rel,
                        rec,
                        Some(off + 38),
                        format!("{name:?}: pointer {ptr} is not a record in use of {target}"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the engine emits has a table entry with a meaning, and the
    /// table has no duplicates (codes are a stable interface).
    #[test]
    fn every_emitted_code_is_in_the_table() {
        let sources = [
            include_str!("checks.rs"),
            include_str!("files.rs"),
            include_str!("mod.rs"),
        ];
        let mut emitted = Vec::new();
        for src in sources {
            for pat in ["Finding::new(", "from_error(", "push("] {
                let mut rest = src;
                while let Some(p) = rest.find(pat) {
                    rest = rest.get(p + pat.len()..).unwrap_or_default();
                    let Some(arg) = rest.trim_start().strip_prefix('"') else {
                        continue;
                    };
                    if let Some(end) = arg.find('"') {
                        let rest = arg;
                        let code = rest.get(..end).unwrap_or_default();
                        if !code.is_empty()
                            && code.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                        {
                            emitted.push(code.to_string());
                        }
                    }
                }
            }
        }
        assert!(emitted.len() > 20, "{emitted:?}");
        for code in &emitted {
            let (_, meaning) = describe(code);
            assert!(!meaning.is_empty(), "code {code} has no table entry");
        }
        let mut codes: Vec<&str> = CHECKS.iter().map(|c| c.0).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "duplicate codes");
        assert_eq!(describe("no-such-code").1, "");
    }

    #[test]
    fn documented_in_docs_inspect() {
        let doc = include_str!("../../docs/inspect.md");
        for (code, sev, _) in CHECKS {
            assert!(
                doc.contains(&format!("`{code}` | {}", sev.name())),
                "docs/inspect.md lacks a row for {code} ({})",
                sev.name()
            );
        }
    }

    #[test]
    fn size_findings_name_the_first_incomplete_record() {
        use crate::tree::misc::SizeRule;
        let mut f = Vec::new();
        assert!(files::check_size(
            "X",
            106,
            SizeRule::MultipleOf(53),
            &mut f
        ));
        assert!(!files::check_size(
            "X",
            110,
            SizeRule::MultipleOf(53),
            &mut f
        ));
        assert!(!files::check_size(
            "Y",
            4 + 43 + 5,
            SizeRule::HeaderPlus(4, 43),
            &mut f
        ));
        assert!(!files::check_size("Z", 7, SizeRule::Exact(8), &mut f));
        let got: Vec<_> = f
            .iter()
            .map(|x| (x.file.as_str(), x.record, x.offset))
            .collect();
        assert_eq!(
            got,
            [
                ("X", Some(2), Some(106)),
                ("Y", Some(1), Some(47)),
                ("Z", None, None)
            ]
        );
        assert!(f
            .iter()
            .all(|x| x.code == "wrong-size" && x.severity == Severity::Error));
    }

    #[test]
    fn status_bytes_other_than_0_and_1_are_findings() {
        let mut bytes = vec![0u8; 4 + 3 * 10];
        bytes[4] = 1;
        bytes[14] = 2;
        let mut f = Vec::new();
        let recs = files::records("R", &bytes, 4, 10, true, &mut f);
        assert_eq!(recs.len(), 3);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].record, f[0].offset), (Some(1), Some(14)));
    }

    #[test]
    fn errors_become_findings_with_their_location() {
        let e = crate::Error::input(
            "F",
            crate::Location::Record {
                index: 3,
                offset: 99,
            },
            "bad",
        );
        let f = Finding::from_error("damaged-record", &e);
        assert_eq!(
            (f.file.as_str(), f.record, f.offset),
            ("F", Some(3), Some(99))
        );
        let e = crate::Error::input("T", crate::Location::Line { line: 2, column: 5 }, "oops");
        let f = Finding::from_error("text-error", &e);
        assert!(f.message.starts_with("line 2, column 5"));
    }
}
