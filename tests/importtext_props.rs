//! Property tests: random directories survive import-text write → read.

use msmail::codepage::decode_cp850;
use msmail::importtext::{parse_str, write_directory};
use msmail::model::{Address, Directory, Entry, TemplateValue};
use msmail::Operation;
use proptest::prelude::*;

/// Printable CP850 characters a full name may hold (no TAB, CR, LF).
fn name_char() -> impl Strategy<Value = char> {
    prop_oneof![
        8 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        2 => Just(' '),
        1 => prop::sample::select(vec![',', '.', ':', '/', '-', '=', '+', '@', '\'', '"', '<', '(', ')']),
        2 => prop::sample::select(vec!['é', 'ü', 'Ö', 'ç', 'ñ', 'ß', 'Å', 'ø', '£', 'ÿ']),
    ]
}

fn full_name() -> impl Strategy<Value = String> {
    proptest::collection::vec(name_char(), 0..=30)
        .prop_map(|v| v.into_iter().collect::<String>().trim().to_string())
}

fn part() -> impl Strategy<Value = String> {
    "[A-Z0-9][A-Za-z0-9_É]{0,9}"
}

fn address() -> impl Strategy<Value = Address> {
    prop_oneof![
        (
            part(),
            part(),
            part(),
            prop::sample::select(vec!["PCM", "pcm", "CSI"])
        )
            .prop_map(|(n, p, m, t)| Address {
                type_name: t.into(),
                body: compact_str::format_compact!("{n}/{p}/{m}")
            }),
        (
            part(),
            part(),
            part(),
            prop::sample::select(vec!["PROFS", "SNADS", "OV"])
        )
            .prop_map(|(n, p, m, t)| Address {
                type_name: t.into(),
                body: compact_str::format_compact!("{n}/{p}/{m}")
            }),
        ("[a-z]{1,8}", "[a-z]{1,8}").prop_map(|(u, d)| Address {
            type_name: "SMTP".into(),
            body: compact_str::format_compact!("{u}@{d}.example")
        }),
        ("[A-Z]{1,6}", "[A-Za-z]{1,8}").prop_map(|(p, s)| Address {
            type_name: "X400".into(),
            body: compact_str::format_compact!("c=US;a= ;p={p};s={s}")
        }),
        ("[0-9]{3,10}", "[a-z]{2,4}").prop_map(|(n, w)| Address {
            type_name: "FAX".into(),
            body: compact_str::format_compact!("office {w}:{n}")
        }),
    ]
}

fn template() -> impl Strategy<Value = Vec<TemplateValue>> {
    proptest::collection::vec(
        ("[A-Za-z/#]{1,12}:", "[A-Za-z0-9 ,/().éü-]{0,20}").prop_filter_map(
            "value starting with /",
            |(p, v)| {
                (!v.starts_with('/')).then_some(TemplateValue {
                    prompt: p.into(),
                    value: v.into(),
                })
            },
        ),
        0..3,
    )
}

fn directory() -> impl Strategy<Value = Directory> {
    proptest::collection::vec((full_name(), address(), template()), 0..40).prop_map(|v| {
        v.into_iter()
            .map(|(n, a, t)| {
                let mut e = Entry::new(n, a);
                e.template = t;
                e
            })
            .collect()
    })
}

fn read_back(bytes: &[u8]) -> Directory {
    let text = decode_cp850(bytes);
    let mut d = Directory::new();
    for op in parse_str(&text, "prop.txt", 1).expect("written text must parse") {
        d.apply(op);
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn import_text_round_trip(dir in directory()) {
        let mut bytes = Vec::new();
        write_directory(&dir, &mut bytes).unwrap();
        let back = read_back(&bytes);
        prop_assert_eq!(back.len(), dir.len());
        for e in dir.iter() {
            let b = back.get(&e.key()).expect("entry lost");
            prop_assert!(b.same_content(e), "{:?} became {:?}", e, b);
            prop_assert_eq!(&b.address.type_name, &e.address.type_name);
        }
        // Writing what was read gives the same bytes (the writer is canonical).
        let mut again = Vec::new();
        write_directory(&back, &mut again).unwrap();
        prop_assert_eq!(again, bytes);
    }

    #[test]
    fn modify_operations_round_trip(
        dir in directory(),
        renames in proptest::collection::vec((any::<bool>(), full_name(), template()), 0..8),
    ) {
        // M with a continuation (Q132681) and M that only changes template data
        // (Q127918, written in Q117198's form) read back as written.
        let ops: Vec<Operation> = dir
            .iter()
            .zip(&renames)
            .map(|(e, (rename, name, tpl))| {
                let mut new = e.clone();
                if *rename {
                    new.full_name = name.clone().into();
                }
                new.template = tpl.clone();
                Operation::Modify { old: e.clone(), new }
            })
            .collect();
        let mut bytes = Vec::new();
        msmail::importtext::write_operations(&ops, &mut bytes).unwrap();
        let back = parse_str(&decode_cp850(&bytes), "m.txt", 1).unwrap();
        prop_assert_eq!(back.len(), ops.len());
        for (a, b) in ops.iter().zip(&back) {
            match (a, b) {
                (Operation::Modify { old: ao, new: an }, Operation::Modify { old: bo, new: bn }) => {
                    prop_assert!(ao.same_content(bo) || ao.key() == bo.key());
                    prop_assert!(an.same_content(bn), "{:?} became {:?}", an, bn);
                }
                _ => prop_assert!(false, "{:?} became {:?}", a, b),
            }
        }
    }

    #[test]
    fn parser_never_panics(text in "\\PC{0,200}") {
        let _ = parse_str(&text, "fuzz.txt", 1);
    }

    #[test]
    fn parser_never_panics_on_op_shaped_lines(lines in proptest::collection::vec(
        "(A|D|M|R|T|-| |X|#|G|P)[ \t]{0,2}[A-Za-z:/~ \t-]{0,40}", 0..10)) {
        let _ = parse_str(&lines.join("\r\n"), "fuzz.txt", 1);
    }
}

#[test]
fn modify_sequence_applies_in_order() {
    let text = "A One                            PCM:NET/PO/ONE\r\n\
                A Two                            PCM:NET/PO/TWO\r\n\
                A Other                          PCM:NET/QQ/X\r\n\
                M One                            PCM:NET/PO/ONE\r\n\
                \x20 Uno                            PCM:NET/PO/UNO\r\n\
                D Two                            PCM:NET/PO/TWO\r\n\
                R PCM:NET/QQ\r\n";
    let mut d = Directory::new();
    for op in parse_str(text, "seq.txt", 1).unwrap() {
        d.apply(op);
    }
    let names: Vec<&str> = d.iter().map(|e| e.full_name.as_str()).collect();
    assert_eq!(names, ["Uno"]);
    assert!(matches!(
        parse_str("R PCM:NET/QQ\r\n", "x", 1).unwrap()[0],
        Operation::Replace(_)
    ));
}
