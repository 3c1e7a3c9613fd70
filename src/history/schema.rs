//! The history's schema, versioned with `PRAGMA user_version`: each migration takes the
//! database from version n to n + 1 inside the run's transaction. A database of a newer
//! version than this build knows is refused, never changed.

/// `PRAGMA application_id`: "IISL", so another program's SQLite file is never taken.
pub const APPLICATION_ID: i32 = 0x4949_534C;

/// Migrations; `MIGRATIONS[n]` goes from version n to n + 1.
pub const MIGRATIONS: &[&str] = &[
    // 0 -> 1
    "
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE files (
    id         INTEGER PRIMARY KEY,
    path       TEXT NOT NULL UNIQUE,
    service    TEXT NOT NULL,
    size       INTEGER NOT NULL,
    head_len   INTEGER NOT NULL,
    head_hash  TEXT NOT NULL,
    offset     INTEGER NOT NULL,
    fields     TEXT,
    lines      INTEGER NOT NULL DEFAULT 0,
    requests   INTEGER NOT NULL DEFAULT 0,
    directives INTEGER NOT NULL DEFAULT 0,
    blank      INTEGER NOT NULL DEFAULT 0,
    skipped    INTEGER NOT NULL DEFAULT 0,
    undated    INTEGER NOT NULL DEFAULT 0,
    rereads    INTEGER NOT NULL DEFAULT 0,
    last_read  TEXT NOT NULL
);
CREATE TABLE codes (
    file_id      INTEGER NOT NULL REFERENCES files(id),
    day          TEXT NOT NULL,
    site         TEXT NOT NULL,
    status       INTEGER,
    substatus    INTEGER,
    win32_status INTEGER,
    count        INTEGER NOT NULL
);
CREATE INDEX codes_day ON codes(day, file_id);
CREATE INDEX codes_file ON codes(file_id, day);
CREATE TABLE hours (
    file_id  INTEGER NOT NULL REFERENCES files(id),
    day      TEXT NOT NULL,
    hour     INTEGER NOT NULL,
    other    INTEGER NOT NULL,
    c1xx     INTEGER NOT NULL,
    c2xx     INTEGER NOT NULL,
    c3xx     INTEGER NOT NULL,
    c4xx     INTEGER NOT NULL,
    c5xx     INTEGER NOT NULL,
    tt_count INTEGER NOT NULL,
    tt_sum   INTEGER NOT NULL,
    tt_hist  TEXT NOT NULL,
    PRIMARY KEY (file_id, day, hour)
);
CREATE TABLE top (
    file_id   INTEGER NOT NULL REFERENCES files(id),
    day       TEXT NOT NULL,
    status    INTEGER NOT NULL,
    substatus INTEGER,
    kind      TEXT NOT NULL,
    value     TEXT,
    count     INTEGER NOT NULL,
    error     INTEGER NOT NULL
);
CREATE INDEX top_file ON top(file_id, day);
CREATE TABLE pending (
    day TEXT PRIMARY KEY
);
CREATE TABLE runs (
    id       INTEGER PRIMARY KEY,
    started  TEXT NOT NULL,
    files    INTEGER NOT NULL,
    bytes    INTEGER NOT NULL,
    requests INTEGER NOT NULL
);
",
    // 1 -> 2: FTP requests per command and status triple (the user names of failed FTP
    // logins go in `top`, kind 'user'). Days read before this version have no rows here.
    "
CREATE TABLE ftp_commands (
    file_id      INTEGER NOT NULL REFERENCES files(id),
    day          TEXT NOT NULL,
    command      TEXT NOT NULL,
    status       INTEGER,
    substatus    INTEGER,
    win32_status INTEGER,
    count        INTEGER NOT NULL
);
CREATE INDEX ftp_commands_file ON ftp_commands(file_id, day);
CREATE INDEX ftp_commands_day ON ftp_commands(day, file_id);
",
    // 2 -> 3: logs inside archives. Their `files` row has `path` `archive!member`, and
    // here the archive's path and the member's name (NULL for plain files, as every row
    // of older versions). A member is immutable: read once, whole (`offset` = `size`).
    "
ALTER TABLE files ADD COLUMN archive TEXT;
ALTER TABLE files ADD COLUMN member TEXT;
",
    // 3 -> 4: a day's report reads `top` and `hours` by day; without these they were
    // scanned whole, so a nightly run slowed as the history grew (a year: 3x). `top_day`
    // also serves a file's day, so `top_file` goes: every run rewrites hundreds of `top`
    // rows, and each index costs on each row. (Forgetting a whole file, rare, scans.)
    "
CREATE INDEX top_day ON top(day, file_id);
CREATE INDEX hours_day ON hours(day, file_id);
DROP INDEX top_file;
",
    // 4 -> 5: a top list is one row, its values a JSON array of [value, count, error]
    // (most counted first), not one row per value. A nightly run rewrote hundreds of
    // value rows, read back through an index one by one; it now rewrites a few dozen
    // lists. `top` stays, as a view with the rows and columns it had (the README's
    // queries on it are unchanged); it needs SQLite's JSON functions, built in since 3.38.
    "
CREATE TABLE top_lists (
    file_id   INTEGER NOT NULL REFERENCES files(id),
    day       TEXT NOT NULL,
    status    INTEGER NOT NULL,
    substatus INTEGER,
    kind      TEXT NOT NULL,
    counted   INTEGER NOT NULL,
    floor     INTEGER NOT NULL,
    entries   TEXT NOT NULL
);
CREATE INDEX top_lists_day ON top_lists(day, file_id);
INSERT INTO top_lists(file_id, day, status, substatus, kind, counted, floor, entries)
SELECT file_id, day, status, substatus, kind,
       coalesce(max(count) FILTER (WHERE value IS NULL), 0),
       coalesce(max(error) FILTER (WHERE value IS NULL), 0),
       json_group_array(json_array(value, count, error)) FILTER (WHERE value IS NOT NULL)
FROM (SELECT * FROM top ORDER BY file_id, day, count DESC, value)
GROUP BY file_id, day, status, substatus, kind;
DROP TABLE top;
CREATE VIEW top(file_id, day, status, substatus, kind, value, count, error) AS
SELECT file_id, day, status, substatus, kind, NULL, counted, floor FROM top_lists
UNION ALL
SELECT l.file_id, l.day, l.status, l.substatus, l.kind, json_extract(e.value, '$[0]'),
       json_extract(e.value, '$[1]'), json_extract(e.value, '$[2]')
FROM top_lists l, json_each(l.entries) e;
",
    // 5 -> 6: HTTPERR requests per status, `s-reason` and `s-queuename` (the application
    // pool, kept for 503s only; `-` when not logged), as `summary` counts them. Days read
    // before this version have no rows here: their requests are in `codes` only.
    "
CREATE TABLE httperr (
    file_id INTEGER NOT NULL REFERENCES files(id),
    day     TEXT NOT NULL,
    status  INTEGER,
    reason  TEXT NOT NULL,
    queue   TEXT NOT NULL,
    count   INTEGER NOT NULL
);
CREATE INDEX httperr_day ON httperr(day, file_id);
",
    // 6 -> 7: time zones with daylight saving. A history keeps its zone (`time_zone`: an
    // IANA name such as `Europe/Oslo`, or a fixed offset `+09:00`, which every older
    // history has under `utc_offset`), and each hour row the UTC offset in force, so
    // the hour the clocks repeat in autumn is two rows (`02` at `+02:00` and `+01:00`).
    // Rows of older versions were counted at the history's offset.
    "
CREATE TABLE hours_v7 (
    file_id    INTEGER NOT NULL REFERENCES files(id),
    day        TEXT NOT NULL,
    hour       INTEGER NOT NULL,
    utc_offset TEXT NOT NULL,
    other      INTEGER NOT NULL,
    c1xx       INTEGER NOT NULL,
    c2xx       INTEGER NOT NULL,
    c3xx       INTEGER NOT NULL,
    c4xx       INTEGER NOT NULL,
    c5xx       INTEGER NOT NULL,
    tt_count   INTEGER NOT NULL,
    tt_sum     INTEGER NOT NULL,
    tt_hist    TEXT NOT NULL,
    PRIMARY KEY (file_id, day, hour, utc_offset)
);
INSERT INTO hours_v7(file_id, day, hour, utc_offset, other, c1xx, c2xx, c3xx, c4xx, c5xx, tt_count, tt_sum, tt_hist)
SELECT file_id, day, hour,
       coalesce((SELECT value FROM settings WHERE key = 'utc_offset'), '+00:00'),
       other, c1xx, c2xx, c3xx, c4xx, c5xx, tt_count, tt_sum, tt_hist
FROM hours;
DROP TABLE hours;
ALTER TABLE hours_v7 RENAME TO hours;
CREATE INDEX hours_day ON hours(day, file_id);
UPDATE settings SET key = 'time_zone' WHERE key = 'utc_offset';
",
    // 7 -> 8: when each error triple (status 400 to 599) was first and last seen on a
    // day: UTC seconds since 1970 of the start of the minute of its first and of its last
    // request. Days read before this version have no rows here: the page leaves the
    // times blank for them.
    "
CREATE TABLE seen (
    file_id      INTEGER NOT NULL REFERENCES files(id),
    day          TEXT NOT NULL,
    status       INTEGER,
    substatus    INTEGER,
    win32_status INTEGER,
    first        INTEGER NOT NULL,
    last         INTEGER NOT NULL
);
CREATE INDEX seen_day ON seen(day, file_id);
",
];

/// The version this build writes.
pub const VERSION: i32 = MIGRATIONS.len() as i32;
