//! The committee's targets (måltal) and budget figures (budgetpersoner), kept with their history,
//! and the traffic light (trafiklys) the municipality's rule gives a group against them.
//!
//! `committee.md` §1.3: a yearly target per group in full-time persons and optional monthly budget
//! figures, each entry kept with who entered it and when; the latest entry per group and month (or
//! year) counts. As of a date, only entries made on or before it count, so a month's report can be
//! made again later and give the same lights. §5: no public source states the thresholds of a
//! traffic light, so the rule is the municipality's setting, printed beside every table.

use serde::{Deserialize, Serialize};

use crate::date::{Day, Month};

/// What an entry sets.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TargetKind {
    /// The committee's yearly target (måltal), full-time persons on average over the year.
    Yearly,
    /// The budget figure for one month (budgetpersoner), full-time persons.
    Budget,
}

impl TargetKind {
    /// The word in files and on forms.
    pub fn word(self) -> &'static str {
        match self {
            TargetKind::Yearly => "maal",
            TargetKind::Budget => "budget",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::Yearly => "Måltal (år)",
            TargetKind::Budget => "Budgetpersoner (måned)",
        }
    }
    pub fn parse(s: &str) -> Option<TargetKind> {
        match s.trim().to_lowercase().as_str() {
            "maal" | "mål" | "maaltal" | "måltal" => Some(TargetKind::Yearly),
            "budget" | "budgetpersoner" => Some(TargetKind::Budget),
            _ => None,
        }
    }
}

/// One entry, as entered (never changed; a correction is a newer entry).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetEntry {
    /// The benefit group's code (`sygedagpenge`).
    pub group: String,
    pub kind: TargetKind,
    pub year: i32,
    /// 1-12 for a budget figure; `None` for a yearly target.
    pub month: Option<u32>,
    /// Full-time persons.
    pub value: f64,
    /// The day it was entered (what as-of replay looks at).
    pub entered_on: Day,
    /// When, to the second (RFC 3339, UTC), for the history.
    pub entered_at: String,
    pub entered_by: String,
    /// "formular", or the file it came from.
    pub source: String,
}

impl TargetEntry {
    fn key(&self) -> (&str, TargetKind, i32, Option<u32>) {
        (&self.group, self.kind, self.year, self.month)
    }
}

/// Every entry in the order entered.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Targets {
    pub entries: Vec<TargetEntry>,
}

impl Targets {
    fn latest(
        &self,
        group: &str,
        kind: TargetKind,
        year: i32,
        month: Option<u32>,
        as_of: Day,
    ) -> Option<&TargetEntry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.key() == (group, kind, year, month) && e.entered_on <= as_of)
    }

    /// The yearly target for `group` in `year`, as entered by `as_of`.
    pub fn yearly(&self, group: &str, year: i32, as_of: Day) -> Option<&TargetEntry> {
        self.latest(group, TargetKind::Yearly, year, None, as_of)
    }

    /// The budget figure for `group` in `month`, as entered by `as_of`.
    pub fn budget(&self, group: &str, month: Month, as_of: Day) -> Option<&TargetEntry> {
        self.latest(
            group,
            TargetKind::Budget,
            month.year(),
            Some(month.number()),
            as_of,
        )
    }

    /// The entries in force as of `as_of` (one per group, kind and period), in entry order.
    pub fn in_force(&self, as_of: Day) -> Vec<&TargetEntry> {
        let mut seen = std::collections::HashSet::new();
        let mut out: Vec<&TargetEntry> = self
            .entries
            .iter()
            .rev()
            .filter(|e| e.entered_on <= as_of && seen.insert(e.key()))
            .collect();
        out.reverse();
        out
    }
}

/// The colour of a traffic light.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn label(self) -> &'static str {
        match self {
            Light::Green => "Grøn",
            Light::Yellow => "Gul",
            Light::Red => "Rød",
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
}

/// The municipality's traffic-light rule: a group's year-to-date average of full-time persons
/// against its target (a ceiling: fewer citizens on benefit is better). Green up to `green_pct`
/// per cent over the target, yellow up to `yellow_pct`, red above.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficLightRule {
    pub green_pct: u16,
    pub yellow_pct: u16,
}

impl Default for TrafficLightRule {
    /// 0 % and 5 %: green at or under the target, yellow up to 5 % over, red beyond. A documented
    /// default, not a norm (`committee.md` §5: no municipality's rule was found).
    fn default() -> Self {
        TrafficLightRule {
            green_pct: 0,
            yellow_pct: 5,
        }
    }
}

impl TrafficLightRule {
    /// The light for `actual` against `target`; `None` without a (positive) target.
    pub fn light(&self, actual: f64, target: f64) -> Option<Light> {
        if target <= 0.0 || !actual.is_finite() {
            return None;
        }
        // Compared in hundredths of a per cent, so that "exactly 5 % over" is yellow whatever the
        // floating-point rounding of the division.
        let over = ((actual - target) / target * 10_000.0).round();
        Some(if over <= f64::from(self.green_pct) * 100.0 {
            Light::Green
        } else if over <= f64::from(self.yellow_pct) * 100.0 {
            Light::Yellow
        } else {
            Light::Red
        })
    }

    /// The legend printed beside every table with lights (Danish).
    pub fn legend(&self) -> String {
        let g = if self.green_pct == 0 {
            "på eller under målet".to_string()
        } else {
            format!("højst {} % over målet", self.green_pct)
        };
        format!(
            "Trafiklys (kommunens regel): gennemsnittet af fuldtidspersoner år til dato mod årets måltal. Grøn: {g}. Gul: højst {} % over. Rød: mere end {} % over.",
            self.yellow_pct, self.yellow_pct
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        group: &str,
        kind: TargetKind,
        month: Option<u32>,
        value: f64,
        on: Day,
    ) -> TargetEntry {
        TargetEntry {
            group: group.into(),
            kind,
            year: 2026,
            month,
            value,
            entered_on: on,
            entered_at: format!("{on}T10:00:00Z"),
            entered_by: "analytiker".into(),
            source: "formular".into(),
        }
    }

    /// The latest entry counts, but only from the day it was entered (as-of replay).
    #[test]
    fn latest_entry_counts_from_its_day() {
        let t = Targets {
            entries: vec![
                entry(
                    "sygedagpenge",
                    TargetKind::Yearly,
                    None,
                    900.0,
                    Day::ymd(2026, 1, 15),
                ),
                entry(
                    "sygedagpenge",
                    TargetKind::Budget,
                    Some(3),
                    950.0,
                    Day::ymd(2026, 1, 15),
                ),
                entry(
                    "sygedagpenge",
                    TargetKind::Yearly,
                    None,
                    880.0,
                    Day::ymd(2026, 6, 1),
                ),
                entry(
                    "jobafklaring",
                    TargetKind::Yearly,
                    None,
                    200.0,
                    Day::ymd(2026, 6, 1),
                ),
            ],
        };
        let y = |d| t.yearly("sygedagpenge", 2026, d).map(|e| e.value);
        assert_eq!(y(Day::ymd(2026, 1, 14)), None);
        assert_eq!(y(Day::ymd(2026, 1, 15)), Some(900.0));
        assert_eq!(y(Day::ymd(2026, 5, 31)), Some(900.0));
        assert_eq!(y(Day::ymd(2026, 6, 1)), Some(880.0));
        assert_eq!(t.yearly("sygedagpenge", 2025, Day::ymd(2026, 6, 1)), None);
        assert_eq!(
            t.budget("sygedagpenge", Month::new(2026, 3), Day::ymd(2026, 6, 1))
                .map(|e| e.value),
            Some(950.0)
        );
        assert_eq!(
            t.budget("sygedagpenge", Month::new(2026, 4), Day::ymd(2026, 6, 1)),
            None
        );
        let in_force: Vec<f64> = t
            .in_force(Day::ymd(2026, 6, 1))
            .iter()
            .map(|e| e.value)
            .collect();
        assert_eq!(in_force, vec![950.0, 880.0, 200.0]);
    }

    /// The light at its edges: exactly on the thresholds, just over them, under the target, and
    /// no light without a target.
    #[test]
    fn traffic_light_edges() {
        let r = TrafficLightRule {
            green_pct: 2,
            yellow_pct: 5,
        };
        let cases = [
            (90.0, 100.0, Some(Light::Green)),
            (100.0, 100.0, Some(Light::Green)),
            (102.0, 100.0, Some(Light::Green)),
            (102.01, 100.0, Some(Light::Yellow)),
            (105.0, 100.0, Some(Light::Yellow)),
            (105.01, 100.0, Some(Light::Red)),
            (50.0, 0.0, None),
            (f64::NAN, 100.0, None),
        ];
        for (actual, target, want) in cases {
            assert_eq!(r.light(actual, target), want, "{actual} mod {target}");
        }
        // The default: green only at or under the target.
        let d = TrafficLightRule::default();
        assert_eq!(d.light(100.0, 100.0), Some(Light::Green));
        assert_eq!(d.light(100.5, 100.0), Some(Light::Yellow));
        assert!(d.legend().contains("på eller under målet"));
        assert!(r.legend().contains("højst 2 % over målet"));
    }

    #[test]
    fn kind_words_round_trip() {
        for k in [TargetKind::Yearly, TargetKind::Budget] {
            assert_eq!(TargetKind::parse(k.word()), Some(k));
        }
        assert_eq!(TargetKind::parse("Måltal"), Some(TargetKind::Yearly));
        assert_eq!(TargetKind::parse("prognose"), None);
    }
}
