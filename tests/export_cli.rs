//! `msmail export` run as a binary: every target format, `-o` atomic and
//! refusing to overwrite, merging sources, limits on stderr, determinism.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::run as msmail;
use msmail::export::csv::read_csv;
use msmail::export::json::read_json;
use msmail::export::ldif::read_ldif_directory;
use msmail::model::{Address, Directory};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import/kb-shapes.txt")
}

fn export(extra: &[&str]) -> Output {
    let f = fixture();
    let mut args: Vec<&std::ffi::OsStr> = vec!["export".as_ref(), f.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    msmail(&args)
}

fn key(a: &str) -> msmail::AddressKey {
    Address::parse(a).unwrap().key()
}

/// What the fixture holds after its A/M/D/R operations.
fn check_fixture_directory(d: &Directory) {
    let mueller = d.get(&key("PCM:WESTNET/SEATTLE/JMUELLER")).unwrap();
    assert_eq!(mueller.full_name, "Müller, Jörg");
    let formula = d.get(&key("PCM:WESTNET/SEATTLE/FORMULA")).unwrap();
    assert_eq!(formula.full_name, "=HYPERLINK(\"http://x\")");
    let john = d.get(&key("SNADS:SNADSGATE/SNADSDGN/JOHNDOE")).unwrap();
    assert_eq!(john.template.len(), 3);
    assert_eq!(john.template[2].prompt, "City/ST/Zip:");
    assert!(d.get(&key("PCM:WESTNET/PORTLAND/PERM1")).is_some());
    assert!(d.get(&key("PCM:WESTNET/PORTLAND/TEMP1")).is_none());
    assert!(d.get(&key("PCM:WESTNET/PORTLAND/TEMP2")).is_none());
    assert!(d.get(&key("PCM:EASTNET/BOSTON/ONE")).is_none());
}

#[test]
fn csv_to_stdout_reads_back_and_guards_formulas() {
    let out = export(&["--to", "csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(text.starts_with("full_name,address,type,network,postoffice,mailbox,kind,scope,"));
    assert!(text.contains("\r\n\"'=HYPERLINK(\"\"http://x\"\")\",PCM:WESTNET/SEATTLE/FORMULA,"));
    assert!(text.contains("\r\n'+1 Sales Desk,"));
    check_fixture_directory(&read_csv(&out.stdout, "stdout").unwrap());
}

#[test]
fn exchange_profile_has_proxy_addresses() {
    let out = export(&["--to", "csv", "--csv-profile", "exchange"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Obj-Class,Mode,Directory Name,"));
    assert!(text.contains(",~SERVER,,MS:WESTNET/SEATTLE/JMUELLER,"));
    assert!(text.contains("remote,Create,"));
}

#[test]
fn json_and_ndjson_read_back() {
    for extra in [&["--to", "json"][..], &["--to", "json", "--ndjson"][..]] {
        let out = export(extra);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        check_fixture_directory(&read_json(&out.stdout, "stdout").unwrap());
    }
}

#[test]
fn ldif_reads_back() {
    let out = export(&["--to", "ldif", "--base-dn", "o=Acme"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(
        "version: 1\n\ndn: o=Acme\nobjectClass: top\nobjectClass: organization\no: Acme\n"
    ));
    check_fixture_directory(&read_ldif_directory(&text, "stdout").unwrap());
}

#[test]
fn import_target_writes_import_text() {
    let out = export(&["--to", "import"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.windows(16).any(|w| w == b"PCM:WESTNET/SEAT"));
    assert!(out.stdout.windows(2).any(|w| w == b"\r\n"));
}

#[test]
fn output_file_is_atomic_and_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.csv");
    let t = target.to_str().unwrap();
    let first = export(&["--to", "csv", "-o", t]);
    assert!(first.status.success());
    assert!(first.stdout.is_empty(), "data went to stdout with -o");
    let before = std::fs::read(&target).unwrap();
    let again = export(&["--to", "json", "-o", t]);
    assert_eq!(again.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(
        std::fs::read(&target).unwrap(),
        before,
        "file changed without --force"
    );
    let forced = export(&["--to", "json", "-o", t, "--force"]);
    assert!(forced.status.success());
    assert!(std::fs::read(&target).unwrap().starts_with(b"{"));
    // Only the output itself: no temporary files left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn two_runs_are_byte_identical() {
    for to in ["csv", "ldif", "json", "import"] {
        let a = export(&["--to", to]);
        let b = export(&["--to", to]);
        assert!(a.status.success());
        assert_eq!(a.stdout, b.stdout, "{to} output differs between runs");
    }
}

#[test]
fn later_source_wins_and_limits_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let second = dir.path().join("second.txt");
    std::fs::write(
        &second,
        b"A Administrator Renamed          PCM:WESTNET/SEATTLE/ADMIN\r\nA This name is far longer than thirty  PCM:WESTNET/SEATTLE/LONGNAME\r\n",
    )
    .unwrap();
    let f = fixture();
    let out = msmail(&[
        "export".as_ref(),
        f.as_os_str(),
        second.as_os_str(),
        "--to".as_ref(),
        "json".as_ref(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("later source wins"), "{stderr}");
    assert!(stderr.contains("full_name is"), "{stderr}");
    let d = read_json(&out.stdout, "stdout").unwrap();
    assert_eq!(
        d.get(&key("PCM:WESTNET/SEATTLE/ADMIN")).unwrap().full_name,
        "Administrator Renamed"
    );
}

#[test]
fn usage_and_input_errors_have_their_exit_codes() {
    let out = export(&["--to", "csv", "--base-dn", "o=x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = export(&["--to", "ldif", "--base-dn", "cn=x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = msmail(&["export", "/nonexistent/file.txt", "--to", "csv"]);
    assert_eq!(out.status.code(), Some(3));
    let help = msmail(&["export", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Examples:"));
}
