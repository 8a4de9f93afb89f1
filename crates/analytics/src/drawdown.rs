//! Drawdowns of the compounded equity curve.
//!
//! Equity starts at 1 before the first return: `W[0] = 1`, `W[t] = W[t-1] * (1 + r[t])`.
//! The drawdown at `t` is `W[t] / max(W[0..=t]) - 1` (zero or negative), so a loss in the
//! very first period is already a drawdown (as in empyrical).

use oxfolio_core::time::{day_number, Timestamp};

/// Drawdown series, one value per return.
pub fn drawdown_series(returns: &[f64]) -> Vec<f64> {
    let mut wealth = 1.0;
    let mut peak = 1.0f64;
    returns
        .iter()
        .map(|r| {
            wealth *= 1.0 + r;
            peak = peak.max(wealth);
            wealth / peak - 1.0
        })
        .collect()
}

/// Maximum drawdown: the most negative value of [`drawdown_series`] (0 when equity never
/// falls below a previous peak).
pub fn max_drawdown(returns: &[f64]) -> f64 {
    drawdown_series(returns).into_iter().fold(0.0, f64::min)
}

/// Durations of the longest drawdown.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DrawdownDurations {
    /// The longest run of consecutive periods with equity below its running peak.
    pub periods: usize,
    /// The longest drawdown in calendar days: from the date of the peak (the last date
    /// equity stood at it; for the initial capital, `origin`) to the recovery date (the
    /// first date back at or above the peak) or, if not recovered, to the last date.
    /// `None` without dates.
    pub days: Option<i64>,
}

/// Longest drawdown in periods and, when `dates` are given, in calendar days.
/// `dates[t]` is the date of `returns[t]`; `origin` is the date of the initial capital
/// (defaults to the first date).
pub fn longest_drawdown(
    returns: &[f64],
    dates: Option<&[Timestamp]>,
    origin: Option<Timestamp>,
) -> DrawdownDurations {
    let dd = drawdown_series(returns);
    let mut out = DrawdownDurations::default();
    let day = |t: Option<usize>| -> Option<i64> {
        let dates = dates?;
        match t {
            Some(t) => dates.get(t).map(|d| day_number(*d)),
            None => origin.or(dates.first().copied()).map(day_number),
        }
    };
    let mut t = 0;
    while t < dd.len() {
        if dd[t] >= 0.0 {
            t += 1;
            continue;
        }
        let start = t;
        while t < dd.len() && dd[t] < 0.0 {
            t += 1;
        }
        out.periods = out.periods.max(t - start);
        let peak_day = day(start.checked_sub(1));
        let end_day = if t < dd.len() {
            day(Some(t))
        } else {
            day(Some(dd.len() - 1))
        };
        if let (Some(p), Some(e)) = (peak_day, end_day) {
            out.days = Some(out.days.map_or(e - p, |d: i64| d.max(e - p)));
        }
    }
    if dates.is_some() && out.days.is_none() {
        out.days = Some(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxfolio_core::time::from_ymd;

    #[test]
    fn max_drawdown_by_hand() {
        // Equity 1.1, 0.99, 1.089, 1.3068 -> peak 1.1, trough 0.99: -10%.
        let r = [0.1, -0.1, 0.1, 0.2];
        assert!((max_drawdown(&r) + 0.1).abs() < 1e-12);
        assert!((max_drawdown(&[-0.5, 1.0]) + 0.5).abs() < 1e-12);
        assert_eq!(max_drawdown(&[0.1, 0.2]), 0.0);
    }

    #[test]
    fn durations_by_hand() {
        let dates: Vec<i64> = [2, 3, 4, 9, 10, 11]
            .iter()
            .map(|d| from_ymd(2024, 1, *d).expect("date"))
            .collect();
        // Equity: 1.1 (peak, Jan 2), 1.0, 1.05 (under), 1.2 (recovered Jan 9), 1.0, 0.9.
        let r = [0.1, -1.0 / 11.0, 0.05, 1.2 / 1.05 - 1.0, -1.0 / 6.0, -0.1];
        let d = longest_drawdown(&r, Some(&dates), None);
        assert_eq!(d.periods, 2);
        // First episode Jan 2 -> Jan 9 = 7 days; second Jan 9 -> Jan 11 (not recovered) = 2.
        assert_eq!(d.days, Some(7));
        assert_eq!(longest_drawdown(&r, None, None).days, None);
        let none = longest_drawdown(&[0.1], Some(&dates[..1]), None);
        assert_eq!((none.periods, none.days), (0, Some(0)));
    }
}
