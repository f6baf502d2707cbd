//! The synthetic world: postoffices on several networks, their users, groups,
//! templates and gateway entries, and a Dir-Sync history simulated cycle by
//! cycle (T1 send, T2 master numbering, T3 confirm) so that every number in
//! every generated file agrees with every other.

use std::collections::HashSet;

use super::rng::SplitMix64;
use crate::model::{Directory, Entry, Operation, Scope, TemplateDef};

mod evolve;

/// 1994-04-01 00:00:00, the first day of every synthetic history (`time32`).
pub const BASE_TIME: u32 = 765_158_400;
/// One day in seconds.
pub const DAY: u32 = 86_400;
/// MSTTRANS keeps transactions this many days (the MS Mail default, Q257740).
pub const KEEP_DAYS: u16 = 14;

/// Size and seed of a world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorldParams {
    /// Number of postoffices (at least 2).
    pub postoffices: usize,
    /// Users per postoffice (at least 4).
    pub users: usize,
    /// The seed: the same parameters give the same world everywhere.
    pub seed: u64,
}

/// A 10/10/10 gateway node whose entries one postoffice originates.
#[derive(Debug, Clone)]
pub struct GatewayNode {
    /// Address type (`PROFS`, `SNADS`).
    pub address_type: String,
    /// Gateway (network) name.
    pub gate: String,
    /// Node / DGN name.
    pub node: String,
    /// The entries (static over the history).
    pub entries: Vec<Entry>,
}

impl GatewayNode {
    /// The node's scope `TYPE:GATE/NODE`.
    pub fn scope(&self) -> Scope {
        Scope {
            type_name: self.address_type.clone(),
            body: format!("{}/{}", self.gate, self.node),
        }
    }
}

/// A local group and its members' mailboxes.
#[derive(Debug, Clone)]
pub struct GroupSpec {
    /// Group mailbox.
    pub mailbox: String,
    /// Member mailboxes (members that were deleted later are skipped on output).
    pub members: Vec<String>,
}

/// One postoffice and its Dir-Sync requestor state.
#[derive(Debug, Clone)]
pub struct PostOfficeState {
    /// Network name.
    pub network: String,
    /// Postoffice name.
    pub name: String,
    /// Its address list as Dir-Sync sees it (users not excluded, and groups).
    pub list: Directory,
    /// Group memberships.
    pub groups: Vec<GroupSpec>,
    /// Template definition of its scope.
    pub template: TemplateDef,
    /// Gateway nodes it originates.
    pub gateways: Vec<GatewayNode>,
    /// ReqSync (REQCONF.GLB).
    pub reqsync: u32,
    /// SrvSync (REQCONF.GLB).
    pub srvsync: u32,
    /// Queued operations, numbered reqsync+1, reqsync+2, … (REQTRANS.GLB).
    pub queue: Vec<Operation>,
    /// Last T1 and T3 times.
    pub last_t1: u32,
    /// Last T3 time.
    pub last_t3: u32,
    used_mailboxes: HashSet<String>,
}

impl PostOfficeState {
    /// `PCM:NET/PO`.
    pub fn scope(&self) -> Scope {
        Scope::postoffice(&self.network, &self.name)
    }

    /// `NET/PO` (transaction origin, REQCONF server name).
    pub fn net_po(&self) -> String {
        format!("{}/{}", self.network, self.name)
    }

    /// Folder name `NET-PO`.
    pub fn folder(&self) -> String {
        format!("{}-{}", self.network, self.name)
    }

    fn fresh_mailbox(&mut self, stem: &str) -> String {
        let stem: String = stem.chars().take(10).collect();
        let stem = if stem.is_empty() {
            "USER".to_string()
        } else {
            stem
        };
        if self.used_mailboxes.insert(stem.clone()) {
            return stem;
        }
        for n in 1u32.. {
            let suffix = n.to_string();
            let keep = 10usize.saturating_sub(suffix.len());
            let cand = format!(
                "{}{}",
                stem.get(..keep.min(stem.len())).unwrap_or(""),
                suffix
            );
            if self.used_mailboxes.insert(cand.clone()) {
                return cand;
            }
        }
        stem
    }
}

/// A master transaction the server kept (MSTTRANS.GLB).
#[derive(Debug, Clone)]
pub struct MasterTx {
    /// Master sync number.
    pub sync: u32,
    /// When it was queued.
    pub stamp: u32,
    /// Index of the originating postoffice.
    pub origin: usize,
    /// The operation.
    pub op: Operation,
}

/// The server's Dir-Sync state (SRVCONF.GLB + MSTTRANS.GLB).
#[derive(Debug, Clone, Default)]
pub struct ServerState {
    /// Sync: the last master number.
    pub sync: u32,
    /// Current Dir-Sync cycle.
    pub cycle: u32,
    /// Last T2 time.
    pub last_t2: u32,
    /// ReqSync^S per postoffice.
    pub reqsync: Vec<u32>,
    /// SrvSync^S per postoffice.
    pub srvsync: Vec<u32>,
    /// Last cycle per postoffice.
    pub last_cycle: Vec<u32>,
    /// Last update received per postoffice.
    pub last_update: Vec<u32>,
    /// Master transactions not yet purged.
    pub master: Vec<MasterTx>,
}

/// A whole world: postoffices (index 0 is the Dir-Sync server) and the server.
#[derive(Debug, Clone)]
pub struct World {
    /// The parameters it was built from.
    pub params: WorldParams,
    /// The postoffices; index 0 is the Dir-Sync server's own postoffice.
    pub pos: Vec<PostOfficeState>,
    /// The server's state.
    pub server: ServerState,
    /// Current simulated time.
    pub now: u32,
    rng: SplitMix64,
}

#[cfg(test)]
mod tests;
