//! Dir-Sync binary files (layouts-v1.md §"Dir-Sync files"): transaction streams
//! ([`trans`]), REQCONF.GLB / SRVCONF.GLB ([`conf`]) and PROCESS.GLB ([`process`]),
//! plus recognition ([`sniff`]) and the C `ctime` date form the MS Mail
//! utilities print ([`ctime`]).

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::codepage::{decode_cp850, encode_cp850};
use crate::error::{Error, Result};

pub mod conf;
pub mod process;
pub mod trans;
pub mod views;

pub use conf::{Password, ReqConf, Requestor, SrvConf};
pub use process::{ProcessFile, ProcessRecord};
pub use trans::{read_stream, write_stream, TransStream, TransactionRecord};

/// Which transaction stream a file is (by its name; `Other` when recognised by
/// content only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TransKind {
    /// `REQTRANS.GLB`: the requestor's queue of updates to send (Q133428).
    ReqTrans,
    /// `MSTTRANS.GLB`: the server's master transaction list.
    MstTrans,
    /// `SRVTRANS.GLB`: updates received at T3.
    SrvTrans,
    /// `USRTRANS.GLB`: import queue.
    UsrTrans,
    /// `NMETRANS.GLB`: import queue.
    NmeTrans,
    /// `GWTRANS.GLB`: import queue.
    GwTrans,
    /// `RESYNC.GLB`: `H` header record then address records (Q119449).
    Resync,
    /// `TMPTRANS.GLB`: foreign requestors (Q118298).
    TmpTrans,
    /// A transaction stream under another name, recognised by its content.
    Other,
}

impl TransKind {
    /// Kind from a file name (any folder, any case), if it is one of the known names.
    pub fn from_name(file_name: &str) -> Option<TransKind> {
        let up = base_name_upper(file_name);
        Some(match up.as_str() {
            "REQTRANS.GLB" => TransKind::ReqTrans,
            "MSTTRANS.GLB" => TransKind::MstTrans,
            "SRVTRANS.GLB" => TransKind::SrvTrans,
            "USRTRANS.GLB" => TransKind::UsrTrans,
            "NMETRANS.GLB" => TransKind::NmeTrans,
            "GWTRANS.GLB" => TransKind::GwTrans,
            "RESYNC.GLB" => TransKind::Resync,
            "TMPTRANS.GLB" => TransKind::TmpTrans,
            _ => return None,
        })
    }
}

/// A Dir-Sync binary file kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DirSyncFileKind {
    /// A transaction stream.
    Transactions(TransKind),
    /// `GLB/REQCONF.GLB`.
    ReqConf,
    /// `GLB/SRVCONF.GLB`.
    SrvConf,
    /// `GLB/PROCESS.GLB`.
    Process,
}

/// The upper-cased last path component of `file_name`.
fn base_name_upper(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    base.to_ascii_uppercase()
}

/// Recognises a Dir-Sync binary file by name, size and content.
///
/// Known names decide the kind (the reader then reports a wrong size or damage
/// with its offset). A file with another name is a transaction stream when its
/// first record frames correctly and its text looks like an import line (or an
/// `H` header); an empty file is only recognised by name.
pub fn sniff(file_name: &str, bytes: &[u8]) -> Option<DirSyncFileKind> {
    let up = base_name_upper(file_name);
    match up.as_str() {
        "REQCONF.GLB" => return Some(DirSyncFileKind::ReqConf),
        // Q77926 spells the file SVRCONF.GLB; the spec and Q96060 say SRVCONF.GLB.
        "SRVCONF.GLB" | "SVRCONF.GLB" => return Some(DirSyncFileKind::SrvConf),
        "PROCESS.GLB" => return Some(DirSyncFileKind::Process),
        _ => {}
    }
    if let Some(k) = TransKind::from_name(&up) {
        return Some(DirSyncFileKind::Transactions(k));
    }
    if trans::plausible_record_at(bytes, 0, true) {
        return Some(DirSyncFileKind::Transactions(TransKind::Other));
    }
    None
}

/// A fixed-size CP850 string field `str[N]`: the text ends at the first NUL.
/// The raw bytes are kept (including anything after the NUL) so that a file
/// is written back byte for byte.
#[derive(Clone, PartialEq, Eq)]
pub struct FixedStr<const N: usize>(pub [u8; N]);

impl<const N: usize> FixedStr<N> {
    /// All NUL.
    pub fn empty() -> Self {
        FixedStr([0; N])
    }

    /// Copies the field out of `bytes` (which must be exactly `N` long; shorter
    /// input is NUL padded).
    pub fn from_raw(bytes: &[u8]) -> Self {
        let mut a = [0u8; N];
        for (d, s) in a.iter_mut().zip(bytes) {
            *d = *s;
        }
        FixedStr(a)
    }

    /// Builds the field from text: CP850, at most `N - 1` bytes, NUL padded.
    pub fn from_text(text: &str, what: &str) -> Result<Self> {
        let bytes = encode_cp850(text).map_err(|(i, c)| {
            Error::Unrepresentable(format!(
                "{what}: character {c:?} at {i} is not in code page 850"
            ))
        })?;
        if bytes.len() >= N {
            return Err(Error::Unrepresentable(format!(
                "{what}: {text:?} is longer than {} bytes",
                N - 1
            )));
        }
        Ok(Self::from_raw(&bytes))
    }

    /// The text bytes: up to the first NUL, trailing spaces trimmed.
    pub fn text_bytes(&self) -> &[u8] {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(N);
        let mut t = self.0.get(..end).unwrap_or_default();
        while let [rest @ .., b' '] = t {
            t = rest;
        }
        t
    }

    /// The text, decoded from CP850.
    pub fn text(&self) -> Cow<'_, str> {
        decode_cp850(self.text_bytes())
    }

    /// True when the field holds no text.
    pub fn is_empty(&self) -> bool {
        self.text_bytes().is_empty()
    }
}

impl<const N: usize> Default for FixedStr<N> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<const N: usize> fmt::Debug for FixedStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.text())
    }
}

impl<const N: usize> fmt::Display for FixedStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// Days since 1970-01-01 to a (year, month 1-12, day 1-31) civil date
/// (proleptic Gregorian; H. Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// What [`ctime`] prints for a `time32` of 0.
pub const NEVER: &str = "never";

/// A `time32` in C `ctime` form, `Thu Apr 07 12:13:52 1994` (day zero-padded as
/// LISTQ prints it). The value is postoffice local time, so no time zone is
/// applied and the system clock is never read. 0 prints [`NEVER`].
pub fn ctime(t: u32) -> String {
    if t == 0 {
        return NEVER.to_string();
    }
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = i64::from(t);
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let wd = DAYS
        .get((days + 4).rem_euclid(7) as usize)
        .copied()
        .unwrap_or("???");
    let mon = MONTHS
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("???");
    format!(
        "{wd} {mon} {d:02} {:02}:{:02}:{:02} {y}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_matches_listq_sample() {
        // 1994-04-07 12:13:52 = 765_720_832 seconds after the epoch.
        assert_eq!(ctime(765_720_832), "Thu Apr 07 12:13:52 1994");
        assert_eq!(ctime(1), "Thu Jan 01 00:00:01 1970");
        assert_eq!(ctime(0), "never");
        // Fri Feb 18 13:11:58 1994 (LISTDS sample).
        assert_eq!(ctime(761_577_118), "Fri Feb 18 13:11:58 1994");
        assert_eq!(ctime(951_782_400), "Tue Feb 29 00:00:00 2000");
        assert_eq!(ctime(u32::MAX), "Sun Feb 07 06:28:15 2106");
    }

    #[test]
    fn fixed_str_keeps_raw_bytes() {
        let f = FixedStr::<8>::from_raw(b"NET/PO\0x");
        assert_eq!(f.text(), "NET/PO");
        assert_eq!(&f.0, b"NET/PO\0x");
        assert!(FixedStr::<4>::from_text("ABCD", "t").is_err());
        assert_eq!(FixedStr::<6>::from_text("AB  ", "t").unwrap().text(), "AB");
        assert_eq!(
            format!("{:?}", FixedStr::<6>::from_text("AB", "t").unwrap()),
            "\"AB\""
        );
    }

    #[test]
    fn sniff_by_name_and_content() {
        assert_eq!(
            sniff("x/GLB/reqconf.glb", &[]),
            Some(DirSyncFileKind::ReqConf)
        );
        assert_eq!(sniff("SVRCONF.GLB", &[]), Some(DirSyncFileKind::SrvConf));
        assert_eq!(
            sniff("GLB\\PROCESS.GLB", &[]),
            Some(DirSyncFileKind::Process)
        );
        assert_eq!(
            sniff("MSTTRANS.GLB", &[]),
            Some(DirSyncFileKind::Transactions(TransKind::MstTrans))
        );
        let rec = trans::TransactionRecord::new(1, 0, b'R', "N/P", b"R PCM:N/P".to_vec());
        let bytes = write_stream(&[rec]);
        assert_eq!(
            sniff("COPY.BIN", &bytes),
            Some(DirSyncFileKind::Transactions(TransKind::Other))
        );
        assert_eq!(sniff("COPY.BIN", b"hello world"), None);
    }
}
