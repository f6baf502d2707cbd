//! The scenarios: `default` (a quiet, synchronised world: one tree per
//! postoffice) and `restore` (the server restored from a backup, requestors
//! living on, their evidence, and `truth.json`).

use std::path::Path;

use serde::Serialize;

use super::trees::{self, write_tree_files};
use super::world::{World, WorldParams};
use crate::error::{Error, Result};

mod restore;
mod truth;

pub use restore::{generate_restore, EvidenceForm, FORMS};
pub use truth::{HiddenHole, HoleEntry, ModifiedEntry, PostOfficeTruth, SyncTruth, Totals, Truth};
/// Whether requestor trees carry USR lists of the other postoffices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeerLists {
    /// `all` when postoffices² × users ≤ 2,000,000, else `server`.
    #[default]
    Auto,
    /// Every tree holds every other postoffice's USR list.
    All,
    /// Only the server's tree holds them; requestor trees have XTN records
    /// with empty USR lists (keeps 500 × 2,000 worlds small).
    Server,
}

impl PeerLists {
    /// Resolves `auto` for a world size.
    pub fn resolve(self, postoffices: usize, users: usize) -> bool {
        match self {
            PeerLists::All => true,
            PeerLists::Server => false,
            PeerLists::Auto => {
                (postoffices as u128) * (postoffices as u128) * (users as u128) <= 2_000_000
            }
        }
    }
}

/// What a run wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Postoffices in the world.
    pub postoffices: usize,
    /// Dir-Sync entries (users and groups) over all postoffices.
    pub entries: usize,
}

impl Summary {
    fn add(&mut self, files: usize, bytes: u64) {
        self.files += files;
        self.bytes += bytes;
    }
}

fn write_one(out: &Path, rel: &str, bytes: &[u8], force: bool, s: &mut Summary) -> Result<()> {
    crate::output::write_bytes_atomic(&out.join(rel), force, bytes)?;
    s.add(1, bytes.len() as u64);
    Ok(())
}

fn to_bytes(f: impl FnOnce(&mut dyn std::io::Write) -> Result<()>) -> Result<Vec<u8>> {
    let mut v = Vec::new();
    f(&mut v)?;
    Ok(v)
}

/// `generator` block of world.json / truth.json.
#[derive(Debug, Clone, Serialize)]
pub struct GeneratorInfo {
    /// Scenario name.
    pub scenario: &'static str,
    /// Postoffices.
    pub postoffices: usize,
    /// Users per postoffice.
    pub users: usize,
    /// Seed.
    pub seed: u64,
}

/// One postoffice in world.json.
#[derive(Debug, Clone, Serialize)]
pub struct WorldPostOffice {
    /// `PCM:NET/PO`.
    pub scope: String,
    /// Folder relative to the output folder.
    pub folder: String,
    /// `server` or `requestor`.
    pub role: &'static str,
    /// Dir-Sync entries (users and groups).
    pub entries: usize,
    /// ReqSync in its REQCONF.GLB.
    pub reqsync: u32,
    /// SrvSync in its REQCONF.GLB.
    pub srvsync: u32,
}

/// world.json of the default scenario.
#[derive(Debug, Clone, Serialize)]
pub struct WorldManifest {
    /// How it was made.
    pub generator: GeneratorInfo,
    /// The server's Sync.
    pub server_sync: u32,
    /// The postoffices.
    pub postoffices: Vec<WorldPostOffice>,
}

fn folder_of(world: &World, p: usize) -> String {
    match world.pos.get(p) {
        Some(_) if p == 0 => "server".to_string(),
        Some(po) => format!("requestors/{}", po.folder()),
        None => String::new(),
    }
}

fn check_params(params: &WorldParams) -> Result<()> {
    if params.postoffices < 2 {
        return Err(Error::Usage("--postoffices must be at least 2".into()));
    }
    if params.users < 4 {
        return Err(Error::Usage("--users must be at least 4".into()));
    }
    Ok(())
}

/// The default scenario: a synchronised world after four cycles;
/// `DIR/server/` and `DIR/requestors/<NET>-<PO>/` MAILDATA trees and
/// `DIR/world.json`.
pub fn generate_default(
    out: &Path,
    params: WorldParams,
    peer_lists: PeerLists,
    force: bool,
) -> Result<Summary> {
    check_params(&params)?;
    let mut world = World::new(params);
    world.history();
    let peers_all = peer_lists.resolve(params.postoffices, params.users);
    let mut s = Summary {
        postoffices: world.pos.len(),
        entries: world.pos.iter().map(|p| p.list.len()).sum(),
        ..Summary::default()
    };
    let view = |i: usize| world.pos.get(i).map(|p| &p.list);
    let mut manifest = WorldManifest {
        generator: GeneratorInfo {
            scenario: "default",
            postoffices: params.postoffices,
            users: params.users,
            seed: params.seed,
        },
        server_sync: world.server.sync,
        postoffices: Vec::new(),
    };
    for (p, po) in world.pos.iter().enumerate() {
        let peers: Option<trees::PeerView<'_>> = if p == 0 || peers_all {
            Some(&view)
        } else {
            None
        };
        let folder = folder_of(&world, p);
        let (files, bytes) = write_tree_files(&world, p, peers, p == 0, &out.join(&folder), force)?;
        s.add(files, bytes);
        manifest.postoffices.push(WorldPostOffice {
            scope: po.scope().to_string(),
            folder,
            role: if p == 0 { "server" } else { "requestor" },
            entries: po.list.len(),
            reqsync: po.reqsync,
            srvsync: po.srvsync,
        });
    }
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::output(out.join("world.json"), e.to_string()))?;
    write_one(out, "world.json", &json, force, &mut s)?;
    Ok(s)
}

#[cfg(test)]
mod tests;
