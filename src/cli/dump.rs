//! `msmail dump` (not implemented yet).

use clap::Args;

use crate::cli::Outcome;
use crate::error::{Error, Result};

/// Arguments of `msmail dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Inputs.
    pub inputs: Vec<std::path::PathBuf>,
}

/// Runs `msmail dump`.
pub fn run(args: DumpArgs) -> Result<Outcome> {
    let _ = args;
    Err(Error::Usage("msmail dump is not implemented yet".into()))
}
