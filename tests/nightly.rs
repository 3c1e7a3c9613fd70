//! A nightly job an admin can leave alone (issue 19, parts 2 and 6): every line `summary`
//! counts, `report` counts or names (1990s log names, lines with a date and no time, a
//! last line without a newline, skipped lines, files named on the command line), and the
//! small things a new user hit (history as JSON, read-only histories, a missing folder for
//! `--db`, standard input, help texts, messages). The fixtures are in
//! `fixtures/report-cases/` (`fixtures/reports/README.md` says what each holds).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{
    command, csv_rows, day_total, db_value, iislog, report_day, report_db, report_onto_a_file,
    report_range, reports_fixture, root, run, s, summary_csv, tempdir, totals, verbose_examples,
    verbose_reasons,
};

fn case(name: &str) -> PathBuf {
    root().join("fixtures").join("report-cases").join(name)
}

/// Requests per `status.substatus` in a day's summary.csv (none when it is missing).
fn day_counts(out: &Path, day: &str) -> BTreeMap<String, u64> {
    let path = out.join(day).join("summary.csv");
    let mut m = BTreeMap::new();
    if !path.exists() {
        return m;
    }
    for row in csv_rows(&path).into_iter().skip(1) {
        *m.entry(format!("{}.{}", row[1], row[2])).or_insert(0) += row[4].parse::<u64>().unwrap();
    }
    m
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// The `report` line on stderr: its part before the first `; ` as `word → number`
/// (`files`, `lines`, `requests`, `skipped`), and the whole line.
fn report_line(stderr: &str) -> (BTreeMap<String, u64>, String) {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("iislog: report: "))
        .unwrap_or_else(|| panic!("no report line on stderr:\n{stderr}"));
    let read = line.split("; ").next().unwrap_or_default();
    let mut m = BTreeMap::new();
    for part in read.split(", ") {
        let mut words = part.split(' ');
        if let (Some(n), Some(word)) = (words.next(), words.next()) {
            if let Ok(n) = n.parse() {
                m.insert(word.to_string(), n);
            }
        }
    }
    (m, line.replace('\\', "/"))
}

/// The number in `<span id="ID">N</span>` of a page.
fn span(html: &str, id: &str) -> u64 {
    let start = format!("id=\"{id}\">");
    let at = html
        .find(&start)
        .unwrap_or_else(|| panic!("no #{id} in the page"))
        + start.len();
    let end = html[at..].find('<').unwrap() + at;
    // The page writes thousands separators (`,` in English); the number is the digits.
    let digits: String = html[at..end].chars().filter(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

/// The page's account of the lines read: files, lines, requests, skipped (the spans
/// `lines-files`, `lines-total`, `lines-requests`, `lines-skipped`).
fn page_lines(html: &str) -> [u64; 4] {
    [
        "lines-files",
        "lines-total",
        "lines-requests",
        "lines-skipped",
    ]
    .map(|id| span(html, id))
}

fn append(path: &Path, text: &str) {
    let mut f = fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

// --- Part 2: everything `summary` counts, `report` counts or names ---

/// IIS 4 and 5 named logs `ex960101.log` and wrote native dates `01/01/96`: 1996, not
/// 2096. A dated report of 1996-01-01 holds the W3C log's 3 requests (200, 200, 404) and
/// the native log's 2 (200, 500), in a stateless run and in a history.
#[test]
fn logs_of_the_1990s_are_on_their_days() {
    let want = counts(&[("200.-", 3), ("404.-", 1), ("500.-", 1)]);
    let out = tempdir();
    let r = report_day(&case("iis4"), "1996-01-01", out.path(), &[]);
    r.expect_code(0);
    assert_eq!(day_counts(out.path(), "1996-01-01"), want, "{}", r.stderr);
    // The W3C lines at 09h (UTC), the native ones at 10h as written.
    let hours = csv_rows(&out.path().join("1996-01-01").join("by-hour.csv"));
    let requests = |h: &str| hours.iter().find(|r| r[0] == h).unwrap()[2].clone();
    assert_eq!((requests("09"), requests("10")), ("3".into(), "2".into()));

    let dir = tempdir();
    let db = dir.path().join("history.db");
    let out = dir.path().join("out");
    report_db(&case("iis4"), &db, &out, &["--quiet"]).expect_code(0);
    assert_eq!(day_counts(&out, "1996-01-01"), want);
    assert!(!out.join("2096-01-01").exists());
}

/// A block whose `#Fields` has `date` but no `time`: `summary` counts its 3 lines, and so
/// does the day's report, under an `unknown` hour of by-hour.csv (the timed line of the
/// second block is at 10h); a history keeps them the same way (hour -1).
#[test]
fn lines_with_a_date_and_no_time_are_on_their_day_in_no_hour() {
    let file = case("date-only").join("W3SVC1").join("u_ex261123.log");
    let core = summary_csv(&[&file], &["--quiet"]);
    core.expect_code(0);
    let check = |out: &Path| {
        let day = out.join("2026-11-23");
        assert_eq!(
            fs::read_to_string(day.join("summary.csv")).unwrap(),
            core.stdout,
            "the day's summary.csv is the summary of its lines"
        );
        let hours = csv_rows(&day.join("by-hour.csv"));
        let h10 = hours.iter().find(|r| r[0] == "10").unwrap();
        assert_eq!(h10[1..7], ["http", "1", "1", "0", "0", "0"]);
        // 200, 404 and 500 with time-taken 10, 20, 60: mean 30.0; the 95th percentile is
        // the 60's bucket (60-63 ms), shown as its middle, 61.5.
        let unknown: Vec<&Vec<String>> = hours.iter().filter(|r| r[0] == "unknown").collect();
        assert_eq!(unknown.len(), 1, "{hours:?}");
        // No UTC offset: there is no time to have one.
        assert_eq!(
            unknown[0][1..],
            ["http", "3", "1", "0", "1", "1", "30.0", "61.5", "", "UTC"]
        );
        assert_eq!(hours.len(), 1 + 24 + 1);
        let html = fs::read_to_string(day.join("report.html")).unwrap();
        assert_eq!(span(&html, "total-requests"), 4);
        assert!(html.contains("<td>unknown hour</td><td></td><td class=\"n\">3</td>"));
    };
    let out = tempdir();
    report_day(&file, "2026-11-23", out.path(), &["--quiet"]).expect_code(0);
    check(out.path());

    let dir = tempdir();
    let db = dir.path().join("history.db");
    let out = dir.path().join("out");
    report_db(&file, &db, &out, &["--quiet"]).expect_code(0);
    check(&out);
    let no_hour: i64 = db_value(
        &db,
        "SELECT sum(c2xx + c4xx + c5xx) FROM hours WHERE hour = -1 AND day = '2026-11-23'",
    );
    assert_eq!(no_hour, 3);
    // Read back from the history alone (another day's run), the day is the same.
    let again = dir.path().join("again");
    report_db(&file, &db, &again, &["--date", "2026-11-23", "--quiet"]).expect_code(0);
    check(&again);
}

/// `u_ex261122.log` ends with a whole line and no newline (200, 500, then the 404 at
/// 23:59:59). While it is the site's newest log, that line waits (IIS may be writing
/// it); once `u_ex261123.log` exists, IIS is done with it: the next run counts it, once.
/// The new log's own half-written last line waits until it is finished.
#[test]
fn a_last_line_without_newline_counts_once_iis_is_done_with_the_file() {
    let dir = tempdir();
    let logs = dir.path().join("W3SVC1");
    fs::create_dir(&logs).unwrap();
    fs::copy(
        case("unterminated").join("W3SVC1").join("u_ex261122.log"),
        logs.join("u_ex261122.log"),
    )
    .unwrap();
    let db = dir.path().join("history.db");
    let out = dir.path().join("out");
    let run = || {
        report_db(dir.path(), &db, &out, &["--quiet"]).expect_code(0);
    };
    run();
    assert_eq!(
        day_counts(&out, "2026-11-22"),
        counts(&[("200.0", 1), ("500.0", 1)])
    );
    run();
    assert_eq!(day_total(&out, "2026-11-22"), 2);

    fs::write(
        logs.join("u_ex261123.log"),
        "#Software: Microsoft Internet Information Services 10.0\r\n\
#Fields: date time cs-uri-stem c-ip sc-status sc-substatus sc-win32-status time-taken\r\n\
2026-11-23 08:00:00 /a 192.0.2.4 200 0 0 5\r\n2026-11-23 09:00:0",
    )
    .unwrap();
    for _ in 0..2 {
        run();
        assert_eq!(
            day_counts(&out, "2026-11-22"),
            counts(&[("200.0", 1), ("404.0", 1), ("500.0", 1)])
        );
        assert_eq!(day_total(&out, "2026-11-23"), 1);
    }
    append(&logs.join("u_ex261123.log"), "0 /b 192.0.2.5 304 0 0 5\r\n");
    run();
    assert_eq!(
        day_counts(&out, "2026-11-23"),
        counts(&[("200.0", 1), ("304.0", 1)])
    );
    assert_eq!(day_total(&out, "2026-11-22"), 3);
    // Nothing is counted twice, and nothing skipped: the cut line was never read as one.
    let c = rusqlite::Connection::open(&db).unwrap();
    let (requests, skipped): (i64, i64) = c
        .query_row("SELECT sum(requests), sum(skipped) FROM files", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((requests, skipped), (5, 0));

    // Inside an archive a log is finished: its last line counts on the first run.
    let gz = tempdir();
    let text = fs::read(case("unterminated").join("W3SVC1").join("u_ex261122.log")).unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&text).unwrap();
    fs::create_dir(gz.path().join("W3SVC1")).unwrap();
    fs::write(
        gz.path().join("W3SVC1").join("u_ex261122.log.gz"),
        e.finish().unwrap(),
    )
    .unwrap();
    let out = gz.path().join("out");
    report_db(gz.path(), &gz.path().join("h.db"), &out, &["--quiet"]).expect_code(0);
    assert_eq!(day_total(&out, "2026-11-22"), 3);
}

/// `skipped/W3SVC1/u_ex261123.log`: 6 lines, 2 directives, 1 request, 3 skipped (line 4
/// bad-code `2OO`, lines 5 and 6 column-count). `report` says so as `summary` does: on
/// its stderr line, with the reasons and first lines under `--verbose`, and on the page;
/// with a history, the line numbers of a later run count from the file's start.
#[test]
fn report_counts_and_names_skipped_lines() {
    let file = case("skipped").join("W3SVC1").join("u_ex261123.log");
    let core = summary_csv(&[&file], &[]);
    assert_eq!(totals(&core.stderr).skipped, 3);

    let out = tempdir();
    let r = report_day(&case("skipped"), "2026-11-23", out.path(), &["--verbose"]);
    r.expect_code(0);
    let (read, _) = report_line(&r.stderr);
    assert_eq!(
        (
            read["files"],
            read["lines"],
            read["requests"],
            read["skipped"]
        ),
        (1, 6, 1, 3),
        "{}",
        r.stderr
    );
    assert_eq!(
        verbose_reasons(&r.stderr),
        counts(&[("bad-code", 1), ("column-count", 2)])
    );
    let examples: BTreeSet<String> = verbose_examples(&r.stderr).into_iter().collect();
    for line in [4, 5, 6] {
        assert!(
            examples
                .iter()
                .any(|e| e.ends_with(&format!("u_ex261123.log:{line}"))),
            "line {line}: {examples:?}"
        );
    }
    let html = fs::read_to_string(out.path().join("2026-11-23").join("report.html")).unwrap();
    assert_eq!(page_lines(&html), [1, 6, 1, 3]);

    // A history: the first run reads the 6 lines; the second, two appended lines (a
    // request at line 7, a line of too few columns at line 8).
    let dir = tempdir();
    fs::create_dir(dir.path().join("W3SVC1")).unwrap();
    let copy = dir.path().join("W3SVC1").join("u_ex261123.log");
    fs::copy(&file, &copy).unwrap();
    let db = dir.path().join("h.db");
    let out = dir.path().join("out");
    let run = || {
        let r = report_db(dir.path(), &db, &out, &["-v"]);
        r.expect_code(0);
        r
    };
    let r = run();
    assert_eq!(report_line(&r.stderr).0["skipped"], 3);
    append(
        &copy,
        "2026-11-23 11:00:00 /e 200 0 0\r\n2026-11-23 11:00:01 /f 404\r\n",
    );
    let r = run();
    let (read, _) = report_line(&r.stderr);
    assert_eq!(
        (read["lines"], read["requests"], read["skipped"]),
        (2, 1, 1)
    );
    let examples = verbose_examples(&r.stderr);
    assert_eq!(examples.len(), 1, "{}", r.stderr);
    assert!(examples[0].ends_with("u_ex261123.log:8"), "{examples:?}");
    let html = fs::read_to_string(out.join("2026-11-23").join("report.html")).unwrap();
    assert_eq!(page_lines(&html), [1, 8, 2, 4]);
}

/// `renamed/u_ex261120.log` holds 2 requests of 2026-11-17 (a log copied under another
/// name). Named on the command line it is read, whatever its name says; inside a folder
/// its name rules it out of a report of the 17th.
#[test]
fn a_file_named_on_the_command_line_is_read_whatever_its_name_says() {
    let out = tempdir();
    let r = report_day(
        &case("renamed").join("u_ex261120.log"),
        "2026-11-17",
        out.path(),
        &[],
    );
    r.expect_code(0);
    assert_eq!(
        day_counts(out.path(), "2026-11-17"),
        counts(&[("200.0", 1), ("404.0", 1)])
    );
    assert_eq!(report_line(&r.stderr).0["files"], 1);

    let folder = tempdir();
    let r = report_day(&case("renamed"), "2026-11-17", folder.path(), &[]);
    r.expect_code(0);
    assert_eq!(report_line(&r.stderr).0["files"], 0);
}

/// A file named on the command line is read even when nothing marks it as a log; when
/// none of its lines is a request, stderr names it (and never the real log beside it).
#[test]
fn a_named_file_that_is_not_a_log_is_named() {
    let notes = case("not-a-log").join("notes.txt");
    let warned = |stderr: &str| -> Vec<String> {
        stderr
            .replace('\\', "/")
            .lines()
            .filter(|l| l.contains("not an IIS log"))
            .map(str::to_string)
            .collect()
    };
    let r = summary_csv(&[&notes], &[]);
    r.expect_code(0);
    let w = warned(&r.stderr);
    assert_eq!(w.len(), 1, "{}", r.stderr);
    assert!(w[0].contains("not-a-log/notes.txt"), "{w:?}");
    assert!(w[0].contains("2 lines"), "{w:?}");

    let log = root()
        .join("fixtures")
        .join("reports")
        .join("W3SVC1")
        .join("u_ex261123.log");
    let out = tempdir();
    let r = iislog([
        "report",
        s(&notes),
        s(&log),
        "--date",
        "2026-11-23",
        "--out",
        s(out.path()),
    ]);
    r.expect_code(0);
    let w = warned(&r.stderr);
    assert_eq!(w.len(), 1, "{}", r.stderr);
    assert!(w[0].contains("notes.txt"), "{w:?}");
    assert_eq!(day_total(out.path(), "2026-11-23"), 4);
    // With --fields its lines are read as data, and still none is a request.
    let r = summary_csv(&[&notes], &["--fields", "date time sc-status"]);
    assert_eq!(warned(&r.stderr).len(), 1, "{}", r.stderr);
    // A log that lost its header, named with --fields, is a log after all: no warning.
    let dir = tempdir();
    let old = dir.path().join("old.txt");
    fs::write(&old, "2026-11-23 10:00:00 200\r\n").unwrap();
    let r = summary_csv(&[&old], &["--fields", "date time sc-status"]);
    assert_eq!(totals(&r.stderr).requests, 1);
    assert!(warned(&r.stderr).is_empty(), "{}", r.stderr);
}

// --- Part 6: small things a new user hit ---

/// A history of `fixtures/reports` (UTC): 2026-11-22 has 5 requests, 2 of them 5xx
/// (500.19, 503), 1 a 404; 2026-11-23 has 4, 1 of them 5xx.
fn reports_history(dir: &Path) -> PathBuf {
    let db = dir.join("history.db");
    report_db(&reports_fixture(), &db, &dir.join("out"), &["--quiet"]).expect_code(0);
    db
}

#[test]
fn history_prints_json() {
    let dir = tempdir();
    let db = reports_history(dir.path());
    let json = |code: &str| -> serde_json::Value {
        let r = iislog([
            "history",
            "--db",
            s(&db),
            "--until",
            "2026-11-23",
            "--days",
            "2",
            "--code",
            code,
            "--format",
            "json",
        ]);
        r.expect_code(0);
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
    };
    let v = json("5xx");
    assert_eq!(v["code"], "5xx");
    let days: Vec<(String, u64, u64, f64)> = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap().to_string(),
                d["requests"].as_u64().unwrap(),
                d["count"].as_u64().unwrap(),
                d["percent"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            ("2026-11-22".to_string(), 5, 2, 40.0),
            ("2026-11-23".to_string(), 4, 1, 25.0)
        ]
    );
    assert_eq!(json("404")["days"][0]["percent"].as_f64(), Some(20.0));
}

/// Makes a folder and a file in it read-only, and undoes it when dropped: as root (for
/// whom permissions do not hold) with the immutable attribute, else with the modes.
#[cfg(unix)]
struct ReadOnly(Vec<PathBuf>, bool);

#[cfg(unix)]
impl ReadOnly {
    fn make(paths: &[&Path]) -> ReadOnly {
        use std::os::unix::fs::PermissionsExt;
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        for p in paths {
            if root {
                let _ = Command::new("chattr").arg("+i").arg(p).status();
            } else {
                let mode = if p.is_dir() { 0o555 } else { 0o444 };
                fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
            }
        }
        ReadOnly(paths.iter().map(|p| p.to_path_buf()).collect(), root)
    }
}

#[cfg(unix)]
impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        for p in self.0.iter().rev() {
            if self.1 {
                let _ = Command::new("chattr").arg("-i").arg(p).status();
            } else {
                let mode = if p.is_dir() { 0o755 } else { 0o644 };
                let _ = fs::set_permissions(p, fs::Permissions::from_mode(mode));
            }
        }
    }
}

/// `history` and `merge` only read: a copy of a history in a folder nobody may write to
/// (no `-wal` or `-shm` beside it, and none can be made) is read, not refused.
#[cfg(unix)]
#[test]
fn history_and_merge_read_a_read_only_history() {
    let dir = tempdir();
    let db = reports_history(dir.path());
    let ro = dir.path().join("copy");
    fs::create_dir(&ro).unwrap();
    let copy = ro.join("history.db");
    fs::copy(&db, &copy).unwrap();
    let before = fs::read(&copy).unwrap();
    let guard = ReadOnly::make(&[&copy, &ro]);
    if fs::write(ro.join("probe"), b"").is_ok() {
        drop(guard);
        eprintln!("skipped: this system cannot make a folder read-only here");
        return;
    }
    let r = iislog([
        "history",
        "--db",
        s(&copy),
        "--until",
        "2026-11-23",
        "--days",
        "2",
        "--format",
        "csv",
    ]);
    r.expect_code(0);
    assert_eq!(
        r.stdout,
        "day,requests,5xx,percent\r\n2026-11-22,5,2,40.00\r\n2026-11-23,4,1,25.00\r\n"
    );
    let out = dir.path().join("farm");
    iislog([
        "merge",
        s(&copy),
        "--date",
        "2026-11-22",
        "--out",
        s(&out),
        "--quiet",
    ])
    .expect_code(0);
    assert_eq!(day_total(&out, "2026-11-22"), 5);
    drop(guard);
    assert_eq!(fs::read(&copy).unwrap(), before);
}

/// `--db` in a folder that does not exist yet: the folder is made, as `--out`'s is.
#[test]
fn a_history_in_a_missing_folder_is_created() {
    let dir = tempdir();
    let db = dir.path().join("iislog").join("data").join("history.db");
    let r = report_db(
        &reports_fixture(),
        &db,
        &dir.path().join("out"),
        &["--quiet"],
    );
    r.expect_code(0);
    assert!(db.is_file());
    assert_eq!(day_total(&dir.path().join("out"), "2026-11-22"), 5);
}

/// `Get-Content u_ex261123.log | iislog summary -`: standard input is read as a log, with
/// the counts of the same file named.
#[test]
fn summary_reads_standard_input() {
    let file = root()
        .join("fixtures")
        .join("LogFiles")
        .join("W3SVC2")
        .join("u_ex261123.log");
    let named = summary_csv(&[&file], &[]);
    named.expect_code(0);
    let piped = run(command()
        .args(["summary", "-", "--format", "csv"])
        .stdin(fs::File::open(&file).unwrap()));
    piped.expect_code(0);
    assert_eq!(piped.stdout, named.stdout);
    assert_eq!(totals(&piped.stderr), totals(&named.stderr));
}

/// A `--client-ip-field` that no log has (a typo) is a warning that says so, not the
/// note for a folder where some blocks log the field and some do not.
#[test]
fn a_client_ip_field_no_log_has_is_a_warning() {
    let out = tempdir();
    let r = report_day(
        &case("proxy"),
        "2026-11-23",
        out.path(),
        &["--client-ip-field", "X-Forwarded-Fro"],
    );
    r.expect_code(0);
    let lines: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("X-Forwarded-Fro"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(lines[0].starts_with("iislog: warning: "), "{}", lines[0]);
    assert!(
        lines[0].contains("no log read has this field"),
        "{}",
        lines[0]
    );
}

/// Each `--help` lists the exit codes its subcommand can return, and no other.
#[test]
fn each_help_lists_only_its_exit_codes() {
    for (sub, want) in [
        ("summary", &[0, 1, 2, 6][..]),
        ("explain", &[0, 2, 6]),
        ("report", &[0, 1, 2, 3, 4, 5, 6]),
        ("history", &[0, 2, 4, 5, 6]),
        ("merge", &[0, 2, 4, 5, 6]),
    ] {
        let r = iislog([sub, "--help"]);
        r.expect_code(0);
        let table = r
            .stdout
            .split("Exit codes:")
            .nth(1)
            .unwrap_or_else(|| panic!("{sub}: no exit codes"));
        let listed: Vec<u32> = table
            .lines()
            .filter_map(|l| l.trim_start().split(' ').next()?.parse().ok())
            .collect();
        assert_eq!(listed, want, "{sub} --help:\n{table}");
    }
}

/// `report -o DIR`, as `summary -o FILE`.
#[test]
fn report_takes_dash_o() {
    let out = tempdir();
    iislog([
        "report",
        s(&reports_fixture()),
        "--date",
        "2026-11-23",
        "-o",
        s(out.path()),
        "--quiet",
    ])
    .expect_code(0);
    assert_eq!(day_total(out.path(), "2026-11-23"), 4);
}

/// An OS error is printed once, with the file or folder it concerns.
#[test]
fn an_os_error_is_printed_once_with_its_file() {
    let dir = tempdir();
    let (not_a_folder, r) = report_onto_a_file(dir.path());
    r.expect_code(6);
    let err = r.stderr_slashed();
    assert_eq!(err.matches("os error").count(), 1, "{err}");
    let day = format!("{}/2026-11-23", s(&not_a_folder).replace('\\', "/"));
    assert!(err.contains(&day), "{err}");

    let missing = dir.path().join("missing").join("x-httperr.csv");
    let r = iislog([
        "summary",
        s(&crate::util::fixture("HTTPERR")),
        "--httperr-output",
        s(&missing),
        "--quiet",
    ]);
    r.expect_code(6);
    let err = r.stderr_slashed();
    assert_eq!(err.matches("os error").count(), 1, "{err}");
    assert!(err.contains("missing/x-httperr.csv"), "{err}");
}

/// The report line says the requests of the asked days (not of every line read: the
/// 22nd's log is read for a report of the 23rd, a day's margin for time zones) and
/// where the page is.
#[test]
fn the_report_line_says_the_asked_days_and_where_the_page_is() {
    let out = tempdir();
    let r = report_day(&reports_fixture(), "2026-11-23", out.path(), &[]);
    r.expect_code(0);
    let (read, line) = report_line(&r.stderr);
    assert_eq!((read["files"], read["requests"]), (2, 9), "{line}");
    assert!(line.contains("9 requests (5 on days not asked)"), "{line}");
    let page = format!(
        "2026-11-23: 4 requests, {}/2026-11-23/report.html;",
        s(out.path()).replace('\\', "/")
    );
    assert!(line.contains(&page), "{line}\nwants {page}");

    let r = report_range(
        &reports_fixture(),
        "2026-11-22",
        "2026-11-23",
        out.path(),
        &[],
    );
    let (_, line) = report_line(&r.stderr);
    assert!(
        line.contains("2 days, 2026-11-22 to 2026-11-23: 9 requests, "),
        "{line}"
    );
}

/// On a terminal a `--db` run draws a progress bar of the bytes to read (its total, 323
/// bytes, is shown); with stderr redirected nothing is drawn.
#[cfg(unix)]
#[test]
fn a_progress_bar_only_on_a_terminal() {
    let dir = tempdir();
    let bin = env!("CARGO_BIN_EXE_iislog");
    let logs = case("unterminated");
    let cmd = format!(
        "'{bin}' report '{}' --db '{}' --out '{}'",
        s(&logs),
        s(&dir.path().join("tty.db")),
        s(&dir.path().join("tty"))
    );
    let Ok(tty) = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::null())
        .output()
    else {
        eprintln!("skipped: no `script` to run iislog on a terminal");
        return;
    };
    let shown = String::from_utf8_lossy(&tty.stdout);
    assert!(shown.contains("/323 B"), "{shown:?}");
    let piped = report_db(
        &logs,
        &dir.path().join("pipe.db"),
        &dir.path().join("pipe"),
        &[],
    );
    piped.expect_code(0);
    report_line(&piped.stderr);
    for drawn in ["323 B", "\r", "\u{1b}["] {
        assert!(!piped.stderr.contains(drawn), "{:?}", piped.stderr);
    }
}
