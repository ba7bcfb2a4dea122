//! # kadence-web
//!
//! The web app: server-rendered Danish pages (axum + askama), readable without JavaScript.
//!
//! Access is declared once, in [`ROUTES`]: every route says who may use it. One guard middleware
//! ([`guard`]) enforces it for every matched route (no login: GET goes to the login page, anything else
//! is refused; wrong role: 403), checks the CSRF token of every POST, and hands the session to the
//! handler. A test walks the whole table as every role. Every response gets `Cache-Control: no-store`,
//! a strict Content-Security-Policy and the other security headers ([`security_headers`]).
//!
//! Personal data: pages that show citizens write one audit entry per citizen shown, with the purpose;
//! URLs carry only the case system's course ids, never CPR numbers; CPR numbers are shown masked.

mod charts;
mod frame;
mod limits;
#[cfg(feature = "oidc")]
mod oidc;
mod pages;
pub mod security_log;
mod xlsx;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::Timestamp;
use kadence_core::duties::CourseStatus;
use kadence_core::measures::MeasureKind;
use kadence_core::model::CourseId;
use kadence_core::municipal::SettingsVersion;
use kadence_core::reconcile::Reconciliation;
use kadence_store::access::{Policy, Role, Session};
use kadence_store::{SnapshotCell, Store};

pub use frame::render_error;

/// Who may use a route.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in user.
    LoggedIn,
    /// Logged-in users with one of these roles.
    Roles(&'static [Role]),
}

/// One route: method, axum path pattern, access, and whether it shows personal data.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    /// Shows or exports citizens' personal data (so it writes audit entries).
    pub personal: bool,
}

const CASEWORK: &[Role] = &[Role::Caseworker, Role::TeamLead];
const COMMITTEE: &[Role] = &[Role::Analyst, Role::TeamLead];
const EVERYONE: &[Role] = &[Role::Caseworker, Role::TeamLead, Role::Analyst, Role::Admin];

/// Every route of the app. The router is built from the same handlers; a test checks that each entry
/// answers, and walks the table as every role.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec {
        method: "GET",
        path: "/healthz",
        access: Access::Public,
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/static/app.css",
        access: Access::Public,
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/static/kopier.js",
        access: Access::Public,
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/login",
        access: Access::Public,
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/login",
        access: Access::Public,
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/login/oidc",
        access: Access::Public,
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/login/oidc/callback",
        access: Access::Public,
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/logout",
        access: Access::LoggedIn,
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/",
        access: Access::LoggedIn,
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/mine",
        access: Access::Roles(&[Role::Caseworker]),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/mine/eksport.xlsx",
        access: Access::Roles(&[Role::Caseworker]),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/admin/brugere",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/admin/brugere",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/admin/brugere/spaer",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/admin/brugere/genaabn",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/admin/brugere/adgangskode",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/admin/importer",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/admin/indstillinger",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/admin/indstillinger",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/admin/indstillinger/fil",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/admin/indstillinger/indstillinger.toml",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/team/flyt",
        access: Access::Roles(&[Role::TeamLead]),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/laegeoplysninger",
        access: Access::Roles(CASEWORK),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/laegeoplysninger/eksport.xlsx",
        access: Access::Roles(CASEWORK),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/tidlig-indsats",
        access: Access::Roles(CASEWORK),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/jobafklaring",
        access: Access::Roles(CASEWORK),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/jobafklaring/eksport.xlsx",
        access: Access::Roles(CASEWORK),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/team",
        access: Access::Roles(&[Role::TeamLead]),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/team/eksport.xlsx",
        access: Access::Roles(&[Role::TeamLead]),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/find",
        access: Access::Roles(CASEWORK),
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/find",
        access: Access::Roles(CASEWORK),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/forloeb/{key}",
        access: Access::Roles(CASEWORK),
        personal: true,
    },
    RouteSpec {
        method: "POST",
        path: "/forloeb/{key}/vis-cpr",
        access: Access::Roles(CASEWORK),
        personal: true,
    },
    RouteSpec {
        method: "POST",
        path: "/forloeb/{key}/formaal",
        access: Access::Roles(CASEWORK),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/admin/revision",
        access: Access::Roles(&[Role::Admin]),
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/admin/revision",
        access: Access::Roles(&[Role::Admin]),
        personal: true,
    },
    RouteSpec {
        method: "GET",
        path: "/fokusmaal",
        access: Access::Roles(EVERYONE),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/fokusmaal/eksport.xlsx",
        access: Access::Roles(EVERYONE),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/fokusmaal/tal.xlsx",
        access: Access::Roles(EVERYONE),
        personal: false,
    },
    // The committee's figures: no names or CPR numbers, for analysts and team leads.
    RouteSpec {
        method: "GET",
        path: "/udvalg",
        access: Access::Roles(COMMITTEE),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/udvalg/bilag.xlsx",
        access: Access::Roles(COMMITTEE),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/udvalg/graf/{file}",
        access: Access::Roles(COMMITTEE),
        personal: false,
    },
    // Targets are entered by analysts.
    RouteSpec {
        method: "POST",
        path: "/udvalg/maal",
        access: Access::Roles(&[Role::Analyst]),
        personal: false,
    },
    RouteSpec {
        method: "POST",
        path: "/udvalg/maal/fil",
        access: Access::Roles(&[Role::Analyst]),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/dagsordenspunkt",
        access: Access::Roles(&[Role::Analyst]),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/dagsordenspunkt/punkt.docx",
        access: Access::Roles(&[Role::Analyst]),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/dagsordenspunkt/punkt.html",
        access: Access::Roles(&[Role::Analyst]),
        personal: false,
    },
    RouteSpec {
        method: "GET",
        path: "/dagsordenspunkt/bilag.xlsx",
        access: Access::Roles(&[Role::Analyst]),
        personal: false,
    },
];

/// Finds the spec for a method and matched path.
pub fn route_spec(method: &Method, path: &str) -> Option<&'static RouteSpec> {
    ROUTES
        .iter()
        .find(|r| r.method == method.as_str() && r.path == path)
}

/// The clock, injected so that tests control time.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Settings of the web shell.
#[derive(Clone, Debug)]
pub struct Config {
    /// Mark cookies `Secure` (set when served over HTTPS, e.g. behind a TLS proxy).
    pub secure_cookies: bool,
    /// Login attempts per client address per minute before 429.
    pub login_attempts_per_minute: usize,
    /// Login attempts per account name per minute, from any address, before 429.
    pub login_attempts_per_account_per_minute: usize,
    /// The reverse proxies whose `X-Forwarded-For` names the client (exact addresses; empty: the
    /// TCP peer is the client). See docs/security.md.
    pub trusted_proxies: Vec<IpAddr>,
    /// Rows per page in lists.
    pub page_size: usize,
    /// Municipal single sign-on (needs the `oidc` feature); `None`: local accounts only.
    pub oidc: Option<OidcConfig>,
    /// How often the server checks whether another process (an import, retention) changed the data,
    /// and reloads it if so.
    pub reload_every: std::time::Duration,
    /// Where security events go (standard error unless set; see [`security_log`]).
    pub security_log: security_log::SecurityLog,
}

/// The municipality's identity provider (OpenID Connect). See docs/security.md.
#[derive(Clone, Debug)]
pub struct OidcConfig {
    /// The issuer, e.g. `https://login.microsoftonline.com/<tenant>/v2.0`; discovery reads
    /// `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Kadence's callback as registered at the provider: `https://<host>/login/oidc/callback`.
    pub redirect_url: String,
    /// The claim holding the user's roles (a string or a list), e.g. `roles` or `groups`.
    pub role_claim: String,
    /// Claim value -> Kadence role.
    pub role_map: HashMap<String, Role>,
    /// The claims holding a caseworker's and a team lead's keys in the case system.
    pub caseworker_claim: String,
    pub team_claim: String,
}

impl OidcConfig {
    /// The role map's default: claim values equal to the role codes ("sagsbehandler", ...).
    pub fn default_role_map() -> HashMap<String, Role> {
        Role::ALL
            .iter()
            .map(|r| (r.code().to_string(), *r))
            .collect()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            login_attempts_per_minute: 20,
            login_attempts_per_account_per_minute: 10,
            trusted_proxies: Vec::new(),
            page_size: 50,
            oidc: None,
            reload_every: std::time::Duration::from_secs(10),
            security_log: security_log::SecurityLog::default(),
        }
    }
}

/// Everything the handlers share.
pub struct AppState {
    pub store: Store,
    /// The data and the settings' history; the settings in force on a page's as-of date judge it
    /// ([`AppState::settings_on`]).
    pub data: Arc<SnapshotCell>,
    pub policy: Policy,
    pub clock: Clock,
    pub config: Config,
    /// Purposes stated for courses outside one's own caseload: (session key, course key) ->
    /// (purpose, when). Bounded: entries older than a session can live are dropped, and beyond
    /// [`MAX_PURPOSES`] the oldest go (issue 14.8).
    purposes: Mutex<HashMap<(String, String), (String, Timestamp)>>,
    login_limits: limits::LoginLimits,
    /// Every active course's status per (snapshot, as-of date): lists filter it instead of evaluating
    /// every course on every request. Pure results of immutable inputs, so sharing them is safe.
    statuses: SnapshotCache<kadence_core::Day, Vec<(CourseId, CourseStatus)>>,
    /// The focus page's reconciliation per (snapshot, as-of date, measure, internal definition?).
    reconciliations: SnapshotCache<
        (
            kadence_core::Day,
            MeasureKind,
            bool,
            kadence_core::date::Month,
            kadence_core::date::Month,
        ),
        Reconciliation,
    >,
    /// The committee page's report per (snapshot, as-of date, month): the page, its Excel annex and
    /// its charts render the same value.
    committee_reports: SnapshotCache<
        (kadence_core::Day, kadence_core::date::Month),
        kadence_core::committee::MonthlyReport,
    >,
    /// The agenda item's counts beside the report (cases of the duty lists, deadlines per team)
    /// per (snapshot, as-of date, month).
    agenda_beside:
        SnapshotCache<(kadence_core::Day, kadence_core::date::Month), kadence_core::agenda::Beside>,
    /// The month-end forecast of the early effort per (snapshot, as-of date).
    forecasts: SnapshotCache<kadence_core::Day, kadence_core::committee::forecast::Forecast>,
    /// Logins under way through the identity provider, and its metadata.
    #[cfg(feature = "oidc")]
    oidc: oidc::OidcState,
    /// The key behind analysts' pseudonyms, read from the store once (`app_secret`).
    pseudonym_key: tokio::sync::OnceCell<String>,
    /// The key that signs the login form's CSRF tokens (a server secret, shared by every server on
    /// the database, so a token made by one is taken by another).
    login_key: tokio::sync::OnceCell<String>,
}

/// The last few pure results computed from a snapshot, by key.
pub(crate) struct SnapshotCache<K, V> {
    /// An entry holds its snapshot, so a snapshot is compared by identity (`Arc::ptr_eq`) and its
    /// address cannot be reused by a later one while the entry exists.
    entries: Mutex<Vec<CacheEntry<K, V>>>,
}

type CacheEntry<K, V> = (Arc<kadence_store::Snapshot>, K, Arc<V>);

impl<K: PartialEq, V> SnapshotCache<K, V> {
    const SIZE: usize = 8;

    fn new() -> Self {
        SnapshotCache {
            entries: Mutex::new(Vec::new()),
        }
    }

    /// The value for (`snap`, `key`), computed by `f` when not cached (outside the lock: two requests
    /// may compute the same value at once, which is harmless, rather than queue behind each other).
    pub(crate) fn get(
        &self,
        snap: &Arc<kadence_store::Snapshot>,
        key: K,
        f: impl FnOnce() -> V,
    ) -> Arc<V> {
        let lock = || self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, v)) = lock()
            .iter()
            .find(|(s, k, _)| Arc::ptr_eq(s, snap) && *k == key)
        {
            return Arc::clone(v);
        }
        let v = Arc::new(f());
        let mut entries = lock();
        // Entries of an older snapshot can never be asked for again (and dropping them frees it).
        entries.retain(|(s, _, _)| Arc::ptr_eq(s, snap));
        if entries.len() >= Self::SIZE {
            entries.remove(0);
        }
        entries.push((Arc::clone(snap), key, Arc::clone(&v)));
        v
    }
}

/// Makes pseudonyms with one key.
pub(crate) struct Pseudonyms(String);

impl Pseudonyms {
    pub(crate) fn of(&self, course_key: &str) -> String {
        format!("P-{}", self.mac(course_key.as_bytes()))
    }

    /// A caseworker's pseudonym for analysts ("S-" and 12 hex digits), from the same key but a
    /// separate domain, so it never equals a course's.
    pub(crate) fn of_caseworker(&self, caseworker_key: &str) -> String {
        format!(
            "S-{}",
            self.mac(format!("sagsbehandler\0{caseworker_key}").as_bytes())
        )
    }

    fn mac(&self, data: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.0.as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(data);
        let out = mac.finalize().into_bytes();
        frame::hex(&out[..6])
    }
}

/// Every course active on a date, with its status.
pub(crate) type Statuses = Arc<Vec<(CourseId, CourseStatus)>>;

impl AppState {
    pub fn new(store: Store, data: Arc<SnapshotCell>, clock: Clock, config: Config) -> AppState {
        let login_limits = limits::LoginLimits::new(
            config.login_attempts_per_minute,
            config.login_attempts_per_account_per_minute,
            LOGIN_LIMIT_KEYS,
            limits::AppClock(Arc::clone(&clock)),
        );
        AppState {
            store,
            data,
            policy: Policy::default(),
            clock,
            config,
            purposes: Mutex::new(HashMap::new()),
            login_limits,
            statuses: SnapshotCache::new(),
            reconciliations: SnapshotCache::new(),
            committee_reports: SnapshotCache::new(),
            forecasts: SnapshotCache::new(),
            agenda_beside: SnapshotCache::new(),
            pseudonym_key: tokio::sync::OnceCell::new(),
            login_key: tokio::sync::OnceCell::new(),
            #[cfg(feature = "oidc")]
            oidc: oidc::OidcState::default(),
        }
    }

    /// The municipality's settings in force on `as_of` in this snapshot (the defaults before any).
    pub(crate) fn settings_on(
        &self,
        snap: &kadence_store::Snapshot,
        as_of: kadence_core::Day,
    ) -> Arc<SettingsVersion> {
        Arc::clone(snap.settings.in_force_on(as_of))
    }

    /// The status of every course active on `as_of` in this snapshot, computed once and shared, in
    /// urgency order (ties by course id), so lists filter it without sorting. Judged by the settings
    /// in force on `as_of`, so the cache needs no other key.
    pub(crate) fn active_statuses(
        &self,
        snap: &Arc<kadence_store::Snapshot>,
        as_of: kadence_core::Day,
    ) -> Statuses {
        self.statuses.get(snap, as_of, || {
            let pop = &snap.population;
            let v = self.settings_on(snap, as_of);
            let book = v.settings.book();
            let mut all: Vec<(CourseId, CourseStatus)> = pop
                .course_ids()
                .filter(|id| pop.courses[id.index()].active_on(as_of))
                .map(|id| {
                    let st = kadence_core::duties::evaluate(
                        pop.facts(id),
                        &book,
                        &v.settings.duties,
                        as_of,
                    );
                    (id, st)
                })
                .collect();
            let drivers = v.settings.duties.next_deadline;
            all.sort_by_cached_key(|(id, st)| {
                (kadence_core::worklist::urgency_by(st, drivers), *id)
            });
            all
        })
    }

    /// A course's pseudonym: stable while the key is kept, not linkable to the case system's id without
    /// the key (HMAC-SHA256 of the course id, 48 bits shown). `None` if the key cannot be read.
    async fn login_key(&self) -> Option<&String> {
        self.login_key
            .get_or_try_init(|| self.store.secret("login-csrf", self.now()))
            .await
            .ok()
    }

    /// A login form token: the time it was made, a nonce, and an HMAC over both under the server's
    /// key. Only the server makes valid ones, and they last [`LOGIN_TOKEN_LIFE`].
    pub(crate) async fn login_token(&self) -> Option<String> {
        let key = self.login_key().await?;
        let body = format!("{}.{}", self.now().as_second(), frame::random_token());
        Some(format!("{body}.{}", login_mac(key, &body)))
    }

    /// Whether `token` is one this server (or another on the same database) made, and still fresh.
    pub(crate) async fn login_token_valid(&self, token: &str) -> bool {
        let Some(key) = self.login_key().await else {
            return false;
        };
        let Some((body, mac)) = token.rsplit_once('.') else {
            return false;
        };
        let fresh = body
            .split_once('.')
            .and_then(|(t, _)| t.parse::<i64>().ok())
            .is_some_and(|t| {
                let age = self.now().as_second() - t;
                (0..LOGIN_TOKEN_LIFE).contains(&age)
            });
        fresh && constant_time_eq(&login_mac(key, body), mac)
    }

    pub(crate) async fn pseudonym(&self) -> Option<Pseudonyms> {
        let key = self
            .pseudonym_key
            .get_or_try_init(|| self.store.secret("pseudonym", self.now()))
            .await
            .ok()?;
        Some(Pseudonyms(key.clone()))
    }

    /// The focus page's comparison of `kind` under the official and the internal definition over the
    /// months `from..=to` (by default the twelve up to `as_of`; `internal`: the internal definition
    /// is the one shown, `a`).
    /// The monthly management information for `month` as of `as_of`, judged by the settings in
    /// force on `as_of`.
    pub(crate) fn committee_report(
        &self,
        snap: &Arc<kadence_store::Snapshot>,
        as_of: kadence_core::Day,
        month: kadence_core::date::Month,
    ) -> Arc<kadence_core::committee::MonthlyReport> {
        self.committee_reports.get(snap, (as_of, month), || {
            let v = self.settings_on(snap, as_of);
            let book = v.settings.book();
            let own = v
                .settings
                .definition(None)
                .cloned()
                .unwrap_or_else(kadence_core::measures::Definition::by_the_law);
            kadence_core::committee::monthly_report(&kadence_core::committee::ReportInput {
                pop: &snap.population,
                settings: &v.settings.committee,
                targets: &snap.targets,
                jobindsats: &snap.jobindsats,
                month,
                as_of,
                book: &book,
                own_definition: &own,
                registration_days: v.settings.duties.registration_days,
                own_source: kadence_core::committee::own_source(as_of, &v.label()),
            })
        })
    }

    /// The agenda item's counts beside the report for `month` as of `as_of`.
    pub(crate) fn agenda_beside(
        &self,
        snap: &Arc<kadence_store::Snapshot>,
        as_of: kadence_core::Day,
        month: kadence_core::date::Month,
    ) -> Arc<kadence_core::agenda::Beside> {
        self.agenda_beside.get(snap, (as_of, month), || {
            // The cases are counted from the statuses the duty lists show (computed once per
            // snapshot and date), not from a second evaluation of every course.
            let statuses = self.active_statuses(snap, as_of);
            kadence_core::agenda::beside_from(
                &snap.population,
                &self.settings_on(snap, as_of).settings.book(),
                statuses.iter().map(|(id, st)| (*id, st)),
                month,
                as_of,
            )
        })
    }

    /// The month-end forecast for the month of `as_of`, by the rules in force then.
    pub(crate) fn forecast(
        &self,
        snap: &Arc<kadence_store::Snapshot>,
        as_of: kadence_core::Day,
    ) -> Arc<kadence_core::committee::forecast::Forecast> {
        self.forecasts.get(snap, as_of, || {
            let book = self.settings_on(snap, as_of).settings.book();
            kadence_core::committee::forecast::forecast(&snap.population, &book, as_of)
        })
    }

    pub(crate) fn reconciliation(
        &self,
        snap: &Arc<kadence_store::Snapshot>,
        as_of: kadence_core::Day,
        kind: MeasureKind,
        internal: bool,
        from: kadence_core::date::Month,
        to: kadence_core::date::Month,
    ) -> Arc<Reconciliation> {
        use kadence_core::measures::Definition;
        self.reconciliations
            .get(snap, (as_of, kind, internal, from, to), || {
                let v = self.settings_on(snap, as_of);
                let own = v
                    .settings
                    .definition(None)
                    .cloned()
                    .unwrap_or_else(Definition::internal_legacy);
                let (def, other) = if internal {
                    (own, Definition::official())
                } else {
                    (Definition::official(), own)
                };
                kadence_core::reconcile::reconcile(
                    &snap.population,
                    &v.settings.book(),
                    kind,
                    &def,
                    &other,
                    from,
                    to,
                    as_of,
                )
            })
    }

    fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// The purpose this session stated for `course`, if it is still valid.
    pub(crate) fn granted_purpose(&self, session: &str, course: &str) -> Option<String> {
        let map = self.purposes.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&(session.to_string(), course.to_string()))
            .filter(|(_, at)| self.now().duration_since(*at) < self.policy.absolute)
            .map(|(p, _)| p.clone())
    }

    /// Remembers a stated purpose for this session and course.
    pub(crate) fn grant_purpose(&self, session: &str, course: &str, purpose: String) {
        let now = self.now();
        let mut map = self.purposes.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_PURPOSES {
            // No session lives longer than its absolute timeout: older purposes are void anyway.
            let absolute = self.policy.absolute;
            map.retain(|_, (_, at)| now.duration_since(*at) < absolute);
            if map.len() >= MAX_PURPOSES {
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, (_, at))| *at)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        map.insert((session.to_string(), course.to_string()), (purpose, now));
    }

    /// How many stated purposes are remembered (for the bound's test).
    #[cfg(test)]
    fn purposes_held(&self) -> usize {
        self.purposes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Writes a security event at the current time.
    pub(crate) fn security(&self, e: security_log::Event<'_>) {
        self.config.security_log.log(self.now(), e);
    }

    /// Whether a login attempt from `ip` for `username` may go ahead now; counts it.
    fn allow_login_attempt(&self, ip: IpAddr, username: &str) -> Result<(), limits::Refusal> {
        self.login_limits.check(ip, username)
    }
}

/// How long a login form's token is taken, in seconds.
const LOGIN_TOKEN_LIFE: i64 = 2 * 3600;

fn login_mac(key: &str, body: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(b"kadence-login-csrf\n");
    mac.update(body.as_bytes());
    frame::hex(&mac.finalize().into_bytes())
}

/// The most stated purposes kept at once (each a few hundred bytes).
const MAX_PURPOSES: usize = 50_000;

/// The most client addresses (and, apart, account names) the login limits keep at once: about
/// 100 bytes each, so some 10 MB for each limiter at worst.
const LOGIN_LIMIT_KEYS: usize = 100_000;

#[cfg(feature = "oidc")]
use oidc::{callback as oidc_callback, start as oidc_start};

/// Without the `oidc` feature, the single sign-on routes say so.
#[cfg(not(feature = "oidc"))]
async fn oidc_start() -> Response {
    frame::render_error(
        StatusCode::NOT_FOUND,
        "Kommunens login er ikke med i denne udgave",
        "Kadence er bygget uden OpenID Connect (cargo-funktionen «oidc»). Log ind med brugernavn og adgangskode.",
    )
}

#[cfg(not(feature = "oidc"))]
async fn oidc_callback() -> Response {
    oidc_start().await
}

/// The session of the request, put there by [`guard`].
#[derive(Clone, Debug)]
pub struct Authed {
    pub session: Session,
    /// A key for this session that is not the cookie token (for purpose grants).
    pub session_key: String,
}

pub const SESSION_COOKIE: &str = "kadence_session";
pub const LOGIN_CSRF_COOKIE: &str = "kadence_login";

/// A cookie's value from the request headers.
/// A cookie's name as set and read: with `Secure` (served over TLS) the `__Host-` prefix, which
/// the browser only accepts from this host, over https, for the whole path, so no other host under
/// the domain (another municipal site) can plant or shadow it (issue 14.8).
pub fn cookie_name(name: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{name}")
    } else {
        name.to_string()
    }
}

/// The value of the app's cookie `name` (by its [`cookie_name`]).
pub fn cookie(headers: &HeaderMap, name: &str, secure: bool) -> Option<String> {
    let name = cookie_name(name, secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value with the app's flags.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let name = cookie_name(name, secure);
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn forbidden(reason: &str) -> Response {
    frame::render_error(StatusCode::FORBIDDEN, "Ingen adgang", reason)
}

/// Enforces [`ROUTES`] for every matched route, and CSRF on every POST.
pub async fn guard(
    State(st): State<Arc<AppState>>,
    matched: Option<MatchedPath>,
    req: Request,
    next: Next,
) -> Response {
    let method = req.method().clone();
    let Some(spec) = matched
        .as_ref()
        .and_then(|m| route_spec(&method, m.as_str()))
    else {
        // Every route is in ROUTES; a route that is not is refused rather than left open.
        return forbidden("Siden er ikke beskrevet i adgangstabellen.");
    };
    let is_login_post = method == Method::POST && spec.path == "/login";
    let peer_ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .copied()
        .map(|p| client_ip(&st, Some(p), req.headers()));
    let refused = |user_id: Option<i64>, status: u16, reason: &str| {
        st.security(security_log::Event::RouteRefused {
            user_id,
            ip: peer_ip,
            route: spec.path,
            status,
            reason,
        });
    };
    let session = match cookie(req.headers(), SESSION_COOKIE, st.config.secure_cookies) {
        Some(token) if spec.access != Access::Public || is_login_post => st
            .store
            .session(&token, st.now(), &st.policy)
            .await
            .ok()
            .flatten()
            .map(|s| Authed {
                session: s,
                session_key: frame::sha256_hex(&format!("session:{token}")),
            }),
        _ => None,
    };
    match (spec.access, &session) {
        (Access::Public, _) => {}
        (_, None) if method == Method::GET => return Redirect::to("/login").into_response(),
        (_, None) => {
            refused(None, 403, "not_logged_in");
            return forbidden("Du er ikke logget ind, eller din session er udløbet. Log ind igen.");
        }
        (Access::Roles(roles), Some(a)) if !roles.contains(&a.session.user.role) => {
            refused(Some(a.session.user.id), 403, "role");
            return frame::render_error_for(
                &st,
                a,
                StatusCode::FORBIDDEN,
                "Ingen adgang",
                "Din rolle giver ikke adgang til denne side. Sagsbehandlere ser egne borgere, teamledere deres team, analytikere tal uden navne.",
            );
        }
        _ => {}
    }
    let mut req = req;
    let mut stated_purpose: Option<String> = None;
    if method == Method::POST {
        let expected = if is_login_post {
            cookie(req.headers(), LOGIN_CSRF_COOKIE, st.config.secure_cookies)
        } else {
            session.as_ref().map(|a| a.session.csrf_token.clone())
        };
        let (parts, body) = req.into_parts();
        // A file upload (multipart) may be larger than a form; both are read whole here, so the
        // token is checked before any handler sees the body.
        let boundary = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| multer::parse_boundary(ct).ok());
        let limit = if boundary.is_some() {
            UPLOAD_LIMIT
        } else {
            64 * 1024
        };
        let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
            return frame::render_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "For stor formular",
                "Formularen eller filen er for stor (højst 2 MB).",
            );
        };
        let pairs = if boundary.is_some() {
            Vec::new()
        } else {
            serde_urlencoded_pairs(&bytes)
        };
        let given = match &boundary {
            Some(b) => multipart_field(&bytes, b, "csrf").await,
            None => pairs
                .iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.clone()),
        };
        // The purpose's code (never its free-text reason, which may name someone), for the
        // security log below.
        stated_purpose = pairs
            .iter()
            .find(|(k, _)| k == "formaal")
            .map(|(_, v)| v.chars().take(40).collect());
        let mut ok = matches!((expected.as_deref(), given.as_deref()), (Some(e), Some(g)) if !e.is_empty() && constant_time_eq(e, g));
        // The login form's pair must also be one the server made: a plain double submit takes
        // any pair someone planted.
        if ok && is_login_post {
            ok = st.login_token_valid(given.as_deref().unwrap_or("")).await;
        }
        if !ok {
            // Said without the technical word: the user's remedy is to load the form again.
            refused(session.as_ref().map(|a| a.session.user.id), 403, "csrf");
            let reason = "Formularen er udløbet eller blev ikke sendt fra Kadence. Genindlæs siden, og prøv igen.";
            return match &session {
                Some(a) => frame::render_error_for(
                    &st,
                    a,
                    StatusCode::FORBIDDEN,
                    "Formularen kunne ikke modtages",
                    reason,
                ),
                None => forbidden(reason),
            };
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    // The as-of date of a page (issue 13.7): an impossible date is refused, not replaced by
    // today; a date in the future is shown only once confirmed (remembered for that date in a
    // cookie, so the menu and the views keep it).
    let mut confirmed_future = None;
    if method == Method::GET && session.is_some() {
        let today = frame::today(&st);
        let pairs = serde_urlencoded_pairs(req.uri().query().unwrap_or("").as_bytes());
        let dato = pairs
            .iter()
            .find(|(k, _)| k == "dato")
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(text) = dato {
            let example = today.dk();
            let wrong = format!(
                "«{text}» er ikke en dato. Skriv opgørelsesdatoen som dd-mm-åååå, fx {example}."
            );
            match kadence_import::text::parse_date(&text) {
                None => {
                    return frame::render_error(
                        StatusCode::BAD_REQUEST,
                        "Datoen findes ikke",
                        &wrong,
                    )
                }
                Some(day) if day > today => {
                    let asked = pairs.iter().any(|(k, v)| k == "fremtid" && v == "ja");
                    let remembered = cookie(
                        req.headers(),
                        frame::FUTURE_COOKIE,
                        st.config.secure_cookies,
                    )
                    .is_some_and(|c| c == day.to_string());
                    if asked {
                        confirmed_future = Some(day);
                    } else if !remembered {
                        return frame::confirm_future(req.uri(), day, today);
                    }
                }
                Some(_) => {}
            }
        }
    }
    let user_id = session.as_ref().map(|a| a.session.user.id);
    if let Some(a) = session {
        req.extensions_mut().insert(a);
    }
    let mut res = next.run(req).await;
    // Every download (Excel, Word, PNG, CSV) is an export: logged here, so none is missed.
    if let Some(user_id) = user_id {
        let attachment = res
            .headers()
            .get(axum::http::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment"));
        if attachment && res.status().is_success() {
            st.security(security_log::Event::Export {
                user_id,
                what: spec.path,
            });
        }
        // A change (a setting, a target, a user, a move) went through: a success or a redirect
        // after the POST.
        let done = res.status().is_success() || res.status() == StatusCode::SEE_OTHER;
        if method == Method::POST && done {
            if let Some(purpose) = &stated_purpose {
                st.security(security_log::Event::PurposeStated { user_id, purpose });
            }
            // Changes answer with a redirect when made (a form shown again is not a change).
            if CHANGES.contains(&spec.path) && res.status() == StatusCode::SEE_OTHER {
                st.security(security_log::Event::SettingsChanged {
                    user_id,
                    what: spec.path,
                });
            }
        }
    }
    if let Some(day) = confirmed_future {
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
            "{}={day}; Path=/; HttpOnly; SameSite=Strict{}",
            cookie_name(frame::FUTURE_COOKIE, st.config.secure_cookies),
            if st.config.secure_cookies {
                "; Secure"
            } else {
                ""
            }
        )) {
            res.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    res
}

/// The routes that change the municipality's settings, targets, users or caseloads: each
/// successful POST to one is a security event.
const CHANGES: [&str; 9] = [
    "/admin/brugere",
    "/admin/brugere/spaer",
    "/admin/brugere/genaabn",
    "/admin/brugere/adgangskode",
    "/admin/indstillinger",
    "/admin/indstillinger/fil",
    "/team/flyt",
    "/udvalg/maal",
    "/udvalg/maal/fil",
];

/// The largest upload (a targets spreadsheet is a few kilobytes).
pub(crate) const UPLOAD_LIMIT: usize = 2 * 1024 * 1024;

/// The text of one field of a multipart body, if it is there and is text.
async fn multipart_field(body: &axum::body::Bytes, boundary: &str, name: &str) -> Option<String> {
    let chunk = body.clone();
    let stream =
        futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(chunk) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Parses an `application/x-www-form-urlencoded` body into pairs (nothing if malformed).
fn serde_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(bytes).unwrap_or_default()
}

/// Security headers on every response, and no caching anywhere (pages show personal data).
pub async fn security_headers(
    State(st): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if st.config.secure_cookies {
        // Served over TLS (behind the proxy): the browser keeps to https for a year (issue 14.8).
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// The app's router.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/app.css", get(frame::css))
        .route("/static/kopier.js", get(pages::agenda::copy_script))
        .route("/dagsordenspunkt", get(pages::agenda::page))
        .route("/dagsordenspunkt/punkt.docx", get(pages::agenda::docx))
        .route("/dagsordenspunkt/punkt.html", get(pages::agenda::html_file))
        .route("/dagsordenspunkt/bilag.xlsx", get(pages::agenda::annex))
        .route(
            "/login",
            get(pages::login::login_page).post(pages::login::login_post),
        )
        .route("/login/oidc", get(oidc_start))
        .route("/login/oidc/callback", get(oidc_callback))
        .route("/logout", post(pages::login::logout))
        .route("/", get(pages::login::home))
        .route("/mine", get(pages::worklists::mine))
        .route("/mine/eksport.xlsx", get(pages::worklists::mine_export))
        .route("/team", get(pages::worklists::team))
        .route("/team/eksport.xlsx", get(pages::worklists::team_export))
        .route(
            "/admin/brugere",
            get(pages::admin::users_page).post(pages::admin::add_user),
        )
        .route("/admin/brugere/spaer", post(pages::admin::disable_user))
        .route("/admin/brugere/genaabn", post(pages::admin::enable_user))
        .route(
            "/admin/brugere/adgangskode",
            post(pages::admin::reset_password),
        )
        .route("/admin/importer", get(pages::admin::imports_page))
        .route(
            "/admin/indstillinger",
            get(pages::settings::settings_page).post(pages::settings::settings_post),
        )
        .route(
            "/admin/indstillinger/fil",
            post(pages::settings::settings_file_post),
        )
        .route(
            "/admin/indstillinger/indstillinger.toml",
            get(pages::settings::settings_download),
        )
        .route("/team/flyt", post(pages::reassign::reassign_post))
        .route("/laegeoplysninger", get(pages::duty_lists::medical))
        .route("/tidlig-indsats", get(pages::forecast::page))
        .route(
            "/laegeoplysninger/eksport.xlsx",
            get(pages::duty_lists::medical_export),
        )
        .route("/jobafklaring", get(pages::duty_lists::job_clarification))
        .route(
            "/jobafklaring/eksport.xlsx",
            get(pages::duty_lists::job_clarification_export),
        )
        .route("/find", get(pages::find::page).post(pages::find::search))
        .route("/forloeb/{key}", get(pages::course::course))
        .route("/forloeb/{key}/formaal", post(pages::course::purpose_post))
        .route("/forloeb/{key}/vis-cpr", post(pages::course::reveal_cpr))
        .route("/fokusmaal", get(pages::focus::focus))
        .route("/fokusmaal/eksport.xlsx", get(pages::focus::focus_export))
        .route("/fokusmaal/tal.xlsx", get(pages::focus::figures_export))
        .route("/udvalg", get(pages::committee::committee))
        .route("/udvalg/bilag.xlsx", get(pages::committee::annex))
        .route("/udvalg/graf/{file}", get(pages::committee::chart))
        .route("/udvalg/maal", post(pages::committee::targets_post))
        .route(
            "/udvalg/maal/fil",
            post(pages::committee::targets_file_post)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/admin/revision",
            get(pages::audit_log::audit_page).post(pages::audit_log::audit_lookup),
        )
        .route_layer(middleware::from_fn_with_state(Arc::clone(&state), guard))
        .fallback(|| async {
            frame::render_error(
                StatusCode::NOT_FOUND,
                "Siden findes ikke",
                "Tjek adressen, eller gå til forsiden.",
            )
        })
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            security_headers,
        ))
        .with_state(state)
}

/// Serves the app on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    tokio::spawn(watch_data(Arc::clone(&state)));
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// Reloads the data when another process changed it (`kadence import` from cron while the server
/// runs, `kadence retention`): the store's change counter is compared with the snapshot's every
/// `reload_every`. Readers switch to the new snapshot atomically; a failed load keeps the old one and
/// is tried again at the next check.
async fn watch_data(st: Arc<AppState>) {
    let mut tick = tokio::time::interval(st.config.reload_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Ok(now) = st.store.generation().await else {
            continue;
        };
        if now > st.data.get().generation {
            if let Ok(snapshot) = st.store.load().await {
                st.data.replace(snapshot);
            }
        }
    }
}

/// The client's address, for login rate limiting.
/// The client's address: the TCP peer, or behind a trusted proxy the address it forwards.
pub(crate) fn client_ip(
    st: &AppState,
    info: Option<ConnectInfo<SocketAddr>>,
    headers: &axum::http::HeaderMap,
) -> IpAddr {
    limits::client_addr(info.map(|c| c.0), headers, &st.config.trusted_proxies)
}

#[cfg(test)]
mod purpose_bound_tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    /// Issue 14.8: the stated-purpose map grew without bound (one entry per session and course,
    /// never removed).
    #[tokio::test]
    async fn the_stated_purpose_map_is_bounded_and_forgets_with_the_session() {
        let path = kadence_synth::scratch("web-unit").join("purposes.sqlite");
        let _ = std::fs::remove_file(&path);
        let store = Store::open_sqlite(&path).await.unwrap();
        let snap = store.load().await.unwrap();
        // Milliseconds, one per purpose stated.
        let t = Arc::new(AtomicI64::new(1_800_000_000_000));
        let c = Arc::clone(&t);
        let clock: Clock =
            Arc::new(move || Timestamp::from_millisecond(c.load(Ordering::SeqCst)).unwrap());
        let st = AppState::new(
            store,
            Arc::new(SnapshotCell::new(snap)),
            clock,
            Config::default(),
        );
        let n = MAX_PURPOSES + 10;
        for i in 0..n {
            t.fetch_add(1, Ordering::SeqCst);
            st.grant_purpose("session", &format!("K{i}"), "vikar".into());
        }
        assert_eq!(st.purposes_held(), MAX_PURPOSES);
        assert_eq!(st.granted_purpose("session", "K0"), None, "the oldest went");
        assert_eq!(
            st.granted_purpose("session", &format!("K{}", n - 1))
                .as_deref(),
            Some("vikar")
        );
        // No session outlives its absolute timeout, and neither does its purpose.
        t.fetch_add((st.policy.absolute.as_secs() + 1) * 1000, Ordering::SeqCst);
        assert_eq!(st.granted_purpose("session", &format!("K{}", n - 1)), None);
        st.grant_purpose("session", "ny", "vikar".into());
        assert_eq!(
            st.purposes_held(),
            1,
            "the void ones are dropped when the map is full"
        );
        let _ = std::fs::remove_file(&path);
    }
}
