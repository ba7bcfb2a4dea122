//! `kadence udvalg`: the committee's monthly management information for a month as of a date, as
//! Danish text or JSON: the groups against their targets with the traffic light and its rule,
//! Kadence's own figures beside Jobindsats', the comparisons, the duration bands and every source.
//! The page "Udvalg" and its Excel annex render the same `MonthlyReport`.

use super::*;

use kadence_core::committee::{
    monthly_report, own_figures, own_source, MonthlyReport, ReportInput, RowSource,
};

#[derive(Serialize)]
struct CommitteeOut {
    settings_version: u32,
    settings: String,
    #[serde(flatten)]
    report: MonthlyReport,
    /// Per team, with --pr-team: (group, team, persons, full-time persons).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    teams: Vec<(String, String, u32, f64)>,
}

/// The report `kadence udvalg` and its tests use.
pub(super) fn report(src: &Source, month: Month, as_of: Day) -> (MonthlyReport, u32, String) {
    let version = src.settings_on(as_of);
    let book = version.settings.book();
    let own = version
        .settings
        .definition(None)
        .cloned()
        .unwrap_or_else(kadence_core::measures::Definition::by_the_law);
    let report = monthly_report(&ReportInput {
        pop: &src.population,
        settings: &version.settings.committee,
        targets: &src.targets,
        jobindsats: &src.jobindsats,
        month,
        as_of,
        book: &book,
        own_definition: &own,
        registration_days: version.settings.duties.registration_days,
        own_source: own_source(as_of, &version.label()),
    });
    (report, version.version, version.label())
}

pub(super) fn committee(
    src: &Source,
    month: Month,
    as_of: Day,
    by_team: bool,
    format: Format,
) -> Result<(), Failure> {
    let pop = &src.population;
    let (report, settings_version, settings) = report(src, month, as_of);
    let teams: Vec<(String, String, u32, f64)> = if by_team {
        own_figures(pop, month, as_of, true)
            .into_iter()
            .filter_map(|f| {
                f.team.map(|t| {
                    (
                        f.group.to_string(),
                        t.map_or("Ikke fordelt".to_string(), |t| {
                            pop.teams[t.index()].name.clone()
                        }),
                        f.persons,
                        f.full_time_persons,
                    )
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let out = CommitteeOut {
        settings_version,
        settings,
        report,
        teams,
    };
    if format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&out)
                .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?
        );
        return Ok(());
    }
    let r = &out.report;
    println!(
        "Ledelsesinformation for {}, pr. {} ({})",
        dk::month(month),
        as_of.dk(),
        out.settings
    );
    let mut t = Table::new([
        "Ydelsesgruppe",
        "Personer",
        "Fuldtidspersoner",
        "Samme måned sidste år",
        "Ændring",
        "Gns. år til dato",
        "Måltal",
        "Afvigelse",
        "Trafiklys",
        "Kilde",
    ])
    .right(&[1, 2, 3, 4, 5, 6, 7]);
    for g in &r.rows {
        let mut label = g.label.to_string();
        if g.provisional_state {
            label.push_str(" (foreløbig)");
        }
        if g.state != kadence_core::committee::GroupState::Active {
            label.push_str(&format!(" [{}]", g.state_label));
        }
        let mut ft = dk::maybe(g.full_time, 1);
        if g.partial {
            ft.push_str(" (måneden er ikke slut)");
        }
        if g.provisional_month {
            ft.push_str(" (foreløbig)");
        }
        t.row([
            label,
            dk::maybe(g.persons, 0),
            ft,
            dk::maybe(g.last_year_full_time, 1),
            g.change.map(|c| dk::signed(c, 1)).unwrap_or_default(),
            match g.ytd_average {
                Some(a) => format!("{} ({} md.)", dk::decimal(a, 1), g.ytd_months),
                None => "-".into(),
            },
            match g.target {
                Some(v) if g.target_is_budget => format!("{} (budget)", dk::decimal(v, 1)),
                Some(v) => dk::decimal(v, 1),
                None => "-".into(),
            },
            g.deviation_pct
                .map(|d| format!("{} %", dk::signed(d, 1)))
                .unwrap_or_default(),
            g.light.map_or("-", |l| l.label()).to_string(),
            match &g.source {
                RowSource::Own => "Kadence".to_string(),
                RowSource::Jobindsats { table } => format!("Jobindsats {table}"),
                RowSource::Missing => "ikke hentet".to_string(),
            },
        ]);
    }
    print!("{}", t.render());
    println!("{}", r.legend);
    if !out.teams.is_empty() {
        println!("\nKadences egne tal pr. team:");
        let mut t =
            Table::new(["Ydelsesgruppe", "Team", "Personer", "Fuldtidspersoner"]).right(&[2, 3]);
        for (g, team, p, ft) in &out.teams {
            t.row([
                g.clone(),
                team.clone(),
                dk::int(i64::from(*p)),
                dk::decimal(*ft, 1),
            ]);
        }
        print!("{}", t.render());
    }
    if r.beside.iter().any(|b| b.jobindsats.is_some()) {
        println!("\nKadences egne tal ved siden af Jobindsats' (fuldtidspersoner):");
        let mut t = Table::new(["Ydelsesgruppe", "Måned", "Kadence", "Jobindsats", "Forskel"])
            .right(&[2, 3, 4]);
        for b in &r.beside {
            t.row([
                b.label.to_string(),
                dk::month(b.month),
                dk::decimal(b.own, 1),
                format!(
                    "{}{}",
                    dk::maybe(b.jobindsats, 1),
                    if b.provisional { " (foreløbig)" } else { "" }
                ),
                b.difference.map(|d| dk::signed(d, 1)).unwrap_or_default(),
            ]);
        }
        print!("{}", t.render());
    }
    if !r.comparisons.is_empty() {
        println!("\nFuldtidspersoner i pct. af arbejdsstyrken 16–66 år:");
        let mut head = vec!["Ydelsesgruppe".to_string(), "Måned".to_string()];
        head.extend(r.areas.iter().cloned());
        let n = head.len();
        let mut t = Table::new(head).right(&(2..n).collect::<Vec<_>>());
        for c in &r.comparisons {
            let mut row = vec![
                c.label.to_string(),
                c.month.map_or("-".into(), |m| {
                    format!(
                        "{}{}",
                        dk::month(m),
                        if c.provisional { " (foreløbig)" } else { "" }
                    )
                }),
            ];
            row.extend(
                c.shares
                    .iter()
                    .map(|s| s.map_or("-".into(), |s| format!("{} %", dk::decimal(s, 1)))),
            );
            t.row(row);
        }
        print!("{}", t.render());
    }
    let d = &r.durations;
    println!(
        "\nSygedagpenge efter varighed (forløb på ydelsen {} og {}):",
        d.on.dk(),
        d.year_before.dk()
    );
    let mut t = Table::new([
        "Varighed",
        d.on.dk().to_string().as_str(),
        d.year_before.dk().to_string().as_str(),
    ])
    .right(&[1, 2]);
    for (now, then) in d.now.iter().zip(&d.then) {
        t.row([
            now.label.clone(),
            dk::int(i64::from(now.courses)),
            dk::int(i64::from(then.courses)),
        ]);
    }
    print!("{}", t.render());
    let f = &r.follow_up;
    println!(
        "\nOpfølgning på sygedagpengeområdet (tidlig indsats: mindst 4 samtaler ved 6 måneders anciennitet, STARs mål 80 %; egen definition: {}):",
        f.own_name
    );
    let mut t = Table::new([
        "Måned",
        "Tidlig indsats, STAR",
        "Tidlig indsats, egen",
        "80 % nået",
        "1. opfølgning, STAR",
        "1. opfølgning, egen",
    ])
    .right(&[1, 2, 4, 5]);
    for m in f.months.iter().rev() {
        t.row([
            format!(
                "{}{}",
                dk::month(m.month),
                if m.partial { " (ikke slut)" } else { "" }
            ),
            m.early_official.text(),
            m.early_own.text(),
            m.met_text().to_string(),
            m.first_official.text(),
            m.first_own.text(),
        ]);
    }
    print!("{}", t.render());
    for b in [&f.bridge_month, &f.bridge_year] {
        println!("\nFra STARs tal til kommunens, {}:", b.period());
        let mut t = Table::new(["Trin", "Forløb", "Flytter tallet"]).right(&[1, 2]);
        t.row(["STARs tal".to_string(), String::new(), b.official.text()]);
        for s in &b.steps {
            t.row([
                s.reason.clone(),
                dk::int(i64::from(s.courses)),
                s.points_text(),
            ]);
        }
        t.row([
            "Kommunens eget tal".to_string(),
            String::new(),
            b.own.text(),
        ]);
        print!("{}", t.render());
    }
    println!("{}", f.bridge_method);
    println!("\n{}", f.registration_text());
    let g = &f.registration;
    if g.has_dates() {
        let mut t = Table::new([
            "Team",
            "Afholdte samtaler",
            "Registreret for sent",
            "Andel for sent",
            "Længste",
        ])
        .right(&[1, 2, 3, 4]);
        for r in g.rows.iter().filter(|r| r.registered > 0).chain([&g.total]) {
            let [registered, late, share, longest] = r.texts();
            t.row([r.label.clone(), registered, late, share, longest]);
        }
        print!("{}", t.render());
    }
    let fc = &r.forecast;
    println!(
        "\nPrognose for tidlig indsats, {} (pr. {}):\n{}\n{}",
        dk::month(fc.month),
        fc.as_of.dk(),
        fc.summary(),
        fc.method
    );
    println!("\nMetode: {}", r.method);
    for s in &r.sources {
        println!("{s}");
    }
    for n in &r.notes {
        println!("Bemærk: {n}");
    }
    for g in r.rows.iter().filter(|g| !g.note.is_empty()) {
        println!("{}: {}.", g.label, g.note);
    }
    Ok(())
}
