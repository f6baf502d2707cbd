//! Evidence from a requestor's live MAILDATA tree.

use super::glb::{describe_pending, read_queue, read_reqconf};
use super::{require_scope, routes_to, RequestorSource};
use crate::error::Result;
use crate::model::{Entry, TemplateDef};
use crate::reconcile::{Evidence, EvidenceKind};
use crate::source::LoadOptions;
use crate::tree::PostOffice;

/// A requestor's live MAILDATA tree: its derived POL (local users not
/// excluded from Dir-Sync, its groups), its own 10/10/10 gateway node lists
/// (XTN route naming this postoffice), its templates, and REQCONF/REQTRANS.
pub(super) fn tree_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
    let po = PostOffice::open(&src.path, options)?;
    let data = &po.data;
    let own = data.scope();
    let scope = require_scope(src, Some(own.clone()))?;
    let pol = po.pol();
    let mut entries: Vec<Entry> = pol
        .sorted()
        .into_iter()
        .filter(|e| !e.address.is_pcm() || e.scope().key() == scope.key())
        .cloned()
        .collect();
    let mut templates = Vec::new();
    if !data.local_template.is_empty() {
        templates.push(TemplateDef {
            scope: scope.clone(),
            fields: data.local_template.clone(),
        });
    }
    let mut gateway_lists = 0;
    for (gscope, x) in po.external_postoffices() {
        if gscope.type_name == "PCM" || !routes_to(&x.route, data) {
            continue;
        }
        let Some((net, _)) = gscope.body.split_once('/') else {
            continue;
        };
        let Some(list) = po.usr_list(net, &x.name) else {
            continue;
        };
        gateway_lists += 1;
        entries.extend(list.sorted().into_iter().cloned());
        if !x.template.is_empty() {
            templates.push(TemplateDef {
                scope: gscope.clone(),
                fields: x.template.clone(),
            });
        }
    }
    let paths = po.dirsync_files();
    let numbers = match &paths.reqconf {
        Some(p) => Some(read_reqconf(p)?),
        None => None,
    };
    let reqsync = numbers.as_ref().map(|(n, _)| n.reqsync);
    let queue = match &paths.reqtrans {
        Some(p) => Some(read_queue(p, reqsync, options)?),
        None => None,
    };
    let mut ev = Evidence::list(
        src.path.display().to_string(),
        EvidenceKind::Tree,
        Some(scope),
        entries,
    );
    ev.templates = templates;
    ev.usage.form = format!(
        "MAILDATA tree of {own} (its POL{})",
        if gateway_lists > 0 {
            format!(" and {gateway_lists} gateway node list(s) it hosts")
        } else {
            String::new()
        }
    );
    ev.damaged = po.warnings.iter().any(|w| w.starts_with("skipped"));
    ev.usage.warnings.extend(
        po.warnings
            .iter()
            .map(|w| format!("{}: {w}", src.path.display())),
    );
    ev.usage.warnings.extend(
        po.findings
            .iter()
            .map(|f| format!("{}: finding: {f}", src.path.display())),
    );
    let excluded = data.users.iter().filter(|u| u.excluded).count();
    if excluded > 0 {
        ev.usage.not_taken.push(format!(
            "{excluded} local user(s) excluded from Dir-Sync: not part of the list the server keeps"
        ));
    }
    match numbers {
        Some((mut n, as_of)) => {
            if let Some(q) = &queue {
                n.pending = q.pending.clone();
            }
            ev.numbers = Some(n);
            ev.as_of = as_of;
        }
        None => ev
            .usage
            .not_taken
            .push("numbers: the tree has no GLB/REQCONF.GLB".into()),
    }
    if let Some(q) = &queue {
        if let Some(p) = describe_pending(&q.pending, reqsync) {
            ev.usage.taken.push(p);
        }
        if q.export.is_some() {
            ev.usage.not_taken.push(
                "REQTRANS.GLB's queued export: the tree's own list is used (it is current)".into(),
            );
        }
        ev.usage.warnings.extend(q.skipped.iter().cloned());
        ev.damaged |= !q.skipped.is_empty();
    }
    Ok(ev)
}
