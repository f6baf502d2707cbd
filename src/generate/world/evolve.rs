//! How a world is built and lives: the postoffices and their users, groups
//! and templates ([`World::new`]), random changes, and the Dir-Sync cycles
//! that number and spread them.

use std::collections::{BTreeMap, HashSet};

use crate::generate::names::{self, fold_ascii, DEPTS, NETWORKS, PLACES};
use crate::generate::rng::SplitMix64;
use crate::model::{
    Address, AddressKey, Directory, Entry, EntryKind, Operation, Scope, TemplateDef, TemplateField,
    TemplateValue,
};

use super::{
    GatewayNode, GroupSpec, MasterTx, PostOfficeState, ServerState, World, WorldParams, BASE_TIME,
    DAY, KEEP_DAYS,
};

/// Prompts of every postoffice template.
const TEMPLATE: &[(&str, u16)] = &[
    ("Phone:", 20),
    ("Office:", 10),
    ("City//Zip:", 25),
    ("Dept:", 14),
];

fn template_def(scope: Scope) -> TemplateDef {
    let mut start = 12;
    let fields = TEMPLATE
        .iter()
        .map(|(p, w)| {
            let f = TemplateField {
                prompt: p.replace("//", "/"),
                start,
                width: *w,
                edit: if *p == "Phone:" {
                    "NP".into()
                } else {
                    "A".into()
                },
                data: String::new(),
                internal: String::new(),
                written_fields: 6,
            };
            start += 1;
            f
        })
        .collect();
    TemplateDef { scope, fields }
}

fn template_values(rng: &mut SplitMix64) -> Vec<TemplateValue> {
    if rng.chance(1, 3) {
        return Vec::new();
    }
    let dept = rng.pick(DEPTS).copied().unwrap_or("Sales");
    let city = rng.pick(PLACES).copied().unwrap_or("OSLO");
    vec![
        TemplateValue {
            prompt: "Phone:".into(),
            value: compact_str::format_compact!("+41 44 555 {:04}", rng.below(10_000)),
        },
        TemplateValue {
            prompt: "Office:".into(),
            value: compact_str::format_compact!("B{}/{:03}", rng.range(1, 9), rng.below(1000)),
        },
        TemplateValue {
            prompt: "City/Zip:".into(),
            value: compact_str::format_compact!("{}, {:05}", city, rng.below(100_000)),
        },
        TemplateValue {
            prompt: "Dept:".into(),
            value: dept.into(),
        },
    ]
}

impl World {
    /// Builds the postoffices, their users, groups, templates and gateway
    /// entries. No Dir-Sync history yet (see [`World::initial_load`]).
    pub fn new(params: WorldParams) -> World {
        let n = params.postoffices.max(2);
        let users = params.users.max(4);
        let mut rng = SplitMix64::fork(params.seed, 1);
        let nets = (1 + n / 8).min(NETWORKS.len()).max(2.min(n));
        let mut pos = Vec::with_capacity(n);
        for i in 0..n {
            let network = NETWORKS.get(i % nets).copied().unwrap_or("NET").to_string();
            let place = PLACES.get(i % PLACES.len()).copied().unwrap_or("PO");
            let name = if i < PLACES.len() {
                place.to_string()
            } else {
                let suffix = (i / PLACES.len()).to_string();
                let keep = 10 - suffix.len();
                format!(
                    "{}{}",
                    place.get(..keep.min(place.len())).unwrap_or(place),
                    suffix
                )
            };
            let scope = Scope::postoffice(&network, &name);
            let mut po = PostOfficeState {
                network,
                name,
                list: Directory::new(),
                groups: Vec::new(),
                template: template_def(scope),
                gateways: Vec::new(),
                reqsync: 0,
                srvsync: 0,
                queue: Vec::new(),
                last_t1: 0,
                last_t3: 0,
                used_mailboxes: HashSet::new(),
            };
            po.used_mailboxes.insert("ADMIN".into());
            po.list.reserve(users);
            for u in 0..users {
                let e = new_user(&mut rng, &mut po, u % 9 == 4);
                po.list.upsert(e);
            }
            let groups = 1 + users / 20;
            for g in 0..groups {
                let dept = DEPTS.get((i + g) % DEPTS.len()).copied().unwrap_or("Team");
                let stem = format!("G{}", fold_ascii(dept));
                let mailbox = po.fresh_mailbox(&stem);
                let mut e = Entry::new(
                    format!("{dept} {}", po.name),
                    Address::pcm(&po.network, &po.name, &mailbox),
                );
                e.kind = EntryKind::Group;
                let members: Vec<String> = po
                    .list
                    .iter()
                    .filter(|e| e.kind == EntryKind::User)
                    .filter(|_| rng.chance(1, 4))
                    .take(6)
                    .filter_map(|e| e.address.parts().map(|(_, _, m)| m.to_string()))
                    .collect();
                po.list.upsert(e);
                po.groups.push(GroupSpec { mailbox, members });
            }
            if i % 4 == 1 {
                let (ty, gate, node) = if i % 8 == 1 {
                    ("PROFS", "PROFSGW", format!("VM{i}"))
                } else {
                    ("SNADS", "SNADSGW", format!("DGN{i}"))
                };
                let mut entries = Vec::new();
                for _ in 0..3 {
                    let (full, stem) = names::person(&mut rng);
                    let user: String = stem.chars().take(8).collect();
                    entries.push(Entry::new(
                        full,
                        Address {
                            type_name: ty.into(),
                            body: compact_str::format_compact!(
                                "{gate}/{node}/{user}{}",
                                entries.len()
                            ),
                        },
                    ));
                }
                po.gateways.push(GatewayNode {
                    address_type: ty.into(),
                    gate: gate.into(),
                    node,
                    entries,
                });
            }
            pos.push(po);
        }
        let server = ServerState {
            reqsync: vec![0; n],
            srvsync: vec![0; n],
            last_cycle: vec![0; n],
            last_update: vec![0; n],
            ..ServerState::default()
        };
        World {
            params,
            pos,
            server,
            now: BASE_TIME,
            rng: SplitMix64::fork(params.seed, 2),
        }
    }

    /// The Dir-Sync server's own postoffice.
    pub fn server_po(&self) -> &PostOfficeState {
        &self.pos[0]
    }

    /// Cycle 1: every postoffice exports its whole list (`R`, `T`, one `A` per
    /// entry, and its gateway nodes); the server numbers them all and every
    /// requestor receives everything. These transactions are old enough to be
    /// purged from MSTTRANS later, so they are only counted, never built (a
    /// million-entry world would otherwise copy every entry into an operation
    /// that is dropped at once).
    pub fn initial_load(&mut self) {
        let sent: Vec<(usize, Sent)> = self
            .pos
            .iter_mut()
            .enumerate()
            .map(|(p, po)| {
                // Whatever was queued, then R and T, an A per entry, and R
                // and an A per entry of each gateway node.
                let queued = std::mem::take(&mut po.queue).len();
                let gateways: usize = po.gateways.iter().map(|g| 1 + g.entries.len()).sum();
                (p, Sent::Count(queued + 2 + po.list.len() + gateways))
            })
            .collect();
        let all: Vec<usize> = (0..self.pos.len()).collect();
        self.run_cycle(sent, &all, false);
    }

    /// Makes `count` random administrator changes on postoffice `p` (T0): adds,
    /// deletes, renames, template changes and mailbox changes (`M`). Each is
    /// applied to the postoffice's list and queued for REQTRANS.
    pub fn random_changes(&mut self, p: usize, count: usize) -> Vec<Operation> {
        self.random_changes_tracked(p, count, None)
    }

    /// Like [`World::random_changes`]; with `before`, records for every address
    /// an operation touches its entry as it was before the first change
    /// (`None` = absent) — the ground truth of what a restore lost.
    pub fn random_changes_tracked(
        &mut self,
        p: usize,
        count: usize,
        mut before: Option<&mut BTreeMap<AddressKey, Option<Entry>>>,
    ) -> Vec<Operation> {
        let mut made = Vec::new();
        for _ in 0..count {
            let Some(op) = self.random_change(p) else {
                continue;
            };
            if let Some(po) = self.pos.get_mut(p) {
                if let Some(map) = before.as_deref_mut() {
                    let keys: Vec<AddressKey> = match &op {
                        Operation::Add(e) | Operation::Delete(e) => vec![e.key()],
                        Operation::Modify { old, new } => vec![old.key(), new.key()],
                        _ => Vec::new(),
                    };
                    for k in keys {
                        let prev = po.list.get(&k).cloned();
                        map.entry(k).or_insert(prev);
                    }
                }
                po.list.apply(op.clone());
                po.queue.push(op.clone());
            }
            made.push(op);
        }
        made
    }

    fn random_change(&mut self, p: usize) -> Option<Operation> {
        let rng = &mut self.rng;
        let po = self.pos.get_mut(p)?;
        let kind = rng.below(20);
        let user_count = po.list.iter().filter(|e| e.kind == EntryKind::User).count();
        if kind < 7 || user_count < 3 {
            return Some(Operation::Add(new_user(rng, po, false)));
        }
        let pick = rng.below(user_count);
        let old = po
            .list
            .iter()
            .filter(|e| e.kind == EntryKind::User)
            .nth(pick)?
            .clone();
        Some(match kind {
            7..=10 => {
                let mut d = old;
                d.template.clear();
                Operation::Delete(d)
            }
            11..=14 => {
                let mut e = old;
                e.full_name = names::person(rng).0.into();
                Operation::Add(e)
            }
            15..=17 => {
                let mut e = old;
                let dept = rng.pick(DEPTS).copied().unwrap_or("Support");
                e.template = template_values(rng);
                if let Some(tv) = e.template.iter_mut().find(|t| t.prompt == "Dept:") {
                    tv.value = compact_str::format_compact!("{dept} {}", rng.range(2, 9));
                }
                Operation::Add(e)
            }
            _ => {
                let stem = format!("{}X", old.address.parts()?.2);
                let mailbox = po.fresh_mailbox(&stem);
                let mut new = old.clone();
                new.address = Address::pcm(&po.network, &po.name, &mailbox);
                let mut old = old;
                old.template.clear();
                Operation::Modify { old, new }
            }
        })
    }

    /// One Dir-Sync cycle at time `now`: T1 for `senders` (their queues), T2
    /// on the server (master numbers, ReqSync^S), T3 for `senders` (REQTRANS
    /// cleared, ReqSync and SrvSync set). `receivers` (senders included) get
    /// SrvSync = Sync. With `keep`, the master transactions are kept for
    /// MSTTRANS; otherwise they are taken as already purged.
    pub fn cycle(&mut self, senders: &[usize], receivers: &[usize], keep: bool) {
        let sent: Vec<(usize, Sent)> = senders
            .iter()
            .map(|&p| {
                let queue = self
                    .pos
                    .get_mut(p)
                    .map(|po| std::mem::take(&mut po.queue))
                    .unwrap_or_default();
                (p, Sent::Operations(queue))
            })
            .collect();
        self.run_cycle(sent, receivers, keep);
    }

    /// [`World::cycle`] of what each sender sent, taken from its queue or
    /// only counted.
    fn run_cycle(&mut self, sent: Vec<(usize, Sent)>, receivers: &[usize], keep: bool) {
        self.server.cycle += 1;
        let stamp = self.now;
        let mut confirmed: BTreeMap<usize, u32> = BTreeMap::new();
        for (p, sent) in sent {
            let Some(po) = self.pos.get_mut(p) else {
                continue;
            };
            po.last_t1 = stamp;
            let count = match &sent {
                Sent::Operations(ops) => ops.len(),
                Sent::Count(n) => *n,
            };
            let x = po.reqsync + count as u32;
            match sent {
                Sent::Operations(ops) if keep => {
                    for op in ops {
                        self.server.sync += 1;
                        self.server.master.push(MasterTx {
                            sync: self.server.sync,
                            stamp,
                            origin: p,
                            op,
                        });
                    }
                }
                _ => self.server.sync += count as u32,
            }
            if let Some(r) = self.server.reqsync.get_mut(p) {
                *r = x;
            }
            if let Some(c) = self.server.last_cycle.get_mut(p) {
                *c = self.server.cycle;
            }
            if let Some(u) = self.server.last_update.get_mut(p) {
                *u = stamp;
            }
            confirmed.insert(p, x);
        }
        self.server.last_t2 = stamp + 3600;
        for &p in receivers {
            let sync = self.server.sync;
            if let Some(s) = self.server.srvsync.get_mut(p) {
                *s = sync;
            }
            if let Some(po) = self.pos.get_mut(p) {
                if let Some(&x) = confirmed.get(&p) {
                    po.reqsync = x;
                }
                po.srvsync = sync;
                po.last_t3 = stamp + 7200;
            }
        }
    }

    /// Advances the clock by `days`.
    pub fn advance(&mut self, days: u32) {
        self.now = self.now.saturating_add(days.saturating_mul(DAY));
    }

    /// The ordinary history up to a quiet, fully synchronised state: the
    /// initial load (purged later), then three daily cycles in which every
    /// postoffice except the server's makes one to three changes.
    pub fn history(&mut self) {
        self.initial_load();
        self.advance(20);
        let all: Vec<usize> = (0..self.pos.len()).collect();
        for _ in 0..3 {
            for p in 1..self.pos.len() {
                let k = self.rng.range(1, 3);
                self.random_changes(p, k);
            }
            self.cycle(&all, &all, true);
            self.advance(1);
        }
    }

    /// A random number from the world's generator.
    pub fn roll(&mut self, lo: usize, hi: usize) -> usize {
        self.rng.range(lo, hi)
    }

    /// The master transactions MSTTRANS still holds at the current time.
    pub fn kept_master(&self) -> impl Iterator<Item = &MasterTx> {
        let cutoff = self.now.saturating_sub(u32::from(KEEP_DAYS) * DAY);
        self.server.master.iter().filter(move |t| t.stamp >= cutoff)
    }

    /// Keys of every entry of postoffice `p`, for lookups.
    pub fn keys(&self, p: usize) -> Vec<AddressKey> {
        self.pos
            .get(p)
            .map(|po| po.list.iter().map(Entry::key).collect())
            .unwrap_or_default()
    }
}

/// What one postoffice sent in a cycle: its queued operations, or only how
/// many (operations the server numbers and never keeps).
enum Sent {
    /// The operations themselves.
    Operations(Vec<Operation>),
    /// Only their number.
    Count(usize),
}

fn new_user(rng: &mut SplitMix64, po: &mut PostOfficeState, ten: bool) -> Entry {
    let (full, stem) = names::person(rng);
    let stem = if ten && stem.len() >= 10 {
        stem.chars().take(10).collect()
    } else {
        stem.chars().take(rng.range(4, 8)).collect::<String>()
    };
    let mailbox = po.fresh_mailbox(&stem);
    let mut e = Entry::new(full, Address::pcm(&po.network, &po.name, &mailbox));
    e.template = template_values(rng);
    e
}
