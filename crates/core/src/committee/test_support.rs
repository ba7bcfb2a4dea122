//! A small population builder for the committee tests: (first absence, benefit start, end, kind,
//! citizen number); even-numbered courses get the one caseworker (team T1).

use crate::cpr::Cpr;
use crate::date::Day;
use crate::model::*;

pub(crate) fn pop(courses: &[(&str, &str, Option<&str>, CourseKind, u16)]) -> Population {
    pop_with(Facts {
        courses,
        conversations: &[],
        standby: &[],
    })
}

/// Courses as for `pop`, with held conversations (course index, dates) and standby periods
/// (course index, start, end).
pub(crate) struct Facts<'a> {
    pub courses: &'a [(&'a str, &'a str, Option<&'a str>, CourseKind, u16)],
    pub conversations: &'a [(usize, &'a [&'a str])],
    pub standby: &'a [(usize, &'a str, Option<&'a str>)],
}

pub(crate) fn pop_with(facts: Facts<'_>) -> Population {
    builder(facts).build().0
}

/// As `pop_with`, with booked conversations (course index, date).
pub(crate) fn pop_with_booked(facts: Facts<'_>, booked: &[(usize, &str)]) -> Population {
    let mut b = builder(facts);
    for (i, date) in booked {
        b.conversations.push((
            CourseId::new(*i as u32),
            Conversation {
                date: Day::parse_iso(date).unwrap(),
                form: ConversationForm::InPerson,
                held: false,
                planned: true,
                caseworker: None,
                registered: None,
            },
        ));
    }
    b.build().0
}

fn builder(facts: Facts<'_>) -> PopulationBuilder {
    let courses = facts.courses;
    let mut b = PopulationBuilder::new();
    let team = b.add_team(Team {
        key: "T1".into(),
        name: "Team 1".into(),
    });
    let cw = b.add_caseworker(Caseworker {
        key: "S1".into(),
        name: "Sagsbehandler".into(),
        team,
    });
    let mut citizens = std::collections::HashMap::new();
    for (i, (fa, start, end, kind, citizen)) in courses.iter().enumerate() {
        let cit = *citizens.entry(*citizen).or_insert_with(|| {
            b.add_citizen(Citizen {
                cpr: Cpr::synthetic(Day::ymd(1980, 1, 1), *citizen),
                name: format!("Borger {citizen}").into(),
            })
        });
        let d = |s: &str| Day::parse_iso(s).unwrap();
        b.add_course(Course {
            key: format!("F{i}").into(),
            citizen: cit,
            kind: *kind,
            first_absence: d(fa),
            benefit_start: d(start),
            transition: (*kind == CourseKind::JobClarification).then(|| d(start)),
            from_course: None,
            target_group: TargetGroup::Employed,
            visitation: None,
            early_request: None,
            predictable: None,
            reform: None,
            end: end.map(|e| CourseEnd {
                date: d(e),
                reason: EndReason::BackToWork,
            }),
            caseworker: (i % 2 == 0).then_some(cw),
        });
    }
    let d = |s: &str| Day::parse_iso(s).unwrap();
    for (i, dates) in facts.conversations {
        for date in *dates {
            b.conversations.push((
                CourseId::new(*i as u32),
                Conversation {
                    date: d(date),
                    form: ConversationForm::InPerson,
                    held: true,
                    planned: false,
                    caseworker: None,
                    registered: None,
                },
            ));
        }
    }
    for (i, start, end) in facts.standby {
        b.standby.push(StandbyPeriod {
            course: CourseId::new(*i as u32),
            start: d(start),
            end: end.map(d),
            registered: None,
        });
    }
    b
}
