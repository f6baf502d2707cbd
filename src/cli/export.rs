//! `msmail export`: load one or more sources, merge them (later wins), report
//! MS Mail limit violations, and write CSV, LDIF, JSON, import text or a
//! GIMPORT group file; or a tree's personal address lists (`--list pals`).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::common::{choose, Force, InputOptions, Inputs, OutputFile};
use crate::cli::{say, Outcome};
use crate::convert::{Message, NamedSource, ScopedOutput};
use crate::error::{Error, Result};
use crate::export::csv::{CsvOptions, CsvProfile};
use crate::export::ldif::{LdifOptions, WriteNotes};
use crate::export::person::{AttributeMap, Schema};
use crate::model::{Directory, Entry};
use crate::tree::ListSelector;
use crate::writer::{Format, WriteOptions};

pub use crate::export::DEFAULT_BASE_DN;

/// Target formats of `msmail export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// RFC 4180 CSV, UTF-8.
    Csv,
    /// RFC 2849 LDIF for OpenLDAP (core, cosine, inetorgperson schemas).
    Ldif,
    /// JSON document (or NDJSON with --ndjson).
    Json,
    /// MS Mail import text (CP850, CR LF), readable by IMPORT.EXE.
    Import,
    /// GIMPORT group file (`G` and `A` lines, Q99419): the groups and members.
    Gimport,
}

/// Arguments of `msmail export`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail export ADMIN.TXT --format csv -o users.csv
  msmail export ADMIN.TXT --format csv --csv-profile exchange -o exchange.csv
  msmail export ADMIN.TXT --format ldif --base-dn dc=example,dc=com -o users.ldif
  msmail export OLD.TXT NEW.TXT --format json --ndjson      (NEW.TXT wins on conflicts)
  msmail export /mnt/maildata --format import -o REBUILD.TXT --force

  msmail export wide.csv --format import --truncate-names -o IMPORT.TXT
  msmail export /mnt/maildata --format ldif --schema ad --base-dn DC=corp,DC=example,DC=com
  msmail export /mnt/maildata --format csv --csv-profile ad --base-dn DC=corp,DC=com -o ad.csv
  msmail export /mnt/maildata --format ldif --map prompts.map -o people.ldif
  msmail export /mnt/maildata --list pals --format csv -o personal-lists.csv
  msmail export /mnt/maildata --list pal:JDOE --format json
  msmail export /mnt/maildata --format gimport -o GROUPS.EXT
  msmail export GROUPS.EXT --format ldif -o groups.ldif     (a GIMPORT file as SOURCE)
  msmail export - --format import --no-formula-guard < users.csv

Several SOURCEs are merged in order: an entry in a later source replaces the
entry with the same address (compared case-insensitively) from an earlier one.
Entries that break MS Mail limits (full name over 30 characters, network,
postoffice or mailbox over 10) are reported on stderr and exported unchanged to
CSV, LDIF and JSON. Import text is read by IMPORT.EXE, which refuses them
(Error 72, Q104869), so --format import refuses them too, as reconcile does, unless
--truncate-names cuts full names to 30 and mailboxes to 10 characters.")]
pub struct ExportArgs {
    /// Sources: MAILDATA folders, MS Mail files, import text files, GIMPORT
    /// group files, CSV files msmail wrote (`-`: standard input, recognised
    /// by content).
    #[arg(required = true, value_name = "SOURCE")]
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(
        long,
        value_enum,
        visible_alias = "to",
        value_name = "FORMAT",
        required_unless_present = "json"
    )]
    pub format: Option<ExportFormat>,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// `-o/--output FILE`.
    #[command(flatten)]
    pub output: OutputFile,
    /// Base DN for LDIF output (default o=msmail); its first RDN must be
    /// dc=, o= or ou=. With --schema ad or --csv-profile ad (required there):
    /// the domain or an existing OU, which the output does not create.
    #[arg(long = "base-dn", value_name = "DN")]
    pub base_dn: Option<String>,
    /// LDIF schema: openldap (inetOrgPerson, groupOfNames) or ad (contact,
    /// group; loads with ldifde or Samba's ldbadd).
    #[arg(long, value_enum, default_value = "openldap")]
    pub schema: Schema,
    /// CSV column layout: default (msmail's own), exchange (Exchange 4.0-5.5
    /// directory import) or ad (csvde).
    #[arg(long = "csv-profile", value_enum, default_value = "default")]
    pub csv_profile: CsvProfile,
    /// Template prompts to standard attributes: one `prompt = attribute`
    /// line each (attribute `-` keeps the value as it is); overrides the
    /// built-in rules. LDIF and the exchange and ad CSV profiles.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Turn the built-in prompt rules off (only --map rules apply; with no
    /// --map every template value stays a numbered description).
    #[arg(long)]
    pub no_default_map: bool,
    /// CSV: do not guard cells against spreadsheet formulas (for files that
    /// go to an import tool, which would keep the apostrophe).
    #[arg(long)]
    pub no_formula_guard: bool,
    /// CSV: start with a UTF-8 byte-order mark (Excel then reads UTF-8).
    #[arg(long)]
    pub bom: bool,
    /// JSON: one entry object per line instead of one document.
    #[arg(long)]
    pub ndjson: bool,
    /// `--encoding`, `--salvage`.
    #[command(flatten)]
    pub input: InputOptions,
    /// `--force`.
    #[command(flatten)]
    pub force: Force,
    /// One list of a MAILDATA tree instead of everything: `pol`, `gal`,
    /// `groups`, `usr:NET/PO`, `pal:MAILBOX` (one user's personal address
    /// list) or `pals` (every personal list, with its owner); every SOURCE
    /// must be a tree.
    #[arg(long, value_name = "LIST")]
    pub list: Option<String>,
    /// --format import: cut full names to 30 and mailboxes to 10 characters
    /// (each cut is reported) instead of refusing such entries.
    #[arg(long)]
    pub truncate_names: bool,
    /// --format import: write characters outside code page 850 as `?` instead of
    /// refusing them.
    #[arg(long)]
    pub replace_unencodable: bool,
}

impl ExportFormat {
    /// The writer format.
    pub fn format(self) -> Format {
        match self {
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Ldif => Format::Ldif,
            ExportFormat::Json => Format::Json,
            ExportFormat::Import => Format::Import,
            ExportFormat::Gimport => Format::Gimport,
        }
    }
}

impl ExportArgs {
    /// The format asked for (`--format`, `--to` or `--json`).
    pub fn target_format(&self) -> ExportFormat {
        choose(
            self.format,
            self.json,
            ExportFormat::Json,
            ExportFormat::Csv,
        )
    }
}

/// The sources to read (standard input resolved), with their names.
fn named(inputs: &Inputs) -> Vec<NamedSource> {
    inputs
        .paths
        .iter()
        .map(|p| NamedSource {
            path: p.clone(),
            name: inputs.name(p),
        })
        .collect()
}

/// Says what the engine tells, at the level `-q`/`-v` chose.
fn tell(message: Message) {
    match message {
        Message::Warn(m) => say::warn(m),
        Message::Note(m) => say::note(m),
        Message::Detail(m) => say::detail(m),
    }
}

/// The attribute map the flags ask for.
fn attribute_map(args: &ExportArgs) -> Result<AttributeMap> {
    let map = match &args.map {
        Some(p) => AttributeMap::read(p)?,
        None => AttributeMap::standard(),
    };
    Ok(map.with_defaults(!args.no_default_map))
}

/// Refuses flag combinations that do not apply.
fn check_flags(args: &ExportArgs, to: ExportFormat) -> Result<()> {
    let usage = |m: &str| Err(Error::Usage(m.into()));
    let ad = args.schema == Schema::Ad;
    let ad_csv = args.csv_profile == CsvProfile::Ad && to == ExportFormat::Csv;
    if args.base_dn.is_some() && to != ExportFormat::Ldif && !ad_csv {
        return usage("--base-dn only applies to --format ldif and --csv-profile ad");
    }
    if ad && to != ExportFormat::Ldif {
        return usage(
            "--schema only applies to --format ldif (for csvde: --format csv --csv-profile ad)",
        );
    }
    if (ad || ad_csv) && args.base_dn.is_none() {
        return usage(
            "Active Directory output needs --base-dn: the DN of the domain or of an existing \
             OU (e.g. --base-dn DC=corp,DC=example,DC=com)",
        );
    }
    if args.ndjson && to != ExportFormat::Json {
        return usage("--ndjson only applies to --format json");
    }
    if (args.no_formula_guard || args.bom) && to != ExportFormat::Csv {
        return usage("--no-formula-guard and --bom only apply to --format csv");
    }
    if args.csv_profile != CsvProfile::Default && to != ExportFormat::Csv {
        return usage("--csv-profile only applies to --format csv");
    }
    let mapped = to == ExportFormat::Ldif
        || (to == ExportFormat::Csv && args.csv_profile != CsvProfile::Default);
    if (args.map.is_some() || args.no_default_map) && !mapped {
        return usage(
            "--map and --no-default-map apply to --format ldif and the exchange and ad CSV \
             profiles (the default CSV, JSON and import text keep template data as it is)",
        );
    }
    if (args.truncate_names || args.replace_unencodable) && to != ExportFormat::Import {
        return usage(
            "--truncate-names and --replace-unencodable only apply to --format import \
             (CSV, LDIF and JSON keep the full values)",
        );
    }
    Ok(())
}

/// The CSV options the flags ask for.
fn csv_options(args: &ExportArgs, map: AttributeMap, base: &str) -> CsvOptions {
    CsvOptions {
        profile: args.csv_profile,
        formula_guard: !args.no_formula_guard,
        bom: args.bom,
        map,
        base_dn: base.to_string(),
    }
}

/// The writers' options the flags ask for.
fn write_options(args: &ExportArgs, map: AttributeMap, base: &str) -> WriteOptions {
    WriteOptions {
        csv: csv_options(args, map.clone(), base),
        ldif: LdifOptions {
            base_dn: base.to_string(),
            schema: args.schema,
            map,
        },
        ndjson: args.ndjson,
    }
}

/// Runs `msmail export`.
pub fn run(args: ExportArgs) -> Result<Outcome> {
    let to = args.target_format();
    let force = args.force.force;
    check_flags(&args, to)?;
    // Fail before the (possibly long) load when the output exists.
    args.output.check_not_input(&args.inputs)?;
    args.output.check(force)?;
    let map = attribute_map(&args)?;
    let selector = args.list.as_deref().map(ListSelector::parse).transpose()?;
    let pals = match &selector {
        Some(ListSelector::Pals) => Some(None),
        Some(ListSelector::Pal(m)) if to != ExportFormat::Import => Some(Some(m.clone())),
        _ => None,
    };
    let inputs = Inputs::new(&args.inputs)?;
    if let Some(only) = pals {
        return run_personal(&args, to, &inputs, only.as_deref(), map);
    }
    let sources = named(&inputs);
    let base = args
        .base_dn
        .as_deref()
        .unwrap_or(DEFAULT_BASE_DN)
        .to_string();
    // One whole tree to the default CSV profile or NDJSON: written a scope
    // at a time.
    let opts = write_options(&args, map.clone(), &base);
    let scoped = ScopedOutput::of(to.format(), &opts).filter(|_| selector.is_none());
    if let (Some(output), Some(source)) = (scoped, crate::convert::single_tree(&sources)) {
        let load = args.input.load();
        let tree = crate::convert::open_tree(source, &load, &|e| inputs.rename(e), &mut tell)?;
        return write_output(&args, |w| {
            let n = crate::convert::export_tree(tree, &source.name, output, w, &mut tell)?;
            Ok((WriteNotes::default(), n))
        });
    }
    let mut dir = crate::convert::load_merged(
        &sources,
        selector.as_ref(),
        &args.input.load(),
        &|e| inputs.rename(e),
        &mut tell,
    )?;
    if to == ExportFormat::Import {
        dir = crate::convert::fit_for_import(
            dir,
            args.truncate_names,
            args.replace_unencodable,
            &mut tell,
        )?;
    } else {
        crate::convert::limit_warnings(&dir, &mut tell);
    }
    write_output(&args, |w| {
        crate::writer::write_as(&dir, to.format(), &opts, w).map(|notes| (notes, dir.len()))
    })
}

/// `--list pals` / `--list pal:MAILBOX`: the personal lists of every SOURCE
/// tree (owners in tree order), each entry with its owner.
fn run_personal(
    args: &ExportArgs,
    to: ExportFormat,
    inputs: &Inputs,
    only: Option<&str>,
    map: AttributeMap,
) -> Result<Outcome> {
    if matches!(to, ExportFormat::Gimport | ExportFormat::Import) {
        return Err(Error::Usage(
            "--list pals has no import-text or GIMPORT form (owners cannot be expressed); \
             use --list pal:MAILBOX --format import for one user's list"
                .into(),
        ));
    }
    let lists =
        crate::convert::personal_lists(&named(inputs), only, &args.input.load(), &mut tell)?;
    let refs: Vec<(Entry, &Directory)> = lists.iter().map(|(o, d)| (o.clone(), d)).collect();
    let entries: usize = lists.iter().map(|(_, d)| d.len()).sum();
    say::detail(format!(
        "{} personal address lists, {entries} entries",
        lists.len()
    ));
    let base = args
        .base_dn
        .as_deref()
        .unwrap_or(DEFAULT_BASE_DN)
        .to_string();
    let opts = write_options(args, map, &base);
    write_output(args, |w| {
        crate::writer::write_personal_as(&refs, to.format(), &opts, w).map(|n| (n, entries))
    })
}

/// Writes the output with `write` (atomically to `-o`, or to standard
/// output), which gives the writer's notes and the number of entries
/// written, and reports the notes. An I/O failure of the output is
/// reported with the output's name; any other error as it is.
fn write_output(
    args: &ExportArgs,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<(WriteNotes, usize)>,
) -> Result<Outcome> {
    let target = args.output.target(args.force.force);
    let mut inner: Option<Error> = None;
    let mut notes = WriteNotes::default();
    let mut entries = 0usize;
    let mut write = Some(write);
    let result = target.write_with(|w| {
        let mut rec = RecordingWriter {
            inner: w,
            error: None,
        };
        let Some(f) = write.take() else {
            return Ok(());
        };
        match f(&mut rec) {
            Ok((n, count)) => {
                notes = n;
                entries = count;
                Ok(())
            }
            Err(e) => Err(match rec.error {
                // The output itself failed (closed pipe, full disk): let
                // `write_with` report it with the output's name and kind.
                Some(kind) => std::io::Error::new(kind, e.to_string()),
                None => {
                    let msg = e.to_string();
                    inner = Some(e);
                    std::io::Error::other(msg)
                }
            }),
        }
    });
    for w in &notes.warnings {
        say::warn(w.clone());
    }
    match (inner, result) {
        (Some(e), _) => Err(e),
        (None, r) => {
            r?;
            if let Some(p) = &args.output.output {
                say::detail(format!("wrote {entries} entries to {}", p.display()));
            }
            Ok(Outcome::Success)
        }
    }
}

/// Passes writes through and keeps the first I/O error, so the original
/// error kind (e.g. a closed pipe) reaches [`OutputTarget::write_with`].
struct RecordingWriter<'a> {
    inner: &'a mut dyn std::io::Write,
    error: Option<std::io::ErrorKind>,
}

impl std::io::Write for RecordingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| {
            self.error.get_or_insert(e.kind());
        })
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().inspect_err(|e| {
            self.error.get_or_insert(e.kind());
        })
    }
}
