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
//! - A citizens part: `count` citizens, each the CPR number's 10 digits (ASCII) and the name. The
//!   figures' reader on a SQLite file reads such a part only as far as its header (incremental
//!   blob I/O reads only the pages asked for): it needs no citizen, so it counts them against the
//!   head's total and leaves the body and checksum unread (`kept::read_sqlite_figures`).
//! - A courses part: its body in two sections, `figures_len` (a varint) and the **figures'
//!   section**, then the **details' section**, each holding the part's `count` courses in the same
//!   order. The figures' reader (`Scope::Figures`, `kadence_core::figures`) reads the first and
//!   skips the second unread; the whole reader reads both side by side.
//!   - A course's figures' record: its key (as the bytes it shares with the part's previous key,
//!     and the rest), presence bits, kind and target group in one byte, the first day of absence
//!     (days from 1800-01-01), the benefit start, the transition, the visitation, the early request,
//!     the reform's facts (behind one byte saying which), the § 13 f mark (marked, lapsed), the
//!     end, the caseworker the case system names (before moves made in Kadence); its latest registration among all its facts; its
//!     held conversations (date, registration), then its standby periods (start, end,
//!     registered).
//!   - A course's details' record: presence bits, its citizen, the course it continues; then every
//!     conversation in order (flags 1 held 2 booked, caseworker; the date and
//!     registration only of those not held, a held one's are in the figures' record, in the same
//!     order), the medical requests (form, sent, deadline, received, received registered), the
//!     rehabilitation meetings (date, basis). The whole reader checks that the held conversations
//!     and the latest registration of both records agree.
//!
//! In citizens' and courses' parts, numbers are LEB128 varints: a day as the zigzag days from a
//! day before it (the course's first day, the fact's previous one), an optional day in a figures'
//! record 0 for none and else that plus one, an optional one elsewhere behind a presence bit; an
//! id its index; a string its byte length and UTF-8 bytes. In the head, numbers are `u32` and a
//! string a `u32` length and its bytes. An enum is one byte, its index in the table of `codes`
//! (tables only grow at the end; anything else bumps the format).
//!
//! The checksum is CRC-32 (crc32fast, SIMD), one per part: it is there to find a part cut short
//! or altered by accident, not an attacker (who could as well write the database). With SHA-256
//! over the whole file, hashing was 7 % of the national benchmark's samples.
//!
//! History: 1 one file, SHA-256; 2 CRC-32; 3 facts inline with their course, the population
//! version in the header, and parts; 4 the figures' section apart from the details (a snapshot of
//! format 3 is refused and rebuilt from the tables once, by the first load after the upgrade); 5 the
//! § 13 f mark moved from the details into the figures' section (the 2026 exemption's measures read
//! it; a snapshot of format 4 is refused and rebuilt once).

pub mod kept;
pub mod merge;
mod read;
mod write;

pub use read::{
    decode, decode_figures_with, decode_measured_with, decode_parts, decode_scoped, decode_with,
};
pub use read::{threads, Scope, Scoped};
pub use write::{encode, parts, CitizenItem, CourseIds, Item, Part, Parts, Writer};

use kadence_core::date::Day;
use kadence_core::model::*;

/// The format's version; a snapshot of another version is rebuilt.
pub const FORMAT_VERSION: u32 = 5;
/// The size a part is cut at (after the item that passes it). Small, because a part is the unit the
/// parallel decoder holds twice (its bytes, then its decoded lists until their turn to be
/// appended): at the whole country's size, 8 MB parts made a server's peak about 140 MB higher
/// than 1 MB parts (1,100 against 960 MB) and started no faster; a fresh figures' read is as
/// fast (docs/performance.md). A reader takes parts of any size.
pub const PART: usize = 1 << 20;
pub(crate) const MAGIC: &[u8; 8] = b"KADPOP\0\0";
pub(crate) const HEADER: usize = 8 + 4 + 8 + 1 + 4 + 4;
pub(crate) const FIRST_DAY: Day = Day::ymd(1800, 1, 1);
pub(crate) const LAST_DAY: Day = Day::ymd(2199, 12, 31);

pub(crate) const HEAD: u8 = 0;
pub(crate) const CITIZENS: u8 = 1;
pub(crate) const COURSES: u8 = 2;

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

pub(crate) type Res<T> = Result<T, SnapshotError>;

/// A population read from a snapshot (or from the tables), of a population version. Each
/// course's caseworker is the one the case system names: the moves made in Kadence are applied
/// after it is read.
#[derive(Clone, Debug, Default)]
pub struct Decoded {
    pub population: Population,
    pub version: i64,
}

/// The figures' basis read from a snapshot ([`Scope::Figures`]), of a population version, with
/// the wanted courses found by key (each course's caseworker is still the case system's); or, with
/// a measure asked, that measure of it (`F` = [`kadence_core::figures::Measured`]).
#[derive(Clone, Debug, Default)]
pub struct DecodedFigures<F = kadence_core::figures::Figures> {
    pub figures: F,
    pub found: Vec<(String, CourseId)>,
    pub version: i64,
}

/// The presence bits of a course record.
pub(crate) mod has {
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

#[cfg(test)]
mod tests {
    use super::*;
    use kadence_core::figures::{MeasureQuery, Measured};
    use kadence_core::measures::{Definition, MeasureKind};

    /// A measure of the test population's last three years, by the official definition.
    fn query(pop: &Population, kind: MeasureKind) -> MeasureQuery {
        let as_of = Day::ymd(2027, 3, 31);
        assert!(!pop.courses.is_empty());
        MeasureQuery {
            book: kadence_core::rules::RuleBook::danish(),
            kind,
            def: Definition::official(),
            from: as_of.month().plus(-36),
            to: as_of.month(),
            as_of,
        }
    }

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
        // For the figures only: the same basis as the whole population's, on one thread and
        // three, the wanted courses found by key.
        let wanted: Vec<(String, CourseId)> = [1, pop.courses.len() / 2, pop.courses.len() - 1]
            .map(|i| (pop.courses[i].key.to_string(), CourseId::new(i as u32)))
            .to_vec();
        let keys: std::collections::HashSet<String> =
            wanted.iter().map(|(k, _)| k.clone()).collect();
        let whole = kadence_core::figures::Figures::from(pop.clone());
        // One measure asked of the reader: each part measured as it is decoded, the same result
        // as the whole basis measured, every measure.
        let queries: Vec<_> = MeasureKind::ALL
            .into_iter()
            .map(|kind| query(&pop, kind))
            .collect();
        for (size, threads) in [(PART, 1), (1024, 1), (1024, 3), (64, 3)] {
            let parts = encode(&pop, 7, size);
            let f = decode_figures_with(&parts, 7, threads, keys.clone()).expect("reads");
            assert!(f.figures == whole, "{size} {threads}");
            assert_eq!(f.found, wanted);
            assert_eq!(f.version, 7);
            for q in &queries {
                let m = decode_measured_with(&parts, 7, threads, keys.clone(), q.clone())
                    .expect("reads");
                let expected = Measured::of(&whole, q);
                assert!(!expected.result().members.is_empty(), "{:?}", q.kind);
                assert_eq!(m.figures, expected, "{size} {threads} {:?}", q.kind);
                assert_eq!(m.found, wanted);
                assert_eq!(m.version, 7);
            }
        }
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
            let _ = decode_figures_with(&p, 5, threads, Default::default());
            let q = query(&pop, MeasureKind::ALL[round % 3]);
            let _ = decode_measured_with(&p, 5, threads, Default::default(), q);
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
            // The figures' reader skips the citizens and most facts, and refuses alike, with or
            // without a measure asked of it.
            for threads in [1, 3] {
                let figures = decode_figures_with(&p, 3, threads, Default::default()).err();
                assert_eq!(
                    direct.is_some(),
                    figures.is_some(),
                    "{direct:?} {figures:?}"
                );
                let q = query(&pop, MeasureKind::EarlyEffort);
                let measured = decode_measured_with(&p, 3, threads, Default::default(), q).err();
                assert_eq!(
                    direct.is_some(),
                    measured.is_some(),
                    "{direct:?} {measured:?}"
                );
            }
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
