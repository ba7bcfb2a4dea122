//! Registration lag (registreringsefterslæb): how long after a conversation was held it was
//! registered, per caseworker and team, against the municipality's rule (a setting, default the
//! same day).
//!
//! Punkt 60 of the Vesthimmerland minutes names late registration as one cause of the missed
//! early-effort target, and its cure as a habit: "samtaler som udgangspunkt skulle registreres på
//! dagen for afholdelsen". STAR counts registrations, so a conversation registered after the day a
//! figure is made does not count in it (`measures`, `AsOfReading::Known`); this figure shows who
//! registers late and by how much, so a team lead can act on the habit.
//!
//! Counted: held conversations held in the period and registered on or before the as-of date (what
//! the case system holds then; one still unregistered is unknown and cannot be counted, so the
//! newest days rise as registrations arrive). A conversation without a registration date (the
//! export has none) is counted apart, never as on time.

use serde::Serialize;

use crate::date::Day;
use crate::measures::{Group, Split};
use crate::model::{CaseworkerId, Population};

/// The bands of the lag's distribution: (first day, last day or open, Danish label).
pub const BANDS: [(i32, Option<i32>, &str); 5] = [
    (0, Some(0), "Samme dag"),
    (1, Some(3), "1-3 dage"),
    (4, Some(7), "4-7 dage"),
    (8, Some(14), "8-14 dage"),
    (15, None, "Over 14 dage"),
];

fn band(lag: i32) -> usize {
    BANDS
        .iter()
        .position(|(lo, hi, _)| lag >= *lo && hi.is_none_or(|hi| lag <= hi))
        .unwrap_or(BANDS.len() - 1)
}

/// The lag of one group's conversations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LagRow {
    pub group: Group,
    /// A team's name, "Ikke fordelt" or "I alt"; empty for a caseworker, whom each shell names as
    /// its reader may see her (by name or pseudonym).
    pub label: String,
    /// Held conversations with a registration date.
    pub registered: u32,
    /// Of those, registered later than the rule allows.
    pub late: u32,
    /// Conversations per band of [`BANDS`].
    pub bands: [u32; BANDS.len()],
    /// The longest lag, in days.
    pub longest: Option<i32>,
    /// Held conversations without a registration date (the day held stands in).
    pub without_date: u32,
}

impl LagRow {
    fn new(pop: &Population, group: Group) -> LagRow {
        LagRow {
            label: match group {
                Group::Total => "I alt".into(),
                Group::Team(Some(t)) => pop.teams[t.index()].name.clone(),
                Group::Team(None) | Group::Caseworker(None) => "Ikke fordelt".into(),
                Group::Caseworker(Some(_)) => String::new(),
            },
            group,
            registered: 0,
            late: 0,
            bands: [0; BANDS.len()],
            longest: None,
            without_date: 0,
        }
    }

    /// The share registered later than the rule; `None` without registration dates.
    pub fn late_share(&self) -> Option<f64> {
        (self.registered > 0).then(|| f64::from(self.late) / f64::from(self.registered))
    }

    /// The row's figures in Danish, as every table prints them: conversations, late, share late,
    /// longest lag ("1.234", "56", "4,5 %", "27 dage"; "-" where there is none).
    pub fn texts(&self) -> [String; 4] {
        use crate::dk;
        [
            dk::int(i64::from(self.registered)),
            dk::int(i64::from(self.late)),
            self.late_share()
                .map(dk::percent)
                .unwrap_or_else(|| "-".into()),
            self.longest
                .map(|d| dk::days(i64::from(d)))
                .unwrap_or_else(|| "-".into()),
        ]
    }

    fn add(&mut self, lag: Option<i32>, rule_days: u16) {
        match lag {
            None => self.without_date += 1,
            Some(lag) => {
                self.registered += 1;
                self.late += u32::from(lag > i32::from(rule_days));
                self.bands[band(lag)] += 1;
                self.longest = self.longest.max(Some(lag));
            }
        }
    }
}

/// The registration lag over a period, split by team or caseworker, with the total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LagFigure {
    pub from: Day,
    pub to: Day,
    pub as_of: Day,
    /// The municipality's rule: registered at most this many days after the day held.
    pub rule_days: u16,
    pub total: LagRow,
    /// Per group, in the group's order with "Ikke fordelt" last (empty for [`Split::Total`]).
    pub rows: Vec<LagRow>,
}

impl LagFigure {
    /// Whether the export had registration dates at all for the period.
    pub fn has_dates(&self) -> bool {
        self.total.registered > 0
    }

    /// Danish: the rule, for headings ("samme dag", "senest 2 dage efter").
    pub fn rule_text(&self) -> String {
        if self.rule_days == 0 {
            "samme dag, som samtalen er holdt".into()
        } else {
            format!(
                "senest {} efter, at samtalen er holdt",
                crate::dk::days(i64::from(self.rule_days))
            )
        }
    }
}

/// The registration lag of the held conversations held in `from..=to` and known on `as_of`,
/// split by `split`, counting only the conversations of the caseworkers `include` accepts (a
/// caseworker sees her own; `None` is a conversation with no caseworker, the course's if the
/// conversation names none). Pure: the as-of date is given.
pub fn registration_lag(
    pop: &Population,
    from: Day,
    to: Day,
    as_of: Day,
    rule_days: u16,
    split: Split,
    include: impl Fn(Option<CaseworkerId>) -> bool,
) -> LagFigure {
    use std::collections::BTreeMap;
    let to = to.min(as_of);
    let mut total = LagRow::new(pop, Group::Total);
    let mut rows: BTreeMap<Group, LagRow> = BTreeMap::new();
    for f in pop.all_facts() {
        // Conversations are sorted by date: only the period's are looked at.
        let lo = f.conversations.partition_point(|c| c.date < from);
        let period = f.conversations[lo..].iter().take_while(|c| c.date <= to);
        for c in period.filter(|c| c.held) {
            if c.registered.is_some_and(|r| r > as_of) {
                continue;
            }
            let worker = c.caseworker.or(f.course.caseworker);
            if !include(worker) {
                continue;
            }
            let lag = c.registration_lag();
            total.add(lag, rule_days);
            let group = match split {
                Split::Total => continue,
                Split::Team => Group::Team(worker.map(|w| pop.caseworkers[w.index()].team)),
                Split::Caseworker => Group::Caseworker(worker),
            };
            rows.entry(group)
                .or_insert_with(|| LagRow::new(pop, group))
                .add(lag, rule_days);
        }
    }
    LagFigure {
        from,
        to,
        as_of,
        rule_days,
        total,
        // "Ikke fordelt" (no team or caseworker) after the named groups.
        rows: {
            let (named, unassigned): (Vec<_>, Vec<_>) = rows
                .into_values()
                .partition(|r| !matches!(r.group, Group::Team(None) | Group::Caseworker(None)));
            named.into_iter().chain(unassigned).collect()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn pop(convs: &[(&str, Option<&str>, bool, u32)]) -> Population {
        let d = |s: &str| Day::parse_iso(s).expect("date");
        let mut b = PopulationBuilder::new();
        let t = b.add_team(Team {
            key: "T1".into(),
            name: "Nord".into(),
        });
        for k in ["S1", "S2"] {
            b.add_caseworker(Caseworker {
                key: k.into(),
                name: k.into(),
                team: t,
            });
        }
        let cit = b.add_citizen(Citizen {
            cpr: crate::cpr::Cpr::synthetic(d("1980-05-05"), 1),
            name: "A".into(),
        });
        let first = d("2023-01-02");
        b.add_course(Course {
            key: "F1".into(),
            citizen: cit,
            kind: CourseKind::SicknessBenefit,
            first_absence: first,
            benefit_start: first,
            transition: None,
            from_course: None,
            target_group: TargetGroup::Unemployed,
            visitation: None,
            early_request: None,
            predictable: None,
            reform: None,
            end: None,
            caseworker: Some(CaseworkerId::new(0)),
        });
        for (held, reg, is_held, cw) in convs {
            b.conversations.push((
                CourseId::new(0),
                Conversation {
                    date: d(held),
                    form: ConversationForm::InPerson,
                    held: *is_held,
                    planned: false,
                    caseworker: Some(CaseworkerId::new(*cw)),
                    registered: reg.map(d),
                },
            ));
        }
        b.build().0
    }

    #[test]
    fn lag_by_caseworker_against_the_rule() {
        let d = |s: &str| Day::parse_iso(s).expect("date");
        let p = pop(&[
            ("2023-02-01", Some("2023-02-01"), true, 0),  // same day
            ("2023-02-28", Some("2023-03-01"), true, 0),  // 1 day, across a month end
            ("2023-03-10", Some("2023-04-02"), true, 1),  // 23 days (Punkt 60's example)
            ("2023-03-15", Some("2023-03-19"), true, 1),  // 4 days
            ("2023-03-16", None, true, 1),                // no registration date
            ("2023-03-17", Some("2023-03-17"), false, 1), // cancelled: not counted
            ("2023-03-20", Some("2023-05-01"), true, 1),  // registered after the as-of date
        ]);
        let all = |_: Option<CaseworkerId>| true;
        let f = registration_lag(
            &p,
            d("2023-01-01"),
            d("2023-04-30"),
            d("2023-04-30"),
            0,
            Split::Caseworker,
            all,
        );
        assert_eq!(f.total.registered, 4);
        assert_eq!(f.total.late, 3);
        assert_eq!(f.total.without_date, 1);
        assert_eq!(f.total.bands, [1, 1, 1, 0, 1]);
        assert_eq!(f.total.longest, Some(23));
        assert_eq!(f.total.late_share(), Some(0.75));
        assert_eq!(f.rows.len(), 2);
        assert_eq!(
            (f.rows[0].group, f.rows[0].registered, f.rows[0].late),
            (Group::Caseworker(Some(CaseworkerId::new(0))), 2, 1)
        );
        assert_eq!((f.rows[1].registered, f.rows[1].late), (2, 2));
        // A rule of three days forgives the one-day lag only; four days is late under it.
        let lenient = registration_lag(
            &p,
            d("2023-01-01"),
            d("2023-04-30"),
            d("2023-04-30"),
            3,
            Split::Total,
            all,
        );
        assert_eq!(lenient.total.late, 2);
        assert!(lenient.rows.is_empty());
        // As known on 01-03-2023: the conversation registered that day counts, later ones do not.
        let then = registration_lag(
            &p,
            d("2023-01-01"),
            d("2023-04-30"),
            d("2023-03-01"),
            0,
            Split::Total,
            all,
        );
        assert_eq!((then.total.registered, then.total.late), (2, 1));
        assert_eq!(then.to, d("2023-03-01"));
        // A caseworker sees her own.
        let own = registration_lag(
            &p,
            d("2023-01-01"),
            d("2023-04-30"),
            d("2023-04-30"),
            0,
            Split::Total,
            |w| w == Some(CaseworkerId::new(1)),
        );
        assert_eq!((own.total.registered, own.total.late), (2, 2));
        // Her lags (4 and 23 days): half within "4-7 dage", the rest over 14 days.
        assert_eq!(own.total.bands, [0, 0, 1, 0, 1]);
    }

    #[test]
    fn bands_cover_every_lag_once() {
        for lag in 0..400 {
            let hits = BANDS
                .iter()
                .filter(|(lo, hi, _)| lag >= *lo && hi.is_none_or(|hi| lag <= hi))
                .count();
            assert_eq!(hits, 1, "{lag}");
        }
    }
}
