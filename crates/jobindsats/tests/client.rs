//! The v3 client against recorded answers: what it asks for, what it reads, how it retries and
//! how it fails. Nothing here reaches the network (`Recorded` answers in memory, `FixtureServer`
//! on 127.0.0.1).

use std::time::Duration;

use kadence_core::committee::external::Fetch;
use kadence_core::date::{Day, Month};
use kadence_jobindsats::testing::{ok, status, FixtureServer, Recorded, Routes};
use kadence_jobindsats::{fetch, Client, FetchError, Format, Http, Plan, Reply, Token, Transport};

const SECRET: &str = "test-token-7f3a9c";

fn token() -> Token {
    Token::new(SECRET).unwrap()
}

fn plan(tables: &[&str], format: Format) -> Plan {
    Plan {
        tables: tables.iter().map(|t| t.to_string()).collect(),
        areas: [
            "Syntetisk Kommune",
            "RAR Syntetisk",
            "Hele landet",
            "Naboby",
        ]
        .map(String::from)
        .to_vec(),
        from: Month::new(2025, 1),
        format,
    }
}

fn day(s: &str) -> Day {
    Day::parse_iso(s).unwrap()
}

async fn run(routes: &Routes, plan: &Plan) -> Result<Vec<Fetch>, FetchError> {
    let client = Client::new(
        Recorded(routes.clone()),
        "https://api.jobindsats.dk/v3/",
        token(),
    )
    .unwrap();
    fetch(
        &client,
        plan,
        day("2026-12-02"),
        "2026-12-02T09:00:00Z",
        |_| {},
    )
    .await
}

fn figure<'a>(
    f: &'a Fetch,
    area: &str,
    m: Month,
) -> &'a kadence_core::committee::external::ExternalFigure {
    f.figures
        .iter()
        .find(|x| x.area == area && x.month == m)
        .unwrap_or_else(|| panic!("{area} {m} missing"))
}

/// Every message and every recorded origin is free of the token.
fn assert_no_secret(text: &str) {
    assert!(!text.contains(SECRET), "the token leaked: {text}");
}

#[tokio::test]
async fn two_tables_with_their_catalogue_dates_and_only_the_total_rows_asked_for() {
    let routes = Routes::standard();
    let fetches = run(&routes, &plan(&["Y07A02", "Y01A02"], Format::Json))
        .await
        .unwrap();
    assert_eq!(fetches.len(), 2);
    let (sick, a) = (&fetches[0], &fetches[1]);
    assert_eq!(sick.table, "Y07A02");
    assert_eq!(sick.update_latest, Some(day("2026-11-20")));
    assert_eq!(sick.update_next, Some(day("2026-12-18")));
    // The catalogue's second table writes its date dd-mm-åååå and has no next update.
    assert_eq!(a.update_latest, Some(day("2026-11-20")));
    assert_eq!(a.update_next, None);
    assert_eq!(sick.origin, "https://api.jobindsats.dk/v3/data/y07a02");
    // 4 areas x 22 months (2025M01-2026M10): the recorded answer also holds Fjordby, 2024's
    // months, the "Mænd"/"Kvinder" rows and a quarter, none of which was asked for.
    assert_eq!(sick.figures.len(), 4 * 22);
    let oct = figure(sick, "Syntetisk Kommune", Month::new(2026, 10));
    assert_eq!(oct.persons, Some(1516.0));
    assert_eq!(oct.full_time, Some(1273.4));
    let national = figure(sick, "Hele landet", Month::new(2026, 10));
    assert_eq!(
        national.full_time,
        Some(50413.4),
        "\"50.413,4\" read with . as thousands"
    );
    assert_eq!(
        figure(sick, "Naboby", Month::new(2025, 1)).share_labour_force,
        None,
        "\"..\" is a missing cell"
    );
    assert_eq!(a.figures.len(), 4 * 22);

    let seen = routes.seen();
    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "tables",
            "table/y07a02",
            "data/y07a02",
            "table/y01a02",
            "data/y01a02"
        ]
    );
    for s in &seen {
        assert_eq!(s.authorization, format!("Bearer {SECRET}"));
        assert_eq!(
            s.query
                .iter()
                .find(|(k, _)| k == "format")
                .map(|(_, v)| v.as_str()),
            Some("json")
        );
        for (k, v) in &s.query {
            assert_no_secret(k);
            assert_no_secret(v);
        }
    }
    let q = |k: &str| {
        seen[2]
            .query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{k} not asked"))
    };
    let months = q("period.M");
    assert!(months.starts_with("2025M01,2025M02,"), "{months}");
    assert!(months.ends_with(",2026M10"), "{months}");
    assert_eq!(months.split(',').count(), 22);
    assert_eq!(q("hierarchy._nykom"), "/9/901/,/9/,/,/9/902/");
    assert_eq!(q("hierarchy._kon"), "/", "the other dimension at its total");
}

#[tokio::test]
async fn the_csv_answer_reads_to_the_same_figures_as_the_json_answer() {
    let json = run(&Routes::standard(), &plan(&["Y07A02"], Format::Json))
        .await
        .unwrap();
    let routes = Routes::standard().only("data/y07a02", vec![ok("data_y07a02.csv")]);
    let csv = run(&routes, &plan(&["Y07A02"], Format::Csv)).await.unwrap();
    assert_eq!(json[0].figures, csv[0].figures);
    assert_eq!(
        routes.seen()[2]
            .query
            .iter()
            .find(|(k, _)| k == "format")
            .map(|(_, v)| v.as_str()),
        Some("csv")
    );
}

fn retry_after(status: u16, secs: u64) -> Reply {
    Reply {
        status,
        retry_after: Some(Duration::from_secs(secs)),
        body: Vec::new(),
    }
}

#[tokio::test]
async fn busy_and_failing_servers_are_retried_with_waits_that_grow_or_that_the_server_asks_for() {
    let routes = Routes::standard().only(
        "tables",
        vec![
            status(503, ""),
            retry_after(429, 7),
            retry_after(429, 600),
            ok("tables.json"),
        ],
    );
    let fetches = run(&routes, &plan(&["Y01A02"], Format::Json))
        .await
        .unwrap();
    assert_eq!(fetches.len(), 1);
    assert_eq!(
        routes.pauses(),
        [
            Duration::from_secs(1),
            Duration::from_secs(7),
            Duration::from_secs(60)
        ],
        "1 s, then Retry-After 7 s, then Retry-After 600 s cut to 60 s"
    );
}

#[tokio::test]
async fn a_server_that_keeps_failing_is_given_up_after_four_attempts_with_a_danish_message() {
    let routes = Routes::standard().only("tables", vec![status(502, "<html>Bad gateway</html>")]);
    let e = run(&routes, &plan(&["Y07A02"], Format::Json))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        FetchError::GaveUp {
            what: "kataloget over tabeller".into(),
            status: 502,
            attempts: 4
        }
    );
    let text = e.to_string();
    assert!(
        text.contains("HTTP 502")
            && text.contains("prøv igen senere")
            && text.contains("Intet er gemt"),
        "{text}"
    );
    assert_eq!(routes.pauses(), [1, 2, 4].map(Duration::from_secs));
    assert_eq!(routes.seen().len(), 4);
}

#[tokio::test]
async fn a_rejected_or_expired_key_is_said_in_danish_at_once_without_the_key() {
    let cases = [
        (
            "v3's 401",
            status(
                401,
                &String::from_utf8(kadence_jobindsats::testing::fixture("unauthorized_v3.json"))
                    .unwrap(),
            ),
            401,
        ),
        ("403", status(403, ""), 403),
        (
            "STAR's wording with a success status",
            ok("bad_key.json"),
            200,
        ),
        (
            "STAR's wording with 400",
            Reply {
                status: 400,
                ..ok("bad_key.json")
            },
            400,
        ),
    ];
    for (name, reply, code) in cases {
        let routes = Routes::standard().only("tables", vec![reply]);
        let e = run(&routes, &plan(&["Y07A02"], Format::Json))
            .await
            .unwrap_err();
        assert_eq!(e, FetchError::KeyRejected { status: code }, "{name}");
        let text = e.to_string();
        assert!(text.contains("forkert eller udløbet"), "{name}: {text}");
        assert_no_secret(&text);
        assert_eq!(
            routes.seen().len(),
            1,
            "{name}: a rejected key is not retried"
        );
    }
}

#[tokio::test]
async fn what_the_plan_asks_for_and_the_api_does_not_have_is_named() {
    let mut p = plan(&["Y07A02"], Format::Json);
    p.areas.push("Atlantis".into());
    let e = run(&Routes::standard(), &p).await.unwrap_err();
    assert_eq!(
        e,
        FetchError::UnknownArea {
            table: "Y07A02".into(),
            area: "Atlantis".into()
        }
    );
    assert!(e.to_string().contains("udvalg.kommune"), "{e}");

    let e = run(&Routes::standard(), &plan(&["Y38A02"], Format::Json))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        FetchError::UnknownTable {
            table: "Y38A02".into()
        }
    );

    let mut p = plan(&["Y07A02"], Format::Json);
    p.from = Month::new(2027, 1);
    let e = run(&Routes::standard(), &p).await.unwrap_err();
    assert!(
        e.to_string().contains("ingen måneder fra januar 2027"),
        "{e}"
    );

    let routes = Routes::standard().only("table/y07a02", vec![status(404, "{}")]);
    let e = run(&routes, &plan(&["Y07A02"], Format::Json))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        FetchError::NotFound {
            what: "metadata for tabel Y07A02".into()
        }
    );
}

#[tokio::test]
async fn a_bad_cell_in_the_answer_is_located_and_nothing_is_returned() {
    let body = r#"{"columns":["Område","Periode","Køn","Antal personer","Antal fuldtidspersoner"],
        "rows":[["Syntetisk Kommune","2026M10","Køn i alt",1516,"1.273,4"],
                ["Hele landet","2026M1O","Køn i alt",1,"2"],
                ["Naboby","2026M10","Køn i alt",1,"12,3,4"]]}"#;
    let routes = Routes::standard().only("data/y07a02", vec![status(200, body)]);
    let e = run(&routes, &plan(&["Y07A02"], Format::Json))
        .await
        .unwrap_err();
    let FetchError::Table { table, errors } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(table, "Y07A02");
    let lines: Vec<(u64, Option<&str>)> = errors
        .iter()
        .map(|e| (e.line, e.column.as_deref()))
        .collect();
    assert_eq!(
        lines,
        [(3, Some("Periode")), (4, Some("Antal fuldtidspersoner"))]
    );
    assert!(
        e.to_string()
            .contains("linje 4, kolonne «Antal fuldtidspersoner»: «12,3,4» er ikke et tal"),
        "{e}"
    );

    let routes = Routes::standard().only("data/y07a02", vec![status(200, "{\"columns\": [")]);
    let e = run(&routes, &plan(&["Y07A02"], Format::Json))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("ikke gyldig JSON"), "{e}");
}

#[test]
fn the_token_is_trimmed_refused_when_empty_or_broken_and_never_shown() {
    let t = Token::new("  abc-123\n").unwrap();
    assert_eq!(format!("{t:?}"), "Token(skjult)");
    assert_eq!(Token::new(" \n").unwrap_err(), FetchError::NoToken);
    assert_eq!(Token::new("abc def").unwrap_err(), FetchError::BadToken);
    assert!(!FetchError::BadToken.to_string().contains("abc"));
}

/// A transport that never reaches the server.
struct Down;
impl Transport for Down {
    async fn get(&self, _: &url::Url, _: &Token) -> Result<Reply, String> {
        Err("forbindelsen kunne ikke oprettes".into())
    }
    async fn pause(&self, _: Duration) {}
}

#[tokio::test]
async fn an_unreachable_server_is_tried_four_times_and_said_so() {
    let client = Client::new(Down, "https://api.jobindsats.dk/v3", token()).unwrap();
    let e = fetch(
        &client,
        &plan(&["Y07A02"], Format::Json),
        day("2026-12-02"),
        "",
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, FetchError::Unreachable { attempts: 4, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("Jobindsats kunne ikke nås"), "{e}");
}

/// The real transport, against a local server: the header it sends, a Retry-After it reads, and
/// a refused connection.
#[tokio::test]
async fn the_http_transport_sends_the_bearer_header_and_reads_retry_after() {
    let server = FixtureServer::start(
        Routes::standard().only("tables", vec![retry_after(429, 0), ok("tables.json")]),
    );
    let client = Client::new(Http::new().unwrap(), &server.base(), token()).unwrap();
    let mut lines = Vec::new();
    let fetches = fetch(
        &client,
        &plan(&["Y07A02"], Format::Json),
        day("2026-12-02"),
        "",
        |p| lines.push(p.to_string()),
    )
    .await
    .unwrap();
    assert_eq!(fetches[0].figures.len(), 4 * 22);
    assert_eq!(
        lines,
        [
            "Kataloget hentet (2 tabeller).",
            "[1/1] Y07A02: 22 måneder, 88 månedstal."
        ]
    );
    let seen = server.routes.seen();
    assert_eq!(
        seen.len(),
        4,
        "429 once, then the catalogue, metadata and data"
    );
    assert!(seen
        .iter()
        .all(|s| s.authorization == format!("Bearer {SECRET}")));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v3/", closed.local_addr().unwrap());
    drop(closed);
    let mut client = Client::new(Http::new().unwrap(), &base, token()).unwrap();
    client.attempts = 2;
    client.max_wait = Duration::ZERO;
    let e = fetch(
        &client,
        &plan(&["Y07A02"], Format::Json),
        day("2026-12-02"),
        "",
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, FetchError::Unreachable { attempts: 2, .. }),
        "{e:?}"
    );
    assert_no_secret(&e.to_string());
}
