//! Template definitions for MS Mail files (USR/INF/TPL, MSTTRANS, RESYNC.GLB).
//!
//! Template data never stops a run: migration outputs keep every value as
//! read. MS Mail files need a definition that holds every value, so for each
//! scope of a merged list the definition is, in this order: the one the
//! evidence carries (`T`, a tree's TPL), else the server's (TPL or master
//! `T`), else one derived from the prompts seen. Prompts that have no field
//! get one (width = the longest value), fields narrower than a value are
//! widened, and every entry's values are put in the definition's field order.
//! See docs/reconcile.md, "Templates".

use std::collections::{BTreeMap, HashMap};

use crate::model::{Directory, Entry, Scope, TemplateDef, TemplateField};

/// How the template definition of one scope was chosen and fitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplatePlan {
    /// The scope.
    pub scope: Scope,
    /// `evidence` (the source's `T` or TPL), `server` (the server's TPL or
    /// master `T`) or `derived` (from the prompts seen).
    pub source: &'static str,
    /// Prompts that had no field and got one.
    pub added: Vec<String>,
    /// Fields widened to hold the longest value: (prompt, from, to).
    pub widened: Vec<(String, u16, u16)>,
    /// The definition differs from the server's for this scope (a repair
    /// writes it as a `T` transaction).
    pub differs_from_server: bool,
    /// The definition.
    pub fields: Vec<TemplateField>,
}

/// Trailing blanks of template values are padding (INF fields are blank
/// padded) and an empty value is no value: both are normalised away so a
/// value reads the same from every source. Leading text is kept verbatim.
pub fn normalise_template(e: &mut Entry) {
    for t in &mut e.template {
        let trimmed = t.value.trim_end_matches(' ').len();
        t.value.truncate(trimmed);
    }
    e.template.retain(|t| !t.value.is_empty());
}

fn char_len(s: &str) -> u16 {
    u16::try_from(s.chars().count()).unwrap_or(u16::MAX)
}

/// Chooses and fits the definition of every scope of `list` that has a
/// definition or template values; sets `list.templates` to those
/// definitions and orders every entry's values by them. `evidence` are the
/// definitions the evidence carried, `server` the server's by scope key.
pub fn plan_templates(
    list: &mut Directory,
    evidence: &[TemplateDef],
    server: &BTreeMap<String, TemplateDef>,
) -> Vec<TemplatePlan> {
    // Longest value per (scope, prompt, occurrence) and prompt order seen.
    // Widths by prompt, then occurrence: looked up with the value's borrowed
    // prompt (this runs for every template value of every merged entry).
    type Seen = (Scope, Vec<(String, usize)>, HashMap<String, Vec<u16>>);
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    // In insertion order: the order prompts are first seen is the order of
    // the fields derived from them.
    for e in list.iter() {
        if e.template.is_empty() {
            continue;
        }
        let key = e.key();
        let scope_key = key.scope_key();
        if !seen.contains_key(scope_key) {
            let scope = e.scope();
            seen.insert(scope.key(), (scope, Vec::new(), HashMap::new()));
        }
        let Some(slot) = seen.get_mut(scope_key) else {
            continue;
        };
        let mut count = PromptCount::new(e.template.len());
        for t in &e.template {
            let n = count.next(&t.prompt);
            let w = char_len(&t.value).max(1);
            let widths = match slot.2.get_mut(t.prompt.as_str()) {
                Some(v) => v,
                None => slot.2.entry(t.prompt.to_string()).or_default(),
            };
            match widths.get_mut(n) {
                Some(max) => *max = (*max).max(w),
                None => {
                    // Occurrences come in order: the n-th is new after n-1.
                    widths.push(w);
                    slot.1.push((t.prompt.to_string(), n));
                }
            }
        }
    }
    let mut keys: Vec<String> = seen.keys().cloned().collect();
    for d in evidence {
        keys.push(d.scope.key());
    }
    keys.extend(list.templates.keys().cloned());
    keys.extend(server.keys().cloned());
    keys.sort();
    keys.dedup();
    let mut plans = Vec::new();
    let mut defs = BTreeMap::new();
    for key in keys {
        let from_evidence = evidence.iter().rev().find(|d| d.scope.key() == key);
        let from_server = server.get(&key).or_else(|| list.templates.get(&key));
        let (source, base) = match (from_evidence, from_server) {
            (Some(d), _) => ("evidence", Some(d)),
            (None, Some(d)) => ("server", Some(d)),
            (None, None) => ("derived", None),
        };
        let scope = base
            .map(|d| d.scope.clone())
            .or_else(|| seen.get(&key).map(|s| s.0.clone()));
        let Some(scope) = scope else { continue };
        let mut fields: Vec<TemplateField> = base.map(|d| d.fields.clone()).unwrap_or_default();
        let mut added = Vec::new();
        let mut widened = Vec::new();
        if let Some((_, order, widths)) = seen.get(&key) {
            for (prompt, n) in order {
                let w = widths
                    .get(prompt.as_str())
                    .and_then(|v| v.get(*n))
                    .copied()
                    .unwrap_or(1);
                let at = fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| &f.prompt == prompt)
                    .nth(*n)
                    .map(|(i, _)| i);
                match at.and_then(|i| fields.get_mut(i)) {
                    Some(f) => {
                        if f.width < w {
                            widened.push((prompt.clone(), f.width, w));
                            f.width = w;
                        }
                    }
                    None => {
                        let start = fields.last().map_or(1, |f| f.start.saturating_add(1));
                        fields.push(TemplateField {
                            prompt: prompt.clone(),
                            start,
                            width: w,
                            edit: "A".into(),
                            data: String::new(),
                            internal: String::new(),
                            written_fields: 0,
                        });
                        added.push(prompt.clone());
                    }
                }
            }
        }
        if fields.is_empty() {
            continue;
        }
        let differs_from_server = server.get(&key).is_none_or(|d| d.fields != fields);
        defs.insert(
            key,
            TemplateDef {
                scope: scope.clone(),
                fields: fields.clone(),
            },
        );
        plans.push(TemplatePlan {
            scope,
            source,
            added,
            widened,
            differs_from_server,
            fields,
        });
    }
    // Every entry's values in its definition's field order (most are in it
    // already: the order is worked out first, the entry copied only when it
    // changes).
    let reorder: Vec<Entry> = list
        .iter()
        .filter(|e| e.template.len() > 1)
        .filter_map(|e| {
            let def = defs.get(e.key().scope_key())?;
            let order = field_order(e, &def.fields)?;
            let template: Vec<_> = order
                .into_iter()
                .filter_map(|j| e.template.get(j).cloned())
                .collect();
            (template != e.template).then(|| Entry {
                template,
                ..e.clone()
            })
        })
        .collect();
    for e in reorder {
        list.upsert(e);
    }
    list.templates = defs;
    plans
}

/// Counts the occurrences of each prompt in one entry's template values: the
/// n-th value of a prompt is occurrence n. A short list (templates hold a
/// handful of values) is scanned; a long one is hashed.
struct PromptCount<'a> {
    seen: Vec<(&'a str, usize)>,
    map: HashMap<&'a str, usize>,
}

impl<'a> PromptCount<'a> {
    const SCAN: usize = 16;

    fn new(values: usize) -> PromptCount<'a> {
        PromptCount {
            seen: Vec::with_capacity(values.min(Self::SCAN)),
            map: HashMap::new(),
        }
    }

    /// The occurrence number of this value's `prompt` (0 for its first).
    fn next(&mut self, prompt: &'a str) -> usize {
        if self.map.is_empty() {
            if let Some((_, n)) = self.seen.iter_mut().find(|(p, _)| *p == prompt) {
                *n += 1;
                return *n - 1;
            }
            if self.seen.len() < Self::SCAN {
                self.seen.push((prompt, 1));
                return 0;
            }
            self.map.extend(self.seen.drain(..));
        }
        let n = self.map.entry(prompt).or_insert(0);
        *n += 1;
        *n - 1
    }
}

/// The indexes of `e`'s template values in field order (the n-th value of a
/// prompt at the n-th field with that prompt; values without a field last),
/// or `None` when they are in that order already.
fn field_order(e: &Entry, fields: &[TemplateField]) -> Option<Vec<usize>> {
    let mut rank: Vec<(usize, usize)> = Vec::with_capacity(e.template.len());
    let mut count = PromptCount::new(e.template.len());
    for (j, t) in e.template.iter().enumerate() {
        let n = count.next(&t.prompt);
        let at = fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.prompt == t.prompt)
            .nth(n)
            .map_or(usize::MAX, |(i, _)| i);
        rank.push((at, j));
    }
    rank.sort_unstable();
    let in_order = rank.iter().enumerate().all(|(i, &(_, j))| i == j);
    (!in_order).then(|| rank.into_iter().map(|(_, j)| j).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, TemplateValue};
    /// Occurrence numbers are the same whether the prompts are scanned or,
    /// past 16 values, hashed.
    #[test]
    fn prompt_counts_past_the_scan_limit() {
        let prompts: Vec<String> = (0..40).map(|i| format!("P{}:", i % 7)).collect();
        let mut count = PromptCount::new(prompts.len());
        let mut seen = HashMap::new();
        for p in &prompts {
            let want = *seen
                .entry(p.as_str())
                .and_modify(|n| *n += 1)
                .or_insert(0usize);
            assert_eq!(count.next(p), want, "{p}");
        }
        let distinct: Vec<String> = (0..40).map(|i| format!("Q{i}:")).collect();
        let mut count = PromptCount::new(distinct.len());
        for p in &distinct {
            assert_eq!(count.next(p), 0);
        }
        assert_eq!(count.next("Q3:"), 1);
    }

    /// `field_order` is `None` for values in field order, else the order.
    #[test]
    fn field_order_only_when_out_of_order() {
        let fields: Vec<TemplateField> = ["A:", "B:", "A:"]
            .iter()
            .map(|p| TemplateField {
                prompt: p.to_string(),
                ..TemplateField::default()
            })
            .collect();
        let in_order = with("n", "M", &[("A:", "1"), ("B:", "2"), ("A:", "3")]);
        assert_eq!(field_order(&in_order, &fields), None);
        let swapped = with(
            "n",
            "M",
            &[("B:", "2"), ("A:", "1"), ("Z:", "9"), ("A:", "3")],
        );
        assert_eq!(field_order(&swapped, &fields), Some(vec![1, 0, 3, 2]));
    }

    fn with(name: &str, mb: &str, values: &[(&str, &str)]) -> Entry {
        let mut e = Entry::new(name, Address::pcm("N", "P", mb));
        e.template = values
            .iter()
            .map(|(p, v)| TemplateValue {
                prompt: (*p).into(),
                value: (*v).into(),
            })
            .collect();
        e
    }

    #[test]
    fn derives_a_definition_from_the_prompts_seen() {
        let mut d: Directory = [
            with("A", "A", &[("Phone:", "12345")]),
            with("B", "B", &[("Dept:", "Sales"), ("Phone:", "1234567")]),
        ]
        .into_iter()
        .collect();
        let plans = plan_templates(&mut d, &[], &BTreeMap::new());
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].source, "derived");
        let f = &d.templates["PCM:N/P"].fields;
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].prompt.as_str(), f[0].width), ("Phone:", 7));
        assert_eq!((f[1].prompt.as_str(), f[1].width), ("Dept:", 5));
        // B's values are in field order now.
        let b = d.get(&Address::pcm("N", "P", "B").key()).unwrap();
        assert_eq!(b.template[0].prompt, "Phone:");
    }

    #[test]
    fn evidence_definition_is_extended_and_widened() {
        let def = TemplateDef {
            scope: Scope::postoffice("N", "P"),
            fields: vec![TemplateField {
                prompt: "Phone:".into(),
                start: 1,
                width: 3,
                edit: "N".into(),
                ..TemplateField::default()
            }],
        };
        let mut d: Directory = [with("A", "A", &[("Phone:", "12345"), ("Fax:", "9")])]
            .into_iter()
            .collect();
        let plans = plan_templates(&mut d, &[def], &BTreeMap::new());
        assert_eq!(plans[0].source, "evidence");
        assert_eq!(plans[0].added, vec!["Fax:".to_string()]);
        assert_eq!(plans[0].widened, vec![("Phone:".to_string(), 3, 5)]);
        assert_eq!(d.templates["PCM:N/P"].fields[0].edit, "N");
    }

    #[test]
    fn repeated_prompts_get_a_field_each() {
        let mut d: Directory = [with("A", "A", &[("Line:", "one"), ("Line:", "second")])]
            .into_iter()
            .collect();
        plan_templates(&mut d, &[], &BTreeMap::new());
        let f = &d.templates["PCM:N/P"].fields;
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].width, 6);
        let rec = crate::tree::templates::encode_inf_record(
            f,
            &d.get(&Address::pcm("N", "P", "A").key()).unwrap().template,
        )
        .unwrap();
        let back = crate::tree::templates::decode_inf_record(f, &rec);
        assert_eq!(back[1].value, "second");
    }

    #[test]
    fn normalising_drops_padding_and_empty_values() {
        let mut e = with("A", "A", &[("Phone:", "12  "), ("Fax:", "")]);
        normalise_template(&mut e);
        assert_eq!(e.template.len(), 1);
        assert_eq!(e.template[0].value, "12");
    }
}
