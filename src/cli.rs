//! The command line: syntax only (clap derive). What the flags mean is resolved in main.rs
//! into the library's options; no other module sees clap's types.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use iislog::output::Format;

/// The exit-code table, shown in every `--help`.
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  every input was read
  1  some inputs could not be read (the summary of the rest is still written)
  2  usage error, or nothing to read"
    };
}

#[derive(Debug, Parser)]
#[command(
    name = "iislog",
    version,
    about = "Count and explain every status an IIS server served, from its W3C logs.",
    after_help = exit_codes!(),
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
  iislog summary old.log --fields \"date time cs-uri-stem sc-status sc-substatus sc-win32-status\"

Folders are read recursively. A file is read when its name is an IIS log name
(ex*.log, u_ex*.log, httperr*.log) or it starts with a W3C directive; files named
on the command line are always read. The service comes from the folder (W3SVC<n>,
MSFTPSVC<n>, FTPSVC<n>, SMTPSVC<n>, HTTPERR) or else from the content.

CSV columns: service,status,substatus,win32_status,count,percent,description
(`-` where a code is empty or not logged; percent is the share of the service's
requests).

", exit_codes!()))]
    Summary(SummaryArgs),

    /// Explain a status code: what it means, what usually causes it, what to check.
    #[command(after_help = concat!("\
Examples:
  iislog explain 403.14
  iislog explain \"401 2 5\"                     # a log line's status, substatus and win32
  iislog explain 550 --service ftp --lang nb
  iislog explain --win32 64
  iislog explain Timer_ConnectionIdle --service httperr
  iislog explain --list --format csv --excel > catalogue.csv

Look-up falls back from status.substatus to the status, then to its class (4xx);
an unknown code still gets an answer.

", exit_codes!()))]
    Explain(ExplainArgs),
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["code", "win32", "list"])))]
pub struct ExplainArgs {
    /// The code: 403, 403.14, 4xx, "401 2 5", or an HTTPERR reason.
    #[arg(value_name = "CODE")]
    pub code: Option<String>,

    /// The service whose meanings apply (550 on ftp is not 550 on http) [default: http].
    #[arg(long, value_enum)]
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

#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// Log files or folders. On Windows, none means the default IIS log folders.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write CSV to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format [default: table on a terminal, else csv].
    #[arg(short, long, value_enum)]
    pub format: Option<Format>,

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

    /// Worker threads [default: one per core].
    #[arg(short = 'j', long, value_name = "N")]
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
