//! The sections of the HTML diff report about address lists: the contents
//! list, the postoffices (scopes) and their details; and the helpers the
//! other sections (`records`) share.
//!
//! Anchors: scope `i` has its row `#scope-i`, its details `#details-i` and the
//! first row of each kind of difference `#si-only-a`, `#si-only-b`,
//! `#si-renamed`, `#si-changed`, `#si-template`; a transaction or
//! configuration part with prefix `p` has `#p-only-a`, `#p-only-b`,
//! `#p-changed`; Dir-Sync file `n` has `#dirsync-row-n` and (when it differs)
//! `#dirsync-n` with the prefix `dn`; file row `k` is `#file-k`.

use std::io::{self, Write};

use super::{
    count_link, counts_phrase, dirsync_counts, escape, field_label, plural, Targets,
    CONTENTS_FILE_LIMIT, DETAIL_LIMIT, KINDS,
};
use crate::diff::{DirSyncFileDiff, DirectoryDiff, FieldChange, FileDiff, ScopeDiff};

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
pub(super) fn side(v: &Option<String>) -> String {
    marked(v, "")
}

/// A value inside `<tag>` (`del` for A, `ins` for B; none for ""), or
/// "(none)" unmarked for a side where the field is absent.
pub(super) fn marked(v: &Option<String>, tag: &str) -> String {
    match (v, tag) {
        (Some(v), "") => escape(v),
        (Some(v), t) => format!("<{t}>{}</{t}>", escape(v)),
        (None, _) => "<span class=\"absent\">(none)</span>".into(),
    }
}

/// Field-by-field changes as a list: `Phone (template): old → new`.
pub(super) fn changes_list(cs: &[FieldChange]) -> String {
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

pub(super) fn more(w: &mut dyn Write, shown: usize, total: usize, what: &str) -> io::Result<()> {
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
pub(super) fn row_open(class: &str, anchor: &str, first: &mut bool) -> String {
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
