//! `msmail batch` through the real binary: parallel conversion, failures that
//! do not stop the others, the summary, naming and determinism.

mod common;

use common::cli::run_in as msmail;

fn source(n: usize) -> String {
    (0..n)
        .map(|i| format!("A User {i:<25} PCM:NET/PO/U{i}\r\n"))
        .collect()
}

fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::create_dir_all(p.join("in/sub")).unwrap();
    std::fs::write(p.join("in/one.txt"), source(1)).unwrap();
    std::fs::write(p.join("in/two.txt"), source(2)).unwrap();
    std::fs::write(p.join("in/sub/two.txt"), source(3)).unwrap(); // name clash
    std::fs::write(
        p.join("in/damaged.txt"),
        "A Good One     PCM:NET/PO/G1\r\nQ broken line\r\n",
    )
    .unwrap();
    d
}

#[test]
fn damaged_source_fails_alone_and_summary_records_it() {
    let d = setup();
    let args = [
        "batch",
        "--to",
        "import",
        "--out",
        "out",
        "--jobs",
        "2",
        "in/one.txt",
        "in/damaged.txt",
        "in/two.txt",
        "in/sub/two.txt",
    ];
    let out = msmail(d.path(), &args);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 of 4 sources failed"), "{err}");
    let summary = std::fs::read(d.path().join("out/summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&summary).unwrap();
    assert_eq!(
        (
            v["total"].as_u64(),
            v["succeeded"].as_u64(),
            v["failed"].as_u64()
        ),
        (Some(4), Some(3), Some(1))
    );
    let s = v["sources"].as_array().unwrap();
    // Input order, predictable names, clash disambiguated.
    let got: Vec<(&str, &str, u64, Option<&str>)> = s
        .iter()
        .map(|i| {
            (
                i["source"].as_str().unwrap(),
                i["status"].as_str().unwrap(),
                i["entries"].as_u64().unwrap(),
                i["output"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("in/one.txt", "ok", 1, Some("one.txt")),
            ("in/damaged.txt", "failed", 0, None),
            ("in/two.txt", "ok", 2, Some("two.txt")),
            ("in/sub/two.txt", "ok", 3, Some("two-2.txt")),
        ]
    );
    let e = s[1]["error"].as_str().unwrap();
    assert!(e.contains("damaged.txt") && e.contains("line 2"), "{e}");
    assert_eq!(s[1]["exit_code"], 3);
    assert!(!d.path().join("out/damaged.txt").exists());
    // Converted outputs read back equal to their sources.
    for (src, o) in [
        ("in/one.txt", "out/one.txt"),
        ("in/sub/two.txt", "out/two-2.txt"),
    ] {
        let diff = msmail(d.path(), &["diff", src, o]);
        assert_eq!(diff.status.code(), Some(0), "{diff:?}");
    }
    // Deterministic: another run (other thread count) writes the same summary.
    let mut args2 = args;
    args2[4] = "out2";
    args2[6] = "1";
    let second = msmail(d.path(), &args2);
    assert_eq!(second.status.code(), Some(3));
    assert_eq!(
        summary,
        std::fs::read(d.path().join("out2/summary.json")).unwrap()
    );
    assert_eq!(
        std::fs::read(d.path().join("out/two-2.txt")).unwrap(),
        std::fs::read(d.path().join("out2/two-2.txt")).unwrap()
    );
    // Not overwritten without --force; replaced with it.
    assert_eq!(msmail(d.path(), &args).status.code(), Some(4));
    let mut forced = args.to_vec();
    forced.push("--force");
    assert_eq!(msmail(d.path(), &forced).status.code(), Some(3));
}

#[test]
fn manifest_and_globs_all_good_exit_0() {
    let d = setup();
    std::fs::write(
        d.path().join("in/list.lst"),
        "# sources for the run\n\none.txt\nsub/*.txt\n",
    )
    .unwrap();
    let out = msmail(
        d.path(),
        &[
            "batch",
            "--to",
            "import",
            "--out",
            "o",
            "--manifest",
            "in/list.lst",
            "in/t*.txt",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("o/summary.json")).unwrap()).unwrap();
    let outputs: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["output"].as_str().unwrap())
        .collect();
    assert_eq!(outputs, ["one.txt", "two.txt", "two-2.txt"]);
    assert_eq!(v["sources"][1]["entries"], 3); // in/sub/two.txt came from the manifest
                                               // Plain progress lines when stderr is not a terminal, then the table.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[3/3]"), "{err}");
    assert!(err.contains("status"), "{err}");
}

#[test]
fn unmatched_pattern_is_a_failure_and_no_sources_is_usage() {
    let d = setup();
    let out = msmail(
        d.path(),
        &[
            "batch",
            "--to",
            "import",
            "--out",
            "o",
            "in/one.txt",
            "in/*.zzz",
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("o/summary.json")).unwrap()).unwrap();
    assert_eq!(v["sources"][1]["status"], "failed");
    assert!(v["sources"][1]["error"]
        .as_str()
        .unwrap()
        .contains("matches no file"));
    let none = msmail(d.path(), &["batch", "--to", "import", "--out", "o2"]);
    assert_eq!(none.status.code(), Some(2));
}

#[test]
fn every_target_format_is_written() {
    let d = setup();
    for (to, file, probe) in [
        ("csv", "c/two.csv", "full_name"),
        ("ldif", "l/two.ldif", "dn: "),
        ("json", "j/two.json", "\"full_name\""),
    ] {
        let dir = file.split('/').next().unwrap();
        let out = msmail(
            d.path(),
            &[
                "batch",
                "--to",
                to,
                "--out",
                dir,
                "in/one.txt",
                "in/two.txt",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{to}: {out:?}");
        let text = std::fs::read_to_string(d.path().join(file)).unwrap();
        assert!(text.contains(probe), "{to}: {text}");
        assert!(text.contains("U1"), "{to}: {text}");
    }
    let nd = msmail(
        d.path(),
        &[
            "batch",
            "--to",
            "json",
            "--ndjson",
            "--out",
            "n",
            "in/two.txt",
        ],
    );
    assert_eq!(nd.status.code(), Some(0), "{nd:?}");
    let lines = std::fs::read_to_string(d.path().join("n/two.ndjson")).unwrap();
    assert!(lines
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    let wrong = msmail(
        d.path(),
        &[
            "batch",
            "--to",
            "csv",
            "--base-dn",
            "o=x",
            "--out",
            "w",
            "in/one.txt",
        ],
    );
    assert_eq!(wrong.status.code(), Some(2));
}
