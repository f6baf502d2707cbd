//! The `[DIRSYNC]` message writer ([`write_message`]) and the EXPORT message
//! a requestor sends ([`export_message`], envelope shaped like Q118298).

use std::io::Write;

use super::{
    DirSyncMessage, Header, KeyValue, MessageNumbers, MessageTransaction, Task, TransactionsMode,
};
use crate::codepage::encode_cp850;
use crate::error::{Error, Result};
use crate::model::{Entry, Operation, Scope};

fn encode_line(w: &mut dyn Write, line: &str) -> Result<()> {
    let bytes = encode_cp850(line).map_err(|(i, c)| {
        Error::Unrepresentable(format!(
            "character {c:?} (position {}) of {line:?} is not in code page 850",
            i + 1
        ))
    })?;
    w.write_all(&bytes)
        .and_then(|_| w.write_all(b"\r\n"))
        .map_err(|e| Error::output("<message>", e.to_string()))
}

/// Writes a message: headers, separator, `[DIRSYNC]` keys as stored, then
/// `[DIRSYNC-TRANSACTIONS]` with each transaction's first line prefixed by its
/// ten-digit sync number. CP850, CR LF. Other sections follow.
pub fn write_message(msg: &DirSyncMessage, w: &mut dyn Write) -> Result<()> {
    for h in &msg.headers {
        // An empty value is written `Priority:`, as Q118298 prints it.
        if h.value.is_empty() {
            encode_line(w, &format!("{}:", h.name))?;
        } else {
            encode_line(w, &format!("{}: {}", h.name, h.value))?;
        }
    }
    if let Some(s) = &msg.separator {
        encode_line(w, s)?;
    }
    encode_line(w, "[DIRSYNC]")?;
    for kv in &msg.keys {
        encode_line(w, &format!("{}={}", kv.key, kv.value))?;
    }
    if msg.has_transactions_section || !msg.transactions.is_empty() {
        encode_line(w, "")?;
        encode_line(w, "[DIRSYNC-TRANSACTIONS]")?;
        for t in &msg.transactions {
            let mut first = true;
            for op in &t.operations {
                for line in crate::importtext::operation_lines(op) {
                    match (first, t.sync) {
                        (true, Some(s)) => encode_line(w, &format!("{s:010} {line}"))?,
                        _ => encode_line(w, &line)?,
                    }
                    first = false;
                }
            }
        }
    }
    for s in &msg.other_sections {
        encode_line(w, "")?;
        encode_line(w, &format!("[{}]", s.name))?;
        for l in &s.lines {
            encode_line(w, l)?;
        }
    }
    Ok(())
}

/// The mail envelope of a Dir-Sync message a requestor sends: the header
/// lines Q118298 prints (`From`, `To`, `Subject`, `Date`, `Priority`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Envelope {
    /// The Dir-Sync server (`PCM:NET/PO`); `To:` is its `NET/PO/$SYSTEM`.
    /// `None` leaves `To:` out.
    pub server: Option<Scope>,
    /// `From:`; empty = the requestor's own `NET/PO/$SYSTEM`.
    pub from: String,
    /// `Date:` as written (`1994-04-04 09:12`, Q118298); empty writes `Date:`.
    pub date: String,
}

impl Envelope {
    /// An envelope to the server's `$SYSTEM`, from the requestor's, with the
    /// date given (deterministic output: no clock is read).
    pub fn to_server(server: &Scope, date: impl Into<String>) -> Envelope {
        Envelope {
            server: Some(server.clone()),
            from: String::new(),
            date: date.into(),
        }
    }
}

/// `NET/PO/$SYSTEM` of a `PCM:NET/PO` scope (the body for other scopes).
fn system_mailbox(scope: &Scope) -> String {
    match scope.network_postoffice() {
        Some((net, po)) => format!("{net}/{po}/$SYSTEM"),
        None => format!("{}/$SYSTEM", scope.body),
    }
}

/// The `Date:` text of a `time32` (postoffice local time): `1994-04-04 09:12`,
/// the form Q118298 prints.
pub fn envelope_date(t: u32) -> String {
    let t = i64::from(t);
    let (y, mo, d) = crate::dirsync::civil_from_days(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02} {:02}:{:02}",
        secs / 3600,
        secs / 60 % 60
    )
}

/// Builds the EXPORT message a requestor sends for `scope`, shaped like
/// Q118298: `From:`, `To: <server NET/PO>/$SYSTEM`, `Subject: Directory
/// Exchange Profile`, `Date:`, `Priority:`, a 59-dash separator; then
/// `TASK=EXPORT`, `REQNAME=`, the numbers given, `TRANSACTIONS=INBODY`, and
/// `R <scope>` plus one `A` per entry (with its template lines), numbered
/// from REQSEQ + 1.
pub fn export_message(
    scope: &Scope,
    entries: &[&Entry],
    numbers: MessageNumbers,
    envelope: &Envelope,
) -> DirSyncMessage {
    let mut line = 0u64;
    let mut next = || {
        line += 1;
        line
    };
    let mut headers = Vec::new();
    let mut header = |name: &str, value: String| {
        headers.push(Header {
            name: name.into(),
            value,
            line: next(),
        })
    };
    let from = if envelope.from.is_empty() {
        system_mailbox(scope)
    } else {
        envelope.from.clone()
    };
    header("From", from);
    if let Some(server) = &envelope.server {
        header("To", system_mailbox(server));
    }
    header("Subject", "Directory Exchange Profile".into());
    header("Date", envelope.date.clone());
    header("Priority", String::new());
    let mut line = headers.len() as u64;
    let mut next = || {
        line += 1;
        line
    };
    let separator = Some("-".repeat(59));
    next();
    next(); // [DIRSYNC]
    let mut keys = vec![
        ("TASK", "EXPORT".to_string()),
        ("REQNAME", scope.to_string()),
    ];
    for (k, v) in [
        ("REQSEQ", numbers.reqseq),
        ("SRVSEQ", numbers.srvseq),
        ("IMPSEQ", numbers.impseq),
    ] {
        if let Some(v) = v {
            keys.push((k, format!("{v:010}")));
        }
    }
    keys.push(("TRANSACTIONS", "INBODY".into()));
    let keys: Vec<KeyValue> = keys
        .into_iter()
        .map(|(k, v)| KeyValue {
            key: k.into(),
            value: v,
            line: next(),
        })
        .collect();
    let mut sync = numbers.reqseq.unwrap_or(0);
    let mut transactions = Vec::with_capacity(entries.len() + 1);
    sync = sync.saturating_add(1);
    transactions.push(MessageTransaction {
        sync: Some(sync),
        operations: vec![Operation::Replace(scope.clone())],
        line: 0,
    });
    for e in entries {
        sync = sync.saturating_add(1);
        transactions.push(MessageTransaction {
            sync: Some(sync),
            operations: vec![Operation::Add((*e).clone())],
            line: 0,
        });
    }
    DirSyncMessage {
        headers,
        separator,
        keys,
        task: Some(Task::Export),
        name: Some(scope.to_string()),
        types: Vec::new(),
        template: None,
        numbers,
        transactions_mode: Some(TransactionsMode::InBody),
        has_dirsync_section: true,
        has_transactions_section: true,
        transactions,
        other_sections: Vec::new(),
        loose_lines: Vec::new(),
    }
}

/// Writes the EXPORT message for `scope` and `entries` (see [`export_message`]).
pub fn write_export_message(
    scope: &Scope,
    entries: &[&Entry],
    numbers: MessageNumbers,
    envelope: &Envelope,
    w: &mut dyn Write,
) -> Result<()> {
    write_message(&export_message(scope, entries, numbers, envelope), w)
}
