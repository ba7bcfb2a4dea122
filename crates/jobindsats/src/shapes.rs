//! The shapes of Jobindsats' v3 answers (`committee.md` §2.2, from public code that uses v3:
//! STAR's own guide was not available to us, so every field is read tolerantly and a missing one
//! is a located error, not a guess):
//!
//! - `GET tables?format=json`: subjects `{subject_name, table_groups: [{tables: [{table_id,
//!   table_name, update_latest, update_next, update_freq}]}]}`;
//! - `GET table/{id}?format=json`: `{periods: [{periodtype_id: "M", values: [{period_id}]}],
//!   dimensions: [{hierarchies: [{hierarchy_id, levels: [{values: [{value_id, value_name}]}]}]}]}`;
//! - `GET data/{id}?format=json&…`: `{columns: [labels], rows: [[cells]]}`; with `format=csv`
//!   the same as the download (read by `kadence_import::committee`).

use kadence_core::committee::external::{read_table, Cell, ReadTable, TableError};
use kadence_core::date::{Day, Month};
use serde_json::Value;

/// One table in the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueEntry {
    pub table_id: String,
    pub table_name: String,
    pub update_latest: Option<Day>,
    pub update_next: Option<Day>,
}

/// One value of a dimension's hierarchy (an area, "Køn i alt", …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DimensionValue {
    pub id: String,
    pub name: String,
}

/// One hierarchy of a table's dimensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hierarchy {
    pub id: String,
    pub values: Vec<DimensionValue>,
}

impl Hierarchy {
    /// The value that counts everyone ("Køn i alt", "Hele landet" is the area's).
    pub fn total(&self) -> Option<&DimensionValue> {
        self.values.iter().find(|v| {
            let l = v.name.trim().to_lowercase();
            l.ends_with(" i alt") || l == "i alt" || l == "total" || l == "alle"
        })
    }
    fn holds(&self, name: &str) -> Option<&DimensionValue> {
        self.values
            .iter()
            .find(|v| v.name.trim().eq_ignore_ascii_case(name.trim()))
    }
}

/// A table's metadata: its months and its dimensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableMeta {
    pub months: Vec<Month>,
    pub hierarchies: Vec<Hierarchy>,
}

impl TableMeta {
    /// The hierarchy of areas: the one holding "Hele landet".
    pub fn areas(&self) -> Option<&Hierarchy> {
        self.hierarchies
            .iter()
            .find(|h| h.holds("Hele landet").is_some())
    }
    /// The value of the area named `name` (case-insensitive, as Jobindsats writes it).
    pub fn area(&self, name: &str) -> Option<&DimensionValue> {
        self.areas().and_then(|h| h.holds(name))
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn field<'a>(v: &'a Value, names: &[&str]) -> Option<&'a Value> {
    let o = v.as_object()?;
    names.iter().find_map(|n| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v)
    })
}

fn array<'a>(v: &'a Value, names: &[&str]) -> &'a [Value] {
    field(v, names)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A catalogue date: "2026-11-20", "2026-11-20T08:00:00", or "20-11-2026"; `None` for empty or
/// another form (printed as unknown rather than guessed).
pub fn catalogue_day(s: &str) -> Option<Day> {
    let s = s.trim();
    if s.len() >= 10 {
        if let Some(d) = Day::parse_iso(&s[..10]) {
            return Some(d);
        }
        let b = s.as_bytes();
        if b[2] == b'-' && b[5] == b'-' {
            let iso = format!("{}-{}-{}", &s[6..10], &s[3..5], &s[..2]);
            return Day::parse_iso(&iso);
        }
    }
    None
}

/// Reads the catalogue; every table in every subject and group.
pub fn catalogue(body: &Value) -> Result<Vec<CatalogueEntry>, String> {
    let subjects: &[Value] = match body {
        Value::Array(a) => a,
        _ => array(body, &["subjects"]),
    };
    let mut out = Vec::new();
    for s in subjects {
        for g in array(s, &["table_groups", "tablegroups"]) {
            for t in array(g, &["tables"]) {
                let Some(id) = field(t, &["table_id", "tableid"]).and_then(text) else {
                    return Err("en tabel i kataloget har intet «table_id»".into());
                };
                let day = |k: &str| {
                    field(t, &[k])
                        .and_then(text)
                        .and_then(|s| catalogue_day(&s))
                };
                out.push(CatalogueEntry {
                    table_name: field(t, &["table_name", "tablename"])
                        .and_then(text)
                        .unwrap_or_default(),
                    update_latest: day("update_latest"),
                    update_next: day("update_next"),
                    table_id: id,
                });
            }
        }
    }
    if out.is_empty() {
        return Err("kataloget nævner ingen tabeller".into());
    }
    Ok(out)
}

/// Reads a table's metadata: its monthly periods (other period types are left out) and every
/// hierarchy's values, from every level.
pub fn metadata(body: &Value) -> Result<TableMeta, String> {
    let body = match body {
        Value::Array(a) if a.len() == 1 => &a[0],
        other => other,
    };
    let mut months = Vec::new();
    let periods = array(body, &["periods"]);
    if periods.is_empty() {
        return Err("metadata uden «periods»".into());
    }
    for p in periods {
        let kind = field(p, &["periodtype_id"])
            .and_then(text)
            .unwrap_or_default();
        if !kind.eq_ignore_ascii_case("M") {
            continue;
        }
        for v in array(p, &["values"]) {
            let Some(id) = field(v, &["period_id"]).and_then(text) else {
                return Err("en periode uden «period_id»".into());
            };
            match kadence_core::committee::external::period_month(&id) {
                Ok(Some(m)) => months.push(m),
                Ok(None) => {}
                Err(e) => return Err(e),
            }
        }
    }
    months.sort();
    months.dedup();
    let mut hierarchies = Vec::new();
    for d in array(body, &["dimensions"]) {
        for h in array(d, &["hierarchies"]) {
            let id = field(h, &["hierarchy_id"])
                .or_else(|| field(d, &["dimension_id"]))
                .and_then(text)
                .ok_or("en dimension uden «hierarchy_id»")?;
            let mut values = Vec::new();
            for l in array(h, &["levels"]) {
                for v in array(l, &["values"]) {
                    let (Some(id), Some(name)) = (
                        field(v, &["value_id"]).and_then(text),
                        field(v, &["value_name"]).and_then(text),
                    ) else {
                        return Err(format!(
                            "en værdi i «{id}» uden «value_id» eller «value_name»"
                        ));
                    };
                    values.push(DimensionValue { id, name });
                }
            }
            hierarchies.push(Hierarchy { id, values });
        }
    }
    Ok(TableMeta {
        months,
        hierarchies,
    })
}

/// Reads a JSON data answer through the core's one table reader.
pub fn data(body: &Value) -> Result<ReadTable, Vec<TableError>> {
    let shape = |m: &str| {
        vec![TableError {
            line: 0,
            column: None,
            message: m.to_string(),
        }]
    };
    let body = match body {
        Value::Array(a) if a.len() == 1 => &a[0],
        other => other,
    };
    let Some(columns) = field(body, &["columns"]).and_then(Value::as_array) else {
        return Err(shape("svaret har ingen «columns»"));
    };
    let columns: Vec<String> = columns
        .iter()
        .map(|c| text(c).unwrap_or_default())
        .collect();
    let Some(rows) = field(body, &["rows"]).and_then(Value::as_array) else {
        return Err(shape("svaret har ingen «rows»"));
    };
    let cell = |v: &Value| match v {
        Value::Null => Cell::Missing,
        Value::Number(n) => n.as_f64().map_or(Cell::Missing, Cell::Number),
        Value::String(s) => Cell::Text(s.clone()),
        other => Cell::Text(other.to_string()),
    };
    read_table(
        &columns,
        rows.iter().enumerate().map(|(i, r)| {
            let cells = r
                .as_array()
                .map_or_else(Vec::new, |r| r.iter().map(cell).collect());
            (i as u64 + 2, cells)
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_days_in_the_forms_seen_and_unknown_forms_left_unknown() {
        let cases = [
            ("2026-11-20", Some("2026-11-20")),
            ("2026-11-20T08:00:00", Some("2026-11-20")),
            ("20-11-2026", Some("2026-11-20")),
            ("29-02-2028", Some("2028-02-29")),
            ("29-02-2027", None),
            ("", None),
            ("november", None),
            ("2026/11/20", None),
        ];
        for (s, want) in cases {
            assert_eq!(catalogue_day(s), want.and_then(Day::parse_iso), "{s:?}");
        }
    }

    #[test]
    fn a_total_value_is_found_by_its_name() {
        let h = Hierarchy {
            id: "_kon".into(),
            values: vec![
                DimensionValue {
                    id: "/1/".into(),
                    name: "Mænd".into(),
                },
                DimensionValue {
                    id: "/".into(),
                    name: "Køn i alt".into(),
                },
            ],
        };
        assert_eq!(h.total().map(|v| v.id.as_str()), Some("/"));
    }
}
