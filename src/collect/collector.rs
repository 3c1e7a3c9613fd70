//! The report's line sink: beside the line account, it files each request under its day
//! and hour (its time, shifted to local days) and site, times it, and counts the URI and
//! client IP of errors (the client IP from `--client-ip-field` behind a proxy), for
//! FTP the commands and the user names of failed logins, and for HTTPERR the reason and
//! application pool. Every format comes through the same `Request` view; `summary` never
//! runs this code.
//!
//! Times: W3C lines are in UTC, and an NCSA line carries its offset, so both are taken
//! to the report's zone (a fixed `--utc-offset`, or `--tz`/`--local` with daylight
//! saving), under the local day and clock hour, with the offset in force. An IIS native
//! line has none: IIS writes it in the server's local time, and iislog takes that local
//! time to be in the report's zone (UTC when none is given), so a native line lands on
//! the day and hour it shows (a time the clocks skipped lands an hour on; one that came
//! twice, the first time). Run the report in the server's zone to line native logs up
//! with W3C ones.
//!
//! The zone costs a lookup when a line leaves the span of the last offset (twice a year),
//! not per line; W3C lines are placed once per minute.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use crate::collect::{
    bounded, class_of, ftp_command, kept_text, merge_seen, DayTally, ErrorKey, HourStats, Seen,
    TopPair,
};
use crate::days::{self, Clock, Day, DayRange, LocalHour, Zone};
use crate::format::request::{Request, Stamp};
use crate::format::w3c::Directive;
use crate::parse::chunk::ChunkSink;
use crate::parse::LineSink;
use crate::summary::httperr::ReasonKey;
use crate::tally::{Code, Codes, KeyHasher, SkipReason, Tally};

/// Settings shared by every piece of one file.
#[derive(Debug, Clone)]
pub struct CollectConfig {
    pub zone: Zone,
    /// Site of lines without `s-sitename`: `W3SVC1` from the folder, or `-`.
    pub default_site: String,
    /// Only these days are kept (all when `None`); other lines are still accounted.
    pub keep: Option<DayRange>,
    /// An FTP log: count commands, and the user names of failed logins (530).
    pub ftp: bool,
    /// An HTTPERR log: count requests by `s-reason` and, for 503s, `s-queuename`. Off
    /// for every other log, whose lines then cost one untaken branch.
    pub httperr: bool,
    /// The field the top client-IP lists read instead of `c-ip` (`X-Forwarded-For`).
    pub client_ip_field: Option<Box<str>>,
    /// How text that is not UTF-8 is decoded for display.
    pub codepage: Option<&'static encoding_rs::Encoding>,
    /// The `#Date` in force before the first line (UTC day, second), when reading resumes
    /// inside a block whose lines log only `time`.
    pub block_date: Option<(Day, i32)>,
}

impl CollectConfig {
    /// Days in `zone`, site from the folder, everything else off.
    pub fn new(zone: Zone, default_site: String) -> CollectConfig {
        CollectConfig {
            zone,
            default_site,
            keep: None,
            ftp: false,
            httperr: false,
            client_ip_field: None,
            codepage: None,
            block_date: None,
        }
    }
}

/// Day slot, site index and status triple: what a request is counted under.
type RunKey = (usize, u32, Codes);
/// Slots of `Collector::recent`.
const RECENT: usize = 16;

/// A pending count in `Collector::recent`: the key, and the same key packed into two
/// integers, which compare in two instructions where the triple takes a dozen branches.
#[derive(Debug, Clone, Copy)]
struct Pending {
    codes: u128,
    place: u64,
    key: RunKey,
    count: u64,
}

type SiteCodes = HashMap<(u32, Codes), u64, BuildHasherDefault<KeyHasher>>;
/// FTP command → (triple, count): a handful of each, looked up without allocating.
type FtpCommands = HashMap<Box<[u8]>, Vec<(Codes, u64)>, BuildHasherDefault<KeyHasher>>;
/// HTTPERR (status, reason, queue, count): a dozen reasons and a few pools, searched in
/// order without allocating; a new key is copied once.
type Reasons = Vec<(Code, Box<[u8]>, Box<[u8]>, u64)>;

#[derive(Debug, Clone)]
struct DayAcc {
    codes: SiteCodes,
    /// The clock hours seen, in the order seen (a day has at most 25).
    hours: Vec<(LocalHour, HourStats)>,
    /// Requests logged with a date but no time.
    no_hour: HourStats,
    top: BTreeMap<ErrorKey, TopPair>,
    ftp: FtpCommands,
    httperr: Reasons,
    /// First and last minute (UTC seconds) of each error triple.
    seen: BTreeMap<Codes, Seen>,
}

impl Default for DayAcc {
    fn default() -> DayAcc {
        DayAcc {
            codes: SiteCodes::default(),
            hours: Vec::with_capacity(24),
            no_hour: HourStats::default(),
            top: BTreeMap::new(),
            ftp: FtpCommands::default(),
            httperr: Reasons::new(),
            seen: BTreeMap::new(),
        }
    }
}

fn add_reason(list: &mut Reasons, status: Code, reason: &[u8], queue: &[u8], n: u64) {
    match list
        .iter_mut()
        .find(|(s, r, q, _)| *s == status && **r == *reason && **q == *queue)
    {
        Some((.., c)) => *c += n,
        None => list.push((status, reason.into(), queue.into(), n)),
    }
}

/// The reason and queue an HTTPERR request is counted under, as `summary` counts it
/// ([`crate::summary::httperr::HttpErrTally`]): `-` for a field not logged, and the
/// queue (the application pool) for 503s only.
#[cold]
#[inline(never)]
fn count_reason(list: &mut Reasons, request: &Request<'_>, status: Code) {
    let reason = request.field("s-reason").unwrap_or(b"-");
    let queue = if status == Code::Value(503) {
        request.field("s-queuename").unwrap_or(b"-")
    } else {
        b"-"
    };
    // Cut where they enter, as every kept value is (`MAX_VALUE`).
    add_reason(list, status, bounded(reason), bounded(queue), 1);
}

fn add_command(ftp: &mut FtpCommands, command: &[u8], codes: Codes, n: u64) {
    let list = match ftp.get_mut(command) {
        Some(l) => l,
        None => ftp.entry(command.into()).or_default(),
    };
    match list.iter_mut().find(|(k, _)| *k == codes) {
        Some((_, c)) => *c += n,
        None => list.push((codes, n)),
    }
}

/// The first address of a proxy's list (`203.0.113.7,+10.0.0.1`: IIS writes spaces as `+`).
#[inline]
fn first_address(value: &[u8]) -> &[u8] {
    let end = memchr::memchr(b',', value).unwrap_or(value.len());
    let mut v = &value[..end];
    while let [b'+' | b' ' | b'"', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b'+' | b' ' | b'"'] = v {
        v = rest;
    }
    v
}

/// What collecting one file (or piece) gave.
#[derive(Debug, Clone, Default)]
pub struct FileDays {
    /// The line account (its `codes` stay empty: they are per day below).
    pub tally: Tally,
    pub days: BTreeMap<Day, DayTally>,
    /// Requests whose `date`/`time` is missing or unreadable: in no day.
    pub undated: u64,
    /// Requests on days outside `keep`.
    pub outside: u64,
    /// A block did not log `--client-ip-field`: its client IPs are `c-ip`.
    pub ip_field_missing: bool,
    /// A block logged `--client-ip-field`.
    pub ip_field_found: bool,
    /// Lines that log only `time` with no `#Date` before them in what was scanned (also
    /// in `undated`): a reader that started inside a block should supply its `#Date`.
    pub dateless: u64,
    /// Lines that log only `time`, dated from their block's `#Date`.
    pub time_only: u64,
}

/// A `LineSink` for reports.
#[derive(Debug, Clone)]
pub struct Collector {
    cfg: Arc<CollectConfig>,
    tally: Tally,
    days: Vec<(Day, DayAcc)>,
    last: usize,
    /// Site names as logged, by index; 0 is the default site (from the folder).
    sites: Vec<Box<[u8]>>,
    /// Index of each name in `sites`. Names come from the log, so the map keeps std's
    /// keyed hasher: crafted names cannot pile into one bucket.
    site_ids: HashMap<Box<[u8]>, u32>,
    /// The site of the line before: most lines share it, and one compare beats a hash.
    last_site: u32,
    undated: u64,
    outside: u64,
    /// The `--client-ip-field` column of the block in force: `None` until a line of the
    /// block asks (found once per block), `Some(None)` when the block does not log it.
    ip_col: Option<Option<usize>>,
    ip_field_missing: bool,
    ip_field_found: bool,
    /// The last `#Date` seen (UTC day, second): the day of lines that log only `time`.
    block_date: Option<(Day, i32)>,
    /// Lines that log only `time` and came before any `#Date` this sink saw.
    dateless: u64,
    /// Lines that log only `time`, dated from the `#Date` in force.
    time_only: u64,
    /// Pending counts of recent (day slot, site, codes) keys, in a small direct-mapped
    /// table: most lines carry one of a handful of keys, and one compare costs less than
    /// a hash-map probe. A key that lands on another's slot sends that one's count to its
    /// day's map. Flushed before the maps are read or merged.
    recent: [Option<Pending>; RECENT],
    /// `YYYY-MM-DD HH:MM` of the last line in IIS's own layout, and where it went: lines
    /// come in time order, so most share the line before's minute, and its day, hour and
    /// keep test need no parsing. Kept only when one offset, of whole minutes, holds
    /// through the minute, so the second never moves a line to another hour.
    minute: [u8; 16],
    minute_place: Placed,
    /// The cached minute's start, in UTC seconds since 1970.
    minute_utc: i64,
    /// Takes UTC times to the zone's days and hours.
    clock: Clock,
}

/// Where the lines of the cached minute go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placed {
    Unknown,
    /// Outside `keep`.
    Outside,
    /// Day slot, and the hour's index in its `DayAcc::hours`.
    In(usize, usize),
}

impl Collector {
    pub fn new(cfg: Arc<CollectConfig>) -> Collector {
        let default_site: Box<[u8]> = cfg.default_site.as_bytes().into();
        let cfg_date = cfg.block_date;
        let clock = cfg.zone.clock();
        Collector {
            cfg,
            tally: Tally::default(),
            days: Vec::new(),
            last: 0,
            site_ids: HashMap::from([(default_site.clone(), 0)]),
            sites: vec![default_site],
            last_site: 0,
            undated: 0,
            outside: 0,
            ip_col: None,
            ip_field_missing: false,
            ip_field_found: false,
            block_date: cfg_date,
            dateless: 0,
            time_only: 0,
            recent: [None; RECENT],
            minute: [0; 16],
            minute_place: Placed::Unknown,
            minute_utc: 0,
            clock,
        }
    }

    /// Adds one pending count to its day's map.
    fn flush_key(&mut self, pending: Pending) {
        let (slot, site, codes) = pending.key;
        if let Some((_, acc)) = self.days.get_mut(slot) {
            *acc.codes.entry((site, codes)).or_insert(0) += pending.count;
        }
    }

    /// Adds every pending count to its day's map.
    fn flush_recent(&mut self) {
        for i in 0..RECENT {
            if let Some(pending) = self.recent[i].take() {
                self.flush_key(pending);
            }
        }
    }

    /// Counts one request under `key`.
    #[inline]
    fn count_key(&mut self, key: RunKey) {
        let (slot, site, codes) = key;
        let codes_packed = codes.packed();
        let place = (slot as u64) << 32 | u64::from(site);
        let mixed = (codes_packed as u64) ^ ((codes_packed >> 64) as u64).rotate_left(29) ^ place;
        let i = (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize % RECENT;
        match &mut self.recent[i] {
            // `place` holds the slot's low 32 bits (more days than that in one piece
            // is not a real log); the slot itself is compared too, so a match is exact.
            Some(p) if p.codes == codes_packed && p.place == place && p.key.0 == slot => {
                p.count += 1;
            }
            entry => {
                let new = Pending {
                    codes: codes_packed,
                    place,
                    key,
                    count: 1,
                };
                if let Some(evicted) = entry.replace(new) {
                    self.flush_key(evicted);
                }
            }
        }
    }

    pub fn finish(mut self) -> FileDays {
        self.flush_recent();
        let mut days = BTreeMap::new();
        for (day, acc) in self.days {
            let mut t = DayTally {
                hours: acc.hours.into_iter().collect(),
                no_hour: acc.no_hour,
                top: acc.top,
                seen: acc.seen,
                ..DayTally::default()
            };
            for (command, list) in acc.ftp {
                let command = kept_text(&command, None).into_owned();
                for (codes, n) in list {
                    *t.ftp_commands.entry((command.clone(), codes)).or_insert(0) += n;
                }
            }
            for ((site, codes), n) in acc.codes {
                let site = self
                    .sites
                    .get(site as usize)
                    .map_or(Cow::Borrowed("-"), |s| kept_text(s, None));
                *t.codes.entry((site.into_owned(), codes)).or_insert(0) += n;
            }
            for (status, reason, queue, n) in acc.httperr {
                let key = ReasonKey {
                    status,
                    reason: kept_text(&reason, None).into_owned(),
                    queue: kept_text(&queue, None).into_owned(),
                };
                *t.httperr.entry(key).or_insert(0) += n;
            }
            t.bound_sites();
            days.insert(day, t);
        }
        FileDays {
            tally: self.tally,
            days,
            undated: self.undated,
            outside: self.outside,
            ip_field_missing: self.ip_field_missing,
            ip_field_found: self.ip_field_found,
            dateless: self.dateless,
            time_only: self.time_only,
        }
    }

    /// The UTC day and second of a line that logs `time` but no `date`, from the block's
    /// `#Date` ([`days::block_day`]); `None` (undated) without a `#Date`.
    #[cold]
    #[inline(never)]
    fn day_from_block(&mut self, second: i32) -> Option<(Day, i32)> {
        let Some(block) = self.block_date else {
            self.dateless += 1;
            return None;
        };
        self.time_only += 1;
        Some((days::block_day(block, second), second))
    }

    /// The client IP of a request: the `--client-ip-field` (its first address) when the
    /// W3C block logs it and the line has a value, else `c-ip`.
    #[inline]
    fn client_ip<'l>(&mut self, request: &Request<'l>) -> Option<&'l [u8]> {
        if let (Some(name), Some(map)) = (self.cfg.client_ip_field.as_deref(), request.fields()) {
            let col = match self.ip_col {
                Some(c) => c,
                None => {
                    let c = map
                        .index_of(name)
                        .or_else(|| map.index_of(&format!("cs({name})")));
                    self.ip_field_missing |= c.is_none();
                    self.ip_field_found |= c.is_some();
                    self.ip_col = Some(c);
                    c
                }
            };
            if let Some(v) = col.and_then(|i| request.column(i)).map(first_address) {
                if !v.is_empty() && v != b"-" {
                    return Some(v);
                }
            }
        }
        request.client_ip()
    }

    /// The URI and client IP of an error; both in one pass when the IP is `c-ip`.
    #[inline]
    fn error_columns<'l>(&mut self, request: &Request<'l>) -> (Option<&'l [u8]>, Option<&'l [u8]>) {
        if self.cfg.client_ip_field.is_some() {
            return (request.uri_stem(), self.client_ip(request));
        }
        request.uri_stem_and_client_ip()
    }

    #[inline]
    fn day_slot(&mut self, day: Day) -> &mut DayAcc {
        if self.days.get(self.last).is_none_or(|(d, _)| *d != day) {
            self.last = match self.days.iter().position(|(d, _)| *d == day) {
                Some(i) => i,
                None => {
                    self.days.push((day, DayAcc::default()));
                    self.days.len() - 1
                }
            };
        }
        &mut self.days[self.last].1
    }

    /// The index of `hour` in day slot `slot`'s hours, added when new.
    #[inline]
    fn hour_index(&mut self, slot: usize, hour: LocalHour) -> usize {
        let hours = &mut self.days[slot].1.hours;
        // Lines come in time order: most are in the hour last added.
        if let Some(i) = hours.len().checked_sub(1).filter(|&i| hours[i].0 == hour) {
            return i;
        }
        match hours.iter().position(|(k, _)| *k == hour) {
            Some(i) => i,
            None => {
                hours.push((hour, HourStats::default()));
                hours.len() - 1
            }
        }
    }

    #[inline]
    fn site_index(&mut self, name: &[u8]) -> u32 {
        if name == b"-" || name.is_empty() {
            return 0;
        }
        // Cut where it enters: a name past `MAX_VALUE` is known by its first bytes, and
        // shown cut (`finish`).
        let name = bounded(name);
        if self
            .sites
            .get(self.last_site as usize)
            .is_some_and(|s| **s == *name)
        {
            return self.last_site;
        }
        let id = match self.site_ids.get(name) {
            Some(&id) => id,
            None => {
                let id = self.sites.len() as u32;
                self.sites.push(name.into());
                self.site_ids.insert(name.into(), id);
                id
            }
        };
        self.last_site = id;
        id
    }
}

/// The hour index of a request logged with a date but no time.
const NO_HOUR: usize = usize::MAX;

impl Collector {
    /// A request logged with a date and no time: on that date as logged (there is no
    /// time to take to the zone), in no hour.
    #[cold]
    #[inline(never)]
    fn add_without_hour(&mut self, day: Day, request: &Request<'_>) {
        if self.cfg.keep.is_some_and(|r| !r.contains(day)) {
            self.outside += 1;
            return;
        }
        self.day_slot(day);
        let slot = self.last;
        self.add(slot, NO_HOUR, request, None);
    }

    /// Files a dated request of day slot `slot` under its hour (index `hour` in the
    /// slot's hours; [`NO_HOUR`]: none), site and codes; `minute` is the start of its
    /// minute in UTC seconds, when it logs a time.
    #[inline]
    fn add(&mut self, slot: usize, hour: usize, request: &Request<'_>, minute: Option<i64>) {
        let codes = request.codes();
        let site = match request.site() {
            Some(name) => self.site_index(name),
            None => 0,
        };
        let ms = request.time_taken();
        let error = match codes.status {
            Code::Value(s @ 400..=599) => Some(s),
            _ => None,
        };
        let (uri, ip) = match error {
            Some(_) => {
                let (uri, ip) = self.error_columns(request);
                (listed(request, uri), listed(request, ip))
            }
            None => (None, None),
        };
        let (command, user) = if self.cfg.ftp {
            (
                // Cut where it enters: the command is a key of the day's map.
                request.method().map(|m| bounded(ftp_command(m))),
                request.user().filter(|_| error == Some(530)),
            )
        } else {
            (None, None)
        };
        let cp = self.cfg.codepage;
        self.count_key((slot, site, codes));
        let acc = &mut self.days[slot].1;
        if let Some(c) = command {
            add_command(&mut acc.ftp, c, codes, 1);
        }
        if self.cfg.httperr {
            count_reason(&mut acc.httperr, request, codes.status);
        }
        let h = match acc.hours.get_mut(hour) {
            Some((_, h)) => h,
            None => &mut acc.no_hour,
        };
        h.classes[class_of(codes.status)] += 1;
        if let Some(ms) = ms {
            h.add_time(ms);
        }
        if let Some(s) = error {
            if let Some(at) = minute {
                merge_seen(&mut acc.seen, codes, Seen::at(at));
            }
            let pair = acc.top.entry((s, codes.substatus)).or_default();
            if let Some(u) = uri {
                pair.uris.add_text(&kept_text(u, cp));
            }
            if let Some(ip) = ip {
                pair.ips.add(ip);
            }
            if let Some(u) = user {
                pair.users.add_text(&kept_text(u, cp));
            }
        }
    }
}

/// A value as the top lists take it. W3C values are kept as logged (an FTP 530's URI is
/// often `-`, and the lists have always shown it); the native and NCSA formats write
/// `-` or nothing for an empty field, which is left out.
#[inline]
fn listed<'l>(request: &Request<'l>, value: Option<&'l [u8]>) -> Option<&'l [u8]> {
    value.filter(|v| request.fields().is_some() || (!v.is_empty() && *v != b"-"))
}

impl LineSink for Collector {
    #[inline]
    fn request(&mut self, request: &Request<'_>) {
        self.tally.acct.requests += 1;
        let minute = request.minute_key();
        if let Some(m) = minute {
            if self.minute_place != Placed::Unknown && m == self.minute {
                match self.minute_place {
                    Placed::In(slot, hour) => {
                        return self.add(slot, hour, request, Some(self.minute_utc))
                    }
                    _ => {
                        self.outside += 1;
                        return;
                    }
                }
            }
        }
        let (local, utc) = match request.stamp() {
            Stamp::Utc(utc_day, second) => (
                self.clock.local(utc_day, second),
                days::utc_seconds(utc_day, second),
            ),
            // The server's local time, taken to be in the report's zone.
            Stamp::Local(day, second) => {
                let local = self.clock.local_of_local(day, second);
                let utc = days::utc_seconds(day, second) - i64::from(local.hour.offset);
                (local, utc)
            }
            Stamp::TimeOnly(second) => match self.day_from_block(second) {
                Some((utc_day, second)) => (
                    self.clock.local(utc_day, second),
                    days::utc_seconds(utc_day, second),
                ),
                None => {
                    self.undated += 1;
                    return;
                }
            },
            Stamp::DateOnly(day) => return self.add_without_hour(day, request),
            Stamp::Unknown => {
                self.undated += 1;
                return;
            }
        };
        let day = local.day;
        let minute_utc = utc - utc.rem_euclid(60);
        let cacheable = minute.is_some() && local.whole_minute;
        if let (Some(m), true) = (minute, cacheable) {
            self.minute.copy_from_slice(m);
            self.minute_utc = minute_utc;
        }
        if self.cfg.keep.is_some_and(|r| !r.contains(day)) {
            if cacheable {
                self.minute_place = Placed::Outside;
            }
            self.outside += 1;
            return;
        }
        self.day_slot(day);
        let slot = self.last;
        let hour = self.hour_index(slot, local.hour);
        if cacheable {
            self.minute_place = Placed::In(slot, hour);
        }
        self.add(slot, hour, request, Some(minute_utc));
    }
    #[inline]
    fn directive(&mut self, directive: Directive<'_>) {
        self.tally.acct.directives += 1;
        match directive {
            Directive::Fields(_) => self.ip_col = None,
            Directive::Date(value) => {
                if let Some(d) = days::parse_directive_date(value) {
                    self.block_date = Some(d);
                }
            }
            _ => {}
        }
    }
    #[inline]
    fn blank(&mut self) {
        self.tally.acct.blank += 1;
    }
    #[inline]
    fn skip(&mut self, reason: SkipReason, line_no: u64) {
        self.tally.skip(reason, line_no);
    }
}

impl ChunkSink for Collector {
    /// Carries the `#Date` in force: a stream's next block continues this one's.
    fn fresh(&self) -> Collector {
        Collector {
            block_date: self.block_date,
            ..Collector::new(self.cfg.clone())
        }
    }
    fn tally_mut(&mut self) -> &mut Tally {
        &mut self.tally
    }
    fn absorb(&mut self, mut other: Collector, line_offset: u64) {
        self.flush_recent();
        other.flush_recent();
        self.tally.merge_shifted(other.tally, line_offset);
        self.undated += other.undated;
        self.outside += other.outside;
        self.ip_field_missing |= other.ip_field_missing;
        self.ip_field_found |= other.ip_field_found;
        self.dateless += other.dateless;
        self.time_only += other.time_only;
        if other.block_date.is_some() {
            self.block_date = other.block_date;
        }
        let remap: Vec<u32> = other.sites.iter().map(|s| self.site_index(s)).collect();
        // Index 0 is the default site on both sides.
        for (day, acc) in other.days {
            let mine = self.day_slot(day);
            for ((site, codes), n) in acc.codes {
                let site = if site == 0 {
                    0
                } else {
                    remap.get(site as usize).copied().unwrap_or(0)
                };
                *mine.codes.entry((site, codes)).or_insert(0) += n;
            }
            for (k, h) in &acc.hours {
                match mine.hours.iter_mut().find(|(m, _)| m == k) {
                    Some((_, mh)) => mh.merge(h),
                    None => mine.hours.push((*k, h.clone())),
                }
            }
            mine.no_hour.merge(&acc.no_hour);
            for (k, pair) in acc.top {
                mine.top.entry(k).or_default().merge(pair);
            }
            for (command, list) in acc.ftp {
                for (codes, n) in list {
                    add_command(&mut mine.ftp, &command, codes, n);
                }
            }
            for (status, reason, queue, n) in acc.httperr {
                add_reason(&mut mine.httperr, status, &reason, &queue, n);
            }
            for (codes, seen) in acc.seen {
                merge_seen(&mut mine.seen, codes, seen);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::days::{day_of, UtcOffset};
    use crate::parse::chunk::scan_bytes;
    use crate::parse::Header;

    const LOG: &str = "#Fields: date time s-sitename cs-uri-stem c-ip sc-status sc-substatus sc-win32-status time-taken\r\n\
2026-11-23 23:59:59 Default /a 10.0.0.1 200 0 0 15\r\n\
2026-11-23 23:59:59 Shop /x 10.0.0.2 500 19 13 300\r\n\
2026-11-24 00:00:01 - /x 10.0.0.2 500 19 13 -\r\n\
nodate 00:00:01 - /x 10.0.0.2 200 0 0 5\r\n";

    fn collect(offset: &str, chunk: usize) -> FileDays {
        let cfg = Arc::new(CollectConfig::new(zone(offset), "W3SVC1".into()));
        scan_bytes(
            LOG.as_bytes(),
            &Header::None,
            chunk,
            &|_| {},
            &Collector::new(cfg),
        )
        .0
        .finish()
    }

    /// A fixed offset (`+09:00`, `Z`) or an IANA zone.
    fn zone(name: &str) -> Zone {
        match UtcOffset::parse(name) {
            Ok(o) => Zone::fixed(o),
            Err(_) => Zone::named(name).unwrap(),
        }
    }

    /// The requests of clock hour `hour` of a day (at any offset).
    fn at(t: &DayTally, hour: u8) -> HourStats {
        let mut out = HourStats::default();
        for (k, h) in &t.hours {
            if k.hour == hour {
                out.merge(h);
            }
        }
        out
    }

    fn day(s: &str) -> Day {
        day_of(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    /// The first and last minute of each error triple, at every chunk size and in a
    /// zone: the 500.19s of LOG are at 23:59:59 on the 23rd and 00:00:01 on the 24th
    /// (UTC), one a day; at +01:00 both are on the 24th, 00:59 and 01:00 local.
    #[test]
    fn errors_are_seen_in_their_first_and_last_minute() {
        let e500 = Codes {
            status: Code::Value(500),
            substatus: Code::Value(19),
            win32: Code::Value(13),
        };
        // UTC seconds of 2026-11-23 23:59:00 and 2026-11-24 00:00:00.
        let m2359 = i64::from(day("2026-11-23")) * 86_400 + 23 * 3600 + 59 * 60;
        let m0000 = i64::from(day("2026-11-24")) * 86_400;
        for chunk in [1, 7, 60, usize::MAX] {
            let fd = collect("Z", chunk);
            assert_eq!(fd.days[&day("2026-11-23")].seen[&e500], Seen::at(m2359));
            assert_eq!(fd.days[&day("2026-11-24")].seen[&e500], Seen::at(m0000));
            // 200s are not errors: no span.
            assert_eq!(fd.days[&day("2026-11-23")].seen.len(), 1);
            let fd = collect("+01:00", chunk);
            let both = Seen {
                first: m2359,
                last: m0000,
            };
            assert_eq!(fd.days[&day("2026-11-24")].seen[&e500], both, "{chunk}");
        }
    }

    #[test]
    fn days_sites_hours_and_errors() {
        for chunk in [1, 7, 60, usize::MAX] {
            let f = collect("Z", chunk);
            assert_eq!(f.tally.acct.requests, 4);
            assert_eq!(f.undated, 1);
            let d23 = &f.days[&day("2026-11-23")];
            assert_eq!(d23.requests(), 2);
            let sites: Vec<&str> = d23.codes.keys().map(|(s, _)| s.as_str()).collect();
            assert_eq!(sites, vec!["Default", "Shop"]);
            assert_eq!(at(d23, 23).classes[5], 1);
            assert_eq!(at(d23, 23).tt_sum, 315);
            let d24 = &f.days[&day("2026-11-24")];
            assert_eq!(d24.codes.keys().next().unwrap().0, "W3SVC1");
            assert_eq!(at(d24, 0).tt_count, 0);
            let mut top = d23.top[&(500, Code::Value(19))].clone();
            top.uris
                .merge(d24.top[&(500, Code::Value(19))].uris.clone());
            assert_eq!(top.uris.sorted()[0].count, 2, "chunk {chunk}");
        }
    }

    /// Many keys interleaved (more than the pending table holds, over days and sites):
    /// every request is counted once under its own day, site and triple, in any pieces.
    #[test]
    fn interleaved_keys_are_counted_exactly() {
        let mut log =
            String::from("#Fields: date time s-sitename sc-status sc-substatus sc-win32-status\n");
        type Key = (String, String, (u32, u32, u32));
        let mut want: BTreeMap<Key, u64> = BTreeMap::new();
        let mut x = 7u64;
        for i in 0..5000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let day = format!("2026-11-{}", 21 + i * 3 / 5000);
            let site = ["A", "B", "-"][(x % 3) as usize];
            let codes = (
                200 + (x >> 8) % 7 * 50,
                ((x >> 16) % 5) as u32,
                ((x >> 24) % 3) as u32,
            );
            let codes = (codes.0 as u32, codes.1, codes.2);
            log.push_str(&format!(
                "{day} 12:00:00 {site} {} {} {}\n",
                codes.0, codes.1, codes.2
            ));
            let site = if site == "-" { "W3SVC1" } else { site };
            *want.entry((day, site.to_string(), codes)).or_default() += 1;
        }
        let cfg = Arc::new(CollectConfig::new(Zone::default(), "W3SVC1".into()));
        for chunk in [usize::MAX, 4096, 333] {
            let f = scan_bytes(
                log.as_bytes(),
                &Header::None,
                chunk,
                &|_| {},
                &Collector::new(cfg.clone()),
            )
            .0
            .finish();
            let mut got = BTreeMap::new();
            for (day, t) in &f.days {
                let day = crate::history::day_name(*day);
                for ((site, c), n) in &t.codes {
                    let v = |c: Code| c.value().unwrap();
                    got.insert(
                        (
                            day.clone(),
                            site.clone(),
                            (v(c.status), v(c.substatus), v(c.win32)),
                        ),
                        *n,
                    );
                }
            }
            assert_eq!(got, want, "chunk {chunk}");
        }
    }

    /// HTTPERR lines by day, status, reason and queue, worked out by hand: the queue is
    /// kept for 503s only, a block without `s-reason` counts under `-`, and every piece
    /// size agrees. A config that is not HTTPERR's counts no reason at all.
    #[test]
    fn httperr_reasons_by_day_at_every_chunk_size() {
        let log = b"#Software: Microsoft HTTP API 2.0\r\n#Fields: date time c-ip sc-status s-reason s-queuename\r\n\
2026-11-23 23:59:58 10.0.0.9 503 QueueFull Pool1\r\n\
2026-11-23 23:59:59 10.0.0.9 503 QueueFull Pool1\r\n\
2026-11-24 00:00:01 10.0.0.9 - Timer_ConnectionIdle -\r\n\
2026-11-24 00:00:02 10.0.0.9 - Connection_Dropped Pool2\r\n\
2026-11-24 00:00:03 10.0.0.9 503 AppOffline Pool2\r\n\
#Fields: date time sc-status\r\n\
2026-11-24 00:00:04 400\r\n";
        let key = |status: Code, reason: &str, queue: &str| ReasonKey {
            status,
            reason: reason.into(),
            queue: queue.into(),
        };
        let want23 = vec![(key(Code::Value(503), "QueueFull", "Pool1"), 2)];
        let want24 = vec![
            (key(Code::Value(400), "-", "-"), 1),
            (key(Code::Value(503), "AppOffline", "Pool2"), 1),
            (key(Code::Empty, "Connection_Dropped", "-"), 1),
            (key(Code::Empty, "Timer_ConnectionIdle", "-"), 1),
        ];
        for httperr in [true, false] {
            let cfg = Arc::new(CollectConfig {
                httperr,
                ..CollectConfig::new(Zone::default(), "-".into())
            });
            for chunk in 1..=log.len() {
                let f = scan_bytes(
                    log,
                    &Header::None,
                    chunk,
                    &|_| {},
                    &Collector::new(cfg.clone()),
                )
                .0
                .finish();
                assert_eq!(f.tally.acct.requests, 6);
                let got = |d: &str| -> Vec<(ReasonKey, u64)> {
                    f.days[&day(d)].httperr.clone().into_iter().collect()
                };
                if httperr {
                    assert_eq!(got("2026-11-23"), want23, "chunk {chunk}");
                    assert_eq!(got("2026-11-24"), want24, "chunk {chunk}");
                } else {
                    assert!(got("2026-11-23").is_empty() && got("2026-11-24").is_empty());
                }
                assert_eq!(f.days[&day("2026-11-24")].requests(), 4);
            }
        }
    }

    /// An HTTPERR reason or queue past `MAX_VALUE` bytes is kept cut, marked, as every
    /// kept value is: one hostile line cannot put megabytes into the history.
    #[test]
    fn long_httperr_values_are_cut() {
        let long = "R".repeat(10_000);
        let log = format!(
            "#Fields: date time sc-status s-reason s-queuename\n2026-11-23 00:00:00 503 {long} {long}\n2026-11-23 00:00:01 503 {long}x {long}\n"
        );
        let cfg = Arc::new(CollectConfig {
            httperr: true,
            ..CollectConfig::new(Zone::default(), "-".into())
        });
        let f = scan_bytes(
            log.as_bytes(),
            &Header::None,
            usize::MAX,
            &|_| {},
            &Collector::new(cfg),
        )
        .0
        .finish();
        let reasons: Vec<(ReasonKey, u64)> = f.days[&day("2026-11-23")]
            .httperr
            .clone()
            .into_iter()
            .collect();
        // The two differ past the cut: one value, counted twice.
        assert_eq!(reasons.len(), 1);
        let (key, n) = &reasons[0];
        assert_eq!(*n, 2);
        for v in [&key.reason, &key.queue] {
            assert!(v.len() <= crate::collect::MAX_VALUE + crate::collect::CUT_MARK.len());
            assert!(
                v.ends_with(crate::collect::CUT_MARK),
                "{}",
                &v[v.len() - 20..]
            );
        }
    }

    #[test]
    fn offset_moves_lines_to_the_next_day() {
        let f = collect("+09:00", usize::MAX);
        assert_eq!(f.days.len(), 1);
        let d = &f.days[&day("2026-11-24")];
        assert_eq!(d.requests(), 3);
        assert_eq!(at(d, 8).requests(), 2);
        assert_eq!(at(d, 9).requests(), 1);
    }

    #[test]
    fn lines_with_only_a_time_take_the_block_date() {
        let log = "09:00:00 /early 404\r\n#Date: 2026-11-23 22:00:00\r\n#Fields: time cs-uri-stem sc-status\r\n\
22:00:00 /a 200\r\n23:59:59 /b 404\r\n00:00:01 /c 500\r\n";
        let cfg = Arc::new(CollectConfig::new(Zone::default(), "-".into()));
        let f = scan_bytes(
            log.as_bytes(),
            &Header::None,
            usize::MAX,
            &|_| {},
            &Collector::new(cfg),
        )
        .0
        .finish();
        assert_eq!((f.time_only, f.dateless, f.undated), (3, 0, 0));
        assert_eq!(f.days[&day("2026-11-23")].requests(), 2);
        assert_eq!(at(&f.days[&day("2026-11-24")], 0).requests(), 1);
    }

    /// Lines with a `date` and no `time` are on their date (at any offset: there is no
    /// time to shift), in no hour; a bad date is still undated.
    #[test]
    fn lines_with_only_a_date_are_on_their_day_in_no_hour() {
        let log = "#Fields: date cs-uri-stem sc-status time-taken\r\n\
2026-11-23 /a 200 10\r\n2026-11-23 /b 404 30\r\n2026-11-24 /c 500 -\r\nbad /d 200 1\r\n";
        for offset in ["Z", "+09:00", "-05:00", "Europe/Oslo"] {
            for chunk in [1, 20, usize::MAX] {
                let cfg = Arc::new(CollectConfig::new(zone(offset), "W3SVC1".into()));
                let f = scan_bytes(
                    log.as_bytes(),
                    &Header::None,
                    chunk,
                    &|_| {},
                    &Collector::new(cfg),
                )
                .0
                .finish();
                assert_eq!(
                    (f.tally.acct.requests, f.undated),
                    (4, 1),
                    "{offset} {chunk}"
                );
                let d23 = &f.days[&day("2026-11-23")];
                assert_eq!(d23.requests(), 2);
                assert_eq!(d23.no_hour.classes, [0, 0, 1, 0, 1, 0]);
                assert_eq!((d23.no_hour.tt_count, d23.no_hour.tt_sum), (2, 40));
                assert!(d23.hours.is_empty());
                assert_eq!(d23.top[&(404, Code::NotLogged)].uris.sorted()[0].count, 1);
                let d24 = &f.days[&day("2026-11-24")];
                assert_eq!(d24.no_hour.classes[5], 1);
            }
        }
    }

    fn collect_plain(log: &[u8], format: crate::format::LineFormat, offset: &str) -> FileDays {
        let cfg = Arc::new(CollectConfig::new(zone(offset), "W3SVC5".into()));
        crate::parse::plain::scan_plain_bytes(
            log,
            format,
            usize::MAX,
            &|_| {},
            &Collector::new(cfg),
        )
        .finish()
    }

    /// An NCSA time carries its offset: to UTC, then to the report's offset; its URI is
    /// the path without the query.
    #[test]
    fn ncsa_times_go_to_utc_then_to_the_report_offset() {
        use crate::format::LineFormat;
        let log = b"10.0.0.1 - - [23/Nov/2026:00:30:00 +0100] \"GET /a?x=1 HTTP/1.1\" 404 5\n";
        let f = collect_plain(log, LineFormat::Ncsa, "Z");
        let t = &f.days[&day("2026-11-22")];
        assert_eq!(at(t, 23).classes[4], 1);
        let top = &t.top[&(404, Code::NotLogged)];
        assert_eq!(&*top.uris.sorted()[0].value, "/a");
        assert_eq!(&*top.ips.sorted()[0].value, "10.0.0.1");
        assert_eq!(t.codes.keys().next().unwrap().0, "W3SVC5");
        let f = collect_plain(log, LineFormat::Ncsa, "+01:00");
        assert_eq!(at(&f.days[&day("2026-11-23")], 0).requests(), 1);
    }

    /// A native line has no offset: it lands on the day and hour it shows, at any offset.
    #[test]
    fn native_times_are_taken_at_the_report_offset() {
        use crate::format::LineFormat;
        let log = b"10.0.0.1, -, 11/23/26, 8:00:00, W3SVC1, WEB, 10.0.0.5, 40, 2, 3, 500, 0, GET, /a, -,\r\n";
        for offset in ["Z", "+09:00", "-05:00"] {
            let f = collect_plain(log, LineFormat::Native, offset);
            let t = &f.days[&day("2026-11-23")];
            assert_eq!(at(t, 8).requests(), 1, "{offset}");
            assert_eq!(at(t, 8).tt_sum, 40);
            assert_eq!(f.tally.acct.requests, 1);
        }
    }
}
