//! The address lists of NME/: ADMIN.NME (the POL, checked against its
//! shadow) and GAL.NME with GALINDEX.GLB.

use std::collections::HashMap;

use super::data::{ListEntry, PostOfficeData};
use super::listed::ListedKeys;
use super::lists::{nme_layout, NetpoSlices, NmeRec};
use super::open::{rec_loc, GalEntries, Reader};
use super::origins::origin;
use super::record_file::RecordFile;
use super::{read_records, FixedRecord};
use crate::error::{Error, Location, Result};
use crate::model::Address;

use super::read_external::{check_netpo_entry, resolve_netpo, resolve_netpo_target};
use super::users::Access2Rec;
use super::validate::{self, DamageKind, NmeTarget, RecordAt};
use rayon::prelude::*;

/// What reading ADMIN.NME hands on to the group members and the tid check.
pub(super) struct PolRead {
    /// ADMIN.NME as shown.
    pub(super) file: String,
    /// Its records.
    pub(super) nme: Vec<NmeRec>,
    /// The address of each entry by tid.
    pub(super) addr_by_tid: HashMap<u32, Address>,
    /// Each group entry: group number, first chain node, its location.
    pub(super) group_chains: Vec<(usize, u32, Location)>,
}

/// ADMIN.NME (against ADMINSHD.NME), resolved through ACCESS2.GLB, GROUP.GLB
/// and NETPO.GLB: the POL's external entries.
pub(super) fn read_pol(
    r: &mut Reader<'_>,
    data: &mut PostOfficeData,
    af: &str,
    user_by_offset: &HashMap<u32, usize>,
    group_by_tid: &HashMap<u32, usize>,
) -> Result<PolRead> {
    let (nf, nb) = r.required("NME/ADMIN.NME")?;
    match r.optional("NME/ADMINSHD.NME")? {
        Some((sf, sb)) => {
            if let Some(f) = validate::shadow(&sf, "ADMIN.NME", &nb, &sb, NmeRec::SIZE) {
                r.ctx.report(&f)?;
            }
        }
        None => r.ctx.damage(
            &r.shown("NME/ADMINSHD.NME"),
            Location::File,
            "missing (shadow of ADMIN.NME)",
        )?,
    }
    let (_, nme) = read_records::<NmeRec>(&nf, &nb, 0, &mut r.ctx)?;
    let nf_id = r.origins.file(&nf, 0, NmeRec::SIZE);
    let netpo_file = r.optional("GLB/NETPO.GLB")?;
    let netpo = match &netpo_file {
        Some((f, b)) => Some((f.clone(), NetpoSlices::read(f, b, &mut r.ctx)?)),
        None => None,
    };
    let mut addr_by_tid: HashMap<u32, Address> = HashMap::new();
    let mut group_chains: Vec<(usize, u32, Location)> = Vec::new();
    let mut users_in_pol = vec![false; data.users.len()];
    for (i, e) in nme.iter().enumerate() {
        if e.status != super::STATUS_IN_USE {
            continue;
        }
        let loc = rec_loc(i, NmeRec::SIZE, 0);
        let (mut user, mut group) = (None, None);
        let check = validate::nme_entry(
            &nf,
            RecordAt::new(i, NmeRec::SIZE, 0),
            &e.full_name,
            e.tid,
            e.kind,
            e.pointer,
            |p| {
                user = user_by_offset
                    .get(&p)
                    .and_then(|&ui| Some((ui, data.users.get(ui)?)));
                user.map(|(_, u)| u.tid.unwrap_or(0))
            },
            |t| {
                group = group_by_tid
                    .get(&t)
                    .and_then(|&gi| Some((gi, data.groups.get(gi)?)));
                group.is_some()
            },
        );
        if let Some(f) = &check.finding {
            // A tid-mismatch is a finding; the entry is read through its pointer.
            r.ctx.report(f)?;
        }
        match check.target {
            None => continue,
            Some(NmeTarget::LocalUser) => {
                let Some((ui, u)) = user else {
                    continue;
                };
                let a = data.local_address(&u.mailbox);
                r.origins
                    .pol
                    .entry(a.key())
                    .or_insert_with(|| origin(nf_id, i));
                addr_by_tid.insert(e.tid, a);
                if let Some(s) = users_in_pol.get_mut(ui) {
                    *s = true;
                }
            }
            Some(NmeTarget::Group) => {
                let Some((gi, g)) = group else {
                    continue;
                };
                let a = data.local_address(&g.mailbox);
                r.origins
                    .pol
                    .entry(a.key())
                    .or_insert_with(|| origin(nf_id, i));
                addr_by_tid.insert(e.tid, a);
                group_chains.push((gi, e.pointer, loc));
            }
            Some(NmeTarget::External) => {
                if let Some(a) = resolve_netpo(r, data, &nf, &netpo, e, loc)? {
                    r.origins
                        .pol
                        .entry(a.key())
                        .or_insert_with(|| origin(nf_id, i));
                    addr_by_tid.insert(e.tid, a.clone());
                    data.pol_externals.push(ListEntry {
                        full_name: e.full_name.clone(),
                        address: a,
                    });
                }
            }
        }
    }
    for (ui, seen) in users_in_pol.iter().enumerate() {
        if !seen {
            if let Some(u) = data.users.get(ui) {
                // The reader's warning names no record: `ui` counts users in use.
                let at = RecordAt::new(ui, Access2Rec::SIZE, 0);
                r.ctx
                    .report(&validate::user_not_in_pol(af, at, &u.mailbox))?;
            }
        }
    }
    Ok(PolRead {
        file: nf,
        nme,
        addr_by_tid,
        group_chains,
    })
}

/// GAL.NME records decoded at once on every core (about 5 MB of decoded
/// records in flight at the most; a quarter of what it was, at no cost in
/// time measured, for the scoped export's peak).
const GAL_CHUNK: usize = 16_384;

/// One GAL.NME record in use, decoded and resolved on any thread, with what
/// resolving it had to tell (told in record order by [`read_gal`]).
struct GalRecord {
    e: NmeRec,
    check: validate::NmeCheck,
    /// The entry's address (`None`: not kept, held by a list already with
    /// `GalEntries::Unlisted`, or not resolvable); `Err`: the
    /// damage that stops a strict read.
    address: Result<Option<Address>>,
    /// Damage read past (salvage).
    warnings: Vec<String>,
    /// Entries profile v1 cannot represent.
    unrepresentable: Vec<String>,
}

/// Checks record `i` of GAL.NME against ACCESS2/GROUP.GLB and resolves its
/// address (its GALNETPO record checked either way), as the reader's loop
/// did one record at a time.
#[allow(clippy::too_many_arguments)]
fn decode_gal_record(
    e: NmeRec,
    i: usize,
    gf: &str,
    data: &PostOfficeData,
    galnetpo: &Option<(String, NetpoSlices<'_>)>,
    user_by_offset: &HashMap<u32, usize>,
    group_by_tid: &HashMap<u32, usize>,
    keep: bool,
    salvage: bool,
    listed: Option<(&ListedKeys<'_>, &mut KeyBuffers)>,
) -> GalRecord {
    let loc = rec_loc(i, NmeRec::SIZE, 0);
    let at = RecordAt::new(i, NmeRec::SIZE, 0);
    let (mut user, mut group) = (None, None);
    let check = validate::nme_entry(
        gf,
        at,
        &e.full_name,
        e.tid,
        e.kind,
        e.pointer,
        |p| {
            user = user_by_offset.get(&p).and_then(|&u| data.users.get(u));
            user.map(|u| u.tid.unwrap_or(0))
        },
        |t| {
            group = group_by_tid.get(&t).and_then(|&g| data.groups.get(g));
            group.is_some()
        },
    );
    let mut ctx = super::Ctx::new(salvage);
    let mut unrepresentable = Vec::new();
    let address = match check.target {
        // An external entry's GALNETPO record is checked either way (its
        // address is only built when the entry is kept).
        Some(NmeTarget::External) if !keep => {
            check_netpo_entry(&mut ctx, &mut unrepresentable, data, gf, galnetpo, &e, loc)
                .map(|()| None)
        }
        Some(NmeTarget::External) => {
            resolve_netpo_target(&mut ctx, &mut unrepresentable, data, gf, galnetpo, &e, loc).map(
                |t| {
                    t.filter(|t| !is_listed(listed, |out| t.key_into(out)))
                        .map(|t| t.address())
                },
            )
        }
        _ if !keep => Ok(None),
        Some(NmeTarget::LocalUser) => Ok(user
            .filter(|u| !is_listed(listed, |out| data.local_key_into(&u.mailbox, out)))
            .map(|u| data.local_address(&u.mailbox))),
        Some(NmeTarget::Group) => Ok(group
            .filter(|g| !is_listed(listed, |out| data.local_key_into(&g.mailbox, out)))
            .map(|g| data.local_address(&g.mailbox))),
        None => Ok(None),
    };
    GalRecord {
        e,
        check,
        address,
        warnings: ctx.warnings,
        unrepresentable,
    }
}

/// A thread's buffers for [`ListedKeys::contains`]: the key looked up, and
/// the key of a candidate.
type KeyBuffers = (String, String);

/// Whether the lists hold the address whose key `write_key` writes (never,
/// without `listed`: every entry is kept).
fn is_listed(
    listed: Option<(&ListedKeys<'_>, &mut KeyBuffers)>,
    write_key: impl FnOnce(&mut String),
) -> bool {
    let Some((listed, (key, scratch))) = listed else {
        return false;
    };
    key.clear();
    write_key(key);
    listed.contains(key, scratch)
}

/// GAL.NME (sort order checked), resolved like ADMIN.NME through GALNETPO.GLB,
/// and GALINDEX.GLB checked against it.
pub(super) fn read_gal(
    r: &mut Reader<'_>,
    data: &mut PostOfficeData,
    user_by_offset: &HashMap<u32, usize>,
    group_by_tid: &HashMap<u32, usize>,
) -> Result<()> {
    // The GAL. A postoffice with the GAL enabled keeps one; without it the
    // global list cannot be read.
    let gal_file = r.optional_path("NME/GAL.NME")?;
    if gal_file.is_none() && data.gal_enabled && !r.present("NME/GAL.NME") {
        r.ctx.damage(
            &r.shown("NME/GAL.NME"),
            Location::File,
            "missing, but MASTER.GLB has the GAL enabled: the global address list is gone \
             (REBUILD makes it again)",
        )?;
    }
    if let Some((gf, path)) = gal_file {
        // GAL.NME is read GAL_CHUNK records at a time (never held whole):
        // its framing and every status byte are checked first, as for any
        // record file, then the records are decoded.
        let mut gal = RecordFile::open(&gf, path, 0, NmeRec::SIZE, &mut r.ctx)?;
        gal.check_statuses(GAL_CHUNK, nme_layout::STATUS, &mut r.ctx)?;
        let gf_id = r.origins.file(&gf, 0, NmeRec::SIZE);
        r.origins.gal_file = gf_id;
        let mode = r.gal_entries;
        // The entries kept (see `GalEntries`), moved into `data.gal` at the end.
        let mut kept: Vec<ListEntry> = Vec::new();
        if mode == GalEntries::All {
            kept.reserve(gal.len());
            r.origins.gal.reserve(gal.len());
        }
        let galnetpo_file = r.optional("GLB/GALNETPO.GLB")?;
        let galnetpo = match &galnetpo_file {
            Some((f, b)) => Some((f.clone(), NetpoSlices::read(f, b, &mut r.ctx)?)),
            None => None,
        };
        let mut order = validate::GalOrder::new();
        // Records are decoded and resolved on every core a chunk at a time
        // (what each would tell kept with it), then told and taken in record
        // order, as one loop would: the sort-order check runs there, and a
        // strict read stops at the same first damage.
        let keep = mode != GalEntries::None;
        let salvage = r.ctx.salvage;
        let lists: &PostOfficeData = data;
        // An entry the lists hold already is checked, then dropped.
        // The scoped read kept the USR lists' keys, not their entries.
        let usr_keys = r.usr_keys.take();
        let listed = (mode == GalEntries::Unlisted)
            .then(|| ListedKeys::new(lists, usr_keys.as_ref().map_or(&[], |k| &k.arenas)));
        gal.for_each_run(GAL_CHUNK, |first, chunk| {
            let decoded: Vec<Option<GalRecord>> = {
                let galnetpo = &galnetpo;
                let listed = listed.as_ref();
                let gf = gf.as_str();
                chunk
                    .par_iter()
                    .enumerate()
                    .map_init(
                        || (String::new(), String::new()),
                        |buffers, (k, rec)| {
                            let i = first + k;
                            let e = NmeRec::decode_fields(rec);
                            (e.status == super::STATUS_IN_USE).then(|| {
                                decode_gal_record(
                                    e,
                                    i,
                                    gf,
                                    lists,
                                    galnetpo,
                                    user_by_offset,
                                    group_by_tid,
                                    keep,
                                    salvage,
                                    listed.map(|l| (l, buffers)),
                                )
                            })
                        },
                    )
                    .collect()
            };
            for (k, g) in decoded.into_iter().enumerate() {
                let Some(g) = g else { continue };
                let i = first + k;
                let at = RecordAt::new(i, NmeRec::SIZE, 0);
                if let Some(f) = order.next(&gf, at, &g.e.full_name) {
                    r.ctx.report(&f)?;
                }
                match &g.check.finding {
                    // The reader does not compare GAL.NME tids (inspect does).
                    Some(f) if f.kind() == DamageKind::TidMismatch => {}
                    Some(f) => r.ctx.report(f)?,
                    None => {}
                }
                r.ctx.warnings.extend(g.warnings);
                for m in g.unrepresentable {
                    r.unrepresentable(m);
                }
                if let (Some(address), true) = (g.address?, keep) {
                    r.origins.gal.push(origin(gf_id, i).index);
                    kept.push(ListEntry {
                        full_name: g.e.full_name,
                        address,
                    });
                }
            }
            Ok(())
        })?;
        drop(listed);
        // The keys served this check only: free them before the index's.
        r.usr_keys = usr_keys.map(|mut k| {
            k.arenas = Vec::new();
            k
        });
        data.gal = kept;
        // GALNETPO is not needed past the GAL: free it before the index check.
        drop(galnetpo);
        drop(galnetpo_file);
        // (offset, full name) of every GAL entry in use, in offset order, for
        // the GALINDEX check: read again now that the lists' keys and
        // GALNETPO are freed, so the names are not held beside them.
        let mut names: Vec<(u32, crate::model::Text)> = Vec::with_capacity(gal.len());
        gal.for_each_run(GAL_CHUNK, |first, chunk| {
            let run: Vec<Option<(u32, crate::model::Text)>> = chunk
                .par_iter()
                .enumerate()
                .map(|(k, rec)| {
                    let e = NmeRec::decode_fields(rec);
                    let offset = ((first + k) * NmeRec::SIZE) as u32;
                    (e.status == super::STATUS_IN_USE).then_some((offset, e.full_name))
                })
                .collect();
            names.extend(run.into_iter().flatten());
            Ok(())
        })?;
        match r.optional("GLB/GALINDEX.GLB")? {
            Some((xf, xb)) => {
                // Checked in place: the records are decoded as they are
                // looked at, not copied (millions on a large network).
                match super::galindex::GalIndexRecords::read(&xf, &xb) {
                    Ok(idx) if !idx.indexes(&names, NmeRec::SIZE as u32) => r.ctx.finding(
                        &xf,
                        Location::File,
                        "does not index GAL.NME as it is (a stale GAL index; REBUILD makes it again)",
                    ),
                    Ok(_) => {}
                    // The reader's error names the file and the place
                    // already: pass it on as it is (not wrapped as "whole
                    // file: FILE: byte offset ...").
                    Err(Error::Input {
                        file,
                        location,
                        message,
                    }) => r.ctx.damage(&file, location, message)?,
                    Err(e) => r.ctx.damage(&xf, Location::File, format!("{e}"))?,
                }
            }
            None if !r.present("GLB/GALINDEX.GLB") => r.ctx.damage(
                &r.shown("GLB/GALINDEX.GLB"),
                Location::File,
                "missing: GAL.NME is here and GALINDEX.GLB indexes it (REBUILD makes it again)",
            )?,
            None => {}
        }
    }
    Ok(())
}
