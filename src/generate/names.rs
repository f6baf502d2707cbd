//! Name material for synthetic worlds: CP850 given names and surnames (accents,
//! apostrophes, particles), places, departments. Every string here is in CP850
//! (a unit test checks it).

use super::rng::SplitMix64;

/// Given names.
pub const FIRST: &[&str] = &[
    "José",
    "Zoë",
    "Björn",
    "Søren",
    "François",
    "Anaïs",
    "Jürgen",
    "Inês",
    "Åsa",
    "Maël",
    "Iñaki",
    "Chloé",
    "Renée",
    "Gaëlle",
    "Mónica",
    "João",
    "Håkon",
    "Ólafur",
    "Dagný",
    "Ørjan",
    "Lætitia",
    "Günther",
    "Agnès",
    "Raúl",
    "Ángel",
    "Noël",
    "Mary",
    "John",
    "Robert",
    "Linda",
    "Wei",
    "Priya",
    "Kofi",
    "Olga",
    "Hélène",
    "Théo",
    "Màrius",
    "Fañch",
    "Eloïse",
    "Jérôme",
];

/// Surnames.
pub const LAST: &[&str] = &[
    "Müller",
    "Gómez",
    "Øster",
    "Ström",
    "Dubois",
    "Núñez",
    "Åberg",
    "Lefèvre",
    "Schröder",
    "Ibáñez",
    "Kowalski",
    "O'Brien",
    "Smith",
    "Johnson",
    "Nakamura",
    "Rossi",
    "Fàbregas",
    "Brûlé",
    "Jørgensen",
    "Þórsson",
    "Weiß",
    "Hölzl",
    "Martín",
    "Ní Bhriain",
    "van der Berg",
    "D'Amico",
    "Ekström",
    "Castaño",
    "Le Pêcheur",
    "Søndergård",
    "Mäkinen",
    "Ferreira",
];

/// Places: postoffice names (ASCII upper case; one is exactly 10 characters).
pub const PLACES: &[&str] = &[
    "ZURICH",
    "GENEVE",
    "PARIS",
    "LYON",
    "MADRID",
    "SEVILLA",
    "OSLO",
    "BERGEN",
    "MUNICH",
    "WASHINGTON",
    "HAMBURG",
    "BOSTON",
    "DENVER",
    "TORONTO",
    "LIMA",
    "TOKYO",
    "OSAKA",
    "LISBOA",
];

/// Network names.
pub const NETWORKS: &[&str] = &["EUROPE", "AMERICAS", "ASIAPAC", "HQNET", "FIELD", "LABS"];

/// Departments (group names, template values).
pub const DEPTS: &[&str] = &[
    "Sales",
    "Einkauf",
    "Comptabilité",
    "Logística",
    "Forschung",
    "Support",
    "Direction",
    "Qualität",
    "Marketing",
    "Préparation",
];

/// Upper-case ASCII letters of `text`, with accented Latin letters folded to
/// their base letter and everything else dropped (mailbox material).
pub fn fold_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let base = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
                'A'
            }
            'æ' | 'Æ' => 'E',
            'ç' | 'Ç' => 'C',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'E',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
            'ñ' | 'Ñ' => 'N',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => {
                'O'
            }
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
            'ý' | 'ÿ' | 'Ý' => 'Y',
            'ß' => 'S',
            'þ' | 'Þ' => 'T',
            c if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
            _ => continue,
        };
        out.push(base);
    }
    out
}

/// A person: (full name, mailbox stem). Styles: `Last, First`, `First Last`,
/// `Last, First M.`, and about one in eight exactly 30 characters long.
pub fn person(rng: &mut SplitMix64) -> (String, String) {
    let first = *rng.pick(FIRST).unwrap_or(&"Ann");
    let last = *rng.pick(LAST).unwrap_or(&"Lee");
    let stem = format!("{}{}", fold_ascii(last), fold_ascii(first));
    let name = match rng.below(8) {
        0 => exactly_30(rng, first, last),
        1..=3 => format!("{last}, {first}"),
        4..=5 => format!("{first} {last}"),
        _ => {
            let m = fold_ascii(rng.pick(FIRST).unwrap_or(&"A"));
            format!("{last}, {first} {}.", m.get(..1).unwrap_or("A"))
        }
    };
    (name, stem)
}

/// A full name of exactly 30 characters (the MS Mail maximum, Q104869).
fn exactly_30(rng: &mut SplitMix64, first: &str, last: &str) -> String {
    let last2 = rng.pick(LAST).unwrap_or(&"Lee");
    let mut s = format!("{last}-{last2}, {first}");
    while s.chars().count() < 30 {
        s.push(' ');
        s.push_str(rng.pick(FIRST).unwrap_or(&"Ann"));
    }
    let mut v: Vec<char> = s.chars().take(30).collect();
    if let Some(c) = v.last_mut() {
        if !c.is_alphanumeric() {
            *c = 'X';
        }
    }
    v.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codepage::is_cp850;

    #[test]
    fn all_material_is_cp850() {
        for s in FIRST
            .iter()
            .chain(LAST)
            .chain(PLACES)
            .chain(NETWORKS)
            .chain(DEPTS)
        {
            assert!(is_cp850(s), "{s}");
        }
        for p in PLACES.iter().chain(NETWORKS) {
            assert!(p.len() <= 10 && p.is_ascii());
        }
    }

    #[test]
    fn persons_fit_the_limits() {
        let mut g = SplitMix64::new(1);
        let mut thirty = 0;
        for _ in 0..400 {
            let (n, stem) = person(&mut g);
            let len = n.chars().count();
            assert!(len <= 30, "{n}");
            assert!(!n.ends_with(' '));
            thirty += usize::from(len == 30);
            assert!(stem.bytes().all(|b| b.is_ascii_uppercase()), "{stem}");
        }
        assert!(thirty > 10);
        assert_eq!(fold_ascii("Søndergård-Þór"), "SONDERGARDTOR");
    }
}
