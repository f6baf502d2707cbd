//! Unit tests of the LDIF writers and DN helpers.

use super::attrs::template_description;
use super::dn::plain_address;
use super::*;
use crate::model::{Address, Directory, EntryKind, TemplateValue};

fn entry(name: &str, addr: &str) -> Entry {
    Entry::new(name, Address::parse(addr).unwrap())
}

fn sample() -> Directory {
    let mut g = entry("All Staff", "PCM:NET/PO/ALLSTAFF");
    g.kind = EntryKind::Group;
    let mut u = entry(" Müller, Jürgen: <x>", "PCM:NET/PO/MUELLER");
    u.template.push(TemplateValue {
        prompt: "City/ST:".into(),
        value: "Köln ".into(),
    });
    [
        u,
        g,
        entry("Gate User", "PROFS:GATE/NODE/USER"),
        entry("Web", "SMTP:web@example.com"),
    ]
    .into_iter()
    .collect()
}

fn export(d: &Directory) -> String {
    let mut out = Vec::new();
    write_ldif(d, &mut out, "dc=example,dc=com").unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn safe_strings() {
    assert!(is_safe_string("abc def"));
    assert!(is_safe_string(""));
    assert!(!is_safe_string(" lead"));
    assert!(!is_safe_string(":colon"));
    assert!(!is_safe_string("<lt"));
    assert!(!is_safe_string("trail "));
    assert!(!is_safe_string("é"));
    assert!(!is_safe_string("a\nb"));
    assert!(is_safe_string("a:b<c"));
}

#[test]
fn dn_escaping_round_trips() {
    let v = " #a,b+c=d\\e;f<g>\"h ";
    let dn = format!("uid={},dc=x", escape_dn_value(v));
    let rdns = parse_dn(&dn).unwrap();
    assert_eq!(rdns[0][0], ("uid".into(), v.into()));
    assert_eq!(rdns[1][0], ("dc".into(), "x".into()));
    assert_eq!(parse_dn("cn=a\\2Cb").unwrap()[0][0].1, "a,b");
}

#[test]
fn lines_fold_at_76() {
    let mut d = Directory::new();
    d.upsert(entry(
        &"x".repeat(30),
        &format!("SMTP:{}@example.com", "a".repeat(120)),
    ));
    let text = export(&d);
    assert!(text.lines().all(|l| l.len() <= FOLD_WIDTH), "{text}");
    assert!(text.lines().any(|l| l.starts_with(' ')));
    let recs = parse_ldif(&text).unwrap();
    let last = recs.last().unwrap();
    assert_eq!(last.first("mail").unwrap().len(), 132);
}

#[test]
fn containers_come_before_children_and_base_first() {
    let text = export(&sample());
    let recs = parse_ldif(&text).unwrap();
    assert_eq!(recs[0].dn, "dc=example,dc=com");
    assert_eq!(recs[0].values("objectClass"), vec!["top", "domain"]);
    let mut seen: Vec<String> = Vec::new();
    for r in &recs {
        let n = normalize_dn(&r.dn).unwrap();
        if let Some((_, parent)) = n.split_once(',') {
            if parent != "dc=com" {
                assert!(seen.contains(&parent.to_string()), "{} before parent", r.dn);
            }
        }
        assert!(!seen.contains(&n), "duplicate DN {}", r.dn);
        seen.push(n);
    }
    assert!(seen.contains(&"ou=node,ou=gate,ou=profs,dc=example,dc=com".to_string()));
    assert!(seen.contains(&"ou=smtp,dc=example,dc=com".to_string()));
}

#[test]
fn unsafe_values_are_base64_and_read_back() {
    let d = sample();
    let text = export(&d);
    assert!(text.contains("displayName:: "));
    let back = read_ldif_directory(&text, "t.ldif").unwrap();
    assert_eq!(back.len(), d.len());
    for e in d.iter() {
        let b = back.get(&e.key()).unwrap();
        assert!(e.same_content(b), "{e:?} vs {b:?}");
        assert_eq!(b.address.to_string(), e.address.to_string());
    }
}

#[test]
fn groups_carry_member_dns_and_people_their_names() {
    let mut d = sample();
    let mut jo = entry("Jäger, Anna M.", "PCM:NET/PO/AJAEGER");
    jo.template = vec![
        TemplateValue {
            prompt: "Phone:".into(),
            value: "+41 44 555 12 12".into(),
        },
        TemplateValue {
            prompt: "Room//Desk:".into(),
            value: "4.12".into(),
        },
        TemplateValue {
            prompt: "Department:".into(),
            value: "Sales".into(),
        },
    ];
    d.upsert(jo.clone());
    let staff = Address::parse("PCM:NET/PO/ALLSTAFF").unwrap().key();
    d.set_members(
        &staff,
        vec![
            jo.address.clone(),
            Address::parse("SMTP:web@example.com").unwrap(),
            Address::parse("PCM:OTHER/PO/GONE").unwrap(),
        ],
    );
    let mut out = Vec::new();
    let notes = write_ldif_with(&d, &mut out, &LdifOptions::new("dc=example,dc=com")).unwrap();
    assert_eq!(notes.warnings.len(), 1, "{notes:?}");
    assert!(notes.warnings[0].starts_with("1 members of 1 groups"));
    let text = String::from_utf8(out).unwrap();
    let recs = parse_ldif(&text).unwrap();
    let g = recs
        .iter()
        .find(|r| r.first("uid") == Some("PCM:NET/PO/ALLSTAFF"))
        .unwrap();
    let dn_of = |uid: &str| {
        recs.iter()
            .find(|r| r.first("uid") == Some(uid))
            .unwrap()
            .dn
            .clone()
    };
    assert_eq!(
        g.values("member"),
        vec![
            dn_of("PCM:NET/PO/AJAEGER").as_str(),
            dn_of("SMTP:web@example.com").as_str(),
            "uid=PCM:OTHER/PO/GONE,ou=PO,ou=OTHER,ou=PCM,dc=example,dc=com",
        ]
    );
    let a = recs
        .iter()
        .find(|r| r.first("uid") == Some("PCM:NET/PO/AJAEGER"))
        .unwrap();
    assert_eq!(a.first("sn"), Some("Jäger"));
    assert_eq!(a.first("givenName"), Some("Anna"));
    assert_eq!(a.first("initials"), Some("M."));
    assert_eq!(a.first("telephoneNumber"), Some("+41 44 555 12 12"));
    assert_eq!(a.first("departmentNumber"), Some("Sales"));
    // Unmapped values keep their position number.
    assert_eq!(a.values("description"), vec!["2. Room\\/\\/Desk:/4.12"]);
    // Read back: members, template order and prompts of mapped values.
    let back = read_ldif_directory(&text, "t.ldif").unwrap();
    let m: Vec<String> = back
        .members(&staff)
        .unwrap()
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(
        m,
        vec![
            "PCM:NET/PO/AJAEGER",
            "SMTP:web@example.com",
            "PCM:OTHER/PO/GONE"
        ]
    );
    let b = back.get(&jo.key()).unwrap();
    let t: Vec<(&str, &str)> = b
        .template
        .iter()
        .map(|t| (t.prompt.as_str(), t.value.as_str()))
        .collect();
    assert_eq!(
        t,
        vec![
            ("Phone:", "+41 44 555 12 12"),
            ("Room//Desk:", "4.12"),
            ("Department:", "Sales")
        ]
    );
    // Without the map every value is a description, as before.
    let mut out = Vec::new();
    let mut opts = LdifOptions::new("dc=example,dc=com");
    opts.map = AttributeMap::none();
    write_ldif_with(&d, &mut out, &opts).unwrap();
    let back = read_ldif_directory(std::str::from_utf8(&out).unwrap(), "t").unwrap();
    assert_eq!(back.get(&jo.key()).unwrap().template, jo.template);
}

#[test]
fn personal_lists_sit_below_their_owner() {
    let owner = entry("Doe, John", "PCM:NET/PO/JDOE");
    let list: Directory = [
        entry("Web", "SMTP:web@example.com"),
        entry("Ann", "PCM:NET/PO/ANN"),
    ]
    .into_iter()
    .collect();
    let mut out = Vec::new();
    write_personal_ldif(&[(owner, &list)], &mut out, &LdifOptions::new("o=corp")).unwrap();
    let recs = parse_ldif(std::str::from_utf8(&out).unwrap()).unwrap();
    let dns: Vec<&str> = recs.iter().map(|r| r.dn.as_str()).collect();
    assert_eq!(
        dns,
        vec![
            "ou=Personal Address Lists,o=corp",
            "ou=PCM:NET/PO/JDOE,ou=Personal Address Lists,o=corp",
            "uid=PCM:NET/PO/ANN,ou=PCM:NET/PO/JDOE,ou=Personal Address Lists,o=corp",
            "uid=SMTP:web@example.com,ou=PCM:NET/PO/JDOE,ou=Personal Address Lists,o=corp",
        ]
    );
    assert_eq!(
        recs[1].first("seeAlso"),
        Some("uid=PCM:NET/PO/JDOE,ou=PO,ou=NET,ou=PCM,o=corp")
    );
    // The directory reader skips personal-list entries.
    assert!(read_ldif_directory(std::str::from_utf8(&out).unwrap(), "t")
        .unwrap()
        .is_empty());
}

#[test]
fn template_positions_merge() {
    let tv = |p: &str| TemplateValue {
        prompt: p.into(),
        value: crate::model::Text::default(),
    };
    let got = merge_template(
        vec![(4, tv("d")), (2, tv("b"))],
        vec![(0, tv("a")), (1, tv("c")), (2, tv("e"))],
    );
    let p: Vec<&str> = got.iter().map(|t| t.prompt.as_str()).collect();
    assert_eq!(p, vec!["a", "b", "c", "d", "e"]);
    let got = merge_template(vec![(7, tv("x"))], vec![]);
    assert_eq!(got.len(), 1);
}

#[test]
fn groups_have_a_member_placeholder() {
    let text = export(&sample());
    let recs = parse_ldif(&text).unwrap();
    let g = recs
        .iter()
        .find(|r| r.values("objectClass").contains(&"groupOfNames"))
        .unwrap();
    // An empty group names itself (groupOfNames needs a member) and
    // reads back empty.
    assert_eq!(g.values("member"), vec![g.dn.as_str()]);
    let back = read_ldif_directory(&export(&sample()), "t").unwrap();
    let k = Address::parse("PCM:NET/PO/ALLSTAFF").unwrap().key();
    assert_eq!(back.members(&k), Some(&[][..]));
    assert!(g.values("objectClass").contains(&"uidObject"));
}

#[test]
fn dns_that_fold_together_are_disambiguated() {
    let d: Directory = [entry("One", "SMTP:a  b@x"), entry("Two", "SMTP:a b@x")]
        .into_iter()
        .collect();
    let text = export(&d);
    let recs = parse_ldif(&text).unwrap();
    let dns: Vec<String> = recs.iter().map(|r| normalize_dn(&r.dn).unwrap()).collect();
    let mut sorted = dns.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), dns.len());
    assert!(text.contains("+ou=msmail-2,"));
    assert_eq!(export(&d), text, "stable across runs");
}

#[test]
fn plain_address_folding_with_a_non_plain_one_is_disambiguated() {
    // U+212A KELVIN SIGN lower-cases to ASCII `k`: a plain address and a
    // non-plain one fold together, so the shortcut must still count both.
    let d: Directory = [
        entry("Plain", "SMTP:k@x"),
        entry("Kelvin", "SMTP:\u{212A}@x"),
        entry("Other", "SMTP:j@x"),
    ]
    .into_iter()
    .collect();
    let text = export(&d);
    let recs = parse_ldif(&text).unwrap();
    let dns: Vec<String> = recs.iter().map(|r| normalize_dn(&r.dn).unwrap()).collect();
    let mut sorted = dns.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), dns.len(), "{text}");
    let marked: Vec<&str> = recs
        .iter()
        .filter(|r| r.dn.contains("+ou=msmail-2,"))
        .map(|r| r.first("cn").unwrap())
        .collect();
    assert_eq!(marked, vec!["Kelvin"], "{text}");
    assert!(plain_address("SMTP:k@x") && !plain_address("SMTP:\u{212A}@x"));
    assert!(!plain_address("SMTP:a b"));
}

#[test]
fn change_ldif_has_each_changetype() {
    let old = entry("Old Name", "PCM:NET/PO/A");
    let mut new = entry("New Name", "PCM:NET/PO/A");
    new.template.push(TemplateValue {
        prompt: "Phone:".into(),
        value: "1".into(),
    });
    let changes = vec![
        DirectoryChange::Add(entry("Added", "PCM:NET/PO/B")),
        DirectoryChange::Delete(entry("Gone", "PCM:NET/PO/C")),
        DirectoryChange::Modify {
            old: old.clone(),
            new,
        },
        DirectoryChange::Modify {
            old,
            new: entry("Moved", "PCM:NET/PO/D"),
        },
    ];
    let mut out = Vec::new();
    write_change_ldif(&changes, &mut out, "o=corp").unwrap();
    let text = String::from_utf8(out).unwrap();
    let recs = parse_ldif(&text).unwrap();
    let types: Vec<&str> = recs
        .iter()
        .map(|r| r.first("changetype").unwrap())
        .collect();
    assert_eq!(types, vec!["add", "delete", "modify", "delete", "add"]);
    assert_eq!(recs[2].first("displayName"), Some("New Name"));
    assert_eq!(recs[2].first("description"), None);
    assert_eq!(recs[2].first("telephoneNumber"), Some("1"));
    assert_eq!(recs[2].first("sn"), Some("Name"));
    assert_eq!(recs[2].first("givenName"), Some("New"));
    // The replace list covers every attribute the writer may set.
    // Every attribute either side has is replaced (old "Old Name" had a
    // givenName too).
    assert_eq!(
        recs[2].values("replace"),
        vec![
            "uid",
            "cn",
            "sn",
            "givenName",
            "displayName",
            "telephoneNumber"
        ]
    );
    assert_eq!(recs[1].dn, "uid=PCM:NET/PO/C,ou=PO,ou=NET,ou=PCM,o=corp");
}

#[test]
fn reader_reports_lines() {
    let err = parse_ldif("version: 1\n\ndn: a=b\nbroken line\n").unwrap_err();
    assert!(err.to_string().contains("line 4"), "{err}");
    let err = parse_ldif("dn: a=b\ncn:: !!!\n").unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    assert!(write_ldif(&Directory::new(), &mut Vec::new(), "cn=x").is_err());
}

#[test]
fn template_descriptions_round_trip() {
    let t = TemplateValue {
        prompt: "City/ST\\\\Zip:".into(),
        value: "/A/B".into(),
    };
    let s = template_description(3, &t);
    assert_eq!(s, "3. City\\/ST\\\\\\\\Zip:/".to_string() + "/A/B");
    assert_eq!(parse_template_description(&s), Some((3, t)));
}
