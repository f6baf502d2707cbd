//! The byte codec of a transaction stream: framing records with `nom`
//! (strict, or salvaging past damage), the plausibility checks that find
//! records by content, and writing records back with `byteorder`.

use byteorder::{ByteOrder, LittleEndian};
use nom::bytes::complete::take;
use nom::number::complete::{le_u16, le_u32, u8 as nom_u8};
use nom::IResult;

use crate::error::{Error, Location, Result};

use super::{layout, Skipped, TransStream, TransactionRecord, IS_OP, VALID_OPS};

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
        origin: crate::dirsync::FixedStr::from_raw(h.origin),
        reserved: {
            let mut r = [0u8; layout::RESERVED_LEN];
            r.copy_from_slice(h.reserved);
            r
        },
        text: text.to_vec(),
    };
    Ok((rec, layout::TEXT + len + 1))
}

/// Is a plausible record framed at `pos`? Used by salvage and by [`crate::dirsync::sniff`]:
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
