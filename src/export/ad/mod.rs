//! Active Directory: LDIF for the stock AD schema (`--schema ad`, loaded with
//! `ldifde -i` or Samba's `ldbadd`) and the same records as csvde CSV
//! (`--csv-profile ad`). People are `contact` objects, groups are universal
//! distribution `group` objects with their members' DNs. See docs/formats.md,
//! "LDIF for Active Directory".
//!
//! DNs: `CN=<full name>,OU=<PO>,OU=<NET>,OU=PCM,<base>` (the containers as in
//! the OpenLDAP scheme); a CN already used in its container (compared as AD
//! compares, case-insensitively) gets ` (2)`, ` (3)`, ...; CNs are at most 64
//! characters. The base DN is never written: it must exist (the domain, or an
//! OU made for the migration). AD refuses a `member` naming an object that
//! does not exist, so groups come after every other entry, members first.

mod attrs;
mod names;
mod read;

use attrs::{contact_attrs, group_attrs};
use names::{check_base, cn_dn, ou_dn, ou_record, take_chars, wanted_cn, CnPlanner, Containers};
pub use read::read_ad_directory;
use std::io::Write;

use super::ldif::{io_err, FastMap, LdifBuf, LdifOptions, WriteNotes};
use super::person::AttributeMap;
use crate::error::Result;
use crate::model::{Address, AddressKey, Directory, Entry, EntryKind};

/// Longest CN (and OU) value AD accepts.
pub const MAX_RDN: usize = 64;
/// Longest `initials` value AD accepts.
pub const MAX_INITIALS: usize = 6;
/// Longest `sn` and `givenName` AD accepts.
pub const MAX_NAME_PART: usize = 64;
/// Longest `displayName` AD accepts.
pub const MAX_DISPLAY_NAME: usize = 256;
/// `groupType` of the groups written: a universal distribution group.
pub const GROUP_TYPE: &str = "8";
pub use super::ldif::PAL_CONTAINER;

/// One record: DN and attributes in writing order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdRecord {
    /// The DN.
    pub dn: String,
    /// `(attribute, value)` in order, objectClass first.
    pub attrs: Vec<(&'static str, String)>,
}

/// The `proxyAddresses` value of an address, for the types Exchange routes
/// itself: `MS:NET/PO/MAILBOX` for PCM (and CSI), `SMTP:` and `X400:` as
/// written. Other gateway types have no proxy type in AD.
pub fn proxy_address(a: &Address) -> Option<String> {
    if a.is_pcm() {
        let (n, p, m) = a.parts()?;
        return Some(format!("MS:{n}/{p}/{m}"));
    }
    let ty = a.canonical_type();
    matches!(ty.as_str(), "SMTP" | "X400").then(|| format!("{ty}:{}", a.body))
}

/// Visit state of a group while ordering groups members-first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    Open,
    Done,
}

/// Every record of an AD export of `dir`, in loading order, to `sink`:
/// containers when first needed, contacts in [`Directory::sorted`] order,
/// then groups, each after the groups it contains. Members that are not
/// entries of the export, and memberships that would close a cycle of
/// groups, cannot be loaded in one pass and are left out with a note.
pub fn ad_records(
    dir: &Directory,
    base_dn: &str,
    map: &AttributeMap,
    notes: &mut WriteNotes,
    sink: &mut dyn FnMut(&AdRecord) -> Result<()>,
) -> Result<()> {
    check_base(base_dn)?;
    let keyed = dir.sorted_keyed();
    let mut containers = Containers::new(base_dn);
    let mut cns = CnPlanner::default();
    let mut scratch = Vec::new();
    // Plan every DN first: members may sort after their groups.
    let mut dns: Vec<String> = Vec::with_capacity(keyed.len());
    let mut cn_of: Vec<String> = Vec::with_capacity(keyed.len());
    for (_, e) in &keyed {
        let parent = containers.dn(&Containers::chain(e), false, &mut scratch);
        let cn = cns.unique(&parent, &wanted_cn(e));
        dns.push(cn_dn(&cn, &parent));
        cn_of.push(cn);
    }
    let index: FastMap<&AddressKey, usize> = keyed
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (*k, i))
        .collect();
    let emit_containers = |containers: &mut Containers<'_>,
                           e: &Entry,
                           sink: &mut dyn FnMut(&AdRecord) -> Result<()>|
     -> Result<()> {
        let mut new = Vec::new();
        containers.dn(&Containers::chain(e), true, &mut new);
        new.iter().try_for_each(&mut *sink)
    };
    for (i, (_, e)) in keyed.iter().enumerate() {
        if e.kind == EntryKind::Group {
            continue;
        }
        emit_containers(&mut containers, e, sink)?;
        let (Some(dn), Some(cn)) = (dns.get(i), cn_of.get(i)) else {
            continue;
        };
        sink(&AdRecord {
            dn: dn.clone(),
            attrs: contact_attrs(e, cn, map, false),
        })?;
    }
    // Groups, members first (an explicit stack: nesting may be deep).
    let mut state = vec![Visit::New; keyed.len()];
    let (mut outside, mut cycles): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let members_of = |i: usize| -> &[Address] {
        keyed
            .get(i)
            .and_then(|(k, _)| dir.members(k))
            .unwrap_or_default()
    };
    for start in 0..keyed.len() {
        let is_group = keyed
            .get(start)
            .is_some_and(|(_, e)| e.kind == EntryKind::Group);
        if !is_group || state.get(start) != Some(&Visit::New) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        if let Some(s) = state.get_mut(start) {
            *s = Visit::Open;
        }
        while let Some(&(g, pos)) = stack.last() {
            let members = members_of(g);
            if let Some(m) = members.get(pos) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                let Some(&j) = index.get(&m.key()) else {
                    continue;
                };
                let member_is_group = keyed
                    .get(j)
                    .is_some_and(|(_, e)| e.kind == EntryKind::Group);
                if member_is_group && state.get(j) == Some(&Visit::New) {
                    if let Some(s) = state.get_mut(j) {
                        *s = Visit::Open;
                    }
                    stack.push((j, 0));
                }
                continue;
            }
            // Every member visited: write the group.
            stack.pop();
            let Some((_, e)) = keyed.get(g) else { continue };
            let (Some(dn), Some(cn)) = (dns.get(g), cn_of.get(g)) else {
                continue;
            };
            let mut attrs = group_attrs(e, cn);
            let mut seen: FastMap<usize, ()> = FastMap::default();
            for m in members {
                match index.get(&m.key()) {
                    None => outside.push(format!("{} (member of {})", m, e.address)),
                    Some(&j) if state.get(j) == Some(&Visit::Open) && j != g => {
                        cycles.push(format!("{} in {}", m, e.address))
                    }
                    Some(&j) if j == g => cycles.push(format!("{} in itself", e.address)),
                    Some(&j) => {
                        if seen.insert(j, ()).is_none() {
                            if let Some(mdn) = dns.get(j) {
                                attrs.push(("member", mdn.clone()));
                            }
                        }
                    }
                }
            }
            emit_containers(&mut containers, e, sink)?;
            sink(&AdRecord {
                dn: dn.clone(),
                attrs,
            })?;
            if let Some(s) = state.get_mut(g) {
                *s = Visit::Done;
            }
        }
    }
    let list = |v: &[String]| {
        let shown: Vec<&str> = v.iter().take(5).map(String::as_str).collect();
        let more = v.len().saturating_sub(5);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    if !outside.is_empty() {
        notes.warnings.push(format!(
            "{} group members are not entries of this export and are left out of `member` \
             (AD refuses a member that does not exist; export them too): {}",
            outside.len(),
            list(&outside)
        ));
    }
    if !cycles.is_empty() {
        notes.warnings.push(format!(
            "{} memberships close a cycle of groups and are left out (one load cannot \
             create them; add them afterwards): {}",
            cycles.len(),
            list(&cycles)
        ));
    }
    Ok(())
}

/// Writes one record as LDIF.
fn write_record(out: &mut LdifBuf<'_>, r: &AdRecord) -> Result<()> {
    out.attr("dn", &r.dn);
    for (k, v) in &r.attrs {
        out.attr(k, v);
    }
    out.end_record().map_err(io_err)
}

/// The LDIF of [`ad_records`] (no base entry: it must exist). No
/// `version: 1` line: Samba's ldb tools refuse it, ldifde does not need it.
pub fn write_ad_ldif(dir: &Directory, w: &mut dyn Write, opts: &LdifOptions) -> Result<WriteNotes> {
    let mut notes = WriteNotes::default();
    let mut out = LdifBuf::new(w);
    ad_records(dir, &opts.base_dn, &opts.map, &mut notes, &mut |r| {
        write_record(&mut out, r)
    })?;
    out.flush().map_err(io_err)?;
    Ok(notes)
}

/// The records of personal address lists for AD: `OU=Personal Address
/// Lists,<base>`, an OU per owner named by the owner's address (its
/// `description` names the owner), and the list's entries as contacts in it
/// (kind and membership of listed groups are the directory's business).
pub fn pal_records(
    lists: &[(Entry, &Directory)],
    base_dn: &str,
    map: &AttributeMap,
    sink: &mut dyn FnMut(&AdRecord) -> Result<()>,
) -> Result<()> {
    check_base(base_dn)?;
    let top = ou_dn(PAL_CONTAINER, base_dn);
    sink(&ou_record(top.clone(), PAL_CONTAINER))?;
    for (owner, dir) in lists {
        let ou = take_chars(&owner.address.to_string(), MAX_RDN);
        let odn = ou_dn(&ou, &top);
        let mut rec = ou_record(odn.clone(), &ou);
        rec.attrs.push((
            "description",
            format!(
                "Personal address list of {} ({})",
                owner.full_name, owner.address
            ),
        ));
        sink(&rec)?;
        let mut cns = CnPlanner::default();
        for e in dir.sorted() {
            let cn = cns.unique(&odn, &wanted_cn(e));
            let mut as_contact = e.clone();
            as_contact.kind = EntryKind::User;
            sink(&AdRecord {
                dn: cn_dn(&cn, &odn),
                attrs: contact_attrs(&as_contact, &cn, map, true),
            })?;
        }
    }
    Ok(())
}
