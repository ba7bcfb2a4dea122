//! The decoded parts gathered in order, on one thread straight onto the lists or on several,
//! each part decoded on its own and appended in its turn.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use kadence_core::figures::{FigureSegment, Figures, MeasureQuery, Measured, MeasuredSegment};
use kadence_core::model::*;

use super::super::{Res, SnapshotError, CITIZENS};
use super::part::{decode_into, decode_part, open_part, Head, Limits, Out};

/// The decoded parts gathered in order, each checked to follow the one before.
pub(super) struct Assembly {
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
    pub(super) fn new(head: Head, size: u64, figures: bool) -> Assembly {
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
    pub(super) fn decode_next(&mut self, bytes: &[u8], expected: i64, lim: Limits<'_>) -> Res<()> {
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
    pub(super) fn add(&mut self, seq: u32, out: Out) -> Res<()> {
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
    pub(super) fn finish_figures(mut self) -> Res<(Figures, Vec<(String, CourseId)>)> {
        let segments = std::mem::take(&mut self.segments);
        let (a, h) = self.complete()?;
        let figures = Figures::from_checked(h.teams, h.workers, segments)
            .ok_or(SnapshotError::Corrupt("fakta står i forkert orden"))?;
        Ok((figures, a.found))
    }

    /// The measure `q` of the figures' basis, from the parts measured as they were decoded.
    pub(super) fn finish_measured(
        mut self,
        q: &MeasureQuery,
    ) -> Res<(Measured, Vec<(String, CourseId)>)> {
        let measured = std::mem::take(&mut self.measured);
        let (a, h) = self.complete()?;
        let m = Measured::from_segments(h.teams, h.workers, q, measured)
            .ok_or(SnapshotError::Corrupt("fakta står i forkert orden"))?;
        Ok((m, a.found))
    }

    pub(super) fn finish(self) -> Res<Population> {
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

/// One thread decodes the parts in order onto the lists; the caller's thread reads them.
pub(super) fn direct<B: AsRef<[u8]> + Send, E>(
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
pub(super) fn parallel<B: AsRef<[u8]> + Send, E>(
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
