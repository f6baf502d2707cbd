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

use std::io::Write;

use super::ldif::{
    escape_dn_value_into, io_err, ldap_fold, parse_dn, smtp_mail, template_description_into,
    FastMap, LdifBuf, LdifOptions, WriteNotes,
};
use super::person::{split_name, AttributeMap, PersonName, Schema};
use crate::error::{Error, Result};
use crate::model::{Address, AddressKey, Directory, Entry, EntryKind, TemplateValue};

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

/// Checks the base DN: a DN of at least one RDN.
fn check_base(base_dn: &str) -> Result<()> {
    match parse_dn(base_dn) {
        Ok(r) if !r.is_empty() => Ok(()),
        _ => Err(Error::Usage(format!(
            "--base-dn {base_dn:?}: expected the DN of the domain or of an existing OU \
             (e.g. DC=corp,DC=example,DC=com)"
        ))),
    }
}

/// A CN from a full name: control characters as blanks, blanks trimmed.
fn clean_rdn(text: &str) -> String {
    let t: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    t.trim().to_string()
}

/// The first `n` characters of `s`.
fn take_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The wanted CN of an entry: its full name, or the last part of its
/// address (mailbox, or the whole body of a free-form address).
fn wanted_cn(e: &Entry) -> String {
    let name = clean_rdn(&e.full_name);
    if !name.is_empty() {
        return name;
    }
    let last = match e.address.parts() {
        Some((_, _, m)) => m.to_string(),
        None => e.address.body.clone(),
    };
    match clean_rdn(&last) {
        s if s.is_empty() => e.address.type_name.clone(),
        s => s,
    }
}

/// Unique CNs per container.
#[derive(Default)]
struct CnPlanner {
    /// Folded `container DN \u{1} CN` → used.
    used: FastMap<String, ()>,
}

impl CnPlanner {
    /// A CN not yet used in `container`: `wanted` (cut to 64 characters), or
    /// `wanted (N)` for the first free N from 2.
    fn unique(&mut self, container: &str, wanted: &str) -> String {
        let base = take_chars(wanted, MAX_RDN);
        let key = |cn: &str| format!("{}\u{1}{}", ldap_fold(container), ldap_fold(cn));
        if self.used.insert(key(&base), ()).is_none() {
            return base;
        }
        let mut n = 2u32;
        loop {
            let suffix = format!(" ({n})");
            let stem = take_chars(wanted, MAX_RDN - suffix.chars().count());
            let cn = format!("{}{suffix}", stem.trim_end());
            if self.used.insert(key(&cn), ()).is_none() {
                return cn;
            }
            n += 1;
        }
    }
}

/// The DN `CN=<cn>,<parent>`.
fn cn_dn(cn: &str, parent: &str) -> String {
    let mut dn = String::from("CN=");
    escape_dn_value_into(cn, &mut dn);
    dn.push(',');
    dn.push_str(parent);
    dn
}

/// The DN `OU=<ou>,<parent>`.
fn ou_dn(ou: &str, parent: &str) -> String {
    let mut dn = String::from("OU=");
    escape_dn_value_into(ou, &mut dn);
    dn.push(',');
    dn.push_str(parent);
    dn
}

/// An `organizationalUnit` record.
fn ou_record(dn: String, ou: &str) -> AdRecord {
    AdRecord {
        dn,
        attrs: vec![
            ("objectClass", "top".into()),
            ("objectClass", "organizationalUnit".into()),
            ("ou", ou.to_string()),
        ],
    }
}

/// Containers: the first spelling of each folded path wins; records are
/// emitted once, parents first, when first needed.
struct Containers<'b> {
    base: &'b str,
    /// Folded path → (DN, emitted?).
    known: FastMap<String, (String, bool)>,
}

impl<'b> Containers<'b> {
    fn new(base: &'b str) -> Self {
        Containers {
            base,
            known: FastMap::default(),
        }
    }

    /// The container chain of an entry, top first.
    fn chain(e: &Entry) -> Vec<String> {
        let ty = e.address.canonical_type();
        match e.address.parts() {
            Some((a, b, _)) => vec![ty, a.to_string(), b.to_string()],
            None => vec![ty],
        }
    }

    /// The DN of `chain`'s last container; the records of containers not yet
    /// emitted go to `new` (parents first) when `emit`.
    fn dn(&mut self, chain: &[String], emit: bool, new: &mut Vec<AdRecord>) -> String {
        let mut parent = self.base.to_string();
        let mut key = String::new();
        for part in chain {
            key.push('\u{1}');
            key.push_str(&ldap_fold(part));
            let entry = self
                .known
                .entry(key.clone())
                .or_insert_with(|| (ou_dn(&take_chars(part, MAX_RDN), &parent), false));
            if emit && !entry.1 {
                entry.1 = true;
                new.push(ou_record(entry.0.clone(), &take_chars(part, MAX_RDN)));
            }
            parent = entry.0.clone();
        }
        parent
    }
}

/// The attributes of a contact. `in_pal`: a personal-list copy, which
/// carries no `proxyAddresses` (the directory's own object has them).
fn contact_attrs(
    e: &Entry,
    cn: &str,
    map: &AttributeMap,
    in_pal: bool,
) -> Vec<(&'static str, String)> {
    let mut a: Vec<(&'static str, String)> = Vec::new();
    for c in ["top", "person", "organizationalPerson", "contact"] {
        a.push(("objectClass", c.into()));
    }
    a.push(("cn", cn.to_string()));
    if !e.full_name.is_empty() && e.full_name.chars().count() <= MAX_DISPLAY_NAME {
        a.push(("displayName", e.full_name.clone()));
    }
    // AD takes at most 64 characters of sn and givenName: a longer part is
    // left out (the whole name stays in displayName).
    let fits = |s: &String| s.chars().count() <= MAX_NAME_PART;
    if let Some(n) = split_name(&e.full_name).filter(|n| fits(&n.surname)) {
        a.push(("sn", n.surname.clone()));
        let n = PersonName {
            given: n.given.filter(fits),
            ..n
        };
        let given = match (n.given, n.initials) {
            (g, Some(i)) if i.chars().count() <= MAX_INITIALS => {
                if let Some(g) = g {
                    a.push(("givenName", g));
                }
                a.push(("initials", i));
                None
            }
            (Some(g), Some(i)) => Some(format!("{g} {i}")),
            (g, _) => g,
        };
        if let Some(g) = given {
            a.push(("givenName", g));
        }
    }
    if let Some(mail) = smtp_mail(e) {
        a.push(("mail", mail.to_string()));
    }
    if !in_pal {
        if let Some(p) = proxy_address(&e.address) {
            a.push(("proxyAddresses", p));
        }
    }
    a.push(("otherMailbox", e.address.to_string()));
    let m = map.map(e, Schema::Ad);
    for (t, v) in &m.mapped {
        if let Some(name) = t.ad {
            a.push((name, v.to_string()));
        }
    }
    let mut s = String::new();
    for (i, t) in m.kept {
        template_description_into(i + 1, t, &mut s);
        a.push(("description", s.clone()));
    }
    a
}

/// The attributes of a group (members added by the caller).
fn group_attrs(e: &Entry, cn: &str) -> Vec<(&'static str, String)> {
    let mut a: Vec<(&'static str, String)> = vec![
        ("objectClass", "top".into()),
        ("objectClass", "group".into()),
        ("cn", cn.to_string()),
        ("groupType", GROUP_TYPE.into()),
    ];
    if !e.full_name.is_empty() && e.full_name.chars().count() <= MAX_DISPLAY_NAME {
        a.push(("displayName", e.full_name.clone()));
    }
    if let Some(mail) = smtp_mail(e) {
        a.push(("mail", mail.to_string()));
    }
    if let Some(p) = proxy_address(&e.address) {
        a.push(("proxyAddresses", p));
    }
    // Groups have no otherMailbox: the address is their `info` (Notes).
    a.push(("info", e.address.to_string()));
    if !e.template.is_empty() {
        // `description` of a group is single-valued in AD: one value, a line
        // per template value.
        let mut s = String::new();
        let lines: Vec<String> = e
            .template
            .iter()
            .enumerate()
            .map(|(i, t)| {
                template_description_into(i + 1, t, &mut s);
                s.clone()
            })
            .collect();
        a.push(("description", lines.join("\n")));
    }
    a
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

/// Reads what [`write_ad_ldif`] wrote (or `ldbsearch` returns of it) back
/// into a directory: contacts by `otherMailbox`, groups by `info`; full
/// names from `displayName`; template data from `description` values and
/// the mapped attributes (with their targets' prompts); group members from
/// `member` DNs of records in the same text.
pub fn read_ad_directory(records: &[super::ldif::LdifRecord]) -> Result<Directory> {
    use super::person::target_of_attribute;
    let mut by_dn: FastMap<String, Address> = FastMap::default();
    let mut dir = Directory::new();
    let mut groups: Vec<(AddressKey, Vec<String>)> = Vec::new();
    for r in records {
        let classes: Vec<String> = r
            .values("objectClass")
            .iter()
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let (kind, addr_attr) = if classes.iter().any(|c| c == "contact") {
            (EntryKind::User, "otherMailbox")
        } else if classes.iter().any(|c| c == "group") {
            (EntryKind::Group, "info")
        } else {
            continue;
        };
        let Some(text) = r.first(addr_attr) else {
            continue;
        };
        let address = Address::parse(text).map_err(|e| {
            Error::input(
                "<ad ldif>",
                crate::error::Location::Line {
                    line: r.line,
                    column: 1,
                },
                e.to_string(),
            )
        })?;
        by_dn.insert(
            super::ldif::normalize_dn(&r.dn).unwrap_or_else(|_| r.dn.clone()),
            address.clone(),
        );
        let mut described: Vec<(usize, TemplateValue)> = Vec::new();
        for d in r.values("description") {
            for line in d.split('\n') {
                if let Some(x) = super::ldif::parse_template_description(line) {
                    described.push(x);
                }
            }
        }
        let mut mapped: Vec<(usize, TemplateValue)> = Vec::new();
        for (a, v) in &r.attrs {
            if let Some(t) = target_of_attribute(a, Schema::Ad) {
                let pos = super::person::TARGETS
                    .iter()
                    .position(|x| x.key == t.key)
                    .unwrap_or(0);
                mapped.push((
                    pos,
                    TemplateValue {
                        prompt: t.prompt.to_string(),
                        value: v.clone(),
                    },
                ));
            }
        }
        mapped.sort_by_key(|(p, _)| *p);
        let template = super::ldif::merge_template(described, mapped);
        let mut e = Entry::new(r.first("displayName").unwrap_or(""), address);
        e.kind = kind;
        e.template = template;
        if kind == EntryKind::Group {
            groups.push((
                e.key(),
                r.values("member").iter().map(|m| m.to_string()).collect(),
            ));
        }
        dir.upsert(e);
    }
    for (g, members) in groups {
        let list: Vec<Address> = members
            .iter()
            .filter_map(|m| {
                by_dn
                    .get(&super::ldif::normalize_dn(m).unwrap_or_else(|_| m.clone()))
                    .cloned()
            })
            .collect();
        dir.set_members(&g, list);
    }
    Ok(dir)
}
