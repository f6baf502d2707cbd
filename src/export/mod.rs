//! Migration outputs of a [`Directory`](crate::model::Directory): CSV, LDIF
//! (content and change records) and JSON. The import-text writer lives in
//! [`crate::importtext`].


use crate::model::{Address, Directory, Entry, FREE_FORM_TYPES};

pub mod csv;
pub mod json;
pub mod ldif;

/// [`Address::parts`] without its per-call allocation (the type is compared
/// case-insensitively instead of upper-cased): the same answer for every
/// address.
pub(crate) fn address_parts(a: &Address) -> Option<(&str, &str, &str)> {
    let ty = a.type_name.as_str();
    if FREE_FORM_TYPES.iter().any(|t| t.eq_ignore_ascii_case(ty)) {
        return None;
    }
    let mut it = a.body.splitn(3, '/');
    let (x, y, z) = (it.next()?, it.next()?, it.next()?);
    if z.contains('/') && !a.is_pcm() {
        return None;
    }
    Some((x, y, z))
}

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
    fn address_parts_matches_the_model() {
        for a in [
            "PCM:A/B/C",
            "pcm:a/b/c/d",
            "CSI:A/B/C",
            "PROFS:G/N/U",
            "PROFS:G/N/U/V",
            "smtp:a/b/c",
            "Smtp:x@y",
            "X400:c=us/a=b/p=c",
            "3com:a/b/c",
            "FAX:123",
            "PCM:A/B",
            "PCM:",
            "MCI:1/2/3",
        ] {
            let a = Address::parse(a).unwrap();
            assert_eq!(address_parts(&a), a.parts(), "{a}");
        }
    }

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
