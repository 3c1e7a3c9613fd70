//! Hostile files, as a cleanup script or a crafted archive makes them: a log that another
//! program shrinks while iislog reads it, zip archives with thousands of members (time
//! must grow linearly), and a zip whose members all share one compressed stream.

use std::path::{Path, PathBuf};

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
    fn run_and_shrink(args: &[&std::ffi::OsStr], big: &Path, replacement: &str) -> Option<Output> {
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
        let mut big = PathBuf::new();
        let out = with_retries(|| {
            let logs_dir = dir.path().join("logs");
            let _ = std::fs::remove_dir_all(&logs_dir);
            let (_, b) = logs(&logs_dir);
            big = b;
            let args = [
                "summary".as_ref(),
                logs_dir.as_os_str(),
                "-o".as_ref(),
                csv.as_os_str(),
            ];
            run_and_shrink(&args, &big, &format!("{H}{}", ok("503")))
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
            let _ = std::fs::remove_dir_all(&logs_dir);
            let _ = std::fs::remove_dir_all(&reports);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            let (_, b) = logs(&logs_dir);
            big = b;
            let args = [
                "report".as_ref(),
                logs_dir.as_os_str(),
                "--db".as_ref(),
                db.as_os_str(),
                "--out".as_ref(),
                reports.as_os_str(),
            ];
            run_and_shrink(&args, &big, &format!("{H}{}", ok("503")))
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
        let again = crate::util::iislog([
            "report".as_ref(),
            logs_dir.as_os_str(),
            "--db".as_ref(),
            db.as_os_str(),
            "--out".as_ref(),
            reports.as_os_str(),
        ]);
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
