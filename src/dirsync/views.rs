//! The familiar views of Dir-Sync files (formats-text.md §5): LISTQ for
//! transaction streams, LISTDS for REQCONF/SRVCONF, and their JSON records.
//! Used by `msmail dump`; passwords appear only as set / not set.

use std::io::{self, Write};

use serde::Serialize;

use super::{ctime, ProcessFile, ReqConf, SrvConf, TransStream, TransactionRecord};
use crate::dirsync;

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
pub(crate) fn listq_line(l: &str, out: &mut String) {
    let entry_line = matches!(
        l.as_bytes(),
        [b'A' | b'D' | b'M', b' ', ..] | [b' ', b' ', ..]
    );
    if !entry_line || l.contains('\t') {
        out.push_str(l);
        return;
    }
    let (prefix, rest) = l.split_at(2);
    match crate::importtext::address_start(rest) {
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
