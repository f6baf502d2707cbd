//! The familiar views of Dir-Sync files (formats-text.md §5): LISTQ for
//! transaction streams, LISTDS for REQCONF/SRVCONF, DSSCHED for PROCESS.GLB,
//! and their JSON records. Used by `msmail dump`; passwords appear only as
//! set / not set.
//!
//! The text views print the lines Q96060's samples show, in the same order
//! and spelling, from the `Examining ...` line on (the utilities' product and
//! copyright banner is not printed: msmail is not those utilities). Fields
//! the utilities do not show follow after the KB's lines, under
//! [`FURTHER_FIELDS`].

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use super::{ctime, ProcessFile, ReqConf, SrvConf, TransStream, TransactionRecord};
use crate::dirsync;
use crate::escape::escape_value;

/// Column where the transaction text starts in LISTQ lines.
const LISTQ_INDENT: usize = 37;

/// The line that introduces the fields the original utilities do not show.
pub const FURTHER_FIELDS: &str = "Not shown by LISTDS:";

/// What a view knows about the file beyond its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewContext {
    /// `NET/PO` of the postoffice whose GLB folder holds the file, from its
    /// MASTER.GLB; `None` outside a tree.
    pub postoffice: Option<String>,
    /// The file's name without extension, upper-cased (`REQTRANS`).
    pub file_label: String,
}

impl ViewContext {
    /// The context of the file at `path`: its label, and the postoffice when
    /// the file lies in the GLB folder of a tree whose MASTER.GLB reads.
    pub fn of_path(path: &Path) -> ViewContext {
        let file_label = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_ascii_uppercase())
            .unwrap_or_default();
        ViewContext {
            postoffice: postoffice_of_glb_file(path),
            file_label,
        }
    }

    /// `Examining NET/PO <what>` (or `Examining <what>` without a postoffice).
    fn examining(&self, what: &str) -> String {
        match &self.postoffice {
            Some(po) => format!("Examining {} {what}", escape_value(po)),
            None => format!("Examining {what}"),
        }
    }
}

/// `NET/PO` from the MASTER.GLB of the tree whose GLB folder holds `path`.
pub fn postoffice_of_glb_file(path: &Path) -> Option<String> {
    let glb = path.parent()?;
    if !glb
        .file_name()?
        .to_string_lossy()
        .eq_ignore_ascii_case("GLB")
    {
        return None;
    }
    let root = glb.parent()?;
    let master = crate::tree::find_case_insensitive(root, "GLB/MASTER.GLB")?;
    let bytes = crate::input::read_input(&master).ok()?;
    let m = crate::tree::identity::MasterGlb::read(&master.display().to_string(), &bytes).ok()?;
    Some(format!("{}/{}", m.network, m.postoffice))
}

/// The LISTQ view of a transaction stream (Q96060, `listq -c -t`):
/// `Examining NET/PO Dirsync transaction file: NAME`, `Checking CRC...`, the
/// header line, then `CRC  date stamp  sync#  transaction`, continuation
/// lines indented. A record whose CRC does not match is followed by a line
/// `*** CRC error: stored XXXX, computed YYYY`.
pub fn write_listq(stream: &TransStream, ctx: &ViewContext, w: &mut dyn Write) -> io::Result<()> {
    let label = format!("Dirsync transaction file: {}", ctx.file_label);
    writeln!(w, "{}\n\nChecking CRC...\n", ctx.examining(&label))?;
    writeln!(w, "CRC  Date stamp               Sync#  Transaction")?;
    let mut line = String::with_capacity(128);
    for r in &stream.records {
        line.clear();
        listq_record(r, &mut line);
        if !r.crc_ok() {
            use std::fmt::Write as _;
            let _ = writeln!(
                line,
                "*** CRC error: stored {:04X}, computed {:04X}",
                r.crc,
                r.computed_crc()
            );
        }
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
pub(crate) fn listq_line(l: &str, out: &mut String) {
    let entry_line = matches!(
        l.as_bytes(),
        [b'A' | b'D' | b'M', b' ', ..] | [b' ', b' ', ..]
    );
    if !entry_line || l.contains('\t') {
        // A TAB the text holds already separates name and address: kept.
        for (i, part) in l.split('\t').enumerate() {
            if i > 0 {
                out.push('\t');
            }
            out.push_str(&escape_value(part));
        }
        return;
    }
    let (prefix, rest) = l.split_at(2);
    match crate::importtext::address_start(rest) {
        Some(at) => {
            let (name, addr) = rest.split_at(at);
            out.push_str(prefix);
            out.push_str(&escape_value(name.trim_end()));
            out.push('\t');
            out.push_str(&escape_value(addr.trim_start()));
        }
        None => out.push_str(&escape_value(l)),
    }
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

/// The LISTDS view of REQCONF.GLB (Q96060, `listds -r`), then the fields
/// LISTDS does not show.
pub fn listds_reqconf(c: &ReqConf, ctx: &ViewContext) -> String {
    format!(
        "{}\n\n\
         Dir-Sync Server: {}\n\
         ReqSync = {}, SrvSync = {}\n\
         \n\
         {FURTHER_FIELDS}\n\
         ImpSync = {}\n\
         Last export {}\n\
         Last import request {}\n\
         Last T1 {}\n\
         Last T3 {}\n\
         Template exchange: {}\n\
         Requestor password: {}\n\
         Address types requested: {}\n",
        ctx.examining("Requestor Configuration Record"),
        escape_value(&c.server.text()),
        c.reqsync,
        c.srvsync,
        c.impsync,
        ctime(c.last_export),
        ctime(c.last_import_request),
        ctime(c.last_t1),
        ctime(c.last_t3),
        yes_no(c.templates != 0),
        set_not_set(c.password_set()),
        escape_value(&c.address_types.text()),
    )
}

/// The LISTDS view of SRVCONF.GLB (Q96060, `listds -s`; requestor records in
/// use, numbered by slot), then the fields LISTDS does not show.
pub fn listds_srvconf(c: &SrvConf, ctx: &ViewContext) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "{}", ctx.examining("Server Configuration Record"));
    let _ = writeln!(
        s,
        "Highest SrvSync is {}, Current Dirsync Cycle is {}",
        c.sync, c.cycle
    );
    let in_use = || c.requestors.iter().enumerate().filter(|(_, r)| r.in_use());
    for (i, r) in in_use() {
        let _ = writeln!(s, "\n     Server Requestor Record #{}", i + 1);
        let _ = writeln!(s, "Requestor name: {}", escape_value(&r.name.text()));
        let _ = writeln!(
            s,
            "ReqSync = {}, SrvSync = {}, Last Cycle = {}",
            r.reqsync, r.srvsync, r.last_cycle
        );
        let _ = writeln!(s, "Last update received {}", ctime(r.last_update));
    }
    let _ = writeln!(s, "\n{FURTHER_FIELDS}");
    let _ = writeln!(
        s,
        "Keep updates {} days, Last T2 {}",
        c.keep_days,
        ctime(c.last_t2)
    );
    for (i, r) in in_use() {
        let _ = writeln!(
            s,
            "Record #{}: ImpSync = {}, Password {}, Foreign {}, Transactions in body {}, \
             Address types requested: {}",
            i + 1,
            r.impsync,
            set_not_set(r.password_set()),
            yes_no(r.foreign != 0),
            yes_no(r.in_body != 0),
            escape_value(&r.address_types.text())
        );
    }
    s
}

/// The DSSCHED view of PROCESS.GLB: the `-x` time file (`T1 Sat 13:45`, Q96060),
/// CR LF as the file DSSCHED writes and reads back with `-i`.
pub fn dssched_file(p: &ProcessFile) -> String {
    let mut s = String::new();
    for l in p.dssched_lines() {
        s.push_str(&l);
        s.push_str("\r\n");
    }
    s
}
