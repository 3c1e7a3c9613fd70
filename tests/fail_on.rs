//! `--fail-on` per service and by verdict on a hand-made day of a web site and an FTP
//! site (`fixtures/report-cases/failon`, counts worked out by hand in fixtures/README.md):
//! a bare class or code is http's alone, `ftp:530` FTP's, and `probe` counts the 404s the
//! report judged a scan.

use std::fs;
use std::path::Path;

use crate::util::{iislog, root, tempdir};

/// `report` of 2026-11-25 with `rules`, into `out` (with a history when `db` is given).
fn report(out: &Path, db: Option<&Path>, rules: &[&str]) -> crate::util::Run {
    let dir = root().join("fixtures").join("report-cases").join("failon");
    let mut args = vec![
        "report".into(),
        dir.into_os_string(),
        "--date".into(),
        "2026-11-25".into(),
        "--out".into(),
        out.as_os_str().to_owned(),
        "-q".into(),
    ];
    if let Some(db) = db {
        args.push("--db".into());
        args.push(db.as_os_str().to_owned());
    }
    for r in rules {
        args.push("--fail-on".into());
        args.push(r.into());
    }
    iislog(args)
}

/// The verdict column of summary.csv: requests per verdict.
fn requests_by_verdict(csv_text: &str, verdict: &str) -> u64 {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (n, v) = (col("count"), col("verdict"));
    r.records()
        .map(|rec| rec.unwrap())
        .filter(|rec| &rec[v] == verdict)
        .map(|rec| rec[n].parse::<u64>().unwrap())
        .sum()
}

/// By hand: http 12 requests (6 x 200, 4 x 404 on scanner paths, 2 x 500), ftp 16
/// (5 x 530, 1 x 550, the rest ok or the control channel): 28. `5xx>2` does not trip
/// (http has 2 5xx; with FTP's 6 it would be 8), `ftp:530>4` does (5), `probe>3` does
/// (the 4 scanner 404s, `client` by the rules alone), `fault>7%` does (the 2 http 500s,
/// 7.14 % of all 28 requests). Without and with a history, alike.
#[test]
fn rules_per_service_and_by_verdict() {
    let rules = [
        "ftp:530>4",
        "ftp:530>5",
        "5xx>2",
        "5xx>1",
        "probe>3",
        "probe>4",
        "fault>7%",
        "fault>7.2%",
        "ftp:fault>0",
    ];
    let want = "rule,first_day,last_day,figures\r\n\
        ftp:530>4,2026-11-25,2026-11-25,5 ftp:530 requests (limit 4)\r\n\
        5xx>1,2026-11-25,2026-11-25,2 5xx requests (limit 1)\r\n\
        probe>3,2026-11-25,2026-11-25,4 probe requests (limit 3)\r\n\
        fault>7%,2026-11-25,2026-11-25,fault were 7.14% of 28 requests (2; limit 7%)\r\n";
    let tmp = tempdir();
    for db in [None, Some(tmp.path().join("history.db"))] {
        let out = tmp.path().join(if db.is_some() { "db" } else { "plain" });
        let run = report(&out, db.as_deref(), &rules);
        run.expect_code(3);
        let day = out.join("2026-11-25");
        assert_eq!(fs::read_to_string(day.join("alerts.csv")).unwrap(), want);
        let alerts: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains("alert:"))
            .collect();
        assert_eq!(alerts.len(), 4, "{}", run.stderr);
        assert!(
            alerts[0].ends_with("ftp:530>4 on 2026-11-25: 5 ftp:530 requests (limit 4)"),
            "{}",
            alerts[0]
        );
        // The probes counted are the ones the report shows.
        let summary = fs::read_to_string(day.join("summary.csv")).unwrap();
        assert_eq!(requests_by_verdict(&summary, "probe"), 4);
        assert_eq!(requests_by_verdict(&summary, "fault"), 2);
    }
    // Only the rules that hold: exit 0 and alerts.csv is its header alone.
    let out = tmp.path().join("calm");
    report(&out, None, &["5xx>2", "ftp:530>5", "probe>4", "smtp:5xx>0"]).expect_code(0);
    assert_eq!(
        fs::read_to_string(out.join("2026-11-25").join("alerts.csv")).unwrap(),
        "rule,first_day,last_day,figures\r\n"
    );
}

/// A service or verdict iislog does not know is a usage error naming what it accepts.
#[test]
fn unknown_service_or_verdict_is_refused() {
    let tmp = tempdir();
    let run = report(tmp.path(), None, &["web:5xx>1"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("--fail-on \"web:5xx>1\"")
            && run.stderr.contains("http, ftp, smtp or httperr"),
        "{}",
        run.stderr
    );
    let run = report(tmp.path(), None, &["faults>1"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("fault, probe, client, noise, ok or unknown"),
        "{}",
        run.stderr
    );
}

/// `history --code` takes the same targets: a bare class is http's (2 of its 12
/// requests are 5xx), `ftp:530` FTP's (5 of its 16); a verdict is refused, since the
/// history keeps none.
#[test]
fn history_counts_one_service() {
    let out = tempdir();
    let db = out.path().join("history.db");
    report(out.path(), Some(&db), &[]).expect_code(0);
    let history = |code: &str| {
        iislog([
            "history".as_ref(),
            "--db".as_ref(),
            db.as_os_str(),
            "--until".as_ref(),
            "2026-11-25".as_ref(),
            "--days".as_ref(),
            "1".as_ref(),
            "--code".as_ref(),
            code.as_ref(),
            "--format".as_ref(),
            "csv".as_ref(),
        ])
    };
    let run = history("5xx");
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "day,requests,5xx,percent\n2026-11-25,12,2,16.67\n".replace('\n', "\r\n")
    );
    let run = history("FTP:530");
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "day,requests,ftp:530,percent\n2026-11-25,16,5,31.25\n".replace('\n', "\r\n")
    );
    let run = history("fault");
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("keeps no verdicts"), "{}", run.stderr);
}
