//! "The 2026 trap, the seed's story again" (`shared/domain/README.md` §6): under the 2026 § 13 f an
//! employed citizen expected to be fit by week 26 owes no conversations; if not fit after all, the
//! course reaches 6 months' seniority with none, held lawfully. STAR's published model has no
//! exemption, so its early-effort figure counts such courses as misses. Kadence computes both and
//! names "§ 13 f" as the reason, course by course.

use kadence_core::date::{Day, Month};
use kadence_core::measures::{compute, Definition, ExemptTreatment, MeasureKind, Split};
use kadence_core::reconcile::{reconcile, Reason};
use kadence_core::rules::RuleBook;
use kadence_synth::{generate, Params};

#[test]
fn exempt_courses_lower_the_figure_that_counts_them_and_the_reconciliation_says_why() {
    let as_of = Day::ymd(2027, 3, 31);
    let p = Params::municipality(2026, as_of);
    let pop = generate(&p);
    let book = RuleBook::danish();
    let law = Definition {
        name: "Kommunens (§ 13 f-fritagne udeladt)".into(),
        exempt: ExemptTreatment::Exclude,
        ..Definition::official()
    };
    let (from, to) = (Month::new(2026, 10), Month::new(2027, 3));
    for kind in [MeasureKind::EarlyEffort, MeasureKind::FirstFollowUpOnTime] {
        let star = compute(&pop, &book, kind, &Definition::official(), from, to, as_of);
        let ours = compute(&pop, &book, kind, &law, from, to, as_of);
        let share = |r: &kadence_core::measures::MeasureResult| {
            r.pooled(&pop, Split::Total)[0].share().unwrap_or(0.0)
        };
        assert!(
            share(&ours) > share(&star),
            "{kind:?}: leaving the exempt out raises the figure: {} vs {}",
            share(&ours),
            share(&star)
        );
        let rec = reconcile(
            &pop,
            &book,
            kind,
            &Definition::official(),
            &law,
            from,
            to,
            as_of,
        );
        assert!(!rec.differences.is_empty(), "{kind:?}");
        for d in &rec.differences {
            assert!(
                d.reasons
                    .iter()
                    .any(|r| matches!(r, Reason::Exemption13f { .. })),
                "{kind:?}: {:?}",
                d
            );
            let text = d.explain(&rec.a.definition, &rec.b.definition);
            assert!(text.contains("§ 13 f"), "{text}");
        }
    }
}
