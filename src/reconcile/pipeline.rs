//! The whole of `msmail reconcile` short of parsing arguments and printing:
//! check the request (in the order the command always checked it), load the
//! server and the requestors in parallel, reconcile, plan the repair, write
//! `--out-dir` and `--report`, and hand back the report to print.
//!
//! What the user should be told on the way (warnings, details, phase
//! timings) goes to the caller's [`Event`] sink in the order it happens.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::export::person::Schema;
use crate::model::Directory;
use crate::reconcile::inputs::{load_evidence, load_server, RequestorSource, ServerInput};
use crate::reconcile::output::{
    check_limits, check_out_dir, choose_stamp, lost_master_resync, next_steps, report_json,
    report_text, write_outputs, ControlRule, OutputOptions, OutputPlan, OutputSet,
};
use crate::reconcile::{
    plan_repair, reconcile, ReconcileOptions, Reconciliation, RepairMode, RepairPlan,
};
use crate::source::LoadOptions;

/// One reconcile run, in plain options (`msmail reconcile`'s flags).
#[derive(Debug, Clone)]
pub struct ReconcileRequest {
    /// The restored Dir-Sync server's MAILDATA folder.
    pub server: PathBuf,
    /// Requestor evidence as given: `PATH` or `NET/PO=PATH`.
    pub requestors: Vec<String>,
    /// Write the repaired server and every output file into this folder.
    pub out_dir: Option<PathBuf>,
    /// Write the JSON report to this file.
    pub report: Option<PathBuf>,
    /// The file the caller prints the report to (`-o`; `-` or `None`:
    /// standard output): checked like every output before anything is read.
    pub print_to: Option<PathBuf>,
    /// The printed report is JSON (no text report is rendered).
    pub json: bool,
    /// How repair transactions express the hole.
    pub repair: RepairMode,
    /// Settle disagreeing authoritative sources: the newest wins.
    pub prefer_newest: bool,
    /// Replace existing outputs (and write into a non-empty `out_dir`).
    pub force: bool,
    /// How sources are read.
    pub load: LoadOptions,
    /// Base DN of merged.ldif and hole.ldif (`None`: o=msmail).
    pub base_dn: Option<String>,
    /// Which outputs `out_dir` gets (`None`: all), as given.
    pub outputs: Option<Vec<String>>,
    /// Schema of merged.ldif.
    pub schema: Schema,
    /// time32 stamp of new MSTTRANS/RESYNC records.
    pub stamp: Option<u32>,
    /// Cut full names over 30 and mailboxes over 10 characters in MS Mail files.
    pub truncate_names: bool,
    /// Write characters outside code page 850 as `?` in MS Mail files.
    pub replace_unencodable: bool,
    /// Control characters in MS Mail files.
    pub control: ControlRule,
    /// Measure the phases ([`Event::Timing`]).
    pub timings: bool,
}

/// What the run tells its caller on the way, in order.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A warning, one sentence.
    Warn(&'a str),
    /// A detail for `-v`.
    Detail(&'a str),
    /// A phase and its duration in seconds (only with `timings`).
    Timing(&'a str, f64),
}

/// Phase timings: the time since the previous mark.
#[derive(Debug, Clone)]
pub struct Phases {
    on: bool,
    last: std::time::Instant,
}

impl Phases {
    /// Starts measuring (`on`: report each mark).
    pub fn new(on: bool) -> Phases {
        Phases {
            on,
            last: std::time::Instant::now(),
        }
    }

    /// Ends a phase: its duration in seconds, when measuring.
    pub fn mark(&mut self) -> Option<f64> {
        if !self.on {
            return None;
        }
        let now = std::time::Instant::now();
        let secs = (now - self.last).as_secs_f64();
        self.last = now;
        Some(secs)
    }
}

/// The result of a run: the report and what to print.
pub struct ReconcileOutcome {
    /// The JSON report (also written to `--report`).
    pub report: Value,
    /// The text report (plain words, then the numbers), unless `json`.
    pub text: Option<String>,
    /// The next steps (copy the server back, REBUILD, RESYNC.GLB), with `out_dir`.
    pub steps: Option<String>,
    /// Some postoffice has a hole.
    pub has_hole: bool,
    /// The phase clock, for the caller's own last phase.
    pub phases: Phases,
    retained: (ServerInput, Reconciliation, RepairPlan),
}

impl ReconcileOutcome {
    /// The server as loaded (tree data, MSTTRANS, SRVCONF).
    pub fn server(&self) -> &ServerInput {
        &self.retained.0
    }

    /// The reconciliation: per postoffice, the hole, the numbers, the hazards.
    pub fn reconciliation(&self) -> &Reconciliation {
        &self.retained.1
    }

    /// The repair plan. Its `merged` directory is empty on a run without
    /// `out_dir` (no output reads it then); the postoffices' merged lists are
    /// still in [`ReconcileOutcome::reconciliation`].
    pub fn plan(&self) -> &RepairPlan {
        &self.retained.2
    }
}

/// Ends a phase, telling its duration when measuring.
fn mark(phases: &mut Phases, what: &str, tell: &mut dyn FnMut(Event<'_>)) {
    if let Some(s) = phases.mark() {
        tell(Event::Timing(what, s));
    }
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Refuses what cannot run, before anything is read: standard input, a
/// server that is no tree, bad `--outputs`/`--schema`/`--base-dn`, existing
/// outputs without `force`.
fn check_request(req: &ReconcileRequest) -> Result<OutputSet> {
    let out_dir = req.out_dir.as_ref();
    if req.requestors.iter().any(|r| r == "-" || r.ends_with("=-")) || is_stdin(&req.server) {
        return Err(Error::Usage(
            "reconcile reads no standard input (-): the report names every source, so \
             give the server and each requestor's evidence as files or folders"
                .into(),
        ));
    }
    // The server first, in the words every command uses for a tree.
    crate::input::require_tree(&req.server)?;
    let outputs = match &req.outputs {
        Some(list) => OutputSet::parse(list)?,
        None => OutputSet::default(),
    };
    let ad = req.schema == Schema::Ad;
    if out_dir.is_none() && (req.outputs.is_some() || ad) {
        return Err(Error::Usage(
            "--outputs and --schema choose what --out-dir gets; give --out-dir DIR".into(),
        ));
    }
    if ad && req.base_dn.is_none() {
        return Err(Error::Usage(
            "--schema ad needs --base-dn: the DN of the domain or of an existing OU \
             (e.g. --base-dn DC=corp,DC=example,DC=com)"
                .into(),
        ));
    }
    if let Some(out) = out_dir {
        check_out_dir(out, req.force)?;
        // A bad --base-dn must stop the run before anything is written.
        if let Some(dn) = &req.base_dn {
            let opts = crate::export::ldif::LdifOptions {
                schema: req.schema,
                ..crate::export::ldif::LdifOptions::new(dn)
            };
            crate::export::ldif::write_ldif_with(&Directory::new(), &mut std::io::sink(), &opts)?;
        }
    }
    if let Some(r) = &req.report {
        if !req.force && r.exists() {
            return Err(crate::output::already_exists(r));
        }
    }
    match &req.print_to {
        Some(p) if !req.force && !is_stdin(p) && p.exists() => {
            Err(crate::output::already_exists(p))
        }
        _ => Ok(outputs),
    }
}

/// Runs one reconcile: see the module documentation.
pub fn run_reconcile(
    req: &ReconcileRequest,
    tell: &mut dyn FnMut(Event<'_>),
) -> Result<ReconcileOutcome> {
    let outputs = check_request(req)?;
    let force = req.force;
    let out_dir = req.out_dir.as_ref();
    // As given (a requestor folder that stands for its one file is still an
    // input folder: an output inside it would be read as evidence next time).
    let given = req
        .requestors
        .iter()
        .map(|a| RequestorSource::parse(a))
        .collect::<Result<Vec<_>>>()?;
    let sources: Vec<RequestorSource> = given
        .iter()
        .cloned()
        .map(crate::reconcile::inputs::single_file_folder)
        .collect();
    let sources = crate::reconcile::inputs::prefer_bound(sources);
    let mut phases = Phases::new(req.timings);
    {
        let mut inputs: Vec<&Path> = vec![req.server.as_path()];
        inputs.extend(given.iter().map(|s| s.path.as_path()));
        inputs.extend(sources.iter().map(|s| s.path.as_path()));
        if let Some(out) = out_dir {
            crate::output::check_not_input(out, &inputs, "--out-dir")?;
        }
        if let Some(r) = &req.report {
            crate::output::check_not_input(r, &inputs, "--report")?;
        }
        if let Some(o) = req.print_to.as_deref().filter(|o| !is_stdin(o)) {
            crate::output::check_not_input(o, &inputs, "-o")?;
        }
    }
    let load = &req.load;
    tell(Event::Detail(&format!(
        "server {}, {} requestor sources",
        req.server.display(),
        sources.len()
    )));
    // The server and the requestors load in parallel; evidence stays in
    // argument order. The snapshot holds the lists; the writers need only the
    // tree's list metadata (names, mailbags, templates): the entries replaced
    // lists get are the merged ones. So the tree's entries are freed while
    // the snapshot is built (`load_server`).
    let (server, evidence) = rayon::join(
        || load_server(&req.server, load, out_dir.is_some()),
        || {
            sources
                .par_iter()
                .map(|s| load_evidence(s, load))
                .collect::<Result<Vec<_>>>()
        },
    );
    let mut server = server?;
    let evidence = evidence?;
    mark(
        &mut phases,
        "load (server and requestors, in parallel)",
        tell,
    );
    for w in &server.postoffice.warnings {
        tell(Event::Warn(&format!("{}: {w}", req.server.display())));
    }
    for f in &server.postoffice.findings {
        tell(Event::Warn(&format!("finding: {f}")));
    }
    for w in server
        .skipped
        .iter()
        .filter(|w| !server.postoffice.warnings.contains(w))
    {
        tell(Event::Warn(w));
    }
    let times: Vec<Option<i64>> = evidence.iter().map(|e| e.as_of).collect();
    // The hole is found per postoffice: each server view is then needed
    // only for its size (kept in `server_entries`), so it is freed there.
    let options = ReconcileOptions {
        prefer_newest: req.prefer_newest,
        drop_server_views: true,
    };
    // The writers need the tree data, MSTTRANS and SRVCONF, not the
    // snapshot's lists: they are moved into the server's views.
    let mut rec = reconcile(std::mem::take(&mut server.snapshot), evidence, &options)?;
    for w in &rec.warnings {
        tell(Event::Warn(w));
    }
    mark(&mut phases, "reconcile", tell);
    let plan = plan_repair(&rec, req.repair)?;
    // The merged directory is the only copy the writers need: the
    // postoffices' merged lists are moved into it. A report reads no
    // merged directory, so a run without --out-dir builds none.
    let merged = match out_dir {
        Some(_) => rec.take_merged_directory(),
        None => Directory::new(),
    };
    mark(&mut phases, "plan_repair", tell);
    let stamp = choose_stamp(&server, &times, req.stamp);
    let out_options = OutputOptions {
        base_dn: req
            .base_dn
            .clone()
            .unwrap_or_else(|| crate::export::DEFAULT_BASE_DN.to_string()),
        stamp: req.stamp,
        truncate_names: req.truncate_names,
        replace_unencodable: req.replace_unencodable,
        control: req.control,
        force,
        outputs,
        schema: req.schema,
    };
    let fit_changes = match out_dir {
        Some(_) => check_limits(&rec, &merged, &out_options)?,
        None => Vec::new(),
    };
    let lost_resync = lost_master_resync(&server, &rec);
    let p = OutputPlan {
        rec: &rec,
        plan: &plan,
        merged: &merged,
        stamp: &stamp,
        fit_changes: &fit_changes,
        server_skipped: &server.skipped,
        lost_master: (&server.lost_master, &lost_resync),
    };
    let (report, steps) = match out_dir {
        Some(out) => {
            let (written, report) = write_outputs(out, &server, &p, &out_options)?;
            (report, Some(next_steps(&p, out, &written)))
        }
        None => (report_json(&p, &[]), None),
    };
    let text = (!req.json).then(|| report_text(&p));
    mark(&mut phases, "outputs", tell);
    if let Some(r) = &req.report {
        crate::output::write_bytes_atomic(
            r,
            force,
            &crate::reconcile::output::report_bytes(&report),
        )?;
    }
    for w in &stamp.warnings {
        if out_dir.is_some() {
            tell(Event::Warn(w));
        }
    }
    let has_hole = rec.has_hole();
    Ok(ReconcileOutcome {
        report,
        text,
        steps,
        has_hole,
        phases,
        retained: (server, rec, plan),
    })
}
