//! JSON export for other programs: one document, or NDJSON (one entry object
//! per line). Field names are stable (schema in docs/formats.md, `exports`).

use std::io::Write;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::model::{Address, Directory, Entry, EntryKind, Origin, Position, TemplateValue};

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
    /// Where the entry was read from (`file: line N` or `file: record N at byte offset M`).
    #[serde(default)]
    pub origin: String,
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
    /// The JSON form of an entry.
    pub fn from_entry(e: &Entry) -> JsonEntry {
        let parts = e.address.parts();
        JsonEntry {
            full_name: e.full_name.clone(),
            address: e.address.to_string(),
            type_name: e.address.type_name.clone(),
            network: parts.map(|p| p.0.to_string()),
            postoffice: parts.map(|p| p.1.to_string()),
            mailbox: parts.map(|p| p.2.to_string()),
            kind: e.kind.as_str().to_string(),
            scope: e.scope().to_string(),
            template: e
                .template
                .iter()
                .map(|t| JsonTemplateValue {
                    prompt: t.prompt.clone(),
                    value: t.value.clone(),
                })
                .collect(),
            origin: match e.origin.position {
                Position::None if e.origin.file.is_empty() => String::new(),
                _ => e.origin.to_string(),
            },
        }
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
            full_name: self.full_name.clone(),
            address,
            kind,
            template: self
                .template
                .iter()
                .map(|t| TemplateValue {
                    prompt: t.prompt.clone(),
                    value: t.value.clone(),
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
    let entries = super::sorted_entries(dir);
    if ndjson {
        for e in entries {
            serde_json::to_writer(&mut *w, &JsonEntry::from_entry(e)).map_err(io_err)?;
            w.write_all(b"\n").map_err(io_err)?;
        }
        return Ok(());
    }
    // Streamed so a million entries never sit in memory twice.
    write!(
        w,
        "{{\n  \"format\": \"{FORMAT_NAME}\",\n  \"version\": {FORMAT_VERSION},\n  \"count\": {},\n  \"entries\": [",
        entries.len()
    )
    .map_err(io_err)?;
    for (i, e) in entries.iter().enumerate() {
        w.write_all(if i == 0 { b"\n    " } else { b",\n    " })
            .map_err(io_err)?;
        serde_json::to_writer(&mut *w, &JsonEntry::from_entry(e)).map_err(io_err)?;
    }
    let close: &[u8] = if entries.is_empty() {
        b"]\n}\n"
    } else {
        b"\n  ]\n}\n"
    };
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
        dir.upsert(e);
    }
    Ok(dir)
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
        [a, g].into_iter().collect()
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
