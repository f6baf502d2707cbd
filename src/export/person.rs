//! People as LDAP and Active Directory expect them: surname, given name and
//! initials from an MS Mail full name ([`split_name`]), and template prompts
//! mapped to standard attributes ([`AttributeMap`]). Used by the LDIF writers
//! (both schemas) and the Exchange and AD CSV profiles; see docs/formats.md,
//! "People: names and template data".

use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::model::{Entry, TemplateValue};

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
fn is_initial(w: &str) -> bool {
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

/// How a value of an attribute must look for the server to accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Any non-empty text (directoryString).
    Text,
    /// LDAP telephoneNumber / facsimileTelephoneNumber syntax: PrintableString
    /// characters only (letters, digits, blank and `'()+,-./:?=`).
    Telephone,
}

impl Syntax {
    /// Does `v` fit the syntax (and is it non-empty)?
    pub fn accepts(self, v: &str) -> bool {
        if v.trim().is_empty() {
            return false;
        }
        match self {
            Syntax::Text => true,
            Syntax::Telephone => v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " '()+,-./:?=".contains(c)),
        }
    }
}

/// One standard attribute a template prompt can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// Short name used in docs and errors (`phone`, `city`, ...).
    pub key: &'static str,
    /// The attribute of the stock OpenLDAP schemas (core, cosine,
    /// inetorgperson) on `inetOrgPerson`; `None` when there is none.
    pub ldap: Option<&'static str>,
    /// The attribute of the stock AD schema on `contact`; `None` when none.
    pub ad: Option<&'static str>,
    /// The Exchange 4.0–5.5 directory-import column; `None` when none.
    pub exchange: Option<&'static str>,
    /// The prompt a value of this attribute reads back with.
    pub prompt: &'static str,
    /// Value syntax in OpenLDAP (AD takes any text).
    pub ldap_syntax: Syntax,
    /// Longest value AD accepts (its schema's rangeUpper), in characters.
    pub ad_max: usize,
    /// Normalised prompts mapped here by default (see [`normalize_prompt`]).
    pub synonyms: &'static [&'static str],
}

/// Every attribute msmail maps template data to, in output order.
pub const TARGETS: &[Target] = &[
    Target {
        key: "phone",
        ldap: Some("telephoneNumber"),
        ad: Some("telephoneNumber"),
        exchange: Some("Telephone-Office1"),
        prompt: "Phone:",
        ldap_syntax: Syntax::Telephone,
        ad_max: 64,
        synonyms: &[
            "phone",
            "telephone",
            "tel",
            "phone number",
            "phone no",
            "telephone number",
            "work phone",
            "office phone",
            "business phone",
            "voice",
        ],
    },
    Target {
        key: "fax",
        ldap: Some("facsimileTelephoneNumber"),
        ad: Some("facsimileTelephoneNumber"),
        exchange: Some("Telephone-Fax"),
        prompt: "Fax:",
        ldap_syntax: Syntax::Telephone,
        ad_max: 64,
        synonyms: &["fax", "fax number", "fax no", "fax phone", "facsimile"],
    },
    Target {
        key: "mobile",
        ldap: Some("mobile"),
        ad: Some("mobile"),
        exchange: Some("Telephone-Mobile"),
        prompt: "Mobile:",
        ldap_syntax: Syntax::Telephone,
        ad_max: 64,
        synonyms: &["mobile", "mobile phone", "cell", "cell phone", "cellular"],
    },
    Target {
        key: "home-phone",
        ldap: Some("homePhone"),
        ad: Some("homePhone"),
        exchange: Some("Telephone-Home"),
        prompt: "Home Phone:",
        ldap_syntax: Syntax::Telephone,
        ad_max: 64,
        synonyms: &["home phone", "home telephone", "home"],
    },
    Target {
        key: "pager",
        ldap: Some("pager"),
        ad: Some("pager"),
        exchange: Some("Telephone-Pager"),
        prompt: "Pager:",
        ldap_syntax: Syntax::Telephone,
        ad_max: 64,
        synonyms: &["pager", "beeper"],
    },
    Target {
        key: "title",
        ldap: Some("title"),
        ad: Some("title"),
        exchange: Some("Title"),
        prompt: "Title:",
        ldap_syntax: Syntax::Text,
        ad_max: 128,
        synonyms: &["title", "job title", "position"],
    },
    Target {
        key: "department",
        ldap: Some("departmentNumber"),
        ad: Some("department"),
        exchange: Some("Department"),
        prompt: "Department:",
        ldap_syntax: Syntax::Text,
        ad_max: 64,
        synonyms: &["department", "dept"],
    },
    Target {
        key: "company",
        ldap: Some("o"),
        ad: Some("company"),
        exchange: Some("Company"),
        prompt: "Company:",
        ldap_syntax: Syntax::Text,
        ad_max: 64,
        synonyms: &["company", "organization", "organisation"],
    },
    Target {
        key: "office",
        ldap: Some("physicalDeliveryOfficeName"),
        ad: Some("physicalDeliveryOfficeName"),
        exchange: Some("Office"),
        prompt: "Office:",
        ldap_syntax: Syntax::Text,
        ad_max: 128,
        synonyms: &["office", "location", "office location", "building"],
    },
    Target {
        key: "street",
        ldap: Some("street"),
        ad: Some("streetAddress"),
        exchange: Some("Address"),
        prompt: "Street:",
        ldap_syntax: Syntax::Text,
        ad_max: 1024,
        synonyms: &["street", "street address", "address"],
    },
    Target {
        key: "po-box",
        ldap: Some("postOfficeBox"),
        ad: Some("postOfficeBox"),
        exchange: None,
        prompt: "P.O. Box:",
        ldap_syntax: Syntax::Text,
        ad_max: 40,
        synonyms: &["po box", "post office box"],
    },
    Target {
        key: "city",
        ldap: Some("l"),
        ad: Some("l"),
        exchange: Some("City"),
        prompt: "City:",
        ldap_syntax: Syntax::Text,
        ad_max: 128,
        synonyms: &["city", "town", "locality"],
    },
    Target {
        key: "state",
        ldap: Some("st"),
        ad: Some("st"),
        exchange: Some("State"),
        prompt: "State:",
        ldap_syntax: Syntax::Text,
        ad_max: 128,
        synonyms: &["state", "st", "province", "state/province"],
    },
    Target {
        key: "zip",
        ldap: Some("postalCode"),
        ad: Some("postalCode"),
        exchange: Some("Postal-Code"),
        prompt: "Zip:",
        ldap_syntax: Syntax::Text,
        ad_max: 40,
        synonyms: &[
            "zip",
            "zip code",
            "zipcode",
            "postal code",
            "postcode",
            "post code",
        ],
    },
    Target {
        key: "country",
        // `c` in the core schema takes two-letter codes only.
        ldap: None,
        ad: Some("co"),
        exchange: Some("Country"),
        prompt: "Country:",
        ldap_syntax: Syntax::Text,
        ad_max: 128,
        synonyms: &["country"],
    },
    Target {
        key: "employee-id",
        ldap: Some("employeeNumber"),
        ad: Some("employeeID"),
        exchange: None,
        prompt: "Employee ID:",
        ldap_syntax: Syntax::Text,
        ad_max: 16,
        synonyms: &["employee id", "employee number", "employee no"],
    },
];

/// Which directory schema a value is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Schema {
    /// OpenLDAP stock schemas: core, cosine, inetorgperson.
    #[default]
    Openldap,
    /// Active Directory stock schema (`contact`, `group`).
    Ad,
}

/// The form prompts are compared in: lower case, the trailing colon, `#`,
/// `.` and `*` removed, blanks collapsed. `Phone #:` → `phone`,
/// `Zip Code:` → `zip code`, `P.O. Box:` → `po box`.
pub fn normalize_prompt(prompt: &str) -> String {
    let cleaned: String = prompt
        .chars()
        .filter(|c| !matches!(c, '#' | '.' | '*' | ':'))
        .flat_map(char::to_lowercase)
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the template values of one entry go: the mapped attributes (target,
/// value) in [`TARGETS`] order, and the values that stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappedTemplate<'e> {
    /// `(target, value)`: at most one value per target (the first).
    pub mapped: Vec<(&'static Target, &'e str)>,
    /// `(position in the template, value)` of every value not mapped: no
    /// rule for its prompt, a second value for the same attribute, empty,
    /// or a value the schema would refuse.
    pub kept: Vec<(usize, &'e TemplateValue)>,
}

/// Template prompts → standard attributes: the built-in rules
/// ([`Target::synonyms`]) unless turned off, overridden by a user's map file.
#[derive(Debug, Clone)]
pub struct AttributeMap {
    /// User rules: normalised prompt → target index, or `None` = keep as is.
    user: Vec<(String, Option<usize>)>,
    defaults: bool,
}

impl Default for AttributeMap {
    fn default() -> Self {
        AttributeMap {
            user: Vec::new(),
            defaults: true,
        }
    }
}

impl AttributeMap {
    /// The built-in rules only.
    pub fn standard() -> AttributeMap {
        AttributeMap::default()
    }

    /// No rules: every template value is kept as it is (LDIF `description`).
    pub fn none() -> AttributeMap {
        AttributeMap {
            user: Vec::new(),
            defaults: false,
        }
    }

    /// Turns the built-in rules on or off (user rules stay).
    pub fn with_defaults(mut self, on: bool) -> AttributeMap {
        self.defaults = on;
        self
    }

    /// Reads a map file: one rule a line, `prompt = attribute`, split at the
    /// last `=`; the attribute is an LDAP or AD name of a [`TARGETS`] entry,
    /// its Exchange column, its key, or `-` (keep the value as it is); `#`
    /// starts a comment line; blank lines are skipped. Later lines win.
    pub fn parse(text: &str, file: &str) -> Result<AttributeMap> {
        let mut map = AttributeMap::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim_start_matches('\u{feff}').trim();
            let n = i as u64 + 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |column: usize, msg: String| {
                Error::input(
                    file,
                    Location::Line {
                        line: n,
                        column: column as u64,
                    },
                    msg,
                )
            };
            let Some(eq) = line.rfind('=') else {
                return Err(at(
                    1,
                    "expected `prompt = attribute` (e.g. `Phone #: = telephoneNumber`)".into(),
                ));
            };
            let (prompt, attr) = (line[..eq].trim(), line[eq + 1..].trim());
            let col = raw.find(attr).map_or(eq + 2, |p| p + 1);
            if prompt.is_empty() || normalize_prompt(prompt).is_empty() {
                return Err(at(1, "the prompt before `=` is empty".into()));
            }
            let target = if attr == "-" {
                None
            } else {
                Some(target_index(attr).ok_or_else(|| {
                    at(
                        col,
                        format!(
                            "{attr:?} is not an attribute msmail maps template data to; \
                             known: {} (or `-` to keep the value as it is)",
                            known_attribute_names()
                        ),
                    )
                })?)
            };
            map.user.push((normalize_prompt(prompt), target));
        }
        Ok(map)
    }

    /// Reads a map file from disk ([`AttributeMap::parse`]).
    pub fn read(path: &Path) -> Result<AttributeMap> {
        let bytes = crate::input::read_input(path)?;
        let name = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|e| {
            let (line, column) =
                crate::codepage::line_column(e.as_bytes(), e.utf8_error().valid_up_to());
            Error::input(&name, Location::Line { line, column }, "not UTF-8")
        })?;
        AttributeMap::parse(&text, &name)
    }

    /// The target of a prompt: `Some(Some(t))` mapped, `Some(None)` kept by
    /// a user rule, `None` no rule.
    fn rule(&self, prompt: &str) -> Option<Option<&'static Target>> {
        let p = normalize_prompt(prompt);
        if let Some((_, t)) = self.user.iter().rev().find(|(q, _)| *q == p) {
            return Some(t.and_then(|i| TARGETS.get(i)));
        }
        if self.defaults {
            if let Some(t) = TARGETS.iter().find(|t| t.synonyms.contains(&p.as_str())) {
                return Some(Some(t));
            }
        }
        None
    }

    /// Maps the template values of `entry` for `schema`: each value whose
    /// prompt has a rule goes to that attribute when the schema has one, it
    /// is the first value for it, and the schema accepts the value;
    /// everything else is kept (never dropped).
    pub fn map<'e>(&self, entry: &'e Entry, schema: Schema) -> MappedTemplate<'e> {
        let mut out = MappedTemplate::default();
        for (i, t) in entry.template.iter().enumerate() {
            let target = self.rule(&t.prompt).flatten().filter(|target| {
                let ok = match schema {
                    Schema::Openldap => {
                        target.ldap.is_some() && target.ldap_syntax.accepts(&t.value)
                    }
                    Schema::Ad => {
                        target.ad.is_some()
                            && !t.value.trim().is_empty()
                            && t.value.chars().count() <= target.ad_max
                    }
                };
                ok && !out.mapped.iter().any(|(m, _)| m.key == target.key)
            });
            match target {
                Some(target) => out.mapped.push((target, t.value.as_str())),
                None => out.kept.push((i, t)),
            }
        }
        out.mapped
            .sort_by_key(|(t, _)| TARGETS.iter().position(|x| x.key == t.key));
        out
    }

    /// Maps for a target outside LDAP/AD (the Exchange CSV profile): like
    /// [`AttributeMap::map`] for AD, but only targets with an Exchange column.
    pub fn map_exchange<'e>(&self, entry: &'e Entry) -> MappedTemplate<'e> {
        let mut out = MappedTemplate::default();
        for (i, t) in entry.template.iter().enumerate() {
            let target = self.rule(&t.prompt).flatten().filter(|target| {
                target.exchange.is_some()
                    && !t.value.trim().is_empty()
                    && !out.mapped.iter().any(|(m, _)| m.key == target.key)
            });
            match target {
                Some(target) => out.mapped.push((target, t.value.as_str())),
                None => out.kept.push((i, t)),
            }
        }
        out.mapped
            .sort_by_key(|(t, _)| TARGETS.iter().position(|x| x.key == t.key));
        out
    }
}

/// The index in [`TARGETS`] of an attribute named by its LDAP or AD name,
/// Exchange column or key (case-insensitive).
pub fn target_index(name: &str) -> Option<usize> {
    TARGETS.iter().position(|t| {
        [Some(t.key), t.ldap, t.ad, t.exchange]
            .into_iter()
            .flatten()
            .any(|n| n.eq_ignore_ascii_case(name))
    })
}

/// The target whose attribute (in `schema`) is `attr` (case-insensitive).
pub fn target_of_attribute(attr: &str, schema: Schema) -> Option<&'static Target> {
    TARGETS.iter().find(|t| {
        let name = match schema {
            Schema::Openldap => t.ldap,
            Schema::Ad => t.ad,
        };
        name.is_some_and(|n| n.eq_ignore_ascii_case(attr))
    })
}

/// The LDAP and AD attribute names of every target, for messages.
fn known_attribute_names() -> String {
    let mut names: Vec<&str> = TARGETS
        .iter()
        .flat_map(|t| [t.ldap, t.ad])
        .flatten()
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Address;

    fn name(s: &str) -> (String, Option<String>, Option<String>) {
        let n = split_name(s).unwrap();
        (n.surname, n.given, n.initials)
    }

    fn o(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn last_comma_first() {
        assert_eq!(name("Jäger, Anna"), ("Jäger".into(), o("Anna"), None));
        assert_eq!(name("Doe, John D."), ("Doe".into(), o("John"), o("D.")));
        assert_eq!(name("Doe, J. R."), ("Doe".into(), o("J."), o("R.")));
        assert_eq!(
            name("Jäger, Anna Maria"),
            ("Jäger".into(), o("Anna Maria"), None)
        );
        assert_eq!(name("Smith, John, Jr."), ("Smith".into(), o("John"), None));
        assert_eq!(name("Doe,"), ("Doe".into(), None, None));
        assert_eq!(
            name("van der Berg, Jan"),
            ("van der Berg".into(), o("Jan"), None)
        );
    }

    #[test]
    fn first_last_and_single_words() {
        assert_eq!(name("John D. Doe"), ("Doe".into(), o("John"), o("D.")));
        assert_eq!(
            name("Mary Ann Smith"),
            ("Smith".into(), o("Mary Ann"), None)
        );
        assert_eq!(
            name("  Administrator "),
            ("Administrator".into(), None, None)
        );
        assert_eq!(name(",Anna"), ("Anna".into(), None, None));
        assert_eq!(name("J.R. Ewing"), ("Ewing".into(), o("J.R."), None));
        assert_eq!(
            name("Mike J.R. Ewing"),
            ("Ewing".into(), o("Mike"), o("J.R."))
        );
        assert_eq!(split_name("   "), None);
        assert!(is_initial("D") && is_initial("Ö.") && !is_initial("Dr") && !is_initial("D.r"));
    }

    fn entry(values: &[(&str, &str)]) -> Entry {
        let mut e = Entry::new("A", Address::parse("PCM:N/P/A").unwrap());
        e.template = values
            .iter()
            .map(|(p, v)| TemplateValue {
                prompt: p.to_string(),
                value: v.to_string(),
            })
            .collect();
        e
    }

    #[test]
    fn standard_rules_map_the_usual_prompts() {
        let e = entry(&[
            ("City/ST/Zip:", "Any City, 12345"),
            ("Phone #:", "+41 44 555 12 12"),
            ("Phone:", "second"),
            ("Department:", "Sales"),
            ("Fax:", "555#1"),
            ("Country:", "Schweiz"),
            ("Title:", ""),
        ]);
        let m = AttributeMap::standard().map(&e, Schema::Openldap);
        let mapped: Vec<(&str, &str)> = m
            .mapped
            .iter()
            .map(|(t, v)| (t.ldap.unwrap(), *v))
            .collect();
        assert_eq!(
            mapped,
            vec![
                ("telephoneNumber", "+41 44 555 12 12"),
                ("departmentNumber", "Sales")
            ]
        );
        let kept: Vec<usize> = m.kept.iter().map(|(i, _)| *i).collect();
        // City/ST/Zip (no rule), the second phone, a fax with `#` (not a
        // PrintableString), Country (no LDAP attribute), an empty title.
        assert_eq!(kept, vec![0, 2, 4, 5, 6]);
        let ad = AttributeMap::standard().map(&e, Schema::Ad);
        let names: Vec<&str> = ad.mapped.iter().map(|(t, _)| t.ad.unwrap()).collect();
        assert_eq!(
            names,
            vec![
                "telephoneNumber",
                "facsimileTelephoneNumber",
                "department",
                "co"
            ]
        );
        assert_eq!(AttributeMap::none().map(&e, Schema::Ad).kept.len(), 7);
    }

    #[test]
    fn map_files_override_and_name_their_errors() {
        let m = AttributeMap::parse(
            "# mine\n\nCost Center: = departmentNumber\nPhone #: = -\nA=B: = title\n",
            "m.map",
        )
        .unwrap();
        let e = entry(&[("Cost Center:", "42"), ("Phone #:", "1"), ("A=B:", "x")]);
        let r = m.map(&e, Schema::Ad);
        let names: Vec<&str> = r.mapped.iter().map(|(t, _)| t.ad.unwrap()).collect();
        assert_eq!(names, vec!["title", "department"]);
        assert_eq!(r.kept.len(), 1);
        let err = AttributeMap::parse("X: = favouriteColour\n", "m.map").unwrap_err();
        assert!(
            err.to_string().starts_with("m.map: line 1, column 6:"),
            "{err}"
        );
        let err = AttributeMap::parse("\nno equals\n", "m.map").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert_eq!(normalize_prompt(" P.O.  Box: "), "po box");
        assert_eq!(
            target_of_attribute("L", Schema::Openldap).unwrap().key,
            "city"
        );
    }
}
