//! `iislog history`: reads a history database (only reads: a read-only file will do) and
//! prints, per day, one service's requests (http's, or `--code ftp:530`'s) and the share
//! of one class or code among them on stdout: a table on a terminal, else CSV, or JSON.

use std::io::{self, IsTerminal};
use std::time::Duration;

use anyhow::anyhow;

use iislog::days::{day_of, day_text, parse_day};
use iislog::history::{Store, Tx};
use iislog::output::Format;
use iislog::report::alert::{Target, What};
use iislog::service::Service;

use super::cli::HistoryArgs;
use super::{local_today, print_stdout, shown, Ending};

pub fn run(args: HistoryArgs) -> anyhow::Result<Ending> {
    // Opening would create a missing file; a history is only ever read here.
    if !args.db.is_file() {
        return Err(anyhow!("{}: no such history database", shown(&args.db)));
    }
    // `--code` is an alert rule's target: parsed as one, so both accept the same codes,
    // of one service (http unless named: FTP's 530 is no HTTP 5xx).
    let bad = || {
        anyhow!(
            "--code {:?}: use a class (5xx), a code (503) or code.substatus (500.19), optionally after a service (ftp:530); the history keeps no verdicts",
            args.code
        )
    };
    let target = Target::parse(&args.code.to_ascii_lowercase()).map_err(|_| bad())?;
    let What::Codes(selector) = target.what else {
        return Err(bad());
    };
    let service = target.service.unwrap_or(Service::Http);
    let label = match service {
        Service::Http => selector.to_string(),
        s => format!("{}:{selector}", s.name()),
    };
    let mut store = Store::open_read_only(&args.db, Duration::from_secs(10))?;
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
            None => day_of(local_today()),
        },
    };
    // `--days` is 1 to MAX_HISTORY_DAYS (clap checks it): no overflow here.
    let first = last - i32::try_from(args.days).unwrap_or(1) + 1;
    let mut rows = Vec::new();
    for d in first..=last {
        let counts = q.day_counts(d)?;
        let of_service = || counts.iter().filter(|((s, _), _)| *s == service);
        let total: u64 = of_service().map(|(_, n)| n).sum();
        let hit: u64 = of_service()
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
    let header = ["day", "requests", &label, "percent"];
    let format = match args.format {
        Some(f) => f,
        None if io::stdout().is_terminal() => Format::Table,
        None => Format::Csv,
    };
    let text = match format {
        Format::Json => json(&label, &rows)?,
        Format::Table => render(&header, &rows, true),
        _ => render(&header, &rows, false),
    };
    print_stdout(&text)?;
    Ok(Ending::Clean)
}

/// The rows as JSON: `{"code": "5xx", "days": [{"day", "requests", "count", "percent"}]}`,
/// numbers as numbers.
fn json(code: &str, rows: &[[String; 4]]) -> anyhow::Result<String> {
    let days: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let number = |s: &str| {
                s.parse::<serde_json::Number>()
                    .map_err(|e| anyhow!("{s}: {e}"))
            };
            Ok(serde_json::json!({
                "day": r[0],
                "requests": number(&r[1])?,
                "count": number(&r[2])?,
                "percent": number(&r[3])?,
            }))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut text =
        serde_json::to_string_pretty(&serde_json::json!({ "code": code, "days": days }))?;
    text.push('\n');
    Ok(text)
}

/// The rows as aligned columns, or as CSV with CRLF line ends like the other CSVs.
fn render(header: &[&str; 4], rows: &[[String; 4]], table: bool) -> String {
    let mut text = String::new();
    if table {
        text.push_str(&format!(
            "{:<10}  {:>10}  {:>10}  {:>7}\n",
            header[0], header[1], header[2], header[3]
        ));
        for r in rows {
            text.push_str(&format!(
                "{:<10}  {:>10}  {:>10}  {:>6}%\n",
                r[0], r[1], r[2], r[3]
            ));
        }
    } else {
        text.push_str(&header.join(","));
        text.push_str("\r\n");
        for r in rows {
            text.push_str(&r.join(","));
            text.push_str("\r\n");
        }
    }
    text
}
