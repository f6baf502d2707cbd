//! The Dir-Sync log grammar: date and time stamps, levels and codes, record
//! bodies, whole logs ([`parse_log`]) and recognition by content
//! ([`looks_like_log`]).

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_while_m_n};
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::opt;
use nom::{IResult, Parser};

use super::{LineParse, LogLevel, LogLine, LogRecord, Stamp};
use crate::error::{Error, Location, Result};

pub(crate) fn num(min: usize, max: usize) -> impl Fn(&str) -> IResult<&str, &str> {
    move |i| take_while_m_n(min, max, |c: char| c.is_ascii_digit()).parse(i)
}

/// `M/D/YY H:MM[:SS]` at the start of `line`: the stamp and the rest, or a value error.
pub(crate) fn parse_stamp(line: &str) -> LineParse<(Stamp, &str)> {
    #[allow(clippy::type_complexity)]
    let res: IResult<&str, (&str, char, &str, char, &str, &str, &str, char, &str)> = (
        num(1, 2),
        char('/'),
        num(1, 2),
        char('/'),
        num(2, 4),
        space1,
        num(1, 2),
        char(':'),
        num(2, 2),
    )
        .parse(line);
    let Ok((rest, (mo, _, d, _, y, _, h, _, mi))) = res else {
        return LineParse::NotThis;
    };
    // Seconds are optional (Q148705 prints `02/02/96 13:18`).
    let sec: IResult<&str, (char, &str)> = (char(':'), num(2, 2)).parse(rest);
    let (rest, s) = match sec {
        Ok((r, (_, s))) => (r, Some(s)),
        Err(_) => (rest, None),
    };
    // A longer digit run would mean this is not a stamp (e.g. `1/2/33333`).
    if rest.starts_with(|c: char| c.is_ascii_digit() || c == ':') {
        return LineParse::NotThis;
    }
    let off = |part: &str| part.as_ptr() as usize - line.as_ptr() as usize;
    let (mo_n, d_n, h_n, mi_n) = (
        mo.parse::<u8>().unwrap_or(0),
        d.parse::<u8>().unwrap_or(0),
        h.parse::<u8>().unwrap_or(99),
        mi.parse::<u8>().unwrap_or(99),
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
    let s_n = match s {
        Some(s) => match s.parse::<u8>() {
            Ok(n) if n <= 59 => Some(n),
            _ => return LineParse::Bad(off(s), format!("second {s} is not 0-59")),
        },
        None => None,
    };
    // Two digits: 19YY. Three digits: the Y2K bug prints 2000 as 100 (Q191905).
    let year = if y.len() <= 3 { 1900 + y_n } else { y_n };
    let time_end = off(rest);
    let stamp = Stamp {
        raw_date: format!("{mo}/{d}/{y}"),
        date: (year, mo_n, d_n),
        raw_time: line.get(off(h)..time_end).unwrap_or("").to_string(),
        time: (h_n, mi_n, s_n),
    };
    LineParse::Ok((stamp, rest))
}

fn level_word(i: &str) -> IResult<&str, LogLevel> {
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
fn bracketed_code(i: &str) -> IResult<&str, Option<&str>> {
    let (i, _) = (space0, char('[')).parse(i)?;
    let (i, (_, digits, _, _)) = (space0, opt(digit1), space0, char(']')).parse(i)?;
    Ok((i, digits))
}

/// A bare code after Warning/Error/Fatal: `161 `, `error 54 `, `error 14:`
/// (Q136487, Q136514, Q215505). The code must be followed by a blank, `:`
/// or the end.
fn bare_code(i: &str) -> IResult<&str, &str> {
    let (i, (_, _, digits)) = (
        space1,
        opt((tag_no_case("error"), space1)),
        take_while_m_n(1, 5, |c: char| c.is_ascii_digit()),
    )
        .parse(i)?;
    if !(i.is_empty() || i.starts_with([' ', '\t', ':'])) {
        return Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Digit,
        )));
    }
    let i = i.strip_prefix(':').unwrap_or(i);
    Ok((i, digits))
}

/// The numeric form `1  -1 text`, `1 171`: level number, code (`-1` = none), text.
fn numeric_level(i: &str) -> IResult<&str, (&str, Option<&str>)> {
    let (i, (level, _, minus, code)) = (
        take_while_m_n(1, 2, |c: char| c.is_ascii_digit()),
        space1,
        opt(tag("-")),
        take_while_m_n(1, 5, |c: char| c.is_ascii_digit()),
    )
        .parse(i)?;
    if !(i.is_empty() || i.starts_with([' ', '\t'])) {
        return Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Digit,
        )));
    }
    Ok((i, (level, if minus.is_some() { None } else { Some(code) })))
}

/// What a record says after the stamp and `|` (or the whole of a console line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordBody {
    /// Severity.
    pub level: LogLevel,
    /// The level as written when it is a number.
    pub level_number: Option<u16>,
    /// The code, if one is given.
    pub code: Option<u16>,
    /// The message text, trimmed.
    pub text: String,
}

/// Reads a record body: `Warning[ 27] Alias already exists`, `Fatal 161 Server
/// configuration busy`, `1 167 PCM,SNADS`, or plain text (level unknown).
/// `line` and the returned offset are for error columns.
fn record_body(line: &str, body: &str) -> LineParse<RecordBody> {
    let off = |part: &str| part.as_ptr() as usize - line.as_ptr() as usize;
    let too_large = |d: &str| LineParse::Bad(off(d), format!("log code {d} is too large"));
    if let Ok((rest, lv)) = level_word(body) {
        let (rest, code) = match bracketed_code(rest) {
            Ok((r, Some(d))) => match d.parse::<u16>() {
                Ok(n) => (r, Some(n)),
                Err(_) => return too_large(d),
            },
            Ok((r, None)) => (r, None),
            Err(_) if lv != LogLevel::Status => match bare_code(rest) {
                Ok((r, d)) => match d.parse::<u16>() {
                    Ok(n) => (r, Some(n)),
                    Err(_) => return too_large(d),
                },
                Err(_) => (rest, None),
            },
            Err(_) => (rest, None),
        };
        return LineParse::Ok(RecordBody {
            level: lv,
            level_number: None,
            code,
            text: rest.trim().to_string(),
        });
    }
    if let Ok((rest, (level, code))) = numeric_level(body) {
        let level_number = level.parse::<u16>().unwrap_or(0);
        let code = match code.map(|d| (d, d.parse::<u16>())) {
            Some((_, Ok(n))) => Some(n),
            Some((d, Err(_))) => return too_large(d),
            None => None,
        };
        return LineParse::Ok(RecordBody {
            level: LogLevel::from_number(level_number),
            level_number: Some(level_number),
            code,
            text: rest.trim().to_string(),
        });
    }
    LineParse::Ok(RecordBody {
        level: LogLevel::Unknown,
        level_number: None,
        code: None,
        text: body.trim().to_string(),
    })
}

/// Reads the part of a record after the stamp and `|` (or a console line as
/// the KB quotes it, `Fatal 161 Server configuration busy`): level, code and
/// text. Never fails: a code too large for 16 bits is left in the text.
pub fn parse_record_body(body: &str) -> RecordBody {
    match record_body(body, body) {
        LineParse::Ok(b) => b,
        _ => RecordBody {
            level: LogLevel::Unknown,
            level_number: None,
            code: None,
            text: body.trim().to_string(),
        },
    }
}

fn make_record(line_no: u64, stamp: Option<Stamp>, b: RecordBody) -> LogRecord {
    LogRecord {
        line: line_no,
        raw_date: stamp.as_ref().map(|s| s.raw_date.clone()),
        date: stamp.as_ref().map(|s| s.date),
        time: stamp.as_ref().map(|s| s.time),
        level: b.level,
        level_number: b.level_number,
        code: b.code,
        text: b.text,
    }
}

/// Parses one line as a stamped log record. A line with a well-formed stamp
/// but an impossible value (month 13) is [`LineParse::Bad`].
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
    match record_body(line, rest) {
        LineParse::Ok(b) => LineParse::Ok(make_record(line_no, Some(stamp), b)),
        LineParse::Bad(o, m) => LineParse::Bad(o, m),
        LineParse::NotThis => LineParse::NotThis,
    }
}

/// Parses one line as a console record (no stamp): it must start with a level
/// word followed by a blank, `[` or the end (`Error [ 46] No Fullname`).
fn console_record(line: &str, line_no: u64) -> LineParse<LogRecord> {
    let line = line.trim_end();
    let body = line.trim_start();
    match level_word(body) {
        Ok((rest, _)) if rest.is_empty() || rest.starts_with([' ', '\t', '[']) => {}
        _ => return LineParse::NotThis,
    }
    match record_body(line, body) {
        LineParse::Ok(b) => LineParse::Ok(make_record(line_no, None, b)),
        LineParse::Bad(o, m) => LineParse::Bad(o, m),
        LineParse::NotThis => LineParse::NotThis,
    }
}

/// Parses one stamped line as a log record (without line-number context: line 0).
pub fn parse_log_line(line: &str) -> Option<LogRecord> {
    match log_record(line, 0) {
        LineParse::Ok(r) => Some(r),
        _ => None,
    }
}

pub(crate) fn column_of(line: &str, byte_offset: usize) -> u64 {
    line.get(..byte_offset)
        .map_or(1, |s| s.chars().count() as u64 + 1)
}

pub(crate) fn lines(text: &str) -> impl Iterator<Item = (u64, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.strip_suffix('\r').unwrap_or(l)))
}

/// Parses a DIRSYNC.LOG / DSSERVER.LOG / CENTRAL.LOG text. Blank lines are
/// skipped. When the first non-blank line is a stamped record, every stamped
/// line is a record and the others are continuations; when it is a console
/// record (no stamp, a level word first), every line starting with a level
/// word is a record. Anything else on the first non-blank line is an error
/// that says what was expected.
pub fn parse_log(text: &str, file: &str) -> Result<Vec<LogLine>> {
    let mut out = Vec::new();
    let mut console = None;
    for (n, l) in lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        let parsed = match console {
            Some(true) => console_record(l, n),
            Some(false) => log_record(l, n),
            None => match log_record(l, n) {
                LineParse::NotThis => {
                    let c = console_record(l, n);
                    if matches!(c, LineParse::Ok(_)) {
                        console = Some(true);
                    }
                    c
                }
                other => {
                    console = Some(false);
                    other
                }
            },
        };
        match parsed {
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
                        "not a log record: expected a stamp `M/D/YY HH:MM[:SS] |` then a level \
                         (Status, Warning, Error, Fatal or a number) and the text, or a level \
                         word first as the utilities print it on the screen",
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

/// Does the first non-blank line of `text` have the log-record shape (stamped
/// or console)? A stamp with an impossible value counts, so that reading the
/// log reports it.
pub fn looks_like_log(text: &str) -> bool {
    let Some(l) = lines(text).map(|(_, l)| l).find(|l| !l.trim().is_empty()) else {
        return false;
    };
    match log_record(l, 0) {
        LineParse::Ok(_) | LineParse::Bad(..) => true,
        LineParse::NotThis => matches!(console_record(l, 0), LineParse::Ok(_)),
    }
}

/// Is the first non-blank line a log record whose level is known (a word or
/// a number)? Used to tell a DIRSYNC.LOG that mentions a missed
/// run window from a DISPATCH.LOG.
pub fn first_record_has_level(text: &str) -> bool {
    let Some(l) = lines(text).map(|(_, l)| l).find(|l| !l.trim().is_empty()) else {
        return false;
    };
    match log_record(l, 0) {
        LineParse::Ok(r) => r.level != LogLevel::Unknown || r.level_number.is_some(),
        LineParse::Bad(..) => true,
        LineParse::NotThis => matches!(console_record(l, 0), LineParse::Ok(_)),
    }
}
