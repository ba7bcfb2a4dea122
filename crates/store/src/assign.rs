//! Reassignment (omfordeling): a team lead moves courses to another caseworker in Kadence.
//!
//! The case system stays the source of truth: a move is recorded with the caseworker the case system
//! named at the time, and it holds only while the case system still names that caseworker. As soon as
//! an import names anyone else (the move was made there too, or the case was moved again), the import
//! wins and the Kadence move is history. Every move is kept (who, when, from, to).

use std::collections::HashMap;

use jiff::Timestamp;
use kadence_core::model::{CaseworkerId, CourseId, Population};
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
            let Some(row) = sqlx::query("SELECT caseworker_key FROM course WHERE key = $1")
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

    /// Applies the moves that still hold to a loaded population, whose courses have the
    /// caseworkers the case system names; returns them by course.
    pub(crate) async fn apply_reassignments(
        &self,
        pop: &mut Population,
    ) -> Result<HashMap<CourseId, Reassignment>> {
        let mut moved = HashMap::new();
        let rows = sqlx::query("SELECT course_key, from_caseworker_key, to_caseworker_key, by_user, at FROM reassignment ORDER BY seq")
            .fetch_all(&self.pool)
            .await?;
        // Only a course's latest move counts: if the case system has named someone else since it
        // was made, the course is the case system's again (an older move does not come back).
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
        if latest.is_empty() {
            return Ok(moved);
        }
        let workers: HashMap<&str, CaseworkerId> = pop
            .caseworkers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.key.as_str(), CaseworkerId(i as u32)))
            .collect();
        // One pass over the courses, looking each up among the (few) moved ones. A course no
        // longer in the data (deleted under retention) or a caseworker no longer exported leaves
        // nothing to apply.
        let mut changes = Vec::new();
        for (i, c) in pop.courses.iter().enumerate() {
            let Some(m) = latest.get(c.key.as_str()) else {
                continue;
            };
            let Some(to_id) = workers.get(m.to.as_str()) else {
                continue;
            };
            let imported = c
                .caseworker
                .map(|w| pop.caseworkers[w.index()].key.as_str());
            if imported != m.imported.as_deref() {
                continue;
            }
            changes.push((i, *to_id));
        }
        for (i, to_id) in changes {
            pop.courses[i].caseworker = Some(to_id);
            let Some(m) = latest.remove(pop.courses[i].key.as_str()) else {
                continue;
            };
            // Moved back to the case system's own caseworker: nothing differs any more.
            if m.imported.as_deref() != Some(m.to.as_str()) {
                moved.insert(CourseId(i as u32), m);
            }
        }
        Ok(moved)
    }
}
