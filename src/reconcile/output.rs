//! The writers of `msmail reconcile --out DIR`: a repaired copy of the server's
//! tree, RESYNC.GLB, the repair as import text, the merged list as CSV/LDIF,
//! the hole as change-LDIF, and the reports with a SHA-256 per file written.
//!
//! Nothing here touches an input: the server tree is read file by file and
//! copied; every output goes through [`crate::output::write_atomic`].
//! See docs/reconcile.md, "Command and outputs".

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::inputs::ServerInput;
use super::view::scope_origin;
use super::{Reconciliation, RepairMode, RepairPlan, WrittenFile};
use crate::codepage::{encode_char, is_cp850};
use crate::dirsync::trans::{write_record, ResyncHeader as ResyncNumbers, TransactionRecord};
use crate::error::{Error, Result};
use crate::export::csv::{write_csv, CsvProfile};
use crate::export::ldif::{write_change_ldif, write_ldif, DirectoryChange};
use crate::model::{
    Address, AddressKey, Directory, Entry, Operation, MAX_ADDRESS_PART, MAX_FULL_NAME,
};

/// Seconds in a day (for the "keep updates" purge horizon).
const DAY: i64 = 86_400;

/// Options of the writers.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// Base DN of merged.ldif and hole.ldif.
    pub base_dn: String,
    /// `--stamp`: the `time32` of new MSTTRANS/RESYNC records; `None` = default.
    pub stamp: Option<u32>,
    /// `--truncate-names`: cut full names to 30 and mailboxes to 10 characters
    /// in MS Mail files.
    pub truncate_names: bool,
    /// `--replace-unencodable`: write characters outside CP850 as `?` in MS
    /// Mail files.
    pub replace_unencodable: bool,
    /// `--control-chars`: what MS Mail files get for control characters in
    /// names and template values (and a template value's leading `/`, a
    /// prompt's `~`).
    pub control: ControlRule,
    /// Replace existing files in the output folder.
    pub force: bool,
}

/// The stamp of new records and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampChoice {
    /// The `time32` written.
    pub stamp: u32,
    /// `option` (`--stamp`), `inputs` (latest time seen) or `none` (no time seen: 0).
    pub source: &'static str,
    /// The newest evidence time, when any evidence carried one.
    pub newest_evidence: Option<i64>,
    /// Warnings about the purge horizon ("keep updates" days).
    pub warnings: Vec<String>,
}

/// Chooses the stamp: `--stamp`, else the latest time in the inputs — the
/// snapshot's MSTTRANS stamps, SRVCONF last T2, every evidence `as_of`.
/// Warns when the stamp is older than "keep updates" days before the newest
/// evidence time (MSTTRANS would purge the repair before sending it), or when
/// no evidence carries a time (the stamp is then the backup's).
pub fn choose_stamp(
    server: &ServerInput,
    evidence_times: &[Option<i64>],
    option: Option<u32>,
) -> StampChoice {
    let newest_evidence = evidence_times.iter().flatten().copied().max();
    let server_max = server
        .msttrans
        .iter()
        .flat_map(|s| s.records.iter().map(|r| r.stamp))
        .chain(std::iter::once(server.srvconf.last_t2))
        .max()
        .unwrap_or(0);
    let inputs_max = i64::from(server_max).max(newest_evidence.unwrap_or(0));
    let (stamp, source) = match option {
        Some(s) => (s, "option"),
        None if inputs_max > 0 => (u32::try_from(inputs_max).unwrap_or(u32::MAX), "inputs"),
        None => (0, "none"),
    };
    let keep = i64::from(if server.srvconf.keep_days == 0 {
        14
    } else {
        server.srvconf.keep_days
    });
    let mut warnings = Vec::new();
    match newest_evidence {
        Some(t) if i64::from(stamp) + keep * DAY < t => warnings.push(format!(
            "the stamp of the new MSTTRANS records ({}) is more than {keep} \"keep updates\" \
             days older than the newest evidence ({}): SRVMAIN would purge the repair before \
             sending it; pass --stamp with the time the repaired server goes live",
            crate::dirsync::ctime(stamp),
            crate::dirsync::ctime(u32::try_from(t).unwrap_or(u32::MAX))
        )),
        None if option.is_none() => warnings.push(format!(
            "no evidence carries a time: the new MSTTRANS records are stamped {} (the latest \
             time in the server's files); if that is more than {keep} \"keep updates\" days \
             before the repaired server goes live, SRVMAIN purges the repair unsent; pass \
             --stamp",
            crate::dirsync::ctime(stamp)
        )),
        _ => {}
    }
    StampChoice {
        stamp,
        source,
        newest_evidence,
        warnings,
    }
}

/// What to do with characters MS Mail records cannot hold verbatim: control
/// characters (CR, LF, TAB, ...) in names and template values, a leading `/`
/// in a template value, a `~` in a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ControlRule {
    /// Refuse to write MS Mail files, listing every entry (the default).
    #[default]
    Refuse,
    /// Write a space instead (a leading `/` gets a space before it).
    Space,
    /// Leave the character out.
    Drop,
}

impl ControlRule {
    fn apply(self, s: &str, bad: impl Fn(char) -> bool) -> String {
        match self {
            ControlRule::Refuse => s.to_string(),
            ControlRule::Space => s.chars().map(|c| if bad(c) { ' ' } else { c }).collect(),
            ControlRule::Drop => s.chars().filter(|&c| !bad(c)).collect(),
        }
    }
    fn value(self, v: &str) -> String {
        let v = self.apply(v, char::is_control);
        match (self, v.strip_prefix('/')) {
            (ControlRule::Space, Some(_)) => format!(" {v}"),
            (ControlRule::Drop, Some(rest)) => rest.trim_start_matches('/').to_string(),
            _ => v,
        }
    }
}

/// One change the MS Mail limits forced on an entry (listed in the report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FitChange {
    /// The entry's address as merged.
    pub address: String,
    /// `full_name`, `mailbox`, `address` or `template`.
    pub field: &'static str,
    /// The value before.
    pub from: String,
    /// The value written to MS Mail files.
    pub to: String,
}

/// Makes entries fit MS Mail files as the options allow.
#[derive(Debug, Clone, Copy)]
pub struct Fitter {
    truncate: bool,
    replace: bool,
    control: ControlRule,
}

fn replace_unencodable(s: &str) -> String {
    s.chars()
        .map(|c| if encode_char(c).is_some() { c } else { '?' })
        .collect()
}

fn truncate_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect::<String>().trim_end().to_string()
}

impl Fitter {
    /// A fitter for the options.
    pub fn new(options: &OutputOptions) -> Fitter {
        Fitter {
            truncate: options.truncate_names,
            replace: options.replace_unencodable,
            control: options.control,
        }
    }

    /// True when nothing can change.
    pub fn is_identity(&self) -> bool {
        !self.truncate && !self.replace && self.control == ControlRule::Refuse
    }

    /// The entry as MS Mail files get it, and what changed; `None` when it
    /// fits as it is.
    pub fn fit(&self, e: &Entry) -> Option<(Entry, Vec<FitChange>)> {
        if self.is_identity() {
            return None;
        }
        let mut out = e.clone();
        let mut changes = Vec::new();
        let address = e.address.to_string();
        let mut change = |field, from: &str, to: &str| {
            changes.push(FitChange {
                address: address.clone(),
                field,
                from: from.to_string(),
                to: to.to_string(),
            })
        };
        if self.control != ControlRule::Refuse && out.full_name.chars().any(char::is_control) {
            let v = self.control.apply(&out.full_name, char::is_control);
            change("full_name", &out.full_name, &v);
            out.full_name = v;
        }
        if self.replace && !is_cp850(&out.full_name) {
            let v = replace_unencodable(&out.full_name);
            change("full_name", &out.full_name, &v);
            out.full_name = v;
        }
        if self.truncate && out.full_name.chars().count() > MAX_FULL_NAME {
            let v = truncate_chars(&out.full_name, MAX_FULL_NAME);
            change("full_name", &out.full_name, &v);
            out.full_name = v;
        }
        if self.replace && !(is_cp850(&out.address.type_name) && is_cp850(&out.address.body)) {
            let a = Address {
                type_name: replace_unencodable(&out.address.type_name),
                body: replace_unencodable(&out.address.body),
            };
            change("address", &out.address.to_string(), &a.to_string());
            out.address = a;
        }
        if self.truncate {
            if let Some((net, po, mb)) = out.address.parts() {
                if mb.chars().count() > MAX_ADDRESS_PART {
                    let short = truncate_chars(mb, MAX_ADDRESS_PART);
                    let a = Address {
                        type_name: out.address.type_name.clone(),
                        body: format!("{net}/{po}/{short}"),
                    };
                    change("mailbox", mb, &short);
                    out.address = a;
                }
            }
        }
        if self.control != ControlRule::Refuse {
            for t in &mut out.template {
                let v = self.control.value(&t.value);
                if v != t.value {
                    change("template", &t.value, &v);
                    t.value = v;
                }
                let p = self
                    .control
                    .apply(&t.prompt, |c| c.is_control() || c == '~');
                if p != t.prompt {
                    change("prompt", &t.prompt, &p);
                    t.prompt = p;
                }
            }
        }
        if self.replace {
            for t in &mut out.template {
                if !is_cp850(&t.value) || !is_cp850(&t.prompt) {
                    let v = replace_unencodable(&t.value);
                    change("template", &t.value, &v);
                    t.value = v;
                    t.prompt = replace_unencodable(&t.prompt);
                }
            }
        }
        (!changes.is_empty()).then_some((out, changes))
    }

    /// The entry as MS Mail files get it (a copy).
    pub fn fitted(&self, e: &Entry) -> Entry {
        self.fit(e).map_or_else(|| e.clone(), |(f, _)| f)
    }

    /// An operation with its entries fitted.
    pub fn fit_operation(&self, op: &Operation) -> Operation {
        match op {
            Operation::Add(e) => Operation::Add(self.fitted(e)),
            Operation::Delete(e) => Operation::Delete(self.fitted(e)),
            Operation::Modify { old, new } => Operation::Modify {
                old: self.fitted(old),
                new: self.fitted(new),
            },
            other => other.clone(),
        }
    }
}

/// Refuses (exit 4, every problem listed) when merged entries break an MS
/// Mail limit that the options do not allow to fix; else returns every change
/// the fitter makes to the merged directory, sorted by address. Network and
/// postoffice names over 10 characters are never fixed (renaming a
/// postoffice is not a repair). A truncated mailbox that collides with
/// another address is refused too.
pub fn check_limits(
    rec: &Reconciliation,
    merged: &Directory,
    options: &OutputOptions,
) -> Result<Vec<FitChange>> {
    let mut refused = Vec::new();
    for po in &rec.postoffices {
        for l in &po.limits {
            let allowed = match (l.problem, l.field) {
                ("too-long", "full_name" | "mailbox") => options.truncate_names,
                ("too-long", _) => false,
                ("not-cp850", _) => options.replace_unencodable,
                ("control-char" | "leading-slash" | "tilde", _) => {
                    options.control != ControlRule::Refuse
                }
                _ => false,
            };
            if !allowed {
                refused.push(format!("  {}: {}", l.address, l.reason()));
            }
        }
    }
    if !refused.is_empty() {
        return Err(Error::Unrepresentable(format!(
            "{} problems in merged entries that MS Mail files cannot carry as they are; \
             nothing was written (--truncate-names cuts full names to 30 and mailboxes to \
             10 characters, --replace-unencodable writes `?` for characters outside CP850, \
             --control-chars space|drop rewrites control characters; CSV, LDIF and JSON \
             always keep the exact values):\n{}",
            refused.len(),
            refused.join("\n")
        )));
    }
    let fitter = Fitter::new(options);
    let mut changes = Vec::new();
    if fitter.is_identity() {
        return Ok(changes);
    }
    let mut moved: Vec<(AddressKey, AddressKey)> = Vec::new();
    for e in merged.sorted() {
        if let Some((f, c)) = fitter.fit(e) {
            if f.key() != e.key() {
                moved.push((e.key(), f.key()));
            }
            changes.extend(c);
        }
    }
    let mut clashes = Vec::new();
    let mut taken: HashMap<&AddressKey, &AddressKey> = HashMap::new();
    for (from, to) in &moved {
        if merged.contains_key(to) {
            clashes.push(format!("  {} would become {}, which exists", from.0, to.0));
        } else if let Some(other) = taken.insert(to, from) {
            clashes.push(format!(
                "  {} and {} would both become {}",
                other.0, from.0, to.0
            ));
        }
    }
    if !clashes.is_empty() {
        return Err(Error::Unrepresentable(format!(
            "shortened mailboxes would collide; rename these entries at their postoffice:\n{}",
            clashes.join("\n")
        )));
    }
    Ok(changes)
}

/// A writer that hashes what passes through it.
struct HashingWriter<'a> {
    inner: &'a mut dyn Write,
    hasher: Sha256,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Writes `rel` under `out` atomically and returns its hash; `write` produces
/// the content (errors it returns as `Error` are kept).
fn write_file<F>(out: &Path, rel: &str, force: bool, write: F) -> Result<WrittenFile>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let path = out.join(rel);
    let mut hash = None;
    let mut inner_err = None;
    crate::output::write_atomic(&path, force, |w| {
        let mut hw = HashingWriter {
            inner: w,
            hasher: Sha256::new(),
        };
        if let Err(e) = write(&mut hw) {
            inner_err = Some(e);
            return Err(io::Error::other("content error"));
        }
        hash = Some(hex(&hw.hasher.finalize()));
        Ok(())
    })
    .map_err(|e| inner_err.take().unwrap_or(e))?;
    Ok(WrittenFile {
        path: rel.to_string(),
        sha256: hash.unwrap_or_default(),
    })
}

fn write_bytes(out: &Path, rel: &str, force: bool, bytes: &[u8]) -> Result<WrittenFile> {
    crate::output::write_bytes_atomic(&out.join(rel), force, bytes)?;
    Ok(WrittenFile {
        path: rel.to_string(),
        sha256: sha256_hex(bytes),
    })
}

/// Refuses an output folder that exists and is not empty, unless `force`.
pub fn check_out_dir(out: &Path, force: bool) -> Result<()> {
    if force || !out.exists() {
        return Ok(());
    }
    let mut rd = std::fs::read_dir(out).map_err(|e| Error::output(out, e.to_string()))?;
    if rd.next().is_some() {
        return Err(Error::output(
            out,
            "exists and is not empty; use --force to write into it",
        ));
    }
    Ok(())
}

/// Refuses an output folder that overlaps an input: inside the server tree
/// or any requestor source, or holding one of them (its `server/` copy or
/// its files could land on an input). See [`crate::output::check_not_input`].
pub fn check_out_not_input(out: &Path, inputs: &[&Path]) -> Result<()> {
    crate::output::check_not_input(out, inputs, "--out")
}

/// Every file under `root`, as `/`-separated relative paths, sorted.
fn list_tree(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| Error::read(&dir, e))?;
        for ent in rd {
            let ent = ent.map_err(|e| Error::read(&dir, e))?;
            let name = ent.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let path = ent.path();
            let ft = ent.file_type().map_err(|e| Error::read(&path, e))?;
            // Links to folders are not followed (no loops); links to files are
            // copied as files.
            if ft.is_dir() {
                stack.push((path, rel));
            } else if ft.is_file() || (ft.is_symlink() && path.is_file()) {
                out.push(rel);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn relative(root: &Path, p: &Path) -> Option<String> {
    let r = p.strip_prefix(root).ok()?;
    let parts: Vec<String> = r
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// The repaired MSTTRANS.GLB records: the snapshot's as read, placeholders
/// Sync(B)+1..=M (origin: the server's NET/PO), then the repair transactions
/// (one record per operation, numbered by the plan), all new ones with `stamp`.
pub fn repaired_msttrans(
    server: &ServerInput,
    rec: &Reconciliation,
    plan: &RepairPlan,
    fitter: Fitter,
    stamp: u32,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let own = scope_origin(&rec.server_scope);
    // Numbers lost to damage get a placeholder where they belong, so the
    // numbering stays whole (Error 138, Q108067).
    let mut lost = server.lost_master.iter().copied().peekable();
    if let Some(s) = &server.msttrans {
        for r in &s.records {
            while let Some(n) = lost.next_if(|&n| n < r.sync) {
                write_record(&TransactionRecord::placeholder(n, stamp, &own), &mut out);
            }
            write_record(r, &mut out);
        }
    }
    for n in lost {
        write_record(&TransactionRecord::placeholder(n, stamp, &own), &mut out);
    }
    if let Some((first, last)) = plan.placeholders {
        for n in first..=last {
            write_record(&TransactionRecord::placeholder(n, stamp, &own), &mut out);
        }
    }
    for t in &plan.transactions {
        for op in &t.operations {
            let op = fitter.fit_operation(op);
            let r = TransactionRecord::from_operation(t.sync, stamp, &t.origin, &op)?;
            write_record(&r, &mut out);
        }
    }
    Ok(out)
}

/// The repaired SRVCONF.GLB: Sync = the plan's new Sync, every in-use record
/// whose scope the plan updates gets its new ReqSync/SrvSync/ImpSync; the rest
/// (passwords included, never decoded) is kept byte for byte.
pub fn repaired_srvconf(server: &ServerInput, plan: &RepairPlan) -> Vec<u8> {
    let mut conf = server.srvconf.clone();
    conf.sync = plan.new_sync;
    let updates: HashMap<String, &super::SrvconfUpdate> = plan
        .srvconf
        .iter()
        .filter(|u| u.changed)
        .map(|u| (u.scope.key(), u))
        .collect();
    for r in conf.requestors.iter_mut().filter(|r| r.status == 1) {
        let name = crate::codepage::decode_cp850(r.name.text_bytes()).into_owned();
        let Ok(scope) = crate::model::Scope::parse(&name) else {
            continue;
        };
        if let Some(u) = updates.get(&scope.key()) {
            r.reqsync = u.reqsync.1;
            r.srvsync = u.srvsync.1;
            r.impsync = u.impsync.1;
        }
    }
    conf.write()
}

/// RESYNC.GLB: the `H` record (numbered 0) with the plan's IMPSEQ/REQSEQ/SRVSEQ,
/// then a `T` record per template definition (by scope key) and an `A` record
/// per merged entry (address order), numbered 1, 2, … in file order; origin
/// the server's NET/PO; stamp as given.
pub fn resync_glb(
    rec: &Reconciliation,
    plan: &RepairPlan,
    fitter: Fitter,
    stamp: u32,
    w: &mut dyn Write,
) -> Result<()> {
    let own = scope_origin(&rec.server_scope);
    let h = ResyncNumbers {
        impseq: plan.resync.impseq,
        reqseq: plan.resync.reqseq,
        srvseq: plan.resync.srvseq,
    };
    let io = |e: io::Error| Error::output("RESYNC.GLB", e.to_string());
    let mut buf = Vec::with_capacity(256);
    let head = TransactionRecord::new(0, stamp, b'H', &own, h.text().into_bytes());
    write_record(&head, &mut buf);
    w.write_all(&buf).map_err(io)?;
    let mut n: u32 = 0;
    let mut put = |op: &Operation, w: &mut dyn Write| -> Result<()> {
        n = n
            .checked_add(1)
            .ok_or_else(|| Error::Unrepresentable("RESYNC.GLB: too many records".into()))?;
        buf.clear();
        write_record(
            &TransactionRecord::from_operation(n, stamp, &own, op)?,
            &mut buf,
        );
        w.write_all(&buf).map_err(io)
    };
    for def in plan.merged.templates.values() {
        put(&Operation::Template(def.clone()), w)?;
    }
    // The A records are encoded in parallel, a bounded batch at a time, and
    // written in order.
    const CHUNK: usize = 4096;
    const BATCH: usize = 16;
    // Entries Dir-Sync does not carry (users excluded from Dir-Sync, the
    // server POL's own external entries) stay out of RESYNC.GLB.
    let entries: Vec<&Entry> = plan
        .merged
        .sorted_keyed()
        .into_iter()
        .filter(|(k, _)| !rec.local_only.contains(*k))
        .map(|(_, e)| e)
        .collect();
    for (bi, batch) in entries.chunks(CHUNK * BATCH).enumerate() {
        let bufs: Vec<Result<Vec<u8>>> = batch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(ci, chunk)| {
                let mut out = Vec::with_capacity(chunk.len() * 160);
                for (i, e) in chunk.iter().enumerate() {
                    let index = bi * CHUNK * BATCH + ci * CHUNK + i;
                    let sync = u32::try_from(index)
                        .ok()
                        .and_then(|x| x.checked_add(n))
                        .and_then(|x| x.checked_add(1))
                        .ok_or_else(|| {
                            Error::Unrepresentable("RESYNC.GLB: too many records".into())
                        })?;
                    let op = Operation::Add(fitter.fitted(e));
                    write_record(
                        &TransactionRecord::from_operation(sync, stamp, &own, &op)?,
                        &mut out,
                    );
                }
                Ok(out)
            })
            .collect();
        for b in bufs {
            w.write_all(&b?).map_err(io)?;
        }
    }
    Ok(())
}

/// The hole of every postoffice as directory changes: missing adds → add,
/// missing deletes → delete, modified → modify (server → merged).
pub fn hole_changes(rec: &Reconciliation) -> Vec<DirectoryChange> {
    let mut out = Vec::new();
    for po in &rec.postoffices {
        out.extend(
            po.hole
                .missing_deletes
                .iter()
                .map(|e| DirectoryChange::Delete(e.clone())),
        );
        out.extend(
            po.hole
                .missing_adds
                .iter()
                .map(|e| DirectoryChange::Add(e.clone())),
        );
        out.extend(po.hole.modified.iter().map(|m| DirectoryChange::Modify {
            old: m.server.clone(),
            new: m.merged.clone(),
        }));
    }
    out
}

/// The USR/INF/TPL files of the server tree that change: every external
/// postoffice or gateway node list whose merged content (entries, kinds,
/// template values and definition) differs from the list as read — a hole,
/// master transactions not yet folded into the USR list, a template
/// definition fitted to the values — is replaced by the merged directory's
/// entries of its scope and built with [`crate::tree::writer::build_tree`];
/// only that list's `USR/`, `INF/` and `TPL/` files are kept, keyed by
/// relative path.
pub fn repaired_lists(
    server: &ServerInput,
    rec: &Reconciliation,
    merged: &Directory,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let own = rec.server_scope.key();
    let mut out = BTreeMap::new();
    let full = &server.postoffice.data;
    let scopes = full.external_postoffices();
    let mut targets: Vec<(String, String, crate::model::Scope)> = Vec::new();
    // Only the lists that change are built: a list's USR/INF/TPL bytes
    // depend on its own entries and template alone, and its mailbag keeps
    // the names.
    let mut data = crate::tree::postoffice::PostOfficeData::new(&full.network, &full.postoffice);
    data.version = full.version;
    let mut i = 0;
    for n in &full.networks {
        let mut net = crate::tree::postoffice::NetworkData {
            name: n.name.clone(),
            kind: n.kind,
            address_type: n.address_type.clone(),
            xtn_prefix: n.xtn_prefix,
            postoffices: Vec::new(),
        };
        for p in &n.postoffices {
            if let Some((scope, _)) = scopes.get(i) {
                let key = scope.key();
                let entries = merged.in_scope(scope);
                let now = super::inputs::list_fingerprint(
                    entries.iter().copied(),
                    merged.templates.get(&key),
                );
                let before = server.usr_fingerprints.get(&key).copied();
                let changed = match before {
                    Some(b) => b != now,
                    None => !entries.is_empty(),
                };
                if key != own && changed {
                    targets.push((n.name.clone(), p.name.clone(), scope.clone()));
                    net.postoffices.push(p.clone());
                }
            }
            i += 1;
        }
        if !net.postoffices.is_empty() {
            data.networks.push(net);
        }
    }
    if targets.is_empty() {
        return Ok(out);
    }
    let mut bags = Vec::new();
    for (net, po, scope) in &targets {
        if let Some(x) = data.external_mut(net, po) {
            x.template = merged
                .templates
                .get(&scope.key())
                .map(|d| d.fields.clone())
                .unwrap_or_default();
        }
        data.replace_usr_list_from(net, po, merged);
        match data.external(net, po).and_then(|(_, x)| x.mailbag) {
            Some(b) => bags.push(crate::tree::hex8(b)),
            None => {
                return Err(Error::Unrepresentable(format!(
                    "{scope}: the server's tree gives this list no mailbag number"
                )))
            }
        }
    }
    let (mut files, _warnings) = crate::tree::writer::build_tree(&data)?;
    for b in bags {
        for dir in ["USR", "INF", "TPL"] {
            let rel = format!("{dir}/{b}.{dir}");
            if let Some(bytes) = files.remove(&rel) {
                out.insert(rel, bytes);
            }
        }
    }
    Ok(out)
}

/// Merged entries that no list of the repaired tree can hold: free-form
/// gateway addresses (profile v1 binary lists cannot hold them) and entries
/// of postoffices the server has no XTN record for. MSTTRANS.GLB and
/// RESYNC.GLB carry them; `export` of the repaired tree cannot show them.
pub fn not_in_tree(server: &ServerInput, rec: &Reconciliation, merged: &Directory) -> Vec<String> {
    let mut lists: std::collections::HashSet<String> = server
        .postoffice
        .data
        .external_postoffices()
        .into_iter()
        .map(|(s, _)| s.key())
        .collect();
    lists.insert(rec.server_scope.key());
    let pol: std::collections::HashSet<AddressKey> = server
        .postoffice
        .data
        .pol_externals
        .iter()
        .map(|x| x.address.key())
        .collect();
    let mut out: Vec<String> = merged
        .sorted_keyed()
        .into_iter()
        // The server POL's external entries live in its ADMIN.NME.
        .filter(|(k, _)| !lists.contains(k.scope_key()) && !pol.contains(*k))
        .map(|(_, e)| e.address.to_string())
        .collect();
    out.sort();
    out
}

/// Requestors that had not received a master transaction lost to damage
/// (their SrvSync, or the server's copy of it, is below the lost number):
/// they need RESYNC.GLB.
pub fn lost_master_resync(server: &ServerInput, rec: &Reconciliation) -> Vec<crate::model::Scope> {
    let Some(&highest) = server.lost_master.last() else {
        return Vec::new();
    };
    rec.postoffices
        .iter()
        .filter(|p| p.scope.key() != rec.server_scope.key())
        .filter(|p| {
            p.sync
                .requestor_srvsync
                .or(p.sync.server_srvsync)
                .is_some_and(|s| s < highest)
        })
        .map(|p| p.scope.clone())
        .collect()
}

/// Everything `--out` needs besides the inputs.
pub struct OutputPlan<'a> {
    /// The reconciliation.
    pub rec: &'a Reconciliation,
    /// Its repair plan.
    pub plan: &'a RepairPlan,
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
            "  limit: {} {} {:?} written as {:?}",
            c.address, c.field, c.from, c.to
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

/// The text report: the reconciliation summary, then the repair.
pub fn report_text(p: &OutputPlan<'_>) -> String {
    let mut s = p.rec.to_text();
    s.push_str(&repair_text(p));
    s
}

fn json_bytes(v: &Value) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
    b.push(b'\n');
    b
}

/// Writes every output into `target` (see docs/reconcile.md): `server/`
/// (the repaired copy), `RESYNC.GLB`, `repair.txt`, `merged.csv`,
/// `merged.json`, `merged.ldif`, `hole.ldif`, `report.txt` and last
/// `report.json`, whose `written` lists every other file with its SHA-256
/// (sorted by path). Returns that list and the final JSON report.
///
/// All or nothing: everything is built in a temporary folder beside
/// `target` and renamed into place at the end; a run that fails leaves no
/// output behind. With `--force` into a non-empty folder, the files are
/// moved in one by one at the end (each rename atomic), other files stay.
pub fn write_outputs(
    target: &Path,
    server: &ServerInput,
    p: &OutputPlan<'_>,
    options: &OutputOptions,
) -> Result<(Vec<WrittenFile>, Value)> {
    let parent = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::output(&parent, e.to_string()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".msmail-out-")
        .tempdir_in(&parent)
        .map_err(|e| Error::output(target, format!("cannot create a temporary folder: {e}")))?;
    let (written, report) = build_outputs(tmp.path(), server, p, options)?;
    move_into_place(tmp, target, &written)?;
    Ok((written, report))
}

/// Renames the finished temporary folder to `target` (an absent or empty
/// `target`), or moves its files into a non-empty one (`--force`).
fn move_into_place(tmp: tempfile::TempDir, target: &Path, written: &[WrittenFile]) -> Result<()> {
    let empty = match std::fs::read_dir(target) {
        Ok(mut rd) => rd.next().is_none(),
        Err(_) => {
            if target.exists() {
                return Err(Error::output(target, "exists and is not a folder"));
            }
            true
        }
    };
    if empty {
        if target.exists() {
            std::fs::remove_dir(target).map_err(|e| Error::output(target, e.to_string()))?;
        }
        let from = tmp.keep();
        return std::fs::rename(&from, target).map_err(|e| {
            let _ = std::fs::remove_dir_all(&from);
            Error::output(
                target,
                format!("cannot move the finished output into place: {e}"),
            )
        });
    }
    let mut rels: Vec<&str> = written.iter().map(|w| w.path.as_str()).collect();
    rels.push("report.json");
    for rel in rels {
        let (from, to) = (tmp.path().join(rel), target.join(rel));
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, e.to_string()))?;
        }
        std::fs::rename(&from, &to).map_err(|e| Error::output(&to, e.to_string()))?;
    }
    Ok(())
}

fn build_outputs(
    out: &Path,
    server: &ServerInput,
    p: &OutputPlan<'_>,
    options: &OutputOptions,
) -> Result<(Vec<WrittenFile>, Value)> {
    let fitter = Fitter::new(options);
    // A fresh temporary folder: nothing to replace.
    let force = false;
    let root = &server.postoffice.root;
    let mut t = std::time::Instant::now();
    // The files that change in the server copy.
    let mut replaced: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let paths = server.postoffice.dirsync_files();
    let srv_rel = paths
        .srvconf
        .as_deref()
        .and_then(|x| relative(root, x))
        .unwrap_or_else(|| "GLB/SRVCONF.GLB".into());
    // A server without MSTTRANS.GLB gets one beside its SRVCONF.GLB.
    let mst_rel = paths
        .msttrans
        .as_deref()
        .and_then(|x| relative(root, x))
        .unwrap_or_else(|| match srv_rel.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/MSTTRANS.GLB"),
            None => "MSTTRANS.GLB".into(),
        });
    let merged_fit: std::borrow::Cow<'_, Directory> = if p.fit_changes.is_empty() {
        std::borrow::Cow::Borrowed(&p.plan.merged)
    } else {
        let mut d = Directory::new();
        for e in p.plan.merged.iter() {
            d.upsert(fitter.fitted(e));
        }
        d.templates = p.plan.merged.templates.clone();
        std::borrow::Cow::Owned(d)
    };
    let lists = repaired_lists(server, p.rec, &merged_fit)?;
    timing("USR lists rebuilt", &mut t);
    let listing = list_tree(root)?;
    let by_upper: HashMap<String, &String> = listing
        .iter()
        .map(|r| (r.to_ascii_uppercase(), r))
        .collect();
    for (rel, bytes) in lists {
        let target = by_upper
            .get(&rel.to_ascii_uppercase())
            .map_or(rel.clone(), |r| (*r).clone());
        replaced.insert(target, bytes);
    }
    replaced.insert(
        mst_rel,
        repaired_msttrans(server, p.rec, p.plan, fitter, p.stamp.stamp)?,
    );
    replaced.insert(srv_rel, repaired_srvconf(server, p.plan));
    timing("MSTTRANS and SRVCONF built", &mut t);
    // The GAL of the repaired tree: from the merged directory, as REBUILD
    // would make it from the repaired USR lists.
    let data = &server.postoffice.data;
    let has_gal = by_upper.contains_key("NME/GAL.NME") || data.gal_enabled;
    let mut gal_left_out = 0;
    if has_gal {
        let gal = crate::tree::rebuild::rebuild_gal(root, data, &merged_fit, &|_| false)?;
        gal_left_out = gal.left_out;
        for (rel, bytes) in [
            ("NME/GAL.NME", gal.gal),
            ("GLB/GALNETPO.GLB", gal.galnetpo),
            ("GLB/GALINDEX.GLB", gal.galindex),
        ] {
            let target = by_upper.get(rel).map_or(rel.to_string(), |r| (*r).clone());
            replaced.insert(target, bytes);
        }
        timing("GAL rebuilt", &mut t);
    }
    let outside = not_in_tree(server, p.rec, &merged_fit);
    // Copy or replace every file of the tree (in parallel; results in order).
    let mut rels: Vec<&String> = listing.iter().collect();
    for k in replaced.keys() {
        if !by_upper.contains_key(&k.to_ascii_uppercase()) {
            rels.push(k);
        }
    }
    rels.sort();
    rels.dedup();
    let copy_server = || -> Result<Vec<WrittenFile>> {
        rels.par_iter()
            .map(|rel| {
                let dst = format!("server/{rel}");
                match replaced.get(*rel) {
                    Some(bytes) => write_bytes(out, &dst, force, bytes),
                    None => {
                        let bytes = crate::output::read_input(&root.join(rel.as_str()))?;
                        write_bytes(out, &dst, force, &bytes)
                    }
                }
            })
            .collect()
    };
    // The other files are independent of each other and of the copy: they
    // are written in parallel too (the LDIF writer is the longest).
    #[derive(Clone, Copy)]
    enum Job {
        Server,
        Resync,
        Repair,
        Csv,
        Json,
        Ldif,
        Hole,
    }
    let jobs = [
        Job::Ldif,
        Job::Server,
        Job::Csv,
        Job::Json,
        Job::Resync,
        Job::Hole,
        Job::Repair,
    ];
    let results: Vec<Result<Vec<WrittenFile>>> = jobs
        .par_iter()
        .map(|job| {
            let mut t = std::time::Instant::now();
            let (name, r) = match job {
                Job::Server => ("server tree copied", copy_server()),
                Job::Resync => (
                    "RESYNC.GLB",
                    write_file(out, "RESYNC.GLB", force, |w| {
                        resync_glb(p.rec, p.plan, fitter, p.stamp.stamp, w)
                    })
                    .map(|w| vec![w]),
                ),
                Job::Repair => {
                    let ops: Vec<Operation> = p
                        .plan
                        .transactions
                        .iter()
                        .flat_map(|t| t.operations.iter().map(|op| fitter.fit_operation(op)))
                        .collect();
                    (
                        "repair.txt",
                        write_file(out, "repair.txt", force, |w| {
                            crate::importtext::write_operations(&ops, w)
                        })
                        .map(|w| vec![w]),
                    )
                }
                Job::Csv => (
                    "merged.csv",
                    write_file(out, "merged.csv", force, |w| {
                        write_csv(&p.plan.merged, w, CsvProfile::Default)
                    })
                    .map(|w| vec![w]),
                ),
                Job::Json => (
                    "merged.json",
                    write_file(out, "merged.json", force, |w| {
                        crate::export::json::write_json(&p.plan.merged, w, false)
                    })
                    .map(|w| vec![w]),
                ),
                Job::Ldif => (
                    "merged.ldif",
                    write_file(out, "merged.ldif", force, |w| {
                        write_ldif(&p.plan.merged, w, &options.base_dn)
                    })
                    .map(|w| vec![w]),
                ),
                Job::Hole => {
                    let changes = hole_changes(p.rec);
                    (
                        "hole.ldif",
                        write_file(out, "hole.ldif", force, |w| {
                            write_change_ldif(&changes, w, &options.base_dn)
                        })
                        .map(|w| vec![w]),
                    )
                }
            };
            timing(name, &mut t);
            r
        })
        .collect();
    drop(replaced);
    let mut written = Vec::new();
    for r in results {
        written.extend(r?);
    }
    written.sort_by(|a, b| a.path.cmp(&b.path));
    let mut text = report_text(p);
    text.push_str(&outside_text(&outside, gal_left_out));
    written.push(write_bytes(out, "report.txt", force, text.as_bytes())?);
    written.sort_by(|a, b| a.path.cmp(&b.path));
    let mut report = report_json(p, &written);
    if let Some(Value::Object(r)) = report.get_mut("repair") {
        r.insert("not_in_tree".into(), json!(outside));
    }
    write_bytes(out, "report.json", force, &json_bytes(&report))?;
    Ok((written, report))
}

/// The report lines about merged entries no list of the repaired tree holds.
fn outside_text(outside: &[String], gal_left_out: usize) -> String {
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
    let _ = writeln!(
        s,
        "\nWritten to {dir}: {} files (server/: {server_files}, RESYNC.GLB, repair.txt, \
         merged.csv, merged.json, merged.ldif, hole.ldif, report.txt, report.json).",
        written.len() + 1
    );
    let _ = writeln!(s, "Next steps:");
    let _ = writeln!(
        s,
        "  1. Stop Dir-Sync on the server {} and keep a copy of its MAILDATA as it is.",
        p.rec.server_scope
    );
    let _ = writeln!(
        s,
        "  2. Copy {dir}/server/ over the server's MAILDATA (the same file names; \
         MSTTRANS.GLB, SRVCONF.GLB, the GAL files and the changed USR/INF/TPL lists differ)."
    );
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
        let _ = writeln!(
            s,
            "  5. RESYNC.GLB: copy {dir}/RESYNC.GLB into the GLB folder of {} and run \
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

/// Prints how long a step of [`write_outputs`] took when `MSMAIL_TIMINGS` is set.
fn timing(what: &str, since: &mut std::time::Instant) {
    if std::env::var_os("MSMAIL_TIMINGS").is_some() {
        let now = std::time::Instant::now();
        eprintln!(
            "msmail: timing:   {what}: {:.2} s",
            (now - *since).as_secs_f64()
        );
        *since = now;
    }
}

/// Serialises a JSON report as written to files (pretty, final newline).
pub fn report_bytes(v: &Value) -> Vec<u8> {
    json_bytes(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntryKind, TemplateValue};

    fn opts(t: bool, r: bool) -> OutputOptions {
        OutputOptions {
            truncate_names: t,
            replace_unencodable: r,
            ..Default::default()
        }
    }

    #[test]
    fn fitter_truncates_and_replaces_only_when_asked() {
        let mut e = Entry::new(
            "Wolfeschlegelsteinhausenberger, Hubert Blaine",
            Address::pcm("NET", "PO", "WOLFESCHLEGEL"),
        );
        e.kind = EntryKind::User;
        assert!(Fitter::new(&opts(false, false)).fit(&e).is_none());
        let (f, c) = Fitter::new(&opts(true, false)).fit(&e).unwrap();
        assert_eq!(f.full_name.chars().count(), 30);
        assert_eq!(f.address.to_string(), "PCM:NET/PO/WOLFESCHLE");
        assert_eq!(c.len(), 2);
        let mut g = Entry::new("Łukasz", Address::pcm("NET", "PO", "LUKASZ"));
        g.template.push(TemplateValue {
            prompt: "Phone:".into(),
            value: "☎ 12".into(),
        });
        let (f, c) = Fitter::new(&opts(false, true)).fit(&g).unwrap();
        assert_eq!(f.full_name, "?ukasz");
        assert_eq!(f.template[0].value, "? 12");
        assert_eq!(c.len(), 2);
        // Truncation does not replace, and vice versa.
        assert!(Fitter::new(&opts(true, false)).fit(&g).is_none());
    }

    #[test]
    fn hashing_writer_hash_equals_bytes_hash() {
        let dir = tempfile::tempdir().unwrap();
        let w = write_file(dir.path(), "a/b.txt", false, |w| {
            w.write_all(b"hello ")
                .and_then(|_| w.write_all(b"world"))
                .map_err(|e| Error::output("x", e.to_string()))
        })
        .unwrap();
        let bytes = std::fs::read(dir.path().join("a/b.txt")).unwrap();
        assert_eq!(w.sha256, sha256_hex(&bytes));
        assert_eq!(
            w.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        // A content error is reported as itself, and nothing is left behind.
        let err = write_file(dir.path(), "c.txt", false, |_| {
            Err(Error::Unrepresentable("no".into()))
        })
        .unwrap_err();
        assert!(matches!(err, Error::Unrepresentable(_)));
        assert!(!dir.path().join("c.txt").exists());
    }

    #[test]
    fn out_dir_may_not_overlap_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let server = dir.path().join("server");
        std::fs::create_dir_all(server.join("GLB")).unwrap();
        let ev = dir.path().join("ev.txt");
        std::fs::write(&ev, b"x").unwrap();
        let inputs = [server.as_path(), ev.as_path()];
        // Inside the server, the server itself, an ancestor of it: refused.
        for bad in [
            server.join("out"),
            server.join("GLB/new/deeper"),
            server.clone(),
            dir.path().to_path_buf(),
        ] {
            assert_eq!(
                check_out_not_input(&bad, &inputs).unwrap_err().exit_code(),
                4,
                "{bad:?}"
            );
        }
        // A sibling folder, existing or not: fine.
        check_out_not_input(&dir.path().join("out"), &inputs).unwrap();
        check_out_not_input(&dir.path().join("a/b"), &inputs).unwrap();
    }

    #[test]
    fn out_dir_must_be_empty_without_force() {
        let dir = tempfile::tempdir().unwrap();
        check_out_dir(dir.path(), false).unwrap();
        std::fs::write(dir.path().join("x"), b"x").unwrap();
        assert_eq!(check_out_dir(dir.path(), false).unwrap_err().exit_code(), 4);
        check_out_dir(dir.path(), true).unwrap();
        check_out_dir(&dir.path().join("new"), false).unwrap();
    }
}
