//! Tallies → the `Summary` every output format prints: one row per service and status
//! triple with its count, its share of that service's requests and the catalogue's
//! meaning, plus per-file line accounts. Pure: no I/O, no formatting.

pub mod httperr;
pub mod run;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::catalogue::verdict::{Rules, Verdict};
use crate::catalogue::{Catalogue, Lang};
use crate::service::Service;
use crate::tally::{Accounting, Code, CodeCounts, Example};

/// One line of the summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    pub service: Service,
    #[serde(serialize_with = "ser_code")]
    pub status: Code,
    #[serde(serialize_with = "ser_code")]
    pub substatus: Code,
    #[serde(serialize_with = "ser_code")]
    pub win32_status: Code,
    pub count: u64,
    /// Share of the service's requests, in percent.
    pub percent: f64,
    /// What to make of the row: `ok`, `noise`, `client`, `probe`, `fault` or `unknown`.
    pub verdict: Verdict,
    /// Why, in one short phrase.
    pub why: String,
    pub description: String,
    /// Usual causes; filled only when details were asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub causes: Option<String>,
}

/// A code as output writes it: the number, or `-` when empty or not logged.
pub fn code_text(code: Code) -> String {
    match code {
        Code::Value(v) => v.to_string(),
        Code::Empty | Code::NotLogged => "-".to_string(),
    }
}

fn ser_code<S: serde::Serializer>(code: &Code, s: S) -> Result<S::Ok, S::Error> {
    match code {
        Code::Value(v) => s.serialize_u32(*v),
        Code::Empty | Code::NotLogged => s.serialize_none(),
    }
}

/// What was read from one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileSummary {
    pub path: PathBuf,
    pub service: Service,
    #[serde(flatten)]
    pub acct: Accounting,
    #[serde(skip)]
    pub examples: Vec<Example>,
    /// Position in discovery order.
    #[serde(skip)]
    pub index: usize,
}

/// The whole result of a run, ready to be written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub rows: Vec<Row>,
    pub files: Vec<FileSummary>,
    pub totals: Accounting,
    /// Requests per service.
    pub requests: BTreeMap<Service, u64>,
}

impl Summary {
    /// Builds rows from per-service counts: sorted by service, then count descending,
    /// then code; `percent` is the share of that service's requests.
    pub fn build(
        counts: &BTreeMap<Service, CodeCounts>,
        files: Vec<FileSummary>,
        catalogue: &Catalogue,
        lang: Lang,
        details: bool,
    ) -> Summary {
        let mut rows = Vec::new();
        let mut requests = BTreeMap::new();
        for (&service, codes) in counts {
            let total: u64 = codes.values().sum();
            if total == 0 {
                continue;
            }
            requests.insert(service, total);
            let mut sorted: Vec<_> = codes.iter().collect();
            sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (k, &count) in sorted {
                let (s, sub, w) = (k.status.value(), k.substatus.value(), k.win32.value());
                let judged = Rules::builtin().judge(service, *k, None);
                rows.push(Row {
                    service,
                    status: k.status,
                    substatus: k.substatus,
                    win32_status: k.win32,
                    count,
                    percent: count as f64 * 100.0 / total as f64,
                    verdict: judged.verdict,
                    why: judged.why(lang).to_string(),
                    description: catalogue.describe(service, s, sub, w, lang),
                    causes: details.then(|| catalogue.causes(service, s, sub, lang)),
                });
            }
        }
        let mut totals = Accounting::default();
        for f in &files {
            totals.merge(&f.acct);
        }
        Summary {
            rows,
            files,
            totals,
            requests,
        }
    }

    /// HTTP.sys's rows are judged by their reasons, which its status triple does not
    /// hold: each HTTPERR row takes the gravest verdict among the reasons logged with its
    /// status (a `-` row of idle time-outs and one orphaned request is a fault).
    pub fn judge_httperr(&mut self, reasons: &[httperr::HttpErrRow]) {
        for row in self
            .rows
            .iter_mut()
            .filter(|r| r.service == Service::HttpErr)
        {
            let gravest = reasons
                .iter()
                .filter(|r| r.status.value() == row.status.value())
                .min_by(|a, b| a.verdict.cmp(&b.verdict).then(b.count.cmp(&a.count)));
            if let Some(r) = gravest {
                row.verdict = r.verdict;
                row.why = format!("{} ({})", r.why, r.reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::Codes;

    fn key(s: u32, sub: u32, w: u32) -> Codes {
        Codes {
            status: Code::Value(s),
            substatus: Code::Value(sub),
            win32: Code::Value(w),
        }
    }

    #[test]
    fn rows_sorted_and_percent_per_service() {
        let mut http = CodeCounts::default();
        http.insert(key(200, 0, 0), 6);
        http.insert(key(404, 0, 2), 3);
        http.insert(key(304, 0, 0), 3);
        let mut ftp = CodeCounts::default();
        ftp.insert(key(226, 0, 0), 1);
        let counts = BTreeMap::from([(Service::Ftp, ftp), (Service::Http, http)]);
        let s = Summary::build(&counts, Vec::new(), Catalogue::builtin(), Lang::En, false);
        let got: Vec<(Service, Code, u64, String)> = s
            .rows
            .iter()
            .map(|r| (r.service, r.status, r.count, format!("{:.2}", r.percent)))
            .collect();
        assert_eq!(
            got,
            vec![
                (Service::Http, Code::Value(200), 6, "50.00".into()),
                (Service::Http, Code::Value(304), 3, "25.00".into()),
                (Service::Http, Code::Value(404), 3, "25.00".into()),
                (Service::Ftp, Code::Value(226), 1, "100.00".into()),
            ]
        );
        assert_eq!(s.requests[&Service::Http], 12);
        assert!(s.rows.iter().all(|r| !r.description.is_empty()));
    }
}
