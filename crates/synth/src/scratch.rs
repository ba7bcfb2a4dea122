//! A scratch folder for a test process's files (databases, export folders, witness files).
//!
//! Tests name their files after themselves and the process, so that two runs at once never meet;
//! but a test binary cannot clean up after its last test (the harness has no hook for the end of
//! a run, and a failing test skips its own clean-up), so every run left its files in the
//! temporary folder: about 4 GB after a day of full runs on a developer's machine. Now each
//! process keeps its files in one folder, and the first call in a process removes the folders
//! of the processes that are no longer running.

use std::path::{Path, PathBuf};
use std::sync::Once;

const PREFIX: &str = "kadence-tests-";

/// This process's scratch folder for `suite` (e.g. "store"), made if missing:
/// `<temporary folder>/kadence-tests-<suite>-<process id>`.
pub fn scratch(suite: &str) -> PathBuf {
    static SWEEP: Once = Once::new();
    let tmp = std::env::temp_dir();
    SWEEP.call_once(|| sweep(&tmp));
    let dir = tmp.join(format!("{PREFIX}{suite}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("make the test scratch folder");
    dir
}

/// Removes the scratch folders of processes that have ended. Only where `/proc` tells which
/// processes run (Linux); elsewhere nothing is removed.
fn sweep(tmp: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.rsplit('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder of an ended process is removed at the first call; this process's is kept and
    /// reused.
    #[test]
    fn folders_of_ended_processes_are_removed() {
        let tmp = std::env::temp_dir();
        // No process has this id (above the kernel's largest, 2^22).
        let dead = tmp.join(format!("{PREFIX}unit-{}", (1u32 << 22) + 7));
        std::fs::create_dir_all(dead.join("inner")).unwrap();
        sweep(&tmp);
        if Path::new("/proc/self").exists() {
            assert!(!dead.exists());
        }
        let mine = scratch("unit");
        std::fs::write(mine.join("f"), b"x").unwrap();
        sweep(&tmp);
        assert!(mine.join("f").exists());
        assert_eq!(scratch("unit"), mine);
        let _ = std::fs::remove_dir_all(&dead);
    }
}
