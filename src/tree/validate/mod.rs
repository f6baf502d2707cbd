//! The tree validator: the checks the tree reader ([`super::PostOffice::open`])
//! and `msmail inspect` share, each yielding typed damage.
//!
//! Parsing and validation apart: the record decoders (`lists`, `users`,
//! `identity`, ...) only decode; the functions here decide whether a decoded
//! value is damage and say so as a [`TreeFinding`] — a typed [`Damage`] with
//! the file and the location (record number and byte offset). Each consumer
//! renders it in its own words, which are kept exactly as they were:
//! - the reader: [`super::Ctx::report`] turns a finding into `Error::Input`
//!   (strict) or a skipped-damage warning (salvage), a cross-file finding
//!   ([`super::Ctx::findings`]) or a warning, by [`TreeFinding::effect`],
//!   with [`TreeFinding::reader_message`] at [`TreeFinding::reader_location`];
//! - `inspect`: a finding with [`DamageKind::code`], [`TreeFinding::message`],
//!   [`TreeFinding::record`] and [`TreeFinding::offset`].
//!
//! Checks that are still each consumer's own (their rules differ): framing
//! and status bytes (`frame_ctx` vs `inspect::files::records`), NETPO/GALNETPO
//! resolution (`resolve_netpo_entry`), the ADMIN.GRP member chains
//! (`GrpFile::chain` vs inspect's cycle walk), GALINDEX.GLB, header counts
//! and file sizes; docs/inspect.md lists every code.

use serde::Serialize;

use super::Ctx;
use crate::error::{Error, Location, Result};

mod checks;
pub use checks::*;

/// How serious a finding is (`msmail inspect`'s severities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Damage: MS Mail misbehaves or loses data (exit code 3).
    Error,
    /// Suspicious, but MS Mail works.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// The lower-case name used in text and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The kinds of tree damage, each with the stable code `inspect` prints
/// (docs/inspect.md, "Checks").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DamageKind {
    /// `missing-file`
    MissingFile,
    /// `access-count-mismatch`
    AccessCountMismatch,
    /// `shadow-mismatch`
    ShadowMismatch,
    /// `dangling-pointer`
    DanglingPointer,
    /// `dangling-tid`
    DanglingTid,
    /// `tid-mismatch`
    TidMismatch,
    /// `bad-kind`
    BadKind,
    /// `gal-unsorted`
    GalUnsorted,
    /// `tid-counter-behind`
    TidCounterBehind,
    /// `bad-mailbag`
    BadMailbag,
    /// `user-not-in-pol`
    UserNotInPol,
    /// `usr-missing`
    UsrMissing,
}

impl DamageKind {
    /// Every kind.
    pub const ALL: [DamageKind; 12] = [
        DamageKind::MissingFile,
        DamageKind::AccessCountMismatch,
        DamageKind::ShadowMismatch,
        DamageKind::DanglingPointer,
        DamageKind::DanglingTid,
        DamageKind::TidMismatch,
        DamageKind::BadKind,
        DamageKind::GalUnsorted,
        DamageKind::TidCounterBehind,
        DamageKind::BadMailbag,
        DamageKind::UserNotInPol,
        DamageKind::UsrMissing,
    ];

    /// The stable kebab-case code.
    pub const fn code(self) -> &'static str {
        match self {
            DamageKind::MissingFile => "missing-file",
            DamageKind::AccessCountMismatch => "access-count-mismatch",
            DamageKind::ShadowMismatch => "shadow-mismatch",
            DamageKind::DanglingPointer => "dangling-pointer",
            DamageKind::DanglingTid => "dangling-tid",
            DamageKind::TidMismatch => "tid-mismatch",
            DamageKind::BadKind => "bad-kind",
            DamageKind::GalUnsorted => "gal-unsorted",
            DamageKind::TidCounterBehind => "tid-counter-behind",
            DamageKind::BadMailbag => "bad-mailbag",
            DamageKind::UserNotInPol => "user-not-in-pol",
            DamageKind::UsrMissing => "usr-missing",
        }
    }

    /// The severity `inspect` gives it.
    pub const fn severity(self) -> Severity {
        match self {
            DamageKind::UserNotInPol => Severity::Warning,
            DamageKind::UsrMissing => Severity::Info,
            _ => Severity::Error,
        }
    }
}

/// What the tree reader does with a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The record cannot be read: `Error::Input` (strict), skipped and
    /// reported (salvage).
    Stop,
    /// A cross-file inconsistency: reported, reading goes on.
    Finding,
    /// Worth a warning, reading goes on.
    Warn,
}

/// One damage, typed, with the values the messages name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// A mailbag (ACCESS2, XTN) or XTN prefix (NETWORK) not of 8 hex digits.
    BadMailbag {
        /// `mailbag` or `XTN prefix`.
        what: &'static str,
        /// The field as read.
        value: String,
    },
    /// A NETWORK.GLB kind other than 1, 2 or 3.
    BadNetworkKind {
        /// The kind byte.
        kind: u8,
    },
    /// A USR kind byte other than `U` or `G`.
    BadUsrKind {
        /// The kind byte.
        kind: u8,
    },
    /// An NME entry kind other than 1, 2, 4 or 8.
    BadEntryKind {
        /// The entry's full name.
        name: String,
        /// The kind.
        kind: u16,
    },
    /// An NME local-user entry pointing to no user record of ACCESS2.GLB.
    DanglingUserPointer {
        /// The entry's full name.
        name: String,
        /// The pointer.
        pointer: u32,
    },
    /// An NME local-user entry whose tid differs from its ACCESS2.GLB record's.
    TidMismatch {
        /// The entry's full name.
        name: String,
        /// The entry's tid.
        tid: u32,
        /// The tid of the record it points to.
        record_tid: u32,
    },
    /// An NME group entry whose tid GROUP.GLB does not hold.
    DanglingGroupTid {
        /// The entry's full name.
        name: String,
        /// The tid.
        tid: u32,
    },
    /// A file every tree needs ([`REQUIRED_FILES`]) is missing.
    MissingRequired,
    /// An XTN file NETWORK.GLB names is missing.
    MissingXtn {
        /// The NETWORK.GLB record.
        network_record: usize,
        /// The network's name.
        network: String,
    },
    /// An external postoffice without USR list.
    UsrMissing {
        /// Network.
        network: String,
        /// Postoffice.
        postoffice: String,
    },
    /// A local user without ADMIN.NME entry.
    UserNotInPol {
        /// The mailbox.
        mailbox: String,
    },
    /// A GAL.NME entry sorting before the one above it.
    GalUnsorted {
        /// The entry's full name.
        name: String,
    },
    /// ACCESS.GLB or ACCESS3.GLB holds another number of records than ACCESS2.GLB.
    AccessCountMismatch {
        /// Records of this file.
        records: u64,
        /// Records of ACCESS2.GLB.
        access2: u64,
    },
    /// A shadow file differs from its master.
    ShadowMismatch {
        /// `ADMIN.NME` or `ADMIN.GRP`.
        master: &'static str,
        /// The first differing byte.
        first: u64,
        /// The shadow's size.
        shadow_len: u64,
        /// The master's size.
        master_len: u64,
    },
    /// TID.GLB's next tid is not above the highest tid in use.
    TidCounterBehind {
        /// TID.GLB's next tid.
        next: u32,
        /// The highest tid in use.
        highest: u32,
    },
}

impl Damage {
    /// The kind (and so the code).
    pub fn kind(&self) -> DamageKind {
        match self {
            Damage::BadMailbag { .. } => DamageKind::BadMailbag,
            Damage::BadNetworkKind { .. }
            | Damage::BadUsrKind { .. }
            | Damage::BadEntryKind { .. } => DamageKind::BadKind,
            Damage::DanglingUserPointer { .. } => DamageKind::DanglingPointer,
            Damage::TidMismatch { .. } => DamageKind::TidMismatch,
            Damage::DanglingGroupTid { .. } => DamageKind::DanglingTid,
            Damage::MissingRequired | Damage::MissingXtn { .. } => DamageKind::MissingFile,
            Damage::UsrMissing { .. } => DamageKind::UsrMissing,
            Damage::UserNotInPol { .. } => DamageKind::UserNotInPol,
            Damage::GalUnsorted { .. } => DamageKind::GalUnsorted,
            Damage::AccessCountMismatch { .. } => DamageKind::AccessCountMismatch,
            Damage::ShadowMismatch { .. } => DamageKind::ShadowMismatch,
            Damage::TidCounterBehind { .. } => DamageKind::TidCounterBehind,
        }
    }
}

/// A damage with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFinding {
    /// What is wrong.
    pub damage: Damage,
    /// The file as shown to the user.
    pub file: String,
    /// Where: a record (number and byte offset of the damaged field or
    /// byte), a byte offset, or the whole file.
    pub location: Location,
    /// The byte offset the record starts at, for a record location.
    pub record_start: Option<u64>,
}

/// A fixed-size record of a file: its number and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordAt {
    /// 0-based record number.
    pub index: usize,
    /// Byte offset of the record.
    pub start: u64,
}

impl RecordAt {
    /// Record `index` of `size`-byte records after a `header`-byte header.
    pub fn new(index: usize, size: usize, header: usize) -> RecordAt {
        RecordAt {
            index,
            start: (header + index * size) as u64,
        }
    }
}

impl TreeFinding {
    fn at(damage: Damage, file: &str, rec: RecordAt, field: usize) -> TreeFinding {
        TreeFinding {
            damage,
            file: file.to_string(),
            location: Location::Record {
                index: rec.index as u64,
                offset: rec.start + field as u64,
            },
            record_start: Some(rec.start),
        }
    }

    fn whole(damage: Damage, file: &str) -> TreeFinding {
        TreeFinding {
            damage,
            file: file.to_string(),
            location: Location::File,
            record_start: None,
        }
    }

    /// The kind.
    pub fn kind(&self) -> DamageKind {
        self.damage.kind()
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// The 0-based record number, where the damage is in one record.
    pub fn record(&self) -> Option<u64> {
        match self.location {
            Location::Record { index, .. } => Some(index),
            _ => None,
        }
    }

    /// The byte offset of the damage, where known.
    pub fn offset(&self) -> Option<u64> {
        match self.location {
            Location::Record { offset, .. } | Location::Offset(offset) => Some(offset),
            _ => None,
        }
    }

    /// What the tree reader does with it.
    pub fn effect(&self) -> Effect {
        match self.damage {
            Damage::TidMismatch { .. }
            | Damage::GalUnsorted { .. }
            | Damage::AccessCountMismatch { .. }
            | Damage::ShadowMismatch { .. }
            | Damage::TidCounterBehind { .. } => Effect::Finding,
            Damage::UsrMissing { .. } | Damage::UserNotInPol { .. } => Effect::Warn,
            _ => Effect::Stop,
        }
    }

    /// The message `inspect` prints.
    pub fn message(&self) -> String {
        match &self.damage {
            Damage::BadEntryKind { name, kind } => {
                format!("{name:?}: entry kind {kind} is not 1, 2, 4 or 8")
            }
            Damage::DanglingUserPointer { name, pointer } => {
                format!("{name:?}: pointer {pointer} is not a user record of ACCESS2.GLB")
            }
            Damage::TidMismatch {
                name,
                tid,
                record_tid,
            } => format!("{name:?}: tid {tid}, the ACCESS2.GLB record has tid {record_tid}"),
            Damage::DanglingGroupTid { name, tid } => {
                format!("{name:?}: group tid {tid} is not in GROUP.GLB")
            }
            Damage::GalUnsorted { name } => format!("{name:?} sorts before the previous entry"),
            Damage::AccessCountMismatch { records, access2 } => {
                format!("{records} records, ACCESS2.GLB has {access2}")
            }
            Damage::ShadowMismatch {
                master,
                first,
                shadow_len,
                master_len,
            } => format!(
                "differs from {master} from byte {first} ({shadow_len} vs {master_len} bytes)"
            ),
            Damage::TidCounterBehind { next, highest } => {
                format!("next tid {next}, but tid {highest} is in use")
            }
            _ => self.reader_message(),
        }
    }

    /// The message the tree reader gives (its `Error::Input`, finding or
    /// warning without the file name).
    pub fn reader_message(&self) -> String {
        match &self.damage {
            Damage::BadMailbag { what, value } => format!("{what} {value:?} is not 8 hex digits"),
            Damage::BadNetworkKind { kind } => format!("network kind {kind} is not 1, 2 or 3"),
            Damage::BadUsrKind { kind } => format!("kind byte {kind:#04x} is neither 'U' nor 'G'"),
            Damage::BadEntryKind { kind, .. } => format!("entry kind {kind} is not 1, 2, 4 or 8"),
            Damage::DanglingUserPointer { pointer, .. } => {
                format!("dangling pointer {pointer} into ACCESS2.GLB")
            }
            Damage::TidMismatch {
                tid, record_tid, ..
            } => format!(
                "tid {tid} differs from the tid {record_tid} of the ACCESS2.GLB record it points \
                 to; the entry is read through its pointer"
            ),
            Damage::DanglingGroupTid { tid, .. } => format!("group tid {tid} is not in GROUP.GLB"),
            Damage::MissingRequired => "missing: a postoffice tree needs this file".into(),
            Damage::MissingXtn {
                network_record,
                network,
            } => format!("missing, named by NETWORK.GLB record {network_record} ({network})"),
            Damage::UsrMissing {
                network,
                postoffice,
            } => format!("missing; {network}/{postoffice} has no address list yet"),
            Damage::UserNotInPol { mailbox } => format!("user {mailbox} has no ADMIN.NME entry"),
            Damage::GalUnsorted { .. } => "not sorted by full name (Q86375)".into(),
            Damage::AccessCountMismatch { records, access2 } => {
                format!("{records} records, ACCESS2.GLB has {access2} (they must be equal, Q87402)")
            }
            Damage::ShadowMismatch {
                master: "ADMIN.NME",
                shadow_len,
                master_len,
                ..
            } => format!(
                "differs from ADMIN.NME ({shadow_len} vs {master_len} bytes); the shadow must be \
                 equal; ADMIN.NME is read"
            ),
            Damage::ShadowMismatch { master, .. } => {
                format!("differs from {master} (the shadow must be equal); {master} is read")
            }
            Damage::TidCounterBehind { next, highest } => {
                format!("next tid {next} is not above the highest tid in use {highest}")
            }
        }
    }

    /// Where the tree reader places it: the record's start for a record, the
    /// first differing byte of ADMINSHD.NME, the whole file otherwise.
    pub fn reader_location(&self) -> Location {
        match (&self.damage, self.record_start, &self.location) {
            (Damage::ShadowMismatch { master, .. }, _, _) if *master != "ADMIN.NME" => {
                Location::File
            }
            (Damage::ShadowMismatch { .. } | Damage::TidCounterBehind { .. }, _, loc) => {
                loc.clone()
            }
            (_, Some(start), Location::Record { index, .. }) => Location::Record {
                index: *index,
                offset: start,
            },
            (_, _, loc) => loc.clone(),
        }
    }

    /// The tree reader's `Error::Input` for it.
    pub fn to_error(&self) -> Error {
        Error::input(&self.file, self.reader_location(), self.reader_message())
    }
}

impl Ctx {
    /// Reports a validator finding the reader's way (see [`TreeFinding::effect`]):
    /// damage is an error in strict mode and skipped with salvage.
    pub fn report(&mut self, f: &TreeFinding) -> Result<()> {
        match f.effect() {
            Effect::Stop => self.damage(&f.file, f.reader_location(), f.reader_message()),
            Effect::Finding => {
                self.finding(&f.file, f.reader_location(), f.reader_message());
                Ok(())
            }
            Effect::Warn => {
                self.warn(format!("{}: {}", f.file, f.reader_message()));
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
