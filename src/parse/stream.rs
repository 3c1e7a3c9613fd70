//! Logs read as a stream (archived ones, which cannot be mapped): decompressed in blocks
//! into one reused buffer and fed to the same line loops, with the W3C header in force
//! and a partial last line carried to the next block.

use std::io::{self, Read};

use crate::format::LineFormat;
use crate::input::archive::{self, ArchiveError, Member};
use crate::parse::chunk::ChunkSink;
use crate::parse::{self, plain, Header, ScanOptions};

/// Decompressed bytes asked of the decoder at a time, at most; the buffer is reused.
const BLOCK: usize = 1 << 20;

/// The buffer's first size: a zip of 10,000 small logs should not clear 10,000 MiB. It
/// doubles while reads fill it, up to [`BLOCK`].
const FIRST_BLOCK: usize = 64 << 10;

/// Reads one archived log into any sink (the report's collector): the member is opened
/// and scanned as a stream, as [`tally_member`] does for a tally.
pub fn scan_member<S: ChunkSink>(
    member: &Member,
    format: LineFormat,
    header: &Header,
    proto: &S,
) -> Result<S, ArchiveError> {
    archive::with_reader(member, |r| scan_stream(r, format, header, proto))
}

/// Scans a stream of log bytes block by block, carrying the W3C header in force and the
/// partial last line from one block to the next, so the result equals a scan of the
/// whole file at once.
pub fn scan_stream<S: ChunkSink>(
    mut reader: impl Read,
    format: LineFormat,
    initial: &Header,
    proto: &S,
) -> Result<S, ArchiveError> {
    let mut buf = vec![0u8; FIRST_BLOCK];
    let mut filled = 0;
    let mut total = proto.fresh();
    let mut header = initial.clone();
    let mut bytes = 0u64;
    loop {
        if filled == buf.len() {
            if buf.len() >= archive::MAX_LINE {
                return Err(ArchiveError::LineTooLong);
            }
            buf.resize(buf.len() * 2, 0);
        }
        let n = match reader.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        // A read that filled the buffer: a large log, worth larger blocks.
        let grow = filled + n == buf.len() && buf.len() < BLOCK;
        filled += n;
        bytes += n as u64;
        let eof = n == 0;
        let end = if eof {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(i) => i + 1,
                None => continue,
            }
        };
        if end > 0 {
            let block = &buf[..end];
            // From the total, so that state a block leaves (a report's `#Date`) carries on.
            let mut piece = total.fresh();
            let lines = if format == LineFormat::W3c {
                let opts = ScanOptions {
                    stop_at_fields: false,
                    at_file_end: eof,
                };
                let scanned = parse::scan(block, header, opts, &mut piece);
                header = scanned.header;
                scanned.lines
            } else {
                plain::scan_plain(block, format, eof, &mut piece)
            };
            piece.tally_mut().acct.lines = lines;
            let offset = total.tally_mut().acct.lines;
            total.absorb(piece, offset);
        }
        if eof {
            break;
        }
        buf.copy_within(end..filled, 0);
        filled -= end;
        if grow {
            buf.resize(buf.len() * 2, 0);
        }
    }
    total.tally_mut().acct.bytes = bytes;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::Tally;

    /// A reader that gives at most `step` bytes per read, so lines cross block ends.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    const W3C: &[u8] = b"x 1\n#Fields: a sc-status\nq 200\nq 404\n#Fields: sc-status sc-substatus b\n500 19 z\nbad\n\n#Fields: sc-status\n301\n#Fields:\n302\nq 200";

    /// Any read size gives the tally of the whole bytes, examples included.
    #[test]
    fn stream_equals_whole_at_every_read_size() {
        let whole = crate::parse::chunk::tally_bytes(W3C, &Header::None, usize::MAX, &|_| {});
        for step in 1..=W3C.len() {
            let t = scan_stream(
                Trickle { data: W3C, step },
                LineFormat::W3c,
                &Header::None,
                &Tally::default(),
            )
            .unwrap();
            assert_eq!(t.codes, whole.codes, "step {step}");
            assert_eq!(t.acct, whole.acct, "step {step}");
            assert_eq!(t.examples, whole.examples, "step {step}");
        }
    }
}
