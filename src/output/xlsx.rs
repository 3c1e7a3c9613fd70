//! Excel workbooks (`.xlsx`): each table iislog writes as CSV becomes a sheet of the same
//! rows and columns. A CSV opens right only where Excel's list separator is a comma and its
//! decimal point a dot (a Norwegian, German or Japanese Excel shows one column, `29.03` as
//! text); a workbook opens the same in every locale. Numbers are stored as numbers, the
//! header row is bold, frozen and filtered, columns are as wide as their text, and text
//! cells are strings, which Excel never runs as formulas.
//!
//! The sheets are made from the CSV bytes, so a workbook always holds what its CSVs hold:
//! a column named in [`NUMERIC`] stores its numbers as numbers (a `-` stays text, an empty
//! cell is left blank), every other cell is text as written, without the `'` that CSVs put
//! before a leading `=`, `+`, `-`, `@`, tab or CR (a string cell needs none).

use std::io;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// Columns whose numbers are stored as numbers.
pub const NUMERIC: [&str; 14] = [
    "status",
    "substatus",
    "win32_status",
    "count",
    "percent",
    "requests",
    "2xx",
    "3xx",
    "4xx",
    "5xx",
    "time_taken_mean_ms",
    "time_taken_p95_ms",
    "rank",
    "max_overcount",
];

/// Codes are identifiers: no thousands separator (`2148074254`, not `2,148,074,254`).
const CODES: [&str; 3] = ["status", "substatus", "win32_status"];

/// Excel's longest cell text, in UTF-16 units.
pub const MAX_TEXT: usize = 32_767;

/// Excel's rows per sheet.
pub const MAX_ROWS: usize = 1_048_576;

/// Widest column set, in characters; longer text wraps nowhere but is still all there.
const MAX_WIDTH: usize = 80;

/// One sheet: its name (31 characters at most, none of `[]:*?/\`) and the CSV it shows.
#[derive(Debug, Clone, Copy)]
pub struct Sheet<'a> {
    pub name: &'a str,
    pub csv: &'a [u8],
}

/// The workbook's document properties.
#[derive(Debug, Clone, Default)]
pub struct Properties {
    pub title: String,
    /// The creation date (year, month, day); `None` (or a year before 1900) is now. A
    /// fixed date makes the same tables give the same bytes (a report's unchanged day is
    /// then left alone).
    pub created: Option<(u16, u8, u8)>,
}

/// A cell as the sheet stores it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Blank,
    /// A number and the decimals its CSV text shows.
    Number(f64, usize),
    Text(&'a str),
}

/// How a CSV cell of a column is stored: see the module's header.
pub fn cell<'a>(text: &'a str, numeric: bool) -> Cell<'a> {
    if text.is_empty() {
        return Cell::Blank;
    }
    if numeric {
        if let Some(n) = number(text) {
            return n;
        }
    }
    Cell::Text(unguarded(text))
}

/// A plain decimal (`123`, `-4`, `29.03`): what iislog writes for a number.
fn number(text: &str) -> Option<Cell<'_>> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    Some(Cell::Number(value, frac.map_or(0, str::len)))
}

/// The text without the `'` that `safe_cell` put before a formula's first character.
fn unguarded(text: &str) -> &str {
    match text.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => &text[1..],
        _ => text,
    }
}

/// `text` cut to Excel's limit, with `…` at the end when cut.
fn fitted(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_TEXT || text.encode_utf16().count() <= MAX_TEXT {
        return text.into();
    }
    let mut units = 0;
    let mut end = 0;
    for (i, ch) in text.char_indices() {
        units += ch.len_utf16();
        if units > MAX_TEXT - 1 {
            break;
        }
        end = i + ch.len_utf8();
    }
    format!("{}…", &text[..end]).into()
}

/// Columns a text takes on screen: East Asian characters count two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if u32::from(c) >= 0x1100 { 2 } else { 1 })
        .sum()
}

fn xlsx_err(e: XlsxError) -> io::Error {
    io::Error::other(format!("could not make the workbook: {e}"))
}

/// Number formats by decimals, with and without a thousands separator.
struct Formats {
    header: Format,
    grouped: [Format; 4],
    plain: [Format; 4],
}

impl Formats {
    fn new() -> Formats {
        let with = |pattern: &str| Format::new().set_num_format(pattern);
        Formats {
            header: Format::new().set_bold(),
            grouped: ["#,##0", "#,##0.0", "#,##0.00", "#,##0.000"].map(with),
            plain: ["0", "0.0", "0.00", "0.000"].map(with),
        }
    }
}

/// Fills `ws` with the rows of `csv`.
fn fill(ws: &mut Worksheet, sheet: &Sheet<'_>, formats: &Formats) -> Result<(), XlsxError> {
    ws.set_name(sheet.name)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(sheet.csv);
    let mut record = csv::StringRecord::new();
    let mut numeric: Vec<bool> = Vec::new();
    let mut codes: Vec<bool> = Vec::new();
    let mut widths: Vec<usize> = Vec::new();
    let mut row: usize = 0;
    let mut more = 0u64;
    while reader
        .read_record(&mut record)
        .map_err(|e| XlsxError::CustomError(format!("{}: {e}", sheet.name)))?
    {
        if row == MAX_ROWS - 1 {
            more += 1;
            continue;
        }
        let r = row as u32;
        for (c, text) in record.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            if widths.len() <= c {
                widths.resize(c + 1, 0);
            }
            if row == 0 {
                numeric.push(NUMERIC.contains(&text));
                codes.push(CODES.contains(&text));
                ws.write_string_with_format(r, col, text, &formats.header)?;
                // Room for the filter's button.
                widths[c] = display_width(text) + 3;
                continue;
            }
            let is_numeric = numeric.get(c).copied().unwrap_or(false);
            match cell(text, is_numeric) {
                Cell::Blank => {}
                Cell::Number(value, decimals) => {
                    let d = decimals.min(3);
                    let format = if codes.get(c).copied().unwrap_or(false) {
                        &formats.plain[d]
                    } else {
                        &formats.grouped[d]
                    };
                    ws.write_number_with_format(r, col, value, format)?;
                    // The separators a grouped number shows.
                    widths[c] = widths[c].max(text.len() + text.len() / 3);
                }
                Cell::Text(t) => {
                    let t = fitted(t);
                    ws.write_string(r, col, t.as_ref())?;
                    widths[c] = widths[c].max(display_width(&t));
                }
            }
        }
        row += 1;
    }
    if more > 0 {
        // Excel's last row says what did not fit; the CSV holds every row.
        let text =
            format!("{more} more rows: Excel holds {MAX_ROWS} rows a sheet; the CSV has them all");
        ws.write_string((MAX_ROWS - 1) as u32, 0, &text)?;
    }
    for (c, w) in widths.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.set_column_width(col, (*w + 1).clamp(6, MAX_WIDTH) as f64)?;
    }
    if row > 0 {
        ws.set_freeze_panes(1, 0)?;
        if !widths.is_empty() {
            let last_row = (row - 1) as u32;
            ws.autofilter(0, 0, last_row, (widths.len() - 1) as u16)?;
        }
    }
    Ok(())
}

/// A workbook of `sheets`, in order, as bytes.
pub fn workbook(sheets: &[Sheet<'_>], props: &Properties) -> io::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let mut doc = DocProperties::new()
        .set_title(&props.title)
        .set_comment("made by iislog");
    // A date Excel cannot hold (before 1900) leaves the creation time at now.
    if let Some(Ok(date)) = props
        .created
        .map(|(y, m, d)| ExcelDateTime::from_ymd(y, m, d))
    {
        doc = doc.set_creation_datetime(&date);
    }
    wb.set_properties(&doc);
    let formats = Formats::new();
    for sheet in sheets {
        fill(wb.add_worksheet(), sheet, &formats).map_err(xlsx_err)?;
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_by_column_kind() {
        assert_eq!(cell("29.03", true), Cell::Number(29.03, 2));
        assert_eq!(cell("2148074254", true), Cell::Number(2_148_074_254.0, 0));
        assert_eq!(cell("-", true), Cell::Text("-"));
        assert_eq!(cell("", true), Cell::Blank);
        assert_eq!(cell("1e5", true), Cell::Text("1e5"));
        assert_eq!(cell(".5", true), Cell::Text(".5"));
        assert_eq!(cell("7.", true), Cell::Text("7."));
        // Text columns keep digits as text: a user name or a site may be all digits.
        assert_eq!(cell("12345", false), Cell::Text("12345"));
        assert_eq!(cell("00", false), Cell::Text("00"));
    }

    /// The CSV's formula guard is taken off; a string cell needs none.
    #[test]
    fn guard_is_removed() {
        assert_eq!(
            cell("'=HYPERLINK(\"x\")", false),
            Cell::Text("=HYPERLINK(\"x\")")
        );
        assert_eq!(cell("'-2+3", false), Cell::Text("-2+3"));
        assert_eq!(cell("'quoted'", false), Cell::Text("'quoted'"));
        assert_eq!(cell("'", false), Cell::Text("'"));
    }

    /// Text beyond Excel's limit is cut to it, counted in UTF-16 units (an emoji is two).
    #[test]
    fn long_text_is_cut_to_excels_limit() {
        let short = "a".repeat(MAX_TEXT);
        assert_eq!(fitted(&short), short.as_str());
        let long = "a".repeat(MAX_TEXT + 1);
        let cut = fitted(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_TEXT);
        assert!(cut.ends_with('…'));
        let emoji = "\u{1F600}".repeat(MAX_TEXT / 2 + 1);
        let cut = fitted(&emoji);
        assert!(cut.encode_utf16().count() <= MAX_TEXT, "{}", cut.len());
        assert!(cut.ends_with('…'));
    }

    /// The same tables with a fixed date give the same bytes; a zip (`PK`) comes out.
    #[test]
    fn same_tables_same_bytes() {
        let csv = b"service,count,percent\r\nhttp,3,75.00\r\nftp,1,25.00\r\n";
        let props = Properties {
            title: "t".into(),
            created: Some((2026, 11, 23)),
        };
        let sheets = [Sheet {
            name: "summary",
            csv,
        }];
        let a = workbook(&sheets, &props).unwrap();
        let b = workbook(&sheets, &props).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..2], b"PK");
    }
}
