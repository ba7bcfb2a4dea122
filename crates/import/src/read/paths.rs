//! The reader on a file system: the files of folders listed, each CSV file's first pass made
//! ahead on a second thread, and the files read one at a time through [`super::read_from`].

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};

use super::table::{Blocking, Input};
use super::{mapping, read_from, ImportErrors, Loaded};
use crate::source;

/// Why a folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("Kan ikke læse {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(#[from] ImportErrors),
}

/// Every `.csv` and `.xlsx` file in the given folders (sorted by name), and the given files.
pub fn list_files(paths: &[&Path]) -> Result<Vec<PathBuf>, ReadError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(p)
                .map_err(|source| ReadError::Io {
                    path: p.display().to_string(),
                    source,
                })?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                // CSV files and workbooks: any table may come as an Excel file (issue 15: an
                // .xlsx in a folder was left out).
                .filter(|e| {
                    e.extension().is_some_and(|x| {
                        ["csv", "xlsx"]
                            .iter()
                            .any(|ext| x.eq_ignore_ascii_case(ext))
                    })
                })
                .collect();
            entries.sort();
            files.extend(entries);
        } else {
            files.push(p.to_path_buf());
        }
    }
    Ok(files)
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_file(p: &Path) -> Result<Vec<u8>, ReadError> {
    std::fs::read(p).map_err(|source| ReadError::Io {
        path: p.display().to_string(),
        source,
    })
}

/// Reads every `.csv` and `.xlsx` file in the given folders, and the given files, one file in
/// memory at a time.
///
/// A CSV file's first pass ([`source::sniff`]: its encoding, size and SHA-256, about a second for
/// a country's conversations) is made on a second thread ahead of the reader, which meanwhile
/// parses the file before; whichever thread comes to a file first sniffs it, the other waits.
pub fn read_paths(paths: &[&Path]) -> Result<Loaded, ReadError> {
    let files = list_files(paths)?;
    let names: Vec<String> = files.iter().map(|p| name_of(p)).collect();
    let sniffs = Sniffs::new(files.len());
    let sniff = |i: usize| -> io::Result<Option<source::Sniffed>> {
        if mapping::is_mapping_file(&names[i]) {
            Ok(None)
        } else {
            source::sniff(&files[i])
        }
    };
    std::thread::scope(|s| {
        let ahead = s.spawn(|| {
            for i in 0..files.len() {
                if !sniffs.run(i, &sniff, false) {
                    break;
                }
            }
        });
        let loaded = read_from(&names, Blocking::default(), |i| {
            let path = files[i].as_path();
            let io = |source| ReadError::Io {
                path: path.display().to_string(),
                source,
            };
            // CSV files are read in chunks (see `source`); the mapping file, workbooks and UTF-16
            // files whole.
            sniffs.run(i, &sniff, true);
            if let Some(sniffed) = sniffs.take(i).map_err(io)? {
                return Ok(Input::File(path, sniffed));
            }
            read_file(path).map(|b| Input::Bytes(Cow::Owned(b)))
        });
        sniffs.stop();
        ahead
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        loaded
    })
}

/// The first passes of the files of one import, each made once by whichever thread comes first.
struct Sniffs {
    slots: std::sync::Mutex<(Vec<Sniff>, bool)>,
    done: std::sync::Condvar,
}

enum Sniff {
    Pending,
    Running,
    Done(io::Result<Option<source::Sniffed>>),
    Taken,
}

impl Sniffs {
    fn new(n: usize) -> Sniffs {
        Sniffs {
            slots: std::sync::Mutex::new(((0..n).map(|_| Sniff::Pending).collect(), false)),
            done: std::sync::Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<Sniff>, bool)> {
        // A thread that panicked while holding the lock panics the import anyway (joined above).
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sniffs file `i` unless another thread has; `wait`: until it is done. False once stopped.
    fn run(
        &self,
        i: usize,
        sniff: &impl Fn(usize) -> io::Result<Option<source::Sniffed>>,
        wait: bool,
    ) -> bool {
        let mut g = self.lock();
        if g.1 {
            return false;
        }
        match g.0[i] {
            Sniff::Pending => {
                g.0[i] = Sniff::Running;
                drop(g);
                let result = sniff(i);
                self.lock().0[i] = Sniff::Done(result);
                self.done.notify_all();
            }
            Sniff::Running if wait => {
                while matches!(g.0[i], Sniff::Running) {
                    g = self.done.wait(g).unwrap_or_else(|p| p.into_inner());
                }
            }
            _ => {}
        }
        true
    }

    /// File `i`'s first pass (after [`Sniffs::run`] with `wait`).
    fn take(&self, i: usize) -> io::Result<Option<source::Sniffed>> {
        match std::mem::replace(&mut self.lock().0[i], Sniff::Taken) {
            Sniff::Done(r) => r,
            // A file is loaded once; `run` made it done.
            _ => Err(io::Error::other("the file's first pass is missing")),
        }
    }

    /// The thread ahead stops at its next file.
    fn stop(&self) {
        self.lock().1 = true;
    }
}
