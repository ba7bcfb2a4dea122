//! The `status`, `measure` and exit-code behaviour of the binary.

use super::*;

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
