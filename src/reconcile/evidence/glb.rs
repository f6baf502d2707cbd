//! Evidence from Dir-Sync files: a requestor's GLB files (REQCONF.GLB
//! numbers, the REQTRANS.GLB queue) and a Dir-Sync message's numbers.

use super::lists::{analyse, list_evidence, OpList};
use super::{require_scope, RequestorSource};
use crate::dirsync::conf::ReqConf;
use crate::dirsync::trans::{read_stream, TransStream};
use crate::error::Result;
use crate::model::{Operation, Scope};
use crate::reconcile::{Evidence, EvidenceKind, RequestorNumbers, SourceUsage};
use crate::source::{LoadOptions, RequestorGlbFiles};
use std::path::Path;

pub(super) fn read_trans(path: &Path, options: &LoadOptions) -> Result<TransStream> {
    let bytes = crate::input::read_input(path)?;
    read_stream(&bytes, &path.display().to_string(), options.salvage)
}

/// `NET/PO` of the first record with an origin.
pub(super) fn stream_origin(stream: &TransStream) -> Option<Scope> {
    stream.records.iter().find_map(|r| {
        let text = crate::codepage::decode_cp850(r.origin.text_bytes()).into_owned();
        let (net, po) = text.split_once('/')?;
        (!net.is_empty() && !po.is_empty()).then(|| Scope::postoffice(net, po))
    })
}

/// What a REQTRANS.GLB queue holds (Q133428): a full export queued by
/// Config, Dir-Sync, Requestor, Export (`R PCM:NET/PO` + `A` records), and/or
/// ordinary updates waiting for the next T1.
pub(super) struct Queue {
    /// The operations of the last queued export and every record after it
    /// (sync order): the requestor's list as of the newest record.
    pub(super) export: Option<Vec<Operation>>,
    /// Why a queued `R` export was not usable as a list.
    pub(super) export_refused: Option<String>,
    /// Sync numbers of queued records above ReqSync (placeholders excluded).
    pub(super) pending: Vec<u32>,
    /// The highest placeholder sync: the last ReqSync the server confirmed.
    pub(super) floor: Option<u32>,
    /// The postoffice named by the records' origins.
    pub(super) origin: Option<Scope>,
    /// Byte ranges skipped with salvage.
    pub(super) skipped: Vec<String>,
}

pub(super) fn read_queue(
    path: &Path,
    reqsync: Option<u32>,
    options: &LoadOptions,
) -> Result<Queue> {
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
pub(super) fn read_reqconf(path: &Path) -> Result<(RequestorNumbers, Option<i64>)> {
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

pub(super) fn describe_numbers(n: &RequestorNumbers) -> String {
    format!("numbers: ReqSync {}, SrvSync {}", n.reqsync, n.srvsync)
}

pub(super) fn describe_pending(pending: &[u32], reqsync: Option<u32>) -> Option<String> {
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
pub(super) fn glb_evidence(
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

pub(super) fn message_evidence(src: &RequestorSource, options: &LoadOptions) -> Result<Evidence> {
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
