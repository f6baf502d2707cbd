//! The `restore` scenario: the server restored from a backup, requestors
//! living on, their evidence in the forms of [`EvidenceForm`], and the answer
//! key ([`generate_restore`]).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::dsmsg::{envelope_date, write_export_message, Envelope, MessageNumbers};
use crate::error::{Error, Result};
use crate::generate::trees::{self, write_tree_files};
use crate::generate::world::{PostOfficeState, World, WorldParams};
use crate::importtext::{write_directory, write_scope_export};
use crate::model::{AddressKey, Directory, Entry};

use super::{
    check_params, to_bytes, write_one, GeneratorInfo, HiddenHole, HoleEntry, ModifiedEntry,
    PeerLists, PostOfficeTruth, Summary, SyncTruth, Totals, Truth,
};

/// The forms requestor evidence takes in a restore scenario, in the order
/// they are dealt out to the requestors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceForm {
    /// `EXPORT.TXT`: `R PCM:NET/PO` + one `A` per entry.
    ImportText,
    /// `EXTRACT.TXT`: an `IMPORT -X` extract (own list and others' lists).
    Extract,
    /// `REQTRANS.GLB`: an export as transactions (R + A records).
    Reqtrans,
    /// `EXPORT.MSG`: a `[DIRSYNC]` EXPORT message with REQSEQ/SRVSEQ.
    Message,
    /// The live MAILDATA tree at C.
    Tree,
    /// `REQCONF.GLB` + `REQTRANS.GLB` in the folder itself.
    Numbers,
    /// `GLB/REQCONF.GLB` + `GLB/REQTRANS.GLB`.
    NumbersGlb,
    /// Nothing at all.
    None,
}

/// The forms in dealing order.
pub const FORMS: [EvidenceForm; 8] = [
    EvidenceForm::ImportText,
    EvidenceForm::Extract,
    EvidenceForm::Reqtrans,
    EvidenceForm::Message,
    EvidenceForm::Tree,
    EvidenceForm::Numbers,
    EvidenceForm::NumbersGlb,
    EvidenceForm::None,
];

impl EvidenceForm {
    /// The reconcile report's evidence kind: `export`, `tree`, `numbers`, `none`.
    pub fn kind(self) -> &'static str {
        match self {
            EvidenceForm::ImportText
            | EvidenceForm::Extract
            | EvidenceForm::Reqtrans
            | EvidenceForm::Message => "export",
            EvidenceForm::Tree => "tree",
            EvidenceForm::Numbers | EvidenceForm::NumbersGlb => "numbers",
            EvidenceForm::None => "none",
        }
    }

    /// Whether the evidence holds the whole list (the hole can be filled).
    pub fn authoritative(self) -> bool {
        matches!(self.kind(), "export" | "tree")
    }

    /// Whether the evidence carries the requestor's ReqSync/SrvSync.
    pub fn has_numbers(self) -> bool {
        matches!(
            self,
            EvidenceForm::Message
                | EvidenceForm::Tree
                | EvidenceForm::Numbers
                | EvidenceForm::NumbersGlb
        )
    }
}

pub(super) type Before = BTreeMap<AddressKey, Option<Entry>>;

pub(super) fn hole(
    before: &Before,
    now: &Directory,
) -> (Vec<HoleEntry>, Vec<HoleEntry>, Vec<ModifiedEntry>) {
    let (mut adds, mut dels, mut mods) = (Vec::new(), Vec::new(), Vec::new());
    for (key, old) in before {
        match (old, now.get(key)) {
            (None, Some(n)) => adds.push(HoleEntry {
                address: n.address.to_string(),
                full_name: n.full_name.to_string(),
            }),
            (Some(o), None) => dels.push(HoleEntry {
                address: o.address.to_string(),
                full_name: o.full_name.to_string(),
            }),
            (Some(o), Some(n)) if !o.same_content(n) => mods.push(ModifiedEntry {
                address: n.address.to_string(),
                server_full_name: o.full_name.to_string(),
                full_name: n.full_name.to_string(),
            }),
            _ => {}
        }
    }
    (adds, dels, mods)
}

/// The restore scenario (see docs/generate.md): `DIR/server/` (the restored
/// server tree as of the backup B), `DIR/requestors/<NET>-<PO>/` evidence as of
/// C, and `DIR/truth.json`.
///
/// `only_form`: every requestor gives evidence of this one form (the benchmark
/// uses `ImportText`, a full export per requestor); `None` deals the forms of
/// [`FORMS`] in turn.
pub fn generate_restore(
    out: &Path,
    params: WorldParams,
    peer_lists: PeerLists,
    only_form: Option<EvidenceForm>,
    force: bool,
) -> Result<(Summary, Truth)> {
    check_params(&params)?;
    let mut world = World::new(params);
    world.history();
    let n = world.pos.len();
    let peers_all = peer_lists.resolve(params.postoffices, params.users);
    let mut s = Summary {
        postoffices: n,
        ..Summary::default()
    };

    // B: the backup. Write the server tree now: it is what the restore brings back.
    let backup_time = world.now;
    {
        let view = |i: usize| world.pos.get(i).map(|p| &p.list);
        let (files, bytes) =
            write_tree_files(&world, 0, Some(&view), true, &out.join("server"), force)?;
        s.add(files, bytes);
    }
    let sync_b = world.server.sync;
    let reqsync_b = world.server.reqsync.clone();
    // What the server's view of each postoffice holds: its Dir-Sync list and
    // the entries of the 10/10/10 gateway nodes it hosts (their XTN route
    // names it); the server's own also its ADMIN mailbox, excluded from
    // Dir-Sync but in its directory.
    let gateway_entries: Vec<usize> = world
        .pos
        .iter()
        .map(|p| p.gateways.iter().map(|g| g.entries.len()).sum())
        .collect();
    let server_entries: Vec<usize> = world
        .pos
        .iter()
        .enumerate()
        .map(|(i, p)| {
            p.list.len() + gateway_entries.get(i).copied().unwrap_or(0) + usize::from(i == 0)
        })
        .collect();
    let lists_b: Option<Vec<Directory>> =
        peers_all.then(|| world.pos.iter().map(|p| p.list.clone()).collect());

    // Deal evidence forms and roles.
    let forms: Vec<EvidenceForm> = (0..n)
        .map(|p| {
            if p == 0 {
                EvidenceForm::Tree
            } else if let Some(form) = only_form {
                form
            } else {
                FORMS[(p - 1) % FORMS.len()]
            }
        })
        .collect();
    let behind = (1..n)
        .find(|&p| forms[p] == EvidenceForm::Tree)
        .or_else(|| (1..n).find(|&p| forms[p].has_numbers()))
        .unwrap_or(n - 1);
    let mut senders = Vec::new();
    let mut pending = Vec::new();
    for p in 1..n {
        if p == behind {
            continue;
        }
        if p == 1 || world.roll(0, 2) > 0 {
            senders.push(p);
        }
        if p == 2 || world.roll(0, 1) == 1 {
            pending.push(p);
        }
    }
    let mut roles: Vec<Vec<&'static str>> = vec![Vec::new(); n];
    roles[0].push("server");
    let mut before: Vec<Before> = vec![Before::new(); n];

    // Between B and C: senders change, send, and are confirmed by the server
    // that is later lost; they receive the new master numbers (above Sync(B)).
    world.advance(1);
    for &p in &senders {
        let k = world.roll(2, 5);
        world.random_changes_tracked(p, k, Some(&mut before[p]));
        roles[p].push("sent-after-backup");
    }
    world.cycle(&senders, &senders, true);
    let lists_s1: Option<Vec<Directory>> =
        peers_all.then(|| world.pos.iter().map(|p| p.list.clone()).collect());
    world.advance(1);
    // Changes still queued in REQTRANS.
    for &p in &pending {
        let k = world.roll(1, 3);
        world.random_changes_tracked(p, k, Some(&mut before[p]));
        roles[p].push("pending");
    }
    // The requestor behind the server: REQTRANS/REQCONF recreated with a
    // lower ReqSync; its new changes are queued above it (Q119014).
    if let Some(po) = world.pos.get_mut(behind) {
        let r = reqsync_b.get(behind).copied().unwrap_or(0);
        po.reqsync = r.saturating_sub(2).max(1);
        po.queue.clear();
    }
    let k = world.roll(1, 3);
    world.random_changes_tracked(behind, k, Some(&mut before[behind]));
    roles[behind].push("recreated-reqtrans");
    world.advance(1);
    let evidence_time = world.now;

    // Evidence.
    let mut truth = Vec::with_capacity(n);
    // The import texts (a full export per requestor) are built on every core,
    // a window of postoffices at a time, and written in postoffice order.
    let mut texts: Vec<Option<Result<Vec<u8>>>> = Vec::new();
    for p in 0..n {
        if p % TEXT_WINDOW == 0 {
            texts = import_texts(&world, &forms, p..(p + TEXT_WINDOW).min(n));
        }
        let form = forms[p];
        let po = &world.pos[p];
        let folder = format!("requestors/{}", po.folder());
        let dir = out.join(&folder);
        let is_sender = senders.contains(&p);
        let view_of = |i: usize| -> Option<&Directory> {
            let lists = if is_sender {
                lists_s1.as_ref()
            } else {
                lists_b.as_ref()
            };
            lists.and_then(|l| l.get(i))
        };
        let mut path = Some(folder.clone());
        if p == 0 {
            path = Some("server".into());
        } else {
            match form {
                EvidenceForm::ImportText => {
                    let b = match texts.get_mut(p % TEXT_WINDOW).and_then(Option::take) {
                        Some(built) => built?,
                        None => import_text(po)?,
                    };
                    write_one(&dir, "EXPORT.TXT", &b, force, &mut s)?;
                    path = Some(format!("{folder}/EXPORT.TXT"));
                }
                EvidenceForm::Extract => {
                    let mut d = po.list.clone();
                    d.templates.insert(po.scope().key(), po.template.clone());
                    for (i, other) in world.pos.iter().enumerate() {
                        if i == p {
                            continue;
                        }
                        let src = if peers_all {
                            view_of(i)
                        } else if i == 0 {
                            Some(&other.list)
                        } else {
                            None
                        };
                        if let Some(l) = src {
                            for e in l.in_scope(&other.scope()) {
                                d.upsert(e.clone());
                            }
                        }
                    }
                    let b = to_bytes(|w| write_directory(&d, w))?;
                    write_one(&dir, "EXTRACT.TXT", &b, force, &mut s)?;
                    path = Some(format!("{folder}/EXTRACT.TXT"));
                }
                EvidenceForm::Reqtrans => {
                    let b = trees::reqtrans_export(&world, p)?;
                    write_one(&dir, "REQTRANS.GLB", &b, force, &mut s)?;
                    path = Some(format!("{folder}/REQTRANS.GLB"));
                }
                EvidenceForm::Message => {
                    let entries = po.list.in_scope(&po.scope());
                    let numbers = MessageNumbers {
                        reqseq: Some(po.reqsync),
                        srvseq: Some(po.srvsync),
                        impseq: Some(1),
                    };
                    // To the server's $SYSTEM, dated when the evidence was taken (Q118298).
                    let envelope =
                        Envelope::to_server(&world.pos[0].scope(), envelope_date(evidence_time));
                    let b = to_bytes(|w| {
                        write_export_message(&po.scope(), &entries, numbers, &envelope, w)
                    })?;
                    write_one(&dir, "EXPORT.MSG", &b, force, &mut s)?;
                    path = Some(format!("{folder}/EXPORT.MSG"));
                }
                EvidenceForm::Tree => {
                    let peers: Option<trees::PeerView<'_>> =
                        if peers_all { Some(&view_of) } else { None };
                    let (files, bytes) = write_tree_files(&world, p, peers, false, &dir, force)?;
                    s.add(files, bytes);
                }
                EvidenceForm::Numbers | EvidenceForm::NumbersGlb => {
                    let sub = if form == EvidenceForm::NumbersGlb {
                        "GLB/"
                    } else {
                        ""
                    };
                    write_one(
                        &dir,
                        &format!("{sub}REQCONF.GLB"),
                        &trees::reqconf(&world, p)?.write(),
                        force,
                        &mut s,
                    )?;
                    write_one(
                        &dir,
                        &format!("{sub}REQTRANS.GLB"),
                        &trees::reqtrans(&world, p)?,
                        force,
                        &mut s,
                    )?;
                }
                EvidenceForm::None => path = None,
            }
        }
        let (adds, dels, mods) = hole(&before[p], &po.list);
        // The server's own postoffice: the snapshot is all there is (as of B),
        // no evidence from C — as the reconcile report shows it.
        let own = p == 0;
        let auth = !own && form.authoritative();
        let numbers = !own && form.has_numbers();
        let server_reqsync = reqsync_b.get(p).copied();
        let (rr, rs) = if numbers {
            (Some(po.reqsync), Some(po.srvsync))
        } else {
            (None, None)
        };
        let req_gap = rr.zip(server_reqsync).map(|(a, b)| a.saturating_sub(b));
        let srv_overshoot = rs.map(|a| a.saturating_sub(sync_b));
        let mut hazards = Vec::new();
        let behind = rr.zip(server_reqsync).map(|(a, b)| a.cmp(&b));
        if behind == Some(std::cmp::Ordering::Greater) {
            hazards.push("lost-updates");
        }
        if rs.is_some_and(|a| a > sync_b) {
            hazards.push("skipped-master");
        }
        if behind == Some(std::cmp::Ordering::Less) {
            hazards.push("rejected-updates");
        }
        let hidden = (!auth).then_some(HiddenHole {
            missing_adds: adds.len(),
            missing_deletes: dels.len(),
            modified: mods.len(),
        });
        let (adds, dels, mods) = if auth {
            (adds, dels, mods)
        } else {
            Default::default()
        };
        truth.push(PostOfficeTruth {
            scope: po.scope().to_string(),
            evidence: if own { "none" } else { form.kind() },
            evidence_form: if p == 0 {
                "server-tree".into()
            } else {
                serde_plain(form)
            },
            evidence_path: path,
            authoritative: auth,
            server_entries: server_entries.get(p).copied().unwrap_or(0),
            merged_entries: if auth {
                po.list.len() + gateway_entries.get(p).copied().unwrap_or(0)
            } else {
                server_entries.get(p).copied().unwrap_or(0)
            },
            missing_adds: adds,
            missing_deletes: dels,
            modified: mods,
            sync: SyncTruth {
                server_reqsync,
                requestor_reqsync: rr,
                req_gap,
                requestor_srvsync: rs,
                server_sync: Some(sync_b),
                srv_overshoot,
            },
            hazards,
            hidden_hole: hidden,
            roles: roles[p].clone(),
        });
    }
    truth.sort_by(|a, b| a.scope.cmp(&b.scope));
    let totals = truth.iter().fold(Totals::default(), |t, p| Totals {
        missing_adds: t.missing_adds + p.missing_adds.len(),
        missing_deletes: t.missing_deletes + p.missing_deletes.len(),
        modified: t.modified + p.modified.len(),
    });
    s.entries = world.pos.iter().map(|p| p.list.len()).sum();
    let truth = Truth {
        generator: GeneratorInfo {
            scenario: "restore",
            postoffices: params.postoffices,
            users: params.users,
            seed: params.seed,
        },
        server: world.server_po().scope().to_string(),
        backup_time,
        evidence_time,
        postoffices: truth,
        totals,
    };
    let json = serde_json::to_vec_pretty(&truth)
        .map_err(|e| Error::output(out.join("truth.json"), e.to_string()))?;
    write_one(out, "truth.json", &json, force, &mut s)?;
    Ok((s, truth))
}

/// Postoffices whose import texts are built at once (about 280 KB each at
/// 2,000 users).
const TEXT_WINDOW: usize = 16;

/// The import text (`EXPORT.TXT`) of each postoffice of `window` whose
/// evidence is one (the server's own excepted), built on every core; `None`
/// for the others.
fn import_texts(
    world: &World,
    forms: &[EvidenceForm],
    window: std::ops::Range<usize>,
) -> Vec<Option<Result<Vec<u8>>>> {
    use rayon::prelude::*;
    window
        .into_par_iter()
        .map(|p| {
            let po = world.pos.get(p)?;
            (p != 0 && forms.get(p) == Some(&EvidenceForm::ImportText)).then(|| import_text(po))
        })
        .collect()
}

/// The import text (`EXPORT.TXT`) of postoffice `po`: `R PCM:NET/PO` and an
/// `A` per entry of its list.
fn import_text(po: &PostOfficeState) -> Result<Vec<u8>> {
    to_bytes(|w| write_scope_export(&po.list, &po.scope(), w))
}

fn serde_plain(form: EvidenceForm) -> String {
    serde_json::to_value(form)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
