//! `msmail batch`: convert many sources in parallel, with progress and a summary.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::batch::{self, BatchItem, BatchOptions, Target, WriterOptions};
use crate::cli::common::{choose, exists, Force, InputOptions, OutDir};
use crate::cli::export::DEFAULT_BASE_DN;
use crate::cli::{say, Outcome};
use crate::error::{Error, Result};
use crate::export::csv::CsvProfile;

/// Arguments of `msmail batch`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail batch --format csv --out-dir converted/ exports/*.TXT
  msmail batch --format ldif --out-dir ldif/ --jobs 2 --manifest sources.lst
  msmail batch --format import --out-dir out/ 'backups/**/*.txt' --force

Each SOURCE becomes DIR/<name>.<ext> (name from the source's file name; clashes
get -2, -3, ... in input order). DIR/summary.json lists every source with its
status, entries, output file and error. Exit 0 when all succeeded, 3 when any failed.")]
pub struct BatchArgs {
    /// Output format.
    #[arg(
        long,
        value_enum,
        visible_alias = "to",
        value_name = "FORMAT",
        required_unless_present = "json"
    )]
    pub format: Option<Target>,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// `--out-dir DIR` (alias `--out`): the output folder.
    #[command(flatten)]
    pub out_dir: OutDir,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(i64).range(1..=4096))]
    pub jobs: Option<i64>,
    /// File listing sources, one per line (`#` starts a comment line).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// `--force`: replace existing outputs and summary.json.
    #[command(flatten)]
    pub force: Force,
    /// `--encoding`, `--salvage`.
    #[command(flatten)]
    pub input: InputOptions,
    /// Base DN for LDIF output (default o=msmail).
    #[arg(long = "base-dn", value_name = "DN")]
    pub base_dn: Option<String>,
    /// CSV layout: msmail's own columns or the Exchange directory import.
    #[arg(long = "csv-profile", value_enum, default_value = "default")]
    pub csv_profile: CsvProfile,
    /// JSON as one object per line (outputs named .ndjson).
    #[arg(long)]
    pub ndjson: bool,
    /// Sources: files, folders or glob patterns (standard input cannot be one:
    /// each source becomes its own output file).
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
    if !say::chatty() {
        return;
    }
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
            say::clean(&i.source),
            i.status,
            i.entries,
            say::clean(last)
        );
    }
}

/// Runs `msmail batch`.
pub fn run(args: BatchArgs) -> Result<Outcome> {
    let to = choose(args.format, args.json, Target::Json, Target::Csv);
    let force = args.force.force;
    let out = &args.out_dir.out_dir;
    if args.base_dn.is_some() && to != Target::Ldif {
        return Err(Error::Usage(
            "--base-dn only applies to --format ldif".into(),
        ));
    }
    if args.ndjson && to != Target::Json {
        return Err(Error::Usage(
            "--ndjson only applies to --format json".into(),
        ));
    }
    if args.sources.iter().any(|s| s == "-") {
        return Err(Error::Usage(
            "batch cannot read standard input (-): each source becomes its own output \
             file; use msmail export - for one source"
                .into(),
        ));
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
        crate::output::check_not_input(out, &inputs, "--out-dir")?;
    }
    let summary_path = out.join(batch::SUMMARY_NAME);
    if !force && summary_path.exists() {
        return Err(exists(&summary_path));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::output(out, e.to_string()))?;
    let opts = BatchOptions {
        to,
        out_dir: out.clone(),
        jobs: args.jobs.unwrap_or(0) as usize,
        force,
        load: args.input.load(),
        writer: WriterOptions {
            csv_profile: args.csv_profile,
            base_dn: args
                .base_dn
                .clone()
                .unwrap_or_else(|| DEFAULT_BASE_DN.to_string()),
            ndjson: args.ndjson,
        },
    };
    say::detail(format!(
        "{} sources to {} in {}",
        sources.len(),
        to.extension(),
        out.display()
    ));
    let items = if !say::chatty() {
        batch::run_batch(&sources, &opts, |_, _, _| {})?
    } else if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(sources.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let items = batch::run_batch(&sources, &opts, |_, _, item| {
            bar.set_message(say::clean(&item.source));
            bar.inc(1);
        })?;
        bar.finish_and_clear();
        items
    } else {
        batch::run_batch(&sources, &opts, |done, total, item| {
            eprintln!(
                "msmail: [{done}/{total}] {} {}",
                item.status,
                say::clean(&item.source)
            );
        })?
    };
    print_table(&items);
    batch::write_summary(out, force, to, &items)?;
    for i in &items {
        for w in &i.warnings {
            say::detail(format!("{}: warning: {w}", i.source));
        }
    }
    let failed = items.iter().filter(|i| i.status != "ok").count();
    if failed > 0 {
        // The sources failed, not summary.json: name them, each error is in
        // the table above and in summary.json (exit 3, damaged input).
        let names: Vec<&str> = items
            .iter()
            .filter(|i| i.status != "ok")
            .map(|i| i.source.as_str())
            .collect();
        eprintln!(
            "msmail: error: {failed} of {} sources failed: {}; their errors are in the table \
             above and in {}",
            items.len(),
            names.join(", "),
            summary_path.display()
        );
        return Ok(Outcome::DamagedInput);
    }
    Ok(Outcome::Success)
}
