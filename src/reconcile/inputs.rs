//! Adapters from files to the engine's inputs: requestor evidence recognised by
//! content (import text, transaction stream, `[DIRSYNC]` message, live tree,
//! a folder of GLB files) and the server snapshot read from a MAILDATA tree.

use std::path::{Path, PathBuf};

use crate::dirsync::conf::ReqConf;
use crate::dirsync::trans::{read_stream, TransStream};
use crate::error::{Error, Location, Result};
use crate::model::{Entry, Operation, Scope};
use crate::source::{detect, LoadOptions, SourceKind};
use crate::tree::{find_case_insensitive, PostOffice};

use super::{
    identify_scope_of_operations, Evidence, EvidenceKind, MasterTransaction, RequestorNumbers,
    ServerRequestorRecord, ServerSnapshot,
};

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
/// second, unbound copy. Compares canonical paths; keeps argument order.
pub fn prefer_bound(sources: Vec<RequestorSource>) -> Vec<RequestorSource> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
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

/// A requestor's MAILDATA tree (MASTER.GLB directly or under `GLB/`).
fn is_tree(dir: &Path) -> bool {
    find_case_insensitive(dir, "GLB/MASTER.GLB").is_some()
        || find_case_insensitive(dir, "MASTER.GLB").is_some()
}

/// A folder that is neither a MAILDATA tree nor a GLB folder (no MASTER.GLB,
/// no REQCONF.GLB, directly or under `GLB/`) but holds exactly one file stands
/// for that file: `requestors/SEATTLE/` with only `EXPORT.TXT` in it.
pub fn single_file_folder(mut src: RequestorSource) -> RequestorSource {
    let p = &src.path;
    if !p.is_dir() || is_tree(p) || glb_files(p).0.is_some() {
        return src;
    }
    let Ok(rd) = std::fs::read_dir(p) else {
        return src;
    };
    let entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    if let [only] = entries.as_slice() {
        if only.is_file() {
            src.path = only.clone();
        }
    }
    src
}

/// Reads one requestor's evidence, recognising the source by its content.
pub fn load_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
    let path = &src.path;
    let name = path.display().to_string();
    if path.is_dir() {
        if is_tree(path) {
            return tree_evidence(src, options);
        }
        return numbers_evidence(src, options);
    }
    match detect(path)? {
        SourceKind::ImportText => import_text_evidence(src, options),
        SourceKind::DirSyncTransactions => stream_evidence(src, options),
        SourceKind::DirSyncMessage => message_evidence(src, options),
        SourceKind::ReqConf => numbers_evidence(src, options),
        other => Err(Error::input(
            name,
            Location::File,
            format!(
                "a {other:?} file is not requestor evidence: give an export (import text, \
                 transaction file, [DIRSYNC] message), a MAILDATA tree, or a folder with \
                 REQCONF.GLB/REQTRANS.GLB"
            ),
        )),
    }
}

/// Scope from the content, else the bound one; an error names the source when neither.
fn require_scope(src: &RequestorSource, found: Option<Scope>) -> Result<Scope> {
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

/// Entries of an operation list that is a pure export (R/A/T only), in order;
/// `None` when it holds D or M operations.
fn export_entries(ops: &[Operation]) -> Option<Vec<Entry>> {
    let mut out = Vec::new();
    for op in ops {
        match op {
            Operation::Add(e) => out.push(e.clone()),
            Operation::Replace(_) | Operation::Template(_) => {}
            Operation::Delete(_) | Operation::Modify { .. } => return None,
        }
    }
    Some(out)
}

/// Classifies a list of operations: an `R PCM:` export, or an extract when it
/// spans several postoffices without an `R`.
fn list_kind(ops: &[Operation]) -> EvidenceKind {
    let has_replace = ops
        .iter()
        .any(|op| matches!(op, Operation::Replace(s) if s.type_name == "PCM"));
    if has_replace {
        return EvidenceKind::Export;
    }
    let mut scopes = std::collections::BTreeSet::new();
    for op in ops {
        if let Operation::Add(e) = op {
            if e.address.is_pcm() {
                scopes.insert(e.scope().key());
            }
        }
    }
    if scopes.len() > 1 {
        EvidenceKind::Extract
    } else {
        EvidenceKind::Export
    }
}

/// Evidence from operations: entries in source order when the list is a pure
/// export, else the directory the operations produce.
fn evidence_from_operations(
    src: &RequestorSource,
    ops: Vec<Operation>,
    numbers: Option<RequestorNumbers>,
) -> Result<Evidence> {
    let kind = list_kind(&ops);
    // An extract (several postoffices, no `R`) cannot say whose it is: the
    // dominant scope would be a guess, so the user must bind it.
    let found = match kind {
        EvidenceKind::Extract => None,
        _ => identify_scope_of_operations(&ops),
    };
    let scope = require_scope(src, found)?;
    let entries = match export_entries(&ops) {
        Some(e) => e,
        None => {
            let mut dir = crate::model::Directory::new();
            for op in ops {
                dir.apply(op);
            }
            dir.iter().cloned().collect()
        }
    };
    let mut ev = Evidence::list(src.path.display().to_string(), kind, Some(scope), entries);
    ev.numbers = numbers;
    // Import text and transaction text have no group marker.
    ev.kinds_known = false;
    Ok(ev)
}

fn import_text_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
    let ops = crate::importtext::read_path(&src.path, options.encoding)?;
    evidence_from_operations(src, ops, None)
}

fn read_trans(path: &Path, options: &LoadOptions) -> Result<TransStream> {
    let bytes = crate::output::read_input(path)?;
    read_stream(&bytes, &path.display().to_string(), options.salvage)
}

/// `NET/PO` of the first record with an origin.
fn stream_origin(stream: &TransStream) -> Option<Scope> {
    stream.records.iter().find_map(|r| {
        let text = crate::codepage::decode_cp850(r.origin.text_bytes()).into_owned();
        let (net, po) = text.split_once('/')?;
        (!net.is_empty() && !po.is_empty()).then(|| Scope::postoffice(net, po))
    })
}

fn stream_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
    let stream = read_trans(&src.path, options)?;
    let file = src.path.display().to_string();
    let mut records: Vec<_> = stream.records.iter().collect();
    records.sort_by_key(|r| r.sync);
    let mut ops = Vec::new();
    for r in &records {
        ops.extend(r.to_operations(&file)?);
    }
    let is_export = ops
        .iter()
        .any(|op| matches!(op, Operation::Replace(s) if s.type_name == "PCM"));
    if is_export {
        return evidence_from_operations(src, ops, None);
    }
    // A queue of ordinary updates: only its numbers count.
    let scope = require_scope(src, stream_origin(&stream))?;
    let pending: Vec<u32> = records
        .iter()
        .filter(|r| !r.is_placeholder())
        .map(|r| r.sync)
        .collect();
    let floor = records
        .iter()
        .filter(|r| r.is_placeholder())
        .map(|r| r.sync)
        .max();
    Err(Error::input(
        file,
        Location::File,
        format!(
            "{scope}: this transaction file holds {} queued update(s) and no `R` export; \
             give it together with the postoffice's REQCONF.GLB (a folder holding both) \
             so its numbers can be used{}",
            pending.len(),
            floor
                .map(|f| format!(" (placeholder at {f})"))
                .unwrap_or_default()
        ),
    ))
}

fn message_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
    let msg = crate::dsmsg::read_message(&src.path, options.encoding)?;
    let n = msg.numbers();
    let numbers = match (n.reqseq, n.srvseq) {
        (Some(reqsync), Some(srvsync)) => Some(RequestorNumbers {
            reqsync,
            srvsync,
            impsync: n.impseq,
            pending: Vec::new(),
        }),
        _ => None,
    };
    let requestor = msg.requestor();
    let ops: Vec<Operation> = msg
        .transactions
        .into_iter()
        .flat_map(|t| t.operations)
        .collect();
    let src = RequestorSource {
        path: src.path.clone(),
        bound: src.bound.clone().or(requestor),
    };
    evidence_from_operations(&src, ops, numbers)
}

/// REQCONF.GLB and REQTRANS.GLB of a folder (directly or under `GLB/`).
fn glb_files(dir: &Path) -> (Option<PathBuf>, Option<PathBuf>) {
    let find = |name: &str| {
        find_case_insensitive(dir, &format!("GLB/{name}"))
            .or_else(|| find_case_insensitive(dir, name))
    };
    (find("REQCONF.GLB"), find("REQTRANS.GLB"))
}

/// The requestor's numbers from its REQCONF.GLB and REQTRANS.GLB, and the
/// postoffice named by REQTRANS origins.
fn read_numbers(
    reqconf: Option<&Path>,
    reqtrans: Option<&Path>,
    options: &LoadOptions,
) -> Result<(Option<RequestorNumbers>, Option<Scope>, Option<i64>)> {
    let Some(reqconf) = reqconf else {
        return Ok((None, None, None));
    };
    let bytes = crate::output::read_input(reqconf)?;
    let conf = ReqConf::read(&bytes, &reqconf.display().to_string())?;
    let (pending, origin) = match reqtrans {
        Some(p) => {
            let stream = read_trans(p, options)?;
            let pending = stream
                .records
                .iter()
                .filter(|r| !r.is_placeholder() && r.sync > conf.reqsync)
                .map(|r| r.sync)
                .collect();
            (pending, stream_origin(&stream))
        }
        None => (Vec::new(), None),
    };
    let as_of = [conf.last_export, conf.last_t1, conf.last_t3]
        .into_iter()
        .max()
        .filter(|&t| t > 0)
        .map(i64::from);
    Ok((
        Some(RequestorNumbers {
            reqsync: conf.reqsync,
            srvsync: conf.srvsync,
            impsync: Some(conf.impsync),
            pending,
        }),
        origin,
        as_of,
    ))
}

fn numbers_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
    let (reqconf, reqtrans) = if src.path.is_dir() {
        glb_files(&src.path)
    } else {
        (Some(src.path.clone()), None)
    };
    if reqconf.is_none() {
        return Err(Error::input(
            src.path.display().to_string(),
            Location::File,
            "no MASTER.GLB (not a MAILDATA tree) and no REQCONF.GLB: nothing to reconcile with",
        ));
    }
    let (numbers, origin, as_of) = read_numbers(reqconf.as_deref(), reqtrans.as_deref(), options)?;
    let scope = require_scope(src, origin)?;
    let mut ev = Evidence::numbers(
        src.path.display().to_string(),
        scope,
        numbers.unwrap_or_default(),
    );
    ev.as_of = as_of;
    Ok(ev)
}

fn tree_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
    let po = PostOffice::open(&src.path, options)?;
    let data = &po.data;
    let own = data.scope();
    let scope = require_scope(src, Some(own))?;
    let pol = po.pol();
    let entries: Vec<Entry> = pol
        .sorted()
        .into_iter()
        .filter(|e| !e.address.is_pcm() || e.scope().key() == scope.key())
        .cloned()
        .collect();
    let paths = po.dirsync_files();
    let (numbers, _, as_of) =
        read_numbers(paths.reqconf.as_deref(), paths.reqtrans.as_deref(), options)?;
    let mut ev = Evidence::list(
        src.path.display().to_string(),
        EvidenceKind::Tree,
        Some(scope),
        entries,
    );
    ev.numbers = numbers;
    ev.as_of = as_of;
    Ok(ev)
}

/// Everything read from the server's tree: the engine's snapshot and what the
/// writers need to produce a repaired copy.
pub struct ServerInput {
    /// The engine's input.
    pub snapshot: ServerSnapshot,
    /// The opened tree.
    pub postoffice: PostOffice,
    /// MSTTRANS.GLB as read (records kept for the repaired copy).
    pub msttrans: Option<TransStream>,
    /// SRVCONF.GLB as read.
    pub srvconf: crate::dirsync::conf::SrvConf,
}

/// Reads the restored server's MAILDATA tree.
pub fn load_server(dir: &Path, options: &LoadOptions) -> Result<ServerInput> {
    load_server_with(dir, options, false)
}

/// [`load_server`] for a caller that needs the tree's list metadata (names,
/// mailbags, templates) but not its entries once the snapshot holds them:
/// each external postoffice's entries are freed as soon as its USR list is
/// built, and so are the GAL and the POL's external entries, so the
/// directory is never held twice while loading. The USR lists' entries carry
/// no origin (`Origin::none()`).
pub fn load_server_lean(dir: &Path, options: &LoadOptions) -> Result<ServerInput> {
    load_server_with(dir, options, true)
}

fn load_server_with(dir: &Path, options: &LoadOptions, lean: bool) -> Result<ServerInput> {
    let mut postoffice = PostOffice::open(dir, options)?;
    let paths = postoffice.dirsync_files();
    let srvconf_path = paths.srvconf.clone().ok_or_else(|| {
        Error::input(
            dir.display().to_string(),
            Location::File,
            "no GLB/SRVCONF.GLB: this is not a Dir-Sync server's MAILDATA",
        )
    })?;
    let bytes = crate::output::read_input(&srvconf_path)?;
    let srvconf = crate::dirsync::conf::SrvConf::read(&bytes, &srvconf_path.display().to_string())?;
    let msttrans = match &paths.msttrans {
        Some(p) => Some(read_trans(p, options)?),
        None => None,
    };
    let mut master = Vec::new();
    if let (Some(stream), Some(p)) = (&msttrans, &paths.msttrans) {
        let file = p.display().to_string();
        for r in &stream.records {
            let operations = r.to_operations(&file)?;
            master.push(MasterTransaction {
                sync: r.sync,
                origin: crate::codepage::decode_cp850(r.origin.text_bytes()).into_owned(),
                operations,
            });
        }
        master.sort_by_key(|m| m.sync);
    }
    let requestors = srvconf
        .requestors
        .iter()
        .filter(|r| r.status == 1)
        .filter_map(|r| {
            let name = crate::codepage::decode_cp850(r.name.text_bytes()).into_owned();
            let scope = Scope::parse(&name).ok()?;
            Some(ServerRequestorRecord {
                name,
                scope,
                reqsync: r.reqsync,
                srvsync: r.srvsync,
                impsync: r.impsync,
                last_cycle: r.last_cycle,
            })
        })
        .collect();
    let own_pol = postoffice.pol();
    // (network index, postoffice index, scope) in NETWORK/XTN order.
    let externals: Vec<(usize, usize, Scope)> = postoffice
        .data
        .networks
        .iter()
        .enumerate()
        .flat_map(|(ni, n)| (0..n.postoffices.len()).map(move |pi| (ni, pi)))
        .zip(postoffice.external_postoffices())
        .map(|((ni, pi), (scope, _))| (ni, pi, scope))
        .collect();
    let mut usr_lists = Vec::with_capacity(externals.len());
    for (ni, pi, scope) in externals {
        // The lean load leaves out the entries' origins (file and record of
        // each USR entry): no reconcile output names them, and finding them
        // costs a hash lookup per entry.
        let list = scope.network_postoffice().and_then(|(net, po)| {
            if lean {
                postoffice.data.usr_list(net, po)
            } else {
                postoffice.usr_list(net, po)
            }
        });
        if let Some(list) = list {
            usr_lists.push((scope, list));
        }
        if lean {
            if let Some(p) = postoffice
                .data
                .networks
                .get_mut(ni)
                .and_then(|n| n.postoffices.get_mut(pi))
            {
                p.entries = Vec::new();
            }
        }
    }
    if lean {
        postoffice.data.gal = Vec::new();
        postoffice.data.pol_externals = Vec::new();
    }
    let snapshot = ServerSnapshot {
        own_scope: postoffice.data.scope(),
        own_pol,
        sync: srvconf.sync,
        cycle: srvconf.cycle,
        requestors,
        usr_lists,
        master,
    };
    Ok(ServerInput {
        snapshot,
        postoffice,
        msttrans,
        srvconf,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requestor_argument_binding() {
        let r = RequestorSource::parse("WESTNET/SEATTLE=/no/such/file").unwrap();
        assert_eq!(r.path, PathBuf::from("/no/such/file"));
        assert_eq!(r.bound.unwrap().to_string(), "PCM:WESTNET/SEATTLE");
        let r = RequestorSource::parse("/no/such/plain").unwrap();
        assert!(r.bound.is_none());
        assert!(RequestorSource::parse("bad/=x").is_err());
    }

    #[test]
    fn a_bound_source_replaces_its_plain_copy() {
        let dir = env!("CARGO_MANIFEST_DIR");
        let plain = RequestorSource::parse(&format!("{dir}/Cargo.toml")).unwrap();
        let other = RequestorSource::parse(&format!("{dir}/README.md")).unwrap();
        let bound = RequestorSource::parse(&format!("NET/PO={dir}/./Cargo.toml")).unwrap();
        let kept = prefer_bound(vec![plain, other.clone(), bound.clone()]);
        assert_eq!(kept, vec![other, bound]);
    }
}
