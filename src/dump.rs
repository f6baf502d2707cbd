//! The views of one file (`msmail dump`): the file is recognised once
//! ([`crate::source::recognise`]) and shown in the view of its kind — LISTQ
//! for transaction streams, LISTDS for REQCONF/SRVCONF, DSSCHED for
//! PROCESS.GLB ([`crate::dirsync::views`]), parsed records for the text files
//! ([`crate::dsmsg::views`]), a table for a postoffice file
//! ([`crate::tree::table`]) — or as JSON, or checked (`--check`). To support
//! another file family, add a variant to [`crate::source::FileKind`] and an
//! arm in [`dump_bytes`].

use std::io::{self, Write};

use crate::dirsync::views::*;
use crate::dirsync::{self, DirSyncFileKind, ProcessFile, ReqConf, SrvConf, TransStream};
use crate::error::{Error, Location, Result};
use crate::output::OutputTarget;
use crate::source::FileKind;

/// What a dump tells the user on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DumpMessage {
    /// A detail for `-v`.
    Detail(String),
    /// A warning (damage skipped, a count that does not match).
    Warn(String),
    /// A problem `--check` found, said whatever the level (one line).
    Problem(String),
}

/// Options of one dump, independent of the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct DumpOptions {
    /// JSON output.
    pub json: bool,
    /// Verify CRCs instead of dumping.
    pub check: bool,
    /// Salvage mode.
    pub salvage: bool,
    /// Encoding of text files (messages, logs, schedules).
    pub encoding: crate::codepage::TextEncoding,
}

/// Dumps `bytes` (the content of `file`) to `target`; `ctx` names the
/// postoffice and file for the views' `Examining ...` lines.
pub fn dump_bytes(
    file: &str,
    bytes: &[u8],
    opts: DumpOptions,
    ctx: &ViewContext,
    target: &OutputTarget,
    tell: &mut dyn FnMut(DumpMessage),
) -> Result<()> {
    // A CSV or a GIMPORT file is an address source, not a file to show.
    let shown = |k: &FileKind| !matches!(k, FileKind::Csv | FileKind::GroupFile);
    let kind = crate::source::recognise(file, bytes)
        .kind()
        .filter(shown)
        .ok_or_else(|| crate::dsmsg::unrecognised(file, bytes))?;
    tell(DumpMessage::Detail(format!(
        "{file}: {} bytes, shown as {kind:?}",
        bytes.len()
    )));
    match kind {
        FileKind::Tree(_) => {
            let t = crate::tree::table::table(file, bytes, opts.salvage)?;
            for w in &t.warnings {
                tell(DumpMessage::Warn(w.to_string()));
            }
            if opts.check {
                return target.write_view(|w| {
                    writeln!(w, "{file}: {} records read without error: OK", t.rows.len())
                });
            }
            if opts.json {
                target.write_with(|w| {
                    serde_json::to_writer_pretty(&mut *w, &t)?;
                    writeln!(w)
                })
            } else {
                target.write_view(|w| t.write_text(w))
            }
        }
        FileKind::Text(k) => {
            let out = crate::dsmsg::views::render_text(file, bytes, k, opts.json, opts.encoding)?;
            if opts.check {
                return target.write_view(|w| writeln!(w, "{file}: parsed without error: OK"));
            }
            if opts.json {
                target.write_with(|w| w.write_all(out.as_bytes()))
            } else {
                target.write_view(|w| w.write_all(out.as_bytes()))
            }
        }
        FileKind::DirSync(DirSyncFileKind::Transactions(k)) => {
            let stream = dirsync::read_stream(bytes, file, opts.salvage)?;
            for s in &stream.skipped {
                tell(DumpMessage::Warn(format!(
                    "{file}: skipped bytes {}..{} ({} bytes): {}",
                    s.start,
                    s.end,
                    s.end - s.start,
                    s.reason
                )));
            }
            if opts.check {
                return check_crcs(file, &stream, target, tell);
            }
            if opts.json {
                target.write_with(|w| write_trans_json(file, k, &stream, w))
            } else {
                target.write_view(|w| write_listq(&stream, ctx, w))
            }
        }
        FileKind::DirSync(DirSyncFileKind::ReqConf) => {
            let c = ReqConf::read(bytes, file)?;
            if opts.check {
                return target.write_view(|w| writeln!(w, "{file}: REQCONF.GLB, 512 bytes: OK"));
            }
            if opts.json {
                target.write_with(|w| write_json(w, &reqconf_json(file, &c)))
            } else {
                target.write_view(|w| w.write_all(listds_reqconf(&c, ctx).as_bytes()))
            }
        }
        FileKind::DirSync(DirSyncFileKind::SrvConf) => {
            let c = SrvConf::read(bytes, file)?;
            if opts.check {
                return target.write_view(|w| {
                    writeln!(
                        w,
                        "{file}: SRVCONF.GLB, {} requestor records: OK",
                        c.requestors.len()
                    )
                });
            }
            if opts.json {
                target.write_with(|w| write_json(w, &srvconf_json(file, &c)))
            } else {
                target.write_view(|w| w.write_all(listds_srvconf(&c, ctx).as_bytes()))
            }
        }
        FileKind::Csv | FileKind::GroupFile => Err(crate::dsmsg::unrecognised(file, bytes)),
        FileKind::DirSync(DirSyncFileKind::Process) => {
            let p = ProcessFile::read(bytes, file)?;
            if !p.count_ok() {
                tell(DumpMessage::Warn(format!(
                    "{file}: header count {} but {} records",
                    p.count,
                    p.records.len()
                )));
            }
            if opts.check {
                if !p.count_ok() {
                    return Err(Error::input(
                        file,
                        Location::Offset(dirsync::process::layout::COUNT as u64),
                        format!("header count {} but {} records", p.count, p.records.len()),
                    ));
                }
                return target.write_view(|w| {
                    writeln!(w, "{file}: PROCESS.GLB, {} records: OK", p.records.len())
                });
            }
            if opts.json {
                target.write_with(|w| write_json(w, &process_json(file, &p)))
            } else {
                target.write_view(|w| w.write_all(dssched_file(&p).as_bytes()))
            }
        }
    }
}

fn write_json(w: &mut dyn Write, v: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, v)?;
    writeln!(w)
}

/// `--check` on a transaction stream: each bad CRC told, then exit 3.
fn check_crcs(
    file: &str,
    stream: &TransStream,
    target: &OutputTarget,
    tell: &mut dyn FnMut(DumpMessage),
) -> Result<()> {
    let mut first = None;
    let mut bad = 0usize;
    for (i, off, r) in stream.bad_crcs() {
        tell(DumpMessage::Problem(format!(
            "{file}: record {i} at byte offset {off}: CRC mismatch (stored {:04X}, computed {:04X}), sync {:06}",
            r.crc,
            r.computed_crc(),
            r.sync
        )));
        first.get_or_insert((i, off));
        bad += 1;
    }
    if let Some((i, off)) = first {
        return Err(Error::input(
            file,
            Location::Record {
                index: i as u64,
                offset: off,
            },
            format!("{bad} of {} records have a bad CRC", stream.records.len()),
        ));
    }
    target.write_view(|w| writeln!(w, "{file}: {} records, all CRCs good", stream.records.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use crate::dirsync::views::listq_line;
    #[allow(unused_imports)]
    use crate::dirsync::{ctime, TransactionRecord};

    #[test]
    fn listq_sample_lines() {
        let recs = vec![
            TransactionRecord::new(1, 765_720_832, b'R', "P/M", b"R PCM:POLYNOMIAL/MONTGOMERY".to_vec()),
            TransactionRecord::new(
                2,
                765_720_832,
                b'A',
                "P/M",
                b"A able is he who knows his limit PCM:POLYNOMIAL/MONTGOMERY/able".to_vec(),
            ),
            TransactionRecord::new(
                3,
                0,
                b'M',
                "P/M",
                b"M Old Name                       PCM:N/P/OLD\r\n  New Name                       PCM:N/P/NEW\r\n- Phone:/555"
                    .to_vec(),
            ),
        ];
        let stream = dirsync::read_stream(&dirsync::write_stream(&recs), "T", false).unwrap();
        let mut out = Vec::new();
        write_listq(&stream, &ViewContext::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().skip(4).collect();
        assert_eq!(lines[0], "CRC  Date stamp               Sync#  Transaction");
        let crc = recs[0].crc;
        assert_eq!(
            lines[1],
            format!("{crc:04X} Thu Apr 07 12:13:52 1994 000001 R PCM:POLYNOMIAL/MONTGOMERY")
        );
        assert!(lines[2]
            .ends_with(" 000002 A able is he who knows his limit\tPCM:POLYNOMIAL/MONTGOMERY/able"));
        assert!(lines[3].contains("never                    000003 M Old Name\tPCM:N/P/OLD"));
        assert_eq!(
            lines[4],
            format!("{}  New Name\tPCM:N/P/NEW", " ".repeat(37))
        );
        assert_eq!(lines[5], format!("{}- Phone:/555", " ".repeat(37)));
    }

    #[test]
    fn address_split_rules() {
        let mut s = String::new();
        listq_line("A Doe, John D. SNADS:SNADSGATE/SNADSDGN/JOHNDOE", &mut s);
        assert_eq!(s, "A Doe, John D.\tSNADS:SNADSGATE/SNADSDGN/JOHNDOE");
        s.clear();
        listq_line("D x\tPCM:A/B/C", &mut s);
        assert_eq!(s, "D x\tPCM:A/B/C");
        s.clear();
        listq_line("- City//ST:/Any", &mut s);
        assert_eq!(s, "- City//ST:/Any");
    }
}
