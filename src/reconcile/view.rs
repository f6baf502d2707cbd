//! The server's view of each postoffice: USR lists plus an idempotent replay of
//! master transactions, with every entry assigned to the postoffice that owns it.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::model::{AddressKey, Directory, Entry, EntryKind, Operation, Scope};

use super::MasterTransaction;

/// Key of a scope as used in every map of this module (`Scope::key`).
pub type ScopeKey = String;

/// Which postoffice owns `entry` when it arrives in the context of `context`
/// (a USR list's scope, a transaction's origin, an evidence's scope).
///
/// PCM entries belong to their own `PCM:NET/PO` scope wherever they appear;
/// gateway (non-PCM) entries belong to the postoffice that originated them.
pub fn owner_of(entry: &Entry, context: &Scope) -> Scope {
    if entry.address.is_pcm() {
        entry.scope()
    } else {
        context.clone()
    }
}

/// Per-postoffice directories keyed by scope key, plus the scope spelling.
#[derive(Debug, Clone, Default)]
pub struct Views {
    /// Directory of each postoffice by scope key.
    pub lists: HashMap<ScopeKey, Directory>,
    /// The scope each key was first seen with (for display).
    pub scopes: BTreeMap<ScopeKey, Scope>,
    /// Addresses seen as groups (in a list or a transaction). Transactions
    /// carry no user/group kind, so an `A` of one of these keeps it a group.
    pub groups: HashSet<AddressKey>,
    /// The postoffice whose list holds each gateway (non-PCM) address: a
    /// gateway entry lives in one list, and a transaction from another
    /// origin moves it there.
    pub gateway_owner: HashMap<AddressKey, ScopeKey>,
}

impl Views {
    /// Empty views.
    pub fn new() -> Views {
        Views::default()
    }

    /// Registers a postoffice (so it is listed even when empty).
    pub fn touch(&mut self, scope: &Scope) -> &mut Directory {
        let key = scope.key();
        self.scopes
            .entry(key.clone())
            .or_insert_with(|| scope.clone());
        self.lists.entry(key).or_default()
    }

    /// The directory of one postoffice, if known.
    pub fn get(&self, scope_key: &str) -> Option<&Directory> {
        self.lists.get(scope_key)
    }

    /// Loads a USR (or POL) list of `scope`: each entry goes to its owner.
    pub fn load_list(&mut self, scope: &Scope, list: &Directory) {
        let list_key = scope.key();
        let mut foreign: Vec<(Scope, &Entry)> = Vec::new();
        let mut groups = Vec::new();
        {
            // Fast path: entries of the list's own scope (and its gateway
            // entries) go straight into its directory.
            let own = self.touch(scope);
            // In insertion order, so the views' order is deterministic too.
            for e in list.iter() {
                if e.kind == EntryKind::Group {
                    groups.push(e.key());
                }
                if e.address.is_pcm() && e.key().scope_key() != list_key {
                    foreign.push((e.scope(), e));
                    continue;
                }
                own.upsert(e.clone());
            }
        }
        for e in list.iter().filter(|e| !e.address.is_pcm()) {
            self.claim_gateway(e.key(), &list_key);
        }
        for (owner, e) in foreign {
            self.touch(&owner).upsert(e.clone());
        }
        // Group members follow their group into its owner's view.
        for k in &groups {
            if let Some(m) = list.members(k) {
                let owner = match k.scope_key() {
                    s if s == list_key => scope.clone(),
                    _ => list
                        .get(k)
                        .map_or_else(|| scope.clone(), |e| owner_of(e, scope)),
                };
                self.touch(&owner).set_members(k, m.to_vec());
            }
        }
        self.groups.extend(groups);
        for def in list.templates.values() {
            let owner = template_owner(&def.scope, scope);
            self.touch(&owner).apply(Operation::Template(def.clone()));
        }
    }

    /// Like [`Views::load_list`], but takes the list by value: when the list
    /// holds only entries its own scope owns (the usual USR list) and this
    /// scope's view is still empty, the list itself becomes the view, moved
    /// rather than copied entry by entry. Same result as `load_list`.
    pub fn load_list_owned(&mut self, scope: &Scope, mut list: Directory) {
        let list_key = scope.key();
        let fresh = self
            .lists
            .get(&list_key)
            .is_none_or(|d| d.is_empty() && d.templates.is_empty());
        let foreign = list
            .iter_keyed()
            .any(|(k, e)| e.address.is_pcm() && k.scope_key() != list_key);
        if !fresh || foreign {
            self.load_list(scope, &list);
            return;
        }
        self.groups.extend(
            list.iter_keyed()
                .filter(|(_, e)| e.kind == EntryKind::Group)
                .map(|(k, _)| k.clone()),
        );
        let gateway: Vec<AddressKey> = list
            .iter_keyed()
            .filter(|(_, e)| !e.address.is_pcm())
            .map(|(k, _)| k.clone())
            .collect();
        for k in gateway {
            self.claim_gateway(k, &list_key);
        }
        // Template definitions another postoffice owns go to that owner.
        let moved: Vec<String> = list
            .templates
            .iter()
            .filter(|(_, def)| template_owner(&def.scope, scope).key() != list_key)
            .map(|(k, _)| k.clone())
            .collect();
        let mut others = Vec::with_capacity(moved.len());
        for k in moved {
            if let Some(def) = list.templates.remove(&k) {
                others.push(def);
            }
        }
        self.touch(scope);
        self.lists.insert(list_key, list);
        for def in others {
            let owner = template_owner(&def.scope, scope);
            self.touch(&owner).apply(Operation::Template(def));
        }
    }

    /// Records that `owner`'s list holds gateway address `key`; when another
    /// list held it, it is removed there (one list per gateway address).
    fn claim_gateway(&mut self, key: AddressKey, owner: &str) {
        if let Some(prev) = self.gateway_owner.insert(key.clone(), owner.to_string()) {
            if prev != owner {
                if let Some(d) = self.lists.get_mut(&prev) {
                    d.remove(&key);
                }
            }
        }
    }

    /// The list a gateway address lives in now, else `owner_of` it.
    fn current_owner(&self, e: &Entry, origin: &Scope) -> Scope {
        if !e.address.is_pcm() {
            if let Some(k) = self.gateway_owner.get(&e.key()) {
                if let Some(s) = self.scopes.get(k) {
                    return s.clone();
                }
            }
        }
        owner_of(e, origin)
    }

    /// Replays one transaction (idempotently) with the given origin.
    ///
    /// `A` upserts, `D` removes if present, `M` re-keys old → new (and does
    /// nothing when old is gone and new already exists: it was applied before),
    /// `R PCM:NET/PO` clears that postoffice's PCM entries (its gateway
    /// entries are other scopes and stay); `R` of a gateway scope clears that
    /// scope inside the origin's list; `T` records the template definition.
    /// A gateway address lives in one list: an `A` from another origin moves
    /// it. Empty operation lists (placeholders) do nothing.
    pub fn replay(&mut self, origin: &Scope, op: &Operation) {
        match op {
            Operation::Add(e) => {
                let owner = owner_of(e, origin);
                let key = e.key();
                let mut e = e.clone();
                super::templates::normalise_template(&mut e);
                if e.kind == EntryKind::Group {
                    self.groups.insert(key.clone());
                } else if self.groups.contains(&key) {
                    // A transaction cannot say "group": keep what the server knew.
                    e.kind = EntryKind::Group;
                }
                let gateway = !e.address.is_pcm();
                self.touch(&owner).upsert(e);
                if gateway {
                    self.claim_gateway(key, &owner.key());
                }
            }
            Operation::Delete(e) => {
                let owner = self.current_owner(e, origin);
                self.touch(&owner).remove(&e.key());
                if !e.address.is_pcm() {
                    self.gateway_owner.remove(&e.key());
                }
            }
            Operation::Modify { old, new } => {
                let old_owner = self.current_owner(old, origin);
                let new_owner = owner_of(new, origin);
                let new_is_pcm = new.address.is_pcm();
                let old_key = old.key();
                let new_key = new.key();
                let prev = self.touch(&old_owner).remove(&old_key);
                let mut new = new.clone();
                super::templates::normalise_template(&mut new);
                match prev {
                    Some(prev) => {
                        if new.template.is_empty() {
                            new.template = prev.template;
                        }
                        new.kind = prev.kind;
                        self.touch(&new_owner).upsert(new);
                    }
                    None => {
                        let target = self.touch(&new_owner);
                        if target.get(&new_key).is_none() {
                            target.upsert(new);
                        }
                    }
                }
                if !old.address.is_pcm() {
                    self.gateway_owner.remove(&old_key);
                }
                if !new_is_pcm {
                    self.claim_gateway(new_key, &new_owner.key());
                }
            }
            Operation::Replace(scope) => {
                // `R` throws away what is known for its scope (formats-text
                // §1): `R PCM:NET/PO` that postoffice's PCM entries, `R` of
                // a gateway scope that scope's entries in the origin's list.
                let holder = if scope.type_name == "PCM" {
                    scope.clone()
                } else {
                    origin.clone()
                };
                let removed: Vec<AddressKey> = self
                    .touch(&holder)
                    .in_scope(scope)
                    .into_iter()
                    .filter(|e| !e.address.is_pcm())
                    .map(|e| e.key())
                    .collect();
                self.touch(&holder).clear_scope(scope);
                for k in removed {
                    self.gateway_owner.remove(&k);
                }
            }
            Operation::Template(def) => {
                let owner = template_owner(&def.scope, origin);
                self.touch(&owner).apply(Operation::Template(def.clone()));
            }
        }
    }

    /// Replays master transactions in sync order (stable for equal syncs).
    /// An origin that is not a valid `NET/PO` is read as a PCM scope anyway.
    pub fn replay_all<'a>(&mut self, master: impl IntoIterator<Item = &'a MasterTransaction>) {
        let mut txs: Vec<&MasterTransaction> = master.into_iter().collect();
        txs.sort_by_key(|t| t.sync);
        for t in txs {
            let origin = origin_scope(&t.origin);
            self.touch(&origin);
            for op in &t.operations {
                self.replay(&origin, op);
            }
        }
    }
}

/// The scope of a transaction origin `NET/PO` (or `TYPE:GATE/NODE`).
pub fn origin_scope(origin: &str) -> Scope {
    let o = origin.trim();
    match Scope::parse(o) {
        Ok(s) if o.contains(':') => s,
        _ => Scope {
            type_name: "PCM".into(),
            body: o.to_string(),
        },
    }
}

/// The `NET/PO` origin text of a scope (body for PCM, full text otherwise).
pub fn scope_origin(scope: &Scope) -> String {
    if scope.type_name == "PCM" {
        scope.body.clone()
    } else {
        scope.to_string()
    }
}

fn template_owner(def_scope: &Scope, context: &Scope) -> Scope {
    if def_scope.type_name == "PCM" {
        def_scope.clone()
    } else {
        context.clone()
    }
}

/// Removes every entry of a directory, keeping its template definitions.
pub fn clear_entries(d: &mut Directory) {
    let templates = std::mem::take(&mut d.templates);
    *d = Directory::new();
    d.templates = templates;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Address;

    fn e(name: &str, addr: &str) -> Entry {
        Entry::new(name, Address::parse(addr).unwrap())
    }

    #[test]
    fn gateway_entries_go_to_origin_pcm_to_own_scope() {
        let p = Scope::postoffice("N", "P");
        let g = e("Gw", "SMTP:a@b.c");
        assert_eq!(owner_of(&g, &p).key(), p.key());
        let q = e("Q", "PCM:N/Q/X");
        assert_eq!(owner_of(&q, &p).key(), "PCM:N/Q");
    }

    #[test]
    fn replay_is_idempotent() {
        let p = Scope::postoffice("N", "P");
        let txs = vec![
            MasterTransaction {
                sync: 1,
                origin: "N/P".into(),
                operations: vec![
                    Operation::Add(e("A", "PCM:N/P/A")),
                    Operation::Add(e("B", "PCM:N/P/B")),
                    Operation::Add(e("G", "SMTP:g@x")),
                ],
            },
            MasterTransaction {
                sync: 2,
                origin: "N/P".into(),
                operations: vec![
                    Operation::Modify {
                        old: e("B", "PCM:N/P/B"),
                        new: e("Bee", "PCM:N/P/BEE"),
                    },
                    Operation::Delete(e("A", "PCM:N/P/A")),
                ],
            },
        ];
        let mut v = Views::new();
        v.replay_all(&txs);
        v.replay_all(&txs);
        let d = v.get(&p.key()).unwrap();
        assert_eq!(d.len(), 2);
        assert!(d
            .get(&Address::parse("PCM:N/P/BEE").unwrap().key())
            .is_some());
        assert!(d.get(&Address::parse("SMTP:g@x").unwrap().key()).is_some());
        // R of the postoffice clears its PCM entries; its gateway entries
        // are another scope and stay.
        v.replay(&p, &Operation::Replace(p.clone()));
        assert_eq!(v.get(&p.key()).unwrap().len(), 1);
        v.replay(&p, &Operation::Replace(Scope::parse("SMTP:").unwrap()));
        assert!(v.get(&p.key()).unwrap().is_empty());
        // A gateway address moves to the origin that adds it.
        let q = Scope::postoffice("N", "Q");
        v.replay(&p, &Operation::Add(e("G", "SMTP:g@x")));
        v.replay(&q, &Operation::Add(e("G2", "SMTP:g@x")));
        assert!(v.get(&p.key()).unwrap().is_empty());
        assert_eq!(v.get(&q.key()).unwrap().len(), 1);
    }

    /// `load_list_owned` gives what `load_list` gives: own entries moved,
    /// a foreign PCM entry sent to its owner, groups remembered, and a view
    /// that already holds entries merged with, not replaced by, the list.
    #[test]
    fn owned_load_equals_borrowed_load() {
        use crate::model::TemplateDef;
        let p = Scope::postoffice("N", "P");
        let q = Scope::postoffice("N", "Q");
        let mut g = e("Group", "PCM:N/P/G");
        g.kind = EntryKind::Group;
        let plain: Directory = [e("A", "PCM:N/P/A"), g, e("Gw", "SMTP:a@b.c")]
            .into_iter()
            .collect();
        let mut with_foreign = plain.clone();
        with_foreign.upsert(e("Q", "PCM:N/Q/X"));
        with_foreign.templates.insert(
            q.key(),
            TemplateDef {
                scope: q.clone(),
                fields: Vec::new(),
            },
        );
        let order = |v: &Views, k: &str| -> Vec<String> {
            v.get(k)
                .map(|d| d.iter().map(|e| e.address.to_string()).collect())
                .unwrap_or_default()
        };
        for list in [plain, with_foreign] {
            for preloaded in [false, true] {
                let mut a = Views::new();
                let mut b = Views::new();
                if preloaded {
                    let q_list: Directory = [e("P2", "PCM:N/P/B")].into_iter().collect();
                    a.load_list(&q, &q_list);
                    b.load_list(&q, &q_list);
                    a.replay(&p, &Operation::Add(e("Z", "PCM:N/P/Z")));
                    b.replay(&p, &Operation::Add(e("Z", "PCM:N/P/Z")));
                }
                a.load_list(&p, &list);
                b.load_list_owned(&p, list.clone());
                assert_eq!(
                    a.scopes.keys().collect::<Vec<_>>(),
                    b.scopes.keys().collect::<Vec<_>>()
                );
                for k in a.scopes.keys() {
                    assert_eq!(order(&a, k), order(&b, k), "{k}");
                    let (ta, tb) = (&a.get(k).unwrap().templates, &b.get(k).unwrap().templates);
                    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
                }
                assert_eq!(a.groups, b.groups);
                assert!(b
                    .groups
                    .contains(&Address::parse("PCM:N/P/G").unwrap().key()));
            }
        }
    }

    #[test]
    fn origin_forms() {
        assert_eq!(origin_scope("N/P").key(), "PCM:N/P");
        assert_eq!(origin_scope("PROFS:G/N").key(), "PROFS:G/N");
        assert_eq!(scope_origin(&Scope::postoffice("N", "P")), "N/P");
    }
}
