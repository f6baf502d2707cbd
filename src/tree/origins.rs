//! Where each address of a tree was read from, kept compact while reading.

use std::collections::HashMap;
use std::sync::Arc;

use super::FixedRecord;
use crate::model::{AddressKey, Origin, Position};

/// Hash maps of the reader: foldhash (as in `crate::model`) is several times
/// faster than SipHash on the short address keys a big tree holds by the million.
pub(super) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Where each address was read from: the record of its own file (ACCESS2,
/// GROUP.GLB, USR), of ADMIN.NME, and of GAL.NME. Values are compact
/// (file number + record number, 8 bytes; USR and GAL entries by position,
/// 4 bytes, no map by address); [`Origins::origin`] builds the [`Origin`] on
/// demand.
#[derive(Debug, Clone, Default)]
pub(super) struct Origins {
    /// Files named by the maps: shown name, header size, record size.
    pub(super) files: Vec<(Arc<str>, usize, usize)>,
    /// Local users (ACCESS2.GLB), by address: the first record of each.
    pub(super) users: FastMap<AddressKey, OriginRef>,
    /// Local groups (GROUP.GLB), by address: the first record of each.
    pub(super) groups: FastMap<AddressKey, OriginRef>,
    pub(super) pol: FastMap<AddressKey, OriginRef>,
    /// USR lists by (network, postoffice) position in `PostOfficeData`: the
    /// USR file and the record of each entry of the list, in list order
    /// (four bytes an entry, no map by address).
    pub(super) usr: FastMap<(usize, usize), UsrRecords>,
    /// GAL.NME: the record of each `PostOfficeData::gal` entry, by position
    /// (the first entry of an address is the one a view keeps, so no map by
    /// address is needed); `gal_file` names GAL.NME.
    pub(super) gal: Vec<u32>,
    pub(super) gal_file: u32,
}

/// The records of one USR list's entries.
#[derive(Debug, Clone, Default)]
pub(super) struct UsrRecords {
    pub(super) file: u32,
    pub(super) records: Vec<u32>,
}

/// A record of one of [`Origins::files`].
#[derive(Debug, Clone, Copy)]
pub(super) struct OriginRef {
    pub(super) file: u32,
    pub(super) index: u32,
}

/// The origin `index` of file number `file` (a number from [`Origins::file`]).
pub(super) fn origin(file: u32, index: usize) -> OriginRef {
    OriginRef {
        file,
        index: u32::try_from(index).unwrap_or(u32::MAX),
    }
}

impl Origins {
    /// Registers a file of `size`-byte records after a `header`-byte header.
    pub(super) fn file(&mut self, name: &str, header: usize, size: usize) -> u32 {
        self.files.push((Arc::from(name), header, size));
        (self.files.len() - 1) as u32
    }

    /// The origin a compact reference stands for.
    pub(super) fn origin(&self, r: OriginRef) -> Option<Origin> {
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
    pub(super) fn gal_origin(&self, gal_len: usize, j: usize) -> Option<Origin> {
        if gal_len != self.gal.len() {
            return None;
        }
        let index = *self.gal.get(j)?;
        self.origin(OriginRef {
            file: self.gal_file,
            index,
        })
    }

    /// The origin of entry `j` of the USR list of external postoffice
    /// `postoffice` of network `network` (positions in `PostOfficeData`),
    /// which holds `len` entries; none when the list was edited to another
    /// length since the tree was read, or its origins were not kept.
    pub(super) fn usr_origin(
        &self,
        network: usize,
        postoffice: usize,
        j: usize,
        len: usize,
    ) -> Option<Origin> {
        let list = self.usr.get(&(network, postoffice))?;
        if list.records.len() != len {
            return None;
        }
        self.origin(OriginRef {
            file: list.file,
            index: *list.records.get(j)?,
        })
    }

    /// Records where the entries of the USR list at (`network`,
    /// `postoffice`) positions were read from: file `file` (of `UsrRec`
    /// records), record `records[j]` for entry `j`.
    pub(super) fn add_usr_list(
        &mut self,
        network: usize,
        postoffice: usize,
        file: &str,
        records: Vec<u32>,
    ) {
        let file = self.file(file, 0, super::lists::UsrRec::SIZE);
        self.usr
            .insert((network, postoffice), UsrRecords { file, records });
    }

    /// The origin of a local user, local group or POL external entry of
    /// address `k` (in that order): what the directory views name for an
    /// entry that is not a USR or GAL record of its own.
    pub(super) fn listed(&self, k: &AddressKey) -> Option<Origin> {
        self.find(&[&self.users, &self.groups, &self.pol], k)
    }

    /// The first origin any of `maps` knows for `k`.
    pub(super) fn find(
        &self,
        maps: &[&FastMap<AddressKey, OriginRef>],
        k: &AddressKey,
    ) -> Option<Origin> {
        maps.iter()
            .find_map(|m| m.get(k))
            .and_then(|&r| self.origin(r))
    }
}
