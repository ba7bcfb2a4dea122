//! `kadence import`: export files into the database, all or nothing.

use super::*;

pub(super) fn import(
    paths: &[std::path::PathBuf],
    db: &str,
    check: bool,
    jobindsats_table: Option<&str>,
) -> Result<(), Failure> {
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    for p in &refs {
        if !p.exists() {
            return Err(Failure::new(
                Exit::Io,
                format!("{} findes ikke.", p.display()),
            ));
        }
    }
    // Judged by each file's start: a case-system export is never read whole here.
    let mut jobindsats = 0;
    for p in refs.iter().filter(|p| p.is_file()) {
        if kadence_import::committee::file_is_jobindsats(p)
            .map_err(|e| Failure::new(Exit::Io, format!("{} kan ikke læses: {e}", p.display())))?
        {
            jobindsats += 1;
        }
    }
    if jobindsats > 0 || jobindsats_table.is_some() {
        if jobindsats != refs.len() {
            return Err(Failure::new(
                Exit::InvalidData,
                "Filer hentet fra Jobindsats indlæses for sig, ikke sammen med sagssystemets eksport. Importen er afvist; intet er ændret.".to_string(),
            ));
        }
        return import_jobindsats(&refs, db, check, jobindsats_table);
    }
    let loaded = kadence_import::read_paths(&refs)?;
    for w in &loaded.warnings {
        eprintln!("advarsel: {w}");
    }
    let rows: usize = loaded.files.iter().map(|f| f.rows).sum();
    if check {
        println!(
            "Kontrol gennemført uden fejl: {}, {}, {} forløb. Intet er skrevet.",
            dk::count(loaded.files.len() as u64, "fil", "filer"),
            dk::count(rows as u64, "række", "rækker"),
            dk::int(loaded.population.courses.len() as i64)
        );
        return Ok(());
    }
    // Every file of the import is recorded, the mapping file included.
    let meta: Vec<kadence_store::FileMeta> = loaded
        .sources
        .iter()
        .map(|f| {
            let report = loaded.files.iter().find(|r| r.name == f.name);
            kadence_store::FileMeta {
                name: f.name.clone(),
                size_bytes: f.size_bytes,
                sha256: f.sha256.clone(),
                rows: report.map_or(0, |r| r.rows as u64),
                encoding: match report {
                    Some(r) => r.encoding.label(),
                    None if kadence_import::mapping::is_mapping_file(&f.name) => "mapping",
                    None => "ignoreret",
                }
                .to_string(),
            }
        })
        .collect();
    let store = open_store(db)?;
    let mut bar: Option<indicatif::ProgressBar> = None;
    let step = |step: kadence_store::ImportStep| {
        let (done, total) = match step {
            kadence_store::ImportStep::Courses { done, total } => (done, total),
            kadence_store::ImportStep::Snapshot => {
                if let Some(b) = bar.take() {
                    b.finish_and_clear();
                }
                eprintln!("Skriver øjebliksbilledet af populationen ...");
                return;
            }
        };
        if bar.is_none() {
            eprintln!(
                "Skriver nye og ændrede forløb til databasen ({} i eksporten) ...",
                dk::int(total as i64)
            );
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} forløb gennemgået ({eta} tilbage)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let summary = block_on(store.import_with(&loaded, &meta, "kadence import", step))?
        .map_err(store_failure)?;
    println!(
        "Import nr. {} gennemført i {}: {} læst; forløb: {} nye, {} opdateret, {} uændrede; {} rettet, {} afvist.",
        summary.batch_id,
        db,
        dk::count(summary.rows_read as u64, "række", "rækker"),
        dk::int(summary.courses_inserted as i64),
        dk::int(summary.courses_updated as i64),
        dk::int(summary.courses_unchanged as i64),
        dk::count(summary.rows_repaired as u64, "række", "rækker"),
        dk::int(summary.rows_rejected as i64),
    );
    Ok(())
}

/// Files downloaded from jobindsats.dk: each a fetch of one table, stored together or not at all.
pub(super) fn import_jobindsats(
    paths: &[&Path],
    db: &str,
    check: bool,
    table: Option<&str>,
) -> Result<(), Failure> {
    let name = |p: &Path| {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let files: Vec<(&Path, Vec<u8>)> = paths
        .iter()
        .map(|p| std::fs::read(p).map(|b| (*p, b)))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::new(Exit::Io, format!("En fil kan ikke læses: {e}")))?;
    use kadence_core::committee::external::{Fetch, FetchSource};
    let today = crate::today();
    let now = jiff::Timestamp::now();
    let mut fetches = Vec::new();
    let mut errors = Vec::new();
    for (p, bytes) in &files {
        match kadence_import::committee::read_jobindsats(&name(p), bytes, table) {
            Ok(f) => {
                println!(
                    "{}: tabel {} ({}), {} med totaler; {} med opdelinger og {} for andre perioder udeladt.",
                    name(p),
                    f.table,
                    f.group_label,
                    dk::count(f.read.figures.len() as u64, "månedstal", "månedstal"),
                    dk::count(f.read.breakdown_rows, "række", "rækker"),
                    dk::count(f.read.other_period_rows, "række", "rækker")
                );
                fetches.push(Fetch {
                    table: f.table.to_string(),
                    source: FetchSource::File,
                    origin: name(p),
                    fetched_on: today,
                    fetched_at: now.round(jiff::Unit::Second).unwrap_or(now).to_string(),
                    update_latest: None,
                    update_next: None,
                    figures: f.read.figures,
                });
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(Failure::new(Exit::InvalidData, errors.join("")));
    }
    if check {
        println!("Kontrol gennemført uden fejl. Intet er skrevet.");
        return Ok(());
    }
    let store = open_store(db)?;
    block_on(store.store_jobindsats(&fetches, "kadence import", now))?.map_err(store_failure)?;
    println!(
        "{} fra Jobindsats er gemt i {db}, indlæst {}.",
        if fetches.len() == 1 {
            "1 tabel".to_string()
        } else {
            format!("{} tabeller", fetches.len())
        },
        today.dk()
    );
    Ok(())
}
