//! The item "Orientering om fristoverholdelse" (deadline compliance): the first follow-up on time
//! (lov om sygedagpenge § 13 as in force on the deadline), and the share of first follow-ups more
//! than three weeks late, in total and per team, for the report's month; with the months before
//! for the trend. The per-team counts come from the same measure the page "Fokusmål" splits.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{chart_alt, ChartData, Content, DraftChart, DraftTable, Inputs, Parts};
use crate::date::{Day, Month};
use crate::dk;
use crate::measures::{self, Definition, MeasureKind};
use crate::model::Population;
use crate::rules::RuleBook;

/// Late by more than three weeks: the first conversation held (or, not held yet, the as-of date)
/// more than 21 days after the deadline.
pub const LATE_DAYS: i32 = 21;

/// One team's (or the total's) deadline figures for the month.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TeamDeadlines {
    pub team: String,
    /// Courses whose first follow-up fell due in the month.
    pub measured: u32,
    pub on_time: u32,
    pub late_over_3_weeks: u32,
}

impl TeamDeadlines {
    fn share(n: u32, d: u32) -> String {
        if d == 0 {
            "-".into()
        } else {
            dk::percent(f64::from(n) / f64::from(d))
        }
    }
    pub fn on_time_text(&self) -> String {
        TeamDeadlines::share(self.on_time, self.measured)
    }
    pub fn late_text(&self) -> String {
        TeamDeadlines::share(self.late_over_3_weeks, self.measured)
    }
}

/// The deadline figures of one month under one definition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    pub month: Option<Month>,
    pub definition: String,
    pub total: TeamDeadlines,
    /// Per team, by name; courses without a caseworker under "Ingen team".
    pub teams: Vec<TeamDeadlines>,
}

/// Counts the first follow-ups due in `month` (measured as of `as_of`), in total and per team.
pub fn deadlines(
    pop: &Population,
    book: &RuleBook,
    def: &Definition,
    month: Month,
    as_of: Day,
) -> Deadlines {
    let result = measures::compute(
        pop,
        book,
        MeasureKind::FirstFollowUpOnTime,
        def,
        month,
        month,
        as_of,
    );
    let mut teams: BTreeMap<String, TeamDeadlines> = BTreeMap::new();
    let mut total = TeamDeadlines {
        team: "I alt".into(),
        ..Default::default()
    };
    for m in &result.members {
        let f = pop.facts(m.course);
        let (start, due) = m.window;
        let reached = result
            .definition
            .first_held_from(&f, start, as_of)
            .unwrap_or(as_of);
        let late = !m.in_numerator && due.days_until(reached) > LATE_DAYS;
        let name = pop.team_of(f.course).map_or_else(
            || "Ingen team".to_string(),
            |t| pop.teams[t.index()].name.clone(),
        );
        let t = teams.entry(name.clone()).or_insert_with(|| TeamDeadlines {
            team: name,
            ..Default::default()
        });
        for x in [t, &mut total] {
            x.measured += 1;
            x.on_time += u32::from(m.in_numerator);
            x.late_over_3_weeks += u32::from(late);
        }
    }
    Deadlines {
        month: Some(month),
        definition: def.describe(),
        total,
        teams: teams.into_values().collect(),
    }
}

/// The placeholders this kind has besides the common ones (documented in docs/agenda.md).
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("foerste_opfoelgning", "andelen af første opfølgninger holdt til tiden i måneden efter STARs definition, fx «84,2 % (32 af 38)»"),
    ("foerste_opfoelgning_egen", "den samme andel efter kommunens egen definition"),
    ("over_tre_uger", "andelen af første opfølgninger mere end tre uger for sent (holdt eller endnu ikke holdt 22 dage eller mere efter fristen)"),
    ("teams", "teamene med den laveste og den højeste andel til tiden"),
];

/// The kind's own shipped texts; the others are the common ones.
pub(super) fn template(content: Content) -> Option<&'static str> {
    Some(match content {
        Content::Summary => "Orientering om fristoverholdelse i {{kommune}} for {{maaned}}: {{foerste_opfoelgning}} af de første opfølgninger blev holdt til tiden.",
        Content::Question => "Udvalget orienteres om overholdelsen af fristen for første opfølgning på sygedagpengeområdet i {{maaned}}.",
        Content::Figures => "Efter STARs definition blev {{foerste_opfoelgning}} af de første opfølgningssamtaler, der skulle holdes i {{maaned}}, holdt til tiden. Efter kommunens egen definition var andelen {{foerste_opfoelgning_egen}}.\n{{over_tre_uger}}\n{{teams}}",
        Content::Consequence => "{{over_tre_uger}}",
        Content::Law => "Lov om sygedagpenge § 13 om første opfølgning, med de regler, der gælder på fristen; opgjort pr. {{opgoerelsesdato}}.",
        _ => return None,
    })
}

fn values(input: Inputs<'_>) -> HashMap<&'static str, String> {
    let r = input.report;
    let d = input.deadlines;
    let month = r.follow_up.months.iter().find(|m| m.month == r.month);
    let share = |s: Option<&crate::committee::follow_up::Share>| s.map_or("-".into(), |s| s.text());
    let late = if d.total.measured == 0 {
        "Ingen første opfølgninger faldt i måneden.".to_string()
    } else {
        format!(
            "{} af de første opfølgninger ({} af {}) var mere end tre uger for sent.",
            d.total.late_text(),
            dk::int(i64::from(d.total.late_over_3_weeks)),
            dk::int(i64::from(d.total.measured))
        )
    };
    let with: Vec<&TeamDeadlines> = d.teams.iter().filter(|t| t.measured > 0).collect();
    let ratio = |t: &TeamDeadlines| f64::from(t.on_time) / f64::from(t.measured);
    let lo = with
        .iter()
        .min_by(|a, b| ratio(a).total_cmp(&ratio(b)).then(a.team.cmp(&b.team)));
    let hi = with
        .iter()
        .max_by(|a, b| ratio(a).total_cmp(&ratio(b)).then(b.team.cmp(&a.team)));
    let teams = match (lo, hi) {
        (Some(lo), Some(hi)) if with.len() > 1 => format!(
            "Andelen til tiden var lavest i {} ({}) og højest i {} ({}); tabellen viser alle {} teams.",
            lo.team,
            lo.on_time_text(),
            hi.team,
            hi.on_time_text(),
            dk::int(with.len() as i64)
        ),
        (Some(t), _) => format!("Alle opfølgningerne hører til {} ({}).", t.team, t.on_time_text()),
        _ => String::new(),
    };
    HashMap::from([
        (
            "foerste_opfoelgning",
            share(month.map(|m| &m.first_official)),
        ),
        (
            "foerste_opfoelgning_egen",
            share(month.map(|m| &m.first_own)),
        ),
        ("over_tre_uger", late),
        ("teams", teams),
    ])
}

fn teams_table(d: &Deadlines, r: &crate::committee::MonthlyReport) -> DraftTable {
    DraftTable {
        caption: format!(
            "Første opfølgning pr. team, {} (STARs definition)",
            dk::month(r.month)
        ),
        header: [
            "Team",
            "Første opfølgninger",
            "Til tiden",
            "Andel til tiden",
            "Over tre uger for sent",
            "Andel over tre uger",
        ]
        .map(String::from)
        .to_vec(),
        rows: d
            .teams
            .iter()
            .chain(std::iter::once(&d.total))
            .map(|t| {
                vec![
                    t.team.clone(),
                    dk::int(i64::from(t.measured)),
                    dk::int(i64::from(t.on_time)),
                    t.on_time_text(),
                    dk::int(i64::from(t.late_over_3_weeks)),
                    t.late_text(),
                ]
            })
            .collect(),
    }
}

fn months_table(r: &crate::committee::MonthlyReport) -> DraftTable {
    DraftTable {
        caption: "Første opfølgning til tiden pr. måned".into(),
        header: ["Måned", "STARs definition", "Kommunens definition"]
            .map(String::from)
            .to_vec(),
        rows: r
            .follow_up
            .months
            .iter()
            .map(|m| {
                vec![
                    dk::month(m.month),
                    m.first_official.text(),
                    m.first_own.text(),
                ]
            })
            .collect(),
    }
}

/// The kind's values, its figures section's chart and tables, and its sources.
pub(super) fn parts(input: Inputs<'_>) -> Parts {
    let r = input.report;
    let points: Vec<(String, Option<f64>)> = r
        .follow_up
        .months
        .iter()
        .map(|m| (dk::month_short(m.month), m.first_official.value()))
        .collect();
    Parts {
        values: values(input),
        charts: vec![DraftChart {
            title: "Første opfølgning til tiden pr. måned, STARs definition".into(),
            alt: chart_alt(
                "andelen af første opfølgninger holdt til tiden, STARs definition, pr. måned",
                &points,
                dk::percent,
                None,
            ),
            data: ChartData::Shares {
                points,
                target: None,
            },
        }],
        tables: vec![teams_table(input.deadlines, r), months_table(r)],
        sources: vec![
            format!(
                "Første opfølgning: Kadence, egne data pr. {}, {}; pr. team efter sagsbehandlerens team.",
                r.as_of.dk(),
                input.deadlines.definition
            ),
            format!(
                "Over tre uger for sent: første samtale holdt mere end {LATE_DAYS} dage efter fristen, eller endnu ikke holdt {LATE_DAYS} dage efter."
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::test_support::{pop_with, Facts};
    use crate::model::CourseKind::SicknessBenefit as S;

    /// Three courses whose first follow-up fell due in June 2026 (first day of absence 01-04-2026,
    /// deadline before the end of the 8th week): one held in time, one held 22 days late, one
    /// held 21 days late. On time 1 of 3; more than three weeks late 1 of 3 (21 days is not over).
    #[test]
    fn late_by_more_than_three_weeks_is_22_days_or_more() {
        let pop = pop_with(Facts {
            courses: &[
                ("2026-04-01", "2026-04-01", None, S, 1),
                ("2026-04-01", "2026-04-01", None, S, 2),
                ("2026-04-01", "2026-04-01", None, S, 3),
            ],
            conversations: &[],
            standby: &[],
        });
        let book = RuleBook::danish();
        let def = Definition::official();
        let as_of = Day::ymd(2026, 9, 30);
        // Find the deadline the rules give, then place the conversations around it.
        let month_with = Month::range(Month::new(2026, 4), Month::new(2026, 7))
            .find(|m| deadlines(&pop, &book, &def, *m, as_of).total.measured == 3)
            .expect("the three deadlines fall in one month");
        let due = measures::compute(
            &pop,
            &book,
            MeasureKind::FirstFollowUpOnTime,
            &def,
            month_with,
            month_with,
            as_of,
        )
        .members[0]
            .window
            .1;
        let held = [due, due.add_days(22), due.add_days(21)];
        let iso: Vec<String> = held.iter().map(|d| d.to_string()).collect();
        let (a, b, c) = ([iso[0].as_str()], [iso[1].as_str()], [iso[2].as_str()]);
        let pop = pop_with(Facts {
            courses: &[
                ("2026-04-01", "2026-04-01", None, S, 1),
                ("2026-04-01", "2026-04-01", None, S, 2),
                ("2026-04-01", "2026-04-01", None, S, 3),
            ],
            conversations: &[(0, &a), (1, &b), (2, &c)],
            standby: &[],
        });
        let d = deadlines(&pop, &book, &def, month_with, as_of);
        assert_eq!(
            (d.total.measured, d.total.on_time, d.total.late_over_3_weeks),
            (3, 1, 1)
        );
        assert_eq!(d.total.on_time_text(), "33,3 %");
        // Courses 0 and 2 have the caseworker of Team 1; course 1 (held 22 days late) has none.
        let by: Vec<_> = d
            .teams
            .iter()
            .map(|t| (t.team.as_str(), t.measured, t.on_time, t.late_over_3_weeks))
            .collect();
        assert_eq!(by, [("Ingen team", 1, 0, 1), ("Team 1", 2, 1, 0)]);
    }
}
