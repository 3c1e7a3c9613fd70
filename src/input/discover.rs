//! Inputs → the log files to read: folders are walked (sorted, links followed, loops and
//! second routes to the same folder or file refused), a file is taken when its name is an
//! IIS log name or its first bytes are a W3C directive, and its service comes from its
//! folder (`W3SVC1`, `MSFTPSVC1`, `HTTPERR`…) or else from its content.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Problem;
use crate::format::LineFormat;
use crate::input::archive::{self, ArchiveError, Kind, Member};
use crate::input::identify::{self, is_log_name};
use crate::input::source::open_shared;
use crate::service::Service;

/// A file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// The path as the user gave it (input joined with the names found below it).
    pub path: PathBuf,
    pub service: Service,
    /// The site number from a `W3SVC<n>`/`FTPSVC<n>`… folder.
    pub site: Option<u32>,
    /// W3C, IIS native or NCSA, from the name (`in`, `nc`) or else the first line.
    pub format: LineFormat,
    /// Set when the log is inside a `.gz` or `.zip`; `path` is then its shown name.
    pub member: Option<Member>,
    /// Length when discovered (for the progress bar; the reader takes the length at open).
    pub len: u64,
}

/// A file that was passed over, and why (shown with `--verbose`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passed {
    pub path: PathBuf,
    pub why: &'static str,
}

/// Everything discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<LogFile>,
    pub passed: Vec<Passed>,
    pub problems: Vec<Problem>,
    /// Inputs that are read, with something the user should know (always shown; the
    /// exit code stays 0).
    pub notes: Vec<Problem>,
    /// Files named on the command line that nothing marks as a log (no IIS log name, no
    /// W3C directive, no native or NCSA line): read all the same, and named on stderr
    /// when none of their lines is a request.
    pub not_logs: Vec<PathBuf>,
}

/// Walks `inputs` in the order given, for the W3C logs only (what `report` reads).
pub fn discover(inputs: &[PathBuf]) -> Discovery {
    discover_with(inputs, false)
}

/// Walks `inputs` for every log `summary` reads: W3C, IIS native and NCSA logs, and
/// logs inside `.gz` and `.zip` archives.
pub fn discover_all(inputs: &[PathBuf]) -> Discovery {
    discover_with(inputs, true)
}

fn discover_with(inputs: &[PathBuf], all: bool) -> Discovery {
    let mut walk = Walk {
        all,
        ..Walk::default()
    };
    for input in inputs {
        match fs::metadata(input) {
            Ok(meta) if meta.is_dir() => walk.dir(input),
            // A file the user named is read even when its name is not an IIS log name.
            Ok(meta) => {
                let key = fs::canonicalize(input).unwrap_or_else(|_| input.clone());
                walk.file(input, key, meta.len(), true)
            }
            Err(e) => walk.out.problems.push(Problem::io(input, &e)),
        }
    }
    walk.out
}

#[derive(Default)]
struct Walk {
    out: Discovery,
    seen_dirs: HashSet<PathBuf>,
    seen_files: HashSet<PathBuf>,
    /// Folders being walked (canonical), to tell a loop from a second route.
    stack: Vec<PathBuf>,
    /// Take other formats and archives too.
    all: bool,
}

impl Walk {
    fn dir(&mut self, dir: &Path) {
        // Canonical names tell loops and second routes apart. Where the OS cannot give
        // one (Wine fails on paths over 260 characters), the path as found still works
        // for loops made of real folders; links then count as new folders.
        let canonical = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if self.stack.contains(&canonical) {
            return self.out.problems.push(Problem {
                path: dir.to_path_buf(),
                message: "folder loop: this link leads back to a folder being read; not followed"
                    .to_string(),
            });
        }
        if !self.seen_dirs.insert(canonical.clone()) {
            return self.out.passed.push(Passed {
                path: dir.to_path_buf(),
                why: "folder already read by another path",
            });
        }
        let entries = match fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => return self.out.problems.push(Problem::io(dir, &e)),
        };
        let mut listed = Vec::new();
        for entry in entries {
            match entry {
                // The entry's own type comes with the listing on most systems: no stat.
                Ok(e) => {
                    let is_link = e.file_type().is_ok_and(|t| t.is_symlink());
                    listed.push((e.file_name(), is_link, e));
                }
                Err(e) => self.out.problems.push(Problem::io(dir, &e)),
            }
        }
        listed.sort_by(|a, b| a.0.cmp(&b.0));
        self.stack.push(canonical.clone());
        for (name, is_link, entry) in listed {
            let path = dir.join(&name);
            // Follow links: a LogFiles folder gathered from several servers is often links.
            // Anything else is looked up relative to the open folder (fstatat), not by
            // walking its whole path again: in a folder of 100,000 logs that adds up.
            let meta = if is_link {
                fs::metadata(&path)
            } else {
                entry.metadata()
            };
            match meta {
                Ok(meta) if meta.is_dir() => self.dir(&path),
                Ok(meta) if meta.is_file() => {
                    // A file is known by its folder's canonical name and its own name, so
                    // a folder of 100,000 logs costs no path resolution per file; only a
                    // link is resolved to the file it names.
                    let key = if is_link {
                        fs::canonicalize(&path).unwrap_or_else(|_| path.clone())
                    } else {
                        canonical.join(&name)
                    };
                    self.file(&path, key, meta.len(), false)
                }
                Ok(_) => self.out.passed.push(Passed {
                    path,
                    why: "not a regular file",
                }),
                Err(e) => self.out.problems.push(Problem::io(&path, &e)),
            }
        }
        self.stack.pop();
    }

    /// Takes `path` unless the file `key` (its canonical name) was already taken.
    fn file(&mut self, path: &Path, key: PathBuf, len: u64, named: bool) {
        if !self.seen_files.insert(key) {
            return self.out.passed.push(Passed {
                path: path.to_path_buf(),
                why: "file already read by another path",
            });
        }
        if let Some(kind) = archive::kind_of(path).filter(|_| self.all) {
            return self.archive(path, kind, len, named);
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let folder = identify::folder_of(path);
        // The name and folder decide most files without opening them.
        let head = if is_log_name(name) && folder.is_some() {
            Vec::new()
        } else {
            match read_head(path) {
                Ok(h) => h,
                Err(e) => return self.out.problems.push(Problem::io(path, &e)),
            }
        };
        let Some(id) = identify::identify(name, &head, named) else {
            return self.out.passed.push(Passed {
                path: path.to_path_buf(),
                why: "not an IIS log name and does not start with a W3C directive",
            });
        };
        if named && identify::identify(name, &head, false).is_none() {
            self.out.not_logs.push(path.to_path_buf());
        }
        let format = id.format;
        if format != LineFormat::W3c && !self.all {
            return self.out.passed.push(Passed {
                path: path.to_path_buf(),
                why: "an IIS native or NCSA log: `summary` reads it, `report` not yet",
            });
        }
        let (service, site) = folder.unwrap_or((id.service, None));
        self.out.files.push(LogFile {
            path: path.to_path_buf(),
            service,
            site,
            format,
            member: None,
            len,
        });
    }

    /// Takes the logs a `.gz` or `.zip` holds; a damaged archive is a problem of its own.
    fn archive(&mut self, path: &Path, kind: Kind, len: u64, named: bool) {
        let around = identify::folder_of(path);
        let listed = match kind {
            Kind::Gz => {
                archive::list_gz(path, len, named, around.is_some()).map(|f| archive::ZipListing {
                    found: f.into_iter().collect(),
                    shared: 0,
                })
            }
            Kind::Zip => archive::list_zip(path, around.is_some()),
        };
        let listed = match listed {
            Ok(l) => l,
            Err(e) => {
                let message = match e {
                    ArchiveError::Io(io) => crate::error::describe_io(&io),
                    other => other.to_string(),
                };
                return self.out.problems.push(Problem {
                    path: path.to_path_buf(),
                    message,
                });
            }
        };
        if listed.found.is_empty() {
            return self.out.passed.push(Passed {
                path: path.to_path_buf(),
                why: "an archive that holds no IIS log",
            });
        }
        if listed.shared > 0 {
            self.out.notes.push(Problem {
                path: path.to_path_buf(),
                message: format!(
                    "{} of its {} logs point at compressed data that another log in it \
                     uses too (a crafted or damaged archive): each is counted as listed, \
                     so the same lines are counted more than once",
                    listed.shared,
                    listed.found.len()
                ),
            });
        }
        for f in listed.found {
            let (service, site) = f.folder.or(around).unwrap_or((f.content_service, None));
            self.out.files.push(LogFile {
                path: f.path,
                service,
                site,
                format: f.format,
                member: Some(f.member),
                len: f.len,
            });
        }
    }
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(4096);
    open_shared(path)?.take(4096).read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_sorts_dedupes_and_passes_over_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("W3SVC1")).unwrap();
        fs::create_dir_all(root.join("misc")).unwrap();
        fs::write(root.join("W3SVC1/u_ex261124.log"), "").unwrap();
        fs::write(root.join("W3SVC1/u_ex261123.log"), "").unwrap();
        fs::write(root.join("misc/notes.txt"), "hello").unwrap();
        fs::write(root.join("misc/copy.txt"), "#Fields: date\n").unwrap();
        let d = discover(&[root.to_path_buf(), root.join("W3SVC1/u_ex261123.log")]);
        let names: Vec<String> = d
            .files
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            names,
            [
                "W3SVC1/u_ex261123.log",
                "W3SVC1/u_ex261124.log",
                "misc/copy.txt"
            ]
        );
        assert_eq!(d.files[0].site, Some(1));
        assert_eq!(d.passed.len(), 2, "{:?}", d.passed);
        assert!(d.problems.is_empty());
        assert!(d.not_logs.is_empty());
    }

    /// A file named on the command line is read whatever it is; when nothing marks it as
    /// a log, discovery says so, for the run to name it.
    #[test]
    fn named_files_that_do_not_look_like_logs_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("notes.txt"), "hello\n").unwrap();
        fs::write(root.join("copy.txt"), "#Fields: date time sc-status\n").unwrap();
        fs::write(root.join("u_ex261123.log"), "").unwrap();
        let named = ["notes.txt", "copy.txt", "u_ex261123.log"].map(|n| root.join(n));
        let d = discover_all(&named);
        assert_eq!(d.files.len(), 3);
        assert_eq!(d.not_logs, vec![root.join("notes.txt")]);
    }

    #[test]
    fn missing_input_is_a_problem() {
        let d = discover(&[PathBuf::from("no/such/folder")]);
        assert_eq!(d.problems.len(), 1);
        assert!(d.files.is_empty());
    }

    // Links need privileges on Windows; the loop logic is the same there.
    #[cfg(unix)]
    #[test]
    fn folder_loop_is_a_problem_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("W3SVC1")).unwrap();
        fs::write(root.join("W3SVC1/u_ex261123.log"), "").unwrap();
        std::os::unix::fs::symlink(root, root.join("W3SVC1/back")).unwrap();
        let d = discover(&[root.to_path_buf()]);
        assert_eq!(d.files.len(), 1);
        assert_eq!(d.problems.len(), 1);
        assert!(d.problems[0].message.contains("loop"));
    }
}
