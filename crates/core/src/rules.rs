//! The legal follow-up duties as versioned data.
//!
//! A [`RuleSet`] is one version of the rules with the day it came into force and the paragraph behind
//! every number in it. A [`RuleBook`] is the ordered list of rule sets; [`RuleBook::danish`] is the law
//! as we read it (see `shared/domain/README.md` §3 and `docs/rules.md`).
//!
//! A course is judged **duty by duty**: each duty is judged by the rule set in force on the day that
//! duty falls due ([`RuleBook::in_force_on`]). Adding a rule set (the planned 2027 change) is one more
//! entry in [`RuleBook::danish`] and its tests; nothing else changes.

use serde::{Deserialize, Serialize};

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
    /// The 2026 § 13 f (lov 1750/2025): an employed citizen expected to be fit by the end of week 26
    /// from the first day of absence is not followed up unless asked (see `exemption.rs`).
    pub exemption_26_weeks: bool,
    pub exemption_paragraph: &'static str,
    /// Who the law says follows up: "jobcentret" until 2025, "kommunen" from lov 1750/2025
    /// ("jobcenteret" replaced by "kommunen" throughout, L 66 § 1, nr. 1, and § 4, nr. 1).
    pub authority: Authority,
    /// Whether the reduced rate after a reassessment without extension exists (planned from 2027).
    pub reduced_rate: bool,
    /// What this set rests on that our sources do not confirm; empty for enacted law we have read.
    pub open_points: &'static [OpenPoint],
    /// Set when the set has open points and no one has confirmed it in the settings: every duty it
    /// judges that rests on an open point says "foreløbig".
    pub provisional: bool,
}

/// Who the law says follows up.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Authority {
    /// "jobcentret", until 2025.
    Jobcenter,
    /// "kommunen", from lov 1750/2025 ("jobcenteret" replaced throughout).
    Municipality,
}

impl Authority {
    /// The Danish word with the definite article, as in "jobcentret følger op".
    pub fn word(self) -> &'static str {
        match self {
            Authority::Jobcenter => "jobcentret",
            Authority::Municipality => "kommunen",
        }
    }
}

/// A fact of the law a rule set rests on that our sources do not confirm (the domain brief's GAPs).
/// Each is a setting with a documented default; a duty that rests on one is provisional until the
/// municipality confirms the rule set.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum OpenPoint {
    /// The start date of lov 1750/2025's sickness part (1 July 2026) is inferred, not read.
    StartDate2026,
    /// The amended § 13 b, stk. 1, 1. pkt. (the minimum number of conversations in the first
    /// half-year) is not in our sources; secondary sources report 1.
    Minimum2026,
    /// The visitation categories are reported phased out (secondary sources).
    Categories,
    /// Phase 2 of the reform (1 January 2027): adoption, law number and final wording not confirmed.
    Phase2,
    /// No new job-clarification courses from 2027; the transitional rules for running ones are GAP.
    JobClarificationEnd,
    /// The rehabilitation team's abolition date.
    RehabTeamEnd,
}

impl OpenPoint {
    /// Danish text for the course page and the settings page.
    pub fn text(self) -> &'static str {
        match self {
            OpenPoint::StartDate2026 => {
                "Startdatoen for lov 1750/2025's regler om sygeopfølgning er udledt af kilderne, ikke læst i loven"
            }
            OpenPoint::Minimum2026 => {
                "Mindsteantallet af samtaler i første halvår (§ 13 b, stk. 1, 1. pkt., som ændret) er ikke bekræftet; sekundære kilder nævner 1"
            }
            OpenPoint::Categories => {
                "Visitationskategorierne oplyses udfaset (sekundære kilder); kategori 2-kravet er bevaret som indstilling"
            }
            OpenPoint::Phase2 => {
                "Reformens 2. fase (1. januar 2027) er ikke bekræftet vedtaget: lovnummer, ordlyd og overgangsregler mangler"
            }
            OpenPoint::JobClarificationEnd => {
                "Jobafklaringsforløb ophører efter planen; overgangsreglerne for løbende forløb er ukendte (indstilling)"
            }
            OpenPoint::RehabTeamEnd => {
                "Datoen for rehabiliteringsteamets afskaffelse er ukendt (indstilling)"
            }
        }
    }
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

pub(crate) const JC_UNTIL_2024: JobClarificationRules = JobClarificationRules {
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
    exemption_26_weeks: false,
    exemption_paragraph: "§ 13 f",
    authority: Authority::Jobcenter,
    reduced_rate: false,
    open_points: &[],
    provisional: false,
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

const SDP_2026: &str = "sygedagpengeloven (lov 1750/2025, beskæftigelsesreformens 1. fase)";
const SDP_2027: &str =
    "beskæftigelsesreformens 2. fase (planlagt 1. januar 2027; lovnummer ikke bekræftet)";

/// Lov 1750/2025 (phase 1 of the employment reform): the new § 13 f; the others as 2025 with the
/// minimum number of conversations a setting. Start date and minimum come from [`RuleParams`].
const RULES_2026_07: RuleSet = RuleSet {
    name: "2026-07",
    in_force_from: Day::ymd(2026, 7, 1),
    source: SDP_2026,
    cadence_paragraph: "§ 13 b, stk. 1 (som ændret ved lov 1750/2025)",
    predictable_check_days: None,
    predictable_paragraph: "§ 13 f (2025-reglen, afløst)",
    exemption_26_weeks: true,
    exemption_paragraph: "§ 13 f (lov 1750/2025)",
    authority: Authority::Municipality,
    open_points: &[
        OpenPoint::StartDate2026,
        OpenPoint::Minimum2026,
        OpenPoint::Categories,
    ],
    provisional: true,
    ..RULES_2025
};

/// Phase 2 (planned 1 January 2027), provisional: no new job-clarification courses, the reduced rate,
/// the rehabilitation team gone; everything else as 2026-07 until the adopted law is read.
const RULES_2027: RuleSet = RuleSet {
    name: "2027",
    in_force_from: Day::ymd(2027, 1, 1),
    source: SDP_2027,
    job_clarification: None,
    reduced_rate: true,
    open_points: &[
        OpenPoint::Phase2,
        OpenPoint::Minimum2026,
        OpenPoint::Categories,
        OpenPoint::JobClarificationEnd,
        OpenPoint::RehabTeamEnd,
    ],
    provisional: true,
    ..RULES_2026_07
};

const ALL_CATEGORIES: &[Category] = &[Category::One, Category::Two, Category::Three];

/// Which rule a course marked under the 2025 § 13 f (13 weeks after the first conversation) follows
/// once the 2026 rules are in force.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Marking2025 {
    /// Default (the domain brief): a marking made before the start keeps its 2025 rule to its end; a
    /// 26-week expectation recorded for the same course is then not used.
    #[default]
    KeepToEnd,
    /// Alternative: the 2025 marking ends on the start day; from then the 2026 rule applies if the
    /// expectation is recorded, otherwise the normal duties.
    EndsAtStart,
}

/// What is owed when the 2026 exemption ends because the citizen became unemployed or was not fit by
/// the end of week 26 (§ 13 f, stk. 3: "følges op efter reglerne i § 13 b, stk. 1, 3.-8. pkt.").
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum AfterExemption {
    /// Default: follow-up as agreed and as needed; no week-8 duty and no minimum in the half-year
    /// (those are § 13 b, stk. 1, 1. and 2. pkt., which stk. 3 does not name).
    #[default]
    AsAgreed,
    /// Alternative: the normal duties, as after a request (the week-8 deadline from day 1; if it has
    /// passed, the first conversation is due `late_first_days` after the end).
    NormalDuties,
}

/// Whether the category-2 requirement is kept under the 2027 rules.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Categories2027 {
    /// Default: keep it (category 1 courses owe the § 13 a re-visitation, not § 13 b).
    #[default]
    KeepCategory2,
    /// Alternative: no category filter; every course owes the § 13 b duties.
    NoFilter,
}

/// What happens to job-clarification courses running when the 2027 rules start.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum RunningJobClarification {
    /// Default (the pattern used for ressourceforløb, bek. 58/2026 § 1, stk. 3): the old rules apply
    /// to their end.
    #[default]
    OldRulesToEnd,
    /// Alternative: duties falling due from the start are not in the rules.
    EndAtStart,
}

/// A person's confirmation of a provisional rule set: the law it was checked against.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Confirmation {
    /// E.g. "lov nr. 1750 af 29. december 2025".
    pub law: String,
    /// The law's date.
    pub date: Day,
}

/// The parameters of the 2026-07 and 2027 rule sets: every unconfirmed number or date is one of them,
/// with the domain brief's default. Part of the municipality's settings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleParams {
    /// Start of lov 1750/2025's sickness part (inferred: 1 July 2026).
    pub start_2026_07: Day,
    /// Minimum conversations in the first half-year under 2026-07 (default 4; reported 1).
    pub minimum_2026_07: u8,
    /// Start of phase 2 (planned 1 January 2027).
    pub start_2027: Day,
    /// Minimum conversations in the first half-year under 2027 (default 4 until confirmed).
    pub minimum_2027: u8,
    pub marking_2025: Marking2025,
    pub after_exemption: AfterExemption,
    /// When the exemption ends and the week-8 deadline has passed: days from the end to the first
    /// conversation (default 14).
    pub late_first_days: u16,
    pub categories_2027: Categories2027,
    pub running_job_clarification: RunningJobClarification,
    /// Meetings of the rehabilitation team on or after this day carry no "LÆ 265 before the team"
    /// duty (default 2027-01-01).
    pub rehab_team_end: Day,
    pub confirmed_2026_07: Option<Confirmation>,
    pub confirmed_2027: Option<Confirmation>,
}

impl Default for RuleParams {
    fn default() -> Self {
        RuleParams {
            start_2026_07: Day::ymd(2026, 7, 1),
            minimum_2026_07: 4,
            start_2027: Day::ymd(2027, 1, 1),
            minimum_2027: 4,
            marking_2025: Marking2025::KeepToEnd,
            after_exemption: AfterExemption::AsAgreed,
            late_first_days: 14,
            categories_2027: Categories2027::KeepCategory2,
            running_job_clarification: RunningJobClarification::OldRulesToEnd,
            rehab_team_end: Day::ymd(2027, 1, 1),
            confirmed_2026_07: None,
            confirmed_2027: None,
        }
    }
}

/// The ordered rule sets, and the readings of the reform that are not per set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleBook {
    sets: Vec<RuleSet>,
    params: RuleParams,
    /// The provisional sets' names and open points (at most a few): the duty engine asks of every
    /// duty whether it is provisional, so this is looked up without scanning every set.
    provisional: Vec<(&'static str, &'static [OpenPoint])>,
    /// The set in force on each day from the first set's first day to the day before the last
    /// set's (a few thousand bytes): the measures ask twice a course, millions of times, and a
    /// load beats a search.
    by_day: Vec<u8>,
}

impl RuleBook {
    /// The Danish rules as Kadence reads them, 2015 to 2027, with the default parameters.
    pub fn danish() -> RuleBook {
        RuleBook::danish_with(&RuleParams::default())
    }

    /// The Danish rules with the municipality's parameters for 2026-07 and 2027.
    pub fn danish_with(p: &RuleParams) -> RuleBook {
        let r2026 = RuleSet {
            in_force_from: p.start_2026_07,
            cadence: Cadence::InFirstHalfYear {
                count: p.minimum_2026_07,
            },
            provisional: p.confirmed_2026_07.is_none(),
            ..RULES_2026_07
        };
        let r2027 = RuleSet {
            in_force_from: p.start_2027,
            cadence: Cadence::InFirstHalfYear {
                count: p.minimum_2027,
            },
            covered: match p.categories_2027 {
                Categories2027::KeepCategory2 => &[Category::Two],
                Categories2027::NoFilter => ALL_CATEGORIES,
            },
            provisional: p.confirmed_2027.is_none(),
            ..RULES_2027
        };
        let mut book = RuleBook::new(vec![
            RULES_2015, RULES_2020, RULES_2022, RULES_2023, RULES_2025, r2026, r2027,
        ]);
        book.params = p.clone();
        book
    }

    /// The Danish rules 2015-2025 only: the law as it stood before lov 1750/2025 (for tests and
    /// comparisons).
    pub fn danish_until_2025() -> RuleBook {
        RuleBook::new(vec![
            RULES_2015, RULES_2020, RULES_2022, RULES_2023, RULES_2025,
        ])
    }

    /// A rule book from sets in any order, with the default parameters.
    pub fn new(mut sets: Vec<RuleSet>) -> RuleBook {
        sets.sort_by_key(|s| s.in_force_from);
        assert!(!sets.is_empty(), "a rule book needs at least one rule set");
        let provisional = sets
            .iter()
            .filter(|s| s.provisional)
            .map(|s| (s.name, s.open_points))
            .collect();
        assert!(sets.len() <= usize::from(u8::MAX), "at most 255 rule sets");
        let first = sets[0].in_force_from;
        let last = sets[sets.len() - 1].in_force_from;
        let by_day = (0..first.days_until(last).max(0))
            .map(|n| {
                let day = first.add_days(n);
                (sets.partition_point(|s| s.in_force_from <= day) - 1) as u8
            })
            .collect();
        RuleBook {
            sets,
            params: RuleParams::default(),
            provisional,
            by_day,
        }
    }

    /// The reform's parameters this book was built with.
    pub fn params(&self) -> &RuleParams {
        &self.params
    }

    /// The open points of the provisional set named `rule_set`, if it is one.
    pub fn provisional_points_of(&self, rule_set: &str) -> Option<&'static [OpenPoint]> {
        self.provisional
            .iter()
            .find(|(n, _)| *n == rule_set)
            .map(|(_, p)| *p)
    }

    /// The set named `name` ("2023").
    pub fn named(&self, name: &str) -> Option<&RuleSet> {
        self.sets.iter().find(|s| s.name == name)
    }

    /// The first day on which a set with the 2026 § 13 f is in force, if any.
    pub fn exemption_start(&self) -> Option<Day> {
        self.sets
            .iter()
            .find(|s| s.exemption_26_weeks)
            .map(|s| s.in_force_from)
    }

    /// The first day on which job clarification no longer exists, if any.
    pub fn job_clarification_end(&self) -> Option<Day> {
        self.sets
            .iter()
            .find(|s| s.job_clarification.is_none())
            .map(|s| s.in_force_from)
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
        let n = self.sets[0].in_force_from.days_until(day);
        let i = match usize::try_from(n) {
            Err(_) => 0,
            Ok(n) => self
                .by_day
                .get(n)
                .map_or(self.sets.len() - 1, |i| usize::from(*i)),
        };
        &self.sets[i]
    }

    /// The newest set, as a template for later sets.
    pub fn latest(&self) -> &RuleSet {
        &self.sets[self.sets.len() - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of days gives the set a search gives, on every day from before the first set to
    /// after the last, for the shipped book and one whose 2027 set starts later.
    #[test]
    fn the_table_of_days_agrees_with_a_search() {
        let later = RuleBook::danish_with(&RuleParams {
            start_2027: Day::ymd(2027, 7, 1),
            ..RuleParams::default()
        });
        for book in [RuleBook::danish(), RuleBook::danish_until_2025(), later] {
            let mut day = Day::ymd(2010, 1, 1);
            while day <= Day::ymd(2032, 12, 31) {
                let i = book.sets.partition_point(|s| s.in_force_from <= day);
                let searched = &book.sets[i.saturating_sub(1)];
                assert_eq!(book.in_force_on(day).name, searched.name, "{day:?}");
                day = day.add_days(1);
            }
        }
    }

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
            ((2026, 6, 30), "2025"),
            ((2026, 7, 1), "2026-07"),
            ((2026, 12, 31), "2026-07"),
            ((2027, 1, 1), "2027"),
            ((2030, 6, 1), "2027"),
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
    fn the_start_dates_and_minimums_are_settings() {
        let book = RuleBook::danish_with(&RuleParams {
            start_2026_07: Day::ymd(2026, 8, 1),
            minimum_2026_07: 1,
            confirmed_2027: Some(Confirmation {
                law: "lov nr. 1 af 1. januar 2027".into(),
                date: Day::ymd(2027, 1, 1),
            }),
            ..RuleParams::default()
        });
        assert_eq!(book.in_force_on(Day::ymd(2026, 7, 31)).name, "2025");
        let r = book.in_force_on(Day::ymd(2026, 8, 1));
        assert_eq!(
            (r.name, r.cadence, r.provisional),
            ("2026-07", Cadence::InFirstHalfYear { count: 1 }, true)
        );
        let r = book.in_force_on(Day::ymd(2027, 1, 1));
        assert_eq!((r.name, r.provisional), ("2027", false));
        assert_eq!(book.exemption_start(), Some(Day::ymd(2026, 8, 1)));
        assert_eq!(book.job_clarification_end(), Some(Day::ymd(2027, 1, 1)));
        // Enacted law we have read is never provisional.
        for set in RuleBook::danish().sets() {
            assert_eq!(set.provisional, !set.open_points.is_empty(), "{}", set.name);
        }
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
