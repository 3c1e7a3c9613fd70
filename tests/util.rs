//! Helpers for the integration tests: run the real `iislog` binary, give a test its own
//! temporary folder, and read the CSV, JSON and stderr that come back into data, so tests
//! compare values rather than text.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The crate's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/LogFiles`, or a file or folder below it named with `/` separators.
pub fn fixture(rel: &str) -> PathBuf {
    let mut p = root().join("fixtures").join("LogFiles");
    for part in rel.split('/').filter(|s| !s.is_empty()) {
        p.push(part);
    }
    p
}

/// `fixtures/reports`: 5 requests on 2026-11-22 and 4 on 2026-11-23 (UTC), none on any
/// other day (its README).
pub fn reports_fixture() -> PathBuf {
    root().join("fixtures").join("reports")
}

/// A path as `&str`, for the argument lists of a run (the fixtures' and temporary
/// folders' paths are UTF-8; a test of other names builds its arguments as `OsStr`).
pub fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// A fresh temporary folder, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("iislog-test-")
        .tempdir()
        .expect("create a temporary folder")
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stderr with Windows separators turned into `/`, for comparing paths.
    pub fn stderr_slashed(&self) -> String {
        self.stderr.replace('\\', "/")
    }

    /// Panics with the whole run shown when the exit code is not `want`.
    pub fn expect_code(&self, want: i32) -> &Run {
        assert_eq!(self.code, want, "exit code; the run was:\n{self:#?}");
        self
    }

    /// Panics with the whole stderr shown when it does not hold `text`.
    pub fn expect_stderr(&self, text: &str) -> &Run {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }
}

/// Runs `iislog` with `args`, English descriptions and no progress bar (stderr is a pipe).
pub fn iislog<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(command().args(args))
}

/// The `iislog` command as [`iislog`] runs it (from the crate's root, no locale or
/// terminal width from this environment), for a test that sets more: a variable such as
/// `TZ`, or standard input.
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iislog"));
    cmd.current_dir(root())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env_remove("COLUMNS");
    cmd
}

/// Runs `cmd` (from [`command`]) to its end and reads what it gave; stdout must be UTF-8.
pub fn run(cmd: &mut Command) -> Run {
    // Under Wine, starting a process now and then fails (ERROR_INTERNAL_ERROR, 1359).
    // Starting is not what a test checks: a start that fails is tried again, a few times
    // (a run that started and failed is never run again).
    let mut tries = 0;
    let out = loop {
        match cmd.output() {
            Ok(out) => break out,
            Err(e) if tries < 5 => {
                tries += 1;
                eprintln!("iislog did not start ({e}); again");
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            Err(e) => panic!("iislog did not start, 6 times: {e}"),
        }
    };
    Run {
        code: out.status.code().expect("iislog ended by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A CSV file as rows of cells, its header row included (each CSV iislog writes has one).
pub fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// Requests in the summary.csv of `day`'s folder under `out` (0 when the day has no folder
/// or no summary.csv: a day without lines gets none).
pub fn day_total(out: &Path, day: &str) -> u64 {
    let path = out.join(day).join("summary.csv");
    if !path.is_file() {
        return 0;
    }
    csv_rows(&path)
        .iter()
        .skip(1)
        .map(|r| r[4].parse::<u64>().expect("a count"))
        .sum()
}

/// `iislog summary <paths> --format csv <extra>`.
pub fn summary_csv(paths: &[&Path], extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![OsStr::new("summary")];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    args.extend(["--format", "csv"].map(OsStr::new));
    args.extend(extra.iter().map(OsStr::new));
    iislog(args)
}

/// `iislog report <logs> --date <day> --out <out> <extra>`: one day, no history.
pub fn report_day(logs: &Path, day: &str, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![OsStr::new("report"), logs.as_os_str()];
    args.extend([OsStr::new("--date"), OsStr::new(day)]);
    args.extend([OsStr::new("--out"), out.as_os_str()]);
    args.extend(extra.iter().map(OsStr::new));
    iislog(args)
}

/// A report of [`reports_fixture`] for 2026-11-23 whose `--out` is `dir/reports`, a file
/// where the report folder should be (so no day folder can be made there): that file's
/// path, and the run.
pub fn report_onto_a_file(dir: &Path) -> (PathBuf, Run) {
    let not_a_folder = dir.join("reports");
    std::fs::write(&not_a_folder, "a file where the report folder should be")
        .expect("write the file");
    let r = report_day(&reports_fixture(), "2026-11-23", &not_a_folder, &[]);
    (not_a_folder, r)
}

/// `iislog report <logs> --since <since> --until <until> --out <out> <extra>`: a range of
/// days.
pub fn report_range(logs: &Path, since: &str, until: &str, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![OsStr::new("report"), logs.as_os_str()];
    args.extend([OsStr::new("--since"), OsStr::new(since)]);
    args.extend([OsStr::new("--until"), OsStr::new(until)]);
    args.extend([OsStr::new("--out"), out.as_os_str()]);
    args.extend(extra.iter().map(OsStr::new));
    iislog(args)
}

/// `iislog report <logs> --db <db> --out <out> <extra>`: a run that keeps a history.
pub fn report_db(logs: &Path, db: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![OsStr::new("report"), logs.as_os_str()];
    args.extend([OsStr::new("--db"), db.as_os_str()]);
    args.extend([OsStr::new("--out"), out.as_os_str()]);
    args.extend(extra.iter().map(OsStr::new));
    iislog(args)
}

/// The one value a query gives, read from a history with SQLite directly (a connection of
/// its own, closed before it returns).
pub fn db_value<T: rusqlite::types::FromSql>(db: &Path, sql: &str) -> T {
    let c = rusqlite::Connection::open(db).unwrap_or_else(|e| panic!("{}: {e}", db.display()));
    c.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The header of an IIS 10 W3C log with ten fields, as IIS writes it (CRLF).
pub const W3C_HEADER: &str = "#Software: Microsoft Internet Information Services 10.0\r\n\
#Fields: date time s-sitename cs-method cs-uri-stem c-ip sc-status sc-substatus sc-win32-status time-taken\r\n";

/// A line under [`W3C_HEADER`] at `when` (`YYYY-MM-DD hh:mm:ss`): a GET of `uri` on
/// `site` from 192.0.2.1, substatus and win32 status 0, 5 ms.
pub fn w3c_line(when: &str, site: &str, uri: &str, status: u32) -> String {
    format!("{when} {site} GET {uri} 192.0.2.1 {status} 0 0 5\r\n")
}

/// The exact CSV header row.
pub const CSV_HEADER: [&str; 9] = [
    "service",
    "status",
    "substatus",
    "win32_status",
    "count",
    "percent",
    "verdict",
    "why",
    "description",
];

/// One CSV row; codes and percent kept as the text written.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub service: String,
    pub status: String,
    pub substatus: String,
    pub win32: String,
    pub count: u64,
    pub percent: String,
    pub verdict: String,
    pub why: String,
    pub description: String,
}

impl Row {
    /// `service status.substatus.win32`, e.g. `http 404.0.2`.
    pub fn key(&self) -> String {
        format!(
            "{} {}.{}.{}",
            self.service, self.status, self.substatus, self.win32
        )
    }
}

/// Parses CSV output: checks the header row and returns the data rows in order.
pub fn parse_csv(text: &str) -> Vec<Row> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, CSV_HEADER, "CSV header row");
    rdr.records()
        .map(|r| {
            let r = r.expect("a well-formed CSV record");
            assert_eq!(r.len(), CSV_HEADER.len(), "columns in {r:?}");
            Row {
                service: r[0].to_string(),
                status: r[1].to_string(),
                substatus: r[2].to_string(),
                win32: r[3].to_string(),
                count: r[4].parse().expect("count is a number"),
                percent: r[5].to_string(),
                verdict: r[6].to_string(),
                why: r[7].to_string(),
                description: r[8].to_string(),
            }
        })
        .collect()
}

/// Rows as `key → count`; panics if a key appears twice.
pub fn counts(rows: &[Row]) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for r in rows {
        assert!(m.insert(r.key(), r.count).is_none(), "{} twice", r.key());
    }
    m
}

/// `[("http 200.0.0", 4), ...]` as a map, to compare with [`counts`].
pub fn expected(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    let m: BTreeMap<String, u64> = pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect();
    assert_eq!(m.len(), pairs.len(), "a key is listed twice in the test");
    m
}

/// The numbers of the summary line `iislog: N files, N lines, N requests, N skipped, ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub files: u64,
    pub lines: u64,
    pub requests: u64,
    pub skipped: u64,
}

/// Finds and reads the summary line on stderr.
pub fn totals(stderr: &str) -> Totals {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("iislog: ") && l.contains(" files, "))
        .unwrap_or_else(|| panic!("no summary line in stderr:\n{stderr}"));
    let mut found = BTreeMap::new();
    for part in line["iislog: ".len()..].split(", ") {
        if let Some((n, word)) = part.split_once(' ') {
            if let Ok(n) = n.parse::<u64>() {
                found.insert(word.to_string(), n);
            }
        }
    }
    let get = |w: &str| {
        *found
            .get(w)
            .unwrap_or_else(|| panic!("no `{w}` in summary line: {line}"))
    };
    Totals {
        files: get("files"),
        lines: get("lines"),
        requests: get("requests"),
        skipped: get("skipped"),
    }
}

/// The `path:line` examples that `--verbose` lists, with `/` separators.
pub fn verbose_examples(stderr: &str) -> Vec<String> {
    stderr
        .replace('\\', "/")
        .lines()
        .filter_map(|l| l.strip_prefix("iislog:     "))
        .map(str::to_string)
        .collect()
}

/// Skipped lines by reason from `--verbose` (`iislog:   N skipped, reason: ...`), per run.
pub fn verbose_reasons(stderr: &str) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for l in stderr.lines() {
        let Some(rest) = l.strip_prefix("iislog:   ") else {
            continue;
        };
        let Some((n, rest)) = rest.split_once(" skipped, ") else {
            continue;
        };
        let reason = rest.split(':').next().unwrap_or_default().to_string();
        *m.entry(reason).or_insert(0) += n.trim().parse::<u64>().expect("a count");
    }
    m
}

/// One file's account from `--format json` (`files[i]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAcct {
    /// The path as printed, with `/` separators.
    pub path: String,
    pub service: String,
    pub lines: u64,
    pub requests: u64,
    pub directives: u64,
    pub blank: u64,
    pub skipped: u64,
}

impl FileAcct {
    pub fn is_balanced(&self) -> bool {
        self.lines == self.requests + self.directives + self.blank + self.skipped
    }
}

/// Sum of a `skipped` value, whether written as a list or as an object by reason.
fn skipped_sum(v: &serde_json::Value) -> u64 {
    match v {
        serde_json::Value::Array(a) => a.iter().map(|x| x.as_u64().expect("a count")).sum(),
        serde_json::Value::Object(o) => o.values().map(|x| x.as_u64().expect("a count")).sum(),
        other => other.as_u64().expect("skipped is a count"),
    }
}

fn u(v: &serde_json::Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("`{key}` is not a count in {v}"))
}

/// Reads the per-file accounts of a JSON summary.
pub fn json_files(doc: &serde_json::Value) -> Vec<FileAcct> {
    doc["files"]
        .as_array()
        .expect("`files` is a list")
        .iter()
        .map(|f| FileAcct {
            path: f["path"].as_str().expect("path").replace('\\', "/"),
            service: f["service"].as_str().expect("service").to_string(),
            lines: u(f, "lines"),
            requests: u(f, "requests"),
            directives: u(f, "directives"),
            blank: u(f, "blank"),
            skipped: skipped_sum(&f["skipped"]),
        })
        .collect()
}

/// Reads the totals of a JSON summary as a `FileAcct` with an empty path.
pub fn json_totals(doc: &serde_json::Value) -> FileAcct {
    let t = &doc["totals"];
    FileAcct {
        path: String::new(),
        service: String::new(),
        lines: u(t, "lines"),
        requests: u(t, "requests"),
        directives: u(t, "directives"),
        blank: u(t, "blank"),
        skipped: skipped_sum(&t["skipped"]),
    }
}

/// Parses stdout of a `--format json` run.
pub fn parse_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{text}"))
}

/// The cells of each row of a page's table `id` (its header row left out), as HTML.
pub fn page_table(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("<table id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no table {id} in the page"));
    let end = start + html[start..].find("</table>").unwrap();
    html[start..end]
        .split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|c| {
                    let c = &c[c.find('>').unwrap() + 1..];
                    c[..c.find("</td>").unwrap()].to_string()
                })
                .collect()
        })
        .collect()
}
