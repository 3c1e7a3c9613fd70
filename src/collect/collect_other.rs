//! The report's sink for IIS native (`in*.log`) and NCSA common (`nc*.log`) logs: each
//! request is filed under its day and hour, site (from the folder), status triple and
//! time-taken (native only), and the URI and client IP of errors are counted, into the
//! same `FileDays` the W3C `Collector` gives. Kept apart from that collector so that its
//! per-line path stays as it is.
//!
//! Times: an NCSA line carries its offset (`[23/Nov/2026:09:00:01 +0100]`), so it is
//! turned into UTC and then shifted to the report's offset like a W3C line. A native line
//! has none: IIS writes it in the server's local time, and iislog takes that local time
//! to be at the report's offset (`--utc-offset`/`--local`, UTC when neither is given), so
//! a native line lands on the day and hour it shows. Run the report at the server's
//! offset to line native logs up with W3C ones.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::format::w3c::{Directive, FieldMap};
use crate::parse::chunk::ChunkSink;
use crate::parse::LineSink;
use crate::tally::SkipReason;

use crate::collect::class_of;
use crate::collect::collector::{CollectConfig, FileDays};
use crate::days::{self, Day};
use crate::format::codepage;
use crate::format::{native, ncsa, LineFormat};
use crate::parse::plain;
use crate::tally::{Code, Codes, Tally};

/// What one line gives beyond its codes.
struct Placed<'l> {
    /// The report's day and hour.
    day: Day,
    hour: u8,
    ms: Option<u32>,
    uri: &'l [u8],
    ip: &'l [u8],
}

/// Collects whole lines of a native or NCSA log. The line account is the one `summary`
/// gives (`plain::scan_plain`); `at_file_end` as there.
pub fn collect_plain(
    bytes: &[u8],
    format: LineFormat,
    at_file_end: bool,
    cfg: &CollectConfig,
) -> FileDays {
    let mut tally = Tally::default();
    tally.acct.lines = plain::scan_plain(bytes, format, at_file_end, &mut tally);
    tally.acct.bytes = bytes.len() as u64;
    tally.codes.clear();
    let mut out = FileDays::default();
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        // The lines `scan_plain` counted as requests, and only those.
        if line.is_empty() || line.iter().any(|&b| b < 0x20 && b != b'\t') {
            continue;
        }
        let (codes, placed) = match format {
            LineFormat::Native => match native::read(line) {
                Ok(c) => (c, place_native(line)),
                Err(_) => continue,
            },
            LineFormat::Ncsa => match ncsa::read(line) {
                Ok(c) => (c, place_ncsa(line, cfg)),
                Err(_) => continue,
            },
            LineFormat::W3c => continue,
        };
        let Some(p) = placed else {
            out.undated += 1;
            continue;
        };
        if cfg.keep.is_some_and(|r| !r.contains(p.day)) {
            out.outside += 1;
            continue;
        }
        add(&mut out, codes, &p, cfg);
    }
    out.tally = tally;
    out
}

/// [`collect_plain`] as a [`ChunkSink`], for native and NCSA logs read as a stream
/// (inside archives): each block is collected whole and the blocks merge in order.
#[derive(Debug, Clone)]
pub struct PlainCollector {
    cfg: Arc<CollectConfig>,
    days: FileDays,
}

impl PlainCollector {
    pub fn new(cfg: Arc<CollectConfig>) -> PlainCollector {
        PlainCollector {
            cfg,
            days: FileDays::default(),
        }
    }

    pub fn finish(self) -> FileDays {
        self.days
    }
}

impl LineSink for PlainCollector {
    // Native and NCSA blocks come through `plain_block`; W3C lines are not for this sink
    // and are only accounted.
    fn request(&mut self, codes: Codes, line: &[u8], map: &FieldMap) {
        LineSink::request(&mut self.days.tally, codes, line, map);
        self.days.tally.codes.clear();
    }
    fn directive(&mut self, directive: Directive<'_>) {
        LineSink::directive(&mut self.days.tally, directive);
    }
    fn blank(&mut self) {
        LineSink::blank(&mut self.days.tally);
    }
    fn skip(&mut self, reason: SkipReason, line_no: u64) {
        LineSink::skip(&mut self.days.tally, reason, line_no);
    }
}

impl ChunkSink for PlainCollector {
    fn fresh(&self) -> PlainCollector {
        PlainCollector::new(self.cfg.clone())
    }
    fn tally_mut(&mut self) -> &mut Tally {
        &mut self.days.tally
    }
    fn absorb(&mut self, other: PlainCollector, line_offset: u64) {
        let o = other.days;
        self.days.tally.merge_shifted(o.tally, line_offset);
        self.days.undated += o.undated;
        self.days.outside += o.outside;
        for (day, t) in o.days {
            self.days.days.entry(day).or_default().merge(t);
        }
    }
    fn plain_block(&mut self, block: &[u8], format: LineFormat, at_end: bool) -> u64 {
        let piece = collect_plain(block, format, at_end, &self.cfg);
        let lines = piece.tally.acct.lines;
        self.absorb(
            PlainCollector {
                cfg: self.cfg.clone(),
                days: piece,
            },
            self.days.tally.acct.lines,
        );
        lines
    }
}

fn add(out: &mut FileDays, codes: Codes, p: &Placed<'_>, cfg: &CollectConfig) {
    let t = out.days.entry(p.day).or_default();
    *t.codes
        .entry((cfg.default_site.clone(), codes))
        .or_insert(0) += 1;
    if let Some(h) = t.hours.get_mut(usize::from(p.hour)) {
        h.classes[class_of(codes.status)] += 1;
        if let Some(ms) = p.ms {
            h.add_time(ms);
        }
    }
    if let Code::Value(s @ 400..=599) = codes.status {
        let pair = t.top.entry((s, codes.substatus)).or_default();
        if !p.uri.is_empty() && p.uri != b"-" {
            pair.uris.add_text(&codepage::show(p.uri, cfg.codepage));
        }
        if !p.ip.is_empty() && p.ip != b"-" {
            pair.ips.add(p.ip);
        }
    }
}

fn number(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |n, &c| {
        let d = c.wrapping_sub(b'0');
        (d <= 9).then(|| n * 10 + u32::from(d))
    })
}

/// `H:MM:SS` or `HH:MM:SS` → seconds since midnight.
fn clock(time: &[u8]) -> Option<i32> {
    let mut parts = time.split(|&b| b == b':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    let (h, m, s) = (number(h)?, number(m)?, number(s)?);
    if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some((h * 3600 + m * 60 + s) as i32)
}

/// A native date, `MM/DD/YY` (as IIS writes it; years 2000-2099) or `MM/DD/YYYY`.
fn native_date(date: &[u8]) -> Option<Day> {
    let mut parts = date.split(|&b| b == b'/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let year = match y.len() {
        2 => 2000 + number(y)? as i32,
        4 => number(y)? as i32,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, number(m)?, number(d)?).map(days::day_of)
}

/// Client IP, date, time (local, taken at the report's offset), time taken, target.
fn place_native(line: &[u8]) -> Option<Placed<'_>> {
    let f: Vec<&[u8]> = native::fields(line).take(14).collect();
    let day = native_date(f.get(2)?)?;
    let second = clock(f.get(3)?)?;
    Some(Placed {
        day,
        hour: (second / 3600) as u8,
        ms: f.get(7).and_then(|t| number(t)),
        uri: f.get(13).copied().unwrap_or_default(),
        ip: f.first().copied().unwrap_or_default(),
    })
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// `dd/MMM/yyyy:HH:mm:ss +hhmm` → UTC day and second.
fn ncsa_time(stamp: &[u8]) -> Option<(Day, i32)> {
    let (when, zone) = match stamp.iter().position(|&b| b == b' ') {
        Some(i) => (&stamp[..i], &stamp[i + 1..]),
        None => (stamp, &b"+0000"[..]),
    };
    let d = number(when.get(..2)?)?;
    let month = MONTHS.iter().position(|m| when.get(3..6) == Some(*m))? as u32 + 1;
    let y = number(when.get(7..11)?)? as i32;
    if when.get(2) != Some(&b'/') || when.get(6) != Some(&b'/') || when.get(11) != Some(&b':') {
        return None;
    }
    let local = clock(when.get(12..)?)?;
    let sign = match zone.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (zh, zm) = (number(zone.get(1..3)?)?, number(zone.get(3..5)?)?);
    let offset = sign * (zh * 3600 + zm * 60) as i32;
    let day = days::day_of(NaiveDate::from_ymd_opt(y, month, d)?);
    let utc = local - offset;
    Some((day + utc.div_euclid(86_400), utc.rem_euclid(86_400)))
}

/// Host, time (with its offset: to UTC, then to the report's offset), the request's URI
/// (its path, without the query).
fn place_ncsa<'l>(line: &'l [u8], cfg: &CollectConfig) -> Option<Placed<'l>> {
    let open = memchr::memmem::find(line, b" [")?;
    let close = open + memchr::memchr(b']', &line[open..])?;
    let (utc_day, second) = ncsa_time(line.get(open + 2..close)?)?;
    let (day, hour) = days::shift(utc_day, second, cfg.offset);
    let host = line.split(|&b| b == b' ').next().unwrap_or_default();
    let request = line.get(close + 3..).unwrap_or_default();
    let target = request.split(|&b| b == b' ').nth(1).unwrap_or_default();
    let uri = target.split(|&b| b == b'?').next().unwrap_or_default();
    Some(Placed {
        day,
        hour,
        ms: None,
        uri,
        ip: host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::days::UtcOffset;

    fn day(s: &str) -> Day {
        days::day_of(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    fn cfg(offset: &str) -> CollectConfig {
        CollectConfig::new(UtcOffset::parse(offset).unwrap(), "W3SVC5".into())
    }

    #[test]
    fn ncsa_times_go_to_utc_then_to_the_report_offset() {
        assert_eq!(
            ncsa_time(b"23/Nov/2026:00:30:00 +0100"),
            Some((day("2026-11-22"), 23 * 3600 + 1800))
        );
        assert_eq!(
            ncsa_time(b"23/Nov/2026:20:00:00 -0500"),
            Some((day("2026-11-24"), 3600))
        );
        assert_eq!(ncsa_time(b"23/Foo/2026:20:00:00 -0500"), None);
        let log = b"10.0.0.1 - - [23/Nov/2026:00:30:00 +0100] \"GET /a?x=1 HTTP/1.1\" 404 5\n";
        let f = collect_plain(log, LineFormat::Ncsa, true, &cfg("Z"));
        let t = &f.days[&day("2026-11-22")];
        assert_eq!(t.hours[23].classes[4], 1);
        let top = &t.top[&(404, Code::NotLogged)];
        assert_eq!(&*top.uris.sorted()[0].value, "/a");
        let f = collect_plain(log, LineFormat::Ncsa, true, &cfg("+01:00"));
        assert_eq!(f.days[&day("2026-11-23")].hours[0].requests(), 1);
    }

    #[test]
    fn native_times_are_taken_at_the_report_offset() {
        let log = b"10.0.0.1, -, 11/23/26, 8:00:00, W3SVC1, WEB, 10.0.0.5, 40, 2, 3, 500, 0, GET, /a, -,\r\n";
        for offset in ["Z", "+09:00", "-05:00"] {
            let f = collect_plain(log, LineFormat::Native, true, &cfg(offset));
            let t = &f.days[&day("2026-11-23")];
            assert_eq!(t.hours[8].requests(), 1, "{offset}");
            assert_eq!(t.hours[8].tt_sum, 40);
        }
        assert_eq!(native_date(b"02/30/26"), None);
        assert_eq!(native_date(b"11/23/2026"), Some(day("2026-11-23")));
        assert_eq!(clock(b"8:01:12"), Some(8 * 3600 + 72));
    }
}
