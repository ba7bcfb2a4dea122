//! The pages: handlers, view models and their askama templates (`templates/`).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use kadence_core::date::Day;
use kadence_core::dk;
use kadence_core::dk::local_time;
use kadence_core::duties::{evaluate, CourseStatus, Status};
use kadence_core::measures::{MeasureKind, Split};
use kadence_core::model::*;
use kadence_core::worklist::{conversations_text, days_text, flags, View};
use kadence_store::access::{AuditEntry, Login, Role};
use kadence_store::Snapshot;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::xlsx;
use crate::{client_ip, cookie, set_cookie, AppState, Authed, LOGIN_CSRF_COOKIE, SESSION_COOKIE};

pub(crate) fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_token() -> String {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn html(t: &impl Template) -> Response {
    match t.render() {
        Ok(s) => Html(s).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Siden kunne ikke vises.").into_response(),
    }
}

/// The frame around every logged-in page.
pub struct Layout {
    pub nav: Vec<NavItem>,
    pub user_name: String,
    pub role_label: &'static str,
    pub csrf: String,
    /// The as-of date as shown, `dd-mm-åååå`.
    pub as_of: String,
    /// Query parameters to keep when the as-of date changes.
    pub keep: Vec<(String, String)>,
    pub freshness: String,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub(crate) fn layout(
    st: &AppState,
    a: &Authed,
    current: &str,
    as_of: Day,
    keep: Vec<(String, String)>,
) -> Layout {
    let role = a.session.user.role;
    let items: &[(&str, &str, &[Role])] = &[
        ("/mine", "Mine borgere", &[Role::Caseworker]),
        ("/team", "Mit team", &[Role::TeamLead]),
        (
            "/laegeoplysninger",
            "Lægeoplysninger",
            &[Role::Caseworker, Role::TeamLead],
        ),
        (
            "/jobafklaring",
            "Jobafklaring",
            &[Role::Caseworker, Role::TeamLead],
        ),
        (
            "/fokusmaal",
            "Fokusmål",
            &[Role::Caseworker, Role::TeamLead, Role::Analyst, Role::Admin],
        ),
        ("/admin/brugere", "Brugere", &[Role::Admin]),
        ("/admin/importer", "Importer", &[Role::Admin]),
        ("/admin/revision", "Revisionslog", &[Role::Admin]),
    ];
    let snap = st.data.get();
    let freshness = match &snap.latest {
        Some(b) => format!(
            "Data pr. {} · senest importeret {} (import nr. {}: {})",
            as_of.dk(),
            local_time(&b.finished_at),
            b.id,
            b.files
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!(
            "Data pr. {} · der er ikke importeret data endnu",
            as_of.dk()
        ),
    };
    Layout {
        nav: items
            .iter()
            .filter(|(_, _, roles)| roles.contains(&role))
            .map(|(href, label, _)| NavItem {
                href,
                label,
                current: *href == current,
            })
            .collect(),
        user_name: a.session.user.display_name.clone(),
        role_label: role.code(),
        csrf: a.session.csrf_token.clone(),
        as_of: as_of.dk().to_string(),
        keep,
        freshness,
    }
}

pub(crate) fn today(st: &AppState) -> Day {
    let now = st.now();
    let zoned = now
        .in_tz("Europe/Copenhagen")
        .unwrap_or_else(|_| now.to_zoned(jiff::tz::TimeZone::UTC));
    Day::from_jiff(zoned.date())
}

pub(crate) fn as_of(st: &AppState, dato: &Option<String>) -> Day {
    dato.as_deref()
        .and_then(kadence_import::text::parse_date)
        .unwrap_or_else(|| today(st))
}

/// "Efternavn, Fornavn" from "Fornavn Efternavn".
pub(crate) fn surname_first(full: &str) -> String {
    match full.rsplit_once(' ') {
        Some((first, last)) => format!("{last}, {first}"),
        None => full.to_string(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Option<Layout>,
    heading: String,
    text: String,
}

/// A Danish error page with its status code.
pub fn render_error(status: StatusCode, heading: &str, text: &str) -> Response {
    let page = ErrorPage {
        layout: None,
        heading: heading.into(),
        text: text.into(),
    };
    (status, html(&page)).into_response()
}

pub async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/app.css"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Option<Layout>,
    message: Option<String>,
    csrf: String,
    username: String,
    /// Offer the municipality's single sign-on.
    sso: bool,
}

fn login_form(
    status: StatusCode,
    message: Option<String>,
    username: String,
    secure: bool,
    sso: bool,
) -> Response {
    let csrf = random_token();
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
    login_form(
        StatusCode::OK,
        None,
        String::new(),
        st.config.secure_cookies,
        st.config.oidc.is_some(),
    )
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
    let secure = st.config.secure_cookies;
    if !st.allow_login_attempt(client_ip(info.map(|e| e.0))) {
        return login_form(
            StatusCode::TOO_MANY_REQUESTS,
            Some("For mange loginforsøg fra din adresse. Vent et minut, og prøv igen.".into()),
            f.username,
            secure,
            st.config.oidc.is_some(),
        );
    }
    let now = st.now();
    match st
        .store
        .login(&f.username, &f.password, now, &st.policy)
        .await
    {
        Ok(Login::Ok(user)) => start_session(&st, &headers, user.id).await,
        Ok(Login::Locked(until)) => login_form(
            StatusCode::FORBIDDEN,
            Some(format!(
                "Kontoen er midlertidigt låst efter for mange forkerte forsøg. Prøv igen efter {}.",
                local_time(&until.to_string())
            )),
            f.username,
            secure,
            st.config.oidc.is_some(),
        ),
        Ok(Login::Disabled) => login_form(
            StatusCode::FORBIDDEN,
            Some("Kontoen er spærret. Kontakt en administrator.".into()),
            f.username,
            secure,
            st.config.oidc.is_some(),
        ),
        Ok(Login::Refused) => login_form(
            StatusCode::UNAUTHORIZED,
            Some("Forkert brugernavn eller adgangskode.".into()),
            f.username,
            secure,
            st.config.oidc.is_some(),
        ),
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
    if let Some(old) = cookie(headers, SESSION_COOKIE) {
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
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
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

#[derive(Deserialize, Default)]
pub struct ListQuery {
    dato: Option<String>,
    q: Option<String>,
    side: Option<usize>,
    visning: Option<String>,
    /// The order: "frist" (urgency, the default), "dage", "navn", "sagsbehandler".
    sorter: Option<String>,
    /// After a reassignment: how many courses were moved, and to whom (caseworker key).
    flyttet: Option<usize>,
    til: Option<String>,
}

pub struct NextDeadline {
    date: String,
    when: String,
    duty: String,
}

pub struct WorkRow {
    key: String,
    href: String,
    name: String,
    cpr: String,
    days: i32,
    next: Option<NextDeadline>,
    urgency_class: &'static str,
    conversations: String,
    last: String,
    caseworker: String,
    flags: Vec<String>,
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage {
    layout: Option<Layout>,
    heading: &'static str,
    as_of: String,
    view_label: &'static str,
    views: Vec<ViewLink>,
    export_href: String,
    page_query: String,
    visning: &'static str,
    query: String,
    rows: Vec<WorkRow>,
    total: usize,
    shown_from: usize,
    shown_to: usize,
    page: usize,
    has_prev: bool,
    has_next: bool,
    show_caseworker: bool,
    empty_text: String,
    /// The team lead's reassignment form: the team's caseworkers (key, name), or `None`.
    reassign_to: Option<Vec<(String, String)>>,
    /// The confirmation after a reassignment.
    notice: Option<String>,
    csrf: String,
    side: usize,
    sorter: &'static str,
    sort_text: &'static str,
    sort_urgency: SortLink,
    sort_days: SortLink,
    sort_name: SortLink,
    sort_caseworker: SortLink,
}

struct ListSpec<'a> {
    /// The data the whole request reads: `keep` and `reassign_team` hold ids of this population, so
    /// the list must not take a newer snapshot a reload may have put in place meanwhile.
    snap: Arc<Snapshot>,
    path: &'static str,
    /// The preset views offered (a caseworker's own list has no "Ikke fordelt").
    views: &'static [View],
    /// The team whose caseworkers the list's courses may be moved between (Mit team only).
    reassign_team: Option<TeamId>,
    heading: &'static str,
    show_caseworker: bool,
    purpose: &'static str,
    keep: &'a (dyn Fn(&Population, &Course) -> bool + Sync),
    empty: &'static str,
}

/// The views of a caseworker's own list: all but the unassigned pool, which `View::ALL` lists last.
const OWN_VIEWS: &[View] = View::ALL.split_last().expect("views").1;
const _: () = assert!(matches!(View::ALL[View::ALL.len() - 1], View::Unassigned));

/// A team lead's courses: the team's, and the courses no caseworker has (ikke fordelt), which belong
/// to no team until a team lead moves them to someone.
pub(crate) fn in_team_scope(pop: &Population, c: &Course, team: Option<TeamId>) -> bool {
    team.is_some() && (pop.team_of(c) == team || c.caseworker.is_none())
}

/// How a list is ordered. Urgency first is the default: the next deadline, overdue first.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Sort {
    Urgency,
    /// Most days since the first day of absence first.
    Days,
    Name,
    Caseworker,
}

impl Sort {
    const ALL: [Sort; 4] = [Sort::Urgency, Sort::Days, Sort::Name, Sort::Caseworker];

    fn code(self) -> &'static str {
        match self {
            Sort::Urgency => "frist",
            Sort::Days => "dage",
            Sort::Name => "navn",
            Sort::Caseworker => "sagsbehandler",
        }
    }

    fn from_code(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|x| x.code() == s)
    }

    /// Words for the status line ("mest presserende først").
    fn text(self) -> &'static str {
        match self {
            Sort::Urgency => "mest presserende først",
            Sort::Days => "længst sygemeldt først",
            Sort::Name => "efter navn",
            Sort::Caseworker => "efter sagsbehandler",
        }
    }
}

/// A sortable column header.
pub struct SortLink {
    href: String,
    /// `aria-sort` of the column: "ascending", "descending" or "none".
    aria: &'static str,
}

/// The courses of a list, as of a date: scoped, searched, counted per preset view, filtered by the
/// chosen view, sorted (by urgency unless asked otherwise).
struct Selection {
    as_of: Day,
    query: String,
    view: View,
    sort: Sort,
    /// The shared statuses of every active course, and the positions of the selected ones in
    /// urgency order: a request borrows the statuses instead of copying them.
    statuses: crate::Statuses,
    order: Vec<usize>,
    counts: Vec<(View, usize)>,
}

impl Selection {
    fn rows(&self) -> impl Iterator<Item = &(CourseId, CourseStatus)> + '_ {
        self.order.iter().map(|i| &self.statuses[*i])
    }

    fn len(&self) -> usize {
        self.order.len()
    }
}

fn select(
    st: &AppState,
    snap: &Arc<kadence_store::Snapshot>,
    q: &ListQuery,
    keep: &(dyn Fn(&Population, &Course) -> bool + Sync),
    views: &[View],
) -> Selection {
    let pop = &snap.population;
    let as_of = as_of(st, &q.dato);
    let query = q.q.clone().unwrap_or_default().trim().to_string();
    let needle = query.to_lowercase();
    let view = q
        .visning
        .as_deref()
        .and_then(View::from_code)
        .filter(|v| views.contains(v))
        .unwrap_or(View::All);
    let all = st.active_statuses(snap, as_of);
    let scoped: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, (id, _))| keep(pop, &pop.courses[id.index()]))
        .filter(|(_, (id, _))| {
            needle.is_empty()
                || pop.citizens[pop.courses[id.index()].citizen.index()]
                    .name
                    .to_lowercase()
                    .contains(&needle)
        })
        .map(|(i, _)| i)
        .collect();
    let matches = |v: View, i: usize| {
        let (id, st) = &all[i];
        v.matches(&pop.courses[id.index()], st)
    };
    let counts = views
        .iter()
        .map(|v| (*v, scoped.iter().filter(|i| matches(*v, **i)).count()))
        .collect();
    let mut order: Vec<usize> = scoped.into_iter().filter(|i| matches(view, *i)).collect();
    let sort = q
        .sorter
        .as_deref()
        .and_then(Sort::from_code)
        .unwrap_or(Sort::Urgency);
    // The shared statuses are already in urgency order (computed once per snapshot and date), so the
    // default order needs no sort, and the other orders are stable sorts that keep urgency order
    // among equals. (Sorting every request by a tuple with the course key was half of the team page's
    // time: `perf`, memcmp in the sort.)
    match sort {
        Sort::Urgency => {}
        Sort::Days => order.sort_by_key(|i| -all[*i].1.days_since_first_absence),
        Sort::Name => order.sort_by_cached_key(|i| {
            let c = &pop.courses[all[*i].0.index()];
            surname_first(&pop.citizens[c.citizen.index()].name).to_lowercase()
        }),
        Sort::Caseworker => order.sort_by_cached_key(|i| {
            let c = &pop.courses[all[*i].0.index()];
            c.caseworker.map_or(String::new(), |w| {
                pop.caseworkers[w.index()].name.to_lowercase()
            })
        }),
    }
    Selection {
        as_of,
        query,
        view,
        sort,
        statuses: all,
        order,
        counts,
    }
}

/// One audit entry per citizen among these courses (naming the first course of each citizen), in
/// order: what every page and export that shows citizens logs.
pub(crate) fn audit_entries(
    pop: &Population,
    a: &Authed,
    courses: impl IntoIterator<Item = CourseId>,
    action: &str,
    purpose: &str,
) -> Vec<AuditEntry> {
    let mut seen = HashSet::new();
    courses
        .into_iter()
        .filter_map(|id| {
            let c = &pop.courses[id.index()];
            let citizen = &pop.citizens[c.citizen.index()];
            seen.insert(citizen.cpr).then(|| AuditEntry {
                username: a.session.user.username.clone(),
                cpr: Some(citizen.cpr),
                course_key: Some(c.key.clone()),
                action: action.into(),
                purpose: purpose.into(),
            })
        })
        .collect()
}

/// The caseworker a user is, in the imported data (by the case system's key).
pub(crate) fn user_caseworker(pop: &Population, a: &Authed) -> Option<CaseworkerId> {
    let key = a.session.user.caseworker_key.as_deref()?;
    pop.caseworkers
        .iter()
        .position(|c| c.key == key)
        .map(|i| CaseworkerId(i as u32))
}

/// The team a team lead leads, in the imported data (by the case system's key).
pub(crate) fn user_team(pop: &Population, a: &Authed) -> Option<TeamId> {
    let key = a.session.user.team_key.as_deref()?;
    pop.teams
        .iter()
        .position(|t| t.key == key)
        .map(|i| TeamId(i as u32))
}

pub struct ViewLink {
    href: String,
    label: &'static str,
    count: usize,
    current: bool,
}

async fn worklist(st: &AppState, a: &Authed, q: ListQuery, spec: ListSpec<'_>) -> Response {
    let snap = &spec.snap;
    let pop = &snap.population;
    let sel = select(st, snap, &q, spec.keep, spec.views);
    let total = sel.len();
    let size = st.config.page_size.max(1);
    let pages = total.div_ceil(size).max(1);
    let page = q.side.unwrap_or(1).clamp(1, pages);
    let shown: Vec<_> = sel.rows().skip((page - 1) * size).take(size).collect();
    let audit = audit_entries(
        pop,
        a,
        shown.iter().map(|(id, _)| *id),
        "vist i arbejdsliste",
        spec.purpose,
    );
    let view: Vec<WorkRow> = shown
        .iter()
        .map(|(id, s)| {
            let c = &pop.courses[id.index()];
            let citizen = &pop.citizens[c.citizen.index()];
            let next = s.next_deadline();
            let mut flags = flags(pop, *id, s);
            if let Some(m) = snap.reassigned.get(id) {
                flags.push(format!(
                    "Flyttet i Kadence {} - fagsystemet viser stadig {}",
                    local_time(&m.at),
                    m.imported
                        .as_deref()
                        .and_then(|k| pop.caseworkers.iter().find(|w| w.key == k))
                        .map_or("ingen sagsbehandler", |w| w.name.as_str())
                ));
            }
            WorkRow {
                key: c.key.clone(),
                href: format!("/forloeb/{}", path_segment(&c.key)),
                name: surname_first(&citizen.name),
                cpr: citizen.cpr.masked(),
                days: s.days_since_first_absence,
                next: next.map(|d| NextDeadline {
                    date: d
                        .next_by
                        .or(d.due)
                        .map(|x| x.dk().to_string())
                        .unwrap_or_default(),
                    when: d.days_left.map(days_text).unwrap_or_default(),
                    duty: format!("{} ({})", d.title(), d.paragraph),
                }),
                urgency_class: match next.map(|d| d.status) {
                    Some(Status::Overdue) => "overdue",
                    Some(Status::DueSoon) => "soon",
                    _ => "",
                },
                conversations: conversations_text(s),
                last: s
                    .last_conversation
                    .map(|d| d.dk().to_string())
                    .unwrap_or_else(|| "-".into()),
                caseworker: c.caseworker.map_or("Ikke fordelt".into(), |x| {
                    pop.caseworkers[x.index()].name.clone()
                }),
                flags,
            }
        })
        .collect();
    if st.store.audit_append(&audit, st.now()).await.is_err() {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Listen kan ikke vises",
            "Opslaget kunne ikke logges, og derfor vises listen ikke. Prøv igen.",
        );
    }
    let as_of_text = sel.as_of.dk().to_string();
    let enc = |v: &str| form_urlencoded(v);
    let query_with = |view: View, sort: Sort| {
        let mut q = format!("?dato={}&visning={}", enc(&as_of_text), view.code());
        if !sel.query.is_empty() {
            q.push_str(&format!("&q={}", enc(&sel.query)));
        }
        if sort != Sort::Urgency {
            q.push_str(&format!("&sorter={}", sort.code()));
        }
        q
    };
    let base_query = |view: View| query_with(view, sel.sort);
    let sort_link = |sort: Sort| SortLink {
        href: query_with(sel.view, sort),
        aria: match (sel.sort == sort, sort) {
            (false, _) => "none",
            (true, Sort::Days) => "descending",
            (true, _) => "ascending",
        },
    };
    let mut keep = vec![("visning".to_string(), sel.view.code().to_string())];
    if sel.sort != Sort::Urgency {
        keep.push(("sorter".to_string(), sel.sort.code().to_string()));
    }
    if !sel.query.is_empty() {
        keep.push(("q".to_string(), sel.query.clone()));
    }
    let page_view = WorklistPage {
        layout: Some(layout(st, a, spec.path, sel.as_of, keep)),
        heading: spec.heading,
        as_of: as_of_text.clone(),
        view_label: sel.view.label(),
        views: sel
            .counts
            .iter()
            .map(|(v, n)| ViewLink {
                href: base_query(*v),
                label: v.label(),
                count: *n,
                current: *v == sel.view,
            })
            .collect(),
        export_href: format!("{}/eksport.xlsx{}", spec.path, base_query(sel.view)),
        page_query: base_query(sel.view),
        rows: view,
        total,
        shown_from: if total == 0 { 0 } else { (page - 1) * size + 1 },
        shown_to: ((page - 1) * size + shown.len()).min(total),
        page,
        has_prev: page > 1,
        has_next: page < pages,
        show_caseworker: spec.show_caseworker,
        empty_text: if !sel.query.is_empty() || sel.view != View::All {
            "Ingen borgere matcher filtrene.".to_string()
        } else {
            spec.empty.to_string()
        },
        query: sel.query.clone(),
        visning: sel.view.code(),
        reassign_to: spec.reassign_team.map(|t| {
            let mut v: Vec<(String, String)> = pop
                .caseworkers
                .iter()
                .filter(|w| w.team == t)
                .map(|w| (w.key.clone(), w.name.clone()))
                .collect();
            v.sort_by(|a, b| a.1.cmp(&b.1));
            v
        }),
        notice: q.flyttet.map(|n| {
            let to = q
                .til
                .as_deref()
                .and_then(|k| pop.caseworkers.iter().find(|w| w.key == k))
                .map_or("den valgte sagsbehandler", |w| w.name.as_str());
            format!(
                "{} forløb flyttet til {to}. Husk at flytte {} i fagsystemet også.",
                dk::int(n as i64),
                if n == 1 { "sagen" } else { "sagerne" }
            )
        }),
        csrf: a.session.csrf_token.clone(),
        side: page,
        sorter: sel.sort.code(),
        sort_text: sel.sort.text(),
        sort_urgency: sort_link(Sort::Urgency),
        sort_days: sort_link(Sort::Days),
        sort_name: sort_link(Sort::Name),
        sort_caseworker: sort_link(Sort::Caseworker),
    };
    html(&page_view)
}

/// Percent-encodes a value for one URL path segment (course ids come from the case system and may hold
/// any character).
pub(crate) fn path_segment(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Percent-encodes a query parameter value.
pub(crate) fn form_urlencoded(v: &str) -> String {
    serde_urlencoded::to_string([("v", v)])
        .map(|s| s[2..].to_string())
        .unwrap_or_default()
}

/// The list as an Excel file: Danish headers, dates as dates, frozen header row, filters.
async fn export(st: &AppState, a: &Authed, q: ListQuery, spec: ListSpec<'_>) -> Response {
    use rust_xlsxwriter::Workbook;
    let snap = &spec.snap;
    let pop = &snap.population;
    let sel = select(st, snap, &q, spec.keep, spec.views);
    let all: Vec<_> = sel.rows().collect();
    let audit = audit_entries(
        pop,
        a,
        all.iter().map(|(id, _)| *id),
        "eksporteret til Excel",
        spec.purpose,
    );
    if st.store.audit_append(&audit, st.now()).await.is_err() {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Eksporten kan ikke dannes",
            "Opslaget kunne ikke logges, og derfor dannes eksporten ikke. Prøv igen.",
        );
    }
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let headers = [
            ("Forløb", 18.0),
            ("Borger", 26.0),
            ("CPR-nr.", 13.0),
            ("Dage siden 1. fraværsdag", 12.0),
            ("Næste frist", 12.0),
            ("Dage til frist", 10.0),
            ("Pligt", 34.0),
            ("Samtaler", 10.0),
            ("Seneste samtale", 12.0),
            ("Sagsbehandler", 22.0),
            ("Hændelser", 50.0),
        ];
        let mut wb = Workbook::new();
        let ws = xlsx::sheet(&mut wb, spec.heading, &headers)?;
        for (i, (id, s)) in sel.rows().enumerate() {
            let r = i as u32 + 1;
            let c = &pop.courses[id.index()];
            let citizen = &pop.citizens[c.citizen.index()];
            let next = s.next_deadline();
            ws.write_string(r, 0, &c.key)?;
            ws.write_string(r, 1, surname_first(&citizen.name))?;
            ws.write_string(r, 2, citizen.cpr.masked())?;
            ws.write_number(r, 3, f64::from(s.days_since_first_absence))?;
            if let Some(d) = next.and_then(|d| d.next_by.or(d.due)) {
                xlsx::write_day(ws, r, 4, d)?;
            }
            if let Some(left) = next.and_then(|d| d.days_left) {
                ws.write_number(r, 5, f64::from(left))?;
            }
            if let Some(d) = next {
                ws.write_string(r, 6, format!("{} ({})", d.title(), d.paragraph))?;
            }
            ws.write_string(r, 7, conversations_text(s))?;
            if let Some(d) = s.last_conversation {
                xlsx::write_day(ws, r, 8, d)?;
            }
            ws.write_string(
                r,
                9,
                c.caseworker.map_or("Ikke fordelt".into(), |x| {
                    pop.caseworkers[x.index()].name.clone()
                }),
            )?;
            ws.write_string(r, 10, flags(pop, *id, s).join("; "))?;
        }
        xlsx::filter(ws, sel.len(), headers.len())?;
        wb.save_to_buffer()
    };
    xlsx::download(
        build(),
        &format!(
            "kadence-{}-{}-{}.xlsx",
            spec.path.trim_start_matches('/'),
            sel.view.code(),
            sel.as_of
        ),
    )
}

/// HTML page or Excel file of the same list.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Out {
    Page,
    Xlsx,
}

async fn list(st: &AppState, a: &Authed, q: ListQuery, spec: ListSpec<'_>, out: Out) -> Response {
    match out {
        Out::Page => worklist(st, a, q, spec).await,
        Out::Xlsx => export(st, a, q, spec).await,
    }
}

async fn mine_list(st: Arc<AppState>, a: Authed, q: ListQuery, out: Out) -> Response {
    let snap = st.data.get();
    let cw = user_caseworker(&snap.population, &a);
    let keep = move |_: &Population, c: &Course| cw.is_some() && c.caseworker == cw;
    let spec = ListSpec {
        snap: Arc::clone(&snap),
        path: "/mine",
        views: OWN_VIEWS,
        reassign_team: None,
        heading: "Mine borgere",
        show_caseworker: false,
        purpose: "Opfølgning i egen sagsstamme",
        keep: &keep,
        empty: "Du har ingen aktive borgere tildelt på denne dato.",
    };
    list(&st, &a, q, spec, out).await
}

async fn team_list(st: Arc<AppState>, a: Authed, q: ListQuery, out: Out) -> Response {
    let snap = st.data.get();
    let team = user_team(&snap.population, &a);
    let keep = move |pop: &Population, c: &Course| in_team_scope(pop, c, team);
    let spec = ListSpec {
        snap: Arc::clone(&snap),
        path: "/team",
        views: &View::ALL,
        reassign_team: team,
        heading: "Mit team",
        show_caseworker: true,
        purpose: "Teamledelse",
        keep: &keep,
        empty: "Teamet har ingen aktive borgere på denne dato.",
    };
    list(&st, &a, q, spec, out).await
}

pub async fn mine(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<ListQuery>,
) -> Response {
    mine_list(st, a, q, Out::Page).await
}

pub async fn mine_export(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<ListQuery>,
) -> Response {
    mine_list(st, a, q, Out::Xlsx).await
}

pub async fn team(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<ListQuery>,
) -> Response {
    team_list(st, a, q, Out::Page).await
}

pub async fn team_export(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<ListQuery>,
) -> Response {
    team_list(st, a, q, Out::Xlsx).await
}

const PURPOSES: &[(&str, &str)] = &[
    ("vikar", "Jeg vikarierer for borgerens sagsbehandler"),
    ("overdragelse", "Sagen skal overdrages til mig"),
    ("henvendelse", "Borgeren har henvendt sig til mig"),
    ("kvalitet", "Kvalitetssikring eller tilsyn"),
];

#[derive(Template)]
#[template(path = "purpose.html")]
struct PurposePage {
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
    conversations: Vec<(String, &'static str, &'static str)>,
    standby: Vec<String>,
    medical: Vec<(&'static str, String, String, String)>,
}

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage {
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
fn own_purpose(pop: &Population, course: &Course, a: &Authed) -> Option<&'static str> {
    let u = &a.session.user;
    match u.role {
        Role::Caseworker => {
            let key = course
                .caseworker
                .map(|c| pop.caseworkers[c.index()].key.as_str());
            (key.is_some() && key == u.caseworker_key.as_deref()).then_some("Opfølgning i egen sag")
        }
        Role::TeamLead => {
            let team = pop
                .team_of(course)
                .map(|t| pop.teams[t.index()].key.as_str());
            (team.is_some() && team == u.team_key.as_deref()).then_some("Teamledelse")
        }
        _ => None,
    }
}

/// One course's timeline as accessible SVG: the days from the first day of absence to the as-of date
/// (or the end), with every fact and deadline; a description lists them in words, and the tables
/// under it hold the same facts.
fn timeline_svg(f: &CourseFacts<'_>, st: &CourseStatus) -> String {
    let c = f.course;
    let as_of = st.as_of;
    let start = c.first_absence.min(c.clock_start());
    let mut end = c
        .end
        .map(|e| e.date)
        .filter(|d| *d <= as_of)
        .unwrap_or(as_of);
    for d in &st.duties {
        if let Some(due) = d.next_by.or(d.due) {
            end = end.max(due);
        }
    }
    let end = end.max(start.add_days(30));
    let (w, left, right) = (760.0, 16.0, 16.0);
    let span = f64::from(start.days_until(end).max(1));
    let x = |d: Day| left + (w - left - right) * f64::from(start.days_until(d)) / span;
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut words: Vec<String> = vec![
        format!("1. fraværsdag {}", c.first_absence.dk()),
        format!("ydelsesstart {}", c.benefit_start.dk()),
    ];
    let mut body = String::new();
    // Lanes: 1 events, 2 standby and medical, 3 deadlines.
    let (y_axis, y_events, y_standby, y_medical, y_deadlines) = (40.0, 70.0, 100.0, 125.0, 150.0);
    body.push_str(&format!(r##"<line x1="{left}" x2="{}" y1="{y_axis}" y2="{y_axis}" stroke="#4a4a4a" stroke-width="1.5"/>"##, w - right));
    let mut tick = start.month_start();
    while tick <= end {
        if tick >= start {
            let tx = x(tick);
            body.push_str(&format!(
                r##"<line x1="{tx:.1}" x2="{tx:.1}" y1="{}" y2="{}" stroke="#c8c8c8"/><text x="{tx:.1}" y="{}" font-size="10" text-anchor="middle" fill="#4a4a4a">{}</text>"##,
                y_axis - 4.0, y_deadlines + 12.0, y_axis - 8.0, tick.month()
            ));
        }
        tick = tick.add_months(1);
    }
    let mark = |body: &mut String, d: Day, label: &str, color: &str| {
        body.push_str(&format!(
            r##"<line x1="{0:.1}" x2="{0:.1}" y1="{1}" y2="{2}" stroke="{color}" stroke-width="2"><title>{3}</title></line>"##,
            x(d), y_axis - 2.0, y_deadlines + 12.0, esc(label)
        ));
    };
    mark(
        &mut body,
        c.first_absence,
        &format!("1. fraværsdag {}", c.first_absence.dk()),
        "#1b1b1b",
    );
    mark(
        &mut body,
        c.benefit_start,
        &format!("Ydelsesstart {}", c.benefit_start.dk()),
        "#6b6b6b",
    );
    for conv in f.conversations.iter().filter(|x| x.date <= as_of) {
        let label = format!(
            "Samtale {}{}",
            conv.date.dk(),
            if conv.held { "" } else { " (aflyst)" }
        );
        body.push_str(&format!(
            r##"<circle cx="{:.1}" cy="{y_events}" r="6" fill="{}" stroke="#004b87" stroke-width="2"><title>{}</title></circle>"##,
            x(conv.date), if conv.held { "#004b87" } else { "#ffffff" }, esc(&label)
        ));
        words.push(label.to_lowercase());
    }
    for sb in f.standby.iter().filter(|p| p.start <= as_of) {
        let e = sb.end.filter(|e| *e < as_of).unwrap_or(as_of);
        let label = format!("Standby {} til {}", sb.start.dk(), e.dk());
        body.push_str(&format!(
            r##"<rect x="{:.1}" y="{}" width="{:.1}" height="12" fill="#f0d9a8" stroke="#7a4a00"><title>{}</title></rect>"##,
            x(sb.start), y_standby - 6.0, (x(e) - x(sb.start)).max(2.0), esc(&label)
        ));
        words.push(label.to_lowercase());
    }
    for m in f.medical.iter().filter(|m| m.sent <= as_of) {
        let until = m.received.filter(|r| *r <= as_of).unwrap_or(as_of);
        let label = format!(
            "Lægeattest sendt {}{}",
            m.sent.dk(),
            m.received
                .filter(|r| *r <= as_of)
                .map(|r| format!(", modtaget {}", r.dk()))
                .unwrap_or_else(|| ", ikke modtaget".into())
        );
        body.push_str(&format!(
            r##"<line x1="{:.1}" x2="{:.1}" y1="{y_medical}" y2="{y_medical}" stroke="#4a4a4a" stroke-width="4"><title>{}</title></line>"##,
            x(m.sent), x(until).max(x(m.sent) + 2.0), esc(&label)
        ));
        words.push(label.to_lowercase());
    }
    for r in f.rehab {
        let label = format!("Rehabiliteringsteam {}", r.date.dk());
        let rx = x(r.date);
        body.push_str(&format!(
            r##"<polygon points="{:.1},{y_events} {rx:.1},{} {:.1},{y_events} {rx:.1},{}" fill="#5a2d82"><title>{}</title></polygon>"##,
            rx - 7.0, y_events - 7.0, rx + 7.0, y_events + 7.0, esc(&label)
        ));
        words.push(label.to_lowercase());
    }
    for d in st.duties.iter().filter(|d| d.kind.is_caseworker_deadline()) {
        let Some(due) = d.next_by.or(d.due) else {
            continue;
        };
        let label = format!("Frist: {} {} ({})", d.title(), due.dk(), d.status.label());
        let color = match d.status {
            Status::Overdue | Status::Missed => "#a4000f",
            Status::Met | Status::MetLate | Status::NotApplicable => "#4a4a4a",
            _ => "#004b87",
        };
        let dx = x(due);
        body.push_str(&format!(
            r##"<path d="M{:.1},{} L{:.1},{} L{:.1},{} Z" fill="{color}"><title>{}</title></path>"##,
            dx - 6.0, y_deadlines + 8.0, dx, y_deadlines - 4.0, dx + 6.0, y_deadlines + 8.0, esc(&label)
        ));
        words.push(label.to_lowercase());
    }
    let ax = x(as_of.min(end));
    body.push_str(&format!(
        r##"<line x1="{ax:.1}" x2="{ax:.1}" y1="{}" y2="{}" stroke="#a4000f" stroke-dasharray="4 3" stroke-width="1.5"/><text x="{ax:.1}" y="{}" font-size="10" text-anchor="{}" fill="#a4000f">{}</text>"##,
        y_axis - 2.0, y_deadlines + 12.0, y_deadlines + 26.0,
        // Near the right edge the label ends at the line instead of centring on it.
        if ax > w * 0.85 { "end" } else { "middle" },
        esc(&format!("pr. {}", as_of.dk()))
    ));
    format!(
        r##"<svg class="timeline" viewBox="0 0 {w} 190" role="img" aria-labelledby="tl-title tl-desc" xmlns="http://www.w3.org/2000/svg"><title id="tl-title">Tidslinje for forløb {}</title><desc id="tl-desc">{}</desc>{body}</svg>"##,
        esc(&c.key),
        esc(&words.join("; "))
    )
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

async fn course_page(
    st: &AppState,
    a: &Authed,
    key: String,
    dato: &Option<String>,
    reveal: bool,
) -> Response {
    let snap = st.data.get();
    let pop = &snap.population;
    let Some(id) = pop.course_by_key(&key) else {
        return render_error(
            StatusCode::NOT_FOUND,
            "Forløbet findes ikke",
            "Der er intet forløb med dette id i de importerede data.",
        );
    };
    let course = &pop.courses[id.index()];
    let as_of = as_of(st, dato);
    let granted = st
        .purposes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(a.session_key.clone(), key.clone()))
        .cloned();
    let purpose = match (own_purpose(pop, course, a), granted) {
        (Some(p), _) => p.to_string(),
        (None, Some(p)) => p,
        (None, None) => {
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
                course_key: Some(course.key.clone()),
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
    let s = evaluate(f, &st.book, &st.settings, as_of);
    let view = CourseView {
        key: course.key.clone(),
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
                class: match d.status {
                    Status::Overdue | Status::Missed => "overdue",
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
            .map(|l| {
                format!(
                    "{}: {} af {} inden {} ({})",
                    l.name,
                    l.counted,
                    l.required,
                    l.window.1.dk(),
                    l.status.label()
                )
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
                    if c.held { "Afholdt" } else { "Aflyst" },
                )
            })
            .collect(),
        standby: f
            .standby
            .iter()
            .filter(|p| p.start <= as_of)
            .map(|p| match p.end.filter(|e| *e < as_of) {
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
    let mut purpose = label.to_string();
    if let Some(extra) = f
        .begrundelse
        .map(|b| b.trim().chars().take(200).collect::<String>())
        .filter(|b| !b.is_empty())
    {
        purpose = format!("{purpose}: {extra}");
    }
    st.purposes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert((a.session_key.clone(), key.clone()), purpose);
    // The course key goes back into a URL only after it is known to be a course.
    let known = st.data.get().population.course_by_key(&key).is_some();
    Redirect::to(&if known {
        format!("/forloeb/{}", path_segment(&key))
    } else {
        "/".to_string()
    })
    .into_response()
}

pub struct Tab {
    href: String,
    label: &'static str,
    current: bool,
}

type FigureRow = (String, String, String, String, &'static str);

#[derive(Template)]
#[template(path = "focus.html")]
struct FocusPage {
    layout: Option<Layout>,
    tabs: Vec<Tab>,
    as_of: String,
    measure_code: &'static str,
    definition_code: &'static str,
    split_code: &'static str,
    split_label: &'static str,
    title: &'static str,
    definition: String,
    definition_short: String,
    target: Option<String>,
    min_population: u32,
    alerts: String,
    chart: String,
    rows: Vec<FigureRow>,
    pooled: (String, String, String, &'static str),
    groups: Vec<FigureRow>,
    other_name: String,
    other_share: String,
    diff_total: String,
    diff_numerator: String,
    diff_population: String,
    diff_month: String,
    reasons: Vec<String>,
    differences: Vec<(String, String)>,
    export_href: String,
}

#[derive(Deserialize, Default)]
pub struct FocusQuery {
    dato: Option<String>,
    maal: Option<String>,
    definition: Option<String>,
    opdelt: Option<String>,
}

impl FocusQuery {
    /// The measure asked for (early effort by default) and whether the internal definition is the
    /// one shown.
    fn measure(&self) -> (MeasureKind, bool) {
        let kind = MeasureKind::ALL
            .into_iter()
            .find(|k| Some(measure_code(*k)) == self.maal.as_deref())
            .unwrap_or(MeasureKind::EarlyEffort);
        (kind, self.definition.as_deref() == Some("intern"))
    }
}

fn measure_code(k: MeasureKind) -> &'static str {
    match k {
        MeasureKind::EarlyEffort => "tidlig",
        MeasureKind::FirstFollowUpOnTime => "foerste",
        MeasureKind::FocusTarget2 => "fokus2",
    }
}

fn target_text(t: Option<kadence_core::measures::Target>, share: Option<f64>) -> &'static str {
    match (t, share) {
        (Some(t), Some(s)) if t.met_by(s) => "nået",
        (Some(_), Some(_)) => "ikke nået",
        _ => "",
    }
}

/// A line chart of monthly shares (0-100 %) with the target as a dashed line, as accessible SVG: a
/// title and a description, and every point with its value. The same numbers are in a table beside it.
pub fn line_chart(title: &str, points: &[(String, Option<f64>)], target: Option<f64>) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 240.0, 48.0, 12.0, 12.0, 36.0);
    let n = points.len().max(1) as f64;
    let x = |i: usize| left + (w - left - right) * (i as f64 + 0.5) / n;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v.clamp(0.0, 1.0));
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let described: Vec<String> = points
        .iter()
        .map(|(m, v)| {
            format!(
                "{m}: {}",
                v.map(dk::percent).unwrap_or_else(|| "intet tal".into())
            )
        })
        .collect();
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"#,
        esc(title),
        esc(&described.join("; "))
    );
    for pct in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let yy = y(pct);
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#c8c8c8" stroke-width="1"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end" fill="#4a4a4a">{} %</text>"##,
            w - right,
            left - 6.0,
            yy + 4.0,
            (pct * 100.0) as u32
        ));
    }
    if let Some(t) = target {
        let yy = y(t);
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#a4000f" stroke-width="2" stroke-dasharray="6 4"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end" fill="#a4000f">mål {}</text>"##,
            w - right,
            w - right,
            yy - 4.0,
            esc(&dk::percent(t))
        ));
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, (_, v))| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
        .collect();
    if path.len() > 1 {
        svg.push_str(&format!(
            r##"<polyline points="{}" fill="none" stroke="#004b87" stroke-width="2.5"/>"##,
            path.join(" ")
        ));
    }
    for (i, (m, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            svg.push_str(&format!(
                r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="#004b87"><title>{}: {}</title></circle>"##,
                x(i),
                y(*v),
                esc(m),
                esc(&dk::percent(*v))
            ));
        }
        if i % 2 == 0 || points.len() <= 12 {
            svg.push_str(&format!(
                r##"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle" fill="#4a4a4a">{}</text>"##,
                x(i),
                h - 14.0,
                esc(m)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

pub async fn focus(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<FocusQuery>,
) -> Response {
    use kadence_core::measures::Group;
    use kadence_core::reconcile::{Effect, Reason};
    let snap = st.data.get();
    let pop = &snap.population;
    let as_of = as_of(&st, &q.dato);
    let (kind, internal) = q.measure();
    let (split, split_code, split_label) = match q.opdelt.as_deref() {
        Some("team") => (Split::Team, "team", "team"),
        Some("sagsbehandler") => (Split::Caseworker, "sagsbehandler", "sagsbehandler"),
        _ => (Split::Total, "maaned", "måned"),
    };
    let rec = st.reconciliation(&snap, as_of, kind, internal);
    let pseudonyms = st.pseudonym().await;
    let r = &rec.a;
    let (def, other) = (&rec.a.definition, &rec.b.definition);
    let target = kind.target();
    let cells = r.cells(pop, Split::Total);
    let pooled = r.pooled(pop, Split::Total)[0];
    let alerts = r.six_month_alerts(&cells);
    let as_of_text = as_of.dk().to_string();
    let def_code = if internal { "intern" } else { "officiel" };
    let tabs = [
        MeasureKind::EarlyEffort,
        MeasureKind::FirstFollowUpOnTime,
        MeasureKind::FocusTarget2,
    ]
    .iter()
    .map(|k| Tab {
        href: format!(
            "?dato={}&maal={}&definition={def_code}&opdelt={split_code}",
            form_urlencoded(&as_of_text),
            measure_code(*k)
        ),
        label: match k {
            MeasureKind::EarlyEffort => "Tidlig indsats",
            MeasureKind::FirstFollowUpOnTime => "1. opfølgning til tiden",
            MeasureKind::FocusTarget2 => "Fokusmål 2",
        },
        current: *k == kind,
    })
    .collect();
    let row = |label: String, c: &kadence_core::measures::Cell| -> FigureRow {
        (
            label,
            dk::int(i64::from(c.numerator)),
            dk::int(i64::from(c.denominator)),
            c.share().map(dk::percent).unwrap_or_else(|| "-".into()),
            target_text(target, c.share()),
        )
    };
    let groups = if split == Split::Total {
        Vec::new()
    } else {
        r.pooled(pop, split)
            .iter()
            .map(|c| {
                let name = match c.group {
                    Group::Team(Some(t)) => pop.teams[t.index()].name.clone(),
                    Group::Caseworker(Some(w)) => pop.caseworkers[w.index()].name.clone(),
                    _ => "Ikke fordelt".to_string(),
                };
                row(name, c)
            })
            .collect()
    };
    let other_pooled = rec.b.pooled(pop, Split::Total)[0];
    let mut diffs: Vec<_> = rec.differences.iter().collect();
    diffs.sort_by_key(|d| d.effect());
    let count = |e: Effect| dk::int(diffs.iter().filter(|d| d.effect() == e).count() as i64);
    let reason_count =
        |f: fn(&Reason) -> bool| diffs.iter().filter(|d| d.reasons.iter().any(f)).count();
    let mut reasons = Vec::new();
    for (label, n) in [
        (
            "forskellig startdato for uret (første fraværsdag eller ydelsesstart)",
            reason_count(|r| matches!(r, Reason::ClockStart { .. })),
        ),
        (
            "standby behandlet forskelligt",
            reason_count(|r| matches!(r, Reason::Standby { .. })),
        ),
        (
            "forskellig læsning af halvåret",
            reason_count(|r| matches!(r, Reason::HalfYearReading { .. })),
        ),
        (
            "§ 13 f-fritagne forløb (2026) behandlet forskelligt",
            reason_count(|r| matches!(r, Reason::Exemption13f { .. })),
        ),
    ] {
        if n > 0 {
            reasons.push(format!("{label}: {} forløb", dk::int(n as i64)));
        }
    }
    let page = FocusPage {
        layout: Some(layout(
            &st,
            &a,
            "/fokusmaal",
            as_of,
            vec![
                ("maal".into(), measure_code(kind).into()),
                ("definition".into(), def_code.into()),
                ("opdelt".into(), split_code.into()),
            ],
        )),
        tabs,
        as_of: as_of_text.clone(),
        measure_code: measure_code(kind),
        definition_code: def_code,
        split_code,
        split_label,
        title: kind.title(),
        definition: def.describe(),
        definition_short: def.name.clone(),
        target: target.map(|t| {
            format!(
                "{} {}",
                if t.at_least { "mindst" } else { "højst" },
                dk::percent(t.share)
            )
        }),
        min_population: def.min_population,
        alerts: alerts.last().map(|m| m.to_string()).unwrap_or_default(),
        chart: line_chart(
            &format!("{} pr. måned, {}", kind.title(), def.name),
            &cells
                .iter()
                .map(|c| {
                    (
                        c.month.map(|m| m.to_string()).unwrap_or_default(),
                        c.share(),
                    )
                })
                .collect::<Vec<_>>(),
            target.map(|t| t.share),
        ),
        rows: cells
            .iter()
            .map(|c| row(c.month.map(|m| m.to_string()).unwrap_or_default(), c))
            .collect(),
        pooled: {
            let (_, n, d, s, t) = row(String::new(), &pooled);
            (n, d, s, t)
        },
        groups,
        other_name: other.name.clone(),
        other_share: format!(
            "{} ({} af {})",
            other_pooled
                .share()
                .map(dk::percent)
                .unwrap_or_else(|| "-".into()),
            dk::int(i64::from(other_pooled.numerator)),
            dk::int(i64::from(other_pooled.denominator))
        ),
        diff_total: dk::int(diffs.len() as i64),
        diff_numerator: count(Effect::Numerator),
        diff_population: count(Effect::Population),
        diff_month: count(Effect::MonthOnly),
        reasons,
        // Pseudonyms, not the case system's ids: the figures pages are for everyone with access to
        // figures, analysts included, and write no audit entries.
        differences: diffs
            .iter()
            .filter(|d| d.effect() != Effect::MonthOnly)
            .take(100)
            .map(|d| {
                (
                    pseudonyms.as_ref().map_or_else(
                        || "(pseudonym mangler)".to_string(),
                        |p| p.of(&pop.courses[d.course.index()].key),
                    ),
                    d.explain(&rec.a.definition, &rec.b.definition),
                )
            })
            .collect(),
        export_href: format!(
            "/fokusmaal/eksport.xlsx?dato={}&maal={}&definition={def_code}",
            form_urlencoded(&as_of_text),
            measure_code(kind)
        ),
    };
    html(&page)
}

/// The members behind a focus figure as an Excel file, pseudonymised: one row per course and month
/// with whether it is in the numerator, the conversations counted and the window, and how the other
/// definition counts it. No names, CPR numbers or case-system ids, so it is a figures export (no
/// audit entry), for analysts as for everyone with access to "Fokusmål".
pub async fn focus_export(
    State(st): State<Arc<AppState>>,
    Extension(_a): Extension<Authed>,
    Query(q): Query<FocusQuery>,
) -> Response {
    use kadence_core::measures::Group;
    use rust_xlsxwriter::Workbook;
    let snap = st.data.get();
    let pop = &snap.population;
    let as_of = as_of(&st, &q.dato);
    let (kind, internal) = q.measure();
    let rec = st.reconciliation(&snap, as_of, kind, internal);
    let Some(pseudonyms) = st.pseudonym().await else {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Eksporten kan ikke dannes",
            "Nøglen til pseudonymerne kunne ikke læses. Prøv igen.",
        );
    };
    let other: std::collections::HashMap<_, _> = rec
        .differences
        .iter()
        .map(|d| (d.course, d.explain(&rec.a.definition, &rec.b.definition)))
        .collect();
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let headers = [
            ("Pseudonym", 16.0),
            ("Måned", 10.0),
            ("I tælleren", 10.0),
            ("Samtaler talt", 10.0),
            ("Vindue fra", 12.0),
            ("Vindue til", 12.0),
            ("Team", 28.0),
            ("Tælles anderledes efter den anden definition", 60.0),
        ];
        let mut wb = Workbook::new();
        let ws = xlsx::sheet(&mut wb, "Forløb bag tallet", &headers)?;
        for (i, m) in rec.a.members.iter().enumerate() {
            let r = i as u32 + 1;
            let c = &pop.courses[m.course.index()];
            ws.write_string(r, 0, pseudonyms.of(&c.key))?;
            ws.write_string(r, 1, m.month.to_string())?;
            ws.write_string(r, 2, if m.in_numerator { "Ja" } else { "Nej" })?;
            ws.write_number(r, 3, f64::from(m.counted))?;
            xlsx::write_day(ws, r, 4, m.window.0)?;
            xlsx::write_day(ws, r, 5, m.window.1)?;
            let team = match Group::Team(pop.team_of(c)) {
                Group::Team(Some(t)) => pop.teams[t.index()].name.clone(),
                _ => "Ikke fordelt".to_string(),
            };
            ws.write_string(r, 6, team)?;
            if let Some(text) = other.get(&m.course) {
                ws.write_string(r, 7, text)?;
            }
        }
        xlsx::filter(ws, rec.a.members.len(), headers.len())?;
        wb.save_to_buffer()
    };
    xlsx::download(
        build(),
        &format!(
            "kadence-fokusmaal-{}-{}-{}.xlsx",
            measure_code(kind),
            if internal { "intern" } else { "officiel" },
            as_of
        ),
    )
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Option<Layout>,
    intact: bool,
    /// The chain's state, when an administrator asked for the check.
    verdict: Option<String>,
    csrf: String,
    message: Option<String>,
    citizen: Option<String>,
    entries: Vec<(String, String, String, String, String)>,
}

async fn audit_view(
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
