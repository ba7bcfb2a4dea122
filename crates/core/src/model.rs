//! Domain types: citizens, courses and the facts recorded about them.
//!
//! A [`Population`] holds everything the rules and measures read: teams, caseworkers, citizens,
//! courses, and per course its conversations, standby periods, medical-information requests and
//! rehabilitation-team meetings. It is built once by [`PopulationBuilder::build`], which sorts the
//! per-course facts by date (so results never depend on input order) and reports what it found
//! questionable as [`Diagnostic`]s instead of failing.
//!
//! Ids (`CourseId`, `CitizenId`, ...) are indexes into the population's vectors; the case system's own
//! keys are kept as strings beside them (`Course::key`).
//!
//! A course's key and a citizen's name are [`Text`]s: up to 24 bytes held in place (the case
//! system's keys and nearly every name), longer ones on the heap. At the whole country's size a
//! `String` each was 5.9 million small allocations, about 190 MB with the allocator's own
//! bookkeeping, for text averaging 15 bytes (issue 15, docs/performance.md).

use serde::Serialize;

/// Short text held in place (`compact_str`: the same 24 bytes as a `String`, no allocation up to
/// 24 bytes of UTF-8). Reads as a `str`; made from a `&str` or a `String` with `.into()`.
pub type Text = compact_str::CompactString;

use crate::cpr::Cpr;
use crate::date::Day;

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        ///
        /// Held as the index plus one in a `NonZeroU32`, so that `Option<Self>` is four bytes
        /// too (a course's caseworker, a conversation's caseworker, a job clarification's sickness
        /// course): at the whole country's size 8 bytes a conversation and a course less, about
        /// 85 MB (issue 15). Made with [`Self::new`], read with [`Self::get`] or [`Self::index`];
        /// the order is the indexes' order.
        #[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(std::num::NonZeroU32);
        impl $name {
            /// The id of index `i`. Panics at `u32::MAX`, which no population reaches (its
            /// lists are indexed by `u32`, and the last index of a full one is `u32::MAX - 1`).
            #[inline]
            pub const fn new(i: u32) -> Self {
                match std::num::NonZeroU32::new(i.wrapping_add(1)) {
                    Some(v) => Self(v),
                    None => panic!("id out of range"),
                }
            }
            /// The index, as a `u32`.
            #[inline]
            pub const fn get(self) -> u32 {
                self.0.get() - 1
            }
            #[inline]
            pub fn index(self) -> usize {
                self.get() as usize
            }
        }
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.get())
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u32(self.get())
            }
        }
    };
}

id_type!(
    /// Index of a [`Course`] in its population.
    CourseId
);
id_type!(
    /// Index of a [`Citizen`].
    CitizenId
);
id_type!(
    /// Index of a [`Caseworker`] (sagsbehandler).
    CaseworkerId
);
id_type!(
    /// Index of a [`Team`].
    TeamId
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Team {
    pub key: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Caseworker {
    pub key: String,
    pub name: String,
    pub team: TeamId,
}

/// A citizen (borger). The CPR number never prints in full (see [`Cpr`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citizen {
    pub cpr: Cpr,
    pub name: Text,
}

/// Sickness benefit (sygedagpengeforløb) or job clarification (jobafklaringsforløb).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum CourseKind {
    SicknessBenefit,
    JobClarification,
}

/// Målgruppe: the citizen's situation when sick-listed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TargetGroup {
    /// Beskæftiget (has an employer; employer period of 30 days).
    Employed,
    /// Ledig (unemployed; 14 days paid by the unemployment fund).
    Unemployed,
    /// Selvstændig.
    SelfEmployed,
}

/// Visitationskategori (sygedagpengeloven § 12). Category 3 was abolished from 2025.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Category {
    One,
    Two,
    Three,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Visitation {
    pub category: Category,
    pub set_on: Day,
}

/// Who asked for early follow-up (tidlig opfølgning).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Requester {
    /// § 7 c: only within the first 5 weeks of absence.
    Employer,
    /// § 7 e.
    Citizen,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EarlyRequest {
    pub by: Requester,
    pub date: Day,
}

/// The § 13 f marking (from 2025): predictable course, expected back by the end of week 13 after the
/// first conversation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Predictable {
    pub marked_on: Day,
    /// The day the exemption lapsed early (e.g. the citizen became unemployed), if it did.
    pub lapsed_on: Option<Day>,
}

/// A request for follow-up during the 2026 § 13 f exemption (lov 1750/2025, § 13 f, stk. 1: "medmindre
/// den sygemeldte eller arbejdsgiveren ønsker det"): who asked, and when.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FollowUpAsked {
    pub by: Requester,
    pub date: Day,
}

/// The dated facts the employment reform (lov 1750/2025 and the planned phase 2 of 2027) needs. Each
/// is optional; a case system that exports none of them gives the rules of 2025 unchanged.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReformFacts {
    /// The day the municipality recorded the expectation "fit by the end of week 26 from the first
    /// day of absence" (forventet rask inden 26 uger; § 13 f, stk. 1, from 2026).
    pub fit_within_26_weeks: Option<Day>,
    /// The citizen or the employer asked for follow-up (§ 13 f, stk. 1).
    pub follow_up_asked: Option<FollowUpAsked>,
    /// The municipality decided after a concrete assessment that the citizen takes part in follow-up
    /// (§ 13 f, stk. 2).
    pub municipality_decided: Option<Day>,
    /// The day the citizen became unemployed (ends the § 13 f exemption: 2025 stk. 2, 2026 stk. 3).
    pub unemployed_on: Option<Day>,
    /// Planned from 2027: the day sickness benefit continued at the reduced rate (nedsat sats) after
    /// a reassessment without extension, instead of a transition to job clarification.
    pub reduced_rate_from: Option<Day>,
}

impl ReformFacts {
    pub const NONE: ReformFacts = ReformFacts {
        fit_within_26_weeks: None,
        follow_up_asked: None,
        municipality_decided: None,
        unemployed_on: None,
        reduced_rate_from: None,
    };

    pub fn is_empty(&self) -> bool {
        *self == ReformFacts::NONE
    }

    /// As a course holds them: `None` when empty, so the many courses without any pay 8 bytes.
    pub fn boxed(self) -> Option<Box<ReformFacts>> {
        (!self.is_empty()).then(|| Box::new(self))
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum EndReason {
    /// Raskmeldt / back at work.
    BackToWork,
    /// Overgang til jobafklaringsforløb.
    TransitionToJobClarification,
    /// Sickness benefit could not be extended (revurdering) and no job clarification followed.
    BenefitExhausted,
    /// Moved to another municipality.
    Moved,
    /// Anything else the case system reports.
    Other,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CourseEnd {
    /// Last day of the course.
    pub date: Day,
    pub reason: EndReason,
}

/// One course (forløb).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Course {
    /// The case system's key (forløbs-id). Carries no personal data.
    pub key: Text,
    pub citizen: CitizenId,
    pub kind: CourseKind,
    /// Første fraværsdag: day 1 of every § 13 b clock.
    pub first_absence: Day,
    /// Ydelsesstart (KSD-dato): the first day the municipality pays.
    pub benefit_start: Day,
    /// For job clarification: the transition date, day 1 of its clocks.
    pub transition: Option<Day>,
    /// For job clarification: the sickness course it continues, if known.
    pub from_course: Option<CourseId>,
    pub target_group: TargetGroup,
    pub visitation: Option<Visitation>,
    pub early_request: Option<EarlyRequest>,
    pub predictable: Option<Predictable>,
    /// The reform's facts (2026 § 13 f, the 2027 reduced rate); `None` when there are none (most
    /// courses), so the course stays small for the national-scale scans. Read with [`Course::reform`].
    pub reform: Option<Box<ReformFacts>>,
    pub end: Option<CourseEnd>,
    pub caseworker: Option<CaseworkerId>,
}

impl Course {
    /// The reform's facts (all `None` when the export has none).
    pub fn reform(&self) -> &ReformFacts {
        self.reform.as_deref().unwrap_or(&ReformFacts::NONE)
    }

    /// The reform's facts to change (for builders and tests).
    pub fn reform_mut(&mut self) -> &mut ReformFacts {
        self.reform.get_or_insert_with(Default::default)
    }

    /// Day 1 of the legal clocks: the first day of absence for sickness benefit, the transition date for
    /// job clarification.
    pub fn clock_start(&self) -> Day {
        match self.kind {
            CourseKind::SicknessBenefit => self.first_absence,
            CourseKind::JobClarification => self.transition.unwrap_or(self.benefit_start),
        }
    }

    /// Whether the course is running on `day` (started and not yet ended).
    pub fn active_on(&self, day: Day) -> bool {
        self.clock_start() <= day && self.end.is_none_or(|e| day <= e.date)
    }

    /// Last day the course runs, capped at `as_of` (courses still running are judged up to `as_of`).
    pub fn last_day(&self, as_of: Day) -> Day {
        self.end.map_or(as_of, |e| e.date.min(as_of))
    }
}

/// How a conversation was held.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ConversationForm {
    /// Personligt fremmøde.
    InPerson,
    Phone,
    Video,
}

/// Opfølgningssamtale.
///
/// Its course is where it sits: a population holds each course's conversations together
/// ([`CourseFacts::conversations`]), and a builder takes them as `(CourseId, Conversation)`. At
/// the whole country's 14.8 million conversations a course id in each was 59 MB (issue 15).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conversation {
    pub date: Day,
    pub form: ConversationForm,
    /// False for a cancelled (aflyst) or a booked (planlagt) conversation, which count for nothing.
    pub held: bool,
    /// Booked and not yet held (status "Planlagt"): counts for nothing but the month-end forecast
    /// of the early-effort figure (`committee::forecast`). Never together with `held`.
    pub planned: bool,
    pub caseworker: Option<CaseworkerId>,
    /// Registreringsdato: the day the case system recorded the conversation (as held, cancelled or
    /// booked). `None` where the export has no registration dates: the day held stands in.
    pub registered: Option<Day>,
}

impl Conversation {
    /// The day the conversation became known to the case system as it is: its registration date
    /// (never before the day it was held: a conversation is not known as held before it is), or
    /// the day held where the export has none.
    pub fn known_from(&self) -> Day {
        self.registered.map_or(self.date, |r| r.max(self.date))
    }

    /// Days from holding to registering (0 when registered the same day or earlier); `None`
    /// without a registration date.
    pub fn registration_lag(&self) -> Option<i32> {
        self.registered.map(|r| self.date.days_until(r).max(0))
    }

    /// Danish status: "Afholdt", "Aflyst" or "Planlagt".
    pub fn status_label(&self) -> &'static str {
        if self.held {
            "Afholdt"
        } else if self.planned {
            "Planlagt"
        } else {
            "Aflyst"
        }
    }
}

/// Standby period (§ 13 b, stk. 5): serious illness, follow-up without contact.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StandbyPeriod {
    pub course: CourseId,
    pub start: Day,
    /// Last day of standby, if it has ended.
    pub end: Option<Day>,
    /// The day the period was registered; `None` where the export has none (the start stands in).
    pub registered: Option<Day>,
}

impl StandbyPeriod {
    pub fn covers(&self, day: Day) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum MedicalForm {
    /// LÆ 285: for the first follow-up.
    Lae285,
    /// LÆ 265: for the rehabilitation team.
    Lae265,
    Other,
}

/// A request for medical information (anmodning om lægelige oplysninger).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MedicalRequest {
    pub course: CourseId,
    pub form: MedicalForm,
    pub sent: Day,
    /// The deadline given to the doctor; when missing, the rule set's standard deadline applies.
    pub deadline: Option<Day>,
    pub received: Option<Day>,
    /// The day the receipt was registered; `None` where the export has none (the received date
    /// stands in).
    pub received_registered: Option<Day>,
}

/// On what basis a case went to the rehabilitation team.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Lae265Basis {
    /// A current LÆ 265 was present.
    Present,
    /// LÆ 285 instead (allowed until 2024 at the 22-week transition and in category 3 cases).
    Lae285Exception,
    /// From 2025: the documented judgement that the case was sufficiently informed.
    SufficientlyInformed,
    /// Nothing: the statement is missing.
    Missing,
}

/// Behandling i rehabiliteringsteamet.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RehabMeeting {
    pub course: CourseId,
    pub date: Day,
    pub basis: Lae265Basis,
}

/// Something questionable in the input; the population is still usable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub course: Option<CourseId>,
    pub kind: DiagnosticKind,
    pub message: String,
}

/// What a [`Diagnostic`] says, so that many of one kind can be told together.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum DiagnosticKind {
    /// A fact names a course the population does not hold.
    UnknownCourse,
    /// A course ends before its clock starts.
    EndBeforeStart,
    /// A course's benefit starts before the first day of absence.
    BenefitBeforeAbsence,
    /// A job clarification course without a transition date.
    MissingTransition,
    /// A rehabilitation meeting recorded "with LÆ 265" whose LÆ 265 had not arrived.
    Lae265Conflict,
}

impl DiagnosticKind {
    /// Danish, for a line that counts many: "{n} {plural}".
    pub fn plural(self) -> &'static str {
        match self {
            DiagnosticKind::UnknownCourse => "fakta henviser til et ukendt forløb og er udeladt",
            DiagnosticKind::EndBeforeStart => "forløb har en slutdato før startdatoen",
            DiagnosticKind::BenefitBeforeAbsence => {
                "forløb har ydelsesstart før første fraværsdag"
            }
            DiagnosticKind::MissingTransition => {
                "jobafklaringsforløb mangler overgangsdato (ydelsesstart bruges)"
            }
            DiagnosticKind::Lae265Conflict => {
                "rehabiliteringsmøder er registreret med LÆ 265, men LÆ 265 var ikke modtaget inden mødet (forløbet viser «Modstridende data»)"
            }
        }
    }
}

/// Everything recorded about one course, borrowed from its population.
#[derive(Copy, Clone, Debug)]
pub struct CourseFacts<'a> {
    pub id: CourseId,
    pub course: &'a Course,
    /// Sorted by date.
    pub conversations: &'a [Conversation],
    /// The dates of the held ones among them, sorted.
    pub held: &'a [Day],
    /// Beside `held`: the day each became known ([`Conversation::known_from`]).
    pub held_known: &'a [Day],
    /// The latest registration date among the course's facts (`None`: none has one), so a course
    /// all known on a day is told in one comparison.
    pub last_registered: Option<Day>,
    /// Sorted by start.
    pub standby: &'a [StandbyPeriod],
    /// Sorted by sent date.
    pub medical: &'a [MedicalRequest],
    /// Sorted by date.
    pub rehab: &'a [RehabMeeting],
}

impl CourseFacts<'_> {
    /// Held conversations on days in `from..=to`.
    #[inline]
    pub fn held_between(&self, from: Day, to: Day) -> usize {
        let lo = self.held.partition_point(|d| *d < from);
        let hi = self.held.partition_point(|d| *d <= to);
        hi.saturating_sub(lo)
    }

    /// Held conversations on days in `from..=to` that were registered on or before `known_by`.
    #[inline]
    pub fn held_known_between(&self, from: Day, to: Day, known_by: Day) -> usize {
        // Everything registered by then (the usual case): known means held by then.
        if !self.has_unknown_on(known_by) {
            return self.held_between(from, to.min(known_by));
        }
        let lo = self.held.partition_point(|d| *d < from);
        let hi = self.held.partition_point(|d| *d <= to);
        if lo >= hi {
            return 0;
        }
        self.held_known[lo..hi]
            .iter()
            .filter(|k| **k <= known_by)
            .count()
    }

    /// The date of the first held conversation on or after `from` that was registered on or
    /// before `known_by`.
    pub fn first_held_known_from(&self, from: Day, known_by: Day) -> Option<Day> {
        if !self.has_unknown_on(known_by) {
            return self.first_held_day_from(from).filter(|d| *d <= known_by);
        }
        let lo = self.held.partition_point(|d| *d < from);
        self.held[lo..]
            .iter()
            .zip(&self.held_known[lo..])
            .find(|(_, k)| **k <= known_by)
            .map(|(d, _)| *d)
    }

    /// Whether some fact was registered after `day` (so the case system did not hold it then).
    #[inline]
    pub fn has_unknown_on(&self, day: Day) -> bool {
        self.last_registered.is_some_and(|r| r > day)
    }

    /// The latest registration date among the facts, computed from them.
    fn latest_registration(&self) -> Option<Day> {
        let c = self.conversations.iter().filter_map(|c| c.registered).max();
        let s = self.standby.iter().filter_map(|s| s.registered).max();
        let m = self
            .medical
            .iter()
            .filter_map(|m| m.received_registered)
            .max();
        c.max(s).max(m)
    }

    /// The facts as the case system held them on `day`: conversations and standby periods
    /// registered after it left out, a statement whose receipt was registered after it not yet
    /// received. `None` when nothing differs (the usual case, and always on the export day), so
    /// the caller keeps borrowing. Facts without a registration date are kept: the day they
    /// happened stands in, which every reader already compares with its as-of date.
    pub fn known_on(&self, day: Day) -> Option<KnownFacts> {
        if !self.has_unknown_on(day) {
            return None;
        }
        let known = |r: Option<Day>| r.is_none_or(|r| r <= day);
        let conversations: Vec<Conversation> = self
            .conversations
            .iter()
            .filter(|c| known(c.registered))
            .copied()
            .collect();
        let (held, held_known) = conversations
            .iter()
            .filter(|c| c.held)
            .map(|c| (c.date, c.known_from()))
            .unzip();
        let mut facts = KnownFacts {
            conversations,
            held,
            held_known,
            standby: self
                .standby
                .iter()
                .filter(|s| known(s.registered))
                .copied()
                .collect(),
            medical: self
                .medical
                .iter()
                .map(|m| MedicalRequest {
                    received: m.received.filter(|_| known(m.received_registered)),
                    ..*m
                })
                .collect(),
            last_registered: None,
        };
        facts.last_registered = facts.facts(*self).latest_registration();
        Some(facts)
    }

    /// The date of the first held conversation on or after `from`.
    pub fn first_held_day_from(&self, from: Day) -> Option<Day> {
        self.held
            .get(self.held.partition_point(|d| *d < from))
            .copied()
    }

    /// Held conversations in date order.
    pub fn held(&self) -> impl Iterator<Item = &Conversation> + '_ {
        self.conversations.iter().filter(|c| c.held)
    }

    /// The first held conversation on or after `from`.
    pub fn first_held_from(&self, from: Day) -> Option<&Conversation> {
        let lo = self.conversations.partition_point(|c| c.date < from);
        self.conversations[lo..].iter().find(|c| c.held)
    }

    /// Whether any standby period covers `day`.
    pub fn in_standby(&self, day: Day) -> bool {
        self.standby.iter().any(|s| s.covers(day))
    }

    /// Whether a meeting on `meeting` recorded "with LÆ 265" contradicts the course's LÆ 265
    /// requests: some were sent on or before the meeting and none of them was received by then (as
    /// known on `as_of`). The source of truth for a statement is its request's received date; the
    /// meeting's basis is a summary typed beside it. Returns the latest such request's sent date.
    pub fn lae265_conflict(&self, meeting: Day, as_of: Day) -> Option<Day> {
        let mut latest = None;
        for m in self
            .medical
            .iter()
            .filter(|m| m.form == MedicalForm::Lae265 && m.sent <= meeting)
        {
            if m.received.is_some_and(|d| d <= meeting && d <= as_of) {
                return None;
            }
            latest = latest.max(Some(m.sent));
        }
        latest
    }
}

/// A course's facts as known on a past day ([`CourseFacts::known_on`]), owned.
#[derive(Clone, Debug, Default)]
pub struct KnownFacts {
    conversations: Vec<Conversation>,
    held: Vec<Day>,
    held_known: Vec<Day>,
    standby: Vec<StandbyPeriod>,
    medical: Vec<MedicalRequest>,
    last_registered: Option<Day>,
}

impl KnownFacts {
    /// `base` (the facts this was made from) with the known facts in place of all of them.
    pub fn facts<'k>(&'k self, base: CourseFacts<'k>) -> CourseFacts<'k> {
        CourseFacts {
            conversations: &self.conversations,
            held: &self.held,
            held_known: &self.held_known,
            standby: &self.standby,
            medical: &self.medical,
            last_registered: self.last_registered,
            ..base
        }
    }
}

/// The data-quality warning for a meeting whose LÆ 265 basis contradicts its request (Danish).
pub fn lae265_conflict_text(meeting: Day, requested: Day) -> String {
    format!(
        "Rehabiliteringsmødet {} er registreret med LÆ 265, men LÆ 265 anmodet {} var ikke modtaget inden mødet; ret mødets lægelige grundlag eller lægeanmodningen",
        meeting.dk(),
        requested.dk()
    )
}

/// All facts, grouped per course.
#[derive(Clone, Debug, Default)]
pub struct Population {
    pub teams: Vec<Team>,
    pub caseworkers: Vec<Caseworker>,
    pub citizens: Vec<Citizen>,
    pub courses: Vec<Course>,
    conversations: Vec<Conversation>,
    conv_at: Vec<u32>,
    /// The dates of the held conversations only, per course (offsets in `held_at`): a derived column,
    /// 4 bytes a conversation instead of 20, so the measures' window counts (two binary searches)
    /// touch a fifth of the memory at national scale.
    held: Vec<Day>,
    /// Beside `held`: the day each became known (registration date, or the day held).
    held_known: Vec<Day>,
    /// Per course, the latest registration date among its facts.
    last_registered: Vec<Option<Day>>,
    held_at: Vec<u32>,
    standby: Vec<StandbyPeriod>,
    standby_at: Vec<u32>,
    medical: Vec<MedicalRequest>,
    medical_at: Vec<u32>,
    rehab: Vec<RehabMeeting>,
    rehab_at: Vec<u32>,
}

impl Population {
    pub fn course_ids(&self) -> impl Iterator<Item = CourseId> + '_ {
        (0..self.courses.len() as u32).map(CourseId::new)
    }

    pub fn facts(&self, id: CourseId) -> CourseFacts<'_> {
        let i = id.index();
        let range = |at: &[u32]| at[i] as usize..at[i + 1] as usize;
        CourseFacts {
            conversations: &self.conversations[range(&self.conv_at)],
            medical: &self.medical[range(&self.medical_at)],
            rehab: &self.rehab[range(&self.rehab_at)],
            ..self.measured_facts(id)
        }
    }

    /// A course's facts as the measures read them, which is what the figures' basis holds: its
    /// held conversations' dates, its standby periods and its latest registration, without the
    /// conversation rows, medical requests or meetings (three offset columns fewer to read for
    /// every course a measure looks at). A measure that comes to read those must use
    /// [`Population::facts`] here, or the figures' basis would not have them either
    /// (`figures` module's documentation).
    #[inline]
    pub fn measured_facts(&self, id: CourseId) -> CourseFacts<'_> {
        let i = id.index();
        let held = self.held_at[i] as usize..self.held_at[i + 1] as usize;
        CourseFacts {
            id,
            course: &self.courses[i],
            conversations: &[],
            held: &self.held[held.clone()],
            held_known: &self.held_known[held],
            last_registered: self.last_registered[i],
            standby: &self.standby[self.standby_at[i] as usize..self.standby_at[i + 1] as usize],
            medical: &[],
            rehab: &[],
        }
    }

    pub fn all_facts(&self) -> impl Iterator<Item = CourseFacts<'_>> + '_ {
        self.course_ids().map(|id| self.facts(id))
    }

    pub fn conversation_count(&self) -> usize {
        self.conversations.len()
    }

    /// Held conversations with a registration date, and without one (the day held stands in):
    /// `(with, without)`. A case system that exports none gives `(0, n)`, and every figure that
    /// counts by registration says so.
    pub fn registration_coverage(&self) -> (usize, usize) {
        let with = self
            .conversations
            .iter()
            .filter(|c| c.held && c.registered.is_some())
            .count();
        let held = self.held.len();
        (with, held - with)
    }

    /// The team of a course, through its caseworker.
    pub fn team_of(&self, course: &Course) -> Option<TeamId> {
        course
            .caseworker
            .map(|cw| self.caseworkers[cw.index()].team)
    }

    /// Looks a course up by the case system's key (linear; for CLI filters and tests).
    pub fn course_by_key(&self, key: &str) -> Option<CourseId> {
        self.courses
            .iter()
            .position(|c| c.key == key)
            .map(|i| CourseId::new(i as u32))
    }

    /// Back to a builder, e.g. to add facts in a test or after an import.
    pub fn into_builder(self) -> PopulationBuilder {
        let at = &self.conv_at;
        let conversations = (0..self.courses.len())
            .flat_map(|i| {
                let id = CourseId::new(i as u32);
                self.conversations[at[i] as usize..at[i + 1] as usize]
                    .iter()
                    .map(move |c| (id, *c))
            })
            .collect();
        PopulationBuilder {
            teams: self.teams,
            caseworkers: self.caseworkers,
            citizens: self.citizens,
            courses: self.courses,
            conversations,
            standby: self.standby,
            medical: self.medical,
            rehab: self.rehab,
        }
    }
}

/// Collects facts in any order; [`PopulationBuilder::build`] groups and sorts them.
#[derive(Clone, Debug, Default)]
pub struct PopulationBuilder {
    pub teams: Vec<Team>,
    pub caseworkers: Vec<Caseworker>,
    pub citizens: Vec<Citizen>,
    pub courses: Vec<Course>,
    /// Each conversation with its course (the population keeps only the course's place).
    pub conversations: Vec<(CourseId, Conversation)>,
    pub standby: Vec<StandbyPeriod>,
    pub medical: Vec<MedicalRequest>,
    pub rehab: Vec<RehabMeeting>,
}

/// The order the builder puts each course's facts in: by date, then a stable tiebreaker, so that
/// equal inputs in any order give equal output.
type FactKey = (Day, u8, Option<Day>);

fn conversation_key(c: &Conversation) -> FactKey {
    (
        c.date,
        (u8::from(!c.held) << 4) | form_rank(c.form),
        c.registered,
    )
}
pub(crate) fn standby_key(s: &StandbyPeriod) -> FactKey {
    (s.start, 0, s.registered)
}
fn medical_key(m: &MedicalRequest) -> FactKey {
    (m.sent, 0, m.received_registered)
}
fn rehab_key(r: &RehabMeeting) -> FactKey {
    (r.date, 0, None)
}

fn group<T: Copy>(
    mut items: Vec<T>,
    n: usize,
    course: impl Fn(&T) -> CourseId,
    key: impl Fn(&T) -> FactKey,
) -> (Vec<T>, Vec<u32>) {
    items.sort_unstable_by_key(|t| (course(t), key(t)));
    let at = offsets(&items, n, &course, &key).unwrap_or_default();
    (items, at)
}

/// The conversations without their courses (grouped already), in the same allocation: 16 bytes
/// each where the pairs took 20, the rest given back.
fn without_courses(pairs: Vec<(CourseId, Conversation)>) -> Vec<Conversation> {
    let mut list: Vec<Conversation> = pairs.into_iter().map(|(_, c)| c).collect();
    list.shrink_to_fit();
    list
}

/// The offsets of each course's facts in `items`, grouped by course and ordered by `key` within
/// a course already; `None` when an item names no course or is out of place.
pub(crate) fn offsets<T>(
    items: &[T],
    n: usize,
    course: impl Fn(&T) -> CourseId,
    key: impl Fn(&T) -> FactKey,
) -> Option<Vec<u32>> {
    let in_order = |a: &T, b: &T| key(a) <= key(b);
    let mut at = vec![0u32; n + 1];
    let mut before: Option<&T> = None;
    for t in items {
        let c = course(t).index();
        if c >= n {
            return None;
        }
        if let Some(b) = before {
            let bc = course(b).index();
            if bc > c || bc == c && !in_order(b, t) {
                return None;
            }
        }
        at[c + 1] += 1;
        before = Some(t);
    }
    for i in 0..n {
        at[i + 1] += at[i];
    }
    Some(at)
}

fn form_rank(f: ConversationForm) -> u8 {
    match f {
        ConversationForm::InPerson => 0,
        ConversationForm::Phone => 1,
        ConversationForm::Video => 2,
    }
}

impl PopulationBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_team(&mut self, team: Team) -> TeamId {
        self.teams.push(team);
        TeamId::new(self.teams.len() as u32 - 1)
    }

    pub fn add_caseworker(&mut self, cw: Caseworker) -> CaseworkerId {
        self.caseworkers.push(cw);
        CaseworkerId::new(self.caseworkers.len() as u32 - 1)
    }

    pub fn add_citizen(&mut self, citizen: Citizen) -> CitizenId {
        self.citizens.push(citizen);
        CitizenId::new(self.citizens.len() as u32 - 1)
    }

    pub fn add_course(&mut self, course: Course) -> CourseId {
        self.courses.push(course);
        CourseId::new(self.courses.len() as u32 - 1)
    }

    /// Groups and sorts the facts, drops those pointing at no course, and reports what looks wrong.
    pub fn build(self) -> (Population, Vec<Diagnostic>) {
        let n = self.courses.len();
        let mut diags = Vec::new();
        let mut keep = |course: CourseId, what: &str| {
            if course.index() < n {
                true
            } else {
                diags.push(Diagnostic {
                    course: None,
                    kind: DiagnosticKind::UnknownCourse,
                    message: format!("{what} henviser til et ukendt forløb og er udeladt"),
                });
                false
            }
        };
        let conversations: Vec<_> = self
            .conversations
            .into_iter()
            .filter(|(c, _)| keep(*c, "En samtale"))
            .collect();
        let standby: Vec<_> = self
            .standby
            .into_iter()
            .filter(|s| keep(s.course, "En standby-periode"))
            .collect();
        let medical: Vec<_> = self
            .medical
            .into_iter()
            .filter(|m| keep(m.course, "En lægeanmodning"))
            .collect();
        let rehab: Vec<_> = self
            .rehab
            .into_iter()
            .filter(|r| keep(r.course, "Et rehabiliteringsmøde"))
            .collect();

        let (conversations, conv_at) =
            group(conversations, n, |(c, _)| *c, |(_, x)| conversation_key(x));
        let conversations = without_courses(conversations);
        let (standby, standby_at) = group(standby, n, |s| s.course, standby_key);
        let (medical, medical_at) = group(medical, n, |m| m.course, medical_key);
        let (rehab, rehab_at) = group(rehab, n, |r| r.course, rehab_key);
        for (i, c) in self.courses.iter().enumerate() {
            let id = Some(CourseId::new(i as u32));
            if let Some(end) = c.end {
                if end.date < c.clock_start() {
                    diags.push(Diagnostic {
                        course: id,
                        kind: DiagnosticKind::EndBeforeStart,
                        message: format!(
                            "Forløb {}: slutdato {} ligger før startdatoen {}",
                            c.key,
                            end.date.dk(),
                            c.clock_start().dk()
                        ),
                    });
                }
            }
            if c.benefit_start < c.first_absence {
                diags.push(Diagnostic {
                    course: id,
                    kind: DiagnosticKind::BenefitBeforeAbsence,
                    message: format!(
                        "Forløb {}: ydelsesstart {} ligger før første fraværsdag {}",
                        c.key,
                        c.benefit_start.dk(),
                        c.first_absence.dk()
                    ),
                });
            }
            if c.kind == CourseKind::JobClarification && c.transition.is_none() {
                diags.push(Diagnostic {
                    course: id,
                    kind: DiagnosticKind::MissingTransition,
                    message: format!(
                        "Jobafklaringsforløb {} mangler overgangsdato; ydelsesstart bruges",
                        c.key
                    ),
                });
            }
        }
        let pop = Grouped {
            conversations,
            conv_at,
            standby,
            standby_at,
            medical,
            medical_at,
            rehab,
            rehab_at,
        }
        .population(self.teams, self.caseworkers, self.citizens, self.courses);
        // Facts that contradict each other: a meeting recorded "with LÆ 265" whose LÆ 265 had not
        // arrived (the duty shows "Modstridende data"; here it is named for the import summary).
        for r in pop.rehab.iter().filter(|r| r.basis == Lae265Basis::Present) {
            let f = pop.facts(r.course);
            if let Some(requested) = f.lae265_conflict(r.date, r.date) {
                diags.push(Diagnostic {
                    course: Some(f.id),
                    kind: DiagnosticKind::Lae265Conflict,
                    message: format!(
                        "Forløb {}: {}",
                        f.course.key,
                        lae265_conflict_text(r.date, requested)
                    ),
                });
            }
        }
        (pop, diags)
    }

    /// [`PopulationBuilder::build`] for facts already grouped by course and in the builder's
    /// order, as a snapshot written from a built population holds them: checked in one pass
    /// instead of sorted, and without the diagnostics (they were given when it was built).
    /// `None` when a fact names no course or is out of place.
    pub fn build_grouped(mut self) -> Option<Population> {
        let n = self.courses.len();
        let conv_at = offsets(
            &self.conversations,
            n,
            |(c, _)| *c,
            |(_, x)| conversation_key(x),
        )?;
        let conversations = without_courses(std::mem::take(&mut self.conversations));
        self.build_grouped_at(conversations, conv_at)
    }

    /// [`PopulationBuilder::build_grouped`] with the conversations given as a reader of a
    /// snapshot holds them: each course's together, in the builder's order, with each course's
    /// offset in the list (`conv_at`: one more than there are courses, from 0 to the list's
    /// length). `None` when the offsets do not fit the list, a conversation is out of place, or
    /// the builder holds conversations of its own.
    pub fn build_grouped_at(
        self,
        conversations: Vec<Conversation>,
        conv_at: Vec<u32>,
    ) -> Option<Population> {
        let n = self.courses.len();
        let fits = self.conversations.is_empty()
            && conv_at.len() == n + 1
            && conv_at.first() == Some(&0)
            && conv_at.last().map(|x| *x as usize) == Some(conversations.len())
            && conv_at.windows(2).all(|w| {
                w[0] <= w[1]
                    && conversations[w[0] as usize..w[1] as usize]
                        .windows(2)
                        .all(|c| conversation_key(&c[0]) <= conversation_key(&c[1]))
            });
        if !fits {
            return None;
        }
        let standby_at = offsets(&self.standby, n, |s| s.course, standby_key)?;
        let medical_at = offsets(&self.medical, n, |m| m.course, medical_key)?;
        let rehab_at = offsets(&self.rehab, n, |r| r.course, rehab_key)?;
        Some(
            Grouped {
                conversations,
                conv_at,
                standby: self.standby,
                standby_at,
                medical: self.medical,
                medical_at,
                rehab: self.rehab,
                rehab_at,
            }
            .population(self.teams, self.caseworkers, self.citizens, self.courses),
        )
    }
}

/// Facts grouped by course, with each course's offsets.
struct Grouped {
    conversations: Vec<Conversation>,
    conv_at: Vec<u32>,
    standby: Vec<StandbyPeriod>,
    standby_at: Vec<u32>,
    medical: Vec<MedicalRequest>,
    medical_at: Vec<u32>,
    rehab: Vec<RehabMeeting>,
    rehab_at: Vec<u32>,
}

impl Grouped {
    /// The population, with the derived columns made in one pass over each list: the held
    /// conversations' dates and the days they became known, and each course's latest
    /// registration date.
    fn population(
        self,
        teams: Vec<Team>,
        caseworkers: Vec<Caseworker>,
        citizens: Vec<Citizen>,
        courses: Vec<Course>,
    ) -> Population {
        let n = courses.len();
        let g = self;
        let held_count = g.conversations.iter().filter(|c| c.held).count();
        let mut held = Vec::with_capacity(held_count);
        let mut held_known = Vec::with_capacity(held_count);
        let mut held_at = Vec::with_capacity(n + 1);
        let mut last_registered: Vec<Option<Day>> = vec![None; n];
        held_at.push(0);
        for (i, last_registered) in last_registered.iter_mut().enumerate() {
            let convs = &g.conversations[g.conv_at[i] as usize..g.conv_at[i + 1] as usize];
            let mut last = None;
            for c in convs {
                last = last.max(c.registered);
                if c.held {
                    held.push(c.date);
                    held_known.push(c.known_from());
                }
            }
            *last_registered = last;
            held_at.push(held.len() as u32);
        }
        for s in &g.standby {
            let l = &mut last_registered[s.course.index()];
            *l = (*l).max(s.registered);
        }
        for m in &g.medical {
            let l = &mut last_registered[m.course.index()];
            *l = (*l).max(m.received_registered);
        }
        let pop = Population {
            teams,
            caseworkers,
            citizens,
            courses,
            conversations: g.conversations,
            conv_at: g.conv_at,
            held,
            held_known,
            last_registered,
            held_at,
            standby: g.standby,
            standby_at: g.standby_at,
            medical: g.medical,
            medical_at: g.medical_at,
            rehab: g.rehab,
            rehab_at: g.rehab_at,
        };
        debug_assert!(pop
            .all_facts()
            .all(|f| f.last_registered == f.latest_registration()));
        pop
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    /// The sizes the national population's memory was counted from (docs/performance.md, "Where
    /// the memory goes"): a field added or an id without its niche shows here before it shows as
    /// hundreds of megabytes in the national benchmark.
    #[test]
    fn national_scale_layouts_stay_small() {
        assert_eq!(size_of::<Option<CourseId>>(), 4);
        assert_eq!(size_of::<Option<CaseworkerId>>(), 4);
        assert_eq!(size_of::<Option<Day>>(), 4);
        assert_eq!(size_of::<Text>(), 24);
        assert_eq!(size_of::<Conversation>(), 16);
        assert_eq!(size_of::<Course>(), 96);
        assert_eq!(size_of::<Citizen>(), 32);
    }

    /// A snapshot's reader hands the conversations over grouped, with each course's offsets: what
    /// does not fit is refused, never trusted.
    #[test]
    fn conversations_grouped_with_offsets_are_checked() {
        use crate::committee::test_support::{pop_with, Facts};
        let sick = CourseKind::SicknessBenefit;
        let pop = pop_with(Facts {
            courses: &[
                ("2025-01-06", "2025-01-06", None, sick, 1),
                ("2025-02-03", "2025-02-03", None, sick, 2),
            ],
            conversations: &[(0, &["2025-01-20", "2025-02-17"]), (1, &["2025-03-03"])],
            standby: &[],
        });
        let grouped = |p: &Population| {
            let mut b = p.clone().into_builder();
            let list: Vec<Conversation> = b.conversations.drain(..).map(|(_, c)| c).collect();
            (b, list)
        };
        let build = |(b, list): (PopulationBuilder, Vec<Conversation>), at: Vec<u32>| {
            b.build_grouped_at(list, at)
        };
        let again = build(grouped(&pop), vec![0, 2, 3]).expect("as it was built");
        assert_eq!(again.facts(CourseId::new(0)).held.len(), 2);
        assert_eq!(
            again.facts(CourseId::new(1)).held,
            pop.facts(CourseId::new(1)).held
        );
        // Offsets that do not fit the list or the courses.
        for at in [vec![0, 2], vec![0, 2, 4], vec![1, 2, 3], vec![0, 2, 1]] {
            assert!(build(grouped(&pop), at.clone()).is_none(), "{at:?}");
        }
        // A course's conversations out of date order.
        let (b, mut list) = grouped(&pop);
        list.swap(0, 1);
        assert!(build((b, list), vec![0, 2, 3]).is_none());
        // Conversations given both ways.
        let (mut b, list) = grouped(&pop);
        b.conversations.push((CourseId::new(1), list[2]));
        assert!(build((b, list), vec![0, 2, 3]).is_none());
    }

    #[test]
    fn ids_keep_their_index_order_and_print_as_indexes() {
        let (a, b) = (CourseId::new(0), CourseId::new(7));
        assert!(a < b);
        assert_eq!((a.get(), b.index()), (0, 7));
        assert_eq!(format!("{b:?}"), "CourseId(7)");
        assert_eq!(serde_json::to_string(&b).unwrap(), "7");
        assert_eq!(CourseId::new(u32::MAX - 1).get(), u32::MAX - 1);
        // Short text is held in place; longer text still reads the same.
        let long = Text::from("Anne-Mette Kristensen Østergaard Holm");
        assert!(!Text::from("K01-SDP-0000001").is_heap_allocated());
        assert_eq!(long, "Anne-Mette Kristensen Østergaard Holm");
    }
}
