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
    pub const ALL: [View; 8] = [
        View::All,
        View::Overview1,
        View::Overview2,
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
            View::FirstFollowUps => "1. samtale overskredet eller nær",
            View::MedicalOverdue => "Lægeattester over frist",
            View::MissingLae265 => "Jobafklaring uden LÆ 265",
            View::Standby => "Standby",
            View::Unassigned => "Ikke fordelt",
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
                    "{form} udestående - {} dage over frist",
                    -d.days_left.unwrap_or(0)
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
    for l in &st.local {
        // Only while it matters: due soon, or missed within the last month.
        let recent = l.window.1.add_days(31) >= st.as_of;
        if l.status == Status::DueSoon || (l.status == Status::Missed && recent) {
            out.push(format!(
                "Lokalt mål ({}): {} af {} inden {}",
                l.name,
                l.counted,
                l.required,
                l.window.1.dk()
            ));
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
    [
        DutyKind::HalfYearFollowUps,
        DutyKind::JobClarificationFollowUps,
    ]
    .iter()
    .find_map(|k| st.duty(*k))
    .map_or_else(
        || st.conversations_held.to_string(),
        |d| format!("{} af {}", d.counted.min(d.required), d.required),
    )
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
            b.conversations.push(Conversation {
                course: id,
                date: *d,
                form: ConversationForm::InPerson,
                held: true,
                planned: false,
                caseworker: None,
            });
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
        assigned.caseworker = Some(CaseworkerId(0));
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
            &[View::All, View::Overview1, View::Overview2],
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
            &[View::All, View::Overview2],
        );
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
}
