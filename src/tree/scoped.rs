//! The scoped read of a tree: the tree read and checked once, exactly as the
//! whole-directory load reads it (the same warnings, findings and errors),
//! keeping each USR list's keys instead of its entries; then its directory
//! one scope at a time, in the order the writers sort scopes, each USR list
//! read again when its scope comes. Memory follows the largest scope, not
//! the whole directory: what `msmail export` of a big tree to CSV uses.
//!
//! The parts are exactly [`super::PostOffice::into_directory`]'s directory
//! cut by scope: each part is built by the same code from the same sources in
//! the same order (local users, groups, USR lists in network order, the POL's
//! externals, the GAL's unlisted entries), restricted to one scope, and an
//! address key belongs to one scope only, so "the first source of an
//! address wins" decides the same way in a part as in the whole.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::data::{ExternalPostOffice, NetworkData, PostOfficeData, UsrEntry};
use super::listed::KeyArena;
use super::open::{GalEntries, Listings, Reader};
use super::origins::Origins;
use super::read_external::{read_list, ListData};
use super::{Ctx, PostOffice};
use crate::codepage::cp850_upper_into;
use crate::error::{Error, Location, Result};
use crate::input::LoadOptions;
use crate::model::{prompt_repetitions, scope_key_of, Directory, TemplateDef, TemplateValue};

/// A `(prompt, repetition)` pair of template values: the second `Phone:` of
/// an entry is `("Phone:", 2)`.
type PromptUse = (String, usize);

/// Adds each `(prompt, repetition)` of `template` not in `seen` yet
/// (templates hold a handful of distinct prompts: a linear scan).
fn add_prompts(template: &[TemplateValue], reps: &mut Vec<usize>, seen: &mut Vec<PromptUse>) {
    prompt_repetitions(template, reps);
    for (t, &n) in template.iter().zip(reps.iter()) {
        let p = t.prompt.as_str();
        if !seen.iter().any(|(q, m)| q == p && *m == n) {
            seen.push((p.to_string(), n));
        }
    }
}

/// One USR list's keys and what the scoped writer must know of its entries,
/// made on the thread that read the list (its entries are then dropped).
pub(super) struct ListKeys {
    keys: KeyArena,
    /// The scope key every entry shares (`None`: no entries).
    scope: Option<String>,
    /// The entries fall in more than one scope (a non-PCM type whose
    /// mailbox holds `/`): the list cannot be given to one part.
    mixed: bool,
    /// Every `(prompt, repetition)` of the entries' template values.
    prompts: Vec<PromptUse>,
}

impl ListKeys {
    /// The keys of `entries`, the list of postoffice `postoffice` of `net`.
    pub(super) fn of(net: &NetworkData, postoffice: &str, entries: &[UsrEntry]) -> ListKeys {
        // Upper-casing maps each character alone, so an entry's key is the
        // key of an empty mailbox followed by the upper-cased mailbox.
        let mut prefix = String::new();
        PostOfficeData::key_named_into(net, postoffice, "", &mut prefix);
        let mut keys = KeyArena::with_prefix(prefix);
        let mut scope: Option<String> = None;
        let mut mixed = false;
        let mut prompts = Vec::new();
        let mut reps = Vec::new();
        let mut key = String::new();
        // A mailbox without `/` leaves the key's slashes where the prefix
        // has them, so its scope is that of any other such mailbox: the
        // scope key is worked out once for those.
        let mut plain_scope: Option<String> = None;
        for u in entries {
            keys.push_with(|out| cp850_upper_into(out, &u.mailbox));
            if let Some((prefix, rest)) = keys.len().checked_sub(1).and_then(|i| keys.get(i)) {
                let s = match &plain_scope {
                    Some(p) if !rest.contains('/') => p.as_str(),
                    _ => {
                        key.clear();
                        key.push_str(prefix);
                        key.push_str(rest);
                        let s = scope_key_of(&key);
                        if !rest.contains('/') {
                            plain_scope = Some(s.to_string());
                        }
                        s
                    }
                };
                match &scope {
                    None => scope = Some(s.to_string()),
                    Some(first) if first != s => mixed = true,
                    Some(_) => {}
                }
            }
            add_prompts(&u.template, &mut reps, &mut prompts);
        }
        keys.shrink_to_fit();
        ListKeys {
            keys,
            scope,
            mixed,
            prompts,
        }
    }
}

/// Where a USR list is and what its first read found: enough to read it
/// again and to check it is the same list.
#[derive(Debug, Clone)]
struct ListPlace {
    /// Positions in `PostOfficeData::networks` and its `postoffices`.
    network: usize,
    postoffice: usize,
    /// The XTN record's mailbag (the list's files are `USR/<hex>.USR`, ...).
    hex: String,
    /// The scope key its entries share (`None`: no entries).
    scope: Option<String>,
    /// Its entries at the first read.
    entries: usize,
}

/// The USR lists' keys as the scoped read keeps them (see
/// [`super::open::Reader::usr_keys`]).
#[derive(Default)]
pub(super) struct UsrKeys {
    /// Each list's keys, in list order: what the GAL's entries are
    /// checked against (dropped after that).
    pub(super) arenas: Vec<KeyArena>,
    lists: Vec<ListPlace>,
    prompts: Vec<PromptUse>,
    mixed: bool,
}

impl UsrKeys {
    /// Keeps list `keys`, the list of postoffice `postoffice` at positions
    /// (`network`, `position`), whose XTN mailbag is `hex`.
    pub(super) fn add_list(&mut self, keys: ListKeys, network: usize, position: usize, hex: &str) {
        let entries = keys.keys.len();
        self.arenas.push(keys.keys);
        self.mixed |= keys.mixed;
        for p in keys.prompts {
            if !self.prompts.contains(&p) {
                self.prompts.push(p);
            }
        }
        self.lists.push(ListPlace {
            network,
            postoffice: position,
            hex: hex.to_string(),
            scope: keys.scope,
            entries,
        });
    }
}

/// The sources of one scope's part of the directory (positions in the
/// tree's data, each in the order the whole directory takes them).
#[derive(Debug, Default)]
struct ScopePart {
    /// The scope key.
    key: String,
    /// The local users and groups are in this scope.
    local: bool,
    /// USR lists (positions in `UsrKeys::lists`).
    lists: Vec<usize>,
    /// POL external entries (positions in `pol_externals`).
    pol: Vec<usize>,
    /// GAL entries no list holds (positions in `gal`).
    gal: Vec<usize>,
}

/// A tree read for writing its directory scope by scope (see the module).
pub struct ScopedTree {
    root: PathBuf,
    listings: Listings,
    salvage: bool,
    /// The tree's data, USR lists without their entries, `gal` holding only
    /// the entries no list holds.
    data: PostOfficeData,
    origins: Origins,
    keys: UsrKeys,
    /// The parts, in scope-key order.
    parts: Vec<ScopePart>,
    /// Every source falls in one scope's part (see [`ScopedTree::partitioned`]).
    partitioned: bool,
    /// What reading the tree had to say: warnings, then findings (as
    /// `finding: ...`), as [`crate::source::load_directory`] gives them.
    pub warnings: Vec<String>,
}

impl ScopedTree {
    /// Reads and checks the tree at `maildata` (as
    /// [`crate::source::load_directory`] would: the same errors, warnings
    /// and findings), keeping its USR lists' keys, not their entries.
    pub fn open(maildata: &Path, options: &LoadOptions) -> Result<ScopedTree> {
        let (mut po, mut keys, listings) = PostOffice::open_scoped(maildata, options)?;
        let mut warnings = std::mem::take(&mut po.warnings);
        warnings.extend(po.findings.drain(..).map(|f| format!("finding: {f}")));
        let (data, origins) = po.into_parts();
        let mut reps = Vec::new();
        for u in &data.users {
            add_prompts(&u.template, &mut reps, &mut keys.prompts);
        }
        let (parts, partitioned) = partition(&data, &keys);
        let partitioned = partitioned && !keys.mixed;
        Ok(ScopedTree {
            root: maildata.to_path_buf(),
            listings,
            salvage: options.salvage,
            data,
            origins,
            keys,
            parts,
            partitioned,
            warnings,
        })
    }

    /// Whether each source (local users and groups, each USR list) falls in
    /// one scope, so the parts hold the whole directory. Not so only in a
    /// damaged or unusual tree (a gateway mailbox holding `/`); then use
    /// [`ScopedTree::into_directory`].
    pub fn partitioned(&self) -> bool {
        self.partitioned
    }

    /// The number of parts (scopes).
    pub fn part_count(&self) -> usize {
        self.parts.len()
    }

    /// The scope key of part `i` (parts are in scope-key order).
    pub fn part_key(&self, i: usize) -> Option<&str> {
        self.parts.get(i).map(|p| p.key.as_str())
    }

    /// The template definitions of the whole directory's view, by scope key
    /// (the local template first, then each USR list's, the first of a
    /// scope winning), as [`super::PostOffice::into_directory`] gives them.
    pub fn template_defs(&self) -> BTreeMap<String, TemplateDef> {
        let mut defs = BTreeMap::new();
        if let Some(t) = self.data.local_template_def() {
            defs.insert(t.scope.key(), t);
        }
        for net in &self.data.networks {
            for po in &net.postoffices {
                super::views::add_usr_template(&mut defs, net, po);
            }
        }
        defs
    }

    /// Every `(prompt, repetition)` the entries' template values use (the
    /// local users' and every USR entry's, an entry a later source repeats
    /// too), each once.
    pub fn template_prompts(&self) -> impl Iterator<Item = (&str, usize)> {
        self.keys.prompts.iter().map(|(p, n)| (p.as_str(), *n))
    }

    /// Part `i` of the directory (in scope-key order): its USR lists are
    /// read again. Errors when a list no longer holds what it held at the
    /// first read (the files changed meanwhile).
    pub fn part(&self, i: usize) -> Result<Directory> {
        let Some(part) = self.parts.get(i) else {
            return Ok(Directory::new());
        };
        let data = &self.data;
        let mut slice = PostOfficeData::new(data.network.clone(), data.postoffice.clone());
        if part.local {
            slice.users = data.users.clone();
            slice.groups = data.groups.clone();
            slice.local_template = data.local_template.clone();
        }
        let mut usr_origins = Origins::default();
        // The original position of each network pushed to `slice.networks`.
        let mut from_network: Vec<usize> = Vec::new();
        for &li in &part.lists {
            let Some(place) = self.keys.lists.get(li) else {
                continue;
            };
            let (net, po) = self.place(place)?;
            let (_, entries, usr) = self.read_again(place, net, po)?;
            if from_network.last() != Some(&place.network) {
                from_network.push(place.network);
                slice.networks.push(NetworkData {
                    postoffices: Vec::new(),
                    ..net.clone()
                });
            }
            let ni = slice.networks.len() - 1;
            let Some(slice_net) = slice.networks.last_mut() else {
                continue;
            };
            if let Some((file, records)) = usr {
                usr_origins.add_usr_list(ni, slice_net.postoffices.len(), &file, records);
            }
            slice_net.postoffices.push(ExternalPostOffice {
                entries,
                ..po.clone()
            });
        }
        slice.pol_externals = part
            .pol
            .iter()
            .filter_map(|&i| data.pol_externals.get(i).cloned())
            .collect();
        slice.gal = part
            .gal
            .iter()
            .filter_map(|&i| data.gal.get(i).cloned())
            .collect();
        let o = &self.origins;
        let gal_len = data.gal.len();
        let u = &usr_origins;
        Ok(slice.into_directory_with(
            &|k| o.listed(k),
            &|ni, pi, j, len| u.usr_origin(ni, pi, j, len),
            &|j| part.gal.get(j).and_then(|&g| o.gal_origin(gal_len, g)),
        ))
    }

    /// The whole directory at once, as [`crate::source::load_directory`]
    /// gives it (every USR list read again, on every core): for what the
    /// parts cannot do (a tree that is not [`ScopedTree::partitioned`], an
    /// output that needs every entry before the first).
    pub fn into_directory(mut self) -> Result<Directory> {
        let reads: Vec<Result<ListData>> = {
            let this = &self;
            this.keys
                .lists
                .par_iter()
                .map(|place| {
                    let (net, po) = this.place(place)?;
                    this.read_again(place, net, po)
                })
                .collect()
        };
        for (place, read) in self.keys.lists.iter().zip(reads) {
            let (_, entries, usr) = read?;
            if let Some((file, records)) = usr {
                self.origins
                    .add_usr_list(place.network, place.postoffice, &file, records);
            }
            if let Some(po) = self
                .data
                .networks
                .get_mut(place.network)
                .and_then(|n| n.postoffices.get_mut(place.postoffice))
            {
                po.entries = entries;
            }
        }
        let ScopedTree { data, origins, .. } = self;
        Ok(super::postoffice::directory_of(data, &origins))
    }

    /// The network and postoffice a list place names.
    fn place(&self, place: &ListPlace) -> Result<(&NetworkData, &ExternalPostOffice)> {
        let net = self.data.networks.get(place.network);
        match net.and_then(|n| n.postoffices.get(place.postoffice).map(|p| (n, p))) {
            Some(found) => Ok(found),
            None => Err(Error::input(
                format!("{}/XTN", self.root.display()),
                Location::File,
                format!("the USR list {} has no postoffice record", place.hex),
            )),
        }
    }

    /// Reads the list at `place` again (its warnings were told at the first
    /// read) and checks it holds as many entries as then.
    fn read_again(
        &self,
        place: &ListPlace,
        net: &NetworkData,
        po: &ExternalPostOffice,
    ) -> Result<ListData> {
        let mut r = Reader {
            root: &self.root,
            ctx: Ctx::new(self.salvage),
            unrepresentable: 0,
            origins: Origins::default(),
            listings: std::sync::Arc::clone(&self.listings),
            gal_entries: GalEntries::Unlisted,
            keep_usr_origins: true,
            usr_keys: None,
        };
        let read = read_list(&mut r, &place.hex, &net.name, &po.name)?;
        if read.1.len() != place.entries {
            let file = match &read.2 {
                Some((file, _)) => file.clone(),
                None => format!("{}/USR/{}.USR", self.root.display(), place.hex),
            };
            return Err(Error::input(
                file,
                Location::File,
                format!(
                    "changed while it was being read: {} entries at the first read, {} now",
                    place.entries,
                    read.1.len()
                ),
            ));
        }
        Ok(read)
    }
}

/// The parts of `data`'s directory by scope key, and whether every source
/// falls in one part (see [`ScopedTree::partitioned`]).
fn partition(data: &PostOfficeData, keys: &UsrKeys) -> (Vec<ScopePart>, bool) {
    let mut parts: BTreeMap<String, ScopePart> = BTreeMap::new();
    fn part<'p>(parts: &'p mut BTreeMap<String, ScopePart>, key: &str) -> &'p mut ScopePart {
        parts.entry(key.to_string()).or_insert_with(|| ScopePart {
            key: key.to_string(),
            ..ScopePart::default()
        })
    }
    let mut partitioned = true;
    let mut key = String::new();
    let mut local: Option<String> = None;
    let mailboxes = data.users.iter().map(|u| &u.mailbox);
    for mailbox in mailboxes.chain(data.groups.iter().map(|g| &g.mailbox)) {
        key.clear();
        data.local_key_into(mailbox, &mut key);
        let s = scope_key_of(&key);
        match &local {
            None => local = Some(s.to_string()),
            Some(first) if first != s => partitioned = false,
            Some(_) => {}
        }
    }
    if let Some(s) = &local {
        part(&mut parts, s).local = true;
    }
    for (i, l) in keys.lists.iter().enumerate() {
        if let Some(s) = &l.scope {
            part(&mut parts, s).lists.push(i);
        }
    }
    for (i, x) in data.pol_externals.iter().enumerate() {
        key.clear();
        x.address.key_into(&mut key);
        part(&mut parts, scope_key_of(&key)).pol.push(i);
    }
    for (i, x) in data.gal.iter().enumerate() {
        key.clear();
        x.address.key_into(&mut key);
        part(&mut parts, scope_key_of(&key)).gal.push(i);
    }
    (parts.into_values().collect(), partitioned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_arena_gives_back_what_it_was_given() {
        let mut a = KeyArena::default();
        for k in ["PCM:A/B/C", "", "SMTP:x@y"] {
            a.push_with(|out| out.push_str(k));
        }
        let back: Vec<(&str, &str)> = (0..a.len()).filter_map(|i| a.get(i)).collect();
        assert_eq!(back, [("", "PCM:A/B/C"), ("", ""), ("", "SMTP:x@y")]);
        assert_eq!(a.get(3), None);
    }
}
