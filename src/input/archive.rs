//! Logs inside `.gz` and `.zip` archives: found by their names (or first bytes) inside the
//! archive, named `archive.zip!W3SVC1/u_ex261101.log`, and opened as streams of their
//! decompressed bytes (they cannot be mapped); `parse::stream` reads them.

use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::format::LineFormat;
use crate::input::identify::identify;
use crate::input::source::open_shared;
use crate::service::{service_of_folder, Service};

/// A longer line is no log line: a stream reader's buffer stops growing there.
pub const MAX_LINE: usize = 64 << 20;

/// Where a log inside an archive is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// The one file a `.gz` holds.
    Gz(PathBuf),
    /// An entry of a `.zip`, by its name in the archive.
    Zip { archive: PathBuf, entry: String },
}

/// Why an archived log could not be read: the archive is damaged, or not what its
/// name says. The file is reported and the run goes on.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("damaged or unreadable zip archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("a line longer than {} MiB: not a log", MAX_LINE >> 20)]
    LineTooLong,
}

/// The kind of archive a file name says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Gz,
    Zip,
}

/// `.gz` or `.zip`, in any case.
pub fn kind_of(path: &Path) -> Option<Kind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "gz" => Some(Kind::Gz),
        "zip" => Some(Kind::Zip),
        _ => None,
    }
}

/// A log found in an archive, before it becomes a `LogFile`.
#[derive(Debug, Clone)]
pub struct Found {
    /// The name shown: `x.log.gz`, or `archive.zip!W3SVC1/u_ex261101.log`.
    pub path: PathBuf,
    pub member: Member,
    /// The service from the entry's folder, if it is a service folder.
    pub folder: Option<(Service, Option<u32>)>,
    /// Service and format from the first bytes, when the name does not give them.
    pub content_service: Service,
    pub format: LineFormat,
    /// Compressed size, for the progress bar.
    pub len: u64,
}

/// The first 4 KiB of a member, decompressed.
fn head(reader: impl Read) -> io::Result<Vec<u8>> {
    let mut h = Vec::with_capacity(4096);
    reader.take(4096).read_to_end(&mut h)?;
    Ok(h)
}

/// The log a `.gz` holds, or `None` when it is no log (its inner name is no IIS log name
/// and it does not start like one; a file the user named is always taken).
pub fn list_gz(path: &Path, len: u64, named: bool) -> Result<Option<Found>, ArchiveError> {
    let inner = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let h = head(flate2::read::MultiGzDecoder::new(BufReader::new(
        open_shared(path)?,
    )))?;
    Ok(identify(&inner, &h, named).map(|id| Found {
        path: path.to_path_buf(),
        member: Member::Gz(path.to_path_buf()),
        folder: None,
        content_service: id.service,
        format: id.format,
        len,
    }))
}

/// The logs a `.zip` holds, in name order.
pub fn list_zip(path: &Path) -> Result<Vec<Found>, ArchiveError> {
    let mut zip = zip::ZipArchive::new(BufReader::new(open_shared(path)?))?;
    let mut names: Vec<String> = zip
        .file_names()
        .filter(|n| !n.ends_with('/') && !n.ends_with('\\'))
        .map(str::to_string)
        .collect();
    names.sort();
    let mut found = Vec::new();
    for entry in names {
        let shown = entry.replace('\\', "/");
        let mut parts = shown.rsplit('/');
        let name = parts.next().unwrap_or_default().to_string();
        let folder = parts.next().and_then(service_of_folder);
        let file = zip.by_name(&entry)?;
        let len = file.compressed_size();
        let h = head(file)?;
        if let Some(id) = identify(&name, &h, false) {
            found.push(Found {
                path: PathBuf::from(format!("{}!{shown}", path.display())),
                member: Member::Zip {
                    archive: path.to_path_buf(),
                    entry,
                },
                folder,
                content_service: id.service,
                format: id.format,
                len,
            });
        }
    }
    Ok(found)
}

/// The first 4 KiB of an archived log, decompressed: its identity in a history.
pub fn member_head(member: &Member) -> Result<Vec<u8>, ArchiveError> {
    with_reader(member, |r| Ok(head(r)?))
}

/// Opens an archived log and hands its decompressed bytes to `read`, as a stream.
pub fn with_reader<T>(
    member: &Member,
    read: impl FnOnce(&mut dyn Read) -> Result<T, ArchiveError>,
) -> Result<T, ArchiveError> {
    match member {
        Member::Gz(path) => {
            let mut gz = flate2::read::MultiGzDecoder::new(BufReader::new(open_shared(path)?));
            read(&mut gz)
        }
        Member::Zip { archive, entry } => {
            let mut zip = zip::ZipArchive::new(BufReader::new(open_shared(archive)?))?;
            let mut file = zip.by_name(entry)?;
            read(&mut file)
        }
    }
}

impl Member {
    /// The archive's path and the member's name in it (a `.gz`'s: its name without `.gz`).
    pub fn parts(&self) -> (&Path, String) {
        match self {
            Member::Gz(path) => (
                path,
                path.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
            Member::Zip { archive, entry } => (archive, entry.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const W3C: &[u8] = b"#Fields: a sc-status\nq 200\nq 404\n";

    fn read_all(member: &Member) -> Result<Vec<u8>, ArchiveError> {
        with_reader(member, |r| {
            let mut v = Vec::new();
            r.read_to_end(&mut v)?;
            Ok(v)
        })
    }

    #[test]
    fn gz_and_corrupt_gz() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u_ex261123.log.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(W3C).unwrap();
        let packed = gz.finish().unwrap();
        std::fs::write(&path, &packed).unwrap();
        let found = list_gz(&path, 0, false).unwrap().expect("a log name");
        assert_eq!(read_all(&found.member).unwrap(), W3C);
        // Cut in the middle: an error, not a short read.
        std::fs::write(&path, &packed[..packed.len() / 2]).unwrap();
        assert!(read_all(&found.member).is_err());
        std::fs::write(&path, b"not gzip at all").unwrap();
        assert!(list_gz(&path, 0, false).is_err());
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_of(Path::new("a/u_ex261101.log.GZ")), Some(Kind::Gz));
        assert_eq!(kind_of(Path::new("LogFiles.zip")), Some(Kind::Zip));
        assert_eq!(kind_of(Path::new("u_ex261101.log")), None);
    }
}
