//! The history: an SQLite database (WAL, schema versioned with `PRAGMA user_version`) that
//! holds, per log file read, its identity, the offset after its last complete line and the
//! `#Fields` in force there, and per file and day the tallies the reports are made of.

mod file_day;
pub mod schema;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::config::DbConfig;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::collect::{merge_seen, DayLines, DayTally, Seen, TopN, TopPair, BUCKETS};
use crate::days::{date_of, day_of, day_text, Day, UtcOffset, Zone};
use crate::service::Service;
use crate::summary::httperr::{merge_reasons, ReasonKey};
use crate::tally::{Accounting, Code, Codes};

pub use rusqlite::Transaction;

pub use crate::collect::{Baseline, DayCounts};

/// What can go wrong with a history database; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{path}: not an iislog history, or damaged ({detail}); it was left untouched: move it away, or give another --db")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path}: written by a newer iislog (schema version {found}; this one knows up to {known}); use that iislog or a newer one")]
    Newer {
        path: PathBuf,
        found: i32,
        known: i32,
    },
    #[error("{path}: made by an older iislog (schema version {found}; this one reads {known}), and `history` and `merge` only read a history: run `iislog report --db` on it once with this iislog to bring it up to date")]
    Older {
        path: PathBuf,
        found: i32,
        known: i32,
    },
    #[error("{path}: another iislog run is using this history ({}); it was not changed: run again when that one ends", busy_text(*.waited, *.wait))]
    Busy {
        path: PathBuf,
        /// How long this run waited, as measured.
        waited: Duration,
        /// How long it was allowed to wait (`--wait`).
        wait: Duration,
    },
    #[error("{path}: this history keeps days {kept}, not {asked}: {advice}")]
    Zone {
        path: PathBuf,
        /// `at UTC offset +01:00` or `in time zone Europe/Oslo`.
        kept: String,
        asked: String,
        advice: String,
    },
    #[error("{path}: {detail}")]
    Sqlite { path: PathBuf, detail: String },
}

impl HistoryError {
    /// True for "another run holds it": exit code 5 rather than 4.
    pub fn is_busy(&self) -> bool {
        matches!(self, HistoryError::Busy { .. })
    }

    /// The error with the time this run really waited, measured from `start`: SQLite
    /// does not always wait the whole `--wait` before it says busy.
    fn waited_since(self, start: Instant) -> HistoryError {
        match self {
            HistoryError::Busy { path, wait, .. } => HistoryError::Busy {
                path,
                waited: start.elapsed(),
                wait,
            },
            other => other,
        }
    }
}

/// What a busy error says about the wait: the truth, measured.
fn busy_text(waited: Duration, wait: Duration) -> String {
    if waited + Duration::from_secs(1) >= wait {
        format!("waited {} s", waited.as_secs().max(wait.as_secs()))
    } else {
        format!(
            "gave up after {:.1} s of the {} s --wait allows: SQLite would not wait for it",
            waited.as_secs_f64(),
            wait.as_secs()
        )
    }
}

/// Runs `step` until it is not busy or `wait` has passed since `start`. SQLite waits
/// (its busy timeout) for a lock another connection holds, but gives up at once where
/// waiting could deadlock, as when two runs set up a new history together: such a step
/// is tried again here, so `--wait` means what it says.
fn retry_busy<T>(
    start: Instant,
    wait: Duration,
    mut step: impl FnMut() -> Result<T, HistoryError>,
) -> Result<T, HistoryError> {
    loop {
        match step() {
            Err(e) if e.is_busy() && start.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(e.waited_since(start)),
            Ok(v) => return Ok(v),
        }
    }
}

/// 64-bit FNV-1a: a file identity that, unlike std's `DefaultHasher`, is the same in
/// every build and on every platform.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// How much of a file's start identifies it.
pub const HEAD_LEN: usize = 4096;

/// What the history knows of one log file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileState {
    pub id: i64,
    pub size: u64,
    pub head_len: u64,
    pub head_hash: String,
    pub offset: u64,
    /// Lines read before `offset`: the line number of the last one.
    pub lines: u64,
    /// The `#Fields` list in force at `offset`: `None` none yet, `Some("")` unusable.
    pub fields: Option<String>,
    /// The service its tallies are kept under.
    pub service: Service,
}

/// One file's tallies for a day already in memory, as [`Tx::add_file_day`] returned them:
/// the file's id, its service and its tallies.
pub type FileDay = (i64, Service, DayTally);

/// One file's top lists of a day (or range), by service, status, substatus and kind.
type FileLists = BTreeMap<(Service, i64, Option<i64>, usize), TopN>;

/// Merges one file's lists into the day's tallies.
fn merge_lists(out: &mut BTreeMap<Service, DayTally>, lists: FileLists) {
    for ((service, status, sub, kind), list) in lists {
        let key = (u32::try_from(status).unwrap_or(0), code_from_sql(sub));
        let pair = out.entry(service).or_default().top.entry(key).or_default();
        pair.kind_mut(kind).merge(list);
    }
}

/// An open history.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    wait: Duration,
}

fn code_to_sql(c: Code) -> Option<i64> {
    match c {
        Code::Value(v) => Some(i64::from(v)),
        Code::Empty => Some(-1),
        Code::NotLogged => None,
    }
}

fn code_from_sql(v: Option<i64>) -> Code {
    match v {
        None => Code::NotLogged,
        Some(-1) => Code::Empty,
        Some(v) => u32::try_from(v).map_or(Code::Empty, Code::Value),
    }
}

/// The status triple in a row's columns `first` (status), `first + 1` (substatus) and
/// `first + 2` (win32_status).
fn codes_of_row(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Codes> {
    Ok(Codes {
        status: code_from_sql(r.get(first)?),
        substatus: code_from_sql(r.get(first + 1)?),
        win32: code_from_sql(r.get(first + 2)?),
    })
}

fn hist_text(h: &[u64]) -> String {
    h.iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(b, n)| format!("{b}:{n}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn hist_parse(text: &str) -> Vec<u64> {
    if text.is_empty() {
        return Vec::new();
    }
    let mut h = vec![0; BUCKETS];
    for part in text.split(',') {
        if let Some((b, n)) = part.split_once(':') {
            if let (Ok(b), Ok(n)) = (b.parse::<usize>(), n.parse::<u64>()) {
                if let Some(slot) = h.get_mut(b) {
                    *slot += n;
                }
            }
        }
    }
    h
}

impl Store {
    /// Opens (or creates) the history at `path`, waiting up to `wait` for another run.
    /// A file that is not an iislog history, or is damaged, is refused and left as it is.
    pub fn open(path: &Path, wait: Duration) -> Result<Store, HistoryError> {
        // A missing folder is created, as `--out` is: SQLite would only say it cannot open.
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !folder.is_dir() {
                std::fs::create_dir_all(folder).map_err(|e| HistoryError::Sqlite {
                    path: path.to_path_buf(),
                    detail: format!("cannot create its folder {}: {e}", folder.display()),
                })?;
            }
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| HistoryError::Sqlite {
            path: path.to_path_buf(),
            detail: format!("cannot open: {e}"),
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            wait,
        };
        store.conn.busy_timeout(wait).map_err(|e| store.err(e))?;
        // A run adds to each table with a few statements of its own: keep them all.
        store.conn.set_prepared_statement_cache_capacity(64);
        retry_busy(Instant::now(), wait, || store.prepare())?;
        Ok(store)
    }

    /// Opens an existing history only to read it (`history`, `merge`): nothing is
    /// written, so a read-only file, or a copy on a read-only share, can be read. A
    /// history of an older schema is not migrated here (that is a write): the error says
    /// how to bring it up to date.
    pub fn open_read_only(path: &Path, wait: Duration) -> Result<Store, HistoryError> {
        let open = |name: &str, flags: OpenFlags| -> Result<Store, HistoryError> {
            let conn = Connection::open_with_flags(name, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| HistoryError::Sqlite {
                path: path.to_path_buf(),
                detail: format!("cannot open: {e}"),
            })?;
            let store = Store {
                conn,
                path: path.to_path_buf(),
                wait,
            };
            store.conn.busy_timeout(wait).map_err(|e| store.err(e))?;
            match retry_busy(Instant::now(), wait, || store.kind())? {
                (0, 0) => Err(HistoryError::Corrupt {
                    path: path.to_path_buf(),
                    detail: "an empty database, not an iislog history yet".into(),
                }),
                (v, _) if v < schema::VERSION => Err(HistoryError::Older {
                    path: path.to_path_buf(),
                    found: v,
                    known: schema::VERSION,
                }),
                _ => Ok(store),
            }
        };
        let name = path.to_string_lossy();
        match open(&name, OpenFlags::SQLITE_OPEN_READ_ONLY) {
            // A history in WAL mode needs its `-shm` file, which SQLite cannot create in a
            // read-only folder. With no `-wal` file beside it, every transaction is in the
            // file itself: opened as immutable, SQLite needs neither.
            Err(HistoryError::Sqlite { .. }) if !wal_of(path).exists() => open(
                &immutable_uri(path),
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
            ),
            other => other,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Maps an SQLite error to what the user should hear.
    pub fn err(&self, e: rusqlite::Error) -> HistoryError {
        let path = self.path.clone();
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => HistoryError::Busy {
                path,
                waited: self.wait,
                wait: self.wait,
            },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => HistoryError::Corrupt {
                path,
                detail: e.to_string(),
            },
            _ => HistoryError::Sqlite {
                path,
                detail: e.to_string(),
            },
        }
    }

    /// The schema version and the tables of an iislog history (`(0, 0)` for a new, empty
    /// file); another program's database is refused, and so is a newer iislog's.
    fn kind(&self) -> Result<(i32, i64), HistoryError> {
        // The three in one read transaction: another run creating the history at the
        // same moment must not be seen half done (tables made, application id not yet
        // set), which would look like another program's database.
        let (version, app, tables): (i32, i32, i64) = (|| {
            let tx = self.conn.unchecked_transaction()?;
            let v = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            let a = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
            let t = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            tx.commit()?;
            Ok((v, a, t))
        })()
        .map_err(|e| self.err(e))?;
        let ours = app == schema::APPLICATION_ID || (app == 0 && version == 0 && tables == 0);
        if !ours {
            return Err(HistoryError::Corrupt {
                path: self.path.clone(),
                detail: "an SQLite database of another program".into(),
            });
        }
        if version > schema::VERSION {
            return Err(HistoryError::Newer {
                path: self.path.clone(),
                found: version,
                known: schema::VERSION,
            });
        }
        Ok((version, tables))
    }

    /// Checks what the file is, sets WAL, and brings the schema up to date.
    fn prepare(&mut self) -> Result<(), HistoryError> {
        let (version, _) = self.kind()?;
        self.conn
            .query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
            .map_err(|e| self.err(e))?;
        // In WAL mode, NORMAL syncs at checkpoints rather than at every commit. A power cut
        // can then lose the last run's commit, but never half of it: its tallies and its
        // offsets go together, so the next run reads those lines again (still exactly once).
        // The -wal file stays between runs (see `close_leaving_wal`): a first run over years
        // of logs must not leave it at hundreds of megabytes.
        self.conn
            .execute_batch("PRAGMA synchronous=NORMAL; PRAGMA journal_size_limit=4194304")
            .map_err(|e| self.err(e))?;
        if version < schema::VERSION {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| err_of(&self.path, self.wait, e))?;
            // Read again under the lock: another run may have migrated meanwhile.
            let now: i32 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| err_of(&self.path, self.wait, e))?;
            for (i, sql) in schema::MIGRATIONS
                .iter()
                .enumerate()
                .skip(now.max(0) as usize)
            {
                tx.execute_batch(sql)
                    .and_then(|()| tx.pragma_update(None, "user_version", (i + 1) as i32))
                    .map_err(|e| err_of(&self.path, self.wait, e))?;
            }
            tx.pragma_update(None, "application_id", schema::APPLICATION_ID)
                .and_then(|()| tx.commit())
                .map_err(|e| err_of(&self.path, self.wait, e))?;
        }
        Ok(())
    }

    /// Starts the run's one write transaction (waits for another run, up to the wait).
    /// A shared borrow, so that the run can checkpoint ([`Store::checkpoint`]) once it has
    /// committed, while the transaction's borrow is still in scope; SQLite itself refuses
    /// a nested transaction.
    pub fn begin(&self) -> Result<Transaction<'_>, HistoryError> {
        retry_busy(Instant::now(), self.wait, || {
            Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
                .map_err(|e| err_of(&self.path, self.wait, e))
        })
    }

    /// Copies the committed transactions from the WAL into the database file (and syncs
    /// both); true when all of them were copied (no other connection held some back).
    /// An incremental run does this while its reports are written, off its critical path.
    pub fn checkpoint(&self) -> Result<bool, HistoryError> {
        let (busy, log, copied): (i64, i64, i64) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| self.err(e))?;
        Ok(busy == 0 && log == copied)
    }

    /// Closes without the checkpoint SQLite makes when the last connection closes: the
    /// transactions since [`Store::checkpoint`] stay in the `-wal` file, where the next
    /// connection reads them. Two fsyncs and the WAL's deletion off the end of a run.
    pub fn close_leaving_wal(self) -> Result<(), HistoryError> {
        self.conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .map_err(|e| self.err(e))?;
        self.conn.close().map_err(|(_, e)| HistoryError::Sqlite {
            path: self.path.clone(),
            detail: e.to_string(),
        })
    }

    /// A read transaction, for reports.
    pub fn read(&mut self) -> Result<Transaction<'_>, HistoryError> {
        let (path, wait) = (self.path.clone(), self.wait);
        self.conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(|e| err_of(&path, wait, e))
    }
}

/// The `-wal` file beside a database.
fn wal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// An SQLite URI that opens `path` as immutable: read without locks or a `-shm` file.
fn immutable_uri(path: &Path) -> String {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let text = full.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file:");
    // `C:/logs/h.db` is `file:/C:/logs/h.db`.
    if !text.starts_with('/') {
        uri.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

fn err_of(path: &Path, wait: Duration, e: rusqlite::Error) -> HistoryError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => HistoryError::Busy {
            path: path.to_path_buf(),
            waited: wait,
            wait,
        },
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => HistoryError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        _ => HistoryError::Sqlite {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
    }
}

/// Queries on an open transaction; every error is mapped with the database's path.
pub struct Tx<'a, 't> {
    pub tx: &'a Transaction<'t>,
    pub path: &'a Path,
}

type R<T> = Result<T, HistoryError>;

impl Tx<'_, '_> {
    fn e(&self, e: rusqlite::Error) -> HistoryError {
        err_of(self.path, Duration::ZERO, e)
    }

    /// Checks that the history keeps days in `zone` (set on the first run). With
    /// `move_to_zone`, a history kept at a fixed offset moves to `zone`, a named zone,
    /// once: the days already counted stay as they were counted, lines read from now on
    /// go by the zone. Returns the offset it moved from, if it moved.
    pub fn check_zone(&self, zone: &Zone, move_to_zone: bool, now: &str) -> R<Option<String>> {
        let set = |key: &str, value: &str| {
            self.tx
                .execute(
                    "INSERT OR REPLACE INTO settings(key, value) VALUES (?1, ?2)",
                    [key, value],
                )
                .map(drop)
                .map_err(|e| self.e(e))
        };
        let kept = match self.zone()? {
            None => return set("time_zone", zone.name()).map(|()| None),
            Some(k) if k == zone.name() => return Ok(None),
            Some(k) => k,
        };
        let kept_fixed = UtcOffset::parse(&kept).is_ok();
        if move_to_zone && kept_fixed && !zone.is_fixed() {
            set("time_zone", zone.name())?;
            set(
                "moved_to_zone",
                &format!("{now}: from {kept} to {}", zone.name()),
            )?;
            return Ok(Some(kept));
        }
        let describe = |name: &str, fixed: bool| {
            if fixed {
                format!("at UTC offset {name}")
            } else {
                format!("in time zone {name}")
            }
        };
        let advice = match (kept_fixed, zone.is_fixed()) {
            (true, false) => format!(
                "give --utc-offset {kept}, or move the history to {} once with --move-to-zone (the days already counted stay as they were counted, at {kept}; see the README)",
                zone.name()
            ),
            (true, true) => format!("give --utc-offset {kept}, or another --db"),
            (false, _) if move_to_zone => format!(
                "give --tz {kept}, or another --db (a history moves to a zone once, from a fixed offset)"
            ),
            (false, _) => format!("give --tz {kept}, or another --db"),
        };
        Err(HistoryError::Zone {
            path: self.path.to_path_buf(),
            kept: describe(&kept, kept_fixed),
            asked: describe(zone.name(), zone.is_fixed()),
            advice,
        })
    }

    /// The zone the history keeps days in, if set: an IANA name, or a fixed offset
    /// (`+09:00`, what every history made before zones keeps).
    pub fn zone(&self) -> R<Option<String>> {
        self.tx
            .query_row(
                "SELECT value FROM settings WHERE key = 'time_zone'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.e(e))
    }

    pub fn file_state(&self, path: &str) -> R<Option<FileState>> {
        self.tx
            .query_row(
                "SELECT id, size, head_len, head_hash, offset, fields, service, lines FROM files WHERE path = ?1",
                [path],
                |r| {
                    Ok(FileState {
                        id: r.get(0)?,
                        size: r.get::<_, i64>(1)? as u64,
                        head_len: r.get::<_, i64>(2)? as u64,
                        head_hash: r.get(3)?,
                        offset: r.get::<_, i64>(4)? as u64,
                        fields: r.get(5)?,
                        service: service_of(r.get_ref(6)?.as_str()?),
                        lines: r.get::<_, i64>(7)? as u64,
                    })
                },
            )
            .optional()
            .map_err(|e| self.e(e))
    }

    /// Creates a file's row (offset 0) and returns its id.
    pub fn add_file(&self, path: &str, service: Service, now: &str) -> R<i64> {
        self.tx
            .execute(
                "INSERT INTO files(path, service, size, head_len, head_hash, offset, last_read) VALUES (?1, ?2, 0, 0, '', 0, ?3)",
                params![path, service.name(), now],
            )
            .map_err(|e| self.e(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Marks a file's row as a member of an archive: the archive's path and the member's name.
    pub fn set_member(&self, id: i64, archive: &str, member: &str) -> R<()> {
        self.tx
            .execute(
                "UPDATE files SET archive = ?2, member = ?3 WHERE id = ?1",
                params![id, archive, member],
            )
            .map(drop)
            .map_err(|e| self.e(e))
    }

    /// Forgets what was read of a file (it shrank or was rewritten): its tallies go, so
    /// reading it again replaces them rather than adding to them. Returns the days it had.
    pub fn reset_file(&self, id: i64) -> R<Vec<Day>> {
        let days = self.days_of_file(id)?;
        for sql in [
            "DELETE FROM codes WHERE file_id = ?1",
            "DELETE FROM hours WHERE file_id = ?1",
            "DELETE FROM top_lists WHERE file_id = ?1",
            "DELETE FROM ftp_commands WHERE file_id = ?1",
            "DELETE FROM httperr WHERE file_id = ?1",
            "DELETE FROM seen WHERE file_id = ?1",
            "UPDATE files SET offset = 0, fields = NULL, lines = 0, requests = 0, directives = 0, blank = 0, skipped = 0, undated = 0, rereads = rereads + 1 WHERE id = ?1",
        ] {
            self.tx.execute(sql, [id]).map_err(|e| self.e(e))?;
        }
        Ok(days)
    }

    fn days_of_file(&self, id: i64) -> R<Vec<Day>> {
        let mut st = self
            .tx
            .prepare("SELECT DISTINCT day FROM codes WHERE file_id = ?1")
            .map_err(|e| self.e(e))?;
        let days = st
            .query_map([id], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.e(e))?;
        Ok(days.iter().filter_map(|d| parse_day(d)).collect())
    }

    /// Records how far a file has been read, and adds the new lines' account.
    #[allow(clippy::too_many_arguments)]
    pub fn advance_file(
        &self,
        id: i64,
        size: u64,
        head_len: u64,
        head_hash: &str,
        offset: u64,
        fields: Option<&str>,
        acct: &Accounting,
        undated: u64,
        now: &str,
    ) -> R<()> {
        self.tx
            .execute(
                "UPDATE files SET size = ?2, head_len = ?3, head_hash = ?4, offset = ?5, fields = ?6,
                 lines = lines + ?7, requests = requests + ?8, directives = directives + ?9,
                 blank = blank + ?10, skipped = skipped + ?11, undated = undated + ?12, last_read = ?13
                 WHERE id = ?1",
                params![
                    id,
                    size as i64,
                    head_len as i64,
                    head_hash,
                    offset as i64,
                    fields,
                    acct.lines as i64,
                    acct.requests as i64,
                    acct.directives as i64,
                    acct.blank as i64,
                    acct.skipped_total() as i64,
                    undated as i64,
                    now
                ],
            )
            .map(drop)
            .map_err(|e| self.e(e))
    }

    /// Tallies per service matching a WHERE clause on `codes`/`hours`/`top` (which all have
    /// `file_id` and `day`), with the files of `fresh` taken from memory, not read.
    fn load_where(
        &self,
        cond: &str,
        args: impl rusqlite::Params + Clone,
        fresh: Vec<FileDay>,
    ) -> R<BTreeMap<Service, DayTally>> {
        let mut out: BTreeMap<Service, DayTally> = BTreeMap::new();
        let cond = if fresh.is_empty() {
            cond.to_string()
        } else {
            let ids: Vec<String> = fresh.iter().map(|(id, ..)| id.to_string()).collect();
            format!("{cond} AND file_id NOT IN ({})", ids.join(", "))
        };
        let cond = cond.as_str();
        let sql = format!("SELECT f.service, c.site, c.status, c.substatus, c.win32_status, c.count FROM codes c JOIN files f ON f.id = c.file_id WHERE {}", prefixed(cond, "c"));
        for (svc, site, k, n) in self.keyed_counts(&sql, args.clone())? {
            *out.entry(service_of(&svc))
                .or_default()
                .codes
                .entry((site, k))
                .or_insert(0) += n;
        }
        let sql = format!("SELECT f.service, h.hour, h.utc_offset, h.other, h.c1xx, h.c2xx, h.c3xx, h.c4xx, h.c5xx, h.tt_count, h.tt_sum, h.tt_hist FROM hours h JOIN files f ON f.id = h.file_id WHERE {}", prefixed(cond, "h"));
        let mut st = self.tx.prepare(&sql).map_err(|e| self.e(e))?;
        let mut rows = st.query(args.clone()).map_err(|e| self.e(e))?;
        while let Some(r) = rows.next().map_err(|e| self.e(e))? {
            let get = || -> rusqlite::Result<_> {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)? == file_day::NO_HOUR,
                    file_day::local_hour_of_row(r, 1)?,
                    file_day::hour_of_row(r, 3)?,
                ))
            };
            let (svc, no_hour, hour, h) = get().map_err(|e| self.e(e))?;
            let day = out.entry(service_of(&svc)).or_default();
            if no_hour {
                day.no_hour.merge(&h);
            } else {
                day.hours.entry(hour).or_default().merge(&h);
            }
        }
        drop(rows);
        // The top lists of the files in memory, in file order; their other tallies are
        // added below.
        let mut fresh = fresh;
        fresh.sort_by_key(|(id, ..)| *id);
        let mut fresh_lists = Vec::with_capacity(fresh.len());
        for (id, service, t) in &mut fresh {
            let mut lists = FileLists::new();
            for ((status, sub), pair) in std::mem::take(&mut t.top) {
                let TopPair { uris, ips, users } = pair;
                for (kind, list) in [uris, ips, users].into_iter().enumerate() {
                    // Uri and client-IP lists always have rows; a users list only when it
                    // counted a value (failed FTP logins), and then its total is not 0.
                    if kind == 2 && list == TopN::default() {
                        continue;
                    }
                    lists.insert((*service, i64::from(status), code_to_sql(sub), kind), list);
                }
            }
            fresh_lists.push((*id, lists));
        }
        let mut fresh_lists = fresh_lists.into_iter().peekable();
        let sql = format!("SELECT f.service, t.file_id, t.status, t.substatus, t.kind, t.counted, t.floor, t.entries FROM top_lists t JOIN files f ON f.id = t.file_id WHERE {} ORDER BY t.file_id, t.day", prefixed(cond, "t"));
        let mut st = self.tx.prepare(&sql).map_err(|e| self.e(e))?;
        let args_ftp = args.clone();
        let args_httperr = args.clone();
        let args_seen = args.clone();
        let mut rows = st.query(args).map_err(|e| self.e(e))?;
        // Lists are rebuilt per file (its rows come together) and merged into the day's
        // as each file ends, the files in memory at their place in file order: every
        // list takes the files in the same order, and a day of 100,000 files holds one
        // file's lists at a time.
        let mut file: Option<i64> = None;
        let mut lists = FileLists::new();
        while let Some(r) = rows.next().map_err(|e| self.e(e))? {
            let get = || -> rusqlite::Result<_> {
                let service = service_of(r.get_ref(0)?.as_str()?);
                let (id, status, sub): (i64, i64, Option<i64>) = (r.get(1)?, r.get(2)?, r.get(3)?);
                Ok(file_day::list_of_row(r, 4)?.map(|l| (id, (service, status, sub, l.kind), l)))
            };
            if let Some((id, key, row)) = get().map_err(|e| self.e(e))? {
                if file != Some(id) {
                    merge_lists(&mut out, std::mem::take(&mut lists));
                    while let Some((_, earlier)) = fresh_lists.next_if(|(f, _)| *f < id) {
                        merge_lists(&mut out, earlier);
                    }
                    file = Some(id);
                }
                self.absorb(&row, lists.entry(key).or_default())?;
            }
        }
        drop(rows);
        merge_lists(&mut out, lists);
        for (_, later) in fresh_lists {
            merge_lists(&mut out, later);
        }
        let sql = format!("SELECT f.service, c.command, c.status, c.substatus, c.win32_status, c.count FROM ftp_commands c JOIN files f ON f.id = c.file_id WHERE {}", prefixed(cond, "c"));
        for (svc, command, k, n) in self.keyed_counts(&sql, args_ftp)? {
            *out.entry(service_of(&svc))
                .or_default()
                .ftp_commands
                .entry((command, k))
                .or_insert(0) += n;
        }
        let sql = format!("SELECT f.service, e.status, e.reason, e.queue, e.count FROM httperr e JOIN files f ON f.id = e.file_id WHERE {}", prefixed(cond, "e"));
        self.add_httperr_rows(&sql, args_httperr, &mut out)?;
        let sql = format!("SELECT f.service, s.status, s.substatus, s.win32_status, s.first, s.last FROM seen s JOIN files f ON f.id = s.file_id WHERE {}", prefixed(cond, "s"));
        let mut st = self.tx.prepare(&sql).map_err(|e| self.e(e))?;
        let mut rows = st.query(args_seen).map_err(|e| self.e(e))?;
        while let Some(r) = rows.next().map_err(|e| self.e(e))? {
            let get = || -> rusqlite::Result<_> {
                let seen = Seen {
                    first: r.get(4)?,
                    last: r.get(5)?,
                };
                Ok((r.get::<_, String>(0)?, codes_of_row(r, 1)?, seen))
            };
            let (svc, k, seen) = get().map_err(|e| self.e(e))?;
            merge_seen(&mut out.entry(service_of(&svc)).or_default().seen, k, seen);
        }
        drop(rows);
        // The files in memory, as their rows would have been read: counts added (their
        // lists were merged above).
        for (_, service, t) in fresh {
            if t.is_empty() {
                continue;
            }
            let day = out.entry(service).or_default();
            for (k, n) in t.codes {
                *day.codes.entry(k).or_insert(0) += n;
            }
            for (k, h) in &t.hours {
                day.hours.entry(*k).or_default().merge(h);
            }
            day.no_hour.merge(&t.no_hour);
            for (k, n) in t.ftp_commands {
                *day.ftp_commands.entry(k).or_insert(0) += n;
            }
            merge_reasons(&mut day.httperr, t.httperr);
            for (k, seen) in t.seen {
                merge_seen(&mut day.seen, k, seen);
            }
        }
        Ok(out)
    }

    /// Adds rows of `service, status, reason, queue, count` (the `httperr` table) to
    /// their service's day.
    fn add_httperr_rows(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
        out: &mut BTreeMap<Service, DayTally>,
    ) -> R<()> {
        let mut st = self.tx.prepare(sql).map_err(|e| self.e(e))?;
        let mut rows = st.query(args).map_err(|e| self.e(e))?;
        while let Some(r) = rows.next().map_err(|e| self.e(e))? {
            let get = || -> rusqlite::Result<_> {
                let key = ReasonKey {
                    status: code_from_sql(r.get(1)?),
                    reason: r.get(2)?,
                    queue: r.get(3)?,
                };
                Ok((r.get::<_, String>(0)?, key, r.get::<_, i64>(4)? as u64))
            };
            let (svc, key, n) = get().map_err(|e| self.e(e))?;
            *out.entry(service_of(&svc))
                .or_default()
                .httperr
                .entry(key)
                .or_insert(0) += n;
        }
        Ok(())
    }

    /// Rows of `service, key, status, substatus, win32_status, count` (the codes and the
    /// FTP command tables have that shape) read into (service, key, triple, count).
    fn keyed_counts(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> R<Vec<(String, String, Codes, u64)>> {
        let mut st = self.tx.prepare(sql).map_err(|e| self.e(e))?;
        let mut rows = st.query(args).map_err(|e| self.e(e))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.e(e))? {
            let get = || -> rusqlite::Result<_> {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    codes_of_row(r, 2)?,
                    r.get::<_, i64>(5)? as u64,
                ))
            };
            out.push(get().map_err(|e| self.e(e))?);
        }
        Ok(out)
    }

    /// Everything the history holds for `day`, per service.
    pub fn load_day(&self, day: Day) -> R<BTreeMap<Service, DayTally>> {
        self.load_day_with(day, Vec::new())
    }

    /// [`Tx::load_day`], with the days of some files already in memory: what
    /// [`Tx::add_file_day`] returned for them in this transaction. Their rows are not
    /// read a second time.
    pub fn load_day_with(&self, day: Day, fresh: Vec<FileDay>) -> R<BTreeMap<Service, DayTally>> {
        self.load_where("day = ?1", params![day_text(day)], fresh)
    }

    /// Requests per service and triple on `day` (for alert baselines).
    pub fn day_counts(&self, day: Day) -> R<DayCounts> {
        let mut st = self
            .tx
            .prepare_cached("SELECT f.service, c.status, c.substatus, c.win32_status, sum(c.count) FROM codes c JOIN files f ON f.id = c.file_id WHERE c.day = ?1 GROUP BY 1, 2, 3, 4")
            .map_err(|e| self.e(e))?;
        let rows = st
            .query_map([day_text(day)], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.e(e))?;
        let mut out = DayCounts::new();
        for (svc, s, sub, w, n) in rows {
            let k = Codes {
                status: code_from_sql(s),
                substatus: code_from_sql(sub),
                win32: code_from_sql(w),
            };
            let svc = Service::from_name(&svc).unwrap_or(Service::Http);
            *out.entry((svc, k)).or_insert(0) += n as u64;
        }
        Ok(out)
    }

    /// The previous 7 days with requests, and the triples of the previous 30 days.
    pub fn baseline(&self, day: Day) -> R<Baseline> {
        let mut b = Baseline::default();
        for d in (day - 30..day).rev() {
            let counts = self.day_counts(d)?;
            if counts.is_empty() {
                continue;
            }
            b.seen30.extend(counts.keys().copied());
            if d >= day - 7 {
                b.prev7.push(counts);
            }
        }
        let mut st = self
            .tx
            .prepare_cached("SELECT day, sum(count) FROM codes WHERE day < ?1 GROUP BY day ORDER BY day DESC LIMIT 7")
            .map_err(|e| self.e(e))?;
        b.prev_totals = st
            .query_map([day_text(day)], |r| r.get::<_, i64>(1))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.e(e))?
            .into_iter()
            .map(|n| n.max(0) as u64)
            .collect();
        Ok(b)
    }

    /// (day, requests, 4xx+5xx, 5xx) for the 30 days up to `day`.
    pub fn trend(&self, day: Day) -> R<Vec<(Day, u64, u64, u64)>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT day, sum(count), sum(CASE WHEN status BETWEEN 400 AND 599 THEN count ELSE 0 END), sum(CASE WHEN status BETWEEN 500 AND 599 THEN count ELSE 0 END) FROM codes WHERE day BETWEEN ?1 AND ?2 GROUP BY day")
            .map_err(|e| self.e(e))?;
        let rows = st
            .query_map(params![day_text(day - 29), day_text(day)], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.e(e))?;
        let by: BTreeMap<Day, (u64, u64, u64)> = rows
            .into_iter()
            .filter_map(|(d, a, b, c)| Some((parse_day(&d)?, (a as u64, b as u64, c as u64))))
            .collect();
        Ok((day - 29..=day)
            .map(|d| {
                let (a, b, c) = by.get(&d).copied().unwrap_or_default();
                (d, a, b, c)
            })
            .collect())
    }

    /// The days a one-column query of `YYYY-MM-DD` texts gives (unreadable ones left out).
    fn day_column(&self, sql: &str) -> R<BTreeSet<Day>> {
        let mut st = self.tx.prepare(sql).map_err(|e| self.e(e))?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.e(e))?;
        Ok(rows.iter().filter_map(|d| parse_day(d)).collect())
    }

    /// Days in the history (optionally between two days).
    pub fn days(&self) -> R<BTreeSet<Day>> {
        self.day_column("SELECT DISTINCT day FROM codes")
    }

    /// The days from `first` to `last` that hold requests: one indexed query, however
    /// many days the range spans.
    pub fn days_between(&self, first: Day, last: Day) -> R<BTreeSet<Day>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT DISTINCT day FROM codes WHERE day BETWEEN ?1 AND ?2")
            .map_err(|e| self.e(e))?;
        let rows = st
            .query_map([day_text(first), day_text(last)], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.e(e))?;
        Ok(rows.iter().filter_map(|d| parse_day(d)).collect())
    }

    pub fn add_pending(&self, days: &BTreeSet<Day>) -> R<()> {
        for d in days {
            self.tx
                .execute(
                    "INSERT OR IGNORE INTO pending(day) VALUES (?1)",
                    [day_text(*d)],
                )
                .map_err(|e| self.e(e))?;
        }
        Ok(())
    }

    pub fn pending(&self) -> R<BTreeSet<Day>> {
        self.day_column("SELECT day FROM pending")
    }

    pub fn done_pending(&self, day: Day) -> R<()> {
        self.tx
            .execute("DELETE FROM pending WHERE day = ?1", [day_text(day)])
            .map(drop)
            .map_err(|e| self.e(e))
    }

    /// Every file's line account (as [`DayLines`] of one file), with its id and path.
    pub fn file_lines(&self) -> R<Vec<(i64, String, DayLines)>> {
        let mut st = self
            .tx
            .prepare(
                "SELECT id, path, lines, requests, directives, blank, skipped, undated FROM files",
            )
            .map_err(|e| self.e(e))?;
        let rows = st
            .query_map([], |r| {
                let n = |i| r.get::<_, i64>(i).map(|v| v as u64);
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    DayLines {
                        files: 1,
                        lines: n(2)?,
                        requests: n(3)?,
                        directives: n(4)?,
                        blank: n(5)?,
                        skipped: n(6)?,
                        undated: n(7)?,
                    },
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.e(e))?;
        Ok(rows)
    }

    /// The files with requests on `day`.
    pub fn files_of_day(&self, day: Day) -> R<BTreeSet<i64>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT DISTINCT file_id FROM codes WHERE day = ?1")
            .map_err(|e| self.e(e))?;
        let ids = st
            .query_map([day_text(day)], |r| r.get::<_, i64>(0))
            .and_then(|rows| rows.collect::<Result<BTreeSet<_>, _>>())
            .map_err(|e| self.e(e))?;
        Ok(ids)
    }

    pub fn add_run(&self, started: &str, files: u64, bytes: u64, requests: u64) -> R<()> {
        self.tx
            .execute(
                "INSERT INTO runs(started, files, bytes, requests) VALUES (?1, ?2, ?3, ?4)",
                params![started, files as i64, bytes as i64, requests as i64],
            )
            .map(drop)
            .map_err(|e| self.e(e))
    }
}

/// The service a `files.service` text names (HTTP for an unknown one).
fn service_of(name: &str) -> Service {
    Service::from_name(name).unwrap_or(Service::Http)
}

/// Qualifies the bare `file_id`/`day` columns of a condition with a table alias.
fn prefixed(cond: &str, alias: &str) -> String {
    cond.replace("file_id", &format!("{alias}.file_id"))
        .replace("day", &format!("{alias}.day"))
}

fn parse_day(text: &str) -> Option<Day> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(day_of)
}

/// `YYYY-MM-DD` of a day (re-exported for callers that hold a `Day`).
pub fn day_name(day: Day) -> String {
    date_of(day).format("%Y-%m-%d").to_string()
}

/// For tests: a new, empty history in a temporary folder (which lives as long as the
/// first value), its path, and the day the tests add to.
#[cfg(test)]
fn new_history() -> (tempfile::TempDir, PathBuf, Store, Day) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let store = Store::open(&path, Duration::ZERO).unwrap();
    let day = day_of(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
    (dir, path, store, day)
}

/// For tests: runs `f` in a write transaction of `store` (never committed), given one new
/// HTTP file's id.
#[cfg(test)]
fn with_one_file<T>(store: &Store, path: &Path, f: impl FnOnce(&Tx<'_, '_>, i64) -> T) -> T {
    let tx = store.begin().unwrap();
    let q = Tx { tx: &tx, path };
    let id = q
        .add_file("W3SVC1/u_ex261123.log", Service::Http, "now")
        .unwrap();
    f(&q, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A busy error says how long the run really waited: the whole `--wait`, or that
    /// SQLite gave up sooner.
    #[test]
    fn busy_says_how_long_it_waited() {
        let s = Duration::from_secs;
        assert_eq!(busy_text(s(60), s(60)), "waited 60 s");
        assert_eq!(
            busy_text(Duration::from_millis(59_400), s(60)),
            "waited 60 s"
        );
        assert_eq!(
            busy_text(Duration::from_millis(30), s(60)),
            "gave up after 0.0 s of the 60 s --wait allows: SQLite would not wait for it"
        );
        let e = HistoryError::Busy {
            path: PathBuf::from("h.db"),
            waited: s(60),
            wait: s(60),
        }
        .waited_since(Instant::now());
        assert!(
            e.to_string().contains("gave up after 0.0 s of the 60 s"),
            "{e}"
        );
    }

    /// Another connection holds the write lock: `begin` waits the whole `--wait`
    /// (measured), then says so.
    #[test]
    fn begin_waits_for_another_run() {
        let (_dir, path, _store, _) = new_history();
        let holder = rusqlite::Connection::open(&path).unwrap();
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();
        let store = Store::open(&path, Duration::from_millis(1500)).unwrap();
        let started = Instant::now();
        let e = store.begin().map(drop).unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(1500));
        assert!(e.is_busy() && e.to_string().contains("waited 1 s"), "{e}");
    }

    #[test]
    fn fnv_is_stable() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn codes_round_trip() {
        for c in [
            Code::Value(0),
            Code::Value(u32::MAX),
            Code::Empty,
            Code::NotLogged,
        ] {
            assert_eq!(code_from_sql(code_to_sql(c)), c);
        }
        let mut h = vec![0; BUCKETS];
        h[3] = 2;
        h[200] = 7;
        assert_eq!(hist_parse(&hist_text(&h)), h);
    }

    /// A list that dropped values (floor above 0) comes back from the history with the
    /// counts, errors and floor it was stored with; reading it twice adds nothing.
    #[test]
    fn top_lists_round_trip_with_their_floor() {
        let (_dir, path, store, d) = new_history();
        let mut day = DayTally::default();
        let pair = day.top.entry((404, Code::Value(0))).or_default();
        for i in 0..1000u32 {
            pair.ips
                .add(format!("10.0.{}.{}", i / 250, i % 250).as_bytes());
            pair.ips.add(b"203.0.113.7");
        }
        assert!(pair.ips.floor > 0, "the list must have dropped values");
        let want = pair.ips.clone();
        with_one_file(&store, &path, |q, id| {
            q.add_file_day(id, d, day).unwrap();
            // Loaded, merged with nothing, and stored again, as an incremental run does.
            q.add_file_day(id, d, DayTally::default()).unwrap();
            let got = q.load_day(d).unwrap().remove(&Service::Http).unwrap();
            let got = &got.top[&(404, Code::Value(0))].ips;
            assert_eq!((got.floor, got.total), (want.floor, want.total));
            // Read back, a list is compacted to its capacity: what is kept is as it was.
            let kept = got.sorted();
            assert!(kept.len() <= crate::collect::topn::CAPACITY && kept.len() >= 50);
            let before = want.sorted();
            for c in &kept {
                assert!(before.contains(c), "{c:?} changed");
            }
            assert_eq!(
                (&*kept[0].value, kept[0].count, kept[0].error),
                ("203.0.113.7", 1000, 0)
            );
        });
    }

    /// The URI of an immutable open names the file whatever its path holds (`#`, `%`,
    /// `?`, spaces, non-ASCII): SQLite opens that file, not another or none.
    #[test]
    fn immutable_uris_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // Windows allows no `?` in a name.
        let name = if cfg!(windows) {
            "logs #1 100% ログ"
        } else {
            "logs #1 100% ?ログ"
        };
        let folder = dir.path().join(name);
        std::fs::create_dir(&folder).unwrap();
        let path = folder.join("h.db");
        drop(Store::open(&path, Duration::ZERO).unwrap());
        let c = Connection::open_with_flags(
            immutable_uri(&path),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        )
        .unwrap();
        let v: i32 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, schema::VERSION);
    }

    /// `--db` in a folder that does not exist: the folder is made. Read-only opens make
    /// nothing and refuse what is no history yet, or an older one, saying what to do.
    #[test]
    fn folders_are_made_and_read_only_opens_refuse_what_they_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("b").join("h.db");
        drop(Store::open(&path, Duration::ZERO).unwrap());
        assert!(path.is_file());
        assert!(Store::open_read_only(&path, Duration::ZERO).is_ok());

        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        let e = Store::open_read_only(&empty, Duration::ZERO).err().unwrap();
        assert!(matches!(e, HistoryError::Corrupt { .. }), "{e}");
        assert_eq!(std::fs::read(&empty).unwrap(), b"");

        let old = dir.path().join("old.db");
        let c = Connection::open(&old).unwrap();
        c.execute_batch(schema::MIGRATIONS[0]).unwrap();
        c.pragma_update(None, "application_id", schema::APPLICATION_ID)
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        drop(c);
        let e = Store::open_read_only(&old, Duration::ZERO).err().unwrap();
        assert!(matches!(e, HistoryError::Older { found: 1, .. }), "{e}");
        assert!(e.to_string().contains("iislog report --db"), "{e}");
    }

    #[test]
    fn foreign_and_damaged_files_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, vec![b'x'; 5000]).unwrap();
        let e = Store::open(&junk, Duration::ZERO).err().unwrap();
        assert!(matches!(e, HistoryError::Corrupt { .. }), "{e}");
        assert_eq!(std::fs::read(&junk).unwrap(), vec![b'x'; 5000]);

        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t(x)")
            .unwrap();
        assert!(matches!(
            Store::open(&other, Duration::ZERO).err().unwrap(),
            HistoryError::Corrupt { .. }
        ));

        let newer = dir.path().join("newer.db");
        let c = Connection::open(&newer).unwrap();
        c.pragma_update(None, "application_id", schema::APPLICATION_ID)
            .unwrap();
        c.pragma_update(None, "user_version", schema::VERSION + 1)
            .unwrap();
        drop(c);
        assert!(matches!(
            Store::open(&newer, Duration::ZERO).err().unwrap(),
            HistoryError::Newer { .. }
        ));
    }
}
