//! Days no log holds a line for. A day without lines is not a quiet day, so it gets no
//! CSVs that would look like one: it is named on stderr, and trips the `requests<` rules.
//! Such days are found as the gaps between the days that hold lines, never by walking a
//! range day by day (`--since 1900-01-01 --until 9999-12-31` spans three million days), and
//! named as runs of days.

use std::collections::BTreeSet;

use crate::days::{day_text, Day, DayRange};

/// The runs of days of `range` that are not in `held`, in order: as many as the held
/// days in the range plus one, at most, whatever the range's length.
pub fn gaps(range: DayRange, held: &BTreeSet<Day>) -> Vec<DayRange> {
    let mut out = Vec::new();
    let mut next = range.first;
    for &d in held.range(range.first..=range.last) {
        if d > next {
            out.push(DayRange {
                first: next,
                last: d - 1,
            });
        }
        next = d + 1;
    }
    if next <= range.last {
        out.push(DayRange {
            first: next,
            last: range.last,
        });
    }
    out
}

/// Runs of days joined where they touch or overlap, in order.
pub fn joined(mut runs: Vec<DayRange>) -> Vec<DayRange> {
    runs.sort_by_key(|r| r.first);
    let mut out: Vec<DayRange> = Vec::with_capacity(runs.len());
    for r in runs {
        match out.last_mut() {
            Some(last) if i64::from(r.first) <= i64::from(last.last) + 1 => {
                last.last = last.last.max(r.last);
            }
            _ => out.push(r),
        }
    }
    out
}

/// The number of days in `runs`.
pub fn count(runs: &[DayRange]) -> u64 {
    runs.iter()
        .map(|r| (i64::from(r.last) - i64::from(r.first) + 1).max(0) as u64)
        .sum()
}

/// Runs of days as a person reads them: `2026-11-23`, `2026-11-01 to 2026-11-05, 2026-11-07`;
/// past `shown` runs, how many more there are.
pub fn text(runs: &[DayRange], shown: usize) -> String {
    let mut parts: Vec<String> = runs
        .iter()
        .take(shown)
        .map(|r| {
            if r.first == r.last {
                day_text(r.first)
            } else {
                format!("{} to {}", day_text(r.first), day_text(r.last))
            }
        })
        .collect();
    if runs.len() > shown {
        parts.push(format!("and {} more runs of days", runs.len() - shown));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(first: Day, last: Day) -> DayRange {
        DayRange { first, last }
    }

    #[test]
    fn gaps_between_held_days() {
        let held: BTreeSet<Day> = [3, 4, 7, 20].into();
        assert_eq!(gaps(r(1, 10), &held), vec![r(1, 2), r(5, 6), r(8, 10)]);
        assert_eq!(gaps(r(3, 4), &held), vec![]);
        assert_eq!(gaps(r(4, 7), &held), vec![r(5, 6)]);
        assert_eq!(gaps(r(0, 0), &held), vec![r(0, 0)]);
        // Three million days and no held day: one run, found at once.
        let all = r(-25_567, 2_932_896);
        assert_eq!(gaps(all, &BTreeSet::new()), vec![all]);
        assert_eq!(count(&[all]), 2_958_464);
    }

    #[test]
    fn runs_join_and_read() {
        assert_eq!(
            joined(vec![r(8, 9), r(1, 2), r(3, 3), r(5, 6)]),
            vec![r(1, 3), r(5, 6), r(8, 9)]
        );
        assert_eq!(count(&[r(1, 3), r(5, 6)]), 5);
        let d = crate::days::parse_date_field(b"2026-11-01").unwrap();
        assert_eq!(
            text(&[r(d, d + 4), r(d + 6, d + 6)], 5),
            "2026-11-01 to 2026-11-05, 2026-11-07"
        );
        assert_eq!(
            text(&[r(d, d), r(d + 2, d + 2), r(d + 4, d + 4)], 2),
            "2026-11-01, 2026-11-03, and 1 more runs of days"
        );
    }
}
