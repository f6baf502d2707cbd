//! Plain-text rendering of a [`DiffReport`]: the summary first (totals, then
//! counts per scope), then every difference.

use std::io::{self, Write};

use crate::escape::escape_value;

use super::{DiffReport, DirSyncFileDiff, DirSyncPart, FieldChange, NumberChange, TransactionDiff};

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("(none)")
}

/// A value from the data, control characters escaped (crate::escape).
fn v(x: impl std::fmt::Display) -> String {
    escape_value(&x.to_string()).into_owned()
}

/// A quoted value from the data, control characters escaped.
fn q(x: &str) -> String {
    format!("\"{}\"", escape_value(x))
}

fn change_line(w: &mut dyn Write, indent: &str, c: &FieldChange) -> io::Result<()> {
    writeln!(
        w,
        "{indent}{}: {} -> {}",
        c.field,
        q(opt(&c.a)),
        q(opt(&c.b))
    )
}

/// Writes the report as text.
pub fn render_text(r: &DiffReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "msmail diff ({})", r.kind)?;
    writeln!(w, "A: {}", v(&r.a))?;
    writeln!(w, "B: {}", v(&r.b))?;
    writeln!(
        w,
        "Result: {}",
        if r.identical {
            "identical"
        } else {
            "differences found"
        }
    )?;
    let t = &r.totals;
    writeln!(
        w,
        "Totals: only in A {}, only in B {}, renamed {}, changed {}",
        t.only_in_a, t.only_in_b, t.renamed, t.changed
    )?;
    if let Some(d) = &r.directory {
        writeln!(w)?;
        writeln!(
            w,
            "{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "scope", "in A", "in B", "only A", "only B", "renamed", "changed", "same"
        )?;
        for s in &d.scopes {
            let c = &s.counts;
            writeln!(
                w,
                "{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}{}",
                v(&s.scope),
                c.entries_a,
                c.entries_b,
                c.only_in_a,
                c.only_in_b,
                c.renamed,
                c.changed,
                c.unchanged,
                if s.template_definition.is_some() {
                    "  (template definition differs)"
                } else {
                    ""
                }
            )?;
        }
    }
    if let Some(x) = &r.transactions {
        writeln!(
            w,
            "Transactions: {} in A, {} in B; only in A {}, only in B {}, changed {}",
            x.records_a,
            x.records_b,
            x.only_in_a.len(),
            x.only_in_b.len(),
            x.changed.len()
        )?;
    }
    if let Some(c) = &r.configuration {
        writeln!(w, "Configuration fields changed: {}", c.len())?;
    }
    for d in r.dirsync.iter().flatten() {
        dirsync_summary(w, d)?;
    }
    if let Some(f) = &r.files {
        writeln!(
            w,
            "Files: {} in A, {} in B; only in A {}, only in B {}, changed {}",
            f.files_a,
            f.files_b,
            f.only_in_a.len(),
            f.only_in_b.len(),
            f.changed.len()
        )?;
    }

    if let Some(d) = &r.directory {
        for s in d.scopes.iter().filter(|s| !s.is_identical()) {
            writeln!(w)?;
            writeln!(w, "== {} ==", v(&s.scope))?;
            for e in &s.only_in_a {
                writeln!(
                    w,
                    "- only in A: {} {} ({})",
                    v(&e.address),
                    q(&e.full_name),
                    e.kind.as_str()
                )?;
            }
            for e in &s.only_in_b {
                writeln!(
                    w,
                    "+ only in B: {} {} ({})",
                    v(&e.address),
                    q(&e.full_name),
                    e.kind.as_str()
                )?;
            }
            for n in &s.renamed {
                writeln!(
                    w,
                    "> renamed: {} -> {} {}",
                    v(&n.from.address),
                    v(&n.to.address),
                    q(&n.from.full_name)
                )?;
            }
            for c in &s.changed {
                writeln!(w, "~ changed: {} {}", v(&c.address), q(&c.full_name))?;
                for f in &c.changes {
                    change_line(w, "    ", f)?;
                }
            }
            if let Some(t) = &s.template_definition {
                writeln!(w, "~ template definition:")?;
                let side = |x: &Option<Vec<String>>| match x {
                    None => "(none)".to_string(),
                    Some(l) => v(l.join(" | ")),
                };
                writeln!(w, "    A: {}", side(&t.a))?;
                writeln!(w, "    B: {}", side(&t.b))?;
            }
        }
    }
    if let Some(x) = &r.transactions {
        transaction_details(w, "transactions", x)?;
    }
    if let Some(c) = &r.configuration {
        config_details(w, "configuration", c)?;
    }
    for d in r.dirsync.iter().flatten() {
        let title = format!("{} ({})", v(&d.path), part_name(d.kind));
        if let Some(x) = &d.transactions {
            transaction_details(w, &title, x)?;
        }
        if let Some(c) = &d.configuration {
            config_details(w, &title, c)?;
        }
    }
    if let Some(f) = &r.files {
        if !f.is_identical() {
            writeln!(w)?;
            writeln!(w, "== files ==")?;
        }
        for x in &f.only_in_a {
            writeln!(
                w,
                "- only in A: {} ({} bytes, sha256 {})",
                v(&x.path),
                x.size,
                x.sha256
            )?;
        }
        for x in &f.only_in_b {
            writeln!(
                w,
                "+ only in B: {} ({} bytes, sha256 {})",
                v(&x.path),
                x.size,
                x.sha256
            )?;
        }
        for x in &f.changed {
            writeln!(
                w,
                "~ changed: {} ({} bytes, sha256 {}) -> {} ({} bytes, sha256 {})",
                v(&x.a.path),
                x.a.size,
                x.a.sha256,
                v(&x.b.path),
                x.b.size,
                x.b.sha256
            )?;
        }
    }
    Ok(())
}

/// The name a Dir-Sync part has in reports.
pub(crate) fn part_name(p: DirSyncPart) -> &'static str {
    match p {
        DirSyncPart::Transactions => "transactions",
        DirSyncPart::ReqConf => "reqconf",
        DirSyncPart::SrvConf => "srvconf",
    }
}

/// One summary line for a Dir-Sync file of a folder comparison.
fn dirsync_summary(w: &mut dyn Write, d: &DirSyncFileDiff) -> io::Result<()> {
    if let Some(x) = &d.transactions {
        writeln!(
            w,
            "Dir-Sync {} (transactions): {} in A, {} in B; only in A {}, only in B {}, changed {}",
            v(&d.path),
            x.records_a,
            x.records_b,
            x.only_in_a.len(),
            x.only_in_b.len(),
            x.changed.len()
        )?;
    }
    if let Some(c) = &d.configuration {
        writeln!(
            w,
            "Dir-Sync {} ({}): fields changed {}",
            v(&d.path),
            part_name(d.kind),
            c.len()
        )?;
    }
    Ok(())
}

/// The records of a transaction comparison under `== title ==` (nothing when
/// identical).
fn transaction_details(w: &mut dyn Write, title: &str, x: &TransactionDiff) -> io::Result<()> {
    if x.is_identical() {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(w, "== {title} ==")?;
    let fields = |f: &[(String, String)]| {
        f.iter()
            .map(|(k, x)| format!("{k}={}", q(x)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for t in &x.only_in_a {
        writeln!(w, "- only in A: sync {} {}", t.sync, fields(&t.fields))?;
    }
    for t in &x.only_in_b {
        writeln!(w, "+ only in B: sync {} {}", t.sync, fields(&t.fields))?;
    }
    for t in &x.changed {
        writeln!(w, "~ changed: sync {}", t.sync)?;
        for f in &t.changes {
            change_line(w, "    ", f)?;
        }
    }
    Ok(())
}

/// The configuration fields that differ under `== title ==` (nothing when
/// none).
fn config_details(w: &mut dyn Write, title: &str, c: &[NumberChange]) -> io::Result<()> {
    if c.is_empty() {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(w, "== {title} ==")?;
    for n in c {
        match &n.requestor {
            Some(q) => writeln!(
                w,
                "~ {} of requestor {}: {} -> {}",
                n.field,
                v(q),
                v(opt(&n.a)),
                v(opt(&n.b))
            )?,
            None => writeln!(w, "~ {}: {} -> {}", n.field, v(opt(&n.a)), v(opt(&n.b)))?,
        }
    }
    Ok(())
}
