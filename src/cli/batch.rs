//! `msmail batch`: convert many sources in parallel, with progress and a summary.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::batch::{self, BatchItem, BatchOptions, Target, WriterOptions};
use crate::cli::export::DEFAULT_BASE_DN;
use crate::cli::Outcome;
use crate::codepage::TextEncoding;
use crate::error::{Error, Location, Result};
use crate::export::csv::CsvProfile;
use crate::source::LoadOptions;

/// Arguments of `msmail batch`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail batch --to csv --out converted/ exports/*.TXT
  msmail batch --to ldif --out ldif/ --jobs 2 --manifest sources.lst
  msmail batch --to import --out out/ 'backups/**/*.txt' --force

Each SOURCE becomes DIR/<name>.<ext> (name from the source's file name; clashes
get -2, -3, ... in input order). DIR/summary.json lists every source with its
status, entries, output file and error. Exit 0 when all succeeded, 3 when any failed.")]
pub struct BatchArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub to: Target,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// File listing sources, one per line (`#` starts a comment line).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Replace existing outputs and summary.
    #[arg(long)]
    pub force: bool,
    /// Encoding of text inputs.
    #[arg(long, value_enum, default_value_t = TextEncoding::Cp850)]
    pub encoding: TextEncoding,
    /// Read past damaged records instead of stopping at the first one.
    #[arg(long)]
    pub salvage: bool,
    /// Base DN for LDIF output (default o=msmail).
    #[arg(long = "base-dn", value_name = "DN")]
    pub base_dn: Option<String>,
    /// CSV layout: msmail's own columns or the Exchange directory import.
    #[arg(long = "csv-profile", value_enum, default_value = "default")]
    pub csv_profile: CsvProfile,
    /// JSON as one object per line (outputs named .ndjson).
    #[arg(long)]
    pub ndjson: bool,
    /// Sources: files, folders or glob patterns.
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
}

fn print_table(items: &[BatchItem]) {
    let w = items
        .iter()
        .map(|i| i.source.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 60);
    eprintln!(
        "{:<w$}  {:<6}  {:>9}  output / error",
        "source", "status", "entries"
    );
    for i in items {
        let last = match (&i.output, &i.error) {
            (_, Some(e)) => e.as_str(),
            (Some(o), None) => o.as_str(),
            (None, None) => "",
        };
        eprintln!(
            "{:<w$}  {:<6}  {:>9}  {}",
            i.source, i.status, i.entries, last
        );
    }
}

/// Runs `msmail batch`.
pub fn run(args: BatchArgs) -> Result<Outcome> {
    if args.base_dn.is_some() && args.to != Target::Ldif {
        return Err(Error::Usage("--base-dn only applies to --to ldif".into()));
    }
    if args.ndjson && args.to != Target::Json {
        return Err(Error::Usage("--ndjson only applies to --to json".into()));
    }
    if args.jobs == Some(0) {
        return Err(Error::Usage("--jobs must be at least 1".into()));
    }
    let sources = batch::collect_sources(&args.sources, args.manifest.as_deref())?;
    if sources.is_empty() {
        return Err(Error::Usage(
            "no sources: name them as arguments or with --manifest".into(),
        ));
    }
    {
        let paths: Vec<std::path::PathBuf> = sources
            .iter()
            .filter_map(|s| match s {
                batch::SourceSpec::Path(p) => Some(p.clone()),
                batch::SourceSpec::Unmatched(_) => None,
            })
            .collect();
        let inputs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
        crate::output::check_not_input(&args.out, &inputs, "--out")?;
    }
    let summary_path = args.out.join(batch::SUMMARY_NAME);
    if !args.force && summary_path.exists() {
        return Err(Error::output(
            &summary_path,
            "already exists; use --force to replace it",
        ));
    }
    std::fs::create_dir_all(&args.out).map_err(|e| Error::output(&args.out, e.to_string()))?;
    let opts = BatchOptions {
        to: args.to,
        out_dir: args.out.clone(),
        jobs: args.jobs.unwrap_or(0),
        force: args.force,
        load: LoadOptions {
            encoding: args.encoding,
            salvage: args.salvage,
        },
        writer: WriterOptions {
            csv_profile: args.csv_profile,
            base_dn: args
                .base_dn
                .clone()
                .unwrap_or_else(|| DEFAULT_BASE_DN.to_string()),
            ndjson: args.ndjson,
        },
    };
    let items = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(sources.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let items = batch::run_batch(&sources, &opts, |_, _, item| {
            bar.set_message(item.source.clone());
            bar.inc(1);
        })?;
        bar.finish_and_clear();
        items
    } else {
        batch::run_batch(&sources, &opts, |done, total, item| {
            eprintln!("msmail: [{done}/{total}] {} {}", item.status, item.source);
        })?
    };
    print_table(&items);
    batch::write_summary(&args.out, args.force, args.to, &items)?;
    let failed = items.iter().filter(|i| i.status != "ok").count();
    if failed > 0 {
        return Err(Error::input(
            summary_path.display().to_string(),
            Location::File,
            format!("{failed} of {} sources failed", items.len()),
        ));
    }
    Ok(Outcome::Success)
}
