//! Jobindsats' figures: what a table's rows mean, each fetch kept with where it came from and when,
//! and the figures as they were known on a date.
//!
//! `committee.md` §2: every Jobindsats table of a benefit group has the same four measures (persons,
//! full-time persons, full-time persons as a share of the labour force and of the population 16-66),
//! one row per area × period × dimension value, including the total value ("Køn i alt"). Both the
//! API (v3, `columns`/`rows`) and the CSV download (header of labels, ';', decimal comma) come down
//! to a header and rows of cells; `read_table` reads them in one way, keeping only the total rows
//! of every dimension, and names every bad cell by its line and column.
//!
//! A later fetch of the same table, area and month replaces the earlier one from its day on (late
//! registrations raise the newest month), so a report as of a past day shows what was known then.

use std::collections::HashMap;

use serde::Serialize;

use crate::date::{Day, Month};

/// One cell as the source gave it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Missing,
}

/// The measures of a benefit group's table.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Measure {
    Persons,
    FullTime,
    ShareOfLabourForce,
    ShareOfPopulation,
}

impl Measure {
    pub const ALL: [Measure; 4] = [
        Measure::Persons,
        Measure::FullTime,
        Measure::ShareOfLabourForce,
        Measure::ShareOfPopulation,
    ];
    /// Jobindsats' label.
    pub fn label(self) -> &'static str {
        match self {
            Measure::Persons => "Antal personer",
            Measure::FullTime => "Antal fuldtidspersoner",
            Measure::ShareOfLabourForce => "Fuldtidspersoner i pct. af arbejdsstyrken 16-66 år",
            Measure::ShareOfPopulation => "Fuldtidspersoner i pct. af befolkningen 16-66 år",
        }
    }
    fn recognise(label: &str) -> Option<Measure> {
        let l = label.trim().to_lowercase();
        if l == "antal personer" {
            Some(Measure::Persons)
        } else if l == "antal fuldtidspersoner" {
            Some(Measure::FullTime)
        } else if l.starts_with("fuldtidspersoner i pct. af arbejdsstyrken") {
            Some(Measure::ShareOfLabourForce)
        } else if l.starts_with("fuldtidspersoner i pct. af befolkningen") {
            Some(Measure::ShareOfPopulation)
        } else {
            None
        }
    }
}

/// One area's figures for one month of one table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExternalFigure {
    pub area: String,
    pub month: Month,
    pub persons: Option<f64>,
    pub full_time: Option<f64>,
    /// Per cent (4,2 means 4,2 %).
    pub share_labour_force: Option<f64>,
    pub share_population: Option<f64>,
}

impl ExternalFigure {
    pub fn get(&self, m: Measure) -> Option<f64> {
        match m {
            Measure::Persons => self.persons,
            Measure::FullTime => self.full_time,
            Measure::ShareOfLabourForce => self.share_labour_force,
            Measure::ShareOfPopulation => self.share_population,
        }
    }
    fn set(&mut self, m: Measure, v: Option<f64>) {
        match m {
            Measure::Persons => self.persons = v,
            Measure::FullTime => self.full_time = v,
            Measure::ShareOfLabourForce => self.share_labour_force = v,
            Measure::ShareOfPopulation => self.share_population = v,
        }
    }
}

/// A bad cell or header, located (Danish message).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableError {
    /// 1-based line (the header is line 1); for the API, the row number + 1.
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "linje {}, kolonne «{c}»: {}", self.line, self.message),
            None => write!(f, "linje {}: {}", self.line, self.message),
        }
    }
}

/// A table read: the monthly total rows, and what was left out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReadTable {
    pub figures: Vec<ExternalFigure>,
    /// Rows of a dimension value other than the total (e.g. "Mænd").
    pub breakdown_rows: u64,
    /// Rows of another period type (quarters, years).
    pub other_period_rows: u64,
    /// The dimension columns whose total rows were kept.
    pub dimensions: Vec<String>,
}

const MAX_ERRORS: usize = 50;

fn is_total(v: &str) -> bool {
    let l = v.trim().to_lowercase();
    l.ends_with(" i alt") || l == "i alt" || l == "total" || l == "alle"
}

/// A Danish number: decimal comma, "." as thousands separator ("144.315"); a string with only a
/// point and not in groups of three ("9.08") is read with a decimal point. "", "..", "-", "x" are
/// missing (Jobindsats' marks for a suppressed or empty cell).
pub fn danish_number(s: &str) -> Result<Option<f64>, String> {
    let t = s.trim().replace(['\u{a0}', ' '], "");
    if t.is_empty() || t == ".." || t == "-" || t.eq_ignore_ascii_case("x") {
        return Ok(None);
    }
    let thousands_only = {
        let rest = t.strip_prefix('-').unwrap_or(&t);
        let parts: Vec<&str> = rest.split('.').collect();
        parts.len() > 1
            && (1..=3).contains(&parts[0].len())
            && parts[1..].iter().all(|p| p.len() == 3)
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    };
    let normal = if t.contains(',') || thousands_only {
        t.replace('.', "").replace(',', ".")
    } else {
        t.clone()
    };
    normal
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(Some)
        .ok_or_else(|| format!("«{}» er ikke et tal", s.trim()))
}

/// Jobindsats' period code of a month ("2024M03"); `Ok(None)` for another period type
/// ("2024Q1", "2020QMAT02", "2024").
pub fn period_month(s: &str) -> Result<Option<Month>, String> {
    let t = s.trim();
    let bad = || format!("«{t}» er ikke en periode som 2024M03");
    if t.len() < 4 || !t.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let year: i32 = t[..4].parse().map_err(|_| bad())?;
    let rest = &t[4..];
    if let Some(m) = rest.strip_prefix('M') {
        let n: u32 = m.parse().map_err(|_| bad())?;
        if m.len() != 2 || !(1..=12).contains(&n) || !(1900..=2100).contains(&year) {
            return Err(bad());
        }
        return Ok(Some(Month::new(year, n)));
    }
    if rest.is_empty() || rest.starts_with('Q') || rest.starts_with("MYTD") || rest.starts_with('Y')
    {
        return Ok(None);
    }
    Err(bad())
}

/// Reads a table's header and rows. Keeps the monthly rows whose every dimension is its total;
/// every bad cell is an error with its line (all or nothing: errors mean no figures).
pub fn read_table(
    columns: &[String],
    rows: impl IntoIterator<Item = (u64, Vec<Cell>)>,
) -> Result<ReadTable, Vec<TableError>> {
    let norm = |c: &str| c.trim().trim_start_matches('\u{feff}').to_lowercase();
    let mut area = None;
    let mut period = None;
    let mut measures = Vec::new();
    let mut dims = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        match norm(c).as_str() {
            "area" | "område" | "omraade" => area = Some(i),
            "periode" | "period" => period = Some(i),
            other => match Measure::recognise(other) {
                Some(m) => measures.push((i, m)),
                None => dims.push(i),
            },
        }
    }
    let mut errors = Vec::new();
    let header = |m: String| TableError {
        line: 1,
        column: None,
        message: m,
    };
    if area.is_none() {
        errors.push(header(
            "kolonnen «Område» (Area) mangler; er det en tabel fra Jobindsats?".into(),
        ));
    }
    if period.is_none() {
        errors.push(header(
            "kolonnen «Periode» mangler; er det en tabel fra Jobindsats?".into(),
        ));
    }
    if measures.is_empty() {
        errors.push(header(format!(
            "ingen af målingerne {} findes i overskriften ({})",
            Measure::ALL.map(|m| format!("«{}»", m.label())).join(", "),
            columns.join("; ")
        )));
    }
    let (Some(area), Some(period)) = (area, period) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = ReadTable {
        figures: Vec::new(),
        breakdown_rows: 0,
        other_period_rows: 0,
        dimensions: dims
            .iter()
            .map(|&i| columns[i].trim().to_string())
            .collect(),
    };
    let mut seen: HashMap<(String, Month), u64> = HashMap::new();
    let text = |c: &Cell| match c {
        Cell::Text(s) => s.trim().to_string(),
        Cell::Number(x) => x.to_string(),
        Cell::Missing => String::new(),
    };
    for (line, row) in rows {
        if errors.len() >= MAX_ERRORS {
            break;
        }
        if row.len() != columns.len() {
            if row
                .iter()
                .all(|c| matches!(c, Cell::Missing) || text(c).is_empty())
            {
                continue;
            }
            errors.push(TableError {
                line,
                column: None,
                message: format!(
                    "rækken har {} felter, overskriften {}",
                    row.len(),
                    columns.len()
                ),
            });
            continue;
        }
        if !dims.iter().all(|&i| is_total(&text(&row[i]))) {
            out.breakdown_rows += 1;
            continue;
        }
        let col = |i: usize| Some(columns[i].trim().to_string());
        let month = match period_month(&text(&row[period])) {
            Ok(Some(m)) => m,
            Ok(None) => {
                out.other_period_rows += 1;
                continue;
            }
            Err(message) => {
                errors.push(TableError {
                    line,
                    column: col(period),
                    message,
                });
                continue;
            }
        };
        let area_name = text(&row[area]);
        if area_name.is_empty() {
            errors.push(TableError {
                line,
                column: col(area),
                message: "området er tomt".into(),
            });
            continue;
        }
        if let Some(first) = seen.insert((area_name.to_lowercase(), month), line) {
            errors.push(TableError {
                line,
                column: None,
                message: format!(
                    "{area_name} {month} står også i linje {first}; to totalrækker for samme område og måned"
                ),
            });
            continue;
        }
        let mut fig = ExternalFigure {
            area: area_name,
            month,
            persons: None,
            full_time: None,
            share_labour_force: None,
            share_population: None,
        };
        for &(i, m) in &measures {
            let v = match &row[i] {
                Cell::Number(x) if x.is_finite() => Ok(Some(*x)),
                Cell::Number(_) => Err("er ikke et endeligt tal".to_string()),
                Cell::Missing => Ok(None),
                Cell::Text(s) => danish_number(s),
            };
            match v {
                Ok(v) => fig.set(m, v),
                Err(message) => errors.push(TableError {
                    line,
                    column: col(i),
                    message,
                }),
            }
        }
        out.figures.push(fig);
    }
    if errors.is_empty() && out.figures.is_empty() {
        errors.push(header(format!(
            "ingen månedsrækker med totaler{}",
            if out.dimensions.is_empty() {
                String::new()
            } else {
                format!(
                    " (en række tæller kun, når {} står som «... i alt»)",
                    out.dimensions.join(", ")
                )
            }
        )));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Where a fetch came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum FetchSource {
    /// Jobindsats' API, version 3.
    Api,
    /// A CSV file downloaded from jobindsats.dk and imported.
    File,
}

/// One fetch of one table: its figures, with where and when.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fetch {
    pub table: String,
    pub source: FetchSource,
    /// The file's name, or the API's address (never a token).
    pub origin: String,
    pub fetched_on: Day,
    /// RFC 3339, UTC.
    pub fetched_at: String,
    /// From the API's table catalogue (`update_latest`, `update_next`).
    pub update_latest: Option<Day>,
    pub update_next: Option<Day>,
    pub figures: Vec<ExternalFigure>,
}

impl Fetch {
    /// "Kilde: Jobindsats, tabel Y07A02, hentet 02-12-2026; næste opdatering 15-12-2026".
    pub fn source_line(&self) -> String {
        let how = match self.source {
            FetchSource::Api => "hentet",
            FetchSource::File => "indlæst fra fil",
        };
        let mut s = format!(
            "Kilde: Jobindsats, tabel {}, {how} {}",
            self.table,
            self.fetched_on.dk()
        );
        if let Some(d) = self.update_latest {
            s.push_str(&format!("; opdateret af Jobindsats {}", d.dk()));
        }
        if let Some(d) = self.update_next {
            s.push_str(&format!("; næste opdatering {}", d.dk()));
        }
        s
    }
}

/// Every fetch, in the order stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Jobindsats {
    pub fetches: Vec<Fetch>,
}

/// The figures as known on one day: per table, area and month the latest fetch's figure.
pub struct JobindsatsView<'a> {
    cells: HashMap<(&'a str, String, Month), (&'a ExternalFigure, &'a Fetch)>,
    latest: HashMap<&'a str, &'a Fetch>,
    newest: HashMap<&'a str, Month>,
}

impl Jobindsats {
    pub fn view(&self, as_of: Day) -> JobindsatsView<'_> {
        let mut v = JobindsatsView {
            cells: HashMap::new(),
            latest: HashMap::new(),
            newest: HashMap::new(),
        };
        for f in self.fetches.iter().filter(|f| f.fetched_on <= as_of) {
            v.latest.insert(f.table.as_str(), f);
            for fig in &f.figures {
                v.cells.insert(
                    (f.table.as_str(), fig.area.to_lowercase(), fig.month),
                    (fig, f),
                );
                let n = v.newest.entry(f.table.as_str()).or_insert(fig.month);
                *n = (*n).max(fig.month);
            }
        }
        v
    }
}

impl<'a> JobindsatsView<'a> {
    /// The figure of the first of `tables` that has one for the area and month.
    pub fn figure(
        &self,
        tables: &[&str],
        area: &str,
        month: Month,
    ) -> Option<(&'a ExternalFigure, &'a Fetch)> {
        let area = area.trim().to_lowercase();
        tables
            .iter()
            .find_map(|t| self.cells.get(&(*t, area.clone(), month)).copied())
    }
    /// The latest fetch of the first of `tables` fetched at all.
    pub fn latest(&self, tables: &[&str]) -> Option<&'a Fetch> {
        tables.iter().find_map(|t| self.latest.get(t).copied())
    }
    /// The newest month any fetch holds for the table: provisional, as late registrations raise it.
    pub fn newest_month(&self, tables: &[&str]) -> Option<Month> {
        tables.iter().find_map(|t| self.newest.get(t).copied())
    }
    pub fn is_empty(&self) -> bool {
        self.latest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }
    fn cols(s: &str) -> Vec<String> {
        s.split(';').map(str::to_string).collect()
    }
    fn rows(lines: &[&str]) -> Vec<(u64, Vec<Cell>)> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u64 + 2, l.split(';').map(t).collect()))
            .collect()
    }

    const HEADER: &str = "\u{feff}Area;Periode;Køn;Antal personer;Antal fuldtidspersoner;Fuldtidspersoner i pct. af arbejdsstyrken 16-66 år;Fuldtidspersoner i pct. af befolkningen 16-66 år";

    #[test]
    fn numbers_the_danish_way() {
        let cases = [
            ("9,08", Some(9.08)),
            ("144.315", Some(144_315.0)),
            ("1.234,5", Some(1234.5)),
            ("9.08", Some(9.08)),
            ("120525", Some(120_525.0)),
            ("-3,5", Some(-3.5)),
            ("", None),
            ("..", None),
            ("x", None),
        ];
        for (s, want) in cases {
            assert_eq!(danish_number(s).unwrap(), want, "{s}");
        }
        assert!(danish_number("12a").unwrap_err().contains("«12a»"));
    }

    #[test]
    fn periods() {
        assert_eq!(period_month("2024M03").unwrap(), Some(Month::new(2024, 3)));
        assert_eq!(period_month("2024Q1").unwrap(), None);
        assert_eq!(period_month("2020QMAT02").unwrap(), None);
        assert_eq!(period_month("2024").unwrap(), None);
        assert!(period_month("2024M13").is_err());
        assert!(period_month("marts 2024").is_err());
    }

    /// STAR's own example (A-dagpenge, Hele landet, 2021M01: 144.315 persons, 120.525 full-time
    /// persons, 4,2 % and 3,2 %), with the breakdown rows left out and a suppressed cell missing.
    #[test]
    fn keeps_the_total_rows() {
        let r = read_table(
            &cols(HEADER),
            rows(&[
                "Hele landet;2021M01;Køn i alt;144315;120525;4,2;3,2",
                "Hele landet;2021M01;Mænd;75000;62000;4,3;3,3",
                "Vesthimmerland;2021M01;Køn i alt;812;655,4;3,1;..",
                "Vesthimmerland;2021Q1;Køn i alt;800;650;3,1;2,0",
            ]),
        )
        .unwrap();
        assert_eq!(r.breakdown_rows, 1);
        assert_eq!(r.other_period_rows, 1);
        assert_eq!(r.dimensions, vec!["Køn"]);
        assert_eq!(r.figures.len(), 2);
        assert_eq!(r.figures[0].persons, Some(144_315.0));
        assert_eq!(r.figures[0].full_time, Some(120_525.0));
        assert_eq!(r.figures[1].full_time, Some(655.4));
        assert_eq!(r.figures[1].share_population, None);
    }

    #[test]
    fn bad_tables_are_located() {
        let e = read_table(&cols("Kommune;Måned;Antal"), rows(&["a;b;c"])).unwrap_err();
        assert_eq!(e.len(), 3);
        assert!(e.iter().all(|e| e.line == 1));
        assert!(e[0].message.contains("«Område»"));
        let e = read_table(
            &cols(HEADER),
            rows(&[
                "Hele landet;2021M01;Køn i alt;144315;12x;4,2;3,2",
                "Hele landet;januar;Køn i alt;1;1;1;1",
                "Hele landet;2021M02;Køn i alt;1;1",
                "Hele landet;2021M03;Køn i alt;1;1;1;1",
                "Hele landet;2021M03;Køn i alt;2;2;2;2",
            ]),
        )
        .unwrap_err();
        let located: Vec<(u64, Option<&str>)> =
            e.iter().map(|e| (e.line, e.column.as_deref())).collect();
        assert_eq!(
            located,
            vec![
                (2, Some("Antal fuldtidspersoner")),
                (3, Some("Periode")),
                (4, None),
                (6, None)
            ]
        );
        assert!(e[0].to_string().contains("«12x» er ikke et tal"));
        // Only breakdown rows: nothing to keep, said so.
        let e = read_table(&cols(HEADER), rows(&["Hele landet;2021M01;Mænd;1;1;1;1"])).unwrap_err();
        assert!(e[0].message.contains("Køn"), "{}", e[0].message);
    }

    fn fetch(on: Day, table: &str, figs: &[(&str, Month, f64)]) -> Fetch {
        Fetch {
            table: table.into(),
            source: FetchSource::File,
            origin: "Y07A02.csv".into(),
            fetched_on: on,
            fetched_at: format!("{on}T08:00:00Z"),
            update_latest: None,
            update_next: Some(Day::ymd(2026, 12, 15)),
            figures: figs
                .iter()
                .map(|(a, m, v)| ExternalFigure {
                    area: (*a).into(),
                    month: *m,
                    persons: None,
                    full_time: Some(*v),
                    share_labour_force: None,
                    share_population: None,
                })
                .collect(),
        }
    }

    /// A later fetch raises the newest month from its day on; as of before it, the old figure.
    #[test]
    fn later_fetch_replaces_from_its_day() {
        let (sep, oct) = (Month::new(2026, 9), Month::new(2026, 10));
        let j = Jobindsats {
            fetches: vec![
                fetch(
                    Day::ymd(2026, 11, 2),
                    "Y07A02",
                    &[("Kommunen", sep, 500.0), ("Kommunen", oct, 480.0)],
                ),
                fetch(Day::ymd(2026, 12, 1), "Y07A02", &[("Kommunen", oct, 495.0)]),
            ],
        };
        let ft = |d: Day, m| {
            j.view(d)
                .figure(&["Y07A02"], "kommunen", m)
                .and_then(|x| x.0.full_time)
        };
        assert_eq!(ft(Day::ymd(2026, 11, 1), oct), None);
        assert_eq!(ft(Day::ymd(2026, 11, 30), oct), Some(480.0));
        assert_eq!(ft(Day::ymd(2026, 12, 1), oct), Some(495.0));
        assert_eq!(ft(Day::ymd(2026, 12, 1), sep), Some(500.0));
        let v = j.view(Day::ymd(2026, 12, 1));
        assert_eq!(v.newest_month(&["Y07A02"]), Some(oct));
        assert!(v
            .latest(&["Y12A02", "Y07A02"])
            .unwrap()
            .source_line()
            .starts_with("Kilde: Jobindsats, tabel Y07A02, indlæst fra fil 01-12-2026; næste opdatering 15-12-2026"));
    }
}
