//! `kadence audit`: a citizen's look-ups, and the chain's verification.

use super::*;

pub(super) fn audit(
    action: Option<AuditAction>,
    cpr: Option<String>,
    with_users: bool,
    db: &str,
    format: Format,
) -> Result<(), Failure> {
    if let Some(AuditAction::Verify { db }) = action {
        let store = open_store(&db)?;
        let verdict = block_on(store.audit_verify())?.map_err(store_failure)?;
        eprintln!("{}", store.audit_witness().danish());
        return if verdict.is_intact() {
            println!("{}", verdict.danish());
            Ok(())
        } else {
            Err(Failure::new(Exit::AuditBroken, verdict.danish()))
        };
    }
    let Some(cpr) = cpr else {
        return Err(Failure::new(
            Exit::Usage,
            "Angiv --cpr for et udtræk, eller «kadence audit verify».",
        ));
    };
    // The CPR number is read from standard input, never taken from the command line, where every
    // local account sees it in the process list (issue 14.8).
    if cpr.trim() != "-" {
        return Err(Failure::new(
            Exit::Usage,
            "Skriv ikke CPR-nummeret på kommandolinjen: andre brugere på maskinen kan se det i proceslisten. Brug «--cpr -», og skriv nummeret på standardinput (fx «kadence audit --cpr -» og nummeret, når der spørges, eller fra en fil med «< fil»).",
        ));
    }
    let mut line = String::new();
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("CPR-nummer: ");
    }
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::new(Exit::Usage, format!("Kan ikke læse CPR-nummeret: {e}")))?;
    let cpr = kadence_core::cpr::Cpr::parse(line.trim())
        .map_err(|e| Failure::new(Exit::Usage, e.to_string()))?;
    let store = open_store(db)?;
    let entries = block_on(store.audit_entries(Some(&cpr)))?.map_err(store_failure)?;
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = entries
            .iter()
            .map(|r| {
                let mut v = serde_json::json!({
                    "time": r.at,
                    "action": r.entry.action,
                    "purpose": r.entry.purpose,
                    "course": r.entry.course_key,
                });
                if with_users {
                    v["user"] = serde_json::Value::from(r.entry.username.clone());
                }
                v
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "cpr": cpr.masked(), "entries": rows })
            )
            .unwrap_or_default()
        );
        return Ok(());
    }
    println!(
        "Opslag i oplysninger om borgeren {} ({} i alt):",
        cpr.masked(),
        entries.len()
    );
    let mut header = vec!["Tidspunkt", "Handling", "Formål", "Forløb"];
    if with_users {
        header.push("Bruger");
    }
    let mut t = Table::new(header);
    for r in &entries {
        let mut row = vec![
            local_time(&r.at),
            r.entry.action.clone(),
            r.entry.purpose.clone(),
            r.entry.course_key.clone().unwrap_or_default(),
        ];
        if with_users {
            row.push(r.entry.username.clone());
        }
        t.row(row);
    }
    print!("{}", t.render());
    Ok(())
}
