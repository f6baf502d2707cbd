//! Migration outputs of a [`Directory`](crate::model::Directory): CSV, LDIF
//! (content and change records) and JSON. The import-text writer lives in
//! [`crate::importtext`].

use crate::model::{Directory, Entry};

pub mod ad;
pub mod csv;
pub mod json;
pub mod ldif;
pub mod person;

/// Base DN of LDIF output when none is given (`--base-dn`).
pub const DEFAULT_BASE_DN: &str = "o=msmail";

/// The entries of `dir` in [`Directory::sorted`] order (kept for callers of
/// the export module; the bucketed sort lives in the model).
pub fn sorted_entries(dir: &Directory) -> Vec<&Entry> {
    dir.sorted()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Address;

    #[test]
    fn sorted_entries_matches_directory_sorted() {
        let addrs = [
            "PCM:A/B/X",
            "PCM:A/B C/Y",
            "PCM:a/b/w",
            "CSI:A/B/V",
            "SMTP:z@x",
            "SMTP:a@x",
            "PROFS:G/N/U",
            "PCM:A/B/X/Y",
            "X400:c=us",
            "PCM:A/BB/X",
            "PCM:A/B-/X",
        ];
        let mut d: Directory = addrs
            .iter()
            .map(|a| Entry::new("n", Address::parse(a).unwrap()))
            .collect();
        for i in 0..2000 {
            d.upsert(Entry::new(
                "m",
                Address::pcm(
                    &format!("N{}", i % 7),
                    &format!("P{}", i % 13),
                    &format!("U{i}"),
                ),
            ));
        }
        let want: Vec<String> = d.sorted().iter().map(|e| e.address.to_string()).collect();
        let got: Vec<String> = sorted_entries(&d)
            .iter()
            .map(|e| e.address.to_string())
            .collect();
        assert_eq!(got.len(), d.len());
        assert_eq!(got, want);
        assert!(sorted_entries(&Directory::new()).is_empty());
    }
}
