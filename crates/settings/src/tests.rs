use super::*;
use kadence_core::date::Day;
use kadence_core::measures::ExemptTreatment;
use kadence_core::rules::AfterExemption;
use kadence_core::settings::HalfYear;

fn defaults() -> MunicipalSettings {
    MunicipalSettings::default()
}

#[test]
fn the_file_round_trips() {
    let mut s = defaults();
    s.rules.minimum_2026_07 = 1;
    s.rules.after_exemption = AfterExemption::NormalDuties;
    s.rules.confirmed_2026_07 = Some(Confirmation {
        law: "lov nr. 1750 af 29. december 2025".into(),
        date: Day::ymd(2025, 12, 29),
    });
    s.duties.half_year = HalfYear::Days182;
    s.definitions[1].exempt = ExemptTreatment::CountAsUsual;
    let text = to_toml(&s);
    assert_eq!(
        from_toml(&text, &defaults()).expect("reads back"),
        s,
        "{text}"
    );
    assert_eq!(
        from_toml(&to_toml(&defaults()), &defaults()).unwrap(),
        defaults()
    );
    // Every setting is in the file with its label.
    for spec in registry::specs() {
        assert!(text.contains(spec.label), "{}", spec.key);
    }
}

#[test]
fn a_partial_file_changes_only_what_it_names() {
    let s = from_toml("[regler]\nmindste_antal_2027 = 1\n", &defaults()).unwrap();
    assert_eq!(s.rules.minimum_2027, 1);
    assert_eq!(
        MunicipalSettings {
            rules: kadence_core::rules::RuleParams {
                minimum_2027: 4,
                ..s.rules.clone()
            },
            ..s.clone()
        },
        defaults()
    );
}

/// Bad input gets a located Danish error and changes nothing (issue: a month count of 0, a minimum
/// above the maximum, an unknown rule set, a date that does not parse).
#[test]
fn bad_settings_are_located_and_change_nothing() {
    let cases: &[(&str, &str, Option<usize>, &str)] = &[
        (
            "[[lokale_maal]]\nnavn = \"4 inden 5\"\nsamtaler = 4\nmaaneder = 0\n",
            "lokale_maal[1].maaneder",
            Some(4),
            "skal være mellem 1 og 24, er 0",
        ),
        (
            "[opfoelgning]\nmindste_afstand_dage = 40\n\n[regler]\nmindste_antal_2027 = 6\n",
            "regler.mindste_antal_2027",
            Some(5),
            "mere, end mindste afstand på 40 dage tillader",
        ),
        (
            "[bekraeftelse.\"2028\"]\nlov = \"lov nr. 1 af 1. januar 2028\"\ndato = 2028-01-01\n",
            "bekraeftelse.\"2028\"",
            Some(1),
            "ukendt regelsæt «2028»",
        ),
        (
            "[regler]\nstart_2027 = \"31-02-2027\"\n",
            "regler.start_2027",
            Some(2),
            "er ikke en dato",
        ),
        (
            "[regler]\nefter_fritagelse = \"snart\"\n",
            "regler.efter_fritagelse",
            Some(2),
            "vælg en af: efter-aftale-og-behov, almindelige-regler",
        ),
        (
            "[regler]\nstart_2028 = 2028-01-01\n",
            "regler.start_2028",
            Some(2),
            "ukendt indstilling",
        ),
        (
            "[regler]\nstart_2026_07 = 2026-07-01\nstart_2027 = 2026-06-01\n",
            "regler.start_2027",
            Some(3),
            "skal starte efter regelsæt 2026-07",
        ),
    ];
    for (text, key, line, needle) in cases {
        let err = from_toml(text, &defaults()).expect_err(text);
        let e = err
            .0
            .iter()
            .find(|e| e.key.as_deref() == Some(*key))
            .unwrap_or_else(|| panic!("{key} in {err}"));
        assert_eq!(e.line, *line, "{err}");
        assert!(e.message.contains(needle), "{err}");
        assert!(err
            .to_string()
            .starts_with("Indstillingerne er afvist; intet er ændret."));
    }
    let err = from_toml("[regler\n", &defaults()).unwrap_err();
    assert_eq!(err.0[0].line, Some(1), "{err}");
    assert!(err.0[0]
        .message
        .starts_with("filen kan ikke læses som TOML"));
}

#[test]
fn one_key_at_a_time() {
    let s = set(&defaults(), "regler.mindste_antal_2026_07", "1").unwrap();
    assert_eq!(s.rules.minimum_2026_07, 1);
    let s = set(&s, "lokale_maal[2].navn", "2 inden 8 uger").unwrap();
    let s = set(&s, "lokale_maal[2].maaneder", "2").unwrap();
    assert_eq!(s.duties.local_targets.len(), 2);
    assert_eq!(s.duties.local_targets[1].months, 2);
    let s = set(&s, "lokale_maal[1]", "slet").unwrap();
    assert_eq!(&*s.duties.local_targets[0].name, "2 inden 8 uger");
    let s = set(
        &s,
        "bekraeftelse.2027",
        "lov nr. 999 af 20. december 2026; 2026-12-20",
    )
    .unwrap();
    assert_eq!(
        s.rules.confirmed_2027.as_ref().unwrap().date,
        Day::ymd(2026, 12, 20)
    );
    let s = set(&s, "bekraeftelse.2027", "slet").unwrap();
    assert!(s.rules.confirmed_2027.is_none());
    for (key, value, needle) in [
        ("lokale_maal[1].maaneder", "0", "mellem 1 og 24"),
        ("lokale_maal[5].navn", "x", "findes ikke"),
        ("bekraeftelse.2029", "lov; 2029-01-01", "ukendt regelsæt"),
        ("regler.start_2026_07", "1. juli", "ikke en dato"),
        ("regler.ingenting", "1", "ukendt indstilling"),
    ] {
        let err = set(&defaults(), key, value).expect_err(key);
        assert!(err.to_string().contains(needle), "{key}: {err}");
    }
}

#[test]
fn changes_name_every_changed_key() {
    let a = defaults();
    let b = set(&a, "regler.mindste_antal_2027", "2").unwrap();
    assert_eq!(
        changes(&a, &b),
        vec!["regler.mindste_antal_2027: 4 → 2".to_string()]
    );
    assert!(changes(&a, &a).is_empty());
}

/// docs/settings.md documents every key the file knows.
#[test]
fn every_key_is_documented() {
    let doc = include_str!("../../../docs/settings.md");
    for spec in registry::specs() {
        let name = spec.key.split_once('.').map_or(spec.key, |x| x.1);
        assert!(
            doc.contains(&format!("`{name}`")),
            "{} in docs/settings.md",
            spec.key
        );
    }
    for f in registry::local_target_fields() {
        assert!(doc.contains(&format!("`{}`", f.field)), "{}", f.field);
    }
    for f in registry::definition_fields() {
        assert!(doc.contains(&format!("`{}`", f.field)), "{}", f.field);
    }
}

/// The agenda's own texts and profiles: written to the file and read back the same, edited by key,
/// and a text with a placeholder its kind lacks refused with its key and line.
#[test]
fn agenda_texts_and_profiles_in_the_file() {
    let file = "[[dagsorden_profiler]]\nnavn = \"vores\"\nafsnit = '''\nSagen = tal\nIndstilling = indstilling\n'''\n[[dagsorden_tekster]]\npunkt = \"tidlig-indsats\"\nindhold = \"resume\"\ntekst = '''\nStatus for {{maaned}}.\nAndelen er {{tidlig_andel_star}}.'''\n";
    let s = from_toml(file, &MunicipalSettings::default()).unwrap();
    assert_eq!(s.agenda.profiles[0].name, "vores");
    assert_eq!(
        s.agenda.texts(kadence_core::agenda::Kind::EarlyEffort)
            [&kadence_core::agenda::Content::Summary],
        "Status for {{maaned}}.\nAndelen er {{tidlig_andel_star}}."
    );
    assert_eq!(s.agenda.profile("vores").unwrap().sections.len(), 2);
    let back = from_toml(&to_toml(&s), &MunicipalSettings::default()).unwrap();
    assert_eq!(back, s, "read as written");
    let s2 = set(&s, "dagsorden_tekster[2].punkt", "fristoverholdelse").unwrap_err();
    assert!(s2.to_string().contains("indhold"), "{s2}");
    let bad = file.replace("{{tidlig_andel_star}}", "{{andel}}");
    let e = from_toml(&bad, &MunicipalSettings::default()).unwrap_err();
    assert_eq!(
        e.0[0].key.as_deref(),
        Some("dagsorden_tekster[1].tekst"),
        "{e}"
    );
    assert!(e.0[0].message.contains("«{{andel}}» findes ikke"), "{e}");
    assert_eq!(e.0[0].line, Some(10), "{e}");
    let changes = changes(&MunicipalSettings::default(), &s);
    assert!(
        changes
            .iter()
            .any(|c| c.starts_with("dagsorden_profiler[1].navn: (ny) vores")),
        "{changes:?}"
    );
}
