//! The sections of the HTML diff report about records and files:
//! transactions (runs of identical records as one row), configuration
//! numbers, Dir-Sync files, files. Anchors as in [`super::sections`].

use std::io::{self, Write};

use super::sections::{changes_list, more, row_open, side};
use super::{
    count_link, counts_phrase, dirsync_counts, escape, field_label, file_counts, plural,
    transaction_counts, DETAIL_LIMIT, KINDS,
};
use crate::diff::text::part_name;
use crate::diff::{DirSyncFileDiff, FileDiff, NumberChange, TransactionDiff, TransactionRef};

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

/// Configuration fields that differ, one row each (passwords only as set /
/// not set / different).
pub(super) fn configuration(
    w: &mut dyn Write,
    prefix: &str,
    cfg: &[NumberChange],
) -> io::Result<()> {
    if cfg.is_empty() {
        return writeln!(w, "<p>No configuration field differs.</p>");
    }
    writeln!(
        w,
        "<table class=\"data details\"><thead><tr><th>field</th><th>requestor</th><th>A</th>\
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
streams, aligned by sync number) or field by field (REQCONF, SRVCONF; passwords only as set / not set / different).</p>"
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
