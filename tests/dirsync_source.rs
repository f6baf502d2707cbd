//! Dir-Sync files as SOURCEs: recognition by `source::detect` and loading a
//! transaction stream into the directory model (operations applied in sync order).

use std::path::PathBuf;

use msmail::dirsync::{write_stream, TransactionRecord};
use msmail::model::Position;
use msmail::source::{detect, load_directory, LoadOptions, SourceKind};
use msmail::{Address, Operation};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/dirsync")
        .join(name)
}

#[test]
fn detect_recognises_every_dirsync_fixture() {
    for (f, k) in [
        ("REQTRANS.GLB", SourceKind::DirSyncTransactions),
        ("MSTTRANS.GLB", SourceKind::DirSyncTransactions),
        ("RESYNC.GLB", SourceKind::DirSyncTransactions),
        ("ack/REQTRANS.GLB", SourceKind::DirSyncTransactions),
        ("REQCONF.GLB", SourceKind::ReqConf),
        ("SRVCONF.GLB", SourceKind::SrvConf),
        ("PROCESS.GLB", SourceKind::ProcessSchedule),
    ] {
        assert_eq!(detect(&fixture(f)).unwrap(), k, "{f}");
    }
}

#[test]
fn settings_files_hold_no_entries() {
    let e = load_directory(&fixture("REQCONF.GLB"), &LoadOptions::default()).unwrap_err();
    assert_eq!(e.exit_code(), 3);
    assert!(e.to_string().contains("not address entries"));
}

#[test]
fn placeholder_stream_loads_empty() {
    let l = load_directory(&fixture("ack/REQTRANS.GLB"), &LoadOptions::default()).unwrap();
    assert!(l.directory.is_empty());
}

#[test]
fn stream_loads_in_sync_order_with_record_origins() {
    // REQTRANS fixture: R, A able, A apple, M apple -> applepie, D able.
    let l = load_directory(&fixture("REQTRANS.GLB"), &LoadOptions::default()).unwrap();
    let d = &l.directory;
    assert_eq!(d.len(), 1, "{:?}", d.iter().collect::<Vec<_>>());
    let key = Address::parse("PCM:POLYNOMIAL/MONTGOMERY/applepie")
        .unwrap()
        .key();
    let e = d.get(&key).expect("modified entry present");
    assert_eq!(e.full_name, "Apple Pie");
    assert_eq!(
        e.origin.position,
        Position::Record {
            index: 3,
            offset: 276
        }
    );

    // Records stored out of order are applied by sync number: the A (sync 2)
    // comes after the R (sync 1) even though the file holds it first.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("SRVTRANS.GLB");
    let recs = vec![
        TransactionRecord::new(2, 0, b'A', "N/P", b"A Kept\tPCM:N/P/KEPT".to_vec()),
        TransactionRecord::new(1, 0, b'R', "N/P", b"R PCM:N/P".to_vec()),
    ];
    std::fs::write(&p, write_stream(&recs)).unwrap();
    let l = load_directory(&p, &LoadOptions::default()).unwrap();
    assert_eq!(l.directory.len(), 1);
}

#[test]
fn template_lines_and_cp850_survive_loading() {
    let l = load_directory(&fixture("MSTTRANS.GLB"), &LoadOptions::default()).unwrap();
    let key = Address::parse("PCM:POLYNOMIAL/MONTGOMERY/JMULLER")
        .unwrap()
        .key();
    let e = l.directory.get(&key).expect("entry");
    assert_eq!(e.full_name, "Müller, Jörg");
    assert_eq!(e.template.len(), 1);
    assert_eq!(e.template[0].prompt, "Phone:");
    assert_eq!(e.template[0].value, "555-0100");
}

#[test]
fn from_operation_round_trips_through_the_record() {
    let l = load_directory(&fixture("MSTTRANS.GLB"), &LoadOptions::default()).unwrap();
    let mut recs = Vec::new();
    for (i, e) in l.directory.sorted().into_iter().enumerate() {
        let op = Operation::Add(e.clone());
        let r = TransactionRecord::from_operation(i as u32 + 1, 0, "POLYNOMIAL/MONTGOMERY", &op)
            .unwrap();
        assert!(r.crc_ok());
        assert_eq!(r.op, b'A');
        assert_eq!(r.flags & 1, u8::from(!e.template.is_empty()));
        let back = r.to_operations("x").unwrap();
        assert_eq!(back.len(), 1);
        match &back[0] {
            Operation::Add(b) => assert!(b.same_content(e), "{b:?} vs {e:?}"),
            other => panic!("{other:?}"),
        }
        recs.push(r);
    }
    // An origin too long for str[22] is refused, not cut.
    let op = Operation::Replace(msmail::Scope::parse("PCM:N/P").unwrap());
    assert!(TransactionRecord::from_operation(1, 0, &"X".repeat(22), &op).is_err());
    let r = TransactionRecord::from_operation(1, 0, "N/P", &op).unwrap();
    assert_eq!(r.text_str(), "R PCM:N/P");
}
