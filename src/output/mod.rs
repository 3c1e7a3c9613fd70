//! Writing a `Summary`: an aligned table for people, CSV for Excel and scripts, JSON for
//! programs, and workbooks (`xlsx`) that Excel opens the same in every locale. Each writer
//! only formats what the summary holds; choosing the format and the destination is the
//! caller's.

mod csv;
pub mod explain;
mod httperr;
mod json;
mod table;
pub mod xlsx;

use std::io::{self, Write};

use crate::summary::httperr::HttpErrRow;
use crate::summary::Summary;

pub use self::csv::{safe_cell, writer as csv_writer};
pub use self::httperr::{csv_record as httperr_csv_record, HEADER as HTTPERR_HEADER};

/// The summary CSV's columns, in order.
pub fn csv_header() -> &'static [&'static str] {
    &self::csv::HEADER
}

/// The summary CSV's columns before the `verdict` and `why` columns were added.
pub fn csv_header_before_verdicts() -> &'static [&'static str] {
    &self::csv::HEADER_BEFORE_VERDICTS
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// Comma-separated values with a header row (UTF-8).
    Csv,
    /// One JSON document.
    Json,
}

/// How a summary is written.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    pub format: Format,
    /// Add the `causes` column.
    pub details: bool,
    /// Start with a UTF-8 byte-order mark (CSV only), so Excel reads UTF-8.
    pub bom: bool,
    /// The terminal's width in columns (table only): descriptions wrap to it.
    pub width: Option<usize>,
}

/// Writes `summary` to `out` in the chosen format.
pub fn write(summary: &Summary, opts: WriteOptions, out: &mut dyn Write) -> io::Result<()> {
    match opts.format {
        Format::Table => table::write(summary, opts.details, opts.width, out),
        Format::Csv => csv::write(summary, opts.details, opts.bom, out),
        Format::Json => json::write(summary, out),
    }
}

/// Writes `summary` with its HTTPERR section: a second table, or an `httperr` key in JSON.
/// CSV is the summary alone (its columns never change); the section goes to a CSV of its
/// own with [`write_httperr_csv`].
pub fn write_with_httperr(
    summary: &Summary,
    httperr: &[HttpErrRow],
    opts: WriteOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match opts.format {
        _ if httperr.is_empty() => write(summary, opts, out),
        Format::Table => {
            table::write(summary, opts.details, opts.width, out)?;
            httperr::write_table(httperr, opts.details, out)
        }
        Format::Csv => csv::write(summary, opts.details, opts.bom, out),
        Format::Json => {
            let mut doc = serde_json::to_value(summary)?;
            if let serde_json::Value::Object(map) = &mut doc {
                map.insert("httperr".into(), serde_json::to_value(httperr)?);
            }
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            out.write_all(b"\n")
        }
    }
}

/// The summary and its HTTPERR rows as an Excel workbook (see [`xlsx`]): a sheet
/// `summary` and a sheet `httperr` (its header alone without HTTPERR), each with the rows
/// and columns of its CSV.
pub fn summary_workbook(
    summary: &Summary,
    httperr: &[HttpErrRow],
    details: bool,
) -> io::Result<Vec<u8>> {
    let mut main = Vec::new();
    csv::write(summary, details, false, &mut main)?;
    let mut reasons = Vec::new();
    self::httperr::write_csv(httperr, details, false, &mut reasons)?;
    let sheets = [
        xlsx::Sheet {
            name: "summary",
            csv: &main,
        },
        xlsx::Sheet {
            name: "httperr",
            csv: &reasons,
        },
    ];
    let props = xlsx::Properties {
        title: "IIS log summary".into(),
        created: None,
    };
    xlsx::workbook(&sheets, &props)
}

/// The HTTPERR rows as CSV: `status,reason,queue,count,percent,description`.
pub fn write_httperr_csv(
    rows: &[HttpErrRow],
    opts: WriteOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    httperr::write_csv(rows, opts.details, opts.bom, out)
}
