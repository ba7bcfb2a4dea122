//! The rows of the course facts' files (conversations, standby, medical requests, rehabilitation
//! team meetings), each parsed and checked against the courses read before it, on a worker
//! thread; the calling thread only collects them.

use std::collections::{HashMap, HashSet};

use kadence_core::model::*;

use super::courses::caseworker;
use super::table::Row;
use super::{ImportError, ImportErrors};
use crate::format::{h, ConversationStatus};

/// What the fact files are checked against: the courses and caseworkers read before them.
#[derive(Copy, Clone)]
pub(super) struct Known<'a> {
    pub(super) courses: &'a [Course],
    pub(super) keys: &'a crate::CourseKeys,
    pub(super) rejected: &'a HashSet<String>,
    pub(super) caseworkers: &'a HashMap<String, CaseworkerId>,
}

/// What a block of fact rows noted besides its facts.
#[derive(Default)]
pub(super) struct Local {
    /// Facts come grouped by course in an export: the last course found is kept, so a run of one
    /// course's facts costs a comparison each instead of a look-up (and no copy of the id).
    last: Option<(String, CourseId)>,
    /// Rows of courses rejected in the course file: how many, and the first few ids.
    rejected: (usize, Vec<String>),
}

impl Known<'_> {
    fn course(&self, r: &Row<'_>, errs: &mut ImportErrors, local: &mut Local) -> Option<CourseId> {
        let text = r.text(h::COURSE_ID);
        if let Some((key, id)) = &local.last {
            if !text.is_empty() && key == text {
                return Some(*id);
            }
        }
        let v = r.required_str(errs, h::COURSE_ID)?;
        match self.keys.get(self.courses, v) {
            Some(id) => {
                let last = local.last.get_or_insert_with(|| (String::new(), id));
                last.0.clear();
                last.0.push_str(v);
                last.1 = id;
                Some(id)
            }
            None => {
                if self.rejected.contains(v) {
                    let refs = &mut local.rejected;
                    refs.0 += 1;
                    if refs.1.len() < 5 && !refs.1.iter().any(|k| k == v) {
                        refs.1.push(v.to_string());
                    }
                } else {
                    r.err(
                        errs,
                        h::COURSE_ID,
                        Some(v.to_string()),
                        "et forløbs-id fra forloeb.csv",
                    );
                }
                None
            }
        }
    }

    pub(super) fn conversation(
        &self,
        r: &Row<'_>,
        errs: &mut ImportErrors,
        local: &mut Local,
    ) -> Option<(CourseId, Conversation)> {
        let course = self.course(r, errs, local);
        let date = r.date(errs, h::DATE);
        let form = r.word::<ConversationForm>(errs, h::FORM);
        let status = r.word::<ConversationStatus>(errs, h::STATUS);
        let cw = caseworker(r, errs, self.caseworkers);
        let registered = r.opt_date(errs, h::REGISTERED);
        let (Some(course), Some(date), Some(form), Some(status), Ok(caseworker), Ok(registered)) =
            (course, date, form, status, cw, registered)
        else {
            return None;
        };
        let held = status == ConversationStatus::Held;
        // A conversation is registered as held once it has been held, not before.
        if let Some(reg) = registered.filter(|reg| held && *reg < date) {
            r.err(
                errs,
                h::REGISTERED,
                Some(reg.dk().to_string()),
                format!(
                    "en registreringsdato på eller efter samtalens dato {}",
                    date.dk()
                ),
            );
            return None;
        }
        Some((
            course,
            Conversation {
                date,
                form,
                held,
                planned: status == ConversationStatus::Planned,
                caseworker,
                registered,
            },
        ))
    }

    pub(super) fn standby(
        &self,
        r: &Row<'_>,
        errs: &mut ImportErrors,
        local: &mut Local,
    ) -> Option<StandbyPeriod> {
        let course = self.course(r, errs, local);
        let start = r.date(errs, h::START);
        let end = r.opt_date(errs, h::END);
        let registered = r.opt_date(errs, h::REGISTERED);
        let (Some(course), Some(start), Ok(end), Ok(registered)) = (course, start, end, registered)
        else {
            return None;
        };
        if let Some(e) = end.filter(|e| *e < start) {
            r.err(
                errs,
                h::END,
                Some(e.dk().to_string()),
                format!("en slutdato på eller efter startdatoen {}", start.dk()),
            );
            return None;
        }
        Some(StandbyPeriod {
            course,
            start,
            end,
            registered,
        })
    }

    pub(super) fn medical(
        &self,
        r: &Row<'_>,
        errs: &mut ImportErrors,
        local: &mut Local,
    ) -> Option<MedicalRequest> {
        let course = self.course(r, errs, local);
        let form = r.word::<MedicalForm>(errs, h::MED_FORM);
        let sent = r.date(errs, h::SENT);
        let deadline = r.opt_date(errs, h::DEADLINE);
        let received = r.opt_date(errs, h::RECEIVED);
        let received_registered = r.opt_date(errs, h::RECEIVED_REGISTERED);
        let (
            Some(course),
            Some(form),
            Some(sent),
            Ok(deadline),
            Ok(received),
            Ok(received_registered),
        ) = (course, form, sent, deadline, received, received_registered)
        else {
            return None;
        };
        match (received, received_registered) {
            (None, Some(reg)) => {
                r.err(
                    errs,
                    h::RECEIVED_REGISTERED,
                    Some(reg.dk().to_string()),
                    "en modtaget-dato, når modtagelsen er registreret",
                );
                return None;
            }
            (Some(got), Some(reg)) if reg < got => {
                r.err(
                    errs,
                    h::RECEIVED_REGISTERED,
                    Some(reg.dk().to_string()),
                    format!("en dato på eller efter modtagelsen {}", got.dk()),
                );
                return None;
            }
            _ => {}
        }
        if let Some(d) = deadline.filter(|d| *d < sent) {
            r.err(
                errs,
                h::DEADLINE,
                Some(d.dk().to_string()),
                format!("en frist efter afsendelsen {}", sent.dk()),
            );
            return None;
        }
        Some(MedicalRequest {
            course,
            form,
            sent,
            deadline,
            received,
            received_registered,
        })
    }

    pub(super) fn rehab(
        &self,
        r: &Row<'_>,
        errs: &mut ImportErrors,
        local: &mut Local,
    ) -> Option<RehabMeeting> {
        let course = self.course(r, errs, local);
        let date = r.date(errs, h::MEETING);
        let basis = r.word::<Lae265Basis>(errs, h::BASIS);
        let (Some(course), Some(date), Some(basis)) = (course, date, basis) else {
            return None;
        };
        Some(RehabMeeting {
            course,
            date,
            basis,
        })
    }
}

/// One error for a file's facts of rejected courses: how many rows, and the first few ids, said
/// once (issue 15: each was reported as an unknown course), from the blocks' notes in order.
pub(super) fn rejected_facts(read: Option<(String, Vec<Local>)>, errs: &mut ImportErrors) {
    let Some((file, locals)) = read else {
        return;
    };
    let mut n = 0;
    let mut keys: Vec<String> = Vec::new();
    for l in locals {
        n += l.rejected.0;
        for k in l.rejected.1 {
            if keys.len() < 5 && !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    if n > 0 {
        errs.push(ImportError {
            file,
            line: 0,
            column: Some(h::COURSE_ID.into()),
            value: None,
            expected: format!(
                "{} hører til forløb, der er afvist i forloeb.csv (se fejlene dér), fx {}; de læses, når forløbet er rettet",
                kadence_core::dk::count(n as u64, "række", "rækker"),
                keys.join(", ")
            ),
        });
    }
}
