//! The address lists a [`PostOfficeData`] holds as [`Directory`] values (POL,
//! USR lists, groups, GAL, everything), with or without record origins.

use super::data::{ExternalPostOffice, ListEntry, LocalUser, NetworkData, PostOfficeData};
use super::origins::FastMap;
use crate::model::{
    Address, AddressKey, Directory, Entry, EntryKind, Origin, Scope, TemplateDef, TemplateValue,
};
use rayon::prelude::*;

impl PostOfficeData {
    /// The postoffice address list: local users not excluded from Dir-Sync,
    /// groups, and the external entries of ADMIN.NME.
    pub fn pol(&self) -> Directory {
        self.pol_with(&no_origin)
    }

    pub(crate) fn pol_with(&self, of: OriginOf<'_>) -> Directory {
        let mut d = Directory::new();
        for u in self.users.iter().filter(|u| !u.excluded) {
            insert_new(&mut d, self.user_entry(u), of);
        }
        for g in &self.groups {
            insert_new(&mut d, self.group_entry(g), of);
        }
        self.add_members(&mut d);
        for x in &self.pol_externals {
            insert_new(
                &mut d,
                Entry::new(x.full_name.clone(), x.address.clone()),
                of,
            );
        }
        if let Some(t) = self.local_template_def() {
            d.templates.insert(t.scope.key(), t);
        }
        d
    }

    /// The local groups as a directory (kind group).
    pub fn groups_directory(&self) -> Directory {
        self.groups_with(&no_origin)
    }

    pub(crate) fn groups_with(&self, of: OriginOf<'_>) -> Directory {
        let mut d = Directory::new();
        for g in &self.groups {
            insert_new(&mut d, self.group_entry(g), of);
        }
        self.add_members(&mut d);
        d
    }

    /// Records each local group's members (its ADMIN.GRP chain) in `d`, for
    /// the groups that are group entries of `d`.
    fn add_members(&self, d: &mut Directory) {
        for g in &self.groups {
            let k = self.local_address(&g.mailbox).key();
            if d.get(&k).is_some_and(|e| e.kind == EntryKind::Group) {
                d.set_members(&k, g.members.clone());
            }
        }
    }

    /// The USR list of one external postoffice, with its template definition.
    pub fn usr_list(&self, network: &str, postoffice: &str) -> Option<Directory> {
        self.usr_list_with(network, postoffice, &no_usr_origin)
    }

    /// The USR list of external postoffice `postoffice` of network `network`
    /// (indexes in NETWORK/XTN order), equal to [`PostOfficeData::usr_list`]'s,
    /// with the entries moved out of the data (left empty) instead of copied:
    /// for callers done with the tree's entries (reconcile).
    pub fn take_usr_list(&mut self, network: usize, postoffice: usize) -> Option<Directory> {
        let entries = std::mem::take(
            &mut self
                .networks
                .get_mut(network)?
                .postoffices
                .get_mut(postoffice)?
                .entries,
        );
        let net = self.networks.get(network)?;
        let po = net.postoffices.get(postoffice)?;
        let mut d = Directory::new();
        for u in entries {
            let address = PostOfficeData::address_in(net, po, &u.mailbox);
            insert_keyed(&mut d, address.key(), &no_origin, || {
                usr_list_entry(u.full_name.to_string(), address, u.kind, u.template)
            });
        }
        add_usr_template(&mut d.templates, net, po);
        Some(d)
    }

    /// [`PostOfficeData::usr_list`]; `origin_of(k, j)` gives the origin of
    /// entry `j` of the list, whose key is `k`.
    pub(crate) fn usr_list_with(
        &self,
        network: &str,
        postoffice: &str,
        origin_of: UsrOriginOf<'_>,
    ) -> Option<Directory> {
        let (net, po) = self.external(network, postoffice)?;
        let mut d = Directory::new();
        add_usr_list(&mut d, net, po, origin_of);
        Some(d)
    }

    /// Every external postoffice / node with its scope, in NETWORK/XTN order.
    pub fn external_postoffices(&self) -> Vec<(Scope, &ExternalPostOffice)> {
        self.networks
            .iter()
            .flat_map(|n| n.postoffices.iter().map(move |p| (Self::scope_of(n, p), p)))
            .collect()
    }

    /// The global address list.
    pub fn gal(&self) -> Directory {
        self.gal_with(&no_gal_origin)
    }

    /// The GAL's entries, with local users' template data and group kinds;
    /// `gal_of(j)` is the origin of `self.gal[j]`.
    pub(crate) fn gal_with(&self, gal_of: GalOriginOf<'_>) -> Directory {
        let local: FastMap<AddressKey, &LocalUser> = self
            .users
            .iter()
            .map(|u| (self.local_address(&u.mailbox).key(), u))
            .collect();
        let groups: FastMap<AddressKey, ()> = self
            .groups
            .iter()
            .map(|g| self.local_address(&g.mailbox).key())
            .chain(self.networks.iter().flat_map(|n| {
                n.postoffices.iter().flat_map(move |p| {
                    p.entries
                        .iter()
                        .filter(|u| u.kind == EntryKind::Group)
                        .map(move |u| Self::address_in(n, p, &u.mailbox).key())
                })
            }))
            .map(|k| (k, ()))
            .collect();
        let mut d = Directory::new();
        d.reserve(self.gal.len());
        for (j, x) in self.gal.iter().enumerate() {
            d.insert_new_with(x.address.key(), |k| {
                let mut e = Entry::new(x.full_name.clone(), x.address.clone());
                if let Some(u) = local.get(k) {
                    e.template = u.template.clone();
                } else if groups.contains_key(k) {
                    e.kind = EntryKind::Group;
                }
                if let Some(o) = gal_of(j) {
                    e.origin = o;
                }
                e
            });
        }
        self.add_members(&mut d);
        d
    }

    /// The whole directory, each address once: all local users (excluded ones
    /// too), groups, every USR list, the POL's externals, then the GAL; the
    /// first source of an address wins. Template definitions for every scope
    /// that has one.
    pub fn directory(&self) -> Directory {
        self.directory_with(&no_origin, &no_usr_list_origin, &no_gal_origin)
    }

    /// [`PostOfficeData::directory`]; `of` gives origins by address, `gal_of`
    /// the origin of `self.gal[j]` (an entry first seen in the GAL).
    ///
    /// `usr_of(network, postoffice, j, len)` gives the origin of entry `j` of
    /// a USR list of `len` entries (positions in `self.networks`); it comes
    /// before `of`: a USR entry the directory keeps is the first of its
    /// address, so its own record is where it was read from.
    pub(crate) fn directory_with(
        &self,
        of: OriginOf<'_>,
        usr_of: UsrListOriginOf<'_>,
        gal_of: GalOriginOf<'_>,
    ) -> Directory {
        let mut d = Directory::new();
        d.reserve(self.entry_count_hint());
        for u in &self.users {
            let address = self.local_address(&u.mailbox);
            insert_keyed(&mut d, address.key(), of, || {
                let mut e = Entry::new(u.full_name.clone(), address);
                e.template = u.template.clone();
                e
            });
        }
        for g in &self.groups {
            insert_new(&mut d, self.group_entry(g), of);
        }
        self.add_members(&mut d);
        if let Some(t) = self.local_template_def() {
            d.templates.insert(t.scope.key(), t);
        }
        for (ni, net) in self.networks.iter().enumerate() {
            for (pi, po) in net.postoffices.iter().enumerate() {
                let len = po.entries.len();
                add_usr_list(&mut d, net, po, &|k, j| {
                    usr_of(ni, pi, j, len).or_else(|| of(k))
                });
            }
        }
        for x in &self.pol_externals {
            let k = x.address.key();
            insert_keyed(&mut d, k, of, || {
                Entry::new(x.full_name.clone(), x.address.clone())
            });
        }
        // Every local user, local group and USR entry is in `d` already, so a
        // GAL entry that is still new is a plain external user: the kind and
        // template lookups of `gal_entries` cannot change it.
        let listed = listed_already(&d, &self.gal);
        for ((j, x), listed) in self.gal.iter().enumerate().zip(listed) {
            if listed {
                continue;
            }
            let of_j = |k: &AddressKey| of(k).or_else(|| gal_of(j));
            insert_keyed(&mut d, x.address.key(), &of_j, || {
                Entry::new(x.full_name.clone(), x.address.clone())
            });
        }
        d
    }

    /// The same directory as [`PostOfficeData::directory`], built by moving
    /// the data's strings instead of copying them (one copy in memory, not two).
    pub fn into_directory(self) -> Directory {
        self.into_directory_with(&no_origin, &no_usr_list_origin, &no_gal_origin)
    }

    pub(crate) fn into_directory_with(
        self,
        of: OriginOf<'_>,
        usr_of: UsrListOriginOf<'_>,
        gal_of: GalOriginOf<'_>,
    ) -> Directory {
        let mut d = Directory::new();
        d.reserve(self.entry_count_hint());
        let local_template = self.local_template_def();
        let PostOfficeData {
            network,
            postoffice,
            users,
            groups,
            networks,
            pol_externals,
            gal,
            ..
        } = self;
        for u in users {
            let address = Address::pcm(&network, &postoffice, &u.mailbox);
            insert_keyed(&mut d, address.key(), of, || {
                let mut e = Entry::new(u.full_name, address);
                e.template = u.template;
                e
            });
        }
        for g in groups {
            let address = Address::pcm(&network, &postoffice, &g.mailbox);
            let k = address.key();
            insert_keyed(&mut d, k.clone(), of, || {
                let mut e = Entry::new(g.name, address);
                e.kind = EntryKind::Group;
                e
            });
            if d.get(&k).is_some_and(|e| e.kind == EntryKind::Group) {
                d.set_members(&k, g.members);
            }
        }
        if let Some(t) = local_template {
            d.templates.insert(t.scope.key(), t);
        }
        for (ni, mut net) in networks.into_iter().enumerate() {
            let mut postoffices: Vec<(usize, ExternalPostOffice)> =
                std::mem::take(&mut net.postoffices)
                    .into_iter()
                    .enumerate()
                    .collect();
            // The USR lists' entries are made and keyed on every core a few
            // lists at a time, then inserted in list order (first wins).
            for group in postoffices.chunks_mut(LISTS_AT_ONCE) {
                let batches: Vec<Vec<(AddressKey, Entry)>> = group
                    .par_iter_mut()
                    .map(|(pi, po)| {
                        let entries = std::mem::take(&mut po.entries);
                        let len = entries.len();
                        let (net, po, pi) = (&net, &*po, *pi);
                        entries
                            .into_iter()
                            .enumerate()
                            .map(|(j, u)| {
                                let address = PostOfficeData::address_in(net, po, &u.mailbox);
                                let k = address.key();
                                let mut e = Entry::new(u.full_name, address);
                                e.kind = u.kind;
                                e.template = u.template;
                                if let Some(o) = usr_of(ni, pi, j, len).or_else(|| of(&k)) {
                                    e.origin = o;
                                }
                                (k, e)
                            })
                            .collect()
                    })
                    .collect();
                for ((_, po), batch) in group.iter().zip(batches) {
                    d.extend_new(batch);
                    add_usr_template(&mut d.templates, &net, po);
                }
            }
        }
        for x in pol_externals {
            let k = x.address.key();
            insert_keyed(&mut d, k, of, || Entry::new(x.full_name, x.address));
        }
        let listed = listed_already(&d, &gal);
        for ((j, x), listed) in gal.into_iter().enumerate().zip(listed) {
            if listed {
                continue;
            }
            let of_j = |k: &AddressKey| of(k).or_else(|| gal_of(j));
            insert_keyed(&mut d, x.address.key(), &of_j, || {
                Entry::new(x.full_name, x.address)
            });
        }
        d
    }

    /// An upper bound of the entries [`PostOfficeData::directory`] holds.
    fn entry_count_hint(&self) -> usize {
        let usr: usize = self
            .networks
            .iter()
            .flat_map(|n| n.postoffices.iter())
            .map(|p| p.entries.len())
            .sum();
        (self.users.len() + self.groups.len() + usr + self.pol_externals.len()).max(self.gal.len())
    }
}

/// External postoffices whose USR entries are made at once (on every core)
/// before they are inserted.
const LISTS_AT_ONCE: usize = 16;

/// For each GAL entry, whether `d` (every list, before the GAL) holds its
/// address already: looked up on every core, each key's text in one reused
/// buffer per thread (no key is built for the million entries a big GAL
/// shares with the lists). An entry not listed may still repeat an earlier
/// GAL entry; inserting it only if new settles that.
fn listed_already(d: &Directory, gal: &[ListEntry]) -> Vec<bool> {
    gal.par_iter()
        .map_init(String::new, |key, x| {
            key.clear();
            x.address.key_into(key);
            d.contains_key_text(key)
        })
        .collect()
}

/// Looks up where an address was read from.
pub(crate) type OriginOf<'a> = &'a (dyn Fn(&AddressKey) -> Option<Origin> + Sync);

fn no_origin(_: &AddressKey) -> Option<Origin> {
    None
}

/// Looks up the origin of entry `j` of a USR list by its key and position.
pub(crate) type UsrOriginOf<'a> = &'a (dyn Fn(&AddressKey, usize) -> Option<Origin> + Sync);

fn no_usr_origin(_: &AddressKey, _: usize) -> Option<Origin> {
    None
}

/// Looks up the origin of entry `j` of the USR list of (network,
/// postoffice) positions in `PostOfficeData::networks`, a list of `len`
/// entries: `(network, postoffice, j, len)`.
pub(crate) type UsrListOriginOf<'a> =
    &'a (dyn Fn(usize, usize, usize, usize) -> Option<Origin> + Sync);

fn no_usr_list_origin(_: usize, _: usize, _: usize, _: usize) -> Option<Origin> {
    None
}

/// Looks up the origin of the GAL entry at a position of `PostOfficeData::gal`.
pub(crate) type GalOriginOf<'a> = &'a (dyn Fn(usize) -> Option<Origin> + Sync);

fn no_gal_origin(_: usize) -> Option<Origin> {
    None
}

fn insert_new(d: &mut Directory, e: Entry, of: OriginOf<'_>) {
    let k = e.key();
    insert_keyed(d, k, of, || e);
}

/// Inserts the entry `make` builds under `k` unless `k` is present; the entry
/// is only built (its strings cloned) when it is inserted.
fn insert_keyed(d: &mut Directory, k: AddressKey, of: OriginOf<'_>, make: impl FnOnce() -> Entry) {
    d.insert_new_with(k, |k| {
        let mut e = make();
        if let Some(o) = of(k) {
            e.origin = o;
        }
        e
    });
}

/// Adds a USR list's entries (each unless its address is there already);
/// `origin_of(k, j)` gives the origin of entry `j`, whose key is `k`.
fn add_usr_list(
    d: &mut Directory,
    net: &NetworkData,
    po: &ExternalPostOffice,
    origin_of: UsrOriginOf<'_>,
) {
    for (j, u) in po.entries.iter().enumerate() {
        let address = PostOfficeData::address_in(net, po, &u.mailbox);
        let of_j = |k: &AddressKey| origin_of(k, j);
        insert_keyed(d, address.key(), &of_j, || {
            usr_list_entry(u.full_name.to_string(), address, u.kind, u.template.clone())
        });
    }
    add_usr_template(&mut d.templates, net, po);
}

/// The entry of a USR record in a USR list view.
fn usr_list_entry(
    full_name: String,
    address: Address,
    kind: EntryKind,
    template: Vec<TemplateValue>,
) -> Entry {
    let mut e = Entry::new(full_name, address);
    e.kind = kind;
    e.template = template;
    e
}

/// Adds the template definition of postoffice `po` of `net` to `templates`
/// unless its scope has one already (the first of a scope wins).
pub(super) fn add_usr_template(
    templates: &mut std::collections::BTreeMap<String, TemplateDef>,
    net: &NetworkData,
    po: &ExternalPostOffice,
) {
    if !po.template.is_empty() {
        let t = TemplateDef {
            scope: PostOfficeData::scope_of(net, po),
            fields: po.template.clone(),
        };
        templates.entry(t.scope.key()).or_insert(t);
    }
}
