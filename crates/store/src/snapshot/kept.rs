//! The snapshot kept in the database (table `population_snapshot`, migration 14), beside the rows
//! it was made from: one snapshot, of the population version it holds, cut into chunks.
//!
//! In the database rather than in a file beside it, so that one mechanism serves SQLite and
//! PostgreSQL alike: an import writes the snapshot in its own transaction (a killed import leaves
//! the old rows and the old snapshot, both), and every server instance on one PostgreSQL reads
//! the same snapshot, so none of them starts from the tables after another process imported.
//!
//! A snapshot is trusted only for the population version it names and only when its checksum
//! holds ([`super::decode`]); otherwise the reader reads the tables and writes a new one
//! ([`Store::keep`]). Changing the population tables outside Kadence (by hand) leaves the
//! snapshot of the old version in force: raise the version afterwards (`kadence
//! oejebliksbillede genopbyg`), as docs/operations.md says.

use sqlx::{AnyConnection, Row};

use super::{Decoded, SnapshotError};
use crate::{Result, Store, StoreError};

/// Bytes per row. Both databases take far larger values, but a chunk is copied whole on its way
/// in and out, and a few megabytes keep that copy small beside the snapshot.
pub const CHUNK: usize = 8 << 20;

/// The current population version, inside a transaction.
pub(crate) async fn population_version(conn: &mut AnyConnection) -> Result<i64> {
    Ok(
        sqlx::query("SELECT population_version FROM data_generation WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?,
    )
}

/// Raises the population version inside a writing transaction and returns the new one.
pub(crate) async fn bump_population_version(conn: &mut AnyConnection) -> Result<i64> {
    sqlx::query(
        "UPDATE data_generation SET population_version = population_version + 1 WHERE id = 1",
    )
    .execute(&mut *conn)
    .await?;
    population_version(conn).await
}

/// The kept snapshot of `version`, if there is one (its chunks joined in order).
pub(crate) async fn read(conn: &mut AnyConnection, version: i64) -> Result<Option<Vec<u8>>> {
    let rows =
        sqlx::query("SELECT seq, bytes FROM population_snapshot WHERE version = $1 ORDER BY seq")
            .bind(version)
            .fetch_all(&mut *conn)
            .await?;
    join(
        rows.iter().map(|r| -> Result<(i64, Vec<u8>)> {
            Ok((r.try_get(0)?, r.try_get::<Vec<u8>, _>(1)?))
        }),
    )
}

/// The same through the direct SQLite connection of the load path, inside its read transaction.
pub(crate) fn read_sqlite(conn: &rusqlite::Connection, version: i64) -> Result<Option<Vec<u8>>> {
    let mut stmt = conn
        .prepare("SELECT seq, bytes FROM population_snapshot WHERE version = ?1 ORDER BY seq")
        .map_err(crate::load::sqlite_error)?;
    let mut rows = stmt.query([version]).map_err(crate::load::sqlite_error)?;
    let mut bytes = Vec::new();
    let mut next = 0i64;
    while let Some(r) = rows.next().map_err(crate::load::sqlite_error)? {
        let seq: i64 = r.get(0).map_err(crate::load::sqlite_error)?;
        if seq != next {
            return Err(StoreError::Snapshot(SnapshotError::Corrupt(
                "en del mangler",
            )));
        }
        next += 1;
        match r.get_ref(1).map_err(crate::load::sqlite_error)? {
            rusqlite::types::ValueRef::Blob(b) => {
                if bytes.is_empty() {
                    // The first chunk is full unless it is the only one: reserve for a few more.
                    bytes.reserve(b.len() * 4);
                }
                bytes.extend_from_slice(b)
            }
            _ => {
                return Err(StoreError::Snapshot(SnapshotError::Corrupt(
                    "en del er ikke binær",
                )))
            }
        }
    }
    Ok((next > 0).then_some(bytes))
}

/// Chunks in order, joined; a gap in the sequence is a corrupt snapshot.
fn join(chunks: impl Iterator<Item = Result<(i64, Vec<u8>)>>) -> Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    let mut next = 0i64;
    for chunk in chunks {
        let (seq, b) = chunk?;
        if seq != next {
            return Err(StoreError::Snapshot(SnapshotError::Corrupt(
                "en del mangler",
            )));
        }
        next += 1;
        bytes.extend_from_slice(&b);
    }
    Ok((next > 0).then_some(bytes))
}

/// Replaces the kept snapshot with `bytes` (of the version in its header), inside a writing
/// transaction.
pub(crate) async fn write(conn: &mut AnyConnection, bytes: &[u8], version: i64) -> Result<()> {
    sqlx::query("DELETE FROM population_snapshot")
        .execute(&mut *conn)
        .await?;
    for (seq, chunk) in bytes.chunks(CHUNK).enumerate() {
        sqlx::query("INSERT INTO population_snapshot (version, seq, bytes) VALUES ($1, $2, $3)")
            .bind(version)
            .bind(seq as i64)
            .bind(chunk.to_vec())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Removes the kept snapshot inside a writing transaction (a change no snapshot could follow: the
/// next reader reads the tables and keeps a new one).
pub(crate) async fn forget(conn: &mut AnyConnection) -> Result<()> {
    sqlx::query("DELETE FROM population_snapshot")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// The population's own version (see [`crate::Snapshot::population_version`]).
    pub async fn population_version(&self) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        population_version(&mut conn).await
    }

    /// Keeps `d` as the snapshot of its population version, unless the version has moved on
    /// meanwhile (another process imported: its own snapshot stands). Returns whether it wrote.
    pub(crate) async fn keep(&self, d: &Decoded) -> Result<bool> {
        let bytes = super::encode(&d.population, &d.imported, d.version);
        let mut tx = self.pool.begin().await?;
        // Take the write lock first (SQLite: a read then a write in one transaction may be refused
        // at once if another writer got there in between).
        sqlx::query(
            "UPDATE data_generation SET population_version = population_version WHERE id = 1",
        )
        .execute(&mut *tx)
        .await?;
        if population_version(&mut tx).await? != d.version {
            return Ok(false);
        }
        // One of the same version may be there: the one that was refused, or one another reader
        // kept meanwhile (the same population, so replacing it changes nothing).
        write(&mut tx, &bytes, d.version).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Raises the population version and writes its snapshot from the tables: for a change made
    /// to the population tables outside Kadence. Returns the new version.
    pub async fn rebuild_snapshot(&self) -> Result<i64> {
        {
            let mut tx = self.pool.begin().await?;
            bump_population_version(&mut tx).await?;
            forget(&mut tx).await?;
            crate::bump_generation(&mut tx).await?;
            tx.commit().await?;
        }
        let (d, _) = self.population(false).await?;
        self.keep(&d).await?;
        Ok(d.version)
    }
}
