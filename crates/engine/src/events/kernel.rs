//! The event-driven run: one bar at a time, every symbol's bar of a timestamp together.
//!
//! For each bar `t`: (1) on the first bar of a new day, borrow fees on shorts; (2) live
//! orders placed before `t` are matched against bar `t` by the fill rules; (3) positions
//! are marked at the closes, fills booked in the round trips and the risk manager;
//! (4) the strategy hears about order changes and fills, then sees bar `t` in `on_bar`;
//! (5) with `fill_timing = same_close`, market orders it placed fill at `t`'s close;
//! (6) due time exits are placed; (7) cash is recorded where it changed, and equity.
//! Without a risk layer, futures, borrow fees or same-close fills, a bar with no live
//! order, no waiting event and no indicator needs only `on_bar`: such bars run in a
//! tighter loop (`quiet_bars`) until the strategy places an order; their closes reach the
//! marks when the strategy reads them or the stretch ends, and the stretch's equity is
//! valued after it from its closes (`equity`). The calendar moves on only at the other
//! bars: nothing in a quiet bar depends on the day (no order is live, no borrow fee
//! accrues). Nothing the strategy does on bar `t` can fill before bar `t + 1` unless
//! same-close fills were asked for.

use std::ops::Range;

use oxfolio_core::ledger::{Instrument, Settlement};
use oxfolio_core::memory::prefetch;
use oxfolio_risk::config::RiskManagement;

use super::broker::{Broker, BrokerEvent};
use super::context::{bar_at, EventContext};
use super::costs::{Commission, CommissionModel, Slippage};
use super::execution::ExecutionConfig;
use super::fill::BarPrices;
use super::order::{OrderKind, OrderRole};
use super::results::EventResults;
use super::risk_loop::RiskLayer;
use super::roundtrip::{BarRanges, RoundTrips};
use super::session::{Book, OrderSession, Rules};
use super::strategy::OrderStrategy;
use crate::backtest::resolve_range;
use crate::config::{BacktestConfig, SettlementConfig};
use crate::error::{EngineError, StrategyError};
use crate::market::Market;

const DAY: i64 = 86_400_000_000_000;

/// Values of a column prefetched ahead of the current bar's: for one symbol 64 bars, which
/// covers a memory access (~100-200 ns) even at the quiet loop's 3-6 ns a bar (eight bars
/// ahead left fill bars waiting on the open and the volume: 4-5% slower on a million
/// bars).
const LOOKAHEAD_VALUES: usize = 64;

/// Bars ahead whose columns are prefetched for `n` symbols: [`LOOKAHEAD_VALUES`] worth, and
/// never fewer than eight bars (for wide markets each bar is then several cache lines).
fn lookahead_bars(n: usize) -> usize {
    (LOOKAHEAD_VALUES / n.max(1)).max(8)
}

/// Everything an event-driven run is configured with.
#[derive(Clone, Debug, Default)]
pub struct EventSettings {
    /// The `[backtest]` table: `initial_cash`, `start`, `end`, `instruments`, and the
    /// default costs (`transaction_cost_bps`, `commission_per_share`, `commission_min`,
    /// `impact_bps`), `allow_short`, `max_gross_leverage`.
    pub backtest: BacktestConfig,
    /// The `[execution]` table.
    pub execution: ExecutionConfig,
    /// The risk toolkit in the loop, when configured.
    pub risk: Option<RiskManagement>,
}

impl EventSettings {
    /// The commission model in force: `[execution] commission`, else the `[backtest]`
    /// costs (per share with a minimum, plus bps of notional).
    pub fn commission(&self) -> CommissionModel {
        if let Some(c) = &self.execution.commission {
            return c.clone();
        }
        let b = &self.backtest;
        if b.commission_per_share > 0.0 || b.commission_min > 0.0 {
            if b.transaction_cost_bps > 0.0 {
                return CommissionModel::Combined {
                    rate: b.transaction_cost_bps * 1e-4,
                    per_share: b.commission_per_share,
                    minimum: b.commission_min,
                };
            }
            return CommissionModel::PerShare {
                per_share: b.commission_per_share,
                minimum: b.commission_min,
            };
        }
        if b.transaction_cost_bps > 0.0 {
            return CommissionModel::Percent {
                rate: b.transaction_cost_bps * 1e-4,
            };
        }
        CommissionModel::None
    }
}

/// Settings checked against a market: the execution rules in force (the `[backtest]`
/// keys that mean the same folded in), the instruments and the bar range.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub execution: ExecutionConfig,
    /// `[backtest] impact_bps / 10,000`.
    pub impact_rate: f64,
    pub instruments: Vec<Instrument>,
    pub first: usize,
    pub last: usize,
}

impl Prepared {
    /// Checks `settings` against `market`.
    pub fn new(market: &Market, settings: &EventSettings) -> Result<Prepared, EngineError> {
        let b = &settings.backtest;
        b.validate()?;
        if let Some(key) = b.portfolio_only_keys_set().first() {
            return Err(EngineError::Config(format!(
                "backtest.{key} applies to portfolio-level strategies; the event-driven engine runs order-level strategies"
            )));
        }
        let mut execution = settings.execution.clone();
        // `[backtest]` keys that mean the same thing.
        if b.allow_short {
            execution.allow_short = true;
        }
        if b.max_gross_leverage > 1.0 && !execution.margin {
            execution.margin = true;
            execution.max_leverage = b.max_gross_leverage;
        }
        if b.fractional {
            execution.fractional = true;
        }
        execution.validate()?;
        for symbol in b.instruments.keys() {
            if market.index_of(symbol).is_none() {
                return Err(EngineError::Config(format!(
                    "unknown symbol `{symbol}` in backtest.instruments (the data has {})",
                    market.symbols().join(", ")
                )));
            }
        }
        let instruments = market
            .symbols()
            .iter()
            .map(|s| {
                let ic = b.instruments.get(s).cloned().unwrap_or_default();
                Instrument {
                    symbol: s.clone(),
                    settlement: match ic.settlement {
                        SettlementConfig::Cash => Settlement::Cash,
                        SettlementConfig::Future => Settlement::Future,
                    },
                    multiplier: ic.multiplier,
                }
            })
            .collect();
        let (first, last) = resolve_range(market.dates(), b.start.as_deref(), b.end.as_deref())?;
        if first > last {
            return Err(EngineError::Config(
                "no bars between backtest.start and backtest.end".into(),
            ));
        }
        Ok(Prepared {
            impact_rate: b.impact_bps / 10_000.0,
            execution,
            instruments,
            first,
            last,
        })
    }
}

/// A run's slippage and commission models.
pub(crate) type CostModels = (Box<dyn Slippage>, Box<dyn Commission>);

impl Prepared {
    /// The configured slippage (`[execution]`) and commission (`[execution]`, else the
    /// `[backtest]` cost keys) models.
    pub fn configured_models(&self, settings: &EventSettings) -> Result<CostModels, EngineError> {
        let commission = settings.commission();
        commission.validate()?;
        Ok((Box::new(self.execution.slippage), Box::new(commission)))
    }
}

/// An event-driven run over a historical market: an [`OrderSession`] driven through
/// every bar with the fast paths.
pub struct EventEngine<'m> {
    market: &'m Market,
    settings: EventSettings,
    prepared: Prepared,
}

impl<'m> EventEngine<'m> {
    /// Checks the settings against the market.
    pub fn new(
        market: &'m Market,
        settings: EventSettings,
    ) -> Result<EventEngine<'m>, EngineError> {
        let prepared = Prepared::new(market, &settings)?;
        Ok(EventEngine {
            market,
            settings,
            prepared,
        })
    }

    /// Bars the run covers.
    pub fn bars(&self) -> usize {
        self.prepared.last - self.prepared.first + 1
    }

    /// Runs `strategy` with the configured cost models.
    pub fn run<S: OrderStrategy + ?Sized>(
        &self,
        strategy: &mut S,
    ) -> Result<EventResults, EngineError> {
        let (slippage, commission) = self.prepared.configured_models(&self.settings)?;
        self.run_with(strategy, slippage, commission)
    }

    /// Runs `strategy` with the caller's slippage and commission models.
    pub fn run_with<S: OrderStrategy + ?Sized>(
        &self,
        strategy: &mut S,
        slippage: Box<dyn Slippage>,
        commission: Box<dyn Commission>,
    ) -> Result<EventResults, EngineError> {
        let mut session = OrderSession::with_models(
            self.market,
            &self.settings,
            &self.prepared,
            slippage,
            commission,
        )?;
        session.run_remaining(strategy)?;
        session.finish(strategy)
    }
}

/// The error of `strategy` (named `name`) failing on bar `t`.
#[cold]
#[inline(never)]
pub(crate) fn strategy_failed(
    market: &Market,
    name: &str,
    t: usize,
    error: StrategyError,
) -> EngineError {
    EngineError::Strategy {
        date: oxfolio_core::time::format_timestamp(market.dates()[t]),
        strategy: name.to_string(),
        error,
    }
}

/// The highs and lows round trips find their excursions in (the closes for close-only
/// data).
pub(crate) fn ranges(market: &Market) -> BarRanges<'_> {
    let closes = market.closes();
    BarRanges {
        highs: market.highs().unwrap_or(closes),
        lows: market.lows().unwrap_or(closes),
    }
}

/// A bar that is not run in the quiet loop: (1) a new day's borrow fee, (2) live orders
/// matched, (3) marks, settlement and bookings, (4) the strategy's events and `on_bar`,
/// (5) same-close fills, (6) time exits, (7) equity and cash recorded.
#[inline(always)]
pub(crate) fn busy_bar<S: OrderStrategy + ?Sized>(
    strategy: &mut S,
    ctx: &mut EventContext<'_>,
    book: &mut Book,
    rules: Rules,
    prefetcher: Option<&Prefetcher<'_>>,
    name: &str,
    t: usize,
) -> Result<(), EngineError> {
    let market = ctx.market;
    let n = market.n_symbols();
    let closes = market.closes();
    let ts = market.dates()[t];
    let row = &closes[t * n..(t + 1) * n];
    if ts >= book.clock.next_day_start {
        book.borrow_fees += book.clock.new_day(ts, ctx.broker)?;
    }
    let fills_at_bar_start = book.seen_fills;
    if let Some(p) = prefetcher {
        p.fetch_ahead_of(t, n);
    }
    ctx.t = t;
    ctx.closes = row;
    if rules.plain && ctx.broker.idle() {
        ctx.broker.mark(row);
    } else {
        book.seen_fills = before_strategy(
            ctx.broker,
            ctx.risk.as_deref_mut(),
            &mut book.trips,
            market,
            t,
            book.clock.day,
            book.seen_fills,
        )?;
    }
    if !ctx.indicators.is_empty() {
        let bar = t * n..(t + 1) * n;
        let r = ranges(market);
        ctx.indicators
            .update(&r.highs[bar.clone()], &r.lows[bar.clone()], row);
    }
    if ctx.broker.has_events() {
        dispatch(strategy, ctx, &mut book.events)
            .map_err(|e| strategy_failed(market, name, t, e))?;
    }
    strategy
        .on_bar(ctx)
        .map_err(|e| strategy_failed(market, name, t, e))?;
    if ctx.risk.is_some() || (rules.same_close && !ctx.broker.idle()) {
        book.seen_fills = after_strategy(
            strategy,
            ctx,
            &mut book.trips,
            &mut book.events,
            &mut book.due,
            rules.same_close,
            book.clock.day,
            book.seen_fills,
        )
        .map_err(|e| match e {
            Failure::Strategy(e) => strategy_failed(market, name, t, e),
            Failure::Engine(e) => e,
        })?;
    }
    book.equity.push(ctx.broker.equity());
    if rules.cash_may_move || book.seen_fills != fills_at_bar_start {
        let c = ctx.broker.cash();
        if c != book.last_cash {
            book.cash.push((t, c));
            book.last_cash = c;
        }
    }
    Ok(())
}

/// Closing every position at the end of the run: the market orders already submitted on
/// the last bar `t` fill at its close; the last equity and cash are restated.
pub(crate) fn book_end_of_run(
    broker: &mut Broker,
    risk: Option<&mut RiskLayer>,
    book: &mut Book,
    market: &Market,
    t: usize,
    day: i64,
    closing: bool,
) -> Result<(), EngineError> {
    if closing {
        fill_at_close(
            broker,
            risk,
            &mut book.trips,
            market,
            t,
            day,
            book.seen_fills,
        )?;
    }
    if let Some(e) = book.equity.last_mut() {
        *e = broker.equity();
    }
    if broker.cash() != book.last_cash {
        match book.cash.last_mut() {
            Some(c) if c.0 == t => c.1 = broker.cash(),
            _ => book.cash.push((t, broker.cash())),
        }
    }
    Ok(())
}

/// The calendar day of the last bar that was not quiet (the next such bar, or the end of
/// the run, catches it up).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    pub day: i64,
    pub next_day_start: i64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            day: 0,
            next_day_start: i64::MIN,
        }
    }
}

impl Clock {
    /// Moves to the day of `ts`; charges borrow for the day that ended (not before the
    /// first bar). Returns the fee.
    #[cold]
    #[inline(never)]
    pub fn new_day(&mut self, ts: i64, broker: &mut Broker) -> Result<f64, EngineError> {
        let fee = if self.next_day_start != i64::MIN {
            broker.charge_borrow()?
        } else {
            0.0
        };
        self.day = ts.div_euclid(DAY);
        self.next_day_start = (self.day + 1) * DAY;
        Ok(fee)
    }
}

/// Fetches the columns orders fill against (open, high, low, volume) and the timestamps a
/// few bars ahead of the loop, one cache line (eight values) at a time: read once per
/// order and seldom otherwise, they are then in cache when an order comes. Each line is
/// asked for once, by the bar whose row holds its first value, so the loops only have to
/// call it for every bar in order, whichever loop runs the bar.
pub(crate) struct Prefetcher<'a> {
    columns: [&'a [f64]; 4],
    dates: &'a [i64],
    /// Bars ahead, `lookahead_bars(n)` (kept to spare a division a bar).
    ahead: usize,
}

impl<'a> Prefetcher<'a> {
    pub fn new(market: &'a Market) -> Prefetcher<'a> {
        let r = ranges(market);
        Prefetcher {
            columns: [
                market.opens().unwrap_or(&[]),
                r.highs,
                r.lows,
                market.volumes().unwrap_or(&[]),
            ],
            dates: market.dates(),
            ahead: lookahead_bars(market.n_symbols()),
        }
    }

    /// Fetches what bar `t`'s turn asks for (`n` symbols): the lines starting in the row
    /// `ahead` bars on.
    #[inline(always)]
    pub fn fetch_ahead_of(&self, t: usize, n: usize) {
        if n == 1 {
            // A row is one value: every eighth bar, a line of each column.
            let row = t + lookahead_bars(1);
            if row.is_multiple_of(8) {
                prefetch(self.dates, row);
                for column in self.columns {
                    prefetch(column, row);
                }
            }
            return;
        }
        let row = t + self.ahead;
        if row.is_multiple_of(8) {
            prefetch(self.dates, row);
        }
        let mut line = (row * n).next_multiple_of(8);
        while line < (row + 1) * n {
            for column in self.columns {
                prefetch(column, line);
            }
            line += 8;
        }
    }
}

/// Runs bars from `bars.start` while they are quiet: no order live, no event waiting for
/// the strategy, no indicator registered, so a bar is its `on_bar` (for runs without a
/// risk layer, futures, borrow fees or same-close fills). The marks are deferred: the
/// closes reach them when the strategy reads them or the stretch ends. Returns the next
/// bar to run (after the one where the strategy placed an order or registered an
/// indicator), or the bar that failed. `ONE_SYMBOL` compiles it for a one-symbol market,
/// where a row is one value and its length known (15 M fewer instructions on a million
/// bars).
#[inline(never)]
pub(crate) fn quiet_bars<'a, S: OrderStrategy + ?Sized, const ONE_SYMBOL: bool>(
    strategy: &mut S,
    ctx: &mut EventContext<'a>,
    prefetcher: &Prefetcher<'_>,
    closes: &'a [f64],
    bars: Range<usize>,
) -> Result<usize, (usize, Failure)> {
    let n = if ONE_SYMBOL {
        1
    } else {
        ctx.market.n_symbols()
    };
    let end = bars.end;
    let rows = closes[bars.start * n..end * n].chunks_exact(n);
    ctx.defer_marks(bars.start);
    for (t, row) in bars.zip(rows) {
        prefetcher.fetch_ahead_of(t, n);
        ctx.t = t;
        ctx.closes = row;
        strategy.on_bar(ctx).map_err(|e| (t, e.into()))?;
        if !ctx.broker.settled() || !ctx.indicators.is_empty() {
            ctx.end_deferred_marks();
            return Ok(t + 1);
        }
    }
    ctx.end_deferred_marks();
    Ok(end)
}

/// Either failure of the out-of-line steps.
pub(crate) enum Failure {
    Strategy(StrategyError),
    Engine(EngineError),
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        Failure::Engine(e)
    }
}

impl From<StrategyError> for Failure {
    fn from(e: StrategyError) -> Self {
        Failure::Strategy(e)
    }
}

/// Steps 2 and 3 of a bar with live orders, a risk layer or futures: fills, marks,
/// settlement, bookings. Returns the fills booked so far.
#[inline(never)]
fn before_strategy(
    broker: &mut Broker,
    mut risk: Option<&mut RiskLayer>,
    trips: &mut RoundTrips,
    market: &Market,
    t: usize,
    day: i64,
    seen_fills: usize,
) -> Result<usize, EngineError> {
    let n = market.n_symbols();
    let ts = market.dates()[t];
    let row = &market.closes()[t * n..(t + 1) * n];
    if !broker.idle() {
        broker.process_bar(t, ts, day, |i| bar_at(market, t, i))?;
    }
    broker.mark(row);
    broker.settle();
    let mut seen = seen_fills;
    if broker.fills().len() > seen {
        seen = book_fills(
            broker,
            seen,
            trips,
            ranges(market),
            risk.as_deref_mut(),
            false,
        )?;
    }
    if let Some(r) = risk {
        r.mark(ts, broker.cash(), row);
    }
    Ok(seen)
}

/// Steps 5 and 6: same-close fills and time exits. Returns the fills booked so far.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn after_strategy<S: OrderStrategy + ?Sized>(
    strategy: &mut S,
    ctx: &mut EventContext<'_>,
    trips: &mut RoundTrips,
    events: &mut Vec<BrokerEvent>,
    due: &mut Vec<usize>,
    same_close: bool,
    day: i64,
    seen_fills: usize,
) -> Result<usize, Failure> {
    let t = ctx.t;
    let market = ctx.market;
    let mut seen = seen_fills;
    if let Some(r) = ctx.risk.as_deref_mut() {
        r.due_time_exits(t, due);
        for &i in due.iter() {
            ctx.exit_with(i, OrderRole::TimeExit)?;
        }
    }
    if same_close && !ctx.broker.idle() {
        seen = fill_at_close(
            ctx.broker,
            ctx.risk.as_deref_mut(),
            trips,
            market,
            t,
            day,
            seen,
        )?;
        if ctx.broker.has_events() {
            dispatch(strategy, ctx, events)?;
        }
    }
    Ok(seen)
}

/// Same-close fills: market orders placed on bar `t` fill at its close, are marked and
/// booked. Returns the fills booked so far.
fn fill_at_close(
    broker: &mut Broker,
    risk: Option<&mut RiskLayer>,
    trips: &mut RoundTrips,
    market: &Market,
    t: usize,
    day: i64,
    seen_fills: usize,
) -> Result<usize, EngineError> {
    let n = market.n_symbols();
    broker.make_same_bar(t);
    broker.process_bar(t, market.dates()[t], day, |i| close_bar(market, t, i))?;
    broker.mark(&market.closes()[t * n..(t + 1) * n]);
    if broker.fills().len() > seen_fills {
        return book_fills(broker, seen_fills, trips, ranges(market), risk, true);
    }
    Ok(seen_fills)
}

/// A flat bar at symbol `i`'s close of bar `t` (same-close fills), with the bar's volume.
fn close_bar(market: &Market, t: usize, i: usize) -> Option<BarPrices> {
    bar_at(market, t, i).map(|b| BarPrices {
        volume: b.volume,
        ..BarPrices::flat(b.close)
    })
}

/// Books fills from `seen` on in the round trips and the risk layer; returns the new count.
fn book_fills(
    broker: &Broker,
    seen: usize,
    trips: &mut RoundTrips,
    ranges: BarRanges<'_>,
    mut risk: Option<&mut RiskLayer>,
    at_close: bool,
) -> Result<usize, EngineError> {
    let fills = broker.fills();
    let orders = broker.orders();
    for (k, f) in fills.iter().enumerate().skip(seen) {
        trips.on_fill(
            ranges, f.symbol, f.quantity, f.price, f.fee, f.bar, f.ts, f.role, at_close,
        );
        // The stop guarding a new entry (its children follow it) gives the trip its
        // initial risk.
        let stop = orders
            .iter()
            .skip(f.order + 1)
            .take(3)
            .filter(|o| o.parent == Some(f.order) && o.role == OrderRole::StopLoss)
            .find_map(|o| match o.request.kind {
                OrderKind::Stop { stop } => Some(stop),
                _ => None,
            });
        if let Some(stop) = stop {
            trips.set_stop(f.symbol, stop);
        }
        if let Some(r) = risk.as_deref_mut() {
            // The position right after this fill: later fills of the batch undone.
            let later: f64 = fills[k + 1..]
                .iter()
                .filter(|g| g.symbol == f.symbol)
                .map(|g| g.quantity)
                .sum();
            let after = broker.position(f.symbol) - later;
            r.on_fill(
                f.order, f.role, f.symbol, f.quantity, f.price, after, f.bar, f.ts,
            )?;
        }
    }
    Ok(fills.len())
}

/// Tells the strategy about order changes and fills since the last call.
#[inline(never)]
fn dispatch<S: OrderStrategy + ?Sized>(
    strategy: &mut S,
    ctx: &mut EventContext<'_>,
    events: &mut Vec<BrokerEvent>,
) -> Result<(), StrategyError> {
    ctx.broker.drain_events(events);
    for e in events.iter() {
        match *e {
            BrokerEvent::Order(id) => {
                let update = ctx.broker.orders()[id].update();
                strategy.on_order(ctx, &update)?;
            }
            BrokerEvent::Fill(k) => {
                let fill = ctx.broker.fills()[k];
                strategy.on_fill(ctx, &fill)?;
            }
        }
    }
    Ok(())
}
