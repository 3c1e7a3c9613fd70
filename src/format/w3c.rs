//! W3C extended log directives (`#Software`, `#Version`, `#Date`, `#Fields`) and the
//! `FieldMap` that a `#Fields` line defines: how many columns a data line has and which
//! column holds each field we read. A field absent from `#Fields` is "not logged".

/// A directive line, without its leading `#`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive<'a> {
    Fields(&'a [u8]),
    Software(&'a [u8]),
    Version(&'a [u8]),
    Date(&'a [u8]),
    /// `#Remark` or any directive we do not interpret; still a directive line.
    Other,
}

impl<'a> Directive<'a> {
    /// Classifies a line that starts with `#` (the `#` included).
    pub fn parse(line: &'a [u8]) -> Directive<'a> {
        let body = line.strip_prefix(b"#").unwrap_or(line);
        let Some(colon) = memchr::memchr(b':', body) else {
            return Directive::Other;
        };
        let (name, value) = (&body[..colon], trim(&body[colon + 1..]));
        if name.eq_ignore_ascii_case(b"Fields") {
            Directive::Fields(value)
        } else if name.eq_ignore_ascii_case(b"Software") {
            Directive::Software(value)
        } else if name.eq_ignore_ascii_case(b"Version") {
            Directive::Version(value)
        } else if name.eq_ignore_ascii_case(b"Date") {
            Directive::Date(value)
        } else {
            Directive::Other
        }
    }
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Why a `#Fields` list could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldsError {
    #[error("the field list is empty")]
    Empty,
    #[error("too many fields ({0}; at most {max})", max = FieldMap::MAX_FIELDS)]
    TooMany(usize),
    #[error("the field list is {0} bytes long (at most {max})", max = FieldMap::MAX_LEN)]
    TooLong(usize),
}

/// The column layout of one header block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    names: Vec<Box<str>>,
    /// Column of `sc-status`, if logged.
    pub status: Option<usize>,
    /// Column of `sc-substatus`, if logged.
    pub substatus: Option<usize>,
    /// Column of `sc-win32-status`, if logged.
    pub win32: Option<usize>,
    /// Columns the reports read (`date`, `time`, `cs-uri-stem`, `c-ip`, `time-taken`,
    /// `s-sitename`, and for FTP `cs-method` and `cs-username`), found once per block so the per-line work is an index.
    pub extra: ExtraColumns,
}

/// Columns beyond the status triple, read only by `report`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtraColumns {
    pub date: Option<usize>,
    pub time: Option<usize>,
    /// `cs-uri-stem`, or where a log has only `cs-uri` (HTTPERR), that column.
    pub uri_stem: Option<usize>,
    /// `uri_stem` is `cs-uri`, path and query: the stem is what comes before a `?`.
    pub uri_whole: bool,
    pub client_ip: Option<usize>,
    pub time_taken: Option<usize>,
    pub site_name: Option<usize>,
    /// `cs-method`: the FTP command in FTP logs.
    pub method: Option<usize>,
    /// `cs-username`: who failed to log in, in FTP logs.
    pub username: Option<usize>,
}

impl ExtraColumns {
    /// The highest column index among those logged.
    pub fn max_index(&self) -> Option<usize> {
        [
            self.date,
            self.time,
            self.uri_stem,
            self.client_ip,
            self.time_taken,
            self.site_name,
            self.method,
            self.username,
        ]
        .into_iter()
        .flatten()
        .max()
    }
}

impl FieldMap {
    /// More columns than any real configuration logs; guards against garbage `#Fields`.
    pub const MAX_FIELDS: usize = 1024;

    /// The longest `#Fields` list, in bytes: 1024 names of 64 bytes. The list in force is kept
    /// in the history, where a list of hundreds of MB would stop every later run.
    pub const MAX_LEN: usize = 64 * 1024;

    /// Parses the value of a `#Fields:` directive (names separated by spaces).
    /// Duplicate names are kept as columns; look-ups use the first.
    pub fn parse(list: &[u8]) -> Result<FieldMap, FieldsError> {
        if list.len() > Self::MAX_LEN {
            return Err(FieldsError::TooLong(list.len()));
        }
        let names: Vec<Box<str>> = trim(list)
            .split(|&b| b == b' ')
            .filter(|n| !n.is_empty())
            .map(|n| String::from_utf8_lossy(n).into())
            .collect();
        if names.is_empty() {
            return Err(FieldsError::Empty);
        }
        if names.len() > Self::MAX_FIELDS {
            return Err(FieldsError::TooMany(names.len()));
        }
        let find = |want: &str| names.iter().position(|n| n.eq_ignore_ascii_case(want));
        // HTTP.sys logs the whole URI (`cs-uri`) where IIS logs `cs-uri-stem`.
        let (uri_stem, uri_whole) = match find("cs-uri-stem") {
            Some(i) => (Some(i), false),
            None => (find("cs-uri"), find("cs-uri").is_some()),
        };
        Ok(FieldMap {
            status: find("sc-status"),
            substatus: find("sc-substatus"),
            win32: find("sc-win32-status"),
            extra: ExtraColumns {
                date: find("date"),
                time: find("time"),
                uri_stem,
                uri_whole,
                client_ip: find("c-ip"),
                time_taken: find("time-taken"),
                site_name: find("s-sitename"),
                method: find("cs-method"),
                username: find("cs-username"),
            },
            names,
        })
    }

    /// Number of columns a data line of this block has.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Always false: an empty list is refused by [`FieldMap::parse`].
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The field names, in column order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| &**n)
    }

    /// Column of a field by name (case-insensitive), if logged.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IIS10: &[u8] = b"date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";

    #[test]
    fn iis10_default_fields() {
        let m = FieldMap::parse(IIS10).unwrap();
        assert_eq!(m.len(), 15);
        assert_eq!(
            (m.status, m.substatus, m.win32),
            (Some(11), Some(12), Some(13))
        );
        assert_eq!(m.index_of("TIME-TAKEN"), Some(14));
    }

    #[test]
    fn ftp_order_win32_before_substatus() {
        let m = FieldMap::parse(b"date time c-ip cs-username s-ip s-port cs-method cs-uri-stem sc-status sc-win32-status sc-substatus x-session x-fullpath").unwrap();
        assert_eq!(
            (m.status, m.substatus, m.win32),
            (Some(8), Some(10), Some(9))
        );
    }

    #[test]
    fn missing_fields_are_not_logged() {
        let m = FieldMap::parse(b"date time cs-uri-stem sc-status").unwrap();
        assert_eq!((m.status, m.substatus, m.win32), (Some(3), None, None));
    }

    #[test]
    fn duplicate_names_keep_columns_and_first_wins() {
        let m = FieldMap::parse(b"sc-status x sc-status").unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m.status, Some(0));
    }

    #[test]
    fn empty_and_padded_lists() {
        assert_eq!(FieldMap::parse(b"   "), Err(FieldsError::Empty));
        assert_eq!(FieldMap::parse(b" a  b ").unwrap().len(), 2);
    }

    #[test]
    fn directives() {
        assert_eq!(Directive::parse(b"#Fields: a b"), Directive::Fields(b"a b"));
        assert_eq!(
            Directive::parse(b"#Software: Microsoft HTTP API 2.0"),
            Directive::Software(b"Microsoft HTTP API 2.0")
        );
        assert_eq!(Directive::parse(b"#fields:a"), Directive::Fields(b"a"));
        assert_eq!(Directive::parse(b"#Remark: hello"), Directive::Other);
        assert_eq!(Directive::parse(b"#garbage"), Directive::Other);
    }
}
