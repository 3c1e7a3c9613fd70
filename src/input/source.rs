//! Bytes of a log file: memory-mapped when possible, read into memory otherwise. Files are
//! opened so that they never block IIS, which keeps today's log open for writing, and only
//! the length seen at open is mapped: lines IIS appends later are left for the next run.
//! A file another program shrinks while it is mapped cannot end the process (see
//! `guard`): its bytes fail [`Bytes::verify`], and the reader reports the file instead of
//! counting it.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Deref;
use std::path::Path;

use crate::input::guard::Guard;

/// The bytes of one file.
pub enum Bytes {
    Mapped(Mapped),
    Owned(Vec<u8>),
}

/// A guarded map of a file, from `start` to the end seen at open.
pub struct Mapped {
    // Fields drop in order: the guard forgets the range before the map is unmapped.
    guard: Guard,
    map: memmap2::Mmap,
    file: File,
    /// The file's length when it was mapped.
    size: u64,
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => &m.map,
            Bytes::Owned(v) => v,
        }
    }
}

/// What a reader is told when a file shrank under it.
pub const SHRANK: &str = "the file shrank while it was read (another program truncated or \
overwrote it): its lines are left out of this run; run again to count what it holds now";

impl Bytes {
    /// Whether the bytes are still the file's, checked after they were scanned: an error
    /// when the file shrank under the map (a read past its new end faulted and read
    /// zeros, or it is now shorter than what was mapped), so the result is not counted.
    /// Bytes read into memory are a copy and always pass.
    pub fn verify(&self) -> io::Result<()> {
        match self {
            Bytes::Owned(_) => Ok(()),
            Bytes::Mapped(m) => {
                if m.guard.tripped() || m.file.metadata()?.len() < m.size {
                    Err(io::Error::other(SHRANK))
                } else {
                    Ok(())
                }
            }
        }
    }
}

/// Opens a file for reading with every kind of sharing allowed, so IIS (w3wp, HTTP.sys)
/// can go on writing, renaming or deleting it while we read.
pub fn open_shared(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        const FILE_SHARE_READ: u32 = 0x1;
        const FILE_SHARE_WRITE: u32 = 0x2;
        const FILE_SHARE_DELETE: u32 = 0x4;
        options.share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
    }
    options.open(path)
}

/// Small files are cheaper to read than to map.
const MAP_THRESHOLD: u64 = 64 * 1024;

/// Reads or maps `path`, up to the length it has now.
pub fn load(path: &Path) -> io::Result<Bytes> {
    load_from(path, 0).map(|(bytes, _)| bytes)
}

/// Reads or maps `path` from byte `start` (an incremental run's offset) up to the length
/// it has now, which is returned too. Nothing before `start` is read or mapped.
pub fn load_from(path: &Path, start: u64) -> io::Result<(Bytes, u64)> {
    let mut file = open_shared(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::other("is a folder, not a file"));
    }
    let size = meta.len();
    let len = size.saturating_sub(start);
    if len >= MAP_THRESHOLD {
        if let Ok(len) = usize::try_from(len) {
            // SAFETY: the map is only read. Another process may append to the file while it
            // is mapped (IIS does, to today's log); appended bytes lie beyond the mapped
            // length and are never seen. A file truncated while mapped would fault on the
            // lost pages: the guard registered below catches that fault (Unix; Windows
            // refuses to truncate a mapped file), and without a guard the file is read
            // instead. memmap2 aligns `start` down to the page (Windows: allocation
            // granularity) itself and hands back the bytes from `start`.
            let map = unsafe {
                memmap2::MmapOptions::new()
                    .offset(start)
                    .len(len)
                    .populate()
                    .map(&file)
            };
            if let Ok(map) = map {
                if let Some(guard) = Guard::new(map.as_ptr(), map.len()) {
                    #[cfg(unix)]
                    let _ = map.advise(memmap2::Advice::Sequential);
                    return Ok((
                        Bytes::Mapped(Mapped {
                            guard,
                            map,
                            file,
                            size,
                        }),
                        size,
                    ));
                }
            }
        }
    }
    // Unmappable (small, a pipe, a failed map, no guard free): read what is there now, at most `len`
    // bytes so a file that grows while read is cut at the length seen at open.
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.seek(SeekFrom::Start(start))?;
    file.take(len).read_to_end(&mut buf)?;
    if (buf.len() as u64) < len {
        // Shorter than it was at open: shrunk under the read, a mix of old and new bytes.
        return Err(io::Error::other(SHRANK));
    }
    Ok((Bytes::Owned(buf), size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn maps_only_the_length_seen_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u_ex261123.log");
        let mut f = File::create(&path).unwrap();
        let first = vec![b'a'; 100_000];
        f.write_all(&first).unwrap();
        f.flush().unwrap();
        let bytes = load(&path).unwrap();
        assert!(matches!(bytes, Bytes::Mapped(_)));
        // IIS appends while we hold the map.
        f.write_all(b"more\n").unwrap();
        f.flush().unwrap();
        assert_eq!(bytes.len(), 100_000);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 100_005);
    }

    /// From any offset, mapped or read, the bytes are the file's from there on.
    #[test]
    fn loads_from_any_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u_ex261123.log");
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        for start in [0, 1, 4095, 4096, 65_537, 200_000, 299_999, 300_000, 400_000] {
            let (bytes, size) = load_from(&path, start).unwrap();
            assert_eq!(size, 300_000);
            let want = data.get(start as usize..).unwrap_or(&[]);
            assert_eq!(&*bytes, want, "start {start}");
            let mapped = matches!(bytes, Bytes::Mapped(_));
            assert_eq!(mapped, want.len() as u64 >= MAP_THRESHOLD, "start {start}");
        }
    }

    /// A file truncated while it is mapped (a cleanup script, `truncate -s`): reading the
    /// lost pages does not end the process, they read as zeros, and `verify` tells.
    #[cfg(unix)]
    #[test]
    fn a_file_truncated_while_mapped_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u_ex261123.log");
        std::fs::write(&path, vec![b'a'; 1 << 20]).unwrap();
        let bytes = load(&path).unwrap();
        assert!(matches!(bytes, Bytes::Mapped(_)));
        assert!(bytes.verify().is_ok());
        OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(6000)
            .unwrap();
        // Every page is read: the first 6000 bytes are still the file's, the rest zeros.
        let a = bytes.iter().filter(|&&b| b == b'a').count();
        let zero = bytes.iter().filter(|&&b| b == 0).count();
        assert_eq!((a, zero), (6000, (1 << 20) - 6000));
        let err = bytes.verify().unwrap_err();
        assert!(err.to_string().contains("shrank"), "{err}");
    }

    /// A smaller file copied over a mapped one (`cp small.log big.log` truncates, then
    /// writes): the new bytes show through, the rest reads as zeros, and `verify` tells.
    #[cfg(unix)]
    #[test]
    fn a_smaller_file_copied_over_a_mapped_one_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u_ex261123.log");
        std::fs::write(&path, vec![b'a'; 1 << 20]).unwrap();
        let bytes = load(&path).unwrap();
        std::fs::write(&path, vec![b'b'; 3000]).unwrap();
        let a = bytes.iter().filter(|&&b| b == b'a').count();
        let b = bytes.iter().filter(|&&b| b == b'b').count();
        assert_eq!((a, b), (0, 3000));
        assert!(bytes.verify().is_err());
    }

    /// Windows keeps a mapped file from shrinking: truncating it fails with
    /// ERROR_USER_MAPPED_FILE (1224), as the documentation of SetEndOfFile says, and the
    /// map stays whole.
    #[cfg(windows)]
    #[test]
    fn windows_refuses_to_truncate_a_mapped_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u_ex261123.log");
        std::fs::write(&path, vec![b'a'; 1 << 20]).unwrap();
        let bytes = load(&path).unwrap();
        assert!(matches!(bytes, Bytes::Mapped(_)));
        let err = OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(6000)
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(1224), "{err}");
        assert!(bytes.iter().all(|&b| b == b'a'));
        assert!(bytes.verify().is_ok());
    }

    /// A file that shrinks after a read but does not fault (shorter than mapped, though no
    /// lost page was touched) fails `verify` too; one that only grew passes. (Windows
    /// refuses the truncation: the test below.)
    #[cfg(unix)]
    #[test]
    fn verify_compares_the_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u_ex261123.log");
        std::fs::write(&path, vec![b'a'; 200_000]).unwrap();
        let bytes = load(&path).unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"more\n").unwrap();
        assert!(bytes.verify().is_ok());
        f.set_len(100_000).unwrap();
        assert!(bytes.verify().is_err());
    }

    /// Guards are given back when the bytes are dropped: many files in a row are all mapped.
    #[test]
    fn guards_are_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u_ex261123.log");
        std::fs::write(&path, vec![b'a'; 100_000]).unwrap();
        for _ in 0..1000 {
            let bytes = load(&path).unwrap();
            assert!(matches!(bytes, Bytes::Mapped(_)));
        }
    }

    #[test]
    fn small_and_empty_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        std::fs::write(&path, b"").unwrap();
        assert_eq!(load(&path).unwrap().len(), 0);
        std::fs::write(&path, b"#Fields: a\n").unwrap();
        assert_eq!(&*load(&path).unwrap(), b"#Fields: a\n");
    }

    #[test]
    fn a_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).is_err());
    }
}
