//! The HTTPERR section: requests HTTP.sys refused before they reached IIS, by status,
//! reason and (for 503s) application pool. A table after the summary's on a terminal, a
//! CSV of its own (the summary CSV keeps its columns), a key of the JSON document.

use std::io::{self, Write};

use super::csv::safe_cell;
use super::table::sanitize;
use crate::summary::code_text;
use crate::summary::httperr::HttpErrRow;

/// The HTTPERR CSV's columns, in order (`causes` follows with `--details`).
pub const HEADER: [&str; 8] = [
    "status",
    "reason",
    "queue",
    "count",
    "percent",
    "verdict",
    "why",
    "description",
];

fn cells(r: &HttpErrRow) -> [String; 6] {
    [
        code_text(r.status),
        r.reason.clone(),
        r.queue.clone(),
        r.count.to_string(),
        format!("{:.2}", r.percent),
        r.verdict.name().to_string(),
    ]
}

pub fn write_csv(
    rows: &[HttpErrRow],
    details: bool,
    bom: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = super::csv_writer(out, bom)?;
    let mut header = HEADER.to_vec();
    if details {
        header.push("causes");
    }
    w.write_record(&header)?;
    for r in rows {
        w.write_record(csv_record(r, details))?;
    }
    w.flush()
}

/// One row's CSV cells in [`HEADER`] order (`causes` last with `details`), text cells
/// formula-safe: what [`write_csv`] writes, for writers that add columns (a farm's
/// `server`).
pub fn csv_record(r: &HttpErrRow, details: bool) -> Vec<String> {
    let [status, reason, queue, count, percent, verdict] = cells(r);
    let mut record = vec![
        status,
        safe_cell(&reason).into_owned(),
        safe_cell(&queue).into_owned(),
        count,
        percent,
        verdict,
        safe_cell(&r.why).into_owned(),
        safe_cell(&r.description).into_owned(),
    ];
    if details {
        record.push(safe_cell(r.causes.as_deref().unwrap_or("")).into_owned());
    }
    record
}

/// A titled table, written after the summary's when there are HTTPERR rows.
pub fn write_table(rows: &[HttpErrRow], details: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "\nHTTPERR: requests refused by HTTP.sys before they reached IIS, by reason"
    )?;
    let header = ["STATUS", "REASON", "QUEUE", "COUNT", "PERCENT", "VERDICT"];
    // Faults first, then by count (the order they came in).
    let mut rows: Vec<&HttpErrRow> = rows.iter().collect();
    rows.sort_by_key(|r| r.verdict);
    let body: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let mut c = cells(r).map(|c| sanitize(&c).into_owned());
            c[4].push('%');
            c
        })
        .collect();
    let mut width = header.map(str::len);
    for row in &body {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let fill = " ".repeat(width[i].saturating_sub(c.chars().count()));
            if i == 0 || (3..=4).contains(&i) {
                s.push_str(&fill);
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&fill);
            }
            s.push_str("  ");
        }
        s
    };
    writeln!(out, "{}DESCRIPTION", line(header))?;
    for (row, r) in body.iter().zip(rows) {
        let text = line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]);
        writeln!(out, "{text}{}", sanitize(&r.description))?;
        if let Some(causes) = r.causes.as_deref().filter(|c| details && !c.is_empty()) {
            writeln!(
                out,
                "{:indent$}causes: {}",
                "",
                sanitize(causes),
                indent = text.chars().count()
            )?;
        }
    }
    Ok(())
}
