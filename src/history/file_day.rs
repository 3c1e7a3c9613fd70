//! Adding a run's new lines to what the history holds for one file and day, in place:
//! counts are added to their rows, and a top list (one row) is rewritten only when it
//! changed. A nightly run that read one megabyte touches the rows that changed, not the
//! whole day.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

use rusqlite::{params, Row};

use super::{code_from_sql, code_to_sql, codes_of_row, hist_parse, hist_text, HistoryError, Tx, R};
use crate::collect::{DayTally, ErrorKey, HourStats, Seen, TopN, TopPair};
use crate::days::{day_text, Day, LocalHour, UtcOffset};
use crate::summary::httperr::{ReasonCounts, ReasonKey};
use crate::tally::{Codes, KeyHasher};

/// The `kind` column of a top list's rows, in `TopPair` order: uris, client IPs, users.
pub(super) const KINDS: [&str; 3] = ["uri", "client-ip", "user"];

/// A file's day's list as stored: the list, and its row in `top_lists` (rowid, counted,
/// floor, entries) with any further rows of the same list (never written so), which are
/// merged into the first and deleted.
#[derive(Default)]
struct StoredList {
    list: TopN,
    row: Option<(i64, i64, i64, String)>,
    extra: Vec<i64>,
}

/// A `top_lists` row from column `first` on: kind, counted, floor, entries.
pub(super) struct ListRow<'r> {
    /// Index in [`KINDS`].
    pub kind: usize,
    counted: u64,
    floor: u64,
    entries: &'r str,
}

/// The list of row `r` from column `first` on; None for a kind of list iislog does not
/// write, which every read leaves out.
pub(super) fn list_of_row<'r>(
    r: &'r Row<'_>,
    first: usize,
) -> rusqlite::Result<Option<ListRow<'r>>> {
    let kind_text = r.get_ref(first)?.as_str()?;
    let Some(kind) = KINDS.iter().position(|k| *k == kind_text) else {
        return Ok(None);
    };
    Ok(Some(ListRow {
        kind,
        counted: r.get::<_, i64>(first + 1)? as u64,
        floor: r.get::<_, i64>(first + 2)? as u64,
        entries: r.get_ref(first + 3)?.as_str()?,
    }))
}

/// A value of a stored list, `[value, count, error]`; the value is borrowed from the row
/// unless it has escapes.
#[derive(serde::Deserialize)]
struct Entry<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>, u64, u64);

/// `list`'s values as `top_lists.entries` holds them: a JSON array of `[value, count,
/// error]`, most counted first.
fn entries_text(list: &TopN) -> String {
    use std::fmt::Write;
    let mut out = String::from("[");
    for (i, (value, count, error)) in list.ranked().into_iter().enumerate() {
        out.push_str(if i == 0 { "[\"" } else { ",[\"" });
        for ch in value.chars() {
            match ch {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if u32::from(c) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        let _ = write!(out, "\",{count},{error}]");
    }
    out.push(']');
    out
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

/// The clock hour of an `hours` row from column `first` on: hour, utc_offset. An hour out
/// of range (never written so) is read into the nearest hour, an offset that is not one
/// as UTC.
pub(super) fn local_hour_of_row(r: &Row<'_>, first: usize) -> rusqlite::Result<LocalHour> {
    Ok(local_hour_and_own(r, first)?.0)
}

/// The `hours.hour` of the requests logged with a date and no time, and its
/// `utc_offset` (there is no time, so no offset in force).
pub(super) const NO_HOUR: i64 = -1;
const NO_HOUR_OFFSET: &str = "-";

/// [`local_hour_of_row`], and whether the row is exactly that hour's (its own row).
fn local_hour_and_own(r: &Row<'_>, first: usize) -> rusqlite::Result<(LocalHour, bool)> {
    let hour = r.get::<_, i64>(first)?;
    let offset_text = r.get_ref(first + 1)?.as_str()?;
    let offset = UtcOffset::parse(offset_text).unwrap_or_default();
    let key = LocalHour::at(hour.clamp(0, 23) as u8, offset);
    let own = (0..24).contains(&hour) && key.offset_text() == offset_text;
    Ok((key, own))
}

impl Tx<'_, '_> {
    /// Adds `add` to what the history holds for a file and day, and returns what it now
    /// holds: merging the stored tallies with `add` ([`DayTally::merge`]) gives the same,
    /// and so does reading the file's day back ([`Tx::load_day_with`] needs no second read).
    pub fn add_file_day(&self, id: i64, day: Day, add: DayTally) -> R<DayTally> {
        let d = day_text(day);
        let (hours, no_hour) = self.add_hours(id, &d, &add.hours, &add.no_hour)?;
        Ok(DayTally {
            codes: self.add_counts("codes", "site", id, &d, add.codes)?,
            ftp_commands: self.add_counts("ftp_commands", "command", id, &d, add.ftp_commands)?,
            hours,
            no_hour,
            top: self.add_top(id, &d, add.top)?,
            httperr: self.add_reasons(id, &d, add.httperr)?,
            seen: self.add_seen(id, &d, add.seen)?,
        })
    }

    /// Widens the stored first and last times of each triple by `add`'s; returns the
    /// file's day's spans after the add.
    fn add_seen(&self, id: i64, day: &str, add: BTreeMap<Codes, Seen>) -> R<BTreeMap<Codes, Seen>> {
        let mut stored: BTreeMap<Codes, (i64, Seen)> = BTreeMap::new();
        let sql = "SELECT rowid, status, substatus, win32_status, first, last FROM seen WHERE file_id = ?1 AND day = ?2";
        self.each_row(sql, id, day, |r| {
            let get = || -> rusqlite::Result<_> {
                let seen = Seen {
                    first: r.get(4)?,
                    last: r.get(5)?,
                };
                Ok((codes_of_row(r, 1)?, r.get::<_, i64>(0)?, seen))
            };
            let (k, rowid, seen) = get().map_err(|e| self.e(e))?;
            // Two rows of one triple (never written so) are one span, as a read gives.
            stored
                .entry(k)
                .and_modify(|(row, s)| {
                    *row = rowid;
                    s.merge(seen);
                })
                .or_insert((rowid, seen));
            Ok(())
        })?;
        if !add.is_empty() {
            let prepare = |sql| self.tx.prepare_cached(sql).map_err(|e| self.e(e));
            let mut update = prepare("UPDATE seen SET first = ?2, last = ?3 WHERE rowid = ?1")?;
            let mut insert = prepare("INSERT INTO seen(file_id, day, status, substatus, win32_status, first, last) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
            for (k, seen) in add {
                let result = match stored.get_mut(&k) {
                    Some((rowid, s)) => {
                        let before = *s;
                        s.merge(seen);
                        if *s == before {
                            continue;
                        }
                        update.execute(params![*rowid, s.first, s.last])
                    }
                    None => {
                        stored.insert(k, (0, seen));
                        insert.execute(params![
                            id,
                            day,
                            code_to_sql(k.status),
                            code_to_sql(k.substatus),
                            code_to_sql(k.win32),
                            seen.first,
                            seen.last
                        ])
                    }
                };
                result.map_err(|e| self.e(e))?;
            }
        }
        Ok(stored.into_iter().map(|(k, (_, s))| (k, s)).collect())
    }

    /// Gives `f` each row of `sql`, a query of one file's day (`?1` the file's id, `?2`
    /// the day); the statement stays in the cache for the next file-day.
    fn each_row(
        &self,
        sql: &str,
        id: i64,
        day: &str,
        mut f: impl FnMut(&Row<'_>) -> R<()>,
    ) -> R<()> {
        let mut st = self.tx.prepare_cached(sql).map_err(|e| self.e(e))?;
        let mut rows = st.query(params![id, day]).map_err(|e| self.e(e))?;
        while let Some(r) = rows.next().map_err(|e| self.e(e))? {
            f(r)?;
        }
        Ok(())
    }

    /// Adds (key, triple) counts to `table` (`codes` by site, `ftp_commands` by command);
    /// returns the file's day's counts after the add.
    fn add_counts(
        &self,
        table: &str,
        key: &str,
        id: i64,
        day: &str,
        add: BTreeMap<(String, Codes), u64>,
    ) -> R<BTreeMap<(String, Codes), u64>> {
        let mut stored: BTreeMap<(String, Codes), (i64, u64)> = BTreeMap::new();
        let sql = format!("SELECT rowid, {key}, status, substatus, win32_status, count FROM {table} WHERE file_id = ?1 AND day = ?2");
        self.each_row(&sql, id, day, |r| {
            let get = || -> rusqlite::Result<_> {
                Ok((
                    (r.get::<_, String>(1)?, codes_of_row(r, 2)?),
                    (r.get::<_, i64>(0)?, r.get::<_, i64>(5)? as u64),
                ))
            };
            let (k, (rowid, n)) = get().map_err(|e| self.e(e))?;
            // Two rows of one key (never written so) are summed, as a read of the day sums
            // them; the last one takes the additions.
            let row = stored.entry(k).or_insert((rowid, 0));
            *row = (rowid, row.1 + n);
            Ok(())
        })?;
        if add.is_empty() {
            return Ok(stored.into_iter().map(|(k, (_, n))| (k, n)).collect());
        }
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
        for (k, n) in add {
            match stored.get_mut(&k) {
                Some((rowid, count)) => {
                    *count += n;
                    update.execute(params![*rowid, n as i64])
                }
                None => {
                    let result = insert.execute(params![
                        id,
                        day,
                        k.0,
                        code_to_sql(k.1.status),
                        code_to_sql(k.1.substatus),
                        code_to_sql(k.1.win32),
                        n as i64
                    ]);
                    stored.insert(k, (0, n));
                    result
                }
            }
            .map_err(|e| self.e(e))?;
        }
        Ok(stored.into_iter().map(|(k, (_, n))| (k, n)).collect())
    }

    /// Adds HTTPERR counts by (status, reason, queue) to `httperr`; returns the file's
    /// day's counts after the add. Every file-day asks (a file that is not HTTPERR has no
    /// rows: one indexed look-up), so what it returns is what a read of the day gives.
    fn add_reasons(&self, id: i64, day: &str, add: ReasonCounts) -> R<ReasonCounts> {
        let mut stored: BTreeMap<ReasonKey, (i64, u64)> = BTreeMap::new();
        let sql = "SELECT rowid, status, reason, queue, count FROM httperr WHERE file_id = ?1 AND day = ?2";
        self.each_row(sql, id, day, |r| {
            let get = || -> rusqlite::Result<_> {
                let key = ReasonKey {
                    status: code_from_sql(r.get(1)?),
                    reason: r.get(2)?,
                    queue: r.get(3)?,
                };
                Ok((key, r.get::<_, i64>(0)?, r.get::<_, i64>(4)? as u64))
            };
            let (key, rowid, n) = get().map_err(|e| self.e(e))?;
            // Two rows of one key (never written so) are summed, as a read of the day sums
            // them; the last one takes the additions.
            let row = stored.entry(key).or_insert((rowid, 0));
            *row = (rowid, row.1 + n);
            Ok(())
        })?;
        if !add.is_empty() {
            let prepare = |sql| self.tx.prepare_cached(sql).map_err(|e| self.e(e));
            let mut update = prepare("UPDATE httperr SET count = count + ?2 WHERE rowid = ?1")?;
            let mut insert = prepare("INSERT INTO httperr(file_id, day, status, reason, queue, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
            for (key, n) in add {
                let result = match stored.get_mut(&key) {
                    Some((rowid, count)) => {
                        *count += n;
                        update.execute(params![*rowid, n as i64])
                    }
                    None => {
                        let result = insert.execute(params![
                            id,
                            day,
                            code_to_sql(key.status),
                            key.reason,
                            key.queue,
                            n as i64
                        ]);
                        stored.insert(key, (0, n));
                        result
                    }
                };
                result.map_err(|e| self.e(e))?;
            }
        }
        Ok(stored.into_iter().map(|(k, (_, n))| (k, n)).collect())
    }

    /// Adds the hours that had requests to their rows (a clock hour and the offset in
    /// force; the requests in no hour to the row of hour [`NO_HOUR`]); returns the day's
    /// hours and its no-hour after the add.
    fn add_hours(
        &self,
        id: i64,
        day: &str,
        add: &BTreeMap<LocalHour, HourStats>,
        add_none: &HourStats,
    ) -> R<(BTreeMap<LocalHour, HourStats>, HourStats)> {
        // The day's hours as a read of the day builds them (each row merged into an empty
        // hour), and each hour's own row, which the additions go to.
        let mut hours: BTreeMap<LocalHour, HourStats> = BTreeMap::new();
        let mut own: BTreeMap<LocalHour, HourStats> = BTreeMap::new();
        let (mut no_hour, mut own_none) = (HourStats::default(), None);
        let sql = "SELECT hour, utc_offset, other, c1xx, c2xx, c3xx, c4xx, c5xx, tt_count, tt_sum, tt_hist FROM hours WHERE file_id = ?1 AND day = ?2";
        self.each_row(sql, id, day, |r| {
            let get = || -> rusqlite::Result<_> {
                let none = r.get::<_, i64>(0)? == NO_HOUR;
                let own_none = none && r.get_ref(1)?.as_str()? == NO_HOUR_OFFSET;
                Ok((
                    none,
                    own_none,
                    local_hour_and_own(r, 0)?,
                    hour_of_row(r, 2)?,
                ))
            };
            let (none, is_own_none, (key, is_own), h) = get().map_err(|e| self.e(e))?;
            if none {
                no_hour.merge(&h);
                if is_own_none {
                    own_none = Some(h);
                }
                return Ok(());
            }
            // A row that is not exactly its hour's (never written so) is read as a read
            // of the day reads it, but is no hour's own row.
            hours.entry(key).or_default().merge(&h);
            if is_own {
                own.insert(key, h);
            }
            Ok(())
        })?;
        for (key, h) in add {
            if h.requests() == 0 {
                continue;
            }
            let mut sum = own.remove(key);
            let exists = sum.is_some();
            let sum = sum.get_or_insert_with(HourStats::default);
            sum.merge(h);
            hours.entry(*key).or_default().merge(h);
            self.write_hour(
                id,
                day,
                (i64::from(key.hour), &key.offset_text()),
                sum,
                exists,
            )?;
        }
        if add_none.requests() > 0 {
            let exists = own_none.is_some();
            let mut sum = own_none.unwrap_or_default();
            sum.merge(add_none);
            no_hour.merge(add_none);
            self.write_hour(id, day, (NO_HOUR, NO_HOUR_OFFSET), &sum, exists)?;
        }
        Ok((hours, no_hour))
    }

    /// Writes the row of one hour (`hour`, `utc_offset`; [`NO_HOUR`] for the requests in
    /// no hour) of a file's day: its new whole `sum`, over the row when it `exists`.
    fn write_hour(
        &self,
        id: i64,
        day: &str,
        (hour, offset): (i64, &str),
        sum: &HourStats,
        exists: bool,
    ) -> R<()> {
        let sql = if exists {
            "UPDATE hours SET other = ?5, c1xx = ?6, c2xx = ?7, c3xx = ?8, c4xx = ?9, c5xx = ?10, tt_count = ?11, tt_sum = ?12, tt_hist = ?13 WHERE file_id = ?1 AND day = ?2 AND hour = ?3 AND utc_offset = ?4"
        } else {
            "INSERT INTO hours(file_id, day, hour, utc_offset, other, c1xx, c2xx, c3xx, c4xx, c5xx, tt_count, tt_sum, tt_hist) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        };
        let c = sum.classes.map(|v| v as i64);
        self.tx
            .prepare_cached(sql)
            .and_then(|mut st| {
                st.execute(params![
                    id,
                    day,
                    hour,
                    offset,
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
            .map(drop)
            .map_err(|e| self.e(e))
    }

    /// Takes a stored list into `list` as every read does: its counted values and floor
    /// replace the list's, its values are added.
    pub(super) fn absorb(&self, row: &ListRow<'_>, list: &mut TopN) -> R<()> {
        let values: Vec<Entry<'_>> =
            serde_json::from_str(row.entries).map_err(|e| HistoryError::Corrupt {
                path: self.path.to_path_buf(),
                detail: format!(
                    "a top list's entries (table top_lists) are not a JSON array of [value, count, error]: {e}"
                ),
            })?;
        list.total = row.counted;
        list.floor = row.floor;
        for Entry(value, count, error) in values {
            list.push_stored(&value, count, error);
        }
        Ok(())
    }

    /// Merges the top lists of the codes in `add` into their stored lists, and rewrites
    /// the lists that changed (one row each); returns the file's day's lists after the add.
    fn add_top(
        &self,
        id: i64,
        day: &str,
        add: BTreeMap<ErrorKey, TopPair>,
    ) -> R<BTreeMap<ErrorKey, TopPair>> {
        // A few dozen lists: the fast hash is fine.
        let mut stored: HashMap<(ErrorKey, usize), StoredList, BuildHasherDefault<KeyHasher>> =
            HashMap::default();
        let sql = "SELECT rowid, status, substatus, kind, counted, floor, entries FROM top_lists WHERE file_id = ?1 AND day = ?2";
        self.each_row(sql, id, day, |r| {
            let get = || -> rusqlite::Result<_> {
                let rowid: i64 = r.get(0)?;
                let key = (
                    u32::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    code_from_sql(r.get(2)?),
                );
                Ok(list_of_row(r, 3)?.map(|l| (rowid, key, l)))
            };
            let Some((rowid, key, row)) = get().map_err(|e| self.e(e))? else {
                return Ok(());
            };
            let s = stored.entry((key, row.kind)).or_default();
            self.absorb(&row, &mut s.list)?;
            match s.row {
                None => {
                    s.row = Some((
                        rowid,
                        row.counted as i64,
                        row.floor as i64,
                        row.entries.to_string(),
                    ))
                }
                Some(_) => s.extra.push(rowid),
            }
            Ok(())
        })?;
        let mut day_top: BTreeMap<ErrorKey, TopPair> = BTreeMap::new();
        if !add.is_empty() {
            // Prepared once for all the lists, not looked up in the cache for each.
            let prepare = |sql| self.tx.prepare_cached(sql).map_err(|e| self.e(e));
            let mut insert = prepare("INSERT INTO top_lists(file_id, day, status, substatus, kind, counted, floor, entries) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
            let mut update = prepare(
                "UPDATE top_lists SET counted = ?2, floor = ?3, entries = ?4 WHERE rowid = ?1",
            )?;
            let mut delete = prepare("DELETE FROM top_lists WHERE rowid = ?1")?;
            for ((status, sub), pair) in add {
                let TopPair { uris, ips, users } = pair;
                for (kind, list) in [uris, ips, users].into_iter().enumerate() {
                    let StoredList {
                        list: mut merged,
                        row,
                        extra,
                    } = stored.remove(&((status, sub), kind)).unwrap_or_default();
                    // User names are kept for failed FTP logins only: no rows for the others.
                    if KINDS[kind] == "user" && row.is_none() && list.total == 0 {
                        continue;
                    }
                    merged.merge(list);
                    let new = (
                        merged.total as i64,
                        merged.floor as i64,
                        entries_text(&merged),
                    );
                    let result = match row {
                        Some((rowid, counted, floor, entries)) => {
                            if (counted, floor, entries) == new {
                                Ok(0)
                            } else {
                                update.execute(params![rowid, new.0, new.1, new.2])
                            }
                        }
                        None => insert.execute(params![
                            id,
                            day,
                            i64::from(status),
                            code_to_sql(sub),
                            KINDS[kind],
                            new.0,
                            new.1,
                            new.2
                        ]),
                    };
                    result.map_err(|e| self.e(e))?;
                    for rowid in extra {
                        delete.execute([rowid]).map_err(|e| self.e(e))?;
                    }
                    *day_top.entry((status, sub)).or_default().kind_mut(kind) = merged;
                }
            }
        }
        // The lists of codes this run did not see, as they are stored.
        for ((key, kind), old) in stored {
            day_top
                .entry(key)
                .or_default()
                .kind_mut(kind)
                .merge(old.list);
        }
        Ok(day_top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::BUCKETS;
    use crate::history::{new_history, with_one_file, FileDay};
    use crate::service::Service;
    use crate::tally::Code;

    /// Hour 23 at UTC.
    const H23: LocalHour = LocalHour::at(23, UtcOffset::UTC);

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
            // One request in 25 logs a date and no time: no hour.
            let h = match ((r >> 24) % 25) as u8 {
                24 => &mut t.no_hour,
                hour => t
                    .hours
                    .entry(LocalHour::at(hour, UtcOffset::UTC))
                    .or_default(),
            };
            h.classes[(status / 100) as usize] += 1;
            if r & 0x10000 != 0 {
                h.tt_count += 1;
                h.tt_sum += (r >> 32) % 5000;
                h.hist.resize(BUCKETS, 0);
                h.hist[((r >> 40) % BUCKETS as u64) as usize] += 1;
            }
            if status >= 400 {
                // A minute of the day: runs widen the spans of triples they share.
                let at = 1_795_478_400 + ((r >> 10) % 1440) as i64 * 60;
                crate::collect::merge_seen(&mut t.seen, codes, crate::collect::Seen::at(at));
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
            if r & 0x40000 != 0 {
                // HTTPERR reasons: a 503 with its pool, others with no status and queue `-`.
                let (status, reason, queue) = match (r >> 50) % 4 {
                    0 => (
                        Code::Value(503),
                        "QueueFull",
                        format!("Pool{}", (r >> 53) % 3),
                    ),
                    1 => (Code::Empty, "Timer_ConnectionIdle", "-".to_string()),
                    2 => (Code::Value(400), "Hostname", "-".to_string()),
                    _ => (Code::NotLogged, "-", "-".to_string()),
                };
                let key = ReasonKey {
                    status,
                    reason: reason.to_string(),
                    queue,
                };
                *t.httperr.entry(key).or_insert(0) += 1;
            }
        }
        t
    }

    /// Added to the history run by run, a file's day holds what merging the runs'
    /// tallies in memory gives; every list is one row, and `top` shows one row per value
    /// kept plus the list's own.
    #[test]
    fn runs_added_in_place_equal_their_merge() {
        let (_dir, path, mut store, day) = new_history();
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
            let holds = q.add_file_day(id, day, add).unwrap();
            // What the add returns is what the file's day now holds.
            assert_eq!(holds, want, "run {i}");
            let fresh = vec![(id, Service::Http, holds)];
            assert_eq!(
                q.load_day_with(day, fresh).unwrap(),
                q.load_day(day).unwrap()
            );
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
        let count = |sql: &str| -> i64 { tx.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert!(want.no_hour.requests() > 0);
        assert!(want.seen.values().any(|s| s.first < s.last));
        assert_eq!(
            count(
                "SELECT sum(other + c1xx + c2xx + c3xx + c4xx + c5xx) FROM hours WHERE hour = -1"
            ),
            want.no_hour.requests() as i64,
            "requests in no hour are the row of hour -1"
        );
        assert_eq!(
            count("SELECT count(*) FROM (SELECT 1 FROM top GROUP BY status, substatus, kind, value HAVING count(*) > 1)"),
            0,
            "a value or a list's own row stored twice"
        );
        assert_eq!(
            count("SELECT count(*) FROM (SELECT 1 FROM top_lists GROUP BY status, substatus, kind HAVING count(*) > 1)"),
            0,
            "a list stored in two rows"
        );
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

    /// A day read with some files' tallies taken from memory (what their adds returned)
    /// is the day read whole from the rows: whichever files are in memory, whatever their
    /// place in the order lists are merged in, and with another service beside them.
    #[test]
    fn a_day_read_with_files_in_memory_is_the_day_read_from_rows() {
        let (_dir, path, store, day) = new_history();
        let tx = store.begin().unwrap();
        let q = Tx {
            tx: &tx,
            path: &path,
        };
        let files = [
            ("W3SVC1/u_ex261123.log", Service::Http),
            ("W3SVC2/u_ex261123.log", Service::Http),
            ("MSFTPSVC1/u_ex261123.log", Service::Ftp),
            ("W3SVC3/u_ex261123.log", Service::Http),
        ];
        let ids: Vec<i64> = files
            .iter()
            .map(|(p, svc)| q.add_file(p, *svc, "now").unwrap())
            .collect();
        let mut holds = Vec::new();
        for (i, (&id, &(_, svc))) in ids.iter().zip(&files).enumerate() {
            // Overflowing lists in some files, so that merging them drops values.
            let seed = 31 + 2 * i as u64;
            q.add_file_day(id, day, run_tally(seed, [30, 400, 260, 30][i]))
                .unwrap();
            let again = q.add_file_day(id, day, run_tally(seed + 100, 260)).unwrap();
            holds.push((id, svc, again));
        }
        let whole = q.load_day(day).unwrap();
        assert_eq!(whole.len(), 2, "HTTP and FTP");
        assert!(whole[&Service::Http].top.values().any(|p| p.ips.floor > 0));
        // Every subset of the four files in memory.
        for mask in 1..16u32 {
            let fresh: Vec<FileDay> = holds
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, h)| h.clone())
                .collect();
            assert_eq!(
                q.load_day_with(day, fresh).unwrap(),
                whole,
                "files {mask:04b}"
            );
        }
    }

    /// Values with quotes, backslashes, control characters and non-ASCII text come back
    /// as they went in, read by iislog and through the `top` view (SQLite's JSON).
    #[test]
    fn list_values_round_trip_as_json() {
        let (_dir, path, store, day) = new_history();
        let values = [
            "/a\"b",
            "C:\\x\\",
            "tab\there\u{1}",
            "/caf\u{e9}/\u{65e5}\u{672c}",
            "",
        ];
        let mut add = DayTally::default();
        let pair = add.top.entry((404, Code::Value(0))).or_default();
        for (i, v) in values.iter().enumerate() {
            for _ in 0..=i {
                pair.uris.add(v.as_bytes());
            }
        }
        with_one_file(&store, &path, |q, id| {
            let holds = q.add_file_day(id, day, add.clone()).unwrap();
            let read = q.load_day(day).unwrap().remove(&Service::Http).unwrap();
            assert_eq!(read.top, holds.top);
            let want: Vec<(String, i64)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (v.to_string(), i as i64 + 1))
                .rev()
                .collect();
            let got: Vec<(String, i64)> = q
                .tx
                .prepare("SELECT value, count FROM top WHERE kind = 'uri' AND value IS NOT NULL ORDER BY count DESC")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(got, want);
            let from_memory: Vec<(String, i64)> = read.top[&(404, Code::Value(0))]
                .uris
                .sorted()
                .iter()
                .map(|c| (c.value.to_string(), c.count as i64))
                .collect();
            assert_eq!(from_memory, want);
        });
    }

    /// A list whose entries are not what iislog writes (edited by hand, damaged) stops
    /// the add and the read with the history's "damaged" error, never a crash.
    #[test]
    fn a_damaged_list_is_an_error() {
        let (_dir, path, store, day) = new_history();
        with_one_file(&store, &path, |q, id| {
            q.add_file_day(id, day, run_tally(47, 30)).unwrap();
            let n = q
                .tx
                .execute(
                    "UPDATE top_lists SET entries = '[[\"/p1\", 3' WHERE rowid = (SELECT min(rowid) FROM top_lists)",
                    [],
                )
                .unwrap();
            assert_eq!(n, 1);
            let add = q.add_file_day(id, day, run_tally(53, 30)).err().unwrap();
            assert!(matches!(add, HistoryError::Corrupt { .. }), "{add}");
            assert!(add.to_string().contains("top_lists"), "{add}");
            let read = q.load_day(day).err().unwrap();
            assert!(matches!(read, HistoryError::Corrupt { .. }), "{read}");
        });
    }

    /// Rows iislog never writes (two rows of one status triple, an hour out of range, a
    /// kind of list it does not know, two rows of one list), put in by hand: the add still
    /// returns what a read of the day gives, its additions are not lost, and a list it
    /// rewrites is one row again.
    #[test]
    fn an_add_over_rows_edited_by_hand_returns_what_a_read_gives() {
        let (_dir, path, store, day) = new_history();
        with_one_file(&store, &path, |q, id| {
            q.add_file_day(id, day, run_tally(41, 30)).unwrap();
            for sql in [
                "INSERT INTO codes(file_id, day, site, status, substatus, win32_status, count) SELECT file_id, day, site, status, substatus, win32_status, 5 FROM codes LIMIT 1",
                "INSERT INTO hours(file_id, day, hour, utc_offset, other, c1xx, c2xx, c3xx, c4xx, c5xx, tt_count, tt_sum, tt_hist) VALUES (?1, '2026-11-23', 30, '+00:00', 0, 0, 7, 0, 0, 0, 0, 0, '')",
                "INSERT INTO top_lists(file_id, day, status, substatus, kind, counted, floor, entries) VALUES (?1, '2026-11-23', 404, 0, 'referer', 3, 0, '[[\"x\",3,0]]')",
                "INSERT INTO top_lists(file_id, day, status, substatus, kind, counted, floor, entries) SELECT file_id, day, status, substatus, kind, 2, 0, '[[\"/p1\",2,0],[\"/extra\",1,0]]' FROM top_lists WHERE status = 404 AND kind = 'uri' LIMIT 1",
                "INSERT INTO httperr(file_id, day, status, reason, queue, count) SELECT file_id, day, status, reason, queue, 4 FROM httperr LIMIT 1",
            ] {
                let n = if sql.contains("?1") {
                    q.tx.execute(sql, [id])
                } else {
                    q.tx.execute(sql, [])
                };
                assert_eq!(n.unwrap(), 1, "{sql}");
            }
            let mut add = run_tally(43, 30);
            add.hours.entry(H23).or_default().classes[2] += 11;
            let holds = q.add_file_day(id, day, add).unwrap();
            let read = q.load_day(day).unwrap();
            assert_eq!(read.len(), 1);
            // Part by part: a whole day's difference prints thousands of lines.
            let read = &read[&Service::Http];
            assert!(read.codes == holds.codes, "codes differ");
            assert!(read.hours == holds.hours, "hours differ");
            assert!(
                read.ftp_commands == holds.ftp_commands,
                "FTP commands differ"
            );
            assert!(read.top == holds.top, "top lists differ");
            assert!(read.httperr == holds.httperr, "HTTPERR reasons differ");
            // Hour 23 holds its own row's requests and the out-of-range row's 7, and the 11
            // added went to its own row.
            let own_23: i64 =
                q.tx.query_row(
                    "SELECT c2xx FROM hours WHERE file_id = ?1 AND hour = 23",
                    [id],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(holds.hours[&H23].classes[2], own_23 as u64 + 7);
            let lists: i64 =
                q.tx.query_row(
                    "SELECT count(*) FROM top_lists WHERE status = 404 AND substatus = 0 AND kind = 'uri'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(lists, 1);
            assert!(holds.top[&(404, Code::Value(0))]
                .uris
                .sorted()
                .iter()
                .any(|c| &*c.value == "/extra"));
        });
    }
}
