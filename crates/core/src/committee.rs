//! The committee's figures: benefit groups as versioned data, and Kadence's own monthly figures for
//! the groups whose facts it holds (sickness benefit and job clarification).
//!
//! `shared/domain/committee.md` §1.1-1.2 (the groups and their Jobindsats tables; persons and
//! full-time persons) and `reform-2026-2027.md` §7 (the groups change in 2025-2027). A group is data
//! with the months it exists, and a phasing-out state (no inflow, the stock still counted), so that
//! 2024-2027 stay comparable.
//!
//! Full-time persons (fuldtidspersoner) of a month: the days on benefit in the month over the days
//! of the month, summed over the citizens. A day is on benefit from the benefit start (ydelsesstart:
//! the first day the municipality pays; for job clarification the transition) to the course's last
//! day. As of a date inside the month, only the days up to it are known: the figure is then the month
//! so far, over the whole month's days, and says so. Persons: the citizens with at least one day on
//! benefit in the month (a citizen with two courses in the month counts once).

use serde::Serialize;

use crate::date::{Day, Month};
use crate::model::{CourseKind, Population, TeamId};

/// Where a group stands in a month.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum GroupState {
    /// Not yet a benefit.
    NotYet,
    /// Open to new citizens.
    Active,
    /// Closed to new citizens; the stock is still counted (udfases).
    PhasingOut,
    /// No longer exists.
    Ended,
}

impl GroupState {
    pub fn label(self) -> &'static str {
        match self {
            GroupState::NotYet => "findes endnu ikke",
            GroupState::Active => "aktiv",
            GroupState::PhasingOut => "udfases (ingen nye, bestanden tælles)",
            GroupState::Ended => "ophørt",
        }
    }
}

/// One benefit group (ydelsesgruppe), versioned.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BenefitGroup {
    /// Stable code ("sygedagpenge").
    pub code: &'static str,
    /// Danish label.
    pub label: &'static str,
    /// The Jobindsats tables behind it (newest first).
    pub tables: &'static [&'static str],
    /// First month the group exists (`None`: before our period).
    pub from: Option<Month>,
    /// First month it no longer takes new citizens (`None`: open).
    pub phasing_out_from: Option<Month>,
    /// First month it no longer exists (`None`: still exists).
    pub ended_from: Option<Month>,
    /// The course kind Kadence's own data count for it, if any.
    pub own: Option<CourseKind>,
    /// Why its dates are what they are, and whether they are confirmed (Danish).
    pub note: &'static str,
    /// The dates rest on a plan, not on enacted law (shown "foreløbig").
    pub provisional: bool,
}

impl BenefitGroup {
    /// Whether the group's state in `m` rests on a plan, not on enacted law.
    pub fn provisional_in(&self, m: Month) -> bool {
        self.provisional
            && [self.phasing_out_from, self.ended_from]
                .into_iter()
                .flatten()
                .any(|d| m >= d)
    }

    pub fn state_in(&self, m: Month) -> GroupState {
        if self.from.is_some_and(|f| m < f) {
            GroupState::NotYet
        } else if self.ended_from.is_some_and(|e| m >= e) {
            GroupState::Ended
        } else if self.phasing_out_from.is_some_and(|p| m >= p) {
            GroupState::PhasingOut
        } else {
            GroupState::Active
        }
    }
}

/// The benefit groups of the monthly management information (`committee.md` §1.1; changes from
/// `reform-2026-2027.md` §7).
pub const BENEFIT_GROUPS: &[BenefitGroup] = &[
    BenefitGroup {
        code: "a-dagpenge",
        label: "A-dagpenge",
        tables: &["Y01A02"],
        from: None,
        phasing_out_from: None,
        ended_from: None,
        own: None,
        note: "",
        provisional: false,
    },
    BenefitGroup {
        code: "kontanthjaelp",
        label: "Kontanthjælp",
        tables: &["Y60A02", "Y36A02"],
        from: None,
        phasing_out_from: None,
        ended_from: None,
        own: None,
        note: "Y36A02 i ældre opgørelser",
        provisional: false,
    },
    BenefitGroup {
        code: "uddannelseshjaelp",
        label: "Uddannelseshjælp",
        tables: &["Y38A02"],
        from: None,
        phasing_out_from: None,
        ended_from: Some(Month::new(2025, 7)),
        own: None,
        note: "Ophørt som selvstændig ydelse 1. juli 2025 (kontanthjælpsreformen, lov 1655/2024)",
        provisional: false,
    },
    BenefitGroup {
        code: "revalidering",
        label: "Revalidering",
        tables: &["Y04A02"],
        from: None,
        phasing_out_from: Some(Month::new(2026, 2)),
        ended_from: None,
        own: None,
        note: "Afskaffet for nye borgere ved lov 1750/2025; datoen 1. februar 2026 er udledt",
        provisional: false,
    },
    BenefitGroup {
        code: "selvforsoergelse",
        label: "Selvforsørgelses-, hjemrejse- og overgangsydelse",
        tables: &["Y35A02"],
        from: None,
        phasing_out_from: None,
        ended_from: None,
        own: None,
        note: "",
        provisional: false,
    },
    BenefitGroup {
        code: "sygedagpenge",
        label: "Sygedagpenge",
        tables: &["Y07A02"],
        from: None,
        phasing_out_from: None,
        ended_from: None,
        own: Some(CourseKind::SicknessBenefit),
        note: "Fra 2027 (planlagt) også forløb på nedsat sats efter revurdering",
        provisional: false,
    },
    BenefitGroup {
        code: "jobafklaring",
        label: "Jobafklaringsforløb",
        tables: &["Y12A02"],
        from: None,
        phasing_out_from: Some(Month::new(2027, 1)),
        ended_from: None,
        own: Some(CourseKind::JobClarification),
        note: "Ingen nye forløb fra 1. januar 2027 efter reformens 2. fase (planlagt, ikke bekræftet); forløb i gang tælles, til de slutter",
        provisional: true,
    },
    BenefitGroup {
        code: "ressourceforloeb",
        label: "Ressourceforløb",
        tables: &["Y11A02"],
        from: None,
        phasing_out_from: Some(Month::new(2026, 2)),
        ended_from: None,
        own: None,
        note: "Ingen nye tilkendelser fra 1. februar 2026 (bek. 58/2026 § 1, stk. 3); bestanden tælles",
        provisional: false,
    },
    BenefitGroup {
        code: "ledighedsydelse",
        label: "Ledighedsydelse",
        tables: &["Y09A02"],
        from: None,
        phasing_out_from: None,
        ended_from: None,
        own: None,
        note: "",
        provisional: false,
    },
    BenefitGroup {
        code: "fleksjob",
        label: "Fleksjob",
        tables: &["Y08A02"],
        from: None,
        phasing_out_from: None,
        ended_from: None,
        own: None,
        note: "",
        provisional: false,
    },
    BenefitGroup {
        code: "foertidspension",
        label: "Førtidspension",
        tables: &["Y10A02"],
        from: None,
        phasing_out_from: None,
        ended_from: None,
        own: None,
        note: "",
        provisional: false,
    },
    BenefitGroup {
        code: "alle",
        label: "Alle ydelser under ét",
        tables: &["PTVA02"],
        from: None,
        phasing_out_from: None,
        ended_from: None,
        own: None,
        note: "",
        provisional: false,
    },
];

/// The group by code.
pub fn group(code: &str) -> Option<&'static BenefitGroup> {
    BENEFIT_GROUPS.iter().find(|g| g.code == code)
}

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
                let start = match kind {
                    CourseKind::SicknessBenefit => c.benefit_start,
                    CourseKind::JobClarification => c.transition.unwrap_or(c.benefit_start),
                };
                // The end is known only once it has happened; a later one runs to the as-of date.
                let end = c
                    .end
                    .map(|e| e.date)
                    .filter(|d| *d <= as_of)
                    .unwrap_or(as_of);
                let (from, to) = (start.max(first), end.min(last));
                if to < from || start > as_of {
                    continue;
                }
                let days = u64::try_from(from.days_until(to) + 1).unwrap_or(0);
                let mut add = |k: Option<Option<TeamId>>| {
                    let e = cells.entry(k).or_default();
                    e.0.insert(c.citizen.0);
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

/// Danish: how the own figures are made (for every page and table that shows them).
pub const METHOD: &str = "Kadence, egne data: personer = borgere med mindst én dag på ydelsen i måneden; fuldtidspersoner = dage på ydelsen i måneden (fra ydelsesstart, for jobafklaring fra overgangen, til slutdatoen) divideret med månedens dage, summeret. Er opgørelsesdatoen inde i måneden, tælles dagene til og med den.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpr::Cpr;
    use crate::model::*;

    fn pop(courses: &[(&str, &str, Option<&str>, CourseKind, u16)]) -> Population {
        let mut b = PopulationBuilder::new();
        let team = b.add_team(Team {
            key: "T1".into(),
            name: "Team 1".into(),
        });
        let cw = b.add_caseworker(Caseworker {
            key: "S1".into(),
            name: "Sagsbehandler".into(),
            team,
        });
        let mut citizens = std::collections::HashMap::new();
        for (i, (fa, start, end, kind, citizen)) in courses.iter().enumerate() {
            let cit = *citizens.entry(*citizen).or_insert_with(|| {
                b.add_citizen(Citizen {
                    cpr: Cpr::synthetic(Day::ymd(1980, 1, 1), *citizen),
                    name: format!("Borger {citizen}"),
                })
            });
            let d = |s: &str| Day::parse_iso(s).unwrap();
            b.add_course(Course {
                key: format!("F{i}"),
                citizen: cit,
                kind: *kind,
                first_absence: d(fa),
                benefit_start: d(start),
                transition: (*kind == CourseKind::JobClarification).then(|| d(start)),
                from_course: None,
                target_group: TargetGroup::Employed,
                visitation: None,
                early_request: None,
                predictable: None,
                reform: None,
                end: end.map(|e| CourseEnd {
                    date: d(e),
                    reason: EndReason::BackToWork,
                }),
                caseworker: (i % 2 == 0).then_some(cw),
            });
        }
        b.build().0
    }

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

    #[test]
    fn groups_change_over_2025_to_2027() {
        let at = |code: &str, y, m| group(code).unwrap().state_in(Month::new(y, m));
        assert_eq!(at("uddannelseshjaelp", 2025, 6), GroupState::Active);
        assert_eq!(at("uddannelseshjaelp", 2025, 7), GroupState::Ended);
        assert_eq!(at("ressourceforloeb", 2026, 1), GroupState::Active);
        assert_eq!(at("ressourceforloeb", 2026, 2), GroupState::PhasingOut);
        assert_eq!(at("revalidering", 2026, 2), GroupState::PhasingOut);
        assert_eq!(at("jobafklaring", 2026, 12), GroupState::Active);
        assert_eq!(at("jobafklaring", 2027, 1), GroupState::PhasingOut);
        assert!(group("jobafklaring")
            .unwrap()
            .provisional_in(Month::new(2027, 1)));
        assert!(!group("jobafklaring")
            .unwrap()
            .provisional_in(Month::new(2026, 12)));
        assert_eq!(at("sygedagpenge", 2027, 6), GroupState::Active);
        // Every table id is Jobindsats-shaped, every code unique.
        let mut codes = std::collections::HashSet::new();
        for g in BENEFIT_GROUPS {
            assert!(codes.insert(g.code), "{}", g.code);
            assert!(!g.tables.is_empty());
        }
    }
}
