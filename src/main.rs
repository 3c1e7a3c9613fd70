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

use crate::cli::{Cli, Command, ExplainArgs, HistoryArgs, MergeArgs, ReportArgs, SummaryArgs};

const EXIT_OK: u8 = 0;
const EXIT_SOME_UNREADABLE: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_ALERT: u8 = 3;
const EXIT_DATABASE: u8 = 4;
const EXIT_DATABASE_BUSY: u8 = 5;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Summary(args) => summary(args),
        Command::Explain(args) => explain(args),
        Command::Report(args) => report(args),
        Command::History(args) => history(args),
        Command::Merge(args) => merge(args),
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
            ExitCode::from(exit_code_of(&err))
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
    let httperr = &outcome.httperr;
    match (&mut file, &args.output) {
        (Some(f), Some(path)) => {
            let target = path.display().to_string();
            output::write_with_httperr(&outcome.summary, httperr, wopts, f)
                .and_then(|()| f.flush())
                .map_err(|source| Error::Output { target, source })?;
        }
        _ => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            output::write_with_httperr(&outcome.summary, httperr, wopts, &mut out)
                .and_then(|()| out.flush())
                .map_err(|source| Error::Output {
                    target: "stdout".into(),
                    source,
                })?;
        }
    }

    let httperr_to = args
        .httperr_output
        .clone()
        .or_else(|| args.output.as_deref().map(httperr_path));
    match httperr_to {
        Some(path) if !httperr.is_empty() || args.httperr_output.is_some() => {
            let target = path.display().to_string();
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
    Ok(match outcome.status() {
        RunStatus::Clean => EXIT_OK,
        RunStatus::SomeUnreadable => EXIT_SOME_UNREADABLE,
    })
}

/// Where `-o FILE` puts the HTTPERR rows: `summary.csv` → `summary-httperr.csv`.
fn httperr_path(output: &std::path::Path) -> PathBuf {
    let stem = output.file_stem().unwrap_or_default().to_string_lossy();
    let ext = output
        .extension()
        .map_or_else(|| "csv".into(), |e| e.to_string_lossy());
    output.with_file_name(format!("{stem}-httperr.{ext}"))
}

/// `--lang`, else the locale's language, else English.
fn resolve_lang(flag: Option<&str>) -> anyhow::Result<Lang> {
    match flag {
        Some(code) => Lang::from_code(code)
            .ok_or_else(|| anyhow!("--lang {code}: unknown language; use en, ja or nb")),
        None => Ok(config::default_lang(
            |k| std::env::var(k).ok(),
            config::system_locale(),
        )),
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
        ex::explain(cat, service, &args.code.join(" "), lang)?
    };
    let text = ex::render(cat, &items, args.format, ex::wants_bom(args.excel))?;
    print_stdout(&text)?;
    Ok(EXIT_OK)
}

/// Writes a finished text to stdout; a closed pipe is reported as `Error::Output`, which
/// `main` treats as no error.
fn print_stdout(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::Output {
            target: "stdout".into(),
            source,
        })
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

/// The exit code of an error: 4 or 5 for a history database, else 2.
fn exit_code_of(err: &anyhow::Error) -> u8 {
    use iislog::history::HistoryError;
    use iislog::report::run::ReportError;
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

fn local_today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn report(args: ReportArgs) -> anyhow::Result<u8> {
    use iislog::days::{day_text, DayRange, UtcOffset};
    use iislog::report::alert::Rule;
    use iislog::report::run::{self, ReportOptions};
    let range = DayRange::resolve(
        args.date.as_deref(),
        args.since.as_deref(),
        args.until.as_deref(),
        local_today(),
    )?;
    let offset = match (&args.utc_offset, args.local) {
        (Some(o), _) => UtcOffset::parse(o)?,
        (None, true) => UtcOffset::local(),
        (None, false) => UtcOffset::UTC,
    };
    let rules = args
        .fail_on
        .iter()
        .map(|r| Rule::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    let opts = ReportOptions {
        inputs: args.paths.clone(),
        out: args.out.clone(),
        range,
        offset,
        db: args.db.clone(),
        rules,
        lang: resolve_lang(args.lang.as_deref())?,
        wait: std::time::Duration::from_secs(args.wait),
        client_ip_field: args.client_ip_field.clone(),
        codepage: args
            .codepage
            .as_deref()
            .map(iislog::codepage::parse)
            .transpose()?,
    };
    let outcome = run::report(&opts)?;
    for p in &outcome.problems {
        eprintln!("iislog: warning: {p}");
    }
    if !args.quiet {
        for (path, why) in &outcome.passed {
            eprintln!("iislog: note: {}: not in the report: {why}", path.display());
        }
    }
    if let (Some(field), [first, rest @ ..]) =
        (&opts.client_ip_field, outcome.ip_field_missing.as_slice())
    {
        let more = match rest.len() {
            0 => String::new(),
            n => format!(" and {n} more file(s)"),
        };
        eprintln!(
            "iislog: note: --client-ip-field {field}: a block of {}{more} does not log it; c-ip is used there",
            first.display()
        );
    }
    for t in &outcome.tripped {
        eprintln!("iislog: alert: {t}");
    }
    if !args.quiet {
        let days: Vec<String> = outcome
            .days_written
            .iter()
            .map(|(d, _)| day_text(*d))
            .collect();
        let days = match days.as_slice() {
            [] => "no day".to_string(),
            [one] => one.clone(),
            [first, .., last] => format!("{} days, {first} to {last}", days.len()),
        };
        eprintln!(
            "iislog: report: {} files, {:.1} MB read, {} requests; {} written to {}; {:.2} s",
            outcome.files_read,
            outcome.bytes_read as f64 / 1e6,
            outcome.requests,
            days,
            args.out.display(),
            outcome.elapsed.as_secs_f64()
        );
    }
    Ok(if !outcome.tripped.is_empty() {
        EXIT_ALERT
    } else if !outcome.problems.is_empty() {
        EXIT_SOME_UNREADABLE
    } else {
        EXIT_OK
    })
}

fn history(args: HistoryArgs) -> anyhow::Result<u8> {
    use iislog::days::{day_text, parse_day};
    use iislog::history::{Store, Tx};
    use iislog::report::alert::Rule;
    if !args.db.is_file() {
        return Err(anyhow!("{}: no such history database", args.db.display()));
    }
    let Rule::Above(selector, _) = Rule::parse(&format!("{}>0", args.code)).map_err(|_| {
        anyhow!(
            "--code {:?}: use a class (5xx), a code (503) or code.substatus (500.19)",
            args.code
        )
    })?
    else {
        return Err(anyhow!(
            "--code {:?}: use a class, a code or code.substatus",
            args.code
        ));
    };
    let mut store = Store::open(&args.db, std::time::Duration::from_secs(10))?;
    let path = store.path().to_path_buf();
    let tx = store.read()?;
    let q = Tx {
        tx: &tx,
        path: &path,
    };
    let last = match &args.until {
        Some(d) => parse_day(d, local_today())?,
        None => match q.days()?.last() {
            Some(d) => *d,
            None => iislog::days::day_of(local_today()),
        },
    };
    let first = last - i32::try_from(args.days.max(1)).unwrap_or(30) + 1;
    let mut rows = Vec::new();
    for d in first..=last {
        let counts = q.day_counts(d)?;
        let total: u64 = counts.values().sum();
        let hit: u64 = counts
            .iter()
            .filter(|((_, c), _)| selector.matches(c))
            .map(|(_, n)| n)
            .sum();
        let pct = if total == 0 {
            0.0
        } else {
            hit as f64 * 100.0 / total as f64
        };
        rows.push([
            day_text(d),
            total.to_string(),
            hit.to_string(),
            format!("{pct:.2}"),
        ]);
    }
    let header = ["day", "requests", &selector.to_string(), "percent"];
    let table = match args.format {
        Some(Format::Table) => true,
        Some(_) => false,
        None => io::stdout().is_terminal(),
    };
    let mut text = String::new();
    if table {
        text.push_str(&format!(
            "{:<10}  {:>10}  {:>10}  {:>7}\n",
            header[0], header[1], header[2], header[3]
        ));
        for r in &rows {
            text.push_str(&format!(
                "{:<10}  {:>10}  {:>10}  {:>6}%\n",
                r[0], r[1], r[2], r[3]
            ));
        }
    } else {
        text.push_str(&header.join(","));
        text.push_str("\r\n");
        for r in &rows {
            text.push_str(&r.join(","));
            text.push_str("\r\n");
        }
    }
    print_stdout(&text)?;
    Ok(EXIT_OK)
}

fn merge(args: MergeArgs) -> anyhow::Result<u8> {
    use iislog::days::{day_text, DayRange};
    use iislog::report::merge::{is_csv, merge_csvs};
    use iislog::report::run::{merge_histories, server_name};
    let csvs = args.inputs.iter().filter(|p| is_csv(p)).count();
    if csvs == args.inputs.len() {
        let summary = merge_csvs(&args.inputs)?;
        let wopts = WriteOptions {
            format: Format::Csv,
            details: false,
            bom: false,
        };
        match &args.output {
            Some(path) => {
                let mut buf = Vec::new();
                output::write(&summary, wopts, &mut buf)?;
                iislog::report::write::write_atomic(path, &buf)
                    .with_context(|| format!("could not write {}", path.display()))?;
            }
            None => {
                let mut out = BufWriter::new(io::stdout().lock());
                output::write(&summary, wopts, &mut out)
                    .and_then(|()| out.flush())
                    .map_err(|source| Error::Output {
                        target: "stdout".into(),
                        source,
                    })?;
            }
        }
        if !args.quiet {
            let n: u64 = summary.requests.values().sum();
            eprintln!("iislog: merge: {} CSVs, {} requests", args.inputs.len(), n);
        }
        return Ok(EXIT_OK);
    }
    if csvs > 0 {
        return Err(anyhow!(
            "merge either summary CSVs or history databases, not both"
        ));
    }
    let range = DayRange::resolve(
        args.date.as_deref(),
        args.since.as_deref(),
        args.until.as_deref(),
        local_today(),
    )?
    .ok_or_else(|| anyhow!("merging histories needs the days: --date, or --since/--until"))?;
    let out = args.out.clone().ok_or_else(|| {
        anyhow!("merging histories needs --out DIR for the farm's report folders")
    })?;
    let dbs: Vec<(String, PathBuf)> = args
        .inputs
        .iter()
        .map(|p| (server_name(p), p.clone()))
        .collect();
    let mut names: Vec<&String> = dbs.iter().map(|(n, _)| n).collect();
    names.sort();
    names.dedup();
    if names.len() != dbs.len() {
        return Err(anyhow!("two histories have the same server name; keep each in a folder named after its server (web1/history.db)"));
    }
    let written = merge_histories(
        &dbs,
        range,
        &out,
        resolve_lang(args.lang.as_deref())?,
        std::time::Duration::from_secs(60),
    )?;
    if !args.quiet {
        eprintln!(
            "iislog: merge: {} histories, {} days written to {} ({} to {})",
            dbs.len(),
            written.len(),
            out.display(),
            day_text(range.first),
            day_text(range.last)
        );
    }
    Ok(EXIT_OK)
}
