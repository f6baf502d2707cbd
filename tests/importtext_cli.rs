//! The binary on bad import text: exit 3, and a message naming file, line and column.

use std::process::Command;

fn export(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_msmail"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("export")
        .args(args)
        .output()
        .expect("run msmail");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_inputs_exit_3_with_file_line_and_column() {
    let cases = [
        (
            "fixtures/import/bad/no-address.txt",
            &[][..],
            "line 2, column 3: no address",
        ),
        (
            "fixtures/import/bad/unknown-op.txt",
            &[][..],
            "line 2, column 1: unknown operation 'X'",
        ),
        (
            "fixtures/import/bad/orphan-template.txt",
            &[][..],
            "line 1, column 1: template data `- prompt/value` has no A or M entry",
        ),
        (
            "fixtures/import/bad/not-utf8.txt",
            &["--encoding", "utf-8"][..],
            "line 1, column 4: byte 0x81 at byte offset 3 is not valid UTF-8",
        ),
    ];
    for (file, extra, expected) in cases {
        let mut args = vec![file, "--to", "csv"];
        args.extend_from_slice(extra);
        let (code, stderr) = export(&args);
        assert_eq!(code, 3, "{file}: {stderr}");
        assert!(stderr.contains(file), "{file}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{file}: expected {expected:?} in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn the_same_cp850_file_reads_in_its_own_encoding() {
    let (code, stderr) = export(&["fixtures/import/bad/not-utf8.txt", "--to", "json"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn kb_shapes_fixture_gives_the_documented_directory() {
    let out = Command::new(env!("CARGO_BIN_EXE_msmail"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["export", "fixtures/import/kb-shapes.txt", "--to", "import"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = msmail::codepage::decode_cp850(&out.stdout).into_owned();
    // M renamed TEMP1 → PERM1, D removed TEMP2, R emptied BOSTON before TWO was added.
    assert!(text.contains("A Permanent One                  PCM:WESTNET/PORTLAND/PERM1\r\n"));
    assert!(!text.contains("TEMP1") && !text.contains("TEMP2"));
    assert!(text.contains("PCM:EASTNET/BOSTON/TWO") && !text.contains("BOSTON/ONE"));
    // CSI: is read as PCM:, so `R PCM:EASTNET/BOSTON` removed the CSI entry too.
    assert!(!text.contains("LEGACY"));
    // Accents survive CP850; template data is re-escaped.
    assert!(text.contains("A Müller, Jörg"));
    assert!(text.contains("- City//ST//Zip:/Any City, Any State, 12345\r\n"));
    // Template definition written first.
    // Template definition written first, `T TYPE: body` as Q104281 prints it,
    // and a blank line before the entries as in Q118447.
    assert!(text.starts_with("T SNADS: SNADSGATE/SNADSDGN\r\nDivision:~15~25~A~~\r\n"));
    assert!(text.contains("City/ST/Zip:~15~40~A~~\r\n\r\nA "));
}
