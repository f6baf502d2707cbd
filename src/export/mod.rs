//! Migration outputs of a [`Directory`](crate::model::Directory): CSV, LDIF
//! (content and change records) and JSON. The import-text writer lives in
//! [`crate::importtext`].

use std::collections::HashMap;

use crate::model::{Address, AddressKey, Directory, Entry, FREE_FORM_TYPES};

pub mod csv;
pub mod json;
pub mod ldif;

/// [`Address::parts`] without its per-call allocation (the type is compared
/// case-insensitively instead of upper-cased): the same answer for every
/// address.
pub(crate) fn address_parts(a: &Address) -> Option<(&str, &str, &str)> {
    let ty = a.type_name.as_str();
    if FREE_FORM_TYPES.iter().any(|t| t.eq_ignore_ascii_case(ty)) {
        return None;
    }
    let mut it = a.body.splitn(3, '/');
    let (x, y, z) = (it.next()?, it.next()?, it.next()?);
    if z.contains('/') && !a.is_pcm() {
        return None;
    }
    Some((x, y, z))
}

/// The entries of `dir` in exactly [`Directory::sorted`] order (scope key, then
/// address key), computed cache-friendly for large directories: entries are
/// first bucketed by scope (a counting sort over the few distinct scope keys),
/// then each bucket is sorted by address key. A bucket's keys stay in cache
/// while it is sorted, where one sort over a million keys chases a pointer per
/// comparison.
pub fn sorted_entries(dir: &Directory) -> Vec<&Entry> {
    let mut scope_id: HashMap<&str, u32, foldhash::fast::RandomState> = HashMap::default();
    let mut scopes: Vec<&str> = Vec::new();
    let mut keyed: Vec<(u32, &AddressKey, &Entry)> = Vec::with_capacity(dir.len());
    for (k, e) in dir.iter_keyed() {
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
    placed.into_iter().map(|(_, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Address;

    #[test]
    fn address_parts_matches_the_model() {
        for a in [
            "PCM:A/B/C",
            "pcm:a/b/c/d",
            "CSI:A/B/C",
            "PROFS:G/N/U",
            "PROFS:G/N/U/V",
            "smtp:a/b/c",
            "Smtp:x@y",
            "X400:c=us/a=b/p=c",
            "3com:a/b/c",
            "FAX:123",
            "PCM:A/B",
            "PCM:",
            "MCI:1/2/3",
        ] {
            let a = Address::parse(a).unwrap();
            assert_eq!(address_parts(&a), a.parts(), "{a}");
        }
    }

    #[test]
    fn sorted_entries_matches_directory_sorted() {
        let addrs = [
            "PCM:A/B/X",
            "PCM:A/B C/Y",
            "PCM:a/b/w",
            "CSI:A/B/V",
            "SMTP:z@x",
            "SMTP:a@x",
            "PROFS:G/N/U",
            "PCM:A/B/X/Y",
            "X400:c=us",
            "PCM:A/BB/X",
            "PCM:A/B-/X",
        ];
        let mut d: Directory = addrs
            .iter()
            .map(|a| Entry::new("n", Address::parse(a).unwrap()))
            .collect();
        for i in 0..2000 {
            d.upsert(Entry::new(
                "m",
                Address::pcm(
                    &format!("N{}", i % 7),
                    &format!("P{}", i % 13),
                    &format!("U{i}"),
                ),
            ));
        }
        let want: Vec<String> = d.sorted().iter().map(|e| e.address.to_string()).collect();
        let got: Vec<String> = sorted_entries(&d)
            .iter()
            .map(|e| e.address.to_string())
            .collect();
        assert_eq!(got.len(), d.len());
        assert_eq!(got, want);
        assert!(sorted_entries(&Directory::new()).is_empty());
    }
}
