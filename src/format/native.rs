//! The IIS log file format ("IIS native", `inYYMMDD.log`, `u_inYYMMDD.log`): fifteen fixed
//! fields separated by a comma and a space, each line ending with a comma: client IP, user,
//! date, time, service and instance, server name, server IP, time taken, client bytes,
//! server bytes, status, Windows status, method, target, parameters.

use chrono::NaiveDate;

use crate::days::{self, Day};
use crate::format::request::number;
use crate::format::{clock, parse_code};
use crate::service::Service;
use crate::tally::{Code, Codes, SkipReason};

/// Fields a line has; more are allowed (a comma inside the target or the parameters),
/// since the codes are counted from the front.
pub const FIELDS: usize = 15;
const CLIENT_IP: usize = 0;
const USER: usize = 1;
const DATE: usize = 2;
const TIME: usize = 3;
const SERVICE: usize = 4;
const SERVER_NAME: usize = 5;
const SERVER_IP: usize = 6;
const TIME_TAKEN: usize = 7;
const CLIENT_BYTES: usize = 8;
const SERVER_BYTES: usize = 9;
const STATUS: usize = 10;
const WIN32: usize = 11;
const METHOD: usize = 12;
/// The target: the URI's path.
pub const TARGET: usize = 13;
const PARAMETERS: usize = 14;

/// The fields of a line, with the trailing comma and the space after each comma removed.
pub fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = line.strip_suffix(b",").unwrap_or(line);
    body.split(|&b| b == b',')
        .map(|f| f.strip_prefix(b" ").unwrap_or(f))
}

/// Reads the status and Windows status of one line; there is no substatus.
pub fn read(line: &[u8]) -> Result<Codes, SkipReason> {
    let mut status = None;
    let mut win32 = None;
    let mut n = 0;
    for (i, f) in fields(line).enumerate() {
        match i {
            STATUS => status = Some(f),
            WIN32 => win32 = Some(f),
            _ => {}
        }
        n = i + 1;
    }
    match (status, win32) {
        (Some(s), Some(w)) if n >= FIELDS => Ok(Codes {
            status: parse_code(s, 999)?,
            substatus: Code::NotLogged,
            win32: parse_code(w, u32::MAX)?,
        }),
        _ => Err(SkipReason::ColumnCount),
    }
}

/// Field `k` of a line (the parameters, the last field, with any commas inside them).
pub fn field(line: &[u8], k: usize) -> Option<&[u8]> {
    if k < PARAMETERS {
        return fields(line).nth(k);
    }
    // Past the target: everything up to the trailing comma.
    let body = line.strip_suffix(b",").unwrap_or(line);
    let mut at = 0;
    for _ in 0..PARAMETERS {
        at += memchr::memchr(b',', &body[at..])? + 1;
    }
    let rest = &body[at..];
    Some(rest.strip_prefix(b" ").unwrap_or(rest))
}

/// A field by the name W3C gives the same information.
pub fn field_by_name<'l>(line: &'l [u8], name: &str) -> Option<&'l [u8]> {
    let k = match name.to_ascii_lowercase().as_str() {
        "c-ip" => CLIENT_IP,
        "cs-username" => USER,
        "date" => DATE,
        "time" => TIME,
        "s-computername" => SERVER_NAME,
        "s-ip" => SERVER_IP,
        "time-taken" => TIME_TAKEN,
        "cs-bytes" => CLIENT_BYTES,
        "sc-bytes" => SERVER_BYTES,
        "sc-status" => STATUS,
        "sc-win32-status" => WIN32,
        "cs-method" => METHOD,
        "cs-uri-stem" => TARGET,
        "cs-uri-query" => PARAMETERS,
        _ => return None,
    };
    field(line, k)
}

/// The date and time of a line: the server's local time, as IIS wrote it (no offset).
pub fn stamp(line: &[u8]) -> Option<(Day, i32)> {
    let mut f = fields(line).skip(DATE);
    let (date, time) = (f.next()?, f.next()?);
    Some((date_of(date)?, clock(time)?))
}

/// A native date, `MM/DD/YY` (as IIS writes it; 70-99 are 1970-1999, as IIS 4 and 5
/// wrote them, 00-69 are 2000-2069) or `MM/DD/YYYY`.
fn date_of(date: &[u8]) -> Option<Day> {
    let mut parts = date.split(|&b| b == b'/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let year = match y.len() {
        2 => days::two_digit_year(number(y)?),
        4 => number(y)? as i32,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, number(m)?, number(d)?).map(days::day_of)
}

/// True when `line` has the shape of a native line: enough comma-and-space fields and
/// the trailing comma.
pub fn looks_like(line: &[u8]) -> bool {
    line.ends_with(b",") && fields(line).count() >= FIELDS && read(line).is_ok()
}

/// The service a line's "service and instance" field names (`W3SVC2`, `MSFTPSVC1`).
pub fn service_of(line: &[u8]) -> Option<Service> {
    let f = fields(line).nth(SERVICE)?;
    crate::service::service_of_folder(std::str::from_utf8(f).ok()?).map(|(s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example line of the IIS documentation, and one FTP line.
    const WEB: &[u8] = b"192.168.114.201, -, 03/20/01, 7:55:20, W3SVC2, SALES1, 172.21.13.45, 4502, 163, 3223, 200, 0, GET, /DeptLogo.gif, -,";
    const FTP: &[u8] = b"172.16.255.255, anonymous, 03/20/01, 23:58:11, MSFTPSVC, SALES1, 172.16.255.255, 60, 275, 0, 0, 0, PASS, /Intro.htm, -,";

    fn codes(s: u32, w: u32) -> Codes {
        Codes {
            status: Code::Value(s),
            substatus: Code::NotLogged,
            win32: Code::Value(w),
        }
    }

    #[test]
    fn documented_lines() {
        assert_eq!(read(WEB), Ok(codes(200, 0)));
        assert_eq!(read(FTP), Ok(codes(0, 0)));
        assert!(looks_like(WEB));
        assert_eq!(service_of(WEB), Some(Service::Http));
        assert_eq!(service_of(FTP), Some(Service::Ftp));
    }

    #[test]
    fn commas_in_the_parameters_do_not_move_the_codes() {
        let l = b"10.0.0.1, -, 11/23/26, 8:00:00, W3SVC1, WEB, 10.0.0.5, 1, 2, 3, 404, 2, GET, /a, x=1,y=2, z,";
        assert_eq!(read(l), Ok(codes(404, 2)));
    }

    #[test]
    fn fields_and_time() {
        assert_eq!(field(WEB, TARGET), Some(&b"/DeptLogo.gif"[..]));
        assert_eq!(field(WEB, PARAMETERS), Some(&b"-"[..]));
        let l = b"10.0.0.1, -, 11/23/26, 8:00:00, W3SVC1, WEB, 10.0.0.5, 1, 2, 3, 404, 2, GET, /a, x=1,y=2, z,";
        assert_eq!(field(l, PARAMETERS), Some(&b"x=1,y=2, z"[..]));
        assert_eq!(field_by_name(WEB, "TIME-TAKEN"), Some(&b"4502"[..]));
        let day = days::day_of(NaiveDate::from_ymd_opt(2001, 3, 20).unwrap());
        assert_eq!(stamp(WEB), Some((day, 7 * 3600 + 55 * 60 + 20)));
        assert_eq!(date_of(b"02/30/26"), None);
        assert_eq!(
            date_of(b"11/23/2026"),
            Some(days::day_of(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()))
        );
        assert_eq!(clock(b"8:01:12"), Some(8 * 3600 + 72));
    }

    /// IIS 4 and 5 wrote `01/01/96` for 1996 (the documentation's own line is `03/20/01`).
    #[test]
    fn two_digit_years_of_the_1990s() {
        let ymd = |y, m, d| Some(days::day_of(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        assert_eq!(date_of(b"01/01/96"), ymd(1996, 1, 1));
        assert_eq!(date_of(b"12/31/99"), ymd(1999, 12, 31));
        assert_eq!(date_of(b"01/01/70"), ymd(1970, 1, 1));
        assert_eq!(date_of(b"12/31/69"), ymd(2069, 12, 31));
        assert_eq!(date_of(b"03/20/01"), ymd(2001, 3, 20));
    }

    #[test]
    fn short_and_bad_lines() {
        assert_eq!(
            read(b"10.0.0.1, -, 11/23/26, 8:00:00, W3SVC1,"),
            Err(SkipReason::ColumnCount)
        );
        let bad =
            b"10.0.0.1, -, 11/23/26, 8:00:00, W3SVC1, WEB, 10.0.0.5, 1, 2, 3, 2OO, 0, GET, /a, -,";
        assert_eq!(read(bad), Err(SkipReason::BadCode));
        assert!(!looks_like(b"#Fields: date time"));
        assert!(!looks_like(
            b"2026-11-23 00:00:01 10.0.0.1 GET / - 80 - 10.0.0.9 - 200 0 0 1"
        ));
    }
}
