//! The per-line hot loop: finds lines with memchr (LF or CRLF), tells directives, blank
//! and data lines apart, checks each data line against its block's `#Fields` and reads
//! its status triple. It allocates nothing per line and hands each outcome to a `LineSink`.

pub mod chunk;
pub mod plain;
pub mod stream;

use std::sync::Arc;

use crate::format::parse_code;
use crate::format::request::Request;
use crate::format::w3c::{Directive, FieldMap};
use crate::tally::{Code, Codes, SkipReason, Tally};

/// Receives what the line loops make of each line, whatever the log's format.
pub trait LineSink {
    /// A data line that parsed: one request, read through its format's view.
    fn request(&mut self, request: &Request<'_>);
    fn directive(&mut self, directive: Directive<'_>);
    fn blank(&mut self);
    /// A line that was not counted, with its 1-based line number in the scanned piece.
    fn skip(&mut self, reason: SkipReason, line_no: u64);
}

impl LineSink for Tally {
    #[inline]
    fn request(&mut self, request: &Request<'_>) {
        Tally::request(self, request.codes());
    }
    #[inline]
    fn directive(&mut self, _directive: Directive<'_>) {
        self.acct.directives += 1;
    }
    #[inline]
    fn blank(&mut self) {
        self.acct.blank += 1;
    }
    #[inline]
    fn skip(&mut self, reason: SkipReason, line_no: u64) {
        Tally::skip(self, reason, line_no);
    }
}

/// The header block in force: what data lines are checked against.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Header {
    /// No `#Fields` seen yet.
    #[default]
    None,
    /// The last `#Fields` could not be used.
    Bad,
    Fields(Arc<FieldMap>),
}

/// How a scan should behave at its edges.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanOptions {
    /// Stop before the first `#Fields` line and report its offset (used to rescan the
    /// start of a chunk once the header in force there is known).
    pub stop_at_fields: bool,
    /// The bytes end where the file ends, so an unterminated last line is the file's.
    pub at_file_end: bool,
}

/// What a scan saw, beyond what it told the sink.
#[derive(Debug, Clone, Default)]
pub struct ScanEnd {
    /// Lines scanned.
    pub lines: u64,
    /// With `stop_at_fields`: byte offset of the `#Fields` line the scan stopped before.
    pub stopped_at: Option<usize>,
    /// The header in force after the last line scanned.
    pub header: Header,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Scans whole lines of `bytes`, starting with `header` in force, and reports each line
/// to `sink`. Line numbers start at 1 for the first line of `bytes`.
pub fn scan<S: LineSink>(
    bytes: &[u8],
    mut header: Header,
    opts: ScanOptions,
    sink: &mut S,
) -> ScanEnd {
    let mut pos = 0usize;
    let mut line_no = 0u64;
    while pos < bytes.len() {
        let (end, next) = match memchr::memchr(b'\n', &bytes[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None => (bytes.len(), bytes.len()),
        };
        let mut line = &bytes[pos..end];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        // A BOM starts a file, and stays glued to the next line when two logs are
        // concatenated; NUL padding (a crash) is often followed by the first line IIS
        // wrote after the restart. Both are peeled off so that line still counts.
        while let [first, ..] = line {
            match *first {
                0xEF if line.starts_with(BOM) => line = &line[BOM.len()..],
                0 => {
                    let nuls = leading_nuls(line);
                    line = &line[nuls..];
                    if line.is_empty() {
                        line = b"\0"; // all NUL: classified below as binary
                        break;
                    }
                }
                _ => break,
            }
        }
        match line.first() {
            None => {
                line_no += 1;
                sink.blank();
            }
            // A `#` line holding control bytes (a lone CR separating lines, as in a file
            // saved with old Mac line ends, or binary junk) is no directive: it would hide
            // whatever it swallowed.
            Some(b'#') if census(line).1 != 0 => {
                line_no += 1;
                sink.skip(SkipReason::Binary, line_no);
            }
            Some(b'#') => {
                let directive = Directive::parse(line);
                if let Directive::Fields(list) = directive {
                    if opts.stop_at_fields {
                        return ScanEnd {
                            lines: line_no,
                            stopped_at: Some(pos),
                            header,
                        };
                    }
                    header = match FieldMap::parse(list) {
                        Ok(map) => Header::Fields(Arc::new(map)),
                        Err(_) => Header::Bad,
                    };
                }
                line_no += 1;
                sink.directive(directive);
            }
            Some(_) => {
                line_no += 1;
                match &header {
                    Header::Fields(map) => {
                        let unterminated = next == end && opts.at_file_end;
                        match read_request(line, map, unterminated) {
                            Ok(codes) => sink.request(&Request::w3c(codes, line, map)),
                            Err(reason) => sink.skip(reason, line_no),
                        }
                    }
                    // Without a header, bytes no log holds say more than the header's absence.
                    _ if census(line).1 != 0 => sink.skip(SkipReason::Binary, line_no),
                    Header::None => sink.skip(SkipReason::NoFields, line_no),
                    Header::Bad => sink.skip(SkipReason::BadFields, line_no),
                }
            }
        }
        pos = next;
    }
    ScanEnd {
        lines: line_no,
        stopped_at: None,
        header,
    }
}

/// How many NUL bytes `line` starts with. A crash can leave gigabytes of them (a
/// preallocated file), so whole 64-byte blocks are tested at once.
fn leading_nuls(line: &[u8]) -> usize {
    let mut blocks = line.chunks_exact(64);
    let mut n = 0;
    for block in &mut blocks {
        if block.iter().fold(0u8, |acc, &b| acc | b) != 0 {
            break;
        }
        n += 64;
    }
    n + line[n..].iter().take_while(|&&b| b == 0).count()
}

/// Checks a data line against its block and reads its status triple.
#[inline]
fn read_request(line: &[u8], map: &FieldMap, unterminated: bool) -> Result<Codes, SkipReason> {
    let (spaces, controls) = census(line);
    if controls != 0 {
        return Err(SkipReason::Binary);
    }
    if spaces + 1 != map.len() {
        return Err(if unterminated {
            SkipReason::Truncated
        } else {
            SkipReason::ColumnCount
        });
    }
    let mut codes = Codes {
        status: Code::NotLogged,
        substatus: Code::NotLogged,
        win32: Code::NotLogged,
    };
    let wanted = [map.status, map.substatus, map.win32];
    let (Some(lo), Some(hi)) = (
        wanted.iter().flatten().min().copied(),
        wanted.iter().flatten().max().copied(),
    ) else {
        return Ok(codes);
    };
    let count = map.len();
    let mut start = if lo <= count - 1 - hi {
        nth_field_from_front(line, lo)
    } else {
        nth_field_from_back(line, count, lo)
    };
    for idx in lo..=hi {
        // Fields here are a few bytes long: a plain loop beats memchr's set-up cost.
        let end = line[start..]
            .iter()
            .position(|&b| b == b' ')
            .map_or(line.len(), |i| start + i);
        let field = &line[start..end];
        if Some(idx) == map.status {
            codes.status = parse_code(field, 999)?;
        }
        if Some(idx) == map.substatus {
            codes.substatus = parse_code(field, u32::MAX)?;
        }
        if Some(idx) == map.win32 {
            codes.win32 = parse_code(field, u32::MAX)?;
        }
        start = end + 1;
    }
    Ok(codes)
}

/// Counts spaces (column separators) and control bytes (which no log line holds; tab is
/// allowed) in one pass. This and the number parse are the per-byte work of the hot loop.
#[inline]
fn census(line: &[u8]) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline: every CPU this build runs on has it.
        let (head, spaces, controls) = unsafe { census_sse2(line) };
        let (s, c) = census_scalar(&line[head..]);
        (spaces + s, controls + c)
    }
    #[cfg(not(target_arch = "x86_64"))]
    census_scalar(line)
}

#[inline]
fn census_scalar(bytes: &[u8]) -> (usize, usize) {
    let mut spaces = 0usize;
    let mut controls = 0usize;
    for &b in bytes {
        spaces += usize::from(b == b' ');
        controls += usize::from(b < 0x20 && b != b'\t');
    }
    (spaces, controls)
}

/// The census of the whole 16-byte blocks at the start of `line`: how many bytes it
/// covered, spaces, controls. SSE2 is part of every x86-64 CPU, so no detection is needed.
/// Matches are counted in byte lanes (at most 255 blocks between flushes) and summed
/// with `psadbw`, which beats a popcount per block on CPUs without POPCNT.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "sse2")]
fn census_sse2(line: &[u8]) -> (usize, usize, usize) {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi64, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cvtsi128_si64,
        _mm_loadu_si128, _mm_min_epu8, _mm_sad_epu8, _mm_set1_epi8, _mm_setzero_si128,
        _mm_srli_si128, _mm_sub_epi8,
    };
    let space = _mm_set1_epi8(b' ' as i8);
    let tab = _mm_set1_epi8(b'\t' as i8);
    let below_space = _mm_set1_epi8(0x1f);
    let zero = _mm_setzero_si128();
    let blocks = line.len() / 16;
    let (mut spaces, mut controls) = (zero, zero);
    let mut done = 0;
    while done < blocks {
        let run = (blocks - done).min(255);
        let (mut s, mut c) = (zero, zero);
        for k in done..done + run {
            // SAFETY: block k lies within `line` (k < len / 16), and loadu reads 16 bytes
            // with no alignment requirement.
            let v = unsafe { _mm_loadu_si128(line.as_ptr().add(16 * k).cast::<__m128i>()) };
            // A lane is -1 where it matches, so subtracting counts it.
            s = _mm_sub_epi8(s, _mm_cmpeq_epi8(v, space));
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);
            c = _mm_sub_epi8(c, _mm_andnot_si128(_mm_cmpeq_epi8(v, tab), control));
        }
        spaces = _mm_add_epi64(spaces, _mm_sad_epu8(s, zero));
        controls = _mm_add_epi64(controls, _mm_sad_epu8(c, zero));
        done += run;
    }
    let total =
        |v: __m128i| (_mm_cvtsi128_si64(v) + _mm_cvtsi128_si64(_mm_srli_si128(v, 8))) as usize;
    (blocks * 16, total(spaces), total(controls))
}

/// Start of column `k`, counting spaces from the front. The line has enough columns.
#[inline]
fn nth_field_from_front(line: &[u8], k: usize) -> usize {
    if k == 0 {
        return 0;
    }
    memchr::memchr_iter(b' ', line)
        .nth(k - 1)
        .map_or(line.len(), |i| i + 1)
}

/// Start of column `k` of `count`, counting spaces from the back: the status fields sit
/// near the end of IIS's default layout, a dozen bytes from the newline.
#[inline]
fn nth_field_from_back(line: &[u8], count: usize, k: usize) -> usize {
    if k == 0 {
        return 0;
    }
    let mut need = count - k;
    let mut i = line.len();
    while i > 0 {
        i -= 1;
        if line[i] == b' ' {
            need -= 1;
            if need == 0 {
                return i + 1;
            }
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-11-23 00:00:00\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n";

    fn line(status: &str, sub: &str, win32: &str) -> String {
        format!("2026-11-23 00:00:01 10.0.0.1 GET /a.aspx - 443 - 10.0.0.9 Mozilla/5.0 - {status} {sub} {win32} 15\r\n")
    }

    fn tally(text: &[u8]) -> Tally {
        let mut t = Tally::default();
        let end = scan(
            text,
            Header::None,
            ScanOptions {
                at_file_end: true,
                ..ScanOptions::default()
            },
            &mut t,
        );
        t.acct.lines = end.lines;
        assert!(t.acct.is_balanced(), "{:?}", t.acct);
        t
    }

    fn count(t: &Tally, s: Code, sub: Code, w: Code) -> u64 {
        t.codes
            .get(&Codes {
                status: s,
                substatus: sub,
                win32: w,
            })
            .copied()
            .unwrap_or(0)
    }

    use Code::{Empty, NotLogged, Value as V};

    #[test]
    fn header_and_requests() {
        let text = format!(
            "{HEADER}{}{}{}",
            line("200", "0", "0"),
            line("404", "0", "2"),
            line("200", "0", "0")
        );
        let t = tally(text.as_bytes());
        assert_eq!(t.acct.lines, 7);
        assert_eq!(t.acct.directives, 4);
        assert_eq!(t.acct.requests, 3);
        assert_eq!(count(&t, V(200), V(0), V(0)), 2);
        assert_eq!(count(&t, V(404), V(0), V(2)), 1);
    }

    #[test]
    fn lf_crlf_bom_and_blank() {
        let text = format!(
            "\u{FEFF}{HEADER}\n{}",
            line("500", "19", "13").replace("\r\n", "\n")
        );
        let t = tally(text.as_bytes());
        assert_eq!(
            (
                t.acct.lines,
                t.acct.directives,
                t.acct.blank,
                t.acct.requests
            ),
            (6, 4, 1, 1)
        );
        assert_eq!(count(&t, V(500), V(19), V(13)), 1);
    }

    #[test]
    fn data_before_fields_and_wrong_columns() {
        let text = format!(
            "{}{HEADER}2026-11-23 00:00:01 too few\r\n{}",
            line("200", "0", "0"),
            line("200", "0", "0")
        );
        let t = tally(text.as_bytes());
        assert_eq!(t.acct.skipped_for(SkipReason::NoFields), 1);
        assert_eq!(t.acct.skipped_for(SkipReason::ColumnCount), 1);
        assert_eq!(t.acct.requests, 1);
        assert_eq!(t.examples[0].line, 1);
        assert_eq!(t.examples[1].line, 6);
    }

    #[test]
    fn fields_change_mid_file() {
        let text = format!(
            "{HEADER}{}#Fields: date time sc-win32-status sc-status\n2026-11-23 01:00:00 64 200\n#Fields: date time cs-uri-stem\n2026-11-23 01:00:00 /x\n",
            line("304", "0", "0")
        );
        let t = tally(text.as_bytes());
        assert_eq!(count(&t, V(304), V(0), V(0)), 1);
        assert_eq!(count(&t, V(200), NotLogged, V(64)), 1);
        assert_eq!(count(&t, NotLogged, NotLogged, NotLogged), 1);
    }

    #[test]
    fn dash_is_empty_and_bad_codes_are_skipped() {
        let text = format!(
            "{HEADER}{}{}{}{}{}",
            line("-", "-", "64"),
            line("abc", "0", "0"),
            line("-5", "0", "0"),
            line("200", "0", "99999999999999999999"),
            line("1000", "0", "0")
        );
        let t = tally(text.as_bytes());
        assert_eq!(count(&t, Empty, Empty, V(64)), 1);
        assert_eq!(t.acct.skipped_for(SkipReason::BadCode), 4);
    }

    #[test]
    fn largest_win32_value_fits() {
        let text = format!("{HEADER}{}", line("401", "1", "4294967295"));
        assert_eq!(count(&tally(text.as_bytes()), V(401), V(1), V(u32::MAX)), 1);
    }

    #[test]
    fn nul_padding_then_restart() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(line("200", "0", "0").as_bytes());
        bytes.extend(std::iter::repeat_n(0u8, 5000));
        bytes.extend_from_slice(HEADER.as_bytes());
        bytes.extend_from_slice(line("503", "0", "0").as_bytes());
        bytes.extend(std::iter::repeat_n(0u8, 100));
        let t = tally(&bytes);
        // The padding glued to the second header is peeled; the trailing run is one
        // unterminated line of NULs.
        assert_eq!(t.acct.directives, 8);
        assert_eq!(t.acct.requests, 2);
        assert_eq!(t.acct.skipped_for(SkipReason::Binary), 1);
        assert_eq!(t.acct.lines, 11);
    }

    #[test]
    fn controls_inside_a_line_are_binary_tabs_are_not() {
        let text = format!(
            "{HEADER}{}{}",
            line("200", "0", "0").replace("/a.aspx", "/a\u{1b}[2J"),
            line("200", "0", "0").replace("Mozilla/5.0", "Mozilla\t5.0")
        );
        let t = tally(text.as_bytes());
        assert_eq!(t.acct.skipped_for(SkipReason::Binary), 1);
        assert_eq!(t.acct.requests, 1);
    }

    #[test]
    fn unterminated_last_line() {
        let complete = format!("{HEADER}{}", line("200", "0", "0").trim_end());
        let t = tally(complete.as_bytes());
        assert_eq!((t.acct.requests, t.acct.lines), (1, 5));
        let cut = format!("{HEADER}2026-11-23 00:00:01 10.0.0.1 GET /a.a");
        let t = tally(cut.as_bytes());
        assert_eq!(t.acct.skipped_for(SkipReason::Truncated), 1);
    }

    #[test]
    fn empty_fields_directive_is_bad() {
        let text = format!("#Fields:\n{}", line("200", "0", "0"));
        let t = tally(text.as_bytes());
        assert_eq!(t.acct.skipped_for(SkipReason::BadFields), 1);
    }

    #[test]
    fn stop_at_fields_reports_offset() {
        let text = format!("{}{HEADER}", line("200", "0", "0"));
        let mut t = Tally::default();
        let end = scan(
            text.as_bytes(),
            Header::None,
            ScanOptions {
                stop_at_fields: true,
                at_file_end: true,
            },
            &mut t,
        );
        let at = end.stopped_at.unwrap();
        assert!(text[at..].starts_with("#Fields:"));
        assert_eq!(end.lines, 4);
    }

    #[test]
    fn leading_nul_runs() {
        for n in [0, 1, 63, 64, 65, 200] {
            let mut v = vec![0u8; n];
            v.extend(b"#x");
            assert_eq!(leading_nuls(&v), n);
            assert_eq!(leading_nuls(&v[..n]), n);
        }
    }

    #[test]
    fn field_position_helpers_agree() {
        let l = b"a bb ccc d eeeee f";
        for k in 0..6 {
            assert_eq!(
                nth_field_from_front(l, k),
                nth_field_from_back(l, 6, k),
                "k={k}"
            );
        }
    }

    #[test]
    fn census_counts_long_lines() {
        let long = vec![b' '; 10_000];
        assert_eq!(census(&long), (10_000, 0));
        assert_eq!(census(b"a\0b\tc\rd"), (0, 2));
    }

    /// The SIMD census equals the plain one for every byte value at every position and
    /// length, across block and flush boundaries.
    #[test]
    fn census_matches_scalar() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(256 * 20).collect();
        for len in (0..80).chain([255 * 16 - 1, 255 * 16, 255 * 16 + 17, bytes.len()]) {
            for start in [0, 1, 7] {
                let slice = &bytes[start..(start + len).min(bytes.len())];
                assert_eq!(
                    census(slice),
                    census_scalar(slice),
                    "len {len} start {start}"
                );
            }
        }
        let spaces = vec![b' '; 255 * 16 * 3 + 5];
        assert_eq!(census(&spaces), (spaces.len(), 0));
    }
}
