//! "Indstillinger": the administrator's page for the municipality's settings (docs/settings.md).
//!
//! Every setting with its alternatives and what each changes; the rule sets still provisional and the
//! facts they rest on, with the confirmation; the local targets and the own measure definitions as
//! rows; the first day a change is in force and the reason (both required); the history. A change is a
//! new version (never an edit of an old one), audited, and in force for this server at once and for
//! others within their reload interval. The settings file can be downloaded and pasted back in. Bad
//! input is refused with every error named by its setting, and nothing is saved.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use kadence_core::date::Day;
use kadence_core::dk::local_time;
use kadence_core::municipal::MunicipalSettings;
use kadence_core::rules::Confirmation;
use kadence_settings::registry::{self, Kind};
use serde::Deserialize;

use crate::frame::*;
use crate::{AppState, Authed};

/// One alternative of a choice, as the form shows it.
pub struct ChoiceView {
    word: &'static str,
    label: &'static str,
    effect: &'static str,
    selected: bool,
}

/// One form field: a setting, or a field of a list row.
pub struct FieldView {
    /// The form name: the setting's key (`regler.start_2027`, `lokale_maal[2].maaneder`).
    name: String,
    /// An HTML id made from the key.
    id: String,
    label: &'static str,
    help: &'static str,
    choices: Vec<ChoiceView>,
    /// `number`, `text` (dates are text: dd-mm-åååå).
    input: &'static str,
    min: i64,
    max: i64,
    value: String,
    error: Option<String>,
    /// The ids of the help text and the error, for `aria-describedby`.
    describedby: String,
}

pub struct RowView {
    /// "lokale_maal[2]".
    prefix: String,
    number: usize,
    /// The row for adding a new entry (empty, no delete box).
    new: bool,
    fields: Vec<FieldView>,
}

pub struct ConfirmView {
    set: &'static str,
    from: String,
    provisional: bool,
    open_points: Vec<&'static str>,
    law: FieldView,
    date: FieldView,
}

pub struct VersionView {
    version: u32,
    from: String,
    saved: String,
    by: String,
    reason: String,
    changes: Vec<String>,
    in_force: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Option<Layout>,
    csrf: String,
    in_force: String,
    pending: Vec<String>,
    notice: Option<String>,
    /// The error summary: (field id, message).
    errors: Vec<(String, String)>,
    follow_up: Vec<FieldView>,
    case_system: Vec<FieldView>,
    rules: Vec<FieldView>,
    confirmations: Vec<ConfirmView>,
    targets: Vec<RowView>,
    definitions: Vec<RowView>,
    from: FieldView,
    reason: FieldView,
    file_text: String,
    file_error: Vec<String>,
    history: Vec<VersionView>,
}

fn id_of(key: &str) -> String {
    let mut s: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.insert_str(0, "f-");
    s
}

/// A date setting shown the Danish way.
fn shown(kind: &Kind, v: String) -> String {
    match kind {
        Kind::Date => Day::parse_iso(&v).map_or(v, |d| d.dk().to_string()),
        _ => v,
    }
}

fn field(
    name: String,
    label: &'static str,
    help: &'static str,
    kind: &Kind,
    value: String,
    submitted: &HashMap<String, String>,
    errors: &HashMap<String, String>,
) -> FieldView {
    let value = submitted.get(&name).cloned().unwrap_or(value);
    let (choices, input, min, max) = match kind {
        Kind::Choice(cs) => (
            cs.iter()
                .map(|c| ChoiceView {
                    word: c.word,
                    label: c.label,
                    effect: c.effect,
                    selected: c.word == value,
                })
                .collect(),
            "",
            0,
            0,
        ),
        Kind::Int { min, max } => (Vec::new(), "number", *min, *max),
        Kind::Date | Kind::Text => (Vec::new(), "text", 0, 0),
    };
    let id = id_of(&name);
    let error = errors.get(&name).cloned();
    let describedby = [
        (!help.is_empty()).then(|| format!("{id}-hjaelp")),
        error.as_ref().map(|_| format!("{id}-fejl")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    FieldView {
        id,
        error,
        describedby,
        name,
        label,
        help,
        choices,
        input,
        min,
        max,
        value,
    }
}

fn rows<T>(
    list: &[T],
    prefix: &str,
    fields: &[registry::Field<T>],
    fresh: T,
    submitted: &HashMap<String, String>,
    errors: &HashMap<String, String>,
) -> Vec<RowView> {
    let mut out = Vec::new();
    let all = list.iter().map(Some).chain(std::iter::once(None));
    for (i, item) in all.enumerate() {
        let n = i + 1;
        let p = format!("{prefix}[{n}]");
        let item = item.unwrap_or(&fresh);
        let new = n == list.len() + 1;
        out.push(RowView {
            number: n,
            new,
            fields: fields
                .iter()
                .map(|f| {
                    let v = if new && f.field == "navn" {
                        String::new()
                    } else {
                        shown(&f.kind, (f.get)(item))
                    };
                    field(
                        format!("{p}.{}", f.field),
                        f.label,
                        "",
                        &f.kind,
                        v,
                        submitted,
                        errors,
                    )
                })
                .collect(),
            prefix: p,
        });
    }
    out
}

/// The settings' history, or the Danish error page saying what could not be done.
async fn history(
    st: &AppState,
    heading: &str,
) -> Result<kadence_core::municipal::SettingsHistory, Response> {
    st.store.settings_history().await.map_err(|_| {
        render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            heading,
            "Databasen svarede ikke. Prøv igen.",
        )
    })
}

#[allow(clippy::too_many_arguments)]
async fn view(
    st: &AppState,
    a: &Authed,
    shown_settings: &MunicipalSettings,
    submitted: HashMap<String, String>,
    errors: HashMap<String, String>,
    notice: Option<String>,
    file_text: String,
    file_error: Vec<String>,
) -> Response {
    let today = today(st);
    let history = match history(st, "Indstillingerne kan ikke vises").await {
        Ok(h) => h,
        Err(page) => return page,
    };
    let in_force = history.in_force_on(today);
    let s = shown_settings;
    let scalar = |section: &str| -> Vec<FieldView> {
        registry::specs()
            .iter()
            .filter(|x| x.key.split('.').next() == Some(section))
            .map(|x| {
                field(
                    x.key.to_string(),
                    x.label,
                    x.help,
                    &x.kind,
                    shown(&x.kind, (x.get)(s)),
                    &submitted,
                    &errors,
                )
            })
            .collect()
    };
    let book = s.book();
    let confirmations = registry::CONFIRMABLE
        .iter()
        .filter_map(|set| {
            let rs = book.named(set)?;
            let c = registry::confirmation(&s.rules, set).and_then(|c| c.clone());
            let key = format!("bekraeftelse.{set}");
            Some(ConfirmView {
                set,
                from: rs.in_force_from.dk().to_string(),
                provisional: rs.provisional,
                open_points: rs.open_points.iter().map(|p| p.text()).collect(),
                law: field(
                    format!("{key}.lov"),
                    "Lovens betegnelse",
                    "fx «lov nr. 1750 af 29. december 2025»; tomt: ikke bekræftet",
                    &Kind::Text,
                    c.as_ref().map(|c| c.law.clone()).unwrap_or_default(),
                    &submitted,
                    &errors,
                ),
                date: field(
                    format!("{key}.dato"),
                    "Lovens dato",
                    "dd-mm-åååå",
                    &Kind::Date,
                    c.map(|c| c.date.dk().to_string()).unwrap_or_default(),
                    &submitted,
                    &errors,
                ),
            })
        })
        .collect();
    let versions = history.versions();
    let mut hist: Vec<VersionView> = versions
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, v)| VersionView {
            version: v.version,
            from: v.effective_from.dk().to_string(),
            saved: local_time(&v.changed_at),
            by: v.changed_by.clone(),
            reason: v.reason.clone(),
            changes: kadence_settings::changes(&versions[i - 1].settings, &v.settings),
            in_force: v.version == in_force.version,
        })
        .collect();
    hist.reverse();
    let summary: Vec<(String, String)> = errors
        .iter()
        .map(|(k, m)| (id_of(k), format!("«{k}»: {m}")))
        .collect();
    let page = SettingsPage {
        layout: Some(layout(st, a, "/admin/indstillinger", today, Vec::new())),
        csrf: a.session.csrf_token.clone(),
        in_force: in_force.label(),
        pending: versions
            .iter()
            .filter(|v| v.version > in_force.version && v.effective_from > today)
            .map(|v| v.label())
            .collect(),
        notice,
        errors: {
            let mut e = summary;
            e.sort();
            e
        },
        follow_up: scalar("opfoelgning"),
        case_system: scalar("fagsystem"),
        rules: scalar("regler"),
        confirmations,
        targets: rows(
            &s.duties.local_targets,
            "lokale_maal",
            registry::local_target_fields(),
            registry::new_local_target(),
            &submitted,
            &errors,
        ),
        definitions: rows(
            &s.definitions,
            "definitioner",
            registry::definition_fields(),
            registry::new_definition(),
            &submitted,
            &errors,
        ),
        from: field(
            "gaelder_fra".into(),
            "Gælder fra",
            "dd-mm-åååå; tidligst i dag, så en tidligere måned altid gengives med de indstillinger, der gjaldt dengang",
            &Kind::Date,
            today.dk().to_string(),
            &submitted,
            &errors,
        ),
        reason: field(
            "begrundelse".into(),
            "Begrundelse",
            "Skrives i historikken og revisionsloggen",
            &Kind::Text,
            String::new(),
            &submitted,
            &errors,
        ),
        file_text,
        file_error,
        history: hist,
    };
    html(&page)
}

#[derive(Deserialize, Default)]
pub struct SettingsQuery {
    gemt: Option<u32>,
}

pub async fn settings_page(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<SettingsQuery>,
) -> Response {
    let history = match history(&st, "Indstillingerne kan ikke vises").await {
        Ok(h) => h,
        Err(page) => return page,
    };
    let latest = history.latest().settings.clone();
    let notice = q.gemt.map(|v| {
        format!("Indstillinger v{v} er gemt. Siderne bruger dem fra den dag, de gælder fra.")
    });
    view(
        &st,
        &a,
        &latest,
        HashMap::new(),
        HashMap::new(),
        notice,
        String::new(),
        Vec::new(),
    )
    .await
}

/// The settings from the form on top of `base`, and every error by its key.
fn from_form(
    base: &MunicipalSettings,
    form: &HashMap<String, String>,
) -> (MunicipalSettings, HashMap<String, String>) {
    let mut s = base.clone();
    let mut errors = HashMap::new();
    for spec in registry::specs() {
        if let Some(v) = form.get(spec.key) {
            if let Err(m) = (spec.set)(&mut s, v) {
                errors.insert(spec.key.to_string(), m);
            }
        }
    }
    for set in registry::CONFIRMABLE {
        let key = format!("bekraeftelse.{set}");
        let law = form
            .get(&format!("{key}.lov"))
            .map(|x| x.trim())
            .unwrap_or("");
        let date = form
            .get(&format!("{key}.dato"))
            .map(|x| x.trim())
            .unwrap_or("");
        let Some(slot) = registry::confirmation_mut(&mut s.rules, set) else {
            continue;
        };
        if law.is_empty() && date.is_empty() {
            *slot = None;
            continue;
        }
        match registry::date(date) {
            Ok(d) if !law.is_empty() => {
                *slot = Some(Confirmation {
                    law: law.to_string(),
                    date: d,
                })
            }
            Ok(_) => {
                errors.insert(
                    format!("{key}.lov"),
                    "Bekræftelsen skal nævne loven, fx «lov nr. 1750 af 29. december 2025»".into(),
                );
            }
            Err(m) => {
                errors.insert(format!("{key}.dato"), m);
            }
        }
    }
    s.duties.local_targets = list(
        form,
        "lokale_maal",
        registry::local_target_fields(),
        registry::new_local_target,
        &mut errors,
    );
    s.definitions = list(
        form,
        "definitioner",
        registry::definition_fields(),
        registry::new_definition,
        &mut errors,
    );
    if errors.is_empty() {
        for i in s.validate() {
            errors.entry(i.key).or_insert(i.message);
        }
    }
    (s, errors)
}

/// The rows of a list from the form: every numbered row present, in order; a row ticked "slet" is
/// left out, and so is the empty row for adding one.
fn list<T>(
    form: &HashMap<String, String>,
    prefix: &str,
    fields: &[registry::Field<T>],
    new: fn() -> T,
    errors: &mut HashMap<String, String>,
) -> Vec<T> {
    let mut out = Vec::new();
    for n in 1.. {
        let p = format!("{prefix}[{n}]");
        let name = form.get(&format!("{p}.navn"));
        let Some(name) = name else { break };
        if form.get(&format!("{p}.slet")).is_some_and(|v| v == "ja") {
            continue;
        }
        let is_new = form.get(&format!("{p}.ny")).is_some_and(|v| v == "ja");
        if is_new && name.trim().is_empty() {
            continue;
        }
        let mut item = new();
        for f in fields {
            let key = format!("{p}.{}", f.field);
            if let Some(v) = form.get(&key) {
                if let Err(m) = (f.set)(&mut item, v) {
                    errors.insert(key, m);
                }
            }
        }
        out.push(item);
    }
    out
}

pub async fn settings_post(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let form: HashMap<String, String> = form.into_iter().filter(|(k, _)| k != "csrf").collect();
    let history = match history(&st, "Indstillingerne kan ikke gemmes").await {
        Ok(h) => h,
        Err(page) => return page,
    };
    let base = history.latest().settings.clone();
    let (new, mut errors) = from_form(&base, &form);
    let from = form.get("gaelder_fra").map(|s| s.trim()).unwrap_or("");
    let from = match registry::date(from) {
        Ok(d) => Some(d),
        Err(m) => {
            errors.insert("gaelder_fra".into(), m);
            None
        }
    };
    let reason = form.get("begrundelse").cloned().unwrap_or_default();
    if reason.trim().is_empty() {
        errors.insert(
            "begrundelse".into(),
            "En ændring af indstillingerne skal have en begrundelse".into(),
        );
    }
    if let Some(d) = from.filter(|d| *d < today(&st)) {
        errors.insert(
            "gaelder_fra".into(),
            format!(
                "{} ligger før i dag; en ændring kan tidligst gælde fra i dag",
                d.dk()
            ),
        );
    }
    match from {
        Some(from) if errors.is_empty() => save(&st, &a, &new, from, &reason).await,
        _ => {
            // As every form of the app: the page again, with the errors (200).
            view(&st, &a, &new, form, errors, None, String::new(), Vec::new()).await
        }
    }
}

async fn save(
    st: &AppState,
    a: &Authed,
    new: &MunicipalSettings,
    from: Day,
    reason: &str,
) -> Response {
    let saved = st
        .store
        .save_settings(
            new,
            from,
            today(st),
            &a.session.user.username,
            reason,
            st.now(),
        )
        .await;
    let version = match saved {
        Ok(v) => v,
        Err(e) => {
            return render_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Indstillingerne er ikke gemt",
                &e.to_string(),
            )
        }
    };
    // This server uses them at once; others notice the change counter within their interval.
    if let Ok(s) = st.store.load().await {
        st.data.replace(s);
    }
    Redirect::to(&format!("/admin/indstillinger?gemt={version}")).into_response()
}

#[derive(Deserialize, Default)]
pub struct FileForm {
    #[serde(default)]
    fil: String,
    #[serde(default)]
    gaelder_fra: String,
    #[serde(default)]
    begrundelse: String,
}

/// The settings file pasted in: read on top of the latest settings, saved as a new version.
pub async fn settings_file_post(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Form(f): Form<FileForm>,
) -> Response {
    let history = match history(&st, "Indstillingerne kan ikke gemmes").await {
        Ok(h) => h,
        Err(page) => return page,
    };
    let base = history.latest().settings.clone();
    let mut problems = Vec::new();
    let parsed = kadence_settings::from_toml(&f.fil, &base);
    if let Err(e) = &parsed {
        problems.extend(e.0.iter().map(|x| x.to_string()));
    }
    let from = registry::date(&f.gaelder_fra);
    if let Err(m) = &from {
        problems.push(format!("Gælder fra: {m}"));
    }
    if f.begrundelse.trim().is_empty() {
        problems.push("Begrundelse: en ændring af indstillingerne skal have en begrundelse".into());
    }
    match (parsed, from) {
        (Ok(new), Ok(from)) if problems.is_empty() => {
            save(&st, &a, &new, from, &f.begrundelse).await
        }
        _ => {
            // As every form of the app: the page again, with the errors (200).
            view(
                &st,
                &a,
                &base,
                HashMap::new(),
                HashMap::new(),
                None,
                f.fil,
                problems,
            )
            .await
        }
    }
}

/// The settings in force today as the file (`indstillinger.toml`).
pub async fn settings_download(State(st): State<Arc<AppState>>) -> Response {
    let history = match history(&st, "Indstillingerne kan ikke hentes").await {
        Ok(h) => h,
        Err(page) => return page,
    };
    let v = history.in_force_on(today(&st));
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"indstillinger.toml\"".to_string(),
            ),
        ],
        kadence_settings::to_toml(&v.settings),
    )
        .into_response()
}
