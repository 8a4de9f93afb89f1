//! Timestamps: `i64` nanoseconds since 1970-01-01T00:00:00 UTC.
//!
//! Daily bars are stamped at midnight of their date. Naive (zone-less) times in source
//! files are taken as UTC wall-clock times, so a date never shifts by a zone offset.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// Nanoseconds since the Unix epoch.
pub type Timestamp = i64;

/// Nanoseconds in one day.
pub const NANOS_PER_DAY: i64 = 86_400_000_000_000;
/// Nanoseconds in one second.
pub const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Days between 0001-01-01 (day 1 of the common era) and 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// Whole days since 1970-01-01 of a timestamp (floor, so times before 1970 work).
pub fn day_number(ts: Timestamp) -> i64 {
    ts.div_euclid(NANOS_PER_DAY)
}

/// The timestamp of midnight on the day of `ts`.
pub fn floor_to_day(ts: Timestamp) -> Timestamp {
    day_number(ts) * NANOS_PER_DAY
}

/// True when `ts` is exactly midnight.
pub fn is_midnight(ts: Timestamp) -> bool {
    ts.rem_euclid(NANOS_PER_DAY) == 0
}

/// The calendar date of a timestamp.
pub fn date_of(ts: Timestamp) -> NaiveDate {
    let days = day_number(ts) + UNIX_EPOCH_DAYS_FROM_CE;
    // Every i64 nanosecond timestamp (years 1677..2262) is within chrono's range.
    NaiveDate::from_num_days_from_ce_opt(days as i32).unwrap_or(NaiveDate::MIN)
}

/// Midnight of a date as a timestamp.
pub fn from_date(date: NaiveDate) -> Timestamp {
    (i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE) * NANOS_PER_DAY
}

/// Midnight of year-month-day, or `None` when that date does not exist.
pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Timestamp> {
    NaiveDate::from_ymd_opt(year, month, day).map(from_date)
}

/// A naive date-time as a timestamp (`None` outside the i64 nanosecond range).
pub fn from_datetime(dt: NaiveDateTime) -> Option<Timestamp> {
    dt.and_utc().timestamp_nanos_opt()
}

/// `YYYY-MM-DD` when the timestamp is midnight, else `YYYY-MM-DD HH:MM:SS` (with
/// fractional seconds only when there are any).
pub fn format_timestamp(ts: Timestamp) -> String {
    let date = date_of(ts);
    if is_midnight(ts) {
        return date.format("%Y-%m-%d").to_string();
    }
    let nanos_of_day = ts.rem_euclid(NANOS_PER_DAY);
    let secs = nanos_of_day / NANOS_PER_SECOND;
    let frac = nanos_of_day % NANOS_PER_SECOND;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if frac == 0 {
        format!("{} {h:02}:{m:02}:{s:02}", date.format("%Y-%m-%d"))
    } else {
        let digits = format!("{frac:09}");
        let digits = digits.trim_end_matches('0');
        format!("{} {h:02}:{m:02}:{s:02}.{digits}", date.format("%Y-%m-%d"))
    }
}

/// Calendar key of a timestamp at a resampling frequency: the day number for daily, the
/// Monday-based ISO week for weekly, `year * 12 + month` for monthly.
pub fn period_key(ts: Timestamp, period: Period) -> i64 {
    let date = date_of(ts);
    match period {
        Period::Daily => day_number(ts),
        Period::Weekly => {
            // Days since the Monday 1970-01-05, divided into weeks (floor).
            (day_number(ts) - 4).div_euclid(7)
        }
        Period::Monthly => i64::from(date.year()) * 12 + i64::from(date.month0()),
        Period::Yearly => i64::from(date.year()),
    }
}

/// Seconds after midnight of a timestamp.
pub fn seconds_of_day(ts: Timestamp) -> u32 {
    let date_time = chrono::DateTime::from_timestamp_nanos(ts);
    date_time.num_seconds_from_midnight()
}

/// A calendar period used to group bars or returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// One calendar day.
    Daily,
    /// One ISO week, Monday to Sunday.
    Weekly,
    /// One calendar month.
    Monthly,
    /// One calendar year.
    Yearly,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_before_and_after_epoch() {
        for (y, m, d) in [(1950, 1, 3), (1969, 12, 31), (1970, 1, 1), (2024, 2, 29)] {
            let ts = from_ymd(y, m, d).expect("valid date");
            assert_eq!(
                date_of(ts),
                NaiveDate::from_ymd_opt(y, m, d).expect("valid")
            );
            assert!(is_midnight(ts));
        }
        assert_eq!(from_ymd(1970, 1, 2), Some(NANOS_PER_DAY));
        assert_eq!(from_ymd(2023, 2, 29), None);
    }

    #[test]
    fn formats_dates_and_times() {
        let day = from_ymd(2013, 10, 15).expect("valid");
        assert_eq!(format_timestamp(day), "2013-10-15");
        let t = day + (22 * 3600 + 11 * 60 + 35) * NANOS_PER_SECOND;
        assert_eq!(format_timestamp(t), "2013-10-15 22:11:35");
        assert_eq!(format_timestamp(t + 500_000_000), "2013-10-15 22:11:35.5");
        assert_eq!(seconds_of_day(t), 22 * 3600 + 11 * 60 + 35);
    }

    #[test]
    fn weekly_key_groups_monday_to_sunday() {
        let monday = from_ymd(2024, 1, 1).expect("valid");
        let sunday = from_ymd(2024, 1, 7).expect("valid");
        let next_monday = from_ymd(2024, 1, 8).expect("valid");
        let key = |t| period_key(t, Period::Weekly);
        assert_eq!(key(monday), key(sunday));
        assert_eq!(key(next_monday), key(monday) + 1);
    }
}
