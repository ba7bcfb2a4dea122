//! Retention.

use super::*;

/// Retention: closed courses past their period go with all their facts and their citizens if no
/// other course is left; open and recent courses stay unchanged; old audit events go as a prefix and
/// the chain stays verifiable from its anchor; the plan alone deletes nothing.
async fn retention(store: Store) {
    use kadence_core::cpr::Cpr;
    let witness = witness("retention", store.backend());
    let store = store.with_audit_witness(witness.clone());
    use kadence_store::access::{AuditEntry, AuditVerdict};
    use kadence_store::retention::RetentionPolicy;
    let pop = population(8);
    let (l, meta) = loaded(&pop);
    store.import(&l, &meta, "test", |_, _| {}).await.unwrap();
    let today = EXPORT;
    let policy = RetentionPolicy {
        closed_months: 12,
        audit_months: 12,
    };
    let cutoff = EXPORT.add_months(-12);
    // A closed course goes unless a kept course (job clarification) continues from it.
    let ended = |c: &Course| c.end.is_some_and(|e| e.date < cutoff);
    let continued: std::collections::HashSet<CourseId> = pop
        .courses
        .iter()
        .filter(|c| !ended(c))
        .filter_map(|c| c.from_course)
        .collect();
    let expired =
        |i: usize| ended(&pop.courses[i]) && !continued.contains(&CourseId::new(i as u32));
    let gone: Vec<usize> = (0..pop.courses.len()).filter(|i| expired(*i)).collect();
    assert!(!gone.is_empty() && gone.len() < pop.courses.len());
    assert!(
        continued.iter().any(|c| ended(&pop.courses[c.index()])),
        "the test data has a closed sickness course continued by an open job clarification"
    );
    let kept_citizens: std::collections::HashSet<_> = (0..pop.courses.len())
        .filter(|i| !expired(*i))
        .map(|i| pop.courses[i].citizen)
        .collect();
    let entry = |cpr: &str| AuditEntry {
        username: "mette".into(),
        cpr: Some(Cpr::parse(cpr).unwrap()),
        course_key: Some("F1".into()),
        action: "vist forløb".into(),
        purpose: "Opfølgning i egen sag".into(),
    };
    let old: jiff::Timestamp = "2023-01-05T09:00:00Z".parse().unwrap();
    let recent: jiff::Timestamp = "2025-09-01T09:00:00Z".parse().unwrap();
    let now: jiff::Timestamp = "2025-09-30T12:00:00Z".parse().unwrap();
    for (t, cpr) in [
        (old, "0101501000"),
        (old, "0202502000"),
        (old, "0101501000"),
        (recent, "0101501000"),
        (recent, "0202502000"),
    ] {
        store.audit_append(&[entry(cpr)], t).await.unwrap();
    }

    let plan = store.retention_plan(policy, today, now).await.unwrap();
    assert_eq!(plan.courses_ended_before, cutoff);
    assert_eq!(plan.courses.len(), gone.len());
    assert_eq!(
        plan.citizens as usize,
        pop.citizens.len() - kept_citizens.len()
    );
    assert_eq!((plan.audit_events, plan.audit_through), (3, Some(3)));
    // The plan deletes nothing.
    let before = by_key(&store.load().await.unwrap().population);
    assert_eq!(before.len(), pop.courses.len());

    let g = store.generation().await.unwrap();
    store.apply_retention(&plan, "admin", now).await.unwrap();
    assert_eq!(
        store.generation().await.unwrap(),
        g + 1,
        "retention is a change"
    );
    let after = store.load().await.unwrap().population;
    let after_keys = by_key(&after);
    assert_eq!(after.courses.len(), pop.courses.len() - gone.len());
    assert_eq!(after.citizens.len(), kept_citizens.len());
    let gone_keys: std::collections::HashSet<&str> =
        gone.iter().map(|i| pop.courses[*i].key.as_str()).collect();
    assert!(after
        .courses
        .iter()
        .all(|c| !gone_keys.contains(c.key.as_str())));
    for (k, v) in &after_keys {
        assert_eq!(before.get(k), Some(v), "course {k} unchanged");
    }
    // The snapshot followed in retention's transaction (snapshot::merge::after_retention).
    kept_equals_tables(&store).await;
    // Two recent look-ups and the deletion's own entry remain, verifiable from the anchor.
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Intact { entries: 3 }
    );
    let log = store.audit_entries(None).await.unwrap();
    assert!(log.last().unwrap().entry.action.starts_with(&format!(
        "sletning efter opbevaringsperiode: {} forløb",
        gone.len()
    )));
    store
        .audit_append(&[entry("0101501000")], now)
        .await
        .unwrap();
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Intact { entries: 4 }
    );
    // Deleting the first event after the anchor is still found.
    sqlx::query("DELETE FROM audit_event WHERE seq = 4")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Broken { seq: 5 }
    );
    // The anchor retention wrote is signed by the key outside the database; one without a valid
    // signature is found (issue 14.3).
    let signature: String = sqlx::query_scalar("SELECT signature FROM audit_anchor")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(signature.len(), 64);
    assert!(witness.anchor_key_file.as_ref().unwrap().exists());
    sqlx::query("UPDATE audit_anchor SET signature = ''")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::AnchorForged { seq: 3 }
    );
    sqlx::query("UPDATE audit_anchor SET signature = $1")
        .bind(&signature)
        .execute(store.pool())
        .await
        .unwrap();
    // Nothing more to delete the same day.
    let again = store.retention_plan(policy, today, now).await.unwrap();
    assert!(again.courses.is_empty() && again.citizens == 0);
}

#[tokio::test]
async fn sqlite_retention() {
    retention(Store::open(&sqlite_url("retention")).await.expect("open")).await;
}

#[tokio::test]
async fn postgres_retention() {
    let Some((db, url)) = PgDb::create("retention").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    retention(store.clone()).await;
    store.pool().close().await;
    db.drop_db().await;
}
