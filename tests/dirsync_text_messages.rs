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
    let envelope = dsmsg::Envelope::to_server(&Scope::postoffice("SRV", "HUB"), "1994-04-04 09:12");
    dsmsg::write_export_message(&scope, &entries, numbers, &envelope, &mut first).unwrap();
    let text = msmail::codepage::decode_cp850(&first).into_owned();
    // The envelope as Q118298 prints it: the server's $SYSTEM in To:.
    assert!(
        text.starts_with(
            "From: net/po/$SYSTEM\r\nTo: SRV/HUB/$SYSTEM\r\nSubject: Directory Exchange Profile\r\n\
             Date: 1994-04-04 09:12\r\nPriority:\r\n-----------------------------------------------------------\r\n"
        ),
        "{text}"
    );
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

#[test]
fn message_dump_json_has_header_keys_transactions() {
    use msmail::dsmsg::views::dump_text_file;
    use msmail::dsmsg::TextFileKind;
    let mut out = Vec::new();
    dump_text_file(
        &fixture("importreq_q118298.msg"),
        TextFileKind::DirSyncMessage,
        true,
        &mut out,
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["kind"], "dirsync-message");
    assert_eq!(doc["headers"][0]["name"], "From");
    assert_eq!(doc["headers"][0]["value"], "Network Manager");
    assert_eq!(doc["keys"][1]["key"], "NAME");
    assert_eq!(doc["task"], "IMPORTREQ");
    assert_eq!(doc["requestor"], "PCM:MACNET/MACPO");
    assert_eq!(doc["numbers"]["srvseq"], 644);
    assert_eq!(doc["template"], false);
    assert_eq!(doc["transactions_mode"], "inattachment");
    let t = &doc["transactions"][1];
    assert_eq!(t["sync"], 647);
    assert_eq!(t["operations"][0]["op"], "A");
    assert_eq!(
        t["operations"][0]["address"],
        "PCM:NETWORK/POSTOFFICE/USER2"
    );
    assert_eq!(t["operations"][0]["template"][0]["prompt"], "Phone:");

    let mut text = Vec::new();
    dump_text_file(
        &fixture("importreq_q118298.msg"),
        TextFileKind::DirSyncMessage,
        false,
        &mut text,
    )
    .unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("0000000645 A User Number 1"), "{text}");
    assert!(text.contains("SRVSEQ 644"), "{text}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn export_messages_round_trip(
        users in proptest::collection::vec(
            ("[A-Z][a-z]{0,8}, [A-Z][a-z]{0,8}", "[A-Z][A-Z0-9]{0,9}",
             proptest::collection::vec(("[A-Z][a-z]{0,6}:", "[A-Za-z0-9 ()-]{0,12}[A-Za-z0-9]"), 0..3)),
            0..20),
        reqseq in 0u32..1_000_000,
    ) {
        use msmail::model::{Directory, Entry, TemplateValue};
        let scope = Scope::postoffice("NET", "PO");
        let mut d = Directory::new();
        for (name, mb, tpl) in &users {
            let mut e = Entry::new(name.clone(), Address::pcm("NET", "PO", mb));
            e.template = tpl.iter().map(|(p, v)| TemplateValue { prompt: p.into(), value: v.as_str().into() }).collect();
            d.upsert(e);
        }
        let numbers = MessageNumbers { reqseq: Some(reqseq), srvseq: Some(3), impseq: None };
        let mut out = Vec::new();
        let envelope = dsmsg::Envelope::to_server(&Scope::postoffice("SRV", "HUB"), "");
        dsmsg::write_export_message(&scope, &d.in_scope(&scope), numbers, &envelope, &mut out).unwrap();
        let m = dsmsg::parse_message(&msmail::codepage::decode_cp850(&out), "p.msg").unwrap();
        proptest::prop_assert_eq!(m.numbers(), numbers);
        proptest::prop_assert_eq!(m.transactions.first().and_then(|t| t.sync), Some(reqseq + 1));
        let back = m.to_directory();
        proptest::prop_assert_eq!(back.len(), d.len());
        for e in d.iter() {
            let b = back.get(&e.key());
            proptest::prop_assert!(b.is_some_and(|b| b.same_content(e)), "{:?} vs {:?}", e, b);
        }
    }
}

#[test]
fn subject_header_is_parsed() {
    let t =
        "From: NET/PO1/$SYSTEM\r\nSubject: $SYSTEM ReqTx R=17 (was 12), S = 80, I = 2 5 sent\r\n\
             ----\r\n[DIRSYNC]\r\nTASK=UPDATE\r\nREQSEQ=0000000012\r\n";
    let m = dsmsg::parse_message(t, "m").unwrap();
    let Some(dsmsg::Subject::Tx(s)) = m.subject() else {
        panic!("subject not recognised");
    };
    assert_eq!(
        (s.r, s.r_was, s.s, s.sent),
        (Some(17), Some(12), Some(80), Some(5))
    );
    assert_eq!(m.numbers().reqseq, Some(12));
}
