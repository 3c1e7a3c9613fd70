//! Counting: requests per status triple, and an account of every line read (requests,
//! directives, blank, skipped by reason) so that nothing is lost silently. Tallies from
//! chunks, files and threads merge with `merge`; the result does not depend on the order.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// One of sc-status, sc-substatus, sc-win32-status on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// A number.
    Value(u32),
    /// `-` in the line: logged, but empty (FTP control-channel rows, HTTPERR rows).
    Empty,
    /// The block's `#Fields` does not have this field.
    NotLogged,
}

impl Code {
    /// The number, if there is one.
    pub fn value(self) -> Option<u32> {
        match self {
            Code::Value(v) => Some(v),
            Code::Empty | Code::NotLogged => None,
        }
    }
}

/// The status triple a request is counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Codes {
    pub status: Code,
    pub substatus: Code,
    pub win32: Code,
}

impl Code {
    /// The code in 34 bits: the number, or a tag above `u32::MAX` for `-` and not logged.
    #[inline]
    pub(crate) fn packed(self) -> u64 {
        match self {
            Code::Value(v) => u64::from(v),
            Code::Empty => 1 << 32,
            Code::NotLogged => 2 << 32,
        }
    }
}

impl Codes {
    /// The triple in 102 bits (34 per code), equal exactly when the triples are.
    #[inline]
    pub fn packed(self) -> u128 {
        u128::from(self.status.packed())
            | u128::from(self.substatus.packed()) << 34
            | u128::from(self.win32.packed()) << 68
    }
}

/// One hasher write per key instead of six (three tags, three values): this hash runs
/// once per request. Equal triples hash equal; different ones may collide, which the
/// map's equality check settles.
impl Hash for Codes {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mixed = self.status.packed().wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ self.substatus.packed().rotate_left(21)
            ^ self.win32.packed();
        state.write_u64(mixed);
    }
}

/// Why a line was not counted as a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// A data line before any `#Fields` directive (and no `--fields`).
    NoFields,
    /// The number of columns differs from the block's `#Fields`.
    ColumnCount,
    /// The last line of the file has no newline and does not parse: IIS was still
    /// writing it, or the copy was cut.
    Truncated,
    /// NUL or other control bytes: crash padding or a file that is not a log.
    Binary,
    /// A status field holds something that is not a code (`abc`, `-5`, a number too large).
    BadCode,
    /// The block's `#Fields` directive could not be used (empty, absurdly long).
    BadFields,
}

impl SkipReason {
    pub const ALL: [SkipReason; 6] = [
        SkipReason::NoFields,
        SkipReason::ColumnCount,
        SkipReason::Truncated,
        SkipReason::Binary,
        SkipReason::BadCode,
        SkipReason::BadFields,
    ];
    pub const COUNT: usize = SkipReason::ALL.len();

    /// Short name used in output.
    pub fn name(self) -> &'static str {
        match self {
            SkipReason::NoFields => "no-fields",
            SkipReason::ColumnCount => "column-count",
            SkipReason::Truncated => "truncated",
            SkipReason::Binary => "binary",
            SkipReason::BadCode => "bad-code",
            SkipReason::BadFields => "bad-fields",
        }
    }

    /// What the reason means and what to do, for `--verbose`.
    pub fn explain(self) -> &'static str {
        match self {
            SkipReason::NoFields => {
                "data line before any #Fields directive; give the header with --fields \"date time ...\""
            }
            SkipReason::ColumnCount => "number of columns differs from the block's #Fields",
            SkipReason::Truncated => "last line has no newline and is incomplete (file still being written, or cut)",
            SkipReason::Binary => "NUL or control bytes (crash padding, or not a log)",
            SkipReason::BadCode => "sc-status, sc-substatus or sc-win32-status is not a valid number",
            SkipReason::BadFields => "the block's #Fields directive is empty or unusable",
        }
    }
}

/// Where a skipped line is, for `--verbose` examples. `line` is 1-based within its file
/// (within its chunk while a file is still being read in pieces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Example {
    pub reason: SkipReason,
    pub line: u64,
}

/// The account of every line of a file or of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Accounting {
    pub lines: u64,
    pub requests: u64,
    pub directives: u64,
    pub blank: u64,
    /// Skipped lines by reason, indexed by `SkipReason as usize`; written out as an
    /// object keyed by the reason's name.
    #[serde(serialize_with = "skipped_by_name")]
    pub skipped: [u64; SkipReason::COUNT],
    pub bytes: u64,
}

fn skipped_by_name<S: serde::Serializer>(
    skipped: &[u64; SkipReason::COUNT],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(SkipReason::COUNT))?;
    for reason in SkipReason::ALL {
        map.serialize_entry(reason.name(), &skipped[reason as usize])?;
    }
    map.end()
}

impl Accounting {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.iter().sum()
    }

    pub fn skipped_for(&self, reason: SkipReason) -> u64 {
        self.skipped[reason as usize]
    }

    /// The law every tally keeps: each line is a request, a directive, blank or skipped.
    pub fn is_balanced(&self) -> bool {
        self.lines == self.requests + self.directives + self.blank + self.skipped_total()
    }

    pub fn merge(&mut self, other: &Accounting) {
        self.lines += other.lines;
        self.requests += other.requests;
        self.directives += other.directives;
        self.blank += other.blank;
        self.bytes += other.bytes;
        for (a, b) in self.skipped.iter_mut().zip(other.skipped) {
            *a += b;
        }
    }
}

/// Multiplicative hashing for the small fixed-size keys of the hot loop: SipHash's
/// defence against collision floods buys nothing for at most a few thousand status triples.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    /// Eight bytes per step: strings (URIs, client IPs in the report's top lists) hash
    /// at a few bytes per cycle instead of one multiply per byte.
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            self.write_u64(u64::from_le_bytes(word));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }
}

pub type CodeCounts = HashMap<Codes, u64, BuildHasherDefault<KeyHasher>>;

/// How many example locations are kept per skip reason.
pub const EXAMPLES_PER_REASON: usize = 5;

/// Counts for one piece of input: status triples, the line account, and the first few
/// skipped lines per reason.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub codes: CodeCounts,
    pub acct: Accounting,
    pub examples: Vec<Example>,
}

impl Tally {
    #[inline]
    pub fn request(&mut self, codes: Codes) {
        self.acct.requests += 1;
        *self.codes.entry(codes).or_insert(0) += 1;
    }

    #[inline]
    pub fn skip(&mut self, reason: SkipReason, line: u64) {
        let n = &mut self.acct.skipped[reason as usize];
        *n += 1;
        if *n as usize <= EXAMPLES_PER_REASON {
            self.examples.push(Example { reason, line });
        }
    }

    /// Adds `other`, whose example line numbers are shifted by `line_offset` (the lines
    /// of the file that come before `other`'s piece).
    pub fn merge_shifted(&mut self, other: Tally, line_offset: u64) {
        for (k, v) in other.codes {
            *self.codes.entry(k).or_insert(0) += v;
        }
        self.acct.merge(&other.acct);
        self.examples
            .extend(other.examples.into_iter().map(|e| Example {
                line: e.line + line_offset,
                ..e
            }));
        self.trim_examples();
    }

    /// Keeps the first `EXAMPLES_PER_REASON` examples of each reason, in line order.
    fn trim_examples(&mut self) {
        self.examples.sort();
        let mut kept = [0usize; SkipReason::COUNT];
        self.examples.retain(|e| {
            let k = &mut kept[e.reason as usize];
            *k += 1;
            *k <= EXAMPLES_PER_REASON
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: u32) -> Codes {
        Codes {
            status: Code::Value(s),
            substatus: Code::Value(0),
            win32: Code::Empty,
        }
    }

    #[test]
    fn merge_adds_and_keeps_first_examples() {
        let mut a = Tally::default();
        a.acct.lines = 8;
        for line in 1..=7 {
            a.skip(SkipReason::Binary, line);
        }
        a.request(codes(200));
        let mut b = Tally::default();
        b.acct.lines = 3;
        b.request(codes(200));
        b.request(codes(404));
        b.skip(SkipReason::ColumnCount, 1);
        a.merge_shifted(b, 8);
        assert_eq!(a.codes[&codes(200)], 2);
        assert_eq!(a.codes[&codes(404)], 1);
        assert_eq!(a.acct.lines, 11);
        assert_eq!(a.acct.skipped_for(SkipReason::Binary), 7);
        assert!(a.acct.is_balanced());
        let binary: Vec<u64> = a
            .examples
            .iter()
            .filter(|e| e.reason == SkipReason::Binary)
            .map(|e| e.line)
            .collect();
        assert_eq!(binary, vec![1, 2, 3, 4, 5]);
        assert!(a.examples.contains(&Example {
            reason: SkipReason::ColumnCount,
            line: 9
        }));
    }
}
