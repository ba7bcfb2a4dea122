//! The 2026 § 13 f exemption (lov nr. 1750 af 29. december 2025), as Kadence reads it.
//!
//! § 13 f, stk. 1: for sick-listed citizens in employment who are expected to be fit at the latest by
//! the end of the 26th week counted from the first day of absence, the municipality shall,
//! notwithstanding § 13 b, stk. 1, 1. pkt., not follow up, unless the citizen or the employer wants it.
//! Stk. 2: the municipality may after a concrete assessment decide that the citizen takes part in
//! follow-up; the citizen always has the right to a conversation. Stk. 3: citizens covered by stk. 1
//! who become unemployed, or who are not fit by the end of week 26, are followed up under § 13 b,
//! stk. 1, 3.-8. pkt.
//!
//! The reading (`shared/domain/README.md` §3, "The 2026 § 13 f, precisely as Kadence reads it";
//! `docs/rules.md`), each choice a setting in [`crate::rules::RuleParams`]:
//! - *who*: employed on day 1, with the expectation recorded (a dated fact); never the unemployed or
//!   self-employed;
//! - *from*: the later of the recorded date and the start of the rules that have it; a course begun
//!   before the start is covered from the start; a 2025 marking made before the start keeps its 2025
//!   rule to its end (default);
//! - *until*: day 182 inclusive (day 1 + 181, the end of week 26); duties start on day 183 if the
//!   course is still running;
//! - *ends earlier* on the first of: the citizen or the employer asks (a valid § 7 c/§ 7 e request for
//!   early follow-up counts as asking), the municipality decides, the citizen becomes unemployed. A
//!   request, decision or unemployment dated before the expectation was recorded (or before the
//!   exemption began) means the course was never exempt.
//!
//! Pure: every fact dated after the as-of date is not yet known.

use serde::Serialize;

use crate::date::Day;
use crate::model::{Course, CourseKind, Requester, TargetGroup};
use crate::rules::{AfterExemption, Marking2025, RuleBook};

/// Why the exemption ended (or why it never held).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ExemptionEnd {
    /// The citizen or the employer asked for follow-up (§ 13 f, stk. 1).
    Asked(Requester),
    /// A valid request for early follow-up (§ 7 c / § 7 e); keeps its own 2-week deadline.
    EarlyRequest(Requester),
    /// The municipality decided that the citizen takes part (§ 13 f, stk. 2).
    Decided,
    /// The citizen became unemployed (§ 13 f, stk. 3).
    Unemployed,
    /// Not fit by the end of week 26 (§ 13 f, stk. 3): still running on day 183.
    Week26,
}

impl ExemptionEnd {
    /// Whether the normal § 13 b duties follow "as if never exempt" (asked, decided), as opposed to
    /// § 13 f, stk. 3 (unemployed, week 26), whose reading is a setting.
    pub fn restores_normal_duties(self) -> bool {
        matches!(
            self,
            ExemptionEnd::Asked(_) | ExemptionEnd::EarlyRequest(_) | ExemptionEnd::Decided
        )
    }

    /// Danish words: "borgeren bad om opfølgning".
    pub fn words(self) -> &'static str {
        match self {
            ExemptionEnd::Asked(Requester::Citizen) => "borgeren bad om opfølgning",
            ExemptionEnd::Asked(Requester::Employer) => "arbejdsgiveren bad om opfølgning",
            ExemptionEnd::EarlyRequest(Requester::Citizen) => {
                "borgeren anmodede om tidlig opfølgning (§ 7 e)"
            }
            ExemptionEnd::EarlyRequest(Requester::Employer) => {
                "arbejdsgiveren anmodede om tidlig opfølgning (§ 7 c)"
            }
            ExemptionEnd::Decided => "kommunen besluttede opfølgning efter en konkret vurdering",
            ExemptionEnd::Unemployed => "borgeren blev ledig",
            ExemptionEnd::Week26 => "borgeren var ikke rask ved udgangen af uge 26",
        }
    }
}

/// The 2026 § 13 f exemption of one course, as of a date.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exemption {
    /// The day the expectation "fit within 26 weeks" was recorded.
    pub recorded: Day,
    /// First exempt day: the later of `recorded` and the rules' start.
    pub from: Day,
    /// Last exempt day at the latest: day 182 (first day of absence + 181).
    pub until: Day,
    /// The first day no longer exempt and why, if known as of the as-of date. When this day is on or
    /// before `from`, the course was never exempt.
    pub ended: Option<(Day, ExemptionEnd)>,
}

impl Exemption {
    /// Whether the course was never exempt: a request, decision or unemployment dated before the
    /// expectation was recorded, or before the exemption began.
    pub fn never(&self) -> bool {
        self.ended.is_some_and(|(d, _)| d <= self.from)
    }

    /// Whether the course is exempt on `day`.
    pub fn covers(&self, day: Day) -> bool {
        !self.never()
            && self.from <= day
            && day <= self.until
            && self.ended.is_none_or(|(d, _)| day < d)
    }

    /// How the exemption stands as a whole, as of the as-of date it was computed for: none (never
    /// exempt), exempt, or how it ended (as a duty falling due on its first day would be relieved).
    pub fn relief(&self, after: AfterExemption) -> Relief {
        self.relieves(self.from, after)
    }

    /// Whether a duty falling due on `due` is relieved by the exemption as of the as-of date the
    /// exemption was computed for, under the book's reading of stk. 3: exempt on that day and still
    /// exempt, or ended by unemployment or week 26 under the default reading (no week-8 and no
    /// half-year duty afterwards).
    pub fn relieves(&self, due: Day, after: AfterExemption) -> Relief {
        if self.never() || due < self.from {
            return Relief::None;
        }
        match self.ended {
            None => Relief::Exempt,
            Some((_, why)) if why.restores_normal_duties() => Relief::Restored,
            Some(_) if after == AfterExemption::AsAgreed => Relief::AsAgreed,
            Some(_) => Relief::Restored,
        }
    }
}

/// What the exemption does to a § 13 b duty.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Relief {
    /// Nothing: the duty is judged as usual.
    None,
    /// Exempt now: no follow-up is owed.
    Exempt,
    /// The exemption ended by stk. 3 (unemployed, week 26) and the default reading applies: follow-up
    /// as agreed and as needed, no week-8 and no half-year duty.
    AsAgreed,
    /// The exemption ended and the normal duties apply as if never exempt (the first conversation
    /// at the latest `late_first_days` after the end where week 8 has passed).
    Restored,
}

/// The 2026 § 13 f exemption of `c` as of `as_of`, if the course is covered by it.
pub fn exemption(c: &Course, book: &RuleBook, as_of: Day) -> Option<Exemption> {
    if c.kind != CourseKind::SicknessBenefit || c.target_group != TargetGroup::Employed {
        return None;
    }
    let recorded = c.reform().fit_within_26_weeks.filter(|d| *d <= as_of)?;
    let start = book.exemption_start()?;
    let from = recorded.max(start);
    let until = c.first_absence.add_days(181);
    if from > as_of || from > until {
        return None;
    }
    if let Some(p) = c
        .predictable
        .filter(|p| p.marked_on < start && p.marked_on <= as_of)
    {
        // A 2025 marking made before the start keeps its 2025 rule to its end (default).
        if book.params().marking_2025 == Marking2025::KeepToEnd {
            let _ = p;
            return None;
        }
    }
    let known = |d: Option<Day>| d.filter(|d| *d <= as_of);
    let mut ends: Vec<(Day, ExemptionEnd)> = Vec::with_capacity(4);
    if let Some(a) = c.reform().follow_up_asked.filter(|a| a.date <= as_of) {
        ends.push((a.date, ExemptionEnd::Asked(a.by)));
    }
    if let Some(r) = c.early_request.filter(|r| r.date <= as_of) {
        let rules = book.in_force_on(r.date);
        let employer_limit = c
            .first_absence
            .add_days(7 * i32::from(rules.employer_request_weeks) - 1);
        if !(r.by == Requester::Employer && r.date > employer_limit) {
            ends.push((r.date, ExemptionEnd::EarlyRequest(r.by)));
        }
    }
    if let Some(d) = known(c.reform().municipality_decided) {
        ends.push((d, ExemptionEnd::Decided));
    }
    if let Some(d) = known(c.reform().unemployed_on) {
        ends.push((d, ExemptionEnd::Unemployed));
    }
    let ended_course = c.end.map(|e| e.date).filter(|d| *d <= as_of);
    if as_of > until && ended_course.is_none_or(|e| e > until) {
        ends.push((until.add_days(1), ExemptionEnd::Week26));
    }
    // A fact dated before the expectation was recorded (or before the exemption began) means the
    // course was never exempt; `never()` sees it by its date (on or before `from`).
    let ended = ends.into_iter().min_by_key(|(d, _)| *d);
    Some(Exemption {
        recorded,
        from,
        until,
        ended,
    })
}
