//! `msmail diff A B`: forensic comparison of two sources of the same kind.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::cli::Outcome;
use crate::codepage::TextEncoding;
use crate::diff::{self, DiffReport};
use crate::error::{Error, Result};
use crate::output::OutputTarget;
use crate::source::{self, LoadOptions, SourceKind};

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

/// The kind name used in reports (`import-text`, ...).
fn kind_name(kind: SourceKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// Builds the comparison of two sources (the engine behind `msmail diff`).
/// Two folders: file-level comparison, plus the address lists when both are
/// recognised sources. Two files: both must be of the same kind.
pub fn compare(a: &Path, b: &Path, options: &LoadOptions) -> Result<DiffReport> {
    for p in [a, b] {
        if !p.exists() {
            return Err(Error::read(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            ));
        }
    }
    let (name_a, name_b) = (a.display().to_string(), b.display().to_string());
    match (a.is_dir(), b.is_dir()) {
        (true, true) => {
            let files = diff::diff_files(a, b)?;
            let (kind, directory) = match (source::detect(a), source::detect(b)) {
                (Ok(ka), Ok(kb)) if ka == kb => {
                    let da = source::load_directory(a, options)?.directory;
                    let db = source::load_directory(b, options)?.directory;
                    (kind_name(ka), Some(diff::diff_directories(&da, &db)))
                }
                (Ok(ka), Ok(kb)) => {
                    return Err(Error::Usage(format!(
                        "{name_a} is {} but {name_b} is {}: diff compares two sources of the same kind",
                        kind_name(ka),
                        kind_name(kb)
                    )))
                }
                // Folders msmail does not recognise as a source: files only.
                _ => ("folder".to_string(), None),
            };
            Ok(DiffReport::new(
                kind,
                name_a,
                name_b,
                directory,
                None,
                None,
                Some(files),
            ))
        }
        (false, false) => {
            let ka = source::detect(a)?;
            let kb = source::detect(b)?;
            if ka != kb {
                return Err(Error::Usage(format!(
                    "{name_a} is {} but {name_b} is {}: diff compares two sources of the same kind",
                    kind_name(ka),
                    kind_name(kb)
                )));
            }
            let da = source::load_directory(a, options)?.directory;
            let db = source::load_directory(b, options)?.directory;
            Ok(DiffReport::new(
                kind_name(ka),
                name_a,
                name_b,
                Some(diff::diff_directories(&da, &db)),
                None,
                None,
                None,
            ))
        }
        _ => Err(Error::Usage(format!(
            "one of {name_a} and {name_b} is a folder and the other a file: diff compares two sources of the same kind"
        ))),
    }
}

/// Runs `msmail diff`.
pub fn run(args: DiffArgs) -> Result<Outcome> {
    let options = LoadOptions {
        encoding: args.encoding,
        salvage: args.salvage,
    };
    let report = compare(&args.a, &args.b, &options)?;
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
