//! Requestor evidence from files: every form a requestor's list or numbers
//! can take, recognised by content (`source::open`), each used for what it
//! holds — a list (export, extract, queued export, live tree), numbers
//! (REQCONF.GLB, a message's REQSEQ/SRVSEQ), pending transactions
//! (REQTRANS.GLB) — and described for the report ([`SourceUsage`](super::SourceUsage)).

use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};
use crate::model::Scope;
use crate::source::{open, resolve, LoadOptions, RequestorGlbFiles, SourceKind};

use super::Evidence;

mod glb;
mod lists;
#[cfg(test)]
mod tests;
mod tree;

use glb::{describe_numbers, glb_evidence, message_evidence};
use lists::import_text_evidence;
use tree::tree_evidence;

/// One `--requestor` argument: a path, optionally bound to a postoffice
/// (`NET/PO=PATH`) when its content cannot tell which postoffice it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestorSource {
    /// The file or folder.
    pub path: PathBuf,
    /// The postoffice named on the command line, if any.
    pub bound: Option<Scope>,
}

impl RequestorSource {
    /// Parses `PATH` or `NET/PO=PATH` (also `PCM:NET/PO=PATH`). A path that
    /// exists as given is never split, so file names with `=` still work.
    pub fn parse(arg: &str) -> Result<RequestorSource> {
        if Path::new(arg).exists() {
            return Ok(RequestorSource {
                path: PathBuf::from(arg),
                bound: None,
            });
        }
        match arg.split_once('=') {
            Some((po, path)) if po.contains('/') => {
                let text = if po.contains(':') {
                    po.to_string()
                } else {
                    format!("PCM:{po}")
                };
                let scope = Scope::parse(&text)
                    .ok()
                    .filter(|s| {
                        s.network_postoffice().is_some_and(|(n, p)| {
                            !n.is_empty() && !p.is_empty() && !p.contains('/')
                        })
                    })
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "--requestor {arg:?}: {po:?} is not NET/PO (expected NET/PO=PATH)"
                        ))
                    })?;
                Ok(RequestorSource {
                    path: PathBuf::from(path),
                    bound: Some(scope),
                })
            }
            _ => Ok(RequestorSource {
                path: PathBuf::from(arg),
                bound: None,
            }),
        }
    }
}

/// Drops a plain source that is also given bound (`NET/PO=PATH`): the binding
/// wins, so `--requestor dir/* --requestor NET/PO=dir/x` binds `x` without a
/// second, unbound copy. Compares canonical paths (after [`resolve`]); keeps
/// argument order.
pub fn prefer_bound(sources: Vec<RequestorSource>) -> Vec<RequestorSource> {
    let canon = |p: &Path| {
        let r = resolve(p);
        std::fs::canonicalize(&r).unwrap_or(r)
    };
    let bound: std::collections::HashSet<PathBuf> = sources
        .iter()
        .filter(|s| s.bound.is_some())
        .map(|s| canon(&s.path))
        .collect();
    sources
        .into_iter()
        .filter(|s| s.bound.is_some() || !bound.contains(&canon(&s.path)))
        .collect()
}

/// A folder that is neither a MAILDATA tree nor a GLB folder but holds
/// exactly one file stands for that file (see [`crate::source::resolve`]).
pub fn single_file_folder(mut src: RequestorSource) -> RequestorSource {
    src.path = resolve(&src.path);
    src
}

/// Reads one requestor's evidence, recognising the source by its content.
pub fn load_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
    let opened = open(&src.path)?;
    let head = opened.head;
    let src = &RequestorSource {
        path: opened.path,
        bound: src.bound.clone(),
    };
    let path = &src.path;
    let mut ev = match opened.kind {
        SourceKind::Tree => tree_evidence(src, options)?,
        SourceKind::RequestorGlb => {
            let files = RequestorGlbFiles::find(path);
            glb_evidence(src, files, options)?
        }
        SourceKind::ImportText => import_text_evidence(src, options)?,
        SourceKind::DirSyncTransactions => glb_evidence(
            src,
            RequestorGlbFiles {
                reqconf: None,
                reqtrans: Some(path.clone()),
            },
            options,
        )?,
        SourceKind::DirSyncMessage => message_evidence(src, options)?,
        SourceKind::ReqConf => glb_evidence(
            src,
            RequestorGlbFiles {
                reqconf: Some(path.clone()),
                reqtrans: None,
            },
            options,
        )?,
        other => {
            return Err(Error::input(
                path.display().to_string(),
                Location::File,
                format!(
                    "a {} file is not requestor evidence: give an export (import text, \
                     transaction file, [DIRSYNC] message), a MAILDATA tree, or a folder with \
                     REQCONF.GLB/REQTRANS.GLB",
                    crate::diff::kind_name(other)
                ),
            ))
        }
    };
    // On the head recognition read (a folder's is empty: no warning, as
    // before, when its head could not be read).
    if let Some(w) = crate::source::utf8_as_cp850_warning_in(path, &head, options.encoding) {
        ev.usage.warnings.push(w);
    }
    ev.bound = src.bound.is_some();
    Ok(ev)
}

/// Scope from the content, else the bound one; an error names the source when neither.
pub(super) fn require_scope(src: &RequestorSource, found: Option<Scope>) -> Result<Scope> {
    match (found, &src.bound) {
        (_, Some(b)) => Ok(b.clone()),
        (Some(s), None) => Ok(s),
        (None, None) => Err(Error::input(
            src.path.display().to_string(),
            Location::File,
            "cannot tell which postoffice this evidence belongs to; \
             bind it with --requestor NET/PO=PATH",
        )),
    }
}

/// Does an XTN route name this postoffice (`PO` or `NET/PO`, any case)?
pub fn routes_to(route: &str, data: &crate::tree::PostOfficeData) -> bool {
    let r = crate::codepage::cp850_upper(route.trim());
    let po = crate::codepage::cp850_upper(&data.postoffice);
    let netpo = format!("{}/{po}", crate::codepage::cp850_upper(&data.network));
    r == po || r == netpo
}

/// Adds the engine-independent "taken" line for a list source.
pub fn describe_numbers_taken(ev: &Evidence) -> Option<String> {
    ev.numbers.as_ref().map(describe_numbers)
}
