//! Users, lock-out, sessions and the audit chain.

use super::*;

/// Users, lock-out, sessions and the audit chain.
async fn access(store: Store) {
    use jiff::{SignedDuration, Timestamp};
    use kadence_store::access::*;
    let t0: Timestamp = "2026-11-23T08:00:00Z".parse().unwrap();
    let policy = Policy::default();
    let u = store
        .add_user(
            &NewUser {
                username: "mette".into(),
                display_name: "Mette Hansen".into(),
                role: Role::Caseworker,
                caseworker_key: Some("K01-S001".into()),
                team_key: None,
            },
            "korrekt hest batteri",
            t0,
        )
        .await
        .unwrap();
    assert_eq!(store.user_by_name("mette").await.unwrap(), Some(u.clone()));
    let hash: String = sqlx::Row::get(
        &sqlx::query("SELECT password_hash FROM app_user")
            .fetch_one(store.pool())
            .await
            .unwrap(),
        0,
    );
    assert!(hash.starts_with("$argon2id$") && !hash.contains("korrekt"));

    assert_eq!(
        store
            .login("mette", "korrekt hest batteri", t0, &policy)
            .await
            .unwrap(),
        Login::Ok(u.clone())
    );
    assert_eq!(
        store.login("ukendt", "x", t0, &policy).await.unwrap(),
        Login::Refused
    );
    // Five wrong passwords lock the account, even against the right one, until the lock-out ends;
    // a wrong password is answered as for an unknown user, locked or not (issue 14: enumeration).
    for i in 1..=policy.max_failed_logins {
        let a = store.login("mette", "forkert", t0, &policy).await.unwrap();
        assert!(a.is_refused(), "attempt {i}: {a:?}");
        // The attempt that locks the account says so to the caller (the security log), not
        // to the user.
        assert_eq!(
            matches!(a, Login::RefusedAndLocked { user_id, .. } if user_id == u.id),
            i == policy.max_failed_logins,
            "attempt {i}: {a:?}"
        );
    }
    assert_eq!(
        store.login("mette", "forkert", t0, &policy).await.unwrap(),
        Login::Refused,
        "locked, and a wrong password does not say so"
    );
    assert!(matches!(
        store
            .login("mette", "korrekt hest batteri", t0, &policy)
            .await
            .unwrap(),
        Login::Locked(_)
    ));
    let later = t0 + policy.lockout + SignedDuration::from_secs(1);
    assert_eq!(
        store
            .login("mette", "korrekt hest batteri", later, &policy)
            .await
            .unwrap(),
        Login::Ok(u.clone())
    );

    // Twelve wrong guesses at once (issue 14.1: the count was read, argon2 ran, then the count was
    // written): every one counts, the account is locked, and the right password then is refused.
    let t1 = later + SignedDuration::from_secs(5);
    let guesses = (0..12).map(|i| {
        let store = store.clone();
        async move {
            store
                .login("mette", &format!("gæt {i}"), t1, &policy)
                .await
                .unwrap()
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    assert!(answers.iter().all(Login::is_refused), "{answers:?}");
    assert!(
        answers
            .iter()
            .any(|a| matches!(a, Login::RefusedAndLocked { .. })),
        "{answers:?}"
    );
    assert!(
        matches!(
            store
                .login("mette", "korrekt hest batteri", t1, &policy)
                .await
                .unwrap(),
            Login::Locked(_)
        ),
        "locked after parallel guesses"
    );
    let later = t1 + policy.lockout + SignedDuration::from_secs(1);
    assert_eq!(
        store
            .login("mette", "korrekt hest batteri", later, &policy)
            .await
            .unwrap(),
        Login::Ok(u.clone()),
        "the attempts during the lock-out do not lock it again"
    );

    // Sessions: idle and absolute timeouts; the token is not stored.
    let (token, csrf) = store.create_session(u.id, t0).await.unwrap();
    let stored: String = sqlx::Row::get(
        &sqlx::query("SELECT token_hash FROM app_session")
            .fetch_one(store.pool())
            .await
            .unwrap(),
        0,
    );
    assert_ne!(stored, token);
    let s = store
        .session(&token, t0 + SignedDuration::from_mins(29), &policy)
        .await
        .unwrap()
        .expect("within idle timeout");
    assert_eq!((s.user.id, s.csrf_token.as_str()), (u.id, csrf.as_str()));
    let mut t = t0 + SignedDuration::from_mins(29);
    while t < t0 + policy.absolute - SignedDuration::from_mins(20) {
        t += SignedDuration::from_mins(20);
        assert!(
            store.session(&token, t, &policy).await.unwrap().is_some(),
            "kept alive at {t}"
        );
    }
    assert!(
        store
            .session(
                &token,
                t0 + policy.absolute + SignedDuration::from_mins(1),
                &policy
            )
            .await
            .unwrap()
            .is_none(),
        "absolute timeout"
    );
    let (token2, _) = store.create_session(u.id, t0).await.unwrap();
    assert!(
        store
            .session(&token2, t0 + SignedDuration::from_mins(31), &policy)
            .await
            .unwrap()
            .is_none(),
        "idle timeout"
    );
    let (token3, _) = store.create_session(u.id, t0).await.unwrap();
    assert!(store.set_disabled("mette", true).await.unwrap());
    assert!(
        store.session(&token3, t0, &policy).await.unwrap().is_none(),
        "disabling ends sessions"
    );
    assert_eq!(
        store
            .login("mette", "korrekt hest batteri", later, &policy)
            .await
            .unwrap(),
        Login::Disabled
    );
    assert_eq!(
        store
            .login("mette", "forkert", later, &policy)
            .await
            .unwrap(),
        Login::Refused,
        "a disabled account says so only to the right password"
    );
    assert!(store.set_disabled("mette", false).await.unwrap());
    assert!(store.set_password("mette", "nyt kodeord").await.unwrap());
    assert!(matches!(
        store
            .login("mette", "nyt kodeord", later, &policy)
            .await
            .unwrap(),
        Login::Ok(_)
    ));

    // The audit log: chained, verifiable, tamper-evident, extractable per citizen.
    let e = |cpr: &str, action: &str| AuditEntry {
        username: "mette".into(),
        cpr: Some(kadence_core::cpr::Cpr::parse(cpr).unwrap()),
        course_key: Some("F1".into()),
        action: action.into(),
        purpose: "Opfølgning i egen sag".into(),
    };
    store
        .audit_append(&[e("0101501000", "vist forløb")], t0)
        .await
        .unwrap();
    // One page of two citizens is one event of two entries.
    store
        .audit_append(
            &[
                e("0202502000", "vist i arbejdsliste"),
                e("0101501000", "vist i arbejdsliste"),
            ],
            later,
        )
        .await
        .unwrap();
    store
        .audit_append(&[e("0202502000", "eksporteret til Excel")], later)
        .await
        .unwrap();
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Intact { entries: 4 }
    );
    let mine = store
        .audit_entries(Some(&kadence_core::cpr::Cpr::parse("010150-1000").unwrap()))
        .await
        .unwrap();
    assert_eq!(mine.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(
        mine.iter()
            .map(|r| r.entry.action.as_str())
            .collect::<Vec<_>>(),
        vec!["vist forløb", "vist i arbejdsliste"]
    );
    assert!(mine
        .iter()
        .all(|r| r.entry.course_key.as_deref() == Some("F1")));

    // Concurrent pages are group committed, each logged once, the chain intact.
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let store = store.clone();
            let entry = e("0202502000", &format!("side {i}"));
            tokio::spawn(async move { store.audit_append(&[entry], later).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Intact { entries: 28 }
    );
    let mut actions: Vec<String> = store
        .audit_entries(None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.action)
        .filter(|a| a.starts_with("side "))
        .collect();
    actions.sort();
    actions.dedup();
    assert_eq!(actions.len(), 24);

    // Tampering: a changed purpose, a citizen removed from a page, a deleted event.
    let tamper = |sql: &'static str| {
        let store = store.clone();
        async move {
            sqlx::query(sql).execute(store.pool()).await.unwrap();
            store.audit_verify().await.unwrap()
        }
    };
    assert_eq!(
        tamper("UPDATE audit_event SET purpose = 'noget andet' WHERE seq = 2").await,
        AuditVerdict::Broken { seq: 2 }
    );
    assert_eq!(
        tamper("UPDATE audit_event SET purpose = 'Opfølgning i egen sag' WHERE seq = 2").await,
        AuditVerdict::Intact { entries: 28 }
    );
    assert_eq!(
        tamper("UPDATE audit_event SET subjects = '0202502000 F1' WHERE seq = 2").await,
        AuditVerdict::Broken { seq: 2 }
    );
    assert_eq!(
        tamper("DELETE FROM audit_event WHERE seq = 2").await,
        AuditVerdict::Broken { seq: 3 }
    );

    // Server secrets: made once, kept, replaced on rotation.
    let k1 = store.secret("pseudonym", t0).await.unwrap();
    assert_eq!(k1.len(), 64);
    assert_eq!(store.secret("pseudonym", later).await.unwrap(), k1);
    store.rotate_secret("pseudonym", later).await.unwrap();
    let k2 = store.secret("pseudonym", later).await.unwrap();
    assert!(k2 != k1 && k2.len() == 64);
}

/// A database written before migration 3 (one audit row per citizen) keeps its entries, their hashes
/// and their place in the chain; new events continue it.
#[tokio::test]
async fn sqlite_audit_log_of_schema_2_is_carried_over() {
    use kadence_store::access::{AuditEntry, AuditVerdict};
    use sha2::{Digest, Sha256};
    use sqlx::Connection;
    let url = sqlite_url("legacy-audit");
    {
        let mut c = sqlx::SqliteConnection::connect(&format!("{url}?mode=rwc"))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            .execute(&mut c)
            .await
            .unwrap();
        for (version, name, statements) in kadence_store::schema::MIGRATIONS.iter().take(2) {
            for sql in *statements {
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
            sqlx::query("INSERT INTO schema_migrations VALUES ($1, $2, 'then')")
                .bind(version)
                .bind(name.to_string())
                .execute(&mut c)
                .await
                .unwrap();
        }
        // Rows as the schema-2 code wrote them: sha256 of the fields joined by newlines.
        let mut prev = "0".repeat(64);
        for (seq, cpr, key) in [(1i64, "010150-1000", "F 1"), (2, "020250-2000", "F2")] {
            let at = "2026-01-05T08:00:00Z";
            let text = format!("{prev}\n{seq}\n{at}\nmette\n{cpr}\n{key}\nvist forløb\nOpfølgning");
            let hash = hex(&Sha256::digest(text.as_bytes()));
            sqlx::query("INSERT INTO audit_log VALUES ($1, $2, 'mette', $3, $4, 'vist forløb', 'Opfølgning', $5, $6)")
                .bind(seq)
                .bind(at)
                .bind(cpr)
                .bind(key)
                .bind(&prev)
                .bind(&hash)
                .execute(&mut c)
                .await
                .unwrap();
            prev = hash;
        }
    }
    let store = Store::open(&url).await.expect("migrates");
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Intact { entries: 2 }
    );
    let cpr = kadence_core::cpr::Cpr::parse("0101501000").unwrap();
    store
        .audit_append(
            &[AuditEntry {
                username: "mette".into(),
                cpr: Some(cpr),
                course_key: Some("F 1".into()),
                action: "vist i arbejdsliste".into(),
                purpose: "Opfølgning".into(),
            }],
            jiff::Timestamp::UNIX_EPOCH,
        )
        .await
        .unwrap();
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Intact { entries: 3 }
    );
    let mine = store.audit_entries(Some(&cpr)).await.unwrap();
    assert_eq!(mine.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 3]);
    assert!(mine
        .iter()
        .all(|r| r.entry.course_key.as_deref() == Some("F 1")));
}

#[tokio::test]
async fn sqlite_access() {
    access(Store::open(&sqlite_url("access")).await.expect("open")).await;
}

#[tokio::test]
async fn postgres_access() {
    let Some((db, url)) = PgDb::create("access").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    access(store.clone()).await;
    store.pool().close().await;
    db.drop_db().await;
}
