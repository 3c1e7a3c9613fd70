//! `iislog report`: resolves the zone, days, alert rules and history into
//! `ReportOptions`, runs the nightly report, and prints on stderr what it read, passed over
//! and wrote, and which alert rules tripped; the reports themselves are files.

use std::io::{self, IsTerminal};
use std::time::Duration;

use anyhow::bail;
use iislog::error::terminal_text;

use iislog::days::{day_of, day_text, DayRange, UtcOffset, Zone};
use iislog::progress::Progress;
use iislog::report::alert::Rule;
use iislog::report::empty as days_without_lines;
use iislog::report::run::{self, ReportOptions, ReportOutcome};

use super::cli::ReportArgs;
use super::{
    local_today, print_file_accounts, print_notes, resolve_lang, shown, warn_not_logs,
    warn_problems, Ending,
};

pub fn run(args: ReportArgs) -> anyhow::Result<Ending> {
    let opts = options(&args)?;
    // A bar only on a terminal: a long first run with --db reads years of logs.
    let progress = Progress::new(io::stderr().is_terminal() && !args.quiet);
    let outcome = run::report(&opts, &progress)?;
    warn_problems(&outcome.problems);
    print_notes(&outcome.notes);
    if let (Some(from), Some(db), false) = (&outcome.moved_from, &args.db, args.quiet) {
        eprintln!(
            "iislog: note: {}: moved from UTC offset {from} to time zone {}; the days already counted stay as they were counted at {from}, lines read from now on go by the zone",
            shown(db),
            opts.zone.name()
        );
    }
    warn_not_logs(&outcome.not_logs, &outcome.files);
    if args.verbose {
        // The files with skipped lines, each reason with its first lines.
        print_file_accounts(&outcome.files);
    }
    if !args.quiet {
        for (path, why) in &outcome.passed {
            eprintln!("iislog: note: {}: not in the report: {why}", shown(path));
        }
    }
    if let (Some(field), false, [_, ..]) = (
        &opts.client_ip_field,
        outcome.ip_field_found,
        outcome.ip_field_missing.as_slice(),
    ) {
        // No block of any file logs it: a typo, most likely, not a mixed folder.
        eprintln!(
            "iislog: warning: --client-ip-field {}: no log read has this field in its #Fields (check the name as the #Fields line writes it, e.g. X-Forwarded-For or cs(X-Forwarded-For)); the client-IP lists use c-ip",
            terminal_text(field)
        );
    } else if let (Some(field), [first, rest @ ..]) =
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
        eprintln!("iislog: report: {}", totals_line(&outcome));
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

/// The line an unattended job leaves on stderr: what was read (lines, requests, skipped
/// lines, as `summary` says them), then the requests of the asked days and where their
/// pages are, then the time.
fn totals_line(o: &ReportOutcome) -> String {
    let mut read = format!(
        "{} files, {} lines, {} requests",
        o.files_read, o.acct.lines, o.requests
    );
    let elsewhere: Vec<String> = [
        (o.outside, "on days not asked"),
        (o.undated, "with no date"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if !elsewhere.is_empty() {
        read.push_str(&format!(" ({})", elsewhere.join(", ")));
    }
    read.push_str(&format!(
        ", {} skipped, {:.1} MB read",
        o.acct.skipped_total(),
        o.bytes_read as f64 / 1e6
    ));
    let page = |dir: &std::path::Path| shown(dir.join("report.html"));
    let written = match o.days_written.as_slice() {
        [] => "no day written".to_string(),
        [(d, dir)] => format!(
            "{}: {} requests, {}",
            day_text(*d),
            o.asked_requests,
            page(dir)
        ),
        [(first, first_dir), .., (last, last_dir)] => format!(
            "{} days, {} to {}: {} requests, {} to {}",
            o.days_written.len(),
            day_text(*first),
            day_text(*last),
            o.asked_requests,
            page(first_dir),
            page(last_dir)
        ),
    };
    format!("{read}; {written}; {:.2} s", o.elapsed.as_secs_f64())
}

/// The flags as the library's options. Of several bad flags, the first checked here is the
/// one reported: the zone, the days, the rules, the language, the code page.
fn options(args: &ReportArgs) -> anyhow::Result<ReportOptions> {
    let zone = match (&args.utc_offset, &args.tz, args.local) {
        (Some(o), _, _) => Zone::fixed(UtcOffset::parse(o)?),
        (None, Some(name), _) => Zone::named(name)?,
        (None, None, true) => Zone::system()?,
        (None, None, false) => Zone::default(),
    };
    if args.move_to_zone && zone.is_fixed() {
        bail!("--move-to-zone moves a history to a time zone with daylight saving: give --tz ZONE (e.g. Europe/Oslo) or --local");
    }
    // `yesterday` and `today` are the zone's with --tz (the machine may be elsewhere);
    // else this machine's, as they always were.
    let today = match &args.tz {
        Some(_) => zone.today(),
        None => local_today(),
    };
    let range = DayRange::resolve(
        args.date.as_deref(),
        args.since.as_deref(),
        args.until.as_deref(),
        today,
    )?;
    let rules = args
        .fail_on
        .iter()
        .map(|r| Rule::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ReportOptions {
        inputs: args.paths.clone(),
        out: args.out.clone(),
        range,
        zone: zone.clone(),
        move_to_zone: args.move_to_zone,
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
        // The day in progress in the report's zone (not this machine's date: at 01:30 in
        // Tokyo, the UTC day of 16:30 yesterday is still running).
        today: day_of(zone.today()),
    })
}
