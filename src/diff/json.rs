//! JSON rendering of a [`DiffReport`]: one pretty-printed document whose field
//! names are stable (documented in docs/diff-and-batch.md).

use std::io::{self, Write};

use serde::Serialize;

use super::DiffReport;

/// Format tag written as `format` at the top of every report.
pub const FORMAT: &str = "msmail-diff";
/// Version of the JSON layout, bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Doc<'r> {
    format: &'static str,
    version: u32,
    #[serde(flatten)]
    report: &'r DiffReport,
}

/// Writes the report as one JSON document followed by a newline.
pub fn render_json(r: &DiffReport, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *w,
        &Doc {
            format: FORMAT,
            version: VERSION,
            report: r,
        },
    )
    .map_err(io::Error::other)?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff_directories;
    use crate::model::{Address, Directory, Entry};

    #[test]
    fn json_has_stable_top_level_fields() {
        let a: Directory = [Entry::new("A", Address::parse("PCM:N/P/A").unwrap())]
            .into_iter()
            .collect();
        let b = Directory::new();
        let r = DiffReport::new(
            "import-text",
            "a",
            "b",
            Some(diff_directories(&a, &b)),
            None,
            None,
            None,
        );
        let mut out = Vec::new();
        render_json(&r, &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["format"], "msmail-diff");
        assert_eq!(v["identical"], false);
        assert_eq!(v["totals"]["only_in_a"], 1);
        assert_eq!(
            v["directory"]["scopes"][0]["only_in_a"][0]["address"],
            "PCM:N/P/A"
        );
        assert_eq!(v["directory"]["scopes"][0]["counts"]["entries_a"], 1);
        assert!(v["files"].is_null());
    }
}
