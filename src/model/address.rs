//! Addresses: [`Address`] (`TYPE:body`, PCM `NET/PO/MAILBOX` or free-form),
//! its identity [`AddressKey`] (CP850 upper case), the [`Scope`] an entry is
//! listed in, and the address limits (10/10/10 rule, free-form types).

use std::fmt;

use crate::codepage::cp850_upper_into;
use serde::Serialize;

/// Longest network, postoffice or mailbox name (the 10/10/10 rule, Q118621).
pub const MAX_ADDRESS_PART: usize = 10;

/// Address types whose text after the colon is free-form and kept verbatim (Q118321).
pub const FREE_FORM_TYPES: &[&str] = &["SMTP", "X400", "FAX", "MHS", "MCI", "ATT", "3COM"];

/// Why an address could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressError(pub String);

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An MS Mail address `TYPE:rest`, kept as written.
///
/// `PCM:NET/PO/MAILBOX` and 10/10/10 gateway types have three parts; free-form
/// types (SMTP, X400, ...) keep their text verbatim. `CSI:` is read as PCM
/// (Q106623) but its original spelling is kept in `type_name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    /// The type as written (`PCM`, `pcm`, `CSI`, `SMTP`, ...).
    pub type_name: crate::model::Text,
    /// Everything after the colon, with spaces after the colon removed.
    pub body: crate::model::Text,
}

/// Does `s` look like an address type: 1–8 ASCII letters or digits?
pub fn is_address_type(s: &str) -> bool {
    (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Address {
    /// Parses `TYPE:rest`. Spaces after the colon are dropped (Q118447).
    pub fn parse(text: &str) -> Result<Address, AddressError> {
        let text = text.trim();
        let Some((ty, body)) = text.split_once(':') else {
            return Err(AddressError(format!("no TYPE: in address {text:?}")));
        };
        if !is_address_type(ty) {
            return Err(AddressError(format!(
                "address type {ty:?} is not 1-8 letters or digits"
            )));
        }
        Ok(Address {
            type_name: ty.into(),
            body: body.trim_start().into(),
        })
    }

    /// Builds a `PCM:NET/PO/MAILBOX` address.
    pub fn pcm(network: &str, postoffice: &str, mailbox: &str) -> Address {
        Address {
            type_name: "PCM".into(),
            body: compact_str::format_compact!("{network}/{postoffice}/{mailbox}"),
        }
    }

    /// The type in upper case, with `CSI` read as `PCM`.
    pub fn canonical_type(&self) -> String {
        let up = self.type_name.to_ascii_uppercase();
        if up == "CSI" {
            "PCM".to_string()
        } else {
            up.to_string()
        }
    }

    /// True for `PCM:` and `CSI:` addresses.
    pub fn is_pcm(&self) -> bool {
        self.type_name.eq_ignore_ascii_case("PCM") || self.type_name.eq_ignore_ascii_case("CSI")
    }

    /// True when the type's text is free-form (SMTP, X400, ...): kept verbatim,
    /// never split into parts.
    pub fn is_free_form(&self) -> bool {
        let up = self.type_name.to_ascii_uppercase();
        FREE_FORM_TYPES.contains(&up.as_str()) || self.parts().is_none()
    }

    /// The three parts `NET/PO/MAILBOX` (or `GATE/NODE/USER`) when the address
    /// has that form and is not of a free-form type.
    pub fn parts(&self) -> Option<(&str, &str, &str)> {
        // Compared case-insensitively, not upper-cased: called per entry by writers.
        let ty = self.type_name.as_str();
        if FREE_FORM_TYPES.iter().any(|t| t.eq_ignore_ascii_case(ty)) {
            return None;
        }
        let mut it = self.body.splitn(3, '/');
        let (a, b, c) = (it.next()?, it.next()?, it.next()?);
        if c.contains('/') && !self.is_pcm() {
            return None;
        }
        Some((a, b, c))
    }

    /// The scope this address belongs to: `PCM:NET/PO`, `TYPE:GATE/NODE` for
    /// three-part gateway addresses, `TYPE:` for free-form ones.
    pub fn scope(&self) -> Scope {
        match self.parts() {
            Some((a, b, _)) => {
                let mut body = String::with_capacity(a.len() + 1 + b.len());
                body.push_str(a);
                body.push('/');
                body.push_str(b);
                Scope {
                    type_name: self.canonical_type(),
                    body,
                }
            }
            None => Scope {
                type_name: self.canonical_type(),
                body: String::new(),
            },
        }
    }

    /// The identity key: canonical type and body, upper-cased in CP850.
    /// Built in one allocation (it is computed for every entry read).
    pub fn key(&self) -> AddressKey {
        let mut s = String::with_capacity(self.type_name.len() + 1 + self.body.len());
        self.key_into(&mut s);
        AddressKey(s)
    }

    /// Appends the text of [`Address::key`] to `out` (for lookups that
    /// reuse one buffer instead of allocating a key per address).
    pub fn key_into(&self, out: &mut String) {
        Address::key_of_parts_into(&self.type_name, &[&self.body], out);
    }

    /// Appends the key text of the address of type `type_name` whose body is
    /// `body_parts` joined by `/` (what [`Address::key_into`] writes for that
    /// address), without building the address: for lookups by the million.
    pub fn key_of_parts_into(type_name: &str, body_parts: &[&str], out: &mut String) {
        let start = out.len();
        if type_name.eq_ignore_ascii_case("CSI") {
            out.push_str("PCM");
        } else {
            out.push_str(type_name);
            if let Some(ty) = out.get_mut(start..) {
                ty.make_ascii_uppercase();
            }
        }
        out.push(':');
        // Upper-casing maps each character alone (`/` to itself), so the
        // parts can be upper-cased one by one.
        for (i, part) in body_parts.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            cp850_upper_into(out, part);
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.type_name, self.body)
    }
}

/// The identity of an entry: its address upper-cased in CP850, `CSI` as `PCM`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AddressKey(pub String);

impl AddressKey {
    /// The key of the address's scope, which is a prefix of the address key:
    /// `PCM:NET/PO` for three-part addresses, `TYPE:` for free-form ones.
    /// Equal to `address.scope().key()`, without allocating.
    pub fn scope_key(&self) -> &str {
        scope_key_of(&self.0)
    }
}

/// The scope part of an address key's text (see [`AddressKey::scope_key`]),
/// for keys held as text.
pub fn scope_key_of(s: &str) -> &str {
    let Some(colon) = s.find(':') else {
        return s;
    };
    let (ty, body) = (&s[..colon], &s[colon + 1..]);
    if FREE_FORM_TYPES.contains(&ty) {
        return &s[..=colon];
    }
    let mut slashes = body.match_indices('/').map(|(i, _)| i);
    match (slashes.next(), slashes.next(), slashes.next()) {
        // Exactly three parts (PCM may have more slashes in the mailbox).
        (Some(_), Some(second), third) if third.is_none() || ty == "PCM" => {
            &s[..colon + 1 + second]
        }
        _ => &s[..=colon],
    }
}

impl fmt::Display for AddressKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An address scope: a postoffice `PCM:NET/PO`, a gateway node `PROFS:GATE/NODE`,
/// or a whole free-form type `SMTP:`. The type is canonical (upper case, CSI→PCM).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Scope {
    /// Canonical type.
    pub type_name: String,
    /// `NET/PO`, `GATE/NODE`, or empty for a whole type.
    pub body: String,
}

impl Scope {
    /// Parses `PCM:NET/PO`, `PROFS:GATE/NODE` or `SMTP:`.
    pub fn parse(text: &str) -> Result<Scope, AddressError> {
        let a = Address::parse(text)?;
        Ok(Scope {
            type_name: a.canonical_type(),
            body: a.body.trim_end().to_string(),
        })
    }

    /// A `PCM:NET/PO` scope.
    pub fn postoffice(network: &str, postoffice: &str) -> Scope {
        Scope {
            type_name: "PCM".into(),
            body: format!("{network}/{postoffice}"),
        }
    }

    /// Upper-cased form used to compare scopes.
    pub fn key(&self) -> String {
        let mut key = String::with_capacity(self.type_name.len() + 1 + self.body.len());
        key.push_str(&self.type_name);
        key.push(':');
        cp850_upper_into(&mut key, &self.body);
        key
    }

    /// Does `address` fall inside this scope?
    pub fn contains(&self, address: &Address) -> bool {
        address.scope().key() == self.key()
    }

    /// For a `PCM:NET/PO` scope, its network and postoffice.
    pub fn network_postoffice(&self) -> Option<(&str, &str)> {
        if self.type_name != "PCM" {
            return None;
        }
        self.body.split_once('/')
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.type_name, self.body)
    }
}
