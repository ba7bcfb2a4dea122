//! "Revisionslog": the administrator's look-ups in the audit log and the chain's verification.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use kadence_core::dk;
use kadence_core::dk::local_time;
use kadence_store::access::AuditEntry;
use serde::Deserialize;

use crate::frame::*;
use crate::{AppState, Authed};

#[derive(Template)]
#[template(path = "audit.html")]
pub(crate) struct AuditPage {
    layout: Option<Layout>,
    intact: bool,
    /// The chain's state, when an administrator asked for the check.
    verdict: Option<String>,
    csrf: String,
    message: Option<String>,
    citizen: Option<String>,
    entries: Vec<(String, String, String, String, String)>,
}

pub(crate) async fn audit_view(
    st: &AppState,
    a: &Authed,
    citizen: Option<String>,
    entries: Vec<(String, String, String, String, String)>,
    message: Option<String>,
    check: bool,
) -> Response {
    use kadence_store::access::AuditVerdict;
    // Verifying reads the whole log (millions of events after a year), so only when asked.
    let (intact, verdict) = if !check {
        (true, None)
    } else {
        match st.store.audit_verify().await {
            Ok(AuditVerdict::Intact { entries }) => (
                true,
                Some(format!(
                    "Hash-kæden er intakt: {} poster.",
                    dk::int(entries)
                )),
            ),
            Ok(AuditVerdict::Broken { seq }) => (
                false,
                Some(format!(
                    "Hash-kæden er brudt ved post nr. {seq}: en post er ændret eller slettet."
                )),
            ),
            Err(_) => (
                false,
                Some("Revisionsloggen kunne ikke kontrolleres.".to_string()),
            ),
        }
    };
    html(&AuditPage {
        layout: Some(layout(st, a, "/admin/revision", today(st), Vec::new())),
        intact,
        verdict,
        csrf: a.session.csrf_token.clone(),
        message,
        citizen,
        entries,
    })
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    kontrol: Option<String>,
}

pub async fn audit_page(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<AuditQuery>,
) -> Response {
    audit_view(&st, &a, None, Vec::new(), None, q.kontrol.is_some()).await
}

#[derive(Deserialize)]
pub struct CprForm {
    cpr: String,
}

/// One citizen's audit trail, looked up by POST so the CPR number is never in a URL; the look-up is
/// itself logged.
pub async fn audit_lookup(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Form(f): Form<CprForm>,
) -> Response {
    let Ok(cpr) = kadence_core::cpr::Cpr::parse(&f.cpr) else {
        return audit_view(
            &st,
            &a,
            None,
            Vec::new(),
            Some("Skriv et gyldigt CPR-nummer (10 cifre).".into()),
            false,
        )
        .await;
    };
    let Ok(records) = st.store.audit_entries(Some(&cpr)).await else {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Udtrækket fejlede",
            "Revisionsloggen kunne ikke læses.",
        );
    };
    let entry = AuditEntry {
        username: a.session.user.username.clone(),
        cpr: Some(cpr),
        course_key: None,
        action: "udtræk af revisionslog".into(),
        purpose: "Indsigtsanmodning eller kontrol".into(),
    };
    if st.store.audit_append(&[entry], st.now()).await.is_err() {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Udtrækket kan ikke vises",
            "Opslaget kunne ikke logges, og derfor vises udtrækket ikke.",
        );
    }
    let rows = records
        .into_iter()
        .map(|r| {
            (
                local_time(&r.at),
                r.entry.action,
                r.entry.purpose,
                r.entry.course_key.unwrap_or_default(),
                r.entry.username,
            )
        })
        .collect();
    audit_view(&st, &a, Some(cpr.masked()), rows, None, false).await
}
