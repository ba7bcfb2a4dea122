//! "Dagsordenspunkt" (analysts): a draft agenda item of a chosen kind, month, as-of date, section
//! profile (shipped or the municipality's own) and meeting date, in the municipality's own texts
//! where its settings have them, shown as the blocks to paste field by field (each with "Kopiér"), and
//! handed out as the Word document, the HTML blocks as a file and the Excel annex. The same
//! documents `kadence dagsorden --ud` writes: both are built by kadence-reports from the core's
//! draft. Figures only, no names or CPR numbers, so no audit entries.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use kadence_core::agenda::{self, Context, Draft, Kind, Profile};
use kadence_core::date::{Day, Month};
use kadence_core::dk;
use serde::Deserialize;

use crate::frame::{as_of, html, layout, render_error, Layout};
use crate::{AppState, Authed};

#[derive(Deserialize, Default)]
pub struct AgendaQuery {
    dato: Option<String>,
    maaned: Option<String>,
    punkt: Option<String>,
    profil: Option<String>,
    moede: Option<String>,
}

/// What the form asked for, read leniently: an unknown kind, profile or month falls back to the
/// default, and an impossible meeting date is said on the page.
struct Chosen {
    /// The municipality's own texts and profiles in the settings in force on the as-of date.
    own: agenda::AgendaSettings,
    kind: Kind,
    profile: Profile,
    month: Month,
    as_of: Day,
    meeting: Option<Day>,
    meeting_text: String,
    meeting_error: Option<String>,
}

fn chosen(st: &AppState, q: &AgendaQuery) -> Chosen {
    let as_of = as_of(st, &q.dato);
    let snap = st.data.get();
    let own = st.settings_on(&snap, as_of).settings.agenda.clone();
    let kind = q
        .punkt
        .as_deref()
        .and_then(Kind::from_key)
        .unwrap_or(Kind::EarlyEffort);
    // A shipped profile or one of the municipality's own in the settings in force.
    let profile = q
        .profil
        .as_deref()
        .and_then(|p| own.profile(p))
        .unwrap_or_else(agenda::vesthimmerland);
    let month = q
        .maaned
        .as_deref()
        .and_then(|m| Month::parse(m.trim()))
        .unwrap_or_else(|| as_of.month().prev());
    let text = q.moede.as_deref().unwrap_or("").trim().to_string();
    let (meeting, meeting_error) = if text.is_empty() {
        (None, None)
    } else {
        match kadence_import::text::parse_date(&text) {
            Some(d) => (Some(d), None),
            None => (
                None,
                Some(format!(
                    "Mødedatoen «{text}» findes ikke; skriv dd-mm-åååå. Dokumentet skrives uden mødedato."
                )),
            ),
        }
    };
    Chosen {
        own,
        kind,
        profile,
        month,
        as_of,
        meeting,
        meeting_text: meeting.map_or(text, |d| d.dk().to_string()),
        meeting_error,
    }
}

fn draft(st: &Arc<AppState>, c: &Chosen) -> Result<Draft, String> {
    let snap = st.data.get();
    let report = st.committee_report(&snap, c.as_of, c.month);
    let beside = st.agenda_beside(&snap, c.as_of, c.month);
    let v = st.settings_on(&snap, c.as_of);
    let ctx = Context::new(&v.settings.committee, c.kind, c.month, c.meeting);
    agenda::draft(
        c.kind,
        beside.inputs(&report),
        &c.profile,
        &c.own.texts(c.kind),
        &ctx,
    )
    .map_err(|errs| agenda::error_lines(&errs).join("; "))
}

fn query(c: &Chosen) -> String {
    serde_urlencoded::to_string([
        ("punkt", c.kind.key().to_string()),
        ("maaned", c.month.to_string()),
        ("dato", c.as_of.dk().to_string()),
        ("profil", c.profile.name.clone()),
        (
            "moede",
            c.meeting.map(|d| d.dk().to_string()).unwrap_or_default(),
        ),
    ])
    .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage {
    layout: Option<Layout>,
    title: String,
    as_of: String,
    kinds: Vec<(&'static str, &'static str, bool)>,
    profiles: Vec<(String, String, bool)>,
    months: Vec<(String, String, bool)>,
    meeting: String,
    meeting_error: Option<String>,
    docx_href: String,
    html_href: String,
    annex_href: String,
    stem: String,
    blocks: String,
    error: Option<String>,
}

pub async fn page(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<AgendaQuery>,
) -> Response {
    let c = chosen(&st, &q);
    let built = draft(&st, &c);
    let qs = query(&c);
    let page = AgendaPage {
        layout: Some(layout(
            &st,
            &a,
            "/dagsordenspunkt",
            c.as_of,
            vec![
                ("punkt".into(), c.kind.key().into()),
                ("maaned".into(), c.month.to_string()),
                ("profil".into(), c.profile.name.clone()),
                ("moede".into(), c.meeting_text.clone()),
            ],
        )),
        title: built.as_ref().map_or_else(
            |_| format!("{}, {}", c.kind.name(), dk::month(c.month)),
            |d| d.title.clone(),
        ),
        as_of: c.as_of.dk().to_string(),
        kinds: Kind::ALL
            .iter()
            .map(|k| (k.key(), k.name(), *k == c.kind))
            .collect(),
        profiles: {
            let own = &c.own;
            own.profile_names()
                .into_iter()
                .filter_map(|n| own.profile(&n).map(|p| (n, p)))
                .map(|(n, p)| {
                    let first: Vec<&str> = p
                        .sections
                        .iter()
                        .take(2)
                        .map(|s| s.heading.as_str())
                        .collect();
                    let label = format!("{} ({}, …)", dk::capitalised(&n), first.join(", "));
                    let selected = n == c.profile.name;
                    (n, label, selected)
                })
                .collect()
        },
        months: (0..36)
            .map(|k| {
                let m = c.as_of.month().plus(-k);
                (m.to_string(), dk::month(m), m == c.month)
            })
            .collect(),
        meeting: c.meeting_text.clone(),
        meeting_error: c.meeting_error.clone(),
        docx_href: format!("/dagsordenspunkt/punkt.docx?{qs}"),
        html_href: format!("/dagsordenspunkt/punkt.html?{qs}"),
        annex_href: format!("/dagsordenspunkt/bilag.xlsx?{qs}"),
        stem: agenda::file_stem(c.kind, c.month),
        blocks: built
            .as_ref()
            .map(|d| kadence_reports::html::blocks(d, 3))
            .unwrap_or_default(),
        error: built.err(),
    };
    html(&page)
}

fn failed(what: &str, e: &str) -> Response {
    render_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        &format!("{what} kunne ikke dannes"),
        e,
    )
}

fn file(content_type: &str, name: String, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The item as Word.
pub async fn docx(
    State(st): State<Arc<AppState>>,
    Extension(_a): Extension<Authed>,
    Query(q): Query<AgendaQuery>,
) -> Response {
    let c = chosen(&st, &q);
    match draft(&st, &c).and_then(|d| kadence_reports::docx::agenda(&d)) {
        Ok(bytes) => file(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            format!("{}.docx", agenda::file_stem(c.kind, c.month)),
            bytes,
        ),
        Err(e) => failed("Word-dokumentet", &e),
    }
}

/// The item's blocks as an HTML file.
pub async fn html_file(
    State(st): State<Arc<AppState>>,
    Extension(_a): Extension<Authed>,
    Query(q): Query<AgendaQuery>,
) -> Response {
    let c = chosen(&st, &q);
    match draft(&st, &c) {
        Ok(d) => file(
            "text/html; charset=utf-8",
            format!("{}.html", agenda::file_stem(c.kind, c.month)),
            kadence_reports::html::document(&d).into_bytes(),
        ),
        Err(e) => failed("HTML-filen", &e),
    }
}

/// The Excel annex the Bilag section names: the committee page's annex for the month.
pub async fn annex(
    State(st): State<Arc<AppState>>,
    Extension(_a): Extension<Authed>,
    Query(q): Query<AgendaQuery>,
) -> Response {
    let c = chosen(&st, &q);
    let snap = st.data.get();
    let r = st.committee_report(&snap, c.as_of, c.month);
    let settings = st.settings_on(&snap, c.as_of).label();
    crate::xlsx::download(
        kadence_reports::annex::committee(&r, &settings),
        &format!("{}-bilag.xlsx", agenda::file_stem(c.kind, c.month)),
    )
}

/// The script behind the "Kopiér" buttons.
pub async fn copy_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        kadence_reports::html::COPY_SCRIPT,
    )
        .into_response()
}
