//! `msmail diff A B`: forensic comparison of two sources of the same kind.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::common::{choose, Force, InputOptions, Inputs, OutputFile};
use crate::cli::{say, Outcome};
use crate::diff;
use crate::error::Result;

/// Report formats of `msmail diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DiffFormat {
    /// Human-readable text: summary first, then details.
    #[default]
    Text,
    /// One JSON document with stable field names.
    Json,
    /// One self-contained HTML page with a summary, charts and details.
    Html,
}

/// Arguments of `msmail diff`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail diff OLD.TXT NEW.TXT
  msmail diff before/MAILDATA after/MAILDATA --format html -o report.html
  msmail diff a.txt b.txt --json -o diff.json --force
  msmail export MAILDATA --format import | msmail diff OLD.TXT -

Exit codes: 0 identical, 1 differences found, 2 usage error (e.g. sources of
different kinds), 3 unreadable or damaged input, 4 output error.")]
pub struct DiffArgs {
    /// Source A, the "before" side (`-`: standard input).
    pub a: PathBuf,
    /// Source B, the "after" side (`-`: standard input).
    pub b: PathBuf,
    /// Report format.
    #[arg(long, value_enum, visible_alias = "to", value_name = "FORMAT")]
    pub format: Option<DiffFormat>,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// `-o/--output FILE`.
    #[command(flatten)]
    pub output: OutputFile,
    /// `--force`.
    #[command(flatten)]
    pub force: Force,
    /// `--encoding`, `--salvage`.
    #[command(flatten)]
    pub input: InputOptions,
}

/// Runs `msmail diff`.
pub fn run(args: DiffArgs) -> Result<Outcome> {
    let format = choose(args.format, args.json, DiffFormat::Json, DiffFormat::Text);
    let force = args.force.force;
    args.output
        .check_not_input(&[args.a.clone(), args.b.clone()])?;
    args.output.check(force)?;
    let inputs = Inputs::new(&[args.a.clone(), args.b.clone()])?;
    let (a, b) = (&inputs.paths[0], &inputs.paths[1]);
    say::detail(format!(
        "comparing {} with {}",
        inputs.name(a),
        inputs.name(b)
    ));
    let mut report =
        diff::compare_sources(a, b, &args.input.load()).map_err(|e| inputs.rename(e))?;
    report.a = inputs.name(a);
    report.b = inputs.name(b);
    let target = args.output.target(force);
    match format {
        DiffFormat::Text => target.write_view(|w| diff::text::render_text(&report, w))?,
        DiffFormat::Json => target.write_with(|w| diff::json::render_json(&report, w))?,
        DiffFormat::Html => target.write_with(|w| diff::html::render_html(&report, w))?,
    }
    say::detail(format!(
        "{} differences ({:?} report)",
        report.totals.differences(),
        format
    ));
    Ok(if report.identical {
        Outcome::Success
    } else {
        Outcome::Differences
    })
}
