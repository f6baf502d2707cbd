//! Unit tests of the Dir-Sync log parser.

use super::*;

#[test]
fn kb_log_lines() {
    let r =
        parse_log_line("03/22/94 15:43:25 | Status       Microsoft (R) Mail Import V3.2").unwrap();
    assert_eq!(r.date, Some((1994, 3, 22)));
    assert_eq!(r.time, Some((15, 43, Some(25))));
    assert_eq!(r.level, LogLevel::Status);
    assert_eq!(r.code, None);
    assert_eq!(r.text, "Microsoft (R) Mail Import V3.2");

    let r = parse_log_line("03/22/94 15:43:45 | Warning[ 27] Alias already exists Doe, John D")
        .unwrap();
    assert_eq!((r.level, r.code), (LogLevel::Warning, Some(27)));
    assert_eq!(r.text, "Alias already exists Doe, John D");

    let r = parse_log_line("10/24/94 14:32:18 | Error [ 20] Address element is too long: <Group")
        .unwrap();
    assert_eq!((r.level, r.code), (LogLevel::Error, Some(20)));

    let r = parse_log_line("3/23/93 11:00:03 | Error [158] Requestor not registered :").unwrap();
    assert_eq!(r.raw_date.as_deref(), Some("3/23/93"));
    assert_eq!(r.date, Some((1993, 3, 23)));
    assert_eq!(r.code, Some(158));

    let r = parse_log_line("01/01/100 00:00:01 | Error [ ] PCM:Net/PO").unwrap();
    assert_eq!(r.date, Some((2000, 1, 1)));
    assert_eq!(r.raw_date.as_deref(), Some("01/01/100"));
    assert_eq!(r.code, None);
    assert_eq!(r.text, "PCM:Net/PO");

    let r = parse_log_line("1/2/95 1:02:03 | Fatal [159] Failure to send update mail").unwrap();
    assert_eq!(
        (r.level, r.code, r.time),
        (LogLevel::Fatal, Some(159), Some((1, 2, Some(3))))
    );
    assert!(parse_log_line("  PCM:NETWORK/POSTOFFICE").is_none());
}

#[test]
fn stamps_without_seconds_numeric_levels_and_bare_codes() {
    let r = parse_log_line("02/02/96 13:18 | Fatal [91] The database is locked").unwrap();
    assert_eq!(r.time, Some((13, 18, None)));
    assert_eq!((r.level, r.code), (LogLevel::Fatal, Some(91)));
    let r = parse_log_line("03/13/96 15:27:04 | 1 167 PCM,SNADS,X400,SMTP").unwrap();
    assert_eq!(
        (r.level, r.level_number, r.code, r.text.as_str()),
        (LogLevel::Status, Some(1), Some(167), "PCM,SNADS,X400,SMTP")
    );
    let r = parse_log_line("03/13/96 15:34:17 | 1  -1").unwrap();
    assert_eq!(
        (r.level_number, r.code, r.text.as_str()),
        (Some(1), None, "")
    );
    let b = parse_record_body("Fatal 161 Server configuration busy");
    assert_eq!((b.level, b.code), (LogLevel::Fatal, Some(161)));
    assert_eq!(b.text, "Server configuration busy");
    let b = parse_record_body("Fatal error 14: \"Error processing Resync.glb\"");
    assert_eq!(
        (b.code, b.text.as_str()),
        (Some(14), "\"Error processing Resync.glb\"")
    );
    let b = parse_record_body("Status 36 users");
    assert_eq!((b.code, b.text.as_str()), (None, "36 users"));
    let b = parse_record_body("No Tasks From Requestor: PCM:POSTMASTER/NET/PO");
    assert_eq!(b.level, LogLevel::Unknown);
}

#[test]
fn continuations_console_logs_and_errors() {
    let text = "3/23/93 11:00:03 | Error [158] Requestor not registered :\r\n  PCM:\r\n\r\n";
    let v = parse_log(text, "DIRSYNC.LOG").unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(
        v[1],
        LogLine::Continuation {
            line: 2,
            text: "  PCM:".into()
        }
    );
    let v = parse_log(
        "Fatal 113 Failure to send mail\r\nRequestor process failed.\r\n",
        "C",
    )
    .unwrap();
    assert!(matches!(&v[0], LogLine::Record(r) if r.date.is_none() && r.code == Some(113)));
    assert!(matches!(&v[1], LogLine::Continuation { .. }));
    let e = parse_log("13/01/94 10:00:00 | Status x\n", "L").unwrap_err();
    assert!(e.to_string().contains("line 1, column 1"), "{e}");
    let e = parse_log(
        "1/1/94 10:00:00 | Status x\n1/1/94 10:61:00 | Status y",
        "L",
    )
    .unwrap_err();
    assert!(e.to_string().contains("line 2, column 11"), "{e}");
    let e = parse_log("hello\n", "L").unwrap_err();
    assert!(e.to_string().contains("expected a stamp"), "{e}");
}

proptest::proptest! {
    #[test]
    fn log_parsers_never_panic(s in "\\PC*") {
        let _ = parse_log(&s, "x");
        let _ = parse_dispatch_log(&s);
        let _ = parse_schedule(&s, "x");
        let _ = looks_like_log(&s);
        let _ = looks_like_schedule(&s);
        let _ = looks_like_dispatch(&s);
        let _ = parse_record_body(&s);
    }

    #[test]
    fn log_like_strings_never_panic(s in "[0-9]{1,3}/[0-9]{1,3}/[0-9]{1,5} [0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})? ?\\| ?(Status|Error|Warning|Fatal|[0-9]{1,3})? ?-?\\[? ?[0-9]{0,7}\\]?.{0,10}") {
        let _ = parse_log(&s, "x");
    }

    #[test]
    fn console_like_strings_never_panic(s in "(Status|Error|Warning|Fatal)( error)? ?\\[? ?[0-9]{0,7}\\]?:?.{0,10}") {
        let _ = parse_log(&s, "x");
        let _ = parse_record_body(&s);
    }
}
