//! Dir-Sync transaction streams (REQTRANS, MSTTRANS, SRVTRANS, USRTRANS,
//! NMETRANS, GWTRANS, RESYNC, TMPTRANS): records back to back, no file header.
//!
//! Framing is read with `nom`, records are written with `byteorder`; both use
//! the one layout declaration in [`layout`]. The text is kept as raw CP850
//! bytes; [`TransactionRecord::to_operations`] decodes it with the import-text
//! parser in a separate step.

use std::borrow::Cow;

use byteorder::{ByteOrder, LittleEndian};
use nom::bytes::complete::take;
use nom::number::complete::{le_u16, le_u32, u8 as nom_u8};
use nom::IResult;
use serde::Serialize;

use crate::codepage::{decode_cp850, encode_cp850};
use crate::error::{Error, Location, Result};
use crate::model::{Entry, Operation, Origin, Position};

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

/// The fixed header of a record, as framed by nom.
struct Header<'a> {
    sync: u32,
    stamp: u32,
    crc: u16,
    len: u16,
    op: u8,
    flags: u8,
    origin: &'a [u8],
    reserved: &'a [u8],
}

fn header(i: &[u8]) -> IResult<&[u8], Header<'_>> {
    let (i, sync) = le_u32(i)?;
    let (i, stamp) = le_u32(i)?;
    let (i, crc) = le_u16(i)?;
    let (i, len) = le_u16(i)?;
    let (i, op) = nom_u8(i)?;
    let (i, flags) = nom_u8(i)?;
    let (i, origin) = take(layout::ORIGIN_LEN)(i)?;
    let (i, reserved) = take(layout::RESERVED_LEN)(i)?;
    Ok((
        i,
        Header {
            sync,
            stamp,
            crc,
            len,
            op,
            flags,
            origin,
            reserved,
        },
    ))
}

/// Frames one record at the start of `input`: the record and its size, or
/// (offset inside the record, reason) of the first problem.
fn frame(input: &[u8]) -> std::result::Result<(TransactionRecord, usize), (usize, String)> {
    let (rest, h) = header(input).map_err(|_| {
        (
            0,
            format!(
                "truncated record: {} bytes left, a record header needs {}",
                input.len(),
                layout::TEXT
            ),
        )
    })?;
    if !VALID_OPS.contains(&h.op) {
        return Err((layout::OP, format!("unknown operation byte 0x{:02X}", h.op)));
    }
    let len = usize::from(h.len);
    let text_and_nul: IResult<&[u8], &[u8]> = take(len + 1)(rest);
    let Ok((_, body)) = text_and_nul else {
        return Err((
            layout::LEN,
            format!(
                "text length {len} goes beyond the end of the file ({} bytes left after the header)",
                rest.len()
            ),
        ));
    };
    let (text, nul) = body.split_at(len);
    if nul != [0] {
        return Err((
            layout::TEXT + len,
            format!("text of {len} bytes is not followed by a NUL terminator"),
        ));
    }
    let rec = TransactionRecord {
        sync: h.sync,
        stamp: h.stamp,
        crc: h.crc,
        op: h.op,
        flags: h.flags,
        origin: super::FixedStr::from_raw(h.origin),
        reserved: {
            let mut r = [0u8; layout::RESERVED_LEN];
            r.copy_from_slice(h.reserved);
            r
        },
        text: text.to_vec(),
    };
    Ok((rec, layout::TEXT + len + 1))
}

/// Is a plausible record framed at `pos`? Used by salvage and by [`super::sniff`]:
/// a known op byte, a NUL exactly at 48+T and none in the text, a printable
/// origin, and for A/D/M/R/T a text starting with its op letter and a blank
/// (`IMPSEQ=` for H); a placeholder needs CRC 0, flags 0 and a non-empty origin.
/// `need_text` rejects placeholders (for recognising a file by content).
pub fn plausible_record_at(bytes: &[u8], pos: usize, need_text: bool) -> bool {
    let Some(rest) = bytes.get(pos..) else {
        return false;
    };
    let Ok((_, h)) = header(rest) else {
        return false;
    };
    plausible_header(rest, &h, need_text, None)
}

fn plausible_header(
    rest: &[u8],
    h: &Header<'_>,
    need_text: bool,
    first_nul: Option<usize>,
) -> bool {
    if !VALID_OPS.contains(&h.op) || !plausible_origin(h.origin) {
        return false;
    }
    let len = usize::from(h.len);
    let Some(text) = rest.get(layout::TEXT..layout::TEXT + len) else {
        return false;
    };
    if rest.get(layout::TEXT + len) != Some(&0) {
        return false;
    }
    let nul_free = match first_nul {
        Some(p) => p == layout::TEXT + len,
        None => !text.contains(&0),
    };
    if !nul_free {
        return false;
    }
    match h.op {
        // A placeholder has no text, so it must show its own shape: CRC of the
        // empty text (0), no flags, and an origin that starts with a letter or digit.
        0 => {
            !need_text
                && len == 0
                && h.crc == 0
                && h.flags == 0
                && h.origin.first().is_some_and(|b| b.is_ascii_alphanumeric())
        }
        b'H' => text.starts_with(b"IMPSEQ="),
        op => text.first() == Some(&op) && matches!(text.get(1), None | Some(b' ' | b'\t' | b'\r')),
    }
}

fn plausible_origin(origin: &[u8]) -> bool {
    let end = origin.iter().position(|&b| b == 0).unwrap_or(origin.len());
    let (text, pad) = origin.split_at(end);
    text.iter().all(|&b| b >= 0x20 && b != 0x7F) && pad.iter().all(|&b| b == 0)
}

/// Reads a whole transaction stream.
///
/// Strict (`salvage == false`): the first damaged record stops the read with an
/// [`Error::Input`] naming `file`, the record number and the byte offset of the
/// problem (truncated record, length beyond the end, no NUL after the text,
/// unknown op byte). A CRC mismatch is not a framing error: the record is read
/// and [`TransactionRecord::crc_ok`] says false.
///
/// Salvage: after damage, scans forward for the next plausible record and
/// reports each skipped byte range with its reason. Linear in the file size.
pub fn read_stream(bytes: &[u8], file: &str, salvage: bool) -> Result<TransStream> {
    let mut out = TransStream::default();
    let mut pos = 0usize;
    // Next NUL at or after a position, cached: scan positions only grow.
    let mut nul_cache: usize = 0;
    while pos < bytes.len() {
        let rest = bytes.get(pos..).unwrap_or_default();
        match frame(rest) {
            Ok((rec, size)) => {
                out.records.push(rec);
                out.offsets.push(pos as u64);
                pos += size;
            }
            Err((at, reason)) => {
                if !salvage {
                    return Err(Error::input(
                        file,
                        Location::Record {
                            index: out.records.len() as u64,
                            offset: (pos + at) as u64,
                        },
                        reason,
                    ));
                }
                let start = pos;
                let mut next = pos + 1;
                while next < bytes.len() {
                    // Cheap rejections first (most positions of damaged data):
                    // no room for a header, or no known op byte.
                    if next + layout::TEXT > bytes.len() {
                        next = bytes.len();
                        break;
                    }
                    let origin = &bytes[next + layout::ORIGIN..][..layout::ORIGIN_LEN];
                    if !IS_OP[usize::from(bytes[next + layout::OP])] || !plausible_origin(origin) {
                        next += 1;
                        continue;
                    }
                    let from = next + layout::TEXT;
                    if nul_cache < from {
                        nul_cache = bytes
                            .get(from..)
                            .and_then(|s| s.iter().position(|&b| b == 0))
                            .map_or(usize::MAX, |p| from + p);
                    }
                    let cand = bytes.get(next..).unwrap_or_default();
                    if let Ok((_, h)) = header(cand) {
                        let rel = nul_cache.checked_sub(next);
                        if plausible_header(cand, &h, false, rel.or(Some(usize::MAX))) {
                            break;
                        }
                    }
                    next += 1;
                }
                let next = next.min(bytes.len());
                out.skipped.push(Skipped {
                    start: start as u64,
                    end: next as u64,
                    reason: format!(
                        "record {} at byte offset {}: {reason}",
                        out.records.len(),
                        start + at
                    ),
                });
                pos = next;
            }
        }
    }
    Ok(out)
}

/// Writes one record into `out`.
pub fn write_record(rec: &TransactionRecord, out: &mut Vec<u8>) {
    let mut head = [0u8; layout::TEXT];
    LittleEndian::write_u32(&mut head[layout::SYNC..layout::STAMP], rec.sync);
    LittleEndian::write_u32(&mut head[layout::STAMP..layout::CRC], rec.stamp);
    LittleEndian::write_u16(&mut head[layout::CRC..layout::LEN], rec.crc);
    let len = u16::try_from(rec.text.len()).unwrap_or(u16::MAX);
    LittleEndian::write_u16(&mut head[layout::LEN..layout::OP], len);
    head[layout::OP] = rec.op;
    head[layout::FLAGS] = rec.flags;
    head[layout::ORIGIN..layout::RESERVED].copy_from_slice(&rec.origin.0);
    head[layout::RESERVED..layout::TEXT].copy_from_slice(&rec.reserved);
    out.extend_from_slice(&head);
    out.extend_from_slice(rec.text.get(..usize::from(len)).unwrap_or(&rec.text));
    out.push(0);
}

/// Writes records back to back. Reading the result gives the same records, and
/// writing what was read gives the same bytes. Texts longer than 65,535 bytes
/// are cut (builders refuse them).
pub fn write_stream(records: &[TransactionRecord]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.iter().map(|r| r.encoded_len()).sum());
    for r in records {
        write_record(r, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<TransactionRecord> {
        vec![
            TransactionRecord::new(
                1,
                765_720_832,
                b'R',
                "POLYNOMIAL/MONTGOMERY",
                b"R PCM:POLYNOMIAL/MONTGOMERY".to_vec(),
            ),
            TransactionRecord::new(
                2,
                765_720_832,
                b'A',
                "POLYNOMIAL/MONTGOMERY",
                b"A able is he who knows his limit\tPCM:POLYNOMIAL/MONTGOMERY/able".to_vec(),
            ),
            TransactionRecord::placeholder(2, 0, "POLYNOMIAL/MONTGOMERY"),
        ]
    }

    #[test]
    fn round_trip_is_byte_identical() {
        let mut recs = sample();
        recs[1].reserved = [7; 12];
        recs[1].origin.0[21] = 0;
        let bytes = write_stream(&recs);
        assert_eq!(bytes.len(), 48 + 27 + 1 + 48 + 63 + 1 + 49);
        let s = read_stream(&bytes, "T", false).unwrap();
        assert_eq!(s.records, recs);
        assert_eq!(s.offsets, vec![0, 76, 76 + 112]);
        assert_eq!(write_stream(&s.records), bytes);
    }

    #[test]
    fn placeholder_is_49_bytes() {
        let p = TransactionRecord::placeholder(17, 0, "NET/PO");
        let b = write_stream(&[p]);
        assert_eq!(b.len(), 49);
        assert_eq!(&b[0..4], &17u32.to_le_bytes());
        assert!(read_stream(&b, "REQTRANS.GLB", false).unwrap().records[0].crc_ok());
    }

    #[test]
    fn crc_is_arc() {
        assert_eq!(crc16(b"123456789"), 0xBB3D);
        assert_eq!(crc16(b""), 0);
    }

    #[test]
    fn crc_mismatch_reads_but_is_flagged() {
        let mut recs = sample();
        recs[0].crc ^= 1;
        let s = read_stream(&write_stream(&recs), "T", false).unwrap();
        assert!(!s.records[0].crc_ok());
        assert_eq!(
            s.bad_crcs().map(|(i, o, _)| (i, o)).collect::<Vec<_>>(),
            vec![(0, 0)]
        );
    }

    fn strict_err(bytes: &[u8]) -> String {
        read_stream(bytes, "F.GLB", false).unwrap_err().to_string()
    }

    #[test]
    fn strict_errors_name_record_and_offset() {
        let good = write_stream(&sample());
        // Truncated header of record 3 at offset 237.
        let mut b = good.clone();
        b.extend_from_slice(&[1, 2, 3]);
        let e = strict_err(&b);
        assert!(
            e.contains("F.GLB: record 3 at byte offset 237: truncated record"),
            "{e}"
        );
        // Length beyond end in record 1.
        let mut b = good.clone();
        b[76 + 10] = 0xFF;
        let e = strict_err(&b);
        assert!(e.contains("record 1 at byte offset 86: text length"), "{e}");
        // No NUL after the text of record 0.
        let mut b = good.clone();
        b[48 + 27] = b'x';
        let e = strict_err(&b);
        assert!(
            e.contains("record 0 at byte offset 75: text of 27 bytes is not followed"),
            "{e}"
        );
        // Unknown op in record 2.
        let mut b = good.clone();
        b[188 + 12] = b'Q';
        let e = strict_err(&b);
        assert!(
            e.contains("record 2 at byte offset 200: unknown operation byte 0x51"),
            "{e}"
        );
    }

    #[test]
    fn salvage_skips_damage_and_recovers_the_rest() {
        let good = write_stream(&sample());
        let mut b = good.clone();
        b[12] = b'Q'; // record 0 op damaged
        let s = read_stream(&b, "F", true).unwrap();
        assert_eq!(s.records.len(), 2);
        assert_eq!(s.records[0].sync, 2);
        assert_eq!(s.skipped.len(), 1);
        assert_eq!((s.skipped[0].start, s.skipped[0].end), (0, 76));
        assert!(s.skipped[0].reason.contains("unknown operation"));
        // Garbage inserted between records.
        let mut b = good[..76].to_vec();
        b.extend_from_slice(b"garbage bytes here");
        b.extend_from_slice(&good[76..]);
        let s = read_stream(&b, "F", true).unwrap();
        assert_eq!(s.records.len(), 3);
        assert_eq!((s.skipped[0].start, s.skipped[0].end), (76, 94));
        // Truncated tail.
        let s = read_stream(&good[..200], "F", true).unwrap();
        assert_eq!(s.records.len(), 2);
        assert_eq!(s.skipped[0].end, 200);
    }

    #[test]
    fn resync_header_parses() {
        let h = ResyncHeader {
            impseq: 3,
            reqseq: 17,
            srvseq: 80,
        };
        let r = TransactionRecord::new(0, 0, b'H', "N/P", h.text().into_bytes());
        assert_eq!(r.resync_header(), Some(h));
        assert!(r.to_operations("RESYNC.GLB").unwrap().is_empty());
    }

    #[test]
    fn no_panic_on_any_prefix() {
        let good = write_stream(&sample());
        for n in 0..good.len() {
            let _ = read_stream(&good[..n], "F", false);
            let _ = read_stream(&good[..n], "F", true);
            let _ = read_stream(&good[n..], "F", true);
        }
    }
}
