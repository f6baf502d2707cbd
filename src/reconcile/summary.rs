//! The repair's report: the `repair` object of report.json, the repair
//! lines of report.txt, and the next steps `--out` prints.

use std::path::Path;

use serde_json::{json, Value};

use super::fit::FitChange;
use super::output::StampChoice;
use super::{Reconciliation, RepairMode, RepairPlan, WrittenFile};

/// Everything `--out` needs besides the inputs.
pub struct OutputPlan<'a> {
    /// The reconciliation.
    pub rec: &'a Reconciliation,
    /// Its repair plan.
    pub plan: &'a RepairPlan,
    /// The merged directory the outputs are written from (every
    /// postoffice's merged list: [`Reconciliation::take_merged_directory`]).
    pub merged: &'a crate::model::Directory,
    /// The stamp chosen.
    pub stamp: &'a StampChoice,
    /// Changes the limits forced on MS Mail files.
    pub fit_changes: &'a [FitChange],
    /// Damage read past in the server's files (`--salvage`).
    pub server_skipped: &'a [String],
    /// Master numbers lost to damage, and the requestors that need
    /// RESYNC.GLB because of them.
    pub lost_master: (&'a [u32], &'a [crate::model::Scope]),
}

/// The `repair` object of the JSON report.
pub fn repair_json(p: &OutputPlan<'_>) -> Value {
    let plan = p.plan;
    json!({
        "mode": match plan.mode { RepairMode::Delta => "delta", RepairMode::Full => "full" },
        "base_sync": plan.base_sync,
        "top_placeholder": plan.top_placeholder,
        "placeholders": plan.placeholders.map(|(a, b)| json!({"first": a, "last": b})),
        "transactions": plan.transactions.len(),
        "first_transaction": plan.transactions.first().map(|t| t.sync),
        "new_sync": plan.new_sync,
        "stamp": p.stamp.stamp,
        "stamp_source": p.stamp.source,
        "stamp_warnings": p.stamp.warnings,
        "srvconf": plan.srvconf.iter().map(|u| json!({
            "name": u.name,
            "changed": u.changed,
            "reqsync": [u.reqsync.0, u.reqsync.1],
            "srvsync": [u.srvsync.0, u.srvsync.1],
            "impsync": [u.impsync.0, u.impsync.1],
        })).collect::<Vec<_>>(),
        "without_record": plan.without_record.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        "resync": {"impseq": plan.resync.impseq, "reqseq": plan.resync.reqseq, "srvseq": plan.resync.srvseq},
        "resync_recommended": plan.resync_recommended.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        "unfilled": plan.unfilled.iter().map(|(s, n)| json!({"scope": s.to_string(), "size": n})).collect::<Vec<_>>(),
        "limit_changes": p.fit_changes.iter().map(|c| json!({
            "address": c.address, "field": c.field, "from": c.from, "to": c.to,
        })).collect::<Vec<_>>(),
        "kind_only": plan.kind_only.iter().map(|e| e.address.to_string()).collect::<Vec<_>>(),
        "server_skipped": p.server_skipped,
        "lost_master": p.lost_master.0,
        "lost_master_resync": p.lost_master.1.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    })
}

/// The text lines about the repair, after [`Reconciliation::to_text`].
pub fn repair_text(p: &OutputPlan<'_>) -> String {
    use std::fmt::Write as _;
    let plan = p.plan;
    let mut s = String::new();
    let mode = match plan.mode {
        RepairMode::Delta => "delta",
        RepairMode::Full => "full",
    };
    let _ = writeln!(s, "\nRepair ({mode}):");
    match plan.placeholders {
        Some((a, b)) => {
            let _ = writeln!(s, "  placeholders {a}..{b} (Sync(B) {})", plan.base_sync);
        }
        None => {
            let _ = writeln!(s, "  no placeholders (Sync(B) {})", plan.base_sync);
        }
    }
    match (plan.transactions.first(), plan.transactions.last()) {
        (Some(f), Some(l)) => {
            let _ = writeln!(
                s,
                "  {} repair transactions {}..{}",
                plan.transactions.len(),
                f.sync,
                l.sync
            );
        }
        _ => {
            let _ = writeln!(s, "  no repair transactions");
        }
    }
    let _ = writeln!(
        s,
        "  SRVCONF Sync {} -> {}; {} of {} requestor records updated",
        plan.base_sync,
        plan.new_sync,
        plan.srvconf.iter().filter(|u| u.changed).count(),
        plan.srvconf.len()
    );
    let _ = writeln!(
        s,
        "  RESYNC.GLB header IMPSEQ={} REQSEQ={} SRVSEQ={}",
        plan.resync.impseq, plan.resync.reqseq, plan.resync.srvseq
    );
    let _ = writeln!(
        s,
        "  new records stamped {} ({})",
        crate::dirsync::ctime(p.stamp.stamp),
        p.stamp.source
    );
    for w in &p.stamp.warnings {
        let _ = writeln!(s, "  warning: {w}");
    }
    for sc in &plan.resync_recommended {
        let _ = writeln!(
            s,
            "  {sc}: missed master transactions; send it RESYNC.GLB (IMPORT -Q)"
        );
    }
    for (sc, n) in &plan.unfilled {
        let _ = writeln!(
            s,
            "  {sc}: up to {n} lost updates stay unrepaired until it exports its list"
        );
    }
    for c in p.fit_changes {
        let _ = writeln!(
            s,
            "  limit: {} {} {} written as {}",
            c.address,
            c.field,
            crate::escape::quoted(&c.from),
            crate::escape::quoted(&c.to)
        );
    }
    for e in &plan.kind_only {
        let _ = writeln!(
            s,
            "  {}: user/group change carried by the rebuilt USR list only (transactions \
             carry no kind)",
            e.address
        );
    }
    for w in p.server_skipped {
        let _ = writeln!(s, "  server damage read past: {w}");
    }
    if !p.lost_master.0.is_empty() {
        let _ = writeln!(
            s,
            "  master transactions {} were lost to damage: placeholders hold their numbers",
            super::inputs::number_ranges(p.lost_master.0)
        );
        for sc in p.lost_master.1 {
            let _ = writeln!(
                s,
                "  {sc}: had not received them; send it RESYNC.GLB (IMPORT -Q)"
            );
        }
    }
    s
}

/// The JSON report with the `repair` object added.
pub fn report_json(p: &OutputPlan<'_>, written: &[WrittenFile]) -> Value {
    let mut v = p.rec.to_json(written);
    if let Value::Object(m) = &mut v {
        m.insert("repair".into(), repair_json(p));
    }
    v
}

/// The text report: the summary in plain words, the numbers (the
/// reconciliation's table and details), then the repair.
pub fn report_text(p: &OutputPlan<'_>) -> String {
    let mut s = super::plain::plain_words(p);
    s.push_str("\nThe numbers\n");
    s.push_str(&p.rec.to_text());
    s.push_str(&repair_text(p));
    s
}

pub(super) fn json_bytes(v: &Value) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
    b.push(b'\n');
    b
}

/// The report lines about merged entries no list of the repaired tree holds.
pub(super) fn outside_text(outside: &[String], gal_left_out: usize) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    if outside.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "  {} merged entries are in no binary list of the repaired tree (free-form gateway \
         addresses, or postoffices without an XTN record); MSTTRANS.GLB, RESYNC.GLB and the \
         merged.* files carry them{}:",
        outside.len(),
        if gal_left_out > 0 {
            format!(", the GAL leaves {gal_left_out} out")
        } else {
            String::new()
        }
    );
    for a in outside.iter().take(20) {
        let _ = writeln!(s, "    {a}");
    }
    if outside.len() > 20 {
        let _ = writeln!(s, "    ... and {} more (report.json)", outside.len() - 20);
    }
    s
}

/// What the user does with `--out DIR` next: copy the server tree back,
/// REBUILD or not, RESYNC.GLB for which requestors, exports to ask for.
pub fn next_steps(p: &OutputPlan<'_>, target: &Path, written: &[WrittenFile]) -> String {
    use std::fmt::Write as _;
    let plan = p.plan;
    let dir = target.display();
    let mut s = String::new();
    let server_files = written
        .iter()
        .filter(|w| w.path.starts_with("server/"))
        .count();
    // The top-level outputs written (report.json is written after this list).
    let mut names: Vec<String> = Vec::new();
    for w in written {
        let top = match w.path.split_once('/') {
            Some((dir, _)) => format!("{dir}/: {server_files}"),
            None => w.path.clone(),
        };
        if !names.contains(&top) {
            names.push(top);
        }
    }
    names.push("report.json".into());
    let _ = writeln!(
        s,
        "\nWritten to {dir}: {} files ({}).",
        written.len() + 1,
        names.join(", ")
    );
    let wrote = |name: &str| written.iter().any(|w| w.path == name);
    let _ = writeln!(s, "Next steps:");
    let _ = writeln!(
        s,
        "  1. Stop Dir-Sync on the server {} and keep a copy of its MAILDATA as it is.",
        p.rec.server_scope
    );
    if server_files > 0 {
        let _ = writeln!(
            s,
            "  2. Copy {dir}/server/ over the server's MAILDATA (the same file names; \
             MSTTRANS.GLB, SRVCONF.GLB, the GAL files and the changed USR/INF/TPL lists differ)."
        );
    } else {
        let _ = writeln!(
            s,
            "  2. The repaired server tree was not asked for (--outputs without server): \
             run again with it to get the files to copy back."
        );
    }
    let _ = writeln!(
        s,
        "  3. REBUILD is not needed: GAL.NME, GALINDEX.GLB and GALNETPO.GLB were rebuilt from \
         the merged directory. Run it only after changing lists by hand."
    );
    match (plan.transactions.first(), plan.transactions.last()) {
        (Some(a), Some(b)) => {
            let _ = writeln!(
                s,
                "  4. Restart Dir-Sync: the next cycle sends the {} repair transactions \
                 ({}..{}) to every requestor; nothing needs importing by hand (repair.txt is \
                 the same repair as an IMPORT.EXE file, for review).",
                plan.transactions.len(),
                a.sync,
                b.sync
            );
        }
        _ => {
            let _ = writeln!(
                s,
                "  4. Restart Dir-Sync: there is no repair transaction to send (the numbers \
                 in SRVCONF.GLB are set right)."
            );
        }
    }
    let mut resync: Vec<String> = plan
        .resync_recommended
        .iter()
        .chain(p.lost_master.1.iter())
        .map(|s| s.to_string())
        .collect();
    resync.sort();
    resync.dedup();
    if resync.is_empty() {
        let _ = writeln!(s, "  5. RESYNC.GLB: no requestor needs it.");
    } else {
        let from = if wrote("RESYNC.GLB") {
            format!("copy {dir}/RESYNC.GLB")
        } else {
            "run again with --outputs resync, copy RESYNC.GLB".to_string()
        };
        let _ = writeln!(
            s,
            "  5. RESYNC.GLB: {from} into the GLB folder of {} and run \
             IMPORT -Q there (they missed master transactions).",
            resync.join(", ")
        );
    }
    if !plan.unfilled.is_empty() {
        let list: Vec<String> = plan.unfilled.iter().map(|(s, _)| s.to_string()).collect();
        let _ = writeln!(
            s,
            "  6. Ask {} for a full export (Config, Dir-Sync, Requestor, Export) or its \
             MAILDATA tree: their lost updates could only be counted, not repaired.",
            list.join(", ")
        );
    }
    s
}
