//! Medical statements' deadlines, and LÆ 265 before the rehabilitation team.

use super::*;

pub(super) fn medical_duties(v: &View<'_>, book: &RuleBook, s: &Settings, out: &mut Vec<Duty>) {
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

pub(super) fn rehab_duties(
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
pub(super) fn lae265_conflict(v: &View<'_>, r: &crate::model::RehabMeeting) -> Option<Day> {
    if r.basis != Lae265Basis::Present || r.date > v.as_of {
        return None;
    }
    v.f.lae265_conflict(r.date, v.as_of)
}
