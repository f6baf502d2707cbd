//! `msmail completions SHELL` and `msmail man`: shell completion scripts
//! (clap_complete) and manual pages (clap_mangen), both generated from the
//! same clap definitions as `--help`, so they cannot drift from it.

use std::path::Path;

use clap::{Args, CommandFactory};

use crate::cli::common::{exists, Force, OptionalOutDir, OutputFile};
use crate::cli::{say, Cli, Outcome};
use crate::error::{Error, Result};

/// Arguments of `msmail completions`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail completions bash > ~/.local/share/bash-completion/completions/msmail
  msmail completions zsh -o ~/.zfunc/_msmail        (with fpath+=~/.zfunc in .zshrc)
  msmail completions fish -o ~/.config/fish/completions/msmail.fish
  msmail completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
    /// `-o/--output FILE`.
    #[command(flatten)]
    pub output: OutputFile,
    /// `--force`.
    #[command(flatten)]
    pub force: Force,
}

/// Arguments of `msmail man`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail man | man -l -                              read it now
  msmail man --out-dir ~/.local/share/man/man1       msmail.1 and msmail-COMMAND.1
  sudo msmail man --out-dir /usr/local/share/man/man1 && sudo mandb

Without --out-dir, the page of msmail itself goes to standard output or -o FILE.")]
pub struct ManArgs {
    /// `-o/--output FILE`: the page of `msmail` itself.
    #[command(flatten)]
    pub output: OutputFile,
    /// `--out-dir DIR`: every page, `msmail.1` and one `msmail-COMMAND.1` per
    /// command.
    #[command(flatten)]
    pub out_dir: OptionalOutDir,
    /// `--force`.
    #[command(flatten)]
    pub force: Force,
}

/// The clap command of msmail, built (global options propagated to every
/// command), as completions and manual pages describe it.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    cmd.build();
    cmd
}

/// The completion script for `shell`.
pub fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "msmail", &mut out);
    out
}

/// Runs `msmail completions`.
pub fn completions(args: CompletionsArgs) -> Result<Outcome> {
    args.output.check(args.force.force)?;
    let script = completion_script(args.shell);
    args.output
        .target(args.force.force)
        .write_with(|w| w.write_all(&script))?;
    if let Some(p) = &args.output.output {
        say::detail(format!(
            "wrote the {} completions to {}",
            args.shell,
            p.display()
        ));
    }
    Ok(Outcome::Success)
}

/// Every manual page as (file name, roff text): `msmail.1` first, then
/// `msmail-COMMAND.1` for each command in the order of `--help`.
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let cmd = command();
    let render = |c: clap::Command| -> Result<Vec<u8>> {
        let mut out = Vec::new();
        clap_mangen::Man::new(c)
            .render(&mut out)
            .map_err(|e| Error::output("<man page>", e.to_string()))?;
        Ok(out)
    };
    let mut pages = vec![("msmail.1".to_string(), render(cmd.clone())?)];
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let name = format!("msmail-{}", sub.get_name());
        let page = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("msmail {}", sub.get_name()));
        pages.push((format!("{name}.1"), render(page)?));
    }
    Ok(pages)
}

/// Runs `msmail man`.
pub fn man(args: ManArgs) -> Result<Outcome> {
    let force = args.force.force;
    let Some(dir) = &args.out_dir.out_dir else {
        args.output.check(force)?;
        let pages = man_pages()?;
        let (_, main) = &pages[0];
        args.output
            .target(force)
            .write_with(|w| w.write_all(main))?;
        return Ok(Outcome::Success);
    };
    if args.output.output.is_some() {
        return Err(Error::Usage(
            "-o/--output writes one page and --out-dir all of them: give one of the two".into(),
        ));
    }
    let pages = man_pages()?;
    if !force {
        if let Some((name, _)) = pages.iter().find(|(n, _)| dir.join(n).exists()) {
            return Err(exists(&dir.join(name)));
        }
    }
    for (name, bytes) in &pages {
        let path: &Path = &dir.join(name);
        crate::output::write_bytes_atomic(path, force, bytes)?;
        say::detail(format!("wrote {}", path.display()));
    }
    say::note(format!(
        "wrote {} manual pages to {}",
        pages.len(),
        dir.display()
    ));
    Ok(Outcome::Success)
}
