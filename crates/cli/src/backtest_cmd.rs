//! `oxfolio backtest`: runs the daily portfolio backtester from a config file (or the
//! bundled default) and writes a run folder: metrics, equity, positions, weights, fills,
//! orders, trades, P&L, signals, events, summary by symbol, the resolved config and a
//! self-contained `report.html`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use oxfolio_analytics::report::{backtest_html, BacktestReport};
use oxfolio_analytics::{compute, Metrics, MetricsOptions};
use oxfolio_core::time::format_timestamp;
use oxfolio_engine::config::Mode;
use oxfolio_engine::events::strategies::is_event_kind;
use oxfolio_engine::output::write_tables;
use oxfolio_engine::tables::{marks, summary_by_symbol};
use oxfolio_engine::{Backtest, Builtin, Market, Results, Strategy, TradeList};

use crate::config::{shipped, Config};
use crate::table::{num, pct, render};

/// `backtest` options (the config comes from the global `--config`).
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Run folder.
    #[arg(long, default_value = "out/backtest")]
    out: PathBuf,
    /// Print `metrics.json` to stdout instead of the summary table.
    #[arg(long)]
    json: bool,
}

/// Wall seconds per phase.
#[derive(Debug, Default, Serialize)]
pub struct Timings {
    /// Reading, validating and aligning data.
    pub load: f64,
    /// The simulation.
    pub simulate: f64,
    /// Metrics and derived tables.
    pub analytics: f64,
    /// Writing the run folder and the report.
    pub report: f64,
}

impl Timings {
    /// `load 0.123, simulate 0.045, analytics 0.006, report 0.010` (seconds).
    pub fn summary(&self) -> String {
        format!(
            "load {:.3}, simulate {:.3}, analytics {:.3}, report {:.3}",
            self.load, self.simulate, self.analytics, self.report
        )
    }
}

/// `metrics.json`.
#[derive(Debug, Serialize)]
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

fn build_strategy(config: &Config, market: &Market) -> anyhow::Result<Box<dyn Strategy>> {
    let strategy = config.strategy.clone().unwrap_or_default();
    let mode = config.backtest.as_ref().map(|b| b.mode).unwrap_or_default();
    if strategy.kind == "trades_file" || mode == Mode::ExternalTrades {
        let path = strategy
            .trades
            .as_ref()
            .context("strategy.trades (a date,symbol,quantity file) is needed for trades_file / external_trades")?;
        return Ok(Box::new(TradeList::read_csv(
            path,
            market.symbols(),
            market.dates(),
        )?));
    }
    Ok(Box::new(Builtin::new(&strategy, market.symbols())?))
}

/// Writes `metrics` as pretty JSON to `dir/metrics.json`.
pub fn write_metrics<T: Serialize>(dir: &Path, metrics: &T) -> anyhow::Result<()> {
    std::fs::write(
        dir.join("metrics.json"),
        serde_json::to_string_pretty(metrics)? + "\n",
    )?;
    Ok(())
}

/// Loads the data named by `[data]` into a market.
pub fn load_market(config: &Config) -> anyhow::Result<Market> {
    let spec = config
        .data
        .as_ref()
        .context("the config has no [data] section")?;
    Ok(Market::load(spec)?)
}

/// Everything a finished run holds.
pub struct Run {
    /// The results.
    pub results: Results,
    /// The metrics file's content.
    pub metrics: RunMetrics,
}

/// Runs the config and writes the run folder `out`.
pub fn run_config(config: &Config, out: &Path, progress: bool) -> anyhow::Result<Run> {
    let started = Instant::now();
    let market = load_market(config)?;
    let bt_config = config.backtest.clone().unwrap_or_default();
    let backtest = Backtest::new(&market, bt_config.clone())?;
    let mut strategy = build_strategy(config, &market)?;
    let load_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let days = backtest.last_day() - backtest.first_day() + 1;
    let bar = if progress && days > 2_000 {
        indicatif::ProgressBar::new(days as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let results = backtest.run_with_progress(&mut strategy, &mut |done, _| {
        if done % 256 == 0 {
            bar.set_position(done as u64);
        }
    })?;
    bar.finish_and_clear();
    let simulate_s = started.elapsed().as_secs_f64();

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
    let marks = marks(&results, &market);
    let summary = summary_by_symbol(&results, &marks);
    let analytics_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    write_tables(out, &results, &marks, &summary)?;
    let mut resolved = config.clone();
    if let Some(spec) = &mut resolved.data {
        if let Ok(p) = spec.path.canonicalize() {
            spec.path = p;
        }
    }
    resolved.backtest = Some(bt_config.clone());
    resolved.strategy = Some(config.strategy.clone().unwrap_or_default());
    std::fs::write(out.join("config.toml"), toml::to_string(&resolved)?)?;
    let facts = vec![
        ("strategy".to_string(), results.strategy.clone()),
        (
            "period".to_string(),
            format!(
                "{} to {}",
                dates.first().map_or("-".into(), |d| format_timestamp(*d)),
                dates.last().map_or("-".into(), |d| format_timestamp(*d))
            ),
        ),
        ("symbols".to_string(), market.n_symbols().to_string()),
        ("initial equity".to_string(), num(results.initial_equity, 2)),
        ("final equity".to_string(), num(results.final_equity(), 2)),
        ("total return".to_string(), pct(metrics.total_return)),
        ("CAGR".to_string(), pct(metrics.cagr)),
        (
            "annual volatility".to_string(),
            pct(metrics.annual_volatility),
        ),
        ("Sharpe".to_string(), num(metrics.sharpe, 3)),
        ("Sortino".to_string(), num(metrics.sortino, 3)),
        ("max drawdown".to_string(), pct(metrics.max_drawdown)),
        ("total costs".to_string(), num(results.total_costs(), 2)),
        ("fills".to_string(), results.fills.len().to_string()),
        (
            "engine events (caps, limits, overlay)".to_string(),
            results.events.len().to_string(),
        ),
    ];
    let header = [
        "symbol",
        "fills",
        "notional",
        "costs",
        "holding P&L",
        "executed P&L",
        "total P&L",
        "final weight",
    ];
    let rows: Vec<Vec<String>> = summary
        .iter()
        .map(|s| {
            vec![
                s.symbol.clone(),
                s.num_fills.to_string(),
                num(s.notional, 0),
                num(s.costs, 2),
                num(s.holding_pnl, 2),
                num(s.executed_pnl, 2),
                num(s.total_pnl, 2),
                pct(s.final_weight),
            ]
        })
        .collect();
    let html = backtest_html(&BacktestReport {
        title: &format!("Oxfolio backtest: {}", results.strategy),
        facts: &facts,
        dates: &dates,
        equity: &results.daily.equity,
        returns: &results.daily.returns,
        symbols: &results.symbols,
        weights: &marks.weights,
        holding_pnl: &results.daily.holding_pnl,
        executed_pnl: &results.daily.executed_pnl,
        external_pnl: &results.daily.external_pnl,
        costs: &results.daily.costs,
        traded_notional: &results.daily.traded_notional,
        periods_per_year: bt_config.periods_per_year,
        symbol_table: (&header, &rows),
    });
    std::fs::write(out.join("report.html"), html)?;
    let report_s = started.elapsed().as_secs_f64();

    let run_metrics = RunMetrics {
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
            load: load_s,
            simulate: simulate_s,
            analytics: analytics_s,
            report: report_s,
        },
    };
    write_metrics(out, &run_metrics)?;
    Ok(Run {
        results,
        metrics: run_metrics,
    })
}

/// Runs `oxfolio backtest`.
pub fn run(args: &BacktestArgs, config: Option<&Config>) -> anyhow::Result<()> {
    let loaded;
    let config = match config {
        Some(c) => c,
        None => {
            let path = shipped("examples/backtest.toml");
            loaded = Config::load(Some(&path))?;
            &loaded
        }
    };
    let kind = config
        .strategy
        .as_ref()
        .map(|s| s.kind.as_str())
        .unwrap_or("");
    if is_event_kind(kind) {
        let (ts, _, metrics) = crate::event_cmd::run_config(config, &args.out)?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&metrics)?);
        } else {
            crate::event_cmd::print_summary(&ts, &metrics, &args.out);
        }
        return Ok(());
    }
    let run = run_config(config, &args.out, !args.json)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&run.metrics)?);
        return Ok(());
    }
    let m = &run.metrics;
    let r = &run.results;
    let dates = r.run_dates();
    println!(
        "== backtest: {} on {} symbols, {} to {} ({} days) ==",
        m.strategy,
        m.symbols,
        dates.first().map_or("-".into(), |d| format_timestamp(*d)),
        dates.last().map_or("-".into(), |d| format_timestamp(*d)),
        dates.len()
    );
    let rows = vec![
        vec!["initial_equity".into(), num(m.initial_equity, 2)],
        vec!["final_equity".into(), num(m.final_equity, 2)],
        vec!["total_return".into(), pct(m.metrics.total_return)],
        vec!["cagr".into(), pct(m.metrics.cagr)],
        vec!["annual_volatility".into(), pct(m.metrics.annual_volatility)],
        vec!["sharpe".into(), num(m.metrics.sharpe, 3)],
        vec!["sortino".into(), num(m.metrics.sortino, 3)],
        vec!["max_drawdown".into(), pct(m.metrics.max_drawdown)],
        vec!["calmar".into(), num(m.metrics.calmar, 3)],
        vec!["total_costs".into(), num(m.total_costs, 2)],
        vec!["num_fills".into(), m.num_fills.to_string()],
        vec!["num_events".into(), m.num_events.to_string()],
        vec!["timings (s)".into(), m.timings.summary()],
    ];
    print!("{}", render(&["metric", "value"], &rows));
    println!("wrote {}/ (report.html, metrics.json, equity.csv, fills.csv, trades.csv, pnl.csv, signals.csv, ...)", args.out.display());
    Ok(())
}
