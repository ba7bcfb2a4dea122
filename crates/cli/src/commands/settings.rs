//! `kadence indstillinger`: the municipality's settings, shown, changed one key at a time, exported
//! and read in as a file, and their history (docs/settings.md).

use super::*;

use kadence_core::municipal::MunicipalSettings;

/// Who makes a change from the command line: `--af`, or the account running it.
pub(super) fn who(af: &Option<String>) -> String {
    af.clone().unwrap_or_else(|| {
        format!(
            "kommandolinje ({})",
            std::env::var("USER").unwrap_or_else(|_| "ukendt".into())
        )
    })
}

fn history(store: &kadence_store::Store) -> Result<SettingsHistory, Failure> {
    block_on(store.settings_history())?.map_err(store_failure)
}

fn invalid(e: kadence_settings::SettingsErrors) -> Failure {
    Failure::new(Exit::InvalidData, e.to_string())
}

/// Saves `new` as a version from `fra` (default today) and says what changed.
fn save(
    store: &kadence_store::Store,
    base: &MunicipalSettings,
    new: &MunicipalSettings,
    fra: &Option<String>,
    reason: &str,
    by: &str,
) -> Result<(), Failure> {
    let today = crate::today();
    let from = parse_as_of(fra)?;
    let changes = kadence_settings::changes(base, new);
    let version =
        block_on(store.save_settings(new, from, today, by, reason, jiff::Timestamp::now()))?
            .map_err(|e| match e {
                kadence_store::settings::SaveError::Invalid(m) => {
                    Failure::new(Exit::InvalidData, m)
                }
                kadence_store::settings::SaveError::Store(e) => store_failure(e),
            })?;
    println!(
        "Indstillinger v{version} er gemt og gælder fra {}{}",
        from.dk(),
        if changes.is_empty() {
            ": ingen værdier er ændret.".to_string()
        } else {
            format!(":\n  {}", changes.join("\n  "))
        }
    );
    println!("En kørende webapp bruger dem inden for ti sekunder.");
    Ok(())
}

pub(super) fn settings(cmd: SettingsCommand) -> Result<(), Failure> {
    match cmd {
        SettingsCommand::Vis { as_of, db } => {
            let as_of = parse_as_of(&as_of)?;
            let h = history(&open_store(&db)?)?;
            let v = h.in_force_on(as_of);
            println!("Indstillinger i kraft {}: {}", as_of.dk(), v.label());
            if v.version > 0 {
                println!(
                    "Gemt {} af {}: {}",
                    local_time(&v.changed_at),
                    v.changed_by,
                    v.reason
                );
            }
            let mut t = Table::new(["Nøgle", "Værdi"]);
            for (k, val) in kadence_settings::flat(&v.settings) {
                t.row([k, val]);
            }
            print!("{}", t.render());
            let book = v.settings.book();
            for set in book.sets().iter().filter(|s| s.provisional) {
                println!(
                    "\nRegelsæt {} (fra {}) er foreløbigt, indtil det bekræftes (bekraeftelse.{}):",
                    set.name,
                    set.in_force_from.dk(),
                    set.name
                );
                for p in set.open_points {
                    println!("  - {}", p.text());
                }
            }
            if let Some(next) = h
                .versions()
                .iter()
                .find(|x| x.version > v.version && x.effective_from > as_of)
            {
                println!("\nBemærk: {} er gemt og gælder senere.", next.label());
            }
            Ok(())
        }
        SettingsCommand::Saet {
            noegle,
            vaerdi,
            begrundelse,
            fra,
            af,
            db,
        } => {
            let store = open_store(&db)?;
            let base = history(&store)?.latest().settings.clone();
            let new = kadence_settings::set(&base, &noegle, &vaerdi).map_err(invalid)?;
            save(&store, &base, &new, &fra, &begrundelse, &who(&af))
        }
        SettingsCommand::Eksport { fil, as_of, db } => {
            let as_of = parse_as_of(&as_of)?;
            let h = history(&open_store(&db)?)?;
            let v = h.in_force_on(as_of);
            std::fs::write(&fil, kadence_settings::to_toml(&v.settings)).map_err(|e| {
                Failure::new(Exit::Io, format!("Kan ikke skrive {}: {e}", fil.display()))
            })?;
            println!("{} er skrevet til {}.", v.label(), fil.display());
            Ok(())
        }
        SettingsCommand::Indlaes {
            fil,
            begrundelse,
            fra,
            af,
            check,
            db,
        } => {
            let text = std::fs::read_to_string(&fil).map_err(|e| {
                Failure::new(Exit::Io, format!("Kan ikke læse {}: {e}", fil.display()))
            })?;
            let store = open_store(&db)?;
            let base = history(&store)?.latest().settings.clone();
            let new = kadence_settings::from_toml(&text, &base)
                .map_err(|e| Failure::new(Exit::InvalidData, format!("{}: {e}", fil.display())))?;
            if check {
                let changes = kadence_settings::changes(&base, &new);
                println!(
                    "{} er i orden; {} ændrede værdier{}",
                    fil.display(),
                    changes.len(),
                    if changes.is_empty() {
                        String::new()
                    } else {
                        format!(":\n  {}", changes.join("\n  "))
                    }
                );
                return Ok(());
            }
            save(&store, &base, &new, &fra, &begrundelse, &who(&af))
        }
        SettingsCommand::Historik { db } => {
            let h = history(&open_store(&db)?)?;
            let versions = h.versions();
            let mut t = Table::new([
                "Version",
                "Gælder fra",
                "Gemt",
                "Af",
                "Begrundelse",
                "Ændringer",
            ]);
            for (i, v) in versions.iter().enumerate().skip(1) {
                let changes = kadence_settings::changes(&versions[i - 1].settings, &v.settings);
                t.row([
                    v.version.to_string(),
                    v.effective_from.dk().to_string(),
                    local_time(&v.changed_at),
                    v.changed_by.clone(),
                    v.reason.clone(),
                    if changes.is_empty() {
                        "ingen".into()
                    } else {
                        changes.join("; ")
                    },
                ]);
            }
            if versions.len() == 1 {
                println!("Ingen gemte indstillinger: standardindstillingerne (v0) gælder.");
            } else {
                print!("{}", t.render());
            }
            Ok(())
        }
    }
}
