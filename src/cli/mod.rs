//! Command-line definitions (clap derive). Each command lives in its own file
//! and stays thin: parse arguments, call the library, print.

use clap::{Parser, Subcommand};

use crate::error::Result;

pub mod batch;
pub mod common;
pub mod complete;
pub mod diff;
pub mod dump;
pub mod export;
pub mod generate;
pub mod inspect;
pub mod reconcile;
pub mod say;

/// msmail — read, repair and migrate Microsoft Mail for PC Networks 3.x
/// postoffices and Dir-Sync data.
#[derive(Debug, Parser)]
#[command(name = "msmail", version, about, long_about = None)]
#[command(after_help = "Examples:
  msmail reconcile --server restored/MAILDATA --requestor exports/*.TXT --out-dir repair/
  msmail export MAILDATA --format csv -o users.csv
  msmail diff backup/MAILDATA live/MAILDATA --format html -o diff.html
  msmail completions bash > ~/.local/share/bash-completion/completions/msmail
  msmail man --out-dir ~/.local/share/man/man1

The same options mean the same thing in every command: --format (aliases --to,
and --json for --format json), -o/--output FILE, --out-dir DIR (alias --out),
- for standard input or output, --force, --encoding, --salvage, -q, -v.

Exit codes: 0 success, 1 differences/hole found (diff, reconcile --fail-on-hole),
2 usage error, 3 input data error, 4 output error.")]
pub struct Cli {
    /// `-q/--quiet`, `-v/--verbose` (global).
    #[command(flatten)]
    pub verbosity: common::Verbosity,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The msmail commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Export address lists from any source to CSV, LDIF, JSON or import text.
    Export(export::ExportArgs),
    /// Show one file in full (LISTQ / LISTDS / DSSCHED views, tables, parsed logs).
    Dump(dump::DumpArgs),
    /// Identify files or MAILDATA trees and check their integrity.
    Inspect(inspect::InspectArgs),
    /// Write synthetic MAILDATA trees and restore scenarios.
    Generate(generate::GenerateArgs),
    /// Find and repair the Dir-Sync restore hole (KB Q113453).
    Reconcile(reconcile::ReconcileArgs),
    /// Compare two sources of the same kind.
    Diff(diff::DiffArgs),
    /// Convert many sources in parallel.
    Batch(batch::BatchArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(complete::CompletionsArgs),
    /// Write the manual pages (roff), from the same definitions as --help.
    Man(complete::ManArgs),
}

/// What a command finished with, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: differences found (diff) or a hole found with --fail-on-hole.
    Differences,
    /// Exit 3 after a complete report: the input has damage of error severity
    /// (inspect). The report says what; no further message is printed.
    DamagedInput,
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    say::set_level(cli.verbosity.quiet, cli.verbosity.verbose);
    let code = match run(cli) {
        Ok(Outcome::Success) => 0,
        Ok(Outcome::Differences) => 1,
        Ok(Outcome::DamagedInput) => 3,
        Err(e) => {
            eprintln!("msmail: error: {}", say::clean(&e));
            e.exit_code()
        }
    };
    say::finish();
    code
}

/// Dispatches one parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Export(a) => export::run(a),
        Command::Dump(a) => dump::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Reconcile(a) => reconcile::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Batch(a) => batch::run(a),
        Command::Completions(a) => complete::completions(a),
        Command::Man(a) => complete::man(a),
    }
}
