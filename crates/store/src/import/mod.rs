//! The import: a read export written into the database in one transaction ([`Store::import`]).
//!
//! Two drivers, one behaviour, one conformance suite (`tests/conformance/` runs both):
//! - [`sqlite`]: a SQLite file, through a direct connection (rusqlite, the same library sqlx
//!   links) with prepared statements that bind the population's own strings, and dates and CPR
//!   numbers formatted on the stack. Through sqlx's `Any` driver every string was copied twice and
//!   every value allocated: allocation and copying were about 45 % of an import's profile
//!   (docs/performance.md).
//! - [`rows`]: PostgreSQL (and an in-memory SQLite) through sqlx, in multi-row statements.
//!
//! Both decide alike: which courses are new, changed or unchanged, by a content hash over each
//! course's rows ([`course_hash`]; the rows' values are made once, here, for both drivers and the
//! hash), and both keep the population's snapshot in the same transaction (`snapshot::merge`).

mod rows;
mod sqlite;

use kadence_core::date::Day;
use kadence_core::model::*;
use kadence_import::Loaded;

use sha2::{Digest, Sha256};

use crate::codes::Code;
use crate::{conversation_status, load, FileMeta, ImportSummary, Result, Store};

/// Whether the population tables hold nothing yet (a new database: the first import's snapshot is
/// the export alone). Written for both drivers and both databases.
pub(crate) const POPULATION_IS_EMPTY: &str =
    "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM team LIMIT 1) t)
      + (SELECT COUNT(*) FROM (SELECT 1 FROM caseworker LIMIT 1) w)
      + (SELECT COUNT(*) FROM (SELECT 1 FROM citizen LIMIT 1) c)
      + (SELECT COUNT(*) FROM (SELECT 1 FROM course LIMIT 1) k) = 0";

/// A step of an import ([`Store::import_with`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ImportStep {
    /// Writing the courses that are new or changed: `done` of the export's `total` courses gone
    /// through (written, or found unchanged).
    Courses { done: u64, total: u64 },
    /// Writing the population's snapshot (the one before, with the export merged in).
    Snapshot,
}

impl Store {
    /// Writes a read export in one transaction. `progress(done, total)` is called before the first
    /// course is written and after each chunk (for a progress bar).
    pub async fn import(
        &self,
        loaded: &Loaded,
        files: &[FileMeta],
        source: &str,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<ImportSummary> {
        self.import_with(loaded, files, source, |step| {
            if let ImportStep::Courses { done, total } = step {
                progress(done, total)
            }
        })
        .await
    }

    /// [`Store::import`], telling each step as it starts: the courses (before the first and after
    /// each chunk), then the population's snapshot.
    ///
    /// A SQLite file is written through a direct connection on the calling thread (an import is a
    /// command of its own, and waits for nothing else).
    pub async fn import_with(
        &self,
        loaded: &Loaded,
        files: &[FileMeta],
        source: &str,
        mut step: impl FnMut(ImportStep),
    ) -> Result<ImportSummary> {
        let (summary, rebuild) = match &self.sqlite_file {
            Some(path) => self.import_direct(path, loaded, files, source, &mut step)?,
            None => self.import_sqlx(loaded, files, source, &mut step).await?,
        };
        if rebuild {
            // No snapshot to merge into was kept: read the tables once now (best effort: a reader
            // that finds none reads them and keeps one just the same).
            let _ = self.population(true).await;
        }
        Ok(summary)
    }
}

/// One value of a row, borrowed from the population where it can be; dates and CPR numbers are
/// formatted on the stack.
#[derive(Copy, Clone, Debug)]
pub(crate) enum V<'a> {
    Str(&'a str),
    Date([u8; 10]),
    Cpr([u8; 11]),
    Null,
    Int(i64),
    /// A caseworker, or none: the key, which the content hash reads, and the caseworker's index
    /// in the export, written as the caseworker's number (`caseworker_id`, migration 16;
    /// [`V::written`]).
    Caseworker(Option<(&'a str, u32)>),
}

impl<'a> V<'a> {
    /// The text of a text value (`None`: NULL or an integer).
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            V::Str(s) => Some(s),
            // Both are ASCII digits and dashes.
            V::Date(b) => std::str::from_utf8(b).ok(),
            V::Cpr(b) => std::str::from_utf8(b).ok(),
            V::Caseworker(c) => c.map(|(key, _)| key),
            V::Null | V::Int(_) => None,
        }
    }

    /// The value as written: a caseworker as its number, by the export's index into `caseworkers`
    /// ([`caseworker_numbers`]).
    pub(crate) fn written(self, caseworkers: &[i64]) -> V<'a> {
        match self {
            V::Caseworker(c) => c.map_or(V::Null, |(_, i)| V::Int(caseworkers[i as usize])),
            v => v,
        }
    }
}

/// The number of each of the export's caseworkers (by index): a stored one keeps its own
/// (`stored`: each stored caseworker's key and number), a new one takes the next above the highest
/// stored.
pub(crate) fn caseworker_numbers(pop: &Population, stored: &load::Map<i64>) -> Vec<i64> {
    let mut next = stored.values().copied().max().unwrap_or(0);
    pop.caseworkers
        .iter()
        .map(|c| {
            stored.get(&c.key).copied().unwrap_or_else(|| {
                next += 1;
                next
            })
        })
        .collect()
}

fn date<'a>(d: Day) -> V<'a> {
    V::Date(d.iso_ascii())
}
fn odate<'a>(d: Option<Day>) -> V<'a> {
    d.map_or(V::Null, date)
}
fn ostr(s: Option<&str>) -> V<'_> {
    s.map_or(V::Null, V::Str)
}
fn code<'a, T: Code>(v: T) -> V<'a> {
    V::Str(v.code())
}
fn ocode<'a, T: Code>(v: Option<T>) -> V<'a> {
    v.map_or(V::Null, code)
}

/// The columns of `course` as an import writes them, before the content hash and the batch.
pub(crate) const COURSE_COLS: &[&str] = &[
    "key",
    "cpr",
    "kind",
    "first_absence",
    "benefit_start",
    "transition_date",
    "from_course",
    "target_group",
    "category",
    "category_date",
    "early_by",
    "early_date",
    "p13f_marked",
    "p13f_lapsed",
    "end_date",
    "end_reason",
    "caseworker_id",
    "fit26_recorded",
    "asked_by",
    "asked_date",
    "decided_date",
    "unemployed_date",
    "reduced_rate_date",
];
/// The reform's columns at the end of a course row (migration 8).
const REFORM_COLS: usize = 6;

/// The columns of a course's facts. A fact's row starts with its course: in [`CourseValues`] the
/// course's key (as the content hash has always read it), written as the course's number
/// (`course_id`, migration 16), which the writers put in its place. A caseworker is likewise
/// hashed by key and written by number ([`V::Caseworker`]).
pub(crate) const CONVERSATION_COLS: &[&str] = &[
    "course_id",
    "seq",
    "date",
    "form",
    "held",
    "caseworker_id",
    "registered",
];
pub(crate) const STANDBY_COLS: &[&str] =
    &["course_id", "seq", "start_date", "end_date", "registered"];
pub(crate) const MEDICAL_COLS: &[&str] = &[
    "course_id",
    "seq",
    "form",
    "sent",
    "deadline",
    "received",
    "received_registered",
];
pub(crate) const REHAB_COLS: &[&str] = &["course_id", "seq", "date", "basis"];

/// The highest course number stored (0 for none): an import numbers its new courses from the next.
pub(crate) const HIGHEST_COURSE_ID: &str = "SELECT COALESCE(MAX(id), 0) FROM course";

/// A course's rows, as values borrowed from the population.
pub(crate) struct CourseValues<'a> {
    pub course: [V<'a>; 23],
    pub conversations: Vec<[V<'a>; 7]>,
    pub standby: Vec<[V<'a>; 5]>,
    pub medical: Vec<[V<'a>; 7]>,
    pub rehab: Vec<[V<'a>; 4]>,
}

pub(crate) fn course_values(pop: &Population, id: CourseId) -> CourseValues<'_> {
    let f = pop.facts(id);
    let c = f.course;
    let key = c.key.as_str();
    let cw = |x: Option<CaseworkerId>| {
        V::Caseworker(x.map(|x| (pop.caseworkers[x.index()].key.as_str(), x.index() as u32)))
    };
    let seq = |i: usize| V::Int(i as i64);
    let r = c.reform();
    CourseValues {
        course: [
            V::Str(key),
            V::Cpr(pop.citizens[c.citizen.index()].cpr.reveal_ascii()),
            code(c.kind),
            date(c.first_absence),
            date(c.benefit_start),
            odate(c.transition),
            ostr(c.from_course.map(|x| pop.courses[x.index()].key.as_str())),
            code(c.target_group),
            ocode(c.visitation.map(|v| v.category)),
            odate(c.visitation.map(|v| v.set_on)),
            ocode(c.early_request.map(|r| r.by)),
            odate(c.early_request.map(|r| r.date)),
            odate(c.predictable.map(|p| p.marked_on)),
            odate(c.predictable.and_then(|p| p.lapsed_on)),
            odate(c.end.map(|e| e.date)),
            ocode(c.end.map(|e| e.reason)),
            cw(c.caseworker),
            odate(r.fit_within_26_weeks),
            ocode(r.follow_up_asked.map(|a| a.by)),
            odate(r.follow_up_asked.map(|a| a.date)),
            odate(r.municipality_decided),
            odate(r.unemployed_on),
            odate(r.reduced_rate_from),
        ],
        conversations: f
            .conversations
            .iter()
            .enumerate()
            .map(|(i, x)| {
                [
                    V::Str(key),
                    seq(i),
                    date(x.date),
                    code(x.form),
                    V::Int(conversation_status(x)),
                    cw(x.caseworker),
                    odate(x.registered),
                ]
            })
            .collect(),
        standby: f
            .standby
            .iter()
            .enumerate()
            .map(|(i, s)| {
                [
                    V::Str(key),
                    seq(i),
                    date(s.start),
                    odate(s.end),
                    odate(s.registered),
                ]
            })
            .collect(),
        medical: f
            .medical
            .iter()
            .enumerate()
            .map(|(i, m)| {
                [
                    V::Str(key),
                    seq(i),
                    code(m.form),
                    date(m.sent),
                    odate(m.deadline),
                    odate(m.received),
                    odate(m.received_registered),
                ]
            })
            .collect(),
        rehab: f
            .rehab
            .iter()
            .enumerate()
            .map(|(i, r)| [V::Str(key), seq(i), date(r.date), code(r.basis)])
            .collect(),
    }
}

impl CourseValues<'_> {
    /// The content hash of the course and its facts: what a re-import compares. The encoding is
    /// fixed (stored hashes must keep matching): per value `s`, its length and bytes for text, `n`
    /// for NULL, `i` and eight bytes for an integer; `|` after each row.
    pub(crate) fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        let mut feed = |row: &[V<'_>]| {
            for v in row {
                match v {
                    // No caseworker is NULL, as its column was.
                    V::Null | V::Caseworker(None) => h.update(b"n"),
                    V::Int(i) => {
                        h.update(b"i");
                        h.update(i.to_le_bytes());
                    }
                    text => {
                        let s = text.text().unwrap_or_default();
                        h.update(b"s");
                        h.update((s.len() as u64).to_le_bytes());
                        h.update(s.as_bytes());
                    }
                }
            }
            h.update(b"|");
        };
        // The reform's columns (the last REFORM_COLS) enter the hash only when one is set, so that
        // courses stored before they existed keep their hashes and a re-import changes nothing.
        let (base, reform) = self.course.split_at(self.course.len() - REFORM_COLS);
        feed(base);
        if reform.iter().any(|v| !matches!(v, V::Null)) {
            feed(&[V::Str("reform")]);
            feed(reform);
        }
        // Likewise the registration dates (migration 13, the last column of a conversation,
        // standby or medical row) enter only when set.
        let mut section = |name: &str, rows: &mut dyn Iterator<Item = &[V<'_>]>, registration| {
            feed(&[V::Str(name)]);
            for r in rows {
                match r.split_last() {
                    Some((V::Null, rest)) if registration => feed(rest),
                    _ => feed(r),
                }
            }
        };
        section(
            "conversations",
            &mut self.conversations.iter().map(|r| &r[..]),
            true,
        );
        section("standby", &mut self.standby.iter().map(|r| &r[..]), true);
        section("medical", &mut self.medical.iter().map(|r| &r[..]), true);
        section("rehab", &mut self.rehab.iter().map(|r| &r[..]), false);
        h.finalize().into()
    }
}

/// A stored content hash (64 hex digits) as bytes; `None` if it is not one, so the course is
/// rewritten.
pub(crate) fn unhex32(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// What an import writes, decided from the stored courses' hashes before anything is written: the
/// counts, the courses to write with their hashes, and the stored ones they replace.
pub(crate) struct Plan {
    pub summary: ImportSummary,
    pub to_write: Vec<(CourseId, [u8; 32])>,
    pub replaced: Vec<CourseId>,
}

/// Which courses are new, changed or unchanged. Only ids and hashes are kept: the rows are made
/// again while writing, so the import never holds every course's rows at once (at national scale
/// that was gigabytes).
pub(crate) fn plan(loaded: &Loaded, batch_id: i64, stored: &load::Map<Option<[u8; 32]>>) -> Plan {
    let pop = &loaded.population;
    let mut planner = Planner::new(loaded, batch_id);
    let mut to_write = Vec::new();
    let mut replaced = Vec::new();
    for id in pop.course_ids() {
        if let Some(w) = planner.consider(pop, id, stored) {
            if w.replaces {
                replaced.push(id);
            }
            to_write.push((id, w.hash));
        }
    }
    Plan {
        summary: planner.summary,
        to_write,
        replaced,
    }
}

/// What is stored under the key of a course of the export.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stored {
    /// No course.
    Absent,
    /// A course with the same content hash.
    Same,
    /// A course with another hash, or one that cannot be read (it is rewritten).
    Other,
}

/// The stored courses' content hashes, asked for a course of the export and its hash.
pub(crate) trait StoredHashes {
    fn compare(&self, pop: &Population, id: CourseId, hash: &[u8; 32]) -> Stored;
}

/// By the stored course's key (the sqlx path).
impl StoredHashes for load::Map<Option<[u8; 32]>> {
    fn compare(&self, pop: &Population, id: CourseId, hash: &[u8; 32]) -> Stored {
        match self.get(pop.courses[id.index()].key.as_str()) {
            None => Stored::Absent,
            Some(Some(h)) if h == hash => Stored::Same,
            Some(_) => Stored::Other,
        }
    }
}

/// By the export's course (the direct SQLite path): one slot per course of the export, filled
/// from the stored rows as they are read; stored courses the export does not name are not kept.
/// No string is allocated per stored course (3.1 M of them for the country).
///
/// A slot keeps the first 16 bytes of the stored SHA-256 (17 bytes a course where the whole hash
/// took 33: 50 MB of the country's re-import): enough to tell a changed course (two different
/// contents agree on 128 bits with a chance of 2^-128), while the table keeps every hash whole.
pub(crate) struct StoredByCourse {
    slots: Vec<Slot>,
}

#[derive(Copy, Clone)]
enum Slot {
    None,
    Unreadable,
    Hash([u8; 16]),
}

fn prefix(hash: &[u8; 32]) -> [u8; 16] {
    let mut p = [0; 16];
    p.copy_from_slice(&hash[..16]);
    p
}

impl StoredByCourse {
    /// `rows` yields each stored course's key and hash; the slots are made only if there is a
    /// stored one (a first import reads none). The stored courses come in the order the import
    /// before wrote them, which for an export like the last is the export's own: each is looked
    /// for first where the one before was found, and the export's courses by key
    /// ([`kadence_import::CourseKeys`], 21 MB for the country) are made only at the first that is
    /// not there.
    pub(crate) fn read<E>(
        pop: &Population,
        mut rows: impl FnMut(&mut dyn FnMut(&str, &str)) -> std::result::Result<(), E>,
    ) -> std::result::Result<StoredByCourse, E> {
        let mut slots = Vec::new();
        // The export's courses by key through their own keys (4 bytes a slot; a map from each
        // borrowed key was about 100 MB of the country's re-import).
        let mut by_key: Option<kadence_import::CourseKeys> = None;
        let mut next = 0usize;
        rows(&mut |key, hash| {
            if slots.is_empty() {
                slots = vec![Slot::None; pop.courses.len()];
            }
            let found = if pop.courses.get(next).is_some_and(|c| c.key == key) {
                Some(next)
            } else {
                by_key
                    .get_or_insert_with(|| kadence_import::CourseKeys::of(&pop.courses))
                    .get(&pop.courses, key)
                    .map(CourseId::index)
            };
            if let Some(i) = found {
                slots[i] = unhex32(hash).map_or(Slot::Unreadable, |h| Slot::Hash(prefix(&h)));
                next = i + 1;
            }
        })?;
        Ok(StoredByCourse { slots })
    }
}

impl StoredHashes for StoredByCourse {
    fn compare(&self, _: &Population, id: CourseId, hash: &[u8; 32]) -> Stored {
        match self.slots.get(id.index()).copied().unwrap_or(Slot::None) {
            Slot::None => Stored::Absent,
            Slot::Hash(h) if h == prefix(hash) => Stored::Same,
            Slot::Unreadable | Slot::Hash(_) => Stored::Other,
        }
    }
}

/// A course to write: its rows, their hash, and whether it replaces a stored course.
pub(crate) struct ToWrite<'a> {
    pub id: CourseId,
    pub rows: CourseValues<'a>,
    pub hash: [u8; 32],
    pub replaces: bool,
}

/// Decides course by course what an import writes, counting as it goes.
pub(crate) struct Planner {
    pub summary: ImportSummary,
}

impl Planner {
    pub(crate) fn new(loaded: &Loaded, batch_id: i64) -> Planner {
        Planner {
            summary: ImportSummary {
                batch_id,
                rows_read: loaded.files.iter().map(|f| f.rows as u64).sum(),
                rows_repaired: loaded
                    .files
                    .iter()
                    .map(|f| f.repaired_lines.len() as u64)
                    .sum(),
                ..ImportSummary::default()
            },
        }
    }

    /// The course's rows and hash when it is new or changed; `None` when the stored course has the
    /// same hash.
    pub(crate) fn consider<'a>(
        &mut self,
        pop: &'a Population,
        id: CourseId,
        stored: &impl StoredHashes,
    ) -> Option<ToWrite<'a>> {
        let rows = course_values(pop, id);
        let hash = rows.hash();
        let replaces = match stored.compare(pop, id, &hash) {
            Stored::Same => {
                self.summary.courses_unchanged += 1;
                return None;
            }
            Stored::Other => {
                self.summary.courses_updated += 1;
                true
            }
            Stored::Absent => {
                self.summary.courses_inserted += 1;
                false
            }
        };
        Some(ToWrite {
            id,
            rows,
            hash,
            replaces,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    /// The stored hex hash and the bytes compared in memory agree both ways; anything that is not a
    /// 64-digit hash reads as "unknown", so that course is rewritten rather than wrongly kept.
    #[test]
    fn content_hashes_read_back_as_bytes() {
        let bytes: [u8; 32] = Sha256::digest(b"kadence").into();
        assert_eq!(unhex32(&hex(&bytes)), Some(bytes));
        assert_eq!(unhex32(&hex(&bytes).to_uppercase()), Some(bytes));
        for bad in [
            "",
            "00",
            &"g".repeat(64),
            &"0".repeat(63),
            &"0".repeat(65),
            &"ø".repeat(32),
        ] {
            assert_eq!(unhex32(bad), None, "{bad}");
        }
    }

    /// The hash as the previous import computed it (rows of owned strings, kept verbatim as the
    /// reference): a course stored by it must hash the same now, or every re-import would rewrite
    /// every course.
    fn reference_hash(pop: &Population, id: CourseId) -> [u8; 32] {
        enum Val {
            Text(Option<String>),
            Int(i64),
        }
        fn t(s: impl Into<String>) -> Val {
            Val::Text(Some(s.into()))
        }
        fn opt(s: Option<impl Into<String>>) -> Val {
            Val::Text(s.map(Into::into))
        }
        fn day(d: Day) -> Val {
            t(d.to_string())
        }
        fn oday(d: Option<Day>) -> Val {
            opt(d.map(|d| d.to_string()))
        }
        let f = pop.facts(id);
        let c = f.course;
        let cw = |x: Option<CaseworkerId>| opt(x.map(|x| pop.caseworkers[x.index()].key.clone()));
        let key = c.key.as_str();
        let seq = |i: usize| Val::Int(i as i64);
        let course = vec![
            t(key),
            t(pop.citizens[c.citizen.index()].cpr.reveal()),
            t(c.kind.code()),
            day(c.first_absence),
            day(c.benefit_start),
            oday(c.transition),
            opt(c.from_course.map(|x| pop.courses[x.index()].key.clone())),
            t(c.target_group.code()),
            opt(c.visitation.map(|v| v.category.code())),
            oday(c.visitation.map(|v| v.set_on)),
            opt(c.early_request.map(|r| r.by.code())),
            oday(c.early_request.map(|r| r.date)),
            oday(c.predictable.map(|p| p.marked_on)),
            oday(c.predictable.and_then(|p| p.lapsed_on)),
            oday(c.end.map(|e| e.date)),
            opt(c.end.map(|e| e.reason.code())),
            cw(c.caseworker),
            oday(c.reform().fit_within_26_weeks),
            opt(c.reform().follow_up_asked.map(|a| a.by.code())),
            oday(c.reform().follow_up_asked.map(|a| a.date)),
            oday(c.reform().municipality_decided),
            oday(c.reform().unemployed_on),
            oday(c.reform().reduced_rate_from),
        ];
        let conversations: Vec<Vec<Val>> = f
            .conversations
            .iter()
            .enumerate()
            .map(|(i, x)| {
                vec![
                    t(key),
                    seq(i),
                    day(x.date),
                    t(x.form.code()),
                    Val::Int(conversation_status(x)),
                    cw(x.caseworker),
                    oday(x.registered),
                ]
            })
            .collect();
        let standby: Vec<Vec<Val>> = f
            .standby
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    t(key),
                    seq(i),
                    day(s.start),
                    oday(s.end),
                    oday(s.registered),
                ]
            })
            .collect();
        let medical: Vec<Vec<Val>> = f
            .medical
            .iter()
            .enumerate()
            .map(|(i, m)| {
                vec![
                    t(key),
                    seq(i),
                    t(m.form.code()),
                    day(m.sent),
                    oday(m.deadline),
                    oday(m.received),
                    oday(m.received_registered),
                ]
            })
            .collect();
        let rehab: Vec<Vec<Val>> = f
            .rehab
            .iter()
            .enumerate()
            .map(|(i, r)| vec![t(key), seq(i), day(r.date), t(r.basis.code())])
            .collect();
        let mut h = Sha256::new();
        let mut feed = |row: &[Val]| {
            for v in row {
                match v {
                    Val::Text(Some(s)) => {
                        h.update(b"s");
                        h.update((s.len() as u64).to_le_bytes());
                        h.update(s.as_bytes());
                    }
                    Val::Text(None) => h.update(b"n"),
                    Val::Int(i) => {
                        h.update(b"i");
                        h.update(i.to_le_bytes());
                    }
                }
            }
            h.update(b"|");
        };
        let (base, reform) = course.split_at(course.len() - REFORM_COLS);
        feed(base);
        if reform.iter().any(|v| !matches!(v, Val::Text(None))) {
            feed(&[t("reform")]);
            feed(reform);
        }
        for (section, rows, with_registration) in [
            ("conversations", &conversations, 7),
            ("standby", &standby, 5),
            ("medical", &medical, 7),
            ("rehab", &rehab, usize::MAX),
        ] {
            feed(&[t(section)]);
            for r in rows.iter() {
                match r.split_last() {
                    Some((Val::Text(None), rest)) if r.len() == with_registration => feed(rest),
                    _ => feed(r),
                }
            }
        }
        h.finalize().into()
    }

    #[test]
    fn content_hashes_are_the_ones_stored_before() {
        for export in [Day::ymd(2025, 9, 30), Day::ymd(2027, 3, 31)] {
            let mut b = kadence_synth::generate(
                &kadence_synth::Params::municipality(5, export).with_courses_per_year(300),
            )
            .into_builder();
            // The rarer columns set somewhere.
            b.standby[0].registered = Some(b.standby[0].start.add_days(2));
            if let Some(m) = b.medical.iter_mut().find(|m| m.received.is_some()) {
                m.received_registered = m.received.map(|d| d.add_days(1));
            }
            let (pop, _) = b.build();
            assert!(pop.courses.iter().any(|c| c.reform.is_some()) || export.year() == 2025);
            for id in pop.course_ids() {
                assert_eq!(
                    course_values(&pop, id).hash(),
                    reference_hash(&pop, id),
                    "{}",
                    pop.courses[id.index()].key
                );
            }
        }
    }

    /// The two ways of finding the stored hashes (the sqlx path's map by key, the direct path's
    /// slots found in the stored order or by key) agree for stored rows in the export's order,
    /// shuffled, with keys the export does not name and hashes that cannot be read.
    #[test]
    fn stored_hashes_agree_whatever_the_stored_order() {
        let pop = kadence_synth::generate(
            &kadence_synth::Params::municipality(3, Day::ymd(2026, 10, 31))
                .with_courses_per_year(60),
        );
        let hash = |id: CourseId| course_values(&pop, id).hash();
        let mut rows: Vec<(String, String)> = pop
            .course_ids()
            .filter(|id| id.index() % 7 != 3) // not stored: new in the export
            .map(|id| {
                let mut h = hash(id);
                if id.index() % 5 == 1 {
                    h[20] ^= 1; // changed after the 16 bytes a slot keeps
                }
                if id.index() % 5 == 2 {
                    h[3] ^= 1; // changed within them
                }
                let text = if id.index() % 11 == 4 {
                    "not a hash".into()
                } else {
                    hex(&h)
                };
                (pop.courses[id.index()].key.to_string(), text)
            })
            .collect();
        rows.push(("K99-GONE".into(), hex(&[0; 32]))); // stored, not in the export
        let expected = |id: CourseId| match id.index() {
            i if i % 7 == 3 => Stored::Absent,
            i if i % 11 == 4 || i % 5 == 1 || i % 5 == 2 => Stored::Other,
            _ => Stored::Same,
        };
        for order in 0..3 {
            match order {
                1 => rows.reverse(),
                2 => {
                    let third = rows.len() / 3;
                    rows.rotate_left(third)
                }
                _ => {}
            }
            let slots = StoredByCourse::read(&pop, |each| {
                for (k, h) in &rows {
                    each(k, h);
                }
                Ok::<(), ()>(())
            })
            .unwrap();
            let map: load::Map<Option<[u8; 32]>> =
                rows.iter().map(|(k, h)| (k.clone(), unhex32(h))).collect();
            for id in pop.course_ids() {
                let h = hash(id);
                let want = expected(id);
                // The whole hash tells the change after byte 16; the slot's 16 bytes do not, so
                // that one case is the map's alone.
                assert_eq!(
                    map.compare(&pop, id, &h),
                    want,
                    "map, order {order}, {id:?}"
                );
                let slot_want = match want {
                    Stored::Other if id.index() % 5 == 1 && id.index() % 11 != 4 => Stored::Same,
                    w => w,
                };
                assert_eq!(
                    slots.compare(&pop, id, &h),
                    slot_want,
                    "slots, order {order}, {id:?}"
                );
            }
        }
    }
}
