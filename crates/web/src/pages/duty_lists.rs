//! "Lægeoplysninger" and "Jobafklaring": lists of outstanding items rather than citizens, one row per
//! medical request past its deadline, or per rehabilitation-team meeting without LÆ 265 (a citizen may
//! have several). The items come from the core ([`View::items`]), so these pages and the worklist views
//! of the same name always agree. A caseworker sees their own caseload, a team lead the team.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use kadence_core::date::Day;
use kadence_core::duties::Status;
use kadence_core::worklist::{DutyItem, View};
use kadence_store::Snapshot;
use serde::Deserialize;

use crate::frame::{
    as_of, audit_entries, html, layout, path_segment, render_error, scope, surname_first, Layout,
    Scope,
};
use crate::{xlsx, AppState, Authed};

/// Which list.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Kind {
    Medical,
    JobClarification,
}

impl Kind {
    fn view(self) -> View {
        match self {
            Kind::Medical => View::MedicalOverdue,
            Kind::JobClarification => View::MissingLae265,
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Medical => "/laegeoplysninger",
            Kind::JobClarification => "/jobafklaring",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Kind::Medical => "Lægeoplysninger over frist",
            Kind::JobClarification => "Jobafklaring uden LÆ 265",
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DutyQuery {
    dato: Option<String>,
}

pub struct ItemRow {
    href: String,
    name: String,
    cpr: String,
    what: &'static str,
    since: String,
    due: String,
    when: String,
    urgency_class: &'static str,
    caseworker: String,
    rule: String,
}

#[derive(Template)]
#[template(path = "dutylist.html")]
struct DutyListPage {
    layout: Option<Layout>,
    heading: &'static str,
    intro: &'static str,
    what_header: &'static str,
    since_header: &'static str,
    when_header: &'static str,
    as_of: String,
    summary: String,
    export_href: String,
    rows: Vec<ItemRow>,
    show_caseworker: bool,
    empty_text: &'static str,
}

/// The items in scope as of the day, the oldest deadline first.
fn items(
    st: &AppState,
    snap: &Arc<Snapshot>,
    kind: Kind,
    a: &Authed,
    as_of: Day,
) -> (Scope, Vec<DutyItem>) {
    let pop = &snap.population;
    let scope = scope(pop, a);
    let mut out: Vec<DutyItem> = st
        .active_statuses(snap, as_of)
        .iter()
        .filter(|(id, _)| scope.keeps(pop, &pop.courses[id.index()]))
        .flat_map(|(id, s)| kind.view().items(pop, *id, s))
        .collect();
    // The oldest deadline first (for a medical request: the most days over).
    out.sort_by_key(|i| {
        (
            i.due.is_none(),
            i.due,
            pop.courses[i.course.index()].key.clone(),
        )
    });
    (scope, out)
}

/// One request's list, read from one snapshot (a reload in between would give course ids of another
/// population), with the look-up logged before anything is shown.
struct Logged {
    snap: Arc<Snapshot>,
    scope: Scope,
    list: Vec<DutyItem>,
    /// The citizens the look-up was logged for.
    citizens: usize,
}

/// The list for this user, logged; `Err` is the refusal page when the log could not be written.
async fn logged_items(
    st: &AppState,
    kind: Kind,
    a: &Authed,
    as_of: Day,
    action: &str,
    refusal: (&str, &str),
) -> Result<Logged, Response> {
    let snap = st.data.get();
    let (scope, list) = items(st, &snap, kind, a, as_of);
    let entries = audit_entries(
        &snap.population,
        a,
        list.iter().map(|i| i.course),
        action,
        scope.purpose,
    );
    if st.store.audit_append(&entries, st.now()).await.is_err() {
        return Err(render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            refusal.0,
            refusal.1,
        ));
    }
    Ok(Logged {
        citizens: entries.len(),
        snap,
        scope,
        list,
    })
}

fn when_text(kind: Kind, i: &DutyItem) -> String {
    let days = i.days_left.unwrap_or(0);
    let unit = |n: i32| if n == 1 { "dag" } else { "dage" };
    match (kind, i.status) {
        (Kind::Medical, _) => format!("{} {} over frist", -days, unit(-days)),
        (Kind::JobClarification, Status::Missed) => "mødet er holdt uden LÆ 265".to_string(),
        (Kind::JobClarification, Status::Conflict) => {
            "modstridende data: mødet er registreret med LÆ 265, men attesten var ikke modtaget"
                .to_string()
        }
        (Kind::JobClarification, _) if days >= 0 => {
            format!("mødet er om {days} {}; LÆ 265 mangler", unit(days))
        }
        (Kind::JobClarification, _) => format!("{} {} over frist", -days, unit(-days)),
    }
}

async fn page(st: Arc<AppState>, a: Authed, q: DutyQuery, kind: Kind) -> Response {
    let as_of = as_of(&st, &q.dato);
    let refusal = (
        "Listen kan ikke vises",
        "Opslaget kunne ikke logges, og derfor vises listen ikke. Prøv igen.",
    );
    let Logged {
        snap,
        scope,
        list,
        citizens,
    } = match logged_items(&st, kind, &a, as_of, "vist i frist-liste", refusal).await {
        Ok(x) => x,
        Err(refused) => return refused,
    };
    let pop = &snap.population;
    let as_of_text = as_of.dk().to_string();
    let rows = list
        .iter()
        .map(|i| {
            let c = &pop.courses[i.course.index()];
            let citizen = &pop.citizens[c.citizen.index()];
            ItemRow {
                href: format!("/forloeb/{}", path_segment(&c.key)),
                name: surname_first(&citizen.name),
                cpr: citizen.cpr.masked(),
                what: i.what,
                since: i.since.dk().to_string(),
                due: i.due.map(|d| d.dk().to_string()).unwrap_or_default(),
                when: when_text(kind, i),
                urgency_class: if i.days_left.is_some_and(|d| d < 0) || i.status == Status::Missed {
                    "overdue"
                } else {
                    "soon"
                },
                caseworker: c.caseworker.map_or("Ikke fordelt".into(), |x| {
                    pop.caseworkers[x.index()].name.clone()
                }),
                rule: format!("{} (regelsæt {})", i.paragraph, i.rule_set),
            }
        })
        .collect::<Vec<_>>();
    let summary = match kind {
        Kind::Medical => format!(
            "{} {} over frist hos {} {}",
            rows.len(),
            if rows.len() == 1 {
                "anmodning"
            } else {
                "anmodninger"
            },
            citizens,
            if citizens == 1 { "borger" } else { "borgere" }
        ),
        Kind::JobClarification => format!(
            "{} {} i rehabiliteringsteamet uden LÆ 265 hos {} {}",
            rows.len(),
            if rows.len() == 1 { "møde" } else { "møder" },
            citizens,
            if citizens == 1 { "borger" } else { "borgere" }
        ),
    };
    let (intro, what_header, since_header, when_header, empty_text) = match kind {
        Kind::Medical => (
            "Anmodninger om lægeoplysninger (LÆ 285, LÆ 265 og andre lægeattester), hvor svarfristen er overskredet og svaret ikke er modtaget. Den mest overskredne står først.",
            "Blanket",
            "Anmodet",
            "Over frist",
            "Ingen anmodninger om lægeoplysninger er over frist på denne dato.",
        ),
        Kind::JobClarification => (
            "Jobafklaringsforløb, hvor sagen er eller skal forelægges rehabiliteringsteamet uden en LÆ 265 (eller et gyldigt alternativ efter reglerne i kraft på mødedagen).",
            "Grundlag",
            "Møde i rehabiliteringsteamet",
            "Status",
            "Ingen møder i rehabiliteringsteamet mangler LÆ 265 på denne dato.",
        ),
    };
    html(&DutyListPage {
        layout: Some(layout(&st, &a, kind.path(), as_of, Vec::new())),
        heading: kind.heading(),
        intro,
        what_header,
        since_header,
        when_header,
        export_href: format!(
            "{}/eksport.xlsx?dato={}",
            kind.path(),
            crate::frame::form_urlencoded(&as_of_text)
        ),
        as_of: as_of_text,
        summary,
        rows,
        show_caseworker: scope.show_caseworker,
        empty_text,
    })
}

async fn export(st: Arc<AppState>, a: Authed, q: DutyQuery, kind: Kind) -> Response {
    use rust_xlsxwriter::Workbook;
    let as_of = as_of(&st, &q.dato);
    let refusal = (
        "Eksporten kan ikke dannes",
        "Opslaget kunne ikke logges, og derfor dannes eksporten ikke. Prøv igen.",
    );
    let Logged { snap, list, .. } =
        match logged_items(&st, kind, &a, as_of, "eksporteret til Excel", refusal).await {
            Ok(x) => x,
            Err(refused) => return refused,
        };
    let pop = &snap.population;
    let settings_label = st.settings_on(&snap, as_of).label();
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let headers = [
            ("Forløb", 18.0),
            ("Borger", 26.0),
            ("CPR-nr.", 13.0),
            ("Team", 16.0),
            ("1. fraværsdag", 12.0),
            (
                if kind == Kind::Medical {
                    "Blanket"
                } else {
                    "Grundlag"
                },
                22.0,
            ),
            (
                if kind == Kind::Medical {
                    "Anmodet"
                } else {
                    "Møde i rehabiliteringsteamet"
                },
                14.0,
            ),
            ("Frist", 12.0),
            ("Dage til frist", 10.0),
            ("Status", 34.0),
            ("Sagsbehandler", 22.0),
            ("Regel", 30.0),
        ];
        let mut wb = Workbook::new();
        let ws = xlsx::titled_sheet(
            &mut wb,
            kind.heading(),
            kind.heading(),
            &format!(
                "Data pr. {} · Filtre: ingen · Indstillinger {settings_label}",
                as_of.dk()
            ),
            &headers,
        )?;
        for (n, i) in list.iter().enumerate() {
            let r = n as u32 + xlsx::TITLED_FIRST_ROW;
            let c = &pop.courses[i.course.index()];
            let citizen = &pop.citizens[c.citizen.index()];
            let cw = c.caseworker.map(|x| &pop.caseworkers[x.index()]);
            ws.write_string(r, 0, c.key.as_str())?;
            ws.write_string(r, 1, surname_first(&citizen.name))?;
            ws.write_string(r, 2, citizen.cpr.masked())?;
            if let Some(cw) = cw {
                ws.write_string(r, 3, &pop.teams[cw.team.index()].name)?;
            }
            xlsx::write_day(ws, r, 4, c.first_absence)?;
            ws.write_string(r, 5, i.what)?;
            xlsx::write_day(ws, r, 6, i.since)?;
            if let Some(d) = i.due {
                xlsx::write_day(ws, r, 7, d)?;
            }
            if let Some(d) = i.days_left {
                ws.write_number(r, 8, f64::from(d))?;
            }
            ws.write_string(r, 9, when_text(kind, i))?;
            ws.write_string(r, 10, cw.map_or("Ikke fordelt", |x| x.name.as_str()))?;
            ws.write_string(r, 11, format!("{} (regelsæt {})", i.paragraph, i.rule_set))?;
        }
        xlsx::filter_titled(ws, list.len(), headers.len())?;
        xlsx::about(
            &mut wb,
            &[
                ("Opgørelsesdato", as_of.dk().to_string()),
                ("Indstillinger", settings_label.clone()),
                ("Liste", kind.heading().to_string()),
            ],
        )?;
        wb.save_to_buffer()
    };
    xlsx::download(
        build(),
        &format!(
            "kadence-{}-{}.xlsx",
            kind.path().trim_start_matches('/'),
            as_of
        ),
    )
}

pub async fn medical(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<DutyQuery>,
) -> Response {
    page(st, a, q, Kind::Medical).await
}

pub async fn medical_export(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<DutyQuery>,
) -> Response {
    export(st, a, q, Kind::Medical).await
}

pub async fn job_clarification(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<DutyQuery>,
) -> Response {
    page(st, a, q, Kind::JobClarification).await
}

pub async fn job_clarification_export(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<DutyQuery>,
) -> Response {
    export(st, a, q, Kind::JobClarification).await
}
