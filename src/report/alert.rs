//! Alert rules (`--fail-on`): a class, code or code.substatus above a share of requests
//! (`5xx>2%`), a count (`503>100`, `500.19>0`), or, with a history, a multiple of the
//! median share of the previous 7 days (`5xx>3x`); `new` trips on a status triple not seen
//! in the previous 30 days. A tripped rule makes the run exit 3.

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

/// One `--fail-on` rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Above(Selector, Limit),
    /// A status triple not seen in the previous 30 days.
    New,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--fail-on {rule:?}: {why}; examples: \"5xx>2%\", \"503>100\", \"500.19>0\", \"5xx>3x\", new"
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
            return Ok(Rule::New);
        }
        let (sel, lim) = t.split_once('>').ok_or(err("no '>'"))?;
        let sel_l = sel.to_ascii_lowercase();
        let selector = if let Some(d) = sel_l.strip_suffix("xx") {
            match d.parse::<u32>() {
                Ok(d @ 1..=5) => Selector::Class(d),
                _ => return Err(err("a class is 1xx to 5xx")),
            }
        } else if let Some((s, sub)) = sel_l.split_once('.') {
            Selector::StatusSub(
                s.parse().map_err(|_| err("the status is not a number"))?,
                sub.parse()
                    .map_err(|_| err("the substatus is not a number"))?,
            )
        } else {
            Selector::Status(
                sel_l
                    .parse()
                    .map_err(|_| err("the status is not a number"))?,
            )
        };
        let limit = if let Some(p) = lim.strip_suffix('%') {
            Limit::Percent(p.parse().map_err(|_| err("the percent is not a number"))?)
        } else if let Some(x) = lim.strip_suffix(['x', 'X']) {
            Limit::Times(x.parse().map_err(|_| err("the multiple is not a number"))?)
        } else {
            Limit::Count(
                lim.parse()
                    .map_err(|_| err("the count is not a whole number"))?,
            )
        };
        Ok(Rule::Above(selector, limit))
    }

    /// Whether the rule needs a history (`--db`).
    pub fn needs_history(&self) -> bool {
        matches!(self, Rule::New | Rule::Above(_, Limit::Times(_)))
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::New => f.write_str("new"),
            Rule::Above(s, Limit::Count(n)) => write!(f, "{s}>{n}"),
            Rule::Above(s, Limit::Percent(p)) => write!(f, "{s}>{p}%"),
            Rule::Above(s, Limit::Times(x)) => write!(f, "{s}>{x}x"),
        }
    }
}

/// A rule that tripped, with its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Tripped {
    pub rule: String,
    pub day: Day,
    pub figures: String,
}

impl fmt::Display for Tripped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} on {}: {}",
            self.rule,
            day_text(self.day),
            self.figures
        )
    }
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
            figures,
        };
        match *rule {
            Rule::New => {
                // With no earlier day in the history, everything would be "new".
                let Some(b) = baseline.filter(|b| !b.seen30.is_empty()) else {
                    continue;
                };
                let new: Vec<String> = counts
                    .iter()
                    .filter(|(k, _)| !b.seen30.contains(k))
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
                        let mut shares: Vec<f64> = b
                            .prev7
                            .iter()
                            .map(|d| share(d, sel))
                            .filter(|&(_, t)| t > 0)
                            .map(|(h, t)| h as f64 * 100.0 / t as f64)
                            .collect();
                        if shares.is_empty() {
                            continue;
                        }
                        shares.sort_by(f64::total_cmp);
                        let n = shares.len();
                        let median = if n % 2 == 1 {
                            shares[n / 2]
                        } else {
                            (shares[n / 2 - 1] + shares[n / 2]) / 2.0
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
        }
    }
    out
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
        assert_eq!(Rule::parse("NEW").unwrap(), Rule::New);
        for bad in ["5xx", "9xx>1", "abc>1", "5xx>lots", "500.x>1"] {
            assert!(Rule::parse(bad).is_err(), "{bad}");
        }
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
        };
        let rules = [Rule::parse("5xx>3x").unwrap(), Rule::New];
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
}
