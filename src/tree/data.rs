//! The postoffice data: a whole MAILDATA tree (profile v1) as plain,
//! easy-to-edit in-memory values ([`PostOfficeData`] and its parts).

use super::identity::network_kind;
use crate::codepage::cp850_upper;
use crate::model::{
    Address, Directory, Entry, EntryKind, Scope, TemplateDef, TemplateField, TemplateValue, Text,
};

/// A local mailbox (ACCESS2.GLB record).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalUser {
    /// Mailbox name.
    pub mailbox: String,
    /// Full name.
    pub full_name: Text,
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
    pub fn new(mailbox: impl Into<String>, full_name: impl Into<Text>) -> LocalUser {
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
    pub full_name: Text,
    /// Mailbox (inline up to 24 bytes: see [`Text`]).
    pub mailbox: Text,
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
            mailbox: mailbox.into(),
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
    pub full_name: Text,
    /// Address.
    pub address: Address,
}

/// Everything a profile-v1 postoffice tree holds, as plain data: built by
/// [`super::PostOffice::open`], written by [`super::write_tree`], easy to construct
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
        let (ni, pi) = self.external_index(network, postoffice)?;
        let net = self.networks.get(ni)?;
        Some((net, net.postoffices.get(pi)?))
    }

    /// Where [`PostOfficeData::external`] finds `network/postoffice`: the
    /// network's and the postoffice's indexes (NETWORK/XTN order).
    pub fn external_index(&self, network: &str, postoffice: &str) -> Option<(usize, usize)> {
        let (n, p) = (cp850_upper(network), cp850_upper(postoffice));
        self.networks
            .iter()
            .enumerate()
            .filter(|(_, net)| cp850_upper(&net.name) == n)
            .find_map(|(ni, net)| {
                net.postoffices
                    .iter()
                    .position(|po| cp850_upper(&po.name) == p)
                    .map(|pi| (ni, pi))
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
    pub(super) fn scope_of(net: &NetworkData, po: &ExternalPostOffice) -> Scope {
        let ty = Self::address_type_in(net).to_ascii_uppercase();
        Scope {
            type_name: if ty == "CSI" { "PCM".into() } else { ty },
            body: format!("{}/{}", net.name, po.name),
        }
    }

    pub(super) fn address_in(net: &NetworkData, po: &ExternalPostOffice, mailbox: &str) -> Address {
        Address {
            type_name: Self::address_type_in(net).into(),
            body: compact_str::format_compact!("{}/{}/{}", net.name, po.name, mailbox),
        }
    }

    /// Appends the key text of [`PostOfficeData::address_in`]'s address to
    /// `out`, without building the address.
    pub(super) fn key_in_into(
        net: &NetworkData,
        po: &ExternalPostOffice,
        mailbox: &str,
        out: &mut String,
    ) {
        Self::key_named_into(net, &po.name, mailbox, out);
    }

    /// [`PostOfficeData::key_in_into`] for the postoffice named `postoffice`
    /// of network `net`.
    pub(super) fn key_named_into(
        net: &NetworkData,
        postoffice: &str,
        mailbox: &str,
        out: &mut String,
    ) {
        let parts = [net.name.as_str(), postoffice, mailbox];
        Address::key_of_parts_into(Self::address_type_in(net), &parts, out);
    }

    /// The address type of network `net`'s entries as written: `PCM` for
    /// an MS Mail network, else the network's own type.
    fn address_type_in(net: &NetworkData) -> &str {
        if net.kind == network_kind::MSMAIL {
            "PCM"
        } else {
            &net.address_type
        }
    }

    /// Appends the key text of [`PostOfficeData::local_address`]'s address
    /// to `out`, without building the address.
    pub(super) fn local_key_into(&self, mailbox: &str, out: &mut String) {
        let parts = [self.network.as_str(), self.postoffice.as_str(), mailbox];
        Address::key_of_parts_into("PCM", &parts, out);
    }

    pub(super) fn user_entry(&self, u: &LocalUser) -> Entry {
        let mut e = Entry::new(u.full_name.clone(), self.local_address(&u.mailbox));
        e.template = u.template.clone();
        e
    }

    pub(super) fn group_entry(&self, g: &LocalGroup) -> Entry {
        let mut e = Entry::new(&g.name, self.local_address(&g.mailbox));
        e.kind = EntryKind::Group;
        e
    }

    pub(super) fn local_template_def(&self) -> Option<TemplateDef> {
        (!self.local_template.is_empty()).then(|| TemplateDef {
            scope: self.scope(),
            fields: self.local_template.clone(),
        })
    }
}
