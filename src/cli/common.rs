//! The shared vocabulary of the command line (docs/cli.md, "Vocabulary"):
//! the options every command spells the same way, declared once here and
//! flattened into each command's arguments, standard input as `-`, and the
//! checks that give the same error in the same words everywhere.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::codepage::TextEncoding;
use crate::error::{Error, Result};
use crate::output::OutputTarget;
use crate::source::LoadOptions;

/// `-q/--quiet` and `-v/--verbose`, global: accepted before or after the
/// command name.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Verbosity {
    /// Print only errors and data (warnings are counted in one line at the end).
    #[arg(
        short = 'q',
        long,
        global = true,
        conflicts_with = "verbose",
        display_order = 1000
    )]
    pub quiet: bool,
    /// Say more: what was read and written (-v), timings (-vv).
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count, display_order = 1001)]
    pub verbose: u8,
}

/// How text inputs are read and what happens at damage: `--encoding`,
/// `--salvage`.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct InputOptions {
    /// Encoding of text inputs (import text, messages, logs); a UTF-8 or
    /// UTF-16 byte-order mark always wins.
    #[arg(long, value_enum, default_value_t = TextEncoding::Cp850, value_name = "ENCODING")]
    pub encoding: TextEncoding,
    /// Read on past damaged records, skip them and report each one, instead of
    /// stopping at the first.
    #[arg(long)]
    pub salvage: bool,
}

impl InputOptions {
    /// The library's load options.
    pub fn load(&self) -> LoadOptions {
        LoadOptions {
            encoding: self.encoding,
            salvage: self.salvage,
        }
    }
}

/// `--force`: replace existing outputs.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Force {
    /// Replace existing output files (without it an existing output stops the
    /// command with exit code 4 before anything is read).
    #[arg(long)]
    pub force: bool,
}

/// `-o/--output FILE`: one output file (`-` or nothing: standard output).
#[derive(Debug, Clone, Default, Args)]
pub struct OutputFile {
    /// Write to FILE instead of standard output (`-` is standard output);
    /// written to a temporary file and renamed into place.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl OutputFile {
    /// Stops with exit code 4 when the file exists and `force` is off. Called
    /// before any input is read, so a long run does not end in a refusal.
    pub fn check(&self, force: bool) -> Result<()> {
        match &self.output {
            Some(p) if !force && p.as_os_str() != "-" && p.exists() => Err(exists(p)),
            _ => Ok(()),
        }
    }

    /// Refuses an output that is, or lies inside, one of the inputs, whatever
    /// `--force` says (exit 4; `output::check_not_input`).
    pub fn check_not_input(&self, inputs: &[PathBuf]) -> Result<()> {
        match self.output.as_deref().filter(|o| o.as_os_str() != "-") {
            Some(o) => {
                let v: Vec<&Path> = inputs.iter().map(|p| p.as_path()).collect();
                crate::output::check_not_input(o, &v, "-o")
            }
            None => Ok(()),
        }
    }

    /// Where the data goes.
    pub fn target(&self, force: bool) -> OutputTarget {
        OutputTarget::from_arg(self.output.as_deref(), force)
    }
}

/// `--out-dir DIR` (alias `--out`): a folder of outputs, required.
#[derive(Debug, Clone, Args)]
pub struct OutDir {
    /// Output folder (created when missing).
    #[arg(long = "out-dir", visible_alias = "out", value_name = "DIR")]
    pub out_dir: PathBuf,
}

/// `--out-dir DIR` (alias `--out`): a folder of outputs, optional.
#[derive(Debug, Clone, Default, Args)]
pub struct OptionalOutDir {
    /// Write the outputs into DIR (created when missing).
    #[arg(long = "out-dir", visible_alias = "out", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// The one wording of "the output exists": `PATH: already exists; use
/// --force to replace it` (exit 4).
pub fn exists(path: &Path) -> Error {
    crate::output::already_exists(path)
}

/// Text or JSON, the `--format` of commands whose data is a report
/// (`dump`, `inspect`, `reconcile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ReportFormat {
    /// Text for people.
    #[default]
    Text,
    /// One JSON document with stable field names, for programs.
    Json,
}

/// `--format` with `--json` as a shorthand: the format asked for.
pub fn choose<F: Copy + PartialEq>(format: Option<F>, json: bool, json_value: F, default: F) -> F {
    match (format, json) {
        (Some(f), _) => f,
        (None, true) => json_value,
        (None, false) => default,
    }
}

/// A path argument that may be `-` (standard input).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Standard input saved to a temporary file, so that every reader (which
/// works on files and recognises them by content) can take it. The file
/// lives as long as this value.
#[derive(Debug)]
pub struct Stdin {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

/// The name standard input has in messages.
pub const STDIN_NAME: &str = "<stdin>";

impl Stdin {
    /// Reads all of standard input into a temporary file named `stdin`.
    pub fn spool() -> Result<Stdin> {
        let dir = tempfile::Builder::new()
            .prefix(".msmail-stdin-")
            .tempdir()
            .map_err(|e| Error::read(STDIN_NAME, e))?;
        let path = dir.path().join("stdin");
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::read(STDIN_NAME, e))?;
        std::fs::write(&path, &bytes).map_err(|e| Error::read(STDIN_NAME, e))?;
        Ok(Stdin { _dir: dir, path })
    }

    /// The temporary file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Says `<stdin>` where an error names the temporary file.
    pub fn rename(&self, e: Error) -> Error {
        e.with_path_renamed(&self.path.display().to_string(), STDIN_NAME)
    }
}

/// The input paths of a command with `-` replaced by a spooled standard
/// input (at most one `-`: standard input can be read once).
#[derive(Debug)]
pub struct Inputs {
    /// The paths to read, in the order given.
    pub paths: Vec<PathBuf>,
    stdin: Option<Stdin>,
}

impl Inputs {
    /// Resolves `-` and checks every other path exists (the same error as
    /// everywhere: `PATH: cannot read: no such file or folder`, exit 3).
    pub fn new(given: &[PathBuf]) -> Result<Inputs> {
        if given.iter().filter(|p| is_stdin(p)).count() > 1 {
            return Err(Error::Usage(
                "standard input (-) can be named only once".into(),
            ));
        }
        let mut stdin = None;
        let mut paths = Vec::with_capacity(given.len());
        for p in given {
            if is_stdin(p) {
                let s = Stdin::spool()?;
                paths.push(s.path().to_path_buf());
                stdin = Some(s);
            } else {
                require_exists(p)?;
                paths.push(p.clone());
            }
        }
        Ok(Inputs { paths, stdin })
    }

    /// The name of `path` for messages (`<stdin>` for standard input).
    pub fn name(&self, path: &Path) -> String {
        match &self.stdin {
            Some(s) if s.path() == path => STDIN_NAME.to_string(),
            _ => path.display().to_string(),
        }
    }

    /// Says `<stdin>` where an error names the temporary file.
    pub fn rename(&self, e: Error) -> Error {
        match &self.stdin {
            Some(s) => s.rename(e),
            None => e,
        }
    }
}

pub use crate::input::{require_exists, require_file, require_tree, NOT_A_TREE};

/// A `--stamp`-like number that may be typed negative: a clear message
/// instead of clap taking `-5` for a flag (the argument sets
/// `allow_negative_numbers`).
pub fn parse_time32(s: &str) -> std::result::Result<u32, String> {
    match s.trim().parse::<i64>() {
        Ok(v) if (0..=u32::MAX as i64).contains(&v) => Ok(v as u32),
        Ok(v) => Err(format!(
            "{v} is not a time32 stamp: seconds since 1970-01-01 00:00 UTC, from 0 to {}",
            u32::MAX
        )),
        Err(_) => Err(format!(
            "{s:?} is not a number: a time32 stamp is seconds since 1970-01-01 00:00 UTC, e.g. 767404800"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time32_values() {
        assert_eq!(parse_time32("767404800"), Ok(767_404_800));
        assert!(parse_time32("-5")
            .unwrap_err()
            .contains("from 0 to 4294967295"));
        assert!(parse_time32("x").unwrap_err().contains("not a number"));
    }

    #[test]
    fn format_choice() {
        assert_eq!(choose(None, true, 'j', 't'), 'j');
        assert_eq!(choose(Some('h'), false, 'j', 't'), 'h');
        assert_eq!(choose(None, false, 'j', 't'), 't');
    }
}
