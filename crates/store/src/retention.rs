//! Retention (opbevaring og sletning): closed courses and old audit events are deleted after their
//! configured periods.
//!
//! - A course whose end date lies more than `closed_months` before today goes, with all its facts
//!   (conversations, standby, medical requests, rehabilitation meetings, moves made in Kadence); a
//!   citizen left with no course goes too. Open courses are never deleted, and neither is a closed
//!   sickness-benefit course that a kept job-clarification course continues from (the chain is one
//!   case until all of it is closed).
//! - Audit events older than `audit_months` go from the oldest on. The hash chain stays verifiable: the
//!   last deleted event's number and hash are kept (`audit_anchor`) and verification starts there.
//! - Before anything is deleted, the deletion itself is written to the audit log (counts and cut-off
//!   dates, no citizens), so the log says when and by whom data left the system.
//!
//! [`Store::retention_plan`] says what would go (the CLI's `--dry-run`); [`Store::apply_retention`]
//! deletes by the plan's cut-offs in one transaction.

use jiff::Timestamp;
use kadence_core::date::Day;
use sqlx::Row;

use crate::audit::AuditEntry;
use crate::snapshot::{kept, merge};
use crate::{Result, Store};

/// The courses that go, given the cut-off date as `$1`: ended before it, and not the course a kept
/// course continues from.
const EXPIRED: &str = "end_date IS NOT NULL AND end_date < $1 AND key NOT IN (
    SELECT from_course FROM course WHERE from_course IS NOT NULL AND (end_date IS NULL OR end_date >= $1))";

/// How long data is kept.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Months after a course's end date.
    pub closed_months: u32,
    /// Months an audit event is kept.
    pub audit_months: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            closed_months: 60,
            audit_months: 60,
        }
    }
}

/// What retention would delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionPlan {
    /// Courses that ended before this day go.
    pub courses_ended_before: Day,
    /// Their keys and end dates, oldest end first.
    pub courses: Vec<(String, Day)>,
    /// Citizens who would have no course left.
    pub citizens: i64,
    /// Audit events written before this time go (a prefix of the chain, up to `audit_through`).
    pub audit_before: Timestamp,
    pub audit_events: i64,
    /// The last event that would go.
    pub audit_through: Option<i64>,
}

impl Store {
    /// What the policy would delete as of `today` (`now` for the audit log); deletes nothing.
    pub async fn retention_plan(
        &self,
        policy: RetentionPolicy,
        today: Day,
        now: Timestamp,
    ) -> Result<RetentionPlan> {
        let cutoff = today.add_months(-(policy.closed_months as i32));
        let rows = sqlx::query(&format!(
            "SELECT key, end_date FROM course WHERE {EXPIRED} ORDER BY end_date, key"
        ))
        .bind(cutoff.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut courses = Vec::with_capacity(rows.len());
        for r in &rows {
            let end: String = r.try_get(1)?;
            let day = Day::parse_iso(&end).ok_or_else(|| crate::StoreError::Corrupt {
                table: "course",
                column: "end_date",
                value: end.clone(),
            })?;
            courses.push((r.try_get(0)?, day));
        }
        let citizens: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) FROM citizen WHERE cpr NOT IN (SELECT cpr FROM course WHERE NOT ({EXPIRED}))"
        ))
        .bind(cutoff.to_string())
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        let audit_before = audit_cutoff(now, policy.audit_months);
        let row = sqlx::query("SELECT COUNT(*), MAX(seq) FROM audit_event WHERE at < $1")
            .bind(audit_before.to_string())
            .fetch_one(&self.pool)
            .await?;
        let (audit_events, audit_through): (i64, Option<i64>) = (row.try_get(0)?, row.try_get(1)?);
        // Only a prefix of the chain can go: everything up to the newest event past its period.
        let audit_events = match audit_through {
            Some(last) => sqlx::query("SELECT COUNT(*) FROM audit_event WHERE seq <= $1")
                .bind(last)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
            None => audit_events,
        };
        Ok(RetentionPlan {
            courses_ended_before: cutoff,
            courses,
            citizens,
            audit_before,
            audit_events,
            audit_through,
        })
    }

    /// Deletes what `plan` names, in one transaction, after logging the deletion.
    pub async fn apply_retention(
        &self,
        plan: &RetentionPlan,
        username: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.audit_append(
            &[AuditEntry {
                username: username.to_string(),
                cpr: None,
                course_key: None,
                action: format!(
                    "sletning efter opbevaringsperiode: {} forløb afsluttet før {}, {} borgere, {} hændelser i revisionsloggen før {}",
                    plan.courses.len(),
                    plan.courses_ended_before,
                    plan.citizens,
                    plan.audit_events,
                    plan.audit_before
                ),
                purpose: "Opbevaringsregler".into(),
            }],
            now,
        )
        .await?;
        let mut tx = self.pool.begin().await?;
        let cutoff = plan.courses_ended_before.to_string();
        // What goes, read in the transaction, for the snapshot below.
        let gone: std::collections::HashSet<String> =
            sqlx::query(&format!("SELECT key FROM course WHERE {EXPIRED}"))
                .bind(&cutoff)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
        // A course's facts name it by number; the moves made in Kadence by its key.
        for (table, column, of_course) in [
            ("conversation", "course_id", "id"),
            ("standby_period", "course_id", "id"),
            ("medical_request", "course_id", "id"),
            ("rehab_meeting", "course_id", "id"),
            ("reassignment", "course_key", "key"),
        ] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE {column} IN (SELECT {of_course} FROM course WHERE {EXPIRED})"
            ))
            .bind(&cutoff)
            .execute(&mut *tx)
            .await?;
        }
        // The course table last: the fact tables above found their courses through it.
        sqlx::query(&format!("DELETE FROM course WHERE {EXPIRED}"))
            .bind(&cutoff)
            .execute(&mut *tx)
            .await?;
        let citizens_gone =
            sqlx::query("DELETE FROM citizen WHERE cpr NOT IN (SELECT cpr FROM course)")
                .execute(&mut *tx)
                .await?
                .rows_affected();
        // The snapshot follows in the same transaction: the one before without what went (none
        // kept when there was none to start from; the next reader reads the tables).
        let mut rebuild = false;
        if !gone.is_empty() || citizens_gone > 0 {
            let before = kept::population_version(&mut tx).await?;
            let prev = kept::read(&mut tx, before).await?.ok();
            let version = kept::bump_population_version(&mut tx).await?;
            match prev {
                Some(prev) => {
                    let after = merge::AfterRetention::new(&prev.population, &gone);
                    let parts = after.parts(version, self.part_size);
                    kept::write(&mut tx, version, parts).await?;
                }
                None => {
                    kept::forget(&mut tx).await?;
                    rebuild = true;
                }
            }
        }
        if let Some(last) = plan.audit_through {
            let hash: String = sqlx::query("SELECT hash FROM audit_event WHERE seq = $1")
                .bind(last)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            // Signed with the key kept outside the database, so a forged anchor is found.
            let at = now.to_string();
            let signature = match self.witness.anchor_key(true)? {
                Some(key) => crate::witness::sign_anchor(&key, last, &hash, &at),
                None => String::new(),
            };
            sqlx::query(
                "INSERT INTO audit_anchor (seq, hash, at, signature) VALUES ($1, $2, $3, $4)",
            )
            .bind(last)
            .bind(hash)
            .bind(at)
            .bind(signature)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM audit_event WHERE seq <= $1")
                .bind(last)
                .execute(&mut *tx)
                .await?;
        }
        crate::bump_generation(&mut tx).await?;
        tx.commit().await?;
        if rebuild {
            let _ = self.population(true).await;
        }
        Ok(())
    }
}

/// `now` minus whole months, in Danish time (the period is counted in calendar months).
fn audit_cutoff(now: Timestamp, months: u32) -> Timestamp {
    let zoned = now
        .in_tz("Europe/Copenhagen")
        .unwrap_or_else(|_| now.to_zoned(jiff::tz::TimeZone::UTC));
    zoned
        .checked_sub(jiff::Span::new().months(i64::from(months)))
        .map_or(Timestamp::MIN, |z| z.timestamp())
}
