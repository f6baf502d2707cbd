//! Property tests: any postoffice built from generated users, groups and USR
//! lists is written and read back to the same directory; INF records and the
//! GAL index round-trip.

use msmail::model::{Directory, EntryKind, TemplateField, TemplateValue};
use msmail::source::LoadOptions;
use msmail::tree::galindex::GalIndex;
use msmail::tree::templates::{decode_inf_record, encode_inf_record};
use msmail::tree::{
    write_tree, ExternalPostOffice, LocalGroup, LocalUser, NetworkData, PostOffice, PostOfficeData,
    UsrEntry,
};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[A-Za-zéüÖ][A-Za-z ,.éü]{0,28}[a-z]".prop_map(|s| s)
}

fn mailbox() -> impl Strategy<Value = String> {
    "[A-Z][A-Z0-9]{0,9}"
}

fn same(a: &Directory, b: &Directory) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.len(), b.len());
    for e in a.iter() {
        let f = b.get(&e.key());
        prop_assert!(f.is_some_and(|f| e.same_content(f)), "{:?} vs {:?}", e, f);
    }
    Ok(())
}

fn field(prompt: &str, width: u16) -> TemplateField {
    TemplateField {
        prompt: prompt.into(),
        start: 10,
        width,
        edit: "A".into(),
        data: String::new(),
        internal: String::new(),
        written_fields: 6,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn generated_postoffice_round_trips(
        users in proptest::collection::btree_map(mailbox(), (name(), any::<bool>(), proptest::option::of("[a-z0-9 ]{0,11}[a-z]")), 0..12),
        usr in proptest::collection::btree_map(mailbox(), (name(), any::<bool>()), 0..12),
        members in proptest::collection::vec(any::<proptest::sample::Index>(), 0..5),
    ) {
        let mut d = PostOfficeData::new("NET", "PO");
        d.local_template = vec![field("Phone:", 12)];
        for (mb, (n, excluded, phone)) in &users {
            let mut u = LocalUser::new(mb.clone(), n.clone());
            u.excluded = *excluded;
            if let Some(p) = phone {
                u.template = vec![TemplateValue { prompt: "Phone:".into(), value: p.as_str().into() }];
            }
            d.users.push(u);
        }
        let local: Vec<_> = d.users.iter().map(|u| d.local_address(&u.mailbox)).collect();
        let mut g = LocalGroup { name: "Group".into(), mailbox: "GRP-ALL".into(), tid: None, members: vec![] };
        if !local.is_empty() {
            for i in &members {
                let a = i.get(&local).clone();
                if !g.members.contains(&a) { g.members.push(a); }
            }
        }
        d.groups.push(g);
        d.networks.push(NetworkData {
            name: "NET".into(), kind: 1, address_type: "PCM".into(), xtn_prefix: None,
            postoffices: vec![ExternalPostOffice {
                name: "OTHER".into(), connection: 1,
                entries: usr.iter().map(|(mb, (n, grp))| UsrEntry {
                    full_name: n.as_str().into(), mailbox: mb.as_str().into(),
                    kind: if *grp { EntryKind::Group } else { EntryKind::User },
                    template: vec![],
                }).collect(),
                ..Default::default()
            }],
        });
        d.gal = d.users.iter().map(|u| msmail::tree::postoffice::ListEntry {
            full_name: u.full_name.clone(), address: d.local_address(&u.mailbox) }).collect();
        let dir = tempfile::tempdir().unwrap();
        let rep = write_tree(&d, dir.path(), false).unwrap();
        prop_assert!(rep.warnings.is_empty());
        let po = PostOffice::open(dir.path(), &LoadOptions::default()).unwrap();
        prop_assert!(po.warnings.is_empty(), "{:?}", po.warnings);
        same(&d.directory(), &po.directory())?;
        same(&d.pol(), &po.pol())?;
        same(&d.gal(), &po.gal())?;
        prop_assert_eq!(&po.data.groups[0].members, &d.groups[0].members);
    }

    #[test]
    fn inf_records_round_trip(a in "[A-Za-z0-9 ]{0,7}[a-z]", b in "[a-zü]{0,12}") {
        let fields = vec![field("A:", 8), TemplateField { internal: "X1".into(), ..field("B:", 12) }];
        let vals = vec![
            TemplateValue { prompt: "A:".into(), value: a.as_str().into() },
            TemplateValue { prompt: "B:".into(), value: b.as_str().into() },
        ];
        let rec = encode_inf_record(&fields, &vals).unwrap();
        prop_assert_eq!(rec.len(), 8 + 2 + 12);
        let back = decode_inf_record(&fields, &rec);
        let expect: Vec<_> = vals.into_iter().filter(|v| !v.value.is_empty()).collect();
        prop_assert_eq!(back, expect);
    }

    #[test]
    fn galindex_round_trips(names in proptest::collection::vec("[A-Za-z][a-z]{0,5}( [A-Za-z0-9,][a-z]{0,4}){0,3}", 0..20)) {
        let idx = GalIndex::build(names.iter().enumerate().map(|(i, n)| ((i * 45) as u32, n.as_str())));
        let bytes = idx.write();
        let words: usize = names.iter().map(|n| msmail::tree::galindex::words(n).count()).sum();
        prop_assert_eq!(bytes.len(), 208 + 6 * words);
        prop_assert_eq!(GalIndex::read("G", &bytes).unwrap(), idx);
    }
}

fn copy_fixture() -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tree/small");
    let dst = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for sub in std::fs::read_dir(&src).unwrap() {
        let sub = sub.unwrap().path();
        let name = sub.file_name().unwrap().to_owned();
        std::fs::create_dir(dst.path().join(&name)).unwrap();
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            let rel = std::path::Path::new(&name).join(f.file_name().unwrap());
            std::fs::copy(&f, dst.path().join(&rel)).unwrap();
            files.push(rel);
        }
    }
    files.sort();
    (dst, files)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any byte of any file flipped, or any file cut short: open never panics;
    /// strict mode either succeeds or names the damaged file.
    #[test]
    fn mutated_fixture_never_panics(file in any::<proptest::sample::Index>(), at in any::<proptest::sample::Index>(), value in any::<u8>(), cut in any::<bool>()) {
        let (dir, files) = copy_fixture();
        let rel = file.get(&files);
        let p = dir.path().join(rel);
        let mut bytes = std::fs::read(&p).unwrap();
        if !bytes.is_empty() {
            let i = at.index(bytes.len());
            if cut { bytes.truncate(i); } else { bytes[i] = value; }
        }
        std::fs::write(&p, &bytes).unwrap();
        match PostOffice::open(dir.path(), &LoadOptions::default()) {
            Ok(_) => {}
            Err(msmail::Error::Input { file, .. }) => prop_assert!(!file.is_empty()),
            Err(e) => prop_assert!(false, "unexpected error kind: {e}"),
        }
        let _ = PostOffice::open(dir.path(), &LoadOptions { salvage: true, ..LoadOptions::default() });
    }
}
