//! Naming: the base DN check, CNs from full names made unique per container
//! ([`CnPlanner`]), and the OU containers created when first needed.

use crate::error::{Error, Result};
use crate::export::ldif::{escape_dn_value_into, ldap_fold, parse_dn, FastMap};
use crate::model::Entry;

use super::{AdRecord, MAX_RDN};

/// Checks the base DN: a DN of at least one RDN.
pub(super) fn check_base(base_dn: &str) -> Result<()> {
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
pub(super) fn take_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The wanted CN of an entry: its full name, or the last part of its
/// address (mailbox, or the whole body of a free-form address).
pub(super) fn wanted_cn(e: &Entry) -> String {
    let name = clean_rdn(&e.full_name);
    if !name.is_empty() {
        return name;
    }
    let last = match e.address.parts() {
        Some((_, _, m)) => m.to_string(),
        None => e.address.body.to_string(),
    };
    match clean_rdn(&last) {
        s if s.is_empty() => e.address.type_name.to_string(),
        s => s,
    }
}

/// Unique CNs per container.
#[derive(Default)]
pub(super) struct CnPlanner {
    /// Folded `container DN \u{1} CN` → used.
    used: FastMap<String, ()>,
}

impl CnPlanner {
    /// A CN not yet used in `container`: `wanted` (cut to 64 characters), or
    /// `wanted (N)` for the first free N from 2.
    pub(super) fn unique(&mut self, container: &str, wanted: &str) -> String {
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
pub(super) fn cn_dn(cn: &str, parent: &str) -> String {
    let mut dn = String::from("CN=");
    escape_dn_value_into(cn, &mut dn);
    dn.push(',');
    dn.push_str(parent);
    dn
}

/// The DN `OU=<ou>,<parent>`.
pub(super) fn ou_dn(ou: &str, parent: &str) -> String {
    let mut dn = String::from("OU=");
    escape_dn_value_into(ou, &mut dn);
    dn.push(',');
    dn.push_str(parent);
    dn
}

/// An `organizationalUnit` record.
pub(super) fn ou_record(dn: String, ou: &str) -> AdRecord {
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
pub(super) struct Containers<'b> {
    base: &'b str,
    /// Folded path → (DN, emitted?).
    known: FastMap<String, (String, bool)>,
}

impl<'b> Containers<'b> {
    pub(super) fn new(base: &'b str) -> Self {
        Containers {
            base,
            known: FastMap::default(),
        }
    }

    /// The container chain of an entry, top first.
    pub(super) fn chain(e: &Entry) -> Vec<String> {
        let ty = e.address.canonical_type();
        match e.address.parts() {
            Some((a, b, _)) => vec![ty, a.to_string(), b.to_string()],
            None => vec![ty],
        }
    }

    /// The DN of `chain`'s last container; the records of containers not yet
    /// emitted go to `new` (parents first) when `emit`.
    pub(super) fn dn(&mut self, chain: &[String], emit: bool, new: &mut Vec<AdRecord>) -> String {
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
