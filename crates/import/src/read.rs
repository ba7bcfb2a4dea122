//! Reads the import format into a population, all or nothing.
//!
//! Every file is decoded (BOM, UTF-8 or Windows-1252), double-decoded text is repaired with a warning
//! naming the lines, the separator is detected, and each row is parsed with every error located (file,
//! line, column, value, what was expected; in Danish). If any error is found, nothing is returned but
//! the errors (capped at [`MAX_ERRORS`], with the total count): the caller never sees half a dataset.
//! CPR numbers are masked in every message.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use kadence_core::cpr::Cpr;
use kadence_core::date::Day;
use kadence_core::model::*;

use crate::format::{self, h, FileSpec, Held, Words};
use crate::mapping::{self, Mapping};
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
        writeln!(
            f,
            "Importen er afvist; intet er ændret. {} fejl fundet:",
            self.total
        )?;
        for e in &self.errors {
            writeln!(f, "  {e}")?;
        }
        if self.total > self.errors.len() {
            writeln!(f, "  ... og {} fejl mere", self.total - self.errors.len())?;
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
}

/// A successfully read dataset.
#[derive(Debug)]
pub struct Loaded {
    pub population: Population,
    pub files: Vec<FileReport>,
    /// Warnings in Danish (unknown columns, repaired text, questionable facts).
    pub warnings: Vec<String>,
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

struct Table {
    file: String,
    header: HashMap<&'static str, usize>,
    rows: Vec<(u64, Vec<String>)>,
}

/// Raw rows of a file, `(line, fields)`, before any interpretation.
type RawRows = Vec<(u64, Vec<String>)>;

fn is_xlsx(name: &str, bytes: &[u8]) -> bool {
    name.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04")
}

fn csv_rows(name: &str, bytes: &[u8], errs: &mut ImportErrors) -> (RawRows, Encoding, char) {
    let (text, encoding) = decode(bytes);
    let first_line = text.lines().next().unwrap_or("");
    let sep = detect_separator(first_line);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(rec) => {
                let line = rec.position().map_or(0, |p| p.line());
                rows.push((line, rec.iter().map(|f| f.trim().to_string()).collect()));
            }
            Err(e) => errs.push(ImportError {
                file: name.into(),
                line: e.position().map_or(0, |p| p.line()),
                column: None,
                value: None,
                expected: "en gyldig CSV-linje".into(),
            }),
        }
    }
    (rows, encoding, char::from(sep))
}

/// The first worksheet of an Excel file as text: date cells become `åååå-mm-dd`, whole numbers lose
/// their `.0`, and text (including dates typed as text) is kept as typed.
fn xlsx_rows(name: &str, bytes: &[u8], errs: &mut ImportErrors) -> RawRows {
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

fn read_table(
    name: &str,
    bytes: &[u8],
    spec: &FileSpec,
    mapping: &Mapping,
    errs: &mut ImportErrors,
) -> (Table, FileReport) {
    let (raw, encoding, separator) = if is_xlsx(name, bytes) {
        (xlsx_rows(name, bytes, errs), Encoding::Xlsx, None)
    } else {
        let (rows, enc, sep) = csv_rows(name, bytes, errs);
        (rows, enc, Some(sep))
    };
    let mut report = FileReport {
        name: name.to_string(),
        bytes: bytes.len(),
        encoding,
        separator,
        rows: 0,
        repaired_lines: Vec::new(),
        unknown_columns: Vec::new(),
    };
    let mut table = Table {
        file: name.to_string(),
        header: HashMap::new(),
        rows: Vec::new(),
    };
    let mut header_seen = false;
    for (line, mut fields) in raw {
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let mut repaired = false;
        for f in &mut fields {
            if let Some(r) = repair_mojibake(f) {
                *f = r;
                repaired = true;
            }
        }
        if !header_seen {
            header_seen = true;
            let normalised: Vec<String> = fields.iter().map(|f| normalise_header(f)).collect();
            let mut known = vec![false; normalised.len()];
            for col in spec.columns {
                let names = mapping.header_names(spec, col.header);
                match normalised.iter().position(|n| names.contains(n)) {
                    Some(i) => {
                        table.header.insert(col.header, i);
                        known[i] = true;
                    }
                    None if col.required => errs.push(ImportError {
                        file: name.into(),
                        line,
                        column: Some(col.header.into()),
                        value: None,
                        expected: format!("kolonnen «{}» skal findes i overskriften", col.header),
                    }),
                    None => {}
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
            continue;
        }
        if repaired {
            report.repaired_lines.push(line);
        }
        table.rows.push((line, fields));
    }
    if !header_seen {
        errs.push(ImportError {
            file: name.into(),
            line: 0,
            column: None,
            value: None,
            expected: "filen er tom; den skal mindst have en overskrift".into(),
        });
    }
    report.rows = table.rows.len();
    (table, report)
}

/// One row being parsed.
struct Row<'a> {
    t: &'a Table,
    line: u64,
    fields: &'a [String],
}

impl Row<'_> {
    fn text(&self, col: &'static str) -> &str {
        self.t
            .header
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
            self.err(errs, col, None, "feltet må ikke være tomt");
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

fn rows(t: &Table) -> impl Iterator<Item = Row<'_>> {
    t.rows.iter().map(move |(line, fields)| Row {
        t,
        line: *line,
        fields,
    })
}

fn base_name(n: &str) -> &str {
    n.rsplit(['/', '\\']).next().unwrap_or(n)
}

fn find<'a>(
    files: &'a [(String, Vec<u8>)],
    spec: &FileSpec,
    mapping: &Mapping,
) -> Option<&'a (String, Vec<u8>)> {
    let want = spec.name.trim_end_matches(".csv");
    files.iter().find(|(n, _)| {
        let base = base_name(n).to_lowercase();
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
    })
}

/// Reads the import format from (file name, bytes) pairs. Pure: no file system.
pub fn read_files(files: &[(String, Vec<u8>)]) -> Result<Loaded, ImportErrors> {
    let mut errs = ImportErrors::default();
    let mut reports = Vec::new();
    let mut warnings = Vec::new();
    let mut tables: Vec<Option<Table>> = Vec::new();
    let mapping = files
        .iter()
        .find(|(n, _)| mapping::is_mapping_file(n))
        .map(|(n, b)| mapping::parse(base_name(n), b, &mut errs))
        .unwrap_or_default();
    for spec in format::FILES {
        match find(files, spec, &mapping) {
            Some((name, bytes)) => {
                let display = base_name(name).to_string();
                let (t, r) = read_table(&display, bytes, spec, &mapping, &mut errs);
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
                reports.push(r);
                tables.push(Some(t));
            }
            None if spec.name == format::COURSES.name => {
                errs.push(ImportError {
                    file: spec.name.into(),
                    line: 0,
                    column: None,
                    value: None,
                    expected: "filen med forløb mangler".into(),
                });
                tables.push(None);
            }
            None => tables.push(None),
        }
    }
    for (name, _) in files {
        let probe_file = (name.clone(), Vec::new());
        let probe = std::slice::from_ref(&probe_file);
        if !mapping::is_mapping_file(name)
            && !format::FILES
                .iter()
                .any(|s| find(probe, s, &mapping).is_some())
        {
            warnings.push(format!("{name}: ukendt fil ignoreret"));
        }
    }
    let mut b = PopulationBuilder::new();
    let [teams, cws, courses, convs, standby, medical, rehab] =
        <[Option<Table>; 7]>::try_from(tables)
            .unwrap_or_else(|_| unreachable!("one table per spec"));

    let mut team_ids: HashMap<String, TeamId> = HashMap::new();
    if let Some(t) = &teams {
        for r in rows(t) {
            let (Some(key), Some(name)) = (
                r.required(&mut errs, h::TEAM_ID),
                r.required(&mut errs, h::TEAM_NAME),
            ) else {
                continue;
            };
            if team_ids.contains_key(&key) {
                r.err(
                    &mut errs,
                    h::TEAM_ID,
                    Some(key),
                    "et team-id, der ikke er brugt før i filen",
                );
                continue;
            }
            let id = b.add_team(Team {
                key: key.clone(),
                name,
            });
            team_ids.insert(key, id);
        }
    }
    let mut cw_ids: HashMap<String, CaseworkerId> = HashMap::new();
    if let Some(t) = &cws {
        for r in rows(t) {
            let key = r.required(&mut errs, h::CW_ID);
            let name = r.required(&mut errs, h::CW_NAME);
            let team = r.required(&mut errs, h::TEAM_ID);
            let (Some(key), Some(name), Some(team)) = (key, name, team) else {
                continue;
            };
            let Some(&team) = team_ids.get(&team) else {
                r.err(
                    &mut errs,
                    h::TEAM_ID,
                    Some(team),
                    "et team-id fra teams.csv",
                );
                continue;
            };
            if cw_ids.contains_key(&key) {
                r.err(
                    &mut errs,
                    h::CW_ID,
                    Some(key),
                    "et sagsbehandler-id, der ikke er brugt før i filen",
                );
                continue;
            }
            let id = b.add_caseworker(Caseworker {
                key: key.clone(),
                name,
                team,
            });
            cw_ids.insert(key, id);
        }
    }
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

    let mut course_ids: HashMap<String, CourseId> = HashMap::new();
    let mut citizens: HashMap<Cpr, CitizenId> = HashMap::new();
    let mut from_refs: Vec<(CourseId, u64, String)> = Vec::new();
    let mut padded_cpr_lines: Vec<u64> = Vec::new();
    if let Some(t) = &courses {
        for r in rows(t) {
            let before = errs.total;
            let key = r.required(&mut errs, h::COURSE_ID);
            let cpr = r
                .required(&mut errs, h::CPR)
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
                            &mut errs,
                            h::CPR,
                            Some(mask_cpr(&v)),
                            e.to_string().to_lowercase(),
                        );
                        None
                    }
                });
            let name = r.required(&mut errs, h::NAME);
            let kind = r.word::<CourseKind>(&mut errs, h::KIND);
            let first_absence = r.date(&mut errs, h::FIRST_ABSENCE);
            let benefit_start = r.date(&mut errs, h::BENEFIT_START);
            let transition = r.opt_date(&mut errs, h::TRANSITION);
            let group = r.word::<TargetGroup>(&mut errs, h::GROUP);
            let category = r.opt_word::<Category>(&mut errs, h::CATEGORY);
            let category_date = r.opt_date(&mut errs, h::CATEGORY_DATE);
            let early_by = r.opt_word::<Requester>(&mut errs, h::EARLY_BY);
            let early_date = r.opt_date(&mut errs, h::EARLY_DATE);
            let p13f = r.opt_date(&mut errs, h::P13F);
            let p13f_lapsed = r.opt_date(&mut errs, h::P13F_LAPSED);
            let end = r.opt_date(&mut errs, h::END);
            let end_reason = r.opt_word::<EndReason>(&mut errs, h::END_REASON);
            let caseworker = cw_ref(&r, &mut errs);
            if errs.total > before {
                continue;
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
                continue;
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
                continue;
            };
            let (Ok(p13f), Ok(p13f_lapsed), Ok(end), Ok(end_reason), Ok(caseworker)) =
                (p13f, p13f_lapsed, end, end_reason, caseworker)
            else {
                continue;
            };
            if course_ids.contains_key(&key) {
                r.err(
                    &mut errs,
                    h::COURSE_ID,
                    Some(key),
                    "et forløbs-id, der ikke er brugt før i filen",
                );
                continue;
            }
            if benefit_start < first_absence {
                r.err(
                    &mut errs,
                    h::BENEFIT_START,
                    Some(benefit_start.dk().to_string()),
                    format!(
                        "en dato på eller efter første fraværsdag {}",
                        first_absence.dk()
                    ),
                );
                continue;
            }
            if kind == CourseKind::JobClarification && transition.is_none() {
                r.err(
                    &mut errs,
                    h::TRANSITION,
                    None,
                    "en overgangsdato for jobafklaringsforløb",
                );
                continue;
            }
            let start = transition.unwrap_or(first_absence);
            if let Some(e) = end.filter(|e| *e < start) {
                r.err(
                    &mut errs,
                    h::END,
                    Some(e.dk().to_string()),
                    format!("en slutdato på eller efter startdatoen {}", start.dk()),
                );
                continue;
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
                    r.err(&mut errs, h::EARLY_DATE, None, "både hvem der anmodede om tidlig opfølgning og datoen (eller ingen af dem)");
                    continue;
                }
            };
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
        }
        if !padded_cpr_lines.is_empty() {
            warnings.push(format!(
                "{}: CPR-nr. med 9 cifre fik et foranstillet 0 (Excel fjerner foranstillede nuller) i {} linje(r): {}",
                t.file,
                padded_cpr_lines.len(),
                kadence_core::dk::line_list(&padded_cpr_lines)
            ));
        }
        for (id, line, from) in from_refs {
            match course_ids.get(&from) {
                Some(f) => b.courses[id.index()].from_course = Some(*f),
                None => errs.push(ImportError {
                    file: t.file.clone(),
                    line,
                    column: Some(h::FROM_COURSE.into()),
                    value: Some(from),
                    expected: "et forløbs-id fra samme fil".into(),
                }),
            }
        }
    }
    let course_ref = |r: &Row<'_>, errs: &mut ImportErrors| -> Option<CourseId> {
        let v = r.required(errs, h::COURSE_ID)?;
        let id = course_ids.get(&v).copied();
        if id.is_none() {
            r.err(errs, h::COURSE_ID, Some(v), "et forløbs-id fra forloeb.csv");
        }
        id
    };
    if let Some(t) = &convs {
        for r in rows(t) {
            let course = course_ref(&r, &mut errs);
            let date = r.date(&mut errs, h::DATE);
            let form = r.word::<ConversationForm>(&mut errs, h::FORM);
            let held = r.word::<Held>(&mut errs, h::STATUS);
            let cw = cw_ref(&r, &mut errs);
            if let (Some(course), Some(date), Some(form), Some(Held(held)), Ok(caseworker)) =
                (course, date, form, held, cw)
            {
                b.conversations.push(Conversation {
                    course,
                    date,
                    form,
                    held,
                    caseworker,
                });
            }
        }
    }
    if let Some(t) = &standby {
        for r in rows(t) {
            let course = course_ref(&r, &mut errs);
            let start = r.date(&mut errs, h::START);
            let end = r.opt_date(&mut errs, h::END);
            if let (Some(course), Some(start), Ok(end)) = (course, start, end) {
                if let Some(e) = end.filter(|e| *e < start) {
                    r.err(
                        &mut errs,
                        h::END,
                        Some(e.dk().to_string()),
                        format!("en slutdato på eller efter startdatoen {}", start.dk()),
                    );
                    continue;
                }
                b.standby.push(StandbyPeriod { course, start, end });
            }
        }
    }
    if let Some(t) = &medical {
        for r in rows(t) {
            let course = course_ref(&r, &mut errs);
            let form = r.word::<MedicalForm>(&mut errs, h::MED_FORM);
            let sent = r.date(&mut errs, h::SENT);
            let deadline = r.opt_date(&mut errs, h::DEADLINE);
            let received = r.opt_date(&mut errs, h::RECEIVED);
            if let (Some(course), Some(form), Some(sent), Ok(deadline), Ok(received)) =
                (course, form, sent, deadline, received)
            {
                if let Some(d) = deadline.filter(|d| *d < sent) {
                    r.err(
                        &mut errs,
                        h::DEADLINE,
                        Some(d.dk().to_string()),
                        format!("en frist efter afsendelsen {}", sent.dk()),
                    );
                    continue;
                }
                b.medical.push(MedicalRequest {
                    course,
                    form,
                    sent,
                    deadline,
                    received,
                });
            }
        }
    }
    if let Some(t) = &rehab {
        for r in rows(t) {
            let course = course_ref(&r, &mut errs);
            let date = r.date(&mut errs, h::MEETING);
            let basis = r.word::<Lae265Basis>(&mut errs, h::BASIS);
            if let (Some(course), Some(date), Some(basis)) = (course, date, basis) {
                b.rehab.push(RehabMeeting {
                    course,
                    date,
                    basis,
                });
            }
        }
    }
    if errs.total > 0 {
        return Err(errs);
    }
    let (population, diags) = b.build();
    warnings.extend(diags.into_iter().map(|d| d.message));
    Ok(Loaded {
        population,
        files: reports,
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

/// The bytes of every `.csv` file in the given folders, and of the given files, as (name, bytes).
pub fn collect_files(paths: &[&Path]) -> Result<Vec<(String, Vec<u8>)>, ReadError> {
    let mut files = Vec::new();
    let name_of = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    for p in paths {
        let io = |source| ReadError::Io {
            path: p.display().to_string(),
            source,
        };
        if p.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(p)
                .map_err(io)?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .collect();
            entries.sort();
            for e in entries
                .into_iter()
                .filter(|e| e.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
            {
                let bytes = std::fs::read(&e).map_err(|source| ReadError::Io {
                    path: e.display().to_string(),
                    source,
                })?;
                files.push((name_of(&e), bytes));
            }
        } else {
            files.push((name_of(p), std::fs::read(p).map_err(io)?));
        }
    }
    Ok(files)
}

/// Reads every `.csv` file in the given folders, and the given files.
pub fn read_paths(paths: &[&Path]) -> Result<Loaded, ReadError> {
    Ok(read_files(&collect_files(paths)?)?)
}
