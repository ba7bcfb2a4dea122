//! The real `kadence` binary, end to end, on a fresh folder per test: one test binary, a module
//! per area, the helpers here.

use std::path::PathBuf;
use std::process::{Command, Output};

fn kadence(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kadence"))
        .args(args)
        .output()
        .expect("runs")
}

/// Runs kadence with `input` on its standard input.
fn kadence_with_input(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kadence"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().expect("runs")
}

fn fresh_dir(name: &str) -> PathBuf {
    let d = kadence_synth::scratch("cli").join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn generated(name: &str) -> PathBuf {
    let dir = fresh_dir(name);
    let o = kadence(&[
        "generate",
        "--out",
        dir.to_str().unwrap(),
        "--seed",
        "5",
        "--forloeb-pr-aar",
        "400",
        "--as-of",
        "2025-06-30",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("Syntetisk kommune dannet"));
    dir
}

async fn sqlx_integrity(store: &kadence_store::Store) -> String {
    kadence_store::integrity_check(store).await.unwrap()
}

/// Logs in as a new analyst on a web app started on the database `db` (port 0), returning the
/// base address and the logged-in client.
async fn web_as_analyst(db: &std::path::Path) -> (String, reqwest::Client) {
    use std::sync::Arc;
    let store = kadence_store::Store::open_sqlite(db).await.unwrap();
    store
        .add_user(
            &kadence_store::access::NewUser {
                username: "anna".into(),
                display_name: "Anna Analytiker".into(),
                role: kadence_store::access::Role::Analyst,
                caseworker_key: None,
                team_key: None,
            },
            "en lang adgangskode til test",
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    let snap = store.load().await.unwrap();
    let state = kadence_web::AppState::new(
        store.clone(),
        Arc::new(kadence_store::SnapshotCell::new(snap)),
        Arc::new(jiff::Timestamp::now),
        kadence_web::Config::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(kadence_web::serve(listener, Arc::new(state)));
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let i = login.find("name=\"csrf\" value=\"").unwrap() + 19;
    let token = &login[i..i + login[i..].find('"').unwrap()];
    let res = c
        .post(format!("{base}/login"))
        .form(&[
            ("username", "anna"),
            ("password", "en lang adgangskode til test"),
            ("csrf", token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    (base, c)
}

mod agenda;
mod audit;
mod committee;
mod import;
mod settings;
mod status;
