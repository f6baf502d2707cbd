//! Unit tests of the `[DIRSYNC]` message parser.

use super::*;

const Q118298: &str = "From: Network Manager\r\nTo: NETWORK/POSTOFFICE/$SYSTEM\r\n\
Subject: Directory Exchange Profile\r\nDate: 1994-04-04 09:12\r\nPriority:\r\n\
-----------------------------------------------------------\r\n[DIRSYNC]\r\nTASK=IMPORTREQ\r\n\
NAME=PCM:MACNET/MACPO\r\nTYPES=PCM|CSI|profs\r\nTEMPLATE=NO\r\nSRVSEQ=0000000644\r\n\
TRANSACTIONS=INATTACHMENT\r\n\r\n[DIRSYNC-TRANSACTIONS]\r\n\
0000000645 User Number 1                    PCM:NETWORK/POSTOFFICE/USER1\r\n\
- Phone:/(206) 635-7022\r\n- FAX:/(206) 635-7022\r\n\
0000000647 User Number 2                    PCM:NETWORK/POSTOFFICE/USER2\r\n\
- Phone:/(206) 635-7022\r\n";

#[test]
fn frames_headers_keys_and_transactions() {
    let (m, raws) = frame_message(Q118298, "MSG.TXT").unwrap();
    assert_eq!(m.headers.len(), 5);
    assert_eq!(m.header("subject"), Some("Directory Exchange Profile"));
    assert_eq!(m.header("Priority"), Some(""));
    assert_eq!(m.subject(), None);
    assert_eq!(m.task, Some(Task::ImportReq));
    assert_eq!(m.requestor(), Some(Scope::postoffice("MACNET", "MACPO")));
    assert_eq!(m.types, vec!["PCM", "CSI", "profs"]);
    assert_eq!(m.template, Some(false));
    assert_eq!(m.numbers().srvseq, Some(644));
    assert_eq!(m.numbers().reqseq, None);
    assert_eq!(m.transactions_mode, Some(TransactionsMode::InAttachment));
    assert_eq!(raws.len(), 2);
    assert_eq!(raws[0].sync, Some(645));
    assert_eq!(raws[0].line, 16);
    assert!(raws[0].text.starts_with("A User Number 1   "));
    assert!(raws[0].text.ends_with("\n- FAX:/(206) 635-7022"));
    assert_eq!(raws[0].column_shift, 9);
    assert_eq!(raws[1].sync, Some(647));
}

#[test]
fn ffapi_form_lowercase_keys_and_op_letter() {
    let t = "[dirsync]\ntask=export\nreqname=PCM:net/po\ntransactions=inbody\n\n\
                 [dirsync-transactions]\n1200 A Martin, Robert PCM:net/po/rmartin\n";
    let (m, raws) = frame_message(t, "F").unwrap();
    assert_eq!(m.task, Some(Task::Export));
    assert_eq!(m.name.as_deref(), Some("PCM:net/po"));
    assert_eq!(m.transactions_mode, Some(TransactionsMode::InBody));
    assert_eq!(raws[0].sync, Some(1200));
    assert_eq!(raws[0].text, "A Martin, Robert PCM:net/po/rmartin");
    assert_eq!(raws[0].line, 7);
    let (_, raws) = frame_message(
        "[DIRSYNC-TRANSACTIONS]\n7 d Gone PCM:n/p/g\n8 Al Bundy PCM:n/p/al\n[DIRSYNC]\n",
        "F",
    )
    .unwrap();
    assert_eq!(raws[0].text, "d Gone PCM:n/p/g");
    assert_eq!(raws[1].text, "A Al Bundy PCM:n/p/al");
    let (m, _) = frame_message("[DIRSYNC]\nTASK=Frobnicate\n", "F").unwrap();
    assert_eq!(m.task, Some(Task::Other("Frobnicate".into())));
}

#[test]
fn framing_errors_name_line_and_column() {
    let e = frame_message("[DIRSYNC]\nSRVSEQ=12x\n", "M").unwrap_err();
    assert_eq!(
        e.to_string(),
        "M: line 2, column 8: SRVSEQ must be a decimal number, not \"12x\""
    );
    let e = frame_message("[DIRSYNC]\nTEMPLATE=MAYBE\n", "M").unwrap_err();
    assert!(e.to_string().contains("line 2, column 10"), "{e}");
    let e = frame_message("[DIRSYNC]\n  no equals here\n", "M").unwrap_err();
    assert!(e.to_string().contains("line 2, column 3"), "{e}");
    let e = frame_message(
        "[DIRSYNC]\n[DIRSYNC-TRANSACTIONS]\n99999999999 A x PCM:a/b/c\n",
        "M",
    )
    .unwrap_err();
    assert!(e.to_string().contains("line 3, column 1"), "{e}");
    let e = frame_message("[DIRSYNC-TRANSACTIONS]\n- Phone:/1\n", "M").unwrap_err();
    assert!(e.to_string().contains("line 2, column 1"), "{e}");
    let e = frame_message("From: x\nnot a header\n[DIRSYNC]\n", "M").unwrap_err();
    assert!(e.to_string().contains("line 2, column 1"), "{e}");
    let e = frame_message("From: x\n", "M").unwrap_err();
    assert!(e.to_string().contains("no [DIRSYNC] section"), "{e}");
}

#[test]
fn continuation_lines_keep_line_numbers() {
    let t = "[DIRSYNC]\n[DIRSYNC-TRANSACTIONS]\n0000000003 M Old Name PCM:N/P/OLD\n  New Name PCM:N/P/NEW\n\n- Phone:/1\n\n0000000004 D X PCM:N/P/X\n";
    let (_, raws) = frame_message(t, "M").unwrap();
    assert_eq!(raws.len(), 2);
    assert_eq!(
        raws[0].text,
        "M Old Name PCM:N/P/OLD\n  New Name PCM:N/P/NEW\n\n- Phone:/1"
    );
    assert_eq!(raws[1].line, 8);
}

#[test]
fn subjects() {
    assert_eq!(
        parse_subject("$SYSTEM ReqTx R=17 (was 12), S = 80, I = 2 5 sent"),
        Some(Subject::Tx(TxSubject {
            kind: TxKind::ReqTx,
            r: Some(17),
            r_was: Some(12),
            s: Some(80),
            s_was: None,
            i: Some(2),
            sent: Some(5)
        }))
    );
    assert_eq!(
        parse_subject("$SYSTEM SrvTx R=17 S=95 (was 80) I = 2 15 sent"),
        Some(Subject::Tx(TxSubject {
            kind: TxKind::SrvTx,
            r: Some(17),
            r_was: None,
            s: Some(95),
            s_was: Some(80),
            i: Some(2),
            sent: Some(15)
        }))
    );
    assert_eq!(
        parse_subject("REQTX R=30(was 25)....5 sent"),
        Some(Subject::Tx(TxSubject {
            kind: TxKind::ReqTx,
            r: Some(30),
            r_was: Some(25),
            s: None,
            s_was: None,
            i: None,
            sent: Some(5)
        }))
    );
    let Some(Subject::Tx(t)) = parse_subject("$system reqtx r = 3 ( was 1 ) ,s=4,i=0  2 sent")
    else {
        panic!("lenient spelling not recognised");
    };
    assert_eq!(
        (t.r, t.r_was, t.s, t.i, t.sent),
        (Some(3), Some(1), Some(4), Some(0), Some(2))
    );
    assert_eq!(
        parse_subject("Status report from NET/PO"),
        Some(Subject::StatusReport {
            postoffice: "NET/PO".into()
        })
    );
    assert_eq!(parse_subject("Lunch on Friday"), None);
    assert_eq!(parse_subject("$SYSTEM ReqTx banana"), None);
    assert_eq!(parse_subject("ReqTxx R=1"), None);
}

#[test]
fn subject_display_is_the_kb_spelling() {
    for s in [
        "$SYSTEM ReqTx R=17 (was 12), S = 80, I = 2 5 sent",
        "$SYSTEM SrvTx R=17 S=95 (was 80) I = 2 15 sent",
        "Status report from NET/PO",
    ] {
        assert_eq!(parse_subject(s).unwrap().to_string(), s);
    }
}

#[test]
fn blank_line_ends_headers() {
    let (m, _) = frame_message("From: a\n\nsome words\n[DIRSYNC]\nTASK=UPDATE\n", "M").unwrap();
    assert_eq!(m.loose_lines, vec![(3, "some words".to_string())]);
    assert_eq!(m.task, Some(Task::Update));
}

#[test]
fn sniffing() {
    assert_eq!(
        sniff_text("MSG.TXT", Q118298.as_bytes()),
        Some(TextFileKind::DirSyncMessage)
    );
    assert_eq!(
        sniff_text("DIRSYNC.LOG", b"03/22/94 15:43:25 | Status  x\r\n"),
        Some(TextFileKind::Log)
    );
    assert_eq!(
        sniff_text("x", b"T1 Sat 13:45\r\nT3 Mon 15:00\r\n"),
        Some(TextFileKind::Schedule)
    );
    // By content, never by name: a DISPATCH.LOG name alone decides nothing.
    assert_eq!(sniff_text("some/DISPATCH.LOG", b"whatever\r\n"), None);
    assert_eq!(
        sniff_text("x", b"INST1 02/02/96 13:18 Running NSDA -RT\r\n"),
        Some(TextFileKind::DispatchLog)
    );
    assert_eq!(
        sniff_text(
            "TMPTRANS.GLB",
            b"[DIRSYNC-TRANSACTIONS]\r\n1 A x PCM:N/P/X\r\n"
        ),
        Some(TextFileKind::DirSyncMessage)
    );
    assert_eq!(
        sniff_text("a.txt", b"A Doe, John PCM:N/P/JD\r\n"),
        Some(TextFileKind::ImportText)
    );
    assert_eq!(sniff_text("a.txt", b"hello\r\n"), None);
    assert_eq!(sniff_text("a.bin", b"\0\0\x01"), None);
}

proptest::proptest! {
    #[test]
    fn framing_and_subjects_never_panic(s in "\\PC*") {
        let _ = frame_message(&s, "x");
        let _ = parse_subject(&s);
        let _ = sniff_text("x", s.as_bytes());
    }

    #[test]
    fn message_like_text_never_panics(
        body in proptest::collection::vec("(\\[DIRSYNC\\]|\\[DIRSYNC-TRANSACTIONS\\]|[A-Za-z]{1,8}=[0-9A-Z|:/]{0,12}|[0-9]{1,12} [A-Z]? ?[a-z ]{0,8}|- [a-z:/]{0,6}|-{3,5}| [a-z]{0,4}|)", 0..12)
    ) {
        let _ = frame_message(&body.join("\n"), "x");
    }

    #[test]
    fn subjects_round_trip(
        srv in proptest::bool::ANY,
        r in 0u32..1_000_000, r_was in proptest::option::of(0u32..1_000_000),
        s in proptest::option::of(0u32..1_000_000), s_was in proptest::option::of(0u32..1_000_000),
        i in proptest::option::of(0u32..100), sent in proptest::option::of(0u32..100_000),
    ) {
        let t = TxSubject {
            kind: if srv { TxKind::SrvTx } else { TxKind::ReqTx },
            r: Some(r), r_was, s, s_was: if s.is_some() { s_was } else { None }, i, sent,
        };
        let text = Subject::Tx(t).to_string();
        proptest::prop_assert_eq!(parse_subject(&text), Some(Subject::Tx(t)), "{}", text);
    }

    #[test]
    fn subject_like_text_never_panics(s in "(\\$SYSTEM )?(ReqTx|SrvTx|REQTX) ?([RSI] ?= ?[0-9]{1,12}|\\( ?was ?[0-9]{0,12}\\)|[0-9]{1,3} sent|[ ,.]){0,8}") {
        let _ = parse_subject(&s);
    }
}
