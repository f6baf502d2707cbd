//! DN planning: the container chain of an entry, [`DnPlanner`] (first
//! spelling of a container wins, colliding DNs are made unique), the DN of
//! one entry and the base entry.

use super::text::{escape_dn_value_into, ldap_fold, ldap_fold_into, parse_dn};
use super::FastMap;
use crate::error::{Error, Result};
use crate::model::Entry;

/// The container chain of an entry, top first: `[PCM, NET, PO]`,
/// `[TYPE, GATE, NODE]` or `[TYPE]`.
pub(super) fn container_chain(entry: &Entry) -> Vec<String> {
    let ty = entry.address.canonical_type();
    match entry.address.parts() {
        Some((a, b, _)) => vec![ty, a.to_string(), b.to_string()],
        None => vec![ty],
    }
}

/// Builds the DNs of containers and entries for one export: first spelling of
/// each container wins; entries whose DN a server would see as equal to an
/// earlier one get a `+ou=msmail-N` second RDN value (N from 2, in order).
///
/// Entries arrive sorted by scope, so the container chain of the previous
/// entry is remembered (by its exact spelling) and reused without folding or
/// looking anything up again.
pub(super) struct DnPlanner<'a> {
    base: &'a str,
    /// Folded container path → its DN.
    containers: FastMap<String, String>,
    /// Folded entry DN → how many entries used it.
    used: FastMap<String, u32>,
    /// Raw type and first two parts of the last placed entry (`None` before
    /// the first), whose chain `parent` / `key` describe.
    last: Option<(String, Option<(String, String)>)>,
    /// DN of the last entry's parent container.
    parent: String,
    /// Folded container path of the last entry.
    key: String,
    /// Reused buffers: the address text and the folded entry DN key.
    pub(super) addr: String,
    folded: String,
    /// When set: the folded address texts of every entry that is not
    /// [`plain_address`]. A plain entry whose folded address is not in here
    /// cannot share its DN with any other entry, so it is not recorded in
    /// `used` (no allocation for the usual all-ASCII directory).
    not_plain: Option<FastMap<String, ()>>,
}

/// An address whose text is ASCII without spaces: [`ldap_fold`] is then just
/// ASCII lower case. Two different entries with plain addresses never fold
/// together (folding together would mean equal address keys, which the
/// directory does not allow).
pub(super) fn plain_address(addr: &str) -> bool {
    addr.bytes().all(|b| b.is_ascii() && b != b' ')
}

/// Where one entry goes (the DN is left in the planner's caller buffer).
pub(super) struct Placement {
    /// Containers (DN, ou value) to create first, top first.
    pub(super) new_containers: Vec<(String, String)>,
    /// How many entries used this DN so far, this one included; above 1 (when
    /// disambiguating) the DN carries `+ou=msmail-N`.
    pub(super) n: u32,
}

impl<'a> DnPlanner<'a> {
    pub(super) fn new(base: &'a str) -> Self {
        DnPlanner {
            base,
            containers: FastMap::default(),
            used: FastMap::default(),
            last: None,
            parent: String::new(),
            key: String::new(),
            addr: String::new(),
            folded: String::new(),
            not_plain: None,
        }
    }

    /// Prepares the plain-address shortcut for placing exactly `entries`.
    pub(super) fn expect(&mut self, entries: &[&Entry]) {
        let mut set: FastMap<String, ()> = FastMap::default();
        for e in entries {
            self.addr.clear();
            self.addr.push_str(&e.address.type_name);
            self.addr.push(':');
            self.addr.push_str(&e.address.body);
            if !plain_address(&self.addr) {
                set.insert(ldap_fold(&self.addr), ());
            }
        }
        self.not_plain = Some(set);
    }

    /// Is the entry's container chain spelled exactly like the last one?
    pub(super) fn same_chain(&self, entry: &Entry, ab: Option<(&str, &str)>) -> bool {
        match &self.last {
            Some((ty, last_ab)) => {
                *ty == entry.address.type_name
                    && match (last_ab, ab) {
                        (None, None) => true,
                        (Some((la, lb)), Some((a, b))) => la == a && lb == b,
                        _ => false,
                    }
            }
            None => false,
        }
    }

    /// Places `entry`: writes its DN into `dn` (cleared first) and returns the
    /// containers to create first. The entry's address text is left in
    /// `self.addr`.
    pub(super) fn place(
        &mut self,
        entry: &Entry,
        disambiguate: bool,
        dn: &mut String,
    ) -> Placement {
        let ab = entry.address.parts().map(|(a, b, _)| (a, b));
        let mut new_containers = Vec::new();
        if !self.same_chain(entry, ab) {
            let mut parent = self.base.to_string();
            self.key.clear();
            for part in container_chain(entry) {
                self.key.push('\u{1}');
                ldap_fold_into(&part, &mut self.key);
                parent = match self.containers.get(&self.key) {
                    Some(dn) => dn.clone(),
                    None => {
                        let mut cdn = String::from("ou=");
                        escape_dn_value_into(&part, &mut cdn);
                        cdn.push(',');
                        cdn.push_str(&parent);
                        self.containers.insert(self.key.clone(), cdn.clone());
                        new_containers.push((cdn.clone(), part));
                        cdn
                    }
                };
            }
            self.parent = parent;
            self.last = Some((
                entry.address.type_name.to_string(),
                ab.map(|(a, b)| (a.to_string(), b.to_string())),
            ));
        }
        self.addr.clear();
        self.addr.push_str(&entry.address.type_name);
        self.addr.push(':');
        self.addr.push_str(&entry.address.body);
        self.folded.clear();
        self.folded.push_str(&self.key);
        self.folded.push('\u{2}');
        let fold_start = self.folded.len();
        ldap_fold_into(&self.addr, &mut self.folded);
        let record = match &self.not_plain {
            None => true,
            Some(set) => {
                !plain_address(&self.addr)
                    || set.contains_key(self.folded.get(fold_start..).unwrap_or_default())
            }
        };
        let n = if !record {
            1
        } else {
            match self.used.get_mut(self.folded.as_str()) {
                Some(n) => {
                    *n += 1;
                    *n
                }
                None => {
                    self.used.insert(self.folded.clone(), 1);
                    1
                }
            }
        };
        dn.clear();
        dn.push_str("uid=");
        escape_dn_value_into(&self.addr, dn);
        if n > 1 && disambiguate {
            dn.push_str("+ou=msmail-");
            dn.push_str(&n.to_string());
        }
        dn.push(',');
        dn.push_str(&self.parent);
        Placement {
            new_containers,
            n: if disambiguate { n } else { 1 },
        }
    }
}

/// The DN of one entry on its own (no disambiguation), as change records use.
pub(crate) fn entry_dn(base_dn: &str, e: &Entry) -> String {
    let mut dn = String::new();
    DnPlanner::new(base_dn).place(e, false, &mut dn);
    dn
}

/// The structural object class and naming attribute for the base entry.
pub(crate) fn base_entry(base_dn: &str) -> Result<(Vec<&'static str>, String, String)> {
    let rdns = parse_dn(base_dn).map_err(|_| Error::Usage(format!("bad base DN {base_dn:?}")))?;
    let (attr, value) = rdns
        .first()
        .and_then(|r| r.first())
        .cloned()
        .ok_or_else(|| Error::Usage("the base DN must not be empty".into()))?;
    let classes = match attr.to_ascii_lowercase().as_str() {
        "dc" => vec!["top", "domain"],
        "o" => vec!["top", "organization"],
        "ou" => vec!["top", "organizationalUnit"],
        _ => {
            return Err(Error::Usage(format!(
                "base DN {base_dn:?} must start with dc=, o= or ou="
            )))
        }
    };
    Ok((classes, attr.to_ascii_lowercase(), value))
}
