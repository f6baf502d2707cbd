//! Regression tests for the 14 faults of issue 12 ("Reconcile to trust on
//! data it was not generated with") and the two output points taken from
//! issue 14: one test (or more) per fault, numbered as in the issue.

mod common;

use std::path::Path;

use common::bytes::{import_line, placeholder, trans};
use common::cli::{
    readme_reconcile_args as readme_args, restore_fixture as fixture, run, stderr as err,
    stdout as out,
};
use common::fs::{copy_dir, file_contents as files};
use serde_json::Value;

/// A private copy of the restore fixture (a failure cannot harm the original).
fn copy_fixture() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), &t.path().join("restore"));
    t
}

fn json_file(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn po<'a>(r: &'a Value, scope: &str) -> &'a Value {
    r["postoffices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["scope"] == scope)
        .unwrap_or_else(|| panic!("{scope}"))
}

fn addresses(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["address"].as_str().unwrap().to_string())
        .collect()
}

/// Fault 1: template data for a prompt the server's TPL lacks does not stop
/// `--out`: the definition gets a field (width = longest value), the report
/// says so, MS Mail files and migration outputs keep the value.
#[test]
fn fault_01_template_value_without_a_field_never_stops_the_run() {
    let t = copy_fixture();
    let dir = t.path().join("restore");
    let export = dir.join("requestors/AMERICAS-GENEVE/EXPORT.TXT");
    let mut text = std::fs::read(&export).unwrap();
    // After the first entry's lines: a prompt GENEVE's TPL does not have.
    let first_a = text.windows(3).position(|w| w == b"\nA ").unwrap() + 1;
    let end = first_a
        + text[first_a..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap()
        + 2;
    text.splice(end..end, b"- Mobile:/+41 79 555 01 23\r\n".iter().copied());
    std::fs::write(&export, text).unwrap();
    let o = dir.join("out");
    let r = run(&readme_args(&dir, &["--out", o.to_str().unwrap()]));
    assert!(r.status.success(), "{}", err(&r));
    let rep = json_file(&o.join("report.json"));
    let geneve = po(&rep, "PCM:AMERICAS/GENEVE");
    let tpl = &geneve["templates"][0];
    assert_eq!(tpl["added"], serde_json::json!(["Mobile:"]), "{tpl}");
    let csv = std::fs::read_to_string(o.join("merged.csv")).unwrap();
    assert!(csv.contains("+41 79 555 01 23"));
    let e = run(&["export", o.join("server").to_str().unwrap(), "--to", "csv"]);
    assert!(out(&e).contains("+41 79 555 01 23"), "{}", err(&e));
}

/// Fault 2: a folder with REQCONF.GLB and a REQTRANS.GLB whose pending
/// records are `R PCM:NET/PO` + `A` (Config, Dir-Sync, Requestor, Export)
/// is the requestor's list and numbers.
#[test]
fn fault_02_an_export_queued_in_reqtrans_is_the_list() {
    let t = copy_fixture();
    let dir = t.path().join("restore");
    let oslo = dir.join("requestors/EUROPE-OSLO");
    // The server's view of OSLO, with one entry gone and one added.
    let view = run(&[
        "export",
        dir.join("server/USR").to_str().unwrap(),
        "--to",
        "csv",
    ]);
    let _ = view;
    let mut q = placeholder(25, 767_400_000, "EUROPE/OSLO");
    q.extend(trans(
        26,
        767_400_000,
        b'R',
        "EUROPE/OSLO",
        &["R PCM:EUROPE/OSLO".into()],
    ));
    q.extend(trans(
        27,
        767_400_000,
        b'A',
        "EUROPE/OSLO",
        &[import_line(
            'A',
            "Queued, New User",
            "PCM:EUROPE/OSLO/QUEUED",
        )],
    ));
    std::fs::write(oslo.join("REQTRANS.GLB"), q).unwrap();
    let r = run(&readme_args(&dir, &["--json"]));
    assert!(r.status.success(), "{}", err(&r));
    let rep: Value = serde_json::from_slice(&r.stdout).unwrap();
    let p = po(&rep, "PCM:EUROPE/OSLO");
    assert_eq!(p["evidence"], "export");
    assert_eq!(p["status"], "authoritative");
    assert_eq!(
        addresses(&p["missing_adds"]),
        vec!["PCM:EUROPE/OSLO/QUEUED"]
    );
    assert_eq!(
        p["missing_deletes"].as_array().unwrap().len() as u64,
        p["server_entries"].as_u64().unwrap(),
        "the queued export is the whole list"
    );
    assert_eq!(p["sync"]["requestor_reqsync"], 25);
    let notes = p["notes"].to_string();
    assert!(!notes.contains("cannot be filled"), "{notes}");
    let taken = p["source_details"][0]["taken"].to_string();
    assert!(
        taken.contains("list") && taken.contains("numbers"),
        "{taken}"
    );
}

/// Fault 3: the merged directory of the README's fixture is complete: every
/// entry `export` of the server lists (gateway entries, the excluded ADMIN),
/// less the missing deletes, plus the missing adds.
#[test]
fn fault_03_the_merged_directory_is_complete() {
    let o = tempfile::tempdir().unwrap();
    let target = o.path().join("out");
    let r = run(&readme_args(
        &fixture(),
        &["--out", target.to_str().unwrap()],
    ));
    assert!(r.status.success(), "{}", err(&r));
    let merged = std::fs::read_to_string(target.join("merged.csv")).unwrap();
    let server = out(&run(&[
        "export",
        fixture().join("server").to_str().unwrap(),
        "--to",
        "csv",
    ]));
    let rep = json_file(&target.join("report.json"));
    let t = &rep["totals"];
    let rows = |s: &str| s.lines().count() as u64 - 1;
    assert_eq!(rows(&server), 127);
    assert_eq!(
        rows(&merged),
        rows(&server) - t["missing_deletes"].as_u64().unwrap()
            + t["missing_adds"].as_u64().unwrap()
    );
    for a in [
        "PROFS:PROFSGW/VM1/",
        "SNADS:SNADSGW/DGN5/",
        "PCM:EUROPE/ZURICH/ADMIN",
    ] {
        assert!(merged.contains(a), "{a}");
    }
    assert_eq!(po(&rep, "PCM:EUROPE/ZURICH")["merged_entries"], 14);
}

/// Fault 4: repairs IMPORT.EXE accepts: a changed full name is an `M` pair
/// (Q132681), `D` carries no template lines (Q131151), changed template
/// data is `M` + template lines (Q127918); repair.txt reads back to the hole.
#[test]
fn fault_04_repairs_follow_imports_rules() {
    let o = tempfile::tempdir().unwrap();
    let target = o.path().join("out");
    assert!(run(&readme_args(
        &fixture(),
        &["--out", target.to_str().unwrap()]
    ))
    .status
    .success());
    let bytes = std::fs::read(target.join("repair.txt")).unwrap();
    let text = msmail::codepage::decode_cp850(&bytes).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("D ") {
            assert!(
                !lines.get(i + 1).is_some_and(|n| n.starts_with("- ")),
                "D followed by template data: {l}"
            );
        }
    }
    // JORGENSE renamed: an M pair; LEPECH's template: M then template lines.
    let m = lines
        .iter()
        .position(|l| l.starts_with("M ") && l.ends_with("GENEVE/JORGENSE"))
        .unwrap();
    assert!(lines[m + 1].starts_with("  van der Berg"));
    let t = lines
        .iter()
        .position(|l| l.starts_with("M ") && l.ends_with("GENEVE/LEPECH"))
        .unwrap();
    assert!(lines[t + 1].starts_with("- Phone:/"));
    assert!(!text
        .lines()
        .any(|l| l.starts_with("A ") && l.ends_with("GENEVE/JORGENSE")));
    // Read back: the operations give the hole of the report.
    let ops = msmail::importtext::parse_str(&text, "repair.txt", 1).unwrap();
    let rep = json_file(&target.join("report.json"));
    let (mut adds, mut dels, mut mods) = (0, 0, 0);
    for op in &ops {
        match op {
            msmail::model::Operation::Add(_) => adds += 1,
            msmail::model::Operation::Delete(_) => dels += 1,
            msmail::model::Operation::Modify { .. } => mods += 1,
            _ => {}
        }
    }
    let t = &rep["totals"];
    assert_eq!(adds, t["missing_adds"].as_u64().unwrap());
    assert_eq!(dels, t["missing_deletes"].as_u64().unwrap());
    assert_eq!(mods, t["modified"].as_u64().unwrap());
}

/// Fault 5: the repaired tree agrees with merged.csv (GAL.NME, GALINDEX and
/// GALNETPO rebuilt); `diff backup repaired` calls a deleted user deleted.
#[test]
fn fault_05_the_repaired_tree_is_the_merged_list() {
    let o = tempfile::tempdir().unwrap();
    let target = o.path().join("out");
    assert!(run(&readme_args(
        &fixture(),
        &["--out", target.to_str().unwrap()]
    ))
    .status
    .success());
    let exported = out(&run(&[
        "export",
        target.join("server").to_str().unwrap(),
        "--to",
        "csv",
    ]));
    let merged = std::fs::read_to_string(target.join("merged.csv")).unwrap();
    let sorted = |s: &str| {
        let mut v: Vec<&str> = s.lines().collect();
        v.sort();
        v.join("\n")
    };
    assert_eq!(sorted(&exported), sorted(&merged));
    let gal = out(&run(&[
        "export",
        target.join("server/NME/GAL.NME").to_str().unwrap(),
        "--to",
        "csv",
    ]));
    assert!(
        !gal.contains("GENEVE/FERREIR"),
        "a deleted user left in the GAL"
    );
    let i = run(&["inspect", target.join("server").to_str().unwrap()]);
    assert!(i.status.success(), "{}", out(&i));
    let d = run(&[
        "diff",
        fixture().join("server").to_str().unwrap(),
        target.join("server").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&d.stdout).unwrap();
    let geneve = v["directory"]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == "PCM:AMERICAS/GENEVE")
        .unwrap();
    assert_eq!(
        addresses(&geneve["only_in_a"]),
        vec!["PCM:AMERICAS/GENEVE/FERREIR"]
    );
    assert!(!geneve["changed"].to_string().contains("FERREIR"));
}

/// Fault 6: `--salvage` names what it skips (stderr and report) and keeps
/// the numbering whole; truncated fixed-record files are read up to the
/// damage with `--salvage`.
#[test]
fn fault_06_salvage_names_every_skipped_range() {
    let t = copy_fixture();
    let dir = t.path().join("restore");
    let mst = dir.join("server/GLB/MSTTRANS.GLB");
    let mut b = std::fs::read(&mst).unwrap();
    b.truncate(b.len() - 10);
    std::fs::write(&mst, b).unwrap();
    // Strict: the damage stops the run with file, record and offset.
    let strict = run(&readme_args(&dir, &[]));
    assert_eq!(strict.status.code(), Some(3));
    assert!(
        err(&strict).contains("MSTTRANS.GLB: record"),
        "{}",
        err(&strict)
    );
    let o = dir.join("out");
    let r = run(&readme_args(
        &dir,
        &["--salvage", "--out", o.to_str().unwrap()],
    ));
    assert!(r.status.success(), "{}", err(&r));
    assert!(err(&r).contains("skipped bytes"), "{}", err(&r));
    assert!(err(&r).contains("lost to the damage"), "{}", err(&r));
    let rep = json_file(&o.join("report.json"));
    assert_eq!(rep["repair"]["lost_master"], serde_json::json!([186]));
    assert!(!rep["repair"]["server_skipped"]
        .as_array()
        .unwrap()
        .is_empty());
    let listed = out(&run(&[
        "dump",
        o.join("server/GLB/MSTTRANS.GLB").to_str().unwrap(),
    ]));
    assert!(listed.contains("000186 (placeholder)"), "{listed}");
    // A truncated USR list: strict refuses, salvage reads its whole records.
    let usr = dir.join("server/USR/00000012.USR");
    let mut u = std::fs::read(&usr).unwrap();
    let n = u.len() / 53;
    u.truncate(u.len() - 20);
    std::fs::write(&usr, u).unwrap();
    let e = run(&[
        "export",
        dir.join("server").to_str().unwrap(),
        "--to",
        "csv",
    ]);
    assert_eq!(e.status.code(), Some(3));
    assert!(err(&e).contains("00000012.USR: record"), "{}", err(&e));
    let e = run(&[
        "export",
        dir.join("server").to_str().unwrap(),
        "--to",
        "csv",
        "--salvage",
    ]);
    assert!(e.status.success(), "{}", err(&e));
    assert!(
        err(&e).contains("intact records before them are read"),
        "{}",
        err(&e)
    );
    // The whole records are read (the last one's entry may still come from
    // the GAL).
    assert!(out(&e).matches("PCM:AMERICAS/BERGEN/").count() >= n - 1);
}

/// Fault 7: a binding that names no postoffice of the server, with no entry
/// of it, is a usage error naming what the source holds.
#[test]
fn fault_07_a_typo_in_a_binding_is_refused() {
    let r = run(&[
        "reconcile",
        "--server",
        fixture().join("server").to_str().unwrap(),
        "--requestor",
        &format!(
            "NO/SUCH={}",
            fixture()
                .join("requestors/AMERICAS-GENEVE/EXPORT.TXT")
                .display()
        ),
        "--fail-on-hole",
    ]);
    assert_eq!(r.status.code(), Some(2), "{}", err(&r));
    let e = err(&r);
    assert!(
        e.contains("PCM:NO/SUCH is no postoffice of the server"),
        "{e}"
    );
    assert!(e.contains("PCM:AMERICAS/GENEVE"), "{e}");
}

/// Fault 8: a cross-file inconsistency (an ADMIN.NME tid that differs from
/// its ACCESS2 record) is a finding: export and reconcile go on and say
/// so; inspect reports it and exits 3.
#[test]
fn fault_08_cross_file_inconsistencies_are_findings() {
    let t = copy_fixture();
    let dir = t.path().join("restore");
    for f in ["ADMIN.NME", "ADMINSHD.NME"] {
        let p = dir.join("server/NME").join(f);
        let mut b = std::fs::read(&p).unwrap();
        // Record 0 is a local user (kind 1): change its tid.
        let rec = (0..b.len() / 45).find(|i| b[i * 45 + 36] == 1).unwrap();
        b[rec * 45 + 32] ^= 0x40;
        std::fs::write(&p, b).unwrap();
    }
    let e = run(&[
        "export",
        dir.join("server").to_str().unwrap(),
        "--to",
        "csv",
    ]);
    assert!(e.status.success(), "{}", err(&e));
    assert!(
        err(&e).contains("finding:") && err(&e).contains("tid"),
        "{}",
        err(&e)
    );
    assert_eq!(out(&e).lines().count(), 128, "every entry is read");
    let r = run(&readme_args(&dir, &[]));
    assert!(r.status.success(), "{}", err(&r));
    assert!(err(&r).contains("finding:"));
    let i = run(&["inspect", dir.join("server").to_str().unwrap()]);
    assert_eq!(i.status.code(), Some(3));
    assert!(out(&i).contains("tid-mismatch"));
}

/// Fault 9: outputs inside inputs are refused for every command; a UTF-8
/// file read as CP850 is warned about; an empty file is an input error.
#[test]
fn fault_09_unsafe_or_silent_inputs_and_outputs() {
    let t = copy_fixture();
    let dir = t.path().join("restore");
    let before = files(&dir);
    let geneve = dir.join("requestors/AMERICAS-GENEVE");
    // --out inside a requestor folder that stands for its one file.
    let r = run(&[
        "reconcile",
        "--server",
        dir.join("server").to_str().unwrap(),
        "--requestor",
        geneve.to_str().unwrap(),
        "--out",
        geneve.join("out").to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(4), "{}", err(&r));
    // export -o and batch --out inside a MAILDATA tree.
    let e = run(&[
        "export",
        dir.join("server").to_str().unwrap(),
        "--to",
        "csv",
        "-o",
        dir.join("server/x.csv").to_str().unwrap(),
    ]);
    assert_eq!(e.status.code(), Some(4));
    let e = run(&[
        "export",
        dir.join("server/GLB/MSTTRANS.GLB").to_str().unwrap(),
        "--to",
        "csv",
        "-o",
        dir.join("server/GLB/x.csv").to_str().unwrap(),
    ]);
    assert_eq!(e.status.code(), Some(4), "inside the tree of an input file");
    let b = run(&[
        "batch",
        "--to",
        "csv",
        "--out",
        dir.join("server/conv").to_str().unwrap(),
        dir.join("server").to_str().unwrap(),
    ]);
    assert_eq!(b.status.code(), Some(4));
    assert_eq!(files(&dir), before, "nothing was written into an input");
    // UTF-8 read as CP850.
    let u = t.path().join("UTF8.TXT");
    std::fs::write(
        &u,
        "R PCM:AMERICAS/GENEVE\r\nA Müller, Hans   PCM:AMERICAS/GENEVE/MULLER\r\n",
    )
    .unwrap();
    let e = run(&["export", u.to_str().unwrap(), "--to", "csv"]);
    assert!(e.status.success());
    assert!(err(&e).contains("valid UTF-8"), "{}", err(&e));
    // An empty file.
    let empty = t.path().join("EMPTY.TXT");
    std::fs::write(&empty, b"").unwrap();
    let e = run(&["export", empty.to_str().unwrap(), "--to", "csv"]);
    assert_eq!(e.status.code(), Some(3));
    assert!(err(&e).contains("empty file"));
}

/// Fault 10: batch reads requestor folders holding REQCONF.GLB and
/// REQTRANS.GLB, as the other commands do.
#[test]
fn fault_10_batch_reads_requestor_glb_folders() {
    let o = tempfile::tempdir().unwrap();
    let r = run(&[
        "batch",
        "--to",
        "csv",
        "--out",
        o.path().join("conv").to_str().unwrap(),
        fixture().join("requestors/EUROPE-OSLO").to_str().unwrap(),
        fixture()
            .join("requestors/AMERICAS-BERGEN")
            .to_str()
            .unwrap(),
    ]);
    assert!(r.status.success(), "{}{}", out(&r), err(&r));
    let s = json_file(&o.path().join("conv/summary.json"));
    assert_eq!(s["failed"], 0);
    assert!(s.to_string().contains("REQTRANS.GLB queue holds"));
}

/// Fault 11: damage read past in a requestor's REQTRANS.GLB is reported,
/// and the entries lost with it are not planned as deletes.
#[test]
fn fault_11_salvaged_requestor_damage_is_reported_and_withholds_deletes() {
    let t = copy_fixture();
    let dir = t.path().join("restore");
    let lyon = dir.join("requestors/AMERICAS-LYON/REQTRANS.GLB");
    let mut b = std::fs::read(&lyon).unwrap();
    b.truncate(b.len() * 2 / 3);
    std::fs::write(&lyon, b).unwrap();
    let r = run(&readme_args(&dir, &["--salvage", "--json"]));
    assert!(r.status.success(), "{}", err(&r));
    assert!(
        err(&r).contains("AMERICAS-LYON/REQTRANS.GLB: skipped bytes"),
        "{}",
        err(&r)
    );
    assert!(err(&r).contains("kept, not deleted"), "{}", err(&r));
    let rep: Value = serde_json::from_slice(&r.stdout).unwrap();
    let p = po(&rep, "PCM:AMERICAS/LYON");
    assert_eq!(p["status"], "partial");
    assert!(!p["withheld_deletes"].as_array().unwrap().is_empty());
    // Only what the intact part says is gone is a delete (STROMHE and
    // STROMSORX sort before the damage or are absent from the export).
    assert!(p["missing_deletes"].as_array().unwrap().len() <= 2);
}

/// Fault 12: `-o`/`--report` never overwrite an input, `--force` or not.
#[test]
fn fault_12_force_never_overwrites_an_input() {
    let t = copy_fixture();
    let dir = t.path().join("restore");
    let before = files(&dir);
    let mst = dir.join("server/GLB/MSTTRANS.GLB");
    let srv = dir.join("server/GLB/SRVCONF.GLB");
    let d = run(&[
        "dump",
        mst.to_str().unwrap(),
        "-o",
        mst.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(d.status.code(), Some(4));
    let mut args = readme_args(&dir, &["--report", srv.to_str().unwrap(), "--force"]);
    let r = run(&args);
    assert_eq!(r.status.code(), Some(4), "{}", err(&r));
    args.truncate(args.len() - 3);
    for cmd in [
        vec![
            "export",
            mst.to_str().unwrap(),
            "--to",
            "csv",
            "-o",
            mst.to_str().unwrap(),
            "--force",
        ],
        vec![
            "inspect",
            mst.to_str().unwrap(),
            "-o",
            mst.to_str().unwrap(),
            "--force",
        ],
        vec![
            "diff",
            mst.to_str().unwrap(),
            mst.to_str().unwrap(),
            "-o",
            srv.to_str().unwrap(),
            "--force",
        ],
    ] {
        let o = run(&cmd);
        assert_eq!(o.status.code(), Some(4), "{cmd:?}: {}", err(&o));
    }
    assert_eq!(files(&dir), before);
}

/// Fault 13: an empty source bound to a postoffice never turns into
/// deletes: an empty file is an input error, a source with no entry of the
/// postoffice is not its list, an extract of others is a binding error.
#[test]
fn fault_13_an_empty_list_never_deletes_silently() {
    let t = copy_fixture();
    let dir = t.path().join("restore");
    let server = dir.join("server");
    let reconcile = |arg: String| {
        run(&[
            "reconcile".to_string(),
            "--server".into(),
            server.display().to_string(),
            "--requestor".into(),
            arg,
            "--json".into(),
        ])
    };
    let empty = t.path().join("EMPTY.TXT");
    std::fs::write(&empty, b"").unwrap();
    let r = reconcile(format!("EUROPE/PARIS={}", empty.display()));
    assert_eq!(r.status.code(), Some(3), "{}", err(&r));
    // Only a template definition: no entries, no R line.
    let tdef = t.path().join("TDEF.TXT");
    std::fs::write(&tdef, b"T PCM:EUROPE/PARIS\r\nPhone:~12~20~NP~~\r\n").unwrap();
    let r = reconcile(format!("EUROPE/PARIS={}", tdef.display()));
    assert!(r.status.success(), "{}", err(&r));
    let rep: Value = serde_json::from_slice(&r.stdout).unwrap();
    let p = po(&rep, "PCM:EUROPE/PARIS");
    assert!(p["missing_deletes"].as_array().unwrap().is_empty());
    assert!(err(&r).contains("not used"), "{}", err(&r));
    // GENEVE's export bound to PARIS: entries of another postoffice only.
    let r = reconcile(format!(
        "EUROPE/PARIS={}",
        dir.join("requestors/AMERICAS-GENEVE/EXPORT.TXT").display()
    ));
    assert_eq!(r.status.code(), Some(2), "{}", err(&r));
    assert!(err(&r).contains("holds no entry of PCM:EUROPE/PARIS"));
    // An explicit empty export (`R` and nothing else) is used, loudly.
    let r_only = t.path().join("RONLY.TXT");
    std::fs::write(&r_only, b"R PCM:EUROPE/PARIS\r\n").unwrap();
    let r = reconcile(format!("EUROPE/PARIS={}", r_only.display()));
    assert!(r.status.success(), "{}", err(&r));
    assert!(
        err(&r).contains("an empty list for PCM:EUROPE/PARIS"),
        "{}",
        err(&r)
    );
}

/// Fault 14: a tree missing a file its lists depend on, or with a folder in
/// its place, is damage for inspect, export and reconcile; `--salvage` goes
/// on and says what it could not read.
#[test]
fn fault_14_missing_dependencies_are_damage() {
    type Damage = fn(&Path);
    let cases: Vec<(&str, Damage)> = vec![
        ("NETWORK.GLB", |s| {
            std::fs::remove_file(s.join("GLB/NETWORK.GLB")).unwrap()
        }),
        ("NETWORK.GLB", |s| {
            std::fs::write(s.join("GLB/NETWORK.GLB"), b"").unwrap()
        }),
        ("NETWORK.GLB", |s| {
            std::fs::remove_file(s.join("GLB/NETWORK.GLB")).unwrap();
            std::fs::create_dir(s.join("GLB/NETWORK.GLB")).unwrap();
        }),
        ("GAL.NME", |s| {
            std::fs::remove_file(s.join("NME/GAL.NME")).unwrap()
        }),
        ("GALINDEX.GLB", |s| {
            std::fs::remove_file(s.join("GLB/GALINDEX.GLB")).unwrap()
        }),
        ("SRVCONF.GLB", |s| {
            std::fs::remove_file(s.join("GLB/SRVCONF.GLB")).unwrap()
        }),
        ("MEM", |s| {
            for e in std::fs::read_dir(s.join("MEM")).unwrap() {
                let p = e.unwrap().path();
                std::fs::remove_file(&p).unwrap();
                std::fs::create_dir(&p).unwrap();
            }
        }),
        ("00000014.INF", |s| {
            // A TPL cut at a line boundary: two of four fields left; the
            // INF's 30-byte records then frame "fine" but wrongly.
            let p = s.join("TPL/00000014.TPL");
            let b = std::fs::read(&p).unwrap();
            let cut = b
                .iter()
                .enumerate()
                .filter(|(_, &c)| c == b'\n')
                .nth(1)
                .unwrap()
                .0;
            std::fs::write(&p, &b[..=cut]).unwrap();
        }),
    ];
    for (what, damage) in cases {
        let t = copy_fixture();
        let dir = t.path().join("restore");
        damage(&dir.join("server"));
        let i = run(&["inspect", dir.join("server").to_str().unwrap()]);
        assert_eq!(i.status.code(), Some(3), "{what}: {}", out(&i));
        let r = run(&readme_args(&dir, &[]));
        assert_eq!(r.status.code(), Some(3), "{what}: {}", err(&r));
        assert!(err(&r).contains(what), "{what}: {}", err(&r));
        if what != "SRVCONF.GLB" {
            let e = run(&[
                "export",
                dir.join("server").to_str().unwrap(),
                "--to",
                "csv",
                "--salvage",
            ]);
            assert!(e.status.success(), "{what}: {}", err(&e));
            assert!(err(&e).contains(what), "{what}: {}", err(&e));
        }
    }
}

/// Issue 14, outputs all or nothing: a refused `--out` run leaves no output
/// folder and no temporary folder behind.
#[test]
fn issue14_a_failed_out_leaves_nothing() {
    let t = copy_fixture();
    let dir = t.path().join("restore");
    let export = dir.join("requestors/AMERICAS-GENEVE/EXPORT.TXT");
    let mut text = std::fs::read(&export).unwrap();
    let first_a = text.windows(3).position(|w| w == b"\nA ").unwrap() + 1;
    let end = first_a
        + text[first_a..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap()
        + 2;
    // A template value with a CR in it cannot be written to MS Mail files
    // (a bare CR is not a line end for the import reader).
    text.splice(end..end, b"- Dept:/Direction\rNord\r\n".iter().copied());
    std::fs::write(&export, text).unwrap();
    let o = t.path().join("out");
    let r = run(&readme_args(&dir, &["--out", o.to_str().unwrap()]));
    assert_eq!(r.status.code(), Some(4), "{}", err(&r));
    assert!(err(&r).contains("control character"), "{}", err(&r));
    assert!(err(&r).contains("GENEVE"), "entry by entry: {}", err(&r));
    assert!(!o.exists());
    let leftovers: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".msmail"))
        .collect();
    assert!(leftovers.is_empty());
    // The user's choice: write a space in MS Mail files; CSV keeps the CR.
    let r = run(&readme_args(
        &dir,
        &["--out", o.to_str().unwrap(), "--control-chars", "space"],
    ));
    assert!(r.status.success(), "{}", err(&r));
    let csv = std::fs::read(o.join("merged.csv")).unwrap();
    assert!(csv.windows(14).any(|w| w == b"Direction\rNord"));
    let rep = json_file(&o.join("report.json"));
    assert!(rep["repair"]["limit_changes"]
        .to_string()
        .contains("Direction Nord"));
}
