//! LDIF (RFC 2849) export: a content file that loads into a stock OpenLDAP
//! server (core + cosine + inetorgperson schemas), a change file (add / delete /
//! modify) that expresses a Dir-Sync hole, and a small nom reader used to read
//! both back.
//!
//! DN scheme (see docs/formats.md, section `exports`):
//! `uid=<address>,ou=<PO>,ou=<NET>,ou=PCM,<base>` for PCM entries,
//! `uid=<address>,ou=<NODE>,ou=<GATE>,ou=<TYPE>,<base>` for three-part gateway
//! addresses and `uid=<address>,ou=<TYPE>,<base>` for free-form ones. The full
//! MS Mail address is the `uid` value (users: `inetOrgPerson`; groups:
//! `groupOfNames` + auxiliary `uidObject`).

use std::collections::HashMap;

use super::person::{AttributeMap, Schema};
use crate::error::Error;
use crate::model::Entry;

mod attrs;
mod dn;
mod read;
#[cfg(test)]
mod tests;
mod text;
mod write;

pub(crate) use attrs::{parse_template_description, smtp_mail, template_description_into};
pub use read::{merge_template, parse_ldif, parse_ldif_named, read_ldif_directory};
pub use text::{escape_dn_value, is_safe_string, ldap_fold, normalize_dn, parse_dn};
pub(crate) use text::{escape_dn_value_into, LdifBuf};
pub use write::{write_change_ldif, write_ldif, write_ldif_with, write_personal_ldif};

/// The container of personal address lists, below the base DN.
pub const PAL_CONTAINER: &str = "Personal Address Lists";

/// The attribute that holds the full MS Mail address (`TYPE:body`, verbatim).
pub const ADDRESS_ATTR: &str = "uid";

/// Longest physical LDIF line written (RFC 2849 recommends 76).
pub const FOLD_WIDTH: usize = 76;

/// One change of a directory, written as an LDIF change record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryChange {
    /// The entry must be added (`changetype: add`).
    Add(Entry),
    /// The entry must be removed (`changetype: delete`).
    Delete(Entry),
    /// The entry `old` must become `new` (`changetype: modify`, or delete + add
    /// when the DN or the kind changes).
    Modify {
        /// The entry as the server has it.
        old: Entry,
        /// The entry as it should be.
        new: Entry,
    },
}

/// One LDIF record as read back: its DN and its lines in order. Change
/// records keep `changetype`, `add`/`replace`/`delete` lines and `-`
/// separators (as `("-", "")`) as ordinary pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdifRecord {
    /// The DN as written (base64 decoded).
    pub dn: String,
    /// `(attribute description, value)` in file order; values base64-decoded.
    pub attrs: Vec<(String, String)>,
    /// 1-based line of the `dn:` line.
    pub line: u64,
}

impl LdifRecord {
    /// Every value of `attr` (attribute names compared case-insensitively).
    pub fn values(&self, attr: &str) -> Vec<&str> {
        self.attrs
            .iter()
            .filter(|(a, _)| a.eq_ignore_ascii_case(attr))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of `attr`.
    pub fn first(&self, attr: &str) -> Option<&str> {
        self.values(attr).into_iter().next()
    }
}

pub(crate) fn io_err(e: std::io::Error) -> Error {
    Error::output("<output>", e.to_string())
}

/// Hash map with a fast (non-SipHash) hasher; never iterated for output.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// How `write_ldif_with` writes a directory.
#[derive(Debug, Clone)]
pub struct LdifOptions {
    /// The base DN; its first RDN must be `dc=`, `o=` or `ou=` (OpenLDAP),
    /// and for AD it must already exist.
    pub base_dn: String,
    /// Which schema the entries are written for.
    pub schema: Schema,
    /// Template prompts → standard attributes.
    pub map: AttributeMap,
}

impl LdifOptions {
    /// OpenLDAP schema, the standard attribute map, base DN `base_dn`.
    pub fn new(base_dn: &str) -> LdifOptions {
        LdifOptions {
            base_dn: base_dn.to_string(),
            schema: Schema::Openldap,
            map: AttributeMap::standard(),
        }
    }
}

/// What a writer wants the user to know (members it could not write, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteNotes {
    /// One sentence each.
    pub warnings: Vec<String>,
}
