//! The committee's follow-up block (opfølgning på sygedagpengeområdet): by month, the first
//! follow-up on time and the early-effort figure (at least 4 conversations at 6 months, STAR's
//! target 80 %) under STAR's definition and under the municipality's own, and the bridge between
//! the two in percentage points: how far each reason of the reconciliation moves the figure.
//!
//! The bridge is built step by step: start from STAR's figure; for each reason, in a fixed order
//! (clock start, standby, half-year reading, § 13 f, combinations after), move the courses with that
//! reason to how the own definition counts them, and record how many points the share moved. The
//! steps add up to the whole difference exactly; the order is stated beside the table, because with
//! a share (a numerator over a denominator) another order gives other step sizes.

use serde::Serialize;

use crate::date::{Day, Month};
use crate::measures::{compute, Definition, MeasureKind, Member, Split};
use crate::model::Population;
use crate::reconcile::{reconcile, Reason};
use crate::rules::RuleBook;

/// A share with its counts.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    pub numerator: u32,
    pub denominator: u32,
}

impl Share {
    pub fn value(&self) -> Option<f64> {
        (self.denominator > 0).then(|| f64::from(self.numerator) / f64::from(self.denominator))
    }
    /// "50,0 % (2 af 4)"; "-" when no one is measured. Every surface prints it so.
    pub fn text(&self) -> String {
        match self.value() {
            Some(v) => format!(
                "{} % ({} af {})",
                crate::dk::decimal(v * 100.0, 1),
                crate::dk::int(i64::from(self.numerator)),
                crate::dk::int(i64::from(self.denominator))
            ),
            None => "-".into(),
        }
    }
}

impl FollowUpMonth {
    /// Whether STAR's figure meets 80 %: "Ja", "Nej", or "-" when no one is measured.
    pub fn met_text(&self) -> &'static str {
        match self.early_met {
            Some(true) => "Ja",
            Some(false) => "Nej",
            None => "-",
        }
    }
}

impl BridgeStep {
    /// "+16,7 procentpoint"; "-" where a share has no one measured.
    pub fn points_text(&self) -> String {
        self.points.map_or("-".into(), |p| {
            format!("{} procentpoint", crate::dk::signed(p, 1))
        })
    }
}

impl Bridge {
    /// "juni 2026" or "juli 2025 - juni 2026".
    pub fn period(&self) -> String {
        if self.from == self.to {
            crate::dk::month(self.to)
        } else {
            format!(
                "{} - {}",
                crate::dk::month(self.from),
                crate::dk::month(self.to)
            )
        }
    }
}

/// One month of the block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FollowUpMonth {
    pub month: Month,
    pub early_official: Share,
    pub early_own: Share,
    pub first_official: Share,
    pub first_own: Share,
    /// Whether STAR's figure meets 80 % (`None`: no one measured).
    pub early_met: Option<bool>,
    /// The month is not over on the as-of date.
    pub partial: bool,
}

/// One step of the bridge.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BridgeStep {
    /// Danish: the reason (or reasons) of the courses moved in this step.
    pub reason: String,
    pub courses: u32,
    /// Percentage points the figure moves (`None` where a share has no one measured).
    pub points: Option<f64>,
}

/// The bridge from STAR's figure to the own figure over some months.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bridge {
    pub from: Month,
    pub to: Month,
    pub official: Share,
    pub own: Share,
    pub steps: Vec<BridgeStep>,
}

/// The block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FollowUp {
    pub official_name: String,
    pub own_name: String,
    pub own_description: String,
    pub target: f64,
    pub months: Vec<FollowUpMonth>,
    /// The report's month alone.
    pub bridge_month: Bridge,
    /// The twelve months up to and including the report's month.
    pub bridge_year: Bridge,
    /// Danish: how the bridge is built.
    pub bridge_method: &'static str,
    /// Registration lag (registreringsefterslæb) of the conversations held in the report's month,
    /// per team, against the municipality's rule: the habit behind "registreret for sent".
    pub registration: crate::registration::LagFigure,
}

impl FollowUp {
    /// Danish: the registration lag of the month in one sentence for the committee.
    pub fn registration_text(&self) -> String {
        let r = &self.registration;
        let t = &r.total;
        if !r.has_dates() {
            return format!(
                "Registrering af samtaler i {}: eksporten har ingen registreringsdatoer, så dagen, samtalen blev holdt, er brugt, og efterslæbet kan ikke opgøres.",
                crate::dk::month(self.bridge_month.to)
            );
        }
        let missing = if t.without_date > 0 {
            format!(
                " {} har ingen registreringsdato i eksporten; for dem er dagen, samtalen blev holdt, brugt.",
                crate::dk::count(u64::from(t.without_date), "samtale", "samtaler")
            )
        } else {
            String::new()
        };
        let [registered, late, share, longest] = t.texts();
        format!(
            "Registrering af samtaler i {}: {late} af {registered} afholdte samtaler ({share}) blev registreret senere end kommunens regel ({}); den længste blev registreret {longest} efter samtalen.{missing}",
            crate::dk::month(self.bridge_month.to),
            r.rule_text(),
        )
    }
}

pub const BRIDGE_METHOD: &str = "Broen går fra STARs tal til kommunens eget tal ét trin ad gangen: for hver årsag flyttes de forløb, der har den, fra STARs opgørelse til kommunens, og trinnet viser, hvor mange procentpoint andelen flytter sig. Rækkefølgen er den viste; trinnene summerer til hele forskellen.";

fn reason_rank(r: &Reason) -> (u8, &'static str) {
    match r {
        Reason::ClockStart { .. } => (
            0,
            "Uret starter en anden dag (første fraværsdag / ydelsens start)",
        ),
        Reason::Standby { .. } => (1, "Standby behandles forskelligt"),
        Reason::HalfYearReading { .. } => {
            (2, "Halvåret læses forskelligt (kalendermåneder / 182 dage)")
        }
        Reason::Exemption13f { .. } => (3, "Fritagelse efter § 13 f behandles forskelligt"),
        Reason::RegisteredLate { .. } => (
            4,
            "Registreret for sent (holdt inden opgørelsesdagen, registreret efter)",
        ),
    }
}

/// The reasons of one difference as a step's key: ranks sorted, and the Danish label.
fn reason_key(reasons: &[Reason]) -> (Vec<u8>, String) {
    let mut r: Vec<(u8, &'static str)> = reasons.iter().map(reason_rank).collect();
    r.sort();
    r.dedup();
    if r.is_empty() {
        return (vec![u8::MAX], "Anden forskel".into());
    }
    let label = r
        .iter()
        .enumerate()
        .map(|(i, x)| {
            if i == 0 {
                x.1.to_string()
            } else {
                let mut c = x.1.chars();
                c.next()
                    .map_or(String::new(), |f| f.to_lowercase().chain(c).collect())
            }
        })
        .collect::<Vec<_>>()
        .join(" og ");
    (r.iter().map(|x| x.0).collect(), label)
}

fn tally<'a>(members: impl Iterator<Item = &'a Member>, from: Month, to: Month) -> Share {
    let mut s = Share {
        numerator: 0,
        denominator: 0,
    };
    for m in members.filter(|m| m.month >= from && m.month <= to) {
        s.denominator += 1;
        s.numerator += u32::from(m.in_numerator);
    }
    s
}

fn points(before: Share, after: Share) -> Option<f64> {
    Some((after.value()? - before.value()?) * 100.0)
}

fn bridge(rec: &crate::reconcile::Reconciliation, from: Month, to: Month) -> Bridge {
    let official = tally(rec.a.members.iter(), from, to);
    let own = tally(rec.b.members.iter(), from, to);
    let inside = |m: Option<Member>| m.filter(|m| m.month >= from && m.month <= to);
    // (reason key, the moves of the courses with it: how each counts under STAR and under the own)
    type Moves = Vec<(Option<Member>, Option<Member>)>;
    let mut groups: Vec<((Vec<u8>, String), Moves)> = Vec::new();
    for d in &rec.differences {
        let (a, b) = (inside(d.a), inside(d.b));
        if a.map(|m| m.in_numerator) == b.map(|m| m.in_numerator) && a.is_some() == b.is_some() {
            continue; // moves between months outside this period, or not at all within it
        }
        let key = reason_key(&d.reasons);
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push((a, b)),
            None => groups.push((key, vec![(a, b)])),
        }
    }
    groups.sort_by(|x, y| x.0 .0.cmp(&y.0 .0));
    let mut at = official;
    let mut steps = Vec::new();
    for ((_, label), moves) in groups {
        let before = at;
        for (a, b) in &moves {
            if let Some(a) = a {
                at.denominator -= 1;
                at.numerator -= u32::from(a.in_numerator);
            }
            if let Some(b) = b {
                at.denominator += 1;
                at.numerator += u32::from(b.in_numerator);
            }
        }
        steps.push(BridgeStep {
            reason: label,
            courses: moves.len() as u32,
            points: points(before, at),
        });
    }
    debug_assert_eq!(at, own, "the bridge ends at the own figure");
    Bridge {
        from,
        to,
        official,
        own,
        steps,
    }
}

/// The block for the twelve months up to and including `month`, as of `as_of`.
pub fn follow_up(
    pop: &Population,
    book: &RuleBook,
    own: &Definition,
    month: Month,
    as_of: Day,
    registration_days: u16,
) -> FollowUp {
    let official = Definition::official();
    let from = month.plus(-11);
    let early = reconcile(
        pop,
        book,
        MeasureKind::EarlyEffort,
        &official,
        own,
        from,
        month,
        as_of,
    );
    let first_a = compute(
        pop,
        book,
        MeasureKind::FirstFollowUpOnTime,
        &official,
        from,
        month,
        as_of,
    );
    let first_b = compute(
        pop,
        book,
        MeasureKind::FirstFollowUpOnTime,
        own,
        from,
        month,
        as_of,
    );
    let share = |c: Option<&crate::measures::Cell>| {
        c.map_or(
            Share {
                numerator: 0,
                denominator: 0,
            },
            |c| Share {
                numerator: c.numerator,
                denominator: c.denominator,
            },
        )
    };
    let cells = |r: &crate::measures::MeasureResult| r.cells(pop, Split::Total);
    let (ea, eb, fa, fb) = (
        cells(&early.a),
        cells(&early.b),
        cells(&first_a),
        cells(&first_b),
    );
    let at = |cs: &[crate::measures::Cell], m: Month| share(cs.iter().find(|c| c.month == Some(m)));
    let target = MeasureKind::EarlyEffort.target().map_or(0.8, |t| t.share);
    let months = Month::range(from, month)
        .map(|m| {
            let early_official = at(&ea, m);
            FollowUpMonth {
                month: m,
                early_met: early_official.value().map(|v| v >= target),
                early_official,
                early_own: at(&eb, m),
                first_official: at(&fa, m),
                first_own: at(&fb, m),
                partial: m.last_day() > as_of,
            }
        })
        .collect();
    FollowUp {
        official_name: official.name.clone(),
        own_name: own.name.clone(),
        own_description: own.describe(),
        target,
        months,
        bridge_month: bridge(&early, month, month),
        bridge_year: bridge(&early, from, month),
        bridge_method: BRIDGE_METHOD,
        registration: crate::registration::registration_lag(
            pop,
            month.first_day(),
            month.last_day(),
            as_of,
            registration_days,
            Split::Team,
            |_| true,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::test_support::{pop_with, Facts};
    use crate::model::CourseKind::SicknessBenefit as S;

    fn d(s: &str) -> Day {
        Day::parse_iso(s).unwrap()
    }

    /// Four courses reaching six months (from the first day of absence) in June 2026: C0 and C3
    /// with four conversations, C1 with three (and its benefit started in January, so the
    /// benefit-start clock puts it in July), C2 in standby with one. STAR: 2 of 4 = 50 %. The old
    /// internal definition (benefit start, standby left out): 2 of 2 = 100 %. The bridge: moving C1
    /// out of June gives 2 of 3 (+16,7 points), leaving C2 out gives 2 of 2 (+33,3 points).
    #[test]
    fn the_bridge_moves_the_figure_by_each_reason_and_adds_up_to_the_difference() {
        let four = ["2026-01-10", "2026-02-10", "2026-03-10", "2026-04-10"];
        let pop = pop_with(Facts {
            courses: &[
                ("2025-12-05", "2025-12-05", None, S, 1),
                ("2025-12-01", "2026-01-10", None, S, 2),
                ("2025-12-10", "2025-12-10", None, S, 3),
                ("2025-12-15", "2025-12-15", None, S, 4),
            ],
            conversations: &[
                (0, &four),
                (1, &["2026-01-12", "2026-02-12", "2026-03-12"]),
                (2, &["2026-01-05"]),
                (3, &four),
            ],
            standby: &[(2, "2026-02-01", None)],
        });
        let book = RuleBook::danish();
        let f = follow_up(
            &pop,
            &book,
            &Definition::internal_legacy(),
            Month::new(2026, 6),
            d("2026-07-20"),
            0,
        );
        // The fixture's export has no registration dates: the block says so.
        assert_eq!(
            f.registration_text(),
            "Registrering af samtaler i juni 2026: eksporten har ingen registreringsdatoer, så dagen, samtalen blev holdt, er brugt, og efterslæbet kan ikke opgøres."
        );
        assert_eq!(f.registration.total.without_date, 0, "none held in June");
        let june = f.months.last().unwrap();
        assert_eq!(june.month, Month::new(2026, 6));
        assert_eq!(
            (
                june.early_official.numerator,
                june.early_official.denominator
            ),
            (2, 4)
        );
        assert_eq!(
            (june.early_own.numerator, june.early_own.denominator),
            (2, 2)
        );
        assert_eq!(june.early_met, Some(false));
        assert!(!june.partial);
        let b = &f.bridge_month;
        let steps: Vec<(&str, u32, String)> = b
            .steps
            .iter()
            .map(|s| {
                (
                    s.reason.as_str(),
                    s.courses,
                    format!("{:.1}", s.points.unwrap()),
                )
            })
            .collect();
        assert_eq!(
            steps,
            [
                (
                    "Uret starter en anden dag (første fraværsdag / ydelsens start)",
                    1,
                    "16.7".to_string()
                ),
                ("Standby behandles forskelligt", 1, "33.3".to_string()),
            ]
        );
        let sum: f64 = b.steps.iter().filter_map(|s| s.points).sum();
        assert!((sum - 50.0).abs() < 1e-9, "{sum}");
        // Over twelve months C1 only moves from June to July: still out of the period's
        // figure under the own clock, since July is after the period.
        assert_eq!(f.bridge_year.official, b.official);
        assert_eq!(f.months.len(), 12);
        assert_eq!(f.months[0].month, Month::new(2025, 7));
    }

    #[test]
    fn the_month_in_progress_is_marked_partial_and_an_empty_month_has_no_verdict() {
        let pop = pop_with(Facts {
            courses: &[("2026-02-05", "2026-02-05", None, S, 1)],
            conversations: &[],
            standby: &[],
        });
        let f = follow_up(
            &pop,
            &RuleBook::danish(),
            &Definition::by_the_law(),
            Month::new(2026, 7),
            d("2026-07-20"),
            0,
        );
        let july = f.months.last().unwrap();
        assert!(july.partial);
        assert_eq!(july.early_met, None);
        assert!(f.bridge_month.steps.is_empty());
    }
}
