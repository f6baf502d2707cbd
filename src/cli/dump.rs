//! `msmail dump FILE`: one file in full, in the view the original MS Mail
//! utilities print (LISTQ for transaction streams, LISTDS for REQCONF/SRVCONF,
//! DSSCHED for PROCESS.GLB), parsed records for the text files (messages,
//! logs, DISPATCH.LOG, schedules, import text), or as JSON. Thin: reads the
//! file (or standard input) and calls [`crate::dump::dump_bytes`].

use std::io::Read;
use std::path::PathBuf;

use clap::Args;

use crate::cli::common::{
    choose, is_stdin, require_file, Force, InputOptions, OutputFile, ReportFormat, STDIN_NAME,
};
use crate::cli::{say, Outcome};
use crate::dirsync::views::ViewContext;
use crate::dump::{dump_bytes, DumpMessage, DumpOptions};
use crate::error::{Error, Result};
use crate::input::read_input;

/// Arguments of `msmail dump`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail dump GLB/MSTTRANS.GLB                 LISTQ view of a transaction stream
  msmail dump GLB/REQTRANS.GLB --check         verify every CRC (exit 3 naming bad records)
  msmail dump RESYNC.GLB --format json -o resync.json   JSON, written atomically
  msmail dump damaged.GLB --salvage            read past damage, report skipped byte ranges
  msmail dump GLB/SRVCONF.GLB                  LISTDS view (passwords only as set/not set)
  msmail dump GLB/PROCESS.GLB                  DSSCHED view: T<x> <Day> <HH>:<MM>
  msmail dump DIRSYNC.LOG --json               log records: date, time, level, code, text
  msmail dump DISPATCH.LOG                     runs, exit codes, missed run windows
  msmail dump TMPTRANS.GLB                     a text attachment [DIRSYNC-TRANSACTIONS]
  msmail dump IMPORT.TXT --json                import operations with their lines
  unzip -p backup.zip DIRSYNC.LOG | msmail dump -   standard input, recognised by content")]
pub struct DumpArgs {
    /// The file to show (`-`: standard input, recognised by content).
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, visible_alias = "to", value_name = "FORMAT")]
    pub format: Option<ReportFormat>,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Verify every CRC instead of dumping; exit 3 naming each bad record.
    #[arg(long)]
    pub check: bool,
    /// `-o/--output FILE`.
    #[command(flatten)]
    pub output: OutputFile,
    /// `--force`.
    #[command(flatten)]
    pub force: Force,
    /// `--encoding`, `--salvage`.
    #[command(flatten)]
    pub input: InputOptions,
}

/// Runs `msmail dump`.
pub fn run(args: DumpArgs) -> Result<Outcome> {
    let force = args.force.force;
    args.output
        .check_not_input(std::slice::from_ref(&args.file))?;
    args.output.check(force)?;
    let (bytes, file, ctx) = if is_stdin(&args.file) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::read(STDIN_NAME, e))?;
        (bytes, STDIN_NAME.to_string(), ViewContext::default())
    } else {
        require_file(&args.file)?;
        let bytes = read_input(&args.file)?;
        let ctx = ViewContext::of_path(&args.file);
        (bytes, args.file.display().to_string(), ctx)
    };
    let target = args.output.target(force);
    let opts = DumpOptions {
        json: choose(
            args.format,
            args.json,
            ReportFormat::Json,
            ReportFormat::Text,
        ) == ReportFormat::Json,
        check: args.check,
        salvage: args.input.salvage,
        encoding: args.input.encoding,
    };
    dump_bytes(&file, &bytes, opts, &ctx, &target, &mut tell)?;
    Ok(Outcome::Success)
}

/// Says what the dump tells, at the level `-q`/`-v` chose.
fn tell(message: DumpMessage) {
    match message {
        DumpMessage::Detail(m) => say::detail(m),
        DumpMessage::Warn(m) => say::warn(m),
        DumpMessage::Problem(m) => eprintln!("msmail: {}", say::clean(m)),
    }
}
