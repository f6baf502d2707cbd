//! Control characters in text views: names, addresses and template values come
//! from the data and may hold anything, including terminal escape sequences
//! (`ESC [ 2 J` clears the screen). Every text view meant for a terminal
//! (LISTQ/LISTDS/DSSCHED and table dumps, `inspect` text, the `reconcile`
//! report, `diff` text, messages on standard error) shows them escaped; data
//! outputs (CSV, LDIF, JSON, import text, MS Mail files, HTML with its own
//! escaping) keep every value exact.
//!
//! The rule, one form for every view:
//!
//! | character | shown as |
//! |---|---|
//! | TAB, LF, CR | `\t`, `\n`, `\r` |
//! | other C0 controls (U+0000–U+001F, ESC included), DEL (U+007F) | `\xNN`, upper-case hex (`\x1B`, `\x07`, `\x7F`) |
//! | C1 controls (U+0080–U+009F) | `\xNN` (`\x9B`) |
//! | a byte that is not UTF-8 (only in [`ViewWriter`]) | `\xNN` |
//!
//! Everything else, the backslash included, is shown as it is: views are for
//! reading; the exact value is in the data outputs.
//!
//! [`escape_value`] escapes one value (all of the above). [`escape_view`]
//! is the safety net over a whole rendered view: it keeps LF and TAB, which
//! the views use for their layout, and escapes every other control character,
//! so that no control byte but these two reaches the terminal even from a
//! value a view forgot to escape.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// True for the characters the rule escapes (C0, DEL, C1).
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        _ => {
            let _ = write!(out, "\\x{:02X}", u32::from(c));
        }
    }
}

fn escape_with(s: &str, keep: impl Fn(char, Option<char>) -> bool) -> Cow<'_, str> {
    let mut it = s.chars().peekable();
    let mut first = None;
    let mut i = 0;
    while let Some(c) = it.next() {
        if is_control(c) && !keep(c, it.peek().copied()) {
            first = Some(i);
            break;
        }
        i += c.len_utf8();
    }
    let Some(at) = first else {
        return Cow::Borrowed(s);
    };
    let (head, tail) = s.split_at(at);
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(head);
    let mut it = tail.chars().peekable();
    while let Some(c) = it.next() {
        if is_control(c) && !keep(c, it.peek().copied()) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One value (name, address, template value, path) for a text view: every
/// control character escaped (see the module's rule). Borrowed when there is
/// nothing to escape.
pub fn escape_value(s: &str) -> Cow<'_, str> {
    escape_with(s, |_, _| false)
}

/// A value in double quotes, escaped as [`escape_value`] (`"Doe\x1B[2J"`):
/// how views and messages quote a name. Quotes inside are not escaped.
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", escape_value(s))
}

/// A whole rendered text view: every control character escaped except LF,
/// TAB and a CR directly before an LF (the views' own line breaks and
/// columns; a CR LF line end moves the cursor nowhere a plain LF would not).
pub fn escape_view(s: &str) -> Cow<'_, str> {
    escape_with(s, |c, next| {
        c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'))
    })
}

/// A writer that applies [`escape_view`] to everything written through it,
/// for views written piece by piece: valid UTF-8 as [`escape_view`], any
/// byte that is not part of valid UTF-8 as `\xNN`. A character split across
/// two writes is held until its end arrives; call [`ViewWriter::finish`] at
/// the end (a sequence left incomplete is then shown as `\xNN` bytes).
pub struct ViewWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> ViewWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        ViewWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes what is held back and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        let mut out = String::new();
        if self.pending == b"\r" {
            self.pending.clear();
            out.push_str("\\r");
        }
        for &x in &self.pending {
            let _ = write!(out, "\\x{x:02X}");
        }
        self.inner.write_all(out.as_bytes())?;
        self.inner.flush()
    }
}

fn plain(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t'
}

impl<W: Write> Write for ViewWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.is_empty() && buf.iter().all(|&b| plain(b)) {
            // Nothing to escape (ASCII without controls): straight through.
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        self.pending.extend_from_slice(buf);
        let mut out = String::with_capacity(self.pending.len() + 16);
        let mut start = 0;
        while let Some(rest) = self.pending.get(start..) {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    // A CR at the very end may be the first half of a CR LF.
                    let s = s.strip_suffix('\r').unwrap_or(s);
                    out.push_str(&escape_view(s));
                    start += s.len();
                    break;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    if let Some(Ok(s)) = rest.get(..valid).map(std::str::from_utf8) {
                        out.push_str(&escape_view(s));
                    }
                    match e.error_len() {
                        Some(n) => {
                            for &x in rest.get(valid..valid + n).unwrap_or_default() {
                                let _ = write!(out, "\\x{x:02X}");
                            }
                            start += valid + n;
                        }
                        // An incomplete character at the end: wait for the rest.
                        None => {
                            start += valid;
                            break;
                        }
                    }
                }
            }
        }
        self.pending.drain(..start.min(self.pending.len()));
        self.inner.write_all(out.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        assert_eq!(escape_value("plain Ä \\ name"), "plain Ä \\ name");
        assert!(matches!(escape_value("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape_value("a\u{1b}[2J\r\n\t\u{7}\u{0}\u{7f}\u{9b}b"),
            "a\\x1B[2J\\r\\n\\t\\x07\\x00\\x7F\\x9Bb"
        );
        assert_eq!(escape_view("x\u{1b}y\tz\r\r\n\r"), "x\\x1By\tz\\r\r\n\\r");
        let mut out = Vec::new();
        let mut w = ViewWriter::new(&mut out);
        // A C1 character split across two writes, a stray byte, ESC.
        // A CR LF split across two writes, a lone CR.
        let pieces = [
            &b"a\x1b\xff\n\xc2"[..],
            b"\x9b ok \xc3",
            b"\xa4\t\r",
            b"\n\r",
            b"x\r",
            b"\xe2",
        ];
        for piece in pieces {
            w.write_all(piece).unwrap();
        }
        w.finish().unwrap();
        assert_eq!(out, b"a\\x1B\\xFF\n\\x9B ok \xc3\xa4\t\r\n\\rx\\r\\xE2");
        let mut out = Vec::new();
        let mut w = ViewWriter::new(&mut out);
        w.write_all(b"end\r").unwrap();
        w.finish().unwrap();
        assert_eq!(out, b"end\\r");
    }

    #[test]
    fn no_control_survives() {
        let all: String = (0u32..0x200).filter_map(char::from_u32).collect();
        assert!(!escape_value(&all).chars().any(is_control));
        assert!(!escape_view(&all)
            .chars()
            .any(|c| is_control(c) && c != '\n' && c != '\t'));
        assert!(!escape_view("\r\r").contains('\r'));
    }

    proptest::proptest! {
        /// However a view is cut into writes, the writer gives the same bytes,
        /// and no control character is left but LF, TAB and CR LF.
        #[test]
        fn the_writer_does_not_depend_on_the_cuts(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::num::u8::ANY,
                    proptest::sample::select(vec![b'\r', b'\n', 0x1b, 0xc2, 0x9b, b'a']),
                ],
                0..64,
            ),
            cuts in proptest::collection::vec(0usize..64, 0..8),
        ) {
            let write = |pieces: &[&[u8]]| {
                let mut out = Vec::new();
                let mut w = ViewWriter::new(&mut out);
                for p in pieces {
                    w.write_all(p).unwrap();
                }
                w.finish().unwrap();
                out
            };
            let whole = write(&[&bytes]);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut pieces = Vec::new();
            let mut at = 0;
            for c in cuts {
                pieces.push(&bytes[at..c]);
                at = c;
            }
            pieces.push(&bytes[at..]);
            proptest::prop_assert_eq!(&write(&pieces), &whole);
            let text = String::from_utf8(whole).unwrap();
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                let layout = c == '\n' || c == '\t' || (c == '\r' && chars.peek() == Some(&'\n'));
                proptest::prop_assert!(!is_control(c) || layout, "{:?}", text);
            }
        }
    }
}
