//! `msmail diff A B`: forensic comparison of two sources of the same kind.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::Outcome;
use crate::codepage::TextEncoding;
use crate::diff;
use crate::error::Result;
use crate::output::OutputTarget;
use crate::source::LoadOptions;

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
  msmail diff a.txt b.txt --format json -o diff.json --force

Exit codes: 0 identical, 1 differences found, 2 usage error (e.g. sources of
different kinds), 3 unreadable or damaged input, 4 output error.")]
pub struct DiffArgs {
    /// Source A (the \"before\" side).
    pub a: PathBuf,
    /// Source B (the \"after\" side).
    pub b: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Write the report to FILE instead of standard output (`-` = stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// Encoding of text inputs.
    #[arg(long, value_enum, default_value_t = TextEncoding::Cp850)]
    pub encoding: TextEncoding,
    /// Read past damaged records instead of stopping at the first one.
    #[arg(long)]
    pub salvage: bool,
}

/// Runs `msmail diff`.
pub fn run(args: DiffArgs) -> Result<Outcome> {
    if let Some(o) = args.output.as_deref().filter(|o| o.as_os_str() != "-") {
        crate::output::check_not_input(o, &[args.a.as_path(), args.b.as_path()], "-o")?;
    }
    let options = LoadOptions {
        encoding: args.encoding,
        salvage: args.salvage,
    };
    let report = diff::compare_sources(&args.a, &args.b, &options)?;
    let target = OutputTarget::from_arg(args.output.as_deref(), args.force);
    target.write_with(|w| match args.format {
        DiffFormat::Text => diff::text::render_text(&report, w),
        DiffFormat::Json => diff::json::render_json(&report, w),
        DiffFormat::Html => diff::html::render_html(&report, w),
    })?;
    Ok(if report.identical {
        Outcome::Success
    } else {
        Outcome::Differences
    })
}
