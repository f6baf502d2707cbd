//! Hostile text: a name holding ESC sequences, CR, BEL, DEL and a C1 control
//! reaches no text view raw (LISTQ, LISTDS, table dumps, the import-text dump,
//! `inspect` text, `diff` text, the `reconcile` report and report.txt, messages
//! on stderr), while the data outputs (CSV, JSON, LDIF, dump --json) carry
//! the exact value. Inputs are built byte by byte (docs/formats.md).

mod common;
use std::path::Path;

use common::bytes::{crc16_arc, nme};
use common::cli::run_in as msmail;
use common::fs::copy_dir;

/// The hostile name as the data holds it (UTF-8 import text): clear screen,
/// a carriage return that would overwrite the line, a bell, DEL, CSI (C1).
const NAME: &str = "Evil\u{1b}[2J\rName\u{7}\u{7f}\u{9b}X";
/// The same name in a CP850 file: CP850 has no C1 controls (0x80-0x9F are
/// letters there), so the C1 travels only through the UTF-8 import text.
const NAME_850: &[u8] = b"Evil\x1b[2J\rName\x07\x7fX";
/// A hostile template value.
const VALUE: &str = "555\u{1b}[31m";

/// No control character in `bytes` but LF, TAB and the CR of a CR LF.
fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let control = matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}');
        let layout = c == '\n' || c == '\t' || (c == '\r' && chars.peek() == Some(&'\n'));
        assert!(
            !control || layout,
            "{what}: control character {c:?} reaches the terminal:\n{text}"
        );
    }
    assert!(
        !bytes.windows(2).any(|w| w == [0xC2, 0x9B]) && !bytes.contains(&0x1b),
        "{what}"
    );
}

/// Runs a text view: exit `code`, stdout and stderr clean, stdout holding
/// `shown` (the escaped form).
fn text_view(dir: &Path, args: &[&str], code: i32, shown: &[&str]) -> String {
    let out = msmail(dir, args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
    assert_clean(&format!("{args:?} stdout"), &out.stdout);
    assert_clean(&format!("{args:?} stderr"), &out.stderr);
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    for x in shown {
        assert!(s.contains(x), "{args:?}: {x:?} not in\n{s}");
    }
    s
}

fn import_text(name: &str) -> Vec<u8> {
    let mut b = b"\xEF\xBB\xBFR PCM:NET/PO1\r\n".to_vec();
    b.extend_from_slice(format!("A {name:<31}  PCM:NET/PO1/EVIL\r\n").as_bytes());
    b.extend_from_slice(format!("- Phone:/{VALUE}\r\n").as_bytes());
    b.extend_from_slice(b"A Good, Guy                        PCM:NET/PO1/GOOD\r\n");
    b
}

/// One transaction record, laid out by hand (docs/formats.md, "Transaction
/// streams"): sync, stamp, CRC-16/ARC, length, op, flags, origin, reserved,
/// text, NUL.
fn record(sync: u32, op: u8, flags: u8, text: &[u8]) -> Vec<u8> {
    let mut r = Vec::new();
    r.extend_from_slice(&sync.to_le_bytes());
    r.extend_from_slice(&831_380_400u32.to_le_bytes());
    r.extend_from_slice(&crc16_arc(text).to_le_bytes());
    r.extend_from_slice(&(text.len() as u16).to_le_bytes());
    r.push(op);
    r.push(flags);
    let mut origin = [0u8; 22];
    origin[..7].copy_from_slice(b"NET/PO1");
    r.extend_from_slice(&origin);
    r.extend_from_slice(&[0; 12]);
    r.extend_from_slice(text);
    r.push(0);
    r
}

fn stream(name: &[u8]) -> Vec<u8> {
    let mut text = b"A ".to_vec();
    text.extend_from_slice(name);
    text.extend_from_slice(b"   PCM:NET/PO1/EVIL\r\n- Phone:/555\x1b[31m");
    let mut b = record(1, b'A', 1, &text);
    b.extend(record(
        2,
        b'A',
        0,
        b"A Good, Guy                        PCM:NET/PO1/GOOD",
    ));
    b
}

#[test]
fn import_text_views_escape_and_data_outputs_keep_the_value() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(p.join("a.txt"), import_text(NAME)).unwrap();
    std::fs::write(
        p.join("b.txt"),
        import_text(&format!("{NAME}\u{1b}]0;t\u{7}")),
    )
    .unwrap();
    let escaped = "Evil\\x1B[2J\\rName\\x07\\x7F\\x9BX";

    text_view(p, &["dump", "a.txt"], 0, &[escaped, "555\\x1B[31m"]);
    text_view(p, &["inspect", "a.txt"], 0, &[]);
    text_view(
        p,
        &["diff", "a.txt", "b.txt"],
        1,
        &[escaped, "\\x1B]0;t\\x07"],
    );

    // Data outputs: the exact value.
    let out = msmail(p, &["export", "a.txt", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entries"][0]["full_name"], NAME);
    assert_eq!(v["entries"][0]["template"][0]["value"], VALUE);
    let out = msmail(p, &["export", "a.txt", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.contains(&format!("\"{NAME}\"")), "{csv:?}");
    assert!(csv.contains(VALUE), "{csv:?}");
    let out = msmail(p, &["dump", "a.txt", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(serde_json::to_string(&v)
        .unwrap()
        .contains(serde_json::to_string(NAME).unwrap().trim_matches('"')));
    let out = msmail(p, &["diff", "a.txt", "b.txt", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(serde_json::to_string(&v)
        .unwrap()
        .contains(serde_json::to_string(NAME).unwrap().trim_matches('"')));
    // LDIF: a value with CR is base64 (RFC 2849), exact.
    let out = msmail(p, &["export", "a.txt", "--format", "ldif"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let ldif = String::from_utf8(out.stdout).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(NAME);
    assert!(ldif.contains(&format!("cn:: {b64}\n")), "{ldif}");
    // batch: its messages are clean, its output exact.
    let out = msmail(
        p,
        &["batch", "--format", "csv", "--out-dir", "conv", "a.txt"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_clean("batch stderr", &out.stderr);
    let csv = std::fs::read_to_string(p.join("conv/a.csv")).unwrap();
    assert!(csv.contains(NAME), "{csv:?}");
}

#[test]
fn transaction_stream_views_escape_and_data_outputs_keep_the_value() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::create_dir_all(p.join("a")).unwrap();
    std::fs::create_dir_all(p.join("b")).unwrap();
    std::fs::write(p.join("a/REQTRANS.GLB"), stream(NAME_850)).unwrap();
    std::fs::write(p.join("b/REQTRANS.GLB"), stream(b"Evil\x1b[5mBlink")).unwrap();
    let escaped = "Evil\\x1B[2J\\rName\\x07\\x7FX";

    text_view(
        p,
        &["dump", "a/REQTRANS.GLB"],
        0,
        &[escaped, "555\\x1B[31m"],
    );
    text_view(p, &["dump", "--check", "a/REQTRANS.GLB"], 0, &[]);
    text_view(p, &["inspect", "a/REQTRANS.GLB"], 0, &[]);
    text_view(
        p,
        &["diff", "a/REQTRANS.GLB", "b/REQTRANS.GLB"],
        1,
        &[escaped, "Evil\\x1B[5mBlink"],
    );

    let exact = String::from_utf8(NAME_850.to_vec()).unwrap();
    let out = msmail(p, &["dump", "a/REQTRANS.GLB", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["records"][0]["text"].as_str().unwrap().contains(&exact),
        "{v}"
    );
    let out = msmail(p, &["export", "a/REQTRANS.GLB", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entries"][0]["full_name"], exact.as_str());
    let out = msmail(p, &["export", "a/REQTRANS.GLB", "--format", "csv"]);
    assert!(String::from_utf8(out.stdout).unwrap().contains(&exact));
}

#[test]
fn listds_and_table_views_escape() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    // REQCONF.GLB: server and address types hostile.
    let mut req = vec![0u8; 512];
    req[0] = 1;
    req[2..2 + 9].copy_from_slice(b"NET/\x1b[2J\r");
    req[62..62 + 8].copy_from_slice(b"SMTP\x07\x9b|X");
    std::fs::write(p.join("REQCONF.GLB"), &req).unwrap();
    text_view(p, &["dump", "REQCONF.GLB"], 0, &["NET/\\x1B[2J\\r"]);
    let out = msmail(p, &["dump", "REQCONF.GLB", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["server"], "NET/\u{1b}[2J\r");
    // SRVCONF.GLB: a requestor name hostile.
    let mut srv = vec![0u8; 2048];
    srv[0] = 1;
    srv[1024] = 1;
    srv[1025..1025 + 15].copy_from_slice(b"PCM:NET/\x1b[2JPO\x07");
    std::fs::write(p.join("SRVCONF.GLB"), &srv).unwrap();
    text_view(p, &["dump", "SRVCONF.GLB"], 0, &["PCM:NET/\\x1B[2JPO\\x07"]);
    // A tree list file: ADMIN.NME with the name.
    std::fs::create_dir_all(p.join("NME")).unwrap();
    let mut nme_file = nme("Evil\x1b[2J\rName\x07", 1, 0, 0);
    nme_file.extend(nme("Good, Guy", 2, 0, 0));
    std::fs::write(p.join("NME/ADMIN.NME"), &nme_file).unwrap();
    text_view(
        p,
        &["dump", "NME/ADMIN.NME"],
        0,
        &["Evil\\x1B[2J\\rName\\x07"],
    );
    let out = msmail(p, &["dump", "NME/ADMIN.NME", "--json"]);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("Evil\\u001b[2J\\rName\\u0007"));
}

#[test]
fn reconcile_report_escapes_and_merged_outputs_keep_the_value() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("fixtures/restore"), &p.join("restore"));
    // AMERICAS/GENEVE's export holds an entry the server lost: the hostile one.
    let export = p.join("restore/requestors/AMERICAS-GENEVE/EXPORT.TXT");
    let mut b = std::fs::read(&export).unwrap();
    b.extend_from_slice(b"A ");
    b.extend_from_slice(NAME_850);
    b.extend_from_slice(b"                   PCM:AMERICAS/GENEVE/EVIL\r\n");
    std::fs::write(&export, b).unwrap();
    let args = reconcile_args();
    let mut with_out = args.clone();
    // MS Mail files cannot carry a CR in a name: the repaired tree gets
    // spaces, the CSV / JSON / LDIF outputs the exact value.
    with_out.extend(["--out-dir", "repair", "--control-chars", "space"].map(String::from));
    let escaped = "Evil\\x1B[2J\\rName\\x07\\x7FX";
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    text_view(&p.join("restore"), &args, 0, &[escaped]);
    let with_out: Vec<&str> = with_out.iter().map(String::as_str).collect();
    text_view(&p.join("restore"), &with_out, 0, &[escaped]);
    let report = std::fs::read(p.join("restore/repair/report.txt")).unwrap();
    assert_clean("report.txt", &report);
    let exact = String::from_utf8(NAME_850.to_vec()).unwrap();
    let merged = std::fs::read_to_string(p.join("restore/repair/merged.csv")).unwrap();
    assert!(merged.contains(&exact));
    let json = std::fs::read_to_string(p.join("restore/repair/merged.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["full_name"] == exact.as_str()));
}

/// The README's first command, relative to fixtures/restore.
pub fn reconcile_args() -> Vec<String> {
    let mut a: Vec<String> = vec!["reconcile".into(), "--server".into(), "server".into()];
    a.push("--requestor".into());
    let mut reqs: Vec<String> = std::fs::read_dir(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/restore/requestors"),
    )
    .unwrap()
    .map(|e| format!("requestors/{}", e.unwrap().file_name().to_string_lossy()))
    .collect();
    reqs.sort();
    a.extend(reqs);
    a.push("EUROPE/PARIS=requestors/EUROPE-PARIS".into());
    a
}
