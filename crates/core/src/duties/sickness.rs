//! The sickness-benefit duties (sygedagpengeloven §§ 13 a, 13 b, 13 f): the first follow-up, the
//! category-1 re-visitation, the half-year or the 2015 cadence, the 2025 fitness check, and the 2026
//! § 13 f.

use super::*;

pub(super) fn sickness_duties(v: &View<'_>, book: &RuleBook, s: &Settings, out: &mut Vec<Duty>) {
    let c = v.f.course;
    let day1 = c.first_absence;
    let cat = category(v);
    let base_rules = book.in_force_on(day1);
    let nominal_due = base_rules.first_follow_up_due(day1);
    let rules_at_due = book.in_force_on(nominal_due);

    if cat == Category::One && !rules_at_due.covers(Category::One) {
        out.push(category1_revisit(v, book, s));
        return;
    }
    let ex = exemption(c, book, v.as_of);
    out.push(first_follow_up(v, book, s, ex.as_ref()));
    let half_end = s.half_year.window_end(day1, 6);
    let cadence_rules = book.in_force_on(half_end);
    if let Cadence::EveryWeeks { weeks } = book.in_force_on(nominal_due).cadence {
        out.push(regular_follow_up(v, book, s, weeks));
    }
    if let Cadence::InFirstHalfYear { count } = cadence_rules.cadence {
        out.push(half_year(v, book, cadence_rules, s, count, ex.as_ref()));
    }
    if let Some(p) = c.predictable.filter(|p| p.marked_on <= v.as_of) {
        out.push(predictable_check(v, book, s, p));
    }
    if let Some(x) = ex {
        out.push(exemption_duty(v, book, &x));
    }
}

pub(super) fn mark(x: &Exemption, relief: Relief) -> ExemptionMark {
    ExemptionMark {
        relief,
        from: x.from,
        until: x.until,
        ended: x.ended,
    }
}

/// The informational § 13 f (2026) line: exempt until day 182, or how the exemption ended.
pub(super) fn exemption_duty(v: &View<'_>, book: &RuleBook, x: &Exemption) -> Duty {
    let rules = book.in_force_on(x.from);
    let mut d = blank(DutyKind::Exemption26, rules, rules.exemption_paragraph);
    d.required = 0;
    d.window = Some((x.from, x.until));
    d.due = Some(x.until);
    let relief = x.relief(book.params().after_exemption);
    d.exemption = Some(Box::new(mark(x, relief)));
    if x.ended.is_none() && x.covers(v.as_of) && v.ended.is_none() {
        d.status = Status::Exempt;
        d.days_left = Some(v.as_of.days_until(x.until));
    } else if let Some(e) = v.ended.filter(|e| *e <= x.until && x.ended.is_none()) {
        d.note = Note::CourseEnded(e);
    }
    d
}

pub(super) fn first_follow_up(
    v: &View<'_>,
    book: &RuleBook,
    s: &Settings,
    ex: Option<&Exemption>,
) -> Duty {
    let mut d = first_follow_up_plain(v, book, s, ex);
    if let (Some(x), Some(due)) = (ex, d.due) {
        relieve(&mut d, v, book, x, due);
    }
    d
}

/// Applies the 2026 § 13 f to a duty falling due on `due`: marks how the exemption bears on it, and
/// relieves it while exempt and after stk. 3 under the default reading. A relieved duty is relieved
/// even where a conversation was held (the citizen's right to one, § 13 f, stk. 2): the measures
/// leave such courses out under the same rule.
pub(super) fn relieve(d: &mut Duty, v: &View<'_>, book: &RuleBook, x: &Exemption, due: Day) {
    let relief = x.relieves(due, book.params().after_exemption);
    if relief != Relief::None {
        d.exemption = Some(Box::new(mark(x, relief)));
    }
    match relief {
        Relief::Exempt => exempt(d, Status::Exempt, v, x),
        Relief::AsAgreed => exempt(d, Status::NotApplicable, v, x),
        _ => {}
    }
}

/// A duty the exemption relieves: no deadline, no days left.
pub(super) fn exempt(d: &mut Duty, status: Status, v: &View<'_>, x: &Exemption) {
    d.status = status;
    d.days_left =
        (status == Status::Exempt && v.ended.is_none()).then(|| v.as_of.days_until(x.until));
    d.next_by = None;
    d.met_on = None;
}

pub(super) fn first_follow_up_plain(
    v: &View<'_>,
    book: &RuleBook,
    s: &Settings,
    ex: Option<&Exemption>,
) -> Duty {
    let c = v.f.course;
    let day1 = c.first_absence;
    let base = book.in_force_on(day1);
    let mut due = base.first_follow_up_due(day1);
    let mut note = Note::None;
    let mut paragraph = book.in_force_on(due).first_follow_up_paragraph;
    if let Some(req) = c.early_request.filter(|r| r.date <= v.as_of) {
        let r = book.in_force_on(req.date);
        let window_end = day1.add_days(7 * i32::from(r.employer_request_weeks) - 1);
        if req.by == Requester::Employer && req.date > window_end {
            note = Note::EmployerRequestTooLate(req.date);
        } else {
            let early_due = req.date.add_days(i32::from(r.early_request_days));
            if early_due < due {
                due = early_due;
                note = Note::EarlyRequest(req.date);
                paragraph = r.early_request_paragraph;
            }
        }
    }
    // The exemption ended and the normal duties apply: where the deadline passed while exempt, the
    // first conversation is due `late_first_days` after the end (a setting).
    if let Some(x) = ex {
        if let Some((end, _)) = x.ended {
            if x.relieves(due, book.params().after_exemption) == Relief::Restored && due < end {
                due = end.add_days(i32::from(book.params().late_first_days));
                paragraph = book.in_force_on(end).exemption_paragraph;
            }
        }
    }
    let rules = book.in_force_on(due);
    let mut d = blank(DutyKind::FirstFollowUp, rules, paragraph);
    d.window = Some((day1, due));
    d.note = note;
    let first = v.nth_held_from(day1, 1);
    // Standby pauses the clock (or removes the duty) unless the first conversation was already held.
    if first.is_none_or(|(date, _)| date > due) {
        match s.standby {
            StandbyHandling::CountAsUsual => {}
            StandbyHandling::Exclude => {
                if v.standby_overlaps(day1, due) {
                    d.note = Note::StandbyExcluded;
                    return d;
                }
            }
            StandbyHandling::PauseClock => match pause_for_standby(day1, due, v.standby()) {
                None => {
                    d.status = Status::SuspendedByStandby;
                    d.note = Note::StandbyPaused(0);
                    return d;
                }
                Some((new_due, paused)) if paused > 0 => {
                    due = new_due;
                    d.note = Note::StandbyPaused(paused);
                    d.window = Some((day1, due));
                }
                Some(_) => {}
            },
        }
    }
    d.due = Some(due);
    if first.is_none() {
        if let Some(end) = v.ended {
            d.note = Note::CourseEnded(end);
            if end < due {
                return d; // ended before the duty fell due: not applicable
            }
            d.status = Status::Missed;
            d.days_left = Some(-(due.days_until(end)));
            return d;
        }
    }
    let (status, days) = deadline_status(v, due, first.map(|x| x.0), s);
    d.status = status;
    d.days_left = Some(days);
    d.met_on = first.map(|x| x.0);
    d.counted = u16::from(first.is_some());
    if let Some((date, form)) = first {
        if form != ConversationForm::InPerson && form_requires_in_person(rules, c.target_group) {
            d.note = Note::FormNotAllowed(date, form);
        }
    }
    d
}

pub(super) fn form_requires_in_person(rules: &RuleSet, group: TargetGroup) -> bool {
    match rules.form {
        FormRule::Individual => false,
        FormRule::AllInPerson | FormRule::InPersonFirstSixMonths => true,
        FormRule::OnlyFirstInPerson => group != TargetGroup::Employed,
    }
}

pub(super) fn category1_revisit(v: &View<'_>, book: &RuleBook, s: &Settings) -> Duty {
    let day1 = v.f.course.first_absence;
    let base = book.in_force_on(day1);
    let week8 = day1.add_days(7 * i32::from(base.category1_weeks) - 1);
    // § 13 a, stk. 1: the duty arises when the absence passes 8 weeks, i.e. on day 57. The default
    // reading: the follow-up with re-visitation is due within `days` after that, and only a
    // conversation held once the duty exists meets it. The alternative (`AsCategory2`) reads the
    // course as category 2 from day 1 once it passes 8 weeks: the week-8 deadline, any conversation
    // from day 1.
    let (due, counts_from) = match s.category1 {
        Category1Reading::AfterWeek8 { days } => {
            (week8.add_days(i32::from(days)), week8.add_days(1))
        }
        Category1Reading::AsCategory2 => (week8, day1),
    };
    let rules = book.in_force_on(due);
    let mut d = blank(DutyKind::Category1Revisit, rules, rules.category1_paragraph);
    d.window = Some((counts_from, due));
    // The duty arises only if the absence passes 8 weeks.
    if let Some(end) = v.ended.filter(|e| *e <= week8) {
        d.note = Note::CourseEnded(end);
        return d;
    }
    d.due = Some(due);
    let met = v.nth_held_from(counts_from, 1).map(|x| x.0);
    if v.as_of <= week8 && met.is_none() {
        d.note = Note::Category1WithinWeek8;
    } else if met.is_none() && counts_from > day1 && v.f.held_between(day1, week8) > 0 {
        d.note = Note::Category1ArisesOn(counts_from);
    }
    let (status, days) = deadline_status(v, due, met, s);
    if met.is_none() && v.ended.is_some() {
        d.status = Status::Missed;
    } else {
        d.status = status;
    }
    d.days_left = Some(days);
    d.met_on = met;
    d.counted = u16::from(met.is_some());
    d
}

pub(super) fn half_year(
    v: &View<'_>,
    book: &RuleBook,
    rules: &RuleSet,
    s: &Settings,
    count: u8,
    ex: Option<&Exemption>,
) -> Duty {
    let day1 = v.f.course.first_absence;
    let end = s.half_year.window_end(day1, 6);
    let mut d = counting(
        v,
        DutyKind::HalfYearFollowUps,
        rules,
        rules.cadence_paragraph,
        s,
        day1,
        end,
        u16::from(count),
    );
    // § 13 f (2025): while the exemption holds, only the fitness check is required.
    if let Some(check) = predictable_in_force(v, book) {
        if v.as_of <= check && d.status != Status::Met {
            d.status = Status::NotApplicable;
            d.note = Note::Predictable(check);
            d.days_left = None;
            d.next_by = None;
        }
    }
    // § 13 f (2026): relieved while exempt, and after stk. 3 under the default reading.
    if let Some(x) = ex {
        let due = d.due.unwrap_or(end);
        relieve(&mut d, v, book, x, due);
    }
    d
}

/// The § 13 f check date, if the course is marked under rules that have § 13 f (marked on or after
/// 1 January 2025), the marking is known as of the as-of date, and it has not lapsed.
pub(super) fn predictable_in_force(v: &View<'_>, book: &RuleBook) -> Option<Day> {
    let c = v.f.course;
    let p = c.predictable.filter(|p| p.marked_on <= v.as_of)?;
    if c.target_group != TargetGroup::Employed {
        return None;
    }
    if predictable_lapse(v, book, p).is_some_and(|l| l <= v.as_of) {
        return None;
    }
    predictable_due(v, book.in_force_on(p.marked_on))
}

/// The day a 2025 § 13 f marking lapsed, as known on the as-of date: the recorded lapse, the day the
/// citizen became unemployed (stk. 2), or the start of the 2026 rules where the setting ends 2025
/// markings there.
pub(super) fn predictable_lapse(v: &View<'_>, book: &RuleBook, p: Predictable) -> Option<Day> {
    let known = |d: Option<Day>| d.filter(|d| *d <= v.as_of);
    let at_start = match book.params().marking_2025 {
        crate::rules::Marking2025::EndsAtStart => book
            .exemption_start()
            .filter(|s| p.marked_on < *s && *s <= v.as_of),
        crate::rules::Marking2025::KeepToEnd => None,
    };
    [
        known(p.lapsed_on),
        known(v.f.course.reform().unemployed_on),
        at_start,
    ]
    .into_iter()
    .flatten()
    .min()
}

pub(super) fn predictable_due(v: &View<'_>, rules: &RuleSet) -> Option<Day> {
    let days = rules.predictable_check_days?;
    let first = v.nth_held_from(v.f.course.first_absence, 1)?.0;
    Some(first.add_days(i32::from(days)))
}

pub(super) fn predictable_check(
    v: &View<'_>,
    book: &RuleBook,
    s: &Settings,
    marked: Predictable,
) -> Duty {
    let c = v.f.course;
    let rules = book.in_force_on(marked.marked_on);
    let mut d = blank(
        DutyKind::PredictableCheck,
        rules,
        rules.predictable_paragraph,
    );
    if rules.predictable_check_days.is_none() {
        d.note = match book.exemption_start() {
            Some(start) if marked.marked_on >= start => Note::PredictableReplaced(start),
            _ => Note::PredictableNotInForce,
        };
        return d;
    }
    if c.target_group != TargetGroup::Employed {
        d.note = Note::PredictableEmployedOnly;
        return d;
    }
    if let Some(l) = predictable_lapse(v, book, marked) {
        d.note = Note::PredictableLapsed(l);
        return d;
    }
    let Some(first) = v.nth_held_from(c.first_absence, 1) else {
        d.note = Note::AwaitingFirstConversation;
        return d;
    };
    let due = predictable_due(v, rules).unwrap_or(first.0);
    d.due = Some(due);
    d.window = Some((first.0.add_days(1), due));
    // Met when the citizen is back by the check date, or a follow-up was held after the first one.
    let met = match v.ended {
        Some(e) if e <= due => Some(e),
        _ => v
            .nth_held_from(first.0.add_days(1), 1)
            .map(|x| x.0)
            .filter(|x| *x <= due),
    };
    let (status, days) = deadline_status(v, due, met, s);
    d.status = if status == Status::Overdue {
        Status::Missed
    } else {
        status
    };
    d.days_left = Some(days);
    d.met_on = met;
    d
}

pub(super) fn regular_follow_up(v: &View<'_>, book: &RuleBook, s: &Settings, weeks: u8) -> Duty {
    // 2015: after the first follow-up, at least every `weeks` weeks. Judged interval by interval while
    // the 2015 rules are in force on the interval's due date.
    let c = v.f.course;
    let day1 = c.first_absence;
    let step = 7 * i32::from(weeks);
    let base = book.in_force_on(day1);
    let mut d = blank(DutyKind::RegularFollowUp, base, base.cadence_paragraph);
    let Some((first, _)) = v.nth_held_from(day1, 1) else {
        d.note = Note::AwaitingFirstConversation;
        return d;
    };
    let mut prev = first;
    let mut late = 0u16;
    let mut counted = 1u16;
    for conv in v.f.held().filter(|x| x.date > first && x.date <= v.last) {
        let due = prev.add_days(step);
        if !matches!(book.in_force_on(due).cadence, Cadence::EveryWeeks { .. }) {
            break;
        }
        if conv.date > due {
            late += 1;
        }
        counted += 1;
        prev = conv.date;
    }
    let due = prev.add_days(step);
    d.counted = counted;
    d.window = Some((first, due));
    d.note = Note::LateIntervals(late);
    if !matches!(book.in_force_on(due).cadence, Cadence::EveryWeeks { .. }) {
        // The next interval falls under the 2020 rules: this duty has run its course.
        d.status = if late == 0 {
            Status::Met
        } else {
            Status::MetLate
        };
        return d;
    }
    d.due = Some(due);
    if let Some(e) = v.ended.filter(|e| *e <= due) {
        d.status = if late == 0 {
            Status::Met
        } else {
            Status::MetLate
        };
        d.met_on = Some(e);
        return d;
    }
    // The current interval is open: judged like any deadline; earlier late intervals stay in the note.
    let (status, left) = deadline_status(v, due, None, s);
    d.status = status;
    d.days_left = Some(left);
    d
}
