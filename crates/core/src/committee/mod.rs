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

use serde::{Deserialize, Serialize};

use crate::date::Month;
use crate::model::CourseKind;

mod duration;
pub mod external;
pub mod follow_up;
pub mod forecast;
mod own;
pub mod report;
pub mod targets;
#[cfg(test)]
pub(crate) mod test_support;

pub use duration::{duration_bands, Band};
pub use own::{own_figures, own_monthly, OwnFigure, OwnMonth, METHOD};
pub use report::{
    monthly_report, own_source, GroupRow, MonthlyReport, ReportInput, RowSource,
    MONTH_ABBREVIATIONS,
};

/// The municipality's settings for the committee's figures (`[udvalg]` in the settings file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeSettings {
    /// The municipality's name as Jobindsats writes its area ("Vesthimmerland"); empty: not set.
    pub municipality: String,
    /// The RAR area as Jobindsats writes it ("RAR Nordjylland"); empty: not shown.
    pub rar_area: String,
    /// The municipalities compared with, as Jobindsats writes them.
    pub comparison: Vec<String>,
    pub traffic_light: targets::TrafficLightRule,
    /// The upper edges of the sickness-benefit duration bands, in whole weeks (8, 22, 52 give
    /// 0-8, 9-22, 23-52 and over 52 weeks).
    pub duration_edges: Vec<u16>,
}

impl Default for CommitteeSettings {
    fn default() -> Self {
        CommitteeSettings {
            municipality: String::new(),
            rar_area: String::new(),
            comparison: Vec::new(),
            traffic_light: targets::TrafficLightRule::default(),
            duration_edges: vec![8, 22, 52],
        }
    }
}

impl CommitteeSettings {
    /// The duration edges as the settings file writes them ("8, 22, 52").
    pub fn edges_text(&self) -> String {
        self.duration_edges
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// Reads "8, 22, 52": whole weeks, rising, 1 to 10 edges, each 1-520.
    pub fn parse_edges(s: &str) -> Result<Vec<u16>, String> {
        let mut out: Vec<u16> = Vec::new();
        for part in s.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
            let n: u16 = part
                .parse()
                .ok()
                .filter(|n| (1..=520).contains(n))
                .ok_or_else(|| format!("«{part}» er ikke et antal uger mellem 1 og 520"))?;
            if out.last().is_some_and(|l| *l >= n) {
                return Err(format!(
                    "grænserne skal stige: {n} kommer efter {}",
                    out.last().unwrap()
                ));
            }
            out.push(n);
        }
        if out.is_empty() || out.len() > 10 {
            return Err("angiv 1 til 10 grænser i uger, fx «8, 22, 52»".into());
        }
        Ok(out)
    }
    /// Reads a comma-separated list of names.
    pub fn parse_list(s: &str) -> Vec<String> {
        s.split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

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
