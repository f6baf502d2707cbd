//! `msmail reconcile`: find the Dir-Sync restore hole and write the repair.
//! Thin: load (reconcile::inputs), reconcile + plan (reconcile), write
//! (reconcile::output), print.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use crate::cli::export::DEFAULT_BASE_DN;
use crate::cli::Outcome;
use crate::codepage::TextEncoding;
use crate::error::{Error, Result};
use crate::model::Directory;
use crate::output::OutputTarget;
use crate::reconcile::inputs::{load_evidence, load_server_lean, RequestorSource};
use crate::reconcile::output::{
    check_limits, check_out_dir, choose_stamp, lost_master_resync, next_steps, report_bytes,
    report_json, report_text, write_outputs, ControlRule, OutputOptions, OutputPlan,
};
use crate::reconcile::{plan_repair_taking, reconcile_taking, ReconcileOptions, RepairMode};
use crate::source::LoadOptions;

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
  # report only: what the restored server lost, per postoffice
  msmail reconcile --server /mnt/restored/MAILDATA \\
      --requestor exports/SEATTLE.TXT --requestor /mnt/paris/MAILDATA \\
      --requestor WESTNET/OSLO=oslo-glb/

  # write the repaired server, RESYNC.GLB, repair.txt, merged.csv/ldif, hole.ldif
  msmail reconcile --server /mnt/restored/MAILDATA --requestor exports/* \\
      --out repair/ --base-dn dc=example,dc=com --stamp 767404800

  # in a script: exit 1 when any postoffice has a hole
  msmail reconcile --server S --requestor R1 --requestor R2 --json --fail-on-hole

  # MS Mail files get a space for control characters in template values
  msmail reconcile --server S --requestor R1 --out repair/ --control-chars space

A SOURCE is an export (import text, transaction file with R PCM:NET/PO, a
[DIRSYNC] TASK=EXPORT message, an IMPORT -X extract), a requestor's live
MAILDATA tree, or a folder with its REQCONF.GLB/REQTRANS.GLB (numbers,
pending transactions, and a full export queued there). The report says per
source what was taken from it and what not.
NET/PO=SOURCE binds a source whose content does not name its postoffice
(an IMPORT -X extract always needs it); a path given both plain (e.g. by a
glob) and bound counts once, bound.

--out is built beside DIR and renamed into place (a failed run leaves
nothing), then the next steps are printed: copy DIR/server back, REBUILD or
not, RESYNC.GLB for which requestors. No output may lie inside an input.

Exit codes: 0 done, 1 a hole was found with --fail-on-hole, 2 usage error (also
a binding that matches no postoffice), 3 unreadable/damaged/empty input or
disagreeing sources, 4 output refused or failed (non-empty --out without
--force, an output inside an input, entries MS Mail files cannot carry).")]
pub struct ReconcileArgs {
    /// The restored Dir-Sync server's MAILDATA folder.
    #[arg(long, value_name = "DIR")]
    pub server: PathBuf,
    /// Requestor evidence: PATH or NET/PO=PATH (repeat; also several values).
    #[arg(long, value_name = "SOURCE", required = true, num_args = 1..)]
    pub requestor: Vec<String>,
    /// Write the repaired server and every output file into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// How repair transactions express the hole.
    #[arg(long, value_enum, default_value = "delta")]
    pub repair: RepairArg,
    /// Exit with 1 when any postoffice has a hole (after writing the outputs).
    #[arg(long)]
    pub fail_on_hole: bool,
    /// Settle disagreeing authoritative sources for one postoffice.
    #[arg(long, value_enum)]
    pub prefer: Option<PreferArg>,
    /// Write into a non-empty --out folder and replace existing files.
    #[arg(long)]
    pub force: bool,
    /// Read on past damaged records (each is reported) instead of stopping.
    #[arg(long)]
    pub salvage: bool,
    /// Encoding of text sources.
    #[arg(long, value_enum, default_value = "cp850")]
    pub encoding: TextEncoding,
    /// Base DN of merged.ldif and hole.ldif (default o=msmail).
    #[arg(long = "base-dn", value_name = "DN")]
    pub base_dn: Option<String>,
    /// time32 stamp of new MSTTRANS/RESYNC records (default: latest time in the inputs).
    #[arg(long, value_name = "UNIXTIME")]
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
    /// Print the JSON report instead of the text summary.
    #[arg(long)]
    pub json: bool,
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
        if self.on {
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
    if let Some(out) = &args.out {
        check_out_dir(out, args.force)?;
        // A bad --base-dn must stop the run before anything is written.
        if let Some(dn) = &args.base_dn {
            crate::export::ldif::write_ldif(&Directory::new(), &mut std::io::sink(), dn)?;
        }
    }
    if let Some(r) = &args.report {
        if !args.force && r.exists() {
            return Err(Error::output(
                r,
                "already exists; use --force to replace it",
            ));
        }
    }
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
        if let Some(out) = &args.out {
            crate::output::check_not_input(out, &inputs, "--out")?;
        }
        if let Some(r) = &args.report {
            crate::output::check_not_input(r, &inputs, "--report")?;
        }
    }
    let load = LoadOptions {
        encoding: args.encoding,
        salvage: args.salvage,
    };
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
        eprintln!("msmail: warning: {}: {w}", args.server.display());
    }
    for f in &server.postoffice.findings {
        eprintln!("msmail: finding: {f}");
    }
    for w in server
        .skipped
        .iter()
        .filter(|w| !server.postoffice.warnings.contains(w))
    {
        eprintln!("msmail: warning: {w}");
    }
    let times: Vec<Option<i64>> = evidence.iter().map(|e| e.as_of).collect();
    let options = ReconcileOptions {
        prefer_newest: args.prefer == Some(PreferArg::Newest),
    };
    // The writers need the tree data, MSTTRANS and SRVCONF, not the
    // snapshot's lists: they are moved into the server's views.
    let mut rec = reconcile_taking(&mut server.snapshot, evidence, &options)?;
    for w in &rec.warnings {
        eprintln!("msmail: warning: {w}");
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
        force: args.force,
    };
    let fit_changes = match &args.out {
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
    let (report, steps) = match &args.out {
        Some(out) => {
            let (written, report) = write_outputs(out, &server, &p, &out_options)?;
            (report, Some(next_steps(&p, out, &written)))
        }
        None => (report_json(&p, &[]), None),
    };
    phase.mark("outputs");
    if let Some(r) = &args.report {
        crate::output::write_bytes_atomic(r, args.force, &report_bytes(&report))?;
    }
    for w in &stamp.warnings {
        if args.out.is_some() {
            eprintln!("msmail: warning: {w}");
        }
    }
    OutputTarget::Stdout.write_with(|w| {
        if args.json {
            w.write_all(&report_bytes(&report))
        } else {
            w.write_all(report_text(&p).as_bytes())?;
            match &steps {
                Some(s) => w.write_all(s.as_bytes()),
                None => Ok(()),
            }
        }
    })?;
    if let (true, Some(s)) = (args.json, &steps) {
        eprint!("{s}");
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
