//! REQCONF.GLB (512 bytes, every Dir-Sync postoffice) and SRVCONF.GLB (server:
//! 1024-byte header, then 1024 bytes a requestor). Fixed records read and
//! written with `byteorder` through one layout declaration per record type.
//!
//! The requestor passwords are kept as raw bytes so a file is written back
//! byte for byte, but they are never exposed: only [`Password::is_set`].

use std::fmt;

use byteorder::{ByteOrder, LittleEndian};

use super::FixedStr;
use crate::error::{Error, Location, Result};

/// A secret `str[9]` password field. Its bytes are private; `Debug` prints
/// `<set>` or `<not set>`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Password([u8; PASSWORD_LEN]);

/// Size of a password field.
pub const PASSWORD_LEN: usize = 9;

impl Password {
    /// True when the field holds a password (first byte not NUL).
    pub fn is_set(&self) -> bool {
        self.0.first().is_some_and(|&b| b != 0 && b != b' ')
    }

    /// A password field from plain text (for building test fixtures and
    /// synthetic configurations). At most 8 bytes.
    pub fn from_text(text: &str) -> Result<Password> {
        Ok(Password(
            FixedStr::<PASSWORD_LEN>::from_text(text, "password")?.0,
        ))
    }

    fn from_raw(b: &[u8]) -> Password {
        Password(FixedStr::<PASSWORD_LEN>::from_raw(b).0)
    }

    /// `set` or `not set`: the only form in which a password is ever reported.
    pub fn describe(&self) -> &'static str {
        if self.is_set() {
            "set"
        } else {
            "not set"
        }
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_set() { "<set>" } else { "<not set>" })
    }
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    b.get(off..off + 2).map_or(0, LittleEndian::read_u16)
}
fn u32_at(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4).map_or(0, LittleEndian::read_u32)
}
fn bytes_at(b: &[u8], off: usize, len: usize) -> &[u8] {
    b.get(off..off + len).unwrap_or_default()
}
fn put(out: &mut [u8], off: usize, src: &[u8]) {
    if let Some(d) = out.get_mut(off..off + src.len()) {
        d.copy_from_slice(src);
    }
}
fn put_u16(out: &mut [u8], off: usize, v: u16) {
    put(out, off, &v.to_le_bytes());
}
fn put_u32(out: &mut [u8], off: usize, v: u32) {
    put(out, off, &v.to_le_bytes());
}

/// REQCONF.GLB layout (profile v1).
pub mod reqconf_layout {
    /// File size.
    pub const SIZE: usize = 512;
    /// `u16` version.
    pub const VERSION: usize = 0;
    /// `str[22]` Dir-Sync server `NET/PO`.
    pub const SERVER: usize = 2;
    /// `u32` ReqSync.
    pub const REQSYNC: usize = 24;
    /// `u32` SrvSync.
    pub const SRVSYNC: usize = 28;
    /// `u32` ImpSync.
    pub const IMPSYNC: usize = 32;
    /// `time32` last export.
    pub const LAST_EXPORT: usize = 36;
    /// `time32` last import request.
    pub const LAST_IMPORT_REQUEST: usize = 40;
    /// `time32` last T1.
    pub const LAST_T1: usize = 44;
    /// `time32` last T3.
    pub const LAST_T3: usize = 48;
    /// `u8` template exchange.
    pub const TEMPLATES: usize = 52;
    /// `str[9]` password (secret).
    pub const PASSWORD: usize = 53;
    /// `str[65]` address types requested.
    pub const TYPES: usize = 62;
    /// Reserved to the end.
    pub const RESERVED: usize = 127;
}

/// GLB/REQCONF.GLB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReqConf {
    /// Version.
    pub version: u16,
    /// The Dir-Sync server `NET/PO`.
    pub server: FixedStr<22>,
    /// ReqSync: the last update number this requestor sent.
    pub reqsync: u32,
    /// SrvSync: the last server update number received.
    pub srvsync: u32,
    /// ImpSync: imports requested to date.
    pub impsync: u32,
    /// Last export `time32`.
    pub last_export: u32,
    /// Last import request `time32`.
    pub last_import_request: u32,
    /// Last T1 `time32`.
    pub last_t1: u32,
    /// Last T3 `time32`.
    pub last_t3: u32,
    /// Template exchange byte (0/1).
    pub templates: u8,
    password: Password,
    /// Address types requested, `|`-separated.
    pub address_types: FixedStr<65>,
    /// Reserved bytes (385), kept verbatim.
    pub reserved: Vec<u8>,
}

impl ReqConf {
    /// A configuration for `server` with zero numbers and no password.
    pub fn new(server: &str) -> Result<ReqConf> {
        use reqconf_layout as l;
        Ok(ReqConf {
            version: 1,
            server: FixedStr::from_text(server, "Dir-Sync server")?,
            reqsync: 0,
            srvsync: 0,
            impsync: 0,
            last_export: 0,
            last_import_request: 0,
            last_t1: 0,
            last_t3: 0,
            templates: 0,
            password: Password::default(),
            address_types: FixedStr::empty(),
            reserved: vec![0; l::SIZE - l::RESERVED],
        })
    }

    /// Is a requestor password stored? (The password itself is never exposed.)
    pub fn password_set(&self) -> bool {
        self.password.is_set()
    }

    /// Replaces the stored password (for building fixtures).
    pub fn set_password(&mut self, p: Password) {
        self.password = p;
    }

    /// The stored password, to compare (`diff`); its bytes stay private.
    pub fn password(&self) -> &Password {
        &self.password
    }

    /// Reads the 512-byte file; another size is an [`Error::Input`] naming the
    /// offset where the file should have ended.
    pub fn read(bytes: &[u8], file: &str) -> Result<ReqConf> {
        use reqconf_layout as l;
        if bytes.len() != l::SIZE {
            return Err(Error::input(
                file,
                Location::Offset(bytes.len().min(l::SIZE) as u64),
                format!(
                    "REQCONF.GLB must be {} bytes, found {}",
                    l::SIZE,
                    bytes.len()
                ),
            ));
        }
        let b = bytes;
        Ok(ReqConf {
            version: u16_at(b, l::VERSION),
            server: FixedStr::from_raw(bytes_at(b, l::SERVER, 22)),
            reqsync: u32_at(b, l::REQSYNC),
            srvsync: u32_at(b, l::SRVSYNC),
            impsync: u32_at(b, l::IMPSYNC),
            last_export: u32_at(b, l::LAST_EXPORT),
            last_import_request: u32_at(b, l::LAST_IMPORT_REQUEST),
            last_t1: u32_at(b, l::LAST_T1),
            last_t3: u32_at(b, l::LAST_T3),
            templates: b.get(l::TEMPLATES).copied().unwrap_or(0),
            password: Password::from_raw(bytes_at(b, l::PASSWORD, PASSWORD_LEN)),
            address_types: FixedStr::from_raw(bytes_at(b, l::TYPES, 65)),
            reserved: bytes_at(b, l::RESERVED, l::SIZE - l::RESERVED).to_vec(),
        })
    }

    /// Writes the 512 bytes.
    pub fn write(&self) -> Vec<u8> {
        use reqconf_layout as l;
        let mut b = vec![0u8; l::SIZE];
        put_u16(&mut b, l::VERSION, self.version);
        put(&mut b, l::SERVER, &self.server.0);
        put_u32(&mut b, l::REQSYNC, self.reqsync);
        put_u32(&mut b, l::SRVSYNC, self.srvsync);
        put_u32(&mut b, l::IMPSYNC, self.impsync);
        put_u32(&mut b, l::LAST_EXPORT, self.last_export);
        put_u32(&mut b, l::LAST_IMPORT_REQUEST, self.last_import_request);
        put_u32(&mut b, l::LAST_T1, self.last_t1);
        put_u32(&mut b, l::LAST_T3, self.last_t3);
        put(&mut b, l::TEMPLATES, &[self.templates]);
        put(&mut b, l::PASSWORD, &self.password.0);
        put(&mut b, l::TYPES, &self.address_types.0);
        let n = self.reserved.len().min(l::SIZE - l::RESERVED);
        put(
            &mut b,
            l::RESERVED,
            self.reserved.get(..n).unwrap_or_default(),
        );
        b
    }
}

/// SRVCONF.GLB header layout (profile v1).
pub mod srvconf_layout {
    /// Header size; also the size of each requestor record.
    pub const SIZE: usize = 1024;
    /// `u16` version.
    pub const VERSION: usize = 0;
    /// `u32` Sync: highest SrvSync.
    pub const SYNC: usize = 2;
    /// `u32` current Dir-Sync cycle.
    pub const CYCLE: usize = 6;
    /// `u16` keep updates, days.
    pub const KEEP_DAYS: usize = 10;
    /// `time32` last T2.
    pub const LAST_T2: usize = 12;
    /// Reserved to the end of the header.
    pub const RESERVED: usize = 16;
}

/// SRVCONF.GLB requestor record layout (profile v1).
pub mod requestor_layout {
    /// Record size.
    pub const SIZE: usize = 1024;
    /// `u8` status (0 free, 1 in use).
    pub const STATUS: usize = 0;
    /// `str[32]` requestor `PCM:NET/PO`.
    pub const NAME: usize = 1;
    /// `u32` ReqSync.
    pub const REQSYNC: usize = 33;
    /// `u32` SrvSync.
    pub const SRVSYNC: usize = 37;
    /// `u32` ImpSync.
    pub const IMPSYNC: usize = 41;
    /// `u32` last cycle.
    pub const LAST_CYCLE: usize = 45;
    /// `time32` last update received.
    pub const LAST_UPDATE: usize = 49;
    /// `str[9]` password (secret).
    pub const PASSWORD: usize = 53;
    /// `u8` foreign requestor.
    pub const FOREIGN: usize = 62;
    /// `u8` transactions in body.
    pub const IN_BODY: usize = 63;
    /// `str[65]` address types requested.
    pub const TYPES: usize = 64;
    /// Reserved to the end.
    pub const RESERVED: usize = 129;
}

/// One requestor record of SRVCONF.GLB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requestor {
    /// 0 free slot, 1 in use.
    pub status: u8,
    /// `PCM:NET/PO` or a foreign `TYPE:GATE/NODE`.
    pub name: FixedStr<32>,
    /// ReqSync: last requestor update number received.
    pub reqsync: u32,
    /// SrvSync: last server update number sent to it.
    pub srvsync: u32,
    /// ImpSync.
    pub impsync: u32,
    /// Last cycle in which it sent updates.
    pub last_cycle: u32,
    /// Last update received `time32`.
    pub last_update: u32,
    password: Password,
    /// Foreign requestor (0/1).
    pub foreign: u8,
    /// Transactions in the body (foreign: 0 attachment, 1 body).
    pub in_body: u8,
    /// Address types requested.
    pub address_types: FixedStr<65>,
    /// Reserved bytes (895), kept verbatim.
    pub reserved: Vec<u8>,
}

impl Requestor {
    /// An in-use requestor record with zero numbers and no password.
    pub fn new(name: &str) -> Result<Requestor> {
        use requestor_layout as l;
        Ok(Requestor {
            status: 1,
            name: FixedStr::from_text(name, "requestor name")?,
            reqsync: 0,
            srvsync: 0,
            impsync: 0,
            last_cycle: 0,
            last_update: 0,
            password: Password::default(),
            foreign: 0,
            in_body: 0,
            address_types: FixedStr::empty(),
            reserved: vec![0; l::SIZE - l::RESERVED],
        })
    }

    /// Is a requestor password stored? (The password itself is never exposed.)
    pub fn password_set(&self) -> bool {
        self.password.is_set()
    }

    /// Replaces the stored password (for building fixtures).
    pub fn set_password(&mut self, p: Password) {
        self.password = p;
    }

    /// The stored password, to compare (`diff`); its bytes stay private.
    pub fn password(&self) -> &Password {
        &self.password
    }

    /// True when the slot is in use.
    pub fn in_use(&self) -> bool {
        self.status == 1
    }

    fn read(b: &[u8]) -> Requestor {
        use requestor_layout as l;
        Requestor {
            status: b.get(l::STATUS).copied().unwrap_or(0),
            name: FixedStr::from_raw(bytes_at(b, l::NAME, 32)),
            reqsync: u32_at(b, l::REQSYNC),
            srvsync: u32_at(b, l::SRVSYNC),
            impsync: u32_at(b, l::IMPSYNC),
            last_cycle: u32_at(b, l::LAST_CYCLE),
            last_update: u32_at(b, l::LAST_UPDATE),
            password: Password::from_raw(bytes_at(b, l::PASSWORD, PASSWORD_LEN)),
            foreign: b.get(l::FOREIGN).copied().unwrap_or(0),
            in_body: b.get(l::IN_BODY).copied().unwrap_or(0),
            address_types: FixedStr::from_raw(bytes_at(b, l::TYPES, 65)),
            reserved: bytes_at(b, l::RESERVED, l::SIZE - l::RESERVED).to_vec(),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        use requestor_layout as l;
        let mut b = vec![0u8; l::SIZE];
        put(&mut b, l::STATUS, &[self.status]);
        put(&mut b, l::NAME, &self.name.0);
        put_u32(&mut b, l::REQSYNC, self.reqsync);
        put_u32(&mut b, l::SRVSYNC, self.srvsync);
        put_u32(&mut b, l::IMPSYNC, self.impsync);
        put_u32(&mut b, l::LAST_CYCLE, self.last_cycle);
        put_u32(&mut b, l::LAST_UPDATE, self.last_update);
        put(&mut b, l::PASSWORD, &self.password.0);
        put(&mut b, l::FOREIGN, &[self.foreign]);
        put(&mut b, l::IN_BODY, &[self.in_body]);
        put(&mut b, l::TYPES, &self.address_types.0);
        let n = self.reserved.len().min(l::SIZE - l::RESERVED);
        put(
            &mut b,
            l::RESERVED,
            self.reserved.get(..n).unwrap_or_default(),
        );
        out.extend_from_slice(&b);
    }
}

/// GLB/SRVCONF.GLB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvConf {
    /// Version.
    pub version: u16,
    /// Sync: highest SrvSync, the last MSTTRANS sync number.
    pub sync: u32,
    /// Current Dir-Sync cycle.
    pub cycle: u32,
    /// Keep updates, days.
    pub keep_days: u16,
    /// Last T2 `time32`.
    pub last_t2: u32,
    /// Reserved header bytes (1008), kept verbatim.
    pub reserved: Vec<u8>,
    /// Requestor records in slot order (free slots included).
    pub requestors: Vec<Requestor>,
}

impl SrvConf {
    /// A server configuration with no requestors.
    pub fn new() -> SrvConf {
        use srvconf_layout as l;
        SrvConf {
            version: 1,
            sync: 0,
            cycle: 0,
            keep_days: 14,
            last_t2: 0,
            reserved: vec![0; l::SIZE - l::RESERVED],
            requestors: Vec::new(),
        }
    }

    /// Reads the file: a 1024-byte header then whole 1024-byte requestor
    /// records. A short file or a partial record, or a status byte other than
    /// 0/1, is an [`Error::Input`] naming the record and offset.
    pub fn read(bytes: &[u8], file: &str) -> Result<SrvConf> {
        use srvconf_layout as l;
        if bytes.len() < l::SIZE {
            return Err(Error::input(
                file,
                Location::Offset(bytes.len() as u64),
                format!(
                    "SRVCONF.GLB needs a {}-byte header, file has {} bytes",
                    l::SIZE,
                    bytes.len()
                ),
            ));
        }
        let (head, body) = bytes.split_at(l::SIZE);
        let mut requestors = Vec::with_capacity(body.len() / requestor_layout::SIZE);
        for (i, chunk) in body.chunks(requestor_layout::SIZE).enumerate() {
            let offset = (l::SIZE + i * requestor_layout::SIZE) as u64;
            if chunk.len() != requestor_layout::SIZE {
                return Err(Error::input(
                    file,
                    Location::Record {
                        index: i as u64,
                        offset,
                    },
                    format!(
                        "partial requestor record: {} of {} bytes",
                        chunk.len(),
                        requestor_layout::SIZE
                    ),
                ));
            }
            let r = Requestor::read(chunk);
            if r.status > 1 {
                return Err(Error::input(
                    file,
                    Location::Record {
                        index: i as u64,
                        offset,
                    },
                    format!(
                        "requestor status byte 0x{:02X} is neither 0 nor 1",
                        r.status
                    ),
                ));
            }
            requestors.push(r);
        }
        Ok(SrvConf {
            version: u16_at(head, l::VERSION),
            sync: u32_at(head, l::SYNC),
            cycle: u32_at(head, l::CYCLE),
            keep_days: u16_at(head, l::KEEP_DAYS),
            last_t2: u32_at(head, l::LAST_T2),
            reserved: bytes_at(head, l::RESERVED, l::SIZE - l::RESERVED).to_vec(),
            requestors,
        })
    }

    /// Writes the header and every requestor record.
    pub fn write(&self) -> Vec<u8> {
        use srvconf_layout as l;
        let mut b = vec![0u8; l::SIZE];
        put_u16(&mut b, l::VERSION, self.version);
        put_u32(&mut b, l::SYNC, self.sync);
        put_u32(&mut b, l::CYCLE, self.cycle);
        put_u16(&mut b, l::KEEP_DAYS, self.keep_days);
        put_u32(&mut b, l::LAST_T2, self.last_t2);
        let n = self.reserved.len().min(l::SIZE - l::RESERVED);
        put(
            &mut b,
            l::RESERVED,
            self.reserved.get(..n).unwrap_or_default(),
        );
        b.reserve(self.requestors.len() * requestor_layout::SIZE);
        for r in &self.requestors {
            r.write(&mut b);
        }
        b
    }
}

impl Default for SrvConf {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reqconf_round_trip_and_secret() {
        let mut c = ReqConf::new("POLYNOMIAL/MONTGOMERY").unwrap();
        c.reqsync = 17;
        c.srvsync = 80;
        c.set_password(Password::from_text("HUSH").unwrap());
        c.reserved[3] = 9;
        let b = c.write();
        assert_eq!(b.len(), 512);
        assert_eq!(&b[53..57], b"HUSH");
        let r = ReqConf::read(&b, "REQCONF.GLB").unwrap();
        assert_eq!(r, c);
        assert_eq!(r.write(), b);
        assert!(r.password_set());
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("HUSH"), "{dbg}");
        assert!(dbg.contains("<set>"));
    }

    #[test]
    fn reqconf_wrong_size_names_offset() {
        let e = ReqConf::read(&[0; 100], "GLB/REQCONF.GLB").unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert_eq!(
            e.to_string(),
            "GLB/REQCONF.GLB: byte offset 100: REQCONF.GLB must be 512 bytes, found 100"
        );
    }

    #[test]
    fn srvconf_round_trip() {
        let mut s = SrvConf::new();
        s.sync = 80;
        s.cycle = 11;
        let mut r = Requestor::new("PCM:POLYNOMIAL/MONTGOMERY").unwrap();
        r.reqsync = 17;
        r.srvsync = 80;
        r.last_cycle = 11;
        r.set_password(Password::from_text("SECRET1").unwrap());
        s.requestors.push(r);
        let mut free = Requestor::new("").unwrap();
        free.status = 0;
        s.requestors.push(free);
        let b = s.write();
        assert_eq!(b.len(), 3 * 1024);
        let back = SrvConf::read(&b, "SRVCONF.GLB").unwrap();
        assert_eq!(back, s);
        assert_eq!(back.write(), b);
        assert!(!format!("{back:?}").contains("SECRET1"));
        let e = SrvConf::read(&b[..2000], "S").unwrap_err().to_string();
        assert!(e.contains("record 0 at byte offset 1024: partial"), "{e}");
        let mut bad = b.clone();
        bad[2048] = 7;
        let e = SrvConf::read(&bad, "S").unwrap_err().to_string();
        assert!(e.contains("record 1 at byte offset 2048"), "{e}");
    }
}
