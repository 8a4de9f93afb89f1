//! One order-level session that owns its state (broker, risk layer, round trips, equity,
//! indicators) and advances one bar at a time: `start`, then `step` per bar, then
//! `finish` into results. The historical driver ([`super::kernel::EventEngine`]) runs the
//! same session with its fast paths (quiet stretches, prefetching); a live feed owns a
//! [`Market`] that grows with [`OrderSession::push_bar`] and steps it bar by bar.

use std::borrow::Borrow;

use oxfolio_core::ledger::Settlement;
use oxfolio_core::Timestamp;

use super::broker::{Broker, BrokerEvent};
use super::context::{EventContext, OptimisationRecord};
use super::costs::{Commission, Slippage};
use super::equity::EquityCurve;
use super::fill::{BarPrices, FillModel, FillTiming};
use super::indicator_set::IndicatorSet;
use super::kernel::{
    book_end_of_run, busy_bar, quiet_bars, strategy_failed, Clock, Failure, Prefetcher, Prepared,
};
use super::order::{OrderRequest, OrderRole};
use super::results::EventResults;
use super::risk_loop::RiskLayer;
use super::roundtrip::RoundTrips;
use super::strategy::OrderStrategy;
use super::EventSettings;
use crate::error::EngineError;
use crate::market::Market;

/// What a bar records besides the strategy's context: round trips, equity, cash changes,
/// events for the strategy, the clock and counters.
#[derive(Debug)]
pub(crate) struct Book {
    pub trips: RoundTrips,
    pub equity: EquityCurve,
    /// Cash changes only on fills and fees: kept sparse, as (bar, cash after it).
    pub cash: Vec<(usize, f64)>,
    pub last_cash: f64,
    pub events: Vec<BrokerEvent>,
    pub due: Vec<usize>,
    pub seen_fills: usize,
    pub borrow_fees: f64,
    pub clock: Clock,
}

/// Which steps a bar needs, fixed for the run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    /// No risk layer and no futures: a bar without live orders needs only its marks
    /// before the strategy.
    pub plain: bool,
    /// Market orders fill at the close of the bar they were placed on.
    pub same_close: bool,
    /// Futures settle or shorts pay borrow: cash may move without a fill.
    pub cash_may_move: bool,
}

impl Rules {
    /// Bars where nothing is live, nothing waits for the strategy and nothing but the
    /// marks happens before it can run in the tighter quiet loop.
    pub fn quiet(self) -> bool {
        self.plain && !self.same_close && !self.cash_may_move
    }
}

/// An order-level session over the bars of `M` (an owned [`Market`] for a live feed, a
/// borrowed one for the historical driver).
pub struct OrderSession<M: Borrow<Market> = Market> {
    market: M,
    first: usize,
    /// The last bar the session may run (a live market grows it).
    last: usize,
    /// The next bar to run.
    next: usize,
    started: bool,
    close_at_end: bool,
    name: String,
    initial_cash: f64,
    rules: Rules,
    desk: Desk,
    book: Book,
}

/// What the strategy's context reaches: the broker, the risk layer, its optimisation
/// records and indicators.
struct Desk {
    broker: Broker,
    risk: Option<RiskLayer>,
    optimisations: Vec<OptimisationRecord>,
    indicators: IndicatorSet,
}

impl Desk {
    /// The strategy's view of bar `t` (marks up to date).
    fn context<'a>(&'a mut self, market: &'a Market, t: usize) -> EventContext<'a> {
        let n = market.n_symbols();
        EventContext {
            t,
            market,
            closes: &market.closes()[t * n..(t + 1) * n],
            broker: &mut self.broker,
            unmarked_from: usize::MAX,
            risk: self.risk.as_mut(),
            optimisations: &mut self.optimisations,
            indicators: &mut self.indicators,
        }
    }
}

impl<M: Borrow<Market>> OrderSession<M> {
    /// A session over `market` with the settings' cost models.
    pub fn new(market: M, settings: &EventSettings) -> Result<OrderSession<M>, EngineError> {
        let prepared = Prepared::new(market.borrow(), settings)?;
        let (slippage, commission) = prepared.configured_models(settings)?;
        OrderSession::with_models(market, settings, &prepared, slippage, commission)
    }

    /// A session over `market` with the caller's slippage and commission models.
    pub(crate) fn with_models(
        market: M,
        settings: &EventSettings,
        prepared: &Prepared,
        slippage: Box<dyn Slippage>,
        commission: Box<dyn Commission>,
    ) -> Result<OrderSession<M>, EngineError> {
        let m = market.borrow();
        let initial_cash = settings.backtest.initial_cash;
        let bars = prepared.last + 1 - prepared.first;
        // One order (and one cash change) per eight bars before the lists grow.
        let expected_orders = bars / 8 + 64;
        let broker = Broker::new(
            prepared.instruments.clone(),
            initial_cash,
            prepared.execution.clone(),
            slippage,
            commission,
            expected_orders,
        )?
        .with_impact(prepared.impact_rate);
        let risk = match &settings.risk {
            Some(r) => Some(RiskLayer::new(r.clone(), m.symbols(), initial_cash)?),
            None => None,
        };
        let multipliers: Vec<f64> = prepared.instruments.iter().map(|i| i.multiplier).collect();
        let has_futures = prepared
            .instruments
            .iter()
            .any(|i| i.settlement == Settlement::Future);
        let execution = &prepared.execution;
        let rules = Rules {
            plain: risk.is_none() && !has_futures,
            same_close: execution.fill_timing == FillTiming::SameClose,
            cash_may_move: has_futures || execution.borrow_fee_bps > 0.0,
        };
        Ok(OrderSession {
            first: prepared.first,
            last: prepared.last,
            next: prepared.first,
            started: false,
            close_at_end: execution.close_at_end,
            name: String::new(),
            initial_cash,
            rules,
            desk: Desk {
                broker,
                risk,
                optimisations: Vec::new(),
                indicators: IndicatorSet::default(),
            },
            book: Book {
                trips: RoundTrips::new(multipliers.clone()),
                equity: EquityCurve::new(bars, multipliers),
                cash: Vec::with_capacity(expected_orders),
                last_cash: initial_cash,
                events: Vec::new(),
                due: Vec::new(),
                seen_fills: 0,
                borrow_fees: 0.0,
                clock: Clock::default(),
            },
            market,
        })
    }

    /// Matches orders with the caller's fill model instead of the documented fill table.
    pub fn with_fill_model(mut self, model: Box<dyn FillModel>) -> OrderSession<M> {
        self.desk.broker.set_fill_model(model);
        self
    }

    /// The market the session reads.
    pub fn market(&self) -> &Market {
        self.market.borrow()
    }

    /// The broker: positions, cash, equity at the last marks, orders and fills so far.
    pub fn broker(&self) -> &Broker {
        &self.desk.broker
    }

    /// The index of the next bar to run.
    pub fn next_bar(&self) -> usize {
        self.next
    }

    /// Bars run so far.
    pub fn bars_run(&self) -> usize {
        self.next - self.first
    }

    /// Tells the strategy the session starts (`on_start`), on the first bar's timestamp
    /// before any price is marked.
    pub fn start<S: OrderStrategy + ?Sized>(
        &mut self,
        strategy: &mut S,
    ) -> Result<(), EngineError> {
        if self.started {
            return Err(EngineError::Config(
                "the session has already started".into(),
            ));
        }
        self.started = true;
        self.name = strategy.name().to_string();
        let market = self.market.borrow();
        let t = self.first;
        let mut ctx = self.desk.context(market, t);
        strategy
            .on_start(&mut ctx)
            .map_err(|e| strategy_failed(market, &self.name, t, e))
    }

    /// Runs the next bar: fills of live orders, marks, the strategy's `on_order`,
    /// `on_fill` and `on_bar`, same-close fills and time exits, equity. Returns the bar
    /// run, or `None` when every bar the session has is done.
    pub fn step<S: OrderStrategy + ?Sized>(
        &mut self,
        strategy: &mut S,
    ) -> Result<Option<usize>, EngineError> {
        if !self.started {
            self.start(strategy)?;
        }
        let t = self.next;
        if t > self.last {
            return Ok(None);
        }
        let market = self.market.borrow();
        let mut ctx = self.desk.context(market, t);
        busy_bar(
            strategy,
            &mut ctx,
            &mut self.book,
            self.rules,
            None,
            &self.name,
            t,
        )?;
        self.next = t + 1;
        Ok(Some(t))
    }

    /// Runs every remaining bar with the historical fast paths: stretches where nothing
    /// is live run in the quiet loop, column data is prefetched ahead of the loop.
    pub(crate) fn run_remaining<S: OrderStrategy + ?Sized>(
        &mut self,
        strategy: &mut S,
    ) -> Result<(), EngineError> {
        if !self.started {
            self.start(strategy)?;
        }
        let market = self.market.borrow();
        let n = market.n_symbols();
        let closes = market.closes();
        let prefetcher = Prefetcher::new(market);
        let quiet = self.rules.quiet();
        let (rules, last, name) = (self.rules, self.last, self.name.as_str());
        let book = &mut self.book;
        let mut t = self.next;
        // A session already stepped to its end still builds a context on its last bar.
        let mut ctx = self.desk.context(market, t.min(last));
        while t <= last {
            if quiet && ctx.broker.settled() && ctx.indicators.is_empty() {
                book.equity.hold(ctx.broker);
                let from = t;
                let bars = t..last + 1;
                let next = if n == 1 {
                    quiet_bars::<S, true>(strategy, &mut ctx, &prefetcher, closes, bars)
                } else {
                    quiet_bars::<S, false>(strategy, &mut ctx, &prefetcher, closes, bars)
                };
                t = next.map_err(|(t, e)| match e {
                    Failure::Strategy(e) => strategy_failed(market, name, t, e),
                    Failure::Engine(e) => e,
                })?;
                book.equity.extend_quiet(&closes[from * n..t * n]);
                continue;
            }
            busy_bar(strategy, &mut ctx, book, rules, Some(&prefetcher), name, t)?;
            t += 1;
        }
        self.next = t;
        Ok(())
    }

    /// Ends the session: the clock catches up, positions close at the last close when
    /// asked for, the strategy hears `on_end`, live orders are cancelled; returns the
    /// results.
    pub fn finish<S: OrderStrategy + ?Sized>(
        mut self,
        strategy: &mut S,
    ) -> Result<EventResults, EngineError> {
        if !self.started {
            self.start(strategy)?;
        }
        if self.next == self.first {
            return Err(EngineError::Data(
                "the session ran no bar: step it at least once before finishing".into(),
            ));
        }
        let market = self.market.borrow();
        let n = market.n_symbols();
        let t = self.next - 1;
        let book = &mut self.book;
        let dates = market.dates();
        // The clock stands still in quiet stretches (no borrow fee accrues there).
        if dates[t] >= book.clock.next_day_start {
            book.borrow_fees += book.clock.new_day(dates[t], &mut self.desk.broker)?;
        }
        let day = book.clock.day;
        if self.close_at_end {
            let mut closing = false;
            for i in 0..n {
                let q = self.desk.broker.position(i);
                if q != 0.0 {
                    self.desk
                        .broker
                        .submit(OrderRequest::market(i, -q), OrderRole::EndOfRun, t)?;
                    closing = true;
                }
            }
            book_end_of_run(
                &mut self.desk.broker,
                self.desk.risk.as_mut(),
                book,
                market,
                t,
                day,
                closing,
            )?;
        }
        {
            let mut ctx = self.desk.context(market, t);
            strategy
                .on_end(&mut ctx)
                .map_err(|e| strategy_failed(market, &self.name, t, e))?;
        }
        self.desk.broker.cancel_all(t, "end of run")?;
        let refusals = self
            .desk
            .risk
            .map(|r| r.refusals().to_vec())
            .unwrap_or_default();
        let final_positions = self.desk.broker.positions().to_vec();
        let (orders, fills) = self.desk.broker.into_records();
        let exposed = self.book.trips.exposed_bars(t + 1);
        Ok(EventResults {
            strategy: self.name,
            symbols: market.symbols().to_vec(),
            first_bar: self.first,
            equity: self.book.equity.into_values(),
            cash: self.book.cash,
            initial_cash: self.initial_cash,
            orders,
            fills,
            round_trips: self.book.trips.into_closed(),
            refusals,
            optimisations: self.desk.optimisations,
            exposed_bars: exposed,
            borrow_fees: self.book.borrow_fees,
            final_positions,
        })
    }
}

impl OrderSession<Market> {
    /// Appends a bar (every symbol's prices at `ts`, in symbol order; a `NaN` close means
    /// no bar for that symbol) to the session's market, so the next [`step`] runs it.
    /// Errors name the symbol and the problem; the market is unchanged then.
    ///
    /// [`step`]: OrderSession::step
    pub fn push_bar(&mut self, ts: Timestamp, bars: &[BarPrices]) -> Result<(), EngineError> {
        let grows = self.last + 1 == self.market.n_dates();
        self.market.push_row(ts, bars)?;
        if grows {
            self.last += 1;
        }
        Ok(())
    }
}
