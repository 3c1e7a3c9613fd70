//! The report's part of triage. The catalogue's rules judge a row by its codes alone; a
//! report has seen the day's requests too, and two verdicts depend on them:
//! - a 404 is `probe` when at least a third of the requests its top URL list counted are
//!   on paths scanners try (`catalogue/scanner-paths.txt`: `/wp-login.php`, `/.env`...),
//!   else `client`;
//! - a refused logon (HTTP 401 with win32 1326, FTP 530, SMTP 535) is `probe` when one
//!   client made at least [`BURST`] of them that day, else `client`.
//!
//! The reason then says what was seen ("scanner paths: /wp-login.php, /.env").

use std::sync::OnceLock;

use crate::catalogue::verdict::{Rules, Verdict};
use crate::catalogue::{Catalogue, Lang};
use crate::collect::{DayTally, ReportDay};
use crate::service::Service;
use crate::summary::Summary;
use crate::tally::{Code, Codes};

/// Failed logons from one client in one day that make a burst: more than a person
/// mistyping a password, fewer than any password-guessing tool sends.
pub const BURST: u64 = 20;

/// The share of a 404's counted requests on scanner paths that makes it a probe.
const SCANNER_SHARE: (u64, u64) = (1, 3);

const SCANNER_PATHS: &str = include_str!("../../catalogue/scanner-paths.txt");

/// The path prefixes of `catalogue/scanner-paths.txt`, lower-cased.
fn scanner_paths() -> &'static [String] {
    static PATHS: OnceLock<Vec<String>> = OnceLock::new();
    PATHS.get_or_init(|| {
        SCANNER_PATHS
            .lines()
            .filter_map(|l| l.split('#').next())
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    })
}

/// Whether a URI stem starts with a path scanners try.
pub fn is_scanner_path(uri: &str) -> bool {
    let uri = uri.to_ascii_lowercase();
    scanner_paths().iter().any(|p| {
        uri.strip_prefix(p.as_str())
            // A whole segment: `/wp-admin/x` and `/wp-admin` match, `/wp-administrator` not.
            .is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('/') || p.ends_with('/') || p.contains('.')
            })
    })
}

/// A verdict and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub verdict: Verdict,
    pub why: String,
    /// Decided from the day's requests rather than by the rules alone.
    pub from_day: bool,
}

/// The verdict on a row of a day: the catalogue's rules, and for the two cases above
/// what the day's top lists show. `day` is the service's tally for the day.
pub fn judge(service: Service, codes: Codes, day: Option<&DayTally>, lang: Lang) -> Judged {
    let rules = Rules::builtin().judge(service, codes, None);
    let by_rules = Judged {
        verdict: rules.verdict,
        why: rules.why(lang).to_string(),
        from_day: false,
    };
    let Some(day) = day.filter(|_| rules.verdict == Verdict::Client) else {
        return by_rules;
    };
    let (Code::Value(status), sub) = (codes.status, codes.substatus) else {
        return by_rules;
    };
    let text = |key: &str| Catalogue::builtin().text(key, lang);
    if service == Service::Http && status == 404 {
        if let Some(pair) = day.top.get(&(404, sub)) {
            let listed = pair.uris.sorted();
            let mut hits = 0;
            let mut paths: Vec<&str> = Vec::new();
            for c in &listed {
                if is_scanner_path(&c.value) {
                    hits += c.count;
                    if paths.len() < 3 {
                        paths.push(&c.value);
                    }
                }
            }
            let (num, den) = SCANNER_SHARE;
            if hits > 0 && hits * den >= pair.uris.total * num {
                return Judged {
                    verdict: Verdict::Probe,
                    why: text("probe_scanner_paths").replace("{paths}", &paths.join(", ")),
                    from_day: true,
                };
            }
        }
        return by_rules;
    }
    let logon = match service {
        Service::Http => status == 401 && codes.win32 == Code::Value(1326),
        Service::Ftp => status == 530,
        Service::Smtp => status == 535,
        Service::HttpErr => false,
    };
    if logon {
        // The top clients of the status and substatus, and no more than the row holds.
        let row: u64 = day
            .codes
            .iter()
            .filter(|((_, c), _)| *c == codes)
            .map(|(_, n)| n)
            .sum();
        let top = day
            .top
            .get(&(status, sub))
            .and_then(|pair| pair.ips.sorted().into_iter().next());
        if let Some(top) = top {
            let count = top.count.min(row);
            if count >= BURST {
                return Judged {
                    verdict: Verdict::Probe,
                    why: text("probe_logon_burst")
                        .replace("{count}", &count.to_string())
                        .replace("{client}", &top.value),
                    from_day: true,
                };
            }
        }
    }
    by_rules
}

/// Judges the rows of a day's summary again with what the day showed.
pub fn judge_summary(summary: &mut Summary, day: &ReportDay, lang: Lang) {
    let days = day.by_service();
    for row in &mut summary.rows {
        let codes = Codes {
            status: row.status,
            substatus: row.substatus,
            win32: row.win32_status,
        };
        let judged = judge(
            row.service,
            codes,
            days.get(&row.service).map(|t| &**t),
            lang,
        );
        if judged.from_day {
            row.verdict = judged.verdict;
            row.why = judged.why;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(status: u32, sub: u32, win32: u32) -> Codes {
        Codes {
            status: Code::Value(status),
            substatus: Code::Value(sub),
            win32: Code::Value(win32),
        }
    }

    /// A day of `(uri, ip, count)` requests of one triple.
    fn day(triple: Codes, requests: &[(&str, &str, u64)]) -> DayTally {
        let mut t = DayTally::default();
        let (Code::Value(status), sub) = (triple.status, triple.substatus) else {
            unreachable!()
        };
        let pair = t.top.entry((status, sub)).or_default();
        for &(uri, ip, n) in requests {
            for _ in 0..n {
                pair.uris.add_text(uri);
                pair.ips.add(ip.as_bytes());
            }
        }
        let total: u64 = requests.iter().map(|r| r.2).sum();
        t.codes.insert(("W3SVC1".to_string(), triple), total);
        t
    }

    #[test]
    fn scanner_paths_match_whole_segments() {
        assert!(is_scanner_path("/wp-login.php"));
        assert!(is_scanner_path("/WP-ADMIN/setup-config.php"));
        assert!(is_scanner_path("/.env"));
        assert!(is_scanner_path("/.git/config"));
        assert!(!is_scanner_path("/wp-administrators-guide.html"));
        assert!(!is_scanner_path("/products/wp-login.php"));
        assert!(!is_scanner_path("/index.html"));
    }

    /// Hand-made days: the 404s of a scan, and the 404s of a site's own broken links.
    #[test]
    fn a_404_on_scanner_paths_is_a_probe_on_ordinary_pages_the_clients() {
        let t = codes(404, 0, 2);
        let scan = day(
            t,
            &[
                ("/wp-login.php", "203.0.113.9", 6),
                ("/.env", "203.0.113.9", 3),
                ("/old.html", "10.0.0.1", 2),
            ],
        );
        let j = judge(Service::Http, t, Some(&scan), Lang::En);
        assert_eq!(j.verdict, Verdict::Probe);
        assert_eq!(j.why, "scanner paths: /wp-login.php, /.env");
        let broken = day(
            t,
            &[
                ("/old.html", "10.0.0.1", 8),
                ("/img/logo.gif", "10.0.0.2", 3),
                ("/.env", "203.0.113.9", 1),
            ],
        );
        // 1 of 12 on a scanner path: less than a third.
        assert_eq!(
            judge(Service::Http, t, Some(&broken), Lang::En).verdict,
            Verdict::Client
        );
        // Without the day, the rules alone.
        assert_eq!(
            judge(Service::Http, t, None, Lang::En).verdict,
            Verdict::Client
        );
    }

    /// 20 failed logons from one address in a day is a burst; 19 is not.
    #[test]
    fn failed_logons_in_a_burst_are_a_probe() {
        let t = codes(401, 1, 1326);
        let burst = day(
            t,
            &[("/owa/", "198.51.100.7", BURST), ("/owa/", "10.0.0.5", 2)],
        );
        let j = judge(Service::Http, t, Some(&burst), Lang::En);
        assert_eq!(j.verdict, Verdict::Probe);
        assert_eq!(j.why, format!("{BURST} failed logons from 198.51.100.7"));
        let few = day(t, &[("/owa/", "198.51.100.7", BURST - 1)]);
        assert_eq!(
            judge(Service::Http, t, Some(&few), Lang::En).verdict,
            Verdict::Client
        );
        let ftp = codes(530, 41, 1326);
        let ftp_day = day(ftp, &[("-", "198.51.100.8", 40)]);
        assert_eq!(
            judge(Service::Ftp, ftp, Some(&ftp_day), Lang::En).verdict,
            Verdict::Probe
        );
        // The handshake is noise whatever the day holds.
        let leg = codes(401, 1, 2148074254);
        let legs = day(leg, &[("/", "10.0.0.5", 500)]);
        assert_eq!(
            judge(Service::Http, leg, Some(&legs), Lang::En).verdict,
            Verdict::Noise
        );
    }

    #[test]
    fn reasons_are_translated() {
        let t = codes(404, 0, 2);
        let scan = day(t, &[("/wp-login.php", "203.0.113.9", 6)]);
        let ja = judge(Service::Http, t, Some(&scan), Lang::Ja).why;
        assert!(
            ja.contains("/wp-login.php") && !ja.contains("scanner"),
            "{ja}"
        );
        let nb = judge(Service::Http, t, Some(&scan), Lang::Nb).why;
        assert!(nb.starts_with("stier"), "{nb}");
    }
}
