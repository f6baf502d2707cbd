//! Running the msmail binary of this build from integration tests, and the
//! argument lists several tests give `msmail reconcile`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The msmail binary of this build, ready for arguments.
pub fn msmail() -> Command {
    Command::new(env!("CARGO_BIN_EXE_msmail"))
}

/// Runs msmail with `args` and waits for it.
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> Output {
    msmail().args(args).output().expect("run msmail")
}

/// Runs msmail with `args` in the folder `dir` (where it writes by default).
pub fn run_in<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Output {
    msmail()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run msmail")
}

/// Runs msmail in the crate's folder, so that `fixtures/...` paths work.
pub fn run_in_crate<S: AsRef<OsStr>>(args: &[S]) -> Output {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Exit code, stdout and stderr (lossy UTF-8) of a run.
pub fn outcome(o: &Output) -> (Option<i32>, String, String) {
    (o.status.code(), stdout(o), stderr(o))
}

/// A run's stdout as text (lossy UTF-8).
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A run's stderr as text (lossy UTF-8).
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The committed restore scenario, `fixtures/restore`.
pub fn restore_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/restore")
}

/// Every requestor folder of a restore scenario under `root`, sorted, as
/// `--requestor` values; an extract's folder is bound to its postoffice
/// (`NET/PO=PATH`: an extract cannot name its own).
pub fn requestor_args(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root.join("requestors"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.join("EXTRACT.TXT").exists() {
                let name = p
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .replacen('-', "/", 1);
                format!("{name}={}", p.display())
            } else {
                p.display().to_string()
            }
        })
        .collect();
    v.sort();
    v
}

/// The README's reconcile of the restore fixture as laid out in `dir`: every
/// requestor folder, then the extract bound (`EUROPE/PARIS=...`,
/// docs/decisions.md), then `extra`.
pub fn readme_reconcile_args(dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut a = vec![
        "reconcile".to_string(),
        "--server".into(),
        dir.join("server").display().to_string(),
        "--requestor".into(),
    ];
    let mut reqs: Vec<String> = std::fs::read_dir(dir.join("requestors"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    reqs.sort();
    a.extend(reqs);
    a.push(format!(
        "EUROPE/PARIS={}",
        dir.join("requestors/EUROPE-PARIS").display()
    ));
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// Runs msmail with `args`; panics with its stderr unless it succeeds.
pub fn run_ok<S: AsRef<OsStr>>(args: &[S]) -> Output {
    let out = run(args);
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

/// Runs msmail with `args`, `input` on its stdin.
pub fn run_stdin<S: AsRef<OsStr>>(args: &[S], input: &[u8]) -> Output {
    feed(msmail().args(args), input)
}

/// Runs msmail with `args` in the folder `dir`, `input` on its stdin.
pub fn run_in_stdin<S: AsRef<OsStr>>(dir: &Path, args: &[S], input: &[u8]) -> Output {
    feed(msmail().current_dir(dir).args(args), input)
}

fn feed(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run msmail");
    // A child that stops reading early closes the pipe: what it did is then
    // judged by its exit code and output, not by a broken-pipe panic here.
    match child.stdin.take().unwrap().write_all(input) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.unwrap(),
    }
    child.wait_with_output().unwrap()
}
