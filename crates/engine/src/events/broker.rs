//! The broker: keeps orders, matches them against each bar by the fill rules
//! ([`super::fill`]), applies slippage, commission, the volume cap and the account rules,
//! and books fills in the ledger.
//!
//! Account rules, checked on every fill that adds exposure:
//!
//! | rule | refused when |
//! |---|---|
//! | cash | margin is off and a buy of a cash-settled instrument costs more than the cash held |
//! | shorting | shorting is off and a sell would leave the position below zero |
//! | leverage | margin is on and gross exposure after the fill would exceed `max_leverage` x equity |
//!
//! A refused order is `Rejected` with the reason, and stays in the order list.

use serde::Serialize;

use oxfolio_core::ledger::{Instrument, Ledger, Settlement};
use oxfolio_core::memory::push_huge;
use oxfolio_core::Timestamp;

use super::costs::{Commission, Slippage};
use super::execution::ExecutionConfig;
use super::fill::{
    exit_class, match_order, pick_exit, slipped, trailing_level, BarPrices, FillModel, Match,
};
use super::order::{
    Order, OrderError, OrderId, OrderKind, OrderRequest, OrderRole, OrderStatus, TimeInForce,
};
use crate::error::EngineError;
use crate::execution::with_impact;

/// One fill.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Fill {
    /// The order.
    pub order: OrderId,
    /// Bar index.
    pub bar: usize,
    /// Bar timestamp.
    pub ts: Timestamp,
    /// Symbol index.
    pub symbol: usize,
    /// Signed quantity.
    pub quantity: f64,
    /// Price after slippage.
    pub price: f64,
    /// Commission.
    pub fee: f64,
    /// Slippage paid, in money (non-negative).
    pub slippage: f64,
    /// Why the order exists.
    pub role: OrderRole,
}

/// Something that happened to an order, for the strategy's handlers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BrokerEvent {
    /// The order changed state (the order list has the new state).
    Order(OrderId),
    /// A fill (index into the fill list).
    Fill(usize),
}

/// Orders, ledger and fills of one run.
pub struct Broker {
    config: ExecutionConfig,
    slippage: Box<dyn Slippage>,
    commission: Box<dyn Commission>,
    ledger: Ledger,
    multipliers: Vec<f64>,
    settlements: Vec<Settlement>,
    has_futures: bool,
    positions: Vec<f64>,
    marks: Vec<f64>,
    orders: Vec<Order>,
    live: Vec<OrderId>,
    scratch: Vec<OrderId>,
    fills: Vec<Fill>,
    events: Vec<BrokerEvent>,
    volume_used: Vec<f64>,
    volume_bar: Option<usize>,
    next_group: usize,
    groups: Vec<Option<usize>>,
    /// `[backtest] impact_bps / 10,000`, applied to marketable fills after slippage.
    impact_rate: f64,
    /// A caller's fill model; `None` is the fill table, called directly.
    fill_model: Option<Box<dyn FillModel>>,
}

impl Broker {
    /// A broker with `cash` for `instruments`, using the given cost models, with room
    /// for `expected_orders` records before any list grows (address space only: pages
    /// become memory when written).
    pub fn new(
        instruments: Vec<Instrument>,
        cash: f64,
        config: ExecutionConfig,
        slippage: Box<dyn Slippage>,
        commission: Box<dyn Commission>,
        expected_orders: usize,
    ) -> Result<Broker, EngineError> {
        config.validate()?;
        let n = instruments.len();
        let multipliers = instruments.iter().map(|i| i.multiplier).collect();
        let settlements: Vec<Settlement> = instruments.iter().map(|i| i.settlement).collect();
        let has_futures = settlements.contains(&Settlement::Future);
        Ok(Broker {
            config,
            slippage,
            commission,
            ledger: Ledger::new(instruments, cash)?,
            multipliers,
            settlements,
            has_futures,
            positions: vec![0.0; n],
            marks: vec![f64::NAN; n],
            orders: Vec::with_capacity(expected_orders),
            live: Vec::new(),
            scratch: Vec::new(),
            fills: Vec::with_capacity(expected_orders),
            events: Vec::new(),
            volume_used: vec![0.0; n],
            volume_bar: None,
            next_group: 0,
            groups: Vec::with_capacity(expected_orders),
            impact_rate: 0.0,
            fill_model: None,
        })
    }

    /// Marketable fills (market orders, triggered stops) move by `rate` of their price
    /// against the trader after the slippage model, unbounded by the bar's range: the
    /// meaning `impact_bps` has at both strategy levels ([`with_impact`]).
    pub fn with_impact(mut self, rate: f64) -> Broker {
        self.impact_rate = rate;
        self
    }

    /// Matches orders with `model` instead of the fill table.
    pub fn set_fill_model(&mut self, model: Box<dyn FillModel>) {
        self.fill_model = Some(model);
    }

    /// The execution settings.
    pub fn config(&self) -> &ExecutionConfig {
        &self.config
    }

    /// Position of symbol `i`.
    #[inline]
    pub fn position(&self, i: usize) -> f64 {
        self.positions[i]
    }

    /// Every position.
    pub fn positions(&self) -> &[f64] {
        &self.positions
    }

    /// Cash.
    #[inline]
    pub fn cash(&self) -> f64 {
        self.ledger.cash()
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Last known price of each symbol.
    pub fn marks(&self) -> &[f64] {
        &self.marks
    }

    /// Equity at the last marks.
    #[inline]
    pub fn equity(&self) -> f64 {
        self.ledger.equity(&self.marks)
    }

    /// Gross exposure at the last marks.
    pub fn gross_exposure(&self) -> f64 {
        self.positions
            .iter()
            .zip(&self.marks)
            .zip(&self.multipliers)
            .map(|((q, p), m)| if *q == 0.0 { 0.0 } else { (q * p * m).abs() })
            .sum()
    }

    /// Every order so far.
    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    /// Order `id`.
    pub fn order(&self, id: OrderId) -> Result<&Order, OrderError> {
        self.orders.get(id).ok_or(OrderError::Unknown(id))
    }

    /// Live orders, in submission order.
    pub fn live_orders(&self) -> impl Iterator<Item = &Order> {
        self.live.iter().map(|&id| &self.orders[id])
    }

    /// True when no order is live.
    #[inline]
    pub fn idle(&self) -> bool {
        self.live.is_empty()
    }

    /// The order and fill lists, taking the broker apart at the end of a run.
    pub fn into_records(self) -> (Vec<Order>, Vec<Fill>) {
        (self.orders, self.fills)
    }

    /// Every fill so far.
    pub fn fills(&self) -> &[Fill] {
        &self.fills
    }

    /// Takes the events since the last call into `out` (which is cleared first).
    pub fn drain_events(&mut self, out: &mut Vec<BrokerEvent>) {
        out.clear();
        std::mem::swap(out, &mut self.events);
    }

    /// True when events are waiting.
    #[inline]
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// True when no order is live and no event waits (one test for both).
    #[inline]
    pub fn settled(&self) -> bool {
        self.live.len() | self.events.len() == 0
    }

    /// A new one-cancels-other group id.
    pub fn new_group(&mut self) -> usize {
        self.next_group += 1;
        self.next_group - 1
    }

    /// Accepts an order placed on bar `bar`. It may fill from the next bar (or at this
    /// bar's close when market orders fill at the same close).
    pub fn submit(
        &mut self,
        request: OrderRequest,
        role: OrderRole,
        bar: usize,
    ) -> Result<OrderId, OrderError> {
        request.validate(self.positions.len())?;
        let id = self.orders.len();
        let mut order = Order::new(id, request, role, bar);
        if matches!(request.kind, OrderKind::TrailingStop { .. }) {
            order.best_price = self.marks[request.symbol];
        }
        push_huge(&mut self.orders, order);
        push_huge(&mut self.groups, None);
        self.live.push(id);
        Ok(id)
    }

    /// Makes `child` wait for `parent`'s fill and join one-cancels-other `group`.
    pub fn attach(&mut self, child: OrderId, parent: OrderId, group: usize) {
        self.orders[child].parent = Some(parent);
        self.orders[child].eligible_bar = usize::MAX;
        self.groups[child] = Some(group);
    }

    /// Sets a bracket child's level relative to its entry's fill.
    pub fn set_offset(&mut self, id: OrderId, offset: Option<f64>) {
        self.orders[id].offset = offset;
    }

    /// Cancels a live order (and the unfilled children of an entry).
    pub fn cancel(&mut self, id: OrderId, bar: usize, reason: &str) -> Result<(), OrderError> {
        let order = self.orders.get_mut(id).ok_or(OrderError::Unknown(id))?;
        order.move_to(OrderStatus::Cancelled, bar)?;
        order.reason = reason.to_string();
        let unfilled = order.filled == 0.0;
        self.events.push(BrokerEvent::Order(id));
        if unfilled {
            self.cancel_children(id, bar, "its entry was cancelled");
        }
        self.live.retain(|&l| l != id);
        Ok(())
    }

    fn cancel_children(&mut self, parent: OrderId, bar: usize, reason: &str) {
        let children: Vec<OrderId> = self
            .live
            .iter()
            .copied()
            .filter(|&c| self.orders[c].parent == Some(parent))
            .collect();
        for c in children {
            let _ = self.cancel(c, bar, reason);
        }
    }

    /// Changes a live order's quantity or kind; effective from the next bar.
    pub fn modify(
        &mut self,
        id: OrderId,
        quantity: Option<f64>,
        kind: Option<OrderKind>,
        bar: usize,
    ) -> Result<(), OrderError> {
        let n = self.positions.len();
        let order = self.orders.get_mut(id).ok_or(OrderError::Unknown(id))?;
        if !order.is_live() {
            return Err(OrderError::Transition {
                id,
                from: order.status.name(),
                to: "modified",
            });
        }
        let mut request = order.request;
        if let Some(q) = quantity {
            if q.signum() != request.quantity.signum() || q.abs() < order.filled.abs() {
                return Err(OrderError::Invalid {
                    symbol: request.symbol,
                    message: format!(
                        "order {id}: new quantity {q} must keep the side and cover the {} filled",
                        order.filled
                    ),
                });
            }
            request.quantity = q;
        }
        if let Some(k) = kind {
            request.kind = k;
        }
        request.validate(n)?;
        order.request = request;
        order.updated_bar = bar;
        if kind.is_some() && order.filled == 0.0 {
            // A new kind starts untriggered.
            order.triggered = false;
            if order.status == OrderStatus::Triggered {
                order.status = OrderStatus::Working;
            }
        }
        self.events.push(BrokerEvent::Order(id));
        Ok(())
    }

    /// Marks prices at a bar's closes (`NaN` keeps the last mark); futures settle.
    #[inline]
    pub fn mark(&mut self, closes: &[f64]) {
        // One symbol (the common intraday run) without a loop.
        if let ([m], [c]) = (self.marks.as_mut_slice(), closes) {
            if !c.is_nan() {
                *m = *c;
            }
            return;
        }
        for (m, c) in self.marks.iter_mut().zip(closes) {
            if !c.is_nan() {
                *m = *c;
            }
        }
    }

    /// Marks each symbol at its last non-`NaN` close in `rows` (consecutive bars' closes,
    /// time-major): the same marks as [`Broker::mark`] row by row, reading back from the
    /// last row only as far as each symbol needs.
    pub fn mark_latest(&mut self, rows: &[f64]) {
        let n = self.marks.len();
        // One symbol (the common intraday run): the rows are its closes.
        if let [m] = self.marks.as_mut_slice() {
            if let Some(c) = rows.iter().rev().find(|c| !c.is_nan()) {
                *m = *c;
            }
            return;
        }
        for (i, m) in self.marks.iter_mut().enumerate() {
            if let Some(c) = rows.iter().skip(i).step_by(n).rev().find(|c| !c.is_nan()) {
                *m = *c;
            }
        }
    }

    /// Settles futures variation margin at the marks.
    #[inline]
    pub fn settle(&mut self) {
        if self.has_futures {
            self.ledger.mark(&self.marks);
        }
    }

    /// Charges the borrow fee on shorts for one trading day, at the marks.
    pub fn charge_borrow(&mut self) -> Result<f64, EngineError> {
        let rate = self.config.borrow_fee_bps * 1e-4 / 252.0;
        if rate == 0.0 {
            return Ok(0.0);
        }
        let fee: f64 = self
            .positions
            .iter()
            .zip(&self.marks)
            .zip(&self.multipliers)
            .filter(|((q, p), _)| **q < 0.0 && p.is_finite())
            .map(|((q, p), m)| -q * p * m * rate)
            .sum();
        if fee > 0.0 {
            self.ledger.transfer(-fee)?;
        }
        Ok(fee)
    }

    /// Matches live orders against bar `t`. `bar_of(i)` gives symbol `i`'s bar (`None`
    /// when it has no price). `day` is the bar's calendar day (for day orders).
    pub fn process_bar(
        &mut self,
        t: usize,
        ts: Timestamp,
        day: i64,
        bar_of: impl Fn(usize) -> Option<BarPrices>,
    ) -> Result<(), EngineError> {
        if self.live.is_empty() {
            return Ok(());
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(&self.live);
        // Same-close fills share the bar's volume with its earlier fills.
        if self.config.max_volume_share.is_some() && self.volume_bar != Some(t) {
            self.volume_bar = Some(t);
            for v in &mut self.volume_used {
                *v = 0.0;
            }
        }
        let mut handled_groups: Vec<usize> = Vec::new();
        for k in 0..self.scratch.len() {
            let id = self.scratch[k];
            let order = &self.orders[id];
            if !order.is_live() || order.eligible_bar > t {
                continue;
            }
            // Day orders expire once the day of their first eligible bar is over.
            if order.request.tif == TimeInForce::Day {
                match order.session_day {
                    Some(started) if started != day => {
                        self.finish(id, OrderStatus::Expired, t, "its day ended")?;
                        continue;
                    }
                    Some(_) => {}
                    None => self.orders[id].session_day = Some(day),
                }
            }
            let symbol = self.orders[id].request.symbol;
            let Some(bar) = bar_of(symbol) else {
                continue;
            };
            if self.orders[id].status == OrderStatus::Submitted {
                self.orders[id].move_to(OrderStatus::Working, t)?;
            }
            if let Some(g) = self.groups[id] {
                if handled_groups.contains(&g) {
                    continue;
                }
                handled_groups.push(g);
                self.process_group(g, t, ts, &bar)?;
            } else {
                let (m, triggered) = self.match_one(id, &bar);
                if triggered {
                    self.trigger(id, t)?;
                }
                if let Some(m) = m {
                    self.execute(id, m, t, ts, &bar)?;
                }
                self.after_bar(id, t, &bar)?;
            }
        }
        self.live.retain(|&id| self.orders[id].is_live());
        Ok(())
    }

    fn match_one(&self, id: OrderId, bar: &BarPrices) -> (Option<Match>, bool) {
        let o = &self.orders[id];
        let buy = o.is_buy();
        let level = match o.request.kind {
            OrderKind::TrailingStop { trail } => trailing_level(trail, o.best_price, buy),
            _ => f64::NAN,
        };
        match &self.fill_model {
            None => match_order(&o.request.kind, buy, o.triggered, level, bar),
            Some(model) => model.match_order(&o.request.kind, buy, o.triggered, level, bar),
        }
    }

    /// Marks a stop-limit whose stop was reached.
    fn trigger(&mut self, id: OrderId, t: usize) -> Result<(), EngineError> {
        let o = &mut self.orders[id];
        o.triggered = true;
        if o.status == OrderStatus::Working {
            o.move_to(OrderStatus::Triggered, t)?;
            self.events.push(BrokerEvent::Order(id));
        }
        Ok(())
    }

    /// IOC cancels what is left after its first bar; trailing stops follow the bar.
    fn after_bar(&mut self, id: OrderId, t: usize, bar: &BarPrices) -> Result<(), EngineError> {
        let o = &mut self.orders[id];
        if !o.is_live() {
            return Ok(());
        }
        if o.request.tif == TimeInForce::Ioc {
            return self.finish(id, OrderStatus::Cancelled, t, "immediate or cancel");
        }
        if let OrderKind::TrailingStop { .. } = o.request.kind {
            let best = if o.is_buy() { bar.low } else { bar.high };
            if o.best_price.is_nan()
                || (o.is_buy() && best < o.best_price)
                || (!o.is_buy() && best > o.best_price)
            {
                o.best_price = best;
            }
        }
        Ok(())
    }

    /// One-cancels-other: of the members matching this bar, one fills by the intrabar
    /// rule; the others are cancelled once the position they protect is closed.
    fn process_group(
        &mut self,
        group: usize,
        t: usize,
        ts: Timestamp,
        bar: &BarPrices,
    ) -> Result<(), EngineError> {
        let members: Vec<OrderId> = self
            .live
            .iter()
            .copied()
            .filter(|&id| {
                self.groups[id] == Some(group)
                    && self.orders[id].is_live()
                    && self.orders[id].eligible_bar <= t
            })
            .collect();
        let mut candidates = Vec::new();
        for &id in &members {
            if self.orders[id].status == OrderStatus::Submitted {
                self.orders[id].move_to(OrderStatus::Working, t)?;
            }
            let (m, triggered) = self.match_one(id, bar);
            if triggered {
                self.trigger(id, t)?;
            }
            if let Some(m) = m {
                candidates.push((id, exit_class(&self.orders[id].request.kind), m));
            }
        }
        if let Some(winner) = pick_exit(&candidates, self.config.intrabar, bar.open) {
            let m = candidates
                .iter()
                .find(|c| c.0 == winner)
                .map(|c| c.2)
                .ok_or_else(|| EngineError::Data("intrabar pick lost its candidate".into()))?;
            self.execute(winner, m, t, ts, bar)?;
            if !self.orders[winner].is_live() {
                for &id in &members {
                    if id != winner && self.orders[id].is_live() {
                        self.finish(id, OrderStatus::Cancelled, t, "one-cancels-other")?;
                    }
                }
            }
        }
        for &id in &members {
            self.after_bar(id, t, bar)?;
        }
        Ok(())
    }

    fn finish(
        &mut self,
        id: OrderId,
        to: OrderStatus,
        t: usize,
        reason: &str,
    ) -> Result<(), EngineError> {
        let o = &mut self.orders[id];
        o.move_to(to, t)?;
        o.reason = reason.to_string();
        let unfilled = o.filled == 0.0;
        self.events.push(BrokerEvent::Order(id));
        if unfilled {
            self.cancel_children(id, t, "its entry ended unfilled");
        }
        Ok(())
    }

    /// Fills order `id` at the match (subject to the volume cap and the account rules).
    fn execute(
        &mut self,
        id: OrderId,
        m: Match,
        t: usize,
        ts: Timestamp,
        bar: &BarPrices,
    ) -> Result<(), EngineError> {
        let order = &self.orders[id];
        let symbol = order.request.symbol;
        let buy = order.is_buy();
        let mut quantity = order.remaining();
        if let Some(cap) = self.config.max_volume_share {
            if bar.volume.is_finite() {
                let room = (cap * bar.volume - self.volume_used[symbol]).max(0.0);
                let room = if self.config.fractional {
                    room
                } else {
                    room.floor()
                };
                if room < quantity.abs() {
                    quantity = room * quantity.signum();
                }
            }
        }
        if quantity == 0.0 {
            return Ok(());
        }
        let price = if m.marketable {
            let slip = self.slippage.slip(m.price, quantity, bar).max(0.0);
            with_impact(slipped(m.price, slip, buy, bar), buy, self.impact_rate)
        } else {
            m.price
        };
        let mult = self.multipliers[symbol];
        let fee = self.commission.fee(quantity, price, mult).max(0.0);
        if let Some(reason) = self.refusal(symbol, quantity, price, fee) {
            return self.finish(id, OrderStatus::Rejected, t, &reason);
        }
        self.ledger.fill(symbol, quantity, price, fee)?;
        self.positions[symbol] += quantity;
        if self.positions[symbol].abs() < 1e-9 {
            self.positions[symbol] = 0.0;
        }
        self.volume_used[symbol] += quantity.abs();
        let o = &mut self.orders[id];
        o.record_fill(quantity, price, fee, t)?;
        if matches!(
            o.request.kind,
            OrderKind::Stop { .. } | OrderKind::TrailingStop { .. }
        ) {
            o.triggered = true;
        }
        push_huge(
            &mut self.fills,
            Fill {
                order: id,
                bar: t,
                ts,
                symbol,
                quantity,
                price,
                fee,
                slippage: (price - m.price).abs() * quantity.abs() * mult,
                role: o.role,
            },
        );
        self.events.push(BrokerEvent::Fill(self.fills.len() - 1));
        self.events.push(BrokerEvent::Order(id));
        let (filled, average) = (o.filled, o.average_price);
        // A bracket's children cover what the entry has filled, from this bar when the
        // entry filled at the open, else from the next.
        let from = if m.at_open { t } else { t + 1 };
        // (With this order alone live there is nothing else to update.)
        let others = self.live.len() > 1;
        for k in 0..if others { self.live.len() } else { 0 } {
            let c = self.live[k];
            if self.orders[c].parent == Some(id) && self.orders[c].is_live() {
                let child = &mut self.orders[c];
                child.request.quantity = -filled;
                child.eligible_bar = child.eligible_bar.min(from);
                let level = child.offset.map(|f| average * (1.0 + f));
                match (&mut child.request.kind, level) {
                    (OrderKind::TrailingStop { .. }, _) => child.best_price = average,
                    (OrderKind::Stop { stop }, Some(l)) => *stop = l,
                    (OrderKind::Limit { limit }, Some(l)) => *limit = l,
                    _ => {}
                }
            }
        }
        // A position closed by any order ends the exits guarding it.
        if others && self.positions[symbol] == 0.0 {
            let guards: Vec<OrderId> = self
                .live
                .iter()
                .copied()
                .filter(|&g| {
                    g != id
                        && self.orders[g].request.symbol == symbol
                        && self.orders[g].is_live()
                        && self.orders[g].role != OrderRole::Strategy
                        && self.orders[g].eligible_bar != usize::MAX
                })
                .collect();
            for g in guards {
                self.finish(g, OrderStatus::Cancelled, t, "position closed")?;
            }
        }
        Ok(())
    }

    /// Why the account refuses a fill, if it does.
    fn refusal(&self, symbol: usize, quantity: f64, price: f64, fee: f64) -> Option<String> {
        let before = self.positions[symbol];
        let after = before + quantity;
        let adds = after.abs() > before.abs() || after.signum() != before.signum();
        if !adds {
            return None;
        }
        if !self.config.allow_short && after < -1e-9 {
            return Some(format!(
                "shorting is off: position {before}, order {quantity}"
            ));
        }
        let mult = self.multipliers[symbol];
        if self.config.margin {
            let mut gross = self.gross_exposure();
            let p = self.marks[symbol];
            let p = if p.is_finite() { p } else { price };
            gross += (after.abs() - before.abs()) * p * mult;
            let equity = self.equity() - fee;
            if equity.is_nan()
                || equity <= 0.0
                || gross > self.config.max_leverage * equity * (1.0 + 1e-12)
            {
                return Some(format!(
                    "leverage: gross exposure {gross:.2} would exceed {} x equity {equity:.2}",
                    self.config.max_leverage
                ));
            }
        } else if self.settlements[symbol] == Settlement::Cash && quantity > 0.0 {
            let cost = quantity * price * mult + fee;
            if cost > self.ledger.cash() + 1e-9 {
                return Some(format!(
                    "insufficient cash: the fill costs {cost:.2}, cash is {:.2}",
                    self.ledger.cash()
                ));
            }
        }
        None
    }

    /// Cancels every live order at the end of a run.
    pub fn cancel_all(&mut self, t: usize, reason: &str) -> Result<(), EngineError> {
        let live = std::mem::take(&mut self.live);
        for id in live {
            if self.orders[id].is_live() {
                self.orders[id].move_to(OrderStatus::Cancelled, t)?;
                self.orders[id].reason = reason.to_string();
            }
        }
        Ok(())
    }

    /// Makes market orders placed on bar `t` eligible on that bar (same-close fills).
    pub fn make_same_bar(&mut self, t: usize) {
        for &id in &self.live {
            let o = &mut self.orders[id];
            if o.created_bar == t && o.request.kind == OrderKind::Market && o.parent.is_none() {
                o.eligible_bar = t;
            }
        }
    }
}
