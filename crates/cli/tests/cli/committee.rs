//! `kadence udvalg` and the committee's figures from Jobindsats (file and API) and targets.

use super::*;

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
