//! Pins the exact bytes of the LDIF, change-LDIF and CSV writers on a varied
//! directory, so speed work on the writers can prove the output unchanged.
//! The pinned files were written by the writers before the speed-up; set
//! `MSMAIL_BLESS=1` to rewrite them after an intended format change.

use std::path::PathBuf;

use msmail::export::csv::{write_csv, CsvProfile};
use msmail::export::ldif::{write_change_ldif, write_ldif, DirectoryChange};
use msmail::model::{Address, Directory, Entry, EntryKind, TemplateValue};

fn tv(prompt: &str, value: &str) -> TemplateValue {
    TemplateValue {
        prompt: prompt.into(),
        value: value.into(),
    }
}

/// A directory that touches every branch of the writers: PCM/CSI/gateway/
/// free-form addresses, groups, DNs that fold together, RFC 4514 escapes,
/// non-ASCII (base64) values, long (folded) lines, repeated template prompts,
/// formula-guarded cells and Exchange name clashes.
fn varied() -> Directory {
    let mut v: Vec<Entry> = Vec::new();
    fn push(v: &mut Vec<Entry>, name: &str, addr: &str) -> usize {
        v.push(Entry::new(name, Address::parse(addr).unwrap()));
        v.len() - 1
    }
    let mut add = |name: &str, addr: &str| push(&mut v, name, addr);
    add("Anna Alpha", "PCM:NET/PO/ANNA");
    add("", "PCM:NET/PO/NONAME");
    add(" Lead space", "PCM:net/po/LOWER");
    add("Trail space ", "CSI:NET/PO/CSIUSER");
    add("Müller, Jürgen <x>", "PCM:NET/PO2/MUELLER");
    add("=SUM(A1)", "PCM:NET/PO2/FORMULA");
    add("-minus", "PCM:NET/PO2/MINUS");
    add("Gate User", "PROFS:GATE/NODE/USER");
    add("Gate Two", "profs:gate/node/USER2");
    add("Web", "SMTP:web@example.com");
    add("Web dup", "SMTP:a  b@x");
    add("Web dup2", "SMTP:a b@x");
    add("Web dup3", "SMTP:A B@x");
    add("Sp", "SMTP: x");
    add("Escapes", "X400:c=US;a= ;p=Corp;o=Sales;s=Smith+g=J,#1\\");
    add(
        &"L".repeat(30),
        &format!("SMTP:{}@example.com", "a".repeat(150)),
    );
    add("Hash", "FAX:#123 ");
    add("Colon", "MCI:1234567");
    add("Anna Other", "PCM:NET2/PO/ANNA");
    add("Anna Other", "PCM:NET 2/PO/ANNA");
    add("Anna Other", "PCM:NET  2/PO/ANNA");
    add("Slashy", "PCM:NET/PO/A/B");
    let groups = [
        add("All Staff", "PCM:NET/PO/ALLSTAFF"),
        add("", "SMTP:list@example.com"),
        add("Liste Ümlaut", "PCM:NET/PO2/LISTE"),
    ];
    for g in groups {
        v[g].kind = EntryKind::Group;
    }
    v[0].template = vec![
        tv("Phone:", "555 0100"),
        tv("City/ST:", "Köln "),
        tv("Phone:", "555 0101"),
        tv("Note\\:", "=1+2"),
    ];
    v[4].template = vec![tv("Phone:", "+49 221"), tv("Dept:", "")];
    v[7].template = vec![tv("Dept:", "IT"), tv("Dept:", "Ops"), tv("Dept:", "QA")];
    v[9].template = vec![tv("Long:", &"z".repeat(200))];
    let mut d: Directory = v.into_iter().collect();
    // Exchange Directory Name clashes: many MAILBOX-like names.
    for i in 0..30 {
        let mb = if i % 3 == 0 { "SAME" } else { "same" };
        let e = Entry::new(
            format!("Clash {i}"),
            Address::pcm("NETX", &format!("P{}", i % 4), &format!("{mb}{}", i % 2)),
        );
        d.upsert(e);
    }
    // A bulk part so the scope/container caches see long runs.
    for i in 0..120 {
        let mut e = Entry::new(
            format!("User Number {i}"),
            Address::pcm(
                &format!("N{}", i % 7),
                &format!("P{}", i % 11),
                &format!("U{i:05}"),
            ),
        );
        if i % 13 == 0 {
            e.kind = EntryKind::Group;
        }
        if i % 5 == 0 {
            e.template.push(tv("Phone:", &format!("555 {i:04}")));
        }
        d.upsert(e);
    }
    d
}

fn check(name: &str, bytes: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/export_bytes")
        .join(name);
    if std::env::var_os("MSMAIL_BLESS").is_some() {
        std::fs::write(&path, bytes).unwrap();
        return;
    }
    let want = std::fs::read(&path).unwrap();
    if want != bytes {
        let at = want
            .iter()
            .zip(bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(want.len().min(bytes.len()));
        let lo = at.saturating_sub(80);
        panic!(
            "{name}: output differs from the pinned bytes at byte {at}\nwant: {:?}\ngot:  {:?}",
            String::from_utf8_lossy(&want[lo..(at + 80).min(want.len())]),
            String::from_utf8_lossy(&bytes[lo..(at + 80).min(bytes.len())]),
        );
    }
}

#[test]
fn ldif_bytes_are_pinned() {
    let d = varied();
    for (file, base) in [
        ("varied.ldif", "dc=example,dc=com"),
        ("varied-o.ldif", "o=Corp Ä"),
    ] {
        let mut out = Vec::new();
        write_ldif(&d, &mut out, base).unwrap();
        check(file, &out);
    }
}

#[test]
fn change_ldif_bytes_are_pinned() {
    let d = varied();
    let sorted = d.sorted();
    let mut changes = Vec::new();
    for (i, e) in sorted.iter().enumerate() {
        let e = (*e).clone();
        changes.push(match i % 4 {
            0 => DirectoryChange::Add(e),
            1 => DirectoryChange::Delete(e),
            2 => {
                let mut new = e.clone();
                new.full_name.push_str(" Renamed");
                DirectoryChange::Modify { old: e, new }
            }
            _ => {
                let mut new = e.clone();
                new.address.body.push('X');
                DirectoryChange::Modify { old: e, new }
            }
        });
    }
    let mut out = Vec::new();
    write_change_ldif(&changes, &mut out, "ou=Mail,o=Corp").unwrap();
    check("varied-changes.ldif", &out);
}

#[test]
fn csv_bytes_are_pinned() {
    let d = varied();
    for (file, profile) in [
        ("varied.csv", CsvProfile::Default),
        ("varied-exchange.csv", CsvProfile::Exchange),
    ] {
        let mut out = Vec::new();
        write_csv(&d, &mut out, profile).unwrap();
        check(file, &out);
    }
}
