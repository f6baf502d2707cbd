//! The sections of the HTML diff report: postoffices (scopes) and their
//! details, transactions, configuration numbers, Dir-Sync files, files; and
//! their entries in the contents list.
//!
//! Anchors: scope `i` has its row `#scope-i`, its details `#details-i` and the
//! first row of each kind of difference `#si-only-a`, `#si-only-b`,
//! `#si-renamed`, `#si-changed`, `#si-template`; a transaction or
//! configuration part with prefix `p` has `#p-only-a`, `#p-only-b`,
//! `#p-changed`; Dir-Sync file `n` has `#dirsync-row-n` and (when it differs)
//! `#dirsync-n` with the prefix `dn`; file row `k` is `#file-k`.

use std::io::{self, Write};

use super::{
    count_link, counts_phrase, dirsync_counts, escape, field_label, file_counts, plural,
    transaction_counts, Targets, CONTENTS_FILE_LIMIT, DETAIL_LIMIT, KINDS,
};
use crate::diff::text::part_name;
use crate::diff::{
    DirSyncFileDiff, DirectoryDiff, FieldChange, FileDiff, NumberChange, ScopeDiff,
    TransactionDiff, TransactionRef,
};

/// Contents lists longer than this start folded (`<details>` without `open`).
const OPEN_LIST_LIMIT: usize = 40;

/// At most this many postoffices are drawn in the chart (those with the most
/// differences); the table lists all.
const CHART_LIMIT: usize = 40;

fn scope_counts(s: &ScopeDiff) -> [usize; 4] {
    let c = &s.counts;
    [c.only_in_a, c.only_in_b, c.renamed, c.changed]
}

/// Differences of a scope, its template definition included.
fn scope_differences(s: &ScopeDiff) -> usize {
    s.counts.differences() + usize::from(s.template_definition.is_some())
}

/// A value or "(none)" for a side where the field is absent.
fn side(v: &Option<String>) -> String {
    marked(v, "")
}

/// A value inside `<tag>` (`del` for A, `ins` for B; none for ""), or
/// "(none)" unmarked for a side where the field is absent.
fn marked(v: &Option<String>, tag: &str) -> String {
    match (v, tag) {
        (Some(v), "") => escape(v),
        (Some(v), t) => format!("<{t}>{}</{t}>", escape(v)),
        (None, _) => "<span class=\"absent\">(none)</span>".into(),
    }
}

/// Field-by-field changes as a list: `Phone (template): old → new`.
fn changes_list(cs: &[FieldChange]) -> String {
    let mut out = String::from("<ul class=\"changes\">");
    for c in cs {
        out.push_str(&format!(
            "<li><span class=\"field\">{}</span>: {} &rarr; {}</li>",
            escape(&field_label(&c.field)),
            marked(&c.a, "del"),
            marked(&c.b, "ins")
        ));
    }
    out.push_str("</ul>");
    out
}

fn more(w: &mut dyn Write, shown: usize, total: usize, what: &str) -> io::Result<()> {
    if total > shown {
        writeln!(
            w,
            "<p class=\"note\">{} more {what} not shown here; the text and JSON reports list all.</p>",
            total - shown
        )?;
    }
    Ok(())
}

/// `<tr class=C id=ID>` for the first row of a kind, `<tr class=C>` after.
fn row_open(class: &str, anchor: &str, first: &mut bool) -> String {
    if std::mem::take(first) {
        format!("<tr class=\"{class}\" id=\"{anchor}\">")
    } else {
        format!("<tr class=\"{class}\">")
    }
}

// --------------------------------------------------------------- contents

/// The contents entry of the postoffices: every scope, linked to its details
/// (or to its row in the table when it is identical).
pub(super) fn contents_scopes(w: &mut dyn Write, d: &DirectoryDiff) -> io::Result<()> {
    let differ = d.scopes.iter().filter(|s| !s.is_identical()).count();
    writeln!(
        w,
        "<li><a href=\"#postoffices\">Postoffices and gateways</a> <span class=\"count\">({} of {} differ)</span>",
        differ,
        d.scopes.len()
    )?;
    writeln!(
        w,
        "<details{}><summary>each address scope</summary><ol>",
        if d.scopes.len() <= OPEN_LIST_LIMIT {
            " open"
        } else {
            ""
        }
    )?;
    for (i, s) in d.scopes.iter().enumerate() {
        if s.is_identical() {
            writeln!(
                w,
                "<li><a href=\"#scope-{i}\">{}</a> <span class=\"count same\">same</span></li>",
                escape(&s.scope)
            )?;
        } else {
            writeln!(
                w,
                "<li><a href=\"#details-{i}\">{}</a> <span class=\"count\">{}</span></li>",
                escape(&s.scope),
                plural(scope_differences(s), "difference", "differences")
            )?;
        }
    }
    writeln!(w, "</ol></details></li>")
}

/// The contents entry of the Dir-Sync files: each one, linked.
pub(super) fn contents_dirsync(w: &mut dyn Write, list: &[DirSyncFileDiff]) -> io::Result<()> {
    let differ = list.iter().filter(|d| !d.is_identical()).count();
    writeln!(
        w,
        "<li><a href=\"#dirsync-files\">Dir-Sync files</a> <span class=\"count\">({differ} of {} differ)</span><ol>",
        list.len()
    )?;
    for (n, d) in list.iter().enumerate() {
        if d.is_identical() {
            writeln!(
                w,
                "<li><a href=\"#dirsync-row-{n}\">{}</a> <span class=\"count same\">same</span></li>",
                escape(&d.path)
            )?;
        } else {
            writeln!(
                w,
                "<li><a href=\"#dirsync-{n}\">{}</a> <span class=\"count\">{}</span></li>",
                escape(&d.path),
                counts_phrase(dirsync_counts(d))
            )?;
        }
    }
    writeln!(w, "</ol></li>")
}

/// The files of the Files table in row order: (kind index, path label).
fn file_rows(f: &FileDiff) -> impl Iterator<Item = (usize, String)> + '_ {
    let a = f
        .only_in_a
        .iter()
        .take(DETAIL_LIMIT)
        .map(|x| (0, x.path.clone()));
    let b = f
        .only_in_b
        .iter()
        .take(DETAIL_LIMIT)
        .map(|x| (1, x.path.clone()));
    let c = f
        .changed
        .iter()
        .take(DETAIL_LIMIT)
        .map(|x| (3, x.a.path.clone()));
    a.chain(b).chain(c)
}

/// Targets of the Files part: the first file row of each kind.
pub(crate) fn file_targets(f: &FileDiff) -> Targets {
    let mut t: Targets = Default::default();
    for (k, (kind, _)) in file_rows(f).enumerate() {
        if t[kind].is_none() {
            t[kind] = Some(format!("file-{k}"));
        }
    }
    t
}

/// The contents entry of the files: every file that differs, linked to its row
/// (the first [`CONTENTS_FILE_LIMIT`]).
pub(super) fn contents_files(w: &mut dyn Write, f: &FileDiff) -> io::Result<()> {
    let differ = f.only_in_a.len() + f.only_in_b.len() + f.changed.len();
    writeln!(
        w,
        "<li><a href=\"#files\">Files</a> <span class=\"count\">({differ} differ; {} in A, {} in B)</span>",
        f.files_a, f.files_b
    )?;
    if differ == 0 {
        return writeln!(w, "</li>");
    }
    writeln!(
        w,
        "<details{}><summary>each file that differs</summary><ol>",
        if differ <= OPEN_LIST_LIMIT {
            " open"
        } else {
            ""
        }
    )?;
    let mut shown = 0;
    for (k, (kind, path)) in file_rows(f).enumerate().take(CONTENTS_FILE_LIMIT) {
        writeln!(
            w,
            "<li><a href=\"#file-{k}\">{}</a> <span class=\"count\">{}</span></li>",
            escape(&path),
            KINDS[kind].0
        )?;
        shown += 1;
    }
    writeln!(w, "</ol>")?;
    if differ > shown {
        writeln!(
            w,
            "<p class=\"note\">{} more in the Files table.</p>",
            differ - shown
        )?;
    }
    writeln!(w, "</details></li>")
}

// ----------------------------------------------------------- postoffices

/// A horizontal stacked bar per scope that differs (most differences first),
/// drawn only when at least two scopes differ: with one, the table says it all.
fn scopes_chart(w: &mut dyn Write, d: &DirectoryDiff) -> io::Result<()> {
    let mut differing: Vec<(usize, &ScopeDiff)> = d
        .scopes
        .iter()
        .enumerate()
        .filter(|(_, s)| s.counts.differences() > 0)
        .collect();
    if differing.len() < 2 {
        return Ok(());
    }
    differing.sort_by(|x, y| {
        y.1.counts
            .differences()
            .cmp(&x.1.counts.differences())
            .then(x.0.cmp(&y.0))
    });
    let drawn = &differing[..differing.len().min(CHART_LIMIT)];
    let max = drawn
        .iter()
        .map(|(_, s)| s.counts.differences())
        .max()
        .unwrap_or(1)
        .max(1);
    const COLOURS: [&str; 4] = ["#cc0000", "#4e9a06", "#75507b", "#c17d11"];
    let (label_w, bar_w, row_h) = (230usize, 420usize, 22usize);
    let height = 30 + drawn.len() * row_h;
    writeln!(w, "<h3>Differences per postoffice</h3>")?;
    writeln!(
        w,
        "<svg id=\"chart-scopes\" class=\"chart\" role=\"img\" width=\"{}\" height=\"{height}\" \
viewBox=\"0 0 {} {height}\"><title>Differences per address scope, most first</title>",
        label_w + bar_w + 60,
        label_w + bar_w + 60
    )?;
    let mut x = label_w;
    for ((label, _), colour) in KINDS.iter().zip(COLOURS) {
        writeln!(
            w,
            "<rect x=\"{x}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"14\">{label}</text>",
            x + 16
        )?;
        x += 100;
    }
    for (row, (i, s)) in drawn.iter().enumerate() {
        let y = 26 + row * row_h;
        let mut name = s.scope.clone();
        if name.chars().count() > 32 {
            name = name.chars().take(31).collect::<String>() + "\u{2026}";
        }
        writeln!(
            w,
            "<a href=\"#details-{i}\"><text x=\"0\" y=\"{}\">{}</text>",
            y + 13,
            escape(&name)
        )?;
        let mut x = label_w;
        for (v, colour) in scope_counts(s).iter().zip(COLOURS) {
            let width = (*v as u128 * bar_w as u128 / max as u128) as usize;
            if *v > 0 {
                writeln!(
                    w,
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"16\" fill=\"{colour}\"/>",
                    width.max(2)
                )?;
                x += width.max(2);
            }
        }
        writeln!(
            w,
            "<text x=\"{}\" y=\"{}\">{}</text></a>",
            x + 6,
            y + 13,
            s.counts.differences()
        )?;
    }
    writeln!(w, "</svg>")?;
    if differing.len() > drawn.len() {
        writeln!(
            w,
            "<p class=\"note\">The chart shows the {} address scopes with the most differences; the table lists all {}.</p>",
            drawn.len(),
            differing.len()
        )?;
    }
    Ok(())
}

/// The postoffices section: chart (when informative), table of counts, then
/// the details of each scope that differs.
pub(super) fn scopes(w: &mut dyn Write, d: &DirectoryDiff) -> io::Result<()> {
    let differ = d.scopes.iter().filter(|s| !s.is_identical()).count();
    writeln!(
        w,
        "<section id=\"postoffices\"><h2>Postoffices and gateways</h2>"
    )?;
    writeln!(
        w,
        "<p>{}: {differ} differ, {} are the same. Entries in A: {}, in B: {}.</p>",
        plural(d.scopes.len(), "address scope", "address scopes"),
        d.scopes.len() - differ,
        d.totals.entries_a,
        d.totals.entries_b
    )?;
    scopes_chart(w, d)?;
    writeln!(
        w,
        "<table id=\"scopes\" class=\"data\"><thead><tr><th>scope</th><th class=\"n\">in A</th>\
<th class=\"n\">in B</th><th class=\"n\">only in A</th><th class=\"n\">only in B</th>\
<th class=\"n\">renamed</th><th class=\"n\">changed</th><th class=\"n\">same</th>\
<th>template definition</th></tr></thead><tbody>"
    )?;
    for (i, s) in d.scopes.iter().enumerate() {
        let c = &s.counts;
        let name = if s.is_identical() {
            escape(&s.scope)
        } else {
            format!("<a href=\"#details-{i}\">{}</a>", escape(&s.scope))
        };
        write!(
            w,
            "<tr id=\"scope-{i}\" class=\"{}\"><td>{name}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            if s.is_identical() { "same" } else { "differs" },
            c.entries_a,
            c.entries_b
        )?;
        for (v, (_, class)) in scope_counts(s).iter().zip(KINDS) {
            let target = format!("s{i}-{class}");
            write!(
                w,
                "<td class=\"n\">{}</td>",
                count_link(*v, Some(&target), None)
            )?;
        }
        let def = if s.template_definition.is_some() {
            format!("<a href=\"#s{i}-template\">differs</a>")
        } else {
            "same".into()
        };
        writeln!(w, "<td class=\"n\">{}</td><td>{def}</td></tr>", c.unchanged)?;
    }
    writeln!(w, "</tbody></table>")?;
    if differ > 0 {
        writeln!(w, "<h2 id=\"details\">Details per postoffice</h2>")?;
    }
    for (i, s) in d.scopes.iter().enumerate() {
        if !s.is_identical() {
            scope_details(w, i, s)?;
        }
    }
    writeln!(w, "</section>")
}

fn tpl_table(lines: &Option<Vec<String>>) -> String {
    let Some(lines) = lines else {
        return "<span class=\"absent\">(no definition)</span>".into();
    };
    let mut out = String::from(
        "<table class=\"tpl\"><tr><th>prompt</th><th>start</th><th>width</th><th>edit</th>\
<th>data</th><th>internal</th></tr>",
    );
    for l in lines {
        out.push_str("<tr>");
        for cell in l.split('~') {
            out.push_str(&format!("<td>{}</td>", escape(cell)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

fn scope_details(w: &mut dyn Write, i: usize, s: &ScopeDiff) -> io::Result<()> {
    writeln!(
        w,
        "<section id=\"details-{i}\" class=\"scope\"><h3>{}</h3>",
        escape(&s.scope)
    )?;
    let mut phrase = counts_phrase(scope_counts(s));
    if s.template_definition.is_some() {
        phrase.push_str(if s.counts.differences() > 0 {
            "; the template definition differs"
        } else {
            " in the entries; the template definition differs"
        });
    }
    writeln!(
        w,
        "<p>{phrase}; {} the same. <a href=\"#scope-{i}\">Back to the table</a>.</p>",
        plural(s.counts.unchanged, "entry", "entries")
    )?;
    writeln!(
        w,
        "<table class=\"data details\"><thead><tr><th>difference</th><th>address</th>\
<th>full name</th><th>kind / what differs</th></tr></thead><tbody>"
    )?;
    let mut first = true;
    for e in s.only_in_a.iter().take(DETAIL_LIMIT) {
        writeln!(
            w,
            "{}<td>only in A</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row_open("only-a", &format!("s{i}-only-a"), &mut first),
            escape(&e.address),
            escape(&e.full_name),
            e.kind.as_str()
        )?;
    }
    let mut first = true;
    for e in s.only_in_b.iter().take(DETAIL_LIMIT) {
        writeln!(
            w,
            "{}<td>only in B</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row_open("only-b", &format!("s{i}-only-b"), &mut first),
            escape(&e.address),
            escape(&e.full_name),
            e.kind.as_str()
        )?;
    }
    let mut first = true;
    for n in s.renamed.iter().take(DETAIL_LIMIT) {
        writeln!(
            w,
            "{}<td>renamed</td><td>{} &rarr; {}</td><td>{}</td><td>{}</td></tr>",
            row_open("renamed", &format!("s{i}-renamed"), &mut first),
            escape(&n.from.address),
            escape(&n.to.address),
            escape(&n.from.full_name),
            n.from.kind.as_str()
        )?;
    }
    let mut first = true;
    for c in s.changed.iter().take(DETAIL_LIMIT) {
        writeln!(
            w,
            "{}<td>changed</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row_open("changed", &format!("s{i}-changed"), &mut first),
            escape(&c.address),
            escape(&c.full_name),
            changes_list(&c.changes)
        )?;
    }
    if let Some(td) = &s.template_definition {
        writeln!(
            w,
            "<tr class=\"changed\" id=\"s{i}-template\"><td>template definition</td>\
<td>A: {}</td><td>B: {}</td><td></td></tr>",
            tpl_table(&td.a),
            tpl_table(&td.b)
        )?;
    }
    writeln!(w, "</tbody></table>")?;
    more(
        w,
        s.only_in_a.len().min(DETAIL_LIMIT),
        s.only_in_a.len(),
        "entries only in A",
    )?;
    more(
        w,
        s.only_in_b.len().min(DETAIL_LIMIT),
        s.only_in_b.len(),
        "entries only in B",
    )?;
    more(
        w,
        s.renamed.len().min(DETAIL_LIMIT),
        s.renamed.len(),
        "renames",
    )?;
    more(
        w,
        s.changed.len().min(DETAIL_LIMIT),
        s.changed.len(),
        "changed entries",
    )?;
    writeln!(w, "</section>")
}

// ---------------------------------------------------------- transactions

/// A run of consecutive records (sync numbers n, n+1, ... or repeated) whose
/// compared content is the same: shown as one row.
struct Run<'a, T> {
    first: u64,
    last: u64,
    count: usize,
    item: &'a T,
}

fn runs<'a, T>(
    list: &'a [T],
    sync: impl Fn(&T) -> u64,
    same: impl Fn(&T, &T) -> bool,
) -> Vec<Run<'a, T>> {
    let mut out: Vec<Run<'a, T>> = Vec::new();
    for item in list {
        let s = sync(item);
        if let Some(r) = out.last_mut() {
            if (s == r.last || s == r.last.wrapping_add(1)) && same(r.item, item) {
                r.last = s;
                r.count += 1;
                continue;
            }
        }
        out.push(Run {
            first: s,
            last: s,
            count: 1,
            item,
        });
    }
    out
}

fn sync_cell<T>(r: &Run<'_, T>) -> String {
    if r.first == r.last {
        format!("<td class=\"n\" data-sort=\"{}\">{}</td>", r.first, r.first)
    } else {
        format!(
            "<td class=\"n\" data-sort=\"{}\">{}&ndash;{}</td>",
            r.first, r.first, r.last
        )
    }
}

fn same_fields(a: &TransactionRef, b: &TransactionRef) -> bool {
    a.fields == b.fields
}

/// A transaction comparison: the records on one side only (one table) and the
/// changed records (another), runs of identical records as one row.
pub(super) fn transactions(w: &mut dyn Write, prefix: &str, x: &TransactionDiff) -> io::Result<()> {
    let c = transaction_counts(x);
    writeln!(
        w,
        "<p>{} records in A, {} in B: {}.</p>",
        x.records_a,
        x.records_b,
        counts_phrase(c)
    )?;
    if x.is_identical() {
        return Ok(());
    }
    let names: Vec<&str> = x
        .only_in_a
        .iter()
        .chain(&x.only_in_b)
        .next()
        .map(|t| t.fields.iter().map(|(k, _)| k.as_str()).collect())
        .unwrap_or_default();
    if !x.only_in_a.is_empty() || !x.only_in_b.is_empty() {
        write!(
            w,
            "<table class=\"data details\"><thead><tr><th>difference</th><th class=\"n\">sync</th>\
<th class=\"n\">records</th>"
        )?;
        for n in &names {
            write!(w, "<th>{}</th>", escape(&field_label(n)))?;
        }
        writeln!(w, "</tr></thead><tbody>")?;
        let mut notes = Vec::new();
        for (class, what, list) in [
            ("only-a", "only in A", &x.only_in_a),
            ("only-b", "only in B", &x.only_in_b),
        ] {
            let mut first = true;
            let all = runs(list, |t| t.sync, same_fields);
            for r in all.iter().take(DETAIL_LIMIT) {
                write!(
                    w,
                    "{}<td>{what}</td>{}<td class=\"n\">{}</td>",
                    row_open(class, &format!("{prefix}-{class}"), &mut first),
                    sync_cell(r),
                    r.count
                )?;
                for (k, v) in &r.item.fields {
                    let cls = if k == "text" { " class=\"text\"" } else { "" };
                    write!(w, "<td{cls}>{}</td>", escape(&v.replace("\r\n", "\n")))?;
                }
                writeln!(w, "</tr>")?;
            }
            let shown: usize = all.iter().take(DETAIL_LIMIT).map(|r| r.count).sum();
            notes.push((shown, list.len(), what));
        }
        writeln!(w, "</tbody></table>")?;
        for (shown, total, what) in notes {
            more(w, shown, total, &format!("records {what}"))?;
        }
    }
    if !x.changed.is_empty() {
        writeln!(
            w,
            "<table class=\"data details\"><thead><tr><th>difference</th><th class=\"n\">sync</th>\
<th class=\"n\">records</th><th>what differs</th></tr></thead><tbody>"
        )?;
        let all = runs(&x.changed, |t| t.sync, |a, b| a.changes == b.changes);
        let mut first = true;
        for r in all.iter().take(DETAIL_LIMIT) {
            writeln!(
                w,
                "{}<td>changed</td>{}<td class=\"n\">{}</td><td>{}</td></tr>",
                row_open("changed", &format!("{prefix}-changed"), &mut first),
                sync_cell(r),
                r.count,
                changes_list(&r.item.changes)
            )?;
        }
        writeln!(w, "</tbody></table>")?;
        let shown: usize = all.iter().take(DETAIL_LIMIT).map(|r| r.count).sum();
        more(w, shown, x.changed.len(), "changed records")?;
    }
    Ok(())
}

/// Configuration numbers that differ, one row each.
pub(super) fn configuration(
    w: &mut dyn Write,
    prefix: &str,
    cfg: &[NumberChange],
) -> io::Result<()> {
    if cfg.is_empty() {
        return writeln!(w, "<p>No configuration number differs.</p>");
    }
    writeln!(
        w,
        "<table class=\"data details\"><thead><tr><th>number</th><th>requestor</th><th>A</th>\
<th>B</th></tr></thead><tbody>"
    )?;
    let mut first = true;
    for n in cfg {
        writeln!(
            w,
            "{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row_open("changed", &format!("{prefix}-changed"), &mut first),
            escape(&field_label(&n.field)),
            n.requestor.as_deref().map(escape).unwrap_or_default(),
            side(&n.a),
            side(&n.b)
        )?;
    }
    writeln!(w, "</tbody></table>")
}

// -------------------------------------------------------- Dir-Sync files

/// The Dir-Sync files of a folder comparison: one summary row per file
/// (`#dirsync`, rows of class `dirsync-file`), then the details of each file
/// that differs under its path (`#dirsync-N`, N = index in the list).
pub(super) fn dirsync(w: &mut dyn Write, list: &[DirSyncFileDiff]) -> io::Result<()> {
    writeln!(w, "<section id=\"dirsync-files\"><h2>Dir-Sync files</h2>")?;
    if list.is_empty() {
        return writeln!(
            w,
            "<p id=\"dirsync\">No Dir-Sync file on both sides.</p></section>"
        );
    }
    writeln!(
        w,
        "<p>Every Dir-Sync file both folders hold, compared record by record (transaction \
streams, aligned by sync number) or number by number (REQCONF, SRVCONF).</p>"
    )?;
    writeln!(
        w,
        "<table id=\"dirsync\" class=\"data\"><thead><tr><th>file</th><th>kind</th>\
<th class=\"n\">records in A</th><th class=\"n\">records in B</th><th class=\"n\">only in A</th>\
<th class=\"n\">only in B</th><th class=\"n\">changed</th><th>result</th></tr></thead><tbody>"
    )?;
    for (n, d) in list.iter().enumerate() {
        let c = dirsync_counts(d);
        let (ra, rb) = match &d.transactions {
            Some(x) => (x.records_a.to_string(), x.records_b.to_string()),
            None => (String::new(), String::new()),
        };
        let name = if d.is_identical() {
            escape(&d.path)
        } else {
            format!("<a href=\"#dirsync-{n}\">{}</a>", escape(&d.path))
        };
        let link = |i: usize| {
            let (_, class) = KINDS[i];
            count_link(c[i], Some(&format!("d{n}-{class}")), None)
        };
        writeln!(
            w,
            "<tr class=\"dirsync-file\" id=\"dirsync-row-{n}\"><td>{name}</td><td>{}</td>\
<td class=\"n\">{ra}</td><td class=\"n\">{rb}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
<td class=\"n\">{}</td><td>{}</td></tr>",
            part_name(d.kind),
            link(0),
            link(1),
            link(3),
            if d.is_identical() { "same" } else { "differs" }
        )?;
    }
    writeln!(w, "</tbody></table>")?;
    for (n, d) in list.iter().enumerate() {
        if d.is_identical() {
            continue;
        }
        writeln!(
            w,
            "<h3 id=\"dirsync-{n}\">{} ({})</h3>",
            escape(&d.path),
            part_name(d.kind)
        )?;
        if let Some(x) = &d.transactions {
            transactions(w, &format!("d{n}"), x)?;
        }
        if let Some(c) = &d.configuration {
            configuration(w, &format!("d{n}"), c)?;
        }
    }
    writeln!(w, "</section>")
}

// ------------------------------------------------------------------ files

/// The files of a folder comparison that differ: one row each (`#file-K`).
pub(super) fn files(w: &mut dyn Write, f: &FileDiff) -> io::Result<()> {
    writeln!(w, "<section id=\"files\"><h2>Files</h2>")?;
    let c = file_counts(f);
    let differ: usize = c.iter().sum();
    writeln!(
        w,
        "<p>{} in A, {} in B: {}; compared by relative path (case-insensitive), size and SHA-256.</p>",
        plural(f.files_a, "file", "files"),
        f.files_b,
        counts_phrase(c)
    )?;
    if differ == 0 {
        return writeln!(w, "</section>");
    }
    writeln!(
        w,
        "<table class=\"data details\"><thead><tr><th>difference</th><th>path</th>\
<th class=\"n\">size in A</th><th class=\"n\">size in B</th><th>SHA-256 in A</th>\
<th>SHA-256 in B</th></tr></thead><tbody>"
    )?;
    let mut k = 0usize;
    for x in f.only_in_a.iter().take(DETAIL_LIMIT) {
        writeln!(
            w,
            "<tr class=\"only-a\" id=\"file-{k}\"><td>only in A</td><td>{}</td><td class=\"n\">{}</td>\
<td class=\"n\"></td><td><code class=\"hash\">{}</code></td><td></td></tr>",
            escape(&x.path),
            x.size,
            x.sha256
        )?;
        k += 1;
    }
    for x in f.only_in_b.iter().take(DETAIL_LIMIT) {
        writeln!(
            w,
            "<tr class=\"only-b\" id=\"file-{k}\"><td>only in B</td><td>{}</td><td class=\"n\"></td>\
<td class=\"n\">{}</td><td></td><td><code class=\"hash\">{}</code></td></tr>",
            escape(&x.path),
            x.size,
            x.sha256
        )?;
        k += 1;
    }
    for x in f.changed.iter().take(DETAIL_LIMIT) {
        let path = if x.a.path == x.b.path {
            escape(&x.a.path)
        } else {
            format!("{} / {}", escape(&x.a.path), escape(&x.b.path))
        };
        writeln!(
            w,
            "<tr class=\"changed\" id=\"file-{k}\"><td>changed</td><td>{path}</td><td class=\"n\">{}</td>\
<td class=\"n\">{}</td><td><code class=\"hash\">{}</code></td><td><code class=\"hash\">{}</code></td></tr>",
            x.a.size,
            x.b.size,
            x.a.sha256,
            x.b.sha256
        )?;
        k += 1;
    }
    writeln!(w, "</tbody></table>")?;
    more(
        w,
        f.only_in_a.len().min(DETAIL_LIMIT),
        f.only_in_a.len(),
        "files only in A",
    )?;
    more(
        w,
        f.only_in_b.len().min(DETAIL_LIMIT),
        f.only_in_b.len(),
        "files only in B",
    )?;
    more(
        w,
        f.changed.len().min(DETAIL_LIMIT),
        f.changed.len(),
        "changed files",
    )?;
    writeln!(w, "</section>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_identical_records_are_one_run() {
        let r = |sync, op: &str| TransactionRef {
            sync,
            fields: vec![("op".into(), op.into())],
        };
        let list = vec![r(5, "0"), r(6, "0"), r(7, "0"), r(9, "0"), r(10, "A")];
        let v = runs(&list, |t| t.sync, same_fields);
        let shape: Vec<(u64, u64, usize)> = v.iter().map(|r| (r.first, r.last, r.count)).collect();
        assert_eq!(shape, vec![(5, 7, 3), (9, 9, 1), (10, 10, 1)]);
    }
}
