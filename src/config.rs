//! Settings that come from the environment rather than the command line: the default log
//! folders on Windows, the language from the locale, and whether streams are terminals.
//! Each is a pure function of the values given, so tests can feed any environment.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::catalogue::Lang;

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

/// The language from the usual locale variables, first set wins (`LC_ALL`, `LC_MESSAGES`,
/// `LANG`); English when none names a language the catalogue has.
pub fn lang_from_env(get: impl Fn(&str) -> Option<String>) -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| get(v).filter(|s| !s.is_empty()))
        .find_map(|s| Lang::from_locale(&s))
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
        assert_eq!(lang_from_env(env(&[("LANG", "ja_JP.UTF-8")])), Lang::Ja);
        assert_eq!(lang_from_env(env(&[("LANG", "nb_NO.UTF-8")])), Lang::Nb);
        assert_eq!(
            lang_from_env(env(&[("LC_ALL", "C"), ("LANG", "ja_JP")])),
            Lang::Ja
        );
        assert_eq!(
            lang_from_env(env(&[("LC_ALL", "en_US"), ("LANG", "ja_JP")])),
            Lang::En
        );
        assert_eq!(lang_from_env(env(&[])), Lang::En);
    }
}
