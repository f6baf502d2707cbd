//! Unit tests of the CSV writers and reader.

use super::write::repetitions;
use super::*;
use crate::model::{Address, Directory, Entry, EntryKind, TemplateValue};

fn entry(name: &str, addr: &str) -> Entry {
    Entry::new(name, Address::parse(addr).unwrap())
}

#[test]
fn repetitions_count_each_prompt_on_both_paths() {
    let tv = |p: &str| TemplateValue {
        prompt: p.into(),
        value: crate::model::Text::default(),
    };
    let mut out = Vec::new();
    let small: Vec<TemplateValue> = ["A", "B", "A", "A", "C", "B"].map(tv).to_vec();
    repetitions(&small, &mut out);
    assert_eq!(out, vec![1, 1, 2, 3, 1, 2]);
    // Over 16 values the map path runs; same answers.
    let big: Vec<TemplateValue> = (0..40).map(|i| tv(["A", "B", "C"][i % 3])).collect();
    repetitions(&big, &mut out);
    let want: Vec<usize> = (0..40).map(|i| i / 3 + 1).collect();
    assert_eq!(out, want);
}

fn write(d: &Directory, p: CsvProfile) -> String {
    let mut out = Vec::new();
    write_csv(d, &mut out, p).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn default_columns_and_guard() {
    let mut a = entry("=SUM(A1)", "PCM:NET/PO/A");
    a.template.push(TemplateValue {
        prompt: "Phone:".into(),
        value: "+1 555, ext \"2\"".into(),
    });
    let d: Directory = [a, entry("'quoted", "SMTP:x@y")].into_iter().collect();
    let text = write(&d, CsvProfile::Default);
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "full_name,address,type,network,postoffice,mailbox,kind,scope,members,template:Phone:"
    );
    assert_eq!(
        lines.next().unwrap(),
        "'=SUM(A1),PCM:NET/PO/A,PCM,NET,PO,A,user,PCM:NET/PO,,\"'+1 555, ext \"\"2\"\"\""
    );
    assert_eq!(
        lines.next().unwrap(),
        "''quoted,SMTP:x@y,SMTP,,,,user,SMTP:,,"
    );
    let back = read_csv(text.as_bytes(), "t.csv").unwrap();
    for e in d.iter() {
        assert!(back.get(&e.key()).unwrap().same_content(e));
    }
}

#[test]
fn repeated_prompts_get_their_own_columns() {
    let mut a = entry("A", "PCM:N/P/A");
    for v in ["1", "2"] {
        a.template.push(TemplateValue {
            prompt: "Phone:".into(),
            value: v.into(),
        });
    }
    let d: Directory = [a.clone()].into_iter().collect();
    let text = write(&d, CsvProfile::Default);
    assert!(text.starts_with("full_name,address,type,network,postoffice,mailbox,kind,scope,members,template:Phone:,template#2:Phone:\r\n"));
    let back = read_csv(text.as_bytes(), "t.csv").unwrap();
    assert!(back.get(&a.key()).unwrap().same_content(&a));
}

#[test]
fn exchange_profile() {
    let mut g = entry("Staff", "PCM:NET/PO/STAFF");
    g.kind = EntryKind::Group;
    let mut jo = entry("Smith, Jo D.", "PCM:NET/PO/JSMITH");
    jo.template = vec![
        TemplateValue {
            prompt: "Phone:".into(),
            value: "+1 555".into(),
        },
        TemplateValue {
            prompt: "Cost Center:".into(),
            value: "42".into(),
        },
    ];
    let mut d: Directory = [
        jo.clone(),
        entry("Jo Smith 2", "PCM:NET/PO2/JSMITH"),
        entry("Jo Smith 3", "PCM:NET/PO3/JSMITH"),
        entry("Not a copy", "PCM:NET/PO/JSMITH-2"),
        entry("Web", "SMTP:web@example.com"),
        g.clone(),
    ]
    .into_iter()
    .collect();
    d.set_members(
        &g.key(),
        vec![
            jo.address.clone(),
            Address::parse("SMTP:web@example.com").unwrap(),
        ],
    );
    let text = write(&d, CsvProfile::Exchange);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "Obj-Class,Mode,Directory Name,Common-Name,Display-Name,Given-Name,Surname,Alias Name,Home-Server,E-mail address,Secondary-Proxy-Addresses,Members,Telephone-Office1,Comment");
    let want = [
        "mailbox,Create,JSMITH,JSMITH,\"Smith, Jo D.\",Jo D.,Smith,JSMITH,~SERVER,,MS:NET/PO/JSMITH,,'+1 555,Cost Center:/42",
        "mailbox,Create,JSMITH-2,JSMITH-2,Not a copy,Not a,copy,JSMITH-2,~SERVER,,MS:NET/PO/JSMITH-2,,,",
        "dl,Create,STAFF,STAFF,Staff,,,STAFF,,,MS:NET/PO/STAFF,JSMITH%Web,,",
        // Name clashes take the next free suffix, never a name already used.
        "mailbox,Create,JSMITH-3,JSMITH-3,Jo Smith 2,Jo Smith,2,JSMITH-3,~SERVER,,MS:NET/PO2/JSMITH,,,",
        "mailbox,Create,JSMITH-4,JSMITH-4,Jo Smith 3,Jo Smith,3,JSMITH-4,~SERVER,,MS:NET/PO3/JSMITH,,,",
        "remote,Create,Web,Web,Web,,Web,Web,,SMTP:web@example.com,,,,",
        "",
    ];
    assert_eq!(&lines[1..], &want[..]);
    // Read back as a source: the same entries, members and template data.
    let back = read_csv(text.as_bytes(), "x.csv").unwrap();
    assert_eq!(back.len(), d.len());
    let j = back.get(&jo.key()).unwrap();
    assert_eq!(j.full_name, "Smith, Jo D.");
    assert_eq!(j.template, jo.template);
    let m: Vec<String> = back
        .members(&g.key())
        .unwrap()
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(m, vec!["PCM:NET/PO/JSMITH", "SMTP:web@example.com"]);
    assert_eq!(back.get(&g.key()).unwrap().kind, EntryKind::Group);
}

#[test]
fn members_column_guard_switch_and_bom() {
    let mut g = entry("X.400 friends", "PCM:NET/PO/FRIENDS");
    g.kind = EntryKind::Group;
    let mut d: Directory = [g.clone(), entry("+41 44", "PCM:NET/PO/PLUS")]
        .into_iter()
        .collect();
    let x400 = Address::parse("X400:c=US;a= ;p=ACME;s=Doe\\x").unwrap();
    d.set_members(
        &g.key(),
        vec![x400.clone(), Address::parse("PCM:NET/PO/PLUS").unwrap()],
    );
    let mut opts = CsvOptions::new(CsvProfile::Default);
    opts.formula_guard = false;
    opts.bom = true;
    let mut out = Vec::new();
    write_csv_with(&d, &mut out, &opts).unwrap();
    assert!(out.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(out[3..].to_vec()).unwrap();
    assert!(text.contains("\r\n+41 44,PCM:NET/PO/PLUS,"), "{text}");
    assert!(
        text.contains(",X400:c=US\\;a= \\;p=ACME\\;s=Doe\\\\x;PCM:NET/PO/PLUS"),
        "{text}"
    );
    let back = read_csv(&out, "x.csv").unwrap();
    assert_eq!(
        back.members(&g.key()).unwrap(),
        &[x400, Address::parse("PCM:NET/PO/PLUS").unwrap()][..]
    );
    assert_eq!(split_members(""), Vec::<String>::new());
    let err = read_csv(
        b"full_name,address,kind,members\nG,PCM:N/P/G,group,nocolon\n",
        "m.csv",
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("m.csv: line 2, column 19:"),
        "{err}"
    );
}

#[test]
fn reader_errors_name_line_and_column() {
    let err = read_csv(
        b"full_name,address\r\nA,PCM:N/P/A\r\nB,\"unterminated\r\n",
        "x.csv",
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "x.csv: line 3, column 3: bad CSV field");
    let err = read_csv(b"full_name,address\nA,nocolon\n", "x.csv").unwrap_err();
    assert!(
        err.to_string().starts_with("x.csv: line 2, column 3:"),
        "{err}"
    );
    let err = read_csv(b"full_name,address\nA\n", "x.csv").unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    assert!(read_csv(b"a,b\n", "x.csv").is_err());
}

#[test]
fn quoted_newlines_and_bom() {
    let text = "\u{FEFF}full_name,address,kind\r\n\"Line\r\nTwo\",SMTP:a@b,group\r\n";
    let d = read_csv(text.as_bytes(), "x.csv").unwrap();
    let e = d.iter().next().unwrap();
    assert_eq!(e.full_name, "Line\r\nTwo");
    assert_eq!(e.kind, EntryKind::Group);
}

/// Rows formatted in parallel batches are the bytes one writer gives: a
/// directory of several batches (names and values that need quoting or the
/// formula guard, groups with members, repeated prompts) written both ways,
/// with and without the guard and the BOM.
#[test]
fn batched_rows_equal_one_writer() {
    let mut d = Directory::new();
    let n = 3 * 4096 + 17;
    for i in 0..n {
        let name = match i % 5 {
            0 => format!("=cmd|{i}"),
            1 => format!("Doe, \"J\" {i}"),
            2 => format!("line\nbreak {i}"),
            _ => format!("User {i}"),
        };
        let mut e = entry(&name, &format!("PCM:NET{}/PO{}/U{i}", i % 3, i % 7));
        for (p, v) in [
            ("Phone:", format!("+{i}")),
            ("Phone:", format!("{i}")),
            ("Dept:", "x;y".into()),
        ] {
            e.template.push(TemplateValue {
                prompt: p.into(),
                value: v.as_str().into(),
            });
        }
        if i % 1000 == 0 {
            e.kind = EntryKind::Group;
        }
        d.upsert(e);
    }
    let groups: Vec<_> = d
        .iter_keyed()
        .filter(|(_, e)| e.kind == EntryKind::Group)
        .map(|(k, _)| k.clone())
        .collect();
    for g in groups {
        d.set_members(&g, vec![Address::parse("PCM:NET0/PO0/U1").unwrap()]);
    }
    for (guard, bom) in [(true, false), (false, true)] {
        let opts = CsvOptions {
            formula_guard: guard,
            bom,
            ..CsvOptions::new(CsvProfile::Default)
        };
        let mut batched = Vec::new();
        write_csv_with(&d, &mut batched, &opts).unwrap();
        // The same rows through one writer.
        let entries = d.sorted_keyed();
        let plain: Vec<&Entry> = entries.iter().map(|(_, e)| *e).collect();
        let tcols = super::write::template_columns(&d.templates, &plain);
        let mut one = Vec::new();
        if bom {
            one.extend_from_slice(b"\xEF\xBB\xBF");
        }
        {
            let mut cells = super::write::Cells::over(&mut one, guard);
            super::write::write_default_header(&mut cells, &tcols, false).unwrap();
            super::write::write_rows(&mut cells, &d, &entries, &tcols, None).unwrap();
            cells.flush().unwrap();
        }
        assert!(batched.len() > 4096 * 40);
        assert_eq!(batched, one);
    }
}
