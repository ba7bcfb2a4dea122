//! The import through sqlx: PostgreSQL, and an in-memory SQLite (`super` has the plan and the
//! rows' values; a SQLite file goes through `super::sqlite`).

use futures_util::TryStreamExt;
use kadence_import::Loaded;
use sqlx::{AnyConnection, Row};

use super::{
    caseworker_numbers, course_values, plan, unhex32, ImportStep, Plan, CONVERSATION_COLS,
    COURSE_COLS, MEDICAL_COLS, REHAB_COLS, STANDBY_COLS, V,
};
use crate::{
    bump_generation, hex, insert_rows, load, now, placeholder, snapshot, t, Backend, FileMeta,
    ImportSummary, Result, Store, Val, MAX_BINDS,
};

impl V<'_> {
    /// The value as sqlx binds it, as written ([`V::written`]): no caseworker is an integer
    /// column's NULL.
    fn to_val(self, caseworkers: &[i64]) -> Val {
        match self.written(caseworkers) {
            V::Int(i) => Val::Int(i),
            V::Null if matches!(self, V::Caseworker(None)) => Val::NullInt,
            V::Null => Val::Text(None),
            text => Val::Text(text.text().map(str::to_string)),
        }
    }
}

/// Rows for one table, written in statements of one fixed size so that the prepared statement is reused;
/// [`Batcher::finish`] writes the remainder.
struct Batcher {
    table: &'static str,
    cols: Vec<&'static str>,
    per: usize,
    rows: Vec<Vec<Val>>,
}

impl Batcher {
    fn new(table: &'static str, cols: Vec<&'static str>) -> Batcher {
        let per = (MAX_BINDS / cols.len()).clamp(1, 1000);
        Batcher {
            table,
            cols,
            per,
            rows: Vec::with_capacity(per),
        }
    }

    async fn push(
        &mut self,
        conn: &mut AnyConnection,
        backend: Backend,
        row: Vec<Val>,
    ) -> Result<()> {
        self.rows.push(row);
        if self.rows.len() >= self.per {
            self.finish(conn, backend).await?;
        }
        Ok(())
    }

    async fn finish(&mut self, conn: &mut AnyConnection, backend: Backend) -> Result<()> {
        let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(self.per));
        insert_rows(conn, backend, self.table, &self.cols, rows).await
    }
}

/// Deletes the stored courses with these keys and their facts; returns each one's number, which
/// the course keeps when it is written again.
async fn delete_courses(
    conn: &mut AnyConnection,
    backend: Backend,
    keys: &[String],
) -> Result<load::Map<i64>> {
    let mut ids = load::Map::default();
    for chunk in keys.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| placeholder(backend, i)).collect();
        let sql = format!(
            "SELECT key, id FROM course WHERE key IN ({})",
            list.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for k in chunk {
            q = q.bind(k.clone());
        }
        let mut numbers = Vec::with_capacity(chunk.len());
        for r in q.fetch_all(&mut *conn).await? {
            let id: i64 = r.try_get(1)?;
            ids.insert(r.try_get(0)?, id);
            numbers.push(id);
        }
        if numbers.is_empty() {
            continue;
        }
        let list: Vec<String> = (1..=numbers.len())
            .map(|i| placeholder(backend, i))
            .collect();
        let list = list.join(", ");
        for (table, col) in [
            ("conversation", "course_id"),
            ("standby_period", "course_id"),
            ("medical_request", "course_id"),
            ("rehab_meeting", "course_id"),
            ("course", "id"),
        ] {
            let sql = format!("DELETE FROM {table} WHERE {col} IN ({list})");
            let mut q = sqlx::query(&sql);
            for &n in &numbers {
                q = q.bind(n);
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(ids)
}

/// [`super::POPULATION_IS_EMPTY`] through sqlx.
async fn population_is_empty(conn: &mut AnyConnection) -> Result<bool> {
    let row = sqlx::query(super::POPULATION_IS_EMPTY)
        .fetch_one(&mut *conn)
        .await?;
    // PostgreSQL answers a boolean, SQLite an integer.
    Ok(row
        .try_get::<bool, _>(0)
        .or_else(|_| row.try_get::<i64, _>(0).map(|n| n != 0))?)
}

impl Store {
    /// The import through sqlx (PostgreSQL; an in-memory SQLite): returns the summary, and whether
    /// the snapshot is to be read from the tables after the commit.
    pub(super) async fn import_sqlx(
        &self,
        loaded: &Loaded,
        files: &[FileMeta],
        source: &str,
        step: &mut dyn FnMut(ImportStep),
    ) -> Result<(ImportSummary, bool)> {
        let mut progress = |done, total| step(ImportStep::Courses { done, total });
        let started_at = now();
        let pop = &loaded.population;
        let mut tx = self.pool.begin().await?;
        let conn: &mut AnyConnection = &mut tx;
        let batch_id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM import_batch")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;

        // Teams, caseworkers, citizens: insert new, update changed, leave equal rows alone.
        // Whether the population changed at all (an unchanged export leaves its version and its
        // snapshot as they are).
        let mut changed = false;
        let was_empty = population_is_empty(conn).await?;
        for team in &pop.teams {
            changed |= sqlx::query(
                "INSERT INTO team (key, name, batch_id) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET name = excluded.name, batch_id = excluded.batch_id
                 WHERE team.name <> excluded.name",
            )
            .bind(team.key.clone())
            .bind(team.name.clone())
            .bind(batch_id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0;
        }
        let stored: load::Map<i64> = sqlx::query("SELECT key, id FROM caseworker")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_>>()?;
        let caseworkers = caseworker_numbers(pop, &stored);
        for (cw, &id) in pop.caseworkers.iter().zip(&caseworkers) {
            changed |= sqlx::query(
                "INSERT INTO caseworker (id, key, name, team_key, batch_id) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (key) DO UPDATE SET name = excluded.name, team_key = excluded.team_key, batch_id = excluded.batch_id
                 WHERE caseworker.name <> excluded.name OR caseworker.team_key <> excluded.team_key",
            )
            .bind(id)
            .bind(cw.key.clone())
            .bind(cw.name.clone())
            .bind(pop.teams[cw.team.index()].key.clone())
            .bind(batch_id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0;
        }
        let mut existing_citizens: load::Map<String> = load::Map::default();
        {
            let mut rows = sqlx::query("SELECT cpr, name FROM citizen").fetch(&mut *conn);
            while let Some(r) = rows.try_next().await? {
                existing_citizens.insert(r.try_get(0)?, r.try_get(1)?);
            }
        }
        let mut new_citizens = Vec::new();
        for c in &pop.citizens {
            let cpr = c.cpr.reveal();
            match existing_citizens.get(&cpr) {
                None => new_citizens.push(vec![t(cpr), t(c.name.as_str()), Val::Int(batch_id)]),
                Some(name) if *name != c.name => {
                    changed = true;
                    sqlx::query("UPDATE citizen SET name = $1, batch_id = $2 WHERE cpr = $3")
                        .bind(c.name.to_string())
                        .bind(batch_id)
                        .bind(cpr)
                        .execute(&mut *conn)
                        .await?;
                }
                Some(_) => {}
            }
        }
        changed |= !new_citizens.is_empty();
        insert_rows(
            conn,
            self.backend,
            "citizen",
            &["cpr", "name", "batch_id"],
            new_citizens,
        )
        .await?;

        // Courses: compare content hashes.
        // The stored courses' hashes as bytes (a re-import of the whole country keeps millions).
        let mut existing: load::Map<Option<[u8; 32]>> = load::Map::default();
        {
            let mut rows = sqlx::query("SELECT key, content_hash FROM course").fetch(&mut *conn);
            while let Some(r) = rows.try_next().await? {
                let hash: String = r.try_get(1)?;
                existing.insert(r.try_get(0)?, unhex32(&hash));
            }
        }
        let Plan {
            summary,
            to_write,
            replaced,
        } = plan(loaded, batch_id, &existing);
        let changed_keys: Vec<String> = replaced
            .iter()
            .map(|id| pop.courses[id.index()].key.to_string())
            .collect();
        drop(existing);
        // Before the deletes: the highest number may be a changed course's, which keeps it.
        let mut next_id: i64 = sqlx::query(super::HIGHEST_COURSE_ID)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        let kept_ids = delete_courses(conn, self.backend, &changed_keys).await?;
        // Of the export's courses, as the direct SQLite path counts (see `ImportStep::Courses`).
        let total = pop.courses.len() as u64;
        progress(0, total);
        let backend = self.backend;
        let with = |cols: &[&'static str], more: &[&'static str]| -> Vec<&'static str> {
            cols.iter().chain(more).copied().collect()
        };
        let mut course_b = Batcher::new(
            "course",
            with(COURSE_COLS, &["content_hash", "batch_id", "id"]),
        );
        let mut conv_b = Batcher::new("conversation", with(CONVERSATION_COLS, &["batch_id"]));
        let mut sb_b = Batcher::new("standby_period", with(STANDBY_COLS, &["batch_id"]));
        let mut med_b = Batcher::new("medical_request", with(MEDICAL_COLS, &["batch_id"]));
        let mut reh_b = Batcher::new("rehab_meeting", with(REHAB_COLS, &["batch_id"]));
        let batch = Val::Int(batch_id);
        let owned =
            |row: &[V<'_>]| -> Vec<Val> { row.iter().map(|v| v.to_val(&caseworkers)).collect() };
        for (done, (id, hash)) in to_write.into_iter().enumerate() {
            let rows = course_values(pop, id);
            // A changed course keeps its number; a new one takes the next.
            let number = match kept_ids.get(pop.courses[id.index()].key.as_str()) {
                Some(&n) => n,
                None => {
                    next_id += 1;
                    next_id
                }
            };
            let mut c = owned(&rows.course);
            c.push(t(hex(&hash)));
            c.push(batch.clone());
            c.push(Val::Int(number));
            course_b.push(conn, backend, c).await?;
            // A fact's row names its course by number in place of the key.
            let owned = |row: &[V<'_>]| -> Vec<Val> {
                std::iter::once(Val::Int(number))
                    .chain(row[1..].iter().map(|v| v.to_val(&caseworkers)))
                    .collect()
            };
            for (b, list) in [
                (
                    &mut conv_b,
                    rows.conversations
                        .iter()
                        .map(|r| owned(r))
                        .collect::<Vec<_>>(),
                ),
                (&mut sb_b, rows.standby.iter().map(|r| owned(r)).collect()),
                (&mut med_b, rows.medical.iter().map(|r| owned(r)).collect()),
                (&mut reh_b, rows.rehab.iter().map(|r| owned(r)).collect()),
            ] {
                for mut r in list {
                    r.push(batch.clone());
                    b.push(conn, backend, r).await?;
                }
            }
            if (done + 1) % 2000 == 0 {
                progress(id.index() as u64 + 1, total);
            }
        }
        for b in [
            &mut course_b,
            &mut conv_b,
            &mut sb_b,
            &mut med_b,
            &mut reh_b,
        ] {
            b.finish(conn, backend).await?;
        }
        progress(total, total);

        sqlx::query(
            "INSERT INTO import_batch (id, started_at, finished_at, source, rows_read, courses_inserted, courses_updated, courses_unchanged, rows_repaired, rows_rejected)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(batch_id)
        .bind(started_at)
        .bind(now())
        .bind(source.to_string())
        .bind(summary.rows_read as i64)
        .bind(summary.courses_inserted as i64)
        .bind(summary.courses_updated as i64)
        .bind(summary.courses_unchanged as i64)
        .bind(summary.rows_repaired as i64)
        .bind(summary.rows_rejected as i64)
        .execute(&mut *conn)
        .await?;
        let file_rows: Vec<Vec<Val>> = files
            .iter()
            .map(|f| {
                vec![
                    Val::Int(batch_id),
                    t(&f.name),
                    Val::Int(f.size_bytes as i64),
                    t(&f.sha256),
                    Val::Int(f.rows as i64),
                    t(&f.encoding),
                ]
            })
            .collect();
        insert_rows(
            conn,
            self.backend,
            "import_file",
            &[
                "batch_id",
                "name",
                "size_bytes",
                "sha256",
                "rows_read",
                "encoding",
            ],
            file_rows,
        )
        .await?;
        changed |= summary.courses_inserted + summary.courses_updated > 0;
        // The snapshot follows in the same transaction: the one before, with the export merged in
        // as the statements above merged it into the tables. Without one to start from (a
        // database of an earlier version, or one whose snapshot was refused) none is kept, and
        // the tables are read once after the commit.
        let mut rebuild = false;
        if changed {
            step(ImportStep::Snapshot);
            let before = snapshot::kept::population_version(conn).await?;
            let prev = if was_empty {
                Some(snapshot::Decoded::default())
            } else {
                snapshot::kept::read(conn, before).await?.ok()
            };
            let version = snapshot::kept::bump_population_version(conn).await?;
            match prev {
                Some(prev) => {
                    let after = snapshot::merge::AfterImport::new(&prev.population, pop);
                    let parts = after.parts(version, self.part_size);
                    snapshot::kept::write(conn, version, parts).await?;
                }
                None => {
                    snapshot::kept::forget(conn).await?;
                    rebuild = true;
                }
            }
        }
        bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok((summary, rebuild))
    }
}
