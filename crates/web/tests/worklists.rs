//! The worklists a caseworker and a team lead run their day from (issue 13): finding a citizen who
//! calls, the team lead's tools, what was missed.

mod common;

use common::*;
use kadence_core::cpr::Cpr;
use kadence_store::access::AuditRecord;

impl App {
    fn citizen_of(&self, course: &str) -> &kadence_core::model::Citizen {
        let c = self.pop.courses.iter().find(|c| c.key == course).unwrap();
        &self.pop.citizens[c.citizen.index()]
    }

    async fn last_audit(&self) -> AuditRecord {
        self.store.audit_entries(None).await.unwrap().pop().unwrap()
    }
}

async fn find(
    c: &reqwest::Client,
    app: &App,
    csrf: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut form = vec![("csrf", csrf), ("dato", "30-06-2025")];
    form.extend_from_slice(fields);
    let res = c.post(app.url("/find")).form(&form).send().await.unwrap();
    (res.status(), res.text().await.map(|t| undated(&t)).unwrap())
}

/// A citizen is found by CPR number (with or without the dash) in the caseworker's own caseload
/// without a purpose, and outside it only with one; every CPR search writes exactly one audit entry,
/// naming the citizen found or the number searched; the number is never echoed or put in a URL.
#[tokio::test]
async fn a_citizen_is_found_by_cpr_number_with_one_audit_entry_and_never_in_a_url() {
    let app = spawn("find-cpr").await;
    let (c, csrf) = app.login("mette").await;
    let own = app.citizen_of(&app.own_course).clone();
    let other = app.citizen_of(&app.other_course).clone();
    let page = c
        .get(app.url("/find"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| undated(&t))
        .unwrap();
    assert!(page.contains("CPR-nummer eller forløbs-id"));
    let digits = |cpr: &Cpr| cpr.reveal().replace('-', "");

    // Own citizen, both spellings: found, one entry each.
    for text in [own.cpr.reveal(), digits(&own.cpr)] {
        let before = app.audit_count().await;
        let (status, page) = find(&c, &app, &csrf, &[("soeg", &text), ("formaal", "egen")]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(&app.own_course),
            "{text}: the course is listed"
        );
        assert!(page.contains(&own.cpr.masked()));
        assert!(
            !page.contains(&own.cpr.reveal()) && !page.contains(&digits(&own.cpr)),
            "the number is not echoed"
        );
        assert!(
            !page.contains(&format!(
                "href=\"/forloeb/{}?dato=30-06-2025&",
                app.own_course
            )),
            "links carry no search"
        );
        assert_eq!(app.audit_count().await, before + 1, "exactly one entry");
        let e = app.last_audit().await.entry;
        assert_eq!(e.cpr, Some(own.cpr));
        assert_eq!(e.username, "mette");
        assert!(
            e.action.starts_with("fundet ved søgning på CPR-nummer"),
            "{}",
            e.action
        );
        assert!(e.action.contains(&app.own_course));
        assert_eq!(e.purpose, "Opfølgning i egen sagsstamme");
    }

    // Another caseworker's citizen: not told without a purpose, one entry naming the search.
    let before = app.audit_count().await;
    let (_, page) = find(
        &c,
        &app,
        &csrf,
        &[("soeg", &other.cpr.reveal()), ("formaal", "egen")],
    )
    .await;
    assert!(page.contains("Intet forløb fundet med dette CPR-nummer i din sagsstamme"));
    assert!(!page.contains(&app.other_course) && !page.contains(&other.cpr.masked()));
    assert_eq!(app.audit_count().await, before + 1);
    let e = app.last_audit().await.entry;
    assert_eq!((e.cpr, e.course_key), (Some(other.cpr), None));
    assert_eq!(e.action, "søgt på CPR-nummer, intet forløb fundet");

    // With a purpose: found, logged with it, and the course opens without asking again.
    let (_, page) = find(
        &c,
        &app,
        &csrf,
        &[
            ("soeg", &other.cpr.reveal()),
            ("formaal", "henvendelse"),
            ("begrundelse", "ringede"),
        ],
    )
    .await;
    assert!(page.contains(&app.other_course), "found with a purpose");
    assert_eq!(app.audit_count().await, before + 2);
    let e = app.last_audit().await.entry;
    assert_eq!(e.cpr, Some(other.cpr));
    assert_eq!(e.purpose, "Borgeren har henvendt sig til mig: ringede");
    let course = c
        .get(app.url(&format!("/forloeb/{}", app.other_course)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| undated(&t))
        .unwrap();
    assert!(!course.contains("Angiv formål") && course.contains(&other.cpr.masked()));
    assert_eq!(
        app.last_audit().await.entry.purpose,
        "Borgeren har henvendt sig til mig: ringede"
    );

    // A valid number nobody in the data has: one entry naming the number.
    let unknown = (1..)
        .map(|n| Cpr::synthetic(kadence_core::Day::ymd(1950, 1, 1), n))
        .find(|x| app.pop.citizens.iter().all(|c| c.cpr != *x))
        .unwrap();
    let before = app.audit_count().await;
    let (_, page) = find(
        &c,
        &app,
        &csrf,
        &[("soeg", &unknown.reveal()), ("formaal", "kvalitet")],
    )
    .await;
    assert!(page.contains("Intet forløb fundet med dette CPR-nummer i kommunens data."));
    assert_eq!(app.audit_count().await, before + 1);
    assert_eq!(app.last_audit().await.entry.cpr, Some(unknown));

    // Bad input: a located Danish error, nothing logged, the number not echoed.
    let before = app.audit_count().await;
    for (text, error) in [
        (
            "310250-1000",
            "CPR-nummerets første 6 cifre er ikke en gyldig dato",
        ),
        ("  ", "Skriv et CPR-nummer eller et forløbs-id."),
    ] {
        let (status, page) = find(&c, &app, &csrf, &[("soeg", text), ("formaal", "egen")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains(error) && page.contains("aria-invalid=\"true\""),
            "{text}"
        );
        assert!(!page.contains("310250-1000"));
    }
    let (status, _) = find(
        &c,
        &app,
        &csrf,
        &[("soeg", &own.cpr.reveal()), ("formaal", "hvadsomhelst")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown purpose"
    );
    assert_eq!(app.audit_count().await, before);
}

/// A course id finds its course in the user's scope (one entry, since it shows a citizen) and
/// nothing outside it without a purpose; an unknown id shows nobody and logs nothing. A team lead's
/// scope is the team and the unassigned pool.
#[tokio::test]
async fn a_course_is_found_by_its_id_in_the_users_scope() {
    let app = spawn("find-course").await;
    let (c, csrf) = app.login("mette").await;
    let before = app.audit_count().await;
    let (_, page) = find(
        &c,
        &app,
        &csrf,
        &[("soeg", &app.own_course), ("formaal", "egen")],
    )
    .await;
    assert!(page.contains("1 forløb fundet med dette forløbs-id i din sagsstamme."),);
    assert!(page.contains(&app.citizen_of(&app.own_course).cpr.masked()));
    assert_eq!(app.audit_count().await, before + 1);
    assert_eq!(
        app.last_audit().await.entry.action,
        "fundet ved søgning på forløbs-id"
    );
    let (_, page) = find(
        &c,
        &app,
        &csrf,
        &[("soeg", &app.other_course), ("formaal", "egen")],
    )
    .await;
    assert!(
        page.contains("Intet forløb fundet")
            && !page.contains(&app.citizen_of(&app.other_course).cpr.masked())
    );
    let (_, page) = find(
        &c,
        &app,
        &csrf,
        &[("soeg", "findes-ikke"), ("formaal", "vikar")],
    )
    .await;
    assert!(page.contains("Intet forløb fundet med dette forløbs-id"));
    assert_eq!(
        app.audit_count().await,
        before + 1,
        "nobody shown, nothing logged"
    );

    let (lead, lead_csrf) = app.login("lars").await;
    let team_course = app
        .pop
        .courses
        .iter()
        .find(|x| x.key == app.own_course)
        .unwrap();
    let (_, page) = find(
        &lead,
        &app,
        &lead_csrf,
        &[("soeg", &team_course.key), ("formaal", "egen")],
    )
    .await;
    assert!(page.contains("1 forløb fundet med dette forløbs-id i dit team."));
    assert!(page.contains(team_course.key.as_str()));
}

/// The rows' course ids, in order, from a worklist page.
fn row_keys(html: &str) -> Vec<String> {
    html.split("<th scope=\"row\"><a href=\"/forloeb/")
        .skip(1)
        .map(|s| s.split('?').next().unwrap().to_string())
        .collect()
}

/// The number after "af" in the status line ("Viser 1–50 af 312 borgere").
fn total(html: &str) -> usize {
    if html.contains("Ingen borgere vist") {
        return 0;
    }
    let i = html.find("role=\"status\">Viser ").expect("a status line");
    html[i..]
        .split(" af ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .replace('.', "")
        .parse()
        .unwrap()
}

/// The team lead filters "Mit team" by caseworker, target group and deadline band (and the filters
/// survive sorting, paging and the export), reads counts per caseworker at the top that agree with
/// the filtered lists they link to, sorts by conversations and by the latest one, and ticks every
/// row of the page at once.
#[tokio::test]
async fn the_team_lead_filters_counts_and_sorts_the_team() {
    let app = spawn("team-tools").await;
    let (c, _) = app.login("lars").await;
    let get = |path: String| {
        let c = c.clone();
        let url = app.url(&path);
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .map(|t| undated(&t))
                .unwrap()
        }
    };
    let pop = &app.pop;
    let as_of = kadence_core::Day::ymd(2025, 6, 30);
    let mette = pop
        .caseworkers
        .iter()
        .find(|w| w.key == app.own_caseworker)
        .unwrap();
    let active_of_mette = pop
        .courses
        .iter()
        .filter(|c| c.active_on(as_of))
        .filter(|c| {
            c.caseworker
                .is_some_and(|w| pop.caseworkers[w.index()].key == mette.key)
        })
        .count();

    let page = get("/team?dato=30-06-2025".into()).await;
    assert!(page.contains("Teamets sagsbehandlere"));
    let row = page
        .split(&format!(
            "<th scope=\"row\" class=\"who\">{}</th>",
            mette.name
        ))
        .nth(1)
        .expect("mette's counts")
        .split("</tr>")
        .next()
        .unwrap()
        .to_string();
    let counts: Vec<(usize, String)> = row
        .split("<a href=\"")
        .skip(1)
        .map(|s| {
            let href = s
                .split('"')
                .next()
                .unwrap()
                .replace("&amp;", "&")
                .replace("&#38;", "&");
            let n = s.split('>').nth(1).unwrap().split('<').next().unwrap();
            (n.parse().unwrap(), href)
        })
        .collect();
    assert_eq!(counts.len(), 4);
    assert_eq!(counts[0].0, active_of_mette, "active courses");
    // Each count is the total of the list it links to.
    for (n, href) in &counts {
        assert_eq!(total(&get(href.clone()).await), *n, "{href}");
    }

    // By caseworker: every row is mette's.
    let mine = get(format!("/team?dato=30-06-2025&sagsbehandler={}", mette.key)).await;
    assert_eq!(total(&mine), active_of_mette);
    for k in row_keys(&mine) {
        let course = pop.courses.iter().find(|c| c.key == k).unwrap();
        assert_eq!(
            course.caseworker.map(|w| &pop.caseworkers[w.index()].key),
            Some(&mette.key)
        );
    }
    assert!(mine.contains(&format!("(Sagsbehandler: {})", mette.name)));

    // By target group, kept while sorting and paging, and in the export's header.
    let unemployed = get("/team?dato=30-06-2025&maalgruppe=ledig&sorter=navn".into()).await;
    let keys = row_keys(&unemployed);
    assert!(!keys.is_empty());
    for k in &keys {
        let course = pop.courses.iter().find(|c| c.key == *k).unwrap();
        assert_eq!(
            course.target_group,
            kadence_core::model::TargetGroup::Unemployed,
            "{k}"
        );
    }
    assert!(
        unemployed.contains("maalgruppe=ledig&#38;sorter=samtaler")
            || unemployed.contains("sorter=samtaler&#38;maalgruppe=ledig")
    );
    let res = c
        .get(app.url("/team/eksport.xlsx?dato=30-06-2025&maalgruppe=ledig"))
        .send()
        .await
        .unwrap();
    let bytes = res.bytes().await.unwrap();
    let sheet = ListSheet::read(&bytes);
    assert_eq!(
        sheet.rows.len(),
        total(&get("/team?dato=30-06-2025&maalgruppe=ledig".into()).await)
    );
    assert!(
        sheet.context.contains("Filtre: Målgruppe: Ledig"),
        "the filters stand above the rows: {}",
        sheet.context
    );
    use calamine::Reader;
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let about = book.worksheet_range("Om udtrækket").unwrap();
    assert!(
        about.rows().any(|r| r
            .iter()
            .any(|c| *c == calamine::Data::String("Målgruppe: Ledig".into()))),
        "the export says its filter"
    );

    // By deadline band: the overdue list's rows are all overdue; the band totals add up to the team.
    let overdue = get("/team?dato=30-06-2025&frist=overskredet".into()).await;
    assert!(total(&overdue) > 0);
    assert_eq!(
        overdue
            .matches("<td class=\"deadline overdue\" data-label=\"Næste frist\">")
            .count(),
        row_keys(&overdue).len()
    );
    let all = total(&get("/team?dato=30-06-2025".into()).await);
    let mut sum = 0;
    for band in ["overskredet", "7dage", "30dage", "senere", "ingen"] {
        sum += total(&get(format!("/team?dato=30-06-2025&frist={band}")).await);
    }
    assert_eq!(sum, all, "every course in exactly one band");

    // Sorted by conversations (fewest first) and by the latest conversation (none, then oldest).
    let by_conv = get("/team?dato=30-06-2025&sorter=samtaler".into()).await;
    let held: Vec<u32> = by_conv
        .split("<td class=\"nowrap conv\" data-label=\"Samtaler\">")
        .skip(1)
        .map(|s| s.split([' ', '<']).next().unwrap().parse().unwrap())
        .collect();
    assert!(held.len() > 10 && held.is_sorted(), "{held:?}");
    let by_latest = get("/team?dato=30-06-2025&sorter=seneste".into()).await;
    let latest: Vec<Option<(u32, u32, u32)>> = by_latest
        .split("<td class=\"nowrap latest\" data-label=\"Seneste samtale\">")
        .skip(1)
        .map(|s| {
            let t = s.split('<').next().unwrap();
            (t != "-").then(|| {
                let p: Vec<u32> = t.split('-').map(|x| x.parse().unwrap()).collect();
                (p[2], p[1], p[0])
            })
        })
        .collect();
    assert!(latest.len() > 10 && latest.is_sorted(), "{latest:?}");

    // Select all on the page.
    let ticked = get("/team?dato=30-06-2025&vaelg=alle".into()).await;
    let boxes = ticked.matches("type=\"checkbox\" name=\"forloeb\"").count();
    assert!(boxes > 0);
    assert_eq!(ticked.matches("\" checked></td>").count(), boxes);
    assert!(ticked.contains("Fravælg alle"));

    // A filter naming nothing is dropped, never echoed.
    let odd =
        get("/team?dato=30-06-2025&sagsbehandler=%3Cscript%3E&frist=x&maalgruppe=y".into()).await;
    assert_eq!(total(&odd), all);
    assert!(!odd.contains("<script>"));
}

/// "Næste frist" is the earliest actionable deadline under the settings, for every active course of
/// a generated municipality: every team's list (page and Excel file, which holds every row) as its
/// team lead sees it, under the law's deadlines only (the default) and with the local targets and the
/// doctors' deadlines driving it too. The expectation is computed here from the duties, by the
/// definition: of the caseworker's actionable duties with a deadline, the one with the fewest days
/// left; with the local targets still open and the medical statements still actionable when the
/// setting says so.
#[tokio::test]
async fn the_next_deadline_is_the_earliest_actionable_one_for_every_course() {
    use kadence_core::duties::{evaluate, DutyKind, Status};
    use kadence_core::settings::DeadlineDrivers;
    use kadence_store::access::{NewUser, Role};
    let app = spawn_full(
        "next-deadline",
        |_| {},
        Config {
            login_attempts_per_minute: 1000,
            login_attempts_per_account_per_minute: 1000,
            reload_every: std::time::Duration::from_millis(100),
            ..Config::default()
        },
    )
    .await;
    let pop = &app.pop;
    let as_of = kadence_core::Day::ymd(2025, 6, 30);
    let t0: jiff::Timestamp = "2025-06-30T08:00:00Z".parse().unwrap();
    for (i, t) in pop.teams.iter().enumerate() {
        app.store
            .add_user(
                &NewUser {
                    username: format!("leder{i}"),
                    display_name: format!("Leder {i}"),
                    role: Role::TeamLead,
                    caseworker_key: None,
                    team_key: Some(t.key.clone()),
                },
                PASSWORD,
                t0,
            )
            .await
            .unwrap();
    }
    let leads: Vec<(reqwest::Client, usize)> = {
        let mut v = Vec::new();
        for i in 0..pop.teams.len() {
            v.push((app.login(&format!("leder{i}")).await.0, i));
        }
        v
    };
    for (version, drivers) in [
        (1, DeadlineDrivers::Legal),
        (2, DeadlineDrivers::LegalLocalAndMedical),
    ] {
        let mut settings = app
            .store
            .settings_history()
            .await
            .unwrap()
            .latest()
            .settings
            .clone();
        if version > 1 {
            settings.duties.next_deadline = drivers;
            // As `kadence indstillinger` would: another process on the same database.
            let path = kadence_synth::scratch("web").join("next-deadline.sqlite");
            kadence_store::Store::open_sqlite(&path)
                .await
                .unwrap()
                .save_settings(&settings, as_of, as_of, "test", "frister", t0)
                .await
                .unwrap();
            // The running server notices the new version.
            let c = &leads[0].0;
            let mut seen = false;
            for _ in 0..100 {
                let page = c
                    .get(app.url("/team?dato=30-06-2025"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .map(|t| undated(&t))
                    .unwrap();
                if page.contains("indstillinger v1 ") {
                    seen = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            assert!(seen, "the server took the new settings");
        }
        let book = settings.book();
        // key -> (date, days left) by the definition.
        let expected: std::collections::HashMap<&str, Option<(kadence_core::Day, i32)>> = pop
            .course_ids()
            .filter(|id| pop.courses[id.index()].active_on(as_of))
            .map(|id| {
                let st = evaluate(pop.facts(id), &book, &settings.duties, as_of);
                let legal = st
                    .duties
                    .iter()
                    .filter(|d| !matches!(d.kind, DutyKind::MedicalStatement(_)))
                    .filter(|d| d.status.is_actionable())
                    .filter_map(|d| Some((d.next_by.or(d.due)?, d.days_left?)));
                let local = st
                    .local
                    .iter()
                    .filter(|_| drivers.local())
                    .filter(|l| matches!(l.status, Status::Open | Status::DueSoon))
                    .filter_map(|l| Some((l.window.1, l.days_left?)));
                let medical = st
                    .duties
                    .iter()
                    .filter(|_| drivers.medical())
                    .filter(|d| matches!(d.kind, DutyKind::MedicalStatement(_)))
                    .filter(|d| d.status.is_actionable())
                    .filter_map(|d| Some((d.next_by.or(d.due)?, d.days_left?)));
                let earliest = legal.chain(local).chain(medical).min_by_key(|x| x.1);
                (pop.courses[id.index()].key.as_str(), earliest)
            })
            .collect();
        let mut seen_keys = std::collections::HashSet::new();
        for (c, team) in &leads {
            let res = c
                .get(app.url("/team/eksport.xlsx?dato=30-06-2025"))
                .send()
                .await
                .unwrap();
            let bytes = res.bytes().await.unwrap();
            use calamine::Data;
            let sheet = ListSheet::read(&bytes);
            let (at, left) = (sheet.col("Næste frist"), sheet.col("Dage til frist"));
            for r in &sheet.rows {
                let key = r[0].to_string();
                let want = expected
                    .get(key.as_str())
                    .unwrap_or_else(|| panic!("{key} is not an active course"));
                let got = match (&r[at], &r[left]) {
                    // An Excel date is days since 30-12-1899.
                    (Data::DateTime(d), Data::Float(n)) => Some((
                        kadence_core::Day::ymd(1899, 12, 30).add_days(d.as_f64() as i32),
                        *n as i32,
                    )),
                    (Data::Empty, Data::Empty) => None,
                    other => panic!("{key}: {other:?}"),
                };
                assert_eq!(got, *want, "{key}, team {team}, {drivers:?}");
                seen_keys.insert(key);
            }
            // The page shows the same for the rows on it.
            let page = c
                .get(app.url("/team?dato=30-06-2025"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .map(|t| undated(&t))
                .unwrap();
            for row in page.split("<th scope=\"row\"><a href=\"/forloeb/").skip(1) {
                let key = row.split('?').next().unwrap();
                let cell = row.split("<td class=\"deadline").nth(1).unwrap();
                match expected[key] {
                    Some((d, _)) => assert!(
                        cell.contains(&format!("<span class=\"date\">{}</span>", d.dk())),
                        "{key}: {d}"
                    ),
                    None => assert!(cell.split("</td>").next().unwrap().ends_with(">-")),
                }
            }
        }
        let assigned_or_pooled = expected.len();
        assert_eq!(
            seen_keys.len(),
            assigned_or_pooled,
            "every active course in some team's list"
        );
    }
}

/// The count in a view link ("Overblik 2: tabt (27)").
fn view_count(html: &str, label: &str) -> usize {
    let i = html
        .find(&format!(">{label} ("))
        .unwrap_or_else(|| panic!("{label}"));
    html[i + label.len() + 3..]
        .split(')')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Overblik 2 is split into the courses whose half-year can still be reached (each row says how
/// many conversations are missing and by when) and those already lost (each row says "Forsømt" with
/// the day the half-year closed, or that it can no longer be reached); the course page says
/// "Forsømt" for the missed duty.
#[tokio::test]
async fn overview_2_separates_what_can_be_saved_from_what_is_lost() {
    let app = spawn("overview2").await;
    let (c, _) = app.login("lars").await;
    let get = |path: String| {
        let c = c.clone();
        let url = app.url(&path);
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .map(|t| undated(&t))
                .unwrap()
        }
    };
    let page = get("/team?dato=30-06-2025".into()).await;
    let all = view_count(&page, "Overblik 2: 5 måneder uden 4 samtaler");
    let saveable = view_count(&page, "Overblik 2: kan nås");
    let lost = view_count(&page, "Overblik 2: tabt");
    assert!(saveable > 0 && lost > 0, "{saveable} {lost}");
    assert!(saveable + lost <= all, "the halves are within Overblik 2");
    let rows = |html: &str| -> Vec<String> {
        html.split("<th scope=\"row\"><a href=\"/forloeb/")
            .skip(1)
            .map(|r| r.split("</tr>").next().unwrap().to_string())
            .collect()
    };
    let kan = get("/team?dato=30-06-2025&visning=overblik2-kan".into()).await;
    assert_eq!(total(&kan), saveable);
    for r in rows(&kan) {
        assert!(r.contains("Halvåret kan nås: "), "{r}");
    }
    let tabt = get("/team?dato=30-06-2025&visning=overblik2-tabt".into()).await;
    assert_eq!(total(&tabt), lost);
    let mut missed = None;
    for r in rows(&tabt) {
        assert!(
            r.contains("Forsømt: ") || r.contains("Halvåret kan ikke længere nås: "),
            "{r}"
        );
        if r.contains("Forsømt: ") && missed.is_none() {
            missed = Some(r.split('?').next().unwrap().to_string());
        }
    }
    let key = missed.expect("a missed half-year among the lost");
    let course = get(format!("/forloeb/{key}?dato=30-06-2025")).await;
    assert!(
        course.contains("Forsømt") && course.contains("da vinduet lukkede"),
        "the course page says it"
    );
}

/// The administrator sets the case system's link template on the settings page (a `javascript:`
/// link refused with its key, nothing saved); then every worklist row and the course page link to
/// the course in the case system; without a template there is no link.
#[tokio::test]
async fn a_link_into_the_case_system_on_every_row_when_configured() {
    let app = spawn_full(
        "case-link",
        |_| {},
        Config {
            login_attempts_per_minute: 1000,
            login_attempts_per_account_per_minute: 1000,
            reload_every: std::time::Duration::from_millis(100),
            ..Config::default()
        },
    )
    .await;
    let (m, _) = app.login("mette").await;
    let mine = |c: reqwest::Client| {
        let url = app.url("/mine?dato=30-06-2025");
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .map(|t| undated(&t))
                .unwrap()
        }
    };
    assert!(
        !mine(m.clone()).await.contains("Åbn i fagsystemet"),
        "no template, no link"
    );
    let (admin, _) = app.login("admin").await;
    let page = admin
        .get(app.url("/admin/indstillinger"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| undated(&t))
        .unwrap();
    let post = |link: &str| {
        let mut f = form_fields(&page, "/admin/indstillinger");
        f.retain(|(k, _)| k != "fagsystem.link" && k != "begrundelse" && k != "gaelder_fra");
        f.push(("fagsystem.link".into(), link.into()));
        f.push(("begrundelse".into(), "link til fagsystemet".into()));
        f.push(("gaelder_fra".into(), "30-06-2025".into()));
        admin.post(app.url("/admin/indstillinger")).form(&f).send()
    };
    let res = post("javascript:alert(1)//{forloeb}").await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the form again, with the error"
    );
    let text = res.text().await.map(|t| undated(&t)).unwrap();
    assert!(
        text.contains("Indstillingerne er ikke gemt: 1 fejl"),
        "{text}"
    );
    assert!(text.contains("«fagsystem.link»: Linket skal begynde med https://"));
    let res = post("https://fagsystem.example/sag/{forloeb}")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "saved");
    let mut html = String::new();
    for _ in 0..100 {
        html = mine(m.clone()).await;
        if html.contains("Åbn i fagsystemet") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let keys = row_keys(&html);
    assert!(!keys.is_empty());
    for k in &keys {
        assert!(
            html.contains(&format!(
                "href=\"https://fagsystem.example/sag/{k}\" class=\"case-link\""
            )),
            "{k}"
        );
    }
    let course = m
        .get(app.url(&format!("/forloeb/{}?dato=30-06-2025", app.own_course)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| undated(&t))
        .unwrap();
    assert!(course.contains(&format!(
        "href=\"https://fagsystem.example/sag/{}\"",
        app.own_course
    )));
}

/// The job-clarification course page: the transition date and the sickness course it continues
/// (linked), the visitation category with its date, the rehabilitation-team meetings as a table with
/// their LÆ 265 basis, and the clock counted from the transition (the sickness page says from the
/// first day of absence).
#[tokio::test]
async fn the_job_clarification_course_page_says_its_own_clock() {
    use kadence_core::model::CourseKind;
    let app = spawn("jc-page").await;
    let pop = &app.pop;
    let as_of = kadence_core::Day::ymd(2025, 6, 30);
    let (id, jc) = pop
        .course_ids()
        .map(|id| (id, &pop.courses[id.index()]))
        .find(|(id, c)| {
            c.kind == CourseKind::JobClarification
                && c.transition.is_some_and(|t| t <= as_of)
                && c.from_course.is_some()
                && pop.facts(*id).rehab.iter().any(|m| m.date <= as_of)
        })
        .expect("a job clarification course with a meeting");
    let (c, csrf) = app.login("mette").await;
    let open = |key: String| {
        let c = c.clone();
        let csrf = csrf.clone();
        let base = app.url(&format!("/forloeb/{key}"));
        async move {
            c.post(format!("{base}/formaal"))
                .form(&[("csrf", csrf.as_str()), ("formaal", "kvalitet")])
                .send()
                .await
                .unwrap();
            c.get(format!("{base}?dato=30-06-2025"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .map(|t| undated(&t))
                .unwrap()
        }
    };
    let page = open(jc.key.to_string()).await;
    let transition = jc.transition.unwrap().dk().to_string();
    let from = &pop.courses[jc.from_course.unwrap().index()];
    assert!(page.contains(&format!(
        "<dt>Overgang til jobafklaring</dt><dd>{transition}</dd>"
    )));
    assert!(
        page.contains(&format!(">{}</a></dd>", from.key)),
        "the course it continues"
    );
    assert!(page.contains(&format!(
        "Jobafklaringsforløbets frister regnes fra overgangen {transition}, ikke fra første fraværsdag"
    )));
    assert!(!page.contains("Lovens frister regnes fra første fraværsdag"));
    if let Some(v) = jc.visitation.filter(|v| v.set_on <= as_of) {
        assert!(page.contains(&format!("(fra {})", v.set_on.dk())));
    }
    assert!(page.contains("<h2>Rehabiliteringsteam</h2>"));
    for m in pop.facts(id).rehab.iter().filter(|m| m.date <= as_of) {
        assert!(page.contains(&format!("<td class=\"nowrap\">{}</td>", m.date.dk())));
    }
    let sick = open(from.key.to_string()).await;
    assert!(sick.contains("Lovens frister regnes fra første fraværsdag, ikke fra ydelsesstart."));
}

/// A citizen's access request: the administrator's extract is newest first, filtered by period,
/// with a list view shown three times in a day on one line, and the same rows as an Excel file; the
/// CPR number never in a URL and every extract logged.
#[tokio::test]
async fn the_access_request_extract_is_newest_first_by_period_grouped_and_exportable() {
    use std::sync::atomic::Ordering;
    let app = spawn("extract-period").await;
    let course = app.own_course.clone();
    let citizen = app.citizen_of(&course).clone();
    let surname = citizen.name.rsplit(' ').next().unwrap().to_string();
    let (mette, _) = app.login("mette").await;
    let t0 = app.clock.load(Ordering::SeqCst);
    let day = 86_400;
    // Day 1 (30-06-2025): the list three times, 20 minutes apart (the session's idle timeout is
    // 30), then the course page.
    for m in 0..3 {
        app.clock.store(t0 + m * 1200, Ordering::SeqCst);
        let res = mette
            .get(app.url(&format!("/mine?dato=30-06-2025&visning=alle&q={surname}")))
            .send()
            .await
            .unwrap();
        let status = (res.status(), res.headers().get("location").cloned());
        let page = res.text().await.map(|t| undated(&t)).unwrap();
        assert!(
            page.contains(&course),
            "the citizen is on the list: {status:?}"
        );
    }
    app.clock.store(t0 + 3 * 1200, Ordering::SeqCst);
    let res = mette
        .get(app.url(&format!("/forloeb/{course}?dato=30-06-2025")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Day 3 (02-07-2025): logged in anew, the list once more.
    app.clock.store(t0 + 2 * day, Ordering::SeqCst);
    let (mette, _) = app.login("mette").await;
    mette
        .get(app.url(&format!("/mine?dato=30-06-2025&visning=alle&q={surname}")))
        .send()
        .await
        .unwrap();

    let (admin, csrf) = app.login("admin").await;
    let cpr = citizen.cpr.reveal();
    let post = |fields: Vec<(&'static str, String)>| {
        let (admin, url, csrf, cpr) = (
            admin.clone(),
            app.url("/admin/revision"),
            csrf.clone(),
            cpr.clone(),
        );
        async move {
            let mut form = vec![("csrf", csrf), ("cpr", cpr)];
            form.extend(fields);
            admin.post(url).form(&form).send().await.unwrap()
        }
    };
    let before = app.audit_count().await;
    let res = post(vec![]).await;
    assert_eq!(res.url().path(), "/admin/revision");
    let page = res.text().await.map(|t| undated(&t)).unwrap();
    let rows: Vec<String> = page
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("<tr>")
        .skip(1)
        .map(|r| {
            r.split("</td>")
                .filter_map(|c| c.rsplit('>').next())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect();
    // Test time is UTC 08:00 on 30-06-2025, 10:00 in Copenhagen. Each login lands on the list, so
    // the list was shown four times on the first day and twice on the third.
    assert_eq!(
        rows,
        [
            "02-07-2025 | kl. 10:00 | 2 | vist i arbejdsliste | Opfølgning i egen sagsstamme | "
                .to_string()
                + &course
                + " | mette",
            format!("30-06-2025 | kl. 11:00 | 1 | vist forløb | Opfølgning i egen sag | {course} | mette"),
            format!("30-06-2025 | kl. 10:00–10:40 | 4 | vist i arbejdsliste | Opfølgning i egen sagsstamme | {course} | mette"),
        ],
        "{page}"
    );
    assert!(page.contains("Periode: hele loggen"));
    assert!(page.contains("7 opslag på 3 linjer, nyeste først"));
    assert!(!page.contains(&cpr));

    // Only 30 June: the two lines of that day.
    let page = post(vec![
        ("fra", "30-06-2025".into()),
        ("til", "30-06-2025".into()),
    ])
    .await
    .text()
    .await
    .map(|t| undated(&t))
    .unwrap();
    assert!(page.contains("Periode: 30-06-2025–30-06-2025"));
    assert!(page.contains("5 opslag på 2 linjer"));
    // A wrong period is said in Danish, the form keeps what was typed.
    let page = post(vec![("fra", "31-06-2025".into())])
        .await
        .text()
        .await
        .map(|t| undated(&t))
        .unwrap();
    assert!(page.contains("«31-06-2025» i «Fra» er ikke en dato. Skriv den som dd-mm-åååå."));
    assert!(page.contains("value=\"31-06-2025\""));
    let page = post(vec![
        ("fra", "02-07-2025".into()),
        ("til", "30-06-2025".into()),
    ])
    .await
    .text()
    .await
    .map(|t| undated(&t))
    .unwrap();
    assert!(page.contains("Perioden begynder 02-07-2025 efter den slutter 30-06-2025."));

    // As Excel: the same three lines, read back by calamine.
    let res = post(vec![("hent", "xlsx".into())]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("kadence-revisionslog-"));
    let sheet = ListSheet::read(&res.bytes().await.unwrap());
    assert_eq!(sheet.name, "Revisionslog");
    assert_eq!(
        sheet.title,
        format!("Udtræk af revisionslog for {}", citizen.cpr.masked())
    );
    assert!(sheet.context.starts_with("Periode: hele loggen · Dannet "));
    assert_eq!(
        sheet.header,
        [
            "Dato",
            "Tidspunkt",
            "Antal opslag",
            "Handling",
            "Formål",
            "Forløb",
            "Bruger"
        ]
    );
    // The two extracts shown on the page before are look-ups too, and the citizen sees them.
    let counts: Vec<String> = sheet.rows.iter().map(|r| r[2].to_string()).collect();
    assert_eq!(counts, ["2", "2", "1", "4"]);
    assert_eq!(sheet.rows[0][3].to_string(), "udtræk af revisionslog");
    assert_eq!(sheet.rows[0][6].to_string(), "admin");
    assert!(matches!(sheet.rows[0][0], calamine::Data::DateTime(_)));

    // Every extract is logged (the refused ones read nothing and are not).
    let entries = app.store.audit_entries(None).await.unwrap();
    let extracts: Vec<&str> = entries[before..]
        .iter()
        .map(|r| r.entry.action.as_str())
        .collect();
    assert_eq!(
        extracts,
        [
            "udtræk af revisionslog",
            "udtræk af revisionslog",
            "udtræk af revisionslog (Excel)"
        ]
    );
}

/// Issue 14.8: a page logged one entry per citizen naming only the citizen's first course, so a
/// citizen listed with a sickness course and the job clarification that continues it read in the
/// extract as if only one had been seen. Every course shown is named now.
#[tokio::test]
async fn a_citizen_shown_with_two_courses_is_logged_with_both() {
    use kadence_core::date::Day;
    use std::collections::{BTreeSet, HashMap};
    let as_of = Day::ymd(2025, 6, 30);
    // Two active courses of one caseworker given to one citizen (as a sickness course and a job
    // clarification can both be open on the day of the transition).
    let app = spawn_with("two-courses", |b| {
        let active: Vec<usize> = (0..b.courses.len())
            .filter(|i| b.courses[*i].active_on(as_of) && b.courses[*i].caseworker.is_some())
            .collect();
        let (i, j) = active
            .iter()
            .flat_map(|i| active.iter().map(move |j| (*i, *j)))
            .find(|(i, j)| i < j && b.courses[*i].caseworker == b.courses[*j].caseworker)
            .unwrap();
        b.courses[j].citizen = b.courses[i].citizen;
    })
    .await;
    let pop = &app.pop;
    let cw = pop
        .caseworkers
        .iter()
        .find(|c| c.key == app.own_caseworker)
        .unwrap();
    let in_scope = |c: &kadence_core::model::Course| {
        c.active_on(as_of) && (pop.team_of(c) == Some(cw.team) || c.caseworker.is_none())
    };
    let mut by_citizen: HashMap<u32, BTreeSet<String>> = HashMap::new();
    for c in pop.courses.iter().filter(|c| in_scope(c)) {
        by_citizen
            .entry(c.citizen.get())
            .or_default()
            .insert(c.key.to_string());
    }
    let (citizen, keys) = by_citizen
        .into_iter()
        .filter(|(_, k)| k.len() >= 2)
        .min_by_key(|(c, _)| *c)
        .expect("the generated team has a citizen with two active courses");
    let cpr = pop.citizens[citizen as usize].cpr;
    let (lars, _) = app.login("lars").await;
    let res = lars
        .get(app.url("/team/eksport.xlsx?dato=30-06-2025&visning=alle"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let logged: BTreeSet<String> = app
        .store
        .audit_entries(Some(&cpr))
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action.contains("Excel"))
        .filter_map(|r| r.entry.course_key)
        .collect();
    assert_eq!(
        logged, keys,
        "every course of the citizen on the list is named"
    );
}
