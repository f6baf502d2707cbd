//! LDIF text: RFC 2849 safe strings and base64, line folding, DN value
//! escaping, DN parsing and normalising, and [`LdifBuf`], the buffered
//! record writer.

use super::FOLD_WIDTH;
use crate::error::{Error, Location, Result};
use base64::Engine;
use std::io::Write;

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
