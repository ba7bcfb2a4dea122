//! `kadence import` into SQLite: read back, refused whole, killed midway.

use super::*;

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
