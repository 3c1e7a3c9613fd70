//! `report.html`: one self-contained page (no script, no network, no external font or
//! image). It opens with what needs attention, then the whole day's requests, then one
//! section per service (a class means different things per service, so nothing adds
//! them): cards, an inline-SVG stacked bar chart of status classes per hour, the 4xx and
//! 5xx per hour on an axis of their own, the by-hour table, the busiest sites, and for
//! FTP the commands and failed logins, for HTTPERR what HTTP.sys refused by reason and
//! application pool. Then the 30-day trend when a history is kept, the top codes with
//! meanings and causes, and the top error URLs. Counts have thousands separators
//! ([`num`]); labels come from catalogue/text.tsv (`page_*`) in the page's language.
//! Every string that comes from a log is HTML-escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::catalogue::verdict::Verdict;
use crate::catalogue::{Catalogue, Lang};
use crate::collect::{
    class_of, topn, Baseline, DayLines, DayTally, HourStats, ReportDay, OTHER_SITES,
};
use crate::days::{day_text, LocalHour, Zone};
use crate::report::alert::Tripped;
use crate::service::Service;
use crate::summary::httperr;
use crate::summary::{code_text, Row, Summary};
use crate::tally::{Code, Codes};

/// Escapes text for an HTML element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CLASS_NAMES: [&str; 6] = ["other", "1xx", "2xx", "3xx", "4xx", "5xx"];
const COLORS: [&str; 6] = [
    "#9e9e9e", "#7e57c2", "#43a047", "#1e88e5", "#fb8c00", "#e53935",
];
/// Classes drawn bottom to top.
const STACK: [usize; 6] = [2, 3, 1, 0, 4, 5];

const STYLE: &str = "body{font-family:Segoe UI,Helvetica,Arial,Meiryo,Yu Gothic,Hiragino Sans,Noto Sans CJK JP,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc}
.sub{color:#666;margin-bottom:16px}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
.card .v{font-size:22px;font-weight:600}.card .l{color:#666;font-size:12px}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.uri{overflow-wrap:anywhere;font-family:Consolas,monospace}td.uri{min-width:11em}
summary{cursor:pointer;color:#1565c0;font-size:13px;margin:6px 0}
h3{font-size:14px;margin:16px 0 6px;color:#444}
section[id^=service-]>h2{background:#eceff1;border:0;padding:4px 8px;font-size:18px}
@media print{body{margin:0}h2{break-after:avoid}table,svg{break-inside:avoid}}";

fn pct(n: u64, total: u64) -> String {
    if total == 0 {
        "0.00".to_string()
    } else {
        format!("{:.2}", n as f64 * 100.0 / total as f64)
    }
}

/// A count as the page shows it, its digits grouped by three: `1,234,567` in English and
/// Japanese, `1 234 567` with a narrow no-break space (U+202F) in Norwegian, as Windows
/// writes numbers in these languages. Every count on the page goes through here; the
/// CSVs keep plain digits.
pub fn num(n: u64, lang: Lang) -> String {
    let sep = match lang {
        Lang::En | Lang::Ja => ",",
        Lang::Nb => "\u{202f}",
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * sep.len());
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(d);
    }
    out
}

/// The step and top of an axis that shows `peak`: a round step (1, 2 or 5 times a power
/// of ten) and at most five steps up to the top, so the gridlines read at a glance.
fn axis(peak: u64) -> (u64, u64) {
    let peak = peak.max(1);
    let mut mag: u64 = 1;
    loop {
        for m in [1, 2, 5] {
            let step = m * mag;
            if step.saturating_mul(5) >= peak {
                return (step, step * peak.div_ceil(step));
            }
        }
        mag = mag.saturating_mul(10);
    }
}

/// A fixed label of the page in `lang` (`page_*` keys of catalogue/text.tsv).
fn label(key: &str, lang: Lang) -> &'static str {
    Catalogue::builtin().text(key, lang)
}

/// A label with its `{name}` placeholders filled in.
fn label_with(key: &str, lang: Lang, args: &[(&str, &str)]) -> String {
    let mut text = label(key, lang).to_string();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// The page for one day; `alerts` are the rules that tripped on it.
pub fn page(day: &ReportDay, summary: &Summary, lang: Lang, alerts: &[Tripped]) -> String {
    let mut h = String::new();
    let date = day_text(day.day);
    let services = day.by_service();
    // The day's clock hours in order, for every service.
    let rows = day.hour_rows();
    let total: u64 = services.values().map(|t| t.requests()).sum();
    let servers: Vec<&str> = day
        .parts
        .keys()
        .map(|(s, _)| s.as_str())
        .filter(|s| !s.is_empty())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();

    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\">\
<title>{title}</title><style>{STYLE}</style></head><body>\n\
<h1>{title}</h1>\n<div class=\"sub\">",
        lang.code(),
        title = label_with("page_title", lang, &[("date", &date)])
    );
    if servers.is_empty() {
        // A single-server report: its logs do not say the machine's name.
        let _ = write!(
            h,
            "<span id=\"servers\">{}</span>",
            label("page_one_server", lang)
        );
    } else {
        let list = format!(
            "<span id=\"servers\">{}</span>",
            escape(&servers.join(", "))
        );
        h.push_str(&label_with("page_servers", lang, &[("list", &list)]));
    }
    let (sites, more) = site_count(&services);
    let count = format!(
        "<span id=\"site-count\">{}{}</span>",
        num(sites, lang),
        if more { "+" } else { "" }
    );
    let _ = write!(
        h,
        " &middot; {}",
        label_with("page_sites", lang, &[("n", &count)])
    );
    let svc: Vec<&str> = services.keys().map(|s| s.name()).collect();
    let _ = write!(
        h,
        " &middot; {}",
        label_with("page_services", lang, &[("list", &escape(&svc.join(", ")))])
    );
    let _ = write!(
        h,
        " &middot; <span id=\"time-zone\">{}</span> &middot; {}</div>",
        label_with("page_zone", lang, &[("zone", &escape(&day.zone.label()))]),
        label("page_made_by", lang)
    );
    if total == 0 {
        // A day no log holds a line for is not a quiet day: said first, in red.
        let _ = writeln!(
            h,
            "<p id=\"no-logs\" style=\"color:#b00020;font-weight:bold\">{}</p>",
            label_with("page_no_logs", lang, &[("date", &date)])
        );
    }
    let all_hours: Vec<(LocalHour, HourStats)> =
        rows.iter().map(|k| (*k, HourStats::default())).collect();
    if let Some(note) = clock_change(&all_hours, lang) {
        let _ = writeln!(
            h,
            "<p class=\"sub\" id=\"clock-change\">{}</p>",
            escape(&note)
        );
    }

    if total > 0 {
        h.push_str(&attention(lang, day, &services, summary, alerts));
    }

    // The whole day in one line: a class adds different things per service (an FTP 530
    // is a wrong password, an HTTP 500 a broken application), so only requests are summed.
    let _ = write!(
        h,
        "<h2>{}</h2><p id=\"whole-day\">{}",
        label("page_totals", lang),
        label_with(
            "page_n_requests",
            lang,
            &[(
                "n",
                &format!(
                    "<b><span id=\"total-requests\">{}</span></b>",
                    num(total, lang)
                )
            )]
        )
    );
    if services.len() > 1 {
        let per: Vec<String> = services
            .iter()
            .map(|(s, t)| format!("{} {}", s.name(), num(t.requests(), lang)))
            .collect();
        let _ = write!(h, " ({})", per.join(", "));
    }
    h.push_str("</p>\n");
    if let Some(lines) = &day.lines {
        h.push_str(&line_account(lines, total, lang));
    }

    for (service, t) in &services {
        h.push_str(&service_section(day, *service, t, &rows, summary, lang));
    }

    if !day.trend.is_empty() {
        let _ = writeln!(h, "<h2>{}</h2>", label("page_last_30", lang));
        h.push_str(&trend_chart(&day.trend, lang));
    }

    // Top codes.
    let cat = Catalogue::builtin();
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table id=\"codes\"><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th>{}</th><th>{}</th></tr>",
        label("page_top_codes", lang),
        label("page_service", lang),
        label("page_status", lang),
        label("page_count", lang),
        label("page_percent", lang),
        label("page_meaning", lang),
        label("page_causes", lang)
    );
    for row in summary.rows.iter().take(25) {
        let code = format!(
            "{}.{} ({})",
            code_text(row.status),
            code_text(row.substatus),
            code_text(row.win32_status)
        );
        let causes = cat.causes(row.service, row.status.value(), row.substatus.value(), lang);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td>{}</td><td>{}</td></tr>",
            row.service.name(),
            escape(&code),
            num(row.count, lang),
            row.percent,
            escape(&row.description),
            escape(&causes)
        );
    }
    h.push_str("</table>\n");

    // Top error URLs.
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table id=\"top-errors\"><tr><th>{}</th><th>{}</th><th>URL</th><th class=\"n\">{}</th></tr>",
        label("page_top_errors", lang),
        label("page_service", lang),
        label("page_status", lang),
        label("page_count", lang)
    );
    let mut any = false;
    for (service, t) in &services {
        for (&(status, sub), pair) in &t.top {
            for c in pair.uris.sorted().into_iter().take(5) {
                any = true;
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}.{}</td><td class=\"uri\">{}</td><td class=\"n\">{}</td></tr>",
                    service.name(),
                    status,
                    code_text(sub),
                    escape(&c.value),
                    num(c.count, lang)
                );
            }
        }
    }
    if !any {
        let _ = writeln!(
            h,
            "<tr><td colspan=\"4\">{}</td></tr>",
            label("page_no_error_urls", lang)
        );
    }
    h.push_str("</table>\n");
    let _ = writeln!(
        h,
        "<p class=\"sub\">{}</p>\n</body></html>",
        label("page_footnote", lang)
    );
    h
}

/// Sites the site table names; the others are summed in one row, so the page stays
/// short on a server of hundreds of sites.
const SITES_SHOWN: usize = 25;

/// The sites of the day (of every service but HTTPERR, which HTTP.sys logs for no
/// site), and whether more were folded into [`OTHER_SITES`] before counting.
fn site_count(services: &BTreeMap<Service, std::borrow::Cow<'_, DayTally>>) -> (u64, bool) {
    let mut sites = std::collections::BTreeSet::new();
    let mut more = false;
    for (service, t) in services {
        if *service == Service::HttpErr {
            continue;
        }
        for (site, _) in t.codes.keys() {
            if site == OTHER_SITES {
                more = true;
            } else {
                sites.insert((*service, site.as_str()));
            }
        }
    }
    (sites.len() as u64, more)
}

/// Requests, classes 2xx to 5xx and faults of one site.
#[derive(Default)]
struct SiteRow {
    requests: u64,
    classes: [u64; 6],
    faults: u64,
}

impl SiteRow {
    fn add(&mut self, other: &SiteRow) {
        self.requests += other.requests;
        self.faults += other.faults;
        for (a, b) in self.classes.iter_mut().zip(other.classes) {
            *a += b;
        }
    }
}

/// A service's sites, busiest first ([`SITES_SHOWN`] of them, the rest in one row):
/// requests, 2xx to 5xx, and faults (the requests whose row in the day's summary has the
/// verdict `fault`).
fn site_table(service: Service, t: &DayTally, summary: &Summary, lang: Lang) -> String {
    let faulty: std::collections::BTreeSet<(Code, Code, Code)> = summary
        .rows
        .iter()
        .filter(|r| r.service == service && r.verdict == Verdict::Fault)
        .map(|r| (r.status, r.substatus, r.win32_status))
        .collect();
    let mut per: BTreeMap<&str, SiteRow> = BTreeMap::new();
    for ((site, k), &n) in &t.codes {
        let row = per.entry(site.as_str()).or_default();
        row.requests += n;
        row.classes[class_of(k.status)] += n;
        if faulty.contains(&(k.status, k.substatus, k.win32)) {
            row.faults += n;
        }
    }
    // Sites past collect's own bound come summed, uncounted: the count is then a floor.
    let mut other = per.remove(OTHER_SITES);
    let floor = if other.is_some() { "+" } else { "" };
    let mut ranked: Vec<(&str, SiteRow)> = per.into_iter().collect();
    ranked.sort_by(|a, b| b.1.requests.cmp(&a.1.requests).then(a.0.cmp(b.0)));
    let mut folded = 0usize;
    for (_, row) in ranked.drain(SITES_SHOWN.min(ranked.len())..) {
        other.get_or_insert_with(SiteRow::default).add(&row);
        folded += 1;
    }
    let name = service.name();
    let mut h = format!(
        "<h3>{}</h3>\n<table id=\"sites-{name}\"><tr><th>{}</th><th class=\"n\">{}</th>\
<th class=\"n\">2xx</th><th class=\"n\">3xx</th><th class=\"n\">4xx</th><th class=\"n\">5xx</th><th class=\"n\">{}</th></tr>\n",
        label("page_sites_title", lang),
        label("page_site", lang),
        label("page_requests", lang),
        label("page_faults_col", lang)
    );
    let row = |h: &mut String, label: &str, r: &SiteRow| {
        let _ = writeln!(
            h,
            "<tr><td>{label}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            num(r.requests, lang),
            num(r.classes[2], lang),
            num(r.classes[3], lang),
            num(r.classes[4], lang),
            num(r.classes[5], lang),
            num(r.faults, lang)
        );
    };
    for (site, r) in &ranked {
        row(&mut h, &escape(site), r);
    }
    if let Some(r) = &other {
        let label = if folded > 0 {
            format!(
                "{} ({}{floor})",
                label("page_other_sites", lang),
                num(folded as u64, lang)
            )
        } else {
            label("page_other_sites", lang).to_string()
        };
        row(&mut h, &label, r);
    }
    h.push_str("</table>\n");
    h
}

/// A service's title on the page.
fn service_title(service: Service) -> &'static str {
    match service {
        Service::Http => "Web (HTTP)",
        Service::Ftp => "FTP",
        Service::Smtp => "SMTP",
        Service::HttpErr => "HTTP.sys (HTTPERR)",
    }
}

/// One service's section: its cards (requests, 2xx to 5xx with their share of the
/// service's requests), its hours, and the FTP or HTTPERR details.
fn service_section(
    day: &ReportDay,
    service: Service,
    t: &DayTally,
    rows: &[LocalHour],
    summary: &Summary,
    lang: Lang,
) -> String {
    let name = service.name();
    let hours: Vec<(LocalHour, HourStats)> = rows
        .iter()
        .map(|k| (*k, t.hours.get(k).cloned().unwrap_or_default()))
        .collect();
    let no_hour = &t.no_hour;
    let mut classes = [0u64; 6];
    for hs in hours.iter().map(|(_, hs)| hs).chain([no_hour]) {
        for (a, b) in classes.iter_mut().zip(hs.classes) {
            *a += b;
        }
    }
    let total: u64 = classes.iter().sum();
    let mut h = format!(
        "<section id=\"service-{name}\"><h2>{}</h2><div class=\"cards\">",
        service_title(service)
    );
    let _ = write!(
        h,
        "<div class=\"card\"><div class=\"v\" id=\"{name}-requests\">{}</div><div class=\"l\">{}</div></div>",
        num(total, lang),
        label("page_requests", lang)
    );
    for c in [2, 3, 4, 5] {
        let _ = write!(
            h,
            "<div class=\"card\"><div class=\"v\" style=\"color:{}\"><span id=\"{name}-{}\">{}</span></div>\
<div class=\"l\">{} &middot; {}%</div></div>",
            COLORS[c],
            CLASS_NAMES[c],
            num(classes[c], lang),
            CLASS_NAMES[c],
            pct(classes[c], total)
        );
    }
    h.push_str("</div>\n");

    let _ = writeln!(h, "<h3>{}</h3>", label("page_hour_chart", lang));
    h.push_str(&hour_chart(&hours, lang));
    h.push_str("<div class=\"legend\">");
    for &c in STACK.iter().rev() {
        let _ = write!(
            h,
            "<span><i style=\"background:{}\"></i>{}</span>",
            COLORS[c],
            if c == 0 {
                label("page_other", lang)
            } else {
                CLASS_NAMES[c]
            }
        );
    }
    h.push_str("</div>\n");
    let _ = writeln!(h, "<h3>{}</h3>", label("page_error_chart", lang));
    if classes[4] + classes[5] == 0 {
        let _ = writeln!(h, "<p class=\"sub\">{}</p>", label("page_no_errors", lang));
    } else {
        h.push_str(&error_chart(&hours, lang));
        let _ = writeln!(
            h,
            "<div class=\"legend\"><span><i style=\"background:{}\"></i>4xx</span><span><i style=\"background:{}\"></i>5xx</span></div>",
            COLORS[4], COLORS[5]
        );
    }
    // The 24 rows are there for the exact numbers; the charts above give the picture,
    // so the table is folded (a click opens it, printing shows what is open).
    let _ = writeln!(
        h,
        "<details><summary>{}</summary>",
        label("page_hour_table", lang)
    );
    let _ = writeln!(
        h,
        "<table id=\"by-hour-{name}\"><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">2xx</th><th class=\"n\">3xx</th><th class=\"n\">4xx</th><th class=\"n\">5xx</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr>",
        label("page_hour", lang),
        label("page_utc_offset", lang),
        label("page_requests", lang),
        label("page_mean_ms", lang),
        label("page_p95_ms", lang)
    );
    let f = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.1}"));
    for (k, hs) in &hours {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            k.hour_text(),
            k.offset_text(),
            num(hs.requests(), lang),
            num(hs.classes[2], lang),
            num(hs.classes[3], lang),
            num(hs.classes[4], lang),
            num(hs.classes[5], lang),
            f(hs.mean_ms()),
            f(hs.p95_ms())
        );
    }
    if no_hour.requests() > 0 {
        let _ = writeln!(
            h,
            "<tr id=\"unknown-hour-{name}\"><td>{}</td><td></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            label("page_unknown_hour", lang),
            num(no_hour.requests(), lang),
            num(no_hour.classes[2], lang),
            num(no_hour.classes[3], lang),
            num(no_hour.classes[4], lang),
            num(no_hour.classes[5], lang),
            f(no_hour.mean_ms()),
            f(no_hour.p95_ms())
        );
    }
    h.push_str("</table></details>\n");
    if service != Service::HttpErr {
        h.push_str(&site_table(service, t, summary, lang));
    }
    match service {
        Service::Ftp => h.push_str(&ftp_section(day, t, lang)),
        Service::HttpErr => h.push_str(&httperr_section(t, lang)),
        _ => {}
    }
    h.push_str("</section>\n");
    h
}

/// The rows of `summary` with verdict `v`, most requests first (ties in code order, so
/// the page is the same on every run).
fn rows_of(summary: &Summary, v: Verdict) -> Vec<&Row> {
    let mut rows: Vec<&Row> = summary.rows.iter().filter(|r| r.verdict == v).collect();
    rows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then((a.service, a.status, a.substatus, a.win32_status).cmp(&(
                b.service,
                b.status,
                b.substatus,
                b.win32_status,
            )))
    });
    rows
}

/// `status.substatus (win32)` of a row.
fn row_code(row: &Row) -> String {
    format!(
        "{}.{} ({})",
        code_text(row.status),
        code_text(row.substatus),
        code_text(row.win32_status)
    )
}

/// The top values of a row's status and substatus (its win32 values share the list),
/// as `value (count)`, joined.
fn top_values(
    services: &BTreeMap<Service, std::borrow::Cow<'_, DayTally>>,
    row: &Row,
    ips: bool,
    n: usize,
    lang: Lang,
) -> String {
    let crate::tally::Code::Value(status) = row.status else {
        return String::new();
    };
    let Some(pair) = services
        .get(&row.service)
        .and_then(|t| t.top.get(&(status, row.substatus)))
    else {
        return String::new();
    };
    let list = if ips { &pair.ips } else { &pair.uris };
    list.sorted()
        .into_iter()
        .take(n)
        .map(|c| format!("{} ({})", escape(&c.value), num(c.count, lang)))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// `HH:MM` of a UTC second in the day's zone.
fn clock_time(zone: &Zone, utc: i64) -> String {
    let local = (utc + i64::from(zone.span(utc).offset)).rem_euclid(86_400);
    format!("{:02}:{:02}", local / 3600, local % 3600 / 60)
}

/// When a row's requests began and ended (`08:03 to 17:40`, minutes in the day's zone),
/// if its lines log a time (and the history that counted them is of version 8 or later).
fn seen_text(
    lang: Lang,
    day: &ReportDay,
    services: &BTreeMap<Service, std::borrow::Cow<'_, DayTally>>,
    row: &Row,
) -> String {
    let codes = Codes {
        status: row.status,
        substatus: row.substatus,
        win32: row.win32_status,
    };
    match services.get(&row.service).and_then(|t| t.seen.get(&codes)) {
        Some(s) if s.first == s.last => clock_time(&day.zone, s.first),
        Some(s) => label_with(
            "page_seen_range",
            lang,
            &[
                ("first", &clock_time(&day.zone, s.first)),
                ("last", &clock_time(&day.zone, s.last)),
            ],
        ),
        None => String::new(),
    }
}

/// How a row compares with the days before it, when a history is kept: new (not seen
/// in the previous 30 days), or the median of its requests over the previous 7 days
/// with requests (a day without it counts 0) and how many times that the day has.
fn compared_text(baseline: &Baseline, row: &Row, lang: Lang) -> String {
    if baseline.seen30.is_empty() {
        return label("page_no_history", lang).to_string();
    }
    let key = (
        row.service,
        Codes {
            status: row.status,
            substatus: row.substatus,
            win32: row.win32_status,
        },
    );
    if !baseline.seen30.contains(&key) {
        return label("page_new", lang).to_string();
    }
    let mut per_day: Vec<u64> = baseline
        .prev7
        .iter()
        .map(|d| d.get(&key).copied().unwrap_or(0))
        .collect();
    per_day.sort_unstable();
    let n = per_day.len();
    if n == 0 {
        return label("page_not_last7", lang).to_string();
    }
    // The median; of an even count, the mean of the middle two.
    let median = if n % 2 == 1 {
        per_day[n / 2] as f64
    } else {
        (per_day[n / 2 - 1] + per_day[n / 2]) as f64 / 2.0
    };
    if median == 0.0 {
        return label_with("page_median_zero", lang, &[("n", &n.to_string())]);
    }
    label_with(
        "page_median",
        lang,
        &[
            ("median", &median.to_string()),
            ("n", &n.to_string()),
            ("times", &format!("{:.1}", row.count as f64 / median)),
        ],
    )
}

/// The application pools an HTTPERR row's refusals name (`s-queuename`, logged for
/// 503s), most requests first, as `pool (count)`.
fn pools_of(
    services: &BTreeMap<Service, std::borrow::Cow<'_, DayTally>>,
    row: &Row,
    lang: Lang,
) -> String {
    if row.service != Service::HttpErr {
        return String::new();
    }
    let Some(t) = services.get(&Service::HttpErr) else {
        return String::new();
    };
    let mut pools: BTreeMap<&str, u64> = BTreeMap::new();
    for (k, n) in &t.httperr {
        if k.status == row.status && k.queue != "-" {
            *pools.entry(k.queue.as_str()).or_insert(0) += n;
        }
    }
    let mut pools: Vec<(&str, u64)> = pools.into_iter().collect();
    pools.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    pools
        .into_iter()
        .take(3)
        .map(|(p, n)| format!("{} ({})", escape(p), num(n, lang)))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// **Needs attention**, first on the page: the alerts that tripped, the day's faults
/// (most requests first) with when they began and ended, their top URLs and clients, the
/// application pools of HTTPERR refusals and, with a history, how they compare with the
/// days before; then probes with their top sources, then one line for the noise.
fn attention(
    lang: Lang,
    day: &ReportDay,
    services: &BTreeMap<Service, std::borrow::Cow<'_, DayTally>>,
    summary: &Summary,
    alerts: &[Tripped],
) -> String {
    let mut h = format!(
        "<section id=\"needs-attention\"><h2>{}</h2>\n",
        label("page_attention", lang)
    );
    let faults = rows_of(summary, Verdict::Fault);
    let probes = rows_of(summary, Verdict::Probe);
    if faults.is_empty() && probes.is_empty() && alerts.is_empty() {
        let _ = writeln!(
            h,
            "<p id=\"all-clear\" style=\"color:#2e7d32;font-weight:bold\">{}</p>",
            label("page_all_clear", lang)
        );
    }
    if !alerts.is_empty() {
        let _ = writeln!(
            h,
            "<table id=\"alerts\"><tr><th>{}</th><th>{}</th></tr>",
            label("page_alert_rule", lang),
            label("page_figures", lang)
        );
        for a in alerts {
            let _ = writeln!(
                h,
                "<tr><td style=\"color:#b00020;font-weight:bold\">{}</td><td>{}</td></tr>",
                escape(&a.rule),
                escape(&a.figures)
            );
        }
        h.push_str("</table>\n");
    }
    let history = day.baseline.as_ref();
    let compared_th = if history.is_some() {
        format!("<th>{}</th>", label("page_compared", lang))
    } else {
        String::new()
    };
    let compared = |row: &Row| match history {
        Some(b) => format!(
            "<td class=\"compared\">{}</td>",
            escape(&compared_text(b, row, lang))
        ),
        None => String::new(),
    };
    if !faults.is_empty() {
        let pools = faults
            .iter()
            .any(|r| !pools_of(services, r, lang).is_empty());
        let _ = writeln!(
            h,
            "<h3>{}</h3>\n<table id=\"faults\"><tr><th>{}</th><th>{}</th>\
<th class=\"n\">{}</th>{compared_th}<th>{}</th><th>{}</th><th>{}</th>\
<th>{}</th><th>{}</th>{}</tr>",
            label("page_faults", lang),
            label("page_service", lang),
            label("page_status", lang),
            label("page_requests", lang),
            label("page_seen", lang),
            label("page_meaning", lang),
            label("page_why", lang),
            label("page_top_urls", lang),
            label("page_top_clients", lang),
            if pools {
                format!("<th>{}</th>", label("page_pools", lang))
            } else {
                String::new()
            }
        );
        for row in &faults {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td>{}<td class=\"seen\">{}</td><td>{}</td><td>{}</td>\
<td class=\"uri\">{}</td><td class=\"uri\">{}</td>{}</tr>",
                row.service.name(),
                escape(&row_code(row)),
                num(row.count, lang),
                compared(row),
                seen_text(lang, day, services, row),
                escape(&row.description),
                escape(&row.why),
                top_values(services, row, false, 3, lang),
                top_values(services, row, true, 3, lang),
                if pools {
                    format!("<td class=\"uri pools\">{}</td>", pools_of(services, row, lang))
                } else {
                    String::new()
                }
            );
        }
        h.push_str("</table>\n");
    }
    if !probes.is_empty() {
        let _ = writeln!(
            h,
            "<h3>{}</h3>\n<table id=\"probes\"><tr><th>{}</th><th>{}</th>\
<th class=\"n\">{}</th>{compared_th}<th>{}</th><th>{}</th><th>{}</th></tr>",
            label("page_probes", lang),
            label("page_service", lang),
            label("page_status", lang),
            label("page_requests", lang),
            label("page_seen", lang),
            label("page_why", lang),
            label("page_top_sources", lang)
        );
        for row in &probes {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td>{}<td class=\"seen\">{}</td><td>{}</td><td class=\"uri\">{}</td></tr>",
                row.service.name(),
                escape(&row_code(row)),
                num(row.count, lang),
                compared(row),
                seen_text(lang, day, services, row),
                escape(&row.why),
                top_values(services, row, true, 3, lang)
            );
        }
        h.push_str("</table>\n");
    }
    let noise = rows_of(summary, Verdict::Noise);
    let noise_n: u64 = noise.iter().map(|r| r.count).sum();
    let _ = writeln!(
        h,
        "<p id=\"noise\" class=\"sub\">{}</p>",
        label_with(
            "page_noise",
            lang,
            &[
                (
                    "n",
                    &format!("<span id=\"noise-requests\">{}</span>", num(noise_n, lang))
                ),
                ("rows", &num(noise.len() as u64, lang))
            ]
        )
    );
    h.push_str("</section>\n");
    h
}

/// The line account of the logs that hold the day (`on_day`: the day's requests): every
/// line they gave, so what was not counted is seen too.
fn line_account(l: &DayLines, on_day: u64, lang: Lang) -> String {
    let other = num(l.requests.saturating_sub(on_day + l.undated), lang);
    let on_day = num(on_day, lang);
    let span = |id: &str, n: u64| format!("<span id=\"{id}\">{}</span>", num(n, lang));
    let mut text = format!(
        "<p class=\"sub\" id=\"lines\">{}",
        label_with(
            "page_lines",
            lang,
            &[
                ("files", &span("lines-files", l.files)),
                ("lines", &span("lines-total", l.lines)),
                ("requests", &span("lines-requests", l.requests)),
                ("on_day", &on_day),
                ("other", &other),
                ("undated", &num(l.undated, lang)),
                ("directives", &num(l.directives, lang)),
                ("blank", &num(l.blank, lang)),
                ("skipped", &span("lines-skipped", l.skipped)),
            ]
        )
    );
    if l.skipped > 0 {
        let _ = write!(
            text,
            " ({})",
            label_with(
                "page_verbose",
                lang,
                &[("command", "<code>iislog report --verbose</code>")]
            )
        );
    }
    text.push_str(".</p>\n");
    text
}

/// FTP: requests per command, and failed logins (530) by client IP and user name; empty
/// when the day has no FTP requests.
fn ftp_section(day: &ReportDay, ftp: &DayTally, lang: Lang) -> String {
    let mut h = format!(
        "<h3>{}</h3>\n<table id=\"ftp-commands\"><tr><th>{}</th><th class=\"n\">{}</th><th>{}</th></tr>\n",
        label("page_ftp_commands", lang),
        label("page_command", lang),
        label("page_requests", lang),
        label("page_statuses", lang)
    );
    let mut per: BTreeMap<&str, (u64, BTreeMap<String, u64>)> = BTreeMap::new();
    for ((command, k), n) in &ftp.ftp_commands {
        let e = per.entry(command).or_default();
        e.0 += n;
        *e.1.entry(code_text(k.status)).or_insert(0) += n;
    }
    let mut rows: Vec<_> = per.into_iter().collect();
    rows.sort_by(|a, b| (b.1).0.cmp(&(a.1).0).then(a.0.cmp(b.0)));
    for (command, (n, statuses)) in rows {
        let statuses: Vec<String> = statuses
            .iter()
            .map(|(s, c)| format!("{s}: {}", num(*c, lang)))
            .collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(command),
            num(n, lang),
            escape(&statuses.join(", "))
        );
    }
    h.push_str("</table>\n");
    let (ips, users) = day.ftp_failed_logins();
    let _ = writeln!(
        h,
        "<h3>{}</h3>\n<table id=\"ftp-failed-logins\"><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th></tr>",
        label("page_ftp_failed", lang),
        label("page_by", lang),
        label("page_value", lang),
        label("page_count", lang)
    );
    let mut any = false;
    for (kind, list) in [
        (label("page_client_ip", lang), &ips),
        (label("page_user", lang), &users),
    ] {
        for c in list.sorted().into_iter().take(topn::SHOWN) {
            any = true;
            let _ = writeln!(
                h,
                "<tr><td>{kind}</td><td class=\"uri\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&c.value),
                num(c.count, lang)
            );
        }
    }
    if !any {
        let _ = writeln!(
            h,
            "<tr><td colspan=\"3\">{}</td></tr>",
            label("page_no_failed", lang)
        );
    }
    h.push_str("</table>\n");
    h
}

/// Rows of the HTTPERR table shown; httperr.csv holds them all.
const HTTPERR_SHOWN: usize = 25;

/// HTTPERR: the requests HTTP.sys refused or dropped before they reached IIS, by status,
/// reason and (for 503s) application pool, with each reason's meaning and usual causes;
/// empty when the day has no HTTPERR requests. Requests a history counted before it kept
/// reasons (version 5 and older) are in the totals but not here, and the page says so.
fn httperr_section(t: &DayTally, lang: Lang) -> String {
    let rows = httperr::rows(&t.httperr, Catalogue::builtin(), lang, true);
    let mut h = format!(
        "<h3>{}</h3>\n<p class=\"sub\">{}</p>\n",
        label("page_httperr_title", lang),
        label("page_httperr_intro", lang)
    );
    let kept: u64 = rows.iter().map(|r| r.count).sum();
    let requests = t.requests();
    if requests > kept {
        let _ = writeln!(
            h,
            "<p class=\"sub\" id=\"httperr-unkept\">{}</p>",
            escape(&label_with(
                "page_httperr_unkept",
                lang,
                &[
                    ("n", &num(requests - kept, lang)),
                    ("total", &num(requests, lang))
                ]
            ))
        );
    }
    let _ = writeln!(
        h,
        "<table id=\"httperr\"><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        label("page_status", lang),
        label("page_reason", lang),
        label("page_queue", lang),
        label("page_count", lang),
        label("page_percent", lang),
        label("page_verdict", lang),
        label("page_meaning", lang),
        label("page_causes", lang)
    );
    for r in rows.iter().take(HTTPERR_SHOWN) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td title=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&code_text(r.status)),
            escape(&r.reason),
            escape(&r.queue),
            num(r.count, lang),
            r.percent,
            escape(&r.why),
            r.verdict.name(),
            escape(&r.description),
            escape(r.causes.as_deref().unwrap_or(""))
        );
    }
    if rows.len() > HTTPERR_SHOWN {
        let _ = writeln!(
            h,
            "<tr><td colspan=\"8\">{}</td></tr>",
            label_with(
                "page_more_rows",
                lang,
                &[
                    ("n", &num((rows.len() - HTTPERR_SHOWN) as u64, lang)),
                    ("file", "httperr.csv")
                ]
            )
        );
    }
    h.push_str("</table>\n");
    h
}

/// On a day whose clocks changed, what happened: "This day has 25 hours: ...".
fn clock_change(hours: &[(LocalHour, HourStats)], lang: Lang) -> Option<String> {
    let (first, last) = (hours.first()?.0, hours.last()?.0);
    if first.offset == last.offset && hours.iter().all(|(k, _)| k.offset == first.offset) {
        return None;
    }
    let n = hours.len();
    let mut repeated: Vec<String> = Vec::new();
    for (i, (k, _)) in hours.iter().enumerate() {
        if hours[..i].iter().any(|(p, _)| p.hour == k.hour) {
            repeated.push(label_with(
                "page_came_twice",
                lang,
                &[("hour", &k.hour_text())],
            ));
        }
    }
    let how = if repeated.is_empty() {
        label("page_clocks_forward", lang).to_string()
    } else {
        label_with("page_clocks_back", lang, &[("hours", &repeated.join(", "))])
    };
    Some(label_with(
        "page_clock_change",
        lang,
        &[
            ("n", &n.to_string()),
            ("how", &how),
            ("from", &first.offset_text()),
            ("to", &last.offset_text()),
        ],
    ))
}

/// Size of the hour charts: width, height, left margin (the axis labels), bottom margin.
const CHART: (f64, f64, f64, f64) = (960.0, 240.0, 76.0, 24.0);

/// The y axis of an hour chart up to `top` in steps of `step`: a labelled gridline per
/// step. Returns the pixels per request.
fn y_axis(s: &mut String, step: u64, top: u64, lang: Lang) -> f64 {
    let (w, ht, left, bottom) = CHART;
    let scale = (ht - bottom - 10.0) / top as f64;
    for i in 0..=top / step {
        let v = step * i;
        let y = ht - bottom - v as f64 * scale;
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{}\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            w - 10.0,
            if i == 0 { "#9e9e9e" } else { "#e0e0e0" },
            left - 4.0,
            y + 4.0,
            num(v, lang)
        );
    }
    scale
}

/// The hour label under a bar group.
fn x_label(s: &mut String, x: f64, label: &str) {
    let _ = write!(
        s,
        "<text x=\"{x:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{label}</text>",
        CHART.1 - 8.0
    );
}

/// A chart of one bar slot per hour on a round axis from 0 to `peak`, labelled for
/// screen readers by text `aria`; `bars` draws an hour's bars into its slot (left edge,
/// width, pixels per request).
fn per_hour_chart(
    hours: &[(LocalHour, HourStats)],
    lang: Lang,
    aria: &str,
    peak: u64,
    bars: impl Fn(&mut String, (f64, f64, f64), &LocalHour, &HourStats),
) -> String {
    let (w, ht, left, _) = CHART;
    let (step, top) = axis(peak);
    let bw = (w - left - 10.0) / hours.len().max(1) as f64;
    let mut s = format!(
        "<svg width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" role=\"img\" aria-label=\"{}\">",
        label(aria, lang)
    );
    let scale = y_axis(&mut s, step, top, lang);
    for (i, (k, hs)) in hours.iter().enumerate() {
        let x = left + i as f64 * bw;
        bars(&mut s, (x, bw, scale), k, hs);
        x_label(&mut s, x + bw / 2.0, &k.hour_text());
    }
    s.push_str("</svg>\n");
    s
}

/// One bar: `n` requests of class `c` in hour `k`, at (`x`, `y`), `w` by `h` pixels,
/// with a tooltip that says so.
fn bar(
    s: &mut String,
    (x, y, w, h): (f64, f64, f64, f64),
    c: usize,
    k: &LocalHour,
    n: u64,
    lang: Lang,
) {
    let _ = write!(
        s,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{}h ({}) {}: {}</title></rect>",
        COLORS[c],
        k.hour_text(),
        k.offset_text(),
        CLASS_NAMES[c],
        num(n, lang)
    );
}

/// Requests per hour, stacked by status class, on a round axis.
fn hour_chart(hours: &[(LocalHour, HourStats)], lang: Lang) -> String {
    let (_, ht, _, bottom) = CHART;
    let peak = hours.iter().map(|(_, h)| h.requests()).max().unwrap_or(0);
    per_hour_chart(
        hours,
        lang,
        "page_hour_chart",
        peak,
        |s, (x, bw, scale), k, hs| {
            let mut y = ht - bottom;
            for &c in &STACK {
                let n = hs.classes[c];
                if n == 0 {
                    continue;
                }
                let hh = n as f64 * scale;
                y -= hh;
                bar(s, (x + 2.0, y, bw - 4.0, hh), c, k, n, lang);
            }
        },
    )
}

/// 4xx and 5xx per hour side by side, on an axis of their own: at 0.8 % of six million
/// requests, 5xx are a hairline on the stacked chart, and here they fill the height.
fn error_chart(hours: &[(LocalHour, HourStats)], lang: Lang) -> String {
    let (_, ht, _, bottom) = CHART;
    let peak = hours
        .iter()
        .map(|(_, h)| h.classes[4].max(h.classes[5]))
        .max()
        .unwrap_or(0);
    per_hour_chart(
        hours,
        lang,
        "page_error_chart",
        peak,
        |s, (x, bw, scale), k, hs| {
            let half = ((bw - 4.0) / 2.0).max(0.5);
            for (j, c) in [4usize, 5].into_iter().enumerate() {
                let n = hs.classes[c];
                if n == 0 {
                    continue;
                }
                let hh = n as f64 * scale;
                bar(
                    s,
                    (x + 2.0 + j as f64 * half, ht - bottom - hh, half, hh),
                    c,
                    k,
                    n,
                    lang,
                );
            }
        },
    )
}

fn trend_chart(trend: &[(i32, u64, u64, u64)], lang: Lang) -> String {
    let (w, ht, left, bottom) = (960.0, 220.0, 56.0, 36.0);
    let max = trend.iter().map(|t| t.1).max().unwrap_or(0).max(1);
    let scale = (ht - bottom - 10.0) / max as f64;
    let bw = (w - left - 60.0) / trend.len().max(1) as f64;
    let max_share = trend
        .iter()
        .map(|t| {
            if t.1 == 0 {
                0.0
            } else {
                t.2 as f64 / t.1 as f64
            }
        })
        .fold(0.0f64, f64::max)
        .max(0.01);
    let mut s = format!(
        "<svg width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" role=\"img\" aria-label=\"last 30 days\">"
    );
    let mut points = Vec::new();
    for (i, &(day, req, err, _)) in trend.iter().enumerate() {
        let x = left + i as f64 * bw;
        let hh = req as f64 * scale;
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{hh:.1}\" fill=\"#90caf9\"><title>{}: {} requests, {} errors</title></rect>",
            x + 1.0,
            ht - bottom - hh,
            (bw - 2.0).max(1.0),
            day_text(day),
            num(req, lang),
            num(err, lang)
        );
        let share = if req == 0 {
            0.0
        } else {
            err as f64 / req as f64
        };
        let y = ht - bottom - share / max_share * (ht - bottom - 10.0);
        points.push(format!("{:.1},{y:.1}", x + bw / 2.0));
        if i % 5 == 0 || i + 1 == trend.len() {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                x + bw / 2.0,
                ht - 20.0,
                &day_text(day)[5..]
            );
        }
    }
    let _ = write!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#e53935\" stroke-width=\"2\"/>\
<text x=\"{left}\" y=\"{}\" font-size=\"11\">{}</text></svg>",
        points.join(" "),
        ht - 4.0,
        label_with(
            "page_trend_legend",
            lang,
            &[
                ("max", &num(max, lang)),
                ("share", &format!("{:.2}", max_share * 100.0))
            ]
        )
    );
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("/<script>alert('x')</script>&\""),
            "/&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }

    /// Every `page_*` label has a Japanese and a Norwegian text of our own, with the same
    /// placeholders as the English, and the page uses only keys the catalogue defines.
    #[test]
    fn every_page_label_is_translated() {
        use crate::catalogue::Origin;
        let cat = Catalogue::builtin();
        let keys: Vec<&str> = crate::catalogue::TEXT_KEYS
            .iter()
            .copied()
            .filter(|k| k.starts_with("page_"))
            .collect();
        assert!(keys.len() > 50, "{keys:?}");
        let holes = |text: &str| -> Vec<String> {
            let mut v: Vec<String> = text
                .split('{')
                .skip(1)
                .map(|p| p[..p.find('}').unwrap()].to_string())
                .collect();
            v.sort();
            v
        };
        for key in &keys {
            let row = cat.text_row(key).expect("defined");
            let en = row.raw(Lang::En);
            for lang in [Lang::Ja, Lang::Nb] {
                let text = row.raw(lang);
                assert!(!text.is_empty(), "{key} {lang}");
                assert_eq!(row.origin(lang), Some(Origin::Ours), "{key} {lang}");
                assert_eq!(holes(text), holes(en), "{key} {lang}");
            }
            // Japanese text is written in Japanese, not left in English.
            assert!(
                row.raw(Lang::Ja).chars().any(|c| c > '\u{3000}') || row.raw(Lang::Ja) == en,
                "{key}: {}",
                row.raw(Lang::Ja)
            );
        }
        let source = include_str!("html.rs");
        for used in source
            .split("label(\"")
            .chain(source.split("label_with(\""))
            .skip(1)
        {
            let key = &used[..used.find('"').unwrap()];
            if key.starts_with("page_") {
                assert!(keys.contains(&key), "{key} is not in TEXT_KEYS");
            }
        }
    }

    /// A day of 25 hours (02 twice, at +02:00 then +01:00) is told in the page's language.
    #[test]
    fn clock_change_is_translated() {
        let hours: Vec<(LocalHour, HourStats)> = (0..25u8)
            .map(|i| {
                let (hour, offset) = if i <= 2 { (i, 7200) } else { (i - 1, 3600) };
                (LocalHour { hour, offset }, HourStats::default())
            })
            .collect();
        let en = clock_change(&hours, Lang::En).expect("a change");
        assert!(en.starts_with("This day has 25 hours: the clocks went back, 02 came twice"));
        let ja = clock_change(&hours, Lang::Ja).expect("a change");
        assert!(
            ja.contains("25 時間") && ja.contains("02 時が 2 回"),
            "{ja}"
        );
        let nb = clock_change(&hours, Lang::Nb).expect("a change");
        assert!(
            nb.contains("25 timer") && nb.contains("02 kom to ganger"),
            "{nb}"
        );
    }

    /// Groups of three from the right; en and ja use a comma, nb a narrow no-break space.
    #[test]
    fn numbers_have_thousands_separators() {
        for (n, en) in [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1000, "1,000"),
            (65_536, "65,536"),
            (999_999, "999,999"),
            (1_234_567, "1,234,567"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ] {
            assert_eq!(num(n, Lang::En), en);
            assert_eq!(num(n, Lang::Ja), en);
            assert_eq!(num(n, Lang::Nb), en.replace(',', "\u{202f}"));
        }
    }

    /// Heights of the bars of colour `fill` in a chart.
    fn heights(svg: &str, fill: &str) -> Vec<f64> {
        svg.split("<rect ")
            .skip(1)
            .filter(|r| r.contains(&format!("fill=\"{fill}\"")))
            .map(|r| {
                let h = &r[r.find("height=\"").unwrap() + 8..];
                h[..h.find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    /// Six million requests in 24 hours, 0.8 % of them 5xx (2,000 an hour): on the
    /// stacked chart a 5xx bar is under 2 px of the 206 px plot; on the error chart, whose
    /// axis is the errors' own, it fills the plot (its top gridline is 2,000).
    #[test]
    fn errors_have_a_scale_of_their_own() {
        let hours: Vec<(LocalHour, HourStats)> = (0..24u8)
            .map(|hour| {
                let mut hs = HourStats::default();
                hs.classes[2] = 247_000;
                hs.classes[4] = 1_000;
                hs.classes[5] = 2_000;
                (LocalHour { hour, offset: 0 }, hs)
            })
            .collect();
        let plot = CHART.1 - CHART.3 - 10.0;
        let stacked = heights(&hour_chart(&hours, Lang::En), COLORS[5]);
        assert_eq!(stacked.len(), 24);
        assert!(stacked.iter().all(|&h| h < 2.0), "{stacked:?}");
        let errors = error_chart(&hours, Lang::En);
        let five = heights(&errors, COLORS[5]);
        let four = heights(&errors, COLORS[4]);
        assert_eq!((five.len(), four.len()), (24, 24));
        assert!(five.iter().all(|&h| (h - plot).abs() < 0.1), "{five:?}");
        assert!(
            four.iter().all(|&h| (h - plot / 2.0).abs() < 0.1),
            "{four:?}"
        );
        // Round, labelled ticks: 0 to 2,000 in steps of 500.
        for tick in ["0", "500", "1,000", "1,500", "2,000"] {
            assert!(errors.contains(&format!(">{tick}</text>")), "{tick}");
        }
    }

    /// 31 sites: `<i>` with 100 requests, and s00 to s29, site i with i + 1 requests (all
    /// 200s, one of s29's a 500.19 fault): the 25 busiest (`<i>`, escaped, then s29) are
    /// named, the 6 quietest summed in one row.
    #[test]
    fn site_table_is_bounded() {
        use crate::tally::Codes;
        let ok = Codes {
            status: Code::Value(200),
            substatus: Code::Value(0),
            win32: Code::Value(0),
        };
        let fault = Codes {
            status: Code::Value(500),
            substatus: Code::Value(19),
            win32: Code::Value(13),
        };
        let mut t = DayTally::default();
        for i in 0..30u64 {
            t.codes.insert((format!("s{i:02}"), ok), i + 1);
        }
        *t.codes.get_mut(&("s29".to_string(), ok)).unwrap() -= 1;
        t.codes.insert(("s29".to_string(), fault), 1);
        t.codes.insert(("<i>".to_string(), ok), 100);
        let summary = Summary {
            rows: vec![Row {
                service: Service::Http,
                status: fault.status,
                substatus: fault.substatus,
                win32_status: fault.win32,
                count: 1,
                percent: 0.0,
                verdict: Verdict::Fault,
                why: String::new(),
                description: String::new(),
                causes: None,
            }],
            files: Vec::new(),
            totals: Default::default(),
            requests: BTreeMap::new(),
        };
        let table = site_table(Service::Http, &t, &summary, Lang::En);
        let rows: Vec<&str> = table
            .lines()
            .filter(|l| l.starts_with("<tr><td>"))
            .collect();
        assert_eq!(rows.len(), 26, "{table}");
        assert!(rows[0].starts_with("<tr><td>&lt;i&gt;</td><td class=\"n\">100</td>"));
        assert_eq!(
            rows[1],
            "<tr><td>s29</td><td class=\"n\">30</td><td class=\"n\">29</td><td class=\"n\">0</td>\
<td class=\"n\">0</td><td class=\"n\">1</td><td class=\"n\">1</td></tr>"
        );
        // s00 to s05: 1 + 2 + 3 + 4 + 5 + 6 = 21 requests.
        assert!(
            rows[25].starts_with("<tr><td>other sites (6)</td><td class=\"n\">21</td>"),
            "{}",
            rows[25]
        );
    }

    /// Axis steps are 1, 2 or 5 times a power of ten; the top is a whole number of steps,
    /// at least the peak, and at most five steps.
    #[test]
    fn axes_have_round_steps() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(7), (2, 8));
        assert_eq!(axis(100), (20, 100));
        assert_eq!(axis(1_234_567), (500_000, 1_500_000));
        assert_eq!(axis(6_000_000), (2_000_000, 6_000_000));
        let mut peak = 1u64;
        while peak < u64::MAX / 20 {
            for p in [peak, peak + 1, peak * 3 - 1, peak * 7] {
                let (step, top) = axis(p);
                let mut m = step;
                while m % 10 == 0 {
                    m /= 10;
                }
                assert!([1, 2, 5].contains(&m), "{p}: step {step}");
                assert!(
                    top >= p && top % step == 0 && top / step <= 5,
                    "{p}: {step} {top}"
                );
            }
            peak *= 10;
        }
    }
}
