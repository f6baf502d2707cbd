//! Property tests: random directories (CP850 names with formula-like and
//! LDIF-unsafe values, gateway and free-form addresses, groups, template data)
//! survive CSV write → read, JSON write → read and LDIF write → parse.

use msmail::codepage::decode_cp850;
use msmail::export::csv::{read_csv, write_csv, CsvProfile};
use msmail::export::json::{read_json, write_json};
use msmail::export::ldif::{normalize_dn, parse_ldif, read_ldif_directory, write_ldif};
use msmail::model::{Address, Directory, Entry, EntryKind, TemplateValue};
use proptest::prelude::*;

/// One CP850 character, biased towards the awkward ones.
fn cp850_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            '=', '+', '-', '@', '\'', '\t', '\r', '\n', ' ', ':', '<', '#', ',', '"', ';', '\\',
            '/', 'é', 'ü', 'Ö', 'ß', 'ÿ', '\u{a0}', '\0',
        ]),
        6 => prop::char::range('a', 'z'),
        2 => any::<u8>().prop_map(|b| decode_cp850(&[b]).chars().next().unwrap_or('?')),
    ]
}

fn cp850_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(cp850_char(), 0..=max).prop_map(|v| v.into_iter().collect())
}

/// An address part: no `/`, not empty.
fn part() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::char::range('A', 'Z'),
            prop::sample::select(vec!['É', 'ü', '-', '+', ',', '=', '#', '_', '.']),
        ],
        1..=10,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn address() -> impl Strategy<Value = Address> {
    let three = (
        prop::sample::select(vec!["PCM", "CSI", "pcm", "PROFS", "SNADS", "MHS"]),
        part(),
        part(),
        part(),
    )
        .prop_map(|(t, a, b, c)| Address {
            type_name: t.into(),
            body: compact_str::format_compact!("{a}/{b}/{c}"),
        });
    let free = (
        prop::sample::select(vec!["SMTP", "X400", "FAX"]),
        cp850_string(40),
    )
        .prop_map(|(t, body)| Address {
            type_name: t.into(),
            // Address::parse trims; keep bodies that survive it.
            body: body.trim().into(),
        });
    prop_oneof![three, free]
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        cp850_string(30),
        address(),
        any::<bool>(),
        prop::collection::vec(
            (
                prop::sample::select(vec!["Phone:", "City/ST/Zip:", "=Dept:", "Note"]),
                cp850_string(20),
            ),
            0..4,
        ),
    )
        .prop_map(|(name, address, group, tpl)| {
            let mut e = Entry::new(name, address);
            if group {
                e.kind = EntryKind::Group;
            }
            e.template = tpl
                .into_iter()
                .map(|(p, v)| TemplateValue {
                    prompt: p.into(),
                    value: v.into(),
                })
                .collect();
            e
        })
}

fn directory() -> impl Strategy<Value = Directory> {
    prop::collection::vec(entry(), 0..25).prop_map(|v| v.into_iter().collect())
}

/// Template values CSV can express: per prompt, the non-empty values in order.
fn csv_view(t: &[TemplateValue]) -> Vec<(String, Vec<String>)> {
    let mut prompts: Vec<String> = t.iter().map(|x| x.prompt.to_string()).collect();
    prompts.sort();
    prompts.dedup();
    prompts
        .into_iter()
        .map(|p| {
            let vals = t
                .iter()
                .filter(|x| x.prompt == p && !x.value.is_empty())
                .map(|x| x.value.to_string())
                .collect();
            (p, vals)
        })
        .filter(|(_, v): &(String, Vec<String>)| !v.is_empty())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn csv_round_trip(dir in directory()) {
        let mut out = Vec::new();
        write_csv(&dir, &mut out, CsvProfile::Default).unwrap();
        let back = read_csv(&out, "p.csv").unwrap();
        prop_assert_eq!(back.len(), dir.len());
        for e in dir.iter() {
            let b = back.get(&e.key()).unwrap();
            prop_assert_eq!(&b.full_name, &e.full_name);
            prop_assert_eq!(b.address.to_string(), e.address.to_string());
            prop_assert_eq!(b.kind, e.kind);
            prop_assert_eq!(csv_view(&b.template), csv_view(&e.template));
        }
        // An independent RFC 4180 reader sees the same number of rows, and no
        // cell would start a formula in a spreadsheet.
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(&out[..]);
        let mut rows = 0;
        for rec in rdr.records() {
            let rec = rec.unwrap();
            rows += 1;
            for cell in rec.iter() {
                prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "unguarded cell {:?}", cell);
            }
        }
        prop_assert_eq!(rows, dir.len() + 1);
    }

    #[test]
    fn json_round_trip(dir in directory(), nd in any::<bool>()) {
        let mut out = Vec::new();
        write_json(&dir, &mut out, nd).unwrap();
        let back = read_json(&out, "p.json").unwrap();
        prop_assert_eq!(back.len(), dir.len());
        for e in dir.iter() {
            let b = back.get(&e.key()).unwrap();
            prop_assert!(b.same_content(e), "{:?} vs {:?}", b, e);
            prop_assert_eq!(b.address.to_string(), e.address.to_string());
        }
    }

    #[test]
    fn ldif_round_trip(dir in directory()) {
        // A group whose full name equals its address text reads back as unnamed (documented).
        let dir: Directory = dir
            .iter()
            .filter(|e| e.full_name != e.address.to_string())
            .cloned()
            .collect();
        let mut out = Vec::new();
        write_ldif(&dir, &mut out, "dc=example,dc=com").unwrap();
        let text = String::from_utf8(out).unwrap();
        prop_assert!(text.lines().all(|l| l.len() <= 76));
        let records = parse_ldif(&text).unwrap();
        let mut dns: Vec<String> = records.iter().map(|r| normalize_dn(&r.dn).unwrap()).collect();
        let n = dns.len();
        dns.sort();
        dns.dedup();
        prop_assert_eq!(dns.len(), n, "DNs not unique");
        let back = read_ldif_directory(&text, "p.ldif").unwrap();
        prop_assert_eq!(back.len(), dir.len());
        for e in dir.iter() {
            let b = back.get(&e.key()).unwrap();
            prop_assert!(b.same_content(e), "{:?} vs {:?}", b, e);
            prop_assert_eq!(b.address.to_string(), e.address.to_string());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Readers return errors, never panic, on arbitrary bytes.
    #[test]
    fn readers_never_panic(bytes in prop::collection::vec(
        prop_oneof![
            any::<u8>(),
            prop::sample::select(b"\"',\r\n:: <=-\\/#+dn version 1 full_name,address,kind template:".to_vec()),
        ],
        0..300,
    )) {
        let _ = read_csv(&bytes, "f.csv");
        let _ = read_json(&bytes, "f.json");
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_ldif(&text);
        let _ = read_ldif_directory(&text, "f.ldif");
        let _ = normalize_dn(&text);
        // Valid CSV headers followed by random rows.
        let mut csv = b"full_name,address,kind,template:P:\r\n".to_vec();
        csv.extend_from_slice(&bytes);
        let _ = read_csv(&csv, "f.csv");
        let mut ldif = b"version: 1\n\ndn: uid=x\nobjectClass: inetOrgPerson\n".to_vec();
        ldif.extend_from_slice(&bytes);
        let _ = read_ldif_directory(&String::from_utf8_lossy(&ldif), "f.ldif");
    }
}
