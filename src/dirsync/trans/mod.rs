//! Dir-Sync transaction streams (REQTRANS, MSTTRANS, SRVTRANS, USRTRANS,
//! NMETRANS, GWTRANS, RESYNC, TMPTRANS): records back to back, no file header.
//!
//! Framing is read with `nom`, records are written with `byteorder`; both use
//! the one layout declaration in [`layout`]. The text is kept as raw CP850
//! bytes; [`TransactionRecord::to_operations`] decodes it with the import-text
//! parser in a separate step.

use std::borrow::Cow;

use serde::Serialize;

use crate::codepage::{decode_cp850, encode_cp850};
use crate::error::{Error, Location, Result};
use crate::model::{Entry, Operation, Origin, Position};

mod codec;

pub use codec::{plausible_record_at, read_stream, write_record, write_stream};
/// The record layout (profile v1), declared once for reader and writer.
pub mod layout {
    /// `u32` sequence number.
    pub const SYNC: usize = 0;
    /// `time32` date stamp.
    pub const STAMP: usize = 4;
    /// `u16` CRC-16/ARC of the text bytes.
    pub const CRC: usize = 8;
    /// `u16` text length, NUL not counted.
    pub const LEN: usize = 10;
    /// `u8` operation byte.
    pub const OP: usize = 12;
    /// `u8` flags.
    pub const FLAGS: usize = 13;
    /// `str[22]` origin `NET/PO`.
    pub const ORIGIN: usize = 14;
    /// Size of the origin field.
    pub const ORIGIN_LEN: usize = 22;
    /// Reserved bytes.
    pub const RESERVED: usize = 36;
    /// Size of the reserved field.
    pub const RESERVED_LEN: usize = 12;
    /// Start of the text; the header is this long.
    pub const TEXT: usize = 48;
    /// Size of a placeholder record (header plus the NUL).
    pub const PLACEHOLDER_SIZE: usize = TEXT + 1;
}

/// Flag bit 0: the text carries template data lines.
pub const FLAG_TEMPLATE: u8 = 0x01;

/// The operation bytes a record may carry.
pub const VALID_OPS: &[u8] = b"ADMRTH\0";

/// [`VALID_OPS`] as a table by byte value (the salvage scan's first test).
const IS_OP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < VALID_OPS.len() {
        t[VALID_OPS[i] as usize] = true;
        i += 1;
    }
    t
};

const CRC16: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_ARC);

/// CRC-16/ARC of `bytes` (the checksum of a transaction's text).
pub fn crc16(bytes: &[u8]) -> u16 {
    CRC16.checksum(bytes)
}

/// One transaction record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRecord {
    /// Sequence number.
    pub sync: u32,
    /// `time32` when it was queued; 0 = never.
    pub stamp: u32,
    /// Stored CRC-16/ARC of the text.
    pub crc: u16,
    /// `b'A' b'D' b'M' b'R' b'T'`, `b'H'` (RESYNC header) or 0 (placeholder).
    pub op: u8,
    /// Flags; bit 0 = template data lines present.
    pub flags: u8,
    /// Origin `NET/PO`, raw field.
    pub origin: super::FixedStr<{ layout::ORIGIN_LEN }>,
    /// Reserved bytes, kept for a byte-identical round trip.
    pub reserved: [u8; layout::RESERVED_LEN],
    /// The text: import-file line(s) joined by CR LF, CP850, without the NUL.
    pub text: Vec<u8>,
}

impl TransactionRecord {
    /// A record with the CRC computed and reserved bytes zero. An origin that
    /// does not fit is cut to 21 bytes.
    pub fn new(sync: u32, stamp: u32, op: u8, origin: &str, text: Vec<u8>) -> Self {
        let o = crate::codepage::encode_cp850_lossy(origin);
        let o = o.get(..layout::ORIGIN_LEN - 1).unwrap_or(&o);
        TransactionRecord {
            sync,
            stamp,
            crc: crc16(&text),
            op,
            flags: 0,
            origin: super::FixedStr::from_raw(o),
            reserved: [0; layout::RESERVED_LEN],
            text,
        }
    }

    /// A placeholder record (op 0, no text, 49 bytes): what a requestor's
    /// REQTRANS.GLB holds after the server confirmed `sync` (Q133428).
    pub fn placeholder(sync: u32, stamp: u32, origin: &str) -> Self {
        Self::new(sync, stamp, 0, origin, Vec::new())
    }

    /// Builds the record for one operation: its import lines joined by CR LF,
    /// CP850, CRC computed, flag bit 0 set when template data lines are present.
    pub fn from_operation(sync: u32, stamp: u32, origin: &str, op: &Operation) -> Result<Self> {
        let lines = crate::importtext::operation_lines(op);
        let joined = lines.join("\r\n");
        let text = encode_cp850(&joined).map_err(|(i, c)| {
            Error::Unrepresentable(format!(
                "transaction {sync}: character {c:?} at {i} is not in code page 850"
            ))
        })?;
        if text.len() > usize::from(u16::MAX) {
            return Err(Error::Unrepresentable(format!(
                "transaction {sync}: text of {} bytes does not fit a record",
                text.len()
            )));
        }
        let mut rec = Self::new(sync, stamp, op.letter() as u8, "", text);
        rec.origin = super::FixedStr::from_text(origin, "transaction origin")?;
        let has_template = match op {
            Operation::Add(e) | Operation::Delete(e) => !e.template.is_empty(),
            Operation::Modify { old, new } => !old.template.is_empty() || !new.template.is_empty(),
            _ => false,
        };
        if has_template {
            rec.flags |= FLAG_TEMPLATE;
        }
        Ok(rec)
    }

    /// The CRC-16/ARC of the text as it is now.
    pub fn computed_crc(&self) -> u16 {
        crc16(&self.text)
    }

    /// Does the stored CRC match the text?
    pub fn crc_ok(&self) -> bool {
        self.crc == self.computed_crc()
    }

    /// True for a placeholder (op 0).
    pub fn is_placeholder(&self) -> bool {
        self.op == 0
    }

    /// The operation as a character (`'0'` for a placeholder).
    pub fn op_char(&self) -> char {
        if self.op == 0 {
            '0'
        } else {
            self.op as char
        }
    }

    /// The text decoded from CP850.
    pub fn text_str(&self) -> Cow<'_, str> {
        decode_cp850(&self.text)
    }

    /// Size of the record in bytes.
    pub fn encoded_len(&self) -> usize {
        layout::TEXT + self.text.len() + 1
    }

    /// For an `H` record (RESYNC.GLB header, Q119449): `IMPSEQ`, `REQSEQ`, `SRVSEQ`.
    pub fn resync_header(&self) -> Option<ResyncHeader> {
        if self.op != b'H' {
            return None;
        }
        let text = self.text_str();
        let mut h = ResyncHeader::default();
        let mut seen = 0;
        for word in text.split_ascii_whitespace() {
            let (k, v) = word.split_once('=')?;
            let v: u32 = v.parse().ok()?;
            match k.to_ascii_uppercase().as_str() {
                "IMPSEQ" => h.impseq = v,
                "REQSEQ" => h.reqseq = v,
                "SRVSEQ" => h.srvseq = v,
                _ => return None,
            }
            seen += 1;
        }
        (seen == 3).then_some(h)
    }

    /// The operations the text holds (A/D/M/R/T; `H` and placeholders give
    /// none). `file` names the source in parser errors.
    pub fn to_operations(&self, file: &str) -> Result<Vec<Operation>> {
        match self.op {
            b'A' | b'D' | b'M' | b'R' | b'T' => {
                crate::importtext::parse_str(&self.text_str(), file, 1)
            }
            _ => Ok(Vec::new()),
        }
    }
}

/// The numbers of a RESYNC.GLB `H` record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ResyncHeader {
    /// `IMPSEQ=`.
    pub impseq: u32,
    /// `REQSEQ=`.
    pub reqseq: u32,
    /// `SRVSEQ=`.
    pub srvseq: u32,
}

impl ResyncHeader {
    /// The `H` record text `IMPSEQ=<n> REQSEQ=<n> SRVSEQ=<n>`.
    pub fn text(&self) -> String {
        format!(
            "IMPSEQ={} REQSEQ={} SRVSEQ={}",
            self.impseq, self.reqseq, self.srvseq
        )
    }
}

/// A byte range skipped by `--salvage`, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// First skipped byte.
    pub start: u64,
    /// One past the last skipped byte.
    pub end: u64,
    /// Why the bytes at `start` were not a record.
    pub reason: String,
}

/// A read transaction stream.
#[derive(Debug, Clone, Default)]
pub struct TransStream {
    /// The records in file order.
    pub records: Vec<TransactionRecord>,
    /// Byte offset of each record (parallel to `records`).
    pub offsets: Vec<u64>,
    /// Ranges skipped by salvage (empty in strict mode).
    pub skipped: Vec<Skipped>,
}

impl TransStream {
    /// The records whose stored CRC does not match: (record number, offset, record).
    pub fn bad_crcs(&self) -> impl Iterator<Item = (usize, u64, &TransactionRecord)> {
        self.records
            .iter()
            .zip(&self.offsets)
            .enumerate()
            .filter(|(_, (r, _))| !r.crc_ok())
            .map(|(i, (r, &o))| (i, o, r))
    }

    /// Applies every operation to a directory in sync order (stable for equal
    /// numbers). Entry origins name the record (`file`, record number, offset).
    pub fn apply_to(&self, dir: &mut crate::model::Directory, file: &str) -> Result<usize> {
        let mut order: Vec<usize> = (0..self.records.len()).collect();
        order.sort_by_key(|&i| self.records.get(i).map_or(0, |r| r.sync));
        let file_arc: std::sync::Arc<str> = std::sync::Arc::from(file);
        let mut applied = 0;
        for i in order {
            let (Some(rec), Some(&offset)) = (self.records.get(i), self.offsets.get(i)) else {
                continue;
            };
            let ops = rec.to_operations(file).map_err(|e| match e {
                Error::Input { message, .. } => Error::input(
                    file,
                    Location::Record {
                        index: i as u64,
                        offset,
                    },
                    format!("transaction text: {message}"),
                ),
                other => other,
            })?;
            let origin = Origin {
                file: file_arc.clone(),
                position: Position::Record {
                    index: i as u64,
                    offset,
                },
            };
            for mut op in ops {
                set_origin(&mut op, &origin);
                dir.apply(op);
                applied += 1;
            }
        }
        Ok(applied)
    }
}

fn set_origin(op: &mut Operation, origin: &Origin) {
    let set = |e: &mut Entry| e.origin = origin.clone();
    match op {
        Operation::Add(e) | Operation::Delete(e) => set(e),
        Operation::Modify { old, new } => {
            set(old);
            set(new);
        }
        Operation::Replace(_) | Operation::Template(_) => {}
    }
}

#[cfg(test)]
mod tests;
