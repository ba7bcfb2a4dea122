//! `kadence-bench --incremental`: the update after one municipality's daily import.
//!
//! The country is held as 98 municipality populations (the unit a jobcenter imports), each measure as
//! one [`Tally`] per municipality, and the national figure as their sum. When a municipality imports
//! today's export, only its courses are recomputed: its old tally is subtracted from the national one
//! and its new tally added. The result is checked against a full recompute of every municipality.
//!
//! Timed: the full recompute over all municipalities (the first import of a day, when the as-of date
//! moves), and the incremental update (every later import that day). Not timed here: reading the
//! municipality's files and building its population (the import, `scripts/bench-import`).

use std::time::{Duration, Instant};

use kadence_core::date::{Day, Month};
use kadence_core::measures::{compute_into, Definition, MeasureKind, Member, Tally};
use kadence_core::model::Population;
use kadence_core::rules::RuleBook;
use kadence_synth::{generate, Params};

use crate::{best, ms, peak_rss_mib, Args};

struct Job {
    kind: MeasureKind,
    def: Definition,
}

/// The four measures' tallies of one municipality.
fn tallies(
    pop: &Population,
    jobs: &[Job],
    from: Month,
    to: Month,
    as_of: Day,
    buf: &mut Vec<Member>,
) -> Vec<Tally> {
    let book = RuleBook::danish();
    jobs.iter()
        .map(|j| {
            buf.clear();
            compute_into(
                pop,
                &book,
                j.kind,
                &j.def,
                from,
                to,
                as_of,
                pop.course_ids(),
                buf,
            );
            let mut t = Tally::new(from, to);
            t.count(buf);
            t
        })
        .collect()
}

/// Every municipality's tallies, the municipalities split over `threads`.
fn all_tallies(
    munis: &[Population],
    jobs: &[Job],
    from: Month,
    to: Month,
    as_of: Day,
    threads: usize,
) -> Vec<Vec<Tally>> {
    let per = munis.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|sc| {
        let hs: Vec<_> = munis
            .chunks(per)
            .map(|part| {
                sc.spawn(move || {
                    let mut buf = Vec::new();
                    part.iter()
                        .map(|p| tallies(p, jobs, from, to, as_of, &mut buf))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hs.into_iter()
            .flat_map(|h| h.join().expect("a benchmark worker panicked"))
            .collect()
    })
}

fn national(parts: &[Vec<Tally>], from: Month, to: Month, n: usize) -> Vec<Tally> {
    let mut out = vec![Tally::new(from, to); n];
    for p in parts {
        for (o, t) in out.iter_mut().zip(p) {
            o.add(t);
        }
    }
    out
}

pub fn run(a: &Args) {
    let today = Day::ymd(2026, 10, 31);
    let yesterday = today.add_days(-1);
    let from = Month::new(2016, 11);
    let to = Month::new(2026, 10);
    let base = Params::national(a.seed, today).with_courses_per_year(a.per_year);
    let muni = |m: u32, export: Day| Params {
        seed: a.seed * 1_000 + u64::from(m),
        municipalities: 1,
        to: yesterday,
        as_of: export,
        ..base.clone()
    };
    let t = Instant::now();
    let mut munis: Vec<Population> = (0..base.municipalities)
        .map(|m| generate(&muni(m, yesterday)))
        .collect();
    let courses: usize = munis.iter().map(|p| p.courses.len()).sum();
    println!(
        "{} municipalities as yesterday's exports: {} courses (generated in {})",
        munis.len(),
        courses,
        ms(t.elapsed())
    );
    let jobs = [
        Job {
            kind: MeasureKind::FirstFollowUpOnTime,
            def: Definition::official(),
        },
        Job {
            kind: MeasureKind::EarlyEffort,
            def: Definition::official(),
        },
        Job {
            kind: MeasureKind::FocusTarget2,
            def: Definition::official(),
        },
        Job {
            kind: MeasureKind::EarlyEffort,
            def: Definition::internal_legacy(),
        },
    ];
    let (t_full, parts) = best(a.runs, || {
        all_tallies(&munis, &jobs, from, to, today, a.threads)
    });
    let before = national(&parts, from, to, jobs.len());

    // Municipality 42 imports today's export: subtract its old part, add its new one.
    let k = 41.min(munis.len() - 1);
    munis[k] = generate(&muni(k as u32, today));
    let mut buf = Vec::new();
    let mut updated = before.clone();
    let mut best_update = Duration::MAX;
    for _ in 0..a.runs.max(3) {
        let t = Instant::now();
        let mut nat = before.clone();
        let new = tallies(&munis[k], &jobs, from, to, today, &mut buf);
        for ((n, old), new) in nat.iter_mut().zip(&parts[k]).zip(&new) {
            n.subtract(old);
            n.add(new);
        }
        best_update = best_update.min(t.elapsed());
        updated = nat;
    }
    let full = national(
        &all_tallies(&munis, &jobs, from, to, today, a.threads),
        from,
        to,
        jobs.len(),
    );
    assert_eq!(
        updated, full,
        "the incremental update equals a full recompute"
    );
    let changed = before
        .iter()
        .zip(&updated)
        .map(|(b, u)| {
            b.months
                .iter()
                .zip(&u.months)
                .filter(|(x, y)| x != y)
                .count()
        })
        .sum::<usize>();
    println!("\n| work | time | result |");
    println!("|---|---:|---|");
    println!(
        "| full recompute: 4 measures x 120 months over {} municipalities ({} threads) | {} | {} courses |",
        munis.len(),
        a.threads,
        ms(t_full),
        courses
    );
    println!(
        "| incremental update after municipality {}'s import (4 measures, 1 thread) | {:.1} ms | {} courses recomputed; {} monthly figures changed; equal to a full recompute |",
        k + 1,
        best_update.as_secs_f64() * 1000.0,
        munis[k].courses.len(),
        changed
    );
    if let Some(m) = peak_rss_mib() {
        println!("\npeak memory (VmHWM): {m:.0} MiB");
    }
}
