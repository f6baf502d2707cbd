//! The references between a tree's files, as `inspect` checks them: local
//! users and groups, the POL and the group chains, the GAL, NETWORK → XTN →
//! USR, KEY/MBG pairs and the Dir-Sync files. The checks shared with the tree
//! reader come from [`crate::tree::validate`].

use std::collections::{HashMap, HashSet};

use super::files::Parsed;
use super::tree::{
    check_count, nme, shadow, Tree, ACCESS2_SIZE, GROUP_HEADER, GROUP_SIZE, NETPO_HEADER,
    NETPO_SIZE, NME_SIZE,
};
use super::Finding;
use crate::dirsync::TransKind;
use crate::tree::identity::network_kind;
use crate::tree::lists::nme_kind;
use crate::tree::validate::{self, NmeTarget, RecordAt};
use crate::tree::U32F;

/// The local users and groups, as the reference checks need them.
pub(super) struct Locals {
    /// ACCESS2.GLB record offset → tid, for each user record in use.
    pub(super) user_at: HashMap<u32, u32>,
    /// Each user in use: record number and mailbox.
    pub(super) user_rows: Vec<(usize, String)>,
    /// The tids of GROUP.GLB.
    pub(super) group_tids: HashSet<u32>,
}

/// ACCESS/ACCESS3 counts, ACCESS2.GLB mailbags, GROUP.GLB's count and
/// TID.GLB against the tids in use.
pub(super) fn local_users_and_groups(t: &mut Tree<'_>) -> Locals {
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
    check_count(t, "GLB/GROUP.GLB", &group, GROUP_HEADER, GROUP_SIZE);
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
    Locals {
        user_at,
        user_rows,
        group_tids,
    }
}

/// The shadows, NETPO/GALNETPO counts, ADMIN.NME resolved, users without an
/// ADMIN.NME entry and the member chains of ADMIN.GRP. Returns GALNETPO.GLB.
pub(super) fn pol_and_group_chains(t: &mut Tree<'_>, locals: &Locals) -> Option<Vec<u8>> {
    let Locals {
        user_at,
        user_rows,
        group_tids,
    } = locals;
    // Shadows.
    shadow(
        t,
        "NME/ADMIN.NME",
        "ADMIN.NME",
        "NME/ADMINSHD.NME",
        NME_SIZE,
    );
    shadow(t, "GRP/ADMIN.GRP", "ADMIN.GRP", "GRP/ADMINSHD.GRP", 8);
    // NETPO / GALNETPO.
    let netpo = t.read("GLB/NETPO.GLB");
    let galnetpo = t.read("GLB/GALNETPO.GLB");
    if let Some(b) = &netpo {
        check_count(t, "GLB/NETPO.GLB", b, NETPO_HEADER, NETPO_SIZE);
    }
    if let Some(b) = &galnetpo {
        check_count(t, "GLB/GALNETPO.GLB", b, NETPO_HEADER, NETPO_SIZE);
    }
    // ADMIN.NME resolution.
    let admin = t.read("NME/ADMIN.NME").unwrap_or_default();
    let mut pol_tids: HashSet<u32> = HashSet::new();
    let mut pol_users: HashSet<u32> = HashSet::new();
    let mut chains: Vec<(usize, u32)> = Vec::new();
    resolve_nme(
        t,
        "NME/ADMIN.NME",
        &admin,
        user_at,
        group_tids,
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
    for (i, mb) in user_rows {
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
    galnetpo
}

/// GAL.NME: sort order, entries resolved, GALINDEX.GLB.
pub(super) fn gal(t: &mut Tree<'_>, locals: &Locals, galnetpo: Option<&[u8]>) {
    let Locals {
        user_at,
        group_tids,
        ..
    } = locals;
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
            t,
            "NME/GAL.NME",
            &gal,
            user_at,
            group_tids,
            galnetpo,
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
}

/// NETWORK.GLB → XTN → USR: kinds, prefixes, files present, USR kind bytes.
pub(super) fn networks(t: &mut Tree<'_>) {
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
}

/// KEY/<hex>.KEY and MBG/<hex>.MBG come in pairs.
pub(super) fn key_mbg_pairs(t: &mut Tree<'_>) {
    // KEY / MBG pairing.
    let stems = |t: &Tree<'_>, dir: &str, ext: &str| -> Vec<String> {
        t.files
            .keys()
            .filter_map(|k| k.strip_prefix(dir)?.strip_suffix(ext).map(str::to_string))
            .collect()
    };
    let keys = stems(t, "KEY/", ".KEY");
    let mbgs = stems(t, "MBG/", ".MBG");
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
}

/// REQTRANS.GLB against REQCONF's ReqSync, SRVCONF.GLB's Sync against MSTTRANS.GLB.
pub(super) fn dirsync(t: &mut Tree<'_>, parsed: &HashMap<String, Parsed>) {
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
