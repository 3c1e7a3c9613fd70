//! The `iislog` binary: parses the command line, hands each subcommand to its module in
//! `cmd/`, and maps how it ended to the exit code. The subcommands print; this file only
//! chooses the code, so the table below is kept in one place:
//!
//! | code | when |
//! |------|------|
//! | 0 | done: every input was read (and no alert rule tripped); also when stdout was closed early, as by `head`, which is no error |
//! | 1 | some inputs could not be read; the results of the rest were still written |
//! | 2 | usage error (clap exits with 2 too), or nothing to read |
//! | 3 | `report`: an alert rule (`--fail-on`) tripped |
//! | 4 | a history database is damaged, not iislog's, of a newer version, or failed |
//! | 5 | a history database is in use by another run |
//! | 6 | an output file or a report could not be written (disk full, no permission, a file where a folder should be) |
//!
//! The same table is shown in `--help` (`cmd/cli.rs`); the two must agree.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

use iislog::error::{terminal_text, Error};
use iislog::history::HistoryError;
use iislog::report::run::ReportError;

use crate::cmd::cli::{Cli, Command};
use crate::cmd::Ending;

const EXIT_OK: u8 = 0;
const EXIT_SOME_UNREADABLE: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_ALERT: u8 = 3;
const EXIT_DATABASE: u8 = 4;
const EXIT_DATABASE_BUSY: u8 = 5;
const EXIT_WRITE: u8 = 6;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Summary(args) => cmd::summary::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::History(args) => cmd::history::run(args),
        Command::Merge(args) => cmd::merge::run(args),
    };
    ExitCode::from(match result {
        Ok(Ending::Clean) => EXIT_OK,
        Ok(Ending::SomeUnreadable) => EXIT_SOME_UNREADABLE,
        Ok(Ending::AlertTripped) => EXIT_ALERT,
        // The reader of a pipe stopped reading: it has what it wanted.
        Err(err)
            if err
                .downcast_ref::<Error>()
                .is_some_and(Error::is_broken_pipe) =>
        {
            EXIT_OK
        }
        Err(err) => {
            // The message names files and values from the logs: escaped, on one line.
            eprintln!("iislog: error: {}", terminal_text(&format!("{err:#}")));
            exit_code_of(&err)
        }
    })
}

/// The exit code of an error: 4 or 5 for a history database, 6 when writing the results
/// failed, else 2.
fn exit_code_of(err: &anyhow::Error) -> u8 {
    let write_failed = matches!(
        err.downcast_ref::<ReportError>(),
        Some(ReportError::Write { .. })
    ) || matches!(
        err.downcast_ref::<ReportError>(),
        Some(ReportError::Input(Error::Output { .. }))
    ) || matches!(err.downcast_ref::<Error>(), Some(Error::Output { .. }));
    if write_failed {
        return EXIT_WRITE;
    }
    let history = err
        .downcast_ref::<HistoryError>()
        .or(match err.downcast_ref::<ReportError>() {
            Some(ReportError::History(h)) => Some(h),
            _ => None,
        });
    match history {
        Some(h) if h.is_busy() => EXIT_DATABASE_BUSY,
        Some(_) => EXIT_DATABASE,
        None => EXIT_USAGE,
    }
}
