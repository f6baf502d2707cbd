//! `GLB/GALINDEX.GLB`: 52 `u32` bucket offsets (words starting A–Z, then a–z),
//! then 6-byte records (`u16` word number within the full name, `u32` byte
//! offset of the entry in GAL.NME), sorted by word (Q86375).

use byteorder::{ByteOrder, LittleEndian};
use rayon::prelude::*;

use super::{U16F, U32F};
use crate::error::{Error, Location, Result};

/// GALINDEX records [`GalIndex::indexes`] checks at once on one core.
const WORDS_AT_ONCE: usize = 65_536;

/// GALINDEX layout.
pub mod galindex_layout {
    use super::*;
    /// Number of bucket offsets.
    pub const BUCKETS: usize = 52;
    /// Header size (52 × u32).
    pub const HEADER: usize = 208;
    /// Record size.
    pub const SIZE: usize = 6;
    /// Word number within the full name.
    pub const WORD: U16F = U16F(0);
    /// Byte offset of the entry in GAL.NME.
    pub const NME_OFFSET: U32F = U32F(2);
}

/// One GALINDEX record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GalWord {
    /// 0-based word number within the full name.
    pub word: u16,
    /// Byte offset of the GAL.NME record.
    pub nme_offset: u32,
}

/// A whole GALINDEX.GLB.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GalIndex {
    /// 52 bucket offsets (A–Z, a–z): byte offset of the bucket's first record.
    pub buckets: Vec<u32>,
    /// The word records in file order.
    pub words: Vec<GalWord>,
}

/// A word of [`GalIndex::build`]: bucket, upper-cased text (a range of the
/// arena) and the record it becomes.
struct WordKey {
    bucket: u8,
    start: u32,
    len: u32,
    word: GalWord,
}

/// Bucket of a word: 0–25 for A–Z, 26–51 for a–z, 52 for anything else.
fn bucket(word: &str) -> usize {
    match word.chars().next() {
        Some(c @ 'A'..='Z') => c as usize - 'A' as usize,
        Some(c @ 'a'..='z') => 26 + c as usize - 'a' as usize,
        _ => 52,
    }
}

/// The words of a full name as the index counts them: split at spaces and commas.
pub fn words(full_name: &str) -> impl Iterator<Item = &str> {
    full_name.split([' ', ',']).filter(|w| !w.is_empty())
}

impl GalIndex {
    /// Reads GALINDEX.GLB (size = 208 + 6 × words).
    pub fn read(file: &str, bytes: &[u8]) -> Result<GalIndex> {
        let records = GalIndexRecords::read(file, bytes)?;
        let words = (0..records.len()).filter_map(|i| records.word(i)).collect();
        Ok(GalIndex {
            buckets: records.buckets,
            words,
        })
    }

    /// Writes GALINDEX.GLB.
    pub fn write(&self) -> Vec<u8> {
        use galindex_layout::*;
        let mut out = vec![0u8; HEADER + SIZE * self.words.len()];
        for (i, b) in self.buckets.iter().take(BUCKETS).enumerate() {
            U32F(i * 4).put(&mut out, *b);
        }
        for (i, w) in self.words.iter().enumerate() {
            if let Some(r) = out.get_mut(HEADER + i * SIZE..HEADER + (i + 1) * SIZE) {
                WORD.put(r, w.word);
                NME_OFFSET.put(r, w.nme_offset);
            }
        }
        out
    }

    /// Builds the index of a GAL: `(byte offset in GAL.NME, full name)` of each
    /// entry in use. Records sort by bucket, then upper-cased word, then offset
    /// and word number; deterministic and linear-logarithmic.
    pub fn build<S: AsRef<str>>(entries: impl IntoIterator<Item = (u32, S)>) -> GalIndex {
        use galindex_layout::*;
        // One arena of upper-cased words and 16-byte sort keys pointing into
        // it: a million-entry GAL has several million words, and a String
        // each would cost more than the whole GAL.NME file.
        let mut arena = String::new();
        let mut keyed: Vec<WordKey> = Vec::new();
        for (off, name) in entries {
            for (n, w) in words(name.as_ref()).enumerate() {
                let start = arena.len();
                crate::codepage::cp850_upper_into(&mut arena, w);
                keyed.push(WordKey {
                    bucket: bucket(w) as u8,
                    start: start as u32,
                    len: (arena.len() - start) as u32,
                    word: GalWord {
                        word: n.min(u16::MAX as usize) as u16,
                        nme_offset: off,
                    },
                });
            }
        }
        let text = |k: &WordKey| {
            arena
                .get(k.start as usize..(k.start + k.len) as usize)
                .unwrap_or_default()
        };
        // Keys are unique (word and GAL.NME offset), so the unstable sort is
        // deterministic; on every core, a large GAL has millions of words.
        keyed.par_sort_unstable_by(|a, b| {
            a.bucket
                .cmp(&b.bucket)
                .then_with(|| text(a).cmp(text(b)))
                .then_with(|| a.word.cmp(&b.word))
        });
        let mut buckets = vec![0u32; BUCKETS];
        let mut i = 0usize;
        for (b, slot) in buckets.iter_mut().enumerate() {
            while keyed.get(i).is_some_and(|k| usize::from(k.bucket) < b) {
                i += 1;
            }
            *slot = (HEADER + SIZE * i) as u32;
        }
        GalIndex {
            buckets,
            words: keyed.into_iter().map(|k| k.word).collect(),
        }
    }
}

impl GalIndex {
    /// Whether this index is exactly what [`GalIndex::build`] makes of
    /// `entries` (`(byte offset in GAL.NME, full name)` of each entry in use,
    /// in offset order), checked in one pass over the records instead of
    /// building and sorting a second index: the records must name distinct
    /// words that exist, in strictly increasing build order, as many as the
    /// names have words, and the bucket offsets must follow from them. Those
    /// conditions hold exactly when the two indexes are equal. Offsets are
    /// whole GAL.NME records of `record_size` bytes (found by record number,
    /// no search); entries out of offset order, or not on a record boundary,
    /// fall back to the build.
    pub fn indexes<S: AsRef<str> + Sync>(&self, entries: &[(u32, S)], record_size: u32) -> bool {
        self.indexes_in_ranges(entries, record_size, WORDS_AT_ONCE)
    }

    /// [`GalIndex::indexes`] with the index's records checked `at_once` at
    /// a time on each core (the answer does not depend on it).
    fn indexes_in_ranges<S: AsRef<str> + Sync>(
        &self,
        entries: &[(u32, S)],
        record_size: u32,
        at_once: usize,
    ) -> bool {
        let source = WordSource {
            buckets: &self.buckets,
            len: self.words.len(),
            word: &|i| self.words.get(i).copied(),
        };
        source.indexes(entries, record_size, at_once)
    }
}

/// GALINDEX.GLB's records read in place, each decoded when it is looked at:
/// checking a big index against GAL.NME then needs no decoded copy of its
/// millions of records.
#[derive(Debug, Clone)]
pub struct GalIndexRecords<'a> {
    buckets: Vec<u32>,
    records: super::FixedRecords<'a>,
}

impl<'a> GalIndexRecords<'a> {
    /// Frames GALINDEX.GLB (the same checks as [`GalIndex::read`]).
    pub fn read(file: &str, bytes: &'a [u8]) -> Result<GalIndexRecords<'a>> {
        use galindex_layout::*;
        // The buckets first (52 numbers): a file that is no GALINDEX is
        // refused before its records are framed.
        let mut buckets = vec![0u32; BUCKETS];
        if let Some(head) = bytes.get(..HEADER) {
            LittleEndian::read_u32_into(head, &mut buckets);
            let end = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
            if let Some(i) = buckets.iter().position(|&b| b < HEADER as u32 || b > end) {
                return Err(Error::input(
                    file,
                    Location::Offset((i * 4) as u64),
                    format!(
                        "bucket offset {} lies outside the records",
                        buckets.get(i).copied().unwrap_or(0)
                    ),
                ));
            }
        }
        // Records by arithmetic: a list of millions of slices would cost
        // more than the words it yields.
        // Records by arithmetic: a list of millions of slices would cost
        // more than the words it yields.
        let (_, records) = super::frame_records(file, bytes, HEADER, SIZE)?;
        Ok(GalIndexRecords { buckets, records })
    }

    /// The number of word records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the index holds no word.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Word record `i`.
    pub fn word(&self, i: usize) -> Option<GalWord> {
        use galindex_layout::*;
        let r = self.records.get(i)?;
        Some(GalWord {
            word: WORD.get(r),
            nme_offset: NME_OFFSET.get(r),
        })
    }

    /// [`GalIndex::indexes`] for the records as they are in the file.
    pub fn indexes<S: AsRef<str> + Sync>(&self, entries: &[(u32, S)], record_size: u32) -> bool {
        let source = WordSource {
            buckets: &self.buckets,
            len: self.len(),
            word: &|i| self.word(i),
        };
        source.indexes(entries, record_size, WORDS_AT_ONCE)
    }
}

/// An index's buckets and word records, however they are held.
struct WordSource<'s> {
    buckets: &'s [u32],
    len: usize,
    word: &'s (dyn Fn(usize) -> Option<GalWord> + Sync),
}

impl WordSource<'_> {
    /// Whether every word record equals `other`'s, and the buckets too.
    fn equals(&self, other: &GalIndex) -> bool {
        self.buckets == other.buckets.as_slice()
            && self.len == other.words.len()
            && other
                .words
                .iter()
                .enumerate()
                .all(|(i, w)| (self.word)(i) == Some(*w))
    }

    /// The check of [`GalIndex::indexes`], records checked `at_once` at a
    /// time on each core (the answer does not depend on it).
    fn indexes<S: AsRef<str> + Sync>(
        &self,
        entries: &[(u32, S)],
        record_size: u32,
        at_once: usize,
    ) -> bool {
        use galindex_layout::*;
        let size = record_size.max(1);
        if !entries.windows(2).all(|w| w[0].0 < w[1].0)
            || entries.iter().any(|(o, _)| o % size != 0)
        {
            return self.equals(&GalIndex::build(
                entries.iter().map(|(o, n)| (*o, n.as_ref())),
            ));
        }
        // Entry of each record number (u32::MAX: not in use).
        let records = entries.last().map_or(0, |(o, _)| (o / size) as usize + 1);
        let mut entry_of_record = vec![u32::MAX; records];
        for (i, (o, _)) in entries.iter().enumerate() {
            if let Some(slot) = entry_of_record.get_mut((o / size) as usize) {
                *slot = i as u32;
            }
        }
        let total: usize = entries.iter().map(|(_, n)| words(n.as_ref()).count()).sum();
        if self.len != total || self.buckets.len() != BUCKETS {
            return false;
        }
        // The words are checked on every core, a range at a time: each
        // record against the one before it (the first of a range against the
        // last of the range before), and where each bucket starts.
        // Word `i`'s bucket and record, its upper-case text into `upper`.
        let word_key = |i: usize, upper: &mut String| -> Option<(usize, GalWord)> {
            let record = (self.word)(i)?;
            if record.nme_offset % size != 0 {
                return None;
            }
            let at = entry_of_record
                .get((record.nme_offset / size) as usize)
                .copied()
                .unwrap_or(u32::MAX);
            let word = entries
                .get(at as usize)
                .and_then(|(_, n)| words(n.as_ref()).nth(usize::from(record.word)))?;
            upper.clear();
            crate::codepage::cp850_upper_into(upper, word);
            Some((bucket(word), record))
        };
        let n = self.len;
        let ranges: Vec<(usize, usize)> = (0..n)
            .step_by(at_once.max(1))
            .map(|start| (start, (start + at_once.max(1)).min(n)))
            .collect();
        // Per range: the (bucket, offset) starts it holds, or None when the
        // index is not the one GAL.NME makes.
        let starts: Option<Vec<Vec<(usize, u32)>>> = ranges
            .par_iter()
            .map(|&(start, end)| {
                let (mut previous_word, mut word) = (String::new(), String::new());
                let mut previous = match start.checked_sub(1) {
                    Some(p) => Some(word_key(p, &mut previous_word)?),
                    None => None,
                };
                let mut starts = Vec::new();
                for i in start..end {
                    let (b, record) = word_key(i, &mut word)?;
                    let first_bucket = match previous {
                        Some((pb, pr)) => {
                            let order = pb
                                .cmp(&b)
                                .then_with(|| previous_word.as_str().cmp(word.as_str()))
                                .then_with(|| pr.cmp(&record));
                            if order != std::cmp::Ordering::Less {
                                return None;
                            }
                            pb + 1
                        }
                        None => 0,
                    };
                    // Buckets after the previous record's, up to this one's,
                    // start here (as the build counts them).
                    for nb in first_bucket..=b.min(BUCKETS - 1) {
                        starts.push((nb, (HEADER + SIZE * i) as u32));
                    }
                    previous = Some((b, record));
                    std::mem::swap(&mut previous_word, &mut word);
                }
                Some(starts)
            })
            .collect();
        let Some(starts) = starts else {
            return false;
        };
        let mut expected_buckets = [(HEADER + SIZE * n) as u32; BUCKETS];
        for (b, offset) in starts.into_iter().flatten() {
            if let Some(slot) = expected_buckets.get_mut(b) {
                *slot = offset;
            }
        }
        self.buckets == expected_buckets.as_slice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `indexes` agrees with comparing against a fresh build, for random
    /// GALs and for indexes damaged in every way one record can be.
    #[test]
    fn one_pass_check_equals_build_and_compare() {
        use proptest::prelude::*;
        let name = proptest::string::string_regex("[A-Za-z0-9Øø ,.]{0,12}").unwrap();
        let gal = proptest::collection::vec((any::<bool>(), name), 0..12);
        // Checked a record, two, three or the default number at a time.
        let at_once = prop_oneof![Just(1usize), Just(2), Just(3), Just(WORDS_AT_ONCE)];
        proptest!(|(gal in gal, pick in any::<prop::sample::Index>(), word in 0u16..4, shift in 0u32..3, at_once in at_once)| {
            // The decoded index and the same index read in place agree (a
            // damage the reader refuses is refused by both).
            let check = |g: &GalIndex, e: &[(u32, String)]| {
                let answer = g.indexes_in_ranges(e, 45, at_once);
                let bytes = g.write();
                match GalIndexRecords::read("GALINDEX.GLB", &bytes) {
                    Ok(r) => assert_eq!(r.indexes(e, 45), answer),
                    Err(_) => assert!(GalIndex::read("GALINDEX.GLB", &bytes).is_err()),
                }
                answer
            };
            let entries: Vec<(u32, String)> = gal
                .iter()
                .enumerate()
                .filter(|(_, (used, _))| *used)
                .map(|(i, (_, n))| ((i * 45) as u32, n.clone()))
                .collect();
            let built = GalIndex::build(entries.iter().map(|(o, n)| (*o, n.as_str())));
            prop_assert!(check(&built, &entries));
            if !built.words.is_empty() {
                let mut damaged = built.clone();
                let i = pick.index(damaged.words.len());
                damaged.words[i].word = word;
                damaged.words[i].nme_offset = damaged.words[i].nme_offset.wrapping_add(shift * 45 + u32::from(word == 3));
                prop_assert_eq!(check(&damaged, &entries), damaged == built);
                let mut swapped = built.clone();
                let j = (i + 1) % swapped.words.len();
                swapped.words.swap(i, j);
                prop_assert_eq!(check(&swapped, &entries), swapped == built);
                let mut bucketed = built.clone();
                bucketed.buckets[usize::from(word) * 13] += 6;
                prop_assert!(!check(&bucketed, &entries));
            }
        });
    }

    #[test]
    fn build_read_write() {
        let g = GalIndex::build([(0u32, "Doe, John"), (45, "alice Smith")]);
        assert_eq!(g.words.len(), 4);
        // D(oe) < J(ohn) < S(mith) in upper buckets, then a(lice).
        assert_eq!(
            g.words[0],
            GalWord {
                word: 0,
                nme_offset: 0
            }
        );
        assert_eq!(
            g.words[3],
            GalWord {
                word: 0,
                nme_offset: 45
            }
        );
        assert_eq!(g.buckets[0], 208);
        assert_eq!(g.buckets[3], 208); // D
        assert_eq!(g.buckets[4], 214); // after D
        assert_eq!(g.buckets[26], 208 + 18); // a
        let b = g.write();
        assert_eq!(b.len(), 208 + 24);
        let r = GalIndex::read("GALINDEX.GLB", &b).unwrap();
        assert_eq!(r, g);
        assert_eq!(r.write(), b);
        assert!(GalIndex::read("G", &b[..207]).is_err());
        assert!(GalIndex::read("G", &b[..209]).is_err());
        let mut bad = b.clone();
        bad[0] = 0xFF;
        assert!(GalIndex::read("G", &bad).is_err());
    }
}
