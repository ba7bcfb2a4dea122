//! The database file's permissions, the audit chain against deletion, single sign-on and login timing.

use super::*;

/// Issue 14.4: the database file and its write-ahead log were readable by every local account
/// (0644) under the usual umask. A new database is the owner's only, its folder too.
#[cfg(unix)]
#[tokio::test]
async fn a_new_sqlite_database_is_readable_by_its_owner_only() {
    use jiff::Timestamp;
    use kadence_store::access::{NewUser, Role};
    use std::os::unix::fs::PermissionsExt;
    let root = kadence_synth::scratch("store").join("perm");
    let _ = std::fs::remove_dir_all(&root);
    let path = root.join("data").join("k.sqlite");
    let store = Store::open_sqlite(&path).await.unwrap();
    // A user added: a write of its own.
    let add_user = |name: &'static str| {
        let store = store.clone();
        async move {
            store
                .add_user(
                    &NewUser {
                        username: name.to_lowercase(),
                        display_name: name.into(),
                        role: Role::Caseworker,
                        caseworker_key: None,
                        team_key: None,
                    },
                    "korrekt hest batteri",
                    Timestamp::UNIX_EPOCH,
                )
                .await
                .unwrap();
        }
    };
    add_user("Mette").await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600, "the database file");
    assert_eq!(mode(path.parent().unwrap()), 0o700, "its folder");
    // WAL from the first import on (before it, SQLite's rollback journal, which SQLite gives the
    // database file's mode as it does the log).
    let (l, meta) = loaded(&population(1));
    store.import(&l, &meta, "test", |_, _| {}).await.unwrap();
    add_user("Jens").await;
    let wal = path.with_extension("sqlite-wal");
    assert!(wal.exists(), "the database runs in WAL mode");
    assert_eq!(mode(&wal), 0o600, "the write-ahead log");
    drop(store);
    let _ = std::fs::remove_dir_all(&root);
}

/// Issue 14.3: "any edit or deletion breaks the chain" was not kept at its ends. Deleting the
/// newest event, or every event, left a chain that verified; deleting the oldest events behind a
/// forged anchor row did too. With the head and the anchor key kept outside the database, each
/// is found.
async fn deleting_the_newest_or_every_event_or_the_oldest_behind_a_forged_anchor_is_found(
    store: Store,
) {
    use kadence_core::cpr::Cpr;
    use kadence_store::access::{AuditEntry, AuditVerdict};
    let w = witness("ends", store.backend());
    let store = store.with_audit_witness(w.clone());
    let t0: jiff::Timestamp = "2026-12-01T09:00:00Z".parse().unwrap();
    for (i, cpr) in ["0101501000", "0202502000", "0101501000", "0303503000"]
        .iter()
        .enumerate()
    {
        let e = AuditEntry {
            username: "mette".into(),
            cpr: Some(Cpr::parse(cpr).unwrap()),
            course_key: Some("F1".into()),
            action: "vist forløb".into(),
            purpose: "Opfølgning i egen sag".into(),
        };
        store
            .audit_append(&[e], t0 + jiff::SignedDuration::from_mins(i as i64))
            .await
            .unwrap();
    }
    let head = std::fs::read_to_string(w.head_file.as_ref().unwrap()).unwrap();
    assert!(head.contains("seq 4\n"), "{head}");
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Intact { entries: 4 }
    );
    let sql = |q: &'static str| {
        let store = store.clone();
        async move {
            sqlx::query(q).execute(store.pool()).await.unwrap();
        }
    };
    sql("CREATE TABLE saved_event AS SELECT * FROM audit_event").await;
    // The newest event deleted: the chain alone is intact, the head says otherwise.
    sql("DELETE FROM audit_event WHERE seq = 4").await;
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Truncated { head: 4, last: 3 }
    );
    // Every event deleted.
    sql("DELETE FROM audit_event").await;
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Truncated { head: 4, last: 0 }
    );
    // The newest event replaced by another with a chain of its own: the head's hash differs.
    sql("INSERT INTO audit_event SELECT * FROM saved_event").await;
    sql("UPDATE audit_event SET hash = 'x' WHERE seq = 4").await;
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::Broken { seq: 4 }
    );
    sql("DELETE FROM audit_event").await;
    sql("INSERT INTO audit_event SELECT * FROM saved_event").await;
    assert!(store.audit_verify().await.unwrap().is_intact());
    // The two oldest deleted behind a forged anchor (the hash of event 2 is in event 3's link):
    // with a key outside the database, an anchor it did not sign is found.
    std::fs::write(
        w.anchor_key_file.as_ref().unwrap(),
        format!("{}\n", "ab".repeat(32)),
    )
    .unwrap();
    sql("DELETE FROM audit_event WHERE seq <= 2").await;
    sql("INSERT INTO audit_anchor (seq, hash, at) SELECT seq, hash, at FROM saved_event WHERE seq = 2").await;
    assert_eq!(
        store.audit_verify().await.unwrap(),
        AuditVerdict::AnchorForged { seq: 2 }
    );
    // Without the witnesses, the same database verifies as it did before: what they add.
    let bare = store
        .clone()
        .with_audit_witness(kadence_store::witness::AuditWitness::default());
    assert!(bare.audit_verify().await.unwrap().is_intact());
    sql("DROP TABLE saved_event").await;
    let _ = std::fs::remove_dir_all(w.head_file.unwrap().parent().unwrap());
}

#[tokio::test]
async fn sqlite_deleting_the_newest_or_every_event_or_the_oldest_behind_a_forged_anchor_is_found() {
    deleting_the_newest_or_every_event_or_the_oldest_behind_a_forged_anchor_is_found(
        Store::open(&sqlite_url("ends")).await.expect("open"),
    )
    .await;
}

#[tokio::test]
async fn postgres_deleting_the_newest_or_every_event_or_the_oldest_behind_a_forged_anchor_is_found()
{
    let Some((db, url)) = PgDb::create("ends").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    deleting_the_newest_or_every_event_or_the_oldest_behind_a_forged_anchor_is_found(store.clone())
        .await;
    store.pool().close().await;
    db.drop_db().await;
}

/// Issue 14.7: a single sign-on user was found by `preferred_username`, merged with a local account
/// of the same name and overwrote its role. Now the identity is issuer + subject; a local account is
/// linked only by `link_sso`.
async fn single_sign_on_identity_is_issuer_and_subject(store: Store) {
    use kadence_store::access::{NewUser, Role};
    let t0: jiff::Timestamp = "2026-12-04T09:00:00Z".parse().unwrap();
    let local = NewUser {
        username: "lars".into(),
        display_name: "Lars Lokal".into(),
        role: Role::TeamLead,
        caseworker_key: None,
        team_key: Some("T1".into()),
    };
    store
        .add_user(&local, "en lang og god adgangskode", t0)
        .await
        .unwrap();
    let claims = |name: &str, role: Role| NewUser {
        username: name.into(),
        display_name: "Fra kommunens login".into(),
        role,
        caseworker_key: Some("K01-S001".into()),
        team_key: None,
    };
    let iss = "https://login.kommune.dk";
    // A provider's "lars" is someone else: an account of its own, the local one untouched.
    let a = store
        .sso_user(iss, "sub-1", &claims("lars", Role::Caseworker), t0)
        .await
        .unwrap();
    assert_ne!(a.username, "lars");
    assert!(a.username.starts_with("lars (sso-"), "{}", a.username);
    let l = store.user_by_name("lars").await.unwrap().unwrap();
    assert_eq!(
        (l.role, l.display_name.as_str()),
        (Role::TeamLead, "Lars Lokal")
    );
    // The same subject again, under another name: the same account, brought up to date.
    let again = store
        .sso_user(iss, "sub-1", &claims("lars.ny", Role::Analyst), t0)
        .await
        .unwrap();
    assert_eq!((again.id, again.role), (a.id, Role::Analyst));
    // The same subject at another issuer is another identity.
    let other = store
        .sso_user(
            "https://andet.example",
            "sub-1",
            &claims("x", Role::Caseworker),
            t0,
        )
        .await
        .unwrap();
    assert_ne!(other.id, a.id);
    // Linked by an administrator: from then on the identity logs in as the local account.
    assert!(store
        .link_sso("lars", iss, "sub-2", "admin", t0)
        .await
        .unwrap());
    let linked = store
        .sso_user(iss, "sub-2", &claims("whatever", Role::TeamLead), t0)
        .await
        .unwrap();
    assert_eq!(linked.id, l.id);
    assert!(!store
        .link_sso("ingen", iss, "sub-3", "admin", t0)
        .await
        .unwrap());
}

#[tokio::test]
async fn sqlite_single_sign_on_identity_is_issuer_and_subject() {
    single_sign_on_identity_is_issuer_and_subject(
        Store::open(&sqlite_url("sso")).await.expect("open"),
    )
    .await;
}

#[tokio::test]
async fn postgres_single_sign_on_identity_is_issuer_and_subject() {
    let Some((db, url)) = PgDb::create("sso").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    single_sign_on_identity_is_issuer_and_subject(store.clone()).await;
    store.pool().close().await;
    db.drop_db().await;
}

/// Issue 14.2: an unknown user cost two argon2 runs against one for a wrong password, and a locked
/// or disabled account answered at once, so the answer's timing told who exists. Every path now
/// runs exactly one check, and a wrong password gets the same answer in every state.
async fn every_login_path_costs_one_password_check_so_timing_tells_no_username(store: Store) {
    use jiff::SignedDuration;
    use kadence_store::access::{Login, NewUser, Policy, Role};
    let t0: jiff::Timestamp = "2026-12-04T09:00:00Z".parse().unwrap();
    let policy = Policy::default();
    for name in ["mette", "spaerret"] {
        store
            .add_user(
                &NewUser {
                    username: name.into(),
                    display_name: "Test".into(),
                    role: Role::Analyst,
                    caseworker_key: None,
                    team_key: None,
                },
                "korrekt hest batteri",
                t0,
            )
            .await
            .unwrap();
    }
    store.set_disabled("spaerret", true).await.unwrap();
    let checks = |user: &'static str, password: &'static str, at: jiff::Timestamp| {
        let store = store.clone();
        async move {
            let before = store.password_checks();
            let answer = store.login(user, password, at, &policy).await.unwrap();
            (store.password_checks() - before, answer)
        }
    };
    assert_eq!(checks("ukendt", "x", t0).await, (1, Login::Refused));
    assert_eq!(checks("mette", "forkert", t0).await, (1, Login::Refused));
    assert_eq!(checks("spaerret", "forkert", t0).await, (1, Login::Refused));
    assert_eq!(
        checks("spaerret", "korrekt hest batteri", t0).await,
        (1, Login::Disabled)
    );
    for _ in 0..policy.max_failed_logins {
        checks("mette", "forkert", t0).await;
    }
    let (n, locked_wrong) = checks("mette", "forkert", t0).await;
    assert_eq!(
        (n, locked_wrong),
        (1, Login::Refused),
        "locked: a wrong password says nothing"
    );
    let (n, locked_right) = checks("mette", "korrekt hest batteri", t0).await;
    assert_eq!(n, 1);
    assert!(matches!(locked_right, Login::Locked(_)));
    let later = t0 + policy.lockout + SignedDuration::from_secs(1);
    assert_eq!(checks("mette", "korrekt hest batteri", later).await.0, 1);
}

#[tokio::test]
async fn sqlite_every_login_path_costs_one_password_check_so_timing_tells_no_username() {
    every_login_path_costs_one_password_check_so_timing_tells_no_username(
        Store::open(&sqlite_url("timing")).await.expect("open"),
    )
    .await;
}

#[tokio::test]
async fn postgres_every_login_path_costs_one_password_check_so_timing_tells_no_username() {
    let Some((db, url)) = PgDb::create("timing").await else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    every_login_path_costs_one_password_check_so_timing_tells_no_username(store.clone()).await;
    store.pool().close().await;
    db.drop_db().await;
}
