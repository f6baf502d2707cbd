//! Scale check (ignored by default): `msmail inspect` of a tree with 1,010,000
//! entries (10,000 local users in ACCESS2/ADMIN.NME, 1,000 groups, 1,000,000 USR
//! entries) runs in linear time and finds nothing. Run with
//! `cargo test --release --test inspect_scale -- --ignored --nocapture`.

use std::time::Instant;

use msmail::model::Address;
use msmail::tree::{
    write_tree, ExternalPostOffice, LocalGroup, LocalUser, NetworkData, PostOfficeData, UsrEntry,
};

#[test]
#[ignore]
fn inspect_one_million_entries() {
    let mut d = PostOfficeData::new("BIGNET", "HQ");
    d.users = (0..10_000)
        .map(|i| LocalUser::new(format!("U{i:07}"), format!("User {i:07}")))
        .collect();
    d.groups = (0..1_000)
        .map(|g| LocalGroup {
            name: format!("Group {g:04}"),
            mailbox: format!("G{g:04}"),
            tid: None,
            members: (0..10)
                .map(|m| Address::pcm("BIGNET", "HQ", &format!("U{:07}", g * 10 + m)))
                .collect(),
        })
        .collect();
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
    write_tree(&d, dir.path(), false).unwrap();
    let t = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_msmail"))
        .args(["inspect", dir.path().to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let took = t.elapsed();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{:#}", v["findings"]);
    assert_eq!(v["summary"]["errors"], 0);
    println!(
        "inspect of {} files, 1,010,000 entries: {took:?}",
        v["summary"]["files"]
    );
}
