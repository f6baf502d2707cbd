//! `msmail generate`: synthetic MAILDATA trees and restore scenarios.

use clap::{Args, ValueEnum};

use crate::cli::common::{Force, OutDir};
use crate::cli::{say, Outcome};
use crate::error::{Error, Result};
use crate::generate::scenario::{generate_default, generate_restore, EvidenceForm, PeerLists};
use crate::generate::world::WorldParams;

/// Scenarios `msmail generate` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScenarioName {
    /// A synchronised world: one MAILDATA tree per postoffice.
    Default,
    /// The server restored from a backup; requestor evidence and truth.json.
    Restore,
}

/// Arguments of `msmail generate`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail generate --out-dir /tmp/world --postoffices 6 --users 40 --seed 1
      DIR/server/ and DIR/requestors/<NET>-<PO>/ MAILDATA trees, DIR/world.json
  msmail generate --out-dir /tmp/restore --scenario restore --postoffices 9 --users 12 --seed 7
      DIR/server/ (restored, as of the backup), DIR/requestors/... evidence, DIR/truth.json
  msmail generate --out-dir /tmp/big --scenario restore --postoffices 500 --users 2000 --force
  msmail generate --out-dir /tmp/bench --scenario restore --postoffices 500 --users 2000 \\
      --evidence import-text
      every requestor's evidence a full export text (the benchmark's scenario)

Same arguments, same bytes: the output depends only on the arguments.")]
pub struct GenerateArgs {
    /// `--out-dir DIR` (alias `--out`): created; existing files are kept
    /// unless --force.
    #[command(flatten)]
    pub out_dir: OutDir,
    /// Scenario to write.
    #[arg(long, value_enum, default_value = "default")]
    pub scenario: ScenarioName,
    /// Number of postoffices, 2 to 100000 (the first is the Dir-Sync server).
    #[arg(long, default_value_t = 6, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(i64).range(2..=100_000))]
    pub postoffices: i64,
    /// Users per postoffice, 4 to 1000000 (besides each postoffice's ADMIN).
    #[arg(long, default_value_t = 25, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(i64).range(4..=1_000_000))]
    pub users: i64,
    /// Seed of the pseudo-random generator (0 to 18446744073709551615).
    #[arg(long, default_value_t = 1, value_name = "N", allow_negative_numbers = true,
          value_parser = parse_seed)]
    pub seed: u64,
    /// Whether requestor trees hold the other postoffices' USR lists.
    #[arg(long, value_enum, default_value = "auto")]
    pub peer_lists: PeerLists,
    /// Restore scenario: give every requestor evidence of this one form
    /// (default: the eight forms dealt in turn).
    #[arg(long, value_enum, value_name = "FORM")]
    pub evidence: Option<EvidenceForm>,
    /// `--force`.
    #[command(flatten)]
    pub force: Force,
}

/// `--seed`: a clear message for a negative or non-numeric seed.
fn parse_seed(s: &str) -> std::result::Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| format!("{s:?} is not a seed: a whole number from 0 to {}", u64::MAX))
}

/// Runs `msmail generate`.
pub fn run(args: GenerateArgs) -> Result<Outcome> {
    let out = &args.out_dir.out_dir;
    let force = args.force.force;
    let params = WorldParams {
        postoffices: usize::try_from(args.postoffices)
            .map_err(|_| Error::Usage("--postoffices: 2 to 100000".into()))?,
        users: usize::try_from(args.users)
            .map_err(|_| Error::Usage("--users: 4 to 1000000".into()))?,
        seed: args.seed,
    };
    say::detail(format!(
        "generating {:?}: {} postoffices of {} users, seed {}",
        args.scenario, params.postoffices, params.users, params.seed
    ));
    let summary = match args.scenario {
        ScenarioName::Default => generate_default(out, params, args.peer_lists, force)?,
        ScenarioName::Restore => {
            let (s, truth) = generate_restore(out, params, args.peer_lists, args.evidence, force)?;
            say::note(format!(
                "truth: {} missing adds, {} missing deletes, {} modified",
                truth.totals.missing_adds, truth.totals.missing_deletes, truth.totals.modified
            ));
            s
        }
    };
    say::note(format!(
        "wrote {} files ({} bytes) for {} postoffices, {} entries under {}",
        summary.files,
        summary.bytes,
        summary.postoffices,
        summary.entries,
        out.display()
    ));
    Ok(Outcome::Success)
}
