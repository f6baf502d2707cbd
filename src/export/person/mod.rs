//! People as LDAP and Active Directory expect them: surname, given name and
//! initials from an MS Mail full name ([`split_name`]), and template prompts
//! mapped to standard attributes ([`AttributeMap`]). Used by the LDIF writers
//! (both schemas) and the Exchange and AD CSV profiles; see docs/formats.md,
//! "People: names and template data".

use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::model::{Entry, TemplateValue};

mod names;
mod targets;

pub use names::{split_name, PersonName};
use targets::known_attribute_names;
pub use targets::{
    mapped_template_values, target_index, target_of_attribute, Syntax, Target, TARGETS,
};
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

#[cfg(test)]
mod tests;
