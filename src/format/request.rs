//! One request, as every consumer sees it: its status triple, and on demand any other
//! field its format logs (time, site, URI, client, user, time-taken, bytes, any W3C field
//! by name). The view borrows the line and asks its format's module for each field, so
//! it allocates nothing, and a consumer that reads only the triple (the summary) pays for
//! nothing else. A field the format or the block does not log is `None`; a field logged
//! empty is given as the format writes it (`-`).

use crate::days::{self, Day};
use crate::format::columns::{self, field};
use crate::format::w3c::FieldMap;
use crate::format::{native, ncsa, LineFormat};
use crate::tally::Codes;

/// Which layout a request's line has.
#[derive(Debug, Clone, Copy)]
enum Layout<'l> {
    /// W3C extended, with its block's `#Fields` map.
    W3c(&'l FieldMap),
    Native,
    Ncsa,
}

/// When a request was logged, as far as its line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// A UTC day and second of day: W3C `date` and `time` (IIS writes UTC), or an NCSA
    /// time converted from the offset it carries.
    Utc(Day, i32),
    /// The server's local day and second, offset unknown: the IIS native format.
    Local(Day, i32),
    /// A W3C line that logs `time` but no `date`: its day is its block's `#Date`, which
    /// the line loop's sinks see as a directive.
    TimeOnly(i32),
    /// A W3C line that logs `date` but no `time`.
    DateOnly(Day),
    /// No time logged, or one that does not read as a date and time.
    Unknown,
}

/// A borrowed view of one request line that parsed.
#[derive(Debug, Clone, Copy)]
pub struct Request<'l> {
    codes: Codes,
    line: &'l [u8],
    layout: Layout<'l>,
}

impl<'l> Request<'l> {
    /// A W3C line (without its line end) of the block `map` describes.
    #[inline]
    pub fn w3c(codes: Codes, line: &'l [u8], map: &'l FieldMap) -> Request<'l> {
        Request {
            codes,
            line,
            layout: Layout::W3c(map),
        }
    }

    /// A line of a format without directives (IIS native or NCSA).
    #[inline]
    pub fn plain(codes: Codes, line: &'l [u8], format: LineFormat) -> Request<'l> {
        let layout = match format {
            LineFormat::Native => Layout::Native,
            LineFormat::Ncsa => Layout::Ncsa,
            // A W3C line has a map; this constructor is not for it. Nothing but the
            // triple can be read then.
            LineFormat::W3c => Layout::Ncsa,
        };
        Request {
            codes,
            line,
            layout,
        }
    }

    /// `sc-status`, `sc-substatus`, `sc-win32-status`.
    #[inline]
    pub fn codes(&self) -> Codes {
        self.codes
    }

    /// The raw line, without its line end.
    #[inline]
    pub fn line(&self) -> &'l [u8] {
        self.line
    }

    pub fn format(&self) -> LineFormat {
        match self.layout {
            Layout::W3c(_) => LineFormat::W3c,
            Layout::Native => LineFormat::Native,
            Layout::Ncsa => LineFormat::Ncsa,
        }
    }

    /// The block's `#Fields` map, for a W3C line.
    #[inline]
    pub fn fields(&self) -> Option<&'l FieldMap> {
        match self.layout {
            Layout::W3c(map) => Some(map),
            _ => None,
        }
    }

    /// W3C column `index` (as [`FieldMap::index_of`] gives it, found once per block).
    #[inline]
    pub fn column(&self, index: usize) -> Option<&'l [u8]> {
        match self.layout {
            Layout::W3c(map) if index < map.len() => Some(field(self.line, index, map.len())),
            _ => None,
        }
    }

    #[inline]
    fn w3c_at(&self, pick: impl Fn(&FieldMap) -> Option<usize>) -> Option<&'l [u8]> {
        match self.layout {
            Layout::W3c(map) => pick(map).map(|i| field(self.line, i, map.len())),
            _ => None,
        }
    }

    /// Any field by its W3C name (`cs(X-Forwarded-For)`, `s-reason`), looked up in the
    /// block's map on every call: a consumer that reads one on every line finds its
    /// column once per block with [`Request::fields`] and reads it with [`Request::column`].
    /// Native and NCSA lines answer for the W3C names of the fields they log.
    pub fn field(&self, name: &str) -> Option<&'l [u8]> {
        match self.layout {
            Layout::W3c(map) => map.index_of(name).map(|i| field(self.line, i, map.len())),
            Layout::Native => native::field_by_name(self.line, name),
            Layout::Ncsa => ncsa::field_by_name(self.line, name),
        }
    }

    /// `YYYY-MM-DD HH:MM` when the line starts with IIS's own `date time` layout and a
    /// valid time: the lines of one minute share it, so a consumer can keep what it
    /// worked out from the last one. Offsets are whole minutes in practice, so the
    /// seconds never move a line to another hour.
    #[inline]
    pub fn minute_key(&self) -> Option<&'l [u8]> {
        match self.layout {
            Layout::W3c(map) if iis_layout(self.line, map) && seconds_ok(self.line) => {
                Some(&self.line[..16])
            }
            _ => None,
        }
    }

    /// When the request was logged.
    #[inline]
    pub fn stamp(&self) -> Stamp {
        match self.layout {
            Layout::W3c(map) => w3c_stamp(self.line, map),
            Layout::Native => {
                native::stamp(self.line).map_or(Stamp::Unknown, |(d, s)| Stamp::Local(d, s))
            }
            Layout::Ncsa => {
                ncsa::stamp(self.line).map_or(Stamp::Unknown, |(d, s)| Stamp::Utc(d, s))
            }
        }
    }

    /// `s-sitename` (W3C only: the other formats name no site).
    #[inline]
    pub fn site(&self) -> Option<&'l [u8]> {
        self.w3c_at(|m| m.extra.site_name)
    }

    /// `cs-uri-stem`: the path, without the query.
    #[inline]
    pub fn uri_stem(&self) -> Option<&'l [u8]> {
        match self.layout {
            Layout::W3c(map) => map
                .extra
                .uri_stem
                .map(|i| stem(field(self.line, i, map.len()), map.extra.uri_whole)),
            Layout::Native => native::field(self.line, native::TARGET),
            Layout::Ncsa => ncsa::uri_stem(self.line),
        }
    }

    /// `cs-uri-query`.
    pub fn query(&self) -> Option<&'l [u8]> {
        self.field("cs-uri-query")
    }

    /// `cs-method`: the HTTP verb, or the FTP or SMTP command.
    #[inline]
    pub fn method(&self) -> Option<&'l [u8]> {
        match self.layout {
            Layout::W3c(map) => map.extra.method.map(|i| field(self.line, i, map.len())),
            _ => self.field("cs-method"),
        }
    }

    /// `c-ip`: the address the connection came from.
    #[inline]
    pub fn client_ip(&self) -> Option<&'l [u8]> {
        match self.layout {
            Layout::W3c(map) => map.extra.client_ip.map(|i| field(self.line, i, map.len())),
            _ => self.field("c-ip"),
        }
    }

    /// `cs-uri-stem` and `c-ip` together: for a W3C line, in one pass over the line.
    #[inline]
    pub fn uri_stem_and_client_ip(&self) -> (Option<&'l [u8]>, Option<&'l [u8]>) {
        let Layout::W3c(map) = self.layout else {
            return (self.uri_stem(), self.client_ip());
        };
        let (count, ex) = (map.len(), &map.extra);
        let (uri, ip) = match (ex.uri_stem, ex.client_ip) {
            (Some(u), Some(c)) if u < c => {
                let (uri, ip) = columns::two_fields(self.line, u, c, count);
                (Some(uri), Some(ip))
            }
            (Some(u), Some(c)) if c < u => {
                let (ip, uri) = columns::two_fields(self.line, c, u, count);
                (Some(uri), Some(ip))
            }
            (u, c) => (
                u.map(|i| field(self.line, i, count)),
                c.map(|i| field(self.line, i, count)),
            ),
        };
        (uri.map(|u| stem(u, ex.uri_whole)), ip)
    }

    /// `cs-username`.
    #[inline]
    pub fn user(&self) -> Option<&'l [u8]> {
        match self.layout {
            Layout::W3c(map) => map.extra.username.map(|i| field(self.line, i, map.len())),
            _ => self.field("cs-username"),
        }
    }

    /// `time-taken` in milliseconds, when logged and a number.
    #[inline]
    pub fn time_taken(&self) -> Option<u32> {
        match self.layout {
            Layout::W3c(map) => {
                let i = map.extra.time_taken?;
                let count = map.len();
                // IIS logs it last: that case without a column search.
                number(if i + 1 == count {
                    columns::last_field(self.line)
                } else {
                    field(self.line, i, count)
                })
            }
            _ => self.field("time-taken").and_then(number),
        }
    }

    /// `sc-bytes`: bytes the server sent.
    pub fn bytes_sent(&self) -> Option<u64> {
        self.field("sc-bytes").and_then(number).map(u64::from)
    }

    /// `cs-bytes`: bytes the server received.
    pub fn bytes_received(&self) -> Option<u64> {
        self.field("cs-bytes").and_then(number).map(u64::from)
    }

    /// `cs(User-Agent)`, as logged (spaces written as `+`).
    pub fn user_agent(&self) -> Option<&'l [u8]> {
        self.field("cs(User-Agent)")
    }
}

/// Whether a line starts with IIS's own `YYYY-MM-DD HH:MM:SS ` when its block logs
/// `date` then `time` first.
#[inline]
fn iis_layout(line: &[u8], map: &FieldMap) -> bool {
    map.extra.date == Some(0)
        && map.extra.time == Some(1)
        && line.get(10) == Some(&b' ')
        && line.get(19) == Some(&b' ')
}

/// The seconds of an `HH:MM:SS` at `line[11..19]` are what `parse_time_field` takes.
#[inline]
fn seconds_ok(line: &[u8]) -> bool {
    match line.get(16..19) {
        Some(&[b':', a, b]) => {
            let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
            a <= 6 && b <= 9 && a * 10 + b <= 60
        }
        _ => false,
    }
}

#[inline]
fn w3c_stamp(line: &[u8], map: &FieldMap) -> Stamp {
    let count = map.len();
    match (map.extra.date, map.extra.time) {
        (Some(di), Some(ti)) => {
            // IIS's own layout starts `YYYY-MM-DD HH:MM:SS `: take both at once.
            let (date, time) = if iis_layout(line, map) {
                (&line[..10], &line[11..19])
            } else {
                (field(line, di, count), field(line, ti, count))
            };
            match (days::parse_date_field(date), days::parse_time_field(time)) {
                (Some(day), Some(second)) => Stamp::Utc(day, second),
                _ => Stamp::Unknown,
            }
        }
        (None, Some(ti)) => {
            days::parse_time_field(field(line, ti, count)).map_or(Stamp::Unknown, Stamp::TimeOnly)
        }
        (Some(di), None) => {
            days::parse_date_field(field(line, di, count)).map_or(Stamp::Unknown, Stamp::DateOnly)
        }
        (None, None) => Stamp::Unknown,
    }
}

/// A count of at most 9 ASCII digits (`time-taken`, bytes).
#[inline]
pub(crate) fn number(f: &[u8]) -> Option<u32> {
    if f.is_empty() || f.len() > 9 {
        return None;
    }
    let mut n = 0u32;
    for &b in f {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u32::from(d);
    }
    Some(n)
}

/// The path of a URI: `whole` (a `cs-uri`, as HTTP.sys logs it) is cut before its `?`;
/// a `cs-uri-stem` is the path already.
#[inline]
fn stem(uri: &[u8], whole: bool) -> &[u8] {
    match whole.then(|| memchr::memchr(b'?', uri)).flatten() {
        Some(q) => &uri[..q],
        None => uri,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::Code;

    fn codes(s: u32) -> Codes {
        Codes {
            status: Code::Value(s),
            substatus: Code::NotLogged,
            win32: Code::NotLogged,
        }
    }

    fn day(s: &str) -> Day {
        days::parse_date_field(s.as_bytes()).unwrap()
    }

    /// The same request in the three formats gives the same fields, each from where its
    /// format puts it (IIS documentation's example lines, reworked to one request).
    #[test]
    fn one_request_three_formats() {
        let map = FieldMap::parse(b"date time s-sitename cs-method cs-uri-stem cs-uri-query c-ip cs-username cs(User-Agent) sc-status sc-bytes cs-bytes time-taken").unwrap();
        let w3c: &[u8] =
            b"2026-11-23 08:00:05 Shop GET /a.aspx x=1 10.0.0.9 bob Mozilla/5.0 404 5120 310 47";
        let native: &[u8] = b"10.0.0.9, bob, 11/23/26, 8:00:05, W3SVC1, WEB, 10.0.0.5, 47, 310, 5120, 404, 2, GET, /a.aspx, x=1,";
        let ncsa: &[u8] =
            b"10.0.0.9 - bob [23/Nov/2026:09:00:05 +0100] \"GET /a.aspx?x=1 HTTP/1.1\" 404 5120";
        let reqs = [
            Request::w3c(codes(404), w3c, &map),
            Request::plain(codes(404), native, LineFormat::Native),
            Request::plain(codes(404), ncsa, LineFormat::Ncsa),
        ];
        for r in &reqs {
            let f = r.format();
            assert_eq!(r.uri_stem(), Some(&b"/a.aspx"[..]), "{f:?}");
            assert_eq!(r.query(), Some(&b"x=1"[..]), "{f:?}");
            assert_eq!(r.method(), Some(&b"GET"[..]), "{f:?}");
            assert_eq!(r.client_ip(), Some(&b"10.0.0.9"[..]), "{f:?}");
            assert_eq!(r.user(), Some(&b"bob"[..]), "{f:?}");
            assert_eq!(r.bytes_sent(), Some(5120), "{f:?}");
            assert_eq!(r.uri_stem_and_client_ip(), (r.uri_stem(), r.client_ip()));
        }
        // What only some formats log.
        assert_eq!(reqs[0].site(), Some(&b"Shop"[..]));
        assert_eq!(reqs[1].site(), None);
        assert_eq!(reqs[0].time_taken(), Some(47));
        assert_eq!(reqs[1].time_taken(), Some(47));
        assert_eq!(reqs[2].time_taken(), None);
        assert_eq!(reqs[0].bytes_received(), Some(310));
        assert_eq!(reqs[1].bytes_received(), Some(310));
        assert_eq!(reqs[2].bytes_received(), None);
        assert_eq!(reqs[0].user_agent(), Some(&b"Mozilla/5.0"[..]));
        assert_eq!(reqs[1].user_agent(), None);
        // Times: W3C is UTC; native is the server's local time; NCSA carries its offset.
        let t = 8 * 3600 + 5;
        assert_eq!(reqs[0].stamp(), Stamp::Utc(day("2026-11-23"), t));
        assert_eq!(reqs[1].stamp(), Stamp::Local(day("2026-11-23"), t));
        assert_eq!(reqs[2].stamp(), Stamp::Utc(day("2026-11-23"), t));
        assert_eq!(reqs[0].minute_key(), Some(&b"2026-11-23 08:00"[..]));
        assert_eq!(reqs[1].minute_key(), None);
    }

    #[test]
    fn w3c_fields_not_logged_are_none() {
        let map = FieldMap::parse(b"time cs-uri-stem sc-status").unwrap();
        let r = Request::w3c(codes(200), b"09:30:00 /x 200", &map);
        assert_eq!(r.stamp(), Stamp::TimeOnly(9 * 3600 + 1800));
        assert_eq!(r.client_ip(), None);
        assert_eq!(r.time_taken(), None);
        assert_eq!(r.field("cs-uri-stem"), Some(&b"/x"[..]));
        assert_eq!(r.field("CS-URI-STEM"), Some(&b"/x"[..]));
        assert_eq!(r.field("s-reason"), None);
        assert_eq!(r.column(1), Some(&b"/x"[..]));
        assert_eq!(r.column(3), None);
        let map = FieldMap::parse(b"date cs-uri-stem sc-status").unwrap();
        let r = Request::w3c(codes(200), b"2026-11-23 /x 200", &map);
        assert_eq!(r.stamp(), Stamp::DateOnly(day("2026-11-23")));
        let r = Request::w3c(codes(200), b"2026-13-23 /x 200", &map);
        assert_eq!(r.stamp(), Stamp::Unknown);
    }

    /// HTTP.sys logs `cs-uri`, path and query, where IIS logs `cs-uri-stem`: the stem is
    /// the part before `?`, by either way of reading it; a `cs-uri-stem` is never cut.
    #[test]
    fn httperr_cs_uri_gives_the_stem() {
        let map = FieldMap::parse(b"date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename").unwrap();
        let line = b"2026-11-23 01:10:03 192.0.2.15 49830 10.0.0.5 443 HTTP/1.1 GET /app/orders?id=7 503 2 QueueFull DefaultAppPool";
        let r = Request::w3c(codes(503), line, &map);
        assert_eq!(r.uri_stem(), Some(&b"/app/orders"[..]));
        assert_eq!(
            r.uri_stem_and_client_ip(),
            (Some(&b"/app/orders"[..]), Some(&b"192.0.2.15"[..]))
        );
        assert_eq!(r.field("cs-uri"), Some(&b"/app/orders?id=7"[..]));
        let map = FieldMap::parse(b"cs-uri-stem c-ip sc-status").unwrap();
        let r = Request::w3c(codes(404), b"/a?b 10.0.0.1 404", &map);
        assert_eq!(r.uri_stem(), Some(&b"/a?b"[..]));
    }
}
