//! The committee's figures (migration 10): Jobindsats fetches with their figures, and the targets
//! (måltal, budgetpersoner) with their history. Both are append-only: a new fetch or a corrected
//! target is a new row, so a report as of a past day is made from what was stored by then. A write
//! is one transaction (nothing half-stored), raises the data's change counter (a running server
//! reloads) and writes an audit event naming what changed.

use jiff::Timestamp;
use kadence_core::committee::external::{ExternalFigure, Fetch, FetchSource, Jobindsats};
use kadence_core::committee::targets::{TargetEntry, TargetKind, Targets};
use kadence_core::date::{Day, Month};
use sqlx::Row;

use crate::audit::AuditEntry;
use crate::{corrupt, Result, Store};

fn source_word(s: FetchSource) -> &'static str {
    match s {
        FetchSource::Api => "api",
        FetchSource::File => "fil",
    }
}

fn day(table: &'static str, column: &'static str, s: &str) -> Result<Day> {
    Day::parse_iso(s).ok_or_else(|| corrupt(table, column, s))
}

fn stamp(now: Timestamp) -> String {
    now.round(jiff::Unit::Second).unwrap_or(now).to_string()
}

/// Rows per multi-row INSERT (7 parameters a row, under every driver's limit).
const CHUNK: usize = 100;

impl Store {
    /// Stores fetches of Jobindsats tables in one transaction, by `by` (a user, or "kadence
    /// jobindsats hent"), and writes one audit event. The fetches' `fetched_on`/`fetched_at` are
    /// kept as given. Returns the new fetch ids.
    pub async fn store_jobindsats(
        &self,
        fetches: &[Fetch],
        by: &str,
        now: Timestamp,
    ) -> Result<Vec<i64>> {
        let ids = crate::retry_on_conflict(10, std::time::Duration::from_millis(10), || {
            self.try_store_jobindsats(fetches, by)
        })
        .await?;
        let what: Vec<String> = fetches
            .iter()
            .map(|f| format!("{} ({} tal, {})", f.table, f.figures.len(), f.origin))
            .collect();
        self.audit_append(
            &[AuditEntry {
                username: by.to_string(),
                cpr: None,
                course_key: Some(format!("Jobindsats: {}", what.join("; "))),
                action: "gemte tal fra Jobindsats".into(),
                purpose: "udvalgets ledelsesinformation".into(),
            }],
            now,
        )
        .await?;
        Ok(ids)
    }

    async fn try_store_jobindsats(&self, fetches: &[Fetch], by: &str) -> Result<Vec<i64>> {
        let mut tx = self.pool.begin().await?;
        let mut next: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM jobindsats_fetch")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let mut ids = Vec::with_capacity(fetches.len());
        for f in fetches {
            next += 1;
            sqlx::query("INSERT INTO jobindsats_fetch (id, table_id, source, origin, fetched_on, fetched_at, fetched_by, update_latest, update_next) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(next)
                .bind(&f.table)
                .bind(source_word(f.source))
                .bind(&f.origin)
                .bind(f.fetched_on.to_string())
                .bind(&f.fetched_at)
                .bind(by)
                .bind(f.update_latest.map(|d| d.to_string()))
                .bind(f.update_next.map(|d| d.to_string()))
                .execute(&mut *tx)
                .await?;
            for chunk in f.figures.chunks(CHUNK) {
                // A missing cell is written as the literal NULL, not bound: sqlx's Any driver sends
                // a NULL float to PostgreSQL in a format it refuses.
                let mut sql = String::from("INSERT INTO jobindsats_figure (fetch_id, area, period, persons, full_time, share_labour_force, share_population) VALUES ");
                let mut n = 0;
                let mut p = || {
                    n += 1;
                    format!("${n}")
                };
                for (i, g) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push(',');
                    }
                    let mut cells = vec![p(), p(), p()];
                    for v in [
                        g.persons,
                        g.full_time,
                        g.share_labour_force,
                        g.share_population,
                    ] {
                        cells.push(if v.is_some() { p() } else { "NULL".into() });
                    }
                    sql.push_str(&format!("({})", cells.join(", ")));
                }
                let mut q = sqlx::query(&sql);
                for g in chunk {
                    q = q.bind(next).bind(&g.area).bind(g.month.to_string());
                    for v in [
                        g.persons,
                        g.full_time,
                        g.share_labour_force,
                        g.share_population,
                    ]
                    .into_iter()
                    .flatten()
                    {
                        q = q.bind(v);
                    }
                }
                q.execute(&mut *tx).await?;
            }
            ids.push(next);
        }
        crate::bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Every stored fetch with its figures, in the order stored.
    pub async fn jobindsats(&self) -> Result<Jobindsats> {
        let rows = sqlx::query("SELECT id, table_id, source, origin, fetched_on, fetched_at, update_latest, update_next FROM jobindsats_fetch ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut fetches = Vec::with_capacity(rows.len());
        let mut index = std::collections::HashMap::new();
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let source: String = r.try_get(2)?;
            let on: String = r.try_get(4)?;
            let latest: Option<String> = r.try_get(6)?;
            let next: Option<String> = r.try_get(7)?;
            index.insert(id, fetches.len());
            fetches.push(Fetch {
                table: r.try_get(1)?,
                source: match source.as_str() {
                    "api" => FetchSource::Api,
                    "fil" => FetchSource::File,
                    other => return Err(corrupt("jobindsats_fetch", "source", other)),
                },
                origin: r.try_get(3)?,
                fetched_on: day("jobindsats_fetch", "fetched_on", &on)?,
                fetched_at: r.try_get(5)?,
                update_latest: latest
                    .map(|d| day("jobindsats_fetch", "update_latest", &d))
                    .transpose()?,
                update_next: next
                    .map(|d| day("jobindsats_fetch", "update_next", &d))
                    .transpose()?,
                figures: Vec::new(),
            });
        }
        if fetches.is_empty() {
            return Ok(Jobindsats::default());
        }
        let rows = sqlx::query("SELECT fetch_id, area, period, persons, full_time, share_labour_force, share_population FROM jobindsats_figure ORDER BY fetch_id, area, period")
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let period: String = r.try_get(2)?;
            let month = Month::parse(&period.replace('M', "-"))
                .ok_or_else(|| corrupt("jobindsats_figure", "period", &period))?;
            let Some(&i) = index.get(&id) else {
                return Err(corrupt("jobindsats_figure", "fetch_id", &id.to_string()));
            };
            fetches[i].figures.push(ExternalFigure {
                area: r.try_get(1)?,
                month,
                persons: r.try_get(3)?,
                full_time: r.try_get(4)?,
                share_labour_force: r.try_get(5)?,
                share_population: r.try_get(6)?,
            });
        }
        Ok(Jobindsats { fetches })
    }

    /// Adds target entries in one transaction, entered on `today` by `by` from `source` ("formular"
    /// or a file's name), and writes one audit event with `reason` as its purpose. Refused
    /// (nothing written) when an entry names an unknown group, a month outside 1-12 on a budget
    /// figure (or one on a yearly target), or a value that is not a non-negative number.
    pub async fn add_targets(
        &self,
        entries: &[(String, TargetKind, i32, Option<u32>, f64)],
        today: Day,
        by: &str,
        source: &str,
        reason: &str,
        now: Timestamp,
    ) -> std::result::Result<usize, crate::settings::SaveError> {
        use crate::settings::SaveError;
        if reason.trim().is_empty() {
            return Err(SaveError::Invalid(
                "En ændring af måltal skal have en begrundelse".into(),
            ));
        }
        for (i, (group, kind, year, month, value)) in entries.iter().enumerate() {
            let at = format!("Mål nr. {}", i + 1);
            if kadence_core::committee::group(group).is_none() {
                return Err(SaveError::Invalid(format!(
                    "{at}: «{group}» er ikke en ydelsesgruppe"
                )));
            }
            if !(2000..=2100).contains(year) {
                return Err(SaveError::Invalid(format!(
                    "{at}: årstallet {year} duer ikke"
                )));
            }
            match (kind, month) {
                (TargetKind::Yearly, None) => {}
                (TargetKind::Budget, Some(m)) if (1..=12).contains(m) => {}
                (TargetKind::Yearly, Some(_)) => {
                    return Err(SaveError::Invalid(format!(
                        "{at}: et måltal gælder hele året og har ingen måned"
                    )))
                }
                (TargetKind::Budget, _) => {
                    return Err(SaveError::Invalid(format!(
                        "{at}: budgetpersoner skal have en måned 1-12"
                    )))
                }
            }
            if !value.is_finite() || *value < 0.0 {
                return Err(SaveError::Invalid(format!(
                    "{at}: værdien skal være et antal fuldtidspersoner (0 eller mere)"
                )));
            }
        }
        if entries.is_empty() {
            return Err(SaveError::Invalid("Ingen mål at gemme".into()));
        }
        let at = stamp(now);
        crate::retry_on_conflict(10, std::time::Duration::from_millis(10), || {
            self.try_add_targets(entries, today, &at, by, source)
        })
        .await?;
        let what: Vec<String> = entries
            .iter()
            .map(|(g, k, y, m, v)| match m {
                Some(m) => format!("{g} {} {y}-{m:02}: {v}", k.word()),
                None => format!("{g} {} {y}: {v}", k.word()),
            })
            .collect();
        self.audit_append(
            &[AuditEntry {
                username: by.to_string(),
                cpr: None,
                course_key: Some(format!("måltal fra {source}: {}", what.join("; "))),
                action: "ændrede måltal".into(),
                purpose: reason.trim().to_string(),
            }],
            now,
        )
        .await?;
        Ok(entries.len())
    }

    async fn try_add_targets(
        &self,
        entries: &[(String, TargetKind, i32, Option<u32>, f64)],
        today: Day,
        at: &str,
        by: &str,
        source: &str,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let mut next: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM committee_target")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        for (group, kind, year, month, value) in entries {
            next += 1;
            // No month is the literal NULL (see `try_store_jobindsats`).
            let sql = format!(
                "INSERT INTO committee_target (id, group_code, kind, year, month, value, entered_on, entered_at, entered_by, source) VALUES ($1, $2, $3, $4, {}, $5, $6, $7, $8, $9)",
                month.map_or("NULL".to_string(), |m| m.to_string())
            );
            sqlx::query(&sql)
                .bind(next)
                .bind(group)
                .bind(kind.word())
                .bind(i64::from(*year))
                .bind(*value)
                .bind(today.to_string())
                .bind(at)
                .bind(by)
                .bind(source)
                .execute(&mut *tx)
                .await?;
        }
        crate::bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every target entry, in the order entered.
    pub async fn targets(&self) -> Result<Targets> {
        let rows = sqlx::query("SELECT group_code, kind, year, month, value, entered_on, entered_at, entered_by, source FROM committee_target ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for r in rows {
            let kind: String = r.try_get(1)?;
            let year: i64 = r.try_get(2)?;
            let month: Option<i64> = r.try_get(3)?;
            let on: String = r.try_get(5)?;
            entries.push(TargetEntry {
                group: r.try_get(0)?,
                kind: TargetKind::parse(&kind)
                    .ok_or_else(|| corrupt("committee_target", "kind", &kind))?,
                year: i32::try_from(year)
                    .map_err(|_| corrupt("committee_target", "year", &year.to_string()))?,
                month: month
                    .map(|m| {
                        u32::try_from(m)
                            .map_err(|_| corrupt("committee_target", "month", &m.to_string()))
                    })
                    .transpose()?,
                value: r.try_get(4)?,
                entered_on: day("committee_target", "entered_on", &on)?,
                entered_at: r.try_get(6)?,
                entered_by: r.try_get(7)?,
                source: r.try_get(8)?,
            });
        }
        Ok(Targets { entries })
    }
}
