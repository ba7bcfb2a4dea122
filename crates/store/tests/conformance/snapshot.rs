//! The population's snapshot against the tables, atomic imports, refused snapshots, SQLite's journal and page sizes.

use super::*;

async fn conformance(store: Store) {
    // Empty database.
    let snap = store.load().await.expect("load empty");
    assert!(snap.population.courses.is_empty() && snap.latest.is_none());

    // First import: everything inserted, loads back equal.
    let pop = population(21);
    assert!(
        pop.courses
            .iter()
            .any(|c| c.reform().fit_within_26_weeks.is_some())
            && pop
                .courses
                .iter()
                .any(|c| c.reform().unemployed_on.is_some() || c.reform().follow_up_asked.is_some()),
        "the reform's facts are exercised"
    );
    assert!(
        pop.all_facts().any(|f| f
            .conversations
            .iter()
            .any(|c| c.registration_lag() > Some(0))),
        "late registrations are exercised"
    );
    let (l, meta) = loaded(&pop);
    let s1 = store
        .import(&l, &meta, "test", |_, _| {})
        .await
        .expect("import");
    assert_eq!(s1.batch_id, 1);
    assert_eq!(s1.courses_inserted as usize, pop.courses.len());
    assert_eq!((s1.courses_updated, s1.courses_unchanged), (0, 0));
    let back = store.load().await.expect("load").population;
    assert_eq!(by_key(&back), by_key(&pop));
    kept_equals_tables(&store).await;
    // Each course numbered from 1 in the export's order (migration 16).
    let numbers = course_numbers(&store).await;
    for (i, c) in pop.courses.iter().enumerate() {
        assert_eq!(numbers[c.key.as_str()], i as i64 + 1, "{}", c.key);
    }
    // The change counter moved with the import, and the snapshot says which one it saw.
    assert_eq!(store.generation().await.unwrap(), 1);
    assert_eq!(store.load().await.unwrap().generation, 1);
    // Both load drivers (SQLite's direct read path and sqlx's stream) give the same population.
    let streamed = store
        .load_streamed_snapshot()
        .await
        .expect("load")
        .population;
    assert_eq!(by_key(&streamed), by_key(&pop));
    let counts = store.counts().await.unwrap();
    assert_eq!(counts.conversations as usize, pop.conversation_count());
    assert_eq!(counts.citizens as usize, pop.citizens.len());

    // The same export again changes nothing but the batch log.
    let s2 = store
        .import(&l, &meta, "test", |_, _| {})
        .await
        .expect("re-import");
    assert_eq!((s2.courses_inserted, s2.courses_updated), (0, 0));
    assert_eq!(s2.courses_unchanged as usize, pop.courses.len());
    let after = store.counts().await.unwrap();
    assert_eq!(
        kadence_store::Counts {
            batches: counts.batches,
            ..after.clone()
        },
        counts
    );
    assert_eq!(after.batches, 2);
    // Nothing changed: the population keeps its version and its snapshot.
    let version = store.population_version().await.unwrap();
    kept_equals_tables(&store).await;
    assert_eq!(store.load().await.unwrap().population_version, version);

    // A newer export: one course gets a conversation, another ends, one is new.
    let mut b = pop.clone().into_builder();
    b.conversations.push((
        CourseId::new(0),
        Conversation {
            date: EXPORT.add_days(-1),
            form: ConversationForm::Video,
            held: true,
            planned: false,
            caseworker: None,
            registered: None,
        },
    ));
    let ended = b
        .courses
        .iter()
        .position(|c| c.end.is_none())
        .expect("an open course");
    b.courses[ended].end = Some(CourseEnd {
        date: EXPORT,
        reason: EndReason::BackToWork,
    });
    // Registration dates of a standby period and of a medical statement's receipt (issue 16).
    let other = |c: CourseId| c.get() != 0 && c.index() != ended;
    let sb = b
        .standby
        .iter()
        .position(|s| other(s.course))
        .expect("a standby period");
    b.standby[sb].registered = Some(b.standby[sb].start.add_days(3));
    let with_standby = b.standby[sb].course;
    let received = b
        .medical
        .iter()
        .position(|m| m.received.is_some() && m.course != with_standby && other(m.course))
        .expect("a received statement");
    b.medical[received].received_registered = b.medical[received].received.map(|d| d.add_days(2));
    let mut extra = b.courses[0].clone();
    extra.key = "NY-1".into();
    b.add_course(extra);
    let (newer, _) = b.build();
    let (l3, meta3) = loaded(&newer);
    let s3 = store
        .import(&l3, &meta3, "test", |_, _| {})
        .await
        .expect("newer import");
    assert_eq!((s3.courses_inserted, s3.courses_updated), (1, 4), "{s3:?}");
    assert_eq!(s3.courses_unchanged as usize, pop.courses.len() - 4);
    let back = store.load().await.expect("load").population;
    assert_eq!(by_key(&back), by_key(&newer));
    // The changed courses keep their numbers; the new one takes the next.
    let renumbered = course_numbers(&store).await;
    assert_eq!(renumbered.len(), numbers.len() + 1);
    for (key, n) in &numbers {
        assert_eq!(renumbered.get(key), Some(n), "{key} keeps its number");
    }
    assert_eq!(renumbered["NY-1"], pop.courses.len() as i64 + 1);
    kept_equals_tables(&store).await;
    assert_eq!(store.population_version().await.unwrap(), version + 1);

    // A partial export keeps the courses it does not mention.
    let mut only_first = newer.clone().into_builder();
    only_first.courses.truncate(1);
    only_first
        .conversations
        .retain(|(c, _)| *c == CourseId::new(0));
    only_first.standby.retain(|c| c.course == CourseId::new(0));
    only_first.medical.retain(|c| c.course == CourseId::new(0));
    only_first.rehab.retain(|c| c.course == CourseId::new(0));
    let (partial, _) = only_first.build();
    let (l4, meta4) = loaded(&partial);
    let s4 = store
        .import(&l4, &meta4, "test", |_, _| {})
        .await
        .expect("partial import");
    assert_eq!(
        (
            s4.courses_inserted,
            s4.courses_updated,
            s4.courses_unchanged
        ),
        (0, 0, 1)
    );
    assert_eq!(
        store.load().await.unwrap().population.courses.len(),
        newer.courses.len()
    );
    kept_equals_tables(&store).await;
    // A partial export that changes a course, renames a citizen and a team, moves a caseworker
    // to another team and brings a new citizen, caseworker and team: the snapshot follows the
    // tables (the merge of `snapshot::merge::after_import`).
    let mut b = partial.clone().into_builder();
    b.citizens[0].name = "Omdøbt Borger".into();
    b.teams[0].name = "Omdøbt team".into();
    let t = b.add_team(Team {
        key: "T-NY".into(),
        name: "Nyt team".into(),
    });
    if let Some(cw) = b.caseworkers.first_mut() {
        cw.team = t;
    }
    let w = b.add_caseworker(Caseworker {
        key: "SB-NY".into(),
        name: "Ny Sagsbehandler".into(),
        team: t,
    });
    b.courses[0].caseworker = Some(w);
    let cpr = (0..3000)
        .map(|n| kadence_core::cpr::Cpr::synthetic(Day::ymd(1961, 5, 17), n))
        .find(|c| !b.citizens.iter().any(|x| x.cpr == *c))
        .expect("a free number");
    let c = b.add_citizen(Citizen {
        cpr,
        name: "Ny Borger".into(),
    });
    let mut fresh = b.courses[0].clone();
    fresh.key = "NY-2".into();
    fresh.citizen = c;
    fresh.from_course = Some(CourseId::new(0));
    fresh.kind = CourseKind::JobClarification;
    fresh.transition = Some(fresh.first_absence.add_days(200));
    fresh.end = None;
    b.add_course(fresh);
    let (changed, _) = b.build();
    let (l5, meta5) = loaded(&changed);
    let workers = caseworker_numbers(&store).await;
    store
        .import(&l5, &meta5, "test", |_, _| {})
        .await
        .expect("changing import");
    // The caseworkers keep their numbers (one moved to another team); the new one takes the next.
    let now = caseworker_numbers(&store).await;
    for (key, n) in &workers {
        assert_eq!(now.get(key), Some(n), "{key} keeps its number");
    }
    assert_eq!(now["SB-NY"], workers.values().max().unwrap() + 1);
    kept_equals_tables(&store).await;
    let now = store.load().await.unwrap().population;
    assert!(now.citizens.iter().any(|c| c.name == "Ny Borger"));
    assert!(now.teams.iter().any(|t| t.name == "Omdøbt team"));
    assert_eq!(now.courses.len(), newer.courses.len() + 1);

    // Batches are recorded with their files.
    let batches = store.batches().await.unwrap();
    assert_eq!(
        batches.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![5, 4, 3, 2, 1]
    );
    let first = batches.last().unwrap();
    assert_eq!(first.files.len(), 7);
    let courses_file = first
        .files
        .iter()
        .find(|f| f.name == "forloeb.csv")
        .unwrap();
    assert_eq!(courses_file.rows as usize, pop.courses.len());
    assert_eq!(courses_file.sha256.len(), 64);
    assert!(first.started_at <= first.finished_at);
    assert_eq!(store.load().await.unwrap().latest.map(|b| b.id), Some(5));
}

/// A failure inside the transaction leaves the database exactly as it was.
/// The kept snapshot's rows as they are (version, part, bytes).
async fn kept_rows(store: &Store) -> Vec<(i64, i64, Vec<u8>)> {
    sqlx::query("SELECT version, seq, bytes FROM population_snapshot ORDER BY version, seq")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            use sqlx::Row;
            (r.get(0), r.get(1), r.get(2))
        })
        .collect()
}

/// A failure inside the transaction leaves the database exactly as it was, its kept snapshot
/// and population version included: first a failure late in the import (`late`), then one while
/// the snapshot is written (`in_snapshot`, after the rows and the version were).
/// Each list of `failures` installs a failure (after undoing the one before); with each, the
/// import fails and leaves everything as it was.
async fn atomicity(store: Store, failures: &[&[&str]]) {
    let pop = population(5);
    let (l, meta) = loaded(&pop);
    store
        .import(&l, &meta, "test", |_, _| {})
        .await
        .expect("first import");
    let before = store.counts().await.unwrap();
    let before_pop = by_key(&store.load().await.unwrap().population);
    let before_kept = kept_rows(&store).await;
    let before_version = store.population_version().await.unwrap();
    assert!(!before_kept.is_empty());
    let newer = population(6);
    let (l2, meta2) = loaded(&newer);
    for failure in failures {
        for sql in *failure {
            sqlx::query(sql)
                .execute(store.pool())
                .await
                .expect("install failure trigger");
        }
        let err = store.import(&l2, &meta2, "test", |_, _| {}).await;
        assert!(err.is_err(), "the trigger makes the import fail");
        assert_eq!(store.counts().await.unwrap(), before);
        assert_eq!(kept_rows(&store).await, before_kept);
        assert_eq!(store.population_version().await.unwrap(), before_version);
        assert_eq!(by_key(&store.load().await.unwrap().population), before_pop);
        kept_equals_tables(&store).await;
    }
}

/// A kept snapshot that is altered, cut short, of an older format, of another population version
/// or missing is never trusted: the load reads the tables, says why, and keeps a new snapshot for
/// the next reader (issue 15).
async fn refused_snapshots(store: Store) {
    let pop = population(8);
    let (l, meta) = loaded(&pop);
    store.import(&l, &meta, "test", |_, _| {}).await.unwrap();
    kept_equals_tables(&store).await;
    let expected = whole(&store.load_from_tables().await.unwrap());
    // Part `seq` of the kept snapshot (0 its head, then the citizens', then the courses') changed
    // by `f`.
    let rewrite = |seq: i64, f: fn(&mut Vec<u8>)| {
        let store = store.clone();
        async move {
            let rows = kept_rows(&store).await;
            let (version, seq, mut bytes) = rows
                .into_iter()
                .find(|(_, s, _)| *s == seq)
                .expect("a kept part");
            f(&mut bytes);
            sqlx::query(
                "UPDATE population_snapshot SET bytes = $1 WHERE version = $2 AND seq = $3",
            )
            .bind(bytes)
            .bind(version)
            .bind(seq)
            .execute(store.pool())
            .await
            .unwrap();
        }
    };
    let refused = |why: &'static str| {
        let store = store.clone();
        let expected = expected.clone();
        async move {
            let s = store.load().await.unwrap();
            match &s.source {
                kadence_store::PopulationSource::Tables { why: w, kept } => {
                    assert!(w.contains(why), "{w}");
                    assert!(kept, "a new snapshot was kept");
                }
                other => panic!("trusted a snapshot that should be refused ({why}): {other:?}"),
            }
            assert_eq!(whole(&s), expected);
            // The next reader has the new one.
            kept_equals_tables(&store).await;
        }
    };
    let parts = kept_rows(&store).await.len() as i64;
    assert!(parts >= 3, "a head, citizens and courses");
    for seq in [0, 1, parts - 1] {
        rewrite(seq, |b| {
            let at = b.len() / 2;
            b[at] ^= 0x10;
        })
        .await;
        refused("kontrolsum").await;
        rewrite(seq, |b| b.truncate(b.len() / 2)).await;
        refused("kontrolsum").await;
    }
    rewrite(0, |b| b[8..12].copy_from_slice(&2u32.to_le_bytes())).await;
    refused("formatversion 2").await;
    rewrite(parts - 1, |b| b[8..12].copy_from_slice(&2u32.to_le_bytes())).await;
    refused("formatversion 2").await;
    sqlx::query("UPDATE population_snapshot SET version = version - 1")
        .execute(store.pool())
        .await
        .unwrap();
    refused("intet øjebliksbillede").await;
    rewrite(0, |b| {
        let v = i64::from_le_bytes(b[12..20].try_into().unwrap());
        b[12..20].copy_from_slice(&(v + 1).to_le_bytes());
        // The checksum is made to hold, so only the version tells.
        let n = b.len() - 4;
        let sum = crc32fast::hash(&b[..n]);
        b[n..].copy_from_slice(&sum.to_le_bytes());
    })
    .await;
    refused("populationsversion").await;
    sqlx::query("DELETE FROM population_snapshot WHERE seq = 1")
        .execute(store.pool())
        .await
        .unwrap();
    refused("ufuldstændigt").await;
    sqlx::query("DELETE FROM population_snapshot WHERE seq = 0")
        .execute(store.pool())
        .await
        .unwrap();
    refused("ufuldstændigt").await;
    sqlx::query("DELETE FROM population_snapshot")
        .execute(store.pool())
        .await
        .unwrap();
    refused("intet øjebliksbillede").await;
    // The figures' reader refuses alike, reads the tables and keeps a snapshot for the next.
    rewrite(parts - 1, |b| {
        let at = b.len() / 2;
        b[at] ^= 0x10;
    })
    .await;
    let f = store.load_figures().await.unwrap();
    match &f.source {
        kadence_store::PopulationSource::Tables { why, kept } => {
            assert!(why.contains("kontrolsum") && *kept, "{why}")
        }
        other => panic!("the figures trusted an altered snapshot: {other:?}"),
    }
    let tables = store.load_from_tables().await.unwrap();
    assert!(f.figures == Figures::from(tables.population));
    kept_equals_tables(&store).await;
    // So does a measure asked of it.
    rewrite(parts - 1, |b| {
        let at = b.len() / 2;
        b[at] ^= 0x10;
    })
    .await;
    let q = early_effort(&store.load_from_tables().await.unwrap().population);
    let m = store.measure_figures(q.clone()).await.unwrap();
    assert!(
        matches!(&m.source, kadence_store::PopulationSource::Tables { why, kept: true } if why.contains("kontrolsum")),
        "{:?}",
        m.source
    );
    let tables = store.load_from_tables().await.unwrap();
    assert_eq!(
        m.figures,
        kadence_core::figures::Measured::of(&Figures::from(tables.population), &q)
    );
    kept_equals_tables(&store).await;
    // A citizens' part altered: the whole load refuses the snapshot. The figures need no citizen:
    // on a SQLite file their reader reads such a part only as far as its header, so it reads the
    // snapshot, and its figures are the tables'; on PostgreSQL it reads every part whole and
    // refuses it.
    rewrite(1, |b| {
        let at = b.len() / 2;
        b[at] ^= 0x10;
    })
    .await;
    let f = store.load_figures().await.unwrap();
    let tables = store.load_from_tables().await.unwrap();
    assert!(f.figures == Figures::from(tables.population));
    match store.backend() {
        kadence_store::Backend::Sqlite => {
            assert_eq!(f.source, kadence_store::PopulationSource::Kept);
            // The altered part is still there for the whole load to refuse.
            refused("kontrolsum").await;
        }
        kadence_store::Backend::Postgres => {
            assert!(
                matches!(&f.source, kadence_store::PopulationSource::Tables { why, .. } if why.contains("kontrolsum")),
                "{:?}",
                f.source
            );
            kept_equals_tables(&store).await;
        }
    }
    // Its header altered (the number of citizens): the figures' reader refuses the snapshot.
    rewrite(1, |b| b[25] ^= 0x01).await;
    let f = store.load_figures().await.unwrap();
    assert!(
        matches!(&f.source, kadence_store::PopulationSource::Tables { .. }),
        "{:?}",
        f.source
    );
    kept_equals_tables(&store).await;

    // An import with no snapshot to start from keeps none in its transaction and reads the tables
    // once after it: the next reader has a snapshot all the same.
    sqlx::query("DELETE FROM population_snapshot")
        .execute(store.pool())
        .await
        .unwrap();
    let newer = population(9);
    let (l2, meta2) = loaded(&newer);
    store.import(&l2, &meta2, "test", |_, _| {}).await.unwrap();
    kept_equals_tables(&store).await;

    // A change made to the tables by hand is taken in by a rebuild.
    sqlx::query(
        "UPDATE citizen SET name = 'Rettet I Hånden' WHERE cpr = (SELECT MIN(cpr) FROM citizen)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let version = store.population_version().await.unwrap();
    assert_eq!(store.rebuild_snapshot().await.unwrap(), version + 1);
    kept_equals_tables(&store).await;
    assert!(store
        .load()
        .await
        .unwrap()
        .population
        .citizens
        .iter()
        .any(|c| c.name == "Rettet I Hånden"));
}

#[tokio::test]
async fn sqlite_refused_snapshots() {
    refused_snapshots(Store::open(&sqlite_url("refused")).await.expect("open")).await;
}

#[tokio::test]
async fn postgres_refused_snapshots() {
    let Some((db, url)) = PgDb::create("refused").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    refused_snapshots(store.clone()).await;
    store.pool().close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn sqlite_conformance() {
    conformance(Store::open(&sqlite_url("conf")).await.expect("open")).await;
}

/// The same with the population's snapshot cut into many small parts (issue 15): every write and
/// every read goes through part boundaries.
#[tokio::test]
async fn sqlite_conformance_with_small_snapshot_parts() {
    let store = Store::open(&sqlite_url("conf-parts"))
        .await
        .expect("open")
        .with_snapshot_part_size(1024);
    conformance(store.clone()).await;
    let parts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM population_snapshot")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(parts > 20, "{parts} parts");
}

#[tokio::test]
async fn sqlite_atomicity() {
    let store = Store::open(&sqlite_url("atom")).await.expect("open");
    atomicity(
        store,
        &[
            // Midway through the courses, while the planning thread hands over more.
            &["CREATE TRIGGER fail_midway BEFORE INSERT ON conversation WHEN (SELECT COUNT(*) FROM conversation WHERE batch_id = NEW.batch_id) >= 40 BEGIN SELECT RAISE(ABORT, 'injected failure'); END"],
            &["DROP TRIGGER fail_midway", "CREATE TRIGGER fail_late BEFORE INSERT ON import_batch BEGIN SELECT RAISE(ABORT, 'injected failure'); END"],
            &[
                "DROP TRIGGER fail_late",
                "CREATE TRIGGER fail_kept BEFORE INSERT ON population_snapshot BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
            ],
        ],
    )
    .await;
}

#[tokio::test]
async fn sqlite_migrations_are_idempotent() {
    let url = sqlite_url("migr");
    let a = Store::open(&url).await.expect("open");
    drop(a);
    let b = Store::open(&url).await.expect("reopen");
    let n: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) FROM schema_migrations")
            .fetch_one(b.pool())
            .await
            .unwrap(),
        0,
    );
    assert_eq!(n as usize, kadence_store::schema::MIGRATIONS.len());
}

/// The journal mode kept in the SQLite file at `url`, as a new connection finds it.
fn journal_mode(url: &str) -> String {
    let conn = rusqlite::Connection::open(url.trim_start_matches("sqlite://")).unwrap();
    conn.query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
        .unwrap()
        .to_lowercase()
}

/// A new SQLite file keeps SQLite's rollback journal until its first import (whose pages are then
/// written once, not to the WAL and again at the checkpoint), and that import turns WAL on as it
/// commits; a file that holds a population and is found in another mode gets WAL at open.
#[tokio::test]
async fn sqlite_wal_from_the_first_import_on() {
    let url = sqlite_url("journal");
    let store = Store::open(&url).await.expect("open");
    assert_eq!(journal_mode(&url), "delete");
    store.pool().close().await;
    let store = Store::open(&url).await.expect("reopen");
    assert_eq!(journal_mode(&url), "delete", "nothing imported yet");

    let (l, meta) = loaded(&population(3));
    store.import(&l, &meta, "test", |_, _| {}).await.unwrap();
    assert_eq!(journal_mode(&url), "wal", "the first import turns WAL on");
    assert_eq!(
        store.counts().await.unwrap().courses,
        l.population.courses.len() as i64
    );
    store.pool().close().await;

    // A file holding a population found in rollback-journal mode: a copy of this one (`VACUUM
    // INTO` reads it as any reader does) put back in that mode, where only this test has it open.
    // (Leaving WAL needs the only connection to a file; sqlx closes its connections on their own
    // threads, and in a loaded test run one stayed open after `close()` for over ten seconds.)
    let path = url.trim_start_matches("sqlite://").to_string();
    let copy = format!("{path}.copy");
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{copy}{suffix}"));
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("VACUUM INTO ?1", [&copy]).unwrap();
    drop(conn);
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    drop(conn);
    let url = format!("sqlite://{copy}");
    let store = Store::open(&url)
        .await
        .expect("open a file holding a population");
    assert_eq!(journal_mode(&url), "wal");
    // A re-import in WAL mode: the same courses, found unchanged.
    let summary = store.import(&l, &meta, "test", |_, _| {}).await.unwrap();
    assert_eq!(summary.courses_unchanged, l.population.courses.len() as u64);
}

/// A new SQLite file gets 16 KiB pages (a country's import writes half as long with them); a file
/// made before, with SQLite's 4 KiB pages, keeps them and passes the same conformance suite.
#[tokio::test]
async fn sqlite_page_sizes_new_and_old() {
    let page_size = |store: &Store| {
        let pool = store.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("PRAGMA page_size")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let new = Store::open(&sqlite_url("pages-new")).await.expect("open");
    assert_eq!(page_size(&new).await, 16384);

    let url = sqlite_url("pages-old");
    let path = url.trim_start_matches("sqlite://").to_string();
    let old = rusqlite::Connection::open(&path).unwrap();
    old.execute_batch(
        "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE made_before (x TEXT);",
    )
    .unwrap();
    drop(old);
    let store = Store::open(&url).await.expect("open a file made before");
    assert_eq!(page_size(&store).await, 4096);
    conformance(store).await;
}

#[tokio::test]
async fn postgres_conformance() {
    let Some((db, url)) = PgDb::create("conf").await else {
        return;
    };
    let store = Store::open(&url)
        .await
        .expect("open PostgreSQL")
        .with_snapshot_part_size(8 << 10);
    assert_eq!(store.backend(), kadence_store::Backend::Postgres);
    conformance(store.clone()).await;
    store.pool().close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn postgres_atomicity() {
    let Some((db, url)) = PgDb::create("atom").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    atomicity(
        store.clone(),
        &[
            &[
                "CREATE FUNCTION kadence_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER fail_late BEFORE INSERT ON import_batch FOR EACH ROW EXECUTE FUNCTION kadence_fail()",
            ],
            &[
                "DROP TRIGGER fail_late ON import_batch",
                "CREATE TRIGGER fail_kept BEFORE INSERT ON population_snapshot FOR EACH ROW EXECUTE FUNCTION kadence_fail()",
            ],
        ],
    )
    .await;
    store.pool().close().await;
    db.drop_db().await;
}

#[test]
fn snapshot_readers_see_old_or_new_never_a_mix() {
    use kadence_store::{Snapshot, SnapshotCell};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let small = population(1);
    let large = population(2);
    let sizes = [
        (small.courses.len(), small.conversation_count()),
        (large.courses.len(), large.conversation_count()),
    ];
    let cell = Arc::new(SnapshotCell::new(Snapshot {
        population: small.clone(),
        latest: None,
        reassigned: Default::default(),
        generation: 0,
        population_version: 0,
        source: kadence_store::PopulationSource::Kept,
        settings: Default::default(),
        jobindsats: Default::default(),
        targets: Default::default(),
    }));
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (cell, stop) = (Arc::clone(&cell), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut seen = 0;
                while !stop.load(Ordering::Relaxed) {
                    let s = cell.get();
                    let got = (
                        s.population.courses.len(),
                        s.population.conversation_count(),
                    );
                    assert!(sizes.contains(&got), "a mixed snapshot: {got:?}");
                    seen += 1;
                }
                seen
            })
        })
        .collect();
    for i in 0..200 {
        let p = if i % 2 == 0 {
            large.clone()
        } else {
            small.clone()
        };
        cell.replace(Snapshot {
            population: p,
            latest: None,
            reassigned: Default::default(),
            generation: 0,
            population_version: 0,
            source: kadence_store::PopulationSource::Kept,
            settings: Default::default(),
            jobindsats: Default::default(),
            targets: Default::default(),
        });
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.join().expect("reader") > 0);
    }
}

/// The four tables of a course's facts.
const FACTS: [&str; 4] = [
    "conversation",
    "standby_period",
    "medical_request",
    "rehab_meeting",
];

/// Each table's `CREATE` statement as SQLite keeps it.
async fn sqlite_layouts(store: &Store, tables: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for t in tables {
        let sql: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = $1")
            .bind(*t)
            .fetch_one(store.pool())
            .await
            .unwrap();
        out.push(sql);
    }
    out
}

/// Each stored row's number (migration 16) by its key, of `table` (`course`, `caseworker`).
async fn numbers(store: &Store, table: &str) -> HashMap<String, i64> {
    sqlx::query_as::<_, (String, i64)>(&format!("SELECT key, id FROM {table}"))
        .fetch_all(store.pool())
        .await
        .unwrap()
        .into_iter()
        .collect()
}

async fn course_numbers(store: &Store) -> HashMap<String, i64> {
    numbers(store, "course").await
}

async fn caseworker_numbers(store: &Store) -> HashMap<String, i64> {
    numbers(store, "caseworker").await
}

/// A SQLite file's free pages.
async fn free_page_count(store: &Store) -> i64 {
    sqlx::query_scalar("PRAGMA freelist_count")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Puts a database of this version back to courses and caseworkers without numbers, facts naming
/// their course and caseworker by key (schema 15's columns, 14's on SQLite, where tables made by
/// `CREATE TABLE AS` are rowid tables), with every row, and forgets the migrations `forget` (in
/// one transaction).
async fn back_to_course_keys(store: &Store, forget: &[i64]) {
    let fact_columns = [
        "f.seq, f.date, f.form, f.held, w.key AS caseworker_key, f.batch_id, f.registered
         FROM conversation f LEFT JOIN caseworker w ON w.id = f.caseworker_id",
        "f.seq, f.start_date, f.end_date, f.batch_id, f.registered FROM standby_period f",
        "f.seq, f.form, f.sent, f.deadline, f.received, f.batch_id, f.received_registered
         FROM medical_request f",
        "f.seq, f.date, f.basis, f.batch_id FROM rehab_meeting f",
    ];
    let mut tx = store.pool().begin().await.unwrap();
    let mut statements = vec![
        "CREATE TABLE caseworker_keyed AS SELECT key, name, team_key, batch_id FROM caseworker
            ORDER BY id"
            .to_string(),
        "CREATE TABLE course_keyed AS SELECT c.key, c.cpr, c.kind, c.first_absence,
            c.benefit_start, c.transition_date, c.from_course, c.target_group, c.category,
            c.category_date, c.early_by, c.early_date, c.p13f_marked, c.p13f_lapsed, c.end_date,
            c.end_reason, w.key AS caseworker_key, c.content_hash, c.batch_id, c.fit26_recorded,
            c.asked_by, c.asked_date, c.decided_date, c.unemployed_date, c.reduced_rate_date
            FROM course c LEFT JOIN caseworker w ON w.id = c.caseworker_id ORDER BY c.id"
            .to_string(),
    ];
    for (t, columns) in FACTS.iter().zip(fact_columns) {
        statements.push(format!(
            "CREATE TABLE {t}_keyed AS SELECT c.key AS course_key, {columns}
             JOIN course c ON c.id = f.course_id"
        ));
    }
    for t in FACTS.iter().chain(&["course", "caseworker"]) {
        statements.push(format!("DROP TABLE {t}"));
        statements.push(format!("ALTER TABLE {t}_keyed RENAME TO {t}"));
    }
    for v in forget {
        statements.push(format!("DELETE FROM schema_migrations WHERE version = {v}"));
    }
    for sql in statements {
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Leaves about `pages` free pages in a SQLite file: a table of that many pages' worth of rows,
/// dropped.
async fn free_pages(store: &Store, pages: i64) {
    for sql in [
        format!(
            "CREATE TABLE filler AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {pages}) SELECT randomblob(15000) AS b FROM n"
        ),
        "DROP TABLE filler".to_string(),
    ] {
        sqlx::query(&sql).execute(store.pool()).await.unwrap();
    }
}

/// A database whose courses' facts name their course by key keeps every course and fact, its
/// snapshot and its behaviour when migration 16 numbers the courses and re-keys the facts (and,
/// on SQLite, when migration 15 first lays the facts out in their key's order). `forget`: the
/// migrations to run again; `reopen` opens the database again, announcing to `said`.
async fn facts_keep_their_course_through_the_migrations(
    store: Store,
    url: &str,
    forget: &[i64],
    said: &std::sync::Mutex<Vec<String>>,
) -> Store {
    let say = |m: &str| said.lock().unwrap().push(m.to_string());
    let pop = population(15);
    let (l, meta) = loaded(&pop);
    store
        .import(&l, &meta, "test", |_, _| {})
        .await
        .expect("import");
    let before = whole(&store.load_from_tables().await.unwrap());
    back_to_course_keys(&store, forget).await;
    let sqlite = store.backend() == kadence_store::Backend::Sqlite;
    if sqlite {
        // The pages a national file's old tables leave free (48 % of it): a table filled and
        // dropped (this file's own tables take a few pages each).
        free_pages(&store, 200).await;
    }
    store.pool().close().await;
    let store = Store::open_announcing(url, &say)
        .await
        .expect("reopen: the migrations");
    // An existing database is brought up to date with a word to the user; a SQLite file then
    // gives back the pages of the tables made anew (more than a quarter of this one).
    let latest = kadence_store::schema::MIGRATIONS.last().unwrap().0;
    let mut expected: Vec<String> = forget
        .iter()
        .map(|v| {
            format!(
                "Opdaterer databasen til denne version af Kadence (ændring {v} af {latest}) ..."
            )
        })
        .collect();
    if sqlite {
        expected.push("Giver den frigjorte plads i databasefilen tilbage ...".into());
        assert_eq!(free_page_count(&store).await, 0);
    }
    assert_eq!(*said.lock().unwrap(), expected);
    let after = store.load_from_tables().await.unwrap();
    assert!(after.population.conversation_count() > 0);
    assert_eq!(whole(&after), before);
    // Every course and caseworker numbered once (the keys stay unique), every fact kept.
    let workers = caseworker_numbers(&store).await;
    assert_eq!(workers.len(), pop.caseworkers.len());
    let distinct: std::collections::HashSet<i64> = workers.values().copied().collect();
    assert_eq!(distinct.len(), workers.len());
    let numbers = course_numbers(&store).await;
    assert_eq!(numbers.len(), pop.courses.len());
    let distinct: std::collections::HashSet<i64> = numbers.values().copied().collect();
    assert_eq!(distinct.len(), numbers.len());
    assert_eq!(
        store.counts().await.unwrap().conversations as usize,
        pop.conversation_count()
    );
    // The data did not change, so the kept snapshot still holds and equals the tables.
    kept_equals_tables(&store).await;
    // Each course's facts still go with it: a re-import of a changed export replaces them, the
    // changed courses keep their numbers, and a new course is numbered above the highest.
    let mut changed = pop.clone().into_builder();
    changed.conversations.retain(|(c, _)| c.index() % 2 == 0);
    // The highest-numbered course among the changed ones: the new course is numbered above the
    // number it keeps, not above what is left once it is deleted to be written again.
    let highest = numbers.iter().max_by_key(|(_, n)| **n).unwrap().0;
    let at = changed
        .courses
        .iter()
        .position(|c| c.key == highest)
        .unwrap();
    changed.courses[at].end = match changed.courses[at].end {
        Some(_) => None,
        None => Some(CourseEnd {
            date: EXPORT,
            reason: EndReason::BackToWork,
        }),
    };
    let mut extra = changed.courses[0].clone();
    extra.key = "NY-MIGRERET".into();
    extra.caseworker = Some(changed.add_caseworker(Caseworker {
        key: "SB-MIGRERET".into(),
        name: "Ny Sagsbehandler".into(),
        team: changed.caseworkers[0].team,
    }));
    changed.add_course(extra);
    let (changed, _) = changed.build();
    let (l, meta) = loaded(&changed);
    store
        .import(&l, &meta, "test", |_, _| {})
        .await
        .expect("re-import");
    assert_eq!(
        by_key(&store.load_from_tables().await.unwrap().population),
        by_key(&changed)
    );
    kept_equals_tables(&store).await;
    let renumbered = course_numbers(&store).await;
    for (key, n) in &numbers {
        assert_eq!(renumbered.get(key), Some(n), "{key} keeps its number");
    }
    assert_eq!(
        renumbered["NY-MIGRERET"],
        numbers.values().max().unwrap() + 1
    );
    let now = caseworker_numbers(&store).await;
    for (key, n) in &workers {
        assert_eq!(now.get(key), Some(n), "{key} keeps its number");
    }
    assert_eq!(now["SB-MIGRERET"], workers.values().max().unwrap() + 1);
    store
}

/// A SQLite file of schema 14 (a course's facts in rowid tables, each row kept twice: in the table
/// and in its key's index; facts naming their course by key) keeps every fact and its snapshot
/// when migration 15 lays the four facts tables out in their key's order (`WITHOUT ROWID`) and
/// migration 16 numbers the courses; a new file has that layout from the start: each course a row
/// of a table by number (`INTEGER PRIMARY KEY`), its facts in their course's number's order.
#[tokio::test]
async fn sqlite_facts_move_to_their_courses_number_with_every_row() {
    let url = sqlite_url("by-key");
    let said = std::sync::Mutex::new(Vec::new());
    let say = |m: &str| said.lock().unwrap().push(m.to_string());
    let store = Store::open_announcing(&url, &say).await.expect("open");
    // A new database is made without a word.
    assert!(said.lock().unwrap().is_empty());
    let laid_out = |layouts: Vec<String>| {
        let (course, facts) = layouts.split_last().unwrap();
        course.contains("id INTEGER PRIMARY KEY")
            && facts
                .iter()
                .all(|s| s.contains("WITHOUT ROWID") && s.contains("PRIMARY KEY (course_id, seq)"))
    };
    let tables: Vec<&str> = FACTS.iter().chain(&["course"]).copied().collect();
    assert!(laid_out(sqlite_layouts(&store, &tables).await));
    let store = facts_keep_their_course_through_the_migrations(store, &url, &[15, 16], &said).await;
    assert!(laid_out(sqlite_layouts(&store, &tables).await));
    // Without a migration, an open leaves free pages alone (later writes reuse them), silently.
    said.lock().unwrap().clear();
    free_pages(&store, 200).await;
    store.pool().close().await;
    let store = Store::open_announcing(&url, &say).await.expect("reopen");
    assert!(said.lock().unwrap().is_empty());
    let free = free_page_count(&store).await;
    assert!(free > 100, "{free}");
}

/// The same on PostgreSQL: a database of schema 15 numbered by migration 16.
#[tokio::test]
async fn postgres_facts_move_to_their_courses_number_with_every_row() {
    let Some((db, url)) = PgDb::create("by_key").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    let said = std::sync::Mutex::new(Vec::new());
    let store = facts_keep_their_course_through_the_migrations(store, &url, &[16], &said).await;
    store.pool().close().await;
    db.drop_db().await;
}
