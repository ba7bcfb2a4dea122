//! Bulk reassignment in "Mit team": a team lead ticks citizens in the list, chooses the receiving
//! caseworker (none is preselected), sees the citizens and the receiver on a confirmation page, and
//! only then moves their courses. The move is stored by [`kadence_store::Store::reassign`] (it holds
//! until the case system names someone else), the snapshot is reloaded so every page and figure sees
//! the new caseworker at once, and each moved citizen gets an audit entry.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use kadence_core::model::CourseId;

use crate::frame::{
    as_of, audit_entries, form_urlencoded, html, in_team_scope, layout, render_error,
    surname_first, user_team, Layout,
};
use crate::{AppState, Authed};

/// The list's own parameters, carried from the list through the confirmation and back.
const LIST_FIELDS: &[&str] = &[
    "visning",
    "q",
    "side",
    "sorter",
    "sagsbehandler",
    "maalgruppe",
    "frist",
];

pub struct ConfirmRow {
    name: String,
    cpr: String,
    key: String,
    from: String,
}

#[derive(Template)]
#[template(path = "reassign_confirm.html")]
pub(crate) struct ConfirmPage {
    layout: Option<Layout>,
    csrf: String,
    rows: Vec<ConfirmRow>,
    to_name: String,
    /// The list's parameters and the as-of date, posted again with the confirmation.
    hidden: Vec<(String, String)>,
    back: String,
}

/// At most this many courses in one move (a page shows 50; this leaves room without inviting abuse).
const MAX_COURSES: usize = 500;

pub async fn reassign_post(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut keys: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "forloeb")
        .map(|(_, v)| v.clone())
        .collect();
    keys.sort();
    keys.dedup();
    let to = field("til");
    let back = {
        let mut q = format!("/team?dato={}", form_urlencoded(&field("dato")));
        for name in LIST_FIELDS {
            let v = field(name);
            if !v.is_empty() {
                q.push_str(&format!("&{name}={}", form_urlencoded(&v)));
            }
        }
        q
    };
    let refuse = |status: StatusCode, text: &str| {
        render_error(
            status,
            "Borgerne blev ikke flyttet",
            &format!("{text} Intet er ændret."),
        )
    };
    if keys.is_empty() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Vælg mindst én borger i listen, før du flytter.",
        );
    }
    if keys.len() > MAX_COURSES {
        return refuse(
            StatusCode::BAD_REQUEST,
            &format!("Der kan højst flyttes {MAX_COURSES} forløb ad gangen."),
        );
    }
    let snap = st.data.get();
    let pop = &snap.population;
    let Some(team) = user_team(pop, &a) else {
        return refuse(
            StatusCode::FORBIDDEN,
            "Din bruger er ikke knyttet til et team i data.",
        );
    };
    if to.is_empty() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Vælg den sagsbehandler, borgerne skal flyttes til.",
        );
    }
    let Some(receiver) = pop
        .caseworkers
        .iter()
        .find(|w| w.key == to && w.team == team)
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Vælg en sagsbehandler i dit eget team at flytte til.",
        );
    };
    // Only the team's own courses as they stand now (including earlier moves in Kadence), and
    // courses no caseworker has; found in one pass over the courses.
    let wanted: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
    let chosen: Vec<CourseId> = pop
        .course_ids()
        .filter(|id| wanted.contains(pop.courses[id.index()].key.as_str()))
        .collect();
    if chosen.len() != keys.len()
        || !chosen
            .iter()
            .all(|id| in_team_scope(pop, &pop.courses[id.index()], Some(team)))
    {
        return refuse(
            StatusCode::FORBIDDEN,
            "Et af de valgte forløb hører ikke til dit team.",
        );
    }
    if field("bekraeft") != "ja" {
        // The confirmation shows citizens, so it is a logged look-up of its own.
        let audit = audit_entries(
            pop,
            &a,
            chosen.iter().copied(),
            "vist før flytning",
            "Teamledelse",
        );
        if st.store.audit_append(&audit, st.now()).await.is_err() {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "Opslaget kunne ikke logges, og derfor vises borgerne ikke.",
            );
        }
        let mut hidden: Vec<(String, String)> = keys
            .iter()
            .map(|k| ("forloeb".to_string(), k.clone()))
            .collect();
        hidden.push(("til".into(), to.clone()));
        hidden.push(("dato".into(), field("dato")));
        for name in LIST_FIELDS {
            let v = field(name);
            if !v.is_empty() {
                hidden.push(((*name).to_string(), v));
            }
        }
        let mut rows: Vec<ConfirmRow> = chosen
            .iter()
            .map(|id| {
                let c = &pop.courses[id.index()];
                let citizen = &pop.citizens[c.citizen.index()];
                ConfirmRow {
                    name: surname_first(&citizen.name),
                    cpr: citizen.cpr.masked(),
                    key: c.key.to_string(),
                    from: c.caseworker.map_or("Ikke fordelt".into(), |w| {
                        pop.caseworkers[w.index()].name.clone()
                    }),
                }
            })
            .collect();
        rows.sort_by(|x, y| x.name.cmp(&y.name).then(x.key.cmp(&y.key)));
        let dato = field("dato");
        let page = ConfirmPage {
            layout: Some(layout(
                &st,
                &a,
                "/team",
                as_of(&st, &Some(dato)),
                Vec::new(),
            )),
            csrf: a.session.csrf_token.clone(),
            rows,
            to_name: receiver.name.clone(),
            hidden,
            back,
        };
        return html(&page);
    }
    let audit = audit_entries(
        pop,
        &a,
        chosen,
        "flytning til anden sagsbehandler",
        "Teamledelse",
    );
    drop(snap);
    let now = st.now();
    if st.store.audit_append(&audit, now).await.is_err() {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "Flytningen kunne ikke logges, og derfor er den ikke udført.",
        );
    }
    let moved = match st
        .store
        .reassign(&keys, &to, &a.session.user.username, now)
        .await
    {
        Ok(n) => n,
        Err(_) => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "Databasen kunne ikke gemme flytningen. Prøv igen.",
            )
        }
    };
    // Every page and figure sees the move at once: reload the data with it applied.
    match st.store.load().await {
        Ok(s) => st.data.replace(s),
        Err(_) => {
            return render_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Flytningen er gemt",
                "Flytningen er gemt, men data kunne ikke genindlæses; den vises efter næste genstart eller import.",
            )
        }
    }
    Redirect::to(&format!(
        "{back}&flyttet={moved}&til={}",
        form_urlencoded(&to)
    ))
    .into_response()
}
