//! NCSA common log format (`ncYYMMDD.log`, `u_ncYYMMDD.log`):
//! `host ident user [dd/MMM/yyyy:HH:mm:ss +hhmm] "request" status bytes`, local time with
//! its offset. Only the status is logged; it is read from the back, after the request.

use crate::format::parse_code;
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
