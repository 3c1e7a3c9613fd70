//! iislog: every status an IIS server served, counted and explained.
//!
//! The data flows one way, and the folders of `src/` are its stages, in order; a module
//! imports only from the stages before it (and the shared vocabulary at the top):
//!
//! ```text
//! error, service, tally, days, progress   shared vocabulary: errors, services, counts, days
//! format/    what a line looks like: W3C (#Fields), native, NCSA; the Request view
//! input/     paths ─► identify ─► LogFile ─► source (mapped bytes) / archive (streams)
//! parse/     bytes ─► lines ─► LineSink::request(&Request), in parallel chunks or streams
//! catalogue/ what each code means and usually causes, en/ja/nb; the triage rules
//! summary/   sink: Tally per file ─► CodeCounts per service ─► Summary (+ catalogue)
//! output/    Summary ─► table, CSV, JSON, xlsx workbook; `explain` pages
//! collect/   sink: Request ─► DayTally per day (hours, sites, top URIs and clients)
//! history/   DayTally ─► SQLite, incremental by file offset
//! report/    DayTally ─► triage, day folders (CSV, report.xlsx, report.html), alert rules, `merge`
//! ```
//!
//! Workers never print: unreadable inputs become `Problem`s and skipped lines are counted
//! by reason, and both are reported once, after the merge.

pub mod error;
pub mod service;
pub mod tally;
pub mod days;
pub mod progress;

pub mod format;
pub mod input;
pub mod parse;
pub mod catalogue;
pub mod summary;
pub mod output;
pub mod collect;
pub mod history;
pub mod report;

pub use crate::summary::run::{summarize, summarize_found, Outcome, RunStatus, SummaryOptions};
