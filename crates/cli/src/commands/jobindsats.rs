//! `kadence jobindsats hent`: the benefit groups' monthly tables from Jobindsats' API (v3), for the
//! areas in the committee settings, stored as fetches beside the ones imported from files.
//!
//! The token comes from `KADENCE_JOBINDSATS_NOEGLE` or a file, read here by hand (not by clap's
//! `env`, whose help text would print its value) and handed to the client, which keeps it out of
//! every message.

use super::*;

use kadence_core::committee::{GroupState, BENEFIT_GROUPS};
use kadence_jobindsats::{fetch, Client, Format as WireFormat, Http, Plan, Token, TOKEN_VARIABLE};

use crate::ApiFormat;

pub(super) fn jobindsats(cmd: JobindsatsCommand) -> Result<(), Failure> {
    match cmd {
        JobindsatsCommand::Hent {
            tabeller,
            fra,
            noegle_fil,
            adresse,
            svarformat,
            check,
            as_of,
            db,
        } => {
            let as_of = parse_as_of(&as_of)?;
            let from = parse_month(&fra, Month::new(as_of.year() - 2, 1))?;
            let token = token(noegle_fil.as_deref())?;
            let store = open_store(&db)?;
            let history = block_on(store.settings_history())?.map_err(store_failure)?;
            let settings = history.in_force_on(as_of);
            let plan = Plan {
                tables: tables(&tabeller, from, as_of.month())?,
                areas: areas(&settings.settings.committee)?,
                from,
                format: match svarformat {
                    ApiFormat::Json => WireFormat::Json,
                    ApiFormat::Csv => WireFormat::Csv,
                },
            };
            eprintln!(
                "Henter {} for {} fra {} og frem.",
                dk::count(plan.tables.len() as u64, "tabel", "tabeller"),
                plan.areas.join(", "),
                dk::month(from)
            );
            let http = Http::new().map_err(|e| {
                Failure::new(
                    Exit::Internal,
                    format!("Kan ikke starte HTTP-klienten: {e}"),
                )
            })?;
            let client = Client::new(http, &adresse, token)
                .map_err(|e| Failure::new(Exit::Usage, format!("--adresse: {e}")))?;
            let now = jiff::Timestamp::now();
            let at = now.round(jiff::Unit::Second).unwrap_or(now).to_string();
            let fetches = block_on(fetch(&client, &plan, crate::today(), &at, |p| {
                eprintln!("{p}")
            }))?
            .map_err(|e| Failure::new(Exit::InvalidData, e.to_string()))?;
            for f in &fetches {
                println!("{}: {}.", f.table, f.source_line());
            }
            if check {
                println!("Kontrol gennemført uden fejl. Intet er gemt.");
                return Ok(());
            }
            block_on(store.store_jobindsats(&fetches, "kadence jobindsats hent", now))?
                .map_err(store_failure)?;
            println!(
                "{} fra Jobindsats er gemt i {db}.",
                dk::count(fetches.len() as u64, "tabel", "tabeller")
            );
            Ok(())
        }
    }
}

/// The token: from the file if one is named, else from the environment.
fn token(file: Option<&Path>) -> Result<Token, Failure> {
    let raw = match file {
        Some(p) => std::fs::read_to_string(p).map_err(|e| {
            Failure::new(
                Exit::Io,
                format!("Nøglefilen {} kan ikke læses: {e}", p.display()),
            )
        })?,
        None => std::env::var(TOKEN_VARIABLE).unwrap_or_default(),
    };
    Token::new(&raw).map_err(|e| Failure::new(Exit::Usage, e.to_string()))
}

/// The tables asked for, or every benefit group's newest table that exists in some month of the
/// period.
fn tables(asked: &[String], from: Month, to: Month) -> Result<Vec<String>, Failure> {
    let known: Vec<&str> = BENEFIT_GROUPS
        .iter()
        .flat_map(|g| g.tables.iter().copied())
        .collect();
    if asked.is_empty() {
        let mut out: Vec<String> = BENEFIT_GROUPS
            .iter()
            .filter(|g| {
                Month::range(from, to)
                    .any(|m| !matches!(g.state_in(m), GroupState::NotYet | GroupState::Ended))
            })
            .filter_map(|g| g.tables.first().map(|t| t.to_string()))
            .collect();
        out.dedup();
        return Ok(out);
    }
    asked
        .iter()
        .map(|t| {
            let up = t.trim().to_uppercase();
            if known.contains(&up.as_str()) {
                Ok(up)
            } else {
                Err(Failure::new(
                    Exit::Usage,
                    format!(
                        "Tabel «{t}» hører ikke til en ydelsesgruppe, Kadence kender. Kendte tabeller: {}.",
                        known.join(", ")
                    ),
                ))
            }
        })
        .collect()
}

/// The municipality, its RAR area, Hele landet and the comparison municipalities, each once.
fn areas(c: &kadence_core::committee::CommitteeSettings) -> Result<Vec<String>, Failure> {
    if c.municipality.trim().is_empty() {
        return Err(Failure::new(
            Exit::Usage,
            "Indstillingen udvalg.kommune er ikke sat: Kadence ved ikke, hvilken kommune der skal hentes. Sæt den med «kadence indstillinger saet udvalg.kommune NAVN --begrundelse …» (navnet som Jobindsats skriver det).",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    let named = [c.municipality.as_str(), c.rar_area.as_str(), "Hele landet"];
    for a in named
        .into_iter()
        .chain(c.comparison.iter().map(String::as_str))
    {
        let a = a.trim();
        if !a.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(a)) {
            out.push(a.to_string());
        }
    }
    Ok(out)
}
