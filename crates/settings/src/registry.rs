//! Every setting, once: its key in the file, its Danish label, what each alternative changes, and how
//! it is read and written. The file (`file.rs`), `kadence indstillinger` and the settings page all
//! work from these tables, so a setting cannot exist in one and not the others.

use kadence_core::agenda::{OwnProfile, OwnText};
use kadence_core::date::Day;
use kadence_core::measures::{Definition, ExemptTreatment};
use kadence_core::municipal::{limits, MunicipalSettings};
use kadence_core::rules::{
    AfterExemption, Categories2027, Marking2025, RuleParams, RunningJobClarification,
};
use kadence_core::settings::{
    AsOfReading, Category1Reading, ClockStart, DeadlineDrivers, HalfYear, LocalTarget,
    StandbyHandling,
};

/// One alternative of a choice: the word in the file, its Danish label, and what it changes.
pub struct Choice {
    pub word: &'static str,
    pub label: &'static str,
    pub effect: &'static str,
}

/// What kind of value a setting takes.
pub enum Kind {
    Choice(&'static [Choice]),
    Int { min: i64, max: i64 },
    Date,
    Text,
}

/// A setting of the file's scalar sections (`[opfoelgning]`, `[regler]`).
pub struct Spec {
    /// "opfoelgning.halvaar".
    pub key: &'static str,
    pub label: &'static str,
    /// What it changes, the default and why (Danish).
    pub help: &'static str,
    pub kind: Kind,
    pub get: fn(&MunicipalSettings) -> String,
    pub set: fn(&mut MunicipalSettings, &str) -> Result<(), String>,
}

/// A field of a list entry (`[[lokale_maal]]`, `[[definitioner]]`).
pub struct Field<T> {
    pub field: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub get: fn(&T) -> String,
    pub set: fn(&mut T, &str) -> Result<(), String>,
}

/// The sections, in the file's order, with their Danish headings.
pub const SECTIONS: &[(&str, &str)] = &[
    (
        "opfoelgning",
        "Opfølgning: læsninger og kommunens egne regler",
    ),
    (
        "regler",
        "Regelsæt 2026-07 og 2027: det, loven endnu ikke har bekræftet",
    ),
    (
        "udvalg",
        "Udvalgets tal: kommunen på Jobindsats, sammenligninger, trafiklys og varighed",
    ),
    ("fagsystem", "Fagsystemet: link fra Kadence til sagen"),
];

pub const HALF_YEAR: &[Choice] = &[
    Choice {
        word: "kalendermaaneder",
        label: "Kalendermåneder (standard)",
        effect: "Halvåret slutter dagen før samme dato seks måneder senere (2. jan. → 1. jul.; 1. mar. → 31. aug.); findes datoen ikke, den sidste dag i måneden (31. aug. → 28./29. feb.).",
    },
    Choice {
        word: "182-dage",
        label: "182 dage",
        effect: "Halvåret er dag 1 til dag 182; fristen kan ligge op til tre dage fra kalenderlæsningen.",
    },
];

pub const STANDBY: &[Choice] = &[
    Choice {
        word: "uret-staar-stille",
        label: "Uret står stille (standard)",
        effect: "Fristerne rykkes med dagene i standby; en åben standby sætter pligten i bero.",
    },
    Choice {
        word: "udelad",
        label: "Udelad forløbet",
        effect: "En pligt, hvis vindue rører en standby-periode, gælder ikke.",
    },
    Choice {
        word: "taeller-med",
        label: "Tæller som sædvanligt",
        effect: "Standby ændrer ingen frister.",
    },
];

pub const CATEGORY1: &[Choice] = &[
    Choice {
        word: "efter-uge-8",
        label: "Når fraværet passerer 8 uger (standard)",
        effect: "Pligten efter § 13 a opstår på dag 57 og skal opfyldes inden for det antal dage efter uge 8, der står nedenfor; kun en samtale holdt fra dag 57 tæller.",
    },
    Choice {
        word: "som-kategori-2",
        label: "Som kategori 2 fra dag 1",
        effect: "Et kategori 1-forløb, der passerer 8 uger, læses som kategori 2 fra dag 1: fristen er udgangen af uge 8, og enhver samtale fra dag 1 tæller.",
    },
];

pub const NEXT_DEADLINE: &[Choice] = &[
    Choice {
        word: "lovkrav",
        label: "Lovens frister (standard)",
        effect: "«Næste frist» og rækkefølgen på arbejdslisterne følger lovens frister; lokale mål og lægernes frister vises som hændelser.",
    },
    Choice {
        word: "lovkrav-og-lokale-maal",
        label: "Lovens frister og de lokale mål",
        effect: "Et lokalt mål, der udløber før lovens næste frist, bliver «Næste frist» og styrer rækkefølgen; det står som lokalt mål i rækken.",
    },
    Choice {
        word: "lovkrav-lokale-maal-og-laegeattester",
        label: "Lovens frister, de lokale mål og lægeattesterne",
        effect: "Som ovenfor, og en lægeattest over frist sorterer efter, hvor længe den har været over frist.",
    },
];

pub const CLOCK: &[Choice] = &[
    Choice {
        word: "foerste-fravaersdag",
        label: "Første fraværsdag (standard)",
        effect: "Lovens og STAR's ur.",
    },
    Choice {
        word: "ydelsesstart",
        label: "Ydelsesstart (KSD-dato)",
        effect: "Det ur, Vesthimmerlands gamle opgørelse brugte; giver for sene frister.",
    },
];

pub const MARKING_2025: &[Choice] = &[
    Choice {
        word: "beholdes-til-enden",
        label: "Beholder 2025-reglen til enden (standard)",
        effect: "Et forløb markeret efter § 13 f (2025) før starten følger 13-ugersreglen til den udløber.",
    },
    Choice {
        word: "ophoerer-ved-start",
        label: "Ophører ved starten",
        effect: "2025-markeringen ophører på startdagen; derefter gælder 2026-reglen, hvis forventningen om raskmelding inden 26 uger er registreret, ellers de almindelige regler.",
    },
];

pub const AFTER_EXEMPTION: &[Choice] = &[
    Choice {
        word: "efter-aftale-og-behov",
        label: "Efter aftale og behov (standard)",
        effect: "Når fritagelsen ophører, fordi borgeren bliver ledig eller ikke er rask ved udgangen af uge 26, følges der op efter § 13 b, stk. 1, 3.-8. pkt.: ingen frist for 1. samtale og intet krav om antal samtaler i første halvår.",
    },
    Choice {
        word: "almindelige-regler",
        label: "De almindelige regler",
        effect: "De almindelige pligter gælder, som efter en anmodning: fristen i uge 8 fra første fraværsdag, eller det antal dage efter ophøret, der står nedenfor, hvis uge 8 er passeret.",
    },
];

pub const CATEGORIES_2027: &[Choice] = &[
    Choice {
        word: "bevar-kategori-2",
        label: "Bevar kategori 2-kravet (standard)",
        effect: "Kategori 1-forløb har fortsat § 13 a-pligten i stedet for § 13 b.",
    },
    Choice {
        word: "ingen-kategorier",
        label: "Ingen kategorier",
        effect: "Alle forløb har § 13 b-pligterne fra 2027.",
    },
];

pub const RUNNING_JC: &[Choice] = &[
    Choice {
        word: "hidtidige-regler-til-enden",
        label: "De hidtidige regler til forløbets afslutning (standard)",
        effect: "Jobafklaringsforløb i gang ved starten følger de gamle regler til deres afslutning (som for ressourceforløb, bek. 58/2026 § 1, stk. 3).",
    },
    Choice {
        word: "ophoerer-ved-start",
        label: "Pligterne ophører ved starten",
        effect: "Pligter i jobafklaringsforløb, der forfalder fra starten, findes ikke i reglerne.",
    },
];

pub const EXEMPT: &[Choice] = &[
    Choice {
        word: "taeller-med",
        label: "Tæller med (som STAR's offentliggjorte model)",
        effect: "Forløb fritaget efter § 13 f (2026) tælles efter den almindelige frist og det almindelige halvår.",
    },
    Choice {
        word: "udelades",
        label: "Udelades (som loven kræver)",
        effect: "Forløb, som § 13 f fritager for pligten, tælles ikke med.",
    },
];

pub const READING: &[Choice] = &[
    Choice {
        word: "afholdt",
        label: "Afholdt senest på opgørelsesdagen (standard for egne definitioner)",
        effect: "En samtale tæller fra den dag, den blev holdt, uanset hvornår den blev registreret: tallet viser, hvad der blev gjort.",
    },
    Choice {
        word: "registreret",
        label: "Registreret senest på opgørelsesdagen (som STAR's tal)",
        effect: "En samtale tæller først fra den dag, den blev registreret: en samtale holdt 10. marts og registreret 2. april findes ikke i et tal opgjort 31. marts. Mangler eksporten registreringsdatoer, bruges dagen, samtalen blev holdt.",
    },
];

fn word<T: Copy + PartialEq>(all: &[(T, &'static str)], v: T) -> String {
    all.iter()
        .find(|(x, _)| *x == v)
        .map_or(String::new(), |(_, w)| (*w).to_string())
}

fn parse_word<T: Copy>(
    all: &[(T, &'static str)],
    choices: &[Choice],
    s: &str,
) -> Result<T, String> {
    let s = s.trim().to_lowercase();
    all.iter()
        .find(|(_, w)| *w == s)
        .map(|(v, _)| *v)
        .ok_or_else(|| {
            format!(
                "«{s}» er ikke en mulighed; vælg en af: {}",
                choices
                    .iter()
                    .map(|c| c.word)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

const HALF_YEAR_WORDS: &[(HalfYear, &str)] = &[
    (HalfYear::CalendarMonths, "kalendermaaneder"),
    (HalfYear::Days182, "182-dage"),
];
const STANDBY_WORDS: &[(StandbyHandling, &str)] = &[
    (StandbyHandling::PauseClock, "uret-staar-stille"),
    (StandbyHandling::Exclude, "udelad"),
    (StandbyHandling::CountAsUsual, "taeller-med"),
];
const NEXT_WORDS: &[(DeadlineDrivers, &str)] = &[
    (DeadlineDrivers::Legal, "lovkrav"),
    (DeadlineDrivers::LegalAndLocal, "lovkrav-og-lokale-maal"),
    (
        DeadlineDrivers::LegalLocalAndMedical,
        "lovkrav-lokale-maal-og-laegeattester",
    ),
];
const CLOCK_WORDS: &[(ClockStart, &str)] = &[
    (ClockStart::FirstAbsence, "foerste-fravaersdag"),
    (ClockStart::BenefitStart, "ydelsesstart"),
];
const MARKING_WORDS: &[(Marking2025, &str)] = &[
    (Marking2025::KeepToEnd, "beholdes-til-enden"),
    (Marking2025::EndsAtStart, "ophoerer-ved-start"),
];
const AFTER_WORDS: &[(AfterExemption, &str)] = &[
    (AfterExemption::AsAgreed, "efter-aftale-og-behov"),
    (AfterExemption::NormalDuties, "almindelige-regler"),
];
const CATEGORIES_WORDS: &[(Categories2027, &str)] = &[
    (Categories2027::KeepCategory2, "bevar-kategori-2"),
    (Categories2027::NoFilter, "ingen-kategorier"),
];
const RUNNING_WORDS: &[(RunningJobClarification, &str)] = &[
    (
        RunningJobClarification::OldRulesToEnd,
        "hidtidige-regler-til-enden",
    ),
    (RunningJobClarification::EndAtStart, "ophoerer-ved-start"),
];
const READING_WORDS: &[(AsOfReading, &str)] = &[
    (AsOfReading::Happened, "afholdt"),
    (AsOfReading::Known, "registreret"),
];
const EXEMPT_WORDS: &[(ExemptTreatment, &str)] = &[
    (ExemptTreatment::CountAsUsual, "taeller-med"),
    (ExemptTreatment::Exclude, "udelades"),
];

/// An integer within limits.
fn int<T: TryFrom<i64>>(s: &str, (lo, hi): (i64, i64)) -> Result<T, String> {
    let n: i64 = s
        .trim()
        .parse()
        .map_err(|_| format!("«{}» er ikke et helt tal", s.trim()))?;
    if n < lo || n > hi {
        return Err(format!("skal være mellem {lo} og {hi}, er {n}"));
    }
    T::try_from(n).map_err(|_| format!("skal være mellem {lo} og {hi}, er {n}"))
}

/// A date as `åååå-mm-dd` or `dd-mm-åååå`.
pub fn date(s: &str) -> Result<Day, String> {
    let t = s.trim();
    Day::parse_iso(t)
        .or_else(|| {
            let b = t.as_bytes();
            (b.len() == 10 && b[2] == b'-' && b[5] == b'-')
                .then(|| Day::parse_iso(&format!("{}-{}-{}", &t[6..10], &t[3..5], &t[0..2])))
                .flatten()
        })
        .ok_or_else(|| format!("«{t}» er ikke en dato som åååå-mm-dd eller dd-mm-åååå"))
}

fn lim<T: Into<i64>>((a, b): (T, T)) -> (i64, i64) {
    (a.into(), b.into())
}

/// The scalar settings, in the file's order.
pub fn specs() -> &'static [Spec] {
    SPECS
}

static SPECS: &[Spec] = &[
        Spec {
            key: "opfoelgning.halvaar",
            label: "Læsning af «inden for det første halve år»",
            help: "Gælder pligten til samtaler i første halvår, de lokale mål og jobafklaringens 6 måneder.",
            kind: Kind::Choice(HALF_YEAR),
            get: |s| word(HALF_YEAR_WORDS, s.duties.half_year),
            set: |s, v| {
                s.duties.half_year = parse_word(HALF_YEAR_WORDS, HALF_YEAR, v)?;
                Ok(())
            },
        },
        Spec {
            key: "opfoelgning.standby",
            label: "Standby i en pligts vindue (§ 13 b, stk. 5)",
            help: "Hvordan en standby-periode påvirker lovens frister på arbejdslisterne.",
            kind: Kind::Choice(STANDBY),
            get: |s| word(STANDBY_WORDS, s.duties.standby),
            set: |s, v| {
                s.duties.standby = parse_word(STANDBY_WORDS, STANDBY, v)?;
                Ok(())
            },
        },
        Spec {
            key: "opfoelgning.kategori1",
            label: "Kategori 1, der passerer 8 uger (§ 13 a)",
            help: "Hvornår opfølgningen med revisitation skal ske, og hvilken samtale der tæller.",
            kind: Kind::Choice(CATEGORY1),
            get: |s| match s.duties.category1 {
                Category1Reading::AfterWeek8 { .. } => "efter-uge-8".into(),
                Category1Reading::AsCategory2 => "som-kategori-2".into(),
            },
            set: |s, v| {
                let days = match s.duties.category1 {
                    Category1Reading::AfterWeek8 { days } => days,
                    Category1Reading::AsCategory2 => 14,
                };
                s.duties.category1 = match v.trim().to_lowercase().as_str() {
                    "efter-uge-8" => Category1Reading::AfterWeek8 { days },
                    "som-kategori-2" => Category1Reading::AsCategory2,
                    other => {
                        return Err(format!(
                            "«{other}» er ikke en mulighed; vælg en af: efter-uge-8, som-kategori-2"
                        ))
                    }
                };
                Ok(())
            },
        },
        Spec {
            key: "opfoelgning.kategori1_dage",
            label: "Kategori 1: dage efter uge 8 til revisitationen",
            help: "Bruges, når kategori 1 læses «når fraværet passerer 8 uger». Standard 14 dage (dag 70).",
            kind: Kind::Int {
                min: limits::CATEGORY1_DAYS.0 as i64,
                max: limits::CATEGORY1_DAYS.1 as i64,
            },
            get: |s| match s.duties.category1 {
                Category1Reading::AfterWeek8 { days } => days.to_string(),
                Category1Reading::AsCategory2 => "14".into(),
            },
            set: |s, v| {
                let days = int(v, lim(limits::CATEGORY1_DAYS))?;
                if let Category1Reading::AfterWeek8 { .. } = s.duties.category1 {
                    s.duties.category1 = Category1Reading::AfterWeek8 { days };
                }
                Ok(())
            },
        },
        Spec {
            key: "opfoelgning.mindste_afstand_dage",
            label: "Mindste afstand mellem to samtaler (kommunens praksis)",
            help: "Bruges til «næste samtale senest»: den seneste dato, hvor de resterende samtaler stadig kan nås. Ikke et lovkrav. Standard 14.",
            kind: Kind::Int {
                min: limits::MIN_SPACING.0 as i64,
                max: limits::MIN_SPACING.1 as i64,
            },
            get: |s| s.duties.min_spacing_days.to_string(),
            set: |s, v| {
                s.duties.min_spacing_days = int(v, lim(limits::MIN_SPACING))?;
                Ok(())
            },
        },
        Spec {
            key: "opfoelgning.registrering_senest_dage",
            label: "En samtale skal registreres senest så mange dage efter, den er holdt",
            help: "Kommunens egen regel for registrering (ikke et lovkrav). Tallet «registreret for sent» på Fokusmål og i udvalgets opfølgning tæller samtaler registreret senere end dette. Standard 0: samme dag, som i Vesthimmerland («samtaler som udgangspunkt skulle registreres på dagen for afholdelsen»).",
            kind: Kind::Int {
                min: limits::REGISTRATION_DAYS.0 as i64,
                max: limits::REGISTRATION_DAYS.1 as i64,
            },
            get: |s| s.duties.registration_days.to_string(),
            set: |s, v| {
                s.duties.registration_days = int(v, lim(limits::REGISTRATION_DAYS))?;
                Ok(())
            },
        },
        Spec {
            key: "opfoelgning.forfalder_snart_dage",
            label: "«Forfalder snart» antal dage før fristen",
            help: "En pligt vises som «Forfalder snart» dette antal dage før sin frist. Standard 7.",
            kind: Kind::Int {
                min: limits::DUE_SOON.0 as i64,
                max: limits::DUE_SOON.1 as i64,
            },
            get: |s| s.duties.due_soon_days.to_string(),
            set: |s, v| {
                s.duties.due_soon_days = int(v, lim(limits::DUE_SOON))?;
                Ok(())
            },
        },
        Spec {
            key: "opfoelgning.naeste_frist",
            label: "Hvad styrer «Næste frist» og rækkefølgen på arbejdslisterne",
            help: "Lovens og de lokale frister står altid adskilt i rækken.",
            kind: Kind::Choice(NEXT_DEADLINE),
            get: |s| word(NEXT_WORDS, s.duties.next_deadline),
            set: |s, v| {
                s.duties.next_deadline = parse_word(NEXT_WORDS, NEXT_DEADLINE, v)?;
                Ok(())
            },
        },
        Spec {
            key: "regler.start_2026_07",
            label: "Startdato for regelsæt 2026-07 (lov 1750/2025)",
            help: "Sygeopfølgningsdelen af lov 1750/2025 er udledt til 1. juli 2026, ikke læst i loven. Pligter, der forfalder fra denne dag, bedømmes efter 2026-07.",
            kind: Kind::Date,
            get: |s| s.rules.start_2026_07.to_string(),
            set: |s, v| {
                s.rules.start_2026_07 = date(v)?;
                Ok(())
            },
        },
        Spec {
            key: "regler.mindste_antal_2026_07",
            label: "Mindste antal samtaler i første halvår under 2026-07",
            help: "Den ændrede § 13 b, stk. 1, 1. pkt. er ikke i vores kilder; sekundære kilder nævner 1. Standard 4 (som 2025), indtil kommunen har bekræftet tallet.",
            kind: Kind::Int {
                min: limits::CONVERSATIONS.0 as i64,
                max: limits::CONVERSATIONS.1 as i64,
            },
            get: |s| s.rules.minimum_2026_07.to_string(),
            set: |s, v| {
                s.rules.minimum_2026_07 = int(v, lim(limits::CONVERSATIONS))?;
                Ok(())
            },
        },
        Spec {
            key: "regler.start_2027",
            label: "Startdato for regelsæt 2027 (reformens 2. fase, foreløbig)",
            help: "Planlagt 1. januar 2027; vedtagelsen er ikke bekræftet.",
            kind: Kind::Date,
            get: |s| s.rules.start_2027.to_string(),
            set: |s, v| {
                s.rules.start_2027 = date(v)?;
                Ok(())
            },
        },
        Spec {
            key: "regler.mindste_antal_2027",
            label: "Mindste antal samtaler i første halvår under 2027",
            help: "Standard 4, indtil kommunen har bekræftet den vedtagne lov.",
            kind: Kind::Int {
                min: limits::CONVERSATIONS.0 as i64,
                max: limits::CONVERSATIONS.1 as i64,
            },
            get: |s| s.rules.minimum_2027.to_string(),
            set: |s, v| {
                s.rules.minimum_2027 = int(v, lim(limits::CONVERSATIONS))?;
                Ok(())
            },
        },
        Spec {
            key: "regler.markering_2025",
            label: "§ 13 f-markering fra 2025 omkring skiftet",
            help: "Hvilken regel et forløb markeret efter 2025-reglen (13 uger efter første samtale) følger, når 2026-reglerne træder i kraft.",
            kind: Kind::Choice(MARKING_2025),
            get: |s| word(MARKING_WORDS, s.rules.marking_2025),
            set: |s, v| {
                s.rules.marking_2025 = parse_word(MARKING_WORDS, MARKING_2025, v)?;
                Ok(())
            },
        },
        Spec {
            key: "regler.efter_fritagelse",
            label: "Efter § 13 f-fritagelsen: ledighed eller uge 26 (§ 13 f, stk. 3)",
            help: "Lovens ord er «følges op efter reglerne i § 13 b, stk. 1, 3.-8. pkt.». Efter en anmodning eller kommunens beslutning gælder altid de almindelige regler.",
            kind: Kind::Choice(AFTER_EXEMPTION),
            get: |s| word(AFTER_WORDS, s.rules.after_exemption),
            set: |s, v| {
                s.rules.after_exemption = parse_word(AFTER_WORDS, AFTER_EXEMPTION, v)?;
                Ok(())
            },
        },
        Spec {
            key: "regler.dage_til_foerste_samtale_efter_fritagelse",
            label: "Dage fra fritagelsens ophør til 1. samtale, når uge 8 er passeret",
            help: "Standard 14 dage.",
            kind: Kind::Int {
                min: limits::LATE_FIRST_DAYS.0 as i64,
                max: limits::LATE_FIRST_DAYS.1 as i64,
            },
            get: |s| s.rules.late_first_days.to_string(),
            set: |s, v| {
                s.rules.late_first_days = int(v, lim(limits::LATE_FIRST_DAYS))?;
                Ok(())
            },
        },
        Spec {
            key: "regler.kategorier_2027",
            label: "Visitationskategorier under 2027",
            help: "Kategorierne oplyses udfaset (sekundære kilder).",
            kind: Kind::Choice(CATEGORIES_2027),
            get: |s| word(CATEGORIES_WORDS, s.rules.categories_2027),
            set: |s, v| {
                s.rules.categories_2027 = parse_word(CATEGORIES_WORDS, CATEGORIES_2027, v)?;
                Ok(())
            },
        },
        Spec {
            key: "regler.loebende_jobafklaring_2027",
            label: "Jobafklaringsforløb i gang, når 2027-reglerne starter",
            help: "Overgangsreglerne er ukendte.",
            kind: Kind::Choice(RUNNING_JC),
            get: |s| word(RUNNING_WORDS, s.rules.running_job_clarification),
            set: |s, v| {
                s.rules.running_job_clarification = parse_word(RUNNING_WORDS, RUNNING_JC, v)?;
                Ok(())
            },
        },
        Spec {
            key: "regler.rehabiliteringsteam_ophoerer",
            label: "Rehabiliteringsteamet afskaffes fra",
            help: "Møder fra denne dag har ingen pligt til LÆ 265 før teamet. Lov 1750/2025 afskaffer kravet; datoen er ukendt. Standard 1. januar 2027.",
            kind: Kind::Date,
            get: |s| s.rules.rehab_team_end.to_string(),
            set: |s, v| {
                s.rules.rehab_team_end = date(v)?;
                Ok(())
            },
        },
        Spec {
            key: "fagsystem.link",
            label: "Link til sagen i fagsystemet",
            help: "En adresse med {forloeb}, hvor forløbs-id'et skal stå, fx «https://fagsystem.kommune.dk/sag/{forloeb}». Linket vises på hver række i arbejdslisterne og på forløbets side. Tomt (standard): intet link.",
            kind: Kind::Text,
            get: |s| s.case_system.template.clone(),
            set: |s, v| {
                s.case_system = kadence_core::municipal::CaseSystemLink::parse(v)?;
                Ok(())
            },
        },
        Spec {
            key: "udvalg.kommune",
            label: "Kommunens navn på Jobindsats",
            help: "Som Jobindsats skriver området, fx «Vesthimmerland». Uden navn vises Jobindsats' tal ikke på siden Udvalg.",
            kind: Kind::Text,
            get: |s| s.committee.municipality.clone(),
            set: |s, v| {
                s.committee.municipality = v.trim().to_string();
                Ok(())
            },
        },
        Spec {
            key: "udvalg.rar_omraade",
            label: "Kommunens RAR-område på Jobindsats",
            help: "Som Jobindsats skriver det, fx «RAR Nordjylland». Tomt: RAR-området vises ikke.",
            kind: Kind::Text,
            get: |s| s.committee.rar_area.clone(),
            set: |s, v| {
                s.committee.rar_area = v.trim().to_string();
                Ok(())
            },
        },
        Spec {
            key: "udvalg.sammenlign_med",
            label: "Kommuner, der sammenlignes med",
            help: "Adskilt med komma, som Jobindsats skriver dem, fx «Aalborg, Rebild, Mariagerfjord». Hele landet vises altid.",
            kind: Kind::Text,
            get: |s| s.committee.comparison.join(", "),
            set: |s, v| {
                s.committee.comparison = kadence_core::committee::CommitteeSettings::parse_list(v);
                Ok(())
            },
        },
        Spec {
            key: "udvalg.trafiklys_groen_pct",
            label: "Trafiklys: grøn op til så mange procent over måltallet",
            help: "Gennemsnittet af fuldtidspersoner år til dato mod årets måltal. 0: grøn kun på eller under målet. Standard 0. Reglen står altid ved tabellen.",
            kind: Kind::Int { min: 0, max: 100 },
            get: |s| s.committee.traffic_light.green_pct.to_string(),
            set: |s, v| {
                s.committee.traffic_light.green_pct = int(v, (0, 100))?;
                Ok(())
            },
        },
        Spec {
            key: "udvalg.trafiklys_gul_pct",
            label: "Trafiklys: gul op til så mange procent over måltallet (derover rød)",
            help: "Skal være mindst grøns grænse. Standard 5.",
            kind: Kind::Int { min: 0, max: 100 },
            get: |s| s.committee.traffic_light.yellow_pct.to_string(),
            set: |s, v| {
                s.committee.traffic_light.yellow_pct = int(v, (0, 100))?;
                Ok(())
            },
        },
        Spec {
            key: "udvalg.varighed_uger",
            label: "Varighedsintervaller for sygedagpenge (øvre grænser i hele uger)",
            help: "Fx «8, 22, 52» giver 0-8, 9-22, 23-52 og over 52 uger (standard). Varighed regnes i hele uger fra første fraværsdag.",
            kind: Kind::Text,
            get: |s| s.committee.edges_text(),
            set: |s, v| {
                s.committee.duration_edges =
                    kadence_core::committee::CommitteeSettings::parse_edges(v)?;
                Ok(())
            },
        },
];

/// The fields of a local target (`[[lokale_maal]]`).
pub fn local_target_fields() -> &'static [Field<LocalTarget>] {
    LOCAL_TARGET_FIELDS
}

static LOCAL_TARGET_FIELDS: &[Field<LocalTarget>] = &[
    Field {
        field: "navn",
        label: "Navn",
        kind: Kind::Text,
        get: |t| t.name.to_string(),
        set: |t, v| {
            t.name = v.trim().into();
            Ok(())
        },
    },
    Field {
        field: "samtaler",
        label: "Samtaler",
        kind: Kind::Int {
            min: limits::CONVERSATIONS.0 as i64,
            max: limits::CONVERSATIONS.1 as i64,
        },
        get: |t| t.conversations.to_string(),
        set: |t, v| {
            t.conversations = int(v, lim(limits::CONVERSATIONS))?;
            Ok(())
        },
    },
    Field {
        field: "maaneder",
        label: "Inden for måneder",
        kind: Kind::Int {
            min: limits::MONTHS.0 as i64,
            max: limits::MONTHS.1 as i64,
        },
        get: |t| t.months.to_string(),
        set: |t, v| {
            t.months = int(v, lim(limits::MONTHS))?;
            Ok(())
        },
    },
    Field {
        field: "ur",
        label: "Regnet fra",
        kind: Kind::Choice(CLOCK),
        get: |t| word(CLOCK_WORDS, t.clock),
        set: |t, v| {
            t.clock = parse_word(CLOCK_WORDS, CLOCK, v)?;
            Ok(())
        },
    },
];

/// The fields of a measure definition (`[[definitioner]]`).
pub fn definition_fields() -> &'static [Field<Definition>] {
    DEFINITION_FIELDS
}

static DEFINITION_FIELDS: &[Field<Definition>] = &[
    Field {
        field: "navn",
        label: "Navn",
        kind: Kind::Text,
        get: |d| d.name.clone(),
        set: |d, v| {
            d.name = v.trim().into();
            Ok(())
        },
    },
    Field {
        field: "ur",
        label: "Uret starter",
        kind: Kind::Choice(CLOCK),
        get: |d| word(CLOCK_WORDS, d.clock),
        set: |d, v| {
            d.clock = parse_word(CLOCK_WORDS, CLOCK, v)?;
            Ok(())
        },
    },
    Field {
        field: "standby",
        label: "Standby",
        kind: Kind::Choice(STANDBY),
        get: |d| word(STANDBY_WORDS, d.standby),
        set: |d, v| {
            d.standby = parse_word(STANDBY_WORDS, STANDBY, v)?;
            Ok(())
        },
    },
    Field {
        field: "halvaar",
        label: "Halvåret",
        kind: Kind::Choice(HALF_YEAR),
        get: |d| word(HALF_YEAR_WORDS, d.half_year),
        set: |d, v| {
            d.half_year = parse_word(HALF_YEAR_WORDS, HALF_YEAR, v)?;
            Ok(())
        },
    },
    Field {
        field: "fritagne",
        label: "§ 13 f-fritagne (2026)",
        kind: Kind::Choice(EXEMPT),
        get: |d| word(EXEMPT_WORDS, d.exempt),
        set: |d, v| {
            d.exempt = parse_word(EXEMPT_WORDS, EXEMPT, v)?;
            Ok(())
        },
    },
    Field {
        field: "optaelling",
        label: "Samtaler tæller, når de er",
        kind: Kind::Choice(READING),
        get: |d| word(READING_WORDS, d.reading),
        set: |d, v| {
            d.reading = parse_word(READING_WORDS, READING, v)?;
            Ok(())
        },
    },
    Field {
        field: "mindst_borgere",
        label: "Mindst antal borgere",
        kind: Kind::Int {
            min: limits::MIN_POPULATION.0 as i64,
            max: limits::MIN_POPULATION.1 as i64,
        },
        get: |d| d.min_population.to_string(),
        set: |d, v| {
            d.min_population = int(v, lim(limits::MIN_POPULATION))?;
            Ok(())
        },
    },
];

/// The fields of an own agenda text (`[[dagsorden_tekster]]`). The values are checked together in
/// `AgendaSettings::validate` (the kind decides which placeholders the text may use).
pub fn agenda_text_fields() -> &'static [Field<OwnText>] {
    AGENDA_TEXT_FIELDS
}

static AGENDA_TEXT_FIELDS: &[Field<OwnText>] = &[
    Field {
        field: "punkt",
        label: "Punkttype (ledelsesinformation, tidlig-indsats, fristoverholdelse)",
        kind: Kind::Text,
        get: |t| t.kind.clone(),
        set: |t, v| {
            t.kind = v.trim().into();
            Ok(())
        },
    },
    Field {
        field: "indhold",
        label: "Indholdsnøgle (resume, tal, indstilling, …)",
        kind: Kind::Text,
        get: |t| t.content.clone(),
        set: |t, v| {
            t.content = v.trim().into();
            Ok(())
        },
    },
    Field {
        field: "tekst",
        label: "Teksten med pladsholdere ({{navn}})",
        kind: Kind::Text,
        get: |t| t.text.clone(),
        set: |t, v| {
            t.text = v.trim_end().into();
            Ok(())
        },
    },
];

/// The fields of an own section profile (`[[dagsorden_profiler]]`).
pub fn agenda_profile_fields() -> &'static [Field<OwnProfile>] {
    AGENDA_PROFILE_FIELDS
}

static AGENDA_PROFILE_FIELDS: &[Field<OwnProfile>] = &[
    Field {
        field: "navn",
        label: "Profilens navn",
        kind: Kind::Text,
        get: |p| p.name.clone(),
        set: |p, v| {
            p.name = v.trim().into();
            Ok(())
        },
    },
    Field {
        field: "afsnit",
        label: "Afsnittene, ét pr. linje: Overskrift = indholdsnøgle",
        kind: Kind::Text,
        get: |p| p.sections.clone(),
        set: |p, v| {
            p.sections = v.into();
            Ok(())
        },
    },
];

pub fn new_agenda_text() -> OwnText {
    OwnText::default()
}

pub fn new_agenda_profile() -> OwnProfile {
    OwnProfile::default()
}

/// The rule sets a person can confirm, with the parameter that holds the confirmation.
pub const CONFIRMABLE: &[&str] = &["2026-07", "2027"];

pub fn confirmation_mut<'a>(
    r: &'a mut RuleParams,
    set: &str,
) -> Option<&'a mut Option<kadence_core::rules::Confirmation>> {
    match set {
        "2026-07" => Some(&mut r.confirmed_2026_07),
        "2027" => Some(&mut r.confirmed_2027),
        _ => None,
    }
}

pub fn confirmation<'a>(
    r: &'a RuleParams,
    set: &str,
) -> Option<&'a Option<kadence_core::rules::Confirmation>> {
    match set {
        "2026-07" => Some(&r.confirmed_2026_07),
        "2027" => Some(&r.confirmed_2027),
        _ => None,
    }
}

/// A new local target to append (the defaults of a new row).
pub fn new_local_target() -> LocalTarget {
    LocalTarget {
        name: "".into(),
        conversations: 4,
        months: 5,
        clock: ClockStart::FirstAbsence,
    }
}

/// A new own definition to append.
pub fn new_definition() -> Definition {
    Definition {
        name: String::new(),
        // The municipality's own figures count what was done by default; STAR's counts what
        // was registered (the choice is `optaelling`).
        reading: AsOfReading::Happened,
        ..Definition::official()
    }
}
