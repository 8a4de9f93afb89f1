//! The Oxfolio side of `bench/backtest_peers.py`: loads a wide close file, then times the
//! simulation (median of 5 runs) of (a) `monthly` equal weight with 10 bps costs, or
//! (b) `drift`: a closure called every day that rebalances to equal weight when any
//! weight is more than 20% (relative) from target. Prints JSON.
//!
//! `cargo run --release -p oxfolio-engine --example bench_backtest -- monthly FILE.csv`

use std::time::Instant;

use oxfolio_data::source::SourceSpec;
use oxfolio_engine::config::BacktestConfig;
use oxfolio_engine::signals::{drift_rebalancer, DriftMeasure};
use oxfolio_engine::{Backtest, Builtin, Market, Results, StrategyConfig};

fn run(mode: &str, market: &Market) -> Result<Results, Box<dyn std::error::Error>> {
    let config = BacktestConfig {
        initial_cash: 1e6,
        transaction_cost_bps: 10.0,
        fractional: true,
        ..BacktestConfig::default()
    };
    let bt = Backtest::new(market, config)?;
    Ok(match mode {
        "monthly" => {
            let mut s = Builtin::new(&StrategyConfig::default(), market.symbols())?;
            bt.run(&mut s)?
        }
        _ => {
            let n = market.n_symbols();
            let mut s = drift_rebalancer(vec![1.0 / n as f64; n], 0.2, DriftMeasure::Relative);
            bt.run(&mut s)?
        }
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, path) = match args.as_slice() {
        [_, mode, path] if mode == "monthly" || mode == "drift" => (mode.clone(), path.clone()),
        _ => return Err("usage: bench_backtest monthly|drift FILE.csv".into()),
    };
    let started = Instant::now();
    let market = Market::load(&SourceSpec::new(&path))?;
    let load_seconds = started.elapsed().as_secs_f64();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let t = Instant::now();
        let r = run(&mode, &market)?;
        times.push(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    times.sort_by(f64::total_cmp);
    let r = last.ok_or("no run")?;
    println!(
        "{{\"runs\":{times:?},\"mode\":\"{mode}\",\"symbols\":{},\"days\":{},\"load_seconds\":{load_seconds},\"simulate_seconds\":{},\"final_equity\":{},\"num_fills\":{}}}",
        market.n_symbols(),
        market.n_dates(),
        times[2],
        r.final_equity(),
        r.fills.len()
    );
    Ok(())
}
