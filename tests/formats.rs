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
