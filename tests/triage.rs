//! Triage on a hand-made day that mixes faults, noise and a scan
//! (`fixtures/report-cases/triage`, see fixtures/README.md): the verdicts of `summary`
//! (the rules alone) and of `report` (the rules and what the day showed), worked out by
//! hand from the fixture and the rules' sources.

use std::collections::BTreeMap;
use std::fs;

use crate::util::{iislog, report_day, report_range, root, s, tempdir};

/// `status.substatus.win32 → verdict` of a summary CSV (the report's or summary's).
fn verdicts(csv_text: &str) -> BTreeMap<String, (u64, String, String)> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (st, sub, w, n, v, why) = (
        col("status"),
        col("substatus"),
        col("win32_status"),
        col("count"),
        col("verdict"),
        col("why"),
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                format!("{}.{}.{}", &rec[st], &rec[sub], &rec[w]),
                (
                    rec[n].parse().unwrap(),
                    rec[v].to_string(),
                    rec[why].to_string(),
                ),
            )
        })
        .collect()
}

/// The rows of the day, counted by hand from the fixture: 56 requests.
const DAY: [(&str, u64, &str); 9] = [
    ("200.0.0", 10, "ok"),
    // win32 64: the client closed the connection (System Error Codes).
    ("200.0.64", 2, "noise"),
    // The first legs of Windows authentication ("HOWTO: Diagnose 401.x HTTP errors on IIS").
    ("401.2.5", 4, "noise"),
    ("401.1.2148074254", 4, "noise"),
    // 20 bad passwords (1326), all from 198.51.100.7: a burst.
    ("401.1.1326", 20, "probe"),
    // /wp-login.php x5, /.env x3, /phpmyadmin/index.php x2: all scanner paths.
    ("404.0.2", 10, "probe"),
    // /doc.xyz: an ordinary page (404.3, a MIME type missing).
    ("404.3.50", 2, "client"),
    ("500.19.13", 3, "fault"),
    ("503.2.0", 1, "fault"),
];

#[test]
fn summary_judges_by_the_rules_report_by_the_day() {
    let dir = root().join("fixtures").join("report-cases").join("triage");
    let run = iislog([
        "summary".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
    ]);
    run.expect_code(0);
    let summary = verdicts(&run.stdout);
    let out = tempdir();
    let run = report_day(&dir, "2026-11-24", out.path(), &["-q"]);
    run.expect_code(0);
    let day = out.path().join("2026-11-24");
    let report = verdicts(&fs::read_to_string(day.join("summary.csv")).unwrap());
    assert_eq!(report.len(), DAY.len());
    for (key, count, verdict) in DAY {
        let (n, v, _) = &report[key];
        assert_eq!((*n, v.as_str()), (count, verdict), "report {key}");
        // summary sees no day: the two probes are the rules' `client` there.
        let want = if verdict == "probe" {
            "client"
        } else {
            verdict
        };
        assert_eq!(summary[key].1, want, "summary {key}");
    }
    assert_eq!(
        report["404.0.2"].2,
        "scanner paths: /wp-login.php, /.env, /phpmyadmin/index.php"
    );
    assert_eq!(report["401.1.1326"].2, "20 failed logons from 198.51.100.7");
}

/// The page as a browser sees it: headless Chromium's DOM when it is installed (CI
/// installs it), else the file itself.
fn page_dom(page: &std::path::Path) -> String {
    use std::process::Command;
    let browser = ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(browser) = browser else {
        // Under Wine no Linux program can be started: the Linux run of CI checks the page
        // in Chromium; the Windows run reads the file.
        assert!(
            cfg!(windows) || std::env::var("CI").map_or(true, |v| v != "true"),
            "chromium is not installed, and CI must check the page (.ci/run installs it)"
        );
        return fs::read_to_string(page).unwrap();
    };
    let profile = tempdir();
    let url = format!(
        "file://{}",
        fs::canonicalize(page).unwrap().to_string_lossy()
    );
    let dom = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    String::from_utf8_lossy(&dom.stdout).into_owned()
}

/// The cells of the rows of table `id` in `dom`, tags inside a cell removed.
fn table_cells(dom: &str, id: &str) -> Vec<Vec<String>> {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    let table = &dom[at..];
    let table = &table[..table.find("</table>").unwrap()];
    table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|c| {
                    let c = &c[c.find('>').unwrap() + 1..];
                    let c = &c[..c.find("</td>").unwrap()];
                    // Text only: `<br>` between list items becomes a space.
                    let mut text = String::new();
                    let mut in_tag = false;
                    for ch in c.chars() {
                        match ch {
                            '<' => in_tag = true,
                            '>' => {
                                in_tag = false;
                                text.push(' ');
                            }
                            ch if !in_tag => text.push(ch),
                            _ => {}
                        }
                    }
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    // A count loses its thousands separators (`1,234`, `1 234` in nb),
                    // so it compares with the CSVs' plain digits.
                    if text
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == ',' || c == '\u{202f}')
                    {
                        text.replace([',', '\u{202f}'], "")
                    } else {
                        text
                    }
                })
                .collect()
        })
        .collect()
}

/// report.html opens with Needs attention: the tripped rule, the two faults most requests
/// first (500.19 x3 before 503.2 x1, counted by hand), with the numbers of summary.csv
/// and their top URL and client from top-errors.csv; the two probes with their sources;
/// the noise in one line (2 + 4 + 4 requests). alerts.csv holds the rule.
#[test]
fn the_page_opens_with_what_needs_attention() {
    let dir = root().join("fixtures").join("report-cases").join("triage");
    let out = tempdir();
    let run = report_day(
        &dir,
        "2026-11-24",
        out.path(),
        &["--fail-on", "5xx>1", "-q"],
    );
    run.expect_code(3);
    let day = out.path().join("2026-11-24");
    let csv = verdicts(&fs::read_to_string(day.join("summary.csv")).unwrap());
    let dom = page_dom(&day.join("report.html"));
    let attention = dom.find("id=\"needs-attention\"").expect("needs attention");
    // First on the page: before the totals.
    assert!(attention < dom.find("<h2>Totals</h2>").unwrap());
    assert!(!dom.contains("id=\"all-clear\""));

    let faults = table_cells(&dom, "faults");
    let want = [("500.19.13", "500.19 (13)", 3), ("503.2.0", "503.2 (0)", 1)];
    assert_eq!(faults.len(), want.len(), "{faults:?}");
    for (row, (key, shown, n)) in faults.iter().zip(want) {
        assert_eq!(row[0], "http");
        assert_eq!(row[1], shown);
        assert_eq!(row[2], n.to_string());
        assert_eq!(csv[key].0, n, "summary.csv {key}");
        assert_eq!(csv[key].1, "fault");
    }
    // The fixture's 500.19s are all /shop/cart.aspx from 192.0.2.13, at 08:06:11, :18
    // and :25 (UTC, the report's zone); the 503.2 at 08:06:32.
    assert_eq!(faults[0][3], "08:06");
    assert_eq!(faults[1][3], "08:06");
    assert_eq!(faults[0][6], "/shop/cart.aspx (3)");
    assert_eq!(faults[0][7], "192.0.2.13 (3)");

    let probes = table_cells(&dom, "probes");
    let shown: Vec<(&str, &str)> = probes
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(shown, [("401.1 (1326)", "20"), ("404.0 (2)", "10")]);
    // The 401s from 08:02:27 to 08:04:40, the 404s from 08:04:47 to 08:05:50.
    assert_eq!(probes[0][3], "08:02 to 08:04");
    assert_eq!(probes[1][3], "08:04 to 08:05");
    assert!(probes[0][5].starts_with("198.51.100.7 (20)"));
    assert_eq!(probes[1][5], "203.0.113.50 (10)");

    let noise = &dom[dom.find("id=\"noise-requests\">").unwrap() + 20..];
    assert_eq!(
        noise[..noise.find('<').unwrap()].replace([',', '\u{202f}'], ""),
        "10"
    );

    let alerts = table_cells(&dom, "alerts");
    assert_eq!(alerts, [["5xx&gt;1", "4 5xx requests (limit 1)"]]);
    let csv_alerts = fs::read_to_string(day.join("alerts.csv")).unwrap();
    assert_eq!(
        csv_alerts,
        "rule,first_day,last_day,figures\r\n5xx>1,2026-11-24,2026-11-24,4 5xx requests (limit 1)\r\n"
    );
}

/// A day of nothing but 200s says so at the top, and its alerts.csv is a header alone.
#[test]
fn a_quiet_day_says_nothing_needs_attention() {
    let logs = tempdir();
    let text = "#Software: Microsoft Internet Information Services 10.0\r\n\
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip sc-status sc-substatus sc-win32-status time-taken\r\n\
2026-11-24 08:00:00 10.0.0.1 GET / - 80 - 192.0.2.1 200 0 0 5\r\n\
2026-11-24 09:00:00 10.0.0.1 GET / - 80 - 192.0.2.1 200 0 0 5\r\n";
    let site = logs.path().join("W3SVC1");
    fs::create_dir_all(&site).unwrap();
    fs::write(site.join("u_ex261124.log"), text).unwrap();
    let out = tempdir();
    report_day(logs.path(), "2026-11-24", out.path(), &["-q"]).expect_code(0);
    let day = out.path().join("2026-11-24");
    let page = fs::read_to_string(day.join("report.html")).unwrap();
    assert!(page.contains("id=\"all-clear\""));
    assert!(!page.contains("id=\"faults\""));
    assert!(!page.contains("id=\"probes\""));
    assert_eq!(
        fs::read_to_string(day.join("alerts.csv")).unwrap(),
        "rule,first_day,last_day,figures\r\n"
    );
}

/// The fault row of HTTPERR's 503s names their URLs and application pools, and says when they
/// began and ended. `fixtures/LogFiles/HTTPERR/httperr1.log` has four 503s on 2026-11-23:
/// QueueFull on DefaultAppPool at 01:10:03 (two) and 06:30:09, AppOffline on ShopPool at
/// 02:44:19 (UTC, as HTTP.sys logs). In Tokyo (UTC+9) the same requests ran from 10:10
/// to 15:30, all on the 23rd.
#[test]
fn an_httperr_fault_names_its_pools_and_its_first_and_last_minute() {
    let logs = root().join("fixtures").join("LogFiles").join("HTTPERR");
    for (zone, seen) in [("UTC", "01:10 to 06:30"), ("Asia/Tokyo", "10:10 to 15:30")] {
        let out = tempdir();
        report_day(&logs, "2026-11-23", out.path(), &["--tz", zone, "-q"]).expect_code(0);
        let dom = page_dom(&out.path().join("2026-11-23").join("report.html"));
        let faults = table_cells(&dom, "faults");
        let row = faults
            .iter()
            .find(|r| r[0] == "httperr")
            .unwrap_or_else(|| panic!("no HTTPERR fault: {faults:?}"));
        assert_eq!(row[2], "4", "{zone}");
        assert_eq!(row[3], seen, "{zone}");
        assert_eq!(row.last().unwrap(), "DefaultAppPool (3) ShopPool (1)");
        // HTTP.sys logs `cs-uri`: /app/orders at 01:10:03 and 06:30:09, /app/cart,
        // /shop/; ties in name order.
        assert_eq!(row[6], "/app/orders (2) /app/cart (1) /shop/ (1)");
    }
}

/// A line of the `a_quiet_day...` layout with this time and triple.
fn line(day: &str, time: &str, triple: &str) -> String {
    format!("{day} {time} 10.0.0.1 GET /app - 80 - 192.0.2.1 {triple} 5\r\n")
}

/// With `--db`, each fault says how it compares with the days before: the 500.19s of
/// 2026-11-16 to -22 were 1, 2, 2, 3, 4, 5 and 9 a day (median 3), and the 23rd has 6
/// (2.0 times); its 503.2 was never seen before (new); on the first day of the history
/// there is nothing to compare with.
#[test]
fn with_a_history_faults_are_compared_with_the_days_before() {
    let logs = tempdir();
    let site = logs.path().join("W3SVC1");
    fs::create_dir_all(&site).unwrap();
    let head = "#Software: Microsoft Internet Information Services 10.0\r\n\
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip sc-status sc-substatus sc-win32-status time-taken\r\n";
    let per_day = [1, 2, 2, 3, 4, 5, 9, 6];
    for (i, n) in per_day.into_iter().enumerate() {
        let d = 16 + i;
        let day = format!("2026-11-{d}");
        let mut text = head.to_string();
        text.push_str(&line(&day, "09:00:00", "200 0 0"));
        for _ in 0..n {
            text.push_str(&line(&day, "10:00:00", "500 19 13"));
        }
        if d == 23 {
            text.push_str(&line(&day, "11:00:00", "503 2 0"));
        }
        fs::write(site.join(format!("u_ex2611{d}.log")), text).unwrap();
    }
    let out = tempdir();
    let db = out.path().join("history.db");
    report_range(
        logs.path(),
        "2026-11-16",
        "2026-11-23",
        out.path(),
        &["--db", s(&db), "-q"],
    )
    .expect_code(0);
    let faults = |day: &str| {
        let dom = page_dom(&out.path().join(day).join("report.html"));
        table_cells(&dom, "faults")
    };
    let last = faults("2026-11-23");
    let shown: Vec<(&str, &str, &str)> = last
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "500.19 (13)",
                "6",
                "median 3 a day over the previous 7 days; this day 2.0 x"
            ),
            ("503.2 (0)", "1", "new: not seen in the previous 30 days"),
        ]
    );
    let first = faults("2026-11-16");
    assert_eq!(first[0][3], "no earlier day in the history");
}

/// An HTTPERR row takes the gravest verdict of the reasons logged with its status, in
/// the report's summary.csv as in `summary`'s: the `-` row of this log holds two idle
/// connections (`Timer_ConnectionIdle`, noise) and one request a worker process left
/// (`Connection_Abandoned_By_AppPool`, a fault: "Types of errors logged by the HTTP
/// Server API"), so it is a fault, and the page lists it.
#[test]
fn an_httperr_row_is_judged_by_its_gravest_reason_in_the_report_too() {
    let logs = tempdir();
    let dir = logs.path().join("HTTPERR");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("httperr1.log"),
        "#Software: Microsoft HTTP API 2.0\r\n#Version: 1.0\r\n#Date: 2026-11-23 00:00:00\r\n\
#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\r\n\
2026-11-23 00:00:12 198.51.100.20 60211 10.0.0.5 443 - - - - - Timer_ConnectionIdle -\r\n\
2026-11-23 00:02:40 198.51.100.21 60377 10.0.0.5 443 - - - - - Timer_ConnectionIdle -\r\n\
2026-11-23 03:15:09 192.0.2.30 50111 10.0.0.5 443 HTTP/1.1 GET /app/report - 2 Connection_Abandoned_By_AppPool ReportPool\r\n",
    )
    .unwrap();
    let out = tempdir();
    report_day(logs.path(), "2026-11-23", out.path(), &["-q"]).expect_code(0);
    let day = out.path().join("2026-11-23");
    let report = verdicts(&fs::read_to_string(day.join("summary.csv")).unwrap());
    let summary = iislog([
        "summary".as_ref(),
        logs.path().as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
    ]);
    let summary = verdicts(&summary.stdout);
    assert_eq!(report.len(), 1, "{report:?}");
    let (key, row) = report.iter().next().unwrap();
    assert_eq!(row.0, 3);
    assert_eq!(row.1, "fault");
    assert_eq!(summary[key].1, "fault");
    let dom = page_dom(&day.join("report.html"));
    let faults = table_cells(&dom, "faults");
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert_eq!(faults[0][0], "httperr");
}
