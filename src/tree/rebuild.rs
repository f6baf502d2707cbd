//! Rebuilding a tree's global address list from a directory: GAL.NME,
//! GALNETPO.GLB and GALINDEX.GLB, as REBUILD would make them after the USR
//! lists changed (reconcile's repaired server).
//!
//! The local part (kind 1 users, kind 4 groups) is kept record for record from
//! the tree's own GAL.NME (else from ADMIN.NME, users excluded from Dir-Sync
//! left out): those records point into ACCESS2.GLB and GRP/ADMIN.GRP, which
//! the rebuild does not touch. Every other entry of the directory that profile
//! v1 can hold becomes an external record (kind 2 PCM, kind 8 10/10/10
//! gateway) with its address in GALNETPO.GLB. All records are sorted by full
//! name, case-insensitively (Q86375), and GALINDEX.GLB indexes them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use rayon::slice::ParallelSliceMut;

use super::galindex::GalIndex;
use super::groups::group_layout;
use super::identity::network_kind;
use super::lists::{nme_kind, nme_layout, NetpoBuilder, NmeRec};
use super::postoffice::PostOfficeData;
use super::users::{access2_layout, FLAG_EXCLUDED};
use super::{find_case_insensitive, hex8, FixedRecord, STATUS_IN_USE};
use crate::codepage::cp850_upper;
use crate::error::Result;
use crate::model::{AddressKey, Directory};

/// The three GAL files, and what could not be held.
#[derive(Debug, Clone, Default)]
pub struct GalFiles {
    /// NME/GAL.NME.
    pub gal: Vec<u8>,
    /// GLB/GALNETPO.GLB.
    pub galnetpo: Vec<u8>,
    /// GLB/GALINDEX.GLB.
    pub galindex: Vec<u8>,
    /// Entries of the directory profile v1 binary lists cannot hold
    /// (free-form gateway addresses, gateways of unknown networks).
    pub left_out: usize,
}

fn read(root: &Path, rel: &str) -> Vec<u8> {
    find_case_insensitive(root, rel)
        .filter(|p| p.is_file())
        .and_then(|p| std::fs::read(p).ok())
        .unwrap_or_default()
}

/// The local records of the GAL with the address key each stands for.
fn local_records(root: &Path, data: &PostOfficeData) -> Vec<(AddressKey, NmeRec)> {
    let access2 = read(root, "GLB/ACCESS2.GLB");
    let group = read(root, "GLB/GROUP.GLB");
    let mut user_at: HashMap<u32, (String, bool)> = HashMap::new();
    for (i, r) in access2.chunks_exact(access2_layout::SIZE).enumerate() {
        if access2_layout::STATUS.get(r) == STATUS_IN_USE {
            user_at.insert(
                (i * access2_layout::SIZE) as u32,
                (
                    access2_layout::MAILBOX.get(r),
                    access2_layout::FLAGS.get(r) & FLAG_EXCLUDED != 0,
                ),
            );
        }
    }
    let mut group_of: HashMap<u32, String> = HashMap::new();
    for r in group
        .get(group_layout::HEADER..)
        .unwrap_or_default()
        .chunks_exact(group_layout::SIZE)
    {
        if group_layout::STATUS.get(r) == STATUS_IN_USE {
            group_of.insert(group_layout::TID.get(r), group_layout::MAILBOX.get(r));
        }
    }
    let gal = read(root, "NME/GAL.NME");
    let (source, from_gal) = if gal.is_empty() {
        (read(root, "NME/ADMIN.NME"), false)
    } else {
        (gal, true)
    };
    let mut out = Vec::new();
    for r in source.chunks_exact(nme_layout::SIZE) {
        let rec = NmeRec::decode(r);
        if rec.status != STATUS_IN_USE {
            continue;
        }
        let mailbox = match rec.kind {
            nme_kind::LOCAL_USER => match user_at.get(&rec.pointer) {
                Some((_, true)) if !from_gal => continue,
                Some((m, _)) => Some(m.clone()),
                None => None,
            },
            nme_kind::GROUP => group_of.get(&rec.tid).cloned(),
            _ => continue,
        };
        // A record that resolves nowhere is kept as it was (inspect names it).
        let key = mailbox
            .map(|m| data.local_address(&m).key())
            .unwrap_or_else(|| AddressKey(format!("~{}", rec.pointer)));
        out.push((key, rec));
    }
    out
}

/// Builds the GAL files of the tree at `root` (whose data is `data`) for the
/// directory `merged`: the local records as the tree has them, and one
/// external record for every entry of `merged` outside the tree's own
/// postoffice that a binary list can hold. `skip` leaves entries out (the
/// server's own entries that are not in its GAL).
pub fn rebuild_gal(
    root: &Path,
    data: &PostOfficeData,
    merged: &Directory,
    skip: &dyn Fn(&AddressKey) -> bool,
) -> Result<GalFiles> {
    let own = data.scope().key();
    let mut bag_of: HashMap<(String, String), u32> = HashMap::new();
    let mut gateway_types: HashMap<String, String> = HashMap::new();
    for n in &data.networks {
        if n.kind == network_kind::GATEWAY_101010 {
            gateway_types.insert(cp850_upper(&n.name), n.address_type.to_ascii_uppercase());
        }
        for p in &n.postoffices {
            if let Some(b) = p.mailbag {
                bag_of.insert((cp850_upper(&n.name), cp850_upper(&p.name)), b);
            }
        }
    }
    // (sort name, key, record); the merged entries' keys are borrowed.
    let mut items: Vec<(String, Cow<'_, AddressKey>, NmeRec)> = local_records(root, data)
        .into_iter()
        .map(|(k, r)| (cp850_upper(&r.full_name), Cow::Owned(k), r))
        .collect();
    let mut netpo = NetpoBuilder::default();
    let mut left_out = 0;
    // The merged list comes in key order, postoffice by postoffice: the
    // mailbag of the last (network, postoffice) is looked up once per run.
    let mut last_bag: Option<(&str, &str, u32)> = None;
    for (k, e) in merged.sorted_keyed() {
        if k.scope_key() == own || skip(k) {
            continue;
        }
        let Some((net, po, mb)) = e.address.parts() else {
            left_out += 1;
            continue;
        };
        let kind = if e.address.is_pcm() {
            nme_kind::EXTERNAL
        } else if gateway_types
            .get(&cp850_upper(net))
            .is_some_and(|t| *t == e.address.canonical_type())
        {
            nme_kind::GATEWAY
        } else {
            left_out += 1;
            continue;
        };
        let bag = match last_bag {
            Some((n, p, b)) if n == net && p == po => b,
            _ => {
                let b = bag_of
                    .get(&(cp850_upper(net), cp850_upper(po)))
                    .copied()
                    .unwrap_or(0);
                last_bag = Some((net, po, b));
                b
            }
        };
        let pointer = netpo.push(net, po, mb, &hex8(bag));
        items.push((
            cp850_upper(&e.full_name),
            Cow::Borrowed(k),
            NmeRec {
                status: STATUS_IN_USE,
                full_name: e.full_name.clone(),
                tid: 0,
                kind,
                pointer,
                raw: Vec::new(),
            },
        ));
    }
    // On every core (a million names on a large network); stable, as before.
    items.par_sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut gal = Vec::with_capacity(items.len() * NmeRec::SIZE);
    for (_, _, r) in &items {
        gal.extend(r.encode()?);
    }
    let index = GalIndex::build(
        items
            .iter()
            .enumerate()
            .map(|(i, (_, _, r))| ((i * NmeRec::SIZE) as u32, r.full_name.as_str())),
    );
    Ok(GalFiles {
        gal,
        galnetpo: netpo.finish()?,
        galindex: index.write(),
        left_out,
    })
}
