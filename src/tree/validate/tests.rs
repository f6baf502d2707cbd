//! Unit tests of the tree validator.

use super::*;

#[test]
fn codes_are_distinct_and_kebab_case() {
    let mut codes: Vec<&str> = DamageKind::ALL.iter().map(|k| k.code()).collect();
    assert!(codes
        .iter()
        .all(|c| c.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), DamageKind::ALL.len());
}

#[test]
fn reader_and_inspect_locations() {
    let rec = RecordAt::new(2, 45, 0);
    let c = nme_entry("N", rec, "Doe", 7, 1, 69, |_| Some(8), |_| false);
    assert_eq!(c.target, Some(NmeTarget::LocalUser));
    let f = c.finding.unwrap_or_else(|| panic!("tid mismatch expected"));
    assert_eq!(f.code(), "tid-mismatch");
    assert_eq!((f.record(), f.offset()), (Some(2), Some(90 + 32)));
    assert_eq!(
        f.reader_location(),
        Location::Record {
            index: 2,
            offset: 90
        }
    );
    assert_eq!(f.effect(), Effect::Finding);
    let c = nme_entry("N", rec, "G", 7, 4, 0, |_| None, |_| false);
    assert_eq!(c.target, None);
    let f = c.finding.unwrap_or_else(|| panic!("dangling tid expected"));
    assert_eq!(f.code(), "dangling-tid");
    assert_eq!(f.effect(), Effect::Stop);
    assert_eq!(f.reader_message(), "group tid 7 is not in GROUP.GLB");
    assert_eq!(f.message(), "\"G\": group tid 7 is not in GROUP.GLB");
}

#[test]
fn strict_report_is_the_readers_error() {
    let f = mailbag(
        "A",
        RecordAt::new(1, 69, 0),
        crate::tree::users::access2_layout::MAILBAG,
        "mailbag",
        "XYZ",
    )
    .err()
    .unwrap_or_else(|| panic!("bad mailbag expected"));
    let mut ctx = Ctx::new(false);
    let e = ctx.report(&f).err().map(|e| e.to_string());
    assert_eq!(e, Some(f.to_error().to_string()));
    let mut ctx = Ctx::new(true);
    assert!(ctx.report(&f).is_ok());
    assert_eq!(ctx.warnings.len(), 1);
}
