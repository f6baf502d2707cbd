//! Adapters from the Dir-Sync types to the diff engines: transaction records as
//! [`SyncRecord`]s, REQCONF/SRVCONF as [`ConfigNumbers`] (passwords are never
//! read: only numbers, names and the server).

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

/// The configuration numbers of a REQCONF.GLB: the local requestor's ReqSync,
/// SrvSync and ImpSync, and the server it reports to.
pub fn reqconf_numbers(c: &ReqConf) -> ConfigNumbers {
    ConfigNumbers {
        server: Some(c.server.text().into_owned()),
        sync: None,
        cycle: None,
        requestors: vec![RequestorNumbers {
            requestor: LOCAL_REQUESTOR.into(),
            reqsync: Some(c.reqsync.into()),
            srvsync: Some(c.srvsync.into()),
            impsync: Some(c.impsync.into()),
            last_cycle: None,
        }],
    }
}

/// The configuration numbers of a SRVCONF.GLB: Sync, cycle and every requestor
/// in use with its numbers (free slots are skipped).
pub fn srvconf_numbers(c: &SrvConf) -> ConfigNumbers {
    ConfigNumbers {
        server: None,
        sync: Some(c.sync.into()),
        cycle: Some(c.cycle.into()),
        requestors: c
            .requestors
            .iter()
            .filter(|r| r.in_use())
            .map(|r| RequestorNumbers {
                requestor: r.name.text().into_owned(),
                reqsync: Some(r.reqsync.into()),
                srvsync: Some(r.srvsync.into()),
                impsync: Some(r.impsync.into()),
                last_cycle: Some(r.last_cycle.into()),
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
}
