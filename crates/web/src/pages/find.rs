//! "Find borger": a citizen found by CPR number or course id (forløbs-id), for the caseworker whose
//! phone rings.
//!
//! The search is a POST, so a CPR number never reaches a URL (nor a log line of a proxy, nor the
//! browser's history). The purpose rule is that of the course page: a user searches their own
//! caseload (or team) without stating a purpose; anything wider needs one of the course page's
//! purposes, chosen before the search runs, so whether a number belongs to a sick-listed citizen is
//! never told to someone who has not said why they ask. A search by CPR number writes exactly one
//! audit entry: naming the citizen and the courses found, or the number searched when nothing was
//! found. A search by course id writes one entry when it finds a course (it shows a citizen), none
//! when it does not (it showed nobody).

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use kadence_core::cpr::Cpr;
use kadence_core::model::*;
use kadence_store::access::{AuditEntry, Role};
use serde::Deserialize;

use crate::frame::*;
use crate::{AppState, Authed};

/// The purpose value meaning "within my own caseload or team" (no purpose to state).
const OWN: &str = "egen";

#[derive(Deserialize, Default)]
pub struct FindForm {
    /// A CPR number (with or without the dash) or a course id.
    soeg: Option<String>,
    formaal: Option<String>,
    begrundelse: Option<String>,
    dato: Option<String>,
}

pub struct Hit {
    href: String,
    key: String,
    kind: &'static str,
    first_absence: String,
    state: String,
    caseworker: String,
}

#[derive(Template)]
#[template(path = "find.html")]
pub(crate) struct FindPage {
    layout: Option<Layout>,
    csrf: String,
    as_of: String,
    /// The text searched for, shown again unless it was a CPR number (which is never echoed: the page
    /// may be left open on a screen).
    shown_query: String,
    own_label: &'static str,
    purposes: &'static [(&'static str, &'static str)],
    chosen: String,
    reason: String,
    error: Option<String>,
    /// After a search: what was searched, in words, and what was found.
    searched: Option<String>,
    citizen: Option<(String, String)>,
    hits: Vec<Hit>,
}

/// What the text in the search field is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Needle {
    Cpr(Cpr),
    Course(String),
}

/// Ten digits, with or without the dash after the sixth, is a CPR number (and must be a valid one);
/// anything else is a course id.
pub(crate) fn needle(text: &str) -> Result<Needle, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Skriv et CPR-nummer eller et forløbs-id.".into());
    }
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    let cpr_shaped = t.chars().all(|c| c.is_ascii_digit() || c == '-') && digits == 10;
    if cpr_shaped {
        return Cpr::parse(t).map(Needle::Cpr).map_err(|e| e.to_string());
    }
    Ok(Needle::Course(t.to_string()))
}

fn own_label(a: &Authed) -> &'static str {
    if a.session.user.role == Role::TeamLead {
        "Borger i mit team (intet formål at angive)"
    } else {
        "Borger i min sagsstamme (intet formål at angive)"
    }
}

fn empty_page(st: &AppState, a: &Authed, as_of: kadence_core::Day) -> FindPage {
    FindPage {
        layout: Some(layout(st, a, "/find", as_of, Vec::new())),
        csrf: a.session.csrf_token.clone(),
        as_of: as_of.dk().to_string(),
        shown_query: String::new(),
        own_label: own_label(a),
        purposes: PURPOSES,
        chosen: OWN.into(),
        reason: String::new(),
        error: None,
        searched: None,
        citizen: None,
        hits: Vec::new(),
    }
}

#[derive(Deserialize, Default)]
pub struct DateQuery {
    dato: Option<String>,
}

pub async fn page(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    axum::extract::Query(q): axum::extract::Query<DateQuery>,
) -> Response {
    let as_of = as_of(&st, &q.dato);
    html(&empty_page(&st, &a, as_of))
}

pub async fn search(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Form(f): Form<FindForm>,
) -> Response {
    let as_of = as_of(&st, &f.dato);
    let mut page = empty_page(&st, &a, as_of);
    let chosen = f.formaal.clone().unwrap_or_else(|| OWN.into());
    page.chosen = chosen.clone();
    page.reason = f.begrundelse.clone().unwrap_or_default();
    let needle = match needle(f.soeg.as_deref().unwrap_or("")) {
        Ok(n) => n,
        Err(e) => {
            page.error = Some(e);
            return (StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response();
        }
    };
    if let Needle::Course(k) = &needle {
        page.shown_query = k.clone();
    }
    // The purpose: within the user's own scope, or one of the course page's, stated now.
    let wide = if chosen == OWN {
        None
    } else {
        match PURPOSES.iter().find(|(k, _)| *k == chosen) {
            Some((_, label)) => Some(with_reason(label, f.begrundelse.as_deref())),
            None => {
                page.error = Some("Vælg et formål.".into());
                return (StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response();
            }
        }
    };
    let snap = st.data.get();
    let pop = &snap.population;
    let sc = scope(pop, &a);
    let allowed = |c: &Course| wide.is_some() || sc.keeps(pop, c);
    let mut found: Vec<CourseId> = match &needle {
        Needle::Cpr(cpr) => pop
            .citizens
            .iter()
            .position(|x| x.cpr == *cpr)
            .map(|i| {
                pop.course_ids()
                    .filter(|id| {
                        let c = &pop.courses[id.index()];
                        c.citizen.index() == i && allowed(c)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Needle::Course(k) => pop
            .course_by_key(k)
            .filter(|id| allowed(&pop.courses[id.index()]))
            .into_iter()
            .collect(),
    };
    // Newest course first.
    found.sort_by_key(|id| std::cmp::Reverse(pop.courses[id.index()].clock_start()));
    let purpose = wide.clone().unwrap_or_else(|| sc.purpose.to_string());
    let keys: Vec<&str> = found
        .iter()
        .map(|id| pop.courses[id.index()].key.as_str())
        .collect();
    let entry = match (&needle, found.first()) {
        (Needle::Cpr(cpr), first) => Some(AuditEntry {
            username: a.session.user.username.clone(),
            cpr: Some(first.map_or(*cpr, |id| {
                pop.citizens[pop.courses[id.index()].citizen.index()].cpr
            })),
            course_key: first.map(|id| pop.courses[id.index()].key.to_string()),
            action: if keys.is_empty() {
                "søgt på CPR-nummer, intet forløb fundet".to_string()
            } else {
                format!(
                    "fundet ved søgning på CPR-nummer (forløb {})",
                    keys.join(", ")
                )
            },
            purpose: purpose.clone(),
        }),
        (Needle::Course(_), Some(id)) => {
            let c = &pop.courses[id.index()];
            Some(AuditEntry {
                username: a.session.user.username.clone(),
                cpr: Some(pop.citizens[c.citizen.index()].cpr),
                course_key: Some(c.key.to_string()),
                action: "fundet ved søgning på forløbs-id".into(),
                purpose: purpose.clone(),
            })
        }
        (Needle::Course(_), None) => None,
    };
    if let Some(e) = entry {
        if st.store.audit_append(&[e], st.now()).await.is_err() {
            return render_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Søgningen kan ikke udføres",
                "Opslaget kunne ikke logges, og derfor vises resultatet ikke. Prøv igen.",
            );
        }
    }
    // The stated purpose carries to the course pages found, as if stated there.
    if let Some(p) = &wide {
        for k in &keys {
            st.grant_purpose(&a.session_key, k, p.clone());
        }
    }
    let what = match &needle {
        Needle::Cpr(_) => "dette CPR-nummer",
        Needle::Course(_) => "dette forløbs-id",
    };
    let where_ = if wide.is_some() {
        "i kommunens data"
    } else if a.session.user.role == Role::TeamLead {
        "i dit team"
    } else {
        "i din sagsstamme"
    };
    page.searched = Some(if found.is_empty() {
        let hint = if wide.is_none() {
            " Vælg et formål for at søge i hele kommunens data."
        } else {
            ""
        };
        format!("Intet forløb fundet med {what} {where_}.{hint}")
    } else {
        format!(
            "{} fundet med {what} {where_}.",
            kadence_core::dk::count(found.len() as u64, "forløb", "forløb")
        )
    });
    if let Some(id) = found.first() {
        let citizen = &pop.citizens[pop.courses[id.index()].citizen.index()];
        page.citizen = Some((surname_first(&citizen.name), citizen.cpr.masked()));
    }
    page.hits = found
        .iter()
        .map(|id| {
            let c = &pop.courses[id.index()];
            Hit {
                href: format!("/forloeb/{}?dato={}", path_segment(&c.key), as_of.dk()),
                key: c.key.to_string(),
                kind: match c.kind {
                    CourseKind::SicknessBenefit => "Sygedagpenge",
                    CourseKind::JobClarification => "Jobafklaring",
                },
                first_absence: c.first_absence.dk().to_string(),
                state: match c.end {
                    Some(e) if e.date < as_of => format!("Afsluttet {}", e.date.dk()),
                    _ if c.clock_start() > as_of => format!("Begynder {}", c.clock_start().dk()),
                    _ => "Aktivt".to_string(),
                },
                caseworker: c.caseworker.map_or("Ikke fordelt".into(), |w| {
                    pop.caseworkers[w.index()].name.clone()
                }),
            }
        })
        .collect();
    html(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_digits_are_a_cpr_number_anything_else_a_course_id() {
        let cpr = |s: &str| Cpr::parse(s).unwrap();
        for (text, want) in [
            ("0101501000", Ok(Needle::Cpr(cpr("0101501000")))),
            ("010150-1000", Ok(Needle::Cpr(cpr("0101501000")))),
            (" 010150-1000 ", Ok(Needle::Cpr(cpr("0101501000")))),
            ("F-2025-0001", Ok(Needle::Course("F-2025-0001".into()))),
            ("12345", Ok(Needle::Course("12345".into()))),
            (
                "3102501000",
                Err("CPR-nummerets første 6 cifre er ikke en gyldig dato".to_string()),
            ),
            (
                "",
                Err("Skriv et CPR-nummer eller et forløbs-id.".to_string()),
            ),
        ] {
            assert_eq!(needle(text), want, "{text:?}");
        }
    }
}
