//! "Fokusmål": STAR's figures and the municipality's own, the trend, the splits and the
//! reconciliation, and the pseudonymised members for analysts.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use kadence_core::dk;
use kadence_core::measures::{MeasureKind, Split};
use serde::Deserialize;

use crate::charts::*;
use crate::frame::*;
use crate::xlsx;
use crate::{AppState, Authed};

pub struct Tab {
    href: String,
    label: &'static str,
    current: bool,
}

pub(crate) type FigureRow = (String, String, String, String, &'static str);

#[derive(Template)]
#[template(path = "focus.html")]
pub(crate) struct FocusPage {
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
    /// The municipality's own definition offered beside STAR's (the first in the settings).
    own_name: String,
    /// For a measure whose regime has ended (focus target 2 after 2025): history, no alarm.
    history: Option<&'static str>,
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

pub(crate) fn measure_code(k: MeasureKind) -> &'static str {
    match k {
        MeasureKind::EarlyEffort => "tidlig",
        MeasureKind::FirstFollowUpOnTime => "foerste",
        MeasureKind::FocusTarget2 => "fokus2",
    }
}

pub(crate) fn target_text(
    t: Option<kadence_core::measures::Target>,
    share: Option<f64>,
) -> &'static str {
    match (t, share) {
        (Some(t), Some(s)) if t.met_by(s) => "nået",
        (Some(_), Some(_)) => "ikke nået",
        _ => "",
    }
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
    // A regime that has ended gives no target for later months (focus target 2 after 2025).
    let target = kind.target_for(as_of.month());
    let history = kind
        .history_note()
        .filter(|_| kind.target_until().is_some_and(|last| as_of.month() > last));
    let own_name = st
        .settings_on(&snap, as_of)
        .settings
        .definition(None)
        .map_or_else(String::new, |d| d.name.clone());
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
            target_text(c.month.map_or(target, |m| kind.target_for(m)), c.share()),
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
        own_name,
        history,
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
        let ws = xlsx::titled_sheet(
            &mut wb,
            "Forløb bag tallet",
            &format!("Fokusmål: {}, forløbene bag tallet", kind.title()),
            &format!(
                "Data pr. {} · Definition: {} · Indstillinger {}",
                as_of.dk(),
                rec.a.definition.describe(),
                st.settings_on(&snap, as_of).label()
            ),
            &headers,
        )?;
        for (i, m) in rec.a.members.iter().enumerate() {
            let r = i as u32 + xlsx::TITLED_FIRST_ROW;
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
        xlsx::filter_titled(ws, rec.a.members.len(), headers.len())?;
        xlsx::about(
            &mut wb,
            &[
                ("Opgørelsesdato", as_of.dk().to_string()),
                ("Indstillinger", st.settings_on(&snap, as_of).label()),
                ("Mål", kind.title().to_string()),
                ("Definition", rec.a.definition.describe()),
                ("Afstemt mod", rec.b.definition.describe()),
            ],
        )?;
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
