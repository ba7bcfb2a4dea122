//! "Revisionslog": the administrator's look-ups in the audit log and the chain's verification.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use kadence_core::date::Day;
use kadence_core::dk;
use kadence_store::access::{AuditEntry, AuditRecord};
use serde::Deserialize;

use crate::frame::*;
use crate::xlsx;
use crate::{AppState, Authed};

/// One row of a citizen's extract: look-ups by the same user, with the same action, purpose and
/// course on the same day, newest first. A list view logs one entry per citizen each time it is
/// shown, so a caseworker's morning list is one row "5 gange, kl. 08:01–11:40", not five.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExtractRow {
    pub day: Day,
    /// "kl. 15:33", or "kl. 08:01–15:33" for several.
    pub time: String,
    pub count: usize,
    pub action: String,
    pub purpose: String,
    pub course: String,
    pub user: String,
}

impl ExtractRow {
    /// The day as the page writes it: dd-mm-åååå.
    pub fn date(&self) -> String {
        self.day.dk().to_string()
    }
}

/// A record's local day and time (Europe/Copenhagen); `None` for a timestamp that does not parse.
fn local(at: &str) -> Option<(Day, String)> {
    let z = at
        .parse::<jiff::Timestamp>()
        .ok()?
        .in_tz("Europe/Copenhagen")
        .ok()?;
    Some((Day::from_jiff(z.date()), z.strftime("%H:%M").to_string()))
}

/// The extract's rows: records in `from..=to` (local days, both optional), newest first, grouped.
/// Pure: the records and the period are its inputs.
pub(crate) fn extract(
    mut records: Vec<AuditRecord>,
    from: Option<Day>,
    to: Option<Day>,
) -> Vec<ExtractRow> {
    records.sort_by(|a, b| b.seq.cmp(&a.seq).then_with(|| b.at.cmp(&a.at)));
    let mut rows: Vec<(ExtractRow, String)> = Vec::new();
    for r in records {
        let Some((day, time)) = local(&r.at) else {
            continue;
        };
        if from.is_some_and(|f| day < f) || to.is_some_and(|t| day > t) {
            continue;
        }
        let course = r.entry.course_key.unwrap_or_default();
        if let Some((last, first_time)) = rows.last_mut() {
            if last.day == day
                && last.user == r.entry.username
                && last.action == r.entry.action
                && last.purpose == r.entry.purpose
                && last.course == course
            {
                // Newest first: this one is earlier, so it starts the span.
                last.count += 1;
                *first_time = time;
                continue;
            }
        }
        rows.push((
            ExtractRow {
                day,
                time: time.clone(),
                count: 1,
                action: r.entry.action,
                purpose: r.entry.purpose,
                course,
                user: r.entry.username,
            },
            time,
        ));
    }
    rows.into_iter()
        .map(|(mut row, earliest)| {
            row.time = if row.count == 1 || earliest == row.time {
                format!("kl. {}", row.time)
            } else {
                format!("kl. {earliest}–{}", row.time)
            };
            row
        })
        .collect()
}

#[derive(Template)]
#[template(path = "audit.html")]
pub(crate) struct AuditPage {
    layout: Option<Layout>,
    intact: bool,
    /// The chain's state, when an administrator asked for the check.
    verdict: Option<String>,
    csrf: String,
    message: Option<String>,
    citizen: Option<String>,
    entries: Vec<ExtractRow>,
    /// "7 opslag på 3 linjer": the look-ups behind the rows (a row may stand for several).
    summary: String,
    /// The period as the form had it, and in words.
    from: String,
    to: String,
    period: String,
    made: String,
}

/// What the extract form asked for.
#[derive(Default)]
pub(crate) struct Asked {
    citizen: Option<String>,
    entries: Vec<ExtractRow>,
    from: String,
    to: String,
    period: String,
}

pub(crate) async fn audit_view(
    st: &AppState,
    a: &Authed,
    asked: Asked,
    message: Option<String>,
    check: bool,
) -> Response {
    // Verifying reads the whole log (millions of events after a year), so only when asked.
    let (intact, verdict) = if !check {
        (true, None)
    } else {
        match st.store.audit_verify().await {
            Ok(v) => (
                v.is_intact(),
                Some(format!(
                    "{} {}",
                    v.danish(),
                    st.store.audit_witness().danish()
                )),
            ),
            Err(_) => (
                false,
                Some("Revisionsloggen kunne ikke kontrolleres.".to_string()),
            ),
        }
    };
    html(&AuditPage {
        layout: Some(layout(st, a, "/admin/revision", today(st), Vec::new())),
        intact,
        verdict,
        csrf: a.session.csrf_token.clone(),
        message,
        citizen: asked.citizen,
        summary: {
            let lookups: usize = asked.entries.iter().map(|e| e.count).sum();
            let lines = asked.entries.len();
            format!(
                "{} opslag på {} {}",
                dk::int(lookups as i64),
                dk::int(lines as i64),
                if lines == 1 { "linje" } else { "linjer" }
            )
        },
        entries: asked.entries,
        from: asked.from,
        to: asked.to,
        period: asked.period,
        made: format!(
            "{} af {}",
            dk::local_time(&st.now().to_string()),
            a.session.user.username
        ),
    })
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    kontrol: Option<String>,
}

pub async fn audit_page(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Query(q): Query<AuditQuery>,
) -> Response {
    audit_view(&st, &a, Asked::default(), None, q.kontrol.is_some()).await
}

#[derive(Deserialize)]
pub struct CprForm {
    cpr: String,
    /// The period, dd-mm-åååå, both optional.
    #[serde(default)]
    fra: String,
    #[serde(default)]
    til: String,
    /// "xlsx": the extract as an Excel file instead of the page.
    #[serde(default)]
    hent: String,
}

/// One citizen's audit trail, looked up by POST so the CPR number is never in a URL, newest first,
/// within the period asked for, as the page (printable: the print stylesheet leaves out the menu
/// and forms) or as an Excel file; the look-up is itself logged.
pub async fn audit_lookup(
    State(st): State<Arc<AppState>>,
    Extension(a): Extension<Authed>,
    Form(f): Form<CprForm>,
) -> Response {
    let (from_text, to_text) = (f.fra.trim().to_string(), f.til.trim().to_string());
    let form_back = |message: String| {
        (
            Asked {
                from: from_text.clone(),
                to: to_text.clone(),
                ..Asked::default()
            },
            message,
        )
    };
    let Ok(cpr) = kadence_core::cpr::Cpr::parse(&f.cpr) else {
        let (asked, m) = form_back("Skriv et gyldigt CPR-nummer (10 cifre).".into());
        return audit_view(&st, &a, asked, Some(m), false).await;
    };
    let day = |text: &str, which: &str| -> Result<Option<Day>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        kadence_import::text::parse_date(text)
            .map(Some)
            .ok_or_else(|| {
                format!("«{text}» i «{which}» er ikke en dato. Skriv den som dd-mm-åååå.")
            })
    };
    let period = day(&from_text, "Fra").and_then(|f| Ok((f, day(&to_text, "Til")?)));
    let (from, to) = match period {
        Ok((Some(f), Some(t))) if f > t => {
            let (asked, m) = form_back(format!(
                "Perioden begynder {} efter den slutter {}.",
                f.dk(),
                t.dk()
            ));
            return audit_view(&st, &a, asked, Some(m), false).await;
        }
        Ok(p) => p,
        Err(m) => {
            let (asked, m) = form_back(m);
            return audit_view(&st, &a, asked, Some(m), false).await;
        }
    };
    let Ok(records) = st.store.audit_entries(Some(&cpr)).await else {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Udtrækket fejlede",
            "Revisionsloggen kunne ikke læses.",
        );
    };
    let as_excel = f.hent == "xlsx";
    let entry = AuditEntry {
        username: a.session.user.username.clone(),
        cpr: Some(cpr),
        course_key: None,
        action: if as_excel {
            "udtræk af revisionslog (Excel)".into()
        } else {
            "udtræk af revisionslog".into()
        },
        purpose: "Indsigtsanmodning eller kontrol".into(),
    };
    if st.store.audit_append(&[entry], st.now()).await.is_err() {
        return render_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Udtrækket kan ikke vises",
            "Opslaget kunne ikke logges, og derfor vises udtrækket ikke.",
        );
    }
    let period = match (from, to) {
        (None, None) => "hele loggen".to_string(),
        (Some(f), None) => format!("fra {}", f.dk()),
        (None, Some(t)) => format!("til og med {}", t.dk()),
        (Some(f), Some(t)) => format!("{}–{}", f.dk(), t.dk()),
    };
    let entries = extract(records, from, to);
    if as_excel {
        return extract_xlsx(&st, &a, &cpr.masked(), &period, &entries);
    }
    let asked = Asked {
        citizen: Some(cpr.masked()),
        entries,
        from: from_text,
        to: to_text,
        period,
    };
    audit_view(&st, &a, asked, None, false).await
}

fn extract_xlsx(
    st: &AppState,
    a: &Authed,
    citizen: &str,
    period: &str,
    rows: &[ExtractRow],
) -> Response {
    use rust_xlsxwriter::Workbook;
    let made = dk::local_time(&st.now().to_string());
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let headers = [
            ("Dato", 12.0),
            ("Tidspunkt", 16.0),
            ("Antal opslag", 10.0),
            ("Handling", 34.0),
            ("Formål", 40.0),
            ("Forløb", 18.0),
            ("Bruger", 18.0),
        ];
        let mut wb = Workbook::new();
        let ws = xlsx::titled_sheet(
            &mut wb,
            "Revisionslog",
            &format!("Udtræk af revisionslog for {citizen}"),
            &format!(
                "Periode: {period} · Dannet {made} af {} · Nyeste først; opslag samme dag med samme bruger, handling, formål og forløb står på én linje",
                a.session.user.username
            ),
            &headers,
        )?;
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + xlsx::TITLED_FIRST_ROW;
            xlsx::write_day(ws, row, 0, r.day)?;
            ws.write_string(row, 1, &r.time)?;
            ws.write_number(row, 2, r.count as f64)?;
            ws.write_string(row, 3, &r.action)?;
            ws.write_string(row, 4, &r.purpose)?;
            ws.write_string(row, 5, &r.course)?;
            ws.write_string(row, 6, &r.user)?;
        }
        xlsx::filter_titled(ws, rows.len(), headers.len())?;
        xlsx::about(
            &mut wb,
            &[
                ("Borger", citizen.to_string()),
                ("Periode", period.to_string()),
                ("Dannet", format!("{made} af {}", a.session.user.username)),
                (
                    "Opslag i alt",
                    dk::int(rows.iter().map(|r| r.count as i64).sum()),
                ),
            ],
        )?;
        wb.save_to_buffer()
    };
    xlsx::download(
        build(),
        &format!(
            "kadence-revisionslog-{}.xlsx",
            st.now().strftime("%Y-%m-%d")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: i64, at: &str, user: &str, action: &str, course: &str) -> AuditRecord {
        AuditRecord {
            seq,
            at: at.into(),
            entry: AuditEntry {
                username: user.into(),
                cpr: None,
                course_key: (!course.is_empty()).then(|| course.into()),
                action: action.into(),
                purpose: "Opfølgning i egen sagsstamme".into(),
            },
            hash: String::new(),
        }
    }

    #[test]
    fn newest_first_grouped_by_day_and_filtered_by_period() {
        let records = vec![
            // 1 December, Copenhagen is UTC+1 in winter: 07:01Z is 08:01 local.
            rec(1, "2026-12-01T07:01:00Z", "mette", "vist i liste", ""),
            rec(2, "2026-12-01T09:15:00Z", "mette", "vist i liste", ""),
            rec(3, "2026-12-01T10:40:00Z", "mette", "vist i liste", ""),
            rec(4, "2026-12-01T10:41:00Z", "mette", "vist forløb", "K1"),
            rec(5, "2026-12-01T10:42:00Z", "mette", "vist i liste", ""),
            // 23:30Z on 1 December is 00:30 on 2 December in Copenhagen.
            rec(6, "2026-12-01T23:30:00Z", "mette", "vist i liste", ""),
            rec(7, "2026-12-02T08:00:00Z", "lars", "vist i liste", ""),
        ];
        let d = Day::ymd;
        let rows = extract(records.clone(), None, None);
        let got: Vec<(Day, &str, usize, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.day,
                    r.time.as_str(),
                    r.count,
                    r.action.as_str(),
                    r.user.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (d(2026, 12, 2), "kl. 09:00", 1, "vist i liste", "lars"),
                (d(2026, 12, 2), "kl. 00:30", 1, "vist i liste", "mette"),
                (d(2026, 12, 1), "kl. 11:42", 1, "vist i liste", "mette"),
                (d(2026, 12, 1), "kl. 11:41", 1, "vist forløb", "mette"),
                (
                    d(2026, 12, 1),
                    "kl. 08:01–11:40",
                    3,
                    "vist i liste",
                    "mette"
                ),
            ]
        );
        // The period is in local days, both ends included.
        let only_first = extract(records.clone(), Some(d(2026, 12, 1)), Some(d(2026, 12, 1)));
        assert_eq!(only_first.iter().map(|r| r.count).sum::<usize>(), 5);
        let from_second = extract(records.clone(), Some(d(2026, 12, 2)), None);
        assert_eq!(from_second.len(), 2);
        assert!(extract(records, None, Some(d(2026, 11, 30))).is_empty());
    }

    #[test]
    fn summer_time_is_local_too() {
        // 22:30Z on 30 June is 00:30 on 1 July in Copenhagen (UTC+2).
        let rows = extract(
            vec![rec(1, "2026-06-30T22:30:00Z", "mette", "vist forløb", "K1")],
            None,
            None,
        );
        assert_eq!(
            (rows[0].day, rows[0].time.as_str()),
            (Day::ymd(2026, 7, 1), "kl. 00:30")
        );
    }
}
