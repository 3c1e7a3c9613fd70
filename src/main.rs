//! The `iislog` binary: parses the command line, calls the library, prints diagnostics on
//! stderr and maps the outcome to an exit code (0 all read, 1 some inputs unreadable,
//! 2 usage error or nothing to read). A closed pipe on stdout is no error.

mod cli;

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::Parser;

use iislog::catalogue::Lang;
use iislog::error::Error;
use iislog::output::{self, Format, WriteOptions};
use iislog::progress::Progress;
use iislog::tally::SkipReason;
use iislog::w3c::FieldMap;
use iislog::{config, Outcome, RunStatus, SummaryOptions};

use crate::cli::{Cli, Command, ExplainArgs, SummaryArgs};

const EXIT_OK: u8 = 0;
const EXIT_SOME_UNREADABLE: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Summary(args) => summary(args),
        Command::Explain(args) => explain(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if let Some(e) = err.downcast_ref::<Error>() {
                if e.is_broken_pipe() {
                    return ExitCode::from(EXIT_OK);
                }
            }
            eprintln!("iislog: error: {err:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn summary(args: SummaryArgs) -> anyhow::Result<u8> {
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
    opts.threads = match args.threads {
        Some(0) => return Err(anyhow!("--threads 0: give at least 1")),
        n => n,
    };
    opts.details = args.details;

    // Create the output file before the long work, so a bad path fails at once.
    let mut file = match &args.output {
        Some(path) => Some(
            File::create(path)
                .map(BufWriter::new)
                .with_context(|| format!("could not create {}", path.display()))?,
        ),
        None => None,
    };

    let progress = Progress::new(io::stderr().is_terminal() && !args.quiet);
    let outcome = iislog::summarize(&opts, &progress)?;

    for p in &outcome.problems {
        eprintln!("iislog: warning: {p}");
    }
    if args.verbose {
        print_verbose(&outcome);
    }

    let format = match (args.format, &args.output) {
        (Some(f), _) => f,
        (None, Some(_)) => Format::Csv,
        (None, None) if io::stdout().is_terminal() => Format::Table,
        (None, None) => Format::Csv,
    };
    let wopts = WriteOptions {
        format,
        details: args.details,
        bom: args.excel,
    };
    match (&mut file, &args.output) {
        (Some(f), Some(path)) => {
            let target = path.display().to_string();
            output::write(&outcome.summary, wopts, f)
                .and_then(|()| f.flush())
                .map_err(|source| Error::Output { target, source })?;
        }
        _ => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            output::write(&outcome.summary, wopts, &mut out)
                .and_then(|()| out.flush())
                .map_err(|source| Error::Output {
                    target: "stdout".into(),
                    source,
                })?;
        }
    }

    if !args.quiet {
        print_totals(&outcome);
    }
    Ok(match outcome.status() {
        RunStatus::Clean => EXIT_OK,
        RunStatus::SomeUnreadable => EXIT_SOME_UNREADABLE,
    })
}

/// `--lang`, else the locale's language, else English.
fn resolve_lang(flag: Option<&str>) -> anyhow::Result<Lang> {
    match flag {
        Some(code) => Lang::from_code(code)
            .ok_or_else(|| anyhow!("--lang {code}: unknown language; use en, ja or nb")),
        None => Ok(config::lang_from_env(|k| std::env::var(k).ok())),
    }
}

fn explain(args: ExplainArgs) -> anyhow::Result<u8> {
    use iislog::catalogue::{Catalogue, Table};
    use iislog::explain as ex;
    let cat = Catalogue::builtin();
    let lang = resolve_lang(args.lang.as_deref())?;
    let service = args.service.unwrap_or(iislog::service::Service::Http);
    let items = if args.list {
        ex::list(cat, args.service.map(Table::for_status), lang)
    } else if let Some(w) = &args.win32 {
        vec![ex::explain_win32(cat, w, lang).map_err(|e| anyhow!("--win32 {e}"))?]
    } else {
        let code = args.code.as_deref().unwrap_or_default();
        ex::explain(cat, service, code, lang)?
    };
    let text = ex::render(cat, &items, args.format, ex::wants_bom(args.excel))?;
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::Output {
            target: "stdout".into(),
            source,
        })?;
    Ok(EXIT_OK)
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
        eprintln!("iislog: reading {}", d.display());
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

fn print_verbose(outcome: &Outcome) {
    for p in &outcome.passed {
        eprintln!("iislog: passed over {}: {}", p.path.display(), p.why);
    }
    for f in &outcome.summary.files {
        eprintln!(
            "iislog: read {} ({}): {} lines, {} requests, {} directives, {} blank, {} skipped",
            f.path.display(),
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
                eprintln!("iislog:     {}:{}", f.path.display(), e.line);
            }
        }
    }
}
