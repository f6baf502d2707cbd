//! Dir-Sync text files from fixtures/text: logs, DISPATCH.LOG, DSSCHED, messages.

use std::path::{Path, PathBuf};

use msmail::codepage::TextEncoding;
use msmail::dsmsg::views::dump_text_file;
use msmail::dsmsg::{self, sniff_text, TextFileKind};
use msmail::logs::{self, DirSyncProcess, DispatchEvent, LogLevel, LogLine};
use msmail::{Error, Location};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/text")
        .join(name)
}

fn text(name: &str) -> String {
    msmail::codepage::decode_cp850(&std::fs::read(fixture(name)).unwrap()).into_owned()
}

fn dump_json(name: &str, kind: TextFileKind) -> serde_json::Value {
    let mut out = Vec::new();
    dump_text_file(&fixture(name), kind, true, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn fixtures_are_recognised() {
    for (name, kind) in [
        ("importreq_q118298.msg", Some(TextFileKind::DirSyncMessage)),
        ("export_q106623.msg", Some(TextFileKind::DirSyncMessage)),
        ("bad_seq.msg", Some(TextFileKind::DirSyncMessage)),
        ("dirsync.log", Some(TextFileKind::Log)),
        ("bad_date.log", Some(TextFileKind::Log)),
        ("dispatch.log", Some(TextFileKind::DispatchLog)),
        ("mytimes.txt", Some(TextFileKind::Schedule)),
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        assert_eq!(sniff_text(name, &bytes), kind, "{name}");
    }
}

#[test]
fn dirsync_log_records_and_y2k_dates() {
    let v = logs::parse_log(&text("dirsync.log"), "dirsync.log").unwrap();
    let recs: Vec<_> = v
        .iter()
        .filter_map(|l| match l {
            LogLine::Record(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(recs.len(), 10);
    assert_eq!(v.len(), 12);
    assert_eq!(recs[1].code, Some(27));
    assert_eq!(recs[1].level, LogLevel::Warning);
    assert_eq!(recs[4].code, Some(20));
    assert_eq!(recs[4].level, LogLevel::Error);
    assert_eq!(recs[5].date, Some((1993, 3, 23)));
    assert_eq!(recs[6].raw_date.as_deref(), Some("01/01/100"));
    assert_eq!(recs[6].date, Some((2000, 1, 1)));
    assert_eq!(recs[6].code, None);
    assert_eq!(recs[9].date, Some((2000, 1, 2)));
    assert_eq!(recs[9].level, LogLevel::Fatal);
    assert!(
        matches!(&v[5], LogLine::Continuation { line: 6, text } if text == "  Name Of Eleven>")
    );
}

#[test]
fn log_dump_json_carries_level_code_text() {
    let doc = dump_json("dirsync.log", TextFileKind::Log);
    let recs = doc["records"].as_array().unwrap();
    assert_eq!(recs.len(), 12);
    assert_eq!(recs[1]["level"], "warning");
    assert_eq!(recs[1]["code"], 27);
    assert_eq!(recs[1]["text"], "Alias already exists Doe, John D");
    assert_eq!(recs[1]["date"], "1994-03-22");
    assert_eq!(recs[1]["raw_date"], "03/22/94");
    assert_eq!(recs[1]["time"], "15:43:45");
    assert_eq!(recs[1]["line"], 2);
    assert_eq!(recs[5]["kind"], "continuation");
    assert_eq!(recs[8]["date"], "2000-01-01");
    assert!(recs[8]["code"].is_null());
}

#[test]
fn dump_is_deterministic_text() {
    let mut a = Vec::new();
    let mut b = Vec::new();
    dump_text_file(&fixture("dirsync.log"), TextFileKind::Log, false, &mut a).unwrap();
    dump_text_file(&fixture("dirsync.log"), TextFileKind::Log, false, &mut b).unwrap();
    assert_eq!(a, b);
    let s = String::from_utf8(a).unwrap();
    assert!(
        s.contains("Warning [ 27]  Alias already exists Doe, John D"),
        "{s}"
    );
    assert!(s.contains("2000-01-01 02:00:00"), "{s}");
}

#[test]
fn dispatch_log_ties_runs_to_postoffices() {
    let v = logs::parse_dispatch_log(&text("dispatch.log"));
    assert_eq!(v.len(), 9);
    assert_eq!(
        v[1].event,
        DispatchEvent::Running {
            process: "NSDA -RT".into(),
            known: Some(DirSyncProcess::SendUpdates),
            postoffice: Some("NETWORK/PO1".into())
        }
    );
    assert_eq!(
        v[3].event,
        DispatchEvent::Running {
            process: "NSDA -S".into(),
            known: Some(DirSyncProcess::Server),
            postoffice: Some("NETWORK/HUB".into())
        }
    );
    assert!(matches!(
        &v[5].event,
        DispatchEvent::MissedRunWindow { known: Some(DirSyncProcess::ProcessUpdates), postoffice: Some(p), .. } if p == "NETWORK/PO2"
    ));
    assert_eq!(v[8].event, DispatchEvent::Other);
    let doc = dump_json("dispatch.log", TextFileKind::DispatchLog);
    assert_eq!(doc["records"][1]["event"]["process"], "NSDA -RT");
    assert_eq!(doc["records"][1]["event"]["postoffice"], "NETWORK/PO1");
}

#[test]
fn schedule_round_trip_is_byte_identical() {
    let bytes = std::fs::read(fixture("mytimes.txt")).unwrap();
    let v = logs::parse_schedule(&text("mytimes.txt"), "mytimes.txt").unwrap();
    let mut out = Vec::new();
    logs::write_schedule(&v, &mut out).unwrap();
    assert_eq!(out, bytes);
    let doc = dump_json("mytimes.txt", TextFileKind::Schedule);
    assert_eq!(doc["schedule"][2]["command"], "NSDA -S");
    assert_eq!(doc["schedule"][2]["time"], "14:55");
}

#[test]
fn bad_inputs_are_input_errors_with_line_and_column() {
    let e = logs::parse_log(&text("bad_date.log"), "bad_date.log").unwrap_err();
    match e {
        Error::Input { file, location, .. } => {
            assert_eq!(file, "bad_date.log");
            assert_eq!(location, Location::Line { line: 2, column: 4 });
        }
        other => panic!("{other}"),
    }
    let e = dsmsg::read_message(&fixture("bad_seq.msg"), TextEncoding::Cp850).unwrap_err();
    assert_eq!(e.exit_code(), 3);
    match e {
        Error::Input { location, .. } => {
            assert_eq!(location, Location::Line { line: 4, column: 8 })
        }
        other => panic!("{other}"),
    }
    let mut out = Vec::new();
    let e =
        dump_text_file(&fixture("bad_date.log"), TextFileKind::Log, true, &mut out).unwrap_err();
    assert!(e.to_string().contains("line 2, column 4"), "{e}");
}

#[test]
fn message_framing_of_fixtures() {
    let body = text("export_q106623.msg");
    let (m, raws) = dsmsg::frame_message(&body, "x").unwrap();
    assert_eq!(m.header("to"), Some("CSI:net/po/$system"));
    assert_eq!(m.task, Some(dsmsg::Task::Export));
    assert_eq!(m.numbers().reqseq, Some(1199));
    assert_eq!(m.numbers().srvseq, Some(50));
    assert_eq!(
        m.requestor().map(|s| s.to_string()).as_deref(),
        Some("PCM:net/po")
    );
    assert_eq!(raws.len(), 3);
    assert_eq!(raws[1].sync, Some(1201));
    assert_eq!(
        raws[1].text,
        "A Müller, Jürgen PCM:net/po/jmuller\n- Phone:/(206) 555-0100\n- City//ST//Zip:/Any City, 12345"
    );
    assert_eq!(raws[2].text, "D Old, Account PCM:net/po/oldacct");
}
