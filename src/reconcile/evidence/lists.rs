//! Evidence from an operation list (an export, an extract, an import text):
//! what the list holds ([`OpList`]) and the evidence made of it.

use super::{require_scope, RequestorSource};
use crate::error::Result;
use crate::model::{Directory, Entry, Operation, Scope, TemplateDef};
use crate::reconcile::{identify_scope_of_operations, Evidence, EvidenceKind};
use crate::source::LoadOptions;

/// What an operation list holds, for evidence.
pub(super) struct OpList {
    pub(super) kind: EvidenceKind,
    pub(super) scope: Option<Scope>,
    pub(super) entries: Vec<Entry>,
    pub(super) templates: Vec<TemplateDef>,
    pub(super) replaced: Vec<Scope>,
    pub(super) has_replace: bool,
}

/// Do the `A` lines name PCM addresses of more than one postoffice? Compared
/// by scope key, computed only when an address's type, network and
/// postoffice differ in spelling from the first one's (an export spells its
/// one scope the same way on every line).
fn several_pcm_scopes(ops: &[Operation]) -> bool {
    let mut first: Option<(&str, &str, &str, String)> = None;
    for op in ops {
        let Operation::Add(e) = op else { continue };
        if !e.address.is_pcm() {
            continue;
        }
        let parts = e.address.parts().map(|(n, p, _)| (n, p));
        match (&first, parts) {
            (None, Some((net, po))) => {
                first = Some((&e.address.type_name, net, po, e.scope().key()));
            }
            (Some((t, n, p, _)), Some((net, po)))
                if *t == e.address.type_name && *n == net && *p == po => {}
            (None, None) => {
                first = Some(("", "", "", e.scope().key()));
            }
            (Some((_, _, _, key)), _) => {
                if e.scope().key() != *key {
                    return true;
                }
            }
        }
    }
    false
}

/// Classifies a list of operations: an `R PCM:` export, or an extract when it
/// spans several postoffices without an `R`. Entries in source order for a
/// pure export (R/A/T: duplicates stay visible), else the directory the
/// operations produce in order.
pub(super) fn analyse(ops: Vec<Operation>) -> OpList {
    let has_replace = ops
        .iter()
        .any(|op| matches!(op, Operation::Replace(s) if s.type_name == "PCM"));
    let kind = if !has_replace && several_pcm_scopes(&ops) {
        EvidenceKind::Extract
    } else {
        EvidenceKind::Export
    };
    // An extract (several postoffices, no `R`) cannot say whose it is: the
    // dominant scope would be a guess, so the user must bind it.
    let scope = match kind {
        EvidenceKind::Extract => None,
        _ => identify_scope_of_operations(&ops),
    };
    let mut templates: Vec<TemplateDef> = Vec::new();
    let mut replaced = Vec::new();
    let pure = ops.iter().all(|op| {
        matches!(
            op,
            Operation::Add(_) | Operation::Replace(_) | Operation::Template(_)
        )
    });
    for op in &ops {
        match op {
            Operation::Template(def) => {
                templates.retain(|t| t.scope.key() != def.scope.key());
                templates.push(def.clone());
            }
            Operation::Replace(s) if s.type_name != "PCM" => replaced.push(s.clone()),
            _ => {}
        }
    }
    let entries = if pure {
        // Sized exactly: collecting in place would keep the operations'
        // allocation, twice the entries' size and more.
        let adds = ops
            .iter()
            .filter(|op| matches!(op, Operation::Add(_)))
            .count();
        let mut entries = Vec::with_capacity(adds);
        entries.extend(ops.into_iter().filter_map(|op| match op {
            Operation::Add(e) => Some(e),
            _ => None,
        }));
        entries
    } else {
        let mut dir = Directory::new();
        for op in ops {
            dir.apply(op);
        }
        dir.iter().cloned().collect()
    };
    OpList {
        kind,
        scope,
        entries,
        templates,
        replaced,
        has_replace,
    }
}

/// Evidence from an analysed operation list.
pub(super) fn list_evidence(src: &RequestorSource, list: OpList, form: String) -> Result<Evidence> {
    let scope = require_scope(src, list.scope)?;
    let mut ev = Evidence::list(
        src.path.display().to_string(),
        list.kind,
        Some(scope),
        list.entries,
    );
    // Import text and transaction text have no group marker.
    ev.kinds_known = false;
    ev.templates = list.templates;
    ev.replaced_scopes = list.replaced;
    ev.declares_list = list.has_replace;
    ev.usage.form = form;
    Ok(ev)
}

pub(super) fn import_text_evidence(
    src: &RequestorSource,
    options: &LoadOptions,
) -> Result<Evidence> {
    let ops = crate::importtext::read_path(&src.path, options.encoding)?;
    let n = ops.len();
    let list = analyse(ops);
    let form = match (list.kind, list.has_replace) {
        (EvidenceKind::Extract, _) => {
            "IMPORT -X extract (import text, several postoffices)".to_string()
        }
        (_, true) => "requestor export (import text with R PCM:NET/PO)".to_string(),
        _ => format!("import text ({n} operations, no R line)"),
    };
    let mut ev = list_evidence(src, list, form)?;
    ev.usage
        .not_taken
        .push("numbers: import text carries no Dir-Sync numbers".into());
    Ok(ev)
}
