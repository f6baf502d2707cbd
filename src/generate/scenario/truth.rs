//! The answer key of the `restore` scenario as `truth.json` holds it: per
//! postoffice the hole the restore made ([`Truth`]).

use serde::Serialize;

use super::GeneratorInfo;

/// An entry of a hole list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoleEntry {
    /// The full address `TYPE:...`.
    pub address: String,
    /// Full name.
    pub full_name: String,
}

/// A modified entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModifiedEntry {
    /// The full address.
    pub address: String,
    /// The name the server has.
    pub server_full_name: String,
    /// The name the requestor has.
    pub full_name: String,
}

/// The numbers of one postoffice (same names as the reconcile report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncTruth {
    /// ReqSync^S_p in the restored SRVCONF.GLB.
    pub server_reqsync: Option<u32>,
    /// ReqSync_p at C (from the evidence), null when the evidence has none.
    pub requestor_reqsync: Option<u32>,
    /// requestor_reqsync − server_reqsync when positive, else 0 (null unless both known).
    pub req_gap: Option<u32>,
    /// SrvSync_p at C, null when the evidence has none.
    pub requestor_srvsync: Option<u32>,
    /// Sync(B) of the restored server.
    pub server_sync: Option<u32>,
    /// requestor_srvsync − server_sync when positive, else 0 (null unless known).
    pub srv_overshoot: Option<u32>,
}

/// Sizes of a hole nobody can see (evidence `numbers` or `none`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct HiddenHole {
    /// Missing adds in the world.
    pub missing_adds: usize,
    /// Missing deletes in the world.
    pub missing_deletes: usize,
    /// Modified entries in the world.
    pub modified: usize,
}

/// The truth about one postoffice scope.
#[derive(Debug, Clone, Serialize)]
pub struct PostOfficeTruth {
    /// `PCM:NET/PO`.
    pub scope: String,
    /// `export`, `tree`, `numbers`, `none`.
    pub evidence: &'static str,
    /// The evidence form (finer than `evidence`).
    pub evidence_form: String,
    /// Evidence path relative to the output folder (null for none).
    pub evidence_path: Option<String>,
    /// Whether the evidence holds the whole list.
    pub authoritative: bool,
    /// Entries of the server's view of p (its USR list at B; the POL for the server).
    pub server_entries: usize,
    /// Entries of the merged list (p's list at C when authoritative, else the server's view).
    pub merged_entries: usize,
    /// In p's list at C, not in the server's view.
    pub missing_adds: Vec<HoleEntry>,
    /// In the server's view, gone from p's list.
    pub missing_deletes: Vec<HoleEntry>,
    /// Present in both, name, kind or template data differ.
    pub modified: Vec<ModifiedEntry>,
    /// The numbers.
    pub sync: SyncTruth,
    /// `lost-updates`, `skipped-master`, `rejected-updates`.
    pub hazards: Vec<&'static str>,
    /// Hole sizes the evidence cannot show (numbers / none), for forensics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_hole: Option<HiddenHole>,
    /// Roles this postoffice played after the backup.
    pub roles: Vec<&'static str>,
}

/// Totals of the three hole lists.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Totals {
    /// Sum of missing_adds.
    pub missing_adds: usize,
    /// Sum of missing_deletes.
    pub missing_deletes: usize,
    /// Sum of modified.
    pub modified: usize,
}

/// truth.json.
#[derive(Debug, Clone, Serialize)]
pub struct Truth {
    /// How it was made.
    pub generator: GeneratorInfo,
    /// The restored server's `PCM:NET/PO`.
    pub server: String,
    /// Backup time B and evidence time C (`time32`).
    pub backup_time: u32,
    /// Evidence time C.
    pub evidence_time: u32,
    /// One record per postoffice scope, sorted by scope.
    pub postoffices: Vec<PostOfficeTruth>,
    /// Sums over the authoritative scopes.
    pub totals: Totals,
}
