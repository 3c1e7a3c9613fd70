//! Reads the catalogue's TSV data files (`catalogue/*.tsv`) into rows of cells.
//! Header-driven: columns are found by name, `\n` and `\\` are the only escapes, and any
//! malformed line is an error naming the file and line, so a bad edit fails the tests.

use std::borrow::Cow;

/// One data file, split into a header and rows of unescaped cells.
pub(crate) struct TsvFile {
    pub(crate) file: &'static str,
    columns: Vec<&'static str>,
    pub(crate) rows: Vec<Row>,
}

/// One data line: its 1-based line number and its cells, in header order.
pub(crate) struct Row {
    pub(crate) line: usize,
    cells: Vec<Cow<'static, str>>,
}

impl TsvFile {
    /// Parses `text` (the contents of `file`): a header line, then one row per line, cells
    /// separated by single tabs. Blank lines are skipped; a trailing `\r` is ignored.
    pub(crate) fn parse(file: &'static str, text: &'static str) -> Result<TsvFile, String> {
        let mut lines = text
            .split('\n')
            .enumerate()
            .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)));
        let columns: Vec<&'static str> = match lines.next() {
            Some((_, header)) if !header.is_empty() => header.split('\t').collect(),
            _ => return Err(format!("{file}: missing header line")),
        };
        let mut rows = Vec::new();
        for (line, text) in lines {
            if text.trim().is_empty() {
                continue;
            }
            let raw: Vec<&'static str> = text.split('\t').collect();
            if raw.len() != columns.len() {
                return Err(format!(
                    "{file}:{line}: {} cells, the header has {}",
                    raw.len(),
                    columns.len()
                ));
            }
            let mut cells = Vec::with_capacity(raw.len());
            for cell in raw {
                cells.push(unescape(cell).map_err(|e| format!("{file}:{line}: {e}"))?);
            }
            rows.push(Row { line, cells });
        }
        Ok(TsvFile {
            file,
            columns,
            rows,
        })
    }

    /// The index of a column the file must have.
    pub(crate) fn column(&self, name: &str) -> Result<usize, String> {
        self.columns
            .iter()
            .position(|c| *c == name)
            .ok_or_else(|| format!("{}: no `{name}` column", self.file))
    }
}

impl Row {
    /// The cell in column `index` (from [`TsvFile::column`]).
    pub(crate) fn get(&self, index: usize) -> &Cow<'static, str> {
        &self.cells[index]
    }

    /// Takes the cell out, leaving an empty one.
    pub(crate) fn take(&mut self, index: usize) -> Cow<'static, str> {
        std::mem::take(&mut self.cells[index])
    }
}

/// Undoes the file format's escapes: `\n` is a line break, `\\` a backslash. Any other
/// backslash is an error, so a Windows path must be written with doubled backslashes.
pub(crate) fn unescape(cell: &'static str) -> Result<Cow<'static, str>, String> {
    if !cell.contains('\\') {
        return Ok(Cow::Borrowed(cell.trim()));
    }
    let mut out = String::with_capacity(cell.len());
    let mut chars = cell.trim().chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some(other) => return Err(format!("unknown escape `\\{other}` (write `\\\\`)")),
            None => return Err("cell ends with a lone backslash".to_string()),
        }
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_rows_and_escapes() {
        let t = TsvFile::parse("t.tsv", "code\ten\r\n200\tOK\n\n404\ta\\nb C:\\\\x\n").unwrap();
        assert_eq!(t.column("en").unwrap(), 1);
        assert!(t.column("ja").is_err());
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].get(1), "OK");
        assert_eq!(t.rows[1].line, 4);
        assert_eq!(t.rows[1].get(1), "a\nb C:\\x");
    }

    #[test]
    fn rejects_bad_lines() {
        let short = TsvFile::parse("t.tsv", "code\ten\n200\n").err().unwrap();
        assert!(short.contains("t.tsv:2"), "{short}");
        let esc = TsvFile::parse("t.tsv", "code\ten\n200\tC:\\Windows\n")
            .err()
            .unwrap();
        assert!(esc.contains("unknown escape"), "{esc}");
        assert!(TsvFile::parse("t.tsv", "").is_err());
    }
}
