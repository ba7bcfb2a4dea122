//! "Mine borgere" and "Mit team": the worklists, their views, sorting, selection and Excel export.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use kadence_core::date::Day;
use kadence_core::dk;
use kadence_core::dk::local_time;
use kadence_core::duties::{CourseStatus, Status};
use kadence_core::model::*;
use kadence_core::worklist::{
    conversations_counted, conversations_text, days_text, flags, Band, View,
};
use kadence_store::Snapshot;
use serde::Deserialize;

use crate::frame::*;
use crate::xlsx;
use crate::{AppState, Authed};

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
    /// Filters: a caseworker's key (or "ikke-fordelt"; team lead only), a target group, a deadline band.
    sagsbehandler: Option<String>,
    maalgruppe: Option<String>,
    frist: Option<String>,
    /// "alle": every row on the page ticked for a move.
    vaelg: Option<String>,
}

/// The caseworker filter's value for courses no caseworker has.
const UNASSIGNED: &str = "ikke-fordelt";

const GROUPS: [TargetGroup; 3] = [
    TargetGroup::Employed,
    TargetGroup::Unemployed,
    TargetGroup::SelfEmployed,
];

fn group_code(g: TargetGroup) -> &'static str {
    match g {
        TargetGroup::Employed => "beskaeftiget",
        TargetGroup::Unemployed => "ledig",
        TargetGroup::SelfEmployed => "selvstaendig",
    }
}

pub(crate) fn group_label(g: TargetGroup) -> &'static str {
    match g {
        TargetGroup::Employed => "Beskæftiget",
        TargetGroup::Unemployed => "Ledig",
        TargetGroup::SelfEmployed => "Selvstændig",
    }
}

/// The filters beside the preset view. A value that names nothing (a stale link, a typed URL) is
/// dropped rather than refused: the list then shows unfiltered, and the form says what applies.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Filters {
    /// A caseworker's key, or [`UNASSIGNED`].
    caseworker: Option<String>,
    group: Option<TargetGroup>,
    band: Option<Band>,
}

impl Filters {
    fn from_query(q: &ListQuery, pop: &Population, by_caseworker: bool) -> Filters {
        Filters {
            caseworker: q
                .sagsbehandler
                .as_deref()
                .filter(|_| by_caseworker)
                .filter(|k| *k == UNASSIGNED || pop.caseworkers.iter().any(|w| w.key == *k))
                .map(str::to_string),
            group: q
                .maalgruppe
                .as_deref()
                .and_then(|c| GROUPS.into_iter().find(|g| group_code(*g) == c)),
            band: q.frist.as_deref().and_then(Band::from_code),
        }
    }

    fn keeps(&self, pop: &Population, c: &Course, next_days: impl Fn() -> Option<i32>) -> bool {
        let by_caseworker = match self.caseworker.as_deref() {
            None => true,
            Some(UNASSIGNED) => c.caseworker.is_none(),
            Some(k) => c
                .caseworker
                .is_some_and(|w| pop.caseworkers[w.index()].key == k),
        };
        by_caseworker
            && self.group.is_none_or(|g| c.target_group == g)
            && self.band.is_none_or(|b| Band::of(next_days()) == b)
    }

    fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// The filters as query parameters.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if let Some(k) = &self.caseworker {
            v.push(("sagsbehandler", k.clone()));
        }
        if let Some(g) = self.group {
            v.push(("maalgruppe", group_code(g).to_string()));
        }
        if let Some(b) = self.band {
            v.push(("frist", b.code().to_string()));
        }
        v
    }

    /// In words, for the status line and the Excel file's header ("Målgruppe: Ledig").
    fn describe(&self, pop: &Population) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(k) = &self.caseworker {
            v.push(format!(
                "Sagsbehandler: {}",
                if k == UNASSIGNED {
                    "ikke fordelt"
                } else {
                    pop.caseworkers
                        .iter()
                        .find(|w| w.key == *k)
                        .map_or("?", |w| w.name.as_str())
                }
            ));
        }
        if let Some(g) = self.group {
            v.push(format!("Målgruppe: {}", group_label(g)));
        }
        if let Some(b) = self.band {
            v.push(format!("Frist: {}", b.label().to_lowercase()));
        }
        v
    }
}

pub struct NextDeadline {
    date: String,
    when: String,
    duty: String,
    /// Judged by a rule set resting on unconfirmed facts (foreløbig).
    provisional: bool,
    /// "rykket 12 dage for standby", when standby moved the deadline.
    moved: Option<String>,
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
    /// The course in the case system, when the municipality set a link template.
    case_link: Option<String>,
}

/// One caseworker's counts at the top of "Mit team", each a link to the list filtered by it.
pub struct CaseworkerCounts {
    name: String,
    active: (usize, String),
    overdue: (usize, String),
    week: (usize, String),
    first_late: (usize, String),
}

/// A choice in a filter's select.
pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "worklist.html")]
pub(crate) struct WorklistPage {
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
    sort_conversations: SortLink,
    sort_latest: SortLink,
    /// The filter selects (the caseworker's only in "Mit team").
    caseworker_choices: Option<Vec<Choice>>,
    group_choices: Vec<Choice>,
    band_choices: Vec<Choice>,
    filtered: bool,
    /// The filters in words ("Målgruppe: Ledig"), for the status line.
    filter_text: String,
    /// Per caseworker at the top of "Mit team".
    counts: Vec<CaseworkerCounts>,
    /// Every row ticked ("Vælg alle på siden"), and the links to tick or untick them all.
    all_ticked: bool,
    tick_all_href: String,
    untick_all_href: String,
}

pub(crate) struct ListSpec<'a> {
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
pub(crate) const OWN_VIEWS: &[View] = View::ALL.split_last().expect("views").1;
const _: () = assert!(matches!(View::ALL[View::ALL.len() - 1], View::Unassigned));

/// How a list is ordered. Urgency first is the default: the next deadline, overdue first.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum Sort {
    Urgency,
    /// Most days since the first day of absence first.
    Days,
    Name,
    Caseworker,
    /// Fewest conversations counted first.
    Conversations,
    /// The longest since the latest conversation first (none at all first of all).
    Latest,
}

impl Sort {
    const ALL: [Sort; 6] = [
        Sort::Urgency,
        Sort::Days,
        Sort::Name,
        Sort::Caseworker,
        Sort::Conversations,
        Sort::Latest,
    ];

    fn code(self) -> &'static str {
        match self {
            Sort::Urgency => "frist",
            Sort::Days => "dage",
            Sort::Name => "navn",
            Sort::Caseworker => "sagsbehandler",
            Sort::Conversations => "samtaler",
            Sort::Latest => "seneste",
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
            Sort::Conversations => "færrest samtaler først",
            Sort::Latest => "længst siden seneste samtale først",
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
pub(crate) struct Selection {
    as_of: Day,
    query: String,
    view: View,
    sort: Sort,
    filters: Filters,
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

pub(crate) fn select(st: &AppState, q: &ListQuery, spec: &ListSpec<'_>) -> Selection {
    let (snap, keep, views) = (&spec.snap, spec.keep, spec.views);
    // Only a team lead's list filters by caseworker.
    let by_caseworker = spec.reassign_team.is_some();
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
    let drivers = st.settings_on(snap, as_of).settings.duties.next_deadline;
    let filters = Filters::from_query(q, pop, by_caseworker);
    let scoped: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, (id, _))| keep(pop, &pop.courses[id.index()]))
        .filter(|(_, (id, s))| {
            filters.keeps(pop, &pop.courses[id.index()], || {
                s.next_deadline_by(drivers).map(|d| d.days_left())
            })
        })
        .filter(|(_, (id, _))| {
            name_matches(
                &pop.citizens[pop.courses[id.index()].citizen.index()].name,
                &needle,
            )
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
        Sort::Conversations => order.sort_by_key(|i| {
            let s = &all[*i].1;
            s.duty(kadence_core::duties::DutyKind::HalfYearFollowUps)
                .or(s.duty(kadence_core::duties::DutyKind::JobClarificationFollowUps))
                .map_or(s.conversations_held, |d| d.counted.min(d.required))
        }),
        Sort::Latest => order.sort_by_key(|i| all[*i].1.last_conversation),
    }
    Selection {
        as_of,
        query,
        view,
        sort,
        filters,
        statuses: all,
        order,
        counts,
    }
}

pub struct ViewLink {
    href: String,
    label: &'static str,
    count: usize,
    current: bool,
}

pub(crate) async fn worklist(
    st: &AppState,
    a: &Authed,
    q: ListQuery,
    spec: ListSpec<'_>,
) -> Response {
    let snap = &spec.snap;
    let pop = &snap.population;
    let sel = select(st, &q, &spec);
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
    // What drives "Næste frist" is the municipality's setting; the statuses are in the same order.
    let drivers = st
        .settings_on(snap, sel.as_of)
        .settings
        .duties
        .next_deadline;
    let case_system = st.settings_on(snap, sel.as_of).settings.case_system.clone();
    let view: Vec<WorkRow> = shown
        .iter()
        .map(|(id, s)| {
            let c = &pop.courses[id.index()];
            let citizen = &pop.citizens[c.citizen.index()];
            let next = s.next_deadline_by(drivers);
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
                key: c.key.to_string(),
                href: format!("/forloeb/{}", path_segment(&c.key)),
                name: surname_first(&citizen.name),
                cpr: citizen.cpr.masked(),
                days: s.days_since_first_absence,
                next: next.map(|d| NextDeadline {
                    date: d.date().map(|x| x.dk().to_string()).unwrap_or_default(),
                    when: days_text(d.days_left()),
                    duty: d.label(),
                    provisional: d.provisional(),
                    moved: d.moved_by_standby().map(|n| {
                        format!(
                            "rykket {} for standby",
                            kadence_core::dk::count(n as u64, "dag", "dage")
                        )
                    }),
                }),
                urgency_class: match next.map(|d| d.status()) {
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
                case_link: case_system.for_course(&c.key),
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
    let query_with = |view: View, sort: Sort, filters: &Filters| {
        let mut q = format!("?dato={}&visning={}", enc(&as_of_text), view.code());
        if !sel.query.is_empty() {
            q.push_str(&format!("&q={}", enc(&sel.query)));
        }
        if sort != Sort::Urgency {
            q.push_str(&format!("&sorter={}", sort.code()));
        }
        for (k, v) in filters.pairs() {
            q.push_str(&format!("&{k}={}", enc(&v)));
        }
        q
    };
    let base_query = |view: View| query_with(view, sel.sort, &sel.filters);
    let sort_link = |sort: Sort| SortLink {
        href: query_with(sel.view, sort, &sel.filters),
        aria: match (sel.sort == sort, sort) {
            (false, _) => "none",
            (true, Sort::Days) | (true, Sort::Latest) => "descending",
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
    keep.extend(
        sel.filters
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v)),
    );
    let team_caseworkers: Option<Vec<(String, String)>> = spec.reassign_team.map(|t| {
        let mut v: Vec<(String, String)> = pop
            .caseworkers
            .iter()
            .filter(|w| w.team == t)
            .map(|w| (w.key.clone(), w.name.clone()))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    });
    let choice = |value: &str, label: &str, selected: bool| Choice {
        value: value.to_string(),
        label: label.to_string(),
        selected,
    };
    let counts = match &team_caseworkers {
        Some(team) => caseworker_counts(
            pop,
            &sel,
            spec.keep,
            team,
            drivers,
            &|f: &Filters, v: View| format!("{}{}", spec.path, query_with(v, Sort::Urgency, f)),
        ),
        None => Vec::new(),
    };
    let page_query = base_query(sel.view);
    let filter_words = sel.filters.describe(pop);
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
        tick_all_href: format!("{page_query}&side={page}&vaelg=alle"),
        untick_all_href: format!("{page_query}&side={page}"),
        all_ticked: q.vaelg.as_deref() == Some("alle"),
        page_query,
        rows: view,
        total,
        shown_from: if total == 0 { 0 } else { (page - 1) * size + 1 },
        shown_to: ((page - 1) * size + shown.len()).min(total),
        page,
        has_prev: page > 1,
        has_next: page < pages,
        show_caseworker: spec.show_caseworker,
        empty_text: if !sel.query.is_empty() || sel.view != View::All || !sel.filters.is_empty() {
            "Ingen borgere matcher filtrene.".to_string()
        } else {
            spec.empty.to_string()
        },
        query: sel.query.clone(),
        visning: sel.view.code(),
        caseworker_choices: team_caseworkers.as_ref().map(|team| {
            let chosen = sel.filters.caseworker.as_deref();
            let mut v = vec![choice("", "Alle", chosen.is_none())];
            v.extend(
                team.iter()
                    .map(|(k, n)| choice(k, n, chosen == Some(k.as_str()))),
            );
            v.push(choice(
                UNASSIGNED,
                "Ikke fordelt",
                chosen == Some(UNASSIGNED),
            ));
            v
        }),
        group_choices: std::iter::once(choice("", "Alle", sel.filters.group.is_none()))
            .chain(GROUPS.iter().map(|g| {
                choice(
                    group_code(*g),
                    group_label(*g),
                    sel.filters.group == Some(*g),
                )
            }))
            .collect(),
        band_choices: std::iter::once(choice("", "Alle", sel.filters.band.is_none()))
            .chain(
                Band::ALL
                    .iter()
                    .map(|b| choice(b.code(), b.label(), sel.filters.band == Some(*b))),
            )
            .collect(),
        filtered: !sel.filters.is_empty(),
        filter_text: filter_words.join(", "),
        counts,
        reassign_to: team_caseworkers,
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
        sort_conversations: sort_link(Sort::Conversations),
        sort_latest: sort_link(Sort::Latest),
    };
    html(&page_view)
}

/// Per caseworker of the team (and the unassigned pool), over the whole team list (not the
/// filters): active courses, next deadline passed, next deadline within 7 days, and first follow-up
/// overdue or near (the view's rows); each a link to the list filtered by it.
fn caseworker_counts(
    pop: &Population,
    sel: &Selection,
    keep: &(dyn Fn(&Population, &Course) -> bool + Sync),
    team: &[(String, String)],
    drivers: kadence_core::settings::DeadlineDrivers,
    link: &dyn Fn(&Filters, View) -> String,
) -> Vec<CaseworkerCounts> {
    use std::collections::HashMap;
    // caseworker key (None: unassigned) -> [active, overdue, week, first late]
    let mut n: HashMap<Option<&str>, [usize; 4]> = HashMap::new();
    for (id, s) in sel.statuses.iter() {
        let c = &pop.courses[id.index()];
        if !keep(pop, c) {
            continue;
        }
        let key = c
            .caseworker
            .map(|w| pop.caseworkers[w.index()].key.as_str());
        let e = n.entry(key).or_default();
        e[0] += 1;
        match Band::of(s.next_deadline_by(drivers).map(|d| d.days_left())) {
            Band::Overdue => e[1] += 1,
            Band::Week => e[2] += 1,
            _ => {}
        }
        // As the view "1. samtale overskredet eller nær" counts, so the link shows these rows.
        if View::FirstFollowUps.matches(c, s) {
            e[3] += 1;
        }
    }
    team.iter()
        .map(|(k, name)| (Some(k.as_str()), name.as_str()))
        .chain(std::iter::once((None, "Ikke fordelt")))
        .map(|(key, name)| {
            let c = n.get(&key).copied().unwrap_or_default();
            let who = Filters {
                caseworker: Some(key.unwrap_or(UNASSIGNED).to_string()),
                ..Filters::default()
            };
            let band = |b: Band| Filters {
                band: Some(b),
                ..who.clone()
            };
            CaseworkerCounts {
                name: name.to_string(),
                active: (c[0], link(&who, View::All)),
                overdue: (c[1], link(&band(Band::Overdue), View::All)),
                week: (c[2], link(&band(Band::Week), View::All)),
                first_late: (c[3], link(&who, View::FirstFollowUps)),
            }
        })
        .collect()
}

/// The list as an Excel file: Danish headers, dates as dates, frozen header row, filters.
pub(crate) async fn export(
    st: &AppState,
    a: &Authed,
    q: ListQuery,
    spec: ListSpec<'_>,
) -> Response {
    use rust_xlsxwriter::Workbook;
    let snap = &spec.snap;
    let pop = &snap.population;
    let sel = select(st, &q, &spec);
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
    let sel_as_of = sel.as_of;
    let filter_words = sel.filters.describe(pop);
    let version = st.settings_on(snap, sel_as_of);
    let settings_label = version.label();
    let drivers = version.settings.duties.next_deadline;
    let filters_text = if filter_words.is_empty() && sel.query.is_empty() {
        "ingen".to_string()
    } else {
        let mut v = filter_words.clone();
        if !sel.query.is_empty() {
            v.insert(0, format!("Navn: {}", sel.query));
        }
        v.join(", ")
    };
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let headers = [
            ("Forløb", 18.0),
            ("Borger", 26.0),
            ("CPR-nr.", 13.0),
            ("Team", 16.0),
            ("1. fraværsdag", 12.0),
            ("Dage siden 1. fraværsdag", 12.0),
            ("Næste frist", 12.0),
            ("Dage til frist", 10.0),
            ("Pligt", 34.0),
            ("Samtaler holdt", 10.0),
            ("Samtaler krævet", 10.0),
            ("Seneste samtale", 12.0),
            ("Sagsbehandler", 22.0),
            ("Hændelser", 50.0),
        ];
        let mut wb = Workbook::new();
        let ws = xlsx::titled_sheet(
            &mut wb,
            sel.view.short_label(),
            &format!("{}: {}", spec.heading, sel.view.label()),
            &format!(
                "Data pr. {} · Filtre: {filters_text} · Indstillinger {settings_label}",
                sel_as_of.dk()
            ),
            &headers,
        )?;
        for (i, (id, s)) in sel.rows().enumerate() {
            let r = i as u32 + xlsx::TITLED_FIRST_ROW;
            let c = &pop.courses[id.index()];
            let citizen = &pop.citizens[c.citizen.index()];
            let next = s.next_deadline_by(drivers);
            let cw = c.caseworker.map(|x| &pop.caseworkers[x.index()]);
            ws.write_string(r, 0, c.key.as_str())?;
            ws.write_string(r, 1, surname_first(&citizen.name))?;
            ws.write_string(r, 2, citizen.cpr.masked())?;
            if let Some(cw) = cw {
                ws.write_string(r, 3, &pop.teams[cw.team.index()].name)?;
            }
            xlsx::write_day(ws, r, 4, c.first_absence)?;
            ws.write_number(r, 5, f64::from(s.days_since_first_absence))?;
            if let Some(d) = next.and_then(|d| d.date()) {
                xlsx::write_day(ws, r, 6, d)?;
            }
            if let Some(d) = next {
                ws.write_number(r, 7, f64::from(d.days_left()))?;
                ws.write_string(
                    r,
                    8,
                    format!(
                        "{}{}{}",
                        d.label(),
                        if d.provisional() { ", foreløbig" } else { "" },
                        d.moved_by_standby()
                            .map(|n| format!(", rykket {} for standby", dk::days(i64::from(n))))
                            .unwrap_or_default()
                    ),
                )?;
            }
            let (held, required) = conversations_counted(s);
            ws.write_number(r, 9, f64::from(held))?;
            if let Some(n) = required {
                ws.write_number(r, 10, f64::from(n))?;
            }
            if let Some(d) = s.last_conversation {
                xlsx::write_day(ws, r, 11, d)?;
            }
            ws.write_string(r, 12, cw.map_or("Ikke fordelt", |x| x.name.as_str()))?;
            ws.write_string(r, 13, flags(pop, *id, s).join("; "))?;
        }
        xlsx::filter_titled(ws, sel.len(), headers.len())?;
        xlsx::about(
            &mut wb,
            &[
                ("Opgørelsesdato", sel_as_of.dk().to_string()),
                ("Indstillinger", settings_label.clone()),
                ("Liste", format!("{}: {}", spec.heading, sel.view.label())),
                ("Filtre", filters_text.clone()),
            ],
        )?;
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
pub(crate) enum Out {
    Page,
    Xlsx,
}

pub(crate) async fn list(
    st: &AppState,
    a: &Authed,
    q: ListQuery,
    spec: ListSpec<'_>,
    out: Out,
) -> Response {
    match out {
        Out::Page => worklist(st, a, q, spec).await,
        Out::Xlsx => export(st, a, q, spec).await,
    }
}

pub(crate) async fn mine_list(st: Arc<AppState>, a: Authed, q: ListQuery, out: Out) -> Response {
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

pub(crate) async fn team_list(st: Arc<AppState>, a: Authed, q: ListQuery, out: Out) -> Response {
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
