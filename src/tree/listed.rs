//! The addresses a tree's lists hold before its GAL (local users, groups,
//! USR lists, the POL's externals), found by key without keeping a key: what
//! lets the reader drop the GAL entries the whole-directory view would skip.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rayon::prelude::*;

use super::data::PostOfficeData;

/// A source entry, numbered in the order the directory view inserts them:
/// local users, local groups, each USR list in `networks` order, the POL's
/// external entries.
type SourceId = u32;

/// The set of addresses held by a tree's lists before its GAL, keyed by the
/// address key's text (as [`crate::model::Address::key_into`] writes it).
///
/// Holds a source number per entry (4 bytes, no key text): a lookup
/// rebuilds the key of each candidate and compares the text, so the answer
/// is exact.
pub(super) struct ListedKeys<'d> {
    sources: Sources<'d>,
    hasher: foldhash::fast::RandomState,
    table: HashTable<SourceId>,
}

/// Where each source number's entry is in a tree's data.
struct Sources<'d> {
    data: &'d PostOfficeData,
    /// First source number of each USR list, with its (network, postoffice)
    /// positions in `data.networks`, in order.
    usr_lists: Vec<(SourceId, usize, usize)>,
    /// First source number of the USR lists, and of the POL's externals.
    usr_start: SourceId,
    pol_start: SourceId,
    /// The USR lists' keys when the reader kept keys, not entries (the
    /// scoped read, [`super::scoped`]), one arena a list: then `usr_lists`
    /// is empty and the USR sources are the arenas' keys, the arena of each
    /// starting at the source number in `arena_starts`.
    usr_keys: &'d [KeyArena],
    arena_starts: Vec<SourceId>,
    /// The arena of each kept USR key (by number from the first arena's
    /// start): found at once instead of searched for on every lookup.
    arena_of: Vec<u32>,
}

/// Address keys sharing a prefix (one USR list's `PCM:NET/PO/`), the rest
/// of each one after another in one buffer: a few bytes a key instead of a
/// `String` each.
#[derive(Debug, Default)]
pub(super) struct KeyArena {
    prefix: String,
    text: String,
    ends: Vec<u32>,
}

impl KeyArena {
    /// An empty arena of keys starting with `prefix`.
    pub(super) fn with_prefix(prefix: String) -> KeyArena {
        KeyArena {
            prefix,
            ..KeyArena::default()
        }
    }

    /// Appends a key: the prefix, then what `write` writes at the end of the
    /// buffer. A buffer past 4 GiB (far beyond any tree) would not be
    /// indexable: the key is then kept as the prefix alone rather than wrong.
    pub(super) fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        write(&mut self.text);
        let end = u32::try_from(self.text.len()).unwrap_or_else(|_| {
            self.text.truncate(start);
            u32::try_from(start).unwrap_or(u32::MAX)
        });
        self.ends.push(end);
    }

    /// Gives back the room the buffers hold beyond their keys.
    pub(super) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// The number of keys.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Key `i` as its prefix and the rest.
    pub(super) fn get(&self, i: usize) -> Option<(&str, &str)> {
        let start = match i.checked_sub(1) {
            Some(p) => *self.ends.get(p)? as usize,
            None => 0,
        };
        let end = *self.ends.get(i)? as usize;
        Some((self.prefix.as_str(), self.text.get(start..end)?))
    }
}

impl<'d> ListedKeys<'d> {
    /// Hashes the key of every entry of `data`'s lists, on every core; the
    /// USR lists' keys are also those of `usr_keys` (the scoped read keeps
    /// them instead of the entries).
    pub(super) fn new(data: &'d PostOfficeData, usr_keys: &'d [KeyArena]) -> ListedKeys<'d> {
        let mut usr_lists = Vec::new();
        let usr_start = data.users.len() + data.groups.len();
        let mut next = usr_start;
        for (ni, net) in data.networks.iter().enumerate() {
            for (pi, po) in net.postoffices.iter().enumerate() {
                usr_lists.push((id(next), ni, pi));
                next += po.entries.len();
            }
        }
        let mut arena_starts = Vec::with_capacity(usr_keys.len());
        let mut arena_of = Vec::new();
        for (a, arena) in usr_keys.iter().enumerate() {
            arena_starts.push(id(next));
            next += arena.len();
            arena_of.extend(std::iter::repeat_n(id(a), arena.len()));
        }
        let total = next + data.pol_externals.len();
        let sources = Sources {
            data,
            usr_lists,
            usr_start: id(usr_start),
            pol_start: id(next),
            usr_keys,
            arena_starts,
            arena_of,
        };
        let hasher = foldhash::fast::RandomState::default();
        let hash_of = |i: SourceId, key: &mut String| {
            key.clear();
            sources.key_into(i, key);
            hasher.hash_one(key.as_str())
        };
        let hashes: Vec<u64> = (0..total)
            .into_par_iter()
            .map_init(String::new, |key, i| hash_of(id(i), key))
            .collect();
        // Room for every entry up front: the table never grows, so the
        // re-hashing closure (which rebuilds a key) is not called.
        let mut table = HashTable::with_capacity(total);
        for (i, h) in hashes.into_iter().enumerate() {
            table.insert_unique(h, id(i), |&j| hash_of(j, &mut String::new()));
        }
        ListedKeys {
            sources,
            hasher,
            table,
        }
    }

    /// Whether a list holds the address whose key text is `key`; `scratch`
    /// is a buffer for the candidates' keys.
    pub(super) fn contains(&self, key: &str, scratch: &mut String) -> bool {
        let h = self.hasher.hash_one(key);
        self.table
            .find(h, |&i| match self.sources.kept_key(i) {
                Some((prefix, rest)) => {
                    key.len() == prefix.len() + rest.len()
                        && key.starts_with(prefix)
                        && key.ends_with(rest)
                }
                None => {
                    scratch.clear();
                    self.sources.key_into(i, scratch);
                    scratch == key
                }
            })
            .is_some()
    }
}

impl Sources<'_> {
    /// The key of source entry `i` when it is kept as text (a USR entry of
    /// the scoped read), so nothing is rebuilt to compare it.
    fn kept_key(&self, i: SourceId) -> Option<(&str, &str)> {
        if i < self.usr_start || i >= self.pol_start || self.usr_keys.is_empty() {
            return None;
        }
        let first = *self.arena_starts.first()?;
        let list = *self.arena_of.get(i.checked_sub(first)? as usize)? as usize;
        let start = *self.arena_starts.get(list)?;
        self.usr_keys.get(list)?.get((i - start) as usize)
    }

    /// Appends the key text of source entry `i` to `out`.
    fn key_into(&self, i: SourceId, out: &mut String) {
        let data = self.data;
        let i = i as usize;
        let users = data.users.len();
        let (usr_start, pol_start) = (self.usr_start as usize, self.pol_start as usize);
        if i < users {
            if let Some(u) = data.users.get(i) {
                data.local_key_into(&u.mailbox, out);
            }
        } else if i < usr_start {
            if let Some(g) = data.groups.get(i - users) {
                data.local_key_into(&g.mailbox, out);
            }
        } else if let Some((prefix, rest)) = self.kept_key(id(i)) {
            out.push_str(prefix);
            out.push_str(rest);
        } else if i < pol_start {
            // The USR list holding `i`: the last one starting at or before it.
            let at = self
                .usr_lists
                .partition_point(|&(start, _, _)| start as usize <= i);
            let list = at.checked_sub(1).and_then(|k| self.usr_lists.get(k));
            if let Some(&(start, ni, pi)) = list {
                let net = data.networks.get(ni);
                let po = net.and_then(|n| n.postoffices.get(pi));
                let entry = po.and_then(|p| p.entries.get(i - start as usize));
                if let (Some(net), Some(po), Some(u)) = (net, po, entry) {
                    PostOfficeData::key_in_into(net, po, &u.mailbox, out);
                }
            }
        } else if let Some(x) = data.pol_externals.get(i - pol_start) {
            x.address.key_into(out);
        }
    }
}

/// A source number: a tree's lists hold far fewer than 2^32 entries (that
/// would take terabytes of files).
fn id(i: usize) -> SourceId {
    SourceId::try_from(i).unwrap_or(SourceId::MAX)
}
