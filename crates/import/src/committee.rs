//! The committee's files: a table downloaded from jobindsats.dk (CSV: ';', decimal comma, UTF-8
//! with or without BOM; or the same as xlsx), and the committee's targets (måltal, budgetpersoner)
//! as a spreadsheet (`docs/import-format.md`, "Udvalgets filer"). Both are read whole or refused
//! with every bad cell located, like the case-system exports.

use kadence_core::committee::external::{read_table, Cell, ReadTable};
use kadence_core::committee::targets::TargetKind;
use kadence_core::committee::{group, BENEFIT_GROUPS};

use crate::read::{xlsx_rows, ImportError, ImportErrors};
use crate::text::{decode, detect_separator, normalise_header};

type RawRows = Vec<(u64, Vec<String>)>;

fn is_xlsx(name: &str) -> bool {
    let n = name.to_lowercase();
    n.ends_with(".xlsx") || n.ends_with(".xlsm")
}

fn file_error(name: &str, what: String) -> ImportErrors {
    let mut e = ImportErrors::default();
    e.push(ImportError {
        file: name.into(),
        line: 0,
        column: None,
        value: None,
        expected: what,
    });
    e
}

/// The rows of a CSV (any of the case systems' encodings and separators) or the first sheet of an
/// xlsx file, with their 1-based line numbers; blank lines are dropped.
fn rows(name: &str, bytes: &[u8]) -> Result<RawRows, ImportErrors> {
    if is_xlsx(name) {
        let mut errs = ImportErrors::default();
        let r = xlsx_rows(name, bytes, &mut errs);
        return if errs.total > 0 { Err(errs) } else { Ok(r) };
    }
    let (text, _) = decode(bytes);
    let first = text.lines().next().unwrap_or("");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detect_separator(first))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            let mut errs = ImportErrors::default();
            errs.push(ImportError {
                file: name.into(),
                line,
                column: None,
                value: None,
                expected: format!("en gyldig CSV-linje ({e})"),
            });
            errs
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let fields: Vec<String> = rec.iter().map(|f| f.trim().to_string()).collect();
        if fields.iter().all(String::is_empty) {
            continue;
        }
        out.push((line, fields));
    }
    Ok(out)
}

/// Whether the file looks like a Jobindsats table (a "Periode" column and one of its measures).
/// A CSV is judged by its first line only, so `bytes` may be just the start of the file.
pub fn is_jobindsats(name: &str, bytes: &[u8]) -> bool {
    let header: Vec<String> = if is_xlsx(name) {
        match rows(name, bytes) {
            Ok(r) => r.into_iter().next().map(|(_, h)| h).unwrap_or_default(),
            Err(_) => return false,
        }
    } else {
        let (text, _) = decode(bytes);
        let first = text.lines().next().unwrap_or("");
        let sep = char::from(detect_separator(first));
        first.split(sep).map(str::to_string).collect()
    };
    let h: Vec<String> = header
        .iter()
        .map(|c| normalise_header(c.trim_matches('"')))
        .collect();
    h.iter().any(|c| c == "periode")
        && h.iter().any(|c| {
            c == "antal personer"
                || c == "antal fuldtidspersoner"
                || c.starts_with("fuldtidspersoner i pct.")
        })
}

/// Whether the file at `path` is a Jobindsats table, reading no more of a CSV than its start (a
/// case-system export can be gigabytes, and `kadence import` asks this of every file).
pub fn file_is_jobindsats(path: &std::path::Path) -> std::io::Result<bool> {
    use std::io::Read;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    if is_xlsx(&name) {
        file.take(u64::MAX).read_to_end(&mut bytes)?;
    } else {
        file.take(64 * 1024).read_to_end(&mut bytes)?;
    }
    Ok(is_jobindsats(&name, &bytes))
}

/// A Jobindsats table id in a file name ("Y07A02.csv", "jobindsats_ptva02 (1).csv").
pub fn table_from_name(name: &str) -> Option<&'static str> {
    let n = name.to_uppercase();
    BENEFIT_GROUPS
        .iter()
        .flat_map(|g| g.tables.iter().copied())
        .find(|t| n.contains(t))
}

/// A Jobindsats table read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct JobindsatsFile {
    pub table: &'static str,
    pub group_label: &'static str,
    pub read: ReadTable,
}

/// Reads a Jobindsats download. The table id is `table` or else found in the file's name; it must
/// be one of a benefit group's tables.
pub fn read_jobindsats(
    name: &str,
    bytes: &[u8],
    table: Option<&str>,
) -> Result<JobindsatsFile, ImportErrors> {
    let known = || {
        BENEFIT_GROUPS
            .iter()
            .flat_map(|g| g.tables.iter().copied())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let table = match table {
        Some(t) => BENEFIT_GROUPS
            .iter()
            .flat_map(|g| g.tables.iter().copied())
            .find(|k| k.eq_ignore_ascii_case(t.trim()))
            .ok_or_else(|| {
                file_error(
                    name,
                    format!("«{t}» er ikke en tabel for en ydelsesgruppe; kendte tabeller: {}", known()),
                )
            })?,
        None => table_from_name(name).ok_or_else(|| {
            file_error(
                name,
                format!(
                    "tabellens id i filnavnet (fx «Y07A02.csv») eller med --jobindsats-tabel; kendte tabeller: {}",
                    known()
                ),
            )
        })?,
    };
    let group_label = BENEFIT_GROUPS
        .iter()
        .find(|g| g.tables.contains(&table))
        .map_or("", |g| g.label);
    let mut all = rows(name, bytes)?.into_iter();
    let Some((_, header)) = all.next() else {
        return Err(file_error(name, "en overskrift og mindst én række".into()));
    };
    let data = all.map(|(line, cells)| {
        (
            line,
            cells
                .into_iter()
                .map(|c| {
                    if c.is_empty() {
                        Cell::Missing
                    } else {
                        Cell::Text(c)
                    }
                })
                .collect(),
        )
    });
    match read_table(&header, data) {
        Ok(read) => Ok(JobindsatsFile {
            table,
            group_label,
            read,
        }),
        Err(errors) => {
            let mut e = ImportErrors::default();
            for t in errors {
                e.push(ImportError {
                    file: name.into(),
                    line: t.line,
                    column: t.column,
                    value: None,
                    expected: t.message,
                });
            }
            Err(e)
        }
    }
}

/// One target row of a targets file.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetRow {
    pub line: u64,
    pub group: &'static str,
    pub kind: TargetKind,
    pub year: i32,
    pub month: Option<u32>,
    pub value: f64,
}

/// The columns of a targets file, in the documented order (the header may use either name).
pub const TARGET_COLUMNS: [(&str, &str); 5] = [
    ("ydelsesgruppe", "ydelsesgruppe"),
    ("type", "type"),
    ("år", "aar"),
    ("måned", "maaned"),
    ("værdi", "vaerdi"),
];

/// Finds a benefit group by its code or its Danish label (case and space ignored).
pub fn group_by_name(s: &str) -> Option<&'static str> {
    let n = normalise_header(s);
    group(&n).map(|g| g.code).or_else(|| {
        BENEFIT_GROUPS
            .iter()
            .find(|g| normalise_header(g.label) == n)
            .map(|g| g.code)
    })
}

/// Reads a targets file: a header with the columns ydelsesgruppe; type; år; måned; værdi, and one
/// row per target (type «maal», no month) or budget figure (type «budget», month 1-12). Values in
/// full-time persons, decimal comma allowed.
pub fn read_targets(name: &str, bytes: &[u8]) -> Result<Vec<TargetRow>, ImportErrors> {
    let all = rows(name, bytes)?;
    let mut it = all.into_iter();
    let Some((_, header)) = it.next() else {
        return Err(file_error(name, "en overskrift og mindst én række".into()));
    };
    let h: Vec<String> = header.iter().map(|c| normalise_header(c)).collect();
    let mut at = [0usize; 5];
    let mut errs = ImportErrors::default();
    for (k, (a, b)) in TARGET_COLUMNS.iter().enumerate() {
        match h.iter().position(|c| c == a || c == b) {
            Some(i) => at[k] = i,
            None => errs.push(ImportError {
                file: name.into(),
                line: 1,
                column: Some((*a).into()),
                value: None,
                expected: format!(
                    "kolonnen «{a}»; en målfil har kolonnerne {}",
                    TARGET_COLUMNS.map(|c| c.0).join("; ")
                ),
            }),
        }
    }
    if errs.total > 0 {
        return Err(errs);
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (line, cells) in it {
        let cell = |k: usize| {
            cells
                .get(at[k])
                .map_or("", |s| s.as_str())
                .trim()
                .to_string()
        };
        let mut bad = |k: usize, expected: String| {
            errs.push(ImportError {
                file: name.into(),
                line,
                column: Some(TARGET_COLUMNS[k].0.into()),
                value: Some(cell(k)),
                expected,
            })
        };
        let group = group_by_name(&cell(0));
        if group.is_none() {
            bad(
                0,
                format!(
                    "en ydelsesgruppe: {}",
                    BENEFIT_GROUPS
                        .iter()
                        .map(|g| g.code)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        let kind = TargetKind::parse(&cell(1));
        if kind.is_none() {
            bad(
                1,
                "«maal» (årets måltal) eller «budget» (en måneds budgetpersoner)".into(),
            );
        }
        let year = cell(2)
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y));
        if year.is_none() {
            bad(2, "et årstal som 2026".into());
        }
        let month = match (kind, cell(3).as_str()) {
            (Some(TargetKind::Yearly), "") => Some(None),
            (Some(TargetKind::Yearly), _) => {
                bad(3, "ingen måned for et måltal (det gælder hele året)".into());
                None
            }
            (_, m) => match m.parse::<u32>().ok().filter(|m| (1..=12).contains(m)) {
                Some(m) => Some(Some(m)),
                None => {
                    if kind.is_some() {
                        bad(3, "en måned 1-12 for budgetpersoner".into());
                    }
                    None
                }
            },
        };
        let value = match kadence_core::committee::external::danish_number(&cell(4)) {
            Ok(Some(v)) if (0.0..=10_000_000.0).contains(&v) => Some(v),
            _ => {
                bad(4, "et antal fuldtidspersoner, fx 812 eller 812,5".into());
                None
            }
        };
        if let (Some(group), Some(kind), Some(year), Some(month), Some(value)) =
            (group, kind, year, month, value)
        {
            if let Some(first) = seen.insert((group, kind, year, month), line) {
                errs.push(ImportError {
                    file: name.into(),
                    line,
                    column: None,
                    value: None,
                    expected: format!(
                        "én række pr. gruppe, type og periode; samme står i linje {first}"
                    ),
                });
                continue;
            }
            out.push(TargetRow {
                line,
                group,
                kind,
                year,
                month,
                value,
            });
        }
    }
    if errs.total > 0 {
        return Err(errs);
    }
    if out.is_empty() {
        return Err(file_error(name, "mindst én række med et mål".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JI: &str = "Area;Periode;Køn;Antal personer;Antal fuldtidspersoner;Fuldtidspersoner i pct. af arbejdsstyrken 16-66 år;Fuldtidspersoner i pct. af befolkningen 16-66 år\n\
Hele landet;2026M09;Køn i alt;60123;52010,5;1,8;1,4\n\
Hele landet;2026M09;Mænd;30000;26000;1,7;1,3\n\
Vesthimmerland;2026M09;Køn i alt;701;612,3;2,4;1,9\n";

    #[test]
    fn a_jobindsats_download_with_and_without_bom() {
        for bytes in [
            JI.as_bytes().to_vec(),
            [b"\xEF\xBB\xBF".as_slice(), JI.as_bytes()].concat(),
        ] {
            assert!(is_jobindsats("Y07A02.csv", &bytes));
            let f = read_jobindsats("Y07A02.csv", &bytes, None).unwrap();
            assert_eq!((f.table, f.group_label), ("Y07A02", "Sygedagpenge"));
            assert_eq!(f.read.figures.len(), 2);
            assert_eq!(f.read.figures[1].full_time, Some(612.3));
            assert_eq!(f.read.breakdown_rows, 1);
        }
        // Judged by the first line: the start of a file, cut mid-row, is enough.
        assert!(is_jobindsats("Y07A02.csv", &JI.as_bytes()[..JI.len() - 20]));
    }

    #[test]
    fn a_jobindsats_file_needs_its_table() {
        let e = read_jobindsats("download.csv", JI.as_bytes(), None).unwrap_err();
        assert!(e.to_string().contains("--jobindsats-tabel"), "{e}");
        let e = read_jobindsats("download.csv", JI.as_bytes(), Some("Y99A99")).unwrap_err();
        assert!(e.to_string().contains("«Y99A99» er ikke en tabel"), "{e}");
        assert_eq!(
            read_jobindsats("download.csv", JI.as_bytes(), Some("y07a02"))
                .unwrap()
                .table,
            "Y07A02"
        );
        // Another layout: located at the header.
        let e =
            read_jobindsats("Y07A02.csv", b"Kommune;Maaned;Personer\nA;B;1\n", None).unwrap_err();
        assert!(e.to_string().contains("Y07A02.csv, linje 1"), "{e}");
        assert!(!is_jobindsats("forloeb.csv", b"forloeb_id;cpr\n1;2\n"));
    }

    #[test]
    fn targets_file() {
        let ok = "ydelsesgruppe;type;år;måned;værdi\nsygedagpenge;maal;2026;;880\nSygedagpenge;budget;2026;3;905,5\nJobafklaringsforløb;måltal;2026;;210\n";
        let r = read_targets("maal.csv", ok.as_bytes()).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[1].group, r[1].kind, r[1].month, r[1].value),
            ("sygedagpenge", TargetKind::Budget, Some(3), 905.5)
        );
        assert_eq!(r[2].group, "jobafklaring");
        let bad = "ydelsesgruppe;type;år;måned;værdi\nsygedagpenge;maal;2026;;mange\nbarsel;maal;2026;;1\nsygedagpenge;budget;2026;13;1\nsygedagpenge;maal;2026;;880\nsygedagpenge;maal;2026;;890\n";
        let e = read_targets("maal.csv", bad.as_bytes()).unwrap_err();
        let s = e.to_string();
        assert_eq!(e.total, 4, "{s}");
        assert!(
            s.contains("maal.csv, linje 2, kolonne «værdi»: værdien «mange» duer ikke"),
            "{s}"
        );
        assert!(s.contains("linje 3, kolonne «ydelsesgruppe»"), "{s}");
        assert!(s.contains("linje 4, kolonne «måned»"), "{s}");
        assert!(s.contains("linje 6: én række pr. gruppe"), "{s}");
        let e = read_targets("maal.csv", b"gruppe;vaerdi\nx;1\n").unwrap_err();
        assert!(e.to_string().contains("kolonnen «ydelsesgruppe»"));
    }

    #[test]
    fn targets_from_xlsx() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["ydelsesgruppe", "type", "år", "måned", "værdi"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "sygedagpenge").unwrap();
        ws.write_string(1, 1, "budget").unwrap();
        ws.write_number(1, 2, 2026.0).unwrap();
        ws.write_number(1, 3, 4.0).unwrap();
        ws.write_number(1, 4, 901.25).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let r = read_targets("maal.xlsx", &bytes).unwrap();
        assert_eq!((r[0].year, r[0].month, r[0].value), (2026, Some(4), 901.25));
    }
}
