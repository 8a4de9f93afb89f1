//! Weights proportional to 1 / (63-day volatility), monthly (built-in
//! `inverse_volatility`), as a closure.
//!
//! `cargo run --release -p oxfolio-engine --example inverse_volatility`

#[path = "shared/mod.rs"]
mod shared;

use oxfolio_engine::{Backtest, Context, Decision, StrategyError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let market = shared::bundled_market()?;
    let bt = Backtest::new(&market, shared::config())?;
    let mut first = true;
    let results = bt.run(
        &mut |ctx: &Context<'_>| -> Result<Decision, StrategyError> {
            if !(first || ctx.flags.first_of_month) {
                return Ok(Decision::Hold);
            }
            let inverse: Vec<f64> = (0..ctx.n_symbols())
                .map(|i| 1.0 / ctx.trailing_volatility(i, 63))
                .collect();
            if inverse.iter().any(|v| !v.is_finite()) {
                return Ok(Decision::Hold); // not enough history yet
            }
            first = false;
            let total: f64 = inverse.iter().sum();
            Ok(Decision::Weights(
                inverse.iter().map(|v| v / total).collect(),
            ))
        },
    )?;
    shared::summary("inverse volatility, monthly", &results);
    Ok(())
}
