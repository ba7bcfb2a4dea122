//! "Tidlig indsats": the month-end forecast of the early-effort figure, and the citizens whose
//! four conversations by six months can still be reached if conversations are booked, with the
//! last day one counts. A team lead sees the team, a caseworker the own caseload; the look-up is
//! logged per citizen shown, with the scope's purpose, before anything is shown. The figures come
//! from the one forecast of the core (`committee::forecast`), the same the committee page shows.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use kadence_core::committee::forecast::Outlook;
use kadence_core::dk;
use serde::Deserialize;

use crate::frame::{
    as_of, audit_entries, html, layout, path_segment, render_error, scope, surname_first, Layout,
};
use crate::{AppState, Authed};

#[derive(Deserialize, Default)]
pub struct ForecastQuery {
    dato: Option<String>,
}

pub struct Row {
    href: String,
    name: String,
    cpr: String,
    held: String,
    booked: String,
    to_book: String,
    last_day: String,
    mark: String,
    days_left: String,
    caseworker: String,
}

#[derive(Template)]
#[template(path = "forecast.html")]
struct ForecastPage {
    layout: Option<Layout>,
    heading: String,
    as_of: String,
    municipality: String,
    scope_summary: String,
    /// Outlook, courses in scope.
    counts: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    show_caseworker: bool,
    method: &'static str,
}

pub async fn page(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<ForecastQuery>,
) -> Response {
    let as_of = as_of(&st, &q.dato);
    let snap = st.data.get();
    let pop = &snap.population;
    let f = st.forecast(&snap, as_of);
    let scope = scope(pop, &a);
    let mine: Vec<_> = f
        .courses
        .iter()
        .filter(|c| scope.keeps(pop, &pop.courses[c.course.index()]))
        .collect();
    let open: Vec<_> = mine
        .iter()
        .filter(|c| c.outlook == Outlook::CanStillBeMet)
        .collect();
    let entries = audit_entries(
        pop,
        &a,
        open.iter().map(|c| c.course),
        "vist i prognose for tidlig indsats",
        scope.purpose,
    );
    if st.store.audit_append(&entries, st.now()).await.is_err() {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Listen kan ikke vises",
            "Opslaget kunne ikke logges, og derfor vises listen ikke. Prøv igen.",
        );
    }
    let count = |o: Outlook| mine.iter().filter(|c| c.outlook == o).count() as i64;
    let rows = open
        .iter()
        .map(|c| {
            let course = &pop.courses[c.course.index()];
            let citizen = &pop.citizens[course.citizen.index()];
            let days = as_of.days_until(c.last_day) + 1;
            Row {
                href: format!("/forloeb/{}", path_segment(&course.key)),
                name: surname_first(&citizen.name),
                cpr: citizen.cpr.masked(),
                held: dk::int(i64::from(c.held)),
                booked: dk::int(i64::from(c.booked)),
                to_book: dk::int(i64::from(c.to_book)),
                last_day: c.last_day.dk().to_string(),
                mark: c.mark.dk().to_string(),
                days_left: dk::count(days.max(0) as u64, "dag", "dage"),
                caseworker: course.caseworker.map_or("Ikke fordelt".into(), |x| {
                    pop.caseworkers[x.index()].name.clone()
                }),
            }
        })
        .collect();
    let who = if scope.show_caseworker {
        "dit team"
    } else {
        "din sagsstamme"
    };
    html(&ForecastPage {
        layout: Some(layout(&st, &a, "/tidlig-indsats", as_of, Vec::new())),
        heading: format!("Tidlig indsats i {}: prognose", dk::month(f.month)),
        as_of: as_of.dk().to_string(),
        municipality: format!("Hele kommunen: {}", f.summary()),
        scope_summary: format!(
            "I {who} når {} 6 måneders anciennitet i måneden; {} mangler at få booket samtaler for at nå 4.",
            dk::count(mine.len() as u64, "forløb", "forløb"),
            dk::count(open.len() as u64, "borger", "borgere")
        ),
        // The forecast's order of outlooks, counted within the user's scope.
        counts: f
            .counts()
            .into_iter()
            .map(|(o, _)| (o.label(), dk::int(count(o))))
            .collect(),
        rows,
        show_caseworker: scope.show_caseworker,
        method: f.method,
    })
}
