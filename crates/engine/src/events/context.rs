//! What a strategy sees and can do on a bar: the bars up to now (never later), positions,
//! cash and equity, and the order operations.

use serde::Serialize;

use oxfolio_core::Timestamp;

use super::broker::Broker;
use super::fill::BarPrices;
use super::indicator_set::{IndicatorId, IndicatorSet, IndicatorSpec};
use super::order::{OrderError, OrderId, OrderKind, OrderRequest, OrderRole, Trail};
use super::risk_loop::{Entry, Level, RiskLayer};
use crate::calendar::DayFlags;
use crate::error::StrategyError;
use crate::market::Market;

/// One optimisation a strategy ran (momentum top-K records one per rebalance).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptimisationRecord {
    /// Bar index.
    pub bar: usize,
    /// Timestamp.
    pub ts: Timestamp,
    /// The method that succeeded (empty when every one failed).
    pub method: String,
    /// Why earlier methods failed, `method: reason`.
    pub failures: Vec<String>,
    /// Symbols and weights chosen.
    pub weights: Vec<(String, f64)>,
    /// Expected annual return of the weights.
    pub expected_return: f64,
    /// Expected annual volatility.
    pub volatility: f64,
}

/// The strategy's view of bar `t`.
pub struct EventContext<'a> {
    pub(crate) t: usize,
    pub(crate) market: &'a Market,
    /// The closes of bar `t`.
    pub(crate) closes: &'a [f64],
    pub(crate) broker: &'a mut Broker,
    /// The first bar whose closes are not yet in the broker's marks (`usize::MAX`: none).
    /// A quiet stretch defers its marks until something reads them or it ends.
    pub(crate) unmarked_from: usize,
    pub(crate) risk: Option<&'a mut RiskLayer>,
    pub(crate) optimisations: &'a mut Vec<OptimisationRecord>,
    pub(crate) indicators: &'a mut IndicatorSet,
}

impl<'a> EventContext<'a> {
    /// Index of the current bar.
    #[inline]
    pub fn t(&self) -> usize {
        self.t
    }

    /// Timestamp of the current bar.
    pub fn ts(&self) -> Timestamp {
        self.market.dates()[self.t]
    }

    /// Calendar flags of the current bar.
    pub fn flags(&self) -> DayFlags {
        self.market.flags()[self.t]
    }

    /// Symbols in index order.
    pub fn symbols(&self) -> &[String] {
        self.market.symbols()
    }

    /// Number of symbols.
    pub fn n_symbols(&self) -> usize {
        self.market.n_symbols()
    }

    /// Close of symbol `i` on the current bar (`NaN` when it has none).
    #[inline]
    pub fn close(&self, i: usize) -> f64 {
        self.closes[i]
    }

    /// Close of symbol `i` `lag` bars ago (`NaN` before the data starts).
    pub fn close_ago(&self, i: usize, lag: usize) -> f64 {
        if lag > self.t {
            return f64::NAN;
        }
        self.market.closes()[(self.t - lag) * self.market.n_symbols() + i]
    }

    /// Symbol `i`'s bar now (`None` when it has no price); close-only data gives a flat bar.
    pub fn bar(&self, i: usize) -> Option<BarPrices> {
        bar_at(self.market, self.t, i)
    }

    /// Position of symbol `i`.
    #[inline]
    pub fn position(&self, i: usize) -> f64 {
        self.broker.position(i)
    }

    /// Every position.
    pub fn positions(&self) -> &[f64] {
        self.broker.positions()
    }

    /// Cash.
    pub fn cash(&self) -> f64 {
        self.broker.cash()
    }

    /// Equity at the current closes.
    pub fn equity(&mut self) -> f64 {
        self.marked().equity()
    }

    /// The broker (orders, fills, ledger, marks at the current closes), read only.
    pub fn broker(&mut self) -> &Broker {
        self.marked()
    }

    /// The broker with the current closes in its marks.
    #[inline]
    fn marked(&mut self) -> &mut Broker {
        if self.unmarked_from <= self.t {
            self.mark_deferred();
        }
        self.broker
    }

    /// Brings the deferred closes, through the current bar, into the marks.
    #[cold]
    #[inline(never)]
    fn mark_deferred(&mut self) {
        let n = self.market.n_symbols();
        let rows = &self.market.closes()[self.unmarked_from * n..(self.t + 1) * n];
        self.broker.mark_latest(rows);
        self.unmarked_from = self.t + 1;
    }

    /// Starts a quiet stretch at bar `from`: its closes reach the broker's marks when
    /// something reads them or the stretch ends ([`EventContext::end_deferred_marks`]).
    #[inline]
    pub(crate) fn defer_marks(&mut self, from: usize) {
        self.unmarked_from = from;
    }

    /// Ends a quiet stretch after the current bar: the marks take its closes.
    #[inline]
    pub(crate) fn end_deferred_marks(&mut self) {
        self.marked();
        self.unmarked_from = usize::MAX;
    }

    /// Places an order; it can fill from the next bar.
    pub fn submit(&mut self, request: OrderRequest) -> Result<OrderId, OrderError> {
        let t = self.t;
        self.marked().submit(request, OrderRole::Strategy, t)
    }

    /// Places an entry with a stop loss and a take profit that become live when it fills
    /// and cancel each other. Returns the entry's id.
    pub fn submit_bracket(
        &mut self,
        entry: OrderRequest,
        stop_loss: Option<f64>,
        take_profit: Option<f64>,
    ) -> Result<OrderId, OrderError> {
        self.bracket(
            entry,
            stop_loss.map(Level::Price),
            None,
            take_profit.map(Level::Price),
        )
    }

    fn bracket(
        &mut self,
        entry: OrderRequest,
        stop: Option<Level>,
        trailing: Option<f64>,
        take_profit: Option<Level>,
    ) -> Result<OrderId, OrderError> {
        let t = self.t;
        let id = self.marked().submit(entry, OrderRole::Strategy, t)?;
        let group = self.broker.new_group();
        let exit = -entry.quantity;
        let child = |broker: &mut Broker,
                     kind: OrderKind,
                     role: OrderRole,
                     offset: Option<f64>|
         -> Result<(), OrderError> {
            let c = broker.submit(OrderRequest::new(entry.symbol, exit, kind), role, t)?;
            broker.attach(c, id, group);
            broker.set_offset(c, offset);
            Ok(())
        };
        let level = |l: Level| match l {
            Level::Price(p) => (p, None),
            // A placeholder price until the entry fills and sets it.
            Level::Offset(f) => (1.0, Some(f)),
        };
        if let Some(l) = stop {
            let (p, off) = level(l);
            child(
                self.broker,
                OrderKind::Stop { stop: p },
                OrderRole::StopLoss,
                off,
            )?;
        }
        if let Some(p) = trailing {
            child(
                self.broker,
                OrderKind::TrailingStop {
                    trail: Trail::Percent(p),
                },
                OrderRole::TrailingStop,
                None,
            )?;
        }
        if let Some(l) = take_profit {
            let (p, off) = level(l);
            child(
                self.broker,
                OrderKind::Limit { limit: p },
                OrderRole::TakeProfit,
                off,
            )?;
        }
        Ok(id)
    }

    /// Asks for an entry in symbol `i`. With a risk layer it is sized, checked and given
    /// its exits (a refusal is recorded and gives `None`); without one it needs a
    /// quantity and places a market order (a bracket when a stop or target is given).
    pub fn enter(&mut self, i: usize, entry: Entry) -> Result<Option<OrderId>, StrategyError> {
        self.marked();
        let plan = match self.risk.as_deref_mut() {
            Some(risk) => {
                let (price, position) = (self.closes[i], self.broker.position(i));
                let (t, ts) = (self.t, self.market.dates()[self.t]);
                let equity = self.broker.equity();
                match risk.plan(i, &entry, price, equity, position, t, ts) {
                    Some(plan) => plan,
                    None => return Ok(None),
                }
            }
            None => {
                let q = entry
                    .quantity
                    .filter(|q| q.is_finite() && *q > 0.0)
                    .ok_or_else(|| {
                        StrategyError::new(
                            "an entry needs a positive quantity when no sizer is configured",
                        )
                    })?;
                super::risk_loop::EntryPlan {
                    quantity: entry.side.sign() * q,
                    stop: entry.stop.map(Level::Price),
                    trailing: None,
                    take_profit: entry.take_profit.map(Level::Price),
                }
            }
        };
        let request = OrderRequest::market(i, plan.quantity);
        let id = if plan.stop.is_none() && plan.trailing.is_none() && plan.take_profit.is_none() {
            self.submit(request)
        } else {
            self.bracket(request, plan.stop, plan.trailing, plan.take_profit)
        }
        .map_err(|e| StrategyError::new(e.to_string()))?;
        if let Some(risk) = self.risk.as_deref_mut() {
            risk.placed(id, entry.side, entry.stop, entry.confidence);
        }
        Ok(Some(id))
    }

    /// Closes symbol `i`'s position with a market order and cancels the orders guarding
    /// it; `None` when flat.
    pub fn exit(&mut self, i: usize) -> Result<Option<OrderId>, StrategyError> {
        self.exit_with(i, OrderRole::Strategy)
    }

    pub(crate) fn exit_with(
        &mut self,
        i: usize,
        role: OrderRole,
    ) -> Result<Option<OrderId>, StrategyError> {
        let q = self.position(i);
        let t = self.t;
        let guards: Vec<OrderId> = self
            .marked()
            .live_orders()
            .filter(|o| o.request.symbol == i && o.role != OrderRole::Strategy)
            .map(|o| o.id)
            .collect();
        for g in guards {
            self.broker
                .cancel(g, t, "replaced by an exit")
                .map_err(|e| StrategyError::new(e.to_string()))?;
        }
        if q == 0.0 {
            return Ok(None);
        }
        self.broker
            .submit(OrderRequest::market(i, -q), role, t)
            .map(Some)
            .map_err(|e| StrategyError::new(e.to_string()))
    }

    /// Changes a live order's quantity or kind (from the next bar).
    pub fn modify(
        &mut self,
        id: OrderId,
        quantity: Option<f64>,
        kind: Option<OrderKind>,
    ) -> Result<(), OrderError> {
        let t = self.t;
        self.marked().modify(id, quantity, kind, t)
    }

    /// Cancels a live order.
    pub fn cancel(&mut self, id: OrderId) -> Result<(), OrderError> {
        let t = self.t;
        self.marked().cancel(id, t, "cancelled by the strategy")
    }

    /// Registers an indicator on symbol `i`; the engine feeds it every bar from the next
    /// one (or this one, when registered in `on_start`) before `on_bar`.
    pub fn add_indicator(&mut self, i: usize, spec: IndicatorSpec) -> IndicatorId {
        self.indicators.add(i, spec)
    }

    /// An indicator's value after the current bar (`None` while it warms up).
    pub fn indicator(&self, id: IndicatorId) -> Option<f64> {
        self.indicators.value(id)
    }

    /// Records an optimisation in the results.
    pub fn record_optimisation(&mut self, record: OptimisationRecord) {
        self.optimisations.push(record);
    }
}

/// Symbol `i`'s bar at `t`; close-only data gives a flat bar at the close.
#[inline(always)]
pub fn bar_at(market: &Market, t: usize, i: usize) -> Option<BarPrices> {
    let n = market.n_symbols();
    let k = t * n + i;
    let close = market.closes()[k];
    if close.is_nan() {
        return None;
    }
    let get = |c: Option<&[f64]>| c.map_or(close, |c| c[k]);
    let open = get(market.opens());
    if open.is_nan() {
        return None;
    }
    Some(BarPrices {
        open,
        high: get(market.highs()),
        low: get(market.lows()),
        close,
        volume: market.volumes().map_or(f64::NAN, |v| v[k]),
    })
}
