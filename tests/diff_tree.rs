//! `msmail diff` of two MAILDATA trees through the real binary: a generated
//! tree, a copy edited with msmail's own writers (tree, transaction stream,
//! SRVCONF), and a report that names exactly those edits — address list,
//! Dir-Sync files labelled with their paths, and files on one side only.

mod common;

use std::path::Path;
use std::process::Command;

use common::cli::run_in as msmail;
use common::fs::copy_dir;
use msmail::dirsync::{read_stream, write_stream, SrvConf, TransactionRecord};
use msmail::model::{Address, Entry, Operation};
use msmail::source::LoadOptions;
use msmail::tree::{write_tree, PostOffice};
use serde_json::{json, Value};

/// What the edits did, for the assertions.
struct Edits {
    /// Address and (old, new) full name of the renamed USR entry.
    renamed: (String, String, String),
    /// Address and full name of the deleted USR entry.
    deleted: (String, String),
    /// Sync number and text of the extra MSTTRANS transaction.
    extra_sync: u64,
    extra_text: String,
    /// Requestor and (old, new) ReqSync in SRVCONF.
    requestor: (String, u32, u32),
}

/// Generates a small world in `d/g`, copies the server's tree to `d/A` and
/// `d/B`, and edits `d/B`.
fn setup(d: &Path) -> Edits {
    let out = msmail(
        d,
        &[
            "generate",
            "--out",
            "g",
            "--postoffices",
            "3",
            "--users",
            "6",
            "--seed",
            "7",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    copy_dir(&d.join("g/server"), &d.join("A"));
    copy_dir(&d.join("g/server"), &d.join("B"));
    edit_tree(&d.join("B"))
}

/// Applies the five known edits to the server tree `b` (also used to prepare
/// the benchmark input, see `prepare_benchmark_copy`).
fn edit_tree(b: &Path) -> Edits {
    let b = b.to_path_buf();

    // 1 + 2: a full-name change and a deletion in one USR list (and the GAL,
    // which holds the same entries), written back with the tree writer.
    let mut data = PostOffice::open(&b, &LoadOptions::default())
        .unwrap()
        .into_data();
    let (net, po) = data
        .networks
        .iter_mut()
        .filter(|n| n.kind == 1)
        .flat_map(|n| {
            let name = n.name.clone();
            n.postoffices.iter_mut().map(move |p| (name.clone(), p))
        })
        .find(|(_, p)| p.entries.len() >= 2)
        .expect("a USR list with two entries");
    let first = po.entries.first_mut().unwrap();
    let old_name = first.full_name.clone();
    first.full_name = "Zed, Renamed".into();
    let renamed_addr = format!("PCM:{net}/{}/{}", po.name, first.mailbox);
    let gone = po.entries.remove(1);
    let deleted_addr = format!("PCM:{net}/{}/{}", po.name, gone.mailbox);
    let key = |s: &str| Address::parse(s).unwrap().key();
    let (rk, dk) = (key(&renamed_addr), key(&deleted_addr));
    data.gal.retain(|e| e.address.key() != dk);
    for e in data.gal.iter_mut().filter(|e| e.address.key() == rk) {
        e.full_name = "Zed, Renamed".into();
    }
    write_tree(&data, &b, true).unwrap();

    // 3: one extra MSTTRANS transaction after the last one.
    let mst = b.join("GLB/MSTTRANS.GLB");
    let mut stream = read_stream(&std::fs::read(&mst).unwrap(), "MSTTRANS", false).unwrap();
    let last = stream.records.last().unwrap().clone();
    let extra = Entry::new("Extra, Eve", Address::parse("PCM:NET/PO/EXTRA").unwrap());
    let rec = TransactionRecord::from_operation(
        last.sync + 1,
        last.stamp,
        &last.origin.text(),
        &Operation::Add(extra),
    )
    .unwrap();
    let extra_text = rec.text_str().into_owned();
    stream.records.push(rec);
    std::fs::write(&mst, write_stream(&stream.records)).unwrap();

    // 4: one SRVCONF number (the ReqSync of the second requestor in use).
    let srv = b.join("GLB/SRVCONF.GLB");
    let mut conf = SrvConf::read(&std::fs::read(&srv).unwrap(), "SRVCONF").unwrap();
    let r = conf
        .requestors
        .iter_mut()
        .filter(|r| r.in_use())
        .nth(1)
        .unwrap();
    let before = r.reqsync;
    r.reqsync += 5;
    let requestor = (r.name.text().into_owned(), before, r.reqsync);
    std::fs::write(&srv, conf.write()).unwrap();

    // 5: one file removed.
    std::fs::remove_file(b.join("GLB/MODEM.GLB")).unwrap();

    Edits {
        renamed: (renamed_addr, old_name.to_string(), "Zed, Renamed".into()),
        deleted: (deleted_addr, gone.full_name.to_string()),
        extra_sync: u64::from(last.sync) + 1,
        extra_text,
        requestor,
    }
}

fn file_paths(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn tree_edits_are_reported_exactly() {
    let d = tempfile::tempdir().unwrap();
    let e = setup(d.path());
    let out = msmail(d.path(), &["diff", "A", "B", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "tree");
    assert_eq!(v["identical"], false);

    // Address list: one changed entry, one deleted, nothing else.
    let dir = &v["directory"];
    assert_eq!(dir["totals"]["only_in_a"], 1);
    assert_eq!(dir["totals"]["only_in_b"], 0);
    assert_eq!(dir["totals"]["renamed"], 0);
    assert_eq!(dir["totals"]["changed"], 1);
    let scope: Vec<&Value> = dir["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["counts"]["unchanged"] != s["counts"]["entries_a"])
        .collect();
    assert_eq!(scope.len(), 1, "one scope differs");
    let s = scope[0];
    assert_eq!(
        s["only_in_a"],
        json!([{"address": e.deleted.0, "full_name": e.deleted.1, "kind": "user"}])
    );
    assert_eq!(
        s["changed"],
        json!([{"address": e.renamed.0, "full_name": e.renamed.1,
                "changes": [{"field": "full_name", "a": e.renamed.1, "b": e.renamed.2}]}])
    );
    assert!(s["template_definition"].is_null());

    // Dir-Sync files: every one both trees hold, labelled, in path order;
    // only MSTTRANS and SRVCONF differ, each by the one edit.
    let ds = v["dirsync"].as_array().unwrap();
    let labels: Vec<(&str, &str)> = ds
        .iter()
        .map(|x| (x["path"].as_str().unwrap(), x["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        labels,
        [
            ("GLB/MSTTRANS.GLB", "transactions"),
            ("GLB/REQCONF.GLB", "reqconf"),
            ("GLB/REQTRANS.GLB", "transactions"),
            ("GLB/SRVCONF.GLB", "srvconf"),
        ]
    );
    let mst = &ds[0]["transactions"];
    assert_eq!(
        mst["records_b"].as_u64().unwrap(),
        mst["records_a"].as_u64().unwrap() + 1
    );
    assert_eq!(mst["only_in_a"], json!([]));
    assert_eq!(mst["changed"], json!([]));
    assert_eq!(mst["only_in_b"].as_array().unwrap().len(), 1);
    assert_eq!(mst["only_in_b"][0]["sync"], e.extra_sync);
    assert_eq!(mst["only_in_b"][0]["fields"][0], json!(["op", "A"]));
    assert_eq!(
        mst["only_in_b"][0]["fields"][1],
        json!(["text", e.extra_text])
    );
    assert!(ds[0]["configuration"].is_null());
    assert_eq!(ds[1]["configuration"], json!([]));
    let rq = &ds[2]["transactions"];
    assert_eq!(
        (&rq["only_in_a"], &rq["only_in_b"], &rq["changed"]),
        (&json!([]), &json!([]), &json!([]))
    );
    assert_eq!(
        ds[3]["configuration"],
        json!([{"field": "reqsync", "requestor": e.requestor.0,
                "a": e.requestor.1.to_string(), "b": e.requestor.2.to_string()}])
    );

    // Files: the removed one, and the files the edits rewrote.
    let f = &v["files"];
    assert_eq!(file_paths(&f["only_in_a"]), ["GLB/MODEM.GLB"]);
    assert_eq!(f["only_in_b"], json!([]));
    let changed: Vec<String> = f["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["a"]["path"].as_str().unwrap().to_string())
        .collect();
    // The USR list's own USR and INF files (named by its mailbag), the GAL
    // files the writer derives from it, and the two Dir-Sync files.
    let usr = changed.iter().find(|p| p.starts_with("USR/")).unwrap();
    let bag = usr.trim_start_matches("USR/").trim_end_matches(".USR");
    assert_eq!(
        changed,
        [
            "GLB/GALINDEX.GLB".to_string(),
            "GLB/GALNETPO.GLB".into(),
            "GLB/MSTTRANS.GLB".into(),
            "GLB/SRVCONF.GLB".into(),
            format!("INF/{bag}.INF"),
            "NME/GAL.NME".into(),
            format!("USR/{bag}.USR"),
        ]
    );

    // Totals: the sum of the parts (see docs/diff-and-batch.md).
    let t = &v["totals"];
    assert_eq!(t["only_in_a"], 1 + 1); // entry + file
    assert_eq!(t["only_in_b"], 1); // transaction
    assert_eq!(t["renamed"], 0);
    assert_eq!(t["changed"], 1 + 1 + changed.len()); // entry + number + files
}

#[test]
fn identical_trees_exit_0_and_list_their_dirsync_files() {
    let d = tempfile::tempdir().unwrap();
    setup(d.path());
    let out = msmail(d.path(), &["diff", "A", "g/server"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("Result: identical"), "{s}");
    assert!(s.contains("Totals: only in A 0, only in B 0, renamed 0, changed 0"));
    assert!(s.contains("Dir-Sync GLB/SRVCONF.GLB (srvconf): fields changed 0"));
    let json = msmail(d.path(), &["diff", "A", "g/server", "--format", "json"]);
    assert_eq!(json.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["dirsync"].as_array().unwrap().len(), 4);
    assert!(v["transactions"].is_null() && v["configuration"].is_null());
}

#[test]
fn text_summary_lists_the_edits_before_the_details() {
    let d = tempfile::tempdir().unwrap();
    let e = setup(d.path());
    let out = msmail(d.path(), &["diff", "A", "B"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let s = String::from_utf8(out.stdout).unwrap();
    let pos = |needle: &str| {
        s.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} in\n{s}"))
    };
    let totals = pos("Totals: only in A 2, only in B 1, renamed 0, changed 9");
    let mst = pos("Dir-Sync GLB/MSTTRANS.GLB (transactions): ");
    let srv = pos("Dir-Sync GLB/SRVCONF.GLB (srvconf): fields changed 1");
    let files = pos("Files: ");
    let details = pos(&format!("- only in A: {}", e.deleted.0));
    assert!(totals < mst && mst < srv && srv < files && files < details);
    assert!(s.contains("only in A 0, only in B 1, changed 0\nDir-Sync GLB/REQCONF.GLB"));
    pos(&format!("~ changed: {}", e.renamed.0));
    pos("== GLB/MSTTRANS.GLB (transactions) ==");
    pos(&format!("+ only in B: sync {} op=\"A\"", e.extra_sync));
    pos("== GLB/SRVCONF.GLB (srvconf) ==");
    pos(&format!(
        "~ reqsync of requestor {}: {} -> {}",
        e.requestor.0, e.requestor.1, e.requestor.2
    ));
    pos("- only in A: GLB/MODEM.GLB");
    assert!(
        !s.contains("== GLB/REQTRANS.GLB"),
        "identical files have no details"
    );
}

#[test]
fn html_report_shows_each_dirsync_file_and_passes_the_browser_check() {
    let d = tempfile::tempdir().unwrap();
    setup(d.path());
    let out = msmail(
        d.path(),
        &["diff", "A", "B", "--format", "html", "-o", "report.html"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let html = std::fs::read_to_string(d.path().join("report.html")).unwrap();
    assert!(html.contains("id=\"total-only-in-a\">2<"));
    assert!(html.contains("id=\"total-only-in-b\">1<"));
    assert!(html.contains("id=\"total-changed\">9<"));
    assert!(html.contains("id=\"total-differences\">12<"));
    assert_eq!(html.matches("<tr class=\"dirsync-file\"").count(), 4);
    assert!(html.contains("<h3 id=\"dirsync-0\">GLB/MSTTRANS.GLB (transactions)</h3>"));
    assert!(html.contains("<a href=\"#dirsync-0\">GLB/MSTTRANS.GLB</a>"));
    // Readable names for the configuration numbers.
    assert!(html.contains("<td>ReqSync</td>"));
    assert_eq!(html.matches("<script").count(), 1);
    assert!(!html.contains("http:") && !html.contains("https:"));
    // Every in-page link has its target.
    for href in html.split("href=\"#").skip(1) {
        let id = &href[..href.find('"').unwrap()];
        assert!(html.contains(&format!("id=\"{id}\"")), "no #{id}");
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/browser/check_html_report.sh"
    );
    let chromium = ["chromium", "chromium-browser"].iter().any(|b| {
        Command::new("sh")
            .args(["-c", &format!("command -v {b}")])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    });
    if !chromium {
        eprintln!("chromium not installed: browser check skipped");
        return;
    }
    let check = Command::new("bash")
        .args([script, d.path().join("report.html").to_str().unwrap(), "12"])
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
}

/// Prepares the input of the diff benchmark (docs/benchmarks.md): applies the
/// same five edits to the server tree named by `MSMAIL_DIFF_BENCH_TREE` (a copy
/// of a generated tree). Run by hand:
/// `MSMAIL_DIFF_BENCH_TREE=/tmp/big-b cargo test --release --test diff_tree -- --ignored`
#[test]
#[ignore]
fn prepare_benchmark_copy() {
    let Ok(tree) = std::env::var("MSMAIL_DIFF_BENCH_TREE") else {
        eprintln!("MSMAIL_DIFF_BENCH_TREE not set: nothing to do");
        return;
    };
    let e = edit_tree(Path::new(&tree));
    eprintln!(
        "edited {tree}: renamed {}, deleted {}, MSTTRANS +sync {}, SRVCONF reqsync of {}",
        e.renamed.0, e.deleted.0, e.extra_sync, e.requestor.0
    );
}

/// Prepares the transaction-stream benchmark (docs/benchmarks.md): folders
/// `a/GLB` and `b/GLB` under `MSMAIL_DIFF_BENCH_DIR`, each with a MSTTRANS.GLB
/// of 1,000,000 records; B lacks record 10, has another text at 500,000 and
/// one record more. Run by hand:
/// `MSMAIL_DIFF_BENCH_DIR=/tmp/tb cargo test --release --test diff_tree -- --ignored`
#[test]
#[ignore]
fn prepare_transaction_benchmark() {
    let Ok(dir) = std::env::var("MSMAIL_DIFF_BENCH_DIR") else {
        eprintln!("MSMAIL_DIFF_BENCH_DIR not set: nothing to do");
        return;
    };
    const N: u32 = 1_000_000;
    let rec = |sync: u32, name: &str| {
        let e = Entry::new(
            name,
            Address::parse(&format!("PCM:NET/PO{}/U{sync}", sync % 500)).unwrap(),
        );
        TransactionRecord::from_operation(sync, 800_000_000 + sync, "NET/PO", &Operation::Add(e))
            .unwrap()
    };
    let a: Vec<TransactionRecord> = (1..=N).map(|s| rec(s, &format!("User {s}"))).collect();
    let mut b: Vec<TransactionRecord> = a.iter().filter(|r| r.sync != 10).cloned().collect();
    if let Some(r) = b.iter_mut().find(|r| r.sync == 500_000) {
        *r = rec(500_000, "Changed, Name");
    }
    b.push(rec(N + 1, "Extra, Eve"));
    for (side, records) in [("a", &a), ("b", &b)] {
        let glb = Path::new(&dir).join(side).join("GLB");
        std::fs::create_dir_all(&glb).unwrap();
        std::fs::write(glb.join("MSTTRANS.GLB"), write_stream(records)).unwrap();
    }
}

#[test]
fn tree_reports_are_deterministic_and_b_to_a_mirrors_a_to_b() {
    let d = tempfile::tempdir().unwrap();
    setup(d.path());
    let run = |x: &str, y: &str| {
        let out = msmail(d.path(), &["diff", x, y, "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        out.stdout
    };
    let first = run("A", "B");
    assert_eq!(first, run("A", "B"), "same inputs, same bytes");
    let ab: Value = serde_json::from_slice(&first).unwrap();
    let ba: Value = serde_json::from_slice(&run("B", "A")).unwrap();
    assert_eq!(ab["totals"]["only_in_a"], ba["totals"]["only_in_b"]);
    assert_eq!(ab["totals"]["only_in_b"], ba["totals"]["only_in_a"]);
    assert_eq!(ab["totals"]["changed"], ba["totals"]["changed"]);
    let mst = |v: &Value, side: &str| v["dirsync"][0]["transactions"][side].clone();
    assert_eq!(mst(&ab, "only_in_b"), mst(&ba, "only_in_a"));
}
