//! Address lists: `USR/<hex>.USR`, `NME/*.NME`, `GLB/NETPO.GLB` and
//! `GLB/GALNETPO.GLB` (profile v1 layouts).

use byteorder::{ByteOrder, LittleEndian};

use super::{
    base, read_records, write_records, Ctx, FixedRecord, StrF, STATUS_IN_USE, U16F, U32F, U8F,
};
use crate::error::{Error, Location, Result};

/// USR record layout (53 bytes).
pub mod usr_layout {
    use super::*;
    /// Record size.
    pub const SIZE: usize = 53;
    /// Status.
    pub const STATUS: U8F = U8F(0);
    /// Full name.
    pub const FULL_NAME: StrF = StrF(1, 31);
    /// Mailbox.
    pub const MAILBOX: StrF = StrF(32, 11);
    /// Kind `'U'` / `'G'`.
    pub const KIND: U8F = U8F(43);
    /// INF record number.
    pub const INF: U32F = U32F(44);
}

/// One USR record: an entry of an external postoffice's address list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UsrRec {
    /// Status byte.
    pub status: u8,
    /// Full name.
    pub full_name: crate::model::Text,
    /// Mailbox.
    pub mailbox: crate::model::Text,
    /// `b'U'` user or `b'G'` group.
    pub kind: u8,
    /// INF record number, [`super::NO_RECORD`] for none.
    pub inf: u32,
    /// Raw bytes as read.
    pub raw: Vec<u8>,
}

impl FixedRecord for UsrRec {
    const SIZE: usize = usr_layout::SIZE;
    fn decode(r: &[u8]) -> Self {
        Self {
            raw: r.to_vec(),
            ..Self::decode_fields(r)
        }
    }
    fn decode_fields(r: &[u8]) -> Self {
        use usr_layout::*;
        UsrRec {
            status: STATUS.get(r),
            full_name: FULL_NAME.text(r),
            mailbox: MAILBOX.text(r),
            kind: KIND.get(r),
            inf: INF.get(r),
            raw: Vec::new(),
        }
    }
    fn encode(&self) -> Result<Vec<u8>> {
        use usr_layout::*;
        let mut b = base(&self.raw, SIZE);
        STATUS.put(&mut b, self.status);
        FULL_NAME.put(&mut b, &self.full_name, "USR full name")?;
        MAILBOX.put(&mut b, &self.mailbox, "USR mailbox")?;
        KIND.put(&mut b, self.kind);
        INF.put(&mut b, self.inf);
        Ok(b)
    }
    fn status(&self) -> u8 {
        self.status
    }
}

/// NME record layout (45 bytes).
pub mod nme_layout {
    use super::*;
    /// Record size.
    pub const SIZE: usize = 45;
    /// Status.
    pub const STATUS: U8F = U8F(0);
    /// Full name.
    pub const FULL_NAME: StrF = StrF(1, 31);
    /// tid.
    pub const TID: U32F = U32F(32);
    /// Kind `u16`.
    pub const KIND: U16F = U16F(36);
    /// Pointer (byte offset into ACCESS2 / NETPO / GALNETPO / ADMIN.GRP).
    pub const POINTER: U32F = U32F(38);
}

/// NME entry kinds.
pub mod nme_kind {
    /// Local user (pointer into ACCESS2.GLB).
    pub const LOCAL_USER: u16 = 1;
    /// External PCM address (pointer into NETPO/GALNETPO).
    pub const EXTERNAL: u16 = 2;
    /// Local group (pointer into ADMIN.GRP).
    pub const GROUP: u16 = 4;
    /// Gateway address (pointer into NETPO/GALNETPO).
    pub const GATEWAY: u16 = 8;
}

/// One NME record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NmeRec {
    /// Status byte.
    pub status: u8,
    /// Full name.
    pub full_name: crate::model::Text,
    /// tid.
    pub tid: u32,
    /// Kind (see [`nme_kind`]).
    pub kind: u16,
    /// Pointer (byte offset).
    pub pointer: u32,
    /// Raw bytes as read.
    pub raw: Vec<u8>,
}

impl FixedRecord for NmeRec {
    const SIZE: usize = nme_layout::SIZE;
    fn decode(r: &[u8]) -> Self {
        Self {
            raw: r.to_vec(),
            ..Self::decode_fields(r)
        }
    }
    fn decode_fields(r: &[u8]) -> Self {
        use nme_layout::*;
        NmeRec {
            status: STATUS.get(r),
            full_name: FULL_NAME.text(r),
            tid: TID.get(r),
            kind: KIND.get(r),
            pointer: POINTER.get(r),
            raw: Vec::new(),
        }
    }
    fn encode(&self) -> Result<Vec<u8>> {
        use nme_layout::*;
        let mut b = base(&self.raw, SIZE);
        STATUS.put(&mut b, self.status);
        FULL_NAME.put(&mut b, &self.full_name, "NME full name")?;
        TID.put(&mut b, self.tid);
        KIND.put(&mut b, self.kind);
        POINTER.put(&mut b, self.pointer);
        Ok(b)
    }
    fn status(&self) -> u8 {
        self.status
    }
}

/// NETPO / GALNETPO record layout (43 bytes after a 4-byte count header).
pub mod netpo_layout {
    use super::*;
    /// Header size.
    pub const HEADER: usize = 4;
    /// Record size.
    pub const SIZE: usize = 43;
    /// Status.
    pub const STATUS: U8F = U8F(0);
    /// Network.
    pub const NETWORK: StrF = StrF(1, 11);
    /// Postoffice or gateway node.
    pub const POSTOFFICE: StrF = StrF(12, 11);
    /// Mailbox.
    pub const MAILBOX: StrF = StrF(23, 11);
    /// Mailbag `hex8` of the external postoffice.
    pub const MAILBAG: StrF = StrF(34, 9);
}

/// One NETPO/GALNETPO record: the address of an external entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetpoRec {
    /// Status byte.
    pub status: u8,
    /// Network (or gateway).
    pub network: crate::model::Text,
    /// Postoffice (or node).
    pub postoffice: crate::model::Text,
    /// Mailbox.
    pub mailbox: crate::model::Text,
    /// Mailbag `hex8` of the external postoffice (routing).
    pub mailbag: crate::model::Text,
    /// Raw bytes as read.
    pub raw: Vec<u8>,
}

/// Puts a NETPO record's fields into `b` (one record's bytes): status,
/// then network, postoffice, mailbox and mailbag; the first field too long
/// is the error.
fn put_netpo(
    b: &mut [u8],
    status: u8,
    [network, postoffice, mailbox, mailbag]: [&str; 4],
) -> Result<()> {
    use netpo_layout::*;
    STATUS.put(b, status);
    NETWORK.put(b, network, "NETPO network")?;
    POSTOFFICE.put(b, postoffice, "NETPO postoffice")?;
    MAILBOX.put(b, mailbox, "NETPO mailbox")?;
    MAILBAG.put(b, mailbag, "NETPO mailbag")
}

impl FixedRecord for NetpoRec {
    const SIZE: usize = netpo_layout::SIZE;
    fn decode(r: &[u8]) -> Self {
        Self {
            raw: r.to_vec(),
            ..Self::decode_fields(r)
        }
    }
    fn decode_fields(r: &[u8]) -> Self {
        use netpo_layout::*;
        NetpoRec {
            status: STATUS.get(r),
            network: NETWORK.text(r),
            postoffice: POSTOFFICE.text(r),
            mailbox: MAILBOX.text(r),
            mailbag: MAILBAG.text(r),
            raw: Vec::new(),
        }
    }
    fn encode(&self) -> Result<Vec<u8>> {
        let mut b = base(&self.raw, netpo_layout::SIZE);
        put_netpo(
            &mut b,
            self.status,
            [
                &self.network,
                &self.postoffice,
                &self.mailbox,
                &self.mailbag,
            ],
        )?;
        Ok(b)
    }
    fn status(&self) -> u8 {
        self.status
    }
}

/// A whole NETPO.GLB or GALNETPO.GLB: count header and records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetpoFile {
    /// The header's record count as read (the writer writes `records.len()`
    /// when this equals it, so a consistent file round-trips).
    pub count: u32,
    /// The records, free slots included.
    pub records: Vec<NetpoRec>,
}

impl NetpoFile {
    /// Reads the file; a count different from the number of records is damage.
    pub fn read(file: &str, bytes: &[u8], ctx: &mut Ctx) -> Result<NetpoFile> {
        let (head, records) = read_records::<NetpoRec>(file, bytes, netpo_layout::HEADER, ctx)?;
        let count = check_netpo_count(file, head, records.len(), ctx)?;
        Ok(NetpoFile { count, records })
    }

    /// The record at byte offset `pointer`, if one starts there.
    pub fn at(&self, pointer: u32) -> Option<&NetpoRec> {
        let p = (pointer as usize).checked_sub(netpo_layout::HEADER)?;
        if p % netpo_layout::SIZE != 0 {
            return None;
        }
        self.records.get(p / netpo_layout::SIZE)
    }

    /// Byte offset of record `index`.
    pub fn pointer_of(index: usize) -> u32 {
        (netpo_layout::HEADER + index * netpo_layout::SIZE) as u32
    }

    /// Writes the file (header count = number of records).
    pub fn write(&self) -> Result<Vec<u8>> {
        let mut out = vec![0u8; 4];
        LittleEndian::write_u32(&mut out, self.records.len() as u32);
        out.extend(write_records(&self.records)?);
        Ok(out)
    }
}

/// A NETPO.GLB or GALNETPO.GLB made record by record: each record is encoded
/// as it comes, none is kept. The bytes equal [`NetpoFile::write`] of the
/// same records; an encoding error (a field too long) is kept and given by
/// [`NetpoBuilder::finish`], where writing the whole file would give it.
#[derive(Debug)]
pub struct NetpoBuilder {
    bytes: Vec<u8>,
    count: usize,
    error: Option<Error>,
}

impl Default for NetpoBuilder {
    fn default() -> Self {
        NetpoBuilder {
            bytes: vec![0u8; netpo_layout::HEADER],
            count: 0,
            error: None,
        }
    }
}

impl NetpoBuilder {
    /// Appends an in-use record; returns its pointer (byte offset).
    pub fn push(&mut self, network: &str, postoffice: &str, mailbox: &str, mailbag: &str) -> u32 {
        let pointer = NetpoFile::pointer_of(self.count);
        self.count += 1;
        let mut b = [0u8; netpo_layout::SIZE];
        let put = put_netpo(
            &mut b,
            STATUS_IN_USE,
            [network, postoffice, mailbox, mailbag],
        );
        if let Err(e) = put {
            self.error.get_or_insert(e);
        }
        self.bytes.extend_from_slice(&b);
        pointer
    }

    /// The file's bytes (header count = records pushed), or the first
    /// encoding error.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if let Some(head) = self.bytes.get_mut(..4) {
            LittleEndian::write_u32(head, self.count as u32);
        }
        Ok(self.bytes)
    }
}

/// The header count of a NETPO file; one different from `records` is damage.
fn check_netpo_count(file: &str, head: &[u8], records: usize, ctx: &mut Ctx) -> Result<u32> {
    let count = LittleEndian::read_u32(head);
    if count as usize != records {
        ctx.damage(
            file,
            Location::Offset(0),
            format!("header counts {count} records, file holds {records}"),
        )?;
    }
    Ok(count)
}

/// A NETPO.GLB or GALNETPO.GLB read for lookups only: the records stay slices
/// of the file's bytes and are decoded when looked up (a million-record
/// GALNETPO costs no per-record allocation). Same checks as [`NetpoFile::read`].
#[derive(Debug, Clone, Default)]
pub struct NetpoSlices<'a> {
    records: super::FixedRecords<'a>,
}

impl<'a> NetpoSlices<'a> {
    /// Frames the file and checks status bytes and the header count.
    pub fn read(file: &str, bytes: &'a [u8], ctx: &mut Ctx) -> Result<NetpoSlices<'a>> {
        let (head, records) = super::frame_checked(
            file,
            bytes,
            netpo_layout::HEADER,
            netpo_layout::SIZE,
            netpo_layout::STATUS,
            ctx,
        )?;
        check_netpo_count(file, head, records.len(), ctx)?;
        Ok(NetpoSlices { records })
    }

    /// The status byte of the record at byte offset `pointer` (as
    /// [`NetpoSlices::at`] finds it), without decoding the record.
    pub fn status_at(&self, pointer: u32) -> Option<u8> {
        let p = (pointer as usize).checked_sub(netpo_layout::HEADER)?;
        if p % netpo_layout::SIZE != 0 {
            return None;
        }
        self.records
            .get(p / netpo_layout::SIZE)
            .map(|r| netpo_layout::STATUS.get(r))
    }

    /// The record at byte offset `pointer` (as [`NetpoFile::at`]), decoded.
    pub fn at(&self, pointer: u32) -> Option<NetpoRec> {
        let p = (pointer as usize).checked_sub(netpo_layout::HEADER)?;
        if p % netpo_layout::SIZE != 0 {
            return None;
        }
        self.records
            .get(p / netpo_layout::SIZE)
            .map(NetpoRec::decode_fields)
    }
}

/// Byte offset of record `index` in a headerless fixed-record file.
pub fn pointer_of(index: usize, size: usize) -> u32 {
    (index * size) as u32
}

/// The record index at byte offset `pointer` in a headerless file, if aligned.
pub fn index_at(pointer: u32, size: usize) -> Option<usize> {
    let p = pointer as usize;
    (size != 0 && p.is_multiple_of(size)).then_some(p / size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The builder's bytes are those of `NetpoFile::write` of the same
    /// records, pointers included; a field too long gives write's first error.
    #[test]
    fn netpo_builder_writes_what_the_file_writes() {
        let field = || proptest::string::string_regex("[A-Z0-9é]{0,12}").unwrap();
        let rec = (field(), field(), field(), 0u32..3);
        proptest!(|(recs in proptest::collection::vec(rec, 0..6))| {
            let mut built = NetpoBuilder::default();
            let mut file = NetpoFile::default();
            for (n, p, m, bag) in &recs {
                let pointer = built.push(n, p, m, &crate::tree::hex8(*bag));
                prop_assert_eq!(pointer, NetpoFile::pointer_of(file.records.len()));
                file.records.push(NetpoRec {
                    status: STATUS_IN_USE,
                    network: n.as_str().into(),
                    postoffice: p.as_str().into(),
                    mailbox: m.as_str().into(),
                    mailbag: crate::tree::hex8(*bag).into(),
                    raw: vec![],
                });
            }
            match (built.finish(), file.write()) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "builder {:?}, file {:?}", a.is_ok(), b.is_ok()),
            }
        });
    }

    #[test]
    fn netpo_count_mismatch_is_damage() {
        let f = NetpoFile {
            count: 0,
            records: vec![NetpoRec {
                status: 1,
                network: "N".into(),
                postoffice: "P".into(),
                mailbox: "M".into(),
                mailbag: "00000001".into(),
                raw: vec![],
            }],
        };
        let mut b = f.write().unwrap();
        assert_eq!(b.len(), 4 + 43);
        let r = NetpoFile::read("NETPO.GLB", &b, &mut Ctx::new(false)).unwrap();
        assert_eq!(r.at(4).unwrap().mailbox, "M");
        assert!(r.at(5).is_none());
        assert_eq!(r.write().unwrap(), b);
        b[0] = 7;
        let e = NetpoFile::read("NETPO.GLB", &b, &mut Ctx::new(false)).unwrap_err();
        assert!(e.to_string().contains("header counts 7"), "{e}");
        let mut ctx = Ctx::new(true);
        NetpoFile::read("NETPO.GLB", &b, &mut ctx).unwrap();
        assert_eq!(ctx.warnings.len(), 1);
    }

    #[test]
    fn bad_status_is_precise_error() {
        let mut b = vec![0u8; 45 * 3];
        b[45 * 2] = 7;
        let e = read_records::<NmeRec>("ADMIN.NME", &b, 0, &mut Ctx::new(false)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "ADMIN.NME: record 2 at byte offset 90: status byte 0x07 is neither 0 (free) nor 1 (in use)"
        );
    }

    proptest! {
        #[test]
        fn usr_nme_netpo_round_trip(u in proptest::collection::vec(any::<u8>(), 53), n in proptest::collection::vec(any::<u8>(), 45), p in proptest::collection::vec(any::<u8>(), 43)) {
            let mut ctx = Ctx::new(true);
            let (_, a) = read_records::<UsrRec>("U", &u, 0, &mut ctx).unwrap();
            prop_assert_eq!(write_records(&a).unwrap(), u);
            let (_, b) = read_records::<NmeRec>("N", &n, 0, &mut ctx).unwrap();
            prop_assert_eq!(write_records(&b).unwrap(), n);
            let mut pf = vec![1, 0, 0, 0];
            pf.extend(&p);
            let f = NetpoFile::read("P", &pf, &mut ctx).unwrap();
            prop_assert_eq!(f.write().unwrap(), pf);
        }

        #[test]
        fn edited_usr_reads_back(name in "[A-Za-z ,.]{0,30}", mb in "[A-Z0-9]{1,10}") {
            let r = UsrRec { status: 1, full_name: name.trim_end().into(), mailbox: mb.as_str().into(), kind: b'U', inf: 3, raw: vec![] };
            let b = r.encode().unwrap();
            let back = UsrRec::decode(&b);
            prop_assert_eq!(back.full_name, name.trim_end());
            prop_assert_eq!(back.mailbox, mb);
            prop_assert_eq!(back.inf, 3);
        }
    }
}
