//! Dir-Sync and Dispatch text logs and DSSCHED schedule files
//! (formats-text.md §3–§4).
//!
//! * DIRSYNC.LOG / DSSERVER.LOG / CENTRAL.LOG: `M/D/YY HH:MM:SS | Level [code] text`
//!   records ([`parse_log`]); lines that do not start a record are kept as
//!   [`LogLine::Continuation`] of the record above.
//! * DISPATCH.LOG: postoffice lines and the `Running "NSDA -.."` / `... missed its
//!   run window` lines tied to them ([`parse_dispatch_log`]).
//! * DSSCHED time files: `T<x> <Day> <HH>:<MM>` ([`parse_schedule`],
//!   [`write_schedule`]).
//!
//! Every parser is written with `nom`, never panics, and reports bad input as
//! [`Error::Input`] with file, line and column.

use std::io::Write;

use nom::branch::alt;
use nom::bytes::complete::{tag_no_case, take_while1, take_while_m_n};
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::opt;
use nom::{IResult, Parser};
use serde::Serialize;

use crate::error::{Error, Location, Result};

/// Severity word of a log record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// `Status`.
    Status,
    /// `Warning`.
    Warning,
    /// `Error`.
    Error,
    /// `Fatal`.
    Fatal,
    /// No known level word after the `|`; the whole rest is the text.
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
}

/// One log record: `03/22/94 15:43:45 | Warning[ 27] Alias already exists ...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogRecord {
    /// 1-based line number in the file.
    pub line: u64,
    /// The date exactly as written (`3/23/93`, `01/01/100`).
    pub raw_date: String,
    /// Parsed date (year, month, day); two- and three-digit years are 1900 + n.
    pub date: (u16, u8, u8),
    /// Time (hour, minute, second).
    pub time: (u8, u8, u8),
    /// Severity.
    pub level: LogLevel,
    /// The bracketed code, if one is given (`[ ]` counts as none).
    pub code: Option<u16>,
    /// The message text, leading and trailing blanks removed.
    pub text: String,
}

/// One line of a log file: a record, or a line that continues the record above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum LogLine {
    /// A dated record.
    Record(LogRecord),
    /// A line that does not start a record (wrapped message text).
    Continuation {
        /// 1-based line number.
        line: u64,
        /// The line, trailing blanks removed.
        text: String,
    },
}

/// How one line fared against the log-record grammar.
#[derive(Debug)]
enum LineParse<T> {
    Ok(T),
    /// The line does not have the shape at all.
    NotThis,
    /// It has the shape but a value is wrong: 0-based byte offset and message.
    Bad(usize, String),
}

type Stamp = (String, (u16, u8, u8), (u8, u8, u8));

fn num(min: usize, max: usize) -> impl Fn(&str) -> IResult<&str, &str> {
    move |i| take_while_m_n(min, max, |c: char| c.is_ascii_digit()).parse(i)
}

/// `M/D/YY H:MM:SS` at the start of `line`: the stamp and the rest, or a value error.
fn parse_stamp(line: &str) -> LineParse<(Stamp, &str)> {
    #[allow(clippy::type_complexity)]
    let res: IResult<
        &str,
        (
            &str,
            char,
            &str,
            char,
            &str,
            &str,
            &str,
            char,
            &str,
            char,
            &str,
        ),
    > = (
        num(1, 2),
        char('/'),
        num(1, 2),
        char('/'),
        num(2, 4),
        space1,
        num(1, 2),
        char(':'),
        num(2, 2),
        char(':'),
        num(2, 2),
    )
        .parse(line);
    let Ok((rest, (mo, _, d, _, y, _, h, _, mi, _, s))) = res else {
        return LineParse::NotThis;
    };
    // A longer digit run would mean this is not a stamp (e.g. `1/2/33333`).
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return LineParse::NotThis;
    }
    let off = |part: &str| part.as_ptr() as usize - line.as_ptr() as usize;
    let (mo_n, d_n, h_n, mi_n, s_n) = (
        mo.parse::<u8>().unwrap_or(0),
        d.parse::<u8>().unwrap_or(0),
        h.parse::<u8>().unwrap_or(99),
        mi.parse::<u8>().unwrap_or(99),
        s.parse::<u8>().unwrap_or(99),
    );
    let y_n = y.parse::<u16>().unwrap_or(0);
    if !(1..=12).contains(&mo_n) {
        return LineParse::Bad(off(mo), format!("month {mo} is not 1-12"));
    }
    if !(1..=31).contains(&d_n) {
        return LineParse::Bad(off(d), format!("day {d} is not 1-31"));
    }
    if h_n > 23 {
        return LineParse::Bad(off(h), format!("hour {h} is not 0-23"));
    }
    if mi_n > 59 {
        return LineParse::Bad(off(mi), format!("minute {mi} is not 0-59"));
    }
    if s_n > 59 {
        return LineParse::Bad(off(s), format!("second {s} is not 0-59"));
    }
    // Two digits: 19YY. Three digits: the Y2K bug prints 2000 as 100 (Q191905).
    let year = if y.len() <= 3 { 1900 + y_n } else { y_n };
    let raw_date = format!("{mo}/{d}/{y}");
    LineParse::Ok(((raw_date, (year, mo_n, d_n), (h_n, mi_n, s_n)), rest))
}

fn level(i: &str) -> IResult<&str, LogLevel> {
    let (rest, word) = alt((
        tag_no_case("Status"),
        tag_no_case("Warning"),
        tag_no_case("Error"),
        tag_no_case("Fatal"),
    ))
    .parse(i)?;
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Tag,
        )));
    }
    let lv = match word.to_ascii_lowercase().as_str() {
        "status" => LogLevel::Status,
        "warning" => LogLevel::Warning,
        "error" => LogLevel::Error,
        _ => LogLevel::Fatal,
    };
    Ok((rest, lv))
}

/// `[ 27]`, `[158]`, `[ ]`: the digits inside, if any.
fn code(i: &str) -> IResult<&str, Option<&str>> {
    let (i, _) = (space0, char('[')).parse(i)?;
    let (i, (_, digits, _, _)) = (space0, opt(digit1), space0, char(']')).parse(i)?;
    Ok((i, digits))
}

/// Parses one line as a log record. `None` when the line is not a record.
/// A line with a well-formed stamp but an impossible value (month 13) is an error.
fn log_record(line: &str, line_no: u64) -> LineParse<LogRecord> {
    let line = line.trim_end();
    let (stamp, rest) = match parse_stamp(line) {
        LineParse::Ok(v) => v,
        LineParse::NotThis => return LineParse::NotThis,
        LineParse::Bad(o, m) => return LineParse::Bad(o, m),
    };
    let bar: IResult<&str, (&str, char, &str)> = (space0, char('|'), space0).parse(rest);
    let Ok((rest, _)) = bar else {
        return LineParse::NotThis;
    };
    let (rest, lv) = match level(rest) {
        Ok((r, lv)) => (r, lv),
        Err(_) => (rest, LogLevel::Unknown),
    };
    let (rest, code_val) = if lv == LogLevel::Unknown {
        (rest, None)
    } else {
        match code(rest) {
            Ok((r, Some(d))) => match d.parse::<u16>() {
                Ok(n) => (r, Some(n)),
                Err(_) => {
                    let o = d.as_ptr() as usize - line.as_ptr() as usize;
                    return LineParse::Bad(o, format!("log code {d} is too large"));
                }
            },
            Ok((r, None)) => (r, None),
            Err(_) => (rest, None),
        }
    };
    let (raw_date, date, time) = stamp;
    LineParse::Ok(LogRecord {
        line: line_no,
        raw_date,
        date,
        time,
        level: lv,
        code: code_val,
        text: rest.trim().to_string(),
    })
}

/// Parses one line as a log record (without line-number context: line 0).
pub fn parse_log_line(line: &str) -> Option<LogRecord> {
    match log_record(line, 0) {
        LineParse::Ok(r) => Some(r),
        _ => None,
    }
}

fn column_of(line: &str, byte_offset: usize) -> u64 {
    line.get(..byte_offset)
        .map_or(1, |s| s.chars().count() as u64 + 1)
}

fn lines(text: &str) -> impl Iterator<Item = (u64, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.strip_suffix('\r').unwrap_or(l)))
}

/// Parses a DIRSYNC.LOG / DSSERVER.LOG / CENTRAL.LOG text. Blank lines are
/// skipped; other lines that are not records are continuations. The first
/// non-blank line must be a record.
pub fn parse_log(text: &str, file: &str) -> Result<Vec<LogLine>> {
    let mut out = Vec::new();
    for (n, l) in lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        match log_record(l, n) {
            LineParse::Ok(r) => out.push(LogLine::Record(r)),
            LineParse::Bad(o, m) => {
                return Err(Error::input(
                    file,
                    Location::Line {
                        line: n,
                        column: column_of(l, o),
                    },
                    m,
                ))
            }
            LineParse::NotThis => {
                if out.is_empty() {
                    return Err(Error::input(
                        file,
                        Location::Line { line: n, column: 1 },
                        "not a log record: expected `M/D/YY HH:MM:SS | Level text`",
                    ));
                }
                out.push(LogLine::Continuation {
                    line: n,
                    text: l.trim_end().to_string(),
                });
            }
        }
    }
    Ok(out)
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
}

/// `NSDA -RT` / `nsda -s` / `NSDA -RR` (case-insensitive, any spaces).
fn nsda(i: &str) -> IResult<&str, DirSyncProcess> {
    let (i, _) = (tag_no_case("NSDA"), space1, char('-')).parse(i)?;
    alt((
        tag_no_case("RT").map(|_| DirSyncProcess::SendUpdates),
        tag_no_case("RR").map(|_| DirSyncProcess::ProcessUpdates),
        tag_no_case("S").map(|_| DirSyncProcess::Server),
    ))
    .parse(i)
}

/// What one DISPATCH.LOG line says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DispatchEvent {
    /// A line naming a postoffice (`NET/PO`); later run lines belong to it.
    Postoffice {
        /// The postoffice as written (`NET/PO`).
        name: String,
    },
    /// `Running "NSDA -RT"` and its kin.
    Running {
        /// The process started.
        process: DirSyncProcess,
        /// The postoffice named on the nearest postoffice line above.
        postoffice: Option<String>,
    },
    /// `<process> missed its run window`.
    MissedRunWindow {
        /// The process text as written (e.g. `NSDA -RR`).
        process: String,
        /// Parsed process, when it is one of the three.
        known: Option<DirSyncProcess>,
        /// The postoffice named on the nearest postoffice line above.
        postoffice: Option<String>,
    },
    /// Any other line, kept verbatim.
    Other,
}

/// One DISPATCH.LOG line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DispatchLine {
    /// 1-based line number.
    pub line: u64,
    /// The date and time, when the line carries a log stamp.
    pub raw_date: Option<String>,
    /// The line's text after any stamp, trimmed.
    pub text: String,
    /// What it says.
    pub event: DispatchEvent,
}

fn po_part(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '$' | '&' | '#' | '@' | '!')
}

/// A `NET/PO` token (optionally `PCM:NET/PO`), each part 1-10 characters.
fn postoffice_token(tok: &str) -> Option<&str> {
    let tok = tok.trim_end_matches([':', ',', '.', ';']);
    let tok = tok
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("PCM:"))
        .map_or(tok, |_| tok.get(4..).unwrap_or(""));
    let r: IResult<&str, (&str, char, &str)> =
        (take_while1(po_part), char('/'), take_while1(po_part)).parse(tok);
    match r {
        Ok(("", (a, _, b)))
            if a.chars().count() <= 10
                && b.chars().count() <= 10
                && !tok.chars().all(|c| c.is_ascii_digit() || c == '/') =>
        {
            Some(tok)
        }
        _ => None,
    }
}

fn dispatch_event(text: &str, current: &Option<String>) -> DispatchEvent {
    // Running "NSDA -RT"
    let running: IResult<&str, DirSyncProcess> = (
        tag_no_case("Running"),
        space1,
        opt(char('"')),
        nsda,
        opt(char('"')),
    )
        .map(|(_, _, _, p, _)| p)
        .parse(text);
    if let Ok((_, p)) = running {
        return DispatchEvent::Running {
            process: p,
            postoffice: current.clone(),
        };
    }
    let lower = text.to_ascii_lowercase();
    if let Some(pos) = lower.find("missed its run window") {
        let process = text
            .get(..pos)
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .to_string();
        let known = nsda(&process).ok().map(|(_, p)| p);
        return DispatchEvent::MissedRunWindow {
            process,
            known,
            postoffice: current.clone(),
        };
    }
    if let Some(name) = text.split_whitespace().rev().find_map(postoffice_token) {
        return DispatchEvent::Postoffice {
            name: name.to_string(),
        };
    }
    DispatchEvent::Other
}

/// Parses a DISPATCH.LOG text. Never fails: lines it does not understand are
/// kept as [`DispatchEvent::Other`]. A line may carry a log stamp
/// (`M/D/YY HH:MM:SS |` or `M/D/YY HH:MM:SS`), which is read and kept.
pub fn parse_dispatch_log(text: &str) -> Vec<DispatchLine> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for (n, l) in lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        let (raw_date, body) = match parse_stamp(l.trim_start()) {
            LineParse::Ok(((raw, _, _), rest)) => {
                let rest = rest.trim_start();
                (Some(raw), rest.strip_prefix('|').unwrap_or(rest))
            }
            _ => (None, l),
        };
        let body = body.trim();
        let event = dispatch_event(body, &current);
        if let DispatchEvent::Postoffice { name } = &event {
            current = Some(name.clone());
        }
        out.push(DispatchLine {
            line: n,
            raw_date,
            text: body.to_string(),
            event,
        });
    }
    out
}

/// Days of the week as DSSCHED writes them.
pub const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// One DSSCHED time line `T<x> <Day> <HH>:<MM>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScheduleLine {
    /// 1-based line number (0 for lines built in code).
    pub line: u64,
    /// Which process (T1, T2, T3).
    pub process: DirSyncProcess,
    /// Day of week, 0 = Sunday .. 6 = Saturday.
    pub day: u8,
    /// Hour 0-23.
    pub hour: u8,
    /// Minute 0-59.
    pub minute: u8,
}

impl ScheduleLine {
    /// The day's three-letter name.
    pub fn day_name(&self) -> &'static str {
        DAYS.get(usize::from(self.day)).copied().unwrap_or("Sun")
    }
}

fn schedule_line(l: &str, n: u64) -> std::result::Result<ScheduleLine, (usize, String)> {
    let off = |rest: &str| l.len() - rest.len();
    let pos = |part: &str| part.as_ptr() as usize - l.as_ptr() as usize;
    let (rest, _) = (space0::<&str, nom::error::Error<&str>>, tag_no_case("T"))
        .parse(l)
        .map_err(|_| (0, "expected `T<x> <Day> <HH>:<MM>`".to_string()))?;
    let (rest2, x) =
        num(1, 1)(rest).map_err(|_| (off(rest), "expected 1, 2 or 3 after T".into()))?;
    let process = x
        .parse::<u8>()
        .ok()
        .and_then(DirSyncProcess::from_t_number)
        .ok_or((off(rest), format!("T{x}: process must be 1, 2 or 3")))?;
    let rest = rest2;
    let (rest2, _) = space1::<&str, nom::error::Error<&str>>(rest)
        .map_err(|_| (off(rest), "expected a space before the day".to_string()))?;
    let rest = rest2;
    let (rest2, day) =
        take_while1::<_, &str, nom::error::Error<&str>>(|c: char| c.is_ascii_alphabetic())(rest)
            .map_err(|_| (off(rest), "expected a day Sun..Sat".to_string()))?;
    let day_n = DAYS
        .iter()
        .position(|d| d.eq_ignore_ascii_case(day))
        .ok_or((off(rest), format!("{day:?} is not a day Sun..Sat")))?;
    let rest = rest2;
    let hm: IResult<&str, (&str, &str, char, &str, &str)> =
        (space1, num(1, 2), char(':'), num(2, 2), space0).parse(rest);
    let (tail, (_, h, _, m, _)) = hm.map_err(|_| (off(rest), "expected HH:MM".to_string()))?;
    if !tail.is_empty() {
        return Err((off(tail), format!("unexpected text {tail:?}")));
    }
    let hour = h.parse::<u8>().unwrap_or(99);
    let minute = m.parse::<u8>().unwrap_or(99);
    if hour > 23 {
        return Err((pos(h), format!("hour {h} is not 0-23")));
    }
    if minute > 59 {
        return Err((pos(m), format!("minute {m} is not 0-59")));
    }
    Ok(ScheduleLine {
        line: n,
        process,
        day: day_n as u8,
        hour,
        minute,
    })
}

/// Parses a DSSCHED time file. Blank lines are skipped; any other line must be
/// `T<x> <Day> <HH>:<MM>` (day names case-insensitive).
pub fn parse_schedule(text: &str, file: &str) -> Result<Vec<ScheduleLine>> {
    let mut out = Vec::new();
    for (n, l) in lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        let l = l.trim_end();
        match schedule_line(l, n) {
            Ok(s) => out.push(s),
            Err((o, m)) => {
                return Err(Error::input(
                    file,
                    Location::Line {
                        line: n,
                        column: column_of(l, o),
                    },
                    m,
                ))
            }
        }
    }
    Ok(out)
}

/// Writes schedule lines in canonical form: `T1 Sat 13:45`, CR LF.
pub fn write_schedule(lines: &[ScheduleLine], w: &mut dyn Write) -> std::io::Result<()> {
    for s in lines {
        write!(
            w,
            "T{} {} {:02}:{:02}\r\n",
            s.process.t_number(),
            s.day_name(),
            s.hour,
            s.minute
        )?;
    }
    Ok(())
}

/// Does the first non-blank line of `text` have the log-record shape?
pub fn looks_like_log(text: &str) -> bool {
    lines(text)
        .map(|(_, l)| l)
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| matches!(log_record(l, 0), LineParse::Ok(_)))
}

/// Is every non-blank line (and at least one) a DSSCHED time line?
pub fn looks_like_schedule(text: &str) -> bool {
    let mut any = false;
    for (n, l) in lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        if schedule_line(l.trim_end(), n).is_err() {
            return false;
        }
        any = true;
    }
    any
}

/// Does the text look like a DISPATCH.LOG (a `Running "NSDA` or `missed its run
/// window` line)?
pub fn looks_like_dispatch(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("running \"nsda") || lower.contains("missed its run window")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kb_log_lines() {
        let r = parse_log_line("03/22/94 15:43:25 | Status       Microsoft (R) Mail Import V3.2")
            .unwrap();
        assert_eq!(r.date, (1994, 3, 22));
        assert_eq!(r.time, (15, 43, 25));
        assert_eq!(r.level, LogLevel::Status);
        assert_eq!(r.code, None);
        assert_eq!(r.text, "Microsoft (R) Mail Import V3.2");

        let r = parse_log_line("03/22/94 15:43:45 | Warning[ 27] Alias already exists Doe, John D")
            .unwrap();
        assert_eq!((r.level, r.code), (LogLevel::Warning, Some(27)));
        assert_eq!(r.text, "Alias already exists Doe, John D");

        let r =
            parse_log_line("10/24/94 14:32:18 | Error [ 20] Address element is too long: <Group")
                .unwrap();
        assert_eq!((r.level, r.code), (LogLevel::Error, Some(20)));

        let r =
            parse_log_line("3/23/93 11:00:03 | Error [158] Requestor not registered :").unwrap();
        assert_eq!(r.raw_date, "3/23/93");
        assert_eq!(r.date, (1993, 3, 23));
        assert_eq!(r.code, Some(158));

        let r = parse_log_line("01/01/100 00:00:01 | Error [ ] PCM:Net/PO").unwrap();
        assert_eq!(r.date, (2000, 1, 1));
        assert_eq!(r.raw_date, "01/01/100");
        assert_eq!(r.code, None);
        assert_eq!(r.text, "PCM:Net/PO");

        let r = parse_log_line("1/2/95 1:02:03 | Fatal [159] Failure to send update mail").unwrap();
        assert_eq!(
            (r.level, r.code, r.time),
            (LogLevel::Fatal, Some(159), (1, 2, 3))
        );
        assert!(parse_log_line("  PCM:NETWORK/POSTOFFICE").is_none());
    }

    #[test]
    fn continuations_and_errors() {
        let text = "3/23/93 11:00:03 | Error [158] Requestor not registered :\r\n  PCM:\r\n\r\n";
        let v = parse_log(text, "DIRSYNC.LOG").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            v[1],
            LogLine::Continuation {
                line: 2,
                text: "  PCM:".into()
            }
        );
        let e = parse_log("13/01/94 10:00:00 | Status x\n", "L").unwrap_err();
        assert!(e.to_string().contains("line 1, column 1"), "{e}");
        let e = parse_log(
            "1/1/94 10:00:00 | Status x\n1/1/94 10:61:00 | Status y",
            "L",
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 2, column 11"), "{e}");
        assert!(parse_log("hello\n", "L").is_err());
    }

    #[test]
    fn dispatch_ties_runs_to_postoffice() {
        let text = "Postoffice NET/PO1\r\nRunning \"NSDA -RT\"\r\n\
                    03/22/94 02:00:00 | PCM:NET/PO2\r\nRunning \"NSDA -RR\"\r\n\
                    NSDA -S missed its run window\r\nsomething else\r\n";
        let v = parse_dispatch_log(text);
        assert_eq!(
            v[1].event,
            DispatchEvent::Running {
                process: DirSyncProcess::SendUpdates,
                postoffice: Some("NET/PO1".into())
            }
        );
        assert_eq!(v[2].raw_date.as_deref(), Some("03/22/94"));
        assert_eq!(
            v[3].event,
            DispatchEvent::Running {
                process: DirSyncProcess::ProcessUpdates,
                postoffice: Some("NET/PO2".into())
            }
        );
        assert!(matches!(
            &v[4].event,
            DispatchEvent::MissedRunWindow { known: Some(DirSyncProcess::Server), postoffice: Some(p), .. } if p == "NET/PO2"
        ));
        assert_eq!(v[5].event, DispatchEvent::Other);
        assert!(looks_like_dispatch(text));
    }

    #[test]
    fn schedule_round_trip() {
        let text = "T1 Sat 13:45\r\nT3 Mon 15:00\r\nT2 Mon 14:55\r\n";
        let v = parse_schedule(text, "MYTIMES.TXT").unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].process, DirSyncProcess::SendUpdates);
        assert_eq!((v[0].day, v[0].hour, v[0].minute), (6, 13, 45));
        let mut out = Vec::new();
        write_schedule(&v, &mut out).unwrap();
        assert_eq!(out, text.as_bytes());
        assert!(looks_like_schedule(text));
        let e = parse_schedule("T1 Sat 13:45\nT4 Mon 10:00\n", "S").unwrap_err();
        assert!(e.to_string().contains("line 2, column 2"), "{e}");
        let e = parse_schedule("T1 Xyz 13:45\n", "S").unwrap_err();
        assert!(e.to_string().contains("line 1, column 4"), "{e}");
        let e = parse_schedule("T1 Sat 24:00\n", "S").unwrap_err();
        assert!(e.to_string().contains("column 8"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn log_parsers_never_panic(s in "\\PC*") {
            let _ = parse_log(&s, "x");
            let _ = parse_dispatch_log(&s);
            let _ = parse_schedule(&s, "x");
            let _ = looks_like_log(&s);
            let _ = looks_like_schedule(&s);
        }

        #[test]
        fn schedule_write_read_round_trip(v in proptest::collection::vec((1u8..=3, 0u8..7, 0u8..24, 0u8..60), 0..20)) {
            let lines: Vec<ScheduleLine> = v.iter().enumerate().map(|(i, &(t, day, hour, minute))| ScheduleLine {
                line: i as u64 + 1,
                process: DirSyncProcess::from_t_number(t).unwrap(),
                day, hour, minute,
            }).collect();
            let mut out = Vec::new();
            write_schedule(&lines, &mut out).unwrap();
            let back = parse_schedule(std::str::from_utf8(&out).unwrap(), "s").unwrap();
            proptest::prop_assert_eq!(back, lines);
        }

        #[test]
        fn log_like_strings_never_panic(s in "[0-9]{1,3}/[0-9]{1,3}/[0-9]{1,5} [0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3} ?\\| ?(Status|Error|Warning|Fatal)? ?\\[ ?[0-9]{0,7}\\]?.{0,10}") {
            let _ = parse_log(&s, "x");
        }
    }
}
