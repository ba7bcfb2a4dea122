//! The item "Status på den tidlige indsats på sygedagpengeområdet" (the recovery-plan status of
//! Vesthimmerland's Punkt 60): STAR's early-effort figure by month against 80 %, the own
//! definition's beside it and the bridge between them, STAR's six-months rule, and the forecast
//! for the current month; all from the monthly report.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{chart_alt, word, ChartData, Content, DraftChart, DraftTable, Inputs, Parts};
use crate::committee::MonthlyReport;
use crate::dk;
use crate::duties::CourseStatus;
use crate::model::{CourseId, Population};
use crate::worklist::View;

/// The cases the item counts beside the figures, from the duty lists of the as-of date: courses
/// with a medical statement past its deadline and the range of days over (Punkt 60: "53 sager ...
/// mellem 21 og 335 dage"), and job-clarification courses before the rehabilitation team without
/// LÆ 265 (Hedensted's item 81). The same items as the pages "Lægeoplysninger" and "Jobafklaring".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Cases {
    pub medical_overdue: u32,
    /// The fewest and the most days over, among the requests over their deadline.
    pub days_over: Option<(i32, i32)>,
    pub lae265_missing: u32,
}

/// Counts the cases from every active course's status as of the item's date.
pub fn cases<'a>(
    pop: &Population,
    statuses: impl IntoIterator<Item = (CourseId, &'a CourseStatus)>,
) -> Cases {
    let mut medical = HashSet::new();
    let mut jc = HashSet::new();
    let mut days: Option<(i32, i32)> = None;
    for (id, st) in statuses {
        for i in View::MedicalOverdue.items(pop, id, st) {
            medical.insert(id);
            if let Some(d) = i.days_left.filter(|d| *d < 0).map(|d| -d) {
                days = Some(days.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))));
            }
        }
        if !View::MissingLae265.items(pop, id, st).is_empty() {
            jc.insert(id);
        }
    }
    Cases {
        medical_overdue: medical.len() as u32,
        days_over: days,
        lae265_missing: jc.len() as u32,
    }
}

/// The placeholders this kind has, each with what it holds (documented in docs/agenda.md).
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("maal", "STARs mål for den tidlige indsats, «80 %»"),
    ("tidlig_andel_star", "andelen med mindst fire samtaler ved seks måneder efter STARs definition, fx «70,3 % (64 af 91)»"),
    ("tidlig_andel_egen", "den samme andel efter kommunens egen definition"),
    ("egen_definition", "kommunens egen definition i ord"),
    ("bro", "forskellen mellem STARs og kommunens tal forklaret med årsagerne og deres procentpoint"),
    ("maaneder_under_maal", "hvor mange af de seneste tolv måneder STARs tal var under målet, fx «elleve af de seneste tolv måneder»"),
    ("seks_maaneders_regel", "STARs regel om seks måneder i træk under målet, og hvordan kommunen står"),
    ("prognose", "prognosen for opgørelsesdatoens måned"),
    ("registrering", "hvor mange af månedens afholdte samtaler der blev registreret senere end kommunens regel, fx «97 af 770 afholdte samtaler (12,6 %) blev registreret senere end kommunens regel (samme dag, som samtalen er holdt)»; STAR tæller kun registrerede samtaler"),
    ("laegeoplysninger_over_frist", "sygedagpengesager med lægeoplysninger over svarfristen og hvor mange dage over, fx «53 sager har lægeoplysninger over svarfristen, mellem 21 og 335 dage over»"),
    ("jobafklaring_uden_lae265", "jobafklaringsforløb, der er eller skal forelægges rehabiliteringsteamet uden LÆ 265"),
];

/// The kind's own shipped texts (Danish; no numbers: they come from the placeholders); the
/// others are the common ones.
pub(super) fn template(content: Content) -> Option<&'static str> {
    Some(match content {
        Content::Summary => "Status på den tidlige indsats på sygedagpengeområdet i {{kommune}} for {{maaned}}: {{tidlig_andel_star}} af forløbene havde mindst fire samtaler ved seks måneders anciennitet efter STARs opgørelse. Målet er {{maal}}.",
        Content::Question => "Udvalget orienteres om status på den tidlige indsats på sygedagpengeområdet for {{maaned}}.",
        Content::Figures => "Efter STARs definition havde {{tidlig_andel_star}} af forløbene mindst fire samtaler ved seks måneders anciennitet i {{maaned}}. Efter kommunens egen definition ({{egen_definition}}) var andelen {{tidlig_andel_egen}}.\n{{bro}}\n{{registrering}}\nSTARs tal var under målet i {{maaneder_under_maal}}. {{seks_maaneders_regel}}\n{{laegeoplysninger_over_frist}} {{jobafklaring_uden_lae265}}",
        Content::Consequence => "{{prognose}}",
        Content::Law => "Lov om sygedagpenge, kapitel 6 om opfølgning, med de regler, der gælder på opgørelsesdatoen {{opgoerelsesdato}}.",
        _ => return None,
    })
}

fn values(r: &MonthlyReport, cases: &Cases) -> HashMap<&'static str, String> {
    let f = &r.follow_up;
    let last = f.months.last();
    let share = |s: Option<&crate::committee::follow_up::Share>| s.map_or("-".into(), |s| s.text());
    let below = f
        .months
        .iter()
        .filter(|m| m.early_met == Some(false))
        .count();
    let run = f
        .months
        .iter()
        .rev()
        .take_while(|m| m.early_met == Some(false))
        .count();
    let b = &f.bridge_month;
    let bro = match (b.official.value(), b.own.value()) {
        (Some(a), Some(o)) if !b.steps.is_empty() => format!(
            "Forskellen på {} procentpoint skyldes: {}.",
            dk::signed((o - a) * 100.0, 1),
            b.steps
                .iter()
                .map(|s| format!(
                    "{} ({}, {})",
                    s.reason.to_lowercase(),
                    s.points_text(),
                    dk::count(u64::from(s.courses), "forløb", "forløb")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        _ => "De to definitioner giver det samme tal.".into(),
    };
    let rule = if run >= 6 {
        format!("STAR reagerer, når tallet har været under målet seks måneder i træk; det har det nu været i {} måneder i træk.", word(run))
    } else {
        format!(
            "STAR reagerer, når tallet har været under målet seks måneder i træk; det er ikke tilfældet (senest {} måned{} i træk).",
            word(run),
            if run == 1 { "" } else { "er" }
        )
    };
    HashMap::from([
        ("maal", format!("{} %", dk::decimal(f.target * 100.0, 0))),
        ("tidlig_andel_star", share(last.map(|m| &m.early_official))),
        ("tidlig_andel_egen", share(last.map(|m| &m.early_own))),
        ("egen_definition", f.own_description.clone()),
        ("bro", bro),
        (
            "maaneder_under_maal",
            format!(
                "{} af de seneste {} måneder",
                word(below),
                word(f.months.len())
            ),
        ),
        ("seks_maaneders_regel", rule),
        ("prognose", r.forecast.summary()),
        ("registrering", f.registration_text()),
        (
            "laegeoplysninger_over_frist",
            match (cases.medical_overdue, cases.days_over) {
                (0, _) | (_, None) => {
                    format!("Pr. {} har ingen sager lægeoplysninger over svarfristen.", r.as_of.dk())
                }
                (n, Some((lo, hi))) if lo == hi => format!(
                    "Pr. {} {} lægeoplysninger over svarfristen, {} over.",
                    r.as_of.dk(),
                    if n == 1 { "har én sag".to_string() } else { format!("har {} sager", dk::int(i64::from(n))) },
                    dk::count(lo as u64, "dag", "dage")
                ),
                (n, Some((lo, hi))) => format!(
                    "Pr. {} {} lægeoplysninger over svarfristen, mellem {} og {} dage over.",
                    r.as_of.dk(),
                    if n == 1 { "har én sag".to_string() } else { format!("har {} sager", dk::int(i64::from(n))) },
                    dk::int(i64::from(lo)),
                    dk::int(i64::from(hi))
                ),
            },
        ),
        (
            "jobafklaring_uden_lae265",
            match cases.lae265_missing {
                0 => "Intet jobafklaringsforløb er forelagt eller skal forelægges rehabiliteringsteamet uden LÆ 265.".to_string(),
                1 => "Ét jobafklaringsforløb er forelagt eller skal forelægges rehabiliteringsteamet uden LÆ 265.".to_string(),
                n => format!("{} jobafklaringsforløb er forelagt eller skal forelægges rehabiliteringsteamet uden LÆ 265.", dk::int(i64::from(n))),
            },
        ),
    ])
}

/// The kind's values, its figures section's chart and table, and its sources.
pub(super) fn parts(input: Inputs<'_>) -> Parts {
    let r = input.report;
    let f = &r.follow_up;
    Parts {
        values: values(r, input.cases),
        charts: vec![months_chart(r)],
        tables: vec![months_table(r)],
        sources: vec![
            format!(
                "Tidlig indsats: Kadence, egne data pr. {}, STARs definition ({}) og kommunens egen ({}).",
                r.as_of.dk(),
                f.official_name,
                f.own_description
            ),
            format!("Broen: {}", f.bridge_method),
            format!("Prognosen: {}", r.forecast.method),
            format!(
                "Registrering af samtaler: Kadence, egne data pr. {}, samtaler holdt i {} med deres registreringsdato.",
                r.as_of.dk(),
                dk::month(r.month)
            ),
            format!(
                "Lægeoplysninger og LÆ 265: Kadence, fristlisterne «Lægeoplysninger» og «Jobafklaring» pr. {}.",
                r.as_of.dk()
            ),
        ],
    }
}

fn months_chart(r: &MonthlyReport) -> DraftChart {
    let f = &r.follow_up;
    let points: Vec<(String, Option<f64>)> = f
        .months
        .iter()
        .map(|m| (dk::month_short(m.month), m.early_official.value()))
        .collect();
    DraftChart {
        title: "Tidlig indsats pr. måned, STARs definition".into(),
        alt: chart_alt(
            "andelen af sygedagpengeforløb med mindst fire samtaler ved seks måneders anciennitet, STARs definition, pr. måned",
            &points,
            dk::percent,
            Some(dk::percent(f.target)),
        ),
        data: ChartData::Shares {
            points,
            target: Some(f.target),
        },
    }
}

fn months_table(r: &MonthlyReport) -> DraftTable {
    let f = &r.follow_up;
    DraftTable {
        caption: "Tidlig indsats pr. måned: mindst fire samtaler ved seks måneders anciennitet"
            .into(),
        header: vec![
            "Måned".into(),
            "STARs definition".into(),
            "Kommunens definition".into(),
            format!("Mål {} % nået", dk::decimal(f.target * 100.0, 0)),
        ],
        rows: f
            .months
            .iter()
            .map(|m| {
                vec![
                    dk::month(m.month),
                    m.early_official.text(),
                    m.early_own.text(),
                    m.met_text().to_string(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod case_tests {
    use super::*;
    use crate::committee::test_support::{pop_with, Facts};
    use crate::date::Day;
    use crate::duties::evaluate;
    use crate::model::{CourseKind::SicknessBenefit as S, MedicalForm, MedicalRequest};
    use crate::rules::RuleBook;
    use crate::settings::Settings;

    /// Two courses with a medical statement past its deadline (30 and 5 days over as of
    /// 14-06-2026), one answered in time: 2 cases, 5 to 30 days over, and the sentence says so.
    #[test]
    fn overdue_medical_statements_are_counted_with_the_range_of_days_over() {
        let mut pop = pop_with(Facts {
            courses: &[
                ("2026-04-01", "2026-04-01", None, S, 1),
                ("2026-04-01", "2026-04-01", None, S, 2),
                ("2026-04-01", "2026-04-01", None, S, 3),
            ],
            conversations: &[],
            standby: &[],
        })
        .into_builder();
        let d = |s: &str| Day::parse_iso(s).unwrap();
        for (course, sent, deadline, received) in [
            (0, "2026-05-01", "2026-05-15", None),
            (1, "2026-05-26", "2026-06-09", None),
            (2, "2026-05-26", "2026-06-09", Some("2026-06-05")),
        ] {
            pop.medical.push(MedicalRequest {
                course: CourseId::new(course),
                form: MedicalForm::Lae285,
                sent: d(sent),
                deadline: Some(d(deadline)),
                received: received.map(d),
                received_registered: None,
            });
        }
        let pop = pop.build().0;
        let as_of = d("2026-06-14");
        let book = RuleBook::danish();
        let statuses: Vec<_> = pop
            .course_ids()
            .map(|id| {
                (
                    id,
                    evaluate(pop.facts(id), &book, &Settings::default(), as_of),
                )
            })
            .collect();
        let c = cases(&pop, statuses.iter().map(|(id, s)| (*id, s)));
        assert_eq!(
            c,
            Cases {
                medical_overdue: 2,
                days_over: Some((5, 30)),
                lae265_missing: 0
            }
        );
    }
}
