//! The pieces of one import-text line: the op letter, the name/address split
//! ([`split_name_address`], [`address_start`]), template data values and TPL
//! field lines ([`parse_template_field`]).

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while, take_while_m_n};
use nom::character::complete::{char as nom_char, one_of, space1};
use nom::combinator::{opt, rest};
use nom::multi::separated_list1;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::model::{is_address_type, TemplateField, TemplateValue};

/// The first character of a line (a blank for an empty line).
pub(super) fn first_char(line: &str) -> char {
    line.chars().next().unwrap_or(' ')
}

/// `op letter` + blank; returns the rest after the blanks.
pub(super) fn op_line(line: &str) -> IResult<&str, char> {
    let (rest, op) = one_of("ADMRTadmrt").parse(line)?;
    let (rest, _) = one_of(" \t").parse(rest)?;
    Ok((rest, op))
}

/// `-` + one blank at the start of a template data line.
pub(super) fn template_data_start(line: &str) -> IResult<&str, char> {
    let (rest, _) = (opt(space1), nom_char('-')).parse(line)?;
    let (rest, _) = one_of(" \t").parse(rest)?;
    Ok((rest, '-'))
}

/// Splits `name  address`: at the first TAB, else at the last ` TYPE:`.
/// Returns the trimmed name and the address text. `None` when there is no address.
pub fn split_name_address(body: &str) -> Option<(&str, &str)> {
    if let Some((name, addr)) = body.split_once('\t') {
        let addr = addr.trim();
        if addr.contains(':') {
            return Some((name.trim(), addr));
        }
        return None;
    }
    let start = address_start(body)?;
    Some((body[..start].trim(), body[start..].trim_end()))
}

/// Byte index where the address starts: the last `TYPE:` that is at the start
/// of `body` or follows a blank, TYPE being 2–8 letters or digits.
pub fn address_start(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut search_end = body.len();
    while let Some(colon) = body[..search_end].rfind(':') {
        let type_start = bytes[..colon]
            .iter()
            .rposition(|b| !b.is_ascii_alphanumeric())
            .map_or(0, |p| p + 1);
        let ty = &body[type_start..colon];
        let blank_before = type_start == 0 || matches!(bytes[type_start - 1], b' ' | b'\t');
        if (2..=8).contains(&ty.len()) && is_address_type(ty) && blank_before {
            return Some(type_start);
        }
        search_end = colon;
    }
    None
}

/// `prompt/value` with `//` standing for `/` inside the prompt.
pub(super) fn parse_template_value(text: &str) -> std::result::Result<TemplateValue, String> {
    fn prompt_piece(i: &str) -> IResult<&str, &str> {
        alt((
            take_while(|c| c != '/')
                .and_then(nom::combinator::verify(rest, |s: &str| !s.is_empty())),
            nom::combinator::value("/", tag("//")),
        ))
        .parse(i)
    }
    let mut prompt = String::new();
    let mut input = text;
    while let Ok((next, piece)) = prompt_piece(input) {
        prompt.push_str(piece);
        input = next;
    }
    let value: IResult<&str, &str> = preceded(nom_char('/'), rest).parse(input);
    match value {
        Ok((_, v)) => Ok(TemplateValue {
            prompt: prompt.into(),
            value: v.into(),
        }),
        Err(_) => Err("template line has no `/` between prompt and value".into()),
    }
}

/// One TPL field line `prompt~start~width~edit~data~internal`.
pub fn parse_template_field(line: &str) -> std::result::Result<TemplateField, (usize, String)> {
    let tilde_fields: IResult<&str, Vec<&str>> =
        separated_list1(nom_char('~'), take_till(|c| c == '~')).parse(line);
    let parts = match tilde_fields {
        Ok((_, parts)) => parts,
        Err(_) => vec![line],
    };
    let mut column = 1;
    let mut cols = Vec::with_capacity(parts.len());
    for p in &parts {
        cols.push(column);
        column += p.chars().count() + 1;
    }
    let number = |i: usize, what: &str| -> std::result::Result<u16, (usize, String)> {
        match parts.get(i) {
            None => Ok(0),
            Some(s) if s.trim().is_empty() => Ok(0),
            Some(s) => {
                let r: IResult<&str, &str> =
                    take_while_m_n(1, 5, |c: char| c.is_ascii_digit()).parse(s.trim());
                match r {
                    Ok(("", digits)) => digits
                        .parse::<u16>()
                        .map_err(|_| (cols[i], format!("{what} {s:?} is out of range"))),
                    _ => Err((cols[i], format!("{what} {s:?} is not a number"))),
                }
            }
        }
    };
    let text = |i: usize| parts.get(i).map(|s| s.to_string()).unwrap_or_default();
    if parts.len() > 6 {
        return Err((
            cols[6],
            "template field line has more than 6 `~` fields".into(),
        ));
    }
    Ok(TemplateField {
        prompt: text(0),
        start: number(1, "start column")?,
        width: number(2, "field width")?,
        edit: text(3),
        data: text(4),
        internal: text(5),
        written_fields: parts.len() as u8,
    })
}
