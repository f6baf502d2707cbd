//! HTML rendering of a [`DiffReport`]: one self-contained file (inline CSS and
//! SVG only: no scripts, fonts, images or links), a summary table, one bar chart
//! per scope that reads without JavaScript, then the details. Every value is
//! HTML-escaped. Stable hooks for checks: the totals are in elements with ids
//! `total-only-in-a`, `total-only-in-b`, `total-renamed`, `total-changed`,
//! `total-differences`, and the verdict in `#result`.

use std::io::{self, Write};

use super::text::part_name;
use super::{
    Counts, DiffReport, DirSyncFileDiff, EntryRef, FieldChange, NumberChange, TransactionDiff,
};

/// At most this many rows are listed per detail list in HTML (text and JSON
/// are always complete); the rest is counted in a note.
pub const DETAIL_LIMIT: usize = 5000;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222;background:#fff}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:2px 8px;text-align:left}\
td.n{text-align:right}.only-a{color:#a40000}.only-b{color:#006400}.renamed{color:#5c3566}\
.changed{color:#8f5902}.verdict{font-size:1.3em;font-weight:bold}h2{margin-top:1.5em}\
svg text{font-size:12px;font-family:sans-serif}.note{font-style:italic}";

const BARS: [(&str, &str, &str); 4] = [
    ("only in A", "only-a", "#cc0000"),
    ("only in B", "only-b", "#4e9a06"),
    ("renamed", "renamed", "#75507b"),
    ("changed", "changed", "#c17d11"),
];

fn chart(w: &mut dyn Write, id: &str, title: &str, c: &Counts) -> io::Result<()> {
    let values = [c.only_in_a, c.only_in_b, c.renamed, c.changed];
    // Bars are a share of the scope: the full width is its larger side.
    let max = values
        .iter()
        .copied()
        .chain([c.entries_a, c.entries_b])
        .max()
        .unwrap_or(0)
        .max(1);
    writeln!(
        w,
        "<svg id=\"chart-{id}\" class=\"chart\" role=\"img\" width=\"520\" height=\"96\" \
viewBox=\"0 0 520 96\"><title>{}</title>",
        escape(title)
    )?;
    for (i, ((label, class, color), v)) in BARS.iter().zip(values).enumerate() {
        let y = 4 + i * 22;
        let width = (v as u128 * 340 / max as u128) as usize;
        writeln!(
            w,
            "<text x=\"0\" y=\"{}\">{label}</text><rect class=\"{class}\" x=\"90\" y=\"{y}\" \
width=\"{}\" height=\"16\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{v}</text>",
            y + 12,
            width.max(1),
            96 + width,
            y + 12
        )?;
    }
    writeln!(w, "</svg>")
}

fn entry_row(w: &mut dyn Write, class: &str, what: &str, e: &EntryRef) -> io::Result<()> {
    writeln!(
        w,
        "<tr class=\"{class}\"><td>{what}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(&e.address),
        escape(&e.full_name),
        e.kind.as_str()
    )
}

fn opt(v: &Option<String>) -> String {
    v.as_deref()
        .map(escape)
        .unwrap_or_else(|| "<i>(none)</i>".into())
}

fn changes_cell(cs: &[FieldChange]) -> String {
    cs.iter()
        .map(|c| format!("{}: {} &rarr; {}", escape(&c.field), opt(&c.a), opt(&c.b)))
        .collect::<Vec<_>>()
        .join("<br>")
}

fn more(w: &mut dyn Write, total: usize) -> io::Result<()> {
    if total > DETAIL_LIMIT {
        writeln!(
            w,
            "<tr><td colspan=\"4\" class=\"note\">{} more not shown here; the text and JSON reports list all.</td></tr>",
            total - DETAIL_LIMIT
        )?;
    }
    Ok(())
}

/// A transaction comparison: its chart (`#chart-{chart_id}`) and its records.
fn transactions_html(w: &mut dyn Write, chart_id: &str, x: &TransactionDiff) -> io::Result<()> {
    let c = Counts {
        only_in_a: x.only_in_a.len(),
        only_in_b: x.only_in_b.len(),
        changed: x.changed.len(),
        entries_a: x.records_a,
        entries_b: x.records_b,
        ..Counts::default()
    };
    chart(w, chart_id, chart_id, &c)?;
    if x.is_identical() {
        return Ok(());
    }
    writeln!(
        w,
        "<table class=\"details\"><tr><th>what</th><th>sync</th><th>fields</th></tr>"
    )?;
    let fields = |f: &[(String, String)]| {
        f.iter()
            .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    for (class, what, list) in [
        ("only-a", "only in A", &x.only_in_a),
        ("only-b", "only in B", &x.only_in_b),
    ] {
        for t in list.iter().take(DETAIL_LIMIT) {
            writeln!(
                w,
                "<tr class=\"{class}\"><td>{what}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                t.sync,
                fields(&t.fields)
            )?;
        }
        more(w, list.len())?;
    }
    for t in x.changed.iter().take(DETAIL_LIMIT) {
        writeln!(
            w,
            "<tr class=\"changed\"><td>changed</td><td class=\"n\">{}</td><td>{}</td></tr>",
            t.sync,
            changes_cell(&t.changes)
        )?;
    }
    more(w, x.changed.len())?;
    writeln!(w, "</table>")
}

/// Configuration numbers that differ, one row each.
fn config_html(w: &mut dyn Write, cfg: &[NumberChange]) -> io::Result<()> {
    if cfg.is_empty() {
        return writeln!(w, "<p>No configuration number differs.</p>");
    }
    writeln!(
        w,
        "<table class=\"details\"><tr><th>number</th><th>requestor</th><th>A</th><th>B</th></tr>"
    )?;
    for n in cfg {
        writeln!(
            w,
            "<tr class=\"changed\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&n.field),
            n.requestor.as_deref().map(escape).unwrap_or_default(),
            opt(&n.a),
            opt(&n.b)
        )?;
    }
    writeln!(w, "</table>")
}

/// The Dir-Sync files of a folder comparison: one summary row per file
/// (`#dirsync`, rows of class `dirsync-file`), then each file's details under
/// its path (`#dirsync-N`, chart `#chart-dirsync-N`, N = index in the list).
fn dirsync_html(w: &mut dyn Write, list: &[DirSyncFileDiff]) -> io::Result<()> {
    writeln!(w, "<h2>Dir-Sync files</h2>")?;
    if list.is_empty() {
        return writeln!(w, "<p id=\"dirsync\">No Dir-Sync file on both sides.</p>");
    }
    writeln!(w, "<table id=\"dirsync\"><tr><th>file</th><th>kind</th><th>records in A</th><th>records in B</th><th>only in A</th><th>only in B</th><th>changed</th><th>result</th></tr>")?;
    for d in list.iter() {
        let t = d.totals();
        let (ra, rb) = match &d.transactions {
            Some(x) => (x.records_a.to_string(), x.records_b.to_string()),
            None => (String::new(), String::new()),
        };
        writeln!(
            w,
            "<tr class=\"dirsync-file\"><td>{}</td><td>{}</td><td class=\"n\">{ra}</td><td class=\"n\">{rb}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&d.path),
            part_name(d.kind),
            t.only_in_a,
            t.only_in_b,
            t.changed,
            if d.is_identical() { "same" } else { "differs" }
        )?;
    }
    writeln!(w, "</table>")?;
    for (i, d) in list.iter().enumerate() {
        writeln!(
            w,
            "<h3 id=\"dirsync-{i}\">{} ({})</h3>",
            escape(&d.path),
            part_name(d.kind)
        )?;
        if let Some(x) = &d.transactions {
            transactions_html(w, &format!("dirsync-{i}"), x)?;
        }
        if let Some(c) = &d.configuration {
            config_html(w, c)?;
        }
    }
    Ok(())
}

/// Writes the report as one self-contained HTML page.
pub fn render_html(r: &DiffReport, w: &mut dyn Write) -> io::Result<()> {
    let t = &r.totals;
    writeln!(w, "<!DOCTYPE html>")?;
    writeln!(w, "<html lang=\"en\"><head><meta charset=\"utf-8\">")?;
    writeln!(
        w,
        "<title>msmail diff: {} vs {}</title>",
        escape(&r.a),
        escape(&r.b)
    )?;
    writeln!(w, "<style>{STYLE}</style></head><body>")?;
    writeln!(w, "<h1>msmail diff ({})</h1>", escape(&r.kind))?;
    writeln!(
        w,
        "<p>A: <code id=\"source-a\">{}</code><br>B: <code id=\"source-b\">{}</code></p>",
        escape(&r.a),
        escape(&r.b)
    )?;
    writeln!(
        w,
        "<p id=\"result\" class=\"verdict\">{}</p>",
        if r.identical {
            "identical"
        } else {
            "differences found"
        }
    )?;
    writeln!(w, "<h2>Summary</h2><table id=\"totals\">")?;
    for (label, id, v) in [
        ("only in A", "total-only-in-a", t.only_in_a),
        ("only in B", "total-only-in-b", t.only_in_b),
        ("renamed", "total-renamed", t.renamed),
        ("changed", "total-changed", t.changed),
        ("differences", "total-differences", t.differences()),
    ] {
        writeln!(
            w,
            "<tr><th>{label}</th><td class=\"n total\" id=\"{id}\">{v}</td></tr>"
        )?;
    }
    writeln!(w, "</table>")?;

    if let Some(d) = &r.directory {
        writeln!(w, "<h2>Scopes</h2><table id=\"scopes\"><tr><th>scope</th><th>in A</th><th>in B</th><th>only in A</th><th>only in B</th><th>renamed</th><th>changed</th><th>same</th><th>template definition</th></tr>")?;
        for s in &d.scopes {
            let c = &s.counts;
            writeln!(
                w,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                escape(&s.scope),
                c.entries_a,
                c.entries_b,
                c.only_in_a,
                c.only_in_b,
                c.renamed,
                c.changed,
                c.unchanged,
                if s.template_definition.is_some() { "differs" } else { "same" }
            )?;
        }
        writeln!(w, "</table>")?;
        writeln!(w, "<h2>Charts</h2>")?;
        for (i, s) in d.scopes.iter().enumerate() {
            writeln!(w, "<h3>{}</h3>", escape(&s.scope))?;
            chart(w, &i.to_string(), &s.scope, &s.counts)?;
        }
        writeln!(w, "<h2>Details</h2>")?;
        for s in d.scopes.iter().filter(|s| !s.is_identical()) {
            writeln!(w, "<h3>{}</h3><table class=\"details\">", escape(&s.scope))?;
            writeln!(
                w,
                "<tr><th>what</th><th>address</th><th>full name</th><th>kind / change</th></tr>"
            )?;
            for e in s.only_in_a.iter().take(DETAIL_LIMIT) {
                entry_row(w, "only-a", "only in A", e)?;
            }
            more(w, s.only_in_a.len())?;
            for e in s.only_in_b.iter().take(DETAIL_LIMIT) {
                entry_row(w, "only-b", "only in B", e)?;
            }
            more(w, s.only_in_b.len())?;
            for n in s.renamed.iter().take(DETAIL_LIMIT) {
                writeln!(
                    w,
                    "<tr class=\"renamed\"><td>renamed</td><td>{} &rarr; {}</td><td>{}</td><td>{}</td></tr>",
                    escape(&n.from.address),
                    escape(&n.to.address),
                    escape(&n.from.full_name),
                    n.from.kind.as_str()
                )?;
            }
            more(w, s.renamed.len())?;
            for c in s.changed.iter().take(DETAIL_LIMIT) {
                writeln!(
                    w,
                    "<tr class=\"changed\"><td>changed</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&c.address),
                    escape(&c.full_name),
                    changes_cell(&c.changes)
                )?;
            }
            more(w, s.changed.len())?;
            if let Some(td) = &s.template_definition {
                let side = |v: &Option<Vec<String>>| match v {
                    None => "<i>(none)</i>".to_string(),
                    Some(l) => l.iter().map(|x| escape(x)).collect::<Vec<_>>().join("<br>"),
                };
                writeln!(
                    w,
                    "<tr class=\"changed\"><td>template definition</td><td colspan=\"2\">A: {}</td><td>B: {}</td></tr>",
                    side(&td.a),
                    side(&td.b)
                )?;
            }
            writeln!(w, "</table>")?;
        }
    }
    if let Some(x) = &r.transactions {
        writeln!(w, "<h2>Transactions</h2>")?;
        transactions_html(w, "transactions", x)?;
    }
    if let Some(cfg) = &r.configuration {
        writeln!(w, "<h2>Configuration numbers</h2>")?;
        config_html(w, cfg)?;
    }
    if let Some(list) = &r.dirsync {
        dirsync_html(w, list)?;
    }
    if let Some(f) = &r.files {
        writeln!(w, "<h2>Files</h2>")?;
        let c = Counts {
            only_in_a: f.only_in_a.len(),
            only_in_b: f.only_in_b.len(),
            changed: f.changed.len(),
            entries_a: f.files_a,
            entries_b: f.files_b,
            ..Counts::default()
        };
        chart(w, "files", "files", &c)?;
        writeln!(w, "<table class=\"details\"><tr><th>what</th><th>path</th><th>size</th><th>sha256</th></tr>")?;
        for (class, what, list) in [
            ("only-a", "only in A", &f.only_in_a),
            ("only-b", "only in B", &f.only_in_b),
        ] {
            for x in list.iter().take(DETAIL_LIMIT) {
                writeln!(w, "<tr class=\"{class}\"><td>{what}</td><td>{}</td><td class=\"n\">{}</td><td><code>{}</code></td></tr>", escape(&x.path), x.size, x.sha256)?;
            }
        }
        for x in f.changed.iter().take(DETAIL_LIMIT) {
            writeln!(w, "<tr class=\"changed\"><td>changed</td><td>{} / {}</td><td class=\"n\">{} / {}</td><td><code>{}</code><br><code>{}</code></td></tr>", escape(&x.a.path), escape(&x.b.path), x.a.size, x.b.size, x.a.sha256, x.b.sha256)?;
        }
        writeln!(w, "</table>")?;
    }
    writeln!(w, "</body></html>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff_directories;
    use crate::model::{Address, Directory, Entry};

    #[test]
    fn html_is_self_contained_and_escaped() {
        let a: Directory = [Entry::new(
            "<script>alert(1)</script> & \"x\"",
            Address::parse("PCM:N/P/A").unwrap(),
        )]
        .into_iter()
        .collect();
        let r = DiffReport::new(
            "import-text",
            "a<b>.txt",
            "b.txt",
            Some(diff_directories(&a, &Directory::new())),
            None,
            None,
            None,
        );
        let mut out = Vec::new();
        render_html(&r, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(!s.contains("<script"));
        assert!(s.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
        assert!(s.contains("a&lt;b&gt;.txt"));
        assert!(s.contains("id=\"total-only-in-a\">1<"));
        assert!(s.contains("<svg id=\"chart-0\""));
        // No external resources of any kind (inline SVG needs no namespace URL).
        assert!(!s.contains("http"));
        assert!(!s.contains("src="));
    }
}
