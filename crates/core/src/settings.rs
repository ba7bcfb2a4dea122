//! Municipal settings and the readings of ambiguous wording.
//!
//! Where the sources leave a choice open, the choice is a setting with a documented default, never a
//! silent assumption (`shared/domain/README.md` §3). Each enum documents both readings.

use serde::{Deserialize, Serialize};

/// Reading of "within the first half-year" (inden for det første halve år).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum HalfYear {
    /// Default: calendar months, up to and including the day before the same date six months later
    /// (2 Jan -> 1 Jul; 1 Mar -> 31 Aug); where that date does not exist, the last day of that month
    /// (31 Aug -> 28/29 Feb; 31 Mar -> 30 Sep). See [`crate::date::Day::period_end`].
    #[default]
    CalendarMonths,
    /// Alternative: 182 days (day 1 to day 182).
    Days182,
}

impl HalfYear {
    /// Last day of the first `months` months from `day1` (for the 182-day reading, `months` / 6 * 182
    /// days).
    #[inline]
    pub fn window_end(self, day1: crate::date::Day, months: u8) -> crate::date::Day {
        match self {
            HalfYear::CalendarMonths => day1.period_end(i32::from(months)),
            HalfYear::Days182 => day1.add_days(i32::from(months) * 182 / 6 - 1),
        }
    }
}

/// What "as of a day" means (opgørelsestidspunkt): what the case system held that day, or what had
/// happened by it. They differ by the conversations held before the day and registered after it
/// (registreret for sent); on the export day itself they are the same.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum AsOfReading {
    /// Kendt: a fact counts from the day it was registered (the day held where the export has no
    /// registration date). The duty lists always read this way (the caseworker sees what the
    /// system holds), and so does STAR's figure, whose data are the registrations reported to it.
    Known,
    /// Sket: a fact counts from the day it happened, however late it was registered. The default
    /// of the municipality's own definitions: it shows what was done, and the difference from
    /// STAR's figure is named "registreret for sent" course by course.
    #[default]
    Happened,
}

/// How standby periods (§ 13 b, stk. 5) affect a duty or a measure.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum StandbyHandling {
    /// Leave the course out where a standby period touches the window.
    Exclude,
    /// Default for legal duties: stop the clock during standby (the deadline moves by the standby days).
    #[default]
    PauseClock,
    /// Ignore standby: count as usual.
    CountAsUsual,
}

/// Reading of § 13 a, stk. 1: "if the absence of a category-1 citizen lasts longer than 8 weeks, a
/// follow-up with re-visitation must take place".
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category1Reading {
    /// Default: the duty arises when the absence passes 8 weeks (day 57) and is due within `days`
    /// after the end of week 8 (default 14: day 70); only a conversation held once the duty exists
    /// (from day 57) meets it.
    AfterWeek8 { days: u16 },
    /// Alternative: a category-1 course that passes 8 weeks is read as category 2 from day 1: the
    /// week-8 deadline of § 13 b (day 56), met by any conversation from day 1.
    AsCategory2,
}

impl Default for Category1Reading {
    fn default() -> Self {
        Category1Reading::AfterWeek8 { days: 14 }
    }
}

/// Where a clock starts, for measures and local targets.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ClockStart {
    /// Første fraværsdag: the law's and STAR's clock.
    #[default]
    FirstAbsence,
    /// Ydelsesstart (KSD-dato): what some internal dashboards used, wrongly.
    BenefitStart,
}

/// Which deadlines drive "Næste frist" on the worklists and their urgency order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum DeadlineDrivers {
    /// Default: the law's deadlines only (what STAR measures); local targets and doctors' deadlines
    /// show as flags.
    #[default]
    Legal,
    /// The law's deadlines and the municipality's local targets (still labelled local in the row).
    LegalAndLocal,
    /// Both, and overdue or open medical statements (the doctor's deadline to chase).
    LegalLocalAndMedical,
}

impl DeadlineDrivers {
    pub fn local(self) -> bool {
        !matches!(self, DeadlineDrivers::Legal)
    }
    pub fn medical(self) -> bool {
        matches!(self, DeadlineDrivers::LegalLocalAndMedical)
    }
}

/// A municipality's own practice target, e.g. "4 conversations within 5 months" (Vesthimmerland).
/// Always shown as local and never mixed into legal status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalTarget {
    /// Shared, so that per-course results can carry it without copying.
    pub name: std::sync::Arc<str>,
    pub conversations: u8,
    pub months: u8,
    pub clock: ClockStart,
}

impl LocalTarget {
    /// Vesthimmerland's recovery-plan practice.
    pub fn four_in_five_months() -> LocalTarget {
        LocalTarget {
            name: "4 samtaler inden for 5 måneder".into(),
            conversations: 4,
            months: 5,
            clock: ClockStart::FirstAbsence,
        }
    }
}

/// The municipality's settings for duty evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub half_year: HalfYear,
    pub standby: StandbyHandling,
    pub category1: Category1Reading,
    /// Minimum days between two follow-up conversations, used to compute the latest date for the next
    /// conversation so that the remaining ones still fit (a municipal setting, not law).
    pub min_spacing_days: u16,
    /// A duty is "due soon" this many days before its date.
    pub due_soon_days: u16,
    pub local_targets: Vec<LocalTarget>,
    /// Which deadlines drive "Næste frist" and the urgency order.
    #[serde(default)]
    pub next_deadline: DeadlineDrivers,
    /// The municipality's rule for registering a conversation: at most this many days after it
    /// was held (default 0, the same day; Vesthimmerland: "registreres på dagen for
    /// afholdelsen"). A local rule, not law; the registration-lag figure counts against it.
    #[serde(default)]
    pub registration_days: u16,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            half_year: HalfYear::CalendarMonths,
            standby: StandbyHandling::PauseClock,
            category1: Category1Reading::default(),
            min_spacing_days: 14,
            due_soon_days: 7,
            local_targets: vec![LocalTarget::four_in_five_months()],
            next_deadline: DeadlineDrivers::Legal,
            registration_days: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Day;

    #[test]
    fn half_year_readings() {
        let cases = [
            // (day 1, calendar-month end, 182-day end)
            ((2023, 1, 2), (2023, 7, 1), (2023, 7, 2)),
            // Month ends clamp to the end of the shorter month, leap year or not.
            ((2023, 8, 31), (2024, 2, 29), (2024, 2, 28)),
            ((2022, 8, 31), (2023, 2, 28), (2023, 2, 28)),
            ((2022, 9, 1), (2023, 2, 28), (2023, 3, 1)),
            ((2024, 2, 29), (2024, 8, 28), (2024, 8, 28)),
            ((2023, 12, 31), (2024, 6, 30), (2024, 6, 29)),
            ((2023, 3, 31), (2023, 9, 30), (2023, 9, 28)),
        ];
        for ((y, m, d), cal, days) in cases {
            let day1 = Day::ymd(y, m, d);
            let c = HalfYear::CalendarMonths.window_end(day1, 6);
            let s = HalfYear::Days182.window_end(day1, 6);
            assert_eq!(c, Day::ymd(cal.0, cal.1, cal.2), "calendar from {day1}");
            assert_eq!(s, Day::ymd(days.0, days.1, days.2), "182 days from {day1}");
        }
    }
}
