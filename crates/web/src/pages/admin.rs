//! The administrator's pages: users ("Brugere": create, disable, enable, reset a password) and the
//! import history ("Importer": every batch with its files, sizes, SHA-256 and row counts).
//!
//! Every change is a POST with the session's CSRF token (checked by the guard); a refused change says
//! why in Danish and changes nothing. The same operations exist in the CLI (`kadence user ...`).

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use kadence_core::dk::{self, local_time};
use kadence_store::access::{NewUser, Role};
use serde::Deserialize;

use crate::frame::{html, layout, render_error, today, Layout};
use crate::{AppState, Authed};

/// Passwords shorter than this are refused (as in the CLI).
pub const MIN_PASSWORD: usize = 12;

pub struct UserRow {
    username: String,
    name: String,
    role: &'static str,
    caseworker: String,
    team: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Option<Layout>,
    csrf: String,
    users: Vec<UserRow>,
    roles: Vec<&'static str>,
    /// A confirmation (after a change) or an error (a refused change).
    notice: Option<String>,
    error: Option<String>,
    /// The add form's values, kept after a refusal.
    form: AddUser,
}

#[derive(Deserialize, Default, Clone)]
pub struct AddUser {
    #[serde(default)]
    username: String,
    #[serde(default)]
    navn: String,
    #[serde(default)]
    rolle: String,
    #[serde(default)]
    sagsbehandler_id: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    adgangskode: String,
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    besked: Option<String>,
}

async fn users_view(
    st: &AppState,
    a: &Authed,
    notice: Option<String>,
    error: Option<String>,
    form: AddUser,
) -> Response {
    let Ok(list) = st.store.users().await else {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Brugerne kan ikke vises",
            "Databasen svarede ikke. Prøv igen.",
        );
    };
    html(&UsersPage {
        layout: Some(layout(st, a, "/admin/brugere", today(st), Vec::new())),
        csrf: a.session.csrf_token.clone(),
        users: list
            .into_iter()
            .map(|u| UserRow {
                username: u.username,
                name: u.display_name,
                role: u.role.code(),
                caseworker: u.caseworker_key.unwrap_or_default(),
                team: u.team_key.unwrap_or_default(),
                disabled: u.disabled,
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| r.code()).collect(),
        notice,
        error,
        form: AddUser {
            adgangskode: String::new(),
            ..form
        },
    })
}

pub async fn users_page(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    axum::extract::Query(q): axum::extract::Query<UsersQuery>,
) -> Response {
    // Only fixed confirmations travel in the URL (a code, never a name typed by someone).
    let notice = q.besked.as_deref().and_then(|b| match b {
        "oprettet" => Some("Brugeren er oprettet.".to_string()),
        "spaerret" => Some("Brugeren er spærret, og brugerens sessioner er afsluttet.".to_string()),
        "genaabnet" => Some("Brugeren er genåbnet.".to_string()),
        "adgangskode" => Some("Adgangskoden er nulstillet.".to_string()),
        _ => None,
    });
    users_view(&st, &a, notice, None, AddUser::default()).await
}

/// Checks a username: letters, digits, '.', '-', '_' and '@', 1-64 characters.
fn valid_username(s: &str) -> bool {
    (1..=64).contains(&s.chars().count())
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
}

pub async fn add_user(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Form(f): Form<AddUser>,
) -> Response {
    let username = f.username.trim().to_string();
    let refuse = |msg: &str| users_view(&st, &a, None, Some(msg.to_string()), f.clone());
    let Some(role) = Role::from_code(f.rolle.trim()) else {
        return refuse("Vælg en rolle.").await;
    };
    if !valid_username(&username) {
        return refuse("Brugernavnet må kun indeholde bogstaver, tal og . - _ @ (højst 64 tegn).")
            .await;
    }
    if f.navn.trim().is_empty() {
        return refuse("Skriv brugerens navn.").await;
    }
    if f.adgangskode.chars().count() < MIN_PASSWORD {
        return refuse(&format!(
            "Adgangskoden skal være mindst {MIN_PASSWORD} tegn."
        ))
        .await;
    }
    let key = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let (caseworker_key, team_key) = (key(&f.sagsbehandler_id), key(&f.team_id));
    if role == Role::Caseworker && caseworker_key.is_none() {
        return refuse("En sagsbehandler skal have sit sagsbehandler-id fra fagsystemet.").await;
    }
    if role == Role::TeamLead && team_key.is_none() {
        return refuse("En teamleder skal have sit team-id fra fagsystemet.").await;
    }
    match st.store.user_by_name(&username).await {
        Ok(None) => {}
        Ok(Some(_)) => return refuse("Der findes allerede en bruger med det brugernavn.").await,
        Err(_) => return refuse("Databasen svarede ikke. Prøv igen.").await,
    }
    let new = NewUser {
        username,
        display_name: f.navn.trim().to_string(),
        role,
        caseworker_key,
        team_key,
    };
    match st.store.add_user(&new, &f.adgangskode, st.now()).await {
        Ok(_) => Redirect::to("/admin/brugere?besked=oprettet").into_response(),
        Err(_) => refuse("Brugeren kunne ikke oprettes. Prøv igen.").await,
    }
}

#[derive(Deserialize)]
pub struct UserAction {
    #[serde(default)]
    username: String,
    #[serde(default)]
    adgangskode: String,
}

pub async fn disable_user(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Form(f): Form<UserAction>,
) -> Response {
    set_disabled(st, a, f, true).await
}

pub async fn enable_user(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Form(f): Form<UserAction>,
) -> Response {
    set_disabled(st, a, f, false).await
}

async fn set_disabled(st: Arc<AppState>, a: Authed, f: UserAction, disabled: bool) -> Response {
    if disabled && f.username == a.session.user.username {
        return refused(&st, &a, "Du kan ikke spærre dig selv.".into()).await;
    }
    let outcome = st.store.set_disabled(&f.username, disabled).await;
    changed(
        &st,
        &a,
        outcome,
        if disabled { "spaerret" } else { "genaabnet" },
    )
    .await
}

/// A user's refusal on the users page (the add form left empty).
async fn refused(st: &AppState, a: &Authed, text: String) -> Response {
    users_view(st, a, None, Some(text), AddUser::default()).await
}

/// After a change to an existing user: back to the list with the confirmation `code`, "no such
/// user", or the database's failure.
async fn changed(
    st: &AppState,
    a: &Authed,
    outcome: Result<bool, kadence_store::StoreError>,
    code: &str,
) -> Response {
    match outcome {
        Ok(true) => Redirect::to(&format!("/admin/brugere?besked={code}")).into_response(),
        Ok(false) => refused(st, a, "Brugeren findes ikke.".into()).await,
        Err(_) => render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Ændringen blev ikke gemt",
            "Databasen svarede ikke. Prøv igen.",
        ),
    }
}

pub async fn reset_password(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Form(f): Form<UserAction>,
) -> Response {
    if f.adgangskode.chars().count() < MIN_PASSWORD {
        return refused(
            &st,
            &a,
            format!("Den nye adgangskode skal være mindst {MIN_PASSWORD} tegn."),
        )
        .await;
    }
    let outcome = st.store.set_password(&f.username, &f.adgangskode).await;
    changed(&st, &a, outcome, "adgangskode").await
}

pub struct BatchRow {
    id: i64,
    finished: String,
    source: String,
    files: Vec<(String, String, String, String)>,
    rows: String,
    inserted: String,
    updated: String,
    unchanged: String,
    repaired: String,
    rejected: String,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    layout: Option<Layout>,
    batches: Vec<BatchRow>,
}

pub async fn imports_page(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
) -> Response {
    let Ok(batches) = st.store.batches().await else {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Importerne kan ikke vises",
            "Databasen svarede ikke. Prøv igen.",
        );
    };
    let n = |v: u64| dk::int(v as i64);
    html(&ImportsPage {
        layout: Some(layout(&st, &a, "/admin/importer", today(&st), Vec::new())),
        batches: batches
            .into_iter()
            .map(|b| BatchRow {
                id: b.id,
                finished: local_time(&b.finished_at),
                source: b.source,
                files: b
                    .files
                    .iter()
                    .map(|f| {
                        (
                            f.name.clone(),
                            dk::int(f.size_bytes as i64),
                            dk::count(f.rows, "række", "rækker"),
                            f.sha256.chars().take(12).collect(),
                        )
                    })
                    .collect(),
                rows: n(b.summary.rows_read),
                inserted: n(b.summary.courses_inserted),
                updated: n(b.summary.courses_updated),
                unchanged: n(b.summary.courses_unchanged),
                repaired: n(b.summary.rows_repaired),
                rejected: n(b.summary.rows_rejected),
            })
            .collect(),
    })
}
