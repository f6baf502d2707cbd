//! The import text writer: column layout (Q104869, Q131151, Q132681), CP850,
//! CR LF; `T TYPE: body` definitions followed by a blank line (Q104281,
//! Q118447); entries over the MS Mail limits refused (Error 72, Q104869).

use std::io::Write;

use super::address_start;
use crate::codepage;
use crate::error::{Error, Result};
use crate::model::{
    Directory, Entry, Operation, Scope, TemplateField, TemplateValue, MAX_FULL_NAME,
};

/// Writes one TPL field line, reproducing the number of `~` fields the line
/// was read with where the trailing fields are empty (never dropping a
/// non-empty field). Used for `T` definitions and TPL files alike.
pub fn template_field_line(f: &TemplateField) -> String {
    let all = [
        f.prompt.clone(),
        f.start.to_string(),
        f.width.to_string(),
        f.edit.clone(),
        f.data.clone(),
        f.internal.clone(),
    ];
    let needed = all.iter().rposition(|s| !s.is_empty()).map_or(1, |p| p + 1);
    let n = if f.written_fields == 0 {
        6
    } else {
        usize::from(f.written_fields).clamp(needed, 6)
    };
    all.get(..n).unwrap_or(&all).join("~")
}

/// Does the text contain something the last-` TYPE:` rule would take for the
/// start of an address?
fn looks_like_address_start(text: &str) -> bool {
    address_start(text).is_some_and(|p| p > 0) || text.contains('\t')
}

/// Refuses entries the import format cannot carry: line breaks anywhere, a TAB
/// in the name or address, a template value starting with `/` (it would read
/// back as part of the prompt), and entries over the MS Mail limits: a full
/// name over 30 characters (IMPORT reports Error 72, Q104869) or a PCM network,
/// postoffice or mailbox over 10 (Error 20, Q96001). The reconcile writer
/// refuses the same entries; `--truncate-names` fits them before writing.
fn check_representable(entry: &Entry) -> Result<()> {
    if let Some(v) = entry.limit_violations().first() {
        let error = if v.field == "full_name" { 72 } else { 20 };
        return Err(Error::Unrepresentable(format!(
            "{}: {} is {} characters, MS Mail allows {} (IMPORT reports Error {error}); \
             --truncate-names cuts full names to 30 and mailboxes to 10 characters",
            entry.address, v.field, v.length, v.limit
        )));
    }
    let bad = |what: &str, text: &str| {
        Err(Error::Unrepresentable(format!(
            "{}: {what} {text:?} cannot be written in an import file",
            entry.address
        )))
    };
    let breaks = |s: &str| s.contains(['\r', '\n']);
    if breaks(&entry.full_name) || entry.full_name.contains('\t') {
        return bad("full name", &entry.full_name);
    }
    if breaks(&entry.address.body) || entry.address.body.contains('\t') {
        return bad("address", &entry.address.body);
    }
    for tv in &entry.template {
        if breaks(&tv.prompt) || breaks(&tv.value) || tv.value.starts_with('/') {
            return bad("template value", &format!("{}/{}", tv.prompt, tv.value));
        }
    }
    Ok(())
}

/// One `name address` field in column layout: the name padded to 30 characters,
/// the address at column 34 (relative to the op columns). A TAB separates them
/// instead when the address text would otherwise be split elsewhere on reading.
fn name_address(entry: &Entry) -> String {
    let addr = entry.address.to_string();
    let name = &entry.full_name;
    let ambiguous = looks_like_address_start(&entry.address.body)
        || name.ends_with(':')
        || entry.address.type_name.len() < 2;
    if ambiguous {
        return format!("{name}\t{addr}");
    }
    let len = name.chars().count();
    let pad = (MAX_FULL_NAME + 1).saturating_sub(len).max(1);
    let mut s = String::with_capacity(name.len() + pad + addr.len());
    s.push_str(name);
    s.extend(std::iter::repeat_n(' ', pad));
    s.push_str(&addr);
    s
}

/// One `<op> name address` line in column layout (GIMPORT's `G`/`A` lines
/// share the import layout, Q99419), refused like an import entry when the
/// format cannot carry it or it breaks the MS Mail limits.
pub fn entry_line(op: char, entry: &Entry) -> Result<String> {
    check_representable(entry)?;
    Ok(format!("{op} {}", name_address(entry)))
}

/// The template data line for one value (`- prompt/value`, `/` doubled in the prompt).
pub fn template_value_line(tv: &TemplateValue) -> String {
    format!("- {}/{}", tv.prompt.replace('/', "//"), tv.value)
}

/// The `T` line of a template definition as import files write it:
/// `T PROFS: GATE/NODE`, a blank after the type's colon as Q104281 prints it
/// (readers accept it with or without the blank, Q118447 and Q125920 print
/// none). A scope without a body (`SMTP:`) is written `T SMTP:`.
pub fn template_header_line(scope: &Scope) -> String {
    if scope.body.is_empty() {
        format!("T {}:", scope.type_name)
    } else {
        format!("T {}: {}", scope.type_name, scope.body)
    }
}

/// The lines an import file holds for one operation: [`operation_lines`],
/// with the `T` line in the import-file form of [`template_header_line`].
pub fn import_file_lines(op: &Operation) -> Vec<String> {
    let mut lines = operation_lines(op);
    if let (Operation::Template(def), Some(first)) = (op, lines.first_mut()) {
        *first = template_header_line(&def.scope);
    }
    lines
}

/// The lines (without line ends) that express one operation in column layout,
/// as Dir-Sync transaction texts hold them (`T TYPE:body` without a blank).
pub fn operation_lines(op: &Operation) -> Vec<String> {
    let mut out = Vec::new();
    match op {
        Operation::Add(e) | Operation::Delete(e) => {
            out.push(format!("{} {}", op.letter(), name_address(e)));
            out.extend(e.template.iter().map(template_value_line));
        }
        Operation::Modify { old, new } => {
            out.push(format!("M {}", name_address(old)));
            // Same name and address with template data: the Q127918 form,
            // `M` followed directly by the template lines that replace the
            // entry's template data.
            let template_only = old.key() == new.key()
                && old.full_name == new.full_name
                && !new.template.is_empty();
            if !template_only {
                out.push(format!("  {}", name_address(new)));
            }
            out.extend(new.template.iter().map(template_value_line));
        }
        Operation::Replace(scope) => out.push(format!("R {scope}")),
        Operation::Template(def) => {
            out.push(format!("T {}", def.scope));
            out.extend(def.fields.iter().map(template_field_line));
        }
    }
    out
}

/// What a writer should do with text CP850 cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unencodable {
    /// Refuse: return `Error::Unrepresentable` naming the character and line.
    #[default]
    Refuse,
    /// Replace each such character by `?` (only when the user asked for it).
    Replace,
}

/// Encodes lines as CP850 with CR LF line ends.
fn write_lines(lines: &[String], w: &mut dyn Write, policy: Unencodable) -> Result<()> {
    for line in lines {
        let bytes = match codepage::encode_cp850(line) {
            Ok(b) => b,
            Err((_, ch)) if policy == Unencodable::Refuse => {
                return Err(Error::Unrepresentable(format!(
                    "character {ch:?} (U+{:04X}) in {line:?} has no CP850 code; \
                     ask for replacement to write it as `?`",
                    ch as u32
                )))
            }
            Err(_) => codepage::encode_cp850_lossy(line),
        };
        w.write_all(&bytes)
            .and_then(|_| w.write_all(b"\r\n"))
            .map_err(|e| Error::output("<import text>", e.to_string()))?;
    }
    Ok(())
}

/// Writes operations as an import file: column layout, CP850, CR LF.
pub fn write_operations(ops: &[Operation], w: &mut dyn Write) -> Result<()> {
    write_operations_with(ops, w, Unencodable::Refuse)
}

/// Like [`write_operations`], with an explicit policy for non-CP850 text.
pub fn write_operations_with(
    ops: &[Operation],
    w: &mut dyn Write,
    policy: Unencodable,
) -> Result<()> {
    let mut after_template = false;
    for op in ops {
        match op {
            Operation::Add(e) | Operation::Delete(e) => check_representable(e)?,
            Operation::Modify { old, new } => {
                check_representable(old)?;
                check_representable(new)?;
            }
            _ => {}
        }
        // A blank line ends each T block, as Q118447 prints it.
        if after_template {
            write_lines(&[String::new()], w, policy)?;
        }
        after_template = matches!(op, Operation::Template(_));
        write_lines(&import_file_lines(op), w, policy)?;
    }
    Ok(())
}

/// Writes a whole directory as an import file: the `T` definitions sorted by
/// scope, each followed by a blank line (Q118447), then one `A` per entry in
/// [`Directory::sorted`] order.
pub fn write_directory(dir: &Directory, w: &mut dyn Write) -> Result<()> {
    write_directory_with(dir, w, Unencodable::Refuse)
}

/// Like [`write_directory`], with an explicit policy for non-CP850 text.
pub fn write_directory_with(dir: &Directory, w: &mut dyn Write, policy: Unencodable) -> Result<()> {
    let entries = dir.sorted();
    let defs = dir.templates.len();
    for (i, def) in dir.templates.values().enumerate() {
        write_lines(
            &import_file_lines(&Operation::Template(def.clone())),
            w,
            policy,
        )?;
        if i + 1 < defs || !entries.is_empty() {
            write_lines(&[String::new()], w, policy)?;
        }
    }
    let mut lines = Vec::with_capacity(4);
    for e in entries {
        check_representable(e)?;
        lines.clear();
        lines.push(format!("A {}", name_address(e)));
        lines.extend(e.template.iter().map(template_value_line));
        write_lines(&lines, w, policy)?;
    }
    Ok(())
}

/// Writes a full export of one scope as Dir-Sync writes it: `R scope`, then one
/// `A` per entry of that scope.
pub fn write_scope_export(dir: &Directory, scope: &Scope, w: &mut dyn Write) -> Result<()> {
    write_lines(&[format!("R {scope}")], w, Unencodable::Refuse)?;
    for e in dir.in_scope(scope) {
        check_representable(e)?;
        write_lines(
            &operation_lines(&Operation::Add(e.clone())),
            w,
            Unencodable::Refuse,
        )?;
    }
    Ok(())
}
