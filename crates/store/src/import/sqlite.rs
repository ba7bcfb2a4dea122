//! The import into a SQLite file through a direct connection (rusqlite): one `BEGIN IMMEDIATE`
//! transaction, prepared statements reused row after row, the population's own strings bound as
//! they are (dates and CPR numbers formatted on the stack), the snapshot's parts written in the
//! same transaction. The same decisions as the sqlx path ([`super::plan`]); the conformance suite
//! holds the two to the same result.

use std::path::Path;

use kadence_core::model::Population;
use kadence_import::Loaded;
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::{params, params_from_iter, Connection, TransactionBehavior};

use super::{caseworker_numbers, ImportStep, Planner, StoredByCourse, ToWrite, V};
use super::{CONVERSATION_COLS, COURSE_COLS, MEDICAL_COLS, REHAB_COLS, STANDBY_COLS};
use crate::load::{self, sqlite_error};
use crate::snapshot::{self, kept};
use crate::{hex, now, FileMeta, ImportSummary, Result, Store};

impl ToSql for V<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            V::Null => ValueRef::Null,
            V::Int(i) => ValueRef::Integer(*i),
            V::Str(s) => ValueRef::Text(s.as_bytes()),
            V::Date(b) => ValueRef::Text(b),
            V::Cpr(b) => ValueRef::Text(b),
            // Written by number only (`V::written`): its key never goes into the column.
            V::Caseworker(..) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "en sagsbehandlers nøgle hvor nummeret skrives".into(),
                ))
            }
        }))
    }
}

/// `INSERT INTO table (cols..., extra...) VALUES (?, ...)`.
fn insert(table: &str, cols: &[&str], extra: &[&str]) -> String {
    let all: Vec<&str> = cols.iter().chain(extra).copied().collect();
    let marks = vec!["?"; all.len()].join(", ");
    format!("INSERT INTO {table} ({}) VALUES ({marks})", all.join(", "))
}

impl Store {
    /// Returns the summary, and whether the snapshot is to be read from the tables after the
    /// commit (there was none to merge the export into).
    pub(super) fn import_direct(
        &self,
        path: &Path,
        loaded: &Loaded,
        files: &[FileMeta],
        source: &str,
        step: &mut dyn FnMut(ImportStep),
    ) -> Result<(ImportSummary, bool)> {
        let mut conn = Connection::open(path).map_err(sqlite_error)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(sqlite_error)?;
        // As the pool's connections (`Store::open`); a larger page cache for the bulk write:
        // 16 MiB, as fast as 64 MiB for the whole country and 48 MB less resident (the import's
        // peak memory, docs/performance.md).
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;")
            .map_err(sqlite_error)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite_error)?;
        let (summary, rebuild) = write(&tx, self.part_size, loaded, files, source, step)?;
        tx.commit().map_err(sqlite_error)?;
        // A new file's first import is written with a rollback journal (`Store::open`); from now
        // on WAL, so readers never wait for the next import. A reader busy at this very moment
        // makes SQLite keep the journal mode; the next `Store::open` turns WAL on then.
        let _ = conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()));
        Ok((summary, rebuild))
    }
}

fn write(
    tx: &Connection,
    part_size: usize,
    loaded: &Loaded,
    files: &[FileMeta],
    source: &str,
    step: &mut dyn FnMut(ImportStep),
) -> Result<(ImportSummary, bool)> {
    let e = sqlite_error;
    let started_at = now();
    let pop = &loaded.population;
    let batch_id: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM import_batch",
            [],
            |r| r.get(0),
        )
        .map_err(e)?;
    let was_empty: bool = tx
        .query_row(super::POPULATION_IS_EMPTY, [], |r| r.get(0))
        .map_err(e)?;

    // Courses: compare content hashes. The stored hashes are read first; then a second thread
    // goes through the export's courses, building each one's rows and hash once (3.4 s for the
    // country) and handing those to write to this thread, which meanwhile writes the teams,
    // caseworkers and citizens, and then the courses as they come.
    let stored = {
        let mut q = tx
            .prepare("SELECT key, content_hash FROM course")
            .map_err(e)?;
        let mut rows = q.query([]).map_err(e)?;
        StoredByCourse::read(pop, |each| {
            while let Some(r) = rows.next().map_err(e)? {
                // Borrowed from SQLite's row: no string made per stored course.
                let key = r.get_ref(0).and_then(|v| Ok(v.as_str()?)).map_err(e)?;
                let hash = r.get_ref(1).and_then(|v| Ok(v.as_str()?)).map_err(e)?;
                each(key, hash);
            }
            Ok::<(), crate::StoreError>(())
        })?
    };
    let total = pop.courses.len() as u64;
    let (summary, mut changed) = std::thread::scope(|s| {
        // A few chunks ahead at most: the rows wait here only until they are written.
        let (send, chunks) = std::sync::mpsc::sync_channel::<(u64, Vec<ToWrite<'_>>)>(4);
        let stored = &stored;
        let planner = s.spawn(move || {
            let mut planner = Planner::new(loaded, batch_id);
            let mut chunk = Vec::with_capacity(PLANNED_CHUNK);
            for id in pop.course_ids() {
                chunk.extend(planner.consider(pop, id, stored));
                if chunk.len() == PLANNED_CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(PLANNED_CHUNK));
                    if send.send((id.index() as u64 + 1, full)).is_err() {
                        // The writer failed; the import is rolled back.
                        return planner.summary;
                    }
                }
            }
            let _ = send.send((total, chunk));
            planner.summary
        });
        let written = write_people(tx, pop, batch_id).and_then(|(changed, caseworkers)| {
            write_courses(tx, pop, &caseworkers, batch_id, total, chunks, step).map(|()| changed)
        });
        let summary = planner
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        written.map(|changed| (summary, changed))
    })?;
    drop(stored);

    tx.execute(
        "INSERT INTO import_batch (id, started_at, finished_at, source, rows_read, courses_inserted, courses_updated, courses_unchanged, rows_repaired, rows_rejected)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            batch_id,
            started_at,
            now(),
            source,
            summary.rows_read as i64,
            summary.courses_inserted as i64,
            summary.courses_updated as i64,
            summary.courses_unchanged as i64,
            summary.rows_repaired as i64,
            summary.rows_rejected as i64,
        ],
    )
    .map_err(e)?;
    {
        let mut file = tx
            .prepare(
                "INSERT INTO import_file (batch_id, name, size_bytes, sha256, rows_read, encoding)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(e)?;
        for f in files {
            file.execute(params![
                batch_id,
                f.name,
                f.size_bytes as i64,
                f.sha256,
                f.rows as i64,
                f.encoding
            ])
            .map_err(e)?;
        }
    }

    changed |= summary.courses_inserted + summary.courses_updated > 0;
    // The snapshot follows in the same transaction: the one before, with the export merged in
    // as the statements above merged it into the tables. Without one to start from (a database
    // of an earlier version, or one whose snapshot was refused) none is kept, and the tables are
    // read once after the commit.
    let mut rebuild = false;
    if changed {
        step(ImportStep::Snapshot);
        let before = kept::population_version_sqlite(tx)?;
        let prev = if was_empty {
            Some(snapshot::Decoded::default())
        } else {
            kept::read_sqlite(tx, before)?.ok()
        };
        let version = kept::bump_population_version_sqlite(tx)?;
        match prev {
            Some(prev) => {
                let after = snapshot::merge::AfterImport::new(&prev.population, pop);
                kept::write_sqlite(tx, version, after.parts(version, part_size))?;
            }
            None => {
                kept::write_sqlite(tx, version, std::iter::empty())?;
                rebuild = true;
            }
        }
    }
    tx.execute(
        "UPDATE data_generation SET generation = generation + 1 WHERE id = 1",
        [],
    )
    .map_err(e)?;
    Ok((summary, rebuild))
}

/// Courses handed over in chunks per this many courses to write.
const PLANNED_CHUNK: usize = 1024;

/// The courses to write as the planning thread hands them over, each after deleting the stored
/// course it replaces. `chunks` gives how many of the export's `total` courses were gone through.
///
/// A new course is numbered the next above the highest stored; a changed one keeps its number,
/// found by its key (one look-up in the key's index per changed course), and its stored facts are
/// deleted by it.
fn write_courses<'a>(
    tx: &Connection,
    pop: &'a Population,
    caseworkers: &[i64],
    batch_id: i64,
    total: u64,
    chunks: std::sync::mpsc::Receiver<(u64, Vec<ToWrite<'a>>)>,
    step: &mut dyn FnMut(ImportStep),
) -> Result<()> {
    let e = sqlite_error;
    let mut next_id: i64 = tx
        .query_row(super::HIGHEST_COURSE_ID, [], |r| r.get(0))
        .map_err(e)?;
    let mut stored_id = tx
        .prepare("SELECT id FROM course WHERE key = ?1")
        .map_err(e)?;
    let mut deletes = Vec::new();
    for table in [
        "conversation",
        "standby_period",
        "medical_request",
        "rehab_meeting",
        "course",
    ] {
        let column = if table == "course" { "id" } else { "course_id" };
        let sql = format!("DELETE FROM {table} WHERE {column} = ?1");
        deletes.push(tx.prepare(&sql).map_err(e)?);
    }
    let mut course = tx
        .prepare(&insert(
            "course",
            COURSE_COLS,
            &["content_hash", "batch_id", "id"],
        ))
        .map_err(e)?;
    let mut conversation = tx
        .prepare(&insert("conversation", CONVERSATION_COLS, &["batch_id"]))
        .map_err(e)?;
    let mut standby = tx
        .prepare(&insert("standby_period", STANDBY_COLS, &["batch_id"]))
        .map_err(e)?;
    let mut medical = tx
        .prepare(&insert("medical_request", MEDICAL_COLS, &["batch_id"]))
        .map_err(e)?;
    let mut rehab = tx
        .prepare(&insert("rehab_meeting", REHAB_COLS, &["batch_id"]))
        .map_err(e)?;
    let batch = V::Int(batch_id);
    step(ImportStep::Courses { done: 0, total });
    for (done, chunk) in chunks {
        for w in chunk {
            let id = if w.replaces {
                let key = pop.courses[w.id.index()].key.as_str();
                let id: i64 = stored_id.query_row([key], |r| r.get(0)).map_err(e)?;
                for d in deletes.iter_mut() {
                    d.execute([id]).map_err(e)?;
                }
                id
            } else {
                next_id += 1;
                next_id
            };
            let hash = hex(&w.hash);
            let id = V::Int(id);
            let extra = [V::Str(&hash), batch, id];
            let values = w.rows.course.iter().map(|v| v.written(caseworkers));
            course
                .execute(params_from_iter(values.chain(extra)))
                .map_err(e)?;
            let facts = Facts {
                course: id,
                batch,
                caseworkers,
            };
            facts.insert_all(&mut conversation, &w.rows.conversations)?;
            facts.insert_all(&mut standby, &w.rows.standby)?;
            facts.insert_all(&mut medical, &w.rows.medical)?;
            facts.insert_all(&mut rehab, &w.rows.rehab)?;
        }
        step(ImportStep::Courses { done, total });
    }
    Ok(())
}

/// Teams, caseworkers, citizens: inserts new ones, updates changed ones, leaves equal rows alone.
/// Whether any changed (an unchanged export leaves the population's version and its snapshot),
/// and each of the export's caseworkers' numbers.
fn write_people(tx: &Connection, pop: &Population, batch_id: i64) -> Result<(bool, Vec<i64>)> {
    let e = sqlite_error;
    let mut changed = false;
    let caseworkers;
    {
        let mut team = tx
            .prepare(
                "INSERT INTO team (key, name, batch_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET name = excluded.name, batch_id = excluded.batch_id
                 WHERE team.name <> excluded.name",
            )
            .map_err(e)?;
        for t in &pop.teams {
            changed |= team.execute(params![t.key, t.name, batch_id]).map_err(e)? > 0;
        }
        let stored: load::Map<i64> = {
            let mut q = tx.prepare("SELECT key, id FROM caseworker").map_err(e)?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(e)?;
            rows.collect::<rusqlite::Result<_>>().map_err(e)?
        };
        caseworkers = caseworker_numbers(pop, &stored);
        let mut worker = tx
            .prepare(
                "INSERT INTO caseworker (id, key, name, team_key, batch_id) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (key) DO UPDATE SET name = excluded.name, team_key = excluded.team_key, batch_id = excluded.batch_id
                 WHERE caseworker.name <> excluded.name OR caseworker.team_key <> excluded.team_key",
            )
            .map_err(e)?;
        for (c, id) in pop.caseworkers.iter().zip(&caseworkers) {
            let team = &pop.teams[c.team.index()].key;
            changed |= worker
                .execute(params![id, c.key, c.name, team, batch_id])
                .map_err(e)?
                > 0;
        }
    }
    {
        // In the order of the CPR index: an export lists citizens in no order, and inserting
        // 2.8 M keys at random places in the index took 4.2 s where the same keys in order took
        // 0.9 s (the index's pages stay in the cache; docs/performance.md).
        // Each citizen as one number, the CPR number's ten digits above the citizen's index
        // (30 bits): sorted, they are in the index's order. 8 bytes a citizen where a pair of the
        // CPR text and the index took 24: at the country's 2.8 M citizens 67 MB, which were the
        // import's peak (the population built, the courses not yet written).
        if pop.citizens.len() >= 1 << CITIZEN_BITS {
            return Err(crate::StoreError::TooLarge(format!(
                "{} borgere i én import",
                pop.citizens.len()
            )));
        }
        let mut order: Vec<u64> = pop
            .citizens
            .iter()
            .enumerate()
            .map(|(i, c)| (c.cpr.as_number() << CITIZEN_BITS) | i as u64)
            .collect();
        order.sort_unstable();
        // The stored citizens in the same order, walked beside the export's (a merge: no map of
        // every stored name); what to write is decided first and written after the walk, so no
        // row is written under the open cursor.
        let mut inserts: Vec<u32> = Vec::new();
        let mut renames: Vec<u32> = Vec::new();
        {
            let mut q = tx
                .prepare("SELECT cpr, name FROM citizen ORDER BY cpr")
                .map_err(e)?;
            let mut rows = q.query([]).map_err(e)?;
            // The stored citizen under the cursor: its CPR number's bytes and its name, copied into
            // buffers reused row after row.
            let mut cpr: Vec<u8> = Vec::new();
            let mut name = String::new();
            let mut advance = |cpr: &mut Vec<u8>, name: &mut String| -> Result<bool> {
                let Some(r) = rows.next().map_err(e)? else {
                    return Ok(false);
                };
                cpr.clear();
                cpr.extend_from_slice(r.get_ref(0).and_then(|v| Ok(v.as_bytes()?)).map_err(e)?);
                name.clear();
                name.push_str(r.get_ref(1).and_then(|v| Ok(v.as_str()?)).map_err(e)?);
                Ok(true)
            };
            let mut more = advance(&mut cpr, &mut name)?;
            for &sorted in &order {
                let i = (sorted & ((1 << CITIZEN_BITS) - 1)) as u32;
                let key = pop.citizens[i as usize].cpr.reveal_ascii();
                // SQLite's ORDER BY compares text as bytes, shorter first on a tie: as slices do.
                while more && cpr.as_slice() < key.as_slice() {
                    more = advance(&mut cpr, &mut name)?;
                }
                if more && cpr.as_slice() == key.as_slice() {
                    if name != pop.citizens[i as usize].name {
                        renames.push(i);
                    }
                } else {
                    inserts.push(i);
                }
            }
        }
        changed |= !inserts.is_empty() || !renames.is_empty();
        let mut insert_citizen = tx
            .prepare("INSERT INTO citizen (cpr, name, batch_id) VALUES (?1, ?2, ?3)")
            .map_err(e)?;
        drop(order);
        for i in inserts {
            let c = &pop.citizens[i as usize];
            insert_citizen
                .execute(params![
                    V::Cpr(c.cpr.reveal_ascii()),
                    c.name.as_str(),
                    batch_id
                ])
                .map_err(e)?;
        }
        let mut rename = tx
            .prepare("UPDATE citizen SET name = ?1, batch_id = ?2 WHERE cpr = ?3")
            .map_err(e)?;
        for i in renames {
            let c = &pop.citizens[i as usize];
            rename
                .execute(params![
                    c.name.as_str(),
                    batch_id,
                    V::Cpr(c.cpr.reveal_ascii())
                ])
                .map_err(e)?;
        }
    }

    Ok((changed, caseworkers))
}

/// The bits of a citizen's index below its CPR number in the sorted order of `write_people`
/// (a CPR number's ten digits need 34 of the 64).
const CITIZEN_BITS: u32 = 30;

/// What a course's fact rows are written with.
struct Facts<'a, 'c> {
    /// The course's number, in place of its key.
    course: V<'a>,
    batch: V<'a>,
    caseworkers: &'c [i64],
}

impl Facts<'_, '_> {
    /// Every row of one kind of fact: the course's number in place of its key, then the row's
    /// other values as written, then the batch.
    fn insert_all<const N: usize>(
        &self,
        stmt: &mut rusqlite::Statement<'_>,
        rows: &[[V<'_>; N]],
    ) -> Result<()> {
        for r in rows {
            let values = std::iter::once(self.course)
                .chain(r[1..].iter().map(|v| v.written(self.caseworkers)))
                .chain([self.batch]);
            stmt.execute(params_from_iter(values))
                .map_err(sqlite_error)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kadence_core::cpr::Cpr;
    use kadence_core::date::Day;

    /// `write_people` walks the export's citizens sorted by number beside the stored ones sorted
    /// by text: the two orders must be one.
    #[test]
    fn cpr_numbers_sort_as_their_text() {
        let mut cprs: Vec<Cpr> = [(1958, 1, 1), (1999, 12, 31), (2004, 2, 29), (1980, 10, 9)]
            .iter()
            .flat_map(|&(y, m, d)| {
                [0u16, 1, 9, 10, 999, 1000, 9999].map(|s| Cpr::synthetic(Day::ymd(y, m, d), s))
            })
            .collect();
        let mut by_number = cprs.clone();
        by_number.sort_by_key(Cpr::as_number);
        cprs.sort_by_key(|c| c.reveal_ascii());
        assert_eq!(by_number, cprs);
        let last = cprs.last().unwrap().as_number();
        assert!(last < 10_000_000_000 && last << CITIZEN_BITS >> CITIZEN_BITS == last);
    }
}
