//! Surname, given name and initials from an MS Mail full name
//! ([`split_name`]).

/// The parts of a person's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    /// Surname (`sn`), never empty.
    pub surname: String,
    /// Given name(s) (`givenName`), when the name has more than one word.
    pub given: Option<String>,
    /// Middle initials (`initials`): words of one letter, optionally with a
    /// dot, between the given name and the surname (`John D. Doe`, `Doe, John D.`).
    pub initials: Option<String>,
}

/// Is `w` an initial: one letter, optionally followed by a dot (`D`, `D.`),
/// or letters each followed by a dot (`J.R.`)?
pub(super) fn is_initial(w: &str) -> bool {
    let chars: Vec<char> = w.chars().collect();
    match chars.as_slice() {
        [c] => c.is_alphabetic(),
        [c, '.'] => c.is_alphabetic(),
        more => {
            more.len() >= 4
                && more.len() % 2 == 0
                && more
                    .chunks(2)
                    .all(|p| matches!(p, [c, '.'] if c.is_alphabetic()))
        }
    }
}

/// Given name and initials from the words before (or after) the surname:
/// the first word is always given; when all later words are initials they
/// are the initials, otherwise every word is part of the given name.
fn given_and_initials(words: &[&str]) -> (Option<String>, Option<String>) {
    let Some((first, rest)) = words.split_first() else {
        return (None, None);
    };
    if rest.is_empty() {
        return (Some(first.to_string()), None);
    }
    if rest.iter().all(|w| is_initial(w)) {
        return (Some(first.to_string()), Some(rest.join(" ")));
    }
    (Some(words.join(" ")), None)
}

/// Splits an MS Mail full name into surname, given name and initials.
///
/// - `Last, First M.` (a comma): the surname is the text before the first
///   comma; the given name is the first word after it, initials the words
///   after that when they are all initials (else they belong to the given
///   name); text after a second comma (`Jr.`) is not used.
/// - `First M. Last` (no comma): the surname is the last word, the given
///   name and initials come from the words before it as above.
/// - One word: it is the surname. Empty (or only blanks): `None`.
///
/// Words are split at blanks; CP850 letters (already decoded) count as
/// letters. Names that are not people's (`Sales Dept`) are split the same
/// way: the rule cannot tell them apart.
pub fn split_name(full_name: &str) -> Option<PersonName> {
    let name = full_name.trim();
    if name.is_empty() {
        return None;
    }
    if let Some((last, rest)) = name.split_once(',') {
        let last = last.trim();
        if !last.is_empty() {
            let rest = rest.split(',').next().unwrap_or("");
            let words: Vec<&str> = rest.split_whitespace().collect();
            let (given, initials) = given_and_initials(&words);
            return Some(PersonName {
                surname: last.split_whitespace().collect::<Vec<_>>().join(" "),
                given,
                initials,
            });
        }
    }
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|w| !w.chars().all(|c| c == ','))
        .collect();
    let (last, before) = words.split_last()?;
    let (given, initials) = given_and_initials(before);
    Some(PersonName {
        surname: last.trim_matches(',').to_string(),
        given,
        initials,
    })
}
