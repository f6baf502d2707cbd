//! LDIF interoperability: the LDIF msmail writes loads into a real OpenLDAP
//! `slapd` (stock core + cosine + inetorgperson schemas, mdb backend) with
//! `ldapadd`, and comes back through `ldapsearch` entry by entry, value by value:
//! KB-shaped import text, hard values, a tree written byte by byte from
//! docs/formats.md (groups whose member DNs must resolve on the server,
//! template data mapped to standard attributes, a `--map` file) and its
//! personal address lists.
//!
//! Skipped (with a message) when slapd is not installed, unless
//! `MSMAIL_REQUIRE_SLAPD=1` is set, in which case a missing slapd fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
mod handtree;

use common::cli::run_ok as run;
use common::ldif::by_dn;
use msmail::export::ldif::{
    normalize_dn, parse_ldif, read_ldif_directory, write_change_ldif, write_ldif_with,
    DirectoryChange, LdifOptions, LdifRecord,
};
use msmail::export::person::AttributeMap;
use msmail::model::{Address, Directory, Entry, EntryKind, TemplateValue};

const BASE: &str = "dc=example,dc=com";
const LIB_BASE: &str = "ou=lib,dc=example,dc=com";
const TREE_BASE: &str = "ou=tree,dc=example,dc=com";
const ROOT_DN: &str = "cn=admin,dc=example,dc=com";
const ROOT_PW: &str = "interop-secret";

fn slapd_path() -> Option<PathBuf> {
    [
        "/usr/sbin/slapd",
        "/usr/local/sbin/slapd",
        "/usr/local/libexec/slapd",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// A throwaway slapd; killed and reaped on drop, whatever happens in the test.
struct Slapd {
    child: Child,
    uri: String,
    _dir: tempfile::TempDir,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

fn start_slapd(slapd: &Path) -> Slapd {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    std::fs::create_dir(&db).unwrap();
    let mut conf = String::new();
    for s in ["core", "cosine", "inetorgperson"] {
        conf.push_str(&format!("include /etc/ldap/schema/{s}.schema\n"));
    }
    conf.push_str(&format!(
        "pidfile {}\n",
        dir.path().join("slapd.pid").display()
    ));
    for libdir in [
        "/usr/lib/ldap",
        "/usr/lib/openldap",
        "/usr/libexec/openldap",
    ] {
        if Path::new(libdir).join("back_mdb.la").exists()
            || Path::new(libdir).join("back_mdb.so").exists()
        {
            conf.push_str(&format!("modulepath {libdir}\nmoduleload back_mdb\n"));
            break;
        }
    }
    conf.push_str(&format!(
        "database mdb\nmaxsize 104857600\nsuffix \"{BASE}\"\nrootdn \"{ROOT_DN}\"\nrootpw {ROOT_PW}\ndirectory {}\n",
        db.display()
    ));
    let conf_path = dir.path().join("slapd.conf");
    std::fs::write(&conf_path, conf).unwrap();
    for _attempt in 0..3 {
        let port = free_port();
        let uri = format!("ldap://127.0.0.1:{port}/");
        let child = Command::new(slapd)
            .args(["-d", "0", "-f"])
            .arg(&conf_path)
            .args(["-h", &uri])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start slapd");
        let mut s = Slapd {
            child,
            uri,
            _dir: tempfile::tempdir().unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = s.child.try_wait() {
                break; // exited: port taken or config error; try again
            }
            let ok = Command::new("ldapsearch")
                .args([
                    "-x",
                    "-H",
                    &s.uri,
                    "-b",
                    "",
                    "-s",
                    "base",
                    "-LLL",
                    "objectClass=*",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|st| st.success())
                .unwrap_or(false);
            if ok {
                s._dir = dir;
                return s;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    panic!("slapd did not start (config {})", conf_path.display());
}

fn ldapadd(s: &Slapd, file: &Path) {
    let out = Command::new("ldapadd")
        .args(["-x", "-H", &s.uri, "-D", ROOT_DN, "-w", ROOT_PW, "-f"])
        .arg(file)
        .output()
        .expect("cannot run ldapadd");
    assert!(
        out.status.success(),
        "ldapadd failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
}

fn ldapsearch_all(s: &Slapd, base: &str) -> Vec<LdifRecord> {
    let out = Command::new("ldapsearch")
        .args([
            "-x",
            "-LLL",
            "-H",
            &s.uri,
            "-b",
            base,
            "-s",
            "sub",
            "(objectClass=*)",
        ])
        .output()
        .expect("cannot run ldapsearch");
    assert!(
        out.status.success(),
        "ldapsearch failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_ldif(&String::from_utf8(out.stdout).unwrap()).unwrap()
}

fn round_trip(s: &Slapd, ldif_path: &Path) {
    ldapadd(s, ldif_path);
    let written = parse_ldif(&std::fs::read_to_string(ldif_path).unwrap()).unwrap();
    let back = by_dn(&ldapsearch_all(s, BASE));
    let want = by_dn(&written);
    for (dn, attrs) in &want {
        let got = back
            .get(dn)
            .unwrap_or_else(|| panic!("{dn} missing after ldapsearch"));
        assert_eq!(got, attrs, "entry {dn} differs after the round trip");
    }
}

fn e(name: &str, addr: &str) -> Entry {
    Entry::new(name, Address::parse(addr).unwrap())
}

/// Hard values that only the library can build (import text has no groups
/// and trims leading spaces), with a group's members.
fn hard_directory() -> Directory {
    let mut staff = e("All Staff, Seattle", "PCM:LIBNET/SEATTLE/ALLSTAFF");
    staff.kind = EntryKind::Group;
    let mut plus = e("<Sales+Support>", "PCM:LIBNET/SEATTLE/SALES+SUP");
    plus.kind = EntryKind::Group;
    let mut jo = e(" Müller, Jürgen", "PCM:LIBNET/KÖLN/JMUELLER");
    jo.template = vec![
        TemplateValue {
            prompt: "City/ST/Zip:".into(),
            value: " Köln, 50667 ".into(),
        },
        TemplateValue {
            prompt: "Phone #:".into(),
            value: "+49 221 555".into(),
        },
        TemplateValue {
            prompt: "Phone #:".into(),
            value: "+49 221 555".into(),
        },
    ];
    let staff_key = staff.key();
    let members = vec![
        jo.address.clone(),
        Address::parse("SNADS:SNADSGATE/SNADSDGN/JOHNDOE").unwrap(),
        plus.address.clone(),
        // Not an entry of this export: its DN dangles until it is loaded.
        Address::parse("PCM:ELSEWHERE/PO/GONE").unwrap(),
    ];
    let mut d: Directory = [
        staff,
        plus,
        jo,
        e(":colon first", "PCM:LIBNET/SEATTLE/COLON"),
        e("<angle first", "PCM:LIBNET/SEATTLE/ANGLE"),
        e("trailing space ", "PCM:LIBNET/SEATTLE/TRAIL"),
        e("#hash, \"quoted\"; semi=eq\\", "PCM:LIBNET/SEATTLE/ODD"),
        e(
            "Abercrombie-Fitzgerald, Maxim",
            "PCM:LIBNET/SEATTLE/MAXIMAF",
        ),
        e("Doe, John", "SNADS:SNADSGATE/SNADSDGN/JOHNDOE"),
        e("Mike Sterns", "PROFS:PSSGATE/MSVM6/MSTERNS"),
        e("X.400 Partner", "X400:c=US;a= ;p=ACME;o=Sales;s=Doe"),
        e("Two  Spaces", "SMTP:two  spaces@example.com"),
        e("One Space", "SMTP:two spaces@example.com"),
        e("", "SMTP:noname@example.com"),
    ]
    .into_iter()
    .collect();
    d.set_members(&staff_key, members);
    d
}

/// The LDIF of a directory without the attribute map (template data stays
/// in numbered descriptions, so it reads back exactly).
fn unmapped_ldif(d: &Directory, base: &str) -> Vec<u8> {
    let mut text = Vec::new();
    let mut opts = LdifOptions::new(base);
    opts.map = AttributeMap::none();
    write_ldif_with(d, &mut text, &opts).unwrap();
    text
}

/// Every `member` and `seeAlso` DN of `records` names an entry the server has.
fn assert_dns_resolve(s: &Slapd, records: &[LdifRecord], skip: &[&str]) -> usize {
    let mut checked = 0;
    for r in records {
        for (a, v) in &r.attrs {
            if !(a.eq_ignore_ascii_case("member") || a.eq_ignore_ascii_case("seeAlso")) {
                continue;
            }
            if skip.iter().any(|x| v.contains(x)) {
                continue;
            }
            let out = Command::new("ldapsearch")
                .args([
                    "-x",
                    "-LLL",
                    "-H",
                    &s.uri,
                    "-s",
                    "base",
                    "-b",
                    v,
                    "(objectClass=*)",
                    "dn",
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{a} {v} of {} does not resolve on the server: {}",
                r.dn,
                String::from_utf8_lossy(&out.stderr)
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn ldif_round_trips_through_openldap() {
    let Some(slapd) = slapd_path() else {
        if std::env::var("MSMAIL_REQUIRE_SLAPD").as_deref() == Ok("1") {
            panic!("MSMAIL_REQUIRE_SLAPD=1 but slapd is not installed");
        }
        eprintln!("SKIPPED: slapd not installed (apt-get install slapd ldap-utils)");
        return;
    };
    let server = start_slapd(&slapd);
    let work = tempfile::tempdir().unwrap();

    // 1. The binary: the KB-shaped import text fixture exported to LDIF.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import/kb-shapes.txt");
    let from_bin = work.path().join("fixture.ldif");
    let out = Command::new(env!("CARGO_BIN_EXE_msmail"))
        .arg("export")
        .arg(&fixture)
        .args(["--to", "ldif", "--base-dn", BASE, "-o"])
        .arg(&from_bin)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    round_trip(&server, &from_bin);

    // 2. The library: groups, unsafe values, DN escapes, DNs that only the
    //    server sees as equal; under its own base entry `ou=lib`.
    let hard = work.path().join("hard.ldif");
    std::fs::write(&hard, unmapped_ldif(&hard_directory(), LIB_BASE)).unwrap();
    round_trip(&server, &hard);

    // Everything is there, and reads back into the same directory: members
    // in order (the server keeps the values as loaded), the outside one by
    // the uid of its DN.
    let all = ldapsearch_all(&server, LIB_BASE);
    let back = read_ldif_directory(&render(&all), "ldapsearch").unwrap();
    assert_same(&hard_directory(), &back);
    let staff = Address::parse("PCM:LIBNET/SEATTLE/ALLSTAFF").unwrap().key();
    let mut want: Vec<String> = hard_directory()
        .members(&staff)
        .unwrap()
        .iter()
        .map(|a| a.to_string())
        .collect();
    let mut got: Vec<String> = back
        .members(&staff)
        .unwrap()
        .iter()
        .map(|a| a.to_string())
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert!(assert_dns_resolve(&server, &all, &["ELSEWHERE"]) >= 3);

    // 3. A change LDIF (the shape of a Dir-Sync hole) applied with ldapmodify.
    let mut after = hard_directory();
    let get = |d: &Directory, a: &str| d.get(&Address::parse(a).unwrap().key()).unwrap().clone();
    let mut renamed = get(&after, "PCM:LIBNET/KÖLN/JMUELLER");
    renamed.full_name = "Müller-Lüdenscheidt, Jürgen".into();
    renamed.template.truncate(1);
    let moved_from = get(&after, "PCM:LIBNET/SEATTLE/COLON");
    let moved_to = e("Colon, Moved", "PCM:LIBNET/SEATTLE/COLON2");
    let deleted = get(&after, "PCM:LIBNET/SEATTLE/TRAIL");
    let added = e(" Neu, Änne", "PCM:LIBNET/KÖLN/AENNE");
    let changes = vec![
        DirectoryChange::Add(added.clone()),
        DirectoryChange::Delete(deleted.clone()),
        DirectoryChange::Modify {
            old: get(&after, "PCM:LIBNET/KÖLN/JMUELLER"),
            new: renamed.clone(),
        },
        DirectoryChange::Modify {
            old: moved_from.clone(),
            new: moved_to.clone(),
        },
    ];
    after.upsert(added);
    after.remove(&deleted.key());
    after.upsert(renamed);
    after.remove(&moved_from.key());
    after.upsert(moved_to);
    let mut text = Vec::new();
    write_change_ldif(&changes, &mut text, LIB_BASE).unwrap();
    let change_path = work.path().join("changes.ldif");
    std::fs::write(&change_path, text).unwrap();
    let out = Command::new("ldapmodify")
        .args(["-x", "-H", &server.uri, "-D", ROOT_DN, "-w", ROOT_PW, "-f"])
        .arg(&change_path)
        .output()
        .expect("cannot run ldapmodify");
    assert!(
        out.status.success(),
        "ldapmodify failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back =
        read_ldif_directory(&render(&ldapsearch_all(&server, LIB_BASE)), "ldapsearch").unwrap();
    assert_same(&after, &back);
    assert_eq!(back.len(), after.len());

    // 4. A tree written byte by byte (tests/handtree) through the binary,
    //    with a --map file: groups with member DNs that resolve, people with
    //    sn/givenName, template data as standard attributes.
    let tree = handtree::tree();
    let map = work.path().join("prompts.map");
    std::fs::write(&map, "# site rules\nCost Center: = employeeNumber\n").unwrap();
    let tree_ldif = work.path().join("tree.ldif");
    run(&[
        "export".as_ref(),
        tree.path().as_os_str(),
        "--to".as_ref(),
        "ldif".as_ref(),
        "--base-dn".as_ref(),
        TREE_BASE.as_ref(),
        "--map".as_ref(),
        map.as_os_str(),
        "-o".as_ref(),
        tree_ldif.as_os_str(),
    ]);
    round_trip(&server, &tree_ldif);
    let on_server = ldapsearch_all(&server, TREE_BASE);
    let resolved = assert_dns_resolve(&server, &on_server, &[]);
    // 4 + 2 members, and the empty group's own DN.
    assert_eq!(resolved, 7);
    let back = read_ldif_directory(&render(&on_server), "ldapsearch").unwrap();
    let sorted_members = |d: &Directory, g: &str| {
        let mut v: Vec<String> = d
            .members(&Address::parse(g).unwrap().key())
            .unwrap()
            .iter()
            .map(|a| a.to_string())
            .collect();
        v.sort();
        v
    };
    let mut want: Vec<String> = handtree::SALES_MEMBERS
        .iter()
        .map(|s| s.to_string())
        .collect();
    want.sort();
    assert_eq!(sorted_members(&back, "PCM:ACME/HQ/SALES"), want);
    let mut want: Vec<String> = handtree::TEAMB_MEMBERS
        .iter()
        .map(|s| s.to_string())
        .collect();
    want.sort();
    assert_eq!(sorted_members(&back, "PCM:ACME/HQ/TEAMB"), want);
    assert!(sorted_members(&back, "PCM:ACME/HQ/EMPTY").is_empty());
    let anna = on_server
        .iter()
        .find(|r| r.first("uid") == Some("PCM:ACME/HQ/JAEGER"))
        .unwrap();
    for (attr, value) in [
        ("sn", "Jäger"),
        ("givenName", "Anna"),
        ("displayName", "Jäger, Anna"),
        ("telephoneNumber", "+41 44 555 12 12"),
        ("departmentNumber", "Sales"),
        ("employeeNumber", "4711"),
    ] {
        assert_eq!(anna.values(attr), vec![value], "{attr}");
    }
    assert!(anna.values("description").is_empty());
    let john = on_server
        .iter()
        .find(|r| r.first("uid") == Some("PCM:ACME/HQ/JDOE"))
        .unwrap();
    assert_eq!(
        (
            john.first("sn"),
            john.first("givenName"),
            john.first("initials")
        ),
        (Some("Doe"), Some("John"), Some("D."))
    );

    // 5. Its personal address lists next to it: below ou=Personal Address
    //    Lists, one ou per owner whose seeAlso is the owner's entry.
    let pals = work.path().join("pals.ldif");
    run(&[
        "export".as_ref(),
        tree.path().as_os_str(),
        "--list".as_ref(),
        "pals".as_ref(),
        "--to".as_ref(),
        "ldif".as_ref(),
        "--base-dn".as_ref(),
        TREE_BASE.as_ref(),
        "-o".as_ref(),
        pals.as_os_str(),
    ]);
    round_trip(&server, &pals);
    let pal_base = format!("ou=Personal Address Lists,{TREE_BASE}");
    let on_server = ldapsearch_all(&server, &pal_base);
    assert_eq!(
        assert_dns_resolve(&server, &on_server, &[]),
        2 + 1,
        "seeAlso x2, Team B's own DN"
    );
    let jdoe_list = format!("ou=PCM:ACME/HQ/JDOE,{pal_base}");
    let jdoe: Vec<&LdifRecord> = on_server
        .iter()
        .filter(|r| {
            normalize_dn(&r.dn)
                .unwrap()
                .ends_with(&normalize_dn(&jdoe_list).unwrap())
        })
        .filter(|r| r.first("uid").is_some())
        .collect();
    let mut got: Vec<(String, String)> = jdoe
        .iter()
        .map(|r| {
            (
                r.first("cn").unwrap().to_string(),
                r.first("uid").unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = handtree::JDOE_PAL
        .iter()
        .map(|(n, a)| (n.to_string(), a.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want);
}

/// Records as LDIF again (every value base64), for `read_ldif_directory`.
fn render(records: &[LdifRecord]) -> String {
    let mut rendered = String::new();
    for r in records {
        rendered.push_str(&format!("dn:: {}\n", base64_value(&r.dn)));
        for (a, v) in &r.attrs {
            rendered.push_str(&format!("{a}:: {}\n", base64_value(v)));
        }
        rendered.push('\n');
    }
    rendered
}

/// Every entry of `want` is in `got` with the same content and spelling.
fn assert_same(want: &Directory, got: &Directory) {
    for w in want.iter() {
        let g = got
            .get(&w.key())
            .unwrap_or_else(|| panic!("{} missing", w.address));
        assert!(w.same_content(g), "{w:?}\n{g:?}");
        assert_eq!(g.address.to_string(), w.address.to_string());
    }
}

fn base64_value(v: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(v.as_bytes())
}
