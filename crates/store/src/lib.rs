//! # kadence-store
//!
//! The database shell: an embedded SQLite file by default, PostgreSQL for multi-user deployments, behind
//! one [`Store`] and one conformance suite (`tests/conformance/`, run on both).
//!
//! - **Migrations** are applied at start ([`schema::MIGRATIONS`], portable SQL, and
//!   [`schema::SQLITE_ONLY`] and [`schema::POSTGRES_ONLY`] where the two differ).
//! - **An import is one transaction** ([`Store::import`]): either every row of the export is written or
//!   nothing is. Each course carries a content hash over its row and all its facts, so re-importing the
//!   same export changes nothing, and a newer export of a course replaces that course's facts. Courses
//!   not in the export are kept (an export may cover only part of the caseload).
//! - **Every fact traces back** to the import batch that wrote it (`batch_id`), and every batch records its
//!   files' names, sizes, SHA-256 hashes, row counts and times.
//! - **Loading** ([`Store::load`]) builds the core's in-memory population; [`SnapshotCell`] lets readers
//!   switch to a new snapshot atomically after an import (a reader sees the old data or the new, never a
//!   mix).
//!
//! One code path serves both databases through sqlx's `Any` driver: the SQL is written once with `$N`
//! placeholders, which both SQLite and PostgreSQL accept.

pub mod access;
mod assign;
pub mod audit;
pub mod codes;
mod committee;
mod import;
mod load;
pub use import::ImportStep;
pub use load::PopulationSource;
pub mod retention;
pub mod schema;
pub mod settings;
pub mod snapshot;
pub mod witness;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use kadence_core::model::*;
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, Row};

/// Which database is behind a store.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database failure, in Danish for the shells to show.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("Databasefejl: {0}")]
    Db(#[from] sqlx::Error),
    #[error("Databasen indeholder en ugyldig værdi i {table}.{column}: «{value}»")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        value: String,
    },
    #[error("Opslaget kunne ikke logges i revisionsloggen: {0}")]
    Audit(String),
    #[error("Ukendt {what} «{key}»")]
    Unknown { what: &'static str, key: String },
    #[error("Ukendt databaseadresse «{0}»; brug sqlite://sti eller postgres://...")]
    Url(String),
    #[error("{0}")]
    Snapshot(#[from] snapshot::SnapshotError),
    /// More than the store's own limits allow (e.g. over a billion citizens in one import).
    #[error("For stor til databasen: {0}")]
    TooLarge(String),
}

type Result<T> = std::result::Result<T, StoreError>;

/// One file of an import, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileMeta {
    pub name: String,
    pub size_bytes: u64,
    pub sha256: String,
    pub rows: u64,
    pub encoding: String,
}

impl FileMeta {
    /// Describes a file from its bytes and what the reader made of it.
    pub fn new(name: &str, bytes: &[u8], rows: usize, encoding: &str) -> FileMeta {
        FileMeta {
            name: name.to_string(),
            size_bytes: bytes.len() as u64,
            sha256: hex(&Sha256::digest(bytes)),
            rows: rows as u64,
            encoding: encoding.to_string(),
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    // Without a `format!` per byte: an import writes one content hash per course (`perf`: 5 % of
    // an import was formatting them).
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub batch_id: i64,
    pub rows_read: u64,
    pub courses_inserted: u64,
    pub courses_updated: u64,
    pub courses_unchanged: u64,
    pub rows_repaired: u64,
    pub rows_rejected: u64,
}

/// A recorded import batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchInfo {
    pub id: i64,
    pub started_at: String,
    pub finished_at: String,
    pub source: String,
    pub summary: ImportSummary,
    pub files: Vec<FileMeta>,
}

/// The data as of one import: what every reader works on.
#[derive(Debug)]
pub struct Snapshot {
    pub population: Population,
    /// The latest import batch, for the data-freshness line.
    pub latest: Option<BatchInfo>,
    /// Courses moved to another caseworker in Kadence that the case system does not show yet (the
    /// population already has the new caseworker).
    pub reassigned: HashMap<CourseId, Reassignment>,
    /// The data's change counter when this snapshot was read ([`Store::generation`]); a server
    /// reloads when the store's is higher.
    pub generation: i64,
    /// The population's own version ([`Store::population_version`]): raised only by the writes
    /// that change the population (an import, retention), not by settings, targets or moves.
    pub population_version: i64,
    /// Whether the population came from its kept snapshot or from the tables, and why.
    pub source: load::PopulationSource,
    /// Every version of the municipality's settings, read with the data (a settings change raises
    /// the change counter, so a running server picks it up like an import).
    pub settings: kadence_core::municipal::SettingsHistory,
    /// The committee's stored Jobindsats fetches and targets (append-only, read with the data).
    pub jobindsats: kadence_core::committee::external::Jobindsats,
    pub targets: kadence_core::committee::targets::Targets,
}

/// The data as of one import for figures only ([`Store::load_figures`]): the figures' basis in
/// place of the population (no personal data), and what a figure is labelled with.
#[derive(Debug)]
pub struct FiguresSnapshot<F = kadence_core::figures::Figures> {
    /// The figures' basis, or one measure of it ([`kadence_core::figures::Measured`]).
    pub figures: F,
    pub latest: Option<BatchInfo>,
    pub reassigned: HashMap<CourseId, Reassignment>,
    pub generation: i64,
    pub population_version: i64,
    pub source: load::PopulationSource,
    pub settings: kadence_core::municipal::SettingsHistory,
}

/// A move of a course to another caseworker made in Kadence ([`Store::reassign`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reassignment {
    /// The caseworker the case system names (still), by key.
    pub imported: Option<String>,
    /// The caseworker it was moved to, by key.
    pub to: String,
    pub by: String,
    pub at: String,
}

/// Holds the current snapshot; readers take an `Arc` and keep a consistent view for as long as they
/// hold it, while an import swaps in the next one.
#[derive(Debug)]
pub struct SnapshotCell(RwLock<Arc<Snapshot>>);

impl SnapshotCell {
    pub fn new(s: Snapshot) -> SnapshotCell {
        SnapshotCell(RwLock::new(Arc::new(s)))
    }
    /// The current snapshot.
    pub fn get(&self) -> Arc<Snapshot> {
        Arc::clone(&self.0.read().unwrap_or_else(|e| e.into_inner()))
    }
    /// Replaces the snapshot; readers holding the old one keep it until they drop it.
    pub fn replace(&self, s: Snapshot) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(s);
    }
}

/// Row counts per table (for tests and `kadence import` summaries).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub batches: i64,
    pub teams: i64,
    pub caseworkers: i64,
    pub citizens: i64,
    pub courses: i64,
    pub conversations: i64,
    pub standby: i64,
    pub medical: i64,
    pub rehab: i64,
}

/// The database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// This process's audit group-commit queue: the hash chain needs one writer at a time, and SQLite
    /// answers BUSY at once (without waiting) to a read-then-write transaction that loses.
    audit: Arc<audit::AuditQueue>,
    /// The SQLite file, for the direct bulk-read path of [`Store::load`] (`None` for PostgreSQL and
    /// in-memory SQLite).
    sqlite_file: Option<std::path::PathBuf>,
    /// The audit chain's ends kept outside the database (none unless configured).
    witness: Arc<witness::Witness>,
    /// argon2 checks run by logins (see [`Store::password_checks`]).
    password_checks: Arc<std::sync::atomic::AtomicU64>,
    /// The size the population's snapshot is cut into parts at ([`snapshot::PART`]).
    part_size: usize,
}

/// A value to bind.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Val {
    Text(Option<String>),
    Int(i64),
    /// An integer column's NULL (PostgreSQL checks a parameter's type against its column's).
    NullInt,
}

pub(crate) fn t(s: impl Into<String>) -> Val {
    Val::Text(Some(s.into()))
}

/// Most bind parameters in one statement (SQLite's limit is 32,766; PostgreSQL's 65,535).
pub(crate) const MAX_BINDS: usize = 30_000;

/// The `n`-th (1-based) bind placeholder of a statement with many parameters. PostgreSQL needs `$n`;
/// SQLite gets anonymous `?`, because it treats `$n` as a *named* parameter and looks each new name up
/// in a linear list while preparing, which made a 7,000-parameter insert quadratic (an import of 1.7
/// million rows took 4.5 minutes; see docs/performance.md).
pub(crate) fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Postgres => format!("${n}"),
        Backend::Sqlite => "?".to_string(),
    }
}

pub(crate) async fn insert_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    cols: &[&str],
    mut rows: Vec<Vec<Val>>,
) -> Result<()> {
    let per = (MAX_BINDS / cols.len()).clamp(1, 1000);
    while !rows.is_empty() {
        // Values are moved into the query, not cloned: allocation dominated the import profile.
        let rest = rows.split_off(rows.len().min(per));
        let chunk = std::mem::replace(&mut rows, rest);
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..cols.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&placeholder(backend, n));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Val::Text(s) => q.bind(s),
                    Val::Int(i) => q.bind(i),
                    Val::NullInt => q.bind(None::<i64>),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

impl Store {
    /// Opens (creating if needed) a database from a URL: `sqlite://path` or `postgres://...`, and
    /// applies the migrations.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_announcing(url, &|_| {}).await
    }

    /// [`Store::open`], saying through `announce` (in Danish, for the user) when it brings an
    /// existing database up to this version's schema, which can take a while (migrations 15 and
    /// 16 make a file's course and facts tables anew: 14 s and 15-27 s for the whole country,
    /// then the freed pages are given back), and when it gives the pages back. A new database is
    /// made without a word.
    pub async fn open_announcing(url: &str, announce: &(dyn Fn(&str) + Sync)) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Url(url.to_string()));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Takes effect only on a file not yet written: a new database gets 16 KiB
                        // pages, where SQLite's default is 4 KiB. A whole country's first import
                        // writes 2.5 GB in one WAL transaction, every page twice (the log, then the
                        // checkpoint); with 16 KiB pages SQLite copying the same rows took 11-16 s
                        // where 4 KiB took 24-25 s (8 KiB 21 s, 32 KiB 15 s; docs/performance.md).
                        // An existing file keeps its page size.
                        sqlx::query("PRAGMA page_size = 16384")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 10000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA synchronous = NORMAL")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let sqlite_file = (backend == Backend::Sqlite)
            .then(|| {
                let rest = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                rest.split('?').next().unwrap_or(rest).to_string()
            })
            .filter(|p| !p.is_empty() && !p.contains(":memory:"))
            .map(std::path::PathBuf::from);
        let store = Store {
            pool,
            backend,
            audit: Arc::default(),
            sqlite_file,
            witness: Arc::default(),
            password_checks: Arc::default(),
            part_size: snapshot::PART,
        };
        store.migrate(announce).await?;
        if backend == Backend::Sqlite {
            // WAL: readers never block the importer, and a crash mid-import leaves the old data.
            // A new file waits for its first import in SQLite's rollback-journal mode: then the
            // import's pages are written once, to the file (a country's 2.7 GB in WAL mode went
            // to the log and then again to the file at the checkpoint: 43 s against 36 s,
            // docs/performance.md), and it is as atomic (the journal holds the few pages there
            // were). The import turns WAL on when it commits (`import::sqlite`); a file that
            // holds a population gets it here whatever happened. WAL is kept in the file.
            let empty: i64 = sqlx::query_scalar(import::POPULATION_IS_EMPTY)
                .fetch_one(&store.pool)
                .await?;
            if empty == 0 {
                store.wal_on().await?;
            }
        }
        Ok(store)
    }

    /// Opens the SQLite file at `path`.
    ///
    /// The file holds CPR numbers, health facts, password hashes and the pseudonym key, so a new
    /// file is created readable by its owner only (0600) in a folder only the owner can enter
    /// (0700, when Kadence creates it), whatever the umask; SQLite gives the `-wal` and `-shm`
    /// files the database file's mode. An existing file keeps the mode its administrator gave it
    /// (docs/security.md: run the service with `UMask=0077`).
    pub async fn open_sqlite(path: &Path) -> Result<Store> {
        Store::open_sqlite_announcing(path, &|_| {}).await
    }

    /// [`Store::open_sqlite`], announcing as [`Store::open_announcing`] does.
    pub async fn open_sqlite_announcing(
        path: &Path,
        announce: &(dyn Fn(&str) + Sync),
    ) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                let mut b = std::fs::DirBuilder::new();
                b.recursive(true);
                #[cfg(unix)]
                std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
                let _ = b.create(dir);
            }
        }
        if !path.exists() {
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            // A file another process created meanwhile is fine: SQLite opens it below.
            let _ = o.open(path);
        }
        Store::open_announcing(&format!("sqlite://{}", path.display()), announce).await
    }

    /// Keeps the audit chain's ends outside the database (docs/security.md): the head written to a
    /// file after every commit and checked by [`Store::audit_verify`], and retention anchors signed
    /// with a key from a file.
    pub fn with_audit_witness(mut self, w: witness::AuditWitness) -> Store {
        self.witness = Arc::new(witness::Witness::new(w));
        self
    }

    /// Cuts the population's snapshot into parts of `bytes` (the default, [`snapshot::PART`],
    /// suits every size; a test uses small parts to have many).
    pub fn with_snapshot_part_size(mut self, bytes: usize) -> Store {
        self.part_size = bytes;
        self
    }

    /// The witnesses in use.
    pub fn audit_witness(&self) -> &witness::AuditWitness {
        &self.witness.config
    }

    /// The SQLite file, if the store is one.
    pub fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Turns SQLite's WAL mode on (kept in the file; see [`Store::open`]).
    async fn wal_on(&self) -> Result<()> {
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn migrate(&self, announce: &(dyn Fn(&str) + Sync)) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *tx)
        .await?;
        let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<std::result::Result<_, _>>()?;
        let latest = schema::MIGRATIONS.last().map_or(0, |m| m.0);
        let mut migrated = false;
        for (version, name, statements) in schema::MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            migrated |= !applied.is_empty();
            if !applied.is_empty() {
                announce(&format!(
                    "Opdaterer databasen til denne version af Kadence (ændring {version} af {latest}) ..."
                ));
            }
            for s in *statements {
                sqlx::query(s).execute(&mut *tx).await?;
            }
            let own = match self.backend {
                Backend::Sqlite => schema::SQLITE_ONLY,
                Backend::Postgres => schema::POSTGRES_ONLY,
            };
            let own = own.iter().filter(|(v, _)| v == version);
            for s in own.flat_map(|(_, statements)| statements.iter()) {
                sqlx::query(s).execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(*version)
            .bind(name.to_string())
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        if migrated && self.sqlite_file.is_some() {
            self.give_back_free_pages(announce).await;
        }
        Ok(())
    }

    /// A migration that makes tables anew (15, 16) leaves a SQLite file holding the old tables'
    /// pages as free pages: after migration 16 a national file was 4.0 GB, of which 48 % free,
    /// where a new import of the same export makes 2.1 GB. When more than a quarter of the file
    /// is free after a migration, `VACUUM` writes it anew without them (8.5-12 s for the
    /// country's file: 1.84 GB; it needs room for a copy while it runs). Best effort: if it cannot (a reader of
    /// another process holds the file, a full disk), later writes reuse the free pages.
    async fn give_back_free_pages(&self, announce: &(dyn Fn(&str) + Sync)) {
        let (free, pages): (i64, i64) = sqlx::query_as(
            "SELECT f.freelist_count, p.page_count FROM pragma_freelist_count() f, pragma_page_count() p",
        )
        .fetch_one(&self.pool)
        .await
        .unwrap_or((0, 0));
        if free * 4 > pages {
            announce("Giver den frigjorte plads i databasefilen tilbage ...");
            // In WAL mode the file is written anew through the log, which then holds a copy of
            // it: copied back and emptied at once (it would otherwise keep its size on disk).
            if sqlx::query("VACUUM").execute(&self.pool).await.is_ok() {
                let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&self.pool)
                    .await;
            }
        }
    }

    /// The data's change counter ([`Snapshot::generation`]): raised by every import, move and
    /// retention run, in the same transaction.
    pub async fn generation(&self) -> Result<i64> {
        Ok(
            sqlx::query("SELECT generation FROM data_generation WHERE id = 1")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    /// Row counts per table.
    pub async fn counts(&self) -> Result<Counts> {
        let mut c = Counts::default();
        for (table, slot) in [
            ("import_batch", &mut c.batches),
            ("team", &mut c.teams),
            ("caseworker", &mut c.caseworkers),
            ("citizen", &mut c.citizens),
            ("course", &mut c.courses),
            ("conversation", &mut c.conversations),
            ("standby_period", &mut c.standby),
            ("medical_request", &mut c.medical),
            ("rehab_meeting", &mut c.rehab),
        ] {
            *slot = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
        }
        Ok(c)
    }

    /// All import batches, newest first.
    pub async fn batches(&self) -> Result<Vec<BatchInfo>> {
        let rows = sqlx::query(
            "SELECT id, started_at, finished_at, source, rows_read, courses_inserted, courses_updated, courses_unchanged, rows_repaired, rows_rejected
             FROM import_batch ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let files = sqlx::query("SELECT batch_id, name, size_bytes, sha256, rows_read, encoding FROM import_file ORDER BY batch_id, name")
            .fetch_all(&self.pool)
            .await?;
        let mut by_batch: HashMap<i64, Vec<FileMeta>> = HashMap::new();
        for r in &files {
            by_batch.entry(r.try_get(0)?).or_default().push(FileMeta {
                name: r.try_get(1)?,
                size_bytes: r.try_get::<i64, _>(2)? as u64,
                sha256: r.try_get(3)?,
                rows: r.try_get::<i64, _>(4)? as u64,
                encoding: r.try_get(5)?,
            });
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let n = |i: usize| r.try_get::<i64, _>(i).map(|v| v as u64);
                Ok(BatchInfo {
                    id,
                    started_at: r.try_get(1)?,
                    finished_at: r.try_get(2)?,
                    source: r.try_get(3)?,
                    summary: ImportSummary {
                        batch_id: id,
                        rows_read: n(4)?,
                        courses_inserted: n(5)?,
                        courses_updated: n(6)?,
                        courses_unchanged: n(7)?,
                        rows_repaired: n(8)?,
                        rows_rejected: n(9)?,
                    },
                    files: by_batch.remove(&id).unwrap_or_default(),
                })
            })
            .collect()
    }
}

/// Runs one SQL statement as it is (for tests and maintenance tools; never with user input).
/// The column `conversation.held`: 0 cancelled, 1 held, 2 booked ("Planlagt"). Booked was added
/// after the column, as a third value rather than a new column, so older databases read unchanged.
pub(crate) fn conversation_status(c: &Conversation) -> i64 {
    if c.held {
        1
    } else if c.planned {
        2
    } else {
        0
    }
}

pub async fn execute_raw(store: &Store, sql: &str) -> Result<u64> {
    Ok(sqlx::query(sql).execute(&store.pool).await?.rows_affected())
}

/// SQLite's `PRAGMA integrity_check` ("ok" when sound); on PostgreSQL always "ok".
pub async fn integrity_check(store: &Store) -> Result<String> {
    match store.backend {
        Backend::Sqlite => Ok(sqlx::query("PRAGMA integrity_check")
            .fetch_one(&store.pool)
            .await?
            .try_get(0)?),
        Backend::Postgres => Ok("ok".into()),
    }
}

/// Runs a writing transaction again when another writer got there first: SQLite answers BUSY at once
/// to a read-then-write transaction that loses the lock, and a concurrent writer may take the next
/// sequence number. Waits `step` times the attempt number between tries, at most `attempts` times.
pub(crate) async fn retry_on_conflict<T, Fut>(
    attempts: u32,
    step: std::time::Duration,
    mut write: impl FnMut() -> Fut,
) -> Result<T>
where
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut attempt = 0;
    loop {
        match write().await {
            Err(StoreError::Db(e)) if attempt < attempts && e.as_database_error().is_some() => {
                attempt += 1;
                tokio::time::sleep(step * attempt).await;
            }
            other => return other,
        }
    }
}

/// Raises the data's change counter inside a writing transaction.
pub(crate) async fn bump_generation(tx: &mut AnyConnection) -> Result<()> {
    sqlx::query("UPDATE data_generation SET generation = generation + 1 WHERE id = 1")
        .execute(tx)
        .await?;
    Ok(())
}

pub(crate) fn corrupt(table: &'static str, column: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        value: value.to_string(),
    }
}
