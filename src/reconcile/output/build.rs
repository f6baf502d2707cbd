//! [`write_outputs`]: every output of `msmail reconcile --out DIR` built in a
//! temporary folder, then moved into place.

use super::files::{list_tree, move_into_place, relative, write_bytes, write_file};
use super::{
    hole_changes, not_in_tree, repaired_lists, repaired_msttrans, repaired_srvconf, report_json,
    report_text, resync_glb, Fitter, OutputOptions, OutputPlan,
};
use crate::error::{Error, Result};
use crate::export::csv::{write_csv, CsvProfile};
use crate::export::ldif::{write_change_ldif, write_ldif_with, LdifOptions};
use crate::model::{Directory, Operation};
use crate::reconcile::inputs::ServerInput;
use crate::reconcile::summary::{json_bytes, outside_text};
use crate::reconcile::WrittenFile;
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

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

pub(super) fn build_outputs(
    out: &Path,
    server: &ServerInput,
    p: &OutputPlan<'_>,
    options: &OutputOptions,
) -> Result<(Vec<WrittenFile>, Value)> {
    let fitter = Fitter::new(options);
    // A fresh temporary folder: nothing to replace.
    let force = false;
    let root = &server.postoffice.root;
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
        std::borrow::Cow::Borrowed(p.merged)
    } else {
        let mut d = Directory::new();
        for e in p.merged.iter() {
            d.upsert(fitter.fitted(e));
        }
        d.templates = p.merged.templates.clone();
        std::borrow::Cow::Owned(d)
    };
    let outside = not_in_tree(server, p.rec, &merged_fit);
    // GAL entries the rebuild leaves out (told in report.txt).
    let gal_left_out = std::sync::atomic::AtomicUsize::new(0);
    // The repaired server: the USR lists, MSTTRANS, SRVCONF and the GAL
    // rebuilt, every other file of the tree copied. One of the parallel
    // jobs below (the GAL rebuild is its longest step).
    let build_server = || -> Result<Vec<WrittenFile>> {
        let mut t = std::time::Instant::now();
        let mut replaced: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let lists = repaired_lists(server, p.rec, &merged_fit)?;
        timing("USR lists rebuilt", &mut t);
        let listing = list_tree(root)?;
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
        replaced.insert(
            mst_rel.clone(),
            repaired_msttrans(server, p.rec, p.plan, fitter, p.stamp.stamp)?,
        );
        replaced.insert(srv_rel.clone(), repaired_srvconf(server, p.plan));
        timing("MSTTRANS and SRVCONF built", &mut t);
        // The GAL of the repaired tree: from the merged directory, as
        // REBUILD would make it from the repaired USR lists.
        let data = &server.postoffice.data;
        if by_upper.contains_key("NME/GAL.NME") || data.gal_enabled {
            let gal = crate::tree::rebuild::rebuild_gal(root, data, &merged_fit, &|_| false)?;
            gal_left_out.store(gal.left_out, std::sync::atomic::Ordering::Relaxed);
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
        // Copy or replace every file of the tree (in parallel; in order).
        let mut rels: Vec<&String> = listing.iter().collect();
        for k in replaced.keys() {
            if !by_upper.contains_key(&k.to_ascii_uppercase()) {
                rels.push(k);
            }
        }
        rels.sort();
        rels.dedup();
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
                Job::Server => ("server tree built and copied", build_server()),
                Job::Resync => (
                    "RESYNC.GLB",
                    write_file(out, "RESYNC.GLB", force, |w| {
                        resync_glb(p.rec, p.plan, p.merged, fitter, p.stamp.stamp, w)
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
                        write_csv(p.merged, w, CsvProfile::Default)
                    })
                    .map(|w| vec![w]),
                ),
                Job::Json => (
                    "merged.json",
                    write_file(out, "merged.json", force, |w| {
                        crate::export::json::write_json(p.merged, w, false)
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
                        let notes = write_ldif_with(p.merged, w, &opts)?;
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
    let gal_left_out = gal_left_out.into_inner();
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
pub(super) fn timing(what: &str, since: &mut std::time::Instant) {
    if std::env::var_os("MSMAIL_TIMINGS").is_some() {
        let now = std::time::Instant::now();
        eprintln!(
            "msmail: timing:   {what}: {:.2} s{}",
            (now - *since).as_secs_f64(),
            crate::memory::resident_note()
        );
        *since = now;
    }
}
