//! Alpha-driven mode: a closure returns alpha scores (annualised mean log return over
//! 60 days) and the engine's mean-variance step (risk aversion 5, cost penalty from the
//! costs) turns them into weights each month (built-in `momentum_alpha`).
//!
//! `cargo run --release -p oxfolio-engine --example alpha_momentum`

#[path = "shared/mod.rs"]
mod shared;

use oxfolio_engine::config::{BacktestConfig, Mode};
use oxfolio_engine::signals::AlphaSignal;
use oxfolio_engine::{Backtest, Context, StrategyError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let market = shared::bundled_market()?;
    let config = BacktestConfig {
        mode: Mode::AlphaDriven,
        risk_aversion: 5.0,
        covariance_window: 60,
        ..shared::config()
    };
    let bt = Backtest::new(&market, config)?;
    let mut strategy = AlphaSignal {
        alpha: |ctx: &Context<'_>| -> Result<Option<Vec<f64>>, StrategyError> {
            if !ctx.flags.first_of_month || ctx.t <= 61 {
                return Ok(None);
            }
            Ok(Some(
                (0..ctx.n_symbols())
                    .map(|i| (1.0 + ctx.trailing_return(i, 60)).ln() / 60.0 * 252.0)
                    .map(|a| if a.is_finite() { a } else { 0.0 })
                    .collect(),
            ))
        },
    };
    let results = bt.run(&mut strategy)?;
    shared::summary("alpha-driven momentum, monthly", &results);
    Ok(())
}
