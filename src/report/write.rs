//! The report folder `DIR/YYYY-MM-DD/`: summary.csv (the core summary's columns),
//! by-hour.csv, by-site.csv, top-errors.csv, ftp-commands.csv, ftp-failed-logins.csv,
//! httperr.csv, report.xlsx (the CSVs as one workbook), alerts.csv (the rules that
//! tripped on the day) and report.html. Each file is
//! written under a temporary name and renamed, so a reader never sees half a report;
//! temporary files a killed run left behind are removed by the next run that writes the
//! folder. A day no log holds a line for gets no CSVs (they would look like a quiet day):
//! at most a report.html that says so.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Datelike;
use rayon::prelude::*;

use crate::catalogue::{Catalogue, Lang};
use crate::collect::{topn, HourStats, ReportDay};
use crate::days::{date_of, day_text, Day};
use crate::output::{self, safe_cell, xlsx, Format, WriteOptions};
use crate::report::alert::Tripped;
use crate::report::{html, triage};
use crate::service::Service;
use crate::summary::httperr;
use crate::summary::{code_text, Summary};
use crate::tally::CodeCounts;

/// The files of a report folder, in the order they are written.
pub const FILES: [&str; 10] = [
    "summary.csv",
    "by-hour.csv",
    "by-site.csv",
    "top-errors.csv",
    "ftp-commands.csv",
    "ftp-failed-logins.csv",
    "httperr.csv",
    "report.xlsx",
    "alerts.csv",
    "report.html",
];

/// The core summary of one report day (all servers together).
pub fn day_summary(day: &ReportDay, lang: Lang) -> Summary {
    let mut counts: BTreeMap<Service, CodeCounts> = BTreeMap::new();
    for (service, t) in day.by_service() {
        let c = counts.entry(service).or_default();
        for (k, v) in t.triples() {
            *c.entry(k).or_insert(0) += v;
        }
    }
    let mut summary = Summary::build(&counts, Vec::new(), Catalogue::builtin(), lang, false);
    // A 404 on scanner paths, a burst of failed logons: what the day showed decides.
    triage::judge_summary(&mut summary, day, lang);
    // An HTTPERR row takes the gravest verdict of the reasons logged with its status, as
    // `summary` judges it.
    if let Some(t) = day.by_service().get(&Service::HttpErr) {
        summary.judge_httperr(&httperr::rows(
            &t.httperr,
            Catalogue::builtin(),
            lang,
            false,
        ));
    }
    summary
}

fn csv_writer(out: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out)
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v:.1}"))
}

/// The `hour` of `by-hour.csv`'s rows for requests logged with a date but no time.
pub const UNKNOWN_HOUR: &str = "unknown";

/// `by-hour.csv`: clock hour x service, in the day's order: 24 hours, or 23 or 25 on the
/// days the clocks change (the repeated hour twice, told apart by `utc_offset`); each row
/// says its offset and the zone. Then, for a service with requests logged with a date
/// but no time, a row of hour `unknown` (no offset: there is no time).
pub fn by_hour_csv(day: &ReportDay) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut w = csv_writer(&mut buf);
    w.write_record([
        "hour",
        "service",
        "requests",
        "2xx",
        "3xx",
        "4xx",
        "5xx",
        "time_taken_mean_ms",
        "time_taken_p95_ms",
        "utc_offset",
        "time_zone",
    ])?;
    let services = day.by_service();
    let zone = day.zone.label();
    // One row: the hour's label and UTC offset, the service, and its figures.
    let row = |w: &mut csv::Writer<&mut Vec<u8>>,
               label: String,
               offset: String,
               service: Service,
               h: &HourStats| {
        w.write_record([
            label,
            service.name().to_string(),
            h.requests().to_string(),
            h.classes[2].to_string(),
            h.classes[3].to_string(),
            h.classes[4].to_string(),
            h.classes[5].to_string(),
            fmt_opt(h.mean_ms()),
            fmt_opt(h.p95_ms()),
            offset,
            zone.clone(),
        ])
    };
    let none = HourStats::default();
    for hour in day.hour_rows() {
        for (service, t) in &services {
            let h = t.hours.get(&hour).unwrap_or(&none);
            row(&mut w, hour.hour_text(), hour.offset_text(), *service, h)?;
        }
    }
    // Requests logged with a date and no time belong to the day, in no hour.
    for (service, t) in &services {
        if t.no_hour.requests() > 0 {
            row(
                &mut w,
                UNKNOWN_HOUR.to_string(),
                String::new(),
                *service,
                &t.no_hour,
            )?;
        }
    }
    w.flush()?;
    drop(w);
    Ok(buf)
}

/// `by-site.csv`: site x status triple, with a `server` column first for a farm.
pub fn by_site_csv(day: &ReportDay) -> io::Result<Vec<u8>> {
    let farm = day.is_farm();
    let mut buf = Vec::new();
    let mut w = csv_writer(&mut buf);
    let mut header = vec![
        "service",
        "site",
        "status",
        "substatus",
        "win32_status",
        "count",
        "percent",
    ];
    if farm {
        header.insert(0, "server");
    }
    w.write_record(&header)?;
    for ((server, service), t) in &day.parts {
        let mut per_site: BTreeMap<&str, u64> = BTreeMap::new();
        for ((site, _), n) in &t.codes {
            *per_site.entry(site).or_insert(0) += n;
        }
        let mut rows: Vec<_> = t.codes.iter().collect();
        rows.sort_by(|a, b| (a.0).0.cmp(&(b.0).0).then(b.1.cmp(a.1)).then(a.0.cmp(b.0)));
        for ((site, k), n) in rows {
            let total = per_site.get(site.as_str()).copied().unwrap_or(1).max(1);
            let mut rec = vec![
                service.name().to_string(),
                safe_cell(site).into_owned(),
                code_text(k.status),
                code_text(k.substatus),
                code_text(k.win32),
                n.to_string(),
                format!("{:.2}", *n as f64 * 100.0 / total as f64),
            ];
            if farm {
                rec.insert(0, safe_cell(server).into_owned());
            }
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    drop(w);
    Ok(buf)
}

/// `top-errors.csv`: per 4xx/5xx status.substatus, the most frequent URIs and client IPs.
pub fn top_errors_csv(day: &ReportDay, lang: Lang) -> io::Result<Vec<u8>> {
    let cat = Catalogue::builtin();
    let mut buf = Vec::new();
    let mut w = csv_writer(&mut buf);
    w.write_record([
        "service",
        "status",
        "substatus",
        "kind",
        "rank",
        "value",
        "count",
        "max_overcount",
        "description",
    ])?;
    for (service, t) in day.by_service() {
        for (&(status, sub), pair) in &t.top {
            let description = cat.describe(service, Some(status), sub.value(), None, lang);
            for (kind, list) in [("uri", &pair.uris), ("client-ip", &pair.ips)] {
                for (rank, c) in list.sorted().into_iter().take(topn::SHOWN).enumerate() {
                    w.write_record([
                        service.name(),
                        &status.to_string(),
                        &code_text(sub),
                        kind,
                        &(rank + 1).to_string(),
                        &safe_cell(&c.value),
                        &c.count.to_string(),
                        &c.error.to_string(),
                        &safe_cell(&description),
                    ])?;
                }
            }
        }
    }
    w.flush()?;
    drop(w);
    Ok(buf)
}

/// `ftp-commands.csv`: FTP requests per command (`cs-method`, the IIS 5/6 `[n]` session
/// prefix stripped) and status triple, most frequent command first. Header only without FTP.
pub fn ftp_commands_csv(day: &ReportDay) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut w = csv_writer(&mut buf);
    w.write_record(["command", "status", "substatus", "win32_status", "count"])?;
    let services = day.by_service();
    let none = BTreeMap::new();
    let commands = services
        .get(&Service::Ftp)
        .map_or(&none, |t| &t.ftp_commands);
    let mut per_command: BTreeMap<&str, u64> = BTreeMap::new();
    for ((c, _), n) in commands {
        *per_command.entry(c).or_insert(0) += n;
    }
    let mut rows: Vec<_> = commands.iter().collect();
    rows.sort_by(|a, b| {
        per_command[(b.0).0.as_str()]
            .cmp(&per_command[(a.0).0.as_str()])
            .then(a.0.cmp(b.0))
    });
    for ((command, k), n) in rows {
        w.write_record([
            safe_cell(command).as_ref(),
            &code_text(k.status),
            &code_text(k.substatus),
            &code_text(k.win32),
            &n.to_string(),
        ])?;
    }
    w.flush()?;
    drop(w);
    Ok(buf)
}

/// `ftp-failed-logins.csv`: failed FTP logins (530) by client IP and by user name, the
/// `topn::SHOWN` most frequent of each. Header only without FTP.
pub fn ftp_failed_logins_csv(day: &ReportDay) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut w = csv_writer(&mut buf);
    w.write_record(["kind", "rank", "value", "count", "max_overcount"])?;
    let (ips, users) = day.ftp_failed_logins();
    for (kind, list) in [("client-ip", &ips), ("user", &users)] {
        for (rank, c) in list.sorted().into_iter().take(topn::SHOWN).enumerate() {
            w.write_record([
                kind,
                &(rank + 1).to_string(),
                &safe_cell(&c.value),
                &c.count.to_string(),
                &c.error.to_string(),
            ])?;
        }
    }
    w.flush()?;
    drop(w);
    Ok(buf)
}

/// `httperr.csv`: requests HTTP.sys refused (HTTPERR) by status, reason and (for 503s)
/// application pool, in the columns of `summary`'s HTTPERR CSV: on one server the same
/// bytes `iislog summary -o summary.csv` writes to `summary-httperr.csv` for the day's
/// lines. A farm gets a `server` column first, each server's rows with percents of its
/// own HTTPERR requests. Header only on a day without HTTPERR.
pub fn httperr_csv(day: &ReportDay, lang: Lang) -> io::Result<Vec<u8>> {
    let cat = Catalogue::builtin();
    let farm = day.is_farm();
    let mut buf = Vec::new();
    let mut w = csv_writer(&mut buf);
    let mut header = output::HTTPERR_HEADER.to_vec();
    if farm {
        header.insert(0, "server");
    }
    w.write_record(&header)?;
    if farm {
        for ((server, service), t) in &day.parts {
            if *service != Service::HttpErr {
                continue;
            }
            for row in httperr::rows(&t.httperr, cat, lang, false) {
                let mut record = output::httperr_csv_record(&row, false);
                record.insert(0, safe_cell(server).into_owned());
                w.write_record(&record)?;
            }
        }
    } else if let Some(t) = day.by_service().get(&Service::HttpErr) {
        for row in httperr::rows(&t.httperr, cat, lang, false) {
            w.write_record(output::httperr_csv_record(&row, false))?;
        }
    }
    w.flush()?;
    drop(w);
    Ok(buf)
}

/// `alerts.csv`: the alert rules that tripped on the day, with their figures; `first_day`
/// and `last_day` differ for a rule that tripped alike on a run of days without lines.
/// Header only when none tripped, so a script can tell "checked, nothing" from "missing".
pub fn alerts_csv(alerts: &[Tripped]) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut w = csv_writer(&mut buf);
    w.write_record(["rule", "first_day", "last_day", "figures"])?;
    for a in alerts {
        w.write_record([
            safe_cell(&a.rule).as_ref(),
            &day_text(a.day),
            &day_text(a.last),
            safe_cell(&a.figures).as_ref(),
        ])?;
    }
    w.flush()?;
    drop(w);
    Ok(buf)
}

/// `report.xlsx`: the day's CSVs as one workbook, a sheet each, named as the file without
/// `.csv`, with the same rows and columns (numbers stored as numbers). It is dated the day
/// it reports, so the same day gives the same bytes and an unchanged day is left alone.
pub fn report_xlsx(day: &ReportDay, summary: &Summary, lang: Lang) -> io::Result<Vec<u8>> {
    let tables = [
        ("summary", summary_csv(summary)?),
        ("by-hour", by_hour_csv(day)?),
        ("by-site", by_site_csv(day)?),
        ("top-errors", top_errors_csv(day, lang)?),
        ("ftp-commands", ftp_commands_csv(day)?),
        ("ftp-failed-logins", ftp_failed_logins_csv(day)?),
        ("httperr", httperr_csv(day, lang)?),
    ];
    let sheets: Vec<xlsx::Sheet<'_>> = tables
        .iter()
        .map(|(name, csv)| xlsx::Sheet { name, csv })
        .collect();
    let date = date_of(day.day);
    let props = xlsx::Properties {
        title: format!("IIS report {}", day_text(day.day)),
        created: Some((
            u16::try_from(date.year()).unwrap_or(1980),
            date.month() as u8,
            date.day() as u8,
        )),
    };
    xlsx::workbook(&sheets, &props)
}

/// The rules of `tripped` that tripped on `day` (alone or in a run of days).
pub fn alerts_on(tripped: &[Tripped], day: Day) -> Vec<Tripped> {
    tripped
        .iter()
        .filter(|t| t.day <= day && day <= t.last)
        .cloned()
        .collect()
}

/// `summary.csv`: exactly the columns of `iislog summary --format csv`.
pub fn summary_csv(summary: &Summary) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    output::write(
        summary,
        WriteOptions {
            format: Format::Csv,
            details: false,
            bom: false,
            width: None,
        },
        &mut buf,
    )?;
    Ok(buf)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // An unchanged file is left alone: a nightly run that added nothing to a day costs no
    // rename, and the file's time says when its content last changed. The size first: a
    // file that grew or shrank is not read.
    let same_len = fs::metadata(path).is_ok_and(|m| m.len() == bytes.len() as u64);
    if same_len && fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        // No fsync: the rename is what keeps readers from a half-written file, and a
        // report lost to a power cut is written again from the history.
        f.write_all(bytes)?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// An I/O error that names the folder or file it concerns, so the one message says which
/// one failed.
fn naming(path: &Path) -> impl FnOnce(io::Error) -> io::Error + '_ {
    move |e| io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// The folder of `day`'s report under `out`.
pub fn day_dir(out: &Path, day: Day) -> PathBuf {
    out.join(day_text(day))
}

/// Renders and writes the whole folder for `day` under `out`, with the `alerts` that
/// tripped on it; returns the folder.
pub fn write_day(
    out: &Path,
    day: &ReportDay,
    lang: Lang,
    alerts: &[Tripped],
) -> io::Result<PathBuf> {
    write_day_when(out, day, lang, alerts, &|| true).map(|_| day_dir(out, day.day))
}

/// Renders the folder for `day` and writes each file as soon as it is rendered and
/// `may_write` says yes (it may wait, e.g. for the history's commit: the files render
/// meanwhile). False when `may_write` said no: nothing was written.
pub fn write_day_when(
    out: &Path,
    day: &ReportDay,
    lang: Lang,
    alerts: &[Tripped],
    may_write: &(dyn Fn() -> bool + Sync),
) -> io::Result<bool> {
    let dir = day_dir(out, day.day);
    let summary = day_summary(day, lang);
    type Render<'a> = &'a (dyn Fn() -> io::Result<Vec<u8>> + Sync);
    // The workbook first: it takes the longest, and the others share the other core.
    let renders: [(&str, Render<'_>); 10] = [
        ("report.xlsx", &|| report_xlsx(day, &summary, lang)),
        ("summary.csv", &|| summary_csv(&summary)),
        ("by-hour.csv", &|| by_hour_csv(day)),
        ("by-site.csv", &|| by_site_csv(day)),
        ("top-errors.csv", &|| top_errors_csv(day, lang)),
        ("ftp-commands.csv", &|| ftp_commands_csv(day)),
        ("ftp-failed-logins.csv", &|| ftp_failed_logins_csv(day)),
        ("httperr.csv", &|| httperr_csv(day, lang)),
        ("alerts.csv", &|| alerts_csv(alerts)),
        ("report.html", &|| {
            Ok(html::page(day, &summary, lang, alerts).into_bytes())
        }),
    ];
    // In parallel, each file written as soon as it is ready: an incremental run spends
    // much of its time here, waiting on renames.
    let written = renders
        .par_iter()
        .map(|(name, render)| {
            let bytes = render()?;
            if !may_write() {
                return Ok(false);
            }
            fs::create_dir_all(&dir).map_err(naming(&dir))?;
            let path = dir.join(name);
            write_atomic(&path, &bytes)
                .map(|()| true)
                .map_err(naming(&path))
        })
        .collect::<io::Result<Vec<bool>>>()?;
    let all = written.iter().all(|&w| w);
    if all {
        clear_leftovers(&dir);
    }
    Ok(all)
}

/// Writes the folder of a day no log holds a line for: only `report.html`, which says so
/// at its top, and no CSVs. A folder that exists is left as it is: its report was made
/// from logs that have since been removed, or says the same. The folder, when written.
pub fn write_no_lines_day(out: &Path, day: &ReportDay, lang: Lang) -> io::Result<Option<PathBuf>> {
    let dir = day_dir(out, day.day);
    if fs::symlink_metadata(&dir).is_ok() {
        return Ok(None);
    }
    let summary = day_summary(day, lang);
    fs::create_dir_all(&dir)?;
    write_atomic(
        &dir.join("report.html"),
        html::page(day, &summary, lang, &[]).as_bytes(),
    )?;
    Ok(Some(dir))
}

/// How old a temporary report file must be to be taken for a killed run's: a live run
/// renames its temporary files moments after creating them.
const LEFTOVER_AGE: Duration = Duration::from_secs(10 * 60);

/// Removes the temporary files a killed run left in a day folder: only the names
/// [`write_atomic`] gives the folder's files (`.summary.csv.1234.tmp`), and only those
/// older than [`LEFTOVER_AGE`], so another run's file in the making is never touched.
fn clear_leftovers(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_own_temp) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= LEFTOVER_AGE);
        if old {
            // Another run may have removed it first: nothing to report either way.
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// `.NAME.PID.tmp` with NAME one of the report folder's files.
fn is_own_temp(name: &str) -> bool {
    let Some((file, pid)) = name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(".tmp"))
        .and_then(|n| n.rsplit_once('.'))
    else {
        return false;
    };
    !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && FILES.contains(&file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn own_temporary_names() {
        assert!(is_own_temp(".summary.csv.1234.tmp"));
        assert!(is_own_temp(".report.html.7.tmp"));
        for other in [
            "summary.csv",
            ".summary.csv.tmp",
            ".summary.csv.12a.tmp",
            ".notes.txt.1234.tmp",
            "summary.csv.1234.tmp",
            ".summary.csv.1234.tmp.bak",
        ] {
            assert!(!is_own_temp(other), "{other}");
        }
    }

    /// A day's files appear only when `may_write` says yes, which an incremental run's
    /// first day asks after its commit: when it says no, not even the folder is made.
    #[test]
    fn a_day_is_written_only_when_allowed() {
        let out = tempfile::tempdir().unwrap();
        let day = ReportDay {
            day: crate::days::parse_date_field(b"2026-11-23").unwrap(),
            ..ReportDay::default()
        };
        let dir = day_dir(out.path(), day.day);
        assert!(!write_day_when(out.path(), &day, Lang::En, &[], &|| false).unwrap());
        assert!(!dir.exists());
        assert!(write_day_when(out.path(), &day, Lang::En, &[], &|| true).unwrap());
        let mut names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "alerts.csv",
                "by-hour.csv",
                "by-site.csv",
                "ftp-commands.csv",
                "ftp-failed-logins.csv",
                "httperr.csv",
                "report.html",
                "report.xlsx",
                "summary.csv",
                "top-errors.csv"
            ]
        );
    }

    /// A file whose bytes would not change is not replaced (its time stays); one that
    /// would is, and no temporary file is left behind.
    #[test]
    fn unchanged_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.csv");
        write_atomic(&path, b"a,b\n").unwrap();
        let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        let set_old = || {
            fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(old)
                .unwrap()
        };
        set_old();
        write_atomic(&path, b"a,b\n").unwrap();
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), old);
        write_atomic(&path, b"a,c\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a,c\n");
        assert_ne!(fs::metadata(&path).unwrap().modified().unwrap(), old);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("summary.csv")]);
    }
}
