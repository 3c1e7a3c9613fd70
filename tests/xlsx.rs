//! Workbooks (`summary --format xlsx`, each day's `report.xlsx`) read back by an
//! independent reader, Python's openpyxl, and compared cell by cell with the CSVs of the
//! same run: the same rows and columns, numbers stored as numbers with the CSV's decimals,
//! text as strings (a CSV's formula guard `'` taken off, and never a formula), a bold,
//! frozen, filtered header row and a width for every column. A second part, which needs no
//! Python and so runs under Wine too, checks the sheets' names and that a day's workbook
//! is the same bytes each time it is written.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::{csv_rows, fixture, iislog, report_day, reports_fixture, s, tempdir};

/// Columns whose numbers a workbook stores as numbers (README, "Output"). The same list
/// as `iislog::output::xlsx::NUMERIC`, kept here on purpose: it is the README's promise,
/// written out independently, so a column dropped from (or added to) the library's list
/// fails the cell-by-cell check instead of changing what the test expects with it.
const NUMERIC: [&str; 14] = [
    "status",
    "substatus",
    "win32_status",
    "count",
    "percent",
    "requests",
    "2xx",
    "3xx",
    "4xx",
    "5xx",
    "time_taken_mean_ms",
    "time_taken_p95_ms",
    "rank",
    "max_overcount",
];

/// Prints a workbook as JSON: per sheet its name, frozen cell, filter range, column
/// widths, and per cell [data type, value, number format, bold].
const DUMP: &str = r#"
import json, sys, openpyxl
from openpyxl.utils import get_column_letter
wb = openpyxl.load_workbook(sys.argv[1])
out = []
for ws in wb.worksheets:
    rows = [[[c.data_type, c.value, c.number_format, bool(c.font.b)] for c in row]
            for row in ws.iter_rows()]
    # A run of columns of one width is one <col min max> element.
    widths = {get_column_letter(i): d.width
              for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}
    out.append({"name": ws.title, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
                "widths": widths, "rows": rows})
print(json.dumps(out))
"#;

/// Whether python3 with openpyxl is here. CI installs it (`.ci/run`), so there a missing
/// reader fails the test rather than skip it; under Wine (the Windows build's tests) a
/// Linux python3 cannot be started, and the read-back is left to the Linux run.
fn openpyxl() -> bool {
    if cfg!(windows) {
        eprintln!("skipped: a Windows build cannot start python3 (under Wine the Linux run reads the workbooks back)");
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("python3 with openpyxl is missing, and CI must read the workbooks back (.ci/run installs it)");
        }
        eprintln!(
            "skipped: python3 with openpyxl is not installed (python3 -m pip install openpyxl)"
        );
    }
    ok
}

/// The workbook's sheets as openpyxl reads them.
fn dump(path: &Path) -> Vec<Value> {
    let out = Command::new("python3")
        .args(["-c", DUMP, s(path)])
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "openpyxl could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON from the dump");
    doc.as_array().expect("a list of sheets").clone()
}

/// What iislog writes for a number: digits, at most one `.`, perhaps a leading `-`.
fn plain_number(text: &str) -> Option<(f64, usize)> {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || body.ends_with('.') {
        return None;
    }
    Some((text.parse().ok()?, frac.len()))
}

/// A CSV text cell as the workbook holds it: without the `'` put before a formula's
/// first character.
fn unguarded(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

/// Excel's letters of a 0-based column (up to ZZ: enough for any iislog table).
fn letters(col: usize) -> String {
    let abc = |i: usize| char::from(b'A' + i as u8);
    if col < 26 {
        abc(col).to_string()
    } else {
        format!("{}{}", abc(col / 26 - 1), abc(col % 26))
    }
}

/// Checks a sheet against its CSV, cell by cell (see the module's header).
fn assert_sheet_is_csv(sheet: &Value, csv: &Path) {
    let name = sheet["name"].as_str().unwrap();
    let want = csv_rows(csv);
    let rows = sheet["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want.len(), "{name}: rows");
    let header = &want[0];
    let columns = header.len();
    assert_eq!(sheet["freeze"], "A2", "{name}: the header row is frozen");
    assert_eq!(
        sheet["filter"].as_str(),
        Some(format!("A1:{}{}", letters(columns - 1), want.len()).as_str()),
        "{name}: a filter over the table"
    );
    for (c, title) in header.iter().enumerate() {
        let width = sheet["widths"][letters(c)]
            .as_f64()
            .unwrap_or_else(|| panic!("{name}: column {title} has no width"));
        let longest = want.iter().map(|r| r[c].chars().count()).max().unwrap();
        assert!(
            width >= longest.min(80) as f64 && width <= 82.0,
            "{name}: column {title} is {width} wide for text of {longest}"
        );
    }
    for (r, (got, csv_row)) in rows.iter().zip(&want).enumerate() {
        let got = got.as_array().unwrap();
        for (c, text) in csv_row.iter().enumerate() {
            let cell = got.get(c).and_then(Value::as_array);
            let (kind, value, format, bold) = match cell {
                Some(x) => (
                    x[0].as_str().unwrap(),
                    &x[1],
                    x[2].as_str().unwrap(),
                    x[3] == true,
                ),
                None => ("n", &Value::Null, "General", false),
            };
            let at = format!("{name}!{}{} ({}: {text:?})", letters(c), r + 1, header[c]);
            if r == 0 {
                assert_eq!(
                    (kind, value.as_str(), bold),
                    ("s", Some(text.as_str()), true),
                    "{at}"
                );
                continue;
            }
            let numeric = NUMERIC.contains(&header[c].as_str());
            match plain_number(text) {
                _ if text.is_empty() => assert!(value.is_null(), "{at}: {value}"),
                Some((n, decimals)) if numeric => {
                    assert_eq!(kind, "n", "{at}");
                    assert_eq!(value.as_f64(), Some(n), "{at}");
                    // The CSV's decimals, and no thousands separator in a code.
                    let shown = format.rsplit_once('.').map_or(0, |(_, d)| d.len());
                    assert_eq!(shown, decimals, "{at}: format {format}");
                    if header[c].contains("status") {
                        assert!(!format.contains(','), "{at}: format {format}");
                    }
                }
                _ => {
                    assert_eq!(kind, "s", "{at}: text is a string, never a formula");
                    assert_eq!(value.as_str(), Some(unguarded(text)), "{at}");
                }
            }
        }
    }
}

/// A day's workbook's sheets, one per CSV of the day folder in its order (README,
/// "report.xlsx").
const DAY_SHEETS: [&str; 7] = [
    "summary",
    "by-hour",
    "by-site",
    "top-errors",
    "ftp-commands",
    "ftp-failed-logins",
    "httperr",
];

fn sheet<'a>(sheets: &'a [Value], name: &str) -> &'a Value {
    sheets
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// `summary -o FILE.xlsx` gives a workbook whose two sheets are the CSV and the HTTPERR
/// CSV of the same run; the figures of fixtures/README.md are numbers in it.
#[test]
fn summary_workbook_reads_back_as_its_csvs() {
    if !openpyxl() {
        return;
    }
    let dir = tempdir();
    let book = dir.path().join("summary.xlsx");
    let csv = dir.path().join("summary.csv");
    iislog(["summary", s(&fixture("")), "-o", s(&book), "--quiet"]).expect_code(0);
    let files: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(
        files.len(),
        1,
        "the HTTPERR rows are a sheet, not a file beside it"
    );
    iislog(["summary", s(&fixture("")), "-o", s(&csv), "--quiet"]).expect_code(0);
    let sheets = dump(&book);
    let names: Vec<&str> = sheets.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["summary", "httperr"]);
    assert_sheet_is_csv(&sheets[0], &csv);
    assert_sheet_is_csv(&sheets[1], &dir.path().join("summary-httperr.csv"));
    // http 200.0.0: 18 requests, 29.03 % (README, sample output).
    let ok = sheets[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0][1] == "http" && r[1][1] == 200 && r[2][1] == 0 && r[3][1] == 0)
        .expect("the http 200.0.0 row");
    assert_eq!(
        (&ok[4][0], &ok[4][1]),
        (&Value::from("n"), &Value::from(18))
    );
    assert_eq!(
        (&ok[5][0], &ok[5][1]),
        (&Value::from("n"), &Value::from(29.03))
    );
}

/// Each day's report.xlsx holds the day's CSVs, a sheet each in the folder's order; a
/// URI that would be a formula in Excel is a string.
#[test]
fn report_workbook_reads_back_as_the_days_csvs() {
    if !openpyxl() {
        return;
    }
    let out = tempdir();
    report_day(&fixture(""), "2026-11-23", out.path(), &["--quiet"]).expect_code(0);
    let day = out.path().join("2026-11-23");
    let sheets = dump(&day.join("report.xlsx"));
    let names: Vec<&str> = sheets.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, DAY_SHEETS);
    for (sheet, name) in sheets.iter().zip(DAY_SHEETS) {
        assert_sheet_is_csv(sheet, &day.join(format!("{name}.csv")));
    }
    // The fixture's day has FTP, HTTPERR and top errors: no sheet is a bare header.
    for name in [
        "by-site",
        "top-errors",
        "ftp-commands",
        "ftp-failed-logins",
        "httperr",
    ] {
        assert!(
            sheet(&sheets, name)["rows"].as_array().unwrap().len() > 1,
            "{name}"
        );
    }

    let out = tempdir();
    let reports = reports_fixture();
    report_day(&reports, "2026-11-23", out.path(), &["--quiet"]).expect_code(0);
    let day = out.path().join("2026-11-23");
    let sheets = dump(&day.join("report.xlsx"));
    let top = sheet(&sheets, "top-errors");
    assert_sheet_is_csv(top, &day.join("top-errors.csv"));
    let formula = top["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[1][1] == 404 && r[3][1] == "uri")
        .expect("the 404's URI");
    assert_eq!(formula[5][0], "s");
    assert_eq!(formula[5][1], "=1+2");
}

/// The names of a workbook's sheets, from its `xl/workbook.xml`, read with the zip crate.
fn sheet_names(book: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(book)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("xl/workbook.xml")
        .expect("xl/workbook.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml.split("<sheet name=\"")
        .skip(1)
        .map(|r| r[..r.find('"').unwrap()].to_string())
        .collect()
}

/// Without Python (and so under Wine too): a day's workbook has a sheet per CSV, and the
/// same day written twice is the same bytes, so a nightly run that added nothing leaves
/// it alone; a summary workbook has its two sheets.
#[test]
fn workbooks_have_their_sheets_and_a_day_is_the_same_bytes() {
    let mut books = Vec::new();
    let dirs = [tempdir(), tempdir()];
    for dir in &dirs {
        report_day(&fixture(""), "2026-11-23", dir.path(), &["--quiet"]).expect_code(0);
        books.push(fs::read(dir.path().join("2026-11-23").join("report.xlsx")).unwrap());
    }
    assert_eq!(books[0], books[1], "the same day, the same bytes");
    assert_eq!(sheet_names(&books[0]), DAY_SHEETS);
    let book = dirs[0].path().join("s.xlsx");
    iislog([
        "summary",
        s(&fixture("HTTPERR")),
        "--format",
        "xlsx",
        "-o",
        s(&book),
        "--quiet",
    ])
    .expect_code(0);
    assert_eq!(
        sheet_names(&fs::read(&book).unwrap()),
        ["summary", "httperr"]
    );
    assert!(
        !dirs[0].path().join("s-httperr.xlsx").exists(),
        "the HTTPERR rows are a sheet, not a second file"
    );
}
