//! The checks themselves: each takes decoded values and the record they
//! come from, and says whether they are damage.

use super::{Damage, RecordAt, TreeFinding};
use crate::codepage::cp850_upper_into;
use crate::error::Location;
use crate::tree::identity::network_kind;
use crate::tree::lists::{nme_kind, nme_layout};
use crate::tree::StrF;

/// A mailbag or XTN prefix field: its value, or `bad-mailbag`.
pub fn mailbag(
    file: &str,
    rec: RecordAt,
    field: StrF,
    what: &'static str,
    value: &str,
) -> std::result::Result<u32, TreeFinding> {
    crate::tree::parse_hex8(value).ok_or_else(|| {
        TreeFinding::at(
            Damage::BadMailbag {
                what,
                value: value.to_string(),
            },
            file,
            rec,
            field.0,
        )
    })
}

/// A NETWORK.GLB record's kind byte (1, 2 or 3), or `bad-kind`.
pub fn network_kind(file: &str, rec: RecordAt, kind: u8) -> std::result::Result<u8, TreeFinding> {
    match kind {
        network_kind::MSMAIL | network_kind::GATEWAY_101010 | network_kind::GATEWAY_OTHER => {
            Ok(kind)
        }
        k => Err(TreeFinding::at(
            Damage::BadNetworkKind { kind: k },
            file,
            rec,
            crate::tree::identity::network_layout::KIND.0,
        )),
    }
}

/// A USR record's kind byte: `true` for a group (`G`/`g`), `false` for a
/// user (`U`/`u`), or `bad-kind`.
pub fn usr_kind(file: &str, rec: RecordAt, kind: u8) -> std::result::Result<bool, TreeFinding> {
    match kind {
        b'U' | b'u' => Ok(false),
        b'G' | b'g' => Ok(true),
        k => Err(TreeFinding::at(
            Damage::BadUsrKind { kind: k },
            file,
            rec,
            crate::tree::lists::usr_layout::KIND.0,
        )),
    }
}

/// What an NME entry stands for, once its kind is known to be valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NmeTarget {
    /// Kind 1: the ACCESS2.GLB record at the pointer.
    LocalUser,
    /// Kind 4: the GROUP.GLB record with the tid.
    Group,
    /// Kinds 2 and 8: a NETPO/GALNETPO record (resolved by the caller).
    External,
}

/// The result of checking one NME entry: what it resolves to (none when it
/// cannot be resolved), and the damage found on the way (a `tid-mismatch`
/// comes with a resolved local user: the reader reads it through its pointer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NmeCheck {
    /// What the entry resolves to.
    pub target: Option<NmeTarget>,
    /// The damage, if any.
    pub finding: Option<TreeFinding>,
}

/// Checks an NME entry (ADMIN.NME, GAL.NME) against the local users and
/// groups: `user_tid(pointer)` is the tid of the ACCESS2.GLB user record at
/// that pointer (none: no user record there), `group_known(tid)` whether
/// GROUP.GLB holds the tid.
#[allow(clippy::too_many_arguments)]
pub fn nme_entry(
    file: &str,
    rec: RecordAt,
    name: &str,
    tid: u32,
    kind: u16,
    pointer: u32,
    user_tid: impl FnOnce(u32) -> Option<u32>,
    group_known: impl FnOnce(u32) -> bool,
) -> NmeCheck {
    let bad = |damage, field: usize| NmeCheck {
        target: None,
        finding: Some(TreeFinding::at(damage, file, rec, field)),
    };
    match kind {
        nme_kind::LOCAL_USER => match user_tid(pointer) {
            None => bad(
                Damage::DanglingUserPointer {
                    name: name.to_string(),
                    pointer,
                },
                nme_layout::POINTER.0,
            ),
            Some(record_tid) if record_tid != tid => NmeCheck {
                target: Some(NmeTarget::LocalUser),
                finding: Some(TreeFinding::at(
                    Damage::TidMismatch {
                        name: name.to_string(),
                        tid,
                        record_tid,
                    },
                    file,
                    rec,
                    nme_layout::TID.0,
                )),
            },
            Some(_) => NmeCheck {
                target: Some(NmeTarget::LocalUser),
                finding: None,
            },
        },
        nme_kind::GROUP if group_known(tid) => NmeCheck {
            target: Some(NmeTarget::Group),
            finding: None,
        },
        nme_kind::GROUP => bad(
            Damage::DanglingGroupTid {
                name: name.to_string(),
                tid,
            },
            nme_layout::TID.0,
        ),
        nme_kind::EXTERNAL | nme_kind::GATEWAY => NmeCheck {
            target: Some(NmeTarget::External),
            finding: None,
        },
        k => bad(
            Damage::BadEntryKind {
                name: name.to_string(),
                kind: k,
            },
            nme_layout::KIND.0,
        ),
    }
}

/// GAL.NME's sort order: each entry's full name (CP850 upper case) must not
/// sort before the one above it. Two buffers, reused from entry to entry.
#[derive(Debug, Default)]
pub struct GalOrder {
    prev: String,
    up: String,
    first: bool,
}

impl GalOrder {
    /// Before the first entry.
    pub fn new() -> GalOrder {
        GalOrder {
            first: true,
            ..GalOrder::default()
        }
    }

    /// The next entry in use; `gal-unsorted` when it sorts before the previous one.
    pub fn next(&mut self, file: &str, rec: RecordAt, name: &str) -> Option<TreeFinding> {
        self.up.clear();
        cp850_upper_into(&mut self.up, name);
        let unsorted = !self.first && self.prev > self.up;
        self.first = false;
        std::mem::swap(&mut self.prev, &mut self.up);
        unsorted.then(|| {
            TreeFinding::at(
                Damage::GalUnsorted {
                    name: name.to_string(),
                },
                file,
                rec,
                0,
            )
        })
    }
}

/// ACCESS.GLB / ACCESS3.GLB (`records` by size) against ACCESS2.GLB.
pub fn access_count(file: &str, records: u64, access2: u64) -> Option<TreeFinding> {
    (records != access2)
        .then(|| TreeFinding::whole(Damage::AccessCountMismatch { records, access2 }, file))
}

/// A shadow (`ADMINSHD.NME`, `ADMINSHD.GRP`) against its master, byte for
/// byte; the first differing byte is named (record of `size` bytes).
pub fn shadow(
    file: &str,
    master_name: &'static str,
    master: &[u8],
    shadow: &[u8],
    size: usize,
) -> Option<TreeFinding> {
    if master == shadow {
        return None;
    }
    let first = shadow
        .iter()
        .zip(master.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(shadow.len().min(master.len()));
    Some(TreeFinding {
        damage: Damage::ShadowMismatch {
            master: master_name,
            first: first as u64,
            shadow_len: shadow.len() as u64,
            master_len: master.len() as u64,
        },
        file: file.to_string(),
        location: Location::Record {
            index: (first / size) as u64,
            offset: first as u64,
        },
        record_start: None,
    })
}

/// TID.GLB's next tid against the highest tid in use.
pub fn tid_counter(file: &str, next: u32, highest: Option<u32>) -> Option<TreeFinding> {
    let highest = highest.filter(|&m| m >= next)?;
    Some(TreeFinding {
        damage: Damage::TidCounterBehind { next, highest },
        file: file.to_string(),
        location: Location::Offset(0),
        record_start: None,
    })
}

/// The files every tree needs: without one of them the reader stops.
pub const REQUIRED_FILES: [&str; 3] = ["GLB/MASTER.GLB", "GLB/ACCESS2.GLB", "NME/ADMIN.NME"];

/// A file of [`REQUIRED_FILES`] is missing.
pub fn missing_required(file: &str) -> TreeFinding {
    TreeFinding::whole(Damage::MissingRequired, file)
}

/// An XTN file NETWORK.GLB record `network_record` names is missing.
pub fn missing_xtn(file: &str, network_record: usize, network: &str) -> TreeFinding {
    TreeFinding::whole(
        Damage::MissingXtn {
            network_record,
            network: network.to_string(),
        },
        file,
    )
}

/// An external postoffice has no USR list (`file`) yet.
pub fn usr_missing(file: &str, network: &str, postoffice: &str) -> TreeFinding {
    TreeFinding::whole(
        Damage::UsrMissing {
            network: network.to_string(),
            postoffice: postoffice.to_string(),
        },
        file,
    )
}

/// The local user of ACCESS2.GLB record `rec` has no ADMIN.NME entry.
pub fn user_not_in_pol(file: &str, rec: RecordAt, mailbox: &str) -> TreeFinding {
    TreeFinding::at(
        Damage::UserNotInPol {
            mailbox: mailbox.to_string(),
        },
        file,
        rec,
        0,
    )
}
