//! Resampling intraday or irregular bars to daily, weekly or monthly bars.
//!
//! Per period: open = first open, high = max high, low = min low, close = last close,
//! volume = sum, adjusted close = last (`NaN` values are skipped; a period where a field
//! has only `NaN` gets `NaN`). Close-only series stay close-only.
//!
//! The bar of a period is stamped at midnight of the date of its last source bar (for
//! daily bars, the day itself). With `business_days`, rows stamped on a Saturday or
//! Sunday (Sunday-evening futures sessions) join the preceding Friday, as pandas'
//! `resample("1B")` does, which is how pysystemtrade builds daily prices.

use chrono::{Datelike, Weekday};
use oxfolio_core::time::{date_of, floor_to_day, period_key, Period, Timestamp, NANOS_PER_DAY};
use oxfolio_core::{Bars, Field};

/// How to group bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResampleOptions {
    /// The target period.
    pub period: Period,
    /// Fold weekend rows into the preceding Friday.
    pub business_days: bool,
}

impl ResampleOptions {
    /// Calendar grouping at `period`, weekend rows kept on their own dates.
    pub fn new(period: Period) -> Self {
        ResampleOptions {
            period,
            business_days: false,
        }
    }
}

/// The date a bar counts for: its own, or the preceding Friday for weekend rows when
/// folding to business days.
fn effective_day(ts: Timestamp, business_days: bool) -> Timestamp {
    let day = floor_to_day(ts);
    if !business_days {
        return day;
    }
    match date_of(ts).weekday() {
        Weekday::Sat => day - NANOS_PER_DAY,
        Weekday::Sun => day - 2 * NANOS_PER_DAY,
        _ => day,
    }
}

/// Resamples bars (which must be in time order) to the requested period.
pub fn resample(bars: &Bars, options: ResampleOptions) -> Bars {
    let fields = bars.fields();
    let mut out = Bars::with_fields(bars.symbol.clone(), &fields);
    let n = bars.len();
    let mut start = 0;
    while start < n {
        let day0 = effective_day(bars.ts[start], options.business_days);
        let key = period_key(day0, options.period);
        let mut end = start + 1;
        while end < n
            && period_key(
                effective_day(bars.ts[end], options.business_days),
                options.period,
            ) == key
        {
            end += 1;
        }
        let label = effective_day(bars.ts[end - 1], options.business_days);
        let mut values = [f64::NAN; 6];
        for field in &fields {
            let Some(col) = bars.column(*field) else {
                continue;
            };
            let mut observed = col[start..end].iter().copied().filter(|v| !v.is_nan());
            values[*field as usize] = match field {
                Field::Open => observed.next().unwrap_or(f64::NAN),
                Field::High => observed.fold(f64::NAN, f64::max),
                Field::Low => observed.fold(f64::NAN, f64::min),
                Field::Close | Field::AdjClose => observed.next_back().unwrap_or(f64::NAN),
                Field::Volume => observed
                    .fold(None, |acc: Option<f64>, v| Some(acc.unwrap_or(0.0) + v))
                    .unwrap_or(f64::NAN),
            };
        }
        out.push(label, values);
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxfolio_core::time::{from_ymd, NANOS_PER_SECOND};

    fn at(y: i32, m: u32, d: u32, hour: i64) -> Timestamp {
        from_ymd(y, m, d).expect("date") + hour * 3600 * NANOS_PER_SECOND
    }

    #[test]
    fn intraday_to_daily_by_hand() {
        let mut b = Bars::with_fields("X", &[Field::Open, Field::High, Field::Low, Field::Volume]);
        b.push(at(2024, 1, 2, 9), [10.0, 12.0, 9.0, 11.0, 100.0, f64::NAN]);
        b.push(at(2024, 1, 2, 15), [11.0, 13.0, 10.5, 12.5, 50.0, f64::NAN]);
        b.push(at(2024, 1, 3, 9), [12.0, 12.0, 8.0, 9.0, 10.0, f64::NAN]);
        let d = resample(&b, ResampleOptions::new(Period::Daily));
        assert_eq!(d.ts, vec![at(2024, 1, 2, 0), at(2024, 1, 3, 0)]);
        assert_eq!(d.row(0)[..5], [10.0, 13.0, 9.0, 12.5, 150.0]);
        assert_eq!(d.row(1)[..5], [12.0, 12.0, 8.0, 9.0, 10.0]);
    }

    #[test]
    fn business_days_fold_sunday_into_friday_like_pandas() {
        let mut b = Bars::with_fields("X", &[]);
        b.push(
            at(2023, 8, 25, 20),
            [f64::NAN, f64::NAN, f64::NAN, 1.0, f64::NAN, f64::NAN],
        );
        b.push(
            at(2023, 8, 27, 23),
            [f64::NAN, f64::NAN, f64::NAN, 2.0, f64::NAN, f64::NAN],
        );
        b.push(
            at(2023, 8, 28, 10),
            [f64::NAN, f64::NAN, f64::NAN, 3.0, f64::NAN, f64::NAN],
        );
        b.push(
            at(2023, 8, 28, 20),
            [f64::NAN, f64::NAN, f64::NAN, 4.0, f64::NAN, f64::NAN],
        );
        let opts = ResampleOptions {
            period: Period::Daily,
            business_days: true,
        };
        let d = resample(&b, opts);
        assert_eq!(d.ts, vec![at(2023, 8, 25, 0), at(2023, 8, 28, 0)]);
        assert_eq!(d.close, vec![2.0, 4.0]);
        assert!(d.open.is_none());
        let plain = resample(&b, ResampleOptions::new(Period::Daily));
        assert_eq!(plain.close, vec![1.0, 2.0, 4.0]);
    }

    #[test]
    fn monthly_is_labelled_by_last_bar() {
        let mut b = Bars::with_fields("X", &[]);
        for (d, c) in [(3, 1.0), (31, 2.0)] {
            b.push(
                at(2024, 1, d, 0),
                [f64::NAN, f64::NAN, f64::NAN, c, f64::NAN, f64::NAN],
            );
        }
        b.push(
            at(2024, 2, 1, 0),
            [f64::NAN, f64::NAN, f64::NAN, 3.0, f64::NAN, f64::NAN],
        );
        let m = resample(&b, ResampleOptions::new(Period::Monthly));
        assert_eq!(m.ts, vec![at(2024, 1, 31, 0), at(2024, 2, 1, 0)]);
        assert_eq!(m.close, vec![2.0, 3.0]);
    }
}
