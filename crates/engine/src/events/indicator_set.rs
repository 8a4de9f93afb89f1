//! Indicators the engine keeps for a strategy: registered once (usually in `on_start`)
//! with [`super::context::EventContext::add_indicator`], updated by the engine with each
//! bar before `on_bar`, read with `ctx.indicator(id)`. A symbol without a bar leaves its
//! indicators where they were. Strategies that want their own state can hold the
//! indicator types of [`crate::indicators`] directly instead.

use serde::{Deserialize, Serialize};

use crate::indicators::{Atr, Ema, Highest, Lowest, Momentum, Roc, RollingStd, Rsi, Sma, Wma};

/// Which indicator, over how many bars (closes, except ATR: high, low, close).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorSpec {
    /// Simple moving average.
    Sma(usize),
    /// Exponential moving average.
    Ema(usize),
    /// Linearly weighted moving average.
    Wma(usize),
    /// Wilder's RSI.
    Rsi(usize),
    /// Wilder's average true range.
    Atr(usize),
    /// Sample standard deviation.
    RollingStd(usize),
    /// Rate of change, percent.
    Roc(usize),
    /// Momentum (difference).
    Momentum(usize),
    /// Highest value.
    Highest(usize),
    /// Lowest value.
    Lowest(usize),
}

/// A registered indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndicatorId(usize);

#[derive(Clone, Debug)]
enum Live {
    Sma(Sma),
    Ema(Ema),
    Wma(Wma),
    Rsi(Rsi),
    Atr(Atr),
    RollingStd(RollingStd),
    Roc(Roc),
    Momentum(Momentum),
    Highest(Highest),
    Lowest(Lowest),
}

/// The indicators of a run, each on one symbol.
#[derive(Clone, Debug, Default)]
pub struct IndicatorSet {
    entries: Vec<(usize, Live, Option<f64>)>,
}

impl IndicatorSet {
    /// True when none is registered.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Registers `spec` on `symbol`.
    pub fn add(&mut self, symbol: usize, spec: IndicatorSpec) -> IndicatorId {
        let live = match spec {
            IndicatorSpec::Sma(n) => Live::Sma(Sma::new(n)),
            IndicatorSpec::Ema(n) => Live::Ema(Ema::new(n)),
            IndicatorSpec::Wma(n) => Live::Wma(Wma::new(n)),
            IndicatorSpec::Rsi(n) => Live::Rsi(Rsi::new(n)),
            IndicatorSpec::Atr(n) => Live::Atr(Atr::new(n)),
            IndicatorSpec::RollingStd(n) => Live::RollingStd(RollingStd::new(n)),
            IndicatorSpec::Roc(n) => Live::Roc(Roc::new(n)),
            IndicatorSpec::Momentum(n) => Live::Momentum(Momentum::new(n)),
            IndicatorSpec::Highest(n) => Live::Highest(Highest::new(n)),
            IndicatorSpec::Lowest(n) => Live::Lowest(Lowest::new(n)),
        };
        self.entries.push((symbol, live, None));
        IndicatorId(self.entries.len() - 1)
    }

    /// The value after the latest bar (`None` while warming up, or for an unknown id).
    pub fn value(&self, id: IndicatorId) -> Option<f64> {
        self.entries.get(id.0).and_then(|e| e.2)
    }

    /// Feeds one bar: per symbol `(high, low, close)` rows; a `NaN` close skips it.
    pub fn update(&mut self, highs: &[f64], lows: &[f64], closes: &[f64]) {
        for (symbol, live, value) in &mut self.entries {
            let c = closes[*symbol];
            if c.is_nan() {
                continue;
            }
            *value = match live {
                Live::Sma(x) => x.update(c),
                Live::Ema(x) => x.update(c),
                Live::Wma(x) => x.update(c),
                Live::Rsi(x) => x.update(c),
                Live::Atr(x) => x.update(highs[*symbol], lows[*symbol], c),
                Live::RollingStd(x) => x.update(c),
                Live::Roc(x) => x.update(c),
                Live::Momentum(x) => x.update(c),
                Live::Highest(x) => x.update(c),
                Live::Lowest(x) => x.update(c),
            };
        }
    }
}
