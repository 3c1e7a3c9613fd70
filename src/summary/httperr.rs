//! HTTP.sys's error log (`HTTPERR/httperr*.log`): besides the status, each row is counted
//! by `s-reason` and, for 503s, by `s-queuename` (the application pool). This sink runs
//! only for HTTPERR files, so the W3C HTTP loop does no extra work per line.

use std::collections::BTreeMap;

use crate::catalogue::verdict::{Rules, Verdict};
use crate::catalogue::{Catalogue, Lang};
use crate::format::request::Request;
use crate::format::w3c::Directive;
use crate::parse::chunk::ChunkSink;
use crate::parse::LineSink;
use crate::service::Service;
use crate::tally::{Code, Codes, SkipReason, Tally};

/// One HTTPERR count key: status, reason, queue (`-` unless the status is 503).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReasonKey {
    pub status: Code,
    pub reason: String,
    pub queue: String,
}

/// Counts per (status, reason, queue).
pub type ReasonCounts = BTreeMap<ReasonKey, u64>;

/// Adds `other` into `into`.
pub fn merge_reasons(into: &mut ReasonCounts, other: ReasonCounts) {
    for (k, v) in other {
        *into.entry(k).or_insert(0) += v;
    }
}

/// The `Tally` of an HTTPERR file plus its counts by reason and queue.
#[derive(Debug, Clone, Default)]
pub struct HttpErrTally {
    pub tally: Tally,
    pub reasons: ReasonCounts,
}

impl LineSink for HttpErrTally {
    fn request(&mut self, request: &Request<'_>) {
        let codes = request.codes();
        self.tally.request(codes);
        let reason = request.field("s-reason").unwrap_or(b"-");
        let queue = if codes.status == Code::Value(503) {
            request.field("s-queuename").unwrap_or(b"-")
        } else {
            b"-"
        };
        let key = ReasonKey {
            status: codes.status,
            reason: String::from_utf8_lossy(reason).into_owned(),
            queue: String::from_utf8_lossy(queue).into_owned(),
        };
        *self.reasons.entry(key).or_insert(0) += 1;
    }
    fn directive(&mut self, directive: Directive<'_>) {
        let _ = directive;
        self.tally.acct.directives += 1;
    }
    fn blank(&mut self) {
        self.tally.acct.blank += 1;
    }
    fn skip(&mut self, reason: SkipReason, line_no: u64) {
        self.tally.skip(reason, line_no);
    }
}

impl ChunkSink for HttpErrTally {
    fn fresh(&self) -> HttpErrTally {
        HttpErrTally::default()
    }
    fn tally_mut(&mut self) -> &mut Tally {
        &mut self.tally
    }
    fn absorb(&mut self, other: HttpErrTally, line_offset: u64) {
        self.tally.merge_shifted(other.tally, line_offset);
        merge_reasons(&mut self.reasons, other.reasons);
    }
}

/// One row of the HTTPERR section: a status, reason and queue with its count, its share
/// of the HTTPERR requests and the reason's meaning.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HttpErrRow {
    #[serde(serialize_with = "ser_code")]
    pub status: Code,
    pub reason: String,
    /// The application pool, for 503s; `-` otherwise.
    pub queue: String,
    pub count: u64,
    pub percent: f64,
    /// The verdict on the reason (see `catalogue::verdict`).
    pub verdict: Verdict,
    pub why: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub causes: Option<String>,
}

fn ser_code<S: serde::Serializer>(code: &Code, s: S) -> Result<S::Ok, S::Error> {
    match code {
        Code::Value(v) => s.serialize_u32(*v),
        Code::Empty | Code::NotLogged => s.serialize_none(),
    }
}

/// The HTTPERR rows, count descending, then status, reason and queue. The description is
/// the reason's meaning from the catalogue, else the status's.
pub fn rows(
    counts: &ReasonCounts,
    catalogue: &Catalogue,
    lang: Lang,
    details: bool,
) -> Vec<HttpErrRow> {
    let total: u64 = counts.values().sum();
    let mut sorted: Vec<_> = counts.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    sorted
        .into_iter()
        .map(|(k, &count)| {
            let entry = catalogue.reason(&k.reason);
            let status = k.status.value();
            let codes = Codes {
                status: k.status,
                substatus: Code::NotLogged,
                win32: Code::NotLogged,
            };
            let judged = Rules::builtin().judge(Service::HttpErr, codes, Some(&k.reason));
            HttpErrRow {
                status: k.status,
                reason: k.reason.clone(),
                queue: k.queue.clone(),
                count,
                percent: count as f64 * 100.0 / total as f64,
                verdict: judged.verdict,
                why: judged.why(lang).to_string(),
                description: match entry {
                    Some(e) => e.title(lang).to_string(),
                    None => catalogue.describe(Service::HttpErr, status, None, None, lang),
                },
                causes: details.then(|| match entry {
                    Some(e) => e.causes(lang).to_string(),
                    None => catalogue.causes(Service::HttpErr, status, None, lang),
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::chunk::scan_bytes;
    use crate::parse::Header;

    const LOG: &[u8] = b"#Software: Microsoft HTTP API 2.0\r\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\r\n\
2026-11-23 00:00:12 10.0.0.9 6021 10.0.0.5 443 - - - - - Timer_ConnectionIdle -\r\n\
2026-11-23 01:10:03 10.0.0.9 4983 10.0.0.5 443 HTTP/1.1 GET /a 503 2 QueueFull Pool1\r\n\
2026-11-23 01:10:04 10.0.0.9 4984 10.0.0.5 443 HTTP/1.1 GET /a 503 2 QueueFull Pool1\r\n\
2026-11-23 01:10:05 10.0.0.9 4985 10.0.0.5 443 HTTP/1.1 GET /b - 2 Connection_Dropped Pool1\r\n\
2026-11-23 01:10:06 10.0.0.9 4986 10.0.0.5 443 HTTP/1.1 GET /b 400 - BadRequest -\r\n";

    fn key(status: Code, reason: &str, queue: &str) -> ReasonKey {
        ReasonKey {
            status,
            reason: reason.into(),
            queue: queue.into(),
        }
    }

    /// Worked out by hand: the queue is kept for the 503s only; every chunk size agrees.
    #[test]
    fn by_reason_and_queue_at_every_chunk_size() {
        for chunk in 1..=LOG.len() {
            let (t, _) = scan_bytes(LOG, &Header::None, chunk, &|_| {}, &HttpErrTally::default());
            assert_eq!((t.tally.acct.lines, t.tally.acct.requests), (7, 5));
            assert!(t.tally.acct.is_balanced());
            let got: Vec<(ReasonKey, u64)> = t.reasons.into_iter().collect();
            assert_eq!(
                got,
                vec![
                    (key(Code::Value(400), "BadRequest", "-"), 1),
                    (key(Code::Value(503), "QueueFull", "Pool1"), 2),
                    (key(Code::Empty, "Connection_Dropped", "-"), 1),
                    (key(Code::Empty, "Timer_ConnectionIdle", "-"), 1),
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn rows_sorted_with_reason_meanings() {
        let mut counts = ReasonCounts::new();
        counts.insert(key(Code::Empty, "Timer_ConnectionIdle", "-"), 2);
        counts.insert(key(Code::Value(503), "QueueFull", "Pool1"), 2);
        counts.insert(key(Code::Value(400), "NoSuchReason", "-"), 1);
        let r = rows(&counts, Catalogue::builtin(), Lang::En, true);
        let got: Vec<(&str, u64, String)> = r
            .iter()
            .map(|r| (r.reason.as_str(), r.count, format!("{:.2}", r.percent)))
            .collect();
        assert_eq!(
            got,
            [
                ("QueueFull", 2, "40.00".to_string()),
                ("Timer_ConnectionIdle", 2, "40.00".to_string()),
                ("NoSuchReason", 1, "20.00".to_string()),
            ]
        );
        assert!(r[0].description.contains("queue is full"), "{:?}", r[0]);
        assert!(r[1].description.contains("idle connection"), "{:?}", r[1]);
        // An unknown reason falls back to the status's meaning.
        assert_eq!(r[2].description, "Bad request");
        assert!(r[0]
            .causes
            .as_deref()
            .is_some_and(|c| c.contains("queueLength")));
    }

    /// A block that does not log `s-queuename` (or `s-reason`) counts its rows under `-`.
    #[test]
    fn fields_not_logged_are_dashes() {
        let log = b"#Fields: date time c-ip sc-status s-reason\n2026-11-23 00:00:00 10.0.0.9 503 QueueFull\n#Fields: date time sc-status\n2026-11-23 00:00:01 400\n";
        let (t, _) = crate::parse::chunk::scan_bytes(
            log,
            &crate::parse::Header::None,
            usize::MAX,
            &|_| {},
            &HttpErrTally::default(),
        );
        let key = |status: u32, reason: &str| ReasonKey {
            status: Code::Value(status),
            reason: reason.to_string(),
            queue: "-".to_string(),
        };
        assert_eq!(t.reasons.get(&key(503, "QueueFull")), Some(&1));
        assert_eq!(t.reasons.get(&key(400, "-")), Some(&1));
    }
}
