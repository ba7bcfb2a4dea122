//! Sickness benefit by duration band (varighed), from Kadence's own data.
//!
//! `committee.md` §1.5: committees see bands such as 0-8 / 9-52 / over 52 weeks; the legal anchors
//! are the first follow-up by week 8 and the reassessment after 22 weeks. The bands are a setting
//! (default 0-8, 9-22, 23-52, over 52). A course's duration on a day is the whole weeks from its
//! first day of absence to that day (day 0-6 is 0 weeks); a course counts on a day when it is on
//! benefit then (from the benefit start to its end, as known on the as-of date).

use serde::Serialize;

use crate::date::Day;
use crate::model::{CourseKind, Population};

/// One band and the courses in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Band {
    /// "0–8 uger", "over 52 uger".
    pub label: String,
    pub from_weeks: u16,
    /// `None`: no upper edge.
    pub to_weeks: Option<u16>,
    pub courses: u32,
}

/// The sickness-benefit courses on benefit on `on`, as known on `as_of`, by the bands that `edges`
/// (rising upper edges in whole weeks) make.
pub fn duration_bands(pop: &Population, on: Day, as_of: Day, edges: &[u16]) -> Vec<Band> {
    let mut bands: Vec<Band> = Vec::with_capacity(edges.len() + 1);
    let mut from = 0u16;
    for &e in edges {
        bands.push(Band {
            label: format!("{from}–{e} uger"),
            from_weeks: from,
            to_weeks: Some(e),
            courses: 0,
        });
        from = e + 1;
    }
    bands.push(Band {
        label: format!("over {} uger", from.saturating_sub(1)),
        from_weeks: from,
        to_weeks: None,
        courses: 0,
    });
    if on > as_of {
        return bands;
    }
    for c in pop
        .courses
        .iter()
        .filter(|c| c.kind == CourseKind::SicknessBenefit)
    {
        let ended = c.end.is_some_and(|e| e.date <= as_of && e.date < on);
        if c.benefit_start > on || ended || c.first_absence > on {
            continue;
        }
        let weeks = c.first_absence.days_until(on) / 7;
        let weeks = u16::try_from(weeks).unwrap_or(u16::MAX);
        let i = edges.partition_point(|&e| e < weeks);
        bands[i].courses += 1;
    }
    bands
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::test_support::pop;
    use crate::model::CourseKind::SicknessBenefit as S;

    /// Each band edge on both sides: 8 weeks and 6 days is still 0-8; 9 weeks is 9-22; 52 weeks and
    /// 6 days is 23-52; 53 weeks is over 52. Ended and not-yet-paid courses do not count.
    #[test]
    fn band_edges() {
        let on = Day::ymd(2026, 11, 30);
        let back = |days: i32| on.add_days(-days).to_string();
        let cases: Vec<(String, &str)> = vec![
            (back(0), "0–8 uger"),
            (back(8 * 7 + 6), "0–8 uger"),
            (back(9 * 7), "9–22 uger"),
            (back(22 * 7 + 6), "9–22 uger"),
            (back(23 * 7), "23–52 uger"),
            (back(52 * 7 + 6), "23–52 uger"),
            (back(53 * 7), "over 52 uger"),
        ];
        for (fa, want) in &cases {
            let p = pop(&[(fa, fa, None, S, 1)]);
            let b = duration_bands(&p, on, on, &[8, 22, 52]);
            let hit: Vec<&str> = b
                .iter()
                .filter(|b| b.courses == 1)
                .map(|b| b.label.as_str())
                .collect();
            assert_eq!(hit, vec![*want], "first absence {fa}");
        }
        let p = pop(&[
            ("2026-10-01", "2026-10-20", Some("2026-11-29"), S, 1),
            ("2026-10-01", "2026-11-30", Some("2026-12-10"), S, 2),
            ("2026-11-20", "2026-12-05", None, S, 3),
        ]);
        let total: u32 = duration_bands(&p, on, on, &[8, 22, 52])
            .iter()
            .map(|b| b.courses)
            .sum();
        // Course 1 ended the day before; course 2 ends later (not known yet as of 30 Nov? it is a
        // fact dated 10 Dec, so it is still running); course 3 is not paid until December.
        assert_eq!(total, 1);
    }

    #[test]
    fn labels_follow_the_edges() {
        let p = pop(&[]);
        let labels: Vec<String> =
            duration_bands(&p, Day::ymd(2026, 1, 1), Day::ymd(2026, 1, 1), &[5, 52])
                .into_iter()
                .map(|b| b.label)
                .collect();
        assert_eq!(labels, vec!["0–5 uger", "6–52 uger", "over 52 uger"]);
    }
}
