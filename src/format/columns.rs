//! Finding a column of a space-separated log line: the `n`-th space from a position, 16
//! bytes at a time. The report reads columns in the middle of long lines (`cs-uri-stem`,
//! `c-ip`), where one compare and bit mask per 16 bytes beats a search call per space.

/// Index of the `n`-th space (0-based) at or after `from`, or `None` if there are fewer.
#[inline]
pub fn nth_space(line: &[u8], from: usize, n: usize) -> Option<usize> {
    let (from, n) = match blocks_forward(line, from.min(line.len()), n) {
        Ok(found) => return Some(found),
        Err(rest) => rest,
    };
    line[from..]
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b' ')
        .nth(n)
        .map(|(i, _)| from + i)
}

/// Index of the `n`-th space (0-based) before `end`, counting backwards, or `None`.
#[inline]
pub fn nth_space_back(line: &[u8], end: usize, n: usize) -> Option<usize> {
    let (end, n) = match blocks_backward(line, end.min(line.len()), n) {
        Ok(found) => return Some(found),
        Err(rest) => rest,
    };
    line[..end]
        .iter()
        .enumerate()
        .rev()
        .filter(|&(_, &b)| b == b' ')
        .nth(n)
        .map(|(i, _)| i)
}

/// The whole 16-byte blocks from `from` on: the space found, or where the blocks ended
/// and how many spaces are still to skip.
#[cfg(target_arch = "x86_64")]
#[inline]
fn blocks_forward(line: &[u8], mut from: usize, mut n: usize) -> Result<usize, (usize, usize)> {
    while let Some(block) = line.get(from..from + 16) {
        // Clearing spaces one at a time beats a popcount (not in the x86-64 baseline) for
        // the few spaces a column search skips.
        let mut mask = space_mask(block);
        while n > 0 && mask != 0 {
            mask &= mask - 1;
            n -= 1;
        }
        if mask != 0 {
            return Ok(from + mask.trailing_zeros() as usize);
        }
        from += 16;
    }
    Err((from, n))
}

/// The whole 16-byte blocks before `end`, backwards; as [`blocks_forward`].
#[cfg(target_arch = "x86_64")]
#[inline]
fn blocks_backward(line: &[u8], mut end: usize, mut n: usize) -> Result<usize, (usize, usize)> {
    while end >= 16 {
        let mut mask = space_mask(&line[end - 16..end]);
        while n > 0 && mask != 0 {
            // Clear the highest space.
            mask &= !(1u32 << (31 - mask.leading_zeros()));
            n -= 1;
        }
        if mask != 0 {
            return Ok(end - 16 + (31 - mask.leading_zeros()) as usize);
        }
        end -= 16;
    }
    Err((end, n))
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn blocks_forward(_: &[u8], from: usize, n: usize) -> Result<usize, (usize, usize)> {
    Err((from, n))
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn blocks_backward(_: &[u8], end: usize, n: usize) -> Result<usize, (usize, usize)> {
    Err((end, n))
}

/// Bit `i` set where `block[i]` is a space; `block` is 16 bytes long.
#[cfg(target_arch = "x86_64")]
#[inline]
fn space_mask(block: &[u8]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    assert!(block.len() >= 16);
    // SAFETY: SSE2 is part of the x86-64 baseline; the load reads the 16 bytes checked
    // above and needs no alignment.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
        _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8))) as u32
    }
}

/// The last column of a line: the bytes after its last space. IIS logs time-taken last,
/// and a report reads it on every line, so this is small enough to inline there.
#[inline]
pub fn last_field(line: &[u8]) -> &[u8] {
    line.iter()
        .rposition(|&b| b == b' ')
        .map_or(line, |p| &line[p + 1..])
}

/// Column `k` of a line of `count` columns (the line has exactly `count - 1` spaces),
/// searched from the nearer end. Columns a few bytes from an end (date, time) are found
/// with a plain loop, which beats setting up a block compare.
#[inline]
pub fn field(line: &[u8], k: usize, count: usize) -> &[u8] {
    if k + 1 == count {
        return last_field(line);
    }
    const NEAR: usize = 3;
    let start = if k == 0 {
        0
    } else if k <= NEAR {
        let mut seen = 0;
        line.iter()
            .position(|&b| {
                seen += usize::from(b == b' ');
                seen == k
            })
            .map_or(line.len(), |i| i + 1)
    } else if count - 1 - k < NEAR {
        let mut seen = 0;
        line.iter()
            .rposition(|&b| {
                seen += usize::from(b == b' ');
                seen == count - k
            })
            .map_or(0, |i| i + 1)
    } else if k <= count / 2 {
        nth_space(line, 0, k - 1).map_or(line.len(), |i| i + 1)
    } else {
        nth_space_back(line, line.len(), count - 1 - k).map_or(0, |i| i + 1)
    };
    let rest = &line[start.min(line.len())..];
    let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
    &rest[..end]
}

/// Columns `a` and `b` (`a < b`) of a line, in one forward pass from `a` to `b`.
#[inline]
pub fn two_fields(line: &[u8], a: usize, b: usize, count: usize) -> (&[u8], &[u8]) {
    debug_assert!(a < b);
    let first = field(line, a, count);
    // `first` is a sub-slice of `line`: the next column starts one byte after it.
    let after = first.as_ptr() as usize - line.as_ptr() as usize + first.len();
    let start = match b - a {
        1 => after + 1,
        d => nth_space(line, after + 1, d - 2).map_or(line.len(), |i| i + 1),
    }
    .min(line.len());
    let rest = &line[start..];
    let end = nth_space(rest, 0, 0).unwrap_or(rest.len());
    (first, &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Vec<Vec<u8>> {
        let mut out = vec![
            b"2026-11-23 00:00:01 10.0.0.1 GET /a - 443 - 10.0.0.9 UA - 404 0 2 15".to_vec(),
            b"a".to_vec(),
            b" ".to_vec(),
            b"  x  ".to_vec(),
        ];
        // Every mix of short and long columns, across 16-byte block edges.
        for w in [0usize, 1, 7, 15, 16, 17, 31, 40] {
            let cols: Vec<String> = (0..9).map(|i| "x".repeat((w * (i + 1)) % 41)).collect();
            out.push(cols.join(" ").into_bytes());
        }
        out
    }

    #[test]
    fn spaces_from_either_end_match_a_plain_search() {
        for line in lines() {
            let spaces: Vec<usize> = (0..line.len()).filter(|&i| line[i] == b' ').collect();
            for from in 0..=line.len() {
                let after: Vec<usize> = spaces.iter().copied().filter(|&i| i >= from).collect();
                for n in 0..after.len() + 2 {
                    assert_eq!(nth_space(&line, from, n), after.get(n).copied());
                }
                let before: Vec<usize> =
                    spaces.iter().rev().copied().filter(|&i| i < from).collect();
                for n in 0..before.len() + 2 {
                    assert_eq!(nth_space_back(&line, from, n), before.get(n).copied());
                }
            }
        }
    }

    #[test]
    fn every_column_and_every_pair() {
        for line in lines() {
            let cols: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
            for (k, want) in cols.iter().enumerate() {
                assert_eq!(field(&line, k, cols.len()), *want, "column {k}");
                for b in k + 1..cols.len() {
                    assert_eq!(two_fields(&line, k, b, cols.len()), (*want, cols[b]));
                }
            }
        }
    }
}
