//! The LDIF reader: RFC 2849 content and change records (unfolding, base64,
//! comments), and msmail's own exports read back into a directory.

use base64::Engine;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::combinator::rest;
use nom::{IResult, Parser};

use super::{
    ldap_fold, normalize_dn, parse_dn, parse_template_description, FastMap, LdifRecord,
    ADDRESS_ATTR,
};
use crate::error::{Error, Location, Result};
use crate::export::person::{mapped_template_values, Schema};
use crate::model::{
    Address, AddressKey, Directory, Entry, EntryKind, Origin, Position, TemplateValue,
};

/// One logical line: `attr`, and the value (already decoded).
fn attr_line(input: &str) -> IResult<&str, (&str, &str, &str)> {
    let name = take_while1(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == ';' || c == '.');
    let sep = alt((tag("::"), tag(":<"), tag(":")));
    let (input, (name, sep, _, value)) =
        (name, sep, take_while(|c| c == ' '), rest).parse(input)?;
    Ok((input, (name, sep, value)))
}

/// Parses LDIF text (content or change records): unfolds continuation lines,
/// skips comments and the `version:` line, decodes base64 values. Values must
/// be UTF-8. `:<` URL values are rejected.
pub fn parse_ldif(text: &str) -> Result<Vec<LdifRecord>> {
    parse_ldif_named(text, "<ldif>")
}

/// [`parse_ldif`], naming `file` in errors.
pub fn parse_ldif_named(text: &str, file: &str) -> Result<Vec<LdifRecord>> {
    // Logical lines with the 1-based number of their first physical line.
    let mut logical: Vec<(u64, String)> = Vec::new();
    let mut in_comment = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let n = i as u64 + 1;
        if let Some(cont) = line.strip_prefix(' ') {
            if in_comment {
                continue;
            }
            match logical.last_mut() {
                Some((_, l)) if !l.is_empty() => l.push_str(cont),
                _ => {
                    return Err(Error::input(
                        file,
                        Location::Line { line: n, column: 1 },
                        "continuation line without a line to continue",
                    ))
                }
            }
            continue;
        }
        in_comment = line.starts_with('#');
        if !in_comment {
            logical.push((n, line.to_string()));
        }
    }
    let mut records = Vec::new();
    let mut current: Option<LdifRecord> = None;
    for (n, line) in logical {
        if line.is_empty() {
            if let Some(r) = current.take() {
                records.push(r);
            }
            continue;
        }
        if line == "-" {
            if let Some(r) = current.as_mut() {
                r.attrs.push(("-".into(), String::new()));
                continue;
            }
        }
        let loc = |col: u64| Location::Line {
            line: n,
            column: col,
        };
        let (_, (name, sep, raw)) = attr_line(&line)
            .map_err(|_| Error::input(file, loc(1), format!("not an LDIF line: {line:?}")))?;
        let col = (name.len() + sep.len() + 1) as u64;
        let value = match sep {
            "::" => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(raw.trim_end().as_bytes())
                    .map_err(|e| Error::input(file, loc(col), format!("bad base64: {e}")))?;
                String::from_utf8(bytes)
                    .map_err(|_| Error::input(file, loc(col), "base64 value is not UTF-8"))?
            }
            ":<" => return Err(Error::input(file, loc(col), "URL values are not supported")),
            _ => raw.to_string(),
        };
        match current.as_mut() {
            None if name.eq_ignore_ascii_case("version") && records.is_empty() => {}
            None if name.eq_ignore_ascii_case("dn") => {
                current = Some(LdifRecord {
                    dn: value,
                    attrs: Vec::new(),
                    line: n,
                })
            }
            None => {
                return Err(Error::input(
                    file,
                    loc(1),
                    format!("record must start with dn:, found {name:?}"),
                ))
            }
            Some(r) => r.attrs.push((name.to_string(), value)),
        }
    }
    if let Some(r) = current {
        records.push(r);
    }
    Ok(records)
}

/// Reads the entries of an msmail LDIF export back into a directory (base and
/// container records are skipped). `file` names the source in errors.
///
/// Users are `inetOrgPerson` entries, groups `groupOfNames`; the address is
/// `uid`. Template data: the numbered `description` values at their
/// positions, and the mapped attributes (as their targets' prompts, e.g.
/// `telephoneNumber` → `Phone:`) in the positions left free. Group members
/// from `member` DNs: the address of the entry with that DN in this text, or
/// the `uid=` of the DN's first RDN; a group naming only itself is empty.
/// Personal-list entries (below `ou=Personal Address Lists`) are skipped.
pub fn read_ldif_directory(text: &str, file: &str) -> Result<Directory> {
    let mut dir = Directory::new();
    let origin_file: std::sync::Arc<str> = std::sync::Arc::from(file);
    let records = parse_ldif_named(text, file)?;
    let norm = |dn: &str| normalize_dn(dn).unwrap_or_else(|_| dn.to_string());
    let pal_marker = format!(",ou={}", ldap_fold(super::PAL_CONTAINER));
    let mut by_dn: FastMap<String, Address> = FastMap::default();
    let mut groups: Vec<(AddressKey, String, Vec<String>)> = Vec::new();
    for r in records {
        let classes: Vec<String> = r
            .values("objectClass")
            .iter()
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let kind = if classes.iter().any(|c| c == "inetorgperson") {
            EntryKind::User
        } else if classes.iter().any(|c| c == "groupofnames") {
            EntryKind::Group
        } else {
            continue;
        };
        let dn = norm(&r.dn);
        if dn.contains(&pal_marker) {
            continue;
        }
        let loc = Location::Line {
            line: r.line,
            column: 1,
        };
        let addr_text = r
            .first(ADDRESS_ATTR)
            .ok_or_else(|| Error::input(file, loc.clone(), "entry has no uid (MS Mail address)"))?;
        let address = Address::parse(addr_text)
            .map_err(|e| Error::input(file, loc.clone(), e.to_string()))?;
        let full_name = match kind {
            EntryKind::User => r.first("displayName").unwrap_or("").to_string(),
            EntryKind::Group => match r.first("cn") {
                Some(cn) if cn != addr_text => cn.to_string(),
                _ => String::new(),
            },
        };
        let described: Vec<(usize, TemplateValue)> = r
            .values("description")
            .into_iter()
            .filter_map(parse_template_description)
            .collect();
        let mapped = if kind == EntryKind::User {
            mapped_template_values(&r.attrs, Schema::Openldap)
        } else {
            Vec::new()
        };
        by_dn.insert(dn.clone(), address.clone());
        let key = address.key();
        if kind == EntryKind::Group {
            groups.push((
                key,
                dn,
                r.values("member").iter().map(|m| m.to_string()).collect(),
            ));
        }
        dir.upsert(Entry {
            full_name: full_name.into(),
            address,
            kind,
            template: merge_template(described, mapped),
            origin: Origin {
                file: origin_file.clone(),
                position: Position::Line(r.line),
            },
        });
    }
    for (g, own, members) in groups {
        let list: Vec<Address> = members
            .iter()
            .filter_map(|m| {
                let n = norm(m);
                if n == own {
                    return None;
                }
                if let Some(a) = by_dn.get(&n) {
                    return Some(a.clone());
                }
                // Outside this text: the address is the first RDN's uid.
                parse_dn(m)
                    .ok()?
                    .first()?
                    .iter()
                    .find(|(a, _)| a.eq_ignore_ascii_case(ADDRESS_ATTR))
                    .and_then(|(_, v)| Address::parse(v).ok())
            })
            .collect();
        dir.set_members(&g, list);
    }
    Ok(dir)
}

/// Template values from numbered `description` values (`(N, value)` with N
/// counting from 1) and mapped attributes (in order): the described values
/// at their positions, the mapped ones filling the positions left free.
pub fn merge_template(
    mut described: Vec<(usize, TemplateValue)>,
    mapped: Vec<(usize, TemplateValue)>,
) -> Vec<TemplateValue> {
    described.sort_by_key(|(n, _)| *n);
    let mut out = Vec::with_capacity(described.len() + mapped.len());
    let mut mapped = mapped.into_iter().map(|(_, t)| t);
    let mut described = described.into_iter().peekable();
    let mut position = 1;
    loop {
        match described.peek() {
            Some((n, _)) if *n <= position => {
                if let Some((_, t)) = described.next() {
                    out.push(t);
                }
            }
            Some(_) => match mapped.next() {
                Some(t) => out.push(t),
                None => out.extend(described.by_ref().map(|(_, t)| t)),
            },
            None => {
                out.extend(mapped.by_ref());
                break;
            }
        }
        position = out.len() + 1;
    }
    out
}
