//! The checks of a whole MAILDATA tree: each file identified and checked on
//! its own, the files a tree needs, then the references between files
//! ([`super::tree_refs`]) and, when nothing else is an error, the strict reader.

use std::collections::HashMap;
use std::path::Path;

use super::files::{self, Parsed};
use super::tree_refs;
use super::{FileInfo, Finding, InputReport, Severity};
use crate::tree::validate::{self, TreeFinding};
use crate::tree::U32F;

pub(super) const NME_SIZE: usize = crate::tree::lists::nme_layout::SIZE;
pub(super) const NETPO_HEADER: usize = crate::tree::lists::netpo_layout::HEADER;
pub(super) const NETPO_SIZE: usize = crate::tree::lists::netpo_layout::SIZE;
pub(super) const ACCESS2_SIZE: usize = crate::tree::users::access2_layout::SIZE;
pub(super) const GROUP_HEADER: usize = crate::tree::groups::group_layout::HEADER;
pub(super) const GROUP_SIZE: usize = crate::tree::groups::group_layout::SIZE;

/// NME fields (profile v1 layout from `tree::lists`).
pub(super) fn nme(rec: &[u8]) -> (u8, String, u32, u16, u32) {
    use crate::tree::lists::nme_layout as l;
    (
        l::STATUS.get(rec),
        l::FULL_NAME.get(rec),
        l::TID.get(rec),
        l::KIND.get(rec),
        l::POINTER.get(rec),
    )
}

pub(super) struct Tree<'a> {
    pub(super) files: std::collections::BTreeMap<String, std::path::PathBuf>,
    pub(super) root: &'a Path,
    pub(super) findings: Vec<Finding>,
}

impl Tree<'_> {
    pub(super) fn shown(&self, rel: &str) -> String {
        self.files
            .get(rel)
            .unwrap_or(&self.root.join(rel))
            .display()
            .to_string()
    }
    pub(super) fn read(&mut self, rel: &str) -> Option<Vec<u8>> {
        let p = self.files.get(rel)?;
        match crate::input::read_input(p) {
            Ok(b) => Some(b),
            Err(e) => {
                self.findings.push(Finding::from_error("unreadable", &e));
                None
            }
        }
    }
    pub(super) fn push(
        &mut self,
        code: &'static str,
        rel: &str,
        rec: Option<u64>,
        off: Option<u64>,
        msg: String,
    ) {
        let f = self.shown(rel);
        self.findings.push(Finding::new(code, f, rec, off, msg));
    }
    /// A finding of the tree validator.
    pub(super) fn found(&mut self, f: &TreeFinding) {
        self.findings.push(Finding::from_tree(f));
    }
}

/// Inspects a whole MAILDATA tree.
pub fn inspect_tree(root: &Path) -> (InputReport, Vec<Finding>) {
    let mut t = Tree {
        files: super::list_tree(root),
        root,
        findings: Vec::new(),
    };
    // Per-file identification and checks.
    let mut infos: Vec<FileInfo> = Vec::new();
    let mut parsed: HashMap<String, Parsed> = HashMap::new();
    let rels: Vec<String> = t.files.keys().cloned().collect();
    for rel in &rels {
        if rel == "GLB/ACCESS.GLB" || rel == "GLB/ACCESS3.GLB" {
            // Never read: measured only.
            let len = t
                .files
                .get(rel)
                .and_then(|p| std::fs::metadata(p).ok())
                .map_or(0, |m| m.len());
            let shown = t.shown(rel);
            let size = if rel == "GLB/ACCESS.GLB" { 586 } else { 512 };
            files::check_size(
                &shown,
                len,
                crate::tree::misc::SizeRule::MultipleOf(size),
                &mut t.findings,
            );
            infos.push(FileInfo {
                file: shown,
                kind: if size == 586 { "access" } else { "access3" }.into(),
                description: format!(
                    "{} (never read), {} records by size",
                    rel.trim_start_matches("GLB/"),
                    len / size
                ),
            });
            continue;
        }
        let shown = t.shown(rel);
        // Mailbags, keys, INF data and size-only files: measured, not read
        // (MBG files hold the mail and can be large).
        let measured = match files::size_rule(rel) {
            Some((kind @ ("size-only" | "key" | "mbg"), words, rule)) => {
                Some((kind, words, Some(rule)))
            }
            _ if rel.ends_with(".INF") => Some(("inf", "INF template data", None)),
            _ => None,
        };
        if let Some((kind, words, rule)) = measured {
            let len = t
                .files
                .get(rel)
                .and_then(|p| std::fs::metadata(p).ok())
                .map_or(0, |m| m.len());
            if let Some(rule) = rule {
                files::check_size(&shown, len, rule, &mut t.findings);
            }
            infos.push(FileInfo {
                file: shown,
                kind: kind.into(),
                description: format!("{words}, {len} bytes"),
            });
            continue;
        }
        let Some(bytes) = t.read(rel) else { continue };
        let (info, p) = files::check_named(&shown, rel, &bytes, &mut t.findings);
        if info.kind == "unknown" {
            t.findings.push(Finding::new(
                "unknown-file",
                shown.clone(),
                None,
                None,
                "not checked",
            ));
        }
        infos.push(info);
        if let Some(p) = p {
            parsed.insert(rel.clone(), p);
        }
    }
    for rel in validate::REQUIRED_FILES {
        if !t.files.contains_key(rel) {
            let shown = t.shown(rel);
            t.found(&validate::missing_required(&shown));
        }
    }
    for rel in ["GLB/ACCESS.GLB", "GLB/ACCESS3.GLB", "NME/ADMINSHD.NME"] {
        if !t.files.contains_key(rel) {
            t.push(
                "missing-file",
                rel,
                None,
                None,
                "missing (its partner file is present)".into(),
            );
        }
    }
    for (name, _) in crate::tree::misc::SIZE_ONLY_GLB
        .iter()
        .chain([("TID.GLB", crate::tree::misc::SizeRule::Exact(4))].iter())
    {
        let rel = format!("GLB/{name}");
        if !t.files.contains_key(&rel) {
            t.push("missing-optional", &rel, None, None, "missing".into());
        }
    }

    let locals = tree_refs::local_users_and_groups(&mut t);
    let galnetpo = tree_refs::pol_and_group_chains(&mut t, &locals);
    tree_refs::gal(&mut t, &locals, galnetpo.as_deref());
    tree_refs::networks(&mut t);
    tree_refs::key_mbg_pairs(&mut t);
    tree_refs::dirsync(&mut t, &parsed);

    // Safety net: a tree with no error finding must also load with the strict
    // reader the other commands use (INF record numbers, MEM files, TPL text...).
    if !t.findings.iter().any(|f| f.severity == Severity::Error) {
        let strict = crate::source::LoadOptions::default();
        match crate::tree::PostOffice::open(root, &strict) {
            Err(e) => t.findings.push(Finding::from_error("load-error", &e)),
            Ok(po) => {
                for f in po.findings {
                    t.findings.push(Finding::new(
                        "reader-finding",
                        root.display().to_string(),
                        None,
                        None,
                        f,
                    ));
                }
            }
        }
    }
    let description = match t.read("GLB/MASTER.GLB") {
        Some(b) if b.len() == 176 => {
            let m = crate::tree::identity::MasterGlb::decode(&b);
            format!(
                "MAILDATA tree of postoffice {}/{}: {} local users, {} groups, {} files",
                m.network,
                m.postoffice,
                locals.user_rows.len(),
                locals.group_tids.len(),
                infos.len()
            )
        }
        _ => format!(
            "MAILDATA tree (no readable MASTER.GLB), {} files",
            infos.len()
        ),
    };
    (
        InputReport {
            path: root.display().to_string(),
            kind: "tree".into(),
            description,
            files: infos,
        },
        t.findings,
    )
}

/// A `u32` count header must equal the records that follow.
pub(super) fn check_count(t: &mut Tree<'_>, rel: &str, bytes: &[u8], header: usize, size: usize) {
    if bytes.len() < header {
        return;
    }
    let count = U32F(0).get(bytes) as usize;
    let n = (bytes.len() - header) / size;
    if count != n {
        t.push(
            "count-mismatch",
            rel,
            None,
            Some(0),
            format!("header counts {count} records, file holds {n}"),
        );
    }
}

/// A shadow must equal its master byte for byte.
pub(super) fn shadow(
    t: &mut Tree<'_>,
    master: &str,
    mname: &'static str,
    shadow_rel: &str,
    size: usize,
) {
    let (Some(m), Some(s)) = (t.read(master), t.read(shadow_rel)) else {
        return;
    };
    if let Some(f) = validate::shadow(&t.shown(shadow_rel), mname, &m, &s, size) {
        t.found(&f);
    }
}
