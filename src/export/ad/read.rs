//! Reading AD LDIF back into a directory ([`read_ad_directory`]).

use crate::error::{Error, Result};
use crate::export::ldif::FastMap;
use crate::export::person::Schema;
use crate::model::{Address, AddressKey, Directory, Entry, EntryKind, TemplateValue};

/// Reads what [`write_ad_ldif`](super::write_ad_ldif) wrote (or `ldbsearch` returns of it) back
/// into a directory: contacts by `otherMailbox`, groups by `info`; full
/// names from `displayName`; template data from `description` values and
/// the mapped attributes (with their targets' prompts); group members from
/// `member` DNs of records in the same text.
pub fn read_ad_directory(records: &[crate::export::ldif::LdifRecord]) -> Result<Directory> {
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
            crate::export::ldif::normalize_dn(&r.dn).unwrap_or_else(|_| r.dn.clone()),
            address.clone(),
        );
        let mut described: Vec<(usize, TemplateValue)> = Vec::new();
        for d in r.values("description") {
            for line in d.split('\n') {
                if let Some(x) = crate::export::ldif::parse_template_description(line) {
                    described.push(x);
                }
            }
        }
        let mapped = crate::export::person::mapped_template_values(&r.attrs, Schema::Ad);
        let template = crate::export::ldif::merge_template(described, mapped);
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
                    .get(&crate::export::ldif::normalize_dn(m).unwrap_or_else(|_| m.clone()))
                    .cloned()
            })
            .collect();
        dir.set_members(&g, list);
    }
    Ok(dir)
}
