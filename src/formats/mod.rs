//! The log formats besides W3C HTTP, each in its own module: HTTP.sys's error log read by
//! reason and queue, IIS native and NCSA lines, and archived logs. Each gives the same
//! `Tally` as the W3C scanner, so every format lands in one summary.

pub mod archive;
pub mod httperr;
pub mod native;
pub mod ncsa;

use rayon::prelude::*;

use crate::chunk;
use crate::tally::{Codes, SkipReason, Tally};

/// How a log file's lines are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineFormat {
    /// W3C extended (`ex`, `u_ex`, `httperr`): `#Fields` says what each column holds.
    #[default]
    W3c,
    /// The IIS log file format (`in`, `u_in`): fixed comma-separated fields.
    Native,
    /// NCSA common (`nc`, `u_nc`).
    Ncsa,
}

/// The format an IIS log name gives (`inYYMMDD.log` → native, `ncYYMMDD.log` → NCSA, in
/// any case, with or without `u_`), or `None` when the name is no log name of these two.
pub fn format_of_name(name: &str) -> Option<LineFormat> {
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".log")?;
    let stem = stem.strip_prefix("u_").unwrap_or(stem);
    let dated = |rest: &str| rest.len() >= 4 && rest.bytes().take(4).all(|b| b.is_ascii_digit());
    match stem.split_at_checked(2)? {
        ("in", rest) if dated(rest) => Some(LineFormat::Native),
        ("nc", rest) if dated(rest) => Some(LineFormat::Ncsa),
        _ => None,
    }
}

/// The format a file's first bytes show: the first line that is not blank (after a BOM)
/// is an NCSA or a native line; `None` for anything else (W3C, or not a log).
pub fn sniff(head: &[u8]) -> Option<LineFormat> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let line = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find(|l| !l.is_empty())?;
    if ncsa::looks_like(line) {
        Some(LineFormat::Ncsa)
    } else if native::looks_like(line) {
        Some(LineFormat::Native)
    } else {
        None
    }
}

impl LineFormat {
    /// The per-line reader of a format without headers.
    fn reader(self) -> fn(&[u8]) -> Result<Codes, SkipReason> {
        match self {
            LineFormat::Native => native::read,
            LineFormat::Ncsa => ncsa::read,
            // A W3C file read without its header: its lines come before any `#Fields`.
            LineFormat::W3c => |_| Err(SkipReason::NoFields),
        }
    }
}

/// Scans whole lines of a native or NCSA log into `tally`: each line is a request,
/// blank, or skipped by reason (these formats have no directives); LF or CRLF, a BOM on
/// the first line. When `at_file_end`, an unterminated last line that does not parse is
/// `truncated`. Returns the number of lines.
pub fn scan_plain(bytes: &[u8], format: LineFormat, at_file_end: bool, tally: &mut Tally) -> u64 {
    let read = format.reader();
    let mut lines = 0u64;
    let mut pos = 0;
    while pos < bytes.len() {
        let (end, next) = match memchr::memchr(b'\n', &bytes[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None => (bytes.len(), bytes.len()),
        };
        let mut line = &bytes[pos..end];
        line = line.strip_suffix(b"\r").unwrap_or(line);
        line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        lines += 1;
        if line.is_empty() {
            tally.acct.blank += 1;
        } else if line.iter().any(|&b| b < 0x20 && b != b'\t') {
            tally.skip(SkipReason::Binary, lines);
        } else {
            match read(line) {
                Ok(codes) => tally.request(codes),
                Err(_) if at_file_end && next == end => tally.skip(SkipReason::Truncated, lines),
                Err(reason) => tally.skip(reason, lines),
            }
        }
        pos = next;
    }
    lines
}

/// Tallies a whole native or NCSA file in parallel pieces of about `chunk` bytes: with no
/// header to carry, each piece is scanned on its own and the pieces merge in file order.
pub fn tally_plain(
    bytes: &[u8],
    format: LineFormat,
    chunk: usize,
    on_chunk: &(dyn Fn(u64) + Sync),
) -> Tally {
    let pieces = chunk::split(bytes, chunk);
    let last = pieces.len().saturating_sub(1);
    let tallies: Vec<Tally> = pieces
        .par_iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut t = Tally::default();
            t.acct.lines = scan_plain(piece, format, i == last, &mut t);
            on_chunk(piece.len() as u64);
            t
        })
        .collect();
    let mut total = Tally::default();
    for t in tallies {
        let offset = total.acct.lines;
        total.merge_shifted(t, offset);
    }
    total.acct.bytes = bytes.len() as u64;
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::Code;

    #[test]
    fn names() {
        for (name, want) in [
            ("in261123.log", Some(LineFormat::Native)),
            ("u_in261123.log", Some(LineFormat::Native)),
            ("IN2611.LOG", Some(LineFormat::Native)),
            ("nc261123.log", Some(LineFormat::Ncsa)),
            ("u_nc261123.log", Some(LineFormat::Ncsa)),
            ("ex261123.log", None),
            ("index.log", None),
            ("nc.log", None),
            ("in261123.txt", None),
        ] {
            assert_eq!(format_of_name(name), want, "{name}");
        }
    }

    #[test]
    fn sniffing() {
        let native = b"\xEF\xBB\xBF10.0.0.1, -, 11/23/26, 8:00:00, W3SVC1, WEB, 10.0.0.5, 1, 2, 3, 200, 0, GET, /a, -,\r\n";
        assert_eq!(sniff(native), Some(LineFormat::Native));
        let ncsa = b"\n10.0.0.1 - - [23/Nov/2026:09:00:01 +0100] \"GET / HTTP/1.1\" 200 5\n";
        assert_eq!(sniff(ncsa), Some(LineFormat::Ncsa));
        assert_eq!(
            sniff(b"#Software: Microsoft Internet Information Services 10.0\r\n"),
            None
        );
        assert_eq!(sniff(b"hello"), None);
    }

    /// Worked out by hand: 6 lines, 3 requests, 1 blank, 1 binary, 1 truncated; every
    /// chunk size gives the same tally and the same example line numbers.
    #[test]
    fn every_line_accounted_at_every_chunk_size() {
        let text = b"10.0.0.1 - - [23/Nov/2026:09:00:01 +0100] \"GET / HTTP/1.1\" 200 5\r\n\r\n10.0.0.1 - - [23/Nov/2026:09:00:01 +0100] \"GET /x HTTP/1.1\" 404 5\n\0\0\0\n10.0.0.1 - - [23/Nov/2026:09:00:01 +0100] \"GET / HTTP/1.1\" 200 5\n10.0.0.1 - - [23/Nov/20";
        let whole = tally_plain(text, LineFormat::Ncsa, usize::MAX, &|_| {});
        assert_eq!(whole.acct.lines, 6);
        assert_eq!((whole.acct.requests, whole.acct.blank), (3, 1));
        assert_eq!(whole.acct.skipped_for(SkipReason::Binary), 1);
        assert_eq!(whole.acct.skipped_for(SkipReason::Truncated), 1);
        assert!(whole.acct.is_balanced());
        let ok = Codes {
            status: Code::Value(200),
            substatus: Code::NotLogged,
            win32: Code::NotLogged,
        };
        assert_eq!(whole.codes[&ok], 2);
        for chunk in 1..=text.len() {
            let t = tally_plain(text, LineFormat::Ncsa, chunk, &|_| {});
            assert_eq!(t.codes, whole.codes, "chunk {chunk}");
            assert_eq!(t.acct, whole.acct, "chunk {chunk}");
            assert_eq!(t.examples, whole.examples, "chunk {chunk}");
        }
    }
}
