//! The course page: every duty explained, the timeline, and the purpose asked for other caseworkers'
//! citizens.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use kadence_core::duties::{evaluate, Status};
use kadence_core::model::*;
use kadence_core::worklist::{days_text, flags};
use kadence_store::access::{AuditEntry, Role};
use serde::Deserialize;

use crate::charts::*;
use crate::frame::*;
use crate::{AppState, Authed};

#[derive(Template)]
#[template(path = "purpose.html")]
pub(crate) struct PurposePage {
    layout: Option<Layout>,
    action: String,
    key: String,
    scope: &'static str,
    purposes: &'static [(&'static str, &'static str)],
    csrf: String,
    message: Option<String>,
}

pub struct DutyView {
    title: String,
    status: &'static str,
    class: &'static str,
    due: String,
    days: String,
    paragraph: &'static str,
    rule_set: &'static str,
    explanation: String,
    /// Judged by a rule set that rests on unconfirmed facts (shown "foreløbig").
    provisional: bool,
}

pub struct CourseView {
    key: String,
    /// The full CPR number is shown (after "Vis CPR").
    revealed: bool,
    name: String,
    cpr: String,
    kind: &'static str,
    group: &'static str,
    first_absence: String,
    benefit_start: String,
    days: i32,
    caseworker: String,
    flags: Vec<String>,
    duties: Vec<DutyView>,
    local: Vec<String>,
    /// Date, form, status, and when it was registered (with the lag, or that it was not yet known
    /// on the as-of date).
    conversations: Vec<(String, &'static str, &'static str, String)>,
    standby: Vec<String>,
    medical: Vec<(&'static str, String, String, String)>,
    /// The reform's facts (2026 § 13 f, the 2027 reduced rate), as (label, value).
    reform: Vec<(&'static str, String)>,
    /// Contradictions in the data (data-quality warnings).
    warnings: Vec<String>,
    /// The unconfirmed facts of the law the duties rest on, one line per rule set.
    provisional: Vec<String>,
    /// The settings that judged the course ("indstillinger v2 (gælder fra ...)").
    settings: String,
    /// The course in the case system, when the municipality set a link template.
    case_link: Option<String>,
    /// Job clarification: the transition date and the sickness-benefit course it continues (key,
    /// link), the visitation category with its date; the clock's day 1 in words.
    transition: Option<String>,
    from_course: Option<(String, String)>,
    visitation: Option<String>,
    clock_note: String,
    /// Rehabilitation-team meetings known on the as-of date: (date, LÆ 265 basis).
    rehab: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "course.html")]
pub(crate) struct CoursePage {
    layout: Option<Layout>,
    /// Where "Vis CPR" posts to.
    reveal_action: String,
    csrf: String,
    as_of: String,
    timeline: String,
    c: CourseView,
}

#[derive(Deserialize, Default)]
pub struct DateQuery {
    dato: Option<String>,
}

/// Whether the course is in the user's own caseload or team, and the purpose that implies.
pub(crate) fn own_purpose(pop: &Population, course: &Course, a: &Authed) -> Option<&'static str> {
    let u = &a.session.user;
    match u.role {
        Role::Caseworker => {
            let key = course
                .caseworker
                .map(|c| pop.caseworkers[c.index()].key.as_str());
            (key.is_some() && key == u.caseworker_key.as_deref()).then_some("Opfølgning i egen sag")
        }
        // The team's courses and the unassigned pool, as "Mit team" lists them.
        Role::TeamLead => in_team_scope(pop, course, user_team(pop, a)).then_some("Teamledelse"),
        _ => None,
    }
}

pub async fn course(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Path(key): Path<String>,
    Query(q): Query<DateQuery>,
) -> Response {
    course_page(&st, &a, key, &q.dato, false).await
}

/// "Vis CPR": the course page with the full CPR number, by POST (never in a URL), logged as its own
/// action.
pub async fn reveal_cpr(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Path(key): Path<String>,
    Form(f): Form<DateQuery>,
) -> Response {
    course_page(&st, &a, key, &f.dato, true).await
}

pub(crate) async fn course_page(
    st: &AppState,
    a: &Authed,
    key: String,
    dato: &Option<String>,
    reveal: bool,
) -> Response {
    let snap = st.data.get();
    let pop = &snap.population;
    let as_of = as_of(st, dato);
    let granted = st.granted_purpose(&a.session_key, &key);
    let course = pop
        .course_by_key(&key)
        .map(|id| (id, &pop.courses[id.index()]));
    // An id that is not a course is answered as a course outside the user's remit: the purpose
    // is asked first (and logged when given), so guessing ids does not tell which exist (issue
    // 14.8: the existence oracle). Only after a stated purpose does an unknown id say so.
    let own = course.and_then(|(_, c)| own_purpose(pop, c, a));
    let (purpose, id, course) = match (course, own, granted) {
        (Some((id, c)), Some(p), _) => (p.to_string(), id, c),
        (Some((id, c)), None, Some(p)) => (p, id, c),
        (None, _, Some(_)) => {
            return render_error(
                StatusCode::NOT_FOUND,
                "Forløbet findes ikke",
                "Der er intet forløb med dette id i de importerede data.",
            );
        }
        (_, _, None) => {
            let page = PurposePage {
                layout: Some(layout(st, a, "", as_of, Vec::new())),
                action: format!("/forloeb/{}/formaal", path_segment(&key)),
                key,
                scope: if a.session.user.role == Role::TeamLead {
                    "dit team"
                } else {
                    "din sagsstamme"
                },
                purposes: PURPOSES,
                csrf: a.session.csrf_token.clone(),
                message: None,
            };
            return html(&page);
        }
    };
    let f = pop.facts(id);
    let citizen = &pop.citizens[course.citizen.index()];
    if st
        .store
        .audit_append(
            &[AuditEntry {
                username: a.session.user.username.clone(),
                cpr: Some(citizen.cpr),
                course_key: Some(course.key.to_string()),
                action: if reveal {
                    "vist forløb med fuldt CPR-nummer"
                } else {
                    "vist forløb"
                }
                .into(),
                purpose,
            }],
            st.now(),
        )
        .await
        .is_err()
    {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Forløbet kan ikke vises",
            "Opslaget kunne ikke logges, og derfor vises forløbet ikke. Prøv igen.",
        );
    }
    let version = st.settings_on(&snap, as_of);
    let book = version.settings.book();
    let s = evaluate(f, &book, &version.settings.duties, as_of);
    let view = CourseView {
        key: course.key.to_string(),
        name: surname_first(&citizen.name),
        cpr: if reveal {
            citizen.cpr.reveal()
        } else {
            citizen.cpr.masked()
        },
        revealed: reveal,
        kind: match course.kind {
            CourseKind::SicknessBenefit => "Sygedagpenge",
            CourseKind::JobClarification => "Jobafklaring",
        },
        group: match course.target_group {
            TargetGroup::Employed => "Beskæftiget",
            TargetGroup::Unemployed => "Ledig",
            TargetGroup::SelfEmployed => "Selvstændig",
        },
        first_absence: course.first_absence.dk().to_string(),
        benefit_start: course.benefit_start.dk().to_string(),
        days: s.days_since_first_absence,
        caseworker: course.caseworker.map_or("Ikke fordelt".into(), |x| {
            pop.caseworkers[x.index()].name.clone()
        }),
        flags: flags(pop, id, &s),
        duties: s
            .duties
            .iter()
            .map(|d| DutyView {
                title: d.title(),
                status: d.status.label(),
                provisional: d.provisional,
                class: match d.status {
                    Status::Overdue | Status::Missed | Status::Conflict => "overdue",
                    Status::DueSoon => "soon",
                    _ => "",
                },
                // The effective deadline, as in the worklist: for counting duties the latest date for
                // the next conversation; the window's end is in the explanation.
                due: d
                    .next_by
                    .or(d.due)
                    .map(|x| x.dk().to_string())
                    .unwrap_or_else(|| "-".into()),
                days: d
                    .days_left
                    .filter(|_| d.status.is_actionable())
                    .map(days_text)
                    .unwrap_or_default(),
                paragraph: d.paragraph,
                rule_set: d.rule_set,
                explanation: d.explain(),
            })
            .collect(),
        local: s
            .local
            .iter()
            .map(|l| match (l.status, l.words()) {
                (Status::Met, _) | (_, None) => format!(
                    "{}: {} ({} af {} inden {})",
                    l.name,
                    l.words().unwrap_or_else(|| l.status.label().to_lowercase()),
                    l.counted,
                    l.required,
                    l.window.1.dk(),
                ),
                (_, Some(w)) => format!("{}: {w}", l.name),
            })
            .collect(),
        conversations: f
            .conversations
            .iter()
            .filter(|c| c.date <= as_of)
            .map(|c| {
                (
                    c.date.dk().to_string(),
                    match c.form {
                        ConversationForm::InPerson => "Fremmøde",
                        ConversationForm::Phone => "Telefon",
                        ConversationForm::Video => "Video",
                    },
                    c.status_label(),
                    match c.registered {
                        None => "-".to_string(),
                        Some(r) if r > as_of => format!(
                            "{}: efter {}, tæller ikke pr. denne dato",
                            r.dk(),
                            as_of.dk()
                        ),
                        Some(r) => match c.registration_lag() {
                            Some(lag) if c.held && lag > 0 => {
                                format!("{} ({} efter)", r.dk(), kadence_core::dk::days(i64::from(lag)))
                            }
                            _ => r.dk().to_string(),
                        },
                    },
                )
            })
            .collect(),
        standby: f
            .standby
            .iter()
            .filter(|p| p.start <= as_of)
            .map(|p| match p.end.filter(|e| *e <= as_of) {
                Some(e) => format!("{} til {}", p.start.dk(), e.dk()),
                None => format!("Fra {} (ingen slutdato)", p.start.dk()),
            })
            .collect(),
        medical: f
            .medical
            .iter()
            .filter(|m| m.sent <= as_of)
            .map(|m| {
                (
                    match m.form {
                        MedicalForm::Lae285 => "LÆ 285",
                        MedicalForm::Lae265 => "LÆ 265",
                        MedicalForm::Other => "Anden",
                    },
                    m.sent.dk().to_string(),
                    m.deadline.map(|d| d.dk().to_string()).unwrap_or_default(),
                    m.received
                        .filter(|r| *r <= as_of)
                        .map_or_else(|| "Afventer svar".to_string(), |r| r.dk().to_string()),
                )
            })
            .collect(),
        reform: reform_facts(course, as_of),
        warnings: s.warnings.clone(),
        provisional: {
            let mut v: Vec<String> = s
                .duties
                .iter()
                .filter_map(|d| d.provisional_reason(&book))
                .collect();
            v.sort();
            v.dedup();
            v
        },
        settings: version.label(),
        case_link: version.settings.case_system.for_course(&course.key),
        transition: course
            .transition
            .filter(|_| course.kind == CourseKind::JobClarification)
            .map(|d| d.dk().to_string()),
        from_course: course.from_course.map(|id| {
            let k = pop.courses[id.index()].key.as_str();
            (
                k.to_string(),
                format!("/forloeb/{}?dato={}", path_segment(k), as_of.dk()),
            )
        }),
        visitation: course.visitation.filter(|v| v.set_on <= as_of).map(|v| {
            format!(
                "Kategori {} (fra {})",
                match v.category {
                    Category::One => 1,
                    Category::Two => 2,
                    Category::Three => 3,
                },
                v.set_on.dk()
            )
        }),
        clock_note: match course.kind {
            CourseKind::SicknessBenefit => {
                "Lovens frister regnes fra første fraværsdag, ikke fra ydelsesstart.".into()
            }
            CourseKind::JobClarification => format!(
                "Jobafklaringsforløbets frister regnes fra overgangen{}, ikke fra første fraværsdag{}.",
                course
                    .transition
                    .map(|d| format!(" {}", d.dk()))
                    .unwrap_or_else(|| " (ukendt: ydelsesstart bruges)".into()),
                s.duty(kadence_core::duties::DutyKind::JobClarificationFollowUps)
                    .map(|d| format!(" ({})", d.paragraph))
                    .unwrap_or_default()
            ),
        },
        rehab: f
            .rehab
            .iter()
            .filter(|m| m.date <= as_of)
            .map(|m| {
                (
                    m.date.dk().to_string(),
                    match m.basis {
                        Lae265Basis::Present => "LÆ 265 foreligger",
                        Lae265Basis::Lae285Exception => "LÆ 285 i stedet for LÆ 265",
                        Lae265Basis::SufficientlyInformed => "Sagen er tilstrækkeligt oplyst",
                        Lae265Basis::Missing => "Ingen LÆ 265",
                    },
                )
            })
            .collect(),
    };
    let page = CoursePage {
        reveal_action: format!("/forloeb/{}/vis-cpr", path_segment(&course.key)),
        csrf: a.session.csrf_token.clone(),
        layout: Some(layout(st, a, "", as_of, Vec::new())),
        as_of: as_of.dk().to_string(),
        timeline: timeline_svg(&f, &s),
        c: view,
    };
    html(&page)
}

/// The reform's dated facts known on `as_of`, labelled in Danish.
fn reform_facts(c: &Course, as_of: kadence_core::Day) -> Vec<(&'static str, String)> {
    let r = c.reform();
    let known =
        |d: Option<kadence_core::Day>| d.filter(|d| *d <= as_of).map(|d| d.dk().to_string());
    let mut out = Vec::new();
    if let Some(d) = known(r.fit_within_26_weeks) {
        out.push(("Forventet rask inden 26 uger (registreret)", d));
    }
    if let Some(a) = r.follow_up_asked.filter(|a| a.date <= as_of) {
        out.push((
            "Opfølgning ønsket",
            format!(
                "{} af {}",
                a.date.dk(),
                match a.by {
                    Requester::Citizen => "borgeren",
                    Requester::Employer => "arbejdsgiveren",
                }
            ),
        ));
    }
    if let Some(d) = known(r.municipality_decided) {
        out.push(("Kommunen besluttede opfølgning", d));
    }
    if let Some(d) = known(r.unemployed_on) {
        out.push(("Ledig fra", d));
    }
    if let Some(d) = known(r.reduced_rate_from) {
        out.push(("Nedsat sats fra", d));
    }
    out
}

#[derive(Deserialize)]
pub struct PurposeForm {
    formaal: Option<String>,
    begrundelse: Option<String>,
}

pub async fn purpose_post(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Path(key): Path<String>,
    Form(f): Form<PurposeForm>,
) -> Response {
    let chosen = f
        .formaal
        .as_deref()
        .and_then(|v| PURPOSES.iter().find(|(k, _)| *k == v));
    let Some((_, label)) = chosen else {
        let page = PurposePage {
            layout: Some(layout(&st, &a, "", today(&st), Vec::new())),
            action: format!("/forloeb/{}/formaal", path_segment(&key)),
            key,
            scope: "din sagsstamme",
            purposes: PURPOSES,
            csrf: a.session.csrf_token.clone(),
            message: Some("Vælg et formål.".into()),
        };
        return (StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response();
    };
    let purpose = with_reason(label, f.begrundelse.as_deref());
    st.grant_purpose(&a.session_key, &key, purpose);
    // Back to the course, known or not (the same answer either way); the key is percent-encoded
    // into the path, so it cannot leave the site.
    Redirect::to(&format!("/forloeb/{}", path_segment(&key))).into_response()
}
