//! `msmail inspect` (not implemented yet).

use clap::Args;

use crate::cli::Outcome;
use crate::error::{Error, Result};

/// Arguments of `msmail inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Inputs.
    pub inputs: Vec<std::path::PathBuf>,
}

/// Runs `msmail inspect`.
pub fn run(args: InspectArgs) -> Result<Outcome> {
    let _ = args;
    Err(Error::Usage("msmail inspect is not implemented yet".into()))
}
