//! `kadence dagsorden`: the agenda item and its documents.

use super::*;

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
