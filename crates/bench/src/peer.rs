//! The DuckDB peer's input and Kadence's answers: the population as plain CSV (ISO dates, integer ids,
//! one-letter codes), the rule sets as a table, and Kadence's figures per measure and month, so that
//! `scripts/bench-duckdb` can compute the same measures in SQL and compare every figure exactly.
//!
//! Files written to the export folder:
//! - `courses.csv`: id, kind (S sickness benefit, J job clarification), first_absence, benefit_start,
//!   end_date, category (1-3), category_date, early_by (E employer, C citizen), early_date;
//! - `conversations.csv`: course, date, held (true/false);
//! - `standby.csv`: course, start, end;
//! - `rules.csv`: in_force_from, first_follow_up_weeks, early_request_days, employer_request_weeks,
//!   cov1, cov2, cov3 (the first set's date is written as 0001-01-01: before the first set, the first
//!   set applies, as in `RuleBook::in_force_on`);
//! - `kadence.csv`: measure, definition, month, numerator, denominator.

use std::fs::File;
use std::io::{BufWriter, Result, Write};
use std::path::Path;

use kadence_core::date::Day;
use kadence_core::measures::Member;
use kadence_core::model::{Category, CourseKind, Population, Requester};
use kadence_core::rules::RuleBook;

fn opt(d: Option<Day>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Writes the population and the rule book as the peer's input.
pub fn write_input(dir: &Path, pop: &Population, book: &RuleBook) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("courses.csv"))?);
    writeln!(
        w,
        "id,kind,first_absence,benefit_start,end_date,category,category_date,early_by,early_date"
    )?;
    for (i, c) in pop.courses.iter().enumerate() {
        writeln!(
            w,
            "{i},{},{},{},{},{},{},{},{}",
            match c.kind {
                CourseKind::SicknessBenefit => "S",
                CourseKind::JobClarification => "J",
            },
            c.first_absence,
            c.benefit_start,
            opt(c.end.map(|e| e.date)),
            c.visitation.map_or(String::new(), |v| match v.category {
                Category::One => "1".into(),
                Category::Two => "2".into(),
                Category::Three => "3".into(),
            }),
            opt(c.visitation.map(|v| v.set_on)),
            c.early_request.map_or("", |r| match r.by {
                Requester::Employer => "E",
                Requester::Citizen => "C",
            }),
            opt(c.early_request.map(|r| r.date)),
        )?;
    }
    w.flush()?;
    let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("conversations.csv"))?);
    let mut s = BufWriter::with_capacity(1 << 20, File::create(dir.join("standby.csv"))?);
    writeln!(w, "course,date,held")?;
    writeln!(s, "course,start,end")?;
    for id in pop.course_ids() {
        let f = pop.facts(id);
        for c in f.conversations {
            writeln!(w, "{},{},{}", id.get(), c.date, c.held)?;
        }
        for p in f.standby {
            writeln!(s, "{},{},{}", id.get(), p.start, opt(p.end))?;
        }
    }
    w.flush()?;
    s.flush()?;
    let mut w = BufWriter::new(File::create(dir.join("rules.csv"))?);
    writeln!(
        w,
        "in_force_from,first_follow_up_weeks,early_request_days,employer_request_weeks,cov1,cov2,cov3"
    )?;
    for (i, r) in book.sets().iter().enumerate() {
        writeln!(
            w,
            "{},{},{},{},{},{},{}",
            if i == 0 {
                "0001-01-01".to_string()
            } else {
                r.in_force_from.to_string()
            },
            r.first_follow_up_weeks,
            r.early_request_days,
            r.employer_request_weeks,
            r.covered.contains(&Category::One),
            r.covered.contains(&Category::Two),
            r.covered.contains(&Category::Three),
        )?;
    }
    w.flush()
}

/// Kadence's figures, one line per (measure, definition, month), in month order.
pub struct Figures(BufWriter<File>);

impl Figures {
    pub fn create(dir: &Path) -> Result<Figures> {
        let mut w = BufWriter::new(File::create(dir.join("kadence.csv"))?);
        writeln!(w, "measure,definition,month,numerator,denominator")?;
        Ok(Figures(w))
    }

    pub fn add(&mut self, measure: &str, definition: &str, members: &[Member]) -> Result<()> {
        let mut by_month = std::collections::BTreeMap::new();
        for m in members {
            let e = by_month.entry(m.month).or_insert((0u64, 0u64));
            e.0 += u64::from(m.in_numerator);
            e.1 += 1;
        }
        for (month, (n, d)) in by_month {
            writeln!(self.0, "{measure},{definition},{month},{n},{d}")?;
        }
        self.0.flush()
    }
}
