//! Adapters from files to the engine's inputs: the server snapshot read from
//! a MAILDATA tree, and (re-exported from [`super::evidence`]) requestor
//! evidence recognised by content.

use std::collections::HashMap;
use std::path::Path;

use crate::dirsync::conf::SrvConf;
use crate::dirsync::trans::{read_stream, TransStream};
use crate::error::{Error, Location, Result};
use crate::model::{Directory, Entry, Scope};
use crate::source::LoadOptions;
use crate::tree::PostOffice;

pub use super::evidence::{load_evidence, prefer_bound, single_file_folder, RequestorSource};
use super::{MasterTransaction, ServerRequestorRecord, ServerSnapshot};

/// Everything read from the server's tree: the engine's snapshot and what the
/// writers need to produce a repaired copy.
pub struct ServerInput {
    /// The engine's input.
    pub snapshot: ServerSnapshot,
    /// The opened tree.
    pub postoffice: PostOffice,
    /// MSTTRANS.GLB as read (records kept for the repaired copy).
    pub msttrans: Option<TransStream>,
    /// SRVCONF.GLB as read.
    pub srvconf: crate::dirsync::conf::SrvConf,
    /// Damage read past with `--salvage` (file, byte range, why), one
    /// sentence each; empty in strict mode.
    pub skipped: Vec<String>,
    /// Master sync numbers lost to damage: gaps in MSTTRANS.GLB's numbering
    /// between its first record and Sync(B). The repaired MSTTRANS carries a
    /// placeholder for each, and requestors that had not received them are
    /// told to take RESYNC.GLB.
    pub lost_master: Vec<u32>,
    /// A content fingerprint of each USR list as read, by owner-independent
    /// list scope key (see [`list_fingerprint`]): the writers rebuild only
    /// the lists whose merged content differs. Empty when
    /// [`load_server`] was not asked for them (a report-only reconcile).
    pub usr_fingerprints: HashMap<String, u64>,
}

/// An order-independent fingerprint of a list's content: address key, full
/// name, kind and template values of every entry, and its template definition.
pub fn list_fingerprint<'a>(
    entries: impl Iterator<Item = &'a Entry>,
    template: Option<&crate::model::TemplateDef>,
) -> u64 {
    use std::hash::{Hash, Hasher};
    type Row<'e> = (
        crate::model::AddressKey,
        &'e str,
        crate::model::EntryKind,
        Vec<(&'e str, &'e str)>,
    );
    let mut rows: Vec<Row<'a>> = entries
        .map(|e| {
            let mut t: Vec<(&str, &str)> = e
                .template
                .iter()
                .map(|v| (v.prompt.as_str(), v.value.as_str()))
                .collect();
            t.sort_unstable();
            (e.key(), e.full_name.as_str(), e.kind, t)
        })
        .collect();
    rows.sort_unstable();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    rows.hash(&mut h);
    if let Some(def) = template {
        for f in &def.fields {
            (&f.prompt, f.width, &f.edit, &f.data, &f.internal).hash(&mut h);
        }
    }
    h.finish()
}

fn read_trans(path: &Path, options: &LoadOptions) -> Result<TransStream> {
    let bytes = crate::input::read_input(path)?;
    read_stream(&bytes, &path.display().to_string(), options.salvage)
}

/// SRVCONF.GLB; with salvage a partial last requestor record is reported and
/// the whole records before it are read.
fn read_srvconf(path: &Path, options: &LoadOptions, skipped: &mut Vec<String>) -> Result<SrvConf> {
    use crate::dirsync::conf::{requestor_layout, srvconf_layout};
    let file = path.display().to_string();
    let bytes = crate::input::read_input(path)?;
    match SrvConf::read(&bytes, &file) {
        Ok(c) => Ok(c),
        Err(e) if options.salvage && bytes.len() > srvconf_layout::SIZE => {
            let whole = srvconf_layout::SIZE
                + (bytes.len() - srvconf_layout::SIZE) / requestor_layout::SIZE
                    * requestor_layout::SIZE;
            if whole == bytes.len() {
                return Err(e);
            }
            skipped.push(format!(
                "skipped: {e} (bytes {whole}..{} skipped; the repaired SRVCONF.GLB keeps the \
                 whole records only)",
                bytes.len()
            ));
            SrvConf::read(bytes.get(..whole).unwrap_or_default(), &file)
        }
        Err(e) => Err(e),
    }
}

/// Who owns a 10/10/10 gateway node's list on the server: the postoffice its
/// XTN route names (`PO` or `NET/PO`, the postoffice the gateway is reached
/// through), when the server knows that postoffice; else the server's own.
/// Master transactions of the node's entries override this (their origin).
fn gateway_owner(route: &str, own: &Scope, known: &[Scope]) -> Scope {
    let r = crate::codepage::cp850_upper(route.trim());
    let matches: Vec<&Scope> = known
        .iter()
        .filter(|s| {
            let body = crate::codepage::cp850_upper(&s.body);
            body == r || body.rsplit_once('/').is_some_and(|(_, po)| po == r)
        })
        .collect();
    match matches.as_slice() {
        [one] => (*one).clone(),
        _ => own.clone(),
    }
}

/// Reads the restored server's MAILDATA tree into a [`ServerInput`]: its
/// snapshot (the USR lists, the POL, SRVCONF and MSTTRANS) and the tree's
/// list metadata (names, mailbags, templates) for writing the repaired tree.
/// Each external postoffice's entries are moved into its USR list as it is
/// built, and the GAL's entries are checked, not kept (the repaired tree's
/// GAL is rebuilt from the merged lists), so the directory is never held
/// twice while loading. The USR lists' entries carry no origin
/// (`Origin::none()`): no reconcile output names them. `fingerprints`:
/// fingerprint the USR lists ([`ServerInput::usr_fingerprints`]), which
/// only writing the repaired tree needs (a report-only run skips a pass over
/// every entry).
pub fn load_server(dir: &Path, options: &LoadOptions, fingerprints: bool) -> Result<ServerInput> {
    // The GAL's entries are checked, not kept.
    let mut postoffice = PostOffice::open_without_gal_entries(dir, options)?;
    let mut skipped: Vec<String> = postoffice
        .warnings
        .iter()
        .filter(|w| w.starts_with("skipped"))
        .cloned()
        .collect();
    let paths = postoffice.dirsync_files();
    let srvconf_path = paths.srvconf.clone().ok_or_else(|| {
        Error::input(
            dir.display().to_string(),
            Location::File,
            "no GLB/SRVCONF.GLB: this is not a Dir-Sync server's MAILDATA",
        )
    })?;
    let srvconf = read_srvconf(&srvconf_path, options, &mut skipped)?;
    let msttrans = match &paths.msttrans {
        Some(p) => Some(read_trans(p, options)?),
        None => None,
    };
    let mut master = Vec::new();
    let mut lost_master = Vec::new();
    if let (Some(stream), Some(p)) = (&msttrans, &paths.msttrans) {
        let file = p.display().to_string();
        for s in &stream.skipped {
            skipped.push(format!(
                "{file}: skipped bytes {}..{}: {}",
                s.start, s.end, s.reason
            ));
        }
        for (i, r) in stream.records.iter().enumerate() {
            let operations = match r.to_operations(&file) {
                Ok(ops) => ops,
                Err(e) if options.salvage => {
                    let at = stream.offsets.get(i).copied().unwrap_or(0);
                    skipped.push(format!(
                        "{file}: record {i} at byte offset {at} (sync {}): its text cannot be \
                         read, the transaction is left out of the server's view: {e}",
                        r.sync
                    ));
                    continue;
                }
                Err(e) => return Err(e),
            };
            master.push(MasterTransaction {
                sync: r.sync,
                origin: crate::codepage::decode_cp850(r.origin.text_bytes()).into_owned(),
                operations,
            });
        }
        master.sort_by_key(|m| m.sync);
        // Numbers lost to damage: gaps between the first record and Sync(B)
        // (numbers below the first record were purged, which is normal).
        if !stream.skipped.is_empty() {
            let mut syncs: Vec<u32> = stream.records.iter().map(|r| r.sync).collect();
            syncs.sort_unstable();
            syncs.dedup();
            if let Some(&first) = syncs.first() {
                let have: std::collections::HashSet<u32> = syncs.iter().copied().collect();
                let top = srvconf.sync.max(syncs.last().copied().unwrap_or(first));
                lost_master = (first..=top).filter(|n| !have.contains(n)).collect();
            }
            if !lost_master.is_empty() {
                skipped.push(format!(
                    "{file}: {} master transaction(s) lost to the damage ({}): the server's view \
                     lacks them; the repaired MSTTRANS.GLB holds a placeholder for each, and \
                     requestors that had not received them need RESYNC.GLB",
                    lost_master.len(),
                    number_ranges(&lost_master)
                ));
            }
        }
    }
    let requestors = srvconf
        .requestors
        .iter()
        .filter(|r| r.status == 1)
        .filter_map(|r| {
            let name = crate::codepage::decode_cp850(r.name.text_bytes()).into_owned();
            let scope = Scope::parse(&name).ok()?;
            Some(ServerRequestorRecord {
                name,
                scope,
                reqsync: r.reqsync,
                srvsync: r.srvsync,
                impsync: r.impsync,
                last_cycle: r.last_cycle,
            })
        })
        .collect();
    let own_scope = postoffice.data.scope();
    let own_pol = postoffice.pol();
    // Local users excluded from Dir-Sync: in the server's directory, never
    // in Dir-Sync.
    let mut own_local_only = Directory::new();
    for u in postoffice.data.users.iter().filter(|u| u.excluded) {
        let mut e = Entry::new(
            u.full_name.clone(),
            postoffice.data.local_address(&u.mailbox),
        );
        e.template = u.template.clone();
        own_local_only.upsert(e);
    }
    // (network index, postoffice index, scope) in NETWORK/XTN order.
    let externals: Vec<(usize, usize, Scope)> = postoffice
        .data
        .networks
        .iter()
        .enumerate()
        .flat_map(|(ni, n)| (0..n.postoffices.len()).map(move |pi| (ni, pi)))
        .zip(postoffice.external_postoffices())
        .map(|((ni, pi), (scope, _))| (ni, pi, scope))
        .collect();
    let mut known: Vec<Scope> = externals
        .iter()
        .map(|(_, _, s)| s.clone())
        .filter(|s| s.type_name == "PCM")
        .collect();
    known.push(own_scope.clone());
    let mut usr_lists = Vec::with_capacity(externals.len());
    let mut usr_fingerprints = HashMap::new();
    for (ni, pi, scope) in externals {
        let Some((net_name, po_name, route)) = postoffice.data.networks.get(ni).and_then(|n| {
            n.postoffices
                .get(pi)
                .map(|p| (n.name.clone(), p.name.clone(), p.route.clone()))
        }) else {
            continue;
        };
        // Moved out of the tree's data, not copied (found by name, as
        // `usr_list` finds it); no origins (file and record of each entry):
        // no reconcile output names them, and finding them costs a hash
        // lookup per entry.
        let list = postoffice
            .data
            .external_index(&net_name, &po_name)
            .and_then(|(n, p)| postoffice.data.take_usr_list(n, p));
        if let Some(list) = list {
            if fingerprints {
                usr_fingerprints.insert(
                    scope.key(),
                    list_fingerprint(list.iter(), list.templates.get(&scope.key())),
                );
            }
            let owner = if scope.type_name == "PCM" {
                scope
            } else {
                gateway_owner(&route, &own_scope, &known)
            };
            usr_lists.push((owner, list));
        }
    }
    let snapshot = ServerSnapshot {
        own_scope,
        own_pol,
        own_local_only,
        sync: srvconf.sync,
        cycle: srvconf.cycle,
        requestors,
        usr_lists,
        master,
    };
    Ok(ServerInput {
        snapshot,
        postoffice,
        msttrans,
        srvconf,
        skipped,
        lost_master,
        usr_fingerprints,
    })
}

/// `1..3, 7, 9..12` for a sorted list of numbers.
pub fn number_ranges(numbers: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(&start) = numbers.get(i) {
        let mut end = start;
        while numbers.get(i + 1) == Some(&end.wrapping_add(1)) {
            end += 1;
            i += 1;
        }
        out.push(if end == start {
            start.to_string()
        } else {
            format!("{start}..{end}")
        });
        i += 1;
    }
    out.join(", ")
}
