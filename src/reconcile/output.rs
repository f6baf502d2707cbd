//! The writers of `msmail reconcile --out DIR`: a repaired copy of the server's
//! tree, RESYNC.GLB, the repair as import text, the merged list as CSV/LDIF,
//! the hole as change-LDIF, and the reports with a SHA-256 per file written.
//!
//! Nothing here touches an input: the server tree is read file by file and
//! copied; every output goes through [`crate::output::write_atomic`].
//! See docs/reconcile.md, "Command and outputs".

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::inputs::ServerInput;
use super::summary::{json_bytes, outside_text};
use super::WrittenFile;
use crate::error::{Error, Result};
use crate::export::csv::{write_csv, CsvProfile};
use crate::export::ldif::{write_change_ldif, write_ldif_with, LdifOptions};
use crate::model::{Directory, Operation};

pub use super::fit::{check_limits, ControlRule, FitChange, Fitter};
pub use super::repaired::{
    hole_changes, lost_master_resync, not_in_tree, repaired_lists, repaired_msttrans,
    repaired_srvconf, resync_glb,
};
pub use super::summary::{
    next_steps, repair_json, repair_text, report_json, report_text, OutputPlan,
};

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

/// A writer that hashes what passes through it.
struct HashingWriter<'a> {
    inner: &'a mut dyn Write,
    hasher: Sha256,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Writes `rel` under `out` atomically and returns its hash; `write` produces
/// the content (errors it returns as `Error` are kept).
fn write_file<F>(out: &Path, rel: &str, force: bool, write: F) -> Result<WrittenFile>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let path = out.join(rel);
    let mut hash = None;
    let mut inner_err = None;
    crate::output::write_atomic(&path, force, |w| {
        let mut hw = HashingWriter {
            inner: w,
            hasher: Sha256::new(),
        };
        if let Err(e) = write(&mut hw) {
            inner_err = Some(e);
            return Err(io::Error::other("content error"));
        }
        hash = Some(hex(&hw.hasher.finalize()));
        Ok(())
    })
    .map_err(|e| inner_err.take().unwrap_or(e))?;
    Ok(WrittenFile {
        path: rel.to_string(),
        sha256: hash.unwrap_or_default(),
    })
}

fn write_bytes(out: &Path, rel: &str, force: bool, bytes: &[u8]) -> Result<WrittenFile> {
    crate::output::write_bytes_atomic(&out.join(rel), force, bytes)?;
    Ok(WrittenFile {
        path: rel.to_string(),
        sha256: sha256_hex(bytes),
    })
}

/// Refuses an output folder that exists and is not empty, unless `force`.
pub fn check_out_dir(out: &Path, force: bool) -> Result<()> {
    if force || !out.exists() {
        return Ok(());
    }
    let mut rd = std::fs::read_dir(out).map_err(|e| Error::output(out, e.to_string()))?;
    if rd.next().is_some() {
        return Err(Error::output(
            out,
            "exists and is not empty; use --force to write into it",
        ));
    }
    Ok(())
}

/// Refuses an output folder that overlaps an input: inside the server tree
/// or any requestor source, or holding one of them (its `server/` copy or
/// its files could land on an input). See [`crate::output::check_not_input`].
pub fn check_out_not_input(out: &Path, inputs: &[&Path]) -> Result<()> {
    crate::output::check_not_input(out, inputs, "--out")
}

/// Every file under `root`, as `/`-separated relative paths, sorted.
fn list_tree(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| Error::read(&dir, e))?;
        for ent in rd {
            let ent = ent.map_err(|e| Error::read(&dir, e))?;
            let name = ent.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let path = ent.path();
            let ft = ent.file_type().map_err(|e| Error::read(&path, e))?;
            // Links to folders are not followed (no loops); links to files are
            // copied as files.
            if ft.is_dir() {
                stack.push((path, rel));
            } else if ft.is_file() || (ft.is_symlink() && path.is_file()) {
                out.push(rel);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn relative(root: &Path, p: &Path) -> Option<String> {
    let r = p.strip_prefix(root).ok()?;
    let parts: Vec<String> = r
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// Writes every output into `target` (see docs/reconcile.md): `server/`
/// (the repaired copy), `RESYNC.GLB`, `repair.txt`, `merged.csv`,
/// `merged.json`, `merged.ldif`, `hole.ldif`, `report.txt` and last
/// `report.json`, whose `written` lists every other file with its SHA-256
/// (sorted by path). Returns that list and the final JSON report.
///
/// All or nothing: everything is built in a temporary folder beside
/// `target` and renamed into place at the end; a run that fails leaves no
/// output behind. With `--force` into a non-empty folder, the files are
/// moved in one by one at the end (each rename atomic), other files stay.
pub fn write_outputs(
    target: &Path,
    server: &ServerInput,
    p: &OutputPlan<'_>,
    options: &OutputOptions,
) -> Result<(Vec<WrittenFile>, Value)> {
    let parent = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::output(&parent, e.to_string()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".msmail-out-")
        .tempdir_in(&parent)
        .map_err(|e| Error::output(target, format!("cannot create a temporary folder: {e}")))?;
    let (written, report) = build_outputs(tmp.path(), server, p, options)?;
    move_into_place(tmp, target, &written)?;
    Ok((written, report))
}

/// Renames the finished temporary folder to `target` (an absent or empty
/// `target`), or moves its files into a non-empty one (`--force`).
fn move_into_place(tmp: tempfile::TempDir, target: &Path, written: &[WrittenFile]) -> Result<()> {
    let empty = match std::fs::read_dir(target) {
        Ok(mut rd) => rd.next().is_none(),
        Err(_) => {
            if target.exists() {
                return Err(Error::output(target, "exists and is not a folder"));
            }
            true
        }
    };
    if empty {
        if target.exists() {
            std::fs::remove_dir(target).map_err(|e| Error::output(target, e.to_string()))?;
        }
        let from = tmp.keep();
        return std::fs::rename(&from, target).map_err(|e| {
            let _ = std::fs::remove_dir_all(&from);
            Error::output(
                target,
                format!("cannot move the finished output into place: {e}"),
            )
        });
    }
    let mut rels: Vec<&str> = written.iter().map(|w| w.path.as_str()).collect();
    rels.push("report.json");
    for rel in rels {
        let (from, to) = (tmp.path().join(rel), target.join(rel));
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, e.to_string()))?;
        }
        std::fs::rename(&from, &to).map_err(|e| Error::output(&to, e.to_string()))?;
    }
    Ok(())
}

fn build_outputs(
    out: &Path,
    server: &ServerInput,
    p: &OutputPlan<'_>,
    options: &OutputOptions,
) -> Result<(Vec<WrittenFile>, Value)> {
    let fitter = Fitter::new(options);
    // A fresh temporary folder: nothing to replace.
    let force = false;
    let root = &server.postoffice.root;
    let mut t = std::time::Instant::now();
    // The files that change in the server copy.
    let mut replaced: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let paths = server.postoffice.dirsync_files();
    let srv_rel = paths
        .srvconf
        .as_deref()
        .and_then(|x| relative(root, x))
        .unwrap_or_else(|| "GLB/SRVCONF.GLB".into());
    // A server without MSTTRANS.GLB gets one beside its SRVCONF.GLB.
    let mst_rel = paths
        .msttrans
        .as_deref()
        .and_then(|x| relative(root, x))
        .unwrap_or_else(|| match srv_rel.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/MSTTRANS.GLB"),
            None => "MSTTRANS.GLB".into(),
        });
    let want = options.outputs;
    let ad = options.schema == crate::export::person::Schema::Ad;
    let merged_fit: std::borrow::Cow<'_, Directory> = if p.fit_changes.is_empty() {
        std::borrow::Cow::Borrowed(&p.plan.merged)
    } else {
        let mut d = Directory::new();
        for e in p.plan.merged.iter() {
            d.upsert(fitter.fitted(e));
        }
        d.templates = p.plan.merged.templates.clone();
        std::borrow::Cow::Owned(d)
    };
    let lists = if want.server {
        repaired_lists(server, p.rec, &merged_fit)?
    } else {
        Default::default()
    };
    timing("USR lists rebuilt", &mut t);
    let listing = if want.server {
        list_tree(root)?
    } else {
        Vec::new()
    };
    let by_upper: HashMap<String, &String> = listing
        .iter()
        .map(|r| (r.to_ascii_uppercase(), r))
        .collect();
    for (rel, bytes) in lists {
        let target = by_upper
            .get(&rel.to_ascii_uppercase())
            .map_or(rel.clone(), |r| (*r).clone());
        replaced.insert(target, bytes);
    }
    if want.server {
        replaced.insert(
            mst_rel,
            repaired_msttrans(server, p.rec, p.plan, fitter, p.stamp.stamp)?,
        );
        replaced.insert(srv_rel, repaired_srvconf(server, p.plan));
    }
    timing("MSTTRANS and SRVCONF built", &mut t);
    // The GAL of the repaired tree: from the merged directory, as REBUILD
    // would make it from the repaired USR lists.
    let data = &server.postoffice.data;
    let has_gal = want.server && (by_upper.contains_key("NME/GAL.NME") || data.gal_enabled);
    let mut gal_left_out = 0;
    if has_gal {
        let gal = crate::tree::rebuild::rebuild_gal(root, data, &merged_fit, &|_| false)?;
        gal_left_out = gal.left_out;
        for (rel, bytes) in [
            ("NME/GAL.NME", gal.gal),
            ("GLB/GALNETPO.GLB", gal.galnetpo),
            ("GLB/GALINDEX.GLB", gal.galindex),
        ] {
            let target = by_upper.get(rel).map_or(rel.to_string(), |r| (*r).clone());
            replaced.insert(target, bytes);
        }
        timing("GAL rebuilt", &mut t);
    }
    let outside = not_in_tree(server, p.rec, &merged_fit);
    // Copy or replace every file of the tree (in parallel; results in order).
    let mut rels: Vec<&String> = listing.iter().collect();
    for k in replaced.keys() {
        if !by_upper.contains_key(&k.to_ascii_uppercase()) {
            rels.push(k);
        }
    }
    rels.sort();
    rels.dedup();
    let copy_server = || -> Result<Vec<WrittenFile>> {
        rels.par_iter()
            .map(|rel| {
                let dst = format!("server/{rel}");
                match replaced.get(*rel) {
                    Some(bytes) => write_bytes(out, &dst, force, bytes),
                    None => {
                        let bytes = crate::input::read_input(&root.join(rel.as_str()))?;
                        write_bytes(out, &dst, force, &bytes)
                    }
                }
            })
            .collect()
    };
    // The other files are independent of each other and of the copy: they
    // are written in parallel too (the LDIF writer is the longest).
    #[derive(Clone, Copy)]
    enum Job {
        Server,
        Resync,
        Repair,
        Csv,
        Json,
        Ldif,
        Hole,
    }
    let jobs: Vec<Job> = [
        (Job::Ldif, want.ldif),
        (Job::Server, want.server),
        (Job::Csv, want.csv),
        (Job::Json, want.json),
        (Job::Resync, want.resync),
        (Job::Hole, want.ldif && !ad),
        (Job::Repair, want.import),
    ]
    .into_iter()
    .filter_map(|(j, on)| on.then_some(j))
    .collect();
    // What the LDIF writer could not express (members outside the
    // directory, ...): told in report.txt.
    let ldif_notes: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let results: Vec<Result<Vec<WrittenFile>>> = jobs
        .par_iter()
        .map(|job| {
            let mut t = std::time::Instant::now();
            let (name, r) = match job {
                Job::Server => ("server tree copied", copy_server()),
                Job::Resync => (
                    "RESYNC.GLB",
                    write_file(out, "RESYNC.GLB", force, |w| {
                        resync_glb(p.rec, p.plan, fitter, p.stamp.stamp, w)
                    })
                    .map(|w| vec![w]),
                ),
                Job::Repair => {
                    let ops: Vec<Operation> = p
                        .plan
                        .transactions
                        .iter()
                        .flat_map(|t| t.operations.iter().map(|op| fitter.fit_operation(op)))
                        .collect();
                    (
                        "repair.txt",
                        write_file(out, "repair.txt", force, |w| {
                            crate::importtext::write_operations(&ops, w)
                        })
                        .map(|w| vec![w]),
                    )
                }
                Job::Csv => (
                    "merged.csv",
                    write_file(out, "merged.csv", force, |w| {
                        write_csv(&p.plan.merged, w, CsvProfile::Default)
                    })
                    .map(|w| vec![w]),
                ),
                Job::Json => (
                    "merged.json",
                    write_file(out, "merged.json", force, |w| {
                        crate::export::json::write_json(&p.plan.merged, w, false)
                    })
                    .map(|w| vec![w]),
                ),
                Job::Ldif => (
                    "merged.ldif",
                    write_file(out, "merged.ldif", force, |w| {
                        let opts = LdifOptions {
                            schema: options.schema,
                            ..LdifOptions::new(&options.base_dn)
                        };
                        let notes = write_ldif_with(&p.plan.merged, w, &opts)?;
                        if let Ok(mut v) = ldif_notes.lock() {
                            v.extend(notes.warnings);
                        }
                        Ok(())
                    })
                    .map(|w| vec![w]),
                ),
                Job::Hole => {
                    let changes = hole_changes(p.rec);
                    (
                        "hole.ldif",
                        write_file(out, "hole.ldif", force, |w| {
                            write_change_ldif(&changes, w, &options.base_dn)
                        })
                        .map(|w| vec![w]),
                    )
                }
            };
            timing(name, &mut t);
            r
        })
        .collect();
    drop(replaced);
    let mut written = Vec::new();
    for r in results {
        written.extend(r?);
    }
    written.sort_by(|a, b| a.path.cmp(&b.path));
    let mut text = report_text(p);
    text.push_str(&outside_text(&outside, gal_left_out));
    for n in ldif_notes.into_inner().unwrap_or_default() {
        text.push_str(&format!("\nmerged.ldif: {n}\n"));
    }
    if want.ldif && ad {
        text.push_str(
            "\nmerged.ldif is for Active Directory (--schema ad); hole.ldif is not written \
             (its change records name the OpenLDAP DNs).\n",
        );
    }
    // report.txt is the text report, a view: control characters escaped.
    let text = crate::escape::escape_view(&text);
    written.push(write_bytes(out, "report.txt", force, text.as_bytes())?);
    written.sort_by(|a, b| a.path.cmp(&b.path));
    let mut report = report_json(p, &written);
    if let Some(Value::Object(r)) = report.get_mut("repair") {
        r.insert("not_in_tree".into(), json!(outside));
    }
    write_bytes(out, "report.json", force, &json_bytes(&report))?;
    Ok((written, report))
}

/// Prints how long a step of [`write_outputs`] took when `MSMAIL_TIMINGS` is set.
fn timing(what: &str, since: &mut std::time::Instant) {
    if std::env::var_os("MSMAIL_TIMINGS").is_some() {
        let now = std::time::Instant::now();
        eprintln!(
            "msmail: timing:   {what}: {:.2} s",
            (now - *since).as_secs_f64()
        );
        *since = now;
    }
}

/// Serialises a JSON report as written to files (pretty, final newline).
pub fn report_bytes(v: &Value) -> Vec<u8> {
    json_bytes(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_writer_hash_equals_bytes_hash() {
        let dir = tempfile::tempdir().unwrap();
        let w = write_file(dir.path(), "a/b.txt", false, |w| {
            w.write_all(b"hello ")
                .and_then(|_| w.write_all(b"world"))
                .map_err(|e| Error::output("x", e.to_string()))
        })
        .unwrap();
        let bytes = std::fs::read(dir.path().join("a/b.txt")).unwrap();
        assert_eq!(w.sha256, sha256_hex(&bytes));
        assert_eq!(
            w.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        // A content error is reported as itself, and nothing is left behind.
        let err = write_file(dir.path(), "c.txt", false, |_| {
            Err(Error::Unrepresentable("no".into()))
        })
        .unwrap_err();
        assert!(matches!(err, Error::Unrepresentable(_)));
        assert!(!dir.path().join("c.txt").exists());
    }

    #[test]
    fn out_dir_may_not_overlap_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let server = dir.path().join("server");
        std::fs::create_dir_all(server.join("GLB")).unwrap();
        let ev = dir.path().join("ev.txt");
        std::fs::write(&ev, b"x").unwrap();
        let inputs = [server.as_path(), ev.as_path()];
        // Inside the server, the server itself, an ancestor of it: refused.
        for bad in [
            server.join("out"),
            server.join("GLB/new/deeper"),
            server.clone(),
            dir.path().to_path_buf(),
        ] {
            assert_eq!(
                check_out_not_input(&bad, &inputs).unwrap_err().exit_code(),
                4,
                "{bad:?}"
            );
        }
        // A sibling folder, existing or not: fine.
        check_out_not_input(&dir.path().join("out"), &inputs).unwrap();
        check_out_not_input(&dir.path().join("a/b"), &inputs).unwrap();
    }

    #[test]
    fn out_dir_must_be_empty_without_force() {
        let dir = tempfile::tempdir().unwrap();
        check_out_dir(dir.path(), false).unwrap();
        std::fs::write(dir.path().join("x"), b"x").unwrap();
        assert_eq!(check_out_dir(dir.path(), false).unwrap_err().exit_code(), 4);
        check_out_dir(dir.path(), true).unwrap();
        check_out_dir(&dir.path().join("new"), false).unwrap();
    }
}
