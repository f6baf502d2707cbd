//! Dir-Sync and Dispatch text logs and DSSCHED schedule files
//! (formats-text.md §3–§4).
//!
//! * DIRSYNC.LOG / DSSERVER.LOG / CENTRAL.LOG ([`parse_log`]): records
//!   `M/D/YY HH:MM[:SS] | level [code] text`, the level a word (`Status`,
//!   `Warning`, `Error`, `Fatal`) or a number (`1 167 PCM,SNADS`, Q149271), the
//!   code bracketed (`[ 27]`) or bare (`Fatal 161 ...`, Q136487). The same
//!   records without the stamp, as the utilities print them on the screen and
//!   the KB quotes them (`Error [ 46] No Fullname`), read as a console log.
//!   Lines that do not start a record are [`LogLine::Continuation`]s of the
//!   record above.
//! * DISPATCH.LOG ([`parse_dispatch_log`], module `dispatch`): the session
//!   form `INST1 02/02/96 13:18 Running NSDA -RT` (Q148705) and its kin.
//! * DSSCHED time files: `T<x> <Day> <HH>:<MM>` ([`parse_schedule`],
//!   [`write_schedule`], module `schedule`).
//!
//! Every parser is written with `nom`, never panics, and reports bad input as
//! [`Error::Input`](crate::error::Error::Input) with file, line and column.

use serde::Serialize;

mod dispatch;
mod record;
mod schedule;

pub use dispatch::{looks_like_dispatch, parse_dispatch_log, DispatchEvent, DispatchLine};
pub(crate) use record::{column_of, lines, num, parse_stamp};
pub use record::{
    first_record_has_level, looks_like_log, parse_log, parse_log_line, parse_record_body,
    RecordBody,
};
pub use schedule::{looks_like_schedule, parse_schedule, write_schedule, ScheduleLine, DAYS};
/// Severity of a log record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// `Status`, or the number 1 (Q148705, Q149271 pair them).
    Status,
    /// `Warning`.
    Warning,
    /// `Error`.
    Error,
    /// `Fatal`, or the number 2 (Q148705 pairs `2 91 ADMIN` with `Fatal [91]`).
    Fatal,
    /// No known level word or number after the `|`; the whole rest is the text.
    Unknown,
}

impl LogLevel {
    /// The word as the originals print it (`Unknown` prints empty).
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Status => "Status",
            LogLevel::Warning => "Warning",
            LogLevel::Error => "Error",
            LogLevel::Fatal => "Fatal",
            LogLevel::Unknown => "",
        }
    }

    /// The level a numeric level stands for: 1 Status, 2 Fatal (paired in
    /// Q148705); other numbers are not documented.
    pub fn from_number(n: u16) -> LogLevel {
        match n {
            1 => LogLevel::Status,
            2 => LogLevel::Fatal,
            _ => LogLevel::Unknown,
        }
    }
}

/// One log record: `03/22/94 15:43:45 | Warning[ 27] Alias already exists ...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogRecord {
    /// 1-based line number in the file.
    pub line: u64,
    /// The date exactly as written (`3/23/93`, `01/01/100`); `None` for a
    /// console line without stamp.
    pub raw_date: Option<String>,
    /// Parsed date (year, month, day); two- and three-digit years are 1900 + n.
    pub date: Option<(u16, u8, u8)>,
    /// Time (hour, minute, second); the second is `None` when the stamp has
    /// none (`02/02/96 13:18`, Q148705).
    pub time: Option<(u8, u8, Option<u8>)>,
    /// Severity.
    pub level: LogLevel,
    /// The level as written when it is a number (`1`, `2`; Q149271).
    pub level_number: Option<u16>,
    /// The code, bracketed or bare; `[ ]` and the numeric form's `-1` are none.
    pub code: Option<u16>,
    /// The message text, leading and trailing blanks removed.
    pub text: String,
}

/// One line of a log file: a record, or a line that continues the record above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum LogLine {
    /// A record.
    Record(LogRecord),
    /// A line that does not start a record (wrapped message text).
    Continuation {
        /// 1-based line number.
        line: u64,
        /// The line, trailing blanks removed.
        text: String,
    },
}

/// How one line fared against a grammar.
#[derive(Debug)]
pub(crate) enum LineParse<T> {
    Ok(T),
    /// The line does not have the shape at all.
    NotThis,
    /// It has the shape but a value is wrong: 0-based byte offset and message.
    Bad(usize, String),
}

/// A parsed date and time stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// The date as written.
    pub raw_date: String,
    /// Year, month, day.
    pub date: (u16, u8, u8),
    /// The time as written.
    pub raw_time: String,
    /// Hour, minute, second (if written).
    pub time: (u8, u8, Option<u8>),
}

/// The three Dir-Sync processes Dispatch runs (Q96060).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DirSyncProcess {
    /// T1, `NSDA -RT`: the requestor sends its updates.
    #[serde(rename = "NSDA -RT")]
    SendUpdates,
    /// T2, `NSDA -S`: the server processes and replies.
    #[serde(rename = "NSDA -S")]
    Server,
    /// T3, `NSDA -RR`: the requestor processes the server's updates.
    #[serde(rename = "NSDA -RR")]
    ProcessUpdates,
}

impl DirSyncProcess {
    /// The Dispatch command (`NSDA -RT`, `NSDA -S`, `NSDA -RR`).
    pub fn command(self) -> &'static str {
        match self {
            DirSyncProcess::SendUpdates => "NSDA -RT",
            DirSyncProcess::Server => "NSDA -S",
            DirSyncProcess::ProcessUpdates => "NSDA -RR",
        }
    }

    /// The schedule number: 1, 2 or 3 (T1, T2, T3).
    pub fn t_number(self) -> u8 {
        match self {
            DirSyncProcess::SendUpdates => 1,
            DirSyncProcess::Server => 2,
            DirSyncProcess::ProcessUpdates => 3,
        }
    }

    /// The process for a schedule number 1..3.
    pub fn from_t_number(n: u8) -> Option<DirSyncProcess> {
        match n {
            1 => Some(DirSyncProcess::SendUpdates),
            2 => Some(DirSyncProcess::Server),
            3 => Some(DirSyncProcess::ProcessUpdates),
            _ => None,
        }
    }

    /// The process an NSDA option names: `RT`, `S`, `RR` (any case).
    pub fn from_option(option: &str) -> Option<DirSyncProcess> {
        match option.to_ascii_uppercase().as_str() {
            "RT" => Some(DirSyncProcess::SendUpdates),
            "S" => Some(DirSyncProcess::Server),
            "RR" => Some(DirSyncProcess::ProcessUpdates),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
