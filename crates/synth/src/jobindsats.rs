//! Synthetic Jobindsats downloads for the demo and the tests: one CSV per benefit group in
//! Jobindsats' layout (';', decimal comma, a "Køn" dimension with its total row), for the
//! municipality, a RAR area, Hele landet and two neighbours, for the 36 months up to two months
//! before the as-of date (Jobindsats lags). The groups Kadence holds follow Kadence's own figures
//! with a small registration difference, and the newest month is a little low (late
//! registrations). Every number is made up; nothing resembles a real municipality.

use kadence_core::committee::{own_monthly, BENEFIT_GROUPS};
use kadence_core::date::{Day, Month};
use kadence_core::dk;
use kadence_core::model::Population;

use crate::Rng;

/// The areas the synthetic files hold, the municipality first.
pub const AREAS: [&str; 5] = [
    "Syntetisk Kommune",
    "RAR Syntetisk",
    "Hele landet",
    "Naboby",
    "Fjordby",
];

fn number(x: f64, decimals: usize) -> String {
    // Jobindsats writes no thousands separator, a decimal comma.
    dk::decimal(x, decimals).replace('.', "")
}

/// (file name, CSV text) per benefit group table.
pub fn jobindsats_files(pop: &Population, as_of: Day, seed: u64) -> Vec<(String, String)> {
    let newest = as_of.month().plus(-2);
    let first = newest.plus(-35);
    let own = own_monthly(pop, first, newest, as_of);
    let mut rng = Rng::new(seed ^ 0x4a6f_6269);
    // Labour force 16-66 per area (made up).
    let labour = [24_000.0, 300_000.0, 2_900_000.0, 31_000.0, 18_000.0];
    let mut out = Vec::new();
    for (gi, g) in BENEFIT_GROUPS.iter().enumerate() {
        let table = g.tables[0];
        let level = 0.004 + 0.002 * (gi % 5) as f64;
        let mut csv = String::from("Area;Periode;Køn;Antal personer;Antal fuldtidspersoner;Fuldtidspersoner i pct. af arbejdsstyrken 16-66 år;Fuldtidspersoner i pct. af befolkningen 16-66 år\n");
        for m in Month::range(first, newest) {
            if g.state_in(m) == kadence_core::committee::GroupState::Ended {
                continue;
            }
            let season = 1.0 + 0.06 * (f64::from(m.number()) / 12.0 * std::f64::consts::TAU).cos();
            for (ai, area) in AREAS.iter().enumerate() {
                let ft = match (ai, g.own) {
                    (0, Some(_)) => own
                        .iter()
                        .find(|o| o.group == g.code && o.month == m)
                        .map_or(0.0, |o| o.full_time_persons * (0.97 + 0.02 * rng.f())),
                    _ => labour[ai] * level * season * (0.95 + 0.1 * rng.f()),
                };
                let ft = if m == newest { ft * 0.96 } else { ft };
                let persons = (ft * 1.18).round();
                let share = ft / labour[ai] * 100.0;
                let period = format!("{}M{:02}", m.year(), m.number());
                let row = |kon: &str, f: f64| {
                    format!(
                        "{area};{period};{kon};{};{};{};{}\n",
                        number((persons * f).round(), 0),
                        number(ft * f, 1),
                        number(share * f, 1),
                        number(share * f * 0.8, 1),
                    )
                };
                csv.push_str(&row("Køn i alt", 1.0));
                csv.push_str(&row("Mænd", 0.48));
                csv.push_str(&row("Kvinder", 0.52));
            }
        }
        out.push((format!("{table}.csv"), csv));
    }
    out
}
