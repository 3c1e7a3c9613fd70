//! The subcommands, one module each (`summary`, `explain`, `report`, `history`, `merge`):
//! each turns its clap arguments (`cli`) into the library's options, runs the library, and
//! prints the outcome, results on stdout and diagnostics on stderr. What several of them
//! share lives here once, so that a flag or a message means the same in every subcommand.

pub mod cli;
pub mod config;
pub mod explain;
pub mod history;
pub mod merge;
pub mod report;
pub mod summary;

use std::fmt::Display;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::anyhow;

use iislog::catalogue::Lang;
use iislog::error::{terminal_path, terminal_text, Error};
use iislog::summary::FileSummary;
use iislog::tally::SkipReason;

/// How a subcommand that did not fail ended. `main` alone turns it into an exit code, so
/// the codes are chosen in one place.
pub enum Ending {
    /// Everything asked for was read and written.
    Clean,
    /// Some inputs could not be read; the results of the rest were still written.
    SomeUnreadable,
    /// An alert rule (`report --fail-on`) tripped.
    AlertTripped,
}

/// `--lang`, else the locale's language, else English.
pub fn resolve_lang(flag: Option<&str>) -> anyhow::Result<Lang> {
    match flag {
        Some(code) => Lang::from_code(code)
            .ok_or_else(|| anyhow!("--lang {code}: unknown language; use en, ja or nb")),
        None => Ok(config::default_lang(
            |k| std::env::var(k).ok(),
            config::system_locale(),
        )),
    }
}

/// Today on this machine's clock: what `yesterday`, `today` and default day ranges mean
/// to the person typing them.
pub fn local_today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// Inputs that could not be read, one warning each; the run goes on with the rest.
pub fn warn_problems(problems: &[impl Display]) {
    for p in problems {
        eprintln!("iislog: warning: {}", terminal_text(&p.to_string()));
    }
}

/// Inputs that were read but hold something the user should know; shown even with `-q`,
/// escaped as the warnings are.
pub fn print_notes(notes: &[impl Display]) {
    for n in notes {
        eprintln!("iislog: note: {}", terminal_text(&n.to_string()));
    }
}

/// A path as diagnostics print it: names come from whoever filled the log folder, so a
/// name holding escape sequences or a newline is shown escaped, never acted on.
pub fn shown(path: impl AsRef<Path>) -> String {
    terminal_path(path.as_ref())
}

/// Files named on the command line that are not logs: read (a named file always is), and
/// named here, since none of their lines counted. Shown even with `--quiet`.
pub fn warn_not_logs(paths: &[PathBuf], files: &[FileSummary]) {
    for path in paths {
        let lines = files
            .iter()
            .find(|f| f.path == *path)
            .map_or(0, |f| f.acct.lines);
        eprintln!(
            "iislog: warning: {}: not an IIS log (no IIS log name, no W3C directive, no native or NCSA line); read because it was named, none of its {lines} lines is a request",
            shown(path)
        );
    }
}

/// `--verbose`: per file read, its line account, and its skipped lines by reason with
/// the first examples of each as `file:line`.
pub fn print_file_accounts(files: &[FileSummary]) {
    for f in files {
        eprintln!(
            "iislog: read {} ({}): {} lines, {} requests, {} directives, {} blank, {} skipped",
            shown(&f.path),
            f.service,
            f.acct.lines,
            f.acct.requests,
            f.acct.directives,
            f.acct.blank,
            f.acct.skipped_total()
        );
        for reason in SkipReason::ALL {
            let n = f.acct.skipped_for(reason);
            if n == 0 {
                continue;
            }
            eprintln!(
                "iislog:   {n} skipped, {}: {}",
                reason.name(),
                reason.explain()
            );
            for e in f.examples.iter().filter(|e| e.reason == reason) {
                eprintln!("iislog:     {}:{}", shown(&f.path), e.line);
            }
        }
    }
}

/// Writes to stdout through a buffer; a failure, a closed pipe included, is reported as
/// `Error::Output`, which `main` treats as no error when the pipe was closed.
pub fn to_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
    let mut out = BufWriter::new(io::stdout().lock());
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|source| Error::Output {
            target: "stdout".into(),
            source,
        })
}

/// Writes a finished text to stdout (see `to_stdout`).
pub fn print_stdout(text: &str) -> Result<(), Error> {
    to_stdout(|out| out.write_all(text.as_bytes()))
}
