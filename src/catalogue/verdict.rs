//! Triage: one verdict for every counted row (service, status triple and, for HTTPERR,
//! the reason), with the reason in one short phrase: `ok` (served as asked), `noise`
//! (expected and harmless), `client` (the client's own mistake), `probe` (the shape of a
//! scan or an attack), `fault` (the server failed) or `unknown` (no rule applies).
//!
//! The rules are data, `catalogue/verdicts.tsv`: the first row that matches a row decides,
//! so specific rules (a win32 value that says the client left, whatever the status; a
//! handshake triple) stand above general ones (a class). Verdicts that depend on what a
//! day's requests looked like (a 404 on scanner paths, a burst of failed logons from one
//! client) are the report's to decide from what it saw: these rules see one row only.

use std::fmt;
use std::sync::OnceLock;

use super::table::TsvFile;
use super::Lang;
use crate::service::Service;
use crate::tally::{Code, Codes};

/// The verdict on a row.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    // In the order a reader should attend to them: faults first.
    /// The server failed.
    Fault,
    /// The shape of a scan or an attack.
    Probe,
    /// The client's own mistake.
    Client,
    /// No rule applies.
    Unknown,
    /// Expected and harmless.
    Noise,
    /// Served as asked.
    Ok,
}

impl Verdict {
    pub const ALL: [Verdict; 6] = [
        Verdict::Fault,
        Verdict::Probe,
        Verdict::Client,
        Verdict::Unknown,
        Verdict::Noise,
        Verdict::Ok,
    ];

    /// The name in output and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Noise => "noise",
            Verdict::Client => "client",
            Verdict::Probe => "probe",
            Verdict::Fault => "fault",
            Verdict::Unknown => "unknown",
        }
    }

    /// Parses a name as [`Verdict::name`] writes it, in any case.
    pub fn from_name(name: &str) -> Option<Verdict> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A verdict and why, as a rule gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement<'a> {
    pub verdict: Verdict,
    /// The reason in one short phrase, in each language (en, ja, nb).
    why: [&'a str; 3],
    /// Where the rule comes from (a Microsoft page or KB, an RFC).
    pub source: &'a str,
}

impl<'a> Judgement<'a> {
    pub fn why(&self, lang: Lang) -> &'a str {
        let i = match lang {
            Lang::En => 0,
            Lang::Ja => 1,
            Lang::Nb => 2,
        };
        // Every rule has all three (the tests check), but never show an empty reason.
        match self.why[i] {
            "" => self.why[0],
            text => text,
        }
    }
}

/// What one cell of a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    /// `*`: anything, logged or not.
    Any,
    /// `-`: logged empty, or not logged.
    Dash,
    /// `5xx`: a value of that class.
    Class(u32),
    Value(u32),
}

impl Pattern {
    fn parse(cell: &str) -> Result<Pattern, String> {
        match cell {
            "*" => Ok(Pattern::Any),
            "-" => Ok(Pattern::Dash),
            _ => {
                if let Some(class) = cell.strip_suffix("xx").filter(|c| c.len() == 1) {
                    return class
                        .parse()
                        .map(Pattern::Class)
                        .map_err(|_| format!("`{cell}` is no status class"));
                }
                cell.parse()
                    .map(Pattern::Value)
                    .map_err(|_| format!("`{cell}` is no code, class, `-` or `*`"))
            }
        }
    }

    fn matches(self, code: Code) -> bool {
        match (self, code) {
            (Pattern::Any, _) => true,
            (Pattern::Dash, Code::Empty | Code::NotLogged) => true,
            (Pattern::Class(c), Code::Value(v)) => v / 100 == c,
            (Pattern::Value(want), Code::Value(v)) => v == want,
            _ => false,
        }
    }
}

#[derive(Debug)]
struct Rule {
    service: Option<Service>,
    status: Pattern,
    substatus: Pattern,
    win32: Pattern,
    /// HTTPERR's `s-reason`, matched without regard to case; `None` for `*`.
    reason: Option<String>,
    verdict: Verdict,
    why: [String; 3],
    source: String,
}

/// The rules of `catalogue/verdicts.tsv`, in file order.
#[derive(Debug)]
pub struct Rules {
    rules: Vec<Rule>,
}

const VERDICTS: &str = include_str!("../../catalogue/verdicts.tsv");

/// What no rule covers.
const UNKNOWN: Judgement<'static> = Judgement {
    verdict: Verdict::Unknown,
    why: [
        "no rule applies",
        "該当する規則がありません",
        "ingen regel gjelder",
    ],
    source: "",
};

impl Rules {
    /// The built-in rules, parsed once. The data is compiled in and checked by the tests,
    /// so a parse error here is a build that should never have shipped.
    pub fn builtin() -> &'static Rules {
        static RULES: OnceLock<Rules> = OnceLock::new();
        RULES.get_or_init(|| match Rules::parse("verdicts.tsv", VERDICTS) {
            Ok(rules) => rules,
            Err(e) => panic!("the built-in catalogue/verdicts.tsv is damaged: {e}"),
        })
    }

    /// Parses a rules file (its name is for messages).
    pub fn parse(file: &'static str, text: &'static str) -> Result<Rules, String> {
        let tsv = TsvFile::parse(file, text)?;
        let col = |name: &str| tsv.column(name);
        let (service, status, substatus, win32, reason, verdict, en, ja, nb, source) = (
            col("service")?,
            col("status")?,
            col("substatus")?,
            col("win32")?,
            col("reason")?,
            col("verdict")?,
            col("en")?,
            col("ja")?,
            col("nb")?,
            col("source")?,
        );
        let mut rules = Vec::with_capacity(tsv.rows.len());
        for row in &tsv.rows {
            let at = |e: String| format!("{file}:{}: {e}", row.line);
            let service = match row.get(service).as_ref() {
                "*" => None,
                name => Some(
                    Service::from_name(name).ok_or_else(|| at(format!("no service `{name}`")))?,
                ),
            };
            let verdict_name = row.get(verdict);
            rules.push(Rule {
                service,
                status: Pattern::parse(row.get(status)).map_err(at)?,
                substatus: Pattern::parse(row.get(substatus)).map_err(at)?,
                win32: Pattern::parse(row.get(win32)).map_err(at)?,
                reason: match row.get(reason).as_ref() {
                    "*" => None,
                    r => Some(r.to_string()),
                },
                verdict: Verdict::from_name(verdict_name)
                    .ok_or_else(|| at(format!("no verdict `{verdict_name}`")))?,
                why: [
                    row.get(en).to_string(),
                    row.get(ja).to_string(),
                    row.get(nb).to_string(),
                ],
                source: row.get(source).to_string(),
            });
        }
        Ok(Rules { rules })
    }

    /// The verdict on a row: the first rule that matches it, else `unknown`. `reason` is
    /// HTTPERR's `s-reason` (`None` elsewhere).
    pub fn judge(&self, service: Service, codes: Codes, reason: Option<&str>) -> Judgement<'_> {
        self.rules
            .iter()
            .find(|r| {
                r.service.is_none_or(|s| s == service)
                    && r.status.matches(codes.status)
                    && r.substatus.matches(codes.substatus)
                    && r.win32.matches(codes.win32)
                    && r.reason
                        .as_deref()
                        .is_none_or(|want| reason.is_some_and(|got| got.eq_ignore_ascii_case(want)))
            })
            .map_or(UNKNOWN, |r| Judgement {
                verdict: r.verdict,
                why: [&r.why[0], &r.why[1], &r.why[2]],
                source: &r.source,
            })
    }

    /// How many rules there are.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(status: Code, substatus: Code, win32: Code) -> Codes {
        Codes {
            status,
            substatus,
            win32,
        }
    }
    use Code::{Empty, NotLogged, Value as V};

    fn verdict(service: Service, codes: Codes, reason: Option<&str>) -> Verdict {
        Rules::builtin().judge(service, codes, reason).verdict
    }

    #[test]
    fn every_rule_is_whole() {
        let rules = Rules::builtin();
        assert!(rules.len() > 40);
        for r in &rules.rules {
            for (i, why) in r.why.iter().enumerate() {
                assert!(!why.is_empty(), "{r:?}: reason {i} empty");
            }
            assert!(!r.source.is_empty(), "{r:?}: no source");
        }
    }

    /// The examples, each a fact of Microsoft's documentation: `401 2 5` then
    /// `401 1 2148074254` are the first legs of an NTLM/Negotiate handshake ("HOWTO:
    /// Diagnose 401.x HTTP errors on IIS"); win32 64 (ERROR_NETNAME_DELETED), 995
    /// (ERROR_OPERATION_ABORTED) and 1236 (ERROR_CONNECTION_ABORTED) say the connection
    /// went away, whatever the status (System Error Codes).
    #[test]
    fn handshakes_and_clients_that_left_are_noise() {
        assert_eq!(
            verdict(Service::Http, t(V(401), V(2), V(5)), None),
            Verdict::Noise
        );
        assert_eq!(
            verdict(Service::Http, t(V(401), V(1), V(2148074254)), None),
            Verdict::Noise
        );
        for win32 in [64, 995, 1236] {
            assert_eq!(
                verdict(Service::Http, t(V(500), V(0), V(win32)), None),
                Verdict::Noise,
                "500 0 {win32}"
            );
            assert_eq!(
                verdict(Service::Http, t(V(200), V(0), V(win32)), None),
                Verdict::Noise
            );
        }
        // A bad password is the client's mistake, not a handshake leg.
        assert_eq!(
            verdict(Service::Http, t(V(401), V(1), V(1326)), None),
            Verdict::Client
        );
    }

    #[test]
    fn classes_and_faults() {
        assert_eq!(
            verdict(Service::Http, t(V(200), V(0), V(0)), None),
            Verdict::Ok
        );
        assert_eq!(
            verdict(Service::Http, t(V(304), V(0), V(0)), None),
            Verdict::Ok
        );
        assert_eq!(
            verdict(Service::Http, t(V(404), V(0), V(2)), None),
            Verdict::Client
        );
        // 404.5: URL sequence denied by request filtering, the mark of path traversal.
        assert_eq!(
            verdict(Service::Http, t(V(404), V(5), V(0)), None),
            Verdict::Probe
        );
        assert_eq!(
            verdict(Service::Http, t(V(500), V(19), V(13)), None),
            Verdict::Fault
        );
        assert_eq!(
            verdict(Service::Http, t(V(503), V(2), V(0)), None),
            Verdict::Fault
        );
        assert_eq!(
            verdict(Service::Http, t(V(502), V(3), V(12002)), None),
            Verdict::Fault
        );
        // Not logged at all: no rule says anything.
        assert_eq!(
            verdict(Service::Http, t(NotLogged, NotLogged, NotLogged), None),
            Verdict::Unknown
        );
    }

    /// HTTPERR is judged by its reason ("Types of errors logged by the HTTP Server API").
    #[test]
    fn httperr_by_reason() {
        let dash = t(Empty, NotLogged, NotLogged);
        let s503 = t(V(503), NotLogged, NotLogged);
        assert_eq!(
            verdict(Service::HttpErr, dash, Some("Timer_ConnectionIdle")),
            Verdict::Noise
        );
        assert_eq!(
            verdict(Service::HttpErr, s503, Some("QueueFull")),
            Verdict::Fault
        );
        assert_eq!(
            verdict(Service::HttpErr, s503, Some("appoffline")),
            Verdict::Fault
        );
        assert_eq!(
            verdict(
                Service::HttpErr,
                dash,
                Some("Connection_Abandoned_By_AppPool")
            ),
            Verdict::Fault
        );
        assert_eq!(
            verdict(
                Service::HttpErr,
                t(V(400), NotLogged, NotLogged),
                Some("Hostname")
            ),
            Verdict::Client
        );
    }

    /// The same number means different things per service: FTP 530 is a refused logon
    /// (KB 969061), SMTP 421 a closed channel (RFC 5321).
    #[test]
    fn per_service() {
        assert_eq!(
            verdict(Service::Ftp, t(V(530), V(1), V(1326)), None),
            Verdict::Client
        );
        assert_eq!(
            verdict(Service::Ftp, t(V(226), V(0), V(0)), None),
            Verdict::Ok
        );
        assert_eq!(
            verdict(Service::Ftp, t(Empty, V(0), V(0)), None),
            Verdict::Noise
        );
        assert_eq!(
            verdict(Service::Smtp, t(V(421), NotLogged, V(0)), None),
            Verdict::Fault
        );
        assert_eq!(
            verdict(Service::Smtp, t(V(535), NotLogged, V(0)), None),
            Verdict::Client
        );
    }

    /// The README documents every rule, with its source, in the order they are tried.
    #[test]
    fn readme_lists_every_rule_in_order() {
        let readme = include_str!("../../README.md");
        let tsv = TsvFile::parse("verdicts.tsv", VERDICTS).unwrap();
        let cols: Vec<usize> = [
            "service",
            "status",
            "substatus",
            "win32",
            "reason",
            "verdict",
            "en",
            "source",
        ]
        .iter()
        .map(|c| tsv.column(c).unwrap())
        .collect();
        let mut from = 0;
        for row in &tsv.rows {
            let cell = |i: usize| row.get(cols[i]).replace('|', "\\|");
            let line = format!(
                "| {} | {} | {} | {} | {} | `{}` | {} | {} |",
                cell(0),
                cell(1),
                cell(2),
                cell(3),
                cell(4),
                cell(5),
                cell(6),
                cell(7)
            );
            match readme[from..].find(&line) {
                Some(at) => from += at + line.len(),
                None => panic!(
                    "README.md lacks (or misorders) the rule of line {}:\n{line}",
                    row.line
                ),
            }
        }
    }

    #[test]
    fn bad_rules_name_the_line() {
        let header = "service\tstatus\tsubstatus\twin32\treason\tverdict\ten\tja\tnb\tsource\n";
        let text: &'static str = Box::leak(
            format!(
                "{header}http\t2xx\t*\t*\t*\tok\ta\tb\tc\td\nhttp\t6x\t*\t*\t*\tok\ta\tb\tc\td\n"
            )
            .into_boxed_str(),
        );
        let e = Rules::parse("v.tsv", text).unwrap_err();
        assert!(e.starts_with("v.tsv:3:"), "{e}");
        let text: &'static str =
            Box::leak(format!("{header}http\t2xx\t*\t*\t*\tgood\ta\tb\tc\td\n").into_boxed_str());
        assert!(Rules::parse("v.tsv", text)
            .unwrap_err()
            .contains("no verdict"));
    }
}
