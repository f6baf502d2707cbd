//! The postoffice view: a whole MAILDATA tree (profile v1) read into
//! [`PostOfficeData`] — plain, easy-to-edit in-memory data — and the address
//! lists it holds as [`Directory`] values (POL, USR lists, GAL, everything).

use std::path::{Path, PathBuf};

use super::{find_case_insensitive, parse_hex8, Ctx};
use crate::error::{Error, Location, Result};
use crate::input::LoadOptions;
use crate::model::{Directory, Scope};

pub use super::data::{
    ExternalPostOffice, ListEntry, LocalGroup, LocalUser, NetworkData, PostOfficeData, UsrEntry,
};
use super::open::{GalEntries, Listings, Reader};
use super::origins::Origins;
use super::read::read_tree;
pub(crate) use super::read_external::resolve_netpo_entry;
use super::scoped::UsrKeys;

/// Paths of the Dir-Sync files of a tree, where present (read by `dirsync::*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirSyncPaths {
    /// `GLB/REQCONF.GLB`.
    pub reqconf: Option<PathBuf>,
    /// `GLB/SRVCONF.GLB` (Dir-Sync server only).
    pub srvconf: Option<PathBuf>,
    /// `GLB/REQTRANS.GLB`.
    pub reqtrans: Option<PathBuf>,
    /// `GLB/MSTTRANS.GLB` (Dir-Sync server only).
    pub msttrans: Option<PathBuf>,
}

/// Which list `msmail export TREE --list ...` takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSelector {
    /// The postoffice address list.
    Pol,
    /// The global address list.
    Gal,
    /// The local groups.
    Groups,
    /// The USR list of one external postoffice.
    Usr {
        /// Network.
        network: String,
        /// Postoffice.
        postoffice: String,
    },
    /// One local user's personal address list (`pal:MAILBOX`).
    Pal(String),
    /// Every personal address list, each with its owner (`pals`).
    Pals,
}

impl ListSelector {
    /// Parses `pol`, `gal`, `groups`, `usr:NET/PO`, `pal:MAILBOX` or `pals`
    /// (case-insensitive keyword).
    pub fn parse(text: &str) -> Result<ListSelector> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        match lower.as_str() {
            "pol" => return Ok(ListSelector::Pol),
            "gal" => return Ok(ListSelector::Gal),
            "groups" => return Ok(ListSelector::Groups),
            "pals" => return Ok(ListSelector::Pals),
            _ => {}
        }
        if lower.starts_with("pal:") {
            if let Some(m) = t.get(4..).map(str::trim).filter(|m| !m.is_empty()) {
                return Ok(ListSelector::Pal(m.to_string()));
            }
        }
        if lower.starts_with("usr:") {
            if let Some((n, p)) = t.get(4..).and_then(|r| r.split_once('/')) {
                if !n.is_empty() && !p.is_empty() && !p.contains('/') {
                    return Ok(ListSelector::Usr {
                        network: n.to_string(),
                        postoffice: p.to_string(),
                    });
                }
            }
        }
        Err(Error::Usage(format!(
            "--list {text:?}: expected pol, gal, groups, usr:NET/PO, pal:MAILBOX or pals"
        )))
    }
}

/// A postoffice tree read from disk: its data, where it lives, and what the
/// reader had to report.
#[derive(Debug, Clone)]
pub struct PostOffice {
    /// The MAILDATA folder.
    pub root: PathBuf,
    /// Everything the tree holds.
    pub data: PostOfficeData,
    /// Warnings (skipped damage with salvage, unrepresentable entries, ...).
    pub warnings: Vec<String>,
    /// Cross-file inconsistencies that did not stop reading (see
    /// [`super::Ctx::findings`]), one sentence each with file and position.
    pub findings: Vec<String>,
    /// Entries profile v1 cannot represent (counted, reported in `warnings`).
    pub unrepresentable: usize,
    dirsync: DirSyncPaths,
    origins: Origins,
}

impl PostOffice {
    /// Reads a whole MAILDATA tree (names matched case-insensitively). Strict
    /// unless `options.salvage`: then damaged records are skipped and reported.
    pub fn open(maildata: &Path, options: &LoadOptions) -> Result<PostOffice> {
        PostOffice::open_with(maildata, options, GalEntries::All)
    }

    /// Like [`PostOffice::open`], with every check, for
    /// [`PostOffice::into_directory`] alone: `data.gal` keeps only the GAL
    /// entries whose address no list read before it holds (the only ones
    /// the whole-directory view takes from the GAL), so a large network's
    /// GAL, which repeats its lists, is not held a second time. The
    /// directory, its origins, warnings and findings are those of
    /// [`PostOffice::open`]; the GAL view and the writers need `open`.
    pub fn open_for_directory(maildata: &Path, options: &LoadOptions) -> Result<PostOffice> {
        PostOffice::open_with(maildata, options, GalEntries::Unlisted)
    }

    /// Like [`PostOffice::open`], with every check, but the GAL's entries are
    /// not kept (`data.gal` stays empty): for callers that need the lists and
    /// not the GAL (reconcile rebuilds the GAL from the merged lists). Saves
    /// an entry per GAL record, a million on a large network. Nor are the USR
    /// entries' origins kept: the views name none for them (the other
    /// entries' origins are kept), which saves an address, a key and a map
    /// slot per USR entry.
    pub fn open_without_gal_entries(maildata: &Path, options: &LoadOptions) -> Result<PostOffice> {
        PostOffice::open_with(maildata, options, GalEntries::None)
    }

    fn open_with(
        maildata: &Path,
        options: &LoadOptions,
        gal_entries: GalEntries,
    ) -> Result<PostOffice> {
        let read = PostOffice::read_with(maildata, options, gal_entries, None)?;
        Ok(read.0)
    }

    /// Reads the tree for [`super::scoped::ScopedTree`]: as
    /// [`PostOffice::open_for_directory`], but each USR list's keys are kept
    /// instead of its entries (and no USR origins). Also gives the kept keys
    /// and the folder listings, for reading the lists again.
    pub(super) fn open_scoped(
        maildata: &Path,
        options: &LoadOptions,
    ) -> Result<(PostOffice, UsrKeys, Listings)> {
        let (po, keys, listings) = PostOffice::read_with(
            maildata,
            options,
            GalEntries::Unlisted,
            Some(UsrKeys::default()),
        )?;
        Ok((po, keys.unwrap_or_default(), listings))
    }

    fn read_with(
        maildata: &Path,
        options: &LoadOptions,
        gal_entries: GalEntries,
        usr_keys: Option<UsrKeys>,
    ) -> Result<(PostOffice, Option<UsrKeys>, Listings)> {
        let mut r = Reader {
            root: maildata,
            ctx: Ctx::new(options.salvage),
            unrepresentable: 0,
            origins: Origins::default(),
            listings: Default::default(),
            gal_entries,
            keep_usr_origins: gal_entries != GalEntries::None && usr_keys.is_none(),
            usr_keys,
        };
        let data = read_tree(&mut r)?;
        let dirsync = DirSyncPaths {
            reqconf: r.path("GLB/REQCONF.GLB"),
            srvconf: r.path("GLB/SRVCONF.GLB"),
            reqtrans: r.path("GLB/REQTRANS.GLB"),
            msttrans: r.path("GLB/MSTTRANS.GLB"),
        };
        // A Dir-Sync server (it keeps MSTTRANS.GLB) cannot do without SRVCONF.GLB.
        if dirsync.msttrans.is_some() && dirsync.srvconf.is_none() {
            r.ctx.damage(
                &r.shown("GLB/SRVCONF.GLB"),
                Location::File,
                "missing: MSTTRANS.GLB is here (a Dir-Sync server), and its numbers are in SRVCONF.GLB",
            )?;
        }
        let po = PostOffice {
            root: maildata.to_path_buf(),
            data,
            findings: r.ctx.findings,
            warnings: r.ctx.warnings,
            unrepresentable: r.unrepresentable,
            dirsync,
            origins: r.origins,
        };
        Ok((po, r.usr_keys, r.listings))
    }

    /// The data and the origins, for [`super::scoped::ScopedTree`].
    pub(super) fn into_parts(self) -> (PostOfficeData, Origins) {
        (self.data, self.origins)
    }

    /// The data, for editing or writing with [`super::write_tree`].
    pub fn into_data(self) -> PostOfficeData {
        self.data
    }

    /// See [`PostOfficeData::pol`]; origins name ADMIN.NME records.
    pub fn pol(&self) -> Directory {
        let o = &self.origins;
        self.data
            .pol_with(&|k| o.find(&[&o.pol, &o.users, &o.groups], k))
    }
    /// See [`PostOfficeData::usr_list`]; origins name USR records.
    pub fn usr_list(&self, network: &str, postoffice: &str) -> Option<Directory> {
        let o = &self.origins;
        // A local user of the same address (a damaged tree) was read first;
        // else the entry's own USR record.
        let (ni, pi) = self
            .data
            .external_index(network, postoffice)
            .unwrap_or_default();
        let len = self
            .data
            .networks
            .get(ni)
            .and_then(|n| n.postoffices.get(pi))
            .map_or(0, |p| p.entries.len());
        self.data.usr_list_with(network, postoffice, &|k, j| {
            o.find(&[&o.users], k)
                .or_else(|| o.usr_origin(ni, pi, j, len))
        })
    }
    /// See [`PostOfficeData::external_postoffices`].
    pub fn external_postoffices(&self) -> Vec<(Scope, &ExternalPostOffice)> {
        self.data.external_postoffices()
    }
    /// See [`PostOfficeData::gal`]; origins name GAL.NME records.
    pub fn gal(&self) -> Directory {
        let o = &self.origins;
        let n = self.data.gal.len();
        self.data.gal_with(&|j| o.gal_origin(n, j))
    }
    /// See [`PostOfficeData::directory`]; origins name the record each entry
    /// was taken from (ACCESS2, GROUP.GLB, USR, ADMIN.NME, GAL.NME).
    pub fn directory(&self) -> Directory {
        let o = &self.origins;
        let n = self.data.gal.len();
        self.data.directory_with(
            &|k| o.listed(k),
            &|ni, pi, j, len| o.usr_origin(ni, pi, j, len),
            &|j| o.gal_origin(n, j),
        )
    }
    /// [`PostOffice::directory`] without keeping the data: the strings move
    /// into the directory instead of being copied (half the peak memory of
    /// `directory()` on a big tree). Warnings stay in `self.warnings` until
    /// this call; take them first.
    pub fn into_directory(self) -> Directory {
        let PostOffice { data, origins, .. } = self;
        directory_of(data, &origins)
    }
    /// Paths of REQCONF/SRVCONF/REQTRANS/MSTTRANS where present.
    pub fn dirsync_files(&self) -> DirSyncPaths {
        self.dirsync.clone()
    }
    /// One list by selector; an unknown `usr:NET/PO` or `pal:MAILBOX` is a
    /// usage error, and so is `pals` (several lists: use
    /// [`super::personal::personal_lists`]). `pal:MAILBOX` reads strictly.
    pub fn list(&self, selector: &ListSelector) -> Result<Directory> {
        match selector {
            ListSelector::Pal(mailbox) => {
                let lists = super::personal::personal_lists(self, Some(mailbox), false)?;
                Ok(lists
                    .lists
                    .into_iter()
                    .next()
                    .map(|l| l.directory)
                    .unwrap_or_default())
            }
            ListSelector::Pals => Err(Error::Usage(
                "--list pals gives one list per owner, not one directory".into(),
            )),
            ListSelector::Pol => Ok(self.pol()),
            ListSelector::Gal => Ok(self.gal()),
            ListSelector::Groups => Ok(self.data.groups_with(&|k| {
                self.origins
                    .find(&[&self.origins.users, &self.origins.groups], k)
            })),
            ListSelector::Usr {
                network,
                postoffice,
            } => self.usr_list(network, postoffice).ok_or_else(|| {
                Error::Usage(format!(
                    "{}: no external postoffice {network}/{postoffice}",
                    self.root.display()
                ))
            }),
        }
    }
}

/// The whole directory of `data` with the origins `origins` recorded, the
/// strings moved out of `data` (see [`PostOffice::into_directory`]).
pub(super) fn directory_of(data: PostOfficeData, origins: &Origins) -> Directory {
    let n = data.gal.len();
    data.into_directory_with(
        &|k| origins.listed(k),
        &|ni, pi, j, len| origins.usr_origin(ni, pi, j, len),
        &|j| origins.gal_origin(n, j),
    )
}

/// Loads one list of a tree (`msmail export TREE --list ...`) with the
/// reader's warnings.
pub fn load_list(
    maildata: &Path,
    selector: &ListSelector,
    options: &LoadOptions,
) -> Result<crate::input::Loaded> {
    let po = PostOffice::open(maildata, options)?;
    let directory = po.list(selector)?;
    Ok(crate::input::Loaded {
        directory,
        warnings: po.warnings,
    })
}

/// Which list a single list file inside a MAILDATA tree holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeListFile {
    /// `NME/ADMIN.NME` or its shadow `NME/ADMINSHD.NME`: the POL.
    Pol,
    /// `NME/GAL.NME`.
    Gal,
    /// `USR/<mailbag>.USR`: the list of the postoffice with that mailbag.
    Usr(u32),
}

/// When `path` is a list file (NME/ADMIN.NME, ADMINSHD.NME, GAL.NME or
/// USR/&lt;hex&gt;.USR) inside a MAILDATA tree: the tree root and which list it is.
/// Such files need their tree to resolve addresses.
pub fn tree_list_file(path: &Path) -> Option<(PathBuf, TreeListFile)> {
    let file = path.file_name()?.to_str()?.to_ascii_uppercase();
    let folder = path.parent()?;
    let folder_name = folder.file_name()?.to_str()?.to_ascii_uppercase();
    let root = folder.parent()?;
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    find_case_insensitive(root, "GLB/MASTER.GLB")?;
    let (stem, ext) = file.rsplit_once('.')?;
    let kind = match (folder_name.as_str(), ext, stem) {
        ("NME", "NME", "ADMIN" | "ADMINSHD") => TreeListFile::Pol,
        ("NME", "NME", "GAL") => TreeListFile::Gal,
        ("USR", "USR", hex) => TreeListFile::Usr(parse_hex8(hex)?),
        _ => return None,
    };
    Some((root.to_path_buf(), kind))
}

/// Loads a single list file of a tree (see [`tree_list_file`]).
pub fn load_list_file(path: &Path, options: &LoadOptions) -> Result<crate::input::Loaded> {
    let Some((root, kind)) = tree_list_file(path) else {
        return Err(Error::input(
            path.display().to_string(),
            Location::File,
            "not an ADMIN/ADMINSHD/GAL.NME or USR list inside a MAILDATA tree",
        ));
    };
    let po = PostOffice::open(&root, options)?;
    let directory = match kind {
        TreeListFile::Pol => po.pol(),
        TreeListFile::Gal => po.gal(),
        TreeListFile::Usr(bag) => {
            let found = po.data.networks.iter().find_map(|n| {
                n.postoffices
                    .iter()
                    .find(|p| p.mailbag == Some(bag))
                    .map(|p| (n.name.clone(), p.name.clone()))
            });
            let Some((net, name)) = found else {
                return Err(Error::input(
                    path.display().to_string(),
                    Location::File,
                    format!(
                        "no XTN record of this tree names mailbag {}",
                        super::hex8(bag)
                    ),
                ));
            };
            po.usr_list(&net, &name).unwrap_or_default()
        }
    };
    Ok(crate::input::Loaded {
        directory,
        warnings: po.warnings,
    })
}
