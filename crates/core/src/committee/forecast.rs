//! The month-end forecast of the early-effort figure (prognose for tidlig indsats): for the month
//! of the as-of date, the sickness-benefit courses that reach six months in it under STAR's
//! definition, sorted by what can still happen before their six-month mark:
//!
//! - **met** (nået): four conversations held already;
//! - **met if the booked are held** (nås med de planlagte): held plus booked ("Planlagt") before
//!   the mark make four;
//! - **can still be met** (kan nås): the conversations missing fit in the days left, if they are
//!   booked (at most one a day, the last on the last day of the window);
//! - **lost** (kan ikke nås): the mark has passed without four, or too few days are left.
//!
//! The range is the figure if none of the booked is held (met only) and if all are (met + met if
//! held); the courses that can still be met are what a team lead can add by booking. The list of
//! them, with the last possible day, is `open`, the base of the team lead's list. Only STAR's
//! definition is forecast: it is the figure the 80 % is judged on.

use serde::Serialize;

use crate::date::{Day, Month};
use crate::measures::{early_effort_window, Definition};
use crate::model::{CourseId, CourseKind, Population};
use crate::rules::RuleBook;

/// The conversations the early effort asks for by six months.
pub const NEEDED: usize = 4;

/// Where a course stands against the six-month mark.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Outlook {
    Met,
    MetIfBookedHeld,
    CanStillBeMet,
    Lost,
}

impl Outlook {
    pub fn label(self) -> &'static str {
        match self {
            Outlook::Met => "Nået",
            Outlook::MetIfBookedHeld => "Nås, hvis de planlagte samtaler holdes",
            Outlook::CanStillBeMet => "Kan nås, hvis der bookes samtaler",
            Outlook::Lost => "Kan ikke nås",
        }
    }
}

/// One course of the month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForecastCourse {
    pub course: CourseId,
    pub outlook: Outlook,
    pub held: u16,
    /// Booked after the as-of date and before the mark.
    pub booked: u16,
    /// Conversations still to be booked (beyond the booked) to reach four.
    pub to_book: u16,
    /// The last day of the window: the last day a conversation counts.
    pub last_day: Day,
    /// The day the course reaches six months (the day after `last_day`).
    pub mark: Day,
}

/// The forecast.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Forecast {
    pub month: Month,
    pub as_of: Day,
    /// Course by course (not in the committee's JSON: figures only there).
    #[serde(skip)]
    pub courses: Vec<ForecastCourse>,
    pub met: u32,
    pub met_if_booked_held: u32,
    pub can_still_be_met: u32,
    pub lost: u32,
    /// The share if none of the booked is held / if all are (`None`: no course this month).
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Danish: how it is made.
    pub method: &'static str,
}

pub const METHOD: &str = "Prognosen tæller forløbene, der når 6 måneders anciennitet i måneden efter STARs definition (første fraværsdag, kalendermåneder, standby tæller med). Det lave tal er de forløb, der allerede har 4 samtaler; det høje lægger dem til, der når 4, hvis de planlagte samtaler holdes. Forløb, der kan nå målet, hvis der bookes samtaler (højst én om dagen, senest dagen før 6-månedersdagen), står for sig; de ændrer tallet, hvis de bookes og holdes. Forløb, der slutter i måneden før deres 6-månedersdag, tæller ikke med hos STAR og kan falde bort.";

impl Forecast {
    /// The Danish sentence every surface prints: "I juni 2026 når 5 forløb 6 måneders
    /// anciennitet: 1 har nået 4 samtaler, 1 når dem, hvis de planlagte samtaler holdes, 1 kan nå
    /// dem, hvis der bookes samtaler, og 2 kan ikke nå dem. Tallet ender mellem 20,0 % og 40,0 %
    /// (mål: 80 %)."
    pub fn summary(&self) -> String {
        let total = self.courses_total();
        if total == 0 {
            return format!(
                "Ingen sygedagpengeforløb når 6 måneders anciennitet i {}.",
                crate::dk::month(self.month)
            );
        }
        let pct = |x: Option<f64>| {
            x.map_or("-".into(), |v| {
                format!("{} %", crate::dk::decimal(v * 100.0, 1))
            })
        };
        format!(
            "I {} når {} forløb 6 måneders anciennitet: {} har nået 4 samtaler, {} når dem, hvis de planlagte samtaler holdes, {} kan nå dem, hvis der bookes samtaler, og {} kan ikke nå dem. Tallet ender mellem {} og {} (mål: 80 %).",
            crate::dk::month(self.month),
            crate::dk::int(i64::from(total)),
            self.met,
            self.met_if_booked_held,
            self.can_still_be_met,
            self.lost,
            pct(self.low),
            pct(self.high)
        )
    }

    /// The four outlooks with their counts, in the order every table shows them.
    pub fn counts(&self) -> [(Outlook, u32); 4] {
        [
            (Outlook::Met, self.met),
            (Outlook::MetIfBookedHeld, self.met_if_booked_held),
            (Outlook::CanStillBeMet, self.can_still_be_met),
            (Outlook::Lost, self.lost),
        ]
    }

    /// Courses reaching six months in the month.
    pub fn courses_total(&self) -> u32 {
        self.met + self.met_if_booked_held + self.can_still_be_met + self.lost
    }

    /// The courses a team lead must act on: can still be met, most urgent (earliest last day) first.
    pub fn open(&self) -> impl Iterator<Item = &ForecastCourse> {
        self.courses
            .iter()
            .filter(|c| c.outlook == Outlook::CanStillBeMet)
    }
}

/// The forecast for the month of `as_of`.
pub fn forecast(pop: &Population, book: &RuleBook, as_of: Day) -> Forecast {
    let month = as_of.month();
    let def = Definition::official();
    let horizon = month.last_day();
    let mut courses = Vec::new();
    for id in pop.course_ids() {
        let f = pop.facts(id);
        if f.course.kind != CourseKind::SicknessBenefit {
            continue;
        }
        // Asked for this month only, so the window's month is this month.
        let Some((start, last_day, _)) =
            early_effort_window(&f, book, &def, month, month, as_of, horizon)
        else {
            continue;
        };
        // What the case system holds on the as-of day (STAR counts registrations).
        let held = def.held_between(&f, start, last_day, as_of);
        let booked = f
            .conversations
            .iter()
            .filter(|c| c.registered.is_none_or(|r| r <= as_of))
            .filter(|c| c.planned && c.date >= as_of && c.date >= start && c.date <= last_day)
            .map(|c| c.date)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let mark = last_day.add_days(1);
        // The as-of day counts: a conversation can still be held today.
        let days_left = if last_day >= as_of {
            as_of.days_until(last_day) as usize + 1
        } else {
            0
        };
        let missing = NEEDED.saturating_sub(held);
        let to_book = missing.saturating_sub(booked);
        let outlook = if missing == 0 {
            Outlook::Met
        } else if last_day < as_of {
            Outlook::Lost
        } else if to_book == 0 {
            Outlook::MetIfBookedHeld
        } else if missing <= days_left {
            // The booked and the still-to-book each need a day of their own from the as-of date on.
            Outlook::CanStillBeMet
        } else {
            Outlook::Lost
        };
        courses.push(ForecastCourse {
            course: id,
            outlook,
            held: held as u16,
            booked: booked as u16,
            to_book: to_book as u16,
            last_day,
            mark,
        });
    }
    courses.sort_by_key(|c| (c.outlook, c.last_day, c.course));
    let count = |o: Outlook| courses.iter().filter(|c| c.outlook == o).count() as u32;
    let (met, by_booked, can, lost) = (
        count(Outlook::Met),
        count(Outlook::MetIfBookedHeld),
        count(Outlook::CanStillBeMet),
        count(Outlook::Lost),
    );
    let total = courses.len() as f64;
    let share = |n: u32| (total > 0.0).then(|| f64::from(n) / total);
    Forecast {
        month,
        as_of,
        met,
        met_if_booked_held: by_booked,
        can_still_be_met: can,
        lost,
        low: share(met),
        high: share(met + by_booked),
        courses,
        method: METHOD,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::test_support::{pop_with_booked, Facts};
    use crate::model::CourseKind::SicknessBenefit as S;

    fn d(s: &str) -> Day {
        Day::parse_iso(s).unwrap()
    }

    /// As of 10-06-2026, five courses reach six months (from the first day of absence) in June.
    /// Their marks and what they have decide each case on its edge.
    #[test]
    fn each_course_of_the_month_by_what_can_still_happen() {
        let three = ["2026-01-15", "2026-02-15", "2026-03-15"];
        let four = ["2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15"];
        let pop = pop_with_booked(
            Facts {
                courses: &[
                    // 0: four held: met (mark 05-06, passed).
                    ("2025-12-05", "2025-12-05", None, S, 1),
                    // 1: three held, mark 05-06 passed: lost.
                    ("2025-12-05", "2025-12-05", None, S, 2),
                    // 2: three held, one booked 20-06 before mark 25-06: met if held.
                    ("2025-12-25", "2025-12-25", None, S, 3),
                    // 3: three held, none booked, last day 24-06: can still be met.
                    ("2025-12-25", "2025-12-25", None, S, 4),
                    // 4: one held, mark 12-06 (last day 11-06): three missing, one day left: lost.
                    ("2025-12-12", "2025-12-12", None, S, 5),
                    // 5: mark in July: not this month's.
                    ("2026-01-02", "2026-01-02", None, S, 6),
                ],
                conversations: &[
                    (0, &four),
                    (1, &three),
                    (2, &three),
                    (3, &three),
                    (4, &["2026-01-20"]),
                    (5, &four),
                ],
                standby: &[],
            },
            // 2's booking, one booked after its mark for 3 (does not count), one in the past for 4.
            &[(2, "2026-06-20"), (3, "2026-06-25"), (4, "2026-06-01")],
        );
        let f = forecast(&pop, &RuleBook::danish(), d("2026-06-10"));
        assert_eq!(f.month, Month::new(2026, 6));
        let by_course: Vec<(u32, Outlook, u16, u16, u16, &str)> = {
            let mut v: Vec<_> = f
                .courses
                .iter()
                .map(|c| {
                    (
                        c.course.get(),
                        c.outlook,
                        c.held,
                        c.booked,
                        c.to_book,
                        c.last_day,
                    )
                })
                .collect();
            v.sort_by_key(|x| x.0);
            v.into_iter()
                .map(|(id, o, h, b, t, l)| {
                    (
                        id,
                        o,
                        h,
                        b,
                        t,
                        if l == d("2026-06-24") { "24-06" } else { "" },
                    )
                })
                .collect()
        };
        assert_eq!(
            by_course,
            [
                (0, Outlook::Met, 4, 0, 0, ""),
                (1, Outlook::Lost, 3, 0, 1, ""),
                (2, Outlook::MetIfBookedHeld, 3, 1, 0, "24-06"),
                (3, Outlook::CanStillBeMet, 3, 0, 1, "24-06"),
                (4, Outlook::Lost, 1, 0, 3, ""),
            ]
        );
        assert_eq!(
            (f.met, f.met_if_booked_held, f.can_still_be_met, f.lost),
            (1, 1, 1, 2)
        );
        assert_eq!(f.low, Some(0.2));
        assert_eq!(f.high, Some(0.4));
        assert_eq!(
            f.summary(),
            "I juni 2026 når 5 forløb 6 måneders anciennitet: 1 har nået 4 samtaler, 1 når dem, hvis de planlagte samtaler holdes, 1 kan nå dem, hvis der bookes samtaler, og 2 kan ikke nå dem. Tallet ender mellem 20,0 % og 40,0 % (mål: 80 %)."
        );
        let open: Vec<u32> = f.open().map(|c| c.course.get()).collect();
        assert_eq!(open, [3]);
        assert_eq!(f.open().next().unwrap().mark, d("2026-06-25"));
    }

    /// The last day decides on its edge: as of the last day itself one missing conversation can
    /// still be held that day (the as-of day is a working day, not yet over); the day after, the
    /// course is lost.
    #[test]
    fn the_last_day_of_the_window_on_both_sides_of_the_as_of_date() {
        let three = ["2026-01-15", "2026-02-15", "2026-03-15"];
        let pop = pop_with_booked(
            Facts {
                courses: &[("2025-12-25", "2025-12-25", None, S, 1)],
                conversations: &[(0, &three)],
                standby: &[],
            },
            &[],
        );
        let book = RuleBook::danish();
        assert_eq!(
            forecast(&pop, &book, d("2026-06-25")).courses[0].outlook,
            Outlook::Lost
        );
        assert_eq!(
            forecast(&pop, &book, d("2026-06-24")).courses[0].outlook,
            Outlook::CanStillBeMet
        );
        // A leap-year February: first absence 29-08-2027 reaches six months on 29-02-2028; 30-08
        // has no 30-02, so its window ends on the 29th and it reaches six months in March.
        let pop = pop_with_booked(
            Facts {
                courses: &[
                    ("2027-08-29", "2027-08-29", None, S, 1),
                    ("2027-08-30", "2027-08-30", None, S, 2),
                ],
                conversations: &[],
                standby: &[],
            },
            &[],
        );
        let f = forecast(&pop, &book, d("2028-02-01"));
        assert_eq!(f.courses.len(), 1);
        assert_eq!(f.courses[0].last_day, d("2028-02-28"));
        assert_eq!(f.courses[0].mark, d("2028-02-29"));
        assert_eq!(f.courses[0].outlook, Outlook::CanStillBeMet);
        assert_eq!(f.courses[0].to_book, 4);
    }
}
