//! The legal follow-up duties as versioned data.
//!
//! A [`RuleSet`] is one version of the rules with the day it came into force and the paragraph behind
//! every number in it. A [`RuleBook`] is the ordered list of rule sets; [`RuleBook::danish`] is the law
//! as we read it (see `shared/domain/README.md` §3 and `docs/rules.md`).
//!
//! A course is judged **duty by duty**: each duty is judged by the rule set in force on the day that
//! duty falls due ([`RuleBook::in_force_on`]). Adding a rule set (the planned 2027 change) is one more
//! entry in [`RuleBook::danish`] and its tests; nothing else changes.

use serde::Serialize;

use crate::date::Day;
use crate::model::Category;

/// How conversations after the first one are required.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Cadence {
    /// 2015: at least every `weeks` weeks after the first follow-up.
    EveryWeeks { weeks: u8 },
    /// 2020 onwards: at least `count` conversations within the first half-year from day 1.
    InFirstHalfYear { count: u8 },
}

/// Which conversations must be held in person (personligt fremmøde).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum FormRule {
    /// 2015: an individual conversation; form not regulated beyond that.
    Individual,
    /// 2020: in person, with the exceptions of § 13 b, stk. 4.
    AllInPerson,
    /// 2022: as 2020, but after 6 months the citizen may choose phone or video.
    InPersonFirstSixMonths,
    /// 2023 onwards: only the first follow-up must be in person; employed citizens may always choose.
    OnlyFirstInPerson,
}

/// Job-clarification duties (LAB kap. 18).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobClarificationRules {
    /// Conversations required within the first `months` months from the transition.
    pub conversations: u8,
    pub months: u8,
    pub conversations_paragraph: &'static str,
    /// Days from the transition within which the rehabilitation team must handle the case; `None` when
    /// the team is only used where an interdisciplinary effort is judged needed (from 2025).
    pub rehab_team_days: Option<u16>,
    pub rehab_team_paragraph: &'static str,
}

/// LÆ 265 before the rehabilitation team.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lae265Rules {
    /// LÆ 285 accepted instead (at the 22-week transition and in category 3), until 2024.
    pub lae285_exception: bool,
    /// The documented judgement "sufficiently informed" accepted instead, from 2025.
    pub sufficiently_informed: bool,
    pub paragraph: &'static str,
}

/// One version of the rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleSet {
    /// Short name shown everywhere, e.g. "2023".
    pub name: &'static str,
    pub in_force_from: Day,
    /// The consolidated act or amending act this set reads.
    pub source: &'static str,
    /// Visitation categories whose courses carry the § 13 b duties.
    pub covered: &'static [Category],
    /// "By the end of week N" for the first follow-up; day 1 + 7N - 1.
    pub first_follow_up_weeks: u8,
    pub first_follow_up_paragraph: &'static str,
    /// Days from an early-follow-up request to the first conversation.
    pub early_request_days: u8,
    pub early_request_paragraph: &'static str,
    /// An employer may request early follow-up only within the first N weeks of absence (§ 7 c).
    pub employer_request_weeks: u8,
    pub cadence: Cadence,
    pub cadence_paragraph: &'static str,
    pub form: FormRule,
    pub form_paragraph: &'static str,
    pub standby_paragraph: &'static str,
    /// § 13 a: a category-1 course that passes 8 weeks needs a follow-up with re-visitation.
    pub category1_weeks: u8,
    pub category1_paragraph: &'static str,
    /// § 13 f (from 2025): days after the first conversation by which fitness is checked.
    pub predictable_check_days: Option<u16>,
    pub predictable_paragraph: &'static str,
    /// Medical statements: standard and shortest deadline for the doctor, in days from dispatch.
    pub medical_deadline_days: u8,
    pub medical_min_days: u8,
    pub medical_paragraph: &'static str,
    /// `None` when job clarification no longer exists (planned from 2027).
    pub job_clarification: Option<JobClarificationRules>,
    pub lae265: Lae265Rules,
}

impl RuleSet {
    pub fn covers(&self, category: Category) -> bool {
        // Category 3 was abolished in 2025; courses still marked 3 are treated as category 2.
        self.covered.contains(&category)
            || (category == Category::Three && self.covered.contains(&Category::Two))
    }

    /// Day of the first-follow-up deadline: day 1 + 7 * weeks - 1 (end of week 8 = day 56).
    pub fn first_follow_up_due(&self, day1: Day) -> Day {
        day1.add_days(7 * i32::from(self.first_follow_up_weeks) - 1)
    }
}

const SDP_2015: &str = "sygedagpengeloven (lbk. 938/2015)";
const SDP_2020: &str = "sygedagpengeloven (lov 551/2019, lbk. 107/2020)";
const SDP_2022: &str = "sygedagpengeloven (lov 2590/2021, lbk. 1263/2022)";
const SDP_2023: &str = "sygedagpengeloven (lov 295/2023, lbk. 1179/2023)";
const SDP_2025: &str = "sygedagpengeloven (lov 1657/2024, lbk. 97/2025)";

const JC_UNTIL_2024: JobClarificationRules = JobClarificationRules {
    conversations: 4,
    months: 6,
    conversations_paragraph: "LAB § 33",
    rehab_team_days: Some(28),
    rehab_team_paragraph: "LAB kap. 18 (§§ 109-111)",
};

const LAE265_UNTIL_2024: Lae265Rules = Lae265Rules {
    lae285_exception: true,
    sufficiently_informed: false,
    paragraph: "bek. 2408/2021 om rehabiliteringsplan",
};

const ALL_CATEGORIES_2_3: &[Category] = &[Category::Two, Category::Three];

/// The 2015 rule set: the base every later one changes.
const RULES_2015: RuleSet = RuleSet {
    name: "2015",
    in_force_from: Day::ymd(2015, 1, 1),
    source: SDP_2015,
    covered: ALL_CATEGORIES_2_3,
    first_follow_up_weeks: 8,
    first_follow_up_paragraph: "§ 13 b, stk. 1",
    early_request_days: 14,
    early_request_paragraph: "§ 13 b, stk. 2 (jf. §§ 7 c og 7 e)",
    employer_request_weeks: 5,
    cadence: Cadence::EveryWeeks { weeks: 4 },
    cadence_paragraph: "§ 13 b, stk. 1",
    form: FormRule::Individual,
    form_paragraph: "§ 13 b, stk. 1",
    standby_paragraph: "§ 13 b, stk. 5",
    category1_weeks: 8,
    category1_paragraph: "§ 13 a",
    predictable_check_days: None,
    predictable_paragraph: "§ 13 f",
    medical_deadline_days: 14,
    medical_min_days: 8,
    medical_paragraph: "bek. om opfølgning i sygedagpengesager (frist 14 dage, mindst 8)",
    job_clarification: Some(JC_UNTIL_2024),
    lae265: LAE265_UNTIL_2024,
};

const RULES_2020: RuleSet = RuleSet {
    name: "2020",
    in_force_from: Day::ymd(2020, 1, 1),
    source: SDP_2020,
    cadence: Cadence::InFirstHalfYear { count: 4 },
    form: FormRule::AllInPerson,
    form_paragraph: "§ 13 b, stk. 1 og 4",
    medical_paragraph: "bek. 473/2021 § 10, stk. 3",
    ..RULES_2015
};

const RULES_2022: RuleSet = RuleSet {
    name: "2022",
    in_force_from: Day::ymd(2022, 9, 2),
    source: SDP_2022,
    form: FormRule::InPersonFirstSixMonths,
    ..RULES_2020
};

const RULES_2023: RuleSet = RuleSet {
    name: "2023",
    in_force_from: Day::ymd(2023, 3, 22),
    source: SDP_2023,
    form: FormRule::OnlyFirstInPerson,
    ..RULES_2022
};

const RULES_2025: RuleSet = RuleSet {
    name: "2025",
    in_force_from: Day::ymd(2025, 1, 1),
    source: SDP_2025,
    covered: &[Category::Two],
    predictable_check_days: Some(90),
    medical_paragraph: "bek. 1710/2024 § 11",
    job_clarification: Some(JobClarificationRules {
        rehab_team_days: None,
        ..JC_UNTIL_2024
    }),
    lae265: Lae265Rules {
        lae285_exception: false,
        sufficiently_informed: true,
        paragraph: "bek. 1708/2024 om rehabiliteringsplan",
    },
    ..RULES_2023
};

/// The ordered rule sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleBook {
    sets: Vec<RuleSet>,
}

impl RuleBook {
    /// The Danish rules as Kadence reads them, 2015 to 2025.
    pub fn danish() -> RuleBook {
        RuleBook::new(vec![
            RULES_2015, RULES_2020, RULES_2022, RULES_2023, RULES_2025,
        ])
    }

    /// A rule book from sets in any order.
    pub fn new(mut sets: Vec<RuleSet>) -> RuleBook {
        sets.sort_by_key(|s| s.in_force_from);
        assert!(!sets.is_empty(), "a rule book needs at least one rule set");
        RuleBook { sets }
    }

    /// A copy with one more rule set, e.g. the planned 2027 change.
    #[must_use]
    pub fn with(&self, set: RuleSet) -> RuleBook {
        let mut sets = self.sets.clone();
        sets.push(set);
        RuleBook::new(sets)
    }

    pub fn sets(&self) -> &[RuleSet] {
        &self.sets
    }

    /// The rule set in force on `day`; before the first set, the first set.
    pub fn in_force_on(&self, day: Day) -> &RuleSet {
        let i = self.sets.partition_point(|s| s.in_force_from <= day);
        &self.sets[i.saturating_sub(1)]
    }

    /// The 2025 set, as a template for later sets.
    pub fn latest(&self) -> &RuleSet {
        &self.sets[self.sets.len() - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_set_boundaries() {
        let book = RuleBook::danish();
        let cases = [
            ((2014, 6, 1), "2015"),
            ((2019, 12, 31), "2015"),
            ((2020, 1, 1), "2020"),
            ((2022, 9, 1), "2020"),
            ((2022, 9, 2), "2022"),
            ((2023, 3, 21), "2022"),
            ((2023, 3, 22), "2023"),
            ((2024, 12, 31), "2023"),
            ((2025, 1, 1), "2025"),
            ((2026, 11, 23), "2025"),
        ];
        for ((y, m, d), name) in cases {
            assert_eq!(
                book.in_force_on(Day::ymd(y, m, d)).name,
                name,
                "{y}-{m}-{d}"
            );
        }
    }

    #[test]
    fn coverage() {
        let book = RuleBook::danish();
        let r2023 = book.in_force_on(Day::ymd(2024, 1, 1));
        let r2025 = book.in_force_on(Day::ymd(2025, 1, 1));
        assert!(!r2023.covers(Category::One));
        assert!(r2023.covers(Category::Three));
        assert!(r2025.covers(Category::Two));
        assert!(
            r2025.covers(Category::Three),
            "abolished category 3 is treated as 2"
        );
        assert!(!r2025.covers(Category::One));
    }

    #[test]
    fn end_of_week_8_is_day_56() {
        let r = RuleBook::danish().latest().clone();
        assert_eq!(
            r.first_follow_up_due(Day::ymd(2023, 1, 2)),
            Day::ymd(2023, 2, 26)
        );
    }
}
