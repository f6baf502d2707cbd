//! Shared by the fuzz targets (included with `#[path]`; not a target itself).
#![allow(dead_code)]

use msmail::codepage::TextEncoding;
use msmail::Directory;

/// The encoding the low two bits of `b` pick.
pub fn encoding(b: u8) -> TextEncoding {
    match b & 3 {
        1 => TextEncoding::Utf8,
        2 => TextEncoding::Windows1252,
        _ => TextEncoding::Cp850,
    }
}

/// Walks a directory the way the commands do and writes it with every writer:
/// a directory a reader returned must never make a writer panic. Writer
/// errors (text CP850 cannot hold, limits) are fine.
pub fn exercise(dir: &Directory) {
    let sorted = dir.sorted();
    for e in &sorted {
        let _ = e.key();
    }
    for (_, members) in dir.membership() {
        let _ = members.len();
    }
    let mut out = Vec::new();
    let _ = msmail::importtext::write_directory_with(
        dir,
        &mut out,
        msmail::importtext::Unencodable::Replace,
    );
    out.clear();
    let _ = msmail::export::csv::write_csv(dir, &mut out, msmail::export::csv::CsvProfile::Default);
    out.clear();
    let _ = msmail::export::json::write_json(dir, &mut out, false);
    out.clear();
    let _ = msmail::export::ldif::write_ldif(dir, &mut out, "o=fuzz");
}
