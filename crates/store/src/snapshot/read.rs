//! Reading a snapshot: each part checked (magic, format, checksum, population version) and
//! decoded, on several threads or one, and gathered in order into a population. The layout is in
//! `super`'s documentation.

use std::collections::{BTreeMap, HashSet};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use kadence_core::cpr::Cpr;
use kadence_core::date::Day;
use kadence_core::figures::{
    FigureCourse, FigureSegment, Figures, FiguresParts, MeasureQuery, Measured, MeasuredSegment,
    PackedCourse, Rare,
};
use kadence_core::model::*;

use super::{has, Decoded, DecodedFigures, Part, Res, SnapshotError};
use super::{CITIZENS, COURSES, FIRST_DAY, HEAD, HEADER};
use super::{FORMAT_VERSION, LAST_DAY, MAGIC};
use crate::codes::Code;

struct R<'a>(&'a [u8]);

impl<'a> R<'a> {
    #[inline(always)]
    fn take(&mut self, n: usize) -> Res<&'a [u8]> {
        if self.0.len() < n {
            return Err(SnapshotError::Corrupt("for kort"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    #[inline(always)]
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
    #[inline]
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
    #[inline(always)]
    fn var32(&mut self) -> Res<u32> {
        // One and two bytes (days between facts, counts, most ids) without the general loop.
        match *self.0 {
            [b, ..] if b < 0x80 => {
                self.0 = &self.0[1..];
                Ok(u32::from(b))
            }
            [b, c, ..] if c < 0x80 => {
                self.0 = &self.0[2..];
                Ok(u32::from(b & 0x7f) | (u32::from(c) << 7))
            }
            _ => self.var32_long(),
        }
    }
    #[inline(never)]
    fn var32_long(&mut self) -> Res<u32> {
        u32::try_from(self.var()?).map_err(|_| SnapshotError::Corrupt("for stort tal"))
    }
    #[inline(always)]
    fn zz(&mut self) -> Res<i32> {
        let v = self.var32()?;
        Ok((v >> 1) as i32 ^ -((v & 1) as i32))
    }
    /// A day written as the days from `base`; only days the calendar tables cover (1800-2199).
    #[inline(always)]
    fn rel(&mut self, base: Day) -> Res<Day> {
        let n = i64::from(base.number()) + i64::from(self.zz()?);
        if !(i64::from(FIRST_DAY.number())..=i64::from(LAST_DAY.number())).contains(&n) {
            return Err(SnapshotError::Corrupt("dato uden for kalenderen"));
        }
        Ok(Day::from_number(n as i32))
    }
    /// An optional day: 0 for none, else the zigzag days from `base` plus one.
    #[inline(always)]
    fn opt_rel(&mut self, base: Day) -> Res<Option<Day>> {
        match self.var32()? {
            0 => Ok(None),
            v => {
                let v = v - 1;
                let n = i64::from(base.number()) + i64::from((v >> 1) as i32 ^ -((v & 1) as i32));
                if !(i64::from(FIRST_DAY.number())..=i64::from(LAST_DAY.number())).contains(&n) {
                    return Err(SnapshotError::Corrupt("dato uden for kalenderen"));
                }
                Ok(Some(Day::from_number(n as i32)))
            }
        }
    }
    /// Text as the population holds it: in place up to 24 bytes (no allocation).
    fn vstr(&mut self) -> Res<Text> {
        let n = self.var32()? as usize;
        std::str::from_utf8(self.take(n)?)
            .map(Text::from)
            .map_err(|_| SnapshotError::Corrupt("tekst er ikke UTF-8"))
    }
    #[inline]
    fn idx<T: Code>(i: u8) -> Res<T> {
        T::CODES
            .get(i as usize)
            .map(|(v, _)| *v)
            .ok_or(SnapshotError::Corrupt("ukendt kode"))
    }
    /// A varint count of items that each take at least `min` bytes, checked against what is
    /// left.
    #[inline]
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
    if bytes.len() < HEADER + 4 {
        return Err(SnapshotError::NotASnapshot);
    }
    let (data, sum) = bytes.split_at(bytes.len() - 4);
    open_header(data, expected, || {
        if crc32fast::hash(data).to_le_bytes() != sum {
            return Err(SnapshotError::Checksum);
        }
        Ok(())
    })
}

/// A part's header (`data`: the part without its checksum, or its header alone), checked in the
/// order a whole part is: magic, format, then `checksum`, then the population version.
fn open_header(
    data: &[u8],
    expected: i64,
    checksum: impl FnOnce() -> Res<()>,
) -> Res<(PartHeader, R<'_>)> {
    if data.len() < HEADER || &data[..8] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    let format = u32::from_le_bytes(data[8..12].try_into().unwrap_or([0; 4]));
    if format != FORMAT_VERSION {
        return Err(SnapshotError::Version(format));
    }
    checksum()?;
    let found = i64::from_le_bytes(data[12..20].try_into().unwrap_or([0; 8]));
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

/// A citizens' part that the figures' reader read only as far as its header (`kept`, on a SQLite
/// file: exactly [`HEADER`] bytes, which no whole part is): its citizens counted, not read. The
/// figures need no citizen, so its body and checksum are not checked; the count must still add
/// up to the head's total, and the part must still come in its place.
fn citizens_unread(bytes: &[u8], expected: i64) -> Res<Out> {
    let (h, _) = open_header(bytes, expected, || Ok(()))?;
    if h.kind != CITIZENS {
        // Any other part cut to its header.
        return Err(SnapshotError::Checksum);
    }
    Ok(Out {
        kind: h.kind,
        first: h.first,
        skipped_citizens: h.count as usize,
        ..Out::default()
    })
}

impl Head {
    /// The totals in the order of [`Out::read`].
    fn totals(&self) -> [usize; 6] {
        [
            self.citizens,
            self.courses,
            self.conversations,
            self.standby,
            self.medical,
            self.rehab,
        ]
        .map(|n| n as usize)
    }
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
            team: TeamId::new(team),
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
    /// Each course's end in `conversations` (a conversation holds no course id: its course is
    /// where it sits), counted as `held_end` is.
    conv_end: Vec<u32>,
    standby: Vec<StandbyPeriod>,
    medical: Vec<MedicalRequest>,
    rehab: Vec<RehabMeeting>,
    /// Read for the figures only ([`Scope::Figures`]): the held conversations' columns, each
    /// course's end in them (from the part's start, or the whole list's on the direct path), each
    /// course's latest registration, the wanted courses' keys, and the items read but not kept.
    figure_courses: Vec<PackedCourse>,
    figure_rare: Vec<Rare>,
    held: Vec<Day>,
    held_known: Vec<Day>,
    held_end: Vec<u32>,
    last_registered: Vec<Option<Day>>,
    found: Vec<(String, CourseId)>,
    /// Citizens checked by their part's checksum and not read (the figures need none).
    skipped_citizens: usize,
    /// A courses part's columns for the figures, checked on the thread that decoded them, and
    /// (on the assembly) the courses and standby periods in the segments kept.
    segment: Option<FigureSegment>,
    /// The same measured, when a measure is asked ([`Scope::Figures`]).
    measured: Option<MeasuredSegment>,
    segment_courses: usize,
    segment_standby: usize,
}

impl Out {
    /// How many of each list were read: citizens (the figures' reader counts the ones it skips),
    /// courses, conversations, standby periods, medical requests, rehabilitation meetings (the
    /// figures' reader reads no conversation, request or meeting: see [`Assembly::counted`]).
    fn read(&self) -> [usize; 6] {
        [
            self.citizens.len() + self.skipped_citizens,
            self.courses.len() + self.figure_courses.len() + self.segment_courses,
            self.conversations.len(),
            self.standby.len() + self.segment_standby,
            self.medical.len(),
            self.rehab.len(),
        ]
    }
}

/// What a reader keeps of a snapshot.
#[derive(Clone, Debug, Default)]
pub enum Scope {
    /// The whole population.
    #[default]
    Whole,
    /// What the measures read ([`Figures`]): no citizens, course keys, conversation rows, medical
    /// requests or meetings (each still read and checked, then dropped). `keys`: the courses whose
    /// keys the caller needs (those moved in Kadence), found by key as they are read. With
    /// `measure`, that measure of it ([`Measured`]): each part is measured on the thread that
    /// decoded it and its columns dropped, so the basis is never held whole.
    Figures {
        keys: HashSet<String>,
        measure: Option<Box<MeasureQuery>>,
    },
}

/// Limits a part's ids are checked against (from the head), and what to keep.
#[derive(Copy, Clone)]
struct Limits<'s> {
    citizens: u32,
    courses: u32,
    workers: u32,
    /// `Some` for the figures only, with the keys wanted.
    figures: Option<&'s HashSet<String>>,
    /// The measure asked of the figures, if one is.
    measure: Option<&'s MeasureQuery>,
}

/// A part's items, decoded onto the ends of `out`'s lists.
fn decode_into(h: &PartHeader, mut r: R<'_>, lim: Limits<'_>, out: &mut Out) -> Res<()> {
    match h.kind {
        CITIZENS => {
            let n = h.count as usize;
            if n.saturating_mul(2) > r.0.len() {
                return Err(SnapshotError::Corrupt(
                    "antal passer ikke med delens længde",
                ));
            }
            if lim.figures.is_some() {
                // Checked whole by its checksum; the figures need no citizen.
                out.skipped_citizens += n;
                return Ok(());
            }
            out.citizens.reserve(n);
            for _ in 0..n {
                let cpr =
                    Cpr::from_number(r.var()?).map_err(|_| SnapshotError::Corrupt("CPR-nummer"))?;
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
            // The figures' section, then the details (`super`'s layout).
            let len = r.var32()? as usize;
            let mut figures = R(r.take(len)?);
            // Within the head's courses (so every id below is one; a corrupt part is refused
            // here, never made into an id out of range).
            if u64::from(h.first) + n as u64 > u64::from(lim.courses) {
                return Err(SnapshotError::Corrupt("forløb uden for listen"));
            }
            let id = |k: u32| CourseId::new(h.first + k);
            if lim.figures.is_some() {
                // The details are checked by the part's checksum and not read. The held ends
                // start with the part's first course's start: they are its offsets as they are.
                out.figure_courses.reserve(n);
                out.last_registered.reserve(n);
                out.held_end.reserve(n + 1);
                // At most one held conversation per two bytes of the section: room reserved once
                // (the pages never written are never touched), not grown by copying.
                out.held.reserve(len / 2);
                out.held_known.reserve(len / 2);
                out.held_end.push(0);
                let mut key = Vec::new();
                for k in 0..h.count {
                    figures_only(&mut figures, id(k), lim, &mut key, out)?;
                }
                r.0 = &[];
            } else {
                out.courses.reserve(n);
                let (mut key, mut held) = (Vec::new(), Vec::new());
                for k in 0..h.count {
                    let fig =
                        figures_record(&mut figures, id(k), lim, &mut key, Some(&mut held), out)?;
                    let text = std::str::from_utf8(&key)
                        .map_err(|_| SnapshotError::Corrupt("tekst er ikke UTF-8"))?;
                    details_record(&mut r, id(k), lim, fig, &held, text, out)?;
                }
            }
            if !figures.0.is_empty() {
                return Err(SnapshotError::Corrupt("bytes efter sidste post"));
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
fn decode_part(bytes: &[u8], expected: i64, lim: Limits<'_>) -> Res<Out> {
    if lim.figures.is_some() && bytes.len() == HEADER {
        return citizens_unread(bytes, expected);
    }
    let (h, r) = open_part(bytes, expected)?;
    let mut out = Out {
        kind: h.kind,
        first: h.first,
        ..Out::default()
    };
    decode_into(&h, r, lim, &mut out)?;
    if lim.figures.is_some() && h.kind == COURSES {
        let segment = FiguresParts {
            first: out.first,
            courses: std::mem::take(&mut out.figure_courses),
            rare: std::mem::take(&mut out.figure_rare),
            held: std::mem::take(&mut out.held),
            held_known: std::mem::take(&mut out.held_known),
            held_at: std::mem::take(&mut out.held_end),
            last_registered: std::mem::take(&mut out.last_registered),
            standby: std::mem::take(&mut out.standby),
            ..FiguresParts::default()
        }
        .check(lim.workers as usize)
        .ok_or(SnapshotError::Corrupt("fakta står i forkert orden"))?;
        (out.segment_courses, out.segment_standby) = segment.counts();
        match lim.measure {
            Some(q) => out.measured = Some(segment.measure(q)),
            None => out.segment = Some(segment),
        }
    }
    Ok(out)
}

/// A course's record in the figures' section: its fields the measures read, and its latest
/// registration (its held conversations and standby periods are put where the caller says).
struct Fig {
    course: FigureCourse,
    last_registered: Option<Day>,
    /// Where its standby periods start in `out.standby`.
    standby_from: usize,
}

/// Reads a course's figures' record: the held conversations (date, registration) onto `held`
/// (cleared first), the standby periods onto `out.standby`.
fn figures_record(
    r: &mut R<'_>,
    id: CourseId,
    lim: Limits<'_>,
    key: &mut Vec<u8>,
    mut held: Option<&mut Vec<(Day, Option<Day>)>>,
    out: &mut Out,
) -> Res<Fig> {
    // The key's bytes (checked to be UTF-8 where it is used: a key wanted, the whole reader).
    let shared = r.var32()? as usize;
    if shared > key.len() {
        return Err(SnapshotError::Corrupt("forløbsnøgle"));
    }
    key.truncate(shared);
    let rest = r.var32()? as usize;
    key.extend_from_slice(r.take(rest)?);
    if let Some(wanted) = lim.figures.filter(|w| !w.is_empty()) {
        let text = std::str::from_utf8(key).map_err(|_| SnapshotError::Corrupt("forløbsnøgle"))?;
        if wanted.contains(text) {
            out.found.push((text.to_owned(), id));
        }
    }
    let bits = r.var32()?;
    let on = |b: u16| bits & u32::from(b) != 0;
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
    } else if on(has::LAPSED) {
        return Err(SnapshotError::Corrupt("§ 13 f-ophør uden markering"));
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
    let caseworker = if on(has::CASEWORKER) {
        Some(worker(r, lim)?)
    } else {
        None
    };
    let last_registered = r.opt_rel(base)?;
    // The held conversations onto `held`, or for the figures straight onto their columns.
    if let Some(h) = held.as_deref_mut() {
        h.clear();
    }
    let standby_from = out.standby.len();
    let mut at = base;
    for _ in 0..r.vcount(2)? {
        let date = r.rel(at)?;
        at = date;
        let registered = r.opt_rel(date)?;
        match held.as_deref_mut() {
            Some(h) => h.push((date, registered)),
            None => {
                out.held.push(date);
                // As `Conversation::known_from`.
                out.held_known
                    .push(registered.map_or(date, |r| r.max(date)));
            }
        }
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
    Ok(Fig {
        course: FigureCourse {
            kind,
            target_group,
            first_absence: base,
            benefit_start,
            transition,
            visitation,
            early_request,
            reform,
            predictable,
            end,
            caseworker,
        },
        last_registered,
        standby_from,
    })
}

/// A caseworker's index, checked against the head's list.
#[inline]
fn worker(r: &mut R<'_>, lim: Limits<'_>) -> Res<CaseworkerId> {
    let x = r.var32()?;
    if x >= lim.workers {
        return Err(SnapshotError::Corrupt("sagsbehandler uden for listen"));
    }
    Ok(CaseworkerId::new(x))
}

/// A course's figures' record onto the figures' columns (the figures-only reader).
fn figures_only(
    r: &mut R<'_>,
    id: CourseId,
    lim: Limits<'_>,
    key: &mut Vec<u8>,
    out: &mut Out,
) -> Res<()> {
    let fig = figures_record(r, id, lim, key, None, out)?;
    out.held_end.push(out.held.len() as u32);
    out.last_registered.push(fig.last_registered);
    let packed = PackedCourse::pack(fig.course, &mut out.figure_rare);
    out.figure_courses.push(packed);
    Ok(())
}

/// A course's details' record, made whole with its figures' record: the course and its
/// conversations, medical requests and meetings. `key` is the course's key (read with its
/// figures' record); the held conversations come from `held` in order, and each course's latest
/// registration is checked against the one the figures' section says.
fn details_record(
    r: &mut R<'_>,
    id: CourseId,
    lim: Limits<'_>,
    fig: Fig,
    held: &[(Day, Option<Day>)],
    key: &str,
    out: &mut Out,
) -> Res<()> {
    let bits = r.var32()?;
    let on = |b: u16| bits & u32::from(b) != 0;
    let citizen = r.var32()?;
    if citizen >= lim.citizens {
        return Err(SnapshotError::Corrupt("borger uden for listen"));
    }
    let FigureCourse {
        kind,
        target_group,
        first_absence: base,
        benefit_start,
        transition,
        visitation,
        early_request,
        reform,
        predictable,
        end,
        caseworker,
    } = fig.course;
    let from_course = if on(has::FROM) {
        let from = r.var32()?;
        if from >= lim.courses {
            return Err(SnapshotError::Corrupt("forløb uden for listen"));
        }
        Some(CourseId::new(from))
    } else {
        None
    };
    out.courses.push(Course {
        key: Text::from(key),
        citizen: CitizenId::new(citizen),
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
    let mut last: Option<Day> = out.standby[fig.standby_from..]
        .iter()
        .filter_map(|s| s.registered)
        .max();
    let mut at = base;
    let mut next_held = held.iter();
    for _ in 0..r.vcount(1)? {
        let flags = r.u8()?;
        let (date, registered) = if flags & has::HELD != 0 {
            let (date, registered) = *next_held
                .next()
                .ok_or(SnapshotError::Corrupt("afholdte samtaler passer ikke"))?;
            if registered.is_some() != (flags & has::REGISTERED != 0) {
                return Err(SnapshotError::Corrupt("afholdte samtaler passer ikke"));
            }
            (date, registered)
        } else {
            let date = r.rel(at)?;
            let registered = if flags & has::REGISTERED != 0 {
                Some(r.rel(date)?)
            } else {
                None
            };
            (date, registered)
        };
        at = date;
        let caseworker = match (flags & has::WORKER != 0, flags & has::SAME_WORKER != 0) {
            (false, _) => None,
            (true, true) => caseworker,
            (true, false) => Some(worker(r, lim)?),
        };
        last = last.max(registered);
        out.conversations.push(Conversation {
            date,
            form: R::idx(flags & 3)?,
            held: flags & has::HELD != 0,
            planned: flags & has::PLANNED != 0,
            caseworker,
            registered,
        });
    }
    out.conv_end.push(out.conversations.len() as u32);
    if next_held.next().is_some() {
        return Err(SnapshotError::Corrupt("afholdte samtaler passer ikke"));
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
        last = last.max(received_registered);
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
    // The figures' reader trusts the latest registration it is given: it must be the facts'.
    if last != fig.last_registered {
        return Err(SnapshotError::Corrupt("seneste registrering passer ikke"));
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
    /// Read for the figures only: conversations, requests and meetings are not counted, and each
    /// courses part's columns are a segment of the figures' basis.
    figures: bool,
    segments: Vec<FigureSegment>,
    measured: Vec<MeasuredSegment>,
}

impl Assembly {
    /// The lists read and the head's totals, as far as this reader counts them.
    fn counted(&self) -> ([usize; 6], [usize; 6]) {
        let (mut read, mut totals) = (self.acc.read(), self.head.totals());
        if self.figures {
            for i in [2, 4, 5] {
                (read[i], totals[i]) = (0, 0);
            }
        }
        (read, totals)
    }

    /// Lists reserved at the head's totals, but never for more items than `size` bytes of parts
    /// could hold (at 2 bytes an item and more), so a head that says otherwise cannot make the
    /// reader reserve gigabytes.
    fn new(head: Head, size: u64, figures: bool) -> Assembly {
        let most = |total: u32, min: u64| (u64::from(total).min(size / min)) as usize;
        let acc = if figures {
            // Each part's columns stay where its decoder put them (`segments`); here they are
            // only counted.
            Out::default()
        } else {
            Out {
                citizens: Vec::with_capacity(most(head.citizens, 2)),
                courses: Vec::with_capacity(most(head.courses, 12)),
                conversations: Vec::with_capacity(most(head.conversations, 2)),
                conv_end: Vec::with_capacity(most(head.courses, 12)),
                standby: Vec::with_capacity(most(head.standby, 2)),
                medical: Vec::with_capacity(most(head.medical, 2)),
                rehab: Vec::with_capacity(most(head.rehab, 2)),
                ..Out::default()
            }
        };
        Assembly {
            acc,
            head,
            next: 1,
            waiting: BTreeMap::new(),
            figures,
            segments: Vec::new(),
            measured: Vec::new(),
        }
    }

    /// Whether a part of `kind` starting at item `first` is the next one.
    fn follows(&self, kind: u8, first: u32) -> Res<()> {
        let read = self.acc.read();
        let (at, after) = match kind {
            CITIZENS => (read[0], read[1] == 0),
            _ => (read[1], read[0] == self.head.citizens as usize),
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
        let (read, totals) = self.counted();
        if read.iter().zip(totals).any(|(read, total)| *read > total) {
            return Err(SnapshotError::Corrupt("flere poster end hovedet siger"));
        }
        Ok(())
    }

    /// The next part, decoded straight onto the lists (the direct path: parts come in order).
    fn decode_next(&mut self, bytes: &[u8], expected: i64, lim: Limits<'_>) -> Res<()> {
        if self.figures {
            // A segment of its own, as on the parallel path.
            let out = decode_part(bytes, expected, lim)?;
            return self.take(out);
        }
        let (h, r) = open_part(bytes, expected)?;
        self.follows(h.kind, h.first)?;
        decode_into(&h, r, lim, &mut self.acc)?;
        self.next += 1;
        self.within_totals()
    }

    /// The next part decoded on its own: appended to the lists, or for the figures kept as a
    /// segment.
    fn take(&mut self, mut out: Out) -> Res<()> {
        self.follows(out.kind, out.first)?;
        let a = &mut self.acc;
        if self.figures {
            a.skipped_citizens += out.skipped_citizens;
            a.segment_courses += out.segment_courses;
            a.segment_standby += out.segment_standby;
            a.found.append(&mut out.found);
            self.segments.extend(out.segment);
            self.measured.extend(out.measured);
        } else {
            a.citizens.append(&mut out.citizens);
            a.courses.append(&mut out.courses);
            let base = a.conversations.len() as u32;
            a.conv_end.extend(out.conv_end.iter().map(|end| base + end));
            a.conversations.append(&mut out.conversations);
            a.standby.append(&mut out.standby);
            a.medical.append(&mut out.medical);
            a.rehab.append(&mut out.rehab);
        }
        self.next += 1;
        self.within_totals()
    }

    /// Part `seq`, decoded on its own: appended if it is next, else kept until it is.
    fn add(&mut self, seq: u32, out: Out) -> Res<()> {
        self.waiting.insert(seq, out);
        while let Some(out) = self.waiting.remove(&self.next) {
            self.take(out)?;
        }
        Ok(())
    }

    /// The lists read, each as long as the head says.
    fn complete(self) -> Res<(Out, Head)> {
        let (read, totals) = self.counted();
        let (a, h) = (self.acc, self.head);
        if !self.waiting.is_empty() || self.next != h.parts + 1 {
            return Err(SnapshotError::Incomplete("en del mangler"));
        }
        if read != totals {
            return Err(SnapshotError::Incomplete("færre poster end hovedet siger"));
        }
        Ok((a, h))
    }

    /// The figures' basis, with the wanted courses found by key.
    fn finish_figures(mut self) -> Res<(Figures, Vec<(String, CourseId)>)> {
        let segments = std::mem::take(&mut self.segments);
        let (a, h) = self.complete()?;
        let figures = Figures::from_checked(h.teams, h.workers, segments)
            .ok_or(SnapshotError::Corrupt("fakta står i forkert orden"))?;
        Ok((figures, a.found))
    }

    /// The measure `q` of the figures' basis, from the parts measured as they were decoded.
    fn finish_measured(mut self, q: &MeasureQuery) -> Res<(Measured, Vec<(String, CourseId)>)> {
        let measured = std::mem::take(&mut self.measured);
        let (a, h) = self.complete()?;
        let m = Measured::from_segments(h.teams, h.workers, q, measured)
            .ok_or(SnapshotError::Corrupt("fakta står i forkert orden"))?;
        Ok((m, a.found))
    }

    fn finish(self) -> Res<Population> {
        let (a, h) = self.complete()?;
        // The facts come grouped by course and in the builder's order: checked in one pass, not
        // sorted again.
        let mut conv_at = Vec::with_capacity(a.conv_end.len() + 1);
        conv_at.push(0);
        conv_at.extend(a.conv_end);
        PopulationBuilder {
            teams: h.teams,
            caseworkers: h.workers,
            citizens: a.citizens,
            courses: a.courses,
            conversations: Vec::new(),
            standby: a.standby,
            medical: a.medical,
            rehab: a.rehab,
        }
        .build_grouped_at(a.conversations, conv_at)
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
    match decode_scoped(parts, size, expected, threads, &Scope::Whole)? {
        Ok(Scoped::Whole(d)) => Ok(Ok(*d)),
        Ok(_) => Ok(Err(SnapshotError::Corrupt("forkert omfang"))),
        Err(e) => Ok(Err(e)),
    }
}

/// A snapshot read as [`Scope`] says.
#[derive(Debug)]
pub enum Scoped {
    Whole(Box<Decoded>),
    Figures(DecodedFigures),
    Measured(DecodedFigures<Measured>),
}

/// [`decode_parts`], keeping what `scope` says: the whole population, or the figures' basis.
pub fn decode_scoped<B: AsRef<[u8]> + Send, E: Send>(
    parts: impl Iterator<Item = Result<B, E>>,
    size: u64,
    expected: i64,
    threads: usize,
    scope: &Scope,
) -> Result<Result<Scoped, SnapshotError>, E> {
    let mut parts = parts;
    let head = match parts.next() {
        None => return Ok(Err(SnapshotError::Missing(expected))),
        Some(bytes) => match read_head(bytes?.as_ref(), expected) {
            Ok(h) => h,
            Err(e) => return Ok(Err(e)),
        },
    };
    let (figures, measure) = match scope {
        Scope::Whole => (None, None),
        Scope::Figures { keys, measure } => (Some(keys), measure.as_deref()),
    };
    let lim = Limits {
        citizens: head.citizens,
        courses: head.courses,
        workers: head.workers.len() as u32,
        figures,
        measure,
    };
    let asm = Assembly::new(head, size, figures.is_some());
    let (assembled, source_error) = if threads <= 1 {
        direct(parts, asm, expected, lim)
    } else {
        parallel(parts, asm, expected, lim, threads)
    };
    if let Some(e) = source_error {
        return Err(e);
    }
    Ok(assembled.and_then(|asm| {
        Ok(if let Some(q) = measure {
            let (figures, found) = asm.finish_measured(q)?;
            Scoped::Measured(DecodedFigures {
                figures,
                found,
                version: expected,
            })
        } else if figures.is_some() {
            let (figures, found) = asm.finish_figures()?;
            Scoped::Figures(DecodedFigures {
                figures,
                found,
                version: expected,
            })
        } else {
            Scoped::Whole(Box::new(Decoded {
                population: asm.finish()?,
                version: expected,
            }))
        })
    }))
}

/// One thread decodes the parts in order onto the lists; the caller's thread reads them.
fn direct<B: AsRef<[u8]> + Send, E>(
    parts: impl Iterator<Item = Result<B, E>>,
    asm: Assembly,
    expected: i64,
    lim: Limits<'_>,
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
    lim: Limits<'_>,
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
    match in_memory(parts, expected, threads, &Scope::Whole)? {
        Scoped::Whole(d) => Ok(*d),
        _ => Err(SnapshotError::Corrupt("forkert omfang")),
    }
}

/// The figures' basis of a snapshot in memory, with the courses of `keys` found.
pub fn decode_figures_with(
    parts: &[Part],
    expected: i64,
    threads: usize,
    keys: HashSet<String>,
) -> Result<DecodedFigures, SnapshotError> {
    let scope = Scope::Figures {
        keys,
        measure: None,
    };
    match in_memory(parts, expected, threads, &scope)? {
        Scoped::Figures(d) => Ok(d),
        _ => Err(SnapshotError::Corrupt("forkert omfang")),
    }
}

/// A measure of a snapshot in memory, each part measured as it is decoded (as
/// [`decode_figures_with`] and [`Measured::of`] would give it).
pub fn decode_measured_with(
    parts: &[Part],
    expected: i64,
    threads: usize,
    keys: HashSet<String>,
    query: MeasureQuery,
) -> Result<DecodedFigures<Measured>, SnapshotError> {
    let scope = Scope::Figures {
        keys,
        measure: Some(Box::new(query)),
    };
    match in_memory(parts, expected, threads, &scope)? {
        Scoped::Measured(d) => Ok(d),
        _ => Err(SnapshotError::Corrupt("forkert omfang")),
    }
}

fn in_memory(
    parts: &[Part],
    expected: i64,
    threads: usize,
    scope: &Scope,
) -> Result<Scoped, SnapshotError> {
    let mut sorted: Vec<&Part> = parts.iter().collect();
    sorted.sort_by_key(|(seq, _)| *seq);
    let size = parts.iter().map(|(_, b)| b.len() as u64).sum();
    match decode_scoped(
        sorted
            .into_iter()
            .map(|(_, b)| Ok::<_, std::convert::Infallible>(b.as_slice())),
        size,
        expected,
        threads,
        scope,
    ) {
        Ok(r) => r,
        Err(never) => match never {},
    }
}
