//! The LDIF writers: content files (OpenLDAP or AD schema), personal
//! address lists and change files.

use super::attrs::{entry_attrs, for_each_attr, write_plain_record, AttrContext};
use super::dn::{base_entry, entry_dn, DnPlanner};
use super::text::{escape_dn_value_into, ldap_fold, normalize_dn, LdifBuf};
use super::{
    io_err, DirectoryChange, FastMap, LdifOptions, WriteNotes, ADDRESS_ATTR, PAL_CONTAINER,
};
use crate::error::Result;
use crate::export::person::{AttributeMap, Schema};
use crate::model::{Address, AddressKey, Directory, Entry, EntryKind};
use std::io::Write;

/// Writes a whole directory as LDIF content records for the stock OpenLDAP
/// schemas with the standard attribute map: the base entry, then for each
/// scope its `ou=` containers (parents first) and its entries, in
/// [`Directory::sorted`] order.
pub fn write_ldif(dir: &Directory, w: &mut dyn Write, base_dn: &str) -> Result<()> {
    write_ldif_with(dir, w, &LdifOptions::new(base_dn)).map(|_| ())
}

/// The members of each group of `entries`, by group key, and the set of
/// every member key (to plan their DNs).
pub(crate) fn group_members<'d>(
    dir: &'d Directory,
    entries: &[(&AddressKey, &Entry)],
) -> (FastMap<AddressKey, &'d [Address]>, FastMap<AddressKey, ()>) {
    let mut groups = FastMap::default();
    let mut wanted = FastMap::default();
    for (k, e) in entries {
        if e.kind != EntryKind::Group {
            continue;
        }
        if let Some(m) = dir.members(k) {
            for a in m {
                wanted.insert(a.key(), ());
            }
            groups.insert((*k).clone(), m);
        }
    }
    (groups, wanted)
}

/// [`write_ldif`] with options: `--schema ad` goes to [`super::ad`](crate::export::ad).
/// Groups get their members' DNs: an entry of this export by the DN it is
/// written with, any other address by the DN the scheme gives it (it
/// resolves once that entry is loaded too; counted in the notes).
pub fn write_ldif_with(
    dir: &Directory,
    w: &mut dyn Write,
    opts: &LdifOptions,
) -> Result<WriteNotes> {
    if opts.schema == Schema::Ad {
        return crate::export::ad::write_ad_ldif(dir, w, opts);
    }
    let base_dn = opts.base_dn.as_str();
    let (classes, battr, bvalue) = base_entry(base_dn)?;
    let mut out = LdifBuf::new(w);
    out.raw(b"version: 1\n\n");
    let battr_static: &str = match battr.as_str() {
        "dc" => "dc",
        "o" => "o",
        _ => "ou",
    };
    let mut base_attrs: Vec<(&str, &str)> = classes.iter().map(|c| ("objectClass", *c)).collect();
    base_attrs.push((battr_static, &bvalue));
    write_plain_record(&mut out, base_dn, &base_attrs).map_err(io_err)?;
    let keyed = dir.sorted_keyed();
    let entries: Vec<&Entry> = keyed.iter().map(|(_, e)| *e).collect();
    // Pass 1 (only when some group has members): the DN of every member
    // that is an entry of this export, exactly as pass 2 will place it.
    let (groups, wanted) = group_members(dir, &keyed);
    let mut member_dn: FastMap<AddressKey, String> = FastMap::default();
    let mut dn = String::new();
    if !wanted.is_empty() {
        let mut planner = DnPlanner::new(base_dn);
        planner.expect(&entries);
        for (k, e) in &keyed {
            planner.place(e, true, &mut dn);
            if wanted.contains_key(*k) {
                member_dn.insert((*k).clone(), dn.clone());
            }
        }
    }
    let mut notes = WriteNotes::default();
    let (mut outside, mut outside_groups) = (0usize, 0usize);
    let mut planner = DnPlanner::new(base_dn);
    planner.expect(&entries);
    let mut scratch = String::new();
    let mut dns: Vec<String> = Vec::new();
    for (k, e) in &keyed {
        let p = planner.place(e, true, &mut dn);
        for (cdn, ou) in &p.new_containers {
            let attrs = [
                ("objectClass", "top"),
                ("objectClass", "organizationalUnit"),
                ("ou", ou.as_str()),
            ];
            write_plain_record(&mut out, cdn, &attrs).map_err(io_err)?;
        }
        dns.clear();
        let members = match groups.get(*k) {
            Some(list) => {
                let mut seen: FastMap<String, ()> = FastMap::default();
                let before = outside;
                for a in list.iter() {
                    let mdn = match member_dn.get(&a.key()) {
                        Some(d) => d.clone(),
                        None => {
                            outside += 1;
                            entry_dn(base_dn, &Entry::new("", a.clone()))
                        }
                    };
                    if seen
                        .insert(normalize_dn(&mdn).unwrap_or_else(|_| mdn.clone()), ())
                        .is_none()
                    {
                        dns.push(mdn);
                    }
                }
                if outside > before {
                    outside_groups += 1;
                }
                Some(dns.as_slice())
            }
            None => None,
        };
        let ctx = AttrContext {
            map: &opts.map,
            members,
        };
        out.attr("dn", &dn);
        for_each_attr(
            e,
            &planner.addr,
            &dn,
            p.n,
            &ctx,
            &mut scratch,
            &mut |k, v| out.attr(k, v),
        );
        out.end_record().map_err(io_err)?;
    }
    if outside > 0 {
        notes.warnings.push(format!(
            "{outside} members of {outside_groups} groups are not entries of this export; \
             their member DNs name where this export's DN scheme puts them (they resolve \
             once those entries are loaded too)"
        ));
    }
    out.flush().map_err(io_err)?;
    Ok(notes)
}

/// Writes personal address lists as LDIF content records, to load next to
/// the directory export of the same base (whose base entry this file does
/// not repeat): `ou=Personal Address Lists,<base>`, for each owner an `ou=<owner's
/// address>` below it (`description` names the owner, `seeAlso` is the
/// owner's DN in the directory export) and the list's entries directly in it
/// (`uid=<address>,ou=<owner>,...`, attributes as in [`write_ldif_with`];
/// listed groups name themselves as member). With `--schema ad` the records
/// of [`crate::export::ad::pal_records`].
pub fn write_personal_ldif(
    lists: &[(Entry, &Directory)],
    w: &mut dyn Write,
    opts: &LdifOptions,
) -> Result<()> {
    let mut out = LdifBuf::new(w);
    if opts.schema == Schema::Ad {
        crate::export::ad::pal_records(lists, &opts.base_dn, &opts.map, &mut |r| {
            out.attr("dn", &r.dn);
            for (k, v) in &r.attrs {
                out.attr(k, v);
            }
            out.end_record().map_err(io_err)
        })?;
        return out.flush().map_err(io_err);
    }
    out.raw(b"version: 1\n\n");
    let base_dn = opts.base_dn.as_str();
    // The base entry is the directory export's: this file goes next to it.
    base_entry(base_dn)?;
    let mut top = String::from("ou=");
    escape_dn_value_into(PAL_CONTAINER, &mut top);
    top.push(',');
    top.push_str(base_dn);
    let ou_classes = [
        ("objectClass", "top"),
        ("objectClass", "organizationalUnit"),
    ];
    let mut attrs: Vec<(&str, &str)> = ou_classes.to_vec();
    attrs.push(("ou", PAL_CONTAINER));
    write_plain_record(&mut out, &top, &attrs).map_err(io_err)?;
    let mut scratch = String::new();
    let ctx = AttrContext {
        map: &opts.map,
        members: None,
    };
    for (owner, dir) in lists {
        let owner_addr = owner.address.to_string();
        let mut odn = String::from("ou=");
        escape_dn_value_into(&owner_addr, &mut odn);
        odn.push(',');
        odn.push_str(&top);
        let about = format!(
            "Personal address list of {} ({owner_addr})",
            owner.full_name
        );
        let see_also = entry_dn(base_dn, owner);
        let mut attrs: Vec<(&str, &str)> = ou_classes.to_vec();
        attrs.extend([
            ("ou", owner_addr.as_str()),
            ("description", about.as_str()),
            ("seeAlso", see_also.as_str()),
        ]);
        write_plain_record(&mut out, &odn, &attrs).map_err(io_err)?;
        // Flat below the owner; DNs a server sees as equal get `+ou=msmail-N`.
        let mut used: FastMap<String, u32> = FastMap::default();
        let mut dn = String::new();
        for e in dir.sorted() {
            let addr = e.address.to_string();
            let n = {
                let c = used.entry(ldap_fold(&addr)).or_insert(0);
                *c += 1;
                *c
            };
            dn.clear();
            dn.push_str("uid=");
            escape_dn_value_into(&addr, &mut dn);
            if n > 1 {
                dn.push_str("+ou=msmail-");
                dn.push_str(&n.to_string());
            }
            dn.push(',');
            dn.push_str(&odn);
            out.attr("dn", &dn);
            for_each_attr(e, &addr, &dn, n, &ctx, &mut scratch, &mut |k, v| {
                out.attr(k, v)
            });
            out.end_record().map_err(io_err)?;
        }
    }
    out.flush().map_err(io_err)
}

/// Writes change records (RFC 2849 `changetype`) for a list of changes, e.g.
/// the entries a restored postoffice is missing. The DNs follow the scheme of
/// [`write_ldif`]; containers are assumed to exist (load the full export
/// first). A modify that changes the DN or the kind is written as delete + add.
/// Group membership is not in a change: an added group names itself as its
/// member (as an empty group does), a modified group keeps its members.
pub fn write_change_ldif(
    changes: &[DirectoryChange],
    w: &mut dyn Write,
    base_dn: &str,
) -> Result<()> {
    base_entry(base_dn)?;
    let map = AttributeMap::standard();
    let mut out = LdifBuf::new(w);
    out.raw(b"version: 1\n\n");
    let add = |out: &mut LdifBuf, dn: &str, e: &Entry| {
        out.attr("dn", dn);
        out.attr("changetype", "add");
        for (k, v) in entry_attrs(e, dn, &map) {
            out.attr(&k, &v);
        }
        out.end_record()
    };
    let delete = |out: &mut LdifBuf, dn: &str| {
        out.attr("dn", dn);
        out.attr("changetype", "delete");
        out.end_record()
    };
    for c in changes {
        match c {
            DirectoryChange::Add(e) => add(&mut out, &entry_dn(base_dn, e), e).map_err(io_err)?,
            DirectoryChange::Delete(e) => {
                delete(&mut out, &entry_dn(base_dn, e)).map_err(io_err)?
            }
            DirectoryChange::Modify { old, new } => {
                let (odn, ndn) = (entry_dn(base_dn, old), entry_dn(base_dn, new));
                let same =
                    normalize_dn(&odn).ok() == normalize_dn(&ndn).ok() && old.kind == new.kind;
                if !same {
                    delete(&mut out, &odn).map_err(io_err)?;
                    add(&mut out, &ndn, new).map_err(io_err)?;
                    continue;
                }
                out.attr("dn", &odn);
                out.attr("changetype", "modify");
                let attrs = entry_attrs(new, &ndn, &map);
                // Every attribute either side has: a `replace` without values
                // removes one the new entry no longer has.
                let mut names: Vec<String> = vec![ADDRESS_ATTR.to_string(), "cn".into()];
                for (k, _) in entry_attrs(old, &odn, &map).iter().chain(&attrs) {
                    let skip =
                        k == "objectClass" || (k == "member" && new.kind == EntryKind::Group);
                    if !skip && !names.contains(k) {
                        names.push(k.clone());
                    }
                }
                for name in &names {
                    out.attr("replace", name);
                    for (k, v) in attrs.iter().filter(|(k, _)| k == name) {
                        out.attr(k, v);
                    }
                    out.raw(b"-\n");
                }
                out.end_record().map_err(io_err)?;
            }
        }
    }
    out.flush().map_err(io_err)
}
