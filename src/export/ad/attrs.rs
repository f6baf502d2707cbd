//! The attributes of an AD `contact` and of a distribution `group`.

use crate::export::ldif::{smtp_mail, template_description_into};
use crate::export::person::{split_name, AttributeMap, PersonName, Schema};
use crate::model::Entry;

use super::{proxy_address, GROUP_TYPE, MAX_DISPLAY_NAME, MAX_INITIALS, MAX_NAME_PART};

/// The attributes of a contact. `in_pal`: a personal-list copy, which
/// carries no `proxyAddresses` (the directory's own object has them).
pub(super) fn contact_attrs(
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
        a.push(("displayName", e.full_name.to_string()));
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
pub(super) fn group_attrs(e: &Entry, cn: &str) -> Vec<(&'static str, String)> {
    let mut a: Vec<(&'static str, String)> = vec![
        ("objectClass", "top".into()),
        ("objectClass", "group".into()),
        ("cn", cn.to_string()),
        ("groupType", GROUP_TYPE.into()),
    ];
    if !e.full_name.is_empty() && e.full_name.chars().count() <= MAX_DISPLAY_NAME {
        a.push(("displayName", e.full_name.to_string()));
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
