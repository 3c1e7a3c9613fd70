//! `iislog summary`: resolves the paths and flags into `SummaryOptions`, runs the tally, and
//! writes the table, CSV, JSON or workbook (and the HTTPERR rows by reason) to stdout or
//! files, with warnings, the `--verbose` account and the closing totals line on stderr.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::anyhow;

use iislog::error::Error;
use iislog::format::w3c::FieldMap;
use iislog::output::{self, Format, WriteOptions};
use iislog::progress::Progress;
use iislog::{Outcome, RunStatus, SummaryOptions};

use super::cli::{SummaryArgs, SummaryFormat};
use super::{
    config, print_file_accounts, print_notes, resolve_lang, shown, to_stdout, warn_not_logs,
    warn_problems, Ending,
};

pub fn run(args: SummaryArgs) -> anyhow::Result<Ending> {
    let inputs = if args.paths.is_empty() {
        default_inputs()?
    } else {
        args.paths.clone()
    };
    let mut opts = SummaryOptions::new(inputs);
    if let Some(list) = &args.fields {
        let map = FieldMap::parse(list.as_bytes())
            .map_err(|e| Error::BadFieldsOption(format!("{e}; give the names as in a #Fields line, e.g. \"date time cs-uri-stem sc-status\"")))?;
        opts.fields = Some(map);
    }
    opts.lang = resolve_lang(args.lang.as_deref())?;
    // More threads than cores only adds switching (and thousands of them would exhaust
    // the machine): cut to the cores, and say so.
    opts.threads = args.threads.map(|n| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if n > cores && !args.quiet {
            eprintln!("iislog: note: --threads {n}: this machine has {cores} cores; using {cores}");
        }
        n.min(cores)
    });
    opts.details = args.details;

    let workbook = match args.format {
        Some(f) => f == SummaryFormat::Xlsx,
        None => args.output.as_deref().is_some_and(is_xlsx_name),
    };
    if workbook && args.output.is_none() && io::stdout().is_terminal() {
        return Err(anyhow!(
            "--format xlsx writes a workbook, not text: give -o FILE.xlsx, or send stdout to a file"
        ));
    }

    // Create the output file before the long work, so a bad path fails at once.
    let mut file = match &args.output {
        Some(path) => {
            Some(
                File::create(path)
                    .map(BufWriter::new)
                    .map_err(|source| Error::Output {
                        target: shown(path),
                        source,
                    })?,
            )
        }
        None => None,
    };

    let progress = Progress::new(io::stderr().is_terminal() && !args.quiet);
    let outcome = iislog::summarize(&opts, &progress)?;

    warn_problems(&outcome.problems);
    print_notes(&outcome.notes);
    warn_not_logs(&outcome.not_logs, &outcome.summary.files);
    if args.verbose {
        print_verbose(&outcome);
    }

    if workbook {
        write_workbook(&outcome, &args, file.as_mut())?;
        if !args.quiet {
            print_totals(&outcome);
        }
        return Ok(ending(&outcome));
    }

    let format = match (args.format.and_then(SummaryFormat::text), &args.output) {
        (Some(f), _) => f,
        (None, Some(_)) => Format::Csv,
        (None, None) if io::stdout().is_terminal() => Format::Table,
        (None, None) => Format::Csv,
    };
    let wopts = WriteOptions {
        format,
        details: args.details,
        bom: args.excel,
        width: table_width(),
    };
    let httperr = &outcome.httperr;
    match (&mut file, &args.output) {
        (Some(f), Some(path)) => {
            let target = shown(path);
            output::write_with_httperr(&outcome.summary, httperr, wopts, f)
                .and_then(|()| f.flush())
                .map_err(|source| Error::Output { target, source })?;
        }
        _ => to_stdout(|out| output::write_with_httperr(&outcome.summary, httperr, wopts, out))?,
    }

    let httperr_to = args
        .httperr_output
        .clone()
        .or_else(|| args.output.as_deref().map(httperr_path));
    match httperr_to {
        Some(path) if !httperr.is_empty() || args.httperr_output.is_some() => {
            let target = shown(&path);
            let csv = WriteOptions {
                format: Format::Csv,
                ..wopts
            };
            File::create(&path)
                .map(BufWriter::new)
                .and_then(|mut f| {
                    output::write_httperr_csv(httperr, csv, &mut f)?;
                    f.flush()
                })
                .map_err(|source| Error::Output { target, source })?;
        }
        None if !httperr.is_empty() && format == Format::Csv && !args.quiet => eprintln!(
            "iislog: {} HTTPERR rows by reason not written: add --httperr-output FILE",
            httperr.len()
        ),
        _ => {}
    }

    if !args.quiet {
        print_totals(&outcome);
    }
    Ok(ending(&outcome))
}

fn ending(outcome: &Outcome) -> Ending {
    match outcome.status() {
        RunStatus::Clean => Ending::Clean,
        RunStatus::SomeUnreadable => Ending::SomeUnreadable,
    }
}

/// Whether a file name asks for a workbook: `*.xlsx`, in any case.
fn is_xlsx_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// `--format xlsx`: the summary and the HTTPERR rows as one workbook, to `-o FILE` (already
/// created) or stdout; `--httperr-output FILE` still gets the HTTPERR CSV.
fn write_workbook(
    outcome: &Outcome,
    args: &SummaryArgs,
    file: Option<&mut BufWriter<File>>,
) -> anyhow::Result<()> {
    let httperr = &outcome.httperr;
    let target = args
        .output
        .as_ref()
        .map_or_else(|| "stdout".to_string(), shown);
    let bytes =
        output::summary_workbook(&outcome.summary, httperr, args.details).map_err(|source| {
            Error::Output {
                target: target.clone(),
                source,
            }
        })?;
    match file {
        Some(f) => f
            .write_all(&bytes)
            .and_then(|()| f.flush())
            .map_err(|source| Error::Output { target, source })?,
        None => to_stdout(|out| out.write_all(&bytes))?,
    }
    if let Some(path) = &args.httperr_output {
        let target = shown(path);
        let csv = WriteOptions {
            format: Format::Csv,
            details: args.details,
            bom: args.excel,
            width: None,
        };
        File::create(path)
            .map(BufWriter::new)
            .and_then(|mut f| {
                output::write_httperr_csv(httperr, csv, &mut f)?;
                f.flush()
            })
            .map_err(|source| Error::Output { target, source })?;
    }
    Ok(())
}

/// Where `-o FILE` puts the HTTPERR rows: `summary.csv` → `summary-httperr.csv`.
fn httperr_path(output: &Path) -> PathBuf {
    let stem = output.file_stem().unwrap_or_default().to_string_lossy();
    let ext = output
        .extension()
        .map_or_else(|| "csv".into(), |e| e.to_string_lossy());
    output.with_file_name(format!("{stem}-httperr.{ext}"))
}

/// With no PATH: the default IIS folders on Windows; elsewhere a usage error.
fn default_inputs() -> anyhow::Result<Vec<PathBuf>> {
    if !cfg!(windows) {
        return Err(Error::NoInput { hint: "" }.into());
    }
    let dirs = config::default_log_dirs(
        std::env::var_os("SystemDrive"),
        std::env::var_os("WINDIR"),
        |p| p.is_dir(),
    );
    if dirs.is_empty() {
        return Err(Error::NoInput {
            hint: " (neither %SystemDrive%\\inetpub\\logs\\LogFiles nor %WINDIR%\\System32\\LogFiles exists here)",
        }
        .into());
    }
    for d in &dirs {
        eprintln!("iislog: reading {}", shown(d));
    }
    Ok(dirs)
}

/// The one line an unattended job leaves on stderr.
fn print_totals(outcome: &Outcome) {
    let t = &outcome.summary.totals;
    let secs = outcome.elapsed.as_secs_f64();
    let mbps = if secs > 0.0 {
        t.bytes as f64 / 1e6 / secs
    } else {
        0.0
    };
    eprintln!(
        "iislog: {} files, {} lines, {} requests, {} skipped, {:.2} s, {:.1} MB/s",
        outcome.summary.files.len(),
        t.lines,
        t.requests,
        t.skipped_total(),
        secs,
        mbps
    );
}

/// `--verbose`: the files passed over and why, then per file read its line counts and its
/// skipped lines by reason with their first examples as `file:line`.
fn print_verbose(outcome: &Outcome) {
    for p in &outcome.passed {
        eprintln!("iislog: passed over {}: {}", shown(&p.path), p.why);
    }
    print_file_accounts(&outcome.summary.files);
}

/// The width a table's descriptions wrap to: `COLUMNS` when set (as shells and many tools
/// honour it), else the terminal's width when stdout is one; no wrapping otherwise.
fn table_width() -> Option<usize> {
    if let Some(cols) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
    {
        return Some(cols);
    }
    let stdout = io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(&stdout).map(|(terminal_size::Width(w), _)| usize::from(w))
}
