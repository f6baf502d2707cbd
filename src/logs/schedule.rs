//! DSSCHED time files `T<x> <Day> <HH>:<MM>` (formats-text.md §4, Q96060):
//! [`parse_schedule`] and [`write_schedule`].

use std::io::Write;

use nom::bytes::complete::{tag_no_case, take_while1};
use nom::character::complete::{char, space0, space1};
use nom::{IResult, Parser};
use serde::Serialize;

use super::{column_of, lines, num, DirSyncProcess};
use crate::error::{Error, Location, Result};

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

#[cfg(test)]
mod tests {
    use super::*;

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

    }
}
