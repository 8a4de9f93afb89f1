//! Equal weights scaled so the portfolio's realised 20-day volatility targets 10% a
//! year, never above 100% invested, rebalanced weekly (built-in `volatility_target`), as
//! a closure.
//!
//! `cargo run --release -p oxfolio-engine --example volatility_target`

#[path = "shared/mod.rs"]
mod shared;

use oxfolio_engine::{Backtest, Context, Decision, StrategyError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let market = shared::bundled_market()?;
    let bt = Backtest::new(&market, shared::config())?;
    let results = bt.run(
        &mut |ctx: &Context<'_>| -> Result<Decision, StrategyError> {
            let flat = ctx.positions.iter().all(|q| *q == 0.0);
            if !(flat || ctx.flags.first_of_week) {
                return Ok(Decision::Hold);
            }
            let vol = ctx.portfolio_volatility(20) * 252f64.sqrt();
            let exposure = if vol.is_finite() && vol > 0.0 {
                (0.10 / vol).min(1.0)
            } else {
                1.0
            };
            let n = ctx.n_symbols();
            Ok(Decision::Weights(vec![exposure / n as f64; n]))
        },
    )?;
    shared::summary("equal weight at 10% volatility, weekly", &results);
    Ok(())
}
