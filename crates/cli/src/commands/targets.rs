//! `kadence maal`: the committee's targets (måltal) and budget figures (budgetpersoner): the ones in
//! force on a date, one set, or a file read in whole; every entry kept with who, when and why.

use super::*;

use kadence_core::committee::targets::TargetKind;
use kadence_store::settings::SaveError;

fn save_failure(e: SaveError) -> Failure {
    match e {
        SaveError::Invalid(m) => Failure::new(Exit::InvalidData, m),
        SaveError::Store(e) => store_failure(e),
    }
}

pub(super) fn targets(cmd: TargetsCommand) -> Result<(), Failure> {
    match cmd {
        TargetsCommand::Vis { as_of, db } => {
            let as_of = parse_as_of(&as_of)?;
            let store = open_store(&db)?;
            let t = block_on(store.targets())?.map_err(store_failure)?;
            let in_force = t.in_force(as_of);
            if in_force.is_empty() {
                println!("Ingen måltal eller budgetpersoner pr. {}. Sæt dem med «kadence maal saet» eller «kadence maal indlaes».", as_of.dk());
                return Ok(());
            }
            println!("Måltal og budgetpersoner i kraft pr. {}:", as_of.dk());
            let mut table = Table::new([
                "Ydelsesgruppe",
                "Type",
                "Periode",
                "Fuldtidspersoner",
                "Indtastet",
                "Af",
                "Kilde",
            ])
            .right(&[3]);
            for e in in_force {
                let label =
                    kadence_core::committee::group(&e.group).map_or(e.group.as_str(), |g| g.label);
                table.row([
                    label.to_string(),
                    e.kind.label().to_string(),
                    match e.month {
                        Some(m) => dk::month(Month::new(e.year, m)),
                        None => e.year.to_string(),
                    },
                    dk::decimal(e.value, 1),
                    local_time(&e.entered_at),
                    e.entered_by.clone(),
                    e.source.clone(),
                ]);
            }
            print!("{}", table.render());
            Ok(())
        }
        TargetsCommand::Saet {
            gruppe,
            aar,
            vaerdi,
            maaned,
            begrundelse,
            af,
            db,
        } => {
            let group = kadence_import::committee::group_by_name(&gruppe).ok_or_else(|| {
                Failure::new(
                    Exit::InvalidData,
                    format!(
                        "«{gruppe}» er ikke en ydelsesgruppe; kendte: {}",
                        kadence_core::committee::BENEFIT_GROUPS
                            .iter()
                            .map(|g| g.code)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            let value = match kadence_core::committee::external::danish_number(&vaerdi) {
                Ok(Some(v)) => v,
                _ => {
                    return Err(Failure::new(
                        Exit::InvalidData,
                        format!(
                            "«{vaerdi}» er ikke et antal fuldtidspersoner (fx 880 eller 880,5)"
                        ),
                    ))
                }
            };
            let kind = if maaned.is_some() {
                TargetKind::Budget
            } else {
                TargetKind::Yearly
            };
            let store = open_store(&db)?;
            block_on(store.add_targets(
                &[(group.to_string(), kind, aar, maaned, value)],
                crate::today(),
                &settings::who(&af),
                "kommandolinje",
                &begrundelse,
                jiff::Timestamp::now(),
            ))?
            .map_err(save_failure)?;
            println!(
                "Gemt: {} for {group} {}: {} fuldtidspersoner.",
                kind.label(),
                maaned.map_or(aar.to_string(), |m| dk::month(Month::new(aar, m))),
                dk::decimal(value, 1)
            );
            Ok(())
        }
        TargetsCommand::Indlaes {
            fil,
            begrundelse,
            af,
            check,
            db,
        } => {
            let bytes = std::fs::read(&fil).map_err(|e| {
                Failure::new(Exit::Io, format!("{} kan ikke læses: {e}", fil.display()))
            })?;
            let name = fil.file_name().map_or_else(
                || fil.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let rows = kadence_import::committee::read_targets(&name, &bytes)
                .map_err(|e| Failure::new(Exit::InvalidData, e.to_string()))?;
            if check {
                println!(
                    "Kontrol gennemført uden fejl: {} mål i {name}. Intet er gemt.",
                    rows.len()
                );
                return Ok(());
            }
            let entries: Vec<_> = rows
                .iter()
                .map(|r| (r.group.to_string(), r.kind, r.year, r.month, r.value))
                .collect();
            let store = open_store(&db)?;
            let n = block_on(store.add_targets(
                &entries,
                crate::today(),
                &settings::who(&af),
                &name,
                &begrundelse,
                jiff::Timestamp::now(),
            ))?
            .map_err(save_failure)?;
            println!("{n} mål fra {name} er gemt.");
            Ok(())
        }
    }
}
