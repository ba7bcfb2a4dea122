//! Reads the import format into a population, all or nothing.
//!
//! Every file is decoded (BOM, UTF-8 or Windows-1252), double-decoded text is repaired with a warning
//! naming the lines, the separator is detected, and each row is parsed with every error located (file,
//! line, column, value, what was expected; in Danish). If any error is found, nothing is returned but
//! the errors (capped at [`MAX_ERRORS`], with the total count): the caller never sees half a dataset.
//! CPR numbers are masked in every message.
//!
//! Where things are:
//! - this file: the errors, the reports, and [`read_from`], which reads the tables in their order
//!   (teams, caseworkers, courses, then the courses' facts) into a `PopulationBuilder`;
//! - [`table`]: one file read row by row, its rows parsed in blocks on worker threads and taken in
//!   the file's order (the same result for any number of threads);
//! - [`courses`] and [`facts`]: what a row of each table must hold, and its located errors;
//! - [`paths`]: files and folders on disk, each CSV file's first pass made ahead on a second thread.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use kadence_core::model::*;

use crate::format::{self, h, FileSpec};
use crate::mapping::{self, Mapping};
use crate::text::Encoding;

mod courses;
mod facts;
mod paths;
mod table;

pub use paths::{list_files, read_paths, ReadError};
pub(crate) use table::xlsx_rows;
use table::{Blocking, Input, Row};

/// At most this many errors are kept; the rest are counted.
pub const MAX_ERRORS: usize = 200;

/// One located error, in Danish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub file: String,
    /// 1-based line in the file (the header is line 1); 0 for the file as a whole.
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub expected: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ", linje {}", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, ", kolonne «{c}»")?;
        }
        match &self.value {
            Some(v) => write!(f, ": værdien «{v}» duer ikke; forventet {}", self.expected),
            None => write!(f, ": {}", self.expected),
        }
    }
}

/// The errors of a failed import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportErrors {
    pub errors: Vec<ImportError>,
    /// All errors found, including those not kept.
    pub total: usize,
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |x: usize| kadence_core::dk::int(i64::try_from(x).unwrap_or(i64::MAX));
        writeln!(
            f,
            "Importen er afvist; intet er ændret. {} fejl fundet:",
            n(self.total)
        )?;
        for e in &self.errors {
            writeln!(f, "  {e}")?;
        }
        if self.total > self.errors.len() {
            writeln!(
                f,
                "  ... og {} fejl mere",
                n(self.total - self.errors.len())
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

impl ImportErrors {
    pub(crate) fn push(&mut self, e: ImportError) {
        self.total += 1;
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        }
    }
}

/// What was read from one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    pub bytes: usize,
    pub encoding: Encoding,
    /// The CSV separator; `None` for Excel files.
    pub separator: Option<char>,
    pub rows: usize,
    /// Lines whose text was repaired from double-decoded UTF-8.
    pub repaired_lines: Vec<u64>,
    pub unknown_columns: Vec<String>,
    /// The format's optional columns the file does not have.
    pub absent_columns: Vec<String>,
    /// The format's file this is (`samtaler.csv`), whatever the file's own name.
    pub table: String,
}

/// A successfully read dataset.
#[derive(Debug)]
pub struct Loaded {
    pub population: Population,
    pub files: Vec<FileReport>,
    /// Every file given, as read (the mapping file and ignored files included), for the record of
    /// the import: the digest is of the very bytes parsed.
    pub sources: Vec<SourceFile>,
    /// Warnings in Danish (unknown columns, repaired text, questionable facts).
    pub warnings: Vec<String>,
}

/// A file given to the reader: its name, size and SHA-256 (lower-case hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub size_bytes: u64,
    pub sha256: String,
}

impl SourceFile {
    fn of(name: &str, bytes: &[u8]) -> SourceFile {
        use sha2::{Digest, Sha256};
        SourceFile {
            name: base_name(name).to_string(),
            size_bytes: bytes.len() as u64,
            sha256: hex32(&Sha256::digest(bytes)),
        }
    }
}

impl Input<'_> {
    fn source(&self, name: &str) -> SourceFile {
        match self {
            Input::Bytes(b) => SourceFile::of(name, b),
            Input::File(_, s) => SourceFile {
                name: base_name(name).to_string(),
                size_bytes: s.size,
                sha256: hex32(&s.sha256),
            },
        }
    }
}

fn hex32(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Masks what may be a CPR number in an error message: keeps at most the first six characters.
fn mask_cpr(value: &str) -> String {
    let v: String = value.trim().chars().filter(|c| *c != '-').collect();
    let head: String = v.chars().take(6).collect();
    if v.chars().count() > 6 {
        format!("{head}-xxxx")
    } else {
        head
    }
}

fn base_name(n: &str) -> &str {
    n.rsplit(['/', '\\']).next().unwrap_or(n)
}

/// Whether a file of this name holds `spec`'s table (under its own name, with ø/æ/å spelt out or
/// not, as CSV or Excel, or under the mapping file's name for it).
fn names_table(name: &str, spec: &FileSpec, mapping: &Mapping) -> bool {
    let want = spec.name.trim_end_matches(".csv");
    let base = base_name(name).to_lowercase();
    if mapping.file_names(spec).any(|m| m == base) {
        return true;
    }
    let stem = base
        .strip_suffix(".csv")
        .or_else(|| base.strip_suffix(".xlsx"))
        .unwrap_or(&base);
    let stem = stem
        .replace('ø', "oe")
        .replace('æ', "ae")
        .replace('å', "aa");
    stem == want
}

/// Reads the import format from (file name, bytes) pairs. Pure: no file system.
pub fn read_files(files: &[(String, Vec<u8>)]) -> Result<Loaded, ImportErrors> {
    read_files_in_blocks(files, Blocking::default().rows)
}

/// [`read_files`] with each table's rows parsed in blocks of `rows` records. The result does not
/// depend on it (the tests read with blocks of one row and up, so that every boundary is crossed).
pub fn read_files_in_blocks(
    files: &[(String, Vec<u8>)],
    rows: usize,
) -> Result<Loaded, ImportErrors> {
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let blocking = Blocking {
        rows: rows.max(1),
        ..Blocking::default()
    };
    read_from(&names, blocking, |i| {
        Ok::<_, ImportErrors>(Input::Bytes(Cow::Borrowed(files[i].1.as_slice())))
    })
}

/// The tables of one import, read one after the other, each recorded as read.
struct Tables<'n, F> {
    names: &'n [String],
    mapping: Mapping,
    blocking: Blocking,
    load: F,
    sources: Vec<SourceFile>,
    reports: Vec<FileReport>,
}

impl<'a, E, F: FnMut(usize) -> Result<Input<'a>, E>> Tables<'_, F> {
    /// Reads `spec`'s file, if there is one (see [`table::read_table`]); its display name and the
    /// blocks' local notes, in order.
    fn read<T: Send, L: Default + Send>(
        &mut self,
        spec: &FileSpec,
        errs: &mut ImportErrors,
        parse: &(impl Fn(&Row<'_>, &mut ImportErrors, &mut L) -> Option<T> + Sync),
        apply: impl FnMut(&str, T, &mut ImportErrors),
    ) -> Result<Option<(String, Vec<L>)>, E> {
        let Some(i) = self
            .names
            .iter()
            .position(|n| names_table(n, spec, &self.mapping))
        else {
            return Ok(None);
        };
        let input = (self.load)(i)?;
        self.sources.push(input.source(&self.names[i]));
        let display = base_name(&self.names[i]).to_string();
        let read = table::read_table(
            &display,
            &input,
            spec,
            &self.mapping,
            self.blocking,
            errs,
            parse,
            apply,
        );
        self.reports.push(read.report);
        Ok(Some((display, read.locals)))
    }
}

/// An error of a row found when it is taken in (after its own checks).
fn row_error(
    file: &str,
    line: u64,
    col: &'static str,
    value: String,
    expected: &str,
) -> ImportError {
    ImportError {
        file: file.into(),
        line,
        column: Some(col.into()),
        value: Some(value),
        expected: expected.into(),
    }
}

/// The reader behind [`read_files`] and [`read_paths`]: `load(i)` gives the content of `names[i]`,
/// asked for one file at a time and dropped after it is read, so at most one file's bytes are held.
fn read_from<'a, E: From<ImportErrors>>(
    names: &[String],
    blocking: Blocking,
    mut load: impl FnMut(usize) -> Result<Input<'a>, E>,
) -> Result<Loaded, E> {
    let mut errs = ImportErrors::default();
    let mut unknown_files = Vec::new();
    let mut sources = Vec::new();
    let mapping = match names.iter().position(|n| mapping::is_mapping_file(n)) {
        Some(i) => {
            // The mapping file is small; it is always given as bytes.
            let input = load(i)?;
            sources.push(input.source(&names[i]));
            match &input {
                Input::Bytes(bytes) => mapping::parse(base_name(&names[i]), bytes, &mut errs),
                Input::File(..) => Mapping::default(),
            }
        }
        None => Mapping::default(),
    };
    // Files that are not read are still recorded: unknown ones, and a second file for a table
    // (e.g. forloeb.csv beside forløb.xlsx), which is named in a warning.
    for (i, name) in names.iter().enumerate() {
        if mapping::is_mapping_file(name) {
            continue;
        }
        let first = format::FILES.iter().find_map(|spec| {
            names
                .iter()
                .position(|n| names_table(n, spec, &mapping))
                .filter(|_| names_table(name, spec, &mapping))
        });
        match first {
            Some(f) if f == i => continue,
            Some(f) => unknown_files.push(format!(
                "{name}: ignoreret, da {} allerede er læst for samme tabel",
                base_name(&names[f])
            )),
            None => unknown_files.push(format!("{name}: ukendt fil ignoreret")),
        }
        sources.push(load(i)?.source(name));
    }
    if !names
        .iter()
        .any(|n| names_table(n, &format::COURSES, &mapping))
    {
        errs.push(ImportError {
            file: format::COURSES.name.into(),
            line: 0,
            column: None,
            value: None,
            expected: "filen med forløb mangler".into(),
        });
    }
    let mut tables = Tables {
        names,
        mapping,
        blocking,
        load,
        sources,
        reports: Vec::new(),
    };
    let mut b = PopulationBuilder::new();

    let mut team_ids: HashMap<String, TeamId> = HashMap::new();
    tables.read(
        &format::TEAMS,
        &mut errs,
        &|r, errs, _: &mut ()| {
            let (Some(key), Some(name)) =
                (r.required(errs, h::TEAM_ID), r.required(errs, h::TEAM_NAME))
            else {
                return None;
            };
            Some((r.line, key, name))
        },
        |file, (line, key, name), errs| {
            if team_ids.contains_key(&key) {
                errs.push(row_error(
                    file,
                    line,
                    h::TEAM_ID,
                    key,
                    "et team-id, der ikke er brugt før i filen",
                ));
                return;
            }
            let id = b.add_team(Team {
                key: key.clone(),
                name,
            });
            team_ids.insert(key, id);
        },
    )?;

    let mut cw_ids: HashMap<String, CaseworkerId> = HashMap::new();
    tables.read(
        &format::CASEWORKERS,
        &mut errs,
        &|r, errs, _: &mut ()| {
            let key = r.required(errs, h::CW_ID);
            let name = r.required(errs, h::CW_NAME);
            let team = r.required(errs, h::TEAM_ID);
            let (Some(key), Some(name), Some(team)) = (key, name, team) else {
                return None;
            };
            let Some(&team) = team_ids.get(&team) else {
                r.err(errs, h::TEAM_ID, Some(team), "et team-id fra teams.csv");
                return None;
            };
            Some((r.line, key, name, team))
        },
        |file, (line, key, name, team), errs| {
            if cw_ids.contains_key(&key) {
                errs.push(row_error(
                    file,
                    line,
                    h::CW_ID,
                    key,
                    "et sagsbehandler-id, der ikke er brugt før i filen",
                ));
                return;
            }
            let id = b.add_caseworker(Caseworker {
                key: key.clone(),
                name,
                team,
            });
            cw_ids.insert(key, id);
        },
    )?;

    let mut courses = courses::Courses::default();
    let mut padded_warning = None;
    let read = tables.read(
        &format::COURSES,
        &mut errs,
        &|r, errs, local| courses::parse(r, errs, local, &cw_ids),
        |file, course, errs| courses.apply(&mut b, file, course, errs),
    )?;
    if let Some((file, locals)) = read {
        let mut padded_cpr_lines = Vec::new();
        for l in locals {
            padded_cpr_lines.extend(l.padded_cpr_lines);
            courses.rejected.extend(l.rejected);
        }
        if !padded_cpr_lines.is_empty() {
            padded_warning = Some(format!(
            "{}: CPR-nr. med 9 cifre fik et foranstillet 0 (Excel fjerner foranstillede nuller) i {} linje(r): {}",
            file,
            padded_cpr_lines.len(),
            kadence_core::dk::line_list(&padded_cpr_lines)
        ));
        }
        for (id, line, from) in std::mem::take(&mut courses.from_refs) {
            match courses.keys.get(&b.courses, &from) {
                Some(f) => b.courses[id.index()].from_course = Some(f),
                None => errs.push(row_error(
                    &file,
                    line,
                    h::FROM_COURSE,
                    from,
                    "et forløbs-id fra samme fil",
                )),
            }
        }
    }

    // Each fact file's rows of courses rejected above are counted, and said once per file.
    let known = facts::Known {
        courses: &b.courses,
        keys: &courses.keys,
        rejected: &courses.rejected,
        caseworkers: &cw_ids,
    };
    let read = tables.read(
        &format::CONVERSATIONS,
        &mut errs,
        &|r, errs, local| known.conversation(r, errs, local),
        |_, c, _| b.conversations.push(c),
    )?;
    facts::rejected_facts(read, &mut errs);
    let read = tables.read(
        &format::STANDBY,
        &mut errs,
        &|r, errs, local| known.standby(r, errs, local),
        |_, s, _| b.standby.push(s),
    )?;
    facts::rejected_facts(read, &mut errs);
    let read = tables.read(
        &format::MEDICAL,
        &mut errs,
        &|r, errs, local| known.medical(r, errs, local),
        |_, m, _| b.medical.push(m),
    )?;
    facts::rejected_facts(read, &mut errs);
    let read = tables.read(
        &format::REHAB,
        &mut errs,
        &|r, errs, local| known.rehab(r, errs, local),
        |_, m, _| b.rehab.push(m),
    )?;
    facts::rejected_facts(read, &mut errs);

    // The maps of keys are done with: their memory is free for building the population.
    drop((courses, cw_ids, team_ids));
    if errs.total > 0 {
        return Err(errs.into());
    }
    let Tables {
        reports,
        mut sources,
        ..
    } = tables;
    let mut warnings = Vec::new();
    for r in &reports {
        if !r.unknown_columns.is_empty() {
            warnings.push(format!(
                "{}: ukendte kolonner ignoreret: {}",
                r.name,
                r.unknown_columns.join(", ")
            ));
        }
        if !r.repaired_lines.is_empty() {
            warnings.push(format!(
                "{}: dobbelt-kodet tekst (fx «Ã¸» for «ø») rettet i {} linje(r): {}",
                r.name,
                r.repaired_lines.len(),
                kadence_core::dk::line_list(&r.repaired_lines)
            ));
        }
    }
    // One warning for every registration column missing from the files read: the day a fact
    // happened then stands in for the day it was registered.
    let absent: Vec<String> = format::REGISTRATION_COLUMNS
        .iter()
        .filter_map(|(table, col)| {
            reports
                .iter()
                .find(|r| r.table == *table && r.absent_columns.iter().any(|c| c == col))
                .map(|r| format!("{}: «{}»", r.name, col))
        })
        .collect();
    if !absent.is_empty() {
        warnings.push(format!(
            "Registreringsdatoer mangler ({}): dagen, det skete, bruges som registreringsdato, og tal opgjort efter registrering siger det",
            absent.join("; ")
        ));
    }
    warnings.extend(unknown_files);
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    warnings.extend(padded_warning);
    let (population, diags) = b.build();
    warnings.extend(summarised(diags));
    Ok(Loaded {
        population,
        files: reports,
        sources,
        warnings,
    })
}

/// The population's diagnostics as warnings: the first [`SHOWN`] of each kind in full, then one
/// line counting all of that kind. The whole country's export gave 32,897 lines of one kind (each
/// course shows its own on its page, as "Modstridende data").
fn summarised(diags: Vec<Diagnostic>) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<DiagnosticKind, usize> = Default::default();
    let mut out = Vec::new();
    for d in diags {
        let n = counts.entry(d.kind).or_default();
        *n += 1;
        if *n <= SHOWN {
            out.push(d.message);
        }
    }
    for (kind, n) in counts.into_iter().filter(|(_, n)| *n > SHOWN) {
        out.push(format!(
            "I alt {} {}; de første {SHOWN} står ovenfor.",
            kadence_core::dk::int(n as i64),
            kind.plural()
        ));
    }
    out
}

/// How many warnings of one kind are given in full.
const SHOWN: usize = 10;
