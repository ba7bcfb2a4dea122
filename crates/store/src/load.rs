//! Loading: the database's rows into the core's population ([`Store::load`]).
//!
//! One mapping from rows to the model ([`Loader`]), fed by two drivers:
//! - PostgreSQL: sqlx streams the rows.
//! - SQLite: a direct read-only connection (rusqlite, on the same SQLite library sqlx links) in a
//!   blocking task. sqlx hands every row from its SQLite worker thread to the caller through a channel
//!   and builds an `AnyRow` of boxed values for it; at national scale (20 million rows) that was 95 % of
//!   the load (`perf`: task switches, allocation), against 1 % in SQLite itself.
//!
//! Both drivers run the same queries in the same order, and the conformance suite loads through both.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

use futures_util::TryStreamExt;
use kadence_core::cpr::Cpr;
use kadence_core::date::Day;
use kadence_core::figures::{Figures, MeasureQuery, Measured, Reassign};
use kadence_core::model::*;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::codes::Code;
use crate::snapshot::{kept, Decoded, DecodedFigures, Scope, Scoped, SnapshotError};
use crate::{corrupt, FiguresSnapshot, Result, Snapshot, Store, StoreError};

/// A row, whichever driver read it. Text is borrowed where the driver allows (rusqlite), so dates
/// and codes are parsed without allocating.
pub(crate) trait Col {
    fn opt_str(&self, i: usize) -> Result<Option<Cow<'_, str>>>;
    fn int(&self, i: usize) -> Result<i64>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    fn str(&self, i: usize) -> Result<Cow<'_, str>> {
        self.opt_str(i)?
            .ok_or_else(|| corrupt("?", "(tom værdi)", &format!("kolonne {i}")))
    }
    fn text(&self, i: usize) -> Result<String> {
        Ok(self.str(i)?.into_owned())
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.opt_str(i)?.map(Cow::into_owned))
    }
}

impl Col for AnyRow {
    fn opt_str(&self, i: usize) -> Result<Option<Cow<'_, str>>> {
        Ok(self.try_get::<Option<String>, _>(i)?.map(Cow::Owned))
    }
    fn int(&self, i: usize) -> Result<i64> {
        Ok(self.try_get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.try_get(i)?)
    }
}

impl Col for rusqlite::Row<'_> {
    fn opt_str(&self, i: usize) -> Result<Option<Cow<'_, str>>> {
        match self.get_ref(i).map_err(sqlite_error)? {
            rusqlite::types::ValueRef::Null => Ok(None),
            rusqlite::types::ValueRef::Text(b) => std::str::from_utf8(b)
                .map(|s| Some(Cow::Borrowed(s)))
                .map_err(|_| corrupt("?", "(tekst)", "ugyldig UTF-8")),
            other => Err(corrupt("?", "(tekst)", &format!("{:?}", other.data_type()))),
        }
    }
    fn int(&self, i: usize) -> Result<i64> {
        self.get(i).map_err(sqlite_error)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        self.get(i).map_err(sqlite_error)
    }
}

pub(crate) fn sqlite_error(e: rusqlite::Error) -> StoreError {
    StoreError::Db(sqlx::Error::Protocol(format!("SQLite: {e}")))
}

pub(crate) fn date(r: &impl Col, i: usize, column: &'static str) -> Result<Day> {
    let s = r.str(i)?;
    Day::parse_iso(&s).ok_or_else(|| corrupt("?", column, &s))
}

pub(crate) fn date_opt(r: &impl Col, i: usize, column: &'static str) -> Result<Option<Day>> {
    r.opt_str(i)?
        .map(|s| Day::parse_iso(&s).ok_or_else(|| corrupt("?", column, &s)))
        .transpose()
}

pub(crate) fn code<T: Code>(r: &impl Col, i: usize, column: &'static str) -> Result<T> {
    let s = r.str(i)?;
    T::from_code(&s).ok_or_else(|| corrupt("?", column, &s))
}

pub(crate) fn code_opt<T: Code>(r: &impl Col, i: usize, column: &'static str) -> Result<Option<T>> {
    r.opt_str(i)?
        .map(|s| T::from_code(&s).ok_or_else(|| corrupt("?", column, &s)))
        .transpose()
}

/// The tables, in loading order. Citizens and facts are read in storage order, not sorted: the
/// builder sorts facts by course and date anyway, nothing depends on the order of course ids
/// (lists break ties by the course key), and `ORDER BY` on a text primary key made SQLite look up
/// every row through the key's index (a random read per row, 20 % of a national load). Courses
/// come by number (migration 16; on SQLite the table's own order), so that a fact's course is
/// found by its number in the numbers read; on SQLite the facts come in the same order, each
/// course's after the one before's.
#[derive(Copy, Clone)]
enum Table {
    Team,
    Caseworker,
    Citizen,
    Course,
    Conversation,
    Standby,
    Medical,
    Rehab,
}

const QUERIES: [(Table, &str); 8] = [
    (Table::Team, "SELECT key, name FROM team ORDER BY key"),
    (
        Table::Caseworker,
        "SELECT key, name, team_key, id FROM caseworker ORDER BY key",
    ),
    (Table::Citizen, "SELECT cpr, name FROM citizen"),
    (
        Table::Course,
        "SELECT key, cpr, kind, first_absence, benefit_start, transition_date, from_course, target_group, category, category_date, early_by, early_date, p13f_marked, p13f_lapsed, end_date, end_reason, caseworker_id, fit26_recorded, asked_by, asked_date, decided_date, unemployed_date, reduced_rate_date, id FROM course ORDER BY id",
    ),
    (
        Table::Conversation,
        "SELECT course_id, date, form, held, caseworker_id, registered FROM conversation",
    ),
    (
        Table::Standby,
        "SELECT course_id, start_date, end_date, registered FROM standby_period",
    ),
    (
        Table::Medical,
        "SELECT course_id, form, sent, deadline, received, received_registered FROM medical_request",
    ),
    (
        Table::Rehab,
        "SELECT course_id, date, basis FROM rehab_meeting",
    ),
];

/// Rows to model, table by table.
#[derive(Default)]
struct Loader {
    b: PopulationBuilder,
    teams: Map<TeamId>,
    /// Caseworkers by number (`caseworker.id`).
    caseworkers: HashMap<i64, CaseworkerId, rustc_hash::FxBuildHasher>,
    /// Citizens by their CPR number as a number (`Cpr::as_number`): 16 bytes a slot where a map
    /// from the text took about 56 with its string (2.8 M citizens nationally).
    citizens: HashMap<u64, CitizenId, rustc_hash::FxBuildHasher>,
    /// Each course's number (`course.id`), in the order read (ascending): the course with id `i`
    /// is the `i`th. 8 bytes a course, where finding courses by key took a table of 4 bytes a
    /// slot and hashed and compared every fact's key.
    numbers: Vec<i64>,
    from_refs: Vec<(CourseId, String)>,
    /// The course the last fact was found for.
    last_course: Option<CourseId>,
}

/// Text keys to ids. The keys come from our own database, so a fast non-keyed hash (FxHash) is safe;
/// SipHash was 11 % of a national load.
pub(crate) type Map<V> = HashMap<String, V, rustc_hash::FxBuildHasher>;

impl Loader {
    fn row(&mut self, t: Table, r: &impl Col) -> Result<()> {
        match t {
            Table::Team => {
                let key = r.text(0)?;
                let id = self.b.add_team(Team {
                    key: key.clone(),
                    name: r.text(1)?,
                });
                self.teams.insert(key, id);
            }
            Table::Caseworker => {
                let key = r.text(0)?;
                let team_key = r.text(2)?;
                let team = *self
                    .teams
                    .get(&team_key)
                    .ok_or_else(|| corrupt("caseworker", "team_key", &team_key))?;
                let id = self.b.add_caseworker(Caseworker {
                    key,
                    name: r.text(1)?,
                    team,
                });
                self.caseworkers.insert(r.int(3)?, id);
            }
            Table::Citizen => {
                let text = r.text(0)?;
                let cpr = Cpr::parse(&text).map_err(|_| corrupt("citizen", "cpr", "(maskeret)"))?;
                let id = self.b.add_citizen(Citizen {
                    cpr,
                    name: r.text(1)?.into(),
                });
                self.citizens.insert(cpr.as_number(), id);
            }
            Table::Course => self.course(r)?,
            Table::Conversation => {
                let c = (
                    self.course_ref(r.int(0)?, "conversation")?,
                    Conversation {
                        date: date(r, 1, "date")?,
                        form: code(r, 2, "form")?,
                        held: r.int(3)? == 1,
                        planned: r.int(3)? == 2,
                        caseworker: self.caseworker_ref(r.opt_int(4)?, "conversation")?,
                        registered: date_opt(r, 5, "registered")?,
                    },
                );
                self.b.conversations.push(c);
            }
            Table::Standby => {
                let s = StandbyPeriod {
                    course: self.course_ref(r.int(0)?, "standby_period")?,
                    start: date(r, 1, "start_date")?,
                    end: date_opt(r, 2, "end_date")?,
                    registered: date_opt(r, 3, "registered")?,
                };
                self.b.standby.push(s);
            }
            Table::Medical => {
                let m = MedicalRequest {
                    course: self.course_ref(r.int(0)?, "medical_request")?,
                    form: code(r, 1, "form")?,
                    sent: date(r, 2, "sent")?,
                    deadline: date_opt(r, 3, "deadline")?,
                    received: date_opt(r, 4, "received")?,
                    received_registered: date_opt(r, 5, "received_registered")?,
                };
                self.b.medical.push(m);
            }
            Table::Rehab => {
                let m = RehabMeeting {
                    course: self.course_ref(r.int(0)?, "rehab_meeting")?,
                    date: date(r, 1, "date")?,
                    basis: code(r, 2, "basis")?,
                };
                self.b.rehab.push(m);
            }
        }
        Ok(())
    }

    fn caseworker_ref(
        &self,
        number: Option<i64>,
        table: &'static str,
    ) -> Result<Option<CaseworkerId>> {
        number
            .map(|n| {
                self.caseworkers
                    .get(&n)
                    .copied()
                    .ok_or_else(|| corrupt(table, "caseworker_id", &n.to_string()))
            })
            .transpose()
    }

    /// The course a fact belongs to, by its number. Facts come ordered by course on SQLite, so the
    /// last answer and the course after it are tried first: a run of one course's facts costs one
    /// comparison each, the next course's first fact two; otherwise a binary search.
    fn course_ref(&mut self, number: i64, table: &'static str) -> Result<CourseId> {
        let at = |i: usize| (self.numbers.get(i) == Some(&number)).then_some(i);
        let found = match self.last_course {
            Some(last) => at(last.index()).or_else(|| at(last.index() + 1)),
            None => None,
        }
        .or_else(|| self.numbers.binary_search(&number).ok());
        let id = CourseId::new(
            found.ok_or_else(|| corrupt(table, "course_id", &number.to_string()))? as u32,
        );
        self.last_course = Some(id);
        Ok(id)
    }

    fn course(&mut self, r: &impl Col) -> Result<()> {
        // Held in place as the course's `Text` (no `String` a course, now that no map keeps it).
        let key = Text::from(r.str(0)?.as_ref());
        let cpr = r.str(1)?;
        let citizen = Cpr::parse(&cpr)
            .ok()
            .and_then(|c| self.citizens.get(&c.as_number()))
            .copied()
            .ok_or_else(|| corrupt("course", "cpr", "(maskeret)"))?;
        let category: Option<Category> = code_opt(r, 8, "category")?;
        let category_date = date_opt(r, 9, "category_date")?;
        let early_by: Option<Requester> = code_opt(r, 10, "early_by")?;
        let early_date = date_opt(r, 11, "early_date")?;
        let p13f = date_opt(r, 12, "p13f_marked")?;
        let lapsed = date_opt(r, 13, "p13f_lapsed")?;
        let end = date_opt(r, 14, "end_date")?;
        let end_reason: Option<EndReason> = code_opt(r, 15, "end_reason")?;
        let caseworker = self.caseworker_ref(r.opt_int(16)?, "course")?;
        let asked_by: Option<Requester> = code_opt(r, 18, "asked_by")?;
        let asked_date = date_opt(r, 19, "asked_date")?;
        let reform = ReformFacts {
            fit_within_26_weeks: date_opt(r, 17, "fit26_recorded")?,
            follow_up_asked: asked_by
                .zip(asked_date)
                .map(|(by, date)| FollowUpAsked { by, date }),
            municipality_decided: date_opt(r, 20, "decided_date")?,
            unemployed_on: date_opt(r, 21, "unemployed_date")?,
            reduced_rate_from: date_opt(r, 22, "reduced_rate_date")?,
        };
        let id = self.b.add_course(Course {
            key,
            citizen,
            kind: code(r, 2, "kind")?,
            first_absence: date(r, 3, "first_absence")?,
            benefit_start: date(r, 4, "benefit_start")?,
            transition: date_opt(r, 5, "transition_date")?,
            from_course: None,
            target_group: code(r, 7, "target_group")?,
            visitation: category
                .zip(category_date)
                .map(|(category, set_on)| Visitation { category, set_on }),
            early_request: early_by
                .zip(early_date)
                .map(|(by, date)| EarlyRequest { by, date }),
            predictable: p13f.map(|m| Predictable {
                marked_on: m,
                lapsed_on: lapsed,
            }),
            reform: reform.boxed(),
            end: end.map(|date| CourseEnd {
                date,
                reason: end_reason.unwrap_or(EndReason::Other),
            }),
            caseworker,
        });
        if let Some(from) = r.opt_text(6)? {
            self.from_refs.push((id, from));
        }
        let number = r.int(23)?;
        // Ascending, as the query orders them, so that a fact's course is found by search.
        if self.numbers.last().is_some_and(|&last| last >= number) {
            return Err(corrupt("course", "id", &number.to_string()));
        }
        self.numbers.push(number);
        Ok(())
    }

    /// After the courses: links from a job clarification to the course it continues (by the case
    /// system's key: the course it continues may come in a later export).
    fn link_courses(&mut self) {
        let from_refs = std::mem::take(&mut self.from_refs);
        if from_refs.is_empty() {
            return;
        }
        let by_key = kadence_import::CourseKeys::of(&self.b.courses);
        for (id, from) in from_refs {
            self.b.courses[id.index()].from_course = by_key.get(&self.b.courses, &from);
        }
    }
}

/// What a read found: the kept snapshot of the current population version, or the tables (with
/// why the snapshot was not used).
// One value per load, moved once: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Read {
    Kept(Scoped),
    /// The tables' rows as the builder holds them (the loader's own maps already dropped, before
    /// the population is built: its peak).
    Tables {
        builder: PopulationBuilder,
        version: i64,
        why: SnapshotError,
    },
}

/// Reads the population through a direct SQLite connection (blocking), in one read transaction:
/// the population version, then its kept snapshot, or every table when there is none to use.
fn read_sqlite(path: PathBuf, use_kept: bool, scope: Scope) -> Result<Read> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_error)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(sqlite_error)?;
    // One read transaction: every table as of the same moment, as with sqlx's snapshot.
    conn.execute_batch("BEGIN").map_err(sqlite_error)?;
    let version: i64 = conn
        .query_row(kept::VERSION, [], |r| r.get(0))
        .map_err(sqlite_error)?;
    let why = if use_kept {
        match kept::read_sqlite_scoped(&conn, version, &scope)? {
            Ok(d) => return Ok(Read::Kept(d)),
            Err(e) => e,
        }
    } else {
        SnapshotError::Missing(version)
    };
    let mut l = Loader::default();
    for (t, sql) in QUERIES {
        let mut stmt = conn.prepare(sql).map_err(sqlite_error)?;
        let mut rows = stmt.query([]).map_err(sqlite_error)?;
        while let Some(r) = rows.next().map_err(sqlite_error)? {
            l.row(t, r)?;
        }
        if matches!(t, Table::Course) {
            l.link_courses();
        }
    }
    Ok(Read::Tables {
        builder: l.b,
        version,
        why,
    })
}

/// Where a loaded population came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PopulationSource {
    /// The snapshot kept in the database for the current population version.
    Kept,
    /// The tables, row by row, because the snapshot could not be used (`why`, in Danish); `kept`
    /// says whether a new snapshot was written for the next reader.
    Tables { why: String, kept: bool },
}

impl Store {
    /// Builds the core's population from the database, with the latest batch, the moves made in
    /// Kadence, the settings and the committee's data. The population comes from the snapshot
    /// kept in the database when it is of the current population version; otherwise from the
    /// tables, after which the snapshot is written for the next reader.
    pub async fn load(&self) -> Result<Snapshot> {
        // Read first: a change during the load makes the next check load again, never miss one.
        let generation = self.generation().await?;
        let (decoded, source) = self.population(true).await?;
        self.finish_load(decoded, source, generation).await
    }

    /// The same, always from the tables, row by row (the conformance suite holds the two equal).
    pub async fn load_from_tables(&self) -> Result<Snapshot> {
        let generation = self.generation().await?;
        let (decoded, source) = self.population(false).await?;
        self.finish_load(decoded, source, generation).await
    }

    /// The figures' basis ([`Figures`]) of the current data, with the moves made in Kadence and the
    /// settings: what `kadence measure` needs for figures, read from the kept snapshot without the
    /// personal data (issue 15: a fresh process on the whole country in about a third of the
    /// memory of a whole load). Without a usable snapshot, the tables are read whole as
    /// [`Store::load`] reads them, and a snapshot is kept.
    pub async fn load_figures(&self) -> Result<FiguresSnapshot> {
        self.figures_via(None, |s| match s {
            Scoped::Figures(d) => Some(d),
            _ => None,
        })
        .await
    }

    /// One measure of the current data's figures' basis ([`Measured`]), with what figures are
    /// split by (each course's caseworker after the moves made in Kadence), and the settings:
    /// what `kadence measure` needs for figures alone. Read as [`Store::load_figures`] reads, but
    /// each snapshot part is measured on the thread that decoded it and dropped, so the basis is
    /// never held whole (issue 15: a fresh process's memory and time).
    pub async fn measure_figures(&self, query: MeasureQuery) -> Result<FiguresSnapshot<Measured>> {
        self.figures_via(Some(Box::new(query)), |s| match s {
            Scoped::Measured(d) => Some(d),
            _ => None,
        })
        .await
    }

    async fn figures_via<F: Reassign>(
        &self,
        measure: Option<Box<MeasureQuery>>,
        pick: fn(Scoped) -> Option<DecodedFigures<F>>,
    ) -> Result<FiguresSnapshot<F>> {
        let generation = self.generation().await?;
        let latest_moves = self.latest_moves().await?;
        let keys = latest_moves.keys().cloned().collect();
        let (scoped, source) = self
            .population_via(true, false, Scope::Figures { keys, measure })
            .await?;
        let DecodedFigures {
            mut figures,
            found,
            version,
        } = pick(scoped)
            .ok_or_else(|| corrupt("population_snapshot", "omfang", "forkert omfang"))?;
        let reassigned = Store::apply_reassignments_to_figures(latest_moves, &mut figures, &found);
        Ok(FiguresSnapshot {
            figures,
            latest: self.batches().await?.into_iter().next(),
            reassigned,
            generation,
            population_version: version,
            source,
            settings: self.settings_history().await?,
        })
    }

    /// The population, each course's caseworker as the case system names it, and where it came
    /// from (see [`Store::load`]).
    pub(crate) async fn population(&self, use_kept: bool) -> Result<(Decoded, PopulationSource)> {
        self.whole_population(use_kept, false).await
    }

    async fn whole_population(
        &self,
        use_kept: bool,
        streamed: bool,
    ) -> Result<(Decoded, PopulationSource)> {
        match self
            .population_via(use_kept, streamed, Scope::Whole)
            .await?
        {
            (Scoped::Whole(d), source) => Ok((*d, source)),
            (_, _) => Err(corrupt("population_snapshot", "omfang", "forkert omfang")),
        }
    }

    /// The population as `scope` says, from the kept snapshot or else the tables (read whole,
    /// kept as a new snapshot, then cut to the scope).
    async fn population_via(
        &self,
        use_kept: bool,
        streamed: bool,
        scope: Scope,
    ) -> Result<(Scoped, PopulationSource)> {
        let read = match &self.sqlite_file {
            Some(path) if !streamed => {
                let (path, scope) = (path.clone(), scope.clone());
                tokio::task::spawn_blocking(move || read_sqlite(path, use_kept, scope))
                    .await
                    .map_err(|e| StoreError::Db(sqlx::Error::Protocol(e.to_string())))??
            }
            _ => self.read_streamed(use_kept, &scope).await?,
        };
        match read {
            Read::Kept(d) => Ok((d, PopulationSource::Kept)),
            Read::Tables {
                builder,
                version,
                why,
            } => {
                let (population, _) = builder.build();
                let decoded = Decoded {
                    population,
                    version,
                };
                // For the next reader; a store that cannot write (a read-only user) still loads.
                let kept = use_kept && self.keep(&decoded).await.unwrap_or(false);
                let source = PopulationSource::Tables {
                    why: why.to_string(),
                    kept,
                };
                Ok((
                    match scope {
                        Scope::Whole => Scoped::Whole(Box::new(decoded)),
                        Scope::Figures { keys, measure } => {
                            let pop = decoded.population;
                            let found = pop
                                .courses
                                .iter()
                                .enumerate()
                                .filter(|(_, c)| keys.contains(c.key.as_str()))
                                .map(|(i, c)| (c.key.to_string(), CourseId::new(i as u32)))
                                .collect();
                            let figures = Figures::from(pop);
                            match measure {
                                Some(q) => Scoped::Measured(DecodedFigures {
                                    figures: Measured::of(&figures, &q),
                                    found,
                                    version,
                                }),
                                None => Scoped::Figures(DecodedFigures {
                                    figures,
                                    found,
                                    version,
                                }),
                            }
                        }
                    },
                    source,
                ))
            }
        }
    }

    /// The same from the tables through sqlx (PostgreSQL's path; for SQLite in the test that
    /// compares the two drivers).
    pub async fn load_streamed_snapshot(&self) -> Result<Snapshot> {
        let generation = self.generation().await?;
        let (decoded, source) = self.whole_population(false, true).await?;
        self.finish_load(decoded, source, generation).await
    }

    async fn read_streamed(&self, use_kept: bool, scope: &Scope) -> Result<Read> {
        let mut tx = self.pool.begin().await?;
        let version = kept::population_version(&mut tx).await?;
        if use_kept {
            let why = match kept::read_scoped(&mut tx, version, scope.clone()).await? {
                Ok(d) => {
                    tx.commit().await?;
                    return Ok(Read::Kept(d));
                }
                Err(e) => e,
            };
            let builder = Self::read_tables(&mut tx).await?;
            tx.commit().await?;
            return Ok(Read::Tables {
                builder,
                version,
                why,
            });
        }
        let builder = Self::read_tables(&mut tx).await?;
        tx.commit().await?;
        Ok(Read::Tables {
            builder,
            version,
            why: SnapshotError::Missing(version),
        })
    }

    async fn read_tables(tx: &mut sqlx::AnyConnection) -> Result<PopulationBuilder> {
        let mut l = Loader::default();
        for (t, sql) in QUERIES {
            let mut rows = sqlx::query(sql).fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                l.row(t, &r)?;
            }
            drop(rows);
            if matches!(t, Table::Course) {
                l.link_courses();
            }
        }
        Ok(l.b)
    }

    async fn finish_load(
        &self,
        decoded: Decoded,
        source: PopulationSource,
        generation: i64,
    ) -> Result<Snapshot> {
        let Decoded {
            mut population,
            version,
        } = decoded;
        let reassigned = self.apply_reassignments(&mut population).await?;
        let latest = self.batches().await?.into_iter().next();
        let settings = self.settings_history().await?;
        Ok(Snapshot {
            population,
            latest,
            reassigned,
            generation,
            population_version: version,
            source,
            settings,
            jobindsats: self.jobindsats().await?,
            targets: self.targets().await?,
        })
    }
}
