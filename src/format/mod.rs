//! What a log line looks like, format by format: W3C extended with its directives and
//! `#Fields` map, IIS native and NCSA common. Each format module is the only place that
//! knows its line layout; all of them hand out the same borrowed view of one request
//! ([`request::Request`]). Pure functions on bytes: no files, no counting.

pub mod codepage;
pub mod columns;
pub mod native;
pub mod ncsa;
pub mod request;
pub mod w3c;

use crate::tally::{Code, SkipReason};

/// How a log file's lines are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineFormat {
    /// W3C extended (`ex`, `u_ex`, `httperr`): `#Fields` says what each column holds.
    #[default]
    W3c,
    /// The IIS log file format (`in`, `u_in`): fixed comma-separated fields.
    Native,
    /// NCSA common (`nc`, `u_nc`).
    Ncsa,
}

/// `H:MM:SS` or `HH:MM:SS` → seconds since midnight (the native and NCSA clocks).
pub(crate) fn clock(time: &[u8]) -> Option<i32> {
    let mut parts = time.split(|&b| b == b':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    let (h, m, s) = (
        request::number(h)?,
        request::number(m)?,
        request::number(s)?,
    );
    if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some((h * 3600 + m * 60 + s) as i32)
}

/// Reads one code: `-` is empty; otherwise 1 to 10 ASCII digits no greater than `max`.
#[inline]
pub fn parse_code(field: &[u8], max: u32) -> Result<Code, SkipReason> {
    if field == b"-" {
        return Ok(Code::Empty);
    }
    if field.is_empty() || field.len() > 10 {
        return Err(SkipReason::BadCode);
    }
    let mut n: u64 = 0;
    for &b in field {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(SkipReason::BadCode);
        }
        n = n * 10 + u64::from(d);
    }
    if n > u64::from(max) {
        return Err(SkipReason::BadCode);
    }
    Ok(Code::Value(n as u32))
}
