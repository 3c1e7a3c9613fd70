//! `iislog report`, `history` and `merge`: days and time zones on the hand-made fixtures
//! (`fixtures/reports/README.md`), incremental runs over files that grow (also mid-line),
//! rotate and shrink, double runs, alerts, damaged and busy databases, the kill loop, and
//! the page as a browser renders it.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::util::{iislog, page_table, root, tempdir, Run};

fn fixture_dir() -> PathBuf {
    root().join("fixtures").join("reports")
}

fn run(args: &[&str]) -> Run {
    iislog(args)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// A CSV file as rows of cells (header included).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Requests per status.substatus in a summary.csv.
fn summary_counts(path: &Path) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for row in csv_rows(path).into_iter().skip(1) {
        *out.entry(format!("{}.{}", row[1], row[2])).or_insert(0) += row[4].parse::<u64>().unwrap();
    }
    out
}

fn total(path: &Path) -> u64 {
    summary_counts(path).values().sum()
}

/// The requests of day `d`'s report under `out`: 0 when there is no folder, which is
/// what a day without lines gets (a folder that is there holds requests).
fn day_total(out: &Path, d: &str) -> u64 {
    let dir = out.join(d);
    if !dir.exists() {
        return 0;
    }
    let n = total(&dir.join("summary.csv"));
    assert!(n > 0, "{d}: a folder for a day without lines");
    n
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn utc_days_from_the_date_and_time_fields() {
    let out = tempdir();
    let r = run(&[
        "report",
        s(&fixture_dir()),
        "--since",
        "2026-11-21",
        "--until",
        "2026-11-24",
        "--out",
        s(out.path()),
    ]);
    r.expect_code(0);
    // The days without lines are named, and get no folder.
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stderr);
    assert_eq!(
        lines[0],
        "iislog: warning: no log holds a line for 2 days (2026-11-21, 2026-11-24): no report written (a folder from an earlier run is left as it is)"
    );
    assert!(lines[1].starts_with("iislog: report: "), "{}", r.stderr);
    let day = |d: &str| out.path().join(d);
    assert!(!day("2026-11-21").exists() && !day("2026-11-24").exists());
    assert_eq!(
        summary_counts(&day("2026-11-22").join("summary.csv")),
        counts(&[("200.0", 2), ("404.0", 1), ("500.19", 1), ("503.0", 1)])
    );
    assert_eq!(
        summary_counts(&day("2026-11-23").join("summary.csv")),
        counts(&[("200.0", 2), ("404.0", 1), ("500.19", 1)])
    );
    for f in [
        "summary.csv",
        "by-hour.csv",
        "by-site.csv",
        "top-errors.csv",
        "report.html",
    ] {
        assert!(day("2026-11-22").join(f).is_file(), "{f}");
    }
    // No temporary file is left behind.
    for e in fs::read_dir(day("2026-11-22")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "{name}");
    }
    // by-hour.csv: hour 10 has 2 requests, a 2xx and a 5xx, mean time-taken 55.0 ms.
    let hours = csv_rows(&day("2026-11-22").join("by-hour.csv"));
    assert_eq!(
        hours[0],
        vec![
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
            "time_zone"
        ]
    );
    // Every hour of a day at UTC says so.
    assert_eq!(hours.len(), 25);
    assert!(
        hours[1..]
            .iter()
            .all(|r| r[9] == "+00:00" && r[10] == "UTC"),
        "{hours:?}"
    );
    let h10 = hours.iter().find(|r| r[0] == "10").unwrap();
    assert_eq!(h10[1..8], ["http", "2", "1", "0", "0", "1", "55.0"]);
    let h23 = hours.iter().find(|r| r[0] == "23").unwrap();
    assert_eq!(h23[2..7], ["1", "0", "0", "0", "1"]);
    // by-site.csv: the site comes from the W3SVC1 folder.
    let sites = csv_rows(&day("2026-11-22").join("by-site.csv"));
    assert!(sites[1..].iter().all(|r| r[1] == "W3SVC1"), "{sites:?}");
}

#[test]
fn offsets_move_lines_to_local_days() {
    for (offset, want) in [
        ("+09:00", [0u64, 3, 5, 1]),
        ("-05:00", [0, 6, 3, 0]),
        ("Z", [0, 5, 4, 0]),
    ] {
        let out = tempdir();
        run(&[
            "report",
            s(&fixture_dir()),
            "--since",
            "2026-11-21",
            "--until",
            "2026-11-24",
            "--utc-offset",
            offset,
            "--out",
            s(out.path()),
            "--quiet",
        ])
        .expect_code(0);
        let got: Vec<u64> = ["2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"]
            .iter()
            .map(|d| day_total(out.path(), d))
            .collect();
        assert_eq!(got, want, "{offset}");
    }
}

#[test]
fn summary_csv_equals_the_core_summary() {
    let out = tempdir();
    run(&[
        "report",
        s(&fixture_dir()),
        "--date",
        "2026-11-23",
        "--out",
        s(out.path()),
        "--quiet",
    ])
    .expect_code(0);
    let file = fixture_dir().join("W3SVC1").join("u_ex261123.log");
    let core = run(&["summary", s(&file), "--format", "csv", "--quiet"]);
    core.expect_code(0);
    let day = fs::read_to_string(out.path().join("2026-11-23").join("summary.csv")).unwrap();
    assert_eq!(day, core.stdout);
}

#[test]
fn log_text_is_escaped_in_the_page_and_formula_safe_in_csv() {
    let out = tempdir();
    run(&[
        "report",
        s(&fixture_dir()),
        "--since",
        "2026-11-22",
        "--until",
        "2026-11-23",
        "--out",
        s(out.path()),
        "--quiet",
    ])
    .expect_code(0);
    let html = fs::read_to_string(out.path().join("2026-11-22").join("report.html")).unwrap();
    assert!(
        html.contains("/&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script"), "a log-derived tag got through");
    for bad in ["http://", "https://", "src=", "@import", "url("] {
        assert!(
            !html.contains(bad),
            "the page must be self-contained: {bad}"
        );
    }
    let top = csv_rows(&out.path().join("2026-11-23").join("top-errors.csv"));
    let uri = top.iter().find(|r| r[1] == "404" && r[3] == "uri").unwrap();
    assert_eq!(uri[5], "'=1+2");
    let ip = top
        .iter()
        .find(|r| r[1] == "500" && r[3] == "client-ip")
        .unwrap();
    assert_eq!(
        (ip[2].as_str(), ip[5].as_str(), ip[6].as_str()),
        ("19", "192.0.2.10", "1")
    );
}

#[test]
fn usage_errors() {
    let out = tempdir();
    let r = run(&["report", s(&fixture_dir()), "--out", s(out.path())]);
    r.expect_code(2);
    assert!(r.stderr.contains("--date"), "{}", r.stderr);
    let r = run(&[
        "report",
        s(&fixture_dir()),
        "--date",
        "2026-11-23",
        "--fail-on",
        "5xx>3x",
        "--out",
        s(out.path()),
    ]);
    r.expect_code(2);
    assert!(r.stderr.contains("--db"), "{}", r.stderr);
    let r = run(&[
        "report",
        s(&fixture_dir()),
        "--date",
        "23.11.2026",
        "--out",
        s(out.path()),
    ]);
    r.expect_code(2);
}

#[test]
fn alerts_exit_3_with_their_figures() {
    let out = tempdir();
    let r = run(&[
        "report",
        s(&fixture_dir()),
        "--date",
        "2026-11-22",
        "--out",
        s(out.path()),
        "--fail-on",
        "5xx>2%",
        "--fail-on",
        "503>100",
        "--fail-on",
        "500.19>0",
        "--quiet",
    ]);
    r.expect_code(3);
    let alerts: Vec<&str> = r.stderr.lines().filter(|l| l.contains("alert:")).collect();
    assert_eq!(alerts.len(), 2, "{}", r.stderr);
    assert!(
        alerts[0].contains("5xx>2% on 2026-11-22: 5xx were 40.00% of 5 http requests"),
        "{}",
        alerts[0]
    );
    assert!(alerts[1].contains("500.19>0"), "{}", alerts[1]);
    // The reports are still written.
    assert!(out.path().join("2026-11-22").join("report.html").is_file());
    let calm = run(&[
        "report",
        s(&fixture_dir()),
        "--date",
        "2026-11-22",
        "--out",
        s(out.path()),
        "--fail-on",
        "5xx>50%",
        "--quiet",
    ]);
    calm.expect_code(0);
}

/// An IIS 10 line of a day, hour and status.
fn line(day: &str, sec: u32, status: u32, uri: &str) -> String {
    format!(
        "{day} {:02}:{:02}:{:02} 10.0.0.1 GET {uri} - 443 - 192.0.2.{} Mozilla/5.0 - {status} 0 0 {}\r\n",
        sec / 3600 % 24,
        sec / 60 % 60,
        sec % 60,
        sec % 200,
        sec % 500
    )
}

const HEADER: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n";

fn append(path: &Path, text: &str) {
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// Requests and per-status counts the history holds, read with SQLite directly.
fn db_totals(db: &Path) -> (u64, u64, BTreeMap<i64, u64>) {
    let c = rusqlite::Connection::open(db).unwrap();
    let files: i64 = c
        .query_row("SELECT coalesce(sum(requests), 0) FROM files", [], |r| {
            r.get(0)
        })
        .unwrap();
    let codes: i64 = c
        .query_row("SELECT coalesce(sum(count), 0) FROM codes", [], |r| {
            r.get(0)
        })
        .unwrap();
    let mut st = c
        .prepare("SELECT status, sum(count) FROM codes GROUP BY status")
        .unwrap();
    let by: BTreeMap<i64, u64> = st
        .query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)? as u64))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (files as u64, codes as u64, by)
}

/// A temporary folder holding an empty `W3SVC1` log folder, and the paths of a history
/// and a report folder beside it (neither made yet): (folder, logs, history, reports).
fn site_folder() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let dir = tempdir();
    let logs = dir.path().join("W3SVC1");
    fs::create_dir(&logs).unwrap();
    let (db, out) = (dir.path().join("history.db"), dir.path().join("reports"));
    (dir, logs, db, out)
}

fn report_db(logs: &Path, db: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["report", s(logs), "--db", s(db), "--out", s(out), "--quiet"];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn appended_mid_line_rotated_truncated_and_run_twice() {
    let (dir, logs, db, out) = site_folder();
    let a = logs.join("u_ex261123.log");
    append(&a, HEADER);
    for i in 0..10 {
        append(&a, &line("2026-11-23", 3600 + i, 200, "/"));
    }
    // A line IIS is still writing: not read until complete.
    let half = line("2026-11-23", 7200, 500, "/app");
    append(&a, &half[..20]);
    report_db(&logs, &db, &out, &[]).expect_code(0);
    assert_eq!(db_totals(&db).0, 10);
    report_db(&logs, &db, &out, &[]).expect_code(0); // a double run adds nothing
    assert_eq!(db_totals(&db).0, 10);
    append(&a, &half[20..]);
    for i in 0..5 {
        append(&a, &line("2026-11-23", 9000 + i, 404, "/missing"));
    }
    report_db(&logs, &db, &out, &[]).expect_code(0);
    // The run leaves its last small transaction (which days' reports were written) in
    // the -wal file; every tally is in history.db itself, so a copy of it alone has them.
    let copy = dir.path().join("copy.db");
    fs::copy(&db, &copy).unwrap();
    assert_eq!(db_totals(&copy), db_totals(&db));
    let (files, codes, by) = db_totals(&db);
    assert_eq!((files, codes), (16, 16));
    assert_eq!(by, [(200, 10), (404, 5), (500, 1)].into());
    let day = out.join("2026-11-23");
    assert_eq!(total(&day.join("summary.csv")), 16);

    // The report from the history equals a stateless report of the same day.
    let fresh = dir.path().join("fresh");
    run(&[
        "report",
        s(&logs),
        "--date",
        "2026-11-23",
        "--out",
        s(&fresh),
        "--quiet",
    ])
    .expect_code(0);
    assert_same_csvs(&day, &fresh.join("2026-11-23"));

    // Rotation: a new day's file appears and the old one is deleted; its tallies stay.
    let b = logs.join("u_ex261124.log");
    append(&b, HEADER);
    for i in 0..3 {
        append(&b, &line("2026-11-24", 100 + i, 503, "/down"));
    }
    fs::remove_file(&a).unwrap();
    report_db(&logs, &db, &out, &[]).expect_code(0);
    assert_eq!(db_totals(&db).0, 19);
    assert_eq!(total(&out.join("2026-11-24").join("summary.csv")), 3);

    // Truncated and rewritten: read again from the start, earlier tallies replaced.
    fs::write(&b, format!("{HEADER}{}", line("2026-11-24", 500, 200, "/"))).unwrap();
    report_db(&logs, &db, &out, &[]).expect_code(0);
    let (files, codes, _) = db_totals(&db);
    assert_eq!((files, codes), (17, 17));
    assert_eq!(
        summary_counts(&out.join("2026-11-24").join("summary.csv")),
        counts(&[("200.0", 1)])
    );
    // Same size, new start (a file rewritten in place): also read again.
    fs::write(&b, format!("{HEADER}{}", line("2026-11-24", 500, 201, "/"))).unwrap();
    report_db(&logs, &db, &out, &[]).expect_code(0);
    assert_eq!(
        summary_counts(&out.join("2026-11-24").join("summary.csv")),
        counts(&[("201.0", 1)])
    );

    // `history` reads the trend back.
    let h = run(&[
        "history",
        "--db",
        s(&db),
        "--days",
        "2",
        "--until",
        "2026-11-24",
        "--code",
        "4xx",
        "--format",
        "csv",
    ]);
    h.expect_code(0);
    assert_eq!(
        h.stdout.lines().collect::<Vec<_>>(),
        vec![
            "day,requests,4xx,percent",
            "2026-11-23,16,5,31.25",
            "2026-11-24,1,0,0.00"
        ]
    );
}

#[test]
fn history_alerts_relative_and_new() {
    let (_dir, logs, db, out) = site_folder();
    // Seven quiet days with 1 % 5xx, then a day with 10 % and a new 502.
    for d in 1..=7 {
        let f = logs.join(format!("u_ex2611{d:02}.log"));
        append(&f, HEADER);
        for i in 0..99 {
            append(&f, &line(&format!("2026-11-{d:02}"), i, 200, "/"));
        }
        append(&f, &line(&format!("2026-11-{d:02}"), 200, 500, "/app"));
    }
    report_db(
        &logs,
        &db,
        &out,
        &["--fail-on", "5xx>3x", "--fail-on", "new"],
    )
    .expect_code(0);
    let f = logs.join("u_ex261108.log");
    append(&f, HEADER);
    for i in 0..90 {
        append(&f, &line("2026-11-08", i, 200, "/"));
    }
    for i in 0..9 {
        append(&f, &line("2026-11-08", 100 + i, 500, "/app"));
    }
    append(&f, &line("2026-11-08", 300, 502, "/gw"));
    let r = report_db(
        &logs,
        &db,
        &out,
        &["--fail-on", "5xx>3x", "--fail-on", "new"],
    );
    r.expect_code(3);
    assert!(
        r.stderr.contains("5xx>3x on 2026-11-08: 5xx were 10.00% of 100 http requests (10), over 3 x the median 1.00% of the previous 7 days"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("new on 2026-11-08: not seen in the previous 30 days: http 502 0 0 (1)"),
        "{}",
        r.stderr
    );
}

#[test]
fn damaged_newer_and_busy_databases() {
    let dir = tempdir();
    let out = dir.path().join("reports");
    let junk = dir.path().join("junk.db");
    fs::write(
        &junk,
        b"this is not a database, and must stay as it is ".repeat(100),
    )
    .unwrap();
    let before = fs::read(&junk).unwrap();
    let r = report_db(&fixture_dir(), &junk, &out, &[]);
    r.expect_code(4);
    assert!(r.stderr.contains("left untouched"), "{}", r.stderr);
    assert_eq!(fs::read(&junk).unwrap(), before);

    let newer = dir.path().join("newer.db");
    report_db(&fixture_dir(), &newer, &out, &[]).expect_code(0);
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let r = report_db(&fixture_dir(), &newer, &out, &[]);
    r.expect_code(4);
    assert!(r.stderr.contains("newer iislog"), "{}", r.stderr);

    // Another run holds the write lock: this one waits --wait seconds, then stops.
    let busy = dir.path().join("busy.db");
    report_db(&fixture_dir(), &busy, &out, &[]).expect_code(0);
    let mut holder = rusqlite::Connection::open(&busy).unwrap();
    let tx = holder
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    tx.execute("INSERT INTO pending(day) VALUES ('2026-01-01')", [])
        .unwrap();
    let r = report_db(&fixture_dir(), &busy, &out, &["--wait", "1"]);
    r.expect_code(5);
    assert!(r.stderr.contains("another iislog run"), "{}", r.stderr);
    drop(tx);
    report_db(&fixture_dir(), &busy, &out, &[]).expect_code(0);
}

#[test]
fn merge_histories_and_summary_csvs() {
    let dir = tempdir();
    let out = dir.path().join("r");
    let mut dbs = Vec::new();
    for server in ["web1", "web2"] {
        let home = dir.path().join(server);
        fs::create_dir(&home).unwrap();
        let db = home.join("history.db");
        report_db(&fixture_dir(), &db, &out, &[]).expect_code(0);
        dbs.push(db);
    }
    let farm = dir.path().join("farm");
    run(&[
        "merge",
        s(&dbs[0]),
        s(&dbs[1]),
        "--date",
        "2026-11-22",
        "--out",
        s(&farm),
        "--quiet",
    ])
    .expect_code(0);
    let day = farm.join("2026-11-22");
    assert_eq!(
        summary_counts(&day.join("summary.csv")),
        counts(&[("200.0", 4), ("404.0", 2), ("500.19", 2), ("503.0", 2)])
    );
    let sites = csv_rows(&day.join("by-site.csv"));
    assert_eq!(sites[0][0], "server");
    let servers: std::collections::BTreeSet<&str> =
        sites[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(servers, ["web1", "web2"].into());

    // Summary CSVs add exactly and percents are recomputed.
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    fs::copy(day.join("summary.csv"), &a).unwrap();
    fs::copy(out.join("2026-11-23").join("summary.csv"), &b).unwrap();
    let merged = dir.path().join("m.csv");
    run(&["merge", s(&a), s(&b), "-o", s(&merged), "--quiet"]).expect_code(0);
    assert_eq!(
        summary_counts(&merged),
        counts(&[("200.0", 6), ("404.0", 3), ("500.19", 3), ("503.0", 2)])
    );
    let rows = csv_rows(&merged);
    let r200 = rows.iter().find(|r| r[1] == "200").unwrap();
    assert_eq!(r200[5], "42.86"); // 6 of 14
    assert_eq!(r200[8], "OK: the request succeeded");

    let other = dir.path().join("other.csv");
    fs::write(&other, "service,status,count\r\nhttp,200,1\r\n").unwrap();
    let r = run(&["merge", s(&a), s(&other)]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("other.csv") && r.stderr.contains("columns"),
        "{}",
        r.stderr
    );
}

/// Kills the real process (SIGKILL) at random moments across many runs over a file that
/// grows between them, then checks the history against a count made here. Unix only:
/// it needs a signal that cannot be caught, and the Wine run has no such thing.
#[cfg(unix)]
#[test]
fn killed_at_random_moments_never_counts_twice_or_loses() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let (_dir, logs, db, out) = site_folder();
    let log = logs.join("u_ex261123.log");
    append(&log, HEADER);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut rand = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut pending = String::new();
    let mut sec = 0u32;
    let started = Instant::now();
    let mut killed = 0;
    for _ in 0..40 {
        // Grow the file: whole lines, then part of the next one (IIS mid-write).
        let mut text = std::mem::take(&mut pending);
        for _ in 0..rand(3000) {
            sec += 1;
            let status = [200, 200, 200, 304, 404, 500, 503][rand(7) as usize];
            text.push_str(&line("2026-11-23", sec % 86_400, status, "/p"));
        }
        sec += 1;
        let next = line("2026-11-23", sec % 86_400, 200, "/p");
        let cut = rand(next.len() as u64) as usize;
        text.push_str(&next[..cut]);
        pending = next[cut..].to_string();
        append(&log, &text);

        let mut child = Command::new(env!("CARGO_BIN_EXE_iislog"))
            .args([
                "report",
                s(&logs),
                "--db",
                s(&db),
                "--out",
                s(&out),
                "--quiet",
            ])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rand(60)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        if started.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    report_db(&logs, &db, &out, &[]).expect_code(0);
    // Independent count: complete lines that are requests.
    let bytes = fs::read(&log).unwrap();
    let complete = &bytes[..bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)];
    let text = String::from_utf8_lossy(complete);
    let mut by: BTreeMap<i64, u64> = BTreeMap::new();
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let status: i64 = l.split(' ').nth(11).unwrap().parse().unwrap();
        *by.entry(status).or_insert(0) += 1;
    }
    let want: u64 = by.values().sum();
    let (files, codes, got) = db_totals(&db);
    assert_eq!((files, codes), (want, want), "killed {killed} runs");
    assert_eq!(got, by);
    assert_eq!(total(&out.join("2026-11-23").join("summary.csv")), want);
    eprintln!("kill loop: {killed} runs killed, {want} requests");
}

/// Renders report.html in headless Chromium, as a manager would see it, and checks that
/// the numbers in the page are the CSVs'. Not on Windows: the Wine test run has no browser.
#[cfg(not(windows))]
#[test]
fn the_page_renders_with_the_csv_numbers() {
    use std::process::Command;
    let browser = ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(browser) = browser else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("chromium is not installed, and CI must check the page (.ci/run installs it)");
        }
        eprintln!("skipped: chromium not installed");
        return;
    };
    let (dir, logs, db, out) = site_folder();
    for f in ["u_ex261122.log", "u_ex261123.log"] {
        fs::copy(fixture_dir().join("W3SVC1").join(f), logs.join(f)).unwrap();
    }
    report_db(&logs, &db, &out, &[]).expect_code(0);
    let day = out.join("2026-11-22");
    let page = day.join("report.html");
    let url = format!(
        "file://{}",
        fs::canonicalize(&page).unwrap().to_string_lossy()
    );
    let profile = tempdir();
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let png = dir.path().join("report.png");
    let shot = Command::new(browser)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1280,2000")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        png.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    assert!(
        fs::metadata(&png).unwrap().len() > 10_000,
        "an empty screenshot"
    );
    if let Ok(keep) = std::env::var("IISLOG_KEEP_SCREENSHOT") {
        fs::copy(&png, keep).unwrap();
    }
    let profile = tempdir();
    let dom = Command::new(browser)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    let by_id = |id: &str| -> u64 {
        let at = dom
            .find(&format!("id=\"{id}\">"))
            .unwrap_or_else(|| panic!("{id} in {dom}"));
        let rest = &dom[at + id.len() + 6..];
        strip(&rest[..rest.find('<').unwrap()]).parse().unwrap()
    };
    let summary = summary_counts(&day.join("summary.csv"));
    assert_eq!(by_id("total-requests"), summary.values().sum::<u64>());
    let class = |c: char| -> u64 {
        summary
            .iter()
            .filter(|(k, _)| k.starts_with(c))
            .map(|(_, v)| v)
            .sum()
    };
    // The day is all http: the http section's cards hold the whole day's classes.
    assert_eq!(by_id("http-requests"), summary.values().sum::<u64>());
    assert_eq!(by_id("http-2xx"), class('2'));
    assert_eq!(by_id("http-4xx"), class('4'));
    assert_eq!(by_id("http-5xx"), class('5'));
    // The http hour table in the page equals by-hour.csv.
    let hours = csv_rows(&day.join("by-hour.csv"));
    let cells = page_table(&dom, "by-hour-http");
    assert_eq!(cells.len(), 24);
    // Counts lose their thousands separators; the hour and the offset keep their text.
    let cells: Vec<Vec<String>> = cells
        .into_iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, c)| {
                    if (2..7).contains(&i) {
                        strip(c)
                    } else {
                        c.clone()
                    }
                })
                .collect()
        })
        .collect();
    // The page: hour, UTC offset, requests, 2xx-5xx, mean and p95; the CSV: hour,
    // service, requests, 2xx-5xx, mean, p95, utc_offset, time_zone.
    for (page_row, csv_row) in cells.iter().zip(&hours[1..]) {
        assert_eq!(page_row[0], csv_row[0]);
        assert_eq!(page_row[1], csv_row[9], "hour {} offset", csv_row[0]);
        assert_eq!(page_row[2..7], csv_row[2..7], "hour {}", csv_row[0]);
        assert_eq!(page_row[7..9], csv_row[7..9], "hour {}", csv_row[0]);
    }
    // The hostile URI shows as text.
    assert!(dom.contains("/&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// A page's count with its thousands separators (`,`, U+202F) left out.
fn strip(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| *c != ',' && *c != '\u{202f}')
        .collect()
}

fn case_dir(case: &str) -> PathBuf {
    root().join("fixtures").join("report-cases").join(case)
}

/// Rows of a CSV after its header, with the columns picked.
fn picked(path: &Path, cols: &[usize]) -> Vec<Vec<String>> {
    csv_rows(path)
        .into_iter()
        .skip(1)
        .map(|r| cols.iter().map(|&c| r[c].clone()).collect())
        .collect()
}

fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The FTP files of a day folder, checked against the counts in
/// fixtures/reports/README.md ("FTP").
fn check_ftp_day(day: &Path) {
    // Requests per command and status, all substatuses and Windows statuses together.
    let mut per: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in picked(&day.join("ftp-commands.csv"), &[0, 1, 4]) {
        *per.entry((r[0].clone(), r[1].clone())).or_insert(0) += r[2].parse::<u64>().unwrap();
    }
    let want: BTreeMap<(String, String), u64> = [
        ("USER", "331", 6),
        ("PASS", "530", 5),
        ("PASS", "230", 2),
        ("ControlChannelOpened", "-", 1),
        ("RETR", "226", 1),
        ("STOR", "550", 1),
        ("QUIT", "221", 1),
        ("sent", "226", 1),
    ]
    .into_iter()
    .map(|(c, s, n)| ((c.to_string(), s.to_string()), n))
    .collect();
    assert_eq!(per, want);
    // Most frequent command first (USER 6 and PASS 7: PASS).
    assert_eq!(csv_rows(&day.join("ftp-commands.csv"))[1][0], "PASS");
    assert_eq!(
        picked(&day.join("ftp-failed-logins.csv"), &[0, 1, 2, 3]),
        strings(&[
            &["client-ip", "1", "192.0.2.66", "4"],
            &["client-ip", "2", "198.51.100.20", "1"],
            &["user", "1", "admin", "3"],
            &["user", "2", "<root>", "1"],
            &["user", "3", "bob", "1"],
        ])
    );
    // The STOR path is formula-safe in top-errors.csv; the user name is escaped in the page.
    let top = fs::read_to_string(day.join("top-errors.csv")).unwrap();
    assert!(top.contains("'=cmd.txt"), "{top}");
    let page = fs::read_to_string(day.join("report.html")).unwrap();
    assert!(page.contains("id=\"ftp-failed-logins\""));
    assert!(page.contains("&lt;root&gt;") && !page.contains("<root>"));
}

#[test]
fn ftp_commands_and_failed_logins() {
    let out = tempdir();
    run(&[
        "report",
        s(&case_dir("ftp")),
        "--date",
        "2026-11-23",
        "--out",
        s(out.path()),
    ])
    .expect_code(0);
    check_ftp_day(&out.path().join("2026-11-23"));
    // A history gives the same files, also when the day is written by a later run.
    let dir = tempdir();
    let db = dir.path().join("history.db");
    let out2 = dir.path().join("out");
    report_db(&case_dir("ftp"), &db, &out2, &[]).expect_code(0);
    check_ftp_day(&out2.join("2026-11-23"));
    report_db(&case_dir("ftp"), &db, &out2, &["--date", "2026-11-23"]).expect_code(0);
    check_ftp_day(&out2.join("2026-11-23"));
    for f in ["ftp-commands.csv", "ftp-failed-logins.csv"] {
        assert_eq!(
            fs::read(out.path().join("2026-11-23").join(f)).unwrap(),
            fs::read(out2.join("2026-11-23").join(f)).unwrap(),
            "{f}"
        );
    }
    // A day without FTP still has the files, header only.
    let web = tempdir();
    run(&[
        "report",
        s(&fixture_dir()),
        "--date",
        "2026-11-22",
        "--out",
        s(web.path()),
    ])
    .expect_code(0);
    assert_eq!(
        csv_rows(&web.path().join("2026-11-22").join("ftp-commands.csv")).len(),
        1
    );
}

/// A history of schema version 1 (before FTP commands were kept) is migrated, not broken.
#[test]
fn a_version_1_history_is_migrated() {
    migrated_from(1);
}

/// Runs a report of the FTP case into a history left at `version`, checks the day and
/// that the history is now of this build's version; returns the folder (kept alive), the
/// history's path and an open connection.
fn migrated_from(version: usize) -> (tempfile::TempDir, PathBuf, rusqlite::Connection) {
    let dir = tempdir();
    let db = dir.path().join("history.db");
    history_at_version(&db, version);
    let out = dir.path().join("out");
    report_db(&case_dir("ftp"), &db, &out, &[]).expect_code(0);
    check_ftp_day(&out.join("2026-11-23"));
    let c = rusqlite::Connection::open(&db).unwrap();
    let v: i32 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, iislog::history::schema::VERSION);
    assert_eq!(v, 8);
    (dir, db, c)
}

/// Top client IPs of one status.substatus in top-errors.csv, as (value, count).
fn top_ips(day: &Path, status: &str) -> Vec<(String, String)> {
    csv_rows(&day.join("top-errors.csv"))
        .into_iter()
        .filter(|r| r[1] == status && r[3] == "client-ip")
        .map(|r| (r[5].clone(), r[6].clone()))
        .collect()
}

#[test]
fn client_ip_field_behind_a_proxy() {
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let out = tempdir();
    let r = run(&[
        "report",
        s(&case_dir("proxy")),
        "--date",
        "2026-11-23",
        "--out",
        s(out.path()),
        "--client-ip-field",
        "X-Forwarded-For",
    ]);
    r.expect_code(0);
    let day = out.path().join("2026-11-23");
    // The first address of the list; `-` falls back to c-ip.
    assert_eq!(
        top_ips(&day, "404"),
        pairs(&[
            ("203.0.113.7", "2"),
            ("10.0.0.1", "1"),
            ("198.51.100.3", "1")
        ])
    );
    // The second block does not log the field: c-ip, and one note on stderr.
    assert_eq!(top_ips(&day, "500"), pairs(&[("10.0.0.2", "1")]));
    let notes: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("X-Forwarded-For"))
        .collect();
    assert_eq!(notes.len(), 1, "{}", r.stderr);
    assert!(notes[0].contains("c-ip"), "{}", r.stderr);
    // Counts do not change; without the option the lists are c-ip.
    assert_eq!(total(&day.join("summary.csv")), 5);
    let plain = tempdir();
    let r = run(&[
        "report",
        s(&case_dir("proxy")),
        "--date",
        "2026-11-23",
        "--out",
        s(plain.path()),
    ]);
    r.expect_code(0);
    assert!(!r.stderr.contains("X-Forwarded-For"));
    assert_eq!(
        top_ips(&plain.path().join("2026-11-23"), "404"),
        pairs(&[("10.0.0.1", "4")])
    );
}

/// URIs of 404 in top-errors.csv, as (value, count), with `--codepage` given or not.
fn uris_with(codepage: Option<&str>) -> (Vec<(String, String)>, u64) {
    let out = tempdir();
    let logs = case_dir("codepage");
    let mut args = vec![
        "report",
        s(&logs),
        "--date",
        "2026-11-23",
        "--out",
        s(out.path()),
    ];
    if let Some(cp) = codepage {
        args.extend(["--codepage", cp]);
    }
    run(&args).expect_code(0);
    let day = out.path().join("2026-11-23");
    let uris = csv_rows(&day.join("top-errors.csv"))
        .into_iter()
        .filter(|r| r[3] == "uri")
        .map(|r| (r[5].clone(), r[6].clone()))
        .collect();
    (uris, total(&day.join("summary.csv")))
}

#[test]
fn codepage_decodes_uris_that_are_not_utf8() {
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    // Shift-JIS: the Japanese URI decodes; the CP1252 byte does not, and is escaped.
    let (sjis, n) = uris_with(Some("932"));
    assert_eq!(
        sjis,
        pairs(&[("/日本.html", "2"), ("/caf\\xE9", "1"), ("/ok", "1")])
    );
    assert_eq!(n, 4);
    // CP1252 decodes every byte.
    let (cp1252, n) = uris_with(Some("1252"));
    assert_eq!(
        cp1252,
        pairs(&[
            ("/\u{201C}\u{FA}\u{2013}{.html", "2"),
            ("/caf\u{E9}", "1"),
            ("/ok", "1")
        ])
    );
    assert_eq!(n, 4);
    // None: escapes, nothing dropped.
    let (raw, n) = uris_with(None);
    assert_eq!(
        raw,
        pairs(&[
            ("/\\x93\\xFA\\x96{.html", "2"),
            ("/caf\\xE9", "1"),
            ("/ok", "1")
        ])
    );
    assert_eq!(n, 4);
    let out = tempdir();
    let bad = run(&[
        "report",
        s(&case_dir("codepage")),
        "--date",
        "2026-11-23",
        "--out",
        s(out.path()),
        "--codepage",
        "klingon",
    ]);
    bad.expect_code(2);
    assert!(bad.stderr.contains("unknown code page"), "{}", bad.stderr);
}

/// Requests per day (by summary.csv) of a report folder, for the days asked.
fn day_totals(out: &Path, days: &[&str]) -> Vec<u64> {
    days.iter().map(|d| day_total(out, d)).collect()
}

/// IIS 6 logs whose `#Fields` has `time` but no `date` take the day from the block's
/// `#Date`; a time before the `#Date`'s time is on the next day. Counts by hand in
/// fixtures/reports/README.md ("time-only").
#[test]
fn lines_with_only_a_time_take_the_day_from_the_block_date() {
    let days = ["2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"];
    for (offset, want) in [
        ("Z", [0, 3, 4, 0]),
        ("+09:00", [0, 0, 7, 0]),
        ("-05:00", [0, 5, 2, 0]),
    ] {
        let out = tempdir();
        run(&[
            "report",
            s(&case_dir("time-only")),
            "--since",
            days[0],
            "--until",
            days[3],
            "--utc-offset",
            offset,
            "--out",
            s(out.path()),
        ])
        .expect_code(0);
        assert_eq!(day_totals(out.path(), &days).as_slice(), want, "{offset}");
        if offset == "Z" {
            let hours = picked(&out.path().join(days[1]).join("by-hour.csv"), &[0, 2]);
            let busy: Vec<_> = hours.into_iter().filter(|r| r[1] != "0").collect();
            assert_eq!(busy, strings(&[&["22", "2"], &["23", "1"]]));
        }
    }
    // A history that resumes inside a block finds the block's `#Date` before its offset.
    let text = fs::read_to_string(case_dir("time-only").join("MSFTPSVC4/ex261123.log")).unwrap();
    let cut = text.find("00:00:05").unwrap();
    let dir = tempdir();
    let logs = dir.path().join("logs");
    fs::create_dir_all(logs.join("MSFTPSVC4")).unwrap();
    let log = logs.join("MSFTPSVC4/ex261123.log");
    append(&log, &text[..cut]);
    let db = dir.path().join("history.db");
    let out = dir.path().join("out");
    report_db(&logs, &db, &out, &[]).expect_code(0);
    append(&log, &text[cut..]);
    report_db(&logs, &db, &out, &[]).expect_code(0);
    report_db(&logs, &db, &out, &[]).expect_code(0);
    assert_eq!(day_totals(&out, &days[1..3]), vec![3, 4]);
    assert_eq!(db_totals(&db).1, 7);
}

/// A block of time-only lines large enough to be read in several pieces (one per core)
/// still takes its day from the block's `#Date`, which only the first piece sees. The
/// counts are the test's own: the lines it wrote before and after midnight.
#[test]
fn a_large_time_only_block_read_in_pieces_keeps_its_date() {
    let dir = tempdir();
    let logs = dir.path().join("MSFTPSVC4");
    fs::create_dir_all(&logs).unwrap();
    let mut text = String::from(
        "#Software: Microsoft Internet Information Services 6.0\r\n#Version: 1.0\r\n\
         #Date: 2026-11-23 22:00:00\r\n\
         #Fields: time c-ip cs-method cs-uri-stem sc-status sc-win32-status\r\n",
    );
    // One line every 0.25 s for four hours from 22:00: two hours on each day.
    let (mut before, mut after) = (0u64, 0u64);
    for i in 0..4 * 3600 * 4 {
        let secs = (22 * 3600 + i / 4) % 86_400;
        if 22 * 3600 + i / 4 < 86_400 {
            before += 1;
        } else {
            after += 1;
        }
        text.push_str(&format!(
            "{:02}:{:02}:{:02} 192.0.2.{} [{i}]USER anonymous 331 0\r\n",
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            i % 200
        ));
    }
    assert!(text.len() > 2 * 1024 * 1024, "{} bytes", text.len());
    fs::write(logs.join("ex261123.log"), &text).unwrap();
    let days = ["2026-11-23", "2026-11-24"];
    let out = dir.path().join("out");
    run(&[
        "report",
        s(&logs),
        "--since",
        days[0],
        "--until",
        days[1],
        "--out",
        s(&out),
        "--quiet",
    ])
    .expect_code(0);
    assert_eq!(day_totals(&out, &days), vec![before, after]);
    assert_eq!((before, after), (28_800, 28_800));
}

/// IIS native and NCSA logs in report days. Counts by hand in fixtures/reports/README.md
/// ("IIS native and NCSA"): native times are local and taken at the report's offset;
/// NCSA times carry theirs and go to UTC, then to the report's offset.
#[test]
fn native_and_ncsa_lines_in_report_days() {
    let logs = root().join("fixtures").join("LogFiles");
    let (native, ncsa) = (logs.join("W3SVC4"), logs.join("W3SVC5"));
    let out = tempdir();
    let r = run(&[
        "report",
        s(&native),
        s(&ncsa),
        "--date",
        "2026-11-23",
        "--out",
        s(out.path()),
    ]);
    r.expect_code(0);
    assert!(!r.stderr.contains("not in the report"), "{}", r.stderr);
    let day = out.path().join("2026-11-23");
    assert_eq!(
        summary_counts(&day.join("summary.csv")),
        counts(&[
            ("200.-", 6),
            ("304.-", 2),
            ("401.-", 1),
            ("403.-", 1),
            ("404.-", 3),
            ("500.-", 2)
        ])
    );
    // hour, requests, 2xx, 3xx, 4xx, 5xx, mean time-taken (native only).
    let hours: Vec<_> = picked(&day.join("by-hour.csv"), &[0, 2, 3, 4, 5, 6, 7])
        .into_iter()
        .filter(|r| r[1] != "0")
        .collect();
    assert_eq!(
        hours,
        strings(&[
            &["08", "13", "5", "2", "5", "1", "37.4"],
            &["09", "2", "1", "0", "0", "1", "23.5"],
        ])
    );
    let mut per_site: BTreeMap<String, u64> = BTreeMap::new();
    for r in picked(&day.join("by-site.csv"), &[1, 5]) {
        *per_site.entry(r[0].clone()).or_insert(0) += r[1].parse::<u64>().unwrap();
    }
    assert_eq!(
        per_site,
        [("W3SVC4".to_string(), 7), ("W3SVC5".to_string(), 8)].into()
    );
    let top = picked(&day.join("top-errors.csv"), &[1, 3, 5, 6]);
    for want in [
        ["404", "uri", "/old/page.htm", "1"],
        ["404", "uri", "/search", "1"],
        ["404", "client-ip", "192.0.2.22", "2"],
        ["500", "uri", "/cart.asp", "1"],
        ["500", "client-ip", "192.0.2.23", "1"],
        ["401", "client-ip", "192.0.2.12", "1"],
    ] {
        assert!(
            top.contains(&want.map(String::from).to_vec()),
            "{want:?}: {top:?}"
        );
    }
    // At -09:00 the NCSA lines (08:xx UTC) are on the 22nd at 23h; native ones stay.
    let west = tempdir();
    run(&[
        "report",
        s(&native),
        s(&ncsa),
        "--since",
        "2026-11-22",
        "--until",
        "2026-11-23",
        "--utc-offset",
        "-09:00",
        "--out",
        s(west.path()),
    ])
    .expect_code(0);
    assert_eq!(
        day_totals(west.path(), &["2026-11-22", "2026-11-23"]),
        vec![8, 7]
    );
    let h = picked(&west.path().join("2026-11-22/by-hour.csv"), &[0, 2]);
    assert!(
        h.contains(&vec!["23".to_string(), "8".to_string()]),
        "{h:?}"
    );
    // A history counts them once, however often it runs, into the same files.
    let dir = tempdir();
    let tree = dir.path().join("logs");
    for (from, sub) in [(&native, "W3SVC4"), (&ncsa, "W3SVC5")] {
        fs::create_dir_all(tree.join(sub)).unwrap();
        for e in fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), tree.join(sub).join(e.file_name())).unwrap();
        }
    }
    let db = dir.path().join("history.db");
    let out2 = dir.path().join("out");
    report_db(&tree, &db, &out2, &[]).expect_code(0);
    report_db(&tree, &db, &out2, &["--date", "2026-11-23"]).expect_code(0);
    assert_eq!(db_totals(&db).1, 15);
    assert_same_csvs(&day, &out2.join("2026-11-23"));
}

/// Two day folders hold the same four CSV files, byte for byte.
fn assert_same_csvs(a: &Path, b: &Path) {
    for f in [
        "summary.csv",
        "by-hour.csv",
        "by-site.csv",
        "top-errors.csv",
    ] {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}

fn gz(path: &Path, text: &str) {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    fs::write(path, e.finish().unwrap()).unwrap();
}

/// With --db an archived log is read once (two runs count it once) and is known by its
/// archive path, member name, size and first 4 KB: when it changes, its earlier tallies
/// are replaced, not added to. The zip of the fixture tree counts as the tree unpacked.
#[test]
fn archived_logs_in_a_history_count_once() {
    let text = fs::read_to_string(fixture_dir().join("W3SVC1/u_ex261122.log")).unwrap();
    let dir = tempdir();
    let logs = dir.path().join("logs");
    fs::create_dir_all(logs.join("W3SVC1")).unwrap();
    let member = logs.join("W3SVC1/u_ex261122.log.gz");
    gz(&member, &text);
    let db = dir.path().join("history.db");
    let out = dir.path().join("out");
    for _ in 0..2 {
        report_db(&logs, &db, &out, &[]).expect_code(0);
        assert_eq!(db_totals(&db).1, 5);
        assert_eq!(day_totals(&out, &["2026-11-22"]), vec![5]);
    }
    let c = rusqlite::Connection::open(&db).unwrap();
    let (archive, name): (String, String) = c
        .query_row("SELECT archive, member FROM files", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    drop(c);
    assert!(archive.ends_with("u_ex261122.log.gz"), "{archive}");
    assert_eq!(name, "u_ex261122.log");
    // The member is rewritten without its two 200s at 10:00 and 14:59:59: 3 requests.
    let fewer: String = text
        .lines()
        .filter(|l| {
            !(l.contains(" 200 ") && (l.contains(" 10:00:00 ") || l.contains(" 14:59:59 ")))
        })
        .map(|l| format!("{l}\r\n"))
        .collect();
    assert_eq!(fewer.lines().count() + 2, text.lines().count());
    gz(&member, &fewer);
    report_db(&logs, &db, &out, &[]).expect_code(0);
    assert_eq!(db_totals(&db).1, 3);
    assert_eq!(day_totals(&out, &["2026-11-22"]), vec![3]);
    // The fixture tree's zip, twice, holds what the unpacked tree holds.
    let (zdb, tdb) = (dir.path().join("zip.db"), dir.path().join("tree.db"));
    let zip = root().join("fixtures/archives/LogFiles.zip");
    report_db(&zip, &zdb, &dir.path().join("zout"), &[]).expect_code(0);
    report_db(&zip, &zdb, &dir.path().join("zout"), &[]).expect_code(0);
    let tree = root().join("fixtures/LogFiles");
    report_db(&tree, &tdb, &dir.path().join("tout"), &[]).expect_code(0);
    assert_eq!(db_totals(&zdb), db_totals(&tdb));
}

/// A history of schema version 2 (before archived logs were kept) is migrated in place:
/// its files stay, and an archive is then kept like any log.
#[test]
fn a_version_2_history_is_migrated() {
    let (dir, db, c) = migrated_from(2);
    let zip = root().join("fixtures/archives/LogFiles.zip");
    report_db(&zip, &db, &dir.path().join("out"), &[]).expect_code(0);
    let members: i64 = c
        .query_row(
            "SELECT count(*) FROM files WHERE member IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(members > 0);
}

/// A version 3 history gets the indexes that read a day's top lists and `hours` rows
/// without scanning the tables (what made nightly runs slower as the history grew).
#[test]
fn a_version_3_history_is_migrated() {
    let (_dir, _db, c) = migrated_from(3);
    for (table, cond) in [
        ("top_lists", "day = '2026-11-23'"),
        ("hours", "day = '2026-11-23'"),
        ("top_lists", "file_id = 1 AND day = '2026-11-23'"),
    ] {
        let plan: Vec<String> = c
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT * FROM {table} WHERE {cond}"
            ))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            plan.iter()
                .any(|p| p.contains(&format!("INDEX {table}_day"))),
            "{table}: {plan:?}"
        );
    }
}

/// The README's three example queries, run as written (their `date('now', ...)` pinned
/// to the fixture's days) on a history of `fixtures/reports`: they give the counts worked
/// out by hand in its README. `top` is a view since schema 5; the query on it must work.
#[test]
fn the_readme_queries_answer() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let block = readme
        .split("```sql\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    let queries: Vec<String> = block
        .split(';')
        .map(|q| {
            q.replace("date('now', '-30 days')", "'2026-10-24'")
                .replace("date('now', '-1 day')", "'2026-11-23'")
        })
        .filter(|q| q.contains("SELECT"))
        .collect();
    assert_eq!(queries.len(), 3, "{block}");
    assert!(queries.iter().all(|q| !q.contains("'now'")), "{queries:?}");
    let dir = tempdir();
    let db = dir.path().join("history.db");
    report_db(&fixture_dir(), &db, &dir.path().join("out"), &[]).expect_code(0);
    let c = rusqlite::Connection::open(&db).unwrap();
    let rows = |sql: &str| -> Vec<Vec<String>> {
        let mut st = c.prepare(sql).unwrap();
        let n = st.column_count();
        st.query_map([], |r| {
            (0..n)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into(),
                        other => format!("{other:?}"),
                    })
                })
                .collect()
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    // Requests and 5xx per day: 5 (500.19 and 503) on the 22nd, 4 (500.19) on the 23rd.
    assert_eq!(
        rows(&queries[0]),
        [["2026-11-22", "5", "2"], ["2026-11-23", "4", "1"]]
    );
    // The one 500.19 of the 23rd was for /app.
    assert_eq!(rows(&queries[1]), [["/app", "1"]]);
    // Both logs read to their end: offset = size, and their requests.
    let files = rows(&queries[2]);
    assert_eq!(files.len(), 2);
    for f in &files {
        let size = fs::metadata(&f[0]).unwrap().len().to_string();
        assert_eq!((&f[1], &f[2]), (&size, &size), "{f:?}");
        let want = if f[0].ends_with("u_ex261122.log") {
            "5"
        } else {
            "4"
        };
        assert_eq!(f[3], want, "{f:?}");
    }
}

/// A row of `top`: status, substatus, kind, value, count, error.
type TopRow<S> = (i64, Option<i64>, S, Option<S>, i64, i64);

/// A version 4 history kept a top list as rows, one per value; version 5 keeps it as one
/// row. The lists of a history of version 4 are carried over: `top` (now a view) gives
/// back the rows put in, and a report of their day lists their values.
#[test]
fn a_version_4_history_keeps_its_top_lists() {
    let dir = tempdir();
    let db = dir.path().join("history.db");
    history_at_version(&db, 4);
    // Two lists of an earlier day, as version 4 wrote them: each list's own row (value
    // NULL: values counted, floor) and a row per value. Values with a quote and a
    // backslash, and a list with no substatus.
    let rows: [TopRow<&str>; 5] = [
        (404, Some(0), "uri", None, 7, 0),
        (404, Some(0), "uri", Some("/a\"b"), 5, 0),
        (404, Some(0), "uri", Some("C:\\x"), 2, 0),
        (500, None, "client-ip", None, 1, 0),
        (500, None, "client-ip", Some("10.0.0.1"), 1, 0),
    ];
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute(
            "INSERT INTO files(id, path, service, size, head_len, head_hash, offset, last_read) VALUES (1, '/old/W3SVC1/u_ex261122.log', 'http', 0, 0, '', 0, 'x')",
            [],
        )
        .unwrap();
        c.execute(
            "INSERT INTO codes(file_id, day, site, status, substatus, win32_status, count) VALUES (1, '2026-11-22', 'W3SVC1', 404, 0, 2, 7), (1, '2026-11-22', 'W3SVC1', 500, NULL, 0, 1)",
            [],
        )
        .unwrap();
        for (status, sub, kind, value, count, error) in rows {
            c.execute(
                "INSERT INTO top(file_id, day, status, substatus, kind, value, count, error) VALUES (1, '2026-11-22', ?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![status, sub, kind, value, count, error],
            )
            .unwrap();
        }
    }
    let out = dir.path().join("out");
    report_db(&case_dir("ftp"), &db, &out, &["--date", "2026-11-22"]).expect_code(0);
    let c = rusqlite::Connection::open(&db).unwrap();
    let v: i32 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 8);
    let lists: i64 = c
        .query_row(
            "SELECT count(*) FROM top_lists WHERE day = '2026-11-22'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lists, 2);
    let mut st = c
        .prepare("SELECT status, substatus, kind, value, count, error FROM top WHERE day = '2026-11-22' ORDER BY status, value IS NOT NULL, count DESC")
        .unwrap();
    let got: Vec<TopRow<String>> = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let want: Vec<_> = rows
        .iter()
        .map(|&(st, sub, k, v, n, e)| (st, sub, k.to_string(), v.map(String::from), n, e))
        .collect();
    assert_eq!(got, want);
    // The day's report lists the values carried over.
    let top = csv_rows(&out.join("2026-11-22").join("top-errors.csv"));
    let uris: Vec<(&str, &str)> = top
        .iter()
        .filter(|r| r[1] == "404" && r[3] == "uri")
        .map(|r| (r[5].as_str(), r[6].as_str()))
        .collect();
    assert_eq!(uris, [("/a\"b", "5"), ("C:\\x", "2")]);
}

/// A history as an older iislog left it: its first `version` migrations applied, and that
/// `user_version`.
fn history_at_version(db: &Path, version: usize) {
    let c = rusqlite::Connection::open(db).unwrap();
    for m in &iislog::history::schema::MIGRATIONS[..version] {
        c.execute_batch(m).unwrap();
    }
    c.pragma_update(None, "user_version", version as i32)
        .unwrap();
    c.pragma_update(
        None,
        "application_id",
        iislog::history::schema::APPLICATION_ID,
    )
    .unwrap();
}

/// `merge` reads summary CSVs written before the `verdict` and `why` columns came,
/// beside new ones, and judges every merged row again: `500 19 13` is a fault (a 5xx the
/// server set) and `200 0 64` noise (win32 64: the client left).
#[test]
fn merge_reads_csvs_with_and_without_verdicts() {
    let dir = tempdir();
    let old = dir.path().join("old.csv");
    fs::write(
        &old,
        "service,status,substatus,win32_status,count,percent,description\r\n\
         http,500,19,13,2,50.00,Configuration data is invalid\r\n\
         http,200,0,64,2,50.00,OK\r\n",
    )
    .unwrap();
    let new = dir.path().join("new.csv");
    fs::write(
        &new,
        "service,status,substatus,win32_status,count,percent,verdict,why,description\r\n\
         http,500,19,13,1,100.00,fault,the server failed,Configuration data is invalid\r\n",
    )
    .unwrap();
    let merged = dir.path().join("m.csv");
    run(&["merge", s(&old), s(&new), "-o", s(&merged), "--quiet"]).expect_code(0);
    let rows = csv_rows(&merged);
    assert_eq!(
        rows[0],
        [
            "service",
            "status",
            "substatus",
            "win32_status",
            "count",
            "percent",
            "verdict",
            "why",
            "description"
        ]
    );
    let row = |status: &str| rows.iter().find(|r| r[1] == status).unwrap().clone();
    assert_eq!(
        (row("500")[4].as_str(), row("500")[6].as_str()),
        ("3", "fault")
    );
    assert_eq!(
        (row("200")[4].as_str(), row("200")[6].as_str()),
        ("2", "noise")
    );
    assert_eq!(row("500")[8], "Configuration data is invalid");
}

/// The number in the element `id` of a page, its thousands separators (`,` or U+202F)
/// left out.
fn page_number(html: &str, id: &str) -> u64 {
    let start = format!("id=\"{id}\">");
    let at = html
        .find(&start)
        .unwrap_or_else(|| panic!("no #{id} in the page"))
        + start.len();
    let text = &html[at..at + html[at..].find('<').unwrap()];
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    assert!(
        text.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '\u{202f}'),
        "#{id}: {text:?}"
    );
    digits.parse().unwrap()
}

/// The part of a page from `<section id="ID">` to its `</section>`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    &html[at..at + html[at..].find("</section>").unwrap()]
}

/// On 2026-11-23 the fixtures hold http, ftp, smtp and HTTPERR lines. Each service has
/// its own section, in that order, whose cards count only its requests: the http 5xx
/// card is 4 (500.19, 503 in W3SVC2, a 500 in W3SVC4 and W3SVC5), not the 17 of all
/// services' 5xx (FTP 530/550, SMTP 550/535, HTTPERR 503 are no HTTP faults).
#[test]
fn each_service_has_its_own_section() {
    let out = tempdir();
    let logs = root().join("fixtures").join("LogFiles");
    run(&[
        "report",
        s(&logs),
        "--date",
        "2026-11-23",
        "--out",
        s(out.path()),
        "-q",
    ])
    .expect_code(0);
    let day = out.path().join("2026-11-23");
    let html = fs::read_to_string(day.join("report.html")).unwrap();
    let rows = csv_rows(&day.join("summary.csv"));
    let of = |service: &str, class: char| -> u64 {
        rows[1..]
            .iter()
            .filter(|r| r[0] == service && (class == '*' || r[1].starts_with(class)))
            .map(|r| r[4].parse::<u64>().unwrap())
            .sum()
    };
    let names = ["http", "ftp", "smtp", "httperr"];
    let at: Vec<usize> = names
        .iter()
        .map(|n| html.find(&format!("<section id=\"service-{n}\">")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "service order {at:?}");
    for n in names {
        assert_eq!(
            page_number(&html, &format!("{n}-requests")),
            of(n, '*'),
            "{n}"
        );
        for c in ['2', '3', '4', '5'] {
            let id = format!("{n}-{c}xx");
            assert_eq!(page_number(&html, &id), of(n, c), "{id}");
            // Each section holds its own cards and hour table.
            assert!(section(&html, &format!("service-{n}")).contains(&format!("id=\"{id}\"")));
        }
        assert!(section(&html, &format!("service-{n}")).contains(&format!("id=\"by-hour-{n}\"")));
    }
    // Worked out by hand from the fixtures' lines (fixtures/README.md).
    assert_eq!(page_number(&html, "http-5xx"), 4);
    assert_eq!(page_number(&html, "ftp-5xx"), 6);
    assert_eq!(page_number(&html, "smtp-5xx"), 3);
    assert_eq!(page_number(&html, "httperr-5xx"), 4);
    assert_eq!(
        page_number(&html, "total-requests"),
        of("http", '*') + of("ftp", '*') + of("smtp", '*') + of("httperr", '*')
    );
    // The FTP and HTTPERR details sit in their service's section.
    assert!(section(&html, "service-ftp").contains("id=\"ftp-commands\""));
    assert!(section(&html, "service-httperr").contains("<table id=\"httperr\">"));
}

/// A day of 1,234 requests at 10:00 (134 200s, 1,100 500s on /app): the page groups the
/// digits of every count (cards, hour table, the fault's requests and its top URL), `,`
/// in English and Japanese, a narrow no-break space in Norwegian, while the CSVs keep
/// plain digits.
#[test]
fn page_counts_have_thousands_separators() {
    let logs = tempdir();
    let site = logs.path().join("W3SVC1");
    fs::create_dir_all(&site).unwrap();
    let mut text =
        String::from("#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status\r\n");
    for i in 0..1234 {
        let (uri, status) = if i < 134 {
            (format!("/p{i}"), 200)
        } else {
            ("/app".to_string(), 500)
        };
        text.push_str(&format!(
            "2026-11-24 10:{:02}:00 {uri} {status} 0 0\r\n",
            i % 60
        ));
    }
    fs::write(site.join("u_ex261124.log"), text).unwrap();
    for (lang, sep) in [("en", ","), ("ja", ","), ("nb", "\u{202f}")] {
        let out = tempdir();
        run(&[
            "report",
            s(logs.path()),
            "--date",
            "2026-11-24",
            "--out",
            s(out.path()),
            "--lang",
            lang,
            "-q",
        ])
        .expect_code(0);
        let day = out.path().join("2026-11-24");
        let html = fs::read_to_string(day.join("report.html")).unwrap();
        assert!(
            html.contains(&format!("id=\"total-requests\">1{sep}234<")),
            "{lang}"
        );
        assert!(
            html.contains(&format!("id=\"http-5xx\">1{sep}100<")),
            "{lang}"
        );
        assert_eq!(page_number(&html, "http-2xx"), 134);
        // The hour table: 1,234 requests at 10:00, 134 2xx, no 3xx or 4xx, 1,100 5xx.
        assert!(
            html.contains(&format!(
                "<td class=\"n\">1{sep}234</td><td class=\"n\">134</td><td class=\"n\">0</td>\
<td class=\"n\">0</td><td class=\"n\">1{sep}100</td>"
            )),
            "{lang}"
        );
        // The fault: 1,100 requests, all on /app.
        let faults = page_table(&html, "faults");
        assert_eq!(faults[0][2], format!("1{sep}100"), "{lang}");
        assert!(
            faults[0]
                .iter()
                .any(|c| c.contains(&format!("/app (1{sep}100)"))),
            "{lang}: {faults:?}"
        );
        let hours = csv_rows(&day.join("by-hour.csv"));
        let ten: Vec<&Vec<String>> = hours.iter().filter(|r| r[0] == "10").collect();
        assert_eq!(ten[0][2..7], ["1234", "134", "0", "0", "1100"]);
    }
}

/// `report-cases/sites` (fixtures/README.md): three sites in one log, counted by hand.
/// The header says one server and 3 sites; the site table lists them busiest first with
/// their classes and faults (500.19 and 503 are faults, a 500 with win32 64 is noise),
/// the hostile name escaped; its numbers are by-site.csv's too.
#[test]
fn the_page_has_a_table_of_sites() {
    let out = tempdir();
    run(&[
        "report",
        s(&case_dir("sites")),
        "--date",
        "2026-11-24",
        "--out",
        s(out.path()),
        "-q",
    ])
    .expect_code(0);
    let day = out.path().join("2026-11-24");
    let html = fs::read_to_string(day.join("report.html")).unwrap();
    assert!(html.contains("<span id=\"servers\">one server</span>"));
    assert_eq!(page_number(&html, "site-count"), 3);
    let rows = page_table(&html, "sites-http");
    let want = [
        ("W3SVC1", [8, 4, 1, 2, 1, 1]),
        ("W3SVC2", [5, 2, 0, 1, 2, 2]),
        ("&lt;b&gt;shop&amp;amp;co&lt;/b&gt;", [2, 1, 0, 0, 1, 0]),
    ];
    assert_eq!(rows.len(), want.len(), "{rows:?}");
    let by_site = csv_rows(&day.join("by-site.csv"));
    for (row, (site, n)) in rows.iter().zip(want) {
        assert_eq!(row[0], site);
        let got: Vec<u64> = row[1..].iter().map(|c| strip(c).parse().unwrap()).collect();
        assert_eq!(got, n, "{site}");
        // by-site.csv: service, site, status, substatus, win32, count.
        let csv_site = site
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        let of_site: Vec<&Vec<String>> = by_site[1..].iter().filter(|r| r[1] == csv_site).collect();
        let sum = |class: &str| -> u64 {
            of_site
                .iter()
                .filter(|r| r[2].starts_with(class))
                .map(|r| r[5].parse::<u64>().unwrap())
                .sum()
        };
        assert_eq!(
            got[..5],
            [sum(""), sum("2"), sum("3"), sum("4"), sum("5")],
            "{site}"
        );
    }
    assert!(!html.contains("<b>shop"));
}

/// English labels of the page (headings, table headers, sentences) that a translated
/// page must not show.
const ENGLISH_LABELS: [&str; 26] = [
    "Needs attention",
    "Totals",
    "<h3>Faults</h3>",
    "<h3>Probes</h3>",
    "Requests per hour",
    "on a scale of their own",
    "<h3>Sites</h3>",
    "FTP commands",
    "Failed FTP logins",
    "HTTP.sys refusals",
    "Top status codes",
    "Top error URLs",
    "<th>service</th>",
    "<th>status</th>",
    ">requests</th>",
    "first and last seen",
    "top clients",
    "top sources",
    "Noise (expected",
    "Lines read from",
    "usual causes",
    "made by iislog",
    "days and hours in",
    "one server",
    "Counts of URLs",
    "Requests by hour",
];

/// `--lang ja` and `--lang nb`: the page of the fixtures' 2026-11-23 (every service,
/// faults, probes, FTP and HTTPERR sections) says its language and shows none of the
/// English labels; in English it shows them all (so the list is one that can fail).
#[test]
fn the_page_is_translated() {
    let logs = root().join("fixtures").join("LogFiles");
    let page = |lang: &str| -> String {
        let out = tempdir();
        run(&[
            "report",
            s(&logs),
            "--date",
            "2026-11-23",
            "--out",
            s(out.path()),
            "--lang",
            lang,
            "-q",
        ])
        .expect_code(0);
        fs::read_to_string(out.path().join("2026-11-23").join("report.html")).unwrap()
    };
    let en = page("en");
    for label in ENGLISH_LABELS {
        assert!(en.contains(label), "en: {label}");
    }
    assert!(en.contains("01:10 to 06:30"));
    for (lang, heading) in [("ja", "要対応"), ("nb", "Krever oppmerksomhet")] {
        let html = page(lang);
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        assert!(html.contains(&format!("<h2>{heading}</h2>")), "{lang}");
        for label in ENGLISH_LABELS {
            // "status" is the Norwegian word too (Windows' own Norwegian UI writes it).
            if lang == "nb" && label == "<th>status</th>" {
                continue;
            }
            assert!(!html.contains(label), "{lang}: {label}");
        }
        // The HTTPERR 503s of the fixtures run from 01:10 to 06:30 (fixtures/README.md).
        let range = if lang == "ja" {
            "01:10～06:30"
        } else {
            "01:10–06:30"
        };
        assert!(html.contains(range), "{lang}");
        assert!(!html.contains("01:10 to 06:30"), "{lang}");
        // The numbers are the same whatever the language.
        assert_eq!(
            page_number(&html, "total-requests"),
            page_number(&en, "total-requests")
        );
    }
}
