//! Alert rules (`--fail-on`): a class, code or code.substatus above a share of requests
//! (`5xx>2%`), a count (`503>100`, `500.19>0`), or, with a history, a multiple of the
//! median share of the previous 7 days (`5xx>3x`); `new` trips on a 4xx or 5xx status
//! triple not seen in the previous 30 days (`new:5xx`, `new:503`, `new:all` choose which);
//! `requests<1000` and, with a history, `requests<0.5x` (under
//! half the median of the previous 7 days with requests) trip on a day with too few
//! requests, a day no log holds a line for included: logs that stopped arriving. A
//! tripped rule makes the run exit 3.
//!
//! Every figure is checked when the rule is read: a percent is 0 to 100, a multiple a
//! finite number of at least 0, a count a whole number; `5xx>NaN%` would never trip, so it
//! is refused rather than kept as a rule that cannot fire.

use std::fmt;

use crate::days::{day_text, Day};
use crate::history::{Baseline, DayCounts};
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

/// The threshold of a rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// More than this many requests.
    Count(u64),
    /// More than this percent of the day's requests.
    Percent(f64),
    /// More than this multiple of the median share of the previous 7 days.
    Times(f64),
}

/// Which new triples a `new` rule trips on: `new:WHAT`. (A verdict, `new:fault`, is to
/// come with triage: a variant here and a word in [`Watch::parse`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// `new`: 4xx and 5xx. A new 2xx or 3xx triple (`200 0 64`, a client gone mid-reply;
    /// `301 0 0`) is no fault; nor is a row without a status.
    Errors,
    /// `new:5xx`, `new:503`, `new:500.19`.
    Codes(Selector),
    /// `new:all`: every triple, whatever its status.
    All,
}

impl Watch {
    /// The part after `new:`.
    fn parse(text: &str) -> Result<Watch, &'static str> {
        if text.eq_ignore_ascii_case("all") {
            return Ok(Watch::All);
        }
        Selector::parse(text).map(Watch::Codes).map_err(|_| {
            "after new: give a class (5xx), a code (503), code.substatus (500.19) or all"
        })
    }

    fn matches(self, c: &Codes) -> bool {
        match self {
            Watch::Errors => Selector::Class(4).matches(c) || Selector::Class(5).matches(c),
            Watch::Codes(sel) => sel.matches(c),
            Watch::All => true,
        }
    }
}

/// One `--fail-on` rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Above(Selector, Limit),
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
    "--fail-on {rule:?}: {why}; examples: \"5xx>2%\" (in a .bat file 5xx>2pct), \"503>100\", \"500.19>0\", \"5xx>3x\", new, new:5xx, \"requests<1000\", \"requests<0.5x\""
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
        let selector = Selector::parse(sel).map_err(err)?;
        Ok(Rule::Above(selector, parse_limit(lim).map_err(err)?))
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
            Rule::New(Watch::Codes(s)) => write!(f, "new:{s}"),
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

fn share(counts: &DayCounts, sel: Selector) -> (u64, u64) {
    let total = counts.values().sum();
    let hit = counts
        .iter()
        .filter(|((_, c), _)| sel.matches(c))
        .map(|(_, n)| n)
        .sum();
    (hit, total)
}

/// Checks `rules` against one day; `baseline` is `None` without a history.
pub fn check(
    rules: &[Rule],
    day: Day,
    counts: &DayCounts,
    baseline: Option<&Baseline>,
) -> Vec<Tripped> {
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
                    .filter(|(k, _)| watch.matches(&k.1) && !b.seen30.contains(k))
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
                let (hit, total) = share(counts, sel);
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
                        "{sel} were {pct:.2}% of {total} requests ({hit}; limit {p}%)"
                    ))),
                    Limit::Times(x) => {
                        let Some(b) = baseline else { continue };
                        let shares: Vec<f64> = b
                            .prev7
                            .iter()
                            .map(|d| share(d, sel))
                            .filter(|&(_, t)| t > 0)
                            .map(|(h, t)| h as f64 * 100.0 / t as f64)
                            .collect();
                        let n = shares.len();
                        let Some(median) = median(shares) else {
                            continue;
                        };
                        if pct > x * median && hit > 0 {
                            out.push(trip(format!(
                                "{sel} were {pct:.2}% of {total} requests ({hit}), over {x} x the median {median:.2}% of the previous {n} days"
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
    let mut tripped = check(rules, first, &DayCounts::new(), baseline);
    for t in &mut tripped {
        t.last = last;
    }
    tripped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Service;

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
            Rule::Above(Selector::Class(5), Limit::Percent(2.0))
        );
        assert_eq!(
            Rule::parse(" 503 > 100 ").unwrap(),
            Rule::Above(Selector::Status(503), Limit::Count(100))
        );
        assert_eq!(
            Rule::parse("500.19>0").unwrap(),
            Rule::Above(Selector::StatusSub(500, 19), Limit::Count(0))
        );
        assert_eq!(
            Rule::parse("5xx>3x").unwrap(),
            Rule::Above(Selector::Class(5), Limit::Times(3.0))
        );
        assert_eq!(Rule::parse("NEW").unwrap(), Rule::New(Watch::Errors));
        assert_eq!(
            Rule::parse("new:5xx").unwrap(),
            Rule::New(Watch::Codes(Selector::Class(5)))
        );
        assert_eq!(
            Rule::parse("new:500.19").unwrap(),
            Rule::New(Watch::Codes(Selector::StatusSub(500, 19)))
        );
        assert_eq!(Rule::parse("new:ALL").unwrap(), Rule::New(Watch::All));
        // A .bat file eats a single %: `pct` is the same limit, and shows as `%`.
        for pct in ["5xx>2pct", "5xx>2PCT", "5xx > 2 pct"] {
            assert_eq!(
                Rule::parse(pct).unwrap(),
                Rule::Above(Selector::Class(5), Limit::Percent(2.0)),
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
            "new:fault",
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
        assert!(check(&count, 0, &day(50), None).is_empty());
        let t = check(&count, 0, &day(49), None);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].figures, "49 requests (limit: at least 50)");
        let t = check(&count, 0, &DayCounts::new(), None);
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
        assert!(check(&times, 0, &day(48), Some(&b)).is_empty());
        let t = check(&times, 0, &day(47), Some(&b));
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(
            t[0].figures.contains("median 95 of the previous 4 days"),
            "{}",
            t[0].figures
        );
        assert_eq!(check(&times, 0, &DayCounts::new(), Some(&b)).len(), 1);
        // No earlier day with requests: nothing to compare with.
        assert!(check(&times, 0, &DayCounts::new(), Some(&Baseline::default())).is_empty());
        assert!(check(&times, 0, &DayCounts::new(), None).is_empty());
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
        let t = check(&rules, 0, &day, None);
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
        assert!(check(&rules, 0, &quiet, Some(&b)).is_empty());
        let bad: DayCounts = [(c(200, 0), 95), (c(500, 0), 4), (c(502, 3), 1)].into();
        let t = check(&rules, 0, &bad, Some(&b));
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(
            t[1].figures.contains("http 502 3 0 (1)"),
            "{}",
            t[1].figures
        );
        // Without a history the relative rules cannot trip.
        assert!(check(&rules, 0, &bad, None).is_empty());
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
        assert!(check(&rule("new"), 0, &harmless, Some(&b)).is_empty());
        assert!(check(&rule("new:5xx"), 0, &harmless, Some(&b)).is_empty());
        let t = check(&rule("new:2xx"), 0, &harmless, Some(&b));
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].figures,
            "not seen in the previous 30 days: http 200 0 64 (3)"
        );
        let t = check(&rule("new:all"), 0, &harmless, Some(&b));
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
        let t = check(&rule("new"), 0, &faulty, Some(&b));
        assert_eq!(
            t[0].figures,
            "not seen in the previous 30 days: http 403 14 0 (1), http 500 19 0 (1)"
        );
        let t = check(&rule("new:5xx"), 0, &faulty, Some(&b));
        assert_eq!(
            t[0].figures,
            "not seen in the previous 30 days: http 500 19 0 (1)"
        );
        assert_eq!(t[0].rule, "new:5xx");
    }
}
