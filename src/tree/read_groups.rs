//! Local groups: GROUP.GLB, the member chains of GRP/ADMIN.GRP, MEM files.

use std::collections::HashMap;

use super::data::{LocalGroup, PostOfficeData};
use super::groups::{GroupGlb, GrpFile};
use super::open::Reader;
use super::origins::origin;
use crate::error::{Location, Result};
use crate::model::{Address, AddressKey};

use super::read_lists::PolRead;

/// GROUP.GLB and GRP/ADMIN.GRP (checked against its shadow): the groups and
/// each group by tid, and the member chain file.
#[allow(clippy::type_complexity)]
pub(super) fn read_groups(
    r: &mut Reader<'_>,
    data: &mut PostOfficeData,
) -> Result<(HashMap<u32, usize>, Option<(String, GrpFile)>)> {
    // Groups.
    let group_glb = match r.optional("GLB/GROUP.GLB")? {
        Some((f, b)) => GroupGlb::read(&f, &b, &mut r.ctx)?,
        None => GroupGlb::default(),
    };
    let mut group_by_tid: HashMap<u32, usize> = HashMap::new();
    let gf_shown = r.shown("GLB/GROUP.GLB");
    let gf_id = r.origins.file(
        &gf_shown,
        super::groups::group_layout::HEADER,
        super::groups::group_layout::SIZE,
    );
    for (gi, g) in group_glb.records.iter().enumerate() {
        if g.status != super::STATUS_IN_USE {
            continue;
        }
        r.origins
            .groups
            .entry(data.local_address(&g.mailbox).key())
            .or_insert(origin(gf_id, gi));
        group_by_tid.insert(g.tid, data.groups.len());
        data.groups.push(LocalGroup {
            name: g.name.clone(),
            mailbox: g.mailbox.clone(),
            tid: Some(g.tid),
            members: Vec::new(),
        });
    }
    let grp = match r.optional("GRP/ADMIN.GRP")? {
        Some((f, b)) => {
            if let Some((sf, sb)) = r.optional("GRP/ADMINSHD.GRP")? {
                let node = super::groups::GRP_NODE;
                if let Some(f) = super::validate::shadow(&sf, "ADMIN.GRP", &b, &sb, node) {
                    r.ctx.report(&f)?;
                }
            }
            let node = super::groups::GRP_NODE;
            // Only a partial last node needs framing (an error, or a warning
            // with salvage); whole nodes are read straight from the bytes.
            let whole = if b.len().is_multiple_of(node) {
                b.len()
            } else {
                let (_, nodes) = super::frame_ctx(&f, &b, 0, node, &mut r.ctx)?;
                nodes.len() * node
            };
            Some((
                f.clone(),
                GrpFile::read(&f, b.get(..whole).unwrap_or_default())?,
            ))
        }
        None => None,
    };
    Ok((group_by_tid, grp))
}

/// Each group's members from its ADMIN.GRP chain (the MEM files checked
/// against it), or from its MEM file where there is no chain.
pub(super) fn read_members(
    r: &mut Reader<'_>,
    data: &mut PostOfficeData,
    grp: Option<(String, GrpFile)>,
    pol: &mut PolRead,
) -> Result<()> {
    let group_chains = std::mem::take(&mut pol.group_chains);
    let (nf, addr_by_tid) = (&pol.file, &pol.addr_by_tid);
    // Group members, cycle-safe. `chain_read[gi]`: the group's ADMIN.GRP
    // chain was followed (its MEM file is only a cross-check then).
    let mut chain_read = vec![false; data.groups.len()];
    for (gi, first, loc) in group_chains {
        let tids = match &grp {
            Some((gf, g)) => {
                if let Some(c) = chain_read.get_mut(gi) {
                    *c = true;
                }
                g.chain(gf, first, &mut r.ctx)?
            }
            None if first == 0 => {
                if let Some(c) = chain_read.get_mut(gi) {
                    *c = true;
                }
                Vec::new()
            }
            None => {
                r.ctx
                    .damage(nf, loc, "group points into GRP/ADMIN.GRP, which is missing")?;
                Vec::new()
            }
        };
        let mut members = Vec::with_capacity(tids.len());
        for t in tids {
            match addr_by_tid.get(&t) {
                Some(a) => members.push(a.clone()),
                None => r.ctx.damage(
                    &r.shown("GRP/ADMIN.GRP"),
                    Location::File,
                    format!("member tid {t} of group record {gi} has no ADMIN.NME entry"),
                )?,
            }
        }
        if let Some(g) = data.groups.get_mut(gi) {
            g.members = members;
        }
    }
    // MEM files: the mailbags of each group's local members.
    let bag_of: HashMap<AddressKey, u32> = data
        .users
        .iter()
        .filter_map(|u| Some((data.local_address(&u.mailbox).key(), u.mailbag?)))
        .collect();
    let user_of_bag: HashMap<u32, Address> = data
        .users
        .iter()
        .filter_map(|u| Some((u.mailbag?, data.local_address(&u.mailbox))))
        .collect();
    let mut from_mem: Vec<(usize, Vec<Address>)> = Vec::new();
    for (gi, g) in data.groups.iter().enumerate() {
        let Some(tid) = g.tid else { continue };
        let rel = format!("MEM/{}.MEM", super::hex8(tid));
        let Some((mf, mb)) = r.optional(&rel)? else {
            let local = g
                .members
                .iter()
                .filter(|m| bag_of.contains_key(&m.key()))
                .count();
            if local > 0 && !r.present(&rel) {
                r.ctx.damage(
                    &r.shown(&rel),
                    Location::File,
                    format!(
                        "missing: group {} has {local} local members, whose mailbags MS Mail \
                         keeps in this file",
                        g.mailbox
                    ),
                )?;
            }
            continue;
        };
        let mut found = match super::groups::read_mem(&mf, &mb) {
            Ok(v) => v,
            Err(e) => {
                if !r.ctx.salvage {
                    return Err(e);
                }
                r.ctx.warn(format!("skipped: {e}"));
                continue;
            }
        };
        if !chain_read.get(gi).copied().unwrap_or(true) {
            // No ADMIN.GRP chain to read: the MEM file still names the local
            // members (external members are only in the chain).
            let mut members = Vec::with_capacity(found.len());
            for bag in &found {
                match user_of_bag.get(bag) {
                    Some(a) => members.push(a.clone()),
                    None => r.ctx.warn(format!(
                        "{mf}: mailbag {} is no local user's (ACCESS2.GLB)",
                        super::hex8(*bag)
                    )),
                }
            }
            r.ctx.warn(format!(
                "{mf}: group {} has no ADMIN.GRP member chain; its {} local members are \
                 taken from this MEM file (external members cannot be known)",
                g.mailbox,
                members.len()
            ));
            from_mem.push((gi, members));
            continue;
        }
        let mut expect: Vec<u32> = g
            .members
            .iter()
            .filter_map(|m| bag_of.get(&m.key()).copied())
            .collect();
        found.sort_unstable();
        expect.sort_unstable();
        if found != expect {
            r.ctx.finding(
                &mf,
                Location::File,
                format!(
                    "{} local member mailbags, the ADMIN.GRP chain of {} gives {}",
                    found.len(),
                    g.mailbox,
                    expect.len()
                ),
            );
        }
    }
    for (gi, members) in from_mem {
        if let Some(g) = data.groups.get_mut(gi) {
            g.members = members;
        }
    }
    Ok(())
}
