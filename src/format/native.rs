//! The IIS log file format ("IIS native", `inYYMMDD.log`, `u_inYYMMDD.log`): fifteen fixed
//! fields separated by a comma and a space, each line ending with a comma: client IP, user,
//! date, time, service and instance, server name, server IP, time taken, client bytes,
//! server bytes, status, Windows status, method, target, parameters.

use crate::format::parse_code;
use crate::service::Service;
use crate::tally::{Code, Codes, SkipReason};

/// Fields a line has; more are allowed (a comma inside the target or the parameters),
/// since the codes are counted from the front.
pub const FIELDS: usize = 15;
const STATUS: usize = 10;
const WIN32: usize = 11;
const SERVICE: usize = 4;

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
