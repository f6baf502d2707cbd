//! The address lists of NME/: ADMIN.NME (the POL, checked against its
//! shadow) and GAL.NME with GALINDEX.GLB.

use std::collections::HashMap;

use super::data::{ListEntry, PostOfficeData};
use super::lists::{nme_kind, nme_layout, NetpoSlices, NmeRec};
use super::open::{rec_loc, Reader};
use super::origins::origin;
use super::{frame_checked, read_records, FixedRecord};
use crate::codepage::cp850_upper_into;
use crate::error::{Error, Location, Result};
use crate::model::Address;

use super::read_external::resolve_netpo;

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
        Some((sf, sb)) if sb != nb => {
            let first = sb
                .iter()
                .zip(nb.iter())
                .position(|(a, b)| a != b)
                .unwrap_or(sb.len().min(nb.len()));
            let idx = first / NmeRec::SIZE;
            r.ctx.finding(
                &sf,
                Location::Record {
                    index: idx as u64,
                    offset: first as u64,
                },
                format!(
                    "differs from ADMIN.NME ({} vs {} bytes); the shadow must be equal; \
                     ADMIN.NME is read",
                    sb.len(),
                    nb.len()
                ),
            );
        }
        Some(_) => {}
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
        match e.kind {
            nme_kind::LOCAL_USER => {
                let Some(&ui) = user_by_offset.get(&e.pointer) else {
                    r.ctx.damage(
                        &nf,
                        loc,
                        format!("dangling pointer {} into ACCESS2.GLB", e.pointer),
                    )?;
                    continue;
                };
                let Some(u) = data.users.get(ui) else {
                    continue;
                };
                if u.tid != Some(e.tid) {
                    r.ctx.finding(
                        &nf,
                        loc.clone(),
                        format!(
                            "tid {} differs from the tid {} of the ACCESS2.GLB record it points \
                             to; the entry is read through its pointer",
                            e.tid,
                            u.tid.unwrap_or(0)
                        ),
                    );
                }
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
            nme_kind::GROUP => {
                let Some(&gi) = group_by_tid.get(&e.tid) else {
                    r.ctx
                        .damage(&nf, loc, format!("group tid {} is not in GROUP.GLB", e.tid))?;
                    continue;
                };
                let Some(g) = data.groups.get(gi) else {
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
            nme_kind::EXTERNAL | nme_kind::GATEWAY => {
                if let Some(a) = resolve_netpo(r, &data, &nf, &netpo, e, loc)? {
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
            k => r
                .ctx
                .damage(&nf, loc, format!("entry kind {k} is not 1, 2, 4 or 8"))?,
        }
    }
    for (ui, seen) in users_in_pol.iter().enumerate() {
        if !seen {
            if let Some(u) = data.users.get(ui) {
                r.ctx
                    .warn(format!("{af}: user {} has no ADMIN.NME entry", u.mailbox));
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
    let gal_file = r.optional("NME/GAL.NME")?;
    if gal_file.is_none() && data.gal_enabled && !r.present("NME/GAL.NME") {
        r.ctx.damage(
            &r.shown("NME/GAL.NME"),
            Location::File,
            "missing, but MASTER.GLB has the GAL enabled: the global address list is gone \
             (REBUILD makes it again)",
        )?;
    }
    if let Some((gf, gb)) = gal_file {
        // Records stay slices of the file and are decoded one at a time.
        let (_, gal) = frame_checked(&gf, &gb, 0, NmeRec::SIZE, nme_layout::STATUS, &mut r.ctx)?;
        let gf_id = r.origins.file(&gf, 0, NmeRec::SIZE);
        r.origins.gal_file = gf_id;
        data.gal.reserve(gal.len());
        r.origins.gal.reserve(gal.len());
        let galnetpo_file = r.optional("GLB/GALNETPO.GLB")?;
        let galnetpo = match &galnetpo_file {
            Some((f, b)) => Some((f.clone(), NetpoSlices::read(f, b, &mut r.ctx)?)),
            None => None,
        };
        // The previous and this upper-cased name: two buffers, reused.
        let (mut prev, mut up, mut first) = (String::new(), String::new(), true);
        for (i, rec) in gal.iter().enumerate() {
            let e = NmeRec::decode_fields(rec);
            if e.status != super::STATUS_IN_USE {
                continue;
            }
            let loc = rec_loc(i, NmeRec::SIZE, 0);
            up.clear();
            cp850_upper_into(&mut up, &e.full_name);
            if !first && prev > up {
                r.ctx
                    .finding(&gf, loc.clone(), "not sorted by full name (Q86375)");
            }
            first = false;
            std::mem::swap(&mut prev, &mut up);
            let addr = match e.kind {
                nme_kind::LOCAL_USER => match user_by_offset
                    .get(&e.pointer)
                    .and_then(|&u| data.users.get(u))
                {
                    Some(u) => Some(data.local_address(&u.mailbox)),
                    None => {
                        r.ctx.damage(
                            &gf,
                            loc,
                            format!("dangling pointer {} into ACCESS2.GLB", e.pointer),
                        )?;
                        None
                    }
                },
                nme_kind::GROUP => match group_by_tid.get(&e.tid).and_then(|&g| data.groups.get(g))
                {
                    Some(g) => Some(data.local_address(&g.mailbox)),
                    None => {
                        r.ctx.damage(
                            &gf,
                            loc,
                            format!("group tid {} is not in GROUP.GLB", e.tid),
                        )?;
                        None
                    }
                },
                nme_kind::EXTERNAL | nme_kind::GATEWAY => {
                    resolve_netpo(r, &data, &gf, &galnetpo, &e, loc)?
                }
                k => {
                    r.ctx
                        .damage(&gf, loc, format!("entry kind {k} is not 1, 2, 4 or 8"))?;
                    None
                }
            };
            if let Some(address) = addr {
                r.origins.gal.push(origin(gf_id, i).index);
                data.gal.push(ListEntry {
                    full_name: e.full_name,
                    address,
                });
            }
        }
        // GALNETPO is not needed past the GAL: free it before the index check.
        drop(galnetpo);
        drop(galnetpo_file);
        match r.optional("GLB/GALINDEX.GLB")? {
            Some((xf, xb)) => {
                let expect = super::galindex::GalIndex::build(
                    gal.iter()
                        .enumerate()
                        .filter(|(_, e)| nme_layout::STATUS.get(e) == super::STATUS_IN_USE)
                        .map(|(i, e)| ((i * NmeRec::SIZE) as u32, nme_layout::FULL_NAME.get(e))),
                );
                match super::galindex::GalIndex::read(&xf, &xb) {
                    Ok(idx) if idx != expect => r.ctx.finding(
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
