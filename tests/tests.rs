//! Integration tests: the real `iislog` binary run on the fixtures and on generated logs.
//! One test binary (autotests = false), one module per area.

// Running the binary, temporary folders, CSV/JSON/stderr read back into data.
mod util;

// `iislog summary` on the hand-made fixtures: every count and percent, the formats, -o,
// --fields, --verbose, threads.
mod summary;

// Exit codes 1 and 2 and the messages that go with them.
mod errors;

// The real logs in ../shared/samples against the counts in their README.
mod samples;

// Random logs, random chunk sizes and thread counts against a reference tally.
mod properties;
// Windows habits: names in any case, non-ASCII and long paths, default folders.
mod platform;

// Descriptions in three languages, win32 meanings, and `iislog explain`.
mod catalogue;

// Hostile input: every bad log tried, exact counts, nothing lost.
mod hostile;

// Hostile files: a log shrunk while read, zips with many members or shared data.
mod hostile_files;

// SMTP, HTTPERR, IIS native, NCSA and archived logs: each format's hand-made fixture.
mod formats;

// `iislog report`, `history` and `merge`: days, time zones, the history, alerts, the page.
mod report;

// What nothing can push iislog past: long values, numeric options, date ranges, names
// on the terminal, failed writes, leftovers, two runs on a new history.
mod limits;

// Days no log holds a line for: named, no CSVs, the `requests<` rules.
mod empty_days;

// The report folder's HTTPERR file and page section, kept in a history and merged.
mod report_files;

// Workbooks (summary and report.xlsx) read back with openpyxl and compared with the CSVs.
mod xlsx;

// `report` in time zones with daylight saving: 23- and 25-hour days, --local, the move
// of a history from a fixed offset to a zone.
mod zones;

// The layout of src/: stages in order, no module importing a later stage.
mod layout;

// Triage: verdicts by the rules and by what a day showed.
mod triage;

// `--fail-on` per service (`ftp:530>100`; a bare `5xx` is http's) and by verdict (`probe>500`).
mod fail_on;

// A nightly job left alone: every line `summary` counts, `report` counts or names; the
// small things a new user hit (history as JSON, read-only histories, standard input).
mod nightly;
