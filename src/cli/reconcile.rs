//! `msmail reconcile`: find the Dir-Sync restore hole and write the repair.
//! Thin: the arguments become a [`ReconcileRequest`], the library runs it
//! ([`run_reconcile`]: load, reconcile, plan, write), this prints the report.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::common::{
    choose, parse_time32, Force, InputOptions, OptionalOutDir, OutputFile, ReportFormat,
};
use crate::cli::{say, Outcome};
use crate::error::Result;
use crate::reconcile::output::{report_bytes, ControlRule};
use crate::reconcile::pipeline::{run_reconcile, Event, ReconcileRequest};
use crate::reconcile::RepairMode;

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

/// Runs `msmail reconcile`: the library's pipeline
/// ([`crate::reconcile::pipeline`]), then the report printed.
pub fn run(args: ReconcileArgs) -> Result<Outcome> {
    let force = args.force.force;
    let json = choose(
        args.format,
        args.json,
        ReportFormat::Json,
        ReportFormat::Text,
    ) == ReportFormat::Json;
    let request = ReconcileRequest {
        server: args.server.clone(),
        requestors: args.requestor.clone(),
        out_dir: args.out_dir.out_dir.clone(),
        report: args.report.clone(),
        print_to: args.output.output.clone(),
        json,
        repair: match args.repair {
            RepairArg::Delta => RepairMode::Delta,
            RepairArg::Full => RepairMode::Full,
        },
        prefer_newest: args.prefer == Some(PreferArg::Newest),
        force,
        load: args.input.load(),
        base_dn: args.base_dn.clone(),
        outputs: args.outputs.clone(),
        schema: args.schema,
        stamp: args.stamp,
        truncate_names: args.truncate_names,
        replace_unencodable: args.replace_unencodable,
        control: args.control_chars,
        // Phase timings on stderr when `MSMAIL_TIMINGS` is set (for
        // benchmarks) or with -vv.
        timings: std::env::var_os("MSMAIL_TIMINGS").is_some() || say::level() >= 2,
    };
    let mut outcome = run_reconcile(&request, &mut tell)?;
    let target = args.output.target(force);
    if json {
        target.write_with(|w| w.write_all(&report_bytes(&outcome.report)))?;
    } else {
        target.write_view(|w| {
            w.write_all(outcome.text.as_deref().unwrap_or_default().as_bytes())?;
            match &outcome.steps {
                Some(s) => w.write_all(s.as_bytes()),
                None => Ok(()),
            }
        })?;
    }
    if let (true, Some(s)) = (json, &outcome.steps) {
        if say::chatty() {
            eprint!("{}", say::clean(s));
        }
    }
    let result = if args.fail_on_hole && outcome.has_hole {
        Outcome::Differences
    } else {
        Outcome::Success
    };
    if let Some(s) = outcome.phases.mark() {
        tell(Event::Timing("print", s));
    }
    Ok(result)
}

/// Says what the pipeline tells, at the level `-q`/`-v` chose.
fn tell(event: Event<'_>) {
    match event {
        Event::Warn(w) => say::warn(w),
        Event::Detail(d) => say::detail(d),
        Event::Timing(what, secs) => eprintln!(
            "msmail: timing: {what}: {secs:.2} s{}",
            crate::memory::resident_note()
        ),
    }
}
