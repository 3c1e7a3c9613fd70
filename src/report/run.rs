//! `iislog report` and `iislog merge`: stateless (read the files that may hold the asked
//! days), or incremental with a history (read only what was appended since the last run,
//! commit it in one transaction, then write the reports from the database).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::catalogue::Lang;
use crate::collect::collector::{CollectConfig, Collector, FileDays};
use crate::collect::{DayLines, ReportDay};
use crate::days::{day_text, may_hold, name_order, name_span, Day, DayRange, UtcOffset, Zone};
use crate::error::{Error, Problem};
use crate::format::w3c::FieldMap;
use crate::format::LineFormat;
use crate::history::{fnv1a, Baseline, DayCounts, FileDay, HistoryError, Store, Tx, HEAD_LEN};
use crate::input::archive::{self, ArchiveError, Member};
use crate::input::discover::{self, LogFile};
use crate::input::source;
use crate::parse::chunk::{self, scan_bytes};
use crate::parse::plain::scan_plain_bytes;
use crate::parse::{stream, Header};
use crate::progress::Progress;
use crate::report::alert::{self, Rule, Tripped};
use crate::report::{empty, write};
use crate::service::Service;
use crate::summary::FileSummary;
use crate::tally::{Accounting, Example};

/// What `report` is asked to do.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    /// The days to report; `None` with a history: every day this run touched.
    pub range: Option<DayRange>,
    /// The zone of the days and hours: a fixed offset, or an IANA zone.
    pub zone: Zone,
    /// Move a history kept at a fixed offset to `zone` (once; `--move-to-zone`).
    pub move_to_zone: bool,
    pub db: Option<PathBuf>,
    pub rules: Vec<Rule>,
    pub lang: Lang,
    /// How long to wait for another run holding the history.
    pub wait: Duration,
    /// The field the top client-IP lists read instead of `c-ip` (`X-Forwarded-For`).
    pub client_ip_field: Option<String>,
    /// How text that is not UTF-8 is decoded for display (`--codepage`).
    pub codepage: Option<&'static encoding_rs::Encoding>,
    /// The day in progress at the report's offset. `requests<` rules judge whole days,
    /// so only the days before it; a history run asked no days also checks the day
    /// before it (yesterday), so that logs that stopped arriving are noticed.
    pub today: Day,
}

/// Why a report run failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Input(#[from] Error),
    #[error(transparent)]
    History(#[from] HistoryError),
    // The cause, which names the file, follows in the error's chain.
    #[error("could not write the report for {day}")]
    Write {
        day: String,
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

/// What a report run did.
#[derive(Debug, Default)]
pub struct ReportOutcome {
    pub files_read: usize,
    pub bytes_read: u64,
    /// Requests read by this run, on any day or none.
    pub requests: u64,
    /// The line account of what this run read, all files together.
    pub acct: Accounting,
    /// Per file read that skipped lines: its line account, and its first skipped lines
    /// by reason (numbered from the file's start, also when only its new lines were read).
    pub files: Vec<FileSummary>,
    /// Requests on the asked days, as their reports hold them.
    pub asked_requests: u64,
    /// Requests this run read that are on days not asked.
    pub outside: u64,
    /// Requests this run read with no readable date: on no day.
    pub undated: u64,
    /// Some block logged `--client-ip-field`.
    pub ip_field_found: bool,
    pub days_written: Vec<(Day, PathBuf)>,
    pub tripped: Vec<Tripped>,
    pub problems: Vec<Problem>,
    /// Inputs read with something to tell (an archive whose logs share their data).
    pub notes: Vec<Problem>,
    /// Files with a block that does not log `--client-ip-field` (`c-ip` was used there).
    pub ip_field_missing: Vec<PathBuf>,
    /// Files named on the command line that nothing marks as a log, and that gave no
    /// request.
    pub not_logs: Vec<PathBuf>,
    /// Logs found but not in the report, each with the reason.
    pub passed: Passed,
    /// Asked days no log holds a line for, as runs of days: no CSVs were written for them.
    pub empty: Vec<DayRange>,
    /// The folder written for the one asked day when no log holds a line for it: only
    /// its report.html, which says so.
    pub empty_page: Option<PathBuf>,
    /// The fixed offset the history kept before this run moved it to the zone.
    pub moved_from: Option<String>,
    pub elapsed: Duration,
}

fn default_site(file: &LogFile) -> String {
    match (file.service, file.site) {
        (Service::Http, Some(n)) => format!("W3SVC{n}"),
        (Service::Ftp, Some(n)) => format!("FTPSVC{n}"),
        (Service::Smtp, Some(n)) => format!("SMTPSVC{n}"),
        _ => "-".to_string(),
    }
}

/// How one file is collected.
fn collect_config(opts: &ReportOptions, file: &LogFile) -> CollectConfig {
    CollectConfig {
        ftp: file.service == Service::Ftp,
        httperr: file.service == Service::HttpErr,
        client_ip_field: opts.client_ip_field.as_deref().map(Into::into),
        codepage: opts.codepage,
        ..CollectConfig::new(opts.zone.clone(), default_site(file))
    }
}

/// Logs found but left out of the report, each with the reason.
type Passed = Vec<(PathBuf, &'static str)>;

fn found(inputs: &[PathBuf]) -> Result<(discover::Discovery, Passed), ReportError> {
    let found = discover::discover_all(inputs);
    if found.files.is_empty() {
        return Err(Error::NothingToRead {
            inputs: inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            hint: found
                .problems
                .first()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default(),
        }
        .into());
    }
    Ok((found, Passed::new()))
}

/// Runs `report`; `progress` shows the bytes read (a hidden bar when not on a terminal).
pub fn report(opts: &ReportOptions, progress: &Progress) -> Result<ReportOutcome, ReportError> {
    // The catalogue is read only when the days are written; parsing it meanwhile on an
    // idle core takes its cost off an incremental run's few milliseconds.
    rayon::spawn(|| {
        crate::catalogue::Catalogue::builtin();
    });
    let outcome = match &opts.db {
        None => stateless(opts, progress),
        Some(db) => incremental(opts, db, progress),
    };
    progress.finish();
    outcome
}

fn stateless(opts: &ReportOptions, progress: &Progress) -> Result<ReportOutcome, ReportError> {
    let started = Instant::now();
    let range = opts.range.ok_or_else(|| {
        ReportError::Usage("without --db, give the days: --date, or --since/--until".into())
    })?;
    if let Some(r) = opts.rules.iter().find(|r| r.needs_history()) {
        return Err(ReportError::Usage(format!(
            "--fail-on {r} compares with the history: give --db FILE"
        )));
    }
    let (found, passed) = found(&opts.inputs)?;
    // A file named on the command line is read whatever the date in its name; in a
    // folder, a log whose name's date is far from the asked days cannot hold them.
    let files: Vec<&LogFile> = found
        .files
        .iter()
        .filter(|f| {
            is_named(opts, f)
                || f.path
                    .file_name()
                    .is_none_or(|n| may_hold(&n.to_string_lossy(), &range))
        })
        .collect();
    progress.set_length(files.iter().map(|f| f.len).sum());
    let results: Vec<(&LogFile, Result<FileDays, Problem>, u64)> = files
        .par_iter()
        .map(|f| {
            let cfg = Arc::new(CollectConfig {
                keep: Some(range),
                ..collect_config(opts, f)
            });
            if let Some(member) = &f.member {
                return match collect_member(member, f.format, cfg) {
                    Ok(fd) => {
                        let n = fd.tally.acct.bytes;
                        (*f, Ok(fd), n)
                    }
                    Err(e) => (
                        *f,
                        Err(Problem {
                            path: f.path.clone(),
                            message: e.to_string(),
                        }),
                        0,
                    ),
                };
            }
            match source::load(&f.path) {
                Ok(bytes) => {
                    let fd = collect_bytes(&bytes, f.format, &Header::None, cfg).0;
                    // A file that shrank under the map is reported, not counted.
                    match bytes.verify() {
                        Ok(()) => (*f, Ok(fd), bytes.len() as u64),
                        Err(e) => (*f, Err(Problem::io(&f.path, &e)), 0),
                    }
                }
                Err(e) => (*f, Err(Problem::io(&f.path, &e)), 0),
            }
        })
        .inspect(|(f, ..)| progress.inc(f.len))
        .collect();
    let mut out = ReportOutcome {
        problems: found.problems,
        notes: found.notes,
        passed,
        ..ReportOutcome::default()
    };
    // Only the days that hold lines: a range may span centuries.
    let mut days: BTreeMap<Day, ReportDay> = BTreeMap::new();
    // Per file: the days whose page counts its lines (those it has requests on, and
    // those its name gives), its account and its requests with no date.
    let mut lines_of: Vec<(BTreeSet<Day>, Accounting, u64)> = Vec::new();
    for (index, (file, r, bytes)) in results.into_iter().enumerate() {
        let service = file.service;
        match r {
            Ok(fd) => {
                if fd.ip_field_missing {
                    out.ip_field_missing.push(file.path.clone());
                }
                out.ip_field_found |= fd.ip_field_found;
                out.files_read += 1;
                out.bytes_read += bytes;
                out.requests += fd.tally.acct.requests;
                out.outside += fd.outside;
                out.undated += fd.undated;
                out.acct.merge(&fd.tally.acct);
                if fd.tally.acct.requests == 0 && found.not_logs.contains(&file.path) {
                    out.not_logs.push(file.path.clone());
                }
                let mut held: BTreeSet<Day> = fd.days.keys().copied().collect();
                if let Some(span) = span_of_name(&file.path) {
                    held.extend(span.days().filter(|d| range.contains(*d)));
                }
                lines_of.push((held, fd.tally.acct, fd.undated));
                // Kept for `--verbose` when lines were skipped.
                if fd.tally.acct.skipped_total() > 0 {
                    out.files.push(FileSummary {
                        path: file.path.clone(),
                        service,
                        acct: fd.tally.acct,
                        examples: fd.tally.examples,
                        index,
                    });
                }
                for (d, t) in fd.days {
                    if range.contains(d) {
                        days.entry(d)
                            .or_insert_with(|| ReportDay {
                                day: d,
                                zone: opts.zone.clone(),
                                ..ReportDay::default()
                            })
                            .parts
                            .entry((String::new(), service))
                            .or_default()
                            .merge(t);
                    }
                }
            }
            Err(p) => out.problems.push(p),
        }
    }
    for (held, acct, undated) in &lines_of {
        for d in held {
            if let Some(rd) = days.get_mut(d) {
                rd.lines
                    .get_or_insert_with(DayLines::default)
                    .add(acct, *undated);
            }
        }
    }
    for rd in days.values() {
        // Checked first: the day's page and alerts.csv show what tripped.
        let rules = rules_on(opts, rd.day);
        let verdicts = alert::day_verdicts(&rules, rd);
        let tripped = alert::check(&rules, rd.day, &counts_of(rd), &verdicts, None);
        let dir = write::write_day(&opts.out, rd, opts.lang, &tripped).map_err(|source| {
            ReportError::Write {
                day: day_text(rd.day),
                dir: opts.out.clone(),
                source,
            }
        })?;
        out.days_written.push((rd.day, dir));
        out.asked_requests += rd.requests();
        out.tripped.extend(tripped);
    }
    out.empty = empty::gaps(range, &days.keys().copied().collect());
    for gap in &out.empty {
        out.tripped.extend(check_gap(opts, *gap, None));
    }
    out.empty_page = no_lines_page(opts, &out.empty, Vec::new())?;
    out.tripped.sort_by_key(|t| t.day);
    out.elapsed = started.elapsed();
    Ok(out)
}

/// The rules checked on `day`: `requests<` rules judge whole days, so not the day in
/// progress (or a later one).
fn rules_on(opts: &ReportOptions, day: Day) -> Vec<Rule> {
    opts.rules
        .iter()
        .filter(|r| day < opts.today || !r.counts_requests())
        .cloned()
        .collect()
}

/// The rules tripped on a run of asked days no log holds a line for (the part of it
/// before the day in progress); `baseline` is the history before it.
fn check_gap(opts: &ReportOptions, gap: DayRange, baseline: Option<&Baseline>) -> Vec<Tripped> {
    let last = gap.last.min(opts.today - 1);
    if last < gap.first {
        return Vec::new();
    }
    alert::check_empty(&opts.rules, gap.first, last, baseline)
}

/// When one day was asked and no log holds a line for it: its folder with only a
/// report.html that says so (not when the folder exists: see `write_no_lines_day`).
fn no_lines_page(
    opts: &ReportOptions,
    empty: &[DayRange],
    trend: Vec<(Day, u64, u64, u64)>,
) -> Result<Option<PathBuf>, ReportError> {
    let day = match (opts.range, empty) {
        (Some(r), [gap]) if r.first == r.last && gap.first == r.first => r.first,
        _ => return Ok(None),
    };
    let rd = ReportDay {
        day,
        trend,
        zone: opts.zone.clone(),
        ..ReportDay::default()
    };
    write::write_no_lines_day(&opts.out, &rd, opts.lang).map_err(|source| ReportError::Write {
        day: day_text(day),
        dir: opts.out.clone(),
        source,
    })
}

/// Collects a whole archived log, as a stream.
fn collect_member(
    member: &Member,
    format: LineFormat,
    cfg: Arc<CollectConfig>,
) -> Result<FileDays, ArchiveError> {
    stream::scan_member(member, format, &Header::None, &Collector::new(cfg)).map(Collector::finish)
}

/// Largest piece for reports: pieces are merged in order on one thread at the end, and a
/// report piece's top lists cost far more to merge than a summary piece's tally, so
/// fewer, larger pieces than `summary`'s (still dozens per GB, enough to keep every
/// core busy).
const REPORT_CHUNK: usize = 4 * chunk::DEFAULT_CHUNK;

/// Smallest piece worth a thread hand-off and a merge.
const REPORT_CHUNK_MIN: usize = 256 * 1024;

/// The piece size for `len` bytes: one piece per core for a small read (an incremental
/// run's new megabyte is parsed on every core, not one), up to [`REPORT_CHUNK`].
fn report_chunk(len: usize) -> usize {
    len.div_ceil(rayon::current_num_threads().max(1))
        .clamp(REPORT_CHUNK_MIN, REPORT_CHUNK)
}

/// Collects a file's bytes, in parallel pieces. Lines that log only `time` take their
/// day from their block's `#Date`, which a piece that starts inside the block does not
/// see: a file with such lines and more than one piece is collected again in one piece.
fn collect_bytes(
    bytes: &[u8],
    format: LineFormat,
    header: &Header,
    cfg: Arc<CollectConfig>,
) -> (FileDays, Header) {
    let proto = Collector::new(cfg);
    let chunk = report_chunk(bytes.len());
    if format != LineFormat::W3c {
        // No header to carry, no `#Date`.
        let c = scan_plain_bytes(bytes, format, chunk, &|_| {}, &proto);
        return (c.finish(), header.clone());
    }
    let (c, h) = scan_bytes(bytes, header, chunk, &|_| {}, &proto);
    let fd = c.finish();
    if bytes.len() > chunk && fd.dateless + fd.time_only > 0 {
        let (c, h) = scan_bytes(bytes, header, usize::MAX, &|_| {}, &proto);
        return (c.finish(), h);
    }
    (fd, h)
}

/// The last `#Date` directive in `bytes` (UTC day, second): the one in force after them.
fn last_block_date(bytes: &[u8]) -> Option<(Day, i32)> {
    bytes.split(|&b| b == b'\n').rev().find_map(|l| {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        crate::days::parse_directive_date(l.strip_prefix(b"#Date:")?)
    })
}

/// Requests per service and triple of a report day.
pub fn counts_of(rd: &ReportDay) -> DayCounts {
    let mut c = DayCounts::new();
    for ((_, service), t) in &rd.parts {
        for (k, n) in t.triples() {
            *c.entry((*service, k)).or_insert(0) += n;
        }
    }
    c
}

/// What one file gave an incremental run.
struct Read {
    file: LogFile,
    /// Known to the history, and whether it must be read again from the start.
    known: Option<(i64, bool)>,
    /// The service its tallies go under: the history's for a known file.
    service: Service,
    /// Where this run started reading.
    start: u64,
    /// Lines before `start`: added to the line numbers of what this run read.
    line_base: u64,
    size: u64,
    head_len: u64,
    head_hash: String,
    end: u64,
    fields: Option<String>,
    days: FileDays,
}

fn header_from(fields: Option<&str>) -> Header {
    match fields {
        None => Header::None,
        Some("") => Header::Bad,
        Some(list) => match FieldMap::parse(list.as_bytes()) {
            Ok(m) => Header::Fields(m.into()),
            Err(_) => Header::Bad,
        },
    }
}

fn header_text(h: &Header) -> Option<String> {
    match h {
        Header::None => None,
        Header::Bad => Some(String::new()),
        Header::Fields(m) => Some(m.names().collect::<Vec<_>>().join(" ")),
    }
}

/// Reads what is new in one file, given what the history knows of it; a `finished` file
/// (see [`finished_files`]) is read to its end, a last line without a newline included.
fn read_new(
    file: &LogFile,
    state: Option<crate::history::FileState>,
    finished: bool,
    opts: &ReportOptions,
) -> Result<Read, Problem> {
    let io = |e: std::io::Error| Problem::io(&file.path, &e);
    if let Some(member) = &file.member {
        return read_member(file, member, state, opts);
    }
    // Identity first, from the first 4 KB only: an unchanged file is then read from its
    // offset on, without mapping (or faulting in) the part already counted.
    let (head, size) = read_range(&file.path, 0, HEAD_LEN as u64).map_err(io)?;
    let head_hash = format!("{:016x}", fnv1a(&head));
    let (known, start, fields, line_base) = match &state {
        None => (None, 0, None, 0),
        Some(s) => {
            let same_start = usize::try_from(s.head_len)
                .ok()
                .and_then(|n| head.get(..n))
                .is_some_and(|h| format!("{:016x}", fnv1a(h)) == s.head_hash);
            if size < s.offset || size < s.size || !same_start {
                (Some((s.id, true)), 0, None, 0)
            } else {
                (Some((s.id, false)), s.offset, s.fields.clone(), s.lines)
            }
        }
    };
    // From the offset on only: the part already counted is neither read nor mapped. The
    // size is the one at this open: the bytes end there.
    let (loaded, size) = source::load_from(&file.path, start).map_err(io)?;
    let bytes: &[u8] = &loaded;
    // Only complete lines: IIS may be in the middle of writing the last one. A file IIS
    // is done with is read to its end: a last line it left without a newline is counted
    // when it is whole (and skipped as truncated when not), else no run ever would.
    let rel_end = if finished {
        bytes.len()
    } else {
        memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1)
    };
    let end = start + rel_end as u64;
    let cfg = collect_config(opts, file);
    let (days, fields) = if file.format != LineFormat::W3c {
        // No header to carry: complete lines only, as for W3C.
        let days = collect_bytes(&bytes[..rel_end], file.format, &Header::None, Arc::new(cfg)).0;
        (days, None)
    } else {
        let resume = header_from(fields.as_deref());
        let (mut days, header) = collect_bytes(
            &bytes[..rel_end],
            file.format,
            &resume,
            Arc::new(cfg.clone()),
        );
        if days.dateless > 0 && start > 0 {
            // Lines that log only `time`, in a block whose `#Date` an earlier run read.
            let prefix = read_range(&file.path, 0, start).map_err(io)?.0;
            if let Some(date) = last_block_date(&prefix) {
                let cfg = Arc::new(CollectConfig {
                    block_date: Some(date),
                    ..cfg
                });
                days = collect_bytes(&bytes[..rel_end], file.format, &resume, cfg).0;
            }
        }
        let fields = if rel_end == 0 {
            fields
        } else {
            header_text(&header)
        };
        (days, fields)
    };
    // A file that shrank under the map is reported and not advanced in the history: the
    // next run finds it shorter than its offset and reads it again from the start.
    loaded.verify().map_err(io)?;
    Ok(Read {
        file: file.clone(),
        known,
        service: state.as_ref().map_or(file.service, |s| s.service),
        start,
        line_base,
        size,
        head_len: head.len() as u64,
        head_hash,
        end,
        fields,
        days,
    })
}

/// Reads an archived log, unless the history already holds it. A member is immutable:
/// it is known by its path (`archive!member`), its stored size and its identity from the
/// archive's own records (a zip member's CRC-32 and sizes from the central directory, a
/// `.gz`'s trailer), so an unchanged member is recognised without decompressing a byte;
/// when one of them changed, it is read again whole and its earlier tallies are replaced.
/// A member a history recorded by the hash of its first 4 KB (before identities) is
/// checked that way once, and its identity is then recorded.
fn read_member(
    file: &LogFile,
    member: &Member,
    state: Option<crate::history::FileState>,
    opts: &ReportOptions,
) -> Result<Read, Problem> {
    let problem = |e: ArchiveError| Problem {
        path: file.path.clone(),
        message: e.to_string(),
    };
    let size = file.len;
    let identity = member.identity();
    let read = |known, start, days| Read {
        file: file.clone(),
        known,
        service: state.as_ref().map_or(file.service, |s| s.service),
        start,
        line_base: 0,
        size,
        head_len: 0,
        head_hash: identity.to_string(),
        end: size,
        fields: None,
        days,
    };
    let unchanged = match &state {
        Some(s) if s.size == size && s.offset == size => {
            s.head_hash == identity
                || (!s.head_hash.contains(':') && {
                    let head = archive::member_head(member).map_err(problem)?;
                    format!("{:016x}", fnv1a(&head)) == s.head_hash
                })
        }
        _ => false,
    };
    match &state {
        Some(s) if unchanged => Ok(read(Some((s.id, false)), size, FileDays::default())),
        _ => {
            let cfg = Arc::new(collect_config(opts, file));
            let days = collect_member(member, file.format, cfg).map_err(problem)?;
            Ok(read(state.as_ref().map(|s| (s.id, true)), 0, days))
        }
    }
}

/// Reads up to `len` bytes from `start`, with the sharing IIS needs; also the file's size.
fn read_range(path: &Path, start: u64, len: u64) -> std::io::Result<(Vec<u8>, u64)> {
    use std::io::{Read as _, Seek, SeekFrom};
    let mut f = source::open_shared(path)?;
    let size = f.metadata()?.len();
    f.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::with_capacity(usize::try_from(len.min(size)).unwrap_or(0));
    f.take(len).read_to_end(&mut buf)?;
    Ok((buf, size))
}

fn now_text() -> String {
    chrono::Local::now()
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn incremental(
    opts: &ReportOptions,
    db: &Path,
    progress: &Progress,
) -> Result<ReportOutcome, ReportError> {
    let started = Instant::now();
    let (found, passed) = found(&opts.inputs)?;
    let mut store = Store::open(db, opts.wait)?;
    let path = store.path().to_path_buf();
    let now = now_text();
    let mut out = ReportOutcome {
        problems: found.problems,
        notes: found.notes,
        passed,
        ..ReportOutcome::default()
    };
    let mut touched: BTreeSet<Day> = BTreeSet::new();
    let mut earliest = EarliestDay::default();
    let asked: BTreeSet<Day>;
    let mut write_days: BTreeSet<Day>;
    let files: FileSpans;
    let mut first_written = None;
    let mut checkpointed = None;
    {
        let tx = store.begin()?;
        let q = Tx {
            tx: &tx,
            path: &path,
        };
        out.moved_from = q.check_zone(&opts.zone, opts.move_to_zone, &now)?;
        // Files are read a batch at a time (in parallel within it), and each batch is
        // stored before the next is read: a run holds the tallies of one batch, not of
        // every file (a first run over 100,000 small logs).
        progress.set_length(found.files.iter().map(|f| f.len).sum());
        let finished = finished_files(&found.files);
        // Requests this run read, per day.
        let mut read_on: BTreeMap<Day, u64> = BTreeMap::new();
        let mut index = 0;
        for (batch, finished) in found
            .files
            .chunks(READ_BATCH)
            .zip(finished.chunks(READ_BATCH))
        {
            let mut states = Vec::with_capacity(batch.len());
            for f in batch {
                states.push(q.file_state(&key_of(&f.path))?);
            }
            let reads: Vec<Result<Read, Problem>> = batch
                .par_iter()
                .zip(states)
                .zip(finished)
                .map(|((f, s), &finished)| {
                    let read = read_new(f, s, finished, opts);
                    progress.inc(f.len);
                    read
                })
                .collect();
            for r in reads {
                index += 1;
                let r = match r {
                    Ok(r) => r,
                    Err(p) => {
                        out.problems.push(p);
                        continue;
                    }
                };
                let key = key_of(&r.file.path);
                let id = match r.known {
                    None => {
                        let id = q.add_file(&key, r.file.service, &now)?;
                        if let Some(m) = &r.file.member {
                            let (archive, name) = m.parts();
                            q.set_member(id, &key_of(archive), &name)?;
                        }
                        id
                    }
                    Some((id, false)) => id,
                    Some((id, true)) => {
                        touched.extend(q.reset_file(id)?);
                        id
                    }
                };
                out.files_read += 1;
                if r.days.ip_field_missing {
                    out.ip_field_missing.push(r.file.path.clone());
                }
                out.ip_field_found |= r.days.ip_field_found;
                out.requests += r.days.tally.acct.requests;
                out.undated += r.days.undated;
                out.acct.merge(&r.days.tally.acct);
                if r.days.tally.acct.requests == 0 && found.not_logs.contains(&r.file.path) {
                    out.not_logs.push(r.file.path.clone());
                }
                for (day, t) in r.days.days {
                    touched.insert(day);
                    *read_on.entry(day).or_insert(0) += t.requests();
                    let holds = q.add_file_day(id, day, t)?;
                    earliest.keep(day, (id, r.service, holds));
                }
                out.bytes_read += r.end.saturating_sub(r.start);
                q.advance_file(
                    id,
                    r.size,
                    r.head_len,
                    &r.head_hash,
                    r.end,
                    r.fields.as_deref(),
                    &r.days.tally.acct,
                    r.days.undated,
                    &now,
                )?;
                // Kept for `--verbose` when lines were skipped (not for every file: a
                // first run may read 100,000 logs).
                if r.days.tally.acct.skipped_total() > 0 {
                    let base = r.line_base;
                    out.files.push(FileSummary {
                        path: r.file.path.clone(),
                        service: r.service,
                        acct: r.days.tally.acct,
                        examples: (r.days.tally.examples.iter())
                            .map(|e| Example {
                                line: e.line + base,
                                ..*e
                            })
                            .collect(),
                        index: index - 1,
                    });
                }
            }
        }
        progress.finish();
        q.add_pending(&touched)?;
        q.add_run(&now, out.files_read as u64, out.bytes_read, out.requests)?;
        // Reports: the asked days that hold lines (the others are runs of days without
        // lines, found in one query), or the touched ones, and any left by a killed run.
        // A run asked no days also looks at yesterday: logs that stopped arriving touch
        // no day at all.
        asked = match opts.range {
            Some(r) => {
                let held = q.days_between(r.first, r.last)?;
                out.empty = empty::gaps(r, &held);
                held
            }
            None => {
                let yesterday = opts.today - 1;
                if !touched.contains(&yesterday) && q.days_between(yesterday, yesterday)?.is_empty()
                {
                    out.empty.push(DayRange::one(yesterday));
                }
                touched.clone()
            }
        };
        if opts.rules.iter().any(Rule::counts_requests) {
            for gap in &out.empty {
                let baseline = q.baseline(gap.first)?;
                out.tripped.extend(check_gap(opts, *gap, Some(&baseline)));
            }
        }
        write_days = asked.clone();
        write_days.extend(q.pending()?);
        out.outside = (read_on.iter())
            .filter(|(d, _)| !asked.contains(d))
            .map(|(_, n)| n)
            .sum();
        files = file_spans(&q)?;
        // The first day is read in this transaction, which holds exactly what it commits.
        // Its files are rendered on the pool while this thread commits and then checkpoints
        // (waiting on the disk), and written as soon as the commit succeeded, never before.
        let first = match write_days.first() {
            Some(&d) => {
                let fresh = earliest.take(d);
                Some(report_day(
                    &q,
                    d,
                    fresh,
                    &asked,
                    opts,
                    &files,
                    &mut out.tripped,
                )?)
            }
            None => None,
        };
        // A day without lines (a file read again that no longer holds it) is not written.
        let first = first.filter(|rd| rd.requests() > 0);
        let first_alerts = first
            .as_ref()
            .map_or_else(Vec::new, |rd| write::alerts_on(&out.tripped, rd.day));
        if let Some(rd) = first.as_ref().filter(|rd| asked.contains(&rd.day)) {
            out.asked_requests += rd.requests();
        }
        let gate = CommitGate::default();
        let mut committed = None;
        rayon::in_place_scope(|s| {
            if let Some(rd) = &first {
                let (written, gate) = (&mut first_written, &gate);
                s.spawn(move |_| {
                    *written = Some(write::write_day_when(
                        &opts.out,
                        rd,
                        opts.lang,
                        &first_alerts,
                        &|| gate.wait(),
                    ));
                });
            }
            let result = tx.commit();
            let ok = result.is_ok();
            gate.open(ok);
            committed = Some(result);
            if ok && first.is_some() {
                checkpointed = Some(store.checkpoint());
            }
        });
        if let Some(Err(e)) = committed {
            return Err(store_err(&path, e).into());
        }
    }

    let mut done = Vec::new();
    let mut checked = first_written
        .is_none()
        .then(|| write_days.first().copied())
        .flatten();
    for &d in &write_days {
        let written = match first_written.take() {
            // Written unless the commit failed, which returned above.
            Some(written) => written.map(|_| write::day_dir(&opts.out, d)),
            None => {
                // The rules of a first day found empty were checked in the transaction.
                let mut tripped = Vec::new();
                let rd = store_read(&mut store, |q| {
                    report_day(q, d, Vec::new(), &asked, opts, &files, &mut tripped)
                })?;
                let alerts = if checked.take() != Some(d) {
                    let alerts = write::alerts_on(&tripped, d);
                    out.tripped.extend(tripped);
                    alerts
                } else {
                    write::alerts_on(&out.tripped, d)
                };
                if rd.requests() == 0 {
                    out.empty.push(DayRange::one(d));
                    done.push(d);
                    continue;
                }
                if asked.contains(&d) {
                    out.asked_requests += rd.requests();
                }
                write::write_day(&opts.out, &rd, opts.lang, &alerts)
            }
        };
        let dir = written.map_err(|source| ReportError::Write {
            day: day_text(d),
            dir: opts.out.clone(),
            source,
        })?;
        out.days_written.push((d, dir));
        done.push(d);
    }
    let tx = store.begin()?;
    let q = Tx {
        tx: &tx,
        path: &path,
    };
    for d in done {
        q.done_pending(d)?;
    }
    let trend = match (opts.range, out.empty.as_slice()) {
        (Some(r), [gap]) if r.first == r.last && gap.first == r.first => q.trend(r.first)?,
        _ => Vec::new(),
    };
    tx.commit().map_err(|e| store_err(&path, e))?;
    out.empty = empty::joined(std::mem::take(&mut out.empty));
    out.empty_page = no_lines_page(opts, &out.empty, trend)?;
    out.tripped.sort_by_key(|t| t.day);
    // Only when the checkpoint copied everything: otherwise (another connection held
    // frames back, or it failed) the close checkpoints as SQLite always does, and the
    // committed run is in the WAL meanwhile, never lost.
    if let Some(Ok(true)) = checkpointed {
        store.close_leaving_wal()?;
    }
    out.elapsed = started.elapsed();
    Ok(out)
}

/// Files read before their tallies are stored: enough to keep every core busy, few
/// enough that a run's memory does not grow with the number of files.
const READ_BATCH: usize = 128;

/// The outcome of the run's commit, awaited by the writers of the first day's files: they
/// render meanwhile, and write only after a successful commit.
#[derive(Default)]
struct CommitGate {
    committed: std::sync::Mutex<Option<bool>>,
    decided: std::sync::Condvar,
}

impl CommitGate {
    fn open(&self, committed: bool) {
        *self.committed.lock().unwrap_or_else(|e| e.into_inner()) = Some(committed);
        self.decided.notify_all();
    }

    /// Waits for the outcome: true when the commit succeeded.
    fn wait(&self) -> bool {
        let committed = self.committed.lock().unwrap_or_else(|e| e.into_inner());
        let decided = self
            .decided
            .wait_while(committed, |c| c.is_none())
            .unwrap_or_else(|e| e.into_inner());
        decided.unwrap_or(false)
    }
}

/// The file-days a run added for the earliest day it touched, as the history now holds
/// them: that day is the first report day of a nightly run, and its files' rows need not
/// be read back. Only one day is kept: a first run over years of logs keeps one day.
#[derive(Default)]
struct EarliestDay {
    day: Option<Day>,
    files: Vec<FileDay>,
    /// More files than [`EARLIEST_KEPT`] hold the day: none are kept, and the day is read
    /// back from the history like any other.
    crowded: bool,
}

/// Files whose tallies of the earliest day are kept in memory, at most: a first run over
/// 100,000 logs of one day reads that day back rather than hold 100,000 tallies.
const EARLIEST_KEPT: usize = 256;

impl EarliestDay {
    fn keep(&mut self, day: Day, file: FileDay) {
        match self.day {
            Some(d) if d < day => {}
            Some(d) if d == day => {
                if !self.crowded {
                    self.files.push(file);
                    if self.files.len() > EARLIEST_KEPT {
                        self.files = Vec::new();
                        self.crowded = true;
                    }
                }
            }
            _ => {
                self.day = Some(day);
                self.files = vec![file];
                self.crowded = false;
            }
        }
    }

    /// The file-days kept for `day` (none for another day).
    fn take(&mut self, day: Day) -> Vec<FileDay> {
        if self.day == Some(day) {
            std::mem::take(&mut self.files)
        } else {
            Vec::new()
        }
    }
}

/// Reads day `d` back from the history for its report (the files of `fresh` from memory:
/// what this transaction added for them), with the line account of its files, and
/// checks the alert rules when it is one of the asked days.
fn report_day(
    q: &Tx<'_, '_>,
    d: Day,
    fresh: Vec<FileDay>,
    asked: &BTreeSet<Day>,
    opts: &ReportOptions,
    files: &FileSpans,
    tripped: &mut Vec<Tripped>,
) -> Result<ReportDay, HistoryError> {
    let rd = ReportDay {
        day: d,
        parts: q
            .load_day_with(d, fresh)?
            .into_iter()
            .map(|(s, t)| ((String::new(), s), t))
            .collect(),
        trend: q.trend(d)?,
        zone: opts.zone.clone(),
        lines: day_lines(q, d, files)?,
        // The page compares the day's faults and probes with the days before it.
        baseline: Some(q.baseline(d)?),
    };
    if asked.contains(&d) && !opts.rules.is_empty() {
        let rules = rules_on(opts, d);
        tripped.extend(alert::check(
            &rules,
            d,
            &counts_of(&rd),
            &alert::day_verdicts(&rules, &rd),
            rd.baseline.as_ref(),
        ));
    }
    Ok(rd)
}

/// Every file of a history with the days its name gives and its line account.
type FileSpans = Vec<(i64, Option<DayRange>, DayLines)>;

fn file_spans(q: &Tx<'_, '_>) -> Result<FileSpans, HistoryError> {
    Ok(q.file_lines()?
        .into_iter()
        .map(|(id, path, lines)| (id, span_of_name(Path::new(&path)), lines))
        .collect())
}

/// The line account of the files that hold day `d`: those with requests on it, and
/// those whose name gives it. `None` when no file does.
fn day_lines(q: &Tx<'_, '_>, d: Day, files: &FileSpans) -> Result<Option<DayLines>, HistoryError> {
    let with = q.files_of_day(d)?;
    let mut lines = DayLines::default();
    for (id, span, l) in files {
        if with.contains(id) || span.is_some_and(|s| s.contains(d)) {
            lines.merge(l);
        }
    }
    Ok((lines.files > 0).then_some(lines))
}

/// Runs `f` in a read transaction of `store`.
fn store_read<T>(
    store: &mut Store,
    f: impl FnOnce(&Tx<'_, '_>) -> Result<T, HistoryError>,
) -> Result<T, HistoryError> {
    let path = store.path().to_path_buf();
    let tx = store.read()?;
    f(&Tx {
        tx: &tx,
        path: &path,
    })
}

fn store_err(path: &Path, e: rusqlite::Error) -> HistoryError {
    HistoryError::Sqlite {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// The path a file is known by in the history: absolute when it can be made so.
fn key_of(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// Day folders written, each with its day.
pub type DaysWritten = Vec<(Day, PathBuf)>;

/// Loads the days of `range` from several histories, each labelled with its server name,
/// and writes the farm's folders: those of the days some history holds lines for. The
/// folders written, and the runs of days no history holds a line for (not written).
pub fn merge_histories(
    dbs: &[(String, PathBuf)],
    range: DayRange,
    out: &Path,
    lang: Lang,
    wait: Duration,
) -> Result<(DaysWritten, Vec<DayRange>), ReportError> {
    // Only the days that hold lines: a range may span centuries.
    let mut days: BTreeMap<Day, ReportDay> = BTreeMap::new();
    let mut zones = BTreeSet::new();
    for (server, db) in dbs {
        if !db.is_file() {
            return Err(ReportError::Usage(format!(
                "{}: no such history database",
                db.display()
            )));
        }
        // Only read: a server's history may be a read-only copy.
        let mut store = Store::open_read_only(db, wait)?;
        store_read(&mut store, |q| {
            if let Some(z) = q.zone()? {
                zones.insert(z);
            }
            let files = file_spans(q)?;
            for d in q.days_between(range.first, range.last)? {
                let rd = days.entry(d).or_insert_with(|| ReportDay {
                    day: d,
                    ..ReportDay::default()
                });
                // The zone is set below, once the histories agree on it.
                if let Some(l) = day_lines(q, d, &files)? {
                    rd.lines.get_or_insert_with(DayLines::default).merge(&l);
                }
                for (service, t) in q.load_day(d)? {
                    rd.parts
                        .entry((server.clone(), service))
                        .or_default()
                        .merge(t);
                }
            }
            Ok(())
        })?;
    }
    if zones.len() > 1 {
        return Err(ReportError::Usage(format!(
            "the histories keep days in different time zones or UTC offsets ({}); their days cannot be added",
            zones.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    if let Some(name) = zones.first() {
        let zone = match UtcOffset::parse(name) {
            Ok(o) => Zone::fixed(o),
            Err(_) => Zone::named(name).map_err(|e| {
                ReportError::Usage(format!("the histories keep days in {name}: {e}"))
            })?,
        };
        for rd in days.values_mut() {
            rd.zone = zone.clone();
        }
    }
    let mut written = Vec::new();
    for rd in days.values() {
        let dir = write::write_day(out, rd, lang, &[]).map_err(|source| ReportError::Write {
            day: day_text(rd.day),
            dir: out.to_path_buf(),
            source,
        })?;
        written.push((rd.day, dir));
    }
    let gaps = empty::gaps(range, &days.keys().copied().collect());
    Ok((written, gaps))
}

/// A server's name for a history path: its folder's name when the file is called
/// `history.db` (`web1/history.db` → `web1`), else the file's stem.
pub fn server_name(db: &Path) -> String {
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem.eq_ignore_ascii_case("history") {
        if let Some(parent) = db
            .parent()
            .and_then(|p| std::path::absolute(p).ok())
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        {
            return parent;
        }
    }
    stem
}

/// Whether a log was named on the command line (for a log in an archive: the archive).
fn is_named(opts: &ReportOptions, file: &LogFile) -> bool {
    match &file.member {
        Some(m) => opts.inputs.iter().any(|p| p == m.parts().0),
        None => opts.inputs.contains(&file.path),
    }
}

/// The days a log's name gives (`u_ex261123.log`), if it has a date.
fn span_of_name(path: &Path) -> Option<DayRange> {
    name_span(&path.file_name()?.to_string_lossy())
}

/// Whether IIS is done with each file: a log inside an archive, or one with a newer log
/// of the same series (prefix and kind of date, or HTTP.sys's numbers) in its folder.
/// Such a file is read to its end, its last line included when it is whole; the newest
/// log of a site may be in the middle of a line, which waits for the next run.
fn finished_files(files: &[LogFile]) -> Vec<bool> {
    type Series = (PathBuf, String, usize);
    // Dated names in date order; HTTP.sys numbers its logs instead (httperr1.log, 2, …).
    let order = |name: &str| {
        name_order(name).or_else(|| {
            let lower = name.to_ascii_lowercase();
            let n = lower.strip_prefix("httperr")?.strip_suffix(".log")?;
            Some(("httperr".to_string(), 0, 0, n.parse().ok()?))
        })
    };
    let place = |f: &LogFile| -> Option<(Series, (i32, u64))> {
        let (prefix, len, year, rest) = order(&f.path.file_name()?.to_string_lossy())?;
        Some(((f.path.parent()?.to_path_buf(), prefix, len), (year, rest)))
    };
    let places: Vec<_> = files.iter().map(place).collect();
    let mut newest: HashMap<&Series, (i32, u64)> = HashMap::new();
    for (series, when) in places.iter().flatten() {
        let n = newest.entry(series).or_insert(*when);
        *n = (*n).max(*when);
    }
    files
        .iter()
        .zip(&places)
        .map(|(f, p)| {
            f.member.is_some()
                || p.as_ref()
                    .is_some_and(|(series, when)| newest.get(series).is_some_and(|n| n > when))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(path: &str) -> LogFile {
        LogFile {
            path: PathBuf::from(path),
            service: Service::Http,
            site: None,
            format: LineFormat::W3c,
            member: None,
            len: 0,
        }
    }

    /// A log is finished when its folder holds a newer one of its series (dated names
    /// across the century, hourly names, HTTP.sys numbers); the newest of each series,
    /// and a log with no date, may still be written.
    #[test]
    fn finished_logs_have_a_newer_one_beside_them() {
        let files: Vec<LogFile> = [
            "W3SVC1/u_ex261122.log",
            "W3SVC1/u_ex261123.log",
            "W3SVC2/u_ex261121.log",
            "IIS4/ex991231.log",
            "IIS4/ex000101.log",
            "W3SVC3/u_ex26112305.log",
            "W3SVC3/u_ex26112306.log",
            "W3SVC3/u_ex2611.log",
            "HTTPERR/httperr9.log",
            "HTTPERR/httperr10.log",
            "misc/access.log",
        ]
        .map(log)
        .into();
        let finished: Vec<&str> = files
            .iter()
            .zip(finished_files(&files))
            .filter(|(_, f)| *f)
            .map(|(l, _)| l.path.to_str().unwrap())
            .collect();
        assert_eq!(
            finished,
            [
                "W3SVC1/u_ex261122.log",
                "IIS4/ex991231.log",
                "W3SVC3/u_ex26112305.log",
                "HTTPERR/httperr9.log"
            ]
        );
    }
}
