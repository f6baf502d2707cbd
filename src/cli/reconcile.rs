//! `msmail reconcile` (not implemented yet).

use clap::Args;

use crate::cli::Outcome;
use crate::error::{Error, Result};

/// Arguments of `msmail reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Inputs.
    pub inputs: Vec<std::path::PathBuf>,
}

/// Runs `msmail reconcile`.
pub fn run(args: ReconcileArgs) -> Result<Outcome> {
    let _ = args;
    Err(Error::Usage(
        "msmail reconcile is not implemented yet".into(),
    ))
}
