//! Table-driven tests of every duty with real dates, through one `check` helper.
//!
//! Each case builds one course with the small fixture DSL below, evaluates it as of a date, and states
//! the expected status, due date and days left of the duties it cares about. E1-E8 are the worked
//! examples of `shared/domain/README.md` §9.

use kadence_core::date::Day;
use kadence_core::duties::{evaluate, CourseStatus, DutyKind, Note, Status};
use kadence_core::measures::{compute, Definition, MeasureKind};
use kadence_core::model::*;
use kadence_core::rules::{Cadence, RuleBook, RuleParams, RunningJobClarification};
use kadence_core::settings::{Category1Reading, HalfYear, Settings, StandbyHandling};
use kadence_core::Month;

use Status::*;

mod reform;
mod registration;

fn d(s: &str) -> Day {
    Day::parse_iso(s).unwrap_or_else(|| panic!("bad test date {s}"))
}

/// A one-course fixture.
#[derive(Clone)]
pub struct T {
    pub b: PopulationBuilder,
    pub book: RuleBook,
}

fn course(first_absence: &str) -> T {
    let mut b = PopulationBuilder::new();
    let cit = b.add_citizen(Citizen {
        cpr: kadence_core::cpr::Cpr::synthetic(d("1980-05-05"), 1),
        name: "Test Testesen".into(),
    });
    b.add_course(Course {
        key: "F1".into(),
        citizen: cit,
        kind: CourseKind::SicknessBenefit,
        first_absence: d(first_absence),
        benefit_start: d(first_absence),
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
    T {
        b,
        book: RuleBook::danish(),
    }
}

impl T {
    fn c(&mut self) -> &mut Course {
        &mut self.b.courses[0]
    }
    fn benefit_start(mut self, s: &str) -> T {
        self.c().benefit_start = d(s);
        self
    }
    fn employed(mut self) -> T {
        self.c().target_group = TargetGroup::Employed;
        self
    }
    fn category(mut self, cat: Category, set_on: &str) -> T {
        self.c().visitation = Some(Visitation {
            category: cat,
            set_on: d(set_on),
        });
        self
    }
    fn early(mut self, by: Requester, s: &str) -> T {
        self.c().early_request = Some(EarlyRequest { by, date: d(s) });
        self
    }
    fn predictable(mut self, marked: &str, lapsed: Option<&str>) -> T {
        self.c().predictable = Some(Predictable {
            marked_on: d(marked),
            lapsed_on: lapsed.map(d),
        });
        self
    }
    fn ended(mut self, s: &str) -> T {
        self.c().end = Some(CourseEnd {
            date: d(s),
            reason: EndReason::BackToWork,
        });
        self
    }
    fn job_clarification(mut self, transition: &str) -> T {
        self.c().kind = CourseKind::JobClarification;
        self.c().transition = Some(d(transition));
        self
    }
    fn conv_form(mut self, s: &str, form: ConversationForm) -> T {
        self.b.conversations.push((
            CourseId::new(0),
            Conversation {
                date: d(s),
                form,
                held: true,
                planned: false,
                caseworker: None,
                registered: None,
            },
        ));
        self
    }
    fn conv(self, s: &str) -> T {
        self.conv_form(s, ConversationForm::InPerson)
    }
    fn convs(self, dates: &[&str]) -> T {
        dates.iter().fold(self, |t, s| t.conv(s))
    }
    fn cancelled(mut self, s: &str) -> T {
        self.b.conversations.push((
            CourseId::new(0),
            Conversation {
                date: d(s),
                form: ConversationForm::InPerson,
                held: false,
                planned: false,
                caseworker: None,
                registered: None,
            },
        ));
        self
    }
    fn standby(mut self, start: &str, end: Option<&str>) -> T {
        self.b.standby.push(StandbyPeriod {
            course: CourseId::new(0),
            start: d(start),
            end: end.map(d),
            registered: None,
        });
        self
    }
    fn medical(
        mut self,
        form: MedicalForm,
        sent: &str,
        deadline: Option<&str>,
        received: Option<&str>,
    ) -> T {
        self.b.medical.push(MedicalRequest {
            course: CourseId::new(0),
            form,
            sent: d(sent),
            deadline: deadline.map(d),
            received: received.map(d),
            received_registered: None,
        });
        self
    }
    fn rehab(mut self, s: &str, basis: Lae265Basis) -> T {
        self.b.rehab.push(RehabMeeting {
            course: CourseId::new(0),
            date: d(s),
            basis,
        });
        self
    }
    fn status(&self, as_of: &str, settings: &Settings) -> CourseStatus {
        let (pop, _) = self.b.clone().build();
        evaluate(pop.facts(CourseId::new(0)), &self.book, settings, d(as_of))
    }
}

/// What we expect of one duty: status, due date (or none), days left (or none).
struct E(DutyKind, Status, Option<&'static str>, Option<i32>);

/// The one helper every rule test goes through.
fn check(name: &str, t: &T, as_of: &str, settings: &Settings, expected: &[E]) {
    let st = t.status(as_of, settings);
    for E(kind, status, due, left) in expected {
        let duty = st
            .duty(*kind)
            .unwrap_or_else(|| panic!("{name}: no {kind:?} duty in {:#?}", st.duties));
        assert_eq!(
            duty.status,
            *status,
            "{name}: status of {kind:?}: {}",
            duty.explain()
        );
        assert_eq!(
            duty.due,
            due.map(d),
            "{name}: due date of {kind:?}: {}",
            duty.explain()
        );
        if let Some(left) = left {
            assert_eq!(
                duty.days_left,
                Some(*left),
                "{name}: days left of {kind:?}: {}",
                duty.explain()
            );
        }
        let text = duty.explain();
        assert!(
            text.contains(duty.paragraph) && text.contains(duty.rule_set),
            "{name}: {text}"
        );
    }
}

fn absent(name: &str, t: &T, as_of: &str, kind: DutyKind) {
    let st = t.status(as_of, &Settings::default());
    assert!(st.duty(kind).is_none(), "{name}: unexpected {kind:?}");
}

const FIRST: DutyKind = DutyKind::FirstFollowUp;
const HALF: DutyKind = DutyKind::HalfYearFollowUps;

#[test]
fn worked_examples_e1_to_e6() {
    let s = Settings::default();
    let e1 = course("2023-01-02").category(Category::Two, "2023-01-20");
    check(
        "E1",
        &e1,
        "2023-01-10",
        &s,
        &[E(FIRST, Open, Some("2023-02-26"), Some(47))],
    );
    check(
        "E1 due soon",
        &e1,
        "2023-02-20",
        &s,
        &[E(FIRST, DueSoon, Some("2023-02-26"), Some(6))],
    );
    check(
        "E1 last day",
        &e1,
        "2023-02-26",
        &s,
        &[E(FIRST, DueSoon, Some("2023-02-26"), Some(0))],
    );
    check(
        "E1 overdue",
        &e1,
        "2023-03-01",
        &s,
        &[E(FIRST, Overdue, Some("2023-02-26"), Some(-3))],
    );
    let e2 = e1.clone().conv("2023-02-27");
    check(
        "E2",
        &e2,
        "2023-03-01",
        &s,
        &[E(FIRST, MetLate, Some("2023-02-26"), Some(-1))],
    );
    check(
        "E2 on the day",
        &e1.clone().conv("2023-02-26"),
        "2023-03-01",
        &s,
        &[E(FIRST, Met, Some("2023-02-26"), None)],
    );
    // E3/E4: the legal deadline ignores the benefit start ...
    let e3 = course("2023-01-02").employed().benefit_start("2023-02-01");
    check(
        "E3",
        &e3,
        "2023-01-10",
        &s,
        &[E(FIRST, Open, Some("2023-02-26"), None)],
    );
    let e4 = course("2023-01-02").benefit_start("2023-01-16");
    check(
        "E4",
        &e4,
        "2023-01-10",
        &s,
        &[E(FIRST, Open, Some("2023-02-26"), None)],
    );
    // E5: 4 within the half-year that ends 2023-07-01.
    let e5 = course("2023-01-02").convs(&["2023-02-20", "2023-03-20", "2023-04-24", "2023-06-30"]);
    check(
        "E5",
        &e5,
        "2023-07-15",
        &s,
        &[E(HALF, Met, Some("2023-07-01"), None)],
    );
    let st = e5.status("2023-07-15", &s);
    assert_eq!(st.duty(HALF).unwrap().met_on, Some(d("2023-06-30")));
    assert_eq!(st.duty(HALF).unwrap().counted, 4);
    // ... and one day later would have missed it.
    let e5_late =
        course("2023-01-02").convs(&["2023-02-20", "2023-03-20", "2023-04-24", "2023-07-02"]);
    check(
        "E5 late",
        &e5_late,
        "2023-07-15",
        &s,
        &[E(HALF, Missed, Some("2023-07-01"), Some(-14))],
    );
    // E6: citizen asks on Tue 2023-01-10: first conversation by Tue 2023-01-24.
    let e6 = course("2023-01-02").early(Requester::Citizen, "2023-01-10");
    check(
        "E6",
        &e6,
        "2023-01-11",
        &s,
        &[E(FIRST, Open, Some("2023-01-24"), Some(13))],
    );
    assert!(matches!(
        e6.status("2023-01-11", &s).duty(FIRST).unwrap().note,
        Note::EarlyRequest(_)
    ));
    // The request is not known before it is made.
    check(
        "E6 before request",
        &e6,
        "2023-01-09",
        &s,
        &[E(FIRST, Open, Some("2023-02-26"), None)],
    );
}

#[test]
fn e3_e4_benefit_start_clock_gives_the_wrong_deadlines() {
    // The internal (KSD) definition's first-follow-up window ends 2023-03-28 (employed) and
    // 2023-03-12 (unemployed): the error behind the Vesthimmerland case.
    let book = RuleBook::danish();
    for (t, official, internal) in [
        (
            course("2023-01-02").employed().benefit_start("2023-02-01"),
            "2023-02-26",
            "2023-03-28",
        ),
        (
            course("2023-01-02").benefit_start("2023-01-16"),
            "2023-02-26",
            "2023-03-12",
        ),
    ] {
        let (pop, _) = t.b.build();
        for (def, due) in [
            (Definition::official(), official),
            (Definition::internal_legacy(), internal),
        ] {
            let r = compute(
                &pop,
                &book,
                MeasureKind::FirstFollowUpOnTime,
                &def,
                Month::new(2023, 1),
                Month::new(2023, 12),
                d("2023-12-31"),
            );
            assert_eq!(r.members.len(), 1);
            assert_eq!(r.members[0].window.1, d(due), "{}", def.name);
        }
    }
}

#[test]
fn e7_medical_statement_deadlines() {
    let s = Settings::default();
    let k = DutyKind::MedicalStatement(0);
    let std = course("2023-01-02").medical(MedicalForm::Lae285, "2023-02-01", None, None);
    check(
        "E7 standard 14 days",
        &std,
        "2023-02-10",
        &s,
        &[E(k, DueSoon, Some("2023-02-15"), Some(5))],
    );
    check(
        "E7 overdue",
        &std,
        "2023-03-08",
        &s,
        &[E(k, Overdue, Some("2023-02-15"), Some(-21))],
    );
    let shortest = course("2023-01-02").medical(
        MedicalForm::Lae285,
        "2023-02-01",
        Some("2023-02-09"),
        Some("2023-02-09"),
    );
    check(
        "E7 shortest allowed",
        &shortest,
        "2023-02-10",
        &s,
        &[E(k, Met, Some("2023-02-09"), None)],
    );
    assert_eq!(
        shortest.status("2023-02-10", &s).duty(k).unwrap().note,
        Note::None
    );
    let too_short =
        course("2023-01-02").medical(MedicalForm::Lae285, "2023-02-01", Some("2023-02-08"), None);
    let st = too_short.status("2023-02-05", &s);
    assert_eq!(
        st.duty(k).unwrap().note,
        Note::DeadlineTooShort {
            given: 7,
            minimum: 8
        }
    );
    let late =
        course("2023-01-02").medical(MedicalForm::Lae265, "2023-02-01", None, Some("2023-03-20"));
    check(
        "doctor late",
        &late,
        "2023-04-01",
        &s,
        &[E(k, MetLate, Some("2023-02-15"), Some(-33))],
    );
    check(
        "received after as-of is not known yet",
        &late,
        "2023-03-01",
        &s,
        &[E(k, Overdue, Some("2023-02-15"), Some(-14))],
    );
}

#[test]
fn e8_predictable_course_2025() {
    let s = Settings::default();
    let check_kind = DutyKind::PredictableCheck;
    let e8 = course("2025-01-06")
        .employed()
        .category(Category::Two, "2025-02-19")
        .conv("2025-02-19")
        .predictable("2025-02-19", None);
    check(
        "E8 open",
        &e8,
        "2025-04-01",
        &s,
        &[
            E(check_kind, Open, Some("2025-05-20"), Some(49)),
            E(HALF, NotApplicable, Some("2025-07-05"), None),
        ],
    );
    // Not fit by the check date: normal duties from that day.
    check(
        "E8 not fit",
        &e8,
        "2025-05-21",
        &s,
        &[E(check_kind, Missed, Some("2025-05-20"), None)],
    );
    let st = e8.status("2025-05-21", &s);
    assert_ne!(
        st.duty(HALF).unwrap().status,
        NotApplicable,
        "normal duties apply after the check date"
    );
    // Back at work by the check date: met.
    check(
        "E8 fit",
        &e8.clone().ended("2025-05-01"),
        "2025-06-01",
        &s,
        &[E(check_kind, Met, Some("2025-05-20"), None)],
    );
    // Becomes unemployed: § 13 f lapses at once.
    let lapsed = e8.clone().predictable("2025-02-19", Some("2025-03-10"));
    let st = lapsed.status("2025-03-11", &s);
    assert_eq!(st.duty(check_kind).unwrap().status, NotApplicable);
    assert_ne!(st.duty(HALF).unwrap().status, NotApplicable);
    // § 13 f marked before 2025 has no effect.
    let early = course("2024-10-01")
        .conv("2024-11-01")
        .predictable("2024-11-01", None);
    assert_eq!(
        early
            .status("2024-12-01", &s)
            .duty(check_kind)
            .unwrap()
            .note,
        Note::PredictableNotInForce
    );
    assert_ne!(
        early.status("2024-12-01", &s).duty(HALF).unwrap().status,
        NotApplicable
    );
}

#[test]
fn month_ends_and_leap_years() {
    let s = Settings::default();
    check(
        "leap day deadline",
        &course("2024-01-05"),
        "2024-01-06",
        &s,
        &[E(FIRST, Open, Some("2024-02-29"), None)],
    );
    check(
        "non-leap",
        &course("2023-01-05"),
        "2023-01-06",
        &s,
        &[E(FIRST, Open, Some("2023-03-01"), None)],
    );
    check(
        "year end",
        &course("2023-12-31"),
        "2024-01-06",
        &s,
        &[
            E(FIRST, Open, Some("2024-02-24"), None),
            E(HALF, Open, Some("2024-06-30"), None),
        ],
    );
    check(
        "31 Aug half-year, leap",
        &course("2023-08-31"),
        "2023-09-06",
        &s,
        &[E(HALF, Open, Some("2024-02-29"), None)],
    );
    check(
        "31 Aug half-year, non-leap",
        &course("2022-08-31"),
        "2022-09-06",
        &s,
        &[E(HALF, Open, Some("2023-02-28"), None)],
    );
    check(
        "29 Feb start",
        &course("2024-02-29"),
        "2024-03-06",
        &s,
        &[E(HALF, Open, Some("2024-08-28"), None)],
    );
}

#[test]
fn both_half_year_readings() {
    let cal = Settings::default();
    let days = Settings {
        half_year: HalfYear::Days182,
        ..Settings::default()
    };
    // Fourth conversation on 2024-02-29: inside the calendar half-year, outside 182 days.
    let t = course("2023-08-31").convs(&["2023-10-01", "2023-11-15", "2024-01-05", "2024-02-29"]);
    check(
        "calendar months",
        &t,
        "2024-03-15",
        &cal,
        &[E(HALF, Met, Some("2024-02-29"), None)],
    );
    check(
        "182 days",
        &t,
        "2024-03-15",
        &days,
        &[E(HALF, Missed, Some("2024-02-28"), None)],
    );
    // And the other way round: from 2022-09-01, 182 days end on 1 March, the calendar reading on 28 Feb.
    let t = course("2022-09-01").convs(&["2022-10-01", "2022-11-15", "2023-01-05", "2023-03-01"]);
    check(
        "calendar misses",
        &t,
        "2023-03-15",
        &cal,
        &[E(HALF, Missed, Some("2023-02-28"), None)],
    );
    check(
        "182 meets",
        &t,
        "2023-03-15",
        &days,
        &[E(HALF, Met, Some("2023-03-01"), None)],
    );
}

#[test]
fn next_conversation_date_and_days_left() {
    let s = Settings {
        min_spacing_days: 14,
        ..Settings::default()
    };
    // Half-year ends 2023-07-01; 1 held, 3 to go: the next by 2023-07-01 - 2*14 = 2023-06-03.
    let t = course("2023-01-02").conv("2023-02-01");
    let st = t.status("2023-05-01", &s);
    let h = st.duty(HALF).unwrap();
    assert_eq!(
        (h.counted, h.required, h.next_by),
        (1, 4, Some(d("2023-06-03")))
    );
    assert_eq!((h.status, h.days_left), (Open, Some(33)));
    check(
        "behind schedule",
        &t,
        "2023-06-05",
        &s,
        &[E(HALF, Overdue, Some("2023-07-01"), Some(-2))],
    );
    // A cancelled conversation counts for nothing.
    let t2 = t.clone().cancelled("2023-03-01");
    assert_eq!(t2.status("2023-05-01", &s).duty(HALF).unwrap().counted, 1);
    assert_eq!(st.conversations_held, 1);
    assert_eq!(st.last_conversation, Some(d("2023-02-01")));
    assert_eq!(st.days_since_first_absence, 119);
    assert_eq!(st.next_deadline().unwrap().kind, HALF);
}

#[test]
fn early_requests_and_the_employer_window() {
    let s = Settings::default();
    // Employer within the first 5 weeks (day 31): 2 weeks from the request.
    check(
        "employer in time",
        &course("2023-01-02")
            .employed()
            .early(Requester::Employer, "2023-02-01"),
        "2023-02-02",
        &s,
        &[E(FIRST, Open, Some("2023-02-15"), None)],
    );
    // Last day of week 5 is day 35 = 2023-02-05.
    check(
        "employer day 35",
        &course("2023-01-02")
            .employed()
            .early(Requester::Employer, "2023-02-05"),
        "2023-02-06",
        &s,
        &[E(FIRST, Open, Some("2023-02-19"), None)],
    );
    // Day 36: too late, the week-8 deadline stands.
    let late = course("2023-01-02")
        .employed()
        .early(Requester::Employer, "2023-02-06");
    check(
        "employer after 5 weeks",
        &late,
        "2023-02-07",
        &s,
        &[E(FIRST, Open, Some("2023-02-26"), None)],
    );
    assert!(matches!(
        late.status("2023-02-07", &s).duty(FIRST).unwrap().note,
        Note::EmployerRequestTooLate(_)
    ));
    // A citizen's request late in week 7 cannot push the week-8 deadline out.
    check(
        "citizen week 7",
        &course("2023-01-02").early(Requester::Citizen, "2023-02-18"),
        "2023-02-19",
        &s,
        &[E(FIRST, DueSoon, Some("2023-02-26"), Some(7))],
    );
}

#[test]
fn standby_inside_windows() {
    let pause = Settings::default();
    let exclude = Settings {
        standby: StandbyHandling::Exclude,
        ..Settings::default()
    };
    let usual = Settings {
        standby: StandbyHandling::CountAsUsual,
        ..Settings::default()
    };
    // Standby 2023-02-01..2023-02-28 (28 days) inside the first-follow-up window.
    let t = course("2023-01-02").standby("2023-02-01", Some("2023-02-28"));
    check(
        "paused",
        &t,
        "2023-03-05",
        &pause,
        &[
            E(FIRST, Open, Some("2023-03-26"), Some(21)),
            E(HALF, Open, Some("2023-07-29"), None),
        ],
    );
    check(
        "excluded",
        &t,
        "2023-03-05",
        &exclude,
        &[E(FIRST, NotApplicable, None, None)],
    );
    check(
        "as usual",
        &t,
        "2023-03-05",
        &usual,
        &[E(FIRST, Overdue, Some("2023-02-26"), Some(-7))],
    );
    // While in standby with no known end: suspended.
    let open = course("2023-01-02").standby("2023-02-01", None);
    check(
        "open standby",
        &open,
        "2023-03-05",
        &pause,
        &[
            E(FIRST, SuspendedByStandby, None, None),
            E(HALF, SuspendedByStandby, None, None),
        ],
    );
    // Standby ending after the as-of date is not known to end yet.
    check(
        "end not yet known",
        &t,
        "2023-02-10",
        &pause,
        &[E(FIRST, SuspendedByStandby, None, None)],
    );
    // Standby starting after the first conversation does not move the first follow-up.
    let after = course("2023-01-02")
        .conv("2023-02-10")
        .standby("2023-03-01", Some("2023-03-31"));
    check(
        "standby after first",
        &after,
        "2023-04-05",
        &pause,
        &[
            E(FIRST, Met, Some("2023-02-26"), None),
            E(HALF, Open, Some("2023-08-01"), None),
        ],
    );
    // Standby starting inside the half-year and never ending.
    let late_open = course("2023-01-02")
        .convs(&["2023-02-10", "2023-03-10"])
        .standby("2023-04-01", None);
    check(
        "standby from month 3",
        &late_open,
        "2023-08-01",
        &pause,
        &[E(HALF, SuspendedByStandby, None, None)],
    );
}

#[test]
fn rule_set_boundaries_judge_duty_by_duty() {
    let s = Settings::default();
    // Day 1 on 2019-11-01: first follow-up due 2019-12-26 under 2015 (four-weekly cadence); the
    // half-year ends 2020-04-30, under the 2020 rules (4 in the half-year).
    let t = course("2019-11-01").convs(&["2019-12-20", "2020-01-10"]);
    let st = t.status("2020-02-01", &s);
    let first = st.duty(FIRST).unwrap();
    assert_eq!((first.status, first.rule_set), (Met, "2015"));
    let half = st.duty(HALF).unwrap();
    assert_eq!((half.rule_set, half.due), ("2020", Some(d("2020-04-30"))));
    let regular = st.duty(DutyKind::RegularFollowUp).unwrap();
    assert_eq!(regular.rule_set, "2015");
    // Day 1 in 2019-01: everything under 2015, no half-year duty.
    let old = course("2019-01-07").convs(&["2019-02-20", "2019-03-10", "2019-05-01"]);
    let st = old.status("2019-05-10", &s);
    absent("2015 has no half-year duty", &old, "2019-05-10", HALF);
    let regular = st.duty(DutyKind::RegularFollowUp).unwrap();
    assert_eq!(
        regular.note,
        Note::LateIntervals(1),
        "{}",
        regular.explain()
    );
    assert_eq!(regular.due, Some(d("2019-05-29")));
    // First follow-up form: 2020 requires in person; 2023 lets employed citizens choose.
    let phone_2020 = course("2021-01-04").conv_form("2021-02-01", ConversationForm::Phone);
    assert!(matches!(
        phone_2020
            .status("2021-03-01", &s)
            .duty(FIRST)
            .unwrap()
            .note,
        Note::FormNotAllowed(..)
    ));
    let phone_2023_employed = course("2023-06-05")
        .employed()
        .conv_form("2023-07-01", ConversationForm::Phone);
    assert_eq!(
        phone_2023_employed
            .status("2023-08-01", &s)
            .duty(FIRST)
            .unwrap()
            .note,
        Note::None
    );
    let phone_2023_unemployed =
        course("2023-06-05").conv_form("2023-07-01", ConversationForm::Video);
    assert!(matches!(
        phone_2023_unemployed
            .status("2023-08-01", &s)
            .duty(FIRST)
            .unwrap()
            .note,
        Note::FormNotAllowed(..)
    ));
}

#[test]
fn category_one_passing_eight_weeks() {
    // Default reading: the § 13 a duty arises on day 57 and is due 14 days after week 8 (day 70).
    let s = Settings::default();
    let as_cat2 = Settings {
        category1: Category1Reading::AsCategory2,
        ..Settings::default()
    };
    let k = DutyKind::Category1Revisit;
    let t = course("2023-01-02").category(Category::One, "2023-01-15");
    check(
        "before week 8",
        &t,
        "2023-02-01",
        &s,
        &[E(k, Open, Some("2023-03-12"), Some(39))],
    );
    check(
        "passed 8 weeks",
        &t,
        "2023-03-10",
        &s,
        &[E(k, DueSoon, Some("2023-03-12"), Some(2))],
    );
    check(
        "passed 8 weeks and 14 days",
        &t,
        "2023-03-20",
        &s,
        &[E(k, Overdue, Some("2023-03-12"), Some(-8))],
    );
    check(
        "as category 2 from day 1",
        &t,
        "2023-03-10",
        &as_cat2,
        &[E(k, Overdue, Some("2023-02-26"), Some(-12))],
    );
    check(
        "back within 8 weeks",
        &t.clone().ended("2023-02-20"),
        "2023-03-10",
        &s,
        &[E(k, NotApplicable, None, None)],
    );
    check(
        "revisited with a conversation once the duty exists",
        &t.clone().conv("2023-02-27"),
        "2023-03-20",
        &s,
        &[E(k, Met, Some("2023-03-12"), None)],
    );
    check(
        "a conversation in week 8 meets it only as category 2",
        &t.clone().conv("2023-02-24"),
        "2023-03-10",
        &as_cat2,
        &[E(k, Met, Some("2023-02-26"), None)],
    );
    absent("no § 13 b duties in category 1", &t, "2023-03-10", FIRST);
    // Re-visited to category 2 on 2023-03-01: from then on the § 13 b duties, counted from day 1.
    let re = t.clone().category(Category::Two, "2023-03-01");
    check(
        "re-visited",
        &re,
        "2023-03-10",
        &s,
        &[E(FIRST, Overdue, Some("2023-02-26"), Some(-12))],
    );
    // In 2025 category 3 no longer exists: treated as category 2.
    check(
        "category 3 in 2025",
        &course("2025-03-03").category(Category::Three, "2025-03-10"),
        "2025-03-20",
        &s,
        &[E(FIRST, Open, Some("2025-04-27"), None)],
    );
}

/// Regression: a category-1 course met its § 13 a re-visitation with a conversation held on day 10,
/// although the duty arises only when the absence passes 8 weeks.
#[test]
fn category1_revisit_is_not_met_by_a_conversation_before_the_duty_arises() {
    let t = course("2023-01-02")
        .category(Category::One, "2023-01-05")
        .conv("2023-01-11");
    let st = t.status("2023-03-20", &Settings::default());
    let duty = st.duty(DutyKind::Category1Revisit).unwrap();
    assert_eq!(duty.status, Overdue, "{}", duty.explain());
    assert_eq!(duty.note, Note::Category1ArisesOn(d("2023-02-27")));
    assert!(duty.explain().contains("pligten opstår først 27-02-2023"));
    // Held on day 57, the first day the duty exists: met.
    let st = course("2023-01-02")
        .category(Category::One, "2023-01-05")
        .conv("2023-01-11")
        .conv("2023-02-27")
        .status("2023-03-20", &Settings::default());
    assert_eq!(
        st.duty(DutyKind::Category1Revisit).unwrap().met_on,
        Some(d("2023-02-27"))
    );
}

#[test]
fn course_ending_before_deadlines() {
    let s = Settings::default();
    let t = course("2023-01-02").ended("2023-02-10");
    check(
        "ended before week 8",
        &t,
        "2023-03-10",
        &s,
        &[
            E(FIRST, NotApplicable, Some("2023-02-26"), None),
            E(HALF, NotApplicable, Some("2023-07-01"), None),
        ],
    );
    let t = course("2023-01-02").ended("2023-03-10");
    check(
        "ended after week 8 without a conversation",
        &t,
        "2023-04-01",
        &s,
        &[E(FIRST, Missed, Some("2023-02-26"), Some(-12))],
    );
    // An end after the as-of date is not known yet.
    check(
        "end not known yet",
        &t,
        "2023-03-01",
        &s,
        &[E(FIRST, Overdue, Some("2023-02-26"), Some(-3))],
    );
}

#[test]
fn job_clarification_transitions() {
    let s = Settings::default();
    let jc = DutyKind::JobClarificationFollowUps;
    let team = DutyKind::RehabTeam;
    let t = course("2022-10-03").job_clarification("2023-06-01");
    check(
        "JC opened",
        &t,
        "2023-06-10",
        &s,
        &[
            E(jc, Open, Some("2023-11-30"), None),
            E(team, Open, Some("2023-06-29"), Some(19)),
        ],
    );
    absent("no sickness duties in JC", &t, "2023-06-10", FIRST);
    let met = t
        .clone()
        .convs(&["2023-06-15", "2023-08-01", "2023-09-15", "2023-11-30"])
        .rehab("2023-07-05", Lae265Basis::Present);
    check(
        "JC met, team late",
        &met,
        "2023-12-10",
        &s,
        &[
            E(jc, Met, Some("2023-11-30"), None),
            E(team, MetLate, Some("2023-06-29"), Some(-6)),
        ],
    );
    // From 2025 the team is used only where needed.
    let t25 = course("2024-06-03").job_clarification("2025-02-03");
    check(
        "JC 2025",
        &t25,
        "2025-02-10",
        &s,
        &[
            E(team, NotApplicable, None, None),
            E(jc, Open, Some("2025-08-02"), None),
        ],
    );
    // The 2027 rules abolish job clarification; a course running on 31 December 2026 keeps the old
    // rules to its end (the default), judged under 2027 and so provisional.
    let book = RuleBook::danish();
    let (pop, _) = course("2026-01-05")
        .job_clarification("2026-08-03")
        .b
        .build();
    let st = evaluate(pop.facts(CourseId::new(0)), &book, &s, d("2026-09-01"));
    let duty = st.duty(jc).unwrap();
    assert_eq!(
        (duty.status, duty.rule_set, duty.note, duty.provisional),
        (
            Open,
            "2027",
            Note::JobClarificationOldRules(d("2027-01-01")),
            true
        ),
        "{}",
        duty.explain()
    );
    let end_at_start = RuleBook::danish_with(&RuleParams {
        running_job_clarification: RunningJobClarification::EndAtStart,
        ..RuleParams::default()
    });
    let st = evaluate(
        pop.facts(CourseId::new(0)),
        &end_at_start,
        &s,
        d("2026-09-01"),
    );
    let duty = st.duty(jc).unwrap();
    assert_eq!(
        (duty.status, duty.rule_set, duty.note),
        (NotApplicable, "2027", Note::NotInRules)
    );
    let st = evaluate(
        pop.facts(CourseId::new(0)),
        &RuleBook::danish_until_2025(),
        &s,
        d("2026-09-01"),
    );
    assert_eq!(st.duty(jc).unwrap().rule_set, "2025");
    assert!(matches!(
        book.in_force_on(d("2027-01-01")).cadence,
        Cadence::InFirstHalfYear { count: 4 }
    ));
}

#[test]
fn lae265_before_the_rehabilitation_team() {
    let s = Settings::default();
    let k = DutyKind::Lae265BeforeRehab(0);
    let cases = [
        ("2023-05-01", Lae265Basis::Present, Met),
        ("2023-05-01", Lae265Basis::Missing, Missed),
        ("2023-05-01", Lae265Basis::Lae285Exception, Met),
        ("2023-05-01", Lae265Basis::SufficientlyInformed, Missed),
        ("2025-05-01", Lae265Basis::Lae285Exception, Missed),
        ("2025-05-01", Lae265Basis::SufficientlyInformed, Met),
        ("2025-05-01", Lae265Basis::Missing, Missed),
    ];
    for (date, basis, status) in cases {
        let t = course("2022-06-01")
            .job_clarification("2023-01-02")
            .rehab(date, basis);
        check(
            &format!("{basis:?} on {date}"),
            &t,
            "2025-06-01",
            &s,
            &[E(k, status, Some(date), None)],
        );
    }
    // A planned meeting without LÆ 265: due before the meeting.
    let t = course("2022-06-01")
        .job_clarification("2023-01-02")
        .rehab("2023-03-01", Lae265Basis::Missing);
    check(
        "planned",
        &t,
        "2023-02-25",
        &s,
        &[E(k, DueSoon, Some("2023-03-01"), Some(4))],
    );
}

/// Which deadlines drive "Næste frist" is the municipality's setting; legal and local stay apart.
#[test]
fn next_deadline_by_the_municipalitys_choice() {
    use kadence_core::duties::NextDeadline;
    use kadence_core::settings::DeadlineDrivers;
    // Three conversations in the first 5 months; as of 25 May the legal half-year (ends 1 Jul) asks
    // for the fourth by 1 Jul, the local target (ends 1 Jun) by 1 Jun; a LÆ 285 is 10 days late.
    let t = course("2023-01-02")
        .convs(&["2023-02-01", "2023-03-01", "2023-04-01"])
        .medical(MedicalForm::Lae285, "2023-05-01", Some("2023-05-15"), None);
    let st = t.status("2023-05-25", &Settings::default());
    let legal = st.next_deadline_by(DeadlineDrivers::Legal).unwrap();
    assert!(matches!(legal, NextDeadline::Legal(d) if d.kind == HALF));
    assert_eq!(legal.days_left(), 37);
    let local = st.next_deadline_by(DeadlineDrivers::LegalAndLocal).unwrap();
    assert!(matches!(local, NextDeadline::Local(_)), "{local:?}");
    assert_eq!(
        (local.days_left(), local.date()),
        (7, Some(d("2023-06-01")))
    );
    assert!(local.label().starts_with("Lokalt mål (ikke lovkrav): "));
    let medical = st
        .next_deadline_by(DeadlineDrivers::LegalLocalAndMedical)
        .unwrap();
    assert!(matches!(medical, NextDeadline::Medical(_)), "{medical:?}");
    assert_eq!(medical.days_left(), -10);
    assert!(medical.label().starts_with("Lægens frist: "));
    // The law's own next deadline never changes with the setting.
    assert_eq!(st.next_deadline().map(|d| d.kind), Some(HALF));
}

#[test]
fn local_target_is_separate_from_legal_status() {
    let s = Settings::default();
    // Three conversations in the first 5 months, the fourth in month 6: legal duty met, local missed.
    let t = course("2023-01-02").convs(&["2023-02-01", "2023-03-01", "2023-04-01", "2023-06-15"]);
    let st = t.status("2023-07-10", &s);
    assert_eq!(st.duty(HALF).unwrap().status, Met);
    assert_eq!(st.local.len(), 1);
    assert_eq!(st.local[0].status, Missed);
    assert_eq!(st.local[0].window.1, d("2023-06-01"));
    assert!(st.duties.iter().all(|d| !d.explain().contains("5 måneder")));
}
