//! The committee's figures.

use super::*;

/// The committee's figures: a fetch's figures come back as stored (a missing cell too), a later
/// fetch is kept beside the earlier, targets keep their history, a bad target writes nothing, and
/// every write raises the change counter and is audited.
async fn committee(store: Store) {
    use kadence_core::committee::external::{ExternalFigure, Fetch, FetchSource};
    use kadence_core::committee::targets::TargetKind;
    use kadence_core::date::Month;
    let now: jiff::Timestamp = "2026-12-02T10:00:00Z".parse().unwrap();
    let today = Day::ymd(2026, 12, 2);
    let g0 = store.generation().await.unwrap();
    // 250 figures: more than one multi-row insert.
    let figures: Vec<ExternalFigure> = (0..250)
        .map(|i| ExternalFigure {
            area: format!("Kommune {}", i % 25),
            month: Month::new(2026, 1).plus(i / 25),
            persons: Some(f64::from(i) + 0.5),
            full_time: (i % 7 != 0).then(|| f64::from(i) * 0.8),
            share_labour_force: Some(2.4),
            share_population: None,
        })
        .collect();
    let fetch = Fetch {
        table: "Y07A02".into(),
        source: FetchSource::Api,
        origin: "api.jobindsats.dk/v3".into(),
        fetched_on: today,
        fetched_at: "2026-12-02T09:59:00Z".into(),
        update_latest: Some(Day::ymd(2026, 11, 20)),
        update_next: Some(Day::ymd(2026, 12, 18)),
        figures,
    };
    let mut later = fetch.clone();
    later.source = FetchSource::File;
    later.origin = "Y07A02.csv".into();
    later.update_latest = None;
    later.figures.truncate(3);
    let ids = store
        .store_jobindsats(&[fetch.clone(), later.clone()], "analytiker", now)
        .await
        .unwrap();
    assert_eq!(ids, vec![1, 2]);
    let back = store.jobindsats().await.unwrap();
    assert_eq!(back.fetches.len(), 2);
    let mut want = fetch.figures.clone();
    want.sort_by(|a, b| (&a.area, a.month).cmp(&(&b.area, b.month)));
    assert_eq!(back.fetches[0].figures, want);
    assert_eq!(
        (back.fetches[0].update_next, back.fetches[1].source),
        (fetch.update_next, FetchSource::File)
    );
    let snap = store.load().await.unwrap();
    assert_eq!(snap.jobindsats.fetches.len(), 2);

    let entries = vec![
        (
            "sygedagpenge".to_string(),
            TargetKind::Yearly,
            2026,
            None,
            880.0,
        ),
        (
            "sygedagpenge".to_string(),
            TargetKind::Budget,
            2026,
            Some(3),
            905.5,
        ),
    ];
    assert_eq!(
        store
            .add_targets(
                &entries,
                today,
                "analytiker",
                "maal.csv",
                "Budget 2026",
                now
            )
            .await
            .unwrap(),
        2
    );
    let bad = vec![
        (
            "sygedagpenge".to_string(),
            TargetKind::Yearly,
            2026,
            None,
            870.0,
        ),
        ("barsel".to_string(), TargetKind::Yearly, 2026, None, 1.0),
    ];
    let e = store
        .add_targets(&bad, today, "analytiker", "formular", "Rettelse", now)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Mål nr. 2: «barsel»"), "{e}");
    assert!(store
        .add_targets(&entries, today, "analytiker", "formular", " ", now)
        .await
        .is_err());
    store
        .add_targets(
            &bad[..1],
            Day::ymd(2026, 12, 3),
            "analytiker",
            "formular",
            "Rettelse",
            now,
        )
        .await
        .unwrap();
    let t = store.targets().await.unwrap();
    assert_eq!(t.entries.len(), 3, "the bad save wrote nothing");
    assert_eq!(t.yearly("sygedagpenge", 2026, today).unwrap().value, 880.0);
    assert_eq!(
        t.yearly("sygedagpenge", 2026, Day::ymd(2026, 12, 3))
            .unwrap()
            .value,
        870.0
    );
    assert_eq!(t.entries[1].month, Some(3));
    assert_eq!(t.entries[0].source, "maal.csv");
    assert!(store.generation().await.unwrap() >= g0 + 3);
    let log = store.audit_entries(None).await.unwrap();
    assert!(log
        .iter()
        .any(|e| e.entry.action == "gemte tal fra Jobindsats"));
    assert!(log
        .iter()
        .any(|e| e.entry.action == "ændrede måltal" && e.entry.purpose == "Rettelse"));
}

#[tokio::test]
async fn sqlite_committee() {
    committee(Store::open(&sqlite_url("committee")).await.expect("open")).await;
}

#[tokio::test]
async fn postgres_committee() {
    let Some((db, url)) = PgDb::create("committee").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    committee(store.clone()).await;
    store.pool().close().await;
    db.drop_db().await;
}
