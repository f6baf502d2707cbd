//! `GLB/TID.GLB` (next tid to assign) and the files profile v1 checks by size only.

use byteorder::{ByteOrder, LittleEndian};

use crate::error::{Error, Location, Result};

/// Reads TID.GLB: one `u32`, the next tid to assign.
pub fn read_tid(file: &str, bytes: &[u8]) -> Result<u32> {
    if bytes.len() != 4 {
        return Err(Error::input(
            file,
            Location::File,
            format!("TID.GLB is {} bytes, expected 4", bytes.len()),
        ));
    }
    Ok(LittleEndian::read_u32(bytes))
}

/// Writes TID.GLB.
pub fn write_tid(next: u32) -> Vec<u8> {
    next.to_le_bytes().to_vec()
}

/// How a size-only file's size is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeRule {
    /// Exactly this many bytes.
    Exact(u64),
    /// A multiple of this many bytes.
    MultipleOf(u64),
    /// A header of `.0` bytes plus a multiple of `.1`.
    HeaderPlus(u64, u64),
}

impl SizeRule {
    /// Does `len` satisfy the rule?
    pub fn accepts(self, len: u64) -> bool {
        match self {
            SizeRule::Exact(n) => len == n,
            SizeRule::MultipleOf(n) => n != 0 && len.is_multiple_of(n),
            SizeRule::HeaderPlus(h, n) => len >= h && n != 0 && (len - h).is_multiple_of(n),
        }
    }

    /// The smallest valid size (what the tree writer writes).
    pub fn minimal(self) -> u64 {
        match self {
            SizeRule::Exact(n) => n,
            SizeRule::MultipleOf(_) => 0,
            SizeRule::HeaderPlus(h, _) => h,
        }
    }
}

/// The `GLB/` files checked by size only (Q77926), with their rules.
pub const SIZE_ONLY_GLB: &[(&str, SizeRule)] = &[
    ("CONTROL.GLB", SizeRule::Exact(8)),
    ("FLAG.GLB", SizeRule::Exact(2)),
    ("GLOBAL.GLB", SizeRule::Exact(512)),
    ("MODEM.GLB", SizeRule::Exact(64)),
    ("RNETSEM.GLB", SizeRule::Exact(4)),
    ("GRPMEM.GLB", SizeRule::HeaderPlus(4, 128)),
    ("SERVER.GLB", SizeRule::MultipleOf(181)),
];

/// Size of a `KEY/*.KEY` file.
pub const KEY_SIZE: u64 = 560;
/// `MBG/*.MBG` files are a multiple of this.
pub const MBG_RECORD: u64 = 116;

/// Checks a size-only file; a wrong size is an input error for the whole file.
pub fn check_size(file: &str, len: u64, rule: SizeRule) -> Result<()> {
    if rule.accepts(len) {
        Ok(())
    } else {
        Err(Error::input(
            file,
            Location::File,
            format!("wrong size {len} bytes ({rule:?})"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tid_and_sizes() {
        assert_eq!(read_tid("T", &write_tid(77)).unwrap(), 77);
        assert!(read_tid("T", &[1, 2, 3]).is_err());
        assert!(SizeRule::HeaderPlus(4, 128).accepts(132));
        assert!(!SizeRule::HeaderPlus(4, 128).accepts(130));
        assert!(SizeRule::MultipleOf(181).accepts(0));
        assert!(check_size("CONTROL.GLB", 9, SizeRule::Exact(8)).is_err());
        for (_, r) in SIZE_ONLY_GLB {
            assert!(r.accepts(r.minimal()));
        }
    }
}
