//! The report folder's HTTPERR file (`httperr.csv` and the page's section), stateless, in
//! a history that grows between runs, migrated from schema 5, and merged across servers;
//! counts worked out by hand in `fixtures/README.md` (`HTTPERR/httperr1.log`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{
    csv_rows, db_value, fixture, iislog, page_table, report_db, report_range, s, tempdir,
};

/// The first five columns (status, reason, queue, count, percent) of a CSV's data rows,
/// after `skip` leading columns (a farm's `server`).
fn picked(path: &Path, skip: usize) -> Vec<Vec<String>> {
    csv_rows(path)
        .into_iter()
        .skip(1)
        .map(|r| r[..skip + 5].to_vec())
        .collect()
}

fn strings(rows: &[[&str; 5]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

const HEADER: [&str; 8] = [
    "status",
    "reason",
    "queue",
    "count",
    "percent",
    "verdict",
    "why",
    "description",
];

/// The whole fixture's 13 requests (fixtures/README.md): the queue is kept for 503s only,
/// percents of 13; count descending.
const WHOLE: [[&str; 5]; 7] = [
    ["-", "Timer_ConnectionIdle", "-", "4", "30.77"],
    ["503", "QueueFull", "DefaultAppPool", "3", "23.08"],
    ["-", "Connection_Dropped", "-", "2", "15.38"],
    ["400", "BadRequest", "-", "1", "7.69"],
    ["400", "Hostname", "-", "1", "7.69"],
    ["503", "AppOffline", "ShopPool", "1", "7.69"],
    ["-", "Timer_MinBytesPerSecond", "-", "1", "7.69"],
];

/// Its first 6 requests (lines 5-10), percents of 6.
const FIRST_SIX: [[&str; 5]; 4] = [
    ["-", "Timer_ConnectionIdle", "-", "2", "33.33"],
    ["503", "QueueFull", "DefaultAppPool", "2", "33.33"],
    ["400", "BadRequest", "-", "1", "16.67"],
    ["-", "Connection_Dropped", "-", "1", "16.67"],
];

/// Rows in any order, each once: ties in count have no order to test.
fn sorted(mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.sort();
    rows
}

/// Counts never rise down the file.
fn assert_count_descending(rows: &[Vec<String>], col: usize) {
    let counts: Vec<u64> = rows.iter().map(|r| r[col].parse().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
}

fn day_dir(out: &Path) -> PathBuf {
    out.join("2026-11-23")
}

/// Stateless: httperr.csv holds the hand-counted rows, the same bytes `summary` writes to
/// `summary-httperr.csv` for those lines, and the same with the whole `LogFiles` folder
/// (other services add nothing to it); the page shows each row with its meaning. A day
/// without HTTPERR gets the header alone and no section.
#[test]
fn httperr_csv_and_page_section_from_the_fixture() {
    let tmp = tempdir();
    let alone = tmp.path().join("alone");
    let whole = tmp.path().join("whole");
    for (input, out) in [(fixture("HTTPERR"), &alone), (fixture(""), &whole)] {
        report_range(&input, "2026-11-23", "2026-11-24", out, &["--quiet"]).expect_code(0);
    }
    let csv = day_dir(&alone).join("httperr.csv");
    assert_eq!(csv_rows(&csv)[0], HEADER);
    let got = picked(&csv, 0);
    assert_count_descending(&got, 3);
    assert_eq!(sorted(got), sorted(strings(&WHOLE)));
    let bytes = fs::read(&csv).unwrap();
    assert_eq!(
        fs::read(day_dir(&whole).join("httperr.csv")).unwrap(),
        bytes,
        "the whole folder's HTTPERR rows"
    );

    let summary = tmp.path().join("summary.csv");
    iislog([
        "summary",
        s(&fixture("HTTPERR")),
        "-o",
        s(&summary),
        "--quiet",
    ])
    .expect_code(0);
    assert_eq!(
        fs::read(tmp.path().join("summary-httperr.csv")).unwrap(),
        bytes,
        "summary's HTTPERR CSV of the same lines"
    );

    let idle = csv_rows(&csv)
        .into_iter()
        .find(|r| r[1] == "Timer_ConnectionIdle")
        .unwrap();
    assert!(idle[7].contains("idle connection"), "{idle:?}");

    let html = fs::read_to_string(day_dir(&alone).join("report.html")).unwrap();
    let table = page_table(&html, "httperr");
    let shown: Vec<Vec<String>> = table.iter().map(|r| r[..5].to_vec()).collect();
    assert_eq!(sorted(shown), sorted(strings(&WHOLE)));
    let queue_full = table.iter().find(|r| r[1] == "QueueFull").unwrap();
    assert!(queue_full[6].contains("queue is full"), "{queue_full:?}");
    assert!(queue_full[7].contains("queueLength"), "{queue_full:?}");
    // The verdict is the CSV's.
    let csv_verdict = csv_rows(&csv)
        .into_iter()
        .find(|r| r[1] == "QueueFull")
        .map(|r| r[5].clone());
    assert_eq!(Some(queue_full[5].clone()), csv_verdict);
    assert!(!html.contains("httperr-unkept"));

    // 2026-11-24 holds W3C lines only.
    let next = whole.join("2026-11-24");
    assert_eq!(csv_rows(&next.join("httperr.csv")), vec![HEADER.to_vec()]);
    let page = fs::read_to_string(next.join("report.html")).unwrap();
    assert!(page.contains("<table id=\"codes\">"));
    assert!(!page.contains("id=\"httperr\""));
}

/// The fixture's header and first `n` requests, and the rest.
fn split_fixture(n: usize) -> (String, String) {
    let text = fs::read_to_string(fixture("HTTPERR/httperr1.log")).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    (lines[..4 + n].concat(), lines[4 + n..].concat())
}

fn append(path: &Path, text: &str) {
    let mut f = fs::OpenOptions::new().append(true).open(path).unwrap();
    std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
}

/// A row of the history's `httperr` table: status, reason, queue, count.
type Reason = (Option<i64>, String, String, i64);

/// A history's HTTPERR rows, summed per key, and the number of rows.
fn db_reasons(db: &Path) -> (Vec<Reason>, i64) {
    let c = rusqlite::Connection::open(db).unwrap();
    let sums = c
        .prepare("SELECT status, reason, queue, sum(count) FROM httperr GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let n = c
        .query_row("SELECT count(*) FROM httperr", [], |r| r.get(0))
        .unwrap();
    (sums, n)
}

/// With a history: a first run reads 6 requests, a second the 7 appended, and the day's
/// httperr.csv is the whole fixture's; each key is one row in the history (counts added in
/// place), with the hand-counted sums. A third run, with nothing new, changes nothing.
#[test]
fn httperr_kept_in_a_history_across_runs() {
    let tmp = tempdir();
    let logs = tmp.path().join("LogFiles").join("HTTPERR");
    fs::create_dir_all(&logs).unwrap();
    let log = logs.join("httperr1.log");
    let (head, rest) = split_fixture(6);
    fs::write(&log, head).unwrap();
    let db = tmp.path().join("history.db");
    let out = tmp.path().join("out");
    report_db(&logs, &db, &out, &["--quiet"]).expect_code(0);
    let csv = day_dir(&out).join("httperr.csv");
    assert_eq!(sorted(picked(&csv, 0)), sorted(strings(&FIRST_SIX)));

    append(&log, &rest);
    report_db(&logs, &db, &out, &["--quiet"]).expect_code(0);
    let got = picked(&csv, 0);
    assert_count_descending(&got, 3);
    assert_eq!(sorted(got), sorted(strings(&WHOLE)));
    let want = vec![
        (Some(-1), "Connection_Dropped".into(), "-".into(), 2),
        (Some(-1), "Timer_ConnectionIdle".into(), "-".into(), 4),
        (Some(-1), "Timer_MinBytesPerSecond".into(), "-".into(), 1),
        (Some(400), "BadRequest".into(), "-".into(), 1),
        (Some(400), "Hostname".into(), "-".into(), 1),
        (Some(503), "AppOffline".into(), "ShopPool".into(), 1),
        (Some(503), "QueueFull".into(), "DefaultAppPool".into(), 3),
    ];
    assert_eq!(db_reasons(&db), (want.clone(), 7));

    let before = fs::read(&csv).unwrap();
    report_db(&logs, &db, &out, &["--quiet"]).expect_code(0);
    assert_eq!(fs::read(&csv).unwrap(), before);
    assert_eq!(db_reasons(&db), (want, 7));
}

/// `merge` of two servers' histories carries their HTTPERR rows: a `server` column first,
/// each server's rows with percents of its own HTTPERR requests.
#[test]
fn merged_histories_keep_each_servers_httperr() {
    let tmp = tempdir();
    let mut dbs = Vec::new();
    for (server, n) in [("web1", 6), ("web2", 13)] {
        let logs = tmp.path().join(server).join("HTTPERR");
        fs::create_dir_all(&logs).unwrap();
        fs::write(logs.join("httperr1.log"), split_fixture(n).0).unwrap();
        let db = tmp.path().join(server).join("history.db");
        report_db(
            &logs,
            &db,
            &tmp.path().join(server).join("out"),
            &["--quiet"],
        )
        .expect_code(0);
        dbs.push(db);
    }
    let farm = tmp.path().join("farm");
    iislog([
        "merge",
        s(&dbs[0]),
        s(&dbs[1]),
        "--date",
        "2026-11-23",
        "--out",
        s(&farm),
    ])
    .expect_code(0);
    let csv = day_dir(&farm).join("httperr.csv");
    let all = csv_rows(&csv);
    assert_eq!(all[0][0], "server");
    assert_eq!(all[0][1..], HEADER);
    let got = picked(&csv, 1);
    for (server, want) in [("web1", strings(&FIRST_SIX)), ("web2", strings(&WHOLE))] {
        let mine: Vec<Vec<String>> = got
            .iter()
            .filter(|r| r[0] == server)
            .map(|r| r[1..].to_vec())
            .collect();
        assert_count_descending(&mine, 3);
        assert_eq!(sorted(mine), sorted(want), "{server}");
    }
    assert_eq!(got.len(), 4 + 7);
}

/// A history of schema 5 (its HTTPERR day counted before reasons were kept) is migrated:
/// the day's requests stay in its totals, httperr.csv has no row for them, and the page
/// says how many were counted without reasons. Lines appended later are kept by reason.
#[test]
fn a_version_5_history_gets_httperr_from_then_on() {
    let tmp = tempdir();
    let logs = tmp.path().join("HTTPERR");
    fs::create_dir_all(&logs).unwrap();
    let log = logs.join("httperr1.log");
    fs::copy(fixture("HTTPERR/httperr1.log"), &log).unwrap();
    let db = tmp.path().join("history.db");
    let out = tmp.path().join("out");
    report_db(&logs, &db, &out, &["--quiet"]).expect_code(0);
    // What a schema 5 history holds: the same, without the table.
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch("DROP TABLE httperr; DROP TABLE seen; PRAGMA user_version = 5")
        .unwrap();
    drop(c);

    let out = tmp.path().join("again");
    report_db(&logs, &db, &out, &["--date", "2026-11-23", "--quiet"]).expect_code(0);
    let v: i32 = db_value(&db, "PRAGMA user_version");
    assert_eq!(v, iislog::history::schema::VERSION);
    let day = day_dir(&out);
    assert_eq!(csv_rows(&day.join("httperr.csv")), vec![HEADER.to_vec()]);
    let html = fs::read_to_string(day.join("report.html")).unwrap();
    assert!(
        html.contains("13 of the day&#39;s 13 HTTPERR requests were counted by an iislog that did not keep reasons"),
        "{html}"
    );

    append(
        &log,
        "2026-11-23 08:00:00 192.0.2.19 49960 10.0.0.5 443 HTTP/1.1 GET /app/orders 503 2 QueueFull DefaultAppPool\r\n",
    );
    report_db(&logs, &db, &out, &["--quiet"]).expect_code(0);
    assert_eq!(
        picked(&day.join("httperr.csv"), 0),
        strings(&[["503", "QueueFull", "DefaultAppPool", "1", "100.00"]])
    );
    let html = fs::read_to_string(day.join("report.html")).unwrap();
    assert!(html.contains("13 of the day&#39;s 14 HTTPERR requests"));
}
