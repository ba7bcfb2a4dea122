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
    assert_eq!(loaded.files[0].separator, Some(','));
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
        "F2;{cpr};B;Sygedagpenge;02-01-2023;16-01-2023;Ledig;9;", // bad category
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
    // In the file's order, whatever the blocks the rows were parsed in: the duplicate key (found
    // when its row is taken in) between the rows before and after it (found when parsed).
    for rows in 1..=4 {
        let again = kadence_import::read_files_in_blocks(
            &files(&[
                ("forloeb.csv", text.as_bytes()),
                ("samtaler.csv", convs.as_bytes()),
            ]),
            rows,
        )
        .unwrap_err();
        assert_eq!(again, err, "blocks of {rows} rows");
    }
    let lines: Vec<u64> = err
        .errors
        .iter()
        .filter(|e| e.file == "forloeb.csv")
        .map(|e| e.line)
        .collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8, 8], "{msgs:#?}");
    let has = |needle: &str| msgs.iter().any(|m| m.contains(needle));
    assert!(
        has("forloeb.csv, linje 4, kolonne «Forløbs-id»: værdien «F1»"),
        "{msgs:#?}"
    );
    assert!(
        has("linje 5, kolonne «CPR-nr.»: værdien «010203-xxxx»"),
        "{msgs:#?}"
    );
    assert!(
        has("linje 6, kolonne «Første fraværsdag»: værdien «31-02-2023»"),
        "{msgs:#?}"
    );
    assert!(
        has("linje 7, kolonne «Slutdato»: værdien «01-01-2023»"),
        "{msgs:#?}"
    );
    assert!(has("linje 8, kolonne «Målgruppe»: værdien «Arbejdsløs?» duer ikke; forventet en af: Beskæftiget, Ledig, Selvstændig"), "{msgs:#?}");
    assert!(has("linje 8, kolonne «Visitationskategori»"), "{msgs:#?}");
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

/// The reform's columns (lov 1750/2025 § 13 f; the 2027 reduced rate) read into their facts, and
/// bad values are located like every other error.
#[test]
fn the_reform_columns_are_read_and_their_errors_located() {
    let header = "Forløbs-id;CPR-nr.;Navn;Forløbstype;Første fraværsdag;Ydelsesstart;Målgruppe;Forventet rask inden 26 uger registreret;Opfølgning ønsket af;Opfølgning ønsket dato;Kommunen besluttet opfølgning dato;Ledig fra;Nedsat sats fra";
    let good = format!(
        "{header}\nF1;{cpr};A;Sygedagpenge;06-07-2026;05-08-2026;Beskæftiget;08-07-2026;Arbejdsgiver;20-08-2026;;01-09-2026;\nF2;{cpr};B;Sygedagpenge;01-05-2026;15-05-2026;Ledig;;;;02-10-2026;;04-01-2027\n",
        cpr = cpr()
    );
    let pop = read_files(&files(&[("forloeb.csv", good.as_bytes())]))
        .expect("valid")
        .population;
    let r = *pop.courses[0].reform();
    assert_eq!(r.fit_within_26_weeks, Some(Day::ymd(2026, 7, 8)));
    assert_eq!(
        r.follow_up_asked,
        Some(kadence_core::model::FollowUpAsked {
            by: kadence_core::model::Requester::Employer,
            date: Day::ymd(2026, 8, 20)
        })
    );
    assert_eq!(r.unemployed_on, Some(Day::ymd(2026, 9, 1)));
    let r = *pop.courses[1].reform();
    assert_eq!(r.municipality_decided, Some(Day::ymd(2026, 10, 2)));
    assert_eq!(r.reduced_rate_from, Some(Day::ymd(2027, 1, 4)));

    let bad = format!(
        "{header}\nF1;{cpr};A;Sygedagpenge;06-07-2026;05-08-2026;Beskæftiget;30-06-2026;;;;;\nF2;{cpr};B;Sygedagpenge;06-07-2026;05-08-2026;Beskæftiget;;Naboen;20-08-2026;;;\nF3;{cpr};C;Sygedagpenge;06-07-2026;05-08-2026;Beskæftiget;;Borger;;;;\nF4;{cpr};D;Jobafklaring;06-07-2025;05-08-2025;Beskæftiget;;;;;;04-01-2027\nF5;{cpr};E;Sygedagpenge;06-07-2026;05-08-2026;Beskæftiget;;;;31-09-2026;;\n",
        cpr = cpr()
    );
    let err = read_files(&files(&[("forloeb.csv", bad.as_bytes())])).unwrap_err();
    let msgs: Vec<String> = err.errors.iter().map(|e| e.to_string()).collect();
    let has = |needle: &str| msgs.iter().any(|m| m.contains(needle));
    assert!(
        has("linje 2, kolonne «Forventet rask inden 26 uger registreret»: værdien «30-06-2026» duer ikke; forventet en dato på eller efter første fraværsdag 06-07-2026"),
        "{msgs:#?}"
    );
    assert!(
        has("linje 3, kolonne «Opfølgning ønsket af»: værdien «Naboen»"),
        "{msgs:#?}"
    );
    assert!(
        has("linje 4, kolonne «Opfølgning ønsket dato»"),
        "{msgs:#?}"
    );
    assert!(has("linje 5, kolonne «Overgangsdato»"), "{msgs:#?}");
    assert!(
        has("linje 6, kolonne «Kommunen besluttet opfølgning dato»: værdien «31-09-2026»"),
        "{msgs:#?}"
    );
    // The reduced rate belongs to sickness courses only.
    let jc = format!(
        "Forløbs-id;CPR-nr.;Navn;Forløbstype;Første fraværsdag;Ydelsesstart;Overgangsdato;Målgruppe;Nedsat sats fra\nJ1;{};A;Jobafklaring;06-07-2025;05-08-2025;01-06-2026;Ledig;04-01-2027\n",
        cpr()
    );
    let err = read_files(&files(&[("forloeb.csv", jc.as_bytes())])).unwrap_err();
    assert!(
        err.to_string().contains("linje 2, kolonne «Nedsat sats fra»: værdien «04-01-2027» duer ikke; forventet nedsat sats kun på sygedagpengeforløb"),
        "{err}"
    );
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

/// An Excel workbook as a municipality saves it: date cells, a date typed as text, a CPR number stored
/// as a number (leading zero lost), columns in its own order.
fn courses_xlsx() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let headers = [
        "Navn",
        "Forløbs-id",
        "CPR-nr.",
        "Forløbstype",
        "Første fraværsdag",
        "Ydelsesstart",
        "Målgruppe",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // Row 2: real date cells; CPR as text.
    ws.write_string(1, 0, "Åse Ærø").unwrap();
    ws.write_string(1, 1, "X1").unwrap();
    ws.write_string(1, 2, cpr()).unwrap();
    ws.write_string(1, 3, "Sygedagpenge").unwrap();
    ws.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2024, 2, 29).unwrap(), &date)
        .unwrap();
    ws.write_datetime_with_format(1, 5, ExcelDateTime::from_ymd(2024, 3, 30).unwrap(), &date)
        .unwrap();
    ws.write_string(1, 6, "Beskæftiget").unwrap();
    // Row 3: dates typed as text; CPR as a number that lost its leading zero.
    let zero_cpr = kadence_core::cpr::Cpr::synthetic(Day::ymd(1975, 3, 7), 42)
        .reveal()
        .replace('-', "");
    assert!(zero_cpr.starts_with('0'));
    ws.write_string(2, 0, "Bo Holm").unwrap();
    ws.write_string(2, 1, "X2").unwrap();
    ws.write_number(2, 2, zero_cpr.parse::<f64>().unwrap())
        .unwrap();
    ws.write_string(2, 3, "SDP").unwrap();
    ws.write_string(2, 4, "02.01.2023").unwrap();
    ws.write_string(2, 5, "16-01-2023").unwrap();
    ws.write_string(2, 6, "Ledig").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn excel_with_date_cells_text_dates_and_numeric_cpr() {
    let loaded = read_files(&files(&[("forløb.xlsx", &courses_xlsx())])).expect("valid");
    let pop = &loaded.population;
    assert_eq!(pop.courses.len(), 2);
    assert_eq!(
        (pop.courses[0].first_absence, pop.courses[0].benefit_start),
        (Day::ymd(2024, 2, 29), Day::ymd(2024, 3, 30))
    );
    assert_eq!(
        (pop.courses[1].first_absence, pop.courses[1].benefit_start),
        (Day::ymd(2023, 1, 2), Day::ymd(2023, 1, 16))
    );
    assert_eq!(pop.citizens[0].name, "Åse Ærø");
    assert_eq!(pop.citizens[1].cpr.birth_date(), Some(Day::ymd(1975, 3, 7)));
    assert_eq!(
        loaded.files[0].encoding,
        kadence_import::text::Encoding::Xlsx
    );
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.contains("foranstillet 0") && w.contains(": 3")),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn excel_errors_are_located_by_row() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "Forløbs-id",
        "CPR-nr.",
        "Navn",
        "Forløbstype",
        "Første fraværsdag",
        "Ydelsesstart",
        "Målgruppe",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "X1",
        &cpr(),
        "A",
        "Sygedagpenge",
        "30-02-2024",
        "01-03-2024",
        "Ledig",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(4, c as u16, *v).unwrap();
    }
    let err = read_files(&files(&[("forloeb.xlsx", &wb.save_to_buffer().unwrap())])).unwrap_err();
    assert!(
        err.to_string()
            .contains("forloeb.xlsx, linje 5, kolonne «Første fraværsdag»: værdien «30-02-2024»"),
        "{err}"
    );
    let err = read_files(&files(&[("forloeb.xlsx", b"PK\x03\x04 not really a zip")])).unwrap_err();
    assert!(
        err.to_string()
            .contains("en Excel-fil (xlsx), der kan åbnes"),
        "{err}"
    );
}

#[test]
fn mapping_file_maps_a_municipalitys_own_names() {
    let export = format!("Sagsnr;Personnummer;Borgernavn;Type;1. fraværsdato;KSD-dato;Målgruppe\nS-1;{};Anne Hansen;Sygedagpenge;02-01-2023;16-01-2023;Ledig\n", cpr());
    let convs = "Sagsnr;Samtaledato;Form;Status\nS-1;20-02-2023;Fremmøde;Afholdt\n";
    let mapping = "Kadence-fil;Kadence-kolonne;Eksportens navn\n\
        forloeb.csv;;SDP_udtraek.csv\n\
        forloeb.csv;Forløbs-id;Sagsnr\n\
        forloeb.csv;CPR-nr.;Personnummer\n\
        forloeb.csv;Navn;Borgernavn\n\
        forloeb.csv;Forløbstype;Type\n\
        forloeb.csv;Første fraværsdag;1. fraværsdato\n\
        forloeb.csv;Ydelsesstart;KSD-dato\n\
        samtaler;;Samtaler_udtraek.csv\n\
        samtaler.csv;Forløbs-id;Sagsnr\n\
        samtaler.csv;Dato;Samtaledato\n";
    let loaded = read_files(&files(&[
        ("SDP_udtraek.csv", export.as_bytes()),
        ("Samtaler_udtraek.csv", convs.as_bytes()),
        ("kolonnemapping.csv", mapping.as_bytes()),
    ]))
    .expect("mapped export reads");
    assert_eq!(loaded.population.courses[0].key, "S-1");
    assert_eq!(loaded.population.conversation_count(), 1);
    // The export has no registration dates: one warning says so and names the column.
    assert_eq!(
        loaded.warnings,
        ["Registreringsdatoer mangler (Samtaler_udtraek.csv: «Registreringsdato»): dagen, det skete, bruges som registreringsdato, og tal opgjort efter registrering siger det"],
        "{:?}",
        loaded.warnings
    );

    let bad =
        "Kadence-fil;Kadence-kolonne;Eksportens navn\nforloeb.csv;Fødselsdag;X\nborgere.csv;;Y\n";
    let err = read_files(&files(&[
        ("forloeb.csv", courses_csv(&[]).as_bytes()),
        ("kolonnemapping.csv", bad.as_bytes()),
    ]))
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(
            "kolonnemapping.csv, linje 2, kolonne «Kadence-kolonne»: værdien «Fødselsdag»"
        ),
        "{text}"
    );
    assert!(
        text.contains("kolonnemapping.csv, linje 3, kolonne «Kadence-fil»: værdien «borgere.csv»"),
        "{text}"
    );
}

/// The record of an import names every file given (the mapping file and ignored files too) with the
/// size and SHA-256 of the very bytes that were parsed; `read_paths` reads a folder the same way
/// `read_files` reads bytes, one file in memory at a time.
#[test]
fn every_file_read_is_recorded_with_its_digest() {
    let courses = courses_csv(&["F1;{cpr};Søren;Sygedagpenge;02-01-2023;16-01-2023;Ledig;;"]);
    let mapping = "Kadence-fil;Kadence-kolonne;Eksportens navn\nforloeb.csv;Navn;Navn\n";
    let dir = kadence_synth::scratch("import").join("read");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in [
        ("forloeb.csv", courses.as_bytes()),
        ("kolonnemapping.csv", mapping.as_bytes()),
        ("noter.csv", b"".as_slice()),
        ("laes-mig.txt", b"not a csv file, not read".as_slice()),
    ] {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let from_disk = kadence_import::read_paths(&[dir.as_path()]).expect("valid");
    std::fs::remove_dir_all(&dir).unwrap();
    let in_memory = read_files(&files(&[
        ("forloeb.csv", courses.as_bytes()),
        ("noter.csv", b""),
        ("kolonnemapping.csv", mapping.as_bytes()),
    ]))
    .expect("valid");
    // A second file for the same table is not read, but it is recorded and named in a warning.
    let twice = read_files(&files(&[
        ("forloeb.csv", courses.as_bytes()),
        ("forløb.xlsx", b"PK"),
    ]))
    .expect("valid");
    assert_eq!(
        twice.warnings,
        ["forløb.xlsx: ignoreret, da forloeb.csv allerede er læst for samme tabel"]
    );
    assert_eq!(twice.sources.len(), 2);
    for loaded in [&from_disk, &in_memory] {
        let names: Vec<&str> = loaded.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["forloeb.csv", "kolonnemapping.csv", "noter.csv"]);
        assert_eq!(loaded.sources[0].size_bytes, courses.len() as u64);
        assert_eq!(loaded.sources[1].size_bytes, mapping.len() as u64);
        // SHA-256 of no bytes at all, a value anyone can check.
        assert_eq!(
            loaded.sources[2].sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(loaded.sources[0]
            .sha256
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(loaded.sources[0].sha256.len(), 64);
        assert_eq!(loaded.warnings, ["noter.csv: ukendt fil ignoreret"]);
        assert_eq!(loaded.population.courses.len(), 1);
    }
    assert_eq!(from_disk.sources, in_memory.sources);
}

/// Files on disk are read in 64 KiB chunks (`read_paths`), bytes in memory whole (`read_files`): both
/// must give the same population, reports and records, for UTF-8 with a BOM, plain UTF-8 and
/// Windows-1252, in files of several chunks.
#[test]
fn files_read_in_chunks_read_as_bytes_in_memory() {
    let p = Params::municipality(5, Day::ymd(2025, 6, 30)).with_courses_per_year(2000);
    let pop = generate(&p);
    let mut given = to_files(&pop);
    for (name, bytes) in &mut given {
        if name.as_str() == "forloeb.csv" {
            // The case system's other encoding.
            let text = std::str::from_utf8(&bytes[3..]).unwrap().to_string();
            let (enc, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
            assert!(!unmappable);
            *bytes = enc.into_owned();
        } else if name.as_str() == "samtaler.csv" {
            bytes.drain(..3); // UTF-8 without a BOM
        }
    }
    assert!(
        given.iter().any(|(_, b)| b.len() > 3 * 65536),
        "a file spans several chunks"
    );
    let dir = kadence_synth::scratch("import").join("chunks");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in &given {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let from_disk = kadence_import::read_paths(&[dir.as_path()]).expect("valid");
    std::fs::remove_dir_all(&dir).unwrap();
    let in_memory = read_files(&given).expect("valid");
    assert_eq!(from_disk.files, in_memory.files);
    assert_eq!(from_disk.sources, in_memory.sources);
    assert_eq!(from_disk.warnings, in_memory.warnings);
    assert_eq!(
        format!("{:?}", from_disk.population),
        format!("{:?}", in_memory.population)
    );
    let enc = |n: &str| {
        from_disk
            .files
            .iter()
            .find(|f| f.name == n)
            .unwrap()
            .encoding
    };
    use kadence_import::text::Encoding;
    assert_eq!(enc("forloeb.csv"), Encoding::Windows1252);
    assert_eq!(enc("samtaler.csv"), Encoding::Utf8);
    assert_eq!(enc("teams.csv"), Encoding::Utf8Bom);
    assert_eq!(from_disk.population.courses.len(), pop.courses.len());
}

/// Issue 16: the registration dates are read where the export has them, and contradictions are
/// located; an export without them reads as before with one warning naming every missing column.
#[test]
fn registration_dates_are_read_and_their_errors_located() {
    let courses = courses_csv(&["F1;{cpr};Anne;Sygedagpenge;02-01-2023;16-01-2023;Ledig"]);
    let convs = "Forløbs-id;Dato;Form;Status;Registreringsdato\n\
        F1;20-02-2023;Fremmøde;Afholdt;20-02-2023\n\
        F1;10-03-2023;Fremmøde;Afholdt;02-04-2023\n\
        F1;30-03-2023;Telefon;Aflyst;\n";
    let standby = "Forløbs-id;Startdato;Slutdato;Registreringsdato\nF1;01-03-2023;;06-03-2023\n";
    let medical = "Forløbs-id;Blanket;Sendt;Frist;Modtaget;Modtagelse registreret\nF1;LÆ 285;20-01-2023;03-02-2023;01-02-2023;08-02-2023\n";
    let loaded = read_files(&files(&[
        ("forloeb.csv", courses.as_bytes()),
        ("samtaler.csv", convs.as_bytes()),
        ("standby.csv", standby.as_bytes()),
        ("laegeanmodninger.csv", medical.as_bytes()),
    ]))
    .expect("valid");
    let pop = &loaded.population;
    let f = pop.facts(kadence_core::model::CourseId::new(0));
    let regs: Vec<_> = f.conversations.iter().map(|c| c.registered).collect();
    assert_eq!(
        regs,
        [
            Some(Day::ymd(2023, 2, 20)),
            Some(Day::ymd(2023, 4, 2)),
            None
        ]
    );
    assert_eq!(f.conversations[1].registration_lag(), Some(23));
    assert_eq!(f.standby[0].registered, Some(Day::ymd(2023, 3, 6)));
    assert_eq!(f.medical[0].received_registered, Some(Day::ymd(2023, 2, 8)));
    assert!(
        !loaded
            .warnings
            .iter()
            .any(|w| w.contains("Registreringsdato")),
        "{:?}",
        loaded.warnings
    );
    assert_eq!(pop.registration_coverage(), (2, 0));

    // A held conversation registered before it was held, a receipt registered without being
    // received and one registered before it was received, a date that is not one: each located.
    let bad_convs = "Forløbs-id;Dato;Form;Status;Registreringsdato\n\
        F1;20-02-2023;Fremmøde;Afholdt;19-02-2023\n\
        F1;10-03-2023;Fremmøde;Planlagt;01-03-2023\n\
        F1;12-03-2023;Fremmøde;Afholdt;32-03-2023\n";
    let bad_medical = "Forløbs-id;Blanket;Sendt;Frist;Modtaget;Modtagelse registreret\n\
        F1;LÆ 285;20-01-2023;03-02-2023;;08-02-2023\n\
        F1;LÆ 285;20-01-2023;03-02-2023;05-02-2023;04-02-2023\n";
    let err = read_files(&files(&[
        ("forloeb.csv", courses.as_bytes()),
        ("samtaler.csv", bad_convs.as_bytes()),
        ("laegeanmodninger.csv", bad_medical.as_bytes()),
    ]))
    .unwrap_err();
    let msgs: Vec<String> = err.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(msgs.len(), 4, "{msgs:#?}");
    let has = |needle: &str| msgs.iter().any(|m| m.contains(needle));
    assert!(has("samtaler.csv, linje 2, kolonne «Registreringsdato»: værdien «19-02-2023» duer ikke; forventet en registreringsdato på eller efter samtalens dato 20-02-2023"), "{msgs:#?}");
    assert!(
        has("samtaler.csv, linje 4, kolonne «Registreringsdato»: værdien «32-03-2023»"),
        "{msgs:#?}"
    );
    assert!(has("laegeanmodninger.csv, linje 2, kolonne «Modtagelse registreret»: værdien «08-02-2023» duer ikke; forventet en modtaget-dato, når modtagelsen er registreret"), "{msgs:#?}");
    assert!(has("laegeanmodninger.csv, linje 3, kolonne «Modtagelse registreret»: værdien «04-02-2023» duer ikke; forventet en dato på eller efter modtagelsen 05-02-2023"), "{msgs:#?}");

    // Without the columns: as before, one warning naming each file's missing column.
    let plain_convs = "Forløbs-id;Dato;Form;Status\nF1;20-02-2023;Fremmøde;Afholdt\n";
    let plain_standby = "Forløbs-id;Startdato;Slutdato\nF1;01-03-2023;\n";
    let loaded = read_files(&files(&[
        ("forloeb.csv", courses.as_bytes()),
        ("samtaler.csv", plain_convs.as_bytes()),
        ("standby.csv", plain_standby.as_bytes()),
    ]))
    .expect("valid");
    let warned: Vec<_> = loaded
        .warnings
        .iter()
        .filter(|w| w.contains("Registreringsdato"))
        .collect();
    assert_eq!(
        warned,
        ["Registreringsdatoer mangler (samtaler.csv: «Registreringsdato»; standby.csv: «Registreringsdato»): dagen, det skete, bruges som registreringsdato, og tal opgjort efter registrering siger det"]
    );
    assert_eq!(loaded.population.registration_coverage(), (0, 1));
}

/// Issue 15: a byte-order mark that was itself double-decoded ("ï»¿" before the header, a UTF-8
/// file opened as Windows-1252 and saved as UTF-8 again) is repaired, so the first column is found.
#[test]
fn regression_double_decoded_byte_order_mark_hid_the_first_column() {
    let plain = courses_csv(&["F1;{cpr};Anne Hansen;Sygedagpenge;02-01-2023;16-01-2023;Ledig"]);
    // The text as a UTF-8 file decoded as Windows-1252 (with its BOM) and saved as UTF-8.
    let utf8_with_bom = format!("\u{feff}{plain}");
    let (once, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(utf8_with_bom.as_bytes());
    assert!(once.starts_with("ï»¿ForlÃ¸bs-id"), "{once}");
    let loaded = read_files(&files(&[("forloeb.csv", once.as_bytes())])).expect("repaired");
    assert_eq!(loaded.population.courses[0].key, "F1");
    assert_eq!(loaded.population.citizens[0].name, "Anne Hansen");
    // A first column without Danish letters is found too.
    let teams = "ï»¿Team-id;Teamnavn\nT1;Nord\n";
    let loaded = read_files(&files(&[
        ("teams.csv", teams.as_bytes()),
        ("forloeb.csv", plain.as_bytes()),
    ]))
    .expect("repaired");
    assert_eq!(loaded.population.teams[0].key, "T1");
}

/// Issue 15: an .xlsx file in a folder is read like a CSV file (the docs say any table may be a
/// workbook); it was left out of the folder's listing.
#[test]
fn regression_a_workbook_in_a_folder_was_ignored() {
    let dir = kadence_synth::scratch("import").join("xlsx-dir");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("forloeb.xlsx"), courses_xlsx()).unwrap();
    std::fs::write(dir.join("noter.txt"), b"ikke en tabel").unwrap();
    let listed = kadence_import::list_files(&[dir.as_path()]).unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        ["forloeb.xlsx"]
    );
    let loaded = kadence_import::read_paths(&[dir.as_path()]).expect("the workbook reads");
    assert_eq!(loaded.population.courses.len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 15: the facts of a course rejected in forloeb.csv were each reported as pointing at an
/// unknown course ("forventet et forløbs-id fra forloeb.csv") though the id is in that file; now the
/// course's own error stands, and each fact file says once how many rows wait for it.
#[test]
fn regression_facts_of_a_rejected_course_were_reported_as_unknown() {
    let courses = courses_csv(&[
        "F1;{cpr};Anne;Sygedagpenge;31-02-2023;16-01-2023;Ledig",
        "F2;{cpr};Bo;Sygedagpenge;02-01-2023;16-01-2023;Ledig",
    ]);
    let convs = "Forløbs-id;Dato;Form;Status\n\
        F1;20-02-2023;Fremmøde;Afholdt\n\
        F1;20-03-2023;Telefon;Afholdt\n\
        F2;20-02-2023;Fremmøde;Afholdt\n\
        F9;20-02-2023;Fremmøde;Afholdt\n";
    let err = read_files(&files(&[
        ("forloeb.csv", courses.as_bytes()),
        ("samtaler.csv", convs.as_bytes()),
    ]))
    .unwrap_err();
    let msgs: Vec<String> = err.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(msgs.len(), 3, "{msgs:#?}");
    assert!(
        msgs[0]
            .starts_with("forloeb.csv, linje 2, kolonne «Første fraværsdag»: værdien «31-02-2023»"),
        "{msgs:#?}"
    );
    // The unknown course is still located by its row.
    assert!(msgs.iter().any(|m| m == "samtaler.csv, linje 5, kolonne «Forløbs-id»: værdien «F9» duer ikke; forventet et forløbs-id fra forloeb.csv"), "{msgs:#?}");
    assert!(msgs.iter().any(|m| m == "samtaler.csv, kolonne «Forløbs-id»: 2 rækker hører til forløb, der er afvist i forloeb.csv (se fejlene dér), fx F1; de læses, når forløbet er rettet"), "{msgs:#?}");
}

/// Issue 15: one required column missing from the header gave one error per row (2,710 for a
/// municipality's export); it is one error, the header's.
#[test]
fn regression_a_missing_column_gave_one_error_per_row() {
    let mut text = String::from("Forløbs-id;CPR-nr.;Navn;Forløbstype;Første fraværsdag;Målgruppe");
    for i in 0..2710 {
        text.push_str(&format!(
            "\nF{i};{};Anne;Sygedagpenge;02-01-2023;Ledig",
            cpr()
        ));
    }
    let err = read_files(&files(&[("forloeb.csv", text.as_bytes())])).unwrap_err();
    assert_eq!(err.total, 1, "{err}");
    assert_eq!(
        err.errors[0].to_string(),
        "forloeb.csv, linje 1, kolonne «Ydelsesstart»: kolonnen «Ydelsesstart» skal findes i overskriften"
    );
}

/// Issue 15: the error count printed without its thousands separator ("2710 fejl fundet" beside
/// "2.713 rækker læst").
#[test]
fn regression_the_error_count_had_no_thousands_separator() {
    let mut text = String::from(COURSES_HEADER);
    for i in 0..1234 {
        text.push_str(&format!(
            "\nF{i};{};Anne;Sygedagpenge;31-02-2023;16-01-2023;Ledig",
            cpr()
        ));
    }
    let err = read_files(&files(&[("forloeb.csv", text.as_bytes())])).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("1.234 fejl fundet"), "{shown}");
    assert!(shown.contains(&format!(
        "... og {} fejl mere",
        kadence_core::dk::int((1234 - err.errors.len()) as i64)
    )));
}

/// A small municipality's files, made once for the property below.
fn small_export() -> &'static Vec<(String, Vec<u8>)> {
    static FILES: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        let p = Params::municipality(11, Day::ymd(2026, 9, 30)).with_courses_per_year(40);
        to_files(&generate(&p))
    })
}

/// Everything a read gives, as text: the population, the reports, the sources and the warnings,
/// or the errors.
fn outcome(files: &[(String, Vec<u8>)], rows_per_block: usize) -> String {
    match kadence_import::read_files_in_blocks(files, rows_per_block) {
        Ok(l) => format!(
            "{:?}\n{:?}\n{:?}\n{:?}",
            l.population, l.files, l.sources, l.warnings
        ),
        Err(e) => format!("{e:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Rows are parsed in blocks on worker threads and taken in the file's order: the result, and
    /// every error in its place, are the same for blocks of any size, on files damaged the ways
    /// exports are (a row twice or missing, a field wrong or empty, a blank line, a quoted field
    /// with a line break).
    #[test]
    fn blocks_of_any_size_read_alike(
        damage in proptest::collection::vec((0usize..7, any::<u16>(), 0usize..6, 0usize..12), 0..6),
        rows in 1usize..8,
    ) {
        let mut files = small_export().clone();
        for (file, line, kind, field) in damage {
            let n = files.len();
            let (_, bytes) = &mut files[file % n];
            let text = String::from_utf8(bytes.clone()).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let at = 1 + usize::from(line) % (lines.len().max(2) - 1);
            if at >= lines.len() {
                continue;
            }
            let mut cells: Vec<String> = lines[at].split(';').map(str::to_string).collect();
            let cell = field % cells.len();
            match kind {
                0 => lines.insert(at, lines[at].clone()),
                1 => {
                    lines.remove(at);
                }
                2 => cells[cell] = "x7".into(),
                3 => cells[cell].clear(),
                4 => lines.insert(at, String::new()),
                _ => cells[cell] = format!("\"{}\nnæste\"", cells[cell]),
            }
            if (2..4).contains(&kind) || kind == 5 {
                lines[at] = cells.join(";");
            }
            *bytes = lines.join("\n").into_bytes();
        }
        let whole = outcome(&files, usize::MAX);
        prop_assert_eq!(outcome(&files, rows), whole);
    }
}

/// The whole country's export printed 32,897 warnings of one kind, a line per meeting; now the
/// first ten of a kind are given in full and one line counts them all (each course still shows
/// its own on its page).
#[test]
fn regression_a_national_import_printed_a_warning_per_conflicting_meeting() {
    use kadence_core::model::{DiagnosticKind, Lae265Basis, MedicalForm};
    let p = Params::municipality(4, Day::ymd(2026, 9, 30)).with_courses_per_year(800);
    let mut b = generate(&p).into_builder();
    for m in b
        .medical
        .iter_mut()
        .filter(|m| m.form == MedicalForm::Lae265)
    {
        m.received = None;
        m.received_registered = None;
    }
    for r in &mut b.rehab {
        r.basis = Lae265Basis::Present;
    }
    let (pop, diags) = b.build();
    let conflicts = diags
        .iter()
        .filter(|d| d.kind == DiagnosticKind::Lae265Conflict)
        .count();
    assert!(conflicts > 10, "{conflicts}");
    let loaded = read_files(&to_files(&pop)).expect("reads");
    let lae: Vec<&String> = loaded
        .warnings
        .iter()
        .filter(|w| w.contains("LÆ 265"))
        .collect();
    assert_eq!(lae.len(), 11, "{lae:#?}");
    assert!(lae[..10].iter().all(|w| w.starts_with("Forløb ")));
    assert_eq!(
        lae[10],
        &format!(
            "I alt {} rehabiliteringsmøder er registreret med LÆ 265, men LÆ 265 var ikke modtaget inden mødet (forløbet viser «Modstridende data»); de første 10 står ovenfor.",
            kadence_core::dk::int(conflicts as i64)
        )
    );
}
