//! The seed's discrepancy (Punkt 60, Vesthimmerland, May 2022), reproduced.
//!
//! In weeks 35-51 of 2021 the internal measurement (benefit-start clock, standby courses left out)
//! showed 17 % of courses without 4 conversations in the first 6 months; STAR's official figure
//! (first-day-of-absence clock, standby courses counted) showed more than 20 %. A synthetic
//! municipality whose caseworkers plan from the benefit start shows the same gap, and the
//! reconciliation names the reason for every course that counts differently.

use kadence_core::measures::{compute, Definition, MeasureKind, Split};
use kadence_core::reconcile::{reconcile, Reason};
use kadence_core::rules::RuleBook;
use kadence_core::Month;
use kadence_synth::{generate, Params};

fn missing_share(
    r: &kadence_core::measures::MeasureResult,
    pop: &kadence_core::model::Population,
) -> f64 {
    let total = r.pooled(pop, Split::Total)[0];
    1.0 - total.share().expect("population is not empty")
}

#[test]
fn internal_definition_shows_17_percent_official_more_than_20() {
    let p = Params::vesthimmerland_2021(2022);
    let pop = generate(&p);
    let book = RuleBook::danish();
    let (from, to) = (Month::new(2021, 9), Month::new(2021, 12));
    let official = compute(
        &pop,
        &book,
        MeasureKind::EarlyEffort,
        &Definition::official(),
        from,
        to,
        p.as_of,
    );
    let internal = compute(
        &pop,
        &book,
        MeasureKind::EarlyEffort,
        &Definition::internal_legacy(),
        from,
        to,
        p.as_of,
    );
    let (o, i) = (
        missing_share(&official, &pop),
        missing_share(&internal, &pop),
    );
    eprintln!(
        "official: {:.1} % missing of {}; internal: {:.1} % missing of {}",
        o * 100.0,
        official.members.len(),
        i * 100.0,
        internal.members.len()
    );
    assert!(
        (0.14..=0.20).contains(&i),
        "internal definition should show about 17 %, got {i:.3}"
    );
    assert!(
        o > 0.20,
        "official definition should show more than 20 %, got {o:.3}"
    );
    assert!(
        official.members.len() > 200,
        "a municipality-sized population"
    );

    let rec = reconcile(
        &pop,
        &book,
        MeasureKind::EarlyEffort,
        &Definition::official(),
        &Definition::internal_legacy(),
        from,
        to,
        p.as_of,
    );
    assert!(!rec.differences.is_empty());
    for d in &rec.differences {
        assert!(!d.reasons.is_empty(), "no reason for {:?}", d);
        let text = d.explain(&rec.a.definition, &rec.b.definition);
        assert!(!text.contains("ukendt"), "{text}");
    }
    // Standby courses left out by the internal definition change the population, not just the month.
    use kadence_core::reconcile::Effect;
    assert!(rec
        .differences
        .iter()
        .any(|d| d.effect() == Effect::Population
            && d.reasons
                .iter()
                .any(|r| matches!(r, Reason::Standby { .. }))));
    assert!(rec
        .differences
        .iter()
        .any(|d| d.effect() == Effect::Numerator));
    // Both causes of the case appear: the clock start and the standby courses.
    assert!(rec.differences.iter().any(|d| d
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::ClockStart { .. }))));
    assert!(rec.differences.iter().any(|d| d
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::Standby { .. }))));
}
