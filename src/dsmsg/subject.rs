//! Subject lines of Dir-Sync mail (formats-text.md §2; Q96060, Q134382,
//! Q133428): `$SYSTEM ReqTx ...`, `$SYSTEM SrvTx ...`, `REQTX ...`,
//! `Status report from NET/PO`.

use nom::branch::alt;
use nom::bytes::complete::tag_no_case;
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::opt;
use nom::{IResult, Parser};
use serde::Serialize;

use super::NomErr;

/// Requestor update or server reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TxKind {
    /// `ReqTx`: requestor → server.
    ReqTx,
    /// `SrvTx`: server → requestor.
    SrvTx,
}

/// The numbers of a `ReqTx` / `SrvTx` subject line. Fields the line does not
/// carry are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TxSubject {
    /// Which direction.
    pub kind: TxKind,
    /// `R=`: ReqSync now (ReqTx) or acknowledged (SrvTx).
    pub r: Option<u32>,
    /// `(was n)` after R: ReqSync last confirmed.
    pub r_was: Option<u32>,
    /// `S=`: the requestor's SrvSync (ReqTx) or the new SrvSync (SrvTx).
    pub s: Option<u32>,
    /// `(was n)` after S: the old SrvSync.
    pub s_was: Option<u32>,
    /// `I=`: imports requested so far.
    pub i: Option<u32>,
    /// `<n> sent`: transactions carried.
    pub sent: Option<u32>,
}

/// A recognised Dir-Sync subject line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Subject {
    /// `$SYSTEM ReqTx ...` / `$SYSTEM SrvTx ...` / `REQTX ...`.
    Tx(TxSubject),
    /// `Status report from NET/PO`.
    StatusReport {
        /// The postoffice named.
        postoffice: String,
    },
}

enum Tok {
    Key(char, u32),
    Was(u32),
    Sent(u32),
}

fn number(i: &str) -> IResult<&str, u32> {
    nom::combinator::map_res(digit1, str::parse::<u32>).parse(i)
}

fn subject_token(i: &str) -> IResult<&str, Tok> {
    alt((
        (
            char('('),
            space0,
            tag_no_case("was"),
            space0,
            opt(char('=')),
            space0,
            number,
            space0,
            char(')'),
        )
            .map(|t| Tok::Was(t.6)),
        (
            alt((
                char('R'),
                char('r'),
                char('S'),
                char('s'),
                char('I'),
                char('i'),
            )),
            space0,
            char('='),
            space0,
            number,
        )
            .map(|t| Tok::Key(t.0.to_ascii_uppercase(), t.4)),
        (number, space1, tag_no_case("sent")).map(|t| Tok::Sent(t.0)),
    ))
    .parse(i)
}

/// Recognises the subject of a Dir-Sync mail. Spacing around `=`, `,` and the
/// parentheses is free; `.`/`,`/`;` between fields are skipped.
pub fn parse_subject(s: &str) -> Option<Subject> {
    let t = s.trim();
    let (t, _) = opt((tag_no_case::<_, _, NomErr>("$SYSTEM"), space1))
        .parse(t)
        .ok()?;
    let status: IResult<&str, _> = (
        tag_no_case("Status"),
        space1,
        tag_no_case("report"),
        space1,
        tag_no_case("from"),
        space1,
    )
        .parse(t);
    if let Ok((rest, _)) = status {
        let po = rest.trim();
        return (!po.is_empty()).then(|| Subject::StatusReport {
            postoffice: po.to_string(),
        });
    }
    let kind: IResult<&str, TxKind> = alt((
        tag_no_case("ReqTx").map(|_| TxKind::ReqTx),
        tag_no_case("SrvTx").map(|_| TxKind::SrvTx),
    ))
    .parse(t);
    let (mut rest, kind) = kind.ok()?;
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut out = TxSubject {
        kind,
        r: None,
        r_was: None,
        s: None,
        s_was: None,
        i: None,
        sent: None,
    };
    let mut last = ' ';
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',', '.', ';']);
        if rest.is_empty() {
            break;
        }
        let (r, tok) = subject_token(rest).ok()?;
        rest = r;
        match tok {
            Tok::Key(k, v) => {
                last = k;
                match k {
                    'R' => out.r = Some(v),
                    'S' => out.s = Some(v),
                    _ => out.i = Some(v),
                }
            }
            Tok::Was(v) => match last {
                'R' => out.r_was = Some(v),
                'S' => out.s_was = Some(v),
                _ => return None,
            },
            Tok::Sent(v) => out.sent = Some(v),
        }
    }
    out.r?;
    Some(Subject::Tx(out))
}

impl std::fmt::Display for Subject {
    /// The modern spelling: `$SYSTEM ReqTx R=17 (was 12), S = 80, I = 2 5 sent`,
    /// `$SYSTEM SrvTx R=17 S=95 (was 80) I = 2 15 sent`, `Status report from NET/PO`.
    /// Fields that are `None` are left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = match self {
            Subject::StatusReport { postoffice } => {
                return write!(f, "Status report from {postoffice}")
            }
            Subject::Tx(t) => t,
        };
        let mut parts: Vec<String> = Vec::new();
        let was = |v: Option<u32>| v.map(|v| format!(" (was {v})")).unwrap_or_default();
        match t.kind {
            TxKind::ReqTx => {
                f.write_str("$SYSTEM ReqTx")?;
                if let Some(r) = t.r {
                    parts.push(format!("R={r}{}", was(t.r_was)));
                }
                if let Some(s) = t.s {
                    parts.push(format!("S = {s}{}", was(t.s_was)));
                }
                if let Some(i) = t.i {
                    parts.push(format!("I = {i}"));
                }
                if !parts.is_empty() {
                    write!(f, " {}", parts.join(", "))?;
                }
            }
            TxKind::SrvTx => {
                f.write_str("$SYSTEM SrvTx")?;
                if let Some(r) = t.r {
                    write!(f, " R={r}{}", was(t.r_was))?;
                }
                if let Some(s) = t.s {
                    write!(f, " S={s}{}", was(t.s_was))?;
                }
                if let Some(i) = t.i {
                    write!(f, " I = {i}")?;
                }
            }
        }
        if let Some(n) = t.sent {
            write!(f, " {n} sent")?;
        }
        Ok(())
    }
}
