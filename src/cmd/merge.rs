//! `iislog merge`: sums summary CSVs into one (stdout or `-o FILE`), or merges the
//! histories of a farm's servers into farm report folders; a count on stderr either way.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::anyhow;

use iislog::error::Error;

use iislog::days::{day_text, DayRange};
use iislog::output::{self, Format, WriteOptions};
use iislog::report::empty as days_without_lines;
use iislog::report::merge::{is_csv, merge_csvs};
use iislog::report::run::{merge_histories, server_name};
use iislog::report::write::write_atomic;

use super::cli::MergeArgs;
use super::{local_today, resolve_lang, shown, to_stdout, Ending};

pub fn run(args: MergeArgs) -> anyhow::Result<Ending> {
    let csvs = args.inputs.iter().filter(|p| is_csv(p)).count();
    if csvs == args.inputs.len() {
        return csvs_into_one(&args);
    }
    if csvs > 0 {
        return Err(anyhow!(
            "merge either summary CSVs or history databases, not both"
        ));
    }
    histories_into_folders(&args)
}

/// Summary CSVs: their counts summed, written as one summary CSV.
fn csvs_into_one(args: &MergeArgs) -> anyhow::Result<Ending> {
    let summary = merge_csvs(&args.inputs, resolve_lang(args.lang.as_deref())?)?;
    let wopts = WriteOptions {
        format: Format::Csv,
        details: false,
        bom: false,
        width: None,
    };
    match &args.output {
        Some(path) => {
            // Built whole, then renamed into place: a failed merge leaves no half file.
            let mut buf = Vec::new();
            output::write(&summary, wopts, &mut buf)?;
            write_atomic(path, &buf).map_err(|source| Error::Output {
                target: shown(path),
                source,
            })?;
        }
        None => to_stdout(|out| output::write(&summary, wopts, out))?,
    }
    if !args.quiet {
        let n: u64 = summary.requests.values().sum();
        eprintln!("iislog: merge: {} CSVs, {} requests", args.inputs.len(), n);
    }
    Ok(Ending::Clean)
}

/// Histories, one per server: the asked days' report folders for the whole farm.
fn histories_into_folders(args: &MergeArgs) -> anyhow::Result<Ending> {
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
    // Each server's rows are filed under its name; two of one name would be summed silently.
    let mut names: Vec<&String> = dbs.iter().map(|(n, _)| n).collect();
    names.sort();
    names.dedup();
    if names.len() != dbs.len() {
        return Err(anyhow!("two histories have the same server name; keep each in a folder named after its server (web1/history.db)"));
    }
    let (written, empty) = merge_histories(
        &dbs,
        range,
        &out,
        resolve_lang(args.lang.as_deref())?,
        Duration::from_secs(60),
    )?;
    if !empty.is_empty() {
        eprintln!(
            "iislog: warning: no history holds a line for {} days ({}): no folder written for them",
            days_without_lines::count(&empty),
            days_without_lines::text(&empty, 5)
        );
    }
    if !args.quiet {
        eprintln!(
            "iislog: merge: {} histories, {} days written to {} ({} to {})",
            dbs.len(),
            written.len(),
            shown(&out),
            day_text(range.first),
            day_text(range.last)
        );
    }
    Ok(Ending::Clean)
}
