//! Transaction-stream comparison: records aligned by sync number
//! ([`diff_transactions`]) and the plain [`Transaction`] record.

use std::collections::HashMap;

use serde::Serialize;

use super::FieldChange;

/// What the transaction-stream comparison needs from a transaction record. The
/// Dir-Sync module's record type implements it; [`Transaction`] is a plain one.
pub trait SyncRecord {
    /// The record's sync number (the alignment key).
    fn sync_number(&self) -> u64;
    /// The compared fields, as (stable field name, printable value), in a fixed
    /// order: e.g. `op`, `text`, `origin`, `crc`, `stamp`. Never a password.
    fn compared_fields(&self) -> Vec<(&'static str, String)>;
}

/// A plain transaction record for [`diff_transactions`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    /// Sync number.
    pub sync: u64,
    /// Operation letter.
    pub op: char,
    /// Import-text line(s) of the transaction.
    pub text: String,
    /// Originating postoffice or requestor.
    pub origin: String,
    /// CRC as stored.
    pub crc: Option<u16>,
    /// Date/time stamp as stored.
    pub stamp: Option<String>,
}

impl SyncRecord for Transaction {
    fn sync_number(&self) -> u64 {
        self.sync
    }
    fn compared_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("op", self.op.to_string()),
            ("text", self.text.clone()),
            ("origin", self.origin.clone()),
            (
                "crc",
                self.crc.map(|c| format!("{c:04X}")).unwrap_or_default(),
            ),
            ("stamp", self.stamp.clone().unwrap_or_default()),
        ]
    }
}

/// A transaction present on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionRef {
    /// Sync number.
    pub sync: u64,
    /// The compared fields as (name, value).
    pub fields: Vec<(String, String)>,
}

/// Two transactions with the same sync number and different content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionChange {
    /// Sync number.
    pub sync: u64,
    /// What differs.
    pub changes: Vec<FieldChange>,
}

/// Differences of two transaction streams aligned by sync number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TransactionDiff {
    /// Records in A.
    pub records_a: usize,
    /// Records in B.
    pub records_b: usize,
    /// Sync numbers only in A, ascending.
    pub only_in_a: Vec<TransactionRef>,
    /// Sync numbers only in B, ascending.
    pub only_in_b: Vec<TransactionRef>,
    /// Same sync number, other content, ascending.
    pub changed: Vec<TransactionChange>,
}

impl TransactionDiff {
    /// True when both streams hold the same records.
    pub fn is_identical(&self) -> bool {
        self.only_in_a.is_empty() && self.only_in_b.is_empty() && self.changed.is_empty()
    }
}

/// Aligns two transaction streams by sync number (the n-th record with a given
/// number in A meets the n-th with that number in B) and reports records on one
/// side only and records whose fields differ. Linear.
pub fn diff_transactions<T: SyncRecord>(a: &[T], b: &[T]) -> TransactionDiff {
    fn keyed<T: SyncRecord>(list: &[T]) -> HashMap<(u64, usize), &T> {
        let mut seen: HashMap<u64, usize> = HashMap::new();
        let mut m = HashMap::with_capacity(list.len());
        for r in list {
            let n = seen.entry(r.sync_number()).or_default();
            m.insert((r.sync_number(), *n), r);
            *n += 1;
        }
        m
    }
    let to_ref = |r: &T| TransactionRef {
        sync: r.sync_number(),
        fields: r
            .compared_fields()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    };
    let (ka, kb) = (keyed(a), keyed(b));
    let mut only_a = Vec::new();
    let mut only_b = Vec::new();
    let mut changed = Vec::new();
    for (k, ra) in &ka {
        match kb.get(k) {
            None => only_a.push((*k, to_ref(ra))),
            Some(rb) => {
                let (fa, fb) = (ra.compared_fields(), rb.compared_fields());
                let changes: Vec<FieldChange> = fa
                    .iter()
                    .zip(fb.iter())
                    .filter(|(x, y)| x.1 != y.1)
                    .map(|(x, y)| FieldChange::new(x.0, Some(x.1.clone()), Some(y.1.clone())))
                    .collect();
                if !changes.is_empty() {
                    changed.push((*k, TransactionChange { sync: k.0, changes }));
                }
            }
        }
    }
    for (k, rb) in &kb {
        if !ka.contains_key(k) {
            only_b.push((*k, to_ref(rb)));
        }
    }
    only_a.sort_unstable_by_key(|x| x.0);
    only_b.sort_unstable_by_key(|x| x.0);
    changed.sort_unstable_by_key(|x| x.0);
    TransactionDiff {
        records_a: a.len(),
        records_b: b.len(),
        only_in_a: only_a.into_iter().map(|x| x.1).collect(),
        only_in_b: only_b.into_iter().map(|x| x.1).collect(),
        changed: changed.into_iter().map(|x| x.1).collect(),
    }
}
