//! Configuration comparison: Sync, cycle and per-requestor numbers
//! ([`diff_config`]).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::codepage::cp850_upper;
use crate::dirsync::Password;

/// The numbers and other fields of one requestor as a configuration file
/// records them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestorNumbers {
    /// The requestor (postoffice) name.
    pub requestor: String,
    /// ReqSync.
    pub reqsync: Option<u64>,
    /// SrvSync.
    pub srvsync: Option<u64>,
    /// ImpSync.
    pub impsync: Option<u64>,
    /// The last cycle in which it sent updates (SRVCONF only).
    pub last_cycle: Option<u64>,
    /// Every other non-secret field of the record, in file order, as shown
    /// (`record`, `last_update`, `foreign`, `transactions_in_body`,
    /// `address_types`, `reserved`).
    pub fields: Vec<(&'static str, String)>,
    /// The requestor password, compared but never shown.
    #[serde(skip)]
    pub password: Option<Password>,
}

/// The fields of a REQCONF/SRVCONF: the numbers, every other non-secret
/// field, and the password, which is compared but only ever reported as
/// set / not set / different.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfigNumbers {
    /// The Dir-Sync server a requestor reports to (REQCONF only).
    pub server: Option<String>,
    /// The Sync number.
    pub sync: Option<u64>,
    /// The cycle number.
    pub cycle: Option<u64>,
    /// Every other non-secret field of the file (header), in file order, as
    /// shown (`version`, `keep_days`, `last_t2`, `last_export`,
    /// `template_exchange`, `address_types`, `reserved`, ...).
    pub fields: Vec<(&'static str, String)>,
    /// The password of a REQCONF (SRVCONF: per requestor), compared but
    /// never shown.
    #[serde(skip)]
    pub password: Option<Password>,
    /// Per-requestor numbers.
    pub requestors: Vec<RequestorNumbers>,
}

/// One configuration field that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberChange {
    /// `server`, `sync`, `cycle`, `reqsync`, `srvsync`, `impsync`,
    /// `last_cycle`, one of the other fields ([`ConfigNumbers::fields`],
    /// [`RequestorNumbers::fields`]), `password` (values `set`, `not set`,
    /// or `set (different)` on B's side when both are set and differ), or
    /// `requestor` (present on one side only).
    pub field: String,
    /// The requestor the number belongs to, for per-requestor numbers.
    pub requestor: Option<String>,
    /// Value in A.
    pub a: Option<String>,
    /// Value in B.
    pub b: Option<String>,
}

/// The password of A and B as a change, or nothing when they are equal:
/// `set` / `not set`, and `set (different)` for B when both are set and
/// differ. The password itself never leaves [`Password`].
fn password_change(
    a: Option<&Password>,
    b: Option<&Password>,
    requestor: Option<&str>,
) -> Option<NumberChange> {
    if a == b {
        return None;
    }
    let describe = |p: Option<&Password>| p.map(|p| p.describe().to_string());
    let both_set = a.is_some_and(Password::is_set) && b.is_some_and(Password::is_set);
    Some(NumberChange {
        field: "password".into(),
        requestor: requestor.map(str::to_string),
        a: describe(a),
        b: if both_set {
            Some("set (different)".into())
        } else {
            describe(b)
        },
    })
}

/// The other fields of A and B that differ, in A's order then B's extra ones.
fn field_changes(
    a: &[(&'static str, String)],
    b: &[(&'static str, String)],
    requestor: Option<&str>,
    out: &mut Vec<NumberChange>,
) {
    let find = |l: &[(&'static str, String)], k: &str| {
        l.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    };
    let mut names: Vec<&'static str> = a.iter().map(|(n, _)| *n).collect();
    for (n, _) in b {
        if !names.contains(n) {
            names.push(n);
        }
    }
    for n in names {
        let (va, vb) = (find(a, n), find(b, n));
        if va != vb {
            out.push(NumberChange {
                field: n.into(),
                requestor: requestor.map(str::to_string),
                a: va,
                b: vb,
            });
        }
    }
}

/// Compares configuration fields: global ones first (server, sync, cycle,
/// the other fields in file order, the password), then requestors sorted by
/// name (CP850 case-insensitive), each with its numbers, other fields and
/// password.
pub fn diff_config(a: &ConfigNumbers, b: &ConfigNumbers) -> Vec<NumberChange> {
    let s = |v: Option<u64>| v.map(|n| n.to_string());
    let mut out = Vec::new();
    if a.server != b.server {
        out.push(NumberChange {
            field: "server".into(),
            requestor: None,
            a: a.server.clone(),
            b: b.server.clone(),
        });
    }
    for (field, va, vb) in [("sync", a.sync, b.sync), ("cycle", a.cycle, b.cycle)] {
        if va != vb {
            out.push(NumberChange {
                field: field.into(),
                requestor: None,
                a: s(va),
                b: s(vb),
            });
        }
    }
    field_changes(&a.fields, &b.fields, None, &mut out);
    out.extend(password_change(
        a.password.as_ref(),
        b.password.as_ref(),
        None,
    ));
    let mut reqs: BTreeMap<String, (Option<&RequestorNumbers>, Option<&RequestorNumbers>)> =
        BTreeMap::new();
    for r in &a.requestors {
        reqs.entry(cp850_upper(&r.requestor)).or_default().0 = Some(r);
    }
    for r in &b.requestors {
        reqs.entry(cp850_upper(&r.requestor)).or_default().1 = Some(r);
    }
    for (_, pair) in reqs {
        match pair {
            (Some(ra), Some(rb)) => {
                for (field, va, vb) in [
                    ("reqsync", ra.reqsync, rb.reqsync),
                    ("srvsync", ra.srvsync, rb.srvsync),
                    ("impsync", ra.impsync, rb.impsync),
                    ("last_cycle", ra.last_cycle, rb.last_cycle),
                ] {
                    if va != vb {
                        out.push(NumberChange {
                            field: field.into(),
                            requestor: Some(ra.requestor.clone()),
                            a: s(va),
                            b: s(vb),
                        });
                    }
                }
                field_changes(&ra.fields, &rb.fields, Some(&ra.requestor), &mut out);
                out.extend(password_change(
                    ra.password.as_ref(),
                    rb.password.as_ref(),
                    Some(&ra.requestor),
                ));
            }
            (Some(r), None) => out.push(NumberChange {
                field: "requestor".into(),
                requestor: Some(r.requestor.clone()),
                a: Some("present".into()),
                b: None,
            }),
            (None, Some(r)) => out.push(NumberChange {
                field: "requestor".into(),
                requestor: Some(r.requestor.clone()),
                a: None,
                b: Some("present".into()),
            }),
            (None, None) => {}
        }
    }
    out
}
