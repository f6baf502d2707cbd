//! The writers of `msmail reconcile --out DIR`: a repaired copy of the server's
//! tree, RESYNC.GLB, the repair as import text, the merged list as CSV/LDIF,
//! the hole as change-LDIF, and the reports with a SHA-256 per file written.
//!
//! Nothing here touches an input: the server tree is read file by file and
//! copied; every output goes through [`crate::output::write_atomic`].
//! See docs/reconcile.md, "Command and outputs".

use serde_json::Value;

use super::inputs::ServerInput;
use super::summary::json_bytes;
use crate::error::{Error, Result};

mod build;
mod files;
#[cfg(test)]
mod tests;

pub use super::fit::{check_limits, ControlRule, FitChange, Fitter};
pub use super::repaired::{
    hole_changes, lost_master_resync, not_in_tree, repaired_lists, repaired_msttrans,
    repaired_srvconf, resync_glb,
};
pub use super::summary::{
    next_steps, repair_json, repair_text, report_json, report_text, OutputPlan,
};
pub use build::write_outputs;
pub use files::{check_out_dir, check_out_not_input, sha256_hex};

/// Seconds in a day (for the "keep updates" purge horizon).
const DAY: i64 = 86_400;

/// Which outputs `reconcile --out-dir` writes (`--outputs`); report.txt and
/// report.json are always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputSet {
    /// `merged.csv`.
    pub csv: bool,
    /// `merged.ldif` and `hole.ldif`.
    pub ldif: bool,
    /// `merged.json`.
    pub json: bool,
    /// `repair.txt` (the repair as an IMPORT.EXE file).
    pub import: bool,
    /// `RESYNC.GLB`.
    pub resync: bool,
    /// `server/`, the repaired copy of the server's tree.
    pub server: bool,
}

impl Default for OutputSet {
    /// Every output.
    fn default() -> Self {
        OutputSet {
            csv: true,
            ldif: true,
            json: true,
            import: true,
            resync: true,
            server: true,
        }
    }
}

impl OutputSet {
    /// The names `--outputs` takes, in the order they are listed.
    pub const NAMES: [&'static str; 6] = ["csv", "ldif", "json", "import", "resync", "server"];

    /// Parses `csv,ldif,json,import,resync,server` (any subset, any order,
    /// case-insensitive; `all` for every one).
    pub fn parse(names: &[String]) -> Result<OutputSet> {
        let mut set = OutputSet {
            csv: false,
            ldif: false,
            json: false,
            import: false,
            resync: false,
            server: false,
        };
        for n in names.iter().flat_map(|n| n.split(',')).map(str::trim) {
            match n.to_ascii_lowercase().as_str() {
                "csv" => set.csv = true,
                "ldif" => set.ldif = true,
                "json" => set.json = true,
                "import" => set.import = true,
                "resync" => set.resync = true,
                "server" => set.server = true,
                "all" => set = OutputSet::default(),
                "" => {}
                other => {
                    return Err(Error::Usage(format!(
                        "--outputs: {other:?} is not an output; expected a list of {} (or all)",
                        OutputSet::NAMES.join(", ")
                    )))
                }
            }
        }
        Ok(set)
    }
}

/// Options of the writers.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// Base DN of merged.ldif and hole.ldif.
    pub base_dn: String,
    /// Which outputs to write (default: all).
    pub outputs: OutputSet,
    /// Schema of merged.ldif: OpenLDAP (with hole.ldif) or Active Directory
    /// (hole.ldif is not written: its change records need the OpenLDAP DNs).
    pub schema: crate::export::person::Schema,
    /// `--stamp`: the `time32` of new MSTTRANS/RESYNC records; `None` = default.
    pub stamp: Option<u32>,
    /// `--truncate-names`: cut full names to 30 and mailboxes to 10 characters
    /// in MS Mail files.
    pub truncate_names: bool,
    /// `--replace-unencodable`: write characters outside CP850 as `?` in MS
    /// Mail files.
    pub replace_unencodable: bool,
    /// `--control-chars`: what MS Mail files get for control characters in
    /// names and template values (and a template value's leading `/`, a
    /// prompt's `~`).
    pub control: ControlRule,
    /// Replace existing files in the output folder.
    pub force: bool,
}

/// The stamp of new records and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampChoice {
    /// The `time32` written.
    pub stamp: u32,
    /// `option` (`--stamp`), `inputs` (latest time seen) or `none` (no time seen: 0).
    pub source: &'static str,
    /// The newest evidence time, when any evidence carried one.
    pub newest_evidence: Option<i64>,
    /// Warnings about the purge horizon ("keep updates" days).
    pub warnings: Vec<String>,
}

/// Chooses the stamp: `--stamp`, else the latest time in the inputs — the
/// snapshot's MSTTRANS stamps, SRVCONF last T2, every evidence `as_of`.
/// Warns when the stamp is older than "keep updates" days before the newest
/// evidence time (MSTTRANS would purge the repair before sending it), or when
/// no evidence carries a time (the stamp is then the backup's).
pub fn choose_stamp(
    server: &ServerInput,
    evidence_times: &[Option<i64>],
    option: Option<u32>,
) -> StampChoice {
    let newest_evidence = evidence_times.iter().flatten().copied().max();
    let server_max = server
        .msttrans
        .iter()
        .flat_map(|s| s.records.iter().map(|r| r.stamp))
        .chain(std::iter::once(server.srvconf.last_t2))
        .max()
        .unwrap_or(0);
    let inputs_max = i64::from(server_max).max(newest_evidence.unwrap_or(0));
    let (stamp, source) = match option {
        Some(s) => (s, "option"),
        None if inputs_max > 0 => (u32::try_from(inputs_max).unwrap_or(u32::MAX), "inputs"),
        None => (0, "none"),
    };
    let keep = i64::from(if server.srvconf.keep_days == 0 {
        14
    } else {
        server.srvconf.keep_days
    });
    let mut warnings = Vec::new();
    match newest_evidence {
        Some(t) if i64::from(stamp) + keep * DAY < t => warnings.push(format!(
            "the stamp of the new MSTTRANS records ({}) is more than {keep} \"keep updates\" \
             days older than the newest evidence ({}): SRVMAIN would purge the repair before \
             sending it; pass --stamp with the time the repaired server goes live",
            crate::dirsync::ctime(stamp),
            crate::dirsync::ctime(u32::try_from(t).unwrap_or(u32::MAX))
        )),
        None if option.is_none() => warnings.push(format!(
            "no evidence carries a time: the new MSTTRANS records are stamped {} (the latest \
             time in the server's files); if that is more than {keep} \"keep updates\" days \
             before the repaired server goes live, SRVMAIN purges the repair unsent; pass \
             --stamp",
            crate::dirsync::ctime(stamp)
        )),
        _ => {}
    }
    StampChoice {
        stamp,
        source,
        newest_evidence,
        warnings,
    }
}

/// Serialises a JSON report as written to files (pretty, final newline).
pub fn report_bytes(v: &Value) -> Vec<u8> {
    json_bytes(v)
}
