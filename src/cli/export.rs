//! `msmail export` (not implemented yet).

use clap::Args;

use crate::cli::Outcome;
use crate::error::{Error, Result};

/// Arguments of `msmail export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Inputs.
    pub inputs: Vec<std::path::PathBuf>,
}

/// Runs `msmail export`.
pub fn run(args: ExportArgs) -> Result<Outcome> {
    let _ = args;
    Err(Error::Usage("msmail export is not implemented yet".into()))
}
