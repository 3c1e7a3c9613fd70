//! Every log IIS writes besides W3C HTTP: SMTP, HTTPERR, IIS native, NCSA, and logs in
//! .gz and .zip archives. Counts are worked out by hand in fixtures/README.md.

use crate::util::{counts, expected, fixture, parse_csv, summary_csv, tempdir, totals, Totals};

/// `SMTPSVC1/ex261123.log`: SMTP reply meanings, whether the service comes from the
/// folder or, for a copy elsewhere, from the verbs in `cs-method`.
#[test]
fn smtp_is_its_own_service_with_smtp_meanings() {
    let want = expected(&[
        ("smtp 250.-.0", 10),
        ("smtp 221.-.0", 3),
        ("smtp 550.-.0", 2),
        ("smtp 354.-.0", 1),
        ("smtp 535.-.0", 1),
    ]);
    let dir = tempdir();
    let copy = dir.path().join("mail-log.txt");
    std::fs::copy(fixture("SMTPSVC1/ex261123.log"), &copy).expect("copy the fixture");
    for path in [fixture("SMTPSVC1"), copy] {
        let run = summary_csv(&[&path], &[]);
        run.expect_code(0);
        let rows = parse_csv(&run.stdout);
        assert_eq!(counts(&rows), want, "{}", path.display());
        let describe = |key: &str| {
            rows.iter()
                .find(|r| r.key() == key)
                .map(|r| r.description.clone())
                .unwrap_or_default()
        };
        assert!(describe("smtp 250.-.0").contains("mail action okay"));
        assert!(describe("smtp 550.-.0").contains("mailbox unavailable"));
        assert!(describe("smtp 354.-.0").starts_with("Start mail input"));
        assert_eq!(
            totals(&run.stderr),
            Totals {
                files: 1,
                lines: 21,
                requests: 17,
                skipped: 0
            }
        );
    }
}

/// `HTTPERR/httperr1.log` by status, reason and (for 503s) queue, worked out by hand:
/// (status, reason, queue, count, percent of 13).
const HTTPERR_ROWS: [(&str, &str, &str, u64, &str); 7] = [
    ("-", "Timer_ConnectionIdle", "-", 4, "30.77"),
    ("503", "QueueFull", "DefaultAppPool", 3, "23.08"),
    ("-", "Connection_Dropped", "-", 2, "15.38"),
    ("400", "BadRequest", "-", 1, "7.69"),
    ("400", "Hostname", "-", 1, "7.69"),
    ("503", "AppOffline", "ShopPool", 1, "7.69"),
    ("-", "Timer_MinBytesPerSecond", "-", 1, "7.69"),
];

/// status, reason, queue, count, percent.
type ReasonRow = (String, String, String, u64, String);

/// Reads an HTTPERR CSV back: its header, then (status, reason, queue, count, percent)
/// and the descriptions.
fn httperr_csv(text: &str) -> (Vec<ReasonRow>, Vec<String>) {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "status",
            "reason",
            "queue",
            "count",
            "percent",
            "verdict",
            "why",
            "description"
        ]
    );
    let mut rows = Vec::new();
    let mut descriptions = Vec::new();
    for r in rdr.records() {
        let r = r.expect("a CSV record");
        rows.push((
            r[0].to_string(),
            r[1].to_string(),
            r[2].to_string(),
            r[3].parse().expect("a count"),
            r[4].to_string(),
        ));
        descriptions.push(r[7].to_string());
    }
    (rows, descriptions)
}

fn want_httperr() -> Vec<ReasonRow> {
    HTTPERR_ROWS
        .iter()
        .map(|&(s, r, q, n, p)| (s.into(), r.into(), q.into(), n, p.into()))
        .collect()
}

#[test]
fn httperr_by_reason_and_queue_beside_the_summary() {
    let dir = tempdir();
    let out = dir.path().join("summary.csv");
    let run = crate::util::iislog([
        "summary".as_ref(),
        fixture("HTTPERR").as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    run.expect_code(0);
    // The summary CSV keeps its columns: HTTPERR rows by status only.
    let main = std::fs::read_to_string(&out).expect("summary.csv");
    let rows = parse_csv(&main);
    assert_eq!(
        counts(&rows),
        expected(&[
            ("httperr -.-.-", 7),
            ("httperr 503.-.-", 4),
            ("httperr 400.-.-", 2)
        ])
    );
    // The reasons go beside it.
    let side = std::fs::read_to_string(dir.path().join("summary-httperr.csv"))
        .expect("summary-httperr.csv beside summary.csv");
    let (got, descriptions) = httperr_csv(&side);
    assert_eq!(got, want_httperr());
    assert!(
        descriptions[0].contains("idle connection expired"),
        "{descriptions:?}"
    );
    assert!(
        descriptions[1].contains("queue is full"),
        "{descriptions:?}"
    );

    // --httperr-output names the file; CSV on stdout stays the summary alone.
    let named = dir.path().join("reasons.csv");
    let run = summary_csv(
        &[&fixture("HTTPERR")],
        &[
            "--httperr-output",
            named.to_str().expect("a UTF-8 temp path"),
        ],
    );
    run.expect_code(0);
    assert_eq!(parse_csv(&run.stdout).len(), 3);
    let (got, _) = httperr_csv(&std::fs::read_to_string(&named).expect("reasons.csv"));
    assert_eq!(got, want_httperr());
}

#[test]
fn httperr_in_json_and_table() {
    let run = crate::util::iislog([
        "summary".as_ref(),
        fixture("HTTPERR").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    run.expect_code(0);
    let doc = crate::util::parse_json(&run.stdout);
    let rows = doc["httperr"].as_array().expect("an httperr list");
    let got: Vec<(String, String, String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["status"].as_u64().map_or("-".into(), |s| s.to_string()),
                r["reason"].as_str().expect("reason").to_string(),
                r["queue"].as_str().expect("queue").to_string(),
                r["count"].as_u64().expect("count"),
            )
        })
        .collect();
    let want: Vec<(String, String, String, u64)> = want_httperr()
        .into_iter()
        .map(|(s, r, q, n, _)| (s, r, q, n))
        .collect();
    assert_eq!(got, want);

    let run = crate::util::iislog([
        "summary".as_ref(),
        fixture("HTTPERR").as_os_str(),
        "--format".as_ref(),
        "table".as_ref(),
    ]);
    run.expect_code(0);
    assert!(run.stdout.contains("HTTPERR: requests refused by HTTP.sys"));
    assert!(run
        .stdout
        .lines()
        .any(|l| l.contains("QueueFull") && l.contains("DefaultAppPool") && l.contains(" 3 ")));

    // A folder without HTTPERR logs gets no section and no `httperr` key.
    let run = crate::util::iislog([
        "summary".as_ref(),
        fixture("W3SVC1").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert!(crate::util::parse_json(&run.stdout)
        .get("httperr")
        .is_none());
}

/// `W3SVC4/in261123.log` (IIS native) and `W3SVC5/u_nc261123.log` (NCSA), by hand.
const NATIVE: [(&str, u64); 6] = [
    ("http 200.-.0", 2),
    ("http 304.-.0", 1),
    ("http 404.-.2", 1),
    ("http 401.-.5", 1),
    ("http 500.-.0", 1),
    ("http 200.-.64", 1),
];
const NCSA: [(&str, u64); 5] = [
    ("http 200.-.-", 3),
    ("http 404.-.-", 2),
    ("http 304.-.-", 1),
    ("http 500.-.-", 1),
    ("http 403.-.-", 1),
];

#[test]
fn native_and_ncsa_by_name_and_by_content() {
    // By name, in their folders.
    for (rel, want, t) in [
        ("W3SVC4/in261123.log", &NATIVE[..], (10, 7, 2)),
        ("W3SVC5/u_nc261123.log", &NCSA[..], (10, 8, 2)),
    ] {
        let run = summary_csv(&[&fixture(rel)], &["--verbose"]);
        run.expect_code(0);
        assert_eq!(counts(&parse_csv(&run.stdout)), expected(want), "{rel}");
        let got = totals(&run.stderr);
        assert_eq!((got.lines, got.requests, got.skipped), t, "{rel}");
    }
    // By content: copies under names that are no IIS log name, in a folder of no service.
    let dir = tempdir();
    std::fs::copy(
        fixture("W3SVC4/in261123.log"),
        dir.path().join("old-site.log"),
    )
    .unwrap();
    std::fs::copy(
        fixture("W3SVC5/u_nc261123.log"),
        dir.path().join("access.txt"),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "nothing to see\r\n").unwrap();
    let run = summary_csv(&[dir.path()], &[]);
    run.expect_code(0);
    let mut want: Vec<(&str, u64)> = NATIVE.to_vec();
    // 200.-.- (NCSA) and 200.-.0 (native) are different keys: nothing adds up twice.
    want.extend(NCSA);
    assert_eq!(counts(&parse_csv(&run.stdout)), expected(&want));
    assert_eq!(
        totals(&run.stderr),
        Totals {
            files: 2,
            lines: 20,
            requests: 15,
            skipped: 4
        }
    );
}

/// `fixtures/archives`: `LogFiles.zip` holds the whole fixture tree, `gz/` has every
/// file of it gzipped in its folder.
fn archives(rel: &str) -> std::path::PathBuf {
    let mut p = crate::util::root().join("fixtures").join("archives");
    for part in rel.split('/').filter(|s| !s.is_empty()) {
        p.push(part);
    }
    p
}

/// The tree in a .zip and in .gz files gives exactly the tree's rows, totals and per-file
/// accounts; both together give every count twice.
#[test]
fn archives_sum_to_the_tree_unpacked() {
    let tree = summary_csv(&[&fixture("")], &[]);
    tree.expect_code(0);
    let want = parse_csv(&tree.stdout);
    let want_totals = totals(&tree.stderr);
    for packed in [archives("LogFiles.zip"), archives("gz")] {
        let run = summary_csv(&[&packed], &[]);
        run.expect_code(0);
        assert_eq!(parse_csv(&run.stdout), want, "{}", packed.display());
        assert_eq!(totals(&run.stderr), want_totals, "{}", packed.display());
    }
    let both = summary_csv(&[&archives("")], &[]);
    both.expect_code(0);
    let doubled: Vec<(String, u64)> = want.iter().map(|r| (r.key(), r.count * 2)).collect();
    let got: Vec<(String, u64)> = parse_csv(&both.stdout)
        .iter()
        .map(|r| (r.key(), r.count))
        .collect();
    assert_eq!(got, doubled);
    assert_eq!(
        totals(&both.stderr),
        Totals {
            files: want_totals.files * 2,
            lines: want_totals.lines * 2,
            requests: want_totals.requests * 2,
            skipped: want_totals.skipped * 2,
        }
    );

    // Per file: the same accounts, under the names `LogFiles.zip!W3SVC1/ex261120.log`.
    let json = |p: &std::path::Path| {
        let run = crate::util::iislog([
            "summary".as_ref(),
            p.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        run.expect_code(0);
        crate::util::json_files(&crate::util::parse_json(&run.stdout))
    };
    let unpacked = json(&fixture(""));
    let zipped = json(&archives("LogFiles.zip"));
    assert_eq!(zipped.len(), unpacked.len());
    for (z, u) in zipped.iter().zip(&unpacked) {
        let rel = u.path.rsplit("LogFiles/").next().unwrap_or_default();
        assert!(
            z.path.ends_with(&format!("LogFiles.zip!{rel}")),
            "{} vs {}",
            z.path,
            u.path
        );
        assert_eq!(
            (z.lines, z.requests, z.directives, z.blank, z.skipped),
            (u.lines, u.requests, u.directives, u.blank, u.skipped),
            "{rel}"
        );
    }
}

/// Skipped lines inside an archive are named by the member and the line, as unpacked.
#[test]
fn verbose_names_lines_inside_archives() {
    let run = summary_csv(&[&archives("LogFiles.zip")], &["--verbose"]);
    run.expect_code(0);
    let examples = crate::util::verbose_examples(&run.stderr);
    assert!(
        examples
            .iter()
            .any(|e| e.ends_with("LogFiles.zip!W3SVC3/u_ex261125.log:22")),
        "{examples:?}"
    );
    let run = summary_csv(&[&archives("gz/W3SVC5/u_nc261123.log.gz")], &["--verbose"]);
    run.expect_code(0);
    assert!(crate::util::verbose_examples(&run.stderr)
        .iter()
        .any(|e| e.ends_with("u_nc261123.log.gz:10")));
}

/// A damaged archive is a problem for that file only: the rest is counted, exit 1.
#[test]
fn a_corrupt_archive_is_one_problem() {
    let dir = tempdir();
    let w3svc = dir.path().join("W3SVC1");
    std::fs::create_dir_all(&w3svc).unwrap();
    std::fs::copy(fixture("W3SVC1/ex261120.log"), w3svc.join("ex261120.log")).unwrap();
    std::fs::write(w3svc.join("old.zip"), b"PK\x03\x04 this is no zip").unwrap();
    let gz = std::fs::read(archives("gz/W3SVC2/u_ex261123.log.gz")).unwrap();
    std::fs::write(w3svc.join("u_ex261123.log.gz"), &gz[..gz.len() / 2]).unwrap();
    let run = summary_csv(&[dir.path()], &[]);
    run.expect_code(1);
    let err = run.stderr_slashed();
    assert!(err.contains("W3SVC1/old.zip: "), "{err}");
    assert!(err.contains("W3SVC1/u_ex261123.log.gz: "), "{err}");
    let t = totals(&run.stderr);
    assert_eq!((t.files, t.lines, t.requests), (1, 15, 11), "{err}");
}

/// `report` reads the logs inside .gz and .zip archives (W3C, IIS native, NCSA) into the
/// same day folders as the unpacked tree (byte-identical files), leaving nothing out,
/// with and without --db.
#[test]
fn report_reads_archives_like_the_unpacked_tree() {
    let folder = |input: &std::path::Path| {
        let out = tempdir();
        let args = vec![
            "report".to_string(),
            input.display().to_string(),
            "--date".into(),
            "2026-11-23".into(),
            "--out".into(),
            out.path().display().to_string(),
        ];
        let r = crate::util::iislog(&args);
        r.expect_code(0);
        let day = out.path().join("2026-11-23");
        let mut files = std::collections::BTreeMap::new();
        for e in std::fs::read_dir(&day).unwrap() {
            let e = e.unwrap();
            files.insert(
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            );
        }
        (files, r.stderr)
    };
    let (plain, plain_err) = folder(&fixture(""));
    let gz_dir = crate::util::root()
        .join("fixtures")
        .join("archives")
        .join("gz");
    let zip = crate::util::root()
        .join("fixtures")
        .join("archives")
        .join("LogFiles.zip");
    for (input, name) in [(&gz_dir, "gz"), (&zip, "zip")] {
        let (got, err) = folder(input);
        assert_eq!(got.len(), iislog::report::write::FILES.len(), "{name}");
        assert_eq!(got, plain, "{name}");
        assert!(!err.contains("not in the report"), "{name}: {err}");
    }
    assert!(!plain_err.contains("not in the report"), "{plain_err}");
    // The native (W3SVC4) and NCSA (W3SVC5) logs are in the day's sites.
    let sites = String::from_utf8(plain["by-site.csv"].clone()).unwrap();
    assert!(
        sites.contains(",W3SVC4,") && sites.contains(",W3SVC5,"),
        "{sites}"
    );
    // The summary of the day has the W3C lines of 2026-11-23 (not empty).
    let summary = String::from_utf8(plain["summary.csv"].clone()).unwrap();
    assert!(summary.lines().count() > 1, "{summary}");
    // With a history too, the archives give the unpacked tree's files for the day.
    for input in [&gz_dir, &zip] {
        let dir = tempdir();
        let db = dir.path().join("history.db");
        let out = dir.path().join("out");
        let r = crate::util::iislog([
            "report",
            input.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        r.expect_code(0);
        assert!(!r.stderr.contains("not in the report"), "{}", r.stderr);
        for f in [
            "summary.csv",
            "by-hour.csv",
            "by-site.csv",
            "top-errors.csv",
        ] {
            let got = std::fs::read(out.join("2026-11-23").join(f)).unwrap();
            assert_eq!(got, plain[f], "{f} from {}", input.display());
        }
    }
}
