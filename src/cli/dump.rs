//! `msmail dump FILE`: one file in full, in the view the original MS Mail
//! utilities print (LISTQ for transaction streams, LISTDS for REQCONF/SRVCONF,
//! DSSCHED for PROCESS.GLB) or as JSON.
//!
//! The command is a dispatch on the detected [`DumpKind`]: to support another
//! file family, add a variant, recognise it in [`detect_kind`] and add an arm
//! in [`dump_bytes`].

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::cli::Outcome;
use crate::dirsync::{
    self, ctime, DirSyncFileKind, ProcessFile, ReqConf, SrvConf, TransStream, TransactionRecord,
};
use crate::error::{Error, Location, Result};
use crate::output::{read_input, OutputTarget};

/// Arguments of `msmail dump`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  msmail dump GLB/MSTTRANS.GLB                 LISTQ view of a transaction stream
  msmail dump GLB/REQTRANS.GLB --check         verify every CRC (exit 3 naming bad records)
  msmail dump RESYNC.GLB --json -o resync.json JSON records written atomically
  msmail dump damaged.GLB --salvage            read past damage, report skipped byte ranges
  msmail dump GLB/SRVCONF.GLB                  LISTDS view (passwords only as set/not set)
  msmail dump GLB/PROCESS.GLB                  DSSCHED view: T<x> <Day> <HH>:<MM>")]
pub struct DumpArgs {
    /// The file to show.
    pub file: PathBuf,
    /// JSON instead of the text view.
    #[arg(long)]
    pub json: bool,
    /// Verify every CRC instead of dumping; exit 3 naming each bad record.
    #[arg(long)]
    pub check: bool,
    /// Read past damaged records, skip them and report each skipped byte range.
    #[arg(long)]
    pub salvage: bool,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// The kinds of file `dump` can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpKind {
    /// A Dir-Sync binary file.
    DirSync(DirSyncFileKind),
    /// A Dir-Sync text file: `[DIRSYNC]` message, log, DISPATCH.LOG, DSSCHED times.
    Text(crate::dsmsg::TextFileKind),
    /// A postoffice tree file shown as a table (`tree::table`).
    Tree(crate::tree::table::TreeFileKind),
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
}

/// Recognises what `dump` should show for a file of this name and content.
pub fn detect_kind(file_name: &str, bytes: &[u8]) -> Option<DumpKind> {
    // Tree file names (NME, USR, ACCESS2.GLB, ...) never collide with Dir-Sync names.
    if let Some(k) = crate::tree::table::recognise(file_name) {
        return Some(DumpKind::Tree(k));
    }
    if let Some(k) = dirsync::sniff(file_name, bytes) {
        return Some(DumpKind::DirSync(k));
    }
    if let Some(k) = crate::dsmsg::sniff_text(file_name, bytes) {
        return Some(DumpKind::Text(k));
    }
    None
}

/// Runs `msmail dump`.
pub fn run(args: DumpArgs) -> Result<Outcome> {
    let bytes = read_input(&args.file)?;
    let file = args.file.display().to_string();
    let target = OutputTarget::from_arg(args.output.as_deref(), args.force);
    let opts = DumpOptions {
        json: args.json,
        check: args.check,
        salvage: args.salvage,
    };
    dump_bytes(&file, &bytes, opts, &target)?;
    Ok(Outcome::Success)
}

/// Dumps `bytes` (the content of `file`) to `target`.
pub fn dump_bytes(
    file: &str,
    bytes: &[u8],
    opts: DumpOptions,
    target: &OutputTarget,
) -> Result<()> {
    let kind = detect_kind(file, bytes)
        .ok_or_else(|| Error::input(file, Location::File, "not a file msmail dump recognises"))?;
    match kind {
        DumpKind::Tree(_) => {
            let t = crate::tree::table::table(file, bytes, opts.salvage)?;
            for w in &t.warnings {
                eprintln!("msmail: warning: {w}");
            }
            if opts.check {
                return target.write_with(|w| {
                    writeln!(w, "{file}: {} records read without error: OK", t.rows.len())
                });
            }
            if opts.json {
                target.write_with(|w| {
                    serde_json::to_writer_pretty(&mut *w, &t)?;
                    writeln!(w)
                })
            } else {
                target.write_with(|w| t.write_text(w))
            }
        }
        DumpKind::Text(k) => {
            let out = crate::cli::dump_text::render_text(
                file,
                bytes,
                k,
                opts.json,
                crate::codepage::TextEncoding::Cp850,
            )?;
            if opts.check {
                return target.write_with(|w| writeln!(w, "{file}: parsed without error: OK"));
            }
            target.write_with(|w| w.write_all(out.as_bytes()))
        }
        DumpKind::DirSync(DirSyncFileKind::Transactions(k)) => {
            let stream = dirsync::read_stream(bytes, file, opts.salvage)?;
            for s in &stream.skipped {
                eprintln!(
                    "msmail: warning: {file}: skipped bytes {}..{} ({} bytes): {}",
                    s.start,
                    s.end,
                    s.end - s.start,
                    s.reason
                );
            }
            if opts.check {
                return check_crcs(file, &stream, target);
            }
            if opts.json {
                target.write_with(|w| write_trans_json(file, k, &stream, w))
            } else {
                target.write_with(|w| write_listq(&stream, w))
            }
        }
        DumpKind::DirSync(DirSyncFileKind::ReqConf) => {
            let c = ReqConf::read(bytes, file)?;
            if opts.check {
                return target.write_with(|w| writeln!(w, "{file}: REQCONF.GLB, 512 bytes: OK"));
            }
            if opts.json {
                target.write_with(|w| write_json(w, &reqconf_json(file, &c)))
            } else {
                target.write_with(|w| w.write_all(listds_reqconf(&c).as_bytes()))
            }
        }
        DumpKind::DirSync(DirSyncFileKind::SrvConf) => {
            let c = SrvConf::read(bytes, file)?;
            if opts.check {
                return target.write_with(|w| {
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
                target.write_with(|w| w.write_all(listds_srvconf(&c).as_bytes()))
            }
        }
        DumpKind::DirSync(DirSyncFileKind::Process) => {
            let p = ProcessFile::read(bytes, file)?;
            if !p.count_ok() {
                eprintln!(
                    "msmail: warning: {file}: header count {} but {} records",
                    p.count,
                    p.records.len()
                );
            }
            if opts.check {
                if !p.count_ok() {
                    return Err(Error::input(
                        file,
                        Location::Offset(dirsync::process::layout::COUNT as u64),
                        format!("header count {} but {} records", p.count, p.records.len()),
                    ));
                }
                return target.write_with(|w| {
                    writeln!(w, "{file}: PROCESS.GLB, {} records: OK", p.records.len())
                });
            }
            if opts.json {
                target.write_with(|w| write_json(w, &process_json(file, &p)))
            } else {
                target.write_with(|w| {
                    for l in p.dssched_lines() {
                        writeln!(w, "{l}")?;
                    }
                    Ok(())
                })
            }
        }
    }
}

fn write_json(w: &mut dyn Write, v: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, v)?;
    writeln!(w)
}

/// `--check` on a transaction stream: each bad CRC on stderr, then exit 3.
fn check_crcs(file: &str, stream: &TransStream, target: &OutputTarget) -> Result<()> {
    let mut first = None;
    let mut bad = 0usize;
    for (i, off, r) in stream.bad_crcs() {
        eprintln!(
            "msmail: {file}: record {i} at byte offset {off}: CRC mismatch (stored {:04X}, computed {:04X}), sync {:06}",
            r.crc,
            r.computed_crc(),
            r.sync
        );
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
    target.write_with(|w| writeln!(w, "{file}: {} records, all CRCs good", stream.records.len()))
}

/// Column where the transaction text starts in LISTQ lines.
const LISTQ_INDENT: usize = 37;

/// The LISTQ view of a transaction stream: header line, then
/// `CRC  date stamp  sync#  transaction`, continuation lines indented.
pub fn write_listq(stream: &TransStream, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "CRC  Date stamp               Sync#  Transaction")?;
    let mut line = String::with_capacity(128);
    for r in &stream.records {
        line.clear();
        listq_record(r, &mut line);
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Appends one record's LISTQ line(s) to `out` (each ending in `\n`).
pub fn listq_record(r: &TransactionRecord, out: &mut String) {
    use std::fmt::Write as _;
    let _ = write!(out, "{:04X} {:<24} {:06} ", r.crc, ctime(r.stamp), r.sync);
    if r.is_placeholder() {
        out.push_str("(placeholder)\n");
        return;
    }
    let text = r.text_str();
    let mut first = true;
    for l in text.split('\n') {
        let l = l.strip_suffix('\r').unwrap_or(l);
        if !first {
            if l.is_empty() {
                continue;
            }
            out.extend(std::iter::repeat_n(' ', LISTQ_INDENT));
        }
        first = false;
        listq_line(l, out);
        out.push('\n');
    }
}

/// One text line with a TAB between name and address, as LISTQ shows entry
/// lines (`A`, `D`, `M` and the `M` continuation line); other lines verbatim.
fn listq_line(l: &str, out: &mut String) {
    let entry_line = matches!(
        l.as_bytes(),
        [b'A' | b'D' | b'M', b' ', ..] | [b' ', b' ', ..]
    );
    if !entry_line || l.contains('\t') {
        out.push_str(l);
        return;
    }
    let (prefix, rest) = l.split_at(2);
    match address_start(rest) {
        Some(at) => {
            let (name, addr) = rest.split_at(at);
            out.push_str(prefix);
            out.push_str(name.trim_end());
            out.push('\t');
            out.push_str(addr.trim_start());
        }
        None => out.push_str(l),
    }
}

/// Byte index of the address in `name + address`: the last ` TYPE:` with TYPE
/// 2–8 letters or digits (formats-text.md §1).
fn address_start(rest: &str) -> Option<usize> {
    let b = rest.as_bytes();
    let mut best = None;
    for (c, _) in rest.match_indices(':') {
        let mut s = c;
        while s > 0 && b.get(s - 1).is_some_and(|x| x.is_ascii_alphanumeric()) {
            s -= 1;
        }
        let ty = c - s;
        if (2..=8).contains(&ty) && s > 0 && b.get(s - 1) == Some(&b' ') {
            best = Some(s);
        }
    }
    best
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    record: usize,
    offset: u64,
    sync: u32,
    stamp: u32,
    date: Option<String>,
    crc: u16,
    crc_ok: bool,
    op: String,
    flags: u8,
    origin: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    resync_header: Option<dirsync::trans::ResyncHeader>,
}

/// The JSON view of a transaction stream: `file`, `kind`, `records` (each with
/// `record`, `offset`, `sync`, `stamp`, `date`, `crc`, `crc_ok`, `op`, `flags`,
/// `origin`, `text`), `skipped`, `bad_crc`. Written record by record.
pub fn write_trans_json(
    file: &str,
    kind: dirsync::TransKind,
    stream: &TransStream,
    w: &mut dyn Write,
) -> io::Result<()> {
    write!(w, "{{\"file\":")?;
    serde_json::to_writer(&mut *w, file)?;
    write!(w, ",\"kind\":")?;
    serde_json::to_writer(&mut *w, &kind)?;
    write!(w, ",\"records\":[")?;
    let mut bad = 0usize;
    for (i, (r, &offset)) in stream.records.iter().zip(&stream.offsets).enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"\n")?;
        let origin = r.origin.text();
        let text = r.text_str();
        let crc_ok = r.crc_ok();
        bad += usize::from(!crc_ok);
        let rec = JsonRecord {
            record: i,
            offset,
            sync: r.sync,
            stamp: r.stamp,
            date: (r.stamp != 0).then(|| ctime(r.stamp)),
            crc: r.crc,
            crc_ok,
            op: r.op_char().to_string(),
            flags: r.flags,
            origin: &origin,
            text: &text,
            resync_header: r.resync_header(),
        };
        serde_json::to_writer(&mut *w, &rec)?;
    }
    write!(w, "\n],\"skipped\":")?;
    serde_json::to_writer(&mut *w, &stream.skipped)?;
    writeln!(w, ",\"bad_crc\":{bad}}}")
}

fn date_or_null(t: u32) -> serde_json::Value {
    if t == 0 {
        serde_json::Value::Null
    } else {
        ctime(t).into()
    }
}

/// JSON for REQCONF.GLB. The password appears only as `password_set`.
pub fn reqconf_json(file: &str, c: &ReqConf) -> serde_json::Value {
    serde_json::json!({
        "file": file,
        "kind": "reqconf",
        "version": c.version,
        "server": c.server.text(),
        "reqsync": c.reqsync,
        "srvsync": c.srvsync,
        "impsync": c.impsync,
        "last_export": c.last_export,
        "last_import_request": c.last_import_request,
        "last_t1": c.last_t1,
        "last_t3": c.last_t3,
        "last_export_date": date_or_null(c.last_export),
        "template_exchange": c.templates != 0,
        "password_set": c.password_set(),
        "address_types": c.address_types.text(),
    })
}

/// JSON for SRVCONF.GLB. Passwords appear only as `password_set`.
pub fn srvconf_json(file: &str, c: &SrvConf) -> serde_json::Value {
    let requestors: Vec<serde_json::Value> = c
        .requestors
        .iter()
        .enumerate()
        .map(|(i, r)| {
            serde_json::json!({
                "record": i,
                "offset": dirsync::conf::srvconf_layout::SIZE + i * dirsync::conf::requestor_layout::SIZE,
                "in_use": r.in_use(),
                "name": r.name.text(),
                "reqsync": r.reqsync,
                "srvsync": r.srvsync,
                "impsync": r.impsync,
                "cycle": r.last_cycle,
                "last_update": r.last_update,
                "last_update_date": date_or_null(r.last_update),
                "password_set": r.password_set(),
                "foreign": r.foreign != 0,
                "transactions_in_body": r.in_body != 0,
                "address_types": r.address_types.text(),
            })
        })
        .collect();
    serde_json::json!({
        "file": file,
        "kind": "srvconf",
        "version": c.version,
        "sync": c.sync,
        "cycle": c.cycle,
        "keep_days": c.keep_days,
        "last_t2": c.last_t2,
        "requestors": requestors,
    })
}

/// JSON for PROCESS.GLB.
pub fn process_json(file: &str, p: &ProcessFile) -> serde_json::Value {
    let records: Vec<serde_json::Value> = p
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            serde_json::json!({
                "record": i,
                "in_use": r.status == 1,
                "process": r.process,
                "day": r.day,
                "hour": r.hour,
                "minute": r.minute,
                "next_run": r.next_run,
                "command": r.command.text(),
                "schedule": (r.status == 1).then(|| r.dssched_line()),
            })
        })
        .collect();
    serde_json::json!({
        "file": file,
        "kind": "process",
        "version": p.version,
        "count": p.count,
        "count_ok": p.count_ok(),
        "records": records,
    })
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn set_not_set(b: bool) -> &'static str {
    if b {
        "set"
    } else {
        "not set"
    }
}

/// The LISTDS view of REQCONF.GLB.
pub fn listds_reqconf(c: &ReqConf) -> String {
    format!(
        "Examining Requestor Configuration Record\n\
         Dir-Sync Server: {}\n\
         ReqSync = {}, SrvSync = {}\n\
         ImpSync = {}\n\
         Last export {}\n\
         Last import request {}\n\
         Last T1 {}\n\
         Last T3 {}\n\
         Template exchange: {}\n\
         Requestor password: {}\n\
         Address types requested: {}\n",
        c.server.text(),
        c.reqsync,
        c.srvsync,
        c.impsync,
        ctime(c.last_export),
        ctime(c.last_import_request),
        ctime(c.last_t1),
        ctime(c.last_t3),
        yes_no(c.templates != 0),
        set_not_set(c.password_set()),
        c.address_types.text(),
    )
}

/// The LISTDS view of SRVCONF.GLB (requestor records in use, numbered by slot).
pub fn listds_srvconf(c: &SrvConf) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "Examining Server Configuration Record");
    let _ = writeln!(
        s,
        "Highest SrvSync is {}, Current Dirsync Cycle is {}",
        c.sync, c.cycle
    );
    let _ = writeln!(
        s,
        "Keep updates {} days, Last T2 {}",
        c.keep_days,
        ctime(c.last_t2)
    );
    for (i, r) in c.requestors.iter().enumerate().filter(|(_, r)| r.in_use()) {
        let _ = writeln!(s, "\n     Server Requestor Record #{}", i + 1);
        let _ = writeln!(s, "Requestor name: {}", r.name.text());
        let _ = writeln!(
            s,
            "ReqSync = {}, SrvSync = {}, Last Cycle = {}",
            r.reqsync, r.srvsync, r.last_cycle
        );
        let _ = writeln!(s, "Last update received {}", ctime(r.last_update));
        let _ = writeln!(
            s,
            "ImpSync = {}, Password {}, Foreign {}, Transactions in body {}",
            r.impsync,
            set_not_set(r.password_set()),
            yes_no(r.foreign != 0),
            yes_no(r.in_body != 0)
        );
        let _ = writeln!(s, "Address types requested: {}", r.address_types.text());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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
        write_listq(&stream, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
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
