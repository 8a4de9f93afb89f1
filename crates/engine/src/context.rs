//! The context a strategy sees before day t's session. Every slice ends at the decision
//! time: closes through t-1 (plus t's open when deciding at the open), portfolio
//! history through t-1. Nothing later is reachable from here.

use oxfolio_core::Timestamp;

use crate::calendar::DayFlags;
use crate::results::SignalRecord;

/// The state before day `t`'s session.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Index of today's date in the market calendar.
    pub t: usize,
    /// Today's date.
    pub date: Timestamp,
    /// Calendar flags of today.
    pub flags: DayFlags,
    /// Symbols in index order.
    pub symbols: &'a [String],
    /// Closes of dates `0..t`, time-major (`t x n` values).
    pub closes: &'a [f64],
    /// Opens of dates `0..t` (or `0..=t` when deciding at the open), when the data has
    /// them.
    pub opens: Option<&'a [f64]>,
    /// Positions now (shares or contracts).
    pub positions: &'a [f64],
    /// Cash now.
    pub cash: f64,
    /// Portfolio value at t-1's close.
    pub portfolio_value: f64,
    /// The price each symbol's trades are sized at (t-1's close, or t's open when
    /// deciding at the open); `NaN` when unknown.
    pub reference_prices: &'a [f64],
    /// Daily portfolio returns of the run so far (through t-1).
    pub returns: &'a [f64],
    /// Daily portfolio P&L of the run so far (through t-1).
    pub pnl: &'a [f64],
    /// Trailing average daily volume per symbol (through t-1); empty without volume data.
    pub adv: &'a [f64],
    /// Decisions recorded so far.
    pub signals: &'a [SignalRecord],
    /// Contract multipliers per symbol.
    pub multipliers: &'a [f64],
}

impl<'a> Context<'a> {
    /// Number of symbols.
    pub fn n_symbols(&self) -> usize {
        self.symbols.len()
    }

    /// Dense index of `symbol`.
    pub fn index_of(&self, symbol: &str) -> Option<usize> {
        self.symbols.iter().position(|s| s == symbol)
    }

    /// Closes of date `t - lag` (`lag >= 1`), or `None` before the data starts.
    pub fn closes_ago(&self, lag: usize) -> Option<&'a [f64]> {
        let n = self.n_symbols();
        let rows = self.closes.len() / n;
        if lag == 0 || lag > rows {
            return None;
        }
        let r = rows - lag;
        Some(&self.closes[r * n..(r + 1) * n])
    }

    /// Close of symbol `i` on date `t - lag` (`NaN` when unknown).
    pub fn close(&self, i: usize, lag: usize) -> f64 {
        self.closes_ago(lag).map_or(f64::NAN, |row| row[i])
    }

    /// Simple return of symbol `i` over the last `days` closes (`NaN` when unknown).
    pub fn trailing_return(&self, i: usize, days: usize) -> f64 {
        self.close(i, 1) / self.close(i, days + 1) - 1.0
    }

    /// Standard deviation (ddof 1) of symbol `i`'s last `days` daily returns, or `NaN`
    /// when any is unknown or `days < 2`.
    pub fn trailing_volatility(&self, i: usize, days: usize) -> f64 {
        if days < 2 {
            return f64::NAN;
        }
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        for lag in 1..=days {
            let r = self.close(i, lag) / self.close(i, lag + 1) - 1.0;
            if !r.is_finite() {
                return f64::NAN;
            }
            sum += r;
            sum_sq += r * r;
        }
        let k = days as f64;
        ((sum_sq - sum * sum / k) / (k - 1.0)).max(0.0).sqrt()
    }

    /// Current weight of each symbol at the reference prices, into `out`.
    pub fn current_weights(&self, out: &mut [f64]) {
        let inverse = 1.0 / self.portfolio_value;
        for (((w, q), p), m) in out
            .iter_mut()
            .zip(self.positions)
            .zip(self.reference_prices)
            .zip(self.multipliers)
        {
            *w = if *q == 0.0 { 0.0 } else { q * p * m * inverse };
        }
    }

    /// Standard deviation of the portfolio's last `days` daily returns (ddof 1), or `NaN`
    /// with fewer than two.
    pub fn portfolio_volatility(&self, days: usize) -> f64 {
        let k = days.min(self.returns.len());
        if k < 2 {
            return f64::NAN;
        }
        let window = &self.returns[self.returns.len() - k..];
        let mean = window.iter().sum::<f64>() / k as f64;
        (window.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (k as f64 - 1.0)).sqrt()
    }

    /// Drawdown of the portfolio now (0 or negative), from its returns so far.
    pub fn drawdown(&self) -> f64 {
        let (mut value, mut peak) = (1.0f64, 1.0f64);
        for r in self.returns {
            value *= 1.0 + r;
            peak = peak.max(value);
        }
        value / peak - 1.0
    }
}
