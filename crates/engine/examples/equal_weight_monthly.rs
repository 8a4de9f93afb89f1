//! Equal weight, rebalanced on the first trading day of each month (built-in
//! `equal_weight` with `rebalance = "monthly"`), as a closure.
//!
//! `cargo run --release -p oxfolio-engine --example equal_weight_monthly`

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
            first = false;
            let n = ctx.n_symbols();
            Ok(Decision::Weights(vec![1.0 / n as f64; n]))
        },
    )?;
    shared::summary("equal weight, monthly", &results);
    Ok(())
}
