//! Equal weights scaled down as the portfolio's drawdown deepens (flat at a 20%
//! drawdown, never below 20% invested), and halved while the last 63 days lost money;
//! monthly (built-in `drawdown_scaled`), as a closure.
//!
//! `cargo run --release -p oxfolio-engine --example drawdown_scaled`

#[path = "shared/mod.rs"]
mod shared;

use oxfolio_engine::{Backtest, Context, Decision, StrategyError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let market = shared::bundled_market()?;
    let bt = Backtest::new(&market, shared::config())?;
    let results = bt.run(
        &mut |ctx: &Context<'_>| -> Result<Decision, StrategyError> {
            let flat = ctx.positions.iter().all(|q| *q == 0.0);
            if !(flat || ctx.flags.first_of_month) {
                return Ok(Decision::Hold);
            }
            let mut exposure = (1.0 + ctx.drawdown() / 0.2).max(0.2);
            let k = ctx.returns.len().min(63);
            let recent: f64 = ctx.returns[ctx.returns.len() - k..]
                .iter()
                .map(|r| 1.0 + r)
                .product();
            if k > 0 && recent < 1.0 {
                exposure = (exposure * 0.5).max(0.2);
            }
            let n = ctx.n_symbols();
            Ok(Decision::Weights(vec![exposure / n as f64; n]))
        },
    )?;
    shared::summary("drawdown-scaled equal weight, monthly", &results);
    Ok(())
}
