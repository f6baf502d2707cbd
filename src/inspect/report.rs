//! Text (for people) and JSON (for programs) renderings of a [`Report`].

use std::io::{self, Write};

use super::Report;

/// A value for the text view: control characters escaped (crate::escape).
fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    crate::escape::escape_value(s)
}

fn location(record: Option<u64>, offset: Option<u64>) -> String {
    match (record, offset) {
        (Some(r), Some(o)) => format!("record {r} at byte offset {o}"),
        (Some(r), None) => format!("record {r}"),
        (None, Some(o)) => format!("byte offset {o}"),
        (None, None) => "whole file".into(),
    }
}

/// Writes the text view: each input and its files, then the findings grouped
/// by file, then one summary line.
pub fn write_text(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    for input in &report.inputs {
        writeln!(w, "{}: {}", esc(&input.path), esc(&input.description))?;
        if input.kind == "tree" {
            for f in &input.files {
                writeln!(w, "  {}: {}", esc(&f.file), esc(&f.description))?;
            }
        }
    }
    let mut current: Option<&str> = None;
    for f in &report.findings {
        if current != Some(f.file.as_str()) {
            writeln!(w)?;
            writeln!(w, "{}", esc(&f.file))?;
            current = Some(f.file.as_str());
        }
        writeln!(
            w,
            "  {:<7} {} ({}): {}",
            f.severity.name(),
            f.code,
            location(f.record, f.offset),
            esc(&f.message)
        )?;
        if !f.meaning.is_empty() {
            writeln!(w, "          {}", f.meaning)?;
        }
    }
    let s = report.summary();
    writeln!(
        w,
        "\n{} files: {} errors, {} warnings, {} info",
        s.files, s.errors, s.warnings, s.info
    )
}

/// Writes the JSON document: `inputs`, `findings`, `summary` (stable fields).
pub fn write_json(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    let v = serde_json::json!({
        "inputs": report.inputs,
        "findings": report.findings,
        "summary": report.summary(),
    });
    serde_json::to_writer_pretty(&mut *w, &v)?;
    writeln!(w)
}
