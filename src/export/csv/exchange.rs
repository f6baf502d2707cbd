//! The Exchange Server 4.0–5.5 directory-import profile (`--csv-profile
//! exchange`, Q146304, Q150438): writer and reader.
//!
//! Columns: [`EXCHANGE_COLUMNS`], `Members` (a distribution list's members by
//! their `Directory Name`, `%`-separated as Q146304 says multi-valued fields
//! are), then the Exchange columns of the mapped template attributes that
//! occur ([`crate::export::person::Target::exchange`]), then `Comment` with
//! the template values no column takes (`prompt/value`, `/` in the prompt
//! doubled, ` | ` between values).

use std::borrow::Cow;

use super::{unguard, Cells, FastMap, Fields};
use crate::error::{Error, Result};
use crate::export::ldif::WriteNotes;
use crate::export::person::{split_name, AttributeMap, TARGETS};
use crate::model::{Address, AddressKey, Directory, Entry, EntryKind, TemplateValue};

/// The fixed columns of the Exchange profile (Q146304, Q150438).
pub const EXCHANGE_COLUMNS: [&str; 12] = [
    "Obj-Class",
    "Mode",
    "Directory Name",
    "Common-Name",
    "Display-Name",
    "Given-Name",
    "Surname",
    "Alias Name",
    "Home-Server",
    "E-mail address",
    "Secondary-Proxy-Addresses",
    "Members",
];

/// The column of template values no other column takes.
pub const COMMENT_COLUMN: &str = "Comment";

/// Between two values of the `Comment` column.
pub const COMMENT_SEPARATOR: &str = " | ";

/// The Exchange `Directory Name` base for an entry: the mailbox (third part)
/// when the address has parts, otherwise the full name, otherwise the body.
fn exchange_base_name(e: &Entry) -> &str {
    match e.address.parts() {
        Some((_, _, mb)) => mb,
        None if !e.full_name.trim().is_empty() => e.full_name.trim(),
        None => &e.address.body,
    }
}

/// Unique directory names, in entry order: the second and later entries with
/// the same name (case-insensitive) get the first free suffix `-2`, `-3`, ...
fn directory_names(entries: &[(&AddressKey, &Entry)]) -> Vec<String> {
    // Lower-cased names in use → the next suffix to try for that base name.
    let mut used: FastMap<String, usize> = FastMap::default();
    used.reserve(entries.len());
    let mut names = Vec::with_capacity(entries.len());
    for (_, e) in entries {
        let base = exchange_base_name(e);
        let base_lc = base.to_lowercase();
        let mut dir_name: Cow<str> = Cow::Borrowed(base);
        let mut n = 1;
        // The first candidate is `base` itself, whose lower case is `base_lc`.
        let mut taken = used.contains_key(&base_lc);
        while taken {
            n = used.get(&base_lc).copied().unwrap_or(1).max(n) + 1;
            dir_name = Cow::Owned(format!("{base}-{n}"));
            taken = used.contains_key(&dir_name.to_lowercase());
        }
        let suffixed_lc = (n > 1).then(|| dir_name.to_lowercase());
        used.insert(base_lc, n.max(1));
        if let Some(lc) = suffixed_lc {
            used.entry(lc).or_insert(1);
        }
        names.push(dir_name.into_owned());
    }
    names
}

/// `MS:NET/PO/MAILBOX` for PCM addresses, nothing otherwise.
fn pcm_proxy(e: &Entry) -> String {
    match (e.address.is_pcm(), e.address.parts()) {
        (true, Some((n, p, m))) => format!("MS:{n}/{p}/{m}"),
        _ => String::new(),
    }
}

/// One `Comment` item: `prompt/value` with `/` doubled in the prompt.
fn comment_item(t: &TemplateValue) -> String {
    format!("{}/{}", t.prompt.replace('/', "//"), t.value)
}

/// Parses a `Comment` cell back into template values.
fn parse_comment(cell: &str) -> Vec<TemplateValue> {
    cell.split(COMMENT_SEPARATOR)
        .filter(|i| !i.is_empty())
        .map(|item| {
            // The first single `/` ends the prompt; `//` is a `/` in it.
            let b = item.as_bytes();
            let mut i = 0;
            let mut prompt = String::new();
            while i < b.len() {
                if b[i] == b'/' {
                    if b.get(i + 1) == Some(&b'/') {
                        prompt.push('/');
                        i += 2;
                        continue;
                    }
                    return TemplateValue {
                        prompt: prompt.into(),
                        value: item[i + 1..].into(),
                    };
                }
                let ch = item[i..].chars().next().unwrap_or(' ');
                prompt.push(ch);
                i += ch.len_utf8();
            }
            TemplateValue {
                prompt: crate::model::Prompt::default(),
                value: item.into(),
            }
        })
        .collect()
}

/// Writes the Exchange profile.
pub(crate) fn write_exchange(
    dir: &Directory,
    out: &mut Cells<'_>,
    map: &AttributeMap,
) -> Result<WriteNotes> {
    let entries = dir.sorted_keyed();
    let names = directory_names(&entries);
    let name_of: FastMap<&AddressKey, &str> = entries
        .iter()
        .zip(&names)
        .map(|((k, _), n)| (*k, n.as_str()))
        .collect();
    // Which mapped columns occur, and whether any value needs `Comment`.
    let mut used_targets = vec![false; TARGETS.len()];
    let mut comment = false;
    for (_, e) in &entries {
        let m = map.map_exchange(e);
        for (t, _) in &m.mapped {
            if let Some(i) = TARGETS.iter().position(|x| x.key == t.key) {
                if let Some(u) = used_targets.get_mut(i) {
                    *u = true;
                }
            }
        }
        comment |= !m.kept.is_empty();
    }
    let columns: Vec<&str> = TARGETS
        .iter()
        .zip(&used_targets)
        .filter(|(_, u)| **u)
        .filter_map(|(t, _)| t.exchange)
        .collect();
    let mut header: Vec<&str> = EXCHANGE_COLUMNS.to_vec();
    header.extend(&columns);
    if comment {
        header.push(COMMENT_COLUMN);
    }
    out.row(&header)?;
    let mut outside = 0usize;
    for ((key, e), dir_name) in entries.iter().zip(&names) {
        let pcm = e.address.is_pcm();
        let (class, home) = match (e.kind, pcm) {
            (EntryKind::Group, _) => ("dl", ""),
            (EntryKind::User, true) => ("mailbox", "~SERVER"),
            (EntryKind::User, false) => ("remote", ""),
        };
        let (email, proxy) = if e.kind == EntryKind::Group || pcm {
            (String::new(), pcm_proxy(e))
        } else {
            (e.address.to_string(), String::new())
        };
        let (given, surname) = match (e.kind, split_name(&e.full_name)) {
            (EntryKind::User, Some(n)) => {
                let given = match (n.given, n.initials) {
                    (Some(g), Some(i)) => format!("{g} {i}"),
                    (Some(g), None) => g,
                    (None, _) => String::new(),
                };
                (given, n.surname)
            }
            _ => (String::new(), String::new()),
        };
        let mut members = Vec::new();
        if e.kind == EntryKind::Group {
            for m in dir.members(key).unwrap_or_default() {
                match name_of.get(&m.key()) {
                    Some(n) => members.push(*n),
                    None => outside += 1,
                }
            }
        }
        let members = members.join("%");
        for v in [
            class,
            "Create",
            dir_name,
            dir_name,
            &e.full_name,
            &given,
            &surname,
            dir_name,
            home,
            &email,
            &proxy,
            &members,
        ] {
            out.field(v)?;
        }
        let m = map.map_exchange(e);
        for col in &columns {
            let v = m
                .mapped
                .iter()
                .find(|(t, _)| t.exchange == Some(col))
                .map_or("", |(_, v)| *v);
            out.field(v)?;
        }
        if comment {
            let items: Vec<String> = m.kept.iter().map(|(_, t)| comment_item(t)).collect();
            out.field(&items.join(COMMENT_SEPARATOR))?;
        }
        out.end()?;
    }
    let mut notes = WriteNotes::default();
    if outside > 0 {
        notes.warnings.push(format!(
            "{outside} distribution-list members are not entries of this export and are \
             left out of Members (Exchange names members by their Directory Name)"
        ));
    }
    Ok(notes)
}

/// Reads the rows after the header of an Exchange-profile CSV. The address
/// is the `MS:` value of `Secondary-Proxy-Addresses` (as `PCM:`), else the
/// `E-mail address`; the kind is `dl` (group) or `mailbox`/`remote` (user);
/// the full name is `Display-Name`; template data from the mapped columns
/// (with their attributes' prompts) and `Comment`; members by `Directory
/// Name`. Given-Name and Surname are derived and not read.
pub(crate) fn read_exchange<'a>(
    text: &'a str,
    mut input: &'a str,
    header: &Fields<'_>,
    at: &dyn Fn(usize, String) -> Error,
    skip: usize,
    file: &str,
) -> Result<Directory> {
    let off = |o: usize| o + skip;
    let col = |name: &str| {
        header
            .iter()
            .position(|(_, h)| unguard(h).eq_ignore_ascii_case(name))
    };
    let need = |name: &str| col(name).ok_or_else(|| at(skip, format!("no {name} column")));
    let c_class = need("Obj-Class")?;
    let c_display = need("Display-Name")?;
    let c_email = col("E-mail address");
    let c_proxy = col("Secondary-Proxy-Addresses");
    let c_dirname = col("Directory Name");
    let c_members = col("Members");
    let c_comment = col(COMMENT_COLUMN);
    let mapped: Vec<(usize, &'static crate::export::person::Target)> = TARGETS
        .iter()
        .filter_map(|t| Some((col(t.exchange?)?, t)))
        .collect();
    let origin_file: std::sync::Arc<str> = std::sync::Arc::from(file);
    let mut dir = Directory::new();
    let mut by_name: FastMap<String, Address> = FastMap::default();
    let mut groups: Vec<(AddressKey, usize, String)> = Vec::new();
    let mut lines = crate::codepage::LineTracker::new();
    while !input.is_empty() {
        let rec_start = text.len() - input.len();
        let (rest, fields) =
            super::record(text, input).map_err(|o| at(off(o), "bad CSV field".into()))?;
        input = rest;
        if fields.len() == 1 && fields.first().is_some_and(|(_, f)| f.is_empty()) {
            continue;
        }
        if fields.len() != header.len() {
            return Err(at(
                off(rec_start),
                format!("{} fields, header has {}", fields.len(), header.len()),
            ));
        }
        let cell = |i: usize| fields.get(i).map(|(o, f)| (*o, unguard(f)));
        let (coff, class) = cell(c_class).unwrap_or((rec_start, ""));
        let kind = match class.to_ascii_lowercase().as_str() {
            "dl" => EntryKind::Group,
            "mailbox" | "remote" => EntryKind::User,
            other => {
                return Err(at(
                    off(coff),
                    format!("Obj-Class {other:?} is not mailbox, dl or remote"),
                ))
            }
        };
        let proxy = c_proxy.and_then(cell).and_then(|(o, v)| {
            v.split('%')
                .find_map(|p| p.strip_prefix("MS:").or_else(|| p.strip_prefix("ms:")))
                .map(|body| (o, format!("PCM:{body}")))
        });
        let (aoff, atext) =
            match proxy {
                Some(p) => p,
                None => match c_email.and_then(cell).filter(|(_, v)| !v.is_empty()) {
                    Some((o, v)) => (o, v.to_string()),
                    None => return Err(at(
                        off(coff),
                        "no address: neither an MS: Secondary-Proxy-Address nor an E-mail address"
                            .into(),
                    )),
                },
            };
        let address = Address::parse(&atext).map_err(|e| at(off(aoff), e.to_string()))?;
        let mut template: Vec<TemplateValue> = Vec::new();
        for (i, t) in &mapped {
            if let Some((_, v)) = cell(*i).filter(|(_, v)| !v.is_empty()) {
                template.push(TemplateValue {
                    prompt: crate::model::Prompt::intern(t.prompt),
                    value: v.into(),
                });
            }
        }
        if let Some((_, c)) = c_comment.and_then(cell) {
            template.extend(parse_comment(c));
        }
        if let Some((_, n)) = c_dirname.and_then(cell) {
            by_name.insert(n.to_lowercase(), address.clone());
        }
        if kind == EntryKind::Group {
            if let Some((moff, m)) = c_members.and_then(cell).filter(|(_, m)| !m.is_empty()) {
                groups.push((address.key(), off(moff), m.to_string()));
            }
        }
        let line = lines.line_at(text.as_bytes(), rec_start);
        let mut e = Entry::new(cell(c_display).map_or("", |(_, v)| v), address);
        e.kind = kind;
        e.template = template;
        e.origin = crate::model::Origin {
            file: origin_file.clone(),
            position: crate::model::Position::Line(line),
        };
        dir.upsert(e);
    }
    for (g, moff, cell) in groups {
        let mut members = Vec::new();
        for name in cell.split('%').filter(|n| !n.is_empty()) {
            match by_name.get(&name.to_lowercase()) {
                Some(a) => members.push(a.clone()),
                None => {
                    return Err(at(
                        moff,
                        format!("member {name:?} is no Directory Name of this file"),
                    ))
                }
            }
        }
        dir.set_members(&g, members);
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_items_round_trip() {
        let t = vec![
            TemplateValue {
                prompt: "City/ST:".into(),
                value: "A/B".into(),
            },
            TemplateValue {
                prompt: "Room:".into(),
                value: "".into(),
            },
        ];
        let cell: Vec<String> = t.iter().map(comment_item).collect();
        let cell = cell.join(COMMENT_SEPARATOR);
        assert_eq!(cell, "City//ST:/A/B | Room:/");
        assert_eq!(parse_comment(&cell), t);
    }
}
