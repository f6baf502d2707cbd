//! `msmail generate`: determinism, committed fixtures, readable trees, and a
//! truth.json that agrees with the evidence it describes.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::cli::run as msmail;
use msmail::dirsync::{read_stream, ReqConf, SrvConf};
use msmail::generate::world::{World, WorldParams};
use msmail::model::{Address, Directory, Entry, Scope};
use msmail::source::{load_directory, LoadOptions};
use msmail::tree::PostOffice;
use serde_json::Value;

fn generate(out: &Path, extra: &[&str]) {
    let mut args = vec!["generate", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = msmail(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every file under `dir`: relative path → bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m
}

fn assert_same_tree(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "file lists differ"
    );
    for (k, v) in &fa {
        assert!(v == &fb[k], "{} differs", k.display());
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn truth(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap()
}

#[test]
fn same_arguments_give_byte_identical_output() {
    let t = tempfile::tempdir().unwrap();
    for (name, args) in [
        (
            "d",
            &["--postoffices", "4", "--users", "10", "--seed", "11"][..],
        ),
        (
            "r",
            &[
                "--scenario",
                "restore",
                "--postoffices",
                "10",
                "--users",
                "9",
                "--seed",
                "5",
            ][..],
        ),
    ] {
        let a = t.path().join(format!("{name}1"));
        let b = t.path().join(format!("{name}2"));
        generate(&a, args);
        generate(&b, args);
        assert_same_tree(&a, &b);
    }
    // A different seed gives a different world.
    let c = t.path().join("c");
    generate(&c, &["--postoffices", "4", "--users", "10", "--seed", "12"]);
    assert_ne!(
        files(&t.path().join("d1")).get(Path::new("server/NME/ADMIN.NME")),
        files(&c).get(Path::new("server/NME/ADMIN.NME"))
    );
}

#[test]
fn committed_fixtures_match_the_generator() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path().join("restore");
    generate(
        &r,
        &[
            "--scenario",
            "restore",
            "--postoffices",
            "9",
            "--users",
            "12",
            "--seed",
            "7",
        ],
    );
    assert_same_tree(&r, &fixture("restore"));
    let g = t.path().join("generated");
    generate(&g, &["--postoffices", "3", "--users", "8", "--seed", "3"]);
    assert_same_tree(&g, &fixture("generated"));
}

#[test]
fn existing_output_is_not_overwritten_without_force() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    generate(&a, &["--postoffices", "2", "--users", "4"]);
    let o = msmail(&[
        "generate",
        "--out",
        a.to_str().unwrap(),
        "--postoffices",
        "2",
        "--users",
        "4",
    ]);
    assert_eq!(o.status.code(), Some(4));
    generate(&a, &["--postoffices", "2", "--users", "4", "--force"]);
    let o = msmail(&[
        "generate",
        "--out",
        a.to_str().unwrap(),
        "--postoffices",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_file_that_cannot_be_written_is_the_error_and_nothing_after_it_is_written() {
    // Files are written by a thread of their own while the next ones are
    // built: the first failure in file order must still be the error, and
    // the files after it must not appear.
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("w");
    std::fs::create_dir_all(out.join("server")).unwrap();
    std::fs::write(out.join("server/USR"), b"a file where the USR folder goes").unwrap();
    let o = msmail(&[
        "generate",
        "--out",
        out.to_str().unwrap(),
        "--postoffices",
        "3",
        "--users",
        "8",
    ]);
    assert_eq!(o.status.code(), Some(4), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("server/USR"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // Built before the USR files: written. After them: not.
    assert!(out.join("server/GLB/MASTER.GLB").is_file());
    assert!(out.join("server/GLB/ACCESS2.GLB").is_file());
    for later in [
        "GLB/NETWORK.GLB",
        "NME/GAL.NME",
        "GLB/GALINDEX.GLB",
        "GLB/REQCONF.GLB",
    ] {
        assert!(!out.join("server").join(later).exists(), "{later}");
    }
    assert!(!out.join("truth.json").exists());
    assert!(!out.join("requestors").exists());
}

#[test]
fn every_evidence_kind_is_present_in_the_fixture() {
    let dir = fixture("restore");
    let t = truth(&dir);
    let pos = t["postoffices"].as_array().unwrap();
    let forms: Vec<&str> = pos
        .iter()
        .map(|p| p["evidence_form"].as_str().unwrap())
        .collect();
    for f in [
        "import-text",
        "extract",
        "reqtrans",
        "message",
        "tree",
        "numbers",
        "numbers-glb",
        "none",
        "server-tree",
    ] {
        assert!(forms.contains(&f), "missing {f}: {forms:?}");
    }
    for p in pos {
        match p["evidence_path"].as_str() {
            Some(path) => assert!(dir.join(path).exists(), "{path}"),
            None => assert_eq!(p["evidence"], "none"),
        }
    }
    let hazards: Vec<&str> = pos
        .iter()
        .flat_map(|p| p["hazards"].as_array().unwrap())
        .map(|h| h.as_str().unwrap())
        .collect();
    for h in ["lost-updates", "skipped-master", "rejected-updates"] {
        assert!(hazards.contains(&h), "{h}");
    }
    assert!(t["totals"]["missing_adds"].as_u64().unwrap() > 0);
    assert!(t["totals"]["missing_deletes"].as_u64().unwrap() > 0);
    assert!(t["totals"]["modified"].as_u64().unwrap() > 0);
}

/// The server's view of scope p: its USR list, then MSTTRANS replayed.
fn server_view(server: &Path, scope: &Scope) -> Directory {
    let po = PostOffice::open(server, &LoadOptions::default()).unwrap();
    let (net, name) = scope.network_postoffice().unwrap();
    let mut d = if po.data.network == net && po.data.postoffice == name {
        po.pol()
    } else {
        po.usr_list(net, name).unwrap()
    };
    let bytes = std::fs::read(server.join("GLB/MSTTRANS.GLB")).unwrap();
    let stream = read_stream(&bytes, "MSTTRANS.GLB", false).unwrap();
    let mut all = Directory::new();
    for e in d.iter() {
        all.upsert(e.clone());
    }
    stream.apply_to(&mut all, "MSTTRANS.GLB").unwrap();
    d = all.in_scope(scope).into_iter().cloned().collect();
    d
}

/// Entries of the 10/10/10 gateway node lists whose XTN route names the
/// postoffice of `scope`.
fn hosted_gateway_entries(server: &Path, scope: &Scope) -> usize {
    let po = PostOffice::open(server, &LoadOptions::default()).unwrap();
    let (_, name) = scope.network_postoffice().unwrap();
    po.data
        .networks
        .iter()
        .filter(|n| n.kind == 2)
        .flat_map(|n| n.postoffices.iter())
        .filter(|x| x.route.eq_ignore_ascii_case(name))
        .map(|x| x.entries.len())
        .sum()
}

fn evidence_list(dir: &Path, p: &Value) -> Directory {
    let path = dir.join(p["evidence_path"].as_str().unwrap());
    let scope = Scope::parse(p["scope"].as_str().unwrap()).unwrap();
    let d = if p["evidence"] == "tree" {
        PostOffice::open(&path, &LoadOptions::default())
            .unwrap()
            .pol()
    } else {
        load_directory(&path, &LoadOptions::default())
            .unwrap()
            .directory
    };
    d.in_scope(&scope).into_iter().cloned().collect()
}

fn names(d: &Directory) -> BTreeMap<String, String> {
    d.iter()
        .map(|e| (e.key().0, e.full_name.to_string()))
        .collect()
}

#[test]
fn truth_hole_applied_to_the_server_view_gives_the_evidence() {
    let dir = fixture("restore");
    let t = truth(&dir);
    let server = dir.join("server");
    let mut checked = 0;
    for p in t["postoffices"].as_array().unwrap() {
        let scope = Scope::parse(p["scope"].as_str().unwrap()).unwrap();
        let mut view = server_view(&server, &scope);
        // truth's counts hold the gateway node entries the postoffice hosts
        // (XTN route naming it) and, for the server, its excluded ADMIN.
        let extra = hosted_gateway_entries(&server, &scope)
            + usize::from(p["evidence_form"] == "server-tree");
        assert_eq!(
            (view.len() + extra) as u64,
            p["server_entries"].as_u64().unwrap(),
            "{scope}"
        );
        if !p["authoritative"].as_bool().unwrap() {
            assert!(p["missing_adds"].as_array().unwrap().is_empty());
            assert!(p["sync"]["requestor_reqsync"].is_null() || p["evidence"] == "numbers");
            continue;
        }
        let want = evidence_list(&dir, p);
        assert_eq!(
            (want.len() + extra) as u64,
            p["merged_entries"].as_u64().unwrap(),
            "{scope}"
        );
        for e in p["missing_deletes"].as_array().unwrap() {
            let a = Address::parse(e["address"].as_str().unwrap()).unwrap();
            assert!(view.remove(&a.key()).is_some(), "{scope}: delete {a}");
        }
        for e in p["missing_adds"].as_array().unwrap() {
            let a = Address::parse(e["address"].as_str().unwrap()).unwrap();
            assert!(
                !view.contains_key(&a.key()),
                "{scope}: add {a} already there"
            );
            view.upsert(Entry::new(e["full_name"].as_str().unwrap(), a));
        }
        for e in p["modified"].as_array().unwrap() {
            let a = Address::parse(e["address"].as_str().unwrap()).unwrap();
            let old = view
                .get(&a.key())
                .expect("modified entry on the server")
                .clone();
            assert_eq!(old.full_name, e["server_full_name"].as_str().unwrap());
            let mut new = old.clone();
            new.full_name = e["full_name"].as_str().unwrap().into();
            view.upsert(new);
        }
        assert_eq!(names(&view), names(&want), "{scope}");
        checked += 1;
    }
    assert!(checked >= 5, "{checked}");
}

#[test]
fn truth_numbers_match_the_files() {
    let dir = fixture("restore");
    let t = truth(&dir);
    let srv = SrvConf::read(
        &std::fs::read(dir.join("server/GLB/SRVCONF.GLB")).unwrap(),
        "SRVCONF.GLB",
    )
    .unwrap();
    for p in t["postoffices"].as_array().unwrap() {
        let scope = p["scope"].as_str().unwrap();
        let rec = srv
            .requestors
            .iter()
            .find(|r| r.name.text() == scope)
            .expect("requestor record");
        assert_eq!(
            u64::from(rec.reqsync),
            p["sync"]["server_reqsync"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(srv.sync),
            p["sync"]["server_sync"].as_u64().unwrap()
        );
        let form = p["evidence_form"].as_str().unwrap();
        let conf = match form {
            "numbers" => Some(
                dir.join(p["evidence_path"].as_str().unwrap())
                    .join("REQCONF.GLB"),
            ),
            "numbers-glb" | "tree" => Some(
                dir.join(p["evidence_path"].as_str().unwrap())
                    .join("GLB/REQCONF.GLB"),
            ),
            _ => None,
        };
        if let Some(c) = conf {
            let rc = ReqConf::read(&std::fs::read(&c).unwrap(), "REQCONF.GLB").unwrap();
            assert_eq!(
                u64::from(rc.reqsync),
                p["sync"]["requestor_reqsync"].as_u64().unwrap()
            );
            assert_eq!(
                u64::from(rc.srvsync),
                p["sync"]["requestor_srvsync"].as_u64().unwrap()
            );
            let gap = rc.reqsync.saturating_sub(rec.reqsync);
            assert_eq!(u64::from(gap), p["sync"]["req_gap"].as_u64().unwrap());
            let hazards = p["hazards"].as_array().unwrap();
            assert_eq!(
                hazards.iter().any(|h| h == "rejected-updates"),
                rc.reqsync < rec.reqsync
            );
            assert_eq!(
                hazards.iter().any(|h| h == "skipped-master"),
                rc.srvsync > srv.sync
            );
            // REQTRANS: placeholder at ReqSync, queued transactions above it.
            let rt = c.with_file_name("REQTRANS.GLB");
            let s = read_stream(&std::fs::read(&rt).unwrap(), "REQTRANS.GLB", false).unwrap();
            assert_eq!(s.records[0].sync, rc.reqsync);
            assert!(s.records[0].is_placeholder());
            assert!(s
                .records
                .iter()
                .skip(1)
                .all(|r| r.sync > rc.reqsync && r.crc_ok()));
        }
        if form == "message" {
            let m = msmail::dsmsg::read_message(
                &dir.join(p["evidence_path"].as_str().unwrap()),
                Default::default(),
            )
            .unwrap();
            assert_eq!(
                m.numbers.reqseq.map(u64::from),
                p["sync"]["requestor_reqsync"].as_u64()
            );
            assert_eq!(
                m.numbers.srvseq.map(u64::from),
                p["sync"]["requestor_srvsync"].as_u64()
            );
        }
    }
}

#[test]
fn default_trees_read_back_equal_to_the_world() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("w");
    generate(
        &out,
        &["--postoffices", "4", "--users", "15", "--seed", "9"],
    );
    let mut world = World::new(WorldParams {
        postoffices: 4,
        users: 15,
        seed: 9,
    });
    world.history();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("world.json")).unwrap()).unwrap();
    for (i, po) in world.pos.iter().enumerate() {
        let m = &manifest["postoffices"][i];
        assert_eq!(m["scope"], po.scope().to_string());
        let tree = PostOffice::open(
            &out.join(m["folder"].as_str().unwrap()),
            &LoadOptions::default(),
        )
        .unwrap();
        let pol = tree.pol();
        assert_eq!(pol.len(), po.list.len(), "{}", po.scope());
        for e in po.list.iter() {
            let got = pol.get(&e.key()).expect("entry in POL");
            assert!(got.same_content(e), "{got:?} vs {e:?}");
        }
        // Every other postoffice's USR list equals that postoffice's list.
        for other in world.pos.iter().filter(|o| o.scope() != po.scope()) {
            let usr = tree
                .usr_list(&other.network, &other.name)
                .expect("XTN record");
            assert_eq!(
                names(&usr),
                names(&other.list),
                "{} in {}",
                other.scope(),
                po.scope()
            );
        }
        let rc = ReqConf::read(
            &std::fs::read(
                out.join(m["folder"].as_str().unwrap())
                    .join("GLB/REQCONF.GLB"),
            )
            .unwrap(),
            "REQCONF.GLB",
        )
        .unwrap();
        assert_eq!(rc.reqsync, po.reqsync);
        assert_eq!(rc.srvsync, world.server.sync);
        assert!(rc.password_set());
    }
}

/// The benchmark input for reconcile: run with
/// `cargo test --release --test generate_scenarios -- --ignored --nocapture`.
#[test]
#[ignore]
fn large_restore_500_by_2000() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("big");
    let start = std::time::Instant::now();
    generate(
        &out,
        &[
            "--scenario",
            "restore",
            "--postoffices",
            "500",
            "--users",
            "2000",
            "--seed",
            "1",
        ],
    );
    let secs = start.elapsed().as_secs_f64();
    let bytes: u64 = files(&out).values().map(|v| v.len() as u64).sum();
    eprintln!("500 x 2000 restore: {secs:.1} s, {bytes} bytes");
    assert!(truth(&out)["postoffices"].as_array().unwrap().len() == 500);
}

#[test]
fn default_dirsync_files_agree_with_each_other() {
    let dir = fixture("generated");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("world.json")).unwrap()).unwrap();
    let srv = SrvConf::read(
        &std::fs::read(dir.join("server/GLB/SRVCONF.GLB")).unwrap(),
        "SRVCONF.GLB",
    )
    .unwrap();
    assert_eq!(
        u64::from(srv.sync),
        manifest["server_sync"].as_u64().unwrap()
    );
    let pos = manifest["postoffices"].as_array().unwrap();
    assert_eq!(srv.requestors.len(), pos.len());
    for m in pos {
        let folder = dir.join(m["folder"].as_str().unwrap());
        let rc = ReqConf::read(
            &std::fs::read(folder.join("GLB/REQCONF.GLB")).unwrap(),
            "REQCONF.GLB",
        )
        .unwrap();
        let rec = srv
            .requestors
            .iter()
            .find(|r| r.name.text() == m["scope"].as_str().unwrap())
            .unwrap();
        // Quiet state: both sides agree, everyone has everything.
        assert_eq!(rc.reqsync, rec.reqsync);
        assert_eq!(rc.srvsync, srv.sync);
        assert_eq!(rec.srvsync, srv.sync);
        let rt = read_stream(
            &std::fs::read(folder.join("GLB/REQTRANS.GLB")).unwrap(),
            "REQTRANS.GLB",
            false,
        )
        .unwrap();
        assert_eq!(rt.records.len(), 1, "a lone placeholder (49 bytes)");
        assert!(rt.records[0].is_placeholder() && rt.records[0].sync == rc.reqsync);
    }
    // MSTTRANS: contiguous numbers ending at Sync, CRCs good, origins known.
    let ms = read_stream(
        &std::fs::read(dir.join("server/GLB/MSTTRANS.GLB")).unwrap(),
        "MSTTRANS.GLB",
        false,
    )
    .unwrap();
    assert!(!ms.records.is_empty());
    assert!(ms.records.windows(2).all(|w| w[1].sync == w[0].sync + 1));
    assert_eq!(ms.records.last().unwrap().sync, srv.sync);
    for r in &ms.records {
        assert!(r.crc_ok());
        let origin = format!("PCM:{}", r.origin.text());
        assert!(
            pos.iter().any(|m| m["scope"] == origin.as_str()),
            "{origin}"
        );
    }
}
