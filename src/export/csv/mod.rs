//! CSV export (RFC 4180, UTF-8, CR LF, header row) in three profiles — msmail's
//! own, Exchange directory import ([`exchange`]) and csvde for Active
//! Directory ([`csvde`]) — and a nom reader for msmail's own and the Exchange
//! profile (CSV is a SOURCE like the others).
//!
//! Default profile columns: [`FIXED_COLUMNS`], then one column per template
//! prompt named `template:<prompt>` (`template#N:<prompt>` for the N-th
//! repetition of a prompt inside one entry); personal lists put an `owner`
//! column first. Formula guard (unless turned off): a cell starting with `=`,
//! `+`, `-`, `@`, TAB, CR or `'` gets one leading `'`, which the reader
//! removes exactly once.

use std::borrow::Cow;
use std::collections::HashMap;

use super::person::AttributeMap;
use crate::error::Error;

pub mod csvde;
pub mod exchange;
mod read;
#[cfg(test)]
mod tests;
mod write;

pub use read::{looks_like_msmail_csv, read_csv, split_members};
pub(crate) use read::{record, Fields};
pub(crate) use write::Cells;
pub use write::{join_members, write_csv, write_csv_with, write_personal_csv, DefaultCsvParts};

/// The fixed columns of the default profile, in order.
pub const FIXED_COLUMNS: [&str; 9] = [
    "full_name",
    "address",
    "type",
    "network",
    "postoffice",
    "mailbox",
    "kind",
    "scope",
    "members",
];

/// The first column of a personal-lists CSV: the owner's address.
pub const OWNER_COLUMN: &str = "owner";

/// Prefix of template-data column names.
pub const TEMPLATE_PREFIX: &str = "template";

/// Which CSV layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CsvProfile {
    /// msmail's own columns (readable back by `read_csv`).
    #[default]
    Default,
    /// Exchange Server 4.0–5.5 directory import (`Obj-Class`, `Mode`, ...).
    Exchange,
    /// Active Directory's csvde (`DN`, `objectClass`, LDAP attribute names).
    Ad,
}

/// How a CSV is written.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// Column layout.
    pub profile: CsvProfile,
    /// Guard cells against spreadsheet formulas (see [`guard`]); off for
    /// files that go to an import tool, which would keep the apostrophe.
    pub formula_guard: bool,
    /// Start with a UTF-8 byte-order mark (Excel then reads UTF-8).
    pub bom: bool,
    /// Template prompts → standard attributes (Exchange and AD profiles).
    pub map: AttributeMap,
    /// Base DN of the AD profile's DNs.
    pub base_dn: String,
}

impl CsvOptions {
    /// `profile` with the formula guard, no BOM, the standard map.
    pub fn new(profile: CsvProfile) -> CsvOptions {
        CsvOptions {
            profile,
            formula_guard: true,
            bom: false,
            map: AttributeMap::standard(),
            base_dn: String::new(),
        }
    }
}

/// Adds the formula guard: one `'` before a value starting with `=`, `+`,
/// `-`, `@`, TAB, CR or `'`.
pub fn guard(v: &str) -> Cow<'_, str> {
    match v.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'') => Cow::Owned(format!("'{v}")),
        _ => Cow::Borrowed(v),
    }
}

/// Removes the formula guard (one leading `'`).
pub fn unguard(v: &str) -> &str {
    v.strip_prefix('\'').unwrap_or(v)
}

pub(crate) fn io_err(e: impl std::fmt::Display) -> Error {
    Error::output("<output>", e.to_string())
}

/// Hash map with a fast (non-SipHash) hasher; never iterated for output.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
