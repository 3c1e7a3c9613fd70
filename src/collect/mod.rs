//! What one day of logs holds for the reports (status triples per site, per-hour classes
//! and time-taken, bounded top URIs and client IPs per error code, FTP commands, HTTP.sys
//! refusals by reason and application pool), and the sink that
//! collects it from requests. The history keeps it; the report writes it.
//! Hours are the local day's clock hours with their offset ([`LocalHour`]): 23, 24 or 25
//! of them.

pub mod collector;
pub mod topn;

use std::borrow::Cow;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use crate::days::{Day, LocalHour, Zone};
use crate::format::codepage;
use crate::service::Service;
use crate::summary::httperr::{merge_reasons, ReasonCounts};
use crate::tally::{Accounting, Code, Codes};

pub use self::topn::TopN;

/// Buckets of the time-taken histogram: 0-15 ms exact, then 8 per power of two.
pub const BUCKETS: usize = 16 + 28 * 8;

/// The histogram bucket of a time-taken in milliseconds.
#[inline]
pub fn bucket(ms: u32) -> usize {
    if ms < 16 {
        return ms as usize;
    }
    let e = 31 - ms.leading_zeros() as usize; // >= 4
    let sub = ((ms >> (e - 3)) & 7) as usize;
    16 + (e - 4) * 8 + sub
}

/// The value a bucket stands for: its middle, within 1/16 (6.25 %) of any value in it.
pub fn bucket_value(b: usize) -> f64 {
    if b < 16 {
        return b as f64;
    }
    let e = (b - 16) / 8 + 4;
    let sub = ((b - 16) % 8) as u64;
    let low = (8 + sub) << (e - 3);
    let width = 1u64 << (e - 3);
    low as f64 + (width as f64 - 1.0) / 2.0
}

/// One hour of one service on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HourStats {
    /// Requests by class: index 0 no status or other, 1 to 5 for 1xx to 5xx.
    pub classes: [u64; 6],
    /// Requests with a time-taken, and its sum in ms (the mean is exact).
    pub tt_count: u64,
    pub tt_sum: u64,
    /// Time-taken histogram, `BUCKETS` long once a time-taken is seen, else empty.
    pub hist: Vec<u64>,
}

impl HourStats {
    pub fn requests(&self) -> u64 {
        self.classes.iter().sum()
    }

    #[inline]
    pub fn add_time(&mut self, ms: u32) {
        if self.hist.is_empty() {
            self.hist = vec![0; BUCKETS];
        }
        self.tt_count += 1;
        self.tt_sum += u64::from(ms);
        self.hist[bucket(ms)] += 1;
    }

    pub fn merge(&mut self, other: &HourStats) {
        for (a, b) in self.classes.iter_mut().zip(other.classes) {
            *a += b;
        }
        self.tt_count += other.tt_count;
        self.tt_sum += other.tt_sum;
        if !other.hist.is_empty() {
            if self.hist.is_empty() {
                self.hist = vec![0; BUCKETS];
            }
            for (a, b) in self.hist.iter_mut().zip(&other.hist) {
                *a += b;
            }
        }
    }

    /// Mean time-taken in ms (exact), if any was logged.
    pub fn mean_ms(&self) -> Option<f64> {
        (self.tt_count > 0).then(|| self.tt_sum as f64 / self.tt_count as f64)
    }

    /// 95th percentile of time-taken in ms, from the histogram: within 6.25 %.
    pub fn p95_ms(&self) -> Option<f64> {
        percentile(&self.hist, self.tt_count, 0.95)
    }
}

/// The `q` quantile of a histogram holding `n` values (nearest rank).
pub fn percentile(hist: &[u64], n: u64, q: f64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let rank = ((q * n as f64).ceil() as u64).max(1);
    let mut seen = 0;
    for (b, &c) in hist.iter().enumerate() {
        seen += c;
        if seen >= rank {
            return Some(bucket_value(b));
        }
    }
    None
}

/// The status and substatus a top list belongs to.
pub type ErrorKey = (u32, Code);

/// Top URIs and client IPs of one error code (and, for FTP 530, user names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopPair {
    pub uris: TopN,
    pub ips: TopN,
    /// `cs-username` of failed FTP logins (530); empty for every other code.
    pub users: TopN,
}

impl TopPair {
    /// The list of kind `k`, in the order uris, client IPs, users (the history's kinds).
    pub fn kind_mut(&mut self, k: usize) -> &mut TopN {
        match k {
            0 => &mut self.uris,
            2 => &mut self.users,
            _ => &mut self.ips,
        }
    }

    pub fn merge(&mut self, other: TopPair) {
        self.uris.merge(other.uris);
        self.ips.merge(other.ips);
        self.users.merge(other.users);
    }
}

/// The FTP command of a `cs-method` field: IIS 5/6 write `[n]USER`, `n` the session.
#[inline]
pub fn ftp_command(method: &[u8]) -> &[u8] {
    match method {
        [b'[', rest @ ..] => match memchr::memchr(b']', rest) {
            Some(i) if rest[..i].iter().all(u8::is_ascii_digit) => &rest[i + 1..],
            _ => method,
        },
        _ => method,
    }
}

/// Sites a day's tally names one by one: the most requested; the requests of the rest
/// are summed under [`OTHER_SITES`]. A server hosts tens or hundreds of sites; a log with
/// a million distinct `s-sitename` values is an attack or a mistake, and must not grow
/// every table, the history and the page without bound.
pub const SITES_KEPT: usize = 1000;

/// The site the requests of sites past [`SITES_KEPT`] are counted under. A W3C field
/// holds no space, so no real `s-sitename` can be this.
pub const OTHER_SITES: &str = "(other sites)";

/// The longest value the reports and the history keep, in bytes of its text: IIS's own
/// default limit on a URL (`maxUrl`, 4096 bytes), so that no URL IIS serves is cut. A
/// longer value (a 300 MB URI an attacker sent, a damaged log) is cut there, at a
/// character boundary, and ends with [`CUT_MARK`]: SQLite refuses a value over 1 GB, and
/// one such line must not stop every later run. Values are cut where they enter, once:
/// top-list URIs, client IPs and user names, site names, FTP commands, and HTTPERR
/// reasons and queues.
pub const MAX_VALUE: usize = 4096;

/// What ends a value that was cut at [`MAX_VALUE`] bytes.
pub const CUT_MARK: &str = "\u{2026}[cut]";

/// The bytes of a log value that decide how it is kept: the whole value up to
/// [`MAX_VALUE`] bytes, else its first `MAX_VALUE + 1` to `MAX_VALUE + 4` bytes (not
/// ending inside a UTF-8 character), so it is still known to be too long. Values that
/// share these bytes are one value once cut. Constant time, no copy.
#[inline]
pub fn bounded(raw: &[u8]) -> &[u8] {
    if raw.len() <= MAX_VALUE {
        return raw;
    }
    let mut end = (MAX_VALUE + 4).min(raw.len());
    while end > MAX_VALUE + 1 && end < raw.len() && raw[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    &raw[..end]
}

/// A log value as the reports and the history keep it: shown as text
/// ([`codepage::show`]), and when that is longer than [`MAX_VALUE`] bytes (or the value
/// was), cut to at most `MAX_VALUE` bytes at a character boundary and ended with
/// [`CUT_MARK`]. A value kept once is kept as it is again (pieces of a file merge their
/// names through here).
pub fn kept_text<'a>(
    raw: &'a [u8],
    codepage: Option<&'static encoding_rs::Encoding>,
) -> Cow<'a, str> {
    if raw.len() <= MAX_VALUE + CUT_MARK.len() && raw.ends_with(CUT_MARK.as_bytes()) {
        if let Ok(text) = std::str::from_utf8(raw) {
            return Cow::Borrowed(text);
        }
    }
    let bytes = bounded(raw);
    let text = codepage::show(bytes, codepage);
    if bytes.len() == raw.len() && text.len() <= MAX_VALUE {
        return text;
    }
    let mut end = MAX_VALUE.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}{CUT_MARK}", &text[..end]))
}

/// When a status triple was first and last seen on a day: UTC seconds since 1970 of the
/// start of the minute of its first and of its last request. A minute is enough to say
/// when a fault began and ended, and it is what the collector knows without parsing the
/// seconds of every line (lines of one minute share their placing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub first: i64,
    pub last: i64,
}

impl Seen {
    /// Seen in the minute starting at `at`.
    pub fn at(at: i64) -> Seen {
        Seen {
            first: at,
            last: at,
        }
    }

    /// Both spans together.
    pub fn merge(&mut self, other: Seen) {
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
    }
}

/// Adds `seen` to the span of `codes` in `map`.
pub fn merge_seen(map: &mut BTreeMap<Codes, Seen>, codes: Codes, seen: Seen) {
    map.entry(codes)
        .and_modify(|s| s.merge(seen))
        .or_insert(seen);
}

/// Everything the reports need about one service (or one file) on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayTally {
    /// Requests per site (`W3SVC1` or the `s-sitename`) and status triple.
    pub codes: BTreeMap<(String, Codes), u64>,
    /// Per clock hour that had requests.
    pub hours: BTreeMap<LocalHour, HourStats>,
    /// Requests whose line logs a `date` but no `time`: on the day, in no hour.
    pub no_hour: HourStats,
    pub top: BTreeMap<ErrorKey, TopPair>,
    /// FTP only: requests per command (`cs-method`, session prefix stripped) and triple.
    pub ftp_commands: BTreeMap<(String, Codes), u64>,
    /// HTTPERR only: requests per status, `s-reason` and (for 503s) `s-queuename`, as
    /// `summary` counts them.
    pub httperr: ReasonCounts,
    /// When each error triple (status 400 to 599) was first and last seen, for those of
    /// its requests that log a time; the page says when a fault began and ended.
    pub seen: BTreeMap<Codes, Seen>,
}

impl DayTally {
    pub fn requests(&self) -> u64 {
        self.codes.values().sum()
    }

    /// Nothing counted: no status, hour, list or FTP command (a history keeps no row).
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
            && self.ftp_commands.is_empty()
            && self.httperr.is_empty()
            && self.top.is_empty()
            && self.hours.values().all(|h| h.requests() == 0)
            && self.no_hour.requests() == 0
    }

    pub fn merge(&mut self, other: DayTally) {
        for (k, v) in other.codes {
            *self.codes.entry(k).or_insert(0) += v;
        }
        for (k, h) in &other.hours {
            self.hours.entry(*k).or_default().merge(h);
        }
        self.no_hour.merge(&other.no_hour);
        for (k, pair) in other.top {
            self.top.entry(k).or_default().merge(pair);
        }
        for (k, v) in other.ftp_commands {
            *self.ftp_commands.entry(k).or_insert(0) += v;
        }
        merge_reasons(&mut self.httperr, other.httperr);
        for (k, seen) in other.seen {
            merge_seen(&mut self.seen, k, seen);
        }
        self.bound_sites();
    }

    /// Keeps the [`SITES_KEPT`] most requested sites (ties by name) and sums the
    /// requests of the others under [`OTHER_SITES`], triple by triple.
    pub fn bound_sites(&mut self) {
        let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
        for ((site, _), n) in &self.codes {
            *totals.entry(site.as_str()).or_insert(0) += n;
        }
        if totals.len() <= SITES_KEPT {
            return;
        }
        let mut ranked: Vec<(&str, u64)> = totals.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let kept: std::collections::BTreeSet<String> = ranked
            .iter()
            .filter(|(site, _)| *site != OTHER_SITES)
            .take(SITES_KEPT)
            .map(|(site, _)| site.to_string())
            .collect();
        let codes = std::mem::take(&mut self.codes);
        for ((site, triple), n) in codes {
            let key = if kept.contains(&site) {
                site
            } else {
                OTHER_SITES.to_string()
            };
            *self.codes.entry((key, triple)).or_insert(0) += n;
        }
    }

    /// Requests per status triple, all sites together.
    pub fn triples(&self) -> BTreeMap<Codes, u64> {
        let mut out = BTreeMap::new();
        for ((_, k), v) in &self.codes {
            *out.entry(*k).or_insert(0) += v;
        }
        out
    }
}

/// The line account of the logs that hold a day (those with requests on it, or whose
/// name gives it): every line they gave, so the page shows what was not counted too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayLines {
    pub files: u64,
    pub lines: u64,
    /// Requests on any day, this one included.
    pub requests: u64,
    pub directives: u64,
    pub blank: u64,
    pub skipped: u64,
    /// Requests with no readable date: on no day.
    pub undated: u64,
}

impl DayLines {
    /// Adds one file's account.
    pub fn add(&mut self, acct: &Accounting, undated: u64) {
        self.files += 1;
        self.lines += acct.lines;
        self.requests += acct.requests;
        self.directives += acct.directives;
        self.blank += acct.blank;
        self.skipped += acct.skipped_total();
        self.undated += undated;
    }

    pub fn merge(&mut self, other: &DayLines) {
        self.files += other.files;
        self.lines += other.lines;
        self.requests += other.requests;
        self.directives += other.directives;
        self.blank += other.blank;
        self.skipped += other.skipped;
        self.undated += other.undated;
    }
}

/// The counts of one day: requests per service and triple.
pub type DayCounts = BTreeMap<(Service, Codes), u64>;

/// What a history says about the days before a day: what alert rules and the page
/// compare the day with.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// The previous 7 days that have requests.
    pub prev7: Vec<DayCounts>,
    /// Triples seen in the previous 30 days.
    pub seen30: BTreeSet<(Service, Codes)>,
    /// The requests of the 7 latest earlier days with requests, however far back: what
    /// `requests<0.5x` compares with, so logs that stopped arriving a month ago still trip it.
    pub prev_totals: Vec<u64>,
}

/// One day's report data: per server (empty name on a single server) and service.
#[derive(Debug, Clone, Default)]
pub struct ReportDay {
    pub day: Day,
    pub parts: BTreeMap<(String, Service), DayTally>,
    /// With a history: (day, requests, error requests (4xx+5xx), 5xx) of up to 30 days
    /// before and including this one, for the page's trend chart.
    pub trend: Vec<(Day, u64, u64, u64)>,
    /// The zone the day and its hours are in.
    pub zone: Zone,
    /// The line account of the logs that hold this day, when known.
    pub lines: Option<DayLines>,
    /// With a history: the days before this one, which the page compares its faults
    /// and probes with.
    pub baseline: Option<Baseline>,
}

impl ReportDay {
    /// Per service, all servers together. A service with one part (every single-server
    /// report) is borrowed: its top lists are large, and each file of the day asks.
    pub fn by_service(&self) -> BTreeMap<Service, Cow<'_, DayTally>> {
        let mut out: BTreeMap<Service, Cow<'_, DayTally>> = BTreeMap::new();
        for ((_, service), t) in &self.parts {
            match out.entry(*service) {
                Entry::Vacant(slot) => {
                    slot.insert(Cow::Borrowed(t));
                }
                Entry::Occupied(mut slot) => slot.get_mut().to_mut().merge(t.clone()),
            }
        }
        out
    }

    /// Whether the parts come from named servers (a farm), so CSVs get a server column.
    pub fn is_farm(&self) -> bool {
        self.parts.keys().any(|(s, _)| !s.is_empty())
    }

    pub fn requests(&self) -> u64 {
        self.parts.values().map(DayTally::requests).sum()
    }

    /// The hours the day's tables list, in order: every clock hour of the day in its
    /// zone (23, 24 or 25), and any hour the tallies hold at another offset (a day
    /// counted at a fixed offset before its history moved to a zone), which then stands
    /// for the zone's hour of the same clock hour when that one is empty.
    pub fn hour_rows(&self) -> Vec<LocalHour> {
        let zone_hours = self.zone.day_hours(self.day);
        let held: BTreeSet<LocalHour> = self
            .parts
            .values()
            .flat_map(|t| t.hours.iter())
            .filter(|(_, h)| h.requests() > 0)
            .map(|(k, _)| *k)
            .collect();
        let foreign: BTreeSet<u8> = held
            .iter()
            .filter(|k| !zone_hours.contains(k))
            .map(|k| k.hour)
            .collect();
        let mut rows: BTreeSet<LocalHour> = zone_hours
            .into_iter()
            .filter(|k| held.contains(k) || !foreign.contains(&k.hour))
            .collect();
        rows.extend(held);
        rows.into_iter().collect()
    }

    /// The failed FTP logins (530, every substatus): (by client IP, by user name).
    pub fn ftp_failed_logins(&self) -> (TopN, TopN) {
        let mut ips = TopN::default();
        let mut users = TopN::default();
        if let Some(t) = self.by_service().get(&Service::Ftp) {
            for ((status, _), pair) in &t.top {
                if *status == 530 {
                    ips.merge(pair.ips.clone());
                    users.merge(pair.users.clone());
                }
            }
        }
        (ips, users)
    }
}

/// The class index (0 other, 1-5) of a status.
#[inline]
pub fn class_of(status: Code) -> usize {
    match status {
        Code::Value(s @ 100..=599) => (s / 100) as usize,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_within_a_sixteenth() {
        let mut last = 0;
        for ms in (0..5_000_000u32).step_by(7).chain([u32::MAX]) {
            let b = bucket(ms);
            assert!(b < BUCKETS && b >= last, "{ms}");
            last = b;
            let v = bucket_value(b);
            assert!(
                (v - f64::from(ms)).abs() <= f64::from(ms) / 16.0 + 0.5,
                "{ms} {v}"
            );
        }
    }

    #[test]
    fn ftp_session_prefix_is_stripped() {
        assert_eq!(ftp_command(b"[12]USER"), b"USER");
        assert_eq!(ftp_command(b"[1]sent"), b"sent");
        assert_eq!(ftp_command(b"RETR"), b"RETR");
        assert_eq!(ftp_command(b"[x]RETR"), b"[x]RETR");
        assert_eq!(ftp_command(b"[1"), b"[1");
    }

    #[test]
    fn p95_of_small_sets() {
        let mut h = HourStats::default();
        for ms in 1..=100 {
            h.add_time(if ms <= 95 { 10 } else { 5000 });
        }
        assert_eq!(h.p95_ms(), Some(10.0));
        h.add_time(5000);
        assert!(h.p95_ms().unwrap() > 4600.0);
        assert_eq!(
            h.mean_ms().unwrap().round(),
            ((95 * 10 + 6 * 5000) as f64 / 101.0).round()
        );
    }

    /// Past `SITES_KEPT` sites, the least requested are summed under `OTHER_SITES`;
    /// no request is lost, and the most requested keep their names.
    #[test]
    fn sites_past_the_bound_are_summed() {
        let ok = Codes {
            status: Code::Value(200),
            substatus: Code::Value(0),
            win32: Code::Value(0),
        };
        let mut t = DayTally::default();
        // Site i has i + 1 requests: the SITES_KEPT busiest are the last ones.
        let n = SITES_KEPT + 10;
        for i in 0..n {
            t.codes.insert((format!("s{i:05}"), ok), i as u64 + 1);
        }
        let total: u64 = t.requests();
        t.bound_sites();
        assert_eq!(t.requests(), total);
        assert_eq!(t.codes.len(), SITES_KEPT + 1);
        // The 10 quietest had 1..=10 requests: 55 in all.
        assert_eq!(t.codes[&(OTHER_SITES.to_string(), ok)], 55);
        assert!(t.codes.contains_key(&(format!("s{:05}", n - 1), ok)));
        assert!(!t.codes.contains_key(&("s00000".to_string(), ok)));
        // A merge keeps the bound, and the other sites stay one row.
        let copy = t.clone();
        t.merge(copy);
        assert_eq!(t.codes.len(), SITES_KEPT + 1);
        assert_eq!(t.requests(), 2 * total);
    }
}

#[cfg(test)]
mod cut_tests {
    use super::*;

    /// Short values are kept whole and borrowed; long ones are cut to `MAX_VALUE` bytes
    /// plus the mark, at a character boundary, whatever their length; cutting is stable.
    #[test]
    fn long_values_are_cut_once_and_marked() {
        assert!(matches!(
            kept_text(b"/a/b.aspx", None),
            Cow::Borrowed("/a/b.aspx")
        ));
        let exact = "x".repeat(MAX_VALUE);
        assert_eq!(kept_text(exact.as_bytes(), None), exact);

        let long = format!("/{}", "a".repeat(10 * MAX_VALUE));
        let kept = kept_text(long.as_bytes(), None);
        assert_eq!(kept.len(), MAX_VALUE + CUT_MARK.len());
        assert!(kept.ends_with(CUT_MARK) && long.starts_with(&kept[..MAX_VALUE]));
        assert_eq!(kept_text(kept.as_bytes(), None), kept);

        // A three-byte character across the limit is left out whole, not split.
        for pad in 0..4 {
            let v = format!("{}{}", "a".repeat(MAX_VALUE - pad), "ロ".repeat(1000));
            let kept = kept_text(v.as_bytes(), None);
            let body = kept.strip_suffix(CUT_MARK).expect("marked");
            assert!(
                body.len() <= MAX_VALUE && body.len() > MAX_VALUE - 3,
                "{pad}"
            );
            assert!(v.starts_with(body));
            assert_eq!(kept_text(kept.as_bytes(), None), kept);
        }

        // Bytes that are not UTF-8 grow fourfold as `\xNN`: the shown text is cut too.
        let raw = vec![0xFFu8; MAX_VALUE];
        let kept = kept_text(&raw, None);
        assert!(kept.ends_with(CUT_MARK) && kept.len() <= MAX_VALUE + CUT_MARK.len());
    }
}
