//! One part: its header checked (magic, format, checksum, population version), the head's lists,
//! and a courses or citizens part decoded onto a reader's lists, whole or for the figures only.

use std::collections::HashSet;

use kadence_core::cpr::Cpr;
use kadence_core::date::Day;
use kadence_core::figures::{
    FigureCourse, FigureSegment, FiguresParts, MeasureQuery, MeasuredSegment, PackedCourse, Rare,
};
use kadence_core::model::*;

use super::super::{has, Res, SnapshotError};
use super::super::{CITIZENS, COURSES, FIRST_DAY, FORMAT_VERSION, HEAD, HEADER, LAST_DAY, MAGIC};
use super::bytes::R;

/// A decoded part (courses with their facts; facts name their course by its index in the
/// whole population).
#[derive(Default)]
pub(super) struct Out {
    pub(super) kind: u8,
    pub(super) first: u32,
    pub(super) citizens: Vec<Citizen>,
    pub(super) courses: Vec<Course>,
    pub(super) conversations: Vec<Conversation>,
    /// Each course's end in `conversations` (a conversation holds no course id: its course is
    /// where it sits), counted as `held_end` is.
    pub(super) conv_end: Vec<u32>,
    pub(super) standby: Vec<StandbyPeriod>,
    pub(super) medical: Vec<MedicalRequest>,
    pub(super) rehab: Vec<RehabMeeting>,
    /// Read for the figures only ([`Scope::Figures`]): the held conversations' columns, each
    /// course's end in them (from the part's start, or the whole list's on the direct path), each
    /// course's latest registration, the wanted courses' keys, and the items read but not kept.
    pub(super) figure_courses: Vec<PackedCourse>,
    pub(super) figure_rare: Vec<Rare>,
    pub(super) held: Vec<Day>,
    pub(super) held_known: Vec<Day>,
    pub(super) held_end: Vec<u32>,
    pub(super) last_registered: Vec<Option<Day>>,
    pub(super) found: Vec<(String, CourseId)>,
    /// Citizens checked by their part's checksum and not read (the figures need none).
    pub(super) skipped_citizens: usize,
    /// A courses part's columns for the figures, checked on the thread that decoded them, and
    /// (on the assembly) the courses and standby periods in the segments kept.
    pub(super) segment: Option<FigureSegment>,
    /// The same measured, when a measure is asked ([`Scope::Figures`]).
    pub(super) measured: Option<MeasuredSegment>,
    pub(super) segment_courses: usize,
    pub(super) segment_standby: usize,
}

impl Out {
    /// How many of each list were read: citizens (the figures' reader counts the ones it skips),
    /// courses, conversations, standby periods, medical requests, rehabilitation meetings (the
    /// figures' reader reads no conversation, request or meeting: see [`Assembly::counted`]).
    pub(super) fn read(&self) -> [usize; 6] {
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

/// Limits a part's ids are checked against (from the head), and what to keep.
#[derive(Copy, Clone)]
pub(super) struct Limits<'s> {
    pub(super) citizens: u32,
    pub(super) courses: u32,
    pub(super) workers: u32,
    /// `Some` for the figures only, with the keys wanted.
    pub(super) figures: Option<&'s HashSet<String>>,
    /// The measure asked of the figures, if one is.
    pub(super) measure: Option<&'s MeasureQuery>,
}

/// A part's header, after its checksum is checked.
pub(super) struct PartHeader {
    pub(super) kind: u8,
    pub(super) first: u32,
    pub(super) count: u32,
}

/// Checks a part's magic, format, checksum and population version, and reads its header; returns
/// it with the body.
pub(super) fn open_part(bytes: &[u8], expected: i64) -> Res<(PartHeader, R<'_>)> {
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
    pub(super) fn totals(&self) -> [usize; 6] {
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
pub(super) struct Head {
    pub(super) parts: u32,
    pub(super) citizens: u32,
    pub(super) courses: u32,
    pub(super) conversations: u32,
    pub(super) standby: u32,
    pub(super) medical: u32,
    pub(super) rehab: u32,
    pub(super) teams: Vec<Team>,
    pub(super) workers: Vec<Caseworker>,
}

pub(super) fn read_head(bytes: &[u8], expected: i64) -> Res<Head> {
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

/// A part's items, decoded onto the ends of `out`'s lists.
pub(super) fn decode_into(h: &PartHeader, mut r: R<'_>, lim: Limits<'_>, out: &mut Out) -> Res<()> {
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
pub(super) fn decode_part(bytes: &[u8], expected: i64, lim: Limits<'_>) -> Res<Out> {
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
