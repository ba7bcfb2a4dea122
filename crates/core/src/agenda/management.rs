//! The item "Månedlig ledelsesinformation" (the monthly management information): the benefit
//! groups against the committee's targets with the traffic light, one paragraph per notable group
//! saying what moved, the comparison with the RAR area and the country, and the duration bands of
//! the sickness-benefit courses; all from the monthly report the page "Udvalg" shows.

use std::collections::HashMap;

use super::{chart_alt, word, ChartData, Content, DraftChart, DraftTable, Inputs, Parts};
use crate::committee::targets::Light;
use crate::committee::{GroupRow, MonthlyReport, RowSource};
use crate::dk;

/// The placeholders this kind has besides the common ones (documented in docs/agenda.md).
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("grupper_i_alt", "hvor mange ydelsesgrupper der har tal for måneden, og hvor mange af dem med måltal, fx «ni ydelsesgrupper, heraf syv med måltal»"),
    ("grupper_over_maal", "ydelsesgrupperne over deres måltal (rødt eller gult lys), med navn"),
    ("bevaegelser", "ét afsnit pr. bemærkelsesværdig ydelsesgruppe: fuldtidspersoner, ændring mod samme måned sidste år og afvigelse fra måltallet"),
    ("sammenligning", "sygedagpenge i pct. af arbejdsstyrken i kommunen, RAR-området og hele landet"),
    ("varighed", "sygedagpengeforløbene over 52 uger nu og et år før"),
];

/// The kind's own shipped texts; the others are the common ones.
pub(super) fn template(content: Content) -> Option<&'static str> {
    Some(match content {
        Content::Summary => "Ledelsesinformation for beskæftigelsesområdet i {{kommune}} for {{maaned}}, opgjort {{opgoerelsesdato}}: {{grupper_over_maal}}",
        Content::Question => "Udvalget orienteres om den månedlige ledelsesinformation for {{maaned}}.",
        Content::Figures => "Ledelsesinformationen viser tal for {{grupper_i_alt}}.\n{{bevaegelser}}\n{{sammenligning}}\n{{varighed}}",
        Content::Consequence => "{{grupper_over_maal}}",
        _ => return None,
    })
}

/// A group is notable when its light is red or yellow, or its figure moved by 5 % or more
/// against the same month last year.
fn notable(g: &GroupRow) -> bool {
    matches!(g.light, Some(Light::Red | Light::Yellow))
        || g.change
            .zip(g.last_year_full_time)
            .is_some_and(|(c, last)| last > 0.0 && (c / last).abs() >= 0.05)
}

fn with_figures(r: &MonthlyReport) -> impl Iterator<Item = &GroupRow> {
    r.rows.iter().filter(|g| g.full_time.is_some())
}

fn movement(g: &GroupRow, r: &MonthlyReport) -> String {
    let mut s = format!(
        "{}: {} fuldtidspersoner i {}",
        g.label,
        dk::maybe(g.full_time, 1),
        dk::month(r.month)
    );
    if let (Some(c), Some(last)) = (g.change, g.last_year_full_time) {
        s.push_str(&format!(
            ", {} mod samme måned sidste år ({})",
            dk::signed(c, 1),
            dk::decimal(last, 1)
        ));
    }
    if let (Some(d), Some(t)) = (g.deviation_pct, g.target) {
        s.push_str(&format!(
            "; gennemsnittet for året til dato ligger {} % {} {} ({})",
            dk::decimal(d.abs(), 1),
            if d >= 0.0 { "over" } else { "under" },
            if g.target_is_budget {
                "budgettet"
            } else {
                "måltallet"
            },
            dk::decimal(t, 1)
        ));
    }
    if let Some(l) = g.light {
        s.push_str(&format!(", {} lys", l.label().to_lowercase()));
    }
    if g.partial {
        s.push_str(" (måneden er ikke slut)");
    } else if g.provisional_month {
        s.push_str(" (foreløbigt tal)");
    }
    s.push('.');
    s
}

fn values(r: &MonthlyReport) -> HashMap<&'static str, String> {
    let over: Vec<&GroupRow> = with_figures(r)
        .filter(|g| matches!(g.light, Some(Light::Red | Light::Yellow)))
        .collect();
    let total = with_figures(r).count();
    let with_target = with_figures(r).filter(|g| g.target.is_some()).count();
    let moved: Vec<String> = with_figures(r)
        .filter(|g| notable(g))
        .map(|g| movement(g, r))
        .collect();
    let comparison = r
        .comparisons
        .iter()
        .find(|c| c.code == "sygedagpenge")
        .filter(|c| c.shares.iter().any(Option::is_some));
    let sammenligning = match comparison {
        Some(c) => format!(
            "Sygedagpenge i pct. af arbejdsstyrken 16–66 år{}: {}.",
            c.month
                .map_or(String::new(), |m| format!(" i {}", dk::month(m))),
            r.areas
                .iter()
                .zip(&c.shares)
                .map(|(a, s)| format!(
                    "{a} {}",
                    s.map_or("-".into(), |s| format!("{} %", dk::decimal(s, 1)))
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => {
            "Sammenligningen med andre områder kræver Jobindsats' tal, som ikke er hentet.".into()
        }
    };
    let long = |bands: &[crate::committee::Band]| bands.last().map_or(0, |b| b.courses);
    let varighed = match r.durations.now.last() {
        Some(b) => format!(
            "{} sygedagpengeforløb havde varet {} pr. {} mod {} pr. {}.",
            dk::int(i64::from(long(&r.durations.now))),
            b.label,
            r.durations.on.dk(),
            dk::int(i64::from(long(&r.durations.then))),
            r.durations.year_before.dk()
        ),
        None => String::new(),
    };
    HashMap::from([
        (
            "grupper_i_alt",
            match (total, with_target) {
                (t, 0) => format!(
                    "{} ydelsesgruppe{}, og udvalget har ikke fastsat måltal for dem",
                    word(t),
                    if t == 1 { "" } else { "r" }
                ),
                (t, w) if w == t => format!(
                    "{} ydelsesgruppe{}, alle med måltal",
                    word(t),
                    if t == 1 { "" } else { "r" }
                ),
                (t, w) => format!(
                    "{} ydelsesgruppe{}, heraf {} med måltal",
                    word(t),
                    if t == 1 { "" } else { "r" },
                    word(w)
                ),
            },
        ),
        (
            "grupper_over_maal",
            if with_target == 0 {
                "Der er ingen måltal at holde tallene op imod.".to_string()
            } else if over.is_empty() {
                "Ingen ydelsesgrupper ligger over deres måltal.".to_string()
            } else {
                format!(
                    "{} ydelsesgruppe{} ligger over måltallet: {}.",
                    dk::capitalised(&word(over.len())),
                    if over.len() == 1 { "" } else { "r" },
                    over.iter()
                        .map(|g| format!(
                            "{} ({} lys)",
                            g.label.to_lowercase(),
                            g.light.map_or("", |l| l.label()).to_lowercase()
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ),
        (
            "bevaegelser",
            if moved.is_empty() {
                "Ingen ydelsesgruppe har bevæget sig bemærkelsesværdigt.".into()
            } else {
                moved.join("\n")
            },
        ),
        ("sammenligning", sammenligning),
        ("varighed", varighed),
    ])
}

fn groups_table(r: &MonthlyReport) -> DraftTable {
    DraftTable {
        caption: format!("Ydelsesgrupper mod måltal, {}", dk::month(r.month)),
        header: [
            "Ydelsesgruppe",
            "Fuldtidspersoner",
            "Samme måned sidste år",
            "Ændring",
            "Måltal",
            "Afvigelse",
            "Trafiklys",
        ]
        .map(String::from)
        .to_vec(),
        rows: with_figures(r)
            .map(|g| {
                vec![
                    g.label.to_string(),
                    dk::maybe(g.full_time, 1),
                    dk::maybe(g.last_year_full_time, 1),
                    g.change.map_or("-".into(), |c| dk::signed(c, 1)),
                    dk::maybe(g.target, 1),
                    g.deviation_pct
                        .map_or("-".into(), |d| format!("{} %", dk::signed(d, 1))),
                    g.light.map_or("-", |l| l.label()).to_string(),
                ]
            })
            .collect(),
    }
}

/// The comparison with the RAR area, the country and the compared municipalities, when Jobindsats'
/// figures are there: per cent of the labour force 16-66, as the page "Udvalg" shows it.
fn comparisons_table(r: &MonthlyReport) -> Option<DraftTable> {
    let rows: Vec<Vec<String>> = r
        .comparisons
        .iter()
        .filter(|c| c.shares.iter().any(Option::is_some))
        .map(|c| {
            let mut row = vec![
                c.label.to_string(),
                c.month.map_or_else(|| "-".to_string(), dk::month),
            ];
            row.extend(
                c.shares
                    .iter()
                    .map(|s| s.map_or("-".into(), |s| format!("{} %", dk::decimal(s, 1)))),
            );
            row
        })
        .collect();
    (!rows.is_empty()).then(|| DraftTable {
        caption: "Sammenligning: fuldtidspersoner i pct. af arbejdsstyrken 16–66 år".into(),
        header: ["Ydelsesgruppe", "Måned"]
            .iter()
            .map(|s| s.to_string())
            .chain(r.areas.iter().cloned())
            .collect(),
        rows,
    })
}

fn durations_table(r: &MonthlyReport) -> DraftTable {
    let d = &r.durations;
    DraftTable {
        caption: "Sygedagpengeforløb efter varighed".into(),
        header: vec![
            "Varighed".into(),
            format!("Forløb {}", d.on.dk()),
            format!("Forløb {}", d.year_before.dk()),
        ],
        rows: d
            .now
            .iter()
            .zip(&d.then)
            .map(|(n, t)| {
                vec![
                    n.label.clone(),
                    dk::int(i64::from(n.courses)),
                    dk::int(i64::from(t.courses)),
                ]
            })
            .collect(),
    }
}

/// The sickness-benefit group's three-year chart, as on the page "Udvalg"; the alternative text
/// gives the twelve months up to the report's month.
fn sickness_chart(r: &MonthlyReport) -> Option<DraftChart> {
    let s = r
        .series
        .iter()
        .find(|s| s.code == "sygedagpenge" && s.source != RowSource::Missing)?;
    let points: Vec<(String, Option<f64>)> = (0..12)
        .rev()
        .map(|back| {
            let m = r.month.plus(-back);
            let v = s
                .years
                .iter()
                .find(|y| y.year == m.year())
                .and_then(|y| y.months[(m.number() - 1) as usize]);
            (dk::month_short(m), v)
        })
        .collect();
    Some(DraftChart {
        title: format!("{}, fuldtidspersoner, tre år", s.label),
        alt: chart_alt(
            &format!(
                "{}, fuldtidspersoner pr. måned i tre år; de seneste tolv måneder",
                s.label.to_lowercase()
            ),
            &points,
            |v| dk::decimal(v, 1),
            s.target
                .map(|t| format!("{} fuldtidspersoner", dk::decimal(t, 1))),
        ),
        data: ChartData::Series(Box::new(s.clone())),
    })
}

/// The kind's values, its figures section's chart and tables, and its sources.
pub(super) fn parts(input: Inputs<'_>) -> Parts {
    let r = input.report;
    Parts {
        values: values(r),
        charts: sickness_chart(r).into_iter().collect(),
        tables: std::iter::once(groups_table(r))
            .chain(comparisons_table(r))
            .chain(std::iter::once(durations_table(r)))
            .collect(),
        sources: vec![
            format!("Ydelsesgrupper: {}", r.method),
            format!("Trafiklys: {}", r.legend),
            format!(
                "Varighed: Kadence, egne data, sygedagpengeforløb på ydelsen {} og {}.",
                r.durations.on.dk(),
                r.durations.year_before.dk()
            ),
        ],
    }
}
