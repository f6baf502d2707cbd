//! Property tests of the diff engine: counts always add up, a directory equals
//! itself, and swapping A and B swaps the sides.

use msmail::diff::diff_directories;
use msmail::model::{Address, Directory, Entry, TemplateValue};
use proptest::prelude::*;

fn dir(items: &[(u8, u8, u8, bool)]) -> Directory {
    items
        .iter()
        .map(|&(po, mb, name, phone)| {
            let mut e = Entry::new(
                format!("Name {name}"),
                Address::pcm("NET", &format!("PO{}", po % 3), &format!("M{mb}")),
            );
            if phone {
                e.template.push(TemplateValue {
                    prompt: "Phone:".into(),
                    value: "1".into(),
                });
            }
            e
        })
        .collect()
}

proptest! {
    #[test]
    fn counts_add_up_and_sides_swap(
        a in proptest::collection::vec((0u8..6, 0u8..20, 0u8..8, any::<bool>()), 0..40),
        b in proptest::collection::vec((0u8..6, 0u8..20, 0u8..8, any::<bool>()), 0..40),
    ) {
        let (da, db) = (dir(&a), dir(&b));
        let d = diff_directories(&da, &db);
        let t = d.totals;
        prop_assert_eq!(t.entries_a, da.len());
        prop_assert_eq!(t.entries_b, db.len());
        prop_assert_eq!(t.entries_a, t.only_in_a + t.renamed + t.changed + t.unchanged);
        prop_assert_eq!(t.entries_b, t.only_in_b + t.renamed + t.changed + t.unchanged);
        let r = diff_directories(&db, &da);
        prop_assert_eq!(r.totals.only_in_a, t.only_in_b);
        prop_assert_eq!(r.totals.only_in_b, t.only_in_a);
        prop_assert_eq!(r.totals.renamed, t.renamed);
        prop_assert_eq!(r.totals.changed, t.changed);
        prop_assert!(diff_directories(&da, &da).is_identical());
        // Scopes come out sorted and without duplicates.
        let keys: Vec<String> = d.scopes.iter().map(|s| s.scope.to_uppercase()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(keys, sorted);
    }
}
