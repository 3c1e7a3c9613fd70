//! Bounded "most frequent" lists: the space-saving counter (Metwally, Agrawal, El Abbadi,
//! 2005), compacted in batches. It keeps at most 2 x `CAPACITY` counters whatever the number
//! of distinct URIs or client IPs, so memory stays bounded with millions of them, at the
//! price of a documented error.
//!
//! Error: every kept count is at least the true count and at most the true count plus its
//! `error` (which never exceeds N / CAPACITY, N the values counted); an item not kept was
//! seen at most `floor` times. Any item seen more than N / CAPACITY times is kept. Lists
//! merge (chunks, files, days, servers) with the same guarantees. Below `CAPACITY` distinct
//! values everything is exact (`error` 0).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::tally::KeyHasher;

/// Counters kept per list; reports show the first `SHOWN`.
pub const CAPACITY: usize = 100;
/// Items written per list in `top-errors.csv` and the page.
pub const SHOWN: usize = 20;

/// One kept item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub value: Box<str>,
    /// Upper bound of the true count.
    pub count: u64,
    /// `count - error` is a lower bound of the true count.
    pub error: u64,
}

/// Kept values with their (count, error). URIs come from clients, but a list holds at most
/// 2 x `CAPACITY` of them, so a collision flood could cost little: the fast hash is fine.
type Counters = HashMap<Key, (u64, u64), BuildHasherDefault<KeyHasher>>;

/// Bytes a key holds without allocating: any IPv4 address and short URIs.
const INLINE: usize = 22;

/// A kept value (always UTF-8 text). Most newcomers are client IPs seen once, so a short
/// value lives inline and counting it allocates nothing. It hashes and compares as its
/// bytes, so a list is searched with a borrowed `&[u8]`.
#[derive(Clone)]
enum Key {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl Key {
    fn new(text: &str) -> Key {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                Key::Inline { len, bytes }
            }
            _ => Key::Heap(text.into()),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Key::Heap(text) => text.as_bytes(),
        }
    }

    fn text(&self) -> Box<str> {
        match self {
            // Built from a `&str` cut at its end: always whole UTF-8.
            Key::Inline { .. } => String::from_utf8_lossy(self.as_bytes()).into(),
            Key::Heap(text) => text.clone(),
        }
    }
}

impl std::borrow::Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        match (self, other) {
            // The bytes past `len` are zero: one fixed-size compare, no call.
            (Key::Inline { len: a, bytes: x }, Key::Inline { len: b, bytes: y }) => {
                a == b && x == y
            }
            _ => self.as_bytes() == other.as_bytes(),
        }
    }
}

impl Eq for Key {}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.as_bytes()))
    }
}

/// A space-saving summary of a stream of strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopN {
    index: Counters,
    /// Upper bound of the count of any value not kept.
    pub floor: u64,
    /// Values counted.
    pub total: u64,
}

/// Most frequent first, ties by value (UTF-8 bytes sort as their text): the one order
/// every list is kept and shown in.
fn rank(a: (&[u8], u64), b: (&[u8], u64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0))
}

/// [`rank`] of two kept keys.
fn rank_keys(a: (&Key, u64), b: (&Key, u64)) -> std::cmp::Ordering {
    rank((a.0.as_bytes(), a.1), (b.0.as_bytes(), b.1))
}

impl TopN {
    /// Counts one occurrence of `value` (bytes from the log; bytes that are not UTF-8
    /// are kept as `\xNN` escapes, see [`crate::format::codepage::show`]; a value over
    /// [`super::MAX_VALUE`] bytes is cut, see [`super::kept_text`]).
    pub fn add(&mut self, value: &[u8]) {
        self.add_text(&super::kept_text(value, None));
    }

    /// Counts one occurrence of `text` (already decoded for display and cut to
    /// [`super::MAX_VALUE`] by [`super::kept_text`]).
    pub fn add_text(&mut self, text: &str) {
        self.total += 1;
        // A newcomer may have been seen up to `floor` times before (while not kept).
        let floor = self.floor;
        if text.len() <= INLINE {
            // One hash and one probe, whether kept or new.
            self.index.entry(Key::new(text)).or_insert((floor, floor)).0 += 1;
        } else if let Some(c) = self.index.get_mut(text.as_bytes()) {
            c.0 += 1;
            return;
        } else {
            self.index.insert(Key::new(text), (floor + 1, floor));
        }
        // Compact in batches: at twice the capacity, keep the largest half and raise the
        // floor to the largest count dropped. Amortised O(1) per new value instead of a
        // scan for the smallest counter each time; the bounds are the same.
        if self.index.len() >= 2 * CAPACITY {
            self.truncate();
        }
    }

    /// Adds a kept item as read back from a store, with the count and error it was
    /// stored with. The list's `floor` belongs to the same stored list, so it is not
    /// added (the order items and floor are read in does not matter).
    pub fn push_stored(&mut self, value: &str, count: u64, error: u64) {
        let c = self.index.entry(Key::new(value)).or_insert((0, 0));
        c.0 += count;
        c.1 += error;
        if self.index.len() >= 2 * CAPACITY {
            self.truncate();
        }
    }

    /// Adds `other`: an item kept on one side only may have been seen up to the other
    /// side's `floor` times there, which goes into both its count and its error.
    pub fn merge(&mut self, other: TopN) {
        // Into an empty list (a day's first file, a run's first piece) the other list is
        // taken as it is, not re-inserted value by value: the same result.
        if self.total == 0 && self.floor == 0 && self.index.is_empty() {
            *self = other;
            self.truncate();
            return;
        }
        let (mine_floor, other_floor) = (self.floor, other.floor);
        for c in self.index.values_mut() {
            c.0 += other_floor;
            c.1 += other_floor;
        }
        for (value, (count, error)) in other.index {
            match self.index.get_mut(&value) {
                // Both sides kept it: undo the other side's floor added above.
                Some(c) => {
                    c.0 = c.0 + count - other_floor;
                    c.1 = c.1 + error - other_floor;
                }
                None => {
                    self.index
                        .insert(value, (count + mine_floor, error + mine_floor));
                }
            }
        }
        self.total += other.total;
        self.floor = mine_floor + other_floor;
        self.truncate();
    }

    /// Keeps the `CAPACITY` first values in rank order; the floor rises to the count of
    /// the first one dropped. A selection, not a sort, and no value is copied but that one.
    fn truncate(&mut self) {
        if self.index.len() <= CAPACITY {
            return;
        }
        let mut ranked: Vec<(&Key, u64)> = self.index.iter().map(|(v, c)| (v, c.0)).collect();
        ranked.select_nth_unstable_by(CAPACITY, |a, b| rank_keys(*a, *b));
        let (first_dropped, dropped_count) = (ranked[CAPACITY].0.clone(), ranked[CAPACITY].1);
        self.floor = self.floor.max(dropped_count);
        self.index.retain(|v, c| {
            rank_keys((v, c.0), (&first_dropped, dropped_count)) == std::cmp::Ordering::Less
        });
    }

    /// Kept items, most frequent first (ties by value).
    /// The kept values as (text, count, error), in [`rank`] order, borrowed: what the
    /// history stores of a list, without a copy of each value.
    pub fn ranked(&self) -> Vec<(Cow<'_, str>, u64, u64)> {
        let mut v: Vec<(Cow<'_, str>, u64, u64)> = self
            .index
            .iter()
            // Keys are built from `&str`: whole UTF-8, borrowed as it is.
            .map(|(k, &(count, error))| (String::from_utf8_lossy(k.as_bytes()), count, error))
            .collect();
        v.sort_by(|a, b| rank((a.0.as_bytes(), a.1), (b.0.as_bytes(), b.1)));
        v
    }

    pub fn sorted(&self) -> Vec<Counted> {
        let mut v: Vec<Counted> = self
            .index
            .iter()
            .map(|(value, &(count, error))| Counted {
                value: value.text(),
                count,
                error,
            })
            .collect();
        v.sort_by(|a, b| rank((a.value.as_bytes(), a.count), (b.value.as_bytes(), b.count)));
        v
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_below_capacity() {
        let mut t = TopN::default();
        for v in ["/a", "/b", "/a", "/c", "/a", "/b"] {
            t.add(v.as_bytes());
        }
        let sorted = t.sorted();
        let got: Vec<(&str, u64, u64)> = sorted
            .iter()
            .map(|c| (&*c.value, c.count, c.error))
            .collect();
        assert_eq!(got, vec![("/a", 3, 0), ("/b", 2, 0), ("/c", 1, 0)]);
        assert_eq!(t.total, 6);
    }

    /// A million distinct values and a few heavy ones: memory stays at CAPACITY counters,
    /// heavy hitters are found, and every bound holds.
    #[test]
    fn bounded_and_within_error() {
        let mut t = TopN::default();
        let mut truth: HashMap<String, u64> = HashMap::new();
        let mut x = 12345u64;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = if i % 10 < 3 {
                format!("/heavy{}", x % 3)
            } else {
                format!("/u{x}")
            };
            *truth.entry(v.clone()).or_default() += 1;
            t.add(v.as_bytes());
        }
        assert!(t.index.len() < 2 * CAPACITY);
        let n = t.total;
        for c in t.sorted() {
            let real = truth[&*c.value];
            assert!(
                c.count >= real && c.count - c.error <= real,
                "{c:?} real {real}"
            );
            assert!(c.error <= n / CAPACITY as u64);
        }
        let sorted = t.sorted();
        // The borrowed order the history stores is the shown one.
        let ranked: Vec<(String, u64, u64)> = t
            .ranked()
            .into_iter()
            .map(|(v, c, e)| (v.into_owned(), c, e))
            .collect();
        let shown: Vec<(String, u64, u64)> = sorted
            .iter()
            .map(|c| (c.value.to_string(), c.count, c.error))
            .collect();
        assert_eq!(ranked, shown);
        let top: Vec<&str> = sorted.iter().take(3).map(|c| &*c.value).collect();
        for h in ["/heavy0", "/heavy1", "/heavy2"] {
            assert!(top.contains(&h), "{top:?}");
        }
    }

    /// A value kept on both sides is added exactly, even when the other side's floor is
    /// above its count there (lists read back from a history carry any floor).
    #[test]
    fn merge_of_a_value_kept_on_both_sides() {
        let mut a = TopN::default();
        a.push_stored("/x", 2, 0);
        a.push_stored("/y", 4, 1);
        let mut b = TopN::default();
        b.push_stored("/x", 1, 0);
        b.floor = 5;
        a.merge(b);
        let got: Vec<(String, u64, u64)> = a
            .sorted()
            .into_iter()
            .map(|c| (c.value.to_string(), c.count, c.error))
            .collect();
        // /y was not kept by b: it may have been seen up to 5 times there.
        assert_eq!(got, vec![("/y".into(), 9, 6), ("/x".into(), 3, 0)]);
        assert_eq!(a.floor, 5);
    }

    /// The empty list is merge's identity from either side (up to the truncation to
    /// `CAPACITY` that every merge makes), with a list past capacity and with a floor.
    #[test]
    fn merging_with_an_empty_list_is_the_identity() {
        let mut a = TopN::default();
        for i in 0..(CAPACITY as u64 + 40) {
            a.push_stored(&format!("/v{i}"), 1000 - i * 3, i % 4);
        }
        a.floor = 2;
        a.total = 123_456;
        let mut into_empty = TopN::default();
        into_empty.merge(a.clone());
        let mut with_empty = a.clone();
        with_empty.merge(TopN::default());
        assert_eq!(into_empty, with_empty);
        assert_eq!(into_empty.index.len(), CAPACITY);
        assert_eq!(
            (into_empty.total, into_empty.floor),
            (123_456, 1000 - 100 * 3)
        );
    }

    #[test]
    fn merge_keeps_bounds() {
        let mut a = TopN::default();
        let mut b = TopN::default();
        let mut truth: HashMap<String, u64> = HashMap::new();
        for i in 0..5000u64 {
            let v = format!("/p{}", (i * 7919) % 331);
            *truth.entry(v.clone()).or_default() += 1;
            if i % 2 == 0 { &mut a } else { &mut b }.add(v.as_bytes());
        }
        a.merge(b);
        for c in a.sorted() {
            let real = truth[&*c.value];
            assert!(
                c.count >= real && c.count - c.error <= real,
                "{c:?} real {real}"
            );
        }
        for (v, &real) in &truth {
            if !a.index.contains_key(v.as_bytes()) {
                assert!(real <= a.floor, "{v} {real} > floor {}", a.floor);
            }
        }
    }
}
