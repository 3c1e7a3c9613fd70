//! Settings that come from the environment rather than the command line: the default log
//! folders on Windows and the language from the locale. Each is a pure function of the
//! values given, so tests can feed any environment. It is the binary's, not the library's:
//! a library caller passes its own inputs and language, and only the command line falls
//! back on the machine's.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use iislog::catalogue::Lang;

/// The IIS log folders to read when no PATH is given, those that exist, in this order:
/// `%SystemDrive%\inetpub\logs\LogFiles` (IIS 7+) and `%WINDIR%\System32\LogFiles` (IIS 5/6).
pub fn default_log_dirs(
    system_drive: Option<OsString>,
    windir: Option<OsString>,
    exists: impl Fn(&Path) -> bool,
) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(drive) = system_drive {
        // `C:` alone is drive-relative; the separator makes it the drive's root.
        let mut root = drive;
        root.push("\\");
        dirs.push(
            PathBuf::from(root)
                .join("inetpub")
                .join("logs")
                .join("LogFiles"),
        );
    }
    if let Some(windir) = windir {
        dirs.push(PathBuf::from(windir).join("System32").join("LogFiles"));
    }
    dirs.retain(|d| exists(d));
    dirs
}

/// The user's locale name from Windows (`ja-JP`, `nb-NO`), which is where a Windows user's
/// language lives: `LANG` is rarely set there. `None` elsewhere or when Windows has none.
pub fn system_locale() -> Option<String> {
    #[cfg(windows)]
    {
        #[link(name = "kernel32")]
        extern "system" {
            fn GetUserDefaultLocaleName(name: *mut u16, len: i32) -> i32;
        }
        // LOCALE_NAME_MAX_LENGTH is 85 UTF-16 units, the final NUL included.
        let mut buf = [0u16; 85];
        // SAFETY: the buffer is writable for the length passed; the call writes at most
        // that many units and returns how many it wrote (0 on failure).
        let written = unsafe { GetUserDefaultLocaleName(buf.as_mut_ptr(), buf.len() as i32) };
        let len = usize::try_from(written).ok()?.checked_sub(1)?;
        (len > 0).then(|| String::from_utf16_lossy(&buf[..len]))
    }
    #[cfg(not(windows))]
    None
}

/// The language when `--lang` is not given: the locale variables, then (on Windows) the
/// user's locale, else English.
pub fn default_lang(get: impl Fn(&str) -> Option<String>, system: Option<String>) -> Lang {
    let from_vars = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| get(v).filter(|s| !s.is_empty()))
        .find_map(|s| Lang::from_locale(&s));
    from_vars
        .or_else(|| system.as_deref().and_then(Lang::from_locale))
        .unwrap_or(Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_keep_existing_folders_in_order() {
        let all = default_log_dirs(Some("C:".into()), Some("C:\\Windows".into()), |_| true);
        assert_eq!(all.len(), 2);
        let first = all[0].to_string_lossy().replace('/', "\\");
        assert!(first.starts_with("C:\\"), "{first}");
        assert!(first.ends_with("inetpub\\logs\\LogFiles"), "{first}");
        assert!(all[1]
            .to_string_lossy()
            .replace('/', "\\")
            .ends_with("Windows\\System32\\LogFiles"));
        let none = default_log_dirs(Some("C:".into()), None, |_| false);
        assert!(none.is_empty());
        assert!(default_log_dirs(None, None, |_| true).is_empty());
    }

    /// Windows always has a user locale (Wine reports one too).
    #[cfg(windows)]
    #[test]
    fn windows_reports_a_locale() {
        let name = system_locale().expect("a user locale");
        assert!(name.contains('-'), "{name}");
    }

    #[test]
    fn language_from_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let lang = |pairs, system: Option<&str>| default_lang(env(pairs), system.map(String::from));
        assert_eq!(lang(&[("LANG", "ja_JP.UTF-8")], None), Lang::Ja);
        assert_eq!(lang(&[("LANG", "nb_NO.UTF-8")], None), Lang::Nb);
        assert_eq!(lang(&[("LC_ALL", "C"), ("LANG", "ja_JP")], None), Lang::Ja);
        assert_eq!(
            lang(&[("LC_ALL", "en_US"), ("LANG", "ja_JP")], None),
            Lang::En
        );
        assert_eq!(lang(&[], None), Lang::En);
        // Windows: no LANG, the user's locale decides; a variable still wins.
        assert_eq!(lang(&[], Some("nb-NO")), Lang::Nb);
        assert_eq!(lang(&[], Some("ja-JP")), Lang::Ja);
        assert_eq!(lang(&[("LANG", "en_GB")], Some("ja-JP")), Lang::En);
        assert_eq!(lang(&[], Some("de-DE")), Lang::En);
    }
}
