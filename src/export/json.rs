//! JSON export for other programs: one document, or NDJSON (one entry object
//! per line). Field names are stable (schema in docs/formats.md, `exports`).

use std::io::Write;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::model::{
    Address, AddressKey, Directory, Entry, EntryKind, Origin, Position, TemplateValue,
};

/// The value of the document's `format` field.
pub const FORMAT_NAME: &str = "msmail-directory";
/// The value of the document's `version` field.
pub const FORMAT_VERSION: u32 = 1;

/// One template value in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonTemplateValue {
    /// Prompt, with its colon.
    pub prompt: String,
    /// Value, verbatim.
    pub value: String,
}

/// One entry in JSON. `type`, `network`, `postoffice`, `mailbox` and `scope`
/// are derived from `address` and ignored by the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonEntry {
    /// Full name.
    pub full_name: String,
    /// The full address `TYPE:body`, as written.
    pub address: String,
    /// Address type as written.
    #[serde(rename = "type", default)]
    pub type_name: String,
    /// First address part (network or gateway), null for free-form addresses.
    #[serde(default)]
    pub network: Option<String>,
    /// Second part (postoffice or node).
    #[serde(default)]
    pub postoffice: Option<String>,
    /// Third part (mailbox or user).
    #[serde(default)]
    pub mailbox: Option<String>,
    /// `user` or `group`.
    pub kind: String,
    /// `PCM:NET/PO`, `TYPE:GATE/NODE` or `TYPE:`.
    #[serde(default)]
    pub scope: String,
    /// Template data in order.
    #[serde(default)]
    pub template: Vec<JsonTemplateValue>,
    /// A group's members (addresses, in order); empty for users and for
    /// groups whose membership is not known.
    #[serde(default)]
    pub members: Vec<String>,
    /// Where the entry was read from (`file: line N` or `file: record N at byte offset M`).
    #[serde(default)]
    pub origin: String,
    /// Personal lists only: the address of the list's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// The whole JSON document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsonDocument {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// Always [`FORMAT_VERSION`].
    pub version: u32,
    /// Number of entries.
    pub count: usize,
    /// Entries in [`Directory::sorted`] order.
    pub entries: Vec<JsonEntry>,
}

impl JsonEntry {
    /// The JSON form of an entry (no members, no owner).
    pub fn from_entry(e: &Entry) -> JsonEntry {
        let parts = e.address.parts();
        JsonEntry {
            full_name: e.full_name.to_string(),
            address: e.address.to_string(),
            type_name: e.address.type_name.to_string(),
            network: parts.map(|p| p.0.to_string()),
            postoffice: parts.map(|p| p.1.to_string()),
            mailbox: parts.map(|p| p.2.to_string()),
            kind: e.kind.as_str().to_string(),
            scope: e.scope().to_string(),
            template: e
                .template
                .iter()
                .map(|t| JsonTemplateValue {
                    prompt: t.prompt.to_string(),
                    value: t.value.to_string(),
                })
                .collect(),
            members: Vec::new(),
            origin: match e.origin.position {
                Position::None if e.origin.file.is_empty() => String::new(),
                _ => e.origin.to_string(),
            },
            owner: None,
        }
    }

    /// The JSON form of an entry of `dir`, with its members when a group.
    pub fn from_entry_in(e: &Entry, key: &AddressKey, dir: &Directory) -> JsonEntry {
        let mut j = JsonEntry::from_entry(e);
        if e.kind == EntryKind::Group {
            if let Some(m) = dir.members(key) {
                j.members = m.iter().map(|a| a.to_string()).collect();
            }
        }
        j
    }

    /// Back to a model entry; `Err` carries the reason.
    pub fn to_entry(&self, origin: Origin) -> std::result::Result<Entry, String> {
        let address = Address::parse(&self.address).map_err(|e| e.to_string())?;
        let kind = match self.kind.as_str() {
            "user" => EntryKind::User,
            "group" => EntryKind::Group,
            k => return Err(format!("kind {k:?} is not user or group")),
        };
        Ok(Entry {
            full_name: self.full_name.clone().into(),
            address,
            kind,
            template: self
                .template
                .iter()
                .map(|t| TemplateValue {
                    prompt: crate::model::Prompt::intern(&t.prompt),
                    value: t.value.clone().into(),
                })
                .collect(),
            origin,
        })
    }
}

fn io_err(e: impl std::fmt::Display) -> Error {
    Error::output("<output>", e.to_string())
}

/// Writes the directory as one JSON document (pretty, 2-space indent, final
/// newline) or, with `ndjson`, one compact entry object per line.
pub fn write_json(dir: &Directory, w: &mut dyn Write, ndjson: bool) -> Result<()> {
    let keyed = dir.sorted_keyed();
    write_entries(
        keyed.len(),
        keyed
            .iter()
            .map(|(k, e)| JsonEntry::from_entry_in(e, k, dir)),
        w,
        ndjson,
    )
}

/// Writes personal address lists like [`write_json`]: one entry object per
/// list entry, lists in order, each with `owner` (the owner's address).
pub fn write_personal_json(
    lists: &[(Entry, &Directory)],
    w: &mut dyn Write,
    ndjson: bool,
) -> Result<()> {
    let count = lists.iter().map(|(_, d)| d.len()).sum();
    let entries = lists.iter().flat_map(|(owner, dir)| {
        let o = owner.address.to_string();
        dir.sorted_keyed().into_iter().map(move |(k, e)| {
            let mut j = JsonEntry::from_entry_in(e, k, dir);
            j.owner = Some(o.clone());
            j
        })
    });
    write_entries(count, entries, w, ndjson)
}

/// Streams `count` entry objects: a document, or NDJSON.
fn write_entries(
    count: usize,
    entries: impl Iterator<Item = JsonEntry>,
    w: &mut dyn Write,
    ndjson: bool,
) -> Result<()> {
    if ndjson {
        for e in entries {
            serde_json::to_writer(&mut *w, &e).map_err(io_err)?;
            w.write_all(b"\n").map_err(io_err)?;
        }
        return Ok(());
    }
    // Streamed so a million entries never sit in memory twice.
    write!(
        w,
        "{{\n  \"format\": \"{FORMAT_NAME}\",\n  \"version\": {FORMAT_VERSION},\n  \"count\": {count},\n  \"entries\": ["
    )
    .map_err(io_err)?;
    let mut any = false;
    for (i, e) in entries.enumerate() {
        any = true;
        w.write_all(if i == 0 { b"\n    " } else { b",\n    " })
            .map_err(io_err)?;
        serde_json::to_writer(&mut *w, &e).map_err(io_err)?;
    }
    let close: &[u8] = if any { b"\n  ]\n}\n" } else { b"]\n}\n" };
    w.write_all(close).map_err(io_err)
}

/// Reads a JSON document or NDJSON (as written by [`write_json`]) back into a
/// directory. `file` names the source in errors.
pub fn read_json(bytes: &[u8], file: &str) -> Result<Directory> {
    let json_err = |e: serde_json::Error, line_base: u64| {
        Error::input(
            file,
            Location::Line {
                line: e.line() as u64 + line_base,
                column: e.column() as u64,
            },
            e.to_string(),
        )
    };
    let origin_file: Arc<str> = Arc::from(file);
    let mut dir = Directory::new();
    let trimmed = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let is_doc = trimmed.and_then(|i| bytes.get(i..)).is_some_and(|b| {
        b.starts_with(b"{") && {
            // A document has "format" as its first key; NDJSON lines start with "full_name".
            let head = &b[..b.len().min(64)];
            head.windows(8).any(|w| w == b"\"format\"")
        }
    });
    if is_doc {
        let doc: JsonDocument = serde_json::from_slice(bytes).map_err(|e| json_err(e, 0))?;
        if doc.format != FORMAT_NAME {
            return Err(Error::input(
                file,
                Location::File,
                format!("format is {:?}, not {FORMAT_NAME:?}", doc.format),
            ));
        }
        for (i, je) in doc.entries.iter().enumerate() {
            let origin = Origin {
                file: origin_file.clone(),
                position: Position::Record {
                    index: i as u64,
                    offset: 0,
                },
            };
            let e = je
                .to_entry(origin)
                .map_err(|m| Error::input(file, Location::File, format!("entry {i}: {m}")))?;
            add_members(&mut dir, &e, je)
                .map_err(|m| Error::input(file, Location::File, format!("entry {i}: {m}")))?;
            dir.upsert(e);
        }
        return Ok(dir);
    }
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i as u64 + 1;
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let je: JsonEntry = serde_json::from_slice(line).map_err(|e| json_err(e, n - 1))?;
        let origin = Origin {
            file: origin_file.clone(),
            position: Position::Line(n),
        };
        let e = je
            .to_entry(origin)
            .map_err(|m| Error::input(file, Location::Line { line: n, column: 1 }, m))?;
        add_members(&mut dir, &e, &je)
            .map_err(|m| Error::input(file, Location::Line { line: n, column: 1 }, m))?;
        dir.upsert(e);
    }
    Ok(dir)
}

/// Records a group's `members` (a non-empty list) in `dir`.
fn add_members(dir: &mut Directory, e: &Entry, je: &JsonEntry) -> std::result::Result<(), String> {
    if e.kind != EntryKind::Group || je.members.is_empty() {
        return Ok(());
    }
    let mut members = Vec::with_capacity(je.members.len());
    for m in &je.members {
        members.push(Address::parse(m).map_err(|err| format!("member {m:?}: {err}"))?);
    }
    dir.set_members(&e.key(), members);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Directory {
        let mut a = Entry::new(
            "Müller \"Q\"",
            Address::parse("PCM:NET/PO/MUELLER").unwrap(),
        );
        a.template.push(TemplateValue {
            prompt: "Phone:".into(),
            value: "".into(),
        });
        let mut g = Entry::new("Group", Address::parse("SMTP:g@x").unwrap());
        g.kind = EntryKind::Group;
        let k = g.key();
        let mut d: Directory = [a.clone(), g].into_iter().collect();
        d.set_members(&k, vec![a.address]);
        d
    }

    #[test]
    fn document_has_stable_fields_and_round_trips() {
        let d = sample();
        let mut out = Vec::new();
        write_json(&d, &mut out, false).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["format"], "msmail-directory");
        assert_eq!(v["count"], 2);
        let e0 = &v["entries"][0];
        assert_eq!(e0["address"], "PCM:NET/PO/MUELLER");
        assert_eq!(e0["network"], "NET");
        assert_eq!(e0["scope"], "PCM:NET/PO");
        assert_eq!(e0["template"][0]["prompt"], "Phone:");
        assert!(v["entries"][1]["network"].is_null());
        let back = read_json(&out, "x.json").unwrap();
        for e in d.iter() {
            assert!(back.get(&e.key()).unwrap().same_content(e));
        }
        assert_eq!(v["entries"][1]["members"][0], "PCM:NET/PO/MUELLER");
        assert!(v["entries"][0]["members"].as_array().unwrap().is_empty());
        assert!(v["entries"][0].get("owner").is_none());
        let g = Address::parse("SMTP:g@x").unwrap().key();
        assert_eq!(back.members(&g).unwrap().len(), 1);
        let mut pals = Vec::new();
        let owner = Entry::new("O", Address::parse("PCM:N/P/O").unwrap());
        write_personal_json(&[(owner, &d)], &mut pals, true).unwrap();
        let first: serde_json::Value =
            serde_json::from_slice(pals.split(|&b| b == b'\n').next().unwrap()).unwrap();
        assert_eq!(first["owner"], "PCM:N/P/O");
    }

    #[test]
    fn ndjson_round_trips_and_empty_document_is_valid() {
        let d = sample();
        let mut out = Vec::new();
        write_json(&d, &mut out, true).unwrap();
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 2);
        let back = read_json(&out, "x.ndjson").unwrap();
        assert_eq!(back.len(), 2);
        let mut empty = Vec::new();
        write_json(&Directory::new(), &mut empty, false).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&empty).unwrap();
        assert_eq!(v["entries"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn errors_name_the_line() {
        let err = read_json(
            b"{\"full_name\":\"a\",\"address\":\"SMTP:a\",\"kind\":\"user\"}\n{oops\n",
            "x",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("x: line 2"), "{err}");
        let err = read_json(
            b"{\"full_name\":\"a\",\"address\":\"SMTP:a\",\"kind\":\"robot\"}\n",
            "x",
        )
        .unwrap_err();
        assert!(err.to_string().contains("robot"), "{err}");
    }
}
