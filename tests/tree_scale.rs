//! Scale check (ignored by default): 1,000,000 USR entries plus 10,000 local
//! users written and read back in linear time. Run with
//! `cargo test --release --test tree_scale -- --ignored --nocapture`.

use std::time::Instant;

use msmail::source::LoadOptions;
use msmail::tree::{
    write_tree, ExternalPostOffice, LocalUser, NetworkData, PostOffice, PostOfficeData, UsrEntry,
};

#[test]
#[ignore]
fn one_million_entries() {
    let mut d = PostOfficeData::new("BIGNET", "HQ");
    d.users = (0..10_000)
        .map(|i| LocalUser::new(format!("U{i:07}"), format!("User {i:07}")))
        .collect();
    d.gal = Vec::new();
    d.networks = vec![NetworkData {
        name: "BIGNET".into(),
        kind: 1,
        address_type: "PCM".into(),
        xtn_prefix: None,
        postoffices: (0..100)
            .map(|p| ExternalPostOffice {
                name: format!("PO{p:03}"),
                connection: 1,
                entries: (0..10_000)
                    .map(|i| UsrEntry {
                        full_name: format!("Person {p:03} {i:05}").into(),
                        mailbox: format!("M{i:05}").into(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            })
            .collect(),
    }];
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    write_tree(&d, dir.path(), false).unwrap();
    let w = t.elapsed();
    let t = Instant::now();
    let po = PostOffice::open(dir.path(), &LoadOptions::default()).unwrap();
    let r = t.elapsed();
    let t = Instant::now();
    let all = po.directory();
    let v = t.elapsed();
    assert_eq!(all.len(), 1_010_000);
    println!("write {w:?}, open {r:?}, directory() {v:?} for 1,010,000 entries");
}
