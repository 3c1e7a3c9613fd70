//! One file's bytes → its `Tally`, in parallel: the bytes are cut into newline-aligned
//! chunks, each scanned on its own with the header guessed from the file's first block;
//! the start of a chunk whose guess proves wrong is scanned again with the right header,
//! so the result equals a sequential scan.

use rayon::prelude::*;

use crate::parse::{self, Header, LineSink, ScanOptions};
use crate::tally::Tally;

/// A sink that can be filled chunk by chunk in parallel and merged in file order: `Tally`
/// for `summary`, the report collector for `report`. Each use is monomorphised, so the
/// summary's loop is the same code as before.
pub trait ChunkSink: LineSink + Send + Sync {
    /// An empty sink with the same settings, for another piece.
    fn fresh(&self) -> Self;
    /// The line account inside the sink.
    fn tally_mut(&mut self) -> &mut Tally;
    /// Adds `other`, which holds the lines after `line_offset` lines of this sink's piece.
    fn absorb(&mut self, other: Self, line_offset: u64);
}

impl ChunkSink for Tally {
    fn fresh(&self) -> Tally {
        Tally::default()
    }
    #[inline]
    fn tally_mut(&mut self) -> &mut Tally {
        self
    }
    fn absorb(&mut self, other: Tally, line_offset: u64) {
        self.merge_shifted(other, line_offset);
    }
}

/// Chunks smaller than this are not worth a thread hand-off.
pub const DEFAULT_CHUNK: usize = 8 * 1024 * 1024;

/// Splits `bytes` into pieces of about `chunk` bytes, each ending just after a newline
/// (the last one at the end of the bytes).
pub fn split(bytes: &[u8], chunk: usize) -> Vec<&[u8]> {
    let chunk = chunk.max(1);
    let mut pieces = Vec::with_capacity(bytes.len() / chunk + 1);
    let mut start = 0;
    while start < bytes.len() {
        let target = start.saturating_add(chunk);
        let end = if target >= bytes.len() {
            bytes.len()
        } else {
            memchr::memchr(b'\n', &bytes[target..]).map_or(bytes.len(), |i| target + i + 1)
        };
        pieces.push(&bytes[start..end]);
        start = end;
    }
    pieces
}

/// The header a file's later chunks are first scanned with: the one in force after the
/// file's first 64 KiB, which is the header of most lines of most files. A wrong guess
/// costs only a rescan of the start of a chunk.
fn guess_header(bytes: &[u8], initial: &Header) -> Header {
    let head = split(bytes, 64 * 1024).first().copied().unwrap_or_default();
    parse::scan(head, initial.clone(), ScanOptions::default(), &mut Ignore).header
}

/// A sink that drops everything: used to learn a header only.
struct Ignore;

impl parse::LineSink for Ignore {
    fn request(&mut self, _: &crate::format::request::Request<'_>) {}
    fn directive(&mut self, _: crate::format::w3c::Directive<'_>) {}
    fn blank(&mut self) {}
    fn skip(&mut self, _: crate::tally::SkipReason, _: u64) {}
}

/// What scanning one chunk gave.
struct ChunkScan<S> {
    /// Lines before the chunk's first `#Fields`, scanned with the guessed header.
    head: S,
    head_lines: u64,
    /// Where the chunk's first `#Fields` line starts, if it has one.
    fields_at: Option<usize>,
    /// The lines from the first `#Fields` on.
    rest: S,
    /// Header in force at the end of the chunk, if the chunk set one.
    end_header: Option<Header>,
}

fn scan_chunk<S: ChunkSink>(
    piece: &[u8],
    guess: &Header,
    at_file_end: bool,
    proto: &S,
) -> ChunkScan<S> {
    let mut head = proto.fresh();
    let first = parse::scan(
        piece,
        guess.clone(),
        ScanOptions {
            stop_at_fields: true,
            at_file_end,
        },
        &mut head,
    );
    head.tally_mut().acct.lines = first.lines;
    // From the head, so that state its directives left (a report's `#Date`) carries on.
    let mut rest = head.fresh();
    let mut end_header = None;
    if let Some(at) = first.stopped_at {
        let second = parse::scan(
            &piece[at..],
            Header::None,
            ScanOptions {
                stop_at_fields: false,
                at_file_end,
            },
            &mut rest,
        );
        rest.tally_mut().acct.lines = second.lines;
        end_header = Some(second.header);
    }
    ChunkScan {
        head_lines: first.lines,
        head,
        fields_at: first.stopped_at,
        rest,
        end_header,
    }
}

/// Tallies a whole file's bytes. `initial` is the header in force before the first line
/// (from `--fields`, else none). `on_chunk` is told the size of each chunk done.
pub fn tally_bytes(
    bytes: &[u8],
    initial: &Header,
    chunk: usize,
    on_chunk: &(dyn Fn(u64) + Sync),
) -> Tally {
    scan_bytes(bytes, initial, chunk, on_chunk, &Tally::default()).0
}

/// Like [`tally_bytes`], into any [`ChunkSink`]; also returns the header in force after
/// the last line (what an incremental reader must resume with). Every piece's sink is
/// `proto.fresh()`.
pub fn scan_bytes<S: ChunkSink>(
    bytes: &[u8],
    initial: &Header,
    chunk: usize,
    on_chunk: &(dyn Fn(u64) + Sync),
    proto: &S,
) -> (S, Header) {
    let pieces = split(bytes, chunk);
    let last = pieces.len().saturating_sub(1);
    let guess = if pieces.len() > 1 {
        guess_header(bytes, initial)
    } else {
        initial.clone()
    };
    let scans: Vec<ChunkScan<S>> = pieces
        .par_iter()
        .enumerate()
        .map(|(i, piece)| {
            let g = if i == 0 { initial } else { &guess };
            let s = scan_chunk(piece, g, i == last, proto);
            on_chunk(piece.len() as u64);
            s
        })
        .collect();

    let mut total = proto.fresh();
    let mut in_force = initial.clone();
    let mut line_offset = 0u64;
    for (i, (scan, piece)) in scans.into_iter().zip(&pieces).enumerate() {
        let guessed = if i == 0 { initial } else { &guess };
        let head = if *guessed == in_force {
            scan.head
        } else {
            let head_bytes = &piece[..scan.fields_at.unwrap_or(piece.len())];
            let mut t = proto.fresh();
            let end = parse::scan(
                head_bytes,
                in_force.clone(),
                ScanOptions {
                    stop_at_fields: false,
                    at_file_end: i == last && scan.fields_at.is_none(),
                },
                &mut t,
            );
            t.tally_mut().acct.lines = end.lines;
            t
        };
        let head_lines = scan.head_lines;
        total.absorb(head, line_offset);
        total.absorb(scan.rest, line_offset + head_lines);
        line_offset = total.tally_mut().acct.lines;
        if let Some(h) = scan.end_header {
            in_force = h;
        }
    }
    total.tally_mut().acct.bytes = bytes.len() as u64;
    (total, in_force)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::SkipReason;

    #[test]
    fn split_keeps_lines_whole() {
        let text = b"aaa\nbb\nc\n\ndddd";
        for chunk in 1..=text.len() + 1 {
            let pieces = split(text, chunk);
            assert_eq!(pieces.concat(), text.to_vec());
            for p in &pieces[..pieces.len() - 1] {
                assert_eq!(p.last(), Some(&b'\n'), "chunk {chunk}");
            }
        }
        assert!(split(b"", 4).is_empty());
    }

    /// Every chunk size gives the sequential result, including sizes that cut a file
    /// right after a block change.
    #[test]
    fn every_chunk_size_equals_sequential() {
        let text = b"x 1\n#Fields: a sc-status\nq 200\nq 404\n#Fields: sc-status sc-substatus b\n500 19 z\nbad\n\n#Fields: sc-status\n301\n#Fields:\n302\nq 200";
        let whole = tally_bytes(text, &Header::None, usize::MAX, &|_| {});
        assert!(whole.acct.is_balanced());
        // Worked out by hand: requests 200, 404, 500.19 and 301; `x 1` comes before any
        // #Fields, `bad` has one column of three, `302` and `q 200` follow an empty #Fields.
        assert_eq!(whole.acct.requests, 4);
        assert_eq!(whole.acct.lines, 13);
        assert_eq!((whole.acct.directives, whole.acct.blank), (4, 1));
        assert_eq!(whole.acct.skipped_for(SkipReason::NoFields), 1);
        assert_eq!(whole.acct.skipped_for(SkipReason::ColumnCount), 1);
        assert_eq!(whole.acct.skipped_for(SkipReason::BadFields), 2);
        for chunk in 1..=text.len() {
            let t = tally_bytes(text, &Header::None, chunk, &|_| {});
            assert_eq!(t.codes, whole.codes, "chunk {chunk}");
            assert_eq!(t.acct, whole.acct, "chunk {chunk}");
            assert_eq!(t.examples, whole.examples, "chunk {chunk}");
        }
    }
}
