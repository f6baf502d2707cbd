//! Local groups: `GLB/GROUP.GLB`, the member chains of `GRP/ADMIN.GRP`
//! (and its shadow `ADMINSHD.GRP`), and `MEM/<tid>.MEM`.

use byteorder::{ByteOrder, LittleEndian};
use nom::multi::many0;
use nom::number::complete::le_u32;
use nom::Parser;

use super::{base, read_records, write_records, Ctx, FixedRecord, StrF, U32F, U8F};
use crate::error::{Error, Location, Result};

/// GROUP.GLB layout: 4-byte count header then 51-byte records.
pub mod group_layout {
    use super::*;
    /// Header size.
    pub const HEADER: usize = 4;
    /// Record size.
    pub const SIZE: usize = 51;
    /// Status (delete flag).
    pub const STATUS: U8F = U8F(0);
    /// Group name.
    pub const NAME: StrF = StrF(1, 31);
    /// Group mailbox.
    pub const MAILBOX: StrF = StrF(32, 11);
    /// tid (names `MEM/<tid hex8>.MEM`).
    pub const TID: U32F = U32F(43);
    /// Type, always 4.
    pub const TYPE: U8F = U8F(47);
}

/// One GROUP.GLB record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupRec {
    /// Status byte.
    pub status: u8,
    /// Group name.
    pub name: String,
    /// Group mailbox.
    pub mailbox: String,
    /// tid.
    pub tid: u32,
    /// Type byte (4).
    pub group_type: u8,
    /// Raw bytes as read.
    pub raw: Vec<u8>,
}

impl FixedRecord for GroupRec {
    const SIZE: usize = group_layout::SIZE;
    fn decode(r: &[u8]) -> Self {
        use group_layout::*;
        GroupRec {
            status: STATUS.get(r),
            name: NAME.get(r),
            mailbox: MAILBOX.get(r),
            tid: TID.get(r),
            group_type: TYPE.get(r),
            raw: r.to_vec(),
        }
    }
    fn encode(&self) -> Result<Vec<u8>> {
        use group_layout::*;
        let mut b = base(&self.raw, SIZE);
        STATUS.put(&mut b, self.status);
        NAME.put(&mut b, &self.name, "GROUP.GLB name")?;
        MAILBOX.put(&mut b, &self.mailbox, "GROUP.GLB mailbox")?;
        TID.put(&mut b, self.tid);
        TYPE.put(&mut b, self.group_type);
        Ok(b)
    }
    fn status(&self) -> u8 {
        self.status
    }
}

/// A whole GROUP.GLB.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupGlb {
    /// The records, free slots included.
    pub records: Vec<GroupRec>,
}

impl GroupGlb {
    /// Reads GROUP.GLB; header count ≠ number of records is damage.
    pub fn read(file: &str, bytes: &[u8], ctx: &mut Ctx) -> Result<GroupGlb> {
        let (head, records) = read_records::<GroupRec>(file, bytes, group_layout::HEADER, ctx)?;
        let count = LittleEndian::read_u32(head);
        if count as usize != records.len() {
            ctx.damage(
                file,
                Location::Offset(0),
                format!("header counts {count} groups, file holds {}", records.len()),
            )?;
        }
        Ok(GroupGlb { records })
    }

    /// Writes GROUP.GLB.
    pub fn write(&self) -> Result<Vec<u8>> {
        let mut out = vec![0u8; 4];
        LittleEndian::write_u32(&mut out, self.records.len() as u32);
        out.extend(write_records(&self.records)?);
        Ok(out)
    }
}

/// Size of a GRP node.
pub const GRP_NODE: usize = 8;

/// One member node of ADMIN.GRP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GrpNode {
    /// tid of the member's ADMIN.NME entry.
    pub member_tid: u32,
    /// Byte offset of the next node; 0 ends the chain.
    pub next: u32,
}

/// A whole GRP file: node 0 is the header node.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GrpFile {
    /// All nodes, node 0 (the header) included.
    pub nodes: Vec<GrpNode>,
}

impl GrpFile {
    /// Reads a GRP file: a multiple of 8 bytes, at least the header node.
    pub fn read(file: &str, bytes: &[u8]) -> Result<GrpFile> {
        if !bytes.len().is_multiple_of(GRP_NODE) {
            // The framing error (record and offset of the partial node).
            super::frame(file, bytes, 0, GRP_NODE)?;
        }
        // Nodes straight from the bytes: no list of record slices (a GRP has
        // the smallest records of all, 8 bytes; a large one would need twice
        // its size again for those).
        let recs = bytes.chunks_exact(GRP_NODE);
        if recs.len() == 0 {
            return Err(Error::input(
                file,
                Location::File,
                "empty GRP file: the 8-byte header node is missing",
            ));
        }
        let nodes = recs
            .map(|r| GrpNode {
                member_tid: U32F(0).get(r),
                next: U32F(4).get(r),
            })
            .collect();
        Ok(GrpFile { nodes })
    }

    /// Writes the nodes.
    pub fn write(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.nodes.len().max(1) * GRP_NODE];
        for (i, n) in self.nodes.iter().enumerate() {
            if let Some(b) = out.get_mut(i * GRP_NODE..(i + 1) * GRP_NODE) {
                U32F(0).put(b, n.member_tid);
                U32F(4).put(b, n.next);
            }
        }
        out
    }

    /// Follows a member chain from byte offset `first`: the member tids in
    /// order. A pointer that is not a node, or a node seen twice (a cycle),
    /// is damage: error in strict mode; with salvage the chain stops there
    /// and a warning is recorded.
    pub fn chain(&self, file: &str, first: u32, ctx: &mut Ctx) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.nodes.len()];
        let mut p = first;
        let mut from: Option<usize> = None;
        while p != 0 {
            let loc = || match from {
                Some(i) => Location::Record {
                    index: i as u64,
                    offset: (i * GRP_NODE) as u64,
                },
                None => Location::Offset(u64::from(first)),
            };
            let Some(idx) =
                super::lists::index_at(p, GRP_NODE).filter(|&i| i > 0 && i < self.nodes.len())
            else {
                ctx.damage(file, loc(), format!("dangling node pointer {p}"))?;
                break;
            };
            if seen.get(idx).copied().unwrap_or(true) {
                ctx.damage(
                    file,
                    loc(),
                    format!("member chain loops back to node {idx} (offset {p})"),
                )?;
                break;
            }
            if let Some(s) = seen.get_mut(idx) {
                *s = true;
            }
            let Some(node) = self.nodes.get(idx) else {
                break;
            };
            out.push(node.member_tid);
            from = Some(idx);
            p = node.next;
        }
        Ok(out)
    }
}

/// Largest number of local members a MEM file holds (2000 bytes).
pub const MEM_MAX: usize = 500;

/// Reads `MEM/<tid>.MEM`: the mailbag numbers of a group's local members.
pub fn read_mem(file: &str, bytes: &[u8]) -> Result<Vec<u32>> {
    // The size first: a large file must not be framed record by record.
    if bytes.len() > MEM_MAX * 4 {
        return Err(Error::input(
            file,
            Location::Offset((MEM_MAX * 4) as u64),
            format!("{} members, more than {MEM_MAX}", bytes.len() / 4),
        ));
    }
    super::frame(file, bytes, 0, 4)?;
    let parsed: nom::IResult<&[u8], Vec<u32>> = many0(le_u32).parse_complete(bytes);
    parsed
        .map(|(_, v)| v)
        .map_err(|_| Error::input(file, Location::Offset(0), "unreadable MEM file"))
}

/// Writes a MEM file.
pub fn write_mem(mailbags: &[u32]) -> Vec<u8> {
    let mut out = vec![0u8; mailbags.len() * 4];
    LittleEndian::write_u32_into(mailbags, &mut out);
    out
}

/// Record pointer helper re-exported for ADMIN.GRP node offsets.
pub fn node_pointer(index: usize) -> u32 {
    (index * GRP_NODE) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grp(nodes: &[(u32, u32)]) -> GrpFile {
        let mut v = vec![GrpNode::default()];
        v.extend(
            nodes
                .iter()
                .map(|&(member_tid, next)| GrpNode { member_tid, next }),
        );
        GrpFile { nodes: v }
    }

    #[test]
    fn chain_follows_and_detects_cycles() {
        let g = grp(&[(10, 16), (11, 24), (12, 0)]);
        let b = g.write();
        assert_eq!(GrpFile::read("G", &b).unwrap(), g);
        assert_eq!(
            g.chain("G", 8, &mut Ctx::new(false)).unwrap(),
            vec![10, 11, 12]
        );
        let cyc = grp(&[(10, 16), (11, 8)]);
        let e = cyc.chain("ADMIN.GRP", 8, &mut Ctx::new(false)).unwrap_err();
        assert!(
            e.to_string()
                .contains("ADMIN.GRP: record 2 at byte offset 16: member chain loops"),
            "{e}"
        );
        let mut ctx = Ctx::new(true);
        assert_eq!(cyc.chain("G", 8, &mut ctx).unwrap(), vec![10, 11]);
        assert_eq!(ctx.warnings.len(), 1);
        let dang = grp(&[(10, 99)]);
        assert!(dang.chain("G", 8, &mut Ctx::new(false)).is_err());
        assert!(GrpFile::read("G", &[]).is_err());
    }

    #[test]
    fn mem_limits() {
        assert_eq!(read_mem("M", &write_mem(&[1, 2])).unwrap(), vec![1, 2]);
        assert!(read_mem("M", &[0; 5]).is_err());
        assert!(read_mem("M", &vec![0; 2004]).is_err());
    }

    proptest! {
        #[test]
        fn group_glb_round_trip(recs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 51), 0..4)) {
            let mut bytes = vec![0u8; 4];
            LittleEndian::write_u32(&mut bytes, recs.len() as u32);
            for mut r in recs { r[0] %= 2; bytes.extend(r); }
            let g = GroupGlb::read("G", &bytes, &mut Ctx::new(false)).unwrap();
            prop_assert_eq!(g.write().unwrap(), bytes);
        }
    }
}
