//! Unit tests of the address-directory model.

use super::*;

fn e(name: &str, addr: &str) -> Entry {
    Entry::new(name, Address::parse(addr).unwrap())
}

#[test]
fn address_forms() {
    let a = Address::parse("PCM:NET/PO/JDOE").unwrap();
    assert_eq!(a.parts(), Some(("NET", "PO", "JDOE")));
    assert_eq!(a.scope().to_string(), "PCM:NET/PO");
    let c = Address::parse("CSI:net/po/jdoe").unwrap();
    assert_eq!(c.key(), a.key());
    assert_eq!(c.to_string(), "CSI:net/po/jdoe");
    let s = Address::parse("SMTP:j/d@example.com").unwrap();
    assert!(s.is_free_form());
    assert_eq!(s.scope().to_string(), "SMTP:");
    let g = Address::parse("SNADS: SNADSGATE/DGN/JOHN").unwrap();
    assert_eq!(g.body, "SNADSGATE/DGN/JOHN");
    assert_eq!(g.scope().to_string(), "SNADS:SNADSGATE/DGN");
    assert!(Address::parse("no colon").is_err());
    assert!(Address::parse("TOOLONGTYPE:x").is_err());
}

#[test]
fn parts_follow_the_type() {
    let parts = |t: &str| {
        Address::parse(t)
            .unwrap()
            .parts()
            .map(|(a, b, c)| format!("{a}|{b}|{c}"))
    };
    assert_eq!(parts("pcm:a/b/c/d").as_deref(), Some("a|b|c/d"));
    assert_eq!(parts("PROFS:G/N/U").as_deref(), Some("G|N|U"));
    assert_eq!(parts("PROFS:G/N/U/V"), None);
    assert_eq!(parts("Smtp:a/b/c"), None);
    assert_eq!(parts("3com:a/b/c"), None);
    assert_eq!(parts("PCM:A/B"), None);
}

#[test]
fn identity_is_case_insensitive_in_cp850() {
    assert_eq!(
        Address::parse("PCM:net/po/müller").unwrap().key(),
        Address::parse("pcm:NET/PO/MÜLLER").unwrap().key()
    );
}

#[test]
fn directory_applies_operations() {
    let mut d = Directory::new();
    assert_eq!(d.apply(Operation::Add(e("A", "PCM:N/P/A"))), Applied::Added);
    d.apply(Operation::Add(e("B", "PCM:N/P/B")));
    d.apply(Operation::Add(e("C", "PCM:N/Q/C")));
    assert!(matches!(
        d.apply(Operation::Add(e("A2", "pcm:n/p/a"))),
        Applied::Updated(_)
    ));
    assert_eq!(d.len(), 3);
    assert_eq!(
        d.apply(Operation::Modify {
            old: e("B", "PCM:N/P/B"),
            new: e("Bee", "PCM:N/P/BEE")
        }),
        Applied::Modified
    );
    assert!(d
        .get(&Address::parse("PCM:N/P/BEE").unwrap().key())
        .is_some());
    assert_eq!(
        d.apply(Operation::Delete(e("", "PCM:N/Q/C"))),
        Applied::Deleted
    );
    assert_eq!(
        d.apply(Operation::Delete(e("", "PCM:N/Q/C"))),
        Applied::NotFound
    );
    assert_eq!(
        d.apply(Operation::Replace(Scope::parse("PCM:N/P").unwrap())),
        Applied::Replaced(2)
    );
    assert!(d.is_empty());
}

#[test]
fn scope_key_is_the_prefix_of_the_address_key() {
    for a in [
        "PCM:N/P/M",
        "CSI:n/p/m",
        "PCM:N/P/M/X",
        "SMTP:a/b/c@x",
        "PROFS:G/N/U",
        "PROFS:G/N/U/V",
        "FAX:+1 206",
        "MHS:x/y",
        "X400:c=US;a= ",
    ] {
        let a = Address::parse(a).unwrap();
        assert_eq!(a.key().scope_key(), a.scope().key(), "{a}");
    }
}

#[test]
fn membership_follows_its_group() {
    let mut d = Directory::new();
    let mut g = e("Staff", "PCM:N/P/STAFF");
    g.kind = EntryKind::Group;
    let gk = g.key();
    d.upsert(g.clone());
    assert_eq!(d.members(&gk), None);
    let a = Address::parse("PCM:N/P/A").unwrap();
    let b = Address::parse("SMTP:b@x").unwrap();
    d.set_members(
        &gk,
        vec![a.clone(), b.clone(), Address::parse("pcm:n/p/a").unwrap()],
    );
    assert_eq!(d.members(&gk).unwrap(), &[a.clone(), b.clone()][..]);
    assert!(d.has_members());
    assert!(!d.add_member(&gk, Address::parse("smtp:B@x").unwrap()));
    assert!(d.remove_member(&gk, &b.key()));
    assert_eq!(d.members(&gk).unwrap().len(), 1);
    // Replacing the entry keeps the membership; M moves it; D drops it.
    d.upsert(g.clone());
    assert_eq!(d.members(&gk).unwrap().len(), 1);
    let mut renamed = e("Staff", "PCM:N/P/STAFF2");
    renamed.kind = EntryKind::Group;
    d.apply(Operation::Modify {
        old: g.clone(),
        new: renamed.clone(),
    });
    assert_eq!(d.members(&gk), None);
    assert_eq!(d.members(&renamed.key()).unwrap(), &[a.clone()][..]);
    d.compact();
    assert_eq!(d.members(&renamed.key()).unwrap().len(), 1);
    d.apply(Operation::Delete(renamed.clone()));
    assert_eq!(d.members(&renamed.key()), None);
    d.upsert(g.clone());
    d.set_members(&gk, vec![a]);
    d.apply(Operation::Replace(Scope::parse("PCM:N/P").unwrap()));
    assert_eq!(d.members(&gk), None);
    assert!(!d.has_members());
}

#[test]
fn limits_are_reported() {
    let x = e(&"x".repeat(31), "PCM:NETWORK1234/PO/MAILBOX12345");
    let v = x.limit_violations();
    assert_eq!(v.len(), 3);
    assert_eq!(v[0].field, "full_name");
}

/// `key_into` appends exactly `key()`'s text, and `contains_key_text` answers
/// as `contains_key` does, for every kind of address (CSI read as PCM,
/// lower case, CP850 letters, free-form types).
#[test]
fn key_text_lookups_agree_with_keys() {
    let addrs = [
        "PCM:Net/Po/Müller",
        "csi:net/po/x",
        "SMTP:Jo@Example.com",
        "X400:c=US;a= ;p=Org",
        "profs:node/user/ñ",
    ];
    let mut d = Directory::new();
    for a in &addrs[..3] {
        d.upsert(Entry::new("n", Address::parse(a).unwrap()));
    }
    for a in addrs {
        let address = Address::parse(a).unwrap();
        let mut text = String::from("prefix");
        address.key_into(&mut text);
        assert_eq!(text, format!("prefix{}", address.key().0), "{a}");
        let key = address.key();
        assert_eq!(d.contains_key_text(&key.0), d.contains_key(&key), "{a}");
    }
    assert!(d.contains_key_text("PCM:NET/PO/X"));
    assert!(!d.contains_key_text("PCM:NET/PO/Y"));
}

/// `extend_new` builds the directory one-at-a-time insertion builds: the
/// first entry of a key wins, entries keep their order, and every scope
/// lists its entries (runs of one scope, scopes interleaved, scopes met
/// again later, keys present before the batch, duplicates in it).
#[test]
fn extend_new_equals_inserting_one_at_a_time() {
    use proptest::prelude::*;
    let scopes = ["PCM:N/A", "PCM:N/B", "csi:n/a", "SMTP:", "PROFS:G/N"];
    let entry = (0usize..scopes.len(), 0u8..6, 0u8..3);
    let batch = proptest::collection::vec(entry, 0..40);
    proptest!(|(before in batch.clone(), batch in batch)| {
        let make = |(s, m, n): (usize, u8, u8)| {
            let scope = scopes[s];
            let a = if scope.ends_with(':') {
                format!("{scope}u{m}@x")
            } else {
                format!("{scope}/U{m}")
            };
            Entry::new(format!("name {n}"), Address::parse(&a).unwrap())
        };
        let mut one = Directory::new();
        let mut bulk = Directory::new();
        for &x in &before {
            one.insert_new_with(make(x).key(), |_| make(x));
            bulk.insert_new_with(make(x).key(), |_| make(x));
        }
        let mut inserted = 0;
        for &x in &batch {
            inserted += usize::from(one.insert_new_with(make(x).key(), |_| make(x)));
        }
        let keyed = batch.iter().map(|&x| (make(x).key(), make(x))).collect();
        prop_assert_eq!(bulk.extend_new(keyed), inserted);
        prop_assert_eq!(bulk.len(), one.len());
        let listed = |d: &Directory| -> Vec<(String, String)> {
            d.iter().map(|e| (e.address.to_string(), e.full_name.to_string())).collect()
        };
        prop_assert_eq!(listed(&bulk), listed(&one));
        prop_assert_eq!(bulk.scopes(), one.scopes());
        for scope in one.scopes() {
            let names = |d: &Directory| -> Vec<String> {
                d.in_scope(&scope).iter().map(|e| e.address.to_string()).collect()
            };
            prop_assert_eq!(names(&bulk), names(&one));
        }
        for &x in &batch {
            prop_assert!(bulk.contains_key(&make(x).key()));
        }
    });
}
