//! Reading a snapshot: each part checked (magic, format, checksum, population version) and
//! decoded, on several threads or one, and gathered in order into a population. The layout is in
//! `super`'s documentation.

use std::collections::HashSet;

use kadence_core::figures::{MeasureQuery, Measured};

use super::{Decoded, DecodedFigures, Part, SnapshotError};

mod assembly;
mod bytes;
mod part;

use assembly::{direct, parallel, Assembly};
use part::{read_head, Limits};

/// What a reader keeps of a snapshot.
#[derive(Clone, Debug, Default)]
pub enum Scope {
    /// The whole population.
    #[default]
    Whole,
    /// What the measures read ([`Figures`](kadence_core::figures::Figures)): no citizens, course
    /// keys, conversation rows, medical requests or meetings (each still read and checked, then
    /// dropped). `keys`: the courses whose keys the caller needs (those moved in Kadence), found
    /// by key as they are read. With
    /// `measure`, that measure of it ([`Measured`]): each part is measured on the thread that
    /// decoded it and its columns dropped, so the basis is never held whole.
    Figures {
        keys: HashSet<String>,
        measure: Option<Box<MeasureQuery>>,
    },
}

/// Reads a snapshot from its parts, the head first and the rest in order as `parts` yields them
/// (`E`: the source's own error, e.g. the database's; `size`: the parts' bytes together), while
/// the caller's thread reads the next parts. Never more than a few parts are held at once. A part
/// of another format, population version or checksum, or a part missing, out of order or in
/// excess, refuses the whole snapshot.
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
