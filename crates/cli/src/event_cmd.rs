//! `oxfolio backtest` with an order-level strategy (`sma_crossover`, `atr_breakout`,
//! `signals`, `optimized_momentum`): runs the event-driven engine and writes the same run
//! folder as the portfolio backtester (metrics.json, equity.csv, fills.csv, orders.csv,
//! trades.csv, the resolved config, report.html) plus refusals.csv and
//! optimisations.csv.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;

use oxfolio_analytics::report::{backtest_html, BacktestReport};
use oxfolio_analytics::{compute, Metrics, MetricsOptions};
use oxfolio_core::time::format_timestamp;
use oxfolio_engine::events::output::write_event_tables;
use oxfolio_engine::events::roundtrip::TradeStats;
use oxfolio_engine::events::strategies::build;
use oxfolio_engine::events::{EventEngine, EventResults, EventSettings};

use crate::backtest_cmd::{load_market, write_metrics, Timings};
use crate::config::Config;
use crate::table::{num, pct, render};

/// `metrics.json` of an event-driven run.
#[derive(Debug, Serialize)]
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

/// Runs the event-driven engine on `config` and writes the run folder `out`.
pub fn run_config(
    config: &Config,
    out: &Path,
) -> anyhow::Result<(Vec<i64>, EventResults, EventRunMetrics)> {
    let started = Instant::now();
    let market = load_market(config)?;
    let strategy_config = config.strategy.clone().unwrap_or_default();
    let settings = EventSettings {
        backtest: config.backtest.clone().unwrap_or_default(),
        execution: config.execution.clone().unwrap_or_default(),
        risk: config.risk_management.clone(),
    };
    let engine = EventEngine::new(&market, settings.clone())?;
    let mut strategy = build(&strategy_config, &market)?;
    let load_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let results = strategy.run(&engine)?;
    let simulate_s = started.elapsed().as_secs_f64();

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
    let origin = days.first().map(|d| d - 86_400_000_000_000);
    let metrics = compute(&returns, Some(&days), origin, &options)?;
    let stats = results.stats();
    let analytics_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    write_event_tables(out, &results, market.dates())?;
    let mut resolved = config.clone();
    if let Some(spec) = &mut resolved.data {
        if let Ok(p) = spec.path.canonicalize() {
            spec.path = p;
        }
    }
    resolved.backtest = Some(settings.backtest.clone());
    resolved.execution = Some(settings.execution.clone());
    resolved.strategy = Some(strategy_config);
    std::fs::write(out.join("config.toml"), toml::to_string(&resolved)?)?;
    let ts = results.timestamps(market.dates());
    let html = report(
        &results,
        ts,
        &days,
        &daily,
        &returns,
        &metrics,
        &stats,
        options.periods_per_year,
    );
    std::fs::write(out.join("report.html"), html)?;
    let report_s = started.elapsed().as_secs_f64();

    let run_metrics = EventRunMetrics {
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
            load: load_s,
            simulate: simulate_s,
            analytics: analytics_s,
            report: report_s,
        },
    };
    write_metrics(out, &run_metrics)?;
    let ts = results.timestamps(market.dates()).to_vec();
    Ok((ts, results, run_metrics))
}

#[allow(clippy::too_many_arguments)]
fn report(
    r: &EventResults,
    ts: &[i64],
    days: &[i64],
    daily: &[f64],
    returns: &[f64],
    metrics: &Metrics,
    stats: &TradeStats,
    periods_per_year: f64,
) -> String {
    let n = r.symbols.len();
    // Per day: fees, traded notional, weights at the last bar of the day.
    let mut costs = vec![0.0; days.len()];
    let mut notional = vec![0.0; days.len()];
    let day_of = |ts: i64| days.partition_point(|d| *d <= ts).saturating_sub(1);
    for f in &r.fills {
        let d = day_of(f.ts);
        costs[d] += f.fee;
        notional[d] += (f.quantity * f.price).abs();
    }
    let mut pnl = Vec::with_capacity(days.len());
    let mut previous = r.initial_cash;
    for (k, e) in daily.iter().enumerate() {
        pnl.push(e - previous + costs[k]);
        previous = *e;
    }
    let weights = vec![0.0; days.len() * n];
    let zeros = vec![0.0; days.len()];
    let facts = vec![
        (
            "engine".to_string(),
            "event-driven (order level)".to_string(),
        ),
        ("strategy".to_string(), r.strategy.clone()),
        (
            "period".to_string(),
            format!(
                "{} to {} ({} bars)",
                ts.first().map_or("-".into(), |d| format_timestamp(*d)),
                ts.last().map_or("-".into(), |d| format_timestamp(*d)),
                ts.len()
            ),
        ),
        ("initial equity".to_string(), num(r.initial_cash, 2)),
        ("final equity".to_string(), num(r.final_equity(), 2)),
        ("total return".to_string(), pct(metrics.total_return)),
        ("max drawdown".to_string(), pct(metrics.max_drawdown)),
        ("Sharpe (daily)".to_string(), num(metrics.sharpe, 3)),
        ("round trips".to_string(), stats.trades.to_string()),
        ("win rate".to_string(), pct(stats.win_rate)),
        ("profit factor".to_string(), num(stats.profit_factor, 3)),
        ("expectancy".to_string(), num(stats.expectancy, 2)),
        (
            "R expectancy".to_string(),
            stats.r_expectancy.map_or("-".into(), |x| num(x, 3)),
        ),
        ("exposure".to_string(), pct(stats.exposure)),
        ("fills".to_string(), r.fills.len().to_string()),
        ("refused entries".to_string(), r.refusals.len().to_string()),
    ];
    let header = [
        "symbol",
        "round trips",
        "wins",
        "P&L",
        "fees",
        "final position",
    ];
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            let trips: Vec<_> = r.round_trips.iter().filter(|t| t.symbol == i).collect();
            vec![
                r.symbols[i].clone(),
                trips.len().to_string(),
                trips.iter().filter(|t| t.pnl > 0.0).count().to_string(),
                num(trips.iter().map(|t| t.pnl).sum::<f64>(), 2),
                num(
                    r.fills
                        .iter()
                        .filter(|f| f.symbol == i)
                        .map(|f| f.fee)
                        .sum::<f64>(),
                    2,
                ),
                num(r.final_positions[i], 0),
            ]
        })
        .collect();
    backtest_html(&BacktestReport {
        title: &format!("Oxfolio event-driven backtest: {}", r.strategy),
        facts: &facts,
        dates: days,
        equity: daily,
        returns,
        symbols: &r.symbols,
        weights: &weights,
        holding_pnl: &pnl,
        executed_pnl: &zeros,
        external_pnl: &zeros,
        costs: &costs,
        traded_notional: &notional,
        periods_per_year,
        symbol_table: (&header, &rows),
    })
}

/// Prints the summary of an event-driven run.
pub fn print_summary(ts: &[i64], m: &EventRunMetrics, out: &Path) {
    println!(
        "== backtest (event-driven): {} on {} symbol(s), {} to {} ({} bars) ==",
        m.strategy,
        m.symbols,
        ts.first().map_or("-".into(), |d| format_timestamp(*d)),
        ts.last().map_or("-".into(), |d| format_timestamp(*d)),
        m.bars
    );
    let t = &m.trades;
    let rows = vec![
        vec!["initial_equity".into(), num(m.initial_equity, 2)],
        vec!["final_equity".into(), num(m.final_equity, 2)],
        vec!["total_return".into(), pct(m.metrics.total_return)],
        vec!["sharpe (daily)".into(), num(m.metrics.sharpe, 3)],
        vec!["max_drawdown".into(), pct(m.metrics.max_drawdown)],
        vec!["total_costs".into(), num(m.total_costs, 2)],
        vec!["num_fills".into(), m.num_fills.to_string()],
        vec!["round trips".into(), t.trades.to_string()],
        vec!["win_rate".into(), pct(t.win_rate)],
        vec!["profit_factor".into(), num(t.profit_factor, 3)],
        vec!["expectancy".into(), num(t.expectancy, 2)],
        vec![
            "r_expectancy".into(),
            t.r_expectancy.map_or("-".into(), |x| num(x, 3)),
        ],
        vec!["exposure".into(), pct(t.exposure)],
        vec!["refused entries".into(), m.num_events.to_string()],
        vec!["timings (s)".into(), m.timings.summary()],
    ];
    print!("{}", render(&["metric", "value"], &rows));
    println!(
        "wrote {}/ (report.html, metrics.json, equity.csv, fills.csv, orders.csv, trades.csv, refusals.csv, optimisations.csv, config.toml)",
        out.display()
    );
}
