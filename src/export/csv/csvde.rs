//! The Active Directory profile (`--csv-profile ad`): the records of the AD
//! LDIF ([`crate::export::ad::ad_records`]) as a csvde import file — `DN`,
//! `objectClass` (the structural class), then one column per LDAP attribute
//! the export uses, rows in loading order (containers, contacts, groups
//! members first). csvde separates the values of a multi-valued attribute
//! with `;` and has no escape for a `;` inside a value: such a value (an
//! X.400 address, a template value with `;`) is left out with a note — the
//! AD LDIF (`ldifde`) carries it.

use super::{Cells, CsvOptions};
use crate::error::Result;
use crate::export::ad::{ad_records, pal_records, AdRecord};
use crate::export::ldif::WriteNotes;
use crate::export::person::TARGETS;
use crate::model::{Directory, Entry};

/// The columns after `DN` and `objectClass`, in order (those that occur).
const ATTRIBUTE_ORDER: &[&str] = &[
    "ou",
    "cn",
    "displayName",
    "sn",
    "givenName",
    "initials",
    "mail",
    "proxyAddresses",
    "otherMailbox",
    "info",
    "groupType",
    "member",
    "description",
];

/// Attributes whose values csvde splits at `;`.
const MULTI_VALUED: &[&str] = &["proxyAddresses", "otherMailbox", "member", "description"];

/// The column names for a set of records, in [`ATTRIBUTE_ORDER`] then
/// [`TARGETS`] order.
fn columns(records: &[AdRecord]) -> Vec<&'static str> {
    let order: Vec<&'static str> = ATTRIBUTE_ORDER
        .iter()
        .copied()
        .chain(TARGETS.iter().filter_map(|t| t.ad))
        .collect();
    order
        .into_iter()
        .filter(|c| {
            records
                .iter()
                .any(|r| r.attrs.iter().any(|(a, _)| a.eq_ignore_ascii_case(c)))
        })
        .collect()
}

/// Writes records as csvde rows.
fn write_rows(records: &[AdRecord], out: &mut Cells<'_>, notes: &mut WriteNotes) -> Result<()> {
    let cols = columns(records);
    let mut header = vec!["DN", "objectClass"];
    header.extend(&cols);
    out.row(&header)?;
    let mut dropped: Vec<String> = Vec::new();
    for r in records {
        out.field(&r.dn)?;
        let class = r
            .attrs
            .iter()
            .rfind(|(a, _)| *a == "objectClass")
            .map_or("", |(_, v)| v.as_str());
        out.field(class)?;
        for c in &cols {
            let multi = MULTI_VALUED.contains(c);
            let values: Vec<&str> = r
                .attrs
                .iter()
                .filter(|(a, _)| a == c)
                .map(|(_, v)| v.as_str())
                .filter(|v| {
                    let ok = !(multi && v.contains(';'));
                    if !ok {
                        dropped.push(format!("{c} {v:?} of {}", r.dn));
                    }
                    ok
                })
                .collect();
            out.field(&values.join(";"))?;
        }
        out.end()?;
    }
    if !dropped.is_empty() {
        let shown: Vec<&str> = dropped.iter().take(5).map(String::as_str).collect();
        notes.warnings.push(format!(
            "{} values hold a `;`, which csvde cannot carry in a multi-valued attribute, and \
             are left out (the AD LDIF keeps them): {}{}",
            dropped.len(),
            shown.join(", "),
            if dropped.len() > 5 { ", ..." } else { "" }
        ));
    }
    Ok(())
}

/// Writes a directory in the AD profile.
pub(crate) fn write_csvde(
    dir: &Directory,
    out: &mut Cells<'_>,
    opts: &CsvOptions,
) -> Result<WriteNotes> {
    let mut notes = WriteNotes::default();
    let mut records = Vec::new();
    ad_records(dir, &opts.base_dn, &opts.map, &mut notes, &mut |r| {
        records.push(r.clone());
        Ok(())
    })?;
    write_rows(&records, out, &mut notes)?;
    Ok(notes)
}

/// Writes personal address lists in the AD profile.
pub(crate) fn write_csvde_pals(
    lists: &[(Entry, &Directory)],
    out: &mut Cells<'_>,
    opts: &CsvOptions,
) -> Result<WriteNotes> {
    let mut notes = WriteNotes::default();
    let mut records = Vec::new();
    pal_records(lists, &opts.base_dn, &opts.map, &mut |r| {
        records.push(r.clone());
        Ok(())
    })?;
    write_rows(&records, out, &mut notes)?;
    Ok(notes)
}
