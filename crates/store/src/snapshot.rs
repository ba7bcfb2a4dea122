//! The population as one binary file (issue 15, first part): a versioned, checksummed, columnar
//! layout that a fresh process can read instead of rebuilding the population row by row from the
//! database. The database stays the system of record; a file that is missing, from another
//! generation, of an older format, truncated or altered is refused with a reason, never trusted,
//! and the caller rebuilds from the database.
//!
//! Hand-written rather than rkyv: the population's vectors are private to the core and hold
//! `Box`es and `String`s, so a zero-copy archive would need a second, archived model beside the
//! core's; a columnar layout of plain little-endian integers is a page of code, is documented
//! here, and decodes in one pass. Not yet read at start (the next part wires it into `Store::load`
//! and the imports); measured with `kadence-bench --snapshot`.
//!
//! The checksum is CRC-32 (crc32fast, SIMD): it is there to find a file cut short or altered by
//! accident, not an attacker (who could as well write the database). With SHA-256, hashing was 7 %
//! of the national benchmark's samples; CRC-32 took encoding from 1.47 s to about 1.1 s.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! magic     8 bytes  "KADPOP\0\0"
//! version   u32      FORMAT_VERSION
//! generation i64     the data's change counter the population was read at
//! body      ...      the columns below, in this order
//! crc32     u32 of everything before it
//! ```
//!
//! The body: every list is a `u32` count followed by its items. A string is a `u32` byte length
//! and UTF-8 bytes; an optional day is an `i32` with `i32::MIN` for none; an enum is one byte, its
//! index in the table of `codes` (tables only grow at the end; anything else bumps the version).
//! Teams (key, name), caseworkers (key, name, team index), citizens (CPR digits, name), courses
//! (every field of `Course`, the case system's caseworker key beside it), then the facts of every
//! course in the population's order: conversations, standby periods, medical requests,
//! rehabilitation meetings.

use kadence_core::cpr::Cpr;
use kadence_core::date::Day;
use kadence_core::model::*;

use crate::codes::Code;

/// The format's version; a file of another version is rebuilt. 2: CRC-32 instead of SHA-256.
pub const FORMAT_VERSION: u32 = 2;
const MAGIC: &[u8; 8] = b"KADPOP\0\0";
const NONE_DAY: i32 = i32::MIN;
const FIRST_DAY: Day = Day::ymd(1800, 1, 1);
const LAST_DAY: Day = Day::ymd(2199, 12, 31);

/// Why a snapshot file is not used (Danish for the log).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("øjebliksbilledet er ikke en Kadence-fil")]
    NotASnapshot,
    #[error("øjebliksbilledet har formatversion {0}, Kadence læser {FORMAT_VERSION}")]
    Version(u32),
    #[error("øjebliksbilledet er fra dataversion {found}, databasen er på {expected}")]
    Stale { found: i64, expected: i64 },
    #[error("øjebliksbilledets kontrolsum passer ikke (filen er afkortet eller ændret)")]
    Checksum,
    #[error("øjebliksbilledet er ødelagt: {0}")]
    Corrupt(&'static str),
}

/// A population read from a snapshot, with each course's caseworker as the case system names it.
pub struct Decoded {
    pub population: Population,
    pub imported: Vec<Option<String>>,
    pub generation: i64,
}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn day(&mut self, d: Day) {
        self.i32(d.number());
    }
    fn oday(&mut self, d: Option<Day>) {
        self.i32(d.map_or(NONE_DAY, |d| d.number()));
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn ostr(&mut self, s: Option<&str>) {
        match s {
            None => self.u32(u32::MAX),
            Some(s) => self.str(s),
        }
    }
    fn code<T: Code>(&mut self, v: T) {
        self.u8(T::CODES.iter().position(|(x, _)| *x == v).unwrap_or(0) as u8);
    }
    fn ocode<T: Code>(&mut self, v: Option<T>) {
        match v {
            None => self.u8(u8::MAX),
            Some(v) => self.code(v),
        }
    }
    fn oid(&mut self, v: Option<u32>) {
        self.u32(v.unwrap_or(u32::MAX));
    }
}

struct R<'a>(&'a [u8]);

type Res<T> = Result<T, SnapshotError>;

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
    fn i32(&mut self) -> Res<i32> {
        Ok(i32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or([0; 4]),
        ))
    }
    fn day(&mut self) -> Res<Day> {
        self.oday()?.ok_or(SnapshotError::Corrupt("dato mangler"))
    }
    fn oday(&mut self) -> Res<Option<Day>> {
        let v = self.i32()?;
        if v == NONE_DAY {
            return Ok(None);
        }
        // Only days the calendar tables cover (1800-2199): a day outside would be a corrupt file.
        if !(FIRST_DAY.number()..=LAST_DAY.number()).contains(&v) {
            return Err(SnapshotError::Corrupt("dato uden for kalenderen"));
        }
        Ok(Some(Day::from_number(v)))
    }
    fn str(&mut self) -> Res<String> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| SnapshotError::Corrupt("tekst er ikke UTF-8"))
    }
    fn ostr(&mut self) -> Res<Option<String>> {
        let n = self.u32()?;
        if n == u32::MAX {
            return Ok(None);
        }
        let b = self.take(n as usize)?;
        String::from_utf8(b.to_vec())
            .map(Some)
            .map_err(|_| SnapshotError::Corrupt("tekst er ikke UTF-8"))
    }
    fn code<T: Code>(&mut self) -> Res<T> {
        let i = self.u8()? as usize;
        T::CODES
            .get(i)
            .map(|(v, _)| *v)
            .ok_or(SnapshotError::Corrupt("ukendt kode"))
    }
    fn ocode<T: Code>(&mut self) -> Res<Option<T>> {
        let i = self.u8()?;
        if i == u8::MAX {
            return Ok(None);
        }
        T::CODES
            .get(i as usize)
            .map(|(v, _)| Some(*v))
            .ok_or(SnapshotError::Corrupt("ukendt kode"))
    }
    fn oid(&mut self) -> Res<Option<u32>> {
        let v = self.u32()?;
        Ok((v != u32::MAX).then_some(v))
    }
    /// A count of items that each take at least `min` bytes, checked against what is left, so a
    /// corrupt count cannot make the reader reserve gigabytes.
    fn count(&mut self, min: usize) -> Res<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min) > self.0.len() {
            return Err(SnapshotError::Corrupt(
                "antal passer ikke med filens længde",
            ));
        }
        Ok(n)
    }
}

/// The population (and each course's caseworker as the case system names it) as a snapshot of
/// `generation`.
pub fn encode(pop: &Population, imported: &[Option<String>], generation: i64) -> Vec<u8> {
    let mut w = W(Vec::with_capacity(
        64 + pop.courses.len() * 120 + pop.conversation_count() * 20,
    ));
    w.0.extend_from_slice(MAGIC);
    w.u32(FORMAT_VERSION);
    w.0.extend_from_slice(&generation.to_le_bytes());
    w.u32(pop.teams.len() as u32);
    for t in &pop.teams {
        w.str(&t.key);
        w.str(&t.name);
    }
    w.u32(pop.caseworkers.len() as u32);
    for c in &pop.caseworkers {
        w.str(&c.key);
        w.str(&c.name);
        w.u32(c.team.0);
    }
    w.u32(pop.citizens.len() as u32);
    for c in &pop.citizens {
        w.str(&c.cpr.reveal());
        w.str(&c.name);
    }
    w.u32(pop.courses.len() as u32);
    for (i, c) in pop.courses.iter().enumerate() {
        w.str(&c.key);
        w.u32(c.citizen.0);
        w.code(c.kind);
        w.day(c.first_absence);
        w.day(c.benefit_start);
        w.oday(c.transition);
        w.oid(c.from_course.map(|x| x.0));
        w.code(c.target_group);
        w.ocode(c.visitation.map(|v| v.category));
        w.oday(c.visitation.map(|v| v.set_on));
        w.ocode(c.early_request.map(|r| r.by));
        w.oday(c.early_request.map(|r| r.date));
        w.oday(c.predictable.map(|p| p.marked_on));
        w.oday(c.predictable.and_then(|p| p.lapsed_on));
        let r = c.reform();
        w.oday(r.fit_within_26_weeks);
        w.ocode(r.follow_up_asked.map(|a| a.by));
        w.oday(r.follow_up_asked.map(|a| a.date));
        w.oday(r.municipality_decided);
        w.oday(r.unemployed_on);
        w.oday(r.reduced_rate_from);
        w.oday(c.end.map(|e| e.date));
        w.ocode(c.end.map(|e| e.reason));
        w.oid(c.caseworker.map(|x| x.0));
        w.ostr(imported.get(i).and_then(|k| k.as_deref()));
    }
    let facts: Vec<CourseFacts<'_>> = pop.all_facts().collect();
    w.u32(facts.iter().map(|f| f.conversations.len() as u32).sum());
    for f in &facts {
        for c in f.conversations {
            w.u32(f.id.0);
            w.day(c.date);
            w.code(c.form);
            w.u8(u8::from(c.held) | u8::from(c.planned) << 1);
            w.oid(c.caseworker.map(|x| x.0));
            w.oday(c.registered);
        }
    }
    w.u32(facts.iter().map(|f| f.standby.len() as u32).sum());
    for f in &facts {
        for s in f.standby {
            w.u32(f.id.0);
            w.day(s.start);
            w.oday(s.end);
            w.oday(s.registered);
        }
    }
    w.u32(facts.iter().map(|f| f.medical.len() as u32).sum());
    for f in &facts {
        for m in f.medical {
            w.u32(f.id.0);
            w.code(m.form);
            w.day(m.sent);
            w.oday(m.deadline);
            w.oday(m.received);
            w.oday(m.received_registered);
        }
    }
    w.u32(facts.iter().map(|f| f.rehab.len() as u32).sum());
    for f in &facts {
        for r in f.rehab {
            w.u32(f.id.0);
            w.day(r.date);
            w.code(r.basis);
        }
    }
    let sum = crc32fast::hash(&w.0);
    w.u32(sum);
    w.0
}

/// Reads a snapshot, refusing one that is not of this format version, not of `expected`
/// generation, or whose checksum does not match. The facts are rebuilt into a population by the
/// core's builder (already in order, so its sort is one pass).
pub fn decode(bytes: &[u8], expected: i64) -> Result<Decoded, SnapshotError> {
    if bytes.len() < 8 + 4 + 8 + 4 || &bytes[..8] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or([0; 4]));
    if version != FORMAT_VERSION {
        return Err(SnapshotError::Version(version));
    }
    let (data, sum) = bytes.split_at(bytes.len() - 4);
    if crc32fast::hash(data).to_le_bytes() != sum {
        return Err(SnapshotError::Checksum);
    }
    let generation = i64::from_le_bytes(bytes[12..20].try_into().unwrap_or([0; 8]));
    if generation != expected {
        return Err(SnapshotError::Stale {
            found: generation,
            expected,
        });
    }
    let mut r = R(&data[20..]);
    let mut b = PopulationBuilder::new();
    for _ in 0..r.count(8)? {
        b.add_team(Team {
            key: r.str()?,
            name: r.str()?,
        });
    }
    let teams = b.teams.len() as u32;
    for _ in 0..r.count(12)? {
        let key = r.str()?;
        let name = r.str()?;
        let team = r.u32()?;
        if team >= teams {
            return Err(SnapshotError::Corrupt("team uden for listen"));
        }
        b.add_caseworker(Caseworker {
            key,
            name,
            team: TeamId(team),
        });
    }
    let workers = b.caseworkers.len() as u32;
    for _ in 0..r.count(8)? {
        let cpr = Cpr::parse(&r.str()?).map_err(|_| SnapshotError::Corrupt("CPR-nummer"))?;
        b.add_citizen(Citizen {
            cpr,
            name: r.str()?,
        });
    }
    let citizens = b.citizens.len() as u32;
    let n = r.count(60)?;
    let mut imported = Vec::with_capacity(n);
    let worker = |id: Option<u32>| -> Res<Option<CaseworkerId>> {
        match id {
            Some(i) if i >= workers => Err(SnapshotError::Corrupt("sagsbehandler uden for listen")),
            x => Ok(x.map(CaseworkerId)),
        }
    };
    for _ in 0..n {
        let key = r.str()?;
        let citizen = r.u32()?;
        if citizen >= citizens {
            return Err(SnapshotError::Corrupt("borger uden for listen"));
        }
        let kind = r.code()?;
        let first_absence = r.day()?;
        let benefit_start = r.day()?;
        let transition = r.oday()?;
        let from_course = r.oid()?;
        let target_group = r.code()?;
        let category: Option<Category> = r.ocode()?;
        let set_on = r.oday()?;
        let early_by: Option<Requester> = r.ocode()?;
        let early_date = r.oday()?;
        let marked = r.oday()?;
        let lapsed = r.oday()?;
        let fit = r.oday()?;
        let asked_by: Option<Requester> = r.ocode()?;
        let asked_date = r.oday()?;
        let decided = r.oday()?;
        let unemployed = r.oday()?;
        let reduced = r.oday()?;
        let end = r.oday()?;
        let end_reason: Option<EndReason> = r.ocode()?;
        let caseworker = worker(r.oid()?)?;
        imported.push(r.ostr()?);
        if from_course.is_some_and(|f| f as usize >= n) {
            return Err(SnapshotError::Corrupt("forløb uden for listen"));
        }
        b.add_course(Course {
            key,
            citizen: CitizenId(citizen),
            kind,
            first_absence,
            benefit_start,
            transition,
            from_course: from_course.map(CourseId),
            target_group,
            visitation: category
                .zip(set_on)
                .map(|(category, set_on)| Visitation { category, set_on }),
            early_request: early_by
                .zip(early_date)
                .map(|(by, date)| EarlyRequest { by, date }),
            predictable: marked.map(|marked_on| Predictable {
                marked_on,
                lapsed_on: lapsed,
            }),
            reform: ReformFacts {
                fit_within_26_weeks: fit,
                follow_up_asked: asked_by
                    .zip(asked_date)
                    .map(|(by, date)| FollowUpAsked { by, date }),
                municipality_decided: decided,
                unemployed_on: unemployed,
                reduced_rate_from: reduced,
            }
            .boxed(),
            end: end
                .zip(end_reason)
                .map(|(date, reason)| CourseEnd { date, reason }),
            caseworker,
        });
    }
    let course = |i: u32| -> Res<CourseId> {
        if (i as usize) < n {
            Ok(CourseId(i))
        } else {
            Err(SnapshotError::Corrupt("forløb uden for listen"))
        }
    };
    let m = r.count(18)?;
    b.conversations.reserve_exact(m);
    for _ in 0..m {
        let c = course(r.u32()?)?;
        let date = r.day()?;
        let form = r.code()?;
        let flags = r.u8()?;
        b.conversations.push(Conversation {
            course: c,
            date,
            form,
            held: flags & 1 != 0,
            planned: flags & 2 != 0,
            caseworker: worker(r.oid()?)?,
            registered: r.oday()?,
        });
    }
    for _ in 0..r.count(16)? {
        b.standby.push(StandbyPeriod {
            course: course(r.u32()?)?,
            start: r.day()?,
            end: r.oday()?,
            registered: r.oday()?,
        });
    }
    for _ in 0..r.count(21)? {
        b.medical.push(MedicalRequest {
            course: course(r.u32()?)?,
            form: r.code()?,
            sent: r.day()?,
            deadline: r.oday()?,
            received: r.oday()?,
            received_registered: r.oday()?,
        });
    }
    for _ in 0..r.count(9)? {
        b.rehab.push(RehabMeeting {
            course: course(r.u32()?)?,
            date: r.day()?,
            basis: r.code()?,
        });
    }
    if !r.0.is_empty() {
        return Err(SnapshotError::Corrupt("bytes efter sidste kolonne"));
    }
    let (population, _) = b.build();
    Ok(Decoded {
        population,
        imported,
        generation,
    })
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
        let imported: Vec<Option<String>> = pop
            .courses
            .iter()
            .map(|c| c.caseworker.map(|w| pop.caseworkers[w.index()].key.clone()))
            .collect();
        let bytes = encode(&pop, &imported, 7);
        let back = decode(&bytes, 7).expect("reads");
        assert_eq!(fingerprint(&back.population), fingerprint(&pop));
        assert_eq!(back.imported, imported);
        assert_eq!(back.generation, 7);
        // The same population gives the same bytes.
        assert_eq!(encode(&back.population, &back.imported, 7), bytes);
        // Conversations as the last large list (the national case: found by the benchmark, a
        // count checked against too large a minimum row).
        let mut only = pop.clone().into_builder();
        only.standby.clear();
        only.medical.clear();
        only.rehab.clear();
        let (only, _) = only.build();
        let bytes = encode(&only, &imported, 7);
        assert_eq!(
            fingerprint(&decode(&bytes, 7).expect("reads").population),
            fingerprint(&only)
        );
    }

    /// A snapshot is never trusted when it is cut short, has a flipped bit anywhere, is of another
    /// format version or of another generation: each is refused with its reason.
    #[test]
    fn truncated_flipped_old_or_stale_snapshots_are_refused() {
        let pop = population();
        let bytes = encode(&pop, &vec![None; pop.courses.len()], 3);
        assert!(decode(&bytes, 3).is_ok());
        for cut in [0, 7, 20, 51, bytes.len() / 2, bytes.len() - 1] {
            let err = decode(&bytes[..cut], 3).err();
            assert!(
                matches!(
                    err,
                    Some(SnapshotError::NotASnapshot) | Some(SnapshotError::Checksum)
                ),
                "cut at {cut}: {err:?}"
            );
        }
        // A flipped bit in the header, the body and the checksum.
        for at in [
            3,
            9,
            14,
            40,
            bytes.len() / 3,
            bytes.len() - 40,
            bytes.len() - 1,
        ] {
            let mut b = bytes.clone();
            b[at] ^= 0x10;
            let err = decode(&b, 3).err();
            assert!(err.is_some(), "flip at {at} was trusted");
        }
        let mut old = bytes.clone();
        old[8..12].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(decode(&old, 3).err(), Some(SnapshotError::Version(0)));
        assert_eq!(
            decode(&bytes, 4).err(),
            Some(SnapshotError::Stale {
                found: 3,
                expected: 4
            })
        );
        assert_eq!(
            SnapshotError::Checksum.to_string(),
            "øjebliksbilledets kontrolsum passer ikke (filen er afkortet eller ændret)"
        );
    }
}
