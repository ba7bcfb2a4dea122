//! `kadence demo`: a synthetic municipality, imported, with a user per role, and the web app.

use super::*;

/// A random demo password: readable, 16 characters.
fn demo_password() -> String {
    let mut buf = [0u8; 16];
    let _ = getrandom::fill(&mut buf);
    let alphabet = b"abcdefghjkmnpqrstuvwxyz23456789";
    buf.iter()
        .map(|b| char::from(alphabet[usize::from(*b) % alphabet.len()]))
        .collect()
}

pub(super) fn demo(dir: &Path, seed: u64, addr: &str, without_server: bool) -> Result<(), Failure> {
    let as_of = crate::today();
    println!(
        "{}",
        generate_into(dir, Preset::Kommune, seed, None, as_of)?
    );
    let db = dir.join("kadence.sqlite").display().to_string();
    // A fresh demo database each time: the demo is always today's synthetic municipality.
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{db}{suffix}"));
    }
    import::import(&[dir.to_path_buf()], &db, false, None)?;
    let src = load_source(&SourceArgs {
        db: db.clone(),
        data: None,
    })?;
    let pop = &src.population;
    let version = src.settings_on(as_of);
    let book = version.settings.book();
    let settings = &version.settings.duties;
    let statuses: Vec<CourseStatus> = pop
        .all_facts()
        .map(|f| evaluate(f, &book, settings, as_of))
        .collect();
    let active = statuses.iter().filter(|s| s.active).count();
    let count = |k: fn(&DutyKind) -> bool, st: Status| {
        statuses
            .iter()
            .filter(|s| s.active && s.duties.iter().any(|d| k(&d.kind) && d.status == st))
            .count()
    };
    println!("\nOverblik pr. {} (Syntetisk Kommune):", as_of.dk());
    println!("  Aktive forløb: {}", dk::int(active as i64));
    println!(
        "  1. samtale overskredet: {}",
        count(|k| *k == DutyKind::FirstFollowUp, Status::Overdue)
    );
    println!(
        "  Bagud med 4 samtaler i første halvår: {}",
        count(|k| *k == DutyKind::HalfYearFollowUps, Status::Overdue)
    );
    println!(
        "  Lægeattester over frist: {}",
        count(
            |k| matches!(k, DutyKind::MedicalStatement(_)),
            Status::Overdue
        )
    );
    println!(
        "  Fritaget efter § 13 f (2026): {}",
        count(|k| *k == DutyKind::Exemption26, Status::Exempt)
    );
    println!(
        "  Sager hos rehabiliteringsteamet uden LÆ 265: {}",
        statuses
            .iter()
            .flat_map(|s| &s.duties)
            .filter(
                |d| matches!(d.kind, DutyKind::Lae265BeforeRehab(_)) && d.status == Status::Missed
            )
            .count()
    );
    let to = as_of.month().prev();
    let from = to.plus(-5);
    let defs = std::iter::once(Definition::official()).chain(version.settings.definitions.clone());
    for def in defs {
        let r = compute(pop, &book, MeasureKind::EarlyEffort, &def, from, to, as_of);
        let c = r.pooled(pop, Split::Total)[0];
        println!(
            "  Tidlig indsats {from} til {to}, {}: {} ({} af {})",
            def.name,
            c.share().map(dk::percent).unwrap_or_else(|| "-".into()),
            dk::int(i64::from(c.numerator)),
            dk::int(i64::from(c.denominator))
        );
    }
    committee_demo(dir, &db, pop, as_of, seed, &version.settings)?;
    println!("\nPrøv i terminalen (databasen er {db}):");
    println!("  cargo run --release -- status");
    println!("  cargo run --release -- measure --maal tidlig --afstem");
    println!("  cargo run --release -- measure --maal foerste --opdelt team");
    println!("  cargo run --release -- udvalg");

    // One demo user per role, linked to the busiest caseworker and their team.
    let mut load = vec![0usize; pop.caseworkers.len()];
    for c in pop.courses.iter().filter(|c| c.active_on(as_of)) {
        if let Some(cw) = c.caseworker {
            load[cw.index()] += 1;
        }
    }
    let busiest = (0..load.len()).max_by_key(|i| (load[*i], std::cmp::Reverse(*i)));
    let store = open_store(&db)?;
    let mut logins = Vec::new();
    if let Some(i) = busiest {
        use kadence_store::access::{NewUser, Role};
        let cw = &pop.caseworkers[i];
        let team = &pop.teams[cw.team.index()];
        for (username, name, role, cwk, teamk) in [
            (
                "sagsbehandler",
                cw.name.clone(),
                Role::Caseworker,
                Some(cw.key.clone()),
                None,
            ),
            (
                "teamleder",
                "Lone Bach".to_string(),
                Role::TeamLead,
                None,
                Some(team.key.clone()),
            ),
            (
                "analytiker",
                "Ida Holm".to_string(),
                Role::Analyst,
                None,
                None,
            ),
            (
                "administrator",
                "Per Lund".to_string(),
                Role::Admin,
                None,
                None,
            ),
        ] {
            let pw = demo_password();
            let new = NewUser {
                username: username.into(),
                display_name: name,
                role,
                caseworker_key: cwk,
                team_key: teamk,
            };
            block_on(store.add_user(&new, &pw, jiff::Timestamp::now()))?.map_err(store_failure)?;
            logins.push(format!("  {username:<14} {pw}   ({})", role.code()));
        }
    }
    let banner = format!(
        "\nDemo-brugere (brugernavn, adgangskode):\n{}",
        logins.join("\n")
    );
    if without_server {
        println!("{banner}");
        return Ok(());
    }
    serve::serve(
        &db,
        addr,
        serve::Web {
            // The demo's security events go to a file in its folder, not into the terminal.
            security_log: Some(dir.join("sikkerhedslog.jsonl")),
            ..serve::Web::default()
        },
        Some(banner),
    )
}

/// The committee side of the demo: synthetic Jobindsats downloads imported as files (the path a
/// municipality without an API key takes), the demo municipality's name and comparisons in the
/// settings, and targets for the year, so that the page "Udvalg" has figures, lights and sources.
fn committee_demo(
    dir: &Path,
    db: &str,
    pop: &Population,
    as_of: Day,
    seed: u64,
    current: &kadence_core::municipal::MunicipalSettings,
) -> Result<(), Failure> {
    use kadence_core::committee::targets::TargetKind;
    use kadence_synth::jobindsats::{jobindsats_files, AREAS};
    let ji = dir.join("jobindsats");
    std::fs::create_dir_all(&ji)
        .map_err(|e| Failure::new(Exit::Io, format!("{} kan ikke oprettes: {e}", ji.display())))?;
    let mut paths = Vec::new();
    for (name, text) in jobindsats_files(pop, as_of, seed) {
        let p = ji.join(name);
        std::fs::write(&p, text).map_err(|e| {
            Failure::new(Exit::Io, format!("{} kan ikke skrives: {e}", p.display()))
        })?;
        paths.push(p);
    }
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    import::import_jobindsats(&refs, db, false, None)?;
    let store = open_store(db)?;
    let mut s = current.clone();
    s.committee.municipality = AREAS[0].to_string();
    s.committee.rar_area = AREAS[1].to_string();
    s.committee.comparison = vec![AREAS[3].to_string(), AREAS[4].to_string()];
    block_on(store.save_settings(
        &s,
        as_of,
        as_of,
        "demo",
        "Demo: kommunen på Jobindsats",
        jiff::Timestamp::now(),
    ))?
    .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?;
    // Targets near this year's level so far (synthetic), one a little under, one over, so the demo
    // shows more than one colour of light.
    let month = as_of.month().prev();
    let year = month.year();
    let so_far = kadence_core::committee::own_monthly(pop, Month::new(year, 1), month, as_of);
    let mut entries = Vec::new();
    for (code, factor) in [("sygedagpenge", 0.98), ("jobafklaring", 1.1)] {
        let v: Vec<f64> = so_far
            .iter()
            .filter(|o| o.group == code && !o.partial)
            .map(|o| o.full_time_persons)
            .collect();
        if !v.is_empty() {
            let avg = v.iter().sum::<f64>() / v.len() as f64;
            entries.push((
                code.to_string(),
                TargetKind::Yearly,
                year,
                None,
                (avg * factor).round(),
            ));
        }
    }
    entries.push((
        "a-dagpenge".to_string(),
        TargetKind::Yearly,
        year,
        None,
        110.0,
    ));
    block_on(store.add_targets(
        &entries,
        as_of,
        "demo",
        "demo",
        "Demo: udvalgets måltal",
        jiff::Timestamp::now(),
    ))?
    .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?;
    Ok(())
}
