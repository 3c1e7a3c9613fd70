//! Days: which calendar day a log line belongs to (its `date`/`time` fields, UTC in IIS,
//! shifted by `--utc-offset`/`--local`), the days a run is asked for, and which days a
//! log file's name says it can hold, so files that cannot hold them are not read.

use chrono::{Datelike, Duration, NaiveDate};

/// A calendar day as a number of days since 1970-01-01: cheap to compare and hash.
pub type Day = i32;

/// Days from 1970-01-01 to 0001-01-01 in chrono's "days from CE" count.
const UNIX_FROM_CE: i32 = 719_163;

pub fn day_of(date: NaiveDate) -> Day {
    date.num_days_from_ce() - UNIX_FROM_CE
}

pub fn date_of(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + UNIX_FROM_CE).unwrap_or(NaiveDate::MIN)
}

/// `YYYY-MM-DD`, as folders and CSVs name a day.
pub fn day_text(day: Day) -> String {
    date_of(day).format("%Y-%m-%d").to_string()
}

/// Why a day or an offset on the command line could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DayError {
    #[error("{0:?} is not a day: use yesterday, today or YYYY-MM-DD")]
    BadDay(String),
    #[error("{0:?} is not a UTC offset: use +09:00, -05:30 or Z")]
    BadOffset(String),
    #[error("--since {since} comes after --until {until}")]
    Reversed { since: String, until: String },
}

/// The offset lines are shifted by before taking their day: local time = UTC + offset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UtcOffset {
    pub seconds: i32,
}

impl UtcOffset {
    pub const UTC: UtcOffset = UtcOffset { seconds: 0 };

    /// `+09:00`, `-05:30`, `+0900`, `+9`, `Z` or `UTC`.
    pub fn parse(text: &str) -> Result<UtcOffset, DayError> {
        let bad = || DayError::BadOffset(text.to_string());
        let t = text.trim();
        if t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("utc") {
            return Ok(UtcOffset::UTC);
        }
        let (sign, rest) = match t.as_bytes().first() {
            Some(b'+') => (1, &t[1..]),
            Some(b'-') => (-1, &t[1..]),
            _ => return Err(bad()),
        };
        let (h, m) = match rest.split_once(':') {
            Some((h, m)) => (h, m),
            None if rest.len() == 4 => rest.split_at(2),
            None => (rest, "0"),
        };
        let h: i32 = h.parse().map_err(|_| bad())?;
        let m: i32 = m.parse().map_err(|_| bad())?;
        if !(0..=14).contains(&h) || !(0..60).contains(&m) || h * 60 + m > 14 * 60 {
            return Err(bad());
        }
        Ok(UtcOffset {
            seconds: sign * (h * 3600 + m * 60),
        })
    }

    /// This machine's offset now (`--local`).
    pub fn local() -> UtcOffset {
        use chrono::Offset;
        UtcOffset {
            seconds: chrono::Local::now().offset().fix().local_minus_utc(),
        }
    }

    /// `+09:00`.
    pub fn text(self) -> String {
        let sign = if self.seconds < 0 { '-' } else { '+' };
        let m = self.seconds.unsigned_abs() / 60;
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// The days asked for, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub first: Day,
    pub last: Day,
}

impl DayRange {
    pub fn one(day: Day) -> DayRange {
        DayRange {
            first: day,
            last: day,
        }
    }

    pub fn contains(&self, day: Day) -> bool {
        (self.first..=self.last).contains(&day)
    }

    pub fn days(&self) -> impl Iterator<Item = Day> {
        self.first..=self.last
    }

    /// From `--date`, or `--since`/`--until`: a missing `--until` is yesterday (the last
    /// whole day; `--since` itself when that is later), a missing `--since` is `--until`.
    pub fn resolve(
        date: Option<&str>,
        since: Option<&str>,
        until: Option<&str>,
        today: NaiveDate,
    ) -> Result<Option<DayRange>, DayError> {
        if let Some(d) = date {
            return Ok(Some(DayRange::one(parse_day(d, today)?)));
        }
        let first = since.map(|s| parse_day(s, today)).transpose()?;
        let last = until.map(|s| parse_day(s, today)).transpose()?;
        let (first, last) = match (first, last) {
            (None, None) => return Ok(None),
            (Some(f), None) => (f, f.max(day_of(today) - 1)),
            (None, Some(l)) => (l, l),
            (Some(f), Some(l)) => (f, l),
        };
        if first > last {
            return Err(DayError::Reversed {
                since: day_text(first),
                until: day_text(last),
            });
        }
        Ok(Some(DayRange { first, last }))
    }
}

/// `yesterday`, `today` or `YYYY-MM-DD`, relative to `today` (the local date).
pub fn parse_day(text: &str, today: NaiveDate) -> Result<Day, DayError> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("today") {
        return Ok(day_of(today));
    }
    if t.eq_ignore_ascii_case("yesterday") {
        return Ok(day_of(today - Duration::days(1)));
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(day_of)
        .map_err(|_| DayError::BadDay(text.to_string()))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
#[inline]
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[inline]
fn digits(b: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u32::from(d);
    }
    Some(n)
}

/// The UTC day of a `YYYY-MM-DD` field, or `None` when it is not a date.
#[inline]
pub fn parse_date_field(date: &[u8]) -> Option<Day> {
    if date.len() != 10 || date[4] != b'-' || date[7] != b'-' {
        return None;
    }
    let y = digits(&date[..4])?;
    let m = digits(&date[5..7])?;
    let d = digits(&date[8..10])?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y as i32, m, d))
}

/// Seconds since midnight of an `HH:MM:SS` field (a fraction after it is ignored).
#[inline]
pub fn parse_time_field(time: &[u8]) -> Option<i32> {
    if time.len() < 8 || time[2] != b':' || time[5] != b':' {
        return None;
    }
    let h = digits(&time[..2])?;
    let m = digits(&time[3..5])?;
    let s = digits(&time[6..8])?;
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some((h * 3600 + m * 60 + s) as i32)
}

/// The UTC day and second of day of a `#Date:` directive's value (`2026-11-23 00:00:00`).
pub fn parse_directive_date(value: &[u8]) -> Option<(Day, i32)> {
    let value = value.trim_ascii();
    let day = parse_date_field(value.get(..10)?)?;
    let second = parse_time_field(value.get(10..)?.trim_ascii_start())?;
    Some((day, second))
}

/// The UTC day of a line that logs `time` but no `date` (IIS 6 FTP, and W3C logs set up
/// without `date`): IIS 6 writes `#Date` when it starts a block and its times in UTC, so
/// a time at or after the `#Date`'s time is on the `#Date`'s day, and an earlier one is
/// on the next day (the block ran past midnight UTC).
#[inline]
pub fn block_day(block: (Day, i32), second: i32) -> Day {
    if second < block.1 {
        block.0 + 1
    } else {
        block.0
    }
}

/// The local day and hour of a UTC day and second of day, shifted by `offset`.
#[inline]
pub fn shift(day: Day, second: i32, offset: UtcOffset) -> (Day, u8) {
    let s = second + offset.seconds;
    let d = day + s.div_euclid(86_400);
    let h = s.rem_euclid(86_400) / 3600;
    (d, h as u8)
}

/// The UTC days a log file's name says it covers: `exYYMMDD` (daily), `exYYMMDDHH`
/// (hourly), `exYYMM` (monthly), `exYYMMWW` (weekly, week of the month; the same shape
/// as daily, so weeks 01-05 are taken as the whole month). `None`: no date in the name.
pub fn name_span(file_name: &str) -> Option<DayRange> {
    let lower = file_name.to_ascii_lowercase();
    let rest = ["u_ex", "ex", "u_nc", "nc", "u_in", "in"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))?;
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    let d = rest.as_bytes();
    let num = |a: usize| digits(&d[a..a + 2]);
    let yy = 2000 + num(0)? as i32;
    let mm = num(2)?;
    let month = |y: i32, m: u32| -> Option<DayRange> {
        let first = NaiveDate::from_ymd_opt(y, m, 1)?;
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(y, m + 1, 1)?
        };
        Some(DayRange {
            first: day_of(first),
            last: day_of(next) - 1,
        })
    };
    match n {
        4 => month(yy, mm),
        6 | 8 => {
            let dd = num(4)?;
            if n == 6 && dd <= 5 {
                return month(yy, mm);
            }
            let date = NaiveDate::from_ymd_opt(yy, mm, dd)?;
            Some(DayRange::one(day_of(date)))
        }
        _ => None,
    }
}

/// Whether a file with this name might hold lines of `range` (in days shifted by any
/// offset, and allowing for IIS set to roll files over on local time): false only when
/// the name's dates lie more than a day outside the range.
pub fn may_hold(file_name: &str, range: &DayRange) -> bool {
    match name_span(file_name) {
        Some(span) => span.last + 1 >= range.first && span.first - 1 <= range.last,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        day_of(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn civil_matches_chrono() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2026-11-23",
            "2026-12-31",
            "1999-03-01",
        ] {
            assert_eq!(parse_date_field(s.as_bytes()), Some(d(s)), "{s}");
        }
        assert_eq!(parse_date_field(b"2026-13-01"), None);
        assert_eq!(parse_date_field(b"2026-1-01x"), None);
        assert_eq!(day_text(d("2026-11-23")), "2026-11-23");
    }

    #[test]
    fn shifting_crosses_midnight() {
        let t = parse_time_field(b"23:59:59").unwrap();
        let nine = UtcOffset::parse("+09:00").unwrap();
        assert_eq!(shift(d("2026-11-23"), t, nine), (d("2026-11-24"), 8));
        let west = UtcOffset::parse("-05:30").unwrap();
        let early = parse_time_field(b"02:00:00").unwrap();
        assert_eq!(shift(d("2026-11-23"), early, west), (d("2026-11-22"), 20));
        assert_eq!(
            shift(d("2026-11-23"), t, UtcOffset::UTC),
            (d("2026-11-23"), 23)
        );
    }

    #[test]
    fn offsets() {
        assert_eq!(UtcOffset::parse("+09:00").unwrap().seconds, 32_400);
        assert_eq!(UtcOffset::parse("-0530").unwrap().seconds, -19_800);
        assert_eq!(UtcOffset::parse("Z").unwrap(), UtcOffset::UTC);
        assert_eq!(UtcOffset::parse("+09:00").unwrap().text(), "+09:00");
        assert_eq!(UtcOffset::parse("-05:30").unwrap().text(), "-05:30");
        for bad in ["9", "+15:00", "+09:75", "nine"] {
            assert!(UtcOffset::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn asked_days() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let r = DayRange::resolve(Some("yesterday"), None, None, today).unwrap();
        assert_eq!(r, Some(DayRange::one(d("2026-11-23"))));
        let r = DayRange::resolve(None, Some("2026-11-01"), Some("2026-11-23"), today)
            .unwrap()
            .unwrap();
        assert_eq!(r.days().count(), 23);
        assert!(DayRange::resolve(None, Some("2026-11-23"), Some("2026-11-01"), today).is_err());
        assert!(DayRange::resolve(Some("23/11/2026"), None, None, today).is_err());
        assert_eq!(DayRange::resolve(None, None, None, today).unwrap(), None);
        // --since alone runs up to yesterday, the last whole day.
        let r = DayRange::resolve(None, Some("2026-11-01"), None, today).unwrap();
        assert_eq!(
            r,
            Some(DayRange {
                first: d("2026-11-01"),
                last: d("2026-11-23")
            })
        );
        let r = DayRange::resolve(None, Some("today"), None, today).unwrap();
        assert_eq!(r, Some(DayRange::one(d("2026-11-24"))));
    }

    #[test]
    fn file_name_dates() {
        assert_eq!(
            name_span("u_ex261123.log"),
            Some(DayRange::one(d("2026-11-23")))
        );
        assert_eq!(
            name_span("ex26112305.log"),
            Some(DayRange::one(d("2026-11-23")))
        );
        let month = name_span("u_ex2611.log").unwrap();
        assert_eq!(
            (month.first, month.last),
            (d("2026-11-01"), d("2026-11-30"))
        );
        // Week 2 of the month has the shape of the 2nd: the whole month may be in it.
        assert_eq!(name_span("u_ex261102.log"), Some(month));
        assert_eq!(name_span("httperr1.log"), None);
        let asked = DayRange::one(d("2026-11-23"));
        assert!(may_hold("u_ex261123.log", &asked));
        assert!(may_hold("u_ex261122.log", &asked)); // a day either side: offsets
        assert!(may_hold("u_ex261124.log", &asked));
        assert!(!may_hold("u_ex261120.log", &asked));
        assert!(may_hold("u_ex2611.log", &asked));
        assert!(!may_hold("u_ex2610.log", &asked));
        assert!(may_hold("access.log", &asked));
    }
}
