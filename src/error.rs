//! Typed errors and warnings. An `Error` stops the run (usage, nothing to read, output
//! failed); a `Problem` is one input that could not be read: it is reported, the run goes
//! on, and it turns the exit code from 0 into 1.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// An error that ends the run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No input path, and no default log folder on this platform.
    #[error("no PATH given: name a log file or folder, e.g. `iislog summary C:\\inetpub\\logs\\LogFiles`{hint}")]
    NoInput { hint: &'static str },
    /// The inputs held no log file at all.
    #[error("nothing to read: no IIS log file found in {}{}", .inputs, .hint)]
    NothingToRead { inputs: String, hint: String },
    /// `--fields` was given an unusable list.
    #[error("--fields: {0}")]
    BadFieldsOption(String),
    /// Writing output failed.
    #[error("could not write {target}: {source}")]
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
        write!(f, "{}: {}", self.path.display(), self.message)
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
