//! "Udvalg": the committee's monthly management information for a month, as of any date: the
//! benefit groups against the targets with the traffic light and its rule, a three-year chart per
//! group with its table, Kadence's own figures beside Jobindsats', the comparisons, the duration
//! bands and every source; the Excel annex and each chart as SVG; and the analysts' form for
//! targets. No names or CPR numbers: figures only, so no audit entries but for the targets' saves.
//! Everything renders the one `MonthlyReport` (`AppState::committee_report`).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use kadence_core::committee::report::GroupSeries;
use kadence_core::committee::targets::TargetKind;
use kadence_core::committee::{
    GroupState, MonthlyReport, RowSource, BENEFIT_GROUPS, MONTH_ABBREVIATIONS,
};
use kadence_core::date::{Day, Month};
use kadence_core::dk;
use kadence_store::access::Role;
use serde::Deserialize;

use crate::charts::year_chart;
use crate::frame::*;
use crate::xlsx;
use crate::{AppState, Authed};

#[derive(Deserialize, Default)]
pub struct CommitteeQuery {
    dato: Option<String>,
    maaned: Option<String>,
    gemt: Option<String>,
}

/// The month asked for (`åååå-mm`), by default the month before the as-of date's.
fn month_of(q: &Option<String>, as_of: Day) -> Month {
    q.as_deref()
        .and_then(|m| Month::parse(m.trim()))
        .unwrap_or_else(|| as_of.month().prev())
}

pub struct RowView {
    label: &'static str,
    state: String,
    provisional: bool,
    persons: String,
    full_time: String,
    flag: String,
    last_year: String,
    change: String,
    ytd: String,
    target: String,
    deviation: String,
    light: String,
    light_css: &'static str,
    source: String,
}

pub struct ChartView {
    code: &'static str,
    label: &'static str,
    svg: String,
    svg_href: String,
    png_href: String,
    years: Vec<i32>,
    /// Month, then one value per year, then the budget figure.
    rows: Vec<(String, Vec<String>, String)>,
    target: String,
}

#[derive(Template)]
#[template(path = "committee.html")]
pub(crate) struct CommitteePage {
    layout: Option<Layout>,
    as_of: String,
    month_code: String,
    month_label: String,
    months: Vec<(String, String, bool)>,
    notes: Vec<String>,
    rows: Vec<RowView>,
    legend: String,
    charts: Vec<ChartView>,
    beside: Vec<[String; 5]>,
    areas: Vec<String>,
    comparisons: Vec<(String, String, Vec<String>)>,
    duration_on: String,
    duration_then: String,
    durations: Vec<(String, String, String)>,
    follow: FollowView,
    forecast_heading: String,
    forecast_summary: String,
    /// Outlook, courses.
    forecast_rows: Vec<(&'static str, String)>,
    forecast_method: &'static str,
    /// A team lead is pointed to the list of citizens to book for.
    forecast_list: bool,
    method: &'static str,
    sources: Vec<String>,
    annex_href: String,
    can_edit: bool,
    groups: Vec<(&'static str, &'static str)>,
    targets: Vec<[String; 6]>,
    form_error: Option<String>,
    /// The error belongs to the file form, not the one-target form.
    file_error: Option<String>,
    saved: bool,
    csrf: String,
    year: i32,
}

/// The follow-up block as the page shows it.
pub struct FollowView {
    own_description: String,
    /// Month, early effort STAR, own, 80 % reached, first follow-up STAR, own.
    months: Vec<[String; 6]>,
    bridges: Vec<BridgeView>,
    method: &'static str,
    /// The month's registration lag: the sentence, and per team (team, conversations, late,
    /// share late, longest).
    registration: String,
    registration_rows: Vec<[String; 5]>,
}

pub struct BridgeView {
    id: &'static str,
    period: String,
    official: String,
    own: String,
    /// Reason, courses, points.
    steps: Vec<[String; 3]>,
}

fn follow_view(f: &kadence_core::committee::follow_up::FollowUp) -> FollowView {
    let bridge = |id, b: &kadence_core::committee::follow_up::Bridge| BridgeView {
        id,
        period: b.period(),
        official: b.official.text(),
        own: b.own.text(),
        steps: b
            .steps
            .iter()
            .map(|s| {
                [
                    s.reason.clone(),
                    dk::int(i64::from(s.courses)),
                    s.points_text(),
                ]
            })
            .collect(),
    };
    FollowView {
        own_description: f.own_description.clone(),
        months: f
            .months
            .iter()
            .rev()
            .map(|m| {
                [
                    format!(
                        "{}{}",
                        dk::month(m.month),
                        if m.partial {
                            " (måneden er ikke slut)"
                        } else {
                            ""
                        }
                    ),
                    m.early_official.text(),
                    m.early_own.text(),
                    m.met_text().to_string(),
                    m.first_official.text(),
                    m.first_own.text(),
                ]
            })
            .collect(),
        bridges: vec![
            bridge("bro-maaned", &f.bridge_month),
            bridge("bro-aar", &f.bridge_year),
        ],
        method: f.bridge_method,
        registration: f.registration_text(),
        registration_rows: {
            let row = |name: String, r: &kadence_core::registration::LagRow| {
                let [registered, late, share, longest] = r.texts();
                [name, registered, late, share, longest]
            };
            let g = &f.registration;
            let mut rows: Vec<[String; 5]> = g
                .rows
                .iter()
                .filter(|r| r.registered > 0)
                .map(|r| row(r.label.clone(), r))
                .collect();
            if g.has_dates() {
                rows.push(row("I alt".into(), &g.total));
            }
            rows
        },
    }
}

fn query(as_of: Day, month: Month) -> String {
    format!(
        "maaned={month}&dato={}",
        form_urlencoded(&as_of.dk().to_string())
    )
}

fn rows(r: &MonthlyReport) -> Vec<RowView> {
    r.rows
        .iter()
        .map(|g| RowView {
            label: g.label,
            state: if g.state == GroupState::Active {
                String::new()
            } else {
                g.state_label.to_string()
            },
            provisional: g.provisional_state,
            persons: dk::maybe(g.persons, 0),
            full_time: dk::maybe(g.full_time, 1),
            flag: if g.partial {
                "måneden er ikke slut".into()
            } else if g.provisional_month {
                "foreløbigt tal".into()
            } else {
                String::new()
            },
            last_year: dk::maybe(g.last_year_full_time, 1),
            change: g.change.map(|c| dk::signed(c, 1)).unwrap_or_default(),
            ytd: match g.ytd_average {
                Some(a) => format!(
                    "{} ({})",
                    dk::decimal(a, 1),
                    dk::count(u64::from(g.ytd_months), "måned", "måneder")
                ),
                None => "-".into(),
            },
            target: match g.target {
                Some(t) if g.target_is_budget => format!("{} (budget)", dk::decimal(t, 1)),
                Some(t) => dk::decimal(t, 1),
                None => "-".into(),
            },
            deviation: g
                .deviation_pct
                .map(|d| format!("{} %", dk::signed(d, 1)))
                .unwrap_or_default(),
            light: g.light.map_or("-", |l| l.label()).to_string(),
            light_css: g.light.map_or("", |l| l.css()),
            source: kadence_reports::annex::source_label(&g.source),
        })
        .collect()
}

fn chart_view(s: &GroupSeries, href: String) -> ChartView {
    ChartView {
        code: s.code,
        label: s.label,
        svg: year_chart(&format!("graf-{}", s.code), s),
        png_href: href.replacen(".svg?", ".png?", 1),
        svg_href: href,
        years: s.years.iter().map(|y| y.year).collect(),
        rows: (0..12)
            .map(|i| {
                (
                    MONTH_ABBREVIATIONS[i].to_string(),
                    s.years.iter().map(|y| dk::maybe(y.months[i], 1)).collect(),
                    dk::maybe(s.budget[i], 1),
                )
            })
            .collect(),
        target: dk::maybe(s.target, 1),
    }
}

#[allow(clippy::too_many_arguments)]
/// Which of the page's two target forms was sent.
#[derive(Copy, Clone, PartialEq, Eq)]
enum FormKind {
    One,
    File,
}

async fn view(
    st: &Arc<AppState>,
    a: &Authed,
    as_of: Day,
    month: Month,
    form_error: Option<(FormKind, String)>,
    saved: bool,
) -> Response {
    let snap = st.data.get();
    let r = st.committee_report(&snap, as_of, month);
    let q = query(as_of, month);
    let months = (0..36)
        .map(|k| {
            let m = as_of.month().plus(-k);
            (m.to_string(), dk::month(m), m == month)
        })
        .collect();
    let page = CommitteePage {
        layout: Some(layout(
            st,
            a,
            "/udvalg",
            as_of,
            vec![("maaned".into(), month.to_string())],
        )),
        as_of: as_of.dk().to_string(),
        month_code: month.to_string(),
        month_label: dk::month(month),
        months,
        notes: r.notes.clone(),
        rows: rows(&r),
        legend: r.legend.clone(),
        charts: r
            .series
            .iter()
            .filter(|s| s.source != RowSource::Missing)
            .map(|s| chart_view(s, format!("/udvalg/graf/{}.svg?{q}", s.code)))
            .collect(),
        beside: r
            .beside
            .iter()
            .map(|b| {
                [
                    b.label.to_string(),
                    dk::month(b.month),
                    format!(
                        "{}{}",
                        dk::decimal(b.own, 1),
                        if b.own_partial {
                            " (måneden er ikke slut)"
                        } else {
                            ""
                        }
                    ),
                    format!(
                        "{}{}",
                        dk::maybe(b.jobindsats, 1),
                        if b.provisional && b.jobindsats.is_some() {
                            " (foreløbigt)"
                        } else {
                            ""
                        }
                    ),
                    b.difference.map(|d| dk::signed(d, 1)).unwrap_or_default(),
                ]
            })
            .collect(),
        areas: r.areas.clone(),
        comparisons: r
            .comparisons
            .iter()
            .map(|c| {
                (
                    c.label.to_string(),
                    c.month.map_or("-".into(), |m| {
                        format!(
                            "{}{}",
                            dk::month(m),
                            if c.provisional { " (foreløbigt)" } else { "" }
                        )
                    }),
                    c.shares
                        .iter()
                        .map(|s| s.map_or("-".into(), |s| format!("{} %", dk::decimal(s, 1))))
                        .collect(),
                )
            })
            .collect(),
        duration_on: r.durations.on.dk().to_string(),
        duration_then: r.durations.year_before.dk().to_string(),
        durations: r
            .durations
            .now
            .iter()
            .zip(&r.durations.then)
            .map(|(n, t)| {
                (
                    n.label.clone(),
                    dk::int(i64::from(n.courses)),
                    dk::int(i64::from(t.courses)),
                )
            })
            .collect(),
        follow: follow_view(&r.follow_up),
        forecast_heading: format!(
            "Prognose for tidlig indsats, {} (pr. {})",
            dk::month(r.forecast.month),
            r.forecast.as_of.dk()
        ),
        forecast_summary: r.forecast.summary(),
        forecast_rows: r
            .forecast
            .counts()
            .into_iter()
            .map(|(o, n)| (o.label(), dk::int(i64::from(n))))
            .collect(),
        forecast_method: r.forecast.method,
        forecast_list: a.session.user.role == Role::TeamLead,
        method: r.method,
        sources: r.sources.clone(),
        annex_href: format!("/udvalg/bilag.xlsx?{q}"),
        can_edit: a.session.user.role == Role::Analyst,
        groups: BENEFIT_GROUPS.iter().map(|g| (g.code, g.label)).collect(),
        targets: snap
            .targets
            .in_force(as_of)
            .into_iter()
            .map(|e| {
                [
                    kadence_core::committee::group(&e.group)
                        .map_or(e.group.clone(), |g| g.label.to_string()),
                    e.kind.label().to_string(),
                    match e.month {
                        Some(m) => dk::month(Month::new(e.year, m)),
                        None => e.year.to_string(),
                    },
                    dk::decimal(e.value, 1),
                    dk::local_time(&e.entered_at),
                    format!("{} ({})", e.entered_by, e.source),
                ]
            })
            .collect(),
        file_error: form_error
            .as_ref()
            .filter(|e| e.0 == FormKind::File)
            .map(|e| e.1.clone()),
        form_error: form_error.filter(|e| e.0 == FormKind::One).map(|e| e.1),
        saved,
        csrf: a.session.csrf_token.clone(),
        year: month.year(),
    };
    html(&page)
}

pub async fn committee(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<CommitteeQuery>,
) -> Response {
    let as_of = as_of(&st, &q.dato);
    let month = month_of(&q.maaned, as_of);
    view(&st, &a, as_of, month, None, q.gemt.is_some()).await
}

#[derive(Deserialize, Default)]
pub struct TargetForm {
    #[serde(default)]
    gruppe: String,
    #[serde(default)]
    aar: String,
    #[serde(default)]
    maaned: String,
    #[serde(default)]
    vaerdi: String,
    #[serde(default)]
    begrundelse: String,
    #[serde(default)]
    dato: String,
    #[serde(default)]
    vis_maaned: String,
}

/// Saves one target (no month) or budget figure (a month), entered today by the analyst.
/// A targets file (CSV or xlsx, the format of `kadence maal indlaes`) uploaded on the page: read
/// whole, every bad cell located, and stored all or nothing with the file's name as the source.
pub async fn targets_file_post(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (mut file, mut name, mut reason, mut dato, mut vis) = (
        Vec::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    // A form sent without a file (not multipart) gets the page with the file form's error below.
    let mut form = form.ok();
    while let Some(Ok(Some(field))) = match form.as_mut() {
        Some(f) => Some(f.next_field().await),
        None => None,
    } {
        let key = field.name().unwrap_or("").to_string();
        if key == "fil" {
            name = field.file_name().unwrap_or("").to_string();
            file = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            continue;
        }
        let text = field.text().await.unwrap_or_default();
        match key.as_str() {
            "begrundelse" => reason = text,
            "dato" => dato = text,
            "vis_maaned" => vis = text,
            _ => {}
        }
    }
    let as_of = as_of(&st, &Some(dato).filter(|d| !d.is_empty()));
    let month = month_of(&Some(vis), as_of);
    let fail = |m: String| view(&st, &a, as_of, month, Some((FormKind::File, m)), false);
    // The name is shown and stored as the source: only its last part, as the browser sent it.
    let name = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if name.is_empty() || file.is_empty() {
        return fail("Vælg en målfil (CSV eller xlsx) at indlæse.".into()).await;
    }
    let rows = match kadence_import::committee::read_targets(&name, &file) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string().trim().to_string()).await,
    };
    let entries: Vec<_> = rows
        .iter()
        .map(|r| (r.group.to_string(), r.kind, r.year, r.month, r.value))
        .collect();
    match save(&st, &a, &entries, &name, &reason).await {
        Ok(()) => saved_redirect(as_of, month),
        Err(e) => fail(e).await,
    }
}

/// Stores targets (all or nothing, audited by the store) and swaps in the new snapshot, so the
/// page shows them at once.
async fn save(
    st: &AppState,
    a: &Authed,
    entries: &[(String, TargetKind, i32, Option<u32>, f64)],
    source: &str,
    reason: &str,
) -> Result<(), String> {
    st.store
        .add_targets(
            entries,
            today(st),
            &a.session.user.username,
            source,
            reason,
            st.now(),
        )
        .await
        .map_err(|e| e.to_string())?;
    if let Ok(s) = st.store.load().await {
        st.data.replace(s);
    }
    Ok(())
}

fn saved_redirect(as_of: Day, month: Month) -> Response {
    Redirect::to(&format!("/udvalg?{}&gemt=1", query(as_of, month))).into_response()
}

pub async fn targets_post(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Form(f): Form<TargetForm>,
) -> Response {
    let as_of = as_of(&st, &Some(f.dato.clone()).filter(|d| !d.is_empty()));
    let month = month_of(&Some(f.vis_maaned.clone()), as_of);
    let fail = |m: String| view(&st, &a, as_of, month, Some((FormKind::One, m)), false);
    let Some(group) = kadence_core::committee::group(f.gruppe.trim()) else {
        return fail("Vælg en ydelsesgruppe.".into()).await;
    };
    let Some(year) = f
        .aar
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
    else {
        return fail(format!("Året «{}» duer ikke; skriv fx 2026.", f.aar.trim())).await;
    };
    let m = match f.maaned.trim() {
        "" => None,
        s => match s.parse::<u32>().ok().filter(|m| (1..=12).contains(m)) {
            Some(m) => Some(m),
            None => {
                return fail(format!(
                    "Måneden «{s}» duer ikke; vælg 1-12, eller ingen for årets måltal."
                ))
                .await
            }
        },
    };
    let value = match kadence_core::committee::external::danish_number(&f.vaerdi) {
        Ok(Some(v)) if v >= 0.0 => v,
        _ => {
            return fail(format!(
                "«{}» er ikke et antal fuldtidspersoner; skriv fx 880 eller 880,5.",
                f.vaerdi.trim()
            ))
            .await
        }
    };
    let kind = if m.is_some() {
        TargetKind::Budget
    } else {
        TargetKind::Yearly
    };
    let entry = [(group.code.to_string(), kind, year, m, value)];
    match save(&st, &a, &entry, "formular", &f.begrundelse).await {
        Ok(()) => saved_redirect(as_of, month),
        Err(e) => fail(e).await,
    }
}

/// The page's tables as an Excel annex: one sheet per table with real numbers, the source lines
/// in every sheet, and "Om udtrækket".
pub async fn annex(
    State(st): State<Arc<AppState>>,
    Extension(_a): Extension<Authed>,
    Query(q): Query<CommitteeQuery>,
) -> Response {
    let snap = st.data.get();
    let as_of = as_of(&st, &q.dato);
    let month = month_of(&q.maaned, as_of);
    let r = st.committee_report(&snap, as_of, month);
    let settings = st.settings_on(&snap, as_of).label();
    xlsx::download(
        kadence_reports::annex::committee(&r, &settings),
        &format!("kadence-udvalg-{month}-pr-{as_of}.xlsx"),
    )
}

/// One group's chart as an SVG file ("sygedagpenge.svg").
pub async fn chart(
    State(st): State<Arc<AppState>>,
    Extension(_a): Extension<Authed>,
    Path(file): Path<String>,
    Query(q): Query<CommitteeQuery>,
) -> Response {
    let snap = st.data.get();
    let as_of = as_of(&st, &q.dato);
    let month = month_of(&q.maaned, as_of);
    let r = st.committee_report(&snap, as_of, month);
    let (code, png) = match (file.strip_suffix(".svg"), file.strip_suffix(".png")) {
        (Some(code), _) => (code, false),
        (_, Some(code)) => (code, true),
        _ => ("", false),
    };
    let Some(s) = r.series.iter().find(|s| s.code == code) else {
        return render_error(
            StatusCode::NOT_FOUND,
            "Grafen findes ikke",
            "Der er ingen ydelsesgruppe med det navn.",
        );
    };
    let svg = year_chart(&format!("graf-{}", s.code), s);
    let disposition =
        |ext: &str| format!("attachment; filename=\"kadence-{}-{month}.{ext}\"", s.code);
    if !png {
        return (
            [
                (
                    header::CONTENT_TYPE,
                    "image/svg+xml; charset=utf-8".to_string(),
                ),
                (header::CONTENT_DISPOSITION, disposition("svg")),
            ],
            svg,
        )
            .into_response();
    }
    match kadence_reports::charts::png(&svg, 2.0) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "image/png".to_string()),
                (header::CONTENT_DISPOSITION, disposition("png")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => render_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Grafen kunne ikke tegnes",
            &format!("{e}. Hent den som SVG i stedet."),
        ),
    }
}
