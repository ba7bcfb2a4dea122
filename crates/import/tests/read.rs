//! The reader on real-world-shaped files.

use kadence_core::date::Day;
use kadence_import::{read_files, to_files};
use kadence_synth::{generate, Params};
use proptest::prelude::*;

fn files(list: &[(&str, &[u8])]) -> Vec<(String, Vec<u8>)> {
    list.iter()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect()
}

const COURSES_HEADER: &str = "Forløbs-id;CPR-nr.;Navn;Forløbstype;Første fraværsdag;Ydelsesstart;Målgruppe;Visitationskategori;Slutdato";

fn cpr() -> String {
    kadence_core::cpr::Cpr::synthetic(Day::ymd(1980, 5, 5), 17).reveal()
}

fn courses_csv(rows: &[&str]) -> String {
    let mut s = String::from(COURSES_HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(&r.replace("{cpr}", &cpr()));
    }
    s
}

#[test]
fn round_trip_of_a_generated_municipality() {
    let p = Params::municipality(3, Day::ymd(2025, 6, 30)).with_courses_per_year(300);
    let pop = generate(&p);
    let loaded = read_files(&to_files(&pop)).expect("own output reads back");
    let back = loaded.population;
    assert_eq!(back.courses.len(), pop.courses.len());
    assert_eq!(back.conversation_count(), pop.conversation_count());
    for id in pop.course_ids() {
        let (a, b) = (pop.facts(id), back.facts(id));
        assert_eq!(a.course, b.course);
        assert_eq!(a.conversations, b.conversations);
        assert_eq!(a.standby, b.standby);
        assert_eq!(a.medical, b.medical);
        assert_eq!(a.rehab, b.rehab);
        assert_eq!(
            pop.citizens[a.course.citizen.index()],
            back.citizens[b.course.citizen.index()]
        );
    }
    assert!(loaded
        .files
        .iter()
        .all(|f| f.encoding == kadence_import::text::Encoding::Utf8Bom));
}

#[test]
fn windows_1252_comma_separated_shuffled_columns_and_unknown_column() {
    // Windows-1252 bytes for "Søren Ærø", ',' separator, columns in another order, an unknown column,
    // a trailing separator and an empty line.
    let text = format!(
        "Navn,Forløbstype,CPR-nr.,Forløbs-id,Første fraværsdag,Ydelsesstart,Målgruppe,Afdeling,\n\nSøren Ærø,Sygedagpenge,{},F1,02.01.2023,2023-01-16,Ledig,Syd,\n",
        cpr()
    );
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let loaded = read_files(&files(&[("forløb.csv", &bytes)])).expect("valid");
    let c = &loaded.population.courses[0];
    assert_eq!(loaded.population.citizens[0].name, "Søren Ærø");
    assert_eq!(
        (c.first_absence, c.benefit_start),
        (Day::ymd(2023, 1, 2), Day::ymd(2023, 1, 16))
    );
    assert_eq!(
        loaded.files[0].encoding,
        kadence_import::text::Encoding::Windows1252
    );
    assert_eq!(loaded.files[0].separator, ',');
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.contains("ukendte kolonner") && w.contains("Afdeling")),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn double_decoded_text_is_repaired_with_a_warning() {
    let text =
        courses_csv(&["F1;{cpr};SÃ¸ren MÃ¸ller;Sygedagpenge;02-01-2023;16-01-2023;Ledig;2;"]);
    let loaded = read_files(&files(&[("forloeb.csv", text.as_bytes())])).expect("valid");
    assert_eq!(loaded.population.citizens[0].name, "Søren Møller");
    assert_eq!(loaded.files[0].repaired_lines, vec![2]);
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.contains("dobbelt-kodet") && w.contains(": 2")),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn quoted_fields_with_newlines_and_bom() {
    let text = format!(
        "\u{feff}{}",
        courses_csv(&[
            "F1;{cpr};\"Hansen;\nAnne\";Sygedagpenge;02-01-2023;16-01-2023;Ledig;2;",
            "F2;{cpr};Anne Hansen;Sygedagpenge;02-02-2023;16-02-2023;Ledig;;"
        ])
    );
    let loaded = read_files(&files(&[("forloeb.csv", text.as_bytes())])).expect("valid");
    assert_eq!(loaded.population.courses.len(), 2);
    assert_eq!(loaded.population.citizens.len(), 1, "same CPR, one citizen");
    assert_eq!(loaded.population.citizens[0].name, "Hansen;\nAnne");
}

#[test]
fn every_error_is_located_and_nothing_is_returned() {
    let text = courses_csv(&[
        "F1;{cpr};A;Sygedagpenge;02-01-2023;16-01-2023;Ledig;2;",
        "F1;{cpr};B;Sygedagpenge;02-01-2023;16-01-2023;Ledig;2;", // duplicate key
        "F3;0102031234x;C;Sygedagpenge;02-01-2023;16-01-2023;Ledig;2;", // bad CPR
        "F4;{cpr};D;Sygedagpenge;31-02-2023;16-01-2023;Ledig;2;", // bad date
        "F5;{cpr};E;Sygedagpenge;02-01-2023;16-01-2023;Ledig;2;01-01-2023", // end before start
        "F6;{cpr};F;Sygedagpenge;02-01-2023;16-01-2023;Arbejdsløs?;7;", // bad words
    ]);
    let convs = "Forløbs-id;Dato;Form;Status\nF1;01-02-2023;Fremmøde;Afholdt\nF99;01-02-2023;Fremmøde;Afholdt\n";
    let err = read_files(&files(&[
        ("forloeb.csv", text.as_bytes()),
        ("samtaler.csv", convs.as_bytes()),
    ]))
    .unwrap_err();
    let msgs: Vec<String> = err.errors.iter().map(|e| e.to_string()).collect();
    let has = |needle: &str| msgs.iter().any(|m| m.contains(needle));
    assert!(
        has("forloeb.csv, linje 3, kolonne «Forløbs-id»: værdien «F1»"),
        "{msgs:#?}"
    );
    assert!(
        has("linje 4, kolonne «CPR-nr.»: værdien «010203-xxxx»"),
        "{msgs:#?}"
    );
    assert!(
        has("linje 5, kolonne «Første fraværsdag»: værdien «31-02-2023»"),
        "{msgs:#?}"
    );
    assert!(
        has("linje 6, kolonne «Slutdato»: værdien «01-01-2023»"),
        "{msgs:#?}"
    );
    assert!(has("linje 7, kolonne «Målgruppe»: værdien «Arbejdsløs?» duer ikke; forventet en af: Beskæftiget, Ledig, Selvstændig"), "{msgs:#?}");
    assert!(has("linje 7, kolonne «Visitationskategori»"), "{msgs:#?}");
    assert!(
        has("samtaler.csv, linje 3, kolonne «Forløbs-id»: værdien «F99»"),
        "{msgs:#?}"
    );
    assert_eq!(err.total, msgs.len());
    assert!(!err.to_string().contains(&cpr()[7..]), "CPR never in full");
    assert!(err
        .to_string()
        .starts_with("Importen er afvist; intet er ændret."));
}

#[test]
fn missing_required_column_and_missing_file() {
    let text = "Forløbs-id;Navn\nF1;A\n";
    let err = read_files(&files(&[("forloeb.csv", text.as_bytes())])).unwrap_err();
    assert!(err
        .errors
        .iter()
        .any(|e| e.column.as_deref() == Some("CPR-nr.") && e.line == 1));
    let err = read_files(&files(&[(
        "samtaler.csv",
        b"Forl\xc3\xb8bs-id;Dato;Form;Status\n",
    )]))
    .unwrap_err();
    assert!(err.to_string().contains("filen med forløb mangler"));
}

#[test]
fn errors_are_capped_but_counted() {
    let mut rows = vec![];
    for i in 0..500 {
        rows.push(format!(
            "F{i};{{cpr}};A;Sygedagpenge;xx;16-01-2023;Ledig;2;"
        ));
    }
    let refs: Vec<&str> = rows.iter().map(|s| s.as_str()).collect();
    let err = read_files(&files(&[("forloeb.csv", courses_csv(&refs).as_bytes())])).unwrap_err();
    assert_eq!(err.errors.len(), kadence_import::read::MAX_ERRORS);
    assert_eq!(err.total, 500);
    assert!(err.to_string().contains("og 300 fejl mere"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// No panic on any bytes, in any file.
    #[test]
    fn no_panic_on_arbitrary_bytes(a in proptest::collection::vec(any::<u8>(), 0..400), b in "[A-Za-zæøåÆØÅ0-9;,\\-\\.\" \n]{0,300}") {
        let _ = read_files(&files(&[("forloeb.csv", &a), ("samtaler.csv", b.as_bytes())]));
        let with_header = format!("{COURSES_HEADER}\n{b}");
        let _ = read_files(&files(&[("forloeb.csv", with_header.as_bytes())]));
    }

    #[test]
    fn date_and_cpr_parsers_are_total(s in "\\PC{0,20}") {
        let _ = kadence_import::text::parse_date(&s);
        let _ = kadence_core::cpr::Cpr::parse(&s);
        let _ = kadence_import::text::repair_mojibake(&s);
    }
}
