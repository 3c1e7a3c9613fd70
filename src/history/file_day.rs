//! Adding a run's new lines to what the history holds for one file and day, in place:
//! counts are added to their rows, and a top list's rows change only where a value's count
//! did. A nightly run that read one megabyte touches a few hundred rows, not the whole day.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

use rusqlite::{params, Row};

use super::{code_from_sql, code_to_sql, codes_of_row, hist_parse, hist_text, Tx, R};
use crate::days::{day_text, Day};
use crate::report::{DayTally, ErrorKey, HourStats, TopN, TopPair};
use crate::tally::{Codes, KeyHasher};

/// The `kind` column of a top list's rows, in `TopPair` order: uris, client IPs, users.
pub(super) const KINDS: [&str; 3] = ["uri", "client-ip", "user"];

/// A top list as stored: the list, each value's (rowid, count, error), and the rowid of
/// the list's own row (value NULL, count = values counted, error = floor).
#[derive(Default)]
struct StoredList {
    list: TopN,
    rows: HashMap<Box<str>, (i64, u64, u64), BuildHasherDefault<KeyHasher>>,
    own: Option<i64>,
}

/// An hour's row from column `first` on: other, c1xx..c5xx, tt_count, tt_sum, tt_hist.
pub(super) fn hour_of_row(r: &Row<'_>, first: usize) -> rusqlite::Result<HourStats> {
    let mut classes = [0u64; 6];
    for (i, c) in classes.iter_mut().enumerate() {
        *c = r.get::<_, i64>(first + i)? as u64;
    }
    Ok(HourStats {
        classes,
        tt_count: r.get::<_, i64>(first + 6)? as u64,
        tt_sum: r.get::<_, i64>(first + 7)? as u64,
        hist: hist_parse(r.get_ref(first + 8)?.as_str()?),
    })
}

impl Tx<'_, '_> {
    /// Adds `add` to what the history holds for a file and day. The result is what
    /// merging the stored tallies with `add` gives ([`DayTally::merge`]).
    pub fn add_file_day(&self, id: i64, day: Day, add: DayTally) -> R<()> {
        let d = day_text(day);
        self.add_counts("codes", "site", id, &d, &add.codes)?;
        self.add_counts("ftp_commands", "command", id, &d, &add.ftp_commands)?;
        self.add_hours(id, &d, &add.hours)?;
        self.add_top(id, &d, add.top)
    }

    /// Adds (key, triple) counts to `table` (`codes` by site, `ftp_commands` by command).
    fn add_counts(
        &self,
        table: &str,
        key: &str,
        id: i64,
        day: &str,
        add: &BTreeMap<(String, Codes), u64>,
    ) -> R<()> {
        if add.is_empty() {
            return Ok(());
        }
        let mut stored: BTreeMap<(String, Codes), i64> = BTreeMap::new();
        let mut st = self
            .tx
            .prepare_cached(&format!("SELECT rowid, {key}, status, substatus, win32_status FROM {table} WHERE file_id = ?1 AND day = ?2"))
            .map_err(|e| self.e(e))?;
        let mut rows = st.query(params![id, day]).map_err(|e| self.e(e))?;
        while let Some(r) = rows.next().map_err(|e| self.e(e))? {
            let get = || -> rusqlite::Result<_> {
                Ok((
                    (r.get::<_, String>(1)?, codes_of_row(r, 2)?),
                    r.get::<_, i64>(0)?,
                ))
            };
            let (k, rowid) = get().map_err(|e| self.e(e))?;
            stored.insert(k, rowid);
        }
        drop(rows);
        let mut update = self
            .tx
            .prepare_cached(&format!(
                "UPDATE {table} SET count = count + ?2 WHERE rowid = ?1"
            ))
            .map_err(|e| self.e(e))?;
        let mut insert = self
            .tx
            .prepare_cached(&format!("INSERT INTO {table}(file_id, day, {key}, status, substatus, win32_status, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"))
            .map_err(|e| self.e(e))?;
        for (k, &n) in add {
            match stored.get(k) {
                Some(&rowid) => update.execute(params![rowid, n as i64]),
                None => insert.execute(params![
                    id,
                    day,
                    k.0,
                    code_to_sql(k.1.status),
                    code_to_sql(k.1.substatus),
                    code_to_sql(k.1.win32),
                    n as i64
                ]),
            }
            .map_err(|e| self.e(e))?;
        }
        Ok(())
    }

    /// Adds the hours that had requests to their rows.
    fn add_hours(&self, id: i64, day: &str, add: &[HourStats]) -> R<()> {
        for (hour, h) in add.iter().enumerate() {
            if h.requests() == 0 {
                continue;
            }
            let stored = self
                .tx
                .prepare_cached("SELECT other, c1xx, c2xx, c3xx, c4xx, c5xx, tt_count, tt_sum, tt_hist FROM hours WHERE file_id = ?1 AND day = ?2 AND hour = ?3")
                .and_then(|mut st| {
                    use rusqlite::OptionalExtension;
                    st.query_row(params![id, day, hour as i64], |r| hour_of_row(r, 0))
                        .optional()
                })
                .map_err(|e| self.e(e))?;
            let sql = if stored.is_some() {
                "UPDATE hours SET other = ?4, c1xx = ?5, c2xx = ?6, c3xx = ?7, c4xx = ?8, c5xx = ?9, tt_count = ?10, tt_sum = ?11, tt_hist = ?12 WHERE file_id = ?1 AND day = ?2 AND hour = ?3"
            } else {
                "INSERT INTO hours(file_id, day, hour, other, c1xx, c2xx, c3xx, c4xx, c5xx, tt_count, tt_sum, tt_hist) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            };
            let mut sum = stored.unwrap_or_default();
            sum.merge(h);
            let c = sum.classes.map(|v| v as i64);
            self.tx
                .prepare_cached(sql)
                .and_then(|mut st| {
                    st.execute(params![
                        id,
                        day,
                        hour as i64,
                        c[0],
                        c[1],
                        c[2],
                        c[3],
                        c[4],
                        c[5],
                        sum.tt_count as i64,
                        sum.tt_sum as i64,
                        hist_text(&sum.hist)
                    ])
                })
                .map_err(|e| self.e(e))?;
        }
        Ok(())
    }

    /// Merges the top lists of the codes in `add` into their stored lists, and writes only
    /// the rows that differ: a value whose count or error changed is updated, a newcomer
    /// inserted, a value the merge dropped deleted.
    fn add_top(&self, id: i64, day: &str, add: BTreeMap<ErrorKey, TopPair>) -> R<()> {
        if add.is_empty() {
            return Ok(());
        }
        // At most a few dozen lists of a hundred stored values: the fast hash is fine.
        let mut stored: HashMap<(ErrorKey, &str), StoredList, BuildHasherDefault<KeyHasher>> =
            HashMap::default();
        let mut st = self
            .tx
            .prepare_cached("SELECT rowid, status, substatus, kind, value, count, error FROM top WHERE file_id = ?1 AND day = ?2")
            .map_err(|e| self.e(e))?;
        let mut rows = st.query(params![id, day]).map_err(|e| self.e(e))?;
        while let Some(r) = rows.next().map_err(|e| self.e(e))? {
            let mut get = || -> rusqlite::Result<()> {
                let key = (
                    u32::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    code_from_sql(r.get(2)?),
                );
                // Lists of codes this run did not see stay as they are: not even read.
                if !add.contains_key(&key) {
                    return Ok(());
                }
                let kind_text = r.get_ref(3)?.as_str()?;
                let Some(&kind) = KINDS.iter().find(|k| **k == kind_text) else {
                    return Ok(());
                };
                let (rowid, count, error) = (
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(5)? as u64,
                    r.get::<_, i64>(6)? as u64,
                );
                let s = stored.entry((key, kind)).or_default();
                match r.get_ref(4)?.as_str_or_null()? {
                    None => {
                        s.list.total = count;
                        s.list.floor = error;
                        s.own = Some(rowid);
                    }
                    Some(value) => {
                        s.list.push_stored(value, count, error);
                        s.rows.insert(value.into(), (rowid, count, error));
                    }
                }
                Ok(())
            };
            get().map_err(|e| self.e(e))?;
        }
        drop(rows);
        drop(st);
        // Prepared once for all the lists, not looked up in the cache for each.
        let prepare = |sql| self.tx.prepare_cached(sql).map_err(|e| self.e(e));
        let mut writes = ListWrites {
            insert: prepare("INSERT INTO top(file_id, day, status, substatus, kind, value, count, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?,
            update: prepare("UPDATE top SET count = ?2, error = ?3 WHERE rowid = ?1")?,
            delete: prepare("DELETE FROM top WHERE rowid = ?1")?,
        };
        for (key, pair) in add {
            let TopPair { uris, ips, users } = pair;
            for (kind, list) in KINDS.into_iter().zip([uris, ips, users]) {
                let old = stored.remove(&(key, kind)).unwrap_or_default();
                // User names are kept for failed FTP logins only: no rows for the others.
                if kind == "user" && old.own.is_none() && list.total == 0 {
                    continue;
                }
                self.write_list(&mut writes, id, day, key, kind, old, list)?;
            }
        }
        Ok(())
    }

    /// Writes `old` merged with `add` over the rows `old` was read from.
    #[allow(clippy::too_many_arguments)]
    fn write_list(
        &self,
        writes: &mut ListWrites<'_>,
        id: i64,
        day: &str,
        (status, sub): ErrorKey,
        kind: &str,
        old: StoredList,
        add: TopN,
    ) -> R<()> {
        let StoredList {
            mut list,
            mut rows,
            own,
        } = old;
        list.merge(add);
        let ListWrites {
            insert,
            update,
            delete,
        } = writes;
        let mut insert_row = |value: Option<&str>, count: u64, error: u64| {
            insert.execute(params![
                id,
                day,
                i64::from(status),
                code_to_sql(sub),
                kind,
                value,
                count as i64,
                error as i64
            ])
        };
        let result = match own {
            Some(rowid) => update.execute(params![rowid, list.total as i64, list.floor as i64]),
            None => insert_row(None, list.total, list.floor),
        };
        result.map_err(|e| self.e(e))?;
        for c in list.sorted() {
            let result = match rows.remove(&c.value) {
                Some((_, count, error)) if (count, error) == (c.count, c.error) => Ok(0),
                Some((rowid, ..)) => update.execute(params![rowid, c.count as i64, c.error as i64]),
                None => insert_row(Some(&c.value), c.count, c.error),
            };
            result.map_err(|e| self.e(e))?;
        }
        for (rowid, ..) in rows.into_values() {
            delete.execute([rowid]).map_err(|e| self.e(e))?;
        }
        Ok(())
    }
}

/// The statements that write a top list's rows.
struct ListWrites<'conn> {
    insert: rusqlite::CachedStatement<'conn>,
    update: rusqlite::CachedStatement<'conn>,
    delete: rusqlite::CachedStatement<'conn>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Store;
    use crate::report::BUCKETS;
    use crate::service::Service;
    use crate::tally::Code;
    use std::time::Duration;

    /// One run's tallies, from a seeded generator: three sites, a few dozen triples, hours
    /// with time-taken, FTP commands, and top lists that overflow their capacity (so they
    /// have a floor) in some runs and stay exact in others.
    fn run_tally(seed: u64, distinct: u32) -> DayTally {
        let mut x = seed | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut t = DayTally::default();
        for _ in 0..400 {
            let r = next();
            let status = [200, 304, 404, 500, 503][(r % 5) as usize];
            let codes = Codes {
                status: Code::Value(status),
                substatus: Code::Value((r >> 8) as u32 % 3),
                win32: if r & 0x8000 == 0 {
                    Code::Value(0)
                } else {
                    Code::NotLogged
                },
            };
            let site = format!("W3SVC{}", (r >> 20) % 3 + 1);
            *t.codes.entry((site, codes)).or_insert(0) += 1;
            let h = &mut t.hours[((r >> 24) % 24) as usize];
            h.classes[(status / 100) as usize] += 1;
            if r & 0x10000 != 0 {
                h.tt_count += 1;
                h.tt_sum += (r >> 32) % 5000;
                h.hist.resize(BUCKETS, 0);
                h.hist[((r >> 40) % BUCKETS as u64) as usize] += 1;
            }
            if status >= 400 {
                let pair = t.top.entry((status, codes.substatus)).or_default();
                pair.uris.add(format!("/p{}", (r >> 28) % 30).as_bytes());
                pair.ips.add(
                    format!("10.0.{}.{}", (r >> 33) % 4, (r >> 36) as u32 % distinct).as_bytes(),
                );
                if status == 503 {
                    pair.users.add(format!("user{}", (r >> 44) % 7).as_bytes());
                }
            }
            if r & 0x20000 != 0 {
                let command = ["USER", "PASS", "RETR"][((r >> 48) % 3) as usize].to_string();
                *t.ftp_commands.entry((command, codes)).or_insert(0) += 1;
            }
        }
        t
    }

    /// Added to the history run by run, a file's day holds what merging the runs'
    /// tallies in memory gives, and every list keeps one row per value plus its own.
    #[test]
    fn runs_added_in_place_equal_their_merge() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let mut store = Store::open(&path, Duration::ZERO).unwrap();
        let day = crate::days::day_of(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        let mut want = DayTally::default();
        // Lists of 30 values are exact; of 260 and 400 they drop values and get a floor.
        let runs = [(7, 30), (11, 260), (13, 30), (17, 400), (19, 30), (23, 260)];
        for (i, (seed, distinct)) in runs.into_iter().enumerate() {
            let add = if i == 4 {
                DayTally::default()
            } else {
                run_tally(seed, distinct)
            };
            want.merge(add.clone());
            let tx = store.begin().unwrap();
            let q = Tx {
                tx: &tx,
                path: &path,
            };
            let id = match q.file_state("W3SVC1/u_ex261123.log").unwrap() {
                Some(s) => s.id,
                None => q
                    .add_file("W3SVC1/u_ex261123.log", Service::Http, "now")
                    .unwrap(),
            };
            q.add_file_day(id, day, add).unwrap();
            tx.commit().unwrap();
        }
        assert!(
            want.top.values().any(|p| p.ips.floor > 0),
            "some list must have dropped values"
        );
        let tx = store.read().unwrap();
        let q = Tx {
            tx: &tx,
            path: &path,
        };
        let mut got = q.load_day(day).unwrap();
        assert_eq!(got.remove(&Service::Http).unwrap(), want);
        let doubled: i64 = tx
            .query_row(
                "SELECT count(*) FROM (SELECT 1 FROM top GROUP BY status, substatus, kind, value HAVING count(*) > 1)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(doubled, 0, "a value or a list's own row stored twice");
        // A value the merge dropped has no row left.
        for (&(status, sub), pair) in &want.top {
            for (kind, list) in KINDS.into_iter().zip([&pair.uris, &pair.ips, &pair.users]) {
                let rows: i64 = tx
                    .query_row(
                        "SELECT count(*) FROM top WHERE status = ?1 AND substatus IS ?2 AND kind = ?3 AND value IS NOT NULL",
                        params![i64::from(status), code_to_sql(sub), kind],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(
                    rows as usize,
                    list.sorted().len(),
                    "{status} {sub:?} {kind}"
                );
            }
        }
    }
}
