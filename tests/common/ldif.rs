//! LDIF records compared as a directory server returns them.

use std::collections::BTreeMap;

use msmail::export::ldif::{normalize_dn, LdifRecord};

/// DN (normalised) → attribute (lower case) → sorted values (exact, but for
/// `member` DNs, which may come back with other, equivalent escapes).
pub fn by_dn(records: &[LdifRecord]) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut m = BTreeMap::new();
    for r in records {
        let mut attrs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (a, v) in &r.attrs {
            let a = a.to_ascii_lowercase();
            let v = if a == "member" {
                normalize_dn(v).unwrap()
            } else {
                v.clone()
            };
            attrs.entry(a).or_default().push(v);
        }
        for v in attrs.values_mut() {
            v.sort();
        }
        let dn = normalize_dn(&r.dn).unwrap();
        assert!(m.insert(dn, attrs).is_none(), "duplicate DN {}", r.dn);
    }
    m
}
