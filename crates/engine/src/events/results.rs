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
    /// Index in the market's calendar of the run's first bar (bar `k` of the run is
    /// calendar entry `first_bar + k`).
    pub first_bar: usize,
    /// Equity at each bar's close.
    pub equity: Vec<f64>,
    /// Cash after each bar where it changed, as (calendar index, cash).
    pub cash: Vec<(usize, f64)>,
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

    /// Bars in the run.
    pub fn bars(&self) -> usize {
        self.equity.len()
    }

    /// The run's timestamps out of the market's calendar `dates`.
    pub fn timestamps<'d>(&self, dates: &'d [Timestamp]) -> &'d [Timestamp] {
        &dates[self.first_bar..self.first_bar + self.bars()]
    }

    /// Cash at each bar's close.
    pub fn cash_series(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.bars());
        let mut cash = self.initial_cash;
        let mut changes = self.cash.iter().peekable();
        for k in 0..self.bars() {
            while let Some(&&(bar, c)) = changes.peek() {
                if bar > self.first_bar + k {
                    break;
                }
                cash = c;
                changes.next();
            }
            out.push(cash);
        }
        out
    }

    /// Commissions paid.
    pub fn total_fees(&self) -> f64 {
        self.fills.iter().map(|f| f.fee).sum()
    }

    /// Trade statistics.
    pub fn stats(&self) -> TradeStats {
        trade_stats(&self.round_trips, self.bars(), self.exposed_bars)
    }

    /// Equity at the last bar of each calendar day (for daily metrics), as `(day
    /// timestamps at midnight, equity)`; `calendar` is the market's.
    pub fn daily_equity(&self, calendar: &[Timestamp]) -> (Vec<Timestamp>, Vec<f64>) {
        const DAY: i64 = 86_400_000_000_000;
        let ts = self.timestamps(calendar);
        let mut dates = Vec::new();
        let mut values = Vec::new();
        for (k, (&ts_k, &e)) in ts.iter().zip(&self.equity).enumerate() {
            let day = ts_k.div_euclid(DAY);
            let last_of_day = ts.get(k + 1).is_none_or(|next| next.div_euclid(DAY) != day);
            if last_of_day {
                dates.push(day * DAY);
                values.push(e);
            }
        }
        (dates, values)
    }
}
