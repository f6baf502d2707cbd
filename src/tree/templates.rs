//! Templates: `TPL/*.TPL` definitions (text, Q87432) and `INF/*.INF` data
//! records (fixed size derived from the TPL; stored plain in profile v1).

use crate::codepage::{decode_cp850, encode_cp850};
use crate::error::{Error, Location, Result};
use crate::model::{TemplateField, TemplateValue};

/// A TPL file: its fields, and the raw bytes it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TplFile {
    /// The field definitions in order.
    pub fields: Vec<TemplateField>,
    /// The bytes as read (written back unchanged while `fields` is unchanged).
    pub raw: Vec<u8>,
}

/// Parses one TPL line `prompt~start~width~edit~data~internal` (trailing
/// empty fields may be missing). `line_no` is 1-based, for errors. The grammar
/// is the import format's `T` field line ([`crate::importtext::parse_template_field`]).
pub fn parse_tpl_line(file: &str, line_no: u64, line: &str) -> Result<TemplateField> {
    crate::importtext::parse_template_field(line).map_err(|(column, message)| {
        Error::input(
            file,
            Location::Line {
                line: line_no,
                column: column as u64,
            },
            message,
        )
    })
}

/// The text of one TPL line for a field ([`crate::importtext::template_field_line`]).
pub fn tpl_line(f: &TemplateField) -> String {
    crate::importtext::template_field_line(f)
}

impl TplFile {
    /// Parses a TPL file (CP850; CR LF, LF or CR line ends; blank lines skipped).
    pub fn read(file: &str, bytes: &[u8]) -> Result<TplFile> {
        let mut fields = Vec::new();
        // Line by line (CR LF, CR or LF ends a line), each decoded on its
        // own: a large file that is no TPL stops at its first bad line
        // without being decoded whole.
        for (i, raw) in Self::lines(bytes).enumerate() {
            let text = decode_cp850(raw);
            let line = text.trim_end_matches('\u{1a}');
            if line.trim().is_empty() {
                continue;
            }
            fields.push(parse_tpl_line(file, i as u64 + 1, line)?);
        }
        Ok(TplFile {
            fields,
            raw: bytes.to_vec(),
        })
    }

    /// The lines of a TPL: CR LF, CR or LF each end one.
    fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
        let mut rest = Some(bytes);
        std::iter::from_fn(move || {
            let r = rest?;
            match r.iter().position(|&b| b == b'\r' || b == b'\n') {
                Some(p) => {
                    let skip = if r[p] == b'\r' && r.get(p + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    rest = Some(&r[p + skip..]);
                    Some(&r[..p])
                }
                None => {
                    rest = None;
                    Some(r)
                }
            }
        })
    }

    /// A TPL for new fields (no raw bytes).
    pub fn new(fields: Vec<TemplateField>) -> TplFile {
        TplFile {
            fields,
            raw: Vec::new(),
        }
    }

    /// Writes the TPL: the raw bytes if the fields are unchanged, else one
    /// CR LF terminated line per field.
    pub fn write(&self) -> Result<Vec<u8>> {
        if !self.raw.is_empty() {
            if let Ok(t) = TplFile::read("", &self.raw) {
                if t.fields == self.fields {
                    return Ok(self.raw.clone());
                }
            }
        }
        let mut text = String::new();
        for f in &self.fields {
            for part in [&f.prompt, &f.edit, &f.data, &f.internal] {
                if part.contains(['~', '\r', '\n']) {
                    return Err(Error::Unrepresentable(format!(
                        "template field {part:?}: '~' and line breaks cannot be written in a TPL"
                    )));
                }
            }
            text.push_str(&tpl_line(f));
            text.push_str("\r\n");
        }
        encode_cp850(&text).map_err(|(_, c)| {
            Error::Unrepresentable(format!("template text: {c:?} is not in code page 850"))
        })
    }

    /// INF record size: Σ (internal preamble length + width).
    pub fn inf_record_size(&self) -> usize {
        inf_record_size(&self.fields)
    }
}

/// INF record size for these fields: Σ (internal preamble length + width).
pub fn inf_record_size(fields: &[TemplateField]) -> usize {
    fields
        .iter()
        .map(|f| internal_len(&f.internal) + usize::from(f.width))
        .sum()
}

/// An INF file: raw fixed-size records (size from its TPL), kept back to
/// back in one buffer (a million records are one allocation, not a million).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InfFile {
    /// Record size.
    pub record_size: usize,
    /// The whole records' bytes, back to back.
    pub bytes: Vec<u8>,
}

impl InfFile {
    /// Frames an INF file with the record size its TPL gives.
    pub fn read(file: &str, bytes: &[u8], record_size: usize) -> Result<InfFile> {
        let (_, recs) = super::frame(file, bytes, 0, record_size)?;
        Ok(InfFile::from_records(record_size, &recs))
    }

    /// An INF file of these records (each `record_size` bytes).
    pub fn from_records(record_size: usize, records: &[&[u8]]) -> InfFile {
        InfFile {
            record_size,
            bytes: records.concat(),
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.bytes.len().checked_div(self.record_size).unwrap_or(0)
    }

    /// True when the file holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Record `index`'s bytes.
    pub fn record(&self, index: usize) -> Option<&[u8]> {
        let start = index.checked_mul(self.record_size)?;
        self.bytes.get(start..start.checked_add(self.record_size)?)
    }

    /// Writes the records back to back.
    pub fn write(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// The template values of record `index` (values trimmed of space/NUL padding;
    /// fields whose value is empty are left out).
    pub fn values(&self, fields: &[TemplateField], index: u32) -> Option<Vec<TemplateValue>> {
        let rec = self.record(index as usize)?;
        Some(decode_inf_record(fields, rec))
    }
}

/// Bytes an internal preamble takes in an INF record: one per character in
/// CP850 (as `encode_cp850` would give, without building it), else its UTF-8
/// length (the writers refuse such a preamble; the reader stays in step).
fn internal_len(internal: &str) -> usize {
    if internal.is_empty() {
        return 0;
    }
    if internal
        .chars()
        .all(|c| crate::codepage::encode_char(c).is_some())
    {
        internal.chars().count()
    } else {
        internal.len()
    }
}

/// Decodes one INF record against its TPL fields.
pub fn decode_inf_record(fields: &[TemplateField], rec: &[u8]) -> Vec<TemplateValue> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    for f in fields {
        pos += internal_len(&f.internal);
        let w = usize::from(f.width);
        let raw = rec.get(pos..pos + w).unwrap_or_default();
        pos += w;
        let end = raw
            .iter()
            .rposition(|&b| b != b' ' && b != 0)
            .map_or(0, |p| p + 1);
        let value = decode_cp850(raw.get(..end).unwrap_or_default());
        if !value.is_empty() {
            out.push(TemplateValue {
                prompt: crate::model::Prompt::intern(&f.prompt),
                value: crate::model::Text::from(value.as_ref()),
            });
        }
    }
    out
}

/// Encodes template values as one INF record for these TPL fields. A prompt
/// that occurs several times takes one field each: the n-th field with a
/// prompt holds the n-th value with that prompt. A value whose prompt has no
/// (n-th) field in the TPL, too wide, or not CP850 is unrepresentable.
pub fn encode_inf_record(fields: &[TemplateField], values: &[TemplateValue]) -> Result<Vec<u8>> {
    let nth_field = |prompt: &str, n: usize| {
        fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.prompt == prompt)
            .nth(n)
            .map(|(i, _)| i)
    };
    let mut slot: Vec<Option<&str>> = vec![None; fields.len()];
    let mut reps = Vec::new();
    crate::model::prompt_repetitions(values, &mut reps);
    for (v, &rep) in values.iter().zip(&reps) {
        match nth_field(&v.prompt, rep.saturating_sub(1)) {
            Some(i) => {
                if let Some(s) = slot.get_mut(i) {
                    *s = Some(v.value.as_str());
                }
            }
            None => {
                return Err(Error::Unrepresentable(format!(
                    "template value for prompt {:?} has no field in the TPL",
                    v.prompt
                )))
            }
        }
    }
    let mut out = Vec::with_capacity(inf_record_size(fields));
    for (f, value) in fields.iter().zip(slot) {
        let pre = encode_cp850(&f.internal).map_err(|(_, c)| {
            Error::Unrepresentable(format!("template preamble: {c:?} is not in code page 850"))
        })?;
        out.extend(pre);
        let value = value.unwrap_or("");
        let bytes = encode_cp850(value).map_err(|(_, c)| {
            Error::Unrepresentable(format!(
                "template value {value:?}: {c:?} is not in code page 850"
            ))
        })?;
        let w = usize::from(f.width);
        if bytes.len() > w {
            return Err(Error::Unrepresentable(format!(
                "template value {value:?} for {:?} is longer than the field width {w}",
                f.prompt
            )));
        }
        out.extend(&bytes);
        out.extend(std::iter::repeat_n(b' ', w - bytes.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TPL: &[u8] = b"Phone:~10~12~N~~P\r\nFull Name:~10~25~A~John Doe~\r\nCity//ST:~10~8\r\n";

    #[test]
    fn tpl_parses_and_round_trips() {
        let t = TplFile::read("ADMIN.TPL", TPL).unwrap();
        assert_eq!(t.fields.len(), 3);
        assert_eq!(t.fields[0].internal, "P");
        assert_eq!(t.fields[1].data, "John Doe");
        assert_eq!(t.fields[2].width, 8);
        assert_eq!(t.write().unwrap(), TPL);
        // Rebuilt from fields alone it is the same text too.
        assert_eq!(TplFile::new(t.fields.clone()).write().unwrap(), TPL);
        assert_eq!(t.inf_record_size(), 1 + 12 + 25 + 8);
        let mut bad = t.fields.clone();
        bad[0].prompt = "A~B".into();
        assert!(TplFile::new(bad).write().is_err());
        let e = TplFile::read("X.TPL", b"ok~1~2\r\nbad~x~2\r\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "X.TPL: line 2, column 5: start column \"x\" is not a number"
        );
    }

    #[test]
    fn inf_records_round_trip() {
        let t = TplFile::read("T", TPL).unwrap();
        let vals = vec![
            TemplateValue {
                prompt: "Phone:".into(),
                value: "555 1234".into(),
            },
            TemplateValue {
                prompt: "City//ST:".into(),
                value: "Zürich".into(),
            },
        ];
        let rec = encode_inf_record(&t.fields, &vals).unwrap();
        assert_eq!(rec.len(), t.inf_record_size());
        assert_eq!(rec[0], b'P');
        assert_eq!(decode_inf_record(&t.fields, &rec), vals);
        let inf = InfFile::read("I", &[rec.clone(), rec.clone()].concat(), rec.len()).unwrap();
        assert_eq!(inf.values(&t.fields, 1).unwrap(), vals);
        assert!(inf.values(&t.fields, 2).is_none());
        assert!(InfFile::read("I", &rec[1..], rec.len()).is_err());
        let too_long = [TemplateValue {
            prompt: "City//ST:".into(),
            value: "123456789".into(),
        }];
        assert!(encode_inf_record(&t.fields, &too_long).is_err());
    }

    proptest! {
        #[test]
        fn tpl_line_round_trip(p in "[A-Za-z :]{1,12}", s in 0u16..80, w in 1u16..40, e in "[ULNPA]{0,3}", d in "[a-z ]{0,5}", i in "[A-Z]{0,2}") {
            let f = TemplateField { prompt: p, start: s, width: w, edit: e, data: d, internal: i, written_fields: 6 };
            let back = parse_tpl_line("T", 1, &tpl_line(&f)).unwrap();
            prop_assert_eq!(back, f);
        }
    }
}
