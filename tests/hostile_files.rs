//! Hostile files, as a cleanup script or a crafted archive makes them: a log that another
//! program shrinks while iislog reads it, zip archives with thousands of members (time
//! must grow linearly), and a zip whose members all share one compressed stream.

use std::path::Path;

use crate::util::{parse_csv, tempdir};

const H: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-11-23 00:00:00\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n";

/// A 15-column IIS 10 line with this status, CRLF-terminated.
fn ok(status: &str) -> String {
    format!("2026-11-23 00:00:01 10.0.0.1 GET / - 443 - 10.0.0.9 Mozilla/5.0 - {status} 0 0 15\r\n")
}

/// (key, count) of each CSV row, e.g. ("http 200.0.0", 1).
fn counts(csv: &str) -> Vec<(String, u64)> {
    parse_csv(csv)
        .into_iter()
        .map(|r| (r.key(), r.count))
        .collect()
}

/// A log that another program shrinks while iislog has it mapped. The test is real, not
/// simulated: iislog runs on a log with a large sparse tail, the test waits until
/// `/proc/PID/maps` shows the log mapped (iislog is then reading it, which takes a good
/// part of a second), and copies a smaller log over it, as `cp small.log big.log` does
/// (truncate, then write). Before the guard this ended iislog with SIGBUS (exit 135,
/// nothing on stderr, an empty CSV). If iislog finished before the copy (it never has),
/// the attempt is made again.
#[cfg(target_os = "linux")]
mod shrinking {
    use super::*;
    use std::ffi::OsStr;
    use std::path::PathBuf;
    use std::process::{Command, Output, Stdio};
    use std::time::{Duration, Instant};

    /// A folder with a small log (one 200) and a large one: 1000 404s, then a hole of
    /// 1 GiB (what a crash that preallocated the file leaves).
    fn logs(dir: &Path) -> (PathBuf, PathBuf) {
        let w = dir.join("W3SVC1");
        std::fs::create_dir_all(&w).unwrap();
        let small = w.join("u_ex261122.log");
        std::fs::write(&small, format!("{H}{}", ok("200"))).unwrap();
        let big = w.join("u_ex261123.log");
        let mut text = H.to_string();
        for _ in 0..1000 {
            text.push_str(&ok("404"));
        }
        std::fs::write(&big, &text).unwrap();
        let f = std::fs::OpenOptions::new().write(true).open(&big).unwrap();
        f.set_len(text.len() as u64 + (1 << 30)).unwrap();
        (small, big)
    }

    fn is_mapped(pid: u32, path: &Path) -> bool {
        let want = path.to_string_lossy().into_owned();
        std::fs::read_to_string(format!("/proc/{pid}/maps"))
            .is_ok_and(|maps| maps.lines().any(|l| l.ends_with(want.as_str())))
    }

    /// Runs iislog with `args`; as soon as it maps `big`, writes `replacement` over it.
    /// `None` when iislog ended before it mapped the log or before the copy landed.
    fn run_and_shrink(args: &[&OsStr], big: &Path, replacement: &str) -> Option<Output> {
        let canonical = std::fs::canonicalize(big).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_iislog"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let mut shrunk = false;
        while started.elapsed() < Duration::from_secs(120) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if is_mapped(child.id(), &canonical) {
                // `cp small.log big.log`: truncate, then write.
                std::fs::write(big, replacement).unwrap();
                shrunk = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let out = child.wait_with_output().unwrap();
        (shrunk && out.status.code() != Some(0)).then_some(out)
    }

    /// One try on fresh logs in `logs_dir` (made again each time): runs
    /// `iislog <sub> <logs_dir> <rest>` and cuts the big log to one 503 as soon as it is
    /// mapped. The big log's path, and the run as `run_and_shrink` gives it.
    fn shrink_try(sub: &str, logs_dir: &Path, rest: &[&OsStr]) -> (PathBuf, Option<Output>) {
        let _ = std::fs::remove_dir_all(logs_dir);
        let (_, big) = logs(logs_dir);
        let mut args = vec![OsStr::new(sub), logs_dir.as_os_str()];
        args.extend(rest);
        let out = run_and_shrink(&args, &big, &format!("{H}{}", ok("503")));
        (big, out)
    }

    /// Retries `attempt` a few times when iislog outran the copy.
    fn with_retries(mut attempt: impl FnMut() -> Option<Output>) -> Output {
        for _ in 0..5 {
            if let Some(out) = attempt() {
                return out;
            }
        }
        panic!("iislog finished before the log could be shrunk, 5 times");
    }

    fn stderr_of(out: &Output) -> String {
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    #[test]
    fn summary_reports_a_log_shrunk_while_read_and_counts_the_rest() {
        let dir = tempdir();
        let csv = dir.path().join("s.csv");
        let logs_dir = dir.path().join("logs");
        let mut big = PathBuf::new();
        let out = with_retries(|| {
            let (b, out) = shrink_try("summary", &logs_dir, &["-o".as_ref(), csv.as_os_str()]);
            big = b;
            out
        });
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        // The log is named, with what happened to it.
        let named = stderr
            .lines()
            .find(|l| l.contains(&*big.to_string_lossy()))
            .unwrap_or_else(|| panic!("the shrunk log is not named: {stderr}"));
        assert!(named.contains("shrank"), "{named}");
        // The rest is counted and written: the small log's one 200, nothing of the big one.
        let written = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(counts(&written), [("http 200.0.0".to_string(), 1)]);
    }

    /// `report --db`: the shrunk log is named and left out, the history takes the rest;
    /// the next run reads the log as it is now, and every line is counted once.
    #[test]
    fn report_db_reports_a_log_shrunk_while_read_and_the_history_stays_exact() {
        let dir = tempdir();
        let db = dir.path().join("history.db");
        let reports = dir.path().join("reports");
        let logs_dir = dir.path().join("logs");
        let mut big = PathBuf::new();
        let out = with_retries(|| {
            let _ = std::fs::remove_dir_all(&reports);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            let rest = [
                "--db".as_ref(),
                db.as_os_str(),
                "--out".as_ref(),
                reports.as_os_str(),
            ];
            let (b, out) = shrink_try("report", &logs_dir, &rest);
            big = b;
            out
        });
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(&*big.to_string_lossy()) && l.contains("shrank")),
            "{stderr}"
        );
        let day = reports.join("2026-11-23").join("summary.csv");
        let first = std::fs::read_to_string(&day).unwrap();
        assert_eq!(counts(&first), [("http 200.0.0".to_string(), 1)]);
        // The next run: the log as it is now (one 503), the small log not again.
        let again = crate::util::report_db(&logs_dir, &db, &reports, &[]);
        again.expect_code(0);
        let second = std::fs::read_to_string(&day).unwrap();
        let mut got = counts(&second);
        got.sort();
        assert_eq!(
            got,
            [
                ("http 200.0.0".to_string(), 1),
                ("http 503.0.0".to_string(), 1)
            ]
        );
    }
}

/// Zip archives with many logs, and crafted ones.
mod zips {
    use super::*;
    use std::io::Write;
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use iislog::progress::Progress;
    use iislog::SummaryOptions;

    use crate::util::{iislog, report_db};

    /// The one line every member holds.
    fn member_text() -> String {
        format!("{H}{}", ok("200"))
    }

    /// A zip of `n` one-request logs `W3SVC1/u_ex261123_NNNNN.log`, stored uncompressed,
    /// so each member's bytes stand in the archive as written.
    fn zip_of(path: &Path, n: usize) {
        let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for i in 0..n {
            w.start_file(format!("W3SVC1/u_ex261123_{i:05}.log"), opts)
                .unwrap();
            w.write_all(member_text().as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }

    /// The time `summary` takes over a zip of `n` logs, checking it counts one request
    /// per member.
    fn summary_time(path: &Path, n: usize) -> Duration {
        let started = Instant::now();
        let opts = SummaryOptions::new(vec![path.to_path_buf()]);
        let out = iislog::summarize(&opts, &Progress::hidden()).unwrap();
        let took = started.elapsed();
        assert_eq!(out.summary.totals.requests, n as u64);
        assert_eq!(out.summary.files.len(), n);
        took
    }

    /// 4x the members take about 4x the time, not 16x: the archive's directory is read
    /// once, not once per member (before: 1,000 members 4 s, 4,000 members 57 s, a
    /// ratio of 14). The bound on the ratio is generous for a shared machine, and the two
    /// sizes are timed in turns (best of up to 5 each), so a busy moment hits both.
    #[test]
    fn a_zip_of_many_logs_is_read_in_linear_time() {
        let dir = tempdir();
        let (small, large) = (dir.path().join("n.zip"), dir.path().join("4n.zip"));
        zip_of(&small, 1000);
        zip_of(&large, 4000);
        // Linear: about 4. Quadratic: 9 to 16.
        let bound = 8.0;
        let (mut t1, mut t4) = (Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            t1 = t1.min(summary_time(&small, 1000));
            t4 = t4.min(summary_time(&large, 4000));
            if t4.as_secs_f64() < bound * t1.as_secs_f64() {
                break;
            }
        }
        let ratio = t4.as_secs_f64() / t1.as_secs_f64();
        assert!(
            ratio < bound,
            "1000 members {t1:?}, 4000 members {t4:?}: ratio {ratio:.1}"
        );
    }

    /// Replaces every member's status 200 by 500 in the archive's bytes: the central
    /// directory still gives each member its old CRC-32, so a reader that decompressed a
    /// member would fail its check (or count 500s).
    fn spoil_members(path: &Path) {
        let mut bytes = std::fs::read(path).unwrap();
        let from = ok("200").into_bytes();
        let to = ok("500").into_bytes();
        let mut n = 0;
        let mut i = 0;
        while let Some(at) = bytes[i..].windows(from.len()).position(|w| w == from) {
            let at = i + at;
            bytes[at..at + to.len()].copy_from_slice(&to);
            i = at + to.len();
            n += 1;
        }
        assert!(n > 0);
        std::fs::write(path, bytes).unwrap();
    }

    fn day_counts(out: &Path) -> Vec<(String, u64)> {
        let csv = std::fs::read_to_string(out.join("2026-11-23").join("summary.csv")).unwrap();
        counts(&csv)
    }

    /// Where a zip of logs and its history are.
    struct KnownZip {
        logs: PathBuf,
        zip: PathBuf,
        db: PathBuf,
        out: PathBuf,
    }

    /// A zip of `n` one-request logs (`zip_of`) in a folder of its own, read once by
    /// `report --db`; the temporary folder holds it all and goes when dropped.
    fn known_zip(n: usize) -> (tempfile::TempDir, KnownZip) {
        let dir = tempdir();
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        let zip = logs.join("LogFiles.zip");
        zip_of(&zip, n);
        let db = dir.path().join("history.db");
        let out = dir.path().join("reports");
        report_db(&logs, &db, &out, &[]).expect_code(0);
        (dir, KnownZip { logs, zip, db, out })
    }

    /// With a history, a later run over an unchanged zip decompresses nothing: its
    /// members are known by the CRC-32 and sizes in the zip's directory. Shown by
    /// spoiling every member's data after the first run: the second run does not notice.
    #[test]
    fn report_db_reads_nothing_of_a_known_zip() {
        let (_dir, KnownZip { logs, zip, db, out }) = known_zip(300);
        assert_eq!(day_counts(&out), [("http 200.0.0".to_string(), 300)]);
        spoil_members(&zip);
        // The spoiled archive would be refused (a CRC error per member) if it were read:
        let stateless = iislog([
            "summary".as_ref(),
            zip.as_os_str(),
            "--format".as_ref(),
            "csv".as_ref(),
        ]);
        assert_eq!(stateless.code, 1, "{stateless:?}");
        let again = report_db(&logs, &db, &out, &[]);
        again.expect_code(0);
        again.expect_stderr("0.0 MB read");
        assert_eq!(day_counts(&out), [("http 200.0.0".to_string(), 300)]);
    }

    /// A history whose members were recorded by the hash of their first 4 KB (before
    /// identities came from the zip's directory) checks them that way once, reads none
    /// of them again, and records their identities for the next run.
    #[test]
    fn report_db_takes_over_members_recorded_by_their_first_bytes() {
        let (_dir, KnownZip { logs, db, out, .. }) = known_zip(20);
        let old_hash = format!("{:016x}", iislog::history::fnv1a(member_text().as_bytes()));
        let conn = rusqlite::Connection::open(&db).unwrap();
        let n = conn
            .execute(
                "UPDATE files SET head_hash = ?1, head_len = ?2 WHERE member IS NOT NULL",
                rusqlite::params![old_hash, member_text().len() as i64],
            )
            .unwrap();
        assert_eq!(n, 20);
        drop(conn);
        report_db(&logs, &db, &out, &[]).expect_code(0);
        assert_eq!(day_counts(&out), [("http 200.0.0".to_string(), 20)]);
        let conn = rusqlite::Connection::open(&db).unwrap();
        let (rereads, taken_over): (i64, i64) = conn
            .query_row(
                "SELECT sum(rereads), sum(head_hash LIKE 'zip:crc32=%') FROM files WHERE member IS NOT NULL",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((rereads, taken_over), (0, 20));
    }

    /// A crafted zip whose directory lists five logs that all point at one member's
    /// data: each is counted as listed, and a note names the archive.
    #[test]
    fn a_zip_whose_logs_share_their_data_is_named_in_a_note() {
        let dir = tempdir();
        let path = dir.path().join("bomb.zip");
        let data = member_text().into_bytes();
        let crc = {
            let mut c = flate2::Crc::new();
            c.update(&data);
            c.sum()
        };
        let names: Vec<String> = (0..5).map(|i| format!("W3SVC1/u_ex26112{i}.log")).collect();
        // One local header and its data, then five central entries that all point at it.
        let mut z = Vec::new();
        let local = |name: &str, z: &mut Vec<u8>| {
            z.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            z.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]); // v20, flags, stored, time, date
            z.extend_from_slice(&crc.to_le_bytes());
            z.extend_from_slice(&(data.len() as u32).to_le_bytes());
            z.extend_from_slice(&(data.len() as u32).to_le_bytes());
            z.extend_from_slice(&(name.len() as u16).to_le_bytes());
            z.extend_from_slice(&0u16.to_le_bytes());
            z.extend_from_slice(name.as_bytes());
        };
        local(&names[0], &mut z);
        z.extend_from_slice(&data);
        let cd_start = z.len() as u32;
        for name in &names {
            z.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            z.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0x21]);
            z.extend_from_slice(&crc.to_le_bytes());
            z.extend_from_slice(&(data.len() as u32).to_le_bytes());
            z.extend_from_slice(&(data.len() as u32).to_le_bytes());
            z.extend_from_slice(&(name.len() as u16).to_le_bytes());
            z.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
            z.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            z.extend_from_slice(&0u32.to_le_bytes()); // the local header, at 0 for all
            z.extend_from_slice(name.as_bytes());
        }
        let cd_len = z.len() as u32 - cd_start;
        z.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        z.extend_from_slice(&[0, 0, 0, 0, 5, 0, 5, 0]);
        z.extend_from_slice(&cd_len.to_le_bytes());
        z.extend_from_slice(&cd_start.to_le_bytes());
        z.extend_from_slice(&[0, 0]);
        std::fs::write(&path, &z).unwrap();

        let run = iislog([
            "summary".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "csv".as_ref(),
            "-q".as_ref(),
        ]);
        run.expect_code(0);
        assert_eq!(counts(&run.stdout), [("http 200.0.0".to_string(), 5)]);
        let note = run
            .stderr
            .lines()
            .find(|l| l.starts_with("iislog: note:"))
            .unwrap_or_else(|| panic!("no note: {}", run.stderr));
        assert!(note.contains(&*path.to_string_lossy()), "{note}");
        assert!(note.contains("4 of its 5 logs"), "{note}");
    }
}
