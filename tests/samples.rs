//! The real IIS logs in `../shared/samples/`: every file's line and request counts against
//! the counts its README computed independently, and a few status triples the README names.
//! Skipped (with a note) when the shared folder is not there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{counts, iislog, json_files, parse_csv, parse_json, summary_csv, FileAcct};

fn samples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("samples");
    if dir.join("README.md").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/samples not found");
        None
    }
}

/// One row of the README's file table.
#[derive(Debug)]
struct Listed {
    /// Path under samples/, `/`-separated.
    file: String,
    /// `—` for the empty and the damaged file: not real logs.
    iis: String,
    lines: u64,
    data: u64,
}

/// Reads the README's `| File | Source | License | IIS | EOL | Bytes | Lines | #Fields |
/// Data | Notable |` table.
fn listed(readme: &str) -> Vec<Listed> {
    readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let num = |i: usize| {
                cells[i]
                    .parse::<u64>()
                    .unwrap_or_else(|_| panic!("cell {i} of {l}"))
            };
            Listed {
                file: cells[1].trim_matches('`').to_string(),
                iis: cells[4].to_string(),
                lines: num(7),
                data: num(9),
            }
        })
        .collect()
}

/// Runs the whole samples folder once, as JSON, and keys the files by their path under it.
fn accounts(dir: &Path) -> BTreeMap<String, FileAcct> {
    let run = iislog([
        "summary".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    run.expect_code(0);
    json_files(&parse_json(&run.stdout))
        .into_iter()
        .map(|f| {
            let at = f
                .path
                .find("samples/")
                .unwrap_or_else(|| panic!("{}", f.path));
            (f.path[at + "samples/".len()..].to_string(), f)
        })
        .collect()
}

#[test]
fn every_sample_file_matches_the_readme_counts() {
    let Some(dir) = samples() else { return };
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let listed = listed(&readme);
    // "21 files, 1370637 bytes in all."
    assert_eq!(listed.len(), 21, "rows read from the README's table");
    let got = accounts(&dir);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        {
            let mut k: Vec<&String> = listed.iter().map(|l| &l.file).collect();
            k.sort();
            k
        },
        "files read"
    );
    for l in &listed {
        let a = &got[&l.file];
        assert_eq!(a.lines, l.lines, "lines of {}", l.file);
        assert!(a.is_balanced(), "{a:?}");
        if l.iis != "—" {
            // A real log: every data line is a request.
            assert_eq!(a.requests, l.data, "requests of {}", l.file);
            assert_eq!(a.skipped, 0, "skipped in {}", l.file);
        }
    }
}

#[test]
fn the_damaged_and_the_empty_file() {
    let Some(dir) = samples() else { return };
    let got = accounts(&dir);
    // README: 1204 lines of binary garbage under a log name, none of them a record.
    let damaged = &got["laserweb/LogFiles/W3SVC1/u_ex190213-QLCCS00L155HF.log"];
    assert_eq!(damaged.requests, 0);
    assert_eq!(damaged.lines, 1204);
    assert!(damaged.is_balanced(), "{damaged:?}");
    let empty = &got["laserweb/LogFiles/W3SVC1/u_ex190205-QLCCS00L155HF.log"];
    assert_eq!(
        (empty.lines, empty.requests, empty.directives, empty.skipped),
        (0, 0, 0, 0)
    );
}

/// Status triples of single files. Each count was taken from the file itself with awk,
/// independently of iislog: `awk '!/^#/ && NF {c[$12"."$13"."$14]++} END {for (k in c)
/// print c[k], k}' FILE` ($11-$13 for laserweb's 14 fields), and agrees with the README
/// where the README gives a number.
#[test]
fn status_triples_the_readme_names() {
    let Some(dir) = samples() else { return };
    let cases: [(&str, &[(&str, u64)]); 6] = [
        // README: "Has 502.3.64 (ARR/proxy, on /api/sync/orders)"; awk: 1.
        (
            "lucasinetpub/LogFiles/W3SVC1/u_ex260327.log",
            &[
                ("http 502.3.64", 1),
                ("http 500.0.64", 2),
                ("http 200.0.64", 12),
            ],
        ),
        // README: "200.0.1236 (4 rows)", and 403.14.0; awk: 4 and 1.
        (
            "webknowit/LogFiles/W3SVC1/u_ex151020.log",
            &[("http 200.0.1236", 4), ("http 403.14.0", 1)],
        ),
        // README: "404.0.1236 (2 rows)"; awk: 2.
        (
            "waikolai/LogFiles/W3SVC20/u_ex100203.log",
            &[("http 404.0.1236", 2), ("http 200.0.64", 1)],
        ),
        // README: "554 rows of 404.0.2" and 206.0.0; awk: 554 and 7.
        (
            "laserweb/LogFiles/W3SVC1/u_ex190130.log",
            &[("http 404.0.2", 554), ("http 206.0.0", 7)],
        ),
        // README: PROPFIND and MTWT get 405.0.1, /.git/HEAD gets 404.17.50; awk: 5 and 1.
        (
            "webknowit/LogFiles/W3SVC1/u_ex160209.log",
            &[("http 405.0.1", 5), ("http 404.17.50", 1)],
        ),
        // README: only ControlChannelOpened/Closed rows, status `-`, the close has win32 64.
        (
            "webknowit/LogFiles/FTPSVC2/u_ex151018.log",
            &[("ftp -.0.0", 1), ("ftp -.0.64", 1)],
        ),
    ];
    for (file, want) in cases {
        let mut path = dir.clone();
        path.extend(file.split('/'));
        let run = summary_csv(&[&path], &[]);
        run.expect_code(0);
        let got = counts(&parse_csv(&run.stdout));
        for &(key, n) in want {
            assert_eq!(got.get(key).copied(), Some(n), "{key} in {file}");
        }
    }
}
