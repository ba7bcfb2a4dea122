//! Writing a snapshot: a part at a time ([`Writer`]), course by course from any population or two
//! being merged ([`Parts`]). The layout is in `super`'s documentation.

use kadence_core::cpr::Cpr;
use kadence_core::date::Day;
use kadence_core::model::*;

use super::FORMAT_VERSION;
use super::{has, CITIZENS, COURSES, FIRST_DAY, HEAD, HEADER, MAGIC};
use crate::codes::Code;

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
    /// An optional day as 0 for none, else its zigzag days from `base` plus one.
    fn opt_rel(&mut self, base: Day, d: Option<Day>) {
        match d {
            None => self.var(0),
            Some(d) => {
                let v = base.days_until(d);
                self.var(u64::from(((v << 1) ^ (v >> 31)) as u32) + 1);
            }
        }
    }
    fn vstr(&mut self, s: &str) {
        self.var(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn idx<T: Code>(v: T) -> u8 {
        T::CODES.iter().position(|(x, _)| *x == v).unwrap_or(0) as u8
    }
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
    /// The part being filled: its kind, the index of its first item, its items (a courses part's
    /// figures' section in `open_figures`, sealed in front of the details in `open`).
    open: W,
    open_figures: W,
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
            open_figures: W(Vec::new()),
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
            self.workers.u32(c.team.get());
        }
    }

    /// Starts an item of `kind`, sealing the open part when it is full or of another kind.
    fn item(&mut self, kind: u8) {
        debug_assert!(kind >= self.kind, "snapshot items out of order");
        if kind != self.kind || self.open.0.len() + self.open_figures.0.len() >= self.part_size {
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
        if self.kind == COURSES {
            // The figures' section first, behind its length, so a reader for the figures reads
            // it and skips the rest.
            let figures = std::mem::replace(&mut self.open_figures, W(Vec::new()));
            let mut front = W(Vec::with_capacity(w.0.len() + figures.0.len() + 8));
            front.0.extend_from_slice(&w.0[..HEADER]);
            front.var(figures.0.len() as u64);
            front.0.extend_from_slice(&figures.0);
            front.0.extend_from_slice(&w.0[HEADER..]);
            w = front;
        }
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
        self.open.var(cpr.as_number());
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
        let (w, d) = (&mut self.open_figures, &mut self.open);
        let c = f.course;
        let base = c.first_absence;
        let worker = c.caseworker.map(&caseworker);

        // The figures' section: what the measures read (`kadence_core::figures`), after the key
        // (the figures' reader finds the courses moved in Kadence by it), written as the bytes it
        // shares with the part's last key, and the rest.
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
        let bits = [
            (c.transition.is_some(), has::TRANSITION),
            (c.visitation.is_some(), has::VISITATION),
            (c.early_request.is_some(), has::EARLY),
            (c.reform.is_some(), has::REFORM),
            (c.predictable.is_some(), has::PREDICTABLE),
            (
                c.predictable.is_some_and(|p| p.lapsed_on.is_some()),
                has::LAPSED,
            ),
            (c.end.is_some(), has::END),
            (worker.is_some(), has::CASEWORKER),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .fold(0u16, |m, (_, b)| m | b);
        w.var(u64::from(bits));
        w.u8(W::idx(c.kind) | W::idx(c.target_group) << 2);
        w.var((c.first_absence.number() - FIRST_DAY.number()) as u32 as u64);
        w.rel(base, c.benefit_start);
        if let Some(d) = c.transition {
            w.rel(base, d);
        }
        if let Some(v) = c.visitation {
            w.u8(W::idx(v.category));
            w.rel(base, v.set_on);
        }
        if let Some(e) = c.early_request {
            w.u8(W::idx(e.by));
            w.rel(base, e.date);
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
        if let Some(p) = c.predictable {
            w.rel(base, p.marked_on);
            if let Some(l) = p.lapsed_on {
                w.rel(base, l);
            }
        }
        if let Some(e) = c.end {
            w.rel(base, e.date);
            w.u8(W::idx(e.reason));
        }
        if let Some(x) = worker {
            w.var(u64::from(x));
        }
        w.opt_rel(base, f.last_registered);
        w.var(f.held.len() as u64);
        let mut at = base;
        for x in f.conversations.iter().filter(|x| x.held) {
            w.rel(at, x.date);
            at = x.date;
            w.opt_rel(x.date, x.registered);
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

        // The details' section: the rest.
        let bits = if ids.from.is_some() { has::FROM } else { 0 };
        d.var(u64::from(bits));
        d.var(u64::from(ids.citizen));
        if let Some(from) = ids.from {
            d.var(u64::from(from));
        }
        // Every conversation in order; a held one's date and registration are in the figures'
        // section, in the same order.
        d.var(f.conversations.len() as u64);
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
            d.u8(flags);
            if !x.held {
                d.rel(at, x.date);
                if let Some(r) = x.registered {
                    d.rel(x.date, r);
                }
            }
            at = x.date;
            if let (Some(id), false) = (cw, cw == worker) {
                d.var(u64::from(id));
            }
        }
        d.var(f.medical.len() as u64);
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
            d.u8(flags);
            d.rel(base, m.sent);
            for x in [m.deadline, m.received, m.received_registered]
                .into_iter()
                .flatten()
            {
                d.rel(m.sent, x);
            }
        }
        d.var(f.rehab.len() as u64);
        for r in f.rehab {
            d.u8(W::idx(r.basis));
            d.rel(base, r.date);
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

/// A citizen to write: the CPR number and the name.
pub type CitizenItem<'a> = (&'a Cpr, &'a str);

/// The parts of a snapshot as a writer fills them, citizen by citizen from `citizens`, then course
/// by course from `items` (the teams and caseworkers given to the writer before): each part is
/// handed over as soon as it is full, so the caller can store it and the whole snapshot is never
/// held. The head comes last. (The citizens were once all written before the first part was
/// handed over: 55 MB held at the country's size, the import's peak.)
pub struct Parts<'a, C, I>
where
    C: Iterator<Item = CitizenItem<'a>>,
    I: Iterator<Item = Item<'a>>,
{
    writer: Option<Writer>,
    citizens: C,
    items: I,
    pending: std::collections::VecDeque<Part>,
}

impl<'a, C, I> Parts<'a, C, I>
where
    C: Iterator<Item = CitizenItem<'a>>,
    I: Iterator<Item = Item<'a>>,
{
    pub fn new(mut writer: Writer, citizens: C, items: I) -> Self {
        let pending = writer.take_parts().into();
        Parts {
            writer: Some(writer),
            citizens,
            items,
            pending,
        }
    }
}

impl<'a, C, I> Iterator for Parts<'a, C, I>
where
    C: Iterator<Item = CitizenItem<'a>>,
    I: Iterator<Item = Item<'a>>,
{
    type Item = Part;

    fn next(&mut self) -> Option<Part> {
        loop {
            if let Some(p) = self.pending.pop_front() {
                return Some(p);
            }
            let w = self.writer.as_mut()?;
            if let Some((cpr, name)) = self.citizens.next() {
                w.citizen(cpr, name);
                self.pending.extend(w.take_parts());
                continue;
            }
            match self.items.next() {
                Some(c) => {
                    match c.workers {
                        None => w.course(&c.facts, c.ids, |x| x.get()),
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
) -> Parts<
    '_,
    impl Iterator<Item = CitizenItem<'_>> + Send + '_,
    impl Iterator<Item = Item<'_>> + Send + '_,
> {
    let mut w = Writer::new(version, part_size);
    w.teams(&pop.teams);
    w.caseworkers(&pop.caseworkers);
    Parts::new(
        w,
        pop.citizens.iter().map(|c| (&c.cpr, c.name.as_str())),
        pop.all_facts().map(|f| Item {
            ids: CourseIds {
                citizen: f.course.citizen.get(),
                from: f.course.from_course.map(|x| x.get()),
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
