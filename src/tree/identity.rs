//! Postoffice identity and routing: `GLB/MASTER.GLB`, `GLB/NETWORK.GLB`,
//! `XTN/<prefix>.XTN` (profile v1 layouts).

use super::{base, FixedRecord, StrF, U16F, U32F, U8F};
use crate::error::{Error, Location, Result};

/// MASTER.GLB layout (176 bytes, one record).
pub mod master_layout {
    use super::*;
    /// File size.
    pub const SIZE: usize = 176;
    /// Version `u16` (0x0300, 0x0320, 0x0350).
    pub const VERSION: U16F = U16F(0);
    /// Network name.
    pub const NETWORK: StrF = StrF(2, 11);
    /// Postoffice name.
    pub const POSTOFFICE: StrF = StrF(13, 11);
    /// Serial number.
    pub const SERIAL: U32F = U32F(24);
    /// GAL enabled 0/1.
    pub const GAL_ENABLED: U8F = U8F(28);
}

/// `GLB/MASTER.GLB`: the postoffice's own network, name and version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MasterGlb {
    /// Version number (0x0300, 0x0320, 0x0350).
    pub version: u16,
    /// Network name.
    pub network: String,
    /// Postoffice name.
    pub postoffice: String,
    /// Serial number.
    pub serial: u32,
    /// GAL enabled byte (0/1).
    pub gal_enabled: u8,
    /// Raw bytes as read (empty for new data).
    pub raw: Vec<u8>,
}

/// Versions profile v1 knows.
pub const KNOWN_VERSIONS: [u16; 3] = [0x0300, 0x0320, 0x0350];

impl MasterGlb {
    /// Reads MASTER.GLB; the file must be exactly 176 bytes.
    pub fn read(file: &str, bytes: &[u8]) -> Result<MasterGlb> {
        use master_layout::*;
        if bytes.len() != SIZE {
            return Err(Error::input(
                file,
                Location::File,
                format!("MASTER.GLB is {} bytes, expected {SIZE}", bytes.len()),
            ));
        }
        let version = VERSION.get(bytes);
        if !KNOWN_VERSIONS.contains(&version) {
            return Err(Error::input(
                file,
                Location::Record {
                    index: 0,
                    offset: 0,
                },
                format!("unknown version {version:#06x} (expected 0x0300, 0x0320 or 0x0350)"),
            ));
        }
        Ok(MasterGlb::decode(bytes))
    }

    /// Decodes the fields without any check (salvage of a damaged MASTER.GLB).
    pub fn decode(bytes: &[u8]) -> MasterGlb {
        use master_layout::*;
        MasterGlb {
            version: VERSION.get(bytes),
            network: NETWORK.get(bytes),
            postoffice: POSTOFFICE.get(bytes),
            serial: SERIAL.get(bytes),
            gal_enabled: GAL_ENABLED.get(bytes),
            raw: bytes.to_vec(),
        }
    }

    /// Writes MASTER.GLB (176 bytes).
    pub fn write(&self) -> Result<Vec<u8>> {
        use master_layout::*;
        let mut b = base(&self.raw, SIZE);
        VERSION.put(&mut b, self.version);
        NETWORK.put(&mut b, &self.network, "MASTER.GLB network")?;
        POSTOFFICE.put(&mut b, &self.postoffice, "MASTER.GLB postoffice")?;
        SERIAL.put(&mut b, self.serial);
        GAL_ENABLED.put(&mut b, self.gal_enabled);
        Ok(b)
    }
}

/// NETWORK.GLB record layout (122 bytes).
pub mod network_layout {
    use super::*;
    /// Record size.
    pub const SIZE: usize = 122;
    /// Status.
    pub const STATUS: U8F = U8F(0);
    /// Network name.
    pub const NAME: StrF = StrF(1, 11);
    /// Kind: 1 MS Mail network, 2 10/10/10 gateway, 3 other gateway.
    pub const KIND: U8F = U8F(12);
    /// XTN prefix `hex8`.
    pub const XTN_PREFIX: StrF = StrF(13, 9);
    /// Address type.
    pub const ADDRESS_TYPE: StrF = StrF(22, 9);
}

/// Network kinds of NETWORK.GLB.
pub mod network_kind {
    /// MS Mail PC network.
    pub const MSMAIL: u8 = 1;
    /// Gateway with 10/10/10 addresses (SNADS, PROFS, OV, FFAPI).
    pub const GATEWAY_101010: u8 = 2;
    /// Other gateway (SMTP, X400, ...): long-form addresses.
    pub const GATEWAY_OTHER: u8 = 3;
}

/// One NETWORK.GLB record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkRec {
    /// Status byte.
    pub status: u8,
    /// Network name.
    pub name: String,
    /// Kind (see [`network_kind`]).
    pub kind: u8,
    /// XTN prefix (`hex8` text), empty for kind 3.
    pub xtn_prefix: String,
    /// Address type (`PCM` for kind 1).
    pub address_type: String,
    /// Raw bytes as read.
    pub raw: Vec<u8>,
}

impl FixedRecord for NetworkRec {
    const SIZE: usize = network_layout::SIZE;
    fn decode(r: &[u8]) -> Self {
        use network_layout::*;
        NetworkRec {
            status: STATUS.get(r),
            name: NAME.get(r),
            kind: KIND.get(r),
            xtn_prefix: XTN_PREFIX.get(r),
            address_type: ADDRESS_TYPE.get(r),
            raw: r.to_vec(),
        }
    }
    fn encode(&self) -> Result<Vec<u8>> {
        use network_layout::*;
        let mut b = base(&self.raw, SIZE);
        STATUS.put(&mut b, self.status);
        NAME.put(&mut b, &self.name, "NETWORK.GLB network name")?;
        KIND.put(&mut b, self.kind);
        XTN_PREFIX.put(&mut b, &self.xtn_prefix, "NETWORK.GLB XTN prefix")?;
        ADDRESS_TYPE.put(&mut b, &self.address_type, "NETWORK.GLB address type")?;
        Ok(b)
    }
    fn status(&self) -> u8 {
        self.status
    }
}

/// XTN record layout (698 bytes).
pub mod xtn_layout {
    use super::*;
    /// Record size.
    pub const SIZE: usize = 698;
    /// Status.
    pub const STATUS: U8F = U8F(0);
    /// Postoffice / node name.
    pub const POSTOFFICE: StrF = StrF(1, 11);
    /// Mailbag `hex8`.
    pub const MAILBAG: StrF = StrF(12, 9);
    /// Connection: 1 direct, 2 indirect, 3 async, 4 X.25, 5 gateway.
    pub const CONNECTION: U8F = U8F(21);
    /// Route `str[65]`.
    pub const ROUTE: StrF = StrF(22, 65);
    /// Dir-Sync participant 0/1.
    pub const DIRSYNC: U8F = U8F(87);
    /// Last address-list update `time32`.
    pub const LAST_UPDATE: U32F = U32F(88);
}

/// One XTN record: an external postoffice (or gateway node) of one network.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XtnRec {
    /// Status byte.
    pub status: u8,
    /// Postoffice or node name.
    pub postoffice: String,
    /// Mailbag (`hex8` text) naming its USR/TPL/INF files.
    pub mailbag: String,
    /// Connection type.
    pub connection: u8,
    /// Route text.
    pub route: String,
    /// Dir-Sync participant byte.
    pub dirsync: u8,
    /// Last address-list update (`time32`).
    pub last_update: u32,
    /// Raw bytes as read.
    pub raw: Vec<u8>,
}

impl FixedRecord for XtnRec {
    const SIZE: usize = xtn_layout::SIZE;
    fn decode(r: &[u8]) -> Self {
        use xtn_layout::*;
        XtnRec {
            status: STATUS.get(r),
            postoffice: POSTOFFICE.get(r),
            mailbag: MAILBAG.get(r),
            connection: CONNECTION.get(r),
            route: ROUTE.get(r),
            dirsync: DIRSYNC.get(r),
            last_update: LAST_UPDATE.get(r),
            raw: r.to_vec(),
        }
    }
    fn encode(&self) -> Result<Vec<u8>> {
        use xtn_layout::*;
        let mut b = base(&self.raw, SIZE);
        STATUS.put(&mut b, self.status);
        POSTOFFICE.put(&mut b, &self.postoffice, "XTN postoffice")?;
        MAILBAG.put(&mut b, &self.mailbag, "XTN mailbag")?;
        CONNECTION.put(&mut b, self.connection);
        ROUTE.put(&mut b, &self.route, "XTN route")?;
        DIRSYNC.put(&mut b, self.dirsync);
        LAST_UPDATE.put(&mut b, self.last_update);
        Ok(b)
    }
    fn status(&self) -> u8 {
        self.status
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{read_records, write_records, Ctx};
    use proptest::prelude::*;

    #[test]
    fn master_round_trip_and_checks() {
        let m = MasterGlb {
            version: 0x0320,
            network: "ACME".into(),
            postoffice: "HQ".into(),
            serial: 42,
            gal_enabled: 1,
            raw: vec![],
        };
        let b = m.write().unwrap();
        assert_eq!(b.len(), 176);
        let r = MasterGlb::read("M", &b).unwrap();
        assert_eq!((r.network.as_str(), r.serial), ("ACME", 42));
        assert_eq!(r.write().unwrap(), b);
        assert!(MasterGlb::read("M", &b[..175]).is_err());
        let mut bad = b.clone();
        bad[0] = 9;
        assert!(MasterGlb::read("M", &bad).is_err());
    }

    proptest! {
        #[test]
        fn network_and_xtn_bytes_round_trip(mut a in proptest::collection::vec(any::<u8>(), 122), mut x in proptest::collection::vec(any::<u8>(), 698)) {
            a[0] = 1; x[0] = 0;
            let mut ctx = Ctx::new(false);
            let (_, n) = read_records::<NetworkRec>("N", &a, 0, &mut ctx).unwrap();
            prop_assert_eq!(write_records(&n).unwrap(), a);
            let (_, t) = read_records::<XtnRec>("X", &x, 0, &mut ctx).unwrap();
            prop_assert_eq!(write_records(&t).unwrap(), x);
        }
    }
}
