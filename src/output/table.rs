//! The summary as an aligned table for a terminal. Text is cleaned of control characters
//! first, so nothing can move the cursor or recolour the screen.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::summary::{code_text, Summary};

/// Replaces C0/C1 control characters and bidi overrides with visible escapes.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        c.is_control()
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if bad(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

pub fn write(summary: &Summary, details: bool, out: &mut dyn Write) -> io::Result<()> {
    let header = [
        "SERVICE",
        "STATUS",
        "SUB",
        "WIN32",
        "COUNT",
        "PERCENT",
        "VERDICT",
        "DESCRIPTION",
    ];
    // Per service, faults first; within a verdict, the order of the summary (by count).
    let mut rows: Vec<&crate::summary::Row> = summary.rows.iter().collect();
    rows.sort_by_key(|r| (r.service, r.verdict));
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.service.name().to_string(),
                code_text(r.status),
                code_text(r.substatus),
                code_text(r.win32_status),
                r.count.to_string(),
                format!("{:.2}%", r.percent),
                r.verdict.name().to_string(),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut line = String::new();
    let right = |i: usize| (1..=5).contains(&i);
    for (i, h) in header[..7].iter().enumerate() {
        pad(&mut line, h, width[i], right(i));
    }
    writeln!(out, "{line}{}", header[7])?;
    for (row, r) in cells.iter().zip(&rows) {
        line.clear();
        for (i, c) in row.iter().enumerate() {
            pad(&mut line, c, width[i], right(i));
        }
        writeln!(out, "{line}{}", sanitize(&r.description))?;
        if details {
            if let Some(causes) = r.causes.as_deref().filter(|c| !c.is_empty()) {
                writeln!(
                    out,
                    "{:indent$}causes: {}",
                    "",
                    sanitize(causes),
                    indent = line.chars().count()
                )?;
            }
        }
    }
    Ok(())
}

/// Appends `cell` padded to `width` and two spaces; numbers are right-aligned.
fn pad(line: &mut String, cell: &str, width: usize, right: bool) {
    let fill = width.saturating_sub(cell.chars().count());
    if right {
        line.extend(std::iter::repeat_n(' ', fill));
        line.push_str(cell);
    } else {
        line.push_str(cell);
        line.extend(std::iter::repeat_n(' ', fill));
    }
    line.push_str("  ");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(sanitize("plain"), "plain");
        assert_eq!(sanitize("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("x\u{202E}y"), "x\\u{202e}y");
    }
}
