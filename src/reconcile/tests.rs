//! Unit tests of the reconcile model: scope identification and the hole.

use super::*;
use crate::model::Address;

fn e(name: &str, addr: &str) -> Entry {
    Entry::new(name, Address::parse(addr).unwrap())
}

#[test]
fn identify_dominant_scope() {
    let d: Directory = [
        e("a", "PCM:N/P/A"),
        e("b", "PCM:N/P/B"),
        e("c", "PCM:N/Q/C"),
        e("s", "SMTP:x@y"),
    ]
    .into_iter()
    .collect();
    assert_eq!(identify_scope(&d).unwrap().key(), "PCM:N/P");
    assert!(identify_scope(&Directory::new()).is_none());
    let ops = vec![
        Operation::Replace(Scope::postoffice("N", "Q")),
        Operation::Add(e("a", "PCM:N/P/A")),
    ];
    assert_eq!(identify_scope_of_operations(&ops).unwrap().key(), "PCM:N/Q");
}

#[test]
fn hole_is_sorted_and_exact() {
    let server: Directory = [
        e("A", "PCM:N/P/A"),
        e("B", "PCM:N/P/B"),
        e("C", "PCM:N/P/C"),
    ]
    .into_iter()
    .collect();
    let merged: Directory = [
        e("A", "PCM:N/P/A"),
        e("Bee", "PCM:N/P/B"),
        e("D", "PCM:N/P/D"),
    ]
    .into_iter()
    .collect();
    let h = compute_hole(&server, &merged);
    assert_eq!(h.missing_adds.len(), 1);
    assert_eq!(h.missing_deletes[0].full_name, "C");
    assert_eq!(h.modified[0].changes(), vec!["full_name"]);
    assert!(compute_hole(&merged, &merged).is_empty());
}

#[test]
fn limits_include_codepage() {
    let d: Directory = [e("日本", "PCM:N/P/A"), e(&"x".repeat(31), "PCM:N/P/B")]
        .into_iter()
        .collect();
    let l = limit_problems(&d);
    assert_eq!(l.len(), 2);
    assert_eq!(l[0].problem, "not-cp850");
    assert_eq!(l[1].problem, "too-long");
}
