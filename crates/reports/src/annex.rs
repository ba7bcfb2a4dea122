//! The committee's Excel annex (bilag): the monthly report's tables, one sheet per table with real
//! numbers, the source lines in every sheet, and "Om udtrækket". Written the same from the page
//! "Udvalg", the agenda item and `kadence udvalg --bilag`.

use kadence_core::committee::{MonthlyReport, RowSource};
use kadence_core::dk;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

/// The label of a figure's source, as the page and the annex write it.
pub fn source_label(s: &RowSource) -> String {
    match s {
        RowSource::Own => "Kadence, egne data".into(),
        RowSource::Jobindsats { table } => format!("Jobindsats, {table}"),
        RowSource::Missing => "ikke hentet".into(),
    }
}

/// The annex of one monthly report; `settings` names the settings version in force.
pub fn committee(r: &MonthlyReport, settings: &str) -> Result<Vec<u8>, XlsxError> {
    let num = |ws: &mut Worksheet, row: u32, col: u16, v: Option<f64>| -> Result<(), XlsxError> {
        if let Some(v) = v {
            ws.write_number(row, col, v)?;
        }
        Ok(())
    };
    let sources = |ws: &mut Worksheet, from: u32| -> Result<(), XlsxError> {
        for (i, s) in r.sources.iter().enumerate() {
            ws.write_string(from + 1 + i as u32, 0, s)?;
        }
        Ok(())
    };
    let mut wb = Workbook::new();
    {
        let ws = crate::xlsx::sheet(
            &mut wb,
            "Ydelsesgrupper",
            &[
                ("Ydelsesgruppe", 34.0),
                ("Status i måneden", 18.0),
                ("Personer", 11.0),
                ("Fuldtidspersoner", 14.0),
                ("Samme måned sidste år", 14.0),
                ("Ændring", 11.0),
                ("Gns. år til dato", 12.0),
                ("Hele måneder i gns.", 10.0),
                ("Måltal", 11.0),
                ("Måltal er budget", 10.0),
                ("Afvigelse (%)", 11.0),
                ("Trafiklys", 10.0),
                ("Bemærkning", 22.0),
                ("Kilde", 22.0),
            ],
        )?;
        for (i, g) in r.rows.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, g.label)?;
            ws.write_string(row, 1, g.state_label)?;
            num(ws, row, 2, g.persons)?;
            num(ws, row, 3, g.full_time)?;
            num(ws, row, 4, g.last_year_full_time)?;
            num(ws, row, 5, g.change)?;
            num(ws, row, 6, g.ytd_average)?;
            ws.write_number(row, 7, f64::from(g.ytd_months))?;
            num(ws, row, 8, g.target)?;
            ws.write_string(row, 9, if g.target_is_budget { "Ja" } else { "Nej" })?;
            num(ws, row, 10, g.deviation_pct)?;
            ws.write_string(row, 11, g.light.map_or("", |l| l.label()))?;
            let flag = if g.partial {
                "måneden er ikke slut"
            } else if g.provisional_month {
                "foreløbigt tal"
            } else {
                ""
            };
            ws.write_string(row, 12, flag)?;
            ws.write_string(row, 13, source_label(&g.source))?;
        }
        let end = r.rows.len() as u32 + 2;
        ws.write_string(end, 0, &r.legend)?;
        sources(ws, end)?;
    }
    {
        let ws = crate::xlsx::sheet(
            &mut wb,
            "Tre år",
            &[
                ("Ydelsesgruppe", 34.0),
                ("År", 8.0),
                ("Måned", 8.0),
                ("Fuldtidspersoner", 14.0),
                ("Budgetpersoner", 14.0),
                ("Måltal (år)", 12.0),
            ],
        )?;
        let mut row = 1;
        for s in r.series.iter().filter(|s| s.source != RowSource::Missing) {
            let newest = s.years.last().map(|y| y.year);
            for y in &s.years {
                for (i, v) in y.months.iter().enumerate() {
                    ws.write_string(row, 0, s.label)?;
                    ws.write_number(row, 1, f64::from(y.year))?;
                    ws.write_number(row, 2, i as f64 + 1.0)?;
                    num(ws, row, 3, *v)?;
                    if Some(y.year) == newest {
                        num(ws, row, 4, s.budget[i])?;
                        num(ws, row, 5, s.target)?;
                    }
                    row += 1;
                }
            }
        }
        sources(ws, row)?;
    }
    {
        let ws = crate::xlsx::sheet(
            &mut wb,
            "Egne tal og Jobindsats",
            &[
                ("Ydelsesgruppe", 24.0),
                ("Måned", 10.0),
                ("Kadence", 12.0),
                ("Jobindsats", 12.0),
                ("Forskel", 12.0),
                ("Jobindsats foreløbig", 12.0),
            ],
        )?;
        for (i, b) in r.beside.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, b.label)?;
            ws.write_string(row, 1, b.month.to_string())?;
            ws.write_number(row, 2, b.own)?;
            num(ws, row, 3, b.jobindsats)?;
            num(ws, row, 4, b.difference)?;
            ws.write_string(row, 5, if b.provisional { "Ja" } else { "Nej" })?;
        }
        sources(ws, r.beside.len() as u32 + 1)?;
    }
    {
        let mut headers: Vec<(&str, f64)> = vec![("Ydelsesgruppe", 34.0), ("Måned", 10.0)];
        headers.extend(r.areas.iter().map(|a| (a.as_str(), 14.0)));
        let ws = crate::xlsx::sheet(&mut wb, "Sammenligning", &headers)?;
        for (i, c) in r.comparisons.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, c.label)?;
            ws.write_string(row, 1, c.month.map(|m| m.to_string()).unwrap_or_default())?;
            for (k, s) in c.shares.iter().enumerate() {
                num(ws, row, k as u16 + 2, *s)?;
            }
        }
        let end = r.comparisons.len() as u32 + 1;
        ws.write_string(
            end + 1,
            0,
            "Fuldtidspersoner i pct. af arbejdsstyrken 16–66 år",
        )?;
        sources(ws, end + 1)?;
    }
    {
        let ws = crate::xlsx::sheet(
            &mut wb,
            "Varighed",
            &[
                ("Varighed", 16.0),
                ("Forløb", 12.0),
                ("Forløb et år før", 14.0),
            ],
        )?;
        for (i, (n, t)) in r.durations.now.iter().zip(&r.durations.then).enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &n.label)?;
            ws.write_number(row, 1, f64::from(n.courses))?;
            ws.write_number(row, 2, f64::from(t.courses))?;
        }
        let end = r.durations.now.len() as u32 + 1;
        ws.write_string(
            end + 1,
            0,
            format!(
                "Sygedagpengeforløb på ydelsen {} og {}; varighed i hele uger fra første fraværsdag.",
                r.durations.on.dk(),
                r.durations.year_before.dk()
            ),
        )?;
        sources(ws, end + 1)?;
    }
    {
        let f = &r.follow_up;
        let ws = crate::xlsx::sheet(
            &mut wb,
            "Opfølgning",
            &[
                ("Måned", 10.0),
                ("Tidlig indsats STAR, tæller", 12.0),
                ("Tidlig indsats STAR, målt", 12.0),
                ("Tidlig indsats STAR (andel)", 12.0),
                ("Tidlig indsats egen, tæller", 12.0),
                ("Tidlig indsats egen, målt", 12.0),
                ("Tidlig indsats egen (andel)", 12.0),
                ("80 % nået (STAR)", 10.0),
                ("1. opfølgning STAR, tæller", 12.0),
                ("1. opfølgning STAR, målt", 12.0),
                ("1. opfølgning egen, tæller", 12.0),
                ("1. opfølgning egen, målt", 12.0),
                ("Måneden er ikke slut", 10.0),
            ],
        )?;
        let mut row = 1;
        for m in &f.months {
            ws.write_string(row, 0, m.month.to_string())?;
            // (first column, share, whether its share is written too)
            for (col, sh, with_share) in [
                (1, m.early_official, true),
                (4, m.early_own, true),
                (8, m.first_official, false),
                (10, m.first_own, false),
            ] {
                ws.write_number(row, col, f64::from(sh.numerator))?;
                ws.write_number(row, col + 1, f64::from(sh.denominator))?;
                if with_share {
                    num(ws, row, col + 2, sh.value())?;
                }
            }
            ws.write_string(row, 7, m.met_text())?;
            ws.write_string(row, 12, if m.partial { "Ja" } else { "Nej" })?;
            row += 1;
        }
        row += 1;
        ws.write_string(
            row,
            0,
            format!(
                "STAR: {}. Egen: {} ({}).",
                f.official_name, f.own_name, f.own_description
            ),
        )?;
        for b in [&f.bridge_month, &f.bridge_year] {
            row += 2;
            ws.write_string(
                row,
                0,
                format!("Fra STARs tal til kommunens, {}", b.period()),
            )?;
            row += 1;
            ws.write_string(row, 0, "STARs tal")?;
            num(ws, row, 2, b.official.value())?;
            for s in &b.steps {
                row += 1;
                ws.write_string(row, 0, &s.reason)?;
                ws.write_number(row, 1, f64::from(s.courses))?;
                num(ws, row, 3, s.points)?;
            }
            row += 1;
            ws.write_string(row, 0, "Kommunens eget tal")?;
            num(ws, row, 2, b.own.value())?;
        }
        row += 2;
        ws.write_string(row, 0, f.bridge_method)?;
        // The month's registration lag per team (registreringsefterslæb).
        row += 2;
        ws.write_string(row, 0, f.registration_text())?;
        let g = &f.registration;
        if g.has_dates() {
            row += 1;
            for (col, h) in [
                "Team",
                "Afholdte samtaler",
                "Registreret for sent",
                "Andel for sent",
                "Længste (dage)",
            ]
            .into_iter()
            .enumerate()
            {
                ws.write_string(row, col as u16, h)?;
            }
            for r in g.rows.iter().filter(|r| r.registered > 0).chain([&g.total]) {
                row += 1;
                ws.write_string(row, 0, &r.label)?;
                ws.write_number(row, 1, f64::from(r.registered))?;
                ws.write_number(row, 2, f64::from(r.late))?;
                num(ws, row, 3, r.late_share())?;
                if let Some(d) = r.longest {
                    ws.write_number(row, 4, f64::from(d))?;
                }
            }
        }
        sources(ws, row)?;
    }
    {
        let fc = &r.forecast;
        let ws = crate::xlsx::sheet(&mut wb, "Prognose", &[("Udsigt", 40.0), ("Forløb", 10.0)])?;
        for (i, (o, n)) in fc.counts().into_iter().enumerate() {
            ws.write_string(i as u32 + 1, 0, o.label())?;
            ws.write_number(i as u32 + 1, 1, f64::from(n))?;
        }
        ws.write_string(6, 0, "Andel, hvis ingen planlagte holdes")?;
        num(ws, 6, 1, fc.low)?;
        ws.write_string(7, 0, "Andel, hvis alle planlagte holdes")?;
        num(ws, 7, 1, fc.high)?;
        ws.write_string(9, 0, fc.summary())?;
        ws.write_string(10, 0, fc.method)?;
    }
    crate::xlsx::about(
        &mut wb,
        &[
            ("Måned", dk::month(r.month)),
            ("Opgørelsesdato", r.as_of.dk().to_string()),
            ("Indstillinger", settings.to_string()),
            ("Metode", r.method.to_string()),
            ("Trafiklys", r.legend.clone()),
        ],
    )?;
    wb.save_to_buffer()
}
