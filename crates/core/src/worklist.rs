//! The worklist: each course's flags ("Hændelser"), its urgency order and the short Danish texts the
//! caseworker reads, shared by every shell (CLI tables, web pages, exports).

use crate::duties::{CourseStatus, DutyKind, Status};
use crate::model::{CourseId, MedicalForm, Population, Requester};

/// Flags for the worklist ("Hændelser"), in Danish.
pub fn flags(pop: &Population, id: CourseId, st: &CourseStatus) -> Vec<String> {
    let f = pop.facts(id);
    let mut out = Vec::new();
    if st.in_standby {
        if let Some(s) = f.standby.iter().rev().find(|s| s.start <= st.as_of) {
            out.push(format!("Standby siden {}", s.start.dk()));
        }
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

/// Worklist order: next deadline first (overdue first), none last; ties by longest absence.
pub fn urgency(st: &CourseStatus) -> (i32, i32) {
    (
        st.next_deadline()
            .and_then(|d| d.days_left)
            .unwrap_or(i32::MAX),
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

    #[test]
    fn day_texts() {
        assert_eq!(days_text(0), "i dag");
        assert_eq!(days_text(5), "om 5 dage");
        assert_eq!(days_text(1), "om 1 dag");
        assert_eq!(days_text(-1), "1 dag over");
        assert_eq!(days_text(-3), "3 dage over");
    }
}
