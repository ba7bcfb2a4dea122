//! The municipality's settings.

use super::*;

/// Settings: versions saved with who, when and why; the history gives the version in force on a day;
/// a save raises the change counter (so servers reload), writes an audit event, and refuses bad
/// settings, an empty reason and a first day in the past, writing nothing.
async fn settings(store: Store) {
    use kadence_core::municipal::MunicipalSettings;
    let now: jiff::Timestamp = "2026-12-02T10:00:00Z".parse().unwrap();
    let today = Day::ymd(2026, 12, 2);
    let h = store.settings_history().await.unwrap();
    assert_eq!(h.versions().len(), 1, "only the defaults");
    assert_eq!(store.load().await.unwrap().settings.latest().version, 0);
    let g0 = store.generation().await.unwrap();

    let mut s = MunicipalSettings::default();
    s.rules.minimum_2026_07 = 1;
    let v1 = store
        .save_settings(&s, today, today, "admin", "Bekræftet af jurist", now)
        .await
        .expect("save");
    assert_eq!(v1, 1);
    let mut s2 = s.clone();
    s2.rules.minimum_2027 = 2;
    let v2 = store
        .save_settings(&s2, Day::ymd(2027, 1, 1), today, "admin", "Fase 2", now)
        .await
        .unwrap();
    assert_eq!(v2, 2);
    assert_eq!(store.generation().await.unwrap(), g0 + 2);

    let snap = store.load().await.unwrap();
    let h = &snap.settings;
    assert_eq!(h.in_force_on(Day::ymd(2026, 12, 1)).version, 0);
    let v = h.in_force_on(today);
    assert_eq!((v.version, v.settings.rules.minimum_2026_07), (1, 1));
    assert_eq!(
        (v.changed_by.as_str(), v.reason.as_str()),
        ("admin", "Bekræftet af jurist")
    );
    assert_eq!(h.in_force_on(Day::ymd(2027, 1, 1)).settings, s2);

    // Refused, nothing written.
    let mut bad = s2.clone();
    bad.duties.local_targets[0].months = 0;
    for (settings, from, reason, needle) in [
        (&bad, today, "x", "lokale_maal[1].maaneder"),
        (&s2, today, "  ", "begrundelse"),
        (&s2, Day::ymd(2026, 12, 1), "x", "tidligst gælde fra i dag"),
    ] {
        let err = store
            .save_settings(settings, from, today, "admin", reason, now)
            .await
            .expect_err(needle);
        assert!(err.to_string().contains(needle), "{err}");
    }
    assert_eq!(store.settings_history().await.unwrap().versions().len(), 3);
    assert_eq!(store.generation().await.unwrap(), g0 + 2);

    let audit = store.audit_entries(None).await.unwrap();
    let changes: Vec<_> = audit
        .iter()
        .filter(|a| a.entry.action == "ændrede indstillinger")
        .collect();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1].entry.purpose, "Fase 2");
    assert!(
        changes[1]
            .entry
            .course_key
            .as_deref()
            .unwrap_or("")
            .contains("regler.mindste_antal_2027: 4 → 2"),
        "{:?}",
        changes[1]
    );
}

#[tokio::test]
async fn sqlite_settings() {
    settings(Store::open(&sqlite_url("settings")).await.expect("open")).await;
}

#[tokio::test]
async fn postgres_settings() {
    let Some((db, url)) = PgDb::create("settings").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    settings(store.clone()).await;
    store.pool().close().await;
    db.drop_db().await;
}
