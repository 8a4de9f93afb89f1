//! The metrics summary of a return series.
//!
//! | key | definition |
//! |---|---|
//! | `total_return` | `prod(1 + r) - 1` |
//! | `cagr` | `(1 + total_return)^(periods_per_year / n) - 1` (period-based, as empyrical's `annual_return`) |
//! | `annual_volatility` | `std(r, ddof = 1) * sqrt(periods_per_year)` |
//! | `sharpe` | `mean(e) / std(e, ddof = 1) * sqrt(periods_per_year)`, `e = r - rf_p` |
//! | `sortino` | `mean(e) / sqrt(mean(min(e, 0)^2)) * sqrt(periods_per_year)` |
//! | `max_drawdown` | most negative `W[t] / max(W[..=t]) - 1`, `W` starting at 1 |
//! | `longest_drawdown_periods`, `longest_drawdown_days` | see [`crate::drawdown::longest_drawdown`] |
//! | `calmar` | `cagr / abs(max_drawdown)` |
//! | `var_95`, `var_99` | historical VaR: the 5th (1st) percentile of `r`, linear interpolation (numpy); a return, negative for a loss |
//! | `cvar_95`, `cvar_99` | mean of the `floor((n - 1) * 0.05) + 1` (`0.01`) lowest returns (empyrical) |
//! | `gaussian_var_95`, `gaussian_var_99` | `mean(r) + std(r, ddof = 1) * Phi^-1(0.05)` (`0.01`) |
//! | `skew`, `kurtosis` | bias-corrected sample skewness and excess kurtosis (pandas) |
//! | `best_period`, `worst_period` | `max(r)`, `min(r)` |
//! | `win_rate` | positive periods / non-zero periods (zero-return periods are not counted) |
//! | `profit_factor` | `sum(r >= 0) / abs(sum(r < 0))`, `null` without losses |
//! | `tail_ratio` | `abs(percentile(r, 95)) / abs(percentile(r, 5))` |
//!
//! `rf_p = (1 + risk_free)^(1 / periods_per_year) - 1`. Values that are undefined (for
//! example a Sharpe ratio of a constant series) are `NaN`, written as `null` in JSON.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use oxfolio_core::time::{format_timestamp, Timestamp};

use crate::drawdown::{longest_drawdown, max_drawdown};
use crate::error::MetricsError;
use crate::stats::{excess_kurtosis, mean, percentile_sorted, skew, sorted, std_dev};

/// Options of the metrics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricsOptions {
    /// Periods in a year, for annualisation.
    pub periods_per_year: f64,
    /// Annual risk-free rate (0.02 = 2%).
    pub risk_free: f64,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        MetricsOptions {
            periods_per_year: 252.0,
            risk_free: 0.0,
        }
    }
}

impl MetricsOptions {
    /// The per-period risk-free rate, by compounding.
    pub fn risk_free_per_period(&self) -> f64 {
        (1.0 + self.risk_free).powf(1.0 / self.periods_per_year) - 1.0
    }
}

/// The metrics summary. Keys are the JSON keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// First date, when dates are known.
    pub start: Option<String>,
    /// Last date.
    pub end: Option<String>,
    /// Number of returns.
    pub periods: usize,
    /// Compounded total return.
    pub total_return: f64,
    /// Compound annual growth rate.
    pub cagr: f64,
    /// Annualised standard deviation.
    pub annual_volatility: f64,
    /// Annualised Sharpe ratio.
    pub sharpe: f64,
    /// Annualised Sortino ratio.
    pub sortino: f64,
    /// Maximum drawdown (negative).
    pub max_drawdown: f64,
    /// Longest drawdown in periods.
    pub longest_drawdown_periods: usize,
    /// Longest drawdown in calendar days.
    pub longest_drawdown_days: Option<i64>,
    /// CAGR over the absolute maximum drawdown.
    pub calmar: f64,
    /// Historical 95% VaR (a return).
    pub var_95: f64,
    /// Historical 95% CVaR (a return).
    pub cvar_95: f64,
    /// Historical 99% VaR.
    pub var_99: f64,
    /// Historical 99% CVaR.
    pub cvar_99: f64,
    /// Gaussian 95% VaR.
    pub gaussian_var_95: f64,
    /// Gaussian 99% VaR.
    pub gaussian_var_99: f64,
    /// Sample skewness.
    pub skew: f64,
    /// Sample excess kurtosis.
    pub kurtosis: f64,
    /// Best period return.
    pub best_period: f64,
    /// Worst period return.
    pub worst_period: f64,
    /// Positive periods over non-zero periods.
    pub win_rate: f64,
    /// Gains over losses.
    pub profit_factor: Option<f64>,
    /// 95th over 5th percentile, absolute.
    pub tail_ratio: f64,
}

/// Historical CVaR as empyrical computes it: the mean of the `floor((n-1) * cutoff) + 1`
/// lowest returns.
pub fn historical_cvar(sorted_returns: &[f64], cutoff: f64) -> f64 {
    let k = ((sorted_returns.len() - 1) as f64 * cutoff).floor() as usize;
    mean(&sorted_returns[..=k])
}

/// Gaussian VaR: `mean + std(ddof = 1) * Phi^-1(1 - confidence)`.
pub fn gaussian_var(returns: &[f64], confidence: f64) -> f64 {
    let sd = std_dev(returns, 1);
    match Normal::new(mean(returns), sd) {
        Ok(n) => n.inverse_cdf(1.0 - confidence),
        Err(_) => f64::NAN,
    }
}

/// Computes every metric. `dates[t]` (optional) is the date of `returns[t]`; `origin`
/// is the date of the starting capital, for drawdown durations.
pub fn compute(
    returns: &[f64],
    dates: Option<&[Timestamp]>,
    origin: Option<Timestamp>,
    options: &MetricsOptions,
) -> Result<Metrics, MetricsError> {
    if !(options.periods_per_year.is_finite() && options.periods_per_year > 0.0) {
        return Err(MetricsError::Option {
            parameter: "periods_per_year",
            message: format!("must be positive, got {}", options.periods_per_year),
        });
    }
    if !(options.risk_free.is_finite() && options.risk_free > -1.0) {
        return Err(MetricsError::Option {
            parameter: "risk_free",
            message: format!("must be above -1, got {}", options.risk_free),
        });
    }
    if let Some(d) = dates {
        if d.len() != returns.len() {
            return Err(MetricsError::Option {
                parameter: "dates",
                message: format!("{} dates for {} returns", d.len(), returns.len()),
            });
        }
    }
    if returns.is_empty() {
        return Err(MetricsError::Empty);
    }
    if let Some(i) = returns.iter().position(|r| !r.is_finite()) {
        return Err(MetricsError::NonFinite {
            index: i,
            date: dates.map_or("?".into(), |d| format_timestamp(d[i])),
            value: returns[i],
        });
    }
    let n = returns.len() as f64;
    let ppy = options.periods_per_year;
    let rf = options.risk_free_per_period();
    let total_return = returns.iter().fold(1.0, |w, r| w * (1.0 + r)) - 1.0;
    let cagr = (1.0 + total_return).powf(ppy / n) - 1.0;
    let excess: Vec<f64> = returns.iter().map(|r| r - rf).collect();
    let downside = (excess.iter().map(|e| e.min(0.0).powi(2)).sum::<f64>() / n).sqrt();
    let mdd = max_drawdown(returns);
    let durations = longest_drawdown(returns, dates, origin);
    let s = sorted(returns);
    let gains: f64 = returns.iter().filter(|r| **r >= 0.0).sum();
    let losses: f64 = returns.iter().filter(|r| **r < 0.0).sum();
    let wins = returns.iter().filter(|r| **r > 0.0).count();
    let non_zero = returns.iter().filter(|r| **r != 0.0).count();
    Ok(Metrics {
        start: dates.and_then(|d| d.first()).map(|t| format_timestamp(*t)),
        end: dates.and_then(|d| d.last()).map(|t| format_timestamp(*t)),
        periods: returns.len(),
        total_return,
        cagr,
        annual_volatility: std_dev(returns, 1) * ppy.sqrt(),
        sharpe: mean(&excess) / std_dev(&excess, 1) * ppy.sqrt(),
        sortino: mean(&excess) / downside * ppy.sqrt(),
        max_drawdown: mdd,
        longest_drawdown_periods: durations.periods,
        longest_drawdown_days: durations.days,
        calmar: if mdd < 0.0 {
            cagr / mdd.abs()
        } else {
            f64::NAN
        },
        var_95: percentile_sorted(&s, 5.0),
        cvar_95: historical_cvar(&s, 0.05),
        var_99: percentile_sorted(&s, 1.0),
        cvar_99: historical_cvar(&s, 0.01),
        gaussian_var_95: gaussian_var(returns, 0.95),
        gaussian_var_99: gaussian_var(returns, 0.99),
        skew: skew(returns),
        kurtosis: excess_kurtosis(returns),
        best_period: s[s.len() - 1],
        worst_period: s[0],
        win_rate: if non_zero > 0 {
            wins as f64 / non_zero as f64
        } else {
            f64::NAN
        },
        profit_factor: (losses < 0.0).then(|| gains / losses.abs()),
        tail_ratio: (percentile_sorted(&s, 95.0) / percentile_sorted(&s, 5.0)).abs(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_input() {
        let o = MetricsOptions::default();
        assert_eq!(compute(&[], None, None, &o), Err(MetricsError::Empty));
        let e = compute(&[0.1, f64::NAN], None, None, &o).expect_err("nan");
        assert!(e.to_string().contains("position 1"));
        let bad = MetricsOptions {
            periods_per_year: 0.0,
            ..o
        };
        assert!(compute(&[0.1], None, None, &bad).is_err());
        assert!(compute(&[0.1], Some(&[1, 2]), None, &o).is_err());
    }

    #[test]
    fn hand_computed_small_series() {
        let r = [0.1, -0.05, 0.0, 0.02];
        let m = compute(
            &r,
            None,
            None,
            &MetricsOptions {
                periods_per_year: 4.0,
                risk_free: 0.0,
            },
        )
        .expect("ok");
        let total = 1.1 * 0.95 * 1.0 * 1.02 - 1.0;
        assert!((m.total_return - total).abs() < 1e-15);
        assert!((m.cagr - total).abs() < 1e-12, "one year of quarterly data");
        assert!((m.max_drawdown + 0.05).abs() < 1e-15);
        assert_eq!(m.win_rate, 2.0 / 3.0);
        assert!((m.profit_factor.expect("losses") - 0.12 / 0.05).abs() < 1e-12);
        assert_eq!(m.best_period, 0.1);
        assert_eq!(m.worst_period, -0.05);
        assert_eq!(m.longest_drawdown_periods, 3);
    }
}
