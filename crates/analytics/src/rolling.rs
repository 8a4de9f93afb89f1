//! Rolling Sharpe ratio and volatility over a trailing window (pandas `rolling(window)`
//! semantics: the value at `t` uses returns `t - window + 1 ..= t`, `NaN` before a full
//! window).

use crate::stats::{mean, std_dev};

/// Rolling annualised volatility: `std(window, ddof = 1) * sqrt(periods_per_year)`.
pub fn rolling_volatility(returns: &[f64], window: usize, periods_per_year: f64) -> Vec<f64> {
    rolling(returns, window, |w| std_dev(w, 1) * periods_per_year.sqrt())
}

/// Rolling annualised Sharpe ratio: `mean(excess) / std(excess, ddof = 1) *
/// sqrt(periods_per_year)` over each window, with `excess = r - rf_per_period`.
pub fn rolling_sharpe(
    returns: &[f64],
    window: usize,
    periods_per_year: f64,
    rf_per_period: f64,
) -> Vec<f64> {
    rolling(returns, window, |w| {
        let excess: Vec<f64> = w.iter().map(|r| r - rf_per_period).collect();
        mean(&excess) / std_dev(&excess, 1) * periods_per_year.sqrt()
    })
}

fn rolling(x: &[f64], window: usize, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    (0..x.len())
        .map(|t| {
            if window == 0 || t + 1 < window {
                f64::NAN
            } else {
                f(&x[t + 1 - window..=t])
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_by_hand() {
        let r = [0.01, 0.03, -0.01, 0.02];
        let v = rolling_volatility(&r, 2, 4.0);
        assert!(v[0].is_nan());
        assert!((v[1] - std_dev(&[0.01, 0.03], 1) * 2.0).abs() < 1e-15);
        let s = rolling_sharpe(&r, 3, 1.0, 0.0);
        assert!(s[1].is_nan());
        assert!((s[2] - mean(&r[..3]) / std_dev(&r[..3], 1)).abs() < 1e-15);
    }
}
