//! Municipal single sign-on over OpenID Connect (cargo feature `oidc`).
//!
//! Danish municipalities log in through their identity provider: KOMBIT's Context Handler through a
//! broker, or Microsoft Entra ID (Azure AD). Kadence is an OpenID Connect relying party using the
//! authorization-code flow with PKCE (S256), `state` and `nonce`:
//!
//! 1. `GET /login/oidc` stores a fresh state, nonce and PKCE verifier server-side (ten minutes) and
//!    redirects to the provider's authorization endpoint (found by discovery from the issuer).
//!    A cookie binds the state to this browser.
//! 2. `GET /login/oidc/callback?code&state` takes the state back (once, from the same browser),
//!    exchanges the code at the
//!    token endpoint (with the client secret and the verifier), and validates the ID token: signature
//!    (RS256 with a key from the provider's JWKS, by `kid`), issuer, audience, expiry and nonce.
//! 3. The role comes from a claim (`roles` by default) mapped to Kadence's roles; a caseworker's and a
//!    team lead's keys in the case system come from claims too. The user is the one the identity
//!    (issuer + subject) is linked to, or a new one ([`kadence_store::Store::sso_user`]); a session
//!    starts as after a password login, the last redirect made by a page of Kadence's own.
//!
//! Hand-written over `jsonwebtoken` rather than the `openidconnect` crate: docs/security.md says why.
//!
//! Anything that does not hold is refused with a Danish message and no session. Configuration:
//! [`OidcConfig`], set from `KADENCE_OIDC_*` by `kadence serve` (docs/security.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use kadence_store::access::{NewUser, Role};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::frame::render_error;
use crate::{AppState, OidcConfig};

/// How long a login may take between the redirect and the callback.
const PENDING_FOR: Duration = Duration::from_secs(600);

/// The most logins under way at once; beyond it the oldest is dropped (issue 14.7: the map grew
/// without bound).
const MAX_PENDING: usize = 10_000;

/// The cookie that binds a login under way to the browser that started it (login CSRF: without
/// it, an attacker's own callback URL would log the victim in as the attacker).
const BROWSER_COOKIE: &str = "kadence_oidc";

/// A login under way.
struct Pending {
    nonce: String,
    verifier: String,
    started: Instant,
    /// SHA-256 of the browser cookie's value.
    browser: String,
}

/// What the provider publishes at `/.well-known/openid-configuration` (the fields used).
#[derive(Clone, Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// Logins under way (state -> nonce, PKCE verifier, started), and the provider's metadata and keys.
#[derive(Default)]
pub struct OidcState {
    pending: Mutex<HashMap<String, Pending>>,
    discovery: tokio::sync::OnceCell<Discovery>,
    keys: tokio::sync::RwLock<Option<JwkSet>>,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    crate::frame::hex(&buf)
}

fn base64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The PKCE S256 challenge of a verifier (RFC 7636).
pub fn pkce_challenge(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

fn refused(text: &str) -> Response {
    render_error(
        StatusCode::FORBIDDEN,
        "Login via kommunens login mislykkedes",
        &format!("{text} Prøv igen, eller kontakt en administrator."),
    )
}

/// Whether `url` may be the provider's: https, or http on the loopback interface (a provider on
/// the same machine, as in tests). Tokens and codes never travel in clear over a network.
fn secure_url(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

async fn discovery<'a>(st: &'a AppState, cfg: &OidcConfig) -> Result<&'a Discovery, String> {
    st.oidc
        .discovery
        .get_or_try_init(|| async {
            if !secure_url(&cfg.issuer) {
                return Err("discovery: the issuer is not https".to_string());
            }
            let url = format!(
                "{}/.well-known/openid-configuration",
                cfg.issuer.trim_end_matches('/')
            );
            let d: Discovery = http()
                .get(&url)
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map_err(|e| format!("discovery: {e}"))?
                .json()
                .await
                .map_err(|e| format!("discovery: {e}"))?;
            if d.issuer.trim_end_matches('/') != cfg.issuer.trim_end_matches('/') {
                return Err("discovery: the issuer does not match the configuration".into());
            }
            if ![&d.authorization_endpoint, &d.token_endpoint, &d.jwks_uri]
                .iter()
                .all(|u| secure_url(u))
            {
                return Err("discovery: an endpoint is not https".into());
            }
            Ok(d)
        })
        .await
}

/// The provider's key for `kid`, fetching the JWKS again once if the key is unknown (rotation).
async fn key_for(st: &AppState, d: &Discovery, kid: &str) -> Option<DecodingKey> {
    let find = |set: &JwkSet| set.find(kid).and_then(|k| DecodingKey::from_jwk(k).ok());
    if let Some(set) = st.oidc.keys.read().await.as_ref() {
        if let Some(k) = find(set) {
            return Some(k);
        }
    }
    let set: JwkSet = http()
        .get(&d.jwks_uri)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let key = find(&set);
    *st.oidc.keys.write().await = Some(set);
    key
}

/// `GET /login/oidc`: off to the identity provider.
pub async fn start(State(st): State<Arc<AppState>>) -> Response {
    let Some(cfg) = st.config.oidc.as_ref() else {
        return render_error(
            StatusCode::NOT_FOUND,
            "Kommunens login er ikke sat op",
            "Log ind med brugernavn og adgangskode.",
        );
    };
    let d = match discovery(&st, cfg).await {
        Ok(d) => d,
        Err(_) => return refused("Kommunens login svarer ikke."),
    };
    let (state, nonce, verifier) = (random_hex(16), random_hex(16), random_hex(32));
    let browser = random_hex(16);
    {
        let mut pending = st.oidc.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|_, p| p.started.elapsed() < PENDING_FOR);
        if pending.len() >= MAX_PENDING {
            if let Some(oldest) = pending
                .iter()
                .min_by_key(|(_, p)| p.started)
                .map(|(k, _)| k.clone())
            {
                pending.remove(&oldest);
            }
        }
        pending.insert(
            state.clone(),
            Pending {
                nonce: nonce.clone(),
                verifier: verifier.clone(),
                started: Instant::now(),
                browser: crate::frame::sha256_hex(&browser),
            },
        );
    }
    let enc = |v: &str| crate::frame::form_urlencoded(v);
    let url = format!(
        "{}?response_type=code&client_id={}&redirect_uri={}&scope={}&state={state}&nonce={nonce}&code_challenge={}&code_challenge_method=S256",
        d.authorization_endpoint,
        enc(&cfg.client_id),
        enc(&cfg.redirect_url),
        enc("openid profile"),
        pkce_challenge(&verifier)
    );
    let mut res = Redirect::to(&url).into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, browser_cookie(&st, &browser, 600));
    res
}

/// The browser-binding cookie: `SameSite=Lax`, because the provider's redirect back is a
/// cross-site navigation and a `Strict` cookie would not come with it.
fn browser_cookie(st: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = st.config.secure_cookies;
    let c = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        crate::cookie_name(BROWSER_COOKIE, secure),
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: String,
}

/// `GET /login/oidc/callback`: back from the identity provider.
pub async fn callback(
    State(st): State<Arc<AppState>>,
    info: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Query(q): Query<Callback>,
) -> Response {
    let Some(cfg) = st.config.oidc.as_ref() else {
        return render_error(
            StatusCode::NOT_FOUND,
            "Kommunens login er ikke sat op",
            "Log ind med brugernavn og adgangskode.",
        );
    };
    if q.error.is_some() {
        return refused("Kommunens login afviste forespørgslen.");
    }
    let (Some(code), Some(state)) = (q.code, q.state) else {
        return refused("Svaret fra kommunens login var ufuldstændigt.");
    };
    // The state is used once, only within its time, and only by the browser that started it.
    let pending = st
        .oidc
        .pending
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&state);
    let Some(Pending {
        nonce,
        verifier,
        started,
        browser,
    }) = pending
    else {
        return refused("Loginforsøget er ukendt eller allerede brugt.");
    };
    if started.elapsed() >= PENDING_FOR {
        return refused("Loginforsøget er udløbet.");
    }
    let this_browser = crate::cookie(&headers, BROWSER_COOKIE, st.config.secure_cookies)
        .map(|v| crate::frame::sha256_hex(&v));
    if this_browser.as_deref() != Some(browser.as_str()) {
        return refused("Loginforsøget blev startet i en anden browser.");
    }
    let d = match discovery(&st, cfg).await {
        Ok(d) => d,
        Err(_) => return refused("Kommunens login svarer ikke."),
    };
    let token: TokenResponse = match http()
        .post(&d.token_endpoint)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", cfg.redirect_url.as_str()),
            ("client_id", cfg.client_id.as_str()),
            ("client_secret", cfg.client_secret.as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .and_then(|r| r.error_for_status())
    {
        Ok(r) => match r.json().await {
            Ok(t) => t,
            Err(_) => return refused("Kommunens login sendte et ugyldigt svar."),
        },
        Err(_) => return refused("Koden fra kommunens login blev ikke godkendt."),
    };
    let claims = match validate(&st, cfg, d, &token.id_token, &nonce).await {
        Ok(c) => c,
        Err(why) => return refused(why),
    };
    let user = match user_from(cfg, &claims) {
        Ok(u) => u,
        Err(why) => return refused(&why),
    };
    let text = |name: &str| claims.get(name).and_then(|v| v.as_str()).unwrap_or("");
    let (issuer, subject) = (
        text("iss").trim_end_matches('/').to_string(),
        text("sub").to_string(),
    );
    let now = st.now();
    let Ok(user) = st.store.sso_user(&issuer, &subject, &user, now).await else {
        return refused("Brugeren kunne ikke gemmes.");
    };
    if user.disabled {
        return refused("Kontoen er spærret i Kadence.");
    }
    st.security(crate::security_log::Event::LoginOk {
        user_id: user.id,
        ip: crate::client_ip(&st, info.map(|e| e.0), &headers),
        method: "sso",
    });
    let mut res = crate::pages::login::start_session(&st, &headers, user.id).await;
    if res.status() == StatusCode::SEE_OTHER {
        // The provider's redirect back was a cross-site navigation, and a browser does not send a
        // `SameSite=Strict` cookie on the redirects that follow it: the session cookie would be
        // missing on the first page. So the last hop is made by this site, from a page.
        let cookies: Vec<HeaderValue> = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .cloned()
            .collect();
        res = (
            StatusCode::OK,
            axum::response::Html(
                "<!DOCTYPE html><html lang=\"da\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url=/\"><title>Logget ind - Kadence</title></head><body><p>Du er logget ind. <a href=\"/\">Fortsæt til Kadence</a>.</p></body></html>",
            ),
        )
            .into_response();
        for c in cookies {
            res.headers_mut().append(header::SET_COOKIE, c);
        }
    }
    res.headers_mut()
        .append(header::SET_COOKIE, browser_cookie(&st, "", 0));
    res
}

type Claims = serde_json::Map<String, serde_json::Value>;

async fn validate(
    st: &AppState,
    cfg: &OidcConfig,
    d: &Discovery,
    id_token: &str,
    nonce: &str,
) -> Result<Claims, &'static str> {
    let head = decode_header(id_token).map_err(|_| "ID-token kunne ikke læses.")?;
    if head.alg != Algorithm::RS256 {
        return Err("ID-token er ikke signeret med RS256.");
    }
    let kid = head.kid.ok_or("ID-token mangler nøgle-id.")?;
    let key = key_for(st, d, &kid)
        .await
        .ok_or("ID-token er signeret med en ukendt nøgle.")?;
    let mut v = Validation::new(Algorithm::RS256);
    v.set_issuer(&[cfg.issuer.trim_end_matches('/'), &d.issuer]);
    v.set_audience(&[&cfg.client_id]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub", "iat"]);
    v.leeway = 60;
    // Expiry is checked below against the app's clock, not the system's.
    v.validate_exp = false;
    let data =
        decode::<Claims>(id_token, &key, &v).map_err(|_| "ID-token er ugyldigt eller udløbet.")?;
    if data.claims.get("nonce").and_then(|n| n.as_str()) != Some(nonce) {
        return Err("ID-token hører ikke til dette loginforsøg.");
    }
    // OpenID Connect Core 3.1.3.7: with several audiences the authorised party must be named, and
    // whenever it is, it must be Kadence.
    let several = data
        .claims
        .get("aud")
        .and_then(|a| a.as_array())
        .is_some_and(|a| a.len() > 1);
    match data.claims.get("azp").and_then(|a| a.as_str()) {
        Some(azp) if azp != cfg.client_id => {
            return Err("ID-token er udstedt til en anden klient.")
        }
        None if several => return Err("ID-token er udstedt til en anden klient."),
        _ => {}
    }
    // Expiry and issue time against the app's clock (the same as every other time it keeps):
    // still valid, issued now, not long ago or in the future (a token kept and replayed later).
    let now = st.now().as_second();
    let exp = data
        .claims
        .get("exp")
        .and_then(|v| v.as_i64())
        .ok_or("ID-token mangler udløbstid.")?;
    if exp + 60 < now {
        return Err("ID-token er ugyldigt eller udløbet.");
    }
    let iat = data
        .claims
        .get("iat")
        .and_then(|v| v.as_i64())
        .ok_or("ID-token mangler udstedelsestid.")?;
    if iat > now + 60 || iat < now - PENDING_FOR.as_secs() as i64 - 60 {
        return Err("ID-token er ikke udstedt nu.");
    }
    Ok(data.claims)
}

/// The Kadence user the claims describe.
fn user_from(cfg: &OidcConfig, c: &Claims) -> Result<NewUser, String> {
    let text = |name: &str| c.get(name).and_then(|v| v.as_str()).map(str::to_string);
    let values: Vec<String> = match c.get(&cfg.role_claim) {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    // The most powerful role the claims grant is not chosen silently: the first mapped one counts,
    // in the order the identity provider sent them.
    let role = values
        .iter()
        .find_map(|v| cfg.role_map.get(v).copied())
        .ok_or_else(|| "Din bruger har ingen rolle i Kadence hos kommunens login.".to_string())?;
    let username = text("preferred_username")
        .or_else(|| text("sub"))
        .ok_or("ID-token mangler brugernavn.")?;
    let caseworker_key = text(&cfg.caseworker_claim);
    let team_key = text(&cfg.team_claim);
    if role == Role::Caseworker && caseworker_key.is_none() {
        return Err("Din bruger mangler sit sagsbehandler-id hos kommunens login.".into());
    }
    if role == Role::TeamLead && team_key.is_none() {
        return Err("Din bruger mangler sit team-id hos kommunens login.".into());
    }
    Ok(NewUser {
        display_name: text("name").unwrap_or_else(|| username.clone()),
        username,
        role,
        caseworker_key,
        team_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_must_be_https_unless_on_this_machine() {
        for (url, ok) in [
            ("https://login.microsoftonline.com/t/v2.0", true),
            ("http://login.kommune.dk", false),
            ("http://127.0.0.1:8089", true),
            ("http://localhost/realms/k", true),
            ("http://[::1]:80/x", true),
            ("http://127.0.0.1.evil.example/x", false),
            ("ftp://x", false),
        ] {
            assert_eq!(secure_url(url), ok, "{url}");
        }
    }

    #[test]
    fn pkce_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
