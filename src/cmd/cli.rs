//! The command line: syntax only (clap derive). What the flags mean is resolved by each
//! subcommand's module beside this one into the library's options; the library never sees
//! clap's types.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use iislog::output::Format;

/// The exit codes of `summary` (and, with a line for the others, of `iislog --help`).
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  every input was read
  1  some inputs could not be read (the summary of the rest is still written)
  2  usage error, or nothing to read
  6  the output could not be written (disk full, no permission...)"
    };
}

/// The exit codes of `explain`: it reads no input.
macro_rules! explain_exit_codes {
    () => {
        "Exit codes:
  0  done
  2  usage error (an unknown language, a --win32 value that is no number)
  6  the output could not be written (disk full, no permission...)"
    };
}

/// The exit codes of `history` and `merge`: they only read histories (or CSVs).
macro_rules! read_exit_codes {
    () => {
        "Exit codes:
  0  done
  2  usage error, or a file that could not be read or written
  4  a history database is damaged, not iislog's, of another version, or failed
  5  a history database is in use by another run
  6  the output or the farm's reports could not be written (disk full, no
     permission...)"
    };
}

/// The exit codes of `report`.
macro_rules! report_exit_codes {
    () => {
        "Exit codes:
  0  done: every input was read, no alert rule tripped
  1  some inputs could not be read (the reports of the rest are still written)
  2  usage error, or nothing to read
  3  an alert rule (--fail-on) tripped: the rules and their figures are on stderr
  4  --db: the history database is damaged, not iislog's, of a newer version, or
     failed (it is never overwritten)
  5  --db: the history database is in use by another run (waited --wait seconds)
  6  the reports or the output could not be written (disk full, no permission,
     a file where a folder should be)"
    };
}

/// The longest `--wait`: a day. SQLite takes the wait in milliseconds as a C `int`, which
/// overflows past 24.8 days; no nightly job should wait longer than a night anyway.
pub const MAX_WAIT_SECS: u64 = 86_400;

/// The most days `history --days` shows: ten years, one row each.
pub const MAX_HISTORY_DAYS: u32 = 3660;

/// The most `--threads` accepted; the run uses at most one per core.
pub const MAX_THREADS: u64 = 4096;

#[derive(Debug, Parser)]
#[command(
    name = "iislog",
    version,
    about = "Count and explain every status an IIS server served, from its W3C logs.",
    after_help = concat!(exit_codes!(), "\n  3  report only; 4, 5  report, history and merge: see their --help"),
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tally sc-status, sc-substatus and sc-win32-status over log files and folders.
    #[command(after_help = concat!("\
Examples:
  iislog summary C:\\inetpub\\logs\\LogFiles -o summary.csv
  iislog summary fixtures/LogFiles                 # a table on a terminal
  iislog summary W3SVC1/u_ex261123.log --format csv > day.csv
  iislog summary D:\\Logs -o summary.xlsx           # an Excel workbook, any locale
  iislog summary old.log --fields \"date time cs-uri-stem sc-status sc-substatus sc-win32-status\"
  Get-Content u_ex261123.log | iislog summary -

Folders are read recursively. A file is read when its name is an IIS log name
(ex*.log, u_ex*.log, httperr*.log, and the native and NCSA in*.log, nc*.log) or it
starts like a log (a W3C directive, a native or an NCSA line); files named on the
command line are always read. Logs inside .gz and .zip files are read too, named
LogFiles.zip!W3SVC1/u_ex261101.log. The service comes from the folder (W3SVC<n>,
MSFTPSVC<n>, FTPSVC<n>, SMTPSVC<n>, HTTPERR) or else from the content.

CSV columns: service,status,substatus,win32_status,count,percent,description
(`-` where a code is empty or not logged; percent is the share of the service's
requests).

HTTPERR logs (requests HTTP.sys refused before they reached IIS) are also counted by
s-reason and, for 503s, by s-queuename (the application pool): a second table on a
terminal, an `httperr` key in JSON, and with -o FILE a second CSV, FILE-httperr.csv
(or --httperr-output FILE), with columns status,reason,queue,count,percent,description.

", exit_codes!()))]
    Summary(SummaryArgs),

    /// Explain a status code: what it means, what usually causes it, what to check.
    #[command(after_help = concat!("\
Examples:
  iislog explain 403.14
  iislog explain 401 2 5                       # a log line's status, substatus and win32
  iislog explain 530 41 1326 --service ftp     # FTP: status, substatus (KB 969061), win32
  iislog explain 550 --service ftp --lang nb
  iislog explain --win32 64                    # or hex: --win32 0x8009030E
  iislog explain Timer_ConnectionIdle --service httperr
  iislog explain --list --format csv --excel > catalogue.csv

Look-up falls back from status.substatus to the status, then to its class (4xx);
an unknown code still gets an answer.

", explain_exit_codes!()))]
    Explain(ExplainArgs),

    /// Nightly reports: per day a folder of CSVs and a page, optionally from a history.
    #[command(after_help = concat!("\
Examples:
  iislog report C:\\inetpub\\logs\\LogFiles --date yesterday --out D:\\reports
  iislog report C:\\inetpub\\logs\\LogFiles --db D:\\iislog\\history.db --out D:\\reports --local
  iislog report LogFiles --date yesterday --tz Europe/Oslo --out reports
  iislog report LogFiles --since 2026-11-01 --until 2026-11-23 --utc-offset +09:00 --out reports
  iislog report LogFiles --db history.db -o reports --fail-on \"5xx>2%\" --fail-on new:5xx

OUT/YYYY-MM-DD/ gets summary.csv (the summary's columns), by-hour.csv, by-site.csv,
top-errors.csv and report.html, each written under a temporary name and renamed.
A line's day comes from its date and time fields (UTC in IIS); --tz (an IANA time
zone, with its daylight saving: days of 23 or 25 hours at the switches), --local
(this machine's zone) or --utc-offset (a fixed offset) files lines under local days
instead. A history keeps its zone; --move-to-zone moves one kept at a fixed offset
to a zone, once.

With --db, only what was appended since the last run is read (up to the last complete
line; a log IIS is done with, to its end), and the new tallies and offsets are committed in one transaction; reports are
then written for the asked days (default: the days this run touched).

A day no log holds a line for gets no CSVs: it is named on stderr, and asked alone
(--date) its folder holds only report.html, saying so. --since alone runs up to
yesterday. With --db and no days asked, yesterday is looked at too.

Alert rules: [SERVICE:]WHAT, then >N% or >Npct (share of the service's requests; a
.bat file eats a single %), >N (count) or, with --db, >Nx (times the median share of
the previous 7 days). WHAT is a class, code or code.substatus (5xx, 530, 500.19) or a
verdict (fault, probe, client, noise, ok, unknown); SERVICE is http, ftp, smtp or
httperr. A bare class or code means http (5xx never counts FTP's 530s or HTTPERR's
503s); a bare verdict means every service, its percent of all requests. A verdict is
the one the day's report shows (404s on scanner paths are probe); the days a >Nx
compares with are judged by the catalogue's rules alone. `new` trips on a 4xx or 5xx
status triple not seen in the previous 30 days (new:5xx, new:ftp:530, new:fault or
new:all choose which triples); requests<N trips on a day with fewer requests, and with
--db requests<0.5x on fewer than half the median of the previous 7 days with requests
(both on a day without lines too; never on today). Examples:
  --fail-on \"5xx>2%\"        http 5xx over 2 % of http's requests
  --fail-on \"ftp:530>100\"   over 100 failed FTP logons
  --fail-on \"fault>1%\"      faults of every service over 1 % of all requests
  --fail-on \"probe>500\"     over 500 requests judged a scan or an attack
  --fail-on new:fault       a faulty row not seen in the previous 30 days (--db)

", report_exit_codes!()))]
    Report(ReportArgs),

    /// Show the daily trend of a code from a history database.
    #[command(after_help = concat!("\
Examples:
  iislog history --db history.db --days 30 --code 5xx
  iislog history --db history.db --code 500.19 --format csv > trend.csv
  iislog history --db history.db --code ftp:530
  iislog history --db history.db --format json

The history is only read: a read-only file or a copy on a read-only share will do.

", read_exit_codes!()))]
    History(HistoryArgs),

    /// Add histories (for a day or a range) or summary CSVs from several servers.
    #[command(after_help = concat!("\
Examples:
  iislog merge web1/history.db web2/history.db --date 2026-11-23 --out farm
  iislog merge web1/summary.csv web2/summary.csv -o farm.csv

Histories give the same report folder for the farm, with a server column in
by-site.csv (a server is named by the folder of a history.db, else the file's name).
Summary CSVs are added exactly, percents recomputed; a CSV with other columns is
refused. Histories are only read: read-only files will do.

", read_exit_codes!()))]
    Merge(MergeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Log files or folders.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// The folder that gets one YYYY-MM-DD folder per day.
    #[arg(short = 'o', long, value_name = "DIR")]
    pub out: PathBuf,

    /// The day to report: yesterday, today or YYYY-MM-DD.
    #[arg(long, value_name = "DAY", conflicts_with_all = ["since", "until"])]
    pub date: Option<String>,

    /// First day to report (inclusive).
    #[arg(long, value_name = "DAY")]
    pub since: Option<String>,

    /// Last day to report (inclusive) [default: yesterday when --since is given].
    #[arg(long, value_name = "DAY")]
    pub until: Option<String>,

    /// File lines under days at this fixed offset from UTC, e.g. +09:00, all year
    /// [default: UTC].
    #[arg(
        long,
        value_name = "OFFSET",
        conflicts_with_all = ["local", "tz"],
        allow_hyphen_values = true
    )]
    pub utc_offset: Option<String>,

    /// File lines under local days and hours of this time zone (an IANA name, e.g.
    /// Europe/Oslo, America/New_York), with its daylight saving.
    #[arg(long, value_name = "ZONE", conflicts_with = "local")]
    pub tz: Option<String>,

    /// File lines under local days and hours of this machine's time zone, with its
    /// daylight saving (on Windows the system time zone).
    #[arg(long)]
    pub local: bool,

    /// With --db: move a history kept at a fixed --utc-offset to the zone of --tz or
    /// --local, once. Days already counted stay as counted; lines read from then on go
    /// by the zone. Harmless when the history is already in that zone.
    #[arg(long, requires = "db")]
    pub move_to_zone: bool,

    /// The history database (SQLite; created when missing).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// An alert rule, [SERVICE:]WHAT>LIMIT (5xx>2%, ftp:530>100, probe>500): exit 3 when
    /// it trips (repeatable).
    #[arg(long = "fail-on", value_name = "RULE")]
    pub fail_on: Vec<String>,

    /// Seconds to wait for another run holding the history, 0 to 86400 (a day).
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(0..=MAX_WAIT_SECS))]
    pub wait: u64,

    /// Top client-IP lists read this field instead of c-ip, behind a proxy (its first
    /// address), e.g. X-Forwarded-For; c-ip where a block or line does not log it.
    #[arg(long, value_name = "FIELD")]
    pub client_ip_field: Option<String>,

    /// Code page of logs that are not UTF-8 (IIS 5/6 `ex` files), for the URIs and user
    /// names shown: 932, 1252, shift_jis… Text that is valid UTF-8 is shown as it is;
    /// bytes that decode in neither are shown as \xNN. Counts never depend on it.
    #[arg(long, value_name = "CODEPAGE")]
    pub codepage: Option<String>,

    /// Language of the descriptions: en, ja or nb [default: from the locale, else en].
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,

    /// List the skipped lines of each file read by reason, with the first file:line of
    /// each.
    #[arg(short, long)]
    pub verbose: bool,

    /// No line on stderr unless something went wrong.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The history database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,

    /// Days to show, up to today (or --until): 1 to 3660 (ten years).
    #[arg(long, value_name = "N", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_HISTORY_DAYS)))]
    pub days: u32,

    /// The last day shown: today, yesterday or YYYY-MM-DD [default: the last day held].
    #[arg(long, value_name = "DAY")]
    pub until: Option<String>,

    /// What to count: a class (5xx), a code (503) or code.substatus (500.19), of http's
    /// requests, or of another service's after its name (ftp:530, smtp:5xx, httperr:503).
    #[arg(long, value_name = "CODE", default_value = "5xx")]
    pub code: String,

    /// Output format [default: table on a terminal, else csv].
    #[arg(short, long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// History databases, or summary CSVs (*.csv).
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,

    /// Histories: the day to merge.
    #[arg(long, value_name = "DAY", conflicts_with_all = ["since", "until"])]
    pub date: Option<String>,

    /// Histories: first day (inclusive).
    #[arg(long, value_name = "DAY")]
    pub since: Option<String>,

    /// Histories: last day (inclusive).
    #[arg(long, value_name = "DAY")]
    pub until: Option<String>,

    /// Histories: the folder that gets the farm's report folders.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Summary CSVs: write the sum here [default: stdout].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Language of the descriptions in the farm's reports.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,

    /// No line on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["code", "win32", "list"])))]
pub struct ExplainArgs {
    /// The code: 403, 403.14, 4xx, an HTTPERR reason, or a log line's status, substatus and
    /// win32 (401 2 5, quoted or not).
    #[arg(value_name = "CODE", num_args = 1..=3)]
    pub code: Vec<String>,

    /// The service whose meanings apply (550 on ftp is not 550 on http): http, ftp, smtp or
    /// httperr [default: http].
    #[arg(long, value_parser = iislog::catalogue::parse_service)]
    pub service: Option<iislog::service::Service>,

    /// Explain an sc-win32-status value, decimal or hex (0x8009030E).
    #[arg(long, value_name = "N", conflicts_with_all = ["code", "list"])]
    pub win32: Option<String>,

    /// The whole catalogue (only the --service table, when given).
    #[arg(long, conflicts_with = "code")]
    pub list: bool,

    /// Language: en, ja or nb [default: from the locale, else en].
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,

    /// Output format [default: table, a readable page].
    #[arg(short, long, value_enum, default_value = "table")]
    pub format: Format,

    /// Start CSV with a UTF-8 byte-order mark, so Excel shows Japanese and Norwegian text.
    #[arg(long)]
    pub excel: bool,
}

/// `summary`'s formats: the text formats every subcommand writes, and a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    /// Aligned columns for a terminal.
    Table,
    /// Comma-separated values with a header row (UTF-8).
    Csv,
    /// One JSON document.
    Json,
    /// An Excel workbook: a sheet per table, numbers as numbers, in every locale.
    Xlsx,
}

impl SummaryFormat {
    /// The text format, `None` for the workbook.
    pub fn text(self) -> Option<Format> {
        match self {
            SummaryFormat::Table => Some(Format::Table),
            SummaryFormat::Csv => Some(Format::Csv),
            SummaryFormat::Json => Some(Format::Json),
            SummaryFormat::Xlsx => None,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// Log files or folders, or - for standard input. On Windows, none means the default
    /// IIS log folders.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write CSV to FILE instead of stdout (HTTPERR rows by reason go beside it, to
    /// FILE's name with `-httperr`, e.g. summary-httperr.csv); a FILE named *.xlsx gets a
    /// workbook, with the HTTPERR rows on a sheet of their own.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write the HTTPERR rows by status, reason and queue as CSV to FILE.
    #[arg(long, value_name = "FILE")]
    pub httperr_output: Option<PathBuf>,

    /// Output format [default: xlsx for -o *.xlsx, else table on a terminal, else csv].
    #[arg(short, long, value_enum)]
    pub format: Option<SummaryFormat>,

    /// The #Fields list for files that lost their header, e.g. "date time sc-status".
    #[arg(long, value_name = "LIST")]
    pub fields: Option<String>,

    /// Language of the descriptions: en, ja or nb [default: from the locale, else en].
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,

    /// Add a `causes` column: usual causes and what to check.
    #[arg(long)]
    pub details: bool,

    /// Start CSV with a UTF-8 byte-order mark, so Excel shows Japanese and Norwegian text.
    #[arg(long)]
    pub excel: bool,

    /// Worker threads, at least 1; more than the cores are cut to the cores
    /// [default: one per core].
    #[arg(short = 'j', long, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_THREADS))]
    pub threads: Option<usize>,

    /// List files passed over and skipped lines with their first file:line examples.
    #[arg(short, long)]
    pub verbose: bool,

    /// No summary line on stderr (warnings are still shown).
    #[arg(short, long)]
    pub quiet: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
