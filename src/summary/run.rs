//! The `summary` run: discovers the inputs, reads every file in parallel (large files in
//! parallel pieces, archived ones as streams), tallies each into its service's counts and
//! builds the `Summary` with the catalogue's meanings. Fails only when nothing is readable.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::catalogue::{Catalogue, Lang};
use crate::error::{Error, Problem};
use crate::format::w3c::FieldMap;
use crate::format::LineFormat;
use crate::input::archive::{self, ArchiveError, Member};
use crate::input::discover::{self, LogFile, Passed};
use crate::input::identify;
use crate::input::source;
use crate::parse::stream::scan_stream;
use crate::parse::{chunk, plain, Header};
use crate::progress::Progress;
use crate::service::Service;
use crate::summary::httperr::{self, HttpErrTally};
use crate::summary::{FileSummary, Summary};
use crate::tally::{self, CodeCounts, Tally};

/// What `summary` is asked to do, resolved from the command line.
#[derive(Debug, Clone)]
pub struct SummaryOptions {
    pub inputs: Vec<PathBuf>,
    /// Header for files that lost theirs (`--fields`).
    pub fields: Option<FieldMap>,
    /// Worker threads; `None` lets rayon use every core.
    pub threads: Option<usize>,
    /// Bytes per parallel piece of one file.
    pub chunk_size: usize,
    pub lang: Lang,
    /// Fill the `causes` column.
    pub details: bool,
}

impl SummaryOptions {
    pub fn new(inputs: Vec<PathBuf>) -> SummaryOptions {
        SummaryOptions {
            inputs,
            fields: None,
            threads: None,
            chunk_size: chunk::DEFAULT_CHUNK,
            lang: Lang::En,
            details: false,
        }
    }
}

/// The result of a `summary` run.
#[derive(Debug)]
pub struct Outcome {
    pub summary: Summary,
    /// Files passed over during discovery, with the reason.
    pub passed: Vec<Passed>,
    /// Inputs that could not be read.
    pub problems: Vec<Problem>,
    /// Inputs read with something to tell (an archive whose logs share their data).
    pub notes: Vec<Problem>,
    pub elapsed: Duration,
    /// HTTPERR requests by status, reason and (for 503s) queue; empty without HTTPERR logs.
    pub httperr: Vec<httperr::HttpErrRow>,
    /// Files named on the command line that nothing marks as a log and that gave no
    /// request: to be named on stderr.
    pub not_logs: Vec<PathBuf>,
}

/// The input that names standard input (`Get-Content u_ex261123.log | iislog summary -`).
pub const STDIN: &str = "-";

/// How a run ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Every input was read.
    Clean,
    /// Some inputs could not be read; the summary covers the rest.
    SomeUnreadable,
}

impl Outcome {
    pub fn status(&self) -> RunStatus {
        if self.problems.is_empty() {
            RunStatus::Clean
        } else {
            RunStatus::SomeUnreadable
        }
    }
}

/// Discovers, reads, tallies and annotates. Fails only when there is nothing to read.
pub fn summarize(opts: &SummaryOptions, progress: &Progress) -> Result<Outcome, Error> {
    let started = Instant::now();
    let (stdin, paths): (Vec<PathBuf>, Vec<PathBuf>) =
        (opts.inputs.iter().cloned()).partition(|p| p.as_os_str() == STDIN);
    let mut found = discover::discover_all(&paths);
    if !stdin.is_empty() {
        // Read as a stream when its turn comes; what it is, its first bytes say.
        found.files.push(LogFile {
            path: PathBuf::from(STDIN),
            service: Service::Http,
            site: None,
            format: LineFormat::W3c,
            member: None,
            len: 0,
        });
    }
    summarize_found(found, opts, progress, started)
}

/// The rest of [`summarize`] once discovery is done: a file may still vanish or become
/// unreadable in between, which makes it a `Problem` while the others are read.
pub fn summarize_found(
    found: discover::Discovery,
    opts: &SummaryOptions,
    progress: &Progress,
    started: Instant,
) -> Result<Outcome, Error> {
    if found.files.is_empty() {
        let hint = match found.problems.first() {
            Some(p) => format!(" ({p})"),
            None if found.passed.is_empty() => String::new(),
            None => format!(
                " ({} files passed over; --verbose lists them)",
                found.passed.len()
            ),
        };
        return Err(Error::NothingToRead {
            inputs: opts
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            hint,
        });
    }
    progress.set_length(found.files.iter().map(|f| f.len).sum());
    let header = opts
        .fields
        .clone()
        .map_or(Header::None, |m| Header::Fields(m.into()));
    let read = || tally_files(&found.files, &header, opts.chunk_size, progress);
    let merged = match opts.threads {
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(read),
            Err(_) => read(),
        },
        None => read(),
    };
    progress.finish();
    let mut problems = found.problems;
    problems.extend(merged.problems);
    let summary = Summary::build(
        &merged.counts,
        merged.files,
        Catalogue::builtin(),
        opts.lang,
        opts.details,
    );
    let httperr = httperr::rows(
        &merged.reasons,
        Catalogue::builtin(),
        opts.lang,
        opts.details,
    );
    let mut summary = summary;
    summary.judge_httperr(&httperr);
    let not_logs = (summary.files.iter())
        .filter(|f| f.acct.requests == 0 && found.not_logs.contains(&f.path))
        .map(|f| f.path.clone())
        .collect();
    Ok(Outcome {
        summary,
        passed: found.passed,
        problems,
        notes: found.notes,
        elapsed: started.elapsed(),
        httperr,
        not_logs,
    })
}

/// Per-thread accumulator: counts per service, and per-file results kept in file order.
#[derive(Default)]
struct Merged {
    counts: BTreeMap<Service, CodeCounts>,
    files: Vec<FileSummary>,
    problems: Vec<Problem>,
    reasons: httperr::ReasonCounts,
}

impl Merged {
    fn merge(mut self, other: Merged) -> Merged {
        for (service, codes) in other.counts {
            let mine = self.counts.entry(service).or_default();
            for (k, v) in codes {
                *mine.entry(k).or_insert(0) += v;
            }
        }
        self.files.extend(other.files);
        self.problems.extend(other.problems);
        httperr::merge_reasons(&mut self.reasons, other.reasons);
        self
    }

    /// Adds one file's tally: its codes to its service's, its account to the files.
    fn add(&mut self, file: &LogFile, index: usize, tally: tally::Tally) {
        let codes = self.counts.entry(file.service).or_default();
        for (k, v) in tally.codes {
            *codes.entry(k).or_insert(0) += v;
        }
        self.files.push(FileSummary {
            path: file.path.clone(),
            service: file.service,
            acct: tally.acct,
            examples: tally.examples,
            index,
        });
    }
}

/// Reads every file in parallel (and large files in parallel pieces) and merges the
/// tallies; per-file results come back in discovery order.
fn tally_files(files: &[LogFile], header: &Header, chunk: usize, progress: &Progress) -> Merged {
    let on_chunk = |n: u64| progress.inc(n);
    let mut merged = files
        .par_iter()
        .enumerate()
        .fold(Merged::default, |mut acc, (index, file)| {
            if file.path.as_os_str() == STDIN && file.member.is_none() {
                match tally_stdin(header) {
                    Ok((file, t)) => {
                        httperr::merge_reasons(&mut acc.reasons, t.reasons);
                        acc.add(&file, index, t.tally);
                    }
                    Err(e) => acc.problems.push(Problem {
                        path: file.path.clone(),
                        message: e.to_string(),
                    }),
                }
                return acc;
            }
            if let Some(member) = &file.member {
                let read = tally_member(member, file.format, file.service, header);
                on_chunk(file.len);
                match read {
                    Ok(t) => {
                        httperr::merge_reasons(&mut acc.reasons, t.reasons);
                        acc.add(file, index, t.tally);
                    }
                    Err(e) => acc.problems.push(Problem {
                        path: file.path.clone(),
                        message: e.to_string(),
                    }),
                }
                return acc;
            }
            match source::load(&file.path) {
                Ok(bytes) => {
                    // HTTPERR rows are also counted by reason: a sink of their own, so the
                    // HTTP loop stays as it is.
                    let (tally, reasons) = if file.format != LineFormat::W3c {
                        let t = plain::tally_plain(&bytes, file.format, chunk, &on_chunk);
                        (t, None)
                    } else if file.service == Service::HttpErr {
                        let proto = httperr::HttpErrTally::default();
                        let (t, _) = chunk::scan_bytes(&bytes, header, chunk, &on_chunk, &proto);
                        (t.tally, Some(t.reasons))
                    } else {
                        let t = chunk::tally_bytes(&bytes, header, chunk, &on_chunk);
                        (t, None)
                    };
                    // A file that shrank under the map is reported, not counted.
                    match bytes.verify() {
                        Ok(()) => {
                            if let Some(r) = reasons {
                                httperr::merge_reasons(&mut acc.reasons, r);
                            }
                            acc.add(file, index, tally);
                        }
                        Err(e) => acc.problems.push(Problem::io(&file.path, &e)),
                    }
                }
                Err(e) => acc.problems.push(Problem::io(&file.path, &e)),
            }
            acc
        })
        .reduce(Merged::default, Merged::merge);
    merged.files.sort_by_key(|f| f.index);
    merged.problems.sort_by(|a, b| a.path.cmp(&b.path));
    merged
}

/// Reads standard input as one log, as a stream: its format and service come from its
/// first bytes, as for a file named on the command line.
fn tally_stdin(header: &Header) -> Result<(LogFile, HttpErrTally), ArchiveError> {
    let mut stdin = std::io::stdin().lock();
    let mut head = Vec::with_capacity(4096);
    (&mut stdin).take(4096).read_to_end(&mut head)?;
    let id = identify::identify(STDIN, &head, true).unwrap_or(identify::Identity {
        format: LineFormat::W3c,
        service: Service::Http,
    });
    let file = LogFile {
        path: PathBuf::from(STDIN),
        service: id.service,
        site: None,
        format: id.format,
        member: None,
        len: 0,
    };
    let mut reader = std::io::Cursor::new(head).chain(stdin);
    let tally = tally_reader(&mut reader, id.format, id.service, header)?;
    Ok((file, tally))
}

/// Reads one archived log into the tally (and, for HTTPERR, the reasons).
fn tally_member(
    member: &Member,
    format: LineFormat,
    service: Service,
    header: &Header,
) -> Result<HttpErrTally, ArchiveError> {
    archive::with_reader(member, |r| tally_reader(r, format, service, header))
}

fn tally_reader(
    reader: &mut dyn Read,
    format: LineFormat,
    service: Service,
    header: &Header,
) -> Result<HttpErrTally, ArchiveError> {
    if service == Service::HttpErr {
        scan_stream(reader, format, header, &HttpErrTally::default())
    } else {
        let tally = scan_stream(reader, format, header, &Tally::default())?;
        Ok(HttpErrTally {
            tally,
            reasons: Default::default(),
        })
    }
}
