//! Is this file a log, in which format, from which service: decided in one place from
//! its name, its folder and its first bytes, for files on disk and members of archives
//! alike. The line shapes come from the format modules; nothing here reads a file.

use crate::format::{native, ncsa, LineFormat};
use crate::service::{service_of_folder, Service};

/// What a file is, when it is a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub format: LineFormat,
    /// The service its content points to (a service folder around it takes precedence).
    pub service: Service,
}

/// Identifies a file named `name` whose first bytes are `head` (up to 4 KiB; may be empty
/// when the name alone decides). `named`: the user named the file, so it is taken even
/// when nothing marks it as a log. `None`: not a log.
pub fn identify(name: &str, head: &[u8], named: bool) -> Option<Identity> {
    let format = format_of_name(name).or_else(|| sniff(head));
    if !(named || is_log_name(name) || format.is_some() || starts_with_directive(head)) {
        return None;
    }
    let format = format.unwrap_or_default();
    let service = match format {
        LineFormat::W3c => service_of_content(head),
        LineFormat::Native => head
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .find_map(native::service_of)
            .unwrap_or(Service::Http),
        LineFormat::Ncsa => Service::Http,
    };
    Some(Identity { format, service })
}

/// The service and site of the folder a path is in (`W3SVC1/u_ex261123.log`).
pub fn folder_of(path: &std::path::Path) -> Option<(Service, Option<u32>)> {
    path.parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .and_then(service_of_folder)
}

/// IIS's log file names, in any case: `exYYMMDD.log` and `u_exYYMMDD.log` with their
/// hourly, weekly and monthly variants and any suffix a copy got, `httperr<n>.log`, and
/// the native and NCSA names `inYYMMDD.log`, `ncYYMMDD.log` (with or without `u_`).
pub fn is_log_name(name: &str) -> bool {
    if format_of_name(name).is_some() {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    let Some(stem) = lower.strip_suffix(".log") else {
        return false;
    };
    let stem = stem.strip_prefix("u_").unwrap_or(stem);
    if let Some(rest) = stem.strip_prefix("ex") {
        return rest.len() >= 4 && rest.bytes().take(4).all(|b| b.is_ascii_digit());
    }
    stem.starts_with("httperr")
}

/// The format an IIS log name gives (`inYYMMDD.log` → native, `ncYYMMDD.log` → NCSA, in
/// any case, with or without `u_`), or `None` when the name is no log name of these two.
pub fn format_of_name(name: &str) -> Option<LineFormat> {
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".log")?;
    let stem = stem.strip_prefix("u_").unwrap_or(stem);
    let dated = |rest: &str| rest.len() >= 4 && rest.bytes().take(4).all(|b| b.is_ascii_digit());
    match stem.split_at_checked(2)? {
        ("in", rest) if dated(rest) => Some(LineFormat::Native),
        ("nc", rest) if dated(rest) => Some(LineFormat::Ncsa),
        _ => None,
    }
}

/// The format a file's first bytes show: the first line that is not blank (after a BOM)
/// is an NCSA or a native line; `None` for anything else (W3C, or not a log).
pub fn sniff(head: &[u8]) -> Option<LineFormat> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let line = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find(|l| !l.is_empty())?;
    if ncsa::looks_like(line) {
        Some(LineFormat::Ncsa)
    } else if native::looks_like(line) {
        Some(LineFormat::Native)
    } else {
        None
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

/// True when the bytes begin (after a BOM) with `#Software:`, `#Version:` or `#Fields:`.
pub fn starts_with_directive(head: &[u8]) -> bool {
    let head = strip_bom(head);
    [&b"#Software:"[..], b"#Version:", b"#Fields:"]
        .iter()
        .any(|d| head.len() >= d.len() && head[..d.len()].eq_ignore_ascii_case(d))
}

const FTP_VERBS: &[&str] = &[
    "USER",
    "PASS",
    "RETR",
    "STOR",
    "LIST",
    "NLST",
    "CWD",
    "PWD",
    "MKD",
    "RMD",
    "DELE",
    "PASV",
    "EPSV",
    "PORT",
    "TYPE",
    "SIZE",
    "MDTM",
    "FEAT",
    "SYST",
    "OPTS",
    "AUTH",
    "PBSZ",
    "PROT",
    "CONTROLCHANNELOPENED",
    "CONTROLCHANNELCLOSED",
    "DATACHANNELOPENED",
    "DATACHANNELCLOSED",
    "CREATED",
    "SENT",
    "APPE",
    "RNFR",
    "RNTO",
];
const SMTP_VERBS: &[&str] = &["EHLO", "HELO", "MAIL", "RCPT", "DATA", "RSET", "STARTTLS"];

/// The service a log's first 4 KB point to when its folder says nothing: HTTP.sys's
/// `#Software`, FTP's `x-session`/`x-fullpath` fields, or FTP/SMTP verbs in `cs-method`.
pub fn service_of_content(head: &[u8]) -> Service {
    let head = strip_bom(head);
    let mut method_col = None;
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let text = String::from_utf8_lossy(line);
        if let Some(sw) = text.strip_prefix("#Software:") {
            if sw.trim_start().starts_with("Microsoft HTTP API") {
                return Service::HttpErr;
            }
        } else if let Some(fields) = text.strip_prefix("#Fields:") {
            let names: Vec<&str> = fields.split_whitespace().collect();
            if names.contains(&"s-reason") {
                return Service::HttpErr;
            }
            if names
                .iter()
                .any(|n| *n == "x-session" || *n == "x-fullpath")
            {
                return Service::Ftp;
            }
            method_col = names.iter().position(|n| *n == "cs-method");
        } else if !text.starts_with('#') && !text.is_empty() {
            if let Some(verb) = method_col.and_then(|i| text.split(' ').nth(i)) {
                // IIS 5/6 FTP logs prefix the verb with the session number: `[12]USER`.
                let verb = verb.rsplit(']').next().unwrap_or(verb).to_ascii_uppercase();
                if FTP_VERBS.contains(&verb.as_str()) {
                    return Service::Ftp;
                }
                if SMTP_VERBS.contains(&verb.as_str()) {
                    return Service::Smtp;
                }
                return Service::Http;
            }
        }
    }
    Service::Http
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_names() {
        for yes in [
            "ex261123.log",
            "u_ex261123.log",
            "U_EX261123.LOG",
            "u_ex26112314.log",
            "ex2611.log",
            "u_ex190205-QLCCS00L155HF.log",
            "httperr1.log",
            "HTTPERR12.LOG",
            "in261123.log",
            "u_nc261123.log",
        ] {
            assert!(is_log_name(yes), "{yes}");
        }
        for no in [
            "example.log",
            "u_ex.log",
            "ex12.log",
            "u_ex261123.txt",
            "notes.log",
            "ex261123.log.gz",
        ] {
            assert!(!is_log_name(no), "{no}");
        }
    }

    #[test]
    fn content() {
        assert!(starts_with_directive(b"\xEF\xBB\xBF#Software: Microsoft"));
        assert!(starts_with_directive(b"#fields: a"));
        assert!(!starts_with_directive(b"2026-11-23 00:00:00"));
        assert_eq!(
            service_of_content(b"#Software: Microsoft HTTP API 2.0\r\n#Fields: date time\r\n"),
            Service::HttpErr
        );
        assert_eq!(
            service_of_content(b"#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem sc-status sc-win32-status sc-substatus x-session x-fullpath\n"),
            Service::Ftp
        );
        assert_eq!(
            service_of_content(b"#Fields: time c-ip cs-method cs-uri-stem sc-status\n00:00:01 10.0.0.1 [3]USER anonymous 331\n"),
            Service::Ftp
        );
        assert_eq!(
            service_of_content(b"#Fields: time c-ip cs-method cs-uri-stem sc-status\n00:00:01 10.0.0.1 EHLO - 250\n"),
            Service::Smtp
        );
        assert_eq!(
            service_of_content(b"#Fields: time c-ip cs-method cs-uri-stem sc-status\n00:00:01 10.0.0.1 GET / 200\n"),
            Service::Http
        );
    }

    #[test]
    fn names() {
        for (name, want) in [
            ("in261123.log", Some(LineFormat::Native)),
            ("u_in261123.log", Some(LineFormat::Native)),
            ("IN2611.LOG", Some(LineFormat::Native)),
            ("nc261123.log", Some(LineFormat::Ncsa)),
            ("u_nc261123.log", Some(LineFormat::Ncsa)),
            ("ex261123.log", None),
            ("index.log", None),
            ("nc.log", None),
            ("in261123.txt", None),
        ] {
            assert_eq!(format_of_name(name), want, "{name}");
        }
    }

    #[test]
    fn sniffing() {
        let native = b"\xEF\xBB\xBF10.0.0.1, -, 11/23/26, 8:00:00, W3SVC1, WEB, 10.0.0.5, 1, 2, 3, 200, 0, GET, /a, -,\r\n";
        assert_eq!(sniff(native), Some(LineFormat::Native));
        let ncsa = b"\n10.0.0.1 - - [23/Nov/2026:09:00:01 +0100] \"GET / HTTP/1.1\" 200 5\n";
        assert_eq!(sniff(ncsa), Some(LineFormat::Ncsa));
        assert_eq!(
            sniff(b"#Software: Microsoft Internet Information Services 10.0\r\n"),
            None
        );
        assert_eq!(sniff(b"hello"), None);
    }
}
