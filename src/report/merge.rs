//! `iislog merge` of summary CSVs: adds the counts of files written by `iislog summary
//! --format csv` (or a report's summary.csv) exactly, recomputes percents and verdicts,
//! and keeps the descriptions. Files written before the `verdict` and `why` columns came
//! are read too. A file with other columns is refused, naming the file and its header.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::catalogue::verdict::Rules;
use crate::catalogue::Lang;
use crate::output::{csv_header, csv_header_before_verdicts};
use crate::service::Service;
use crate::summary::{Row, Summary};
use crate::tally::{Accounting, Code};

/// Why a CSV could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{path}: cannot read: {detail}")]
    Read { path: PathBuf, detail: String },
    #[error("{path}: columns are {found:?}, not iislog's summary columns {want:?}; only `iislog summary --format csv` files (or a report's summary.csv) can be merged")]
    Columns {
        path: PathBuf,
        found: String,
        want: String,
    },
    #[error("{path}:{line}: {detail}")]
    Row {
        path: PathBuf,
        line: u64,
        detail: String,
    },
}

fn code(text: &str) -> Option<Code> {
    if text == "-" {
        return Some(Code::Empty);
    }
    text.parse().ok().map(Code::Value)
}

/// Adds the summary CSVs at `paths` into one summary.
/// `lang`: the language of the `why` column (the descriptions are kept as the files have them).
pub fn merge_csvs(paths: &[PathBuf], lang: Lang) -> Result<Summary, MergeError> {
    type Key = (Service, Code, Code, Code);
    let mut counts: BTreeMap<Key, (u64, String)> = BTreeMap::new();
    let want = csv_header().join(",");
    for path in paths {
        let read_err = |detail: String| MergeError::Read {
            path: path.clone(),
            detail,
        };
        let mut bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes.as_slice());
        let header = r.headers().map_err(|e| read_err(e.to_string()))?.clone();
        let found: Vec<&str> = header.iter().collect();
        // Where the description is: after the verdict columns, or where it was before.
        let description = if found == csv_header() {
            8
        } else if found == csv_header_before_verdicts() {
            6
        } else {
            return Err(MergeError::Columns {
                path: path.clone(),
                found: found.join(","),
                want,
            });
        };
        for rec in r.records() {
            let rec = rec.map_err(|e| read_err(e.to_string()))?;
            let line = rec.position().map_or(0, |p| p.line());
            let bad = |detail: &str| MergeError::Row {
                path: path.clone(),
                line,
                detail: detail.to_string(),
            };
            let f = |i: usize| rec.get(i).unwrap_or("");
            let service = Service::from_name(f(0)).ok_or_else(|| bad("unknown service"))?;
            let (s, sub, w) = (
                code(f(1)).ok_or_else(|| bad("status is not a code"))?,
                code(f(2)).ok_or_else(|| bad("substatus is not a code"))?,
                code(f(3)).ok_or_else(|| bad("win32_status is not a code"))?,
            );
            let n: u64 = f(4)
                .parse()
                .map_err(|_| bad("count is not a whole number"))?;
            let desc = f(description);
            let desc = desc.strip_prefix('\'').unwrap_or(desc).to_string();
            let e = counts.entry((service, s, sub, w)).or_insert((0, desc));
            e.0 += n;
        }
    }
    let mut totals: BTreeMap<Service, u64> = BTreeMap::new();
    for ((s, ..), (n, _)) in &counts {
        *totals.entry(*s).or_insert(0) += n;
    }
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(
            |((service, status, substatus, win32_status), (count, description))| {
                let total = totals.get(&service).copied().unwrap_or(1).max(1);
                let codes = crate::tally::Codes {
                    status,
                    substatus,
                    win32: win32_status,
                };
                // The rules are the binary's: an older file's verdicts are judged again.
                let judged = Rules::builtin().judge(service, codes, None);
                Row {
                    service,
                    status,
                    substatus,
                    win32_status,
                    count,
                    percent: count as f64 * 100.0 / total as f64,
                    verdict: judged.verdict,
                    why: judged.why(lang).to_string(),
                    description,
                    causes: None,
                }
            },
        )
        .collect();
    rows.sort_by(|a, b| {
        a.service.cmp(&b.service).then(b.count.cmp(&a.count)).then(
            (a.status, a.substatus, a.win32_status).cmp(&(b.status, b.substatus, b.win32_status)),
        )
    });
    Ok(Summary {
        rows,
        files: Vec::new(),
        totals: Accounting::default(),
        requests: totals,
    })
}

/// Whether a path names a summary CSV (by extension) rather than a history database.
pub fn is_csv(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}
