//! `msmail generate`: synthetic MAILDATA trees and restore scenarios.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::Outcome;
use crate::error::{Error, Result};
use crate::generate::scenario::{generate_default, generate_restore, PeerLists};
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
  msmail generate --out /tmp/world --postoffices 6 --users 40 --seed 1
      DIR/server/ and DIR/requestors/<NET>-<PO>/ MAILDATA trees, DIR/world.json
  msmail generate --out /tmp/restore --scenario restore --postoffices 9 --users 12 --seed 7
      DIR/server/ (restored, as of the backup), DIR/requestors/... evidence, DIR/truth.json
  msmail generate --out /tmp/big --scenario restore --postoffices 500 --users 2000 --force

Same arguments, same bytes: the output depends only on the arguments.")]
pub struct GenerateArgs {
    /// Output folder (created; existing files are kept unless --force).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Scenario to write.
    #[arg(long, value_enum, default_value = "default")]
    pub scenario: ScenarioName,
    /// Number of postoffices (the first is the Dir-Sync server).
    #[arg(long, default_value_t = 6)]
    pub postoffices: usize,
    /// Users per postoffice.
    #[arg(long, default_value_t = 25)]
    pub users: usize,
    /// Seed of the pseudo-random generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Whether requestor trees hold the other postoffices' USR lists.
    #[arg(long, value_enum, default_value = "auto")]
    pub peer_lists: PeerLists,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
}

/// Runs `msmail generate`.
pub fn run(args: GenerateArgs) -> Result<Outcome> {
    if args.postoffices > 100_000 || args.users > 1_000_000 {
        return Err(Error::Usage(
            "--postoffices at most 100000, --users at most 1000000".into(),
        ));
    }
    let params = WorldParams {
        postoffices: args.postoffices,
        users: args.users,
        seed: args.seed,
    };
    let summary = match args.scenario {
        ScenarioName::Default => generate_default(&args.out, params, args.peer_lists, args.force)?,
        ScenarioName::Restore => {
            let (s, truth) = generate_restore(&args.out, params, args.peer_lists, args.force)?;
            eprintln!(
                "truth: {} missing adds, {} missing deletes, {} modified",
                truth.totals.missing_adds, truth.totals.missing_deletes, truth.totals.modified
            );
            s
        }
    };
    eprintln!(
        "wrote {} files ({} bytes) for {} postoffices, {} entries under {}",
        summary.files,
        summary.bytes,
        summary.postoffices,
        summary.entries,
        args.out.display()
    );
    Ok(Outcome::Success)
}
