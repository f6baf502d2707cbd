//! Unit tests of the scenarios.

use super::restore::{hole, Before};
use super::*;
use crate::model::{Address, Directory, Entry, EntryKind};

fn e(name: &str, mb: &str) -> Entry {
    Entry::new(name, Address::pcm("N", "P", mb))
}

#[test]
fn hole_classifies_touched_entries() {
    let mut before = Before::new();
    before.insert(e("", "NEW").key(), None);
    before.insert(e("", "GONE").key(), Some(e("Gone, Al", "GONE")));
    before.insert(e("", "REN").key(), Some(e("Old Name", "REN")));
    before.insert(e("", "SAME").key(), Some(e("Same", "SAME")));
    before.insert(e("", "GRP").key(), Some(e("Group", "GRP")));
    before.insert(e("", "TMP").key(), None); // added then deleted again
    let mut now = Directory::new();
    now.upsert(e("New, Bo", "NEW"));
    now.upsert(e("New Name", "REN"));
    now.upsert(e("Same", "SAME"));
    let mut g = e("Group", "GRP");
    g.kind = EntryKind::Group;
    now.upsert(g);
    let (adds, dels, mods) = hole(&before, &now);
    assert_eq!(adds.len(), 1);
    assert_eq!(adds[0].address, "PCM:N/P/NEW");
    assert_eq!(dels.len(), 1);
    assert_eq!(dels[0].full_name, "Gone, Al");
    // Rename and kind change are modifications; an unchanged entry is not.
    assert_eq!(mods.len(), 2);
    assert!(mods
        .iter()
        .any(|m| m.server_full_name == "Old Name" && m.full_name == "New Name"));
}

#[test]
fn evidence_forms_map_to_report_kinds() {
    assert_eq!(FORMS.len(), 8);
    let kinds: Vec<&str> = FORMS.iter().map(|f| f.kind()).collect();
    for k in ["export", "tree", "numbers", "none"] {
        assert!(kinds.contains(&k));
    }
    assert!(EvidenceForm::Message.has_numbers() && EvidenceForm::Message.authoritative());
    assert!(!EvidenceForm::Reqtrans.has_numbers());
    assert!(!EvidenceForm::Numbers.authoritative());
    assert!(PeerLists::Auto.resolve(9, 12));
    assert!(!PeerLists::Auto.resolve(500, 2000));
}
