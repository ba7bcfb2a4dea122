//! # kadence-store
//!
//! The database shell: an embedded SQLite file by default, PostgreSQL for multi-user deployments, behind
//! one [`Store`] and one conformance suite (`tests/conformance.rs`, run on both).
//!
//! - **Migrations** are applied at start ([`schema::MIGRATIONS`], portable SQL).
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
mod load;
pub use load::PopulationSource;
pub mod retention;
pub mod schema;
pub mod settings;
pub mod snapshot;
pub mod witness;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use futures_util::TryStreamExt;
use kadence_core::date::Day;
use kadence_core::model::*;
use kadence_import::Loaded;
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, Row};

use codes::Code;

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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// A step of an import ([`Store::import_with`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ImportStep {
    /// Writing the courses that changed: `done` of `total`.
    Courses { done: u64, total: u64 },
    /// Writing the population's snapshot (the one before, with the export merged in).
    Snapshot,
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
}

fn t(s: impl Into<String>) -> Val {
    Val::Text(Some(s.into()))
}
fn opt(s: Option<impl Into<String>>) -> Val {
    Val::Text(s.map(Into::into))
}
fn day(d: Day) -> Val {
    t(d.to_string())
}
fn oday(d: Option<Day>) -> Val {
    opt(d.map(|d| d.to_string()))
}

/// Most bind parameters in one statement (SQLite's limit is 32,766; PostgreSQL's 65,535).
const MAX_BINDS: usize = 30_000;

/// The `n`-th (1-based) bind placeholder of a statement with many parameters. PostgreSQL needs `$n`;
/// SQLite gets anonymous `?`, because it treats `$n` as a *named* parameter and looks each new name up
/// in a linear list while preparing, which made a 7,000-parameter insert quadratic (an import of 1.7
/// million rows took 4.5 minutes; see docs/performance.md).
fn placeholder(backend: Backend, n: usize) -> String {
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
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rows for one table, written in statements of one fixed size so that the prepared statement is reused;
/// [`Batcher::finish`] writes the remainder.
struct Batcher {
    table: &'static str,
    cols: &'static [&'static str],
    per: usize,
    rows: Vec<Vec<Val>>,
}

impl Batcher {
    fn new(table: &'static str, cols: &'static [&'static str]) -> Batcher {
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
        insert_rows(conn, backend, self.table, self.cols, rows).await
    }
}

async fn delete_courses(conn: &mut AnyConnection, backend: Backend, keys: &[String]) -> Result<()> {
    for chunk in keys.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| placeholder(backend, i)).collect();
        let list = list.join(", ");
        for (table, col) in [
            ("conversation", "course_key"),
            ("standby_period", "course_key"),
            ("medical_request", "course_key"),
            ("rehab_meeting", "course_key"),
            ("course", "key"),
        ] {
            let sql = format!("DELETE FROM {table} WHERE {col} IN ({list})");
            let mut q = sqlx::query(&sql);
            for k in chunk {
                q = q.bind(k.clone());
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// All rows of one course, and their hash.
struct CourseRows {
    key: String,
    course: Vec<Val>,
    conversations: Vec<Vec<Val>>,
    standby: Vec<Vec<Val>>,
    medical: Vec<Vec<Val>>,
    rehab: Vec<Vec<Val>>,
}

impl CourseRows {
    fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        let mut feed = |row: &[Val]| {
            for v in row {
                match v {
                    Val::Text(Some(s)) => {
                        h.update(b"s");
                        h.update((s.len() as u64).to_le_bytes());
                        h.update(s.as_bytes());
                    }
                    Val::Text(None) => h.update(b"n"),
                    Val::Int(i) => {
                        h.update(b"i");
                        h.update(i.to_le_bytes());
                    }
                }
            }
            h.update(b"|");
        };
        // The reform's columns (the last REFORM_COLS) enter the hash only when one is set, so that
        // courses stored before they existed keep their hashes and a re-import changes nothing.
        let (base, reform) = self.course.split_at(self.course.len() - REFORM_COLS);
        feed(base);
        if reform.iter().any(|v| !matches!(v, Val::Text(None))) {
            feed(&[t("reform")]);
            feed(reform);
        }
        // Likewise the registration dates (migration 13, the last column of a conversation,
        // standby or medical row) enter only when set.
        for (section, rows, with_registration) in [
            ("conversations", &self.conversations, 7),
            ("standby", &self.standby, 5),
            ("medical", &self.medical, 7),
            ("rehab", &self.rehab, usize::MAX),
        ] {
            feed(&[t(section)]);
            for r in rows.iter() {
                match r.split_last() {
                    Some((Val::Text(None), rest)) if r.len() == with_registration => feed(rest),
                    _ => feed(r),
                }
            }
        }
        h.finalize().into()
    }
}

/// A stored content hash (64 hex digits) as bytes; `None` if it is not one, so the course is
/// rewritten.
fn unhex32(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

fn course_rows(pop: &Population, id: CourseId) -> CourseRows {
    let f = pop.facts(id);
    let c = f.course;
    let cw = |x: Option<CaseworkerId>| opt(x.map(|x| pop.caseworkers[x.index()].key.clone()));
    let key = c.key.clone();
    let seq = |i: usize| Val::Int(i as i64);
    CourseRows {
        course: vec![
            t(&key),
            t(pop.citizens[c.citizen.index()].cpr.reveal()),
            t(c.kind.code()),
            day(c.first_absence),
            day(c.benefit_start),
            oday(c.transition),
            opt(c.from_course.map(|x| pop.courses[x.index()].key.clone())),
            t(c.target_group.code()),
            opt(c.visitation.map(|v| v.category.code())),
            oday(c.visitation.map(|v| v.set_on)),
            opt(c.early_request.map(|r| r.by.code())),
            oday(c.early_request.map(|r| r.date)),
            oday(c.predictable.map(|p| p.marked_on)),
            oday(c.predictable.and_then(|p| p.lapsed_on)),
            oday(c.end.map(|e| e.date)),
            opt(c.end.map(|e| e.reason.code())),
            cw(c.caseworker),
            oday(c.reform().fit_within_26_weeks),
            opt(c.reform().follow_up_asked.map(|a| a.by.code())),
            oday(c.reform().follow_up_asked.map(|a| a.date)),
            oday(c.reform().municipality_decided),
            oday(c.reform().unemployed_on),
            oday(c.reform().reduced_rate_from),
        ],
        conversations: f
            .conversations
            .iter()
            .enumerate()
            .map(|(i, x)| {
                vec![
                    t(&key),
                    seq(i),
                    day(x.date),
                    t(x.form.code()),
                    Val::Int(conversation_status(x)),
                    cw(x.caseworker),
                    oday(x.registered),
                ]
            })
            .collect(),
        standby: f
            .standby
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    t(&key),
                    seq(i),
                    day(s.start),
                    oday(s.end),
                    oday(s.registered),
                ]
            })
            .collect(),
        medical: f
            .medical
            .iter()
            .enumerate()
            .map(|(i, m)| {
                vec![
                    t(&key),
                    seq(i),
                    t(m.form.code()),
                    day(m.sent),
                    oday(m.deadline),
                    oday(m.received),
                    oday(m.received_registered),
                ]
            })
            .collect(),
        rehab: f
            .rehab
            .iter()
            .enumerate()
            .map(|(i, r)| vec![t(&key), seq(i), day(r.date), t(r.basis.code())])
            .collect(),
        key,
    }
}

const COURSE_COLS: &[&str] = &[
    "key",
    "cpr",
    "kind",
    "first_absence",
    "benefit_start",
    "transition_date",
    "from_course",
    "target_group",
    "category",
    "category_date",
    "early_by",
    "early_date",
    "p13f_marked",
    "p13f_lapsed",
    "end_date",
    "end_reason",
    "caseworker_key",
    "fit26_recorded",
    "asked_by",
    "asked_date",
    "decided_date",
    "unemployed_date",
    "reduced_rate_date",
    "content_hash",
    "batch_id",
];

/// The reform's columns at the end of a course row (migration 8).
const REFORM_COLS: usize = 6;

fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

impl Store {
    /// Opens (creating if needed) a database from a URL: `sqlite://path` or `postgres://...`, and
    /// applies the migrations.
    pub async fn open(url: &str) -> Result<Store> {
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
        if backend == Backend::Sqlite {
            // WAL: readers never block the importer, and a crash mid-import leaves the old data.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&store.pool)
                .await?;
        }
        store.migrate().await?;
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
        Store::open(&format!("sqlite://{}", path.display())).await
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

    async fn migrate(&self) -> Result<()> {
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
        for (version, name, statements) in schema::MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            for s in *statements {
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
        Ok(())
    }

    /// Writes a read export in one transaction. `progress(done, total)` is called before the first
    /// course is written and after each chunk (for a progress bar).
    pub async fn import(
        &self,
        loaded: &Loaded,
        files: &[FileMeta],
        source: &str,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<ImportSummary> {
        self.import_with(loaded, files, source, |step| {
            if let ImportStep::Courses { done, total } = step {
                progress(done, total)
            }
        })
        .await
    }

    /// [`Store::import`], telling each step as it starts: the courses (before the first and after
    /// each chunk), then the population's snapshot.
    pub async fn import_with(
        &self,
        loaded: &Loaded,
        files: &[FileMeta],
        source: &str,
        mut step: impl FnMut(ImportStep),
    ) -> Result<ImportSummary> {
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
        for cw in &pop.caseworkers {
            changed |= sqlx::query(
                "INSERT INTO caseworker (key, name, team_key, batch_id) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (key) DO UPDATE SET name = excluded.name, team_key = excluded.team_key, batch_id = excluded.batch_id
                 WHERE caseworker.name <> excluded.name OR caseworker.team_key <> excluded.team_key",
            )
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
                None => new_citizens.push(vec![t(cpr), t(&c.name), Val::Int(batch_id)]),
                Some(name) if *name != c.name => {
                    changed = true;
                    sqlx::query("UPDATE citizen SET name = $1, batch_id = $2 WHERE cpr = $3")
                        .bind(c.name.clone())
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
        let mut summary = ImportSummary {
            batch_id,
            rows_read: loaded.files.iter().map(|f| f.rows as u64).sum(),
            rows_repaired: loaded
                .files
                .iter()
                .map(|f| f.repaired_lines.len() as u64)
                .sum(),
            ..ImportSummary::default()
        };
        // Which courses to write is decided first and only their ids are kept; their rows are built
        // again while writing, so the import never holds every course's rows at once (at national
        // scale that was gigabytes).
        let mut changed_keys = Vec::new();
        let mut to_write = Vec::new();
        for id in pop.course_ids() {
            let rows = course_rows(pop, id);
            let hash = rows.hash();
            match existing.get(&rows.key) {
                Some(Some(h)) if *h == hash => summary.courses_unchanged += 1,
                Some(_) => {
                    summary.courses_updated += 1;
                    changed_keys.push(rows.key);
                    to_write.push((id, hash));
                }
                None => {
                    summary.courses_inserted += 1;
                    to_write.push((id, hash));
                }
            }
        }
        drop(existing);
        delete_courses(conn, self.backend, &changed_keys).await?;
        let total = to_write.len() as u64;
        progress(0, total);
        let backend = self.backend;
        let mut course_b = Batcher::new("course", COURSE_COLS);
        let mut conv_b = Batcher::new(
            "conversation",
            &[
                "course_key",
                "seq",
                "date",
                "form",
                "held",
                "caseworker_key",
                "registered",
                "batch_id",
            ],
        );
        let mut sb_b = Batcher::new(
            "standby_period",
            &[
                "course_key",
                "seq",
                "start_date",
                "end_date",
                "registered",
                "batch_id",
            ],
        );
        let mut med_b = Batcher::new(
            "medical_request",
            &[
                "course_key",
                "seq",
                "form",
                "sent",
                "deadline",
                "received",
                "received_registered",
                "batch_id",
            ],
        );
        let mut reh_b = Batcher::new(
            "rehab_meeting",
            &["course_key", "seq", "date", "basis", "batch_id"],
        );
        let batch = Val::Int(batch_id);
        for (done, (id, hash)) in to_write.into_iter().enumerate() {
            let rows = course_rows(pop, id);
            let mut c = rows.course;
            c.push(t(hex(&hash)));
            c.push(batch.clone());
            course_b.push(conn, backend, c).await?;
            for (b, list) in [
                (&mut conv_b, rows.conversations),
                (&mut sb_b, rows.standby),
                (&mut med_b, rows.medical),
                (&mut reh_b, rows.rehab),
            ] {
                for mut r in list {
                    r.push(batch.clone());
                    b.push(conn, backend, r).await?;
                }
            }
            if (done + 1) % 2000 == 0 {
                progress(done as u64 + 1, total);
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
        if rebuild {
            // Best effort: a reader that finds none reads the tables and keeps it just the same.
            let _ = self.population(true).await;
        }
        Ok(summary)
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

/// Whether the population tables hold nothing yet (a new database: the first import's snapshot
/// is the export alone).
async fn population_is_empty(conn: &mut AnyConnection) -> Result<bool> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM team LIMIT 1) t)
              + (SELECT COUNT(*) FROM (SELECT 1 FROM caseworker LIMIT 1) w)
              + (SELECT COUNT(*) FROM (SELECT 1 FROM citizen LIMIT 1) c)
              + (SELECT COUNT(*) FROM (SELECT 1 FROM course LIMIT 1) k)",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get::<i64, _>(0)? == 0)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored hex hash and the bytes compared in memory agree both ways; anything that is not a
    /// 64-digit hash reads as "unknown", so that course is rewritten rather than wrongly kept.
    #[test]
    fn content_hashes_read_back_as_bytes() {
        let bytes: [u8; 32] = Sha256::digest(b"kadence").into();
        assert_eq!(unhex32(&hex(&bytes)), Some(bytes));
        assert_eq!(unhex32(&hex(&bytes).to_uppercase()), Some(bytes));
        for bad in [
            "",
            "00",
            &"g".repeat(64),
            &"0".repeat(63),
            &"0".repeat(65),
            &"ø".repeat(32),
        ] {
            assert_eq!(unhex32(bad), None, "{bad}");
        }
    }
}
