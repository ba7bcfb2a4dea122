//! The whole CSV reader on arbitrary bytes: as the courses file, and as a conversations file after a
//! valid courses file. Must never panic; errors are fine.
#![no_main]
use libfuzzer_sys::fuzz_target;

const COURSES: &str = "Forløbs-id;CPR-nr.;Navn;Forløbstype;Første fraværsdag;Ydelsesstart;Målgruppe\nF1;0101501000;A;Sygedagpenge;02-01-2023;16-01-2023;Ledig\n";

fuzz_target!(|data: &[u8]| {
    let _ = kadence_import::read_files(&[("forloeb.csv".to_string(), data.to_vec())]);
    let _ = kadence_import::read_files(&[
        ("forloeb.csv".to_string(), COURSES.as_bytes().to_vec()),
        ("samtaler.csv".to_string(), data.to_vec()),
        ("kolonnemapping.csv".to_string(), data.to_vec()),
    ]);
});
