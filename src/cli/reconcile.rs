//! `msmail reconcile`: find the Dir-Sync restore hole and write the repair.
//! Thin: load (reconcile::inputs), reconcile + plan (reconcile), write
//! (reconcile::output), print.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use crate::cli::common::{
    choose, exists, is_stdin, parse_time32, require_tree, Force, InputOptions, OptionalOutDir,
    OutputFile, ReportFormat,
};
use crate::cli::export::DEFAULT_BASE_DN;
use crate::cli::{say, Outcome};
use crate::error::{Error, Result};
use crate::model::Directory;
use crate::reconcile::inputs::{load_evidence, load_server_lean, RequestorSource};
use crate::reconcile::output::{
    check_limits, check_out_dir, choose_stamp, lost_master_resync, next_steps, report_bytes,
    report_json, report_text, write_outputs, ControlRule, OutputOptions, OutputPlan, OutputSet,
};
use crate::reconcile::{plan_repair_taking, reconcile_taking, ReconcileOptions, RepairMode};

/// `--repair`: how the repair transactions express the hole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RepairArg {
    /// One `A`/`D` per hole entry.
    Delta,
    /// `R PCM:NET/PO` and the whole merged list of each postoffice with a hole.
    Full,
}

/// `--prefer`: how to settle disagreeing authoritative sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PreferArg {
    /// The newest source wins (by time, then ReqSync, then command-line order).
    Newest,
}

/// Arguments of `msmail reconcile`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  # report only: what the restored server lost, per postoffice, in plain words first
  msmail reconcile --server /mnt/restored/MAILDATA \\
      --requestor exports/SEATTLE.TXT --requestor /mnt/paris/MAILDATA \\
      --requestor WESTNET/OSLO=oslo-glb/

  # write the repaired server, RESYNC.GLB, repair.txt, merged.csv/ldif, hole.ldif
  msmail reconcile --server /mnt/restored/MAILDATA --requestor exports/* \\
      --out-dir repair/ --base-dn dc=example,dc=com --stamp 767404800

  # in a script: exit 1 when any postoffice has a hole
  msmail reconcile --server S --requestor R1 --requestor R2 --json --fail-on-hole

  # MS Mail files get a space for control characters in template values
  msmail reconcile --server S --requestor R1 --out-dir repair/ --control-chars space

A SOURCE is an export (import text, transaction file with R PCM:NET/PO, a
[DIRSYNC] TASK=EXPORT message, an IMPORT -X extract), a requestor's live
MAILDATA tree, or a folder with its REQCONF.GLB/REQTRANS.GLB (numbers,
pending transactions, and a full export queued there). The report says per
source what was taken from it and what not.
NET/PO=SOURCE binds a source whose content does not name its postoffice
(an IMPORT -X extract always needs it); a path given both plain (e.g. by a
glob) and bound counts once, bound.

--out-dir (or --out) is built beside DIR and renamed into place (a failed run leaves
nothing), then the next steps are printed: copy DIR/server back, REBUILD or
not, RESYNC.GLB for which requestors. No output may lie inside an input.

Exit codes: 0 done, 1 a hole was found with --fail-on-hole, 2 usage error (also
a binding that matches no postoffice), 3 unreadable/damaged/empty input or
disagreeing sources, 4 output refused or failed (non-empty --out-dir without
--force, an output inside an input, entries MS Mail files cannot carry).")]
pub struct ReconcileArgs {
    /// The restored Dir-Sync server's MAILDATA folder.
    #[arg(long, value_name = "DIR")]
    pub server: PathBuf,
    /// Requestor evidence: PATH or NET/PO=PATH (repeat; also several values).
    #[arg(long, value_name = "SOURCE", required = true, num_args = 1..)]
    pub requestor: Vec<String>,
    /// `--out-dir DIR` (alias `--out`): write the repaired server and every
    /// output file into DIR.
    #[command(flatten)]
    pub out_dir: OptionalOutDir,
    /// Write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Format of the report printed (or written with -o).
    #[arg(long, value_enum, visible_alias = "to", value_name = "FORMAT")]
    pub format: Option<ReportFormat>,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// `-o/--output FILE`: the printed report.
    #[command(flatten)]
    pub output: OutputFile,
    /// How repair transactions express the hole.
    #[arg(long, value_enum, default_value = "delta")]
    pub repair: RepairArg,
    /// Exit with 1 when any postoffice has a hole (after writing the outputs).
    #[arg(long)]
    pub fail_on_hole: bool,
    /// Settle disagreeing authoritative sources for one postoffice.
    #[arg(long, value_enum)]
    pub prefer: Option<PreferArg>,
    /// `--force`: write into a non-empty --out-dir and replace existing files.
    #[command(flatten)]
    pub force: Force,
    /// `--encoding`, `--salvage`.
    #[command(flatten)]
    pub input: InputOptions,
    /// Base DN of merged.ldif and hole.ldif (default o=msmail; with
    /// --schema ad required: the domain or an existing OU).
    #[arg(long = "base-dn", value_name = "DN")]
    pub base_dn: Option<String>,
    /// Which outputs --out-dir gets, comma-separated: csv, ldif, json,
    /// import (repair.txt), resync (RESYNC.GLB), server (the repaired tree);
    /// default all. report.txt and report.json are always written.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub outputs: Option<Vec<String>>,
    /// Schema of merged.ldif: openldap (inetOrgPerson, groupOfNames; with
    /// hole.ldif) or ad (contact, group; no hole.ldif).
    #[arg(long, value_enum, default_value = "openldap")]
    pub schema: crate::export::person::Schema,
    /// time32 stamp of new MSTTRANS/RESYNC records: seconds since 1970-01-01
    /// 00:00 UTC, 0 to 4294967295 (default: the latest time in the inputs).
    #[arg(long, value_name = "UNIXTIME", allow_negative_numbers = true,
          value_parser = parse_time32)]
    pub stamp: Option<u32>,
    /// Cut full names over 30 and mailboxes over 10 characters in MS Mail files.
    #[arg(long)]
    pub truncate_names: bool,
    /// Write characters outside code page 850 as `?` in MS Mail files.
    #[arg(long)]
    pub replace_unencodable: bool,
    /// Control characters (CR, LF, TAB...) in names and template values, a
    /// template value's leading `/`, a prompt's `~`, in MS Mail files:
    /// refuse (default), write a space, or drop them. CSV/LDIF/JSON keep them.
    #[arg(long, value_enum, value_name = "RULE", default_value = "refuse")]
    pub control_chars: ControlRule,
}

/// Phase timings on stderr when `MSMAIL_TIMINGS` is set (for benchmarks).
struct Phases {
    on: bool,
    last: std::time::Instant,
}

impl Phases {
    fn new() -> Phases {
        Phases {
            on: std::env::var_os("MSMAIL_TIMINGS").is_some(),
            last: std::time::Instant::now(),
        }
    }
    fn mark(&mut self, what: &str) {
        if self.on || say::level() >= 2 {
            let now = std::time::Instant::now();
            eprintln!(
                "msmail: timing: {what}: {:.2} s",
                (now - self.last).as_secs_f64()
            );
            self.last = now;
        }
    }
}

/// Runs `msmail reconcile`.
pub fn run(args: ReconcileArgs) -> Result<Outcome> {
    let force = args.force.force;
    let json = choose(
        args.format,
        args.json,
        ReportFormat::Json,
        ReportFormat::Text,
    ) == ReportFormat::Json;
    let out_dir = args.out_dir.out_dir.as_ref();
    if args.requestor.iter().any(|r| r == "-" || r.ends_with("=-")) || is_stdin(&args.server) {
        return Err(Error::Usage(
            "reconcile reads no standard input (-): the report names every source, so \
             give the server and each requestor's evidence as files or folders"
                .into(),
        ));
    }
    // The server first, in the words every command uses for a tree.
    require_tree(&args.server)?;
    let outputs = match &args.outputs {
        Some(list) => OutputSet::parse(list)?,
        None => OutputSet::default(),
    };
    let ad = args.schema == crate::export::person::Schema::Ad;
    if out_dir.is_none() && (args.outputs.is_some() || ad) {
        return Err(Error::Usage(
            "--outputs and --schema choose what --out-dir gets; give --out-dir DIR".into(),
        ));
    }
    if ad && args.base_dn.is_none() {
        return Err(Error::Usage(
            "--schema ad needs --base-dn: the DN of the domain or of an existing OU \
             (e.g. --base-dn DC=corp,DC=example,DC=com)"
                .into(),
        ));
    }
    if let Some(out) = out_dir {
        check_out_dir(out, force)?;
        // A bad --base-dn must stop the run before anything is written.
        if let Some(dn) = &args.base_dn {
            let opts = crate::export::ldif::LdifOptions {
                schema: args.schema,
                ..crate::export::ldif::LdifOptions::new(dn)
            };
            crate::export::ldif::write_ldif_with(&Directory::new(), &mut std::io::sink(), &opts)?;
        }
    }
    if let Some(r) = &args.report {
        if !force && r.exists() {
            return Err(exists(r));
        }
    }
    args.output.check(force)?;
    // As given (a requestor folder that stands for its one file is still an
    // input folder: an output inside it would be read as evidence next time).
    let given = args
        .requestor
        .iter()
        .map(|a| RequestorSource::parse(a))
        .collect::<Result<Vec<_>>>()?;
    let sources: Vec<RequestorSource> = given
        .iter()
        .cloned()
        .map(crate::reconcile::inputs::single_file_folder)
        .collect();
    let sources = crate::reconcile::inputs::prefer_bound(sources);
    let mut phase = Phases::new();
    {
        let mut inputs: Vec<&std::path::Path> = vec![args.server.as_path()];
        inputs.extend(given.iter().map(|s| s.path.as_path()));
        inputs.extend(sources.iter().map(|s| s.path.as_path()));
        if let Some(out) = out_dir {
            crate::output::check_not_input(out, &inputs, "--out-dir")?;
        }
        if let Some(r) = &args.report {
            crate::output::check_not_input(r, &inputs, "--report")?;
        }
        if let Some(o) = args.output.output.as_deref().filter(|o| !is_stdin(o)) {
            crate::output::check_not_input(o, &inputs, "-o")?;
        }
    }
    let load = args.input.load();
    say::detail(format!(
        "server {}, {} requestor sources",
        args.server.display(),
        sources.len()
    ));
    // The server and the requestors load in parallel; evidence stays in
    // argument order. The snapshot holds the lists; the writers need only the
    // tree's list metadata (names, mailbags, templates): the entries replaced
    // lists get are the merged ones. So the tree's entries are freed while
    // the snapshot is built (`load_server_lean`).
    let (server, evidence) = rayon::join(
        || load_server_lean(&args.server, &load),
        || {
            sources
                .par_iter()
                .map(|s| load_evidence(s, &load))
                .collect::<Result<Vec<_>>>()
        },
    );
    let mut server = server?;
    let evidence = evidence?;
    phase.mark("load (server and requestors, in parallel)");
    for w in &server.postoffice.warnings {
        say::warn(format!("{}: {w}", args.server.display()));
    }
    for f in &server.postoffice.findings {
        say::warn(format!("finding: {f}"));
    }
    for w in server
        .skipped
        .iter()
        .filter(|w| !server.postoffice.warnings.contains(w))
    {
        say::warn(w);
    }
    let times: Vec<Option<i64>> = evidence.iter().map(|e| e.as_of).collect();
    let options = ReconcileOptions {
        prefer_newest: args.prefer == Some(PreferArg::Newest),
    };
    // The writers need the tree data, MSTTRANS and SRVCONF, not the
    // snapshot's lists: they are moved into the server's views.
    let mut rec = reconcile_taking(&mut server.snapshot, evidence, &options)?;
    for w in &rec.warnings {
        say::warn(w);
    }
    // The hole is found: the server's views are needed only for their sizes
    // (kept in `server_entries`). Freed on another thread, off the critical path.
    let views: Vec<Directory> = rec
        .postoffices
        .iter_mut()
        .map(|p| std::mem::take(&mut p.server_view))
        .collect();
    let freeing = std::thread::spawn(move || drop(views));
    phase.mark("reconcile");
    let mode = match args.repair {
        RepairArg::Delta => RepairMode::Delta,
        RepairArg::Full => RepairMode::Full,
    };
    // The plan's merged directory is the only copy the writers need: the
    // postoffices' merged lists are moved into it.
    let plan = plan_repair_taking(&mut rec, mode)?;
    let _ = freeing.join();
    phase.mark("plan_repair");
    let stamp = choose_stamp(&server, &times, args.stamp);
    let out_options = OutputOptions {
        base_dn: args
            .base_dn
            .clone()
            .unwrap_or_else(|| DEFAULT_BASE_DN.to_string()),
        stamp: args.stamp,
        truncate_names: args.truncate_names,
        replace_unencodable: args.replace_unencodable,
        control: args.control_chars,
        force,
        outputs,
        schema: args.schema,
    };
    let fit_changes = match out_dir {
        Some(_) => check_limits(&rec, &plan.merged, &out_options)?,
        None => Vec::new(),
    };
    let lost_resync = lost_master_resync(&server, &rec);
    let p = OutputPlan {
        rec: &rec,
        plan: &plan,
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
    phase.mark("outputs");
    if let Some(r) = &args.report {
        crate::output::write_bytes_atomic(r, force, &report_bytes(&report))?;
    }
    for w in &stamp.warnings {
        if out_dir.is_some() {
            say::warn(w);
        }
    }
    let target = args.output.target(force);
    if json {
        target.write_with(|w| w.write_all(&report_bytes(&report)))?;
    } else {
        target.write_view(|w| {
            w.write_all(report_text(&p).as_bytes())?;
            match &steps {
                Some(s) => w.write_all(s.as_bytes()),
                None => Ok(()),
            }
        })?;
    }
    if let (true, Some(s)) = (json, &steps) {
        if say::chatty() {
            eprint!("{}", say::clean(s));
        }
    }
    let outcome = if args.fail_on_hole && rec.has_hole() {
        Outcome::Differences
    } else {
        Outcome::Success
    };
    phase.mark("print");
    // The process exits next: freeing millions of small allocations one by
    // one would cost seconds on a large directory, and the OS reclaims them.
    std::mem::forget((server, rec, plan, report));
    Ok(outcome)
}
