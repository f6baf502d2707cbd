//! Fitting merged entries to what MS Mail files can carry, as the user
//! chose (`--truncate-names`, `--replace-unencodable`, `--control-chars`),
//! and refusing, entry by entry, what they cannot carry otherwise. Only MS
//! Mail files get fitted values; CSV, LDIF and JSON keep them exactly.

use std::collections::HashMap;

use super::output::OutputOptions;
use super::Reconciliation;
use crate::codepage::{encode_char, is_cp850};
use crate::error::{Error, Result};
use crate::model::{
    Address, AddressKey, Directory, Entry, Operation, MAX_ADDRESS_PART, MAX_FULL_NAME,
};

/// What to do with characters MS Mail records cannot hold verbatim: control
/// characters (CR, LF, TAB, ...) in names and template values, a leading `/`
/// in a template value, a `~` in a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ControlRule {
    /// Refuse to write MS Mail files, listing every entry (the default).
    #[default]
    Refuse,
    /// Write a space instead (a leading `/` gets a space before it).
    Space,
    /// Leave the character out.
    Drop,
}

impl ControlRule {
    fn apply(self, s: &str, bad: impl Fn(char) -> bool) -> String {
        match self {
            ControlRule::Refuse => s.to_string(),
            ControlRule::Space => s.chars().map(|c| if bad(c) { ' ' } else { c }).collect(),
            ControlRule::Drop => s.chars().filter(|&c| !bad(c)).collect(),
        }
    }
    fn value(self, v: &str) -> String {
        let v = self.apply(v, char::is_control);
        match (self, v.strip_prefix('/')) {
            (ControlRule::Space, Some(_)) => format!(" {v}"),
            (ControlRule::Drop, Some(rest)) => rest.trim_start_matches('/').to_string(),
            _ => v,
        }
    }
}

/// One change the MS Mail limits forced on an entry (listed in the report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FitChange {
    /// The entry's address as merged.
    pub address: String,
    /// `full_name`, `mailbox`, `address` or `template`.
    pub field: &'static str,
    /// The value before.
    pub from: String,
    /// The value written to MS Mail files.
    pub to: String,
}

/// Makes entries fit MS Mail files as the options allow.
#[derive(Debug, Clone, Copy)]
pub struct Fitter {
    truncate: bool,
    replace: bool,
    control: ControlRule,
}

fn replace_unencodable(s: &str) -> String {
    s.chars()
        .map(|c| if encode_char(c).is_some() { c } else { '?' })
        .collect()
}

fn truncate_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect::<String>().trim_end().to_string()
}

impl Fitter {
    /// A fitter for the options.
    pub fn new(options: &OutputOptions) -> Fitter {
        Fitter {
            truncate: options.truncate_names,
            replace: options.replace_unencodable,
            control: options.control,
        }
    }

    /// True when nothing can change.
    pub fn is_identity(&self) -> bool {
        !self.truncate && !self.replace && self.control == ControlRule::Refuse
    }

    /// The entry as MS Mail files get it, and what changed; `None` when it
    /// fits as it is.
    pub fn fit(&self, e: &Entry) -> Option<(Entry, Vec<FitChange>)> {
        if self.is_identity() {
            return None;
        }
        let mut out = e.clone();
        let mut changes = Vec::new();
        let address = e.address.to_string();
        let mut change = |field, from: &str, to: &str| {
            changes.push(FitChange {
                address: address.clone(),
                field,
                from: from.to_string(),
                to: to.to_string(),
            })
        };
        if self.control != ControlRule::Refuse && out.full_name.chars().any(char::is_control) {
            let v = self.control.apply(&out.full_name, char::is_control);
            change("full_name", &out.full_name, &v);
            out.full_name = v.into();
        }
        if self.replace && !is_cp850(&out.full_name) {
            let v = replace_unencodable(&out.full_name);
            change("full_name", &out.full_name, &v);
            out.full_name = v.into();
        }
        if self.truncate && out.full_name.chars().count() > MAX_FULL_NAME {
            let v = truncate_chars(&out.full_name, MAX_FULL_NAME);
            change("full_name", &out.full_name, &v);
            out.full_name = v.into();
        }
        if self.replace && !(is_cp850(&out.address.type_name) && is_cp850(&out.address.body)) {
            let a = Address {
                type_name: replace_unencodable(&out.address.type_name).into(),
                body: replace_unencodable(&out.address.body).into(),
            };
            change("address", &out.address.to_string(), &a.to_string());
            out.address = a;
        }
        if self.truncate {
            if let Some((net, po, mb)) = out.address.parts() {
                if mb.chars().count() > MAX_ADDRESS_PART {
                    let short = truncate_chars(mb, MAX_ADDRESS_PART);
                    let a = Address {
                        type_name: out.address.type_name.clone(),
                        body: compact_str::format_compact!("{net}/{po}/{short}"),
                    };
                    change("mailbox", mb, &short);
                    out.address = a;
                }
            }
        }
        if self.control != ControlRule::Refuse {
            for t in &mut out.template {
                let v = self.control.value(&t.value);
                if v != t.value {
                    change("template", &t.value, &v);
                    t.value = v.into();
                }
                let p = self
                    .control
                    .apply(&t.prompt, |c| c.is_control() || c == '~');
                if p != t.prompt {
                    change("prompt", &t.prompt, &p);
                    t.prompt = p.into();
                }
            }
        }
        if self.replace {
            for t in &mut out.template {
                if !is_cp850(&t.value) || !is_cp850(&t.prompt) {
                    let v = replace_unencodable(&t.value);
                    change("template", &t.value, &v);
                    t.value = v.into();
                    t.prompt = replace_unencodable(&t.prompt).into();
                }
            }
        }
        (!changes.is_empty()).then_some((out, changes))
    }

    /// The entry as MS Mail files get it (a copy).
    pub fn fitted(&self, e: &Entry) -> Entry {
        self.fit(e).map_or_else(|| e.clone(), |(f, _)| f)
    }

    /// An operation with its entries fitted.
    pub fn fit_operation(&self, op: &Operation) -> Operation {
        match op {
            Operation::Add(e) => Operation::Add(self.fitted(e)),
            Operation::Delete(e) => Operation::Delete(self.fitted(e)),
            Operation::Modify { old, new } => Operation::Modify {
                old: self.fitted(old),
                new: self.fitted(new),
            },
            other => other.clone(),
        }
    }
}

/// Refuses (exit 4, every problem listed) when merged entries break an MS
/// Mail limit that the options do not allow to fix; else returns every change
/// the fitter makes to the merged directory, sorted by address. Network and
/// postoffice names over 10 characters are never fixed (renaming a
/// postoffice is not a repair). A truncated mailbox that collides with
/// another address is refused too.
pub fn check_limits(
    rec: &Reconciliation,
    merged: &Directory,
    options: &OutputOptions,
) -> Result<Vec<FitChange>> {
    let mut refused = Vec::new();
    for po in &rec.postoffices {
        for l in &po.limits {
            let allowed = match (l.problem, l.field) {
                ("too-long", "full_name" | "mailbox") => options.truncate_names,
                ("too-long", _) => false,
                ("not-cp850", _) => options.replace_unencodable,
                ("control-char" | "leading-slash" | "tilde", _) => {
                    options.control != ControlRule::Refuse
                }
                _ => false,
            };
            if !allowed {
                refused.push(format!("  {}: {}", l.address, l.reason()));
            }
        }
    }
    if !refused.is_empty() {
        return Err(Error::Unrepresentable(format!(
            "{} problems in merged entries that MS Mail files cannot carry as they are; \
             nothing was written (--truncate-names cuts full names to 30 and mailboxes to \
             10 characters, --replace-unencodable writes `?` for characters outside CP850, \
             --control-chars space|drop rewrites control characters; CSV, LDIF and JSON \
             always keep the exact values):\n{}",
            refused.len(),
            refused.join("\n")
        )));
    }
    let fitter = Fitter::new(options);
    let mut changes = Vec::new();
    if fitter.is_identity() {
        return Ok(changes);
    }
    let mut moved: Vec<(AddressKey, AddressKey)> = Vec::new();
    for e in merged.sorted() {
        if let Some((f, c)) = fitter.fit(e) {
            if f.key() != e.key() {
                moved.push((e.key(), f.key()));
            }
            changes.extend(c);
        }
    }
    let mut clashes = Vec::new();
    let mut taken: HashMap<&AddressKey, &AddressKey> = HashMap::new();
    for (from, to) in &moved {
        if merged.contains_key(to) {
            clashes.push(format!("  {} would become {}, which exists", from.0, to.0));
        } else if let Some(other) = taken.insert(to, from) {
            clashes.push(format!(
                "  {} and {} would both become {}",
                other.0, from.0, to.0
            ));
        }
    }
    if !clashes.is_empty() {
        return Err(Error::Unrepresentable(format!(
            "shortened mailboxes would collide; rename these entries at their postoffice:\n{}",
            clashes.join("\n")
        )));
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntryKind, TemplateValue};

    fn opts(t: bool, r: bool) -> OutputOptions {
        OutputOptions {
            truncate_names: t,
            replace_unencodable: r,
            ..Default::default()
        }
    }

    #[test]
    fn fitter_truncates_and_replaces_only_when_asked() {
        let mut e = Entry::new(
            "Wolfeschlegelsteinhausenberger, Hubert Blaine",
            Address::pcm("NET", "PO", "WOLFESCHLEGEL"),
        );
        e.kind = EntryKind::User;
        assert!(Fitter::new(&opts(false, false)).fit(&e).is_none());
        let (f, c) = Fitter::new(&opts(true, false)).fit(&e).unwrap();
        assert_eq!(f.full_name.chars().count(), 30);
        assert_eq!(f.address.to_string(), "PCM:NET/PO/WOLFESCHLE");
        assert_eq!(c.len(), 2);
        let mut g = Entry::new("Łukasz", Address::pcm("NET", "PO", "LUKASZ"));
        g.template.push(TemplateValue {
            prompt: "Phone:".into(),
            value: "☎ 12".into(),
        });
        let (f, c) = Fitter::new(&opts(false, true)).fit(&g).unwrap();
        assert_eq!(f.full_name, "?ukasz");
        assert_eq!(f.template[0].value, "? 12");
        assert_eq!(c.len(), 2);
        // Truncation does not replace, and vice versa.
        assert!(Fitter::new(&opts(true, false)).fit(&g).is_none());
    }

    #[test]
    fn control_rule_space_and_drop() {
        let mut e = Entry::new("Tab\tName", Address::pcm("N", "P", "X"));
        e.template.push(TemplateValue {
            prompt: "Dept:".into(),
            value: "/Direction\r\u{a7}".into(),
        });
        let space = OutputOptions {
            control: ControlRule::Space,
            ..Default::default()
        };
        let (f, _) = Fitter::new(&space).fit(&e).unwrap();
        assert_eq!(f.full_name, "Tab Name");
        assert_eq!(f.template[0].value, " /Direction \u{a7}");
        let drop = OutputOptions {
            control: ControlRule::Drop,
            ..Default::default()
        };
        let (f, _) = Fitter::new(&drop).fit(&e).unwrap();
        assert_eq!(f.full_name, "TabName");
        assert_eq!(f.template[0].value, "Direction\u{a7}");
    }
}
