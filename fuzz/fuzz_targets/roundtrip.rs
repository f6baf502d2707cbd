//! Round trips. First byte even: import text (CP850) is parsed and applied;
//! when it parses and the writer accepts the directory, the written text must
//! parse back to the same directory (same entries by identity, same names,
//! kinds, address types, template data and T definitions), and writing that
//! again must give the same bytes (the writer is canonical).
//! First byte odd: a transaction stream read strictly must write back to the
//! same bytes, and read back to the same records.
#![no_main]
use libfuzzer_sys::fuzz_target;
use msmail::dirsync::trans::{read_stream, write_stream};
use msmail::importtext::{parse_str, write_directory};
use msmail::Directory;

fn read_dir(text: &str) -> Option<Directory> {
    let ops = parse_str(text, "fuzz.txt", 1).ok()?;
    let mut d = Directory::new();
    for op in ops {
        d.apply(op);
    }
    Some(d)
}

fn defs(d: &Directory) -> Vec<msmail::model::TemplateDef> {
    d.templates
        .values()
        .map(|t| {
            let mut t = t.clone();
            for f in &mut t.fields {
                f.written_fields = 0;
            }
            t
        })
        .collect()
}

fn import_text(bytes: &[u8]) {
    let text = msmail::codepage::decode_cp850(bytes);
    let Some(dir) = read_dir(&text) else { return };
    let mut written = Vec::new();
    if write_directory(&dir, &mut written).is_err() {
        return;
    }
    let again_text = msmail::codepage::decode_cp850(&written);
    let back = read_dir(&again_text)
        .unwrap_or_else(|| panic!("written import text does not parse:\n{again_text}"));
    assert_eq!(back.len(), dir.len(), "entry count changed:\n{again_text}");
    for e in dir.iter() {
        let b = back
            .get(&e.key())
            .unwrap_or_else(|| panic!("entry {e:?} lost:\n{again_text}"));
        assert!(b.same_content(e), "{e:?} became {b:?}");
        assert_eq!(b.address.type_name, e.address.type_name);
    }
    // `written_fields` only shapes the line (`Doe~` is written `Doe~0~0`).
    assert_eq!(defs(&back), defs(&dir), "T definitions changed");
    let mut twice = Vec::new();
    write_directory(&back, &mut twice).expect("what was written and read back writes");
    assert_eq!(
        String::from_utf8_lossy(&twice),
        String::from_utf8_lossy(&written),
        "writer not canonical"
    );
}

fn transactions(bytes: &[u8]) {
    let Ok(stream) = read_stream(bytes, "MSTTRANS.GLB", false) else {
        return;
    };
    let written = write_stream(&stream.records);
    assert_eq!(written, bytes, "strict read then write changed the bytes");
    let back = read_stream(&written, "MSTTRANS.GLB", false).expect("written stream reads");
    assert_eq!(back.records, stream.records);
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    if sel & 1 == 0 {
        import_text(bytes);
    } else {
        transactions(bytes);
    }
});
