//! A day with no logs is not a healthy day (issue 19): it is named on stderr, gets no
//! CSVs that would look like a quiet day (one asked day gets a report.html that says so),
//! and trips the `requests<` rules, also in a nightly job whose logs stopped arriving.
//! `fixtures/reports` holds 5 requests on 2026-11-22 and 4 on 2026-11-23 (UTC), none on
//! any other day (its README).

use std::fs;
use std::path::Path;

use chrono::{Duration, NaiveDate};

use crate::util::{iislog, report_db, reports_fixture, s, tempdir, w3c_line, W3C_HEADER};

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|e| {
            e.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// `n` requests on `day` at 12:00 UTC (a 200 each), in IIS 10's layout.
fn day_log(day: NaiveDate, n: usize) -> String {
    let mut text = W3C_HEADER.to_string();
    let when = format!("{} 12:00:00", day.format("%Y-%m-%d"));
    for _ in 0..n {
        text.push_str(&w3c_line(&when, "W3SVC1", "/", 200));
    }
    text
}

/// Writes `u_exYYMMDD.log` with `n` requests of that day into `dir`.
fn write_day(dir: &Path, day: NaiveDate, n: usize) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join(format!("u_ex{}.log", day.format("%y%m%d"))),
        day_log(day, n),
    )
    .unwrap();
}

/// The `iislog: alert: ` lines of a run's stderr, in order.
fn alerts(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("iislog: alert: "))
        .collect()
}

/// The one asked day holds no line: stderr says so, and its folder holds only a
/// report.html that says so at its top; with a history the page shows the last 30 days.
/// A folder an earlier run wrote for the day is left as it is.
#[test]
fn one_asked_day_without_lines() {
    let fixture = reports_fixture();
    for with_db in [false, true] {
        let dir = tempdir();
        let out = dir.path().join("out");
        let db = dir.path().join("history.db");
        let mut args = vec![
            "report",
            s(&fixture),
            "--date",
            "2026-11-25",
            "--out",
            s(&out),
            "-q",
        ];
        if with_db {
            args.extend(["--db", s(&db)]);
        }
        let r = iislog(&args);
        r.expect_code(0);
        let day = out.join("2026-11-25");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(
            lines,
            [format!(
                "iislog: warning: no log holds a line for 2026-11-25: {} says so; no CSVs written",
                s(&day.join("report.html"))
            )],
            "--db {with_db}"
        );
        assert_eq!(names(&day), ["report.html"]);
        let page = fs::read_to_string(day.join("report.html")).unwrap();
        let banner = page.find("id=\"no-logs\"").expect("the banner");
        assert!(
            banner < page.find("<h2>").unwrap(),
            "the banner comes first"
        );
        assert!(page.contains("No log holds a line for 2026-11-25"));
        assert!(page.contains("id=\"total-requests\">0<"));
        assert_eq!(page.contains("Last 30 days"), with_db);

        // Asked again after the folder got a report from elsewhere: left as it is.
        fs::write(day.join("summary.csv"), "kept").unwrap();
        fs::write(day.join("report.html"), "kept").unwrap();
        let r = iislog(&args);
        r.expect_code(0);
        r.expect_stderr("a folder from an earlier run is left as it is");
        assert_eq!(fs::read_to_string(day.join("report.html")).unwrap(), "kept");
        assert_eq!(fs::read_to_string(day.join("summary.csv")).unwrap(), "kept");
    }
}

/// `requests<N` trips under N requests and on a day without lines, in runs of such days;
/// `requests<Nx` needs a history.
#[test]
fn too_few_requests() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let fixture = reports_fixture();
    let report = |extra: &[&str]| {
        let mut args = vec!["report", s(&fixture), "--out", s(&out)];
        args.extend_from_slice(extra);
        iislog(&args)
    };
    let r = report(&["--date", "2026-11-22", "--fail-on", "requests<6", "-q"]);
    r.expect_code(3);
    assert_eq!(
        r.stderr.trim_end(),
        "iislog: alert: requests<6 on 2026-11-22: 5 requests (limit: at least 6)"
    );
    report(&["--date", "2026-11-22", "--fail-on", "requests<5", "-q"]).expect_code(0);

    let r = report(&[
        "--since",
        "2026-11-20",
        "--until",
        "2026-11-25",
        "--fail-on",
        "requests<5",
        "-q",
    ]);
    r.expect_code(3);
    assert_eq!(
        alerts(&r.stderr),
        [
            "iislog: alert: requests<5 on each day from 2026-11-20 to 2026-11-21 (2 days): 0 requests: no log holds a line for this day (limit: at least 5)",
            "iislog: alert: requests<5 on 2026-11-23: 4 requests (limit: at least 5)",
            "iislog: alert: requests<5 on each day from 2026-11-24 to 2026-11-25 (2 days): 0 requests: no log holds a line for this day (limit: at least 5)",
        ]
    );

    let r = report(&["--date", "2026-11-22", "--fail-on", "requests<0.5x"]);
    r.expect_code(2);
    r.expect_stderr("--fail-on requests<0.5x compares with the history");
}

/// `requests<0.5x`: fewer than half the median of the 7 latest earlier days with
/// requests. By hand: 2026-10-01..07 hold 10, 12, 8, 9, 11, 10, 10 requests, 10-08 4,
/// 10-09 5, 10-10 none. 10-08: median of the 7 before is 10, 4 < 5: trips. 10-09: the 7
/// before are 12, 8, 9, 11, 10, 10, 4, median 10, 5 is not under 5. 10-10: the 7 before
/// are 8, 9, 11, 10, 10, 4, 5, median 9, 0 < 4.5: trips. Days 10-02..07 never fall under
/// half their median (at least 8 against at most 11 / 2); 10-01 has no earlier day.
#[test]
fn fewer_than_half_the_median_of_the_previous_days() {
    let dir = tempdir();
    let logs = dir.path().join("W3SVC1");
    let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    for (i, n) in [10, 12, 8, 9, 11, 10, 10, 4, 5].into_iter().enumerate() {
        write_day(&logs, first + Duration::days(i as i64), n);
    }
    let r = report_db(
        &logs,
        &dir.path().join("h.db"),
        &dir.path().join("out"),
        &[
            "--since",
            "2026-10-01",
            "--until",
            "2026-10-10",
            "--fail-on",
            "requests<0.5x",
            "-q",
        ],
    );
    r.expect_code(3);
    assert_eq!(
        alerts(&r.stderr),
        [
            "iislog: alert: requests<0.5x on 2026-10-08: 4 requests, under 0.5 x the median 10 of the previous 7 days with requests",
            "iislog: alert: requests<0.5x on 2026-10-10: 0 requests: no log holds a line for this day, under 0.5 x the median 9 of the previous 7 days with requests",
        ]
    );
}

/// A nightly job (`--db`, no days asked) whose logs stopped arriving three days ago
/// touches no day at all: it still looks at yesterday, names it, and the rules trip.
#[test]
fn logs_that_stopped_arriving_trip_a_nightly_job() {
    let dir = tempdir();
    let logs = dir.path().join("W3SVC1");
    // The report's days are UTC days (no offset given): yesterday is UTC's.
    let today = chrono::Utc::now().date_naive();
    for k in 3..=9 {
        write_day(&logs, today - Duration::days(k), 10);
    }
    let yesterday = (today - Duration::days(1)).format("%Y-%m-%d").to_string();
    let db = dir.path().join("h.db");
    let out = dir.path().join("out");
    let nightly = |rule: &str| report_db(&logs, &db, &out, &["--fail-on", rule, "-q"]);
    let r = nightly("requests<0.5x");
    r.expect_code(3);
    assert_eq!(
        r.stderr.lines().collect::<Vec<_>>(),
        [
            format!("iislog: warning: no log holds a line for {yesterday}: no report written (a folder from an earlier run is left as it is)"),
            format!("iislog: alert: requests<0.5x on {yesterday}: 0 requests: no log holds a line for this day, under 0.5 x the median 10 of the previous 7 days with requests"),
        ]
    );
    assert!(!out.join(&yesterday).exists());
    assert_eq!(names(&out).len(), 7);
    // The next night, nothing new again: it trips again.
    let r = nightly("requests<100");
    r.expect_code(3);
    r.expect_stderr(&format!(
        "iislog: alert: requests<100 on {yesterday}: 0 requests"
    ));
}

/// `--since` without `--until` runs up to yesterday (today is not over) and writes only
/// the days that hold lines.
#[test]
fn since_alone_runs_to_yesterday() {
    let dir = tempdir();
    let logs = dir.path().join("W3SVC1");
    // `--since` and `yesterday` are this machine's dates; the lines are dated with them.
    let today = chrono::Local::now().date_naive();
    for k in [3, 1, 0] {
        write_day(&logs, today - Duration::days(k), 2);
    }
    let day = |k: i64| (today - Duration::days(k)).format("%Y-%m-%d").to_string();
    let out = dir.path().join("out");
    let r = iislog([
        "report",
        s(&logs),
        "--since",
        &day(3),
        "--out",
        s(&out),
        "-q",
    ]);
    r.expect_code(0);
    assert_eq!(names(&out), [day(3), day(1)]);
    r.expect_stderr(&format!("no log holds a line for {}:", day(2)));
}
