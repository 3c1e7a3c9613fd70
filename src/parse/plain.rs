//! The line loop of the formats without directives (IIS native and NCSA): every line is
//! a request, blank, or skipped by reason, and is handed to the same sinks as W3C lines.

use rayon::prelude::*;

use crate::format::request::Request;
use crate::format::{native, ncsa, LineFormat};
use crate::parse::chunk::{self, ChunkSink};
use crate::parse::LineSink;
use crate::tally::{Codes, SkipReason, Tally};

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

/// Scans whole lines of a native or NCSA log into `sink`: each line is a request, blank,
/// or skipped by reason (these formats have no directives); LF or CRLF, a BOM on the
/// first line. When `at_file_end`, an unterminated last line that does not parse is
/// `truncated`. Returns the number of lines.
pub fn scan_plain<S: LineSink>(
    bytes: &[u8],
    format: LineFormat,
    at_file_end: bool,
    sink: &mut S,
) -> u64 {
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
            sink.blank();
        } else if line.iter().any(|&b| b < 0x20 && b != b'\t') {
            sink.skip(SkipReason::Binary, lines);
        } else {
            match read(line) {
                Ok(codes) => sink.request(&Request::plain(codes, line, format)),
                Err(_) if at_file_end && next == end => sink.skip(SkipReason::Truncated, lines),
                Err(reason) => sink.skip(reason, lines),
            }
        }
        pos = next;
    }
    lines
}

/// Scans a whole native or NCSA file in parallel pieces of about `chunk` bytes: with no
/// header to carry, each piece is scanned on its own and the pieces merge in file order.
/// Every piece's sink is `proto.fresh()`.
pub fn scan_plain_bytes<S: ChunkSink>(
    bytes: &[u8],
    format: LineFormat,
    chunk: usize,
    on_chunk: &(dyn Fn(u64) + Sync),
    proto: &S,
) -> S {
    let pieces = chunk::split(bytes, chunk);
    let last = pieces.len().saturating_sub(1);
    let sinks: Vec<S> = pieces
        .par_iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut sink = proto.fresh();
            sink.tally_mut().acct.lines = scan_plain(piece, format, i == last, &mut sink);
            on_chunk(piece.len() as u64);
            sink
        })
        .collect();
    let mut total = proto.fresh();
    for sink in sinks {
        let offset = total.tally_mut().acct.lines;
        total.absorb(sink, offset);
    }
    total.tally_mut().acct.bytes = bytes.len() as u64;
    total
}

/// [`scan_plain_bytes`] into a `Tally`.
pub fn tally_plain(
    bytes: &[u8],
    format: LineFormat,
    chunk: usize,
    on_chunk: &(dyn Fn(u64) + Sync),
) -> Tally {
    scan_plain_bytes(bytes, format, chunk, on_chunk, &Tally::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::Code;

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
