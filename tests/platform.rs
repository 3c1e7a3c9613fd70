//! Windows habits on every platform the tests run on (Linux, and Windows under Wine):
//! IIS names in any case, non-ASCII and very long folder names, backslashes and verbatim
//! paths, and the default log folders read when no PATH is given.

use std::path::Path;
use std::process::{Command, Output};

/// A small IIS 10 log: 3 requests (two 200.0.0, one 404.0.2) and 4 directives.
const LOG: &str = "#Software: Microsoft Internet Information Services 10.0\r\n\
#Version: 1.0\r\n\
#Date: 2026-11-23 00:00:00\r\n\
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n\
2026-11-23 00:00:01 10.0.0.1 GET / - 443 - 10.0.0.9 Mozilla/5.0 - 200 0 0 15\r\n\
2026-11-23 00:00:02 10.0.0.1 GET /a - 443 - 10.0.0.9 Mozilla/5.0 - 200 0 0 15\r\n\
2026-11-23 00:00:03 10.0.0.1 GET /b - 443 - 10.0.0.9 Mozilla/5.0 - 404 0 2 15\r\n";

fn iislog(args: &[&std::ffi::OsStr], envs: &[(&str, &std::ffi::OsStr)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iislog"));
    cmd.arg("summary").args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("the iislog binary runs")
}

fn write_log(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, LOG).unwrap();
}

/// (service, status, substatus, win32, count) rows of a CSV summary.
fn rows(out: &Output) -> Vec<(String, String, String, String, u64)> {
    let text = String::from_utf8(out.stdout.clone()).expect("CSV is UTF-8");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                r[1].to_string(),
                r[2].to_string(),
                r[3].to_string(),
                r[4].parse().unwrap(),
            )
        })
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn expect_log_counted_times(out: &Output, times: u64) {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(out));
    let rows = rows(out);
    let get = |s: &str, w: &str| {
        rows.iter()
            .find(|r| r.1 == s && r.3 == w)
            .map_or(0, |r| r.4)
    };
    assert_eq!(get("200", "0"), 2 * times, "{rows:?}");
    assert_eq!(get("404", "2"), times, "{rows:?}");
}

#[test]
fn iis_names_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    write_log(&dir.path().join("w3svc7").join("U_EX261123.LOG"));
    write_log(&dir.path().join("MsFtpSvc2").join("Ex261123.Log"));
    let out = iislog(
        &[dir.path().as_os_str(), "--format".as_ref(), "csv".as_ref()],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let rows = rows(&out);
    // The folder decides the service, whatever its case.
    assert!(
        rows.iter()
            .any(|r| r.0 == "http" && r.1 == "200" && r.4 == 2),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "ftp" && r.1 == "200" && r.4 == 2),
        "{rows:?}"
    );
}

#[test]
fn japanese_and_norwegian_folder_names_are_read_and_named_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let ja = dir
        .path()
        .join("ログ")
        .join("W3SVC1")
        .join("u_ex261123.log");
    let nb = dir
        .path()
        .join("Logger")
        .join("Nettsted på Østlandet")
        .join("u_ex261124.log");
    write_log(&ja);
    write_log(&nb);
    let out = iislog(
        &[
            dir.path().as_os_str(),
            "--format".as_ref(),
            "csv".as_ref(),
            "--verbose".as_ref(),
        ],
        &[],
    );
    expect_log_counted_times(&out, 2);
    let err = stderr(&out);
    assert!(err.contains(&ja.display().to_string()), "{err}");
    assert!(err.contains(&nb.display().to_string()), "{err}");
}

#[test]
fn paths_longer_than_260_characters() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().to_path_buf();
    while deep.as_os_str().len() < 300 {
        deep.push("a-rather-long-folder-name-of-a-web-farm-share");
    }
    let file = deep.join("W3SVC1").join("u_ex261123.log");
    // Creating it needs long-path support from the OS; where the OS refuses (an old
    // Windows without the LongPathsEnabled policy), there is nothing to test.
    if std::fs::create_dir_all(file.parent().unwrap()).is_err() {
        eprintln!(
            "skipped: this system cannot create a path of {} characters",
            file.as_os_str().len()
        );
        return;
    }
    std::fs::write(&file, LOG).unwrap();
    assert!(file.as_os_str().len() > 260);
    let out = iislog(
        &[file.as_os_str(), "--format".as_ref(), "csv".as_ref()],
        &[],
    );
    expect_log_counted_times(&out, 1);
    let out = iislog(
        &[dir.path().as_os_str(), "--format".as_ref(), "csv".as_ref()],
        &[],
    );
    expect_log_counted_times(&out, 1);
}

/// Windows only: the Windows path forms an administrator types.
#[cfg(windows)]
#[test]
fn backslashes_and_verbatim_paths() {
    let dir = tempfile::tempdir().unwrap();
    write_log(&dir.path().join("W3SVC1").join("u_ex261123.log"));
    let root = dir.path().to_string_lossy().replace('/', "\\");
    let backslashed = format!("{root}\\W3SVC1\\u_ex261123.log");
    let out = iislog(
        &[backslashed.as_ref(), "--format".as_ref(), "csv".as_ref()],
        &[],
    );
    expect_log_counted_times(&out, 1);
    // `\\?\C:\...` is how long and UNC paths are written for Win32.
    let verbatim = format!("\\\\?\\{root}");
    let out = iislog(
        &[verbatim.as_ref(), "--format".as_ref(), "csv".as_ref()],
        &[],
    );
    expect_log_counted_times(&out, 1);
}

/// Windows only: with no PATH, `%SystemDrive%\inetpub\logs\LogFiles` and
/// `%WINDIR%\System32\LogFiles` are read, each said on stderr. Elsewhere no PATH is a
/// usage error (tested in errors.rs).
#[cfg(windows)]
#[test]
fn default_folders_when_no_path_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let drive = dir.path().join("drive");
    let windir = dir.path().join("Windows");
    write_log(&drive.join("inetpub/logs/LogFiles/W3SVC1/u_ex261123.log"));
    write_log(&windir.join("System32/LogFiles/W3SVC1/ex261123.log"));
    // Wine sets SystemDrive (and may set WINDIR) in every process it starts, whatever
    // the parent passed; Windows passes both on. Ask cmd.exe what a child sees, and
    // expect a folder only when its variable reaches the child.
    let reaches_child = |var: &str, value: &Path| {
        Command::new("cmd")
            .args(["/C", "echo", &format!("%{var}%")])
            .env(var, value)
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == value.to_string_lossy())
    };
    let drive_passes = reaches_child("SystemDrive", &drive);
    let windir_passes = reaches_child("WINDIR", &windir);
    if !(drive_passes && windir_passes) {
        eprintln!("note: this system overrides SystemDrive or WINDIR in child processes (Wine)");
    }
    let out = iislog(
        &["--format".as_ref(), "csv".as_ref()],
        &[
            ("SystemDrive", drive.as_os_str()),
            ("WINDIR", windir.as_os_str()),
        ],
    );
    let err = stderr(&out);
    let expected = u64::from(drive_passes) + u64::from(windir_passes);
    if expected == 0 {
        eprintln!("skipped: neither variable reaches a child process here");
        return;
    }
    expect_log_counted_times(&out, expected);
    if drive_passes {
        let folder = drive.join("inetpub").join("logs").join("LogFiles");
        assert!(err.contains(&folder.display().to_string()), "{err}");
    }
    if windir_passes {
        let folder = windir.join("System32").join("LogFiles");
        assert!(err.contains(&folder.display().to_string()), "{err}");
    }
    // Neither folder: a usage error that names both.
    let empty = dir.path().join("empty");
    let out = iislog(
        &[],
        &[
            ("SystemDrive", empty.as_os_str()),
            ("WINDIR", empty.as_os_str()),
        ],
    );
    if drive_passes && windir_passes {
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("inetpub"), "{}", stderr(&out));
    }
}
