//! Micro-benchmarks of the core's hot paths (divan), on one synthetic municipality: the building
//! blocks whose sums the national benchmark (`kadence-bench`) times. Run: `cargo bench -p
//! kadence-bench`. Figures: docs/performance.md.

use std::sync::LazyLock;

use divan::{black_box, Bencher};
use kadence_core::date::{Day, Month};
use kadence_core::duties::evaluate;
use kadence_core::measures::{compute, Definition, MeasureKind};
use kadence_core::model::{CourseId, Population};
use kadence_core::rules::RuleBook;
use kadence_core::settings::Settings;
use kadence_synth::{generate, Params};

const AS_OF: Day = Day::ymd(2026, 10, 31);

/// One municipality over ten years (~30,000 courses).
static POP: LazyLock<Population> = LazyLock::new(|| {
    generate(&Params::national(1, AS_OF).with_courses_per_year(2950)).into_municipality(0)
});

/// The first municipality of the national population, as its own population.
trait FirstMunicipality {
    fn into_municipality(self, _: u32) -> Population;
}

impl FirstMunicipality for Population {
    fn into_municipality(self, _: u32) -> Population {
        let mut b = self.into_builder();
        let keep = |key: &str| key.starts_with("K01-");
        let n = b.courses.iter().take_while(|c| keep(&c.key)).count() as u32;
        b.courses.truncate(n as usize);
        b.conversations.retain(|(c, _)| c.get() < n);
        b.standby.retain(|c| c.course.get() < n);
        b.medical.retain(|c| c.course.get() < n);
        b.rehab.retain(|c| c.course.get() < n);
        b.build().0
    }
}

fn main() {
    divan::main();
}

/// `Day::add_months` (table path), the calendar arithmetic behind every window.
#[divan::bench]
fn add_months(b: Bencher) {
    let days: Vec<Day> = (0..1000)
        .map(|i| Day::ymd(2016, 1, 1).add_days(i * 3))
        .collect();
    b.bench(|| {
        days.iter()
            .map(|d| black_box(*d).add_months(6).number() as i64)
            .sum::<i64>()
    });
}

/// Every duty of one course, as of a day (the course page and the worklist's unit of work).
#[divan::bench]
fn evaluate_one_course(b: Bencher) {
    let (book, s) = (RuleBook::danish(), Settings::default());
    let pop = &*POP;
    let ids: Vec<CourseId> = pop.course_ids().step_by(97).take(200).collect();
    b.bench(|| {
        ids.iter()
            .map(|id| evaluate(pop.facts(*id), &book, &s, AS_OF).duties.len())
            .sum::<usize>()
    });
}

/// One measure over the municipality's ten years, each definition's hot loop.
#[divan::bench(args = [MeasureKind::FirstFollowUpOnTime, MeasureKind::EarlyEffort, MeasureKind::FocusTarget2])]
fn measure_municipality(b: Bencher, kind: MeasureKind) {
    let book = RuleBook::danish();
    let def = Definition::official();
    let pop = &*POP;
    b.bench(|| {
        compute(
            pop,
            &book,
            kind,
            &def,
            Month::new(2016, 11),
            Month::new(2026, 10),
            AS_OF,
        )
        .members
        .len()
    });
}
