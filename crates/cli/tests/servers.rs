//! Real server processes (issue 14): two against one PostgreSQL, the documented multi-user
//! deployment, keep one unbroken audit chain, share sessions and lock-outs, and both pick up an
//! import; and a server killed while it commits audit events leaves data and chain that verify
//! after a restart.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const PASSWORD: &str = "en lang og god adgangskode";

fn kadence(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kadence"))
        .args(args)
        .env("KADENCE_PASSWORD", PASSWORD)
        .output()
        .expect("runs")
}

fn ok(o: std::process::Output) -> String {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A server process; killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &str, log: &std::path::Path) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_kadence"))
        .args(["serve", "--db", db, "--addr", "127.0.0.1:0"])
        .arg("--security-log")
        .arg(log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    // Owned by the guard from here on, so a failure below still stops the process.
    let mut server = Server {
        child,
        base: String::new(),
    };
    let out = server.child.stdout.take().unwrap();
    let mut reader = BufReader::new(out);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the server stopped"
        );
        if let Some(rest) = line.split("http://").nth(1) {
            server.base = format!("http://{}", rest.split('/').next().unwrap());
            // Keep reading its output in the background so it never blocks on a full pipe.
            std::thread::spawn(move || for _ in reader.lines() {});
            return server;
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn login(c: &reqwest::Client, base: &str, user: &str, password: &str) -> reqwest::StatusCode {
    let page = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let i = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = &page[i..i + page[i..].find('"').unwrap()];
    c.post(format!("{base}/login"))
        .form(&[("username", user), ("password", password), ("csrf", token)])
        .send()
        .await
        .unwrap()
        .status()
}

/// A generated municipality (seed `seed`, 300 courses a year) written to `data` and imported into
/// `db` (as the CLI takes it; `url` as the store opens it), with "lars" as team lead of its first
/// team. Returns the population as stored.
async fn municipality_with_team_lead(
    data: &std::path::Path,
    seed: &str,
    db: &str,
    url: &str,
) -> kadence_core::model::Population {
    ok(kadence(&[
        "generate",
        "--out",
        data.to_str().unwrap(),
        "--seed",
        seed,
        "--forloeb-pr-aar",
        "300",
        "--db",
        db,
    ]));
    let store = kadence_store::Store::open(url).await.unwrap();
    let pop = store.load().await.unwrap().population;
    store.pool().close().await;
    ok(kadence(&[
        "user",
        "add",
        "lars",
        "--navn",
        "Lars Testesen",
        "--rolle",
        "teamleder",
        "--team-id",
        &pop.teams[0].key,
        "--db",
        db,
    ]));
    pop
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgresql_keep_one_chain_shared_sessions_lockouts_and_imports() {
    let Ok(admin) = std::env::var("KADENCE_TEST_POSTGRES_URL") else {
        assert_eq!(
            std::env::var("KADENCE_SKIP_POSTGRES").as_deref(),
            Ok("1"),
            "KADENCE_TEST_POSTGRES_URL is not set: run ./scripts/test, or set KADENCE_SKIP_POSTGRES=1"
        );
        return;
    };
    sqlx::any::install_default_drivers();
    let name = format!("kadence_two_servers_{}", std::process::id());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut conn)
        .await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let dir = kadence_synth::scratch("servers").join("two-servers");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let pop = municipality_with_team_lead(&data, "5", &url, &url).await;
    let store = kadence_store::Store::open(&url).await.unwrap();
    let a = serve(&url, &dir.join("a.jsonl"));
    let b = serve(&url, &dir.join("b.jsonl"));

    // Sessions are shared: logged in on A, the same cookie works on B.
    let c = client();
    assert_eq!(
        login(&c, &a.base, "lars", PASSWORD).await,
        reqwest::StatusCode::SEE_OTHER
    );
    let on_b = c.get(format!("{}/team", b.base)).send().await.unwrap();
    assert_eq!(on_b.status(), reqwest::StatusCode::OK, "A's session on B");

    // Lock-outs are shared: five wrong passwords on A lock the account on B too.
    ok(kadence(&[
        "user",
        "add",
        "mette",
        "--navn",
        "Mette Testesen",
        "--rolle",
        "analytiker",
        "--db",
        &url,
    ]));
    for _ in 0..5 {
        login(&client(), &a.base, "mette", "forkert").await;
    }
    assert_eq!(
        login(&client(), &b.base, "mette", PASSWORD).await,
        reqwest::StatusCode::FORBIDDEN,
        "locked on B after A"
    );

    // Concurrent load on both: eight clients, 25 pages each, alternating servers.
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_event")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let bases = [a.base.clone(), b.base.clone()];
        let c = client();
        assert_eq!(
            login(&c, &bases[i % 2], "lars", PASSWORD).await,
            reqwest::StatusCode::SEE_OTHER
        );
        tasks.push(tokio::spawn(async move {
            let mut served = 0;
            for n in 0..25 {
                let base = &bases[(i + n) % 2];
                let r = c.get(format!("{base}/team")).send().await.unwrap();
                if r.status() == reqwest::StatusCode::OK {
                    served += 1;
                }
            }
            served
        }));
    }
    let mut served = 0;
    for t in tasks {
        served += t.await.unwrap();
    }
    assert_eq!(served, 200, "every page served");
    // Each list page is one event (and the first page of each login is one more).
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_event WHERE action = 'vist i arbejdsliste'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    let seqs: Vec<i64> = sqlx::query_scalar("SELECT seq FROM audit_event ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "one unbroken numbering"
    );
    let after = seqs.len() as i64;
    assert_eq!(
        after - before,
        200,
        "one event per page served, none lost or duplicated ({events} list events in all)"
    );
    let verify = ok(kadence(&["audit", "verify", "--db", &url]));
    assert!(verify.contains("intakt"), "{verify}");

    // An import is picked up by both (each checks every ten seconds).
    let courses = data.join("forloeb.csv");
    let text = std::fs::read(&courses).unwrap();
    let text = String::from_utf8_lossy(&text).into_owned();
    let citizen = &pop.citizens[pop.courses[0].citizen.index()];
    assert!(text.contains(citizen.name.as_str()));
    std::fs::write(
        &courses,
        text.replacen(citizen.name.as_str(), "Ny Importsen", usize::MAX),
    )
    .unwrap();
    ok(kadence(&["import", data.to_str().unwrap(), "--db", &url]));
    let course = &pop.courses[0].key;
    for base in [&a.base, &b.base] {
        let mut seen = false;
        for _ in 0..40 {
            let page = c
                .get(format!("{base}/forloeb/{course}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if page.contains("Importsen") {
                seen = true;
                break;
            }
            // Outside the team: state a purpose once, then look again.
            if page.contains("name=\"formaal\"") {
                let i = page.find("name=\"csrf\" value=\"").unwrap() + 19;
                let token = page[i..i + page[i..].find('"').unwrap()].to_string();
                c.post(format!("{base}/forloeb/{course}/formaal"))
                    .form(&[("csrf", token.as_str()), ("formaal", "kvalitet")])
                    .send()
                    .await
                    .unwrap();
                continue;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        assert!(seen, "{base} picked up the import");
    }
    assert!(ok(kadence(&["audit", "verify", "--db", &url])).contains("intakt"));

    drop((a, b));
    store.pool().close().await;
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Killed (SIGKILL) in the middle of a burst of pages, each committing its audit event: after a
/// restart the database passes SQLite's integrity check, the chain verifies against the head kept
/// beside it, and the restarted server goes on writing the same chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_during_audit_commits_leaves_data_and_chain_that_verify() {
    let dir = kadence_synth::scratch("servers").join("kill-serve");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("kadence.sqlite");
    let dbs = db.to_str().unwrap().to_string();
    municipality_with_team_lead(&dir.join("data"), "3", &dbs, &format!("sqlite://{dbs}")).await;
    let server = serve(&dbs, &dir.join("security.jsonl"));
    let base = server.base.clone();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let c = client();
        assert_eq!(
            login(&c, &base, "lars", PASSWORD).await,
            reqwest::StatusCode::SEE_OTHER
        );
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut served = 0u32;
            // Until the server is gone: every answer is a page or a refused connection.
            while let Ok(r) = c.get(format!("{base}/team")).send().await {
                if r.status() == reqwest::StatusCode::OK {
                    served += 1;
                }
            }
            served
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    drop(server); // SIGKILL, mid-burst
    let mut served = 0;
    for t in tasks {
        served += t.await.unwrap();
    }
    assert!(served > 10, "the burst was under way ({served} pages)");
    // After the crash: the file is whole, and the chain reaches at least the head written.
    let store = kadence_store::Store::open_sqlite(&db).await.unwrap();
    assert_eq!(kadence_store::integrity_check(&store).await.unwrap(), "ok");
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_event")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(
        events >= i64::from(served),
        "every page shown has its event ({events} < {served})"
    );
    store.pool().close().await;
    let verify = ok(kadence(&["audit", "verify", "--db", &dbs]));
    assert!(verify.contains("intakt"), "{verify}");
    // Restarted, the server goes on writing the same chain.
    let server = serve(&dbs, &dir.join("security.jsonl"));
    let c = client();
    assert_eq!(
        login(&c, &server.base, "lars", PASSWORD).await,
        reqwest::StatusCode::SEE_OTHER
    );
    let r = c.get(format!("{}/team", server.base)).send().await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    drop(server);
    assert!(ok(kadence(&["audit", "verify", "--db", &dbs])).contains("intakt"));
    let _ = std::fs::remove_dir_all(&dir);
}
