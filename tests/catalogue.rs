//! The catalogue as a user meets it: descriptions on the fixture tree's rows (win32
//! meanings beside the HTTP ones, FTP meanings and FTP substatus for FTP rows), `--lang`,
//! and `explain`. Each expected text is the named source's (KB 318380, KB 969061, …).

use std::path::{Path, PathBuf};

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
    // IIS 10 FTP logs a substatus: KB 969061 "41 - An error occurred during the
    // authentication process." The description names it beside 530 "Not logged in".
    let d = description(&rows, "ftp 530.41.1326");
    assert!(
        d.starts_with("Not logged in; substatus 41: an error occurred during the authentication process; win32 1326 ERROR_LOGON_FAILURE"),
        "{d}"
    );
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

/// `explain --list` as CSV, read back by column name.
fn list_csv(extra: &[&str]) -> Vec<std::collections::HashMap<String, String>> {
    let mut args = vec!["explain", "--list", "--format", "csv"];
    args.extend_from_slice(extra);
    let run = iislog(args);
    let text = &run.expect_code(0).stdout;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed record");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn explain_list_as_csv_is_the_whole_catalogue() {
    let rows = list_csv(&[]);
    assert!(rows.len() > 380, "{} rows", rows.len());
    for row in &rows {
        assert!(!row["title"].is_empty(), "a row without a title: {row:?}");
        assert!(!row["source"].is_empty(), "a row without a source: {row:?}");
        assert!(!row.values().any(|c| c.starts_with('=')), "{row:?}");
    }
    // KB 969061's substatus table is listed too.
    let anon = rows
        .iter()
        .find(|r| r["table"] == "ftp-substatus" && r["code"] == "42")
        .expect("ftp-substatus 42");
    assert_eq!(anon["title"], "Anonymous authentication is not allowed");
    assert_eq!(anon["source"], "KB 969061");
    let run = iislog(["explain", "--list", "--format", "csv"]);
    assert!(!run.expect_code(0).stdout.starts_with('\u{FEFF}'));
    let with_bom = iislog(["explain", "--list", "--format", "csv", "--excel"]);
    assert!(with_bom.expect_code(0).stdout.starts_with('\u{FEFF}'));
    let json = iislog(["explain", "--list", "--format", "json", "--service", "ftp"]);
    let items: serde_json::Value = serde_json::from_str(&json.expect_code(0).stdout).expect("JSON");
    let items = items.as_array().expect("an array");
    assert!(items
        .iter()
        .all(|i| i["source"].as_str().is_some_and(|s| !s.is_empty())));
    assert!(items.iter().any(|i| i["table"] == "ftp-substatus"));
    // HTTPERR's own codes are its reasons ("Types of errors logged by the HTTP Server
    // API"): `--service httperr` lists them, QueueFull among them, and no HTTP status.
    let json = iislog([
        "explain",
        "--list",
        "--format",
        "json",
        "--service",
        "httperr",
    ]);
    let items: serde_json::Value = serde_json::from_str(&json.expect_code(0).stdout).expect("JSON");
    let items = items.as_array().expect("an array");
    assert!(items.iter().all(|i| i["table"] == "httperr"), "{items:?}");
    assert!(items.iter().any(|i| i["code"] == "QueueFull"));
}

/// Whether a text has Japanese script in it (kana or kanji).
fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF))
}

/// `explain --list --lang ja` says which language each text really is: a row labelled `ja`
/// is Japanese, one labelled `en` (no translation yet) is the English text. A `seed` row's
/// title is KB 318380's own: in Norwegian, "403 - Forbudt. IIS definerer mange ulike
/// 403-feil som indikerer en mer spesifikk årsak til at feilen oppsto:", whole.
#[test]
fn explain_list_labels_each_text_with_its_real_language() {
    let en = list_csv(&["--lang", "en"]);
    let ja = list_csv(&["--lang", "ja"]);
    assert_eq!(en.len(), ja.len());
    for (e, j) in en.iter().zip(&ja) {
        let id = format!("{} {}", j["table"], j["code"]);
        match j["lang"].as_str() {
            "ja" => assert!(
                has_japanese(&j["title"]),
                "{id}: {:?} labelled ja",
                j["title"]
            ),
            "en" => assert_eq!(j["title"], e["title"], "{id}: labelled en"),
            other => panic!("{id}: lang {other}"),
        }
        assert!(["seed", "ours"].contains(&j["origin"].as_str()), "{id}");
        if !j["causes"].is_empty() {
            assert!(["ja", "en"].contains(&j["causes_lang"].as_str()), "{id}");
            if j["causes_lang"] == "en" {
                assert_eq!(j["causes"], e["causes"], "{id}: causes labelled en");
            }
        }
    }
    let nb = list_csv(&["--lang", "nb"]);
    let forbidden = nb
        .iter()
        .find(|r| r["table"] == "http" && r["code"] == "403")
        .expect("403");
    assert_eq!(
        (forbidden["title"].as_str(), forbidden["lang"].as_str(), forbidden["origin"].as_str()),
        (
            "Forbudt. IIS definerer mange ulike 403-feil som indikerer en mer spesifikk årsak til at feilen oppsto",
            "nb",
            "seed"
        )
    );
}

/// `explain 401 2 5` (three words) is `explain "401 2 5"`; the win32 value leads when it
/// tells what happened (KB 969060: 401 2 5 is the first leg of Windows authentication;
/// "System Error Codes": 64 ERROR_NETNAME_DELETED).
#[test]
fn explain_a_triple_with_or_without_quotes() {
    let quoted = iislog(["explain", "401 2 5", "--lang", "en"]);
    let words = iislog(["explain", "401", "2", "5", "--lang", "en"]);
    assert_eq!(words.expect_code(0).stdout, quoted.expect_code(0).stdout);
    assert!(
        words
            .stdout
            .starts_with("win32 5 (0x5) ERROR_ACCESS_DENIED: the first request of Windows")
            && words.stdout.contains("not an attack"),
        "{}",
        words.stdout
    );
    let run = iislog(["explain", "500", "19", "64", "--lang", "en"]);
    let text = &run.expect_code(0).stdout;
    let client = text
        .find("the client went away")
        .expect("the win32 meaning");
    let config = text.find("Configuration data is invalid").expect("500.19");
    assert!(client < config, "{text}");
    iislog(["explain", "500", "19", "64", "1"]).expect_code(2);
}

/// KB 969061: `explain 530.41 --service ftp` gives 530 "Not logged in" and substatus 41 "An
/// error occurred during the authentication process"; `--service httperr` is the name
/// every output uses (KB 820729: Timer_ConnectionIdle).
#[test]
fn explain_ftp_substatus_and_httperr_service() {
    let run = iislog(["explain", "530.41", "--service", "ftp", "--lang", "en"]);
    let text = &run.expect_code(0).stdout;
    assert!(text.starts_with("ftp 530.41: Not logged in\n"), "{text}");
    assert!(
        text.contains("\nftp-substatus 41: An error occurred during the authentication process\n"),
        "{text}"
    );
    assert!(text.contains("Source: KB 969061\n"), "{text}");
    let run = iislog([
        "explain",
        "Timer_ConnectionIdle",
        "--service",
        "httperr",
        "--lang",
        "en",
    ]);
    let text = &run.expect_code(0).stdout;
    assert!(
        text.starts_with("httperr Timer_ConnectionIdle: the idle connection expired"),
        "{text}"
    );
    let run = iislog(["explain", "503", "--service", "HTTPERR", "--lang", "en"]);
    assert!(run
        .expect_code(0)
        .stdout
        .starts_with("http 503: Service unavailable\n"));
    iislog(["explain", "503", "--service", "w3svc"]).expect_code(2);
}

/// "COM Error Codes (Security and Setup)": SEC_E_INVALID_TOKEN is 0x80090308; `--win32`
/// takes it in hex or decimal (2148074248) and prints both.
#[test]
fn explain_win32_in_hex_and_decimal() {
    let hex = iislog(["explain", "--win32", "0x80090308", "--lang", "en"]);
    let dec = iislog(["explain", "--win32", "2148074248", "--lang", "en"]);
    assert_eq!(hex.expect_code(0).stdout, dec.expect_code(0).stdout);
    assert!(
        hex.stdout
            .starts_with("win32 2148074248 (0x80090308) SEC_E_INVALID_TOKEN:"),
        "{}",
        hex.stdout
    );
    iislog(["explain", "--win32", "0xZZ"]).expect_code(2);
}

/// The `shared/samples` folder of real logs, beside the project or further up.
fn samples() -> Option<PathBuf> {
    let found = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared").join("samples"))
        .find(|p| p.join("README.md").is_file());
    if found.is_none() {
        eprintln!("skipped: shared/samples not found");
    }
    found
}

/// Every sc-win32-status value in the real logs of `shared/samples` (its README lists 64,
/// 995, 1236, 1, 50 and 2) is explained by name, not just as a number.
#[test]
fn every_win32_value_in_the_samples_is_known() {
    let Some(dir) = samples() else { return };
    let run = summary_csv(&[&dir], &["--lang", "en"]);
    let rows = parse_csv(&run.stdout);
    let mut seen = Vec::new();
    for r in rows.iter().filter(|r| r.win32 != "0" && r.win32 != "-") {
        let marker = format!("win32 {} ", r.win32);
        let named = r.description.split(&marker).nth(1).is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_uppercase()) && rest.contains(": ")
        });
        assert!(named, "{}: {}", r.key(), r.description);
        seen.push(r.win32.clone());
    }
    for w in ["64", "995", "1236", "1", "50", "2"] {
        assert!(
            seen.iter().any(|s| s == w),
            "win32 {w} not in the samples' rows"
        );
    }
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
