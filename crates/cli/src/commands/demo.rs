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
    for suffix in ["", "-wal", "-shm"] {
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
    println!("\nPrøv i terminalen (databasen er {db}):");
    println!("  cargo run --release -- status");
    println!("  cargo run --release -- measure --maal tidlig --afstem");
    println!("  cargo run --release -- measure --maal foerste --opdelt team");

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
                format!("Leder af {}", team.name),
                Role::TeamLead,
                None,
                Some(team.key.clone()),
            ),
            (
                "analytiker",
                "Analytiker (demo)".to_string(),
                Role::Analyst,
                None,
                None,
            ),
            (
                "administrator",
                "Administrator (demo)".to_string(),
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
    serve::serve(&db, addr, false, Some(banner))
}
