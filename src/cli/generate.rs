//! `msmail generate` (not implemented yet).

use clap::Args;

use crate::cli::Outcome;
use crate::error::{Error, Result};

/// Arguments of `msmail generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Inputs.
    pub inputs: Vec<std::path::PathBuf>,
}

/// Runs `msmail generate`.
pub fn run(args: GenerateArgs) -> Result<Outcome> {
    let _ = args;
    Err(Error::Usage(
        "msmail generate is not implemented yet".into(),
    ))
}
