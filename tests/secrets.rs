//! Secrets over every command: a distinctive requestor password is planted
//! byte by byte in every REQCONF.GLB and in every requestor record of
//! SRVCONF.GLB of a copy of fixtures/restore (offsets from docs/formats.md:
//! REQCONF 53, SRVCONF 1024 + 1024 × record + 53, `str[9]`), and in the
//! never-decoded ACCESS.GLB and ACCESS3.GLB. A second copy holds another
//! password. Every command runs over them (with `-vv`, so that stderr says
//! all it can); the password — raw bytes, upper and lower case, hex and
//! base64 — appears in no stdout, no stderr and no file written, except the
//! repaired server tree's own REQCONF.GLB / SRVCONF.GLB (and the ACCESS
//! files copied verbatim), which must carry them unchanged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::fs::{copy_dir, files_under};

const SECRET_A: &str = "ZQ7XKPWD";
const SECRET_B: &str = "YV3MTRQJ";

fn forms(secret: &str) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    let mut v = vec![
        secret.as_bytes().to_vec(),
        secret.to_lowercase().into_bytes(),
        hex.clone().into_bytes(),
        hex.to_uppercase().into_bytes(),
        b64.encode(secret).trim_end_matches('=').as_bytes().to_vec(),
    ];
    // UTF-16 (a UTF-16 output would hide it from a plain byte search).
    v.push(secret.bytes().flat_map(|b| [b, 0]).collect());
    v
}

/// Panics when any form of either secret appears in `bytes`.
fn assert_no_secret(what: &str, bytes: &[u8]) {
    for secret in [SECRET_A, SECRET_B] {
        for f in forms(secret) {
            let lower: Vec<u8> = bytes.to_ascii_lowercase();
            let f_lower = f.to_ascii_lowercase();
            assert!(
                !lower.windows(f.len()).any(|w| w == f_lower.as_slice()),
                "{what}: the password {secret} appears (as {:?})",
                String::from_utf8_lossy(&f)
            );
        }
    }
}

fn contains(bytes: &[u8], secret: &str) -> bool {
    bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
}

fn plant(bytes: &mut [u8], at: usize, secret: &str) {
    let field = &mut bytes[at..at + 9];
    field.fill(0);
    field[..secret.len()].copy_from_slice(secret.as_bytes());
}

/// A copy of fixtures/restore at `to` with `secret` planted everywhere a
/// password lives. Returns how many fields were planted.
fn planted_copy(to: &Path, secret: &str) -> usize {
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/restore"),
        to,
    );
    let mut n = 0;
    for f in files_under(to) {
        let name = f.file_name().unwrap().to_string_lossy().to_uppercase();
        let mut b = std::fs::read(&f).unwrap();
        match name.as_str() {
            "REQCONF.GLB" => {
                assert_eq!(b.len(), 512);
                plant(&mut b, 53, secret);
                n += 1;
            }
            "SRVCONF.GLB" => {
                let records = (b.len() - 1024) / 1024;
                for i in 0..records {
                    let at = 1024 + i * 1024;
                    if b[at] == 1 {
                        plant(&mut b, at + 53, secret);
                        n += 1;
                    }
                }
            }
            // Never decoded: whatever the bytes, they must never be shown.
            "ACCESS.GLB" | "ACCESS3.GLB" if b.len() >= 64 => {
                plant(&mut b, 12, secret);
                n += 1;
            }
            _ => continue,
        }
        std::fs::write(&f, b).unwrap();
    }
    n
}

struct World {
    _dir: tempfile::TempDir,
    a: PathBuf,
    b: PathBuf,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    assert!(planted_copy(&a, SECRET_A) >= 8);
    planted_copy(&b, SECRET_B);
    World { _dir: dir, a, b }
}

/// Runs msmail with `args` in a fresh output folder; asserts no secret in
/// stdout, stderr or any file written (but those `allowed` returns true
/// for, by path relative to the output folder). Returns stdout and the files.
fn run(
    args: &[String],
    allowed: &dyn Fn(&str) -> bool,
) -> (Option<i32>, String, BTreeMap<String, Vec<u8>>) {
    let out_dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_msmail"))
        .arg("-vv")
        .args(args)
        .current_dir(out_dir.path())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{args:?}: {out:?}"
    );
    assert_no_secret(&format!("{args:?} stdout"), &out.stdout);
    assert_no_secret(&format!("{args:?} stderr"), &out.stderr);
    let mut files = BTreeMap::new();
    for f in files_under(out_dir.path()) {
        let rel = f
            .strip_prefix(out_dir.path())
            .unwrap()
            .display()
            .to_string();
        let bytes = std::fs::read(&f).unwrap();
        if !allowed(&rel) {
            assert_no_secret(&format!("{args:?} wrote {rel}"), &bytes);
        }
        files.insert(rel, bytes);
    }
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        files,
    )
}

fn none(_: &str) -> bool {
    false
}

fn a(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn dump_and_export_never_show_a_password() {
    let w = world();
    for f in files_under(&w.a) {
        for extra in [&[][..], &["--json"], &["--check"]] {
            let mut args = a(&["dump", &p(&f)]);
            args.extend(a(extra));
            run(&args, &none);
        }
    }
    // The LISTDS views still say whether one is set.
    let (_, out, _) = run(
        &a(&["dump", &p(&w.a.join("server/GLB/SRVCONF.GLB"))]),
        &none,
    );
    assert!(out.contains("Password set"), "{out}");
    let (_, out, _) = run(
        &a(&[
            "dump",
            &p(&w.a.join("requestors/EUROPE-OSLO/REQCONF.GLB")),
            "--json",
        ]),
        &none,
    );
    assert!(out.contains("\"password_set\": true"), "{out}");

    let sources = [
        w.a.join("server"),
        w.a.join("requestors/EUROPE-OSLO"),
        w.a.join("requestors/AMERICAS-SEVILLA"),
        w.a.join("requestors/AMERICAS-BERGEN"),
    ];
    let formats: &[&[&str]] = &[
        &["--format", "csv"],
        &["--format", "csv", "--csv-profile", "exchange"],
        &[
            "--format",
            "csv",
            "--csv-profile",
            "ad",
            "--base-dn",
            "DC=c,DC=d",
        ],
        &["--format", "ldif"],
        &[
            "--format",
            "ldif",
            "--schema",
            "ad",
            "--base-dn",
            "DC=c,DC=d",
        ],
        &["--format", "json"],
        &["--format", "import"],
        &["--format", "gimport"],
    ];
    for src in &sources {
        for f in formats {
            let mut args = a(&["export", &p(src)]);
            args.extend(a(f));
            args.extend(a(&["-o", "out"]));
            run(&args, &none);
        }
    }
    run(
        &a(&[
            "export",
            &p(&w.a.join("server")),
            "--list",
            "pals",
            "--format",
            "csv",
        ]),
        &none,
    );
}

#[test]
fn inspect_and_diff_never_show_a_password() {
    let w = world();
    let mut inputs = vec![p(&w.a.join("server"))];
    for e in std::fs::read_dir(w.a.join("requestors")).unwrap() {
        inputs.push(p(&e.unwrap().path()));
    }
    inputs.sort();
    for fmt in ["text", "json"] {
        let mut args = a(&["inspect"]);
        args.extend(inputs.iter().cloned());
        args.extend(a(&["--format", fmt]));
        run(&args, &none);
    }
    let pairs = [
        ("server", "server"),
        ("server/GLB/SRVCONF.GLB", "server/GLB/SRVCONF.GLB"),
        ("server/GLB/REQCONF.GLB", "server/GLB/REQCONF.GLB"),
        (
            "requestors/EUROPE-OSLO/REQCONF.GLB",
            "requestors/EUROPE-OSLO/REQCONF.GLB",
        ),
        ("requestors/EUROPE-OSLO", "requestors/EUROPE-OSLO"),
        ("requestors/AMERICAS-SEVILLA", "requestors/AMERICAS-SEVILLA"),
        ("server/GLB/ACCESS.GLB", "server/GLB/ACCESS.GLB"),
    ];
    for (x, y) in pairs {
        for fmt in ["text", "json", "html"] {
            let args = a(&["diff", &p(&w.a.join(x)), &p(&w.b.join(y)), "--format", fmt]);
            let (code, out, _) = run(&args, &none);
            if x.ends_with("CONF.GLB") {
                // Only the password differs: said, never shown.
                assert_eq!(code, Some(1), "{args:?}");
                assert!(out.contains("set (different)"), "{args:?}: {out}");
            }
        }
    }
}

#[test]
fn reconcile_and_batch_never_show_a_password() {
    let w = world();
    let mut args = a(&["reconcile", "--server", &p(&w.a.join("server"))]);
    args.push("--requestor".into());
    let mut reqs: Vec<String> = std::fs::read_dir(w.a.join("requestors"))
        .unwrap()
        .map(|e| p(&e.unwrap().path()))
        .collect();
    reqs.sort();
    args.extend(reqs);
    args.push(format!(
        "EUROPE/PARIS={}",
        p(&w.a.join("requestors/EUROPE-PARIS"))
    ));
    run(&args, &none);
    let mut json = args.clone();
    json.extend(a(&["--format", "json", "--report", "hole.json"]));
    run(&json, &none);
    // The repaired server tree carries the configuration files (and the
    // ACCESS files) with their passwords unchanged; nothing else may.
    let carried = |rel: &str| {
        [
            "out/server/GLB/REQCONF.GLB",
            "out/server/GLB/SRVCONF.GLB",
            "out/server/GLB/ACCESS.GLB",
            "out/server/GLB/ACCESS3.GLB",
        ]
        .contains(&rel)
    };
    let mut out = args.clone();
    out.extend(a(&["--out-dir", "out", "--report", "hole.json"]));
    let (code, _, files) = run(&out, &carried);
    assert_eq!(code, Some(0));
    let srv = files
        .get("out/server/GLB/SRVCONF.GLB")
        .expect("SRVCONF.GLB");
    let input = std::fs::read(w.a.join("server/GLB/SRVCONF.GLB")).unwrap();
    for i in 0..(input.len() - 1024) / 1024 {
        let at = 1024 + i * 1024 + 53;
        assert_eq!(
            srv[at..at + 9],
            input[at..at + 9],
            "record {i}: password kept"
        );
    }
    assert!(contains(srv, SECRET_A));
    if let Some(req) = files.get("out/server/GLB/REQCONF.GLB") {
        assert_eq!(
            req[53..62],
            std::fs::read(w.a.join("server/GLB/REQCONF.GLB")).unwrap()[53..62]
        );
    }
    for f in ["out/server/GLB/ACCESS.GLB", "out/server/GLB/ACCESS3.GLB"] {
        if let Some(b) = files.get(f) {
            let name = f.rsplit('/').next().unwrap();
            assert_eq!(
                b,
                &std::fs::read(w.a.join("server/GLB").join(name)).unwrap()
            );
        }
    }

    let mut sources = vec![p(&w.a.join("server"))];
    for e in std::fs::read_dir(w.a.join("requestors")).unwrap() {
        sources.push(p(&e.unwrap().path()));
    }
    sources.sort();
    for fmt in ["csv", "ldif", "json", "import"] {
        let mut args = a(&["batch", "--format", fmt, "--out-dir", "conv"]);
        args.extend(sources.iter().cloned());
        let (_, _, files) = run(&args, &none);
        assert!(files.contains_key("conv/summary.json"));
    }
}

#[test]
fn the_search_finds_a_planted_password() {
    // Negative control: the planted files hold the password in every form the
    // search looks for, so a clean output above means it was never shown.
    let w = world();
    let srv = std::fs::read(w.a.join("server/GLB/SRVCONF.GLB")).unwrap();
    assert!(std::panic::catch_unwind(|| assert_no_secret("SRVCONF", &srv)).is_err());
    let lower = SECRET_B.to_lowercase();
    assert!(std::panic::catch_unwind(|| assert_no_secret("x", lower.as_bytes())).is_err());
    assert!(std::panic::catch_unwind(|| assert_no_secret("x", b"5a5137584b505744")).is_err());
    assert_no_secret("x", b"nothing here");
}
