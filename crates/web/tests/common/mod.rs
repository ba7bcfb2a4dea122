//! The test harness shared by the web tests: the real app on port 0 with a fresh database, a
//! generated municipality imported, and one user per role.
// Each test binary uses its own part of the harness.
#![allow(dead_code, unused_imports)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use jiff::Timestamp;
use kadence_core::date::Day;
use kadence_core::model::Population;
use kadence_store::access::{NewUser, Role};
use kadence_store::{FileMeta, SnapshotCell, Store};
pub use kadence_web::{Access, AppState, Config, ROUTES};
use reqwest::redirect::Policy as Redirects;
pub use reqwest::StatusCode;

pub const PASSWORD: &str = "en lang og god adgangskode";

pub struct App {
    pub base: String,
    pub store: Store,
    pub pop: Arc<Population>,
    pub clock: Arc<AtomicI64>,
    /// A course in the caseworker "mette"'s own caseload, and one outside it.
    pub own_course: String,
    pub other_course: String,
    /// The case system's key of "mette"'s caseworker record.
    pub own_caseworker: String,
}

pub async fn spawn(tag: &str) -> App {
    spawn_with(tag, |_| {}).await
}

/// Like `spawn`, with the generated municipality changed before it is exported and imported.
pub async fn spawn_with(
    tag: &str,
    change: impl FnOnce(&mut kadence_core::model::PopulationBuilder),
) -> App {
    spawn_full(
        tag,
        change,
        Config {
            login_attempts_per_minute: 1000,
            login_attempts_per_account_per_minute: 1000,
            ..Config::default()
        },
    )
    .await
}

/// Like `spawn_with`, with the web app's configuration given.
pub async fn spawn_full(
    tag: &str,
    change: impl FnOnce(&mut kadence_core::model::PopulationBuilder),
    config: Config,
) -> App {
    let path = kadence_synth::scratch("web").join(format!("{tag}.sqlite"));
    for s in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    let store = Store::open_sqlite(&path).await.unwrap();
    let as_of = Day::ymd(2025, 6, 30);
    let pop = kadence_synth::generate(
        &kadence_synth::Params::municipality(4, as_of).with_courses_per_year(1000),
    );
    let mut b = pop.into_builder();
    change(&mut b);
    let (pop, _) = b.build();
    let files = kadence_import::to_files(&pop);
    let loaded = kadence_import::read_files(&files).unwrap();
    let meta: Vec<FileMeta> = files
        .iter()
        .zip(&loaded.files)
        .map(|((n, b), r)| FileMeta::new(n, b, r.rows, r.encoding.label()))
        .collect();
    store
        .import(&loaded, &meta, "test", |_, _| {})
        .await
        .unwrap();
    let snap = store.load().await.unwrap();
    let pop = snap.population.clone();
    // The caseworker with the most active courses, and their team.
    let active = |c: &kadence_core::model::Course| c.active_on(as_of);
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for c in pop.courses.iter().filter(|c| active(c)) {
        if let Some(cw) = c.caseworker {
            *counts.entry(cw.get()).or_default() += 1;
        }
    }
    let (&cw, _) = counts
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
        .unwrap();
    let cw = &pop.caseworkers[cw as usize];
    let team = &pop.teams[cw.team.index()];
    let own_course = pop
        .courses
        .iter()
        .find(|c| {
            active(c) && c.caseworker.map(|x| &pop.caseworkers[x.index()].key) == Some(&cw.key)
        })
        .unwrap()
        .key
        .clone();
    let other_course = pop
        .courses
        .iter()
        .find(|c| {
            active(c)
                && c.caseworker
                    .is_some_and(|x| pop.caseworkers[x.index()].team != cw.team)
        })
        .unwrap()
        .key
        .clone();
    let t0: Timestamp = "2025-06-30T08:00:00Z".parse().unwrap();
    for (user, role, cwk, teamk) in [
        ("mette", Role::Caseworker, Some(cw.key.clone()), None),
        ("lars", Role::TeamLead, None, Some(team.key.clone())),
        ("anna", Role::Analyst, None, None),
        ("admin", Role::Admin, None, None),
    ] {
        store
            .add_user(
                &NewUser {
                    username: user.into(),
                    display_name: format!("{user} Testesen"),
                    role,
                    caseworker_key: cwk,
                    team_key: teamk,
                },
                PASSWORD,
                t0,
            )
            .await
            .unwrap();
    }
    let clock = Arc::new(AtomicI64::new(t0.as_second()));
    let c2 = Arc::clone(&clock);
    let state = AppState::new(
        store.clone(),
        Arc::new(SnapshotCell::new(snap)),
        Arc::new(move || Timestamp::from_second(c2.load(Ordering::SeqCst)).unwrap()),
        config,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(kadence_web::serve(listener, Arc::new(state)));
    let own_caseworker = cw.key.clone();
    App {
        base: format!("http://{addr}"),
        store,
        pop: Arc::new(pop),
        clock,
        own_course: own_course.to_string(),
        other_course: other_course.to_string(),
        own_caseworker,
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Redirects::none())
        .build()
        .unwrap()
}

/// One login attempt from a fresh browser at `login_url`: the form fetched for its token, then
/// posted (with `X-Forwarded-For: forwarded` when given). The answer's status and body.
pub async fn try_login(
    login_url: String,
    user: &str,
    password: &str,
    forwarded: Option<&str>,
) -> (reqwest::StatusCode, String) {
    let c = client();
    let page = c
        .get(&login_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut req = c.post(&login_url).form(&[
        ("username", user),
        ("password", password),
        ("csrf", &csrf_in(&page)),
    ]);
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.text().await.unwrap())
}

pub fn csrf_in(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    let end = i + html[i..].find('"').expect("the field's end");
    html[i..end].to_string()
}

impl App {
    pub async fn login(&self, user: &str) -> (reqwest::Client, String) {
        let c = client();
        let page = c
            .get(format!("{}/login", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let res = c
            .post(format!("{}/login", self.base))
            .form(&[
                ("username", user),
                ("password", PASSWORD),
                ("csrf", &csrf_in(&page)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login as {user}");
        let home = c.get(format!("{}/", self.base)).send().await.unwrap();
        let target = home.headers()["location"].to_str().unwrap().to_string();
        let page = c
            .get(format!("{}{target}", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (c, csrf_in(&page))
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.base,
            path.replace("{key}", &self.own_course)
                .replace("{file}", "sygedagpenge.svg")
        )
    }

    pub async fn audit_count(&self) -> usize {
        self.store.audit_entries(None).await.unwrap().len()
    }
}

/// The fields of the form posting to `action`, as a browser would send them: text and number inputs
/// with their values, checked radios, and textareas.
pub fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("action=\"{action}\""))
        .expect("the form");
    let end = start + html[start..].find("</form>").unwrap();
    let form = &html[start..end];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let k = format!("{name}=\"");
        let i = tag.find(&k)? + k.len();
        let j = i + tag[i..].find('"')?;
        Some(
            tag[i..j]
                .replace("&amp;", "&")
                .replace("&#x27;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&#39;", "'")
                .replace("&#34;", "\""),
        )
    };
    let mut out = Vec::new();
    for part in form.split("<input").skip(1) {
        let tag = &part[..part.find('>').unwrap_or(part.len())];
        let (Some(name), kind) = (attr(tag, "name"), attr(tag, "type").unwrap_or_default()) else {
            continue;
        };
        match kind.as_str() {
            "radio" | "checkbox" if !tag.contains(" checked") => {}
            _ => out.push((name, attr(tag, "value").unwrap_or_default())),
        }
    }
    out
}

/// A list's Excel file read back by calamine: the first sheet's name, its title row, the as-of and
/// filter row under it, the header row and the data rows (see kadence-reports' `titled_sheet`).
pub struct ListSheet {
    pub name: String,
    pub title: String,
    pub context: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<calamine::Data>>,
}

impl ListSheet {
    pub fn read(bytes: &[u8]) -> ListSheet {
        use calamine::Reader;
        let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
            .expect("an xlsx workbook");
        let name = book.sheet_names()[0].clone();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(range.start(), Some((0, 0)), "the title is in A1");
        let mut rows = range.rows();
        let title = rows.next().unwrap()[0].to_string();
        let context = rows.next().unwrap()[0].to_string();
        let header = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        let rows = rows.map(|r| r.to_vec()).collect();
        ListSheet {
            name,
            title,
            context,
            header,
            rows,
        }
    }

    /// The column headed `name`.
    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }
}

/// The page with the spans that keep dates on one line taken out (`<span class="nowrap">18-11-2026</span>`
/// back to `18-11-2026`), for assertions on the markup around a date.
pub fn undated(html: &str) -> String {
    const OPEN: &str = "<span class=\"nowrap\">";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(OPEN) {
        let after = &rest[i + OPEN.len()..];
        let is_date = after.len() >= 17
            && after.as_bytes()[..10].iter().enumerate().all(|(k, c)| {
                if k == 2 || k == 5 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            })
            && after[10..].starts_with("</span>");
        if is_date {
            out.push_str(&rest[..i]);
            out.push_str(&after[..10]);
            rest = &after[17..];
        } else {
            out.push_str(&rest[..i + OPEN.len()]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}
