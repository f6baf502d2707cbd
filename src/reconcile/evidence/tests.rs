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
