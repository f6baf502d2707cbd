//! Unit tests of the import-text reader and writer.

use super::*;
use crate::codepage;
use crate::model::{Address, Entry, Position, TemplateValue};

fn one(text: &str) -> Operation {
    let mut ops = parse_str(text, "t.txt", 1).unwrap();
    assert_eq!(ops.len(), 1, "{ops:?}");
    ops.remove(0)
}

fn add(text: &str) -> Entry {
    match one(text) {
        Operation::Add(e) => e,
        other => panic!("expected A, got {other:?}"),
    }
}

#[test]
fn column_layout() {
    let e = add("A Mike Sterns                     PROFS:PSSGATE/MSVM6/MSTERNS\r\n");
    assert_eq!(e.full_name, "Mike Sterns");
    assert_eq!(e.address.to_string(), "PROFS:PSSGATE/MSVM6/MSTERNS");
    assert_eq!(e.origin.position, Position::Line(1));
}

#[test]
fn tab_single_space_and_space_after_type() {
    let e = add("A able is he who knows his limit\tPCM:POLYNOMIAL/MONTGOMERY/able");
    assert_eq!(e.full_name, "able is he who knows his limit");
    let e = add("A Doe, John D. SNADS:SNADSGATE/SNADSDGN/JOHNDOE");
    assert_eq!(e.full_name, "Doe, John D.");
    let e = add("A Doe, Jane B. SNADS: SNADSGATE/SNADSDGN/JANEDOE");
    assert_eq!(e.full_name, "Doe, Jane B.");
    assert_eq!(e.address.body, "SNADSGATE/SNADSDGN/JANEDOE");
}

#[test]
fn names_with_colons_and_free_form_addresses() {
    let e = add("A Re: Sales Team                  SMTP:sales@example.com");
    assert_eq!(e.full_name, "Re: Sales Team");
    let e = add("A Doe                             X400:c=US;a= ;p=ACME;s=Doe");
    assert_eq!(e.address.body, "c=US;a= ;p=ACME;s=Doe");
}

#[test]
fn template_data_with_escaped_slashes() {
    let e = add("A Doe, John D. SNADS:SNADSGATE/SNADSDGN/JOHNDOE\n- City//ST//Zip:/Any City, 12345\n- Phone:/\n");
    assert_eq!(
        e.template,
        vec![
            TemplateValue {
                prompt: "City/ST/Zip:".into(),
                value: "Any City, 12345".into()
            },
            TemplateValue {
                prompt: "Phone:".into(),
                value: "".into()
            },
        ]
    );
}

#[test]
fn modify_delete_replace_template() {
    let text = "T SNADS:SNADSGATE/SNADSDGN\nDivision:~15~25~A~~\nPhone #:~15~23~NP\n\n\
                    R PCM:NET1/PO1\n\
                    M one2                           PCM:NET1/PO1/one2\n  PO1 User 2                     PCM:NET1/PO1/one2\n\
                    D  User1 alias                  PCM:NET1/PO1/USER1\n";
    let ops = parse_str(text, "t.txt", 1).unwrap();
    assert_eq!(ops.len(), 4);
    match &ops[0] {
        Operation::Template(def) => {
            assert_eq!(def.scope.to_string(), "SNADS:SNADSGATE/SNADSDGN");
            assert_eq!(def.fields.len(), 2);
            assert_eq!(def.fields[1].edit, "NP");
            assert_eq!(template_field_line(&def.fields[0]), "Division:~15~25~A~~");
            assert_eq!(template_field_line(&def.fields[1]), "Phone #:~15~23~NP");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&ops[1], Operation::Replace(s) if s.to_string() == "PCM:NET1/PO1"));
    match &ops[2] {
        Operation::Modify { old, new } => {
            assert_eq!(old.full_name, "one2");
            assert_eq!(new.full_name, "PO1 User 2");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&ops[3], Operation::Delete(e) if e.full_name == "User1 alias"));
}

#[test]
fn errors_name_line_and_column() {
    let err = parse_str("A ok   PCM:N/P/OK\nA no address here\n", "f.txt", 1).unwrap_err();
    assert_eq!(err.to_string(), "f.txt: line 2, column 3: no address: expected `TYPE:...` after the name (e.g. PCM:NET/PO/MAILBOX)");
    let err = parse_str("X foo PCM:N/P/X\n", "f.txt", 1).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("f.txt: line 1, column 1: unknown operation 'X'"));
    let err = parse_str("- Phone:/1\n", "f.txt", 7).unwrap_err();
    assert!(err.to_string().starts_with(
        "f.txt: line 7, column 1: template data `- prompt/value` has no A or M entry"
    ));
    let err = parse_str("M a PCM:N/P/A\n", "f.txt", 1).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    let err = decode_input(
        b"A x PCM:N/P/X\nA \xff PCM:N/P/Y",
        TextEncoding::Utf8,
        "u.txt",
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("u.txt: line 2, column 3:"),
        "{err}"
    );
}

#[test]
fn modify_forms_comments_and_blank_lines() {
    // One leading blank (Q117198); blank lines between M and its next line.
    let ops = parse_str("M a   PCM:N/P/A\n\n new  PCM:N/P/B\n", "t", 1).unwrap();
    assert!(matches!(&ops[0], Operation::Modify { new, .. } if new.address.body == "N/P/B"));
    // M followed directly by template data: a template change (Q127918).
    let ops = parse_str("M a   PCM:N/P/A\n- Title:/Rep\n", "t", 1).unwrap();
    match &ops[0] {
        Operation::Modify { old, new } => {
            assert_eq!(old.address, new.address);
            assert_eq!(new.template.len(), 1);
            assert_eq!(new.origin.position, Position::Line(2));
        }
        other => panic!("{other:?}"),
    }
    // `#` comments; blank lines inside a T definition.
    let ops = parse_str("# note\nT PROFS: G/N\n\nA:~1~2~A~~\n\nB:~1~2~A~~\n", "t", 1).unwrap();
    match &ops[0] {
        Operation::Template(d) => assert_eq!(d.fields.len(), 2),
        other => panic!("{other:?}"),
    }
    let e = parse_str("M a PCM:N/P/A\nA b PCM:N/P/B\n", "t", 1).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("t: line 2, column 1: expected the new name"),
        "{e}"
    );
    let e = parse_str("M a PCM:N/P/A\n", "t", 1).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("t: line 1, column 1: this M line is the last"),
        "{e}"
    );
    let e = parse_str("G grp PCM:N/P/G\n", "t", 1).unwrap_err();
    assert!(e.to_string().contains("GIMPORT"), "{e}");
}

#[test]
fn writer_uses_column_layout_and_cp850() {
    let mut e = Entry::new(
        "Müller, Jörg",
        Address::parse("PCM:NET/PO/MUELLER").unwrap(),
    );
    e.template.push(TemplateValue {
        prompt: "City/ST/Zip:".into(),
        value: "Köln".into(),
    });
    let mut out = Vec::new();
    write_operations(&[Operation::Add(e.clone())], &mut out).unwrap();
    let expected_text = format!(
        "A Müller, Jörg{}PCM:NET/PO/MUELLER\r\n- City//ST//Zip:/Köln\r\n",
        " ".repeat(19)
    );
    assert_eq!(out, codepage::encode_cp850(&expected_text).unwrap());
    // Column 34 holds the address.
    let first = expected_text.lines().next().unwrap();
    assert_eq!(
        first.chars().position(|c| c == 'P'),
        Some(ADDRESS_COLUMN - 1)
    );
    let back = parse_str(&codepage::decode_cp850(&out), "w", 1).unwrap();
    match &back[0] {
        Operation::Add(b) => assert!(b.same_content(&e)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn writer_refuses_non_cp850_unless_asked() {
    let e = Entry::new("Euro €", Address::parse("PCM:N/P/E").unwrap());
    let mut out = Vec::new();
    assert!(write_operations(&[Operation::Add(e.clone())], &mut out).is_err());
    out.clear();
    write_operations_with(&[Operation::Add(e)], &mut out, Unencodable::Replace).unwrap();
    assert!(out.starts_with(b"A Euro ?"));
}

#[test]
fn ambiguous_addresses_are_written_with_a_tab() {
    let e = Entry::new(
        "Fax user",
        Address::parse("FAX:office tel:5551234").unwrap(),
    );
    let lines = operation_lines(&Operation::Add(e.clone()));
    assert!(lines[0].contains('\t'));
    match &parse_str(&lines.join("\n"), "w", 1).unwrap()[0] {
        Operation::Add(b) => assert_eq!(b.address, e.address),
        other => panic!("{other:?}"),
    }
}
