//! The rows of `forloeb.csv`: each course parsed and checked on its own ([`parse`], on a worker
//! thread), then taken into the population in the file's order ([`Courses::apply`]: the key not
//! used before, the citizen found or added).

use std::collections::{HashMap, HashSet};

use kadence_core::cpr::Cpr;
use kadence_core::model::*;

use super::table::Row;
use super::{mask_cpr, ImportError, ImportErrors};
use crate::format::h;

/// A course as its row gave it, before it has a citizen and an id.
pub(super) struct Parsed {
    line: u64,
    cpr: Cpr,
    name: Text,
    /// The course, its citizen still to be found.
    course: Course,
    from: Option<String>,
}

/// What a block of course rows noted besides its courses.
#[derive(Default)]
pub(super) struct Local {
    /// Lines where a CPR number of 9 digits got its leading 0 back.
    pub(super) padded_cpr_lines: Vec<u64>,
    /// The ids of the rows rejected for their own errors.
    pub(super) rejected: Vec<String>,
}

/// A caseworker's id in a row (empty: none), or `Err` after reporting an unknown one.
pub(super) fn caseworker(
    r: &Row<'_>,
    errs: &mut ImportErrors,
    cw_ids: &HashMap<String, CaseworkerId>,
) -> Result<Option<CaseworkerId>, ()> {
    let v = r.text(h::CW_ID);
    if v.is_empty() {
        return Ok(None);
    }
    match cw_ids.get(v) {
        Some(id) => Ok(Some(*id)),
        None => {
            r.err(
                errs,
                h::CW_ID,
                Some(v.into()),
                "et sagsbehandler-id fra sagsbehandlere.csv",
            );
            Err(())
        }
    }
}

/// One course row, every field parsed and every check of the row alone made; `None` after its
/// errors are pushed (and its id noted as rejected).
pub(super) fn parse(
    r: &Row<'_>,
    errs: &mut ImportErrors,
    local: &mut Local,
    cw_ids: &HashMap<String, CaseworkerId>,
) -> Option<Parsed> {
    let before = errs.total;
    let parsed = parse_row(r, errs, local, cw_ids);
    if errs.total > before {
        let key = r.text(h::COURSE_ID);
        if !key.is_empty() {
            local.rejected.push(key.to_string());
        }
    }
    parsed
}

fn parse_row(
    r: &Row<'_>,
    errs: &mut ImportErrors,
    local: &mut Local,
    cw_ids: &HashMap<String, CaseworkerId>,
) -> Option<Parsed> {
    let before = errs.total;
    // Held in place (no allocation) from the row's text.
    let key = r.required_str(errs, h::COURSE_ID).map(Text::from);
    let cpr = r
        .required(errs, h::CPR)
        .map(|v| {
            // Excel drops the leading zero of CPR numbers stored as numbers (0101... -> 101...).
            if v.len() == 9 && v.bytes().all(|b| b.is_ascii_digit()) {
                local.padded_cpr_lines.push(r.line);
                format!("0{v}")
            } else {
                v
            }
        })
        .and_then(|v| match Cpr::parse(&v) {
            Ok(c) => Some(c),
            Err(e) => {
                r.err(
                    errs,
                    h::CPR,
                    Some(mask_cpr(&v)),
                    e.to_string().to_lowercase(),
                );
                None
            }
        });
    let name = r.required_str(errs, h::NAME).map(Text::from);
    let kind = r.word::<CourseKind>(errs, h::KIND);
    let first_absence = r.date(errs, h::FIRST_ABSENCE);
    let benefit_start = r.date(errs, h::BENEFIT_START);
    let transition = r.opt_date(errs, h::TRANSITION);
    let group = r.word::<TargetGroup>(errs, h::GROUP);
    let category = r.opt_word::<Category>(errs, h::CATEGORY);
    let category_date = r.opt_date(errs, h::CATEGORY_DATE);
    let early_by = r.opt_word::<Requester>(errs, h::EARLY_BY);
    let early_date = r.opt_date(errs, h::EARLY_DATE);
    let p13f = r.opt_date(errs, h::P13F);
    let p13f_lapsed = r.opt_date(errs, h::P13F_LAPSED);
    let fit26 = r.opt_date(errs, h::FIT26);
    let asked_by = r.opt_word::<Requester>(errs, h::ASKED_BY);
    let asked_date = r.opt_date(errs, h::ASKED_DATE);
    let decided = r.opt_date(errs, h::DECIDED);
    let unemployed = r.opt_date(errs, h::UNEMPLOYED);
    let reduced = r.opt_date(errs, h::REDUCED_RATE);
    let end = r.opt_date(errs, h::END);
    let end_reason = r.opt_word::<EndReason>(errs, h::END_REASON);
    let caseworker = caseworker(r, errs, cw_ids);
    if errs.total > before {
        return None;
    }
    let (Some(key), Some(cpr), Some(name), Some(kind), Some(first_absence), Some(benefit_start)) =
        (key, cpr, name, kind, first_absence, benefit_start)
    else {
        return None;
    };
    let (
        Ok(transition),
        Some(group),
        Ok(category),
        Ok(category_date),
        Ok(early_by),
        Ok(early_date),
    ) = (
        transition,
        group,
        category,
        category_date,
        early_by,
        early_date,
    )
    else {
        return None;
    };
    let (Ok(p13f), Ok(p13f_lapsed), Ok(end), Ok(end_reason), Ok(caseworker)) =
        (p13f, p13f_lapsed, end, end_reason, caseworker)
    else {
        return None;
    };
    let (Ok(fit26), Ok(asked_by), Ok(asked_date), Ok(decided), Ok(unemployed), Ok(reduced)) =
        (fit26, asked_by, asked_date, decided, unemployed, reduced)
    else {
        return None;
    };
    if benefit_start < first_absence {
        r.err(
            errs,
            h::BENEFIT_START,
            Some(benefit_start.dk().to_string()),
            format!(
                "en dato på eller efter første fraværsdag {}",
                first_absence.dk()
            ),
        );
        return None;
    }
    if kind == CourseKind::JobClarification && transition.is_none() {
        r.err(
            errs,
            h::TRANSITION,
            None,
            "en overgangsdato for jobafklaringsforløb",
        );
        return None;
    }
    let start = transition.unwrap_or(first_absence);
    if let Some(e) = end.filter(|e| *e < start) {
        r.err(
            errs,
            h::END,
            Some(e.dk().to_string()),
            format!("en slutdato på eller efter startdatoen {}", start.dk()),
        );
        return None;
    }
    let visitation = match (category, category_date) {
        (Some(c), Some(d)) => Some(Visitation {
            category: c,
            set_on: d,
        }),
        (Some(c), None) => Some(Visitation {
            category: c,
            set_on: benefit_start,
        }),
        (None, _) => None,
    };
    let early_request = match (early_by, early_date) {
        (Some(by), Some(date)) => Some(EarlyRequest { by, date }),
        (None, None) => None,
        _ => {
            r.err(
                errs,
                h::EARLY_DATE,
                None,
                "både hvem der anmodede om tidlig opfølgning og datoen (eller ingen af dem)",
            );
            return None;
        }
    };
    let follow_up_asked = match (asked_by, asked_date) {
        (Some(by), Some(date)) => Some(FollowUpAsked { by, date }),
        (None, None) => None,
        _ => {
            r.err(
                errs,
                h::ASKED_DATE,
                None,
                "både hvem der ønskede opfølgning og datoen (eller ingen af dem)",
            );
            return None;
        }
    };
    // The reform's facts are dated within the course: none before the first day of absence.
    for (col, day) in [
        (h::FIT26, fit26),
        (h::ASKED_DATE, asked_date),
        (h::DECIDED, decided),
        (h::UNEMPLOYED, unemployed),
        (h::REDUCED_RATE, reduced),
    ] {
        if let Some(day) = day.filter(|d| *d < first_absence) {
            r.err(
                errs,
                col,
                Some(day.dk().to_string()),
                format!(
                    "en dato på eller efter første fraværsdag {}",
                    first_absence.dk()
                ),
            );
            return None;
        }
    }
    if let Some(day) = reduced.filter(|_| kind != CourseKind::SicknessBenefit) {
        r.err(
            errs,
            h::REDUCED_RATE,
            Some(day.dk().to_string()),
            "nedsat sats kun på sygedagpengeforløb (jobafklaringsforløb har ingen nedsat sats)",
        );
        return None;
    }
    let from = r.text(h::FROM_COURSE);
    Some(Parsed {
        line: r.line,
        course: Course {
            key,
            citizen: CitizenId::new(0),
            kind,
            first_absence,
            benefit_start,
            transition,
            from_course: None,
            target_group: group,
            visitation,
            early_request,
            predictable: p13f.map(|d| Predictable {
                marked_on: d,
                lapsed_on: p13f_lapsed,
            }),
            reform: ReformFacts {
                fit_within_26_weeks: fit26,
                follow_up_asked,
                municipality_decided: decided,
                unemployed_on: unemployed,
                reduced_rate_from: reduced,
            }
            .boxed(),
            end: end.map(|date| CourseEnd {
                date,
                reason: end_reason.unwrap_or(EndReason::Other),
            }),
            caseworker,
        },
        cpr,
        name,
        from: (!from.is_empty()).then(|| from.to_string()),
    })
}

/// The courses taken so far and their citizens, by CPR number.
#[derive(Default)]
pub(super) struct Courses {
    pub(super) keys: crate::CourseKeys,
    /// FxHash: 2.8 M CPR numbers for the country, where SipHash was 5 % of reading it.
    citizens: HashMap<Cpr, CitizenId, rustc_hash::FxBuildHasher>,
    /// `from_course` references, resolved when the whole file is read: (course, line, key).
    pub(super) from_refs: Vec<(CourseId, u64, String)>,
    /// The ids of the courses rejected in the course file: a fact of one is not reported again as
    /// pointing at an unknown course (issue 15). Only rejected rows are kept, not every id.
    pub(super) rejected: HashSet<String>,
}

impl Courses {
    /// Takes a parsed course into the population, in the file's order.
    pub(super) fn apply(
        &mut self,
        b: &mut PopulationBuilder,
        file: &str,
        p: Parsed,
        errs: &mut ImportErrors,
    ) {
        if self.keys.get(&b.courses, &p.course.key).is_some() {
            errs.push(ImportError {
                file: file.into(),
                line: p.line,
                column: Some(h::COURSE_ID.into()),
                value: Some(p.course.key.to_string()),
                expected: "et forløbs-id, der ikke er brugt før i filen".into(),
            });
            self.rejected.insert(p.course.key.to_string());
            return;
        }
        let citizen = *self.citizens.entry(p.cpr).or_insert_with(|| {
            b.add_citizen(Citizen {
                cpr: p.cpr,
                name: p.name,
            })
        });
        let id = b.add_course(Course {
            citizen,
            ..p.course
        });
        self.keys.add(&b.courses, id);
        if let Some(from) = p.from {
            self.from_refs.push((id, p.line, from));
        }
    }
}
