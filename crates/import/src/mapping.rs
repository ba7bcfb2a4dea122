//! The column-mapping file: a municipality maps its own export's file and column names to Kadence's,
//! without code.
//!
//! `kolonnemapping.csv`, placed among the export files (or given to `kadence import`), has three
//! columns:
//!
//! ```text
//! Kadence-fil;Kadence-kolonne;Eksportens navn
//! forloeb.csv;;SDP_forloeb_udtraek.csv
//! forloeb.csv;Første fraværsdag;1. fraværsdato
//! samtaler.csv;Dato;Samtaledato
//! ```
//!
//! A row with an empty Kadence-kolonne names the export's file for that Kadence file; a row with a
//! column maps the export's header to Kadence's. Kadence's own names keep working beside the mapped
//! ones. Mistakes in the mapping file are located errors like any other.

use crate::format::{self, FileSpec};
use crate::read::{ImportError, ImportErrors};
use crate::text::normalise_header;

/// The mapping file's name.
pub const MAPPING_FILE: &str = "kolonnemapping.csv";

const H_FILE: &str = "Kadence-fil";
const H_COLUMN: &str = "Kadence-kolonne";
const H_EXPORT: &str = "Eksportens navn";

/// File and column aliases.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    /// (Kadence file, the export's file name, lower case).
    files: Vec<(&'static str, String)>,
    /// (Kadence file, Kadence header, the export's header, normalised).
    columns: Vec<(&'static str, &'static str, String)>,
}

impl Mapping {
    /// Accepted normalised headers for a column: Kadence's own and the mapped ones.
    pub fn header_names(&self, spec: &FileSpec, header: &str) -> Vec<String> {
        let mut names = vec![normalise_header(header)];
        names.extend(
            self.columns
                .iter()
                .filter(|(f, h, _)| *f == spec.name && *h == header)
                .map(|(_, _, e)| e.clone()),
        );
        names
    }

    /// Export file names mapped to a Kadence file (lower case).
    pub fn file_names<'a>(&'a self, spec: &'a FileSpec) -> impl Iterator<Item = &'a str> + 'a {
        self.files
            .iter()
            .filter(move |(f, _)| *f == spec.name)
            .map(|(_, e)| e.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.columns.is_empty()
    }
}

/// Whether a file name is the mapping file.
pub fn is_mapping_file(name: &str) -> bool {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_lowercase();
    base == MAPPING_FILE
}

/// Parses the mapping file, reporting located errors.
pub fn parse(name: &str, bytes: &[u8], errs: &mut ImportErrors) -> Mapping {
    let (text, _) = crate::text::decode(bytes);
    let sep = crate::text::detect_separator(text.lines().next().unwrap_or(""));
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut mapping = Mapping::default();
    let mut header: Option<[usize; 3]> = None;
    let err = |errs: &mut ImportErrors,
               line: u64,
               column: Option<&str>,
               value: Option<String>,
               expected: String| {
        errs.push(ImportError {
            file: name.to_string(),
            line,
            column: column.map(str::to_string),
            value,
            expected,
        })
    };
    for rec in rdr.records() {
        let Ok(rec) = rec else {
            err(errs, 0, None, None, "en gyldig CSV-linje".into());
            continue;
        };
        let line = rec.position().map_or(0, |p| p.line());
        let fields: Vec<String> = rec.iter().map(|f| f.trim().to_string()).collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let Some([fi, ci, ei]) = header else {
            let find = |h: &str| {
                fields
                    .iter()
                    .position(|f| normalise_header(f) == normalise_header(h))
            };
            match (find(H_FILE), find(H_COLUMN), find(H_EXPORT)) {
                (Some(a), Some(b), Some(c)) => header = Some([a, b, c]),
                _ => {
                    err(
                        errs,
                        line,
                        None,
                        None,
                        format!("overskriften «{H_FILE};{H_COLUMN};{H_EXPORT}»"),
                    );
                    return mapping;
                }
            }
            continue;
        };
        let get = |i: usize| fields.get(i).map_or("", |s| s.as_str());
        let (file, column, export) = (get(fi), get(ci), get(ei));
        let Some(spec) = format::FILES.iter().find(|s| {
            s.name.eq_ignore_ascii_case(file)
                || s.name.trim_end_matches(".csv").eq_ignore_ascii_case(file)
        }) else {
            let names: Vec<&str> = format::FILES.iter().map(|s| s.name).collect();
            err(
                errs,
                line,
                Some(H_FILE),
                Some(file.into()),
                format!("en af: {}", names.join(", ")),
            );
            continue;
        };
        if export.is_empty() {
            err(
                errs,
                line,
                Some(H_EXPORT),
                None,
                "eksportens fil- eller kolonnenavn".into(),
            );
            continue;
        }
        if column.is_empty() {
            mapping.files.push((spec.name, export.to_lowercase()));
            continue;
        }
        match spec
            .columns
            .iter()
            .find(|c| normalise_header(c.header) == normalise_header(column))
        {
            Some(c) => mapping
                .columns
                .push((spec.name, c.header, normalise_header(export))),
            None => {
                let names: Vec<&str> = spec.columns.iter().map(|c| c.header).collect();
                err(
                    errs,
                    line,
                    Some(H_COLUMN),
                    Some(column.into()),
                    format!("en kolonne i {}: {}", spec.name, names.join(", ")),
                );
            }
        }
    }
    mapping
}
