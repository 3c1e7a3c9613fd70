//! Alert rules (`--fail-on`): `[SERVICE:]WHAT>LIMIT`. WHAT is a class, code or
//! code.substatus (`5xx`, `503`, `500.19`) or a verdict (`fault`, `probe`...); SERVICE is
//! `http`, `ftp`, `smtp` or `httperr`. A bare class or code means http (FTP's 530, a
//! wrong password, is no HTTP 5xx); a bare verdict means every service together. LIMIT
//! is a share of the requests (of the service's, or of all for a bare verdict:
//! `5xx>2%`), a count (`ftp:530>100`, `500.19>0`, `probe>500`), or, with a history, a
//! multiple of the median share of the previous 7 days (`5xx>3x`); `new` trips on a 4xx
//! or 5xx status triple not seen in the previous 30 days (`new:5xx`, `new:ftp:530`,
//! `new:fault`, `new:all` choose which);
//! `requests<1000` and, with a history, `requests<0.5x` (under
//! half the median of the previous 7 days with requests) trip on a day with too few
//! requests, a day no log holds a line for included: logs that stopped arriving. A
//! tripped rule makes the run exit 3.
//!
//! A verdict rule counts the day's rows by the verdicts its report shows (a 404 on
//! scanner paths is `probe` there): the caller passes them in, see [`day_verdicts`]. The
//! days of the baseline are judged by the catalogue's rules alone: the history keeps
//! counts, not verdicts.
//!
//! Every figure is checked when the rule is read: a percent is 0 to 100, a multiple a
//! finite number of at least 0, a count a whole number; `5xx>NaN%` would never trip, so it
//! is refused rather than kept as a rule that cannot fire.

use std::collections::BTreeMap;
use std::fmt;

use crate::catalogue::verdict::{Rules, Verdict};
use crate::catalogue::Lang;
use crate::collect::ReportDay;
use crate::days::{day_text, Day};
use crate::history::{Baseline, DayCounts};
use crate::report::write;
use crate::service::Service;
use crate::summary::code_text;
use crate::tally::{Code, Codes};

/// What a rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selector {
    /// `5xx`: the class digit.
    Class(u32),
    Status(u32),
    StatusSub(u32, u32),
}

impl Selector {
    /// `5xx`, `503` or `500.19`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Selector, &'static str> {
        let sel_l = text.to_ascii_lowercase();
        let status = |s: &str| match s.parse::<u32>() {
            Ok(v) if STATUSES.contains(&v) => Ok(v),
            Ok(_) => Err("a status is 100 to 999"),
            Err(_) => Err("the status is not a number"),
        };
        Ok(if let Some(d) = sel_l.strip_suffix("xx") {
            match d.parse::<u32>() {
                Ok(d @ 1..=5) => Selector::Class(d),
                _ => return Err("a class is 1xx to 5xx"),
            }
        } else if let Some((s, sub)) = sel_l.split_once('.') {
            Selector::StatusSub(
                status(s)?,
                sub.parse()
                    .map_err(|_| "the substatus is not a whole number")?,
            )
        } else {
            Selector::Status(status(&sel_l)?)
        })
    }

    pub fn matches(self, c: &Codes) -> bool {
        let Code::Value(s) = c.status else {
            return false;
        };
        match self {
            Selector::Class(d) => s / 100 == d,
            Selector::Status(x) => s == x,
            Selector::StatusSub(x, sub) => s == x && c.substatus == Code::Value(sub),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Class(d) => write!(f, "{d}xx"),
            Selector::Status(s) => write!(f, "{s}"),
            Selector::StatusSub(s, sub) => write!(f, "{s}.{sub}"),
        }
    }
}

/// The verdict of each row (service and status triple) of a day, as its report shows it.
pub type Verdicts = BTreeMap<(Service, Codes), Verdict>;

/// What a rule counts on one service, or on all: codes, or rows of a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Codes(Selector),
    Verdict(Verdict),
}

/// `[SERVICE:]WHAT`: codes always belong to one service (http when none is named: the
/// same number means something else on FTP or SMTP); a verdict to one or (`None`) all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub service: Option<Service>,
    pub what: What,
}

impl Target {
    /// `5xx`, `ftp:530`, `fault`, `smtp:probe`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Target, &'static str> {
        let (service, what) = match text.split_once(':') {
            Some((name, what)) => (
                Some(Service::from_name(name).ok_or(
                    "the service before ':' is http, ftp, smtp or httperr (e.g. ftp:530>100)",
                )?),
                what,
            ),
            None => (None, text),
        };
        let what = if let Some(v) = Verdict::from_name(what) {
            What::Verdict(v)
        } else if what.starts_with(|c: char| c.is_ascii_digit()) {
            What::Codes(Selector::parse(what)?)
        } else {
            return Err("give a class (5xx), a code (503), code.substatus (500.19) or a verdict: fault, probe, client, noise, ok or unknown");
        };
        Ok(match what {
            What::Codes(_) => Target {
                service: Some(service.unwrap_or(Service::Http)),
                what,
            },
            What::Verdict(_) => Target { service, what },
        })
    }

    /// Whether the target counts this service's rows at all (its share is of these).
    pub fn covers(self, service: Service) -> bool {
        self.service.is_none_or(|s| s == service)
    }

    /// Whether a row counts; `verdict` gives the row's, asked only by a verdict target.
    fn matches(self, service: Service, codes: &Codes, verdict: impl FnOnce() -> Verdict) -> bool {
        self.covers(service)
            && match self.what {
                What::Codes(sel) => sel.matches(codes),
                What::Verdict(v) => verdict() == v,
            }
    }

    /// How the figures name the requests a percent is of: the service's (`http requests`
    /// for `5xx`, which no longer counts FTP's), or all for a bare verdict.
    fn requests(self) -> String {
        match self.service {
            Some(s) => format!("{s} requests"),
            None => "requests".to_string(),
        }
    }
}

impl fmt::Display for Target {
    /// As written, with `http:` left out before codes (a bare code means http; rules
    /// written before services keep their text: `5xx>2%`), never before a verdict.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.service, self.what) {
            (Some(Service::Http), What::Codes(sel)) => write!(f, "{sel}"),
            (Some(s), What::Codes(sel)) => write!(f, "{s}:{sel}"),
            (Some(s), What::Verdict(v)) => write!(f, "{s}:{v}"),
            (None, What::Verdict(v)) => write!(f, "{v}"),
            // `parse` gives codes a service; shown bare, they read as http's.
            (None, What::Codes(sel)) => write!(f, "{sel}"),
        }
    }
}

/// The threshold of a rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// More than this many requests.
    Count(u64),
    /// More than this percent of the day's requests (of the rule's service).
    Percent(f64),
    /// More than this multiple of the median share of the previous 7 days.
    Times(f64),
}

/// Which new triples a `new` rule trips on: `new:WHAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// `new`: 4xx and 5xx of every service. A new 2xx or 3xx triple (`200 0 64`, a
    /// client gone mid-reply; `301 0 0`) is no fault; nor is a row without a status.
    Errors,
    /// `new:5xx`, `new:503`, `new:500.19` (http), `new:ftp:530`, `new:fault`,
    /// `new:smtp:probe`.
    Target(Target),
    /// `new:all`: every triple, whatever its status.
    All,
}

impl Watch {
    /// The part after `new:`.
    fn parse(text: &str) -> Result<Watch, &'static str> {
        if text.eq_ignore_ascii_case("all") {
            return Ok(Watch::All);
        }
        Target::parse(text).map(Watch::Target).map_err(|e| {
            if e.starts_with("the service") {
                e
            } else {
                "after new: give a class (5xx), a code (503), code.substatus (500.19), a verdict (fault), each optionally after a service (ftp:530), or all"
            }
        })
    }

    fn matches(self, service: Service, c: &Codes, verdict: impl FnOnce() -> Verdict) -> bool {
        match self {
            Watch::Errors => Selector::Class(4).matches(c) || Selector::Class(5).matches(c),
            Watch::Target(t) => t.matches(service, c, verdict),
            Watch::All => true,
        }
    }
}

/// One `--fail-on` rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Above(Target, Limit),
    /// A status triple, of those watched, not seen in the previous 30 days.
    New(Watch),
    /// Fewer requests than a count (`requests<1000`), or than a multiple of the median
    /// of the previous 7 days with requests (`requests<0.5x`); never a percent.
    FewRequests(Limit),
}

/// Statuses a rule can name: every protocol IIS logs uses three digits.
const STATUSES: std::ops::RangeInclusive<u32> = 100..=999;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--fail-on {rule:?}: {why}; examples: \"5xx>2%\" (http; in a .bat file 5xx>2pct), \"503>100\", \"500.19>0\", \"ftp:530>100\", \"fault>1%\", \"probe>500\", \"5xx>3x\", new, new:5xx, new:fault, \"requests<1000\", \"requests<0.5x\""
)]
pub struct RuleError {
    pub rule: String,
    pub why: &'static str,
}

impl Rule {
    pub fn parse(text: &str) -> Result<Rule, RuleError> {
        let err = |why| RuleError {
            rule: text.to_string(),
            why,
        };
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if t.eq_ignore_ascii_case("new") {
            return Ok(Rule::New(Watch::Errors));
        }
        if let Some((head, what)) = t.split_once(':') {
            if head.eq_ignore_ascii_case("new") {
                return Watch::parse(what).map(Rule::New).map_err(err);
            }
        }
        if let Some((what, lim)) = t.split_once('<') {
            if !what.eq_ignore_ascii_case("requests") {
                return Err(err("only `requests` takes '<', e.g. requests<1000"));
            }
            return match parse_limit(lim).map_err(err)? {
                Limit::Percent(_) => Err(err(
                    "requests<N takes a count or a multiple (0.5x), not a percent",
                )),
                limit => Ok(Rule::FewRequests(limit)),
            };
        }
        let (sel, lim) = t
            .split_once('>')
            .ok_or(err("no '>' (or '<' after requests)"))?;
        let target = Target::parse(sel).map_err(err)?;
        Ok(Rule::Above(target, parse_limit(lim).map_err(err)?))
    }

    /// Whether the rule needs a history (`--db`).
    pub fn needs_history(&self) -> bool {
        matches!(
            self,
            Rule::New(_) | Rule::Above(_, Limit::Times(_)) | Rule::FewRequests(Limit::Times(_))
        )
    }

    /// Whether the rule judges a day's number of requests, which only a whole day has:
    /// it is not checked on the day in progress, and it is the one kind of rule a day
    /// without lines can trip.
    pub fn counts_requests(&self) -> bool {
        matches!(self, Rule::FewRequests(_))
    }

    /// Whether the rule counts rows by verdict, so the day's verdicts are needed.
    pub fn judges_verdicts(&self) -> bool {
        let t = match self {
            Rule::Above(t, _) | Rule::New(Watch::Target(t)) => t,
            _ => return false,
        };
        matches!(t.what, What::Verdict(_))
    }
}

/// `N%`, `Nx` or `N`, each checked: a percent 0 to 100, a multiple finite and at least 0,
/// a count a whole number. Rust's float parser takes `NaN`, `inf` and `1e999`: none of
/// them is a threshold.
fn parse_limit(lim: &str) -> Result<Limit, &'static str> {
    // `%` is eaten in a .bat file (`5xx>2%` runs as `5xx>2`): `pct` says the same.
    let lim = lim.to_ascii_lowercase();
    let lim = match lim.strip_suffix("pct") {
        Some(p) => format!("{p}%"),
        None => lim,
    };
    if let Some(p) = lim.strip_suffix('%') {
        match p.parse::<f64>() {
            Ok(p) if (0.0..=100.0).contains(&p) => Ok(Limit::Percent(p)),
            Ok(_) => Err("a percent is a number from 0 to 100"),
            Err(_) => Err("the percent is not a number"),
        }
    } else if let Some(x) = lim.strip_suffix(['x', 'X']) {
        match x.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(Limit::Times(x)),
            Ok(_) => Err("a multiple is a finite number, at least 0"),
            Err(_) => Err("the multiple is not a number"),
        }
    } else {
        lim.parse()
            .map(Limit::Count)
            .map_err(|_| "the count is not a whole number (0 or more)")
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::New(Watch::Errors) => f.write_str("new"),
            Rule::New(Watch::Target(t)) => write!(f, "new:{t}"),
            Rule::New(Watch::All) => f.write_str("new:all"),
            Rule::Above(s, Limit::Count(n)) => write!(f, "{s}>{n}"),
            Rule::Above(s, Limit::Percent(p)) => write!(f, "{s}>{p}%"),
            Rule::Above(s, Limit::Times(x)) => write!(f, "{s}>{x}x"),
            Rule::FewRequests(Limit::Times(x)) => write!(f, "requests<{x}x"),
            Rule::FewRequests(Limit::Count(n)) => write!(f, "requests<{n}"),
            Rule::FewRequests(Limit::Percent(p)) => write!(f, "requests<{p}%"),
        }
    }
}

/// A rule that tripped, with its figures: on one day, or on each day of a run of days
/// no log holds a line for (`last` after `day`), which trip alike.
#[derive(Debug, Clone, PartialEq)]
pub struct Tripped {
    pub rule: String,
    pub day: Day,
    /// The last day of the run (`day` itself for one day).
    pub last: Day,
    pub figures: String,
}

impl fmt::Display for Tripped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.last > self.day {
            write!(
                f,
                "{} on each day from {} to {} ({} days): {}",
                self.rule,
                day_text(self.day),
                day_text(self.last),
                i64::from(self.last) - i64::from(self.day) + 1,
                self.figures
            )
        } else {
            write!(
                f,
                "{} on {}: {}",
                self.rule,
                day_text(self.day),
                self.figures
            )
        }
    }
}

/// The median of some numbers (the mean of the middle two for an even count).
fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The verdict of a row: the day's, as its report shows it, else (a day of the baseline,
/// or a row the lookup lacks) the catalogue's rules alone.
fn verdict_of(verdicts: &Verdicts, key: &(Service, Codes)) -> Verdict {
    verdicts
        .get(key)
        .copied()
        .unwrap_or_else(|| Rules::builtin().judge(key.0, key.1, None).verdict)
}

/// The requests a target counts on a day, and the requests of its service (of all
/// services for a bare verdict): what its percent is of.
fn share(counts: &DayCounts, target: Target, verdicts: &Verdicts) -> (u64, u64) {
    let mut hit = 0;
    let mut total = 0;
    for (key, &n) in counts {
        if target.covers(key.0) {
            total += n;
            if target.matches(key.0, &key.1, || verdict_of(verdicts, key)) {
                hit += n;
            }
        }
    }
    (hit, total)
}

/// The verdicts `report` shows for the rows of `rd` when one of `rules` counts by
/// verdict (none otherwise: judging costs a summary): the catalogue's rules, then what
/// the day showed (`triage::judge_summary`: a 404 on scanner paths, a burst of failed
/// logons), and for HTTPERR rows the gravest verdict of the reasons logged with their
/// status (`Summary::judge_httperr`): [`write::day_summary`]'s, as summary.csv has them.
pub fn day_verdicts(rules: &[Rule], rd: &ReportDay) -> Verdicts {
    if !rules.iter().any(Rule::judges_verdicts) {
        return Verdicts::new();
    }
    // Verdicts do not depend on the language; the reasons are not kept.
    write::day_summary(rd, Lang::En)
        .rows
        .iter()
        .map(|r| {
            let codes = Codes {
                status: r.status,
                substatus: r.substatus,
                win32: r.win32_status,
            };
            ((r.service, codes), r.verdict)
        })
        .collect()
}

/// Checks `rules` against one day; `verdicts` are the day's as its report shows them
/// ([`day_verdicts`]; a row missing there is judged by the catalogue's rules alone, as
/// every day of `baseline` is: the history keeps no verdict). `baseline` is `None`
/// without a history.
pub fn check(
    rules: &[Rule],
    day: Day,
    counts: &DayCounts,
    verdicts: &Verdicts,
    baseline: Option<&Baseline>,
) -> Vec<Tripped> {
    // The days of the baseline: the rules alone.
    let by_rules = Verdicts::new();
    let mut out = Vec::new();
    for rule in rules {
        let trip = |figures: String| Tripped {
            rule: rule.to_string(),
            day,
            last: day,
            figures,
        };
        match *rule {
            Rule::New(watch) => {
                // With no earlier day in the history, everything would be "new".
                let Some(b) = baseline.filter(|b| !b.seen30.is_empty()) else {
                    continue;
                };
                let new: Vec<String> = counts
                    .iter()
                    .filter(|(k, _)| {
                        watch.matches(k.0, &k.1, || verdict_of(verdicts, k))
                            && !b.seen30.contains(k)
                    })
                    .map(|((s, c), n)| {
                        format!(
                            "{} {} {} {} ({n})",
                            s.name(),
                            code_text(c.status),
                            code_text(c.substatus),
                            code_text(c.win32)
                        )
                    })
                    .collect();
                if !new.is_empty() {
                    out.push(trip(format!(
                        "not seen in the previous 30 days: {}",
                        new.join(", ")
                    )));
                }
            }
            Rule::Above(sel, limit) => {
                let (hit, total) = share(counts, sel, verdicts);
                let of = sel.requests();
                let pct = if total == 0 {
                    0.0
                } else {
                    hit as f64 * 100.0 / total as f64
                };
                match limit {
                    Limit::Count(n) if hit > n => {
                        out.push(trip(format!("{hit} {sel} requests (limit {n})")));
                    }
                    Limit::Percent(p) if pct > p => out.push(trip(format!(
                        "{sel} were {pct:.2}% of {total} {of} ({hit}; limit {p}%)"
                    ))),
                    Limit::Times(x) => {
                        let Some(b) = baseline else { continue };
                        let shares: Vec<f64> = b
                            .prev7
                            .iter()
                            .map(|d| share(d, sel, &by_rules))
                            .filter(|&(_, t)| t > 0)
                            .map(|(h, t)| h as f64 * 100.0 / t as f64)
                            .collect();
                        let n = shares.len();
                        let Some(median) = median(shares) else {
                            continue;
                        };
                        if pct > x * median && hit > 0 {
                            out.push(trip(format!(
                                "{sel} were {pct:.2}% of {total} {of} ({hit}), over {x} x the median {median:.2}% of the previous {n} days"
                            )));
                        }
                    }
                    _ => {}
                }
            }
            Rule::FewRequests(limit) => {
                let total: u64 = counts.values().sum();
                let what = if total == 0 {
                    "0 requests: no log holds a line for this day".to_string()
                } else {
                    format!("{total} requests")
                };
                match limit {
                    Limit::Count(n) if total < n => {
                        out.push(trip(format!("{what} (limit: at least {n})")));
                    }
                    Limit::Times(x) => {
                        // The first day of a history has nothing to compare with.
                        let Some(b) = baseline else { continue };
                        let n = b.prev_totals.len();
                        let Some(median) =
                            median(b.prev_totals.iter().map(|&t| t as f64).collect())
                        else {
                            continue;
                        };
                        if (total as f64) < x * median {
                            out.push(trip(format!(
                                "{what}, under {x} x the median {median} of the previous {n} days with requests"
                            )));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// Checks `rules` on a run of days no log holds a line for, `first` to `last`, at once:
/// such days trip alike, and a range may span centuries. `baseline` is the history
/// before `first` (the same for every day of the run: none of them adds a day with
/// requests), `None` without a history. Only `requests<` rules can trip on them.
pub fn check_empty(
    rules: &[Rule],
    first: Day,
    last: Day,
    baseline: Option<&Baseline>,
) -> Vec<Tripped> {
    let mut tripped = check(rules, first, &DayCounts::new(), &Verdicts::new(), baseline);
    for t in &mut tripped {
        t.last = last;
    }
    tripped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Service;

    /// No day verdicts: every row judged by the catalogue's rules alone.
    const NO: Verdicts = Verdicts::new();

    /// Codes of http, as a bare class or code means.
    fn http(sel: Selector) -> Target {
        Target {
            service: Some(Service::Http),
            what: What::Codes(sel),
        }
    }

    fn c(s: u32, sub: u32) -> (Service, Codes) {
        (
            Service::Http,
            Codes {
                status: Code::Value(s),
                substatus: Code::Value(sub),
                win32: Code::Value(0),
            },
        )
    }

    #[test]
    fn parses() {
        assert_eq!(
            Rule::parse("5xx>2%").unwrap(),
            Rule::Above(http(Selector::Class(5)), Limit::Percent(2.0))
        );
        assert_eq!(
            Rule::parse(" 503 > 100 ").unwrap(),
            Rule::Above(http(Selector::Status(503)), Limit::Count(100))
        );
        assert_eq!(
            Rule::parse("500.19>0").unwrap(),
            Rule::Above(http(Selector::StatusSub(500, 19)), Limit::Count(0))
        );
        assert_eq!(
            Rule::parse("5xx>3x").unwrap(),
            Rule::Above(http(Selector::Class(5)), Limit::Times(3.0))
        );
        assert_eq!(Rule::parse("NEW").unwrap(), Rule::New(Watch::Errors));
        assert_eq!(
            Rule::parse("new:5xx").unwrap(),
            Rule::New(Watch::Target(http(Selector::Class(5))))
        );
        assert_eq!(
            Rule::parse("new:500.19").unwrap(),
            Rule::New(Watch::Target(http(Selector::StatusSub(500, 19))))
        );
        assert_eq!(Rule::parse("new:ALL").unwrap(), Rule::New(Watch::All));
        // A .bat file eats a single %: `pct` is the same limit, and shows as `%`.
        for pct in ["5xx>2pct", "5xx>2PCT", "5xx > 2 pct"] {
            assert_eq!(
                Rule::parse(pct).unwrap(),
                Rule::Above(http(Selector::Class(5)), Limit::Percent(2.0)),
                "{pct}"
            );
        }
        assert_eq!(Rule::parse("5xx>2.5pct").unwrap().to_string(), "5xx>2.5%");
        for rule in ["new", "new:5xx", "new:503", "new:500.19", "new:all"] {
            assert_eq!(Rule::parse(rule).unwrap().to_string(), rule);
        }
        for bad in [
            "5xx",
            "9xx>1",
            "abc>1",
            "5xx>lots",
            "500.x>1",
            "new:",
            "new:9xx",
            "new:5000",
            "5xx>pct",
            "5xx>101pct",
            "requests<5pct",
        ] {
            assert!(Rule::parse(bad).is_err(), "{bad}");
        }
    }

    /// A figure that could never trip, or is no number, is refused when read.
    #[test]
    fn figures_out_of_range_are_refused() {
        for bad in [
            "5xx>NaN%",
            "5xx>nan%",
            "5xx>inf%",
            "5xx>-1%",
            "5xx>101%",
            "5xx>NaNx",
            "5xx>infx",
            "5xx>-2x",
            "5xx>1e999x",
            "503>-1",
            "503>1.5",
            "503>99999999999999999999",
            "5000>1",
            "99>1",
            "5000.1>1",
            "500.-1>1",
            "requests<NaNx",
            "requests<-1",
            "requests<5%",
            "errors<10",
            "requests>10",
        ] {
            let e = Rule::parse(bad).expect_err(bad);
            assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
        }
        for good in ["5xx>0%", "5xx>100%", "5xx>0.5%", "5xx>0x", "503>0", "999>1"] {
            assert!(Rule::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn parses_request_rules() {
        assert_eq!(
            Rule::parse("requests<1000").unwrap(),
            Rule::FewRequests(Limit::Count(1000))
        );
        assert_eq!(
            Rule::parse("Requests < 0.5x").unwrap(),
            Rule::FewRequests(Limit::Times(0.5))
        );
        assert_eq!(
            Rule::parse("requests<0.5x").unwrap().to_string(),
            "requests<0.5x"
        );
        assert!(Rule::parse("requests<0.5x").unwrap().needs_history());
        assert!(!Rule::parse("requests<10").unwrap().needs_history());
    }

    /// `requests<N` trips under N requests, an empty day included; `requests<0.5x` under
    /// half the median of the previous days with requests (figures worked out by hand:
    /// totals 100, 120, 80, 90 have the median 95, half of it 47.5).
    #[test]
    fn few_requests() {
        let day = |n| -> DayCounts { [(c(200, 0), n)].into() };
        let count = [Rule::parse("requests<50").unwrap()];
        assert!(check(&count, 0, &day(50), &NO, None).is_empty());
        let t = check(&count, 0, &day(49), &NO, None);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].figures, "49 requests (limit: at least 50)");
        let t = check(&count, 0, &DayCounts::new(), &NO, None);
        assert!(
            t[0].figures.starts_with("0 requests: no log holds a line"),
            "{}",
            t[0].figures
        );

        let times = [Rule::parse("requests<0.5x").unwrap()];
        let b = Baseline {
            prev_totals: vec![100, 120, 80, 90],
            ..Baseline::default()
        };
        assert!(check(&times, 0, &day(48), &NO, Some(&b)).is_empty());
        let t = check(&times, 0, &day(47), &NO, Some(&b));
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(
            t[0].figures.contains("median 95 of the previous 4 days"),
            "{}",
            t[0].figures
        );
        assert_eq!(check(&times, 0, &DayCounts::new(), &NO, Some(&b)).len(), 1);
        // No earlier day with requests: nothing to compare with.
        assert!(check(
            &times,
            0,
            &DayCounts::new(),
            &NO,
            Some(&Baseline::default())
        )
        .is_empty());
        assert!(check(&times, 0, &DayCounts::new(), &NO, None).is_empty());
    }

    /// A run of empty days trips once for the run, and only `requests<` rules can.
    #[test]
    fn empty_days_trip_once_for_the_run() {
        let rules: Vec<Rule> = ["5xx>2%", "503>0", "requests<1", "new"]
            .iter()
            .map(|r| Rule::parse(r).unwrap())
            .collect();
        let t = check_empty(&rules, 10, 19, None);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(
            (t[0].rule.as_str(), t[0].day, t[0].last),
            ("requests<1", 10, 19)
        );
        assert!(
            t[0].to_string()
                .contains("from 1970-01-11 to 1970-01-20 (10 days)"),
            "{}",
            t[0]
        );
    }

    #[test]
    fn trips_with_figures() {
        let day: DayCounts = [(c(200, 0), 96), (c(500, 19), 3), (c(503, 0), 1)].into();
        let rules: Vec<Rule> = ["5xx>2%", "5xx>5%", "503>0", "500.19>3", "500.19>2"]
            .iter()
            .map(|r| Rule::parse(r).unwrap())
            .collect();
        let t = check(&rules, 0, &day, &NO, None);
        let names: Vec<&str> = t.iter().map(|t| t.rule.as_str()).collect();
        assert_eq!(names, vec!["5xx>2%", "503>0", "500.19>2"]);
        assert!(t[0].figures.contains("4.00% of 100"), "{}", t[0].figures);
    }

    #[test]
    fn relative_to_history() {
        let quiet: DayCounts = [(c(200, 0), 99), (c(500, 0), 1)].into();
        let b = Baseline {
            prev7: vec![quiet.clone(); 7],
            seen30: quiet.keys().copied().collect(),
            ..Baseline::default()
        };
        let rules = [Rule::parse("5xx>3x").unwrap(), Rule::New(Watch::Errors)];
        assert!(check(&rules, 0, &quiet, &NO, Some(&b)).is_empty());
        let bad: DayCounts = [(c(200, 0), 95), (c(500, 0), 4), (c(502, 3), 1)].into();
        let t = check(&rules, 0, &bad, &NO, Some(&b));
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(
            t[1].figures.contains("http 502 3 0 (1)"),
            "{}",
            t[1].figures
        );
        // Without a history the relative rules cannot trip.
        assert!(check(&rules, 0, &bad, &NO, None).is_empty());
    }

    /// `new` leaves harmless new triples alone: `200 0 64` (the client left during the
    /// reply) and `301 0 0` are no fault. `new:CLASS` and `new:all` choose.
    #[test]
    fn new_watches_errors_unless_told() {
        let quiet: DayCounts = [(c(200, 0), 99), (c(404, 0), 1)].into();
        let b = Baseline {
            prev7: vec![quiet.clone()],
            seen30: quiet.keys().copied().collect(),
            ..Baseline::default()
        };
        let mut w64 = c(200, 0);
        w64.1.win32 = Code::Value(64);
        let harmless: DayCounts = [(c(200, 0), 90), (w64, 3), (c(301, 0), 2)].into();
        let rule = |r: &str| vec![Rule::parse(r).unwrap()];
        assert!(check(&rule("new"), 0, &harmless, &NO, Some(&b)).is_empty());
        assert!(check(&rule("new:5xx"), 0, &harmless, &NO, Some(&b)).is_empty());
        let t = check(&rule("new:2xx"), 0, &harmless, &NO, Some(&b));
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].figures,
            "not seen in the previous 30 days: http 200 0 64 (3)"
        );
        let t = check(&rule("new:all"), 0, &harmless, &NO, Some(&b));
        assert!(
            t[0].figures
                .ends_with("http 200 0 64 (3), http 301 0 0 (2)"),
            "{t:?}"
        );
        let faulty: DayCounts = [
            (c(200, 0), 90),
            (c(301, 0), 2),
            (c(500, 19), 1),
            (c(403, 14), 1),
        ]
        .into();
        let t = check(&rule("new"), 0, &faulty, &NO, Some(&b));
        assert_eq!(
            t[0].figures,
            "not seen in the previous 30 days: http 403 14 0 (1), http 500 19 0 (1)"
        );
        let t = check(&rule("new:5xx"), 0, &faulty, &NO, Some(&b));
        assert_eq!(
            t[0].figures,
            "not seen in the previous 30 days: http 500 19 0 (1)"
        );
        assert_eq!(t[0].rule, "new:5xx");
    }

    fn target(service: Option<Service>, what: What) -> Target {
        Target { service, what }
    }

    /// `[SERVICE:]WHAT`: each form, and how it is shown again (http rules as before).
    #[test]
    fn parses_services_and_verdicts() {
        let cases = [
            (
                "ftp:530>100",
                Rule::Above(
                    target(Some(Service::Ftp), What::Codes(Selector::Status(530))),
                    Limit::Count(100),
                ),
                "ftp:530>100",
            ),
            (
                "FTP:5xx>2pct",
                Rule::Above(
                    target(Some(Service::Ftp), What::Codes(Selector::Class(5))),
                    Limit::Percent(2.0),
                ),
                "ftp:5xx>2%",
            ),
            (
                "HttpErr:503>10",
                Rule::Above(
                    target(Some(Service::HttpErr), What::Codes(Selector::Status(503))),
                    Limit::Count(10),
                ),
                "httperr:503>10",
            ),
            (
                "smtp:550.0>1",
                Rule::Above(
                    target(
                        Some(Service::Smtp),
                        What::Codes(Selector::StatusSub(550, 0)),
                    ),
                    Limit::Count(1),
                ),
                "smtp:550.0>1",
            ),
            // http named or not is the same rule, shown as it always was.
            (
                "http:5xx>2%",
                Rule::Above(http(Selector::Class(5)), Limit::Percent(2.0)),
                "5xx>2%",
            ),
            (
                "fault>1%",
                Rule::Above(
                    target(None, What::Verdict(Verdict::Fault)),
                    Limit::Percent(1.0),
                ),
                "fault>1%",
            ),
            (
                "Probe > 500",
                Rule::Above(
                    target(None, What::Verdict(Verdict::Probe)),
                    Limit::Count(500),
                ),
                "probe>500",
            ),
            (
                "ftp:probe>100",
                Rule::Above(
                    target(Some(Service::Ftp), What::Verdict(Verdict::Probe)),
                    Limit::Count(100),
                ),
                "ftp:probe>100",
            ),
            // A verdict of http alone is not every service's: the service stays.
            (
                "http:fault>0",
                Rule::Above(
                    target(Some(Service::Http), What::Verdict(Verdict::Fault)),
                    Limit::Count(0),
                ),
                "http:fault>0",
            ),
            (
                "noise>50%",
                Rule::Above(
                    target(None, What::Verdict(Verdict::Noise)),
                    Limit::Percent(50.0),
                ),
                "noise>50%",
            ),
            (
                "client>3x",
                Rule::Above(
                    target(None, What::Verdict(Verdict::Client)),
                    Limit::Times(3.0),
                ),
                "client>3x",
            ),
            (
                "new:fault",
                Rule::New(Watch::Target(target(None, What::Verdict(Verdict::Fault)))),
                "new:fault",
            ),
            (
                "new:ftp:530",
                Rule::New(Watch::Target(target(
                    Some(Service::Ftp),
                    What::Codes(Selector::Status(530)),
                ))),
                "new:ftp:530",
            ),
            (
                "NEW:FTP:5XX",
                Rule::New(Watch::Target(target(
                    Some(Service::Ftp),
                    What::Codes(Selector::Class(5)),
                ))),
                "new:ftp:5xx",
            ),
            (
                "new:http:503",
                Rule::New(Watch::Target(http(Selector::Status(503)))),
                "new:503",
            ),
            (
                "new:smtp:unknown",
                Rule::New(Watch::Target(target(
                    Some(Service::Smtp),
                    What::Verdict(Verdict::Unknown),
                ))),
                "new:smtp:unknown",
            ),
        ];
        for (text, rule, shown) in cases {
            let got = Rule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(got, rule, "{text}");
            assert_eq!(got.to_string(), shown, "{text}");
            // What is shown reads back as the same rule.
            assert_eq!(Rule::parse(shown).unwrap(), rule, "{shown}");
        }
        assert!(Rule::parse("fault>2x").unwrap().needs_history());
        assert!(Rule::parse("new:fault").unwrap().needs_history());
        assert!(!Rule::parse("ftp:probe>1").unwrap().needs_history());
        for (text, judges) in [
            ("fault>1", true),
            ("ftp:ok>1%", true),
            ("new:probe", true),
            ("5xx>1", false),
            ("ftp:530>1", false),
            ("new", false),
            ("new:ftp:5xx", false),
            ("requests<10", false),
        ] {
            assert_eq!(
                Rule::parse(text).unwrap().judges_verdicts(),
                judges,
                "{text}"
            );
        }
    }

    /// Each wrong service or verdict is refused with what is accepted.
    #[test]
    fn unknown_services_and_verdicts_are_refused() {
        let services = "http, ftp, smtp or httperr";
        let verdicts = "fault, probe, client, noise, ok or unknown";
        for (bad, says) in [
            ("web:5xx>1", services),
            ("w3svc:fault>1", services),
            (":5xx>1", services),
            ("new:web:5xx", services),
            ("faults>1", verdicts),
            ("ftp:error>1", verdicts),
            ("ftp:>1", verdicts),
            ("requests>10", verdicts),
            ("ftp:9xx>1", "a class is 1xx to 5xx"),
            ("smtp:5000>1", "a status is 100 to 999"),
            ("new:bogus", "after new:"),
            ("new:ftp:", "after new:"),
            ("fault", "no '>'"),
            ("ftp:fault>1.5", "the count is not a whole number"),
            ("ftp:requests<5", "only `requests` takes '<'"),
        ] {
            let e = Rule::parse(bad).expect_err(bad);
            assert!(e.why.contains(says), "{bad}: {e}");
            assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
        }
    }

    fn codes(status: u32, sub: u32, win32: u32) -> Codes {
        Codes {
            status: Code::Value(status),
            substatus: Code::Value(sub),
            win32: Code::Value(win32),
        }
    }

    /// HTTPERR logs no substatus nor win32.
    fn httperr(status: u32) -> (Service, Codes) {
        (
            Service::HttpErr,
            Codes {
                status: Code::Value(status),
                substatus: Code::NotLogged,
                win32: Code::NotLogged,
            },
        )
    }

    /// A day of four services, worked out by hand: http 200 x97 and 500 x3 (100); ftp
    /// 230 x50 and 530 x50 (100); smtp 250 x8 and 550 x2 (10); httperr 503 x4 (4): 214
    /// requests. By the catalogue's rules (catalogue/verdicts.tsv): http 500 fault (http
    /// 5xx), httperr 503 fault (httperr 5xx), ftp 530 client (ftp 530), smtp 550 client
    /// (smtp 5xx), the rest ok: fault 3 + 4 = 7, client 50 + 2 = 52, ok 97 + 50 + 8 =
    /// 155, probe 0.
    fn mixed() -> DayCounts {
        [
            ((Service::Http, codes(200, 0, 0)), 97),
            ((Service::Http, codes(500, 0, 0)), 3),
            ((Service::Ftp, codes(230, 0, 0)), 50),
            ((Service::Ftp, codes(530, 1, 1326)), 50),
            ((Service::Smtp, codes(250, 0, 0)), 8),
            ((Service::Smtp, codes(550, 0, 0)), 2),
            (httperr(503), 4),
        ]
        .into()
    }

    /// The rules of `texts` that trip on `day`, with their figures.
    fn tripped(texts: &[&str], day: &DayCounts, verdicts: &Verdicts) -> Vec<(String, String)> {
        let rules: Vec<Rule> = texts.iter().map(|r| Rule::parse(r).unwrap()).collect();
        check(&rules, 0, day, verdicts, None)
            .into_iter()
            .map(|t| (t.rule, t.figures))
            .collect()
    }

    /// A class or code counts one service: `5xx` is http's 3 alone, not 3 + 50 + 2 + 4.
    #[test]
    fn codes_count_one_service() {
        let day = mixed();
        let trips = |texts: &[&str]| tripped(texts, &day, &NO);
        assert!(trips(&["5xx>3", "503>0", "500>3", "5xx>3%", "ftp:530>50"]).is_empty());
        // Mixed, 5xx were 59 of 214 (27.57 %): http's are 3 of its 100.
        assert!(trips(&["5xx>5%", "5xx>58"]).is_empty());
        assert_eq!(
            trips(&["5xx>2", "5xx>2%"]),
            [
                ("5xx>2".into(), "3 5xx requests (limit 2)".into()),
                (
                    "5xx>2%".into(),
                    "5xx were 3.00% of 100 http requests (3; limit 2%)".into()
                )
            ]
        );
        assert_eq!(
            trips(&["ftp:530>49", "ftp:530>49%", "ftp:530>50%"]),
            [
                ("ftp:530>49".into(), "50 ftp:530 requests (limit 49)".into()),
                (
                    "ftp:530>49%".into(),
                    "ftp:530 were 50.00% of 100 ftp requests (50; limit 49%)".into()
                )
            ]
        );
        let names = |t: Vec<(String, String)>| -> Vec<String> {
            t.into_iter().map(|(rule, _)| rule).collect()
        };
        assert_eq!(
            names(trips(&[
                "ftp:5xx>49",
                "ftp:5xx>50",
                "ftp:530.1>49",
                "smtp:5xx>1",
                "smtp:5xx>2",
                "smtp:550>19%",
                "smtp:550>20%",
                "httperr:503>3",
                "httperr:503>4",
                "httperr:5xx>99%",
            ])),
            [
                "ftp:5xx>49",
                "ftp:530.1>49",
                "smtp:5xx>1",
                "smtp:550>19%",
                "httperr:503>3",
                "httperr:5xx>99%"
            ]
        );
    }

    /// Verdicts by the rules alone (no day verdicts): fault 7 of 214 (3.27 %), client
    /// 52, probe 0, as worked out on [`mixed`].
    #[test]
    fn verdicts_count_every_service_or_one() {
        let day = mixed();
        let trips = |texts: &[&str]| tripped(texts, &day, &NO);
        assert_eq!(
            trips(&["fault>6", "fault>7", "fault>3%", "fault>3.3%"]),
            [
                ("fault>6".into(), "7 fault requests (limit 6)".into()),
                (
                    "fault>3%".into(),
                    "fault were 3.27% of 214 requests (7; limit 3%)".into()
                )
            ]
        );
        let names = |texts: &[&str]| -> Vec<String> {
            trips(texts).into_iter().map(|(rule, _)| rule).collect()
        };
        assert_eq!(
            names(&[
                "http:fault>2",
                "http:fault>3",
                "httperr:fault>3",
                "httperr:fault>4",
                "ftp:fault>0",
                "client>51",
                "client>52",
                "ftp:client>49",
                "smtp:client>19%",
                "smtp:client>20%",
                "probe>0",
                "ok>155",
                "ok>154",
            ]),
            [
                "http:fault>2",
                "httperr:fault>3",
                "client>51",
                "ftp:client>49",
                "smtp:client>19%",
                "ok>154"
            ]
        );
    }

    /// The day's verdicts decide, not the rules: the report found the FTP 530s a burst
    /// of failed logons (probe). The baseline's days are judged by the rules alone, so
    /// the same 530s there are client.
    #[test]
    fn the_days_verdicts_decide() {
        let day = mixed();
        let ftp530 = (Service::Ftp, codes(530, 1, 1326));
        let seen: Verdicts = [(ftp530, Verdict::Probe)].into();
        let trips = |texts: &[&str]| -> Vec<String> {
            tripped(texts, &day, &seen)
                .into_iter()
                .map(|(rule, _)| rule)
                .collect()
        };
        assert_eq!(
            trips(&[
                "probe>49",
                "probe>50",
                "ftp:probe>49%",
                "http:probe>0",
                "client>2",
                "client>1"
            ]),
            ["probe>49", "ftp:probe>49%", "client>1"]
        );
        // Codes do not care about verdicts.
        assert_eq!(trips(&["ftp:530>49"]), ["ftp:530>49"]);

        let b = Baseline {
            prev7: vec![mixed(); 7],
            ..Baseline::default()
        };
        let rules = [Rule::parse("probe>2x").unwrap()];
        // By the rules every day of the baseline has no probe (median 0 %).
        let t = check(&rules, 0, &day, &seen, Some(&b));
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(
            t[0].figures,
            "probe were 23.36% of 214 requests (50), over 2 x the median 0.00% of the previous 7 days"
        );
        assert!(check(&rules, 0, &day, &NO, Some(&b)).is_empty());
        // fault is 7 of 214 on every day: never over 1 x itself.
        let same = [Rule::parse("fault>1x").unwrap()];
        assert!(check(&same, 0, &day, &NO, Some(&b)).is_empty());
    }

    /// `new:` with a service, a code or a verdict: the baseline has seen everything but
    /// the FTP 530s and the HTTPERR 503s.
    #[test]
    fn new_per_service_and_verdict() {
        let day = mixed();
        let ftp530 = (Service::Ftp, codes(530, 1, 1326));
        let b = Baseline {
            prev7: vec![mixed()],
            seen30: day
                .keys()
                .filter(|k| **k != ftp530 && **k != httperr(503))
                .copied()
                .collect(),
            ..Baseline::default()
        };
        let figures = |text: &str, verdicts: &Verdicts| -> Vec<String> {
            check(&[Rule::parse(text).unwrap()], 0, &day, verdicts, Some(&b))
                .into_iter()
                .map(|t| t.figures)
                .collect()
        };
        let new = |what: &str| format!("not seen in the previous 30 days: {what}");
        assert_eq!(figures("new:ftp:530", &NO), [new("ftp 530 1 1326 (50)")]);
        assert_eq!(figures("new:ftp:5xx", &NO), [new("ftp 530 1 1326 (50)")]);
        assert_eq!(
            figures("new:httperr:503", &NO),
            [new("httperr 503 - - (4)")]
        );
        // http's 5xx (the 500s) were seen: the new FTP and HTTPERR rows are not http's.
        assert!(figures("new:5xx", &NO).is_empty());
        assert!(figures("new:503", &NO).is_empty());
        assert!(figures("new:smtp:5xx", &NO).is_empty());
        // The FTP 530s are client by the rules; fault is the HTTPERR 503s alone.
        assert_eq!(figures("new:fault", &NO), [new("httperr 503 - - (4)")]);
        assert!(figures("new:probe", &NO).is_empty());
        let seen: Verdicts = [(ftp530, Verdict::Probe)].into();
        assert_eq!(figures("new:probe", &seen), [new("ftp 530 1 1326 (50)")]);
        assert!(figures("new:http:probe", &seen).is_empty());
        // `new` alone still watches 4xx and 5xx of every service.
        assert_eq!(
            figures("new", &NO),
            [new("ftp 530 1 1326 (50), httperr 503 - - (4)")]
        );
    }

    /// An HTTPERR day: a `-` row of 3 (2 idle connections timed out, 1 request a worker
    /// process orphaned) and a 503 of 1 (QueueFull). The rules alone call the `-` row
    /// noise (`httperr - * * *`); the report takes the gravest of its reasons,
    /// Connection_Abandoned_By_AppPool, a fault: so fault is 3 + 1 = 4, not 1.
    #[test]
    fn day_verdicts_judge_httperr_rows_by_their_reasons() {
        use crate::collect::DayTally;
        use crate::summary::httperr::ReasonKey;
        let dash = Codes {
            status: Code::Empty,
            substatus: Code::NotLogged,
            win32: Code::NotLogged,
        };
        let q503 = httperr(503).1;
        let reason = |status, reason: &str, queue: &str| ReasonKey {
            status,
            reason: reason.to_string(),
            queue: queue.to_string(),
        };
        let t = DayTally {
            codes: [
                (("HTTPERR".to_string(), dash), 3),
                (("HTTPERR".to_string(), q503), 1),
            ]
            .into(),
            httperr: [
                (reason(Code::Empty, "Timer_ConnectionIdle", "-"), 2),
                (
                    reason(Code::Empty, "Connection_Abandoned_By_AppPool", "-"),
                    1,
                ),
                (reason(Code::Value(503), "QueueFull", "Pool1"), 1),
            ]
            .into(),
            ..DayTally::default()
        };
        let rd = ReportDay {
            day: 0,
            parts: [((String::new(), Service::HttpErr), t)].into(),
            ..ReportDay::default()
        };
        let rules = [Rule::parse("httperr:fault>3").unwrap()];
        let verdicts = day_verdicts(&rules, &rd);
        assert_eq!(verdicts[&(Service::HttpErr, dash)], Verdict::Fault);
        assert_eq!(verdicts[&(Service::HttpErr, q503)], Verdict::Fault);
        let counts = crate::report::run::counts_of(&rd);
        let t = check(&rules, 0, &counts, &verdicts, None);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(t[0].figures, "4 httperr:fault requests (limit 3)");
        // By the rules alone the `-` row is noise: 1 fault.
        assert!(check(&rules, 0, &counts, &NO, None).is_empty());
        // No rule by verdict: nothing is judged.
        assert!(day_verdicts(&[Rule::parse("5xx>1").unwrap()], &rd).is_empty());
    }

    /// `ftp:5xx>2x` compares FTP's share with FTP's shares before: days without FTP
    /// have none and do not count. Before: 2 days of ftp 530 x5 of 100 (5 %) and 5 days
    /// of http alone; the day: 50 of 100 (50 %), over 2 x 5 %. http's 5xx (3 of 100 on
    /// the day, 0 before) do not make `ftp:5xx` trip, nor the FTP 530s `5xx`.
    #[test]
    fn multiples_compare_the_services_own_days() {
        let ftp_day: DayCounts = [
            ((Service::Ftp, codes(230, 0, 0)), 95),
            ((Service::Ftp, codes(530, 1, 1326)), 5),
        ]
        .into();
        let http_day: DayCounts = [((Service::Http, codes(200, 0, 0)), 100)].into();
        let mut prev7 = vec![ftp_day.clone(), ftp_day];
        prev7.extend(std::iter::repeat_n(http_day, 5));
        let b = Baseline {
            prev7,
            ..Baseline::default()
        };
        let rules = [Rule::parse("ftp:5xx>2x").unwrap()];
        let t = check(&rules, 0, &mixed(), &NO, Some(&b));
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(
            t[0].figures,
            "ftp:5xx were 50.00% of 100 ftp requests (50), over 2 x the median 5.00% of the previous 2 days"
        );
        assert!(check(
            &[Rule::parse("ftp:5xx>10x").unwrap()],
            0,
            &mixed(),
            &NO,
            Some(&b)
        )
        .is_empty());
        // http's 5xx: 3 % on the day, 0 % on the 7 days before: over any multiple of 0.
        let t = check(
            &[Rule::parse("5xx>100x").unwrap()],
            0,
            &mixed(),
            &NO,
            Some(&b),
        );
        assert_eq!(
            t[0].figures,
            "5xx were 3.00% of 100 http requests (3), over 100 x the median 0.00% of the previous 5 days"
        );
    }
}
