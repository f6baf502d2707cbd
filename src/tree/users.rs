//! Local users: `GLB/ACCESS2.GLB` (decoded), `GLB/ACCESS.GLB` and
//! `GLB/ACCESS3.GLB` (never decoded: only their record counts are checked).

use super::{base, FixedRecord, StrF, U32F, U8F};
use crate::error::{Error, Location, Result};

/// ACCESS2.GLB record layout (69 bytes).
pub mod access2_layout {
    use super::*;
    /// Record size.
    pub const SIZE: usize = 69;
    /// Status.
    pub const STATUS: U8F = U8F(0);
    /// Mailbox.
    pub const MAILBOX: StrF = StrF(1, 11);
    /// Full name.
    pub const FULL_NAME: StrF = StrF(12, 31);
    /// Mailbag `hex8`.
    pub const MAILBAG: StrF = StrF(43, 9);
    /// Flags: bit0 excluded from Dir-Sync, bit1 administrator, bit2 has template data.
    pub const FLAGS: U8F = U8F(52);
    /// tid.
    pub const TID: U32F = U32F(53);
    /// INF record number in INF/ADMIN.INF.
    pub const INF: U32F = U32F(57);
}

/// Record size of ACCESS.GLB (opaque).
pub const ACCESS_SIZE: usize = 586;
/// Record size of ACCESS3.GLB (opaque).
pub const ACCESS3_SIZE: usize = 512;

/// ACCESS2 flag: excluded from Dir-Sync.
pub const FLAG_EXCLUDED: u8 = 0x01;
/// ACCESS2 flag: postoffice administrator.
pub const FLAG_ADMIN: u8 = 0x02;
/// ACCESS2 flag: has template data.
pub const FLAG_TEMPLATE: u8 = 0x04;

/// One ACCESS2.GLB record: a local mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Access2Rec {
    /// Status byte.
    pub status: u8,
    /// Mailbox.
    pub mailbox: String,
    /// Full name.
    pub full_name: crate::model::Text,
    /// Mailbag (`hex8` text).
    pub mailbag: String,
    /// Flags byte.
    pub flags: u8,
    /// tid.
    pub tid: u32,
    /// INF record number, [`super::NO_RECORD`] for none.
    pub inf: u32,
    /// Raw bytes as read.
    pub raw: Vec<u8>,
}

impl FixedRecord for Access2Rec {
    const SIZE: usize = access2_layout::SIZE;
    fn decode(r: &[u8]) -> Self {
        use access2_layout::*;
        Access2Rec {
            status: STATUS.get(r),
            mailbox: MAILBOX.get(r),
            full_name: FULL_NAME.text(r),
            mailbag: MAILBAG.get(r),
            flags: FLAGS.get(r),
            tid: TID.get(r),
            inf: INF.get(r),
            raw: r.to_vec(),
        }
    }
    fn encode(&self) -> Result<Vec<u8>> {
        use access2_layout::*;
        let mut b = base(&self.raw, SIZE);
        STATUS.put(&mut b, self.status);
        MAILBOX.put(&mut b, &self.mailbox, "ACCESS2 mailbox")?;
        FULL_NAME.put(&mut b, &self.full_name, "ACCESS2 full name")?;
        MAILBAG.put(&mut b, &self.mailbag, "ACCESS2 mailbag")?;
        FLAGS.put(&mut b, self.flags);
        TID.put(&mut b, self.tid);
        INF.put(&mut b, self.inf);
        Ok(b)
    }
    fn status(&self) -> u8 {
        self.status
    }
}

/// Counts the records of an opaque ACCESS.GLB / ACCESS3.GLB from its size
/// alone (the content is never read). A size that is not a multiple is an error.
pub fn opaque_count(file: &str, len: u64, record: usize) -> Result<u64> {
    let r = record as u64;
    if !len.is_multiple_of(r) {
        return Err(Error::input(
            file,
            Location::Record {
                index: len / r,
                offset: len / r * r,
            },
            format!("file size {len} is not a multiple of the {record}-byte record"),
        ));
    }
    Ok(len / r)
}

/// Opaque ACCESS.GLB / ACCESS3.GLB content for `count` users: zero-filled,
/// never anything that looks encrypted.
pub fn opaque_zero(count: usize, record: usize) -> Vec<u8> {
    vec![0u8; count * record]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{read_records, write_records, Ctx};
    use proptest::prelude::*;

    #[test]
    fn opaque_counts() {
        assert_eq!(opaque_count("A", 586 * 3, ACCESS_SIZE).unwrap(), 3);
        let e = opaque_count("ACCESS.GLB", 586 * 3 + 1, ACCESS_SIZE).unwrap_err();
        assert!(
            e.to_string().contains("record 3 at byte offset 1758"),
            "{e}"
        );
        assert!(opaque_zero(2, ACCESS3_SIZE).iter().all(|&b| b == 0));
    }

    proptest! {
        #[test]
        fn access2_round_trip(mut a in proptest::collection::vec(any::<u8>(), 69 * 2)) {
            a[0] = 1; a[69] = 0;
            let (_, r) = read_records::<Access2Rec>("A", &a, 0, &mut Ctx::new(false)).unwrap();
            prop_assert_eq!(write_records(&r).unwrap(), a);
        }
    }
}
