//! What no log folder and no flag can push iislog past: a value hundreds of MB long is
//! cut (and the history keeps working), every number on the command line has a range,
//! a date range writes only the days that hold lines, names reach the terminal escaped,
//! a failed write has its own exit code, a killed run's temporary files go, and two runs
//! on a new history do not trip over each other.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::util::{
    csv_rows, db_value, iislog, report_day, report_db, report_onto_a_file, report_range,
    reports_fixture, root, s, tempdir, w3c_line, W3C_HEADER,
};

/// The documented limit on a kept value (README, "Hostile input"), and the mark after it.
const MAX_VALUE: usize = 4096;
const CUT_MARK: &str = "…[cut]";

/// A line of 2026-11-23 10:00 UTC under [`W3C_HEADER`].
fn line(site: &str, uri: &str, status: u32) -> String {
    w3c_line("2026-11-23 10:00:00", site, uri, status)
}

/// The folders under `out`, by name.
fn folders(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(out) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// A 404 whose URI is 2 MB (three of them, two alike and one with another tail after the
/// limit) and a site name of 1 MB: the lists, the CSVs and the history keep each cut to
/// `MAX_VALUE` bytes plus the mark, counted as one value, and later runs go on working.
#[test]
fn a_very_long_value_is_cut_and_the_history_keeps_working() {
    let dir = tempdir();
    let logs = dir.path().join("W3SVC1");
    fs::create_dir(&logs).unwrap();
    let long = format!("/{}", "a".repeat(2_000_000));
    let other_tail = format!("{long}b");
    let site = "S".repeat(1_000_000);
    let mut text = W3C_HEADER.to_string();
    for uri in [&long, &long, &other_tail] {
        text.push_str(&line("Default", uri, 404));
    }
    text.push_str(&line("Default", "/short", 404));
    text.push_str(&line(&site, "/", 200));
    let log = logs.join("u_ex261123.log");
    fs::write(&log, &text).unwrap();
    let db = dir.path().join("history.db");
    let out = dir.path().join("out");
    let report = || report_db(&logs, &db, &out, &["--date", "2026-11-23", "--quiet"]);
    report().expect_code(0);

    let uris = |want_long: u64| {
        let rows = csv_rows(&out.join("2026-11-23").join("top-errors.csv"));
        let uris: Vec<(String, u64)> = rows[1..]
            .iter()
            .filter(|r| r[3] == "uri")
            .map(|r| (r[5].clone(), r[6].parse().unwrap()))
            .collect();
        assert_eq!(
            uris.len(),
            2,
            "{:?}",
            uris.iter().map(|u| u.1).collect::<Vec<_>>()
        );
        let (cut, n) = &uris[0];
        assert_eq!(*n, want_long);
        assert_eq!(cut.len(), MAX_VALUE + CUT_MARK.len());
        assert!(cut.ends_with(CUT_MARK) && long.starts_with(&cut[..MAX_VALUE]));
        assert_eq!(uris[1], ("/short".to_string(), 1));
    };
    uris(3);
    let sites = csv_rows(&out.join("2026-11-23").join("by-site.csv"));
    let long_site = sites[1..].iter().find(|r| r[1].starts_with("SSS")).unwrap();
    assert_eq!(long_site[1].len(), MAX_VALUE + CUT_MARK.len());
    assert!(long_site[1].ends_with(CUT_MARK));
    assert_eq!(long_site[5], "1");

    // What the history holds is as short.
    let longest = |sql: &str| -> i64 { db_value(&db, sql) };
    assert!(longest("SELECT max(length(entries)) FROM top_lists") < 3 * MAX_VALUE as i64);
    assert!(longest("SELECT max(length(site)) FROM codes") <= (MAX_VALUE + CUT_MARK.len()) as i64);

    // Nothing new, then one more long line: each later run works and counts it.
    report().expect_code(0);
    let mut f = fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::io::Write::write_all(&mut f, line("Default", &long, 404).as_bytes()).unwrap();
    drop(f);
    report().expect_code(0);
    uris(4);
}

/// Every number on the command line is checked against its range, with a message
/// naming the flag and the range; none panics, none runs away with the machine.
#[test]
fn numeric_options_have_ranges() {
    let dir = tempdir();
    let db = dir.path().join("h.db");
    let out = dir.path().join("out");
    let fixture = reports_fixture();
    report_db(&fixture, &db, &out, &["--quiet"]).expect_code(0);

    // A history of zero days was taken as one.
    let r = iislog(["history", "--db", s(&db), "--days", "0"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("--days") && r.stderr.contains("1..=3660"),
        "{}",
        r.stderr
    );
    let r = iislog(["history", "--db", s(&db), "--days", "99999999"]);
    r.expect_code(2);
    r.expect_stderr("1..=3660");
    iislog([
        "history",
        "--db",
        s(&db),
        "--days",
        "3660",
        "--format",
        "csv",
    ])
    .expect_code(0);

    // 2147484 s is past what SQLite's millisecond timeout holds: a panic once.
    let r = report_db(&fixture, &db, &out, &["--wait", "2147484"]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("--wait") && r.stderr.contains("0..=86400"),
        "{}",
        r.stderr
    );

    // Alert figures that could never trip, or are no figures.
    for rule in [
        "5xx>NaN%",
        "5xx>inf%",
        "5xx>-1%",
        "5xx>101%",
        "5xx>NaNx",
        "5xx>-2x",
        "5000>1",
        "requests<-1",
    ] {
        let r = report_day(&fixture, "2026-11-23", &out, &["--fail-on", rule]);
        r.expect_code(2);
        r.expect_stderr(&format!("--fail-on \"{rule}\""));
    }

    // Threads: at least one; more than the cores are cut to the cores, with a note.
    let log = root().join("fixtures").join("LogFiles");
    let r = iislog(["summary", s(&log), "--threads", "0", "--format", "csv"]);
    r.expect_code(2);
    r.expect_stderr("--threads");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let r = iislog(["summary", s(&log), "--threads", "4096", "--format", "csv"]);
    r.expect_code(0);
    r.expect_stderr(&format!(
        "--threads 4096: this machine has {cores} cores; using {cores}"
    ));
    let one = iislog(["summary", s(&log), "--threads", "1", "--format", "csv"]);
    assert_eq!(r.stdout, one.stdout);
    iislog(["summary", s(&log), "--threads", "4097"]).expect_code(2);
}

/// Asked a range, `report` writes the days that hold lines and names the others in
/// runs of days, whether the range spans a month or 8,100 years, with or without a
/// history, and `merge` likewise. `fixtures/reports` holds lines on 2026-11-22 and -23.
#[test]
fn date_ranges_write_only_the_days_that_hold_lines() {
    let fixture = reports_fixture();
    let dir = tempdir();
    let held = vec!["2026-11-22".to_string(), "2026-11-23".to_string()];

    let out = dir.path().join("month");
    let r = report_range(&fixture, "2026-11-01", "2026-11-30", &out, &[]);
    r.expect_code(0);
    assert_eq!(folders(&out), held);
    r.expect_stderr(
        "no log holds a line for 28 days (2026-11-01 to 2026-11-21, 2026-11-24 to 2026-11-30)",
    );

    // 1900-01-01 to 9999-12-31 is 2,958,464 days, 2 of them with lines.
    let whole =
        "no log holds a line for 2958462 days (1900-01-01 to 2026-11-21, 2026-11-24 to 9999-12-31)";
    let db = dir.path().join("history.db");
    for with_db in [false, true] {
        let out = dir.path().join(format!("all-{with_db}"));
        let history: &[&str] = if with_db { &["--db", s(&db)] } else { &[] };
        let r = report_range(&fixture, "1900-01-01", "9999-12-31", &out, history);
        r.expect_code(0);
        assert_eq!(folders(&out), held, "--db {with_db}");
        r.expect_stderr(whole);
    }

    let farm = dir.path().join("farm");
    let r = iislog([
        "merge",
        s(&db),
        "--since",
        "1900-01-01",
        "--until",
        "9999-12-31",
        "--out",
        s(&farm),
    ]);
    r.expect_code(0);
    assert_eq!(folders(&farm), held);
    r.expect_stderr("no history holds a line for 2958462 days");
}

/// File and archive-member names and paths holding escape sequences or a newline are
/// printed escaped, in warnings (shown even with -q) and with --verbose: nothing retitles
/// the terminal, clears it, or forges a line of iislog's own.
#[cfg(unix)]
#[test]
fn names_reach_the_terminal_escaped() {
    let dir = tempdir();
    let evil = "u_ex261123\u{1b}]0;pwned\u{7}\u{1b}[2J\niislog: 0 files.log";
    let logs = dir.path().join("logs");
    fs::create_dir(&logs).unwrap();
    fs::write(
        logs.join(evil),
        format!("{W3C_HEADER}{}", line("-", "/", 200)),
    )
    .unwrap();
    let missing = dir.path().join("gone\u{1b}[31m\r\nfake.log");
    let out = dir.path().join("out");
    let runs = [
        iislog([
            "summary",
            s(&logs),
            s(&missing),
            "--verbose",
            "--format",
            "csv",
            "-q",
        ]),
        iislog([
            "report",
            s(&logs),
            s(&missing),
            "--date",
            "2026-11-23",
            "--out",
            s(&out),
            "-q",
        ]),
    ];
    for r in &runs {
        r.expect_code(1);
        assert!(
            !r.stderr.contains(['\u{1b}', '\u{7}', '\r']),
            "raw control characters: {:?}",
            r.stderr
        );
        for l in r.stderr.lines() {
            assert!(l.starts_with("iislog: "), "a forged line: {l:?}");
        }
        r.expect_stderr("gone\\u{1b}[31m\\u{d}\\u{a}fake.log");
    }
    runs[0].expect_stderr("u_ex261123\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{a}iislog: 0 files.log");
}

/// Writing the reports or an output file fails: exit 6 (2 is a usage error), with the
/// place named.
#[test]
fn a_failed_write_has_its_own_exit_code() {
    let dir = tempdir();
    let (_, r) = report_onto_a_file(dir.path());
    r.expect_code(6);
    r.expect_stderr("could not write the report for 2026-11-23");
    // `summary -o` into a missing folder: tests/errors.rs.
}

/// A killed run leaves `.NAME.PID.tmp` files in a day folder: the next run writing the
/// folder removes its own kind once they are old, and leaves everything else (another
/// run's file in the making, files of other programs).
#[test]
fn a_killed_runs_temporary_files_are_removed() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let report = || {
        report_day(&reports_fixture(), "2026-11-23", &out, &["-q"]).expect_code(0);
    };
    report();
    let day = out.join("2026-11-23");
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let make = |name: &str, old: bool| {
        let path = day.join(name);
        fs::write(&path, "half").unwrap();
        if old {
            fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(hour_ago)
                .unwrap();
        }
    };
    make(".summary.csv.4242.tmp", true);
    make(".report.html.77.tmp", true);
    make(".by-hour.csv.4243.tmp", false);
    make(".notes.txt.4242.tmp", true);
    make("notes.txt", true);
    report();
    let left: Vec<String> = folders(&day)
        .into_iter()
        .filter(|n| n.ends_with(".tmp") || n.starts_with("notes"))
        .collect();
    assert_eq!(
        left,
        [".by-hour.csv.4243.tmp", ".notes.txt.4242.tmp", "notes.txt"]
    );
}

/// Two runs start on a history that does not exist yet: both end well (one waits for the
/// other), never "busy" at once nor "another program's database" from seeing the other
/// half way through creating it. Tried 100 times, as the race is narrow:
/// before the fix, about 1 try in 30 failed.
#[test]
fn two_runs_on_a_new_history() {
    let dir = tempdir();
    let logs = root().join("fixtures").join("LogFiles");
    let exe = env!("CARGO_BIN_EXE_iislog");
    for i in 0..100 {
        let db = dir.path().join(format!("h{i}.db"));
        let start = |n: u32| {
            let mut cmd = std::process::Command::new(exe);
            cmd.args(["report", s(&logs), "--db", s(&db), "-q", "--out"])
                .arg(dir.path().join(format!("out{n}")))
                .stderr(std::process::Stdio::piped());
            // Under Wine, starting a process now and then fails (ERROR_INTERNAL_ERROR,
            // 1359) when hundreds start in a row. Starting is not what this test checks:
            // a start that fails is tried again, a few times.
            let mut tries = 0;
            loop {
                match cmd.spawn() {
                    Ok(child) => break child,
                    Err(e) if tries < 5 => {
                        tries += 1;
                        eprintln!("try {i}: iislog did not start ({e}); again");
                        std::thread::sleep(std::time::Duration::from_millis(200));
                    }
                    Err(e) => panic!("try {i}: iislog did not start, 6 times: {e}"),
                }
            }
        };
        let (a, b) = (start(1), start(2));
        for child in [a, b] {
            let o = child.wait_with_output().unwrap();
            assert_eq!(
                o.status.code(),
                Some(0),
                "try {i}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
}
