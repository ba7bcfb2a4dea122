//! Reassignment in Kadence.

use super::*;

/// Reassignment in Kadence: applied at load, all or nothing, and the case system's word wins as soon
/// as an import names another caseworker.
async fn reassignment(store: Store) {
    let pop = population(5);
    let (l, meta) = loaded(&pop);
    store.import(&l, &meta, "test", |_, _| {}).await.unwrap();
    let course = pop
        .courses
        .iter()
        .find(|c| c.caseworker.is_some() && c.end.is_none())
        .unwrap();
    let key = course.key.to_string();
    let a = course.caseworker.unwrap();
    let others: Vec<_> = (0..pop.caseworkers.len() as u32)
        .map(CaseworkerId::new)
        .filter(|w| *w != a)
        .collect();
    let (b, c) = (others[0], others[1]);
    let cw_key = |w: CaseworkerId| pop.caseworkers[w.index()].key.clone();
    let now: jiff::Timestamp = "2025-09-30T10:00:00Z".parse().unwrap();
    let caseworker_of = |s: &kadence_store::Snapshot| {
        let p = &s.population;
        let c = p.courses.iter().find(|c| c.key == key).unwrap();
        c.caseworker.map(|w| p.caseworkers[w.index()].key.clone())
    };

    let g = store.generation().await.unwrap();
    assert_eq!(
        store
            .reassign(std::slice::from_ref(&key), &cw_key(b), "lars", now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store.generation().await.unwrap(),
        g + 1,
        "a move is a change"
    );
    let s = store.load().await.unwrap();
    assert_eq!(caseworker_of(&s), Some(cw_key(b)));
    let m = s.reassigned.values().next().unwrap();
    assert_eq!(
        (m.imported.clone(), m.by.as_str()),
        (Some(cw_key(a)), "lars")
    );
    assert_eq!(s.reassigned.len(), 1);

    // All or nothing: an unknown course or caseworker refuses the whole move.
    let other_key = pop
        .courses
        .iter()
        .find(|x| x.key != key)
        .unwrap()
        .key
        .to_string();
    assert!(store
        .reassign(
            &[other_key.clone(), "findes-ikke".into()],
            &cw_key(c),
            "lars",
            now
        )
        .await
        .is_err());
    assert!(store
        .reassign(std::slice::from_ref(&other_key), "ingen-sådan", "lars", now)
        .await
        .is_err());
    let s = store.load().await.unwrap();
    assert_eq!(s.reassigned.len(), 1);

    // Re-importing the same export keeps the move.
    store.import(&l, &meta, "test", |_, _| {}).await.unwrap();
    assert_eq!(caseworker_of(&store.load().await.unwrap()), Some(cw_key(b)));

    // The case system names someone else: its word wins, and the old move does not come back.
    let mut builder = pop.clone().into_builder();
    let i = builder.courses.iter().position(|x| x.key == key).unwrap();
    builder.courses[i].caseworker = Some(c);
    let (changed, _) = builder.build();
    let (l2, meta2) = loaded(&changed);
    store.import(&l2, &meta2, "test", |_, _| {}).await.unwrap();
    let s = store.load().await.unwrap();
    assert_eq!(caseworker_of(&s), Some(cw_key(c)));
    assert!(s.reassigned.is_empty());

    // Moved back to the case system's own caseworker: nothing to flag.
    store
        .reassign(std::slice::from_ref(&key), &cw_key(b), "lars", now)
        .await
        .unwrap();
    store
        .reassign(std::slice::from_ref(&key), &cw_key(c), "lars", now)
        .await
        .unwrap();
    let s = store.load().await.unwrap();
    assert_eq!(caseworker_of(&s), Some(cw_key(c)));
    assert!(s.reassigned.is_empty());
    // A move is read beside the population, not into its snapshot: the version stays, and the
    // kept snapshot with the moves applied equals the tables (issue 15).
    let version = store.population_version().await.unwrap();
    store
        .reassign(std::slice::from_ref(&key), &cw_key(b), "lars", now)
        .await
        .unwrap();
    assert_eq!(store.population_version().await.unwrap(), version);
    let s = store.load().await.unwrap();
    assert_eq!(caseworker_of(&s), Some(cw_key(b)));
    assert_eq!(s.reassigned.len(), 1);
    kept_equals_tables(&store).await;
}

#[tokio::test]
async fn sqlite_reassignment() {
    reassignment(Store::open(&sqlite_url("reassign")).await.expect("open")).await;
}

#[tokio::test]
async fn postgres_reassignment() {
    let Some((db, url)) = PgDb::create("reassign").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    reassignment(store.clone()).await;
    store.pool().close().await;
    db.drop_db().await;
}
