//! What an event-driven run returns: equity per bar, every order with its lifecycle,
//! fills, round trips, refusals and the strategy's optimisation history.

use oxfolio_core::Timestamp;

use super::broker::Fill;
use super::context::OptimisationRecord;
use super::order::Order;
use super::risk_loop::Refusal;
use super::roundtrip::{trade_stats, RoundTrip, TradeStats};

/// The results of one run.
#[derive(Clone, Debug)]
pub struct EventResults {
    /// Strategy name.
    pub strategy: String,
    /// Symbols in index order.
    pub symbols: Vec<String>,
    /// Bar timestamps of the run.
    pub ts: Vec<Timestamp>,
    /// Equity at each bar's close.
    pub equity: Vec<f64>,
    /// Cash at each bar's close.
    pub cash: Vec<f64>,
    /// Starting cash.
    pub initial_cash: f64,
    /// Every order.
    pub orders: Vec<Order>,
    /// Every fill.
    pub fills: Vec<Fill>,
    /// Round trips.
    pub round_trips: Vec<RoundTrip>,
    /// Entries the risk layer refused.
    pub refusals: Vec<Refusal>,
    /// Optimisations the strategy ran.
    pub optimisations: Vec<OptimisationRecord>,
    /// Bars with any position open.
    pub exposed_bars: usize,
    /// Borrow fees charged.
    pub borrow_fees: f64,
    /// Positions at the end.
    pub final_positions: Vec<f64>,
}

impl EventResults {
    /// Equity after the last bar.
    pub fn final_equity(&self) -> f64 {
        self.equity.last().copied().unwrap_or(self.initial_cash)
    }

    /// Commissions paid.
    pub fn total_fees(&self) -> f64 {
        self.fills.iter().map(|f| f.fee).sum()
    }

    /// Trade statistics.
    pub fn stats(&self) -> TradeStats {
        trade_stats(&self.round_trips, self.ts.len(), self.exposed_bars)
    }

    /// Equity at the last bar of each calendar day (for daily metrics) and the base
    /// (the starting cash), as `(day timestamps at midnight, equity)`.
    pub fn daily_equity(&self) -> (Vec<Timestamp>, Vec<f64>) {
        const DAY: i64 = 86_400_000_000_000;
        let mut dates = Vec::new();
        let mut values = Vec::new();
        for (k, (&ts, &e)) in self.ts.iter().zip(&self.equity).enumerate() {
            let day = ts.div_euclid(DAY);
            let last_of_day = self
                .ts
                .get(k + 1)
                .is_none_or(|next| next.div_euclid(DAY) != day);
            if last_of_day {
                dates.push(day * DAY);
                values.push(e);
            }
        }
        (dates, values)
    }
}
