//! `iislog report` in time zones with daylight saving: the local days and clock hours on
//! both sides of the spring and autumn switches in Europe/Oslo and America/New_York, and
//! in Asia/Tokyo, which has none; a nightly history across both switches; `--local`; a
//! history made at a fixed offset, migrated and moved to a zone. Every count is worked out
//! by hand from the fixture's lines in fixtures/README.md ("Time zones").

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{
    command, csv_rows, day_total, db_value, iislog, report_db, report_range, root, run, s, tempdir,
    Run,
};

/// fixtures/report-cases/dst: one site, `W3SVC9`, with a log per UTC day.
fn dst() -> PathBuf {
    root()
        .join("fixtures")
        .join("report-cases")
        .join("dst")
        .join("W3SVC9")
}

/// Requests per status in a day folder's summary.csv.
fn statuses(day: &Path) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    for r in csv_rows(&day.join("summary.csv")).iter().skip(1) {
        out.push((r[1].clone(), r[4].parse().unwrap()));
    }
    out.sort();
    out
}

/// A row of by-hour.csv: hour, utc_offset, requests, mean time-taken in ms.
type HourRow = (String, String, u64, String);

/// by-hour.csv's rows in file order, and its zones.
fn hours(day: &Path) -> (Vec<HourRow>, Vec<String>) {
    let rows = csv_rows(&day.join("by-hour.csv"));
    assert_eq!(rows[0][0], "hour");
    assert_eq!(rows[0][9..], ["utc_offset", "time_zone"]);
    let mut zones: Vec<String> = rows[1..].iter().map(|r| r[10].clone()).collect();
    zones.dedup();
    let hours = rows[1..]
        .iter()
        .map(|r| {
            (
                r[0].clone(),
                r[9].clone(),
                r[2].parse().unwrap(),
                r[7].clone(),
            )
        })
        .collect();
    (hours, zones)
}

/// The hours of a day that had requests: (hour, utc_offset, requests, mean ms).
fn busy(day: &Path) -> Vec<HourRow> {
    hours(day).0.into_iter().filter(|h| h.2 > 0).collect()
}

fn row(hour: &str, offset: &str, n: u64, mean: &str) -> HourRow {
    (hour.into(), offset.into(), n, mean.into())
}

/// `report` of the dst fixture for three days from `since` with `zone` flags; returns
/// the report folder and the three days' totals.
fn report(zone: &[&str], days: [&str; 3]) -> (tempfile::TempDir, Vec<u64>) {
    let out = tempdir();
    let logs = dst();
    let mut extra = vec!["--quiet"];
    extra.extend(zone);
    report_range(&logs, days[0], days[2], out.path(), &extra).expect_code(0);
    let totals = days.iter().map(|d| day_total(out.path(), d)).collect();
    (out, totals)
}

const SPRING: [&str; 3] = ["2026-03-28", "2026-03-29", "2026-03-30"];
const AUTUMN: [&str; 3] = ["2026-10-24", "2026-10-25", "2026-10-26"];
const NOVEMBER: [&str; 3] = ["2026-10-31", "2026-11-01", "2026-11-02"];

/// Oslo, spring: the clocks go from 02:00 CET (+01:00) to 03:00 CEST (+02:00) at 01:00
/// UTC on 29 March 2026. That day has 23 hours (no 02), and its local day runs from
/// 23:00 UTC on the 28th to 22:00 UTC on the 29th.
#[test]
fn oslo_spring_switch_gives_a_day_of_23_hours() {
    let (out, totals) = report(&["--tz", "Europe/Oslo"], SPRING);
    assert_eq!(totals, [2, 7, 2]);
    let day = out.path().join("2026-03-29");
    assert_eq!(
        statuses(&day),
        [("200".into(), 5), ("404".into(), 1), ("500".into(), 1)]
    );
    let (all, zones) = hours(&day);
    assert_eq!(zones, ["Europe/Oslo"]);
    assert_eq!(all.len(), 23, "{all:?}");
    assert!(all.iter().all(|h| h.0 != "02"), "{all:?}");
    assert_eq!(
        (&all[1].0, &all[1].1, &all[2].0, &all[2].1),
        (
            &"01".into(),
            &"+01:00".into(),
            &"03".into(),
            &"+02:00".into()
        )
    );
    assert_eq!(
        busy(&day),
        [
            row("00", "+01:00", 2, "35.0"),
            row("01", "+01:00", 2, "15.0"),
            row("03", "+02:00", 2, "35.0"),
            row("23", "+02:00", 1, "50.0"),
        ]
    );
    // The days either side: 24 hours, all at one offset.
    let before = hours(&out.path().join("2026-03-28")).0;
    assert_eq!(before.len(), 24);
    assert!(before.iter().all(|h| h.1 == "+01:00"));
    let after = hours(&out.path().join("2026-03-30")).0;
    assert!(after.len() == 24 && after.iter().all(|h| h.1 == "+02:00"));
    assert_eq!(
        busy(&out.path().join("2026-03-30")),
        [
            row("00", "+02:00", 1, "60.0"),
            row("01", "+02:00", 1, "70.0")
        ]
    );
}

/// Oslo, autumn: from 03:00 CEST (+02:00) back to 02:00 CET (+01:00) at 01:00 UTC on 25
/// October 2026. That day has 25 hours; 02 comes twice, each with its own row.
#[test]
fn oslo_autumn_switch_gives_a_day_of_25_hours_with_02_twice() {
    let (out, totals) = report(&["--tz", "europe/oslo"], AUTUMN);
    assert_eq!(totals, [1, 9, 1]);
    let day = out.path().join("2026-10-25");
    let (all, zones) = hours(&day);
    assert_eq!(zones, ["Europe/Oslo"]);
    assert_eq!(all.len(), 25);
    let order: Vec<(&str, &str)> = all[..5]
        .iter()
        .map(|h| (h.0.as_str(), h.1.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("00", "+02:00"),
            ("01", "+02:00"),
            ("02", "+02:00"),
            ("02", "+01:00"),
            ("03", "+01:00")
        ]
    );
    assert_eq!(
        busy(&day),
        [
            row("00", "+02:00", 1, "20.0"),
            row("01", "+02:00", 1, "30.0"),
            row("02", "+02:00", 3, "20.0"),
            row("02", "+01:00", 2, "45.0"),
            row("03", "+01:00", 1, "60.0"),
            row("23", "+01:00", 1, "70.0"),
        ]
    );
    // The page names the zone, tells the day's clock change, and lists 02 twice.
    let page = fs::read_to_string(day.join("report.html")).unwrap();
    assert!(
        page.contains("<span id=\"time-zone\">days and hours in Europe/Oslo</span>"),
        "{page}"
    );
    assert!(page.contains("This day has 25 hours: the clocks went back, 02 came twice"));
    assert!(page.contains("<tr><td>02</td><td>+02:00</td><td class=\"n\">3</td>"));
    assert!(page.contains("<tr><td>02</td><td>+01:00</td><td class=\"n\">2</td>"));
    let plain = fs::read_to_string(out.path().join("2026-10-26/report.html")).unwrap();
    assert!(!plain.contains("clock-change"));
}

/// New York, autumn: from 02:00 EDT (-04:00) back to 01:00 EST (-05:00) at 06:00 UTC on
/// 1 November 2026: 01 comes twice; the local day runs from 04:00 UTC to 05:00 UTC the
/// next day.
#[test]
fn new_york_autumn_switch_repeats_01() {
    let (out, totals) = report(&["--tz", "America/New_York"], NOVEMBER);
    assert_eq!(totals, [1, 6, 1]);
    let day = out.path().join("2026-11-01");
    assert_eq!(hours(&day).0.len(), 25);
    assert_eq!(
        busy(&day),
        [
            row("00", "-04:00", 1, "20.0"),
            row("01", "-04:00", 1, "30.0"),
            row("01", "-05:00", 2, "45.0"),
            row("02", "-05:00", 1, "60.0"),
            row("23", "-05:00", 1, "10.0"),
        ]
    );
}

/// Asia/Tokyo has no daylight saving: +09:00 on both switch weekends, 24 hours a day, and
/// the same days as `--utc-offset +09:00`.
#[test]
fn tokyo_has_no_switch() {
    let (out, totals) = report(&["--tz", "Asia/Tokyo"], SPRING);
    assert_eq!(totals, [1, 7, 3]);
    let (autumn, totals) = report(&["--tz", "Asia/Tokyo"], AUTUMN);
    assert_eq!(totals, [0, 9, 2]);
    for day in [
        out.path().join("2026-03-29"),
        autumn.path().join("2026-10-25"),
        autumn.path().join("2026-10-26"),
    ] {
        let (all, zones) = hours(&day);
        assert_eq!(zones, ["Asia/Tokyo"]);
        assert!(all.len() == 24 && all.iter().all(|h| h.1 == "+09:00"));
    }
    assert_eq!(
        busy(&autumn.path().join("2026-10-25"))
            .iter()
            .map(|h| (h.0.as_str(), h.2))
            .collect::<Vec<_>>(),
        [
            ("06", 1),
            ("07", 1),
            ("08", 1),
            ("09", 3),
            ("10", 2),
            ("11", 1)
        ]
    );
    let (fixed, _) = report(&["--utc-offset", "+09:00"], SPRING);
    for d in SPRING {
        let (a, b) = (out.path().join(d), fixed.path().join(d));
        assert_eq!(
            fs::read(a.join("summary.csv")).unwrap(),
            fs::read(b.join("summary.csv")).unwrap()
        );
        assert_eq!(hours(&b).1, ["UTC+09:00"]);
    }
}

/// Runs `iislog` with `TZ` set (jiff reads it first for the system zone, on Windows too).
fn iislog_with_tz(tz: &str, args: &[&str]) -> Run {
    run(command().args(args).env("TZ", tz))
}

/// Copies the dst fixture's logs of `names` into `logs`.
fn copy_logs(logs: &Path, names: &[&str]) {
    fs::create_dir_all(logs).unwrap();
    for n in names {
        fs::copy(dst().join(n), logs.join(n)).unwrap();
    }
}

/// A nightly `--local --db` job on a machine in Oslo, a new log each night, across both
/// switches: every run exits 0 (before zones, every run after the spring switch exited
/// 4), and its day folders are those of a stateless `--tz Europe/Oslo` report. The
/// machine's zone is given by `TZ`, which is how `--local` can be tried on any machine;
/// on Windows without `TZ` it is the system time zone.
#[test]
fn a_nightly_local_history_runs_across_both_switches() {
    let dir = tempdir();
    let (logs, db, out) = (
        dir.path().join("W3SVC9"),
        dir.path().join("history.db"),
        dir.path().join("out"),
    );
    let nights = [
        "u_ex260328.log",
        "u_ex260329.log",
        "u_ex261024.log",
        "u_ex261025.log",
    ];
    for night in nights {
        copy_logs(&logs, &[night]);
        iislog_with_tz(
            "Europe/Oslo",
            &[
                "report",
                s(&logs),
                "--db",
                s(&db),
                "--out",
                s(&out),
                "--local",
            ],
        )
        .expect_code(0);
    }
    let (spring, _) = report(&["--tz", "Europe/Oslo"], SPRING);
    let (autumn, _) = report(&["--tz", "Europe/Oslo"], AUTUMN);
    for (stateless, d) in [
        (&spring, "2026-03-28"),
        (&spring, "2026-03-29"),
        (&spring, "2026-03-30"),
        (&autumn, "2026-10-24"),
        (&autumn, "2026-10-25"),
        (&autumn, "2026-10-26"),
    ] {
        for f in [
            "summary.csv",
            "by-hour.csv",
            "by-site.csv",
            "top-errors.csv",
        ] {
            assert_eq!(
                fs::read_to_string(out.join(d).join(f)).unwrap(),
                fs::read_to_string(stateless.path().join(d).join(f)).unwrap(),
                "{d}/{f}"
            );
        }
    }
    // The history keeps the zone, and the repeated hour as two rows.
    let c = rusqlite::Connection::open(&db).unwrap();
    let zone: String = db_value(&db, "SELECT value FROM settings WHERE key = 'time_zone'");
    assert_eq!(zone, "Europe/Oslo");
    let mut st = c
        .prepare("SELECT utc_offset, c2xx + c4xx + c5xx FROM hours WHERE day = '2026-10-25' AND hour = 2 ORDER BY utc_offset DESC")
        .unwrap();
    let twos: Vec<(String, i64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(twos, [("+02:00".into(), 3), ("+01:00".into(), 2)]);
    // A farm's day from histories in the zone has the same hours, and a history in
    // another zone cannot be added to it.
    let farm = dir.path().join("farm");
    iislog(["merge", s(&db), "--date", AUTUMN[1], "--out", s(&farm)]).expect_code(0);
    assert_eq!(
        busy(&farm.join(AUTUMN[1])),
        busy(&autumn.path().join(AUTUMN[1]))
    );
    let tokyo = dir.path().join("tokyo.db");
    report_db(
        &logs,
        &tokyo,
        &dir.path().join("out-tokyo"),
        &["--tz", "Asia/Tokyo"],
    )
    .expect_code(0);
    let r = iislog([
        "merge",
        s(&db),
        s(&tokyo),
        "--date",
        AUTUMN[1],
        "--out",
        s(&farm),
    ]);
    r.expect_code(2);
    r.expect_stderr("Asia/Tokyo, Europe/Oslo");
}

/// `--local` is the machine's zone with its rules: with `TZ=America/New_York` it is
/// `--tz America/New_York`. A zone without an IANA name (a POSIX rule in `TZ`) or an
/// unknown one cannot be kept by a history: the error says to give `--tz`.
#[test]
fn local_is_the_machines_zone_by_name() {
    let dir = tempdir();
    let logs = dst();
    let (a, b) = (dir.path().join("local"), dir.path().join("tz"));
    let days = ["--since", NOVEMBER[0], "--until", NOVEMBER[2]];
    let mut args = vec!["report", s(&logs), "--out", s(&a), "--local"];
    args.extend(days);
    iislog_with_tz("America/New_York", &args).expect_code(0);
    let mut args = vec![
        "report",
        s(&logs),
        "--out",
        s(&b),
        "--tz",
        "America/New_York",
    ];
    args.extend(days);
    iislog_with_tz("Asia/Tokyo", &args).expect_code(0);
    for d in NOVEMBER {
        assert_eq!(
            fs::read_to_string(a.join(d).join("by-hour.csv")).unwrap(),
            fs::read_to_string(b.join(d).join("by-hour.csv")).unwrap(),
            "{d}"
        );
    }
    for tz in ["XYZ-3", "Not/AZone"] {
        let mut args = vec!["report", s(&logs), "--out", s(&a), "--local"];
        args.extend(days);
        let r = iislog_with_tz(tz, &args);
        r.expect_code(2);
        assert!(
            r.stderr
                .contains("this machine's time zone could not be told by name"),
            "{tz}: {}",
            r.stderr
        );
        r.expect_stderr("--tz");
    }
    let r = iislog([
        "report",
        s(&logs),
        "--out",
        s(&a),
        "--tz",
        "Europe/Nowhere",
        "--date",
        "2026-11-01",
    ]);
    r.expect_code(2);
    r.expect_stderr("\"Europe/Nowhere\" is not a time zone");
}

/// A setting of a history, read with SQLite directly.
fn setting(db: &Path, key: &str) -> Option<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .ok()
}

/// A history made before zones (schema version 5) kept a fixed offset under
/// `utc_offset` and an hour row per clock hour; the first run of this iislog migrates it:
/// the offset becomes its zone, each hour row gets that offset, and it goes on at it.
#[test]
fn a_history_made_before_zones_is_migrated_at_its_offset() {
    let dir = tempdir();
    let (logs, db, out) = (
        dir.path().join("W3SVC9"),
        dir.path().join("history.db"),
        dir.path().join("out"),
    );
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        for m in &iislog::history::schema::MIGRATIONS[..5] {
            c.execute_batch(m).unwrap();
        }
        c.pragma_update(None, "user_version", 5).unwrap();
        c.pragma_update(
            None,
            "application_id",
            iislog::history::schema::APPLICATION_ID,
        )
        .unwrap();
        c.execute_batch(
            "INSERT INTO settings(key, value) VALUES ('utc_offset', '+01:00');
             INSERT INTO files(id, path, service, size, head_len, head_hash, offset, last_read) VALUES (1, '/old/W3SVC9/u_ex260320.log', 'http', 0, 0, '', 0, 'x');
             INSERT INTO codes(file_id, day, site, status, substatus, win32_status, count) VALUES (1, '2026-03-20', 'W3SVC9', 200, 0, 0, 3);
             INSERT INTO hours(file_id, day, hour, other, c1xx, c2xx, c3xx, c4xx, c5xx, tt_count, tt_sum, tt_hist) VALUES (1, '2026-03-20', 10, 0, 0, 3, 0, 0, 0, 0, 0, '');",
        )
        .unwrap();
    }
    copy_logs(&logs, &["u_ex260328.log"]);
    let report_at = |extra: &[&str]| report_db(&logs, &db, &out, extra);
    report_at(&["--utc-offset", "+01:00", "--date", "2026-03-20"]).expect_code(0);
    let v: i32 = db_value(&db, "PRAGMA user_version");
    assert_eq!(v, iislog::history::schema::VERSION);
    assert_eq!(setting(&db, "time_zone").as_deref(), Some("+01:00"));
    assert_eq!(setting(&db, "utc_offset"), None);
    let offset: String = db_value(
        &db,
        "SELECT utc_offset FROM hours WHERE day = '2026-03-20' AND hour = 10",
    );
    assert_eq!(offset, "+01:00");
    let (all, zones) = hours(&out.join("2026-03-20"));
    assert_eq!(zones, ["UTC+01:00"]);
    assert!(all.len() == 24 && all.iter().all(|h| h.1 == "+01:00"));
    assert_eq!(busy(&out.join("2026-03-20")), [row("10", "+01:00", 3, "")]);
    // At +01:00, the 28th's log gives the 28th 2 requests and the 29th 2 (from 23:00 UTC).
    assert_eq!(day_total(&out, "2026-03-28"), 2);
    assert_eq!(day_total(&out, "2026-03-29"), 2);
}

/// A history kept at a fixed offset is refused in a zone until it is moved, once, with
/// `--move-to-zone`. The days already counted stay as they were counted at the offset
/// (their hours labelled so); lines read from then on go by the zone.
#[test]
fn a_fixed_offset_history_moves_to_a_zone_once() {
    let dir = tempdir();
    let (logs, db, out) = (
        dir.path().join("W3SVC9"),
        dir.path().join("history.db"),
        dir.path().join("out"),
    );
    copy_logs(&logs, &["u_ex260328.log", "u_ex260329.log"]);
    let run = |extra: &[&str]| report_db(&logs, &db, &out, extra);
    run(&["--utc-offset", "+01:00"]).expect_code(0);
    // At +01:00: the 28th has 2 requests, the 29th 8 (23:00 UTC on the 28th to 22:00 UTC
    // on the 29th, all at +01:00), the 30th 1 (23:10 UTC).
    let totals = |days: &[&str]| -> Vec<u64> { days.iter().map(|d| day_total(&out, d)).collect() };
    assert_eq!(totals(&SPRING), [2, 8, 1]);

    let r = run(&["--tz", "Europe/Oslo"]);
    r.expect_code(4);
    assert!(
        r.stderr
            .contains("this history keeps days at UTC offset +01:00, not in time zone Europe/Oslo")
            && r.stderr.contains("--move-to-zone"),
        "{}",
        r.stderr
    );
    assert_eq!(setting(&db, "time_zone").as_deref(), Some("+01:00"));
    let r = run(&["--utc-offset", "+01:00", "--move-to-zone"]);
    r.expect_code(2);
    r.expect_stderr("give --tz ZONE");

    // A new log, then the move: 10:00 UTC on the 30th is 12:00 CEST.
    fs::write(
        logs.join("u_ex260330.log"),
        "#Fields: date time cs-uri-stem sc-status\r\n2026-03-30 10:00:00 /new 200\r\n",
    )
    .unwrap();
    let r = run(&["--tz", "Europe/Oslo", "--move-to-zone"]);
    r.expect_code(0);
    r.expect_stderr("moved from UTC offset +01:00 to time zone Europe/Oslo");
    assert_eq!(setting(&db, "time_zone").as_deref(), Some("Europe/Oslo"));
    assert!(setting(&db, "moved_to_zone").is_some_and(|m| m.contains("from +01:00")));
    // Left in a nightly job, the flag is harmless: no second move, no note.
    let r = run(&[
        "--tz",
        "Europe/Oslo",
        "--move-to-zone",
        "--since",
        SPRING[1],
        "--until",
        SPRING[2],
    ]);
    r.expect_code(0);
    assert!(!r.stderr.contains("moved"), "{}", r.stderr);
    assert_eq!(totals(&SPRING[1..]), [8, 2]);
    // The 29th as counted at +01:00: 02 at +01:00 (which Oslo skipped that day), 22 and
    // 23 at +01:00; their +02:00 rows are not shown empty beside them.
    let day = out.join("2026-03-29");
    assert_eq!(
        busy(&day)
            .iter()
            .map(|h| (h.0.as_str(), h.1.as_str(), h.2))
            .collect::<Vec<_>>(),
        [
            ("00", "+01:00", 2),
            ("01", "+01:00", 2),
            ("02", "+01:00", 2),
            ("22", "+01:00", 1),
            ("23", "+01:00", 1)
        ]
    );
    let (all, zones) = hours(&day);
    assert_eq!(zones, ["Europe/Oslo"]);
    assert_eq!(all.len(), 24);
    // The 30th: its first line was counted at +01:00, the new one by the zone.
    assert_eq!(
        busy(&out.join("2026-03-30"))
            .iter()
            .map(|h| (h.0.as_str(), h.1.as_str(), h.2))
            .collect::<Vec<_>>(),
        [("00", "+01:00", 1), ("12", "+02:00", 1)]
    );

    // Moved once: the offset is refused now, and so is another zone.
    let r = run(&["--utc-offset", "+01:00"]);
    r.expect_code(4);
    r.expect_stderr("give --tz Europe/Oslo");
    let r = run(&["--tz", "America/New_York", "--move-to-zone"]);
    r.expect_code(4);
    r.expect_stderr("a history moves to a zone once");
}
