//! `[DIRSYNC]` messages end to end: transactions through the import-text parser,
//! to_directory, the EXPORT writer round trip, and loading as a SOURCE.

use std::path::{Path, PathBuf};

use msmail::codepage::TextEncoding;
use msmail::dsmsg::{self, MessageNumbers};
use msmail::model::{Address, Operation, Scope};
use msmail::source::{self, LoadOptions, SourceKind};
use msmail::{Error, Location};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/text")
        .join(name)
}

fn key(a: &str) -> msmail::AddressKey {
    Address::parse(a).unwrap().key()
}

#[test]
fn q118298_transactions_without_op_letter_are_adds() {
    let m = dsmsg::read_message(&fixture("importreq_q118298.msg"), TextEncoding::Cp850).unwrap();
    assert_eq!(m.transactions.len(), 2);
    assert_eq!(m.transactions[0].sync, Some(645));
    assert_eq!(m.transactions[1].line, 19);
    let Operation::Add(e) = &m.transactions[0].operations[0] else {
        panic!("expected an A operation");
    };
    assert_eq!(e.full_name, "User Number 1");
    assert_eq!(e.address.to_string(), "PCM:NETWORK/POSTOFFICE/USER1");
    assert_eq!(e.template.len(), 2);
    assert_eq!(e.template[1].prompt, "FAX:");
    assert_eq!(e.template[1].value, "(206) 635-7022");
    let d = m.to_directory();
    assert_eq!(d.len(), 2);
}

#[test]
fn q106623_export_applies_in_order() {
    let m = dsmsg::read_message(&fixture("export_q106623.msg"), TextEncoding::Cp850).unwrap();
    assert_eq!(
        m.numbers(),
        MessageNumbers {
            reqseq: Some(1199),
            srvseq: Some(50),
            impseq: None
        }
    );
    let d = m.to_directory();
    assert_eq!(d.len(), 2);
    let j = d.get(&key("PCM:NET/PO/JMULLER")).unwrap();
    assert_eq!(j.full_name, "Müller, Jürgen");
    assert_eq!(j.template[1].prompt, "City/ST/Zip:");
    assert_eq!(j.template[1].value, "Any City, 12345");
    assert!(d.get(&key("PCM:net/po/oldacct")).is_none());
}

#[test]
fn export_message_round_trip() {
    let m = dsmsg::read_message(&fixture("export_q106623.msg"), TextEncoding::Cp850).unwrap();
    let d = m.to_directory();
    let scope = m.requestor().unwrap();
    let entries = d.in_scope(&scope);
    let numbers = MessageNumbers {
        reqseq: Some(41),
        srvseq: Some(7),
        impseq: Some(1),
    };
    let mut first = Vec::new();
    dsmsg::write_export_message(&scope, &entries, numbers, &mut first).unwrap();
    let text = msmail::codepage::decode_cp850(&first).into_owned();
    assert!(
        text.contains("[DIRSYNC]\r\nTASK=EXPORT\r\nREQNAME=PCM:net/po\r\nREQSEQ=0000000041\r\n"),
        "{text}"
    );
    assert!(text.contains("\r\n0000000042 R PCM:net/po\r\n"), "{text}");
    let m2 = dsmsg::parse_message(&text, "rt.msg").unwrap();
    assert_eq!(m2.numbers(), numbers);
    assert_eq!(m2.transactions.len(), 3);
    assert_eq!(
        m2.transactions[0].operations,
        vec![Operation::Replace(scope.clone())]
    );
    let mut second = Vec::new();
    dsmsg::write_message(&m2, &mut second).unwrap();
    assert_eq!(first, second, "write → read → write is byte-identical");
    let m3 = dsmsg::parse_message(&msmail::codepage::decode_cp850(&second), "rt.msg").unwrap();
    assert_eq!(m2, m3, "read → write → read is equal");
    let d2 = m2.to_directory();
    assert_eq!(d2.len(), d.len());
    for e in d.iter() {
        assert!(d2.get(&e.key()).unwrap().same_content(e));
    }
}

#[test]
fn bad_transaction_line_reports_original_column() {
    let t = "[DIRSYNC]\nTASK=EXPORT\n[DIRSYNC-TRANSACTIONS]\n0000000001 A Good PCM:N/P/G\n0000000002 Name Without Address\n";
    let e = dsmsg::parse_message(t, "m.msg").unwrap_err();
    match e {
        Error::Input {
            file,
            location: Location::Line { line, column },
            ..
        } => {
            assert_eq!(file, "m.msg");
            assert_eq!(line, 5);
            assert_eq!(column, 12, "column of `Name` in the original line");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn message_loads_as_a_source() {
    let p = fixture("export_q106623.msg");
    assert_eq!(source::detect(&p).unwrap(), SourceKind::DirSyncMessage);
    let loaded = source::load_directory(&p, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.directory.len(), 2);
    assert!(loaded.warnings.is_empty());
    let scope = Scope::parse("PCM:NET/PO").unwrap();
    assert_eq!(loaded.directory.in_scope(&scope).len(), 2);
}
