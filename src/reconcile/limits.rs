//! What MS Mail files cannot carry, entry by entry: names over 30
//! characters, address parts over 10 (PCM and 10/10/10 gateways), characters
//! outside CP850, control characters (a CR in a template value splits a
//! transaction's text), a template value starting with `/` (it would read
//! back as part of the prompt) and a `~` in a prompt (the TPL separator).
//! Found for every merged entry before anything is written; the writers
//! refuse or fit them as the user chose (`reconcile::output::Fitter`).

use crate::codepage::is_cp850;
use crate::model::{AddressKey, Directory, Entry, MAX_ADDRESS_PART};

/// An entry of a merged list that MS Mail files cannot hold as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitProblem {
    /// The entry's address as written.
    pub address: String,
    /// The field: `full_name`, `network`, `postoffice`, `mailbox`,
    /// `address`, `template`, `prompt`.
    pub field: &'static str,
    /// `too-long`, `not-cp850`, `control-char`, `leading-slash` or `tilde`.
    pub problem: &'static str,
    /// Length in characters (for `too-long`).
    pub length: usize,
    /// The limit (for `too-long`).
    pub limit: usize,
}

impl LimitProblem {
    /// The reason in words, for messages.
    pub fn reason(&self) -> String {
        match self.problem {
            "too-long" => format!(
                "{} of {} characters (MS Mail limit {})",
                self.field, self.length, self.limit
            ),
            "not-cp850" => format!("{} has characters outside code page 850", self.field),
            "control-char" => format!(
                "{} holds a control character (CR, LF, TAB, ...): it would split or \
                 corrupt the MS Mail record",
                self.field
            ),
            "leading-slash" => "template value starts with `/`: it would read back as part \
                                of the prompt"
                .to_string(),
            "tilde" => "template prompt holds `~`, the TPL field separator".to_string(),
            other => format!("{}: {other}", self.field),
        }
    }
}

/// True for characters MS Mail text records cannot hold verbatim.
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// A code-page or character problem of `field` (`entry_problems` fills in the address).
fn problem(field: &'static str, problem: &'static str) -> LimitProblem {
    LimitProblem {
        address: String::new(),
        field,
        problem,
        length: 0,
        limit: 0,
    }
}

/// Every limit problem of one entry, in field order.
pub fn entry_problems(e: &Entry) -> Vec<LimitProblem> {
    // The address text is filled in at the end, only for an entry with a
    // problem (most have none, and this runs for every merged entry).
    let mut out: Vec<LimitProblem> = e
        .limit_violations()
        .into_iter()
        .map(|v| LimitProblem {
            address: String::new(),
            field: v.field,
            problem: "too-long",
            length: v.length,
            limit: v.limit,
        })
        .collect();
    // 10/10/10 gateway addresses: gateway, node and user are USR/XTN fields
    // of 10 characters too (Q118621).
    if !e.address.is_pcm() {
        if let Some((gate, node, user)) = e.address.parts() {
            for (field, v) in [("network", gate), ("postoffice", node), ("mailbox", user)] {
                let n = v.chars().count();
                if n > MAX_ADDRESS_PART {
                    out.push(LimitProblem {
                        address: String::new(),
                        field,
                        problem: "too-long",
                        length: n,
                        limit: MAX_ADDRESS_PART,
                    });
                }
            }
        }
    }
    if !is_cp850(&e.full_name) {
        out.push(problem("full_name", "not-cp850"));
    }
    if !(is_cp850(&e.address.type_name) && is_cp850(&e.address.body)) {
        out.push(problem("address", "not-cp850"));
    }
    if e.template
        .iter()
        .any(|t| !is_cp850(&t.prompt) || !is_cp850(&t.value))
    {
        out.push(problem("template", "not-cp850"));
    }
    if e.full_name.chars().any(is_control) {
        out.push(problem("full_name", "control-char"));
    }
    if e.address.body.chars().any(is_control) {
        out.push(problem("address", "control-char"));
    }
    if e.template.iter().any(|t| t.value.chars().any(is_control)) {
        out.push(problem("template", "control-char"));
    }
    if e.template.iter().any(|t| t.prompt.chars().any(is_control)) {
        out.push(problem("prompt", "control-char"));
    }
    if e.template.iter().any(|t| t.value.starts_with('/')) {
        out.push(problem("template", "leading-slash"));
    }
    if e.template.iter().any(|t| t.prompt.contains('~')) {
        out.push(problem("prompt", "tilde"));
    }
    if !out.is_empty() {
        let text = e.address.to_string();
        for p in &mut out {
            p.address.clone_from(&text);
        }
    }
    out
}

/// Limit and code-page problems of a merged list, sorted by address key.
pub fn limit_problems(list: &Directory) -> Vec<LimitProblem> {
    let mut out: Vec<(AddressKey, LimitProblem)> = Vec::new();
    for e in list.iter() {
        let found = entry_problems(e);
        if found.is_empty() {
            continue;
        }
        let key = e.key();
        out.extend(found.into_iter().map(|l| (key.clone(), l)));
    }
    // Stable sort: an entry's problems keep their order.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, l)| l).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, TemplateValue};

    fn e(name: &str, addr: &str) -> Entry {
        Entry::new(name, Address::parse(addr).unwrap())
    }

    #[test]
    fn limits_include_codepage() {
        let d: Directory = [e("日本", "PCM:N/P/A"), e(&"x".repeat(31), "PCM:N/P/B")]
            .into_iter()
            .collect();
        let l = limit_problems(&d);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].problem, "not-cp850");
        assert_eq!(l[1].problem, "too-long");
    }

    #[test]
    fn control_characters_slashes_and_gateway_parts() {
        let mut x = e("Tab\tName", "PROFS:GATEWAY1234/NODE/USER");
        x.template.push(TemplateValue {
            prompt: "Dept:".into(),
            value: "Direction\r§".into(),
        });
        x.template.push(TemplateValue {
            prompt: "Path~:".into(),
            value: "/root".into(),
        });
        let p: Vec<(&str, &str)> = entry_problems(&x)
            .iter()
            .map(|l| (l.field, l.problem))
            .collect();
        assert_eq!(
            p,
            vec![
                ("network", "too-long"),
                ("full_name", "control-char"),
                ("template", "control-char"),
                ("template", "leading-slash"),
                ("prompt", "tilde"),
            ]
        );
    }
}
