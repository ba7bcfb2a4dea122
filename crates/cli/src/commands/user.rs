//! `kadence user`: local accounts.

use super::*;

/// A password from KADENCE_PASSWORD or the first line of standard input.
fn read_password() -> Result<String, Failure> {
    let pw = match std::env::var("KADENCE_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("Adgangskode (mindst 12 tegn):");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Failure::new(Exit::Io, e.to_string()))?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if pw.chars().count() < 12 {
        return Err(Failure::new(
            Exit::Usage,
            "Adgangskoden skal have mindst 12 tegn.",
        ));
    }
    Ok(pw)
}

pub(super) fn user(cmd: UserCommand) -> Result<(), Failure> {
    use kadence_store::access::{NewUser, Role};
    let not_found = |u: &str| Failure::new(Exit::Usage, format!("Der er ingen bruger «{u}»."));
    match cmd {
        UserCommand::Add {
            brugernavn,
            navn,
            rolle,
            sagsbehandler_id,
            team_id,
            db,
        } => {
            let role = Role::from_code(&rolle).ok_or_else(|| {
                Failure::new(Exit::Usage, format!("Ukendt rolle «{rolle}»; brug sagsbehandler, teamleder, analytiker eller administrator."))
            })?;
            if role == Role::Caseworker && sagsbehandler_id.is_none() {
                return Err(Failure::new(Exit::Usage, "En sagsbehandler skal knyttes til et sagsbehandler-id i data (--sagsbehandler-id)."));
            }
            if role == Role::TeamLead && team_id.is_none() {
                return Err(Failure::new(
                    Exit::Usage,
                    "En teamleder skal knyttes til et team-id i data (--team-id).",
                ));
            }
            let pw = read_password()?;
            let store = open_store(&db)?;
            if block_on(store.user_by_name(&brugernavn))?
                .map_err(store_failure)?
                .is_some()
            {
                return Err(Failure::new(
                    Exit::Usage,
                    format!("Brugeren «{brugernavn}» findes allerede."),
                ));
            }
            let new = NewUser {
                username: brugernavn.clone(),
                display_name: navn,
                role,
                caseworker_key: sagsbehandler_id,
                team_key: team_id,
            };
            block_on(store.add_user(&new, &pw, jiff::Timestamp::now()))?.map_err(store_failure)?;
            println!("Bruger «{brugernavn}» oprettet som {}.", role.code());
        }
        UserCommand::Disable { brugernavn, db } => {
            let store = open_store(&db)?;
            if !block_on(store.set_disabled(&brugernavn, true))?.map_err(store_failure)? {
                return Err(not_found(&brugernavn));
            }
            println!("Bruger «{brugernavn}» er spærret, og brugerens sessioner er afsluttet.");
        }
        UserCommand::Enable { brugernavn, db } => {
            let store = open_store(&db)?;
            if !block_on(store.set_disabled(&brugernavn, false))?.map_err(store_failure)? {
                return Err(not_found(&brugernavn));
            }
            println!("Bruger «{brugernavn}» er genåbnet.");
        }
        UserCommand::ResetPassword { brugernavn, db } => {
            let pw = read_password()?;
            let store = open_store(&db)?;
            if !block_on(store.set_password(&brugernavn, &pw))?.map_err(store_failure)? {
                return Err(not_found(&brugernavn));
            }
            println!(
                "Ny adgangskode sat for «{brugernavn}»; låsning ophævet og sessioner afsluttet."
            );
        }
        UserCommand::LinkSso {
            brugernavn,
            issuer,
            subject,
            db,
        } => {
            let store = open_store(&db)?;
            let issuer = issuer.trim().trim_end_matches('/').to_string();
            let who = std::env::var("USER").unwrap_or_else(|_| "kadence user link-sso".into());
            if !block_on(store.link_sso(
                &brugernavn,
                &issuer,
                subject.trim(),
                &format!("administrator ({who})"),
                jiff::Timestamp::now(),
            ))?
            .map_err(store_failure)?
            {
                return Err(not_found(&brugernavn));
            }
            println!(
                "Identiteten {} hos {issuer} logger nu ind som «{brugernavn}».",
                subject.trim()
            );
        }
        UserCommand::List { db } => {
            let store = open_store(&db)?;
            // The number is the user's `user_id` in the security log (docs/security.md).
            let mut t = Table::new([
                "Nr.",
                "Brugernavn",
                "Navn",
                "Rolle",
                "Knyttet til",
                "Status",
            ]);
            for u in block_on(store.users())?.map_err(store_failure)? {
                t.row([
                    u.id.to_string(),
                    u.username,
                    u.display_name,
                    u.role.code().to_string(),
                    u.caseworker_key.or(u.team_key).unwrap_or_default(),
                    if u.disabled {
                        "spærret".to_string()
                    } else {
                        "aktiv".to_string()
                    },
                ]);
            }
            print!("{}", t.render());
        }
    }
    Ok(())
}
