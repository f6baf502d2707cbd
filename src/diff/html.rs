//! HTML rendering of a [`DiffReport`] for a forensic reader: one self-contained
//! file (inline CSS, inline SVG and a small inline script; no fonts, images,
//! links or URLs to anything outside the page, and a Content-Security-Policy
//! that forbids loading any).
//!
//! The page reads top down: the verdict and one sentence, a contents list with
//! a link to every postoffice and every file that differs, a summary table
//! whose counts link to the first row they count, the postoffices (a chart
//! only when several differ), the details, the Dir-Sync files and the files.
//! Runs of consecutive identical transaction records are one row. Field names
//! are shown as words (`Phone (template)`, not `template:Phone:`). The script
//! adds sorting and a filter box to every `table.data`; with scripts off the
//! page shows the same content.
//!
//! Every value is HTML-escaped. Stable hooks for checks: the totals are in
//! elements with ids `total-only-in-a`, `total-only-in-b`, `total-renamed`,
//! `total-changed`, `total-differences`, and the verdict in `#result`
//! (docs/diff-and-batch.md lists the others).

use std::io::{self, Write};

use super::{DiffReport, DirSyncFileDiff, DirectoryDiff, FileDiff, TransactionDiff};

mod assets;
mod records;
mod sections;

/// At most this many rows are listed per detail list in HTML (text and JSON
/// are always complete); the rest is counted in a note.
pub const DETAIL_LIMIT: usize = 5000;

/// At most this many files are linked one by one from the contents list.
pub const CONTENTS_FILE_LIMIT: usize = 500;

/// Escapes text for HTML element content and quoted attribute values.
/// Control characters other than TAB and LF are shown as their Unicode
/// control pictures (U+2400...), so nothing invisible reaches the page.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'))
            }
            '\u{7f}' => out.push('\u{2421}'),
            _ => out.push(c),
        }
    }
    out
}

/// The words a reader sees for a compared field: `full_name` is "full name",
/// `template:Phone:` is "Phone (template)", `reqsync` is "ReqSync", ...
/// Unknown names are shown as they are.
pub fn field_label(field: &str) -> String {
    if let Some(prompt) = field.strip_prefix("template:") {
        let p = prompt.trim();
        let p = p.strip_suffix(':').unwrap_or(p).trim();
        return if p.is_empty() {
            "template field without a prompt".to_string()
        } else {
            format!("{p} (template)")
        };
    }
    match field {
        "address" => "address spelling",
        "full_name" => "full name",
        "kind" => "kind",
        "template_order" => "template field order",
        "op" => "operation",
        "text" => "text",
        "origin" => "origin",
        "crc" => "CRC",
        "stamp" => "date stamp",
        "server" => "server",
        "sync" => "Sync",
        "cycle" => "cycle",
        "reqsync" => "ReqSync",
        "srvsync" => "SrvSync",
        "impsync" => "ImpSync",
        "last_cycle" => "last cycle",
        "requestor" => "requestor record",
        "version" => "version",
        "keep_days" => "keep updates (days)",
        "last_t2" => "last T2",
        "last_export" => "last export",
        "last_import_request" => "last import request",
        "last_t1" => "last T1",
        "last_t3" => "last T3",
        "template_exchange" => "template exchange",
        "address_types" => "address types requested",
        "reserved" => "reserved bytes",
        "record" => "record number",
        "last_update" => "last update received",
        "foreign" => "foreign requestor",
        "transactions_in_body" => "transactions in body",
        "password" => "password (set / not set only)",
        other => other,
    }
    .to_string()
}

/// The four kinds of difference, in the order of every table: label, CSS class
/// (also the suffix of the row anchors).
pub(crate) const KINDS: [(&str, &str); 4] = [
    ("only in A", "only-a"),
    ("only in B", "only-b"),
    ("renamed", "renamed"),
    ("changed", "changed"),
];

/// Link targets (ids without `#`) of the first row of each kind of difference
/// of one part, in [`KINDS`] order; `None` where the part has none.
pub(crate) type Targets = [Option<String>; 4];

/// A number that links to `target` when there is one and the number is not 0.
/// `id` (when given) goes on the element holding the number, last, so that the
/// markup reads `id="ID">N<` for checks.
pub(crate) fn count_link(v: usize, target: Option<&str>, id: Option<&str>) -> String {
    let id = id.map(|i| format!(" id=\"{i}\"")).unwrap_or_default();
    match target {
        Some(t) if v > 0 => format!("<a href=\"#{t}\" class=\"total\"{id}>{v}</a>"),
        _ if !id.is_empty() => format!("<span class=\"total\"{id}>{v}</span>"),
        _ => v.to_string(),
    }
}

/// "2 only in B, 3 changed" (kinds that are 0 are left out; "none" if all are).
pub(crate) fn counts_phrase(v: [usize; 4]) -> String {
    let parts: Vec<String> = KINDS
        .iter()
        .zip(v)
        .filter(|(_, n)| *n > 0)
        .map(|((label, _), n)| format!("{n} {label}"))
        .collect();
    if parts.is_empty() {
        "no difference".into()
    } else {
        parts.join(", ")
    }
}

/// "1 difference" / "3 differences".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Targets of the address lists: the first scope with each kind of entry
/// difference (template definitions count as changes when no entry changed).
fn directory_targets(d: &DirectoryDiff) -> Targets {
    let first = |f: &dyn Fn(&super::ScopeDiff) -> bool, suffix: &str| {
        d.scopes
            .iter()
            .position(f)
            .map(|i| format!("s{i}-{suffix}"))
    };
    [
        first(&|s| s.counts.only_in_a > 0, "only-a"),
        first(&|s| s.counts.only_in_b > 0, "only-b"),
        first(&|s| s.counts.renamed > 0, "renamed"),
        first(&|s| s.counts.changed > 0, "changed"),
    ]
}

fn prefixed(prefix: &str, v: [usize; 4]) -> Targets {
    let mut t: Targets = Default::default();
    for (i, (_, class)) in KINDS.iter().enumerate() {
        if v[i] > 0 {
            t[i] = Some(format!("{prefix}-{class}"));
        }
    }
    t
}

/// The counts of a transaction comparison in [`KINDS`] order.
pub(crate) fn transaction_counts(x: &TransactionDiff) -> [usize; 4] {
    [x.only_in_a.len(), x.only_in_b.len(), 0, x.changed.len()]
}

/// The counts of a file comparison in [`KINDS`] order.
pub(crate) fn file_counts(f: &FileDiff) -> [usize; 4] {
    [f.only_in_a.len(), f.only_in_b.len(), 0, f.changed.len()]
}

/// The counts of a Dir-Sync file in [`KINDS`] order.
pub(crate) fn dirsync_counts(d: &DirSyncFileDiff) -> [usize; 4] {
    let t = d.totals();
    [t.only_in_a, t.only_in_b, t.renamed, t.changed]
}

/// One row of the summary table: what, where its section is, counts, targets.
struct Part {
    label: String,
    section: String,
    counts: [usize; 4],
    targets: Targets,
}

fn parts(r: &DiffReport) -> Vec<Part> {
    let mut out = Vec::new();
    if let Some(d) = &r.directory {
        let t = &d.totals;
        out.push(Part {
            label: "Address lists (entries)".into(),
            section: "postoffices".into(),
            counts: [t.only_in_a, t.only_in_b, t.renamed, t.changed],
            targets: directory_targets(d),
        });
        let defs = d
            .scopes
            .iter()
            .filter(|s| s.template_definition.is_some())
            .count();
        if defs > 0 {
            let first = d
                .scopes
                .iter()
                .position(|s| s.template_definition.is_some())
                .map(|i| format!("s{i}-template"));
            out.push(Part {
                label: "Template definitions".into(),
                section: "postoffices".into(),
                counts: [0, 0, 0, defs],
                targets: [None, None, None, first],
            });
        }
    }
    if let Some(x) = &r.transactions {
        let c = transaction_counts(x);
        out.push(Part {
            label: "Transactions".into(),
            section: "transactions".into(),
            counts: c,
            targets: prefixed("tx", c),
        });
    }
    if let Some(cfg) = &r.configuration {
        let c = [0, 0, 0, cfg.len()];
        out.push(Part {
            label: "Configuration".into(),
            section: "configuration".into(),
            counts: c,
            targets: prefixed("cfg", c),
        });
    }
    for (n, d) in r.dirsync.iter().flatten().enumerate() {
        if d.is_identical() {
            continue;
        }
        let c = dirsync_counts(d);
        out.push(Part {
            label: format!("Dir-Sync file {}", d.path),
            section: format!("dirsync-{n}"),
            counts: c,
            targets: prefixed(&format!("d{n}"), c),
        });
    }
    if let Some(f) = &r.files {
        let c = file_counts(f);
        out.push(Part {
            label: "Files".into(),
            section: "files".into(),
            counts: c,
            targets: sections::file_targets(f),
        });
    }
    out
}

fn summary(w: &mut dyn Write, r: &DiffReport, parts: &[Part]) -> io::Result<()> {
    writeln!(w, "<section id=\"summary\"><h2>Summary</h2>")?;
    writeln!(
        w,
        "<p>Each part counts its own differences, so one edit can count in several \
parts (a transaction added to MSTTRANS.GLB is also a changed file). A number links to \
the first row it counts.</p>"
    )?;
    writeln!(w, "<table id=\"totals\"><thead><tr><th>part</th>")?;
    for (label, _) in KINDS {
        write!(w, "<th class=\"n\">{label}</th>")?;
    }
    writeln!(w, "<th class=\"n\">differences</th></tr></thead><tbody>")?;
    for p in parts {
        write!(
            w,
            "<tr><td><a href=\"#{}\">{}</a></td>",
            p.section,
            escape(&p.label)
        )?;
        for (v, t) in p.counts.iter().zip(&p.targets) {
            write!(
                w,
                "<td class=\"n\">{}</td>",
                count_link(*v, t.as_deref(), None)
            )?;
        }
        writeln!(
            w,
            "<td class=\"n\">{}</td></tr>",
            p.counts.iter().sum::<usize>()
        )?;
    }
    let t = &r.totals;
    write!(w, "<tr class=\"sum\"><th>all parts</th>")?;
    let totals = [t.only_in_a, t.only_in_b, t.renamed, t.changed];
    for (i, (v, id)) in totals
        .iter()
        .zip([
            "total-only-in-a",
            "total-only-in-b",
            "total-renamed",
            "total-changed",
        ])
        .enumerate()
    {
        // The total links to the first part that has this kind of difference.
        let target = parts.iter().find_map(|p| p.targets[i].clone());
        write!(
            w,
            "<td class=\"n\">{}</td>",
            count_link(*v, target.as_deref(), Some(id))
        )?;
    }
    writeln!(
        w,
        "<td class=\"n\">{}</td></tr></tbody></table></section>",
        count_link(t.differences(), None, Some("total-differences"))
    )
}

/// The one sentence under the verdict: how many differences, where.
fn lead(r: &DiffReport) -> String {
    let t = &r.totals;
    if r.identical {
        return "Nothing differs.".into();
    }
    let mut where_: Vec<String> = Vec::new();
    if let Some(d) = &r.directory {
        let n = d.scopes.iter().filter(|s| !s.is_identical()).count();
        where_.push(format!("{n} of {} address scopes", d.scopes.len()));
    }
    if let Some(list) = &r.dirsync {
        let n = list.iter().filter(|d| !d.is_identical()).count();
        where_.push(format!("{n} of {} Dir-Sync files", list.len()));
    }
    if let Some(x) = &r.transactions {
        if !x.is_identical() {
            where_.push("the transaction records".into());
        }
    }
    if let Some(c) = &r.configuration {
        if !c.is_empty() {
            where_.push("the configuration".into());
        }
    }
    if let Some(f) = &r.files {
        let n = f.only_in_a.len() + f.only_in_b.len() + f.changed.len();
        where_.push(format!("{n} of {} files", f.files_a.max(f.files_b)));
    }
    format!(
        "{}: {}; in {}.",
        plural(t.differences(), "difference", "differences"),
        counts_phrase([t.only_in_a, t.only_in_b, t.renamed, t.changed]),
        where_.join(", ")
    )
}

fn contents(w: &mut dyn Write, r: &DiffReport) -> io::Result<()> {
    writeln!(w, "<nav id=\"contents\"><h2>Contents</h2><ol>")?;
    writeln!(w, "<li><a href=\"#summary\">Summary</a></li>")?;
    if let Some(d) = &r.directory {
        sections::contents_scopes(w, d)?;
    }
    if let Some(x) = &r.transactions {
        writeln!(
            w,
            "<li><a href=\"#transactions\">Transactions</a> <span class=\"count\">({})</span></li>",
            counts_phrase(transaction_counts(x))
        )?;
    }
    if let Some(c) = &r.configuration {
        writeln!(
            w,
            "<li><a href=\"#configuration\">Configuration</a> <span class=\"count\">({} differ)</span></li>",
            c.len()
        )?;
    }
    if let Some(list) = &r.dirsync {
        sections::contents_dirsync(w, list)?;
    }
    if let Some(f) = &r.files {
        sections::contents_files(w, f)?;
    }
    writeln!(w, "</ol></nav>")
}

/// Writes the report as one self-contained HTML page.
pub fn render_html(r: &DiffReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<!DOCTYPE html>")?;
    writeln!(w, "<html lang=\"en\"><head><meta charset=\"utf-8\">")?;
    // Nothing may be loaded from anywhere: the page is one file.
    writeln!(
        w,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
    )?;
    writeln!(
        w,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        w,
        "<title>msmail diff: {} vs {}</title>",
        escape(&r.a),
        escape(&r.b)
    )?;
    writeln!(w, "<style>{}</style></head><body>", assets::STYLE)?;
    writeln!(w, "<header><h1>msmail diff ({})</h1>", escape(&r.kind))?;
    writeln!(
        w,
        "<p>A (before): <code id=\"source-a\">{}</code><br>B (after): <code id=\"source-b\">{}</code></p>",
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
    writeln!(w, "<p class=\"lead\">{}</p></header>", escape(&lead(r)))?;
    contents(w, r)?;
    writeln!(w, "<main>")?;
    let parts = parts(r);
    summary(w, r, &parts)?;
    if let Some(d) = &r.directory {
        sections::scopes(w, d)?;
    }
    if let Some(x) = &r.transactions {
        writeln!(w, "<section id=\"transactions\"><h2>Transactions</h2>")?;
        records::transactions(w, "tx", x)?;
        writeln!(w, "</section>")?;
    }
    if let Some(cfg) = &r.configuration {
        writeln!(w, "<section id=\"configuration\"><h2>Configuration</h2>")?;
        records::configuration(w, "cfg", cfg)?;
        writeln!(w, "</section>")?;
    }
    if let Some(list) = &r.dirsync {
        records::dirsync(w, list)?;
    }
    if let Some(f) = &r.files {
        records::files(w, f)?;
    }
    writeln!(
        w,
        "</main><footer><p class=\"note\">Written by msmail {}. The text and JSON \
reports (<code>--format text|json</code>) hold the same comparison.</p></footer>",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(w, "<script>{}</script>", assets::SCRIPT)?;
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
            "<script>alert(1)</script> & \"x\"\u{1}",
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
        // One script, ours, at the end; the data's is text.
        assert_eq!(s.matches("<script").count(), 1);
        assert!(s.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;\u{2401}"));
        assert!(s.contains("a&lt;b&gt;.txt"));
        assert!(s.contains("id=\"total-only-in-a\">1<"));
        assert!(s.contains("<tr class=\"only-a\" id=\"s0-only-a\">"));
        assert!(s.contains("href=\"#s0-only-a\""));
        // One scope differs: no chart says more than the table.
        assert!(!s.contains("<svg"));
        // No external resources of any kind.
        assert!(!s.contains("http:") && !s.contains("https:") && !s.contains("//"));
        assert!(!s.contains("src=") && !s.contains("<link") && !s.contains("url("));
    }

    #[test]
    fn identical_runs_are_one_row_and_the_chart_needs_two_scopes() {
        use crate::diff::{TransactionDiff, TransactionRef};
        let placeholder = |sync| TransactionRef {
            sync,
            fields: vec![("op".into(), "0".into()), ("text".into(), String::new())],
        };
        let mut only_b: Vec<TransactionRef> = (187..=213).map(placeholder).collect();
        only_b.push(TransactionRef {
            sync: 214,
            fields: vec![
                ("op".into(), "A".into()),
                ("text".into(), "A x PCM:N/P/X".into()),
            ],
        });
        let x = TransactionDiff {
            records_a: 1,
            records_b: 29,
            only_in_b: only_b,
            ..TransactionDiff::default()
        };
        let e = |n: &str, a: &str| Entry::new(n, Address::parse(a).unwrap());
        let a: Directory = [e("One", "PCM:N/P1/A"), e("Two", "PCM:N/P2/B")]
            .into_iter()
            .collect();
        let r = DiffReport::new(
            "transactions",
            "a",
            "b",
            Some(diff_directories(&a, &Directory::new())),
            Some(x),
            None,
            None,
        );
        let mut out = Vec::new();
        render_html(&r, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("data-sort=\"187\">187&ndash;213</td><td class=\"n\">27</td>"));
        assert_eq!(s.matches("<td>only in B</td>").count(), 2);
        assert!(s.contains("<th>operation</th>"));
        assert!(s.contains("<svg id=\"chart-scopes\""));
        assert!(s.contains("<a href=\"#details-1\">"));
    }

    #[test]
    fn field_labels_are_words() {
        assert_eq!(field_label("template:Phone:"), "Phone (template)");
        assert_eq!(field_label("template:City/Zip:"), "City/Zip (template)");
        assert_eq!(field_label("full_name"), "full name");
        assert_eq!(field_label("reqsync"), "ReqSync");
        assert_eq!(field_label("something"), "something");
    }

    #[test]
    fn count_links_only_when_there_is_something_to_see() {
        assert_eq!(count_link(0, Some("x"), None), "0");
        assert_eq!(
            count_link(3, Some("x"), None),
            "<a href=\"#x\" class=\"total\">3</a>"
        );
        assert_eq!(
            count_link(0, Some("x"), Some("t")),
            "<span class=\"total\" id=\"t\">0</span>"
        );
    }
}
