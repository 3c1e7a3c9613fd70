//! The summary as an aligned table for a terminal. Text is cleaned of control characters
//! first, so nothing can move the cursor or recolour the screen.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::summary::{code_text, Summary};

/// Log text as the table shows it: the shared terminal escape (control characters, bidi
/// overrides and invisible marks written as escapes).
pub fn sanitize(text: &str) -> Cow<'_, str> {
    crate::error::terminal_text(text)
}

/// Writes the table; with `width` (a terminal's columns), the description and causes wrap
/// at word boundaries under their own column.
pub fn write(
    summary: &Summary,
    details: bool,
    terminal: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
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
        let indent = line.chars().count();
        write_wrapped(out, &line, indent, &sanitize(&r.description), terminal)?;
        if details {
            if let Some(causes) = r.causes.as_deref().filter(|c| !c.is_empty()) {
                let first = format!("{:indent$}causes: ", "");
                let text = sanitize(causes);
                write_wrapped(out, &first, indent + "causes: ".len(), &text, terminal)?;
            }
        }
    }
    Ok(())
}

/// Appends `cell` padded to `width` and two spaces; numbers are right-aligned.
/// Writes `first` then `text`, wrapped to `width` columns with later lines indented by
/// `indent` spaces; without a width (not a terminal), or with too little room, on one line.
pub(crate) fn write_wrapped(
    out: &mut dyn Write,
    first: &str,
    indent: usize,
    text: &str,
    width: Option<usize>,
) -> io::Result<()> {
    // Less than this for the text, and wrapping would make a column of single words.
    const MIN_TEXT: usize = 24;
    let room = width
        .map(|w| w.saturating_sub(indent))
        .filter(|&r| r >= MIN_TEXT);
    let Some(room) = room else {
        return writeln!(out, "{first}{text}");
    };
    for (i, piece) in wrap(text, room).iter().enumerate() {
        if i == 0 {
            writeln!(out, "{first}{piece}")?;
        } else {
            writeln!(out, "{:indent$}{piece}", "")?;
        }
    }
    Ok(())
}

/// Splits `text` into lines of at most `room` display columns, breaking at spaces, and
/// between wide (CJK) characters, which Japanese breaks between; never inside a word. A
/// word longer than `room` gets a line of its own.
pub(crate) fn wrap(text: &str, room: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let wide = |c: char| c.width().unwrap_or(0) > 1;
    // Words: runs of narrow characters without spaces, or single wide characters (with
    // any narrow punctuation glued to them, so `。` or `)` never starts a line).
    let mut words: Vec<(String, bool)> = Vec::new(); // (word, a space came before it)
    let mut space_before = false;
    for c in text.chars() {
        if c == ' ' {
            space_before = true;
            continue;
        }
        let glue = match words.last() {
            Some((w, _)) if !space_before => {
                let last = w.chars().last().unwrap_or(' ');
                !(wide(c) || wide(last)) || (wide(last) && !wide(c) && c.is_ascii_punctuation())
            }
            _ => false,
        };
        match words.last_mut() {
            Some((w, _)) if glue => w.push(c),
            _ => words.push((c.to_string(), space_before)),
        }
        space_before = false;
    }
    let cols = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for (word, spaced) in words {
        let gap = usize::from(spaced && !line.is_empty());
        let need = cols(&word);
        if !line.is_empty() && used + gap + need > room {
            lines.push(std::mem::take(&mut line));
            used = 0;
        } else if gap == 1 {
            line.push(' ');
            used += 1;
        }
        line.push_str(&word);
        used += need;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

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
    fn wraps_at_word_boundaries_never_mid_word() {
        let text = "Not found: the file or directory does not exist; win32 2 ERROR_FILE_NOT_FOUND";
        let lines = wrap(text, 24);
        assert!(lines.iter().all(|l| l.chars().count() <= 24), "{lines:?}");
        // Joined with spaces, the lines are the text: no word was cut or lost.
        assert_eq!(lines.join(" "), text);
        // A word longer than the room stands alone, whole.
        let lines = wrap("a ERROR_INSUFFICIENT_BUFFER_LONG_NAME b", 10);
        assert_eq!(lines, ["a", "ERROR_INSUFFICIENT_BUFFER_LONG_NAME", "b"]);
        assert_eq!(wrap("", 10), [""]);
    }

    /// Japanese has no spaces: it breaks between wide characters, each two columns.
    #[test]
    fn wraps_japanese_between_characters() {
        let text = "ファイルまたはディレクトリが見つかりません。";
        let lines = wrap(text, 10);
        assert!(lines.len() > 1);
        for l in &lines {
            let cols: usize = l.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
            assert!(cols <= 10, "{l}");
            assert!(!l.starts_with('。'), "{lines:?}");
        }
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(sanitize("plain"), "plain");
        assert_eq!(sanitize("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("x\u{202E}y"), "x\\u{202e}y");
    }
}
