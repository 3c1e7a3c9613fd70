//! Logs inside `.gz` and `.zip` archives: found by their names (or first bytes) inside the
//! archive, named `archive.zip!W3SVC1/u_ex261101.log`, and read as a stream (they cannot
//! be mapped): decompressed in blocks into one reused buffer and fed to the same line
//! scanners, with a partial last line carried to the next block.

use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::chunk::ChunkSink;
use crate::discover::{is_log_name, service_of_content, service_of_folder, starts_with_directive};
use crate::formats::httperr::HttpErrTally;
use crate::formats::{self, LineFormat};
use crate::parse::{self, Header, ScanOptions};
use crate::service::Service;
use crate::source::open_shared;
use crate::tally::Tally;

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

fn classify(name: &str, head: &[u8], named: bool) -> Option<(Service, LineFormat)> {
    let format = formats::format_of_name(name).or_else(|| formats::sniff(head));
    if !(named || is_log_name(name) || format.is_some() || starts_with_directive(head)) {
        return None;
    }
    let format = format.unwrap_or_default();
    let service = match format {
        LineFormat::W3c => service_of_content(head),
        LineFormat::Native => head
            .split(|&b| b == b'\n')
            .find_map(formats::native::service_of)
            .unwrap_or(Service::Http),
        LineFormat::Ncsa => Service::Http,
    };
    Some((service, format))
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
    Ok(
        classify(&inner, &h, named).map(|(content_service, format)| Found {
            path: path.to_path_buf(),
            member: Member::Gz(path.to_path_buf()),
            folder: None,
            content_service,
            format,
            len,
        }),
    )
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
        if let Some((content_service, format)) = classify(&name, &h, false) {
            found.push(Found {
                path: PathBuf::from(format!("{}!{shown}", path.display())),
                member: Member::Zip {
                    archive: path.to_path_buf(),
                    entry,
                },
                folder,
                content_service,
                format,
                len,
            });
        }
    }
    Ok(found)
}

/// Decompressed bytes asked of the decoder at a time; the buffer is reused.
const BLOCK: usize = 1 << 20;
/// A longer line is no log line: the buffer stops growing there.
const MAX_LINE: usize = 64 << 20;

/// Reads one archived log into the tally (and, for HTTPERR, the reasons).
pub fn tally_member(
    member: &Member,
    format: LineFormat,
    service: Service,
    header: &Header,
) -> Result<HttpErrTally, ArchiveError> {
    match member {
        Member::Gz(path) => {
            let gz = flate2::read::MultiGzDecoder::new(BufReader::new(open_shared(path)?));
            tally_reader(gz, format, service, header)
        }
        Member::Zip { archive, entry } => {
            let mut zip = zip::ZipArchive::new(BufReader::new(open_shared(archive)?))?;
            let file = zip.by_name(entry)?;
            tally_reader(file, format, service, header)
        }
    }
}

/// Reads one archived log into any sink (the report's collector): the member is opened
/// and scanned as a stream, as [`tally_member`] does for a tally.
pub fn scan_member<S: ChunkSink>(
    member: &Member,
    format: LineFormat,
    header: &Header,
    proto: &S,
) -> Result<S, ArchiveError> {
    match member {
        Member::Gz(path) => {
            let gz = flate2::read::MultiGzDecoder::new(BufReader::new(open_shared(path)?));
            scan_stream(gz, format, header, proto)
        }
        Member::Zip { archive, entry } => {
            let mut zip = zip::ZipArchive::new(BufReader::new(open_shared(archive)?))?;
            let file = zip.by_name(entry)?;
            scan_stream(file, format, header, proto)
        }
    }
}

/// The first 4 KiB of an archived log, decompressed: its identity in a history.
pub fn member_head(member: &Member) -> Result<Vec<u8>, ArchiveError> {
    match member {
        Member::Gz(path) => {
            let gz = flate2::read::MultiGzDecoder::new(BufReader::new(open_shared(path)?));
            Ok(head(gz)?)
        }
        Member::Zip { archive, entry } => {
            let mut zip = zip::ZipArchive::new(BufReader::new(open_shared(archive)?))?;
            let file = zip.by_name(entry)?;
            Ok(head(file)?)
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

fn tally_reader(
    reader: impl Read,
    format: LineFormat,
    service: Service,
    header: &Header,
) -> Result<HttpErrTally, ArchiveError> {
    if service == Service::HttpErr {
        scan_stream(reader, format, header, &HttpErrTally::default())
    } else {
        let tally = scan_stream(reader, format, header, &Tally::default())?;
        Ok(HttpErrTally {
            tally,
            reasons: Default::default(),
        })
    }
}

/// Scans a stream of log bytes block by block, carrying the W3C header in force and the
/// partial last line from one block to the next, so the result equals a scan of the
/// whole file at once.
pub fn scan_stream<S: ChunkSink>(
    mut reader: impl Read,
    format: LineFormat,
    initial: &Header,
    proto: &S,
) -> Result<S, ArchiveError> {
    let mut buf = vec![0u8; BLOCK];
    let mut filled = 0;
    let mut total = proto.fresh();
    let mut header = initial.clone();
    let mut bytes = 0u64;
    loop {
        if filled == buf.len() {
            if buf.len() >= MAX_LINE {
                return Err(ArchiveError::LineTooLong);
            }
            buf.resize(buf.len() * 2, 0);
        }
        let n = match reader.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        filled += n;
        bytes += n as u64;
        let eof = n == 0;
        let end = if eof {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(i) => i + 1,
                None => continue,
            }
        };
        if end > 0 {
            let block = &buf[..end];
            // From the total, so that state a block leaves (a report's `#Date`) carries on.
            let mut piece = total.fresh();
            let lines = if format == LineFormat::W3c {
                let opts = ScanOptions {
                    stop_at_fields: false,
                    at_file_end: eof,
                };
                let scanned = parse::scan(block, header, opts, &mut piece);
                header = scanned.header;
                scanned.lines
            } else {
                piece.plain_block(block, format, eof)
            };
            piece.tally_mut().acct.lines = lines;
            let offset = total.tally_mut().acct.lines;
            total.absorb(piece, offset);
        }
        if eof {
            break;
        }
        buf.copy_within(end..filled, 0);
        filled -= end;
    }
    total.tally_mut().acct.bytes = bytes;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::tally_bytes;
    use std::io::Write;

    /// A reader that gives at most `step` bytes per read, so lines cross block ends.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    const W3C: &[u8] = b"x 1\n#Fields: a sc-status\nq 200\nq 404\n#Fields: sc-status sc-substatus b\n500 19 z\nbad\n\n#Fields: sc-status\n301\n#Fields:\n302\nq 200";

    /// Any read size gives the tally of the whole bytes, examples included.
    #[test]
    fn stream_equals_whole_at_every_read_size() {
        let whole = tally_bytes(W3C, &Header::None, usize::MAX, &|_| {});
        for step in 1..=W3C.len() {
            let t = scan_stream(
                Trickle { data: W3C, step },
                LineFormat::W3c,
                &Header::None,
                &Tally::default(),
            )
            .unwrap();
            assert_eq!(t.codes, whole.codes, "step {step}");
            assert_eq!(t.acct, whole.acct, "step {step}");
            assert_eq!(t.examples, whole.examples, "step {step}");
        }
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
        let t = tally_member(&found.member, found.format, Service::Http, &Header::None).unwrap();
        assert_eq!(t.tally.acct.requests, 4);
        // Cut in the middle: an error, not a short count.
        std::fs::write(&path, &packed[..packed.len() / 2]).unwrap();
        assert!(tally_member(&found.member, found.format, Service::Http, &Header::None).is_err());
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
