//! The reconcile summary in plain words: per postoffice, what the restored
//! server lost, what the repair will put back, what cannot be known and which
//! evidence would settle it. It comes first in the text report; the numbers
//! (`Reconciliation::to_text`) and the repair lines follow. Text rendering
//! only: everything said here is read from the reconciliation and its plan.

use std::fmt::Write as _;

use super::summary::OutputPlan;
use super::{Modified, PostofficeReport, RepairMode, RepairPlan, Status};

/// What the evidence says about one postoffice, in the order the summary
/// counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// A list showed what the server lost; the repair puts it back.
    Lost,
    /// The requestor's numbers show lost changes, but no list says which.
    Unknowable,
    /// Nothing at all from this postoffice: nobody can tell.
    NoEvidence,
    /// Its list matches the server's: nothing was lost.
    NothingLost,
    /// Numbers only, and they show nothing lost; the list is unverified.
    NoSignOfLoss,
    /// The server's own postoffice, taken as restored.
    ServerOwn,
}

/// The verdict for one postoffice.
pub fn verdict(p: &PostofficeReport) -> Verdict {
    if !p.hole.is_empty() {
        return Verdict::Lost;
    }
    match p.status {
        Status::AsOfBackup => Verdict::ServerOwn,
        Status::Authoritative | Status::Partial => Verdict::NothingLost,
        Status::Unverified => match (p.sync.requestor_reqsync, p.sync.req_gap) {
            (Some(_), Some(g)) if g > 0 => Verdict::Unknowable,
            (Some(_), _) => Verdict::NoSignOfLoss,
            (None, _) => Verdict::NoEvidence,
        },
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "2 entries added, 1 removed and 3 changed" (zero parts left out; the
/// first part says "entry" or "entries").
fn hole_words(adds: usize, dels: usize, mods: usize, verbs: [&str; 3]) -> String {
    let parts: Vec<String> = [adds, dels, mods]
        .iter()
        .zip(verbs)
        .filter(|(n, _)| **n > 0)
        .enumerate()
        .map(|(i, (n, verb))| match (i, *n) {
            (0, 1) => format!("1 entry {verb}"),
            (0, n) => format!("{n} entries {verb}"),
            (_, n) => format!("{n} {verb}"),
        })
        .collect();
    match parts.as_slice() {
        [] => "nothing".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The one-line count of verdicts: "5 lost changes that the repair puts
/// back, 2 may have lost changes nobody can name yet, ...".
pub fn verdict_counts(postoffices: &[PostofficeReport]) -> String {
    let n = |v: Verdict| postoffices.iter().filter(|p| verdict(p) == v).count();
    let mut parts = Vec::new();
    let lost = n(Verdict::Lost);
    if lost > 0 {
        parts.push(format!("{lost} lost changes that the repair puts back"));
    }
    let unknown = n(Verdict::Unknowable);
    if unknown > 0 {
        parts.push(format!(
            "{unknown} lost changes that cannot be named without more evidence"
        ));
    }
    let none = n(Verdict::NoEvidence);
    if none > 0 {
        parts.push(format!(
            "{none} gave no evidence, so whether the server lost any of their changes cannot be known"
        ));
    }
    let nothing = n(Verdict::NothingLost) + n(Verdict::NoSignOfLoss);
    if nothing > 0 {
        parts.push(format!("{nothing} lost nothing"));
    }
    if n(Verdict::ServerOwn) > 0 {
        parts.push("1 is the server's own".into());
    }
    parts.join("; ")
}

/// The evidence that would name a requestor's lost changes.
fn list_evidence(scope: &str) -> String {
    format!(
        "a full export from {scope} (on that postoffice: Config, Dir-Sync, Requestor, \
         Export) or a copy of its MAILDATA folder"
    )
}

fn numbers_evidence() -> &'static str {
    "its REQCONF.GLB, or a [DIRSYNC] export message, which carries its Dir-Sync numbers"
}

/// The lines of one postoffice.
fn postoffice(out: &mut String, p: &PostofficeReport, plan: &RepairPlan) {
    let scope = p.scope.to_string();
    let s = &p.sync;
    let (adds, dels, mods) = (
        p.hole.missing_adds.len(),
        p.hole.missing_deletes.len(),
        p.hole.modified.len(),
    );
    let source = p
        .used_source
        .as_deref()
        .map(|s| format!(" (its list from {s})"))
        .unwrap_or_default();
    let hazard = |code: &str| p.hazards.iter().find(|h| h.code == code).map(|h| h.size);
    let v = verdict(p);
    let head = match v {
        Verdict::Lost => format!(
            "the server lost {} of its changes; the repair puts {} back.",
            adds + dels + mods,
            if adds + dels + mods == 1 {
                "it"
            } else {
                "them"
            }
        ),
        Verdict::Unknowable => format!(
            "the server lost up to {} of its changes; which ones cannot be known yet.",
            s.req_gap.unwrap_or(0)
        ),
        Verdict::NoEvidence => "no evidence was given: whether the server lost any of its \
                                changes cannot be known."
            .into(),
        Verdict::NothingLost => format!("nothing lost: its list matches the server's{source}."),
        Verdict::NoSignOfLoss => "no sign of loss: its Dir-Sync numbers show the server has \
                                  every change it sent (its list was not given)."
            .into(),
        Verdict::ServerOwn => {
            "the server's own postoffice, taken as restored (as of the backup).".into()
        }
    };
    let _ = writeln!(out, "\n{scope}: {head}");
    match v {
        Verdict::Lost => {
            let _ = writeln!(
                out,
                "  Lost: {} there after the backup{source}.",
                hole_words(adds, dels, mods, ["added", "removed", "changed"])
            );
            let how = match plan.mode {
                RepairMode::Delta => {
                    "repair transactions in MSTTRANS.GLB, which Dir-Sync sends \
                                      to every requestor; its list on the server is rebuilt"
                }
                RepairMode::Full => {
                    "its whole list is sent again (R and every entry) in \
                                     MSTTRANS.GLB, and rebuilt on the server"
                }
            };
            let _ = writeln!(
                out,
                "  Repaired: {} ({how}).",
                hole_words(adds, dels, mods, ["added back", "removed", "updated"])
            );
            if let (Some(n), Some(r), Some(srv)) = (
                hazard("lost-updates"),
                s.requestor_reqsync,
                s.server_reqsync,
            ) {
                let _ = writeln!(
                    out,
                    "  Its numbers agree: it has sent its changes up to number {r}, the server \
                     remembers them up to {srv} ({} after the backup; one change can take \
                     several).",
                    count(n as usize, "transaction", "transactions")
                );
            }
            if !p.withheld_deletes.is_empty() {
                let _ = writeln!(
                    out,
                    "  Kept: {} the server has and the list lacks, because the list was read \
                     past damage; a clean copy of the list would settle them.",
                    count(p.withheld_deletes.len(), "entry", "entries")
                );
            }
        }
        Verdict::Unknowable | Verdict::NoSignOfLoss => {
            if let (Some(r), Some(srv)) = (s.requestor_reqsync, s.server_reqsync) {
                let _ = writeln!(
                    out,
                    "  Lost: it has sent its changes up to number {r}; the server remembers \
                     them up to {srv}."
                );
            }
            let form = p
                .source_details
                .iter()
                .map(|d| d.usage.form.as_str())
                .find(|f| !f.is_empty())
                .unwrap_or("numbers");
            let _ = writeln!(
                out,
                "  Repaired: nothing of its list: only its numbers were given ({form}), so the \
                 server's list of it is kept as it is, unverified."
            );
            if v == Verdict::Unknowable {
                let _ = writeln!(out, "  To settle it: {}.", list_evidence(&scope));
            }
        }
        Verdict::NoEvidence => {
            let _ = writeln!(
                out,
                "  Repaired: nothing: the server's list of it is kept as it is, unverified."
            );
            let _ = writeln!(
                out,
                "  To settle it: {}; even its REQCONF.GLB alone would tell whether anything \
                 was lost.",
                list_evidence(&scope)
            );
        }
        Verdict::NothingLost => {}
        Verdict::ServerOwn => {
            let _ = writeln!(
                out,
                "  Cannot be known here: changes made on the server itself after the backup \
                 are gone with it; the requestors' MAILDATA folders hold copies of its list \
                 that would show them."
            );
        }
    }
    // Numbers unknown although a list was given: the master side is open.
    if matches!(v, Verdict::Lost | Verdict::NothingLost) && s.requestor_srvsync.is_none() {
        let _ = writeln!(
            out,
            "  Cannot be known: whether it also missed changes the server sent, as its \
             Dir-Sync numbers were not given. To settle it: {}.",
            numbers_evidence()
        );
    }
    if let Some(n) = hazard("skipped-master") {
        let srv = s.requestor_srvsync.unwrap_or(0);
        let _ = writeln!(
            out,
            "  Also: it had received server changes up to number {srv}, {} past what the \
             restored server knows ({}); the restored server would reuse those numbers and it \
             would never get the changes numbered so. The repair numbers new changes past \
             {srv}{}.",
            count(n as usize, "number", "numbers"),
            s.server_sync,
            if plan.resync_recommended.contains(&p.scope) {
                ", and RESYNC.GLB (IMPORT -Q there) gives it the whole list again"
            } else {
                ""
            }
        );
    }
    if let Some(n) = hazard("rejected-updates") {
        let theirs = s.requestor_reqsync.unwrap_or(0);
        let server = s.server_reqsync.unwrap_or(0);
        let fixed = plan
            .srvconf
            .iter()
            .find(|u| u.scope == p.scope && u.changed && u.reqsync.0 != u.reqsync.1)
            .map(|u| {
                format!(
                    "; the repair sets the server's number for it from {} to {} (SRVCONF.GLB)",
                    u.reqsync.0, u.reqsync.1
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  Also: its own numbering ({theirs}) is behind what the server expects \
             ({server}), e.g. after its REQTRANS.GLB was recreated: the server would refuse \
             its next {} as old{fixed}.",
            count(n as usize, "change", "changes")
        );
    }
}

/// The plain-words part of the text report.
pub fn plain_words(p: &OutputPlan<'_>) -> String {
    let rec = p.rec;
    let mut out = String::new();
    let _ = writeln!(out, "What the restore did, in plain words");
    let _ = writeln!(
        out,
        "The Dir-Sync server {} was restored from a backup: it knows the changes up to \
         its number {} and has forgotten every change the requestors sent it after that \
         backup.",
        rec.server_scope, rec.server_sync
    );
    let _ = writeln!(
        out,
        "Of its {}: {}.",
        count(rec.postoffices.len(), "postoffice", "postoffices"),
        verdict_counts(&rec.postoffices)
    );
    for po in &rec.postoffices {
        postoffice(&mut out, po, p.plan);
    }
    out
}

/// The lines of one modified entry in the details: the entry, then one line
/// per field that changed (`Phone (template): "a" -> "b"`).
pub fn modified_lines(m: &Modified) -> String {
    let mut s = format!("  ~ {}  {}\n", m.merged.address, m.server.full_name);
    let changes = crate::diff::entry_changes(&m.server, &m.merged);
    for c in &changes {
        let side = |v: &Option<String>| match v {
            Some(v) => crate::escape::quoted(v),
            None => "(none)".into(),
        };
        let _ = writeln!(
            s,
            "      {}: {} -> {}",
            crate::diff::field_label(&c.field),
            side(&c.a),
            side(&c.b)
        );
    }
    if changes.is_empty() {
        let _ = writeln!(s, "      ({})", m.changes().join(", "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hole_in_words() {
        let v = ["added", "removed", "changed"];
        assert_eq!(
            hole_words(2, 1, 3, v),
            "2 entries added, 1 removed and 3 changed"
        );
        assert_eq!(hole_words(0, 0, 1, v), "1 entry changed");
        assert_eq!(hole_words(1, 0, 2, v), "1 entry added and 2 changed");
        assert_eq!(hole_words(0, 0, 0, v), "nothing");
    }
}
