//! The worklist: each course's flags ("Hændelser"), its urgency order and the short Danish texts the
//! caseworker reads, shared by every shell (CLI tables, web pages, exports).

use crate::date::Day;
use crate::duties::{CourseStatus, DutyKind, Status};
use crate::model::{Course, CourseId, CourseKind, Lae265Basis, MedicalForm, Population, Requester};

/// A first follow-up this many days late is marked for escalation (the band Ankestyrelsen reports).
pub const ESCALATE_AFTER_DAYS: i32 = 21;

/// Preset views of a worklist (the overviews the Vesthimmerland recovery plan asked for, and the
/// lists team leads chase).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum View {
    /// Every active course.
    All,
    /// Overblik 1: 3 to 6 months from the first day of absence, with the number of conversations.
    Overview1,
    /// Overblik 2: 5 months or more without 4 conversations in the first half-year.
    Overview2,
    /// Overblik 2, those whose half-year can still be reached ([`HalfYear::Saveable`]).
    Overview2Saveable,
    /// Overblik 2, those whose half-year is lost ([`HalfYear::Lost`]).
    Overview2Lost,
    /// First follow-ups overdue or due within the "due soon" days.
    FirstFollowUps,
    /// A medical statement past its deadline.
    MedicalOverdue,
    /// Job clarification at the rehabilitation team without an accepted LÆ 265.
    MissingLae265,
    /// In standby now.
    Standby,
    /// No caseworker assigned in the case system's export (ikke fordelt): the team leads' pool.
    Unassigned,
}

impl View {
    pub const ALL: [View; 10] = [
        View::All,
        View::Overview1,
        View::Overview2,
        View::Overview2Saveable,
        View::Overview2Lost,
        View::FirstFollowUps,
        View::MedicalOverdue,
        View::MissingLae265,
        View::Standby,
        View::Unassigned,
    ];

    /// The URL parameter value.
    pub fn code(self) -> &'static str {
        match self {
            View::All => "alle",
            View::Overview1 => "overblik1",
            View::Overview2 => "overblik2",
            View::Overview2Saveable => "overblik2-kan",
            View::Overview2Lost => "overblik2-tabt",
            View::FirstFollowUps => "foerste",
            View::MedicalOverdue => "laege",
            View::MissingLae265 => "lae265",
            View::Standby => "standby",
            View::Unassigned => "ikkefordelt",
        }
    }

    pub fn from_code(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.code() == s)
    }

    /// Danish label for the link.
    pub fn label(self) -> &'static str {
        match self {
            View::All => "Alle aktive",
            View::Overview1 => "Overblik 1: 3–6 måneder",
            View::Overview2 => "Overblik 2: 5 måneder uden 4 samtaler",
            View::Overview2Saveable => "Overblik 2: kan nås",
            View::Overview2Lost => "Overblik 2: tabt",
            View::FirstFollowUps => "1. samtale overskredet eller nær",
            View::MedicalOverdue => "Lægeattester over frist",
            View::MissingLae265 => "Jobafklaring uden LÆ 265",
            View::Standby => "Standby",
            View::Unassigned => "Ikke fordelt",
        }
    }

    /// The label short enough for an Excel sheet's name (31 characters, no colon).
    pub fn short_label(self) -> &'static str {
        match self {
            View::Overview1 => "Overblik 1 (3–6 måneder)",
            View::Overview2 => "Overblik 2 (uden 4 samtaler)",
            View::Overview2Saveable => "Overblik 2 (kan nås)",
            View::Overview2Lost => "Overblik 2 (tabt)",
            View::FirstFollowUps => "1. samtale overskredet el. nær",
            other => other.label(),
        }
    }

    /// Whether an active course belongs in this view on the status's as-of date.
    pub fn matches(self, course: &Course, st: &CourseStatus) -> bool {
        let as_of: Day = st.as_of;
        let sickness = course.kind == CourseKind::SicknessBenefit;
        match self {
            View::All => true,
            View::Overview1 => {
                sickness
                    && course.first_absence.add_months(3) <= as_of
                    && as_of < course.first_absence.add_months(6)
            }
            View::Overview2 => {
                sickness
                    && course.first_absence.add_months(5) <= as_of
                    && st.duty(DutyKind::HalfYearFollowUps).is_some_and(|d| {
                        d.counted < d.required
                            && !matches!(d.status, Status::Met | Status::NotApplicable)
                    })
            }
            View::Overview2Saveable => {
                View::Overview2.matches(course, st)
                    && matches!(half_year_outlook(st), Some(HalfYear::Saveable { .. }))
            }
            View::Overview2Lost => {
                View::Overview2.matches(course, st)
                    && matches!(half_year_outlook(st), Some(HalfYear::Lost { .. }))
            }
            View::FirstFollowUps => st
                .duty(DutyKind::FirstFollowUp)
                .is_some_and(|d| matches!(d.status, Status::Overdue | Status::DueSoon)),
            View::MedicalOverdue | View::MissingLae265 => st.duties.iter().any(|d| self.lists(d)),
            View::Standby => st.in_standby,
            View::Unassigned => course.caseworker.is_none(),
        }
    }
}

impl View {
    /// Whether `d` is one of the items this view lists one by one (a medical request past its
    /// deadline; a rehabilitation-team meeting without LÆ 265). Always false for the other views.
    fn lists(self, d: &crate::duties::Duty) -> bool {
        match self {
            View::MedicalOverdue => {
                matches!(d.kind, DutyKind::MedicalStatement(_)) && d.status == Status::Overdue
            }
            View::MissingLae265 => {
                matches!(d.kind, DutyKind::Lae265BeforeRehab(_))
                    && matches!(
                        d.status,
                        Status::Missed | Status::Overdue | Status::DueSoon | Status::Conflict
                    )
            }
            _ => false,
        }
    }

    /// The items behind a course's place in the "Lægeoplysninger" and "Jobafklaring" lists, one per
    /// medical request or meeting (a course may have several); empty for the other views. A course
    /// matches [`View::MedicalOverdue`] or [`View::MissingLae265`] exactly when it has an item.
    pub fn items(self, pop: &Population, id: CourseId, st: &CourseStatus) -> Vec<DutyItem> {
        let f = pop.facts(id);
        st.duties
            .iter()
            .filter(|d| self.lists(d))
            .filter_map(|d| {
                let (what, since) = match d.kind {
                    DutyKind::MedicalStatement(i) => {
                        let m = &f.medical[usize::from(i)];
                        (
                            match m.form {
                                MedicalForm::Lae285 => "LÆ 285",
                                MedicalForm::Lae265 => "LÆ 265",
                                MedicalForm::Other => "Lægeattest",
                            },
                            m.sent,
                        )
                    }
                    DutyKind::Lae265BeforeRehab(i) => {
                        let m = &f.rehab[usize::from(i)];
                        (
                            match m.basis {
                                Lae265Basis::Present => "LÆ 265 foreligger",
                                Lae265Basis::Lae285Exception => "LÆ 285 i stedet for LÆ 265",
                                Lae265Basis::SufficientlyInformed => "tilstrækkeligt oplyst",
                                Lae265Basis::Missing => "ingen LÆ 265",
                            },
                            m.date,
                        )
                    }
                    _ => return None,
                };
                Some(DutyItem {
                    course: id,
                    kind: d.kind,
                    what,
                    since,
                    due: d.due,
                    days_left: d.days_left,
                    status: d.status,
                    paragraph: d.paragraph,
                    rule_set: d.rule_set,
                })
            })
            .collect()
    }
}

/// One outstanding item of the "Lægeoplysninger" or "Jobafklaring" list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DutyItem {
    pub course: CourseId,
    pub kind: DutyKind,
    /// The form asked for (LÆ 285, LÆ 265, Lægeattest), or what the meeting was based on.
    pub what: &'static str,
    /// The day it began: the request sent, or the rehabilitation team's meeting.
    pub since: Day,
    pub due: Option<Day>,
    /// Negative: days past the deadline.
    pub days_left: Option<i32>,
    pub status: Status,
    pub paragraph: &'static str,
    pub rule_set: &'static str,
}

/// Whether the first half-year's conversations (§ 13 b, stk. 1) can still be reached: what separates
/// Overblik 2's courses that can be saved from those already lost.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HalfYear {
    /// `missing` conversations can still be held by `last`, the half-year's last day. `tight`: only
    /// closer together than the municipality's practice (its minimum spacing), which the law does not
    /// require.
    Saveable {
        missing: u16,
        last: Day,
        tight: bool,
    },
    /// The half-year closed (or closes before the missing conversations fit, one a working day)
    /// with `counted` of `required`.
    Lost {
        counted: u16,
        required: u16,
        closed: Day,
    },
}

/// The half-year's outlook, for a course whose half-year duty is neither met nor out of play (standby
/// pausing it, an exemption, not applicable); `None` otherwise.
pub fn half_year_outlook(st: &CourseStatus) -> Option<HalfYear> {
    let d = st.duty(DutyKind::HalfYearFollowUps)?;
    if d.counted >= d.required
        || !matches!(
            d.status,
            Status::Open | Status::DueSoon | Status::Overdue | Status::Missed
        )
    {
        return None;
    }
    let last = d.due?;
    let missing = d.required - d.counted;
    if d.status == Status::Missed || weekdays(st.as_of, last) < i32::from(missing) {
        return Some(HalfYear::Lost {
            counted: d.counted,
            required: d.required,
            closed: last,
        });
    }
    Some(HalfYear::Saveable {
        missing,
        last,
        tight: d.status == Status::Overdue,
    })
}

/// Monday-to-Friday days in `from..=to` (0 when `to` is before `from`): the days a conversation can
/// be held on. Public holidays are not taken out, so the count errs towards "can still be reached".
fn weekdays(from: Day, to: Day) -> i32 {
    let n = from.days_until(to) + 1;
    if n <= 0 {
        return 0;
    }
    let rest = (0..n % 7)
        .filter(|k| from.add_days(*k).iso_weekday() <= 5)
        .count() as i32;
    n / 7 * 5 + rest
}

/// Flags for the worklist ("Hændelser"), in Danish.
pub fn flags(pop: &Population, id: CourseId, st: &CourseStatus) -> Vec<String> {
    let f = pop.facts(id);
    let mut out = Vec::new();
    if st.in_standby {
        if let Some(s) = f.standby.iter().rev().find(|s| s.start <= st.as_of) {
            out.push(format!("Standby siden {}", s.start.dk()));
        }
    }
    if let Some(d) = st.duty(DutyKind::FirstFollowUp).filter(|d| {
        d.status == Status::Overdue && d.days_left.is_some_and(|x| x < -ESCALATE_AFTER_DAYS)
    }) {
        out.push(format!(
            "Eskalér: 1. samtale {} dage for sent (over 3 uger)",
            -d.days_left.unwrap_or(0)
        ));
    }
    let first_open = st
        .duty(DutyKind::FirstFollowUp)
        .is_some_and(|d| d.status.is_actionable());
    if let Some(r) = f
        .course
        .early_request
        .filter(|r| r.date <= st.as_of && first_open)
    {
        out.push(format!(
            "Tidlig opfølgning anmodet {} ({})",
            r.date.dk(),
            if r.by == Requester::Employer {
                "§ 7 c"
            } else {
                "§ 7 e"
            }
        ));
    }
    for d in &st.duties {
        match d.kind {
            DutyKind::PredictableCheck if d.status.is_actionable() => {
                if let Some(due) = d.due {
                    out.push(format!("§ 13 f: tjek af raskmelding senest {}", due.dk()));
                }
            }
            DutyKind::MedicalStatement(i) if d.status == Status::Overdue => {
                let form = match f.medical[usize::from(i)].form {
                    MedicalForm::Lae285 => "LÆ 285",
                    MedicalForm::Lae265 => "LÆ 265",
                    MedicalForm::Other => "Lægeattest",
                };
                out.push(format!(
                    "{form} udestående – {} over frist",
                    crate::dk::days(-i64::from(d.days_left.unwrap_or(0)))
                ));
            }
            DutyKind::Lae265BeforeRehab(_)
                if matches!(d.status, Status::Missed | Status::Overdue | Status::DueSoon) =>
            {
                out.push("LÆ 265 mangler".into());
            }
            DutyKind::Lae265BeforeRehab(_) if d.status == Status::Conflict => {
                out.push("Modstridende data om LÆ 265 (se forløbet)".into());
            }
            DutyKind::Exemption26 if d.status == Status::Exempt => {
                if let Some(until) = d.due {
                    out.push(format!(
                        "§ 13 f (2026): fritaget for opfølgning til og med {}",
                        until.dk()
                    ));
                }
            }
            DutyKind::Exemption26 => {
                // Recently ended: the caseworker must pick the course up.
                if let Some((end, why)) = d.exemption.as_deref().and_then(|x| x.ended) {
                    if end > d.window.map_or(end, |w| w.0) && end.add_days(31) >= st.as_of {
                        out.push(format!(
                            "§ 13 f (2026) ophørte {}: {}",
                            end.dk(),
                            why.words()
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    // Missed is said: the caseworker's duties whose window closed unmet, the latest first (the
    // medical statements and LÆ 265 have their own flags above).
    let mut missed: Vec<&crate::duties::Duty> = st
        .duties
        .iter()
        .filter(|d| d.status == Status::Missed && d.kind.is_caseworker_deadline())
        .filter(|d| !matches!(d.kind, DutyKind::Lae265BeforeRehab(_)))
        .collect();
    missed.sort_by_key(|d| std::cmp::Reverse(d.due));
    if let Some(d) = missed.first() {
        let counts = if d.required > 1 {
            format!(" ({} af {})", d.counted, d.required)
        } else {
            String::new()
        };
        let earlier = match missed.len() - 1 {
            0 => String::new(),
            1 => " og 1 tidligere".into(),
            n => format!(" og {n} tidligere"),
        };
        out.push(format!(
            "Forsømt: {}{counts}, lukkede {}{earlier}",
            d.title(),
            d.due.map(|x| x.dk().to_string()).unwrap_or_default()
        ));
    }
    // Said from month 5, as Overblik 2 lists them; a closed half-year is said by "Forsømt" above.
    if f.course.first_absence.add_months(5) <= st.as_of {
        match half_year_outlook(st) {
            Some(HalfYear::Saveable {
                missing,
                last,
                tight,
            }) => out.push(format!(
                "Halvåret kan nås: {} mangler, senest {}{}",
                crate::dk::count(u64::from(missing), "samtale", "samtaler"),
                last.dk(),
                if tight {
                    " (tættere end kommunens praksis for afstand)"
                } else {
                    ""
                }
            )),
            Some(HalfYear::Lost {
                counted,
                required,
                closed,
            }) if closed >= st.as_of => out.push(format!(
                "Halvåret kan ikke længere nås: {counted} af {required}, lukker {}",
                closed.dk()
            )),
            _ => {}
        }
    }
    for l in &st.local {
        // While it matters: due soon, reached while its window is still open, or not reached within
        // the last month (an open target far from its date is not news).
        let says = match l.status {
            Status::DueSoon => true,
            Status::Met => st.as_of <= l.window.1,
            Status::Missed => l.window.1.add_days(31) >= st.as_of,
            _ => false,
        };
        if let Some(w) = l.words().filter(|_| says) {
            out.push(format!("Lokalt mål ({}): {w}", l.name));
        }
    }
    out
}

/// How near the next deadline is (fristinterval): what a team lead filters a list by and counts per
/// caseworker. Bands by days left: passed, within 7 days (today counts), 8 to 30, more than 30, none.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Band {
    Overdue,
    Week,
    Month,
    Later,
    NoDeadline,
}

impl Band {
    pub const ALL: [Band; 5] = [
        Band::Overdue,
        Band::Week,
        Band::Month,
        Band::Later,
        Band::NoDeadline,
    ];

    /// The band of a deadline `days_left` away (`None`: no deadline).
    pub fn of(days_left: Option<i32>) -> Band {
        match days_left {
            None => Band::NoDeadline,
            Some(d) if d < 0 => Band::Overdue,
            Some(d) if d <= 7 => Band::Week,
            Some(d) if d <= 30 => Band::Month,
            Some(_) => Band::Later,
        }
    }

    /// The URL parameter value.
    pub fn code(self) -> &'static str {
        match self {
            Band::Overdue => "overskredet",
            Band::Week => "7dage",
            Band::Month => "30dage",
            Band::Later => "senere",
            Band::NoDeadline => "ingen",
        }
    }

    pub fn from_code(s: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.code() == s)
    }

    /// Danish label.
    pub fn label(self) -> &'static str {
        match self {
            Band::Overdue => "Overskredet",
            Band::Week => "Inden for 7 dage",
            Band::Month => "Om 8–30 dage",
            Band::Later => "Om mere end 30 dage",
            Band::NoDeadline => "Ingen frist",
        }
    }
}

/// Worklist order: next deadline first (overdue first), none last; ties by longest absence. The law's
/// deadlines only; see [`urgency_by`] for the municipality's choice.
pub fn urgency(st: &CourseStatus) -> (i32, i32) {
    urgency_by(st, crate::settings::DeadlineDrivers::Legal)
}

/// Worklist order by the deadlines the municipality lets drive it (`Settings::next_deadline`).
pub fn urgency_by(st: &CourseStatus, drivers: crate::settings::DeadlineDrivers) -> (i32, i32) {
    (
        st.next_deadline_by(drivers)
            .map_or(i32::MAX, |d| d.days_left()),
        -st.days_since_first_absence,
    )
}

pub fn days_text(days: i32) -> String {
    let unit = |n: i32| if n == 1 { "dag" } else { "dage" };
    match days {
        0 => "i dag".into(),
        d if d > 0 => format!("om {d} {}", unit(d)),
        d => format!("{} {} over", -d, unit(-d)),
    }
}

pub fn conversations_text(st: &CourseStatus) -> String {
    match conversations_counted(st) {
        (held, Some(required)) => format!("{held} af {required}"),
        (held, None) => held.to_string(),
    }
}

/// The conversations column as numbers: those counted towards the course's conversation duty
/// (the half year's four, § 13 b, or job clarification's, § 13 b, stk. 5) and the number it
/// requires; without such a duty, every conversation held and no requirement.
pub fn conversations_counted(st: &CourseStatus) -> (u16, Option<u16>) {
    [
        DutyKind::HalfYearFollowUps,
        DutyKind::JobClarificationFollowUps,
    ]
    .iter()
    .find_map(|k| st.duty(*k))
    .map_or((st.conversations_held, None), |d| {
        (d.counted.min(d.required), Some(d.required))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpr::Cpr;
    use crate::duties::evaluate;
    use crate::model::*;
    use crate::rules::RuleBook;
    use crate::settings::Settings;

    /// A population of one unemployed sickness course from `fa` with these held conversations.
    fn one_course(fa: Day, convs: &[Day]) -> (Population, CourseId) {
        let mut b = PopulationBuilder::new();
        let cit = b.add_citizen(Citizen {
            cpr: Cpr::synthetic(Day::ymd(1980, 1, 1), 1),
            name: "A B".into(),
        });
        let id = b.add_course(Course {
            key: "F".into(),
            citizen: cit,
            kind: CourseKind::SicknessBenefit,
            first_absence: fa,
            benefit_start: fa,
            transition: None,
            from_course: None,
            target_group: TargetGroup::Unemployed,
            visitation: None,
            early_request: None,
            predictable: None,
            reform: Default::default(),
            end: None,
            caseworker: None,
        });
        for d in convs {
            b.conversations.push((
                id,
                Conversation {
                    date: *d,
                    form: ConversationForm::InPerson,
                    held: true,
                    planned: false,
                    caseworker: None,
                    registered: None,
                },
            ));
        }
        (b.build().0, id)
    }

    /// The views a course is in as of a date.
    fn check(fa: Day, convs: &[Day], as_of: Day, expected: &[View]) {
        let (pop, id) = one_course(fa, convs);
        let st = evaluate(
            pop.facts(id),
            &RuleBook::danish(),
            &Settings::default(),
            as_of,
        );
        // (The test course has no caseworker; "Ikke fordelt" is checked on its own below.)
        let got: Vec<View> = View::ALL
            .into_iter()
            .filter(|v| *v != View::Unassigned && v.matches(&pop.courses[0], &st))
            .collect();
        assert_eq!(got, expected, "{fa} as of {as_of}");
    }

    #[test]
    fn conversations_as_held_and_required() {
        let d = Day::ymd;
        let fa = d(2023, 1, 2);
        for (convs, as_of, want, text) in [
            // Nothing held yet, four required in the half year (§ 13 b, stk. 1).
            (vec![], d(2023, 2, 1), (0, Some(4)), "0 af 4"),
            (vec![d(2023, 2, 20)], d(2023, 3, 1), (1, Some(4)), "1 af 4"),
            // Five held: the list counts up to what is required.
            (
                vec![
                    d(2023, 1, 20),
                    d(2023, 2, 20),
                    d(2023, 3, 20),
                    d(2023, 4, 20),
                    d(2023, 5, 20),
                ],
                d(2023, 6, 1),
                (4, Some(4)),
                "4 af 4",
            ),
        ] {
            let (pop, id) = one_course(fa, &convs);
            let st = evaluate(
                pop.facts(id),
                &RuleBook::danish(),
                &Settings::default(),
                as_of,
            );
            assert_eq!(conversations_counted(&st), want, "{as_of}");
            assert_eq!(conversations_text(&st), text, "{as_of}");
        }
    }

    #[test]
    fn short_labels_fit_a_sheet_name() {
        for v in View::ALL {
            let s = v.short_label();
            assert!(s.chars().count() <= 31 && !s.contains(':'), "{s}");
        }
    }

    #[test]
    fn unassigned_view_is_the_courses_without_a_caseworker() {
        let (pop, id) = one_course(Day::ymd(2023, 1, 2), &[]);
        let st = evaluate(
            pop.facts(id),
            &RuleBook::danish(),
            &Settings::default(),
            Day::ymd(2023, 2, 1),
        );
        assert!(View::Unassigned.matches(&pop.courses[0], &st));
        let mut assigned = pop.courses[0].clone();
        assigned.caseworker = Some(CaseworkerId::new(0));
        assert!(!View::Unassigned.matches(&assigned, &st));
        assert_eq!(View::from_code("ikkefordelt"), Some(View::Unassigned));
    }

    #[test]
    fn preset_views() {
        let fa = Day::ymd(2023, 1, 2);
        let d = Day::ymd;
        // Day 30, nothing held: only "all".
        check(fa, &[], d(2023, 2, 1), &[View::All]);
        // Week 8 passed without a conversation: first follow-ups.
        check(fa, &[], d(2023, 3, 1), &[View::All, View::FirstFollowUps]);
        // Exactly 3 months: overview 1 starts (2 Apr); the day before it does not.
        check(fa, &[d(2023, 2, 20)], d(2023, 4, 1), &[View::All]);
        check(
            fa,
            &[d(2023, 2, 20)],
            d(2023, 4, 2),
            &[View::All, View::Overview1],
        );
        // 5 months with 2 conversations: overview 1 and 2.
        check(
            fa,
            &[d(2023, 2, 20), d(2023, 4, 1)],
            d(2023, 6, 2),
            &[
                View::All,
                View::Overview1,
                View::Overview2,
                View::Overview2Saveable,
            ],
        );
        // 5 months with 4 conversations: not overview 2.
        check(
            fa,
            &[d(2023, 2, 1), d(2023, 3, 1), d(2023, 4, 1), d(2023, 5, 1)],
            d(2023, 6, 2),
            &[View::All, View::Overview1],
        );
        // Past 6 months: overview 1 ends (2 Jul); overview 2 stays while the half-year was missed.
        check(
            fa,
            &[d(2023, 2, 20)],
            d(2023, 7, 2),
            &[View::All, View::Overview2, View::Overview2Lost],
        );
    }

    /// Overblik 2's two halves, and the flags that say them: the half-year can be reached (how many
    /// are missing, by when), can no longer be reached (fewer days left than conversations missing),
    /// or was missed ("Forsømt" with the day it closed). Courses from a month end in a leap year
    /// (31-01-2024: the half-year ends 30-07-2024) and a month start (01-03-2023: 31-08-2023).
    #[test]
    fn half_year_saveable_lost_or_missed() {
        let d = Day::ymd;
        let saveable = |missing, last, tight| {
            Some(HalfYear::Saveable {
                missing,
                last,
                tight,
            })
        };
        let lost = |counted, closed| {
            Some(HalfYear::Lost {
                counted,
                required: 4,
                closed,
            })
        };
        /// First day of absence, held conversations, as of, the outlook, the flag said.
        type Case<'a> = (Day, &'a [Day], Day, Option<HalfYear>, Option<&'a str>);
        #[rustfmt::skip]
        let cases: &[Case] = &[
            // Two held, a month left: can be reached, two missing by the last day.
            (d(2024, 1, 31), &[d(2024, 3, 1), d(2024, 4, 1)], d(2024, 7, 1), saveable(2, d(2024, 7, 30), false),
             Some("Halvåret kan nås: 2 samtaler mangler, senest 30-07-2024")),
            // Three held, one missing, the last day itself: still reachable (one today).
            (d(2024, 1, 31), &[d(2024, 3, 1), d(2024, 4, 1), d(2024, 5, 1)], d(2024, 7, 30), saveable(1, d(2024, 7, 30), false),
             Some("Halvåret kan nås: 1 samtale mangler, senest 30-07-2024")),
            // Three missing on Friday 26-07-2024: Friday, Monday and Tuesday the 30th are left.
            (d(2024, 1, 31), &[d(2024, 3, 1)], d(2024, 7, 26), saveable(3, d(2024, 7, 30), true),
             Some("Halvåret kan nås: 3 samtaler mangler, senest 30-07-2024 (tættere end kommunens praksis for afstand)")),
            // The Saturday after: four calendar days but two working days left for three.
            (d(2024, 1, 31), &[d(2024, 3, 1)], d(2024, 7, 27), lost(1, d(2024, 7, 30)),
             Some("Halvåret kan ikke længere nås: 1 af 4, lukker 30-07-2024")),
            // Two missing, one day left (the last day): no longer reachable, closes on it.
            (d(2024, 1, 31), &[d(2024, 3, 1), d(2024, 4, 1)], d(2024, 7, 30), lost(2, d(2024, 7, 30)),
             Some("Halvåret kan ikke længere nås: 2 af 4, lukker 30-07-2024")),
            // The day after the last: missed, said with the day it closed.
            (d(2024, 1, 31), &[d(2024, 3, 1), d(2024, 4, 1)], d(2024, 7, 31), lost(2, d(2024, 7, 30)),
             Some("Forsømt: 4 samtaler i første halvår (2 af 4), lukkede 30-07-2024")),
            // From a month start: the half-year ends on the last day of the sixth month.
            (d(2023, 3, 1), &[d(2023, 4, 3)], d(2023, 9, 1), lost(1, d(2023, 8, 31)),
             Some("Forsømt: 4 samtaler i første halvår (1 af 4), lukkede 31-08-2023")),
            // Four held: neither.
            (d(2023, 3, 1), &[d(2023, 3, 20), d(2023, 4, 20), d(2023, 5, 20), d(2023, 6, 20)], d(2023, 8, 1), None, None),
        ];
        for (fa, convs, as_of, want, flag) in cases {
            let (pop, id) = one_course(*fa, convs);
            let st = evaluate(
                pop.facts(id),
                &RuleBook::danish(),
                &Settings::default(),
                *as_of,
            );
            assert_eq!(half_year_outlook(&st), *want, "{fa} as of {as_of}");
            let fl = flags(&pop, id, &st);
            match flag {
                Some(f) => assert!(fl.iter().any(|x| x == f), "{fa} as of {as_of}: {fl:?}"),
                None => assert!(
                    !fl.iter()
                        .any(|x| x.starts_with("Halvåret") || x.starts_with("Forsømt")),
                    "{fl:?}"
                ),
            }
        }
    }

    /// The local target's flag says "forfalder dd-mm-åååå" when due soon, "nået" while its window is
    /// open, and "ikke nået" until a month after its window closed; an open target far from its
    /// date says nothing.
    #[test]
    fn local_target_flag_says_reached_due_or_not_reached() {
        use crate::settings::{ClockStart, LocalTarget};
        let d = Day::ymd;
        let s = Settings {
            local_targets: vec![LocalTarget {
                name: "4 inden 5 måneder".into(),
                conversations: 4,
                months: 5,
                clock: ClockStart::FirstAbsence,
            }],
            ..Settings::default()
        };
        let fa = d(2023, 1, 2);
        let four = [d(2023, 2, 1), d(2023, 3, 1), d(2023, 4, 1), d(2023, 5, 1)];
        #[rustfmt::skip]
        let cases: &[(&[Day], Day, Option<&str>)] = &[
            (&four[..2], d(2023, 4, 1), None),
            (&four[..2], d(2023, 5, 25), Some("Lokalt mål (4 inden 5 måneder): forfalder 01-06-2023 (2 af 4)")),
            (&four, d(2023, 6, 2), None),
            (&four, d(2023, 5, 2), Some("Lokalt mål (4 inden 5 måneder): nået")),
            (&four[..3], d(2023, 6, 2), Some("Lokalt mål (4 inden 5 måneder): ikke nået (3 af 4 inden 01-06-2023)")),
            // More than a month after the window: no longer said.
            (&four[..3], d(2023, 7, 3), None),
        ];
        for (convs, as_of, want) in cases {
            let (pop, id) = one_course(fa, convs);
            let st = evaluate(pop.facts(id), &RuleBook::danish(), &s, *as_of);
            let got: Vec<String> = flags(&pop, id, &st)
                .into_iter()
                .filter(|f| f.starts_with("Lokalt mål"))
                .collect();
            assert_eq!(
                got,
                want.map(|w| vec![w.to_string()]).unwrap_or_default(),
                "as of {as_of}"
            );
        }
    }

    #[test]
    fn escalation_after_three_weeks() {
        // First follow-up due 2023-02-26; 21 days late is not escalated, 22 days is.
        let (pop, id) = one_course(Day::ymd(2023, 1, 2), &[]);
        let flags_on = |day| {
            let st = evaluate(
                pop.facts(id),
                &RuleBook::danish(),
                &Settings::default(),
                day,
            );
            flags(&pop, id, &st)
        };
        assert!(!flags_on(Day::ymd(2023, 3, 19))
            .iter()
            .any(|f| f.starts_with("Eskalér")));
        assert_eq!(
            flags_on(Day::ymd(2023, 3, 20)),
            vec!["Eskalér: 1. samtale 22 dage for sent (over 3 uger)".to_string()]
        );
    }

    #[test]
    fn day_texts() {
        assert_eq!(days_text(0), "i dag");
        assert_eq!(days_text(5), "om 5 dage");
        assert_eq!(days_text(1), "om 1 dag");
        assert_eq!(days_text(-1), "1 dag over");
        assert_eq!(days_text(-3), "3 dage over");
    }

    #[test]
    fn deadline_bands_by_days_left() {
        for (days, band) in [
            (None, Band::NoDeadline),
            (Some(-400), Band::Overdue),
            (Some(-1), Band::Overdue),
            (Some(0), Band::Week),
            (Some(7), Band::Week),
            (Some(8), Band::Month),
            (Some(30), Band::Month),
            (Some(31), Band::Later),
        ] {
            assert_eq!(Band::of(days), band, "{days:?}");
            assert_eq!(Band::from_code(band.code()), Some(band));
        }
    }

    #[test]
    fn weekdays_count_monday_to_friday() {
        let d = Day::ymd;
        // 29-07-2024 is a Monday.
        for (from, to, n) in [
            (d(2024, 7, 29), d(2024, 7, 29), 1),
            (d(2024, 7, 27), d(2024, 7, 28), 0),
            (d(2024, 7, 26), d(2024, 7, 30), 3),
            (d(2024, 7, 29), d(2024, 8, 4), 5),
            (d(2024, 7, 1), d(2024, 7, 31), 23),
            (d(2024, 2, 26), d(2024, 3, 3), 5),
            (d(2024, 7, 30), d(2024, 7, 29), 0),
        ] {
            assert_eq!(weekdays(from, to), n, "{from}..={to}");
        }
    }

    /// A standby period inside the half-year moves its deadline, and the next deadline says by how
    /// many days (01-02-2023 to 14-02-2023: 14 days); without standby it says nothing.
    #[test]
    fn a_deadline_moved_by_standby_says_by_how_many_days() {
        let d = Day::ymd;
        let fa = d(2023, 1, 2);
        let convs = [d(2023, 1, 20), d(2023, 2, 20), d(2023, 3, 20)];
        for (standby, moved) in [(true, Some(14)), (false, None)] {
            let (pop, id) = one_course(fa, &convs);
            let mut b = pop.into_builder();
            if standby {
                b.standby.push(StandbyPeriod {
                    course: id,
                    start: d(2023, 2, 1),
                    end: Some(d(2023, 2, 14)),
                    registered: None,
                });
            }
            let pop = b.build().0;
            let st = evaluate(
                pop.facts(id),
                &RuleBook::danish(),
                &Settings::default(),
                d(2023, 5, 1),
            );
            let next = st
                .next_deadline_by(crate::settings::DeadlineDrivers::Legal)
                .expect("the half-year's next conversation");
            assert_eq!(
                next.duty().map(|x| x.kind),
                Some(DutyKind::HalfYearFollowUps)
            );
            assert_eq!(next.moved_by_standby(), moved, "standby {standby}");
        }
    }
}
