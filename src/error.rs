//! Typed errors and warnings. An `Error` stops the run (usage, nothing to read, output
//! failed); a `Problem` is one input that could not be read: it is reported, the run goes
//! on, and it turns the exit code from 0 into 1. Also the one escape every name, path and
//! log value goes through before it reaches a terminal ([`terminal_text`]).

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A character that must not reach a terminal as it is: C0 and C1 controls (ESC starts
/// the sequences that retitle a window or clear the screen, CR and LF forge lines), bidi
/// overrides and isolates, zero-width and invisible marks, and the Unicode line and
/// paragraph separators.
fn hides_or_moves(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || ('\u{200B}'..='\u{200F}').contains(&c)
        || matches!(c, '\u{061C}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// `text` as it may be printed on a terminal: each character of [`hides_or_moves`] is
/// written as its escape (`\u{1b}`), everything else as it is. File and archive-member
/// names, paths and log values come from whoever wrote the log folder, so every one of
/// them printed by iislog (diagnostics, the table) goes through here. Text with nothing
/// to escape is borrowed, not copied; escaping twice changes nothing.
pub fn terminal_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hides_or_moves) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hides_or_moves(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as it may be printed on a terminal (see [`terminal_text`]).
pub fn terminal_path(path: &Path) -> String {
    terminal_text(&path.to_string_lossy()).into_owned()
}

/// An error that ends the run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No input path, and no default log folder on this platform.
    #[error("no PATH given: name a log file or folder, e.g. `iislog summary C:\\inetpub\\logs\\LogFiles`{hint}")]
    NoInput { hint: &'static str },
    /// The inputs held no log file at all.
    #[error("nothing to read: no IIS log file found in {}{}", terminal_text(.inputs), terminal_text(.hint))]
    NothingToRead { inputs: String, hint: String },
    /// `--fields` was given an unusable list.
    #[error("--fields: {0}")]
    BadFieldsOption(String),
    /// Writing output failed. The cause follows in the error's chain (printed once).
    #[error("could not write {}", terminal_text(.target))]
    Output { target: String, source: io::Error },
}

impl Error {
    /// True when the error is a broken pipe on stdout (`iislog summary x | head`), which
    /// is no failure: the reader simply stopped reading.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// One input that could not be read, with the path as the user will recognise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub message: String,
}

impl Problem {
    pub fn io(path: impl Into<PathBuf>, err: &io::Error) -> Problem {
        Problem {
            path: path.into(),
            message: describe_io(err),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            terminal_path(&self.path),
            terminal_text(&self.message)
        )
    }
}

/// An I/O error in words an administrator can act on.
pub fn describe_io(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "not found (was it moved or deleted?)".to_string(),
        io::ErrorKind::PermissionDenied => {
            "permission denied (run as a user who can read the log folder, e.g. an administrator)"
                .to_string()
        }
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_escapes_what_moves_or_hides() {
        assert!(matches!(terminal_text("plain ログ"), Cow::Borrowed(_)));
        assert_eq!(terminal_text("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(terminal_text("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(terminal_text("one\ntwo\r"), "one\\u{a}two\\u{d}");
        assert_eq!(
            terminal_text("\u{9b}\u{7}\u{2028}"),
            "\\u{9b}\\u{7}\\u{2028}"
        );
        // Windows paths keep their backslashes, and a second pass changes nothing.
        assert_eq!(terminal_text("C:\\logs\\u_ex1.log"), "C:\\logs\\u_ex1.log");
        let once = terminal_text("\u{1b}]0;title\u{7}").into_owned();
        assert_eq!(terminal_text(&once), once);
    }

    #[test]
    fn a_problem_prints_on_one_line() {
        let p = Problem {
            path: PathBuf::from("evil\n\u{1b}[2Jiislog: fake.log"),
            message: "damaged: member \u{1b}]0;x\u{7}".into(),
        };
        let shown = p.to_string();
        assert!(!shown.contains('\n') && !shown.contains('\u{1b}') && !shown.contains('\u{7}'));
        assert!(shown.starts_with("evil\\u{a}\\u{1b}[2J"), "{shown}");
    }
}
