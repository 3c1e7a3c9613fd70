//! The catalogue as a user meets it: descriptions on the fixture tree's rows (win32
//! meanings beside the HTTP ones, FTP meanings for FTP rows), `--lang`, and `explain`.

use crate::util::iislog;
use crate::util::{fixture, parse_csv, summary_csv, Row};

/// The description of the fixture tree's row `service status.substatus.win32`.
fn description(rows: &[Row], key: &str) -> String {
    rows.iter()
        .find(|r| r.key() == key)
        .unwrap_or_else(|| panic!("no row {key}"))
        .description
        .clone()
}

fn tree(lang: &str) -> Vec<Row> {
    let run = summary_csv(&[&fixture("")], &["--lang", lang]);
    parse_csv(&run.expect_code(0).stdout)
}

#[test]
fn win32_meanings_on_the_fixture_tree() {
    let rows = tree("en");
    let d = description(&rows, "http 404.0.2");
    assert!(d.starts_with("Not found"), "{d}");
    assert!(d.contains("ERROR_FILE_NOT_FOUND"), "{d}");
    // The first leg of Windows authentication is no attack.
    let d = description(&rows, "http 401.1.2148074254");
    assert!(d.contains("SEC_E_NO_CREDENTIALS"), "{d}");
    assert!(d.contains("not an attack"), "{d}");
    let d = description(&rows, "http 401.2.5");
    assert!(d.contains("not an attack"), "{d}");
    let d = description(&rows, "http 200.0.64");
    assert!(d.contains("ERROR_NETNAME_DELETED"), "{d}");
    // win32 0 adds nothing.
    let d = description(&rows, "http 304.0.0");
    assert!(!d.contains("win32"), "{d}");
    // 550 on FTP is a file problem, not a server error.
    let d = description(&rows, "ftp 550.55.2");
    assert!(d.contains("File unavailable"), "{d}");
    assert!(!d.to_lowercase().contains("server error"), "{d}");
    let d = description(&rows, "ftp 530.-.1326");
    assert!(d.contains("ERROR_LOGON_FAILURE"), "{d}");
}

#[test]
fn descriptions_in_japanese_and_norwegian() {
    let ja = tree("ja");
    // KB 318380 in Japanese: "404 - ファイルまたはディレクトリが見つかりません。"
    // (the block without sc-substatus gives the status's own title)
    let d = description(&ja, "http 404.-.2");
    assert!(
        d.starts_with("ファイルまたはディレクトリが見つかりません;"),
        "{d}"
    );
    // and "404.0 - (なし) - ファイルまたはディレクトリが見つかりません。"
    let d = description(&ja, "http 404.0.2");
    assert!(
        d.starts_with("(なし) - ファイルまたはディレクトリが見つかりません;"),
        "{d}"
    );
    // KB 318380 in Norwegian: "304 - Ikke endret."
    assert_eq!(description(&tree("nb"), "http 304.0.0"), "Ikke endret");
}

#[test]
fn explain_a_code() {
    let run = iislog(["explain", "403.14", "--lang", "en"]);
    let text = &run.expect_code(0).stdout;
    assert!(
        text.starts_with("http 403.14: Directory listing denied\n"),
        "{text}"
    );
    assert!(text.contains("Usual causes and what to check:"), "{text}");
    let run = iislog(["explain", "550", "--service", "ftp", "--lang", "nb"]);
    let text = &run.expect_code(0).stdout;
    assert!(
        text.starts_with("ftp 550: Forespurt handling ikke utført."),
        "{text}"
    );
    iislog(["explain", "4o4"]).expect_code(2);
}

#[test]
fn explain_list_as_csv_is_the_whole_catalogue() {
    let run = iislog(["explain", "--list", "--format", "csv"]);
    let text = &run.expect_code(0).stdout;
    assert!(!text.starts_with('\u{FEFF}'));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(rows.len() > 300, "{} rows", rows.len());
    for row in &rows {
        assert!(!row[7].is_empty(), "a row without a title: {row:?}");
        assert!(!row.iter().any(|c| c.starts_with('=')), "{row:?}");
    }
    let with_bom = iislog(["explain", "--list", "--format", "csv", "--excel"]);
    assert!(with_bom.expect_code(0).stdout.starts_with('\u{FEFF}'));
}

/// Excel needs a byte-order mark to read UTF-8: with `--excel`, and only then, on every
/// platform (so the same input gives the same bytes on Linux and Windows).
#[test]
fn excel_gets_a_bom_only_when_asked() {
    let plain = summary_csv(&[&fixture("W3SVC2")], &["--lang", "ja"]);
    assert!(!plain.expect_code(0).stdout.starts_with('\u{FEFF}'));
    let excel = summary_csv(&[&fixture("W3SVC2")], &["--lang", "ja", "--excel"]);
    let text = &excel.expect_code(0).stdout;
    assert!(text.starts_with('\u{FEFF}'), "{text}");
    // The rest is the same CSV, Japanese text included.
    assert_eq!(&text['\u{FEFF}'.len_utf8()..], plain.stdout);
    assert!(text.contains("変更されていません"), "{text}");
}
