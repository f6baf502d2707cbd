//! From the world to MAILDATA trees: the thin adapter onto `tree::build_tree`
//! (postoffice files, profile v1) and `dirsync` (REQCONF, REQTRANS, SRVCONF,
//! MSTTRANS).

use std::collections::HashMap;
use std::path::Path;

use super::world::{World, DAY};
use crate::dirsync::conf::{Password, ReqConf, Requestor, SrvConf};
use crate::dirsync::trans::{write_stream, TransactionRecord};
use crate::error::Result;
use crate::model::{Directory, EntryKind, Operation};
use crate::tree::postoffice::ListEntry;
use crate::tree::writer::build_tree_into;
use crate::tree::{
    ExternalPostOffice, LocalGroup, LocalUser, NetworkData, PostOfficeData, UsrEntry,
};

/// Address types every generated requestor asks for.
pub const TYPES: &str = "PCM|PROFS|SNADS";

/// How a tree sees the other postoffices' lists.
pub type PeerView<'a> = &'a dyn Fn(usize) -> Option<&'a Directory>;

/// The [`PostOfficeData`] of postoffice `p` with its own list `own` and the
/// other postoffices' USR lists from `peers` (`None`: XTN records with empty
/// USR lists). One excluded-from-Dir-Sync administrator mailbox `ADMIN` is
/// added to every postoffice: it is in the tree, never in Dir-Sync.
pub fn postoffice_data(
    world: &World,
    p: usize,
    own: &Directory,
    peers: Option<PeerView<'_>>,
) -> PostOfficeData {
    let Some(me) = world.pos.get(p) else {
        return PostOfficeData::new("NET", "PO");
    };
    let mut d = PostOfficeData::new(&me.network, &me.name);
    d.serial = 10_000 + p as u32;
    d.local_template = me.template.fields.clone();
    let mut admin = LocalUser::new("ADMIN", format!("Administrator {}", me.name));
    admin.excluded = true;
    admin.admin = true;
    d.users.push(admin);
    for e in own.iter().filter(|e| e.kind == EntryKind::User) {
        let Some((_, _, mb)) = e.address.parts() else {
            continue;
        };
        let mut u = LocalUser::new(mb, e.full_name.clone());
        u.template = e.template.clone();
        d.users.push(u);
    }
    for g in &me.groups {
        let Some(e) = own.get(&crate::model::Address::pcm(&me.network, &me.name, &g.mailbox).key())
        else {
            continue;
        };
        let members = g
            .members
            .iter()
            .map(|m| crate::model::Address::pcm(&me.network, &me.name, m))
            .filter(|a| own.contains_key(&a.key()))
            .collect();
        d.groups.push(LocalGroup {
            name: e.full_name.to_string(),
            mailbox: g.mailbox.clone(),
            tid: None,
            members,
        });
    }
    // MS Mail networks, in first-seen order.
    let mut nets: Vec<NetworkData> = Vec::new();
    for (i, po) in world.pos.iter().enumerate() {
        if i == p {
            continue;
        }
        let entries: Vec<UsrEntry> = peers
            .and_then(|f| f(i))
            .map(|dir| {
                dir.in_scope(&po.scope())
                    .into_iter()
                    .filter_map(|e| {
                        Some(UsrEntry {
                            full_name: e.full_name.clone(),
                            mailbox: e.address.parts()?.2.into(),
                            kind: e.kind,
                            template: e.template.clone(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let x = ExternalPostOffice {
            name: po.name.clone(),
            mailbag: None,
            connection: if po.network == me.network { 1 } else { 2 },
            route: if po.network == me.network {
                format!("M:\\{}\\MAILDATA", po.name)
            } else {
                world
                    .pos
                    .first()
                    .map(|s| s.name.clone())
                    .unwrap_or_default()
            },
            dirsync: true,
            last_update: po.last_t1,
            template: po.template.fields.clone(),
            entries,
        };
        network_mut(&mut nets, &po.network, 1, "PCM")
            .postoffices
            .push(x);
    }
    for po in &world.pos {
        for g in &po.gateways {
            let x = ExternalPostOffice {
                name: g.node.clone(),
                mailbag: None,
                connection: 5,
                route: po.name.clone(),
                dirsync: true,
                last_update: 0,
                template: Vec::new(),
                entries: g
                    .entries
                    .iter()
                    .filter_map(|e| {
                        Some(UsrEntry {
                            full_name: e.full_name.clone(),
                            mailbox: e.address.parts()?.2.into(),
                            kind: EntryKind::User,
                            template: Vec::new(),
                        })
                    })
                    .collect(),
            };
            network_mut(&mut nets, &g.gate, 2, &g.address_type)
                .postoffices
                .push(x);
        }
    }
    d.networks = nets;
    // GAL: every local Dir-Sync entry and every external entry.
    let mut gal: Vec<ListEntry> = own
        .iter()
        .map(|e| ListEntry {
            full_name: e.full_name.clone(),
            address: e.address.clone(),
        })
        .collect();
    for (scope, x) in d.external_postoffices() {
        for u in &x.entries {
            gal.push(ListEntry {
                full_name: u.full_name.clone(),
                address: crate::model::Address {
                    type_name: scope.type_name.as_str().into(),
                    body: compact_str::format_compact!("{}/{}", scope.body, u.mailbox),
                },
            });
        }
    }
    d.gal = gal;
    d
}

fn network_mut<'a>(
    nets: &'a mut Vec<NetworkData>,
    name: &str,
    kind: u8,
    ty: &str,
) -> &'a mut NetworkData {
    let i = match nets.iter().position(|n| n.name == name) {
        Some(i) => i,
        None => {
            nets.push(NetworkData {
                name: name.to_string(),
                kind,
                address_type: ty.to_string(),
                xtn_prefix: None,
                postoffices: Vec::new(),
            });
            nets.len() - 1
        }
    };
    &mut nets[i]
}

/// REQCONF.GLB of postoffice `p` with its current numbers (password set).
pub fn reqconf(world: &World, p: usize) -> Result<ReqConf> {
    let server = world.server_po().net_po();
    let mut c = ReqConf::new(&server)?;
    if let Some(po) = world.pos.get(p) {
        c.reqsync = po.reqsync;
        c.srvsync = po.srvsync;
        c.impsync = 1;
        c.last_export = super::world::BASE_TIME;
        c.last_import_request = super::world::BASE_TIME;
        c.last_t1 = po.last_t1;
        c.last_t3 = po.last_t3;
        c.templates = 1;
        c.address_types = crate::dirsync::FixedStr::from_text(TYPES, "address types")?;
        c.set_password(Password::from_text(&format!("PW{p}"))?);
    }
    Ok(c)
}

/// REQTRANS.GLB of postoffice `p`: the placeholder numbered ReqSync, then its
/// queued operations numbered from ReqSync + 1.
pub fn reqtrans(world: &World, p: usize) -> Result<Vec<u8>> {
    let Some(po) = world.pos.get(p) else {
        return Ok(Vec::new());
    };
    let origin = po.net_po();
    let mut recs = vec![TransactionRecord::placeholder(
        po.reqsync, po.last_t3, &origin,
    )];
    for (i, op) in po.queue.iter().enumerate() {
        let sync = po.reqsync + 1 + i as u32;
        recs.push(TransactionRecord::from_operation(
            sync, world.now, &origin, op,
        )?);
    }
    Ok(write_stream(&recs))
}

/// A REQTRANS.GLB holding an Export of `p` (Config, Dir-Sync, Requestor,
/// Export): `R PCM:NET/PO` then one `A` per entry, numbered from ReqSync + 1.
pub fn reqtrans_export(world: &World, p: usize) -> Result<Vec<u8>> {
    let Some(po) = world.pos.get(p) else {
        return Ok(Vec::new());
    };
    let origin = po.net_po();
    let mut ops = vec![Operation::Replace(po.scope())];
    ops.extend(
        po.list
            .in_scope(&po.scope())
            .into_iter()
            .cloned()
            .map(Operation::Add),
    );
    let mut recs = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let sync = po.reqsync + 1 + i as u32;
        recs.push(TransactionRecord::from_operation(
            sync, world.now, &origin, op,
        )?);
    }
    Ok(write_stream(&recs))
}

/// SRVCONF.GLB of the server: Sync, cycle and one record per requestor.
pub fn srvconf(world: &World) -> Result<SrvConf> {
    let mut s = SrvConf::new();
    s.sync = world.server.sync;
    s.cycle = world.server.cycle;
    s.keep_days = super::world::KEEP_DAYS;
    s.last_t2 = world.server.last_t2;
    for (p, po) in world.pos.iter().enumerate() {
        let mut r = Requestor::new(&po.scope().to_string())?;
        r.reqsync = world.server.reqsync.get(p).copied().unwrap_or(0);
        r.srvsync = world.server.srvsync.get(p).copied().unwrap_or(0);
        r.impsync = 1;
        r.last_cycle = world.server.last_cycle.get(p).copied().unwrap_or(0);
        r.last_update = world.server.last_update.get(p).copied().unwrap_or(0);
        r.address_types = crate::dirsync::FixedStr::from_text(TYPES, "address types")?;
        r.set_password(Password::from_text(&format!("PW{p}"))?);
        s.requestors.push(r);
    }
    Ok(s)
}

/// MSTTRANS.GLB: the master transactions not yet purged (older than
/// [`super::world::KEEP_DAYS`] days are gone).
pub fn msttrans(world: &World) -> Result<Vec<u8>> {
    let mut recs = Vec::new();
    for t in world.kept_master() {
        let origin = world
            .pos
            .get(t.origin)
            .map(|p| p.net_po())
            .unwrap_or_default();
        recs.push(TransactionRecord::from_operation(
            t.sync, t.stamp, &origin, &t.op,
        )?);
    }
    Ok(write_stream(&recs))
}

/// Files built and waiting for the writer thread of [`write_tree_files`].
const FILES_IN_FLIGHT: usize = 64;

/// Writes every file of postoffice `p`'s tree under `dir`, Dir-Sync files
/// included (`server`: also SRVCONF.GLB and MSTTRANS.GLB), each as soon as
/// it is built; returns the number of files and their bytes.
///
/// The files are written in the order they are built by a thread of their
/// own, so that creating thousands of files (mostly kernel time) overlaps
/// building the next ones. The first failure in that order is the error
/// returned, as writing them one after the other would give it.
pub fn write_tree_files(
    world: &World,
    p: usize,
    peers: Option<PeerView<'_>>,
    server: bool,
    dir: &Path,
    force: bool,
) -> Result<(usize, u64)> {
    let own = world.pos.get(p).map(|po| &po.list);
    let empty = Directory::new();
    let data = postoffice_data(world, p, own.unwrap_or(&empty), peers);
    std::thread::scope(|scope| {
        let (files, built) = std::sync::mpsc::sync_channel::<(String, Vec<u8>)>(FILES_IN_FLIGHT);
        // A path built twice is written again and counted once, with its
        // last bytes (as a map of the whole tree would hold it).
        let writer = scope.spawn(move || -> Result<HashMap<String, u64>> {
            let mut written: HashMap<String, u64> = HashMap::new();
            for (rel, bytes) in built {
                let again = written.contains_key(&rel);
                crate::output::write_bytes_atomic(&dir.join(&rel), force || again, &bytes)?;
                written.insert(rel, bytes.len() as u64);
            }
            Ok(written)
        });
        let building = (|| -> Result<()> {
            let mut put = |rel: String, bytes: Vec<u8>| -> Result<()> {
                // A closed channel means the writer stopped on an error,
                // which is the one returned below.
                files
                    .send((rel, bytes))
                    .map_err(|_| crate::error::Error::output(dir, "the file writer stopped"))
            };
            build_tree_into(&data, &mut put)?;
            drop(data);
            put("GLB/REQCONF.GLB".into(), reqconf(world, p)?.write())?;
            put("GLB/REQTRANS.GLB".into(), reqtrans(world, p)?)?;
            if server {
                put("GLB/SRVCONF.GLB".into(), srvconf(world)?.write())?;
                put("GLB/MSTTRANS.GLB".into(), msttrans(world)?)?;
            }
            Ok(())
        })();
        drop(files);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(crate::error::Error::output(dir, "the file writer failed")))?;
        building?;
        Ok((written.len(), written.values().sum()))
    })
}

/// Seconds in a day (re-exported for scenario timing).
pub const ONE_DAY: u32 = DAY;
