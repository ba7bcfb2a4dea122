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

use serde::Serialize;

use crate::date::Day;
use crate::exemption::{exemption, Exemption, ExemptionEnd, Relief};
use crate::model::{
    Category, ConversationForm, CourseFacts, CourseKind, Lae265Basis, Predictable, Requester,
    StandbyPeriod, TargetGroup,
};
use crate::rules::{Cadence, FormRule, OpenPoint, RuleBook, RuleSet, RunningJobClarification};
use crate::settings::{Category1Reading, LocalTarget, Settings, StandbyHandling};

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
            Status::Missed => "Ikke opfyldt",
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

/// Evaluates every duty of one course as of `as_of`.
pub fn evaluate(
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

fn sickness_duties(v: &View<'_>, book: &RuleBook, s: &Settings, out: &mut Vec<Duty>) {
    let c = v.f.course;
    let day1 = c.first_absence;
    let cat = category(v);
    let base_rules = book.in_force_on(day1);
    let nominal_due = base_rules.first_follow_up_due(day1);
    let rules_at_due = book.in_force_on(nominal_due);

    if cat == Category::One && !rules_at_due.covers(Category::One) {
        out.push(category1_revisit(v, book, s));
        return;
    }
    let ex = exemption(c, book, v.as_of);
    out.push(first_follow_up(v, book, s, ex.as_ref()));
    let half_end = s.half_year.window_end(day1, 6);
    let cadence_rules = book.in_force_on(half_end);
    if let Cadence::EveryWeeks { weeks } = book.in_force_on(nominal_due).cadence {
        out.push(regular_follow_up(v, book, s, weeks));
    }
    if let Cadence::InFirstHalfYear { count } = cadence_rules.cadence {
        out.push(half_year(v, book, cadence_rules, s, count, ex.as_ref()));
    }
    if let Some(p) = c.predictable.filter(|p| p.marked_on <= v.as_of) {
        out.push(predictable_check(v, book, s, p));
    }
    if let Some(x) = ex {
        out.push(exemption_duty(v, book, &x));
    }
}

fn mark(x: &Exemption, relief: Relief) -> ExemptionMark {
    ExemptionMark {
        relief,
        from: x.from,
        until: x.until,
        ended: x.ended,
    }
}

/// The informational § 13 f (2026) line: exempt until day 182, or how the exemption ended.
fn exemption_duty(v: &View<'_>, book: &RuleBook, x: &Exemption) -> Duty {
    let rules = book.in_force_on(x.from);
    let mut d = blank(DutyKind::Exemption26, rules, rules.exemption_paragraph);
    d.required = 0;
    d.window = Some((x.from, x.until));
    d.due = Some(x.until);
    let relief = if x.never() {
        Relief::None
    } else if x.ended.is_none() {
        Relief::Exempt
    } else {
        x.relieves(x.from, book.params().after_exemption)
    };
    d.exemption = Some(Box::new(mark(x, relief)));
    if x.ended.is_none() && x.covers(v.as_of) && v.ended.is_none() {
        d.status = Status::Exempt;
        d.days_left = Some(v.as_of.days_until(x.until));
    } else if let Some(e) = v.ended.filter(|e| *e <= x.until && x.ended.is_none()) {
        d.note = Note::CourseEnded(e);
    }
    d
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

fn first_follow_up(v: &View<'_>, book: &RuleBook, s: &Settings, ex: Option<&Exemption>) -> Duty {
    let mut d = first_follow_up_plain(v, book, s, ex);
    if let (Some(x), Some(due)) = (ex, d.due) {
        relieve(&mut d, v, book, x, due);
    }
    d
}

/// Applies the 2026 § 13 f to a duty falling due on `due`: marks how the exemption bears on it, and
/// relieves it while exempt and after stk. 3 under the default reading. A relieved duty is relieved
/// even where a conversation was held (the citizen's right to one, § 13 f, stk. 2): the measures
/// leave such courses out under the same rule.
fn relieve(d: &mut Duty, v: &View<'_>, book: &RuleBook, x: &Exemption, due: Day) {
    let relief = x.relieves(due, book.params().after_exemption);
    if relief != Relief::None {
        d.exemption = Some(Box::new(mark(x, relief)));
    }
    match relief {
        Relief::Exempt => exempt(d, Status::Exempt, v, x),
        Relief::AsAgreed => exempt(d, Status::NotApplicable, v, x),
        _ => {}
    }
}

/// A duty the exemption relieves: no deadline, no days left.
fn exempt(d: &mut Duty, status: Status, v: &View<'_>, x: &Exemption) {
    d.status = status;
    d.days_left =
        (status == Status::Exempt && v.ended.is_none()).then(|| v.as_of.days_until(x.until));
    d.next_by = None;
    d.met_on = None;
}

fn first_follow_up_plain(
    v: &View<'_>,
    book: &RuleBook,
    s: &Settings,
    ex: Option<&Exemption>,
) -> Duty {
    let c = v.f.course;
    let day1 = c.first_absence;
    let base = book.in_force_on(day1);
    let mut due = base.first_follow_up_due(day1);
    let mut note = Note::None;
    let mut paragraph = book.in_force_on(due).first_follow_up_paragraph;
    if let Some(req) = c.early_request.filter(|r| r.date <= v.as_of) {
        let r = book.in_force_on(req.date);
        let window_end = day1.add_days(7 * i32::from(r.employer_request_weeks) - 1);
        if req.by == Requester::Employer && req.date > window_end {
            note = Note::EmployerRequestTooLate(req.date);
        } else {
            let early_due = req.date.add_days(i32::from(r.early_request_days));
            if early_due < due {
                due = early_due;
                note = Note::EarlyRequest(req.date);
                paragraph = r.early_request_paragraph;
            }
        }
    }
    // The exemption ended and the normal duties apply: where the deadline passed while exempt, the
    // first conversation is due `late_first_days` after the end (a setting).
    if let Some(x) = ex {
        if let Some((end, _)) = x.ended {
            if x.relieves(due, book.params().after_exemption) == Relief::Restored && due < end {
                due = end.add_days(i32::from(book.params().late_first_days));
                paragraph = book.in_force_on(end).exemption_paragraph;
            }
        }
    }
    let rules = book.in_force_on(due);
    let mut d = blank(DutyKind::FirstFollowUp, rules, paragraph);
    d.window = Some((day1, due));
    d.note = note;
    let first = v.nth_held_from(day1, 1);
    // Standby pauses the clock (or removes the duty) unless the first conversation was already held.
    if first.is_none_or(|(date, _)| date > due) {
        match s.standby {
            StandbyHandling::CountAsUsual => {}
            StandbyHandling::Exclude => {
                if v.standby_overlaps(day1, due) {
                    d.note = Note::StandbyExcluded;
                    return d;
                }
            }
            StandbyHandling::PauseClock => match pause_for_standby(day1, due, v.standby()) {
                None => {
                    d.status = Status::SuspendedByStandby;
                    d.note = Note::StandbyPaused(0);
                    return d;
                }
                Some((new_due, paused)) if paused > 0 => {
                    due = new_due;
                    d.note = Note::StandbyPaused(paused);
                    d.window = Some((day1, due));
                }
                Some(_) => {}
            },
        }
    }
    d.due = Some(due);
    if first.is_none() {
        if let Some(end) = v.ended {
            d.note = Note::CourseEnded(end);
            if end < due {
                return d; // ended before the duty fell due: not applicable
            }
            d.status = Status::Missed;
            d.days_left = Some(-(due.days_until(end)));
            return d;
        }
    }
    let (status, days) = deadline_status(v, due, first.map(|x| x.0), s);
    d.status = status;
    d.days_left = Some(days);
    d.met_on = first.map(|x| x.0);
    d.counted = u16::from(first.is_some());
    if let Some((date, form)) = first {
        if form != ConversationForm::InPerson && form_requires_in_person(rules, c.target_group) {
            d.note = Note::FormNotAllowed(date, form);
        }
    }
    d
}

fn form_requires_in_person(rules: &RuleSet, group: TargetGroup) -> bool {
    match rules.form {
        FormRule::Individual => false,
        FormRule::AllInPerson | FormRule::InPersonFirstSixMonths => true,
        FormRule::OnlyFirstInPerson => group != TargetGroup::Employed,
    }
}

fn category1_revisit(v: &View<'_>, book: &RuleBook, s: &Settings) -> Duty {
    let day1 = v.f.course.first_absence;
    let base = book.in_force_on(day1);
    let week8 = day1.add_days(7 * i32::from(base.category1_weeks) - 1);
    // § 13 a, stk. 1: the duty arises when the absence passes 8 weeks, i.e. on day 57. The default
    // reading: the follow-up with re-visitation is due within `days` after that, and only a
    // conversation held once the duty exists meets it. The alternative (`AsCategory2`) reads the
    // course as category 2 from day 1 once it passes 8 weeks: the week-8 deadline, any conversation
    // from day 1.
    let (due, counts_from) = match s.category1 {
        Category1Reading::AfterWeek8 { days } => {
            (week8.add_days(i32::from(days)), week8.add_days(1))
        }
        Category1Reading::AsCategory2 => (week8, day1),
    };
    let rules = book.in_force_on(due);
    let mut d = blank(DutyKind::Category1Revisit, rules, rules.category1_paragraph);
    d.window = Some((counts_from, due));
    // The duty arises only if the absence passes 8 weeks.
    if let Some(end) = v.ended.filter(|e| *e <= week8) {
        d.note = Note::CourseEnded(end);
        return d;
    }
    d.due = Some(due);
    let met = v.nth_held_from(counts_from, 1).map(|x| x.0);
    if v.as_of <= week8 && met.is_none() {
        d.note = Note::Category1WithinWeek8;
    } else if met.is_none() && counts_from > day1 && v.f.held_between(day1, week8) > 0 {
        d.note = Note::Category1ArisesOn(counts_from);
    }
    let (status, days) = deadline_status(v, due, met, s);
    if met.is_none() && v.ended.is_some() {
        d.status = Status::Missed;
    } else {
        d.status = status;
    }
    d.days_left = Some(days);
    d.met_on = met;
    d.counted = u16::from(met.is_some());
    d
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

fn half_year(
    v: &View<'_>,
    book: &RuleBook,
    rules: &RuleSet,
    s: &Settings,
    count: u8,
    ex: Option<&Exemption>,
) -> Duty {
    let day1 = v.f.course.first_absence;
    let end = s.half_year.window_end(day1, 6);
    let mut d = counting(
        v,
        DutyKind::HalfYearFollowUps,
        rules,
        rules.cadence_paragraph,
        s,
        day1,
        end,
        u16::from(count),
    );
    // § 13 f (2025): while the exemption holds, only the fitness check is required.
    if let Some(check) = predictable_in_force(v, book) {
        if v.as_of <= check && d.status != Status::Met {
            d.status = Status::NotApplicable;
            d.note = Note::Predictable(check);
            d.days_left = None;
            d.next_by = None;
        }
    }
    // § 13 f (2026): relieved while exempt, and after stk. 3 under the default reading.
    if let Some(x) = ex {
        let due = d.due.unwrap_or(end);
        relieve(&mut d, v, book, x, due);
    }
    d
}

/// The § 13 f check date, if the course is marked under rules that have § 13 f (marked on or after
/// 1 January 2025), the marking is known as of the as-of date, and it has not lapsed.
fn predictable_in_force(v: &View<'_>, book: &RuleBook) -> Option<Day> {
    let c = v.f.course;
    let p = c.predictable.filter(|p| p.marked_on <= v.as_of)?;
    if c.target_group != TargetGroup::Employed {
        return None;
    }
    if predictable_lapse(v, book, p).is_some_and(|l| l <= v.as_of) {
        return None;
    }
    predictable_due(v, book.in_force_on(p.marked_on))
}

/// The day a 2025 § 13 f marking lapsed, as known on the as-of date: the recorded lapse, the day the
/// citizen became unemployed (stk. 2), or the start of the 2026 rules where the setting ends 2025
/// markings there.
fn predictable_lapse(v: &View<'_>, book: &RuleBook, p: Predictable) -> Option<Day> {
    let known = |d: Option<Day>| d.filter(|d| *d <= v.as_of);
    let at_start = match book.params().marking_2025 {
        crate::rules::Marking2025::EndsAtStart => book
            .exemption_start()
            .filter(|s| p.marked_on < *s && *s <= v.as_of),
        crate::rules::Marking2025::KeepToEnd => None,
    };
    [
        known(p.lapsed_on),
        known(v.f.course.reform().unemployed_on),
        at_start,
    ]
    .into_iter()
    .flatten()
    .min()
}

fn predictable_due(v: &View<'_>, rules: &RuleSet) -> Option<Day> {
    let days = rules.predictable_check_days?;
    let first = v.nth_held_from(v.f.course.first_absence, 1)?.0;
    Some(first.add_days(i32::from(days)))
}

fn predictable_check(v: &View<'_>, book: &RuleBook, s: &Settings, marked: Predictable) -> Duty {
    let c = v.f.course;
    let rules = book.in_force_on(marked.marked_on);
    let mut d = blank(
        DutyKind::PredictableCheck,
        rules,
        rules.predictable_paragraph,
    );
    if rules.predictable_check_days.is_none() {
        d.note = match book.exemption_start() {
            Some(start) if marked.marked_on >= start => Note::PredictableReplaced(start),
            _ => Note::PredictableNotInForce,
        };
        return d;
    }
    if c.target_group != TargetGroup::Employed {
        d.note = Note::PredictableEmployedOnly;
        return d;
    }
    if let Some(l) = predictable_lapse(v, book, marked) {
        d.note = Note::PredictableLapsed(l);
        return d;
    }
    let Some(first) = v.nth_held_from(c.first_absence, 1) else {
        d.note = Note::AwaitingFirstConversation;
        return d;
    };
    let due = predictable_due(v, rules).unwrap_or(first.0);
    d.due = Some(due);
    d.window = Some((first.0.add_days(1), due));
    // Met when the citizen is back by the check date, or a follow-up was held after the first one.
    let met = match v.ended {
        Some(e) if e <= due => Some(e),
        _ => v
            .nth_held_from(first.0.add_days(1), 1)
            .map(|x| x.0)
            .filter(|x| *x <= due),
    };
    let (status, days) = deadline_status(v, due, met, s);
    d.status = if status == Status::Overdue {
        Status::Missed
    } else {
        status
    };
    d.days_left = Some(days);
    d.met_on = met;
    d
}

fn regular_follow_up(v: &View<'_>, book: &RuleBook, s: &Settings, weeks: u8) -> Duty {
    // 2015: after the first follow-up, at least every `weeks` weeks. Judged interval by interval while
    // the 2015 rules are in force on the interval's due date.
    let c = v.f.course;
    let day1 = c.first_absence;
    let step = 7 * i32::from(weeks);
    let base = book.in_force_on(day1);
    let mut d = blank(DutyKind::RegularFollowUp, base, base.cadence_paragraph);
    let Some((first, _)) = v.nth_held_from(day1, 1) else {
        d.note = Note::AwaitingFirstConversation;
        return d;
    };
    let mut prev = first;
    let mut late = 0u16;
    let mut counted = 1u16;
    for conv in v.f.held().filter(|x| x.date > first && x.date <= v.last) {
        let due = prev.add_days(step);
        if !matches!(book.in_force_on(due).cadence, Cadence::EveryWeeks { .. }) {
            break;
        }
        if conv.date > due {
            late += 1;
        }
        counted += 1;
        prev = conv.date;
    }
    let due = prev.add_days(step);
    d.counted = counted;
    d.window = Some((first, due));
    d.note = Note::LateIntervals(late);
    if !matches!(book.in_force_on(due).cadence, Cadence::EveryWeeks { .. }) {
        // The next interval falls under the 2020 rules: this duty has run its course.
        d.status = if late == 0 {
            Status::Met
        } else {
            Status::MetLate
        };
        return d;
    }
    d.due = Some(due);
    if let Some(e) = v.ended.filter(|e| *e <= due) {
        d.status = if late == 0 {
            Status::Met
        } else {
            Status::MetLate
        };
        d.met_on = Some(e);
        return d;
    }
    // The current interval is open: judged like any deadline; earlier late intervals stay in the note.
    let (status, left) = deadline_status(v, due, None, s);
    d.status = status;
    d.days_left = Some(left);
    d
}

/// The rules that judge a job-clarification duty falling due on `due`, for a course that began on
/// `start`: the set in force on `due`, unless job clarification was abolished by then. Then a course
/// running at the abolition keeps the last rules that had it (default) or has no such duty; a course
/// begun after the abolition cannot exist under those rules: judged by the last rules that had job
/// clarification, with a note and a data-quality warning.
fn job_clarification_rules(book: &RuleBook, start: Day, due: Day) -> (&RuleSet, Option<Note>) {
    let rules = book.in_force_on(due);
    let Some(abolished) = book
        .job_clarification_end()
        .filter(|_| rules.job_clarification.is_none())
    else {
        return (rules, None);
    };
    let last = book.in_force_on(abolished.add_days(-1));
    if last.job_clarification.is_none() {
        return (rules, Some(Note::NotInRules));
    }
    if start >= abolished {
        return (last, Some(Note::JobClarificationAbolished(abolished)));
    }
    match book.params().running_job_clarification {
        RunningJobClarification::OldRulesToEnd => {
            (last, Some(Note::JobClarificationOldRules(abolished)))
        }
        RunningJobClarification::EndAtStart => (rules, Some(Note::NotInRules)),
    }
}

fn job_clarification_duties(
    v: &View<'_>,
    book: &RuleBook,
    s: &Settings,
    out: &mut Vec<Duty>,
    warnings: &mut Vec<String>,
) {
    let start = v.f.course.clock_start();
    let end = s.half_year.window_end(start, 6);
    if let Some(abolished) = book.job_clarification_end().filter(|a| start >= *a) {
        warnings.push(format!(
            "Jobafklaringsforløbet begyndte {}, men efter regelsættet {} oprettes der ikke nye jobafklaringsforløb fra {}; tjek data eller regelsættet",
            start.dk(),
            book.in_force_on(abolished).name,
            abolished.dk()
        ));
    }
    let (rules, note) = job_clarification_rules(book, start, end);
    match rules.job_clarification {
        Some(jc) => {
            let mut d = counting(
                v,
                DutyKind::JobClarificationFollowUps,
                rules,
                jc.conversations_paragraph,
                s,
                start,
                s.half_year.window_end(start, jc.months),
                u16::from(jc.conversations),
            );
            if let Some(n) = note.filter(|_| d.note == Note::None) {
                d.note = n;
            }
            if note.is_some() {
                // Judged by the last rules that had job clarification, after they ended: provisional
                // like the set that ended them.
                d.rule_set = book.in_force_on(end).name;
            }
            out.push(d);
        }
        None => {
            let mut d = blank(DutyKind::JobClarificationFollowUps, rules, "");
            d.note = note.unwrap_or(Note::NotInRules);
            out.push(d);
        }
    }
    // The rehabilitation team within 4 weeks of the transition (until 2024). The deadline arises at
    // the transition (under the rules then) and is judged, like every duty, by the rules in force on
    // the day it falls due. Lov 1657/2024 has no transitional rule for it in our sources, and a
    // procedural duty not yet due when the rule is repealed falls away with it (docs/rules.md): a
    // transition in December 2024 with its deadline in 2025 has no team deadline.
    let start_rules = book.in_force_on(start);
    let Some(jc) = start_rules.job_clarification else {
        return;
    };
    let Some(days) = jc.rehab_team_days else {
        let mut d = blank(DutyKind::RehabTeam, start_rules, jc.rehab_team_paragraph);
        d.note = Note::NotInRules;
        out.push(d);
        return;
    };
    let due = start.add_days(i32::from(days));
    let (team_rules, note) = job_clarification_rules(book, start, due);
    let team = team_rules
        .job_clarification
        .and_then(|jc| jc.rehab_team_days);
    let mut d = blank(DutyKind::RehabTeam, team_rules, jc.rehab_team_paragraph);
    if team.is_none() {
        d.note = Note::NotInRules;
        out.push(d);
        return;
    }
    if let Some(n) = note {
        d.note = n;
        d.rule_set = book.in_force_on(due).name;
    }
    d.due = Some(due);
    d.window = Some((start, due));
    let met =
        v.f.rehab
            .iter()
            .find(|r| r.date >= start && r.date <= v.last)
            .map(|r| r.date);
    if met.is_none() && v.ended.is_some_and(|e| e < due) {
        d.note = Note::CourseEnded(v.ended.unwrap_or(due));
    } else {
        let (st, days) = deadline_status(v, due, met, s);
        d.status = st;
        d.days_left = Some(days);
        d.met_on = met;
    }
    out.push(d);
}

fn medical_duties(v: &View<'_>, book: &RuleBook, s: &Settings, out: &mut Vec<Duty>) {
    for (i, m) in v.f.medical.iter().enumerate() {
        if m.sent > v.as_of {
            continue;
        }
        let rules = book.in_force_on(m.sent);
        let standard = m.sent.add_days(i32::from(rules.medical_deadline_days));
        let due = m.deadline.unwrap_or(standard);
        let mut d = blank(
            DutyKind::MedicalStatement(i as u16),
            rules,
            rules.medical_paragraph,
        );
        let given = m.sent.days_until(due);
        if given < i32::from(rules.medical_min_days) {
            d.note = Note::DeadlineTooShort {
                given,
                minimum: i32::from(rules.medical_min_days),
            };
        }
        d.due = Some(due);
        d.window = Some((m.sent, due));
        let received = m.received.filter(|r| *r <= v.as_of);
        if received.is_none() && v.ended.is_some() {
            // The course has ended; the request no longer needs chasing.
            d.note = Note::CourseEnded(v.ended.unwrap_or(due));
            out.push(d);
            continue;
        }
        let (st, days) = deadline_status(v, due, received, s);
        d.status = st;
        d.days_left = Some(days);
        d.met_on = received;
        d.counted = u16::from(received.is_some());
        out.push(d);
    }
}

fn rehab_duties(
    v: &View<'_>,
    book: &RuleBook,
    s: &Settings,
    out: &mut Vec<Duty>,
    warnings: &mut Vec<String>,
) {
    for (i, r) in v.f.rehab.iter().enumerate() {
        let rules = book.in_force_on(r.date);
        let mut d = blank(
            DutyKind::Lae265BeforeRehab(i as u16),
            rules,
            rules.lae265.paragraph,
        );
        d.due = Some(r.date);
        let team_end = book.params().rehab_team_end;
        if r.date >= team_end {
            // Lov 1750/2025 abolishes the rehabilitation-team requirement; the day is a setting.
            d.note = Note::RehabTeamAbolished(team_end);
            out.push(d);
            continue;
        }
        if let Some(requested) = lae265_conflict(v, r) {
            // The meeting says "with LÆ 265", the course's own LÆ 265 request says it had not arrived:
            // the data contradict each other, so the duty is neither met nor missed.
            d.status = Status::Conflict;
            d.note = Note::Lae265Conflict { requested };
            warnings.push(crate::model::lae265_conflict_text(r.date, requested));
            out.push(d);
            continue;
        }
        let accepted = match r.basis {
            Lae265Basis::Present => true,
            Lae265Basis::Lae285Exception => rules.lae265.lae285_exception,
            Lae265Basis::SufficientlyInformed => rules.lae265.sufficiently_informed,
            Lae265Basis::Missing => false,
        };
        if r.basis != Lae265Basis::Present {
            d.note = Note::Lae265Substitute(r.basis);
        }
        if r.date > v.as_of {
            // A planned meeting: the statement must be there before it.
            if accepted {
                d.status = Status::Met;
            } else {
                let (st, days) = deadline_status(v, r.date, None, s);
                d.status = st;
                d.days_left = Some(days);
            }
        } else {
            d.status = if accepted {
                Status::Met
            } else {
                Status::Missed
            };
            d.met_on = accepted.then_some(r.date);
        }
        out.push(d);
    }
}

/// A meeting recorded "with LÆ 265" (basis `Present`) where the course's LÆ 265 requests say no
/// statement had arrived by the meeting: requests sent on or before the meeting, none received by
/// then (as known on the as-of date). The source of truth for a statement is its request's received
/// date; the meeting's basis is a summary typed beside it. When the two disagree, the contradiction is
/// shown, never hidden behind "Opfyldt". Returns the day of the latest such request.
fn lae265_conflict(v: &View<'_>, r: &crate::model::RehabMeeting) -> Option<Day> {
    if r.basis != Lae265Basis::Present || r.date > v.as_of {
        return None;
    }
    v.f.lae265_conflict(r.date, v.as_of)
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

impl Duty {
    /// Why the duty is provisional, in Danish: the set and the unconfirmed facts it rests on; `None`
    /// when it is not.
    pub fn provisional_reason(&self, book: &RuleBook) -> Option<String> {
        let points = self.kind.provisional_points(book, self.rule_set);
        (!points.is_empty()).then(|| {
            format!(
                "Foreløbig: regelsæt {} er ikke bekræftet. {}.",
                self.rule_set,
                points
                    .iter()
                    .map(|p| p.text())
                    .collect::<Vec<_>>()
                    .join(". ")
            )
        })
    }

    /// Danish name of the duty, e.g. "1. samtale".
    pub fn title(&self) -> String {
        match self.kind {
            DutyKind::FirstFollowUp => "1. opfølgningssamtale".into(),
            DutyKind::Category1Revisit => "Opfølgning med revisitation (kategori 1)".into(),
            DutyKind::HalfYearFollowUps => format!("{} samtaler i første halvår", self.required),
            DutyKind::RegularFollowUp => "Opfølgning mindst hver 4. uge".into(),
            DutyKind::PredictableCheck => "§ 13 f: tjek af raskmelding".into(),
            DutyKind::MedicalStatement(_) => "Lægeattest".into(),
            DutyKind::JobClarificationFollowUps => {
                format!(
                    "{} samtaler i jobafklaringens første 6 måneder",
                    self.required
                )
            }
            DutyKind::RehabTeam => "Rehabiliteringsteam inden 4 uger".into(),
            DutyKind::Lae265BeforeRehab(_) => "LÆ 265 før rehabiliteringsteamet".into(),
            DutyKind::Exemption26 => {
                "§ 13 f: ingen opfølgning ved forventet raskmelding inden 26 uger".into()
            }
        }
    }

    /// The one-sentence Danish explanation, naming the rule set and paragraph; "foreløbig" when the
    /// rule set rests on unconfirmed facts of the law.
    pub fn explain(&self) -> String {
        let src = format!(
            "{}, regelsæt {}{}",
            self.paragraph,
            self.rule_set,
            if self.provisional { ", foreløbig" } else { "" }
        );
        let due = self.due.map(|d| d.dk().to_string()).unwrap_or_default();
        let what = self.title();
        let status = match self.status {
            Status::Met => match self.met_on {
                Some(m) => format!("opfyldt {}", m.dk()),
                None => "opfyldt".into(),
            },
            Status::MetLate => format!(
                "opfyldt for sent ({} dage efter fristen {due})",
                -self.days_left.unwrap_or(0)
            ),
            Status::Open | Status::DueSoon => match self.next_by {
                Some(n) => format!(
                    "{} af {} holdt; næste samtale senest {} ({} dage), halvåret slutter {due}",
                    self.counted,
                    self.required,
                    n.dk(),
                    self.days_left.unwrap_or(0)
                ),
                None => format!(
                    "frist {due} ({} dage tilbage)",
                    self.days_left.unwrap_or(0)
                ),
            },
            Status::Overdue => match self.next_by {
                Some(n) => format!(
                    "{} af {} holdt; næste samtale skulle have været holdt senest {} for at nå resten inden {due}",
                    self.counted,
                    self.required,
                    n.dk()
                ),
                None => format!(
                    "fristen {due} er overskredet med {} dage",
                    -self.days_left.unwrap_or(0)
                ),
            },
            Status::Missed => format!(
                "ikke opfyldt: {} af {} inden {due}",
                self.counted, self.required
            ),
            Status::SuspendedByStandby => "sat i bero: borgeren er i standby".into(),
            Status::Conflict => "kan ikke afgøres, fordi data er modstridende".into(),
            Status::Exempt => match self.exemption.as_deref() {
                Some(x) => format!(
                    "fritaget: kommunen følger ikke op, så længe borgeren forventes rask senest ved udgangen af uge 26 ({})",
                    x.until.dk()
                ),
                None => "fritaget".into(),
            },
            Status::NotApplicable => "gælder ikke".into(),
        };
        let note = match self.note {
            Note::None => String::new(),
            Note::EarlyRequest(d) => format!("; fristen er 2 uger fra anmodningen om tidlig opfølgning {}", d.dk()),
            Note::EmployerRequestTooLate(d) => format!(
                "; arbejdsgiverens anmodning {} kom efter de første 5 uger og forkorter ikke fristen (§ 7 c)",
                d.dk()
            ),
            Note::CategoryNotCovered => "; kategorien er ikke omfattet".into(),
            Note::Category1WithinWeek8 => "; gælder kun, hvis fraværet passerer 8 uger".into(),
            Note::CourseEnded(d) => format!("; forløbet sluttede {}", d.dk()),
            Note::StandbyExcluded => "; standby i perioden, og indstillingen udelader sådanne forløb".into(),
            Note::StandbyPaused(0) => "; uret står stille under standby".into(),
            Note::StandbyPaused(n) => format!("; fristen er rykket {n} dage for standby"),
            Note::Predictable(d) => format!("; § 13 f-forløb: kun tjek af raskmelding senest {}", d.dk()),
            Note::PredictableLapsed(d) => format!("; § 13 f bortfaldt {}, de almindelige regler gælder", d.dk()),
            Note::PredictableNotInForce => "; § 13 f gælder først fra 1. januar 2025".into(),
            Note::AwaitingFirstConversation => "; afventer første samtale".into(),
            Note::DeadlineTooShort { given, minimum } => {
                format!("; lægens frist var {given} dage, mindst {minimum} er tilladt")
            }
            Note::NotInRules => "; pligten findes ikke i de gældende regler".into(),
            Note::Lae265Substitute(b) => match b {
                Lae265Basis::Lae285Exception => "; LÆ 285 i stedet for LÆ 265".into(),
                Lae265Basis::SufficientlyInformed => "; vurderet tilstrækkeligt oplyst uden LÆ 265".into(),
                Lae265Basis::Missing => "; LÆ 265 mangler".into(),
                Lae265Basis::Present => String::new(),
            },
            Note::LateIntervals(0) => String::new(),
            Note::LateIntervals(n) => format!("; {n} interval(ler) over 4 uger"),
            Note::PredictableEmployedOnly => "; § 13 f gælder kun beskæftigede, og borgeren er ikke beskæftiget".into(),
            Note::PredictableReplaced(d) => format!(
                "; § 13 f-reglen fra 2025 (13 uger efter første samtale) er afløst af lov 1750/2025 fra {}, så markeringen har ingen virkning",
                d.dk()
            ),
            Note::RehabTeamAbolished(d) => format!(
                "; kravet om rehabiliteringsteam er afskaffet fra {} (lov 1750/2025; datoen er en indstilling)",
                d.dk()
            ),
            Note::JobClarificationAbolished(d) => format!(
                "; efter reglerne oprettes der ikke nye jobafklaringsforløb fra {}; forløbet følges efter de senest gældende regler for jobafklaring",
                d.dk()
            ),
            Note::JobClarificationOldRules(d) => format!(
                "; jobafklaring er afskaffet fra {}, men forløb i gang følger de hidtidige regler til deres afslutning (indstilling)",
                d.dk()
            ),
            Note::Lae265Conflict { requested } => format!(
                "; mødet er registreret med LÆ 265, men LÆ 265 anmodet {} var ikke modtaget inden mødet",
                requested.dk()
            ),
            Note::Category1ArisesOn(d) => format!(
                "; pligten opstår først {}, når fraværet passerer 8 uger, så en samtale før da tæller ikke",
                d.dk()
            ),
            Note::FormNotAllowed(d, f) => format!(
                "; samtalen {} var {} og skulle have været ved personligt fremmøde",
                d.dk(),
                match f {
                    ConversationForm::Phone => "telefonisk",
                    ConversationForm::Video => "over video",
                    ConversationForm::InPerson => "ved fremmøde",
                }
            ),
        };
        let exemption = match self.exemption.as_deref() {
            Some(x) => match (x.relief, x.ended) {
                (_, Some((end, why))) if end <= x.from => format!(
                    "; aldrig fritaget efter § 13 f, da {} {}",
                    why.words(),
                    end.dk()
                ),
                (Relief::AsAgreed, Some((end, why))) => format!(
                    "; § 13 f-fritagelsen ophørte {}, da {}; {} følger herefter op efter aftale og behov (§ 13 b, stk. 1, 3.-8. pkt.), uden frist for 1. samtale og uden krav om antal samtaler i første halvår",
                    end.dk(),
                    why.words(),
                    self.authority.word()
                ),
                (Relief::Restored, Some((end, why))) => format!(
                    "; § 13 f-fritagelsen ophørte {}, da {}, og de almindelige regler gælder, som om borgeren aldrig var fritaget",
                    end.dk(),
                    why.words()
                ),
                _ => String::new(),
            },
            None => String::new(),
        };
        let carried = if self.carried_from_category3 {
            "; kategori 3 blev ophævet 1. januar 2025, så forløbet følges efter reglerne for kategori 2"
        } else {
            ""
        };
        format!("{what}: {status}{note}{exemption}{carried} ({src}).")
    }
}
