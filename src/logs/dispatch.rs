//! DISPATCH.LOG, the Dispatch session log (formats-text.md §3; Q148705,
//! Q132731, Q148718, Q96060): [`parse_dispatch_log`].
//!
//! A line may start with the Dispatch instance and a stamp
//! (`INST1 02/02/96 13:18 ...`, Q148705; a `|` after the stamp is accepted).
//! Then one of:
//! - `Checking the process table on NET1\PO1`: the postoffice the lines
//!   below belong to (any other line whose last token is `NET/PO` or
//!   `NET\PO` names a postoffice too);
//! - `Running NSDA - xx` / `Running "NSDA -RT"`;
//! - `"NSDA - xx" terminated abnormally with exit code 65`,
//!   `NSDA -xx terminated with exit code 2`;
//! - `NSDA-RT Missed its run Window`, `NSDA -S missed its run window.`
//!
//! Process names are read as `NSDA`, blanks, `-`, blanks, an option (`RT`,
//! `S`, `RR`; the KB's placeholder `xx` is kept as written, not known).

use nom::bytes::complete::{tag_no_case, take_while1};
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::opt;
use nom::{IResult, Parser};
use serde::Serialize;

use super::{lines, parse_stamp, DirSyncProcess, LineParse};

/// What one DISPATCH.LOG line says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DispatchEvent {
    /// A line naming a postoffice; later run lines belong to it.
    Postoffice {
        /// The postoffice as `NET/PO` (a `\` as written in Q148705 is read as `/`).
        name: String,
    },
    /// `Running NSDA -RT` and its kin.
    Running {
        /// The process text as written, without quotes (`NSDA - xx`).
        process: String,
        /// Parsed process, when it is one of the three.
        known: Option<DirSyncProcess>,
        /// The postoffice named on the nearest postoffice line above.
        postoffice: Option<String>,
    },
    /// `<process> terminated [abnormally] with exit code <n>`.
    Terminated {
        /// The process text as written, without quotes.
        process: String,
        /// Parsed process, when it is one of the three.
        known: Option<DirSyncProcess>,
        /// The exit code.
        exit_code: i64,
        /// Whether the line says "abnormally".
        abnormal: bool,
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

impl DispatchEvent {
    /// True for the events only a Dispatch log has (run, exit, missed window,
    /// process table), as opposed to postoffice lines and others.
    pub fn is_dispatch_specific(&self) -> bool {
        matches!(
            self,
            DispatchEvent::Running { .. }
                | DispatchEvent::Terminated { .. }
                | DispatchEvent::MissedRunWindow { .. }
        )
    }
}

/// One DISPATCH.LOG line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DispatchLine {
    /// 1-based line number.
    pub line: u64,
    /// The Dispatch instance the line starts with (`INST1`, Q148705).
    pub instance: Option<String>,
    /// The date as written, when the line carries a stamp.
    pub raw_date: Option<String>,
    /// The time as written (`13:18`, `01:00:02`), when the line carries a stamp.
    pub raw_time: Option<String>,
    /// The line's text after any instance and stamp, trimmed.
    pub text: String,
    /// What it says.
    pub event: DispatchEvent,
}

fn po_part(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '$' | '&' | '#' | '@' | '!')
}

/// A `NET/PO` or `NET\PO` token (optionally `PCM:NET/PO`), each part 1-10
/// characters; returned as `NET/PO`.
fn postoffice_token(tok: &str) -> Option<String> {
    let tok = tok.trim_end_matches([':', ',', '.', ';']);
    let tok = tok
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("PCM:"))
        .map_or(tok, |_| tok.get(4..).unwrap_or(""));
    let r: IResult<&str, (&str, char, &str)> = (
        take_while1(po_part),
        nom::character::complete::one_of("/\\"),
        take_while1(po_part),
    )
        .parse(tok);
    match r {
        Ok(("", (a, _, b)))
            if a.chars().count() <= 10
                && b.chars().count() <= 10
                && !tok
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '/' || c == '\\') =>
        {
            Some(format!("{a}/{b}"))
        }
        _ => None,
    }
}

/// `NSDA -RT`, `NSDA - xx`, `NSDA-RR`, `"NSDA -S"`: the text (without quotes)
/// and the process when the option is one of the three.
fn nsda(i: &str) -> IResult<&str, (String, Option<DirSyncProcess>)> {
    let start = i;
    let (i, _) = opt(char('"')).parse(i)?;
    let body_start = i;
    let (i, (_, _, _, _, option)) = (
        tag_no_case("NSDA"),
        space0,
        char('-'),
        space0,
        take_while1(|c: char| c.is_ascii_alphanumeric()),
    )
        .parse(i)?;
    let text = body_start[..body_start.len() - i.len()].to_string();
    let (i, _) = opt(char('"')).parse(i)?;
    let _ = start;
    Ok((i, (text, DirSyncProcess::from_option(option))))
}

/// `terminated [abnormally] with exit code N`.
fn terminated(i: &str) -> IResult<&str, (bool, i64)> {
    let (i, (_, _, abnormal, _, _, _, _, _, _, _, minus, code)) = (
        space1,
        tag_no_case("terminated"),
        opt((space1, tag_no_case("abnormally"))),
        space1,
        tag_no_case("with"),
        space1,
        tag_no_case("exit"),
        space1,
        tag_no_case("code"),
        space1,
        opt(char('-')),
        digit1,
    )
        .parse(i)?;
    let n = code.parse::<i64>().unwrap_or(i64::MAX);
    Ok((
        i,
        (abnormal.is_some(), if minus.is_some() { -n } else { n }),
    ))
}

fn dispatch_event(text: &str, current: &Option<String>) -> DispatchEvent {
    let running: IResult<&str, (String, Option<DirSyncProcess>)> =
        (tag_no_case("Running"), space1, nsda)
            .map(|(_, _, p)| p)
            .parse(text);
    if let Ok((_, (process, known))) = running {
        return DispatchEvent::Running {
            process,
            known,
            postoffice: current.clone(),
        };
    }
    if let Ok((rest, (process, known))) = nsda(text) {
        if let Ok((_, (abnormal, exit_code))) = terminated(rest) {
            return DispatchEvent::Terminated {
                process,
                known,
                exit_code,
                abnormal,
                postoffice: current.clone(),
            };
        }
    }
    let lower = text.to_ascii_lowercase();
    if let Some(pos) = lower.find("missed its run window") {
        let process = text
            .get(..pos)
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .to_string();
        let known = nsda(&process).ok().and_then(|(_, (_, p))| p);
        return DispatchEvent::MissedRunWindow {
            process,
            known,
            postoffice: current.clone(),
        };
    }
    if let Some(name) = text.split_whitespace().rev().find_map(postoffice_token) {
        return DispatchEvent::Postoffice { name };
    }
    DispatchEvent::Other
}

/// The instance, date and time a line starts with, and the rest.
fn line_prefix(l: &str) -> (Option<String>, Option<(String, String)>, &str) {
    let t = l.trim_start();
    if let LineParse::Ok((s, rest)) = parse_stamp(t) {
        return (None, Some((s.raw_date, s.raw_time)), rest);
    }
    // `INST1 02/02/96 13:18 ...`: a first word followed by a stamp.
    if let Some((word, after)) = t.split_once([' ', '\t']) {
        if !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            if let LineParse::Ok((s, rest)) = parse_stamp(after.trim_start()) {
                return (Some(word.to_string()), Some((s.raw_date, s.raw_time)), rest);
            }
        }
    }
    (None, None, t)
}

/// Parses a DISPATCH.LOG text. Never fails: lines it does not understand are
/// kept as [`DispatchEvent::Other`].
pub fn parse_dispatch_log(text: &str) -> Vec<DispatchLine> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for (n, l) in lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        let (instance, stamp, body) = line_prefix(l);
        let body = body.trim_start();
        let body = body.strip_prefix('|').unwrap_or(body).trim();
        let event = dispatch_event(body, &current);
        if let DispatchEvent::Postoffice { name } = &event {
            current = Some(name.clone());
        }
        let (raw_date, raw_time) = match stamp {
            Some((d, t)) => (Some(d), Some(t)),
            None => (None, None),
        };
        out.push(DispatchLine {
            line: n,
            instance,
            raw_date,
            raw_time,
            text: body.to_string(),
            event,
        });
    }
    out
}

/// Does the text look like a DISPATCH.LOG: a `Running NSDA`, `terminated ...
/// exit code`, `missed its run window` or `Checking the process table` line
/// among its first 200 lines? Decided by content, never by the file name.
pub fn looks_like_dispatch(text: &str) -> bool {
    let mut current = None;
    for (_, l) in lines(text).take(200) {
        let (_, _, body) = line_prefix(l);
        let body = body.trim_start();
        let body = body.strip_prefix('|').unwrap_or(body).trim();
        if body
            .to_ascii_lowercase()
            .starts_with("checking the process table on ")
        {
            return true;
        }
        let e = dispatch_event(body, &current);
        if e.is_dispatch_specific() {
            return true;
        }
        if let DispatchEvent::Postoffice { name } = e {
            current = Some(name);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_ties_runs_to_postoffice() {
        let text = "Postoffice NET/PO1\r\nRunning \"NSDA -RT\"\r\n\
                    03/22/94 02:00:00 | PCM:NET/PO2\r\nRunning \"NSDA -RR\"\r\n\
                    NSDA -S missed its run window\r\nsomething else\r\n";
        let v = parse_dispatch_log(text);
        assert_eq!(
            v[1].event,
            DispatchEvent::Running {
                process: "NSDA -RT".into(),
                known: Some(DirSyncProcess::SendUpdates),
                postoffice: Some("NET/PO1".into())
            }
        );
        assert_eq!(v[2].raw_date.as_deref(), Some("03/22/94"));
        assert!(matches!(
            &v[3].event,
            DispatchEvent::Running { known: Some(DirSyncProcess::ProcessUpdates), postoffice: Some(p), .. } if p == "NET/PO2"
        ));
        assert!(matches!(
            &v[4].event,
            DispatchEvent::MissedRunWindow { known: Some(DirSyncProcess::Server), postoffice: Some(p), .. } if p == "NET/PO2"
        ));
        assert_eq!(v[5].event, DispatchEvent::Other);
        assert!(looks_like_dispatch(text));
    }

    #[test]
    fn session_form_with_instance_and_exit_codes() {
        let text = "INST1 02/02/96 13:18 Checking the process table on NET1\\PO1\r\n\
                    INST1 02/02/96 13:18 Running NSDA -RR\r\n\
                    INST1 02/02/96 13:18 \"NSDA -RR\" terminated abnormally with exit code 65\r\n\
                    NSDA-S terminated with exit code 2\r\n";
        let v = parse_dispatch_log(text);
        assert_eq!(v[0].instance.as_deref(), Some("INST1"));
        assert_eq!(v[0].raw_time.as_deref(), Some("13:18"));
        assert_eq!(
            v[0].event,
            DispatchEvent::Postoffice {
                name: "NET1/PO1".into()
            }
        );
        assert!(matches!(
            &v[2].event,
            DispatchEvent::Terminated { exit_code: 65, abnormal: true, known: Some(DirSyncProcess::ProcessUpdates), postoffice: Some(p), .. } if p == "NET1/PO1"
        ));
        assert!(matches!(
            &v[3].event,
            DispatchEvent::Terminated {
                exit_code: 2,
                abnormal: false,
                known: Some(DirSyncProcess::Server),
                ..
            }
        ));
        assert!(looks_like_dispatch(text));
        assert!(!looks_like_dispatch("Postoffice NET/PO\r\nhello\r\n"));
    }
}
