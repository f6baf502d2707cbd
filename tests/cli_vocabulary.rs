//! The shared vocabulary of the command line (docs/cli.md, "Vocabulary"),
//! run as a binary: every alias gives the same bytes as the option it stands
//! for, `-` reads standard input, `-q`/`-v` change only what goes to stderr,
//! the same error is said in the same words by every command, and the
//! completions and manual pages come from the same definitions.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::cli::{run_in as msmail_in, run_in_stdin as msmail_stdin, stderr};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// A folder with the KB-shapes import file as `a.txt`, a copy with one entry
/// more as `b.txt`, one with a full name over the MS Mail limit as
/// `long.txt`, an empty folder `empty/` and a generated tree `world/`.
fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let a = std::fs::read(fixture("import/kb-shapes.txt")).unwrap();
    std::fs::write(d.path().join("a.txt"), &a).unwrap();
    let mut b = a.clone();
    b.extend_from_slice(b"A New Person                   PCM:WESTNET/SEATTLE/NEWP\r\n");
    std::fs::write(d.path().join("b.txt"), &b).unwrap();
    std::fs::write(
        d.path().join("long.txt"),
        b"A This full name is longer than thirty characters\tPCM:N/P/LONG\r\n\
A Another name that is far too long for MS Mail\tPCM:N/P/LONG2\r\n",
    )
    .unwrap();
    std::fs::create_dir(d.path().join("empty")).unwrap();
    let g = msmail_in(
        d.path(),
        &[
            "generate",
            "--out-dir",
            "world",
            "--postoffices",
            "2",
            "--users",
            "4",
        ],
    );
    assert!(g.status.success(), "{g:?}");
    d
}

/// Runs each command line and asserts they all print the same bytes.
fn same_stdout(dir: &Path, lines: &[&[&str]]) {
    let first = msmail_in(dir, lines[0]);
    assert!(first.status.code().unwrap_or(9) <= 1, "{first:?}");
    assert!(!first.stdout.is_empty(), "{:?} printed nothing", lines[0]);
    for l in &lines[1..] {
        let o = msmail_in(dir, l);
        assert_eq!(o.status.code(), first.status.code(), "{l:?}: {o:?}");
        assert!(
            o.stdout == first.stdout,
            "{l:?} differs from {:?}",
            lines[0]
        );
    }
}

#[test]
fn format_to_and_json_are_one_option() {
    let d = setup();
    let p = d.path();
    same_stdout(
        p,
        &[
            &["export", "a.txt", "--format", "csv"],
            &["export", "a.txt", "--to", "csv"],
        ],
    );
    same_stdout(
        p,
        &[
            &["export", "a.txt", "--format", "json"],
            &["export", "a.txt", "--to", "json"],
            &["export", "a.txt", "--json"],
        ],
    );
    same_stdout(
        p,
        &[
            &["diff", "a.txt", "b.txt", "--format", "json"],
            &["diff", "a.txt", "b.txt", "--to", "json"],
            &["diff", "a.txt", "b.txt", "--json"],
        ],
    );
    same_stdout(
        p,
        &[
            &["diff", "a.txt", "b.txt"],
            &["diff", "a.txt", "b.txt", "--format", "text"],
        ],
    );
    for cmd in ["dump", "inspect"] {
        same_stdout(
            p,
            &[
                &[cmd, "a.txt", "--format", "json"],
                &[cmd, "a.txt", "--to", "json"],
                &[cmd, "a.txt", "--json"],
            ],
        );
        same_stdout(p, &[&[cmd, "a.txt"], &[cmd, "a.txt", "--format", "text"]]);
    }
    // --json with another --format is a usage error, as is no format for export.
    let o = msmail_in(p, &["diff", "a.txt", "b.txt", "--json", "--format", "html"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let o = msmail_in(p, &["export", "a.txt"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stderr(&o).contains("--format"), "{}", stderr(&o));
}

#[test]
fn batch_out_dir_and_its_aliases() {
    let d = setup();
    let p = d.path();
    let runs: [&[&str]; 3] = [
        &[
            "batch",
            "--format",
            "csv",
            "--out-dir",
            "one",
            "a.txt",
            "b.txt",
        ],
        &["batch", "--to", "csv", "--out", "two", "a.txt", "b.txt"],
        &["batch", "--format", "json", "--out-dir", "three", "a.txt"],
    ];
    for r in runs {
        let o = msmail_in(p, r);
        assert!(o.status.success(), "{r:?}: {o:?}");
    }
    for f in ["a.csv", "b.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(p.join("one").join(f)).unwrap(),
            std::fs::read(p.join("two").join(f)).unwrap(),
            "{f}"
        );
    }
    let json = msmail_in(p, &["batch", "--json", "--out-dir", "four", "a.txt"]);
    assert!(json.status.success(), "{json:?}");
    assert_eq!(
        std::fs::read(p.join("three/a.json")).unwrap(),
        std::fs::read(p.join("four/a.json")).unwrap()
    );
    let o = msmail_in(p, &["batch", "--format", "csv", "--out-dir", "five", "-"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stderr(&o).contains("standard input"));
}

#[test]
fn generate_out_dir_and_out_write_the_same_bytes() {
    let d = setup();
    let p = d.path();
    for (flag, dir) in [("--out-dir", "g1"), ("--out", "g2")] {
        let o = msmail_in(
            p,
            &[
                "generate",
                flag,
                dir,
                "--postoffices",
                "2",
                "--users",
                "4",
                "--seed",
                "3",
            ],
        );
        assert!(o.status.success(), "{o:?}");
    }
    assert_eq!(
        std::fs::read(p.join("g1/world.json")).unwrap(),
        std::fs::read(p.join("g2/world.json")).unwrap()
    );
}

#[test]
fn output_file_dash_and_force_everywhere() {
    let d = setup();
    let p = d.path();
    let lines: [&[&str]; 6] = [
        &["export", "a.txt", "--format", "csv"],
        &["dump", "a.txt"],
        &["inspect", "a.txt"],
        &["diff", "a.txt", "b.txt"],
        &["completions", "bash"],
        &["man"],
    ];
    for (i, l) in lines.iter().enumerate() {
        let plain = msmail_in(p, l);
        let file = format!("out{i}");
        let with = |extra: &[&str]| {
            let mut v: Vec<&str> = l.to_vec();
            v.extend_from_slice(extra);
            msmail_in(p, &v)
        };
        // -o - is standard output.
        let dash = with(&["-o", "-"]);
        assert_eq!(dash.stdout, plain.stdout, "{l:?} -o -");
        // -o FILE and --output FILE write the same bytes, atomically.
        let o = with(&["-o", &file]);
        assert_eq!(o.status.code(), plain.status.code(), "{l:?}: {o:?}");
        assert!(o.stdout.is_empty());
        assert_eq!(std::fs::read(p.join(&file)).unwrap(), plain.stdout, "{l:?}");
        // An existing FILE is kept without --force, in the same words everywhere.
        let again = with(&["--output", &file]);
        assert_eq!(again.status.code(), Some(4), "{l:?}: {again:?}");
        assert_eq!(
            stderr(&again),
            format!("msmail: error: {file}: already exists; use --force to replace it\n"),
            "{l:?}"
        );
        let forced = with(&["--output", &file, "--force"]);
        assert_eq!(
            forced.status.code(),
            plain.status.code(),
            "{l:?}: {forced:?}"
        );
    }
}

#[test]
fn dash_reads_standard_input() {
    let d = setup();
    let p = d.path();
    let a = std::fs::read(p.join("a.txt")).unwrap();
    for args in [
        vec!["export", "-", "--format", "csv"],
        vec!["dump", "-"],
        vec!["dump", "-", "--json"],
    ] {
        let from_file: Vec<&str> = args
            .iter()
            .map(|a| if *a == "-" { "a.txt" } else { a })
            .collect();
        let want = msmail_in(p, &from_file);
        let got = msmail_stdin(p, &args, &a);
        assert!(got.status.success(), "{args:?}: {got:?}");
        // dump names the file in its view: compare apart from the name.
        let norm = |o: &Output| String::from_utf8_lossy(&o.stdout).replace("<stdin>", "a.txt");
        assert_eq!(norm(&got), norm(&want), "{args:?}");
    }
    let diff = msmail_stdin(p, &["diff", "a.txt", "-"], &a);
    assert_eq!(diff.status.code(), Some(0), "{diff:?}");
    assert!(String::from_utf8_lossy(&diff.stdout).contains("B: <stdin>"));
    let inspect = msmail_stdin(p, &["inspect", "-"], &a);
    assert!(inspect.status.success(), "{inspect:?}");
    let text = String::from_utf8_lossy(&inspect.stdout);
    assert!(text.starts_with("<stdin>: import text"), "{text}");
    assert!(!text.contains(".msmail-stdin-"), "{text}");
    // Errors name standard input, not the temporary copy.
    let bad = msmail_stdin(p, &["export", "-", "--format", "csv"], b"garbage\r\n");
    assert_eq!(bad.status.code(), Some(3), "{bad:?}");
    assert!(
        stderr(&bad).starts_with("msmail: error: <stdin>: line 1, column 1:"),
        "{}",
        stderr(&bad)
    );
    let twice = msmail_stdin(p, &["diff", "-", "-"], &a);
    assert_eq!(twice.status.code(), Some(2), "{twice:?}");
    assert!(stderr(&twice).contains("standard input (-) can be named only once"));
}

#[test]
fn quiet_and_verbose_change_only_stderr() {
    let d = setup();
    let p = d.path();
    let normal = msmail_in(p, &["export", "long.txt", "--format", "csv"]);
    assert!(normal.status.success(), "{normal:?}");
    assert_eq!(
        stderr(&normal).matches("msmail: warning:").count(),
        2,
        "{}",
        stderr(&normal)
    );
    // -q before or after the command: data unchanged, warnings counted in one line.
    for args in [
        &["-q", "export", "long.txt", "--format", "csv"][..],
        &["export", "long.txt", "--format", "csv", "--quiet"][..],
    ] {
        let q = msmail_in(p, args);
        assert!(q.status.success());
        assert_eq!(q.stdout, normal.stdout);
        assert_eq!(
            stderr(&q),
            "msmail: 2 warnings not shown (-q); run without -q to see them\n"
        );
    }
    let v = msmail_in(p, &["export", "long.txt", "--format", "csv", "-v"]);
    assert_eq!(v.stdout, normal.stdout);
    assert!(
        stderr(&v).contains("msmail: long.txt: 2 entries"),
        "{}",
        stderr(&v)
    );
    // Errors are always printed.
    let e = msmail_in(p, &["-q", "dump", "missing.txt"]);
    assert_eq!(e.status.code(), Some(3));
    assert!(stderr(&e).contains("missing.txt: cannot read: no such file or folder"));
    // -q and -v together are a usage error.
    let both = msmail_in(p, &["-q", "-v", "diff", "a.txt", "b.txt"]);
    assert_eq!(both.status.code(), Some(2), "{both:?}");
    // Every command takes them.
    for cmd in [
        "export",
        "dump",
        "inspect",
        "diff",
        "batch",
        "generate",
        "reconcile",
        "completions",
        "man",
    ] {
        let h = msmail_in(p, &[cmd, "--help"]);
        let text = String::from_utf8_lossy(&h.stdout);
        assert!(
            text.contains("-q, --quiet") && text.contains("-v, --verbose"),
            "{cmd}"
        );
    }
    // generate's and batch's notes go with -q.
    let g = msmail_in(
        p,
        &[
            "-q",
            "generate",
            "--out-dir",
            "gq",
            "--postoffices",
            "2",
            "--users",
            "4",
        ],
    );
    assert!(g.status.success() && g.stderr.is_empty(), "{g:?}");
    let b = msmail_in(
        p,
        &["batch", "-q", "--format", "csv", "--out-dir", "bq", "a.txt"],
    );
    assert!(b.status.success() && b.stderr.is_empty(), "{b:?}");
}

#[test]
fn the_same_error_in_the_same_words() {
    let d = setup();
    let p = d.path();
    let missing = "msmail: error: nothere: cannot read: no such file or folder\n";
    for args in [
        &["dump", "nothere"][..],
        &["export", "nothere", "--format", "csv"][..],
        &["inspect", "nothere"][..],
        &["diff", "nothere", "a.txt"][..],
        &["diff", "a.txt", "nothere"][..],
    ] {
        let o = msmail_in(p, args);
        assert_eq!(o.status.code(), Some(3), "{args:?}");
        assert_eq!(stderr(&o), missing, "{args:?}");
    }
    let b = msmail_in(
        p,
        &["batch", "--format", "csv", "--out-dir", "bo", "nothere"],
    );
    assert_eq!(b.status.code(), Some(3));
    let summary = std::fs::read_to_string(p.join("bo/summary.json")).unwrap();
    assert!(
        summary.contains("nothere: cannot read: no such file or folder"),
        "{summary}"
    );
    // A folder where one file is needed.
    let o = msmail_in(p, &["dump", "empty"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        stderr(&o),
        "msmail: error: empty: cannot read: is a folder, not a file\n"
    );
    // A folder that is not a MAILDATA tree, where a tree is needed: one sentence.
    let not_tree = "a folder without GLB/MASTER.GLB is not a MAILDATA tree";
    for args in [
        &["export", "empty", "--format", "csv", "--list", "pol"][..],
        &["reconcile", "--server", "empty", "--requestor", "a.txt"][..],
    ] {
        let o = msmail_in(p, args);
        assert!(matches!(o.status.code(), Some(2 | 3)), "{args:?}");
        assert!(
            stderr(&o).starts_with("msmail: error: empty: "),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains(not_tree), "{args:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("MASTER.GLB: whole file: missing"),
            "{args:?}"
        );
    }
    // Any source: the folder is named, with what was expected in it.
    let o = msmail_in(p, &["export", "empty", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).starts_with("msmail: error: empty: "),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("GLB/MASTER.GLB"), "{}", stderr(&o));
    // reconcile: a missing server or requestor in the same words as elsewhere.
    for args in [
        &["reconcile", "--server", "nothere", "--requestor", "a.txt"][..],
        &[
            "reconcile",
            "--server",
            "world/server",
            "--requestor",
            "nothere",
        ][..],
    ] {
        let o = msmail_in(p, args);
        assert_eq!(o.status.code(), Some(3), "{args:?}");
        assert_eq!(stderr(&o), missing, "{args:?}");
    }
}

#[test]
fn help_texts_read_as_written() {
    let d = setup();
    let p = d.path();
    let diff = msmail_in(p, &["diff", "--help"]);
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(text.contains("Source A, the \"before\" side"), "{text}");
    assert!(!text.contains('\\'), "{text}");
    let gen = String::from_utf8_lossy(&msmail_in(p, &["generate", "--help"]).stdout).into_owned();
    assert!(gen.contains("Users per postoffice, 4 to 1000000"), "{gen}");
    assert!(gen.contains("Number of postoffices, 2 to 100000"), "{gen}");
    for cmd in [
        "export",
        "dump",
        "inspect",
        "diff",
        "batch",
        "generate",
        "reconcile",
    ] {
        let h = String::from_utf8_lossy(&msmail_in(p, &[cmd, "--help"]).stdout).into_owned();
        assert!(h.contains("Examples:"), "{cmd} --help has no examples");
    }
}

#[test]
fn negative_numbers_are_values_with_a_clear_refusal() {
    let d = setup();
    let p = d.path();
    for (args, want) in [
        (
            &["generate", "--out-dir", "n1", "--users", "-5"][..],
            "-5 is not in 4..=1000000",
        ),
        (
            &["generate", "--out-dir", "n2", "--postoffices", "1"][..],
            "1 is not in 2..=100000",
        ),
        (
            &["generate", "--out-dir", "n3", "--seed", "-1"][..],
            "is not a seed",
        ),
        (
            &[
                "batch",
                "--format",
                "csv",
                "--out-dir",
                "n4",
                "--jobs",
                "0",
                "a.txt",
            ][..],
            "0 is not in 1..=4096",
        ),
    ] {
        let o = msmail_in(p, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("unexpected argument"), "{args:?}");
    }
}

const COMMANDS: [&str; 9] = [
    "export",
    "dump",
    "inspect",
    "generate",
    "reconcile",
    "diff",
    "batch",
    "completions",
    "man",
];

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn completions_for_each_shell_name_every_command() {
    let d = setup();
    let p = d.path();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = msmail_in(p, &["completions", shell]);
        assert!(o.status.success(), "{shell}: {o:?}");
        let script = String::from_utf8(o.stdout).unwrap();
        for c in COMMANDS {
            assert!(script.contains(c), "{shell} completions lack {c}");
        }
        for flag in [
            "--format",
            "--out-dir",
            "--quiet",
            "--salvage",
            "--encoding",
        ] {
            assert!(
                script.contains(flag.trim_start_matches('-')),
                "{shell}: {flag}"
            );
        }
        let file = p.join(format!("msmail.{shell}"));
        std::fs::write(&file, &script).unwrap();
        // The shells that are installed parse their script (`-n`: no execution).
        if shell != "powershell" && shell != "elvish" && have(shell) {
            let check = Command::new(shell).arg("-n").arg(&file).output().unwrap();
            assert!(check.status.success(), "{shell} -n: {check:?}");
        }
    }
    // bash: the completion function completes the commands and export's formats.
    if have("bash") {
        let probe = format!(
            "source {}; COMP_WORDS=(msmail ex); COMP_CWORD=1; _msmail msmail ex msmail; \
             echo \"${{COMPREPLY[@]}}\"; COMP_WORDS=(msmail export --format ''); COMP_CWORD=3; \
             _msmail msmail '' --format; echo \"${{COMPREPLY[@]}}\"",
            p.join("msmail.bash").display()
        );
        let o = Command::new("bash").args(["-c", &probe]).output().unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some("export"), "{out} {}", stderr(&o));
        let formats = lines.next().unwrap_or_default();
        for f in ["csv", "ldif", "json", "import"] {
            assert!(formats.split(' ').any(|x| x == f), "{formats}");
        }
    }
    let bad = msmail_in(p, &["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn man_pages_come_from_the_same_definitions() {
    let d = setup();
    let p = d.path();
    let o = msmail_in(p, &["man"]);
    assert!(o.status.success(), "{o:?}");
    let page = String::from_utf8(o.stdout).unwrap();
    assert!(page.contains(".TH msmail 1"), "{page}");
    for c in COMMANDS {
        assert!(
            page.contains(&format!("msmail\\-{c}(1)")) || page.contains(c),
            "{c}"
        );
    }
    assert!(page.contains("Exit codes"));
    let all = msmail_in(p, &["man", "--out-dir", "man1"]);
    assert!(all.status.success(), "{all:?}");
    let mut names: Vec<String> = std::fs::read_dir(p.join("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = COMMANDS.iter().map(|c| format!("msmail-{c}.1")).collect();
    want.push("msmail.1".into());
    want.sort();
    assert_eq!(names, want);
    let export = std::fs::read_to_string(p.join("man1/msmail-export.1")).unwrap();
    assert!(export.contains(".TH msmail-export 1"), "{export}");
    assert!(
        export.contains("\\-\\-format") && export.contains("\\-\\-quiet"),
        "{export}"
    );
    // Existing pages are kept without --force (exit 4), replaced with it.
    let again = msmail_in(p, &["man", "--out", "man1"]);
    assert_eq!(again.status.code(), Some(4), "{again:?}");
    let forced = msmail_in(p, &["man", "--out-dir", "man1", "--force"]);
    assert!(forced.status.success(), "{forced:?}");
    // man(1) renders the pages when it is installed.
    if have("man") && have("groff") {
        for page in ["msmail.1", "msmail-export.1", "msmail-reconcile.1"] {
            let r = Command::new("man")
                .args(["-l", "-Tutf8"])
                .arg(p.join("man1").join(page))
                .env("MANPAGER", "cat")
                .output()
                .unwrap();
            assert!(r.status.success(), "{page}: {r:?}");
            assert!(
                String::from_utf8_lossy(&r.stdout).contains("msmail"),
                "{page}"
            );
            assert!(
                !String::from_utf8_lossy(&r.stderr).contains("warning"),
                "{page}: {}",
                stderr(&r)
            );
        }
    }
}

fn restore_args(extra: &[&str]) -> Vec<String> {
    let f = |r: &str| fixture(r).display().to_string();
    let mut v = vec![
        "reconcile".to_string(),
        "--server".into(),
        f("restore/server"),
        "--requestor".into(),
    ];
    let mut requestors: Vec<PathBuf> = std::fs::read_dir(fixture("restore/requestors"))
        .unwrap()
        .map(|r| r.unwrap().path())
        .collect();
    requestors.sort();
    for r in requestors {
        if r.ends_with("EUROPE-PARIS") {
            v.push(format!("EUROPE/PARIS={}", r.display()));
        } else {
            v.push(r.display().to_string());
        }
    }
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn reconcile(dir: &Path, extra: &[&str]) -> Output {
    let args = restore_args(extra);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    msmail_in(dir, &refs)
}

#[test]
fn reconcile_speaks_the_vocabulary() {
    let d = setup();
    let p = d.path();
    let json = reconcile(p, &["--format", "json"]);
    assert!(json.status.success(), "{json:?}");
    for alias in [&["--json"][..], &["--to", "json"][..]] {
        let o = reconcile(p, alias);
        assert_eq!(o.stdout, json.stdout, "{alias:?}");
    }
    let text = reconcile(p, &[]);
    assert_eq!(reconcile(p, &["--format", "text"]).stdout, text.stdout);
    let o = reconcile(p, &["-o", "summary.txt"]);
    assert!(o.status.success() && o.stdout.is_empty(), "{o:?}");
    assert_eq!(std::fs::read(p.join("summary.txt")).unwrap(), text.stdout);
    let again = reconcile(p, &["-o", "summary.txt"]);
    assert_eq!(again.status.code(), Some(4));
    assert_eq!(
        stderr(&again),
        "msmail: error: summary.txt: already exists; use --force to replace it\n"
    );
    // --out-dir and --out write the same files.
    for (flag, dir) in [("--out-dir", "r1"), ("--out", "r2")] {
        let o = reconcile(p, &[flag, dir, "--stamp", "767404800", "-q"]);
        assert!(o.status.success(), "{flag}: {o:?}");
    }
    for f in [
        "RESYNC.GLB",
        "repair.txt",
        "merged.csv",
        "server/GLB/MSTTRANS.GLB",
    ] {
        assert_eq!(
            std::fs::read(p.join("r1").join(f)).unwrap(),
            std::fs::read(p.join("r2").join(f)).unwrap(),
            "{f}"
        );
    }
    // --stamp -5 is a value, refused in words.
    let o = reconcile(p, &["--stamp", "-5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("-5 is not a time32 stamp"),
        "{}",
        stderr(&o)
    );
    // Standard input is refused: the report names every source.
    let o = msmail_in(
        p,
        &["reconcile", "--server", "world/server", "--requestor", "-"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("reconcile reads no standard input"));
}

#[test]
fn reconcile_summary_in_plain_words_then_numbers() {
    let d = setup();
    let o = reconcile(d.path(), &[]);
    assert!(o.status.success(), "{o:?}");
    let s = String::from_utf8(o.stdout).unwrap();
    let pos = |needle: &str| {
        s.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in\n{s}"))
    };
    // Plain words first, the numbers after.
    assert!(
        s.starts_with("What the restore did, in plain words\n"),
        "{s}"
    );
    assert!(pos("The numbers\n") > pos("PCM:EUROPE/ZURICH: the server's own postoffice"));
    assert!(s.contains(
        "Of its 9 postoffices: 5 lost changes that the repair puts back; 2 lost changes that \
         cannot be named without more evidence; 1 gave no evidence"
    ));
    // A postoffice with a hole: what was lost, what is repaired, what is open.
    assert!(s.contains(
        "PCM:AMERICAS/GENEVE: the server lost 6 of its changes; the repair puts them back."
    ));
    assert!(s.contains("  Lost: 2 entries added, 2 removed and 2 changed there after the backup"));
    assert!(s.contains("  Repaired: 2 entries added back, 2 removed and 2 updated"));
    assert!(s.contains("  Cannot be known: whether it also missed changes the server sent"));
    // Numbers only: the hole is sized but cannot be named; what would settle it.
    assert!(s.contains("PCM:AMERICAS/BERGEN: the server lost up to 5 of its changes; which ones cannot be known yet."));
    assert!(s.contains("  To settle it: a full export from PCM:AMERICAS/BERGEN"));
    assert!(s.contains("RESYNC.GLB (IMPORT -Q there)"));
    // No evidence at all.
    assert!(s.contains("PCM:EUROPE/MUNICH: no evidence was given"));
    // The numbers' header counts the postoffices whose hole cannot be known.
    assert!(
        s.contains("9 postoffices, 5 with a hole, 3 whose hole cannot be known"),
        "{s}"
    );
    // A template change field by field, not the name twice.
    assert!(
        !s.contains("\"Le Pêcheur, Eloïse\" -> \"Le Pêcheur, Eloïse\""),
        "{s}"
    );
    let at = pos("  ~ PCM:AMERICAS/GENEVE/LEPECH  Le Pêcheur, Eloïse\n");
    let rest = &s[at..];
    assert!(
        rest.contains("      Phone (template): \"+41 44 555 6815\" -> \"+41 44 555 6889\"\n"),
        "{rest}"
    );
    assert!(s.contains("      full name: \"Jérôme O'Brien\" -> \"van der Berg, Ørjan M.\"\n"));
}
