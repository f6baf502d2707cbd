//! The reconcile report: JSON with the field names of cli-and-outputs.md, and a
//! text summary for people (one table line per postoffice, then details).

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::model::Entry;

use super::{PostofficeReport, Reconciliation, Status};

/// A file the reconcile command wrote, for the report's `written` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// The path as written.
    pub path: String,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
}

fn entry_json(e: &Entry) -> Value {
    json!({
        "address": e.address.to_string(),
        "full_name": e.full_name,
        "kind": e.kind.as_str(),
    })
}

fn opt(n: Option<u32>) -> Value {
    n.map_or(Value::Null, Value::from)
}

fn postoffice_json(p: &PostofficeReport) -> Value {
    let s = &p.sync;
    json!({
        "scope": p.scope.to_string(),
        "evidence": p.evidence,
        "authoritative": matches!(p.status, Status::Authoritative | Status::Partial),
        "status": p.status.code(),
        "sources": p.sources,
        "used_source": p.used_source,
        "superseded": p.superseded,
        "server_record": p.server_record,
        "server_entries": p.server_entries,
        "merged_entries": p.merged_entries,
        "gateway_kept_from_server": p.gateway_kept_from_server,
        "missing_adds": p.hole.missing_adds.iter().map(entry_json).collect::<Vec<_>>(),
        "missing_deletes": p.hole.missing_deletes.iter().map(entry_json).collect::<Vec<_>>(),
        "modified": p.hole.modified.iter().map(|m| json!({
            "address": m.merged.address.to_string(),
            "server_full_name": m.server.full_name,
            "full_name": m.merged.full_name,
            "changes": m.changes(),
        })).collect::<Vec<_>>(),
        "sync": {
            "server_reqsync": opt(s.server_reqsync),
            "requestor_reqsync": opt(s.requestor_reqsync),
            "req_gap": opt(s.req_gap),
            "requestor_srvsync": opt(s.requestor_srvsync),
            "server_sync": s.server_sync,
            "srv_overshoot": opt(s.srv_overshoot),
            "server_srvsync": opt(s.server_srvsync),
            "server_impsync": opt(s.server_impsync),
            "requestor_impsync": opt(s.requestor_impsync),
            "pending": s.pending,
            "pending_rejected": s.pending_rejected,
        },
        "hazards": p.hazards.iter().map(|h| h.code).collect::<Vec<_>>(),
        "hazard_sizes": p.hazards.iter().map(|h| json!({"code": h.code, "size": h.size})).collect::<Vec<_>>(),
        "duplicates": p.duplicates.iter().map(|d| json!({
            "source": d.source,
            "address": d.kept.address.to_string(),
            "kept_full_name": d.kept.full_name,
            "dropped_full_name": d.dropped.full_name,
        })).collect::<Vec<_>>(),
        "limits": p.limits.iter().map(|l| json!({
            "address": l.address,
            "field": l.field,
            "problem": l.problem,
            "length": l.length,
            "limit": l.limit,
        })).collect::<Vec<_>>(),
        "forensic": p.forensic.iter().map(|f| json!({
            "source": f.source,
            "entries": f.entries,
            "adds": f.differs.0,
            "deletes": f.differs.1,
            "modified": f.differs.2,
        })).collect::<Vec<_>>(),
        "notes": p.notes,
        "source_details": p.source_details.iter().map(|d| json!({
            "source": d.source,
            "form": d.usage.form,
            "taken": d.usage.taken,
            "not_taken": d.usage.not_taken,
            "warnings": d.usage.warnings,
        })).collect::<Vec<_>>(),
        "withheld_deletes": p.withheld_deletes.iter().map(entry_json).collect::<Vec<_>>(),
        "templates": p.templates.iter().map(|t| json!({
            "scope": t.scope.to_string(),
            "source": t.source,
            "fields": t.fields.len(),
            "added": t.added,
            "widened": t.widened.iter().map(|(p, a, b)| json!({"prompt": p, "from": a, "to": b})).collect::<Vec<_>>(),
            "differs_from_server": t.differs_from_server,
        })).collect::<Vec<_>>(),
    })
}

impl Reconciliation {
    /// The JSON report: `postoffices`, `totals`, `written`, plus `server`.
    pub fn to_json(&self, written: &[WrittenFile]) -> Value {
        let t =
            |f: fn(&PostofficeReport) -> usize| -> usize { self.postoffices.iter().map(f).sum() };
        json!({
            "server": {
                "scope": self.server_scope.to_string(),
                "sync": self.server_sync,
            },
            "postoffices": self.postoffices.iter().map(postoffice_json).collect::<Vec<_>>(),
            "totals": {
                "postoffices": self.postoffices.len(),
                "with_hole": self.postoffices.iter().filter(|p| !p.hole.is_empty()).count(),
                "unverified": self.postoffices.iter().filter(|p| p.status == Status::Unverified).count(),
                "partial": self.postoffices.iter().filter(|p| p.status == Status::Partial).count(),
                "withheld_deletes": t(|p| p.withheld_deletes.len()),
                "missing_adds": t(|p| p.hole.missing_adds.len()),
                "missing_deletes": t(|p| p.hole.missing_deletes.len()),
                "modified": t(|p| p.hole.modified.len()),
                "server_entries": t(|p| p.server_entries),
                "merged_entries": t(|p| p.merged_entries),
                "hazards": t(|p| p.hazards.len()),
                "duplicates": t(|p| p.duplicates.len()),
                "limits": t(|p| p.limits.len()),
                "cross_postoffice_duplicates": self.cross_duplicates.len(),
            },
            "cross_postoffice_duplicates": self.cross_duplicates.iter().map(|(k, a, b)| json!({
                "address": k.0, "first": a, "second": b,
            })).collect::<Vec<_>>(),
            "written": written.iter().map(|w| json!({"path": w.path, "sha256": w.sha256})).collect::<Vec<_>>(),
            "warnings": self.warnings,
            "local_only": self.local_only.len(),
        })
    }

    /// The text report: a table (scope, evidence, status, adds/deletes/
    /// modified, hazards with sizes), then each postoffice with a hole,
    /// hazards, duplicates, limit problems or notes in detail.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let unknown = self
            .postoffices
            .iter()
            .filter(|p| {
                matches!(
                    super::plain::verdict(p),
                    super::plain::Verdict::Unknowable | super::plain::Verdict::NoEvidence
                )
            })
            .count();
        let _ = writeln!(
            out,
            "Dir-Sync server {} (Sync {}): {} postoffices, {} with a hole, {} whose hole \
             cannot be known",
            self.server_scope,
            self.server_sync,
            self.postoffices.len(),
            self.postoffices
                .iter()
                .filter(|p| !p.hole.is_empty())
                .count(),
            unknown
        );
        let width = self
            .postoffices
            .iter()
            .map(|p| p.scope.to_string().chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(
            out,
            "{:<width$}  {:<8} {:<13} {:>6} {:>6} {:>6}  hazards",
            "scope", "evidence", "status", "adds", "dels", "mods"
        );
        for p in &self.postoffices {
            let hz: Vec<String> = p
                .hazards
                .iter()
                .map(|h| format!("{}({})", h.code, h.size))
                .collect();
            let _ = writeln!(
                out,
                "{:<width$}  {:<8} {:<13} {:>6} {:>6} {:>6}  {}",
                p.scope.to_string(),
                p.evidence,
                p.status.code(),
                p.hole.missing_adds.len(),
                p.hole.missing_deletes.len(),
                p.hole.modified.len(),
                if hz.is_empty() {
                    "-".to_string()
                } else {
                    hz.join(" ")
                }
            );
        }
        for p in &self.postoffices {
            let interesting = !p.hole.is_empty()
                || !p.hazards.is_empty()
                || !p.duplicates.is_empty()
                || !p.limits.is_empty()
                || !p.notes.is_empty()
                || !p.source_details.is_empty();
            if !interesting {
                continue;
            }
            let _ = writeln!(out, "\n{} ({}, {})", p.scope, p.evidence, p.status.code());
            if let Some(s) = &p.used_source {
                let _ = writeln!(out, "  list from {s}");
            }
            for d in &p.source_details {
                let form = if d.usage.form.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", d.usage.form)
                };
                let _ = writeln!(out, "  source {}{form}", d.source);
                for t in &d.usage.taken {
                    let _ = writeln!(out, "    taken: {t}");
                }
                for t in &d.usage.not_taken {
                    let _ = writeln!(out, "    not taken: {t}");
                }
                for w in &d.usage.warnings {
                    let _ = writeln!(out, "    warning: {w}");
                }
            }
            let s = &p.sync;
            let num = |n: Option<u32>| n.map_or("?".to_string(), |v| v.to_string());
            let _ = writeln!(
                out,
                "  numbers: ReqSync server {} requestor {}; SrvSync requestor {} vs Sync {}",
                num(s.server_reqsync),
                num(s.requestor_reqsync),
                num(s.requestor_srvsync),
                s.server_sync
            );
            for h in &p.hazards {
                let _ = writeln!(out, "  hazard {}: up to {} transactions", h.code, h.size);
            }
            for e in &p.hole.missing_adds {
                let _ = writeln!(out, "  + {}  {}", e.address, e.full_name);
            }
            for e in &p.hole.missing_deletes {
                let _ = writeln!(out, "  - {}  {}", e.address, e.full_name);
            }
            for m in &p.hole.modified {
                out.push_str(&super::plain::modified_lines(m));
            }
            for e in &p.withheld_deletes {
                let _ = writeln!(
                    out,
                    "  = {}  {} (kept: the list was read past damage)",
                    e.address, e.full_name
                );
            }
            for d in &p.duplicates {
                let _ = writeln!(
                    out,
                    "  duplicate {} in {}: {} kept, {} dropped",
                    d.kept.address,
                    d.source,
                    crate::escape::quoted(&d.kept.full_name),
                    crate::escape::quoted(&d.dropped.full_name)
                );
            }
            for l in &p.limits {
                let _ = writeln!(out, "  limit {}: {}", l.address, l.reason());
            }
            for n in &p.notes {
                let _ = writeln!(out, "  note: {n}");
            }
        }
        out
    }
}
