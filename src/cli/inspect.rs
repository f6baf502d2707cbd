//! `msmail inspect`: identify files or MAILDATA trees and check them
//! (engine in `crate::inspect`).

use clap::Args;

use crate::cli::common::{choose, Force, Inputs, OutputFile, ReportFormat, STDIN_NAME};
use crate::cli::{say, Outcome};
use crate::error::{Error, Result};

/// Arguments of `msmail inspect`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail inspect /mnt/backup/MAILDATA              whole tree: sizes, ACCESS counts, shadows,
                                                   pointers, group chains, GAL order, CRCs, syncs
  msmail inspect GLB/MSTTRANS.GLB GLB/SRVCONF.GLB  single files, identified by name, size, content
  msmail inspect MAILDATA --format json -o findings.json   for programs (codes in docs/inspect.md)

Exit codes: 0 clean (warnings and info allowed), 3 when any finding is an error, 2 usage, \
4 output error.")]
pub struct InspectArgs {
    /// Files or MAILDATA folders (`-`: standard input).
    #[arg(required = true, value_name = "PATH")]
    pub inputs: Vec<std::path::PathBuf>,
    /// Report format.
    #[arg(long, value_enum, visible_alias = "to", value_name = "FORMAT")]
    pub format: Option<ReportFormat>,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// `-o/--output FILE`.
    #[command(flatten)]
    pub output: OutputFile,
    /// `--force`.
    #[command(flatten)]
    pub force: Force,
}

/// Runs `msmail inspect`.
pub fn run(args: InspectArgs) -> Result<Outcome> {
    let format = choose(
        args.format,
        args.json,
        ReportFormat::Json,
        ReportFormat::Text,
    );
    let force = args.force.force;
    args.output.check_not_input(&args.inputs)?;
    args.output.check(force)?;
    let inputs = Inputs::new(&args.inputs)?;
    let report = crate::inspect::inspect_paths(&inputs.paths);
    let render = |w: &mut dyn std::io::Write| match format {
        ReportFormat::Json => crate::inspect::write_json(&report, w),
        ReportFormat::Text => crate::inspect::write_text(&report, w),
    };
    let target = args.output.target(force);
    match inputs.paths.iter().find(|p| inputs.name(p) == STDIN_NAME) {
        // Standard input was read from a temporary copy: the report names it `<stdin>`.
        Some(p) => {
            let mut bytes = Vec::new();
            render(&mut bytes).map_err(|e| Error::output("<report>", e.to_string()))?;
            let text =
                String::from_utf8_lossy(&bytes).replace(&p.display().to_string(), STDIN_NAME);
            match format {
                ReportFormat::Json => target.write_with(|w| w.write_all(text.as_bytes()))?,
                ReportFormat::Text => target.write_view(|w| w.write_all(text.as_bytes()))?,
            }
        }
        None => match format {
            ReportFormat::Json => target.write_with(render)?,
            ReportFormat::Text => target.write_view(render)?,
        },
    }
    let s = report.summary();
    say::detail(format!(
        "inspected {}: {} errors, {} warnings",
        plural_paths(inputs.paths.len()),
        s.errors,
        s.warnings
    ));
    if report.has_errors() {
        say::note(format!(
            "inspect: {} finding(s) of error severity (exit 3)",
            s.errors
        ));
        return Ok(Outcome::DamagedInput);
    }
    Ok(Outcome::Success)
}

fn plural_paths(n: usize) -> String {
    if n == 1 {
        "1 path".into()
    } else {
        format!("{n} paths")
    }
}
