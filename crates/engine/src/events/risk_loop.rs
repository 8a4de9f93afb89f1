//! The risk toolkit inside the engine. Every entry a strategy asks for with
//! [`super::context::EventContext::enter`] is sized by the configured sizer (capital
//! scaled by the drawdown zone's multiplier) and passes the risk manager's pre-trade
//! checks (balance, position limit, confidence, drawdown zone halt, heat, daily loss);
//! a refusal is recorded with every reason. An accepted entry is a market order with its
//! exits attached as engine orders in one one-cancels-other group, so they follow the fill
//! table: the hard stop (the strategy's stop, or `stop_percent` from the fill price), the
//! trailing stop (`trailing_percent`), the take profit (`take_profit_percent`); a time
//! exit (`max_holding_bars`) becomes a market order at the next open. The manager is
//! marked at every bar's closes with the engine's cash, so zones, heat and the daily loss
//! follow the run.

use std::collections::BTreeMap;

use serde::Serialize;

use oxfolio_core::Timestamp;
use oxfolio_risk::config::RiskManagement;
use oxfolio_risk::manager::{ProposedTrade, RiskManager};
use oxfolio_risk::sizing::{Side, SizingRequest};
use oxfolio_risk::stops::ExitReason;

use super::order::{OrderId, OrderRole};
use crate::error::EngineError;

/// An entry a strategy asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    /// Long or short.
    pub side: Side,
    /// Units; required without a sizer, ignored with one.
    pub quantity: Option<f64>,
    /// Protective stop price.
    pub stop: Option<f64>,
    /// Take-profit price.
    pub take_profit: Option<f64>,
    /// Model confidence in [0, 1].
    pub confidence: Option<f64>,
    /// Annualised volatility (volatility-target sizer).
    pub volatility: Option<f64>,
}

impl Entry {
    /// A long entry of `quantity` units (or sized by the risk layer).
    pub fn long(quantity: Option<f64>) -> Entry {
        Entry {
            side: Side::Long,
            quantity,
            stop: None,
            take_profit: None,
            confidence: None,
            volatility: None,
        }
    }
}

/// An entry the risk layer refused.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Refusal {
    /// Bar index of the decision.
    pub bar: usize,
    /// Its timestamp.
    pub ts: Timestamp,
    /// Symbol.
    pub symbol: String,
    /// `long` or `short`.
    pub side: &'static str,
    /// Units asked for or sized (0 when sizing failed).
    pub quantity: f64,
    /// Every failed check, `check: reason`.
    pub reasons: Vec<String>,
}

/// What an accepted entry becomes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EntryPlan {
    /// Signed units.
    pub quantity: f64,
    /// Hard stop: an absolute price, or a fraction from the fill price.
    pub stop: Option<Level>,
    /// Trailing stop fraction.
    pub trailing: Option<f64>,
    /// Take profit: an absolute price, or a fraction from the fill price.
    pub take_profit: Option<Level>,
}

/// A price level given absolutely or relative to the entry's fill.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Level {
    /// A price.
    Price(f64),
    /// A signed fraction of the fill price (`-0.03`: 3% below).
    Offset(f64),
}

#[derive(Clone, Copy, Debug)]
struct OpenRisk {
    entry_bar: usize,
    timed_out: bool,
}

/// The risk manager, sizer and stop settings of a run.
pub struct RiskLayer {
    config: RiskManagement,
    manager: RiskManager,
    symbols: Vec<String>,
    /// Entry orders placed from plans: side, stop and confidence, by order id.
    pending: BTreeMap<OrderId, (Side, Option<f64>, Option<f64>)>,
    open: Vec<Option<OpenRisk>>,
    refusals: Vec<Refusal>,
}

impl RiskLayer {
    /// A layer for `symbols` with `initial_cash`.
    pub fn new(
        config: RiskManagement,
        symbols: &[String],
        initial_cash: f64,
    ) -> Result<RiskLayer, EngineError> {
        let manager = config
            .manager(initial_cash)
            .map_err(|e| EngineError::Config(format!("risk_management: {e}")))?;
        Ok(RiskLayer {
            config,
            manager,
            symbols: symbols.to_vec(),
            pending: BTreeMap::new(),
            open: vec![None; symbols.len()],
            refusals: Vec::new(),
        })
    }

    /// The manager (zone, heat, drawdown).
    pub fn manager(&self) -> &RiskManager {
        &self.manager
    }

    /// Refusals so far.
    pub fn refusals(&self) -> &[Refusal] {
        &self.refusals
    }

    /// Sizes and checks an entry in `symbol` expected at `price` (the last close) with
    /// `equity`; records and returns `None` on refusal.
    #[allow(clippy::too_many_arguments)]
    pub fn plan(
        &mut self,
        symbol: usize,
        entry: &Entry,
        price: f64,
        equity: f64,
        position: f64,
        bar: usize,
        ts: Timestamp,
    ) -> Option<EntryPlan> {
        let s = entry.side.sign();
        let stops = &self.config.stop_loss;
        let mut refuse = |quantity: f64, reasons: Vec<String>| {
            self.refusals.push(Refusal {
                bar,
                ts,
                symbol: self.symbols[symbol].clone(),
                side: entry.side.name(),
                quantity,
                reasons,
            });
            None
        };
        if position != 0.0 || self.open[symbol].is_some() {
            return refuse(
                entry.quantity.unwrap_or(0.0),
                vec![format!("position_open: {position} units are already held")],
            );
        }
        // The stop the sizer and the checks see: the strategy's, else the tighter of the
        // configured hard and trailing stops from the expected price.
        let hard = entry
            .stop
            .or_else(|| stops.stop_percent.map(|p| price * (1.0 - s * p)));
        let trail = stops.trailing_percent.map(|p| price * (1.0 - s * p));
        let sizing_stop = match (hard, trail) {
            (Some(h), Some(t)) if s > 0.0 => Some(h.max(t)),
            (Some(h), Some(t)) => Some(h.min(t)),
            (h, t) => h.or(t),
        };
        let quantity = match &self.config.position_sizing {
            Some(sizer) => {
                let request = SizingRequest {
                    capital: equity,
                    entry: price,
                    stop: sizing_stop,
                    confidence: entry.confidence,
                    asset_volatility: entry.volatility,
                    side: Some(entry.side),
                };
                match self.manager.size(sizer, &request) {
                    Ok(size) if size.shares > 0.0 => size.shares,
                    Ok(size) => {
                        return refuse(
                            0.0,
                            vec![format!(
                                "sizer: zero units (binding: {:?}, zone `{}`)",
                                size.binding_constraint,
                                self.manager.zone().name
                            )],
                        )
                    }
                    Err(e) => return refuse(0.0, vec![format!("sizer: {e}")]),
                }
            }
            None => match entry.quantity {
                Some(q) if q.is_finite() && q > 0.0 => q,
                other => {
                    return refuse(
                        0.0,
                        vec![format!(
                        "quantity: {other:?}; without a sizer an entry needs a positive quantity"
                    )],
                    )
                }
            },
        };
        let validation = self.manager.validate(&ProposedTrade {
            symbol: self.symbols[symbol].clone(),
            side: entry.side,
            quantity,
            price,
            stop: sizing_stop,
            confidence: entry.confidence,
        });
        if !validation.approved {
            let reasons = validation
                .failures
                .iter()
                .map(|f| format!("{}: {}", f.check, f.reason))
                .collect();
            return refuse(quantity, reasons);
        }
        Some(EntryPlan {
            quantity: s * quantity,
            stop: entry
                .stop
                .map(Level::Price)
                .or_else(|| stops.stop_percent.map(|p| Level::Offset(-s * p))),
            trailing: stops.trailing_percent,
            take_profit: entry
                .take_profit
                .map(Level::Price)
                .or_else(|| stops.take_profit_percent.map(|p| Level::Offset(s * p))),
        })
    }

    /// Remembers an entry order placed from a plan.
    pub fn placed(
        &mut self,
        order: OrderId,
        side: Side,
        stop: Option<f64>,
        confidence: Option<f64>,
    ) {
        self.pending.insert(order, (side, stop, confidence));
    }

    /// Books a fill in the manager: an entry opens the position, the fill that closes a
    /// position closes it with the reason its order's role gives.
    #[allow(clippy::too_many_arguments)]
    pub fn on_fill(
        &mut self,
        order: OrderId,
        role: OrderRole,
        symbol: usize,
        quantity: f64,
        price: f64,
        position_after: f64,
        bar: usize,
        ts: Timestamp,
    ) -> Result<(), EngineError> {
        let name = self.symbols[symbol].clone();
        let fail = |e: oxfolio_risk::error::RiskError| EngineError::Config(format!("risk: {e}"));
        if let Some(&(side, stop, confidence)) = self.pending.get(&order) {
            if position_after.abs() >= quantity.abs() - 1e-9 && self.open[symbol].is_none() {
                self.open[symbol] = Some(OpenRisk {
                    entry_bar: bar,
                    timed_out: false,
                });
            }
            let trade = ProposedTrade {
                symbol: name,
                side,
                quantity: quantity.abs(),
                price,
                // A stop no longer on the right side of the fill is dropped for the books.
                stop: stop.filter(|s| (price - s) * side.sign() > 0.0),
                confidence,
            };
            return self.manager.book_open(&trade, ts).map_err(fail);
        }
        if position_after == 0.0 && self.manager.positions().contains_key(&name) {
            let reason = match role {
                OrderRole::StopLoss | OrderRole::TrailingStop => ExitReason::StopLoss,
                OrderRole::TakeProfit => ExitReason::TakeProfit,
                OrderRole::TimeExit => ExitReason::TimeStop,
                OrderRole::Strategy | OrderRole::EndOfRun => ExitReason::Manual,
            };
            self.manager.close(&name, price, ts, reason).map_err(fail)?;
            self.open[symbol] = None;
        }
        Ok(())
    }

    /// Marks the manager at the bar's closes with the engine's cash.
    pub fn mark(&mut self, ts: Timestamp, cash: f64, closes: &[f64]) {
        let symbols = &self.symbols;
        self.manager.mark_external(ts, cash, &|s: &str| {
            symbols.iter().position(|x| x == s).map(|i| closes[i])
        });
    }

    /// Symbols whose time exit is due at bar `t` (each reported once).
    pub fn due_time_exits(&mut self, t: usize, out: &mut Vec<usize>) {
        out.clear();
        let Some(max) = self.config.stop_loss.max_holding_bars else {
            return;
        };
        for (i, o) in self.open.iter_mut().enumerate() {
            if let Some(o) = o {
                if !o.timed_out && t >= o.entry_bar + max {
                    o.timed_out = true;
                    out.push(i);
                }
            }
        }
    }
}
