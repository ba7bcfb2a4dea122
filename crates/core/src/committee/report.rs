//! The monthly management information (ledelsesinformation) as one value: the page, the Excel
//! annex, the charts and `kadence udvalg` all render this, so their numbers cannot differ.
//!
//! Per benefit group, the figure of a month comes from one source, named on its row: Kadence's own
//! data for the groups it holds (sickness benefit, job clarification: current, not lagging), else
//! Jobindsats for the municipality. Kadence's own figures stand beside Jobindsats' for the same
//! months with the difference, and Jobindsats' newest month is marked provisional (late
//! registrations raise it, `committee.md` §1.7). The year-to-date average counts whole months
//! only (a month not yet over would pull it down).

use serde::Serialize;

use super::external::{Jobindsats, JobindsatsView};
use super::targets::{Light, Targets};
use super::{duration_bands, own_monthly, Band, CommitteeSettings, GroupState, BENEFIT_GROUPS};
use crate::date::{Day, Month};
use crate::model::Population;

/// What a report is made from.
pub struct ReportInput<'a> {
    pub pop: &'a Population,
    pub settings: &'a CommitteeSettings,
    pub targets: &'a Targets,
    pub jobindsats: &'a Jobindsats,
    pub month: Month,
    pub as_of: Day,
    /// The rules in force (for the follow-up block's measures).
    pub book: &'a crate::rules::RuleBook,
    /// The municipality's own definition, shown beside STAR's in the follow-up block.
    pub own_definition: &'a crate::measures::Definition,
    /// The municipality's rule for registering a conversation, in days after it was held.
    pub registration_days: u16,
    /// How the shell names Kadence's own data and settings ("Kadence, egne data pr. 02-12-2026;
    /// indstillinger version 3 ...").
    pub own_source: String,
}

/// Where a row's figures come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum RowSource {
    Own,
    Jobindsats {
        table: String,
    },
    /// Neither: the group has no own data and Jobindsats' table is not fetched.
    Missing,
}

/// One group's row of the monthly table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupRow {
    pub code: &'static str,
    pub label: &'static str,
    pub state: GroupState,
    pub state_label: &'static str,
    /// The group's state rests on a plan, not on enacted law.
    pub provisional_state: bool,
    pub note: &'static str,
    pub source: RowSource,
    pub persons: Option<f64>,
    pub full_time: Option<f64>,
    /// The month is not over on the as-of date (own data: the month so far).
    pub partial: bool,
    /// Jobindsats' newest month: late registrations will raise it.
    pub provisional_month: bool,
    pub last_year_full_time: Option<f64>,
    pub change: Option<f64>,
    /// Average of the whole months January..month of the year.
    pub ytd_average: Option<f64>,
    pub ytd_months: u32,
    /// The yearly target (måltal), or else the average of the budget figures of the same months.
    pub target: Option<f64>,
    pub target_is_budget: bool,
    /// Per cent over (+) or under (-) the target.
    pub deviation_pct: Option<f64>,
    pub light: Option<Light>,
}

/// One month of a group's three-year chart.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesYear {
    pub year: i32,
    /// Full-time persons January-December (`None`: no figure).
    pub months: [Option<f64>; 12],
}

/// A group's chart: three years January-December and the target or budget line of the newest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupSeries {
    pub code: &'static str,
    pub label: &'static str,
    pub source: RowSource,
    pub years: Vec<SeriesYear>,
    /// The budget figures of the newest year, by month.
    pub budget: [Option<f64>; 12],
    /// The yearly target of the newest year.
    pub target: Option<f64>,
}

/// Kadence's own figure beside Jobindsats' for one month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OwnBeside {
    pub code: &'static str,
    pub label: &'static str,
    pub month: Month,
    pub own: f64,
    pub own_partial: bool,
    pub jobindsats: Option<f64>,
    pub difference: Option<f64>,
    pub provisional: bool,
}

/// One group's share of the labour force in the compared areas.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub code: &'static str,
    pub label: &'static str,
    /// The month compared: the report's month, or Jobindsats' newest before it.
    pub month: Option<Month>,
    /// Per area (in `MonthlyReport::areas` order): per cent of the labour force 16-66.
    pub shares: Vec<Option<f64>>,
    pub provisional: bool,
}

/// The duration bands on the month's last day (or the as-of date) and a year before.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Durations {
    pub on: Day,
    pub year_before: Day,
    pub now: Vec<Band>,
    pub then: Vec<Band>,
}

/// The monthly management information.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthlyReport {
    pub month: Month,
    pub as_of: Day,
    pub rows: Vec<GroupRow>,
    pub series: Vec<GroupSeries>,
    pub beside: Vec<OwnBeside>,
    /// The compared areas, in order: the municipality, its RAR area, Hele landet, the others.
    pub areas: Vec<String>,
    pub comparisons: Vec<Comparison>,
    pub durations: Durations,
    /// The follow-up block: first follow-up on time and the early effort, STAR's and the own
    /// definition, with the bridge between them.
    pub follow_up: super::follow_up::FollowUp,
    /// The month-end forecast of the early-effort figure for the month of the as-of date.
    pub forecast: super::forecast::Forecast,
    pub legend: String,
    pub method: &'static str,
    /// Every source used, one line each.
    pub sources: Vec<String>,
    /// What the reader must know (Danish): a setting missing, a table not fetched.
    pub notes: Vec<String>,
}

fn own_value<'a>(
    own: &'a [super::own::OwnMonth],
    code: &str,
    m: Month,
) -> Option<&'a super::own::OwnMonth> {
    own.iter().find(|o| o.group == code && o.month == m)
}

fn primary(
    g: &super::BenefitGroup,
    own: &[super::own::OwnMonth],
    view: &JobindsatsView<'_>,
    area: &str,
    m: Month,
) -> (Option<f64>, Option<f64>, bool) {
    if g.own.is_some() {
        return own_value(own, g.code, m).map_or((None, None, false), |o| {
            (
                Some(f64::from(o.persons)),
                Some(o.full_time_persons),
                o.partial,
            )
        });
    }
    view.figure(g.tables, area, m)
        .map_or((None, None, false), |(f, _)| {
            (f.persons, f.full_time, false)
        })
}

/// The source line of Kadence's own figures: the as-of date and the settings that made them.
pub fn own_source(as_of: Day, settings: &str) -> String {
    format!("Kilde: Kadence, egne data pr. {}; {settings}", as_of.dk())
}

/// Danish month abbreviations for chart axes and column heads.
pub const MONTH_ABBREVIATIONS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

/// Builds the report for `input.month` as of `input.as_of`.
pub fn monthly_report(input: &ReportInput<'_>) -> MonthlyReport {
    let (month, as_of) = (input.month, input.as_of);
    let year = month.year();
    let first = Month::new(year - 2, 1);
    let own = own_monthly(input.pop, first, Month::new(year, 12), as_of);
    let view = input.jobindsats.view(as_of);
    let area = input.settings.municipality.as_str();
    let mut notes = Vec::new();
    if area.is_empty() {
        notes.push("Kommunens navn, som Jobindsats skriver det, er ikke sat (indstillingen udvalg.kommune); Jobindsats' tal kan ikke vises.".to_string());
    }
    let mut sources = vec![input.own_source.clone()];
    let mut rows = Vec::new();
    let mut series = Vec::new();
    let mut beside = Vec::new();
    let mut comparisons = Vec::new();
    let mut areas = vec![area.to_string()];
    if !input.settings.rar_area.is_empty() {
        areas.push(input.settings.rar_area.clone());
    }
    areas.push("Hele landet".to_string());
    areas.extend(input.settings.comparison.iter().cloned());
    for g in BENEFIT_GROUPS {
        let state = g.state_in(month);
        if state == GroupState::Ended && g.state_in(month.plus(-12)) == GroupState::Ended {
            continue;
        }
        let fetch = view.latest(g.tables);
        if let Some(f) = fetch {
            let line = f.source_line();
            if !sources.contains(&line) {
                sources.push(line);
            }
        }
        let newest = view.newest_month(g.tables);
        let source = if g.own.is_some() {
            RowSource::Own
        } else if let Some(f) = fetch {
            RowSource::Jobindsats {
                table: f.table.clone(),
            }
        } else {
            RowSource::Missing
        };
        let (persons, full_time, partial) = primary(g, &own, &view, area, month);
        let (_, last_year, _) = primary(g, &own, &view, area, month.plus(-12));
        let whole: Vec<f64> = Month::range(Month::new(year, 1), month)
            .filter_map(|m| match primary(g, &own, &view, area, m) {
                (_, Some(v), false) => Some(v),
                _ => None,
            })
            .collect();
        let ytd_average =
            (!whole.is_empty()).then(|| whole.iter().sum::<f64>() / whole.len() as f64);
        let yearly = input.targets.yearly(g.code, year, as_of).map(|e| e.value);
        let budgets: Vec<f64> = Month::range(Month::new(year, 1), month)
            .filter_map(|m| input.targets.budget(g.code, m, as_of).map(|e| e.value))
            .collect();
        let (target, target_is_budget) = match yearly {
            Some(t) => (Some(t), false),
            None if !budgets.is_empty() => (
                Some(budgets.iter().sum::<f64>() / budgets.len() as f64),
                true,
            ),
            None => (None, false),
        };
        let deviation_pct = match (ytd_average, target) {
            (Some(a), Some(t)) if t > 0.0 => Some((a - t) / t * 100.0),
            _ => None,
        };
        let light = match (ytd_average, target) {
            (Some(a), Some(t)) => input.settings.traffic_light.light(a, t),
            _ => None,
        };
        rows.push(GroupRow {
            code: g.code,
            label: g.label,
            state,
            state_label: state.label(),
            provisional_state: g.provisional_in(month),
            note: g.note,
            source: source.clone(),
            persons,
            full_time,
            partial,
            provisional_month: g.own.is_none() && newest == Some(month),
            last_year_full_time: last_year,
            change: full_time.zip(last_year).map(|(a, b)| a - b),
            ytd_average,
            ytd_months: whole.len() as u32,
            target,
            target_is_budget,
            deviation_pct,
            light,
        });
        series.push(GroupSeries {
            code: g.code,
            label: g.label,
            source,
            years: (year - 2..=year)
                .map(|y| SeriesYear {
                    year: y,
                    months: std::array::from_fn(|i| {
                        let m = Month::new(y, i as u32 + 1);
                        if m > month {
                            return None;
                        }
                        primary(g, &own, &view, area, m).1
                    }),
                })
                .collect(),
            budget: std::array::from_fn(|i| {
                input
                    .targets
                    .budget(g.code, Month::new(year, i as u32 + 1), as_of)
                    .map(|e| e.value)
            }),
            target: yearly,
        });
        if g.own.is_some() && !area.is_empty() && fetch.is_some() {
            for m in Month::range(month.plus(-11), month) {
                let Some(o) = own_value(&own, g.code, m) else {
                    continue;
                };
                let j = view
                    .figure(g.tables, area, m)
                    .and_then(|(f, _)| f.full_time);
                beside.push(OwnBeside {
                    code: g.code,
                    label: g.label,
                    month: m,
                    own: o.full_time_persons,
                    own_partial: o.partial,
                    jobindsats: j,
                    difference: j.map(|j| o.full_time_persons - j),
                    provisional: newest == Some(m),
                });
            }
        }
        if fetch.is_some() {
            let m = newest.map(|n| n.min(month));
            comparisons.push(Comparison {
                code: g.code,
                label: g.label,
                month: m,
                shares: areas
                    .iter()
                    .map(|a| {
                        m.and_then(|m| view.figure(g.tables, a, m))
                            .and_then(|(f, _)| f.share_labour_force)
                    })
                    .collect(),
                provisional: m.is_some() && m == newest,
            });
        }
    }
    let lagging: Vec<&str> = rows
        .iter()
        .filter(|r| matches!(r.source, RowSource::Jobindsats { .. }) && r.full_time.is_none())
        .map(|r| r.label)
        .collect();
    if !lagging.is_empty() {
        let newest = BENEFIT_GROUPS
            .iter()
            .filter(|g| lagging.contains(&g.label))
            .filter_map(|g| view.newest_month(g.tables))
            .max();
        notes.push(format!(
            "Jobindsats har endnu ikke tal for {} for {}{}.",
            crate::dk::month(month),
            lagging.join(", "),
            newest.map_or(String::new(), |m| format!(
                "; nyeste måned er {}",
                crate::dk::month(m)
            ))
        ));
    }
    let missing: Vec<&str> = rows
        .iter()
        .filter(|r| r.source == RowSource::Missing)
        .map(|r| r.label)
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "Ikke hentet fra Jobindsats: {}.",
            missing.join(", ")
        ));
    }
    let on = month.last_day().min(as_of);
    let year_before = on.add_months(-12);
    let edges = &input.settings.duration_edges;
    MonthlyReport {
        month,
        as_of,
        rows,
        series,
        beside,
        areas,
        comparisons,
        durations: Durations {
            on,
            year_before,
            now: duration_bands(input.pop, on, as_of, edges),
            then: duration_bands(input.pop, year_before, as_of, edges),
        },
        follow_up: super::follow_up::follow_up(
            input.pop,
            input.book,
            input.own_definition,
            month,
            as_of,
            input.registration_days,
        ),
        forecast: super::forecast::forecast(input.pop, input.book, as_of),
        legend: input.settings.traffic_light.legend(),
        method: super::METHOD,
        sources,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::super::external::{ExternalFigure, Fetch, FetchSource};
    use super::super::targets::{TargetEntry, TargetKind};
    use super::*;
    use crate::committee::test_support::pop;
    use crate::model::CourseKind::SicknessBenefit as S;

    fn fig(area: &str, m: Month, ft: f64, share: f64) -> ExternalFigure {
        ExternalFigure {
            area: area.into(),
            month: m,
            persons: Some(ft * 1.2),
            full_time: Some(ft),
            share_labour_force: Some(share),
            share_population: None,
        }
    }

    fn input<'a>(
        p: &'a Population,
        s: &'a CommitteeSettings,
        t: &'a Targets,
        j: &'a Jobindsats,
        month: Month,
        as_of: Day,
    ) -> ReportInput<'a> {
        ReportInput {
            pop: p,
            settings: s,
            targets: t,
            jobindsats: j,
            month,
            as_of,
            book: &BOOK,
            own_definition: &OWN,
            registration_days: 0,
            own_source: "Kadence, egne data".into(),
        }
    }

    static BOOK: std::sync::LazyLock<crate::rules::RuleBook> =
        std::sync::LazyLock::new(crate::rules::RuleBook::danish);
    static OWN: std::sync::LazyLock<crate::measures::Definition> =
        std::sync::LazyLock::new(crate::measures::Definition::by_the_law);

    /// One citizen on sickness benefit all of 2025 and 2026: one full-time person every whole
    /// month; the yearly target 0,9 makes the light red (11 % over), a later entry of 1,0 green,
    /// but only as of its day. Jobindsats' A-dagpenge fill their row, its newest month provisional.
    #[test]
    fn rows_targets_lights_and_sources() {
        let p = pop(&[("2024-12-20", "2025-01-01", None, S, 1)]);
        let s = CommitteeSettings {
            municipality: "Kommunen".into(),
            rar_area: "RAR Nord".into(),
            comparison: vec!["Naboby".into()],
            ..CommitteeSettings::default()
        };
        let entry = |value, on: Day| TargetEntry {
            group: "sygedagpenge".into(),
            kind: TargetKind::Yearly,
            year: 2026,
            month: None,
            value,
            entered_on: on,
            entered_at: format!("{on}T09:00:00Z"),
            entered_by: "a".into(),
            source: "formular".into(),
        };
        let t = Targets {
            entries: vec![
                entry(0.9, Day::ymd(2026, 1, 10)),
                entry(1.0, Day::ymd(2026, 12, 1)),
            ],
        };
        let (oct, nov) = (Month::new(2026, 10), Month::new(2026, 11));
        let j = Jobindsats {
            fetches: vec![Fetch {
                table: "Y01A02".into(),
                source: FetchSource::File,
                origin: "a.csv".into(),
                fetched_on: Day::ymd(2026, 11, 20),
                fetched_at: "2026-11-20T08:00:00Z".into(),
                update_latest: None,
                update_next: None,
                figures: vec![
                    fig("Kommunen", oct, 300.0, 2.5),
                    fig("Hele landet", oct, 90_000.0, 3.0),
                    fig("Naboby", oct, 250.0, 2.2),
                    fig("Kommunen", Month::new(2025, 10), 320.0, 2.7),
                ],
            }],
        };
        let r = monthly_report(&input(&p, &s, &t, &j, nov, Day::ymd(2026, 11, 30)));
        let sick = r.rows.iter().find(|r| r.code == "sygedagpenge").unwrap();
        assert_eq!(sick.source, RowSource::Own);
        assert_eq!((sick.persons, sick.full_time), (Some(1.0), Some(1.0)));
        assert_eq!(sick.ytd_months, 11);
        assert_eq!(sick.ytd_average, Some(1.0));
        assert_eq!(sick.target, Some(0.9));
        assert_eq!(sick.light, Some(Light::Red));
        assert!((sick.deviation_pct.unwrap() - 11.111).abs() < 0.01);
        let later = monthly_report(&input(&p, &s, &t, &j, nov, Day::ymd(2026, 12, 1)));
        assert_eq!(
            later
                .rows
                .iter()
                .find(|r| r.code == "sygedagpenge")
                .unwrap()
                .light,
            Some(Light::Green)
        );
        // A-dagpenge from Jobindsats: October is its newest month.
        let a = monthly_report(&input(&p, &s, &t, &j, oct, Day::ymd(2026, 11, 30)));
        let ad = a.rows.iter().find(|r| r.code == "a-dagpenge").unwrap();
        assert_eq!(
            ad.source,
            RowSource::Jobindsats {
                table: "Y01A02".into()
            }
        );
        assert_eq!(
            (ad.full_time, ad.last_year_full_time, ad.change),
            (Some(300.0), Some(320.0), Some(-20.0))
        );
        assert!(ad.provisional_month);
        assert_eq!(
            a.areas,
            vec!["Kommunen", "RAR Nord", "Hele landet", "Naboby"]
        );
        let c = a
            .comparisons
            .iter()
            .find(|c| c.code == "a-dagpenge")
            .unwrap();
        assert_eq!(c.shares, vec![Some(2.5), None, Some(3.0), Some(2.2)]);
        assert!(a.sources.iter().any(|s| s.contains("tabel Y01A02")));
        assert!(a.notes.iter().any(|n| n.contains("Kontanthjælp")));
        // As of before the fetch, nothing from Jobindsats (as-of replay).
        let before = monthly_report(&input(&p, &s, &t, &j, oct, Day::ymd(2026, 11, 19)));
        assert_eq!(
            before
                .rows
                .iter()
                .find(|r| r.code == "a-dagpenge")
                .unwrap()
                .source,
            RowSource::Missing
        );
        // Uddannelseshjælp ended in July 2025: gone from 2026-10 (ended a year before too).
        assert!(a.rows.iter().all(|r| r.code != "uddannelseshjaelp"));
        // The chart's points are the table's values.
        let sr = a.series.iter().find(|s| s.code == "a-dagpenge").unwrap();
        assert_eq!(sr.years[2].months[9], Some(300.0));
        assert_eq!(sr.years[1].months[9], Some(320.0));
        assert_eq!(sr.years[2].months[10], None);
    }

    /// A month not yet over is shown as the month so far and left out of the year's average.
    #[test]
    fn partial_month_not_in_the_average() {
        let p = pop(&[("2025-12-20", "2026-01-01", None, S, 1)]);
        let s = CommitteeSettings::default();
        let (t, j) = (Targets::default(), Jobindsats::default());
        let r = monthly_report(&input(
            &p,
            &s,
            &t,
            &j,
            Month::new(2026, 3),
            Day::ymd(2026, 3, 15),
        ));
        let sick = r.rows.iter().find(|r| r.code == "sygedagpenge").unwrap();
        assert!(sick.partial);
        assert!((sick.full_time.unwrap() - 15.0 / 31.0).abs() < 1e-9);
        assert_eq!((sick.ytd_months, sick.ytd_average), (2, Some(1.0)));
        assert!(r.notes.iter().any(|n| n.contains("udvalg.kommune")));
        assert_eq!(r.durations.now.iter().map(|b| b.courses).sum::<u32>(), 1);
    }
}
