//! A Rust closure as the strategy, with the same run folder as `oxfolio backtest`
//! (`report.html`, `metrics.json`, the tables): 60% SPY and 40% split between QQQ and
//! IWM, rebalanced on each month's first session, on the bundled data and settings of
//! `examples/backtest.toml`.
//!
//! `cargo run --release -p oxfolio-run --example closure_report`

use std::path::Path;

use oxfolio_engine::{Context, Decision, StrategyError};
use oxfolio_run::{run_strategy, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config = Config::load(Some(&root.join("examples/backtest.toml")))?;
    let market = oxfolio_run::load_market(&config)?;
    let mut target = vec![0.0; market.n_symbols()];
    for (symbol, w) in [("SPY", 0.6), ("QQQ", 0.2), ("IWM", 0.2)] {
        let i = market
            .index_of(symbol)
            .ok_or(format!("{symbol} is not in the data"))?;
        target[i] = w;
    }
    let mut strategy = |ctx: &Context<'_>| -> Result<Decision, StrategyError> {
        let flat = ctx.positions.iter().all(|q| *q == 0.0);
        Ok(if flat || ctx.flags.first_of_month {
            Decision::Weights(target.clone())
        } else {
            Decision::Hold
        })
    };
    let mut outcome = run_strategy(&config, &mut strategy)?;
    let out = Path::new("out/closure_report");
    outcome.write_folder(out)?;
    println!("{}", outcome.metrics_json()?);
    println!(
        "wrote {}/ (report.html, metrics.json, equity.csv, ...)",
        out.display()
    );
    Ok(())
}
