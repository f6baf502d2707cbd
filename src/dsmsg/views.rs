//! The views of the Dir-Sync text files (what `msmail dump` shows): logs,
//! DISPATCH.LOG, DSSCHED time files, `[DIRSYNC]` messages and import text,
//! printed as parsed records (text or JSON). The binary files' views are
//! [`crate::dirsync::views`].

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

use crate::codepage::TextEncoding;
use crate::dsmsg::{self, DirSyncMessage, TextFileKind};
use crate::error::{Error, Result};
use crate::logs::{self, DispatchEvent, LogLevel, LogLine, LogRecord};
use crate::model::{Entry, Operation};

/// Dumps one Dir-Sync text file of the given kind (CP850 unless a BOM says
/// otherwise) to `w`, as text or as one JSON document.
pub fn dump_text_file(
    path: &Path,
    kind: TextFileKind,
    json: bool,
    w: &mut dyn Write,
) -> Result<()> {
    dump_text_file_with_encoding(path, kind, json, TextEncoding::Cp850, w)
}

/// [`dump_text_file`] with an explicit input encoding (`--encoding`).
pub fn dump_text_file_with_encoding(
    path: &Path,
    kind: TextFileKind,
    json: bool,
    encoding: TextEncoding,
    w: &mut dyn Write,
) -> Result<()> {
    let file = path.display().to_string();
    let bytes = crate::input::read_input(path)?;
    let out = render_text(&file, &bytes, kind, json, encoding)?;
    w.write_all(out.as_bytes())
        .map_err(|e| Error::output("<output>", e.to_string()))
}

/// Parses `bytes` (the content of `file`) as `kind` and renders the dump: the
/// text view, or one JSON document. Input errors name file, line and column.
pub fn render_text(
    file: &str,
    bytes: &[u8],
    kind: TextFileKind,
    json: bool,
    encoding: TextEncoding,
) -> Result<String> {
    let text = crate::codepage::decode_input(bytes, encoding, file)?;
    let out = match kind {
        TextFileKind::Log => {
            let v = logs::parse_log(&text, file)?;
            if json {
                json_doc(
                    file,
                    "log",
                    "records",
                    v.iter().map(log_line_json).collect(),
                )
            } else {
                v.iter().map(log_line_text).collect()
            }
        }
        TextFileKind::DispatchLog => {
            let v = logs::parse_dispatch_log(&text);
            if json {
                let recs = v
                    .iter()
                    .map(|d| serde_json::to_value(d).unwrap_or(Value::Null))
                    .collect();
                json_doc(file, "dispatch-log", "records", recs)
            } else {
                v.iter().map(dispatch_text).collect()
            }
        }
        TextFileKind::Schedule => {
            let v = logs::parse_schedule(&text, file)?;
            if json {
                let recs = v
                    .iter()
                    .map(|s| {
                        json!({
                            "line": s.line,
                            "process": format!("T{}", s.process.t_number()),
                            "command": s.process.command(),
                            "day": s.day_name(),
                            "time": format!("{:02}:{:02}", s.hour, s.minute),
                        })
                    })
                    .collect();
                json_doc(file, "dssched", "schedule", recs)
            } else {
                v.iter()
                    .map(|s| {
                        format!(
                            "T{} {} {:02}:{:02}    ({})\n",
                            s.process.t_number(),
                            s.day_name(),
                            s.hour,
                            s.minute,
                            s.process.command()
                        )
                    })
                    .collect()
            }
        }
        TextFileKind::ImportText => {
            let ops = crate::importtext::parse_str(&text, file, 1)?;
            if json {
                json_doc(
                    file,
                    "import-text",
                    "operations",
                    ops.iter().map(op_json).collect(),
                )
            } else {
                let mut s = String::new();
                for op in &ops {
                    for l in crate::importtext::import_file_lines(op) {
                        s.push_str(&crate::escape::escape_value(&l));
                        s.push('\n');
                    }
                }
                s
            }
        }
        TextFileKind::DirSyncMessage => {
            let m = dsmsg::parse_message(&text, file)?;
            if json {
                let mut s =
                    serde_json::to_string_pretty(&message_json(file, &m)).unwrap_or_default();
                s.push('\n');
                s
            } else {
                message_text(&m)
            }
        }
    };
    // The text views escape control characters (crate::escape); JSON keeps
    // every value exact.
    Ok(if json {
        out
    } else {
        crate::escape::escape_view(&out).into_owned()
    })
}

fn json_doc(file: &str, kind: &str, list: &str, items: Vec<Value>) -> String {
    let mut doc = serde_json::Map::new();
    doc.insert("file".into(), json!(file));
    doc.insert("kind".into(), json!(kind));
    doc.insert(list.into(), Value::Array(items));
    let mut s = serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default();
    s.push('\n');
    s
}

fn iso_date(r: &LogRecord) -> Option<String> {
    r.date.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn hms(r: &LogRecord) -> Option<String> {
    r.time.map(|(h, m, s)| match s {
        Some(s) => format!("{h:02}:{m:02}:{s:02}"),
        None => format!("{h:02}:{m:02}"),
    })
}

fn log_line_json(l: &LogLine) -> Value {
    match l {
        LogLine::Record(r) => json!({
            "line": r.line,
            "kind": "record",
            "raw_date": r.raw_date,
            "date": iso_date(r),
            "time": hms(r),
            "level": r.level,
            "level_number": r.level_number,
            "code": r.code,
            "text": r.text,
        }),
        LogLine::Continuation { line, text } => json!({
            "line": line,
            "kind": "continuation",
            "text": text,
        }),
    }
}

fn log_line_text(l: &LogLine) -> String {
    match l {
        LogLine::Record(r) => {
            let code = r
                .code
                .map_or(String::from("     "), |c| format!("[{c:>3}]"));
            // A numeric level shows its number and what it stands for (`1/Status`).
            let level = match (r.level, r.level_number) {
                (LogLevel::Unknown, Some(n)) => n.to_string(),
                (lv, Some(n)) => format!("{n}/{}", lv.as_str()),
                (lv, None) => lv.as_str().to_string(),
            };
            let raw = match &r.raw_date {
                Some(d) => format!("    ({d})"),
                None => String::new(),
            };
            format!(
                "{:>6}  {:<10} {:<8}  {:<7} {}  {}{}\n",
                r.line,
                iso_date(r).unwrap_or_default(),
                hms(r).unwrap_or_default(),
                level,
                code,
                r.text,
                raw
            )
        }
        LogLine::Continuation { line, text } => format!("{line:>6}  {:>40}{}\n", "... ", text),
    }
}

fn dispatch_text(d: &logs::DispatchLine) -> String {
    let stamp = match (&d.instance, &d.raw_date, &d.raw_time) {
        (i, Some(date), Some(time)) => {
            let i = i.as_deref().map(|i| format!("{i} ")).unwrap_or_default();
            format!("{i}{date} {time}")
        }
        _ => String::new(),
    };
    let po = |p: &Option<String>| p.as_deref().unwrap_or("?").to_string();
    let what = match &d.event {
        DispatchEvent::Postoffice { name } => format!("postoffice {name}"),
        DispatchEvent::Running {
            process,
            postoffice,
            ..
        } => format!("run {process} for {}", po(postoffice)),
        DispatchEvent::Terminated {
            process,
            exit_code,
            abnormal,
            postoffice,
            ..
        } => format!(
            "{process} exit {exit_code}{} for {}",
            if *abnormal { " (abnormal)" } else { "" },
            po(postoffice)
        ),
        DispatchEvent::MissedRunWindow {
            process,
            postoffice,
            ..
        } => format!("MISSED run window: {process} for {}", po(postoffice)),
        DispatchEvent::Other => String::new(),
    };
    format!("{:>6}  {:<20} {:<36} {}\n", d.line, stamp, what, d.text)
}

fn entry_json(e: &Entry) -> Value {
    let line = match e.origin.position {
        crate::model::Position::Line(n) => Some(n),
        _ => None,
    };
    json!({
        "line": line,
        "full_name": e.full_name,
        "address": e.address.to_string(),
        "kind": e.kind.as_str(),
        "template": e.template.iter().map(|t| json!({"prompt": t.prompt, "value": t.value})).collect::<Vec<_>>(),
    })
}

fn op_json(op: &Operation) -> Value {
    match op {
        Operation::Add(e) | Operation::Delete(e) => {
            let mut v = entry_json(e);
            if let Value::Object(m) = &mut v {
                m.insert("op".into(), json!(op.letter().to_string()));
            }
            v
        }
        Operation::Modify { old, new } => json!({
            "op": "M",
            "old": entry_json(old),
            "new": entry_json(new),
        }),
        Operation::Replace(scope) => json!({"op": "R", "scope": scope.to_string()}),
        Operation::Template(def) => json!({
            "op": "T",
            "scope": def.scope.to_string(),
            "fields": def.fields,
        }),
    }
}

/// The JSON form of a parsed message (`dump --json`).
pub fn message_json(file: &str, m: &DirSyncMessage) -> Value {
    json!({
        "file": file,
        "kind": "dirsync-message",
        "headers": m.headers,
        "subject": m.subject(),
        "keys": m.keys,
        "task": m.task.as_ref().map(|t| t.as_str()),
        "name": m.name,
        "requestor": m.requestor().map(|s| s.to_string()),
        "types": m.types,
        "template": m.template,
        "numbers": m.numbers,
        "transactions_mode": m.transactions_mode,
        "transactions": m.transactions.iter().map(|t| json!({
            "sync": t.sync,
            "line": t.line,
            "operations": t.operations.iter().map(op_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "other_sections": m.other_sections,
    })
}

fn message_text(m: &DirSyncMessage) -> String {
    let mut s = String::new();
    for h in &m.headers {
        s.push_str(&format!("{}: {}\n", h.name, h.value));
    }
    if let Some(sep) = &m.separator {
        s.push_str(sep);
        s.push('\n');
    }
    let n = m.numbers;
    let show = |v: Option<u32>| v.map_or("-".to_string(), |v| v.to_string());
    if m.has_dirsync_section {
        s.push_str("[DIRSYNC]\n");
        for kv in &m.keys {
            s.push_str(&format!("{}={}\n", kv.key, kv.value));
        }
        s.push_str(&format!(
            "; task {}, requestor {}, REQSEQ {}, SRVSEQ {}, IMPSEQ {}, {} transaction(s)\n",
            m.task.as_ref().map_or("-", |t| t.as_str()),
            m.requestor().map_or("-".to_string(), |r| r.to_string()),
            show(n.reqseq),
            show(n.srvseq),
            show(n.impseq),
            m.transactions.len()
        ));
    } else {
        s.push_str(&format!(
            "; transaction attachment (no [DIRSYNC] section), {} transaction(s)\n",
            m.transactions.len()
        ));
    }
    if m.has_transactions_section || !m.transactions.is_empty() {
        s.push_str("\n[DIRSYNC-TRANSACTIONS]\n");
        for t in &m.transactions {
            let sync = t.sync.map_or("-".to_string(), |v| format!("{v:010}"));
            let mut first = true;
            for op in &t.operations {
                for line in crate::importtext::operation_lines(op) {
                    if first {
                        s.push_str(&format!("{sync} {line}\n"));
                    } else {
                        s.push_str(&format!("{:10} {line}\n", ""));
                    }
                    first = false;
                }
            }
            if first {
                s.push_str(&format!("{sync} (no operation)\n"));
            }
        }
    }
    s
}
