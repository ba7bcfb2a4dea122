//! The audit log, retention and secret rotation.

use super::*;

#[test]
fn audit_extract_and_verify() {
    let dir = fresh_dir("audit");
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("audit.sqlite");
    let cpr = "0101501000";
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use kadence_store::access::AuditEntry;
        // As the CLI and the server open it: the chain's head kept beside the file.
        let store = kadence_store::Store::open_sqlite(&db)
            .await
            .unwrap()
            .with_audit_witness(kadence_store::witness::AuditWitness::beside(&db));
        let e = |cpr: &str, purpose: &str| AuditEntry {
            username: "mette".into(),
            cpr: Some(kadence_core::cpr::Cpr::parse(cpr).unwrap()),
            course_key: Some("F1".into()),
            action: "vist forløb".into(),
            purpose: purpose.into(),
        };
        let now = "2026-11-23T09:15:00Z".parse().unwrap();
        store
            .audit_append(
                &[
                    e(cpr, "Opfølgning i egen sag"),
                    e("0202502000", "Teamledelse"),
                    e(cpr, "Borgeren har henvendt sig til mig"),
                ],
                now,
            )
            .await
            .unwrap();
        store.pool().close().await;
    });
    let dbs = db.to_str().unwrap();
    // The number on the command line is refused (the process list shows it to every local
    // account); it is read from standard input.
    let o = kadence(&["audit", "--cpr", "010150-1000", "--db", dbs]);
    assert_eq!(o.status.code(), Some(2), "refused");
    assert!(String::from_utf8_lossy(&o.stderr).contains("proceslisten"));
    let o = kadence_with_input(&["audit", "--cpr", "-", "--db", dbs], "010150-1000\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    assert!(
        text.contains("010150-xxxx (2 i alt)") && text.contains("23-11-2026 kl. 10:15"),
        "{text}"
    );
    assert!(
        text.contains("Borgeren har henvendt sig til mig") && !text.contains("mette"),
        "dates and purposes, not users, unless asked"
    );
    assert!(stdout(&kadence_with_input(
        &["audit", "--cpr", "-", "--db", dbs, "--med-brugere"],
        cpr
    ))
    .contains("mette"));
    let o = kadence(&["audit", "verify", "--db", dbs]);
    assert!(
        o.status.success() && stdout(&o).contains("intakt: 3 poster"),
        "{}",
        stdout(&o)
    );
    // The head is kept beside the database (issue 14.3): deleting the newest event is found.
    let mut head = db.as_os_str().to_owned();
    head.push(".audit-head");
    assert!(
        std::fs::read_to_string(&head).unwrap().contains("seq "),
        "the look-ups wrote the head"
    );
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("Hovedet (nyeste post) holdes uden for databasen i"));
    rt.block_on(async {
        let store = kadence_store::Store::open_sqlite(&db).await.unwrap();
        sqlx_exec(
            &store,
            "DELETE FROM audit_event WHERE seq = (SELECT MAX(seq) FROM audit_event)",
        )
        .await;
        store.pool().close().await;
    });
    let o = kadence(&["audit", "verify", "--db", dbs]);
    assert_eq!(o.status.code(), Some(6));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Revisionsloggen er afkortet"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    rt.block_on(async {
        let store = kadence_store::Store::open_sqlite(&db).await.unwrap();
        sqlx_exec(
            &store,
            "UPDATE audit_event SET purpose = 'skjult' WHERE seq = 2",
        )
        .await;
        store.pool().close().await;
    });
    let o = kadence(&["audit", "verify", "--db", dbs]);
    assert_eq!(o.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&o.stderr).contains("brudt ved post nr. 2"));
    let _ = std::fs::remove_dir_all(dir);
}

async fn sqlx_exec(store: &kadence_store::Store, sql: &str) {
    kadence_store::execute_raw(store, sql).await.unwrap();
}

/// `kadence retention --dry-run` lists what would go and deletes nothing; without it, the closed
/// courses go, the deletion is in the audit log, and the chain still verifies.
#[test]
fn retention_dry_run_then_delete() {
    let dir = generated("retention");
    let db = dir.join("k.sqlite");
    let dbs = db.to_str().unwrap();
    let o = kadence(&["import", dir.to_str().unwrap(), "--db", dbs]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let active = |as_of: &str| -> u64 {
        let o = kadence(&[
            "status", "--db", dbs, "--as-of", as_of, "--format", "json", "--limit", "1",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["total"].as_u64().unwrap()
    };
    let before = active("30-06-2025");
    let args = [
        "retention",
        "--db",
        dbs,
        "--afsluttede-maaneder",
        "6",
        "--as-of",
        "30-06-2025",
    ];
    let dry = kadence(&[&args[..], &["--dry-run"]].concat());
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let text = stdout(&dry);
    assert!(
        text.contains("Forløb afsluttet før 30-12-2024 (6 måneder):"),
        "{text}"
    );
    assert!(text.contains("Prøvekørsel: intet er slettet."), "{text}");
    let n: u64 = text
        .split("(6 måneder): ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .replace('.', "")
        .parse()
        .unwrap();
    assert!(n > 0, "{text}");
    assert!(
        !text.contains("-xxxx") && !text.contains("CPR"),
        "no citizens named"
    );
    assert_eq!(active("30-06-2025"), before, "the dry run deleted nothing");

    let real = kadence(&args);
    assert!(
        real.status.success(),
        "{}",
        String::from_utf8_lossy(&real.stderr)
    );
    assert!(stdout(&real).contains(&format!("Slettet: {} forløb", dk_int(n))));
    assert_eq!(active("30-06-2025"), before, "no active course was deleted");
    let again = stdout(&kadence(&[&args[..], &["--dry-run"]].concat()));
    assert!(again.contains("(6 måneder): 0 forløb"), "{again}");
    let v = kadence(&["audit", "verify", "--db", dbs]);
    assert!(v.status.success() && stdout(&v).contains("intakt"));
    let _ = std::fs::remove_dir_all(dir);
}

fn dk_int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// `kadence rotate`: a new pseudonym key, and every session ended.
#[test]
fn rotate_secrets() {
    let dir = fresh_dir("rotate");
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("r.sqlite");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let now = jiff::Timestamp::UNIX_EPOCH;
    let before = rt.block_on(async {
        let store = kadence_store::Store::open_sqlite(&db).await.unwrap();
        let u = store
            .add_user(
                &kadence_store::access::NewUser {
                    username: "mette".into(),
                    display_name: "Mette".into(),
                    role: kadence_store::access::Role::Analyst,
                    caseworker_key: None,
                    team_key: None,
                },
                "en lang adgangskode",
                now,
            )
            .await
            .unwrap();
        store.create_session(u.id, now).await.unwrap();
        let k = store.secret("pseudonym", now).await.unwrap();
        store.pool().close().await;
        k
    });
    let dbs = db.to_str().unwrap();
    let o = kadence(&["rotate", "sessioner", "--db", dbs]);
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("1 sessioner er afsluttet"),
        "{}",
        stdout(&o)
    );
    let o = kadence(&["rotate", "pseudonymnoegle", "--db", dbs]);
    assert!(o.status.success() && stdout(&o).contains("Pseudonymnøglen er udskiftet"));
    let after = rt.block_on(async {
        let store = kadence_store::Store::open_sqlite(&db).await.unwrap();
        store.secret("pseudonym", now).await.unwrap()
    });
    assert_ne!(before, after);
    let _ = std::fs::remove_dir_all(dir);
}
