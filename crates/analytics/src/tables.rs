//! Calendar tables of compounded returns: monthly and yearly.
//!
//! The return of a month (year) is `prod(1 + r) - 1` over the periods dated in it, as
//! empyrical's `aggregate_returns`.

use chrono::Datelike;
use serde::Serialize;

use oxfolio_core::time::{date_of, Timestamp};

/// One calendar period's compounded return.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PeriodReturn {
    /// The year.
    pub year: i32,
    /// The month (1-12), or `None` in a yearly table.
    pub month: Option<u32>,
    /// Compounded return.
    pub value: f64,
}

fn aggregate(returns: &[f64], dates: &[Timestamp], monthly: bool) -> Vec<PeriodReturn> {
    let mut out: Vec<PeriodReturn> = Vec::new();
    for (r, t) in returns.iter().zip(dates) {
        let d = date_of(*t);
        let month = monthly.then(|| d.month());
        match out.last_mut() {
            Some(last) if last.year == d.year() && last.month == month => {
                last.value = (1.0 + last.value) * (1.0 + r) - 1.0;
            }
            _ => out.push(PeriodReturn {
                year: d.year(),
                month,
                value: *r,
            }),
        }
    }
    out
}

/// Compounded return of each calendar month, in date order.
pub fn monthly_returns(returns: &[f64], dates: &[Timestamp]) -> Vec<PeriodReturn> {
    aggregate(returns, dates, true)
}

/// Compounded return of each calendar year, in date order.
pub fn yearly_returns(returns: &[f64], dates: &[Timestamp]) -> Vec<PeriodReturn> {
    aggregate(returns, dates, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxfolio_core::time::from_ymd;

    #[test]
    fn compounds_within_months_and_years() {
        let dates: Vec<i64> = [(2023, 12, 29), (2024, 1, 2), (2024, 1, 3), (2024, 2, 1)]
            .iter()
            .map(|(y, m, d)| from_ymd(*y, *m, *d).expect("date"))
            .collect();
        let r = [0.1, 0.1, -0.1, 0.05];
        let m = monthly_returns(&r, &dates);
        assert_eq!(m.len(), 3);
        assert!((m[1].value - (1.1 * 0.9 - 1.0)).abs() < 1e-15);
        assert_eq!((m[1].year, m[1].month), (2024, Some(1)));
        let y = yearly_returns(&r, &dates);
        assert_eq!(y.len(), 2);
        assert!((y[1].value - (1.1 * 0.9 * 1.05 - 1.0)).abs() < 1e-15);
    }
}
