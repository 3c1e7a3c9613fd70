//! Triage on a hand-made day that mixes faults, noise and a scan
//! (`fixtures/report-cases/triage`, see fixtures/README.md): the verdicts of `summary`
//! (the rules alone) and of `report` (the rules and what the day showed), worked out by
//! hand from the fixture and the rules' sources.

use std::collections::BTreeMap;
use std::fs;

use crate::util::{iislog, root, tempdir};

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
    let run = iislog([
        "report".as_ref(),
        dir.as_os_str(),
        "--date".as_ref(),
        "2026-11-24".as_ref(),
        "--out".as_ref(),
        out.path().as_os_str(),
        "-q".as_ref(),
    ]);
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
