//! `kadence oejebliksbillede`: the population's snapshot kept in the database (issue 15).

use super::*;

pub(super) fn snapshot(action: SnapshotArg, db: &str) -> Result<(), Failure> {
    let store = open_store(db)?;
    if action == SnapshotArg::Genopbyg {
        let t = std::time::Instant::now();
        let version = block_on(store.rebuild_snapshot())?.map_err(store_failure)?;
        println!(
            "Øjebliksbilledet er bygget igen fra tabellerne som populationsversion {version} på {} sekunder.",
            dk::decimal(t.elapsed().as_secs_f64(), 1)
        );
    }
    let info = block_on(store.kept_snapshot())?.map_err(store_failure)?;
    println!("Populationsversion: {}.", info.population_version);
    match info.kept {
        Some((version, bytes, parts)) => println!(
            "Gemt øjebliksbillede: version {version}, {} MB i {}{}.",
            dk::decimal(bytes as f64 / 1e6, 1),
            dk::count(parts, "del", "dele"),
            if version == info.population_version {
                "; det gælder og læses ved start"
            } else {
                "; det er forældet og bygges igen ved næste indlæsning"
            }
        ),
        None => {
            println!("Intet gemt øjebliksbillede: næste indlæsning læser tabellerne og gemmer et.")
        }
    }
    Ok(())
}
