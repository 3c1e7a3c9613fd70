//! NCSA common log format (`ncYYMMDD.log`, `u_ncYYMMDD.log`):
//! `host ident user [dd/MMM/yyyy:HH:mm:ss +hhmm] "request" status bytes`, local time with
//! its offset. Only the status is logged; it is read from the back, after the request.

use chrono::NaiveDate;

use crate::days::{self, Day};
use crate::format::request::number;
use crate::format::{clock, parse_code};
use crate::tally::{Code, Codes, SkipReason};

/// Reads the status of one line; there is no substatus and no Windows status.
pub fn read(line: &[u8]) -> Result<Codes, SkipReason> {
    let open = find(line, b" [").ok_or(SkipReason::ColumnCount)?;
    let request = find(&line[open..], b"] \"").ok_or(SkipReason::ColumnCount)? + open + 3;
    // The request's closing quote is the last one; a line cut inside the request has none.
    let close = line
        .iter()
        .rposition(|&b| b == b'"')
        .filter(|&c| c >= request)
        .ok_or(SkipReason::ColumnCount)?;
    let tail = &line[close + 1..];
    let mut parts = tail.split(|&b| b == b' ').filter(|p| !p.is_empty());
    match (parts.next(), parts.next(), parts.next()) {
        (Some(status), Some(_bytes), None) if line[..open].split(|&b| b == b' ').count() == 3 => {
            Ok(Codes {
                status: parse_code(status, 999)?,
                substatus: Code::NotLogged,
                win32: Code::NotLogged,
            })
        }
        _ => Err(SkipReason::ColumnCount),
    }
}

/// The parts of a line before the status: `host ident user [stamp] "request"`.
struct Parts<'l> {
    words: [&'l [u8]; 3],
    stamp: &'l [u8],
    /// The request, inside its quotes (to the end of the line if it has no closing one).
    request: &'l [u8],
}

fn parts(line: &[u8]) -> Option<Parts<'_>> {
    let open = find(line, b" [")?;
    let close = open + memchr::memchr(b']', &line[open..])?;
    let mut words = line[..open].split(|&b| b == b' ');
    let words = [words.next()?, words.next()?, words.next()?];
    Some(Parts {
        words,
        stamp: line.get(open + 2..close)?,
        request: {
            let rest = line.get(close + 3..).unwrap_or_default();
            match rest.iter().rposition(|&b| b == b'"') {
                Some(q) => &rest[..q],
                None => rest,
            }
        },
    })
}

/// A field by the name W3C gives the same information.
pub fn field_by_name<'l>(line: &'l [u8], name: &str) -> Option<&'l [u8]> {
    let p = parts(line)?;
    let target = || p.request.split(|&b| b == b' ').nth(1);
    match name.to_ascii_lowercase().as_str() {
        "c-ip" => Some(p.words[0]),
        "cs-username" => Some(p.words[2]),
        "cs-method" => p.request.split(|&b| b == b' ').next(),
        "cs-uri-stem" => uri_stem(line),
        "cs-uri-query" => target().and_then(|t| {
            let q = memchr::memchr(b'?', t)?;
            Some(&t[q + 1..])
        }),
        "sc-bytes" => {
            let close = line.iter().rposition(|&b| b == b'"')?;
            line[close + 1..]
                .split(|&b| b == b' ')
                .filter(|p| !p.is_empty())
                .nth(1)
        }
        _ => None,
    }
}

/// The path the request asked for, without its query.
pub fn uri_stem(line: &[u8]) -> Option<&[u8]> {
    let p = parts(line)?;
    let target = p.request.split(|&b| b == b' ').nth(1)?;
    target.split(|&b| b == b'?').next()
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// The UTC day and second of a line: its local time turned back by the offset it carries.
pub fn stamp(line: &[u8]) -> Option<(Day, i32)> {
    utc_of(parts(line)?.stamp)
}

/// `dd/MMM/yyyy:HH:mm:ss +hhmm` → UTC day and second.
fn utc_of(stamp: &[u8]) -> Option<(Day, i32)> {
    let (when, zone) = match stamp.iter().position(|&b| b == b' ') {
        Some(i) => (&stamp[..i], &stamp[i + 1..]),
        None => (stamp, &b"+0000"[..]),
    };
    let d = number(when.get(..2)?)?;
    let month = MONTHS.iter().position(|m| when.get(3..6) == Some(*m))? as u32 + 1;
    let y = number(when.get(7..11)?)? as i32;
    if when.get(2) != Some(&b'/') || when.get(6) != Some(&b'/') || when.get(11) != Some(&b':') {
        return None;
    }
    let local = clock(when.get(12..)?)?;
    let sign = match zone.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (zh, zm) = (number(zone.get(1..3)?)?, number(zone.get(3..5)?)?);
    let offset = sign * (zh * 3600 + zm * 60) as i32;
    let day = days::day_of(NaiveDate::from_ymd_opt(y, month, d)?);
    let utc = local - offset;
    Some((day + utc.div_euclid(86_400), utc.rem_euclid(86_400)))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// True when `line` has the shape of an NCSA line.
pub fn looks_like(line: &[u8]) -> bool {
    read(line).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(s: u32) -> Codes {
        Codes {
            status: Code::Value(s),
            substatus: Code::NotLogged,
            win32: Code::NotLogged,
        }
    }

    #[test]
    fn documented_line() {
        // The IIS documentation's example.
        let l = b"172.21.13.45 - REDMOND\\fred [08/Apr/2001:17:39:04 -0800] \"GET /scripts/iisadmin/ism.dll?http/serv HTTP/1.0\" 200 3401";
        assert_eq!(read(l), Ok(status(200)));
        assert!(looks_like(l));
    }

    #[test]
    fn spaces_and_quotes_inside_the_request() {
        let l = b"10.0.0.1 - - [23/Nov/2026:09:00:01 +0100] \"GET /a b\"c HTTP/1.1\" 404 -";
        assert_eq!(read(l), Ok(status(404)));
    }

    #[test]
    fn times_go_to_utc() {
        let day = |s: &str| days::parse_date_field(s.as_bytes()).unwrap();
        assert_eq!(
            utc_of(b"23/Nov/2026:00:30:00 +0100"),
            Some((day("2026-11-22"), 23 * 3600 + 1800))
        );
        assert_eq!(
            utc_of(b"23/Nov/2026:20:00:00 -0500"),
            Some((day("2026-11-24"), 3600))
        );
        assert_eq!(utc_of(b"23/Foo/2026:20:00:00 -0500"), None);
        let l = b"10.0.0.1 - - [23/Nov/2026:00:30:00 +0100] \"GET /a?x=1 HTTP/1.1\" 404 5";
        assert_eq!(uri_stem(l), Some(&b"/a"[..]));
        assert_eq!(field_by_name(l, "cs-uri-query"), Some(&b"x=1"[..]));
        assert_eq!(
            uri_stem(b"10.0.0.1 - - [23/Nov/2026:00:30:00 +0100] \"-\" 400 0"),
            None
        );
    }

    #[test]
    fn bad_lines() {
        let cut = b"10.0.0.1 - - [23/Nov/2026:09:00:01 +0100] \"GET /ind";
        assert_eq!(read(cut), Err(SkipReason::ColumnCount));
        assert_eq!(read(b"GET / HTTP/1.1 200"), Err(SkipReason::ColumnCount));
        let bad = b"10.0.0.1 - - [23/Nov/2026:09:00:01 +0100] \"GET / HTTP/1.1\" abc 12";
        assert_eq!(read(bad), Err(SkipReason::BadCode));
        let extra =
            b"10.0.0.1 - - [23/Nov/2026:09:00:01 +0100] \"GET / HTTP/1.1\" 200 12 \"-\" \"agent\"";
        // The combined format's referer and agent end in a quote: the tail is empty.
        assert_eq!(read(extra), Err(SkipReason::ColumnCount));
        assert!(!looks_like(b"#Fields: date time"));
    }
}
