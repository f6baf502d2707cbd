//! Unit tests of the requestor evidence arguments.

use super::*;

#[test]
fn requestor_argument_binding() {
    let r = RequestorSource::parse("WESTNET/SEATTLE=/no/such/file").unwrap();
    assert_eq!(r.path, PathBuf::from("/no/such/file"));
    assert_eq!(r.bound.unwrap().to_string(), "PCM:WESTNET/SEATTLE");
    let r = RequestorSource::parse("/no/such/plain").unwrap();
    assert!(r.bound.is_none());
    assert!(RequestorSource::parse("bad/=x").is_err());
}

#[test]
fn a_bound_source_replaces_its_plain_copy() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let plain = RequestorSource::parse(&format!("{dir}/Cargo.toml")).unwrap();
    let other = RequestorSource::parse(&format!("{dir}/README.md")).unwrap();
    let bound = RequestorSource::parse(&format!("NET/PO={dir}/./Cargo.toml")).unwrap();
    let kept = prefer_bound(vec![plain, other.clone(), bound.clone()]);
    assert_eq!(kept, vec![other, bound]);
}

/// The export/extract decision: an `A` list of one postoffice (however its
/// scope is spelled) is an export; two postoffices make an extract; other
/// address types do not count.
#[test]
fn several_scopes_are_told_by_key_not_spelling() {
    use crate::model::{Address, Entry, Operation};
    let add = |a: &str| Operation::Add(Entry::new("n", Address::parse(a).unwrap()));
    let kind = |ops: Vec<Operation>| lists::analyse(ops).kind;
    let one = vec![
        add("PCM:NET/PO/A"),
        add("pcm:net/po/b"),
        add("CSI:Net/Po/C"),
    ];
    assert_eq!(kind(one), crate::reconcile::EvidenceKind::Export);
    let mixed = vec![add("SMTP:a@b"), add("PCM:NET/PO/A"), add("X400:c=us")];
    assert_eq!(kind(mixed), crate::reconcile::EvidenceKind::Export);
    let two = vec![
        add("PCM:NET/PO/A"),
        add("PCM:NET/PO/B"),
        add("PCM:NET/PO2/C"),
    ];
    assert_eq!(kind(two), crate::reconcile::EvidenceKind::Extract);
    let two_spelt = vec![add("pcm:net/po/a"), add("PCM:NET/PO2/B")];
    assert_eq!(kind(two_spelt), crate::reconcile::EvidenceKind::Extract);
}
