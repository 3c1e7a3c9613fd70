//! Errors and exit codes of the real binary: 0 all read, 1 some inputs unreadable (the
//! summary of the rest still written), 2 usage error or nothing to read, 6 the output could
//! not be written; every warning and error names what it is about.

use std::fs;
use std::path::Path;

use crate::util::{counts, expected, fixture, parse_csv, summary_csv, tempdir, totals, Totals};

/// The IIS 6 fixture's rows, counted by hand (fixtures/README.md).
const EX261120: [(&str, u64); 8] = [
    ("http 200.0.0", 4),
    ("http 304.0.0", 1),
    ("http 404.0.2", 1),
    ("http 404.0.3", 1),
    ("http 401.2.2148074254", 1),
    ("http 403.14.5", 1),
    ("http 500.100.0", 1),
    ("http 200.0.64", 1),
];

const EX261120_TOTALS: Totals = Totals {
    files: 1,
    lines: 15,
    requests: 11,
    skipped: 0,
};

/// The last two components of a path as `/`-separated text, as they appear in messages.
fn tail(p: &Path) -> String {
    let parent = p.parent().and_then(Path::file_name).unwrap();
    format!(
        "{}/{}",
        parent.to_string_lossy(),
        p.file_name().unwrap().to_string_lossy()
    )
}

#[test]
fn missing_path_among_good_ones_warns_and_exits_1() {
    let dir = tempdir();
    let missing = dir.path().join("gone").join("u_ex261101.log");
    let run = summary_csv(&[&fixture("W3SVC1"), &missing], &[]);
    run.expect_code(1);
    let warning = run
        .stderr_slashed()
        .lines()
        .find(|l| l.contains("warning"))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no warning:\n{}", run.stderr));
    assert!(warning.contains(&tail(&missing)), "{warning}");
    assert_eq!(counts(&parse_csv(&run.stdout)), expected(&EX261120));
    assert_eq!(totals(&run.stderr), EX261120_TOTALS);
}

#[test]
fn only_a_missing_path_exits_2_and_writes_no_summary() {
    let dir = tempdir();
    let missing = dir.path().join("u_ex261101.log");
    let run = summary_csv(&[&missing], &[]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr_slashed().contains(&tail(&missing)),
        "{}",
        run.stderr
    );
}

#[test]
fn a_folder_with_no_logs_exits_2_with_a_message() {
    let dir = tempdir();
    fs::write(dir.path().join("notes.txt"), "not a log\n").unwrap();
    fs::create_dir(dir.path().join("W3SVC1")).unwrap();
    let run = summary_csv(&[dir.path()], &[]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("nothing to read"), "{}", run.stderr);
}

// Off Windows there is no default IIS folder, so no PATH is a usage error; on Windows no
// PATH reads %SystemDrive%\inetpub\logs\LogFiles and %WINDIR%\System32\LogFiles, whose
// content depends on the machine, so the outcome there cannot be asserted.
#[cfg(not(windows))]
#[test]
fn no_path_is_a_usage_error_that_asks_for_one() {
    let run = crate::util::iislog(["summary", "--format", "csv"]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("PATH") && run.stderr.contains("name a log file or folder"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_warning_and_exit_1() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let site = dir.path().join("W3SVC1");
    fs::create_dir(&site).unwrap();
    fs::copy(fixture("W3SVC1/ex261120.log"), site.join("ex261120.log")).unwrap();
    let locked = site.join("ex261121.log");
    fs::copy(fixture("W3SVC1/ex261120.log"), &locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&locked).is_ok() {
        // Root (or a capability like CAP_DAC_OVERRIDE) reads any file: nothing to test.
        eprintln!(
            "skipped: {} is still readable (running as root?)",
            locked.display()
        );
        return;
    }
    let run = summary_csv(&[dir.path()], &[]);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
    run.expect_code(1);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.contains("warning") && l.contains("ex261121.log")),
        "{}",
        run.stderr
    );
    assert_eq!(counts(&parse_csv(&run.stdout)), expected(&EX261120));
    assert_eq!(totals(&run.stderr), EX261120_TOTALS);
}

#[test]
fn an_unknown_language_is_a_usage_error() {
    let run = summary_csv(&[&fixture("")], &["--lang", "xx"]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("xx"), "{}", run.stderr);
}

#[test]
fn zero_threads_is_a_usage_error() {
    let run = summary_csv(&[&fixture("")], &["-j", "0"]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let run = crate::util::iislog([
        "summary".as_ref(),
        fixture("").as_os_str(),
        "--format".as_ref(),
        "xml".as_ref(),
    ]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
}

#[test]
fn an_empty_fields_option_is_a_usage_error() {
    let run = summary_csv(&[&fixture("")], &["--fields", " "]);
    run.expect_code(2);
    assert!(run.stderr.contains("--fields"), "{}", run.stderr);
}

/// A failed write has its own exit code, 6: 2 is a usage error.
#[test]
fn an_output_file_that_cannot_be_created_exits_6() {
    let dir = tempdir();
    let out = dir.path().join("no-such-folder").join("summary.csv");
    let run = crate::util::iislog([
        "summary".as_ref(),
        fixture("").as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    run.expect_code(6);
    assert!(!out.exists());
    assert!(
        run.stderr_slashed().contains("no-such-folder/summary.csv"),
        "{}",
        run.stderr
    );
}
