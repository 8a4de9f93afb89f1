//! `oxfolio backtest`: runs a config (or the bundled default) at either strategy level
//! through the run layer (`oxfolio-run`), writes the run folder and prints a summary.

use std::path::{Path, PathBuf};

use clap::Args;

use oxfolio_core::time::format_timestamp;
use oxfolio_run::{run_with_progress, Config, EventRunMetrics, LevelRun, RunMetrics};

use crate::config::shipped;
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

/// Runs `oxfolio backtest`.
pub fn run(args: &BacktestArgs, config: Option<&Config>) -> anyhow::Result<()> {
    let loaded;
    let config = match config {
        Some(c) => c,
        None => {
            loaded = Config::load(Some(&shipped("examples/backtest.toml")))?;
            &loaded
        }
    };
    // A progress bar for long portfolio-level runs, on the terminal's summary path only.
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut progress = |done: usize, total: usize| {
        if args.json || total <= 2_000 || !done.is_multiple_of(256) {
            return;
        }
        bar.get_or_insert_with(|| indicatif::ProgressBar::new(total as u64))
            .set_position(done as u64);
    };
    let mut outcome = run_with_progress(config, &mut progress)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    outcome.write_folder(&args.out)?;
    if args.json {
        println!("{}", outcome.metrics_json()?);
        return Ok(());
    }
    let timestamps = outcome.timestamps();
    match &outcome.run {
        LevelRun::Portfolio(r) => print_portfolio(&timestamps, &r.metrics, &args.out),
        LevelRun::Order(r) => print_order(&timestamps, &r.metrics, &args.out),
    }
    Ok(())
}

/// `2015-01-02 to 2021-12-31`, from the first and last timestamps.
fn period(ts: &[i64]) -> (String, String) {
    (
        ts.first().map_or("-".into(), |d| format_timestamp(*d)),
        ts.last().map_or("-".into(), |d| format_timestamp(*d)),
    )
}

fn print_portfolio(dates: &[i64], m: &RunMetrics, out: &Path) {
    let (first, last) = period(dates);
    println!(
        "== backtest: {} on {} symbols, {first} to {last} ({} days) ==",
        m.strategy,
        m.symbols,
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
    println!("wrote {}/ (report.html, metrics.json, equity.csv, fills.csv, trades.csv, pnl.csv, signals.csv, ...)", out.display());
}

fn print_order(ts: &[i64], m: &EventRunMetrics, out: &Path) {
    let (first, last) = period(ts);
    println!(
        "== backtest (event-driven): {} on {} symbol(s), {first} to {last} ({} bars) ==",
        m.strategy, m.symbols, m.bars
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
