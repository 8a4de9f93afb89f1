//! The order level: a strategy sees one bar at a time and submits orders; the event
//! kernel fills them. Metrics are computed on daily equity (each day's last bar).

use std::time::Instant;

use serde::Serialize;

use oxfolio_analytics::{compute, Metrics, MetricsOptions};
use oxfolio_engine::events::roundtrip::TradeStats;
use oxfolio_engine::events::strategies::{build, Shipped};
use oxfolio_engine::events::{EventEngine, EventResults, EventSettings, OrderStrategy};
use oxfolio_engine::{EngineError, Market};

use crate::config::Config;
use crate::error::RunError;
use crate::timings::{seconds_since, Timings};

const DAY: i64 = 86_400_000_000_000;

/// `metrics.json` of an order-level run.
#[derive(Clone, Debug, Serialize)]
pub struct EventRunMetrics {
    /// The analytics metrics on daily equity (the last bar of each day).
    #[serde(flatten)]
    pub metrics: Metrics,
    /// `event` (the order-level engine).
    pub engine: &'static str,
    /// Starting cash.
    pub initial_equity: f64,
    /// Equity at the last bar's close.
    pub final_equity: f64,
    /// Commissions paid.
    pub total_costs: f64,
    /// Slippage paid, in money.
    pub total_slippage: f64,
    /// Borrow fees on shorts.
    pub borrow_fees: f64,
    /// Fills.
    pub num_fills: usize,
    /// Orders.
    pub num_orders: usize,
    /// Entries the risk layer refused.
    pub num_events: usize,
    /// Bars simulated.
    pub bars: usize,
    /// Strategy name.
    pub strategy: String,
    /// Symbols.
    pub symbols: usize,
    /// Round-trip statistics.
    pub trades: TradeStats,
    /// Wall seconds per phase.
    pub timings: Timings,
}

/// A finished order-level run: the kernel's results and the daily series derived.
#[derive(Debug)]
pub struct OrderRun {
    /// The kernel's results (per-bar equity, fills, orders, round trips, refusals).
    pub results: EventResults,
    /// Each day's date (its last bar's timestamp).
    pub days: Vec<i64>,
    /// Equity at each day's last bar.
    pub daily_equity: Vec<f64>,
    /// Simple returns of the daily equity (the first against the starting cash).
    pub daily_returns: Vec<f64>,
    /// The content of `metrics.json`.
    pub metrics: EventRunMetrics,
    /// Periods per year the metrics were annualised with.
    pub periods_per_year: f64,
}

/// The event settings of a config.
pub(crate) fn settings(config: &Config) -> EventSettings {
    EventSettings {
        backtest: config.backtest_or_default(),
        execution: config.execution.clone().unwrap_or_default(),
        risk: config.risk_management.clone(),
    }
}

/// How an order-level strategy is run on an engine: a shipped strategy with the loop
/// compiled for its own type, or a user's strategy.
pub(crate) enum OrderDriver<'s, S: OrderStrategy + ?Sized> {
    /// A shipped strategy built from `[strategy]`.
    Shipped(Shipped),
    /// The caller's strategy.
    User(&'s mut S),
}

impl<S: OrderStrategy + ?Sized> OrderDriver<'_, S> {
    fn run(&mut self, engine: &EventEngine<'_>) -> Result<EventResults, EngineError> {
        match self {
            OrderDriver::Shipped(s) => s.run(engine),
            OrderDriver::User(s) => engine.run(&mut **s),
        }
    }
}

/// The shipped strategy `[strategy]` configures.
pub(crate) fn configured_strategy(config: &Config, market: &Market) -> Result<Shipped, RunError> {
    Ok(build(&config.strategy_or_default(), market)?)
}

/// Runs `driver` on `engine` (over `market`, with `settings`); `load` is the time spent
/// loading.
pub(crate) fn run_order<S: OrderStrategy + ?Sized>(
    engine: &EventEngine<'_>,
    settings: &EventSettings,
    market: &Market,
    mut driver: OrderDriver<'_, S>,
    load: f64,
) -> Result<OrderRun, RunError> {
    let started = Instant::now();
    let results = driver.run(engine)?;
    let simulate = seconds_since(started);

    let started = Instant::now();
    let (days, daily) = results.daily_equity(market.dates());
    let mut returns = Vec::with_capacity(daily.len());
    let mut previous = results.initial_cash;
    for e in &daily {
        returns.push(e / previous - 1.0);
        previous = *e;
    }
    let options = MetricsOptions {
        periods_per_year: settings.backtest.periods_per_year,
        risk_free: settings.backtest.risk_free,
    };
    let origin = days.first().map(|d| d - DAY);
    let metrics = compute(&returns, Some(&days), origin, &options)?;
    let stats = results.stats();
    let analytics = seconds_since(started);

    let metrics = EventRunMetrics {
        metrics,
        engine: "event",
        initial_equity: results.initial_cash,
        final_equity: results.final_equity(),
        total_costs: results.total_fees(),
        total_slippage: results.fills.iter().map(|f| f.slippage).sum(),
        borrow_fees: results.borrow_fees,
        num_fills: results.fills.len(),
        num_orders: results.orders.len(),
        num_events: results.refusals.len(),
        bars: results.bars(),
        strategy: results.strategy.clone(),
        symbols: results.symbols.len(),
        trades: stats,
        timings: Timings {
            load,
            simulate,
            analytics,
            report: 0.0,
        },
    };
    Ok(OrderRun {
        results,
        days,
        daily_equity: daily,
        daily_returns: returns,
        metrics,
        periods_per_year: options.periods_per_year,
    })
}
