//! Fuzz target for the line and directive parser: any bytes, cut into chunks of any size,
//! must tally without panicking, account for every line, and equal the sequential scan.
#![no_main]

use iislog::parse::chunk::tally_bytes;
use iislog::parse::Header;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first two bytes choose the chunk size, the rest is the log.
    let (chunk, log) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])).max(1), rest),
        _ => return,
    };
    let whole = tally_bytes(log, &Header::None, usize::MAX, &|_| {});
    assert!(whole.acct.is_balanced(), "{:?}", whole.acct);
    let lf = log.iter().filter(|&&b| b == b'\n').count() as u64;
    let expected_lines = lf + u64::from(!log.is_empty() && log.last() != Some(&b'\n'));
    assert_eq!(whole.acct.lines, expected_lines);
    let pieces = tally_bytes(log, &Header::None, chunk, &|_| {});
    assert_eq!(pieces.acct, whole.acct);
    assert_eq!(pieces.codes, whole.codes);
    assert_eq!(pieces.examples, whole.examples);
});
