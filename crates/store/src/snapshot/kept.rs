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
//! oejebliksbillede genopbyg`, docs/cli.md).

use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use sqlx::{AnyConnection, Row};

use super::{Decoded, Part, Scope, Scoped, SnapshotError};
use crate::load::sqlite_error;
use crate::{Result, Store, StoreError};

/// The statements both drivers run (sqlx with `$n`, rusqlite with `?n`: the same numbering).
pub(crate) const VERSION: &str = "SELECT population_version FROM data_generation WHERE id = 1";
const BUMP: &str =
    "UPDATE data_generation SET population_version = population_version + 1 WHERE id = 1";
const FORGET: &str = "DELETE FROM population_snapshot";
const INSERT: &str = "INSERT INTO population_snapshot (version, seq, bytes) VALUES ($1, $2, $3)";

/// `$n` placeholders as rusqlite writes them.
fn numbered(sql: &str) -> String {
    sql.replace('$', "?")
}

/// The current population version, inside a transaction.
pub(crate) async fn population_version(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query(VERSION)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?)
}

/// Raises the population version inside a writing transaction and returns the new one.
pub(crate) async fn bump_population_version(conn: &mut AnyConnection) -> Result<i64> {
    sqlx::query(BUMP).execute(&mut *conn).await?;
    population_version(conn).await
}

const PARTS: &str = "SELECT bytes FROM population_snapshot WHERE version = $1 ORDER BY seq";
/// The parts' bytes together (SQLite and PostgreSQL tell a value's length without reading it).
const SIZE: &str =
    "SELECT COALESCE(SUM(length(bytes)), 0) FROM population_snapshot WHERE version = $1";

/// The kept snapshot of `version`, read and decoded inside a transaction: the parts are streamed
/// to decoders on a blocking thread as they arrive, so only a few are held at once. The outer
/// error is the database's; the inner says why the snapshot is refused.
pub(crate) async fn read(
    conn: &mut AnyConnection,
    version: i64,
) -> Result<std::result::Result<Decoded, SnapshotError>> {
    Ok(whole(read_scoped(conn, version, Scope::Whole).await?))
}

/// The whole population of a snapshot read whole.
fn whole(
    r: std::result::Result<Scoped, SnapshotError>,
) -> std::result::Result<Decoded, SnapshotError> {
    match r? {
        Scoped::Whole(d) => Ok(*d),
        _ => Err(SnapshotError::Corrupt("forkert omfang")),
    }
}

/// [`read`], keeping what `scope` says.
pub(crate) async fn read_scoped(
    conn: &mut AnyConnection,
    version: i64,
    scope: Scope,
) -> Result<std::result::Result<Scoped, SnapshotError>> {
    let size: i64 = sqlx::query(SIZE)
        .bind(version)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>>>(2);
    let threads = super::threads();
    let decoder = tokio::task::spawn_blocking(move || {
        let parts = std::iter::from_fn(move || rx.blocking_recv());
        super::decode_scoped(parts, size as u64, version, threads, &scope)
    });
    {
        let mut rows = sqlx::query(PARTS).bind(version).fetch(&mut *conn);
        while let Some(r) = rows.try_next().await? {
            let bytes: Vec<u8> = r.try_get(0)?;
            if tx.send(Ok(bytes)).await.is_err() {
                break;
            }
        }
    }
    drop(tx);
    decoder
        .await
        .map_err(|e| StoreError::Db(sqlx::Error::Protocol(e.to_string())))?
}

/// The same through the direct SQLite connection of the load path, inside its read transaction
/// (on a blocking thread: the caller's).
pub(crate) fn read_sqlite(
    conn: &rusqlite::Connection,
    version: i64,
) -> Result<std::result::Result<Decoded, SnapshotError>> {
    Ok(whole(read_sqlite_scoped(conn, version, &Scope::Whole)?))
}

/// [`read_sqlite`], keeping what `scope` says.
pub(crate) fn read_sqlite_scoped(
    conn: &rusqlite::Connection,
    version: i64,
    scope: &Scope,
) -> Result<std::result::Result<Scoped, SnapshotError>> {
    let size: i64 = conn
        .query_row(&numbered(SIZE), [version], |r| r.get(0))
        .map_err(sqlite_error)?;
    let pool = Pool::default();
    if let Scope::Figures { .. } = scope {
        return read_sqlite_figures(conn, version, size, scope, &pool);
    }
    let mut stmt = conn.prepare(&numbered(PARTS)).map_err(sqlite_error)?;
    let mut rows = stmt.query([version]).map_err(sqlite_error)?;
    let parts = std::iter::from_fn(|| match rows.next() {
        Err(e) => Some(Err(sqlite_error(e))),
        Ok(None) => None,
        Ok(Some(r)) => Some(match r.get_ref(0) {
            Ok(rusqlite::types::ValueRef::Blob(b)) => Ok(pool.filled(b)),
            // Not a blob: the decoder refuses it as not a snapshot.
            Ok(_) => Ok(pool.filled(&[])),
            Err(e) => Err(sqlite_error(e)),
        }),
    });
    super::decode_scoped(parts, size as u64, version, super::threads(), scope)
}

/// [`read_sqlite_scoped`] for the figures: each part read through SQLite's incremental blob I/O,
/// which reads only the pages asked for. A citizens' part is read as far as its header (the
/// figures need no citizen: 55 of the country's 201 MB), and every other part whole, straight
/// into a pooled buffer (a `SELECT` made SQLite copy each part once more first).
fn read_sqlite_figures(
    conn: &rusqlite::Connection,
    version: i64,
    size: i64,
    scope: &Scope,
    pool: &Pool,
) -> Result<std::result::Result<Scoped, SnapshotError>> {
    let mut stmt = conn
        .prepare("SELECT rowid FROM population_snapshot WHERE version = ?1 ORDER BY seq")
        .map_err(sqlite_error)?;
    let rowids: Vec<i64> = stmt
        .query_map([version], |r| r.get(0))
        .map_err(sqlite_error)?
        .collect::<rusqlite::Result<_>>()
        .map_err(sqlite_error)?;
    let read = |rowid: i64| -> Result<Pooled> {
        let blob = conn
            .blob_open(
                rusqlite::DatabaseName::Main,
                "population_snapshot",
                "bytes",
                rowid,
                true,
            )
            .map_err(sqlite_error)?;
        let len = blob.len();
        let mut head = [0u8; super::HEADER];
        // The kind byte follows the magic, the format and the population version.
        if len > super::HEADER {
            blob.read_at_exact(&mut head, 0).map_err(sqlite_error)?;
            if head[8 + 4 + 8] == super::CITIZENS {
                return Ok(pool.filled(&head));
            }
        }
        let mut part = pool.sized(len);
        blob.read_at_exact(&mut part.buf, 0).map_err(sqlite_error)?;
        Ok(part)
    };
    let parts = rowids.into_iter().map(read);
    super::decode_scoped(parts, size as u64, version, super::threads(), scope)
}

/// Replaces the kept snapshot with the parts `parts` yields, inside a writing transaction; each
/// part is written as it comes.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    version: i64,
    parts: impl Iterator<Item = Part>,
) -> Result<()> {
    forget(conn).await?;
    for (seq, bytes) in parts {
        sqlx::query(INSERT)
            .bind(version)
            .bind(seq)
            .bind(bytes)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The population version inside the direct SQLite connection's transaction.
pub(crate) fn population_version_sqlite(conn: &rusqlite::Connection) -> Result<i64> {
    conn.query_row(VERSION, [], |r| r.get(0))
        .map_err(sqlite_error)
}

/// [`bump_population_version`] on the direct SQLite connection.
pub(crate) fn bump_population_version_sqlite(conn: &rusqlite::Connection) -> Result<i64> {
    conn.execute(BUMP, []).map_err(sqlite_error)?;
    population_version_sqlite(conn)
}

/// [`write`] on the direct SQLite connection (no parts: the snapshot is removed).
pub(crate) fn write_sqlite(
    conn: &rusqlite::Connection,
    version: i64,
    parts: impl Iterator<Item = Part>,
) -> Result<()> {
    conn.execute(FORGET, []).map_err(sqlite_error)?;
    let mut insert = conn.prepare(&numbered(INSERT)).map_err(sqlite_error)?;
    for (seq, bytes) in parts {
        insert
            .execute(rusqlite::params![version, seq, bytes])
            .map_err(sqlite_error)?;
    }
    Ok(())
}

/// Removes the kept snapshot inside a writing transaction (a change no snapshot could follow: the
/// next reader reads the tables and keeps a new one).
pub(crate) async fn forget(conn: &mut AnyConnection) -> Result<()> {
    sqlx::query(FORGET).execute(&mut *conn).await?;
    Ok(())
}

/// What is kept ([`Store::kept_snapshot`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptInfo {
    /// The population version now.
    pub population_version: i64,
    /// The kept snapshot's version, bytes and parts, if one is kept.
    pub kept: Option<(i64, u64, u64)>,
}

impl Store {
    /// The population version and the kept snapshot's version and size (for `kadence
    /// oejebliksbillede vis`).
    pub async fn kept_snapshot(&self) -> Result<KeptInfo> {
        let mut conn = self.pool.acquire().await?;
        let population_version = population_version(&mut conn).await?;
        let row = sqlx::query(
            "SELECT MIN(version), MAX(version), SUM(length(bytes)), COUNT(*) FROM population_snapshot",
        )
        .fetch_one(&mut *conn)
        .await?;
        let (lo, hi): (Option<i64>, Option<i64>) = (row.try_get(0)?, row.try_get(1)?);
        let kept = match (lo, hi) {
            (Some(lo), Some(hi)) if lo == hi => {
                let bytes: i64 = row.try_get(2)?;
                let parts: i64 = row.try_get(3)?;
                Some((lo, bytes as u64, parts as u64))
            }
            _ => None,
        };
        Ok(KeptInfo {
            population_version,
            kept,
        })
    }

    /// The population's own version (see [`crate::Snapshot::population_version`]).
    pub async fn population_version(&self) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        population_version(&mut conn).await
    }

    /// Keeps `d` as the snapshot of its population version, unless the version has moved on
    /// meanwhile (another process imported: its own snapshot stands). Returns whether it wrote.
    pub(crate) async fn keep(&self, d: &Decoded) -> Result<bool> {
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
        write(
            &mut tx,
            d.version,
            super::parts(&d.population, d.version, self.part_size),
        )
        .await?;
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

/// Buffers for the parts as they are read from SQLite, handed back when a decoder is done with
/// one: a few buffers of a part's size are reused for the whole snapshot. A fresh buffer per part
/// made the kernel hand out (and zero) 200 MB of new pages for the whole country.
#[derive(Clone, Default)]
struct Pool(Arc<Mutex<Vec<Vec<u8>>>>);

impl Pool {
    /// A buffer from the pool (or a new one) of `len` bytes, to be overwritten: a reused buffer is
    /// only cut or lengthened, not cleared.
    fn sized(&self, len: usize) -> Pooled {
        let mut buf = self
            .0
            .lock()
            .ok()
            .and_then(|mut free| free.pop())
            .unwrap_or_default();
        buf.resize(len, 0);
        Pooled {
            buf,
            pool: self.clone(),
        }
    }

    /// A buffer from the pool (or a new one) holding `bytes`.
    fn filled(&self, bytes: &[u8]) -> Pooled {
        let mut buf = self
            .0
            .lock()
            .ok()
            .and_then(|mut free| free.pop())
            .unwrap_or_default();
        buf.clear();
        if buf.capacity() < bytes.len() {
            // A little room over, so that a slightly larger part later fits without a copy.
            buf.reserve_exact(bytes.len() + bytes.len() / 8);
        }
        buf.extend_from_slice(bytes);
        Pooled {
            buf,
            pool: self.clone(),
        }
    }
}

/// A part's bytes in a pooled buffer, which goes back to the pool when dropped.
struct Pooled {
    buf: Vec<u8>,
    pool: Pool,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Ok(mut free) = self.pool.0.lock() {
            // As many as are in flight at once (the decoders' queue and their work), no more.
            if free.len() < 8 {
                free.push(std::mem::take(&mut self.buf));
            }
        }
    }
}
