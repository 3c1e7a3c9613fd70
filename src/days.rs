//! Days: which calendar day and clock hour a log line belongs to (its `date`/`time`
//! fields, UTC in IIS, taken to the report's time zone: a fixed `--utc-offset`, or an IANA
//! zone with its daylight-saving rules, `--tz`/`--local`), the days a run is asked for,
//! and which days a log file's name says it can hold, so files that cannot hold them are
//! not read.
//!
//! A local day is the calendar day in the zone: 23 or 25 hours long on the days the
//! clocks change, and its hours are told apart by the offset in force ([`LocalHour`]),
//! so the hour that comes twice in autumn is two hours, not one.

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
    #[error("{0:?} is not a time zone: use an IANA name such as Europe/Oslo, America/New_York or Asia/Tokyo (for a fixed offset, --utc-offset)")]
    BadZone(String),
    #[error("this machine's time zone could not be told by name ({0}): give it with --tz, e.g. --tz Europe/Oslo")]
    NoSystemZone(String),
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

    /// `+09:00`.
    pub fn text(self) -> String {
        let sign = if self.seconds < 0 { '-' } else { '+' };
        let m = self.seconds.unsigned_abs() / 60;
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// A clock hour of a local day: the hour the clock shows, and the UTC offset in force
/// then. A day at a fixed offset has 24, all at that offset; the day the clocks go back
/// has the repeated hour twice (`02` at `+02:00`, then at `+01:00`), and the day they go
/// forward lacks the skipped one. Ordered as they happen (by the UTC time they start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocalHour {
    pub hour: u8,
    /// Seconds east of UTC.
    pub offset: i32,
}

impl LocalHour {
    /// Hour `hour` at a fixed offset.
    pub const fn at(hour: u8, offset: UtcOffset) -> LocalHour {
        LocalHour {
            hour,
            offset: offset.seconds,
        }
    }

    /// `02`.
    pub fn hour_text(&self) -> String {
        format!("{:02}", self.hour)
    }

    /// `+02:00`.
    pub fn offset_text(&self) -> String {
        UtcOffset {
            seconds: self.offset,
        }
        .text()
    }

    fn start(&self) -> i64 {
        i64::from(self.hour) * 3600 - i64::from(self.offset)
    }
}

impl Ord for LocalHour {
    fn cmp(&self, other: &LocalHour) -> std::cmp::Ordering {
        (self.start(), self.hour, self.offset).cmp(&(other.start(), other.hour, other.offset))
    }
}

impl PartialOrd for LocalHour {
    fn partial_cmp(&self, other: &LocalHour) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The time zone of a report: a fixed offset (`--utc-offset`; UTC when none is given), or
/// an IANA zone with its rules (`--tz Europe/Oslo`, or `--local`, this machine's zone),
/// from the time zone database compiled into iislog (the same on every machine; neither
/// the system's zoneinfo files nor `TZ` are read for `--tz`).
#[derive(Debug, Clone)]
pub struct Zone {
    /// What a history keeps: `+09:00` for a fixed offset, the IANA name for a zone.
    name: Box<str>,
    rules: Rules,
}

#[derive(Debug, Clone)]
enum Rules {
    Fixed(UtcOffset),
    Tz(jiff::tz::TimeZone),
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::fixed(UtcOffset::UTC)
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

/// Where one offset holds: UTC seconds since 1970 from `start` (included) to `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: i64,
    pub end: i64,
    pub offset: i32,
}

/// The UTC seconds since 1970 of a UTC day and second of day.
#[inline]
pub fn utc_seconds(day: Day, second: i32) -> i64 {
    i64::from(day) * 86_400 + i64::from(second)
}

impl Zone {
    pub fn fixed(offset: UtcOffset) -> Zone {
        Zone {
            name: offset.text().into(),
            rules: Rules::Fixed(offset),
        }
    }

    /// An IANA zone by name, in any case (`europe/oslo` is `Europe/Oslo`). `UTC` and
    /// `Etc/UTC` are the fixed offset `+00:00`, as a report without a zone.
    pub fn named(name: &str) -> Result<Zone, DayError> {
        let t = name.trim();
        if ["utc", "etc/utc", "z"].contains(&t.to_ascii_lowercase().as_str()) {
            return Ok(Zone::fixed(UtcOffset::UTC));
        }
        let tz = jiff::tz::TimeZone::get(t).map_err(|_| DayError::BadZone(name.to_string()))?;
        let canonical = tz.iana_name().unwrap_or(t).to_string();
        Ok(Zone {
            name: canonical.into(),
            rules: Rules::Tz(tz),
        })
    }

    /// This machine's zone with its rules (`--local`): on Windows the system time zone
    /// (its Windows name mapped to the IANA one, CLDR's table); elsewhere `TZ` when set,
    /// else what `/etc/localtime` links to. It must have an IANA name, which is what a
    /// history keeps.
    pub fn system() -> Result<Zone, DayError> {
        let tz =
            jiff::tz::TimeZone::try_system().map_err(|e| DayError::NoSystemZone(e.to_string()))?;
        match tz.iana_name() {
            Some(name) => Zone::named(name),
            None => Err(DayError::NoSystemZone(
                "it has rules but no IANA name".to_string(),
            )),
        }
    }

    /// `+09:00` or `Europe/Oslo`: what a history keeps, and `--utc-offset`/`--tz` take.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A fixed offset (no daylight saving).
    pub fn is_fixed(&self) -> bool {
        matches!(self.rules, Rules::Fixed(_))
    }

    /// For people: `Europe/Oslo`, `UTC+09:00`, or `UTC`.
    pub fn label(&self) -> String {
        match self.rules {
            Rules::Fixed(UtcOffset::UTC) => "UTC".to_string(),
            Rules::Fixed(o) => format!("UTC{}", o.text()),
            Rules::Tz(_) => self.name.to_string(),
        }
    }

    /// The offset in force at `utc` (seconds since 1970) and how long it holds.
    pub fn span(&self, utc: i64) -> Span {
        match &self.rules {
            Rules::Fixed(o) => Span {
                start: i64::MIN,
                end: i64::MAX,
                offset: o.seconds,
            },
            Rules::Tz(tz) => {
                use jiff::Timestamp;
                let at = |s: i64| {
                    Timestamp::from_second(s).unwrap_or(if s < 0 {
                        Timestamp::MIN
                    } else {
                        Timestamp::MAX
                    })
                };
                let ts = at(utc);
                let offset = tz.to_offset(ts).seconds();
                // `preceding` gives transitions strictly before its argument, `following`
                // strictly after: a transition at `utc` itself starts this span.
                let start = tz
                    .preceding(at(utc.saturating_add(1)))
                    .next()
                    .map_or(i64::MIN, |t| t.timestamp().as_second());
                let end = tz
                    .following(ts)
                    .next()
                    .map_or(i64::MAX, |t| t.timestamp().as_second());
                Span { start, end, offset }
            }
        }
    }

    /// The first UTC second (since 1970) of local day `day`.
    pub fn day_start(&self, day: Day) -> i64 {
        let midnight = utc_seconds(day, 0);
        match &self.rules {
            Rules::Fixed(o) => midnight - i64::from(o.seconds),
            Rules::Tz(tz) => {
                let d = date_of(day);
                jiff::civil::Date::new(
                    i16::try_from(d.year()).unwrap_or(i16::MAX),
                    d.month() as i8,
                    d.day() as i8,
                )
                .and_then(|d| d.to_zoned_datetime(tz.clone()))
                .and_then(|z| z.start_of_day())
                .map_or_else(
                    |_| midnight - i64::from(self.span(midnight).offset),
                    |z| z.timestamp().as_second(),
                )
            }
        }
    }

    /// The clock hours of local day `day`, in the order they happen: 24 at a fixed offset
    /// or on most days of a zone, 23 or 25 on the days its clocks change.
    pub fn day_hours(&self, day: Day) -> Vec<LocalHour> {
        let (start, end) = (self.day_start(day), self.day_start(day + 1));
        let midnight = utc_seconds(day, 0);
        let mut out: Vec<LocalHour> = Vec::with_capacity(25);
        let mut t = start;
        while t < end {
            let span = self.span(t);
            let stop = span.end.clamp(t + 1, end);
            let off = i64::from(span.offset);
            let first = (t + off - midnight).div_euclid(3600);
            let last = (stop - 1 + off - midnight).div_euclid(3600);
            for h in first.max(0)..=last.min(23) {
                let lh = LocalHour {
                    hour: h as u8,
                    offset: span.offset,
                };
                if out.last() != Some(&lh) {
                    out.push(lh);
                }
            }
            t = stop;
        }
        out
    }

    /// The UTC day and second of a local day and second (an IIS native log's time). A
    /// time the clocks skipped is moved on by the gap (02:30 on the spring day is 03:30),
    /// and one that came twice is the first (summer time), as RFC 5545 does.
    pub fn utc_of_local(&self, day: Day, second: i32) -> (Day, i32) {
        let local = utc_seconds(day, second);
        let utc = match &self.rules {
            Rules::Fixed(o) => local - i64::from(o.seconds),
            Rules::Tz(tz) => {
                let (h, m, s) = (second / 3600, second / 60 % 60, second % 60);
                let d = date_of(day);
                jiff::civil::DateTime::new(
                    i16::try_from(d.year()).unwrap_or(i16::MAX),
                    d.month() as i8,
                    d.day() as i8,
                    h as i8,
                    m as i8,
                    s.min(59) as i8,
                    0,
                )
                .and_then(|dt| tz.to_ambiguous_timestamp(dt).compatible())
                .map_or_else(
                    |_| local - i64::from(self.span(local).offset),
                    |ts| ts.as_second() + i64::from(s - s.min(59)),
                )
            }
        };
        (utc.div_euclid(86_400) as Day, utc.rem_euclid(86_400) as i32)
    }

    /// Today's date in this zone, by this machine's clock.
    pub fn today(&self) -> NaiveDate {
        let now = chrono::Utc::now().timestamp();
        let local = now + i64::from(self.span(now).offset);
        date_of(local.div_euclid(86_400) as Day)
    }

    /// A cursor that takes UTC times to local days and hours, remembering the span of
    /// the last one: lines come in time order, so the zone is looked up about once per
    /// offset change, not once per line.
    pub fn clock(&self) -> Clock {
        Clock {
            zone: self.clone(),
            span: Span {
                start: 0,
                end: 0,
                offset: 0,
            },
            local_minute: i64::MIN,
            local_delta: 0,
        }
    }
}

/// Where a UTC time falls in the report's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    pub day: Day,
    pub hour: LocalHour,
    /// The whole UTC minute of this time has this day and hour (the same offset holds
    /// through it, and the offset is whole minutes): a cache by minute may keep it.
    pub whole_minute: bool,
}

/// See [`Zone::clock`].
#[derive(Debug, Clone)]
pub struct Clock {
    zone: Zone,
    span: Span,
    /// The last local minute [`Clock::local_of_local`] resolved (`i64::MIN`: none), and
    /// local minus UTC there.
    local_minute: i64,
    local_delta: i64,
}

impl Clock {
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The local day and hour of a UTC day and second of day.
    #[inline]
    pub fn local(&mut self, day: Day, second: i32) -> Local {
        let utc = utc_seconds(day, second);
        if utc < self.span.start || utc >= self.span.end {
            self.span = self.zone.span(utc);
        }
        let off = self.span.offset;
        let s = utc + i64::from(off);
        let minute = utc - i64::from(second.rem_euclid(60));
        Local {
            day: s.div_euclid(86_400) as Day,
            hour: LocalHour {
                hour: (s.rem_euclid(86_400) / 3600) as u8,
                offset: off,
            },
            whole_minute: off % 60 == 0
                && minute >= self.span.start
                && minute + 60 <= self.span.end,
        }
    }

    /// The local day and hour of a local day and second (see [`Zone::utc_of_local`]).
    /// The last local minute's offset is kept: a log in local time (IIS native) costs
    /// a lookup per minute, not per line.
    #[inline]
    pub fn local_of_local(&mut self, day: Day, second: i32) -> Local {
        let l = utc_seconds(day, second);
        let minute = l - i64::from(second.rem_euclid(60));
        let utc = if minute == self.local_minute {
            l - self.local_delta
        } else {
            self.resolve_local(day, second, l)
        };
        let local = self.local(utc.div_euclid(86_400) as Day, utc.rem_euclid(86_400) as i32);
        if minute != self.local_minute {
            self.local_minute = if local.whole_minute { minute } else { i64::MIN };
            self.local_delta = l - utc;
        }
        local
    }

    /// The UTC second of local second `l`: by the last offset when it holds there and no
    /// change is near (where a local time may be skipped or come twice), else by the
    /// zone's rules.
    #[cold]
    fn resolve_local(&mut self, day: Day, second: i32, l: i64) -> i64 {
        // Wider than any change of offset a zone has made (Samoa skipped a whole day).
        const MARGIN: i64 = 26 * 3600;
        let guess = l - i64::from(self.span.offset);
        let clear = guess.saturating_sub(self.span.start) >= MARGIN
            && self.span.end.saturating_sub(guess) > MARGIN;
        if clear {
            return guess;
        }
        let (d, s) = self.zone.utc_of_local(day, second);
        utc_seconds(d, s)
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

/// The year of a two-digit year as IIS writes it in file names and native dates: IIS 4
/// and 5 (1996 on) wrote `ex960101.log` and `01/01/96`, so 70 to 99 are 1970 to 1999,
/// and 00 to 69 are 2000 to 2069.
pub fn two_digit_year(yy: u32) -> i32 {
    if yy >= 70 {
        1900 + yy as i32
    } else {
        2000 + yy as i32
    }
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
    let yy = two_digit_year(num(0)?);
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

/// Where a dated log name falls among its site's logs: its prefix (`u_ex`, `ex`…), how
/// many digits follow (daily, hourly, monthly), and the date they give (year in full,
/// so `ex991231` comes before `ex000101`). Two names of one prefix and length compare
/// in the order IIS wrote them; `None` for a name without a date.
pub fn name_order(file_name: &str) -> Option<(String, usize, i32, u64)> {
    let lower = file_name.to_ascii_lowercase();
    let (prefix, rest) = ["u_ex", "ex", "u_nc", "nc", "u_in", "in"]
        .iter()
        .find_map(|p| lower.strip_prefix(p).map(|r| (*p, r)))?;
    let d = rest.as_bytes();
    let n = d.iter().take_while(|b| b.is_ascii_digit()).count();
    if !matches!(n, 4 | 6 | 8) {
        return None;
    }
    let year = two_digit_year(digits(&d[..2])?);
    let rest = u64::from(digits(&d[2..n])?);
    Some((prefix.to_string(), n, year, rest))
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

    /// Local day and clock hour of a UTC date and time in `zone`.
    fn local(zone: &Zone, date: &str, time: &str) -> (Day, u8, String) {
        let l = zone
            .clock()
            .local(d(date), parse_time_field(time.as_bytes()).unwrap());
        (l.day, l.hour.hour, l.hour.offset_text())
    }

    fn fixed(text: &str) -> Zone {
        Zone::fixed(UtcOffset::parse(text).unwrap())
    }

    #[test]
    fn shifting_crosses_midnight() {
        let nine = fixed("+09:00");
        assert_eq!(
            local(&nine, "2026-11-23", "23:59:59"),
            (d("2026-11-24"), 8, "+09:00".into())
        );
        assert_eq!(
            local(&fixed("-05:30"), "2026-11-23", "02:00:00"),
            (d("2026-11-22"), 20, "-05:30".into())
        );
        assert_eq!(
            local(&Zone::default(), "2026-11-23", "23:59:59"),
            (d("2026-11-23"), 23, "+00:00".into())
        );
    }

    /// Europe/Oslo in 2026 (EU rules, worked out by hand): the clocks go forward on the
    /// last Sunday of March, 29 March, at 01:00 UTC (02:00 CET becomes 03:00 CEST), and
    /// back on the last Sunday of October, 25 October, at 01:00 UTC (03:00 CEST becomes
    /// 02:00 CET).
    #[test]
    fn oslo_switches() {
        let oslo = Zone::named("Europe/Oslo").unwrap();
        assert_eq!(oslo.name(), "Europe/Oslo");
        assert!(!oslo.is_fixed());
        let at = |date, time| local(&oslo, date, time);
        // Spring: 00:59:59 UTC is 01:59:59 CET; 01:00:00 UTC is 03:00 CEST.
        assert_eq!(
            at("2026-03-29", "00:59:59"),
            (d("2026-03-29"), 1, "+01:00".into())
        );
        assert_eq!(
            at("2026-03-29", "01:00:00"),
            (d("2026-03-29"), 3, "+02:00".into())
        );
        // Autumn: 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET: the same clock hour.
        assert_eq!(
            at("2026-10-25", "00:30:00"),
            (d("2026-10-25"), 2, "+02:00".into())
        );
        assert_eq!(
            at("2026-10-25", "01:30:00"),
            (d("2026-10-25"), 2, "+01:00".into())
        );
        // The local day: from 22:00 UTC the day before in winter, 23:00 in summer.
        assert_eq!(
            at("2026-03-28", "23:00:00"),
            (d("2026-03-29"), 0, "+01:00".into())
        );
        assert_eq!(
            at("2026-10-24", "22:00:00"),
            (d("2026-10-25"), 0, "+02:00".into())
        );
        assert_eq!(
            at("2026-10-24", "21:59:59"),
            (d("2026-10-24"), 23, "+02:00".into())
        );
        let hours = |day: &str| oslo.day_hours(d(day));
        let spring = hours("2026-03-29");
        assert_eq!(spring.len(), 23);
        assert!(spring.iter().all(|h| h.hour != 2));
        assert_eq!((spring[1].hour, spring[2].hour), (1, 3));
        let autumn = hours("2026-10-25");
        assert_eq!(autumn.len(), 25);
        let twos: Vec<String> = autumn
            .iter()
            .filter(|h| h.hour == 2)
            .map(LocalHour::offset_text)
            .collect();
        assert_eq!(twos, ["+02:00", "+01:00"]);
        assert_eq!(hours("2026-10-26").len(), 24);
        assert_eq!(
            oslo.day_start(d("2026-10-25")),
            oslo.day_start(d("2026-10-24")) + 24 * 3600
        );
        assert_eq!(
            oslo.day_start(d("2026-10-26")),
            oslo.day_start(d("2026-10-25")) + 25 * 3600
        );
    }

    /// America/New_York in 2026: forward on the second Sunday of March (8 March, 02:00
    /// EST = 07:00 UTC), back on the first Sunday of November (1 November, 02:00 EDT =
    /// 06:00 UTC). Asia/Tokyo has no daylight saving: +09:00 all year.
    #[test]
    fn new_york_and_tokyo() {
        let ny = Zone::named("america/new_york").unwrap();
        assert_eq!(ny.name(), "America/New_York");
        let at = |date, time| local(&ny, date, time);
        assert_eq!(
            at("2026-03-08", "06:59:59"),
            (d("2026-03-08"), 1, "-05:00".into())
        );
        assert_eq!(
            at("2026-03-08", "07:00:00"),
            (d("2026-03-08"), 3, "-04:00".into())
        );
        assert_eq!(
            at("2026-11-01", "05:59:59"),
            (d("2026-11-01"), 1, "-04:00".into())
        );
        assert_eq!(
            at("2026-11-01", "06:00:00"),
            (d("2026-11-01"), 1, "-05:00".into())
        );
        assert_eq!(ny.day_hours(d("2026-11-01")).len(), 25);
        assert_eq!(ny.day_hours(d("2026-03-08")).len(), 23);
        let tokyo = Zone::named("Asia/Tokyo").unwrap();
        for day in ["2026-03-29", "2026-10-25", "2026-11-01"] {
            let hours = tokyo.day_hours(d(day));
            assert_eq!(hours.len(), 24);
            assert!(hours.iter().all(|h| h.offset == 9 * 3600), "{day}");
        }
        assert_eq!(
            local(&tokyo, "2026-11-23", "15:00:00"),
            (d("2026-11-24"), 0, "+09:00".into())
        );
        // UTC by name is the fixed offset a report without a zone has.
        assert_eq!(Zone::named("UTC").unwrap(), Zone::default());
        assert!(Zone::named("Europe/Nowhere").is_err());
        assert!(Zone::named("+09:00").is_err());
    }

    /// Local times (IIS native logs): a time the clocks skipped moves on by the gap, one
    /// that came twice is the first; the cache by minute gives what the zone gives.
    #[test]
    fn local_times_in_a_zone() {
        let oslo = Zone::named("Europe/Oslo").unwrap();
        let of = |date: &str, time: &str| {
            let l = oslo
                .clock()
                .local_of_local(d(date), parse_time_field(time.as_bytes()).unwrap());
            (l.day, l.hour.hour, l.hour.offset_text())
        };
        assert_eq!(
            of("2026-03-29", "01:30:00"),
            (d("2026-03-29"), 1, "+01:00".into())
        );
        assert_eq!(
            of("2026-03-29", "02:30:00"),
            (d("2026-03-29"), 3, "+02:00".into())
        );
        assert_eq!(
            of("2026-10-25", "02:30:00"),
            (d("2026-10-25"), 2, "+02:00".into())
        );
        assert_eq!(
            of("2026-07-01", "23:59:59"),
            (d("2026-07-01"), 23, "+02:00".into())
        );
        // One clock over a day of minutes, across the autumn switch, agrees with a fresh
        // lookup for every time.
        let mut clock = oslo.clock();
        for m in 0..(26 * 60) {
            let (day, second) = (d("2026-10-24") + m / 1440, (m % 1440) * 60 + 17);
            let cached = clock.local_of_local(day, second);
            let fresh = oslo.clock().local_of_local(day, second);
            assert_eq!(cached, fresh, "minute {m}");
        }
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

    /// IIS 4 and 5 wrote two-digit years from 1996: `ex960101.log` is 1996, not 2096.
    #[test]
    fn names_of_the_1990s() {
        // The 1st has the shape of week 1: all of January 1996.
        let january = name_span("ex960101.log").unwrap();
        assert_eq!(
            (january.first, january.last),
            (d("1996-01-01"), d("1996-01-31"))
        );
        assert_eq!(
            name_span("ex960615.log"),
            Some(DayRange::one(d("1996-06-15")))
        );
        assert_eq!(
            name_span("ex991231.log"),
            Some(DayRange::one(d("1999-12-31")))
        );
        assert_eq!(
            name_span("ex700110.log"),
            Some(DayRange::one(d("1970-01-10")))
        );
        assert_eq!(
            name_span("u_ex691231.log"),
            Some(DayRange::one(d("2069-12-31")))
        );
        assert!(may_hold("ex960101.log", &DayRange::one(d("1996-01-01"))));
        assert!(!may_hold("ex960101.log", &DayRange::one(d("2096-01-01"))));
        let month = name_span("ex9602.log").unwrap();
        assert_eq!(
            (month.first, month.last),
            (d("1996-02-01"), d("1996-02-29"))
        );
    }

    /// Names of one site compare in the order IIS wrote them, across the century too.
    #[test]
    fn name_order_follows_the_dates() {
        let o = |n: &str| name_order(n).unwrap();
        assert!(o("u_ex261123.log") < o("u_ex261124.log"));
        assert!(o("ex991231.log") < o("ex000101.log"));
        assert!(o("u_ex26112305.log") < o("u_ex26112306.log"));
        assert_eq!(o("U_EX261123.LOG"), o("u_ex261123.log"));
        // Prefixes and lengths differ: not one series.
        assert_ne!(o("ex261123.log").0, o("u_ex261123.log").0);
        assert_ne!(o("u_ex2611.log").1, o("u_ex261123.log").1);
        assert_eq!(name_order("httperr1.log"), None);
        assert_eq!(name_order("u_ex26.log"), None);
    }
}
