//! The law of 2026-2027: rule sets 2026-07 (lov 1750/2025) and 2027 (provisional), the 2026 § 13 f,
//! and the defects mended with them. Worked examples E9-E12 are `shared/domain/README.md` §9's.

use super::*;
use kadence_core::exemption::ExemptionEnd;
use kadence_core::rules::{AfterExemption, Categories2027, Confirmation, Marking2025};

const EX26: DutyKind = DutyKind::Exemption26;

impl T {
    fn fit26(mut self, recorded: &str) -> T {
        self.c().reform_mut().fit_within_26_weeks = Some(d(recorded));
        self
    }
    fn asked(mut self, by: Requester, s: &str) -> T {
        self.c().reform_mut().follow_up_asked = Some(FollowUpAsked { by, date: d(s) });
        self
    }
    fn decided(mut self, s: &str) -> T {
        self.c().reform_mut().municipality_decided = Some(d(s));
        self
    }
    fn unemployed_on(mut self, s: &str) -> T {
        self.c().reform_mut().unemployed_on = Some(d(s));
        self
    }
    fn self_employed(mut self) -> T {
        self.c().target_group = TargetGroup::SelfEmployed;
        self
    }
    fn with(mut self, p: RuleParams) -> T {
        self.book = RuleBook::danish_with(&p);
        self
    }
}

fn e10() -> T {
    course("2026-07-06").employed().fit26("2026-07-08")
}

#[test]
fn e9_half_year_from_the_first_of_a_month() {
    let t = course("2024-03-01").category(Category::Two, "2024-03-20");
    check(
        "E9",
        &t,
        "2024-04-01",
        &Settings::default(),
        &[E(HALF, Open, Some("2024-08-31"), None)],
    );
    // The same for the 5-month local target and the job-clarification window.
    let st = t.status("2024-04-01", &Settings::default());
    assert_eq!(st.local[0].window.1, d("2024-07-31"));
    check(
        "job clarification from the 1st",
        &course("2023-06-05").job_clarification("2024-05-01"),
        "2024-05-10",
        &Settings::default(),
        &[E(
            DutyKind::JobClarificationFollowUps,
            Open,
            Some("2024-10-31"),
            None,
        )],
    );
}

#[test]
fn e10_employed_expected_fit_within_26_weeks_owes_nothing() {
    let s = Settings::default();
    let t = e10();
    check(
        "E10 exempt",
        &t,
        "2026-07-20",
        &s,
        &[
            E(FIRST, Exempt, Some("2026-08-30"), None),
            E(HALF, Exempt, Some("2027-01-05"), None),
            E(EX26, Exempt, Some("2027-01-03"), Some(167)),
        ],
    );
    let st = t.status("2026-07-20", &s);
    assert!(
        st.next_deadline().is_none(),
        "no deadline while exempt: {:?}",
        st.next_deadline()
    );
    let ex = st.duty(EX26).unwrap();
    assert_eq!(ex.rule_set, "2026-07");
    assert!(
        ex.explain().contains("kommunen følger ikke op"),
        "{}",
        ex.explain()
    );
    // The last exempt day is day 182, Sunday 3 January 2027.
    check(
        "E10 day 182",
        &t,
        "2027-01-03",
        &s,
        &[E(EX26, Exempt, Some("2027-01-03"), Some(0))],
    );
    // Not fit by the end of week 26: stk. 3, default reading: as agreed, no week-8, no half-year.
    let st = t.status("2027-01-04", &s);
    let first = st.duty(FIRST).unwrap();
    assert_eq!(first.status, NotApplicable, "{}", first.explain());
    assert!(
        first.explain().contains("3.-8. pkt."),
        "{}",
        first.explain()
    );
    assert!(first.explain().contains("kommunen følger herefter op"));
    assert_eq!(st.duty(HALF).unwrap().status, NotApplicable);
    let ex = st.duty(EX26).unwrap();
    assert_eq!(
        ex.exemption.as_deref().unwrap().ended,
        Some((d("2027-01-04"), ExemptionEnd::Week26))
    );
    // Fit (the course ended) by day 182: nothing more.
    let fit = e10().ended("2026-10-01");
    let st = fit.status("2026-11-01", &s);
    assert_eq!(
        st.duty(EX26).unwrap().note,
        Note::CourseEnded(d("2026-10-01"))
    );
    assert!(st.duties.iter().all(|x| !x.status.is_actionable()));
}

#[test]
fn e11_exemption_lost_to_unemployment_under_both_readings() {
    let t = e10().unemployed_on("2026-09-01");
    let s = Settings::default();
    check(
        "E11 before the unemployment is known",
        &t,
        "2026-08-31",
        &s,
        &[E(FIRST, Exempt, Some("2026-08-30"), None)],
    );
    check(
        "E11 default reading",
        &t,
        "2026-09-10",
        &s,
        &[
            E(FIRST, NotApplicable, Some("2026-08-30"), None),
            E(HALF, NotApplicable, Some("2027-01-05"), None),
            E(EX26, NotApplicable, Some("2027-01-03"), None),
        ],
    );
    let st = t.status("2026-09-10", &s);
    assert_eq!(
        st.duty(EX26).unwrap().exemption.as_deref().unwrap().ended,
        Some((d("2026-09-01"), ExemptionEnd::Unemployed))
    );
    let alt = t.clone().with(RuleParams {
        after_exemption: AfterExemption::NormalDuties,
        ..RuleParams::default()
    });
    check(
        "E11 alternative reading",
        &alt,
        "2026-09-10",
        &s,
        &[
            E(FIRST, DueSoon, Some("2026-09-15"), Some(5)),
            E(HALF, Open, Some("2027-01-05"), None),
        ],
    );
    let half = alt.status("2026-09-10", &s);
    assert_eq!(half.duty(HALF).unwrap().required, 4);
    // The days after the end are a setting.
    check(
        "E11 alternative, 7 days",
        &t.clone().with(RuleParams {
            after_exemption: AfterExemption::NormalDuties,
            late_first_days: 7,
            ..RuleParams::default()
        }),
        "2026-09-10",
        &s,
        &[E(FIRST, Overdue, Some("2026-09-08"), Some(-2))],
    );
}

#[test]
fn e12_first_follow_up_due_under_the_provisional_2027_rules() {
    let s = Settings::default();
    let t = course("2026-12-07");
    check(
        "E12",
        &t,
        "2026-12-20",
        &s,
        &[
            E(FIRST, Open, Some("2027-01-31"), Some(42)),
            E(HALF, Open, Some("2027-06-06"), None),
        ],
    );
    let st = t.status("2026-12-20", &s);
    let first = st.duty(FIRST).unwrap();
    assert_eq!((first.rule_set, first.provisional), ("2027", true));
    assert!(
        first.explain().contains("regelsæt 2027, foreløbig"),
        "{}",
        first.explain()
    );
    assert_eq!(st.duty(HALF).unwrap().required, 4);
    // The municipality sets the 2027 minimum lower.
    let lower = t.clone().with(RuleParams {
        minimum_2027: 1,
        ..RuleParams::default()
    });
    let st = lower.status("2026-12-20", &s);
    assert_eq!(st.duty(HALF).unwrap().required, 1);
    // Confirmed with the law's number and date: the label goes.
    let confirmed = t.clone().with(RuleParams {
        confirmed_2027: Some(Confirmation {
            law: "lov nr. 999 af 20. december 2026".into(),
            date: d("2026-12-20"),
        }),
        ..RuleParams::default()
    });
    let st = confirmed.status("2026-12-20", &s);
    assert!(st.duties.iter().all(|x| !x.provisional));
    assert!(!st.duty(FIRST).unwrap().explain().contains("foreløbig"));
}

#[test]
fn rule_set_boundaries_2026_and_2027() {
    let s = Settings::default();
    // (first day of absence, week-8 deadline, rule set judging it, provisional)
    let cases = [
        ("2026-05-06", "2026-06-30", "2025", false),
        ("2026-05-07", "2026-07-01", "2026-07", false),
        ("2026-11-06", "2026-12-31", "2026-07", false),
        ("2026-11-07", "2027-01-01", "2027", true),
    ];
    for (day1, due, set, provisional) in cases {
        let st = course(day1).status(day1, &s);
        let first = st.duty(FIRST).unwrap();
        assert_eq!(
            (first.due, first.rule_set, first.provisional),
            (Some(d(due)), set, provisional),
            "{day1}: {}",
            first.explain()
        );
    }
    // The half-year under 2026-07 rests on the unconfirmed minimum: provisional until confirmed.
    let st = course("2026-03-02").status("2026-05-01", &s);
    let half = st.duty(HALF).unwrap();
    assert_eq!((half.rule_set, half.provisional), ("2026-07", true));
    let confirmed = course("2026-03-02").with(RuleParams {
        minimum_2026_07: 1,
        confirmed_2026_07: Some(Confirmation {
            law: "lov nr. 1750 af 29. december 2025".into(),
            date: d("2025-12-29"),
        }),
        ..RuleParams::default()
    });
    let st = confirmed.status("2026-05-01", &s);
    let half = st.duty(HALF).unwrap();
    assert_eq!((half.required, half.provisional), (1, false));
    // The start date of 2026-07 is a setting.
    let later = course("2026-05-07").with(RuleParams {
        start_2026_07: d("2026-08-01"),
        ..RuleParams::default()
    });
    assert_eq!(
        later.status("2026-05-07", &s).duty(FIRST).unwrap().rule_set,
        "2025"
    );
}

#[test]
fn a_course_spanning_the_start_is_covered_from_the_start() {
    let s = Settings::default();
    // Recorded before the start: exempt from 2026-07-01 to day 182 (2026-10-29); the week-8
    // deadline of 2026-06-25 fell due under 2025 and is judged as usual.
    let t = course("2026-05-01").employed().fit26("2026-05-10");
    check(
        "spanning",
        &t,
        "2026-08-01",
        &s,
        &[
            E(FIRST, Overdue, Some("2026-06-25"), Some(-37)),
            E(HALF, Exempt, Some("2026-10-31"), None),
            E(EX26, Exempt, Some("2026-10-29"), None),
        ],
    );
    let st = t.status("2026-08-01", &s);
    assert_eq!(st.duty(FIRST).unwrap().rule_set, "2025");
    assert_eq!(
        st.duty(EX26).unwrap().window,
        Some((d("2026-07-01"), d("2026-10-29")))
    );
    // Before the start the 2026 rules are not in force: nothing is exempt.
    let st = t.status("2026-06-20", &s);
    assert!(st.duty(EX26).is_none());
    assert_eq!(st.duty(HALF).unwrap().status, Open);
}

#[test]
fn the_exemption_ends_on_a_request_a_decision_or_an_early_request() {
    let s = Settings::default();
    // (case, course, as of, first follow-up status, due)
    let cases: Vec<(&str, T, &str, Status, &str)> = vec![
        (
            "citizen asks before week 8: the week-8 deadline stands",
            e10().asked(Requester::Citizen, "2026-08-20"),
            "2026-08-21",
            Open,
            "2026-08-30",
        ),
        (
            "employer asks after week 8: 14 days after",
            e10().asked(Requester::Employer, "2026-09-10"),
            "2026-09-11",
            Open,
            "2026-09-24",
        ),
        (
            "the municipality decides",
            e10().decided("2026-10-01"),
            "2026-10-02",
            Open,
            "2026-10-15",
        ),
        (
            "a citizen's early request (§ 7 e) keeps its 2-week deadline",
            e10().early(Requester::Citizen, "2026-07-20"),
            "2026-07-21",
            Open,
            "2026-08-03",
        ),
    ];
    for (name, t, as_of, status, due) in cases {
        check(name, &t, as_of, &s, &[E(FIRST, status, Some(due), None)]);
        let st = t.status(as_of, &s);
        let half = st.duty(HALF).unwrap();
        assert_eq!(half.required, 4, "{name}");
        assert!(half.status.is_actionable(), "{name}: {}", half.explain());
        assert!(
            st.duty(FIRST)
                .unwrap()
                .explain()
                .contains("som om borgeren aldrig var fritaget"),
            "{name}"
        );
    }
    // An employer's request after week 5 is not a valid § 7 c request: the exemption holds.
    check(
        "late § 7 c request",
        &e10().early(Requester::Employer, "2026-08-20"),
        "2026-08-21",
        &s,
        &[E(FIRST, Exempt, Some("2026-08-30"), None)],
    );
}

#[test]
fn a_request_dated_before_the_expectation_means_never_exempt() {
    let s = Settings::default();
    let t = course("2026-07-06")
        .employed()
        .asked(Requester::Citizen, "2026-07-07")
        .fit26("2026-07-08");
    check(
        "never exempt",
        &t,
        "2026-07-20",
        &s,
        &[
            E(FIRST, Open, Some("2026-08-30"), None),
            E(HALF, Open, Some("2027-01-05"), None),
        ],
    );
    let st = t.status("2026-07-20", &s);
    let text = st.duty(EX26).unwrap().explain();
    assert!(
        text.contains("aldrig fritaget efter § 13 f, da borgeren bad om opfølgning 07-07-2026"),
        "the request's own date: {text}"
    );
    // Unemployed or self-employed citizens are never covered.
    for t in [
        course("2026-07-06").fit26("2026-07-08"),
        course("2026-07-06").self_employed().fit26("2026-07-08"),
    ] {
        let st = t.status("2026-07-20", &s);
        assert!(st.duty(EX26).is_none());
        assert_eq!(st.duty(FIRST).unwrap().status, Open);
    }
}

#[test]
fn a_2025_marking_around_the_change() {
    let s = Settings::default();
    // Marked under 2025 before the start, first conversation 2026-05-25: check by 2026-08-23.
    let t = course("2026-05-04")
        .employed()
        .predictable("2026-05-20", None)
        .conv("2026-05-25")
        .fit26("2026-05-20");
    let st = t.status("2026-07-15", &s);
    assert_eq!(
        st.duty(DutyKind::PredictableCheck).unwrap().due,
        Some(d("2026-08-23"))
    );
    assert_eq!(
        st.duty(HALF).unwrap().note,
        Note::Predictable(d("2026-08-23"))
    );
    assert!(st.duty(EX26).is_none(), "the 2025 rule is kept to its end");
    // The alternative: the 2025 marking ends on the start day, the 2026 rule takes over.
    let alt = t.clone().with(RuleParams {
        marking_2025: Marking2025::EndsAtStart,
        ..RuleParams::default()
    });
    let st = alt.status("2026-07-15", &s);
    assert_eq!(
        st.duty(DutyKind::PredictableCheck).unwrap().note,
        Note::PredictableLapsed(d("2026-07-01"))
    );
    assert_eq!(st.duty(HALF).unwrap().status, Exempt);
    assert_eq!(st.duty(EX26).unwrap().window.unwrap().0, d("2026-07-01"));
    // A 2025 marking made after the start has no effect.
    let st = course("2026-07-06")
        .employed()
        .predictable("2026-07-20", None)
        .conv("2026-07-15")
        .status("2026-08-01", &s);
    assert_eq!(
        st.duty(DutyKind::PredictableCheck).unwrap().note,
        Note::PredictableReplaced(d("2026-07-01"))
    );
    assert_eq!(st.duty(HALF).unwrap().status, Open);
}

/// Regression: the 2025 § 13 f exempted an unemployed citizen marked § 13 f; the law covers
/// employed citizens only.
#[test]
fn predictable_2025_does_not_exempt_an_unemployed_citizen() {
    let t = course("2025-01-06")
        .predictable("2025-02-20", None)
        .conv("2025-02-19");
    let st = t.status("2025-03-10", &Settings::default());
    let check = st.duty(DutyKind::PredictableCheck).unwrap();
    assert_eq!(
        check.note,
        Note::PredictableEmployedOnly,
        "{}",
        check.explain()
    );
    assert_eq!(st.duty(HALF).unwrap().status, Open);
    // Employed: exempt as before (E8), and unemployment ends it.
    let t = course("2025-01-06")
        .employed()
        .predictable("2025-02-20", None)
        .conv("2025-02-19");
    let st = t.status("2025-03-10", &Settings::default());
    assert_eq!(st.duty(HALF).unwrap().status, NotApplicable);
    let st = t
        .unemployed_on("2025-03-01")
        .status("2025-03-10", &Settings::default());
    assert_eq!(st.duty(HALF).unwrap().status, Open);
}

#[test]
fn job_clarification_around_2027() {
    let s = Settings::default();
    let jc = DutyKind::JobClarificationFollowUps;
    let running = course("2026-01-05").job_clarification("2026-12-31");
    let st = running.status("2027-01-10", &s);
    let duty = st.duty(jc).unwrap();
    assert_eq!(
        (duty.status, duty.due, duty.note, duty.provisional),
        (
            Open,
            Some(d("2027-06-30")),
            Note::JobClarificationOldRules(d("2027-01-01")),
            true
        ),
        "{}",
        duty.explain()
    );
    assert!(st.warnings.is_empty());
    let new = course("2026-01-06").job_clarification("2027-01-01");
    let st = new.status("2027-01-10", &s);
    let duty = st.duty(jc).unwrap();
    assert_eq!(
        (duty.note, duty.provisional, duty.required),
        (Note::JobClarificationAbolished(d("2027-01-01")), true, 4)
    );
    assert_eq!(st.warnings.len(), 1, "{:?}", st.warnings);
    assert!(st.warnings[0].contains("oprettes der ikke nye jobafklaringsforløb"));
}

#[test]
fn the_rehabilitation_team_ends_on_a_date_that_is_a_setting() {
    let s = Settings::default();
    let k = DutyKind::Lae265BeforeRehab(0);
    let before = course("2025-06-02")
        .job_clarification("2026-06-01")
        .rehab("2026-12-30", Lae265Basis::Missing);
    check(
        "before",
        &before,
        "2027-01-10",
        &s,
        &[E(k, Missed, Some("2026-12-30"), None)],
    );
    let after = course("2025-06-02")
        .job_clarification("2026-06-01")
        .rehab("2027-01-05", Lae265Basis::Missing);
    check(
        "after",
        &after,
        "2027-01-10",
        &s,
        &[E(k, NotApplicable, Some("2027-01-05"), None)],
    );
    let st = after.status("2027-01-10", &s);
    assert_eq!(
        st.duty(k).unwrap().note,
        Note::RehabTeamAbolished(d("2027-01-01"))
    );
    let moved = after.clone().with(RuleParams {
        rehab_team_end: d("2027-07-01"),
        ..RuleParams::default()
    });
    check(
        "moved",
        &moved,
        "2027-01-10",
        &s,
        &[E(k, Missed, Some("2027-01-05"), None)],
    );
}

/// Regression: the rehabilitation-team deadline was judged by the rules on the transition day, not
/// on the day it falls due (docs/rules.md: no transitional rule in lov 1657/2024).
#[test]
fn rehab_team_deadline_is_judged_by_the_rules_on_its_due_date() {
    let s = Settings::default();
    let team = DutyKind::RehabTeam;
    check(
        "due in 2024",
        &course("2023-06-05").job_clarification("2024-12-01"),
        "2024-12-10",
        &s,
        &[E(team, Open, Some("2024-12-29"), Some(19))],
    );
    let st = course("2023-06-05")
        .job_clarification("2024-12-20")
        .status("2024-12-21", &s);
    let duty = st.duty(team).unwrap();
    assert_eq!(
        (duty.status, duty.rule_set, duty.note),
        (NotApplicable, "2025", Note::NotInRules)
    );
}

/// Regression: a meeting recorded "with LÆ 265" while the course's only LÆ 265 request was
/// unanswered showed "Opfyldt" beside "269 dage over frist".
#[test]
fn lae265_recorded_present_but_never_received_is_a_conflict() {
    let s = Settings::default();
    let k = DutyKind::Lae265BeforeRehab(0);
    let base = || {
        course("2024-06-03")
            .job_clarification("2025-02-03")
            .rehab("2025-05-01", Lae265Basis::Present)
    };
    let cases = [
        ("never received", Some(None), Conflict),
        ("received before the meeting", Some(Some("2025-04-20")), Met),
        (
            "received after the meeting",
            Some(Some("2025-05-10")),
            Conflict,
        ),
        ("no request recorded", None, Met),
    ];
    for (name, request, status) in cases {
        let mut t = base();
        if let Some(received) = request {
            t = t.medical(MedicalForm::Lae265, "2025-04-01", None, received);
        }
        let st = t.status("2025-06-01", &s);
        let duty = st.duty(k).unwrap();
        assert_eq!(duty.status, status, "{name}: {}", duty.explain());
        // The import summary names it too (the builder's diagnostics).
        let (_, diags) = t.b.clone().build();
        assert_eq!(
            diags
                .iter()
                .any(|x| x.message.contains("var ikke modtaget inden mødet")),
            status == Conflict,
            "{name}: {diags:?}"
        );
        assert_eq!(st.warnings.len(), usize::from(status == Conflict), "{name}");
        if status == Conflict {
            assert_ne!(duty.status.label(), "Opfyldt");
            assert!(st.warnings[0].contains("ikke modtaget inden mødet"));
        }
    }
}

/// Regression: a standby period ending on the as-of day was treated as still open.
#[test]
fn a_standby_period_ending_on_the_as_of_day_is_known_to_have_ended() {
    let s = Settings::default();
    let t = course("2023-01-02").standby("2023-01-20", Some("2023-03-01"));
    // 41 standby days move the week-8 deadline from 2023-02-26 to 2023-04-08.
    check(
        "ends on the as-of day",
        &t,
        "2023-03-01",
        &s,
        &[E(FIRST, Open, Some("2023-04-08"), Some(38))],
    );
    check(
        "ends the day after",
        &t,
        "2023-02-28",
        &s,
        &[E(FIRST, SuspendedByStandby, None, None)],
    );
}

/// Regression: `days_left` was negative for duties met on time; docs/cli.md says negative means
/// late.
#[test]
fn days_left_is_zero_for_a_duty_met_on_time() {
    let st = course("2023-01-02")
        .conv("2023-02-10")
        .status("2023-03-01", &Settings::default());
    let first = st.duty(FIRST).unwrap();
    assert_eq!((first.status, first.days_left), (Met, Some(0)));
    for d in &st.duties {
        if d.status == Met {
            assert!(d.days_left.is_none_or(|x| x >= 0), "{d:?}");
        }
    }
}

#[test]
fn category_3_carried_into_2025_says_so() {
    let t = course("2024-09-02").category(Category::Three, "2024-09-20");
    let st = t.status("2024-12-01", &Settings::default());
    let first = st.duty(FIRST).unwrap();
    assert_eq!(first.rule_set, "2023");
    assert!(!first.carried_from_category3);
    let half = st.duty(HALF).unwrap();
    assert_eq!(half.rule_set, "2025");
    assert!(half.carried_from_category3);
    assert!(
        half.explain()
            .contains("kategori 3 blev ophævet 1. januar 2025"),
        "{}",
        half.explain()
    );
}

#[test]
fn categories_under_2027_are_a_setting() {
    let s = Settings::default();
    let t = course("2027-01-04").category(Category::One, "2027-01-06");
    let st = t.status("2027-01-10", &s);
    assert!(st.duty(DutyKind::Category1Revisit).is_some());
    assert!(st.duty(FIRST).is_none());
    let st = t
        .clone()
        .with(RuleParams {
            categories_2027: Categories2027::NoFilter,
            ..RuleParams::default()
        })
        .status("2027-01-10", &s);
    assert!(st.duty(DutyKind::Category1Revisit).is_none());
    assert_eq!(st.duty(FIRST).unwrap().due, Some(d("2027-02-28")));
}

/// From the 2026 rules the law says "kommunen", not "jobcentret" (lov 1750/2025).
#[test]
fn explanations_under_the_new_rules_say_kommunen() {
    let s = Settings::default();
    for (t, as_of) in [
        (e10(), "2026-07-20"),
        (e10().unemployed_on("2026-09-01"), "2026-09-10"),
        (course("2026-12-07"), "2026-12-20"),
    ] {
        for duty in &t.status(as_of, &s).duties {
            let text = duty.explain();
            assert!(!text.to_lowercase().contains("jobcent"), "{text}");
            assert_eq!(duty.authority.word(), "kommunen", "{text}");
        }
    }
    let old = course("2025-03-03").status("2025-03-10", &s);
    assert_eq!(old.duty(FIRST).unwrap().authority.word(), "jobcentret");
}
