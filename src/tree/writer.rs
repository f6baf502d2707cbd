//! The tree writer: a complete, consistent profile-v1 MAILDATA tree from
//! [`PostOfficeData`]. Every file goes through `crate::output` (atomic).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::slice::ParallelSliceMut;

use super::galindex::GalIndex;
use super::groups::{write_mem, GroupGlb, GroupRec, GrpFile, GrpNode, GRP_NODE};
use super::identity::{network_kind, MasterGlb, NetworkRec, XtnRec};
use super::lists::{nme_kind, NetpoBuilder, NmeRec, UsrRec};
use super::misc::{write_tid, KEY_SIZE, SIZE_ONLY_GLB};
use super::postoffice::{ListEntry, PostOfficeData};
use super::templates::{encode_inf_record, TplFile};
use super::users::{self, Access2Rec};
use super::{hex8, write_records, FixedRecord, NO_RECORD, STATUS_IN_USE};
use crate::codepage::cp850_upper;
use crate::error::{Error, Result};
use crate::model::{AddressKey, EntryKind};
use crate::output::write_bytes_atomic;

/// What [`write_tree`] wrote, and what it had to leave out.
#[derive(Debug, Default, Clone)]
pub struct WriteReport {
    /// Files written, relative to the output folder, sorted.
    pub files: Vec<String>,
    /// Entries left out because profile v1 cannot hold them, one sentence each.
    pub warnings: Vec<String>,
}

/// Every file of a tree: relative path → bytes.
pub type TreeFiles = BTreeMap<String, Vec<u8>>;

/// Builds every file of the tree in memory: relative path → bytes (sorted).
pub fn build_tree(data: &PostOfficeData) -> Result<(TreeFiles, Vec<String>)> {
    let mut files = TreeFiles::new();
    let warnings = build_tree_into(data, &mut |path, bytes| {
        files.insert(path, bytes);
        Ok(())
    })?;
    Ok((files, warnings))
}

/// Receives each file of a tree as it is built: its relative path and bytes.
pub type FileSink<'a> = &'a mut dyn FnMut(String, Vec<u8>) -> Result<()>;

/// [`build_tree`] handing each file to `sink` as soon as it is made (the
/// caller writes it and lets it go: the whole tree is never in memory).
/// Paths come in the order the files are built, not sorted; returns the
/// warnings.
pub fn build_tree_into(data: &PostOfficeData, sink: FileSink<'_>) -> Result<Vec<String>> {
    let mut warnings = Vec::new();

    // Numbers: mailbags / prefixes share one counter, tids another.
    let mut next_bag = data
        .users
        .iter()
        .filter_map(|u| u.mailbag)
        .chain(data.networks.iter().filter_map(|n| n.xtn_prefix))
        .chain(
            data.networks
                .iter()
                .flat_map(|n| n.postoffices.iter().filter_map(|p| p.mailbag)),
        )
        .max()
        .map_or(1, |m| m.saturating_add(1));
    let mut bag = || {
        let b = next_bag;
        next_bag = next_bag.saturating_add(1);
        b
    };
    let mut next_tid = data
        .users
        .iter()
        .filter_map(|u| u.tid)
        .chain(data.groups.iter().filter_map(|g| g.tid))
        .max()
        .map_or(1, |m| m.saturating_add(1))
        .max(1);

    // MASTER.GLB.
    let master = MasterGlb {
        version: data.version,
        network: data.network.clone(),
        postoffice: data.postoffice.clone(),
        serial: data.serial,
        gal_enabled: u8::from(data.gal_enabled),
        raw: Vec::new(),
    };
    sink("GLB/MASTER.GLB".into(), master.write()?)?;

    // Local users: ACCESS2 + ADMIN.INF, ACCESS/ACCESS3 zero-filled.
    let mut access2 = Vec::with_capacity(data.users.len());
    let mut admin_inf: Vec<u8> = Vec::new();
    let mut inf_count = 0u32;
    let mut user_tid = Vec::with_capacity(data.users.len());
    let mut user_bag = Vec::with_capacity(data.users.len());
    for u in &data.users {
        let tid = u.tid.unwrap_or_else(|| {
            let t = next_tid;
            next_tid = next_tid.saturating_add(1);
            t
        });
        let mailbag = u.mailbag.unwrap_or_else(&mut bag);
        let mut flags = 0u8;
        if u.excluded {
            flags |= users::FLAG_EXCLUDED;
        }
        if u.admin {
            flags |= users::FLAG_ADMIN;
        }
        let mut inf = NO_RECORD;
        if !u.template.is_empty() {
            flags |= users::FLAG_TEMPLATE;
            admin_inf.extend(
                encode_inf_record(&data.local_template, &u.template).map_err(|e| {
                    Error::Unrepresentable(format!("local user {}: {e}", u.mailbox))
                })?,
            );
            inf = inf_count;
            inf_count += 1;
        }
        user_tid.push(tid);
        user_bag.push(mailbag);
        access2.push(Access2Rec {
            status: STATUS_IN_USE,
            mailbox: u.mailbox.clone(),
            full_name: u.full_name.clone(),
            mailbag: hex8(mailbag),
            flags,
            tid,
            inf,
            raw: Vec::new(),
        });
    }
    sink("GLB/ACCESS2.GLB".into(), write_records(&access2)?)?;
    sink(
        "GLB/ACCESS.GLB".into(),
        users::opaque_zero(access2.len(), users::ACCESS_SIZE),
    )?;
    sink(
        "GLB/ACCESS3.GLB".into(),
        users::opaque_zero(access2.len(), users::ACCESS3_SIZE),
    )?;
    if !data.local_template.is_empty() {
        sink(
            "TPL/ADMIN.TPL".into(),
            TplFile::new(data.local_template.clone()).write()?,
        )?;
        sink("INF/ADMIN.INF".into(), admin_inf)?;
    }
    for &b in &user_bag {
        sink(format!("MBG/{}.MBG", hex8(b)), Vec::new())?;
        sink(format!("KEY/{}.KEY", hex8(b)), vec![0u8; KEY_SIZE as usize])?;
    }

    // Networks, XTN, USR/TPL/INF. Remember each external postoffice's mailbag.
    let mut po_bag: HashMap<(String, String), u32> = HashMap::new();
    let mut net_recs = Vec::new();
    for n in &data.networks {
        let has_xtn = n.kind == network_kind::MSMAIL || n.kind == network_kind::GATEWAY_101010;
        let prefix = if has_xtn {
            Some(n.xtn_prefix.unwrap_or_else(&mut bag))
        } else {
            None
        };
        net_recs.push(NetworkRec {
            status: STATUS_IN_USE,
            name: n.name.clone(),
            kind: n.kind,
            xtn_prefix: prefix.map(hex8).unwrap_or_default(),
            address_type: if n.kind == network_kind::MSMAIL && n.address_type.is_empty() {
                "PCM".into()
            } else {
                n.address_type.clone()
            },
            raw: Vec::new(),
        });
        let Some(prefix) = prefix else {
            if !n.postoffices.is_empty() {
                warnings.push(format!(
                    "network {} is of kind {}: its {} postoffices have no XTN file in profile v1 and were left out",
                    n.name, n.kind, n.postoffices.len()
                ));
            }
            continue;
        };
        let mut xtn = Vec::new();
        for po in &n.postoffices {
            let b = po.mailbag.unwrap_or_else(&mut bag);
            po_bag.insert((cp850_upper(&n.name), cp850_upper(&po.name)), b);
            xtn.push(XtnRec {
                status: STATUS_IN_USE,
                postoffice: po.name.clone(),
                mailbag: hex8(b),
                connection: po.connection,
                route: po.route.clone(),
                dirsync: u8::from(po.dirsync),
                last_update: po.last_update,
                raw: Vec::new(),
            });
            let mut usr = Vec::with_capacity(po.entries.len());
            let mut inf = Vec::new();
            let mut inf_n = 0u32;
            for e in &po.entries {
                let mut number = NO_RECORD;
                if !e.template.is_empty() {
                    inf.extend(encode_inf_record(&po.template, &e.template).map_err(|err| {
                        Error::Unrepresentable(format!(
                            "{}/{}/{}: {err}",
                            n.name, po.name, e.mailbox
                        ))
                    })?);
                    number = inf_n;
                    inf_n += 1;
                }
                usr.push(UsrRec {
                    status: STATUS_IN_USE,
                    full_name: e.full_name.clone(),
                    mailbox: e.mailbox.clone(),
                    kind: if e.kind == EntryKind::Group {
                        b'G'
                    } else {
                        b'U'
                    },
                    inf: number,
                    raw: Vec::new(),
                });
            }
            sink(format!("USR/{}.USR", hex8(b)), write_records(&usr)?)?;
            if !po.template.is_empty() {
                sink(
                    format!("TPL/{}.TPL", hex8(b)),
                    TplFile::new(po.template.clone()).write()?,
                )?;
                sink(format!("INF/{}.INF", hex8(b)), inf)?;
            }
        }
        sink(format!("XTN/{}.XTN", hex8(prefix)), write_records(&xtn)?)?;
    }
    sink("GLB/NETWORK.GLB".into(), write_records(&net_recs)?)?;

    // Groups.
    let mut group_tid = Vec::with_capacity(data.groups.len());
    let mut group_recs = Vec::new();
    for g in &data.groups {
        let tid = g.tid.unwrap_or_else(|| {
            let t = next_tid;
            next_tid = next_tid.saturating_add(1);
            t
        });
        group_tid.push(tid);
        group_recs.push(GroupRec {
            status: STATUS_IN_USE,
            name: g.name.clone(),
            mailbox: g.mailbox.clone(),
            tid,
            group_type: 4,
            raw: Vec::new(),
        });
    }
    sink(
        "GLB/GROUP.GLB".into(),
        GroupGlb {
            records: group_recs,
        }
        .write()?,
    )?;

    // The POL: every entry with its tid.
    struct PolItem {
        name: String,
        key: AddressKey,
        kind: u16,
        tid: u32,
        pointer: u32,
    }
    let mut pol: Vec<PolItem> = Vec::new();
    let mut tid_of: HashMap<AddressKey, u32> = HashMap::new();
    let mut local_kind: HashMap<AddressKey, (u16, u32, u32)> = HashMap::new();
    for (i, u) in data.users.iter().enumerate() {
        let key = data.local_address(&u.mailbox).key();
        let tid = user_tid.get(i).copied().unwrap_or(0);
        let ptr = (i * Access2Rec::SIZE) as u32;
        tid_of.insert(key.clone(), tid);
        local_kind.insert(key.clone(), (nme_kind::LOCAL_USER, tid, ptr));
        pol.push(PolItem {
            name: u.full_name.to_string(),
            key,
            kind: nme_kind::LOCAL_USER,
            tid,
            pointer: ptr,
        });
    }
    for (i, g) in data.groups.iter().enumerate() {
        let key = data.local_address(&g.mailbox).key();
        let tid = group_tid.get(i).copied().unwrap_or(0);
        tid_of.insert(key.clone(), tid);
        local_kind.insert(key.clone(), (nme_kind::GROUP, tid, 0));
        pol.push(PolItem {
            name: g.name.clone(),
            key,
            kind: nme_kind::GROUP,
            tid,
            pointer: 0,
        });
    }
    let mut netpo = NetpoBuilder::default();
    let mut pol_ext: Vec<&ListEntry> = data.pol_externals.iter().collect();
    pol_ext.sort_by_cached_key(|x| (cp850_upper(&x.full_name), x.address.key()));
    let externals = external_records(data, &pol_ext, &po_bag, &mut netpo, &mut warnings, "POL");
    for (i, kind, ptr) in externals {
        let Some(x) = pol_ext.get(i) else {
            continue;
        };
        let key = x.address.key();
        if tid_of.contains_key(&key) {
            warnings.push(format!("POL: {} appears twice; kept once", x.address));
            continue;
        }
        let tid = next_tid;
        next_tid = next_tid.saturating_add(1);
        tid_of.insert(key.clone(), tid);
        pol.push(PolItem {
            name: x.full_name.to_string(),
            key,
            kind,
            tid,
            pointer: ptr,
        });
    }
    // Group chains and MEM files.
    let mut grp = GrpFile {
        nodes: vec![GrpNode::default()],
    };
    let bag_of_user: HashMap<AddressKey, u32> = data
        .users
        .iter()
        .zip(&user_bag)
        .map(|(u, &b)| (data.local_address(&u.mailbox).key(), b))
        .collect();
    let mut first_node: HashMap<u32, u32> = HashMap::new();
    for (g, &gtid) in data.groups.iter().zip(&group_tid) {
        let mut mem = Vec::new();
        let mut tids = Vec::new();
        for m in &g.members {
            match tid_of.get(&m.key()) {
                Some(&t) => tids.push(t),
                None => warnings.push(format!(
                    "group {}: member {m} is not in the POL; left out",
                    g.mailbox
                )),
            }
            if let Some(&b) = bag_of_user.get(&m.key()) {
                mem.push(b);
            }
        }
        if !tids.is_empty() {
            let start = grp.nodes.len();
            first_node.insert(gtid, (start * GRP_NODE) as u32);
            let n = tids.len();
            for (j, t) in tids.into_iter().enumerate() {
                let next = if j + 1 < n {
                    ((start + j + 1) * GRP_NODE) as u32
                } else {
                    0
                };
                grp.nodes.push(GrpNode {
                    member_tid: t,
                    next,
                });
            }
        }
        if mem.len() > super::groups::MEM_MAX {
            return Err(Error::Unrepresentable(format!(
                "group {}: {} local members, a MEM file holds at most {}",
                g.mailbox,
                mem.len(),
                super::groups::MEM_MAX
            )));
        }
        sink(format!("MEM/{}.MEM", hex8(gtid)), write_mem(&mem))?;
    }
    for p in pol.iter_mut().filter(|p| p.kind == nme_kind::GROUP) {
        p.pointer = first_node.get(&p.tid).copied().unwrap_or(0);
    }
    let grp_bytes = grp.write();
    sink("GRP/ADMINSHD.GRP".into(), grp_bytes.clone())?;
    sink("GRP/ADMIN.GRP".into(), grp_bytes)?;
    pol.sort_by_cached_key(|p| (cp850_upper(&p.name), p.key.clone()));
    let nme: Vec<NmeRec> = pol
        .iter()
        .map(|p| NmeRec {
            status: STATUS_IN_USE,
            full_name: p.name.as_str().into(),
            tid: p.tid,
            kind: p.kind,
            pointer: p.pointer,
            raw: Vec::new(),
        })
        .collect();
    let nme_bytes = write_records(&nme)?;
    sink("NME/ADMINSHD.NME".into(), nme_bytes.clone())?;
    sink("NME/ADMIN.NME".into(), nme_bytes)?;
    sink("GLB/NETPO.GLB".into(), netpo.finish()?)?;

    // The GAL: sorted by full name, case-insensitively. Every entry's sort
    // key is made once and its name borrowed; one stable sort (equal keys
    // keep the GAL's order) orders the local and the external entries
    // together, and the external ones, in that order, get their GALNETPO
    // records.
    struct GalItem<'d> {
        upper: String,
        key: AddressKey,
        entry: &'d ListEntry,
        local: bool,
        held: bool,
        kind: u16,
        tid: u32,
        pointer: u32,
    }
    let mut galnetpo = NetpoBuilder::default();
    let mut items: Vec<GalItem<'_>> = data
        .gal
        .iter()
        .map(|x| {
            let key = x.address.key();
            let local = local_kind.get(&key).copied();
            let (kind, tid, pointer) = match local {
                Some((kind, tid, _)) if kind == nme_kind::GROUP => {
                    (kind, tid, first_node.get(&tid).copied().unwrap_or(0))
                }
                Some(found) => found,
                None => (0, 0, 0),
            };
            GalItem {
                upper: cp850_upper(&x.full_name),
                key,
                entry: x,
                local: local.is_some(),
                held: local.is_some(),
                kind,
                tid,
                pointer,
            }
        })
        .collect();
    items.par_sort_by(|a, b| (&a.upper, &a.key).cmp(&(&b.upper, &b.key)));
    let external_at: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.local)
        .map(|(i, _)| i)
        .collect();
    let refs: Vec<&ListEntry> = external_at
        .iter()
        .filter_map(|&i| items.get(i).map(|g| g.entry))
        .collect();
    let records = external_records(data, &refs, &po_bag, &mut galnetpo, &mut warnings, "GAL");
    drop(refs);
    for (i, kind, pointer) in records {
        let Some(g) = external_at.get(i).and_then(|&at| items.get_mut(at)) else {
            continue;
        };
        g.tid = tid_of.get(&g.key).copied().unwrap_or(0);
        (g.kind, g.pointer, g.held) = (kind, pointer, true);
    }
    drop(external_at);
    // Entries profile v1 cannot hold are left out (each told in a warning).
    items.retain(|g| g.held);
    // GAL.NME is encoded record by record from the sorted items (no list of
    // records beside them), each file goes to the sink as soon as it is
    // made, and what made it is let go (a million-entry GAL's work lists
    // are hundreds of MB).
    let mut gal_nme = Vec::with_capacity(items.len() * NmeRec::SIZE);
    for g in &items {
        let record = NmeRec {
            status: STATUS_IN_USE,
            full_name: g.entry.full_name.as_str().into(),
            tid: g.tid,
            kind: g.kind,
            pointer: g.pointer,
            raw: Vec::new(),
        };
        gal_nme.extend_from_slice(&record.encode()?);
    }
    sink("NME/GAL.NME".into(), gal_nme)?;
    sink("GLB/GALNETPO.GLB".into(), galnetpo.finish()?)?;
    let index = GalIndex::build(
        items
            .iter()
            .enumerate()
            .map(|(i, g)| ((i * NmeRec::SIZE) as u32, g.entry.full_name.as_str())),
    );
    drop(items);
    sink("GLB/GALINDEX.GLB".into(), index.write())?;

    // TID.GLB and the size-only files.
    sink("GLB/TID.GLB".into(), write_tid(next_tid.max(data.next_tid)))?;
    for (name, rule) in SIZE_ONLY_GLB {
        sink(format!("GLB/{name}"), vec![0u8; rule.minimal() as usize])?;
    }
    Ok(warnings)
}

/// NETPO records for external entries: `(position in entries, NME kind, pointer)`; entries
/// profile v1 cannot hold (long-form gateway addresses) are reported.
fn external_records(
    data: &PostOfficeData,
    entries: &[&ListEntry],
    po_bag: &HashMap<(String, String), u32>,
    file: &mut NetpoBuilder,
    warnings: &mut Vec<String>,
    list: &str,
) -> Vec<(usize, u16, u32)> {
    let mut out = Vec::new();
    for (i, x) in entries.iter().enumerate() {
        let a = &x.address;
        let kind = if a.is_pcm() {
            Some(nme_kind::EXTERNAL)
        } else {
            a.parts().and_then(|(net, _, _)| {
                let up = cp850_upper(net);
                data.networks
                    .iter()
                    .any(|n| {
                        n.kind == network_kind::GATEWAY_101010
                            && cp850_upper(&n.name) == up
                            && n.address_type.eq_ignore_ascii_case(&a.type_name)
                    })
                    .then_some(nme_kind::GATEWAY)
            })
        };
        let (Some(kind), Some((net, po, mb))) = (kind, a.parts()) else {
            warnings.push(format!(
                "{list}: {} ({}) cannot be held in a profile v1 binary list; left out",
                a, x.full_name
            ));
            continue;
        };
        let bag = po_bag
            .get(&(cp850_upper(net), cp850_upper(po)))
            .copied()
            .unwrap_or(0);
        let ptr = file.push(net, po, mb, &hex8(bag));
        out.push((i, kind, ptr));
    }
    out
}

/// Writes a complete profile-v1 tree under `out_dir` (atomic per file;
/// existing files are replaced only with `force`).
pub fn write_tree(data: &PostOfficeData, out_dir: &Path, force: bool) -> Result<WriteReport> {
    let (files, warnings) = build_tree(data)?;
    for (rel, bytes) in &files {
        let path: PathBuf = out_dir.join(rel);
        write_bytes_atomic(&path, force, bytes)?;
    }
    Ok(WriteReport {
        files: files.into_keys().collect(),
        warnings,
    })
}

/// Builder-style wrapper around [`write_tree`].
#[derive(Debug, Clone)]
pub struct TreeWriter {
    /// Output folder.
    pub out_dir: PathBuf,
    /// Replace existing files.
    pub force: bool,
}

impl TreeWriter {
    /// A writer for `out_dir` that refuses to overwrite.
    pub fn new(out_dir: impl Into<PathBuf>) -> TreeWriter {
        TreeWriter {
            out_dir: out_dir.into(),
            force: false,
        }
    }
    /// Writes `data`.
    pub fn write(&self, data: &PostOfficeData) -> Result<WriteReport> {
        write_tree(data, &self.out_dir, self.force)
    }
}
