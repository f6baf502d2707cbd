//! Unit tests of the diff engines.

use super::*;
use crate::model::{
    Address, Entry, EntryKind, Operation, Scope, TemplateDef, TemplateField, TemplateValue,
};

fn e(name: &str, addr: &str) -> Entry {
    Entry::new(name, Address::parse(addr).unwrap())
}

fn base() -> Directory {
    let mut d: Directory = [
        e("Doe, John", "PCM:NET/PO1/JDOE"),
        e("Roe, Jane", "PCM:NET/PO1/JROE"),
        e("Poe, Ed", "PCM:NET/PO1/EPOE"),
        e("Smith", "SMTP:smith@example.com"),
        e("Keep", "PCM:NET/PO2/KEEP"),
    ]
    .into_iter()
    .collect();
    let mut g = e("Staff", "PCM:NET/PO2/STAFF");
    g.kind = EntryKind::Group;
    d.upsert(g);
    d
}

#[test]
fn identical_directories_have_no_differences() {
    let d = diff_directories(&base(), &base());
    assert!(d.is_identical());
    assert_eq!(d.totals.unchanged, 6);
    assert_eq!(d.scopes.len(), 3);
}

#[test]
fn known_edits_are_reported_exactly() {
    let a = base();
    let mut b = base();
    // full-name change, deletion, addition, address rename, kind and template change
    b.upsert(e("Doe, Johnny", "PCM:NET/PO1/JDOE"));
    b.remove(&Address::parse("PCM:NET/PO1/JROE").unwrap().key());
    b.upsert(e("New, Person", "PCM:NET/PO1/NEWP"));
    b.apply(Operation::Modify {
        old: e("Poe, Ed", "PCM:NET/PO1/EPOE"),
        new: e("Poe, Ed", "PCM:NET/PO1/EDPOE"),
    });
    let mut k = e("Keep", "PCM:NET/PO2/KEEP");
    k.template.push(TemplateValue {
        prompt: "Phone:".into(),
        value: "555".into(),
    });
    b.upsert(k);
    b.upsert(e("Staff", "pcm:net/po2/staff")); // kind group -> user, spelling
    let d = diff_directories(&a, &b);
    assert_eq!(d.totals.only_in_a, 1);
    assert_eq!(d.totals.only_in_b, 1);
    assert_eq!(d.totals.renamed, 1);
    assert_eq!(d.totals.changed, 3);
    let po1 = &d.scopes[0];
    assert_eq!(po1.scope, "PCM:NET/PO1");
    assert_eq!(po1.only_in_a[0].address, "PCM:NET/PO1/JROE");
    assert_eq!(po1.only_in_b[0].address, "PCM:NET/PO1/NEWP");
    assert_eq!(po1.renamed[0].from.address, "PCM:NET/PO1/EPOE");
    assert_eq!(po1.renamed[0].to.address, "PCM:NET/PO1/EDPOE");
    assert_eq!(po1.changed[0].changes[0].field, "full_name");
    assert_eq!(po1.changed[0].changes[0].b.as_deref(), Some("Doe, Johnny"));
    let po2 = &d.scopes[1];
    assert_eq!(po2.changed[0].address, "PCM:NET/PO2/KEEP");
    assert_eq!(po2.changed[0].changes[0].field, "template:Phone:");
    assert_eq!(po2.changed[0].changes[0].a, None);
    let fields: Vec<&str> = po2.changed[1]
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["address", "kind"]);
    assert!(d.scopes[2].is_identical());
}

#[test]
fn ambiguous_renames_stay_add_and_delete() {
    let a: Directory = [e("Same", "PCM:N/P/A1"), e("Same", "PCM:N/P/A2")]
        .into_iter()
        .collect();
    let b: Directory = [e("Same", "PCM:N/P/B1"), e("Same", "PCM:N/P/B2")]
        .into_iter()
        .collect();
    let d = diff_directories(&a, &b);
    assert_eq!(d.totals.renamed, 0);
    assert_eq!(d.totals.only_in_a, 2);
    assert_eq!(d.totals.only_in_b, 2);
}

#[test]
fn template_definitions_are_compared() {
    let a = base();
    let mut b = base();
    b.apply(Operation::Template(TemplateDef {
        scope: Scope::parse("PCM:NET/PO9").unwrap(),
        fields: vec![TemplateField {
            prompt: "Phone:".into(),
            width: 20,
            ..TemplateField::default()
        }],
    }));
    let d = diff_directories(&a, &b);
    let s = d.scopes.iter().find(|s| s.scope == "PCM:NET/PO9").unwrap();
    assert_eq!(
        s.template_definition.as_ref().unwrap().b.as_ref().unwrap()[0],
        "Phone:~0~20~~~"
    );
    assert!(!d.is_identical());
    let r = DiffReport::new("x", "a", "b", Some(d), None, None, None);
    assert_eq!(r.totals.changed, 1);
    assert!(!r.identical);
}

fn t(sync: u64, text: &str) -> Transaction {
    Transaction {
        sync,
        op: 'A',
        text: text.into(),
        origin: "NET/PO1".into(),
        crc: Some(0x1234),
        stamp: None,
    }
}

#[test]
fn transactions_align_by_sync_number() {
    let a = vec![t(1, "x"), t(2, "y"), t(3, "z")];
    let b = vec![t(2, "y"), t(3, "Z"), t(4, "w")];
    let d = diff_transactions(&a, &b);
    assert_eq!(d.only_in_a.len(), 1);
    assert_eq!(d.only_in_a[0].sync, 1);
    assert_eq!(d.only_in_b[0].sync, 4);
    assert_eq!(d.changed.len(), 1);
    assert_eq!(d.changed[0].sync, 3);
    assert_eq!(d.changed[0].changes[0].field, "text");
    assert!(diff_transactions(&a, &a).is_identical());
}

#[test]
fn config_numbers_name_their_requestor() {
    let r = |n: &str, q| RequestorNumbers {
        requestor: n.into(),
        reqsync: Some(q),
        srvsync: Some(5),
        impsync: None,
        last_cycle: None,
        ..Default::default()
    };
    let a = ConfigNumbers {
        server: None,
        sync: Some(10),
        cycle: Some(2),
        requestors: vec![r("PO1", 7), r("PO2", 1)],
        ..Default::default()
    };
    let b = ConfigNumbers {
        server: None,
        sync: Some(11),
        cycle: Some(2),
        requestors: vec![r("po1", 9)],
        ..Default::default()
    };
    let c = diff_config(&a, &b);
    assert_eq!(c.len(), 3);
    assert_eq!(c[0].field, "sync");
    assert_eq!(c[1].field, "reqsync");
    assert_eq!(c[1].requestor.as_deref(), Some("PO1"));
    assert_eq!(c[2].field, "requestor");
    assert_eq!(c[2].b, None);
}

#[test]
fn files_compare_by_path_case_insensitively() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    std::fs::create_dir(a.path().join("GLB")).unwrap();
    std::fs::create_dir(b.path().join("glb")).unwrap();
    std::fs::write(a.path().join("GLB/NETWORK.GLB"), b"abc").unwrap();
    std::fs::write(b.path().join("glb/network.glb"), b"abd").unwrap();
    std::fs::write(a.path().join("SAME.DAT"), b"1").unwrap();
    std::fs::write(b.path().join("SAME.DAT"), b"1").unwrap();
    std::fs::write(a.path().join("ONLYA"), b"").unwrap();
    std::fs::write(b.path().join("ONLYB"), b"xx").unwrap();
    let d = diff_files(a.path(), b.path()).unwrap();
    assert_eq!(d.files_a, 3);
    assert_eq!(d.changed.len(), 1);
    assert_eq!(d.changed[0].a.path, "GLB/NETWORK.GLB");
    assert_eq!(d.changed[0].b.path, "glb/network.glb");
    assert_eq!(d.only_in_a[0].path, "ONLYA");
    assert_eq!(
        d.only_in_a[0].sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(d.only_in_b[0].size, 2);
}

#[test]
fn dirsync_files_are_recognised_by_name() {
    assert_eq!(
        dirsync_part("GLB/MSTTRANS.GLB"),
        Some(DirSyncPart::Transactions)
    );
    assert_eq!(
        dirsync_part("glb/reqtrans.glb"),
        Some(DirSyncPart::Transactions)
    );
    assert_eq!(
        dirsync_part("X/FOOTRANS.GLB"),
        Some(DirSyncPart::Transactions)
    );
    assert_eq!(dirsync_part("RESYNC.GLB"), Some(DirSyncPart::Transactions));
    assert_eq!(dirsync_part("GLB/ReqConf.glb"), Some(DirSyncPart::ReqConf));
    assert_eq!(dirsync_part("GLB/SVRCONF.GLB"), Some(DirSyncPart::SrvConf));
    assert_eq!(dirsync_part("GLB/PROCESS.GLB"), None);
    assert_eq!(dirsync_part("GLB/NETWORK.GLB"), None);
}

#[test]
fn labelled_dirsync_diffs_count_in_the_totals() {
    let x = DirSyncFileDiff {
        path: "GLB/MSTTRANS.GLB".into(),
        path_b: "glb/msttrans.glb".into(),
        kind: DirSyncPart::Transactions,
        transactions: Some(diff_transactions(&[t(1, "x")], &[t(1, "y"), t(2, "z")])),
        configuration: None,
    };
    let c = DirSyncFileDiff {
        path: "GLB/SRVCONF.GLB".into(),
        path_b: "GLB/SRVCONF.GLB".into(),
        kind: DirSyncPart::SrvConf,
        transactions: None,
        configuration: Some(Vec::new()),
    };
    assert!(c.is_identical() && !x.is_identical());
    let r = DiffReport::new("tree", "a", "b", None, None, None, None);
    assert!(r.identical);
    let r = r.with_dirsync(vec![x, c]);
    assert!(!r.identical);
    assert_eq!(r.totals.only_in_b, 1);
    assert_eq!(r.totals.changed, 1);
    assert_eq!(r.dirsync.as_ref().map(Vec::len), Some(2));
}

#[test]
fn folders_compare_their_common_dirsync_files() {
    use crate::dirsync::{write_stream, TransactionRecord};
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let rec = |s| TransactionRecord::new(s, 0, b'A', "N/P", b"A x  PCM:N/P/X".to_vec());
    std::fs::write(a.path().join("MSTTRANS.GLB"), write_stream(&[rec(1)])).unwrap();
    std::fs::write(b.path().join("msttrans.glb"), write_stream(&[rec(2)])).unwrap();
    std::fs::write(a.path().join("REQTRANS.GLB"), write_stream(&[rec(1)])).unwrap();
    let d = diff_dirsync_files(a.path(), b.path(), &LoadOptions::default()).unwrap();
    assert_eq!(d.len(), 1, "REQTRANS.GLB is on one side only");
    assert_eq!(d[0].path, "MSTTRANS.GLB");
    assert_eq!(d[0].path_b, "msttrans.glb");
    let x = d[0].transactions.as_ref().unwrap();
    assert_eq!((x.only_in_a.len(), x.only_in_b.len()), (1, 1));
    // A damaged stream is an input error naming the file.
    std::fs::write(b.path().join("msttrans.glb"), b"\x01\x02\x03").unwrap();
    let err = diff_dirsync_files(a.path(), b.path(), &LoadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("msttrans.glb"), "{err}");
}
