//! Postoffice tree files (profile v1, `layouts-v1.md`) and the postoffice view.
//!
//! One file per family: [`identity`] (MASTER, NETWORK, XTN), [`lists`] (USR, NME,
//! NETPO/GALNETPO), [`users`] (ACCESS2, ACCESS/ACCESS3 counted only), [`groups`]
//! (GROUP.GLB, GRP, MEM), [`templates`] (TPL text, INF records), [`galindex`],
//! [`misc`] (TID.GLB and the size-only files), [`personal`] (personal address
//! lists, `NME/<mailbag>.NME`). [`postoffice`] reads a whole tree
//! into the directory model; [`writer`] writes a consistent tree back.
//!
//! Every record type declares its field offsets once (a `*_layout` module of
//! typed field descriptors); the reader and the writer both use that declaration.
//! Records keep their raw bytes, so read → write reproduces reserved bytes and
//! string padding exactly.

use byteorder::{ByteOrder, LittleEndian};

use crate::codepage::{decode_cp850, encode_cp850};
use crate::error::{Error, Location, Result};

mod data;
pub mod galindex;
pub mod groups;
pub mod identity;
mod listed;
pub mod lists;
pub mod misc;
mod open;
mod origins;
pub mod personal;
pub mod postoffice;
mod read;
mod read_external;
mod read_groups;
mod read_lists;
pub mod rebuild;
mod record_file;
pub mod sample;
pub mod scoped;
pub mod table;
pub mod templates;
pub mod users;
pub mod validate;
mod views;
pub mod writer;

pub use postoffice::{
    DirSyncPaths, ExternalPostOffice, ListSelector, LocalGroup, LocalUser, NetworkData, PostOffice,
    PostOfficeData, UsrEntry,
};
pub use writer::write_tree;

/// Status byte of a free or deleted slot.
pub const STATUS_FREE: u8 = 0;
/// Status byte of a slot in use.
pub const STATUS_IN_USE: u8 = 1;
/// The "no record" value of INF record numbers.
pub const NO_RECORD: u32 = 0xFFFF_FFFF;

/// A `u8` field at a fixed offset of a record.
#[derive(Debug, Clone, Copy)]
pub struct U8F(pub usize);
/// A little-endian `u16` field at a fixed offset of a record.
#[derive(Debug, Clone, Copy)]
pub struct U16F(pub usize);
/// A little-endian `u32` field at a fixed offset of a record.
#[derive(Debug, Clone, Copy)]
pub struct U32F(pub usize);
/// A `str[n]` field: offset and size `n` (CP850, NUL-terminated, at most n-1 characters).
#[derive(Debug, Clone, Copy)]
pub struct StrF(pub usize, pub usize);

impl U8F {
    /// Reads the field (0 if the record is too short).
    pub fn get(self, rec: &[u8]) -> u8 {
        rec.get(self.0).copied().unwrap_or(0)
    }
    /// Writes the field (ignored if the record is too short).
    pub fn put(self, rec: &mut [u8], v: u8) {
        if let Some(b) = rec.get_mut(self.0) {
            *b = v;
        }
    }
}

impl U16F {
    /// Reads the field (0 if the record is too short).
    pub fn get(self, rec: &[u8]) -> u16 {
        rec.get(self.0..self.0 + 2)
            .map_or(0, LittleEndian::read_u16)
    }
    /// Writes the field (ignored if the record is too short).
    pub fn put(self, rec: &mut [u8], v: u16) {
        if let Some(b) = rec.get_mut(self.0..self.0 + 2) {
            LittleEndian::write_u16(b, v);
        }
    }
}

impl U32F {
    /// Reads the field (0 if the record is too short).
    pub fn get(self, rec: &[u8]) -> u32 {
        rec.get(self.0..self.0 + 4)
            .map_or(0, LittleEndian::read_u32)
    }
    /// Writes the field (ignored if the record is too short).
    pub fn put(self, rec: &mut [u8], v: u32) {
        if let Some(b) = rec.get_mut(self.0..self.0 + 4) {
            LittleEndian::write_u32(b, v);
        }
    }
}

impl StrF {
    /// Reads the text: up to the first NUL, trailing space padding trimmed, CP850.
    pub fn get(self, rec: &[u8]) -> String {
        self.decoded(rec).into_owned()
    }
    /// [`StrF::get`] as a [`crate::model::Text`]: a short text (most full
    /// names) is kept inline, with no allocation.
    pub fn text(self, rec: &[u8]) -> crate::model::Text {
        crate::model::Text::from(self.decoded(rec).as_ref())
    }
    fn decoded(self, rec: &[u8]) -> std::borrow::Cow<'_, str> {
        let raw = rec.get(self.0..self.0 + self.1).unwrap_or_default();
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        let text = raw.get(..end).unwrap_or_default();
        let trimmed_len = text.iter().rposition(|&b| b != b' ').map_or(0, |p| p + 1);
        decode_cp850(text.get(..trimmed_len).unwrap_or_default())
    }
    /// Writes the text unless the record already holds it (so raw padding
    /// survives a round trip). Fails on text CP850 cannot hold or that is
    /// longer than n-1 bytes.
    pub fn put(self, rec: &mut [u8], text: &str, what: &str) -> Result<()> {
        if self.get(rec) == text {
            return Ok(());
        }
        let bytes = encode_cp850(text).map_err(|(i, c)| {
            Error::Unrepresentable(format!(
                "{what}: character {c:?} at position {i} of {text:?} is not in code page 850"
            ))
        })?;
        if bytes.len() >= self.1 || bytes.contains(&0) {
            return Err(Error::Unrepresentable(format!(
                "{what}: {text:?} is longer than {} characters",
                self.1 - 1
            )));
        }
        if let Some(slot) = rec.get_mut(self.0..self.0 + self.1) {
            slot.fill(0);
            if let Some(dst) = slot.get_mut(..bytes.len()) {
                dst.copy_from_slice(&bytes);
            }
        }
        Ok(())
    }
}

/// A fixed-size record type of profile v1.
pub trait FixedRecord: Sized {
    /// Record size in bytes.
    const SIZE: usize;
    /// Decodes one record from exactly `SIZE` bytes (keeps the raw bytes).
    fn decode(rec: &[u8]) -> Self;
    /// Encodes the record to exactly `SIZE` bytes.
    fn encode(&self) -> Result<Vec<u8>>;
    /// The status byte.
    fn status(&self) -> u8;
    /// Decodes the fields only, without keeping a copy of the raw bytes (for
    /// readers that never write the record back: no allocation per record
    /// for the copy). Defaults to [`FixedRecord::decode`].
    fn decode_fields(rec: &[u8]) -> Self {
        Self::decode(rec)
    }
}

/// Starts a record buffer from the kept raw bytes, or zeros for a new record.
pub(crate) fn base(raw: &[u8], size: usize) -> Vec<u8> {
    if raw.len() == size {
        raw.to_vec()
    } else {
        vec![0; size]
    }
}

/// Parses a `hex8` text into a number (mailbag / file prefix).
pub fn parse_hex8(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 8 {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// Formats a number as `hex8` (8 upper-case hex digits).
pub fn hex8(n: u32) -> String {
    format!("{n:08X}")
}

/// Fixed-size records laid back to back: record `i` is found by arithmetic
/// (no slice is stored per record: a million-record GAL.NME costs nothing
/// to frame).
#[derive(Debug, Clone, Copy, Default)]
pub struct FixedRecords<'a> {
    /// Whole records only.
    bytes: &'a [u8],
    /// Record size (never 0 with bytes).
    size: usize,
}

impl<'a> FixedRecords<'a> {
    /// The number of records.
    pub fn len(&self) -> usize {
        self.bytes.len().checked_div(self.size).unwrap_or(0)
    }

    /// True when there is no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Record `i`.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let start = i.checked_mul(self.size)?;
        self.bytes.get(start..start.checked_add(self.size)?)
    }

    /// The records in order.
    pub fn iter(&self) -> std::slice::ChunksExact<'a, u8> {
        self.bytes.chunks_exact(self.size.max(1))
    }

    /// The records in order, as a parallel iterator (rayon).
    pub fn par_iter(&self) -> rayon::slice::ChunksExact<'a, u8> {
        use rayon::prelude::*;
        self.bytes.par_chunks_exact(self.size.max(1))
    }
}

/// Splits a file into an optional header and fixed-size records.
/// A size that is not `header + k × size` is an input error naming the first
/// incomplete record and its offset.
pub fn frame<'a>(
    file: &str,
    bytes: &'a [u8],
    header: usize,
    size: usize,
) -> Result<(&'a [u8], Vec<&'a [u8]>)> {
    let (head, recs) = frame_records(file, bytes, header, size)?;
    Ok((head, recs.iter().collect()))
}

/// [`frame`], the records found by arithmetic instead of listed.
pub fn frame_records<'a>(
    file: &str,
    bytes: &'a [u8],
    header: usize,
    size: usize,
) -> Result<(&'a [u8], FixedRecords<'a>)> {
    let records = frame_count(file, bytes.len() as u64, header, size)?;
    Ok(split_records(bytes, header, size, records))
}

/// The header and the first `records` records of `bytes` (counted by
/// [`frame_count`] or [`frame_count_ctx`], so they are there).
fn split_records(
    bytes: &[u8],
    header: usize,
    size: usize,
    records: usize,
) -> (&[u8], FixedRecords<'_>) {
    let (head, rest) = bytes.split_at(header.min(bytes.len()));
    let bytes = rest.get(..records * size).unwrap_or_default();
    (head, FixedRecords { bytes, size })
}

/// The number of records of a file of `len` bytes (a `header`-byte header,
/// then `size`-byte records), with [`frame`]'s errors: a file shorter than
/// its header, bytes with a record size of 0, a truncated last record.
pub fn frame_count(file: &str, len: u64, header: usize, size: usize) -> Result<usize> {
    let Some(rest) = len.checked_sub(header as u64) else {
        return Err(Error::input(
            file,
            Location::File,
            format!("file is {len} bytes, shorter than its {header}-byte header"),
        ));
    };
    if size == 0 {
        if rest != 0 {
            return Err(Error::input(
                file,
                Location::Offset(header as u64),
                format!("{rest} bytes of records, but the record size is 0"),
            ));
        }
        return Ok(0);
    }
    let whole = rest / size as u64;
    let left = rest % size as u64;
    if left != 0 {
        return Err(Error::input(
            file,
            Location::Record {
                index: whole,
                offset: header as u64 + whole * size as u64,
            },
            format!(
                "truncated record: {left} bytes left, records are {size} bytes (file size {len} is not {header} + a multiple of {size})"
            ),
        ));
    }
    usize::try_from(whole).map_err(|_| {
        Error::input(
            file,
            Location::File,
            format!("{whole} records are more than this machine can address"),
        )
    })
}

/// [`frame_count`] under a reading context, as [`frame_ctx`] frames: with
/// salvage, a truncated last record is reported and the intact records
/// before it are counted.
pub fn frame_count_ctx(
    file: &str,
    len: u64,
    header: usize,
    size: usize,
    ctx: &mut Ctx,
) -> Result<usize> {
    match frame_count(file, len, header, size) {
        Ok(n) => Ok(n),
        Err(e) if ctx.salvage && size > 0 && len >= header as u64 => {
            let records = (len - header as u64) / size as u64;
            let whole = header as u64 + records * size as u64;
            ctx.warnings.push(format!(
                "skipped: {e} (bytes {whole}..{len} skipped; the {records} intact records before them are read)"
            ));
            frame_count(file, whole, header, size)
        }
        Err(e) => Err(e),
    }
}

/// Reading context: file name for errors, salvage mode and collected warnings.
#[derive(Debug, Default)]
pub struct Ctx {
    /// Read past damaged records (skip and report) instead of failing.
    pub salvage: bool,
    /// Warnings, one sentence each.
    pub warnings: Vec<String>,
    /// Cross-file inconsistencies that do not stop reading (a tid that
    /// differs from its ACCESS2 record, a shadow that differs, a stale GAL
    /// index): reported by every command, never fatal; `inspect` counts them
    /// as errors.
    pub findings: Vec<String>,
}

impl Ctx {
    /// A strict (`salvage == false`) or salvaging context.
    pub fn new(salvage: bool) -> Ctx {
        Ctx {
            salvage,
            warnings: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Records a cross-file inconsistency (see [`Ctx::findings`]).
    pub fn finding(&mut self, file: &str, location: Location, message: impl Into<String>) {
        self.findings
            .push(Error::input(file, location, message).to_string());
    }

    /// Reports damage: an error in strict mode, a warning with salvage.
    pub fn damage(
        &mut self,
        file: &str,
        location: Location,
        message: impl Into<String>,
    ) -> Result<()> {
        let err = Error::input(file, location, message);
        if self.salvage {
            self.warnings.push(format!("skipped: {err}"));
            Ok(())
        } else {
            Err(err)
        }
    }

    /// Records a warning.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }
}

/// Reads records of type `R` after a `header`-byte header. Every record is kept
/// (free and damaged ones too, so byte offsets stay valid); a status other than
/// 0/1 is damage (error, or warning with salvage).
pub fn read_records<'a, R: FixedRecord>(
    file: &str,
    bytes: &'a [u8],
    header: usize,
    ctx: &mut Ctx,
) -> Result<(&'a [u8], Vec<R>)> {
    read_records_using(file, bytes, header, ctx, R::decode)
}

/// [`read_records`] with [`FixedRecord::decode_fields`]: the records keep no
/// raw bytes (same checks, same errors), for readers that do not write back.
pub fn read_record_fields<'a, R: FixedRecord>(
    file: &str,
    bytes: &'a [u8],
    header: usize,
    ctx: &mut Ctx,
) -> Result<(&'a [u8], Vec<R>)> {
    read_records_using(file, bytes, header, ctx, R::decode_fields)
}

/// [`frame`] under a reading context: with salvage, a truncated last record
/// is reported (file, record, byte range) and the intact records before it
/// are kept; strict, it is the error `frame` gives.
pub fn frame_ctx<'a>(
    file: &str,
    bytes: &'a [u8],
    header: usize,
    size: usize,
    ctx: &mut Ctx,
) -> Result<(&'a [u8], Vec<&'a [u8]>)> {
    let (head, recs) = frame_records_ctx(file, bytes, header, size, ctx)?;
    Ok((head, recs.iter().collect()))
}

/// [`frame_ctx`], the records found by arithmetic instead of listed.
pub fn frame_records_ctx<'a>(
    file: &str,
    bytes: &'a [u8],
    header: usize,
    size: usize,
    ctx: &mut Ctx,
) -> Result<(&'a [u8], FixedRecords<'a>)> {
    let records = frame_count_ctx(file, bytes.len() as u64, header, size, ctx)?;
    Ok(split_records(bytes, header, size, records))
}

fn read_records_using<'a, R: FixedRecord>(
    file: &str,
    bytes: &'a [u8],
    header: usize,
    ctx: &mut Ctx,
    decode: fn(&[u8]) -> R,
) -> Result<(&'a [u8], Vec<R>)> {
    let (head, recs) = frame_ctx(file, bytes, header, R::SIZE, ctx)?;
    let mut out = Vec::with_capacity(recs.len());
    for (i, rec) in recs.into_iter().enumerate() {
        let r = decode(rec);
        check_status(file, r.status(), i, header, R::SIZE, ctx)?;
        out.push(r);
    }
    Ok((head, out))
}

/// The status check of [`read_records`] for record `i`.
fn check_status(
    file: &str,
    st: u8,
    i: usize,
    header: usize,
    size: usize,
    ctx: &mut Ctx,
) -> Result<()> {
    if st != STATUS_FREE && st != STATUS_IN_USE {
        ctx.damage(
            file,
            Location::Record {
                index: i as u64,
                offset: (header + i * size) as u64,
            },
            format!("status byte {st:#04x} is neither 0 (free) nor 1 (in use)"),
        )?;
    }
    Ok(())
}

/// [`read_records`] without decoding: the records as slices of `bytes`, with
/// the same framing and status checks (`status` is the type's status field).
/// Readers decode fields of the records they look at, when they look.
pub fn frame_checked<'a>(
    file: &str,
    bytes: &'a [u8],
    header: usize,
    size: usize,
    status: U8F,
    ctx: &mut Ctx,
) -> Result<(&'a [u8], FixedRecords<'a>)> {
    let (head, recs) = frame_records_ctx(file, bytes, header, size, ctx)?;
    check_statuses(file, recs, 0, header, status, ctx)?;
    Ok((head, recs))
}

/// The status check of [`read_records`] for each record of `recs`, the
/// first of them being record `first` of a file with a `header`-byte header.
fn check_statuses(
    file: &str,
    recs: FixedRecords<'_>,
    first: usize,
    header: usize,
    status: U8F,
    ctx: &mut Ctx,
) -> Result<()> {
    for (k, rec) in recs.iter().enumerate() {
        check_status(file, status.get(rec), first + k, header, recs.size, ctx)?;
    }
    Ok(())
}

/// Encodes records back to back.
pub fn write_records<R: FixedRecord>(records: &[R]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(records.len() * R::SIZE);
    for r in records {
        out.extend_from_slice(&r.encode()?);
    }
    Ok(out)
}

pub use crate::input::find_case_insensitive;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_records_are_the_framed_slices() {
        let bytes: Vec<u8> = (0..=40u8).collect();
        for (header, size) in [(0, 1), (1, 4), (5, 3), (0, 41), (2, 13)] {
            let Ok((head, listed)) = frame("f", &bytes, header, size) else {
                assert!(frame_records("f", &bytes, header, size).is_err());
                continue;
            };
            let (head2, recs) = frame_records("f", &bytes, header, size).unwrap();
            assert_eq!(head, head2);
            assert_eq!(recs.len(), listed.len());
            assert_eq!(recs.iter().collect::<Vec<_>>(), listed);
            for (i, r) in listed.iter().enumerate() {
                assert_eq!(recs.get(i), Some(*r));
            }
            assert_eq!(recs.get(listed.len()), None);
        }
        // A cut record is the same error either way.
        let cut = frame("f", &bytes, 1, 7).unwrap_err().to_string();
        assert_eq!(
            frame_records("f", &bytes, 1, 7).unwrap_err().to_string(),
            cut
        );
        assert!(cut.contains("truncated record"), "{cut}");
    }

    #[test]
    fn str_field_reads_nul_and_space_padding_and_keeps_raw() {
        let f = StrF(1, 6);
        let mut rec = *b"\x01AB  \0\0X";
        assert_eq!(f.get(&rec), "AB");
        f.put(&mut rec, "AB", "t").unwrap();
        assert_eq!(&rec, b"\x01AB  \0\0X");
        f.put(&mut rec, "ABC", "t").unwrap();
        assert_eq!(&rec, b"\x01ABC\0\0\0X");
        assert!(f.put(&mut rec, "ABCDEF", "t").is_err());
        assert!(f.put(&mut rec, "A€", "t").is_err());
    }

    #[test]
    fn framing_reports_truncated_record() {
        let bytes = [0u8; 4 + 10 + 3];
        let err = frame("X.GLB", &bytes, 4, 10).unwrap_err();
        match err {
            Error::Input { location, .. } => {
                assert_eq!(
                    location,
                    Location::Record {
                        index: 1,
                        offset: 14
                    }
                )
            }
            other => panic!("{other}"),
        }
        let (h, r) = frame("X.GLB", &bytes[..14], 4, 10).unwrap();
        assert_eq!((h.len(), r.len()), (4, 1));
    }

    #[test]
    fn case_insensitive_lookup() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("glb")).unwrap();
        std::fs::write(d.path().join("glb/Master.Glb"), b"x").unwrap();
        let p = find_case_insensitive(d.path(), "GLB/MASTER.GLB").unwrap();
        assert!(p.ends_with("glb/Master.Glb"));
        assert!(find_case_insensitive(d.path(), "GLB/NOPE.GLB").is_none());
    }

    #[test]
    fn hex8_round_trip() {
        assert_eq!(hex8(0x1A), "0000001A");
        assert_eq!(parse_hex8("0000001A"), Some(0x1A));
        assert_eq!(parse_hex8("XYZ"), None);
        assert_eq!(parse_hex8(""), None);
    }
}
