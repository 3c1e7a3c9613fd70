//! Logs inside `.gz` and `.zip` archives: found by their names (or first bytes) inside the
//! archive, named `archive.zip!W3SVC1/u_ex261101.log`, and opened as streams of their
//! decompressed bytes (they cannot be mapped); `parse::stream` reads them.
//!
//! A zip's central directory is read once, when the archive is listed; every member then
//! keeps a handle to it and is opened by its index, so reading n members costs n, not
//! n times the directory. Each member also carries an identity from the archive's own
//! records (a zip member's CRC-32 and size, a `.gz`'s trailer), which a history compares
//! without decompressing anything.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::format::LineFormat;
use crate::input::identify::{identify, is_log_name};
use crate::input::source::open_shared;
use crate::service::{service_of_folder, Service};

/// A longer line is no log line: a stream reader's buffer stops growing there.
pub const MAX_LINE: usize = 64 << 20;

/// Where a log inside an archive is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// The one file a `.gz` holds.
    Gz { path: PathBuf, identity: String },
    /// An entry of a `.zip`: its name and index in the archive, read through the
    /// archive's directory as it was listed.
    Zip {
        archive: PathBuf,
        entry: String,
        index: usize,
        identity: String,
        zip: ZipHandle,
    },
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

/// The logs a `.zip` holds.
#[derive(Debug, Default)]
pub struct ZipListing {
    /// In name order.
    pub found: Vec<Found>,
    /// Logs whose compressed data lies inside another log's (a crafted archive whose
    /// members all point at the same data): each is still counted as listed.
    pub shared: usize,
}

/// The archive file as the zip reader sees it. Each clone opens the file on its first
/// read, so a listed archive holds no file handle (a folder of thousands of archives
/// stays far from the open-file limit) and members read in parallel each have their own
/// position. It refuses to read an archive that changed since it was listed.
struct ArchiveFile {
    path: Arc<Path>,
    len: u64,
    modified: Option<SystemTime>,
    file: Option<BufReader<File>>,
    pos: u64,
}

/// Enough for a member's local header, or a run of small members.
const ARCHIVE_BUFFER: usize = 8 * 1024;

impl ArchiveFile {
    fn open(path: &Path) -> io::Result<ArchiveFile> {
        let file = open_shared(path)?;
        let meta = file.metadata()?;
        Ok(ArchiveFile {
            path: Arc::from(path),
            len: meta.len(),
            modified: meta.modified().ok(),
            file: Some(BufReader::with_capacity(ARCHIVE_BUFFER, file)),
            pos: 0,
        })
    }

    fn file(&mut self) -> io::Result<&mut BufReader<File>> {
        if self.file.is_none() {
            let mut file = open_shared(&self.path)?;
            let meta = file.metadata()?;
            if meta.len() != self.len || meta.modified().ok() != self.modified {
                return Err(io::Error::other(
                    "the archive changed since it was listed: run again",
                ));
            }
            file.seek(SeekFrom::Start(self.pos))?;
            self.file = Some(BufReader::with_capacity(ARCHIVE_BUFFER, file));
        }
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("archive not open"))
    }
}

impl Clone for ArchiveFile {
    fn clone(&self) -> ArchiveFile {
        ArchiveFile {
            path: self.path.clone(),
            len: self.len,
            modified: self.modified,
            file: None,
            pos: self.pos,
        }
    }
}

impl Read for ArchiveFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file()?.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for ArchiveFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek out of range"))?;
        if let Some(f) = self.file.as_mut() {
            // Relative: a short hop forward (a local header to its data) keeps the buffer.
            let delta = i64::try_from(i128::from(target) - i128::from(self.pos))
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "seek out of range"))?;
            f.seek_relative(delta)?;
        }
        self.pos = target;
        Ok(target)
    }
}

/// A listed zip archive: its central directory, read once and shared by its members.
#[derive(Clone)]
pub struct ZipHandle {
    zip: zip::ZipArchive<ArchiveFile>,
}

impl fmt::Debug for ZipHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZipHandle")
            .field("members", &self.zip.len())
            .finish()
    }
}

/// Two handles are equal when they share one listing of the archive.
impl PartialEq for ZipHandle {
    fn eq(&self, other: &ZipHandle) -> bool {
        Arc::ptr_eq(&self.zip.metadata(), &other.zip.metadata())
    }
}

impl Eq for ZipHandle {}

/// The first 4 KiB of a member, decompressed.
fn head(reader: impl Read) -> io::Result<Vec<u8>> {
    let mut h = Vec::with_capacity(4096);
    reader.take(4096).read_to_end(&mut h)?;
    Ok(h)
}

/// A `.gz`'s identity: its trailer, the CRC-32 and length (mod 2^32) of what it holds,
/// read from its last 8 bytes without decompressing.
fn gz_identity(path: &Path) -> io::Result<String> {
    let mut f = open_shared(path)?;
    let len = f.metadata()?.len();
    if len < 18 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "too short for a gzip file",
        ));
    }
    let mut t = [0u8; 8];
    f.seek(SeekFrom::Start(len - 8))?;
    f.read_exact(&mut t)?;
    let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
    let isize = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
    Ok(format!("gz:crc32={crc:08x},isize={isize}"))
}

/// A zip member's identity: its CRC-32 and sizes from the central directory.
fn zip_identity(crc: u32, size: u64, compressed: u64) -> String {
    format!("zip:crc32={crc:08x},size={size},stored={compressed}")
}

/// The log a `.gz` holds, or `None` when it is no log (its inner name is no IIS log name
/// and it does not start like one; a file the user named is always taken). With
/// `folder_known` (the `.gz` is in a service folder), an IIS log name decides alone and
/// nothing is decompressed.
pub fn list_gz(
    path: &Path,
    len: u64,
    named: bool,
    folder_known: bool,
) -> Result<Option<Found>, ArchiveError> {
    let inner = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let identity = gz_identity(path)?;
    let h = if folder_known && is_log_name(&inner) {
        Vec::new()
    } else {
        head(flate2::read::MultiGzDecoder::new(BufReader::new(
            open_shared(path)?,
        )))?
    };
    Ok(identify(&inner, &h, named).map(|id| Found {
        path: path.to_path_buf(),
        member: Member::Gz {
            path: path.to_path_buf(),
            identity,
        },
        folder: None,
        content_service: id.service,
        format: id.format,
        len,
    }))
}

/// The logs a `.zip` holds, in name order. The central directory is read once; each
/// member's local header is read (where its data starts), and its first 4 KiB are
/// decompressed only when its name and folder do not decide what it is (`folder_known`:
/// the archive is in a service folder).
pub fn list_zip(path: &Path, folder_known: bool) -> Result<ZipListing, ArchiveError> {
    let mut zip = zip::ZipArchive::new(ArchiveFile::open(path)?)?;
    let handle = ZipHandle { zip: zip.clone() };
    let mut found = Vec::new();
    // Where each log's data lies in the archive, to find logs that share their data.
    let mut spans: Vec<(u64, u64)> = Vec::new();
    for index in 0..zip.len() {
        let Some(entry) = zip.name_for_index(index).map(str::to_string) else {
            continue;
        };
        if entry.ends_with('/') || entry.ends_with('\\') {
            continue;
        }
        let shown = entry.replace('\\', "/");
        let mut parts = shown.rsplit('/');
        let name = parts.next().unwrap_or_default().to_string();
        let folder = parts.next().and_then(service_of_folder);
        let decided = is_log_name(&name) && (folder.is_some() || folder_known);
        let file = if decided {
            zip.by_index_raw(index)?
        } else {
            zip.by_index(index)?
        };
        let span = (
            file.header_start(),
            file.data_start().unwrap_or(file.header_start()) + file.compressed_size(),
        );
        let len = file.compressed_size();
        let identity = zip_identity(file.crc32(), file.size(), len);
        let h = if decided { Vec::new() } else { head(file)? };
        if let Some(id) = identify(&name, &h, false) {
            spans.push(span);
            found.push(Found {
                path: PathBuf::from(format!("{}!{shown}", path.display())),
                member: Member::Zip {
                    archive: path.to_path_buf(),
                    entry,
                    index,
                    identity,
                    zip: handle.clone(),
                },
                folder,
                content_service: id.service,
                format: id.format,
                len,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(ZipListing {
        found,
        shared: shared_spans(spans),
    })
}

/// How many spans start inside an earlier one (a member whose local header and data lie
/// within another's data, or at the same place).
fn shared_spans(mut spans: Vec<(u64, u64)>) -> usize {
    spans.sort_unstable();
    let mut end = 0;
    let mut shared = 0;
    for (i, (s, e)) in spans.into_iter().enumerate() {
        if i > 0 && s < end {
            shared += 1;
        }
        end = end.max(e);
    }
    shared
}

/// The first 4 KiB of an archived log, decompressed: its identity in a history made
/// before identities came from the archive's records.
pub fn member_head(member: &Member) -> Result<Vec<u8>, ArchiveError> {
    with_reader(member, |r| Ok(head(r)?))
}

/// Opens an archived log and hands its decompressed bytes to `read`, as a stream.
pub fn with_reader<T>(
    member: &Member,
    read: impl FnOnce(&mut dyn Read) -> Result<T, ArchiveError>,
) -> Result<T, ArchiveError> {
    match member {
        Member::Gz { path, .. } => {
            let mut gz = flate2::read::MultiGzDecoder::new(BufReader::new(open_shared(path)?));
            read(&mut gz)
        }
        Member::Zip { zip, index, .. } => {
            // The listed directory, with a reader of its own: no second look at it.
            let mut zip = zip.zip.clone();
            let mut file = zip.by_index(*index)?;
            read(&mut file)
        }
    }
}

impl Member {
    /// The archive's path and the member's name in it (a `.gz`'s: its name without `.gz`).
    pub fn parts(&self) -> (&Path, String) {
        match self {
            Member::Gz { path, .. } => (
                path,
                path.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
            Member::Zip { archive, entry, .. } => (archive, entry.clone()),
        }
    }

    /// What identifies the member's content without decompressing it: a zip member's
    /// CRC-32 and sizes, a `.gz`'s trailer.
    pub fn identity(&self) -> &str {
        match self {
            Member::Gz { identity, .. } | Member::Zip { identity, .. } => identity,
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
        let found = list_gz(&path, 0, false, false)
            .unwrap()
            .expect("a log name");
        assert_eq!(read_all(&found.member).unwrap(), W3C);
        // Cut in the middle: an error, not a short read.
        std::fs::write(&path, &packed[..packed.len() / 2]).unwrap();
        assert!(read_all(&found.member).is_err());
        std::fs::write(&path, b"not gzip at all").unwrap();
        assert!(list_gz(&path, 0, false, false).is_err());
    }

    /// Spans that start inside an earlier one are shared; touching ones are not.
    #[test]
    fn shared_spans_count_starts_inside_earlier_data() {
        assert_eq!(shared_spans(vec![]), 0);
        assert_eq!(shared_spans(vec![(0, 10), (10, 20), (20, 30)]), 0);
        // Five entries at one local header: four share it.
        assert_eq!(shared_spans(vec![(0, 100); 5]), 4);
        // A header and data quoted inside an earlier member's data (overlapping, not equal).
        assert_eq!(shared_spans(vec![(50, 90), (0, 100), (100, 120)]), 1);
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_of(Path::new("a/u_ex261101.log.GZ")), Some(Kind::Gz));
        assert_eq!(kind_of(Path::new("LogFiles.zip")), Some(Kind::Zip));
        assert_eq!(kind_of(Path::new("u_ex261101.log")), None);
    }
}
