//! Jobindsats' API, version 3 (`committee.md` §2.2): the table catalogue (last and next update),
//! each table's metadata (its months and areas) and its monthly data for the municipality, its RAR
//! area, Hele landet and the comparison municipalities, read into the core's `Fetch`es, the same
//! values a downloaded CSV gives `kadence import`.
//!
//! A thin shell: the HTTP is behind `Transport`, so every rule here (the Bearer token, retries on
//! 429 and 5xx, the Danish error for a rejected or expired key, the shapes of the answers) is
//! tested against recorded responses; nothing in the test suite calls the network. Version 2 is
//! announced to stop after 30 September 2026, so there is no v2 code.
//!
//! The token is never logged, never put in a URL, and never part of an error: `Token`'s `Debug`
//! hides it and only the transport reads it, into a header marked sensitive.

use std::time::Duration;

use kadence_core::committee::external::{Fetch, FetchSource, ReadTable, TableError};
use kadence_core::date::{Day, Month};
use kadence_core::dk;

pub mod shapes;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod transport;

pub use shapes::{CatalogueEntry, TableMeta};
pub use transport::{Http, Reply, Transport};

/// The API's address.
pub const DEFAULT_BASE: &str = "https://api.jobindsats.dk/v3/";

/// The id the API knows a table by: Jobindsats' own id in lower case, except "Alle ydelser under
/// ét", which the API calls `ptv_a02` (`committee.md` §1.1).
pub fn api_table_id(table: &str) -> String {
    match table.to_uppercase().as_str() {
        "PTVA02" => "ptv_a02".into(),
        "PTVC01" => "ptv_c01".into(),
        _ => table.to_lowercase(),
    }
}

fn same_table(a: &str, b: &str) -> bool {
    let n = |s: &str| s.replace('_', "").to_lowercase();
    n(a) == n(b)
}

/// The environment variable holding the token.
pub const TOKEN_VARIABLE: &str = "KADENCE_JOBINDSATS_NOEGLE";

/// An API token. Its `Debug` shows nothing of it; there is no `Display`.
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(skjult)")
    }
}

impl Token {
    /// A token as read from the environment or a file: surrounding blanks and a trailing newline
    /// are dropped; empty, or with a character a header cannot carry, is refused (without
    /// repeating it).
    pub fn new(raw: &str) -> Result<Token, FetchError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(FetchError::NoToken);
        }
        if !t.bytes().all(|b| (0x21..0x7f).contains(&b)) {
            return Err(FetchError::BadToken);
        }
        Ok(Token(t.to_string()))
    }
    /// For the transport's header only.
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

/// Why a fetch failed, in Danish, naming what was asked for and never the token.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchError {
    NoToken,
    BadToken,
    /// HTTP 401/403, or the body Jobindsats sends for a wrong or expired key.
    KeyRejected {
        status: u16,
    },
    NotFound {
        what: String,
    },
    /// 429 or 5xx on every attempt.
    GaveUp {
        what: String,
        status: u16,
        attempts: u32,
    },
    Unreachable {
        what: String,
        detail: String,
        attempts: u32,
    },
    Http {
        what: String,
        status: u16,
    },
    Shape {
        what: String,
        detail: String,
    },
    Table {
        table: String,
        errors: Vec<TableError>,
    },
    UnknownTable {
        table: String,
    },
    UnknownArea {
        table: String,
        area: String,
    },
    NoMonths {
        table: String,
        from: Month,
    },
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::NoToken => write!(
                f,
                "Der er ingen API-nøgle til Jobindsats. Sæt miljøvariablen {TOKEN_VARIABLE} eller brug --noegle-fil FIL (en fil med nøglen alene)."
            ),
            FetchError::BadToken => write!(
                f,
                "API-nøglen til Jobindsats indeholder tegn, der ikke kan sendes (mellemrum eller linjeskift inde i nøglen?). Kopiér nøglen igen fra jobindsats.dk."
            ),
            FetchError::KeyRejected { status } => write!(
                f,
                "Jobindsats afviste API-nøglen (HTTP {status}): den er forkert eller udløbet. Bestil eller forny nøglen på jobindsats.dk, og sæt den nye i {TOKEN_VARIABLE} eller filen. Intet er gemt."
            ),
            FetchError::NotFound { what } => {
                write!(f, "Jobindsats kender ikke {what} (HTTP 404). Intet er gemt.")
            }
            FetchError::GaveUp {
                what,
                status,
                attempts,
            } => write!(
                f,
                "Jobindsats svarede HTTP {status}{} på {what} {attempts} gange i træk; prøv igen senere. Intet er gemt.",
                if *status == 429 { " (for mange forespørgsler)" } else { " (fejl hos Jobindsats)" }
            ),
            FetchError::Unreachable {
                what,
                detail,
                attempts,
            } => write!(
                f,
                "Jobindsats kunne ikke nås ved {what} ({attempts} forsøg): {detail}. Tjek netværket og prøv igen. Intet er gemt."
            ),
            FetchError::Http { what, status } => write!(
                f,
                "Jobindsats svarede HTTP {status} på {what}. Intet er gemt."
            ),
            FetchError::Shape { what, detail } => write!(
                f,
                "Svaret på {what} havde ikke den form, Kadence kender fra API'ets version 3: {detail}. Intet er gemt."
            ),
            FetchError::Table { table, errors } => {
                write!(f, "Tabel {table} fra Jobindsats kan ikke læses:")?;
                for e in errors {
                    write!(f, "\n  {e}")?;
                }
                write!(f, "\nIntet er gemt.")
            }
            FetchError::UnknownTable { table } => write!(
                f,
                "Tabel {table} står ikke i Jobindsats' katalog. Intet er gemt."
            ),
            FetchError::UnknownArea { table, area } => write!(
                f,
                "Området «{area}» findes ikke i tabel {table}. Skriv navnet, som Jobindsats skriver det (fx «Vesthimmerland», «RAR Nordjylland», «Hele landet»), i indstillingerne udvalg.kommune, udvalg.rar_omraade eller udvalg.sammenlign_med. Intet er gemt."
            ),
            FetchError::NoMonths { table, from } => write!(
                f,
                "Tabel {table} har ingen måneder fra {} og frem. Intet er gemt.",
                dk::month(*from)
            ),
        }
    }
}

impl std::error::Error for FetchError {}

/// The answer format asked for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    fn param(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// A client of one API address with one token.
pub struct Client<T> {
    transport: T,
    base: url::Url,
    token: Token,
    /// Attempts per request when the server answers 429 or 5xx, or cannot be reached.
    pub attempts: u32,
    /// The longest wait between attempts (a `Retry-After` above it is cut to it).
    pub max_wait: Duration,
}

impl<T: Transport> Client<T> {
    /// `base` such as `DEFAULT_BASE` (a missing trailing "/" is added).
    pub fn new(transport: T, base: &str, token: Token) -> Result<Client<T>, String> {
        let with_slash = if base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        };
        let base = url::Url::parse(&with_slash)
            .map_err(|e| format!("«{base}» er ikke en gyldig adresse ({e})"))?;
        if !matches!(base.scheme(), "https" | "http") {
            return Err(format!("«{base}» er ikke en http(s)-adresse"));
        }
        Ok(Client {
            transport,
            base,
            token,
            attempts: 4,
            max_wait: Duration::from_secs(60),
        })
    }

    /// The address of `path`, without its query: what a fetch records as its origin.
    pub fn origin(&self, path: &str) -> String {
        self.base
            .join(path)
            .map_or_else(|_| path.to_string(), |u| u.to_string())
    }

    async fn get(
        &self,
        what: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<u8>, FetchError> {
        let mut url = self.base.join(path).map_err(|e| FetchError::Shape {
            what: what.into(),
            detail: e.to_string(),
        })?;
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let retry = match self.transport.get(&url, &self.token).await {
                Ok(r) if (200..300).contains(&r.status) => {
                    if key_rejected_body(&r.body) {
                        return Err(FetchError::KeyRejected { status: r.status });
                    }
                    return Ok(r.body);
                }
                Ok(r) if r.status == 401 || r.status == 403 => {
                    return Err(FetchError::KeyRejected { status: r.status })
                }
                Ok(r) if r.status == 404 => return Err(FetchError::NotFound { what: what.into() }),
                Ok(r) if r.status == 429 || r.status >= 500 => {
                    if attempt >= self.attempts {
                        return Err(FetchError::GaveUp {
                            what: what.into(),
                            status: r.status,
                            attempts: attempt,
                        });
                    }
                    r.retry_after
                }
                Ok(r) => {
                    if key_rejected_body(&r.body) {
                        return Err(FetchError::KeyRejected { status: r.status });
                    }
                    return Err(FetchError::Http {
                        what: what.into(),
                        status: r.status,
                    });
                }
                Err(detail) => {
                    if attempt >= self.attempts {
                        return Err(FetchError::Unreachable {
                            what: what.into(),
                            detail,
                            attempts: attempt,
                        });
                    }
                    None
                }
            };
            // 1, 2, 4, … seconds, or what the server asked for, never above `max_wait`.
            let backoff = Duration::from_secs(1 << (attempt - 1).min(6));
            self.transport
                .pause(retry.unwrap_or(backoff).min(self.max_wait))
                .await;
        }
    }

    async fn json(
        &self,
        what: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<serde_json::Value, FetchError> {
        let body = self.get(what, path, query).await?;
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
        serde_json::from_slice(body).map_err(|e| FetchError::Shape {
            what: what.into(),
            detail: format!("ikke gyldig JSON ({e})"),
        })
    }

    /// `GET tables?format=json`.
    pub async fn catalogue(&self) -> Result<Vec<CatalogueEntry>, FetchError> {
        let what = "kataloget over tabeller";
        let v = self
            .json(what, "tables", &[("format", "json".into())])
            .await?;
        shapes::catalogue(&v).map_err(|detail| FetchError::Shape {
            what: what.into(),
            detail,
        })
    }

    /// `GET table/{id}?format=json`.
    pub async fn metadata(&self, table: &str) -> Result<TableMeta, FetchError> {
        let what = format!("metadata for tabel {table}");
        let v = self
            .json(
                &what,
                &format!("table/{}", api_table_id(table)),
                &[("format", "json".into())],
            )
            .await?;
        shapes::metadata(&v).map_err(|detail| FetchError::Shape { what, detail })
    }

    /// `GET data/{id}?format=…&period.M=…&hierarchy.<area>=…&hierarchy.<dim>=<total>`: the
    /// months asked for, for the areas asked for, with every other dimension at its total node
    /// where the metadata names one.
    pub async fn data(
        &self,
        table: &str,
        meta: &TableMeta,
        months: &[Month],
        areas: &[String],
        format: Format,
    ) -> Result<ReadTable, FetchError> {
        let what = format!("data for tabel {table}");
        let Some(area_hierarchy) = meta.areas() else {
            return Err(FetchError::Shape {
                what: format!("metadata for tabel {table}"),
                detail: "ingen dimension med området «Hele landet»".into(),
            });
        };
        let mut ids = Vec::new();
        for a in areas {
            let v = meta.area(a).ok_or_else(|| FetchError::UnknownArea {
                table: table.into(),
                area: a.clone(),
            })?;
            ids.push(v.id.clone());
        }
        let mut query = vec![
            ("format", format.param().to_string()),
            (
                "period.M",
                months
                    .iter()
                    .map(|m| format!("{}M{:02}", m.year(), m.number()))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        ];
        let area_key = format!("hierarchy.{}", area_hierarchy.id);
        let others: Vec<(String, String)> = meta
            .hierarchies
            .iter()
            .filter(|h| h.id != area_hierarchy.id)
            .filter_map(|h| {
                h.total()
                    .map(|t| (format!("hierarchy.{}", h.id), t.id.clone()))
            })
            .collect();
        query.push((area_key.as_str(), ids.join(",")));
        for (k, v) in &others {
            query.push((k.as_str(), v.clone()));
        }
        let path = format!("data/{}", api_table_id(table));
        let located = |errors| FetchError::Table {
            table: table.into(),
            errors,
        };
        match format {
            Format::Json => {
                let v = self.json(&what, &path, &query).await?;
                shapes::data(&v).map_err(located)
            }
            Format::Csv => {
                let body = self.get(&what, &path, &query).await?;
                kadence_import::committee::read_jobindsats(
                    &format!("{table}.csv"),
                    &body,
                    Some(table),
                )
                .map(|f| f.read)
                .map_err(|e| FetchError::Table {
                    table: table.into(),
                    errors: vec![TableError {
                        line: 0,
                        column: None,
                        message: e.to_string().trim().to_string(),
                    }],
                })
            }
        }
    }
}

/// STAR's answer to a wrong or expired key: a JSON object whose one key says so ("Forkert nøgle
/// eller nøglen er udløbet."), seen with a success status in v2 (`committee.md` §2.1).
fn key_rejected_body(body: &[u8]) -> bool {
    if body.len() > 512 {
        return false;
    }
    let Ok(serde_json::Value::Object(o)) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    o.len() == 1
        && o.iter().any(|(k, v)| {
            let k = k.to_lowercase();
            let v = v.as_str().unwrap_or("").to_lowercase();
            (k.contains("nøgle") && (k.contains("forkert") || k.contains("udløbet")))
                || (v.contains("nøgle") && (v.contains("forkert") || v.contains("udløbet")))
        })
}

/// What to fetch.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Table ids (Y07A02, …).
    pub tables: Vec<String>,
    /// Area names as Jobindsats writes them (the municipality first).
    pub areas: Vec<String>,
    /// The first month wanted; every later month the table has is fetched.
    pub from: Month,
    pub format: Format,
}

/// One line of progress, for the command line.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    Catalogue {
        tables: usize,
    },
    Table {
        index: usize,
        of: usize,
        table: String,
        months: usize,
        figures: usize,
    },
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Progress::Catalogue { tables } => write!(
                f,
                "Kataloget hentet ({}).",
                dk::count(*tables as u64, "tabel", "tabeller")
            ),
            Progress::Table {
                index,
                of,
                table,
                months,
                figures,
            } => write!(
                f,
                "[{index}/{of}] {table}: {}, {}.",
                dk::count(*months as u64, "måned", "måneder"),
                dk::count(*figures as u64, "månedstal", "månedstal")
            ),
        }
    }
}

/// Fetches every table of the plan: the catalogue once (for each table's last and next update),
/// then each table's metadata and data. All or nothing: the first error stops it and nothing is
/// returned. `fetched_on`/`fetched_at` are the caller's clock (time is an input).
pub async fn fetch<T: Transport>(
    client: &Client<T>,
    plan: &Plan,
    fetched_on: Day,
    fetched_at: &str,
    mut progress: impl FnMut(Progress),
) -> Result<Vec<Fetch>, FetchError> {
    let catalogue = client.catalogue().await?;
    progress(Progress::Catalogue {
        tables: catalogue.len(),
    });
    let mut out = Vec::new();
    for (i, table) in plan.tables.iter().enumerate() {
        let Some(entry) = catalogue.iter().find(|e| same_table(&e.table_id, table)) else {
            return Err(FetchError::UnknownTable {
                table: table.clone(),
            });
        };
        let meta = client.metadata(table).await?;
        let months: Vec<Month> = meta
            .months
            .iter()
            .copied()
            .filter(|m| *m >= plan.from)
            .collect();
        if months.is_empty() {
            return Err(FetchError::NoMonths {
                table: table.clone(),
                from: plan.from,
            });
        }
        let read = client
            .data(table, &meta, &months, &plan.areas, plan.format)
            .await?;
        // An answer holding more than was asked for (another area, an earlier month) keeps only
        // what was asked for, so what is stored is what the plan says.
        let figures: Vec<_> = read
            .figures
            .into_iter()
            .filter(|f| {
                f.month >= plan.from
                    && plan
                        .areas
                        .iter()
                        .any(|a| a.trim().eq_ignore_ascii_case(f.area.trim()))
            })
            .collect();
        progress(Progress::Table {
            index: i + 1,
            of: plan.tables.len(),
            table: table.clone(),
            months: months.len(),
            figures: figures.len(),
        });
        out.push(Fetch {
            table: table.to_uppercase(),
            source: FetchSource::Api,
            origin: client.origin(&format!("data/{}", api_table_id(table))),
            fetched_on,
            fetched_at: fetched_at.to_string(),
            update_latest: entry.update_latest,
            update_next: entry.update_next,
            figures,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_ids_of_the_tables() {
        for (kadence, api) in [
            ("Y07A02", "y07a02"),
            ("PTVA02", "ptv_a02"),
            ("ptvc01", "ptv_c01"),
        ] {
            assert_eq!(api_table_id(kadence), api);
            assert!(same_table(api, kadence));
        }
        assert!(!same_table("y07a02", "y07a03"));
    }
}
