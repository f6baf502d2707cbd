//! `msmail batch` (not implemented yet).

use clap::Args;

use crate::cli::Outcome;
use crate::error::{Error, Result};

/// Arguments of `msmail batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Inputs.
    pub inputs: Vec<std::path::PathBuf>,
}

/// Runs `msmail batch`.
pub fn run(args: BatchArgs) -> Result<Outcome> {
    let _ = args;
    Err(Error::Usage("msmail batch is not implemented yet".into()))
}
