//! Properties of the library's tally: random logs (block changes, field orders, CRLF/LF,
//! blank and malformed lines) cut into random chunks and read on 1 to 4 threads give the
//! same tally as one whole-file pass and as the plain reference tally written here.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use iislog::format::w3c::FieldMap;
use iislog::parse::chunk::tally_bytes;
use iislog::parse::Header;
use iislog::tally::{Accounting, Code, Codes, Example, SkipReason, Tally, EXAMPLES_PER_REASON};
use proptest::prelude::*;

/// Field names a generated `#Fields` picks from, in any order.
const POOL: [&str; 10] = [
    "date",
    "time",
    "s-ip",
    "cs-method",
    "cs-uri-stem",
    "c-ip",
    "sc-status",
    "sc-substatus",
    "sc-win32-status",
    "time-taken",
];
/// Values for the status fields; the first four of each are valid.
const STATUS: [&str; 10] = [
    "200",
    "404",
    "-",
    "999",
    "abc",
    "1000",
    "0404",
    "-5",
    "",
    "99999999999999999999",
];
const SUB: [&str; 7] = ["0", "2", "19", "-", "x1", "4294967296", "12345678901"];
const WIN32: [&str; 7] = [
    "0",
    "64",
    "2148074254",
    "4294967295",
    "4294967296",
    "6 4",
    "-",
];
/// Values for the other fields.
const OTHER: [&str; 6] = ["2026-11-23", "00:00:01", "GET", "/a.aspx", "10.0.0.1", "15"];
/// Layout of data lines written before any `#Fields`.
const NO_HEADER_COLUMNS: usize = 6;

/// One generated line.
#[derive(Debug, Clone)]
enum Item {
    /// `#Fields:` with these `POOL` names in this order; none makes an unusable block.
    Fields(Vec<usize>),
    /// `#Software`, `#Version`, `#Date` or `#Remark`.
    Directive(usize),
    /// A data line for the layout in force: which value each field gets, and a column
    /// dropped (-1) or added (+1).
    Row {
        status: usize,
        sub: usize,
        win32: usize,
        other: usize,
        delta: i8,
    },
    Blank,
    /// Any bytes but LF.
    Garbage(Vec<u8>),
}

fn fields_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop::sample::subsequence((0..POOL.len()).collect::<Vec<_>>(), 0..=POOL.len()).prop_shuffle()
}

fn item_strategy() -> impl Strategy<Value = Item> {
    let valid_or_not = |n: usize| prop_oneof![4 => 0..4usize.min(n), 1 => 0..n];
    prop_oneof![
        2 => fields_strategy().prop_map(Item::Fields),
        1 => (0..4usize).prop_map(Item::Directive),
        12 => (
            valid_or_not(STATUS.len()),
            valid_or_not(SUB.len()),
            valid_or_not(WIN32.len()),
            0..OTHER.len(),
            prop_oneof![8 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)],
        )
            .prop_map(|(status, sub, win32, other, delta)| Item::Row {
                status,
                sub,
                win32,
                other,
                delta,
            }),
        1 => Just(Item::Blank),
        1 => prop::collection::vec(
            prop_oneof![3 => any::<u8>(), 1 => Just(0u8), 1 => Just(b'\r'), 1 => Just(b' ')],
            0..24,
        )
        .prop_map(|v| Item::Garbage(v.into_iter().filter(|&b| b != b'\n').collect())),
    ]
}

/// A generated log and how to read it.
#[derive(Debug, Clone)]
struct Case {
    bom: bool,
    items: Vec<Item>,
    /// Per line: CRLF rather than LF.
    crlf: Vec<bool>,
    /// The last line ends with a newline.
    final_eol: bool,
    /// A `--fields` header in force before the first line.
    initial: Option<Vec<usize>>,
    chunks: Vec<usize>,
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        prop::collection::vec(item_strategy(), 0..48),
        prop::collection::vec(any::<bool>(), 48),
        any::<bool>(),
        prop::option::weighted(0.3, fields_strategy()),
        prop::collection::vec(1..600usize, 3),
    )
        .prop_map(|(bom, items, crlf, final_eol, initial, chunks)| Case {
            bom,
            items,
            crlf,
            final_eol,
            // `--fields` refuses an empty list, so there is no empty initial header.
            initial: initial.filter(|f| !f.is_empty()),
            chunks,
        })
}

fn names(idx: &[usize]) -> Vec<&'static str> {
    idx.iter().map(|&i| POOL[i]).collect()
}

/// Writes a case's bytes.
fn render(case: &Case) -> Vec<u8> {
    let mut out = Vec::new();
    if case.bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut layout = case.initial.clone();
    for (i, item) in case.items.iter().enumerate() {
        match item {
            Item::Fields(f) => {
                out.extend_from_slice(format!("#Fields: {}", names(f).join(" ")).as_bytes());
                layout = Some(f.clone()).filter(|f| !f.is_empty());
            }
            Item::Directive(d) => out.extend_from_slice(
                [
                    "#Software: Microsoft Internet Information Services 10.0",
                    "#Version: 1.0",
                    "#Date: 2026-11-23 00:00:00",
                    "#Remark: restarted",
                ][*d]
                    .as_bytes(),
            ),
            Item::Row {
                status,
                sub,
                win32,
                other,
                delta,
            } => {
                let mut cols: Vec<&str> = match &layout {
                    Some(f) => f
                        .iter()
                        .map(|&k| match POOL[k] {
                            "sc-status" => STATUS[*status],
                            "sc-substatus" => SUB[*sub],
                            "sc-win32-status" => WIN32[*win32],
                            _ => OTHER[*other],
                        })
                        .collect(),
                    None => vec![OTHER[*other]; NO_HEADER_COLUMNS],
                };
                match delta {
                    -1 => {
                        cols.pop();
                    }
                    1 => cols.push("extra"),
                    _ => {}
                }
                out.extend_from_slice(cols.join(" ").as_bytes());
            }
            Item::Blank => {}
            Item::Garbage(g) => out.extend_from_slice(g),
        }
        if i + 1 < case.items.len() || case.final_eol {
            out.extend_from_slice(if case.crlf[i] { b"\r\n" } else { b"\n" });
        }
    }
    out
}

fn header_of(fields: &Option<Vec<usize>>) -> Header {
    match fields {
        Some(f) => Header::Fields(Arc::new(
            FieldMap::parse(names(f).join(" ").as_bytes()).expect("a usable list"),
        )),
        None => Header::None,
    }
}

/// What the reference makes of a file: the same shape as a `Tally`, in plain types.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    codes: BTreeMap<Codes, u64>,
    acct: Accounting,
    examples: Vec<Example>,
}

fn observed(t: &Tally) -> Expected {
    Expected {
        codes: t.codes.iter().map(|(k, v)| (*k, *v)).collect(),
        acct: t.acct,
        examples: t.examples.clone(),
    }
}

/// The block in force, for the reference.
enum Block {
    None,
    Bad,
    Fields(Vec<String>),
}

/// Reads one code the way the issue defines it: `-` is empty; else 1 to 10 digits, at
/// most `max`.
fn ref_code(v: &[u8], max: u64) -> Option<Code> {
    if v == b"-" {
        return Some(Code::Empty);
    }
    if v.is_empty() || v.len() > 10 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u64 = std::str::from_utf8(v).ok()?.parse().ok()?;
    (n <= max).then_some(Code::Value(n as u32))
}

/// The reference tally: split on LF, drop one CR, peel a BOM or NUL run off the front,
/// then classify each line on its own with the block in force.
fn reference(bytes: &[u8], initial: &Option<Vec<usize>>) -> Expected {
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let terminated = bytes.last() == Some(&b'\n');
    if terminated || bytes.is_empty() {
        lines.pop();
    }
    let mut block = match initial {
        Some(f) => Block::Fields(names(f).iter().map(|s| s.to_string()).collect()),
        None => Block::None,
    };
    let mut codes = BTreeMap::new();
    let mut acct = Accounting {
        lines: lines.len() as u64,
        bytes: bytes.len() as u64,
        ..Accounting::default()
    };
    let mut examples = Vec::new();
    let mut skip = |reason: SkipReason, line: usize, acct: &mut Accounting| {
        acct.skipped[reason as usize] += 1;
        if acct.skipped[reason as usize] as usize <= EXAMPLES_PER_REASON {
            examples.push(Example {
                reason,
                line: line as u64,
            });
        }
    };
    for (i, raw) in lines.iter().enumerate() {
        let n = i + 1;
        let unterminated = n == lines.len() && !terminated;
        let mut l: &[u8] = raw.strip_suffix(b"\r").unwrap_or(raw);
        let mut all_nul = false;
        loop {
            if let Some(r) = l.strip_prefix(b"\xEF\xBB\xBF") {
                l = r;
            } else if l.first() == Some(&0) {
                l = &l[l.iter().take_while(|&&b| b == 0).count()..];
                if l.is_empty() {
                    all_nul = true;
                    break;
                }
            } else {
                break;
            }
        }
        if all_nul {
            skip(SkipReason::Binary, n, &mut acct);
            continue;
        }
        if l.is_empty() {
            acct.blank += 1;
            continue;
        }
        if l[0] == b'#' {
            // A `#` line with control bytes (other than tab) is binary, not a directive.
            if l.iter().any(|&b| b < 0x20 && b != b'\t') {
                skip(SkipReason::Binary, n, &mut acct);
                continue;
            }
            acct.directives += 1;
            let body = &l[1..];
            if let Some(colon) = body.iter().position(|&b| b == b':') {
                if body[..colon].eq_ignore_ascii_case(b"Fields") {
                    let list = String::from_utf8_lossy(&body[colon + 1..]).into_owned();
                    let list = list.trim_matches(|c| c == ' ' || c == '\t');
                    let f: Vec<String> = list
                        .split(' ')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect();
                    block = if f.is_empty() || f.len() > FieldMap::MAX_FIELDS {
                        Block::Bad
                    } else {
                        Block::Fields(f)
                    };
                }
            }
            continue;
        }
        if l.iter().any(|&b| b < 0x20 && b != b'\t') {
            skip(SkipReason::Binary, n, &mut acct);
            continue;
        }
        let fields = match &block {
            Block::None => {
                skip(SkipReason::NoFields, n, &mut acct);
                continue;
            }
            Block::Bad => {
                skip(SkipReason::BadFields, n, &mut acct);
                continue;
            }
            Block::Fields(f) => f,
        };
        let cols: Vec<&[u8]> = l.split(|&b| b == b' ').collect();
        if cols.len() != fields.len() {
            let reason = if unterminated {
                SkipReason::Truncated
            } else {
                SkipReason::ColumnCount
            };
            skip(reason, n, &mut acct);
            continue;
        }
        let get =
            |name: &str, max: u64| match fields.iter().position(|f| f.eq_ignore_ascii_case(name)) {
                None => Some(Code::NotLogged),
                Some(k) => ref_code(cols[k], max),
            };
        match (
            get("sc-status", 999),
            get("sc-substatus", u64::from(u32::MAX)),
            get("sc-win32-status", u64::from(u32::MAX)),
        ) {
            (Some(status), Some(substatus), Some(win32)) => {
                acct.requests += 1;
                *codes
                    .entry(Codes {
                        status,
                        substatus,
                        win32,
                    })
                    .or_insert(0) += 1;
            }
            _ => skip(SkipReason::BadCode, n, &mut acct),
        }
    }
    examples.sort();
    Expected {
        codes,
        acct,
        examples,
    }
}

/// Thread pools of 1 to 4 threads, built once for all cases.
fn pools() -> &'static [rayon::ThreadPool] {
    static POOLS: OnceLock<Vec<rayon::ThreadPool>> = OnceLock::new();
    POOLS.get_or_init(|| {
        (1..=4)
            .map(|n| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .expect("a thread pool")
            })
            .collect()
    })
}

fn lf_lines(bytes: &[u8]) -> u64 {
    let lf = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    lf + u64::from(bytes.last().is_some_and(|&b| b != b'\n'))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn chunks_and_threads_equal_whole_file_and_reference(case in case_strategy()) {
        let bytes = render(&case);
        let header = header_of(&case.initial);
        let whole = tally_bytes(&bytes, &header, usize::MAX, &|_| {});
        let want = reference(&bytes, &case.initial);
        prop_assert_eq!(&observed(&whole), &want, "whole file vs reference");
        prop_assert!(whole.acct.is_balanced());
        prop_assert_eq!(whole.acct.lines, lf_lines(&bytes));
        for (n, pool) in pools().iter().enumerate() {
            for &chunk in &case.chunks {
                let t = pool.install(|| tally_bytes(&bytes, &header, chunk, &|_| {}));
                prop_assert_eq!(
                    &observed(&t),
                    &want,
                    "{} threads, chunks of {} bytes",
                    n + 1,
                    chunk
                );
            }
        }
    }
}

/// Bytes biased towards what matters to the scanner.
fn noise() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => any::<u8>(),
        3 => prop::sample::select(b"\n\r #:-0123456789\0".to_vec()),
        1 => Just(0xEFu8),
    ];
    (
        prop::option::of(prop::sample::select(vec![
            &b"#Fields: sc-status sc-substatus sc-win32-status\n"[..],
            &b"\xEF\xBB\xBF#Fields: a sc-status\r\n"[..],
            &b"#Fields:\n"[..],
        ])),
        prop::collection::vec(byte, 0..700),
    )
        .prop_map(|(head, body)| {
            let mut v = head.map(<[u8]>::to_vec).unwrap_or_default();
            v.extend(body);
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_bytes_are_accounted_for(
        bytes in noise(),
        chunk in 1..300usize,
        threads in 0..4usize,
    ) {
        let seen = AtomicU64::new(0);
        let t = pools()[threads].install(|| {
            tally_bytes(&bytes, &Header::None, chunk, &|n| {
                seen.fetch_add(n, Ordering::Relaxed);
            })
        });
        prop_assert!(t.acct.is_balanced(), "{:?}", t.acct);
        prop_assert_eq!(t.acct.lines, lf_lines(&bytes));
        prop_assert_eq!(t.acct.bytes, bytes.len() as u64);
        prop_assert_eq!(seen.load(Ordering::Relaxed), bytes.len() as u64);
        prop_assert_eq!(&observed(&t), &reference(&bytes, &None));
    }
}

/// The reference itself, on a file worked out by hand: if it were wrong, the properties
/// above would compare the library with nonsense.
#[test]
fn reference_agrees_with_a_hand_count() {
    let text = b"x 1\r\n#Fields: a sc-status\nq 200\r\n\0\0#Remark: after a crash\nq 20 0\n\n\
#Fields: sc-win32-status sc-status\n64 -\n#Fields:\nq\n\0\0\0\n5 abc\nq 404";
    // Lines: 1 no-fields; 2 directive; 3 200; 4 directive (NULs peeled); 5 column-count;
    // 6 blank; 7 directive; 8 `-` with win32 64; 9 directive (empty #Fields); 10 bad-fields;
    // 11 binary (all NUL); 12 bad-fields; 13 bad-fields (unterminated, but no usable block).
    let r = reference(text, &None);
    let acct = r.acct;
    assert_eq!(
        (acct.lines, acct.requests, acct.directives, acct.blank),
        (13, 2, 4, 1)
    );
    let skipped = |reason: SkipReason| acct.skipped[reason as usize];
    assert_eq!(skipped(SkipReason::NoFields), 1);
    assert_eq!(skipped(SkipReason::ColumnCount), 1);
    assert_eq!(skipped(SkipReason::BadFields), 3);
    assert_eq!(skipped(SkipReason::Binary), 1);
    let v200 = Codes {
        status: Code::Value(200),
        substatus: Code::NotLogged,
        win32: Code::NotLogged,
    };
    let dash64 = Codes {
        status: Code::Empty,
        substatus: Code::NotLogged,
        win32: Code::Value(64),
    };
    assert_eq!(r.codes, BTreeMap::from([(v200, 1), (dash64, 1)]));
    let t = tally_bytes(text, &Header::None, usize::MAX, &|_| {});
    assert_eq!(observed(&t), r);
}

/// A file larger than the 64 KB the chunker reads to guess the first header, with a block
/// change every few hundred lines, read in chunks on each side of that size.
#[test]
fn a_large_file_with_many_blocks_equals_the_reference() {
    let layouts: [&[usize]; 4] = [&[0, 1, 4, 6, 7, 8, 9], &[8, 6, 2], &[6], &[0, 1, 3, 4]];
    let mut items = Vec::new();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for block in 0..40 {
        items.push(Item::Fields(layouts[block % layouts.len()].to_vec()));
        for _ in 0..(100 + next(300)) {
            items.push(match next(50) {
                0 => Item::Blank,
                1 => Item::Garbage(vec![0; 1 + next(40)]),
                2 => Item::Directive(next(4)),
                k => Item::Row {
                    status: next(if k < 40 { 4 } else { STATUS.len() }),
                    sub: next(if k < 40 { 4 } else { SUB.len() }),
                    win32: next(if k < 40 { 4 } else { WIN32.len() }),
                    other: next(OTHER.len()),
                    delta: [0, 0, 0, 0, 0, 0, 0, 0, -1, 1][next(10)],
                },
            });
        }
    }
    let case = Case {
        bom: true,
        crlf: (0..items.len()).map(|_| next(4) != 0).collect(),
        items,
        final_eol: false,
        initial: None,
        chunks: vec![997, 8192, 65_536, 70_001],
    };
    let bytes = render(&case);
    assert!(bytes.len() > 200_000, "{} bytes", bytes.len());
    let want = reference(&bytes, &None);
    assert!(want.acct.requests > 5_000, "{:?}", want.acct);
    for pool in pools() {
        for &chunk in &case.chunks {
            let t = pool.install(|| tally_bytes(&bytes, &Header::None, chunk, &|_| {}));
            assert_eq!(observed(&t), want, "chunks of {chunk} bytes");
        }
    }
}
