//! "Fokusmål": STAR's figures and the municipality's own, the trend, the splits and the
//! reconciliation, and the pseudonymised members for analysts.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use kadence_core::date::{Day, Month};
use kadence_core::dk;
use kadence_core::measures::{Cell, Group, MeasureKind, MeasureResult, Split};
use kadence_core::model::{CaseworkerId, Population, TeamId};
use kadence_store::access::Role;
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

/// One row of a figures table: the month or group, numerator, denominator, share, target met, and
/// whether the figure is provisional (its month has not ended).
pub(crate) struct FigureRow {
    label: String,
    numerator: String,
    denominator: String,
    share: String,
    target: &'static str,
    provisional: bool,
}

/// A month in the period picker.
pub struct MonthOption {
    value: String,
    label: String,
    from: bool,
    to: bool,
}

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
    pooled: FigureRow,
    groups: Vec<FigureRow>,
    /// What the split's names are: said under the split table.
    groups_note: &'static str,
    /// "dec. 2026 er ikke slut ..." when the period's last month has not ended.
    provisional_note: Option<String>,
    period: String,
    months: Vec<MonthOption>,
    figures_href: String,
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
    /// Registration lag (registreringsefterslæb) over the period.
    lag: LagView,
}

/// One row of the registration-lag table.
pub(crate) struct LagRowView {
    label: String,
    registered: String,
    late: String,
    late_share: String,
    bands: Vec<String>,
    longest: String,
    without_date: String,
}

/// The registration-lag section.
pub(crate) struct LagView {
    rule: String,
    period: String,
    has_dates: bool,
    band_labels: Vec<&'static str>,
    total: LagRowView,
    rows: Vec<LagRowView>,
    note: &'static str,
}

fn lag_row(label: String, r: &kadence_core::registration::LagRow) -> LagRowView {
    let [registered, late, late_share, longest] = r.texts();
    LagRowView {
        label,
        registered,
        late,
        late_share,
        bands: r.bands.iter().map(|n| dk::int(i64::from(*n))).collect(),
        longest,
        without_date: dk::int(i64::from(r.without_date)),
    }
}

/// The registration lag as this user may see it: everyone the page's split names for team leads
/// and analysts (caseworkers pseudonymised for analysts); a caseworker her own conversations and
/// her team's total.
fn lag_view(
    pop: &Population,
    naming: &Naming,
    split: Split,
    (from, to, as_of): (Day, Day, Day),
    rule_days: u16,
) -> LagView {
    use kadence_core::registration::{registration_lag, BANDS};
    let all = |_: Option<CaseworkerId>| true;
    // The core names teams, "Ikke fordelt" and "I alt"; a caseworker is named as this reader
    // may see her.
    let name_of = |r: &kadence_core::registration::LagRow| -> String {
        match (r.group, naming) {
            (Group::Caseworker(Some(w)), Naming::Pseudonyms(Some(p))) => {
                p.of_caseworker(&pop.caseworkers[w.index()].key)
            }
            (Group::Caseworker(Some(_)), Naming::Pseudonyms(None)) => "(pseudonym mangler)".into(),
            (Group::Caseworker(Some(w)), _) => pop.caseworkers[w.index()].name.clone(),
            _ => r.label.clone(),
        }
    };
    let (figure, rows) = match (naming, split) {
        (Naming::OwnAndTeam { me, team }, _) => {
            // Her own conversations, and her team's total beside them.
            let mine = registration_lag(pop, from, to, as_of, rule_days, Split::Total, |w| {
                me.is_some() && w == *me
            });
            let teams = registration_lag(pop, from, to, as_of, rule_days, Split::Team, all);
            let mut rows = vec![lag_row(
                format!(
                    "Dig ({})",
                    me.map(|w| pop.caseworkers[w.index()].name.clone())
                        .unwrap_or_default()
                ),
                &mine.total,
            )];
            rows.extend(
                teams
                    .rows
                    .iter()
                    .filter(|r| team.is_some() && r.group == Group::Team(*team))
                    .map(|r| lag_row(format!("Dit team i alt ({})", r.label), r)),
            );
            (teams, rows)
        }
        _ => {
            let f = registration_lag(pop, from, to, as_of, rule_days, split, all);
            let rows = f.rows.iter().map(|r| lag_row(name_of(r), r)).collect();
            (f, rows)
        }
    };
    LagView {
        rule: figure.rule_text(),
        period: format!("{}–{}", figure.from.dk(), figure.to.dk()),
        has_dates: figure.has_dates(),
        band_labels: BANDS.iter().map(|b| b.2).collect(),
        total: lag_row(figure.total.label.clone(), &figure.total),
        rows,
        note: match naming {
            Naming::OwnAndTeam { .. } => {
                "Du ser dine egne samtaler og dit teams samlede tal, ikke de enkelte kollegers."
            }
            Naming::Pseudonyms(_) if split == Split::Caseworker => {
                "Sagsbehandlerne står med pseudonym (S-…)."
            }
            _ => "",
        },
    }
}

#[derive(Deserialize, Default)]
pub struct FocusQuery {
    dato: Option<String>,
    maal: Option<String>,
    definition: Option<String>,
    opdelt: Option<String>,
    /// The period's first and last month, `åååå-mm`; by default the twelve months up to the as-of
    /// date's month.
    fra: Option<String>,
    til: Option<String>,
}

/// The longest period the page computes at once.
const MAX_MONTHS: i32 = 60;
/// The first month the rule book covers.
const FIRST_MONTH: Month = Month::new(2015, 1);

impl FocusQuery {
    /// The months asked for, or a Danish reason they cannot be shown.
    fn period(&self, as_of: Day) -> Result<(Month, Month), String> {
        let last = as_of.month();
        let month = |v: &Option<String>, default: Month| -> Result<Month, String> {
            match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(text) => Month::parse(text).ok_or_else(|| {
                    format!("«{text}» er ikke en måned. Vælg perioden på listerne.")
                }),
            }
        };
        let to = month(&self.til, last)?;
        let from = month(&self.fra, to.plus(-11).max(FIRST_MONTH))?;
        if from > to {
            return Err(format!(
                "Perioden begynder ({}) efter den slutter ({}).",
                dk::month(from),
                dk::month(to)
            ));
        }
        if to > last {
            return Err(format!(
                "Perioden slutter i {}, efter opgørelsesdatoens måned ({}). Vælg en senere opgørelsesdato for at se den.",
                dk::month(to),
                dk::month(last)
            ));
        }
        if from < FIRST_MONTH {
            return Err(format!(
                "Kadence regner fra {}; vælg en senere begyndelse.",
                dk::month(FIRST_MONTH)
            ));
        }
        if from.months_until(to) >= MAX_MONTHS {
            return Err(format!(
                "Perioden kan højst være {MAX_MONTHS} måneder; den valgte er {}.",
                from.months_until(to) + 1
            ));
        }
        Ok((from, to))
    }
}

/// Who is named in a split by caseworker: team leads and administrators see every caseworker by
/// name; analysts see caseworkers pseudonymised (teams by name); a caseworker sees her own figure
/// and her team's, not each colleague's.
enum Naming {
    Names,
    Pseudonyms(Option<crate::Pseudonyms>),
    OwnAndTeam {
        me: Option<CaseworkerId>,
        team: Option<TeamId>,
    },
}

impl Naming {
    async fn of(st: &AppState, pop: &Population, a: &Authed) -> Naming {
        match a.session.user.role {
            Role::TeamLead | Role::Admin => Naming::Names,
            Role::Analyst => Naming::Pseudonyms(st.pseudonym().await),
            Role::Caseworker => {
                let me = user_caseworker(pop, a);
                Naming::OwnAndTeam {
                    me,
                    team: me.map(|w| pop.caseworkers[w.index()].team),
                }
            }
        }
    }

    fn note(&self, split: Split) -> &'static str {
        match (self, split) {
            (Naming::Pseudonyms(_), Split::Caseworker) => {
                "Sagsbehandlerne står med pseudonym (S-…), samme pseudonym for samme sagsbehandler."
            }
            (Naming::OwnAndTeam { .. }, Split::Caseworker) => {
                "Du ser dit eget tal og dit teams samlede tal, ikke de enkelte kollegers."
            }
            _ => "",
        }
    }

    /// The cells of a split by `split` as this user may see them: (name, cell) with the group's name,
    /// in the measure's order; for a caseworker split by caseworker her own cells and her team's
    /// (pooled from `by_team`).
    fn named(
        &self,
        pop: &Population,
        split: Split,
        cells: Vec<Cell>,
        by_team: impl FnOnce() -> Vec<Cell>,
    ) -> Vec<(String, Cell)> {
        let team_name = |t: Option<TeamId>| {
            t.map_or_else(
                || "Ikke fordelt".to_string(),
                |t| pop.teams[t.index()].name.clone(),
            )
        };
        let caseworker_name = |w: CaseworkerId| pop.caseworkers[w.index()].name.clone();
        match (self, split) {
            (_, Split::Total) => cells.into_iter().map(|c| (String::new(), c)).collect(),
            (_, Split::Team) => cells
                .into_iter()
                .map(|c| {
                    let name = match c.group {
                        Group::Team(t) => team_name(t),
                        _ => String::new(),
                    };
                    (name, c)
                })
                .collect(),
            (Naming::Names, Split::Caseworker) => cells
                .into_iter()
                .map(|c| {
                    let name = match c.group {
                        Group::Caseworker(Some(w)) => caseworker_name(w),
                        _ => "Ikke fordelt".to_string(),
                    };
                    (name, c)
                })
                .collect(),
            (Naming::Pseudonyms(p), Split::Caseworker) => cells
                .into_iter()
                .map(|c| {
                    let name = match (c.group, p) {
                        (Group::Caseworker(Some(w)), Some(p)) => {
                            p.of_caseworker(&pop.caseworkers[w.index()].key)
                        }
                        (Group::Caseworker(Some(_)), None) => "(pseudonym mangler)".to_string(),
                        _ => "Ikke fordelt".to_string(),
                    };
                    (name, c)
                })
                .collect(),
            (Naming::OwnAndTeam { me, team }, Split::Caseworker) => {
                let mut own: Vec<(String, Cell)> = cells
                    .into_iter()
                    .filter(|c| me.is_some() && c.group == Group::Caseworker(*me))
                    .map(|c| {
                        (
                            format!("Dig ({})", me.map(caseworker_name).unwrap_or_default()),
                            c,
                        )
                    })
                    .collect();
                if team.is_some() {
                    own.extend(
                        by_team()
                            .into_iter()
                            .filter(|c| c.group == Group::Team(*team))
                            .map(|c| (format!("Dit team i alt ({})", team_name(*team)), c)),
                    );
                }
                own
            }
        }
    }
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

/// What a figures request resolved to: the snapshot, the as-of date, the measure and definition,
/// the period and the reconciliation over it; or the page refusing the period.
struct Asked {
    snap: Arc<kadence_store::Snapshot>,
    as_of: Day,
    kind: MeasureKind,
    internal: bool,
    from: Month,
    to: Month,
    rec: Arc<kadence_core::reconcile::Reconciliation>,
}

/// Resolves the request; `Err` is the Danish reason the period cannot be shown (see [`refused`]).
fn asked(st: &AppState, q: &FocusQuery) -> Result<Asked, String> {
    let snap = st.data.get();
    let as_of = as_of(st, &q.dato);
    let (kind, internal) = q.measure();
    let (from, to) = q.period(as_of)?;
    let rec = st.reconciliation(&snap, as_of, kind, internal, from, to);
    Ok(Asked {
        snap,
        as_of,
        kind,
        internal,
        from,
        to,
        rec,
    })
}

fn refused(why: &str) -> Response {
    render_error(StatusCode::BAD_REQUEST, "Perioden kan ikke vises", why)
}

fn split_of(q: &FocusQuery) -> (Split, &'static str, &'static str) {
    match q.opdelt.as_deref() {
        Some("team") => (Split::Team, "team", "team"),
        Some("sagsbehandler") => (Split::Caseworker, "sagsbehandler", "sagsbehandler"),
        _ => (Split::Total, "maaned", "måned"),
    }
}

/// A figures row from a cell: Danish numbers, the target for the cell's month.
fn figure_row(
    r: &MeasureResult,
    label: String,
    c: &Cell,
    as_of_target: Option<kadence_core::measures::Target>,
) -> FigureRow {
    FigureRow {
        label,
        numerator: dk::int(i64::from(c.numerator)),
        denominator: dk::int(i64::from(c.denominator)),
        share: c.share().map(dk::percent).unwrap_or_else(|| "-".into()),
        target: target_text(
            c.month.map_or(as_of_target, |m| r.kind.target_for(m)),
            c.share(),
        ),
        provisional: c.month.is_some_and(|m| r.is_provisional(m)),
    }
}

pub async fn focus(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<FocusQuery>,
) -> Response {
    use kadence_core::reconcile::{Effect, Reason};
    let Asked {
        snap,
        as_of,
        kind,
        internal,
        from,
        to,
        rec,
    } = match asked(&st, &q) {
        Ok(x) => x,
        Err(why) => return refused(&why),
    };
    let pop = &snap.population;
    let (split, split_code, split_label) = split_of(&q);
    let pseudonyms = st.pseudonym().await;
    let naming = Naming::of(&st, pop, &a).await;
    let r = &rec.a;
    let (def, other) = (&rec.a.definition, &rec.b.definition);
    // A regime that has ended gives no target for later months (focus target 2 after 2025).
    let target = kind.target_for(to);
    let history = kind
        .history_note()
        .filter(|_| kind.target_until().is_some_and(|last| to > last));
    let settings = st.settings_on(&snap, as_of);
    let own_name = settings
        .settings
        .definition(None)
        .map_or_else(String::new, |d| d.name.clone());
    let lag = lag_view(
        pop,
        &naming,
        split,
        (from.first_day(), to.last_day(), as_of),
        settings.settings.duties.registration_days,
    );
    let cells = r.cells(pop, Split::Total);
    let pooled = r.pooled(pop, Split::Total)[0];
    // STAR reacts on complete months only.
    let complete: Vec<Cell> = cells
        .iter()
        .filter(|c| !c.month.is_some_and(|m| r.is_provisional(m)))
        .copied()
        .collect();
    let alerts = r.six_month_alerts(&complete);
    let as_of_text = as_of.dk().to_string();
    let def_code = if internal { "intern" } else { "officiel" };
    let period_query = format!("&fra={from}&til={to}");
    let tabs = [
        MeasureKind::EarlyEffort,
        MeasureKind::FirstFollowUpOnTime,
        MeasureKind::FocusTarget2,
    ]
    .iter()
    .map(|k| Tab {
        href: format!(
            "?dato={}&maal={}&definition={def_code}&opdelt={split_code}{period_query}",
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
    let groups: Vec<FigureRow> = naming
        .named(pop, split, r.pooled(pop, split), || {
            r.pooled(pop, Split::Team)
        })
        .into_iter()
        .filter(|_| split != Split::Total)
        .map(|(name, c)| figure_row(r, name, &c, target))
        .collect();
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
        (
            "registreret for sent (holdt inden opgørelsesdagen, registreret efter)",
            reason_count(|r| matches!(r, Reason::RegisteredLate { .. })),
        ),
    ] {
        if n > 0 {
            reasons.push(format!("{label}: {} forløb", dk::int(n as i64)));
        }
    }
    let provisional_from = cells
        .iter()
        .position(|c| c.month.is_some_and(|m| r.is_provisional(m)));
    let provisional_note = provisional_from.map(|i| {
        let m = cells[i].month.unwrap_or(to);
        format!(
            "{} er ikke slut pr. {as_of_text}: månedens tal er foreløbigt og kan stige, indtil måneden er omme. Den står for sig i grafen (åben cirkel, prikket linje) og tæller ikke med i STAR's reaktion.",
            dk::capitalised(&dk::month(m))
        )
    });
    let months = {
        let mut v = Vec::new();
        let mut m = as_of.month();
        while m >= FIRST_MONTH {
            v.push(MonthOption {
                value: m.to_string(),
                label: dk::month_short(m),
                from: m == from,
                to: m == to,
            });
            m = m.prev();
        }
        v
    };
    let query_tail = format!(
        "?dato={}&maal={}&definition={def_code}&opdelt={split_code}{period_query}",
        form_urlencoded(&as_of_text),
        measure_code(kind)
    );
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
        alerts: alerts
            .last()
            .map(|m| dk::month_short(*m))
            .unwrap_or_default(),
        chart: line_chart_provisional(
            &format!("{} pr. måned, {}", kind.title(), def.name),
            &cells
                .iter()
                .map(|c| (c.month.map(dk::month_short).unwrap_or_default(), c.share()))
                .collect::<Vec<_>>(),
            target.map(|t| t.share),
            provisional_from,
        ),
        rows: cells
            .iter()
            .map(|c| {
                figure_row(
                    r,
                    c.month.map(dk::month_short).unwrap_or_default(),
                    c,
                    target,
                )
            })
            .collect(),
        pooled: figure_row(r, "I alt".into(), &pooled, target),
        groups,
        groups_note: naming.note(split),
        provisional_note,
        period: format!("{}–{}", dk::month_short(from), dk::month_short(to)),
        months,
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
                    // Months only beside a pseudonym, as in the export (issue 14.8).
                    months_only(&d.explain(&rec.a.definition, &rec.b.definition)),
                )
            })
            .collect(),
        own_name,
        history,
        lag,
        export_href: format!("/fokusmaal/eksport.xlsx{query_tail}"),
        figures_href: format!("/fokusmaal/tal.xlsx{query_tail}"),
    };
    html(&page)
}

/// The figures as an Excel file: the monthly table (with the provisional month marked) and, when
/// the page is split by team or caseworker, the split month by month, named as the page names
/// them for this user. Figures only (no citizen), so no audit entry.
pub async fn figures_export(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<FocusQuery>,
) -> Response {
    use rust_xlsxwriter::{Format, Workbook};
    let Asked {
        snap,
        as_of,
        kind,
        internal,
        from,
        to,
        rec,
    } = match asked(&st, &q) {
        Ok(x) => x,
        Err(why) => return refused(&why),
    };
    let pop = &snap.population;
    let (split, split_code, split_label) = split_of(&q);
    let naming = Naming::of(&st, pop, &a).await;
    let r = &rec.a;
    let target = kind.target_for(to);
    let context = format!(
        "Data pr. {} · Periode: {}–{} · Definition: {} · Indstillinger {}",
        as_of.dk(),
        dk::month_short(from),
        dk::month_short(to),
        r.definition.describe(),
        st.settings_on(&snap, as_of).label()
    );
    let monthly = r.cells(pop, Split::Total);
    let mut by_group = naming.named(pop, split, r.cells(pop, split), || {
        r.cells(pop, Split::Team)
    });
    by_group.sort_by(|a, b| (&a.0, a.1.month).cmp(&(&b.0, b.1.month)));
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let percent = Format::new().set_num_format("0.0%");
        let mut wb = Workbook::new();
        let headers = [
            ("Måned", 12.0),
            ("Tæller", 10.0),
            ("Nævner", 10.0),
            ("Andel", 10.0),
            ("Mål", 10.0),
            ("Foreløbig", 10.0),
        ];
        let ws = xlsx::titled_sheet(
            &mut wb,
            "Pr. måned",
            &format!("Fokusmål pr. måned: {}", kind.title()),
            &context,
            &headers,
        )?;
        for (i, c) in monthly.iter().enumerate() {
            let row = i as u32 + xlsx::TITLED_FIRST_ROW;
            let Some(m) = c.month else { continue };
            ws.write_string(row, 0, m.to_string())?;
            ws.write_number(row, 1, f64::from(c.numerator))?;
            ws.write_number(row, 2, f64::from(c.denominator))?;
            if let Some(sh) = c.share() {
                ws.write_number_with_format(row, 3, sh, &percent)?;
            }
            ws.write_string(row, 4, target_text(kind.target_for(m), c.share()))?;
            if r.is_provisional(m) {
                ws.write_string(row, 5, "foreløbig")?;
            }
        }
        xlsx::filter_titled(ws, monthly.len(), headers.len())?;
        if split != Split::Total {
            let name = if split == Split::Team {
                "Team"
            } else {
                "Sagsbehandler"
            };
            let headers = [
                (name, 28.0),
                ("Måned", 12.0),
                ("Tæller", 10.0),
                ("Nævner", 10.0),
                ("Andel", 10.0),
                ("Mål", 10.0),
                ("Foreløbig", 10.0),
            ];
            let ws = xlsx::titled_sheet(
                &mut wb,
                &format!("Pr. {split_label} og måned"),
                &format!("Fokusmål pr. {split_label} og måned: {}", kind.title()),
                &format!("{context} · {}", naming.note(split)),
                &headers,
            )?;
            for (i, (who, c)) in by_group.iter().enumerate() {
                let row = i as u32 + xlsx::TITLED_FIRST_ROW;
                let Some(m) = c.month else { continue };
                ws.write_string(row, 0, who)?;
                ws.write_string(row, 1, m.to_string())?;
                ws.write_number(row, 2, f64::from(c.numerator))?;
                ws.write_number(row, 3, f64::from(c.denominator))?;
                if let Some(sh) = c.share() {
                    ws.write_number_with_format(row, 4, sh, &percent)?;
                }
                ws.write_string(row, 5, target_text(kind.target_for(m), c.share()))?;
                if r.is_provisional(m) {
                    ws.write_string(row, 6, "foreløbig")?;
                }
            }
            xlsx::filter_titled(ws, by_group.len(), headers.len())?;
        }
        xlsx::about(
            &mut wb,
            &[
                ("Opgørelsesdato", as_of.dk().to_string()),
                ("Periode", format!("{from} til {to}")),
                ("Indstillinger", st.settings_on(&snap, as_of).label()),
                ("Mål", kind.title().to_string()),
                ("Definition", r.definition.describe()),
                (
                    "Målsætning",
                    target.map_or_else(
                        || "ingen".to_string(),
                        |t| {
                            format!(
                                "{} {}",
                                if t.at_least { "mindst" } else { "højst" },
                                dk::percent(t.share)
                            )
                        },
                    ),
                ),
                (
                    "Foreløbig",
                    "En måned, der ikke er slut på opgørelsesdatoen; tallet kan stige.".to_string(),
                ),
            ],
        )?;
        wb.save_to_buffer()
    };
    xlsx::download(
        build(),
        &format!(
            "kadence-fokusmaal-tal-{}-{}-{split_code}-{from}-{to}-{as_of}.xlsx",
            measure_code(kind),
            if internal { "intern" } else { "officiel" },
        ),
    )
}

/// Every dd-mm-åååå in `text` written as its month ("18-11-2026" -> "nov. 2026"), for the
/// pseudonymised export.
fn months_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut from = 0;
    while i + 10 <= b.len() {
        if crate::frame::dk_date_at(b, i) {
            if let Some(d) = kadence_import::text::parse_date(&text[i..i + 10]) {
                out.push_str(&text[from..i]);
                out.push_str(&dk::month_short(d.month()));
                i += 10;
                from = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[from..]);
    out
}

/// The members behind a focus figure as an Excel file, pseudonymised: one row per course and month
/// with whether it is in the numerator, the conversations counted and the window's months, and how
/// the other definition counts it (its dates as months too). No names, CPR numbers or case-system ids, so it is a figures export (no
/// audit entry), for analysts as for everyone with access to "Fokusmål".
pub async fn focus_export(
    State(st): State<Arc<AppState>>,
    Extension(_a): Extension<Authed>,
    Query(q): Query<FocusQuery>,
) -> Response {
    use rust_xlsxwriter::Workbook;
    let Asked {
        snap,
        as_of,
        kind,
        internal,
        from,
        to,
        rec,
    } = match asked(&st, &q) {
        Ok(x) => x,
        Err(why) => return refused(&why),
    };
    let pop = &snap.population;
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
            ("Vindue fra (måned)", 14.0),
            ("Vindue til (måned)", 14.0),
            ("Team", 28.0),
            ("Tælles anderledes efter den anden definition", 60.0),
        ];
        let mut wb = Workbook::new();
        let ws = xlsx::titled_sheet(
            &mut wb,
            "Forløb bag tallet",
            &format!("Fokusmål: {}, forløbene bag tallet", kind.title()),
            &format!(
                "Data pr. {} · Periode: {}–{} · Definition: {} · Indstillinger {}",
                as_of.dk(),
                dk::month_short(from),
                dk::month_short(to),
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
            // Months, not days: an exact first day of absence or standby beside a health fact
            // would single a citizen out of a pseudonymised file (issue 14.8).
            ws.write_string(r, 4, dk::month_short(m.window.0.month()))?;
            ws.write_string(r, 5, dk::month_short(m.window.1.month()))?;
            let team = pop.team_of(c).map_or_else(
                || "Ikke fordelt".to_string(),
                |t| pop.teams[t.index()].name.clone(),
            );
            ws.write_string(r, 6, team)?;
            if let Some(text) = other.get(&m.course) {
                ws.write_string(r, 7, months_only(text))?;
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
            "kadence-fokusmaal-{}-{}-{from}-{to}-{}.xlsx",
            measure_code(kind),
            if internal { "intern" } else { "officiel" },
            as_of
        ),
    )
}

#[cfg(test)]
mod months_tests {
    use super::months_only;

    #[test]
    fn dates_become_months_and_nothing_else_changes() {
        assert_eq!(
            months_only("tælles i 2026-03 i tælleren (4 samtaler i 18-11-2025–17-05-2026)"),
            "tælles i 2026-03 i tælleren (4 samtaler i nov. 2025–maj 2026)"
        );
        assert_eq!(
            months_only("standby fra 01-02-2024"),
            "standby fra feb. 2024"
        );
        assert_eq!(
            months_only("31-02-2026 findes ikke"),
            "31-02-2026 findes ikke"
        );
        assert_eq!(
            months_only("K01-SDP-0000004, 290583-1234"),
            "K01-SDP-0000004, 290583-1234"
        );
        assert_eq!(months_only("ingen datoer"), "ingen datoer");
    }
}
