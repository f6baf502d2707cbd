//! The engine of `msmail export`: load several sources and merge them (a
//! later source wins), say which entries break MS Mail limits, fit a
//! directory for import text, collect personal address lists. The writers'
//! dispatch is [`crate::writer`].
//!
//! What the user should be told goes to the caller's [`Message`] sink, in
//! the order it happens.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::model::{Directory, Entry};
use crate::source::{LoadOptions, SourceKind};
use crate::tree::ListSelector;

/// Longest list of limit violations told one per line; the rest are counted.
pub const MAX_LIMIT_LINES: usize = 50;

/// What the engine tells the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A warning.
    Warn(String),
    /// A note (said unless `-q`).
    Note(String),
    /// A detail for `-v`.
    Detail(String),
}

/// One source to read: its path and its name in messages (`<stdin>` for
/// standard input spooled to a file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSource {
    /// The path to read.
    pub path: PathBuf,
    /// The name in messages.
    pub name: String,
}

/// Refuses a source that is no MAILDATA tree where `--list` needs one.
fn require_tree_source(source: &NamedSource) -> Result<()> {
    if crate::source::detect(&source.path).ok() != Some(SourceKind::Tree) {
        return Err(Error::Usage(format!(
            "{}: --list needs a MAILDATA tree: {}",
            source.name,
            crate::input::NOT_A_TREE
        )));
    }
    Ok(())
}

/// Loads and merges every source (later wins): each source whole, or only
/// the list `selector` names (every source must then be a tree). `rename`
/// names an error's file as the user knows it.
pub fn load_merged(
    sources: &[NamedSource],
    selector: Option<&ListSelector>,
    options: &LoadOptions,
    rename: &dyn Fn(Error) -> Error,
    tell: &mut dyn FnMut(Message),
) -> Result<Directory> {
    let mut merged = Directory::new();
    for (i, source) in sources.iter().enumerate() {
        let name = &source.name;
        let path = &source.path;
        let loaded = match selector {
            Some(sel) => {
                require_tree_source(source)?;
                crate::tree::postoffice::load_list(path, sel, options)
            }
            None => crate::source::load_directory(path, options),
        }
        .map_err(rename)?;
        for w in &loaded.warnings {
            tell(Message::Warn(format!("{name}: {w}")));
        }
        tell(Message::Detail(format!(
            "{name}: {} entries",
            loaded.directory.len()
        )));
        if i == 0 {
            merged = loaded.directory;
            continue;
        }
        let mut replaced = 0usize;
        for e in loaded.directory.iter() {
            if let Some(prev) = merged.upsert(e.clone()) {
                if !prev.same_content(e) {
                    replaced += 1;
                }
            }
        }
        for (k, m) in loaded.directory.membership() {
            merged.set_members(k, m.to_vec());
        }
        for (k, def) in loaded.directory.templates {
            merged.templates.insert(k, def);
        }
        if replaced > 0 {
            tell(Message::Note(format!(
                "{name}: {replaced} entries replace different entries with the same address from earlier sources (later source wins)"
            )));
        }
    }
    Ok(merged)
}

/// Tells every MS Mail limit an entry breaks (at most [`MAX_LIMIT_LINES`]
/// lines), in input order (deterministic, and saves a sort of the directory).
pub fn limit_warnings(dir: &Directory, tell: &mut dyn FnMut(Message)) {
    let mut total = 0usize;
    for e in dir.iter() {
        for v in e.limit_violations() {
            total += 1;
            if total <= MAX_LIMIT_LINES {
                let place = match e.origin.to_string() {
                    s if s.is_empty() => String::new(),
                    s => format!("{s}: "),
                };
                tell(Message::Warn(format!(
                    "{place}{}: {} is {} characters (MS Mail limit {})",
                    e.address, v.field, v.length, v.limit
                )));
            }
        }
    }
    if total > MAX_LIMIT_LINES {
        tell(Message::Warn(format!(
            "{} more limit violations not shown ({total} in all)",
            total - MAX_LIMIT_LINES
        )));
    }
}

/// Makes the directory fit import text as the reconcile writer does
/// ([`crate::reconcile::fit::Fitter`]): entries over the MS Mail limits are
/// refused (every one listed) unless `truncate` allows cutting full names and
/// mailboxes; characters outside CP850 become `?` when `replace`. Each change
/// is told; a cut mailbox that collides with another address is refused.
pub fn fit_for_import(
    dir: Directory,
    truncate: bool,
    replace: bool,
    tell: &mut dyn FnMut(Message),
) -> Result<Directory> {
    use crate::reconcile::output::{Fitter, OutputOptions};
    let mut refused = Vec::new();
    for e in dir.sorted() {
        for v in e.limit_violations() {
            if !(truncate && matches!(v.field, "full_name" | "mailbox")) {
                refused.push(format!(
                    "  {}: {} of {} characters (limit {})",
                    e.address, v.field, v.length, v.limit
                ));
            }
        }
    }
    if !refused.is_empty() {
        return Err(Error::Unrepresentable(format!(
            "{} entries cannot be written as import text as they are (IMPORT reports \
             Error 72 for a full name over 30 characters, Q104869, and Error 20 for an \
             address part over 10); --truncate-names cuts full names to 30 and mailboxes \
             to 10 characters:\n{}",
            refused.len(),
            refused.join("\n")
        )));
    }
    let fitter = Fitter::new(&OutputOptions {
        truncate_names: truncate,
        replace_unencodable: replace,
        ..OutputOptions::default()
    });
    if fitter.is_identity() {
        return Ok(dir);
    }
    let mut out = Directory::new();
    out.templates = dir.templates.clone();
    for e in dir.sorted() {
        let Some((fitted, changes)) = fitter.fit(e) else {
            out.upsert(e.clone());
            continue;
        };
        if fitted.key() != e.key()
            && (dir.contains_key(&fitted.key()) || out.contains_key(&fitted.key()))
        {
            return Err(Error::Unrepresentable(format!(
                "{}: cut to {}, which another entry already has",
                e.address, fitted.address
            )));
        }
        for c in changes {
            tell(Message::Warn(format!(
                "{}: {} {:?} written as {:?}",
                c.address, c.field, c.from, c.to
            )));
        }
        out.upsert(fitted);
    }
    Ok(out)
}

/// The personal address lists of every source tree (owners in tree order;
/// `only`: one owner's mailbox), each with its owner.
pub fn personal_lists(
    sources: &[NamedSource],
    only: Option<&str>,
    options: &LoadOptions,
    tell: &mut dyn FnMut(Message),
) -> Result<Vec<(Entry, Directory)>> {
    let mut lists: Vec<(Entry, Directory)> = Vec::new();
    for source in sources {
        let name = &source.name;
        require_tree_source(source)?;
        let mut po = crate::tree::PostOffice::open(&source.path, options)?;
        for w in std::mem::take(&mut po.warnings) {
            tell(Message::Warn(format!("{name}: {w}")));
        }
        let found = crate::tree::personal::personal_lists(&po, only, options.salvage)?;
        for w in &found.warnings {
            tell(Message::Warn(format!("{name}: {w}")));
        }
        lists.extend(found.lists.into_iter().map(|l| (l.owner, l.directory)));
    }
    Ok(lists)
}
