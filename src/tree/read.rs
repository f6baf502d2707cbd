//! Decoding a whole tree into [`PostOfficeData`]: each file's records, then
//! the references between files.

use std::collections::HashMap;

use super::data::{LocalUser, PostOfficeData};
use super::identity::MasterGlb;
use super::lists::NmeRec;
use super::open::{rec_loc, Reader};
use super::origins::origin;
use super::read_external::read_networks;
use super::read_groups::{read_groups, read_members};
use super::read_lists::{read_gal, read_pol};
use super::templates::{InfFile, TplFile};
use super::users::access2_layout::MAILBAG;
use super::users::{self, Access2Rec};
use super::validate::{self, RecordAt};
use super::{read_records, FixedRecord, NO_RECORD};
use crate::error::{Error, Location, Result};
use crate::model::{TemplateField, TemplateValue};

/// An INF file with its shown name.
pub(super) type NamedInf = (String, InfFile);

/// Reads a TPL + INF pair (either may be missing).
pub(super) fn read_templates(
    r: &mut Reader<'_>,
    hex: &str,
) -> Result<(Vec<TemplateField>, Option<NamedInf>)> {
    let tpl = match r.optional(&format!("TPL/{hex}.TPL"))? {
        Some((f, b)) => {
            if !b.is_empty() && !b.ends_with(b"\n") && !b.ends_with(b"\r") && !b.ends_with(&[0x1a])
            {
                r.ctx.finding(
                    &f,
                    Location::Offset(b.len() as u64),
                    "the last field line has no line end: the TPL may be cut short",
                );
            }
            TplFile::read(&f, &b)?.fields
        }
        None => Vec::new(),
    };
    let inf = match r.optional(&format!("INF/{hex}.INF"))? {
        Some((f, b)) => {
            if tpl.is_empty() {
                r.ctx.damage(
                    &f,
                    Location::File,
                    format!(
                        "{} bytes of template data, but TPL/{hex}.TPL, which gives its record \
                         layout, is missing or empty; the template data cannot be read",
                        b.len()
                    ),
                )?;
                None
            } else {
                let size = super::templates::inf_record_size(&tpl);
                let (_, recs) = super::frame_ctx(&f, &b, 0, size, &mut r.ctx)?;
                Some((f.clone(), InfFile::from_records(size, &recs)))
            }
        }
        None => None,
    };
    Ok((tpl, inf))
}

/// Looks up INF record `inf` (NO_RECORD = none); a dangling number is damage.
pub(super) fn template_values(
    r: &mut Reader<'_>,
    fields: &[TemplateField],
    inf: &Option<(String, InfFile)>,
    number: u32,
    owner: &str,
    loc: Location,
) -> Result<Vec<TemplateValue>> {
    if number == NO_RECORD {
        return Ok(Vec::new());
    }
    match inf.as_ref().and_then(|(_, f)| f.values(fields, number)) {
        Some(v) => Ok(v),
        None => {
            r.ctx.damage(
                owner,
                loc,
                format!(
                    "INF record number {number} points past the end of {}",
                    inf.as_ref()
                        .map_or("a missing INF file", |(f, _)| f.as_str())
                ),
            )?;
            Ok(Vec::new())
        }
    }
}

/// An INF file must hold exactly the records its list refers to: more
/// records than references means a record size that is wrong (a TPL that
/// lost fields gives a smaller one, so the same bytes frame as more records
/// and every value is read from the wrong place).
pub(super) fn check_inf_use(
    r: &mut Reader<'_>,
    inf: &Option<NamedInf>,
    fields: &[TemplateField],
    used: &std::collections::BTreeSet<u32>,
    list: &str,
) -> Result<()> {
    let Some((f, file)) = inf else {
        return Ok(());
    };
    let records = file.len();
    if records > used.len() {
        r.ctx.damage(
            f,
            Location::File,
            format!(
                "{records} records of {} bytes (the TPL's {} fields), but {list} refers to {} \
                 of them: the TPL or the INF file is damaged (a TPL cut short gives a smaller \
                 record size), so template values would be read from the wrong bytes",
                file.record_size,
                fields.len(),
                used.len()
            ),
        )?;
    }
    Ok(())
}

/// Reads the whole tree, file family by file family: identity and local
/// users, external postoffices, groups, the POL and group members, the GAL,
/// then the tid counter and the size-only files.
pub(super) fn read_tree(r: &mut Reader<'_>) -> Result<PostOfficeData> {
    let mut data = read_master(r)?;
    let (af, user_by_offset) = read_users(r, &mut data)?;
    read_networks(r, &mut data)?;
    let (group_by_tid, grp) = read_groups(r, &mut data)?;
    let mut pol = read_pol(r, &mut data, &af, &user_by_offset, &group_by_tid)?;
    read_members(r, &mut data, grp, &mut pol)?;
    read_gal(r, &mut data, &user_by_offset, &group_by_tid)?;
    read_counters(r, &mut data, &pol.nme)?;
    Ok(data)
}

/// MASTER.GLB: the postoffice's identity.
fn read_master(r: &mut Reader<'_>) -> Result<PostOfficeData> {
    // Identity.
    let (mf, mb) = r.required("GLB/MASTER.GLB")?;
    let master = match MasterGlb::read(&mf, &mb) {
        Ok(m) => m,
        // With salvage, an unknown version number is reported, not fatal.
        Err(e) if r.ctx.salvage && mb.len() == super::identity::master_layout::SIZE => {
            r.ctx.warn(format!("skipped check: {e}"));
            MasterGlb::decode(&mb)
        }
        // With salvage, a MASTER.GLB cut short is read as far as it goes when
        // the postoffice's network and name are in it.
        Err(e)
            if r.ctx.salvage
                && mb.len() >= 24
                && mb.len() < super::identity::master_layout::SIZE =>
        {
            r.ctx.warn(format!(
                "skipped: {e} (bytes {}..{} missing; the fields before them are read)",
                mb.len(),
                super::identity::master_layout::SIZE
            ));
            let mut padded = mb.clone();
            padded.resize(super::identity::master_layout::SIZE, 0);
            MasterGlb::decode(&padded)
        }
        Err(e) => return Err(e),
    };
    let mut data = PostOfficeData::new(master.network.clone(), master.postoffice.clone());
    data.version = master.version;
    data.serial = master.serial;
    data.gal_enabled = master.gal_enabled != 0;
    Ok(data)
}

/// ACCESS2.GLB (ACCESS/ACCESS3 counted only) and the local template: the
/// local users. Returns ACCESS2.GLB's shown name and each user by record offset.
fn read_users(
    r: &mut Reader<'_>,
    data: &mut PostOfficeData,
) -> Result<(String, HashMap<u32, usize>)> {
    // Local users.
    let (af, ab) = r.required("GLB/ACCESS2.GLB")?;
    let (_, access2) = read_records::<Access2Rec>(&af, &ab, 0, &mut r.ctx)?;
    let af_id = r.origins.file(&af, 0, Access2Rec::SIZE);
    for (rel, size) in [
        ("GLB/ACCESS.GLB", users::ACCESS_SIZE),
        ("GLB/ACCESS3.GLB", users::ACCESS3_SIZE),
    ] {
        // Only the size is looked at: the content is never read.
        match r
            .path(rel)
            .and_then(|p| std::fs::metadata(&p).ok().map(|m| (p, m.len())))
        {
            Some((p, len)) => {
                let shown = p.display().to_string();
                let n = match users::opaque_count(&shown, len, size) {
                    Ok(n) => n,
                    Err(e) if r.ctx.salvage => {
                        r.ctx.warn(format!("skipped check: {e}"));
                        len / size as u64
                    }
                    Err(e) => return Err(e),
                };
                if let Some(f) = validate::access_count(&shown, n, access2.len() as u64) {
                    r.ctx.report(&f)?;
                }
            }
            None => r.ctx.damage(
                &r.shown(rel),
                Location::File,
                "missing (ACCESS2.GLB needs it)",
            )?,
        }
    }
    let (ltpl, linf) = read_templates(r, "ADMIN")?;
    data.local_template = ltpl.clone();
    let local_inf_used: std::collections::BTreeSet<u32> = access2
        .iter()
        .filter(|a| a.status == super::STATUS_IN_USE && a.flags & users::FLAG_TEMPLATE != 0)
        .map(|a| a.inf)
        .filter(|&n| n != NO_RECORD)
        .collect();
    check_inf_use(r, &linf, &ltpl, &local_inf_used, "ACCESS2.GLB")?;
    let mut user_by_offset: HashMap<u32, usize> = HashMap::new();
    for (i, a) in access2.iter().enumerate() {
        if a.status != super::STATUS_IN_USE {
            continue;
        }
        let loc = rec_loc(i, Access2Rec::SIZE, 0);
        let template = if a.flags & users::FLAG_TEMPLATE != 0 {
            template_values(r, &ltpl, &linf, a.inf, &af, loc.clone())?
        } else {
            Vec::new()
        };
        let at = RecordAt::new(i, Access2Rec::SIZE, 0);
        let mailbag = match validate::mailbag(&af, at, MAILBAG, "mailbag", &a.mailbag) {
            Ok(bag) => Some(bag),
            Err(f) => {
                r.ctx.report(&f)?;
                None
            }
        };
        user_by_offset.insert((i * Access2Rec::SIZE) as u32, data.users.len());
        r.origins
            .users
            .entry(data.local_address(&a.mailbox).key())
            .or_insert_with(|| origin(af_id, i));
        data.users.push(LocalUser {
            mailbox: a.mailbox.clone(),
            full_name: a.full_name.clone(),
            mailbag,
            tid: Some(a.tid),
            excluded: a.flags & users::FLAG_EXCLUDED != 0,
            admin: a.flags & users::FLAG_ADMIN != 0,
            template,
        });
    }
    Ok((af, user_by_offset))
}

/// TID.GLB against the tids in use, KEY/MBG and the size-only files.
fn read_counters(r: &mut Reader<'_>, data: &mut PostOfficeData, nme: &[NmeRec]) -> Result<()> {
    // TID.GLB and size-only files.
    if let Some((tf, tb)) = r.optional("GLB/TID.GLB")? {
        data.next_tid = super::misc::read_tid(&tf, &tb)?;
        let max = data
            .users
            .iter()
            .filter_map(|u| u.tid)
            .chain(data.groups.iter().filter_map(|g| g.tid))
            .chain(nme.iter().filter(|e| e.status == 1).map(|e| e.tid))
            .max();
        if let Some(f) = validate::tid_counter(&tf, data.next_tid, max) {
            r.ctx.report(&f)?;
        }
    }
    // Per-user KEY (560 bytes) and MBG (multiple of 116) files, where present.
    let per_user: Vec<(String, super::misc::SizeRule)> = data
        .users
        .iter()
        .filter_map(|u| u.mailbag)
        .flat_map(|b| {
            let h = super::hex8(b);
            [
                (
                    format!("KEY/{h}.KEY"),
                    super::misc::SizeRule::Exact(super::misc::KEY_SIZE),
                ),
                (
                    format!("MBG/{h}.MBG"),
                    super::misc::SizeRule::MultipleOf(super::misc::MBG_RECORD),
                ),
            ]
        })
        .collect();
    for (rel, rule) in per_user {
        check_size(r, &rel, rule)?;
    }
    for (name, rule) in super::misc::SIZE_ONLY_GLB {
        check_size(r, &format!("GLB/{name}"), *rule)?;
    }
    Ok(())
}

/// A file whose size must follow `rule` (when present): another size is damage.
fn check_size(r: &mut Reader<'_>, rel: &str, rule: super::misc::SizeRule) -> Result<()> {
    if let Some(p) = r.path(rel) {
        let len = std::fs::metadata(&p).map_err(|e| Error::read(&p, e))?.len();
        if !rule.accepts(len) {
            r.ctx.damage(
                &p.display().to_string(),
                Location::File,
                format!("wrong size {len} bytes ({rule:?})"),
            )?;
        }
    }
    Ok(())
}
