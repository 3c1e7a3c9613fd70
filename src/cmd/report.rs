//! `iislog report`: resolves the days, offset, alert rules and history into
//! `ReportOptions`, runs the nightly report, and prints on stderr what it read, passed over
//! and wrote, and which alert rules tripped; the reports themselves are files.

use std::time::Duration;

use chrono::Timelike;
use iislog::error::terminal_text;

use iislog::days::{day_of, day_text, shift, Day, DayRange, UtcOffset};
use iislog::report::alert::Rule;
use iislog::report::empty as days_without_lines;
use iislog::report::run::{self, ReportOptions};

use super::cli::ReportArgs;
use super::{local_today, resolve_lang, shown, warn_problems, Ending};

pub fn run(args: ReportArgs) -> anyhow::Result<Ending> {
    let opts = options(&args)?;
    let outcome = run::report(&opts)?;
    warn_problems(&outcome.problems);
    if !args.quiet {
        for (path, why) in &outcome.passed {
            eprintln!("iislog: note: {}: not in the report: {why}", shown(path));
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
            "iislog: note: --client-ip-field {}: a block of {}{more} does not log it; c-ip is used there",
            terminal_text(field),
            shown(first)
        );
    }
    if !outcome.empty.is_empty() {
        // Always shown: a day without lines is not a quiet day.
        let n = days_without_lines::count(&outcome.empty);
        let which = days_without_lines::text(&outcome.empty, 5);
        let days = if n == 1 {
            which
        } else {
            format!("{n} days ({which})")
        };
        let done = match &outcome.empty_page {
            Some(dir) => format!(
                "{} says so; no CSVs written",
                shown(dir.join("report.html"))
            ),
            None => "no report written (a folder from an earlier run is left as it is)".into(),
        };
        eprintln!("iislog: warning: no log holds a line for {days}: {done}");
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
            shown(&args.out),
            outcome.elapsed.as_secs_f64()
        );
    }
    // A tripped rule outranks unreadable inputs: it is what a scheduler watches for.
    Ok(if !outcome.tripped.is_empty() {
        Ending::AlertTripped
    } else if !outcome.problems.is_empty() {
        Ending::SomeUnreadable
    } else {
        Ending::Clean
    })
}

/// The day in progress at the report's offset (not this machine's date: at 01:30 in
/// Tokyo, the UTC day of 16:30 yesterday is still running).
fn today_at(offset: UtcOffset) -> Day {
    let now = chrono::Utc::now();
    let second = i32::try_from(now.time().num_seconds_from_midnight()).unwrap_or(0);
    shift(day_of(now.date_naive()), second, offset).0
}

/// The flags as the library's options. Of several bad flags, the first checked here is the
/// one reported: the days, the offset, the rules, the language, the code page.
fn options(args: &ReportArgs) -> anyhow::Result<ReportOptions> {
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
    Ok(ReportOptions {
        inputs: args.paths.clone(),
        out: args.out.clone(),
        range,
        offset,
        db: args.db.clone(),
        rules,
        lang: resolve_lang(args.lang.as_deref())?,
        wait: Duration::from_secs(args.wait),
        client_ip_field: args.client_ip_field.clone(),
        codepage: args
            .codepage
            .as_deref()
            .map(iislog::format::codepage::parse)
            .transpose()?,
        today: today_at(offset),
    })
}
