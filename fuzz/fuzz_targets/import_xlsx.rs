//! The Excel path on arbitrary bytes (a zip signature is prepended half the time so the input reaches
//! the workbook parser).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kadence_import::read_files(&[("forloeb.xlsx".to_string(), data.to_vec())]);
    let mut zipped = b"PK\x03\x04".to_vec();
    zipped.extend_from_slice(data);
    let _ = kadence_import::read_files(&[("forloeb.xlsx".to_string(), zipped)]);
});
