//! Personal address lists (PALs): `NME/<mailbag>.NME` is the personal list of
//! the local user whose ACCESS2.GLB record names that mailbag (layouts-v1.md,
//! Q107767). Its records are NME records: kind 1 points into ACCESS2.GLB,
//! kinds 2 and 8 into NETPO.GLB, kind 4 names a local group by tid.
//!
//! Read on demand ([`personal_lists`]), not by [`PostOffice::open`]: most
//! commands never need them, and a big postoffice has one file per user.

use std::collections::HashMap;
use std::sync::Arc;

use super::lists::{nme_kind, NetpoSlices, NmeRec};
use super::postoffice::resolve_netpo_entry;
use super::users::Access2Rec;
use super::{
    find_case_insensitive, hex8, parse_hex8, read_record_fields, Ctx, FixedRecord, PostOffice,
};
use crate::error::{Error, Location, Result};
use crate::input::read_input;
use crate::model::{Directory, Entry, EntryKind, Origin, Position};

/// One user's personal address list.
#[derive(Debug, Clone)]
pub struct PersonalList {
    /// The owner: a local user, as a directory entry (full name, address).
    pub owner: Entry,
    /// The owner's mailbag (names the file `NME/<mailbag>.NME`).
    pub mailbag: u32,
    /// The entries, in the order of the file; origins name its records.
    pub directory: Directory,
}

/// Every personal list of a tree, and what the reader had to report.
#[derive(Debug, Clone, Default)]
pub struct PersonalLists {
    /// The lists, in ACCESS2.GLB order of their owners.
    pub lists: Vec<PersonalList>,
    /// Warnings (skipped damage with salvage, unresolvable entries, ...).
    pub warnings: Vec<String>,
}

impl PersonalLists {
    /// Number of entries over all lists.
    pub fn entry_count(&self) -> usize {
        self.lists.iter().map(|l| l.directory.len()).sum()
    }
}

/// Reads the personal lists of the tree `po` was opened from: every local
/// user's, or only the one of mailbox `only` (compared case-insensitively;
/// an unknown mailbox is a usage error). A user without a list file has no
/// list (with `only`, an empty list and a warning). Strict unless `salvage`.
pub fn personal_lists(po: &PostOffice, only: Option<&str>, salvage: bool) -> Result<PersonalLists> {
    let mut ctx = Ctx::new(salvage);
    let mut unrepresentable = Vec::new();
    let root = &po.root;
    let shown = |rel: &str| {
        find_case_insensitive(root, rel)
            .unwrap_or_else(|| root.join(rel))
            .display()
            .to_string()
    };
    let access2_path = find_case_insensitive(root, "GLB/ACCESS2.GLB")
        .ok_or_else(|| super::validate::missing_required(&shown("GLB/ACCESS2.GLB")).to_error())?;
    let af = access2_path.display().to_string();
    let ab = read_input(&access2_path)?;
    let (_, access2) = read_record_fields::<Access2Rec>(&af, &ab, 0, &mut ctx)?;
    let data = &po.data;
    let user_at: HashMap<u32, &Access2Rec> = access2
        .iter()
        .enumerate()
        .filter(|(_, a)| a.status == super::STATUS_IN_USE)
        .map(|(i, a)| ((i * Access2Rec::SIZE) as u32, a))
        .collect();
    let group_of_tid: HashMap<u32, &super::LocalGroup> = data
        .groups
        .iter()
        .filter_map(|g| Some((g.tid?, g)))
        .collect();
    let gateway_lists: HashMap<u32, &str> = data
        .networks
        .iter()
        .filter_map(|n| Some((n.xtn_prefix?, n.name.as_str())))
        .collect();
    let only_up = only.map(crate::codepage::cp850_upper);
    if let Some(m) = only {
        let known = access2.iter().any(|a| {
            a.status == super::STATUS_IN_USE
                && Some(crate::codepage::cp850_upper(&a.mailbox)) == only_up
        });
        if !known {
            return Err(Error::Usage(format!(
                "{}: no local user with mailbox {m:?} (ACCESS2.GLB)",
                root.display()
            )));
        }
    }
    let netpo_file = match find_case_insensitive(root, "GLB/NETPO.GLB") {
        Some(p) if p.is_file() => Some((p.display().to_string(), read_input(&p)?)),
        _ => None,
    };
    let netpo = match &netpo_file {
        Some((f, b)) => Some((f.clone(), NetpoSlices::read(f, b, &mut ctx)?)),
        None => None,
    };
    let mut out = PersonalLists::default();
    for a in access2.iter().filter(|a| a.status == super::STATUS_IN_USE) {
        if only_up
            .as_ref()
            .is_some_and(|m| *m != crate::codepage::cp850_upper(&a.mailbox))
        {
            continue;
        }
        let Some(bag) = parse_hex8(&a.mailbag) else {
            // The tree reader reported the bad mailbag already.
            continue;
        };
        let mut owner = Entry::new(a.full_name.clone(), data.local_address(&a.mailbox));
        owner.kind = EntryKind::User;
        let rel = format!("NME/{}.NME", hex8(bag));
        let path = match find_case_insensitive(root, &rel) {
            Some(p) if p.is_file() => p,
            _ => {
                if only.is_some() {
                    ctx.warn(format!(
                        "{}: missing; {} has no personal address list",
                        root.join(&rel).display(),
                        a.mailbox
                    ));
                    out.lists.push(PersonalList {
                        owner,
                        mailbag: bag,
                        directory: Directory::new(),
                    });
                }
                continue;
            }
        };
        if let Some(net) = gateway_lists.get(&bag) {
            ctx.warn(format!(
                "{}: named by the mailbag of {} and by the XTN prefix of gateway {net}; \
                 read as {}'s personal list",
                path.display(),
                a.mailbox,
                a.mailbox
            ));
        }
        let pf = path.display().to_string();
        let bytes = read_input(&path)?;
        let (_, recs) = super::read_record_fields::<NmeRec>(&pf, &bytes, 0, &mut ctx)?;
        let file: Arc<str> = Arc::from(pf.as_str());
        let mut dir = Directory::new();
        for (i, e) in recs.iter().enumerate() {
            if e.status != super::STATUS_IN_USE {
                continue;
            }
            let loc = Location::Record {
                index: i as u64,
                offset: (i * NmeRec::SIZE) as u64,
            };
            let (address, kind) = match e.kind {
                nme_kind::LOCAL_USER => match user_at.get(&e.pointer) {
                    Some(u) => (data.local_address(&u.mailbox), EntryKind::User),
                    None => {
                        ctx.damage(
                            &pf,
                            loc,
                            format!("dangling pointer {} into ACCESS2.GLB", e.pointer),
                        )?;
                        continue;
                    }
                },
                nme_kind::GROUP => match group_of_tid.get(&e.tid) {
                    Some(g) => (data.local_address(&g.mailbox), EntryKind::Group),
                    None => {
                        ctx.damage(&pf, loc, format!("group tid {} is not in GROUP.GLB", e.tid))?;
                        continue;
                    }
                },
                nme_kind::EXTERNAL | nme_kind::GATEWAY => {
                    match resolve_netpo_entry(
                        &mut ctx,
                        &mut unrepresentable,
                        data,
                        &pf,
                        &netpo,
                        e,
                        loc,
                    )? {
                        Some(a) => (a, EntryKind::User),
                        None => continue,
                    }
                }
                k => {
                    ctx.damage(&pf, loc, format!("entry kind {k} is not 1, 2, 4 or 8"))?;
                    continue;
                }
            };
            let k = address.key();
            let index = i as u64;
            let name = &e.full_name;
            let file = Arc::clone(&file);
            let inserted = dir.insert_new_with(k, |_| Entry {
                full_name: name.clone(),
                address: address.clone(),
                kind,
                template: Vec::new(),
                origin: Origin {
                    file,
                    position: Position::Record {
                        index,
                        offset: index * NmeRec::SIZE as u64,
                    },
                },
            });
            if !inserted {
                ctx.warn(format!(
                    "{pf}: record {i}: {address} is in this list already (first record kept)"
                ));
            }
        }
        out.lists.push(PersonalList {
            owner,
            mailbag: bag,
            directory: dir,
        });
    }
    for m in unrepresentable {
        ctx.warn(format!("not representable in profile v1: {m}"));
    }
    out.warnings = ctx.warnings;
    out.warnings.extend(ctx.findings);
    Ok(out)
}
