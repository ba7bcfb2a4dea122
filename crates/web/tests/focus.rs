//! "Fokusmål" for the right eyes (issue 13, point 8): who is named in a split, the month not yet
//! ended marked provisional, the period picker, and the figures as Excel.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use calamine::{Data, Reader};
use common::*;
use kadence_core::date::{Day, Month};
use kadence_core::measures::{Definition, MeasureKind, Split};

async fn get(c: &reqwest::Client, app: &App, path: &str) -> (StatusCode, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.map(|t| undated(&t)).unwrap())
}

/// The first-column cells of the split table ("opdelt på ...").
fn split_names(page: &str) -> Vec<String> {
    let Some(i) = page.find("opdelt på") else {
        return vec![];
    };
    let table = &page[i..page[i..].find("</table>").unwrap() + i];
    table
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|s| s.split("</th>").next().unwrap().to_string())
        .collect()
}

/// The month rows of the monthly table: (label, numerator) with "(foreløbig)" kept in the label.
fn month_rows(page: &str) -> Vec<(String, String)> {
    let i = page.find("pr. måned (").unwrap();
    let table = &page[i..page[i..].find("</table>").unwrap() + i];
    table
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|s| {
            let label = s.split("</th>").next().unwrap();
            let label = label.replace(
                " <span class=\"provisional\">(foreløbig)</span>",
                " (foreløbig)",
            );
            let num = s
                .split("<td class=\"num\">")
                .nth(1)
                .unwrap()
                .split("</td>")
                .next()
                .unwrap()
                .to_string();
            (label, num)
        })
        .filter(|(l, _)| l != "I alt")
        .collect()
}

#[tokio::test]
async fn a_caseworker_sees_her_own_figure_and_her_teams_not_each_colleagues() {
    let app = spawn("focus-eyes").await;
    let (mette, _) = app.login("mette").await;
    let (_, page) = get(
        &mette,
        &app,
        "/fokusmaal?dato=30-06-2025&maal=foerste&opdelt=sagsbehandler",
    )
    .await;
    let me = app
        .pop
        .caseworkers
        .iter()
        .find(|c| c.key == app.own_caseworker)
        .unwrap();
    let team = &app.pop.teams[me.team.index()];
    assert_eq!(
        split_names(&page),
        [
            format!("Dig ({})", me.name),
            format!("Dit team i alt ({})", team.name)
        ]
    );
    assert!(page.contains("Du ser dit eget tal og dit teams samlede tal"));
    for other in app.pop.caseworkers.iter().filter(|c| c.key != me.key) {
        assert!(
            !page.contains(&other.name),
            "a colleague's name on a caseworker's page: {}",
            other.name
        );
    }

    // The team lead sees the caseworkers by name; the analyst by pseudonym, stable between requests.
    let (lars, _) = app.login("lars").await;
    let (_, lead) = get(
        &lars,
        &app,
        "/fokusmaal?dato=30-06-2025&maal=foerste&opdelt=sagsbehandler",
    )
    .await;
    let named = split_names(&lead);
    assert!(named.contains(&me.name), "{named:?}");
    assert!(named.len() > 2);
    let (anna, _) = app.login("anna").await;
    let path = "/fokusmaal?dato=30-06-2025&maal=foerste&opdelt=sagsbehandler";
    let (_, analyst) = get(&anna, &app, path).await;
    let pseudonyms = split_names(&analyst);
    assert_eq!(pseudonyms.len(), named.len(), "the same rows, other names");
    assert!(
        pseudonyms
            .iter()
            .all(|p| (p.len() == 14 && p.starts_with("S-")) || p == "Ikke fordelt"),
        "{pseudonyms:?}"
    );
    for c in &app.pop.caseworkers {
        assert!(!analyst.contains(&c.name), "{} named to an analyst", c.name);
    }
    assert_eq!(split_names(&get(&anna, &app, path).await.1), pseudonyms);
    // The figures are the team lead's, row for row, in some order.
    let cells = |page: &str| -> BTreeSet<String> {
        let i = page.find("opdelt på").unwrap();
        page[i..]
            .split("<th scope=\"row\">")
            .skip(1)
            .map(|s| {
                s.split("</th>")
                    .nth(1)
                    .unwrap()
                    .split("</tr>")
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(cells(&analyst), cells(&lead));

    // The Excel file of the split names them the same way.
    for (client, check) in [(&mette, 0u8), (&anna, 1), (&lars, 2)] {
        let res = client
            .get(app.url("/fokusmaal/tal.xlsx?dato=30-06-2025&maal=foerste&opdelt=sagsbehandler"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap();
        let mut book =
            calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(
            book.sheet_names()[..3],
            ["Pr. måned", "Pr. sagsbehandler og måned", "Om udtrækket"]
        );
        let split = book.worksheet_range("Pr. sagsbehandler og måned").unwrap();
        let who: BTreeSet<String> = split.rows().skip(3).map(|r| r[0].to_string()).collect();
        match check {
            0 => assert_eq!(
                who,
                BTreeSet::from([
                    format!("Dig ({})", me.name),
                    format!("Dit team i alt ({})", team.name)
                ])
            ),
            1 => assert!(who
                .iter()
                .all(|w| w.starts_with("S-") || w == "Ikke fordelt")),
            _ => assert!(who.contains(&me.name)),
        }
    }
}

#[tokio::test]
async fn the_month_not_yet_ended_is_provisional_and_the_period_is_chosen() {
    let app = spawn("focus-period").await;
    let (anna, _) = app.login("anna").await;
    // 15 June: June has not ended.
    let (_, mid) = get(&anna, &app, "/fokusmaal?dato=15-06-2025&maal=tidlig").await;
    let rows = month_rows(&mid);
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[0].0, "juli 2024");
    assert_eq!(rows[11].0, "juni 2025 (foreløbig)");
    assert!(rows[..11].iter().all(|(l, _)| !l.contains("foreløbig")));
    assert!(mid.contains("Juni 2025 er ikke slut pr. 15-06-2025"));
    assert!(mid.contains("juni 2025: ") && mid.contains("(foreløbig)</title>"));
    // 30 June: every month complete.
    let (_, end) = get(&anna, &app, "/fokusmaal?dato=30-06-2025&maal=tidlig").await;
    assert!(month_rows(&end)
        .iter()
        .all(|(l, _)| !l.contains("foreløbig")));
    assert!(!end.contains("er ikke slut pr."));

    // A chosen period: January to March 2025, three rows, and the tabs keep it.
    let (status, q1) = get(
        &anna,
        &app,
        "/fokusmaal?dato=30-06-2025&maal=tidlig&fra=2025-01&til=2025-03",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let rows = month_rows(&q1);
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["jan. 2025", "feb. 2025", "mar. 2025"]
    );
    assert!(q1.contains("periode: jan. 2025–mar. 2025"));
    assert!(q1.contains("&#38;fra=2025-01&#38;til=2025-03"));
    assert!(q1.contains("<option value=\"2025-01\" selected>jan. 2025</option>"));
    // The figures are the core's for those months.
    let expected = kadence_core::measures::compute(
        &app.pop,
        &kadence_core::rules::RuleBook::danish(),
        MeasureKind::EarlyEffort,
        &Definition::official(),
        Month::new(2025, 1),
        Month::new(2025, 3),
        Day::ymd(2025, 6, 30),
    );
    let cells = expected.cells(&*app.pop, Split::Total);
    for (row, cell) in rows.iter().zip(&cells) {
        assert_eq!(row.1, kadence_core::dk::int(i64::from(cell.numerator)));
    }

    // Periods that cannot be shown are refused in Danish.
    for (query, says) in [
        (
            "fra=2025-05&til=2025-03",
            "Perioden begynder (maj 2025) efter den slutter (marts 2025).",
        ),
        (
            "til=2025-07",
            "Perioden slutter i juli 2025, efter opgørelsesdatoens måned (juni 2025).",
        ),
        (
            "fra=2019-01&til=2025-06",
            "Perioden kan højst være 60 måneder; den valgte er 78.",
        ),
        ("fra=2014-12&til=2015-06", "Kadence regner fra januar 2015"),
        ("fra=januar", "«januar» er ikke en måned."),
    ] {
        let (status, page) = get(
            &anna,
            &app,
            &format!("/fokusmaal?dato=30-06-2025&maal=tidlig&{query}"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.contains(says), "{query}: {page}");
    }

    // The figures as Excel: the months of the period with the provisional one marked; split by
    // team, each month's teams add up to the month's total.
    let res = anna
        .get(app.url(
            "/fokusmaal/tal.xlsx?dato=15-06-2025&maal=tidlig&opdelt=team&fra=2025-01&til=2025-06",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("kadence-fokusmaal-tal-tidlig-officiel-team-2025-01-2025-06-2025-06-15.xlsx"));
    let bytes = res.bytes().await.unwrap();
    let monthly = ListSheet::read(&bytes);
    assert_eq!(monthly.name, "Pr. måned");
    assert!(monthly
        .title
        .starts_with("Fokusmål pr. måned: Tidlig indsats"));
    assert!(monthly
        .context
        .starts_with("Data pr. 15-06-2025 · Periode: jan. 2025–juni 2025 · Definition: "));
    assert_eq!(
        monthly.header,
        ["Måned", "Tæller", "Nævner", "Andel", "Mål", "Foreløbig"]
    );
    let months: Vec<String> = monthly.rows.iter().map(|r| r[0].to_string()).collect();
    assert_eq!(
        months,
        ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    );
    let provisional: Vec<bool> = monthly
        .rows
        .iter()
        .map(|r| {
            r.get(5)
                .is_some_and(|c| *c == Data::String("foreløbig".into()))
        })
        .collect();
    assert_eq!(provisional, [false, false, false, false, false, true]);
    let total: BTreeMap<String, (f64, f64)> = monthly
        .rows
        .iter()
        .map(|r| match (&r[1], &r[2]) {
            (Data::Float(n), Data::Float(d)) => (r[0].to_string(), (*n, *d)),
            other => panic!("{other:?}"),
        })
        .collect();
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let split = book.worksheet_range("Pr. team og måned").unwrap();
    let mut summed: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for r in split.rows().skip(3) {
        let (Data::Float(n), Data::Float(d)) = (&r[2], &r[3]) else {
            panic!("{r:?}")
        };
        let e = summed.entry(r[1].to_string()).or_default();
        e.0 += n;
        e.1 += d;
    }
    assert_eq!(summed, total);
}

/// The rows of the registration-lag table: (group, conversations, late, share).
fn lag_rows(page: &str) -> Vec<(String, String, String, String)> {
    let i = page.find("Registreringsefterslæb:").expect("the lag table");
    let table = &page[i..page[i..].find("</table>").unwrap() + i];
    table
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|s| {
            let label = s.split("</th>").next().unwrap().to_string();
            let nums: Vec<String> = s
                .split("<td class=\"num\">")
                .skip(1)
                .map(|x| x.split("</td>").next().unwrap().to_string())
                .collect();
            (label, nums[0].clone(), nums[1].clone(), nums[2].clone())
        })
        .collect()
}

/// Issue 16: the registration lag on Fokusmål, per caseworker for the team lead (by name) and
/// the analyst (by pseudonym), a caseworker's own and her team's for her; the figures are the
/// core's, and a day replayed in the past names "registreret for sent" in the reconciliation.
#[tokio::test]
async fn registration_lag_for_the_right_eyes_and_late_registration_in_the_reconciliation() {
    use kadence_core::model::*;
    use kadence_core::registration::registration_lag;
    // One course whose first follow-up (due 01-06-2025, the end of week 8) was held on 30-05 and
    // registered on 12-06: on 10-06 it is not yet in the case system.
    let app = spawn_with("focus-lag", |b| {
        let citizen = b.add_citizen(Citizen {
            cpr: kadence_core::cpr::Cpr::synthetic(Day::ymd(1979, 3, 3), 4242),
            name: "Sen Registrering".into(),
        });
        let course = b.add_course(Course {
            key: "SEN-1".into(),
            citizen,
            kind: CourseKind::SicknessBenefit,
            first_absence: Day::ymd(2025, 4, 7),
            benefit_start: Day::ymd(2025, 4, 7),
            transition: None,
            from_course: None,
            target_group: TargetGroup::Unemployed,
            visitation: None,
            early_request: None,
            predictable: None,
            reform: None,
            end: None,
            caseworker: Some(CaseworkerId::new(0)),
        });
        b.conversations.push((
            course,
            Conversation {
                date: Day::ymd(2025, 5, 30),
                form: ConversationForm::InPerson,
                held: true,
                planned: false,
                caseworker: None,
                registered: Some(Day::ymd(2025, 6, 12)),
            },
        ));
    })
    .await;
    let (from, to) = (Day::ymd(2024, 7, 1), Day::ymd(2025, 6, 30));
    let core = registration_lag(&app.pop, from, to, to, 0, Split::Caseworker, |_| true);
    assert!(core.total.late > 0 && core.total.late < core.total.registered);
    let path = "/fokusmaal?dato=30-06-2025&maal=tidlig&opdelt=sagsbehandler";
    let (lars, _) = app.login("lars").await;
    let (_, lead) = get(&lars, &app, path).await;
    assert!(
        lead.contains("Kommunens regel: en samtale registreres samme dag, som samtalen er holdt.")
    );
    let rows = lag_rows(&lead);
    let total = rows.last().unwrap();
    assert_eq!(
        (total.0.as_str(), &total.1, &total.2),
        (
            "I alt",
            &kadence_core::dk::int(i64::from(core.total.registered)),
            &kadence_core::dk::int(i64::from(core.total.late))
        )
    );
    assert_eq!(rows.len(), core.rows.len() + 1);
    let me = app
        .pop
        .caseworkers
        .iter()
        .find(|c| c.key == app.own_caseworker)
        .unwrap();
    assert!(rows.iter().any(|r| r.0 == me.name), "{rows:?}");

    let (anna, _) = app.login("anna").await;
    let (_, analyst) = get(&anna, &app, path).await;
    let pseudonymised = lag_rows(&analyst);
    assert_eq!(pseudonymised.len(), rows.len());
    assert!(pseudonymised
        .iter()
        .all(|r| r.0.starts_with("S-") || r.0 == "I alt" || r.0 == "Ikke fordelt"));

    let (mette, _) = app.login("mette").await;
    let (_, own) = get(&mette, &app, path).await;
    let mine = lag_rows(&own);
    let team = &app.pop.teams[me.team.index()];
    assert_eq!(
        mine.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        [
            format!("Dig ({})", me.name),
            format!("Dit team i alt ({})", team.name),
            "I alt".to_string()
        ]
    );
    let mine_core = registration_lag(&app.pop, from, to, to, 0, Split::Total, |w| {
        w.is_some_and(|w| app.pop.caseworkers[w.index()].key == me.key)
    });
    assert_eq!(
        mine[0].1,
        kadence_core::dk::int(i64::from(mine_core.total.registered))
    );
    for other in app.pop.caseworkers.iter().filter(|c| c.key != me.key) {
        assert!(
            !own.contains(&other.name),
            "{} shown to a caseworker",
            other.name
        );
    }

    // Replayed on an earlier day, some conversations held by then were registered after it:
    // STAR's figure (counted by registration) and the own one (by the day held) differ for that
    // reason, course by course, as the core reconciles them.
    let day = Day::ymd(2025, 6, 10);
    let rec = kadence_core::reconcile::reconcile(
        &app.pop,
        &kadence_core::rules::RuleBook::danish(),
        MeasureKind::FirstFollowUpOnTime,
        &Definition::official(),
        &Definition::internal_legacy(),
        Month::new(2025, 1),
        Month::new(2025, 6),
        day,
    );
    let late = rec
        .differences
        .iter()
        .filter(|d| {
            d.reasons
                .iter()
                .any(|r| matches!(r, kadence_core::reconcile::Reason::RegisteredLate { .. }))
        })
        .count();
    assert!(late > 0, "the replayed day has late registrations");
    let (_, back) = get(
        &lars,
        &app,
        "/fokusmaal?dato=10-06-2025&maal=foerste&fra=2025-01&til=2025-06",
    )
    .await;
    assert!(
        back.contains(&format!(
            "registreret for sent (holdt inden opgørelsesdagen, registreret efter): {late} forløb"
        )),
        "{}",
        &back[back.find("Afstemning mod").unwrap()..][..600]
    );
    // The course's own line says why, with the days of lag (dates as months beside a pseudonym).
    assert!(
        back.contains("registreret for sent: 1 samtale holdt inden opgørelsesdagen blev registreret efter den (senest holdt maj 2025, registreret juni 2025, 13 dage efter)"),
        "the late course's reason"
    );
}
