//! Any single tree file as a table of its records (for `msmail dump`): every
//! record, free and damaged slots included, with its number and byte offset.
//! Passwords do not exist in these files; ACCESS.GLB/ACCESS3.GLB are never shown.

use std::io::{self, Write};

use byteorder::{ByteOrder, LittleEndian};
use serde::Serialize;

use super::galindex::GalIndex;
use super::groups::{read_mem, GroupGlb, GrpFile, GRP_NODE};
use super::identity::{MasterGlb, NetworkRec, XtnRec};
use super::lists::{NetpoFile, NmeRec, UsrRec};
use super::misc::read_tid;
use super::templates::TplFile;
use super::users::Access2Rec;
use super::{read_records, Ctx, FixedRecord};
use crate::error::{Error, Location, Result};

/// The tree file kinds a table can show, recognised by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TreeFileKind {
    /// GLB/MASTER.GLB.
    Master,
    /// GLB/NETWORK.GLB.
    Network,
    /// XTN/*.XTN.
    Xtn,
    /// USR/*.USR.
    Usr,
    /// NME/*.NME.
    Nme,
    /// GLB/NETPO.GLB or GLB/GALNETPO.GLB.
    Netpo,
    /// GLB/ACCESS2.GLB.
    Access2,
    /// GLB/GROUP.GLB.
    Group,
    /// GRP/*.GRP.
    Grp,
    /// MEM/*.MEM.
    Mem,
    /// TPL/*.TPL.
    Tpl,
    /// GLB/GALINDEX.GLB.
    GalIndex,
    /// GLB/TID.GLB.
    Tid,
}

/// Recognises a tree file by its name (case-insensitive; folder not needed).
pub fn recognise(file_name: &str) -> Option<TreeFileKind> {
    let name = std::path::Path::new(file_name)
        .file_name()?
        .to_str()?
        .to_ascii_uppercase();
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    Some(match (name.as_str(), ext) {
        ("MASTER.GLB", _) => TreeFileKind::Master,
        ("NETWORK.GLB", _) => TreeFileKind::Network,
        ("NETPO.GLB" | "GALNETPO.GLB", _) => TreeFileKind::Netpo,
        ("ACCESS2.GLB", _) => TreeFileKind::Access2,
        ("GROUP.GLB", _) => TreeFileKind::Group,
        ("GALINDEX.GLB", _) => TreeFileKind::GalIndex,
        ("TID.GLB", _) => TreeFileKind::Tid,
        (_, "XTN") => TreeFileKind::Xtn,
        (_, "USR") => TreeFileKind::Usr,
        (_, "NME") => TreeFileKind::Nme,
        (_, "GRP") => TreeFileKind::Grp,
        (_, "MEM") => TreeFileKind::Mem,
        (_, "TPL") => TreeFileKind::Tpl,
        _ => return None,
    })
}

/// A file as a table: column names and one row of text cells per record.
#[derive(Debug, Clone, Serialize)]
pub struct TreeTable {
    /// The file as named.
    pub file: String,
    /// What it is.
    pub kind: TreeFileKind,
    /// Column names; the first two are `record` and `offset` for record files.
    pub columns: Vec<&'static str>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
    /// Damage skipped with salvage, one sentence each.
    pub warnings: Vec<String>,
}

fn pos(i: usize, header: usize, size: usize) -> [String; 2] {
    [i.to_string(), (header + i * size).to_string()]
}

fn recs<R: FixedRecord>(file: &str, bytes: &[u8], header: usize, ctx: &mut Ctx) -> Result<Vec<R>> {
    Ok(read_records::<R>(file, bytes, header, ctx)?.1)
}

/// Reads `bytes` (the content of `file`) as a table. Strict unless `salvage`.
pub fn table(file: &str, bytes: &[u8], salvage: bool) -> Result<TreeTable> {
    let kind = recognise(file).ok_or_else(|| {
        Error::input(
            file,
            Location::File,
            "not a postoffice tree file msmail knows",
        )
    })?;
    let mut ctx = Ctx::new(salvage);
    let (columns, rows): (Vec<&'static str>, Vec<Vec<String>>) = match kind {
        TreeFileKind::Master => {
            let m = MasterGlb::read(file, bytes)?;
            (
                vec!["version", "network", "postoffice", "serial", "gal_enabled"],
                vec![vec![
                    format!("{:#06x}", m.version),
                    m.network,
                    m.postoffice,
                    m.serial.to_string(),
                    m.gal_enabled.to_string(),
                ]],
            )
        }
        TreeFileKind::Network => (
            vec![
                "record",
                "offset",
                "status",
                "name",
                "kind",
                "xtn_prefix",
                "address_type",
            ],
            recs::<NetworkRec>(file, bytes, 0, &mut ctx)?
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let [a, b] = pos(i, 0, NetworkRec::SIZE);
                    vec![
                        a,
                        b,
                        r.status.to_string(),
                        r.name,
                        r.kind.to_string(),
                        r.xtn_prefix,
                        r.address_type,
                    ]
                })
                .collect(),
        ),
        TreeFileKind::Xtn => (
            vec![
                "record",
                "offset",
                "status",
                "postoffice",
                "mailbag",
                "connection",
                "route",
                "dirsync",
                "last_update",
            ],
            recs::<XtnRec>(file, bytes, 0, &mut ctx)?
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let [a, b] = pos(i, 0, XtnRec::SIZE);
                    vec![
                        a,
                        b,
                        r.status.to_string(),
                        r.postoffice,
                        r.mailbag,
                        r.connection.to_string(),
                        r.route,
                        r.dirsync.to_string(),
                        r.last_update.to_string(),
                    ]
                })
                .collect(),
        ),
        TreeFileKind::Usr => (
            vec![
                "record",
                "offset",
                "status",
                "full_name",
                "mailbox",
                "kind",
                "inf",
            ],
            recs::<UsrRec>(file, bytes, 0, &mut ctx)?
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let [a, b] = pos(i, 0, UsrRec::SIZE);
                    vec![
                        a,
                        b,
                        r.status.to_string(),
                        r.full_name.to_string(),
                        r.mailbox.to_string(),
                        inf_kind(r.kind),
                        inf(r.inf),
                    ]
                })
                .collect(),
        ),
        TreeFileKind::Nme => (
            vec![
                "record",
                "offset",
                "status",
                "full_name",
                "tid",
                "kind",
                "pointer",
            ],
            recs::<NmeRec>(file, bytes, 0, &mut ctx)?
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let [a, b] = pos(i, 0, NmeRec::SIZE);
                    vec![
                        a,
                        b,
                        r.status.to_string(),
                        r.full_name.to_string(),
                        r.tid.to_string(),
                        r.kind.to_string(),
                        r.pointer.to_string(),
                    ]
                })
                .collect(),
        ),
        TreeFileKind::Netpo => (
            vec![
                "record",
                "offset",
                "status",
                "network",
                "postoffice",
                "mailbox",
                "mailbag",
            ],
            NetpoFile::read(file, bytes, &mut ctx)?
                .records
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let [a, b] = pos(i, 4, super::lists::netpo_layout::SIZE);
                    vec![
                        a,
                        b,
                        r.status.to_string(),
                        r.network.into(),
                        r.postoffice.into(),
                        r.mailbox.into(),
                        r.mailbag.into(),
                    ]
                })
                .collect(),
        ),
        TreeFileKind::Access2 => (
            vec![
                "record",
                "offset",
                "status",
                "mailbox",
                "full_name",
                "mailbag",
                "flags",
                "tid",
                "inf",
            ],
            recs::<Access2Rec>(file, bytes, 0, &mut ctx)?
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let [a, b] = pos(i, 0, Access2Rec::SIZE);
                    vec![
                        a,
                        b,
                        r.status.to_string(),
                        r.mailbox,
                        r.full_name.to_string(),
                        r.mailbag,
                        format!("{:#04x}", r.flags),
                        r.tid.to_string(),
                        inf(r.inf),
                    ]
                })
                .collect(),
        ),
        TreeFileKind::Group => (
            vec![
                "record", "offset", "status", "name", "mailbox", "tid", "type",
            ],
            GroupGlb::read(file, bytes, &mut ctx)?
                .records
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let [a, b] = pos(i, 4, super::groups::group_layout::SIZE);
                    vec![
                        a,
                        b,
                        r.status.to_string(),
                        r.name,
                        r.mailbox,
                        r.tid.to_string(),
                        r.group_type.to_string(),
                    ]
                })
                .collect(),
        ),
        TreeFileKind::Grp => {
            // Every `next` is 0 (end of a chain) or the offset of a node of
            // this file: anything else is damage (a random file fails at its
            // first nodes instead of being listed node by node). With
            // salvage: the first few are reported, then a count.
            // Checked on the bytes, before any node is built.
            let nodes = bytes.len() / GRP_NODE;
            let mut bad = 0usize;
            for (i, n) in bytes.chunks_exact(GRP_NODE).enumerate().skip(1) {
                let next = LittleEndian::read_u32(&n[4..8]);
                let ok = next == 0
                    || super::lists::index_at(next, GRP_NODE).is_some_and(|j| j > 0 && j < nodes);
                if ok {
                    continue;
                }
                bad += 1;
                if bad <= 20 {
                    ctx.damage(
                        file,
                        Location::Record {
                            index: i as u64,
                            offset: (i * GRP_NODE) as u64 + 4,
                        },
                        format!("next node pointer {next} is not a node of this file"),
                    )?;
                }
            }
            if bad > 20 {
                ctx.warn(format!(
                    "{file}: {} more nodes with a next pointer that is not a node",
                    bad - 20
                ));
            }
            let grp = GrpFile::read(file, bytes)?;
            (
                vec!["record", "offset", "member_tid", "next"],
                grp.nodes
                    .into_iter()
                    .enumerate()
                    .map(|(i, n)| {
                        let [a, b] = pos(i, 0, GRP_NODE);
                        vec![a, b, n.member_tid.to_string(), n.next.to_string()]
                    })
                    .collect(),
            )
        }
        TreeFileKind::Mem => (
            vec!["record", "offset", "mailbag"],
            read_mem(file, bytes)?
                .into_iter()
                .enumerate()
                .map(|(i, m)| {
                    let [a, b] = pos(i, 0, 4);
                    vec![a, b, super::hex8(m)]
                })
                .collect(),
        ),
        TreeFileKind::Tpl => (
            vec![
                "line", "prompt", "start", "width", "edit", "data", "internal",
            ],
            TplFile::read(file, bytes)?
                .fields
                .into_iter()
                .enumerate()
                .map(|(i, f)| {
                    vec![
                        (i + 1).to_string(),
                        f.prompt,
                        f.start.to_string(),
                        f.width.to_string(),
                        f.edit,
                        f.data,
                        f.internal,
                    ]
                })
                .collect(),
        ),
        TreeFileKind::GalIndex => {
            let g = GalIndex::read(file, bytes)?;
            let mut rows: Vec<Vec<String>> = g
                .buckets
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let letter = if i < 26 {
                        (b'A' + i as u8) as char
                    } else {
                        (b'a' + (i - 26) as u8) as char
                    };
                    vec![
                        format!("bucket {letter}"),
                        (i * 4).to_string(),
                        String::new(),
                        b.to_string(),
                    ]
                })
                .collect();
            rows.extend(g.words.iter().enumerate().map(|(i, w)| {
                let [a, b] = pos(i, 208, 6);
                vec![a, b, w.word.to_string(), w.nme_offset.to_string()]
            }));
            (vec!["record", "offset", "word", "gal_offset"], rows)
        }
        TreeFileKind::Tid => (
            vec!["next_tid"],
            vec![vec![read_tid(file, bytes)?.to_string()]],
        ),
    };
    Ok(TreeTable {
        file: file.to_string(),
        kind,
        columns,
        rows,
        warnings: ctx.warnings,
    })
}

fn inf(n: u32) -> String {
    if n == super::NO_RECORD {
        "-".into()
    } else {
        n.to_string()
    }
}

fn inf_kind(k: u8) -> String {
    if k.is_ascii_graphic() {
        (k as char).to_string()
    } else {
        format!("{k:#04x}")
    }
}

impl TreeTable {
    /// Writes the table as aligned text columns (tabs replaced by spaces),
    /// header first.
    pub fn write_text(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut width: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if let Some(wd) = width.get_mut(i) {
                    *wd = (*wd).max(crate::escape::escape_value(c).chars().count());
                }
            }
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
            let mut s = String::new();
            for (i, c) in cells.enumerate() {
                if i > 0 {
                    s.push_str("  ");
                }
                let c = crate::escape::escape_value(c);
                s.push_str(&c);
                let pad = width
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(c.chars().count());
                s.extend(std::iter::repeat_n(' ', pad));
            }
            s.trim_end().to_string()
        };
        writeln!(w, "{}", line(&mut self.columns.iter().copied()))?;
        for r in &self.rows {
            writeln!(w, "{}", line(&mut r.iter().map(String::as_str)))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixture_file_but_opaque_ones_is_a_table() {
        let data = crate::tree::sample::small();
        let (files, _) = crate::tree::writer::build_tree(&data).unwrap();
        let mut shown = 0;
        for (rel, bytes) in &files {
            match recognise(rel) {
                Some(_) => {
                    let t = table(rel, bytes, false).unwrap();
                    assert!(t.rows.iter().all(|r| r.len() == t.columns.len()), "{rel}");
                    let mut out = Vec::new();
                    t.write_text(&mut out).unwrap();
                    assert!(!out.is_empty());
                    shown += 1;
                }
                None => assert!(!rel.contains("ACCESS2") && !rel.ends_with(".NME")),
            }
        }
        assert!(shown >= 15, "{shown}");
        let t = table("NME/ADMIN.NME", files.get("NME/ADMIN.NME").unwrap(), false).unwrap();
        let mut out = Vec::new();
        t.write_text(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("record  offset  status  full_name"),
            "{text}"
        );
        assert!(text.contains("Doe, John"));
        assert!(recognise("GLB/ACCESS.GLB").is_none());
        let mut bad = files.get("USR/00000006.USR").unwrap().clone();
        bad[0] = 9;
        assert!(table("USR/00000006.USR", &bad, false).is_err());
        assert_eq!(
            table("USR/00000006.USR", &bad, true)
                .unwrap()
                .warnings
                .len(),
            1
        );
    }
}
