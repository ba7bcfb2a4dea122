//! Registration lag (issue 16): a conversation held before a day and registered after it, under
//! both readings of "as of", for the duty on the worklist and for STAR's early-effort figure.
//! Punkt 60 of the Vesthimmerland minutes: "samtaler som udgangspunkt skulle registreres på dagen
//! for afholdelsen".

use super::*;
use kadence_core::duties::evaluate_as;
use kadence_core::reconcile::{reconcile, Reason};
use kadence_core::settings::AsOfReading::{self, Happened, Known};

impl T {
    /// A held conversation registered on `registered`.
    fn conv_registered(mut self, held: &str, registered: &str) -> T {
        self.b.conversations.push((
            CourseId::new(0),
            Conversation {
                date: d(held),
                form: ConversationForm::InPerson,
                held: true,
                planned: false,
                caseworker: None,
                registered: Some(d(registered)),
            },
        ));
        self
    }
    fn status_as(&self, as_of: &str, reading: AsOfReading) -> CourseStatus {
        let (pop, _) = self.b.clone().build();
        evaluate_as(
            pop.facts(CourseId::new(0)),
            &self.book,
            &Settings::default(),
            d(as_of),
            reading,
        )
    }
}

/// The first follow-up (E1's course: due 26-02-2023) with its conversation held on 20-02-2023 and
/// registered on 02-03-2023, after the deadline.
#[test]
fn the_first_follow_up_on_the_worklist_is_what_the_system_holds() {
    let t = course("2023-01-02")
        .category(Category::Two, "2023-01-20")
        .conv_registered("2023-02-20", "2023-03-02");
    // (as of, reading, status, days left)
    let cases: &[(&str, AsOfReading, Status, Option<i32>)] = &[
        // Held, not registered: the list still asks for the conversation ...
        ("2023-02-24", Known, DueSoon, Some(2)),
        // ... though it happened.
        ("2023-02-24", Happened, Met, None),
        // Past the deadline, still unregistered: overdue on the list.
        ("2023-03-01", Known, Overdue, Some(-3)),
        ("2023-03-01", Happened, Met, None),
        // Registered on the as-of day itself: known that day, and met by the day it was held.
        ("2023-03-02", Known, Met, None),
        ("2023-03-02", Happened, Met, None),
    ];
    for (as_of, reading, status, left) in cases {
        let st = t.status_as(as_of, *reading);
        let duty = st.duty(FIRST).expect("first follow-up");
        assert_eq!(
            duty.status,
            *status,
            "{as_of} {reading:?}: {}",
            duty.explain()
        );
        assert_eq!(duty.due, Some(d("2023-02-26")), "{as_of} {reading:?}");
        if left.is_some() {
            assert_eq!(duty.days_left, *left, "{as_of} {reading:?}");
        }
    }
    // The worklist's `evaluate` is the reading "known".
    assert_eq!(
        t.status("2023-02-24", &Settings::default()),
        t.status_as("2023-02-24", Known)
    );
    // Registered the same day it was held: no difference on any day.
    let same_day = course("2023-01-02")
        .category(Category::Two, "2023-01-20")
        .conv_registered("2023-02-20", "2023-02-20");
    for as_of in ["2023-02-20", "2023-02-24", "2023-03-01"] {
        assert_eq!(
            same_day.status_as(as_of, Known),
            same_day.status_as(as_of, Happened),
            "{as_of}"
        );
    }
}

/// A course whose first half-year ends on a month's last day or in a leap February, with its
/// fourth conversation held inside the half-year and registered after the measuring day.
#[test]
fn the_early_effort_figure_counts_by_registration_under_stars_definition() {
    let official = Definition::official();
    assert_eq!(official.reading, Known);
    let by_held = Definition {
        reading: Happened,
        ..Definition::official()
    };
    // (first day of absence, conversations (held, registered), measured as of, month, counted
    // under "known", counted under "happened")
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static str,
        (i32, u32),
        u16,
        u16,
    );
    let cases: &[Case] = &[
        // Half-year 01-01-2023..30-06-2023, six months' seniority on 01-07-2023. The fourth
        // conversation held 20-06, registered 03-07: STAR's figure on 02-07 does not have it.
        (
            "2023-01-01",
            &[
                ("2023-02-01", "2023-02-01"),
                ("2023-03-15", "2023-03-15"),
                ("2023-05-01", "2023-05-02"),
                ("2023-06-20", "2023-07-03"),
            ],
            "2023-07-02",
            (2023, 7),
            3,
            4,
        ),
        // The same on the day it is registered, and at the month's end.
        (
            "2023-01-01",
            &[
                ("2023-02-01", "2023-02-01"),
                ("2023-03-15", "2023-03-15"),
                ("2023-05-01", "2023-05-02"),
                ("2023-06-20", "2023-07-03"),
            ],
            "2023-07-03",
            (2023, 7),
            4,
            4,
        ),
        // Leap year: half-year 31-08-2023..29-02-2024, seniority 01-03-2024. Held on the last
        // day of the half-year, registered the next morning.
        (
            "2023-08-31",
            &[
                ("2023-09-20", "2023-09-20"),
                ("2023-11-01", "2023-11-01"),
                ("2024-01-10", "2024-01-10"),
                ("2024-02-29", "2024-03-01"),
            ],
            "2024-03-01",
            (2024, 3),
            4,
            4,
        ),
        // Registered weeks later, after the month the course is measured in: the month's figure
        // made at its end misses it, the figure made after the registration has it (the newest
        // month "rises at the next update").
        (
            "2023-08-31",
            &[
                ("2023-09-20", "2023-09-20"),
                ("2023-11-01", "2023-11-01"),
                ("2024-01-10", "2024-01-10"),
                ("2024-02-29", "2024-04-02"),
            ],
            "2024-03-31",
            (2024, 3),
            3,
            4,
        ),
        (
            "2023-08-31",
            &[
                ("2023-09-20", "2023-09-20"),
                ("2023-11-01", "2023-11-01"),
                ("2024-01-10", "2024-01-10"),
                ("2024-02-29", "2024-04-02"),
            ],
            "2024-04-02",
            (2024, 3),
            4,
            4,
        ),
    ];
    for (fa, convs, as_of, (y, m), known, happened) in cases {
        let mut t = course(fa);
        for (held, reg) in *convs {
            t = t.conv_registered(held, reg);
        }
        let (pop, _) = t.b.build();
        let month = Month::new(*y, *m);
        for (def, counted) in [(&official, *known), (&by_held, *happened)] {
            let r = compute(
                &pop,
                &t.book,
                MeasureKind::EarlyEffort,
                def,
                month,
                month,
                d(as_of),
            );
            assert_eq!(r.members.len(), 1, "{fa} {as_of} {}", def.name);
            assert_eq!(
                r.members[0].counted, counted,
                "{fa} {as_of} {:?}",
                def.reading
            );
            assert_eq!(r.members[0].in_numerator, counted >= 4);
        }
        // The reconciliation names the late registration, with its days of lag.
        let rec = reconcile(
            &pop,
            &t.book,
            MeasureKind::EarlyEffort,
            &official,
            &by_held,
            month,
            month,
            d(as_of),
        );
        if known == happened {
            assert!(rec.differences.is_empty(), "{fa} {as_of}");
        } else {
            let diff = &rec.differences[0];
            let (held, reg) = convs[3];
            assert_eq!(
                diff.reasons,
                [Reason::RegisteredLate {
                    late: 1,
                    held: d(held),
                    registered: d(reg),
                }]
            );
            let text = diff.explain(&official, &by_held);
            let lag = d(held).days_until(d(reg));
            assert!(
                text.contains(&format!(
                    "registreret for sent: 1 samtale holdt inden opgørelsesdagen blev registreret efter den (senest holdt {}, registreret {}, {} dage efter)",
                    d(held).dk(),
                    d(reg).dk(),
                    lag
                )),
                "{text}"
            );
        }
    }
}

/// The held day stands in where the export has no registration date: both readings agree.
#[test]
fn without_registration_dates_the_readings_agree() {
    let t = course("2023-01-02")
        .category(Category::Two, "2023-01-20")
        .conv("2023-02-20");
    for as_of in ["2023-02-19", "2023-02-20", "2023-03-01"] {
        assert_eq!(t.status_as(as_of, Known), t.status_as(as_of, Happened));
    }
}

/// A medical statement received before the as-of date and registered after it is not received yet
/// on the list; a standby period registered late does not pause the clock until it is registered.
#[test]
fn a_statement_and_a_standby_period_registered_late() {
    let k = DutyKind::MedicalStatement(0);
    let mut t = course("2023-01-02");
    t.b.medical.push(MedicalRequest {
        course: CourseId::new(0),
        form: MedicalForm::Lae285,
        sent: d("2023-02-01"),
        deadline: None,
        received: Some(d("2023-02-10")),
        received_registered: Some(d("2023-02-20")),
    });
    // (as of, reading, status, days left)
    let cases: &[(&str, AsOfReading, Status, Option<i32>)] = &[
        ("2023-02-14", Known, DueSoon, Some(1)),
        ("2023-02-14", Happened, Met, None),
        ("2023-02-17", Known, Overdue, Some(-2)),
        ("2023-02-20", Known, Met, None),
    ];
    for (as_of, reading, status, left) in cases {
        let st = t.status_as(as_of, *reading);
        let duty = st.duty(k).expect("medical statement");
        assert_eq!(
            duty.status,
            *status,
            "{as_of} {reading:?}: {}",
            duty.explain()
        );
        assert_eq!(duty.due, Some(d("2023-02-15")));
        if left.is_some() {
            assert_eq!(duty.days_left, *left, "{as_of} {reading:?}");
        }
    }

    // Standby from 10-02-2023 to 19-02-2023 (10 days), registered on 25-02: E1's first follow-up
    // (due 26-02) moves to 08-03 once the period is known, not before.
    let mut s = course("2023-01-02").category(Category::Two, "2023-01-20");
    s.b.standby.push(StandbyPeriod {
        course: CourseId::new(0),
        start: d("2023-02-10"),
        end: Some(d("2023-02-19")),
        registered: Some(d("2023-02-25")),
    });
    let due = |as_of: &str, reading| {
        s.status_as(as_of, reading)
            .duty(FIRST)
            .and_then(|x| x.due)
            .expect("a due date")
    };
    assert_eq!(due("2023-02-24", Known), d("2023-02-26"));
    assert_eq!(due("2023-02-24", Happened), d("2023-03-08"));
    assert_eq!(due("2023-02-25", Known), d("2023-03-08"));
}
