//! Duties per course, as of a given date.
//!
//! [`evaluate`] takes one course's facts, the rule book, the municipality's settings and the as-of
//! date, and returns a [`CourseStatus`]: every legal duty with its due date, [`Status`], days left or
//! late, the window and the conversations counted in it, the latest date for the next conversation,
//! and the rule set and paragraph it comes from. [`Duty::explain`] renders the one-sentence Danish
//! explanation on demand (no strings are built on the hot path).
//!
//! "As of" means exactly that: facts dated after the as-of date (conversations, standby periods,
//! received statements, course ends) are treated as not yet known, so any past day can be reproduced.
//!
//! Each duty is judged by the rule set in force on the day it falls due (duty by duty).
//!
//! This module holds the types, [`evaluate`] and what the duties share (the view as of a date, the
//! standby pause, deadline statuses, counting, local targets); the duties themselves are in
//! `sickness` (§§ 13 a, 13 b, 13 f), `job_clarification` (LAB kap. 18) and `medical` (statements'
//! deadlines, LÆ 265 before the team); `explain` renders the Danish text.

use serde::Serialize;

use crate::date::Day;
use crate::exemption::{exemption, Exemption, ExemptionEnd, Relief};
use crate::model::{
    Category, ConversationForm, CourseFacts, CourseKind, Lae265Basis, Predictable, Requester,
    StandbyPeriod, TargetGroup,
};
use crate::rules::{Cadence, FormRule, OpenPoint, RuleBook, RuleSet, RunningJobClarification};
use crate::settings::{AsOfReading, Category1Reading, LocalTarget, Settings, StandbyHandling};

mod explain;
mod job_clarification;
mod medical;
mod sickness;

use job_clarification::job_clarification_duties;
use medical::{medical_duties, rehab_duties};
use sickness::sickness_duties;

/// What a duty requires.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum DutyKind {
    /// Første opfølgningssamtale (§ 13 b, stk. 1-2).
    FirstFollowUp,
    /// Category 1 passing 8 weeks: follow-up with re-visitation (§ 13 a).
    Category1Revisit,
    /// At least 4 conversations in the first half-year (§ 13 b, stk. 1, from 2020).
    HalfYearFollowUps,
    /// 2015: a conversation at least every 4th week.
    RegularFollowUp,
    /// § 13 f: check fitness by the end of week 13 after the first conversation.
    PredictableCheck,
    /// A medical statement's deadline (LÆ 285 / LÆ 265 / other); the index is into the course's
    /// medical requests.
    MedicalStatement(u16),
    /// Job clarification: 4 conversations in the first 6 months from the transition.
    JobClarificationFollowUps,
    /// Job clarification: the rehabilitation team within 4 weeks of the transition (until 2024).
    RehabTeam,
    /// LÆ 265 present before the rehabilitation team; the index is into the course's meetings.
    Lae265BeforeRehab(u16),
    /// The 2026 § 13 f exemption (lov 1750/2025): no follow-up while the citizen is expected to be
    /// fit by the end of week 26; informational, never actionable.
    Exemption26,
}

impl DutyKind {
    /// Whether a duty of this kind rests on an unconfirmed fact of the law (`rules::OpenPoint`).
    pub fn rests_on(self, p: OpenPoint) -> bool {
        use DutyKind as K;
        match p {
            OpenPoint::Phase2 => true,
            OpenPoint::StartDate2026 => matches!(self, K::Exemption26),
            OpenPoint::Minimum2026 => matches!(self, K::HalfYearFollowUps),
            OpenPoint::Categories => matches!(self, K::Category1Revisit),
            OpenPoint::JobClarificationEnd => {
                matches!(self, K::JobClarificationFollowUps | K::RehabTeam)
            }
            OpenPoint::RehabTeamEnd => matches!(self, K::Lae265BeforeRehab(_) | K::RehabTeam),
        }
    }

    /// The open points a duty of this kind judged by the set named `rule_set` rests on, while the set
    /// is unconfirmed; empty otherwise. A duty is provisional (foreløbig) when this is not empty.
    pub fn provisional_points(self, book: &RuleBook, rule_set: &str) -> Vec<OpenPoint> {
        book.provisional_points_of(rule_set)
            .map(|points| {
                points
                    .iter()
                    .copied()
                    .filter(|p| self.rests_on(*p))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether a duty of this kind judged by the set named `rule_set` is provisional (no allocation:
    /// the duty engine asks this of every duty).
    pub fn is_provisional(self, book: &RuleBook, rule_set: &str) -> bool {
        book.provisional_points_of(rule_set)
            .is_some_and(|points| points.iter().any(|p| self.rests_on(*p)))
    }

    /// Whether the deadline is the municipality's own (a conversation, a check, the rehabilitation
    /// team), as opposed to a doctor's deadline for a medical statement.
    pub fn is_caseworker_deadline(self) -> bool {
        !matches!(self, DutyKind::MedicalStatement(_))
    }
}

/// Where a duty stands on the as-of date.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum Status {
    /// Overskredet: the deadline has passed (or the remaining conversations no longer fit).
    Overdue,
    /// Modstridende data: the recorded facts contradict each other, so the duty cannot be judged
    /// (e.g. a meeting recorded "with LÆ 265" while the course's LÆ 265 was not received by then).
    Conflict,
    /// Forfalder snart: due within the municipality's "due soon" days.
    DueSoon,
    /// Åben.
    Open,
    /// Standby: suspended, the clock is paused.
    SuspendedByStandby,
    /// Forsømt: the window closed without the duty being met.
    Missed,
    /// Opfyldt for sent.
    MetLate,
    /// Opfyldt.
    Met,
    /// Fritaget: the 2026 § 13 f exemption relieves the duty for now.
    Exempt,
    /// Ikke relevant.
    NotApplicable,
}

impl Status {
    /// Danish label for lists.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "Opfyldt",
            Status::MetLate => "Opfyldt for sent",
            Status::Open => "Åben",
            Status::DueSoon => "Forfalder snart",
            Status::Overdue => "Overskredet",
            Status::Missed => "Forsømt",
            Status::SuspendedByStandby => "Standby",
            Status::Conflict => "Modstridende data",
            Status::Exempt => "Fritaget (§ 13 f)",
            Status::NotApplicable => "Ikke relevant",
        }
    }

    /// Whether the duty still asks for action.
    pub fn is_actionable(self) -> bool {
        matches!(self, Status::Overdue | Status::DueSoon | Status::Open)
    }
}

/// Why a duty is what it is, beyond its status; drives the explanation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Note {
    None,
    /// The deadline comes from an early-follow-up request on this day.
    EarlyRequest(Day),
    /// An employer's request after the first 5 weeks does not shorten the deadline (§ 7 c).
    EmployerRequestTooLate(Day),
    /// The category does not carry the § 13 b duties.
    CategoryNotCovered,
    /// Category 1 course that had not passed 8 weeks (as of, or at its end).
    Category1WithinWeek8,
    /// The course ended before the duty fell due.
    CourseEnded(Day),
    /// Standby touched the window and the setting leaves such courses out.
    StandbyExcluded,
    /// The clock was paused for this many standby days.
    StandbyPaused(i32),
    /// § 13 f exemption in force until this day.
    Predictable(Day),
    /// § 13 f lapsed on this day.
    PredictableLapsed(Day),
    /// § 13 f marked, but the rules in force do not have § 13 f (before 2025).
    PredictableNotInForce,
    /// Waiting for the first conversation, which starts the clock.
    AwaitingFirstConversation,
    /// The deadline given to the doctor is shorter than the minimum.
    DeadlineTooShort {
        given: i32,
        minimum: i32,
    },
    /// The rules in force no longer have this duty.
    NotInRules,
    /// Before 2025 LÆ 285 was accepted in these cases; from 2025 the sufficiently-informed judgement.
    Lae265Substitute(Lae265Basis),
    /// Missed intervals of the 2015 four-weekly cadence.
    LateIntervals(u16),
    /// The first follow-up was not held in person as the rules require.
    FormNotAllowed(Day, ConversationForm),
    /// § 13 f (2025) covers employed citizens only; this course's target group is not employed.
    PredictableEmployedOnly,
    /// A 2025 § 13 f marking made on or after the day the 2026 rules replaced it: no effect.
    PredictableReplaced(Day),
    /// The rehabilitation team was abolished from this day (a setting): no LÆ 265 duty.
    RehabTeamAbolished(Day),
    /// A job-clarification course that began on or after the day the rules abolished job
    /// clarification: judged by the last rules that had it, and flagged as a data-quality warning.
    JobClarificationAbolished(Day),
    /// A running job-clarification course whose duty falls due after job clarification was
    /// abolished: the old rules apply to its end (a setting).
    JobClarificationOldRules(Day),
    /// The meeting is recorded "with LÆ 265", but the LÆ 265 requested on this day was not received
    /// by the meeting.
    Lae265Conflict {
        requested: Day,
    },
    /// Category 1: a conversation held before the absence passed 8 weeks does not meet the § 13 a
    /// duty, which arises only then (the day it arises).
    Category1ArisesOn(Day),
}

/// What the 2026 § 13 f exemption did to a duty; rendered in its explanation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExemptionMark {
    pub relief: Relief,
    pub from: Day,
    pub until: Day,
    pub ended: Option<(Day, ExemptionEnd)>,
}

/// One legal duty of one course, as of a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Duty {
    pub kind: DutyKind,
    pub status: Status,
    /// The rule set judging this duty ("2023").
    pub rule_set: &'static str,
    pub paragraph: &'static str,
    /// The deadline (window end for counting duties); `None` while unknown (standby without end).
    pub due: Option<Day>,
    /// Days from the as-of date to the effective deadline (`next_by` for counting duties, else `due`);
    /// negative when late. For met-late duties: minus the days it was late.
    pub days_left: Option<i32>,
    /// The counting window, both ends included.
    pub window: Option<(Day, Day)>,
    /// Held conversations counted in the window (as of).
    pub counted: u16,
    pub required: u16,
    /// The day the duty was met.
    pub met_on: Option<Day>,
    /// Latest date for the next conversation so the remaining ones still fit with the municipality's
    /// minimum spacing.
    pub next_by: Option<Day>,
    pub note: Note,
    /// Judged by a rule set that rests on unconfirmed facts of the law (foreløbig).
    pub provisional: bool,
    /// The course was in category 3 (abolished 1 January 2025) and is followed as category 2.
    pub carried_from_category3: bool,
    /// The 2026 § 13 f exemption's effect on this duty, if any (boxed: few duties have one, and every
    /// duty of the country is computed in one pass).
    pub exemption: Option<Box<ExemptionMark>>,
    /// Who the rule set says follows up: "jobcentret" until 2025, "kommunen" from lov 1750/2025.
    pub authority: crate::rules::Authority,
}

/// A local practice target's result: labelled local, never part of legal status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LocalResult {
    pub name: std::sync::Arc<str>,
    pub window: (Day, Day),
    pub counted: u16,
    pub required: u16,
    pub status: Status,
    pub days_left: Option<i32>,
}

impl LocalResult {
    /// Where the local target stands, in the caseworker's words: "nået", "forfalder dd-mm-åååå (2 af
    /// 4)", "ikke nået (2 af 4 inden dd-mm-åååå)"; `None` when it does not apply.
    pub fn words(&self) -> Option<String> {
        match self.status {
            Status::Met => Some("nået".into()),
            Status::Missed => Some(format!(
                "ikke nået ({} af {} inden {})",
                self.counted,
                self.required,
                self.window.1.dk()
            )),
            Status::Open | Status::DueSoon => Some(format!(
                "forfalder {} ({} af {})",
                self.window.1.dk(),
                self.counted,
                self.required
            )),
            _ => None,
        }
    }
}

/// Everything about one course as of a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CourseStatus {
    pub as_of: Day,
    /// Whether the course is running on the as-of date.
    pub active: bool,
    /// Days from the first day of absence to the as-of date (or the end); the course day is this + 1.
    pub days_since_first_absence: i32,
    pub conversations_held: u16,
    pub last_conversation: Option<Day>,
    pub in_standby: bool,
    pub duties: Vec<Duty>,
    pub local: Vec<LocalResult>,
    /// Contradictions in the course's data found while judging it (Danish), shown as data-quality
    /// warnings beside the duties.
    pub warnings: Vec<String>,
}

impl CourseStatus {
    /// The caseworker's actionable duty with the earliest effective deadline: what the worklist sorts
    /// by. Doctors' deadlines for medical statements are not the caseworker's deadlines; they show as
    /// flags instead.
    pub fn next_deadline(&self) -> Option<&Duty> {
        self.duties
            .iter()
            .filter(|d| d.kind.is_caseworker_deadline())
            .filter(|d| d.status.is_actionable() && d.days_left.is_some())
            .min_by_key(|d| d.days_left)
    }

    /// The next deadline the user acts on, by the municipality's choice of what drives it: the law's
    /// ([`CourseStatus::next_deadline`]), and, if chosen, the local targets still open and the medical
    /// statements to chase. Legal and local stay apart: the result says which it is.
    pub fn next_deadline_by(
        &self,
        drivers: crate::settings::DeadlineDrivers,
    ) -> Option<NextDeadline<'_>> {
        let legal = self.next_deadline().map(NextDeadline::Legal);
        let local = self
            .local
            .iter()
            .filter(|_| drivers.local())
            .filter(|l| matches!(l.status, Status::Open | Status::DueSoon))
            .filter(|l| l.days_left.is_some())
            .map(NextDeadline::Local);
        let medical = self
            .duties
            .iter()
            .filter(|_| drivers.medical())
            .filter(|d| matches!(d.kind, DutyKind::MedicalStatement(_)))
            .filter(|d| d.status.is_actionable() && d.days_left.is_some())
            .map(NextDeadline::Medical);
        // The earliest; on a tie the law's deadline first, then the local target.
        legal
            .into_iter()
            .chain(local)
            .chain(medical)
            .min_by_key(|n| n.days_left())
    }

    /// The most pressing status among the duties.
    pub fn worst(&self) -> Option<Status> {
        self.duties.iter().map(|d| d.status).min()
    }

    pub fn duty(&self, kind: DutyKind) -> Option<&Duty> {
        self.duties.iter().find(|d| d.kind == kind)
    }
}

/// The next deadline of a course: the law's, a local target's, or a doctor's (a medical statement).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NextDeadline<'a> {
    Legal(&'a Duty),
    Local(&'a LocalResult),
    Medical(&'a Duty),
}

impl NextDeadline<'_> {
    /// Days from the as-of date; negative when late.
    pub fn days_left(&self) -> i32 {
        match self {
            NextDeadline::Legal(d) | NextDeadline::Medical(d) => d.days_left.unwrap_or(i32::MAX),
            NextDeadline::Local(l) => l.days_left.unwrap_or(i32::MAX),
        }
    }

    /// The date to act by: the latest date for the next conversation, or the deadline.
    pub fn date(&self) -> Option<Day> {
        match self {
            NextDeadline::Legal(d) | NextDeadline::Medical(d) => d.next_by.or(d.due),
            NextDeadline::Local(l) => Some(l.window.1),
        }
    }

    /// What it is, in Danish, labelled so that legal and local never mix: "1. opfølgningssamtale (§ 13
    /// b, stk. 1)", "Lokalt mål (ikke lovkrav): 4 samtaler inden for 5 måneder", "Lægens frist: ...".
    pub fn label(&self) -> String {
        match self {
            NextDeadline::Legal(d) => format!("{} ({})", d.title(), d.paragraph),
            NextDeadline::Local(l) => format!(
                "Lokalt mål (ikke lovkrav): {} ({} af {})",
                l.name, l.counted, l.required
            ),
            NextDeadline::Medical(d) => format!("Lægens frist: {} ({})", d.title(), d.paragraph),
        }
    }

    pub fn status(&self) -> Status {
        match self {
            NextDeadline::Legal(d) | NextDeadline::Medical(d) => d.status,
            NextDeadline::Local(l) => l.status,
        }
    }

    /// Whether it rests on unconfirmed facts of the law (a legal duty only).
    pub fn provisional(&self) -> bool {
        matches!(self, NextDeadline::Legal(d) | NextDeadline::Medical(d) if d.provisional)
    }

    /// Days the deadline was moved by standby (`Note::StandbyPaused`), when it was moved.
    pub fn moved_by_standby(&self) -> Option<i32> {
        match self.duty().map(|d| d.note) {
            Some(Note::StandbyPaused(n)) if n > 0 => Some(n),
            _ => None,
        }
    }

    /// The legal duty, if it is one.
    pub fn duty(&self) -> Option<&Duty> {
        match self {
            NextDeadline::Legal(d) | NextDeadline::Medical(d) => Some(d),
            NextDeadline::Local(_) => None,
        }
    }
}

/// The facts visible as of `as_of`: the course's end only if it has happened.
struct View<'a> {
    f: CourseFacts<'a>,
    as_of: Day,
    /// End date if the course ended on or before `as_of`.
    ended: Option<Day>,
    /// Last day to look at: the end or `as_of`.
    last: Day,
}

impl View<'_> {
    fn held_between(&self, from: Day, to: Day) -> u16 {
        let to = to.min(self.last);
        if to < from {
            return 0;
        }
        self.f.held_between(from, to) as u16
    }

    /// The `n`-th (1-based) held conversation on or after `from`, up to `last`.
    fn nth_held_from(&self, from: Day, n: u16) -> Option<(Day, ConversationForm)> {
        self.f
            .conversations
            .iter()
            .filter(|c| c.held && c.date >= from && c.date <= self.last)
            .nth(usize::from(n.max(1)) - 1)
            .map(|c| (c.date, c.form))
    }

    /// Standby periods known on the as-of date; an end after `as_of` is not known yet (an end on the
    /// as-of day is).
    fn standby(&self) -> impl Iterator<Item = StandbyPeriod> + '_ {
        let as_of = self.as_of;
        self.f
            .standby
            .iter()
            .filter(move |s| s.start <= as_of)
            .map(move |s| StandbyPeriod {
                end: s.end.filter(|e| *e <= as_of),
                ..*s
            })
    }

    fn in_standby(&self) -> bool {
        self.ended.is_none() && self.standby().any(|s| s.covers(self.as_of))
    }

    fn standby_overlaps(&self, from: Day, to: Day) -> bool {
        self.standby()
            .any(|s| s.start <= to && s.end.is_none_or(|e| e >= from))
    }
}

/// Moves `end` later by the standby days inside `start..=end` (the clock is paused during standby).
/// Returns `None` when an open standby period covers the rest of the window (deadline unknown), and
/// otherwise the new end and the paused days.
pub fn pause_for_standby(
    start: Day,
    end: Day,
    periods: impl Iterator<Item = StandbyPeriod>,
) -> Option<(Day, i32)> {
    let mut end = end;
    let mut paused = 0;
    for p in periods {
        if p.start > end {
            break;
        }
        let from = p.start.max(start);
        let p_end = p.end?;
        if p_end < from {
            continue;
        }
        let days = from.days_until(p_end) + 1;
        paused += days;
        end = end.add_days(days);
    }
    Some((end, paused))
}

/// Evaluates every duty of one course as of `as_of`, on the facts the case system held that day:
/// a conversation registered after `as_of` did not exist for the caseworker then
/// ([`AsOfReading::Known`]; a duty list shows what the system holds).
pub fn evaluate(
    f: CourseFacts<'_>,
    book: &RuleBook,
    settings: &Settings,
    as_of: Day,
) -> CourseStatus {
    evaluate_as(f, book, settings, as_of, AsOfReading::Known)
}

/// Evaluates every duty as of `as_of` under a reading of "as of": what was known that day, or
/// what had happened by it (every fact dated on or before it, however late it was registered;
/// the measures' lean code is checked against this).
pub fn evaluate_as(
    f: CourseFacts<'_>,
    book: &RuleBook,
    settings: &Settings,
    as_of: Day,
    reading: AsOfReading,
) -> CourseStatus {
    match reading {
        AsOfReading::Known => match f.known_on(as_of) {
            Some(known) => evaluate_facts(known.facts(f), book, settings, as_of),
            None => evaluate_facts(f, book, settings, as_of),
        },
        AsOfReading::Happened => evaluate_facts(f, book, settings, as_of),
    }
}

fn evaluate_facts(
    f: CourseFacts<'_>,
    book: &RuleBook,
    settings: &Settings,
    as_of: Day,
) -> CourseStatus {
    let c = f.course;
    let ended = c.end.map(|e| e.date).filter(|d| *d <= as_of);
    let last = ended.unwrap_or(as_of);
    let v = View {
        f,
        as_of,
        ended,
        last,
    };
    let (held, last_conversation) = f
        .conversations
        .iter()
        .filter(|x| x.held && x.date <= last)
        .fold((0u16, None), |(n, _), x| {
            (n.saturating_add(1), Some(x.date))
        });
    let mut duties = Vec::with_capacity(4);
    let mut warnings = Vec::new();
    if c.clock_start() <= as_of {
        match c.kind {
            CourseKind::SicknessBenefit => sickness_duties(&v, book, settings, &mut duties),
            CourseKind::JobClarification => {
                job_clarification_duties(&v, book, settings, &mut duties, &mut warnings)
            }
        }
        medical_duties(&v, book, settings, &mut duties);
        rehab_duties(&v, book, settings, &mut duties, &mut warnings);
        let cat3 = c.kind == CourseKind::SicknessBenefit && category(&v) == Category::Three;
        for d in &mut duties {
            d.provisional = d.kind.is_provisional(book, d.rule_set);
            d.carried_from_category3 = cat3
                && book
                    .named(d.rule_set)
                    .is_some_and(|r| !r.covered.contains(&Category::Three));
        }
    }
    let local = settings
        .local_targets
        .iter()
        .filter(|_| c.kind == CourseKind::SicknessBenefit && c.clock_start() <= as_of)
        .map(|t| local_target(&v, t, settings))
        .collect();
    CourseStatus {
        as_of,
        active: c.clock_start() <= as_of && ended.is_none_or(|e| e >= as_of),
        days_since_first_absence: c.first_absence.days_until(last),
        conversations_held: held,
        last_conversation,
        in_standby: v.in_standby(),
        duties,
        local,
        warnings,
    }
}

fn category(v: &View<'_>) -> Category {
    // A category set after the as-of date was not known then; an unset category is treated as 2
    // (the law requires visitation by the first follow-up; treating it as 2 keeps the duty visible).
    v.f.course
        .visitation
        .filter(|vis| vis.set_on <= v.as_of)
        .map_or(Category::Two, |vis| vis.category)
}

fn deadline_status(v: &View<'_>, due: Day, met: Option<Day>, s: &Settings) -> (Status, i32) {
    match met {
        // Met on time: nothing is left and nothing is late (negative days mean late, docs/cli.md).
        Some(d) if d <= due => (Status::Met, 0),
        Some(d) => (Status::MetLate, -(due.days_until(d))),
        None => {
            let left = v.as_of.days_until(due);
            if left < 0 {
                (Status::Overdue, left)
            } else if left <= i32::from(s.due_soon_days) {
                (Status::DueSoon, left)
            } else {
                (Status::Open, left)
            }
        }
    }
}

fn blank(kind: DutyKind, rules: &RuleSet, paragraph: &'static str) -> Duty {
    Duty {
        kind,
        status: Status::NotApplicable,
        rule_set: rules.name,
        paragraph,
        due: None,
        days_left: None,
        window: None,
        counted: 0,
        required: 1,
        met_on: None,
        next_by: None,
        note: Note::None,
        provisional: false,
        carried_from_category3: false,
        exemption: None,
        authority: rules.authority,
    }
}

fn local_target(v: &View<'_>, t: &LocalTarget, s: &Settings) -> LocalResult {
    let c = v.f.course;
    let start = match t.clock {
        crate::settings::ClockStart::FirstAbsence => c.first_absence,
        crate::settings::ClockStart::BenefitStart => c.benefit_start,
    };
    let end = s.half_year.window_end(start, t.months).max(start);
    let counted = v.held_between(start, end);
    let required = u16::from(t.conversations);
    let (status, days_left) = if counted >= required {
        (Status::Met, None)
    } else if v.ended.is_some_and(|e| e < end) {
        (Status::NotApplicable, None)
    } else if v.as_of > end {
        (Status::Missed, Some(-(end.days_until(v.as_of))))
    } else {
        let left = v.as_of.days_until(end);
        let st = if left <= i32::from(s.due_soon_days) {
            Status::DueSoon
        } else {
            Status::Open
        };
        (st, Some(left))
    };
    LocalResult {
        name: t.name.clone(),
        window: (start, end),
        counted,
        required,
        status,
        days_left,
    }
}

/// Counting duty: `required` held conversations in `start..=end`.
#[allow(clippy::too_many_arguments)]
fn counting(
    v: &View<'_>,
    kind: DutyKind,
    rules: &RuleSet,
    paragraph: &'static str,
    s: &Settings,
    start: Day,
    end: Day,
    required: u16,
) -> Duty {
    let mut d = blank(kind, rules, paragraph);
    d.required = required;
    let mut end = end;
    match s.standby {
        StandbyHandling::CountAsUsual => {}
        StandbyHandling::Exclude => {
            if v.standby_overlaps(start, end) {
                d.window = Some((start, end));
                d.counted = v.held_between(start, end);
                d.note = Note::StandbyExcluded;
                return d;
            }
        }
        StandbyHandling::PauseClock => match pause_for_standby(start, end, v.standby()) {
            None => {
                d.window = Some((start, end));
                d.counted = v.held_between(start, end);
                if d.counted < required {
                    d.status = Status::SuspendedByStandby;
                    d.note = Note::StandbyPaused(0);
                    return d;
                }
            }
            Some((new_end, paused)) => {
                if paused > 0 {
                    d.note = Note::StandbyPaused(paused);
                }
                end = new_end;
            }
        },
    }
    d.window = Some((start, end));
    d.due = Some(end);
    let counted = v.held_between(start, end);
    d.counted = counted;
    if counted >= required {
        d.status = Status::Met;
        d.met_on = v.nth_held_from(start, required).map(|x| x.0);
        d.days_left = Some(0);
        return d;
    }
    if let Some(e) = v.ended.filter(|e| *e < end) {
        // The course ended inside the window: the requirement never fully arose.
        d.note = Note::CourseEnded(e);
        return d;
    }
    if v.as_of > end {
        d.status = Status::Missed;
        d.days_left = Some(-(end.days_until(v.as_of)));
        return d;
    }
    let remaining = i32::from(required - counted);
    let next_by = end.add_days(-(remaining - 1) * i32::from(s.min_spacing_days));
    d.next_by = Some(next_by);
    let left = v.as_of.days_until(next_by);
    d.days_left = Some(left);
    d.status = if v.in_standby() && s.standby != StandbyHandling::CountAsUsual {
        Status::SuspendedByStandby
    } else if left < 0 {
        Status::Overdue
    } else if left <= i32::from(s.due_soon_days) {
        Status::DueSoon
    } else {
        Status::Open
    };
    d
}
