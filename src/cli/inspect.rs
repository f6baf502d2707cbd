//! `msmail inspect`: identify files or MAILDATA trees and check them
//! (engine in `crate::inspect`).

use clap::Args;

use crate::cli::Outcome;
use crate::error::{Error, Result};
use crate::output::OutputTarget;

/// Arguments of `msmail inspect`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail inspect /mnt/backup/MAILDATA              whole tree: sizes, ACCESS counts, shadows,
                                                   pointers, group chains, GAL order, CRCs, syncs
  msmail inspect GLB/MSTTRANS.GLB GLB/SRVCONF.GLB  single files, identified by name, size, content
  msmail inspect MAILDATA --json -o findings.json  for programs (codes in docs/inspect.md)

Exit codes: 0 clean (warnings and info allowed), 3 when any finding is an error, 2 usage, \
4 output error.")]
pub struct InspectArgs {
    /// Files or MAILDATA folders.
    #[arg(required = true, value_name = "PATH")]
    pub inputs: Vec<std::path::PathBuf>,
    /// JSON instead of the text report.
    #[arg(long)]
    pub json: bool,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// Runs `msmail inspect`.
pub fn run(args: InspectArgs) -> Result<Outcome> {
    if let Some(o) = args.output.as_deref().filter(|o| o.as_os_str() != "-") {
        let inputs: Vec<&std::path::Path> = args.inputs.iter().map(|p| p.as_path()).collect();
        crate::output::check_not_input(o, &inputs, "-o")?;
    }
    if let (Some(out), false) = (&args.output, args.force) {
        if out.as_os_str() != "-" && out.exists() {
            return Err(Error::output(
                out,
                "already exists; use --force to replace it",
            ));
        }
    }
    let report = crate::inspect::inspect_paths(&args.inputs);
    let target = OutputTarget::from_arg(args.output.as_deref(), args.force);
    target.write_with(|w| {
        if args.json {
            crate::inspect::write_json(&report, w)
        } else {
            crate::inspect::write_text(&report, w)
        }
    })?;
    if report.has_errors() {
        let s = report.summary();
        eprintln!(
            "msmail: inspect: {} finding(s) of error severity (exit 3)",
            s.errors
        );
        return Ok(Outcome::DamagedInput);
    }
    Ok(Outcome::Success)
}
