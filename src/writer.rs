//! The one dispatch from an output format to its writer: CSV, LDIF, JSON
//! (`export::*`), import text (`importtext`) and GIMPORT group files
//! (`gimport`). `msmail export` and `msmail batch` both write through
//! [`write_as`]; `export --list pals` through [`write_personal_as`].

use std::io::Write;

use crate::error::Result;
use crate::export::csv::{CsvOptions, CsvProfile};
use crate::export::ldif::{LdifOptions, WriteNotes};
use crate::model::{Directory, Entry};

/// The formats a directory is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV, UTF-8.
    Csv,
    /// RFC 2849 LDIF.
    Ldif,
    /// JSON document (or NDJSON).
    Json,
    /// MS Mail import text (CP850, CR LF).
    Import,
    /// GIMPORT group file (`G` and `A` lines, Q99419).
    Gimport,
}

/// The options of every writer.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// CSV profile, formula guard, byte-order mark, attribute map, base DN.
    pub csv: CsvOptions,
    /// LDIF base DN, schema and attribute map.
    pub ldif: LdifOptions,
    /// JSON as one entry object per line.
    pub ndjson: bool,
}

impl WriteOptions {
    /// Each writer's defaults: CSV `profile`, LDIF under `base_dn`
    /// (OpenLDAP), JSON as one document.
    pub fn new(profile: CsvProfile, base_dn: &str) -> WriteOptions {
        WriteOptions {
            csv: CsvOptions::new(profile),
            ldif: LdifOptions::new(base_dn),
            ndjson: false,
        }
    }
}

/// Writes `dir` in `format`; the notes say what the format could not carry.
pub fn write_as(
    dir: &Directory,
    format: Format,
    opts: &WriteOptions,
    w: &mut dyn Write,
) -> Result<WriteNotes> {
    Ok(match format {
        Format::Csv => crate::export::csv::write_csv_with(dir, w, &opts.csv)?,
        Format::Ldif => crate::export::ldif::write_ldif_with(dir, w, &opts.ldif)?,
        Format::Json => {
            crate::export::json::write_json(dir, w, opts.ndjson)?;
            WriteNotes::default()
        }
        Format::Import => {
            crate::importtext::write_directory(dir, w)?;
            WriteNotes::default()
        }
        Format::Gimport => crate::gimport::write_groups(dir, w)?,
    })
}

/// Writes personal address lists (each entry with its owner) in `format`:
/// CSV, LDIF or JSON; import text and GIMPORT cannot say the owner and
/// write nothing (the caller refuses them first).
pub fn write_personal_as(
    lists: &[(Entry, &Directory)],
    format: Format,
    opts: &WriteOptions,
    w: &mut dyn Write,
) -> Result<WriteNotes> {
    Ok(match format {
        Format::Csv => crate::export::csv::write_personal_csv(lists, w, &opts.csv)?,
        Format::Ldif => {
            crate::export::ldif::write_personal_ldif(lists, w, &opts.ldif)?;
            WriteNotes::default()
        }
        Format::Json => {
            crate::export::json::write_personal_json(lists, w, opts.ndjson)?;
            WriteNotes::default()
        }
        Format::Import | Format::Gimport => WriteNotes::default(),
    })
}
