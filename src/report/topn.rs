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

use std::collections::HashMap;

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

/// A space-saving summary of a stream of strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopN {
    items: Vec<Counted>,
    index: HashMap<Box<str>, usize>,
    /// Upper bound of the count of any value not kept.
    pub floor: u64,
    /// Values counted.
    pub total: u64,
}

impl TopN {
    /// Counts one occurrence of `value` (bytes from the log; invalid UTF-8 is replaced).
    pub fn add(&mut self, value: &[u8]) {
        self.total += 1;
        let text = String::from_utf8_lossy(value);
        if let Some(&i) = self.index.get(&*text) {
            self.items[i].count += 1;
            return;
        }
        // A newcomer may have been seen up to `floor` times before (while not kept).
        let floor = self.floor;
        let value: Box<str> = text.into();
        self.index.insert(value.clone(), self.items.len());
        self.items.push(Counted {
            value,
            count: floor + 1,
            error: floor,
        });
        // Compact in batches: at twice the capacity, keep the largest half and raise the
        // floor to the largest count dropped. Amortised O(log CAPACITY) per new value
        // instead of a scan for the smallest counter each time; the bounds are the same.
        if self.items.len() >= 2 * CAPACITY {
            self.truncate();
        }
    }

    /// Adds a kept item as read back from a store.
    pub fn push_stored(&mut self, value: &str, count: u64, error: u64) {
        self.merge(TopN {
            items: vec![Counted {
                value: value.into(),
                count,
                error,
            }],
            index: HashMap::from([(value.into(), 0)]),
            floor: 0,
            total: 0,
        });
    }

    /// Adds `other`: an item kept on one side only may have been seen up to the other
    /// side's `floor` times there, which goes into both its count and its error.
    pub fn merge(&mut self, other: TopN) {
        let (mine_floor, other_floor) = (self.floor, other.floor);
        let mut seen = vec![false; self.items.len()];
        for o in other.items {
            match self.index.get(&o.value) {
                Some(&i) => {
                    self.items[i].count += o.count;
                    self.items[i].error += o.error;
                    seen[i] = true;
                }
                None => {
                    self.items.push(Counted {
                        count: o.count + mine_floor,
                        error: o.error + mine_floor,
                        value: o.value,
                    });
                    seen.push(true);
                }
            }
        }
        for (item, seen) in self.items.iter_mut().zip(&seen) {
            if !seen {
                item.count += other_floor;
                item.error += other_floor;
            }
        }
        self.total += other.total;
        self.floor = mine_floor + other_floor;
        self.truncate();
    }

    fn truncate(&mut self) {
        self.items
            .sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        if self.items.len() > CAPACITY {
            let dropped = self.items[CAPACITY].count;
            self.floor = self.floor.max(dropped);
            self.items.truncate(CAPACITY);
        }
        self.index = self
            .items
            .iter()
            .enumerate()
            .map(|(i, c)| (c.value.clone(), i))
            .collect();
    }

    /// Kept items, most frequent first (ties by value).
    pub fn sorted(&self) -> Vec<&Counted> {
        let mut v: Vec<&Counted> = self.items.iter().collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        v
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
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
        let got: Vec<(&str, u64, u64)> = t
            .sorted()
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
        assert!(t.items.len() < 2 * CAPACITY);
        let n = t.total;
        for c in t.sorted() {
            let real = truth[&*c.value];
            assert!(
                c.count >= real && c.count - c.error <= real,
                "{c:?} real {real}"
            );
            assert!(c.error <= n / CAPACITY as u64);
        }
        let top: Vec<&str> = t.sorted().iter().take(3).map(|c| &*c.value).collect();
        for h in ["/heavy0", "/heavy1", "/heavy2"] {
            assert!(top.contains(&h), "{top:?}");
        }
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
            if !a.index.contains_key(v.as_str()) {
                assert!(real <= a.floor, "{v} {real} > floor {}", a.floor);
            }
        }
    }
}
