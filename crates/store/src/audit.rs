//! The audit log (revisionslog): who looked up which citizen, when, and why.
//!
//! Every view or export of a citizen's data is one *entry* (time, user, citizen, course, action,
//! purpose). Entries are stored as *events*: one row per look-up (a worklist page of 50 citizens is one
//! event naming its 50 citizens), so a page costs one appended row instead of 50 rows and 50 random index
//! writes. The events form a hash chain: each row stores the hash of the previous one and a hash over
//! its own fields, citizens included, so changing, removing or reordering anything is found by
//! [`Store::audit_verify`].
//!
//! Writing is *group committed*: concurrent pages queue their events, and whichever caller holds the
//! writer writes everything queued in one transaction. Under load this turns 50 transactions into a
//! few, which is what SQLite's single writer needs. A page is answered only after its event is
//! committed; if the write fails, every page in the group is refused (nothing is shown unlogged).
//!
//! Extraction for one citizen (a citizen's access request, rare) scans the events' subject text with
//! `LIKE`; nothing on the hot path maintains a per-citizen index.

use std::sync::Mutex as SyncMutex;

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::Row;
use tokio::sync::{oneshot, Mutex};

use kadence_core::cpr::Cpr;

use crate::{hex, insert_rows, Result, Store, StoreError, Val};

/// One audit entry to write: one citizen (or none) looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub username: String,
    /// The citizen looked up (stored in full: the log must name whom; it is itself personal data).
    pub cpr: Option<Cpr>,
    pub course_key: Option<String>,
    /// What was done, in Danish ("vist forløb", "vist i arbejdsliste", "eksporteret").
    pub action: String,
    /// Why (formål).
    pub purpose: String,
}

/// A stored audit entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// The event's sequence number (entries of one page share it).
    pub seq: i64,
    pub at: String,
    pub entry: AuditEntry,
    /// The event's hash.
    pub hash: String,
}

/// The result of verifying the audit chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditVerdict {
    /// All events chain correctly; `entries` citizens' look-ups in all.
    Intact { entries: i64 },
    /// The first event whose hash or link does not match.
    Broken { seq: i64 },
    /// The chain verifies but ends at `last` (0: no events), while the head kept outside the
    /// database says events up to `head` were written: the newest were deleted.
    Truncated { head: i64, last: i64 },
    /// The retention anchor at `seq` is not signed by the anchor key: the oldest events may have
    /// been deleted behind a forged anchor.
    AnchorForged { seq: i64 },
}

impl AuditVerdict {
    /// Whether nothing was found wrong.
    pub fn is_intact(&self) -> bool {
        matches!(self, AuditVerdict::Intact { .. })
    }

    /// The verdict in Danish, as the CLI and the page say it.
    pub fn danish(&self) -> String {
        match self {
            AuditVerdict::Intact { entries } => format!(
                "Revisionsloggen er intakt: {}, hash-kæden stemmer.",
                kadence_core::dk::count((*entries).max(0) as u64, "post", "poster")
            ),
            AuditVerdict::Broken { seq } => format!(
                "Revisionsloggen er brudt ved post nr. {seq}: posten eller en post før den er ændret eller slettet."
            ),
            AuditVerdict::Truncated { head, last } => format!(
                "Revisionsloggen er afkortet: hovedet uden for databasen siger, at der er skrevet poster til og med nr. {head}, men loggen slutter {}. De nyeste poster er slettet.",
                if *last == 0 { "uden poster".to_string() } else { format!("ved nr. {last}") }
            ),
            AuditVerdict::AnchorForged { seq } => format!(
                "Revisionsloggens anker ved post nr. {seq} er ikke underskrevet med ankernøglen: de ældste poster kan være slettet bag et forfalsket anker."
            ),
        }
    }
}

impl crate::witness::AuditWitness {
    /// What the witnesses cover, in Danish, for the verification's report.
    pub fn danish(&self) -> String {
        let head = match &self.head_file {
            Some(p) => format!("Hovedet (nyeste post) holdes uden for databasen i {}.", p.display()),
            None => "Intet hoved holdes uden for databasen: sletning af de nyeste poster kan ikke opdages (se docs/security.md).".into(),
        };
        let key = match &self.anchor_key_file {
            Some(p) => format!(
                " Ankre fra sletning efter opbevaringsperiode underskrives med nøglen i {}.",
                p.display()
            ),
            None => " Ingen ankernøgle: et forfalsket anker kan ikke opdages.".into(),
        };
        head + &key
    }
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Rows written before events existed (migration 3 copied them): one citizen per row, hashed as then.
const FORMAT_ENTRY: i64 = 1;
/// One event per look-up, any number of citizens, length-prefixed fields in the hash.
const FORMAT_EVENT: i64 = 2;

/// An event as written: the shared fields and its citizens.
struct Event {
    at: String,
    username: String,
    action: String,
    purpose: String,
    subjects: String,
}

/// The group-commit queue of one process.
#[derive(Debug, Default)]
pub(crate) struct AuditQueue {
    pending: SyncMutex<Vec<Pending>>,
    writer: Mutex<()>,
}

struct Pending {
    events: Vec<Event>,
    done: oneshot::Sender<std::result::Result<(), String>>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pending({} events)", self.events.len())
    }
}

fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// Escapes a course key for the subject text (one subject per line, CPR and key separated by a space).
fn escape_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for ch in key.chars() {
        match ch {
            '%' => out.push_str("%25"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            c => out.push(c),
        }
    }
    out
}

fn unescape_key(s: &str) -> String {
    s.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

/// The subject text of an event: `cpr course_key` per line (an empty CPR for look-ups of no citizen).
fn subjects_text(entries: &[AuditEntry]) -> String {
    let mut s = String::with_capacity(entries.len() * 24);
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        if let Some(c) = e.cpr {
            s.push_str(&c.reveal());
        }
        s.push(' ');
        s.push_str(&escape_key(e.course_key.as_deref().unwrap_or("")));
    }
    s
}

fn cpr_field(s: &str) -> Result<Option<Cpr>> {
    if s.is_empty() {
        return Ok(None);
    }
    Cpr::parse(s).map(Some).map_err(|_| StoreError::Corrupt {
        table: "audit_event",
        column: "subjects",
        value: "(maskeret)".into(),
    })
}

/// The (CPR, course key) pairs of an event's subject text.
fn parse_subjects(format: i64, text: &str) -> Result<Vec<(Option<Cpr>, Option<String>)>> {
    let key = |k: &str| (!k.is_empty()).then(|| k.to_string());
    if format == FORMAT_ENTRY {
        // One subject, the key unescaped (as copied from the old table).
        let (cpr, k) = text.split_once(' ').unwrap_or((text, ""));
        return Ok(vec![(cpr_field(cpr)?, key(k))]);
    }
    text.split('\n')
        .map(|line| {
            let (cpr, k) = line.split_once(' ').unwrap_or((line, ""));
            Ok((cpr_field(cpr)?, key(&unescape_key(k))))
        })
        .collect()
}

/// The hash of an event, over the previous hash and every stored field.
fn event_hash(format: i64, prev: &str, seq: i64, e: &Event) -> Result<String> {
    if format == FORMAT_ENTRY {
        // As written before migration 3 (one citizen per row).
        let (cpr, key) = e.subjects.split_once(' ').unwrap_or((&e.subjects, ""));
        return Ok(sha256_hex(&format!(
            "{prev}\n{seq}\n{}\n{}\n{cpr}\n{key}\n{}\n{}",
            e.at, e.username, e.action, e.purpose
        )));
    }
    if format != FORMAT_EVENT {
        return Err(StoreError::Corrupt {
            table: "audit_event",
            column: "format",
            value: format.to_string(),
        });
    }
    // Length-prefixed, so no field can borrow another's text.
    let mut text = format!("{prev}\n{seq}\n");
    for f in [&e.at, &e.username, &e.action, &e.purpose, &e.subjects] {
        text.push_str(&format!("{}:{f}\n", f.len()));
    }
    Ok(sha256_hex(&text))
}

/// Groups entries into events: consecutive entries of the same user, action and purpose are one event.
fn events_of(entries: &[AuditEntry], now: Timestamp) -> Vec<Event> {
    let at = now.to_string();
    entries
        .chunk_by(|a, b| a.username == b.username && a.action == b.action && a.purpose == b.purpose)
        .map(|group| Event {
            at: at.clone(),
            username: group[0].username.clone(),
            action: group[0].action.clone(),
            purpose: group[0].purpose.clone(),
            subjects: subjects_text(group),
        })
        .collect()
}

impl Store {
    /// Logs look-ups: returns once they are committed (group commit with concurrent callers).
    pub async fn audit_append(&self, entries: &[AuditEntry], now: Timestamp) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let (done, mut result) = oneshot::channel();
        self.audit
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Pending {
                events: events_of(entries, now),
                done,
            });
        let _writer = self.audit.writer.lock().await;
        // A caller ahead of us may have written our events with its own.
        if let Ok(r) = result.try_recv() {
            return r.map_err(StoreError::Audit);
        }
        let batch: Vec<Pending> =
            std::mem::take(&mut *self.audit.pending.lock().unwrap_or_else(|p| p.into_inner()));
        let events: Vec<&Event> = batch.iter().flat_map(|p| &p.events).collect();
        let outcome = self.write_events(&events).await;
        let shared = outcome.as_ref().map(|_| ()).map_err(|e| e.to_string());
        for p in batch {
            // A caller that went away (its request was cancelled) no longer listens.
            let _ = p.done.send(shared.clone());
        }
        result
            .try_recv()
            .unwrap_or_else(|_| Err("revisionslogningen svarede ikke".into()))
            .map_err(StoreError::Audit)
    }

    /// Writes events in one transaction, retrying when another process holds the write lock.
    async fn write_events(&self, events: &[&Event]) -> Result<()> {
        crate::retry_on_conflict(20, std::time::Duration::from_millis(5), || {
            self.try_write_events(events)
        })
        .await
    }

    async fn try_write_events(&self, events: &[&Event]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let last = sqlx::query("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (mut seq, mut prev) = match last {
            Some(r) => (r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?),
            // An empty log after retention deleted every event continues from the anchor.
            None => {
                match sqlx::query("SELECT seq, hash FROM audit_anchor ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *tx)
                    .await?
                {
                    Some(r) => (r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?),
                    None => (0, GENESIS.to_string()),
                }
            }
        };
        let mut rows = Vec::with_capacity(events.len());
        for e in events {
            seq += 1;
            let hash = event_hash(FORMAT_EVENT, &prev, seq, e)?;
            rows.push(vec![
                Val::Int(seq),
                Val::Text(Some(e.at.clone())),
                Val::Text(Some(e.username.clone())),
                Val::Text(Some(e.action.clone())),
                Val::Text(Some(e.purpose.clone())),
                Val::Text(Some(e.subjects.clone())),
                Val::Int(FORMAT_EVENT),
                Val::Text(Some(std::mem::replace(&mut prev, hash.clone()))),
                Val::Text(Some(hash)),
            ]);
        }
        insert_rows(&mut tx, self.backend, "audit_event", &EVENT_COLUMNS, rows).await?;
        tx.commit().await?;
        // The head outside the database: a page is shown only once it is written too, so the
        // witness never lags behind what users saw. File I/O with an fsync, so off the async
        // threads (as the password checks are).
        if self.witness.config.head_file.is_none() {
            return Ok(());
        }
        let (witness, head) = (
            std::sync::Arc::clone(&self.witness),
            crate::witness::Head { seq, hash: prev },
        );
        tokio::task::spawn_blocking(move || witness.record(&head))
            .await
            .map_err(|e| StoreError::Audit(e.to_string()))?
    }

    /// Audit entries, oldest first, one per citizen looked up; only those about one citizen when `cpr`
    /// is given.
    pub async fn audit_entries(&self, cpr: Option<&Cpr>) -> Result<Vec<AuditRecord>> {
        let sql =
            "SELECT seq, at, username, action, purpose, subjects, format, hash FROM audit_event";
        let rows = match cpr {
            // A CPR number is ten digits, so it holds no LIKE wildcard.
            Some(c) => {
                sqlx::query(&format!("{sql} WHERE subjects LIKE $1 ORDER BY seq"))
                    .bind(format!("%{}%", c.reveal()))
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(&format!("{sql} ORDER BY seq"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        let mut out = Vec::new();
        for r in &rows {
            let (seq, at, hash): (i64, String, String) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(7)?);
            let (username, action, purpose): (String, String, String) =
                (r.try_get(2)?, r.try_get(3)?, r.try_get(4)?);
            let subjects: String = r.try_get(5)?;
            for (who, course_key) in parse_subjects(r.try_get(6)?, &subjects)? {
                if cpr.is_some_and(|c| who != Some(*c)) {
                    continue;
                }
                out.push(AuditRecord {
                    seq,
                    at: at.clone(),
                    entry: AuditEntry {
                        username: username.clone(),
                        cpr: who,
                        course_key,
                        action: action.clone(),
                        purpose: purpose.clone(),
                    },
                    hash: hash.clone(),
                });
            }
        }
        Ok(out)
    }

    /// Recomputes the hash chain from the first event.
    pub async fn audit_verify(&self) -> Result<AuditVerdict> {
        use futures_util::TryStreamExt;
        // One read transaction: the anchor and the events as of the same moment. The events are
        // streamed (a year's log runs to millions of them).
        let mut tx = self.pool.begin().await?;
        // After retention deleted the oldest events, the chain starts from the last deleted one.
        let anchor = sqlx::query(
            "SELECT seq, hash, at, signature FROM audit_anchor ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let anchor = match anchor {
            Some(r) => Some((
                r.try_get::<i64, _>(0)?,
                r.try_get::<String, _>(1)?,
                r.try_get::<String, _>(2)?,
                r.try_get::<String, _>(3)?,
            )),
            None => None,
        };
        if let Some((seq, hash, at, signature)) = &anchor {
            // An anchor must be signed by the key kept outside the database; without the key
            // file there is nothing to check it against, and the anchor is taken as it stands.
            if let Some(key) = self.witness.anchor_key(false)? {
                if *signature != crate::witness::sign_anchor(&key, *seq, hash, at) {
                    return Ok(AuditVerdict::AnchorForged { seq: *seq });
                }
            }
        }
        let head = self.witness.head()?;
        let (mut expected_seq, mut prev) = match &anchor {
            Some((seq, hash, _, _)) => (seq + 1, hash.clone()),
            None => (1, GENESIS.to_string()),
        };
        // The head kept outside names an event; its hash must be the one the chain reaches there.
        let check_head = |seq: i64, hash: &str| {
            head.as_ref()
                .is_some_and(|h| h.seq == seq && h.hash != hash)
        };
        if let Some((seq, hash, _, _)) = &anchor {
            if check_head(*seq, hash) {
                return Ok(AuditVerdict::Broken { seq: *seq });
            }
        }
        let sql = format!(
            "SELECT {} FROM audit_event ORDER BY seq",
            EVENT_COLUMNS.join(", ")
        );
        let mut rows = sqlx::query(&sql).fetch(&mut *tx);
        let mut entries = 0i64;
        while let Some(r) = rows.try_next().await? {
            let seq: i64 = r.try_get(0)?;
            let e = Event {
                at: r.try_get(1)?,
                username: r.try_get(2)?,
                action: r.try_get(3)?,
                purpose: r.try_get(4)?,
                subjects: r.try_get(5)?,
            };
            let format: i64 = r.try_get(6)?;
            let stored_prev: String = r.try_get(7)?;
            let stored: String = r.try_get(8)?;
            let parsed = parse_subjects(format, &e.subjects);
            if seq != expected_seq
                || stored_prev != prev
                || event_hash(format, &prev, seq, &e).ok().as_ref() != Some(&stored)
                || parsed.is_err()
            {
                return Ok(AuditVerdict::Broken { seq });
            }
            if check_head(seq, &stored) {
                return Ok(AuditVerdict::Broken { seq });
            }
            entries += parsed.map_or(0, |p| p.len() as i64);
            prev = stored;
            expected_seq += 1;
        }
        let last = expected_seq - 1;
        if let Some(h) = head.filter(|h| h.seq > last) {
            return Ok(AuditVerdict::Truncated { head: h.seq, last });
        }
        Ok(AuditVerdict::Intact { entries })
    }
}

const EVENT_COLUMNS: [&str; 9] = [
    "seq",
    "at",
    "username",
    "action",
    "purpose",
    "subjects",
    "format",
    "prev_hash",
    "hash",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_text_round_trips_hostile_keys() {
        let cpr = Cpr::parse("0101501000").ok();
        let keys = ["F1", "a b", "x\ny", "50%0A", "%", "\r\n", ""];
        let entries: Vec<AuditEntry> = keys
            .iter()
            .map(|k| AuditEntry {
                username: "u".into(),
                cpr,
                course_key: Some(k.to_string()),
                action: "a".into(),
                purpose: "p".into(),
            })
            .collect();
        let text = subjects_text(&entries);
        assert_eq!(text.lines().count(), keys.len());
        let back = parse_subjects(FORMAT_EVENT, &text).unwrap();
        let got: Vec<String> = back
            .iter()
            .map(|(_, k)| k.clone().unwrap_or_default())
            .collect();
        assert_eq!(got, keys);
        assert!(back.iter().all(|(c, _)| *c == cpr));
    }

    #[test]
    fn fields_cannot_borrow_each_others_text() {
        let e = |username: &str, action: &str| Event {
            at: "t".into(),
            username: username.into(),
            action: action.into(),
            purpose: "p".into(),
            subjects: String::new(),
        };
        assert_ne!(
            event_hash(FORMAT_EVENT, GENESIS, 1, &e("a\nb", "c")).unwrap(),
            event_hash(FORMAT_EVENT, GENESIS, 1, &e("a", "b\nc")).unwrap()
        );
    }

    #[test]
    fn consecutive_entries_of_one_look_up_are_one_event() {
        let e = |cpr: &str, action: &str| AuditEntry {
            username: "u".into(),
            cpr: Cpr::parse(cpr).ok(),
            course_key: None,
            action: action.into(),
            purpose: "p".into(),
        };
        let events = events_of(
            &[
                e("0101501000", "a"),
                e("0202502000", "a"),
                e("0101501000", "b"),
            ],
            Timestamp::UNIX_EPOCH,
        );
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].subjects, "010150-1000 \n020250-2000 ");
    }
}
