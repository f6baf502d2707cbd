//! Requestor evidence from files: every form a requestor's list or numbers
//! can take, recognised by content (`source::open`), each used for what it
//! holds — a list (export, extract, queued export, live tree), numbers
//! (REQCONF.GLB, a message's REQSEQ/SRVSEQ), pending transactions
//! (REQTRANS.GLB) — and described for the report ([`SourceUsage`]).

use std::path::{Path, PathBuf};

use crate::dirsync::conf::ReqConf;
use crate::dirsync::trans::{read_stream, TransStream};
use crate::error::{Error, Location, Result};
use crate::model::{Directory, Entry, Operation, Scope, TemplateDef};
use crate::source::{open, resolve, LoadOptions, RequestorGlbFiles, SourceKind};
use crate::tree::PostOffice;

use super::{identify_scope_of_operations, Evidence, EvidenceKind, RequestorNumbers, SourceUsage};

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
    if let Some(w) = crate::source::utf8_as_cp850_warning(path, options.encoding) {
        ev.usage.warnings.push(w);
    }
    ev.bound = src.bound.is_some();
    Ok(ev)
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

/// What an operation list holds, for evidence.
struct OpList {
    kind: EvidenceKind,
    scope: Option<Scope>,
    entries: Vec<Entry>,
    templates: Vec<TemplateDef>,
    replaced: Vec<Scope>,
    has_replace: bool,
}

/// Classifies a list of operations: an `R PCM:` export, or an extract when it
/// spans several postoffices without an `R`. Entries in source order for a
/// pure export (R/A/T: duplicates stay visible), else the directory the
/// operations produce in order.
fn analyse(ops: Vec<Operation>) -> OpList {
    let has_replace = ops
        .iter()
        .any(|op| matches!(op, Operation::Replace(s) if s.type_name == "PCM"));
    let mut scopes = std::collections::BTreeSet::new();
    for op in &ops {
        if let Operation::Add(e) = op {
            if e.address.is_pcm() {
                scopes.insert(e.scope().key());
            }
        }
    }
    let kind = if !has_replace && scopes.len() > 1 {
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
        ops.into_iter()
            .filter_map(|op| match op {
                Operation::Add(e) => Some(e),
                _ => None,
            })
            .collect()
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
fn list_evidence(src: &RequestorSource, list: OpList, form: String) -> Result<Evidence> {
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

fn import_text_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
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

fn read_trans(path: &Path, options: &LoadOptions) -> Result<TransStream> {
    let bytes = crate::input::read_input(path)?;
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

/// What a REQTRANS.GLB queue holds (Q133428): a full export queued by
/// Config, Dir-Sync, Requestor, Export (`R PCM:NET/PO` + `A` records), and/or
/// ordinary updates waiting for the next T1.
struct Queue {
    /// The operations of the last queued export and every record after it
    /// (sync order): the requestor's list as of the newest record.
    export: Option<Vec<Operation>>,
    /// Why a queued `R` export was not usable as a list.
    export_refused: Option<String>,
    /// Sync numbers of queued records above ReqSync (placeholders excluded).
    pending: Vec<u32>,
    /// The highest placeholder sync: the last ReqSync the server confirmed.
    floor: Option<u32>,
    /// The postoffice named by the records' origins.
    origin: Option<Scope>,
    /// Byte ranges skipped with salvage.
    skipped: Vec<String>,
}

fn read_queue(path: &Path, reqsync: Option<u32>, options: &LoadOptions) -> Result<Queue> {
    let stream = read_trans(path, options)?;
    let file = path.display().to_string();
    let mut records: Vec<_> = stream.records.iter().collect();
    records.sort_by_key(|r| r.sync);
    let floor = records
        .iter()
        .filter(|r| r.is_placeholder())
        .map(|r| r.sync)
        .max();
    let pending: Vec<u32> = records
        .iter()
        .filter(|r| !r.is_placeholder() && reqsync.is_none_or(|q| r.sync > q))
        .map(|r| r.sync)
        .collect();
    let mut ops_of = Vec::with_capacity(records.len());
    for r in &records {
        ops_of.push(r.to_operations(&file)?);
    }
    let last_r = ops_of.iter().rposition(|ops| {
        ops.iter()
            .any(|op| matches!(op, Operation::Replace(s) if s.type_name == "PCM"))
    });
    let (mut export, mut export_refused) = (None, None);
    if let Some(i) = last_r {
        let tail = records.get(i..).unwrap_or_default();
        let gap = tail
            .windows(2)
            .find(|w| w[1].sync > w[0].sync.saturating_add(1))
            .map(|w| (w[0].sync, w[1].sync));
        match gap {
            Some((a, b)) => {
                export_refused = Some(format!(
                    "the queued export (R at sync {}) is followed by a gap in the numbering \
                     ({a} then {b}): records are missing, so it is not a whole list",
                    tail.first().map_or(0, |r| r.sync)
                ))
            }
            None => {
                export = Some(ops_of.into_iter().skip(i).flatten().collect::<Vec<_>>());
            }
        }
    }
    let skipped = stream
        .skipped
        .iter()
        .map(|s| format!("{file}: skipped bytes {}..{}: {}", s.start, s.end, s.reason))
        .collect();
    Ok(Queue {
        export,
        export_refused,
        pending,
        floor,
        origin: stream_origin(&stream),
        skipped,
    })
}

/// The requestor's numbers from REQCONF.GLB, and when it was last active.
fn read_reqconf(path: &Path) -> Result<(RequestorNumbers, Option<i64>)> {
    let bytes = crate::input::read_input(path)?;
    let conf = ReqConf::read(&bytes, &path.display().to_string())?;
    let as_of = [conf.last_export, conf.last_t1, conf.last_t3]
        .into_iter()
        .max()
        .filter(|&t| t > 0)
        .map(i64::from);
    Ok((
        RequestorNumbers {
            reqsync: conf.reqsync,
            srvsync: conf.srvsync,
            impsync: Some(conf.impsync),
            pending: Vec::new(),
        },
        as_of,
    ))
}

fn describe_numbers(n: &RequestorNumbers) -> String {
    format!("numbers: ReqSync {}, SrvSync {}", n.reqsync, n.srvsync)
}

fn describe_pending(pending: &[u32], reqsync: Option<u32>) -> Option<String> {
    let (first, last) = (pending.first()?, pending.last()?);
    Some(format!(
        "pending: {} queued transaction(s) {first}..{last}{}; they reach the server at \
         the next T1 and are not part of the hole",
        pending.len(),
        reqsync.map_or(String::new(), |q| format!(" above ReqSync {q}"))
    ))
}

/// A requestor's GLB files without its tree: REQCONF.GLB (numbers) and
/// REQTRANS.GLB (a queued export, pending updates, the confirmed ReqSync).
fn glb_evidence(
    src: &RequestorSource,
    files: RequestorGlbFiles,
    options: &LoadOptions,
) -> Result<Evidence> {
    let name = src.path.display().to_string();
    let numbers = match &files.reqconf {
        Some(p) => Some(read_reqconf(p)?),
        None => None,
    };
    let reqsync = numbers.as_ref().map(|(n, _)| n.reqsync);
    let queue = match &files.reqtrans {
        Some(p) => Some(read_queue(p, reqsync, options)?),
        None => None,
    };
    let form = match (&files.reqconf, &files.reqtrans) {
        (Some(_), Some(_)) => "REQCONF.GLB + REQTRANS.GLB",
        (Some(_), None) => "REQCONF.GLB",
        (None, Some(_)) => "REQTRANS.GLB",
        (None, None) => "",
    };
    let origin = queue.as_ref().and_then(|q| q.origin.clone());
    let mut usage = SourceUsage {
        form: form.into(),
        ..SourceUsage::default()
    };
    let mut damaged = false;
    if let Some(q) = &queue {
        damaged = !q.skipped.is_empty();
        usage.warnings.extend(q.skipped.iter().cloned());
        if let Some(why) = &q.export_refused {
            usage.not_taken.push(format!("list: {why}"));
        }
    }
    let mut numbers_taken = numbers.map(|(mut n, as_of)| {
        n.pending = queue
            .as_ref()
            .map(|q| q.pending.clone())
            .unwrap_or_default();
        (n, as_of)
    });
    let mut ev = match queue.as_ref().and_then(|q| q.export.clone()) {
        Some(ops) => {
            let list = analyse(ops);
            let scope_found = list.scope.clone().or(origin);
            let list = OpList {
                scope: scope_found,
                ..list
            };
            let mut ev = list_evidence(
                src,
                list,
                format!("{form}: a full export queued in REQTRANS.GLB (R PCM:NET/PO + A)"),
            )?;
            ev.kind = EvidenceKind::Export;
            ev
        }
        None => {
            let scope = require_scope(src, origin)?;
            let mut ev = Evidence::numbers(name, scope, RequestorNumbers::default());
            ev.numbers = None;
            ev.usage.form = form.into();
            if queue.is_some() {
                usage.not_taken.push(
                    "list: REQTRANS.GLB holds no queued export (R PCM:NET/PO), so the \
                     requestor's list is not here"
                        .into(),
                );
            }
            ev
        }
    };
    if let Some((n, as_of)) = numbers_taken.take() {
        ev.as_of = as_of;
        ev.numbers = Some(n);
    } else {
        let floor = queue.as_ref().and_then(|q| q.floor);
        usage.not_taken.push(format!(
            "numbers: no REQCONF.GLB{}; SrvSync is only in REQCONF.GLB",
            floor.map_or(String::new(), |f| format!(
                " (the REQTRANS.GLB placeholder says the server confirmed ReqSync {f})"
            ))
        ));
    }
    if let Some(q) = &queue {
        if let Some(p) = describe_pending(&q.pending, reqsync) {
            usage.taken.push(p);
        }
    }
    ev.damaged = damaged;
    usage.form = ev.usage.form.clone();
    ev.usage = usage;
    Ok(ev)
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
    let task = msg.task.clone();
    let attachment = msg.transactions.is_empty()
        && msg.transactions_mode == Some(crate::dsmsg::TransactionsMode::InAttachment);
    let ops: Vec<Operation> = msg
        .transactions
        .into_iter()
        .flat_map(|t| t.operations)
        .collect();
    let src = RequestorSource {
        path: src.path.clone(),
        bound: src.bound.clone().or(requestor),
    };
    let task_name = task.as_ref().map_or("none", |t| t.as_str()).to_string();
    let is_export = task == Some(crate::dsmsg::Task::Export)
        || ops
            .iter()
            .any(|op| matches!(op, Operation::Replace(s) if s.type_name == "PCM"));
    let mut ev = if is_export && !attachment {
        let mut ev = list_evidence(
            &src,
            analyse(ops),
            format!("[DIRSYNC] message, TASK={task_name} (a requestor export)"),
        )?;
        ev.kind = EvidenceKind::Export;
        ev.declares_list = true;
        ev
    } else {
        let scope = require_scope(&src, None)?;
        let mut ev = Evidence::numbers(
            src.path.display().to_string(),
            scope,
            RequestorNumbers::default(),
        );
        ev.numbers = None;
        ev.usage.form = format!("[DIRSYNC] message, TASK={task_name}");
        ev.usage.not_taken.push(if attachment {
            "list: TRANSACTIONS=INATTACHMENT: the transactions are in the attachment; give \
             the attachment file"
                .into()
        } else {
            format!(
                "transactions: {} operation(s) of a TASK={task_name} message are changes, not \
                 the whole list",
                ops.len()
            )
        });
        ev
    };
    match numbers {
        Some(n) => ev.numbers = Some(n),
        None => ev
            .usage
            .not_taken
            .push("numbers: the message has no REQSEQ= and SRVSEQ=".into()),
    }
    Ok(ev)
}

/// A requestor's live MAILDATA tree: its derived POL (local users not
/// excluded from Dir-Sync, its groups), its own 10/10/10 gateway node lists
/// (XTN route naming this postoffice), its templates, and REQCONF/REQTRANS.
fn tree_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
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
