//! Logging in and out, and the start page that sends each role to its own page.

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use kadence_core::dk::local_time;
use kadence_store::access::{Login, Role};
use serde::Deserialize;

use crate::frame::*;
use crate::{client_ip, cookie, set_cookie, AppState, Authed, LOGIN_CSRF_COOKIE, SESSION_COOKIE};

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    layout: Option<Layout>,
    message: Option<String>,
    csrf: String,
    username: String,
    /// Offer the municipality's single sign-on.
    sso: bool,
}

pub(crate) async fn login_form(
    st: &AppState,
    status: StatusCode,
    message: Option<String>,
    username: String,
) -> Response {
    let (secure, sso) = (st.config.secure_cookies, st.config.oidc.is_some());
    // Signed and dated by the server, so a planted cookie and field of the attacker's own making
    // do not pass (issue 14.8); with --secure-cookies the cookie is `__Host-`, so no other host
    // under the domain can plant one at all.
    let Some(csrf) = st.login_token().await else {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Login kan ikke vises",
            "Databasen svarede ikke. Prøv igen.",
        );
    };
    let page = LoginPage {
        layout: None,
        message,
        csrf: csrf.clone(),
        username,
        sso,
    };
    let mut res = (status, html(&page)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, &csrf, secure, None),
    );
    res
}

pub async fn login_page(State(st): State<Arc<AppState>>) -> Response {
    login_form(&st, StatusCode::OK, None, String::new()).await
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login_post(
    State(st): State<Arc<AppState>>,
    info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let ip = client_ip(&st, info.map(|e| e.0), &headers);
    if let Err(why) = st.allow_login_attempt(ip, &f.username) {
        use crate::limits::Refusal;
        st.security(crate::security_log::Event::LoginFailed {
            user_id: None,
            ip,
            reason: match why {
                Refusal::Address => "rate_limited_address",
                Refusal::Account => "rate_limited_account",
                Refusal::Flood => "rate_limited_flood",
            },
        });
        let text = match why {
            Refusal::Address => {
                "For mange loginforsøg fra din adresse. Vent et minut, og prøv igen."
            }
            Refusal::Account => {
                "For mange loginforsøg for denne bruger. Vent et minut, og prøv igen."
            }
            Refusal::Flood => "Der er for mange loginforsøg lige nu. Vent et minut, og prøv igen.",
        };
        return login_form(
            &st,
            StatusCode::TOO_MANY_REQUESTS,
            Some(text.into()),
            f.username,
        )
        .await;
    }
    let now = st.now();
    use crate::security_log::Event;
    let failed = |user_id: Option<i64>, reason: &'static str| {
        st.security(Event::LoginFailed {
            user_id,
            ip,
            reason,
        })
    };
    match st
        .store
        .login(&f.username, &f.password, now, &st.policy)
        .await
    {
        Ok(Login::Ok(user)) => {
            st.security(Event::LoginOk {
                user_id: user.id,
                ip,
                method: "password",
            });
            start_session(&st, &headers, user.id).await
        }
        Ok(Login::Locked(until)) => {
            failed(None, "locked");
            login_form(&st,
                StatusCode::FORBIDDEN,
                Some(format!(
                    "Kontoen er midlertidigt låst efter for mange forkerte forsøg. Prøv igen efter {}.",
                    local_time(&until.to_string())
                )),
                f.username).await
        }
        Ok(Login::Disabled) => {
            failed(None, "disabled");
            login_form(
                &st,
                StatusCode::FORBIDDEN,
                Some("Kontoen er spærret. Kontakt en administrator.".into()),
                f.username,
            )
            .await
        }
        Ok(refused) => {
            failed(None, "wrong_password_or_unknown_user");
            if let Login::RefusedAndLocked { user_id, until } = refused {
                st.security(Event::Lockout { user_id, ip, until });
            }
            login_form(
                &st,
                StatusCode::UNAUTHORIZED,
                Some("Forkert brugernavn eller adgangskode.".into()),
                f.username,
            )
            .await
        }
        Err(_) => render_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Login mislykkedes",
            "Databasen svarede ikke. Prøv igen.",
        ),
    }
}

/// After a successful login (password or single sign-on): a new session id (any old session of this
/// browser ends), its cookie, the login form's CSRF cookie cleared, and off to the start page.
pub(crate) async fn start_session(st: &AppState, headers: &HeaderMap, user_id: i64) -> Response {
    if let Some(old) = cookie(headers, SESSION_COOKIE, st.config.secure_cookies) {
        let _ = st.store.delete_session(&old).await;
    }
    let Ok((token, _)) = st.store.create_session(user_id, st.now()).await else {
        return render_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Login mislykkedes",
            "Sessionen kunne ikke oprettes. Prøv igen.",
        );
    };
    let secure = st.config.secure_cookies;
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, secure, None),
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, "", secure, Some(0)),
    );
    res
}

pub async fn logout(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE, st.config.secure_cookies) {
        let _ = st.store.delete_session(&token).await;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", st.config.secure_cookies, Some(0)),
    );
    res
}

pub async fn home(Extension(a): Extension<Authed>) -> Response {
    Redirect::to(match a.session.user.role {
        Role::Caseworker => "/mine",
        Role::TeamLead => "/team",
        Role::Analyst | Role::Admin => "/fokusmaal",
    })
    .into_response()
}
