//! `msmail diff` (not implemented yet).

use clap::Args;

use crate::cli::Outcome;
use crate::error::{Error, Result};

/// Arguments of `msmail diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Inputs.
    pub inputs: Vec<std::path::PathBuf>,
}

/// Runs `msmail diff`.
pub fn run(args: DiffArgs) -> Result<Outcome> {
    let _ = args;
    Err(Error::Usage("msmail diff is not implemented yet".into()))
}
