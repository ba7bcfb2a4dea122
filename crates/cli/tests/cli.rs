//! The real `kadence` binary, end to end, on a fresh folder per test.

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
    let d = std::env::temp_dir().join(format!("kadence-cli-{name}-{}", std::process::id()));
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

#[test]
fn status_table_and_json() {
    let dir = generated("status");
    let d = dir.to_str().unwrap();
    let o = kadence(&[
        "status",
        "--data",
        d,
        "--as-of",
        "30-06-2025",
        "--limit",
        "5",
    ]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(
        text.starts_with("Aktive forløb pr. 30-06-2025: viser 5 af "),
        "{text}"
    );
    assert!(text.contains("Næste frist"));

    let o = kadence(&[
        "status",
        "--data",
        d,
        "--as-of",
        "2025-06-30",
        "--format",
        "json",
        "--limit",
        "1000",
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["as_of"], "2025-06-30");
    let courses = v["courses"].as_array().unwrap();
    assert!(!courses.is_empty());
    // Most urgent first: days left ascending among courses with a deadline.
    let lefts: Vec<i64> = courses
        .iter()
        .filter_map(|c| c["next_deadline"]["days_left"].as_i64())
        .collect();
    assert!(lefts.windows(2).all(|w| w[0] <= w[1]));
    for c in courses {
        assert!(c["cpr"].as_str().unwrap().ends_with("-xxxx"), "CPR masked");
        for duty in c["duties"].as_array().unwrap() {
            assert!(duty["explanation"]
                .as_str()
                .unwrap()
                .contains(duty["paragraph"].as_str().unwrap()));
        }
    }
    // One course in detail.
    let key = courses[0]["course"].as_str().unwrap();
    let o = kadence(&[
        "status",
        "--data",
        d,
        "--as-of",
        "2025-06-30",
        "--forloeb",
        key,
    ]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(
        text.contains(&format!("Forløb {key}")) && text.contains("regelsæt 2025"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn measure_with_reconciliation() {
    let dir = generated("measure");
    let d = dir.to_str().unwrap();
    let o = kadence(&[
        "measure",
        "--data",
        d,
        "--as-of",
        "2025-06-30",
        "--maal",
        "tidlig",
        "--afstem",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["measure"], "EarlyEffort");
    assert_eq!(v["months"].as_array().unwrap().len(), 12);
    let pooled = &v["pooled"];
    let months_sum: u64 = v["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["denominator"].as_u64().unwrap())
        .sum();
    assert_eq!(pooled["denominator"].as_u64().unwrap(), months_sum);
    let rec = &v["reconciliation"];
    assert_eq!(
        rec["differing_courses"].as_u64().unwrap() as usize,
        rec["differences"].as_array().unwrap().len()
    );
    assert!(rec["differences"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| !d["reasons"].as_array().unwrap().is_empty()));

    let o = kadence(&[
        "measure",
        "--data",
        d,
        "--as-of",
        "2025-06-30",
        "--maal",
        "foerste",
        "--opdelt",
        "team",
    ]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(
        text.contains("1. opfølgning til tiden") && text.contains("Team"),
        "{text}"
    );
    assert!(
        text.contains(" %"),
        "shares with a decimal comma and a percent sign: {text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Figures alone (no `--afstem`) are read from the figures' basis, without personal data; they
/// are the figures the whole population gives (`--afstem` reads it whole), for every measure,
/// split by month, team and caseworker, and for one caseworker's courses.
#[test]
fn figures_alone_are_the_whole_populations_figures() {
    let dir = generated("figures");
    let db = dir.join("k.sqlite");
    let o = kadence(&[
        "import",
        dir.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let measure = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "measure",
            "--db",
            db.to_str().unwrap(),
            "--as-of",
            "2025-06-30",
            "--fra",
            "2024-01",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = kadence(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let worker = {
        let o = measure(&["--maal", "foerste", "--opdelt", "sagsbehandler"]);
        o["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["group"].as_str())
            .find(|g| *g != "Ikke fordelt")
            .unwrap()
            .to_string()
    };
    let mut compared = 0;
    for maal in ["foerste", "tidlig", "fokus2"] {
        for by in ["maaned", "team", "sagsbehandler"] {
            let alone = measure(&["--maal", maal, "--opdelt", by]);
            let whole = measure(&["--maal", maal, "--opdelt", by, "--afstem"]);
            assert!(alone["reconciliation"].is_null());
            assert!(whole["reconciliation"].is_object());
            for part in ["months", "groups", "pooled", "six_month_alerts"] {
                assert_eq!(alone[part], whole[part], "{maal} {by} {part}");
            }
            compared += alone["pooled"]["denominator"].as_u64().unwrap();
        }
    }
    assert!(compared > 0);
    // One caseworker's courses (by the name the split shows, the key looked up in the export).
    let workers = std::fs::read_to_string(dir.join("sagsbehandlere.csv")).unwrap();
    let key = workers
        .lines()
        .find(|l| l.contains(&worker))
        .and_then(|l| l.split(';').next())
        .unwrap()
        .to_string();
    let alone = measure(&["--maal", "foerste", "--sagsbehandler", &key]);
    let whole = measure(&["--maal", "foerste", "--sagsbehandler", &key, "--afstem"]);
    assert_eq!(alone["months"], whole["months"]);
    assert!(alone["pooled"]["denominator"].as_u64().unwrap() > 0);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn exit_codes_and_danish_messages() {
    let missing = fresh_dir("missing");
    let o = kadence(&["status", "--data", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&o.stderr).contains("findes ikke"));

    let bad = fresh_dir("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("forloeb.csv"), "Forløbs-id;CPR-nr.\nF1;123\n").unwrap();
    let o = kadence(&["status", "--data", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("Importen er afvist; intet er ændret") && err.contains("linje 1"),
        "{err}"
    );

    let o = kadence(&[
        "status",
        "--data",
        bad.to_str().unwrap(),
        "--as-of",
        "31-02-2025",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "the command line is checked before the data"
    );
    let dir = generated("usage");
    let o = kadence(&[
        "status",
        "--data",
        dir.to_str().unwrap(),
        "--as-of",
        "31-02-2025",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Datoen «31-02-2025» duer ikke"));
    let o = kadence(&["nonsense"]);
    assert_eq!(o.status.code(), Some(2));
    for d in [missing, bad, dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn import_into_sqlite_then_read_from_the_database() {
    let dir = generated("import");
    let db = dir.join("test.sqlite");
    let (d, dbs) = (dir.to_str().unwrap(), db.to_str().unwrap());
    // Nothing imported yet: a clear message and its own exit code.
    let o = kadence(&["status", "--db", dbs]);
    assert_eq!(o.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Der er ikke importeret data endnu"));

    let o = kadence(&["import", d, "--db", dbs, "--check"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Intet er skrevet"));
    let o = kadence(&["status", "--db", dbs]);
    assert_eq!(o.status.code(), Some(5), "--check writes nothing");

    let o = kadence(&["import", d, "--db", dbs]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    assert!(
        text.starts_with("Import nr. 1 gennemført") && text.contains("0 opdateret, 0 uændrede"),
        "{text}"
    );
    let o = kadence(&["import", d, "--db", dbs]);
    assert!(
        stdout(&o).contains("forløb: 0 nye, 0 opdateret"),
        "the same export again changes nothing"
    );

    // The database and the files give the same answers.
    let from_db = kadence(&[
        "status",
        "--db",
        dbs,
        "--as-of",
        "2025-06-30",
        "--format",
        "json",
        "--limit",
        "100000",
    ]);
    let from_files = kadence(&[
        "status",
        "--data",
        d,
        "--as-of",
        "2025-06-30",
        "--format",
        "json",
        "--limit",
        "100000",
    ]);
    assert!(from_db.status.success());
    assert_eq!(stdout(&from_db), stdout(&from_files));
    assert!(String::from_utf8_lossy(&from_db.stderr).contains("Data fra import nr. 2"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rejected_import_writes_nothing() {
    let dir = generated("reject");
    let db = dir.join("test.sqlite");
    let (d, dbs) = (dir.to_str().unwrap(), db.to_str().unwrap());
    assert!(kadence(&["import", d, "--db", dbs]).status.success());
    // Break one row of the conversations file: the whole import is refused.
    let path = dir.join("samtaler.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen("Afholdt", "Måske", 1);
    std::fs::write(&path, broken).unwrap();
    let o = kadence(&["import", d, "--db", dbs]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("samtaler.csv, linje 2, kolonne «Status»: værdien «Måske»"),
        "{err}"
    );
    let o = kadence(&["status", "--db", dbs, "--format", "json"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Data fra import nr. 1"),
        "still the first import"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// What a killed import must leave as it was: the row counts, SQLite's integrity, the kept
/// snapshot of the population (its rows as stored) and the population version; and whether the
/// next load uses that snapshot and finds it equal to the tables.
#[derive(Debug, PartialEq)]
struct StoreState {
    counts: kadence_store::Counts,
    integrity: String,
    kept: Vec<(i64, i64, Vec<u8>)>,
    population_version: i64,
    kept_equals_tables: bool,
}

fn store_state(db: &std::path::Path) -> StoreState {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Row;
        let store = kadence_store::Store::open_sqlite(db).await.unwrap();
        let kept = sqlx::query(
            "SELECT version, seq, bytes FROM population_snapshot ORDER BY version, seq",
        )
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
        let loaded = store.load().await.unwrap();
        let tables = store.load_from_tables().await.unwrap();
        // Each course with its citizen's CPR number in place of the citizen's index: the order
        // of the citizens' rows is no part of the population (the import writes them in the
        // order of the CPR index).
        let same = |s: &kadence_store::Snapshot| {
            let p = &s.population;
            let mut v: Vec<String> = p
                .all_facts()
                .map(|f| {
                    let cpr = p.citizens[f.course.citizen.index()].cpr.reveal();
                    let course = kadence_core::model::Course {
                        citizen: kadence_core::model::CitizenId::new(0),
                        ..f.course.clone()
                    };
                    format!("{cpr} {course:?} {:?} {:?}", f.conversations, f.standby)
                })
                .collect();
            v.sort();
            v
        };
        let state = StoreState {
            counts: store.counts().await.unwrap(),
            integrity: sqlx_integrity(&store).await,
            kept,
            population_version: store.population_version().await.unwrap(),
            kept_equals_tables: loaded.source == kadence_store::PopulationSource::Kept
                && same(&loaded) == same(&tables),
        };
        store.pool().close().await;
        state
    })
}

/// Starts `kadence import` of `data` into `db` and kills it `after` the first standard-error line
/// that starts with `line`; returns whether it had finished first.
fn kill_import(data: &std::path::Path, db: &str, line: &str, after: u64) -> bool {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_kadence"))
        .args(["import", data.to_str().unwrap(), "--db", db])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    while let Some(Ok(l)) = lines.next() {
        if l.starts_with(line) {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(after));
    let finished_first = child.try_wait().unwrap().is_some();
    child.kill().unwrap();
    let status = child.wait().unwrap();
    finished_first || status.success()
}

/// Kills an import process while it writes: the database and the kept snapshot of the population
/// are unchanged (one import is one transaction, the snapshot written in it), and the next load
/// still reads that snapshot (issue 15).
#[test]
fn killing_an_import_midway_leaves_the_database_unchanged() {
    let small = generated("kill-small");
    let db = small.join("test.sqlite");
    let dbs = db.to_str().unwrap();
    assert!(kadence(&["import", small.to_str().unwrap(), "--db", dbs])
        .status
        .success());
    let before = store_state(&db);
    assert_eq!(before.integrity, "ok");
    assert!(!before.kept.is_empty() && before.kept_equals_tables);

    let big = fresh_dir("kill-big");
    let o = kadence(&[
        "generate",
        "--out",
        big.to_str().unwrap(),
        "--seed",
        "9",
        "--forloeb-pr-aar",
        "40000",
        "--as-of",
        "2025-06-30",
    ]);
    assert!(o.status.success());
    // While the courses are written.
    assert!(
        !kill_import(&big, dbs, "Skriver", 150),
        "the import finished before it could be killed; make the data larger"
    );
    assert_eq!(
        store_state(&db),
        before,
        "a killed import leaves nothing behind"
    );
    // A first import into a new file, written with SQLite's rollback journal (`Store::open`),
    // killed while it writes: the next opening rolls the journal back, and the file is as new.
    let first_dir = fresh_dir("kill-first");
    std::fs::create_dir_all(&first_dir).unwrap();
    let as_new = store_state(&first_dir.join("new.sqlite"));
    let first = first_dir.join("first.sqlite");
    assert!(
        !kill_import(&big, first.to_str().unwrap(), "Skriver", 150),
        "the first import finished before it could be killed; make the data larger"
    );
    assert!(
        first_dir.join("first.sqlite-journal").exists(),
        "the killed first import left its rollback journal"
    );
    assert_eq!(
        store_state(&first),
        as_new,
        "a killed first import leaves a new file"
    );
    let _ = std::fs::remove_dir_all(first_dir);
    // While the snapshot is written (the last step in the transaction): either nothing happened
    // or everything did, and in both cases the snapshot is the population's.
    let finished = kill_import(&big, dbs, "Skriver øjebliksbilledet", 0);
    eprintln!("killed while the snapshot was written: {}", !finished);
    let after = store_state(&db);
    assert_eq!(after.integrity, "ok");
    assert!(
        after.kept_equals_tables,
        "the kept snapshot is the tables' population"
    );
    if finished {
        assert_eq!(after.population_version, before.population_version + 1);
        assert_eq!(after.counts.batches, before.counts.batches + 1);
    } else {
        assert_eq!(after, before, "a killed import leaves nothing behind");
    }
    let _ = std::fs::remove_dir_all(small);
    let _ = std::fs::remove_dir_all(big);
}

async fn sqlx_integrity(store: &kadence_store::Store) -> String {
    kadence_store::integrity_check(store).await.unwrap()
}

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

/// `kadence indstillinger`: a change is a new version with who and why, refused with a located
/// Danish error when bad (exit 3, nothing changed), used by `status` and `measure` on the as-of date
/// and named on their output; a past day keeps the settings of then.
#[test]
fn settings_change_what_status_and_measure_say() {
    let dir = fresh_dir("settings");
    let o = kadence(&[
        "generate",
        "--out",
        dir.to_str().unwrap(),
        "--seed",
        "9",
        "--forloeb-pr-aar",
        "400",
        "--as-of",
        "2027-03-31",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let db = dir.join("s.sqlite");
    let (d, dbs) = (dir.to_str().unwrap(), db.to_str().unwrap());
    assert!(kadence(&["import", d, "--db", dbs]).status.success());
    let json = |as_of: &str| -> serde_json::Value {
        let o = kadence(&[
            "status", "--db", dbs, "--as-of", as_of, "--format", "json", "--limit", "100000",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).expect("json")
    };
    // Before any change: the defaults, and the 2027 duties are provisional with their reason.
    let before = json("2027-03-31");
    assert_eq!(before["settings_version"], 0);
    let duties = || {
        before["courses"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["duties"].as_array().unwrap().clone())
            .collect::<Vec<_>>()
    };
    let provisional: Vec<_> = duties()
        .into_iter()
        .filter(|x| x["provisional"] == true)
        .collect();
    assert!(!provisional.is_empty());
    assert!(provisional.iter().all(|x| x["provisional_reason"]
        .as_str()
        .is_some_and(|r| r.starts_with("Foreløbig: regelsæt"))));
    assert!(duties().iter().any(|x| x["kind"] == "Exemption26"));

    // A bad value: refused, located, nothing saved.
    let o = kadence(&[
        "indstillinger",
        "saet",
        "lokale_maal[1].maaneder",
        "0",
        "--begrundelse",
        "forkert",
        "--db",
        dbs,
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("«lokale_maal[1].maaneder»: skal være mellem 1 og 24, er 0"),
        "{err}"
    );
    // A backdated change is refused too: a past month is never rewritten.
    let o = kadence(&[
        "indstillinger",
        "saet",
        "regler.mindste_antal_2027",
        "1",
        "--begrundelse",
        "x",
        "--fra",
        "2020-01-01",
        "--db",
        dbs,
    ]);
    assert_eq!(o.status.code(), Some(3));

    // Confirm 2027 with a lower minimum, from today.
    for (key, value) in [
        ("regler.mindste_antal_2027", "1"),
        (
            "bekraeftelse.2027",
            "lov nr. 999 af 20. december 2026; 2026-12-20",
        ),
    ] {
        let o = kadence(&[
            "indstillinger",
            "saet",
            key,
            value,
            "--begrundelse",
            "Den vedtagne lov er læst",
            "--af",
            "jurist",
            "--db",
            dbs,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = kadence(&["indstillinger", "historik", "--db", dbs]);
    let text = stdout(&o);
    assert!(
        text.contains("jurist") && text.contains("regler.mindste_antal_2027: 4 → 1"),
        "{text}"
    );
    // The settings in force today are v2; a day before today still has the defaults.
    let today = kadence(&["indstillinger", "vis", "--db", dbs]);
    assert!(
        stdout(&today).contains("indstillinger v2"),
        "{}",
        stdout(&today)
    );
    let past = json("2027-03-31");
    // 2027-03-31 may lie before today (the clock): then the defaults hold; else v2.
    let v = past["settings_version"].as_u64().unwrap();
    let in_force = if v == 2 { 1 } else { 4 };
    let half: Vec<_> = past["courses"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["duties"].as_array().unwrap().clone())
        .filter(|x| x["kind"] == "HalfYearFollowUps" && x["rule_set"] == "2027")
        .collect();
    assert!(!half.is_empty());
    assert!(half.iter().all(|x| x["required"] == in_force), "{v}");
    assert!(half.iter().all(|x| x["provisional"] == (v != 2)));

    // Export, edit, read back.
    let file = dir.join("indstillinger.toml");
    assert!(kadence(&[
        "indstillinger",
        "eksport",
        file.to_str().unwrap(),
        "--db",
        dbs
    ])
    .status
    .success());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("[bekraeftelse.\"2027\"]"), "{text}");
    std::fs::write(
        &file,
        text.replace(
            "halvaar = \"kalendermaaneder\"\n\n# Standby",
            "halvaar = \"182-dage\"\n\n# Standby",
        ),
    )
    .unwrap();
    let o = kadence(&[
        "indstillinger",
        "indlaes",
        file.to_str().unwrap(),
        "--check",
        "--begrundelse",
        "x",
        "--db",
        dbs,
    ]);
    assert!(
        stdout(&o).contains("opfoelgning.halvaar: kalendermaaneder → 182-dage"),
        "{}",
        stdout(&o)
    );
    std::fs::write(&file, "[regler]\nstart_2027 = \"1. januar\"\n").unwrap();
    let o = kadence(&[
        "indstillinger",
        "indlaes",
        file.to_str().unwrap(),
        "--begrundelse",
        "x",
        "--db",
        dbs,
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("linje 2, «regler.start_2027»"));

    // measure names the settings and compares with the municipality's own definition.
    let o = kadence(&[
        "measure",
        "--db",
        dbs,
        "--as-of",
        "2027-03-31",
        "--maal",
        "tidlig",
        "--afstem",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        m["settings_version"].as_u64(),
        Some(v),
        "the same version as status"
    );
    assert_eq!(
        m["reconciliation"]["against"]["name"],
        "Intern (KSD-dato, uden standby)"
    );
    let o = kadence(&[
        "measure",
        "--db",
        dbs,
        "--as-of",
        "2027-03-31",
        "--maal",
        "tidlig",
        "--afstem",
        "--egen",
        "Lovens krav (standby og § 13 f fraregnet)",
        "--format",
        "json",
    ]);
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        m["reconciliation"]["reasons"]["exemption_13f"]
            .as_u64()
            .unwrap()
            > 0,
        "{m}"
    );
    // Focus target 2 after 2025 is history: no target met or missed, a note instead.
    let o = kadence(&[
        "measure",
        "--db",
        dbs,
        "--as-of",
        "2027-03-31",
        "--maal",
        "fokus2",
        "--format",
        "json",
    ]);
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(m["history_note"].as_str().unwrap().contains("historik"));
    assert!(m["months"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["meets_target"].is_null()));
    assert!(m["six_month_alerts"].as_array().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

/// `kadence udvalg`: Kadence's own persons and full-time persons for sickness benefit and job
/// clarification, the same as the core computes, per team adding up to the total.
#[test]
fn committee_figures_for_a_month() {
    let dir = generated("udvalg");
    let d = dir.to_str().unwrap();
    let o = kadence(&[
        "udvalg",
        "--data",
        d,
        "--maaned",
        "2025-05",
        "--as-of",
        "2025-06-30",
        "--pr-team",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["month"].as_str(), v["settings_version"].as_u64()),
        (Some("2025-05"), Some(0))
    );
    let row = |code: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(row("uddannelseshjaelp")["state"], "Active");
    assert_eq!(row("a-dagpenge")["source"], "Missing");
    let sick = row("sygedagpenge");
    let pop = kadence_import::read_paths(&[dir.as_path()])
        .unwrap()
        .population;
    let core = kadence_core::committee::own_figures(
        &pop,
        kadence_core::date::Month::new(2025, 5),
        kadence_core::date::Day::ymd(2025, 6, 30),
        false,
    );
    let s = core.iter().find(|f| f.group == "sygedagpenge").unwrap();
    assert_eq!(sick["persons"].as_f64(), Some(f64::from(s.persons)));
    assert!((sick["full_time"].as_f64().unwrap() - s.full_time_persons).abs() < 1e-9);
    assert!(s.persons > 100);
    // The teams add up to the total.
    let teams: f64 = v["teams"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t[0] == "sygedagpenge")
        .map(|t| t[3].as_f64().unwrap())
        .sum();
    assert!((teams - s.full_time_persons).abs() < 1e-6);
    let o = kadence(&[
        "udvalg",
        "--data",
        d,
        "--maaned",
        "2025-05",
        "--as-of",
        "2025-06-30",
    ]);
    let text = stdout(&o);
    assert!(
        text.starts_with("Ledelsesinformation for maj 2025, pr. 30-06-2025"),
        "{text}"
    );
    assert!(
        text.contains("Kilde: Kadence, egne data pr. 30-06-2025") && text.contains("ikke hentet")
    );
    let o = kadence(&["udvalg", "--data", d, "--maaned", "2025-13"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

/// A Jobindsats download and a targets file go into the database through the CLI, whole or not at
/// all, and `kadence udvalg` shows them with their sources, the traffic light and its rule.
#[test]
fn jobindsats_file_and_targets_reach_the_committee_figures() {
    let dir = generated("udvalg-db");
    let db = dir.join("u.sqlite");
    let dbs = db.to_str().unwrap();
    let o = kadence(&["import", dir.to_str().unwrap(), "--db", dbs]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ji = dir.join("jobindsats_y01a02.csv");
    std::fs::write(
        &ji,
        "\u{feff}Area;Periode;Køn;Antal personer;Antal fuldtidspersoner;Fuldtidspersoner i pct. af arbejdsstyrken 16-66 år;Fuldtidspersoner i pct. af befolkningen 16-66 år\n\
Testby;2025M04;Køn i alt;812;655,4;3,1;2,4\n\
Testby;2025M04;Mænd;400;300;3,0;2,3\n\
Hele landet;2025M04;Køn i alt;90123;80000,5;2,8;2,1\n",
    )
    .unwrap();
    // Another layout is refused, located, and nothing is stored.
    let bad = dir.join("Y07A02.csv");
    std::fs::write(&bad, "Area;Periode;Antal personer\nTestby;april;12\n").unwrap();
    let o = kadence(&["import", bad.to_str().unwrap(), "--db", dbs]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("Y07A02.csv, linje 2, kolonne «Periode»"));
    let o = kadence(&["import", ji.to_str().unwrap(), "--db", dbs]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout(&o).contains("2 månedstal med totaler; 1 række med opdelinger"),
        "{}",
        stdout(&o)
    );
    let targets = dir.join("maal.csv");
    std::fs::write(
        &targets,
        "ydelsesgruppe;type;år;måned;værdi\nA-dagpenge;maal;2025;;600\n",
    )
    .unwrap();
    let o = kadence(&[
        "maal",
        "indlaes",
        targets.to_str().unwrap(),
        "--begrundelse",
        "Budget 2025",
        "--db",
        dbs,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = kadence(&[
        "maal",
        "saet",
        "sygedagpenge",
        "2025",
        "mange",
        "--begrundelse",
        "x",
        "--db",
        dbs,
    ]);
    assert_eq!(o.status.code(), Some(3));
    let o = kadence(&[
        "indstillinger",
        "saet",
        "udvalg.kommune",
        "Testby",
        "--begrundelse",
        "Navnet på Jobindsats",
        "--db",
        dbs,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = kadence(&[
        "udvalg", "--db", dbs, "--maaned", "2025-04", "--format", "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "a-dagpenge")
        .unwrap();
    assert_eq!(a["source"]["Jobindsats"]["table"], "Y01A02");
    assert_eq!(a["full_time"].as_f64(), Some(655.4));
    assert_eq!(a["target"].as_f64(), Some(600.0));
    assert_eq!(a["light"], "Red");
    assert!(v["legend"]
        .as_str()
        .unwrap()
        .contains("Rød: mere end 5 % over"));
    assert!(v["sources"].as_array().unwrap().iter().any(|s| s
        .as_str()
        .unwrap()
        .contains("tabel Y01A02, indlæst fra fil")));
    let o = kadence(&["maal", "vis", "--db", dbs]);
    assert!(stdout(&o).contains("maal.csv"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(dir);
}

/// Every number of the committee page equals the number in its Excel annex and in `kadence
/// udvalg --format json`: the same database read by the CLI and by the web app started on port 0,
/// the page and the annex fetched as an analyst, the annex opened by calamine.
#[tokio::test(flavor = "multi_thread")]
async fn committee_page_annex_and_json_agree() {
    use calamine::{Data, Reader};
    use kadence_core::dk;
    let dir = generated("udvalg-web");
    let db = dir.join("w.sqlite");
    let dbs = db.to_str().unwrap().to_string();
    let run = |args: Vec<String>| {
        let o = Command::new(env!("CARGO_BIN_EXE_kadence"))
            .args(&args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    };
    let s = |x: &str| x.to_string();
    run(vec![
        s("import"),
        dir.to_str().unwrap().into(),
        s("--db"),
        dbs.clone(),
    ]);
    let ji = dir.join("Y01A02.csv");
    let mut csv = String::from("Area;Periode;Køn;Antal personer;Antal fuldtidspersoner;Fuldtidspersoner i pct. af arbejdsstyrken 16-66 år;Fuldtidspersoner i pct. af befolkningen 16-66 år\n");
    for m in 1..=12 {
        for (area, ft) in [
            ("Testby", 600.0 + f64::from(m) * 3.25),
            ("Hele landet", 80_000.0),
        ] {
            for y in [2024, 2025] {
                csv.push_str(&format!(
                    "{area};{y}M{m:02};Køn i alt;{};{};{};2,1\n",
                    ft as i64 + 100,
                    dk::decimal(ft - f64::from(2025 - y) * 20.0, 2).replace('.', ""),
                    dk::decimal(ft / 25_000.0, 1)
                ));
            }
        }
    }
    std::fs::write(&ji, csv).unwrap();
    run(vec![
        s("import"),
        ji.to_str().unwrap().into(),
        s("--db"),
        dbs.clone(),
    ]);
    for (g, v, m) in [
        ("a-dagpenge", "610", None),
        ("sygedagpenge", "35,5", None),
        ("sygedagpenge", "40", Some("3")),
    ] {
        let mut a = vec![
            s("maal"),
            s("saet"),
            s(g),
            s("2025"),
            s(v),
            s("--begrundelse"),
            s("Budget"),
            s("--db"),
            dbs.clone(),
        ];
        if let Some(m) = m {
            a.extend([s("--maaned"), s(m)]);
        }
        run(a);
    }
    run(vec![
        s("indstillinger"),
        s("saet"),
        s("udvalg.kommune"),
        s("Testby"),
        s("--begrundelse"),
        s("Navn"),
        s("--db"),
        dbs.clone(),
    ]);
    let today = kadence_core::date::Day::from_jiff(
        jiff::Zoned::now()
            .with_time_zone(jiff::tz::TimeZone::get("Europe/Copenhagen").unwrap())
            .date(),
    );
    let dato = today.dk().to_string();
    let o = run(vec![
        s("udvalg"),
        s("--db"),
        dbs.clone(),
        s("--maaned"),
        s("2025-05"),
        s("--as-of"),
        today.to_string(),
        s("--format"),
        s("json"),
    ]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    // The web app on the same database.
    let (base, c) = web_as_analyst(&db).await;
    let q = format!("maaned=2025-05&dato={dato}");
    let page = c
        .get(format!("{base}/udvalg?{q}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let bytes = c
        .get(format!("{base}/udvalg/bilag.xlsx?{q}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("Ydelsesgrupper").unwrap();
    let xlsx_row = |label: &str| -> Vec<Data> {
        sheet
            .rows()
            .find(|r| r[0] == Data::String(label.into()))
            .unwrap_or_else(|| panic!("{label} in the annex"))
            .to_vec()
    };
    let num = |d: &Data| match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    };
    let mut checked = 0;
    for row in json["rows"].as_array().unwrap() {
        let label = row["label"].as_str().unwrap();
        let x = xlsx_row(label);
        // Page row: from its header cell to the end of the row.
        let at = page
            .find(&format!("<th scope=\"row\">{label}"))
            .unwrap_or_else(|| panic!("{label} on the page"));
        let html = &page[at..at + page[at..].find("</tr>").unwrap()];
        for (field, col, decimals) in [
            ("persons", 2, 0),
            ("full_time", 3, 1),
            ("last_year_full_time", 4, 1),
            ("ytd_average", 6, 1),
            ("target", 8, 1),
        ] {
            let j = row[field].as_f64();
            let xv = num(&x[col]);
            match (j, xv) {
                (Some(a), Some(b)) => {
                    assert!((a - b).abs() < 1e-9, "{label} {field}: JSON {a}, xlsx {b}")
                }
                (None, None) => {}
                other => panic!("{label} {field}: JSON and xlsx differ: {other:?}"),
            }
            if let Some(a) = j {
                assert!(
                    html.contains(&dk::decimal(a, decimals)),
                    "{label} {field} {a} on the page: {html}"
                );
                checked += 1;
            }
        }
        let light = row["light"].as_str().map(|l| match l {
            "Green" => "Grøn",
            "Yellow" => "Gul",
            _ => "Rød",
        });
        let xl = match &x[11] {
            Data::String(s) => s.as_str(),
            _ => "",
        };
        assert_eq!(xl, light.unwrap_or(""), "{label} light");
        if let Some(l) = light {
            assert!(html.contains(l));
        }
    }
    assert!(checked >= 8, "{checked} numbers checked");
    let a = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "a-dagpenge")
        .unwrap();
    assert_eq!(a["full_time"].as_f64(), Some(616.25));
    // The duration bands: JSON, annex and page.
    let d = book.worksheet_range("Varighed").unwrap();
    for (i, band) in json["durations"]["now"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let n = band["courses"].as_u64().unwrap();
        assert_eq!(num(&d.rows().nth(i + 1).unwrap()[1]), Some(n as f64));
        assert!(page.contains(&format!(
            "<th scope=\"row\">{}</th><td class=\"num\">{}</td>",
            band["label"].as_str().unwrap(),
            dk::int(n as i64)
        )));
    }
    // The follow-up block: every month's counts in JSON, annex (sheet "Opfølgning", columns
    // n, d per figure) and page (the same "50,0 % (2 af 4)" text), and the bridge's steps.
    let f = book.worksheet_range("Opfølgning").unwrap();
    let months = json["follow_up"]["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let mut measured = 0;
    for m in months {
        let code = m["month"].as_str().unwrap().to_string();
        let x = f
            .rows()
            .find(|r| r[0] == Data::String(code.clone()))
            .unwrap_or_else(|| panic!("{code} in the annex"));
        for (field, col) in [
            ("early_official", 1),
            ("early_own", 4),
            ("first_official", 8),
            ("first_own", 10),
        ] {
            let (n, d) = (
                m[field]["numerator"].as_u64().unwrap(),
                m[field]["denominator"].as_u64().unwrap(),
            );
            assert_eq!(
                (num(&x[col]), num(&x[col + 1])),
                (Some(n as f64), Some(d as f64)),
                "{code} {field}"
            );
            if d > 0 {
                let text = format!(
                    "{} % ({} af {})",
                    dk::decimal(n as f64 / d as f64 * 100.0, 1),
                    dk::int(n as i64),
                    dk::int(d as i64)
                );
                assert!(page.contains(&text), "{code} {field} {text} on the page");
                measured += 1;
            }
        }
    }
    assert!(
        measured >= 12,
        "{measured} follow-up figures with someone measured"
    );
    for step in json["follow_up"]["bridge_year"]["steps"]
        .as_array()
        .unwrap()
    {
        let reason = step["reason"].as_str().unwrap();
        let points = step["points"].as_f64().unwrap();
        let x = f
            .rows()
            .rfind(|r| r[0] == Data::String(reason.into()))
            .unwrap_or_else(|| panic!("{reason} in the annex"));
        assert!((num(&x[3]).unwrap() - points).abs() < 1e-9, "{reason}");
        assert!(
            page.contains(&format!("{} procentpoint", dk::signed(points, 1))),
            "{reason} on the page"
        );
    }
    // The month's registration lag per team (issue 16): JSON, the annex's rows under the
    // follow-up and the page's table carry the same counts.
    let reg = &json["follow_up"]["registration"];
    let total = &reg["total"];
    let (registered, late) = (
        total["registered"].as_u64().unwrap(),
        total["late"].as_u64().unwrap(),
    );
    assert!(registered > 0 && late > 0, "{reg}");
    let x = f
        .rows()
        .rfind(|r| r[0] == Data::String("I alt".into()))
        .expect("the lag's total in the annex");
    assert_eq!(
        (num(&x[1]), num(&x[2])),
        (Some(registered as f64), Some(late as f64))
    );
    assert!(page.contains(&format!(
        "<th scope=\"row\">I alt</th><td class=\"num\">{}</td><td class=\"num\">{}</td>",
        dk::int(registered as i64),
        dk::int(late as i64)
    )));
    for team in reg["rows"].as_array().unwrap() {
        let label = team["label"].as_str().unwrap();
        if team["registered"].as_u64() == Some(0) {
            continue;
        }
        assert!(
            f.rows().any(|r| r[0] == Data::String(label.into())),
            "{label} in the annex"
        );
        assert!(page.contains(&format!("<th scope=\"row\">{label}</th>")));
    }
    assert!(page.contains(
        "blev registreret senere end kommunens regel (samme dag, som samtalen er holdt)"
    ));
    // The month-end forecast: its counts in JSON, the annex's sheet "Prognose" and the page.
    let p = book.worksheet_range("Prognose").unwrap();
    for (i, field) in ["met", "met_if_booked_held", "can_still_be_met", "lost"]
        .iter()
        .enumerate()
    {
        let n = json["forecast"][field].as_u64().unwrap();
        let row: Vec<Data> = p.rows().nth(i + 1).unwrap().to_vec();
        assert_eq!(num(&row[1]), Some(n as f64), "{field}");
        let label = match &row[0] {
            Data::String(s) => s.clone(),
            _ => panic!(),
        };
        assert!(
            page.contains(&format!(
                "<th scope=\"row\">{label}</th><td class=\"num\">{}</td>",
                dk::int(n as i64)
            )),
            "{field} on the page"
        );
    }
    // No names or CPR numbers on the page.
    let pop = kadence_import::read_paths(&[dir.as_path()])
        .unwrap()
        .population;
    assert!(pop
        .citizens
        .iter()
        .take(50)
        .all(|c| !page.contains(c.name.as_str())));
    let _ = std::fs::remove_dir_all(dir);
}

/// `kadence jobindsats hent` against a local server answering with the recorded v3 answers: the
/// areas come from the committee settings, the token from a file (never printed), the figures
/// reach `kadence udvalg` with the catalogue's dates; a rejected key stores nothing.
#[test]
fn jobindsats_api_fetch_reaches_the_committee_figures() {
    use kadence_jobindsats::testing::{status, FixtureServer, Routes};
    const SECRET: &str = "cli-secret-41d2";
    let dir = generated("jobindsats-api");
    let db = dir.join("j.sqlite");
    let dbs = db.to_str().unwrap();
    let o = kadence(&["import", dir.to_str().unwrap(), "--db", dbs]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let key = dir.join("noegle.txt");
    std::fs::write(&key, format!("{SECRET}\n")).unwrap();
    let server = FixtureServer::start(Routes::standard());
    let hent = |base: &str, extra: &[&str]| {
        let mut args = vec!["jobindsats", "hent", "--adresse", base, "--db", dbs];
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_kadence"))
            .args(&args)
            .env_remove("KADENCE_JOBINDSATS_NOEGLE")
            .output()
            .unwrap();
        let all = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
        assert!(!all.contains(SECRET), "the token was printed: {all}");
        (o.status.code(), all)
    };
    let keyfile = ["--noegle-fil", key.to_str().unwrap()];
    let tables = ["--tabel", "Y07A02", "--tabel", "y01a02"];

    let (code, out) = hent(&server.base(), &keyfile);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("udvalg.kommune er ikke sat"), "{out}");
    for (k, v) in [
        ("udvalg.kommune", "Syntetisk Kommune"),
        ("udvalg.rar_omraade", "RAR Syntetisk"),
        ("udvalg.sammenlign_med", "Naboby"),
    ] {
        let o = kadence(&[
            "indstillinger",
            "saet",
            k,
            v,
            "--begrundelse",
            "Navne som i Jobindsats",
            "--db",
            dbs,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (code, out) = hent(&server.base(), &tables);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("ingen API-nøgle"), "{out}");
    let (code, out) = hent(
        &server.base(),
        &[&keyfile[..], &tables[..], &["--tabel", "Y99A99"]].concat(),
    );
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("Tabel «Y99A99» hører ikke til en ydelsesgruppe"),
        "{out}"
    );
    assert!(
        server.routes.seen().is_empty(),
        "nothing asked before the command line is right"
    );

    let (code, out) = hent(&server.base(), &[&keyfile[..], &tables[..]].concat());
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("[1/2] Y07A02:") && out.contains("[2/2] Y01A02:"),
        "{out}"
    );
    assert!(out.contains("2 tabeller fra Jobindsats er gemt"), "{out}");
    let seen = server.routes.seen();
    assert_eq!(seen.len(), 5);
    assert!(seen
        .iter()
        .all(|s| s.authorization == format!("Bearer {SECRET}")));
    let areas = &seen[2]
        .query
        .iter()
        .find(|(k, _)| k == "hierarchy._nykom")
        .unwrap()
        .1;
    assert_eq!(
        areas, "/9/901/,/9/,/,/9/902/",
        "kommune, RAR, hele landet, Naboby"
    );

    let o = kadence(&[
        "udvalg", "--db", dbs, "--maaned", "2026-10", "--format", "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "a-dagpenge")
        .unwrap();
    assert_eq!(a["source"]["Jobindsats"]["table"], "Y01A02");
    assert_eq!(a["persons"].as_f64(), Some(771.0));
    assert_eq!(a["full_time"].as_f64(), Some(696.0));
    assert_eq!(
        a["provisional_month"], true,
        "October is the newest month fetched"
    );
    let sources: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert!(
        sources.iter().any(|s| s.contains("tabel Y07A02, hentet")
            && s.contains("opdateret af Jobindsats 20-11-2026; næste opdatering 18-12-2026")),
        "{sources:?}"
    );

    // A rejected key: a clear Danish error, exit 3, and the stored figures stay as they were.
    let rejecting = FixtureServer::start(Routes::default().on("tables", status(401, "{}")));
    let (code, out) = hent(&rejecting.base(), &[&keyfile[..], &tables[..]].concat());
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains("Jobindsats afviste API-nøglen (HTTP 401)"),
        "{out}"
    );
    let o2 = kadence(&[
        "udvalg", "--db", dbs, "--maaned", "2026-10", "--format", "json",
    ]);
    assert_eq!(o.stdout, o2.stdout);
    let _ = std::fs::remove_dir_all(dir);
}

/// `kadence dagsorden`: the recovery-plan status item in both shipped profiles, in the seeds'
/// order; its month table holds the same figures as `kadence udvalg`; an own profile with an
/// unknown content key is refused with its line; no citizen's name or CPR number is in the item.
#[test]
fn agenda_item_from_the_figures_in_either_profile() {
    let dir = generated("dagsorden");
    let db = dir.join("d.sqlite");
    let dbs = db.to_str().unwrap();
    let o = kadence(&["import", dir.to_str().unwrap(), "--db", dbs]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json = |args: &[&str]| -> serde_json::Value {
        let o = kadence(args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let base = [
        "--db",
        dbs,
        "--as-of",
        "2025-06-30",
        "--maaned",
        "2025-05",
        "--format",
        "json",
    ];
    let headings = |v: &serde_json::Value| -> Vec<String> {
        v["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["heading"].as_str().unwrap().to_string())
            .collect()
    };
    let v = json(&[&["dagsorden", "--profil", "vesthimmerland"], &base[..]].concat());
    assert_eq!(
        headings(&v),
        [
            "Resume",
            "Baggrund",
            "Forventet konsekvens",
            "Organisering og kommunikation",
            "Lovgrundlag",
            "Økonomi",
            "Procesplan",
            "Sagen afgøres i",
            "Administrationen indstiller",
            "Beslutning",
            "Bilag"
        ]
    );
    let h = json(&[&["dagsorden", "--profil", "hedensted"], &base[..]].concat());
    assert_eq!(headings(&h)[0], "Beslutningstema");
    assert_eq!(headings(&h)[7], "Forvaltningen indstiller");
    // The month table equals the committee report's follow-up block.
    let u = json(&[&["udvalg"], &base[..]].concat());
    let table = v["sections"][1]["tables"][0]["rows"].as_array().unwrap();
    let months = u["follow_up"]["months"].as_array().unwrap();
    assert_eq!(table.len(), months.len());
    for (row, m) in table.iter().zip(months) {
        for (col, field) in [(1, "early_official"), (2, "early_own")] {
            let (n, d) = (
                m[field]["numerator"].as_u64().unwrap(),
                m[field]["denominator"].as_u64().unwrap(),
            );
            let cell = row[col].as_str().unwrap();
            if d == 0 {
                assert_eq!(cell, "-");
            } else {
                assert!(
                    cell.ends_with(&format!("({n} af {d})")),
                    "{cell} vs {n}/{d}"
                );
            }
        }
    }
    let summary = v["sections"][0]["paragraphs"][0].as_str().unwrap();
    let last = months.last().unwrap();
    let (n, d) = (
        last["early_official"]["numerator"].as_u64().unwrap(),
        last["early_official"]["denominator"].as_u64().unwrap(),
    );
    assert!(summary.contains(&format!("({n} af {d})")), "{summary}");
    // The figures name the month's registration lag as the committee's follow-up block counts it
    // (issue 16).
    let reg = &u["follow_up"]["registration"]["total"];
    let said = format!(
        "{} af {} afholdte samtaler",
        kadence_core::dk::int(reg["late"].as_i64().unwrap()),
        kadence_core::dk::int(reg["registered"].as_i64().unwrap())
    );
    let text = v.to_string();
    assert!(
        text.contains(&format!("Registrering af samtaler i maj 2025: {said}")),
        "{said} in the agenda item"
    );
    // An own profile: read, and refused with a located Danish error when a key is unknown.
    let own = dir.join("vores.txt");
    std::fs::write(&own, "Sagsfremstilling = tal\nIndstilling = indstilling\n").unwrap();
    let mine = json(&[&["dagsorden", "--profil", own.to_str().unwrap()], &base[..]].concat());
    assert_eq!(headings(&mine), ["Sagsfremstilling", "Indstilling"]);
    std::fs::write(
        &own,
        "Sagsfremstilling = tal\nØkonomien = penge\nIndstilling = indstilling\n",
    )
    .unwrap();
    let o = kadence(&[&["dagsorden", "--profil", own.to_str().unwrap()], &base[..]].concat());
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("linje 2: indholdsnøglen «penge» findes ikke"),
        "{err}"
    );
    // No citizen's name or CPR number in the item.
    let o = kadence(&[
        "dagsorden",
        "--db",
        dbs,
        "--as-of",
        "2025-06-30",
        "--maaned",
        "2025-05",
    ]);
    let text = stdout(&o);
    let pop = kadence_import::read_paths(&[dir.as_path()])
        .unwrap()
        .population;
    for c in &pop.citizens {
        assert!(!text.contains(c.name.as_str()), "a name in the item");
        assert!(!text.contains(&c.cpr.masked()), "a CPR number in the item");
    }
    let _ = std::fs::remove_dir_all(dir);
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

/// The text of a .docx's body, read with the zip reader (not the library that wrote it): the
/// content of every `w:t` run, paragraphs on their own lines.
fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("the document part")
        .read_to_string(&mut xml)
        .unwrap();
    let mut out = String::new();
    for para in xml.split("</w:p>") {
        for run in para.split("<w:t").skip(1) {
            let Some(start) = run.find('>') else { continue };
            let body = &run[start + 1..];
            if let Some(end) = body.find("</w:t>") {
                out.push_str(
                    &body[..end]
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&apos;", "'")
                        .replace("&amp;", "&"),
                );
            }
        }
        out.push('\n');
    }
    out
}

/// The agenda item of every kind in both profiles: the page's Word document and HTML file are the
/// bytes `kadence dagsorden --ud` writes, the same request twice gives the same bytes, every
/// heading, paragraph and table cell of the draft is in the document, and the numbers in it are
/// those of the pages "Udvalg" and "Fokusmål" for the same date.
#[tokio::test(flavor = "multi_thread")]
async fn agenda_documents_from_page_and_cli_are_the_same_and_hold_the_pages_numbers() {
    let dir = generated("dagsorden-web");
    let db = dir.join("w.sqlite");
    let dbs = db.to_str().unwrap();
    for args in [
        vec!["import", dir.to_str().unwrap(), "--db", dbs],
        vec![
            "maal",
            "saet",
            "sygedagpenge",
            "2025",
            "35,5",
            "--begrundelse",
            "Budget",
            "--db",
            dbs,
        ],
    ] {
        let o = kadence(&args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let (base, c) = web_as_analyst(&db).await;
    let get = |path: String| {
        let c = c.clone();
        async move {
            let r = c.get(path).send().await.unwrap();
            assert_eq!(r.status(), reqwest::StatusCode::OK, "{}", r.url());
            r.bytes().await.unwrap().to_vec()
        }
    };
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    let udvalg = text(get(format!("{base}/udvalg?maaned=2025-05&dato=30-06-2025")).await);
    let fokus = text(get(format!("{base}/fokusmaal?maal=foerste&dato=30-06-2025")).await);
    let out = dir.join("ud");
    for kind in ["ledelsesinformation", "tidlig-indsats", "fristoverholdelse"] {
        for profile in ["vesthimmerland", "hedensted"] {
            let o = kadence(&[
                "dagsorden",
                "--db",
                dbs,
                "--punkt",
                kind,
                "--profil",
                profile,
                "--maaned",
                "2025-05",
                "--as-of",
                "2025-06-30",
                "--moede",
                "15-06-2025",
                "--ud",
                out.to_str().unwrap(),
                "--format",
                "json",
            ]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let draft: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let stem = format!("dagsordenspunkt-{kind}-2025-05");
            let q = format!(
                "punkt={kind}&maaned=2025-05&dato=30-06-2025&profil={profile}&moede=15-06-2025"
            );
            let docx = get(format!("{base}/dagsordenspunkt/punkt.docx?{q}")).await;
            assert_eq!(
                docx,
                std::fs::read(out.join(format!("{stem}.docx"))).unwrap(),
                "{kind} {profile}: page and CLI give the same .docx"
            );
            assert_eq!(
                docx,
                get(format!("{base}/dagsordenspunkt/punkt.docx?{q}")).await,
                "{kind} {profile}: the same request, the same bytes"
            );
            let html = get(format!("{base}/dagsordenspunkt/punkt.html?{q}")).await;
            assert_eq!(
                html,
                std::fs::read(out.join(format!("{stem}.html"))).unwrap()
            );
            let annex = get(format!("{base}/dagsordenspunkt/bilag.xlsx?{q}")).await;
            let mut book =
                calamine::open_workbook_auto_from_rs(std::io::Cursor::new(annex)).unwrap();
            assert!(calamine::Reader::worksheet_range(&mut book, "Opfølgning").is_ok());
            let page = text(get(format!("{base}/dagsordenspunkt?{q}")).await);
            let body = docx_text(&docx);
            // The page header is its own part.
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
            let mut header = String::new();
            std::io::Read::read_to_string(
                &mut zip.by_name("word/header1.xml").unwrap(),
                &mut header,
            )
            .unwrap();
            assert!(
                // (The name setting cannot be back-dated to the as-of date: the default name.)
                header.contains("Kommunen · Beskæftigelsesudvalget · Møde 15-06-2025"),
                "{header}"
            );
            for s in draft["sections"].as_array().unwrap() {
                let heading = s["heading"].as_str().unwrap();
                assert!(
                    body.lines().any(|l| l == heading),
                    "{kind} {profile}: {heading}"
                );
                assert!(
                    page.contains(&format!(">{heading}</h3>")),
                    "{heading} on the page"
                );
                for p in s["paragraphs"].as_array().unwrap() {
                    assert!(body.contains(p.as_str().unwrap()), "{kind}: paragraph {p}");
                }
                for t in s["tables"].as_array().unwrap() {
                    for row in t["rows"].as_array().unwrap() {
                        for cell in row.as_array().unwrap() {
                            assert!(
                                body.lines().any(|l| l == cell.as_str().unwrap()),
                                "{kind}: cell {cell}"
                            );
                        }
                    }
                }
            }
            // The numbers equal the pages': Udvalg's follow-up block and groups, Fokusmål's
            // first follow-up by month.
            let tables = |content: &str| -> Vec<serde_json::Value> {
                draft["sections"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|s| s["content"] == content)
                    .flat_map(|s| s["tables"].as_array().unwrap().clone())
                    .collect()
            };
            let figures = tables("Figures");
            assert!(
                !figures.is_empty(),
                "{kind}: the figures section has its tables"
            );
            match kind {
                "tidlig-indsats" => {
                    for row in figures[0]["rows"].as_array().unwrap() {
                        for cell in &row.as_array().unwrap()[1..3] {
                            let cell = cell.as_str().unwrap();
                            assert!(cell == "-" || udvalg.contains(cell), "{cell} on Udvalg");
                        }
                    }
                }
                "ledelsesinformation" => {
                    for row in figures[0]["rows"].as_array().unwrap() {
                        let row = row.as_array().unwrap();
                        let label = row[0].as_str().unwrap();
                        let at = udvalg.find(&format!("<th scope=\"row\">{label}")).unwrap();
                        let tr = &udvalg[at..at + udvalg[at..].find("</tr>").unwrap()];
                        // Full-time persons, the same month last year, the change, the target:
                        // as the page writes them.
                        for (cell, col) in [(&row[1], 2), (&row[2], 3), (&row[3], 4), (&row[4], 6)]
                        {
                            let v = cell.as_str().unwrap();
                            let td = tr.split("<td").nth(col).unwrap_or("");
                            assert!(
                                v == "-" || td.contains(&format!(">{v}<")),
                                "{label} {v} on Udvalg: {tr}"
                            );
                        }
                    }
                }
                _ => {
                    let total = figures[0]["rows"].as_array().unwrap().last().unwrap();
                    let total = total.as_array().unwrap();
                    assert_eq!(total[0], "I alt");
                    let row = format!(
                        "<th scope=\"row\">maj 2025</th><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                        total[2].as_str().unwrap(),
                        total[1].as_str().unwrap()
                    );
                    assert!(fokus.contains(&row), "{row} on Fokusmål");
                    for row in figures[1]["rows"].as_array().unwrap() {
                        let cell = row[1].as_str().unwrap();
                        assert!(cell == "-" || udvalg.contains(cell), "{cell} on Udvalg");
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// No citizen's name or CPR number in any item of any kind, in any of its forms, from a
/// population whose names and team names are hostile (markup, quotes, placeholders); the team
/// names the deadlines item shows are escaped in the HTML.
#[test]
fn no_name_or_cpr_in_any_agenda_item_with_hostile_names() {
    let dir = generated("dagsorden-fjendtlig");
    let hostile = [
        "<script>alert(1)</script>",
        "Ærø \"Ø\" & 'Å'",
        "{{kommune}} {{bilag}}",
        "Robert'); DROP TABLE borger;--",
    ];
    // Rename every citizen and team in the export before the import.
    for (file, column) in [("forloeb.csv", "Navn"), ("teams.csv", "Teamnavn")] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let head = lines.next().unwrap();
        let col = head
            .trim_start_matches('\u{feff}')
            .split(';')
            .position(|c| c == column)
            .unwrap();
        let mut out = format!("{head}\n");
        for (i, l) in lines.enumerate() {
            let mut cells: Vec<String> = l.split(';').map(str::to_string).collect();
            let what = if column == "Navn" { "Borger" } else { "Team" };
            cells[col] = format!("{} {what} {i}", hostile[i % hostile.len()]).replace(';', ",");
            out.push_str(&format!("{}\n", cells.join(";")));
        }
        std::fs::write(&path, out).unwrap();
    }
    let db = dir.join("f.sqlite");
    let dbs = db.to_str().unwrap();
    let o = kadence(&["import", dir.to_str().unwrap(), "--db", dbs]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pop = kadence_import::read_paths(&[dir.as_path()])
        .unwrap()
        .population;
    assert!(pop.citizens.iter().any(|c| c.name.starts_with("<script>")));
    let out = dir.join("ud");
    for kind in ["ledelsesinformation", "tidlig-indsats", "fristoverholdelse"] {
        let o = kadence(&[
            "dagsorden",
            "--db",
            dbs,
            "--punkt",
            kind,
            "--maaned",
            "2025-05",
            "--as-of",
            "2025-06-30",
            "--ud",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let stem = format!("dagsordenspunkt-{kind}-2025-05");
        let docx = docx_text(&std::fs::read(out.join(format!("{stem}.docx"))).unwrap());
        let html = std::fs::read_to_string(out.join(format!("{stem}.html"))).unwrap();
        let printed = stdout(&o);
        for (form, text) in [("docx", &docx), ("html", &html), ("text", &printed)] {
            for c in &pop.citizens {
                assert!(!text.contains(c.name.as_str()), "{kind} {form}: a name");
                assert!(
                    !text.contains(&c.cpr.masked()),
                    "{kind} {form}: a CPR number"
                );
                assert!(
                    !text.contains(&c.cpr.to_string()),
                    "{kind} {form}: a CPR number"
                );
            }
        }
        assert!(!html.contains("<script>alert"), "{kind}: unescaped markup");
        if kind == "fristoverholdelse" {
            // The teams are named in the item, escaped in the HTML, as they are in Word.
            assert!(
                html.contains("&#60;script&#62;alert(1)&#60;/script&#62; Team 0"),
                "{kind}: a team escaped"
            );
            assert!(
                docx.contains("<script>alert(1)</script>"),
                "{kind}: a team in Word's text"
            );
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The municipality's own texts and profile saved in its settings (the file `kadence indstillinger
/// indlaes` reads, as the settings page does): the item uses them; a text with a placeholder the
/// kind lacks is refused when the file is read, with its key and line, and nothing is saved.
#[test]
fn own_agenda_texts_and_profile_from_the_settings() {
    let dir = generated("dagsorden-egne");
    let db = dir.join("e.sqlite");
    let dbs = db.to_str().unwrap();
    let o = kadence(&["import", dir.to_str().unwrap(), "--db", dbs]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = dir.join("egne.toml");
    let good = "[[dagsorden_profiler]]\nnavn = \"vores\"\nafsnit = '''\nSagen kort = resume\nTallene = tal\nVi indstiller = indstilling\n'''\n\n[[dagsorden_tekster]]\npunkt = \"tidlig-indsats\"\nindhold = \"resume\"\ntekst = '''\nI {{maaned}} havde {{tidlig_andel_star}} af forløbene fire samtaler.\nMålet er {{maal}}.'''\n";
    let bad = good.replace("{{maal}}", "{{maalet}}");
    std::fs::write(&file, &bad).unwrap();
    let o = kadence(&[
        "indstillinger",
        "indlaes",
        file.to_str().unwrap(),
        "--begrundelse",
        "Egne tekster",
        "--db",
        dbs,
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("dagsorden_tekster[1].tekst") && err.contains("«{{maalet}}» findes ikke"),
        "{err}"
    );
    std::fs::write(&file, good).unwrap();
    let o = kadence(&[
        "indstillinger",
        "indlaes",
        file.to_str().unwrap(),
        "--begrundelse",
        "Egne tekster",
        "--db",
        dbs,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // (Settings apply from the day they are saved: the item is asked for as of today.)
    let o = kadence(&[
        "dagsorden",
        "--db",
        dbs,
        "--punkt",
        "tidlig-indsats",
        "--profil",
        "vores",
        "--maaned",
        "2025-05",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let headings: Vec<&str> = v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["heading"].as_str().unwrap())
        .collect();
    assert_eq!(headings, ["Sagen kort", "Tallene", "Vi indstiller"]);
    let summary = &v["sections"][0]["paragraphs"];
    assert!(
        summary[0]
            .as_str()
            .unwrap()
            .starts_with("I maj 2025 havde ")
            && summary[0]
                .as_str()
                .unwrap()
                .ends_with("af forløbene fire samtaler."),
        "{summary}"
    );
    assert_eq!(summary[1], "Målet er 80 %.");
    let _ = std::fs::remove_dir_all(dir);
}
