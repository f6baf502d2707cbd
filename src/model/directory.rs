//! [`Directory`]: entries keyed by address identity, with the scope and
//! group-member indexes, and the import-file [`Operation`]s it applies
//! ([`Applied`] says what one did).

use super::address::{Address, AddressKey, Scope};
use super::entry::{Entry, TemplateDef};
use hashbrown::HashTable;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// Hash maps of the model: foldhash is several times faster than SipHash on
/// short keys and still seeded per process (no crafted-collision blow-up).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

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
    /// Entries in insertion order; a removed entry leaves `None`.
    slots: Vec<Option<Entry>>,
    /// `keys[i]` is the key of `slots[i]` (emptied with its slot): each key
    /// is stored once, here, and the index holds only slot numbers.
    keys: Vec<AddressKey>,
    /// Slot numbers of the live entries, hashed by their key (4 bytes an
    /// entry instead of a second copy of the key).
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    by_scope: FastMap<String, Vec<u32>>,
    /// Template definitions by scope key.
    pub templates: BTreeMap<String, TemplateDef>,
    members: FastMap<AddressKey, Vec<Address>>,
    live: usize,
}

/// A directory taken apart by [`Directory::into_keyed`].
#[derive(Debug, Default)]
pub(crate) struct KeyedParts {
    /// Entries with their keys, in insertion order.
    pub(crate) entries: Vec<(AddressKey, Entry)>,
    /// Membership rows.
    pub(crate) members: Vec<(AddressKey, Vec<Address>)>,
    /// Template definitions by scope key.
    pub(crate) templates: BTreeMap<String, TemplateDef>,
}

/// A slot number as the index stores it. A directory never holds 2^32
/// entries (that would take terabytes), so the conversion cannot lose bits.
fn slot_id(i: usize) -> u32 {
    debug_assert!(u32::try_from(i).is_ok());
    i as u32
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

    fn hash_key(hasher: &foldhash::fast::RandomState, key: &AddressKey) -> u64 {
        hasher.hash_one(key.0.as_str())
    }

    /// The slot of the live entry with this identity.
    fn find(&self, key: &AddressKey) -> Option<usize> {
        let h = Self::hash_key(&self.hasher, key);
        let keys = &self.keys;
        self.index
            .find(h, |&i| keys.get(i as usize) == Some(key))
            .map(|&i| i as usize)
    }

    /// Appends a new entry under `key` (which must be its `key()` and
    /// absent), whose hash is `h`.
    fn push_new(&mut self, h: u64, key: AddressKey, entry: Entry) {
        let i = self.slots.len();
        match self.by_scope.get_mut(key.scope_key()) {
            Some(list) => list.push(slot_id(i)),
            None => {
                self.by_scope
                    .insert(key.scope_key().to_string(), vec![slot_id(i)]);
            }
        }
        self.push_hashed(h, key, entry);
    }

    /// The slot of the live entry with this identity, its hash given.
    fn find_hashed(&self, h: u64, key: &str) -> Option<usize> {
        let keys = &self.keys;
        self.index
            .find(h, |&i| keys.get(i as usize).is_some_and(|k| k.0 == key))
            .map(|&i| i as usize)
    }

    /// [`Directory::push_new`] of an entry whose slot is already recorded
    /// under its scope.
    fn push_hashed(&mut self, h: u64, key: AddressKey, entry: Entry) {
        let i = self.slots.len();
        let Directory {
            index,
            keys,
            hasher,
            ..
        } = self;
        index.insert_unique(h, slot_id(i), |&j| {
            keys.get(j as usize)
                .map_or(0, |k| Self::hash_key(hasher, k))
        });
        self.keys.push(key);
        self.slots.push(Some(entry));
        self.live += 1;
    }

    /// Takes slot `i` out of the index and empties it (its key too).
    fn vacate(&mut self, i: usize) -> Option<Entry> {
        let entry = self.slots.get_mut(i)?.take()?;
        let key = self.keys.get_mut(i).map(std::mem::take).unwrap_or_default();
        let h = Self::hash_key(&self.hasher, &key);
        if let Ok(slot) = self.index.find_entry(h, |&j| j as usize == i) {
            slot.remove();
        }
        self.members.remove(&key);
        self.live -= 1;
        Some(entry)
    }

    /// The entry with this identity.
    pub fn get(&self, key: &AddressKey) -> Option<&Entry> {
        self.find(key).and_then(|i| self.slots.get(i)?.as_ref())
    }

    /// True when an entry with this identity is present.
    pub fn contains_key(&self, key: &AddressKey) -> bool {
        self.find(key).is_some()
    }

    /// [`Directory::contains_key`] for a key's text (as
    /// [`crate::model::Address::key_into`] writes it), without building a key.
    pub fn contains_key_text(&self, key: &str) -> bool {
        let h = self.hasher.hash_one(key);
        let keys = &self.keys;
        self.index
            .find(h, |&i| keys.get(i as usize).is_some_and(|k| k.0 == key))
            .is_some()
    }

    /// Inserts or replaces (by identity). A replaced entry keeps its position
    /// and is returned.
    pub fn upsert(&mut self, entry: Entry) -> Option<Entry> {
        self.upsert_keyed(entry.key(), entry)
    }

    /// Inserts the entry `make` builds under `key` (which must be its
    /// `key()`) unless an entry with that identity is present; true when
    /// inserted. `make` only runs when the key is new, so readers that
    /// already computed the key build nothing for duplicates.
    pub(crate) fn insert_new_with(
        &mut self,
        key: AddressKey,
        make: impl FnOnce(&AddressKey) -> Entry,
    ) -> bool {
        let h = Self::hash_key(&self.hasher, &key);
        if self.find_hashed(h, &key.0).is_some() {
            return false;
        }
        let entry = make(&key);
        self.push_new(h, key, entry);
        true
    }

    /// Inserts each entry of `batch` (keyed; each key must be its entry's
    /// `key()`) whose key is not present yet, in order: the first entry of
    /// a key wins, as [`Directory::insert_new_with`] one at a time would.
    /// The hashes and scopes are worked out on every core first; only the
    /// index and the tables are filled one entry after the other. Returns
    /// how many were inserted.
    pub(crate) fn extend_new(&mut self, batch: Vec<(AddressKey, Entry)>) -> usize {
        use rayon::prelude::*;
        let hasher = &self.hasher;
        let hashed: Vec<(u64, usize)> = batch
            .par_iter()
            .with_min_len(1024)
            .map(|(k, _)| (Self::hash_key(hasher, k), k.scope_key().len()))
            .collect();
        self.reserve(batch.len());
        let mut inserted = 0usize;
        // Slots of the run of entries in the same scope, recorded under it
        // when the scope changes (one lookup a run, not one an entry).
        let mut run: Option<(String, Vec<u32>)> = None;
        for ((key, entry), (h, scope_len)) in batch.into_iter().zip(hashed) {
            if self.find_hashed(h, &key.0).is_some() {
                continue;
            }
            let scope = key.0.get(..scope_len).unwrap_or_default();
            match &mut run {
                Some((s, slots)) if s == scope => slots.push(slot_id(self.slots.len())),
                _ => {
                    if let Some((s, slots)) = run.take() {
                        self.by_scope.entry(s).or_default().extend(slots);
                    }
                    run = Some((scope.to_string(), vec![slot_id(self.slots.len())]));
                }
            }
            self.push_hashed(h, key, entry);
            inserted += 1;
        }
        if let Some((s, slots)) = run {
            self.by_scope.entry(s).or_default().extend(slots);
        }
        inserted
    }

    /// [`Directory::upsert`] of an entry whose key the caller has (it must
    /// be `entry.key()`): no key computed again.
    pub(crate) fn upsert_keyed(&mut self, key: AddressKey, entry: Entry) -> Option<Entry> {
        debug_assert!(key == entry.key());
        // One hash of the key for the lookup and the insertion.
        let h = Self::hash_key(&self.hasher, &key);
        if let Some(i) = self.find_hashed(h, &key.0) {
            return self.slots.get_mut(i)?.replace(entry);
        }
        self.push_new(h, key, entry);
        None
    }

    /// Takes the directory apart without computing a key or a hash: its
    /// entries with their keys in insertion order, its membership rows (in
    /// no particular order) and its template definitions.
    pub(crate) fn into_keyed(self) -> KeyedParts {
        let entries = self
            .keys
            .into_iter()
            .zip(self.slots)
            .filter_map(|(k, e)| e.map(|e| (k, e)))
            .collect();
        KeyedParts {
            entries,
            members: self.members.into_iter().collect(),
            templates: self.templates,
        }
    }

    /// Removes the entry with this identity (and its membership row).
    pub fn remove(&mut self, key: &AddressKey) -> Option<Entry> {
        let i = self.find(key)?;
        self.vacate(i)
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
        list.into_iter()
            .filter(|&i| self.vacate(i as usize).is_some())
            .count()
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

    /// Entries with their keys, in insertion order (cheap: keys are stored).
    pub fn iter_keyed(&self) -> impl Iterator<Item = (&AddressKey, &Entry)> {
        self.keys
            .iter()
            .zip(&self.slots)
            .filter_map(|(k, e)| e.as_ref().map(|e| (k, e)))
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
        self.keys.reserve(additional);
        let Directory {
            index,
            keys,
            hasher,
            ..
        } = self;
        index.reserve(additional, |&j| {
            keys.get(j as usize)
                .map_or(0, |k| Self::hash_key(hasher, k))
        });
    }

    /// The distinct scopes present, sorted by key.
    pub fn scopes(&self) -> Vec<Scope> {
        let mut m: BTreeMap<&str, Scope> = BTreeMap::new();
        for (k, list) in &self.by_scope {
            if let Some(e) = list
                .iter()
                .find_map(|&i| self.slots.get(i as usize)?.as_ref())
            {
                m.entry(k.as_str()).or_insert_with(|| e.scope());
            }
        }
        m.into_values().collect()
    }

    /// Entries of one scope, sorted by address key.
    pub fn in_scope(&self, scope: &Scope) -> Vec<&Entry> {
        let k = scope.key();
        let mut v: Vec<(&AddressKey, &Entry)> = self
            .by_scope
            .get(&k)
            .map(|l| {
                l.iter()
                    .filter_map(|&i| {
                        let i = i as usize;
                        Some((self.keys.get(i)?, self.slots.get(i)?.as_ref()?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort_unstable_by(|a, b| a.0.cmp(b.0));
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
