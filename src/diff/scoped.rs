//! Two trees compared a scope at a time ([`diff_trees`]): each tree is read
//! and checked once ([`ScopedTree`]), then the parts of one scope on both
//! sides are built and compared, a window of scopes at a time on every
//! core. The report is [`super::diff_directories`]'s for the whole
//! directories, holding a few postoffices' entries instead of two trees'.

use std::collections::BTreeSet;

use rayon::prelude::*;

use super::directories::{diff_entries, template_def_changes};
use super::{diff_directories, Counts, DirectoryDiff, ScopeDiff};
use crate::error::Result;
use crate::model::Directory;
use crate::tree::scoped::ScopedTree;

/// Scopes compared at once (on every core) before their reports are taken.
const SCOPES_AT_ONCE: usize = 8;

/// One scope to compare: its key and its part on each side.
struct Pair<'k> {
    key: &'k str,
    a: Option<usize>,
    b: Option<usize>,
}

/// Compares two trees' directories as [`super::diff_directories`] compares
/// them whole. A tree whose parts do not split by scope (see
/// [`ScopedTree::partitioned`]) is loaded whole instead.
pub fn diff_trees(a: ScopedTree, b: ScopedTree) -> Result<DirectoryDiff> {
    if !a.partitioned() || !b.partitioned() {
        let (da, db) = rayon::join(|| a.into_directory(), || b.into_directory());
        return Ok(diff_directories(&da?, &db?));
    }
    let mut defs = template_def_changes(&a.template_defs(), &b.template_defs());
    let keys_of = |t: &ScopedTree| -> Vec<String> {
        (0..t.part_count())
            .filter_map(|i| t.part_key(i).map(str::to_string))
            .collect()
    };
    let (keys_a, keys_b) = (keys_of(&a), keys_of(&b));
    let def_keys: Vec<String> = defs.keys().cloned().collect();
    let all: BTreeSet<&str> = keys_a
        .iter()
        .chain(&keys_b)
        .chain(&def_keys)
        .map(String::as_str)
        .collect();
    let find = |keys: &[String], k: &str| keys.binary_search_by(|x| x.as_str().cmp(k)).ok();
    let pairs: Vec<Pair<'_>> = all
        .iter()
        .map(|&key| Pair {
            key,
            a: find(&keys_a, key),
            b: find(&keys_b, key),
        })
        .collect();
    let mut totals = Counts::default();
    let mut scopes = Vec::new();
    for window in pairs.chunks(SCOPES_AT_ONCE) {
        let done: Vec<Result<Option<ScopeDiff>>> = window
            .par_iter()
            .map(|p| {
                if p.a.is_none() && p.b.is_none() {
                    return Ok(None);
                }
                let part = |t: &ScopedTree, i: Option<usize>| match i {
                    Some(i) => t.part(i),
                    None => Ok(Directory::new()),
                };
                let (pa, pb) = (part(&a, p.a)?, part(&b, p.b)?);
                let diff = diff_entries(&pa, &pb, Default::default());
                Ok(diff.scopes.into_iter().next())
            })
            .collect();
        for (p, scope) in window.iter().zip(done) {
            let def = defs.remove(p.key);
            match (scope?, def) {
                (Some(mut s), def) => {
                    s.template_definition = def.map(|(_, c)| c);
                    totals.add(&s.counts);
                    scopes.push(s);
                }
                // A scope with a template definition and no entries.
                (None, Some((name, change))) => scopes.push(ScopeDiff::template_only(name, change)),
                (None, None) => {}
            }
        }
    }
    Ok(DirectoryDiff { totals, scopes })
}
