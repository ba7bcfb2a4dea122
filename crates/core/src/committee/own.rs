//! Kadence's own monthly figures for the groups whose facts it holds: persons and full-time persons
//! (fuldtidspersoner), by team and in total, as of any date (see the module above for the method).

use serde::Serialize;

use super::BENEFIT_GROUPS;
use crate::date::{Day, Month};
use crate::model::{CourseKind, Population, TeamId};

/// Kadence's own figure for one group, one month, one team (or all).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OwnFigure {
    pub group: &'static str,
    pub month: Month,
    /// `None` for the total; `Some(None)` for courses without a team.
    pub team: Option<Option<TeamId>>,
    /// Citizens with at least one day on benefit in the month.
    pub persons: u32,
    /// Days on benefit in the month, summed.
    pub benefit_days: u64,
    /// `benefit_days` over the days of the month.
    pub full_time_persons: f64,
    /// The as-of date lies inside the month: the figure is the month so far.
    pub partial: bool,
}

/// Kadence's own figures for `month` as of `as_of`: per group with own data, the total and, with
/// `by_team`, one per team (the team of the course's caseworker). Only facts known on `as_of` count.
pub fn own_figures(pop: &Population, month: Month, as_of: Day, by_team: bool) -> Vec<OwnFigure> {
    use std::collections::{BTreeMap, HashSet};
    let first = month.first_day();
    let last = month.last_day().min(as_of);
    let days_in_month = f64::from(first.days_until(month.last_day()) + 1);
    let mut out = Vec::new();
    for g in BENEFIT_GROUPS {
        let Some(kind) = g.own else { continue };
        // (team key or total) -> (citizens, days)
        let mut cells: BTreeMap<Option<Option<TeamId>>, (HashSet<u32>, u64)> = BTreeMap::new();
        cells.insert(None, (HashSet::new(), 0));
        if last >= first {
            for c in pop.courses.iter().filter(|c| c.kind == kind) {
                let Some((start, end)) = benefit_span(c, kind, as_of) else {
                    continue;
                };
                let (from, to) = (start.max(first), end.min(last));
                if to < from {
                    continue;
                }
                let days = u64::try_from(from.days_until(to) + 1).unwrap_or(0);
                let mut add = |k: Option<Option<TeamId>>| {
                    let e = cells.entry(k).or_default();
                    e.0.insert(c.citizen.get());
                    e.1 += days;
                };
                add(None);
                if by_team {
                    add(Some(pop.team_of(c)));
                }
            }
        }
        for (team, (citizens, days)) in cells {
            out.push(OwnFigure {
                group: g.code,
                month,
                team,
                persons: citizens.len() as u32,
                benefit_days: days,
                full_time_persons: days as f64 / days_in_month,
                partial: as_of < month.last_day() && as_of >= first,
            });
        }
    }
    out
}

/// One group's own figure for one month, in total (for series and charts).
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct OwnMonth {
    pub group: &'static str,
    pub month: Month,
    pub persons: u32,
    pub benefit_days: u64,
    pub full_time_persons: f64,
    pub partial: bool,
}

/// The course's days on benefit as known on `as_of`: from the benefit start (for job clarification
/// the transition) to its end, or to `as_of` while the end is not known (`None`: not yet begun).
fn benefit_span(c: &crate::model::Course, kind: CourseKind, as_of: Day) -> Option<(Day, Day)> {
    let start = match kind {
        CourseKind::SicknessBenefit => c.benefit_start,
        CourseKind::JobClarification => c.transition.unwrap_or(c.benefit_start),
    };
    let end = c
        .end
        .map(|e| e.date)
        .filter(|d| *d <= as_of)
        .unwrap_or(as_of);
    (start <= as_of && start <= end).then_some((start, end))
}

/// The totals of `own_figures` for every month `from..=to` in one pass over the courses (the
/// committee page's three-year series at national scale). A citizen with two courses of a kind in
/// a month counts once: citizens with one course need no check, the few with more go through a set.
pub fn own_monthly(pop: &Population, from: Month, to: Month, as_of: Day) -> Vec<OwnMonth> {
    use std::collections::HashSet;
    let n = usize::try_from(from.months_until(to) + 1).unwrap_or(0);
    let mut out = Vec::new();
    for g in BENEFIT_GROUPS {
        let Some(kind) = g.own else { continue };
        let mut courses_of = vec![0u8; pop.citizens.len()];
        for c in pop.courses.iter().filter(|c| c.kind == kind) {
            let k = &mut courses_of[c.citizen.index()];
            *k = k.saturating_add(1);
        }
        let mut persons = vec![0u32; n];
        let mut days = vec![0u64; n];
        let mut seen: HashSet<(u32, usize)> = HashSet::new();
        for c in pop.courses.iter().filter(|c| c.kind == kind) {
            let Some((start, end)) = benefit_span(c, kind, as_of) else {
                continue;
            };
            let (a, b) = (start.month().max(from), end.month().min(to));
            if a > b {
                continue;
            }
            for m in Month::range(a, b) {
                let i = from.months_until(m) as usize;
                let (x, y) = (start.max(m.first_day()), end.min(m.last_day()));
                days[i] += u64::try_from(x.days_until(y) + 1).unwrap_or(0);
                if courses_of[c.citizen.index()] == 1 || seen.insert((c.citizen.get(), i)) {
                    persons[i] += 1;
                }
            }
        }
        for (i, m) in Month::range(from, to).enumerate() {
            let dim = f64::from(m.first_day().days_until(m.last_day()) + 1);
            out.push(OwnMonth {
                group: g.code,
                month: m,
                persons: if m.first_day() > as_of { 0 } else { persons[i] },
                benefit_days: days[i],
                full_time_persons: days[i] as f64 / dim,
                partial: as_of < m.last_day() && as_of >= m.first_day(),
            });
        }
    }
    out
}

/// Danish: how the own figures are made (for every page and table that shows them).
pub const METHOD: &str = "Kadence, egne data: personer = borgere med mindst én dag på ydelsen i måneden; fuldtidspersoner = dage på ydelsen i måneden (fra ydelsesstart, for jobafklaring fra overgangen, til slutdatoen) divideret med månedens dage, summeret. Er opgørelsesdatoen inde i måneden, tælles dagene til og med den.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::test_support::pop;
    use crate::model::*;

    fn sick(figs: &[OwnFigure]) -> &OwnFigure {
        figs.iter()
            .find(|f| f.group == "sygedagpenge" && f.team.is_none())
            .unwrap()
    }

    /// Full-time persons against hand-computed months: a course starting mid-month, one ending
    /// mid-month, one spanning a year end, a leap February, and one citizen with two courses.
    #[test]
    fn full_time_persons_by_hand() {
        use CourseKind::SicknessBenefit as S;
        let p = pop(&[
            // Starts paying 15 Feb 2024 (leap year): 15 days of 29.
            ("2024-01-16", "2024-02-15", None, S, 1),
            // Ends 10 Feb: 10 days.
            ("2023-12-01", "2023-12-31", Some("2024-02-10"), S, 2),
            // Spans the year end, all of February: 29 days.
            ("2023-11-01", "2023-12-01", Some("2024-03-31"), S, 3),
            // The same citizen twice in February: 1-5 Feb and 20-29 Feb (5 + 10 days), one person.
            ("2024-01-01", "2024-01-15", Some("2024-02-05"), S, 4),
            ("2024-02-20", "2024-02-20", None, S, 4),
            // Not in February: ended in January.
            ("2023-10-01", "2023-10-15", Some("2024-01-31"), S, 5),
        ]);
        let as_of = Day::ymd(2024, 3, 15);
        let f = own_figures(&p, Month::new(2024, 2), as_of, false);
        let s = sick(&f);
        assert_eq!(s.persons, 4);
        assert_eq!(s.benefit_days, 15 + 10 + 29 + 5 + 10);
        assert!((s.full_time_persons - 69.0 / 29.0).abs() < 1e-9);
        assert!(!s.partial);
        // December 2023 across the year end: course 2 from 31 Dec (1 day), course 3 all 31 days,
        // course 5 all 31 days.
        let s = own_figures(&p, Month::new(2023, 12), as_of, false);
        assert_eq!(sick(&s).benefit_days, 1 + 31 + 31);
        assert!((sick(&s).full_time_persons - 63.0 / 31.0).abs() < 1e-9);
    }

    /// As of a day inside the month: the days so far over the whole month; a later end or a course
    /// starting after the as-of date is not known.
    #[test]
    fn as_of_inside_the_month() {
        use CourseKind::SicknessBenefit as S;
        let p = pop(&[
            ("2024-01-16", "2024-02-01", Some("2024-02-20"), S, 1),
            ("2024-02-01", "2024-02-12", None, S, 2),
        ]);
        let f = own_figures(&p, Month::new(2024, 2), Day::ymd(2024, 2, 10), false);
        let s = sick(&f);
        assert_eq!((s.persons, s.benefit_days, s.partial), (1, 10, true));
        assert!((s.full_time_persons - 10.0 / 29.0).abs() < 1e-9);
    }

    #[test]
    fn job_clarification_counts_from_the_transition_and_teams_split() {
        let p = pop(&[
            (
                "2023-01-02",
                "2024-03-11",
                None,
                CourseKind::JobClarification,
                1,
            ),
            (
                "2023-02-01",
                "2024-01-01",
                None,
                CourseKind::JobClarification,
                2,
            ),
        ]);
        let f = own_figures(&p, Month::new(2024, 3), Day::ymd(2024, 3, 31), true);
        let total = f
            .iter()
            .find(|x| x.group == "jobafklaring" && x.team.is_none())
            .unwrap();
        assert_eq!((total.persons, total.benefit_days), (2, 21 + 31));
        // Course 0 has the team's caseworker, course 1 none.
        let team: Vec<_> = f
            .iter()
            .filter(|x| x.group == "jobafklaring" && x.team.is_some())
            .map(|x| (x.team.unwrap().is_some(), x.benefit_days))
            .collect();
        assert_eq!(team, vec![(false, 31), (true, 21)]);
    }

    /// The one-pass series equals the month-by-month figures, month by month, as of inside a
    /// month and after it.
    #[test]
    fn monthly_series_equals_month_by_month() {
        use CourseKind::SicknessBenefit as S;
        let p = pop(&[
            ("2024-01-16", "2024-02-15", None, S, 1),
            ("2023-12-01", "2023-12-31", Some("2024-02-10"), S, 2),
            ("2023-11-01", "2023-12-01", Some("2024-03-31"), S, 3),
            ("2024-01-01", "2024-01-15", Some("2024-02-05"), S, 4),
            ("2024-02-20", "2024-02-20", None, S, 4),
            (
                "2023-02-01",
                "2024-01-01",
                None,
                CourseKind::JobClarification,
                5,
            ),
        ]);
        for as_of in [Day::ymd(2024, 2, 10), Day::ymd(2024, 4, 30)] {
            let series = own_monthly(&p, Month::new(2023, 10), Month::new(2024, 5), as_of);
            for m in series {
                let f = own_figures(&p, m.month, as_of, false);
                let one = f
                    .iter()
                    .find(|x| x.group == m.group && x.team.is_none())
                    .unwrap();
                assert_eq!(
                    (one.persons, one.benefit_days, one.partial),
                    (m.persons, m.benefit_days, m.partial),
                    "{} {} as of {as_of}",
                    m.group,
                    m.month
                );
            }
        }
    }
}
