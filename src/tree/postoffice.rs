//! The postoffice view: a whole MAILDATA tree (profile v1) read into
//! [`PostOfficeData`] — plain, easy-to-edit in-memory data — and the address
//! lists it holds as [`Directory`] values (POL, USR lists, GAL, everything).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::groups::{GroupGlb, GrpFile};
use super::identity::{network_kind, MasterGlb, NetworkRec, XtnRec};
use super::lists::{nme_kind, nme_layout, NetpoSlices, NmeRec, UsrRec};
use super::templates::{InfFile, TplFile};
use super::users::{self, Access2Rec};
use super::{
    find_case_insensitive, frame_checked, parse_hex8, read_record_fields, read_records, Ctx,
    FixedRecord, NO_RECORD,
};
use crate::codepage::{cp850_upper, cp850_upper_into};
use crate::error::{Error, Location, Result};
use crate::input::read_input;
use crate::input::LoadOptions;
use crate::model::{
    Address, AddressKey, Directory, Entry, EntryKind, Origin, Position, Scope, TemplateDef,
    TemplateField, TemplateValue,
};

/// A local mailbox (ACCESS2.GLB record).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalUser {
    /// Mailbox name.
    pub mailbox: String,
    /// Full name.
    pub full_name: String,
    /// Mailbag number (`MBG/<hex8>.MBG`); `None` = let the writer assign one.
    pub mailbag: Option<u32>,
    /// tid; `None` = let the writer assign one.
    pub tid: Option<u32>,
    /// Excluded from Dir-Sync (ACCESS2 flag bit 0).
    pub excluded: bool,
    /// Postoffice administrator (flag bit 1).
    pub admin: bool,
    /// Template data (INF/ADMIN.INF against TPL/ADMIN.TPL).
    pub template: Vec<TemplateValue>,
}

impl LocalUser {
    /// A user with just a mailbox and a full name.
    pub fn new(mailbox: impl Into<String>, full_name: impl Into<String>) -> LocalUser {
        LocalUser {
            mailbox: mailbox.into(),
            full_name: full_name.into(),
            ..LocalUser::default()
        }
    }
}

/// A local group (GROUP.GLB record + ADMIN.GRP member chain).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalGroup {
    /// Group (full) name.
    pub name: String,
    /// Group mailbox.
    pub mailbox: String,
    /// tid (names `MEM/<tid hex8>.MEM`); `None` = let the writer assign one.
    pub tid: Option<u32>,
    /// Members: addresses of POL entries, in chain order.
    pub members: Vec<Address>,
}

/// One entry of an external postoffice's USR list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UsrEntry {
    /// Full name.
    pub full_name: String,
    /// Mailbox.
    pub mailbox: String,
    /// User or group.
    pub kind: EntryKind,
    /// Template data (INF against the postoffice's TPL).
    pub template: Vec<TemplateValue>,
}

impl UsrEntry {
    /// A USR entry from a directory entry: its mailbox is the third part of the
    /// address (`NET/PO/MAILBOX`); `None` for addresses without three parts.
    pub fn from_entry(e: &Entry) -> Option<UsrEntry> {
        let (_, _, mailbox) = e.address.parts()?;
        Some(UsrEntry {
            full_name: e.full_name.clone(),
            mailbox: mailbox.to_string(),
            kind: e.kind,
            template: e.template.clone(),
        })
    }
}

/// An external postoffice or gateway node (XTN record) and its address list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExternalPostOffice {
    /// Postoffice (or node) name.
    pub name: String,
    /// Mailbag naming `USR/`, `TPL/`, `INF/` files; `None` = writer assigns.
    pub mailbag: Option<u32>,
    /// Connection (1 direct, 2 indirect, 3 async, 4 X.25, 5 gateway).
    pub connection: u8,
    /// Route text.
    pub route: String,
    /// Takes part in Dir-Sync.
    pub dirsync: bool,
    /// Last address-list update (`time32`).
    pub last_update: u32,
    /// Template definition (TPL); empty for none.
    pub template: Vec<TemplateField>,
    /// The USR list.
    pub entries: Vec<UsrEntry>,
}

/// A NETWORK.GLB entry and (kinds 1 and 2) its postoffices / nodes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkData {
    /// Network (or gateway) name.
    pub name: String,
    /// Kind: 1 MS Mail, 2 10/10/10 gateway, 3 other gateway.
    pub kind: u8,
    /// Address type (`PCM` for kind 1).
    pub address_type: String,
    /// XTN file prefix (kinds 1 and 2); `None` = writer assigns.
    pub xtn_prefix: Option<u32>,
    /// Postoffices / nodes (XTN records).
    pub postoffices: Vec<ExternalPostOffice>,
}

/// A name and an address: an external (kind 2/8) entry of the POL or the GAL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// Full name.
    pub full_name: String,
    /// Address.
    pub address: Address,
}

/// Everything a profile-v1 postoffice tree holds, as plain data: built by
/// [`PostOffice::open`], written by [`super::write_tree`], easy to construct
/// and to edit (e.g. [`PostOfficeData::replace_usr_list`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostOfficeData {
    /// MASTER.GLB version (0x0300, 0x0320, 0x0350).
    pub version: u16,
    /// This postoffice's network.
    pub network: String,
    /// This postoffice's name.
    pub postoffice: String,
    /// MASTER.GLB serial number.
    pub serial: u32,
    /// GAL enabled.
    pub gal_enabled: bool,
    /// TID.GLB: the next tid to assign (the writer raises it past every tid used).
    pub next_tid: u32,
    /// TPL/ADMIN.TPL: template of local users.
    pub local_template: Vec<TemplateField>,
    /// Local users (ACCESS2.GLB order).
    pub users: Vec<LocalUser>,
    /// Local groups (GROUP.GLB order).
    pub groups: Vec<LocalGroup>,
    /// NETWORK.GLB entries with their XTN postoffices and USR lists.
    pub networks: Vec<NetworkData>,
    /// External (kind 2 and 8) entries of the POL (ADMIN.NME).
    pub pol_externals: Vec<ListEntry>,
    /// Every GAL entry (GAL.NME), local ones included.
    pub gal: Vec<ListEntry>,
}

impl PostOfficeData {
    /// An empty postoffice `network/postoffice`, version 3.2, GAL enabled.
    pub fn new(network: impl Into<String>, postoffice: impl Into<String>) -> PostOfficeData {
        PostOfficeData {
            version: 0x0320,
            network: network.into(),
            postoffice: postoffice.into(),
            serial: 0,
            gal_enabled: true,
            next_tid: 1,
            local_template: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            networks: Vec::new(),
            pol_externals: Vec::new(),
            gal: Vec::new(),
        }
    }

    /// This postoffice's scope `PCM:NET/PO`.
    pub fn scope(&self) -> Scope {
        Scope::postoffice(&self.network, &self.postoffice)
    }

    /// The address of a local mailbox.
    pub fn local_address(&self, mailbox: &str) -> Address {
        Address::pcm(&self.network, &self.postoffice, mailbox)
    }

    /// The external postoffice `network/postoffice` (case-insensitive).
    pub fn external(
        &self,
        network: &str,
        postoffice: &str,
    ) -> Option<(&NetworkData, &ExternalPostOffice)> {
        let (n, p) = (cp850_upper(network), cp850_upper(postoffice));
        self.networks
            .iter()
            .filter(|net| cp850_upper(&net.name) == n)
            .find_map(|net| {
                net.postoffices
                    .iter()
                    .find(|po| cp850_upper(&po.name) == p)
                    .map(|po| (net, po))
            })
    }

    /// Mutable access to the external postoffice `network/postoffice`.
    pub fn external_mut(
        &mut self,
        network: &str,
        postoffice: &str,
    ) -> Option<&mut ExternalPostOffice> {
        let (n, p) = (cp850_upper(network), cp850_upper(postoffice));
        self.networks
            .iter_mut()
            .filter(|net| cp850_upper(&net.name) == n)
            .flat_map(|net| net.postoffices.iter_mut())
            .find(|po| cp850_upper(&po.name) == p)
    }

    /// Replaces the USR list of `network/postoffice` with the entries of `dir`
    /// in that scope (sorted by address); false if the postoffice is unknown.
    pub fn replace_usr_list_from(
        &mut self,
        network: &str,
        postoffice: &str,
        dir: &Directory,
    ) -> bool {
        let Some((net, po)) = self.external(network, postoffice) else {
            return false;
        };
        let scope = Self::scope_of(net, po);
        let entries = dir
            .in_scope(&scope)
            .into_iter()
            .filter_map(UsrEntry::from_entry)
            .collect();
        self.replace_usr_list(network, postoffice, entries)
    }

    /// Replaces the USR list of `network/postoffice`; false if it is unknown.
    pub fn replace_usr_list(
        &mut self,
        network: &str,
        postoffice: &str,
        entries: Vec<UsrEntry>,
    ) -> bool {
        match self.external_mut(network, postoffice) {
            Some(po) => {
                po.entries = entries;
                true
            }
            None => false,
        }
    }

    /// The scope of an external postoffice of network `net`.
    fn scope_of(net: &NetworkData, po: &ExternalPostOffice) -> Scope {
        let ty = if net.kind == network_kind::MSMAIL {
            "PCM".to_string()
        } else {
            net.address_type.to_ascii_uppercase()
        };
        Scope {
            type_name: if ty == "CSI" { "PCM".into() } else { ty },
            body: format!("{}/{}", net.name, po.name),
        }
    }

    fn address_in(net: &NetworkData, po: &ExternalPostOffice, mailbox: &str) -> Address {
        let ty = if net.kind == network_kind::MSMAIL {
            "PCM".to_string()
        } else {
            net.address_type.clone()
        };
        Address {
            type_name: ty,
            body: format!("{}/{}/{}", net.name, po.name, mailbox),
        }
    }

    fn user_entry(&self, u: &LocalUser) -> Entry {
        let mut e = Entry::new(&u.full_name, self.local_address(&u.mailbox));
        e.template = u.template.clone();
        e
    }

    fn group_entry(&self, g: &LocalGroup) -> Entry {
        let mut e = Entry::new(&g.name, self.local_address(&g.mailbox));
        e.kind = EntryKind::Group;
        e
    }

    fn local_template_def(&self) -> Option<TemplateDef> {
        (!self.local_template.is_empty()).then(|| TemplateDef {
            scope: self.scope(),
            fields: self.local_template.clone(),
        })
    }

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
            insert_new(&mut d, Entry::new(&x.full_name, x.address.clone()), of);
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
        self.usr_list_with(network, postoffice, &no_origin)
    }

    pub(crate) fn usr_list_with(
        &self,
        network: &str,
        postoffice: &str,
        of: OriginOf<'_>,
    ) -> Option<Directory> {
        let (net, po) = self.external(network, postoffice)?;
        let mut d = Directory::new();
        add_usr_list(&mut d, net, po, of);
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
                let mut e = Entry::new(&x.full_name, x.address.clone());
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
        self.directory_with(&no_origin, &no_gal_origin)
    }

    /// [`PostOfficeData::directory`]; `of` gives origins by address, `gal_of`
    /// the origin of `self.gal[j]` (an entry first seen in the GAL).
    pub(crate) fn directory_with(&self, of: OriginOf<'_>, gal_of: GalOriginOf<'_>) -> Directory {
        let mut d = Directory::new();
        d.reserve(self.entry_count_hint());
        for u in &self.users {
            let address = self.local_address(&u.mailbox);
            insert_keyed(&mut d, address.key(), of, || {
                let mut e = Entry::new(&u.full_name, address);
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
        for net in &self.networks {
            for po in &net.postoffices {
                add_usr_list(&mut d, net, po, of);
            }
        }
        for x in &self.pol_externals {
            let k = x.address.key();
            insert_keyed(&mut d, k, of, || {
                Entry::new(&x.full_name, x.address.clone())
            });
        }
        // Every local user, local group and USR entry is in `d` already, so a
        // GAL entry that is still new is a plain external user: the kind and
        // template lookups of `gal_entries` cannot change it.
        for (j, x) in self.gal.iter().enumerate() {
            let k = x.address.key();
            let of_j = |k: &AddressKey| of(k).or_else(|| gal_of(j));
            insert_keyed(&mut d, k, &of_j, || {
                Entry::new(&x.full_name, x.address.clone())
            });
        }
        d
    }

    /// The same directory as [`PostOfficeData::directory`], built by moving
    /// the data's strings instead of copying them (one copy in memory, not two).
    pub fn into_directory(self) -> Directory {
        self.into_directory_with(&no_origin, &no_gal_origin)
    }

    pub(crate) fn into_directory_with(
        self,
        of: OriginOf<'_>,
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
        for mut net in networks {
            for mut po in std::mem::take(&mut net.postoffices) {
                for u in std::mem::take(&mut po.entries) {
                    let address = PostOfficeData::address_in(&net, &po, &u.mailbox);
                    insert_keyed(&mut d, address.key(), of, || {
                        let mut e = Entry::new(u.full_name, address);
                        e.kind = u.kind;
                        e.template = u.template;
                        e
                    });
                }
                add_usr_template(&mut d, &net, &po);
            }
        }
        for x in pol_externals {
            let k = x.address.key();
            insert_keyed(&mut d, k, of, || Entry::new(x.full_name, x.address));
        }
        for (j, x) in gal.into_iter().enumerate() {
            let k = x.address.key();
            let of_j = |k: &AddressKey| of(k).or_else(|| gal_of(j));
            insert_keyed(&mut d, k, &of_j, || Entry::new(x.full_name, x.address));
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

/// Looks up where an address was read from.
pub(crate) type OriginOf<'a> = &'a dyn Fn(&AddressKey) -> Option<Origin>;

fn no_origin(_: &AddressKey) -> Option<Origin> {
    None
}

/// Looks up the origin of the GAL entry at a position of `PostOfficeData::gal`.
pub(crate) type GalOriginOf<'a> = &'a dyn Fn(usize) -> Option<Origin>;

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

fn add_usr_list(d: &mut Directory, net: &NetworkData, po: &ExternalPostOffice, of: OriginOf<'_>) {
    for u in &po.entries {
        let address = PostOfficeData::address_in(net, po, &u.mailbox);
        insert_keyed(d, address.key(), of, || {
            let mut e = Entry::new(&u.full_name, address);
            e.kind = u.kind;
            e.template = u.template.clone();
            e
        });
    }
    add_usr_template(d, net, po);
}

fn add_usr_template(d: &mut Directory, net: &NetworkData, po: &ExternalPostOffice) {
    if !po.template.is_empty() {
        let t = TemplateDef {
            scope: PostOfficeData::scope_of(net, po),
            fields: po.template.clone(),
        };
        d.templates.entry(t.scope.key()).or_insert(t);
    }
}

/// Paths of the Dir-Sync files of a tree, where present (read by `dirsync::*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirSyncPaths {
    /// `GLB/REQCONF.GLB`.
    pub reqconf: Option<PathBuf>,
    /// `GLB/SRVCONF.GLB` (Dir-Sync server only).
    pub srvconf: Option<PathBuf>,
    /// `GLB/REQTRANS.GLB`.
    pub reqtrans: Option<PathBuf>,
    /// `GLB/MSTTRANS.GLB` (Dir-Sync server only).
    pub msttrans: Option<PathBuf>,
}

/// Which list `msmail export TREE --list ...` takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSelector {
    /// The postoffice address list.
    Pol,
    /// The global address list.
    Gal,
    /// The local groups.
    Groups,
    /// The USR list of one external postoffice.
    Usr {
        /// Network.
        network: String,
        /// Postoffice.
        postoffice: String,
    },
    /// One local user's personal address list (`pal:MAILBOX`).
    Pal(String),
    /// Every personal address list, each with its owner (`pals`).
    Pals,
}

impl ListSelector {
    /// Parses `pol`, `gal`, `groups`, `usr:NET/PO`, `pal:MAILBOX` or `pals`
    /// (case-insensitive keyword).
    pub fn parse(text: &str) -> Result<ListSelector> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        match lower.as_str() {
            "pol" => return Ok(ListSelector::Pol),
            "gal" => return Ok(ListSelector::Gal),
            "groups" => return Ok(ListSelector::Groups),
            "pals" => return Ok(ListSelector::Pals),
            _ => {}
        }
        if lower.starts_with("pal:") {
            if let Some(m) = t.get(4..).map(str::trim).filter(|m| !m.is_empty()) {
                return Ok(ListSelector::Pal(m.to_string()));
            }
        }
        if lower.starts_with("usr:") {
            if let Some((n, p)) = t.get(4..).and_then(|r| r.split_once('/')) {
                if !n.is_empty() && !p.is_empty() && !p.contains('/') {
                    return Ok(ListSelector::Usr {
                        network: n.to_string(),
                        postoffice: p.to_string(),
                    });
                }
            }
        }
        Err(Error::Usage(format!(
            "--list {text:?}: expected pol, gal, groups, usr:NET/PO, pal:MAILBOX or pals"
        )))
    }
}

/// A postoffice tree read from disk: its data, where it lives, and what the
/// reader had to report.
#[derive(Debug, Clone)]
pub struct PostOffice {
    /// The MAILDATA folder.
    pub root: PathBuf,
    /// Everything the tree holds.
    pub data: PostOfficeData,
    /// Warnings (skipped damage with salvage, unrepresentable entries, ...).
    pub warnings: Vec<String>,
    /// Cross-file inconsistencies that did not stop reading (see
    /// [`super::Ctx::findings`]), one sentence each with file and position.
    pub findings: Vec<String>,
    /// Entries profile v1 cannot represent (counted, reported in `warnings`).
    pub unrepresentable: usize,
    dirsync: DirSyncPaths,
    origins: Origins,
}

/// Hash maps of the reader: foldhash (as in `crate::model`) is several times
/// faster than SipHash on the short address keys a big tree holds by the million.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Where each address was read from: the record of its own file (ACCESS2,
/// GROUP.GLB, USR), of ADMIN.NME, and of GAL.NME. Values are compact
/// (file number + record number, 8 bytes); [`Origins::origin`] builds the
/// [`Origin`] on demand.
#[derive(Debug, Clone, Default)]
struct Origins {
    /// Files named by the maps: shown name, header size, record size.
    files: Vec<(Arc<str>, usize, usize)>,
    base: FastMap<AddressKey, OriginRef>,
    pol: FastMap<AddressKey, OriginRef>,
    /// GAL.NME: the record of each `PostOfficeData::gal` entry, by position
    /// (the first entry of an address is the one a view keeps, so no map by
    /// address is needed); `gal_file` names GAL.NME.
    gal: Vec<u32>,
    gal_file: u32,
}

/// A record of one of [`Origins::files`].
#[derive(Debug, Clone, Copy)]
struct OriginRef {
    file: u32,
    index: u32,
}

/// The origin `index` of file number `file` (a number from [`Origins::file`]).
fn origin(file: u32, index: usize) -> OriginRef {
    OriginRef {
        file,
        index: u32::try_from(index).unwrap_or(u32::MAX),
    }
}

impl Origins {
    /// Registers a file of `size`-byte records after a `header`-byte header.
    fn file(&mut self, name: &str, header: usize, size: usize) -> u32 {
        self.files.push((Arc::from(name), header, size));
        (self.files.len() - 1) as u32
    }

    /// The origin a compact reference stands for.
    fn origin(&self, r: OriginRef) -> Option<Origin> {
        let (file, header, size) = self.files.get(r.file as usize)?;
        let index = u64::from(r.index);
        Some(Origin {
            file: Arc::clone(file),
            position: Position::Record {
                index,
                offset: *header as u64 + index * *size as u64,
            },
        })
    }

    /// The origin of `data.gal[j]`; none when `data.gal` was edited to a
    /// different length since the tree was read.
    fn gal_origin(&self, gal_len: usize, j: usize) -> Option<Origin> {
        if gal_len != self.gal.len() {
            return None;
        }
        let index = *self.gal.get(j)?;
        self.origin(OriginRef {
            file: self.gal_file,
            index,
        })
    }

    /// The first origin any of `maps` knows for `k`.
    fn find(&self, maps: &[&FastMap<AddressKey, OriginRef>], k: &AddressKey) -> Option<Origin> {
        maps.iter()
            .find_map(|m| m.get(k))
            .and_then(|&r| self.origin(r))
    }
}

struct Reader<'a> {
    root: &'a Path,
    ctx: Ctx,
    unrepresentable: usize,
    origins: Origins,
    /// Folder listings by folder, upper-cased name → path: each folder is
    /// listed at most once, so name lookups stay linear in the tree size.
    listings: std::cell::RefCell<HashMap<PathBuf, HashMap<String, PathBuf>>>,
}

impl Reader<'_> {
    /// `rel` under the root, every component matched case-insensitively
    /// (exact spelling first, then one cached listing per folder).
    fn path(&self, rel: &str) -> Option<PathBuf> {
        let mut cur = self.root.to_path_buf();
        for part in rel.split(['/', '\\']).filter(|p| !p.is_empty()) {
            let exact = cur.join(part);
            if exact.exists() {
                cur = exact;
                continue;
            }
            let mut cache = self.listings.borrow_mut();
            let listing = cache.entry(cur.clone()).or_insert_with(|| {
                let mut m = HashMap::new();
                let mut names: Vec<PathBuf> = std::fs::read_dir(&cur)
                    .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
                    .unwrap_or_default();
                names.sort();
                for p in names {
                    if let Some(n) = p.file_name().and_then(|n| n.to_str()) {
                        m.entry(n.to_ascii_uppercase()).or_insert(p);
                    }
                }
                m
            });
            cur = listing.get(&part.to_ascii_uppercase())?.clone();
        }
        Some(cur)
    }
    fn shown(&self, rel: &str) -> String {
        self.path(rel)
            .unwrap_or_else(|| self.root.join(rel))
            .display()
            .to_string()
    }
    /// A required file: missing, or a folder in its place, is an input error.
    fn required(&self, rel: &str) -> Result<(String, Vec<u8>)> {
        match self.path(rel) {
            Some(p) if p.is_file() => Ok((p.display().to_string(), read_input(&p)?)),
            Some(p) if p.is_dir() => Err(Error::input(
                p.display().to_string(),
                Location::File,
                "a folder where the postoffice tree needs this file",
            )),
            _ => Err(Error::input(
                self.root.join(rel).display().to_string(),
                Location::File,
                "missing: a postoffice tree needs this file",
            )),
        }
    }
    /// A file that may be absent. A folder in its place is damage (an error,
    /// or with salvage a warning and no file), never read as "absent".
    fn optional(&mut self, rel: &str) -> Result<Option<(String, Vec<u8>)>> {
        match self.path(rel) {
            Some(p) if p.is_file() => Ok(Some((p.display().to_string(), read_input(&p)?))),
            Some(p) if p.is_dir() => {
                self.ctx.damage(
                    &p.display().to_string(),
                    Location::File,
                    "a folder where the postoffice tree has a file: read as damaged, not as absent",
                )?;
                Ok(None)
            }
            _ => Ok(None),
        }
    }
    /// True when `rel` names something (file or folder) under the root.
    fn present(&self, rel: &str) -> bool {
        self.path(rel).is_some()
    }
    /// True when folder `rel` holds at least one file.
    fn folder_has_files(&self, rel: &str) -> bool {
        self.path(rel)
            .filter(|p| p.is_dir())
            .and_then(|p| std::fs::read_dir(p).ok())
            .is_some_and(|mut rd| rd.any(|e| e.is_ok_and(|e| e.path().is_file())))
    }
    fn unrepresentable(&mut self, msg: String) {
        self.unrepresentable += 1;
        self.ctx
            .warn(format!("not representable in profile v1: {msg}"));
    }
}

fn rec_loc(index: usize, size: usize, header: usize) -> Location {
    Location::Record {
        index: index as u64,
        offset: (header + index * size) as u64,
    }
}

impl PostOffice {
    /// Reads a whole MAILDATA tree (names matched case-insensitively). Strict
    /// unless `options.salvage`: then damaged records are skipped and reported.
    pub fn open(maildata: &Path, options: &LoadOptions) -> Result<PostOffice> {
        let mut r = Reader {
            root: maildata,
            ctx: Ctx::new(options.salvage),
            unrepresentable: 0,
            origins: Origins::default(),
            listings: Default::default(),
        };
        let data = read_tree(&mut r)?;
        let dirsync = DirSyncPaths {
            reqconf: r.path("GLB/REQCONF.GLB"),
            srvconf: r.path("GLB/SRVCONF.GLB"),
            reqtrans: r.path("GLB/REQTRANS.GLB"),
            msttrans: r.path("GLB/MSTTRANS.GLB"),
        };
        // A Dir-Sync server (it keeps MSTTRANS.GLB) cannot do without SRVCONF.GLB.
        if dirsync.msttrans.is_some() && dirsync.srvconf.is_none() {
            r.ctx.damage(
                &r.shown("GLB/SRVCONF.GLB"),
                Location::File,
                "missing: MSTTRANS.GLB is here (a Dir-Sync server), and its numbers are in SRVCONF.GLB",
            )?;
        }
        Ok(PostOffice {
            root: maildata.to_path_buf(),
            data,
            findings: r.ctx.findings,
            warnings: r.ctx.warnings,
            unrepresentable: r.unrepresentable,
            dirsync,
            origins: r.origins,
        })
    }

    /// The data, for editing or writing with [`super::write_tree`].
    pub fn into_data(self) -> PostOfficeData {
        self.data
    }

    /// See [`PostOfficeData::pol`]; origins name ADMIN.NME records.
    pub fn pol(&self) -> Directory {
        let o = &self.origins;
        self.data.pol_with(&|k| o.find(&[&o.pol, &o.base], k))
    }
    /// See [`PostOfficeData::usr_list`]; origins name USR records.
    pub fn usr_list(&self, network: &str, postoffice: &str) -> Option<Directory> {
        let o = &self.origins;
        self.data
            .usr_list_with(network, postoffice, &|k| o.find(&[&o.base], k))
    }
    /// See [`PostOfficeData::external_postoffices`].
    pub fn external_postoffices(&self) -> Vec<(Scope, &ExternalPostOffice)> {
        self.data.external_postoffices()
    }
    /// See [`PostOfficeData::gal`]; origins name GAL.NME records.
    pub fn gal(&self) -> Directory {
        let o = &self.origins;
        let n = self.data.gal.len();
        self.data.gal_with(&|j| o.gal_origin(n, j))
    }
    /// See [`PostOfficeData::directory`]; origins name the record each entry
    /// was taken from (ACCESS2, GROUP.GLB, USR, ADMIN.NME, GAL.NME).
    pub fn directory(&self) -> Directory {
        let o = &self.origins;
        let n = self.data.gal.len();
        self.data
            .directory_with(&|k| o.find(&[&o.base, &o.pol], k), &|j| o.gal_origin(n, j))
    }
    /// [`PostOffice::directory`] without keeping the data: the strings move
    /// into the directory instead of being copied (half the peak memory of
    /// `directory()` on a big tree). Warnings stay in `self.warnings` until
    /// this call; take them first.
    pub fn into_directory(self) -> Directory {
        let PostOffice { data, origins, .. } = self;
        let o = &origins;
        let n = data.gal.len();
        let d =
            data.into_directory_with(&|k| o.find(&[&o.base, &o.pol], k), &|j| o.gal_origin(n, j));
        // Freeing a million map keys takes a noticeable share of a big load:
        // another thread does it while the caller goes on (inline if no
        // thread can be started).
        if origins.base.len() > 100_000 {
            let _ = std::thread::Builder::new()
                .name("msmail-free".into())
                .spawn(move || drop(origins));
        }
        d
    }
    /// Paths of REQCONF/SRVCONF/REQTRANS/MSTTRANS where present.
    pub fn dirsync_files(&self) -> DirSyncPaths {
        self.dirsync.clone()
    }
    /// One list by selector; an unknown `usr:NET/PO` or `pal:MAILBOX` is a
    /// usage error, and so is `pals` (several lists: use
    /// [`super::personal::personal_lists`]). `pal:MAILBOX` reads strictly.
    pub fn list(&self, selector: &ListSelector) -> Result<Directory> {
        match selector {
            ListSelector::Pal(mailbox) => {
                let lists = super::personal::personal_lists(self, Some(mailbox), false)?;
                Ok(lists
                    .lists
                    .into_iter()
                    .next()
                    .map(|l| l.directory)
                    .unwrap_or_default())
            }
            ListSelector::Pals => Err(Error::Usage(
                "--list pals gives one list per owner, not one directory".into(),
            )),
            ListSelector::Pol => Ok(self.pol()),
            ListSelector::Gal => Ok(self.gal()),
            ListSelector::Groups => Ok(self
                .data
                .groups_with(&|k| self.origins.find(&[&self.origins.base], k))),
            ListSelector::Usr {
                network,
                postoffice,
            } => self.usr_list(network, postoffice).ok_or_else(|| {
                Error::Usage(format!(
                    "{}: no external postoffice {network}/{postoffice}",
                    self.root.display()
                ))
            }),
        }
    }
}

/// An INF file with its shown name.
type NamedInf = (String, InfFile);

/// Reads a TPL + INF pair (either may be missing).
fn read_templates(r: &mut Reader<'_>, hex: &str) -> Result<(Vec<TemplateField>, Option<NamedInf>)> {
    let tpl = match r.optional(&format!("TPL/{hex}.TPL"))? {
        Some((f, b)) => {
            if !b.is_empty() && !b.ends_with(b"\n") && !b.ends_with(b"\r") && !b.ends_with(&[0x1a])
            {
                r.ctx.finding(
                    &f,
                    Location::Offset(b.len() as u64),
                    "the last field line has no line end: the TPL may be cut short",
                );
            }
            TplFile::read(&f, &b)?.fields
        }
        None => Vec::new(),
    };
    let inf = match r.optional(&format!("INF/{hex}.INF"))? {
        Some((f, b)) => {
            if tpl.is_empty() {
                r.ctx.damage(
                    &f,
                    Location::File,
                    format!(
                        "{} bytes of template data, but TPL/{hex}.TPL, which gives its record \
                         layout, is missing or empty; the template data cannot be read",
                        b.len()
                    ),
                )?;
                None
            } else {
                let size = super::templates::inf_record_size(&tpl);
                let (_, recs) = super::frame_ctx(&f, &b, 0, size, &mut r.ctx)?;
                Some((
                    f.clone(),
                    InfFile {
                        record_size: size,
                        records: recs.into_iter().map(<[u8]>::to_vec).collect(),
                    },
                ))
            }
        }
        None => None,
    };
    Ok((tpl, inf))
}

/// Looks up INF record `inf` (NO_RECORD = none); a dangling number is damage.
fn template_values(
    r: &mut Reader<'_>,
    fields: &[TemplateField],
    inf: &Option<(String, InfFile)>,
    number: u32,
    owner: &str,
    loc: Location,
) -> Result<Vec<TemplateValue>> {
    if number == NO_RECORD {
        return Ok(Vec::new());
    }
    match inf.as_ref().and_then(|(_, f)| f.values(fields, number)) {
        Some(v) => Ok(v),
        None => {
            r.ctx.damage(
                owner,
                loc,
                format!(
                    "INF record number {number} points past the end of {}",
                    inf.as_ref()
                        .map_or("a missing INF file", |(f, _)| f.as_str())
                ),
            )?;
            Ok(Vec::new())
        }
    }
}

/// An INF file must hold exactly the records its list refers to: more
/// records than references means a record size that is wrong (a TPL that
/// lost fields gives a smaller one, so the same bytes frame as more records
/// and every value is read from the wrong place).
fn check_inf_use(
    r: &mut Reader<'_>,
    inf: &Option<NamedInf>,
    fields: &[TemplateField],
    used: &std::collections::BTreeSet<u32>,
    list: &str,
) -> Result<()> {
    let Some((f, file)) = inf else {
        return Ok(());
    };
    let records = file.records.len();
    if records > used.len() {
        r.ctx.damage(
            f,
            Location::File,
            format!(
                "{records} records of {} bytes (the TPL's {} fields), but {list} refers to {} \
                 of them: the TPL or the INF file is damaged (a TPL cut short gives a smaller \
                 record size), so template values would be read from the wrong bytes",
                file.record_size,
                fields.len(),
                used.len()
            ),
        )?;
    }
    Ok(())
}

fn read_tree(r: &mut Reader<'_>) -> Result<PostOfficeData> {
    // Identity.
    let (mf, mb) = r.required("GLB/MASTER.GLB")?;
    let master = match MasterGlb::read(&mf, &mb) {
        Ok(m) => m,
        // With salvage, an unknown version number is reported, not fatal.
        Err(e) if r.ctx.salvage && mb.len() == super::identity::master_layout::SIZE => {
            r.ctx.warn(format!("skipped check: {e}"));
            MasterGlb::decode(&mb)
        }
        // With salvage, a MASTER.GLB cut short is read as far as it goes when
        // the postoffice's network and name are in it.
        Err(e)
            if r.ctx.salvage
                && mb.len() >= 24
                && mb.len() < super::identity::master_layout::SIZE =>
        {
            r.ctx.warn(format!(
                "skipped: {e} (bytes {}..{} missing; the fields before them are read)",
                mb.len(),
                super::identity::master_layout::SIZE
            ));
            let mut padded = mb.clone();
            padded.resize(super::identity::master_layout::SIZE, 0);
            MasterGlb::decode(&padded)
        }
        Err(e) => return Err(e),
    };
    let mut data = PostOfficeData::new(master.network.clone(), master.postoffice.clone());
    data.version = master.version;
    data.serial = master.serial;
    data.gal_enabled = master.gal_enabled != 0;

    // Local users.
    let (af, ab) = r.required("GLB/ACCESS2.GLB")?;
    let (_, access2) = read_records::<Access2Rec>(&af, &ab, 0, &mut r.ctx)?;
    let af_id = r.origins.file(&af, 0, Access2Rec::SIZE);
    for (rel, size) in [
        ("GLB/ACCESS.GLB", users::ACCESS_SIZE),
        ("GLB/ACCESS3.GLB", users::ACCESS3_SIZE),
    ] {
        // Only the size is looked at: the content is never read.
        match r
            .path(rel)
            .and_then(|p| std::fs::metadata(&p).ok().map(|m| (p, m.len())))
        {
            Some((p, len)) => {
                let shown = p.display().to_string();
                let n = match users::opaque_count(&shown, len, size) {
                    Ok(n) => n,
                    Err(e) if r.ctx.salvage => {
                        r.ctx.warn(format!("skipped check: {e}"));
                        len / size as u64
                    }
                    Err(e) => return Err(e),
                };
                if n != access2.len() as u64 {
                    r.ctx.finding(
                        &shown,
                        Location::File,
                        format!(
                            "{n} records, ACCESS2.GLB has {} (they must be equal, Q87402)",
                            access2.len()
                        ),
                    );
                }
            }
            None => r.ctx.damage(
                &r.shown(rel),
                Location::File,
                "missing (ACCESS2.GLB needs it)",
            )?,
        }
    }
    let (ltpl, linf) = read_templates(r, "ADMIN")?;
    data.local_template = ltpl.clone();
    let local_inf_used: std::collections::BTreeSet<u32> = access2
        .iter()
        .filter(|a| a.status == super::STATUS_IN_USE && a.flags & users::FLAG_TEMPLATE != 0)
        .map(|a| a.inf)
        .filter(|&n| n != NO_RECORD)
        .collect();
    check_inf_use(r, &linf, &ltpl, &local_inf_used, "ACCESS2.GLB")?;
    let mut user_by_offset: HashMap<u32, usize> = HashMap::new();
    for (i, a) in access2.iter().enumerate() {
        if a.status != super::STATUS_IN_USE {
            continue;
        }
        let loc = rec_loc(i, Access2Rec::SIZE, 0);
        let template = if a.flags & users::FLAG_TEMPLATE != 0 {
            template_values(r, &ltpl, &linf, a.inf, &af, loc.clone())?
        } else {
            Vec::new()
        };
        let mailbag = parse_hex8(&a.mailbag);
        if mailbag.is_none() {
            r.ctx.damage(
                &af,
                loc,
                format!("mailbag {:?} is not 8 hex digits", a.mailbag),
            )?;
        }
        user_by_offset.insert((i * Access2Rec::SIZE) as u32, data.users.len());
        r.origins
            .base
            .entry(data.local_address(&a.mailbox).key())
            .or_insert_with(|| origin(af_id, i));
        data.users.push(LocalUser {
            mailbox: a.mailbox.clone(),
            full_name: a.full_name.clone(),
            mailbag,
            tid: Some(a.tid),
            excluded: a.flags & users::FLAG_EXCLUDED != 0,
            admin: a.flags & users::FLAG_ADMIN != 0,
            template,
        });
    }

    // Networks, postoffices, USR lists.
    let lists_present = r.folder_has_files("XTN") || r.folder_has_files("USR");
    let networks: Vec<NetworkRec> = match r.optional("GLB/NETWORK.GLB")? {
        Some((f, b)) => {
            if b.is_empty() && lists_present {
                r.ctx.damage(
                    &f,
                    Location::File,
                    "empty, but XTN/ and USR/ hold address lists: NETWORK.GLB is what names \
                     them, so no external list can be read",
                )?;
            }
            read_records::<NetworkRec>(&f, &b, 0, &mut r.ctx)?.1
        }
        None => {
            if lists_present && !r.present("GLB/NETWORK.GLB") {
                r.ctx.damage(
                    &r.shown("GLB/NETWORK.GLB"),
                    Location::File,
                    "missing, but XTN/ and USR/ hold address lists: NETWORK.GLB is what \
                     names them, so no external list can be read",
                )?;
            }
            Vec::new()
        }
    };
    let netfile = r.shown("GLB/NETWORK.GLB");
    for (ni, n) in networks.iter().enumerate() {
        if n.status != super::STATUS_IN_USE {
            continue;
        }
        let mut nd = NetworkData {
            name: n.name.clone(),
            kind: n.kind,
            address_type: n.address_type.clone(),
            xtn_prefix: None,
            postoffices: Vec::new(),
        };
        let loc = rec_loc(ni, NetworkRec::SIZE, 0);
        match n.kind {
            network_kind::GATEWAY_OTHER => {}
            network_kind::MSMAIL | network_kind::GATEWAY_101010 => {
                let Some(prefix) = parse_hex8(&n.xtn_prefix) else {
                    r.ctx.damage(
                        &netfile,
                        loc,
                        format!("XTN prefix {:?} is not 8 hex digits", n.xtn_prefix),
                    )?;
                    continue;
                };
                nd.xtn_prefix = Some(prefix);
                let rel = format!("XTN/{}.XTN", n.xtn_prefix);
                let Some((xf, xb)) = r.optional(&rel)? else {
                    r.ctx.damage(
                        &r.shown(&rel),
                        Location::File,
                        format!("missing, named by NETWORK.GLB record {ni} ({})", n.name),
                    )?;
                    data.networks.push(nd);
                    continue;
                };
                let (_, xtn) = read_records::<XtnRec>(&xf, &xb, 0, &mut r.ctx)?;
                for (xi, x) in xtn.iter().enumerate() {
                    if x.status != super::STATUS_IN_USE {
                        continue;
                    }
                    let xloc = rec_loc(xi, XtnRec::SIZE, 0);
                    let Some(bag) = parse_hex8(&x.mailbag) else {
                        r.ctx.damage(
                            &xf,
                            xloc,
                            format!("mailbag {:?} is not 8 hex digits", x.mailbag),
                        )?;
                        continue;
                    };
                    let (tpl, inf) = read_templates(r, &x.mailbag)?;
                    let mut po = ExternalPostOffice {
                        name: x.postoffice.clone(),
                        mailbag: Some(bag),
                        connection: x.connection,
                        route: x.route.clone(),
                        dirsync: x.dirsync != 0,
                        last_update: x.last_update,
                        template: tpl.clone(),
                        entries: Vec::new(),
                    };
                    let urel = format!("USR/{}.USR", x.mailbag);
                    match r.optional(&urel)? {
                        Some((uf, ub)) => {
                            let (_, usr) = read_record_fields::<UsrRec>(&uf, &ub, 0, &mut r.ctx)?;
                            let uf_id = r.origins.file(&uf, 0, UsrRec::SIZE);
                            let inf_used: std::collections::BTreeSet<u32> = usr
                                .iter()
                                .filter(|u| u.status == super::STATUS_IN_USE && u.inf != NO_RECORD)
                                .map(|u| u.inf)
                                .collect();
                            check_inf_use(r, &inf, &tpl, &inf_used, &uf)?;
                            po.entries.reserve_exact(usr.len());
                            for (ui, u) in usr.into_iter().enumerate() {
                                if u.status != super::STATUS_IN_USE {
                                    continue;
                                }
                                let uloc = rec_loc(ui, UsrRec::SIZE, 0);
                                let kind = match u.kind {
                                    b'U' | b'u' => EntryKind::User,
                                    b'G' | b'g' => EntryKind::Group,
                                    k => {
                                        r.ctx.damage(
                                            &uf,
                                            uloc,
                                            format!("kind byte {k:#04x} is neither 'U' nor 'G'"),
                                        )?;
                                        continue;
                                    }
                                };
                                let template = template_values(r, &tpl, &inf, u.inf, &uf, uloc)?;
                                r.origins
                                    .base
                                    .entry(PostOfficeData::address_in(&nd, &po, &u.mailbox).key())
                                    .or_insert_with(|| origin(uf_id, ui));
                                po.entries.push(UsrEntry {
                                    full_name: u.full_name,
                                    mailbox: u.mailbox,
                                    kind,
                                    template,
                                });
                            }
                        }
                        None => r.ctx.warn(format!(
                            "{}: missing; {}/{} has no address list yet",
                            r.shown(&urel),
                            n.name,
                            x.postoffice
                        )),
                    }
                    nd.postoffices.push(po);
                }
            }
            k => {
                r.ctx
                    .damage(&netfile, loc, format!("network kind {k} is not 1, 2 or 3"))?;
                continue;
            }
        }
        data.networks.push(nd);
    }

    // Groups.
    let group_glb = match r.optional("GLB/GROUP.GLB")? {
        Some((f, b)) => GroupGlb::read(&f, &b, &mut r.ctx)?,
        None => GroupGlb::default(),
    };
    let mut group_by_tid: HashMap<u32, usize> = HashMap::new();
    let gf_shown = r.shown("GLB/GROUP.GLB");
    let gf_id = r.origins.file(
        &gf_shown,
        super::groups::group_layout::HEADER,
        super::groups::group_layout::SIZE,
    );
    for (gi, g) in group_glb.records.iter().enumerate() {
        if g.status != super::STATUS_IN_USE {
            continue;
        }
        r.origins
            .base
            .entry(data.local_address(&g.mailbox).key())
            .or_insert(origin(gf_id, gi));
        group_by_tid.insert(g.tid, data.groups.len());
        data.groups.push(LocalGroup {
            name: g.name.clone(),
            mailbox: g.mailbox.clone(),
            tid: Some(g.tid),
            members: Vec::new(),
        });
    }
    let grp = match r.optional("GRP/ADMIN.GRP")? {
        Some((f, b)) => {
            if let Some((sf, sb)) = r.optional("GRP/ADMINSHD.GRP")? {
                if sb != b {
                    r.ctx.finding(
                        &sf,
                        Location::File,
                        "differs from ADMIN.GRP (the shadow must be equal); ADMIN.GRP is read",
                    );
                }
            }
            let node = super::groups::GRP_NODE;
            // Only a partial last node needs framing (an error, or a warning
            // with salvage); whole nodes are read straight from the bytes.
            let whole = if b.len().is_multiple_of(node) {
                b.len()
            } else {
                let (_, nodes) = super::frame_ctx(&f, &b, 0, node, &mut r.ctx)?;
                nodes.len() * node
            };
            Some((
                f.clone(),
                GrpFile::read(&f, b.get(..whole).unwrap_or_default())?,
            ))
        }
        None => None,
    };

    // The POL.
    let (nf, nb) = r.required("NME/ADMIN.NME")?;
    match r.optional("NME/ADMINSHD.NME")? {
        Some((sf, sb)) if sb != nb => {
            let first = sb
                .iter()
                .zip(nb.iter())
                .position(|(a, b)| a != b)
                .unwrap_or(sb.len().min(nb.len()));
            let idx = first / NmeRec::SIZE;
            r.ctx.finding(
                &sf,
                Location::Record {
                    index: idx as u64,
                    offset: first as u64,
                },
                format!(
                    "differs from ADMIN.NME ({} vs {} bytes); the shadow must be equal; \
                     ADMIN.NME is read",
                    sb.len(),
                    nb.len()
                ),
            );
        }
        Some(_) => {}
        None => r.ctx.damage(
            &r.shown("NME/ADMINSHD.NME"),
            Location::File,
            "missing (shadow of ADMIN.NME)",
        )?,
    }
    let (_, nme) = read_records::<NmeRec>(&nf, &nb, 0, &mut r.ctx)?;
    let nf_id = r.origins.file(&nf, 0, NmeRec::SIZE);
    let netpo_file = r.optional("GLB/NETPO.GLB")?;
    let netpo = match &netpo_file {
        Some((f, b)) => Some((f.clone(), NetpoSlices::read(f, b, &mut r.ctx)?)),
        None => None,
    };
    let mut addr_by_tid: HashMap<u32, Address> = HashMap::new();
    let mut group_chains: Vec<(usize, u32, Location)> = Vec::new();
    let mut users_in_pol = vec![false; data.users.len()];
    for (i, e) in nme.iter().enumerate() {
        if e.status != super::STATUS_IN_USE {
            continue;
        }
        let loc = rec_loc(i, NmeRec::SIZE, 0);
        match e.kind {
            nme_kind::LOCAL_USER => {
                let Some(&ui) = user_by_offset.get(&e.pointer) else {
                    r.ctx.damage(
                        &nf,
                        loc,
                        format!("dangling pointer {} into ACCESS2.GLB", e.pointer),
                    )?;
                    continue;
                };
                let Some(u) = data.users.get(ui) else {
                    continue;
                };
                if u.tid != Some(e.tid) {
                    r.ctx.finding(
                        &nf,
                        loc.clone(),
                        format!(
                            "tid {} differs from the tid {} of the ACCESS2.GLB record it points \
                             to; the entry is read through its pointer",
                            e.tid,
                            u.tid.unwrap_or(0)
                        ),
                    );
                }
                let a = data.local_address(&u.mailbox);
                r.origins
                    .pol
                    .entry(a.key())
                    .or_insert_with(|| origin(nf_id, i));
                addr_by_tid.insert(e.tid, a);
                if let Some(s) = users_in_pol.get_mut(ui) {
                    *s = true;
                }
            }
            nme_kind::GROUP => {
                let Some(&gi) = group_by_tid.get(&e.tid) else {
                    r.ctx
                        .damage(&nf, loc, format!("group tid {} is not in GROUP.GLB", e.tid))?;
                    continue;
                };
                let Some(g) = data.groups.get(gi) else {
                    continue;
                };
                let a = data.local_address(&g.mailbox);
                r.origins
                    .pol
                    .entry(a.key())
                    .or_insert_with(|| origin(nf_id, i));
                addr_by_tid.insert(e.tid, a);
                group_chains.push((gi, e.pointer, loc));
            }
            nme_kind::EXTERNAL | nme_kind::GATEWAY => {
                if let Some(a) = resolve_netpo(r, &data, &nf, &netpo, e, loc)? {
                    r.origins
                        .pol
                        .entry(a.key())
                        .or_insert_with(|| origin(nf_id, i));
                    addr_by_tid.insert(e.tid, a.clone());
                    data.pol_externals.push(ListEntry {
                        full_name: e.full_name.clone(),
                        address: a,
                    });
                }
            }
            k => r
                .ctx
                .damage(&nf, loc, format!("entry kind {k} is not 1, 2, 4 or 8"))?,
        }
    }
    for (ui, seen) in users_in_pol.iter().enumerate() {
        if !seen {
            if let Some(u) = data.users.get(ui) {
                r.ctx
                    .warn(format!("{af}: user {} has no ADMIN.NME entry", u.mailbox));
            }
        }
    }
    // Group members, cycle-safe. `chain_read[gi]`: the group's ADMIN.GRP
    // chain was followed (its MEM file is only a cross-check then).
    let mut chain_read = vec![false; data.groups.len()];
    for (gi, first, loc) in group_chains {
        let tids = match &grp {
            Some((gf, g)) => {
                if let Some(c) = chain_read.get_mut(gi) {
                    *c = true;
                }
                g.chain(gf, first, &mut r.ctx)?
            }
            None if first == 0 => {
                if let Some(c) = chain_read.get_mut(gi) {
                    *c = true;
                }
                Vec::new()
            }
            None => {
                r.ctx.damage(
                    &nf,
                    loc,
                    "group points into GRP/ADMIN.GRP, which is missing",
                )?;
                Vec::new()
            }
        };
        let mut members = Vec::with_capacity(tids.len());
        for t in tids {
            match addr_by_tid.get(&t) {
                Some(a) => members.push(a.clone()),
                None => r.ctx.damage(
                    &r.shown("GRP/ADMIN.GRP"),
                    Location::File,
                    format!("member tid {t} of group record {gi} has no ADMIN.NME entry"),
                )?,
            }
        }
        if let Some(g) = data.groups.get_mut(gi) {
            g.members = members;
        }
    }
    // MEM files: the mailbags of each group's local members.
    let bag_of: HashMap<AddressKey, u32> = data
        .users
        .iter()
        .filter_map(|u| Some((data.local_address(&u.mailbox).key(), u.mailbag?)))
        .collect();
    let user_of_bag: HashMap<u32, Address> = data
        .users
        .iter()
        .filter_map(|u| Some((u.mailbag?, data.local_address(&u.mailbox))))
        .collect();
    let mut from_mem: Vec<(usize, Vec<Address>)> = Vec::new();
    for (gi, g) in data.groups.iter().enumerate() {
        let Some(tid) = g.tid else { continue };
        let rel = format!("MEM/{}.MEM", super::hex8(tid));
        let Some((mf, mb)) = r.optional(&rel)? else {
            let local = g
                .members
                .iter()
                .filter(|m| bag_of.contains_key(&m.key()))
                .count();
            if local > 0 && !r.present(&rel) {
                r.ctx.damage(
                    &r.shown(&rel),
                    Location::File,
                    format!(
                        "missing: group {} has {local} local members, whose mailbags MS Mail \
                         keeps in this file",
                        g.mailbox
                    ),
                )?;
            }
            continue;
        };
        let mut found = match super::groups::read_mem(&mf, &mb) {
            Ok(v) => v,
            Err(e) => {
                if !r.ctx.salvage {
                    return Err(e);
                }
                r.ctx.warn(format!("skipped: {e}"));
                continue;
            }
        };
        if !chain_read.get(gi).copied().unwrap_or(true) {
            // No ADMIN.GRP chain to read: the MEM file still names the local
            // members (external members are only in the chain).
            let mut members = Vec::with_capacity(found.len());
            for bag in &found {
                match user_of_bag.get(bag) {
                    Some(a) => members.push(a.clone()),
                    None => r.ctx.warn(format!(
                        "{mf}: mailbag {} is no local user's (ACCESS2.GLB)",
                        super::hex8(*bag)
                    )),
                }
            }
            r.ctx.warn(format!(
                "{mf}: group {} has no ADMIN.GRP member chain; its {} local members are \
                 taken from this MEM file (external members cannot be known)",
                g.mailbox,
                members.len()
            ));
            from_mem.push((gi, members));
            continue;
        }
        let mut expect: Vec<u32> = g
            .members
            .iter()
            .filter_map(|m| bag_of.get(&m.key()).copied())
            .collect();
        found.sort_unstable();
        expect.sort_unstable();
        if found != expect {
            r.ctx.finding(
                &mf,
                Location::File,
                format!(
                    "{} local member mailbags, the ADMIN.GRP chain of {} gives {}",
                    found.len(),
                    g.mailbox,
                    expect.len()
                ),
            );
        }
    }
    for (gi, members) in from_mem {
        if let Some(g) = data.groups.get_mut(gi) {
            g.members = members;
        }
    }

    // The GAL. A postoffice with the GAL enabled keeps one; without it the
    // global list cannot be read.
    let gal_file = r.optional("NME/GAL.NME")?;
    if gal_file.is_none() && data.gal_enabled && !r.present("NME/GAL.NME") {
        r.ctx.damage(
            &r.shown("NME/GAL.NME"),
            Location::File,
            "missing, but MASTER.GLB has the GAL enabled: the global address list is gone \
             (REBUILD makes it again)",
        )?;
    }
    if let Some((gf, gb)) = gal_file {
        // Records stay slices of the file and are decoded one at a time.
        let (_, gal) = frame_checked(&gf, &gb, 0, NmeRec::SIZE, nme_layout::STATUS, &mut r.ctx)?;
        let gf_id = r.origins.file(&gf, 0, NmeRec::SIZE);
        r.origins.gal_file = gf_id;
        data.gal.reserve(gal.len());
        r.origins.gal.reserve(gal.len());
        let galnetpo_file = r.optional("GLB/GALNETPO.GLB")?;
        let galnetpo = match &galnetpo_file {
            Some((f, b)) => Some((f.clone(), NetpoSlices::read(f, b, &mut r.ctx)?)),
            None => None,
        };
        // The previous and this upper-cased name: two buffers, reused.
        let (mut prev, mut up, mut first) = (String::new(), String::new(), true);
        for (i, rec) in gal.iter().enumerate() {
            let e = NmeRec::decode_fields(rec);
            if e.status != super::STATUS_IN_USE {
                continue;
            }
            let loc = rec_loc(i, NmeRec::SIZE, 0);
            up.clear();
            cp850_upper_into(&mut up, &e.full_name);
            if !first && prev > up {
                r.ctx
                    .finding(&gf, loc.clone(), "not sorted by full name (Q86375)");
            }
            first = false;
            std::mem::swap(&mut prev, &mut up);
            let addr = match e.kind {
                nme_kind::LOCAL_USER => match user_by_offset
                    .get(&e.pointer)
                    .and_then(|&u| data.users.get(u))
                {
                    Some(u) => Some(data.local_address(&u.mailbox)),
                    None => {
                        r.ctx.damage(
                            &gf,
                            loc,
                            format!("dangling pointer {} into ACCESS2.GLB", e.pointer),
                        )?;
                        None
                    }
                },
                nme_kind::GROUP => match group_by_tid.get(&e.tid).and_then(|&g| data.groups.get(g))
                {
                    Some(g) => Some(data.local_address(&g.mailbox)),
                    None => {
                        r.ctx.damage(
                            &gf,
                            loc,
                            format!("group tid {} is not in GROUP.GLB", e.tid),
                        )?;
                        None
                    }
                },
                nme_kind::EXTERNAL | nme_kind::GATEWAY => {
                    resolve_netpo(r, &data, &gf, &galnetpo, &e, loc)?
                }
                k => {
                    r.ctx
                        .damage(&gf, loc, format!("entry kind {k} is not 1, 2, 4 or 8"))?;
                    None
                }
            };
            if let Some(address) = addr {
                r.origins.gal.push(origin(gf_id, i).index);
                data.gal.push(ListEntry {
                    full_name: e.full_name,
                    address,
                });
            }
        }
        // GALNETPO is not needed past the GAL: free it before the index check.
        drop(galnetpo);
        drop(galnetpo_file);
        match r.optional("GLB/GALINDEX.GLB")? {
            Some((xf, xb)) => {
                // (offset, full name) of every GAL entry in use, in offset
                // order; the index is checked against them in one pass.
                let names: Vec<(u32, String)> = gal
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| nme_layout::STATUS.get(e) == super::STATUS_IN_USE)
                    .map(|(i, e)| ((i * NmeRec::SIZE) as u32, nme_layout::FULL_NAME.get(e)))
                    .collect();
                match super::galindex::GalIndex::read(&xf, &xb) {
                    Ok(idx) if !idx.indexes(&names) => r.ctx.finding(
                        &xf,
                        Location::File,
                        "does not index GAL.NME as it is (a stale GAL index; REBUILD makes it again)",
                    ),
                    Ok(_) => {}
                    // The reader's error names the file and the place
                    // already: pass it on as it is (not wrapped as "whole
                    // file: FILE: byte offset ...").
                    Err(Error::Input {
                        file,
                        location,
                        message,
                    }) => r.ctx.damage(&file, location, message)?,
                    Err(e) => r.ctx.damage(&xf, Location::File, format!("{e}"))?,
                }
            }
            None if !r.present("GLB/GALINDEX.GLB") => r.ctx.damage(
                &r.shown("GLB/GALINDEX.GLB"),
                Location::File,
                "missing: GAL.NME is here and GALINDEX.GLB indexes it (REBUILD makes it again)",
            )?,
            None => {}
        }
    }

    // TID.GLB and size-only files.
    if let Some((tf, tb)) = r.optional("GLB/TID.GLB")? {
        data.next_tid = super::misc::read_tid(&tf, &tb)?;
        let max = data
            .users
            .iter()
            .filter_map(|u| u.tid)
            .chain(data.groups.iter().filter_map(|g| g.tid))
            .chain(nme.iter().filter(|e| e.status == 1).map(|e| e.tid))
            .max();
        if max.is_some_and(|m| m >= data.next_tid) {
            r.ctx.finding(
                &tf,
                Location::Offset(0),
                format!(
                    "next tid {} is not above the highest tid in use {}",
                    data.next_tid,
                    max.unwrap_or(0)
                ),
            );
        }
    }
    // Per-user KEY (560 bytes) and MBG (multiple of 116) files, where present.
    let per_user: Vec<(String, super::misc::SizeRule)> = data
        .users
        .iter()
        .filter_map(|u| u.mailbag)
        .flat_map(|b| {
            let h = super::hex8(b);
            [
                (
                    format!("KEY/{h}.KEY"),
                    super::misc::SizeRule::Exact(super::misc::KEY_SIZE),
                ),
                (
                    format!("MBG/{h}.MBG"),
                    super::misc::SizeRule::MultipleOf(super::misc::MBG_RECORD),
                ),
            ]
        })
        .collect();
    for (rel, rule) in per_user {
        if let Some(p) = r.path(&rel) {
            let len = std::fs::metadata(&p).map_err(|e| Error::read(&p, e))?.len();
            if !rule.accepts(len) {
                r.ctx.damage(
                    &p.display().to_string(),
                    Location::File,
                    format!("wrong size {len} bytes ({rule:?})"),
                )?;
            }
        }
    }
    for (name, rule) in super::misc::SIZE_ONLY_GLB {
        if let Some(p) = r.path(&format!("GLB/{name}")) {
            let len = std::fs::metadata(&p).map_err(|e| Error::read(&p, e))?.len();
            if !rule.accepts(len) {
                r.ctx.damage(
                    &p.display().to_string(),
                    Location::File,
                    format!("wrong size {len} bytes ({rule:?})"),
                )?;
            }
        }
    }
    Ok(data)
}

/// Resolves an NME kind 2/8 entry through NETPO/GALNETPO.
fn resolve_netpo(
    r: &mut Reader<'_>,
    data: &PostOfficeData,
    file: &str,
    netpo: &Option<(String, NetpoSlices<'_>)>,
    e: &NmeRec,
    loc: Location,
) -> Result<Option<Address>> {
    let mut unrepresentable = Vec::new();
    let a = resolve_netpo_entry(&mut r.ctx, &mut unrepresentable, data, file, netpo, e, loc);
    for m in unrepresentable {
        r.unrepresentable(m);
    }
    a
}

/// [`resolve_netpo`] for any reader: damage goes to `ctx`, entries profile
/// v1 cannot represent are described in `unrepresentable`.
pub(crate) fn resolve_netpo_entry(
    ctx: &mut Ctx,
    unrepresentable: &mut Vec<String>,
    data: &PostOfficeData,
    file: &str,
    netpo: &Option<(String, NetpoSlices<'_>)>,
    e: &NmeRec,
    loc: Location,
) -> Result<Option<Address>> {
    let Some((pf, np)) = netpo else {
        ctx.damage(file, loc, "external entry, but the NETPO file is missing")?;
        return Ok(None);
    };
    let Some(rec) = np
        .at(e.pointer)
        .filter(|x| x.status == super::STATUS_IN_USE)
    else {
        ctx.damage(
            file,
            loc,
            format!("dangling pointer {} into {pf}", e.pointer),
        )?;
        return Ok(None);
    };
    if e.kind == nme_kind::EXTERNAL {
        return Ok(Some(Address::pcm(
            &rec.network,
            &rec.postoffice,
            &rec.mailbox,
        )));
    }
    let up = cp850_upper(&rec.network);
    let net = data.networks.iter().find(|n| cp850_upper(&n.name) == up);
    match net {
        Some(n) if n.kind == network_kind::GATEWAY_101010 => Ok(Some(Address {
            type_name: n.address_type.clone(),
            body: format!("{}/{}/{}", rec.network, rec.postoffice, rec.mailbox),
        })),
        Some(n) => {
            unrepresentable.push(format!(
                "{file}: {loc}: gateway entry {:?} names network {} of kind {} (long-form addresses need text formats)",
                e.full_name, n.name, n.kind
            ));
            Ok(None)
        }
        None => {
            unrepresentable.push(format!(
                "{file}: {loc}: gateway entry {:?} names network {:?}, which NETWORK.GLB does not list",
                e.full_name, rec.network
            ));
            Ok(None)
        }
    }
}

/// Loads one list of a tree (`msmail export TREE --list ...`) with the
/// reader's warnings.
pub fn load_list(
    maildata: &Path,
    selector: &ListSelector,
    options: &LoadOptions,
) -> Result<crate::input::Loaded> {
    let po = PostOffice::open(maildata, options)?;
    let directory = po.list(selector)?;
    Ok(crate::input::Loaded {
        directory,
        warnings: po.warnings,
    })
}

/// Which list a single list file inside a MAILDATA tree holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeListFile {
    /// `NME/ADMIN.NME` or its shadow `NME/ADMINSHD.NME`: the POL.
    Pol,
    /// `NME/GAL.NME`.
    Gal,
    /// `USR/<mailbag>.USR`: the list of the postoffice with that mailbag.
    Usr(u32),
}

/// When `path` is a list file (NME/ADMIN.NME, ADMINSHD.NME, GAL.NME or
/// USR/&lt;hex&gt;.USR) inside a MAILDATA tree: the tree root and which list it is.
/// Such files need their tree to resolve addresses.
pub fn tree_list_file(path: &Path) -> Option<(PathBuf, TreeListFile)> {
    let file = path.file_name()?.to_str()?.to_ascii_uppercase();
    let folder = path.parent()?;
    let folder_name = folder.file_name()?.to_str()?.to_ascii_uppercase();
    let root = folder.parent()?;
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    find_case_insensitive(root, "GLB/MASTER.GLB")?;
    let (stem, ext) = file.rsplit_once('.')?;
    let kind = match (folder_name.as_str(), ext, stem) {
        ("NME", "NME", "ADMIN" | "ADMINSHD") => TreeListFile::Pol,
        ("NME", "NME", "GAL") => TreeListFile::Gal,
        ("USR", "USR", hex) => TreeListFile::Usr(parse_hex8(hex)?),
        _ => return None,
    };
    Some((root.to_path_buf(), kind))
}

/// Loads a single list file of a tree (see [`tree_list_file`]).
pub fn load_list_file(path: &Path, options: &LoadOptions) -> Result<crate::input::Loaded> {
    let Some((root, kind)) = tree_list_file(path) else {
        return Err(Error::input(
            path.display().to_string(),
            Location::File,
            "not an ADMIN/ADMINSHD/GAL.NME or USR list inside a MAILDATA tree",
        ));
    };
    let po = PostOffice::open(&root, options)?;
    let directory = match kind {
        TreeListFile::Pol => po.pol(),
        TreeListFile::Gal => po.gal(),
        TreeListFile::Usr(bag) => {
            let found = po.data.networks.iter().find_map(|n| {
                n.postoffices
                    .iter()
                    .find(|p| p.mailbag == Some(bag))
                    .map(|p| (n.name.clone(), p.name.clone()))
            });
            let Some((net, name)) = found else {
                return Err(Error::input(
                    path.display().to_string(),
                    Location::File,
                    format!(
                        "no XTN record of this tree names mailbag {}",
                        super::hex8(bag)
                    ),
                ));
            };
            po.usr_list(&net, &name).unwrap_or_default()
        }
    };
    Ok(crate::input::Loaded {
        directory,
        warnings: po.warnings,
    })
}
