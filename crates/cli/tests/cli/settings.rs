//! `kadence indstillinger` and what `status` and `measure` say after a change.

use super::*;

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
