//! Fixed weights (60% SPY, 40% split between QQQ and IWM), rebalanced whenever any
//! weight drifts more than 20% (relative) from target (built-in `fixed_weights` with
//! `rebalance = "drift"`), as a closure called every day.
//!
//! `cargo run --release -p oxfolio-engine --example drift_rebalance`

#[path = "shared/mod.rs"]
mod shared;

use oxfolio_engine::signals::{drifted, DriftMeasure};
use oxfolio_engine::{Backtest, Context, Decision, StrategyError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let market = shared::bundled_market()?;
    let mut target = vec![0.0; market.n_symbols()];
    for (symbol, w) in [("SPY", 0.6), ("QQQ", 0.2), ("IWM", 0.2)] {
        let i = market
            .index_of(symbol)
            .ok_or(format!("{symbol} is not in the data"))?;
        target[i] = w;
    }
    let bt = Backtest::new(&market, shared::config())?;
    let mut current = vec![0.0; market.n_symbols()];
    let results = bt.run(
        &mut |ctx: &Context<'_>| -> Result<Decision, StrategyError> {
            ctx.current_weights(&mut current);
            let flat = ctx.positions.iter().all(|q| *q == 0.0);
            Ok(
                if flat || drifted(&current, &target, 0.2, DriftMeasure::Relative) {
                    Decision::Weights(target.clone())
                } else {
                    Decision::Hold
                },
            )
        },
    )?;
    shared::summary("60/20/20 with a 20% drift band", &results);
    Ok(())
}
