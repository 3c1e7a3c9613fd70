//! Text shown from logs (URIs and user names in the report's top lists and page): `ex`
//! files of IIS 5/6 are in the server's ANSI code page, `u_ex` files in UTF-8. A value is
//! shown as UTF-8 when it is valid UTF-8, else decoded with the `--codepage` given, else
//! with its undecodable bytes written `\xNN`, so that nothing is dropped or merged.
//! Counts never depend on it: only the text shown does.

use std::borrow::Cow;
use std::fmt::Write as _;

use encoding_rs::Encoding;

/// Why a `--codepage` could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown code page {0:?}: give a Windows code page number (932, 936, 949, 950, 1250 to 1258, 874) or an encoding name (shift_jis, windows-1252, gbk…)")]
pub struct UnknownCodepage(pub String);

/// Windows code page numbers whose WHATWG label is not `cpN`/`windows-N`.
const NUMBERED: &[(&str, &str)] = &[
    ("932", "shift_jis"),
    ("936", "gbk"),
    ("949", "euc-kr"),
    ("950", "big5"),
    ("20866", "koi8-r"),
    ("21866", "koi8-u"),
    ("20932", "euc-jp"),
    ("50220", "iso-2022-jp"),
    ("51932", "euc-jp"),
    ("54936", "gb18030"),
    ("65001", "utf-8"),
    ("28591", "iso-8859-1"),
    ("28592", "iso-8859-2"),
    ("28595", "iso-8859-5"),
    ("28597", "iso-8859-7"),
    ("28605", "iso-8859-15"),
];

/// Resolves `932`, `cp1252`, `windows-1252`, `shift_jis`… to an encoding.
pub fn parse(text: &str) -> Result<&'static Encoding, UnknownCodepage> {
    let t = text.trim();
    let by_number = NUMBERED
        .iter()
        .find(|(n, _)| *n == t)
        .and_then(|(_, label)| Encoding::for_label(label.as_bytes()));
    by_number
        .or_else(|| {
            t.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| {
                    Encoding::for_label(format!("windows-{t}").as_bytes())
                        .or_else(|| Encoding::for_label(format!("cp{t}").as_bytes()))
                })
                .flatten()
        })
        .or_else(|| Encoding::for_label(t.as_bytes()))
        .ok_or_else(|| UnknownCodepage(text.to_string()))
}

/// The text to show for `bytes`: UTF-8 when valid (borrowed, the common case), else
/// decoded with `codepage` when every byte decodes, else UTF-8 with `\xNN` escapes.
#[inline]
pub fn show<'a>(bytes: &'a [u8], codepage: Option<&'static Encoding>) -> Cow<'a, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(s);
    }
    if let Some(text) =
        codepage.and_then(|e| e.decode_without_bom_handling_and_without_replacement(bytes))
    {
        return Cow::Owned(text.into_owned());
    }
    Cow::Owned(escaped(bytes))
}

/// Valid UTF-8 runs kept, every other byte as `\xNN`.
pub fn escaped(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(parse("932").unwrap(), encoding_rs::SHIFT_JIS);
        assert_eq!(parse("1252").unwrap(), encoding_rs::WINDOWS_1252);
        assert_eq!(parse("cp1251").unwrap(), encoding_rs::WINDOWS_1251);
        assert_eq!(parse("Shift_JIS").unwrap(), encoding_rs::SHIFT_JIS);
        assert_eq!(parse("936").unwrap(), encoding_rs::GBK);
        assert!(parse("99999").is_err());
        assert!(parse("klingon").is_err());
    }

    #[test]
    fn utf8_first_then_the_codepage_then_escapes() {
        // "/日本.html" in Shift-JIS and "/café" in CP1252.
        let sjis = b"/\x93\xfa\x96\x7b.html";
        let cp1252 = b"/caf\xe9";
        assert_eq!(show("/日本.html".as_bytes(), None), "/日本.html");
        assert_eq!(show(sjis, Some(encoding_rs::SHIFT_JIS)), "/日本.html");
        assert_eq!(show(cp1252, Some(encoding_rs::WINDOWS_1252)), "/café");
        assert_eq!(show(cp1252, None), "/caf\\xE9");
        // A byte Shift-JIS cannot decode: escapes, not replacement characters.
        assert_eq!(show(b"/a\xff", Some(encoding_rs::SHIFT_JIS)), "/a\\xFF");
        assert!(matches!(show(b"/ok", None), Cow::Borrowed(_)));
    }
}
