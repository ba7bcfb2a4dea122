//! `kadence-bench`: the national-scale benchmark of the core.
//!
//! Generates the whole country's ten years (98 synthetic municipalities, ~3 million courses, ~15 million
//! conversations), then times, from memory (warm):
//! - every duty of every course as of one date ([`evaluate`]);
//! - all three measures by month over the ten years under the official definition, and the
//!   early-effort measure under the internal definition, with the reconciliation of the two;
//!
//! each on one thread and on all cores (chunks of courses, merged). Reports the best of `--runs` runs,
//! peak memory, and the machine. Usage and recorded figures: `docs/performance.md`.
//!
//! With `--export DIR` it also writes the population and its figures for the DuckDB peer
//! (`scripts/bench-duckdb`, see [`peer`]), and it times the scan floor: one pass over the columns the
//! measures read.
//!
//! With `--incremental` it times instead the update after one municipality's daily import
//! ([`incremental`]).
//!
//! Run: `cargo run --release -p kadence-bench -- [--courses-per-year N] [--runs N] [--threads N]
//! [--export DIR] [--incremental]`

mod incremental;
mod peer;

use std::time::{Duration, Instant};

use kadence_core::date::{Day, Month};
use kadence_core::duties::{evaluate, Status};
use kadence_core::measures::{compute_into, Definition, MeasureKind, Member};
use kadence_core::model::{CourseId, Population};
use kadence_core::reconcile::reconcile;
use kadence_core::rules::RuleBook;
use kadence_core::settings::Settings;
use kadence_synth::{generate, Params};

pub(crate) struct Args {
    incremental: bool,
    per_year: u32,
    runs: usize,
    threads: usize,
    seed: u64,
    export: Option<std::path::PathBuf>,
    snapshot: bool,
}

fn args() -> Args {
    let mut a = Args {
        incremental: false,
        per_year: 2950,
        runs: 3,
        threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        seed: 1,
        export: None,
        snapshot: false,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        if argv[i] == "--incremental" {
            a.incremental = true;
            i += 1;
            continue;
        }
        if argv[i] == "--snapshot" {
            a.snapshot = true;
            i += 1;
            continue;
        }
        if argv[i] == "--export" {
            if let Some(dir) = argv.get(i + 1) {
                a.export = Some(dir.into());
                i += 2;
                continue;
            }
        }
        let val = argv.get(i + 1).and_then(|v| v.parse::<u64>().ok());
        match (argv[i].as_str(), val) {
            ("--courses-per-year", Some(v)) => a.per_year = v as u32,
            ("--runs", Some(v)) => a.runs = (v as usize).max(1),
            ("--threads", Some(v)) => a.threads = (v as usize).max(1),
            ("--seed", Some(v)) => a.seed = v,
            _ => {
                eprintln!("usage: kadence-bench [--courses-per-year N] [--runs N] [--threads N] [--seed N] [--export DIR] [--incremental] [--snapshot]");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    a
}

pub(crate) fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        out = Some(r);
    }
    (best, out.expect("at least one run"))
}

/// The population snapshot file (issue 15): writing it, and reading it back from disk into a
/// population (the work a fresh process would do at start instead of loading rows from the
/// database).
fn snapshot(pop: &Population, runs: usize) {
    use kadence_store::snapshot::{decode, encode, threads, PART};
    let (t_enc, parts) = best(runs, || encode(pop, 1, PART));
    let size: usize = parts.iter().map(|(_, b)| b.len()).sum();
    let (t_dec, back) = best(runs, || decode(&parts, 1).expect("the snapshot reads"));
    assert_eq!(back.population.courses.len(), pop.courses.len());
    assert_eq!(
        back.population.conversation_count(),
        pop.conversation_count()
    );
    drop(back);
    println!("\n| snapshot work | time | size |");
    println!("|---|---:|---:|");
    println!(
        "| encode the population | {} | {:.0} MB in {} parts |",
        ms(t_enc),
        size as f64 / 1e6,
        parts.len()
    );
    println!(
        "| decode the parts into a population ({} threads) | {} | |",
        threads(),
        ms(t_dec)
    );
    if let Some(m) = peak_rss_mib() {
        println!("\npeak memory (VmHWM, generator and both copies included): {m:.0} MiB");
    }
}

fn chunks(pop: &Population, threads: usize) -> Vec<std::ops::Range<u32>> {
    let n = pop.courses.len() as u32;
    let size = n.div_ceil(threads as u32).max(1);
    (0..threads as u32)
        .map(|i| (i * size).min(n)..((i + 1) * size).min(n))
        .collect()
}

/// All duties of all courses; returns (duties, overdue) so the work cannot be optimised away.
fn all_duties(pop: &Population, as_of: Day, threads: usize) -> (usize, usize) {
    let book = RuleBook::danish();
    let s = Settings::default();
    let work = |r: std::ops::Range<u32>| {
        let (mut n, mut overdue) = (0, 0);
        for id in r {
            let st = evaluate(pop.facts(CourseId::new(id)), &book, &s, as_of);
            n += st.duties.len();
            overdue += st
                .duties
                .iter()
                .filter(|d| d.status == Status::Overdue)
                .count();
        }
        (n, overdue)
    };
    fan_out(pop, threads, work)
        .into_iter()
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// Runs `work` over equal chunks of the courses, one thread each (inline for one thread), and returns
/// the chunks' results in course order. A worker's panic is the benchmark's panic: a swallowed one
/// would make the figures wrong without a word.
fn fan_out<T: Send>(
    pop: &Population,
    threads: usize,
    work: impl Fn(std::ops::Range<u32>) -> T + Sync,
) -> Vec<T> {
    if threads == 1 {
        return vec![work(0..pop.courses.len() as u32)];
    }
    let work = &work;
    std::thread::scope(|sc| {
        let hs: Vec<_> = chunks(pop, threads)
            .into_iter()
            .map(|r| sc.spawn(move || work(r)))
            .collect();
        hs.into_iter()
            .map(|h| h.join().expect("a benchmark worker panicked"))
            .collect()
    })
}

/// The scan floor: one pass over the columns the measures read (each course's kind, start dates and
/// end; the dates of its held conversations), doing next to nothing with them. The measures' time
/// is stated as a multiple of this.
fn scan_floor(pop: &Population, threads: usize) -> u64 {
    let work = |r: std::ops::Range<u32>| {
        let mut acc = 0u64;
        for id in r {
            let f = pop.facts(CourseId::new(id));
            let c = f.course;
            acc = acc.wrapping_add(
                (c.first_absence.number() ^ c.benefit_start.number()) as u64
                    + c.end.map_or(0, |e| e.date.number() as u64)
                    + c.kind as u64,
            );
            for d in f.held {
                acc = acc.wrapping_add(d.number() as u64);
            }
        }
        std::hint::black_box(acc)
    };
    fan_out(pop, threads, work)
        .into_iter()
        .fold(0, u64::wrapping_add)
}

/// One measure over all courses, chunked over threads, into per-thread member buffers that are reused
/// from run to run, as a long-running server keeps them: the first run pays the kernel for fresh
/// pages (`clear_page_erms` was 22 % of a profile when every run allocated anew), the best of the
/// runs measures the work. The buffers hold the members in course order, chunk after chunk.
#[allow(clippy::too_many_arguments)]
fn measure(
    pop: &Population,
    kind: MeasureKind,
    def: &Definition,
    from: Month,
    to: Month,
    as_of: Day,
    bufs: &mut [Vec<Member>],
) -> (usize, usize) {
    let book = RuleBook::danish();
    fan_members(pop.courses.len() as u32, bufs, |r, out| {
        compute_into(
            pop,
            &book,
            kind,
            def,
            from,
            to,
            as_of,
            r.map(CourseId::new),
            out,
        )
    })
}

/// [`measure`] on the figures' basis.
#[allow(clippy::too_many_arguments)]
fn measure_figures(
    basis: &kadence_core::figures::Figures,
    kind: MeasureKind,
    def: &Definition,
    from: Month,
    to: Month,
    as_of: Day,
    bufs: &mut [Vec<Member>],
) -> (usize, usize) {
    let book = RuleBook::danish();
    fan_members(basis.courses() as u32, bufs, |r, out| {
        basis.compute_into(&book, kind, def, from, to, as_of, r, out)
    })
}

/// Runs `run` over `n` courses in one equal chunk per buffer (inline for one), each into its
/// buffer cleared first; returns the members and the numerator.
fn fan_members(
    n: u32,
    bufs: &mut [Vec<Member>],
    run: impl Fn(std::ops::Range<u32>, &mut Vec<Member>) + Sync,
) -> (usize, usize) {
    let size = n.div_ceil(bufs.len() as u32).max(1);
    let run = &run;
    if bufs.len() == 1 {
        bufs[0].clear();
        run(0..n, &mut bufs[0]);
    } else {
        std::thread::scope(|sc| {
            for (i, out) in bufs.iter_mut().enumerate() {
                let r = (i as u32 * size).min(n)..((i as u32 + 1) * size).min(n);
                sc.spawn(move || {
                    // The buffer taken onto this thread's stack while it runs: the threads'
                    // `Vec` headers sit side by side in `bufs`, and a push writes its length
                    // there, so two threads pushing members shared one cache line (false
                    // sharing: two threads took as long as one, found 2026-12-07).
                    let mut own = std::mem::take(out);
                    own.clear();
                    run(r, &mut own);
                    *out = own;
                });
            }
        });
    }
    let members = bufs.iter().map(Vec::len).sum();
    let numerator = bufs.iter().flatten().filter(|m| m.in_numerator).count();
    (members, numerator)
}

pub(crate) fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let a = args();
    if a.incremental {
        incremental::run(&a);
        return;
    }
    let as_of = Day::ymd(2026, 10, 31);
    println!(
        "machine: {} ({} threads available), {}",
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::ARCH
    );
    let t = Instant::now();
    let pop = generate(&Params::national(a.seed, as_of).with_courses_per_year(a.per_year));
    let gen = t.elapsed();
    println!(
        "population: {} courses, {} conversations, {} caseworkers (generated in {})",
        pop.courses.len(),
        pop.conversation_count(),
        pop.caseworkers.len(),
        ms(gen)
    );
    if a.snapshot {
        snapshot(&pop, a.runs);
        return;
    }
    let from = Month::new(2016, 11);
    let to = Month::new(2026, 10);
    let official = Definition::official();
    let internal = Definition::internal_legacy();
    println!("\n| work | 1 thread | {} threads | result |", a.threads);
    println!("|---|---:|---:|---|");
    let (t1, r1) = best(a.runs, || all_duties(&pop, as_of, 1));
    let (tn, rn) = best(a.runs, || all_duties(&pop, as_of, a.threads));
    assert_eq!(r1, rn);
    println!(
        "| all duties of all courses as of {as_of} | {} | {} | {} duties, {} overdue |",
        ms(t1),
        ms(tn),
        r1.0,
        r1.1
    );
    let (f1, c1) = best(a.runs, || scan_floor(&pop, 1));
    let (fnn, cn) = best(a.runs, || scan_floor(&pop, a.threads));
    assert_eq!(c1, cn);
    println!(
        "| scan floor: one pass over the columns the measures read | {} | {} | checksum {c1} |",
        ms(f1),
        ms(fnn)
    );
    let mut figures = a.export.as_ref().map(|dir| {
        peer::write_input(dir, &pop, &RuleBook::danish()).expect("write the peer's input");
        peer::Figures::create(dir).expect("write kadence.csv")
    });
    let mut timings = Vec::new();
    let mut total_1 = Duration::ZERO;
    let mut total_n = Duration::ZERO;
    let mut one: Vec<Vec<Member>> = vec![Vec::new()];
    let mut many: Vec<Vec<Member>> = vec![Vec::new(); a.threads];
    let runs = [
        (MeasureKind::FirstFollowUpOnTime, &official, "official"),
        (MeasureKind::EarlyEffort, &official, "official"),
        (MeasureKind::FocusTarget2, &official, "official"),
        (MeasureKind::EarlyEffort, &internal, "internal"),
    ];
    for (kind, def, def_name) in runs {
        let (t1, r1) = best(a.runs, || {
            measure(&pop, kind, def, from, to, as_of, &mut one)
        });
        let (tn, rn) = best(a.runs, || {
            measure(&pop, kind, def, from, to, as_of, &mut many)
        });
        assert_eq!(r1, rn, "the same members on one thread and on many");
        total_1 += t1;
        total_n += tn;
        println!(
            "| {kind:?}, 120 months, {def_name} | {} | {} | {} of {}; {:.1}x the scan floor |",
            ms(t1),
            ms(tn),
            r1.1,
            r1.0,
            tn.as_secs_f64() / fnn.as_secs_f64()
        );
        if let Some(f) = figures.as_mut() {
            f.add(&format!("{kind:?}"), def_name, &one[0])
                .expect("write kadence.csv");
        }
        timings.push((format!("{kind:?}"), def_name, t1, tn));
    }
    println!(
        "| **all measures above** | **{}** | **{}** | |",
        ms(total_1),
        ms(total_n)
    );
    // The same on the figures' basis (what `kadence measure` reads): the same members, asserted.
    let basis = kadence_core::figures::Figures::from(pop.clone());
    let (mut basis_1, mut basis_n) = (Duration::ZERO, Duration::ZERO);
    for (kind, def, def_name) in runs {
        let (t1, r1) = best(a.runs, || {
            measure_figures(&basis, kind, def, from, to, as_of, &mut one)
        });
        let (tn, rn) = best(a.runs, || {
            measure_figures(&basis, kind, def, from, to, as_of, &mut many)
        });
        let whole = measure(&pop, kind, def, from, to, as_of, &mut one);
        assert_eq!(
            (r1, rn),
            (whole, whole),
            "the figures' basis gives the same members"
        );
        basis_1 += t1;
        basis_n += tn;
        println!(
            "| {kind:?}, 120 months, {def_name}, on the figures' basis | {} | {} | {} of {} |",
            ms(t1),
            ms(tn),
            r1.1,
            r1.0,
        );
    }
    println!(
        "| **all measures on the figures' basis** | **{}** | **{}** | |",
        ms(basis_1),
        ms(basis_n)
    );
    drop(basis);
    if let Some(dir) = &a.export {
        let mut text = String::from("measure,definition,ms_1_thread,ms_all_threads,threads\n");
        for (m, d, t1, tn) in &timings {
            text.push_str(&format!(
                "{m},{d},{:.3},{:.3},{}\n",
                t1.as_secs_f64() * 1000.0,
                tn.as_secs_f64() * 1000.0,
                a.threads
            ));
        }
        text.push_str(&format!(
            "scan floor,,{:.3},{:.3},{}\n",
            f1.as_secs_f64() * 1000.0,
            fnn.as_secs_f64() * 1000.0,
            a.threads
        ));
        std::fs::write(dir.join("kadence-timings.csv"), text).expect("write kadence-timings.csv");
    }
    let (tr, rec) = best(1, || {
        reconcile(
            &pop,
            &RuleBook::danish(),
            MeasureKind::EarlyEffort,
            &official,
            &internal,
            from,
            to,
            as_of,
        )
    });
    println!(
        "| reconciliation official vs internal (1 thread) | {} | | {} differing courses |",
        ms(tr),
        rec.differences.len()
    );
    if let Some(m) = peak_rss_mib() {
        println!("\npeak memory (VmHWM): {m:.0} MiB");
    }
}
