//! The population as a binary snapshot (issue 15): a versioned, checksummed layout that a fresh
//! process reads instead of rebuilding the population row by row from the database. The database
//! stays the system of record; the snapshot is kept in it beside the rows it was made from
//! ([`kept`]), written in the same transaction as each import and retention run ([`merge`]), and
//! a snapshot that is missing, of another population version, of an older format, incomplete or
//! altered is refused with a reason, never trusted: the caller reads the tables and keeps a new
//! one.
//!
//! Hand-written rather than rkyv: the population's vectors are private to the core and hold
//! `Box`es and `String`s, so a zero-copy archive would need a second, archived model beside the
//! core's; a layout of plain little-endian integers is a page of code, is documented here, and
//! decodes in one pass.
//!
//! ## Parts
//!
//! A snapshot is a sequence of **parts** of about [`PART`] bytes, each stored as one row and each
//! readable on its own: part 0, the head, written last (it holds the totals), then the citizens'
//! parts, then the courses' parts, each course whole with its facts. So a reader holds one part
//! at a time per thread, decodes parts on every core and appends them in order, and a writer
//! sends each part to the database as it is filled; neither holds the whole snapshot (618 MB for
//! the whole country's ten years).
//!
//! Every part (all integers little-endian):
//!
//! ```text
//! magic     8 bytes  "KADPOP\0\0"
//! format    u32      FORMAT_VERSION
//! popver    i64      the population version (`data_generation.population_version`) it belongs to
//! kind      u8       0 head, 1 citizens, 2 courses
//! first     u32      the index of its first item in its list (0 for the head)
//! count     u32      its items
//! body      ...
//! crc32     u32      of everything before it in the part
//! ```
//!
//! - The head's body: the number of parts after it, the totals of citizens, courses,
//!   conversations, standby periods, medical requests and rehabilitation meetings (`u32` each),
//!   then the teams (key, name; in key order, as the tables are read) and the caseworkers (key,
//!   name, team; in key order), each list a `u32` count and its items.
//! - A citizens part: `count` citizens, each the CPR number's 10 digits (ASCII) and the name.
//! - A courses part: `count` courses, each every field of `Course` (the reform's facts behind one
//!   byte saying whether there are any; the caseworker the case system names, before moves made in
//!   Kadence), then its own facts, each list a `u32` count and its items in the population's
//!   order (by date): conversations (date, form, flags 1 held 2 booked, caseworker, registered),
//!   standby periods (start, end, registered), medical requests (form, sent, deadline, received,
//!   received registered), rehabilitation meetings (date, basis).
//!
//! A string is a `u32` byte length and UTF-8 bytes; an optional day an `i32` day number with
//! `i32::MIN` for none; an id a `u32` index (`u32::MAX` for none); an enum one byte, its index in
//! the table of `codes` (tables only grow at the end; anything else bumps the format), `u8::MAX`
//! for none.
//!
//! The checksum is CRC-32 (crc32fast, SIMD), one per part: it is there to find a part cut short
//! or altered by accident, not an attacker (who could as well write the database). With SHA-256
//! over the whole file, hashing was 7 % of the national benchmark's samples.
//!
//! History: 1 one file, SHA-256; 2 CRC-32; 3 facts inline with their course, the population
//! version in the header, and parts.

pub mod kept;
pub mod merge;

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use kadence_core::cpr::Cpr;
use kadence_core::date::Day;
use kadence_core::model::*;

use crate::codes::Code;

/// The format's version; a snapshot of another version is rebuilt.
pub const FORMAT_VERSION: u32 = 3;
/// The size a part is cut at (after the item that passes it).
pub const PART: usize = 8 << 20;
const MAGIC: &[u8; 8] = b"KADPOP\0\0";
const HEADER: usize = 8 + 4 + 8 + 1 + 4 + 4;
const FIRST_DAY: Day = Day::ymd(1800, 1, 1);
const LAST_DAY: Day = Day::ymd(2199, 12, 31);

const HEAD: u8 = 0;
const CITIZENS: u8 = 1;
const COURSES: u8 = 2;

/// Why a snapshot is not used (Danish, for the log).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("øjebliksbilledet er ikke en Kadence-fil")]
    NotASnapshot,
    #[error("øjebliksbilledet har formatversion {0}, Kadence læser {FORMAT_VERSION}")]
    Version(u32),
    #[error("øjebliksbilledet er af populationsversion {found}, databasen er på {expected}")]
    Stale { found: i64, expected: i64 },
    #[error("øjebliksbilledets kontrolsum passer ikke: det er afkortet eller ændret")]
    Checksum,
    #[error("øjebliksbilledet er ødelagt: {0}")]
    Corrupt(&'static str),
    #[error("øjebliksbilledet er ufuldstændigt: {0}")]
    Incomplete(&'static str),
    #[error("der er intet øjebliksbillede af populationsversion {0}")]
    Missing(i64),
}

type Res<T> = Result<T, SnapshotError>;

/// A population read from a snapshot (or from the tables), of a population version. Each
/// course's caseworker is the one the case system names: the moves made in Kadence are applied
/// after it is read.
#[derive(Clone, Debug, Default)]
pub struct Decoded {
    pub population: Population,
    pub version: i64,
}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    /// An unsigned LEB128 varint: 7 bits a byte, low first, the high bit saying more follow.
    fn var(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    /// A signed number as a zigzag varint (small either side of 0 stays small).
    fn zz(&mut self, v: i32) {
        self.var(((v << 1) ^ (v >> 31)) as u32 as u64);
    }
    /// A day as the days from `base` (zigzag).
    fn rel(&mut self, base: Day, d: Day) {
        self.zz(base.days_until(d));
    }
    fn vstr(&mut self, s: &str) {
        self.var(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn idx<T: Code>(v: T) -> u8 {
        T::CODES.iter().position(|(x, _)| *x == v).unwrap_or(0) as u8
    }
}

/// The presence bits of a course record.
mod has {
    pub const TRANSITION: u16 = 1;
    pub const FROM: u16 = 1 << 1;
    pub const VISITATION: u16 = 1 << 2;
    pub const EARLY: u16 = 1 << 3;
    pub const PREDICTABLE: u16 = 1 << 4;
    pub const LAPSED: u16 = 1 << 5;
    pub const REFORM: u16 = 1 << 6;
    pub const END: u16 = 1 << 7;
    pub const CASEWORKER: u16 = 1 << 8;
    // A reform record's own bits.
    pub const FIT: u8 = 1;
    pub const ASKED: u8 = 1 << 1;
    pub const DECIDED: u8 = 1 << 2;
    pub const UNEMPLOYED: u8 = 1 << 3;
    pub const REDUCED: u8 = 1 << 4;
    // A conversation's flag byte: its form in the two low bits, then these.
    pub const HELD: u8 = 1 << 2;
    pub const PLANNED: u8 = 1 << 3;
    pub const WORKER: u8 = 1 << 4;
    pub const SAME_WORKER: u8 = 1 << 5;
    pub const REGISTERED: u8 = 1 << 6;
    // A standby period's and a medical request's flag byte (a request's form in the low bits).
    pub const SB_END: u8 = 1;
    pub const SB_REGISTERED: u8 = 1 << 1;
    pub const DEADLINE: u8 = 1 << 2;
    pub const RECEIVED: u8 = 1 << 3;
    pub const RECEIVED_REGISTERED: u8 = 1 << 4;
}

/// A course's references as written: its citizen and the course it continues, as indexes in the
/// snapshot's own lists (the same as the population's when one population is written whole;
/// renumbered when two are merged).
#[derive(Copy, Clone, Debug)]
pub struct CourseIds {
    pub citizen: u32,
    pub from: Option<u32>,
}

/// A part as stored: its sequence number (0 for the head) and its bytes.
pub type Part = (i64, Vec<u8>);

/// Writes a snapshot a part at a time: the teams and caseworkers (kept for the head), then the
/// citizens ([`Writer::citizen`]) and the courses ([`Writer::course`]), each course with its
/// facts; [`Writer::take_parts`] hands over the parts filled so far, [`Writer::finish`] the rest
/// and the head.
pub struct Writer {
    version: i64,
    part_size: usize,
    teams: W,
    n_teams: u32,
    workers: W,
    n_workers: u32,
    /// The part being filled: its kind, the index of its first item, its items.
    open: W,
    kind: u8,
    first: u32,
    count: u32,
    done: Vec<Part>,
    parts: u32,
    totals: [u32; 6],
    /// The open part's last course key (keys are written as what they share with it and the rest).
    last_key: String,
}

impl Writer {
    /// A snapshot of population version `version`, cut into parts of about `part_size` bytes.
    pub fn new(version: i64, part_size: usize) -> Writer {
        Writer {
            version,
            part_size: part_size.max(64),
            teams: W(Vec::new()),
            n_teams: 0,
            workers: W(Vec::new()),
            n_workers: 0,
            open: W(Vec::new()),
            kind: CITIZENS,
            first: 0,
            count: 0,
            done: Vec::new(),
            parts: 0,
            totals: [0; 6],
            last_key: String::new(),
        }
    }

    pub fn teams<'a>(&mut self, teams: impl IntoIterator<Item = &'a Team>) {
        for t in teams {
            self.n_teams += 1;
            self.teams.str(&t.key);
            self.teams.str(&t.name);
        }
    }

    pub fn caseworkers<'a>(&mut self, workers: impl IntoIterator<Item = &'a Caseworker>) {
        for c in workers {
            self.n_workers += 1;
            self.workers.str(&c.key);
            self.workers.str(&c.name);
            self.workers.u32(c.team.0);
        }
    }

    /// Starts an item of `kind`, sealing the open part when it is full or of another kind.
    fn item(&mut self, kind: u8) {
        debug_assert!(kind >= self.kind, "snapshot items out of order");
        if kind != self.kind || self.open.0.len() >= self.part_size {
            self.seal();
            self.kind = kind;
            self.first = match kind {
                CITIZENS => self.totals[0],
                _ => self.totals[1],
            };
        }
        if self.open.0.is_empty() {
            self.open.0.reserve(self.part_size + self.part_size / 8);
            header(&mut self.open, self.version, self.kind, self.first, 0);
            self.last_key.clear();
        }
        self.count += 1;
    }

    /// Closes the open part (if it has items): its count, its checksum, and it is done.
    fn seal(&mut self) {
        if self.count == 0 {
            return;
        }
        let mut w = std::mem::replace(&mut self.open, W(Vec::new()));
        w.0[HEADER - 4..HEADER].copy_from_slice(&self.count.to_le_bytes());
        let sum = crc32fast::hash(&w.0);
        w.u32(sum);
        self.parts += 1;
        self.done.push((i64::from(self.parts), w.0));
        self.count = 0;
    }

    pub fn citizen(&mut self, cpr: &Cpr, name: &str) {
        self.item(CITIZENS);
        self.totals[0] += 1;
        // The ten digits as one number.
        let n = cpr
            .reveal()
            .bytes()
            .filter(u8::is_ascii_digit)
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        self.open.var(n);
        self.open.vstr(name);
    }

    /// One course with its facts; `caseworker` gives the snapshot's index of a caseworker of the
    /// population `f` comes from.
    pub fn course(
        &mut self,
        f: &CourseFacts<'_>,
        ids: CourseIds,
        caseworker: impl Fn(CaseworkerId) -> u32,
    ) {
        self.item(COURSES);
        self.totals[1] += 1;
        self.totals[2] += f.conversations.len() as u32;
        self.totals[3] += f.standby.len() as u32;
        self.totals[4] += f.medical.len() as u32;
        self.totals[5] += f.rehab.len() as u32;
        let w = &mut self.open;
        let c = f.course;
        let base = c.first_absence;
        // The key as the bytes it shares with the part's last key, and the rest.
        let shared = c
            .key
            .bytes()
            .zip(self.last_key.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let shared = (0..=shared)
            .rev()
            .find(|&n| c.key.is_char_boundary(n))
            .unwrap_or(0);
        w.var(shared as u64);
        w.vstr(&c.key[shared..]);
        self.last_key.clear();
        self.last_key.push_str(&c.key);
        let worker = c.caseworker.map(&caseworker);
        let bits = [
            (c.transition.is_some(), has::TRANSITION),
            (ids.from.is_some(), has::FROM),
            (c.visitation.is_some(), has::VISITATION),
            (c.early_request.is_some(), has::EARLY),
            (c.predictable.is_some(), has::PREDICTABLE),
            (
                c.predictable.is_some_and(|p| p.lapsed_on.is_some()),
                has::LAPSED,
            ),
            (c.reform.is_some(), has::REFORM),
            (c.end.is_some(), has::END),
            (worker.is_some(), has::CASEWORKER),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .fold(0u16, |m, (_, b)| m | b);
        w.var(u64::from(bits));
        w.var(u64::from(ids.citizen));
        w.u8(W::idx(c.kind) | W::idx(c.target_group) << 2);
        w.var((c.first_absence.number() - FIRST_DAY.number()) as u32 as u64);
        w.rel(base, c.benefit_start);
        if let Some(d) = c.transition {
            w.rel(base, d);
        }
        if let Some(from) = ids.from {
            w.var(u64::from(from));
        }
        if let Some(v) = c.visitation {
            w.u8(W::idx(v.category));
            w.rel(base, v.set_on);
        }
        if let Some(e) = c.early_request {
            w.u8(W::idx(e.by));
            w.rel(base, e.date);
        }
        if let Some(p) = c.predictable {
            w.rel(base, p.marked_on);
            if let Some(l) = p.lapsed_on {
                w.rel(base, l);
            }
        }
        if let Some(r) = c.reform.as_deref() {
            let m = [
                (r.fit_within_26_weeks.is_some(), has::FIT),
                (r.follow_up_asked.is_some(), has::ASKED),
                (r.municipality_decided.is_some(), has::DECIDED),
                (r.unemployed_on.is_some(), has::UNEMPLOYED),
                (r.reduced_rate_from.is_some(), has::REDUCED),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .fold(0u8, |m, (_, b)| m | b);
            w.u8(m);
            for d in [r.fit_within_26_weeks].into_iter().flatten() {
                w.rel(base, d);
            }
            if let Some(a) = r.follow_up_asked {
                w.u8(W::idx(a.by));
                w.rel(base, a.date);
            }
            for d in [r.municipality_decided, r.unemployed_on, r.reduced_rate_from]
                .into_iter()
                .flatten()
            {
                w.rel(base, d);
            }
        }
        if let Some(e) = c.end {
            w.rel(base, e.date);
            w.u8(W::idx(e.reason));
        }
        if let Some(x) = worker {
            w.var(u64::from(x));
        }
        w.var(f.conversations.len() as u64);
        let mut at = base;
        for x in f.conversations {
            let cw = x.caseworker.map(&caseworker);
            let mut flags = W::idx(x.form);
            flags |= if x.held { has::HELD } else { 0 };
            flags |= if x.planned { has::PLANNED } else { 0 };
            flags |= match cw {
                None => 0,
                Some(_) if cw == worker => has::WORKER | has::SAME_WORKER,
                Some(_) => has::WORKER,
            };
            flags |= if x.registered.is_some() {
                has::REGISTERED
            } else {
                0
            };
            w.u8(flags);
            w.rel(at, x.date);
            at = x.date;
            if let (Some(id), false) = (cw, cw == worker) {
                w.var(u64::from(id));
            }
            if let Some(r) = x.registered {
                w.rel(x.date, r);
            }
        }
        w.var(f.standby.len() as u64);
        for sb in f.standby {
            let flags = if sb.end.is_some() { has::SB_END } else { 0 }
                | if sb.registered.is_some() {
                    has::SB_REGISTERED
                } else {
                    0
                };
            w.u8(flags);
            w.rel(base, sb.start);
            if let Some(e) = sb.end {
                w.rel(sb.start, e);
            }
            if let Some(r) = sb.registered {
                w.rel(sb.start, r);
            }
        }
        w.var(f.medical.len() as u64);
        for m in f.medical {
            let mut flags = W::idx(m.form);
            flags |= if m.deadline.is_some() {
                has::DEADLINE
            } else {
                0
            };
            flags |= if m.received.is_some() {
                has::RECEIVED
            } else {
                0
            };
            flags |= if m.received_registered.is_some() {
                has::RECEIVED_REGISTERED
            } else {
                0
            };
            w.u8(flags);
            w.rel(base, m.sent);
            for d in [m.deadline, m.received, m.received_registered]
                .into_iter()
                .flatten()
            {
                w.rel(m.sent, d);
            }
        }
        w.var(f.rehab.len() as u64);
        for r in f.rehab {
            w.u8(W::idx(r.basis));
            w.rel(base, r.date);
        }
    }

    /// The parts filled so far (numbered from 1 in order), for the caller to store.
    pub fn take_parts(&mut self) -> Vec<Part> {
        std::mem::take(&mut self.done)
    }

    /// The parts not yet taken and the head (part 0), which names how many parts there are.
    pub fn finish(mut self) -> Vec<Part> {
        self.seal();
        let mut h = W(Vec::with_capacity(
            HEADER + 32 + self.teams.0.len() + self.workers.0.len(),
        ));
        header(&mut h, self.version, HEAD, 0, 0);
        h.u32(self.parts);
        for t in self.totals {
            h.u32(t);
        }
        h.u32(self.n_teams);
        h.0.extend_from_slice(&self.teams.0);
        h.u32(self.n_workers);
        h.0.extend_from_slice(&self.workers.0);
        let sum = crc32fast::hash(&h.0);
        h.u32(sum);
        let mut parts = std::mem::take(&mut self.done);
        parts.push((0, h.0));
        parts
    }
}

fn header(w: &mut W, version: i64, kind: u8, first: u32, count: u32) {
    w.0.extend_from_slice(MAGIC);
    w.u32(FORMAT_VERSION);
    w.0.extend_from_slice(&version.to_le_bytes());
    w.u8(kind);
    w.u32(first);
    w.u32(count);
}

/// A course to write: its facts, its references as written, and the snapshot's index of each
/// caseworker of the population it comes from (`None`: the same index).
pub struct Item<'a> {
    pub facts: CourseFacts<'a>,
    pub ids: CourseIds,
    pub workers: Option<&'a [u32]>,
}

/// The parts of a snapshot as a writer fills them, course by course from `items` (the teams,
/// caseworkers and citizens given to the writer before): each part is handed over as soon as it
/// is full, so the caller can store it and the whole snapshot is never held. The head comes last.
pub struct Parts<'a, I: Iterator<Item = Item<'a>>> {
    writer: Option<Writer>,
    items: I,
    pending: std::collections::VecDeque<Part>,
}

impl<'a, I: Iterator<Item = Item<'a>>> Parts<'a, I> {
    pub fn new(mut writer: Writer, items: I) -> Self {
        let pending = writer.take_parts().into();
        Parts {
            writer: Some(writer),
            items,
            pending,
        }
    }
}

impl<'a, I: Iterator<Item = Item<'a>>> Iterator for Parts<'a, I> {
    type Item = Part;

    fn next(&mut self) -> Option<Part> {
        loop {
            if let Some(p) = self.pending.pop_front() {
                return Some(p);
            }
            let w = self.writer.as_mut()?;
            match self.items.next() {
                Some(c) => {
                    match c.workers {
                        None => w.course(&c.facts, c.ids, |x| x.0),
                        Some(t) => w.course(&c.facts, c.ids, |x| t[x.index()]),
                    }
                    self.pending.extend(w.take_parts());
                }
                None => {
                    let w = self.writer.take()?;
                    self.pending.extend(w.finish());
                }
            }
        }
    }
}

/// The population's snapshot of population version `version`, part by part (the head last), cut
/// at `part_size` bytes.
pub fn parts(
    pop: &Population,
    version: i64,
    part_size: usize,
) -> Parts<'_, impl Iterator<Item = Item<'_>> + Send + '_> {
    let mut w = Writer::new(version, part_size);
    w.teams(&pop.teams);
    w.caseworkers(&pop.caseworkers);
    for c in &pop.citizens {
        w.citizen(&c.cpr, &c.name);
    }
    Parts::new(
        w,
        pop.all_facts().map(|f| Item {
            ids: CourseIds {
                citizen: f.course.citizen.0,
                from: f.course.from_course.map(|x| x.0),
            },
            facts: f,
            workers: None,
        }),
    )
}

/// The same, all parts at once (for tests and the benchmark).
pub fn encode(pop: &Population, version: i64, part_size: usize) -> Vec<Part> {
    parts(pop, version, part_size).collect()
}

struct R<'a>(&'a [u8]);

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Res<&'a [u8]> {
        if self.0.len() < n {
            return Err(SnapshotError::Corrupt("for kort"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> Res<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Res<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or([0; 4]),
        ))
    }
    fn str(&mut self) -> Res<String> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?)
            .map(str::to_owned)
            .map_err(|_| SnapshotError::Corrupt("tekst er ikke UTF-8"))
    }
    fn var(&mut self) -> Res<u64> {
        // Most numbers are one byte.
        if let Some((&b, rest)) = self.0.split_first() {
            if b < 0x80 {
                self.0 = rest;
                return Ok(u64::from(b));
            }
        }
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(SnapshotError::Corrupt("for langt tal"))
    }
    fn var32(&mut self) -> Res<u32> {
        if let Some((&b, rest)) = self.0.split_first() {
            if b < 0x80 {
                self.0 = rest;
                return Ok(u32::from(b));
            }
        }
        u32::try_from(self.var()?).map_err(|_| SnapshotError::Corrupt("for stort tal"))
    }
    fn zz(&mut self) -> Res<i32> {
        let v = self.var32()?;
        Ok((v >> 1) as i32 ^ -((v & 1) as i32))
    }
    /// A day written as the days from `base`; only days the calendar tables cover (1800-2199).
    fn rel(&mut self, base: Day) -> Res<Day> {
        let n = i64::from(base.number()) + i64::from(self.zz()?);
        if !(i64::from(FIRST_DAY.number())..=i64::from(LAST_DAY.number())).contains(&n) {
            return Err(SnapshotError::Corrupt("dato uden for kalenderen"));
        }
        Ok(Day::from_number(n as i32))
    }
    fn vstr(&mut self) -> Res<String> {
        let n = self.var32()? as usize;
        std::str::from_utf8(self.take(n)?)
            .map(str::to_owned)
            .map_err(|_| SnapshotError::Corrupt("tekst er ikke UTF-8"))
    }
    fn idx<T: Code>(i: u8) -> Res<T> {
        T::CODES
            .get(i as usize)
            .map(|(v, _)| *v)
            .ok_or(SnapshotError::Corrupt("ukendt kode"))
    }
    /// A varint count of items that each take at least `min` bytes, checked against what is
    /// left.
    fn vcount(&mut self, min: usize) -> Res<usize> {
        let n = self.var32()? as usize;
        if n.saturating_mul(min) > self.0.len() {
            return Err(SnapshotError::Corrupt(
                "antal passer ikke med delens længde",
            ));
        }
        Ok(n)
    }
    /// A count of items that each take at least `min` bytes, checked against what is left, so a
    /// corrupt count cannot make the reader reserve gigabytes.
    fn count(&mut self, min: usize) -> Res<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min) > self.0.len() {
            return Err(SnapshotError::Corrupt(
                "antal passer ikke med delens længde",
            ));
        }
        Ok(n)
    }
}

/// A part's header, after its checksum is checked.
struct PartHeader {
    kind: u8,
    first: u32,
    count: u32,
}

/// Checks a part's magic, format, checksum and population version, and reads its header; returns
/// it with the body.
fn open_part(bytes: &[u8], expected: i64) -> Res<(PartHeader, R<'_>)> {
    if bytes.len() < HEADER + 4 || &bytes[..8] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    let format = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or([0; 4]));
    if format != FORMAT_VERSION {
        return Err(SnapshotError::Version(format));
    }
    let (data, sum) = bytes.split_at(bytes.len() - 4);
    if crc32fast::hash(data).to_le_bytes() != sum {
        return Err(SnapshotError::Checksum);
    }
    let found = i64::from_le_bytes(bytes[12..20].try_into().unwrap_or([0; 8]));
    if found != expected {
        return Err(SnapshotError::Stale { found, expected });
    }
    let mut r = R(&data[20..]);
    let h = PartHeader {
        kind: r.u8()?,
        first: r.u32()?,
        count: r.u32()?,
    };
    Ok((h, r))
}

/// What the head says.
struct Head {
    parts: u32,
    citizens: u32,
    courses: u32,
    conversations: u32,
    standby: u32,
    medical: u32,
    rehab: u32,
    teams: Vec<Team>,
    workers: Vec<Caseworker>,
}

fn read_head(bytes: &[u8], expected: i64) -> Res<Head> {
    let (h, mut r) = open_part(bytes, expected)?;
    if h.kind != HEAD {
        return Err(SnapshotError::Incomplete("hovedet mangler"));
    }
    let parts = r.u32()?;
    let mut t = [0u32; 6];
    for x in &mut t {
        *x = r.u32()?;
    }
    let mut teams = Vec::new();
    for _ in 0..r.count(8)? {
        teams.push(Team {
            key: r.str()?,
            name: r.str()?,
        });
    }
    let mut workers = Vec::new();
    for _ in 0..r.count(12)? {
        let key = r.str()?;
        let name = r.str()?;
        let team = r.u32()?;
        if team as usize >= teams.len() {
            return Err(SnapshotError::Corrupt("team uden for listen"));
        }
        workers.push(Caseworker {
            key,
            name,
            team: TeamId(team),
        });
    }
    if !r.0.is_empty() {
        return Err(SnapshotError::Corrupt("bytes efter sidste liste"));
    }
    Ok(Head {
        parts,
        citizens: t[0],
        courses: t[1],
        conversations: t[2],
        standby: t[3],
        medical: t[4],
        rehab: t[5],
        teams,
        workers,
    })
}

/// A decoded part (courses with their facts; facts name their course by its index in the
/// whole population).
#[derive(Default)]
struct Out {
    kind: u8,
    first: u32,
    citizens: Vec<Citizen>,
    courses: Vec<Course>,
    conversations: Vec<Conversation>,
    standby: Vec<StandbyPeriod>,
    medical: Vec<MedicalRequest>,
    rehab: Vec<RehabMeeting>,
}

/// Limits a part's ids are checked against (from the head).
#[derive(Copy, Clone)]
struct Limits {
    citizens: u32,
    courses: u32,
    workers: u32,
}

/// A part's items, decoded onto the ends of `out`'s lists.
fn decode_into(h: &PartHeader, mut r: R<'_>, lim: Limits, out: &mut Out) -> Res<()> {
    match h.kind {
        CITIZENS => {
            let n = h.count as usize;
            if n.saturating_mul(2) > r.0.len() {
                return Err(SnapshotError::Corrupt(
                    "antal passer ikke med delens længde",
                ));
            }
            out.citizens.reserve(n);
            for _ in 0..n {
                let mut number = r.var()?;
                if number > 9_999_999_999 {
                    return Err(SnapshotError::Corrupt("CPR-nummer"));
                }
                let mut digits = [b'0'; 10];
                for d in digits.iter_mut().rev() {
                    *d = b'0' + (number % 10) as u8;
                    number /= 10;
                }
                let text = std::str::from_utf8(&digits).unwrap_or_default();
                let cpr = Cpr::parse(text).map_err(|_| SnapshotError::Corrupt("CPR-nummer"))?;
                out.citizens.push(Citizen {
                    cpr,
                    name: r.vstr()?,
                });
            }
        }
        COURSES => {
            let n = h.count as usize;
            if n.saturating_mul(12) > r.0.len() {
                return Err(SnapshotError::Corrupt(
                    "antal passer ikke med delens længde",
                ));
            }
            out.courses.reserve(n);
            let mut key = String::new();
            for k in 0..h.count {
                course(
                    &mut r,
                    CourseId(h.first.saturating_add(k)),
                    lim,
                    &mut key,
                    out,
                )?;
            }
        }
        _ => return Err(SnapshotError::Corrupt("ukendt del")),
    }
    if !r.0.is_empty() {
        return Err(SnapshotError::Corrupt("bytes efter sidste post"));
    }
    Ok(())
}

/// A part decoded on its own (the parallel path), to be appended in its turn.
fn decode_part(bytes: &[u8], expected: i64, lim: Limits) -> Res<Out> {
    let (h, r) = open_part(bytes, expected)?;
    let mut out = Out {
        kind: h.kind,
        first: h.first,
        ..Out::default()
    };
    decode_into(&h, r, lim, &mut out)?;
    Ok(out)
}

/// One course record with its facts; `key` holds the part's last course key.
fn course(r: &mut R<'_>, id: CourseId, lim: Limits, key: &mut String, out: &mut Out) -> Res<()> {
    let shared = r.var32()? as usize;
    if shared > key.len() || !key.is_char_boundary(shared) {
        return Err(SnapshotError::Corrupt("forløbsnøgle"));
    }
    key.truncate(shared);
    let rest = r.var32()? as usize;
    key.push_str(
        std::str::from_utf8(r.take(rest)?)
            .map_err(|_| SnapshotError::Corrupt("tekst er ikke UTF-8"))?,
    );
    let bits = r.var32()?;
    let on = |b: u16| bits & u32::from(b) != 0;
    let citizen = r.var32()?;
    if citizen >= lim.citizens {
        return Err(SnapshotError::Corrupt("borger uden for listen"));
    }
    let kinds = r.u8()?;
    let kind = R::idx(kinds & 3)?;
    let target_group = R::idx(kinds >> 2)?;
    let days = r.var32()?;
    if days > (LAST_DAY.number() - FIRST_DAY.number()) as u32 {
        return Err(SnapshotError::Corrupt("dato uden for kalenderen"));
    }
    let base = FIRST_DAY.add_days(days as i32);
    let benefit_start = r.rel(base)?;
    let transition = if on(has::TRANSITION) {
        Some(r.rel(base)?)
    } else {
        None
    };
    let from_course = if on(has::FROM) {
        let from = r.var32()?;
        if from >= lim.courses {
            return Err(SnapshotError::Corrupt("forløb uden for listen"));
        }
        Some(CourseId(from))
    } else {
        None
    };
    let visitation = if on(has::VISITATION) {
        Some(Visitation {
            category: R::idx(r.u8()?)?,
            set_on: r.rel(base)?,
        })
    } else {
        None
    };
    let early_request = if on(has::EARLY) {
        Some(EarlyRequest {
            by: R::idx(r.u8()?)?,
            date: r.rel(base)?,
        })
    } else {
        None
    };
    let predictable = if on(has::PREDICTABLE) {
        let marked_on = r.rel(base)?;
        let lapsed_on = if on(has::LAPSED) {
            Some(r.rel(base)?)
        } else {
            None
        };
        Some(Predictable {
            marked_on,
            lapsed_on,
        })
    } else {
        None
    };
    let reform = if on(has::REFORM) {
        let m = r.u8()?;
        let day = |bit: u8, r: &mut R<'_>| -> Res<Option<Day>> {
            if m & bit != 0 {
                r.rel(base).map(Some)
            } else {
                Ok(None)
            }
        };
        let fit_within_26_weeks = day(has::FIT, r)?;
        let follow_up_asked = if m & has::ASKED != 0 {
            Some(FollowUpAsked {
                by: R::idx(r.u8()?)?,
                date: r.rel(base)?,
            })
        } else {
            None
        };
        Some(Box::new(ReformFacts {
            fit_within_26_weeks,
            follow_up_asked,
            municipality_decided: day(has::DECIDED, r)?,
            unemployed_on: day(has::UNEMPLOYED, r)?,
            reduced_rate_from: day(has::REDUCED, r)?,
        }))
    } else {
        None
    };
    let end = if on(has::END) {
        Some(CourseEnd {
            date: r.rel(base)?,
            reason: R::idx(r.u8()?)?,
        })
    } else {
        None
    };
    let worker = |r: &mut R<'_>| -> Res<CaseworkerId> {
        let x = r.var32()?;
        if x >= lim.workers {
            return Err(SnapshotError::Corrupt("sagsbehandler uden for listen"));
        }
        Ok(CaseworkerId(x))
    };
    let caseworker = if on(has::CASEWORKER) {
        Some(worker(r)?)
    } else {
        None
    };
    out.courses.push(Course {
        key: key.clone(),
        citizen: CitizenId(citizen),
        kind,
        first_absence: base,
        benefit_start,
        transition,
        from_course,
        target_group,
        visitation,
        early_request,
        predictable,
        reform,
        end,
        caseworker,
    });
    let mut at = base;
    for _ in 0..r.vcount(2)? {
        let flags = r.u8()?;
        let date = r.rel(at)?;
        at = date;
        let caseworker = match (flags & has::WORKER != 0, flags & has::SAME_WORKER != 0) {
            (false, _) => None,
            (true, true) => caseworker,
            (true, false) => Some(worker(r)?),
        };
        let registered = if flags & has::REGISTERED != 0 {
            Some(r.rel(date)?)
        } else {
            None
        };
        out.conversations.push(Conversation {
            course: id,
            date,
            form: R::idx(flags & 3)?,
            held: flags & has::HELD != 0,
            planned: flags & has::PLANNED != 0,
            caseworker,
            registered,
        });
    }
    for _ in 0..r.vcount(2)? {
        let flags = r.u8()?;
        let start = r.rel(base)?;
        let end = if flags & has::SB_END != 0 {
            Some(r.rel(start)?)
        } else {
            None
        };
        let registered = if flags & has::SB_REGISTERED != 0 {
            Some(r.rel(start)?)
        } else {
            None
        };
        out.standby.push(StandbyPeriod {
            course: id,
            start,
            end,
            registered,
        });
    }
    for _ in 0..r.vcount(2)? {
        let flags = r.u8()?;
        let sent = r.rel(base)?;
        let day = |bit: u8, r: &mut R<'_>| -> Res<Option<Day>> {
            if flags & bit != 0 {
                r.rel(sent).map(Some)
            } else {
                Ok(None)
            }
        };
        let deadline = day(has::DEADLINE, r)?;
        let received = day(has::RECEIVED, r)?;
        let received_registered = day(has::RECEIVED_REGISTERED, r)?;
        out.medical.push(MedicalRequest {
            course: id,
            form: R::idx(flags & 3)?,
            sent,
            deadline,
            received,
            received_registered,
        });
    }
    for _ in 0..r.vcount(2)? {
        let basis = R::idx(r.u8()?)?;
        out.rehab.push(RehabMeeting {
            course: id,
            date: r.rel(base)?,
            basis,
        });
    }
    Ok(())
}

/// The decoded parts gathered in order, each checked to follow the one before.
struct Assembly {
    acc: Out,
    head: Head,
    /// The next part's number, and the parts decoded ahead of their turn (the parallel path).
    next: u32,
    waiting: BTreeMap<u32, Out>,
}

impl Assembly {
    /// Lists reserved at the head's totals, but never for more items than `size` bytes of parts
    /// could hold (at 2 bytes an item and more), so a head that says otherwise cannot make the
    /// reader reserve gigabytes.
    fn new(head: Head, size: u64) -> Assembly {
        let most = |total: u32, min: u64| (u64::from(total).min(size / min)) as usize;
        let acc = Out {
            citizens: Vec::with_capacity(most(head.citizens, 2)),
            courses: Vec::with_capacity(most(head.courses, 12)),
            conversations: Vec::with_capacity(most(head.conversations, 2)),
            standby: Vec::with_capacity(most(head.standby, 2)),
            medical: Vec::with_capacity(most(head.medical, 2)),
            rehab: Vec::with_capacity(most(head.rehab, 2)),
            ..Out::default()
        };
        Assembly {
            acc,
            head,
            next: 1,
            waiting: BTreeMap::new(),
        }
    }

    /// Whether a part of `kind` starting at item `first` is the next one.
    fn follows(&self, kind: u8, first: u32) -> Res<()> {
        let a = &self.acc;
        let (at, after) = match kind {
            CITIZENS => (a.citizens.len(), a.courses.is_empty()),
            _ => (
                a.courses.len(),
                a.citizens.len() == self.head.citizens as usize,
            ),
        };
        if first as usize != at || !after || self.next > self.head.parts {
            return Err(SnapshotError::Incomplete(
                "en del mangler eller står forkert",
            ));
        }
        Ok(())
    }

    /// No list longer than the head says.
    fn within_totals(&self) -> Res<()> {
        let (a, h) = (&self.acc, &self.head);
        if a.citizens.len() > h.citizens as usize
            || a.courses.len() > h.courses as usize
            || a.conversations.len() > h.conversations as usize
            || a.standby.len() > h.standby as usize
            || a.medical.len() > h.medical as usize
            || a.rehab.len() > h.rehab as usize
        {
            return Err(SnapshotError::Corrupt("flere poster end hovedet siger"));
        }
        Ok(())
    }

    /// The next part, decoded straight onto the lists (the direct path: parts come in order).
    fn decode_next(&mut self, bytes: &[u8], expected: i64, lim: Limits) -> Res<()> {
        let (h, r) = open_part(bytes, expected)?;
        self.follows(h.kind, h.first)?;
        decode_into(&h, r, lim, &mut self.acc)?;
        self.next += 1;
        self.within_totals()
    }

    /// Part `seq`, decoded on its own: appended if it is next, else kept until it is.
    fn add(&mut self, seq: u32, out: Out) -> Res<()> {
        self.waiting.insert(seq, out);
        while let Some(mut out) = self.waiting.remove(&self.next) {
            self.follows(out.kind, out.first)?;
            let a = &mut self.acc;
            a.citizens.append(&mut out.citizens);
            a.courses.append(&mut out.courses);
            a.conversations.append(&mut out.conversations);
            a.standby.append(&mut out.standby);
            a.medical.append(&mut out.medical);
            a.rehab.append(&mut out.rehab);
            self.next += 1;
            self.within_totals()?;
        }
        Ok(())
    }

    fn finish(self) -> Res<Population> {
        let (a, h) = (self.acc, self.head);
        if !self.waiting.is_empty() || self.next != h.parts + 1 {
            return Err(SnapshotError::Incomplete("en del mangler"));
        }
        if a.citizens.len() != h.citizens as usize
            || a.courses.len() != h.courses as usize
            || a.conversations.len() != h.conversations as usize
            || a.standby.len() != h.standby as usize
            || a.medical.len() != h.medical as usize
            || a.rehab.len() != h.rehab as usize
        {
            return Err(SnapshotError::Incomplete("færre poster end hovedet siger"));
        }
        // The facts come grouped by course and in the builder's order: checked in one pass, not
        // sorted again.
        PopulationBuilder {
            teams: h.teams,
            caseworkers: h.workers,
            citizens: a.citizens,
            courses: a.courses,
            conversations: a.conversations,
            standby: a.standby,
            medical: a.medical,
            rehab: a.rehab,
        }
        .build_grouped()
        .ok_or(SnapshotError::Corrupt("fakta står i forkert orden"))
    }
}

/// Reads a snapshot from its parts, the head first and the rest in order as `parts` yields them
/// (`E`: the source's own error, e.g. the database's; `size`: the parts' bytes together), while
/// the caller's thread reads the next parts. Never more than a few parts are held at once. A part of another format, population
/// version or checksum, or a part missing, out of order or in excess, refuses the whole snapshot.
///
/// `threads` threads decode parts on their own and the caller's thread, which mostly waits for
/// the database, appends them in order. With one thread, it decodes the parts in order straight
/// onto the population's lists. Measured on the project's 2-core machine with the whole country
/// (docs/performance.md), two decoders took 2.2 s where one in order took 2.8 s, for about
/// 150 MB more at the peak.
pub fn decode_parts<B: AsRef<[u8]> + Send, E: Send>(
    parts: impl Iterator<Item = Result<B, E>>,
    size: u64,
    expected: i64,
    threads: usize,
) -> Result<Result<Decoded, SnapshotError>, E> {
    let mut parts = parts;
    let head = match parts.next() {
        None => return Ok(Err(SnapshotError::Missing(expected))),
        Some(bytes) => match read_head(bytes?.as_ref(), expected) {
            Ok(h) => h,
            Err(e) => return Ok(Err(e)),
        },
    };
    let lim = Limits {
        citizens: head.citizens,
        courses: head.courses,
        workers: head.workers.len() as u32,
    };
    let asm = Assembly::new(head, size);
    let (assembled, source_error) = if threads <= 1 {
        direct(parts, asm, expected, lim)
    } else {
        parallel(parts, asm, expected, lim, threads)
    };
    if let Some(e) = source_error {
        return Err(e);
    }
    Ok(assembled
        .and_then(Assembly::finish)
        .map(|population| Decoded {
            population,
            version: expected,
        }))
}

/// One thread decodes the parts in order onto the lists; the caller's thread reads them.
fn direct<B: AsRef<[u8]> + Send, E>(
    parts: impl Iterator<Item = Result<B, E>>,
    asm: Assembly,
    expected: i64,
    lim: Limits,
) -> (Res<Assembly>, Option<E>) {
    std::thread::scope(|s| {
        let (jobs, queue) = mpsc::sync_channel::<B>(2);
        let decoder = s.spawn(move || -> Res<Assembly> {
            let mut asm = asm;
            // An error ends the loop and drops the queue, which stops the reader.
            for bytes in queue.iter() {
                asm.decode_next(bytes.as_ref(), expected, lim)?;
            }
            Ok(asm)
        });
        let mut source_error = None;
        for bytes in parts {
            match bytes {
                Err(e) => {
                    source_error = Some(e);
                    break;
                }
                Ok(b) => {
                    if jobs.send(b).is_err() {
                        break;
                    }
                }
            }
        }
        drop(jobs);
        let assembled = decoder
            .join()
            .unwrap_or(Err(SnapshotError::Corrupt("afkodningen stoppede")));
        (assembled, source_error)
    })
}

/// `decoders` threads decode parts on their own; the caller's thread reads them and appends the
/// decoded ones in order.
fn parallel<B: AsRef<[u8]> + Send, E>(
    parts: impl Iterator<Item = Result<B, E>>,
    mut asm: Assembly,
    expected: i64,
    lim: Limits,
    decoders: usize,
) -> (Res<Assembly>, Option<E>) {
    std::thread::scope(|s| {
        let (jobs, queue) = mpsc::sync_channel::<(u32, B)>(decoders);
        let queue = Arc::new(Mutex::new(queue));
        let (done_tx, done) = mpsc::channel::<(u32, Res<Out>)>();
        for _ in 0..decoders {
            let (queue, done_tx) = (Arc::clone(&queue), done_tx.clone());
            s.spawn(move || loop {
                let job = match queue.lock() {
                    Ok(q) => q.recv(),
                    Err(_) => return,
                };
                let Ok((seq, bytes)) = job else {
                    return;
                };
                let out = decode_part(bytes.as_ref(), expected, lim);
                drop(bytes);
                if done_tx.send((seq, out)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut failed: Option<SnapshotError> = None;
        let take = |asm: &mut Assembly, failed: &mut Option<SnapshotError>, r: (u32, Res<Out>)| {
            let (seq, out) = r;
            if failed.is_none() {
                if let Err(e) = out.and_then(|o| asm.add(seq, o)) {
                    *failed = Some(e);
                }
            }
        };
        let mut seq = 0u32;
        let mut source_error = None;
        for bytes in parts {
            let bytes = match bytes {
                Ok(b) => b,
                Err(e) => {
                    source_error = Some(e);
                    break;
                }
            };
            seq += 1;
            if failed.is_some() || jobs.send((seq, bytes)).is_err() {
                break;
            }
            while let Ok(r) = done.try_recv() {
                take(&mut asm, &mut failed, r);
            }
        }
        drop(jobs);
        for r in done.iter() {
            take(&mut asm, &mut failed, r);
        }
        (failed.map_or(Ok(asm), Err), source_error)
    })
}

/// The threads a snapshot is decoded with: every core.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Reads a snapshot from parts in memory: the head (part 0) and the rest in order.
pub fn decode(parts: &[Part], expected: i64) -> Result<Decoded, SnapshotError> {
    decode_with(parts, expected, threads())
}

/// The same on `threads` threads.
pub fn decode_with(
    parts: &[Part],
    expected: i64,
    threads: usize,
) -> Result<Decoded, SnapshotError> {
    let mut sorted: Vec<&Part> = parts.iter().collect();
    sorted.sort_by_key(|(seq, _)| *seq);
    let size = parts.iter().map(|(_, b)| b.len() as u64).sum();
    match decode_parts(
        sorted
            .into_iter()
            .map(|(_, b)| Ok::<_, std::convert::Infallible>(b.as_slice())),
        size,
        expected,
        threads,
    ) {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn population() -> Population {
        kadence_synth::generate(
            &kadence_synth::Params::municipality(3, Day::ymd(2027, 3, 31))
                .with_courses_per_year(200),
        )
    }

    /// Everything the population holds, as comparable text.
    fn fingerprint(p: &Population) -> String {
        let mut s = format!("{:?}{:?}", p.teams, p.caseworkers);
        for c in &p.citizens {
            s.push_str(&format!("{}{}", c.cpr.reveal(), c.name));
        }
        for f in p.all_facts() {
            s.push_str(&format!(
                "{:?}{}{:?}{:?}{:?}{:?}",
                f.course,
                f.course.reform().is_empty(),
                f.conversations,
                f.standby,
                f.medical,
                f.rehab
            ));
        }
        s
    }

    #[test]
    fn round_trip_holds_every_fact() {
        let mut b = population().into_builder();
        // The rarer facts, so every column is exercised.
        b.standby[0].registered = Some(b.standby[0].start.add_days(2));
        if let Some(m) = b.medical.iter_mut().find(|m| m.received.is_some()) {
            m.received_registered = m.received.map(|d| d.add_days(1));
        }
        let (pop, _) = b.build();
        assert!(pop.courses.iter().any(|c| c.reform.is_some()));
        assert!(pop.courses.iter().any(|c| c.from_course.is_some()));
        // One part, many small parts, and parts of one item each; decoded in order on one thread
        // and on three threads that finish in any order.
        for (size, threads) in [(PART, 1), (1024, 1), (1024, 3), (64, 1), (64, 3)] {
            let parts = encode(&pop, 7, size);
            let back = decode_with(&parts, 7, threads).expect("reads");
            assert_eq!(fingerprint(&back.population), fingerprint(&pop), "{size}");
            assert_eq!(back.version, 7);
            // The same population gives the same bytes.
            assert_eq!(encode(&back.population, 7, size), parts);
            // Parts handed over in any order are read in their sequence.
            let mut shuffled = parts.clone();
            shuffled.reverse();
            assert_eq!(
                fingerprint(&decode(&shuffled, 7).expect("reads").population),
                fingerprint(&pop)
            );
        }
        assert!(encode(&pop, 7, 1024).len() > 10);
        // Conversations as the last large list (the national case: found by the benchmark, a
        // count checked against too large a minimum row).
        let mut only = pop.clone().into_builder();
        only.standby.clear();
        only.medical.clear();
        only.rehab.clear();
        let (only, _) = only.build();
        assert_eq!(
            fingerprint(
                &decode(&encode(&only, 7, 4096), 7)
                    .expect("reads")
                    .population
            ),
            fingerprint(&only)
        );
        // An empty population.
        let empty = Population::default();
        assert_eq!(
            fingerprint(&decode(&encode(&empty, 1, PART), 1).unwrap().population),
            fingerprint(&empty)
        );
    }

    /// Parts altered anywhere with their checksums made to match again (so the decoder itself is
    /// what meets them) are refused or read, never a panic and never an absurd allocation.
    #[test]
    fn altered_parts_with_matching_checksums_never_panic() {
        let pop = population();
        let parts = encode(&pop, 5, 2048);
        let mut rng = kadence_synth::Rng::new(17);
        for round in 0..1500 {
            let mut p = parts.clone();
            let i = rng.range(0, p.len() as i32 - 1) as usize;
            let n = p[i].1.len();
            for _ in 0..rng.range(1, 4) {
                let at = rng.range(HEADER as i32, n as i32 - 5) as usize;
                p[i].1[at] = rng.range(0, 255) as u8;
            }
            let body = n - 4;
            let sum = crc32fast::hash(&p[i].1[..body]);
            p[i].1[body..].copy_from_slice(&sum.to_le_bytes());
            let threads = if round % 2 == 0 { 1 } else { 3 };
            let _ = decode_with(&p, 5, threads);
        }
    }

    /// A snapshot is never trusted when a part is cut short, has a flipped bit anywhere, is of
    /// another format version or of another population version, or is missing, repeated or in
    /// excess: each is refused with its reason.
    #[test]
    fn incomplete_flipped_old_or_stale_snapshots_are_refused() {
        let pop = population();
        let parts = encode(&pop, 3, 4096);
        assert!(parts.len() > 4);
        assert!(decode(&parts, 3).is_ok());
        // Both ways of decoding refuse alike.
        let with = |f: &dyn Fn(&mut Vec<Part>)| {
            let mut p = parts.clone();
            f(&mut p);
            let direct = decode_with(&p, 3, 1).err();
            let parallel = decode_with(&p, 3, 3).err();
            assert_eq!(
                direct.is_some(),
                parallel.is_some(),
                "{direct:?} {parallel:?}"
            );
            direct
        };
        let at = |seq: i64| parts.iter().position(|(s, _)| *s == seq).unwrap();
        for part in [0, 1, 3, parts.len() as i64 - 1] {
            let i = at(part);
            for cut in [0, 7, 20, parts[i].1.len() / 2, parts[i].1.len() - 1] {
                let err = with(&|p| p[i].1.truncate(cut));
                assert!(
                    matches!(
                        err,
                        Some(SnapshotError::NotASnapshot) | Some(SnapshotError::Checksum)
                    ),
                    "part {part} cut at {cut}: {err:?}"
                );
            }
            // A flipped bit in the header, the body and the checksum.
            let n = parts[i].1.len();
            for pos in [3, 9, 14, 22, 30, n / 2, n - 1] {
                let err = with(&|p| p[i].1[pos] ^= 0x10);
                assert!(err.is_some(), "part {part}: flip at {pos} was trusted");
            }
        }
        // A part missing, one given twice, one from another snapshot.
        for gone in [2, parts.len() as i64 - 1] {
            let err = with(&|p| {
                p.remove(at(gone));
            });
            assert!(
                matches!(err, Some(SnapshotError::Incomplete(_))),
                "{gone}: {err:?}"
            );
        }
        assert!(with(&|p| {
            let last = p[at(3)].clone();
            p.push((99, last.1));
        })
        .is_some());
        let other = encode(&pop, 4, 4096);
        assert_eq!(
            with(&|p| p[at(2)] = other[at(2)].clone()),
            Some(SnapshotError::Stale {
                found: 4,
                expected: 3
            })
        );
        let mut old = parts.clone();
        let h = at(0);
        old[h].1[8..12].copy_from_slice(&2u32.to_le_bytes());
        assert_eq!(decode(&old, 3).err(), Some(SnapshotError::Version(2)));
        assert_eq!(
            decode(&parts, 4).err(),
            Some(SnapshotError::Stale {
                found: 3,
                expected: 4
            })
        );
        assert_eq!(decode(&[], 3).err(), Some(SnapshotError::Missing(3)));
        assert_eq!(
            SnapshotError::Checksum.to_string(),
            "øjebliksbilledets kontrolsum passer ikke: det er afkortet eller ændret"
        );
    }
}
