//! Adapters from the Dir-Sync types to the diff engines: transaction records as
//! [`SyncRecord`]s, REQCONF/SRVCONF as [`ConfigNumbers`] (every field; the
//! passwords are compared but only ever reported as set / not set /
//! different).

use crate::dirsync::{ctime, ReqConf, SrvConf, TransactionRecord};

use super::{ConfigNumbers, RequestorNumbers, SyncRecord};

impl SyncRecord for TransactionRecord {
    fn sync_number(&self) -> u64 {
        u64::from(self.sync)
    }

    fn compared_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("op", self.op_char().to_string()),
            ("text", self.text_str().into_owned()),
            ("origin", self.origin.text().into_owned()),
            ("crc", format!("{:04X}", self.crc)),
            ("stamp", ctime(self.stamp)),
        ]
    }
}

/// Label used for the numbers of the requestor a REQCONF.GLB belongs to (the
/// file does not name it; it names its server).
pub const LOCAL_REQUESTOR: &str = "(this requestor)";

/// A `time32` as the diff shows it: `0` for never, else the number and the
/// date (`831380400 (Thu May 06 12:00:00 1996)`).
fn time_field(t: u32) -> String {
    if t == 0 {
        "0".into()
    } else {
        format!("{t} ({})", ctime(t))
    }
}

/// Address types as shown: `(empty)` when the field is empty.
fn types_field(t: &str) -> String {
    if t.is_empty() {
        "(empty)".into()
    } else {
        t.into()
    }
}

fn flag(b: u8) -> String {
    match b {
        0 => "no".into(),
        1 => "yes".into(),
        x => format!("yes (0x{x:02X})"),
    }
}

/// The reserved bytes as a short, comparable description: how many are not
/// zero, and a SHA-256 prefix of all of them (they hold no secret: the
/// password has its own field).
fn reserved_field(b: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let nonzero = b.iter().filter(|&&x| x != 0).count();
    let h = Sha256::digest(b);
    let hex: String = h.iter().take(6).map(|x| format!("{x:02x}")).collect();
    format!("{} bytes, {nonzero} not zero, sha256 {hex}", b.len())
}

/// The fields of a REQCONF.GLB: the local requestor's ReqSync, SrvSync and
/// ImpSync, the server it reports to, version, the four times, template
/// exchange, address types, reserved bytes, and the password (compared,
/// never shown).
pub fn reqconf_numbers(c: &ReqConf) -> ConfigNumbers {
    ConfigNumbers {
        server: Some(c.server.text().into_owned()),
        sync: None,
        cycle: None,
        fields: vec![
            ("version", c.version.to_string()),
            ("last_export", time_field(c.last_export)),
            ("last_import_request", time_field(c.last_import_request)),
            ("last_t1", time_field(c.last_t1)),
            ("last_t3", time_field(c.last_t3)),
            ("template_exchange", flag(c.templates)),
            ("address_types", types_field(&c.address_types.text())),
            ("reserved", reserved_field(&c.reserved)),
        ],
        password: Some(c.password().clone()),
        requestors: vec![RequestorNumbers {
            requestor: LOCAL_REQUESTOR.into(),
            reqsync: Some(c.reqsync.into()),
            srvsync: Some(c.srvsync.into()),
            impsync: Some(c.impsync.into()),
            last_cycle: None,
            fields: Vec::new(),
            password: None,
        }],
    }
}

/// The fields of a SRVCONF.GLB: version, Sync, cycle, keep days, last T2,
/// reserved header bytes, and every requestor in use with its numbers, slot,
/// last update, foreign and in-body flags, address types, reserved bytes and
/// password (compared, never shown). Free slots are skipped.
pub fn srvconf_numbers(c: &SrvConf) -> ConfigNumbers {
    ConfigNumbers {
        server: None,
        sync: Some(c.sync.into()),
        cycle: Some(c.cycle.into()),
        fields: vec![
            ("version", c.version.to_string()),
            ("keep_days", c.keep_days.to_string()),
            ("last_t2", time_field(c.last_t2)),
            ("reserved", reserved_field(&c.reserved)),
        ],
        password: None,
        requestors: c
            .requestors
            .iter()
            .enumerate()
            .filter(|(_, r)| r.in_use())
            .map(|(i, r)| RequestorNumbers {
                requestor: r.name.text().into_owned(),
                reqsync: Some(r.reqsync.into()),
                srvsync: Some(r.srvsync.into()),
                impsync: Some(r.impsync.into()),
                last_cycle: Some(r.last_cycle.into()),
                fields: vec![
                    ("record", (i + 1).to_string()),
                    ("last_update", time_field(r.last_update)),
                    ("foreign", flag(r.foreign)),
                    ("transactions_in_body", flag(r.in_body)),
                    ("address_types", types_field(&r.address_types.text())),
                    ("reserved", reserved_field(&r.reserved)),
                ],
                password: Some(r.password().clone()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{diff_config, diff_transactions};
    use crate::dirsync::Requestor;

    #[test]
    fn transaction_records_align_by_sync() {
        let a = vec![
            TransactionRecord::new(1, 0, b'A', "NET/PO1", b"A x  PCM:N/P/X".to_vec()),
            TransactionRecord::new(2, 0, b'D', "NET/PO1", b"D y  PCM:N/P/Y".to_vec()),
        ];
        let mut b = a.clone();
        b[1].crc ^= 1;
        let d = diff_transactions(&a, &b);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].sync, 2);
        assert_eq!(d.changed[0].changes[0].field, "crc");
    }

    #[test]
    fn srvconf_numbers_name_requestors() {
        let mut a = SrvConf::new();
        a.requestors.push(Requestor::new("PCM:NET/PO1").unwrap());
        let mut b = a.clone();
        b.sync = 9;
        if let Some(r) = b.requestors.get_mut(0) {
            r.srvsync = 4;
        }
        let c = diff_config(&srvconf_numbers(&a), &srvconf_numbers(&b));
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].field, "sync");
        assert_eq!(c[1].field, "srvsync");
        assert_eq!(c[1].requestor.as_deref(), Some("PCM:NET/PO1"));
        let r = ReqConf::new("NET/SRV").unwrap();
        let mut r2 = r.clone();
        r2.reqsync = 3;
        let c = diff_config(&reqconf_numbers(&r), &reqconf_numbers(&r2));
        assert_eq!(c[0].field, "reqsync");
        assert_eq!(c[0].requestor.as_deref(), Some(LOCAL_REQUESTOR));
    }

    #[test]
    fn every_config_field_is_compared_and_the_password_never_shown() {
        use crate::dirsync::Password;
        let mut a = ReqConf::new("NET/SRV").unwrap();
        a.set_password(Password::from_text("HUSHHUSH").unwrap());
        let mut b = a.clone();
        b.version = 2;
        b.templates = 1;
        b.address_types = crate::dirsync::FixedStr::from_text("SMTP|X400", "t").unwrap();
        b.last_t3 = 1;
        b.reserved[7] = 1;
        b.set_password(Password::from_text("OTHER").unwrap());
        let c = diff_config(&reqconf_numbers(&a), &reqconf_numbers(&b));
        let fields: Vec<&str> = c.iter().map(|n| n.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "version",
                "last_t3",
                "template_exchange",
                "address_types",
                "reserved",
                "password"
            ]
        );
        let pw = c.last().unwrap();
        assert_eq!(pw.a.as_deref(), Some("set"));
        assert_eq!(pw.b.as_deref(), Some("set (different)"));
        let all = format!("{c:?}");
        assert!(!all.contains("HUSH") && !all.contains("OTHER"), "{all}");
        // Unset on one side.
        let mut u = a.clone();
        u.set_password(Password::default());
        let c = diff_config(&reqconf_numbers(&a), &reqconf_numbers(&u));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].b.as_deref(), Some("not set"));

        let mut s = SrvConf::new();
        let mut r = Requestor::new("PCM:NET/PO1").unwrap();
        r.set_password(Password::from_text("SECRET1").unwrap());
        s.requestors.push(r);
        let mut t = s.clone();
        t.keep_days = 7;
        t.requestors[0].foreign = 1;
        t.requestors[0].in_body = 1;
        t.requestors[0].last_update = 831380400;
        t.requestors[0].set_password(Password::from_text("SECRET2").unwrap());
        let c = diff_config(&srvconf_numbers(&s), &srvconf_numbers(&t));
        let fields: Vec<&str> = c.iter().map(|n| n.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "keep_days",
                "last_update",
                "foreign",
                "transactions_in_body",
                "password"
            ]
        );
        assert!(c[1..]
            .iter()
            .all(|n| n.requestor.as_deref() == Some("PCM:NET/PO1")));
        assert!(!format!("{c:?}").contains("SECRET"));
    }
}
