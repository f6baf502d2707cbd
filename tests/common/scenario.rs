//! An independent restore-scenario generator: a Dir-Sync server restored from
//! a backup and its requestors' evidence, built byte by byte ([`super::bytes`])
//! from docs/formats.md — never through `msmail generate` or msmail's
//! writers — with its own ground truth: each postoffice's list at the backup
//! (what the server's view must be) and now (what the merged list must be).
//!
//! Every scenario has template data (some postoffices' server trees without
//! a TPL for them while the evidence carries values), 10/10/10 gateway nodes
//! hosted by the server and by requestors, groups, free-form gateway entries
//! known only from MSTTRANS, a purged MSTTRANS (numbering from well above 1,
//! some entries not folded into the USR lists yet), and every evidence form:
//! import text exports with and without `T`, a full export queued in
//! REQTRANS.GLB, a `[DIRSYNC]` TASK=EXPORT message, a live tree, numbers
//! only, none.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::bytes::*;

/// One entry as the ground truth knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct E {
    pub name: String,
    pub address: String,
    pub group: bool,
    pub template: Vec<(String, String)>,
}

impl E {
    /// The identity key msmail uses: type and body upper-cased.
    pub fn key(&self) -> String {
        upper(&self.address)
    }
    /// Template values as a sorted list (order is the definition's).
    pub fn template_set(&self) -> Vec<(String, String)> {
        let mut t = self.template.clone();
        t.sort();
        t
    }
    fn mailbox(&self) -> &str {
        self.address.rsplit('/').next().unwrap_or("")
    }
}

/// A list keyed by [`E::key`].
pub type List = BTreeMap<String, E>;

/// The evidence form a requestor gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `R` + `T` + `A` import text.
    ImportT,
    /// `R` + `A` import text, no template definition.
    Import,
    /// REQCONF.GLB + REQTRANS.GLB holding a queued full export.
    Queued,
    /// `[DIRSYNC]` TASK=EXPORT message with REQSEQ/SRVSEQ.
    Message,
    /// The requestor's live MAILDATA tree.
    Tree,
    /// REQCONF.GLB + REQTRANS.GLB with pending updates only.
    Numbers,
    /// Nothing.
    None,
}

impl Form {
    pub fn has_list(self) -> bool {
        !matches!(self, Form::Numbers | Form::None)
    }
    pub fn has_numbers(self) -> bool {
        matches!(
            self,
            Form::Queued | Form::Message | Form::Tree | Form::Numbers
        )
    }
    /// The report's `evidence` code.
    pub fn code(self) -> &'static str {
        match self {
            Form::ImportT | Form::Import | Form::Queued | Form::Message => "export",
            Form::Tree => "tree",
            Form::Numbers => "numbers",
            Form::None => "none",
        }
    }
    /// Text evidence cannot say which entries are groups.
    pub fn kinds_known(self) -> bool {
        self == Form::Tree
    }
}

const FORMS: [Form; 7] = [
    Form::ImportT,
    Form::Queued,
    Form::Tree,
    Form::Message,
    Form::Numbers,
    Form::Import,
    Form::None,
];

/// A 10/10/10 gateway node (PROFS) and who hosts it.
#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub bag: u32,
    /// The postoffice its XTN route names.
    pub host: String,
    pub at_b: List,
    pub now: List,
}

/// One requestor postoffice.
#[derive(Clone, Debug)]
pub struct Po {
    pub net: String,
    pub name: String,
    pub bag: u32,
    pub form: Form,
    pub fields: Vec<Field>,
    /// The server keeps a TPL/INF for it.
    pub server_tpl: bool,
    /// Its Dir-Sync list at the backup (PCM entries) and now.
    pub at_b: List,
    pub now: List,
    /// Free-form gateway entries it originated (known from MSTTRANS only).
    pub smtp: List,
    pub reqsync_b: u32,
    pub reqsync_c: u32,
    pub srvsync_c: u32,
}

impl Po {
    pub fn scope(&self) -> String {
        format!("PCM:{}/{}", self.net, self.name)
    }
    pub fn origin(&self) -> String {
        format!("{}/{}", self.net, self.name)
    }
}

/// What a scenario must give, by scope key.
#[derive(Clone, Debug, Default)]
pub struct Truth {
    pub server_view: BTreeMap<String, List>,
    pub merged: BTreeMap<String, List>,
    pub evidence: BTreeMap<String, &'static str>,
    pub status: BTreeMap<String, &'static str>,
    pub hazards: BTreeMap<String, Vec<&'static str>>,
    /// Entries no binary list of the repaired tree can hold (free-form).
    pub not_in_tree: Vec<String>,
    /// Entries Dir-Sync does not carry (the server's excluded ADMIN).
    pub local_only: Vec<String>,
    /// What the backup's binary lists hold (POL, USR lists), by key: the
    /// server's view but for what only MSTTRANS carries yet.
    pub backup_lists: List,
    pub sync_b: u32,
}

impl Truth {
    /// (adds, deletes, modified) address keys of a scope.
    pub fn hole(&self, scope: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
        let empty = List::new();
        let s = self.server_view.get(scope).unwrap_or(&empty);
        let m = self.merged.get(scope).unwrap_or(&empty);
        let adds = m.keys().filter(|k| !s.contains_key(*k)).cloned().collect();
        let dels = s.keys().filter(|k| !m.contains_key(*k)).cloned().collect();
        let mods = m
            .iter()
            .filter(|(k, e)| {
                s.get(*k).is_some_and(|o| {
                    o.name != e.name || o.template_set() != e.template_set() || o.group != e.group
                })
            })
            .map(|(k, _)| k.clone())
            .collect();
        (adds, dels, mods)
    }

    /// Every merged entry, by key.
    pub fn merged_all(&self) -> List {
        let mut all = List::new();
        for l in self.merged.values() {
            all.extend(l.iter().map(|(k, e)| (k.clone(), e.clone())));
        }
        all
    }

    /// Every server-view entry, by key.
    pub fn server_all(&self) -> List {
        let mut all = List::new();
        for l in self.server_view.values() {
            all.extend(l.iter().map(|(k, e)| (k.clone(), e.clone())));
        }
        all
    }
}

/// A scenario on disk.
pub struct Scenario {
    pub _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub server: PathBuf,
    /// `--requestor` arguments (paths, `NET/PO=PATH` where needed).
    pub requestors: Vec<String>,
    pub truth: Truth,
    pub seed: u64,
    pub pos: Vec<Po>,
}

const SERVER_NET: &str = "HQNET";
const SERVER_PO: &str = "HUB";
const GATE: &str = "PROFSGW";
const STAMP_B: u32 = 767_100_000;
const STAMP_C: u32 = 767_400_000;

const FIRST: [&str; 12] = [
    "Anna", "Björn", "Chloé", "Dörte", "Emil", "Fañch", "Gösta", "Hélène", "Iñaki", "Jørn", "Kåre",
    "Lucía",
];
const LAST: [&str; 12] = [
    "Müller",
    "Nuñez",
    "Öberg",
    "Pérez",
    "Quist",
    "Røed",
    "Sørensen",
    "Thérèse",
    "Urbán",
    "Vogt",
    "Wälti",
    "Ximénez",
];

fn ascii_stem(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c {
                'ä' | 'à' | 'å' | 'â' | 'á' => 'a',
                'é' | 'è' | 'ê' => 'e',
                'ö' | 'ø' | 'ô' => 'o',
                'ü' | 'ú' => 'u',
                'ñ' => 'n',
                'í' => 'i',
                'ç' => 'c',
                'Ö' => 'O',
                'Ø' => 'O',
                c => c,
            };
            c.is_ascii_alphabetic().then(|| c.to_ascii_uppercase())
        })
        .collect()
}

/// Characters of the test code page only (see `bytes::cp850`).
fn fix(s: &str) -> String {
    s.replace(['á', 'ú'], "a").replace('í', "i")
}

struct Names<'a> {
    rng: &'a mut Rng,
    used: std::collections::HashSet<String>,
}

impl Names<'_> {
    fn person(&mut self, prefix: &str) -> (String, String) {
        loop {
            let f = FIRST[self.rng.below(FIRST.len())];
            let l = LAST[self.rng.below(LAST.len())];
            let full = fix(&if self.rng.chance(1, 2) {
                format!("{l}, {f}")
            } else {
                format!("{f} {l}")
            });
            let mut mb: String = ascii_stem(l).chars().take(6).collect();
            mb.push_str(&ascii_stem(f).chars().take(2).collect::<String>());
            let mb: String = mb.chars().take(8).collect();
            let key = format!("{prefix}/{mb}");
            if self.used.insert(key) {
                return (full, mb);
            }
            if self.used.len() > 4000 {
                panic!("names exhausted");
            }
        }
    }
}

fn values(rng: &mut Rng, fields: &[Field], salt: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if rng.chance(1, 5) {
            continue;
        }
        let v = match i {
            0 => format!("+41 44 555 {:04}", (salt * 37 + rng.below(9000)) % 10000),
            1 => ["Sales", "Vertrieb", "Comptabilité", "Logística"][rng.below(4)].to_string(),
            _ => ["Zürich, 8001", "Genève/1201", "Lyon 69002"][rng.below(3)].to_string(),
        };
        out.push((f.prompt.clone(), fix(&v)));
    }
    out
}

fn standard_fields() -> Vec<Field> {
    vec![
        Field {
            prompt: "Phone:".into(),
            start: 12,
            width: 20,
            edit: "NP".into(),
        },
        Field {
            prompt: "Dept:".into(),
            start: 13,
            width: 14,
            edit: "A".into(),
        },
        Field {
            prompt: "City/Zip:".into(),
            start: 14,
            width: 20,
            edit: "A".into(),
        },
    ]
}

/// Builds a scenario for `seed` in a new temporary folder.
pub fn build(seed: u64) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let mut rng = Rng(seed.wrapping_mul(7919).wrapping_add(17));
    let mut names = Names {
        rng: &mut Rng(seed ^ 0xA5A5),
        used: Default::default(),
    };

    // Requestors: every form once (in a seeded order), then more at random.
    let n = 6 + rng.below(3);
    let mut forms: Vec<Form> = FORMS.to_vec();
    for i in (1..forms.len()).rev() {
        let j = rng.below(i + 1);
        forms.swap(i, j);
    }
    while forms.len() < n {
        forms.push(FORMS[rng.below(FORMS.len())]);
    }
    let mut next_bag = 0x20u32;
    let mut bag = || {
        next_bag += 1;
        next_bag
    };
    let mut pos: Vec<Po> = Vec::new();
    for (i, form) in forms.iter().enumerate() {
        let net = if i % 2 == 0 { "NORTH" } else { "SOUTH" };
        let name = format!("PO{}{}", (b'A' + i as u8) as char, seed % 97);
        let fields = if rng.chance(3, 4) {
            standard_fields()
        } else {
            Vec::new()
        };
        let server_tpl = !fields.is_empty() && rng.chance(2, 3);
        let mut at_b = List::new();
        for j in 0..(3 + rng.below(6)) {
            let (full, mb) = names.person(&format!("{net}/{name}"));
            let e = E {
                name: full,
                address: format!("PCM:{net}/{name}/{mb}"),
                group: false,
                template: values(&mut rng, &fields, j),
            };
            at_b.insert(e.key(), e);
        }
        if rng.chance(1, 2) {
            let e = E {
                name: format!("Staff {name}"),
                address: format!("PCM:{net}/{name}/G{}", &name[..3.min(name.len())]),
                group: true,
                template: Vec::new(),
            };
            at_b.insert(e.key(), e);
        }
        let mut smtp = List::new();
        if rng.chance(1, 3) {
            let e = E {
                name: format!("Relay {name}"),
                address: format!("SMTP:relay.{}@example.com", name.to_ascii_lowercase()),
                group: false,
                template: Vec::new(),
            };
            smtp.insert(e.key(), e);
        }
        let reqsync_b = 5 + rng.below(30) as u32;
        pos.push(Po {
            net: net.into(),
            name,
            bag: bag(),
            form: *form,
            fields,
            server_tpl,
            now: at_b.clone(),
            at_b,
            smtp,
            reqsync_b,
            reqsync_c: reqsync_b,
            srvsync_c: 0,
        });
    }

    // Gateway nodes: one reached through the server, one through a tree
    // requestor (it changes after the backup), one through an export one.
    let mut nodes: Vec<Node> = Vec::new();
    let tree_host = pos
        .iter()
        .find(|p| p.form == Form::Tree)
        .map(|p| p.name.clone());
    let export_host = pos
        .iter()
        .find(|p| matches!(p.form, Form::Import | Form::ImportT))
        .map(|p| p.name.clone());
    for (k, host) in [Some(SERVER_PO.to_string()), tree_host, export_host]
        .into_iter()
        .flatten()
        .enumerate()
    {
        let node = format!("VM{k}");
        let mut at_b = List::new();
        for _ in 0..(2 + rng.below(2)) {
            let (full, mb) = names.person(&format!("{GATE}/{node}"));
            let e = E {
                name: full,
                address: format!("PROFS:{GATE}/{node}/{mb}"),
                group: false,
                template: Vec::new(),
            };
            at_b.insert(e.key(), e);
        }
        nodes.push(Node {
            name: node,
            bag: bag(),
            host,
            now: at_b.clone(),
            at_b,
        });
    }

    // The server's own postoffice.
    let own_fields = standard_fields();
    let mut own: Vec<(E, bool)> = Vec::new(); // (entry, excluded)
    own.push((
        E {
            name: "Administrator HUB".into(),
            address: format!("PCM:{SERVER_NET}/{SERVER_PO}/ADMIN"),
            group: false,
            template: Vec::new(),
        },
        true,
    ));
    for j in 0..(2 + rng.below(4)) {
        let (full, mb) = names.person(&format!("{SERVER_NET}/{SERVER_PO}"));
        own.push((
            E {
                name: full,
                address: format!("PCM:{SERVER_NET}/{SERVER_PO}/{mb}"),
                group: false,
                template: values(&mut rng, &own_fields, j),
            },
            false,
        ));
    }
    let own_group = E {
        name: "Everyone HUB".into(),
        address: format!("PCM:{SERVER_NET}/{SERVER_PO}/GEVERYONE"),
        group: true,
        template: Vec::new(),
    };

    // Changes after the backup (lost updates) at requestors with a list or
    // numbers; pending (queued, not yet sent) ones at some.
    let mut pending_ops: BTreeMap<String, Vec<(char, E, Option<E>)>> = BTreeMap::new();
    for p in pos.iter_mut() {
        if p.form == Form::None {
            continue;
        }
        let mut k = 0u32;
        let users: Vec<String> = p
            .now
            .iter()
            .filter(|(_, e)| !e.group)
            .map(|(k, _)| k.clone())
            .collect();
        // Delete one.
        if users.len() > 2 && rng.chance(2, 3) {
            p.now.remove(&users[rng.below(users.len())]);
            k += 1;
        }
        // Rename one (a new full name, same address).
        let users: Vec<String> = p
            .now
            .iter()
            .filter(|(_, e)| !e.group)
            .map(|(k, _)| k.clone())
            .collect();
        if !users.is_empty() && rng.chance(2, 3) {
            let key = &users[rng.below(users.len())];
            if let Some(e) = p.now.get_mut(key) {
                e.name = fix(&format!(
                    "{} Jr",
                    e.name.chars().take(26).collect::<String>()
                ))
                .trim()
                .to_string();
            }
            k += 1;
        }
        // Change one's template data.
        if !p.fields.is_empty() && !users.is_empty() && rng.chance(2, 3) {
            let key = &users[rng.below(users.len())];
            if let Some(e) = p.now.get_mut(key) {
                e.template = vec![("Phone:".into(), format!("+41 22 {:06}", rng.below(999_999)))];
            }
            k += 1;
        }
        // Add one or two.
        for j in 0..(1 + rng.below(2)) {
            let (full, mb) = names.person(&format!("{}/{}", p.net, p.name));
            let e = E {
                name: full,
                address: format!("PCM:{}/{}/{mb}", p.net, p.name),
                group: false,
                template: values(&mut rng, &p.fields, 100 + j),
            };
            p.now.insert(e.key(), e);
            k += 1;
        }
        p.reqsync_c = p.reqsync_b + k;
        // Pending: one more add queued at the forms that keep a REQTRANS.
        if matches!(p.form, Form::Queued | Form::Numbers) && rng.chance(1, 2) {
            let (full, mb) = names.person(&format!("{}/{}", p.net, p.name));
            let e = E {
                name: full,
                address: format!("PCM:{}/{}/{mb}", p.net, p.name),
                group: false,
                template: Vec::new(),
            };
            if p.form == Form::Queued {
                p.now.insert(e.key(), e.clone());
            }
            pending_ops
                .entry(p.scope())
                .or_default()
                .push(('A', e, None));
        }
    }
    // The tree-hosted node changes after the backup: one entry added.
    for node in nodes.iter_mut() {
        if pos
            .iter()
            .any(|p| p.name == node.host && p.form == Form::Tree)
        {
            let (full, mb) = names.person(&format!("{GATE}/{}", node.name));
            let e = E {
                name: full,
                address: format!("PROFS:{GATE}/{}/{mb}", node.name),
                group: false,
                template: Vec::new(),
            };
            node.now.insert(e.key(), e);
        }
    }

    // MSTTRANS, purged: numbering from well above 1. Some entries of each
    // list reach the server only through it (not folded into the USR list
    // yet); some USR entries are stale and deleted by it; some renamed by an
    // M pair; free-form gateway entries come only from it.
    let mut sync = 40 + rng.below(40) as u32;
    let first_sync = sync;
    let mut msttrans: Vec<u8> = Vec::new();
    let mut usr_of: BTreeMap<String, List> = BTreeMap::new();
    let mut put = |op: u8, origin: &str, lines: Vec<String>, out: &mut Vec<u8>| {
        out.extend(trans(sync, STAMP_B - 3600, op, origin, &lines));
        sync += 1;
    };
    for p in &pos {
        let mut usr = p.at_b.clone();
        let keys: Vec<String> = usr
            .iter()
            .filter(|(_, e)| !e.group)
            .map(|(k, _)| k.clone())
            .collect();
        if let Some(k) = keys.first() {
            if rng.chance(1, 2) {
                // Not folded yet: only an `A` in MSTTRANS.
                let e = usr.remove(k).unwrap();
                let mut lines = vec![import_line('A', &e.name, &e.address)];
                if p.server_tpl {
                    lines.extend(e.template.iter().map(|(a, b)| template_line(a, b)));
                }
                put(b'A', &p.origin(), lines, &mut msttrans);
            }
        }
        if keys.len() > 1 && rng.chance(1, 2) {
            // Renamed by an M pair the USR list does not have yet.
            let k = &keys[1];
            let e = usr.get_mut(k).unwrap();
            let new = e.name.clone();
            e.name = fix(&format!("Old {}", new.chars().take(25).collect::<String>()));
            put(
                b'M',
                &p.origin(),
                vec![
                    import_line('M', &e.name, &e.address),
                    format!("  {:<30} {}", new, e.address),
                ],
                &mut msttrans,
            );
        }
        if rng.chance(1, 3) {
            // A stale USR entry that MSTTRANS deletes.
            let (full, mb) = names.person(&format!("{}/{}", p.net, p.name));
            let e = E {
                name: full,
                address: format!("PCM:{}/{}/{mb}", p.net, p.name),
                group: false,
                template: Vec::new(),
            };
            put(
                b'D',
                &p.origin(),
                vec![import_line('D', &e.name, &e.address)],
                &mut msttrans,
            );
            usr.insert(e.key(), e);
        }
        for e in p.smtp.values() {
            put(
                b'A',
                &p.origin(),
                vec![import_line('A', &e.name, &e.address)],
                &mut msttrans,
            );
        }
        // The server's copy has no template data when it has no TPL.
        if !p.server_tpl {
            for e in usr.values_mut() {
                e.template.clear();
            }
        }
        usr_of.insert(p.scope(), usr);
    }
    let sync_b = sync - 1;
    assert!(sync_b >= first_sync);
    for p in pos.iter_mut() {
        p.srvsync_c = if rng.chance(1, 3) {
            sync_b + 1 + rng.below(6) as u32
        } else {
            sync_b
        };
    }

    // ---- The server tree. ----
    let server = root.join("server");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    files.push(("GLB/MASTER.GLB".into(), master(SERVER_NET, SERVER_PO)));
    let mut access2_b = Vec::new();
    let mut admin_inf = Vec::new();
    let mut tid = 100u32;
    let mut own_tid: Vec<u32> = Vec::new();
    let mut own_bag: Vec<u32> = Vec::new();
    for (e, excluded) in &own {
        tid += 1;
        let b = 0x1000 + tid;
        let inf_no = (!e.template.is_empty()).then_some((admin_inf.len() / 54) as u32);
        if !e.template.is_empty() {
            admin_inf.extend(inf(&own_fields, &e.template));
        }
        let flags = u8::from(*excluded)
            | if *excluded { 2 } else { 0 }
            | if inf_no.is_some() { 4 } else { 0 };
        access2_b.extend(access2(e.mailbox(), &e.name, b, flags, tid, inf_no));
        own_tid.push(tid);
        own_bag.push(b);
    }
    let n_users = own.len();
    files.push(("GLB/ACCESS2.GLB".into(), access2_b));
    files.push(("GLB/ACCESS.GLB".into(), vec![0; 586 * n_users]));
    files.push(("GLB/ACCESS3.GLB".into(), vec![0; 512 * n_users]));
    files.push(("TPL/ADMIN.TPL".into(), tpl(&own_fields)));
    files.push(("INF/ADMIN.INF".into(), admin_inf));
    tid += 1;
    let group_tid = tid;
    // The group: every non-excluded local user.
    let members: Vec<u32> = own_tid.iter().skip(1).copied().collect();
    let (grp_bytes, firsts) = grp(&[members]);
    files.push(("GRP/ADMIN.GRP".into(), grp_bytes.clone()));
    files.push(("GRP/ADMINSHD.GRP".into(), grp_bytes));
    files.push((
        "GLB/GROUP.GLB".into(),
        group_glb(&[(
            own_group.name.clone(),
            own_group.mailbox().to_string(),
            group_tid,
        )]),
    ));
    let mem: Vec<u8> = own_bag
        .iter()
        .skip(1)
        .flat_map(|b| b.to_le_bytes())
        .collect();
    files.push((format!("MEM/{}.MEM", hex8(group_tid)), mem));
    // ADMIN.NME: every local user (the excluded one too) and the group.
    let mut pol: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, (e, _)) in own.iter().enumerate() {
        pol.push((upper(&e.name), nme(&e.name, own_tid[i], 1, (i * 69) as u32)));
    }
    pol.push((
        upper(&own_group.name),
        nme(&own_group.name, group_tid, 4, firsts[0]),
    ));
    pol.sort_by(|a, b| a.0.cmp(&b.0));
    let admin_nme: Vec<u8> = pol.iter().flat_map(|(_, r)| r.clone()).collect();
    files.push(("NME/ADMIN.NME".into(), admin_nme.clone()));
    files.push(("NME/ADMINSHD.NME".into(), admin_nme));
    files.push(("GLB/NETPO.GLB".into(), netpo(&[])));
    files.push(("GLB/TID.GLB".into(), (tid + 1).to_le_bytes().to_vec()));
    for (name, size) in [
        ("CONTROL.GLB", 8),
        ("FLAG.GLB", 2),
        ("GLOBAL.GLB", 512),
        ("MODEM.GLB", 64),
        ("RNETSEM.GLB", 4),
        ("GRPMEM.GLB", 4),
        ("SERVER.GLB", 0),
    ] {
        files.push((format!("GLB/{name}"), vec![0; size]));
    }
    // Networks, XTN, USR/TPL/INF.
    let (north, south, gate_prefix) = (0x11u32, 0x12u32, 0x13u32);
    files.push((
        "GLB/NETWORK.GLB".into(),
        [
            network("NORTH", 1, Some(north), "PCM"),
            network("SOUTH", 1, Some(south), "PCM"),
            network(GATE, 2, Some(gate_prefix), "PROFS"),
        ]
        .concat(),
    ));
    for (net, prefix) in [("NORTH", north), ("SOUTH", south)] {
        let mut x = Vec::new();
        for p in pos.iter().filter(|p| p.net == net) {
            x.extend(xtn(&p.name, p.bag, 2, SERVER_PO));
            let mut u = Vec::new();
            let mut infs = Vec::new();
            for e in usr_of[&p.scope()].values() {
                let no = (p.server_tpl && !e.template.is_empty()).then(|| {
                    infs.extend(inf(&p.fields, &e.template));
                    (infs.len() / 54 - 1) as u32
                });
                u.extend(usr(&e.name, e.mailbox(), e.group, no));
            }
            files.push((format!("USR/{}.USR", hex8(p.bag)), u));
            if p.server_tpl {
                files.push((format!("TPL/{}.TPL", hex8(p.bag)), tpl(&p.fields)));
                files.push((format!("INF/{}.INF", hex8(p.bag)), infs));
            }
        }
        files.push((format!("XTN/{}.XTN", hex8(prefix)), x));
    }
    let mut x = Vec::new();
    for node in &nodes {
        x.extend(xtn(&node.name, node.bag, 5, &node.host));
        let u: Vec<u8> = node
            .at_b
            .values()
            .flat_map(|e| usr(&e.name, e.mailbox(), false, None))
            .collect();
        files.push((format!("USR/{}.USR", hex8(node.bag)), u));
    }
    files.push((format!("XTN/{}.XTN", hex8(gate_prefix)), x));
    // GAL: the local Dir-Sync entries and every external entry of the USR
    // lists, sorted by upper-cased full name.
    let mut gal: Vec<(String, String, Vec<u8>)> = Vec::new();
    let mut galnetpo_recs: Vec<(String, String, String, u32)> = Vec::new();
    for (i, (e, excluded)) in own.iter().enumerate() {
        if !excluded {
            gal.push((
                upper(&e.name),
                e.key(),
                nme(&e.name, own_tid[i], 1, (i * 69) as u32),
            ));
        }
    }
    gal.push((
        upper(&own_group.name),
        own_group.key(),
        nme(&own_group.name, group_tid, 4, firsts[0]),
    ));
    let mut externals: Vec<(E, u16, u32)> = Vec::new();
    for p in &pos {
        for e in usr_of[&p.scope()].values() {
            externals.push((e.clone(), 2, p.bag));
        }
    }
    for node in &nodes {
        for e in node.at_b.values() {
            externals.push((e.clone(), 8, node.bag));
        }
    }
    for (e, kind, b) in externals {
        let body = e.address.split_once(':').unwrap().1;
        let mut parts = body.splitn(3, '/');
        let (n1, n2, n3) = (
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
        );
        let ptr = (4 + 43 * galnetpo_recs.len()) as u32;
        galnetpo_recs.push((n1, n2, n3, b));
        gal.push((upper(&e.name), e.key(), nme(&e.name, 0, kind, ptr)));
    }
    gal.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let gal_names: Vec<(u32, String)> = gal
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let name_end = g.2[1..32].iter().position(|&c| c == 0).unwrap_or(31);
            ((i * 45) as u32, decode_test(&g.2[1..1 + name_end]))
        })
        .collect();
    files.push((
        "NME/GAL.NME".into(),
        gal.iter().flat_map(|g| g.2.clone()).collect(),
    ));
    files.push(("GLB/GALNETPO.GLB".into(), netpo(&galnetpo_recs)));
    files.push(("GLB/GALINDEX.GLB".into(), galindex(&gal_names)));
    // Dir-Sync files of the server.
    let mut records: Vec<SrvRecord> = vec![(format!("PCM:{SERVER_NET}/{SERVER_PO}"), 3, sync_b, 1)];
    for p in &pos {
        records.push((p.scope(), p.reqsync_b, sync_b.min(p.srvsync_c), 1));
    }
    files.push(("GLB/SRVCONF.GLB".into(), srvconf(sync_b, STAMP_B, &records)));
    files.push(("GLB/MSTTRANS.GLB".into(), msttrans));
    files.push((
        "GLB/REQCONF.GLB".into(),
        reqconf(&format!("{SERVER_NET}/{SERVER_PO}"), 3, sync_b, 1, STAMP_B),
    ));
    files.push((
        "GLB/REQTRANS.GLB".into(),
        placeholder(3, STAMP_B, &format!("{SERVER_NET}/{SERVER_PO}")),
    ));
    write_files(&server, &files);

    // ---- Evidence. ----
    let ev_root = root.join("requestors");
    let mut requestors = Vec::new();
    for p in &pos {
        let folder = ev_root.join(format!("{}-{}", p.net, p.name));
        let now_sorted: Vec<&E> = p.now.values().collect();
        let a_lines = |e: &E| -> Vec<String> {
            let mut l = vec![import_line('A', &e.name, &e.address)];
            l.extend(e.template.iter().map(|(a, b)| template_line(a, b)));
            l
        };
        let t_lines = || -> Vec<String> {
            let mut l = vec![format!("T {}", p.scope())];
            l.extend(
                p.fields
                    .iter()
                    .map(|f| format!("{}~{}~{}~{}~~", f.prompt, f.start, f.width, f.edit)),
            );
            l
        };
        match p.form {
            Form::ImportT | Form::Import => {
                let mut lines = vec![format!("R {}", p.scope())];
                if p.form == Form::ImportT && !p.fields.is_empty() {
                    lines.extend(t_lines());
                }
                for e in &now_sorted {
                    lines.extend(a_lines(e));
                }
                let mut text = cp850(&lines.join("\r\n"));
                text.extend(b"\r\n");
                write_files(&folder, &[("EXPORT.TXT".into(), text)]);
                requestors.push(folder.display().to_string());
            }
            Form::Message => {
                let mut lines = vec![
                    format!("To: {SERVER_NET}/{SERVER_PO}/$SYSTEM"),
                    format!("From: {}/$SYSTEM", p.origin()),
                    "Subject: Directory Exchange Profile".into(),
                    "-----------------------------------------------------------".into(),
                    "[DIRSYNC]".into(),
                    "TASK=EXPORT".into(),
                    format!("REQNAME={}", p.scope()),
                    format!("REQSEQ={:010}", p.reqsync_c),
                    format!("SRVSEQ={:010}", p.srvsync_c),
                    "IMPSEQ=0000000001".into(),
                    "TRANSACTIONS=INBODY".into(),
                    String::new(),
                    "[DIRSYNC-TRANSACTIONS]".into(),
                ];
                let mut n = p.reqsync_c + 1;
                lines.push(format!("{n:010} R {}", p.scope()));
                for e in &now_sorted {
                    n += 1;
                    let a = a_lines(e);
                    lines.push(format!("{n:010} {}", a[0]));
                    lines.extend(a[1..].iter().cloned());
                }
                let mut text = cp850(&lines.join("\r\n"));
                text.extend(b"\r\n");
                write_files(&folder, &[("EXPORT.MSG".into(), text)]);
                requestors.push(folder.display().to_string());
            }
            Form::Queued | Form::Numbers => {
                let mut q = placeholder(p.reqsync_c, STAMP_C, &p.origin());
                let mut n = p.reqsync_c;
                if p.form == Form::Queued {
                    n += 1;
                    q.extend(trans(
                        n,
                        STAMP_C,
                        b'R',
                        &p.origin(),
                        &[format!("R {}", p.scope())],
                    ));
                    if !p.fields.is_empty() {
                        n += 1;
                        q.extend(trans(n, STAMP_C, b'T', &p.origin(), &t_lines()));
                    }
                    let pend: Vec<String> = pending_ops
                        .get(&p.scope())
                        .map(|v| v.iter().map(|(_, e, _)| e.key()).collect())
                        .unwrap_or_default();
                    for e in now_sorted.iter().filter(|e| !pend.contains(&e.key())) {
                        n += 1;
                        q.extend(trans(n, STAMP_C, b'A', &p.origin(), &a_lines(e)));
                    }
                }
                for (_, e, _) in pending_ops.get(&p.scope()).cloned().unwrap_or_default() {
                    n += 1;
                    q.extend(trans(n, STAMP_C, b'A', &p.origin(), &a_lines(&e)));
                }
                write_files(
                    &folder,
                    &[
                        (
                            "GLB/REQCONF.GLB".into(),
                            reqconf(
                                &format!("{SERVER_NET}/{SERVER_PO}"),
                                p.reqsync_c,
                                p.srvsync_c,
                                1,
                                STAMP_C,
                            ),
                        ),
                        ("GLB/REQTRANS.GLB".into(), q),
                    ],
                );
                requestors.push(folder.display().to_string());
            }
            Form::Tree => {
                write_requestor_tree(&folder, p, &nodes);
                requestors.push(folder.display().to_string());
            }
            Form::None => {}
        }
    }

    // ---- Ground truth. ----
    let mut truth = Truth {
        sync_b,
        ..Truth::default()
    };
    let own_key = format!("PCM:{SERVER_NET}/{SERVER_PO}");
    let mut own_view = List::new();
    for (e, excluded) in &own {
        own_view.insert(e.key(), e.clone());
        if *excluded {
            truth.local_only.push(e.key());
        }
    }
    own_view.insert(own_group.key(), own_group.clone());
    for node in nodes.iter().filter(|n| n.host == SERVER_PO) {
        own_view.extend(node.at_b.clone());
    }
    truth.backup_lists.extend(own_view.clone());
    for l in usr_of.values() {
        truth.backup_lists.extend(l.clone());
    }
    for node in &nodes {
        truth.backup_lists.extend(node.at_b.clone());
    }
    truth.server_view.insert(own_key.clone(), own_view.clone());
    truth.merged.insert(own_key.clone(), own_view);
    truth.evidence.insert(own_key.clone(), "none");
    truth.status.insert(own_key.clone(), "as-of-backup");
    truth.hazards.insert(own_key, Vec::new());
    for p in &pos {
        let key = p.scope();
        let mut view: List = p.at_b.clone();
        if !p.server_tpl {
            for e in view.values_mut() {
                e.template.clear();
            }
        }
        view.extend(p.smtp.clone());
        let hosted: Vec<&Node> = nodes.iter().filter(|n| n.host == p.name).collect();
        for n in &hosted {
            view.extend(n.at_b.clone());
        }
        let merged = if p.form.has_list() {
            let mut m: List = p.now.clone();
            if !p.form.kinds_known() {
                for (k, e) in m.iter_mut() {
                    if let Some(s) = view.get(k) {
                        e.group = s.group;
                    }
                }
            }
            m.extend(p.smtp.clone());
            for n in &hosted {
                if p.form == Form::Tree {
                    m.extend(n.now.clone());
                } else {
                    m.extend(n.at_b.clone());
                }
            }
            m
        } else {
            view.clone()
        };
        for e in p.smtp.values() {
            truth.not_in_tree.push(e.address.clone());
        }
        truth.server_view.insert(key.clone(), view);
        truth.merged.insert(key.clone(), merged);
        truth.evidence.insert(key.clone(), p.form.code());
        truth.status.insert(
            key.clone(),
            if p.form.has_list() {
                "authoritative"
            } else {
                "unverified"
            },
        );
        let mut hz = Vec::new();
        if p.form.has_numbers() {
            if p.reqsync_c > p.reqsync_b {
                hz.push("lost-updates");
            }
            if p.srvsync_c > sync_b {
                hz.push("skipped-master");
            }
        }
        truth.hazards.insert(key, hz);
    }
    truth.not_in_tree.sort();
    Scenario {
        _dir: dir,
        root,
        server,
        requestors,
        truth,
        seed,
        pos,
    }
}

/// Decodes bytes of the test code page (the inverse of `bytes::cp850`).
pub fn decode_test(b: &[u8]) -> String {
    let table: Vec<(char, u8)> = "ÇüéâäàåçêèÄÅÉôöÖÜøØñÑ"
        .chars()
        .map(|c| (c, cp850(&c.to_string())[0]))
        .collect();
    b.iter()
        .map(|&x| {
            if x < 0x80 {
                x as char
            } else {
                table
                    .iter()
                    .find(|(_, v)| *v == x)
                    .map(|(c, _)| *c)
                    .unwrap_or('?')
            }
        })
        .collect()
}

/// A requestor's live MAILDATA tree (GAL disabled): its users (and an
/// excluded ADMIN), groups, its template, the gateway nodes it hosts, and
/// REQCONF/REQTRANS.
fn write_requestor_tree(root: &Path, p: &Po, nodes: &[Node]) {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut m = master(&p.net, &p.name);
    m[28] = 0; // GAL disabled
    files.push(("GLB/MASTER.GLB".into(), m));
    let users: Vec<&E> = p.now.values().filter(|e| !e.group).collect();
    let groups: Vec<&E> = p.now.values().filter(|e| e.group).collect();
    let rec_size: usize = p.fields.iter().map(|f| f.width as usize).sum();
    let mut a2 = access2("ADMIN", &format!("Admin {}", p.name), 0x500, 3, 500, None);
    let mut infs = Vec::new();
    let mut pol: Vec<(String, Vec<u8>)> = vec![(
        upper(&format!("Admin {}", p.name)),
        nme(&format!("Admin {}", p.name), 500, 1, 0),
    )];
    for (i, e) in users.iter().enumerate() {
        let tid = 501 + i as u32;
        let no = (!e.template.is_empty() && !p.fields.is_empty()).then(|| {
            infs.extend(inf(&p.fields, &e.template));
            (infs.len() / rec_size - 1) as u32
        });
        let flags = if no.is_some() { 4 } else { 0 };
        a2.extend(access2(
            e.mailbox(),
            &e.name,
            0x501 + i as u32,
            flags,
            tid,
            no,
        ));
        pol.push((upper(&e.name), nme(&e.name, tid, 1, ((i + 1) * 69) as u32)));
    }
    let n = users.len() + 1;
    files.push(("GLB/ACCESS2.GLB".into(), a2));
    files.push(("GLB/ACCESS.GLB".into(), vec![0; 586 * n]));
    files.push(("GLB/ACCESS3.GLB".into(), vec![0; 512 * n]));
    if !p.fields.is_empty() {
        files.push(("TPL/ADMIN.TPL".into(), tpl(&p.fields)));
        files.push(("INF/ADMIN.INF".into(), infs));
    }
    let mut glb = Vec::new();
    let chains: Vec<Vec<u32>> = groups.iter().map(|_| Vec::new()).collect();
    let (grp_bytes, _) = grp(&chains);
    for (j, g) in groups.iter().enumerate() {
        let tid = 900 + j as u32;
        glb.push((g.name.clone(), g.mailbox().to_string(), tid));
        pol.push((upper(&g.name), nme(&g.name, tid, 4, 0)));
    }
    files.push(("GLB/GROUP.GLB".into(), group_glb(&glb)));
    files.push(("GRP/ADMIN.GRP".into(), grp_bytes.clone()));
    files.push(("GRP/ADMINSHD.GRP".into(), grp_bytes));
    pol.sort_by(|a, b| a.0.cmp(&b.0));
    let nme_bytes: Vec<u8> = pol.iter().flat_map(|(_, r)| r.clone()).collect();
    files.push(("NME/ADMIN.NME".into(), nme_bytes.clone()));
    files.push(("NME/ADMINSHD.NME".into(), nme_bytes));
    files.push(("GLB/TID.GLB".into(), 2000u32.to_le_bytes().to_vec()));
    // Its own gateway nodes (route naming itself).
    let hosted: Vec<&Node> = nodes.iter().filter(|n| n.host == p.name).collect();
    if !hosted.is_empty() {
        files.push((
            "GLB/NETWORK.GLB".into(),
            network(GATE, 2, Some(0x77), "PROFS"),
        ));
        let mut x = Vec::new();
        for node in hosted {
            x.extend(xtn(&node.name, node.bag, 5, &p.name));
            let u: Vec<u8> = node
                .now
                .values()
                .flat_map(|e| usr(&e.name, e.mailbox(), false, None))
                .collect();
            files.push((format!("USR/{}.USR", hex8(node.bag)), u));
        }
        files.push((format!("XTN/{}.XTN", hex8(0x77)), x));
    }
    files.push((
        "GLB/REQCONF.GLB".into(),
        reqconf(
            &format!("{SERVER_NET}/{SERVER_PO}"),
            p.reqsync_c,
            p.srvsync_c,
            1,
            STAMP_C,
        ),
    ));
    files.push((
        "GLB/REQTRANS.GLB".into(),
        placeholder(p.reqsync_c, STAMP_C, &p.origin()),
    ));
    write_files(root, &files);
}
