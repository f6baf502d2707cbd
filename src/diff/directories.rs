//! Address-list comparison: entries matched by address scope by scope, field
//! changes, template definitions and rename pairing ([`diff_directories`]).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::model::{AddressKey, Directory, Entry, EntryKind, TemplateDef, TemplateValue};

/// An entry as a diff shows it: address as written, full name, kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRef {
    /// The address as written (`PCM:NET/PO/MAILBOX`).
    pub address: String,
    /// The full name.
    pub full_name: String,
    /// `user` or `group`.
    pub kind: EntryKind,
}

impl EntryRef {
    fn of(e: &Entry) -> EntryRef {
        EntryRef {
            address: e.address.to_string(),
            full_name: e.full_name.to_string(),
            kind: e.kind,
        }
    }
}

/// One field that differs between A and B. `None` means "absent on that side".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// `full_name`, `kind`, `address` (spelling only), `template:<prompt>`,
    /// `template_order`, or a transaction/configuration field name.
    pub field: String,
    /// Value in A.
    pub a: Option<String>,
    /// Value in B.
    pub b: Option<String>,
}

impl FieldChange {
    pub(super) fn new(
        field: impl Into<String>,
        a: Option<String>,
        b: Option<String>,
    ) -> FieldChange {
        FieldChange {
            field: field.into(),
            a,
            b,
        }
    }
}

/// An entry present on both sides (same identity) whose content differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedEntry {
    /// The address as written in A.
    pub address: String,
    /// The full name in A.
    pub full_name: String,
    /// What differs, in a fixed order: address, full_name, kind, template.
    pub changes: Vec<FieldChange>,
}

/// An address that disappeared from A and reappeared under another address in
/// B, recognised by identical full name, kind and template data within the scope
/// (only when the match is unique on both sides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    /// The entry in A.
    pub from: EntryRef,
    /// The entry in B.
    pub to: EntryRef,
}

/// Template definitions (TPL lines) of a scope that differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateDefChange {
    /// TPL lines in A (`None`: no definition in A).
    pub a: Option<Vec<String>>,
    /// TPL lines in B (`None`: no definition in B).
    pub b: Option<Vec<String>>,
}

/// Counts of one scope (or of all scopes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Entries in A.
    pub entries_a: usize,
    /// Entries in B.
    pub entries_b: usize,
    /// Entries only in A.
    pub only_in_a: usize,
    /// Entries only in B.
    pub only_in_b: usize,
    /// Address renames (counted once, not also as only-in-A/only-in-B).
    pub renamed: usize,
    /// Same address, other content.
    pub changed: usize,
    /// Same address, same content.
    pub unchanged: usize,
}

impl Counts {
    /// Number of differences (only-in-A + only-in-B + renamed + changed).
    pub fn differences(&self) -> usize {
        self.only_in_a + self.only_in_b + self.renamed + self.changed
    }

    pub(super) fn add(&mut self, o: &Counts) {
        self.entries_a += o.entries_a;
        self.entries_b += o.entries_b;
        self.only_in_a += o.only_in_a;
        self.only_in_b += o.only_in_b;
        self.renamed += o.renamed;
        self.changed += o.changed;
        self.unchanged += o.unchanged;
    }
}

/// The differences inside one address scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeDiff {
    /// The scope (`PCM:NET/PO`, `SMTP:`...).
    pub scope: String,
    /// Counts for this scope.
    pub counts: Counts,
    /// Entries only in A, sorted by address key.
    pub only_in_a: Vec<EntryRef>,
    /// Entries only in B, sorted by address key.
    pub only_in_b: Vec<EntryRef>,
    /// Address renames, sorted by A's address key.
    pub renamed: Vec<Renamed>,
    /// Changed entries, sorted by address key.
    pub changed: Vec<ChangedEntry>,
    /// The scope's template definition, when it differs.
    pub template_definition: Option<TemplateDefChange>,
}

impl ScopeDiff {
    /// A scope with no entries on either side whose template definition
    /// differs.
    pub(super) fn template_only(scope: String, change: TemplateDefChange) -> ScopeDiff {
        ScopeDiff {
            scope,
            counts: Counts::default(),
            only_in_a: Vec::new(),
            only_in_b: Vec::new(),
            renamed: Vec::new(),
            changed: Vec::new(),
            template_definition: Some(change),
        }
    }

    /// True when nothing in this scope differs.
    pub fn is_identical(&self) -> bool {
        self.counts.differences() == 0 && self.template_definition.is_none()
    }
}

/// The differences between two directories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectoryDiff {
    /// Counts over all scopes.
    pub totals: Counts,
    /// Every scope present on either side, sorted by scope key.
    pub scopes: Vec<ScopeDiff>,
}

impl DirectoryDiff {
    /// True when the directories hold the same entries and template definitions.
    pub fn is_identical(&self) -> bool {
        self.scopes.iter().all(ScopeDiff::is_identical)
    }
}

/// Builder state of one scope while the engine runs.
struct ScopeWork<'a> {
    /// The entry with the smallest address key: names the scope deterministically.
    namer: (&'a AddressKey, &'a Entry),
    counts: Counts,
    only_a: Vec<(&'a AddressKey, &'a Entry)>,
    only_b: Vec<(&'a AddressKey, &'a Entry)>,
    changed: Vec<(&'a AddressKey, ChangedEntry)>,
}

impl<'a> ScopeWork<'a> {
    fn new(k: &'a AddressKey, e: &'a Entry) -> ScopeWork<'a> {
        ScopeWork {
            namer: (k, e),
            counts: Counts::default(),
            only_a: Vec::new(),
            only_b: Vec::new(),
            changed: Vec::new(),
        }
    }
}

/// The field-by-field differences of two entries with the same identity, in a
/// fixed order: address spelling, full name, kind, template data.
pub fn entry_changes(a: &Entry, b: &Entry) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if a.address.type_name != b.address.type_name || a.address.body != b.address.body {
        out.push(FieldChange::new(
            "address",
            Some(a.address.to_string()),
            Some(b.address.to_string()),
        ));
    }
    if a.full_name != b.full_name {
        out.push(FieldChange::new(
            "full_name",
            Some(a.full_name.to_string()),
            Some(b.full_name.to_string()),
        ));
    }
    if a.kind != b.kind {
        out.push(FieldChange::new(
            "kind",
            Some(a.kind.as_str().into()),
            Some(b.kind.as_str().into()),
        ));
    }
    if a.template != b.template {
        out.extend(template_changes(&a.template, &b.template));
    }
    out
}

/// Template data compared by prompt (first occurrence), prompts in A's order then
/// B's new ones. When every prompt agrees but the lists still differ (order or
/// repeated prompts), one `template_order` change shows both lists.
fn template_changes(a: &[TemplateValue], b: &[TemplateValue]) -> Vec<FieldChange> {
    fn first(list: &[TemplateValue]) -> HashMap<&str, &str> {
        let mut m = HashMap::with_capacity(list.len());
        for t in list {
            m.entry(t.prompt.as_str()).or_insert(t.value.as_str());
        }
        m
    }
    let (ma, mb) = (first(a), first(b));
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for t in a.iter().chain(b.iter()) {
        if !seen.insert(t.prompt.as_str()) {
            continue;
        }
        let va = ma.get(t.prompt.as_str()).copied();
        let vb = mb.get(t.prompt.as_str()).copied();
        if va != vb {
            out.push(FieldChange::new(
                format!("template:{}", t.prompt),
                va.map(str::to_string),
                vb.map(str::to_string),
            ));
        }
    }
    if out.is_empty() {
        let join = |l: &[TemplateValue]| {
            l.iter()
                .map(|t| format!("{}/{}", t.prompt, t.value))
                .collect::<Vec<_>>()
                .join("; ")
        };
        out.push(FieldChange::new(
            "template_order",
            Some(join(a)),
            Some(join(b)),
        ));
    }
    out
}

/// TPL lines of a template definition (`prompt~start~width~edit~data~internal`).
fn tpl_lines(def: &TemplateDef) -> Vec<String> {
    def.fields
        .iter()
        .map(|f| {
            format!(
                "{}~{}~{}~{}~{}~{}",
                f.prompt, f.start, f.width, f.edit, f.data, f.internal
            )
        })
        .collect()
}

/// Compares two directories scope by scope. Entries are matched by identity
/// (address, CP850 case-insensitive); origins are ignored. Linear: one hash
/// lookup per entry, then the differences (only) are sorted.
pub fn diff_directories(a: &Directory, b: &Directory) -> DirectoryDiff {
    let def_changes = template_def_changes(&a.templates, &b.templates);
    diff_entries(a, b, def_changes)
}

/// The template definitions that differ, by scope key: the scope's name and
/// both sides' TPL lines.
pub(super) fn template_def_changes(
    a: &BTreeMap<String, TemplateDef>,
    b: &BTreeMap<String, TemplateDef>,
) -> BTreeMap<String, (String, TemplateDefChange)> {
    let mut defs: BTreeMap<&str, (Option<&TemplateDef>, Option<&TemplateDef>)> = BTreeMap::new();
    for (k, d) in a {
        defs.entry(k.as_str()).or_default().0 = Some(d);
    }
    for (k, d) in b {
        defs.entry(k.as_str()).or_default().1 = Some(d);
    }
    let mut def_changes: BTreeMap<String, (String, TemplateDefChange)> = BTreeMap::new();
    for (k, (da, db)) in defs {
        let la = da.map(tpl_lines);
        let lb = db.map(tpl_lines);
        if la != lb {
            let name = da.or(db).map(|d| d.scope.to_string()).unwrap_or_default();
            def_changes.insert(k.to_string(), (name, TemplateDefChange { a: la, b: lb }));
        }
    }
    def_changes
}

/// [`diff_directories`] of the entries, with the template definitions'
/// changes given (by scope key).
pub(super) fn diff_entries(
    a: &Directory,
    b: &Directory,
    mut def_changes: BTreeMap<String, (String, TemplateDefChange)>,
) -> DirectoryDiff {
    // Scope key (borrowed from the stored address keys) -> work.
    let mut scopes: HashMap<&str, ScopeWork<'_>> = HashMap::new();
    fn work<'s, 'a>(
        scopes: &'s mut HashMap<&'a str, ScopeWork<'a>>,
        k: &'a AddressKey,
        e: &'a Entry,
    ) -> &'s mut ScopeWork<'a> {
        let w = scopes
            .entry(k.scope_key())
            .or_insert_with(|| ScopeWork::new(k, e));
        if k < w.namer.0 {
            w.namer = (k, e);
        }
        w
    }
    for (key, ea) in a.iter_keyed() {
        let w = work(&mut scopes, key, ea);
        w.counts.entries_a += 1;
        match b.get(key) {
            None => w.only_a.push((key, ea)),
            Some(eb) => {
                let changes = entry_changes(ea, eb);
                if changes.is_empty() {
                    w.counts.unchanged += 1;
                } else {
                    w.counts.changed += 1;
                    w.changed.push((
                        key,
                        ChangedEntry {
                            address: ea.address.to_string(),
                            full_name: ea.full_name.to_string(),
                            changes,
                        },
                    ));
                }
            }
        }
    }
    for (key, eb) in b.iter_keyed() {
        let w = work(&mut scopes, key, eb);
        w.counts.entries_b += 1;
        if !a.contains_key(key) {
            w.only_b.push((key, eb));
        }
    }
    // Every scope key, sorted: entry scopes and template-only scopes.
    let mut keys: Vec<String> = scopes.keys().map(|k| k.to_string()).collect();
    keys.extend(
        def_changes
            .keys()
            .filter(|k| !scopes.contains_key(k.as_str()))
            .cloned(),
    );
    keys.sort_unstable();

    let mut totals = Counts::default();
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let def = def_changes.remove(&k);
        let Some(mut w) = scopes.remove(k.as_str()) else {
            // A scope with a template definition and no entries.
            if let Some((name, change)) = def {
                out.push(ScopeDiff::template_only(name, change));
            }
            continue;
        };
        let renamed = pair_renames(&mut w);
        w.only_a.sort_unstable_by(|x, y| x.0.cmp(y.0));
        w.only_b.sort_unstable_by(|x, y| x.0.cmp(y.0));
        w.changed.sort_unstable_by(|x, y| x.0.cmp(y.0));
        w.counts.renamed = renamed.len();
        w.counts.only_in_a = w.only_a.len();
        w.counts.only_in_b = w.only_b.len();
        totals.add(&w.counts);
        out.push(ScopeDiff {
            scope: w.namer.1.scope().to_string(),
            counts: w.counts,
            only_in_a: w.only_a.iter().map(|(_, e)| EntryRef::of(e)).collect(),
            only_in_b: w.only_b.iter().map(|(_, e)| EntryRef::of(e)).collect(),
            renamed,
            changed: w.changed.into_iter().map(|(_, c)| c).collect(),
            template_definition: def.map(|(_, c)| c),
        });
    }
    DirectoryDiff {
        totals,
        scopes: out,
    }
}

/// Moves unique (full name, kind, template) matches between only-in-A and
/// only-in-B into a rename list, sorted by A's address key. Linear.
fn pair_renames(w: &mut ScopeWork<'_>) -> Vec<Renamed> {
    if w.only_a.is_empty() || w.only_b.is_empty() {
        return Vec::new();
    }
    type Sig<'e> = (&'e str, EntryKind, &'e [TemplateValue]);
    fn sig(e: &Entry) -> Sig<'_> {
        (e.full_name.as_str(), e.kind, e.template.as_slice())
    }
    let mut count_a: HashMap<Sig<'_>, usize> = HashMap::new();
    for (_, e) in &w.only_a {
        *count_a.entry(sig(e)).or_default() += 1;
    }
    let mut in_b: HashMap<Sig<'_>, (usize, usize)> = HashMap::new();
    for (i, (_, e)) in w.only_b.iter().enumerate() {
        let slot = in_b.entry(sig(e)).or_insert((0, i));
        slot.0 += 1;
    }
    let mut take_b = vec![false; w.only_b.len()];
    let mut renamed: Vec<(&AddressKey, Renamed)> = Vec::new();
    let mut keep_a = Vec::with_capacity(w.only_a.len());
    for (k, ea) in std::mem::take(&mut w.only_a) {
        let s = sig(ea);
        let unique_a = count_a.get(&s) == Some(&1);
        match in_b.get(&s) {
            Some(&(1, j)) if unique_a && !ea.full_name.is_empty() => {
                if let (Some(t), Some((_, eb))) = (take_b.get_mut(j), w.only_b.get(j)) {
                    *t = true;
                    renamed.push((
                        k,
                        Renamed {
                            from: EntryRef::of(ea),
                            to: EntryRef::of(eb),
                        },
                    ));
                    continue;
                }
                keep_a.push((k, ea));
            }
            _ => keep_a.push((k, ea)),
        }
    }
    w.only_a = keep_a;
    let mut i = 0;
    w.only_b.retain(|_| {
        let keep = !take_b.get(i).copied().unwrap_or(false);
        i += 1;
        keep
    });
    renamed.sort_unstable_by(|x, y| x.0.cmp(y.0));
    renamed.into_iter().map(|(_, r)| r).collect()
}
