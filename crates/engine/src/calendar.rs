//! Calendar flags of each trading date, from the calendar alone (never from prices):
//! the trading calendar is known in advance, so a strategy may ask whether today is the
//! last trading day of the month.

use oxfolio_core::time::{period_key, Period};
use oxfolio_core::Timestamp;

/// Flags of one trading date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayFlags {
    /// First trading date of its month in the calendar.
    pub first_of_month: bool,
    /// Last trading date of its month in the calendar.
    pub month_end: bool,
    /// First trading date of its ISO week.
    pub first_of_week: bool,
    /// Last trading date of its ISO week.
    pub week_end: bool,
}

/// Flags of every date (the first date counts as a first-of-period day, the last as an
/// end-of-period day).
pub fn day_flags(dates: &[Timestamp]) -> Vec<DayFlags> {
    let month: Vec<i64> = dates
        .iter()
        .map(|d| period_key(*d, Period::Monthly))
        .collect();
    let week: Vec<i64> = dates
        .iter()
        .map(|d| period_key(*d, Period::Weekly))
        .collect();
    let n = dates.len();
    (0..n)
        .map(|t| DayFlags {
            first_of_month: t == 0 || month[t - 1] != month[t],
            month_end: t + 1 == n || month[t + 1] != month[t],
            first_of_week: t == 0 || week[t - 1] != week[t],
            week_end: t + 1 == n || week[t + 1] != week[t],
        })
        .collect()
}
