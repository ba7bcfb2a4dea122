//! The shared frame of every page: the layout (navigation, the as-of date, the data-freshness line),
//! the error page, the stylesheet, and the helpers pages share (the user's caseworker and team, the
//! audit entries of a look-up, URL encoding). Imports no page.

use std::collections::HashSet;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use kadence_core::date::Day;
use kadence_core::dk::local_time;
use kadence_core::model::*;
use kadence_store::access::{AuditEntry, Role};
use sha2::{Digest, Sha256};

use crate::{AppState, Authed};

/// Bytes as lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

pub(crate) fn random_token() -> String {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    hex(&buf)
}

pub(crate) fn html(t: &impl Template) -> Response {
    match t.render() {
        Ok(s) => Html(keep_dates_whole(&s)).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Siden kunne ikke vises.").into_response(),
    }
}

/// Whether a date written dd-mm-åååå starts at byte `at` of `b`, standing on its own (not part of
/// a longer number, a CPR number or an id: no letter, digit or hyphen right before or after).
pub(crate) fn dk_date_at(b: &[u8], at: usize) -> bool {
    let free = |i: usize| !(b[i].is_ascii_alphanumeric() || b[i] == b'-');
    at + 10 <= b.len()
        && b[at..at + 10].iter().enumerate().all(|(k, c)| match k {
            2 | 5 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && (at == 0 || free(at - 1))
        && (at + 10 == b.len() || free(at + 10))
}

/// Every date written dd-mm-åååå in the page's text is kept on one line: browsers break a line
/// after a hyphen, so "18-11-" could end a line and "2026" start the next (issue 13.12). Dates in
/// text are wrapped in `<span class="nowrap">`; tags and their attributes, and elements whose
/// content is not markup (title, script, style, textarea, option) or not HTML (svg), are left
/// as they are. Hand-written rather than an HTML parser: the input is our own escaped templates,
/// so "<" in text is always a tag, and one linear pass costs less than a parse.
pub(crate) fn keep_dates_whole(page: &str) -> String {
    const RAW: [&str; 6] = ["title", "script", "style", "textarea", "option", "svg"];
    let b = page.as_bytes();
    let mut out = String::with_capacity(page.len() + page.len() / 64);
    let mut i = 0;
    let mut text_from = 0;
    // The raw element we are inside, if any: its closing tag ends it.
    let mut raw: Option<&str> = None;
    let is_date = |at: usize| dk_date_at(b, at);
    while i < b.len() {
        if b[i] == b'<' {
            let end = page[i..].find('>').map_or(b.len(), |e| i + e + 1);
            let tag = &page[i..end];
            let name: String = tag
                .trim_start_matches(['<', '/'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            match raw {
                Some(r) if tag.starts_with("</") && name == r => raw = None,
                None if !tag.starts_with("</")
                    && RAW.contains(&name.as_str())
                    && !tag.ends_with("/>") =>
                {
                    raw = RAW.iter().copied().find(|r| *r == name)
                }
                _ => {}
            }
            i = end;
            continue;
        }
        if raw.is_none() && is_date(i) {
            out.push_str(&page[text_from..i]);
            out.push_str("<span class=\"nowrap\">");
            out.push_str(&page[i..i + 10]);
            out.push_str("</span>");
            i += 10;
            text_from = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&page[text_from..]);
    out
}

#[cfg(test)]
mod date_tests {
    use super::keep_dates_whole;

    #[test]
    fn dates_in_text_are_kept_whole_and_nothing_else_changes() {
        for (page, want) in [
            ("<p>Frist 18-11-2026.</p>", "<p>Frist <span class=\"nowrap\">18-11-2026</span>.</p>"),
            // Attributes, titles, form values and SVG stay as they are.
            (r#"<input value="04-12-2026">"#, r#"<input value="04-12-2026">"#),
            ("<title>pr. 04-12-2026</title>", "<title>pr. 04-12-2026</title>"),
            ("<option>01-01-2026</option>", "<option>01-01-2026</option>"),
            ("<svg><text>01-01-2026</text></svg><p>02-01-2026</p>", "<svg><text>01-01-2026</text></svg><p><span class=\"nowrap\">02-01-2026</span></p>"),
            ("<textarea>01-01-2026</textarea>", "<textarea>01-01-2026</textarea>"),
            // Not dates: a CPR number's digits, a longer number, a course id, a month.
            ("<td>290583-1234</td>", "<td>290583-1234</td>"),
            ("<td>K01-SDP-0004547</td>", "<td>K01-SDP-0004547</td>"),
            ("<td>2026-12</td><td>118-11-2026</td>", "<td>2026-12</td><td>118-11-2026</td>"),
            // A range: each end whole, the en dash may break.
            ("<td>01-12-2026–31-12-2026</td>", "<td><span class=\"nowrap\">01-12-2026</span>–<span class=\"nowrap\">31-12-2026</span></td>"),
            ("Æøå 01-02-2024", "Æøå <span class=\"nowrap\">01-02-2024</span>"),
        ] {
            assert_eq!(keep_dates_whole(page), want, "{page}");
        }
    }
}

/// The frame around every logged-in page.
pub struct Layout {
    pub nav: Vec<NavItem>,
    pub user_name: String,
    /// The role beside the name, or empty when the name already says it ("Analytiker (demo)").
    pub role_label: &'static str,
    pub csrf: String,
    /// The as-of date as shown, `dd-mm-åååå`.
    pub as_of: String,
    /// Query parameters to keep when the as-of date changes.
    pub keep: Vec<(String, String)>,
    pub freshness: String,
    /// The latest import's record, for those who may open it (administrators).
    pub import_href: Option<String>,
    /// Said on every page when the as-of date is not today ("Du ser data pr. dd-mm-åååå").
    pub banner: Option<String>,
}

pub struct NavItem {
    /// The page, with the as-of date when it is not today, so the menu keeps it.
    pub href: String,
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
        ("/find", "Find borger", &[Role::Caseworker, Role::TeamLead]),
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
            "/tidlig-indsats",
            "Tidlig indsats",
            &[Role::Caseworker, Role::TeamLead],
        ),
        (
            "/fokusmaal",
            "Fokusmål",
            &[Role::Caseworker, Role::TeamLead, Role::Analyst, Role::Admin],
        ),
        ("/udvalg", "Udvalg", &[Role::Analyst, Role::TeamLead]),
        ("/dagsordenspunkt", "Dagsordenspunkt", &[Role::Analyst]),
        ("/admin/brugere", "Brugere", &[Role::Admin]),
        ("/admin/importer", "Importer", &[Role::Admin]),
        ("/admin/indstillinger", "Indstillinger", &[Role::Admin]),
        ("/admin/revision", "Revisionslog", &[Role::Admin]),
    ];
    let today = today(st);
    let snap = st.data.get();
    let settings = st.settings_on(&snap, as_of).label();
    let freshness = match &snap.latest {
        // Said in words; the import's files are on the import record, linked for those who may see it.
        Some(b) => format!(
            "Data pr. {} · {settings} · senest indlæst {} (indlæsning nr. {})",
            as_of.dk(),
            local_time(&b.finished_at),
            b.id,
        ),
        None => format!(
            "Data pr. {} · {settings} · der er ikke importeret data endnu",
            as_of.dk()
        ),
    };
    Layout {
        nav: items
            .iter()
            .filter(|(_, _, roles)| roles.contains(&role))
            .map(|(href, label, _)| NavItem {
                href: if as_of == today {
                    href.to_string()
                } else {
                    format!("{href}?dato={}", as_of.dk())
                },
                label,
                current: *href == current,
            })
            .collect(),
        user_name: a.session.user.display_name.clone(),
        role_label: role_beside(&a.session.user.display_name, role),
        csrf: a.session.csrf_token.clone(),
        as_of: as_of.dk().to_string(),
        keep,
        freshness,
        import_href: snap
            .latest
            .as_ref()
            .filter(|_| role == Role::Admin)
            .map(|b| format!("/admin/importer#indlaesning-{}", b.id)),
        banner: match as_of.cmp(&today) {
            std::cmp::Ordering::Less => Some(format!(
                "Du ser data pr. {}, ikke pr. i dag ({}).",
                as_of.dk(),
                today.dk()
            )),
            std::cmp::Ordering::Greater => Some(format!(
                "Du ser fristerne pr. {}, en dato i fremtiden: det, der registreres inden da, er ikke med.",
                as_of.dk()
            )),
            std::cmp::Ordering::Equal => None,
        },
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

/// The cookie remembering the one future as-of date the user confirmed.
pub(crate) const FUTURE_COOKIE: &str = "kadence_fremtid";

#[derive(Template)]
#[template(path = "confirm_future.html")]
struct ConfirmFuture {
    layout: Option<Layout>,
    day: String,
    today: String,
    go: String,
    back: String,
}

/// The page that asks before showing a future as-of date: continue (the same address with
/// `fremtid=ja`) or go back to today (the address without the date).
pub(crate) fn confirm_future(uri: &axum::http::Uri, day: Day, today: Day) -> Response {
    let path = uri.path();
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let with = |extra: Option<(&str, &str)>, drop_date: bool| {
        let mut q: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "fremtid" && !(drop_date && k == "dato"))
            .cloned()
            .collect();
        if let Some((k, v)) = extra {
            q.push((k.into(), v.into()));
        }
        let q = serde_urlencoded::to_string(&q).unwrap_or_default();
        if q.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{q}")
        }
    };
    let page = ConfirmFuture {
        layout: None,
        day: day.dk().to_string(),
        today: today.dk().to_string(),
        go: with(Some(("fremtid", "ja")), false),
        back: with(None, true),
    };
    html(&page)
}

/// Whether a citizen's name matches a search (already lower-cased): as written ("anders bæk") or as
/// the lists show it ("bæk, anders"; a comma with or without spaces after it), in part or whole.
pub(crate) fn name_matches(name: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let name = name.to_lowercase();
    if name.contains(needle) {
        return true;
    }
    let listed = surname_first(&name);
    let norm = |s: &str| s.split(',').map(str::trim).collect::<Vec<_>>().join(", ");
    norm(&listed).contains(&norm(needle))
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
pub(crate) struct ErrorPage {
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

/// An error page for a logged-in user: with the menu, the user's name and "Log ud", so a refusal
/// is not a dead end.
pub(crate) fn render_error_for(
    st: &AppState,
    a: &Authed,
    status: StatusCode,
    heading: &str,
    text: &str,
) -> Response {
    let page = ErrorPage {
        layout: Some(layout(st, a, "", today(st), Vec::new())),
        heading: heading.into(),
        text: text.into(),
    };
    (status, html(&page)).into_response()
}

/// The stylesheet: the app's own and the agenda item's blocks (kept with the blocks in
/// kadence-reports, so the file the CLI writes looks the same).
static CSS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{}\n{}",
        include_str!("../static/app.css"),
        kadence_reports::html::BLOCK_STYLE
    )
});

pub async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        CSS.as_str(),
    )
        .into_response()
}

/// A team lead's courses: the team's, and the courses no caseworker has (ikke fordelt), which belong
/// to no team until a team lead moves them to someone.
pub(crate) fn in_team_scope(pop: &Population, c: &Course, team: Option<TeamId>) -> bool {
    team.is_some() && (pop.team_of(c) == team || c.caseworker.is_none())
}

/// One audit entry per citizen and course among these courses, in order: what every page and
/// export that shows citizens logs. A citizen shown with two courses (a sickness course and the
/// job clarification that continues it) is logged with both, so an access request's extract names
/// every course that was seen (issue 14.8: only the first was named).
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
            seen.insert(id).then(|| AuditEntry {
                username: a.session.user.username.clone(),
                cpr: Some(citizen.cpr),
                course_key: Some(c.key.to_string()),
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
        .map(|i| CaseworkerId::new(i as u32))
}

/// The team a team lead leads, in the imported data (by the case system's key).
pub(crate) fn user_team(pop: &Population, a: &Authed) -> Option<TeamId> {
    let key = a.session.user.team_key.as_deref()?;
    pop.teams
        .iter()
        .position(|t| t.key == key)
        .map(|i| TeamId::new(i as u32))
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

/// Whose courses a caseworker's or team lead's list holds, and the purpose logged for it: a team
/// lead's team ("Teamledelse"), or a caseworker's own caseload.
pub(crate) struct Scope {
    pub who: Who,
    pub purpose: &'static str,
    pub show_caseworker: bool,
}

/// A team lead's team, or a caseworker's own caseload (`None`: the user's key matches nobody in the
/// data, so nothing is shown).
pub(crate) enum Who {
    Team(Option<TeamId>),
    Caseworker(Option<CaseworkerId>),
}

impl Scope {
    pub(crate) fn keeps(&self, pop: &Population, c: &Course) -> bool {
        match self.who {
            Who::Team(t) => in_team_scope(pop, c, t),
            Who::Caseworker(w) => w.is_some() && c.caseworker == w,
        }
    }
}

pub(crate) fn scope(pop: &Population, a: &Authed) -> Scope {
    match a.session.user.role {
        Role::TeamLead => Scope {
            who: Who::Team(user_team(pop, a)),
            purpose: "Teamledelse",
            show_caseworker: true,
        },
        _ => Scope {
            who: Who::Caseworker(user_caseworker(pop, a)),
            purpose: "Opfølgning i egen sagsstamme",
            show_caseworker: false,
        },
    }
}

/// Why a user opens a citizen outside their own caseload or team (formål): asked on the course page
/// and by the search, and logged with the look-up.
pub(crate) const PURPOSES: &[(&str, &str)] = &[
    ("vikar", "Jeg vikarierer for borgerens sagsbehandler"),
    ("overdragelse", "Sagen skal overdrages til mig"),
    ("henvendelse", "Borgeren har henvendt sig til mig"),
    ("kvalitet", "Kvalitetssikring eller tilsyn"),
];

/// The purpose's label with the user's own words after it, at most 200 characters of them.
pub(crate) fn with_reason(label: &str, reason: Option<&str>) -> String {
    match reason
        .map(|b| b.trim().chars().take(200).collect::<String>())
        .filter(|b| !b.is_empty())
    {
        Some(extra) => format!("{label}: {extra}"),
        None => label.to_string(),
    }
}

#[cfg(test)]
mod name_search {
    use super::name_matches;

    #[test]
    fn a_name_is_found_as_written_and_as_the_list_shows_it() {
        for (needle, hit) in [
            ("anders bæk", true),
            ("bæk", true),
            ("bæk, anders", true),
            ("bæk,anders", true),
            ("bæk ,  and", true),
            ("bæk, peter", false),
            ("anders, bæk", false),
            ("", true),
        ] {
            assert_eq!(name_matches("Anders Bæk", needle), hit, "{needle:?}");
        }
        assert!(name_matches("Anne Marie Holm", "holm, anne marie"));
    }
}

/// The role as the header writes it beside the user's name; empty when the name already holds the
/// role's word, so a name like "Analytiker (demo)" is not followed by "(analytiker)" again.
pub(crate) fn role_beside(name: &str, role: Role) -> &'static str {
    if name.to_lowercase().contains(role.code()) {
        ""
    } else {
        role.code()
    }
}

#[cfg(test)]
mod role_tests {
    use super::*;

    #[test]
    fn the_role_is_not_said_twice() {
        assert_eq!(
            role_beside("Mette Hansen", Role::Caseworker),
            "sagsbehandler"
        );
        assert_eq!(role_beside("Analytiker (demo)", Role::Analyst), "");
        assert_eq!(role_beside("Teamleder Nord", Role::TeamLead), "");
        assert_eq!(role_beside("Per Lund", Role::Admin), "administrator");
    }
}
