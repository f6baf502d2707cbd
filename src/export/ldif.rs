//! LDIF (RFC 2849) export: a content file that loads into a stock OpenLDAP
//! server (core + cosine + inetorgperson schemas), a change file (add / delete /
//! modify) that expresses a Dir-Sync hole, and a small nom reader used to read
//! both back.
//!
//! DN scheme (see docs/formats.md, section `exports`):
//! `uid=<address>,ou=<PO>,ou=<NET>,ou=PCM,<base>` for PCM entries,
//! `uid=<address>,ou=<NODE>,ou=<GATE>,ou=<TYPE>,<base>` for three-part gateway
//! addresses and `uid=<address>,ou=<TYPE>,<base>` for free-form ones. The full
//! MS Mail address is the `uid` value (users: `inetOrgPerson`; groups:
//! `groupOfNames` + auxiliary `uidObject`).

use std::collections::HashMap;
use std::io::Write;

use base64::Engine;

use super::person::{split_name, AttributeMap, Schema};
use crate::error::{Error, Location, Result};
use crate::model::{Address, AddressKey, Directory, Entry, EntryKind, TemplateValue};

mod read;
pub use read::{merge_template, parse_ldif, parse_ldif_named, read_ldif_directory};

/// The container of personal address lists, below the base DN.
pub const PAL_CONTAINER: &str = "Personal Address Lists";

/// The attribute that holds the full MS Mail address (`TYPE:body`, verbatim).
pub const ADDRESS_ATTR: &str = "uid";

/// Longest physical LDIF line written (RFC 2849 recommends 76).
pub const FOLD_WIDTH: usize = 76;

/// One change of a directory, written as an LDIF change record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryChange {
    /// The entry must be added (`changetype: add`).
    Add(Entry),
    /// The entry must be removed (`changetype: delete`).
    Delete(Entry),
    /// The entry `old` must become `new` (`changetype: modify`, or delete + add
    /// when the DN or the kind changes).
    Modify {
        /// The entry as the server has it.
        old: Entry,
        /// The entry as it should be.
        new: Entry,
    },
}

/// One LDIF record as read back: its DN and its lines in order. Change
/// records keep `changetype`, `add`/`replace`/`delete` lines and `-`
/// separators (as `("-", "")`) as ordinary pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdifRecord {
    /// The DN as written (base64 decoded).
    pub dn: String,
    /// `(attribute description, value)` in file order; values base64-decoded.
    pub attrs: Vec<(String, String)>,
    /// 1-based line of the `dn:` line.
    pub line: u64,
}

impl LdifRecord {
    /// Every value of `attr` (attribute names compared case-insensitively).
    pub fn values(&self, attr: &str) -> Vec<&str> {
        self.attrs
            .iter()
            .filter(|(a, _)| a.eq_ignore_ascii_case(attr))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of `attr`.
    pub fn first(&self, attr: &str) -> Option<&str> {
        self.values(attr).into_iter().next()
    }
}

pub(crate) fn io_err(e: std::io::Error) -> Error {
    Error::output("<output>", e.to_string())
}

/// RFC 2849 SAFE-STRING, plus the RFC's advice to base64 values that end in a
/// space. Empty strings are safe.
pub fn is_safe_string(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return true;
    };
    let safe_char = |c: u8| c != 0 && c != b'\n' && c != b'\r' && c < 0x80;
    let safe_init = safe_char(first) && first != b' ' && first != b':' && first != b'<';
    safe_init && b.iter().all(|&c| safe_char(c)) && !s.ends_with(' ')
}

/// Size at which [`LdifBuf`] hands its bytes to the writer.
const FLUSH_AT: usize = 64 * 1024;

/// Builds LDIF records in memory and hands them to the writer in large
/// chunks: no allocation per line, one `write_all` per ~64 KiB.
pub(crate) struct LdifBuf<'w> {
    w: &'w mut dyn Write,
    buf: Vec<u8>,
    /// The part of an over-long line being folded.
    fold: Vec<u8>,
}

impl<'w> LdifBuf<'w> {
    /// A buffer writing to `w`.
    pub(crate) fn new(w: &'w mut dyn Write) -> Self {
        LdifBuf {
            w,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            fold: Vec::new(),
        }
    }

    /// Appends `name: value`, or `name:: base64` when the value is not a
    /// SAFE-STRING, folded at [`FOLD_WIDTH`]. The line is ASCII (every
    /// non-ASCII value is base64), so folding by bytes never splits a character.
    pub(crate) fn attr(&mut self, name: &str, value: &str) {
        let start = self.buf.len();
        self.buf.extend_from_slice(name.as_bytes());
        if value.is_empty() {
            self.buf.push(b':');
        } else if is_safe_string(value) {
            self.buf.extend_from_slice(b": ");
            self.buf.extend_from_slice(value.as_bytes());
        } else {
            self.buf.extend_from_slice(b":: ");
            push_base64(&mut self.buf, value.as_bytes());
        }
        if self.buf.len() - start > FOLD_WIDTH {
            self.fold.clear();
            self.fold
                .extend_from_slice(self.buf.get(start + FOLD_WIDTH..).unwrap_or_default());
            self.buf.truncate(start + FOLD_WIDTH);
            for chunk in self.fold.chunks(FOLD_WIDTH - 1) {
                self.buf.extend_from_slice(b"\n ");
                self.buf.extend_from_slice(chunk);
            }
        }
        self.buf.push(b'\n');
    }

    /// Appends a raw line (with its newline), e.g. `-` or the record end.
    pub(crate) fn raw(&mut self, line: &[u8]) {
        self.buf.extend_from_slice(line);
    }

    /// Ends a record (blank line) and writes the buffer out when it is full.
    pub(crate) fn end_record(&mut self) -> std::io::Result<()> {
        self.buf.push(b'\n');
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes out what is buffered.
    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        self.w.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

/// Appends the standard (padded) base64 of `bytes` to `out`.
fn push_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    let engine = &base64::engine::general_purpose::STANDARD;
    let at = out.len();
    if let Some(n) = base64::encoded_len(bytes.len(), true) {
        out.resize(at + n, 0);
        if let Some(Ok(written)) = out.get_mut(at..).map(|dst| engine.encode_slice(bytes, dst)) {
            out.truncate(at + written);
            return;
        }
        out.truncate(at);
    }
    out.extend_from_slice(engine.encode(bytes).as_bytes());
}

/// Escapes one RDN value per RFC 4514 (`"+,;<=>\` anywhere, `#` or space at
/// the start, space at the end, NUL as `\00`).
pub fn escape_dn_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 4);
    escape_dn_value_into(v, &mut out);
    out
}

/// [`escape_dn_value`], appending to `out`.
pub(crate) fn escape_dn_value_into(v: &str, out: &mut String) {
    for (i, c) in v.char_indices() {
        let last = i + c.len_utf8() == v.len();
        match c {
            '"' | '+' | ',' | ';' | '<' | '=' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || last => out.push_str("\\ "),
            '\0' => out.push_str("\\00"),
            _ => out.push(c),
        }
    }
}

/// Folds a value the way LDAP `caseIgnoreMatch` compares it (RFC 4518, without
/// Unicode normalisation): lower case, leading and trailing spaces dropped,
/// inner runs of spaces as one. Used to find DNs a server would see as equal.
pub fn ldap_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    ldap_fold_into(s, &mut out);
    out
}

/// [`ldap_fold`], appending to `out`.
pub(crate) fn ldap_fold_into(s: &str, out: &mut String) {
    let mut first = true;
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        if !first {
            out.push(' ');
        }
        first = false;
        if word.is_ascii() {
            out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
}

/// Splits a DN (RFC 4514 string form) into RDNs of `(attribute, value)` pairs,
/// removing escapes (`\c` and `\XX` hex pairs).
pub fn parse_dn(dn: &str) -> Result<Vec<Vec<(String, String)>>> {
    let bad = |m: &str| Error::input("<dn>", Location::File, format!("DN {dn:?}: {m}"));
    let mut rdns = Vec::new();
    let mut rdn: Vec<(String, String)> = Vec::new();
    let mut attr = String::new();
    let mut value: Vec<u8> = Vec::new();
    let mut in_value = false;
    let bytes = dn.as_bytes();
    let mut i = 0;
    let finish = |attr: &mut String, value: &mut Vec<u8>| -> Result<(String, String)> {
        let v = String::from_utf8(std::mem::take(value)).map_err(|_| bad("not UTF-8"))?;
        Ok((std::mem::take(attr).trim().to_string(), v))
    };
    if dn.trim().is_empty() {
        return Ok(rdns);
    }
    while let Some(&c) = bytes.get(i) {
        if !in_value {
            if c == b'=' {
                in_value = true;
            } else {
                attr.push(c as char);
            }
            i += 1;
            continue;
        }
        match c {
            b'\\' => {
                let a = bytes.get(i + 1).copied().ok_or_else(|| bad("ends in \\"))?;
                let hex = |x: u8| (x as char).to_digit(16);
                match (hex(a), bytes.get(i + 2).and_then(|&b| hex(b))) {
                    (Some(h), Some(l)) => {
                        value.push((h * 16 + l) as u8);
                        i += 3;
                    }
                    _ => {
                        value.push(a);
                        i += 2;
                    }
                }
            }
            b'+' | b',' => {
                rdn.push(finish(&mut attr, &mut value)?);
                in_value = false;
                if c == b',' {
                    rdns.push(std::mem::take(&mut rdn));
                }
                i += 1;
            }
            _ => {
                value.push(c);
                i += 1;
            }
        }
    }
    if !in_value {
        return Err(bad("attribute without value"));
    }
    rdn.push(finish(&mut attr, &mut value)?);
    rdns.push(rdn);
    Ok(rdns)
}

/// A DN in a form where two DNs a server treats as equal are equal strings:
/// attribute names lower-cased, values [`ldap_fold`]ed, multi-valued RDNs sorted.
pub fn normalize_dn(dn: &str) -> Result<String> {
    let rdns = parse_dn(dn)?;
    let parts: Vec<String> = rdns
        .into_iter()
        .map(|rdn| {
            let mut avas: Vec<String> = rdn
                .into_iter()
                .map(|(a, v)| format!("{}={}", a.to_ascii_lowercase(), ldap_fold(&v)))
                .collect();
            avas.sort();
            avas.join("+")
        })
        .collect();
    Ok(parts.join(","))
}

/// Hash map with a fast (non-SipHash) hasher; never iterated for output.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The container chain of an entry, top first: `[PCM, NET, PO]`,
/// `[TYPE, GATE, NODE]` or `[TYPE]`.
fn container_chain(entry: &Entry) -> Vec<String> {
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
struct DnPlanner<'a> {
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
    addr: String,
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
fn plain_address(addr: &str) -> bool {
    addr.bytes().all(|b| b.is_ascii() && b != b' ')
}

/// Where one entry goes (the DN is left in the planner's caller buffer).
struct Placement {
    /// Containers (DN, ou value) to create first, top first.
    new_containers: Vec<(String, String)>,
    /// How many entries used this DN so far, this one included; above 1 (when
    /// disambiguating) the DN carries `+ou=msmail-N`.
    n: u32,
}

impl<'a> DnPlanner<'a> {
    fn new(base: &'a str) -> Self {
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
    fn expect(&mut self, entries: &[&Entry]) {
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
    fn same_chain(&self, entry: &Entry, ab: Option<(&str, &str)>) -> bool {
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
    fn place(&mut self, entry: &Entry, disambiguate: bool, dn: &mut String) -> Placement {
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
                entry.address.type_name.clone(),
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

/// A template value as a `description` value: `N. prompt/value`, N its
/// 1-based position in the entry's template; in the prompt `\` is written
/// `\\` and `/` is written `\/`, so the first bare `/` always ends the prompt
/// (the value is verbatim).
#[cfg(test)]
fn template_description(n: usize, t: &TemplateValue) -> String {
    let mut s = String::new();
    template_description_into(n, t, &mut s);
    s
}

/// [`template_description`], replacing the contents of `s`.
pub(crate) fn template_description_into(n: usize, t: &TemplateValue, s: &mut String) {
    use std::fmt::Write as _;
    s.clear();
    let _ = write!(s, "{n}. ");
    for c in t.prompt.chars() {
        if c == '\\' || c == '/' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('/');
    s.push_str(&t.value);
}

/// Reads a value written by [`template_description`].
pub(crate) fn parse_template_description(s: &str) -> Option<(usize, TemplateValue)> {
    let (num, rest) = s.split_once(". ")?;
    let n: usize = num.parse().ok()?;
    let mut prompt = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => prompt.push(chars.next()?.1),
            '/' => {
                let value = rest.get(i + 1..)?.to_string();
                return Some((n, TemplateValue { prompt, value }));
            }
            _ => prompt.push(c),
        }
    }
    None
}

/// How `write_ldif_with` writes a directory.
#[derive(Debug, Clone)]
pub struct LdifOptions {
    /// The base DN; its first RDN must be `dc=`, `o=` or `ou=` (OpenLDAP),
    /// and for AD it must already exist.
    pub base_dn: String,
    /// Which schema the entries are written for.
    pub schema: Schema,
    /// Template prompts → standard attributes.
    pub map: AttributeMap,
}

impl LdifOptions {
    /// OpenLDAP schema, the standard attribute map, base DN `base_dn`.
    pub fn new(base_dn: &str) -> LdifOptions {
        LdifOptions {
            base_dn: base_dn.to_string(),
            schema: Schema::Openldap,
            map: AttributeMap::standard(),
        }
    }
}

/// What a writer wants the user to know (members it could not write, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteNotes {
    /// One sentence each.
    pub warnings: Vec<String>,
}

/// What the attributes of one entry depend on besides the entry itself.
pub(crate) struct AttrContext<'a> {
    /// The attribute map.
    pub map: &'a AttributeMap,
    /// For a group: its members' DNs (`None` or empty: the group's own DN
    /// stands in, as `groupOfNames` needs one member).
    pub members: Option<&'a [String]>,
}

/// Calls `f(name, value)` for each attribute of one entry, in writing order
/// (objectClass first). `addr` is the entry's address text; `scratch` is a
/// reused buffer for built values.
fn for_each_attr(
    e: &Entry,
    addr: &str,
    dn: &str,
    disambiguator: u32,
    ctx: &AttrContext<'_>,
    scratch: &mut String,
    f: &mut dyn FnMut(&str, &str),
) {
    let cn = if e.full_name.is_empty() {
        addr
    } else {
        e.full_name.as_str()
    };
    let kept: Vec<(usize, &TemplateValue)> = match e.kind {
        EntryKind::User => {
            for c in ["top", "person", "organizationalPerson", "inetOrgPerson"] {
                f("objectClass", c);
            }
            f(ADDRESS_ATTR, addr);
            f("cn", cn);
            let name = split_name(&e.full_name);
            match &name {
                Some(n) => f("sn", &n.surname),
                None => f("sn", cn),
            }
            if let Some(n) = &name {
                if let Some(g) = &n.given {
                    f("givenName", g);
                }
                if let Some(i) = &n.initials {
                    f("initials", i);
                }
            }
            if !e.full_name.is_empty() {
                f("displayName", &e.full_name);
            }
            if let Some(mail) = smtp_mail(e) {
                f("mail", mail);
            }
            let m = ctx.map.map(e, Schema::Openldap);
            for (t, v) in &m.mapped {
                if let Some(a) = t.ldap {
                    f(a, v);
                }
            }
            m.kept
        }
        EntryKind::Group => {
            for c in ["top", "groupOfNames", "uidObject"] {
                f("objectClass", c);
            }
            f(ADDRESS_ATTR, addr);
            f("cn", cn);
            match ctx.members {
                Some(dns) if !dns.is_empty() => {
                    for m in dns {
                        f("member", m);
                    }
                }
                _ => f("member", dn),
            }
            e.template.iter().enumerate().collect()
        }
    };
    for (i, t) in kept {
        template_description_into(i + 1, t, scratch);
        f("description", scratch);
    }
    if disambiguator > 1 {
        scratch.clear();
        scratch.push_str("msmail-");
        scratch.push_str(&disambiguator.to_string());
        f("ou", scratch);
    }
}

/// The `mail` value of an entry: the body of an SMTP address that is
/// printable ASCII.
pub(crate) fn smtp_mail(e: &Entry) -> Option<&str> {
    (e.address.type_name.eq_ignore_ascii_case("SMTP")
        && !e.address.body.is_empty()
        && e.address.body.bytes().all(|b| b.is_ascii_graphic()))
    .then_some(e.address.body.as_str())
}

/// The attributes of one entry, in writing order (objectClass first).
fn entry_attrs(e: &Entry, dn: &str, map: &AttributeMap) -> Vec<(String, String)> {
    let addr = e.address.to_string();
    let mut a: Vec<(String, String)> = Vec::new();
    let mut scratch = String::new();
    let ctx = AttrContext { map, members: None };
    for_each_attr(e, &addr, dn, 1, &ctx, &mut scratch, &mut |k, v| {
        a.push((k.to_string(), v.to_string()))
    });
    a
}

/// Writes one record without changetype: `dn`, then `attrs`.
pub(crate) fn write_plain_record(
    out: &mut LdifBuf,
    dn: &str,
    attrs: &[(&str, &str)],
) -> std::io::Result<()> {
    out.attr("dn", dn);
    for (k, v) in attrs {
        out.attr(k, v);
    }
    out.end_record()
}

/// Writes a whole directory as LDIF content records for the stock OpenLDAP
/// schemas with the standard attribute map: the base entry, then for each
/// scope its `ou=` containers (parents first) and its entries, in
/// [`Directory::sorted`] order.
pub fn write_ldif(dir: &Directory, w: &mut dyn Write, base_dn: &str) -> Result<()> {
    write_ldif_with(dir, w, &LdifOptions::new(base_dn)).map(|_| ())
}

/// The members of each group of `entries`, by group key, and the set of
/// every member key (to plan their DNs).
pub(crate) fn group_members<'d>(
    dir: &'d Directory,
    entries: &[(&AddressKey, &Entry)],
) -> (FastMap<AddressKey, &'d [Address]>, FastMap<AddressKey, ()>) {
    let mut groups = FastMap::default();
    let mut wanted = FastMap::default();
    for (k, e) in entries {
        if e.kind != EntryKind::Group {
            continue;
        }
        if let Some(m) = dir.members(k) {
            for a in m {
                wanted.insert(a.key(), ());
            }
            groups.insert((*k).clone(), m);
        }
    }
    (groups, wanted)
}

/// [`write_ldif`] with options: `--schema ad` goes to [`super::ad`].
/// Groups get their members' DNs: an entry of this export by the DN it is
/// written with, any other address by the DN the scheme gives it (it
/// resolves once that entry is loaded too; counted in the notes).
pub fn write_ldif_with(
    dir: &Directory,
    w: &mut dyn Write,
    opts: &LdifOptions,
) -> Result<WriteNotes> {
    if opts.schema == Schema::Ad {
        return super::ad::write_ad_ldif(dir, w, opts);
    }
    let base_dn = opts.base_dn.as_str();
    let (classes, battr, bvalue) = base_entry(base_dn)?;
    let mut out = LdifBuf::new(w);
    out.raw(b"version: 1\n\n");
    let battr_static: &str = match battr.as_str() {
        "dc" => "dc",
        "o" => "o",
        _ => "ou",
    };
    let mut base_attrs: Vec<(&str, &str)> = classes.iter().map(|c| ("objectClass", *c)).collect();
    base_attrs.push((battr_static, &bvalue));
    write_plain_record(&mut out, base_dn, &base_attrs).map_err(io_err)?;
    let keyed = dir.sorted_keyed();
    let entries: Vec<&Entry> = keyed.iter().map(|(_, e)| *e).collect();
    // Pass 1 (only when some group has members): the DN of every member
    // that is an entry of this export, exactly as pass 2 will place it.
    let (groups, wanted) = group_members(dir, &keyed);
    let mut member_dn: FastMap<AddressKey, String> = FastMap::default();
    let mut dn = String::new();
    if !wanted.is_empty() {
        let mut planner = DnPlanner::new(base_dn);
        planner.expect(&entries);
        for (k, e) in &keyed {
            planner.place(e, true, &mut dn);
            if wanted.contains_key(*k) {
                member_dn.insert((*k).clone(), dn.clone());
            }
        }
    }
    let mut notes = WriteNotes::default();
    let (mut outside, mut outside_groups) = (0usize, 0usize);
    let mut planner = DnPlanner::new(base_dn);
    planner.expect(&entries);
    let mut scratch = String::new();
    let mut dns: Vec<String> = Vec::new();
    for (k, e) in &keyed {
        let p = planner.place(e, true, &mut dn);
        for (cdn, ou) in &p.new_containers {
            let attrs = [
                ("objectClass", "top"),
                ("objectClass", "organizationalUnit"),
                ("ou", ou.as_str()),
            ];
            write_plain_record(&mut out, cdn, &attrs).map_err(io_err)?;
        }
        dns.clear();
        let members = match groups.get(*k) {
            Some(list) => {
                let mut seen: FastMap<String, ()> = FastMap::default();
                let before = outside;
                for a in list.iter() {
                    let mdn = match member_dn.get(&a.key()) {
                        Some(d) => d.clone(),
                        None => {
                            outside += 1;
                            entry_dn(base_dn, &Entry::new("", a.clone()))
                        }
                    };
                    if seen
                        .insert(normalize_dn(&mdn).unwrap_or_else(|_| mdn.clone()), ())
                        .is_none()
                    {
                        dns.push(mdn);
                    }
                }
                if outside > before {
                    outside_groups += 1;
                }
                Some(dns.as_slice())
            }
            None => None,
        };
        let ctx = AttrContext {
            map: &opts.map,
            members,
        };
        out.attr("dn", &dn);
        for_each_attr(
            e,
            &planner.addr,
            &dn,
            p.n,
            &ctx,
            &mut scratch,
            &mut |k, v| out.attr(k, v),
        );
        out.end_record().map_err(io_err)?;
    }
    if outside > 0 {
        notes.warnings.push(format!(
            "{outside} members of {outside_groups} groups are not entries of this export; \
             their member DNs name where this export's DN scheme puts them (they resolve \
             once those entries are loaded too)"
        ));
    }
    out.flush().map_err(io_err)?;
    Ok(notes)
}

/// Writes personal address lists as LDIF content records, to load next to
/// the directory export of the same base (whose base entry this file does
/// not repeat): `ou=Personal Address Lists,<base>`, for each owner an `ou=<owner's
/// address>` below it (`description` names the owner, `seeAlso` is the
/// owner's DN in the directory export) and the list's entries directly in it
/// (`uid=<address>,ou=<owner>,...`, attributes as in [`write_ldif_with`];
/// listed groups name themselves as member). With `--schema ad` the records
/// of [`super::ad::pal_records`].
pub fn write_personal_ldif(
    lists: &[(Entry, &Directory)],
    w: &mut dyn Write,
    opts: &LdifOptions,
) -> Result<()> {
    let mut out = LdifBuf::new(w);
    if opts.schema == Schema::Ad {
        super::ad::pal_records(lists, &opts.base_dn, &opts.map, &mut |r| {
            out.attr("dn", &r.dn);
            for (k, v) in &r.attrs {
                out.attr(k, v);
            }
            out.end_record().map_err(io_err)
        })?;
        return out.flush().map_err(io_err);
    }
    out.raw(b"version: 1\n\n");
    let base_dn = opts.base_dn.as_str();
    // The base entry is the directory export's: this file goes next to it.
    base_entry(base_dn)?;
    let mut top = String::from("ou=");
    escape_dn_value_into(PAL_CONTAINER, &mut top);
    top.push(',');
    top.push_str(base_dn);
    let ou_classes = [
        ("objectClass", "top"),
        ("objectClass", "organizationalUnit"),
    ];
    let mut attrs: Vec<(&str, &str)> = ou_classes.to_vec();
    attrs.push(("ou", PAL_CONTAINER));
    write_plain_record(&mut out, &top, &attrs).map_err(io_err)?;
    let mut scratch = String::new();
    let ctx = AttrContext {
        map: &opts.map,
        members: None,
    };
    for (owner, dir) in lists {
        let owner_addr = owner.address.to_string();
        let mut odn = String::from("ou=");
        escape_dn_value_into(&owner_addr, &mut odn);
        odn.push(',');
        odn.push_str(&top);
        let about = format!(
            "Personal address list of {} ({owner_addr})",
            owner.full_name
        );
        let see_also = entry_dn(base_dn, owner);
        let mut attrs: Vec<(&str, &str)> = ou_classes.to_vec();
        attrs.extend([
            ("ou", owner_addr.as_str()),
            ("description", about.as_str()),
            ("seeAlso", see_also.as_str()),
        ]);
        write_plain_record(&mut out, &odn, &attrs).map_err(io_err)?;
        // Flat below the owner; DNs a server sees as equal get `+ou=msmail-N`.
        let mut used: FastMap<String, u32> = FastMap::default();
        let mut dn = String::new();
        for e in dir.sorted() {
            let addr = e.address.to_string();
            let n = {
                let c = used.entry(ldap_fold(&addr)).or_insert(0);
                *c += 1;
                *c
            };
            dn.clear();
            dn.push_str("uid=");
            escape_dn_value_into(&addr, &mut dn);
            if n > 1 {
                dn.push_str("+ou=msmail-");
                dn.push_str(&n.to_string());
            }
            dn.push(',');
            dn.push_str(&odn);
            out.attr("dn", &dn);
            for_each_attr(e, &addr, &dn, n, &ctx, &mut scratch, &mut |k, v| {
                out.attr(k, v)
            });
            out.end_record().map_err(io_err)?;
        }
    }
    out.flush().map_err(io_err)
}

/// Writes change records (RFC 2849 `changetype`) for a list of changes, e.g.
/// the entries a restored postoffice is missing. The DNs follow the scheme of
/// [`write_ldif`]; containers are assumed to exist (load the full export
/// first). A modify that changes the DN or the kind is written as delete + add.
/// Group membership is not in a change: an added group names itself as its
/// member (as an empty group does), a modified group keeps its members.
pub fn write_change_ldif(
    changes: &[DirectoryChange],
    w: &mut dyn Write,
    base_dn: &str,
) -> Result<()> {
    base_entry(base_dn)?;
    let map = AttributeMap::standard();
    let mut out = LdifBuf::new(w);
    out.raw(b"version: 1\n\n");
    let add = |out: &mut LdifBuf, dn: &str, e: &Entry| {
        out.attr("dn", dn);
        out.attr("changetype", "add");
        for (k, v) in entry_attrs(e, dn, &map) {
            out.attr(&k, &v);
        }
        out.end_record()
    };
    let delete = |out: &mut LdifBuf, dn: &str| {
        out.attr("dn", dn);
        out.attr("changetype", "delete");
        out.end_record()
    };
    for c in changes {
        match c {
            DirectoryChange::Add(e) => add(&mut out, &entry_dn(base_dn, e), e).map_err(io_err)?,
            DirectoryChange::Delete(e) => {
                delete(&mut out, &entry_dn(base_dn, e)).map_err(io_err)?
            }
            DirectoryChange::Modify { old, new } => {
                let (odn, ndn) = (entry_dn(base_dn, old), entry_dn(base_dn, new));
                let same =
                    normalize_dn(&odn).ok() == normalize_dn(&ndn).ok() && old.kind == new.kind;
                if !same {
                    delete(&mut out, &odn).map_err(io_err)?;
                    add(&mut out, &ndn, new).map_err(io_err)?;
                    continue;
                }
                out.attr("dn", &odn);
                out.attr("changetype", "modify");
                let attrs = entry_attrs(new, &ndn, &map);
                // Every attribute either side has: a `replace` without values
                // removes one the new entry no longer has.
                let mut names: Vec<String> = vec![ADDRESS_ATTR.to_string(), "cn".into()];
                for (k, _) in entry_attrs(old, &odn, &map).iter().chain(&attrs) {
                    let skip =
                        k == "objectClass" || (k == "member" && new.kind == EntryKind::Group);
                    if !skip && !names.contains(k) {
                        names.push(k.clone());
                    }
                }
                for name in &names {
                    out.attr("replace", name);
                    for (k, v) in attrs.iter().filter(|(k, _)| k == name) {
                        out.attr(k, v);
                    }
                    out.raw(b"-\n");
                }
                out.end_record().map_err(io_err)?;
            }
        }
    }
    out.flush().map_err(io_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, addr: &str) -> Entry {
        Entry::new(name, Address::parse(addr).unwrap())
    }

    fn sample() -> Directory {
        let mut g = entry("All Staff", "PCM:NET/PO/ALLSTAFF");
        g.kind = EntryKind::Group;
        let mut u = entry(" Müller, Jürgen: <x>", "PCM:NET/PO/MUELLER");
        u.template.push(TemplateValue {
            prompt: "City/ST:".into(),
            value: "Köln ".into(),
        });
        [
            u,
            g,
            entry("Gate User", "PROFS:GATE/NODE/USER"),
            entry("Web", "SMTP:web@example.com"),
        ]
        .into_iter()
        .collect()
    }

    fn export(d: &Directory) -> String {
        let mut out = Vec::new();
        write_ldif(d, &mut out, "dc=example,dc=com").unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn safe_strings() {
        assert!(is_safe_string("abc def"));
        assert!(is_safe_string(""));
        assert!(!is_safe_string(" lead"));
        assert!(!is_safe_string(":colon"));
        assert!(!is_safe_string("<lt"));
        assert!(!is_safe_string("trail "));
        assert!(!is_safe_string("é"));
        assert!(!is_safe_string("a\nb"));
        assert!(is_safe_string("a:b<c"));
    }

    #[test]
    fn dn_escaping_round_trips() {
        let v = " #a,b+c=d\\e;f<g>\"h ";
        let dn = format!("uid={},dc=x", escape_dn_value(v));
        let rdns = parse_dn(&dn).unwrap();
        assert_eq!(rdns[0][0], ("uid".into(), v.into()));
        assert_eq!(rdns[1][0], ("dc".into(), "x".into()));
        assert_eq!(parse_dn("cn=a\\2Cb").unwrap()[0][0].1, "a,b");
    }

    #[test]
    fn lines_fold_at_76() {
        let mut d = Directory::new();
        d.upsert(entry(
            &"x".repeat(30),
            &format!("SMTP:{}@example.com", "a".repeat(120)),
        ));
        let text = export(&d);
        assert!(text.lines().all(|l| l.len() <= FOLD_WIDTH), "{text}");
        assert!(text.lines().any(|l| l.starts_with(' ')));
        let recs = parse_ldif(&text).unwrap();
        let last = recs.last().unwrap();
        assert_eq!(last.first("mail").unwrap().len(), 132);
    }

    #[test]
    fn containers_come_before_children_and_base_first() {
        let text = export(&sample());
        let recs = parse_ldif(&text).unwrap();
        assert_eq!(recs[0].dn, "dc=example,dc=com");
        assert_eq!(recs[0].values("objectClass"), vec!["top", "domain"]);
        let mut seen: Vec<String> = Vec::new();
        for r in &recs {
            let n = normalize_dn(&r.dn).unwrap();
            if let Some((_, parent)) = n.split_once(',') {
                if parent != "dc=com" {
                    assert!(seen.contains(&parent.to_string()), "{} before parent", r.dn);
                }
            }
            assert!(!seen.contains(&n), "duplicate DN {}", r.dn);
            seen.push(n);
        }
        assert!(seen.contains(&"ou=node,ou=gate,ou=profs,dc=example,dc=com".to_string()));
        assert!(seen.contains(&"ou=smtp,dc=example,dc=com".to_string()));
    }

    #[test]
    fn unsafe_values_are_base64_and_read_back() {
        let d = sample();
        let text = export(&d);
        assert!(text.contains("displayName:: "));
        let back = read_ldif_directory(&text, "t.ldif").unwrap();
        assert_eq!(back.len(), d.len());
        for e in d.iter() {
            let b = back.get(&e.key()).unwrap();
            assert!(e.same_content(b), "{e:?} vs {b:?}");
            assert_eq!(b.address.to_string(), e.address.to_string());
        }
    }

    #[test]
    fn groups_carry_member_dns_and_people_their_names() {
        let mut d = sample();
        let mut jo = entry("Jäger, Anna M.", "PCM:NET/PO/AJAEGER");
        jo.template = vec![
            TemplateValue {
                prompt: "Phone:".into(),
                value: "+41 44 555 12 12".into(),
            },
            TemplateValue {
                prompt: "Room//Desk:".into(),
                value: "4.12".into(),
            },
            TemplateValue {
                prompt: "Department:".into(),
                value: "Sales".into(),
            },
        ];
        d.upsert(jo.clone());
        let staff = Address::parse("PCM:NET/PO/ALLSTAFF").unwrap().key();
        d.set_members(
            &staff,
            vec![
                jo.address.clone(),
                Address::parse("SMTP:web@example.com").unwrap(),
                Address::parse("PCM:OTHER/PO/GONE").unwrap(),
            ],
        );
        let mut out = Vec::new();
        let notes = write_ldif_with(&d, &mut out, &LdifOptions::new("dc=example,dc=com")).unwrap();
        assert_eq!(notes.warnings.len(), 1, "{notes:?}");
        assert!(notes.warnings[0].starts_with("1 members of 1 groups"));
        let text = String::from_utf8(out).unwrap();
        let recs = parse_ldif(&text).unwrap();
        let g = recs
            .iter()
            .find(|r| r.first("uid") == Some("PCM:NET/PO/ALLSTAFF"))
            .unwrap();
        let dn_of = |uid: &str| {
            recs.iter()
                .find(|r| r.first("uid") == Some(uid))
                .unwrap()
                .dn
                .clone()
        };
        assert_eq!(
            g.values("member"),
            vec![
                dn_of("PCM:NET/PO/AJAEGER").as_str(),
                dn_of("SMTP:web@example.com").as_str(),
                "uid=PCM:OTHER/PO/GONE,ou=PO,ou=OTHER,ou=PCM,dc=example,dc=com",
            ]
        );
        let a = recs
            .iter()
            .find(|r| r.first("uid") == Some("PCM:NET/PO/AJAEGER"))
            .unwrap();
        assert_eq!(a.first("sn"), Some("Jäger"));
        assert_eq!(a.first("givenName"), Some("Anna"));
        assert_eq!(a.first("initials"), Some("M."));
        assert_eq!(a.first("telephoneNumber"), Some("+41 44 555 12 12"));
        assert_eq!(a.first("departmentNumber"), Some("Sales"));
        // Unmapped values keep their position number.
        assert_eq!(a.values("description"), vec!["2. Room\\/\\/Desk:/4.12"]);
        // Read back: members, template order and prompts of mapped values.
        let back = read_ldif_directory(&text, "t.ldif").unwrap();
        let m: Vec<String> = back
            .members(&staff)
            .unwrap()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            m,
            vec![
                "PCM:NET/PO/AJAEGER",
                "SMTP:web@example.com",
                "PCM:OTHER/PO/GONE"
            ]
        );
        let b = back.get(&jo.key()).unwrap();
        let t: Vec<(&str, &str)> = b
            .template
            .iter()
            .map(|t| (t.prompt.as_str(), t.value.as_str()))
            .collect();
        assert_eq!(
            t,
            vec![
                ("Phone:", "+41 44 555 12 12"),
                ("Room//Desk:", "4.12"),
                ("Department:", "Sales")
            ]
        );
        // Without the map every value is a description, as before.
        let mut out = Vec::new();
        let mut opts = LdifOptions::new("dc=example,dc=com");
        opts.map = AttributeMap::none();
        write_ldif_with(&d, &mut out, &opts).unwrap();
        let back = read_ldif_directory(std::str::from_utf8(&out).unwrap(), "t").unwrap();
        assert_eq!(back.get(&jo.key()).unwrap().template, jo.template);
    }

    #[test]
    fn personal_lists_sit_below_their_owner() {
        let owner = entry("Doe, John", "PCM:NET/PO/JDOE");
        let list: Directory = [
            entry("Web", "SMTP:web@example.com"),
            entry("Ann", "PCM:NET/PO/ANN"),
        ]
        .into_iter()
        .collect();
        let mut out = Vec::new();
        write_personal_ldif(&[(owner, &list)], &mut out, &LdifOptions::new("o=corp")).unwrap();
        let recs = parse_ldif(std::str::from_utf8(&out).unwrap()).unwrap();
        let dns: Vec<&str> = recs.iter().map(|r| r.dn.as_str()).collect();
        assert_eq!(
            dns,
            vec![
                "ou=Personal Address Lists,o=corp",
                "ou=PCM:NET/PO/JDOE,ou=Personal Address Lists,o=corp",
                "uid=PCM:NET/PO/ANN,ou=PCM:NET/PO/JDOE,ou=Personal Address Lists,o=corp",
                "uid=SMTP:web@example.com,ou=PCM:NET/PO/JDOE,ou=Personal Address Lists,o=corp",
            ]
        );
        assert_eq!(
            recs[1].first("seeAlso"),
            Some("uid=PCM:NET/PO/JDOE,ou=PO,ou=NET,ou=PCM,o=corp")
        );
        // The directory reader skips personal-list entries.
        assert!(read_ldif_directory(std::str::from_utf8(&out).unwrap(), "t")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn template_positions_merge() {
        let tv = |p: &str| TemplateValue {
            prompt: p.into(),
            value: String::new(),
        };
        let got = merge_template(
            vec![(4, tv("d")), (2, tv("b"))],
            vec![(0, tv("a")), (1, tv("c")), (2, tv("e"))],
        );
        let p: Vec<&str> = got.iter().map(|t| t.prompt.as_str()).collect();
        assert_eq!(p, vec!["a", "b", "c", "d", "e"]);
        let got = merge_template(vec![(7, tv("x"))], vec![]);
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn groups_have_a_member_placeholder() {
        let text = export(&sample());
        let recs = parse_ldif(&text).unwrap();
        let g = recs
            .iter()
            .find(|r| r.values("objectClass").contains(&"groupOfNames"))
            .unwrap();
        // An empty group names itself (groupOfNames needs a member) and
        // reads back empty.
        assert_eq!(g.values("member"), vec![g.dn.as_str()]);
        let back = read_ldif_directory(&export(&sample()), "t").unwrap();
        let k = Address::parse("PCM:NET/PO/ALLSTAFF").unwrap().key();
        assert_eq!(back.members(&k), Some(&[][..]));
        assert!(g.values("objectClass").contains(&"uidObject"));
    }

    #[test]
    fn dns_that_fold_together_are_disambiguated() {
        let d: Directory = [entry("One", "SMTP:a  b@x"), entry("Two", "SMTP:a b@x")]
            .into_iter()
            .collect();
        let text = export(&d);
        let recs = parse_ldif(&text).unwrap();
        let dns: Vec<String> = recs.iter().map(|r| normalize_dn(&r.dn).unwrap()).collect();
        let mut sorted = dns.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), dns.len());
        assert!(text.contains("+ou=msmail-2,"));
        assert_eq!(export(&d), text, "stable across runs");
    }

    #[test]
    fn plain_address_folding_with_a_non_plain_one_is_disambiguated() {
        // U+212A KELVIN SIGN lower-cases to ASCII `k`: a plain address and a
        // non-plain one fold together, so the shortcut must still count both.
        let d: Directory = [
            entry("Plain", "SMTP:k@x"),
            entry("Kelvin", "SMTP:\u{212A}@x"),
            entry("Other", "SMTP:j@x"),
        ]
        .into_iter()
        .collect();
        let text = export(&d);
        let recs = parse_ldif(&text).unwrap();
        let dns: Vec<String> = recs.iter().map(|r| normalize_dn(&r.dn).unwrap()).collect();
        let mut sorted = dns.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), dns.len(), "{text}");
        let marked: Vec<&str> = recs
            .iter()
            .filter(|r| r.dn.contains("+ou=msmail-2,"))
            .map(|r| r.first("cn").unwrap())
            .collect();
        assert_eq!(marked, vec!["Kelvin"], "{text}");
        assert!(plain_address("SMTP:k@x") && !plain_address("SMTP:\u{212A}@x"));
        assert!(!plain_address("SMTP:a b"));
    }

    #[test]
    fn change_ldif_has_each_changetype() {
        let old = entry("Old Name", "PCM:NET/PO/A");
        let mut new = entry("New Name", "PCM:NET/PO/A");
        new.template.push(TemplateValue {
            prompt: "Phone:".into(),
            value: "1".into(),
        });
        let changes = vec![
            DirectoryChange::Add(entry("Added", "PCM:NET/PO/B")),
            DirectoryChange::Delete(entry("Gone", "PCM:NET/PO/C")),
            DirectoryChange::Modify {
                old: old.clone(),
                new,
            },
            DirectoryChange::Modify {
                old,
                new: entry("Moved", "PCM:NET/PO/D"),
            },
        ];
        let mut out = Vec::new();
        write_change_ldif(&changes, &mut out, "o=corp").unwrap();
        let text = String::from_utf8(out).unwrap();
        let recs = parse_ldif(&text).unwrap();
        let types: Vec<&str> = recs
            .iter()
            .map(|r| r.first("changetype").unwrap())
            .collect();
        assert_eq!(types, vec!["add", "delete", "modify", "delete", "add"]);
        assert_eq!(recs[2].first("displayName"), Some("New Name"));
        assert_eq!(recs[2].first("description"), None);
        assert_eq!(recs[2].first("telephoneNumber"), Some("1"));
        assert_eq!(recs[2].first("sn"), Some("Name"));
        assert_eq!(recs[2].first("givenName"), Some("New"));
        // The replace list covers every attribute the writer may set.
        // Every attribute either side has is replaced (old "Old Name" had a
        // givenName too).
        assert_eq!(
            recs[2].values("replace"),
            vec![
                "uid",
                "cn",
                "sn",
                "givenName",
                "displayName",
                "telephoneNumber"
            ]
        );
        assert_eq!(recs[1].dn, "uid=PCM:NET/PO/C,ou=PO,ou=NET,ou=PCM,o=corp");
    }

    #[test]
    fn reader_reports_lines() {
        let err = parse_ldif("version: 1\n\ndn: a=b\nbroken line\n").unwrap_err();
        assert!(err.to_string().contains("line 4"), "{err}");
        let err = parse_ldif("dn: a=b\ncn:: !!!\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(write_ldif(&Directory::new(), &mut Vec::new(), "cn=x").is_err());
    }

    #[test]
    fn template_descriptions_round_trip() {
        let t = TemplateValue {
            prompt: "City/ST\\\\Zip:".into(),
            value: "/A/B".into(),
        };
        let s = template_description(3, &t);
        assert_eq!(s, "3. City\\/ST\\\\\\\\Zip:/".to_string() + "/A/B");
        assert_eq!(parse_template_description(&s), Some((3, t)));
    }
}
