//! Reassignment (omfordeling): a team lead moves courses to another caseworker in Kadence.
//!
//! The case system stays the source of truth: a move is recorded with the caseworker the case system
//! named at the time, and it holds only while the case system still names that caseworker. As soon as
//! an import names anyone else (the move was made there too, or the case was moved again), the import
//! wins and the Kadence move is history. Every move is kept (who, when, from, to).

use std::collections::HashMap;

use jiff::Timestamp;
use kadence_core::figures::Reassign;
use kadence_core::model::{Caseworker, CaseworkerId, CourseId, Population};
use sqlx::Row;

use crate::{Reassignment, Result, Store, StoreError};

impl Store {
    /// Moves the courses to caseworker `to` (by key), in one transaction; returns how many were moved.
    /// Unknown course or caseworker keys refuse the whole move.
    pub async fn reassign(
        &self,
        course_keys: &[String],
        to: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<usize> {
        // Another writer (an import, a second team lead) may hold the lock or take the number.
        crate::retry_on_conflict(10, std::time::Duration::from_millis(10), || {
            self.try_reassign(course_keys, to, by, now)
        })
        .await
    }

    async fn try_reassign(
        &self,
        course_keys: &[String],
        to: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        if sqlx::query("SELECT key FROM caseworker WHERE key = $1")
            .bind(to)
            .fetch_optional(&mut *tx)
            .await?
            .is_none()
        {
            return Err(StoreError::Unknown {
                what: "sagsbehandler",
                key: to.to_string(),
            });
        }
        let mut seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM reassignment")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let at = now.to_string();
        for key in course_keys {
            let Some(row) = sqlx::query(
                "SELECT w.key FROM course c LEFT JOIN caseworker w ON w.id = c.caseworker_id
                 WHERE c.key = $1",
            )
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Err(StoreError::Unknown {
                    what: "forløb",
                    key: key.clone(),
                });
            };
            let imported: Option<String> = row.try_get(0)?;
            seq += 1;
            sqlx::query("INSERT INTO reassignment (seq, course_key, from_caseworker_key, to_caseworker_key, by_user, at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(seq)
                .bind(key)
                .bind(imported)
                .bind(to)
                .bind(by)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
        }
        crate::bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(course_keys.len())
    }

    /// Every course's latest move, by course key: only a course's latest move counts (if the case
    /// system has named someone else since it was made, the course is the case system's again; an
    /// older move does not come back).
    pub(crate) async fn latest_moves(&self) -> Result<HashMap<String, Reassignment>> {
        let rows = sqlx::query("SELECT course_key, from_caseworker_key, to_caseworker_key, by_user, at FROM reassignment ORDER BY seq")
            .fetch_all(&self.pool)
            .await?;
        let mut latest: HashMap<String, Reassignment> = HashMap::new();
        for r in rows {
            let from: Option<String> = r.try_get(1)?;
            latest.insert(
                r.try_get(0)?,
                Reassignment {
                    imported: from,
                    to: r.try_get(2)?,
                    by: r.try_get(3)?,
                    at: r.try_get(4)?,
                },
            );
        }
        Ok(latest)
    }

    /// Applies the moves that still hold to a loaded population, whose courses have the
    /// caseworkers the case system names; returns them by course.
    pub(crate) async fn apply_reassignments(
        &self,
        pop: &mut Population,
    ) -> Result<HashMap<CourseId, Reassignment>> {
        let latest = self.latest_moves().await?;
        if latest.is_empty() {
            return Ok(HashMap::new());
        }
        let courses = pop
            .courses
            .iter()
            .enumerate()
            .map(|(i, c)| (CourseId::new(i as u32), c.key.as_str(), c.caseworker));
        let (changes, moved) = moves_that_hold(latest, &pop.caseworkers, courses);
        for (id, to) in changes {
            pop.courses[id.index()].caseworker = Some(to);
        }
        Ok(moved)
    }

    /// The same for the figures' basis, whose courses were found by key as it was read (`found`:
    /// the moved courses' keys and ids).
    pub(crate) fn apply_reassignments_to_figures<F: Reassign>(
        latest: HashMap<String, Reassignment>,
        figures: &mut F,
        found: &[(String, CourseId)],
    ) -> HashMap<CourseId, Reassignment> {
        let courses = found
            .iter()
            .map(|(key, id)| (*id, key.as_str(), figures.caseworker_of(*id)));
        let (changes, moved) = moves_that_hold(latest, figures.caseworkers(), courses);
        for (id, to) in changes {
            figures.reassign(id, to);
        }
        moved
    }
}

/// The moves that still hold among `courses` (id, key, the caseworker the case system names): a
/// move holds while the case system still names the caseworker it named when the move was made.
/// A course no longer in the data (deleted under retention) or a caseworker no longer exported
/// leaves nothing to apply. Returns the changes to make and the moves to show (a course moved back
/// to the case system's own caseworker differs no more).
fn moves_that_hold<'a>(
    mut latest: HashMap<String, Reassignment>,
    caseworkers: &[Caseworker],
    courses: impl Iterator<Item = (CourseId, &'a str, Option<CaseworkerId>)>,
) -> (
    Vec<(CourseId, CaseworkerId)>,
    HashMap<CourseId, Reassignment>,
) {
    let workers: HashMap<&str, CaseworkerId> = caseworkers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.as_str(), CaseworkerId::new(i as u32)))
        .collect();
    // One pass over the courses, looking each up among the (few) moved ones.
    let mut changes = Vec::new();
    let mut moved = HashMap::new();
    for (id, key, imported) in courses {
        let Some(m) = latest.get(key) else {
            continue;
        };
        let Some(to_id) = workers.get(m.to.as_str()) else {
            continue;
        };
        let imported = imported.map(|w| caseworkers[w.index()].key.as_str());
        if imported != m.imported.as_deref() {
            continue;
        }
        changes.push((id, *to_id));
        let Some(m) = latest.remove(key) else {
            continue;
        };
        if m.imported.as_deref() != Some(m.to.as_str()) {
            moved.insert(id, m);
        }
    }
    (changes, moved)
}
