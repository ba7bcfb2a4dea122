//! The municipality's settings, stored as versions (migration 9).
//!
//! A change is a new row: the settings file as saved (kadence-settings' TOML), the first day it is in
//! force, who made it, when and why. Rows are never updated or deleted. A save raises the data's
//! change counter in the same transaction, so a running server reloads the settings with the data,
//! and writes an audit event ("ændrede indstillinger", the reason as its purpose, the changed keys as
//! its subject lines).

use jiff::Timestamp;
use kadence_core::date::Day;
use kadence_core::municipal::{MunicipalSettings, SettingsHistory, SettingsVersion};
use sqlx::Row;

use crate::audit::AuditEntry;
use crate::{Result, Store, StoreError};

/// What a save is refused for, before anything is written.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Every stored version, with the defaults as version 0.
    pub async fn settings_history(&self) -> Result<SettingsHistory> {
        let rows = sqlx::query(
            "SELECT version, effective_from, changed_at, changed_by, reason, body FROM settings_version ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut versions = Vec::with_capacity(rows.len());
        let defaults = MunicipalSettings::default();
        for r in rows {
            let version: i64 = r.try_get(0)?;
            let from: String = r.try_get(1)?;
            let body: String = r.try_get(5)?;
            let effective_from = Day::parse_iso(&from).ok_or_else(|| StoreError::Corrupt {
                table: "settings_version",
                column: "effective_from",
                value: from.clone(),
            })?;
            let settings =
                kadence_settings::from_toml(&body, &defaults).map_err(|e| StoreError::Corrupt {
                    table: "settings_version",
                    column: "body",
                    value: format!(
                        "version {version}: {}",
                        e.0.first().map_or(String::new(), |x| x.to_string())
                    ),
                })?;
            versions.push(SettingsVersion {
                version: u32::try_from(version).unwrap_or(u32::MAX),
                effective_from,
                settings,
                changed_at: r.try_get(2)?,
                changed_by: r.try_get(3)?,
                reason: r.try_get(4)?,
            });
        }
        Ok(SettingsHistory::new(versions))
    }

    /// Saves `settings` as a new version in force from `effective_from`, made by `by` for `reason`.
    /// Refused (nothing written) if the settings do not hold, the reason is empty, or the first day is
    /// before `today` (a past day is never rewritten). Returns the new version number.
    pub async fn save_settings(
        &self,
        settings: &MunicipalSettings,
        effective_from: Day,
        today: Day,
        by: &str,
        reason: &str,
        now: Timestamp,
    ) -> std::result::Result<u32, SaveError> {
        let invalid = settings.validate();
        if let Some(i) = invalid.first() {
            return Err(SaveError::Invalid(format!("«{}»: {}", i.key, i.message)));
        }
        if reason.trim().is_empty() {
            return Err(SaveError::Invalid(
                "En ændring af indstillingerne skal have en begrundelse".into(),
            ));
        }
        if effective_from < today {
            return Err(SaveError::Invalid(format!(
                "En ændring kan tidligst gælde fra i dag ({}), så en tidligere måned altid gengives med de indstillinger, der gjaldt dengang",
                today.dk()
            )));
        }
        let before = self.settings_history().await?.latest().settings.clone();
        let body = kadence_settings::to_toml(settings);
        let version = crate::retry_on_conflict(10, std::time::Duration::from_millis(10), || {
            self.try_save_settings(&body, effective_from, by, reason, now)
        })
        .await?;
        let changes = kadence_settings::changes(&before, settings);
        self.audit_append(
            &[AuditEntry {
                username: by.to_string(),
                cpr: None,
                course_key: Some(format!(
                    "indstillinger v{version} fra {}: {}",
                    effective_from,
                    if changes.is_empty() {
                        "ingen ændrede værdier".to_string()
                    } else {
                        changes.join("; ")
                    }
                )),
                action: "ændrede indstillinger".into(),
                purpose: reason.trim().to_string(),
            }],
            now,
        )
        .await?;
        Ok(version)
    }

    async fn try_save_settings(
        &self,
        body: &str,
        effective_from: Day,
        by: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<u32> {
        let mut tx = self.pool.begin().await?;
        let last: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM settings_version")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let version = last + 1;
        sqlx::query("INSERT INTO settings_version (version, effective_from, changed_at, changed_by, reason, body) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(version)
            .bind(effective_from.to_string())
            .bind(now.round(jiff::Unit::Second).unwrap_or(now).to_string())
            .bind(by)
            .bind(reason.trim())
            .bind(body)
            .execute(&mut *tx)
            .await?;
        crate::bump_generation(&mut tx).await?;
        tx.commit().await?;
        Ok(u32::try_from(version).unwrap_or(u32::MAX))
    }
}
