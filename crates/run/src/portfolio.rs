//! The portfolio level: a strategy returns targets before each session and the daily
//! kernel turns them into orders and fills; then metrics and the derived tables.

use std::time::Instant;

use serde::Serialize;

use oxfolio_analytics::{compute, Metrics, MetricsOptions};
use oxfolio_engine::config::Mode;
use oxfolio_engine::tables::{marks, summary_by_symbol, Marks, SymbolSummary};
use oxfolio_engine::{Backtest, Builtin, Market, Results, Strategy, TradeList};

use crate::config::Config;
use crate::error::RunError;
use crate::timings::{seconds_since, Timings};

/// `metrics.json` of a portfolio-level run.
#[derive(Clone, Debug, Serialize)]
pub struct RunMetrics {
    /// The analytics metrics, under the names of `oxfolio metrics --json`.
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Equity at the base date's close.
    pub initial_equity: f64,
    /// Equity at the last close.
    pub final_equity: f64,
    /// Costs paid.
    pub total_costs: f64,
    /// Fills.
    pub num_fills: usize,
    /// Orders.
    pub num_orders: usize,
    /// Engine interventions (caps, limits, overlay).
    pub num_events: usize,
    /// Strategy name.
    pub strategy: String,
    /// Symbols traded.
    pub symbols: usize,
    /// Wall seconds per phase.
    pub timings: Timings,
}

/// A finished portfolio-level run: the kernel's results and what analytics derived.
#[derive(Debug)]
pub struct PortfolioRun {
    /// The kernel's results (daily series, fills, orders, signals, events).
    pub results: Results,
    /// Positions, values and weights at each close.
    pub marks: Marks,
    /// Per-symbol totals.
    pub summary: Vec<SymbolSummary>,
    /// The content of `metrics.json`.
    pub metrics: RunMetrics,
    /// Periods per year the metrics were annualised with.
    pub periods_per_year: f64,
}

/// The configured portfolio-level strategy: a trades file (`kind = "trades_file"` or the
/// external-trades mode), else a built-in.
pub(crate) fn configured_strategy(
    config: &Config,
    market: &Market,
) -> Result<Box<dyn Strategy>, RunError> {
    let strategy = config.strategy_or_default();
    let mode = config.backtest.as_ref().map(|b| b.mode).unwrap_or_default();
    if strategy.kind == "trades_file" || mode == Mode::ExternalTrades {
        let path = strategy.trades.as_ref().ok_or_else(|| {
            RunError::Config(
                "strategy.trades (a date,symbol,quantity file) is needed for trades_file / external_trades".into(),
            )
        })?;
        return Ok(Box::new(TradeList::read_csv(
            path,
            market.symbols(),
            market.dates(),
        )?));
    }
    Ok(Box::new(Builtin::new(&strategy, market.symbols())?))
}

/// Runs `strategy` on `backtest` (an engine over `market`); `load` is the time spent
/// loading; `progress` hears `(days done, days)` after each day.
pub(crate) fn run_portfolio<S: Strategy + ?Sized>(
    backtest: &Backtest<'_>,
    market: &Market,
    strategy: &mut S,
    load: f64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PortfolioRun, RunError> {
    let bt_config = backtest.config();
    let started = Instant::now();
    let results = backtest.run_with_progress(strategy, progress)?;
    let simulate = seconds_since(started);

    let started = Instant::now();
    let dates = results.run_dates();
    let options = MetricsOptions {
        periods_per_year: bt_config.periods_per_year,
        risk_free: bt_config.risk_free,
    };
    let metrics = compute(
        &results.daily.returns,
        Some(&dates),
        Some(results.dates[results.base_day]),
        &options,
    )?;
    let marks = marks(&results, market);
    let summary = summary_by_symbol(&results, &marks);
    let analytics = seconds_since(started);

    let metrics = RunMetrics {
        metrics,
        initial_equity: results.initial_equity,
        final_equity: results.final_equity(),
        total_costs: results.total_costs(),
        num_fills: results.fills.len(),
        num_orders: results.orders.len(),
        num_events: results.events.len(),
        strategy: results.strategy.clone(),
        symbols: market.n_symbols(),
        timings: Timings {
            load,
            simulate,
            analytics,
            report: 0.0,
        },
    };
    Ok(PortfolioRun {
        results,
        marks,
        summary,
        metrics,
        periods_per_year: bt_config.periods_per_year,
    })
}
