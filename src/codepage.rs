//! Code page 850 (the character set of every MS Mail file) and the other text
//! encodings msmail accepts for text inputs.
//!
//! CP850 goes through the maintained `oem_cp` crate's tables; UTF-8, UTF-16 and
//! Windows-1252 go through `encoding_rs`.

use std::borrow::Cow;

use crate::error::{Error, Location, Result};

use oem_cp::code_table::{DECODING_TABLE_CP850, ENCODING_TABLE_CP850};

/// Text encodings accepted for text inputs (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// IBM code page 850, the MS Mail default. Every byte decodes.
    #[default]
    #[value(name = "cp850")]
    Cp850,
    /// UTF-8 (a byte-order mark is detected and skipped).
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// Windows-1252 (Western European ANSI).
    #[value(name = "windows-1252", alias = "cp1252")]
    Windows1252,
}

/// Decodes CP850 bytes. Total: every byte value has a character, so every
/// byte sequence decodes and `encode_cp850` gives the same bytes back.
pub fn decode_cp850(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.is_ascii() {
        // ASCII is a subset of CP850; borrow without copying (the hot path).
        return Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default());
    }
    // Built as a `String` character by character: nothing to validate
    // afterwards (validating took a tenth of a big tree's read).
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for &b in bytes {
        match b.checked_sub(0x80) {
            None => out.push(char::from(b)),
            Some(high) => out.push(
                DECODING_TABLE_CP850
                    .get(usize::from(high))
                    .copied()
                    .unwrap_or(char::REPLACEMENT_CHARACTER),
            ),
        }
    }
    Cow::Owned(out)
}

/// Encodes text as CP850. On a character CP850 cannot hold, returns it together
/// with its character index in `text`.
pub fn encode_cp850(text: &str) -> Result<Vec<u8>, (usize, char)> {
    if text.is_ascii() {
        return Ok(text.as_bytes().to_vec());
    }
    let mut out = Vec::with_capacity(text.len());
    for (index, ch) in text.chars().enumerate() {
        match encode_char(ch) {
            Some(b) => out.push(b),
            None => return Err((index, ch)),
        }
    }
    Ok(out)
}

/// Encodes text as CP850, replacing each character CP850 cannot hold by `?`.
/// Only for callers that were explicitly asked to replace.
pub fn encode_cp850_lossy(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| encode_char(c).unwrap_or(b'?'))
        .collect()
}

/// The CP850 byte of one character, if it has one.
pub fn encode_char(ch: char) -> Option<u8> {
    let n = ch as u32;
    if n < 0x80 {
        Some(ch as u8)
    } else if n < 0x100 {
        // Latin-1 letters (most of CP850's) from a table, not the hash map.
        let byte = latin1_cp850_table()
            .get((n - 0x80) as usize)
            .copied()
            .unwrap_or(0);
        (byte != 0).then_some(byte)
    } else {
        ENCODING_TABLE_CP850.get(&ch).copied()
    }
}

/// The CP850 byte of each of U+0080..U+00FF (0: none; CP850 puts no such
/// character below 0x80), built once from the encoding table.
fn latin1_cp850_table() -> &'static [u8; 128] {
    static TABLE: std::sync::OnceLock<[u8; 128]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0u8; 128];
        for (i, slot) in table.iter_mut().enumerate() {
            if let Some(c) = char::from_u32(0x80 + i as u32) {
                *slot = ENCODING_TABLE_CP850.get(&c).copied().unwrap_or(0);
            }
        }
        table
    })
}

/// True when every character of `text` exists in CP850.
pub fn is_cp850(text: &str) -> bool {
    text.is_ascii() || text.chars().all(|c| encode_char(c).is_some())
}

/// Upper-cases text the way MS Mail compares names: character by character,
/// and only where the upper-case form is itself one CP850 character (so `ß`
/// and `ÿ` stay as they are). Used for identity keys.
pub fn cp850_upper(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    cp850_upper_into(&mut out, text);
    out
}

/// The upper-case form of one character as [`cp850_upper`] uses it.
fn cp850_upper_char(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) if encode_char(u).is_some() => u,
        _ => c,
    }
}

/// Appends `text` upper-cased as by [`cp850_upper`] to `out` (no extra allocation).
pub fn cp850_upper_into(out: &mut String, text: &str) {
    if text.is_ascii() {
        // One copy, then upper-cased in place: the hot path of every key.
        let start = out.len();
        out.push_str(text);
        out[start..].make_ascii_uppercase();
    } else {
        out.reserve(text.len());
        out.extend(text.chars().map(|c| {
            if c.is_ascii() {
                c.to_ascii_uppercase()
            } else {
                cp850_upper_char(c)
            }
        }));
    }
}

/// Error from decoding a text input: the byte offset of the first bad byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset in the input of the first byte that is not valid.
    pub offset: usize,
    /// The encoding that was tried: the one a byte-order mark announced, or
    /// the one asked for (`CP850`, `UTF-8`, `UTF-16LE`, ...).
    pub encoding: &'static str,
    /// Why the bytes are not valid, when more can be said than the offset.
    pub reason: Option<&'static str>,
}

impl DecodeError {
    fn at(offset: usize, encoding: &'static str) -> Self {
        DecodeError {
            offset,
            encoding,
            reason: None,
        }
    }
}

/// The first invalid place of UTF-16 `body` (no BOM): an incomplete last
/// unit or an unpaired surrogate. Offsets are relative to `body`.
fn utf16_error(body: &[u8], big_endian: bool) -> (usize, &'static str) {
    let unit = |i: usize| {
        let (a, b) = (body[i], body[i + 1]);
        if big_endian {
            u16::from_be_bytes([a, b])
        } else {
            u16::from_le_bytes([a, b])
        }
    };
    let mut i = 0;
    while i + 1 < body.len() {
        let u = unit(i);
        if (0xD800..0xDC00).contains(&u) {
            if i + 3 < body.len() && (0xDC00..0xE000).contains(&unit(i + 2)) {
                i += 4;
                continue;
            }
            return (i, "a high surrogate not followed by a low surrogate");
        }
        if (0xDC00..0xE000).contains(&u) {
            return (i, "a low surrogate without a high surrogate before it");
        }
        i += 2;
    }
    (
        i,
        "an odd number of bytes: the last 16-bit unit is incomplete",
    )
}

/// Decodes a whole text input. UTF-8 and UTF-16 byte-order marks are detected
/// whatever `encoding` says; otherwise `encoding` decides.
pub fn decode_text(bytes: &[u8], encoding: TextEncoding) -> Result<Cow<'_, str>, DecodeError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if enc == encoding_rs::UTF_8 {
            return std::str::from_utf8(body)
                .map(Cow::Borrowed)
                .map_err(|e| DecodeError::at(bom_len + e.valid_up_to(), "UTF-8"));
        }
        let big_endian = enc == encoding_rs::UTF_16BE;
        return enc
            .decode_without_bom_handling_and_without_replacement(body)
            .ok_or_else(|| {
                let (at, why) = utf16_error(body, big_endian);
                DecodeError {
                    offset: bom_len + at,
                    encoding: if big_endian { "UTF-16BE" } else { "UTF-16LE" },
                    reason: Some(why),
                }
            });
    }
    match encoding {
        TextEncoding::Cp850 => Ok(decode_cp850(bytes)),
        TextEncoding::Utf8 => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|e| DecodeError::at(e.valid_up_to(), "UTF-8")),
        TextEncoding::Windows1252 => Ok(encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0),
    }
}

/// Decodes a text input, turning a bad byte into an error with line and column.
pub fn decode_input<'a>(
    bytes: &'a [u8],
    encoding: TextEncoding,
    file: &str,
) -> Result<std::borrow::Cow<'a, str>> {
    decode_text(bytes, encoding).map_err(|e| {
        if let Some(why) = e.reason {
            // UTF-16 (announced by its byte-order mark, which --encoding does
            // not override): lines cannot be counted in bytes.
            return Error::input(
                file,
                Location::Offset(e.offset as u64),
                format!(
                    "not valid {} text (the file starts with a {} byte-order mark): {why}",
                    e.encoding, e.encoding
                ),
            );
        }
        let (line, column) = line_column(bytes, e.offset);
        Error::input(
            file,
            Location::Line { line, column },
            format!(
                "byte 0x{:02X} at byte offset {} is not valid {} text (try --encoding)",
                bytes.get(e.offset).copied().unwrap_or(0),
                e.offset,
                e.encoding
            ),
        )
    })
}

/// Turns a byte offset into a 1-based (line, column) pair for error messages.
/// The column counts bytes from the line start, plus one.
pub fn line_column(bytes: &[u8], offset: usize) -> (u64, u64) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, (offset - line_start) as u64 + 1)
}

/// Line numbers for a reader that walks its input forward: counts line feeds
/// only between the previous offset asked for and the next, so numbering every
/// record of a file is linear (calling [`line_column`] per record would rescan
/// from byte 0 each time). An offset before the previous one is answered by a
/// rescan, so a caller going backwards is slow but still right.
#[derive(Debug, Default)]
pub struct LineTracker {
    offset: usize,
    line: u64,
}

impl LineTracker {
    /// A tracker at the start of its input (line 1).
    pub fn new() -> Self {
        LineTracker { offset: 0, line: 1 }
    }

    /// A tracker that knows `offset` is on line `line` (a reader starting
    /// in the middle of its input).
    pub fn at(offset: usize, line: u64) -> Self {
        LineTracker { offset, line }
    }

    /// The 1-based line of `offset` in `bytes` (the same `bytes` every call).
    pub fn line_at(&mut self, bytes: &[u8], offset: usize) -> u64 {
        let offset = offset.min(bytes.len());
        if offset < self.offset {
            *self = LineTracker::new();
        }
        let span = bytes.get(self.offset..offset).unwrap_or_default();
        self.line += span.iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = offset;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Latin-1 table answers as the encoding table for every character
    /// up to U+00FF, and each byte decodes back to its character.
    #[test]
    fn latin1_fast_path_equals_the_table() {
        for n in 0u32..0x100 {
            let c = char::from_u32(n).unwrap();
            let want = if n < 0x80 {
                Some(n as u8)
            } else {
                ENCODING_TABLE_CP850.get(&c).copied()
            };
            assert_eq!(encode_char(c), want, "U+{n:04X}");
            if let Some(b) = want {
                assert_eq!(decode_cp850(&[b]).chars().next(), Some(c), "U+{n:04X}");
            }
        }
        assert_eq!(encode_char('€'), None);
        assert_eq!(encode_char('ı'), ENCODING_TABLE_CP850.get(&'ı').copied());
    }

    #[test]
    fn every_cp850_byte_round_trips() {
        let all: Vec<u8> = (0u8..=255).collect();
        let text = decode_cp850(&all);
        assert_eq!(text.chars().count(), 256);
        assert_eq!(encode_cp850(&text).unwrap(), all);
    }

    #[test]
    fn decoding_equals_the_table_byte_by_byte() {
        // ASCII runs, high bytes at either end, high bytes side by side.
        let samples: [&[u8]; 5] = [
            b"",
            b"\xff",
            b"\x80abc\x81\x82 d\xfe",
            b"Sm\x94rrebr\x94d/\xe1/\xe1\xe1",
            &[0x41; 3],
        ];
        for bytes in samples {
            let naive: String = bytes
                .iter()
                .map(|&b| match b {
                    0..=0x7f => b as char,
                    _ => DECODING_TABLE_CP850[usize::from(b - 0x80)],
                })
                .collect();
            assert_eq!(decode_cp850(bytes), naive, "{bytes:?}");
        }
    }

    #[test]
    fn accented_names_decode() {
        // 0x82 = é, 0x81 = ü, 0x99 = Ö in CP850.
        assert_eq!(decode_cp850(&[0x82, 0x81, 0x99]), "éüÖ");
        assert_eq!(encode_cp850("Müller").unwrap(), b"M\x81ller");
    }

    #[test]
    fn characters_outside_cp850_are_reported() {
        assert_eq!(encode_cp850("a€b"), Err((1, '€')));
        assert_eq!(encode_cp850_lossy("a€b"), b"a?b");
        assert!(!is_cp850("漢"));
    }

    #[test]
    fn upper_case_stays_in_cp850() {
        assert_eq!(cp850_upper("müller"), "MÜLLER");
        assert_eq!(cp850_upper("straße"), "STRAßE");
        assert_eq!(cp850_upper("ÿ"), "ÿ");
    }

    #[test]
    fn bom_and_encodings() {
        assert_eq!(
            decode_text(b"\xEF\xBB\xBFabc", TextEncoding::Cp850).unwrap(),
            "abc"
        );
        assert_eq!(
            decode_text(b"\xFF\xFEa\x00", TextEncoding::Cp850).unwrap(),
            "a"
        );
        assert_eq!(
            decode_text(b"\x80", TextEncoding::Windows1252).unwrap(),
            "€"
        );
        assert_eq!(
            decode_text(b"ab\xC3", TextEncoding::Utf8)
                .unwrap_err()
                .offset,
            2
        );
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
        let mut lines = LineTracker::new();
        assert_eq!(lines.line_at(b"a\nb\nc", 0), 1);
        assert_eq!(lines.line_at(b"a\nb\nc", 4), 3);
        assert_eq!(lines.line_at(b"a\nb\nc", 2), 2);
    }
}
