//! Reads the import format into a population, all or nothing.
//!
//! Every file is decoded (BOM, UTF-8 or Windows-1252), double-decoded text is repaired with a warning
//! naming the lines, the separator is detected, and each row is parsed with every error located (file,
//! line, column, value, what was expected; in Danish). If any error is found, nothing is returned but
//! the errors (capped at [`MAX_ERRORS`], with the total count): the caller never sees half a dataset.
//! CPR numbers are masked in every message.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use kadence_core::cpr::Cpr;
use kadence_core::date::Day;
use kadence_core::model::*;

use crate::format::{self, h, ConversationStatus, FileSpec, Words};
use crate::mapping::{self, Mapping};
use crate::source;
use crate::text::{
    decode, detect_separator, normalise_header, parse_date, repair_mojibake, Encoding,
};

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

/// A file's content as the reader gets it: bytes in memory, or a CSV file on disk read in chunks.
enum Input<'a> {
    Bytes(Cow<'a, [u8]>),
    File(&'a Path, source::Sniffed),
}

impl Input<'_> {
    fn size(&self) -> u64 {
        match self {
            Input::Bytes(b) => b.len() as u64,
            Input::File(_, s) => s.size,
        }
    }
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

/// The file a row came from and where its columns are.
struct Header {
    file: String,
    /// Our own column names (never the file's text) to positions: FxHash, as SipHash on every
    /// cell was 12 % of reading an export (issue 15).
    columns: HashMap<&'static str, usize, rustc_hash::FxBuildHasher>,
}

/// Raw rows of an Excel sheet, `(line, fields)`, before any interpretation (a sheet holds at most
/// 1,048,576 rows, so it is read whole; CSV files are streamed row by row).
type RawRows = Vec<(u64, Vec<String>)>;

fn is_xlsx(name: &str, bytes: &[u8]) -> bool {
    name.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04")
}

/// Hands every record of a CSV file to `each` as `(line, fields)`, reusing one buffer of fields, so
/// no row outlives its turn (a national export is tens of millions of rows).
fn csv_each(
    name: &str,
    text: impl std::io::Read,
    sep: u8,
    errs: &mut ImportErrors,
    mut each: impl FnMut(u64, &mut Vec<String>, &mut ImportErrors),
) {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut rec = csv::StringRecord::new();
    let mut fields: Vec<String> = Vec::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line());
                fields.truncate(rec.len());
                for (i, f) in rec.iter().enumerate() {
                    match fields.get_mut(i) {
                        Some(s) => {
                            s.clear();
                            s.push_str(f.trim());
                        }
                        None => fields.push(f.trim().to_string()),
                    }
                }
                each(line, &mut fields, errs);
            }
            Err(e) => {
                errs.push(ImportError {
                    file: name.into(),
                    line: e.position().map_or(0, |p| p.line()),
                    column: None,
                    value: None,
                    expected: "en gyldig CSV-linje".into(),
                });
                // A parse error is per record, so the reader goes on with the next one; an I/O
                // error (a file read from disk) ends the file.
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                ) {
                    break;
                }
            }
        }
    }
}

/// The first worksheet of an Excel file as text: date cells become `åååå-mm-dd`, whole numbers lose
/// their `.0`, and text (including dates typed as text) is kept as typed.
pub(crate) fn xlsx_rows(name: &str, bytes: &[u8], errs: &mut ImportErrors) -> RawRows {
    use calamine::{Data, Reader};
    let fail = |errs: &mut ImportErrors, what: String| {
        errs.push(ImportError {
            file: name.into(),
            line: 0,
            column: None,
            value: None,
            expected: what,
        });
        Vec::new()
    };
    let mut book = match calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)) {
        Ok(b) => b,
        Err(e) => return fail(errs, format!("en Excel-fil (xlsx), der kan åbnes ({e})")),
    };
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return fail(errs, format!("et læsbart første regneark ({e})")),
        None => return fail(errs, "mindst ét regneark".into()),
    };
    let first_row = range.start().map_or(0, |(r, _)| r);
    let first_col = range.start().map_or(0, |(_, c)| c) as usize;
    range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut fields = vec![String::new(); first_col];
            fields.extend(cells.iter().map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Int(i) => i.to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => {
                    if *b {
                        "1".into()
                    } else {
                        "0".into()
                    }
                }
                Data::DateTime(d) if d.is_datetime() => {
                    let (y, m, day, ..) = d.to_ymd_hms_milli();
                    format!("{y:04}-{m:02}-{day:02}")
                }
                Data::DateTime(d) => d.as_f64().to_string(),
                Data::DateTimeIso(s) => s.chars().take(10).collect(),
                Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            }));
            (u64::from(first_row) + i as u64 + 1, fields)
        })
        .collect()
}

/// Reads one file (CSV or Excel) row by row: decodes it, maps its header to the format's columns,
/// repairs double-decoded text, and hands each data row to `each` without keeping it.
fn read_table(
    name: &str,
    input: &Input<'_>,
    spec: &FileSpec,
    mapping: &Mapping,
    errs: &mut ImportErrors,
    mut each: impl FnMut(&Row<'_>, &mut ImportErrors),
) -> FileReport {
    let mut report = FileReport {
        name: name.to_string(),
        bytes: input.size() as usize,
        encoding: Encoding::Xlsx,
        separator: None,
        rows: 0,
        repaired_lines: Vec::new(),
        unknown_columns: Vec::new(),
        absent_columns: Vec::new(),
        table: spec.name.to_string(),
    };
    let mut header: Option<Header> = None;
    let mut line_of = |line: u64, fields: &mut Vec<String>, errs: &mut ImportErrors| {
        if fields.iter().all(|f| f.is_empty()) {
            return;
        }
        let mut repaired = false;
        for f in fields.iter_mut() {
            if let Some(r) = repair_mojibake(f) {
                *f = r;
                repaired = true;
            }
        }
        let Some(h) = &header else {
            header = Some(map_header(
                name,
                line,
                fields,
                spec,
                mapping,
                errs,
                &mut report,
            ));
            return;
        };
        if repaired {
            report.repaired_lines.push(line);
        }
        report.rows += 1;
        each(&Row { t: h, line, fields }, errs);
    };
    let file_error = |errs: &mut ImportErrors, what: String| {
        errs.push(ImportError {
            file: name.into(),
            line: 0,
            column: None,
            value: None,
            expected: what,
        })
    };
    match input {
        Input::Bytes(bytes) if is_xlsx(name, bytes) => {
            for (line, mut fields) in xlsx_rows(name, bytes, errs) {
                line_of(line, &mut fields, errs);
            }
        }
        Input::Bytes(bytes) => {
            let (text, encoding) = decode(bytes);
            let sep = detect_separator(text.lines().next().unwrap_or(""));
            csv_each(name, text.as_bytes(), sep, errs, &mut line_of);
            report.encoding = encoding;
            report.separator = Some(char::from(sep));
        }
        Input::File(path, sniffed) => {
            let sep = detect_separator(&sniffed.first_line);
            match source::open(path, sniffed) {
                Ok(mut text) => {
                    csv_each(name, &mut text, sep, errs, &mut line_of);
                    if text.changed() {
                        file_error(
                            errs,
                            "en fil, der ikke ændres under indlæsningen; prøv igen".into(),
                        );
                    }
                }
                Err(e) => file_error(errs, format!("en fil, der kan læses ({e})")),
            }
            report.encoding = sniffed.encoding;
            report.separator = Some(char::from(sep));
        }
    }
    if header.is_none() {
        errs.push(ImportError {
            file: name.into(),
            line: 0,
            column: None,
            value: None,
            expected: "filen er tom; den skal mindst have en overskrift".into(),
        });
    }
    report
}

/// Finds the format's columns in a file's first line (under their own names or the mapping's).
fn map_header(
    name: &str,
    line: u64,
    fields: &[String],
    spec: &FileSpec,
    mapping: &Mapping,
    errs: &mut ImportErrors,
    report: &mut FileReport,
) -> Header {
    let mut columns = HashMap::default();
    let normalised: Vec<String> = fields.iter().map(|f| normalise_header(f)).collect();
    let mut known = vec![false; normalised.len()];
    for col in spec.columns {
        let names = mapping.header_names(spec, col.header);
        match normalised.iter().position(|n| names.contains(n)) {
            Some(i) => {
                columns.insert(col.header, i);
                known[i] = true;
            }
            None if col.required => errs.push(ImportError {
                file: name.into(),
                line,
                column: Some(col.header.into()),
                value: None,
                expected: format!("kolonnen «{}» skal findes i overskriften", col.header),
            }),
            None => report.absent_columns.push(col.header.to_string()),
        }
    }
    for (i, n) in normalised.iter().enumerate() {
        if !n.is_empty()
            && !known[i]
            && !spec
                .columns
                .iter()
                .any(|c| mapping.header_names(spec, c.header).contains(n))
        {
            report.unknown_columns.push(fields[i].clone());
        }
    }
    Header {
        file: name.to_string(),
        columns,
    }
}

/// One row being parsed.
struct Row<'a> {
    t: &'a Header,
    line: u64,
    fields: &'a [String],
}

impl Row<'_> {
    fn text(&self, col: &'static str) -> &str {
        self.t
            .columns
            .get(col)
            .and_then(|i| self.fields.get(*i))
            .map_or("", |s| s.as_str())
    }
    fn err(
        &self,
        errs: &mut ImportErrors,
        col: &'static str,
        value: Option<String>,
        expected: impl Into<String>,
    ) {
        errs.push(ImportError {
            file: self.t.file.clone(),
            line: self.line,
            column: Some(col.into()),
            value,
            expected: expected.into(),
        });
    }
    fn required(&self, errs: &mut ImportErrors, col: &'static str) -> Option<String> {
        let v = self.text(col);
        if v.is_empty() {
            // A required column missing from the header is one error, the header's, not one per
            // row (issue 15: one missing column gave 2,710 errors).
            if self.t.columns.contains_key(col) {
                self.err(errs, col, None, "feltet må ikke være tomt");
            }
            None
        } else {
            Some(v.to_string())
        }
    }
    fn date(&self, errs: &mut ImportErrors, col: &'static str) -> Option<Day> {
        let v = self.required(errs, col)?;
        let d = parse_date(&v);
        if d.is_none() {
            self.err(
                errs,
                col,
                Some(v),
                "en dato som dd-mm-åååå, dd.mm.åååå eller åååå-mm-dd",
            );
        }
        d
    }
    /// `Ok(None)` for an empty field; `Err` after reporting an invalid one.
    fn opt_date(&self, errs: &mut ImportErrors, col: &'static str) -> Result<Option<Day>, ()> {
        let v = self.text(col);
        if v.is_empty() {
            return Ok(None);
        }
        match parse_date(v) {
            Some(d) => Ok(Some(d)),
            None => {
                self.err(
                    errs,
                    col,
                    Some(v.into()),
                    "en dato som dd-mm-åååå, dd.mm.åååå eller åååå-mm-dd",
                );
                Err(())
            }
        }
    }
    fn word<T: Words>(&self, errs: &mut ImportErrors, col: &'static str) -> Option<T> {
        let v = self.required(errs, col)?;
        let w = T::parse_word(&v);
        if w.is_none() {
            self.err(errs, col, Some(v), format!("en af: {}", T::expected()));
        }
        w
    }
    fn opt_word<T: Words>(
        &self,
        errs: &mut ImportErrors,
        col: &'static str,
    ) -> Result<Option<T>, ()> {
        if self.text(col).is_empty() {
            return Ok(None);
        }
        self.word(errs, col).map(Some).ok_or(())
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
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    read_from(&names, |i| {
        Ok::<_, ImportErrors>(Input::Bytes(Cow::Borrowed(files[i].1.as_slice())))
    })
}

/// The reader behind [`read_files`] and [`read_paths`]: `load(i)` gives the content of `names[i]`,
/// asked for one file at a time and dropped after it is read, so at most one file's bytes are held.
fn read_from<'a, E: From<ImportErrors>>(
    names: &[String],
    mut load: impl FnMut(usize) -> Result<Input<'a>, E>,
) -> Result<Loaded, E> {
    let mut errs = ImportErrors::default();
    let mut reports = Vec::new();
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
    // Reads `spec`'s file, if there is one, handing each row to `each`; returns its display name.
    let mut table = |spec: &FileSpec,
                     errs: &mut ImportErrors,
                     each: &mut dyn FnMut(&Row<'_>, &mut ImportErrors)|
     -> Result<Option<String>, E> {
        let Some(i) = names.iter().position(|n| names_table(n, spec, &mapping)) else {
            return Ok(None);
        };
        let input = load(i)?;
        sources.push(input.source(&names[i]));
        let display = base_name(&names[i]).to_string();
        let r = read_table(&display, &input, spec, &mapping, errs, each);
        reports.push(r);
        Ok(Some(display))
    };
    let mut b = PopulationBuilder::new();

    let mut team_ids: HashMap<String, TeamId> = HashMap::new();
    table(&format::TEAMS, &mut errs, &mut |r, errs| {
        let (Some(key), Some(name)) =
            (r.required(errs, h::TEAM_ID), r.required(errs, h::TEAM_NAME))
        else {
            return;
        };
        if team_ids.contains_key(&key) {
            r.err(
                errs,
                h::TEAM_ID,
                Some(key),
                "et team-id, der ikke er brugt før i filen",
            );
            return;
        }
        let id = b.add_team(Team {
            key: key.clone(),
            name,
        });
        team_ids.insert(key, id);
    })?;

    let mut cw_ids: HashMap<String, CaseworkerId> = HashMap::new();
    table(&format::CASEWORKERS, &mut errs, &mut |r, errs| {
        let key = r.required(errs, h::CW_ID);
        let name = r.required(errs, h::CW_NAME);
        let team = r.required(errs, h::TEAM_ID);
        let (Some(key), Some(name), Some(team)) = (key, name, team) else {
            return;
        };
        let Some(&team) = team_ids.get(&team) else {
            r.err(errs, h::TEAM_ID, Some(team), "et team-id fra teams.csv");
            return;
        };
        if cw_ids.contains_key(&key) {
            r.err(
                errs,
                h::CW_ID,
                Some(key),
                "et sagsbehandler-id, der ikke er brugt før i filen",
            );
            return;
        }
        let id = b.add_caseworker(Caseworker {
            key: key.clone(),
            name,
            team,
        });
        cw_ids.insert(key, id);
    })?;

    let cw_ref = |r: &Row<'_>, errs: &mut ImportErrors| -> Result<Option<CaseworkerId>, ()> {
        let v = r.text(h::CW_ID);
        if v.is_empty() {
            return Ok(None);
        }
        match cw_ids.get(v) {
            Some(id) => Ok(Some(*id)),
            None => {
                r.err(
                    errs,
                    h::CW_ID,
                    Some(v.into()),
                    "et sagsbehandler-id fra sagsbehandlere.csv",
                );
                Err(())
            }
        }
    };

    // FxHash: 3.1 M course keys and 2.8 M CPR numbers for the country, where SipHash was 5 % of
    // reading it; the keys come from the municipality's own case system.
    let mut course_ids: HashMap<String, CourseId, rustc_hash::FxBuildHasher> = HashMap::default();
    let mut citizens: HashMap<Cpr, CitizenId, rustc_hash::FxBuildHasher> = HashMap::default();
    let mut from_refs: Vec<(CourseId, u64, String)> = Vec::new();
    let mut padded_cpr_lines: Vec<u64> = Vec::new();
    let mut padded_warning = None;
    // The ids of the courses rejected in the course file: a fact of one is not reported again as
    // pointing at an unknown course (issue 15). Only rejected rows are kept, not every id.
    let mut rejected_keys: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut course_row = |r: &Row<'_>, errs: &mut ImportErrors| {
        let before = errs.total;
        let key = r.required(errs, h::COURSE_ID);
        let cpr = r
            .required(errs, h::CPR)
            .map(|v| {
                // Excel drops the leading zero of CPR numbers stored as numbers (0101... -> 101...).
                if v.len() == 9 && v.bytes().all(|b| b.is_ascii_digit()) {
                    padded_cpr_lines.push(r.line);
                    format!("0{v}")
                } else {
                    v
                }
            })
            .and_then(|v| match Cpr::parse(&v) {
                Ok(c) => Some(c),
                Err(e) => {
                    r.err(
                        errs,
                        h::CPR,
                        Some(mask_cpr(&v)),
                        e.to_string().to_lowercase(),
                    );
                    None
                }
            });
        let name = r.required(errs, h::NAME);
        let kind = r.word::<CourseKind>(errs, h::KIND);
        let first_absence = r.date(errs, h::FIRST_ABSENCE);
        let benefit_start = r.date(errs, h::BENEFIT_START);
        let transition = r.opt_date(errs, h::TRANSITION);
        let group = r.word::<TargetGroup>(errs, h::GROUP);
        let category = r.opt_word::<Category>(errs, h::CATEGORY);
        let category_date = r.opt_date(errs, h::CATEGORY_DATE);
        let early_by = r.opt_word::<Requester>(errs, h::EARLY_BY);
        let early_date = r.opt_date(errs, h::EARLY_DATE);
        let p13f = r.opt_date(errs, h::P13F);
        let p13f_lapsed = r.opt_date(errs, h::P13F_LAPSED);
        let fit26 = r.opt_date(errs, h::FIT26);
        let asked_by = r.opt_word::<Requester>(errs, h::ASKED_BY);
        let asked_date = r.opt_date(errs, h::ASKED_DATE);
        let decided = r.opt_date(errs, h::DECIDED);
        let unemployed = r.opt_date(errs, h::UNEMPLOYED);
        let reduced = r.opt_date(errs, h::REDUCED_RATE);
        let end = r.opt_date(errs, h::END);
        let end_reason = r.opt_word::<EndReason>(errs, h::END_REASON);
        let caseworker = cw_ref(r, errs);
        if errs.total > before {
            return;
        }
        let (
            Some(key),
            Some(cpr),
            Some(name),
            Some(kind),
            Some(first_absence),
            Some(benefit_start),
        ) = (key, cpr, name, kind, first_absence, benefit_start)
        else {
            return;
        };
        let (
            Ok(transition),
            Some(group),
            Ok(category),
            Ok(category_date),
            Ok(early_by),
            Ok(early_date),
        ) = (
            transition,
            group,
            category,
            category_date,
            early_by,
            early_date,
        )
        else {
            return;
        };
        let (Ok(p13f), Ok(p13f_lapsed), Ok(end), Ok(end_reason), Ok(caseworker)) =
            (p13f, p13f_lapsed, end, end_reason, caseworker)
        else {
            return;
        };
        let (Ok(fit26), Ok(asked_by), Ok(asked_date), Ok(decided), Ok(unemployed), Ok(reduced)) =
            (fit26, asked_by, asked_date, decided, unemployed, reduced)
        else {
            return;
        };
        if course_ids.contains_key(&key) {
            r.err(
                errs,
                h::COURSE_ID,
                Some(key),
                "et forløbs-id, der ikke er brugt før i filen",
            );
            return;
        }
        if benefit_start < first_absence {
            r.err(
                errs,
                h::BENEFIT_START,
                Some(benefit_start.dk().to_string()),
                format!(
                    "en dato på eller efter første fraværsdag {}",
                    first_absence.dk()
                ),
            );
            return;
        }
        if kind == CourseKind::JobClarification && transition.is_none() {
            r.err(
                errs,
                h::TRANSITION,
                None,
                "en overgangsdato for jobafklaringsforløb",
            );
            return;
        }
        let start = transition.unwrap_or(first_absence);
        if let Some(e) = end.filter(|e| *e < start) {
            r.err(
                errs,
                h::END,
                Some(e.dk().to_string()),
                format!("en slutdato på eller efter startdatoen {}", start.dk()),
            );
            return;
        }
        let visitation = match (category, category_date) {
            (Some(c), Some(d)) => Some(Visitation {
                category: c,
                set_on: d,
            }),
            (Some(c), None) => Some(Visitation {
                category: c,
                set_on: benefit_start,
            }),
            (None, _) => None,
        };
        let early_request = match (early_by, early_date) {
            (Some(by), Some(date)) => Some(EarlyRequest { by, date }),
            (None, None) => None,
            _ => {
                r.err(
                    errs,
                    h::EARLY_DATE,
                    None,
                    "både hvem der anmodede om tidlig opfølgning og datoen (eller ingen af dem)",
                );
                return;
            }
        };
        let follow_up_asked = match (asked_by, asked_date) {
            (Some(by), Some(date)) => Some(FollowUpAsked { by, date }),
            (None, None) => None,
            _ => {
                r.err(
                    errs,
                    h::ASKED_DATE,
                    None,
                    "både hvem der ønskede opfølgning og datoen (eller ingen af dem)",
                );
                return;
            }
        };
        // The reform's facts are dated within the course: none before the first day of absence.
        for (col, day) in [
            (h::FIT26, fit26),
            (h::ASKED_DATE, asked_date),
            (h::DECIDED, decided),
            (h::UNEMPLOYED, unemployed),
            (h::REDUCED_RATE, reduced),
        ] {
            if let Some(day) = day.filter(|d| *d < first_absence) {
                r.err(
                    errs,
                    col,
                    Some(day.dk().to_string()),
                    format!(
                        "en dato på eller efter første fraværsdag {}",
                        first_absence.dk()
                    ),
                );
                return;
            }
        }
        if let Some(day) = reduced.filter(|_| kind != CourseKind::SicknessBenefit) {
            r.err(
                errs,
                h::REDUCED_RATE,
                Some(day.dk().to_string()),
                "nedsat sats kun på sygedagpengeforløb (jobafklaringsforløb har ingen nedsat sats)",
            );
            return;
        }
        let citizen = *citizens
            .entry(cpr)
            .or_insert_with(|| b.add_citizen(Citizen { cpr, name }));
        let id = b.add_course(Course {
            key: key.clone(),
            citizen,
            kind,
            first_absence,
            benefit_start,
            transition,
            from_course: None,
            target_group: group,
            visitation,
            early_request,
            predictable: p13f.map(|d| Predictable {
                marked_on: d,
                lapsed_on: p13f_lapsed,
            }),
            reform: ReformFacts {
                fit_within_26_weeks: fit26,
                follow_up_asked,
                municipality_decided: decided,
                unemployed_on: unemployed,
                reduced_rate_from: reduced,
            }
            .boxed(),
            end: end.map(|date| CourseEnd {
                date,
                reason: end_reason.unwrap_or(EndReason::Other),
            }),
            caseworker,
        });
        let from = r.text(h::FROM_COURSE);
        if !from.is_empty() {
            from_refs.push((id, r.line, from.to_string()));
        }
        course_ids.insert(key, id);
    };
    let file = table(&format::COURSES, &mut errs, &mut |r, errs| {
        let before = errs.total;
        course_row(r, errs);
        let key = r.text(h::COURSE_ID);
        if errs.total > before && !key.is_empty() {
            rejected_keys.insert(key.to_string());
        }
    })?;
    if let Some(file) = &file {
        if !padded_cpr_lines.is_empty() {
            padded_warning = Some(format!(
            "{}: CPR-nr. med 9 cifre fik et foranstillet 0 (Excel fjerner foranstillede nuller) i {} linje(r): {}",
            file,
            padded_cpr_lines.len(),
            kadence_core::dk::line_list(&padded_cpr_lines)
        ));
        }
        for (id, line, from) in from_refs {
            match course_ids.get(&from) {
                Some(f) => b.courses[id.index()].from_course = Some(*f),
                None => errs.push(ImportError {
                    file: file.clone(),
                    line,
                    column: Some(h::FROM_COURSE.into()),
                    value: Some(from),
                    expected: "et forløbs-id fra samme fil".into(),
                }),
            }
        }
    }

    // A fact of a course rejected above is counted, and said once per file (`rejected_facts`).
    let rejected_refs: std::cell::RefCell<(usize, Vec<String>)> = Default::default();
    // Facts come grouped by course in an export: the last course found is kept, so a run of one
    // course's facts costs a comparison each instead of a look-up (and no copy of the id).
    let last_course: std::cell::RefCell<(String, CourseId)> =
        std::cell::RefCell::new((String::new(), CourseId(0)));
    let course_ref = |r: &Row<'_>, errs: &mut ImportErrors| -> Option<CourseId> {
        let text = r.text(h::COURSE_ID);
        if !text.is_empty() {
            let last = last_course.borrow();
            if last.0 == text {
                return Some(last.1);
            }
        }
        let v = r.required(errs, h::COURSE_ID)?;
        let id = course_ids.get(&v).copied();
        if let Some(found) = id {
            let mut last = last_course.borrow_mut();
            last.0.clear();
            last.0.push_str(&v);
            last.1 = found;
        }
        if id.is_none() {
            if rejected_keys.contains(&v) {
                let mut refs = rejected_refs.borrow_mut();
                refs.0 += 1;
                if refs.1.len() < 5 && !refs.1.contains(&v) {
                    refs.1.push(v);
                }
            } else {
                r.err(errs, h::COURSE_ID, Some(v), "et forløbs-id fra forloeb.csv");
            }
        }
        id
    };
    let rejected_facts = |file: Option<String>, errs: &mut ImportErrors| {
        let (n, keys) = rejected_refs.take();
        if let (Some(file), true) = (file, n > 0) {
            errs.push(ImportError {
                file,
                line: 0,
                column: Some(h::COURSE_ID.into()),
                value: None,
                expected: format!(
                    "{} hører til forløb, der er afvist i forloeb.csv (se fejlene dér), fx {}; de læses, når forløbet er rettet",
                    kadence_core::dk::count(n as u64, "række", "rækker"),
                    keys.join(", ")
                ),
            });
        }
    };
    let file = table(&format::CONVERSATIONS, &mut errs, &mut |r, errs| {
        let course = course_ref(r, errs);
        let date = r.date(errs, h::DATE);
        let form = r.word::<ConversationForm>(errs, h::FORM);
        let status = r.word::<ConversationStatus>(errs, h::STATUS);
        let cw = cw_ref(r, errs);
        let registered = r.opt_date(errs, h::REGISTERED);
        if let (
            Some(course),
            Some(date),
            Some(form),
            Some(status),
            Ok(caseworker),
            Ok(registered),
        ) = (course, date, form, status, cw, registered)
        {
            let held = status == ConversationStatus::Held;
            // A conversation is registered as held once it has been held, not before.
            if let Some(reg) = registered.filter(|reg| held && *reg < date) {
                r.err(
                    errs,
                    h::REGISTERED,
                    Some(reg.dk().to_string()),
                    format!(
                        "en registreringsdato på eller efter samtalens dato {}",
                        date.dk()
                    ),
                );
                return;
            }
            b.conversations.push(Conversation {
                course,
                date,
                form,
                held,
                planned: status == ConversationStatus::Planned,
                caseworker,
                registered,
            });
        }
    })?;
    rejected_facts(file, &mut errs);

    let file = table(&format::STANDBY, &mut errs, &mut |r, errs| {
        let course = course_ref(r, errs);
        let start = r.date(errs, h::START);
        let end = r.opt_date(errs, h::END);
        let registered = r.opt_date(errs, h::REGISTERED);
        if let (Some(course), Some(start), Ok(end), Ok(registered)) =
            (course, start, end, registered)
        {
            if let Some(e) = end.filter(|e| *e < start) {
                r.err(
                    errs,
                    h::END,
                    Some(e.dk().to_string()),
                    format!("en slutdato på eller efter startdatoen {}", start.dk()),
                );
                return;
            }
            b.standby.push(StandbyPeriod {
                course,
                start,
                end,
                registered,
            });
        }
    })?;
    rejected_facts(file, &mut errs);

    let file = table(&format::MEDICAL, &mut errs, &mut |r, errs| {
        let course = course_ref(r, errs);
        let form = r.word::<MedicalForm>(errs, h::MED_FORM);
        let sent = r.date(errs, h::SENT);
        let deadline = r.opt_date(errs, h::DEADLINE);
        let received = r.opt_date(errs, h::RECEIVED);
        let received_registered = r.opt_date(errs, h::RECEIVED_REGISTERED);
        if let (
            Some(course),
            Some(form),
            Some(sent),
            Ok(deadline),
            Ok(received),
            Ok(received_registered),
        ) = (course, form, sent, deadline, received, received_registered)
        {
            match (received, received_registered) {
                (None, Some(reg)) => {
                    r.err(
                        errs,
                        h::RECEIVED_REGISTERED,
                        Some(reg.dk().to_string()),
                        "en modtaget-dato, når modtagelsen er registreret",
                    );
                    return;
                }
                (Some(got), Some(reg)) if reg < got => {
                    r.err(
                        errs,
                        h::RECEIVED_REGISTERED,
                        Some(reg.dk().to_string()),
                        format!("en dato på eller efter modtagelsen {}", got.dk()),
                    );
                    return;
                }
                _ => {}
            }
            if let Some(d) = deadline.filter(|d| *d < sent) {
                r.err(
                    errs,
                    h::DEADLINE,
                    Some(d.dk().to_string()),
                    format!("en frist efter afsendelsen {}", sent.dk()),
                );
                return;
            }
            b.medical.push(MedicalRequest {
                course,
                form,
                sent,
                deadline,
                received,
                received_registered,
            });
        }
    })?;
    rejected_facts(file, &mut errs);

    let file = table(&format::REHAB, &mut errs, &mut |r, errs| {
        let course = course_ref(r, errs);
        let date = r.date(errs, h::MEETING);
        let basis = r.word::<Lae265Basis>(errs, h::BASIS);
        if let (Some(course), Some(date), Some(basis)) = (course, date, basis) {
            b.rehab.push(RehabMeeting {
                course,
                date,
                basis,
            });
        }
    })?;
    rejected_facts(file, &mut errs);

    if errs.total > 0 {
        return Err(errs.into());
    }
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
    warnings.extend(diags.into_iter().map(|d| d.message));
    Ok(Loaded {
        population,
        files: reports,
        sources,
        warnings,
    })
}

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
        let loaded = read_from(&names, |i| {
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
