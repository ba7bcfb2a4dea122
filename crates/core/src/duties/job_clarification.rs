//! The job-clarification duties (LAB kap. 18): the conversations in the first 6 months and the
//! rehabilitation team, and what the 2027 rules do to them.

use super::*;

/// The rules that judge a job-clarification duty falling due on `due`, for a course that began on
/// `start`: the set in force on `due`, unless job clarification was abolished by then. Then a course
/// running at the abolition keeps the last rules that had it (default) or has no such duty; a course
/// begun after the abolition cannot exist under those rules: judged by the last rules that had job
/// clarification, with a note and a data-quality warning.
pub(super) fn job_clarification_rules(
    book: &RuleBook,
    start: Day,
    due: Day,
) -> (&RuleSet, Option<Note>) {
    let rules = book.in_force_on(due);
    let Some(abolished) = book
        .job_clarification_end()
        .filter(|_| rules.job_clarification.is_none())
    else {
        return (rules, None);
    };
    let last = book.in_force_on(abolished.add_days(-1));
    if last.job_clarification.is_none() {
        return (rules, Some(Note::NotInRules));
    }
    if start >= abolished {
        return (last, Some(Note::JobClarificationAbolished(abolished)));
    }
    match book.params().running_job_clarification {
        RunningJobClarification::OldRulesToEnd => {
            (last, Some(Note::JobClarificationOldRules(abolished)))
        }
        RunningJobClarification::EndAtStart => (rules, Some(Note::NotInRules)),
    }
}

pub(super) fn job_clarification_duties(
    v: &View<'_>,
    book: &RuleBook,
    s: &Settings,
    out: &mut Vec<Duty>,
    warnings: &mut Vec<String>,
) {
    let start = v.f.course.clock_start();
    let end = s.half_year.window_end(start, 6);
    if let Some(abolished) = book.job_clarification_end().filter(|a| start >= *a) {
        warnings.push(format!(
            "Jobafklaringsforløbet begyndte {}, men efter regelsættet {} oprettes der ikke nye jobafklaringsforløb fra {}; tjek data eller regelsættet",
            start.dk(),
            book.in_force_on(abolished).name,
            abolished.dk()
        ));
    }
    let (rules, note) = job_clarification_rules(book, start, end);
    match rules.job_clarification {
        Some(jc) => {
            let mut d = counting(
                v,
                DutyKind::JobClarificationFollowUps,
                rules,
                jc.conversations_paragraph,
                s,
                start,
                s.half_year.window_end(start, jc.months),
                u16::from(jc.conversations),
            );
            if let Some(n) = note.filter(|_| d.note == Note::None) {
                d.note = n;
            }
            if note.is_some() {
                // Judged by the last rules that had job clarification, after they ended: provisional
                // like the set that ended them.
                d.rule_set = book.in_force_on(end).name;
            }
            out.push(d);
        }
        None => {
            let mut d = blank(DutyKind::JobClarificationFollowUps, rules, "");
            d.note = note.unwrap_or(Note::NotInRules);
            out.push(d);
        }
    }
    // The rehabilitation team within 4 weeks of the transition (until 2024). The deadline arises at
    // the transition (under the rules then) and is judged, like every duty, by the rules in force on
    // the day it falls due. Lov 1657/2024 has no transitional rule for it in our sources, and a
    // procedural duty not yet due when the rule is repealed falls away with it (docs/rules.md): a
    // transition in December 2024 with its deadline in 2025 has no team deadline.
    let start_rules = book.in_force_on(start);
    let Some(jc) = start_rules.job_clarification else {
        return;
    };
    let Some(days) = jc.rehab_team_days else {
        let mut d = blank(DutyKind::RehabTeam, start_rules, jc.rehab_team_paragraph);
        d.note = Note::NotInRules;
        out.push(d);
        return;
    };
    let due = start.add_days(i32::from(days));
    let (team_rules, note) = job_clarification_rules(book, start, due);
    let team = team_rules
        .job_clarification
        .and_then(|jc| jc.rehab_team_days);
    let mut d = blank(DutyKind::RehabTeam, team_rules, jc.rehab_team_paragraph);
    if team.is_none() {
        d.note = Note::NotInRules;
        out.push(d);
        return;
    }
    if let Some(n) = note {
        d.note = n;
        d.rule_set = book.in_force_on(due).name;
    }
    d.due = Some(due);
    d.window = Some((start, due));
    let met =
        v.f.rehab
            .iter()
            .find(|r| r.date >= start && r.date <= v.last)
            .map(|r| r.date);
    if met.is_none() && v.ended.is_some_and(|e| e < due) {
        d.note = Note::CourseEnded(v.ended.unwrap_or(due));
    } else {
        let (st, days) = deadline_status(v, due, met, s);
        d.status = st;
        d.days_left = Some(days);
        d.met_on = met;
    }
    out.push(d);
}
