//! Hostile input: every kind of bad log a real server holds, each with its exact counts
//! worked out by hand. Whatever the bytes, nothing panics, every line is accounted for
//! (lines = requests + directives + blank + skipped), and other files are still read.

use std::collections::BTreeMap;
use std::time::Instant;

use iislog::parse::chunk::tally_bytes;
use iislog::parse::Header;
use iislog::tally::{Accounting, Code, Codes, SkipReason, Tally};

use crate::util::{iislog, json_files, parse_json, tempdir};

const H: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-11-23 00:00:00\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n";

/// A 15-column IIS 10 line with this URI stem and status triple, CRLF-terminated.
fn line(uri: &str, s: &str, sub: &str, w: &str) -> String {
    format!("2026-11-23 00:00:01 10.0.0.1 GET {uri} - 443 - 10.0.0.9 Mozilla/5.0 - {s} {sub} {w} 15\r\n")
}

fn ok(s: &str) -> String {
    line("/", s, "0", "0")
}

/// What a case must give: (lines, requests, directives, blank) and skipped by reason.
struct Want {
    lines: u64,
    requests: u64,
    directives: u64,
    blank: u64,
    skipped: &'static [(SkipReason, u64)],
}

/// Tallies `bytes` whole and in pieces of several sizes, checks each result against
/// `want`, the balance law and the LF line count, and returns the whole-file tally.
fn check(name: &str, bytes: &[u8], want: Want) -> Tally {
    let lf = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    let lines_by_lf = lf + u64::from(!bytes.is_empty() && bytes.last() != Some(&b'\n'));
    assert_eq!(lines_by_lf, want.lines, "{name}: the test's own line count");
    let whole = tally_bytes(bytes, &Header::None, usize::MAX, &|_| {});
    let mut skipped = [0u64; SkipReason::COUNT];
    for &(r, n) in want.skipped {
        skipped[r as usize] = n;
    }
    let expected = Accounting {
        lines: want.lines,
        requests: want.requests,
        directives: want.directives,
        blank: want.blank,
        skipped,
        bytes: bytes.len() as u64,
    };
    assert_eq!(whole.acct, expected, "{name}");
    assert!(whole.acct.is_balanced(), "{name}");
    for chunk in [1, 7, 64, 4096] {
        let pieces = tally_bytes(bytes, &Header::None, chunk, &|_| {});
        assert_eq!(pieces.acct, whole.acct, "{name}, chunks of {chunk}");
        assert_eq!(pieces.codes, whole.codes, "{name}, chunks of {chunk}");
    }
    whole
}

fn count(t: &Tally, s: Code, sub: Code, w: Code) -> u64 {
    let key = Codes {
        status: s,
        substatus: sub,
        win32: w,
    };
    t.codes.get(&key).copied().unwrap_or(0)
}

use Code::Value as V;
use SkipReason::*;

#[test]
fn empty_file() {
    check(
        "empty",
        b"",
        Want {
            lines: 0,
            requests: 0,
            directives: 0,
            blank: 0,
            skipped: &[],
        },
    );
}

#[test]
fn only_directives_and_fields_without_data() {
    check(
        "directives",
        H.as_bytes(),
        Want {
            lines: 4,
            requests: 0,
            directives: 4,
            blank: 0,
            skipped: &[],
        },
    );
    check(
        "#Fields alone",
        b"#Fields: date time sc-status\r\n",
        Want {
            lines: 1,
            requests: 0,
            directives: 1,
            blank: 0,
            skipped: &[],
        },
    );
}

#[test]
fn data_before_any_fields() {
    let text = format!("{}{H}{}", ok("200"), ok("200"));
    check(
        "data first",
        text.as_bytes(),
        Want {
            lines: 6,
            requests: 1,
            directives: 4,
            blank: 0,
            skipped: &[(NoFields, 1)],
        },
    );
}

#[test]
fn one_column_too_many_or_too_few() {
    let more = ok("200").replace(" 15\r\n", " 15 extra\r\n");
    let fewer = ok("200").replace(" 15\r\n", "\r\n");
    let text = format!("{H}{more}{fewer}{}", ok("404"));
    let t = check(
        "columns",
        text.as_bytes(),
        Want {
            lines: 7,
            requests: 1,
            directives: 4,
            blank: 0,
            skipped: &[(ColumnCount, 2)],
        },
    );
    assert_eq!(count(&t, V(404), V(0), V(0)), 1);
}

#[test]
fn a_one_megabyte_line() {
    let long_uri = format!("/{}", "a".repeat(1 << 20));
    let garbage = "x".repeat(1 << 20);
    let text = format!("{H}{}{garbage}\r\n", line(&long_uri, "414", "0", "0"));
    let t = check(
        "1 MB",
        text.as_bytes(),
        Want {
            lines: 6,
            requests: 1,
            directives: 4,
            blank: 0,
            skipped: &[(ColumnCount, 1)],
        },
    );
    assert_eq!(count(&t, V(414), V(0), V(0)), 1);
}

#[test]
fn nul_bytes_whole_file_and_crash_tail() {
    check(
        "all NUL",
        &[0u8; 4096],
        Want {
            lines: 1,
            requests: 0,
            directives: 0,
            blank: 0,
            skipped: &[(Binary, 1)],
        },
    );
    let mut bytes = format!("{H}{}", ok("200")).into_bytes();
    bytes.extend([0u8; 1000]);
    check(
        "NUL tail",
        &bytes,
        Want {
            lines: 6,
            requests: 1,
            directives: 4,
            blank: 0,
            skipped: &[(Binary, 1)],
        },
    );
    // After a crash IIS pads with NULs, restarts and writes a new header right after them.
    let mut bytes = format!("{H}{}", ok("200")).into_bytes();
    bytes.extend([0u8; 1000]);
    bytes.extend(format!("{H}{}", ok("503")).as_bytes());
    let t = check(
        "NUL then restart",
        &bytes,
        Want {
            lines: 10,
            requests: 2,
            directives: 8,
            blank: 0,
            skipped: &[],
        },
    );
    assert_eq!(count(&t, V(503), V(0), V(0)), 1);
}

#[test]
fn truncated_last_line() {
    let text = format!("{H}{}2026-11-23 00:00:02 10.0.0.1 GET /cut", ok("200"));
    check(
        "cut",
        text.as_bytes(),
        Want {
            lines: 6,
            requests: 1,
            directives: 4,
            blank: 0,
            skipped: &[(Truncated, 1)],
        },
    );
    // A last line cut after its last column is whole: it counts.
    let text = format!("{H}{}", ok("200").trim_end());
    check(
        "cut after the last column",
        text.as_bytes(),
        Want {
            lines: 5,
            requests: 1,
            directives: 4,
            blank: 0,
            skipped: &[],
        },
    );
}

#[test]
fn mixed_line_ends_and_lone_cr() {
    let text = format!("{H}{}{}\n", ok("200").replace("\r\n", "\n"), ok("304"));
    check(
        "LF and CRLF",
        text.as_bytes(),
        Want {
            lines: 7,
            requests: 2,
            directives: 4,
            blank: 1,
            skipped: &[],
        },
    );
    // A lone CR inside a data line is a control byte; a file whose lines end in CR alone
    // is one long line, refused as binary rather than taken for one directive.
    let text = format!("{H}{}", ok("200").replace("/ -", "/a\rb -"));
    check(
        "lone CR",
        text.as_bytes(),
        Want {
            lines: 5,
            requests: 0,
            directives: 4,
            blank: 0,
            skipped: &[(Binary, 1)],
        },
    );
    let mac = format!("{H}{}", ok("200")).replace("\r\n", "\r");
    check(
        "CR line ends",
        mac.as_bytes(),
        Want {
            lines: 1,
            requests: 0,
            directives: 0,
            blank: 0,
            skipped: &[(Binary, 1)],
        },
    );
}

#[test]
fn bom_in_the_middle_of_two_concatenated_logs() {
    let text = format!("\u{FEFF}{H}{}\u{FEFF}{H}{}", ok("200"), ok("500"));
    let t = check(
        "BOM twice",
        text.as_bytes(),
        Want {
            lines: 10,
            requests: 2,
            directives: 8,
            blank: 0,
            skipped: &[],
        },
    );
    assert_eq!(count(&t, V(500), V(0), V(0)), 1);
}

#[test]
fn bytes_that_are_not_utf8() {
    // An `ex` file in the server's code page: "テスト" in Shift-JIS, "é" in CP1252.
    let mut bytes = H.as_bytes().to_vec();
    bytes.extend(
        line("/\u{1}", "404", "0", "2")
            .replace('\u{1}', "\u{FFFF}")
            .as_bytes(),
    );
    let sjis = line("/X.aspx", "200", "0", "0").into_bytes();
    let at = sjis.windows(2).position(|w| w == b"/X").unwrap() + 1;
    let mut sjis_line = sjis[..at].to_vec();
    sjis_line.extend([0x83, 0x65, 0x83, 0x58, 0x83, 0x67]);
    sjis_line.extend(&sjis[at + 1..]);
    bytes.extend(&sjis_line);
    bytes.extend(
        line("/caf\u{1}", "200", "0", "0")
            .replace('\u{1}', "")
            .as_bytes(),
    );
    let cp1252_at = bytes.len() - line("/caf", "200", "0", "0").len()
        + "2026-11-23 00:00:01 10.0.0.1 GET /caf".len();
    bytes.insert(cp1252_at, 0xE9);
    let t = check(
        "code pages",
        &bytes,
        Want {
            lines: 7,
            requests: 3,
            directives: 4,
            blank: 0,
            skipped: &[],
        },
    );
    assert_eq!(count(&t, V(200), V(0), V(0)), 2);
}

#[test]
fn custom_and_duplicate_fields() {
    // IIS 8.5 enhanced logging adds request headers and server variables.
    let custom = "#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status X-Forwarded-For crypt-protocol\r\n";
    let text = format!("{custom}2026-11-23 00:00:01 / 200 0 0 203.0.113.7,10.0.0.2 400\r\n");
    let t = check(
        "custom",
        text.as_bytes(),
        Want {
            lines: 2,
            requests: 1,
            directives: 1,
            blank: 0,
            skipped: &[],
        },
    );
    assert_eq!(count(&t, V(200), V(0), V(0)), 1);
    // A field named twice keeps both columns; the first one is read.
    let text = "#Fields: sc-status sc-status sc-substatus\r\n200 404 0\r\n";
    let t = check(
        "duplicate",
        text.as_bytes(),
        Want {
            lines: 2,
            requests: 1,
            directives: 1,
            blank: 0,
            skipped: &[],
        },
    );
    assert_eq!(count(&t, V(200), V(0), Code::NotLogged), 1);
}

#[test]
fn status_values_that_are_not_codes() {
    let text = format!(
        "{H}{}{}{}{}{}{}",
        ok("abc"),
        ok("-5"),
        ok("99999999999999999999"),
        ok("1000"),
        line("/", "200", "0", "4294967296"),
        ok("999"),
    );
    let t = check(
        "bad codes",
        text.as_bytes(),
        Want {
            lines: 10,
            requests: 1,
            directives: 4,
            blank: 0,
            skipped: &[(BadCode, 5)],
        },
    );
    assert_eq!(count(&t, V(999), V(0), V(0)), 1);
}

#[test]
fn random_bytes_are_accounted_for() {
    // A fixed xorshift stream: 64 KiB of noise with some newlines, spaces and '#'.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let bytes: Vec<u8> = (0..65_536)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match x % 16 {
                0 => b'\n',
                1 => b' ',
                2 => b'#',
                _ => (x >> 8) as u8,
            }
        })
        .collect();
    let t = tally_bytes(&bytes, &Header::None, 1000, &|_| {});
    let lf = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    assert_eq!(t.acct.lines, lf + u64::from(bytes.last() != Some(&b'\n')));
    assert!(t.acct.is_balanced());
}

/// A file that grows while it is read: only the length seen at open is read.
#[test]
fn a_file_that_grows_while_read() {
    let dir = tempdir();
    let path = dir.path().join("u_ex261123.log");
    let mut text = H.to_string();
    for _ in 0..1000 {
        text.push_str(&ok("200"));
    }
    text.push_str("2026-11-23 00:00:02 10.0.0.1 GET /half");
    std::fs::write(&path, &text).unwrap();
    let bytes = iislog::input::source::load(&path).unwrap();
    // IIS finishes the line and writes more while the map is held.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(
        &mut f,
        format!(
            "{}{}",
            " - 443 - 10.0.0.9 Mozilla/5.0 - 200 0 0 15\r\n",
            ok("500")
        )
        .as_bytes(),
    )
    .unwrap();
    drop(f);
    let t = tally_bytes(&bytes, &Header::None, 4096, &|_| {});
    assert_eq!(t.acct.requests, 1000);
    assert_eq!(t.acct.skipped_for(Truncated), 1);
    assert_eq!(count(&t, V(500), V(0), V(0)), 0);
}

/// A file deleted after discovery is a problem for that file only.
#[test]
fn a_file_deleted_between_discovery_and_reading() {
    let dir = tempdir();
    let keep = dir.path().join("W3SVC1").join("u_ex261123.log");
    let gone = dir.path().join("W3SVC1").join("u_ex261124.log");
    std::fs::create_dir_all(keep.parent().unwrap()).unwrap();
    std::fs::write(&keep, format!("{H}{}", ok("200"))).unwrap();
    std::fs::write(&gone, format!("{H}{}", ok("404"))).unwrap();
    let found = iislog::input::discover::discover(&[dir.path().to_path_buf()]);
    assert_eq!(found.files.len(), 2);
    std::fs::remove_file(&gone).unwrap();
    let opts = iislog::SummaryOptions::new(vec![dir.path().to_path_buf()]);
    let progress = iislog::progress::Progress::hidden();
    let out = iislog::summarize_found(found, &opts, &progress, Instant::now()).unwrap();
    assert_eq!(out.status(), iislog::RunStatus::SomeUnreadable);
    assert_eq!(out.problems.len(), 1);
    assert_eq!(out.problems[0].path, gone);
    assert_eq!(out.summary.totals.requests, 1);
    assert_eq!(out.summary.files.len(), 1);
}

/// The binary over a folder of bad files: each read, each accounted, exit 0.
#[test]
fn a_folder_of_bad_files_end_to_end() {
    let dir = tempdir();
    let w = dir.path().join("W3SVC1");
    std::fs::create_dir_all(&w).unwrap();
    let files: BTreeMap<&str, Vec<u8>> = BTreeMap::from([
        ("u_ex261101.log", Vec::new()),
        ("u_ex261102.log", vec![0u8; 3000]),
        (
            "u_ex261103.log",
            format!("{H}{}{}", ok("200"), ok("x")).into_bytes(),
        ),
        ("u_ex261104.log", format!("{}{H}", ok("200")).into_bytes()),
    ]);
    for (name, bytes) in &files {
        std::fs::write(w.join(name), bytes).unwrap();
    }
    let run = iislog([
        "summary".as_ref(),
        dir.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    run.expect_code(0);
    let accts = json_files(&parse_json(&run.stdout));
    let got: Vec<(u64, u64, u64, u64)> = accts
        .iter()
        .map(|a| (a.lines, a.requests, a.directives, a.skipped))
        .collect();
    assert_eq!(
        got,
        vec![(0, 0, 0, 0), (1, 0, 0, 1), (6, 1, 4, 1), (5, 0, 4, 1)]
    );
    assert!(accts.iter().all(|a| a.is_balanced()));
}

/// A symlink loop in the folder tree: named, not followed, exit 1, the rest still read.
#[cfg(unix)] // creating links needs a privilege on Windows
#[test]
fn a_symlink_loop() {
    let dir = tempdir();
    let w = dir.path().join("W3SVC1");
    std::fs::create_dir_all(&w).unwrap();
    std::fs::write(w.join("u_ex261123.log"), format!("{H}{}", ok("200"))).unwrap();
    std::os::unix::fs::symlink(dir.path(), w.join("loop")).unwrap();
    let run = iislog([
        "summary".as_ref(),
        dir.path().as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
    ]);
    run.expect_code(1);
    assert!(run.stderr.contains("folder loop"), "{}", run.stderr);
    assert!(run.stdout.contains("http,200,0,0,1,"), "{}", run.stdout);
}

/// A 5 GB sparse file (a crash that preallocated a huge file): read to the end,
/// the hole is one skipped line, the lines before and after it count.
#[cfg(all(unix, target_pointer_width = "64"))] // a sparse 5 GB file under Wine is not sparse
#[test]
fn a_five_gigabyte_sparse_file() {
    let dir = tempdir();
    let path = dir.path().join("u_ex261123.log");
    let head = format!("{H}{}", ok("200"));
    let tail = format!("\n{H}{}", ok("503"));
    let hole: u64 = 5 << 30;
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(head.as_bytes()).unwrap();
        f.seek(SeekFrom::Current(hole as i64)).unwrap();
        f.write_all(tail.as_bytes()).unwrap();
    }
    let run = iislog([
        "summary".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    run.expect_code(0);
    let accts = json_files(&parse_json(&run.stdout));
    // head: 5 lines; the hole and the LF after it: 1 line; tail: 5 lines.
    assert_eq!(accts[0].lines, 11);
    assert_eq!(accts[0].requests, 2);
    assert_eq!(accts[0].directives, 8);
    assert_eq!(accts[0].skipped, 1);
}
