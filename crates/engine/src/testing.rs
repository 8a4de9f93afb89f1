//! Test constructors, so a strategy is unit-tested without data files or a whole run.
//!
//! A portfolio-level strategy's decision from a few rows of closes: build a
//! [`DailyHistory`], set what the test needs (positions, cash, the portfolio's returns,
//! today's calendar flags), and call the strategy with [`DailyHistory::context`]:
//!
//! ```
//! use oxfolio_engine::testing::DailyHistory;
//! use oxfolio_engine::{Builtin, Decision, Strategy, StrategyConfig};
//!
//! let history = DailyHistory::new(&["A", "B"], &[[10.0, 20.0], [11.0, 19.0]]).unwrap();
//! let config = StrategyConfig { kind: "equal_weight".into(), ..StrategyConfig::default() };
//! let mut strategy = Builtin::new(&config, history.symbols()).unwrap();
//! let decision = strategy.decide(&history.context()).unwrap();
//! assert_eq!(decision, Decision::Weights(vec![0.5, 0.5]));
//! ```

use oxfolio_core::Timestamp;

use crate::calendar::DayFlags;
use crate::context::Context;
use crate::error::EngineError;
use crate::events::fill::BarPrices;
use crate::market::Market;

const DAY: i64 = 86_400_000_000_000;

/// A one-symbol market of daily bars from 1970-01-01, for an order-level strategy's unit
/// test on an [`crate::events::OrderSession`]: step it bar by bar and look at the
/// broker's orders, fills and positions after each step.
///
/// ```
/// use oxfolio_engine::events::fill::BarPrices;
/// use oxfolio_engine::events::{EventContext, EventSettings, OrderRequest, OrderSession, OrderStrategy};
/// use oxfolio_engine::testing::daily_bars;
/// use oxfolio_engine::StrategyError;
///
/// /// Buys 10 units after a down close, once.
/// struct BuyTheDip;
/// impl OrderStrategy for BuyTheDip {
///     fn on_bar(&mut self, ctx: &mut EventContext<'_>) -> Result<(), StrategyError> {
///         let down = ctx.t() > 0 && ctx.close(0) < ctx.close_ago(0, 1);
///         if down && ctx.position(0) == 0.0 && ctx.broker().orders().is_empty() {
///             ctx.submit(OrderRequest::market(0, 10.0))
///                 .map_err(|e| StrategyError::new(e.to_string()))?;
///         }
///         Ok(())
///     }
/// }
///
/// let bar = |open, close| BarPrices { open, high: 101.0, low: 97.0, close, volume: 1e6 };
/// let market = daily_bars("SPY", &[bar(100.0, 100.0), bar(100.0, 99.0), bar(98.5, 99.2)]).unwrap();
/// let mut session = OrderSession::new(market, &EventSettings::default()).unwrap();
/// let mut strategy = BuyTheDip;
/// session.step(&mut strategy).unwrap();
/// session.step(&mut strategy).unwrap(); // the down close: a market order
/// assert_eq!(session.broker().orders().len(), 1);
/// assert_eq!(session.broker().position(0), 0.0);
/// session.step(&mut strategy).unwrap(); // filled at the next open
/// assert_eq!(session.broker().position(0), 10.0);
/// assert_eq!(session.broker().fills()[0].price, 98.5);
/// ```
pub fn daily_bars(symbol: &str, bars: &[BarPrices]) -> Result<Market, EngineError> {
    let column = |pick: fn(&BarPrices) -> f64| bars.iter().map(pick).collect::<Vec<f64>>();
    Market::new(
        (0..bars.len() as i64).map(|d| d * DAY).collect(),
        vec![symbol.to_string()],
        column(|b| b.close),
        Some(column(|b| b.open)),
        Some(column(|b| b.high)),
        Some(column(|b| b.low)),
        Some(column(|b| b.volume)),
    )
}

/// Closes of a few days, time-major, and the portfolio state the next day's decision sees.
#[derive(Clone, Debug)]
pub struct DailyHistory {
    symbols: Vec<String>,
    closes: Vec<f64>,
    rows: usize,
    positions: Vec<f64>,
    cash: f64,
    returns: Vec<f64>,
    flags: DayFlags,
    multipliers: Vec<f64>,
}

impl DailyHistory {
    /// Closes, one row per day, oldest first; every row has one value per symbol. The
    /// portfolio starts flat with 1,000,000 in cash.
    pub fn new<const N: usize>(
        symbols: &[&str],
        rows: &[[f64; N]],
    ) -> Result<DailyHistory, EngineError> {
        if symbols.len() != N || N == 0 {
            return Err(EngineError::Data(format!(
                "{} symbols but rows of {N} closes",
                symbols.len()
            )));
        }
        if rows.is_empty() {
            return Err(EngineError::Data("no rows of closes".into()));
        }
        if let Some((r, c)) = rows.iter().enumerate().find_map(|(r, row)| {
            row.iter()
                .position(|c| !(c.is_nan() || (c.is_finite() && *c > 0.0)))
                .map(|c| (r, c))
        }) {
            return Err(EngineError::Data(format!(
                "row {r}, symbol {}: a close must be positive or NaN, got {}",
                symbols[c], rows[r][c]
            )));
        }
        Ok(DailyHistory {
            symbols: symbols.iter().map(|s| s.to_string()).collect(),
            closes: rows.iter().flatten().copied().collect(),
            rows: rows.len(),
            positions: vec![0.0; N],
            cash: 1_000_000.0,
            returns: Vec::new(),
            flags: DayFlags::default(),
            multipliers: vec![1.0; N],
        })
    }

    /// Holdings before the decision (shares or contracts per symbol).
    pub fn with_positions(mut self, positions: &[f64]) -> Result<DailyHistory, EngineError> {
        if positions.len() != self.symbols.len() {
            return Err(EngineError::Data(format!(
                "{} positions for {} symbols",
                positions.len(),
                self.symbols.len()
            )));
        }
        self.positions = positions.to_vec();
        Ok(self)
    }

    /// Cash before the decision.
    pub fn with_cash(mut self, cash: f64) -> DailyHistory {
        self.cash = cash;
        self
    }

    /// The portfolio's daily returns so far (what drawdown and volatility rules read).
    pub fn with_returns(mut self, returns: &[f64]) -> DailyHistory {
        self.returns = returns.to_vec();
        self
    }

    /// Calendar flags of the decision day (say, `first_of_month` for a monthly rule).
    pub fn with_flags(mut self, flags: DayFlags) -> DailyHistory {
        self.flags = flags;
        self
    }

    /// The symbols, in index order.
    pub fn symbols(&self) -> &[String] {
        &self.symbols
    }

    /// The context before the session after the last row: closes of every row, sizing at
    /// the last closes, portfolio value = cash + positions at those closes. Dates are
    /// consecutive days from 1970-01-01.
    pub fn context(&self) -> Context<'_> {
        let n = self.symbols.len();
        let last = &self.closes[(self.rows - 1) * n..];
        let held: f64 = self
            .positions
            .iter()
            .zip(last)
            .filter(|(q, _)| **q != 0.0)
            .map(|(q, p)| q * p)
            .sum();
        Context {
            t: self.rows,
            date: self.rows as Timestamp * DAY,
            flags: self.flags,
            symbols: &self.symbols,
            closes: &self.closes,
            opens: None,
            positions: &self.positions,
            cash: self.cash,
            portfolio_value: self.cash + held,
            reference_prices: last,
            returns: &self.returns,
            pnl: &[],
            adv: &[],
            signals: &[],
            multipliers: &self.multipliers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::{Builtin, StrategyConfig};
    use crate::strategy::{Decision, Strategy};

    #[test]
    fn momentum_picks_the_best_trailing_return() {
        let rows = [
            [10.0, 10.0, 10.0],
            [10.0, 10.0, 10.0],
            [11.0, 9.0, 10.5],
            [12.0, 8.0, 10.6],
            [12.5, 8.0, 10.7],
        ];
        let history = DailyHistory::new(&["A", "B", "C"], &rows).unwrap();
        let config = StrategyConfig {
            kind: "momentum_top_k".into(),
            k: 1,
            lookback: 2,
            ..StrategyConfig::default()
        };
        let mut strategy = Builtin::new(&config, history.symbols()).unwrap();
        let decision = strategy.decide(&history.context()).unwrap();
        assert_eq!(decision, Decision::Weights(vec![1.0, 0.0, 0.0]));
    }

    #[test]
    fn the_portfolio_value_holds_cash_and_positions() {
        let history = DailyHistory::new(&["A", "B"], &[[10.0, 20.0]])
            .unwrap()
            .with_positions(&[3.0, -1.0])
            .unwrap()
            .with_cash(100.0);
        let ctx = history.context();
        assert_eq!(ctx.portfolio_value, 100.0 + 30.0 - 20.0);
        let mut w = [0.0; 2];
        ctx.current_weights(&mut w);
        assert_eq!(w, [30.0 / 110.0, -20.0 / 110.0]);
    }

    #[test]
    fn bad_rows_are_named() {
        let e = DailyHistory::new(&["A", "B"], &[[10.0, -1.0]]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "data: row 0, symbol B: a close must be positive or NaN, got -1"
        );
        assert!(DailyHistory::new(&["A"], &[[1.0, 2.0]]).is_err());
    }
}
