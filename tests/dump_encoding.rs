//! `msmail dump --encoding` for text files.

use std::process::Command;

#[test]
fn utf8_log_reads_with_encoding_option() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("DIRSYNC.LOG");
    std::fs::write(
        &log,
        "03/22/94 15:43:45 | Warning[ 27] Alias already exists Müller, Jörg\r\n",
    )
    .unwrap();
    let dump = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_msmail"))
            .arg("dump")
            .arg(&log)
            .args(["--json"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(dump(&["--encoding", "utf-8"]).contains("Müller, Jörg"));
    // Read as CP850 (the default), the UTF-8 bytes are other characters.
    assert!(!dump(&[]).contains("Müller"));
}
