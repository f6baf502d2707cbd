//! The attributes of one entry: template values as `description` values
//! (and back), the attribute walk shared by the writers, the SMTP `mail`
//! value and one plain record.

use super::text::LdifBuf;
use super::ADDRESS_ATTR;
use crate::export::person::{split_name, AttributeMap, Schema};
use crate::model::{Entry, EntryKind, TemplateValue};

/// A template value as a `description` value: `N. prompt/value`, N its
/// 1-based position in the entry's template; in the prompt `\` is written
/// `\\` and `/` is written `\/`, so the first bare `/` always ends the prompt
/// (the value is verbatim).
#[cfg(test)]
pub(super) fn template_description(n: usize, t: &TemplateValue) -> String {
    let mut s = String::new();
    template_description_into(n, t, &mut s);
    s
}

/// [`template_description`], replacing the contents of `s`.
pub(crate) fn template_description_into(n: usize, t: &TemplateValue, s: &mut String) {
    use std::fmt::Write as _;
    s.clear();
    let _ = write!(s, "{n}. ");
    for c in t.prompt.chars() {
        if c == '\\' || c == '/' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('/');
    s.push_str(&t.value);
}

/// Reads a value written by [`template_description`].
pub(crate) fn parse_template_description(s: &str) -> Option<(usize, TemplateValue)> {
    let (num, rest) = s.split_once(". ")?;
    let n: usize = num.parse().ok()?;
    let mut prompt = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => prompt.push(chars.next()?.1),
            '/' => {
                let value = rest.get(i + 1..)?.to_string();
                return Some((
                    n,
                    TemplateValue {
                        prompt: prompt.into(),
                        value: value.into(),
                    },
                ));
            }
            _ => prompt.push(c),
        }
    }
    None
}

/// What the attributes of one entry depend on besides the entry itself.
pub(crate) struct AttrContext<'a> {
    /// The attribute map.
    pub map: &'a AttributeMap,
    /// For a group: its members' DNs (`None` or empty: the group's own DN
    /// stands in, as `groupOfNames` needs one member).
    pub members: Option<&'a [String]>,
}

/// Calls `f(name, value)` for each attribute of one entry, in writing order
/// (objectClass first). `addr` is the entry's address text; `scratch` is a
/// reused buffer for built values.
pub(super) fn for_each_attr(
    e: &Entry,
    addr: &str,
    dn: &str,
    disambiguator: u32,
    ctx: &AttrContext<'_>,
    scratch: &mut String,
    f: &mut dyn FnMut(&str, &str),
) {
    let cn = if e.full_name.is_empty() {
        addr
    } else {
        e.full_name.as_str()
    };
    let kept: Vec<(usize, &TemplateValue)> = match e.kind {
        EntryKind::User => {
            for c in ["top", "person", "organizationalPerson", "inetOrgPerson"] {
                f("objectClass", c);
            }
            f(ADDRESS_ATTR, addr);
            f("cn", cn);
            let name = split_name(&e.full_name);
            match &name {
                Some(n) => f("sn", &n.surname),
                None => f("sn", cn),
            }
            if let Some(n) = &name {
                if let Some(g) = &n.given {
                    f("givenName", g);
                }
                if let Some(i) = &n.initials {
                    f("initials", i);
                }
            }
            if !e.full_name.is_empty() {
                f("displayName", &e.full_name);
            }
            if let Some(mail) = smtp_mail(e) {
                f("mail", mail);
            }
            let m = ctx.map.map(e, Schema::Openldap);
            for (t, v) in &m.mapped {
                if let Some(a) = t.ldap {
                    f(a, v);
                }
            }
            m.kept
        }
        EntryKind::Group => {
            for c in ["top", "groupOfNames", "uidObject"] {
                f("objectClass", c);
            }
            f(ADDRESS_ATTR, addr);
            f("cn", cn);
            match ctx.members {
                Some(dns) if !dns.is_empty() => {
                    for m in dns {
                        f("member", m);
                    }
                }
                _ => f("member", dn),
            }
            e.template.iter().enumerate().collect()
        }
    };
    for (i, t) in kept {
        template_description_into(i + 1, t, scratch);
        f("description", scratch);
    }
    if disambiguator > 1 {
        scratch.clear();
        scratch.push_str("msmail-");
        scratch.push_str(&disambiguator.to_string());
        f("ou", scratch);
    }
}

/// The `mail` value of an entry: the body of an SMTP address that is
/// printable ASCII.
pub(crate) fn smtp_mail(e: &Entry) -> Option<&str> {
    (e.address.type_name.eq_ignore_ascii_case("SMTP")
        && !e.address.body.is_empty()
        && e.address.body.bytes().all(|b| b.is_ascii_graphic()))
    .then_some(e.address.body.as_str())
}

/// The attributes of one entry, in writing order (objectClass first).
pub(super) fn entry_attrs(e: &Entry, dn: &str, map: &AttributeMap) -> Vec<(String, String)> {
    let addr = e.address.to_string();
    let mut a: Vec<(String, String)> = Vec::new();
    let mut scratch = String::new();
    let ctx = AttrContext { map, members: None };
    for_each_attr(e, &addr, dn, 1, &ctx, &mut scratch, &mut |k, v| {
        a.push((k.to_string(), v.to_string()))
    });
    a
}

/// Writes one record without changetype: `dn`, then `attrs`.
pub(crate) fn write_plain_record(
    out: &mut LdifBuf,
    dn: &str,
    attrs: &[(&str, &str)],
) -> std::io::Result<()> {
    out.attr("dn", dn);
    for (k, v) in attrs {
        out.attr(k, v);
    }
    out.end_record()
}
