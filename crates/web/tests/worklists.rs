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
    (res.status(), res.text().await.unwrap())
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
    assert!(page.contains(&team_course.key));
}
