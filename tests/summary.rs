//! `iislog summary` on the hand-made fixtures: every count, percent and line account below
//! was worked out by hand from the fixture files (see fixtures/README.md), never copied
//! from the program's output.

use std::collections::BTreeMap;

use crate::util::{
    counts, expected, fixture, iislog, json_files, json_totals, parse_csv, parse_json, summary_csv,
    tempdir, totals, verbose_examples, verbose_reasons, Totals,
};

/// What one fixture file holds, counted by hand.
struct FileExpect {
    rel: &'static str,
    service: &'static str,
    lines: u64,
    requests: u64,
    directives: u64,
    blank: u64,
    skipped: &'static [(&'static str, u64)],
    codes: &'static [(&'static str, u64)],
}

const FILES: [FileExpect; 11] = [
    FileExpect {
        rel: "FTPSVC3/u_ex261123.log",
        service: "ftp",
        lines: 21,
        requests: 17,
        directives: 4,
        blank: 0,
        skipped: &[],
        // Columns are sc-status sc-win32-status sc-substatus; keys are status.sub.win32.
        codes: &[
            ("ftp -.0.0", 5),
            ("ftp 331.0.0", 3),
            ("ftp 530.41.1326", 2),
            ("ftp 230.0.0", 1),
            ("ftp 257.0.0", 1),
            ("ftp 227.0.0", 1),
            ("ftp 226.0.0", 1),
            ("ftp 550.55.2", 1),
            ("ftp 221.0.0", 1),
            ("ftp -.0.64", 1),
        ],
    },
    FileExpect {
        rel: "HTTPERR/httperr1.log",
        service: "httperr",
        lines: 17,
        requests: 13,
        directives: 4,
        blank: 0,
        skipped: &[],
        // HTTP.sys logs no substatus or win32 status; most rows have no status.
        codes: &[
            ("httperr -.-.-", 7),
            ("httperr 503.-.-", 4),
            ("httperr 400.-.-", 2),
        ],
    },
    FileExpect {
        rel: "MSFTPSVC1/ex261123.log",
        service: "ftp",
        lines: 18,
        requests: 14,
        directives: 4,
        blank: 0,
        skipped: &[],
        // No sc-substatus field: not logged, written `-`.
        codes: &[
            ("ftp 226.-.0", 5),
            ("ftp 331.-.0", 4),
            ("ftp 230.-.0", 2),
            ("ftp 530.-.1326", 2),
            ("ftp 550.-.2", 1),
        ],
    },
    FileExpect {
        rel: "SMTPSVC1/ex261123.log",
        service: "smtp",
        lines: 21,
        requests: 17,
        directives: 4,
        blank: 0,
        skipped: &[],
        // IIS 6 SMTP: no sc-substatus field.
        codes: &[
            ("smtp 250.-.0", 10),
            ("smtp 221.-.0", 3),
            ("smtp 550.-.0", 2),
            ("smtp 354.-.0", 1),
            ("smtp 535.-.0", 1),
        ],
    },
    FileExpect {
        rel: "W3SVC1/ex261120.log",
        service: "http",
        lines: 15,
        requests: 11,
        directives: 4,
        blank: 0,
        skipped: &[],
        codes: &[
            ("http 200.0.0", 4),
            ("http 304.0.0", 1),
            ("http 404.0.2", 1),
            ("http 404.0.3", 1),
            ("http 401.2.2148074254", 1),
            ("http 403.14.5", 1),
            ("http 500.100.0", 1),
            ("http 200.0.64", 1),
        ],
    },
    FileExpect {
        rel: "W3SVC2/u_ex261123.log",
        service: "http",
        lines: 20,
        requests: 16,
        directives: 4,
        blank: 0,
        skipped: &[],
        codes: &[
            ("http 200.0.0", 5),
            ("http 304.0.0", 2),
            ("http 404.0.2", 2),
            ("http 401.2.5", 1),
            ("http 401.1.2148074254", 1),
            ("http 403.14.0", 1),
            ("http 500.19.13", 1),
            ("http 503.0.0", 1),
            ("http 200.0.64", 1),
            ("http 200.0.1236", 1),
        ],
    },
    FileExpect {
        rel: "W3SVC2/u_ex261124.log",
        service: "http",
        lines: 24,
        requests: 11,
        directives: 12,
        blank: 1,
        skipped: &[],
        codes: &[
            ("http 200.0.0", 4),
            ("http 404.0.2", 1),
            ("http 301.0.0", 1),
            ("http 304.0.0", 1),
            ("http 200.-.0", 2),
            ("http 404.-.2", 1),
            ("http 200.-.64", 1),
        ],
    },
    FileExpect {
        rel: "W3SVC3/u_ex261125.log",
        service: "http",
        lines: 23,
        requests: 6,
        directives: 9,
        blank: 1,
        skipped: &[
            ("no-fields", 1),
            ("column-count", 2),
            ("bad-code", 2),
            ("bad-fields", 1),
            ("binary", 1),
        ],
        codes: &[
            ("http 200.0.0", 3),
            ("http 404.0.2", 1),
            ("http 304.0.0", 1),
            ("http 500.0.0", 1),
        ],
    },
    FileExpect {
        rel: "W3SVC3/u_ex261126.log",
        service: "http",
        lines: 8,
        requests: 3,
        directives: 4,
        blank: 0,
        skipped: &[("truncated", 1)],
        codes: &[("http 200.0.0", 2), ("http 404.0.2", 1)],
    },
    FileExpect {
        rel: "W3SVC4/in261123.log",
        service: "http",
        lines: 10,
        requests: 7,
        directives: 0,
        blank: 1,
        skipped: &[("column-count", 1), ("bad-code", 1)],
        // IIS native: status and Windows status, no substatus.
        codes: &[
            ("http 200.-.0", 2),
            ("http 304.-.0", 1),
            ("http 404.-.2", 1),
            ("http 401.-.5", 1),
            ("http 500.-.0", 1),
            ("http 200.-.64", 1),
        ],
    },
    FileExpect {
        rel: "W3SVC5/u_nc261123.log",
        service: "http",
        lines: 10,
        requests: 8,
        directives: 0,
        blank: 0,
        skipped: &[("column-count", 1), ("truncated", 1)],
        // NCSA common: the status alone.
        codes: &[
            ("http 200.-.-", 3),
            ("http 404.-.-", 2),
            ("http 304.-.-", 1),
            ("http 500.-.-", 1),
            ("http 403.-.-", 1),
        ],
    },
];

impl FileExpect {
    fn skipped_total(&self) -> u64 {
        self.skipped.iter().map(|s| s.1).sum()
    }
}

/// The whole tree's rows in output order (service, count descending, then code: a number
/// before `-`), with percents of the service's requests: http 62, ftp 31, smtp 17,
/// httperr 13.
const TREE_ROWS: [(&str, u64, &str); 50] = [
    ("http 200.0.0", 18, "29.03"),
    ("http 404.0.2", 6, "9.68"),
    ("http 304.0.0", 5, "8.06"),
    ("http 200.-.0", 4, "6.45"),
    ("http 200.-.-", 3, "4.84"),
    ("http 200.0.64", 2, "3.23"),
    ("http 200.-.64", 2, "3.23"),
    ("http 404.-.2", 2, "3.23"),
    ("http 404.-.-", 2, "3.23"),
    ("http 200.0.1236", 1, "1.61"),
    ("http 301.0.0", 1, "1.61"),
    ("http 304.-.0", 1, "1.61"),
    ("http 304.-.-", 1, "1.61"),
    ("http 401.1.2148074254", 1, "1.61"),
    ("http 401.2.5", 1, "1.61"),
    ("http 401.2.2148074254", 1, "1.61"),
    ("http 401.-.5", 1, "1.61"),
    ("http 403.14.0", 1, "1.61"),
    ("http 403.14.5", 1, "1.61"),
    ("http 403.-.-", 1, "1.61"),
    ("http 404.0.3", 1, "1.61"),
    ("http 500.0.0", 1, "1.61"),
    ("http 500.19.13", 1, "1.61"),
    ("http 500.100.0", 1, "1.61"),
    ("http 500.-.0", 1, "1.61"),
    ("http 500.-.-", 1, "1.61"),
    ("http 503.0.0", 1, "1.61"),
    ("ftp 226.-.0", 5, "16.13"),
    ("ftp -.0.0", 5, "16.13"),
    ("ftp 331.-.0", 4, "12.90"),
    ("ftp 331.0.0", 3, "9.68"),
    ("ftp 230.-.0", 2, "6.45"),
    ("ftp 530.41.1326", 2, "6.45"),
    ("ftp 530.-.1326", 2, "6.45"),
    ("ftp 221.0.0", 1, "3.23"),
    ("ftp 226.0.0", 1, "3.23"),
    ("ftp 227.0.0", 1, "3.23"),
    ("ftp 230.0.0", 1, "3.23"),
    ("ftp 257.0.0", 1, "3.23"),
    ("ftp 550.55.2", 1, "3.23"),
    ("ftp 550.-.2", 1, "3.23"),
    ("ftp -.0.64", 1, "3.23"),
    ("smtp 250.-.0", 10, "58.82"),
    ("smtp 221.-.0", 3, "17.65"),
    ("smtp 550.-.0", 2, "11.76"),
    ("smtp 354.-.0", 1, "5.88"),
    ("smtp 535.-.0", 1, "5.88"),
    ("httperr -.-.-", 7, "53.85"),
    ("httperr 503.-.-", 4, "30.77"),
    ("httperr 400.-.-", 2, "15.38"),
];

const TREE_TOTALS: Totals = Totals {
    files: 11,
    lines: 187,
    requests: 123,
    skipped: 12,
};

fn check_tree_rows(stdout: &str) {
    let rows = parse_csv(stdout);
    let got: Vec<(String, u64, String)> = rows
        .iter()
        .map(|r| (r.key(), r.count, r.percent.clone()))
        .collect();
    let want: Vec<(String, u64, String)> = TREE_ROWS
        .iter()
        .map(|&(k, n, p)| (k.to_string(), n, p.to_string()))
        .collect();
    assert_eq!(got, want);
    for r in &rows {
        assert!(!r.description.is_empty(), "no description: {r:?}");
    }
}

#[test]
fn tree_csv_has_every_row_in_order() {
    let run = summary_csv(&[&fixture("")], &[]);
    run.expect_code(0);
    assert!(
        run.stdout.starts_with(
            "service,status,substatus,win32_status,count,percent,verdict,why,description\r\n"
        ) || run.stdout.starts_with(
            "service,status,substatus,win32_status,count,percent,verdict,why,description\n"
        ),
        "header row: {:?}",
        run.stdout.lines().next()
    );
    check_tree_rows(&run.stdout);
    assert_eq!(totals(&run.stderr), TREE_TOTALS);
}

/// The hand counts above agree with each other, so a slip in one table shows here rather
/// than as a puzzling failure against the program.
#[test]
fn hand_counts_are_consistent() {
    let sum = |f: fn(&FileExpect) -> u64| FILES.iter().map(f).sum::<u64>();
    assert_eq!(sum(|f| f.lines), TREE_TOTALS.lines);
    assert_eq!(sum(|f| f.requests), TREE_TOTALS.requests);
    assert_eq!(sum(FileExpect::skipped_total), TREE_TOTALS.skipped);
    for f in &FILES {
        let codes: u64 = f.codes.iter().map(|c| c.1).sum();
        assert_eq!(codes, f.requests, "{}", f.rel);
        assert_eq!(
            f.lines,
            f.requests + f.directives + f.blank + f.skipped_total(),
            "{}",
            f.rel
        );
    }
    let rows: u64 = TREE_ROWS.iter().map(|r| r.1).sum();
    assert_eq!(rows, TREE_TOTALS.requests);
}

#[test]
fn each_fixture_file_alone() {
    for f in &FILES {
        let path = fixture(f.rel);
        let run = summary_csv(&[&path], &["--verbose"]);
        run.expect_code(0);
        let rows = parse_csv(&run.stdout);
        assert_eq!(counts(&rows), expected(f.codes), "{}", f.rel);
        assert!(rows.iter().all(|r| r.service == f.service), "{}", f.rel);
        assert_eq!(
            totals(&run.stderr),
            Totals {
                files: 1,
                lines: f.lines,
                requests: f.requests,
                skipped: f.skipped_total(),
            },
            "{}",
            f.rel
        );
        let reasons: Vec<(String, u64)> = f.skipped.iter().map(|&(r, n)| (r.into(), n)).collect();
        assert_eq!(
            verbose_reasons(&run.stderr),
            reasons.into_iter().collect(),
            "{}",
            f.rel
        );

        let json = iislog([
            "summary".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        json.expect_code(0);
        let doc = parse_json(&json.stdout);
        let files = json_files(&doc);
        assert_eq!(files.len(), 1, "{}", f.rel);
        let a = &files[0];
        assert!(a.path.ends_with(f.rel), "{} vs {}", a.path, f.rel);
        assert_eq!(
            (
                a.service.as_str(),
                a.lines,
                a.requests,
                a.directives,
                a.blank,
                a.skipped
            ),
            (
                f.service,
                f.lines,
                f.requests,
                f.directives,
                f.blank,
                f.skipped_total()
            ),
            "{}",
            f.rel
        );
    }
}

#[test]
fn percents_of_single_files() {
    // IIS 6 file: 11 requests; 4/11 = 36.36%, 1/11 = 9.09%.
    let run = summary_csv(&[&fixture("W3SVC1/ex261120.log")], &[]);
    let rows = parse_csv(&run.stdout);
    let pct = |key: &str| {
        rows.iter()
            .find(|r| r.key() == key)
            .map(|r| r.percent.clone())
            .unwrap_or_else(|| panic!("no row {key}"))
    };
    assert_eq!(pct("http 200.0.0"), "36.36");
    assert_eq!(pct("http 401.2.2148074254"), "9.09");
    // IIS 10 file: 16 requests; 5/16 = 31.25%, 2/16 = 12.50%, 1/16 = 6.25%.
    let run = summary_csv(&[&fixture("W3SVC2/u_ex261123.log")], &[]);
    let rows = parse_csv(&run.stdout);
    let got: Vec<(String, String)> = rows.iter().map(|r| (r.key(), r.percent.clone())).collect();
    assert_eq!(got[0], ("http 200.0.0".into(), "31.25".into()));
    assert_eq!(got[1], ("http 304.0.0".into(), "12.50".into()));
    assert_eq!(got[2], ("http 404.0.2".into(), "12.50".into()));
    assert!(got[3..].iter().all(|(_, p)| p == "6.25"), "{got:?}");
    // Two files of one folder, one service: percents are of the 9 requests together.
    let run = summary_csv(&[&fixture("W3SVC3")], &[]);
    let rows = parse_csv(&run.stdout);
    let got: Vec<(String, u64, String)> = rows
        .iter()
        .map(|r| (r.key(), r.count, r.percent.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("http 200.0.0".to_string(), 5, "55.56".to_string()),
            ("http 404.0.2".to_string(), 2, "22.22".to_string()),
            ("http 304.0.0".to_string(), 1, "11.11".to_string()),
            ("http 500.0.0".to_string(), 1, "11.11".to_string()),
        ]
    );
}

#[test]
fn json_has_the_same_totals_and_rows() {
    let run = iislog([
        "summary".as_ref(),
        fixture("").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    run.expect_code(0);
    let doc = parse_json(&run.stdout);
    let t = json_totals(&doc);
    assert_eq!(
        (t.lines, t.requests, t.directives, t.blank, t.skipped),
        (187, 123, 49, 3, 12)
    );
    assert_eq!(doc["requests"]["http"].as_u64(), Some(62));
    assert_eq!(doc["requests"]["ftp"].as_u64(), Some(31));
    assert_eq!(doc["requests"]["smtp"].as_u64(), Some(17));
    assert_eq!(doc["requests"]["httperr"].as_u64(), Some(13));
    let files = json_files(&doc);
    let got: Vec<(&str, u64, u64)> = files
        .iter()
        .map(|f| (f.path.as_str(), f.lines, f.requests))
        .collect();
    assert_eq!(got.len(), FILES.len());
    // Files come in discovery order: folders and names sorted, as FILES lists them.
    for (g, f) in got.iter().zip(&FILES) {
        assert!(g.0.ends_with(f.rel), "{} vs {}", g.0, f.rel);
        assert_eq!((g.1, g.2), (f.lines, f.requests), "{}", f.rel);
    }
    let rows = doc["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), TREE_ROWS.len());
    for (r, &(key, count, _)) in rows.iter().zip(&TREE_ROWS) {
        let code = |k: &str| match &r[k] {
            serde_json::Value::Null => "-".to_string(),
            v => v.as_u64().expect("a code").to_string(),
        };
        let got = format!(
            "{} {}.{}.{}",
            r["service"].as_str().expect("service"),
            code("status"),
            code("substatus"),
            code("win32_status")
        );
        assert_eq!((got.as_str(), r["count"].as_u64()), (key, Some(count)));
        assert!(!r["description"].as_str().expect("description").is_empty());
    }
}

#[test]
fn output_file_gets_the_same_csv() {
    let dir = tempdir();
    let out = dir.path().join("summary.csv");
    let run = iislog([
        "summary".as_ref(),
        fixture("").as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    run.expect_code(0);
    assert_eq!(run.stdout, "", "-o writes nothing to stdout");
    assert_eq!(totals(&run.stderr), TREE_TOTALS);
    let written = std::fs::read_to_string(&out).expect("the -o file");
    check_tree_rows(&written);
    let piped = summary_csv(&[&fixture("")], &[]);
    assert_eq!(written, piped.stdout);
}

#[test]
fn csv_is_the_default_when_stdout_is_not_a_terminal() {
    let run = iislog(["summary".as_ref(), fixture("MSFTPSVC1").as_os_str()]);
    run.expect_code(0);
    let rows = parse_csv(&run.stdout);
    assert_eq!(
        counts(&rows),
        expected(&[
            ("ftp 226.-.0", 5),
            ("ftp 331.-.0", 4),
            ("ftp 230.-.0", 2),
            ("ftp 530.-.1326", 2),
            ("ftp 550.-.2", 1),
        ])
    );
}

/// Three data lines whose header was lost, then a block with its own header.
const HEADERLESS: &str = "2026-11-27 00:00:01 /a 200 0 0\r\n\
2026-11-27 00:00:02 /b 404 0 2\r\n\
2026-11-27 00:00:03 /a 200 0 64\r\n\
#Fields: time sc-status cs-uri-stem\r\n\
00:00:04 302 /c\r\n";

#[test]
fn fields_option_makes_a_headerless_file_count() {
    let dir = tempdir();
    let path = dir.path().join("u_ex261127.log");
    std::fs::write(&path, HEADERLESS).unwrap();

    let without = summary_csv(&[&path], &["--verbose"]);
    without.expect_code(0);
    assert_eq!(
        counts(&parse_csv(&without.stdout)),
        expected(&[("http 302.-.-", 1)])
    );
    assert_eq!(
        verbose_reasons(&without.stderr),
        [("no-fields".to_string(), 3)].into_iter().collect()
    );

    let with = summary_csv(
        &[&path],
        &[
            "--fields",
            "date time cs-uri-stem sc-status sc-substatus sc-win32-status",
        ],
    );
    with.expect_code(0);
    // The file's own #Fields takes over from --fields at line 4.
    assert_eq!(
        counts(&parse_csv(&with.stdout)),
        expected(&[
            ("http 200.0.0", 1),
            ("http 404.0.2", 1),
            ("http 200.0.64", 1),
            ("http 302.-.-", 1),
        ])
    );
    assert_eq!(
        totals(&with.stderr),
        Totals {
            files: 1,
            lines: 5,
            requests: 4,
            skipped: 0
        }
    );
}

#[test]
fn verbose_names_file_and_line_of_skipped_lines() {
    let run = summary_csv(&[&fixture("W3SVC3")], &["--verbose"]);
    run.expect_code(0);
    let mut got: Vec<String> = verbose_examples(&run.stderr)
        .into_iter()
        .map(|e| {
            let at = e.find("W3SVC3/").unwrap_or_else(|| panic!("{e}"));
            e[at..].to_string()
        })
        .collect();
    got.sort();
    // u_ex261125.log: 1 data before #Fields, 7 and 8 wrong column count, 9 `abc`,
    // 10 a 20-digit status, 22 after an empty #Fields, 23 the NUL tail;
    // u_ex261126.log: 8 the cut last line.
    let mut want: Vec<String> = [1, 7, 8, 9, 10, 22, 23]
        .iter()
        .map(|n| format!("W3SVC3/u_ex261125.log:{n}"))
        .collect();
    want.push("W3SVC3/u_ex261126.log:8".into());
    want.sort();
    assert_eq!(got, want);
    assert_eq!(
        verbose_reasons(&run.stderr),
        [
            ("bad-code", 2),
            ("bad-fields", 1),
            ("binary", 1),
            ("column-count", 2),
            ("no-fields", 1),
            ("truncated", 1),
        ]
        .into_iter()
        .map(|(r, n)| (r.to_string(), n))
        .collect()
    );
}

#[test]
fn verbose_says_which_files_were_passed_over() {
    let dir = tempdir();
    let logs = dir.path().join("W3SVC9");
    std::fs::create_dir(&logs).unwrap();
    std::fs::copy(
        fixture("W3SVC3/u_ex261126.log"),
        logs.join("u_ex261126.log"),
    )
    .unwrap();
    std::fs::write(logs.join("notes.txt"), "rotated by hand\n").unwrap();
    let run = summary_csv(&[dir.path()], &["--verbose"]);
    run.expect_code(0);
    let passed: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("notes.txt"))
        .collect();
    assert_eq!(passed.len(), 1, "{}", run.stderr);
    assert_eq!(totals(&run.stderr).files, 1);
}

#[test]
fn one_and_four_threads_give_identical_csv() {
    let one = summary_csv(&[&fixture("")], &["-j", "1"]);
    let four = summary_csv(&[&fixture("")], &["-j", "4"]);
    one.expect_code(0);
    four.expect_code(0);
    assert_eq!(one.stdout, four.stdout);
    check_tree_rows(&four.stdout);
}

#[test]
fn a_file_named_twice_is_read_once() {
    let file = fixture("W3SVC1/ex261120.log");
    let run = summary_csv(&[&fixture("W3SVC1"), &file], &[]);
    run.expect_code(0);
    assert_eq!(
        totals(&run.stderr),
        Totals {
            files: 1,
            lines: 15,
            requests: 11,
            skipped: 0
        }
    );
}

/// The verdict on every row of the fixture tree, worked out by hand from the rules'
/// sources: 2xx/3xx are served as asked (RFC 9110); win32 64 and 1236 mean the client
/// left, whatever the status (System Error Codes); `401 2 5` and any 401 with
/// 2148074254 (SEC_E_NO_CREDENTIALS) are legs of the Windows authentication handshake
/// ("HOWTO: Diagnose 401.x HTTP errors on IIS"); 5xx are the server's failures; FTP's
/// `-` rows are control-channel events and 530 a refused logon (KB 969061); HTTPERR rows
/// take the gravest verdict of their reasons (idle time-outs and drops are noise, a full
/// queue and an application taken offline are faults: "Types of errors logged by the HTTP
/// Server API").
#[test]
fn verdicts_on_the_fixture_tree() {
    let run = summary_csv(&[&fixture("")], &[]);
    run.expect_code(0);
    let got: BTreeMap<String, String> = parse_csv(&run.stdout)
        .into_iter()
        .map(|r| (r.key(), r.verdict))
        .collect();
    let want: BTreeMap<String, String> = [
        ("http 200.0.0", "ok"),
        ("http 404.0.2", "client"),
        ("http 304.0.0", "ok"),
        ("http 200.-.0", "ok"),
        ("http 200.-.-", "ok"),
        ("http 200.0.64", "noise"),
        ("http 200.-.64", "noise"),
        ("http 404.-.2", "client"),
        ("http 404.-.-", "client"),
        ("http 200.0.1236", "noise"),
        ("http 301.0.0", "ok"),
        ("http 304.-.0", "ok"),
        ("http 304.-.-", "ok"),
        ("http 401.1.2148074254", "noise"),
        ("http 401.2.5", "noise"),
        ("http 401.2.2148074254", "noise"),
        ("http 401.-.5", "client"),
        ("http 403.14.0", "client"),
        ("http 403.14.5", "client"),
        ("http 403.-.-", "client"),
        ("http 404.0.3", "client"),
        ("http 500.0.0", "fault"),
        ("http 500.19.13", "fault"),
        ("http 500.100.0", "fault"),
        ("http 500.-.0", "fault"),
        ("http 500.-.-", "fault"),
        ("http 503.0.0", "fault"),
        ("ftp 226.-.0", "ok"),
        ("ftp -.0.0", "noise"),
        ("ftp 331.-.0", "ok"),
        ("ftp 331.0.0", "ok"),
        ("ftp 230.-.0", "ok"),
        ("ftp 530.41.1326", "client"),
        ("ftp 530.-.1326", "client"),
        ("ftp 221.0.0", "ok"),
        ("ftp 226.0.0", "ok"),
        ("ftp 227.0.0", "ok"),
        ("ftp 230.0.0", "ok"),
        ("ftp 257.0.0", "ok"),
        ("ftp 550.55.2", "client"),
        ("ftp 550.-.2", "client"),
        ("ftp -.0.64", "noise"),
        ("smtp 250.-.0", "ok"),
        ("smtp 221.-.0", "ok"),
        ("smtp 550.-.0", "client"),
        ("smtp 354.-.0", "ok"),
        ("smtp 535.-.0", "client"),
        ("httperr -.-.-", "noise"),
        ("httperr 503.-.-", "fault"),
        ("httperr 400.-.-", "client"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(got, want);
}

/// The terminal table lists each service's faults first.
#[test]
fn table_puts_faults_first() {
    let tree = fixture("");
    let run = iislog([
        "summary".as_ref(),
        tree.as_os_str(),
        "--format".as_ref(),
        "table".as_ref(),
    ]);
    run.expect_code(0);
    let verdicts: Vec<(&str, &str)> = run
        .stdout
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            Some((*cells.first()?, *cells.get(6)?))
        })
        .filter(|(s, _)| *s == "http")
        .collect();
    // 6 http faults (500 x5, 503), listed before any other http row.
    let first_other = verdicts.iter().position(|(_, v)| *v != "fault").unwrap();
    assert_eq!(first_other, 6, "{verdicts:?}");
    assert!(verdicts[first_other..].iter().all(|(_, v)| *v != "fault"));
}

/// With a width (`COLUMNS`, as a terminal gives), each description wraps under its own
/// column at word boundaries: no line is wider unless one word is, and the wrapped
/// pieces joined are the description the CSV gives.
#[test]
fn table_descriptions_wrap_under_their_column() {
    let tree = fixture("");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iislog"))
        .args([
            "summary".as_ref(),
            tree.as_os_str(),
            "--format".as_ref(),
            "table".as_ref(),
        ])
        .env("COLUMNS", "100")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = table.lines().take_while(|l| !l.is_empty()).collect();
    let column = lines[0].find("DESCRIPTION").unwrap();
    let mut descriptions = Vec::new();
    for l in &lines[1..] {
        let (cells, text) = l.split_at(column);
        if cells.trim().is_empty() {
            // A continuation: under the description column, nothing in the others.
            let last: &mut String = descriptions.last_mut().unwrap();
            last.push(' ');
            last.push_str(text);
        } else {
            descriptions.push(text.to_string());
        }
        let longest_word = text.split(' ').map(str::len).max().unwrap_or(0);
        assert!(
            l.chars().count() <= 100 || longest_word > 100 - column,
            "{l:?}"
        );
    }
    assert!(
        lines.len() - 1 > descriptions.len(),
        "nothing wrapped at 100 columns"
    );
    let run = summary_csv(&[&tree], &[]);
    let mut want: Vec<String> = parse_csv(&run.stdout)
        .into_iter()
        .map(|r| r.description)
        .collect();
    descriptions.sort();
    want.sort();
    assert_eq!(descriptions, want);
}
