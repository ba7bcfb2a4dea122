//! The figures' basis (opgørelsesgrundlag): what the measures read of a population, and nothing
//! more (issue 15).
//!
//! A question for figures only (`kadence measure` without a reconciliation) needs, per course, the
//! course's own dates and codes ([`FigureCourse`]), the held conversations' dates with the days they
//! became known, the standby periods and the latest registration among its facts. It needs no
//! names, CPR numbers, course keys, conversation rows, medical requests or rehabilitation meetings.
//! [`Figures`] holds just that, in columns: at national scale about a third of the whole
//! population's memory, and no personal data at all (data minimisation: figures need none).
//!
//! The measures run on it through the same code as on a whole population
//! ([`crate::measures::course_members`], given each course's facts with a `Course` made on the
//! stack from its [`FigureCourse`]), so the two cannot drift apart on what they compute; a property
//! test holds the figures equal on generated populations (`crates/synth/tests/figures.rs`). The one
//! thing to keep in mind: a measure that comes to read a field of `Course` not in `FigureCourse`
//! must have it added here (`FigureCourse::course` leaves the others empty), or that test fails.

use crate::date::{Day, Month};
use crate::measures::{course_members, Definition, MeasureKind, MeasureResult, Member, Owners};
use crate::model::{
    offsets, standby_key, Caseworker, CaseworkerId, Category, CitizenId, Course, CourseEnd,
    CourseFacts, CourseId, CourseKind, EarlyRequest, EndReason, Population, Predictable,
    ReformFacts, Requester, StandbyPeriod, TargetGroup, Team, TeamId, Text, Visitation,
};
use crate::rules::RuleBook;

/// A course as the measures read it (no key, citizen or preceding course): the form a reader fills
/// in; a [`Figures`] holds it packed ([`PackedCourse`]). The § 13 f mark is here because the 2026
/// exemption depends on it (a 2025 marking made before the exemption's start keeps its own rule:
/// `exemption::exemption`); a figures' basis without it counted such a course as exempt (found by
/// the property `the_figures_basis_gives_the_whole_populations_figures`, seed 594).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FigureCourse {
    pub kind: CourseKind,
    pub target_group: TargetGroup,
    pub first_absence: Day,
    pub benefit_start: Day,
    pub transition: Option<Day>,
    pub visitation: Option<Visitation>,
    pub early_request: Option<EarlyRequest>,
    pub reform: Option<Box<ReformFacts>>,
    pub predictable: Option<Predictable>,
    pub end: Option<CourseEnd>,
    pub caseworker: Option<CaseworkerId>,
}

/// A course's rare facts, kept in a list beside its segment's courses: the reform's facts and the
/// § 13 f mark (most courses have neither).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Rare {
    pub reform: Option<ReformFacts>,
    pub predictable: Option<Predictable>,
}

impl FigureCourse {
    pub fn of(c: &Course) -> FigureCourse {
        FigureCourse {
            kind: c.kind,
            target_group: c.target_group,
            first_absence: c.first_absence,
            benefit_start: c.benefit_start,
            transition: c.transition,
            visitation: c.visitation,
            early_request: c.early_request,
            reform: c.reform.clone(),
            predictable: c.predictable,
            end: c.end,
            caseworker: c.caseworker,
        }
    }
}

/// A [`FigureCourse`] as a [`Figures`] holds it: 40 bytes where a `Course` takes 104 (every day
/// in four bytes, the codes in a byte each, the caseworker an index with a value for none, the rare
/// facts in a list beside the segment's courses: [`Rare`]). Made by [`PackedCourse::pack`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PackedCourse {
    first_absence: Day,
    benefit_start: Day,
    transition: Option<Day>,
    visitation_on: Option<Day>,
    early_on: Option<Day>,
    end_on: Option<Day>,
    /// Four bytes, as the id holds a niche (no sentinel of its own).
    caseworker: Option<CaseworkerId>,
    /// The index of its rare facts in its segment's list, `NONE` for none.
    rare: u32,
    kind: CourseKind,
    target_group: TargetGroup,
    category: Category,
    early_by: Requester,
    end_reason: EndReason,
}

const NONE: u32 = u32::MAX;

impl PackedCourse {
    /// `c` packed, its rare facts (if any) put on `rare`, the list of its segment.
    pub fn pack(c: FigureCourse, rare: &mut Vec<Rare>) -> PackedCourse {
        PackedCourse {
            first_absence: c.first_absence,
            benefit_start: c.benefit_start,
            transition: c.transition,
            visitation_on: c.visitation.map(|v| v.set_on),
            early_on: c.early_request.map(|e| e.date),
            end_on: c.end.map(|e| e.date),
            caseworker: c.caseworker,
            rare: match (c.reform, c.predictable) {
                (None, None) => NONE,
                (reform, predictable) => {
                    rare.push(Rare {
                        reform: reform.map(|r| *r),
                        predictable,
                    });
                    rare.len() as u32 - 1
                }
            },
            kind: c.kind,
            target_group: c.target_group,
            category: c.visitation.map_or(Category::Two, |v| v.category),
            early_by: c.early_request.map_or(Requester::Citizen, |e| e.by),
            end_reason: c.end.map_or(EndReason::BackToWork, |e| e.reason),
        }
    }

    /// A `Course` for the measures to read: this course's fields, the rest empty (no allocation
    /// but for the rare reform facts, from the segment's `rare`).
    fn course(&self, rare: &[Rare]) -> Course {
        let rare = rare.get(self.rare as usize).copied().unwrap_or_default();
        Course {
            key: Text::const_new(""),
            citizen: CitizenId::new(0),
            kind: self.kind,
            first_absence: self.first_absence,
            benefit_start: self.benefit_start,
            transition: self.transition,
            from_course: None,
            target_group: self.target_group,
            visitation: self.visitation_on.map(|set_on| Visitation {
                category: self.category,
                set_on,
            }),
            early_request: self.early_on.map(|date| EarlyRequest {
                by: self.early_by,
                date,
            }),
            predictable: rare.predictable,
            reform: rare.reform.map(Box::new),
            end: self.end_on.map(|date| CourseEnd {
                date,
                reason: self.end_reason,
            }),
            caseworker: self.caseworker,
        }
    }
}

/// The measures' view of a population, without personal data: its courses in segments of
/// consecutive ids, each with its own columns (a snapshot's reader makes one of each part it
/// decodes, on any core, and never copies them into one list).
#[derive(Clone, Debug, Default)]
pub struct Figures {
    teams: Vec<Team>,
    caseworkers: Vec<Caseworker>,
    segments: Vec<Segment>,
    courses: u32,
}

/// Courses `first..first + courses.len()` with their columns.
#[derive(Clone, Debug, Default, PartialEq)]
struct Segment {
    first: u32,
    courses: Vec<PackedCourse>,
    rare: Vec<Rare>,
    held: Vec<Day>,
    held_known: Vec<Day>,
    held_at: Vec<u32>,
    last_registered: Vec<Option<Day>>,
    standby: Vec<StandbyPeriod>,
    standby_at: Vec<u32>,
}

/// A measure's arguments, borrowed (what [`Figures::compute`] and [`MeasureQuery`] hold).
struct Query<'q> {
    book: &'q RuleBook,
    kind: MeasureKind,
    def: &'q Definition,
    from: Month,
    to: Month,
    as_of: Day,
}

impl Segment {
    /// The members among this segment's courses `range` (local indices), appended in course order:
    /// the one place the figures' basis is measured.
    fn compute_into(
        &self,
        q: &Query<'_>,
        range: std::ops::Range<usize>,
        members: &mut Vec<Member>,
    ) {
        for i in range {
            let c = &self.courses[i];
            if c.kind != CourseKind::SicknessBenefit {
                continue;
            }
            // The measure's own first check on the packed course: most courses are done here,
            // unpacked into a `Course` only when they may count.
            let start = q.def.sickness_start(c.first_absence, c.benefit_start);
            if !q.kind.may_count(start, c.end_on, q.as_of) {
                continue;
            }
            let course = c.course(&self.rare);
            let (h, s) = (
                self.held_at[i] as usize..self.held_at[i + 1] as usize,
                self.standby_at[i] as usize..self.standby_at[i + 1] as usize,
            );
            let facts = CourseFacts {
                id: CourseId::new(self.first + i as u32),
                course: &course,
                conversations: &[],
                held: &self.held[h.clone()],
                held_known: &self.held_known[h],
                last_registered: self.last_registered[i],
                standby: &self.standby[s],
                medical: &[],
                rehab: &[],
            };
            course_members(
                &facts, q.book, q.kind, q.def, q.from, q.to, q.as_of, members,
            );
        }
    }
}

impl PartialEq for Figures {
    /// The same teams, caseworkers and courses with the same columns, however cut in segments.
    fn eq(&self, other: &Figures) -> bool {
        let whole = |f: &Figures| -> Segment {
            let mut s = Segment {
                held_at: vec![0],
                standby_at: vec![0],
                ..Segment::default()
            };
            for g in &f.segments {
                s.courses.extend(g.courses.iter().map(|c| {
                    let mut c = *c;
                    if c.rare != NONE {
                        s.rare.push(g.rare[c.rare as usize]);
                        c.rare = s.rare.len() as u32 - 1;
                    }
                    c
                }));
                s.held.extend_from_slice(&g.held);
                s.held_known.extend_from_slice(&g.held_known);
                s.last_registered.extend_from_slice(&g.last_registered);
                s.standby.extend_from_slice(&g.standby);
                let (h, b) = (
                    *s.held_at.last().unwrap_or(&0),
                    *s.standby_at.last().unwrap_or(&0),
                );
                s.held_at.extend(g.held_at[1..].iter().map(|x| x + h));
                s.standby_at.extend(g.standby_at[1..].iter().map(|x| x + b));
            }
            s
        };
        self.teams == other.teams
            && self.caseworkers == other.caseworkers
            && self.courses == other.courses
            && whole(self) == whole(other)
    }
}

/// A segment's columns checked to fit together ([`FiguresParts::check`]), for a number of
/// caseworkers: ready to join a [`Figures`] ([`Figures::from_checked`]).
#[derive(Clone, Debug)]
pub struct FigureSegment {
    segment: Segment,
    caseworkers: usize,
}

impl FigureSegment {
    /// Its courses and standby periods.
    pub fn counts(&self) -> (usize, usize) {
        (self.segment.courses.len(), self.segment.standby.len())
    }
}

/// The columns of courses `first..` of a [`Figures`], as a reader gathers them (a part of a
/// snapshot decoded for figures only): checked by [`FiguresParts::build`] or
/// [`Figures::from_segments`].
#[derive(Clone, Debug, Default)]
pub struct FiguresParts {
    pub teams: Vec<Team>,
    pub caseworkers: Vec<Caseworker>,
    /// The id of the first course.
    pub first: u32,
    /// The courses, packed ([`PackedCourse::pack`]) with their rare facts on `rare`.
    pub courses: Vec<PackedCourse>,
    pub rare: Vec<Rare>,
    /// The held conversations' dates, course after course, each course's by date.
    pub held: Vec<Day>,
    /// Beside `held`: the day each became known (`Conversation::known_from`).
    pub held_known: Vec<Day>,
    /// Where each course's held conversations start in `held`, and their end (`courses + 1`).
    pub held_at: Vec<u32>,
    /// Per course, the latest registration date among all its facts (conversations held or not,
    /// standby periods, medical statements received).
    pub last_registered: Vec<Option<Day>>,
    /// The standby periods, course after course, each course's in the population's order.
    pub standby: Vec<StandbyPeriod>,
}

impl FiguresParts {
    /// The figures' basis of these columns alone (courses from 0): `None` when they do not fit
    /// (see [`Figures::from_segments`]).
    pub fn build(self) -> Option<Figures> {
        let FiguresParts {
            teams, caseworkers, ..
        } = &self;
        let (teams, caseworkers) = (teams.clone(), caseworkers.clone());
        Figures::from_segments(teams, caseworkers, vec![self])
    }

    /// The columns checked to fit together, for a population of `caseworkers` caseworkers
    /// (each part's reader checks its own, on its own thread): `None` when an offset, a list's
    /// length, a course's order of held dates or of standby periods, or an owner is wrong.
    pub fn check(self, caseworkers: usize) -> Option<FigureSegment> {
        let segment = self.segment(caseworkers)?;
        Some(FigureSegment {
            segment,
            caseworkers,
        })
    }

    fn segment(self, workers: usize) -> Option<Segment> {
        let n = self.courses.len();
        let at = &self.held_at;
        if at.len() != n + 1
            || at.first() != Some(&0)
            || at.last().map(|x| *x as usize) != Some(self.held.len())
            || self.held_known.len() != self.held.len()
            || self.last_registered.len() != n
            || at.windows(2).any(|w| w[0] > w[1])
            || self.courses.iter().any(|c| {
                c.caseworker.is_some_and(|w| w.index() >= workers)
                    || (c.rare != NONE && c.rare as usize >= self.rare.len())
            })
        {
            return None;
        }
        // The window counts are binary searches: each course's held dates must be in order.
        for w in at.windows(2) {
            let days = &self.held[w[0] as usize..w[1] as usize];
            if days.windows(2).any(|d| d[0] > d[1]) {
                return None;
            }
        }
        let first = self.first;
        if self.standby.iter().any(|s| s.course.get() < first) {
            return None;
        }
        let standby_at = offsets(
            &self.standby,
            n,
            |s| CourseId::new(s.course.get() - first),
            standby_key,
        )?;
        Some(Segment {
            first,
            courses: self.courses,
            rare: self.rare,
            held: self.held,
            held_known: self.held_known,
            held_at: self.held_at,
            last_registered: self.last_registered,
            standby: self.standby,
            standby_at,
        })
    }
}

impl From<Population> for Figures {
    /// The figures' basis of a whole population (the rest is dropped).
    fn from(pop: Population) -> Figures {
        let mut p = FiguresParts {
            first: 0,
            held_at: vec![0],
            ..FiguresParts::default()
        };
        for c in &pop.courses {
            let packed = PackedCourse::pack(FigureCourse::of(c), &mut p.rare);
            p.courses.push(packed);
        }
        for f in pop.all_facts() {
            p.held.extend_from_slice(f.held);
            p.held_known.extend_from_slice(f.held_known);
            p.held_at.push(p.held.len() as u32);
            p.last_registered.push(f.last_registered);
            p.standby.extend_from_slice(f.standby);
        }
        let Population {
            teams, caseworkers, ..
        } = pop;
        FiguresParts {
            teams,
            caseworkers,
            ..p
        }
        .build()
        .unwrap_or_default()
    }
}

impl Figures {
    /// The figures' basis of segments that follow each other from course 0 (each segment's
    /// columns checked as [`FiguresParts`] says); `None` when one does not fit or does not follow.
    pub fn from_segments(
        teams: Vec<Team>,
        caseworkers: Vec<Caseworker>,
        parts: Vec<FiguresParts>,
    ) -> Option<Figures> {
        let n = caseworkers.len();
        let checked = parts
            .into_iter()
            .map(|p| p.check(n))
            .collect::<Option<Vec<_>>>()?;
        Figures::from_checked(teams, caseworkers, checked)
    }

    /// The same from segments checked already ([`FiguresParts::check`]).
    pub fn from_checked(
        teams: Vec<Team>,
        caseworkers: Vec<Caseworker>,
        checked: Vec<FigureSegment>,
    ) -> Option<Figures> {
        if caseworkers.iter().any(|w| w.team.index() >= teams.len()) {
            return None;
        }
        let mut segments = Vec::with_capacity(checked.len());
        let mut next = 0u32;
        for c in checked {
            let s = c.segment;
            if s.first != next || c.caseworkers != caseworkers.len() {
                return None;
            }
            next = next.checked_add(s.courses.len() as u32)?;
            if !s.courses.is_empty() {
                segments.push(s);
            }
        }
        Some(Figures {
            teams,
            caseworkers,
            segments,
            courses: next,
        })
    }

    /// The number of courses (every kind; the measures choose theirs).
    pub fn courses(&self) -> usize {
        self.courses as usize
    }

    /// The segment holding course `id`, and the course's index in it.
    fn locate(&self, id: CourseId) -> Option<(usize, usize)> {
        let i = self
            .segments
            .partition_point(|s| s.first <= id.get())
            .checked_sub(1)?;
        let local = (id.get() - self.segments[i].first) as usize;
        (local < self.segments[i].courses.len()).then_some((i, local))
    }

    pub fn teams(&self) -> &[Team] {
        &self.teams
    }

    pub fn caseworkers(&self) -> &[Caseworker] {
        &self.caseworkers
    }

    /// One measure for the months `from..=to` as of `as_of`, as [`crate::measures::compute`]
    /// gives it on the whole population.
    pub fn compute(
        &self,
        book: &RuleBook,
        kind: MeasureKind,
        def: &Definition,
        from: Month,
        to: Month,
        as_of: Day,
    ) -> MeasureResult {
        let mut members = Vec::with_capacity(self.courses());
        self.compute_into(
            book,
            kind,
            def,
            from,
            to,
            as_of,
            0..self.courses,
            &mut members,
        );
        MeasureResult {
            kind,
            definition: def.clone(),
            from,
            to,
            as_of,
            members,
        }
    }

    /// The same for the courses `range` (by index), appending members: for chunked parallel runs.
    #[allow(clippy::too_many_arguments)]
    pub fn compute_into(
        &self,
        book: &RuleBook,
        kind: MeasureKind,
        def: &Definition,
        from: Month,
        to: Month,
        as_of: Day,
        range: std::ops::Range<u32>,
        members: &mut Vec<Member>,
    ) {
        let q = Query {
            book,
            kind,
            def,
            from,
            to,
            as_of,
        };
        for seg in &self.segments {
            let first = seg.first;
            let lo = range.start.max(first) - first;
            let hi = range
                .end
                .min(first + seg.courses.len() as u32)
                .saturating_sub(first);
            seg.compute_into(&q, lo as usize..(hi as usize).max(lo as usize), members);
        }
    }

    /// A move made in Kadence: the course's caseworker is `to` (figures split by team or
    /// caseworker follow moves, as on a whole population).
    pub fn reassign(&mut self, course: CourseId, to: CaseworkerId) {
        if let Some((s, i)) = self.locate(course) {
            self.segments[s].courses[i].caseworker = Some(to);
        }
    }

    /// A course's caseworker as the figures hold it.
    pub fn caseworker_of(&self, course: CourseId) -> Option<CaseworkerId> {
        let (s, i) = self.locate(course)?;
        self.segments[s].courses[i].caseworker
    }
}

impl Owners for Figures {
    fn caseworker_of(&self, course: CourseId) -> Option<CaseworkerId> {
        Figures::caseworker_of(self, course)
    }

    fn team(&self, caseworker: CaseworkerId) -> TeamId {
        self.caseworkers[caseworker.index()].team
    }
}

/// A measure asked of a figures' basis as it is read ([`FigureSegment::measure`]): what
/// [`Figures::compute`] takes, owned, so that a reader's threads can each measure the parts they
/// decode and keep only the members.
#[derive(Clone, Debug)]
pub struct MeasureQuery {
    pub book: RuleBook,
    pub kind: MeasureKind,
    pub def: Definition,
    pub from: Month,
    pub to: Month,
    pub as_of: Day,
}

impl MeasureQuery {
    fn borrowed(&self) -> Query<'_> {
        Query {
            book: &self.book,
            kind: self.kind,
            def: &self.def,
            from: self.from,
            to: self.to,
            as_of: self.as_of,
        }
    }
}

impl FigureSegment {
    /// The segment measured ([`Figures::compute`] on its courses alone) and dropped: its members
    /// and its courses' caseworkers, all a figure needs of it.
    pub fn measure(self, q: &MeasureQuery) -> MeasuredSegment {
        let s = &self.segment;
        let mut members = Vec::new();
        s.compute_into(&q.borrowed(), 0..s.courses.len(), &mut members);
        MeasuredSegment {
            first: s.first,
            owners: s.courses.iter().map(|c| c.caseworker).collect(),
            members,
            caseworkers: self.caseworkers,
        }
    }
}

/// A segment measured ([`FigureSegment::measure`]): its members and its courses' caseworkers.
#[derive(Clone, Debug)]
pub struct MeasuredSegment {
    first: u32,
    owners: Vec<Option<CaseworkerId>>,
    members: Vec<Member>,
    caseworkers: usize,
}

/// One measure of a figures' basis with what its figures are split and filtered by (each course's
/// caseworker, the teams and caseworkers) and nothing else: what `kadence measure` needs for
/// figures alone. A reader that measures each part as it decodes it ([`FigureSegment::measure`])
/// never holds the basis: at national scale about 40 MB (the members and a caseworker a course)
/// instead of about 300 MB, and the measuring is done beside the reading (issue 15). The result equals [`Figures::compute`]'s, members in course
/// order (a test holds it so on generated populations).
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    teams: Vec<Team>,
    caseworkers: Vec<Caseworker>,
    owners: Vec<Option<CaseworkerId>>,
    result: MeasureResult,
}

impl Measured {
    /// `q` measured on a whole figures' basis.
    pub fn of(figures: &Figures, q: &MeasureQuery) -> Measured {
        let mut owners = Vec::with_capacity(figures.courses());
        for s in &figures.segments {
            owners.extend(s.courses.iter().map(|c| c.caseworker));
        }
        Measured {
            teams: figures.teams.clone(),
            caseworkers: figures.caseworkers.clone(),
            owners,
            result: figures.compute(&q.book, q.kind, &q.def, q.from, q.to, q.as_of),
        }
    }

    /// `q`'s result from measured segments that follow each other from course 0 (as
    /// [`Figures::from_checked`] joins them); `None` when one does not follow or was checked for
    /// another number of caseworkers.
    pub fn from_segments(
        teams: Vec<Team>,
        caseworkers: Vec<Caseworker>,
        q: &MeasureQuery,
        segments: Vec<MeasuredSegment>,
    ) -> Option<Measured> {
        if caseworkers.iter().any(|w| w.team.index() >= teams.len()) {
            return None;
        }
        let mut owners = Vec::with_capacity(segments.iter().map(|s| s.owners.len()).sum());
        let mut members = Vec::with_capacity(segments.iter().map(|s| s.members.len()).sum());
        for s in segments {
            if s.first as usize != owners.len() || s.caseworkers != caseworkers.len() {
                return None;
            }
            owners.extend_from_slice(&s.owners);
            members.extend_from_slice(&s.members);
        }
        u32::try_from(owners.len()).ok()?;
        Some(Measured {
            teams,
            caseworkers,
            owners,
            result: MeasureResult {
                kind: q.kind,
                definition: q.def.clone(),
                from: q.from,
                to: q.to,
                as_of: q.as_of,
                members,
            },
        })
    }

    /// The measure's result.
    pub fn result(&self) -> &MeasureResult {
        &self.result
    }

    /// The number of courses (every kind).
    pub fn courses(&self) -> usize {
        self.owners.len()
    }

    pub fn teams(&self) -> &[Team] {
        &self.teams
    }

    pub fn caseworkers(&self) -> &[Caseworker] {
        &self.caseworkers
    }

    /// A move made in Kadence (as [`Figures::reassign`]).
    pub fn reassign(&mut self, course: CourseId, to: CaseworkerId) {
        if let Some(o) = self.owners.get_mut(course.index()) {
            *o = Some(to);
        }
    }

    /// A course's caseworker as these figures hold it.
    pub fn caseworker_of(&self, course: CourseId) -> Option<CaseworkerId> {
        self.owners.get(course.index()).copied().flatten()
    }
}

impl Owners for Measured {
    fn caseworker_of(&self, course: CourseId) -> Option<CaseworkerId> {
        Measured::caseworker_of(self, course)
    }

    fn team(&self, caseworker: CaseworkerId) -> TeamId {
        self.caseworkers[caseworker.index()].team
    }
}

/// What moves made in Kadence are applied to: a figures' basis, or one measured (each course's
/// caseworker as it holds it comes from [`Owners`]).
pub trait Reassign: Owners {
    fn caseworkers(&self) -> &[Caseworker];
    fn reassign(&mut self, course: CourseId, to: CaseworkerId);
}

impl Reassign for Figures {
    fn caseworkers(&self) -> &[Caseworker] {
        Figures::caseworkers(self)
    }
    fn reassign(&mut self, course: CourseId, to: CaseworkerId) {
        Figures::reassign(self, course, to)
    }
}

impl Reassign for Measured {
    fn caseworkers(&self) -> &[Caseworker] {
        Measured::caseworkers(self)
    }
    fn reassign(&mut self, course: CourseId, to: CaseworkerId) {
        Measured::reassign(self, course, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(day: Day) -> PackedCourse {
        PackedCourse::pack(figure(day), &mut Vec::new())
    }

    fn figure(day: Day) -> FigureCourse {
        FigureCourse {
            kind: CourseKind::SicknessBenefit,
            target_group: TargetGroup::Employed,
            first_absence: day,
            benefit_start: day,
            transition: None,
            visitation: None,
            early_request: None,
            reform: None,
            predictable: None,
            end: None,
            caseworker: None,
        }
    }

    fn parts() -> FiguresParts {
        let d = Day::ymd(2024, 2, 1);
        FiguresParts {
            courses: vec![course(d), course(d)],
            held: vec![d.add_days(10), d.add_days(20), d.add_days(5)],
            held_known: vec![d.add_days(10), d.add_days(21), d.add_days(5)],
            held_at: vec![0, 2, 3],
            last_registered: vec![Some(d.add_days(21)), None],
            standby: vec![StandbyPeriod {
                course: CourseId::new(1),
                start: d.add_days(1),
                end: None,
                registered: None,
            }],
            ..FiguresParts::default()
        }
    }

    #[test]
    fn columns_that_fit_make_a_basis() {
        let f = parts().build().expect("fits");
        assert_eq!(f.courses(), 2);
        assert_eq!(f.segments[0].held_at, vec![0, 2, 3]);
        assert_eq!(f.segments[0].standby_at, vec![0, 0, 1]);
    }

    /// The same courses cut in segments: equal, and a move and a look-up find the right course;
    /// segments that leave a gap or overlap are refused.
    #[test]
    fn segments_follow_each_other() {
        let whole = parts().build().unwrap();
        let p = parts();
        let d = Day::ymd(2024, 2, 1);
        let a = FiguresParts {
            courses: vec![p.courses[0]],
            held: p.held[..2].to_vec(),
            held_known: p.held_known[..2].to_vec(),
            held_at: vec![0, 2],
            last_registered: vec![p.last_registered[0]],
            standby: vec![],
            ..FiguresParts::default()
        };
        let b = FiguresParts {
            first: 1,
            courses: vec![p.courses[1]],
            held: vec![d.add_days(5)],
            held_known: vec![d.add_days(5)],
            held_at: vec![0, 1],
            last_registered: vec![None],
            standby: p.standby.clone(),
            ..FiguresParts::default()
        };
        let mut cut = Figures::from_segments(vec![], vec![], vec![a.clone(), b.clone()]).unwrap();
        assert!(cut == whole);
        assert_eq!(cut.segments.len(), 2);
        let worker = Caseworker {
            key: "S1".into(),
            name: "S".into(),
            team: TeamId::new(0),
        };
        cut.caseworkers.push(worker);
        cut.reassign(CourseId::new(1), CaseworkerId::new(0));
        assert_eq!(
            cut.caseworker_of(CourseId::new(1)),
            Some(CaseworkerId::new(0))
        );
        assert_eq!(cut.caseworker_of(CourseId::new(0)), None);
        assert_eq!(cut.caseworker_of(CourseId::new(2)), None);
        assert!(Figures::from_segments(vec![], vec![], vec![b.clone(), a.clone()]).is_none());
        assert!(Figures::from_segments(vec![], vec![], vec![a.clone(), a.clone()]).is_none());
        let gap = FiguresParts { first: 2, ..b };
        assert!(Figures::from_segments(vec![], vec![], vec![a, gap]).is_none());
    }

    #[test]
    fn columns_that_do_not_fit_are_refused() {
        let refused = |change: fn(&mut FiguresParts)| {
            let mut p = parts();
            change(&mut p);
            p.build().is_none()
        };
        assert!(!refused(|_| {}));
        assert!(refused(|p| p.held_at = vec![0, 2]));
        assert!(refused(|p| p.held_at = vec![1, 2, 3]));
        assert!(refused(|p| p.held_at = vec![0, 3, 2]));
        assert!(refused(|p| p.held_at = vec![0, 2, 4]));
        assert!(refused(|p| {
            p.held_known.pop();
        }));
        assert!(refused(|p| {
            p.last_registered.pop();
        }));
        assert!(refused(|p| p.held.swap(0, 1)));
        assert!(refused(|p| p.standby[0].course = CourseId::new(2)));
        assert!(refused(
            |p| p.courses[0].caseworker = Some(CaseworkerId::new(0))
        ));
        assert!(refused(|p| p.courses[0].rare = 0));
    }

    #[test]
    fn a_packed_course_takes_forty_bytes() {
        assert!(std::mem::size_of::<PackedCourse>() <= 40);
    }

    /// Packed and unpacked, a course is the same for the measures, every optional field on and
    /// off.
    #[test]
    fn packing_keeps_what_the_measures_read() {
        let d = Day::ymd(2026, 3, 2);
        let mut full = figure(d);
        full.transition = Some(d.add_days(30));
        full.visitation = Some(Visitation {
            category: Category::Three,
            set_on: d.add_days(3),
        });
        full.early_request = Some(EarlyRequest {
            by: Requester::Employer,
            date: d.add_days(4),
        });
        full.reform = Some(Box::new(ReformFacts {
            fit_within_26_weeks: Some(d.add_days(5)),
            ..ReformFacts::default()
        }));
        full.end = Some(CourseEnd {
            date: d.add_days(90),
            reason: EndReason::TransitionToJobClarification,
        });
        full.predictable = Some(Predictable {
            marked_on: d.add_days(6),
            lapsed_on: Some(d.add_days(40)),
        });
        full.caseworker = Some(CaseworkerId::new(7));
        // The rare facts alone: a reform without a § 13 f mark, a mark (unlapsed) without reform.
        let reform_only = FigureCourse {
            predictable: None,
            ..full.clone()
        };
        let mark_only = FigureCourse {
            reform: None,
            predictable: Some(Predictable {
                marked_on: d.add_days(6),
                lapsed_on: None,
            }),
            ..full.clone()
        };
        for c in [figure(d), full, reform_only, mark_only] {
            let mut rare = Vec::new();
            let p = PackedCourse::pack(c.clone(), &mut rare);
            assert_eq!(FigureCourse::of(&p.course(&rare)), c);
        }
    }
}
