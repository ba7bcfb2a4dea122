//! `kadence import`: export files into the database, all or nothing.

use super::*;

pub(super) fn import(paths: &[std::path::PathBuf], db: &str, check: bool) -> Result<(), Failure> {
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    for p in &refs {
        if !p.exists() {
            return Err(Failure::new(
                Exit::Io,
                format!("{} findes ikke.", p.display()),
            ));
        }
    }
    let loaded = kadence_import::read_paths(&refs)?;
    for w in &loaded.warnings {
        eprintln!("advarsel: {w}");
    }
    let rows: usize = loaded.files.iter().map(|f| f.rows).sum();
    if check {
        println!(
            "Kontrol gennemført uden fejl: {} filer, {} rækker, {} forløb. Intet er skrevet.",
            loaded.files.len(),
            dk::int(rows as i64),
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
    let progress = |done: u64, total: u64| {
        if bar.is_none() {
            eprintln!("Skriver {} forløb til databasen ...", dk::int(total as i64));
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} forløb ({eta} tilbage)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let summary = block_on(store.import(&loaded, &meta, "kadence import", progress))?
        .map_err(store_failure)?;
    println!(
        "Import nr. {} gennemført i {}: {} rækker læst; forløb: {} nye, {} opdateret, {} uændrede; {} rækker rettet, {} afvist.",
        summary.batch_id,
        db,
        dk::int(summary.rows_read as i64),
        dk::int(summary.courses_inserted as i64),
        dk::int(summary.courses_updated as i64),
        dk::int(summary.courses_unchanged as i64),
        dk::int(summary.rows_repaired as i64),
        dk::int(summary.rows_rejected as i64),
    );
    Ok(())
}
