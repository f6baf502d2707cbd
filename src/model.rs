//! The one address-directory model. Every format reads into it and writes from it.
//!
//! An [`Entry`] is one address-list entry: full name, [`Address`], [`EntryKind`],
//! ordered template data and where it came from. A [`Directory`] holds entries
//! keyed by their identity — the address, compared case-insensitively in CP850 —
//! and applies the import-file [`Operation`]s (A, D, M, R, T) in order.

use std::collections::{BTreeMap, HashMap};

/// Hash maps of the model: foldhash is several times faster than SipHash on
/// short keys and still seeded per process (no crafted-collision blow-up).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::codepage::cp850_upper_into;

/// Longest full name MS Mail accepts (Error 72, Q104869).
pub const MAX_FULL_NAME: usize = 30;
/// Longest network, postoffice or mailbox name (the 10/10/10 rule, Q118621).
pub const MAX_ADDRESS_PART: usize = 10;

/// Address types whose text after the colon is free-form and kept verbatim (Q118321).
pub const FREE_FORM_TYPES: &[&str] = &["SMTP", "X400", "FAX", "MHS", "MCI", "ATT", "3COM"];

/// User or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A person's mailbox (or any addressable non-group).
    #[default]
    User,
    /// A group (distribution list).
    Group,
}

impl EntryKind {
    /// `user` or `group`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::User => "user",
            EntryKind::Group => "group",
        }
    }
}

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
    pub type_name: String,
    /// Everything after the colon, with spaces after the colon removed.
    pub body: String,
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
            type_name: ty.to_string(),
            body: body.trim_start().to_string(),
        })
    }

    /// Builds a `PCM:NET/PO/MAILBOX` address.
    pub fn pcm(network: &str, postoffice: &str, mailbox: &str) -> Address {
        Address {
            type_name: "PCM".to_string(),
            body: format!("{network}/{postoffice}/{mailbox}"),
        }
    }

    /// The type in upper case, with `CSI` read as `PCM`.
    pub fn canonical_type(&self) -> String {
        let up = self.type_name.to_ascii_uppercase();
        if up == "CSI" {
            "PCM".to_string()
        } else {
            up
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
        if self.type_name.eq_ignore_ascii_case("CSI") {
            s.push_str("PCM");
        } else {
            s.push_str(&self.type_name);
            s.make_ascii_uppercase();
        }
        s.push(':');
        cp850_upper_into(&mut s, &self.body);
        AddressKey(s)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.type_name, self.body)
    }
}

/// The identity of an entry: its address upper-cased in CP850, `CSI` as `PCM`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AddressKey(pub String);

impl AddressKey {
    /// The key of the address's scope, which is a prefix of the address key:
    /// `PCM:NET/PO` for three-part addresses, `TYPE:` for free-form ones.
    /// Equal to `address.scope().key()`, without allocating.
    pub fn scope_key(&self) -> &str {
        let s = self.0.as_str();
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
}

impl fmt::Display for AddressKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An address scope: a postoffice `PCM:NET/PO`, a gateway node `PROFS:GATE/NODE`,
/// or a whole free-form type `SMTP:`. The type is canonical (upper case, CSI→PCM).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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

/// One template value: the prompt (with its colon, as in the TPL) and the value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TemplateValue {
    /// Prompt text, e.g. `Phone:`.
    pub prompt: String,
    /// Value, verbatim.
    pub value: String,
}

/// One field of a template definition (TPL line `prompt~start~width~edit~data~internal`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct TemplateField {
    /// Prompt text.
    pub prompt: String,
    /// Start column.
    pub start: u16,
    /// Field width in characters.
    pub width: u16,
    /// Edit class letters (U, L, N, P, A).
    pub edit: String,
    /// Default data.
    pub data: String,
    /// Internal preamble stored before the value in INF records.
    pub internal: String,
    /// How many `~`-separated fields the source line had (trailing empties may be
    /// missing, Q104281); writers use it to reproduce the line.
    #[serde(skip)]
    pub written_fields: u8,
}

/// A template definition for one scope (the `T` operation, or a TPL file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateDef {
    /// The scope the template applies to.
    pub scope: Scope,
    /// The fields in order.
    pub fields: Vec<TemplateField>,
}

/// Where an entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Origin {
    /// The file, as the user named it.
    pub file: Arc<str>,
    /// Line (text) or record (binary) inside it.
    pub position: Position,
}

/// A position inside a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// 1-based line of a text file.
    Line(u64),
    /// 0-based record number and byte offset of a binary file.
    Record {
        /// Record number.
        index: u64,
        /// Byte offset of the record.
        offset: u64,
    },
    /// Not from a file (generated or computed).
    None,
}

impl Origin {
    /// An origin for generated or computed entries.
    pub fn none() -> Origin {
        // One shared empty name: a directory of a million entries built
        // before their origins are known must not allocate one each.
        static EMPTY: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
        Origin {
            file: Arc::clone(EMPTY.get_or_init(|| Arc::from(""))),
            position: Position::None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Position::Line(l) => write!(f, "{}: line {l}", self.file),
            Position::Record { index, offset } => {
                write!(f, "{}: record {index} at byte offset {offset}", self.file)
            }
            Position::None => write!(f, "{}", self.file),
        }
    }
}

/// One entry of an address list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The full name (alias), at most 30 characters in MS Mail files.
    pub full_name: String,
    /// The address; its key is the entry's identity.
    pub address: Address,
    /// User or group.
    pub kind: EntryKind,
    /// Template data in order.
    pub template: Vec<TemplateValue>,
    /// Where the entry was read from.
    pub origin: Origin,
}

/// A limit of MS Mail that an entry breaks. Reported, never silently truncated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitViolation {
    /// The field: `full_name`, `network`, `postoffice` or `mailbox`.
    pub field: &'static str,
    /// Its length in characters.
    pub length: usize,
    /// The limit.
    pub limit: usize,
}

impl Entry {
    /// A user entry with no template data and no origin.
    pub fn new(full_name: impl Into<String>, address: Address) -> Entry {
        Entry {
            full_name: full_name.into(),
            address,
            kind: EntryKind::User,
            template: Vec::new(),
            origin: Origin::none(),
        }
    }

    /// The identity key.
    pub fn key(&self) -> AddressKey {
        self.address.key()
    }

    /// The entry's scope.
    pub fn scope(&self) -> Scope {
        self.address.scope()
    }

    /// Every MS Mail limit this entry breaks: full name over 30 characters, and for
    /// PCM addresses any network, postoffice or mailbox over 10.
    pub fn limit_violations(&self) -> Vec<LimitViolation> {
        let mut out = Vec::new();
        let n = self.full_name.chars().count();
        if n > MAX_FULL_NAME {
            out.push(LimitViolation {
                field: "full_name",
                length: n,
                limit: MAX_FULL_NAME,
            });
        }
        if self.address.is_pcm() {
            if let Some((net, po, mb)) = self.address.parts() {
                for (field, v) in [("network", net), ("postoffice", po), ("mailbox", mb)] {
                    let n = v.chars().count();
                    if n > MAX_ADDRESS_PART {
                        out.push(LimitViolation {
                            field,
                            length: n,
                            limit: MAX_ADDRESS_PART,
                        });
                    }
                }
            }
        }
        out
    }

    /// Same content (name, address spelling-insensitive, kind, template), ignoring origin.
    pub fn same_content(&self, other: &Entry) -> bool {
        self.full_name == other.full_name
            && self.key() == other.key()
            && self.kind == other.kind
            && self.template == other.template
    }
}

/// One import-file operation (formats-text.md §1), also the content of a
/// Dir-Sync transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// `A`: add, or update if the address exists.
    Add(Entry),
    /// `D`: delete the address.
    Delete(Entry),
    /// `M`: the entry named by `old` becomes `new`.
    Modify {
        /// The existing entry as named on the first line.
        old: Entry,
        /// Its new name and address (continuation line).
        new: Entry,
    },
    /// `R`: throw away everything in the scope.
    Replace(Scope),
    /// `T`: a template definition for a scope.
    Template(TemplateDef),
}

impl Operation {
    /// The operation letter.
    pub fn letter(&self) -> char {
        match self {
            Operation::Add(_) => 'A',
            Operation::Delete(_) => 'D',
            Operation::Modify { .. } => 'M',
            Operation::Replace(_) => 'R',
            Operation::Template(_) => 'T',
        }
    }
}

/// What applying one operation did, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// A new entry.
    Added,
    /// An `A` for an address already present: the entry was replaced.
    Updated(Box<Entry>),
    /// A `D` removed the entry.
    Deleted,
    /// A `D` or `M` named an address that is not there.
    NotFound,
    /// An `M` re-keyed an entry.
    Modified,
    /// An `R` removed this many entries.
    Replaced(usize),
    /// A template definition was recorded.
    Template,
}

/// An address directory: entries by identity, in insertion order, plus template
/// definitions by scope and the membership of groups. All operations are O(1)
/// amortised; `R` costs the size of its scope. Each entry's key is computed
/// once, on insertion.
///
/// Group membership is a table beside the entries: group key → the members'
/// addresses in order, each once. A member need not be an entry of the
/// directory (a gateway address, an entry of another export). The table
/// follows its group: removing the group (`D`, `R`) drops its members, `M`
/// moves them to the new key, replacing the entry (`A`) keeps them. A group
/// with no row has unknown membership (import text cannot say); a row may be
/// empty (a group known to have no members).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    slots: Vec<Option<Entry>>,
    index: FastMap<AddressKey, usize>,
    by_scope: FastMap<String, Vec<usize>>,
    /// Template definitions by scope key.
    pub templates: BTreeMap<String, TemplateDef>,
    members: FastMap<AddressKey, Vec<Address>>,
    live: usize,
}

impl Directory {
    /// An empty directory.
    pub fn new() -> Directory {
        Directory::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.live
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The entry with this identity.
    pub fn get(&self, key: &AddressKey) -> Option<&Entry> {
        self.index.get(key).and_then(|&i| self.slots[i].as_ref())
    }

    /// True when an entry with this identity is present.
    pub fn contains_key(&self, key: &AddressKey) -> bool {
        self.index.contains_key(key)
    }

    /// Inserts or replaces (by identity). A replaced entry keeps its position
    /// and is returned.
    pub fn upsert(&mut self, entry: Entry) -> Option<Entry> {
        let key = entry.key();
        if let Some(&i) = self.index.get(&key) {
            return self.slots[i].replace(entry);
        }
        let i = self.slots.len();
        match self.by_scope.get_mut(key.scope_key()) {
            Some(list) => list.push(i),
            None => {
                self.by_scope.insert(key.scope_key().to_string(), vec![i]);
            }
        }
        self.slots.push(Some(entry));
        self.index.insert(key, i);
        self.live += 1;
        None
    }

    /// Inserts the entry `make` builds under `key` (which must be its
    /// `key()`) unless an entry with that identity is present; true when
    /// inserted. One hash lookup; `make` only runs when the key is new, so
    /// readers that already computed the key build nothing for duplicates.
    pub(crate) fn insert_new_with(
        &mut self,
        key: AddressKey,
        make: impl FnOnce(&AddressKey) -> Entry,
    ) -> bool {
        use std::collections::hash_map::Entry as Slot;
        let i = self.slots.len();
        let Slot::Vacant(slot) = self.index.entry(key) else {
            return false;
        };
        let key = slot.key();
        let entry = make(key);
        match self.by_scope.get_mut(key.scope_key()) {
            Some(list) => list.push(i),
            None => {
                self.by_scope.insert(key.scope_key().to_string(), vec![i]);
            }
        }
        slot.insert(i);
        self.slots.push(Some(entry));
        self.live += 1;
        true
    }

    /// Removes the entry with this identity (and its membership row).
    pub fn remove(&mut self, key: &AddressKey) -> Option<Entry> {
        let i = self.index.remove(key)?;
        self.live -= 1;
        self.members.remove(key);
        self.slots[i].take()
    }

    /// The members of group `group` in order; `None` when the directory does
    /// not know the group's membership.
    pub fn members(&self, group: &AddressKey) -> Option<&[Address]> {
        self.members.get(group).map(Vec::as_slice)
    }

    /// Sets the members of group `group` (replacing what was known). Members
    /// are kept in order, each address once (compared by identity).
    pub fn set_members(&mut self, group: &AddressKey, members: Vec<Address>) {
        let mut seen: FastMap<AddressKey, ()> = FastMap::default();
        let unique = members
            .into_iter()
            .filter(|m| seen.insert(m.key(), ()).is_none())
            .collect();
        self.members.insert(group.clone(), unique);
    }

    /// Adds one member at the end of group `group`'s list unless it is there
    /// already; true when added. The group's membership becomes known.
    pub fn add_member(&mut self, group: &AddressKey, member: Address) -> bool {
        let list = self.members.entry(group.clone()).or_default();
        let k = member.key();
        if list.iter().any(|m| m.key() == k) {
            return false;
        }
        list.push(member);
        true
    }

    /// Removes member `member` from group `group`; true when it was there.
    pub fn remove_member(&mut self, group: &AddressKey, member: &AddressKey) -> bool {
        let Some(list) = self.members.get_mut(group) else {
            return false;
        };
        let before = list.len();
        list.retain(|m| m.key() != *member);
        list.len() != before
    }

    /// Every membership row (group key, members), in no particular order.
    pub fn membership(&self) -> impl Iterator<Item = (&AddressKey, &[Address])> {
        self.members.iter().map(|(k, v)| (k, v.as_slice()))
    }

    /// True when at least one group has a known, non-empty member list.
    pub fn has_members(&self) -> bool {
        self.members.values().any(|m| !m.is_empty())
    }

    /// Removes every entry of `scope`; returns how many.
    pub fn clear_scope(&mut self, scope: &Scope) -> usize {
        let Some(list) = self.by_scope.remove(&scope.key()) else {
            return 0;
        };
        let mut removed = 0;
        for i in list {
            if let Some(e) = self.slots[i].take() {
                let k = e.key();
                self.index.remove(&k);
                self.members.remove(&k);
                self.live -= 1;
                removed += 1;
            }
        }
        removed
    }

    /// Applies one operation.
    pub fn apply(&mut self, op: Operation) -> Applied {
        match op {
            Operation::Add(e) => match self.upsert(e) {
                None => Applied::Added,
                Some(prev) => Applied::Updated(Box::new(prev)),
            },
            Operation::Delete(e) => match self.remove(&e.key()) {
                Some(_) => Applied::Deleted,
                None => Applied::NotFound,
            },
            Operation::Modify { old, new } => {
                let old_key = old.key();
                let moved = self.members.remove(&old_key);
                let found = self.remove(&old_key);
                let mut new = new;
                if let Some(prev) = found.as_ref() {
                    if new.template.is_empty() {
                        new.template = prev.template.clone();
                    }
                    new.kind = prev.kind;
                }
                let new_key = new.key();
                self.upsert(new);
                if let (Some(m), true) = (moved, found.is_some()) {
                    self.members.insert(new_key, m);
                }
                if found.is_some() {
                    Applied::Modified
                } else {
                    Applied::NotFound
                }
            }
            Operation::Replace(scope) => Applied::Replaced(self.clear_scope(&scope)),
            Operation::Template(def) => {
                self.templates.insert(def.scope.key(), def);
                Applied::Template
            }
        }
    }

    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.slots.iter().filter_map(|s| s.as_ref())
    }

    /// Entries with their keys, in no particular order (cheap: keys are stored).
    pub fn iter_keyed(&self) -> impl Iterator<Item = (&AddressKey, &Entry)> {
        self.index
            .iter()
            .filter_map(|(k, &i)| self.slots[i].as_ref().map(|e| (k, e)))
    }

    /// Entries sorted by scope key, then address key: the order every writer
    /// uses, so output does not depend on input order.
    pub fn sorted(&self) -> Vec<&Entry> {
        self.sorted_keyed().into_iter().map(|(_, e)| e).collect()
    }

    /// Like [`Directory::sorted`], with each entry's key.
    ///
    /// Cache-friendly for large directories: entries are first bucketed by
    /// scope (a counting sort over the few distinct scope keys), then each
    /// bucket is sorted by address key, so a bucket's keys stay in cache while
    /// it is sorted instead of one sort over a million keys chasing a pointer
    /// per comparison.
    pub fn sorted_keyed(&self) -> Vec<(&AddressKey, &Entry)> {
        let mut scope_id: FastMap<&str, u32> = FastMap::default();
        let mut scopes: Vec<&str> = Vec::new();
        let mut keyed: Vec<(u32, &AddressKey, &Entry)> = Vec::with_capacity(self.len());
        for (k, e) in self.iter_keyed() {
            let s = k.scope_key();
            let id = match scope_id.get(s) {
                Some(&id) => id,
                None => {
                    let id = scopes.len() as u32;
                    scope_id.insert(s, id);
                    scopes.push(s);
                    id
                }
            };
            keyed.push((id, k, e));
        }
        // Rank of each scope id in scope-key order.
        let mut order: Vec<u32> = (0..scopes.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| scopes.get(a as usize).cmp(&scopes.get(b as usize)));
        let mut rank = vec![0u32; scopes.len()];
        for (r, &id) in order.iter().enumerate() {
            if let Some(slot) = rank.get_mut(id as usize) {
                *slot = r as u32;
            }
        }
        // Counting sort by rank: start offset of each bucket.
        let mut start = vec![0usize; scopes.len() + 1];
        for (id, _, _) in &keyed {
            if let Some(r) = rank.get(*id as usize) {
                if let Some(c) = start.get_mut(*r as usize + 1) {
                    *c += 1;
                }
            }
        }
        for i in 1..start.len() {
            let prev = start.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = start.get_mut(i) {
                *c += prev;
            }
        }
        let mut next = start.clone();
        let mut placed: Vec<Option<(&AddressKey, &Entry)>> = vec![None; keyed.len()];
        for (id, k, e) in keyed {
            let r = rank.get(id as usize).copied().unwrap_or(0) as usize;
            if let Some(pos) = next.get_mut(r) {
                if let Some(slot) = placed.get_mut(*pos) {
                    *slot = Some((k, e));
                }
                *pos += 1;
            }
        }
        let mut placed: Vec<(&AddressKey, &Entry)> = placed.into_iter().flatten().collect();
        for w in start.windows(2) {
            if let (Some(&a), Some(&b)) = (w.first(), w.get(1)) {
                if let Some(bucket) = placed.get_mut(a..b) {
                    bucket.sort_unstable_by(|x, y| x.0.cmp(y.0));
                }
            }
        }
        placed
    }

    /// Reserves room for `additional` more entries.
    pub fn reserve(&mut self, additional: usize) {
        self.slots.reserve(additional);
        self.index.reserve(additional);
    }

    /// The distinct scopes present, sorted by key.
    pub fn scopes(&self) -> Vec<Scope> {
        let mut m: BTreeMap<&str, Scope> = BTreeMap::new();
        for (k, list) in &self.by_scope {
            if let Some(e) = list.iter().find_map(|&i| self.slots[i].as_ref()) {
                m.entry(k.as_str()).or_insert_with(|| e.scope());
            }
        }
        m.into_values().collect()
    }

    /// Entries of one scope, sorted by address key.
    pub fn in_scope(&self, scope: &Scope) -> Vec<&Entry> {
        let k = scope.key();
        let mut v: Vec<(AddressKey, &Entry)> = self
            .by_scope
            .get(&k)
            .map(|l| {
                l.iter()
                    .filter_map(|&i| self.slots[i].as_ref())
                    .map(|e| (e.key(), e))
                    .collect()
            })
            .unwrap_or_default();
        v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        v.into_iter().map(|(_, e)| e).collect()
    }

    /// Drops emptied slots (after many deletes) to reclaim memory. Keeps order.
    pub fn compact(&mut self) {
        let entries: Vec<Entry> = self.slots.drain(..).flatten().collect();
        let templates = std::mem::take(&mut self.templates);
        let members = std::mem::take(&mut self.members);
        *self = Directory::default();
        self.templates = templates;
        self.members = members;
        for e in entries {
            self.upsert(e);
        }
    }
}

impl FromIterator<Entry> for Directory {
    fn from_iter<I: IntoIterator<Item = Entry>>(iter: I) -> Self {
        let mut d = Directory::new();
        for e in iter {
            d.upsert(e);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(name: &str, addr: &str) -> Entry {
        Entry::new(name, Address::parse(addr).unwrap())
    }

    #[test]
    fn address_forms() {
        let a = Address::parse("PCM:NET/PO/JDOE").unwrap();
        assert_eq!(a.parts(), Some(("NET", "PO", "JDOE")));
        assert_eq!(a.scope().to_string(), "PCM:NET/PO");
        let c = Address::parse("CSI:net/po/jdoe").unwrap();
        assert_eq!(c.key(), a.key());
        assert_eq!(c.to_string(), "CSI:net/po/jdoe");
        let s = Address::parse("SMTP:j/d@example.com").unwrap();
        assert!(s.is_free_form());
        assert_eq!(s.scope().to_string(), "SMTP:");
        let g = Address::parse("SNADS: SNADSGATE/DGN/JOHN").unwrap();
        assert_eq!(g.body, "SNADSGATE/DGN/JOHN");
        assert_eq!(g.scope().to_string(), "SNADS:SNADSGATE/DGN");
        assert!(Address::parse("no colon").is_err());
        assert!(Address::parse("TOOLONGTYPE:x").is_err());
    }

    #[test]
    fn parts_follow_the_type() {
        let parts = |t: &str| {
            Address::parse(t)
                .unwrap()
                .parts()
                .map(|(a, b, c)| format!("{a}|{b}|{c}"))
        };
        assert_eq!(parts("pcm:a/b/c/d").as_deref(), Some("a|b|c/d"));
        assert_eq!(parts("PROFS:G/N/U").as_deref(), Some("G|N|U"));
        assert_eq!(parts("PROFS:G/N/U/V"), None);
        assert_eq!(parts("Smtp:a/b/c"), None);
        assert_eq!(parts("3com:a/b/c"), None);
        assert_eq!(parts("PCM:A/B"), None);
    }

    #[test]
    fn identity_is_case_insensitive_in_cp850() {
        assert_eq!(
            Address::parse("PCM:net/po/müller").unwrap().key(),
            Address::parse("pcm:NET/PO/MÜLLER").unwrap().key()
        );
    }

    #[test]
    fn directory_applies_operations() {
        let mut d = Directory::new();
        assert_eq!(d.apply(Operation::Add(e("A", "PCM:N/P/A"))), Applied::Added);
        d.apply(Operation::Add(e("B", "PCM:N/P/B")));
        d.apply(Operation::Add(e("C", "PCM:N/Q/C")));
        assert!(matches!(
            d.apply(Operation::Add(e("A2", "pcm:n/p/a"))),
            Applied::Updated(_)
        ));
        assert_eq!(d.len(), 3);
        assert_eq!(
            d.apply(Operation::Modify {
                old: e("B", "PCM:N/P/B"),
                new: e("Bee", "PCM:N/P/BEE")
            }),
            Applied::Modified
        );
        assert!(d
            .get(&Address::parse("PCM:N/P/BEE").unwrap().key())
            .is_some());
        assert_eq!(
            d.apply(Operation::Delete(e("", "PCM:N/Q/C"))),
            Applied::Deleted
        );
        assert_eq!(
            d.apply(Operation::Delete(e("", "PCM:N/Q/C"))),
            Applied::NotFound
        );
        assert_eq!(
            d.apply(Operation::Replace(Scope::parse("PCM:N/P").unwrap())),
            Applied::Replaced(2)
        );
        assert!(d.is_empty());
    }

    #[test]
    fn scope_key_is_the_prefix_of_the_address_key() {
        for a in [
            "PCM:N/P/M",
            "CSI:n/p/m",
            "PCM:N/P/M/X",
            "SMTP:a/b/c@x",
            "PROFS:G/N/U",
            "PROFS:G/N/U/V",
            "FAX:+1 206",
            "MHS:x/y",
            "X400:c=US;a= ",
        ] {
            let a = Address::parse(a).unwrap();
            assert_eq!(a.key().scope_key(), a.scope().key(), "{a}");
        }
    }

    #[test]
    fn membership_follows_its_group() {
        let mut d = Directory::new();
        let mut g = e("Staff", "PCM:N/P/STAFF");
        g.kind = EntryKind::Group;
        let gk = g.key();
        d.upsert(g.clone());
        assert_eq!(d.members(&gk), None);
        let a = Address::parse("PCM:N/P/A").unwrap();
        let b = Address::parse("SMTP:b@x").unwrap();
        d.set_members(
            &gk,
            vec![a.clone(), b.clone(), Address::parse("pcm:n/p/a").unwrap()],
        );
        assert_eq!(d.members(&gk).unwrap(), &[a.clone(), b.clone()][..]);
        assert!(d.has_members());
        assert!(!d.add_member(&gk, Address::parse("smtp:B@x").unwrap()));
        assert!(d.remove_member(&gk, &b.key()));
        assert_eq!(d.members(&gk).unwrap().len(), 1);
        // Replacing the entry keeps the membership; M moves it; D drops it.
        d.upsert(g.clone());
        assert_eq!(d.members(&gk).unwrap().len(), 1);
        let mut renamed = e("Staff", "PCM:N/P/STAFF2");
        renamed.kind = EntryKind::Group;
        d.apply(Operation::Modify {
            old: g.clone(),
            new: renamed.clone(),
        });
        assert_eq!(d.members(&gk), None);
        assert_eq!(d.members(&renamed.key()).unwrap(), &[a.clone()][..]);
        d.compact();
        assert_eq!(d.members(&renamed.key()).unwrap().len(), 1);
        d.apply(Operation::Delete(renamed.clone()));
        assert_eq!(d.members(&renamed.key()), None);
        d.upsert(g.clone());
        d.set_members(&gk, vec![a]);
        d.apply(Operation::Replace(Scope::parse("PCM:N/P").unwrap()));
        assert_eq!(d.members(&gk), None);
        assert!(!d.has_members());
    }

    #[test]
    fn limits_are_reported() {
        let x = e(&"x".repeat(31), "PCM:NETWORK1234/PO/MAILBOX12345");
        let v = x.limit_violations();
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].field, "full_name");
    }
}
