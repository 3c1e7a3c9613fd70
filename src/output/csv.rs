//! The summary as CSV: a header row, UTF-8 (optionally with a BOM for Excel), and text
//! cells made safe to open: nothing Excel would run as a formula.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::summary::{code_text, Summary};

pub const HEADER: [&str; 9] = [
    "service",
    "status",
    "substatus",
    "win32_status",
    "count",
    "percent",
    "verdict",
    "why",
    "description",
];

/// The columns before the verdict came (`merge` still reads such files).
pub const HEADER_BEFORE_VERDICTS: [&str; 7] = [
    "service",
    "status",
    "substatus",
    "win32_status",
    "count",
    "percent",
    "description",
];

/// A text cell that Excel will not evaluate: a leading `=`, `+`, `-`, `@`, tab or CR gets
/// a `'` in front (OWASP's advice on CSV injection). A lone `-` (not logged) is left as is.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    match text.as_bytes() {
        [b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', _, ..]
        | [b'=' | b'+' | b'@' | b'\t' | b'\r'] => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// The one way iislog starts a CSV: CRLF line ends (what Excel and Windows tools expect),
/// and a UTF-8 byte-order mark first when `bom` (`--excel`).
pub fn writer<W: Write>(mut out: W, bom: bool) -> io::Result<csv::Writer<W>> {
    if bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out))
}

pub fn write(summary: &Summary, details: bool, bom: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut w = writer(out, bom)?;
    let mut header = HEADER.to_vec();
    if details {
        header.push("causes");
    }
    w.write_record(&header)?;
    for row in &summary.rows {
        let mut record = vec![
            Cow::Borrowed(row.service.name()),
            Cow::Owned(code_text(row.status)),
            Cow::Owned(code_text(row.substatus)),
            Cow::Owned(code_text(row.win32_status)),
            Cow::Owned(row.count.to_string()),
            Cow::Owned(format!("{:.2}", row.percent)),
            Cow::Borrowed(row.verdict.name()),
            safe_cell(&row.why),
            safe_cell(&row.description),
        ];
        if details {
            record.push(safe_cell(row.causes.as_deref().unwrap_or("")));
        }
        w.write_record(record.iter().map(|c| c.as_bytes()))?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+1"), "'+1");
        assert_eq!(safe_cell("-2+3"), "'-2+3");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("\tx"), "'\tx");
        assert_eq!(safe_cell("-"), "-");
        assert_eq!(safe_cell("Not found"), "Not found");
        assert_eq!(safe_cell(""), "");
    }
}
